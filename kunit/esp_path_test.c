// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: esp.c's own output and input, not the crypto API beside them.
 *
 * The published vectors of esp_vectors.h go through the ESP transform the
 * hooks call (nipsec_esp_xform): an IPv4 packet carrying the vector's
 * plaintext leaves nipsec_esp_output() as the document's ESP packet, byte
 * for byte, and the document's packet, laid out linear, in page frags or
 * on a frag list, leaves nipsec_esp_input() as the plaintext.  The send
 * and receive tails (nipsec_out_finish(), nipsec_in_finish()) are KUnit
 * static stubs here that keep what reaches them.
 *
 * Then packets whose ICV is valid but whose trailer is not, encrypted here
 * with the crypto API from RFC 4303's layout (not by esp.c): the padding
 * check must run on the path packets take, over every skb layout, and
 * each refusal must be counted under its reason.
 */
#include <kunit/test.h>
#include <kunit/static_stub.h>
#include <crypto/aead.h>
#include <linux/ip.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <net/dst_metadata.h>
#include <net/ip.h>

#include "nipsec.h"
#include "crypto.h"
#include "esp.h"
#include "hooks.h"
#include "replay.h"
#include "sa.h"
#include "stats.h"
#include "xform.h"
#include "esp_vectors.h"

#define EP_HLEN		20	/* the IPv4 header transport mode keeps */
#define EP_ESP_HLEN	8
#define EP_IVLEN	8
#define EP_ICVLEN	16
#define EP_ROOM		128	/* headroom, as a device would leave */

/* What reached the tails; one packet at a time. */
struct ep_seen {
	struct sk_buff *skb;
	unsigned int out, in;
	u8 nexthdr;
};

static void ep_keep(struct sk_buff *skb)
{
	struct ep_seen *seen = kunit_get_current_test()->priv;

	kfree_skb(seen->skb);
	seen->skb = skb;
}

static void ep_out_finish(struct sk_buff *skb, struct nipsec_sa *sa)
{
	struct ep_seen *seen = kunit_get_current_test()->priv;

	seen->out++;
	ep_keep(skb);
}

static void ep_in_finish(struct sk_buff *skb, struct nipsec_sa *sa, u8 nexthdr)
{
	struct ep_seen *seen = kunit_get_current_test()->priv;

	seen->in++;
	seen->nexthdr = nexthdr;
	ep_keep(skb);
}

static int ep_init(struct kunit *test)
{
	struct ep_seen *seen = kunit_kzalloc(test, sizeof(*seen), GFP_KERNEL);

	if (!seen)
		return -ENOMEM;
	test->priv = seen;
	kunit_activate_static_stub(test, nipsec_out_finish, ep_out_finish);
	kunit_activate_static_stub(test, nipsec_in_finish, ep_in_finish);
	return 0;
}

static void ep_exit(struct kunit *test)
{
	struct ep_seen *seen = test->priv;

	kfree_skb(seen->skb);
}

/* A namespace's state, as far as the transforms touch it. */
struct ep_env {
	struct nipsec_net nn;
	struct nipsec_sa *sa;
};

static void ep_env_free(struct ep_env *env)
{
	struct nipsec_sa *sa = env->sa;

	if (sa) {
		nipsec_crypto_free_sa(sa);
		nipsec_replay_free(&sa->replay);
		free_percpu(sa->stats);
		kfree(sa);
	}
	free_percpu(env->nn.stats);
	free_percpu(env->nn.inflight);
}

/* A transport-mode IPv4 SA with the vector's key, SPI and sequence. */
static struct ep_env *ep_env(struct kunit *test, const struct esp_vector *v)
{
	struct nipsec_alg_cfg cfg = {
		.aead_name = v->alg,
		.aead_key = v->key,
		.aead_keylen = v->keylen,
		.icv_bits = EP_ICVLEN * 8,
	};
	struct ep_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);
	struct nipsec_sa *sa;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, env);
	env->nn.net = &init_net;
	mutex_init(&env->nn.lock);
	env->nn.stats = alloc_percpu(struct nipsec_stats);
	env->nn.inflight = alloc_percpu(int);
	sa = kzalloc(sizeof(*sa), GFP_KERNEL);
	env->sa = sa;
	if (!env->nn.stats || !env->nn.inflight || !sa) {
		ep_env_free(env);
		KUNIT_FAIL_AND_ABORT(test, "out of memory");
	}
	sa->stats = alloc_percpu(struct nipsec_stats);
	sa->nn = &env->nn;
	refcount_set(&sa->refcnt, 1);	/* ours: the transforms take more */
	spin_lock_init(&sa->lock);
	sa->state = NIPSEC_SA_STATE_MATURE;
	sa->mode = NIPSEC_MODE_TRANSPORT;
	sa->esn = v->esn;
	sa->key.spi = cpu_to_be32(v->spi);
	sa->key.family = AF_INET;
	sa->key.proto = IPPROTO_ESP;
	err = sa->stats ? nipsec_crypto_init_sa(sa, IPPROTO_ESP, &cfg, NULL) :
			  -ENOMEM;
	if (!err)
		err = nipsec_replay_init(&sa->replay, 64, v->esn);
	if (err) {
		ep_env_free(env);
		KUNIT_ASSERT_EQ_MSG(test, err, 0, "SA for %s", v->alg);
	}
	KUNIT_EXPECT_PTR_EQ(test, sa->xform, &nipsec_esp_xform);
	KUNIT_EXPECT_EQ(test, sa->ivlen, EP_IVLEN);
	KUNIT_EXPECT_EQ(test, sa->icvlen, EP_ICVLEN);
	/* the next packet is the vector's: sent, and expected in order */
	atomic64_set(&sa->oseq, v->seq - 1);
	sa->replay.top = v->seq - 1;
	return env;
}

static u64 ep_stat(const struct nipsec_sa *sa, enum nipsec_stat reason)
{
	u64 n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += per_cpu_ptr(sa->stats, cpu)->cnt[reason];
	return n;
}

/* An IPv4 header in front of @len bytes that @proto names. */
static void ep_iph(u8 *p, unsigned int len, u8 proto)
{
	struct iphdr *iph = (struct iphdr *)p;

	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->tot_len = htons(EP_HLEN + len);
	iph->protocol = proto;
	iph->saddr = htonl(0xc0000201);
	iph->daddr = htonl(0xc0000202);
	ip_send_check(iph);
}

/*
 * Where the bytes of a packet lie: the first @head in the skb's head, the
 * rest in page frags (split at @split if it falls inside them) or, with
 * @fraglist, in a second skb on the frag list.
 */
struct ep_layout {
	const char *name;
	unsigned int head;	/* from the IP header; 0 = all */
	int split;		/* second frag from here; < 0: from the end */
	bool fraglist;
};

static const struct ep_layout ep_layouts[] = {
	{ "linear" },
	{ "header in head, rest one frag", EP_HLEN + EP_ESP_HLEN },
	{ "IV in head, frags split in the payload", EP_HLEN + 16, 40 },
	{ "frags split at the trailer", EP_HLEN + 16, -(EP_ICVLEN + 2) },
	{ "frags split at the last pad byte", EP_HLEN + 16, -(EP_ICVLEN + 3) },
	{ "frag list from the ICV", EP_HLEN + 16, -EP_ICVLEN, true },
	{ "frag list from the payload", EP_HLEN + EP_ESP_HLEN + EP_IVLEN + 1,
	  0, true },
};

static void ep_add_frag(struct kunit *test, struct sk_buff *skb,
			const u8 *p, unsigned int n)
{
	struct page *page;

	if (!n)
		return;
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	memcpy(page_address(page), p, n);
	skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, 0, n, PAGE_SIZE);
}

static struct sk_buff *ep_skb(struct kunit *test, const u8 *flat,
			      unsigned int len, const struct ep_layout *l)
{
	unsigned int head = l->head && l->head < len ? l->head : len;
	unsigned int split = len;
	struct metadata_dst *md;
	struct sk_buff *skb;

	skb = alloc_skb(EP_ROOM + head, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, EP_ROOM);
	skb_put_data(skb, flat, head);
	skb_reset_network_header(skb);
	skb->protocol = htons(ETH_P_IP);
	if (l->split > 0)
		split = l->split;
	else if (l->split < 0 && len > (unsigned int)-l->split)
		split = len + l->split;
	split = clamp(split, head, len);
	if (l->fraglist && head < len) {
		struct sk_buff *tail = alloc_skb(len - head, GFP_KERNEL);

		if (!tail)
			kfree_skb(skb);
		KUNIT_ASSERT_NOT_NULL(test, tail);
		skb_put_data(tail, flat + head, len - head);
		skb_shinfo(skb)->frag_list = tail;
		skb->len += tail->len;
		skb->data_len += tail->len;
		skb->truesize += tail->truesize;
	} else {
		ep_add_frag(test, skb, flat + head, split - head);
		ep_add_frag(test, skb, flat + split, len - split);
	}
	/* a route, as the hooks' packets have: the transforms hold it */
	md = metadata_dst_alloc(0, METADATA_IP_TUNNEL, GFP_KERNEL);
	if (!md)
		kfree_skb(skb);
	KUNIT_ASSERT_NOT_NULL(test, md);
	skb_dst_set(skb, &md->dst);
	return skb;
}

/* Run the transform as the hooks do: in an RCU read section, BH off. */
static void ep_output(struct nipsec_sa *sa, struct sk_buff *skb)
{
	rcu_read_lock();
	local_bh_disable();
	sa->xform->output(sa, skb, EP_HLEN, offsetof(struct iphdr, protocol));
	local_bh_enable();
	rcu_read_unlock();
}

static void ep_input(struct nipsec_sa *sa, struct sk_buff *skb)
{
	rcu_read_lock();
	local_bh_disable();
	sa->xform->input(sa, skb, EP_HLEN, offsetof(struct iphdr, protocol),
			 NULL);
	local_bh_enable();
	rcu_read_unlock();
}

/* The vector's payload and next header: its plaintext less the trailer. */
static unsigned int ep_plen(const struct esp_vector *v, u8 *nexthdr)
{
	*nexthdr = v->data[v->datalen - 1];
	return v->datalen - 2 - v->data[v->datalen - 2];
}

static void ep_vector_desc(const struct esp_vector *v, char *desc)
{
	strscpy(desc, v->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ep_vector, esp_vectors, ep_vector_desc);

/*
 * The vector's plaintext, sent: esp.c pads it (the documents use the
 * default padding), numbers it, derives the IV from the sequence number and
 * the SA's salt, and must produce the document's ESP packet.  The salt is
 * set so that the IV is the document's; the sequence number is the
 * document's.  Once with the payload in the head, once in a page frag.
 */
static void esp_output_is_the_vector(struct kunit *test)
{
	const struct esp_vector *v = test->param_value;
	struct ep_seen *seen = test->priv;
	unsigned int plen, i;
	struct sk_buff *skb;
	struct ep_env *env;
	u8 nexthdr, *flat, *got;
	__be64 iv;

	KUNIT_ASSERT_EQ(test, v->packetlen,
			EP_ESP_HLEN + EP_IVLEN + v->datalen + EP_ICVLEN);
	plen = ep_plen(v, &nexthdr);
	flat = kunit_kzalloc(test, EP_HLEN + plen, GFP_KERNEL);
	got = kunit_kzalloc(test, v->packetlen, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, flat);
	KUNIT_ASSERT_NOT_NULL(test, got);
	ep_iph(flat, plen, nexthdr);
	memcpy(flat + EP_HLEN, v->data, plen);

	for (i = 0; i < 2; i++) {
		const struct ep_layout l = { "", i ? EP_HLEN : 0 };

		env = ep_env(test, v);
		KUNIT_EXPECT_TRUE(test, env->sa->alg_flags &
				  NIPSEC_ALGF_COUNTER_IV);
		memcpy(&iv, v->iv, sizeof(iv));
		env->sa->iv_salt = cpu_to_be64(v->seq) ^ iv;
		skb = ep_skb(test, flat, EP_HLEN + plen, &l);
		seen->out = 0;
		ep_output(env->sa, skb);
		KUNIT_EXPECT_EQ_MSG(test, seen->out, 1, "layout %u", i);
		if (seen->out == 1) {
			skb = seen->skb;
			KUNIT_EXPECT_EQ(test, skb->len, EP_HLEN + v->packetlen);
			KUNIT_EXPECT_EQ(test, skb->data[9], IPPROTO_ESP);
			memset(got, 0, v->packetlen);
			KUNIT_EXPECT_EQ(test, skb_copy_bits(skb, EP_HLEN, got,
							    v->packetlen), 0);
			KUNIT_EXPECT_MEMEQ_MSG(test, got, v->packet,
					       v->packetlen, "layout %u", i);
		}
		/* the number is used; the next packet gets the next one */
		KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&env->sa->oseq),
				v->seq);
		KUNIT_EXPECT_EQ(test, ep_stat(env->sa, NIPSEC_STAT_TX_PACKETS),
				1);
		KUNIT_EXPECT_EQ(test, refcount_read(&env->sa->refcnt), 1);
		ep_env_free(env);
	}
}

/* The document's packet, received over every layout, is its plaintext. */
static void esp_input_is_the_plaintext(struct kunit *test)
{
	const struct esp_vector *v = test->param_value;
	unsigned int len = EP_HLEN + v->packetlen, plen, i;
	struct ep_seen *seen = test->priv;
	struct sk_buff *skb;
	struct ep_env *env;
	u8 nexthdr, *flat, *got;

	plen = ep_plen(v, &nexthdr);
	flat = kunit_kzalloc(test, len, GFP_KERNEL);
	got = kunit_kzalloc(test, v->datalen + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, flat);
	KUNIT_ASSERT_NOT_NULL(test, got);
	ep_iph(flat, v->packetlen, IPPROTO_ESP);
	memcpy(flat + EP_HLEN, v->packet, v->packetlen);

	for (i = 0; i < ARRAY_SIZE(ep_layouts); i++) {
		const struct ep_layout *l = &ep_layouts[i];

		env = ep_env(test, v);
		seen->in = 0;
		ep_input(env->sa, ep_skb(test, flat, len, l));
		KUNIT_EXPECT_EQ_MSG(test, seen->in, 1, "%s", l->name);
		if (seen->in == 1) {
			skb = seen->skb;
			KUNIT_EXPECT_EQ_MSG(test, skb->len, EP_HLEN + plen,
					    "%s", l->name);
			KUNIT_EXPECT_EQ(test, seen->nexthdr, nexthdr);
			KUNIT_EXPECT_EQ(test, skb->data[9], nexthdr);
			/* the stack checks the length and checksum next */
			KUNIT_EXPECT_EQ(test, ntohs(ip_hdr(skb)->tot_len),
					EP_HLEN + plen);
			KUNIT_EXPECT_EQ(test, (__force u16)ip_fast_csum(skb->data, 5), 0);
			KUNIT_EXPECT_EQ(test, skb_copy_bits(skb, EP_HLEN, got,
							    plen), 0);
			KUNIT_EXPECT_MEMEQ_MSG(test, got, v->data, plen, "%s",
					       l->name);
		}
		/* accepted: the window moved to it, the packet counted */
		KUNIT_EXPECT_EQ(test, env->sa->replay.top, v->seq);
		KUNIT_EXPECT_EQ(test, ep_stat(env->sa, NIPSEC_STAT_RX_PACKETS),
				1);
		/* the same packet again is a replay, counted as one */
		seen->in = 0;
		ep_input(env->sa, ep_skb(test, flat, len, l));
		KUNIT_EXPECT_EQ(test, seen->in, 0);
		KUNIT_EXPECT_EQ(test, ep_stat(env->sa, NIPSEC_DROP_REPLAY), 1);
		KUNIT_EXPECT_EQ(test, refcount_read(&env->sa->refcnt), 1);
		ep_env_free(env);
	}
}

/*
 * A packet the test encrypts itself (RFC 4303 2, RFC 4106 5: the AAD is
 * SPI | sequence number, the IV follows it): @pt is the whole plaintext,
 * trailer included, so the trailer can be wrong under a valid ICV.
 * Returns the IPv4 packet in @flat, @len bytes.
 */
static unsigned int ep_seal(struct kunit *test, struct nipsec_sa *sa, u32 seq,
			    const u8 *pt, unsigned int ptlen, u8 *flat)
{
	u8 *esp = flat + EP_HLEN, iv[EP_IVLEN];
	unsigned int len = EP_ESP_HLEN + EP_IVLEN + ptlen + EP_ICVLEN;
	DECLARE_CRYPTO_WAIT(wait);
	struct aead_request *req;
	struct scatterlist sg;
	int err;

	ep_iph(flat, len, IPPROTO_ESP);
	put_unaligned_be32(be32_to_cpu(sa->key.spi), esp);
	put_unaligned_be32(seq, esp + 4);
	get_random_bytes(iv, sizeof(iv));
	memcpy(esp + EP_ESP_HLEN, iv, sizeof(iv));
	memcpy(esp + EP_ESP_HLEN + EP_IVLEN, pt, ptlen);
	req = aead_request_alloc(sa->aead, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, req);
	sg_init_one(&sg, esp, len);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done,
				  &wait);
	aead_request_set_ad(req, EP_ESP_HLEN + EP_IVLEN);
	aead_request_set_crypt(req, &sg, &sg, ptlen, iv);
	err = crypto_wait_req(crypto_aead_encrypt(req), &wait);
	aead_request_free(req);
	KUNIT_ASSERT_EQ(test, err, 0);
	return EP_HLEN + len;
}

/* One trailer defect, and the reason it must be dropped for (0: none). */
struct ep_trailer_case {
	const char *name;
	unsigned int plen, padlen;
	int flip;		/* pad byte to change, -1: none */
	int padlen_byte;	/* what the pad length byte says, -1: padlen */
	u8 nexthdr;
	enum nipsec_stat drop;
};

static const struct ep_trailer_case ep_trailer_cases[] = {
	{ "255 pad bytes", 40, 255, -1, -1, IPPROTO_UDP, 0 },
	{ "no padding", 2, 0, -1, -1, IPPROTO_UDP, 0 },
	{ "first pad byte wrong", 40, 255, 0, -1, IPPROTO_UDP,
	  NIPSEC_DROP_BAD_PADDING },
	{ "pad byte 32 wrong (second piece)", 40, 255, 32, -1, IPPROTO_UDP,
	  NIPSEC_DROP_BAD_PADDING },
	{ "last pad byte wrong", 40, 255, 254, -1, IPPROTO_UDP,
	  NIPSEC_DROP_BAD_PADDING },
	{ "one wrong of 3", 41, 3, 1, -1, IPPROTO_UDP,
	  NIPSEC_DROP_BAD_PADDING },
	{ "pad length beyond the payload", 0, 6, -1, 200, IPPROTO_UDP,
	  NIPSEC_DROP_BAD_PADDING },
	{ "dummy packet (next header 59)", 40, 2, -1, -1, IPPROTO_NONE,
	  NIPSEC_DROP_PROTO },
};

/*
 * Valid ICV, chosen trailer, every layout: a good trailer is delivered
 * without it, a bad one is dropped and counted under its reason alone; the
 * window moves either way (the packet was authentic).
 */
static void esp_input_checks_trailer(struct kunit *test)
{
	static const enum nipsec_stat watched[] = {
		NIPSEC_DROP_BAD_PADDING, NIPSEC_DROP_PROTO, NIPSEC_DROP_AUTH,
		NIPSEC_DROP_TRUNCATED, NIPSEC_DROP_REPLAY, NIPSEC_DROP_NOMEM,
	};
	const struct esp_vector *v = &esp_vectors[1];
	struct ep_seen *seen = test->priv;
	unsigned int c, i, w, len, ptlen;
	struct ep_env *env;
	u8 *pt, *flat, *got;
	u32 seq = 1;

	KUNIT_ASSERT_FALSE(test, v->esn);
	pt = kunit_kzalloc(test, 512, GFP_KERNEL);
	flat = kunit_kzalloc(test, 640, GFP_KERNEL);
	got = kunit_kzalloc(test, 512, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pt);
	KUNIT_ASSERT_NOT_NULL(test, flat);
	KUNIT_ASSERT_NOT_NULL(test, got);
	env = ep_env(test, v);
	env->sa->replay.top = 0;

	for (c = 0; c < ARRAY_SIZE(ep_trailer_cases); c++) {
		const struct ep_trailer_case *tc = &ep_trailer_cases[c];

		ptlen = tc->plen + tc->padlen + 2;
		memset(pt, 0x5a, tc->plen);
		nipsec_esp_fill_trailer(pt + tc->plen, tc->padlen, tc->nexthdr);
		if (tc->flip >= 0)
			pt[tc->plen + tc->flip] ^= 0x40;
		if (tc->padlen_byte >= 0)
			pt[ptlen - 2] = tc->padlen_byte;
		for (i = 0; i < ARRAY_SIZE(ep_layouts); i++) {
			const struct ep_layout *l = &ep_layouts[i];
			u64 before[ARRAY_SIZE(watched)];

			for (w = 0; w < ARRAY_SIZE(watched); w++)
				before[w] = ep_stat(env->sa, watched[w]);
			len = ep_seal(test, env->sa, seq, pt, ptlen, flat);
			seen->in = 0;
			ep_input(env->sa, ep_skb(test, flat, len, l));
			KUNIT_EXPECT_EQ_MSG(test, env->sa->replay.top, seq,
					    "%s, %s", tc->name, l->name);
			seq++;
			for (w = 0; w < ARRAY_SIZE(watched); w++)
				KUNIT_EXPECT_EQ_MSG(test,
						    ep_stat(env->sa, watched[w]),
						    before[w] + (watched[w] == tc->drop),
						    "%s, %s: counter %u", tc->name,
						    l->name, watched[w]);
			KUNIT_EXPECT_EQ_MSG(test, seen->in, tc->drop ? 0 : 1,
					    "%s, %s", tc->name, l->name);
			if (tc->drop || seen->in != 1)
				continue;
			KUNIT_EXPECT_EQ(test, seen->skb->len, EP_HLEN + tc->plen);
			KUNIT_EXPECT_EQ(test, seen->nexthdr, tc->nexthdr);
			KUNIT_EXPECT_EQ(test, skb_copy_bits(seen->skb, EP_HLEN, got,
							    tc->plen), 0);
			KUNIT_EXPECT_MEMEQ(test, got, pt, tc->plen);
		}
	}
	/* and a valid trailer under a flipped ICV: auth, before the trailer */
	ptlen = 40 + 2 + 2;
	memset(pt, 0x5a, 40);
	nipsec_esp_fill_trailer(pt + 40, 2, IPPROTO_UDP);
	len = ep_seal(test, env->sa, seq, pt, ptlen, flat);
	flat[len - 1] ^= 1;
	seen->in = 0;
	ep_input(env->sa, ep_skb(test, flat, len, &ep_layouts[3]));
	KUNIT_EXPECT_EQ(test, seen->in, 0);
	KUNIT_EXPECT_EQ(test, ep_stat(env->sa, NIPSEC_DROP_AUTH), 1);
	KUNIT_EXPECT_EQ(test, env->sa->replay.top, (u64)seq - 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&env->sa->refcnt), 1);
	ep_env_free(env);
}

static struct kunit_case nipsec_esp_path_cases[] = {
	KUNIT_CASE_PARAM(esp_output_is_the_vector, ep_vector_gen_params),
	KUNIT_CASE_PARAM(esp_input_is_the_plaintext, ep_vector_gen_params),
	KUNIT_CASE(esp_input_checks_trailer),
	{}
};

static struct kunit_suite nipsec_esp_path_suite = {
	.name = "nipsec_esp_path",
	.init = ep_init,
	.exit = ep_exit,
	.test_cases = nipsec_esp_path_cases,
};

kunit_test_suite(nipsec_esp_path_suite);
