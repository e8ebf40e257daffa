// SPDX-License-Identifier: GPL-2.0
/*
 * The nipsec tool's SA and SPI words (sa add|update|del|get|list|flush,
 * spi alloc), as ip-xfrm(8) has them for "ip xfrm state".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nipsec.h"
#include "parse.h"

/* ---- SA words ---- */

static int sa_src(struct ps *p, const char *kw)
{
	return ps_get_addr(p, kw, &p->cmd->sa.src);
}

static int sa_dst(struct ps *p, const char *kw)
{
	return ps_get_addr(p, kw, &p->cmd->sa.dst);
}

static int sa_proto(struct ps *p, const char *kw)
{
	return ps_get_xfrm_proto(p, kw, &p->cmd->sa.proto);
}

static int sa_spi(struct ps *p, const char *kw)
{
	p->has_spi = true;
	return ps_get_u32(p, kw, &p->cmd->sa.spi, 0, UINT32_MAX);
}

static int sa_mode(struct ps *p, const char *kw)
{
	return ps_get_mode(p, kw, &p->cmd->sa.mode);
}

static int sa_reqid(struct ps *p, const char *kw)
{
	return ps_get_u32(p, kw, &p->cmd->sa.reqid, 0, UINT32_MAX);
}

static int sa_replay(struct ps *p, const char *kw)
{
	p->cmd->sa.has_replay_window = true;
	return ps_get_u32(p, kw, &p->cmd->sa.replay_window, 0,
		       NIPSEC_MAX_REPLAY_WINDOW);
}

/* "replay-oseq N": the last sequence number sent, as the kernel keeps it */
static int sa_oseq(struct ps *p, const char *kw)
{
	uint32_t v;

	if (ps_get_u32(p, kw, &v, 0, UINT32_MAX))
		return -1;
	p->cmd->sa.has_seq = true;
	p->cmd->sa.seq = (p->cmd->sa.seq & ~0xffffffffull) | v;
	return 0;
}

static int sa_oseq_hi(struct ps *p, const char *kw)
{
	uint32_t v;

	if (ps_get_u32(p, kw, &v, 0, UINT32_MAX))
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

	while ((w = ps_peek(p))) {
		size_t k;

		if (!strcmp(w, "esn")) {
			p->cmd->sa.esn = true;
			p->i++;
			n++;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(xfrm_flags); k++)
			if (!strcmp(w, xfrm_flags[k]))
				return ps_fail(p, "flag \"%s\" is not supported by nipsec",
					    w);
		break;
	}
	if (!n)
		return ps_fail(p, "\"%s\" needs a flag (esn)", kw);
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
		return ps_fail(p, "more than one %s algorithm", kw);
	if (p->argc - p->i < ((is_aead || trunc) ? 3 : 2))
		return ps_fail(p, "\"%s\" needs %s", kw,
			    (is_aead || trunc) ? "NAME KEY BITS" : "NAME KEY");
	name = p->argv[p->i++];
	key = p->argv[p->i++];
	if (parse_key(key, p->env, alg->key, &alg->key_len, p->err))
		return -1;
	if ((is_aead || trunc) && ps_get_u32(p, kw, &alg->bits, 0, 65535))
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
		return ps_fail(p, "proposal %s: key is %u bits, must be %u", name,
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
		return ps_fail(p, "\"proposal\" replaces aead, enc and auth: give only one");
	if (ps_arg(p, kw, &name) || proposal_parse(name, &pr, p->err))
		return -1;
	nkeys = proposal_nkeys(&pr);
	if (p->argc - p->i < nkeys)
		return ps_fail(p, "proposal %s needs %d key%s", name, nkeys,
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
	if (ps_sel_words(p))
		return -1;
	if (p->i == start)
		return ps_fail(p, "\"%s\" needs selector words (src, dst, proto, ...)",
			    kw);
	return ps_sel_check(p, &c->sel, "sel");
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
			return ps_get_limit(p, kw, (uint64_t *)(base + t[i].off));
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
		if (ps_run_table(p, limit_kws, ARRAY_SIZE(limit_kws), p->cmd->op, true))
			return -1;
		if (p->i == start)
			return ps_fail(p, "\"%s\" needs time-soft, time-hard, byte-soft, ...",
				    kw);
		if (!ps_peek(p) || strcmp(ps_peek(p), "limit"))
			return 0;
		p->i++;
		start = p->i;
	}
}

static int sa_encap(struct ps *p, const char *kw)
{
	struct nipsec_encap_cfg *e = &p->cmd->sa.encap;
	const char *type;

	if (ps_arg(p, kw, &type))
		return -1;
	if (strcmp(type, "espinudp"))
		return ps_fail(p, "encap \"%s\": only espinudp is supported", type);
	p->cmd->sa.has_encap = true;
	e->type = NIPSEC_ENCAP_ESPINUDP;
	if (ps_get_u16(p, "encap sport", &e->sport) ||
	    ps_get_u16(p, "encap dport", &e->dport) ||
	    ps_get_addr(p, "encap oa", &e->oa))
		return -1;
	/* ip xfrm needs an OA word even when there is none: 0.0.0.0 or :: */
	if ((e->oa.family == AF_INET && !e->oa.u.v4.s_addr) ||
	    (e->oa.family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&e->oa.u.v6)))
		e->oa.family = 0;
	/* nipsec's own word: follow NAT rebinding in the kernel */
	if (ps_peek(p) && !strcmp(ps_peek(p), "rebind")) {
		p->i++;
		e->rebind = true;
	}
	return 0;
}

/* spi alloc words */
static int spi_min(struct ps *p, const char *kw)
{
	p->has_min = true;
	return ps_get_u32(p, kw, &p->cmd->spi.spi_min, 1, UINT32_MAX);
}

static int spi_max(struct ps *p, const char *kw)
{
	p->has_max = true;
	return ps_get_u32(p, kw, &p->cmd->spi.spi_max, 1, UINT32_MAX);
}

static int spi_timeout(struct ps *p, const char *kw)
{
	return ps_get_u32(p, kw, &p->cmd->spi.timeout, 1, UINT32_MAX);
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
	KW("nokeys", ps_no_op_word, OPS(OP_SA_LIST) | OPS(OP_SA_FLUSH)),
};

static int need_addrs(struct ps *p, const struct nipsec_addr *src,
		      const struct nipsec_addr *dst, bool need_src)
{
	if (need_src && !src->family)
		return ps_fail(p, "\"%s\" needs \"src ADDR\"", p->what);
	if (!dst->family)
		return ps_fail(p, "\"%s\" needs \"dst ADDR\"", p->what);
	if (src->family && src->family != dst->family)
		return ps_fail(p, "src and dst address families differ");
	return 0;
}

static int need_proto_spi(struct ps *p, uint8_t proto)
{
	if (!proto)
		return ps_fail(p, "\"%s\" needs \"proto esp|ah\"", p->what);
	if (!p->has_spi)
		return ps_fail(p, "\"%s\" needs \"spi SPI\"", p->what);
	if (!p->cmd->sa.spi)
		return ps_fail(p, "spi 0 is reserved");
	return 0;
}

/* Which algorithms make a valid SA of this protocol. */
static int sa_algs_check(struct ps *p, const struct nipsec_sa_cfg *c)
{
	bool aead = c->aead.name[0], enc = c->enc.name[0], auth = c->auth.name[0];

	if (c->proto == NIPSEC_PROTO_AH) {
		if (aead || enc)
			return ps_fail(p, "AH takes only an auth algorithm");
		if (!auth && p->cmd->op == OP_SA_ADD)
			return ps_fail(p, "AH needs an auth or auth-trunc algorithm");
		return 0;
	}
	if (aead && (enc || auth))
		return ps_fail(p, "an aead algorithm excludes enc and auth");
	if (!aead && !enc && (auth || p->cmd->op == OP_SA_ADD))
		return ps_fail(p, "ESP needs an aead or an enc algorithm (enc cipher_null \"\" for integrity only)");
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
			return ps_fail(p, "encap needs proto esp");
		if (c->has_encap && c->encap.oa.family &&
		    c->encap.oa.family != c->src.family)
			return ps_fail(p, "encap: oa and SA address families differ");
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
			return ps_fail(p, "src and dst address families differ");
		if (p->has_spi && !c->spi)
			return ps_fail(p, "spi 0 is reserved");
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
			return ps_fail(p, "\"%s\" needs \"proto esp|ah\"", p->what);
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
			return ps_fail(p, "spi alloc: min is above max");
		return 0;
	default:
		return ps_fail(p, "internal error: not an sa command");
	}
}

/* After "sa <verb>" (or "spi alloc"): every word, then what they make */
int ps_sa_words(struct ps *p)
{
	if (ps_run_table(p, sa_kws, ARRAY_SIZE(sa_kws), p->cmd->op, false))
		return -1;
	return sa_finish(p);
}
