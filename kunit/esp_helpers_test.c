// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the pure helpers of esp.c (padding, trailer, counter IVs,
 * sequence number allocation, MTU arithmetic), against RFC 4303's rules
 * written out here.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/unaligned.h>

#include "nipsec.h"
#include "sa.h"
#include "esp.h"

static const unsigned int esp_blksizes[] = { 4, 8, 16 };

/* RFC 4303 2.4: payload + padding + 2 trailer bytes end on the block. */
static void esp_padlen_aligns(struct kunit *test)
{
	unsigned int i, plen;

	for (i = 0; i < ARRAY_SIZE(esp_blksizes); i++) {
		unsigned int b = esp_blksizes[i];

		for (plen = 0; plen <= 3 * b + 1; plen++) {
			unsigned int pad = nipsec_esp_padlen(plen, b);

			KUNIT_EXPECT_EQ_MSG(test, (plen + pad + 2) % b, 0,
					    "blk %u plen %u pad %u", b, plen, pad);
			/* the smallest such padding */
			KUNIT_EXPECT_LT_MSG(test, pad, b, "blk %u plen %u", b, plen);
		}
	}
	KUNIT_EXPECT_EQ(test, nipsec_esp_padlen(2, 4), 0);
	KUNIT_EXPECT_EQ(test, nipsec_esp_padlen(3, 4), 3);
	KUNIT_EXPECT_EQ(test, nipsec_esp_padlen(84, 4), 2);	/* RFC 7634 A */
}

/* Default padding 1, 2, 3, ..., then pad length, then next header. */
static void esp_trailer_roundtrip(struct kunit *test)
{
	u8 buf[32];
	unsigned int padlen, i;

	for (padlen = 0; padlen <= 15; padlen++) {
		memset(buf, 0xee, sizeof(buf));
		nipsec_esp_fill_trailer(buf, padlen, IPPROTO_IPIP);
		for (i = 0; i < padlen; i++)
			KUNIT_EXPECT_EQ(test, buf[i], i + 1);
		KUNIT_EXPECT_EQ(test, buf[padlen], padlen);
		KUNIT_EXPECT_EQ(test, buf[padlen + 1], IPPROTO_IPIP);
		KUNIT_EXPECT_EQ(test, buf[padlen + 2], 0xee);
	}
	/* the RFC 7634 Appendix A trailer: 01 02 02 04 */
	nipsec_esp_fill_trailer(buf, 2, 4);
	KUNIT_EXPECT_EQ(test, buf[0], 1);
	KUNIT_EXPECT_EQ(test, buf[1], 2);
	KUNIT_EXPECT_EQ(test, buf[2], 2);
	KUNIT_EXPECT_EQ(test, buf[3], 4);
}

/*
 * A decrypted packet: @plen payload bytes, the default trailer for
 * @padlen, then a 16-byte ICV; the first @linear bytes in the head, the
 * rest in a page frag (@linear >= total: all linear).
 */
static struct sk_buff *esp_trailer_skb(struct kunit *test, unsigned int plen,
				       unsigned int padlen, unsigned int linear)
{
	unsigned int total = plen + padlen + 2 + 16;
	struct sk_buff *skb;
	struct page *page;
	u8 *flat;

	flat = kunit_kzalloc(test, total, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, flat);
	memset(flat, 0x5a, plen);
	nipsec_esp_fill_trailer(flat + plen, padlen, IPPROTO_TCP);
	memset(flat + plen + padlen + 2, 0xcc, 16);
	linear = min(linear, total);
	skb = alloc_skb(linear, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_data(skb, flat, linear);
	if (linear < total) {
		page = alloc_page(GFP_KERNEL);
		if (!page)
			kfree_skb(skb);
		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy(page_address(page), flat + linear, total - linear);
		skb_add_rx_frag(skb, 0, page, 0, total - linear, PAGE_SIZE);
	}
	return skb;
}

/* Flip byte @at of the packet, wherever it lives. */
static void esp_skb_flip(struct kunit *test, struct sk_buff *skb,
			 unsigned int at)
{
	u8 b;

	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, at, &b, 1), 0);
	b ^= 0x80;
	KUNIT_ASSERT_EQ(test, skb_store_bits(skb, at, &b, 1), 0);
}

/* One packet layout: accepted, and refused after any one change. */
static void esp_trailer_case(struct kunit *test, unsigned int plen,
			     unsigned int padlen, int split)
{
	unsigned int end = plen + padlen + 2, got, i;
	struct sk_buff *skb;
	int err;
	u8 nh;

	/* split -1: linear; else the frag starts that far into the pad */
	skb = esp_trailer_skb(test, plen, padlen,
			      split < 0 ? UINT_MAX : plen + split);
	err = nipsec_esp_check_trailer(skb, end, end, &nh, &got);
	KUNIT_EXPECT_EQ_MSG(test, err, 0, "plen %u padlen %u split %d",
			    plen, padlen, split);
	KUNIT_EXPECT_EQ(test, got, padlen);
	KUNIT_EXPECT_EQ(test, nh, IPPROTO_TCP);
	/* the pad length must fit the encrypted part */
	err = nipsec_esp_check_trailer(skb, end, padlen + 1, &nh, &got);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	/* each wrong pad byte: the first, the last, a few between */
	for (i = 0; i < padlen; i += i < 2 || i + 2 >= padlen ? 1 : 31) {
		esp_skb_flip(test, skb, plen + i);
		err = nipsec_esp_check_trailer(skb, end, end, &nh, &got);
		KUNIT_EXPECT_EQ_MSG(test, err, -EINVAL, "padlen %u byte %u",
				    padlen, i);
		esp_skb_flip(test, skb, plen + i);
	}
	kfree_skb(skb);
}

/*
 * The data path's trailer check itself (not a twin): every pad length,
 * padding in the head, in a frag and split across both and across the
 * check's 32-byte pieces; any wrong pad byte, a pad length longer than
 * the encrypted part and a trailer outside the packet are refused.
 */
static void esp_trailer_check(struct kunit *test)
{
	static const unsigned int plens[] = { 0, 1, 40 };
	static const int splits[] = { -1, 0, 1, 33, 200 };
	unsigned int padlen, pl, sp, got;
	struct sk_buff *skb;
	u8 nh;

	for (pl = 0; pl < ARRAY_SIZE(plens); pl++)
		for (sp = 0; sp < ARRAY_SIZE(splits); sp++)
			for (padlen = 0; padlen <= 255; padlen++)
				esp_trailer_case(test, plens[pl], padlen,
						 splits[sp]);

	skb = esp_trailer_skb(test, 8, 3, 4);
	/* a trailer past the packet's end, or before its start */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			nipsec_esp_check_trailer(skb, skb->len + 1, 64, &nh,
						 &got));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			nipsec_esp_check_trailer(skb, 1, 64, &nh, &got));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			nipsec_esp_check_trailer(skb, 13, 1, &nh, &got));
	/* a pad length (0x5a here) that fits elen but reaches before byte 0 */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			nipsec_esp_check_trailer(skb, 4, 200, &nh, &got));
	KUNIT_EXPECT_EQ(test, 0,
			nipsec_esp_check_trailer(skb, 13, 13, &nh, &got));
	/* zero padding bytes are not the default */
	KUNIT_EXPECT_EQ(test, skb_store_bits(skb, 8, "\0\0\0", 3), 0);
	KUNIT_EXPECT_EQ(test, -EINVAL,
			nipsec_esp_check_trailer(skb, 13, 13, &nh, &got));
	kfree_skb(skb);
}

/* IV = seq ^ salt: distinct sequence numbers give distinct IVs. */
static void esp_counter_iv_unique(struct kunit *test)
{
	const __be64 salt = cpu_to_be64(0x0123456789abcdefULL);
	u8 iv[8], prev[8];
	u64 seq;

	nipsec_esp_counter_iv(iv, 0x1011121314151617ULL, 0);
	KUNIT_EXPECT_EQ(test, iv[0], 0x10);
	KUNIT_EXPECT_EQ(test, iv[7], 0x17);

	nipsec_esp_counter_iv(prev, 1, salt);
	for (seq = 2; seq < 2000; seq++) {
		nipsec_esp_counter_iv(iv, seq, salt);
		KUNIT_EXPECT_NE(test, memcmp(iv, prev, 8), 0);
		KUNIT_EXPECT_EQ(test, get_unaligned_be64(iv),
				seq ^ be64_to_cpu(salt));
		memcpy(prev, iv, 8);
	}
	/* across 2^32 (ESN) the high half of the IV moves too */
	nipsec_esp_counter_iv(iv, 0x100000001ULL, 0);
	nipsec_esp_counter_iv(prev, 1, 0);
	KUNIT_EXPECT_NE(test, memcmp(iv, prev, 8), 0);
}

/* RFC 4303 3.3.3: never reuse a sequence number; stop at the end. */
static void esp_next_seq_exhaustion(struct kunit *test)
{
	struct nipsec_sa *sa = kunit_kzalloc(test, sizeof(*sa), GFP_KERNEL);
	u64 seq = 0;

	KUNIT_ASSERT_NOT_NULL(test, sa);
	KUNIT_EXPECT_EQ(test, nipsec_sa_next_seq(sa, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 1);
	KUNIT_EXPECT_EQ(test, nipsec_sa_next_seq(sa, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 2);

	/* 32-bit: 2^32 - 1 is the last */
	atomic64_set(&sa->oseq, U32_MAX - 2);
	KUNIT_EXPECT_EQ(test, nipsec_sa_next_seq(sa, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, (u64)U32_MAX - 1);
	KUNIT_EXPECT_EQ(test, nipsec_sa_next_seq(sa, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, (u64)U32_MAX);
	KUNIT_EXPECT_EQ(test, nipsec_sa_next_seq(sa, &seq), -ENOSPC);
	KUNIT_EXPECT_EQ(test, nipsec_sa_next_seq(sa, &seq), -ENOSPC);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&sa->oseq), (u64)U32_MAX);

	/* ESN: through 2^32, up to 2^64 - 1 */
	sa->esn = true;
	KUNIT_EXPECT_EQ(test, nipsec_sa_next_seq(sa, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0x100000000ULL);
	atomic64_set(&sa->oseq, (s64)(U64_MAX - 1));
	KUNIT_EXPECT_EQ(test, nipsec_sa_next_seq(sa, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, U64_MAX);
	KUNIT_EXPECT_EQ(test, nipsec_sa_next_seq(sa, &seq), -ENOSPC);
}

/* ESP packet length for an inner packet of @len bytes. */
static unsigned int esp_total(const struct nipsec_sa *sa, unsigned int len,
			      unsigned int outer, unsigned int kept)
{
	return outer + kept + NIPSEC_ESP_HLEN + sa->ivlen +
	       ALIGN(len - kept + 2, sa->blksize) + sa->icvlen;
}

/*
 * The largest inner packet that fits: the ESP packet it makes fits the
 * MTU, and one byte more would not.
 */
static void esp_max_inner_is_largest(struct kunit *test)
{
	static const struct { u8 ivlen, icvlen, blksize; } geo[] = {
		{ 8, 16, 4 },		/* AES-GCM, ChaCha20-Poly1305 */
		{ 8, 8, 4 },		/* AES-GCM with a 64-bit ICV */
		{ 16, 16, 16 },		/* AES-CBC + HMAC-SHA256-128 */
		{ 0, 12, 4 },		/* null cipher + HMAC-SHA1-96 */
	};
	static const struct { u16 outer, kept; } modes[] = {
		{ 20, 0 }, { 40, 0 }, { 0, 20 }, { 0, 40 }, { 28, 0 },
	};
	struct nipsec_sa *sa = kunit_kzalloc(test, sizeof(*sa), GFP_KERNEL);
	unsigned int g, m, mtu;

	KUNIT_ASSERT_NOT_NULL(test, sa);
	for (g = 0; g < ARRAY_SIZE(geo); g++) {
		sa->ivlen = geo[g].ivlen;
		sa->icvlen = geo[g].icvlen;
		sa->blksize = geo[g].blksize;
		for (m = 0; m < ARRAY_SIZE(modes); m++) {
			for (mtu = 60; mtu <= 1500; mtu += 37) {
				unsigned int o = modes[m].outer, k = modes[m].kept;
				unsigned int len = nipsec_esp_max_inner(sa, mtu, o, k);

				if (!len)
					continue;
				KUNIT_EXPECT_LE_MSG(test, esp_total(sa, len, o, k), mtu,
						    "geo %u mode %u mtu %u len %u", g, m, mtu, len);
				KUNIT_EXPECT_GT_MSG(test, esp_total(sa, len + 1, o, k), mtu,
						    "geo %u mode %u mtu %u len %u", g, m, mtu, len);
			}
		}
		/* nothing fits in a tiny MTU */
		KUNIT_EXPECT_EQ(test, nipsec_esp_max_inner(sa, 40, 20, 0), 0);
	}
}

static struct kunit_case nipsec_esp_helper_cases[] = {
	KUNIT_CASE(esp_padlen_aligns),
	KUNIT_CASE(esp_trailer_roundtrip),
	KUNIT_CASE(esp_trailer_check),
	KUNIT_CASE(esp_counter_iv_unique),
	KUNIT_CASE(esp_next_seq_exhaustion),
	KUNIT_CASE(esp_max_inner_is_largest),
	{}
};

static struct kunit_suite nipsec_esp_helper_suite = {
	.name = "nipsec_esp_helpers",
	.test_cases = nipsec_esp_helper_cases,
};

kunit_test_suite(nipsec_esp_helper_suite);
