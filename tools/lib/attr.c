// SPDX-License-Identifier: GPL-2.0
/*
 * Encoding of the library structs into nipsec attributes and decoding of
 * the kernel's replies and events back into them. No socket I/O here, so
 * the host tests can round-trip messages without the module.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "nipsec_client.h"
#include "internal.h"

/* ---- u64 attribute tables: counters, usage, lifetimes ---- */

struct u64_field {
	uint16_t attr;
	size_t offset;
};

#define STAT(n, a, m) { n, NIPSEC_A_STATS_##a, offsetof(struct nipsec_stats, m) }
const struct nipsec_stats_field nipsec_stats_fields[] = {
	STAT("rx-packets", RX_PACKETS, rx_packets),
	STAT("rx-bytes", RX_BYTES, rx_bytes),
	STAT("tx-packets", TX_PACKETS, tx_packets),
	STAT("tx-bytes", TX_BYTES, tx_bytes),
	STAT("drop-no-sa", DROP_NO_SA, drop_no_sa),
	STAT("drop-out-no-sa", DROP_OUT_NO_SA, drop_out_no_sa),
	STAT("drop-policy", DROP_POLICY, drop_policy),
	STAT("drop-cleartext", DROP_CLEARTEXT, drop_cleartext),
	STAT("drop-selector", DROP_SELECTOR, drop_selector),
	STAT("drop-inner-family", DROP_INNER_FAMILY, drop_inner_family),
	STAT("drop-truncated", DROP_TRUNCATED, drop_truncated),
	STAT("drop-bad-padding", DROP_BAD_PADDING, drop_bad_padding),
	STAT("drop-auth", DROP_AUTH, drop_auth),
	STAT("drop-replay", DROP_REPLAY, drop_replay),
	STAT("drop-seq-exhausted", DROP_SEQ_EXHAUSTED, drop_seq_exhausted),
	STAT("drop-expired", DROP_EXPIRED, drop_expired),
	STAT("drop-crypto", DROP_CRYPTO, drop_crypto),
	STAT("drop-nomem", DROP_NOMEM, drop_nomem),
	STAT("drop-route", DROP_ROUTE, drop_route),
	STAT("drop-mtu", DROP_MTU, drop_mtu),
	STAT("drop-proto", DROP_PROTO, drop_proto),
	STAT("acquires", ACQUIRES, acquires),
	STAT("mappings", MAPPINGS, mappings),
	STAT("drop-depth", DROP_DEPTH, drop_depth),
	STAT("drop-fragment", DROP_FRAGMENT, drop_fragment),
	STAT("drop-icmp-error", DROP_ICMP_ERROR, drop_icmp_error),
	STAT("refused-limit", REFUSED_LIMIT, refused_limit),
};
#undef STAT
const size_t nipsec_stats_nfields =
	sizeof(nipsec_stats_fields) / sizeof(nipsec_stats_fields[0]);

#define LFT(a, m) { NIPSEC_A_LIFETIME_##a, offsetof(struct nipsec_lifetime, m) }
static const struct u64_field lifetime_fields[] = {
	LFT(SOFT_BYTES, soft_bytes),
	LFT(HARD_BYTES, hard_bytes),
	LFT(SOFT_PACKETS, soft_packets),
	LFT(HARD_PACKETS, hard_packets),
	LFT(SOFT_ADD_SECONDS, soft_add_seconds),
	LFT(HARD_ADD_SECONDS, hard_add_seconds),
	LFT(SOFT_USE_SECONDS, soft_use_seconds),
	LFT(HARD_USE_SECONDS, hard_use_seconds),
};
#undef LFT

#define USE(a, m) { NIPSEC_A_USAGE_##a, offsetof(struct nipsec_usage, m) }
static const struct u64_field usage_fields[] = {
	USE(BYTES, bytes),
	USE(PACKETS, packets),
	USE(ADD_TIME, add_time),
	USE(USE_TIME, use_time),
	USE(LAST_USE_TIME, last_use_time),
};
#undef USE

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t *u64_at(void *base, size_t offset)
{
	return (uint64_t *)((char *)base + offset);
}

/*
 * Parse a nest whose attributes are all u64 counters. Attributes shorter
 * than 8 bytes are rejected rather than read past their end.
 */
static int parse_u64_nest(struct nlattr *nest, void *base,
			  const struct u64_field *f, size_t n)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		for (size_t i = 0; i < n; i++) {
			if (nla_type(a) != f[i].attr)
				continue;
			if (nla_len(a) < 8)
				return -EINVAL;
			*u64_at(base, f[i].offset) = nla_get_u64(a);
		}
	}
	return 0;
}

static int parse_stats(struct nlattr *nest, struct nipsec_stats *s)
{
	struct nlattr *a;
	int rem;

	memset(s, 0, sizeof(*s));
	nla_for_each_nested(a, nest, rem) {
		for (size_t i = 0; i < nipsec_stats_nfields; i++) {
			const struct nipsec_stats_field *f = &nipsec_stats_fields[i];

			if (nla_type(a) != f->attr)
				continue;
			if (nla_len(a) < 8)
				return -EINVAL;
			*u64_at(s, f->offset) = nla_get_u64(a);
		}
	}
	return 0;
}

/* ---- addresses ---- */

static int put_addr(struct nl_msg *msg, const struct nipsec_addr *a,
		    int attr_v4, int attr_v6)
{
	switch (a->family) {
	case 0:
		return 0;
	case AF_INET:
		/* s_addr is already big-endian, as the spec wants */
		return nla_put_u32(msg, attr_v4, a->u.v4.s_addr);
	case AF_INET6:
		return nla_put(msg, attr_v6, sizeof(a->u.v6), &a->u.v6);
	}
	return -EAFNOSUPPORT;
}

static int get_addr(struct nlattr **tb, int attr_v4, int attr_v6,
		    struct nipsec_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (tb[attr_v4]) {
		a->family = AF_INET;
		a->u.v4.s_addr = nla_get_u32(tb[attr_v4]);
	} else if (tb[attr_v6]) {
		a->family = AF_INET6;
		memcpy(&a->u.v6, nla_data(tb[attr_v6]), sizeof(a->u.v6));
	}
	return 0;
}

/* ---- policies for nla_parse: they make libnl check minimum lengths ---- */

#define U8	{ .type = NLA_U8 }
#define U16	{ .type = NLA_U16 }
#define U32	{ .type = NLA_U32 }
#define U64	{ .type = NLA_U64 }
#define IN6	{ .type = NLA_UNSPEC, .minlen = 16 }
#define NEST	{ .type = NLA_NESTED }
#define STR	{ .type = NLA_STRING, .maxlen = NIPSEC_ALG_NAME_LEN }
#define FLAG	{ .type = NLA_FLAG }

static struct nla_policy sel_policy[NIPSEC_A_SELECTOR_MAX + 1] = {
	[NIPSEC_A_SELECTOR_FAMILY] = U16,
	[NIPSEC_A_SELECTOR_SRC_V4] = U32,
	[NIPSEC_A_SELECTOR_SRC_V6] = IN6,
	[NIPSEC_A_SELECTOR_SRC_PREFIX] = U8,
	[NIPSEC_A_SELECTOR_DST_V4] = U32,
	[NIPSEC_A_SELECTOR_DST_V6] = IN6,
	[NIPSEC_A_SELECTOR_DST_PREFIX] = U8,
	[NIPSEC_A_SELECTOR_PROTO] = U8,
	[NIPSEC_A_SELECTOR_SPORT_MIN] = U16,
	[NIPSEC_A_SELECTOR_SPORT_MAX] = U16,
	[NIPSEC_A_SELECTOR_DPORT_MIN] = U16,
	[NIPSEC_A_SELECTOR_DPORT_MAX] = U16,
	[NIPSEC_A_SELECTOR_ICMP_TYPE] = U8,
	[NIPSEC_A_SELECTOR_ICMP_CODE] = U8,
};

static struct nla_policy encap_policy[NIPSEC_A_ENCAP_MAX + 1] = {
	[NIPSEC_A_ENCAP_TYPE] = U8,
	[NIPSEC_A_ENCAP_SPORT] = U16,
	[NIPSEC_A_ENCAP_DPORT] = U16,
	[NIPSEC_A_ENCAP_OA_V4] = U32,
	[NIPSEC_A_ENCAP_OA_V6] = IN6,
	[NIPSEC_A_ENCAP_REBIND] = { .type = NLA_FLAG },
};

static struct nla_policy tmpl_policy[NIPSEC_A_TMPL_MAX + 1] = {
	[NIPSEC_A_TMPL_PROTO] = U8,
	[NIPSEC_A_TMPL_MODE] = U8,
	[NIPSEC_A_TMPL_SRC_V4] = U32,
	[NIPSEC_A_TMPL_SRC_V6] = IN6,
	[NIPSEC_A_TMPL_DST_V4] = U32,
	[NIPSEC_A_TMPL_DST_V6] = IN6,
	[NIPSEC_A_TMPL_REQID] = U32,
	[NIPSEC_A_TMPL_SPI] = U32,
};

static struct nla_policy sa_policy[NIPSEC_A_SA_MAX + 1] = {
	[NIPSEC_A_SA_SPI] = U32,
	[NIPSEC_A_SA_PROTO] = U8,
	[NIPSEC_A_SA_MODE] = U8,
	[NIPSEC_A_SA_SRC_V4] = U32,
	[NIPSEC_A_SA_SRC_V6] = IN6,
	[NIPSEC_A_SA_DST_V4] = U32,
	[NIPSEC_A_SA_DST_V6] = IN6,
	[NIPSEC_A_SA_REQID] = U32,
	[NIPSEC_A_SA_AEAD_NAME] = STR,
	[NIPSEC_A_SA_ICV_BITS] = U32,
	[NIPSEC_A_SA_ENC_NAME] = STR,
	[NIPSEC_A_SA_AUTH_NAME] = STR,
	[NIPSEC_A_SA_AUTH_TRUNC_BITS] = U32,
	[NIPSEC_A_SA_REPLAY_WINDOW] = U32,
	[NIPSEC_A_SA_ESN] = FLAG,
	[NIPSEC_A_SA_SEL] = NEST,
	[NIPSEC_A_SA_LIFETIME] = NEST,
	[NIPSEC_A_SA_USAGE] = NEST,
	[NIPSEC_A_SA_STATS] = NEST,
	[NIPSEC_A_SA_ENCAP] = NEST,
	[NIPSEC_A_SA_STATE] = U8,
	[NIPSEC_A_SA_SPI_MIN] = U32,
	[NIPSEC_A_SA_SPI_MAX] = U32,
	[NIPSEC_A_SA_LARVAL_TIMEOUT] = U32,
	[NIPSEC_A_SA_SEQ] = U64,
	[NIPSEC_A_SA_SEQ_IN] = U64,
};

static struct nla_policy policy_policy[NIPSEC_A_POLICY_MAX + 1] = {
	[NIPSEC_A_POLICY_ID] = U32,
	[NIPSEC_A_POLICY_DIR] = U8,
	[NIPSEC_A_POLICY_PRIORITY] = U32,
	[NIPSEC_A_POLICY_ACTION] = U8,
	[NIPSEC_A_POLICY_SEL] = NEST,
	[NIPSEC_A_POLICY_TMPL] = NEST,
	[NIPSEC_A_POLICY_USAGE] = NEST,
};

static struct nla_policy acquire_policy[NIPSEC_A_ACQUIRE_MAX + 1] = {
	[NIPSEC_A_ACQUIRE_POLICY_ID] = U32,
	[NIPSEC_A_ACQUIRE_TMPL] = NEST,
	[NIPSEC_A_ACQUIRE_SEL] = NEST,
};

static struct nla_policy expire_policy[NIPSEC_A_EXPIRE_MAX + 1] = {
	[NIPSEC_A_EXPIRE_SA] = NEST,
	[NIPSEC_A_EXPIRE_HARD] = FLAG,
	[NIPSEC_A_EXPIRE_LIMIT] = U8,
};

static struct nla_policy mapping_policy[NIPSEC_A_MAPPING_MAX + 1] = {
	[NIPSEC_A_MAPPING_SA] = NEST,
	[NIPSEC_A_MAPPING_OLD_V4] = U32,
	[NIPSEC_A_MAPPING_OLD_V6] = IN6,
	[NIPSEC_A_MAPPING_OLD_PORT] = U16,
	[NIPSEC_A_MAPPING_NEW_V4] = U32,
	[NIPSEC_A_MAPPING_NEW_V6] = IN6,
	[NIPSEC_A_MAPPING_NEW_PORT] = U16,
};

static struct nla_policy drop_policy[NIPSEC_A_DROP_MAX + 1] = {
	[NIPSEC_A_DROP_REASON] = { .type = NLA_STRING, .maxlen = 32 },
	[NIPSEC_A_DROP_SA] = NEST,
	[NIPSEC_A_DROP_SRC_V4] = U32,
	[NIPSEC_A_DROP_SRC_V6] = IN6,
	[NIPSEC_A_DROP_DST_V4] = U32,
	[NIPSEC_A_DROP_DST_V6] = IN6,
	[NIPSEC_A_DROP_SUPPRESSED] = U32,
};

/* ---- selector ---- */

int nipsec_put_sel(struct nl_msg *msg, int attr, const struct nipsec_sel *s)
{
	struct nlattr *nest = nla_nest_start(msg, attr);
	int err = 0;

	if (!nest)
		return -EMSGSIZE;
	if (s->family)
		err |= nla_put_u16(msg, NIPSEC_A_SELECTOR_FAMILY, s->family);
	if (s->src.family) {
		err |= put_addr(msg, &s->src, NIPSEC_A_SELECTOR_SRC_V4,
				NIPSEC_A_SELECTOR_SRC_V6);
		err |= nla_put_u8(msg, NIPSEC_A_SELECTOR_SRC_PREFIX, s->src_prefix);
	}
	if (s->dst.family) {
		err |= put_addr(msg, &s->dst, NIPSEC_A_SELECTOR_DST_V4,
				NIPSEC_A_SELECTOR_DST_V6);
		err |= nla_put_u8(msg, NIPSEC_A_SELECTOR_DST_PREFIX, s->dst_prefix);
	}
	if (s->proto)
		err |= nla_put_u8(msg, NIPSEC_A_SELECTOR_PROTO, s->proto);
	if (s->sport_min || s->sport_max) {
		err |= nla_put_u16(msg, NIPSEC_A_SELECTOR_SPORT_MIN, s->sport_min);
		err |= nla_put_u16(msg, NIPSEC_A_SELECTOR_SPORT_MAX, s->sport_max);
	}
	if (s->dport_min || s->dport_max) {
		err |= nla_put_u16(msg, NIPSEC_A_SELECTOR_DPORT_MIN, s->dport_min);
		err |= nla_put_u16(msg, NIPSEC_A_SELECTOR_DPORT_MAX, s->dport_max);
	}
	if (s->has_icmp_type)
		err |= nla_put_u8(msg, NIPSEC_A_SELECTOR_ICMP_TYPE, s->icmp_type);
	if (s->has_icmp_code)
		err |= nla_put_u8(msg, NIPSEC_A_SELECTOR_ICMP_CODE, s->icmp_code);
	if (err)
		return -EMSGSIZE;	/* the only way nla_put fails */
	nla_nest_end(msg, nest);
	return 0;
}

static int parse_sel(struct nlattr *nest, struct nipsec_sel *s)
{
	struct nlattr *tb[NIPSEC_A_SELECTOR_MAX + 1];
	int err;

	memset(s, 0, sizeof(*s));
	err = nipsec_nl2errno(nla_parse_nested(tb, NIPSEC_A_SELECTOR_MAX, nest, sel_policy));
	if (err)
		return err;
	get_addr(tb, NIPSEC_A_SELECTOR_SRC_V4, NIPSEC_A_SELECTOR_SRC_V6, &s->src);
	get_addr(tb, NIPSEC_A_SELECTOR_DST_V4, NIPSEC_A_SELECTOR_DST_V6, &s->dst);
	if (tb[NIPSEC_A_SELECTOR_FAMILY])
		s->family = nla_get_u16(tb[NIPSEC_A_SELECTOR_FAMILY]);
	else
		s->family = s->src.family ? s->src.family : s->dst.family;
	if (tb[NIPSEC_A_SELECTOR_SRC_PREFIX])
		s->src_prefix = nla_get_u8(tb[NIPSEC_A_SELECTOR_SRC_PREFIX]);
	if (tb[NIPSEC_A_SELECTOR_DST_PREFIX])
		s->dst_prefix = nla_get_u8(tb[NIPSEC_A_SELECTOR_DST_PREFIX]);
	if (tb[NIPSEC_A_SELECTOR_PROTO])
		s->proto = nla_get_u8(tb[NIPSEC_A_SELECTOR_PROTO]);
	if (tb[NIPSEC_A_SELECTOR_SPORT_MIN])
		s->sport_min = nla_get_u16(tb[NIPSEC_A_SELECTOR_SPORT_MIN]);
	if (tb[NIPSEC_A_SELECTOR_SPORT_MAX])
		s->sport_max = nla_get_u16(tb[NIPSEC_A_SELECTOR_SPORT_MAX]);
	if (tb[NIPSEC_A_SELECTOR_DPORT_MIN])
		s->dport_min = nla_get_u16(tb[NIPSEC_A_SELECTOR_DPORT_MIN]);
	if (tb[NIPSEC_A_SELECTOR_DPORT_MAX])
		s->dport_max = nla_get_u16(tb[NIPSEC_A_SELECTOR_DPORT_MAX]);
	if (tb[NIPSEC_A_SELECTOR_ICMP_TYPE]) {
		s->has_icmp_type = true;
		s->icmp_type = nla_get_u8(tb[NIPSEC_A_SELECTOR_ICMP_TYPE]);
	}
	if (tb[NIPSEC_A_SELECTOR_ICMP_CODE]) {
		s->has_icmp_code = true;
		s->icmp_code = nla_get_u8(tb[NIPSEC_A_SELECTOR_ICMP_CODE]);
	}
	return 0;
}

/* ---- template ---- */

static int put_tmpl(struct nl_msg *msg, int attr, const struct nipsec_tmpl *t)
{
	struct nlattr *nest = nla_nest_start(msg, attr);
	int err = 0;

	if (!nest)
		return -EMSGSIZE;
	err |= nla_put_u8(msg, NIPSEC_A_TMPL_PROTO, t->proto);
	err |= nla_put_u8(msg, NIPSEC_A_TMPL_MODE, t->mode);
	err |= put_addr(msg, &t->src, NIPSEC_A_TMPL_SRC_V4, NIPSEC_A_TMPL_SRC_V6);
	err |= put_addr(msg, &t->dst, NIPSEC_A_TMPL_DST_V4, NIPSEC_A_TMPL_DST_V6);
	if (t->reqid)
		err |= nla_put_u32(msg, NIPSEC_A_TMPL_REQID, t->reqid);
	if (t->spi)
		err |= nla_put_u32(msg, NIPSEC_A_TMPL_SPI, t->spi);
	if (err)
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int parse_tmpl(struct nlattr *nest, struct nipsec_tmpl *t)
{
	struct nlattr *tb[NIPSEC_A_TMPL_MAX + 1];
	int err;

	memset(t, 0, sizeof(*t));
	err = nipsec_nl2errno(nla_parse_nested(tb, NIPSEC_A_TMPL_MAX, nest, tmpl_policy));
	if (err)
		return err;
	if (tb[NIPSEC_A_TMPL_PROTO])
		t->proto = nla_get_u8(tb[NIPSEC_A_TMPL_PROTO]);
	if (tb[NIPSEC_A_TMPL_MODE])
		t->mode = nla_get_u8(tb[NIPSEC_A_TMPL_MODE]);
	get_addr(tb, NIPSEC_A_TMPL_SRC_V4, NIPSEC_A_TMPL_SRC_V6, &t->src);
	get_addr(tb, NIPSEC_A_TMPL_DST_V4, NIPSEC_A_TMPL_DST_V6, &t->dst);
	if (tb[NIPSEC_A_TMPL_REQID])
		t->reqid = nla_get_u32(tb[NIPSEC_A_TMPL_REQID]);
	if (tb[NIPSEC_A_TMPL_SPI])
		t->spi = nla_get_u32(tb[NIPSEC_A_TMPL_SPI]);
	return 0;
}

/* ---- SA ---- */

static int put_alg(struct nl_msg *msg, const struct nipsec_alg *alg,
		   int name_attr, int key_attr, int bits_attr)
{
	int err = 0;

	if (!alg->name[0])
		return 0;
	err |= nla_put_string(msg, name_attr, alg->name);
	/* cipher_null has an empty key: still say so explicitly */
	err |= nla_put(msg, key_attr, alg->key_len, alg->key);
	if (bits_attr && alg->bits)
		err |= nla_put_u32(msg, bits_attr, alg->bits);
	return err ? -EMSGSIZE : 0;
}

static int put_encap(struct nl_msg *msg, const struct nipsec_encap_cfg *e)
{
	struct nlattr *nest = nla_nest_start(msg, NIPSEC_A_SA_ENCAP);
	int err = 0;

	if (!nest)
		return -EMSGSIZE;
	err |= nla_put_u8(msg, NIPSEC_A_ENCAP_TYPE, e->type);
	err |= nla_put_u16(msg, NIPSEC_A_ENCAP_SPORT, htons(e->sport));
	err |= nla_put_u16(msg, NIPSEC_A_ENCAP_DPORT, htons(e->dport));
	err |= put_addr(msg, &e->oa, NIPSEC_A_ENCAP_OA_V4, NIPSEC_A_ENCAP_OA_V6);
	if (e->rebind)
		err |= nla_put_flag(msg, NIPSEC_A_ENCAP_REBIND);
	if (err)
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_lifetime(struct nl_msg *msg, const struct nipsec_lifetime *l)
{
	struct nlattr *nest;
	bool any = false;
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(lifetime_fields); i++)
		any |= *u64_at((void *)l, lifetime_fields[i].offset) != 0;
	if (!any)
		return 0;
	nest = nla_nest_start(msg, NIPSEC_A_SA_LIFETIME);
	if (!nest)
		return -EMSGSIZE;
	for (size_t i = 0; i < ARRAY_SIZE(lifetime_fields); i++) {
		uint64_t v = *u64_at((void *)l, lifetime_fields[i].offset);

		if (v)
			err |= nla_put_u64(msg, lifetime_fields[i].attr, v);
	}
	if (err)
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int nipsec_put_sa_id(struct nl_msg *msg, const struct nipsec_sa_id *id)
{
	int err = 0;

	err |= nla_put_u32(msg, NIPSEC_A_SA_SPI, id->spi);
	err |= nla_put_u8(msg, NIPSEC_A_SA_PROTO, id->proto);
	err |= put_addr(msg, &id->dst, NIPSEC_A_SA_DST_V4, NIPSEC_A_SA_DST_V6);
	return err ? -EMSGSIZE : 0;
}

int nipsec_put_sa_cfg(struct nl_msg *msg, const struct nipsec_sa_cfg *c)
{
	int err = 0;

	err |= nla_put_u32(msg, NIPSEC_A_SA_SPI, c->spi);
	err |= nla_put_u8(msg, NIPSEC_A_SA_PROTO, c->proto);
	err |= nla_put_u8(msg, NIPSEC_A_SA_MODE, c->mode);
	err |= put_addr(msg, &c->src, NIPSEC_A_SA_SRC_V4, NIPSEC_A_SA_SRC_V6);
	err |= put_addr(msg, &c->dst, NIPSEC_A_SA_DST_V4, NIPSEC_A_SA_DST_V6);
	if (c->reqid)
		err |= nla_put_u32(msg, NIPSEC_A_SA_REQID, c->reqid);
	if (err)
		return -EMSGSIZE;
	err = put_alg(msg, &c->aead, NIPSEC_A_SA_AEAD_NAME, NIPSEC_A_SA_AEAD_KEY,
		      NIPSEC_A_SA_ICV_BITS);
	if (!err)
		err = put_alg(msg, &c->enc, NIPSEC_A_SA_ENC_NAME,
			      NIPSEC_A_SA_ENC_KEY, 0);
	if (!err)
		err = put_alg(msg, &c->auth, NIPSEC_A_SA_AUTH_NAME,
			      NIPSEC_A_SA_AUTH_KEY, NIPSEC_A_SA_AUTH_TRUNC_BITS);
	if (!err && c->has_replay_window)
		err = nla_put_u32(msg, NIPSEC_A_SA_REPLAY_WINDOW, c->replay_window);
	if (!err && c->esn)
		err = nla_put_flag(msg, NIPSEC_A_SA_ESN);
	if (!err && c->has_sel)
		err = nipsec_put_sel(msg, NIPSEC_A_SA_SEL, &c->sel);
	if (!err)
		err = put_lifetime(msg, &c->lifetime);
	if (!err && c->has_encap)
		err = put_encap(msg, &c->encap);
	if (!err && c->has_seq)
		err = nla_put_u64(msg, NIPSEC_A_SA_SEQ, c->seq);
	return err ? -EMSGSIZE : 0;
}

static void get_name(struct nlattr *a, char *dst)
{
	if (a)
		nla_strlcpy(dst, a, NIPSEC_ALG_NAME_LEN);
}

static int parse_encap(struct nlattr *nest, struct nipsec_encap_cfg *e)
{
	struct nlattr *tb[NIPSEC_A_ENCAP_MAX + 1];
	int err;

	memset(e, 0, sizeof(*e));
	err = nipsec_nl2errno(nla_parse_nested(tb, NIPSEC_A_ENCAP_MAX, nest, encap_policy));
	if (err)
		return err;
	if (tb[NIPSEC_A_ENCAP_TYPE])
		e->type = nla_get_u8(tb[NIPSEC_A_ENCAP_TYPE]);
	if (tb[NIPSEC_A_ENCAP_SPORT])
		e->sport = ntohs(nla_get_u16(tb[NIPSEC_A_ENCAP_SPORT]));
	if (tb[NIPSEC_A_ENCAP_DPORT])
		e->dport = ntohs(nla_get_u16(tb[NIPSEC_A_ENCAP_DPORT]));
	get_addr(tb, NIPSEC_A_ENCAP_OA_V4, NIPSEC_A_ENCAP_OA_V6, &e->oa);
	e->rebind = !!tb[NIPSEC_A_ENCAP_REBIND];
	return 0;
}

/* Decode the attributes of the "sa" set (also "sa-ref" nests). */
int nipsec_parse_sa(struct nlattr *attrs, int len, struct nipsec_sa *out)
{
	struct nlattr *tb[NIPSEC_A_SA_MAX + 1];
	struct nipsec_sa_cfg *c = &out->cfg;
	int err;

	memset(out, 0, sizeof(*out));
	err = nipsec_nl2errno(nla_parse(tb, NIPSEC_A_SA_MAX, attrs, len, sa_policy));
	if (err)
		return err;
	if (tb[NIPSEC_A_SA_SPI])
		c->spi = nla_get_u32(tb[NIPSEC_A_SA_SPI]);
	if (tb[NIPSEC_A_SA_PROTO])
		c->proto = nla_get_u8(tb[NIPSEC_A_SA_PROTO]);
	if (tb[NIPSEC_A_SA_MODE])
		c->mode = nla_get_u8(tb[NIPSEC_A_SA_MODE]);
	get_addr(tb, NIPSEC_A_SA_SRC_V4, NIPSEC_A_SA_SRC_V6, &c->src);
	get_addr(tb, NIPSEC_A_SA_DST_V4, NIPSEC_A_SA_DST_V6, &c->dst);
	if (tb[NIPSEC_A_SA_REQID])
		c->reqid = nla_get_u32(tb[NIPSEC_A_SA_REQID]);
	get_name(tb[NIPSEC_A_SA_AEAD_NAME], c->aead.name);
	if (tb[NIPSEC_A_SA_ICV_BITS])
		c->aead.bits = nla_get_u32(tb[NIPSEC_A_SA_ICV_BITS]);
	get_name(tb[NIPSEC_A_SA_ENC_NAME], c->enc.name);
	get_name(tb[NIPSEC_A_SA_AUTH_NAME], c->auth.name);
	if (tb[NIPSEC_A_SA_AUTH_TRUNC_BITS])
		c->auth.bits = nla_get_u32(tb[NIPSEC_A_SA_AUTH_TRUNC_BITS]);
	if (tb[NIPSEC_A_SA_REPLAY_WINDOW]) {
		c->has_replay_window = true;
		c->replay_window = nla_get_u32(tb[NIPSEC_A_SA_REPLAY_WINDOW]);
	}
	c->esn = nla_get_flag(tb[NIPSEC_A_SA_ESN]);
	if (tb[NIPSEC_A_SA_SEL]) {
		c->has_sel = true;
		err = parse_sel(tb[NIPSEC_A_SA_SEL], &c->sel);
	}
	if (!err && tb[NIPSEC_A_SA_LIFETIME])
		err = parse_u64_nest(tb[NIPSEC_A_SA_LIFETIME], &c->lifetime,
				     lifetime_fields, ARRAY_SIZE(lifetime_fields));
	if (!err && tb[NIPSEC_A_SA_ENCAP]) {
		c->has_encap = true;
		err = parse_encap(tb[NIPSEC_A_SA_ENCAP], &c->encap);
	}
	if (tb[NIPSEC_A_SA_SEQ]) {
		c->has_seq = true;
		c->seq = nla_get_u64(tb[NIPSEC_A_SA_SEQ]);
	}
	if (tb[NIPSEC_A_SA_STATE]) {
		out->has_state = true;
		out->state = nla_get_u8(tb[NIPSEC_A_SA_STATE]);
	}
	if (!err && tb[NIPSEC_A_SA_USAGE]) {
		out->has_usage = true;
		err = parse_u64_nest(tb[NIPSEC_A_SA_USAGE], &out->usage,
				     usage_fields, ARRAY_SIZE(usage_fields));
	}
	if (!err && tb[NIPSEC_A_SA_STATS]) {
		out->has_stats = true;
		err = parse_stats(tb[NIPSEC_A_SA_STATS], &out->stats);
	}
	if (tb[NIPSEC_A_SA_SEQ_IN])
		out->seq_in = nla_get_u64(tb[NIPSEC_A_SA_SEQ_IN]);
	return err;
}

/* ---- policy ---- */

int nipsec_put_policy_cfg(struct nl_msg *msg, const struct nipsec_policy_cfg *c)
{
	int err = 0;

	err |= nla_put_u8(msg, NIPSEC_A_POLICY_DIR, c->dir);
	err |= nla_put_u32(msg, NIPSEC_A_POLICY_PRIORITY, c->priority);
	err |= nla_put_u8(msg, NIPSEC_A_POLICY_ACTION, c->action);
	if (err)
		return -EMSGSIZE;
	err = nipsec_put_sel(msg, NIPSEC_A_POLICY_SEL, &c->sel);
	if (!err && c->has_tmpl)
		err = put_tmpl(msg, NIPSEC_A_POLICY_TMPL, &c->tmpl);
	return err;
}

int nipsec_parse_policy(struct nlattr *attrs, int len, struct nipsec_policy *out)
{
	struct nlattr *tb[NIPSEC_A_POLICY_MAX + 1];
	struct nipsec_policy_cfg *c = &out->cfg;
	int err;

	memset(out, 0, sizeof(*out));
	err = nipsec_nl2errno(nla_parse(tb, NIPSEC_A_POLICY_MAX, attrs, len, policy_policy));
	if (err)
		return err;
	if (tb[NIPSEC_A_POLICY_ID])
		out->id = nla_get_u32(tb[NIPSEC_A_POLICY_ID]);
	if (tb[NIPSEC_A_POLICY_DIR])
		c->dir = nla_get_u8(tb[NIPSEC_A_POLICY_DIR]);
	if (tb[NIPSEC_A_POLICY_PRIORITY])
		c->priority = nla_get_u32(tb[NIPSEC_A_POLICY_PRIORITY]);
	if (tb[NIPSEC_A_POLICY_ACTION])
		c->action = nla_get_u8(tb[NIPSEC_A_POLICY_ACTION]);
	if (tb[NIPSEC_A_POLICY_SEL])
		err = parse_sel(tb[NIPSEC_A_POLICY_SEL], &c->sel);
	if (!err && tb[NIPSEC_A_POLICY_TMPL]) {
		c->has_tmpl = true;
		err = parse_tmpl(tb[NIPSEC_A_POLICY_TMPL], &c->tmpl);
	}
	if (!err && tb[NIPSEC_A_POLICY_USAGE]) {
		out->has_usage = true;
		err = parse_u64_nest(tb[NIPSEC_A_POLICY_USAGE], &out->usage,
				     usage_fields, ARRAY_SIZE(usage_fields));
	}
	return err;
}

/* ---- stats-get reply ---- */

int nipsec_parse_stats_reply(struct nlattr *attrs, int len,
			     struct nipsec_stats *out)
{
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, attrs, len, rem)
		if (nla_type(a) == NIPSEC_A_STATS_REQ_STATS)
			return parse_stats(a, out);
	return -EPROTO;
}

/* ---- events ---- */

static int parse_sa_nest(struct nlattr *nest, struct nipsec_sa *sa)
{
	if (!nest)
		return -EPROTO;
	return nipsec_parse_sa(nla_data(nest), nla_len(nest), sa);
}

static int parse_acquire(struct nlattr *attrs, int len, struct nipsec_event *ev)
{
	struct nlattr *tb[NIPSEC_A_ACQUIRE_MAX + 1];
	int err;

	err = nipsec_nl2errno(nla_parse(tb, NIPSEC_A_ACQUIRE_MAX, attrs, len, acquire_policy));
	if (err)
		return err;
	if (tb[NIPSEC_A_ACQUIRE_POLICY_ID])
		ev->acquire.policy_id = nla_get_u32(tb[NIPSEC_A_ACQUIRE_POLICY_ID]);
	if (tb[NIPSEC_A_ACQUIRE_TMPL]) {
		ev->acquire.has_tmpl = true;
		err = parse_tmpl(tb[NIPSEC_A_ACQUIRE_TMPL], &ev->acquire.tmpl);
	}
	if (!err && tb[NIPSEC_A_ACQUIRE_SEL])
		err = parse_sel(tb[NIPSEC_A_ACQUIRE_SEL], &ev->acquire.sel);
	return err;
}

static int parse_expire(struct nlattr *attrs, int len, struct nipsec_event *ev)
{
	struct nlattr *tb[NIPSEC_A_EXPIRE_MAX + 1];
	int err;

	err = nipsec_nl2errno(nla_parse(tb, NIPSEC_A_EXPIRE_MAX, attrs, len, expire_policy));
	if (err)
		return err;
	ev->expire.hard = nla_get_flag(tb[NIPSEC_A_EXPIRE_HARD]);
	if (tb[NIPSEC_A_EXPIRE_LIMIT]) {
		ev->expire.has_limit = true;
		ev->expire.limit = nla_get_u8(tb[NIPSEC_A_EXPIRE_LIMIT]);
	}
	return parse_sa_nest(tb[NIPSEC_A_EXPIRE_SA], &ev->expire.sa);
}

static int parse_mapping(struct nlattr *attrs, int len, struct nipsec_event *ev)
{
	struct nlattr *tb[NIPSEC_A_MAPPING_MAX + 1];
	int err;

	err = nipsec_nl2errno(nla_parse(tb, NIPSEC_A_MAPPING_MAX, attrs, len, mapping_policy));
	if (err)
		return err;
	get_addr(tb, NIPSEC_A_MAPPING_OLD_V4, NIPSEC_A_MAPPING_OLD_V6,
		 &ev->mapping.old_addr);
	get_addr(tb, NIPSEC_A_MAPPING_NEW_V4, NIPSEC_A_MAPPING_NEW_V6,
		 &ev->mapping.new_addr);
	if (tb[NIPSEC_A_MAPPING_OLD_PORT])
		ev->mapping.old_port = ntohs(nla_get_u16(tb[NIPSEC_A_MAPPING_OLD_PORT]));
	if (tb[NIPSEC_A_MAPPING_NEW_PORT])
		ev->mapping.new_port = ntohs(nla_get_u16(tb[NIPSEC_A_MAPPING_NEW_PORT]));
	return parse_sa_nest(tb[NIPSEC_A_MAPPING_SA], &ev->mapping.sa);
}

static int parse_drop(struct nlattr *attrs, int len, struct nipsec_event *ev)
{
	struct nlattr *tb[NIPSEC_A_DROP_MAX + 1];
	int err;

	err = nipsec_nl2errno(nla_parse(tb, NIPSEC_A_DROP_MAX, attrs, len, drop_policy));
	if (err)
		return err;
	if (tb[NIPSEC_A_DROP_REASON])
		nla_strlcpy(ev->drop.reason, tb[NIPSEC_A_DROP_REASON],
			    sizeof(ev->drop.reason));
	get_addr(tb, NIPSEC_A_DROP_SRC_V4, NIPSEC_A_DROP_SRC_V6, &ev->drop.src);
	get_addr(tb, NIPSEC_A_DROP_DST_V4, NIPSEC_A_DROP_DST_V6, &ev->drop.dst);
	if (tb[NIPSEC_A_DROP_SUPPRESSED])
		ev->drop.suppressed = nla_get_u32(tb[NIPSEC_A_DROP_SUPPRESSED]);
	if (!tb[NIPSEC_A_DROP_SA])
		return 0;
	ev->drop.has_sa = true;
	return parse_sa_nest(tb[NIPSEC_A_DROP_SA], &ev->drop.sa);
}

/* Returns -EOPNOTSUPP for commands that are not events. */
int nipsec_parse_event(uint8_t cmd, struct nlattr *attrs, int len,
		       struct nipsec_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	switch (cmd) {
	case NIPSEC_CMD_ACQUIRE_NTF:
		ev->type = NIPSEC_EVENT_ACQUIRE;
		return parse_acquire(attrs, len, ev);
	case NIPSEC_CMD_EXPIRE_NTF:
		ev->type = NIPSEC_EVENT_EXPIRE;
		return parse_expire(attrs, len, ev);
	case NIPSEC_CMD_SA_DEL_NTF:
		ev->type = NIPSEC_EVENT_SA_DEL;
		return nipsec_parse_sa(attrs, len, &ev->sa_del);
	case NIPSEC_CMD_POLICY_DEL_NTF:
		ev->type = NIPSEC_EVENT_POLICY_DEL;
		return nipsec_parse_policy(attrs, len, &ev->policy_del);
	case NIPSEC_CMD_MAPPING_NTF:
		ev->type = NIPSEC_EVENT_MAPPING;
		return parse_mapping(attrs, len, ev);
	case NIPSEC_CMD_DROP_NTF:
		ev->type = NIPSEC_EVENT_DROP;
		return parse_drop(attrs, len, ev);
	}
	return -EOPNOTSUPP;
}
