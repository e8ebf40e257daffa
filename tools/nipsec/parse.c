// SPDX-License-Identifier: GPL-2.0
/*
 * Command line parser of the nipsec tool: words in, library structs out.
 * It does no netlink and keeps no state, so every path is unit-tested on
 * the host (tools/tests/test_parse.c).
 *
 * The grammar follows ip-xfrm(8) so that `ip xfrm state add` lines work
 * after `nipsec sa add`: keywords in any order, each taking its values;
 * "sel", "tmpl" and "limit" open a group that takes the words of the group
 * until a word that is not one of them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nipsec.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct ps {
	int argc;
	char **argv;
	int i;
	char *err;
	const struct parse_env *env;
	struct cmd *cmd;
	char what[32];			/* "sa add", for messages */
	/* words seen for the sa and spi commands */
	bool has_spi, has_min, has_max;
	/* and for policies */
	bool has_dir, has_action_word;
	const char *action_word;
};

static int fail(struct ps *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct ps *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, ERRLEN, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *peek(struct ps *p)
{
	return p->i < p->argc ? p->argv[p->i] : NULL;
}

/* The value after keyword kw (already consumed), or an error. */
static int arg(struct ps *p, const char *kw, const char **val)
{
	*val = NULL;
	if (p->i >= p->argc)
		return fail(p, "\"%s\" needs a value", kw);
	*val = p->argv[p->i++];
	return 0;
}

static int get_u64(struct ps *p, const char *kw, uint64_t *v, uint64_t min,
		   uint64_t max)
{
	const char *s;
	char *end;

	if (arg(p, kw, &s))
		return -1;
	errno = 0;
	/* strtoull accepts "-1" as 2^64-1: refuse signs outright */
	if (*s == '-' || *s == '+' || !*s)
		goto bad;
	*v = strtoull(s, &end, 0);
	if (*end || errno == ERANGE)
		goto bad;
	if (*v < min || *v > max)
		return fail(p, "\"%s %s\": must be between %llu and %llu", kw, s,
			    (unsigned long long)min, (unsigned long long)max);
	return 0;
bad:
	return fail(p, "\"%s %s\": not a number", kw, s);
}

static int get_u32(struct ps *p, const char *kw, uint32_t *v, uint32_t min,
		   uint32_t max)
{
	uint64_t x = 0;

	if (get_u64(p, kw, &x, min, max))
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int get_u16(struct ps *p, const char *kw, uint16_t *v)
{
	uint32_t x = 0;

	if (get_u32(p, kw, &x, 0, 65535))
		return -1;
	*v = (uint16_t)x;
	return 0;
}

static int get_u8(struct ps *p, const char *kw, uint8_t *v)
{
	uint32_t x = 0;

	if (get_u32(p, kw, &x, 0, 255))
		return -1;
	*v = (uint8_t)x;
	return 0;
}

/* lifetimes: a number, or "inf" like ip xfrm prints them */
static int get_limit(struct ps *p, const char *kw, uint64_t *v)
{
	const char *s = peek(p);

	if (s && (!strcmp(s, "inf") || !strcmp(s, "infinity"))) {
		p->i++;
		*v = 0;
		return 0;
	}
	return get_u64(p, kw, v, 0, UINT64_MAX);
}

static int addr_parse(const char *s, struct nipsec_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->u.v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->u.v6) == 1)
		a->family = AF_INET6;
	else
		return -1;
	return 0;
}

static int get_addr(struct ps *p, const char *kw, struct nipsec_addr *a)
{
	const char *s;

	if (arg(p, kw, &s))
		return -1;
	if (addr_parse(s, a))
		return fail(p, "\"%s %s\": not an IPv4 or IPv6 address", kw, s);
	return 0;
}

/* ADDR[/PLEN]; no /PLEN means a host (32 or 128) */
static int get_prefix(struct ps *p, const char *kw, struct nipsec_addr *a,
		      uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *s;
	char *slash, *end;
	unsigned long n, max;

	if (arg(p, kw, &s))
		return -1;
	if (strlen(s) >= sizeof(buf))
		return fail(p, "\"%s %s\": not an address prefix", kw, s);
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (addr_parse(buf, a))
		return fail(p, "\"%s %s\": not an IPv4 or IPv6 address", kw, s);
	max = a->family == AF_INET ? 32 : 128;
	if (!slash) {
		*plen = (uint8_t)max;
		return 0;
	}
	errno = 0;
	n = strtoul(slash + 1, &end, 10);
	if (!slash[1] || *end || slash[1] == '-' || slash[1] == '+' || n > max)
		return fail(p, "\"%s %s\": prefix length must be 0 to %lu", kw,
			    s, max);
	*plen = (uint8_t)n;
	return 0;
}

static int get_name(struct ps *p, const char *kw, const struct name_val *t,
		    int *v)
{
	const char *s;
	char list[128] = "";
	size_t off = 0;

	if (arg(p, kw, &s))
		return -1;
	*v = name_lookup(t, s);
	if (*v >= 0)
		return 0;
	for (; t->name && off < sizeof(list); t++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
					off ? ", " : "", t->name);
	return fail(p, "\"%s %s\": must be one of %s", kw, s, list);
}

static int get_xfrm_proto(struct ps *p, const char *kw, uint8_t *proto)
{
	const char *s = peek(p);
	int v;

	if (s && (!strcmp(s, "comp") || !strcmp(s, "route2") ||
		  !strcmp(s, "hao"))) {
		p->i++;
		return fail(p, "\"proto %s\" is not supported by nipsec (%s)", s,
			    s[0] == 'c' ? "no IPComp" : "no Mobile IPv6");
	}
	if (get_name(p, kw, xfrm_protos, &v))
		return -1;
	*proto = (uint8_t)v;
	return 0;
}

/* upper-layer protocol: a name or a number */
static int get_ul_proto(struct ps *p, const char *kw, uint8_t *proto)
{
	const char *s = peek(p);
	int v = s ? name_lookup(ul_protos, s) : -1;

	if (v >= 0) {
		p->i++;
		*proto = (uint8_t)v;
		return 0;
	}
	if (s && (*s < '0' || *s > '9')) {
		p->i++;
		return fail(p, "\"%s %s\": unknown protocol", kw, s);
	}
	return get_u8(p, kw, proto);
}

/*
 * Words of ip-xfrm(8) that nipsec has no counterpart for, each with why:
 * an operator's line fails on them with the reason, never silently.
 * nipsec.8 publishes the same list (its "ip xfrm words" table).
 */
static const struct {
	const char *word;
	const char *why;
} unsupported_words[] = {
	{ "mark", "SAs and policies are not matched by fwmark" },
	{ "output-mark", "SAs set no fwmark on their packets" },
	{ "if_id", "there are no XFRM interfaces (if_id)" },
	{ "ctx", "there are no LSM security contexts" },
	{ "sec-ctx", "there are no LSM security contexts" },
	{ "coa", "there are no Mobile IPv6 care-of addresses" },
	{ "offload", "no NIC offload; the crypto API uses crypto engines" },
	{ "tfcpad", "there is no TFC padding (RFC 4303 2.7)" },
	{ "extra-flag", "there are no extra flags (dont-encap-dscp, oseq-may-wrap)" },
	{ "replay-seq", "an inbound replay window starts empty, it is not set" },
	{ "replay-seq-hi", "an inbound replay window starts empty, it is not set" },
	{ "comp", "there is no IPComp" },
	{ "dev", "selectors match no interface" },
	{ "seq", "SAs carry no acquire sequence number" },
	{ "key", "selectors match no GRE key" },
	{ "all-nsid", "events come from the tool's own network namespace only" },
};

static bool unsupported(struct ps *p, const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(unsupported_words); i++)
		if (!strcmp(w, unsupported_words[i].word)) {
			fail(p, "\"%s\" is not supported by nipsec: %s", w,
			     unsupported_words[i].why);
			return true;
		}
	return false;
}

/* words that say what nipsec always does: no socket policies, no keys shown */
static int no_op_word(struct ps *p, const char *kw)
{
	(void)p;
	(void)kw;
	return 0;
}

/* mode and proto values of ip xfrm that nipsec has not */
static int get_mode(struct ps *p, const char *kw, uint8_t *mode)
{
	const char *s = peek(p);
	int v;

	if (s && (!strcmp(s, "beet") || !strcmp(s, "ro") ||
		  !strcmp(s, "in_trigger"))) {
		p->i++;
		return fail(p, "\"mode %s\" is not supported by nipsec (transport and tunnel only)",
			    s);
	}
	if (get_name(p, kw, modes, &v))
		return -1;
	*mode = (uint8_t)v;
	return 0;
}

/* ---- keyword tables ---- */

struct kw {
	const char *name;
	int (*fn)(struct ps *p, const char *kw);
	unsigned int ops;		/* bit per enum nipsec_op */
	bool repeat;			/* may come more than once */
};

#define KW(n, f, o) { .name = n, .fn = f, .ops = o }
#define OPS(x) (1u << (x))
#define SA_CFG (OPS(OP_SA_ADD) | OPS(OP_SA_UPDATE))
#define SA_KEY (SA_CFG | OPS(OP_SA_DEL) | OPS(OP_SA_GET))
#define SA_ANY (SA_KEY | OPS(OP_SA_LIST))

/*
 * Run a table over the words: every word must be a keyword of the table
 * valid for op, given at most once. stop_unknown: end at the first word
 * that is not one (groups), rather than failing.
 */
static int run_table(struct ps *p, const struct kw *t, size_t n,
		     unsigned int op, bool stop_unknown)
{
	uint64_t seen = 0;
	const char *w;

	while ((w = peek(p))) {
		size_t k;

		for (k = 0; k < n; k++)
			if ((t[k].ops & OPS(op)) && !strcmp(t[k].name, w))
				break;
		if (k == n) {
			if (stop_unknown)
				return 0;
			if (unsupported(p, w))
				return -1;
			return fail(p, "unknown word \"%s\" in \"%s\"", w, p->what);
		}
		if ((seen & (1ull << k)) && !t[k].repeat)
			return fail(p, "\"%s\" given twice", w);
		seen |= 1ull << k;
		p->i++;
		if (t[k].fn(p, w))
			return -1;
	}
	return 0;
}

/* ---- selector (policy selector, "sel" of an SA) ---- */

/* the selector the current group writes to */
static struct nipsec_sel *cur_sel(struct ps *p)
{
	return p->cmd->op == OP_SA_ADD || p->cmd->op == OP_SA_UPDATE ?
	       &p->cmd->sa.sel : &p->cmd->pol.sel;
}

static int sel_src(struct ps *p, const char *kw)
{
	struct nipsec_sel *s = cur_sel(p);

	return get_prefix(p, kw, &s->src, &s->src_prefix);
}

static int sel_dst(struct ps *p, const char *kw)
{
	struct nipsec_sel *s = cur_sel(p);

	return get_prefix(p, kw, &s->dst, &s->dst_prefix);
}

static int sel_proto(struct ps *p, const char *kw)
{
	return get_ul_proto(p, kw, &cur_sel(p)->proto);
}

/* PORT or PORT-PORT (a range, which the spec allows) */
static int get_ports(struct ps *p, const char *kw, uint16_t *min, uint16_t *max)
{
	const char *s = peek(p);
	const char *dash = s ? strchr(s, '-') : NULL;
	char lo[16];
	char *argv2[2];
	struct ps sub;

	if (!dash || dash == s || (size_t)(dash - s) >= sizeof(lo))
		return get_u16(p, kw, min) ? -1 : (*max = *min, 0);
	/* parse both halves with the same number rules */
	snprintf(lo, sizeof(lo), "%.*s", (int)(dash - s), s);
	argv2[0] = lo;
	argv2[1] = (char *)dash + 1;
	sub = *p;
	sub.argc = 2;
	sub.argv = argv2;
	sub.i = 0;
	if (get_u16(&sub, kw, min) || get_u16(&sub, kw, max))
		return -1;
	p->i++;
	if (*min > *max)
		return fail(p, "\"%s %s\": empty port range", kw, s);
	return 0;
}

static int sel_sport(struct ps *p, const char *kw)
{
	struct nipsec_sel *s = cur_sel(p);

	return get_ports(p, kw, &s->sport_min, &s->sport_max);
}

static int sel_dport(struct ps *p, const char *kw)
{
	struct nipsec_sel *s = cur_sel(p);

	return get_ports(p, kw, &s->dport_min, &s->dport_max);
}

static int sel_type(struct ps *p, const char *kw)
{
	struct nipsec_sel *s = cur_sel(p);

	s->has_icmp_type = true;
	return get_u8(p, kw, &s->icmp_type);
}

static int sel_code(struct ps *p, const char *kw)
{
	struct nipsec_sel *s = cur_sel(p);

	s->has_icmp_code = true;
	return get_u8(p, kw, &s->icmp_code);
}

static const struct kw sel_kws[] = {
	KW("src", sel_src, ~0u),
	KW("dst", sel_dst, ~0u),
	KW("proto", sel_proto, ~0u),
	KW("sport", sel_sport, ~0u),
	KW("dport", sel_dport, ~0u),
	KW("type", sel_type, ~0u),
	KW("code", sel_code, ~0u),
};

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 33 || proto == 132 ||
	       proto == 136;
}

static bool is_icmp(uint8_t proto)
{
	return proto == 1 || proto == 58 || proto == 135;
}

/* Consistency of a finished selector; fills in its family. */
static int sel_check(struct ps *p, struct nipsec_sel *s, const char *name)
{
	if (s->src.family && s->dst.family && s->src.family != s->dst.family)
		return fail(p, "%s: src and dst address families differ", name);
	s->family = s->src.family ? s->src.family : s->dst.family;
	if ((s->sport_min || s->sport_max || s->dport_min || s->dport_max) &&
	    !has_ports(s->proto))
		return fail(p, "%s: \"sport\" and \"dport\" need proto tcp, udp, sctp, dccp or udplite",
			    name);
	if ((s->has_icmp_type || s->has_icmp_code) && !is_icmp(s->proto))
		return fail(p, "%s: \"type\" and \"code\" need proto icmp or ipv6-icmp",
			    name);
	return 0;
}

/* ---- SA words ---- */

static int sa_src(struct ps *p, const char *kw)
{
	return get_addr(p, kw, &p->cmd->sa.src);
}

static int sa_dst(struct ps *p, const char *kw)
{
	return get_addr(p, kw, &p->cmd->sa.dst);
}

static int sa_proto(struct ps *p, const char *kw)
{
	return get_xfrm_proto(p, kw, &p->cmd->sa.proto);
}

static int sa_spi(struct ps *p, const char *kw)
{
	p->has_spi = true;
	return get_u32(p, kw, &p->cmd->sa.spi, 0, UINT32_MAX);
}

static int sa_mode(struct ps *p, const char *kw)
{
	return get_mode(p, kw, &p->cmd->sa.mode);
}

static int sa_reqid(struct ps *p, const char *kw)
{
	return get_u32(p, kw, &p->cmd->sa.reqid, 0, UINT32_MAX);
}

static int sa_replay(struct ps *p, const char *kw)
{
	p->cmd->sa.has_replay_window = true;
	return get_u32(p, kw, &p->cmd->sa.replay_window, 0,
		       NIPSEC_MAX_REPLAY_WINDOW);
}

/* "replay-oseq N": the last sequence number sent, as the kernel keeps it */
static int sa_oseq(struct ps *p, const char *kw)
{
	uint32_t v;

	if (get_u32(p, kw, &v, 0, UINT32_MAX))
		return -1;
	p->cmd->sa.has_seq = true;
	p->cmd->sa.seq = (p->cmd->sa.seq & ~0xffffffffull) | v;
	return 0;
}

static int sa_oseq_hi(struct ps *p, const char *kw)
{
	uint32_t v;

	if (get_u32(p, kw, &v, 0, UINT32_MAX))
		return -1;
	p->cmd->sa.has_seq = true;
	p->cmd->sa.seq = (p->cmd->sa.seq & 0xffffffffull) | (uint64_t)v << 32;
	return 0;
}

static int sa_flag(struct ps *p, const char *kw)
{
	static const char *const xfrm_flags[] = {
		"noecn", "decap-dscp", "nopmtudisc", "wildrecv", "icmp",
		"af-unspec", "align4",
	};
	int n = 0;
	const char *w;

	while ((w = peek(p))) {
		size_t k;

		if (!strcmp(w, "esn")) {
			p->cmd->sa.esn = true;
			p->i++;
			n++;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(xfrm_flags); k++)
			if (!strcmp(w, xfrm_flags[k]))
				return fail(p, "flag \"%s\" is not supported by nipsec",
					    w);
		break;
	}
	if (!n)
		return fail(p, "\"%s\" needs a flag (esn)", kw);
	return 0;
}

/* NAME KEY [BITS] of aead, enc, auth, auth-trunc */
static int sa_alg(struct ps *p, const char *kw)
{
	struct nipsec_sa_cfg *c = &p->cmd->sa;
	bool is_aead = !strcmp(kw, "aead");
	bool trunc = !strcmp(kw, "auth-trunc");
	enum alg_kind kind = is_aead ? ALG_AEAD : kw[0] == 'e' ? ALG_ENC : ALG_AUTH;
	struct nipsec_alg *alg = is_aead ? &c->aead :
				 kind == ALG_ENC ? &c->enc : &c->auth;
	const char *name, *key;

	if (alg->name[0])
		return fail(p, "more than one %s algorithm", kw);
	if (p->argc - p->i < ((is_aead || trunc) ? 3 : 2))
		return fail(p, "\"%s\" needs %s", kw,
			    (is_aead || trunc) ? "NAME KEY BITS" : "NAME KEY");
	name = p->argv[p->i++];
	key = p->argv[p->i++];
	if (parse_key(key, p->env, alg->key, &alg->key_len, p->err))
		return -1;
	if ((is_aead || trunc) && get_u32(p, kw, &alg->bits, 0, 65535))
		return -1;
	return alg_check(kind, name, alg, is_aead || trunc, p->err);
}

/* A proposal names exact key sizes: aes256gcm16 is 288 bits, no less. */
static int proposal_key(struct ps *p, const char *name, struct nipsec_alg *a,
			uint16_t want)
{
	if (parse_key(p->argv[p->i++], p->env, a->key, &a->key_len, p->err))
		return -1;
	if (a->key_len != want)
		return fail(p, "proposal %s: key is %u bits, must be %u", name,
			    a->key_len * 8u, want * 8u);
	return 0;
}

/* strongSwan names: "proposal aes256gcm16 KEY", "proposal aes-sha256 K1 K2" */
static int sa_proposal(struct ps *p, const char *kw)
{
	struct nipsec_sa_cfg *c = &p->cmd->sa;
	struct proposal pr;
	const char *name;
	int nkeys;

	if (c->aead.name[0] || c->enc.name[0] || c->auth.name[0])
		return fail(p, "\"proposal\" replaces aead, enc and auth: give only one");
	if (arg(p, kw, &name) || proposal_parse(name, &pr, p->err))
		return -1;
	nkeys = proposal_nkeys(&pr);
	if (p->argc - p->i < nkeys)
		return fail(p, "proposal %s needs %d key%s", name, nkeys,
			    nkeys > 1 ? "s (encryption, then integrity)" : "");
	if (pr.aead) {
		c->aead.bits = pr.icv_bits;
		if (proposal_key(p, name, &c->aead, pr.enc_key_len) ||
		    alg_check(ALG_AEAD, pr.enc, &c->aead, true, p->err))
			return -1;
	} else if (pr.enc[0]) {
		if (pr.enc_key_len && proposal_key(p, name, &c->enc, pr.enc_key_len))
			return -1;
		if (alg_check(ALG_ENC, pr.enc, &c->enc, false, p->err))
			return -1;
	}
	if (pr.auth[0]) {
		c->auth.bits = pr.trunc_bits;
		if (proposal_key(p, name, &c->auth, pr.auth_key_len) ||
		    alg_check(ALG_AUTH, pr.auth, &c->auth, true, p->err))
			return -1;
	}
	c->esn |= pr.esn;
	return 0;
}

static int sa_sel(struct ps *p, const char *kw)
{
	struct nipsec_sa_cfg *c = &p->cmd->sa;
	int start = p->i;

	c->has_sel = true;
	if (run_table(p, sel_kws, ARRAY_SIZE(sel_kws), p->cmd->op, true))
		return -1;
	if (p->i == start)
		return fail(p, "\"%s\" needs selector words (src, dst, proto, ...)",
			    kw);
	return sel_check(p, &c->sel, "sel");
}

static int lft(struct ps *p, const char *kw)
{
	static const struct {
		const char *name;
		size_t off;
	} t[] = {
		{ "time-soft", offsetof(struct nipsec_lifetime, soft_add_seconds) },
		{ "time-hard", offsetof(struct nipsec_lifetime, hard_add_seconds) },
		{ "time-use-soft", offsetof(struct nipsec_lifetime, soft_use_seconds) },
		{ "time-use-hard", offsetof(struct nipsec_lifetime, hard_use_seconds) },
		{ "byte-soft", offsetof(struct nipsec_lifetime, soft_bytes) },
		{ "byte-hard", offsetof(struct nipsec_lifetime, hard_bytes) },
		{ "packet-soft", offsetof(struct nipsec_lifetime, soft_packets) },
		{ "packet-hard", offsetof(struct nipsec_lifetime, hard_packets) },
	};
	char *base = (char *)&p->cmd->sa.lifetime;

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (!strcmp(kw, t[i].name))
			return get_limit(p, kw, (uint64_t *)(base + t[i].off));
	return -1;
}

static const struct kw limit_kws[] = {
	KW("time-soft", lft, ~0u),
	KW("time-hard", lft, ~0u),
	KW("time-use-soft", lft, ~0u),
	KW("time-use-hard", lft, ~0u),
	KW("byte-soft", lft, ~0u),
	KW("byte-hard", lft, ~0u),
	KW("packet-soft", lft, ~0u),
	KW("packet-hard", lft, ~0u),
};

/* "limit time-soft 10 limit time-hard 20" as ip writes it, or grouped */
static int sa_limit(struct ps *p, const char *kw)
{
	int start = p->i;

	for (;;) {
		if (run_table(p, limit_kws, ARRAY_SIZE(limit_kws), p->cmd->op, true))
			return -1;
		if (p->i == start)
			return fail(p, "\"%s\" needs time-soft, time-hard, byte-soft, ...",
				    kw);
		if (!peek(p) || strcmp(peek(p), "limit"))
			return 0;
		p->i++;
		start = p->i;
	}
}

static int sa_encap(struct ps *p, const char *kw)
{
	struct nipsec_encap_cfg *e = &p->cmd->sa.encap;
	const char *type;

	if (arg(p, kw, &type))
		return -1;
	if (strcmp(type, "espinudp"))
		return fail(p, "encap \"%s\": only espinudp is supported", type);
	p->cmd->sa.has_encap = true;
	e->type = NIPSEC_ENCAP_ESPINUDP;
	if (get_u16(p, "encap sport", &e->sport) ||
	    get_u16(p, "encap dport", &e->dport) ||
	    get_addr(p, "encap oa", &e->oa))
		return -1;
	/* ip xfrm needs an OA word even when there is none: 0.0.0.0 or :: */
	if ((e->oa.family == AF_INET && !e->oa.u.v4.s_addr) ||
	    (e->oa.family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&e->oa.u.v6)))
		e->oa.family = 0;
	/* nipsec's own word: follow NAT rebinding in the kernel */
	if (peek(p) && !strcmp(peek(p), "rebind")) {
		p->i++;
		e->rebind = true;
	}
	return 0;
}

/* spi alloc words */
static int spi_min(struct ps *p, const char *kw)
{
	p->has_min = true;
	return get_u32(p, kw, &p->cmd->spi.spi_min, 1, UINT32_MAX);
}

static int spi_max(struct ps *p, const char *kw)
{
	p->has_max = true;
	return get_u32(p, kw, &p->cmd->spi.spi_max, 1, UINT32_MAX);
}

static int spi_timeout(struct ps *p, const char *kw)
{
	return get_u32(p, kw, &p->cmd->spi.timeout, 1, UINT32_MAX);
}

static const struct kw sa_kws[] = {
	KW("src", sa_src, SA_ANY | OPS(OP_SPI_ALLOC)),
	KW("dst", sa_dst, SA_ANY | OPS(OP_SPI_ALLOC)),
	KW("proto", sa_proto, SA_ANY | OPS(OP_SA_FLUSH) | OPS(OP_SPI_ALLOC)),
	KW("spi", sa_spi, SA_ANY),
	KW("reqid", sa_reqid, SA_CFG | OPS(OP_SA_LIST) | OPS(OP_SPI_ALLOC)),
	KW("mode", sa_mode, SA_CFG | OPS(OP_SPI_ALLOC)),
	KW("replay-window", sa_replay, SA_CFG),
	KW("replay-oseq", sa_oseq, SA_CFG),
	KW("replay-oseq-hi", sa_oseq_hi, SA_CFG),
	KW("flag", sa_flag, SA_CFG),
	KW("aead", sa_alg, SA_CFG),
	KW("enc", sa_alg, SA_CFG),
	KW("auth", sa_alg, SA_CFG),
	KW("auth-trunc", sa_alg, SA_CFG),
	KW("proposal", sa_proposal, SA_CFG),
	KW("sel", sa_sel, SA_CFG),
	{ .name = "limit", .fn = sa_limit, .ops = SA_CFG, .repeat = true },
	KW("encap", sa_encap, SA_CFG),
	KW("min", spi_min, OPS(OP_SPI_ALLOC)),
	KW("max", spi_max, OPS(OP_SPI_ALLOC)),
	KW("timeout", spi_timeout, OPS(OP_SPI_ALLOC)),
	KW("nokeys", no_op_word, OPS(OP_SA_LIST) | OPS(OP_SA_FLUSH)),
};

static int need_addrs(struct ps *p, const struct nipsec_addr *src,
		      const struct nipsec_addr *dst, bool need_src)
{
	if (need_src && !src->family)
		return fail(p, "\"%s\" needs \"src ADDR\"", p->what);
	if (!dst->family)
		return fail(p, "\"%s\" needs \"dst ADDR\"", p->what);
	if (src->family && src->family != dst->family)
		return fail(p, "src and dst address families differ");
	return 0;
}

static int need_proto_spi(struct ps *p, uint8_t proto)
{
	if (!proto)
		return fail(p, "\"%s\" needs \"proto esp|ah\"", p->what);
	if (!p->has_spi)
		return fail(p, "\"%s\" needs \"spi SPI\"", p->what);
	if (!p->cmd->sa.spi)
		return fail(p, "spi 0 is reserved");
	return 0;
}

/* Which algorithms make a valid SA of this protocol. */
static int sa_algs_check(struct ps *p, const struct nipsec_sa_cfg *c)
{
	bool aead = c->aead.name[0], enc = c->enc.name[0], auth = c->auth.name[0];

	if (c->proto == NIPSEC_PROTO_AH) {
		if (aead || enc)
			return fail(p, "AH takes only an auth algorithm");
		if (!auth && p->cmd->op == OP_SA_ADD)
			return fail(p, "AH needs an auth or auth-trunc algorithm");
		return 0;
	}
	if (aead && (enc || auth))
		return fail(p, "an aead algorithm excludes enc and auth");
	if (!aead && !enc && (auth || p->cmd->op == OP_SA_ADD))
		return fail(p, "ESP needs an aead or an enc algorithm (enc cipher_null \"\" for integrity only)");
	return 0;
}

static int sa_finish(struct ps *p)
{
	struct cmd *cmd = p->cmd;
	struct nipsec_sa_cfg *c = &cmd->sa;

	switch (cmd->op) {
	case OP_SA_ADD:
	case OP_SA_UPDATE:
		/* an update names its SA by (spi, proto, dst) like a delete */
		if (need_addrs(p, &c->src, &c->dst, cmd->op == OP_SA_ADD) ||
		    need_proto_spi(p, c->proto) || sa_algs_check(p, c))
			return -1;
		if (c->has_encap && c->proto != NIPSEC_PROTO_ESP)
			return fail(p, "encap needs proto esp");
		if (c->has_encap && c->encap.oa.family &&
		    c->encap.oa.family != c->src.family)
			return fail(p, "encap: oa and SA address families differ");
		/* the kernel's seq is, like ip's replay-oseq, the last one sent */
		return 0;
	case OP_SA_DEL:
	case OP_SA_GET:
		if (need_addrs(p, &c->src, &c->dst, false) ||
		    need_proto_spi(p, c->proto))
			return -1;
		cmd->id.spi = c->spi;
		cmd->id.proto = c->proto;
		cmd->id.dst = c->dst;
		return 0;
	case OP_SA_LIST:
		if (c->src.family && c->dst.family && c->src.family != c->dst.family)
			return fail(p, "src and dst address families differ");
		if (p->has_spi && !c->spi)
			return fail(p, "spi 0 is reserved");
		cmd->filter.src = c->src;
		cmd->filter.dst = c->dst;
		cmd->filter.spi = c->spi;
		cmd->filter.proto = c->proto;
		cmd->filter.reqid = c->reqid;
		return 0;
	case OP_SA_FLUSH:
		cmd->proto = c->proto;
		return 0;
	case OP_SPI_ALLOC:
		if (need_addrs(p, &c->src, &c->dst, true))
			return -1;
		if (!c->proto)
			return fail(p, "\"%s\" needs \"proto esp|ah\"", p->what);
		cmd->spi.src = c->src;
		cmd->spi.dst = c->dst;
		cmd->spi.proto = c->proto;
		cmd->spi.reqid = c->reqid;
		/* one bound alone: the other is the end of the usable range */
		if (p->has_min && !p->has_max)
			cmd->spi.spi_max = UINT32_MAX;
		if (p->has_max && !p->has_min)
			cmd->spi.spi_min = 0x100;
		if (cmd->spi.spi_min > cmd->spi.spi_max)
			return fail(p, "spi alloc: min is above max");
		return 0;
	default:
		return fail(p, "internal error: not an sa command");
	}
}

/* ---- policies ---- */

static int pol_dir(struct ps *p, const char *kw)
{
	int v;

	p->has_dir = true;
	if (get_name(p, kw, dirs, &v))
		return -1;
	p->cmd->pol.dir = (uint8_t)v;
	p->cmd->dir = v;
	return 0;
}

static int pol_priority(struct ps *p, const char *kw)
{
	return get_u32(p, kw, &p->cmd->pol.priority, 0, UINT32_MAX);
}

/* ip xfrm's allow/block, or the spec's own names */
static int pol_action(struct ps *p, const char *kw)
{
	static const struct name_val words[] = {
		{ "allow", NIPSEC_ACTION_BYPASS },
		{ "block", NIPSEC_ACTION_DISCARD },
		{ "protect", NIPSEC_ACTION_PROTECT },
		{ "bypass", NIPSEC_ACTION_BYPASS },
		{ "discard", NIPSEC_ACTION_DISCARD },
		{ NULL, 0 }
	};
	int v;

	p->action_word = peek(p);
	if (get_name(p, kw, words, &v))
		return -1;
	p->has_action_word = true;
	p->cmd->pol.action = (uint8_t)v;
	return 0;
}

static int pol_id(struct ps *p, const char *kw)
{
	p->cmd->by_id = true;
	return get_u32(p, kw, &p->cmd->policy_id, 0, UINT32_MAX);
}

static int tmpl_src(struct ps *p, const char *kw)
{
	return get_addr(p, kw, &p->cmd->pol.tmpl.src);
}

static int tmpl_dst(struct ps *p, const char *kw)
{
	return get_addr(p, kw, &p->cmd->pol.tmpl.dst);
}

static int tmpl_proto(struct ps *p, const char *kw)
{
	return get_xfrm_proto(p, kw, &p->cmd->pol.tmpl.proto);
}

static int tmpl_spi(struct ps *p, const char *kw)
{
	return get_u32(p, kw, &p->cmd->pol.tmpl.spi, 0, UINT32_MAX);
}

static int tmpl_mode(struct ps *p, const char *kw)
{
	return get_mode(p, kw, &p->cmd->pol.tmpl.mode);
}

static int tmpl_reqid(struct ps *p, const char *kw)
{
	return get_u32(p, kw, &p->cmd->pol.tmpl.reqid, 0, UINT32_MAX);
}

/* ip xfrm's "level required" is what nipsec does; "use" it cannot */
static int tmpl_level(struct ps *p, const char *kw)
{
	const char *v;

	if (arg(p, kw, &v))
		return -1;
	if (!strcmp(v, "required"))
		return 0;
	if (!strcmp(v, "use"))
		return fail(p, "\"level use\" (optional templates) is not supported by nipsec");
	return fail(p, "\"level %s\": must be required", v);
}

static const struct kw tmpl_kws[] = {
	KW("src", tmpl_src, ~0u),
	KW("dst", tmpl_dst, ~0u),
	KW("proto", tmpl_proto, ~0u),
	KW("spi", tmpl_spi, ~0u),
	KW("mode", tmpl_mode, ~0u),
	KW("reqid", tmpl_reqid, ~0u),
	KW("level", tmpl_level, ~0u),
};

static int pol_tmpl(struct ps *p, const char *kw)
{
	struct nipsec_tmpl *t = &p->cmd->pol.tmpl;

	if (p->cmd->pol.has_tmpl)
		return fail(p, "a second \"tmpl\" is not supported by nipsec: one transform per policy (no SA bundles)");
	p->cmd->pol.has_tmpl = true;
	if (run_table(p, tmpl_kws, ARRAY_SIZE(tmpl_kws), p->cmd->op, true))
		return -1;
	if (!t->proto)
		return fail(p, "\"%s\" needs \"proto esp|ah\"", kw);
	if (t->src.family && t->dst.family && t->src.family != t->dst.family)
		return fail(p, "tmpl: src and dst address families differ");
	if (t->mode == NIPSEC_MODE_TUNNEL && (!t->src.family || !t->dst.family))
		return fail(p, "tmpl: tunnel mode needs src and dst");
	return 0;
}

/* ip xfrm lines often say "ptype main", which is all nipsec has */
static int pol_ptype(struct ps *p, const char *kw)
{
	const char *v;

	if (arg(p, kw, &v))
		return -1;
	if (strcmp(v, "main"))
		return fail(p, "\"ptype %s\" is not supported by nipsec (only main)", v);
	return 0;
}

/* policy words of ip xfrm with no meaning in nipsec, refused with why */
static int pol_refused(struct ps *p, const char *kw)
{
	const char *v = peek(p);

	if (!strcmp(kw, "flag"))
		return fail(p, "policy \"flag %s\" is not supported by nipsec%s", v ? v : "",
			    v && !strcmp(v, "icmp") ?
			    ": ICMP errors are matched by the flow they quote, always" : "");
	if (!strcmp(kw, "limit"))
		return fail(p, "policy \"limit\" is not supported by nipsec: policies have no lifetimes (SAs do)");
	if (!strcmp(kw, "index"))
		return fail(p, "\"index\" on policy add is not supported by nipsec: the kernel assigns ids (get and del take them)");
	return fail(p, "\"policy list %s\" is not supported by nipsec: it filters by dir only",
		    kw);
}

#define POL_SEL (OPS(OP_POLICY_ADD) | OPS(OP_POLICY_DEL) | OPS(OP_POLICY_GET))

static const struct kw pol_kws[] = {
	KW("src", sel_src, POL_SEL),
	KW("dst", sel_dst, POL_SEL),
	KW("proto", sel_proto, POL_SEL),
	KW("sport", sel_sport, POL_SEL),
	KW("dport", sel_dport, POL_SEL),
	KW("type", sel_type, POL_SEL),
	KW("code", sel_code, POL_SEL),
	KW("dir", pol_dir, POL_SEL | OPS(OP_POLICY_LIST) | OPS(OP_POLICY_FLUSH)),
	KW("priority", pol_priority, OPS(OP_POLICY_ADD)),
	KW("ptype", pol_ptype, POL_SEL | OPS(OP_POLICY_LIST) | OPS(OP_POLICY_FLUSH)),
	KW("action", pol_action, OPS(OP_POLICY_ADD)),
	/* repeatable so that pol_tmpl says why a second one is refused */
	{ .name = "tmpl", .fn = pol_tmpl, .ops = OPS(OP_POLICY_ADD), .repeat = true },
	KW("id", pol_id, OPS(OP_POLICY_DEL) | OPS(OP_POLICY_GET)),
	KW("index", pol_id, OPS(OP_POLICY_DEL) | OPS(OP_POLICY_GET)),
	KW("index", pol_refused, OPS(OP_POLICY_ADD)),
	KW("flag", pol_refused, OPS(OP_POLICY_ADD)),
	KW("limit", pol_refused, OPS(OP_POLICY_ADD)),
	KW("action", pol_refused, OPS(OP_POLICY_LIST)),
	KW("priority", pol_refused, OPS(OP_POLICY_LIST)),
	KW("nosock", no_op_word, OPS(OP_POLICY_LIST) | OPS(OP_POLICY_FLUSH)),
};

static int pol_finish(struct ps *p)
{
	struct cmd *cmd = p->cmd;
	struct nipsec_policy_cfg *c = &cmd->pol;
	bool sel_given = c->sel.src.family || c->sel.dst.family || c->sel.proto;

	if (cmd->op == OP_POLICY_LIST || cmd->op == OP_POLICY_FLUSH)
		return 0;
	if (sel_check(p, &c->sel, "selector"))
		return -1;
	if (cmd->op != OP_POLICY_ADD && cmd->by_id) {
		/* ip xfrm says "index N dir D": the kernel checks that dir */
		if (sel_given)
			return fail(p, "\"id\" identifies the policy alone: drop the selector");
		cmd->id_dir = p->has_dir;
		return 0;
	}
	if (!p->has_dir)
		return fail(p, "\"%s\" needs \"dir in|out|fwd\"%s", p->what,
			    cmd->op == OP_POLICY_ADD ? "" : " or \"id N\"");
	if (cmd->op != OP_POLICY_ADD)
		return 0;
	if (!p->has_action_word)
		c->action = c->has_tmpl ? NIPSEC_ACTION_PROTECT : NIPSEC_ACTION_BYPASS;
	else if (c->has_tmpl && !strcmp(p->action_word, "allow"))
		c->action = NIPSEC_ACTION_PROTECT;	/* ip xfrm: allow + tmpl */
	if (c->action == NIPSEC_ACTION_PROTECT && !c->has_tmpl)
		return fail(p, "action protect needs a \"tmpl\"");
	if (c->action != NIPSEC_ACTION_PROTECT && c->has_tmpl)
		return fail(p, "a \"tmpl\" needs action protect (or allow)");
	return 0;
}

/* ---- stats ---- */

static int st_spi(struct ps *p, const char *kw)
{
	p->has_spi = true;
	return get_u32(p, kw, &p->cmd->id.spi, 1, UINT32_MAX);
}

static int st_dst(struct ps *p, const char *kw)
{
	return get_addr(p, kw, &p->cmd->id.dst);
}

static int st_proto(struct ps *p, const char *kw)
{
	return get_xfrm_proto(p, kw, &p->cmd->id.proto);
}

static const struct kw stats_kws[] = {
	KW("sa", st_spi, OPS(OP_STATS)),
	KW("spi", st_spi, OPS(OP_STATS)),
	KW("dst", st_dst, OPS(OP_STATS)),
	KW("proto", st_proto, OPS(OP_STATS)),
};

static int stats_finish(struct ps *p)
{
	struct nipsec_sa_id *id = &p->cmd->id;

	p->cmd->has_id = p->has_spi || id->dst.family || id->proto;
	if (!p->cmd->has_id)
		return 0;
	if (!p->has_spi || !id->dst.family || !id->proto)
		return fail(p, "stats of one SA need \"sa SPI dst ADDR proto esp|ah\"");
	return 0;
}

/* ---- monitor ---- */

/* ip xfrm monitor [ all-nsid ] [ nokeys ] [ all | LISTofXFRM-OBJECTS ] */
static int monitor_words(struct ps *p)
{
	static const struct {
		const char *word;
		unsigned int events;
	} objs[] = {
		{ "all", NIPSEC_EVENTS_XFRM },
		{ "acquire", 1u << NIPSEC_EVENT_ACQUIRE },
		{ "expire", 1u << NIPSEC_EVENT_EXPIRE },
		{ "SA", 1u << NIPSEC_EVENT_SA_DEL },
		{ "sa", 1u << NIPSEC_EVENT_SA_DEL },
		{ "policy", 1u << NIPSEC_EVENT_POLICY_DEL },
		{ "mapping", 1u << NIPSEC_EVENT_MAPPING },
		/* nipsec's own: dropped packets (the drops group) */
		{ "drops", NIPSEC_EVENTS_DROPS },
	};
	const char *w;

	while ((w = peek(p))) {
		size_t k;

		p->i++;
		if (!strcmp(w, "nokeys"))
			continue;	/* events never carry keys */
		for (k = 0; k < ARRAY_SIZE(objs); k++)
			if (!strcmp(w, objs[k].word))
				break;
		if (k < ARRAY_SIZE(objs)) {
			p->cmd->events |= objs[k].events;
			continue;
		}
		p->i--;
		if (!strcmp(w, "aevent") || !strcmp(w, "report"))
			return fail(p, "\"monitor %s\" is not supported by nipsec: there are no %s events",
				    w, w[0] == 'a' ? "replay (aevent)" : "report");
		if (unsupported(p, w))
			return -1;
		return fail(p, "unknown word \"%s\" in \"monitor\"", w);
	}
	return 0;
}

/* ---- objects and commands ---- */

struct verb {
	const char *object;
	const char *verb;		/* NULL: the object alone */
	enum nipsec_op op;
};

static const struct verb verbs[] = {
	{ "sa", "add", OP_SA_ADD },
	{ "sa", "update", OP_SA_UPDATE },
	{ "sa", "del", OP_SA_DEL },
	{ "sa", "delete", OP_SA_DEL },
	{ "sa", "get", OP_SA_GET },
	{ "sa", "list", OP_SA_LIST },
	{ "sa", "show", OP_SA_LIST },
	{ "sa", "ls", OP_SA_LIST },
	{ "sa", "flush", OP_SA_FLUSH },
	{ "sa", "deleteall", OP_SA_FLUSH },
	{ "sa", "allocspi", OP_SPI_ALLOC },
	{ "sa", "count", OP_SA_COUNT },
	{ "spi", "alloc", OP_SPI_ALLOC },
	{ "policy", "add", OP_POLICY_ADD },
	{ "policy", "del", OP_POLICY_DEL },
	{ "policy", "delete", OP_POLICY_DEL },
	{ "policy", "get", OP_POLICY_GET },
	{ "policy", "list", OP_POLICY_LIST },
	{ "policy", "show", OP_POLICY_LIST },
	{ "policy", "ls", OP_POLICY_LIST },
	{ "policy", "flush", OP_POLICY_FLUSH },
	{ "policy", "deleteall", OP_POLICY_FLUSH },
	{ "policy", "count", OP_POLICY_COUNT },
	{ "stats", NULL, OP_STATS },
	{ "monitor", NULL, OP_MONITOR },
	{ "help", NULL, OP_HELP },
};

static const struct name_val object_aliases[] = {
	{ "state", 0 },			/* ip xfrm's word for an SA */
	{ "pol", 1 },
	{ NULL, 0 }
};

static const char *canon_object(const char *w)
{
	switch (name_lookup(object_aliases, w)) {
	case 0:
		return "sa";
	case 1:
		return "policy";
	}
	return w;
}

static bool known_object(const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(verbs[i].object, w))
			return true;
	return false;
}

static int find_verb(struct ps *p, const char *obj, const char *verb,
		     enum nipsec_op *op, bool *takes_verb)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		if (strcmp(verbs[i].object, obj))
			continue;
		*takes_verb = verbs[i].verb != NULL;
		if (!verbs[i].verb || (verb && !strcmp(verbs[i].verb, verb))) {
			*op = verbs[i].op;
			return 0;
		}
	}
	if (!verb)
		return fail(p, "\"%s\" needs a command (try \"nipsec help\")", obj);
	if (!strcmp(obj, "policy") && !strcmp(verb, "update"))
		return fail(p, "\"policy update\" is not supported by nipsec: there is no atomic replace (policy del, then policy add)");
	if (!strcmp(obj, "policy") && !strcmp(verb, "set"))
		return fail(p, "\"policy set\" is not supported by nipsec: its policy lookup has no hash thresholds to set");
	return fail(p, "unknown command \"%s %s\" (try \"nipsec help %s\")", obj,
		    verb, obj);
}

/*
 * Split a batch line into words like a shell would for simple cases:
 * blanks separate, '...' and "..." quote, backslash escapes, # starts a
 * comment. Returns the word count, or -1 for an unterminated quote.
 */
int split_words(char *line, char **words, int max)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		char q = 0;

		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (!*r || *r == '#')
			return n;
		if (n == max)
			return -1;
		words[n++] = w;
		while (*r && (q || (*r != ' ' && *r != '\t' && *r != '\n' &&
				    *r != '\r'))) {
			if (q && *r == q) {
				q = 0;
				r++;
			} else if (!q && (*r == '\'' || *r == '"')) {
				q = *r++;
			} else if (*r == '\\' && q != '\'' && r[1]) {
				*w++ = r[1];
				r += 2;
			} else {
				*w++ = *r++;
			}
		}
		if (q)
			return -1;
		if (*r)
			r++;
		*w++ = '\0';
	}
}

void cmd_wipe(struct cmd *cmd)
{
	explicit_bzero(cmd, sizeof(*cmd));
}

int parse_cmd(int argc, char **argv, const struct parse_env *env,
	      struct cmd *cmd, char *err)
{
	struct ps p = { .argc = argc, .argv = argv, .err = err, .env = env,
			.cmd = cmd };
	const char *obj;
	bool takes_verb = false;
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	cmd->dir = -1;
	err[0] = '\0';
	if (argc < 1)
		return fail(&p, "no command (try \"nipsec help\")");
	obj = canon_object(argv[0]);
	if (!known_object(obj))
		return fail(&p, "unknown object \"%s\" (try \"nipsec help\")", argv[0]);
	/* "nipsec sa help" is help too */
	if (argc > 1 && !strcmp(argv[1], "help")) {
		cmd->op = OP_HELP;
		cmd->topic = obj;
		return 0;
	}
	if (find_verb(&p, obj, argc > 1 ? argv[1] : NULL, &cmd->op, &takes_verb))
		return -1;
	p.i = takes_verb ? 2 : 1;
	snprintf(p.what, sizeof(p.what), "%s%s%s", obj, takes_verb ? " " : "",
		 takes_verb ? argv[1] : "");

	switch (cmd->op) {
	case OP_HELP:
		if (argc > 2)
			return fail(&p, "\"help\" takes at most one word");
		cmd->topic = argc > 1 ? canon_object(argv[1]) : NULL;
		if (cmd->topic && !known_object(cmd->topic))
			return fail(&p, "no help on \"%s\": not an object", argv[1]);
		return 0;
	case OP_MONITOR:
		return monitor_words(&p);
	case OP_SA_COUNT:
	case OP_POLICY_COUNT:
		return argc > 2 ? fail(&p, "\"%s\" takes no more words", p.what) : 0;
	case OP_STATS:
		ret = run_table(&p, stats_kws, ARRAY_SIZE(stats_kws), cmd->op, false);
		return ret ? ret : stats_finish(&p);
	case OP_POLICY_ADD:
	case OP_POLICY_DEL:
	case OP_POLICY_GET:
	case OP_POLICY_LIST:
	case OP_POLICY_FLUSH:
		ret = run_table(&p, pol_kws, ARRAY_SIZE(pol_kws), cmd->op, false);
		return ret ? ret : pol_finish(&p);
	default:
		ret = run_table(&p, sa_kws, ARRAY_SIZE(sa_kws), cmd->op, false);
		return ret ? ret : sa_finish(&p);
	}
}
