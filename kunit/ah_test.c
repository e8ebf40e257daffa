// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the pure helpers of ah.c: which header fields the ICV sees as
 * zero (RFC 4302 3.3.3.1), the routing header as the final destination
 * sees it, the AH header length and the MTU arithmetic. The expected
 * bytes are written out here from the RFC, not computed by the code under
 * test.
 */
#include <kunit/test.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "nipsec.h"
#include "crypto.h"
#include "sa.h"
#include "ah.h"

/* An IPv4 header with every field set to something non-zero. */
static void ah_fill_iph(struct iphdr *iph, unsigned int ihl)
{
	iph->version = 4;
	iph->ihl = ihl;
	iph->tos = 0xb9;
	iph->tot_len = htons(84);
	iph->id = htons(0x1234);
	iph->frag_off = htons(IP_DF | 0x0123);
	iph->ttl = 63;
	iph->protocol = IPPROTO_AH;
	iph->check = (__force __sum16)htons(0xbeef);
	iph->saddr = htonl(0xc0000201);
	iph->daddr = htonl(0xc0000202);
}

/* TOS, flags/offset, TTL and checksum zeroed; the rest kept. */
static void ah_mutable4_fields(struct kunit *test)
{
	struct iphdr iph;

	ah_fill_iph(&iph, 5);
	KUNIT_ASSERT_EQ(test, nipsec_ah_clear_mutable4(&iph, true), 0);
	KUNIT_EXPECT_EQ(test, iph.tos, 0);
	KUNIT_EXPECT_EQ(test, ntohs(iph.frag_off), 0);
	KUNIT_EXPECT_EQ(test, iph.ttl, 0);
	KUNIT_EXPECT_EQ(test, (__force u16)iph.check, 0);
	KUNIT_EXPECT_EQ(test, *(u8 *)&iph, 0x45);	/* version, IHL */
	KUNIT_EXPECT_EQ(test, ntohs(iph.tot_len), 84);
	KUNIT_EXPECT_EQ(test, ntohs(iph.id), 0x1234);
	KUNIT_EXPECT_EQ(test, iph.protocol, IPPROTO_AH);
	KUNIT_EXPECT_EQ(test, ntohl(iph.saddr), 0xc0000201);
	KUNIT_EXPECT_EQ(test, ntohl(iph.daddr), 0xc0000202);
}

/*
 * Options: NOP and security (130), router alert (148) stay; record route
 * (7) and a loose source route (131) are zeroed whole; a sender hashes
 * the source route's last address as the destination, a receiver keeps
 * the destination it got; EOL ends the list.
 */
static void ah_mutable4_options(struct kunit *test)
{
	static const u8 opts[40] = {
		IPOPT_NOOP,
		IPOPT_SEC, 4, 0xaa, 0xbb,			/* 1..4 */
		IPOPT_RR, 7, 4, 10, 0, 0, 1,			/* 5..11 */
		IPOPT_RA, 4, 0, 0,				/* 12..15 */
		IPOPT_LSRR, 11, 4, 10, 1, 1, 1, 10, 9, 9, 9,	/* 16..26 */
		IPOPT_NOOP,					/* 27 */
		IPOPT_END, 0x77, 0x77, 0x77,			/* 28.. */
	};
	struct {
		struct iphdr iph;
		u8 opt[40];
	} __packed h;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		bool out = !i;

		ah_fill_iph(&h.iph, 15);
		memcpy(h.opt, opts, sizeof(opts));
		KUNIT_ASSERT_EQ(test, nipsec_ah_clear_mutable4(&h.iph, out), 0);
		KUNIT_EXPECT_EQ(test, h.opt[0], IPOPT_NOOP);
		KUNIT_EXPECT_MEMEQ(test, &h.opt[1], &opts[1], 4);
		KUNIT_EXPECT_TRUE(test, !memchr_inv(&h.opt[5], 0, 7));
		KUNIT_EXPECT_MEMEQ(test, &h.opt[12], &opts[12], 4);
		KUNIT_EXPECT_TRUE(test, !memchr_inv(&h.opt[16], 0, 11));
		KUNIT_EXPECT_EQ(test, h.opt[27], IPOPT_NOOP);
		/* nothing after EOL is looked at */
		KUNIT_EXPECT_MEMEQ(test, &h.opt[28], &opts[28], 12);
		KUNIT_EXPECT_EQ(test, ntohl(h.iph.daddr),
				out ? 0x0a090909 : 0xc0000202);
	}
}

static void ah_mutable4_malformed(struct kunit *test)
{
	struct {
		struct iphdr iph;
		u8 opt[8];
	} __packed h;

	/* a length past the header */
	ah_fill_iph(&h.iph, 7);
	memset(h.opt, IPOPT_NOOP, sizeof(h.opt));
	h.opt[4] = IPOPT_RR;
	h.opt[5] = 9;
	KUNIT_EXPECT_EQ(test, nipsec_ah_clear_mutable4(&h.iph, false), -EINVAL);
	/* a length below 2 */
	ah_fill_iph(&h.iph, 7);
	memset(h.opt, IPOPT_NOOP, sizeof(h.opt));
	h.opt[0] = IPOPT_TIMESTAMP;
	h.opt[1] = 1;
	KUNIT_EXPECT_EQ(test, nipsec_ah_clear_mutable4(&h.iph, false), -EINVAL);
	/* a type byte with no room for its length */
	ah_fill_iph(&h.iph, 7);
	memset(h.opt, IPOPT_NOOP, sizeof(h.opt));
	h.opt[7] = IPOPT_RR;
	KUNIT_EXPECT_EQ(test, nipsec_ah_clear_mutable4(&h.iph, false), -EINVAL);
	/* a source route without an address */
	ah_fill_iph(&h.iph, 7);
	memset(h.opt, IPOPT_NOOP, sizeof(h.opt));
	h.opt[0] = IPOPT_SSRR;
	h.opt[1] = 3;
	h.opt[2] = 4;
	KUNIT_EXPECT_EQ(test, nipsec_ah_clear_mutable4(&h.iph, true), -EINVAL);
}

static void ah_fill_ip6h(struct ipv6hdr *ip6h, u8 nexthdr)
{
	ip6h->version = 6;
	ip6h->priority = 0xb;
	ip6h->flow_lbl[0] = 0x81;
	ip6h->flow_lbl[1] = 0x23;
	ip6h->flow_lbl[2] = 0x45;
	ip6h->payload_len = htons(1000);
	ip6h->nexthdr = nexthdr;
	ip6h->hop_limit = 64;
	ipv6_addr_set(&ip6h->saddr, htonl(0x20010db8), 0, 0, htonl(1));
	ipv6_addr_set(&ip6h->daddr, htonl(0x20010db8), 0, 0, htonl(2));
}

/* Traffic class, flow label, hop limit zeroed; version and the rest kept. */
static void ah_mutable6_fields(struct kunit *test)
{
	static const u8 want[8] = { 0x60, 0, 0, 0, 0x03, 0xe8, IPPROTO_AH, 0 };
	struct ipv6hdr ip6h;

	ah_fill_ip6h(&ip6h, IPPROTO_AH);
	KUNIT_ASSERT_EQ(test, nipsec_ah_clear_mutable6(&ip6h, sizeof(ip6h)), 0);
	KUNIT_EXPECT_MEMEQ(test, &ip6h, want, sizeof(want));
	KUNIT_EXPECT_EQ(test, ntohl(ip6h.daddr.s6_addr32[3]), 2);
	KUNIT_EXPECT_EQ(test, ntohl(ip6h.saddr.s6_addr32[3]), 1);
}

/*
 * Hop-by-hop options: an option whose type has bit 0x20 ("may change en
 * route") has its data zeroed, type and length kept; others untouched,
 * Pad1 and PadN included. Then a destination options header the same way.
 */
static void ah_mutable6_options(struct kunit *test)
{
	static const u8 hbh[16] = {
		NEXTHDR_DEST, 1,
		IPV6_TLV_PAD1,
		0x3e, 3, 0x11, 0x22, 0x33,	/* mutable (0x20) */
		0x1e, 2, 0x44, 0x55,		/* immutable */
		IPV6_TLV_PADN, 2, 0, 0,
	};
	static const u8 dst[8] = {
		IPPROTO_AH, 0,
		0xff, 4, 1, 2, 3, 4,		/* 0xff has 0x20 */
	};
	struct {
		struct ipv6hdr ip6h;
		u8 hbh[16];
		u8 dst[8];
	} __packed h;

	ah_fill_ip6h(&h.ip6h, NEXTHDR_HOP);
	memcpy(h.hbh, hbh, sizeof(hbh));
	memcpy(h.dst, dst, sizeof(dst));
	KUNIT_ASSERT_EQ(test, nipsec_ah_clear_mutable6(&h.ip6h, sizeof(h)), 0);
	KUNIT_EXPECT_MEMEQ(test, h.hbh, hbh, 5);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(&h.hbh[5], 0, 3));
	KUNIT_EXPECT_MEMEQ(test, &h.hbh[8], &hbh[8], 8);
	KUNIT_EXPECT_MEMEQ(test, h.dst, dst, 4);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(&h.dst[4], 0, 4));

	/* an option running past its header */
	ah_fill_ip6h(&h.ip6h, NEXTHDR_HOP);
	memcpy(h.hbh, hbh, sizeof(hbh));
	h.hbh[13] = 3;
	KUNIT_EXPECT_EQ(test, nipsec_ah_clear_mutable6(&h.ip6h, sizeof(h)), -EINVAL);
	/* a header running past the AH offset */
	ah_fill_ip6h(&h.ip6h, NEXTHDR_HOP);
	memcpy(h.hbh, hbh, sizeof(hbh));
	h.hbh[1] = 3;
	KUNIT_EXPECT_EQ(test, nipsec_ah_clear_mutable6(&h.ip6h, sizeof(h)), -EINVAL);
}

/*
 * A routing header (type 0 layout) sent to the first of three hops, A1,
 * with A2, A3 and the final destination F left: the ICV is computed as F
 * will receive it: destination F, list A1 A2 A3, segments left 0.
 */
static void ah_mutable6_rthdr(struct kunit *test)
{
	struct {
		struct ipv6hdr ip6h;
		struct ipv6_rt_hdr rt;
		u32 reserved;
		struct in6_addr addr[4];
	} __packed h;
	struct in6_addr a[5];
	unsigned int i;

	for (i = 0; i < 5; i++)
		ipv6_addr_set(&a[i], htonl(0x20010db8), 0, htonl(0xa), htonl(i));
	/* a[0] = A1 (current destination), a[1..3] = A2, A3, F */

	ah_fill_ip6h(&h.ip6h, NEXTHDR_ROUTING);
	h.ip6h.daddr = a[0];
	h.rt.nexthdr = IPPROTO_AH;
	h.rt.hdrlen = 6;
	h.rt.type = 0;
	h.rt.segments_left = 3;
	h.reserved = 0;
	h.addr[0] = a[1];
	h.addr[1] = a[2];
	h.addr[2] = a[3];
	KUNIT_ASSERT_EQ(test, nipsec_ah_clear_mutable6(&h.ip6h, 40 + 56), 0);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&h.ip6h.daddr, &a[3]));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&h.addr[0], &a[0]));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&h.addr[1], &a[1]));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&h.addr[2], &a[2]));
	KUNIT_EXPECT_EQ(test, h.rt.segments_left, 0);

	/* half way: A1 visited, now at A2 with A3, F left */
	ah_fill_ip6h(&h.ip6h, NEXTHDR_ROUTING);
	h.ip6h.daddr = a[1];
	h.rt.segments_left = 2;
	h.addr[0] = a[0];
	h.addr[1] = a[2];
	h.addr[2] = a[3];
	KUNIT_ASSERT_EQ(test, nipsec_ah_clear_mutable6(&h.ip6h, 40 + 56), 0);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&h.ip6h.daddr, &a[3]));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&h.addr[0], &a[0]));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&h.addr[1], &a[1]));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&h.addr[2], &a[2]));

	/* at the final destination nothing moves */
	KUNIT_ASSERT_EQ(test, nipsec_ah_clear_mutable6(&h.ip6h, 40 + 56), 0);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&h.ip6h.daddr, &a[3]));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&h.addr[2], &a[2]));

	/* more segments left than addresses */
	h.rt.segments_left = 4;
	KUNIT_EXPECT_EQ(test, nipsec_ah_clear_mutable6(&h.ip6h, 40 + 56), -EINVAL);
}

/* 12 bytes + ICV, 8-byte aligned out; IPv4 in also takes 4-byte aligned. */
static void ah_header_len(struct kunit *test)
{
	static const struct {
		unsigned int icv, len8, len4;
	} t[] = {
		{ 12, 24, 24 },		/* hmac(sha1), cmac/xcbc(aes) 96 */
		{ 16, 32, 28 },		/* hmac(sha256) 128 */
		{ 24, 40, 36 },		/* hmac(sha384) 192 */
		{ 32, 48, 44 },		/* hmac(sha512) 256 */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		KUNIT_EXPECT_EQ(test, nipsec_ah_len(t[i].icv), t[i].len8);
		KUNIT_EXPECT_TRUE(test, nipsec_ah_len_ok(t[i].len8, t[i].icv, AF_INET));
		KUNIT_EXPECT_TRUE(test, nipsec_ah_len_ok(t[i].len8, t[i].icv, AF_INET6));
		KUNIT_EXPECT_TRUE(test, nipsec_ah_len_ok(t[i].len4, t[i].icv, AF_INET));
		KUNIT_EXPECT_EQ(test, nipsec_ah_len_ok(t[i].len4, t[i].icv, AF_INET6),
				t[i].len4 == t[i].len8);
		KUNIT_EXPECT_FALSE(test, nipsec_ah_len_ok(t[i].len8 + 4, t[i].icv, AF_INET));
		KUNIT_EXPECT_FALSE(test, nipsec_ah_len_ok(t[i].len8 + 8, t[i].icv, AF_INET6));
		KUNIT_EXPECT_FALSE(test, nipsec_ah_len_ok(12, t[i].icv, AF_INET));
	}
}

static void ah_max_inner(struct kunit *test)
{
	struct nipsec_sa *sa = kunit_kzalloc(test, sizeof(*sa), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sa);
	sa->icvlen = 16;
	KUNIT_EXPECT_EQ(test, nipsec_ah_max_inner(sa, 1500, 0, 0), 1500 - 32);
	KUNIT_EXPECT_EQ(test, nipsec_ah_max_inner(sa, 1500, 20, 0), 1500 - 52);
	KUNIT_EXPECT_EQ(test, nipsec_ah_max_inner(sa, 1280, 40, 0), 1280 - 72);
	KUNIT_EXPECT_EQ(test, nipsec_ah_max_inner(sa, 52, 20, 0), 0);
	sa->icvlen = 12;
	KUNIT_EXPECT_EQ(test, nipsec_ah_max_inner(sa, 1500, 0, 0), 1500 - 24);
}

/*
 * nipsec_crypto_init_sa() for AH: each algorithm (ip xfrm names, RFC key
 * lengths) gives an ahash with the truncation asked for, or the default;
 * what is not an integrity algorithm is refused.
 */
static void ah_crypto_init(struct kunit *test)
{
	static const u8 key[64] = { 0x0b, 0x0b, 0x0b, 0x0b };
	static const struct {
		const char *name;
		unsigned int keylen, bits, icvlen;
	} t[] = {
		{ "hmac(sha1)", 20, 0, 12 },
		{ "hmac(sha256)", 32, 0, 16 },
		{ "hmac(sha256)", 32, 96, 12 },
		{ "hmac(sha384)", 48, 0, 24 },
		{ "hmac(sha512)", 64, 0, 32 },
		{ "cmac(aes)", 16, 0, 12 },
		{ "xcbc(aes)", 16, 96, 12 },
	};
	struct nipsec_alg_cfg cfg;
	struct nipsec_sa *sa;
	unsigned int i;
	int err;

	sa = kunit_kzalloc(test, sizeof(*sa), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sa);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		memset(sa, 0, sizeof(*sa));
		memset(&cfg, 0, sizeof(cfg));
		cfg.auth_name = t[i].name;
		cfg.auth_key = key;
		cfg.auth_keylen = t[i].keylen;
		cfg.auth_trunc_bits = t[i].bits;
		err = nipsec_crypto_init_sa(sa, IPPROTO_AH, &cfg, NULL);
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s", t[i].name);
		if (!err) {
			KUNIT_EXPECT_NOT_NULL(test, sa->ahash);
			KUNIT_EXPECT_NULL(test, sa->aead);
			KUNIT_EXPECT_EQ_MSG(test, sa->icvlen, t[i].icvlen, "%s", t[i].name);
			KUNIT_EXPECT_EQ(test, sa->auth_trunc_bits, t[i].icvlen * 8);
			KUNIT_EXPECT_STREQ(test, sa->auth_name, t[i].name);
		}
		nipsec_crypto_free_sa(sa);
		KUNIT_EXPECT_NULL(test, sa->ahash);
	}

	/* an AEAD, a cipher, a wrong key length, a truncation not allowed */
	memset(sa, 0, sizeof(*sa));
	memset(&cfg, 0, sizeof(cfg));
	cfg.aead_name = "rfc4106(gcm(aes))";
	cfg.aead_key = key;
	cfg.aead_keylen = 20;
	KUNIT_EXPECT_EQ(test, nipsec_crypto_init_sa(sa, IPPROTO_AH, &cfg, NULL), -EINVAL);
	nipsec_crypto_free_sa(sa);
	memset(&cfg, 0, sizeof(cfg));
	cfg.enc_name = "cbc(aes)";
	cfg.enc_key = key;
	cfg.enc_keylen = 16;
	cfg.auth_name = "hmac(sha1)";
	cfg.auth_key = key;
	cfg.auth_keylen = 20;
	KUNIT_EXPECT_EQ(test, nipsec_crypto_init_sa(sa, IPPROTO_AH, &cfg, NULL), -EINVAL);
	nipsec_crypto_free_sa(sa);
	memset(&cfg, 0, sizeof(cfg));
	cfg.auth_name = "cmac(aes)";
	cfg.auth_key = key;
	cfg.auth_keylen = 32;
	KUNIT_EXPECT_EQ(test, nipsec_crypto_init_sa(sa, IPPROTO_AH, &cfg, NULL), -EINVAL);
	nipsec_crypto_free_sa(sa);
	cfg.auth_keylen = 16;
	cfg.auth_trunc_bits = 100;
	KUNIT_EXPECT_EQ(test, nipsec_crypto_init_sa(sa, IPPROTO_AH, &cfg, NULL), -EINVAL);
	nipsec_crypto_free_sa(sa);
	memset(&cfg, 0, sizeof(cfg));
	KUNIT_EXPECT_EQ(test, nipsec_crypto_init_sa(sa, IPPROTO_AH, &cfg, NULL), -EINVAL);
	nipsec_crypto_free_sa(sa);
}

static struct kunit_case nipsec_ah_cases[] = {
	KUNIT_CASE(ah_mutable4_fields),
	KUNIT_CASE(ah_mutable4_options),
	KUNIT_CASE(ah_mutable4_malformed),
	KUNIT_CASE(ah_mutable6_fields),
	KUNIT_CASE(ah_mutable6_options),
	KUNIT_CASE(ah_mutable6_rthdr),
	KUNIT_CASE(ah_header_len),
	KUNIT_CASE(ah_max_inner),
	KUNIT_CASE_SLOW(ah_crypto_init),	/* allocates seven transforms */
	{}
};

static struct kunit_suite nipsec_ah_suite = {
	.name = "nipsec_ah",
	.test_cases = nipsec_ah_cases,
};

kunit_test_suite(nipsec_ah_suite);
