// SPDX-License-Identifier: GPL-2.0
/*
 * The nipsec generic-netlink family: request handlers and events.
 *
 * Attribute policies and the op table are generated from uapi/nipsec.yaml
 * (netlink-gen.c); this file turns validated attributes into SAD/SPD
 * changes and state back into attributes. Keys are never put into a reply.
 */
#include <linux/ip.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/ipv6.h>

#include "nipsec.h"
#include "netlink.h"
#include "acquire.h"
#include "stats.h"
#include "netlink-gen.h"
#include "policy.h"
#include "sa.h"

/**
 * nipsec_refused - refuse a request: the extack message, and dynamic debug
 * @extack: the requester's extended ACK, or NULL
 * @attr: the attribute at fault, or NULL
 * @msg: why, a string literal
 *
 * NL_SET_ERR_MSG() plus the same words to dynamic debug (`echo 'module
 * nipsec +p' > /proc/dynamic_debug/control`), rate-limited: an
 * unprivileged user namespace owner can provoke refusals at will.
 */
void nipsec_refused(struct netlink_ext_ack *extack, const struct nlattr *attr,
		    const char *msg)
{
	do_trace_netlink_extack(msg);
	if (extack) {
		extack->_msg = msg;
		if (attr)
			extack->bad_attr = attr;
	}
	net_dbg_ratelimited("refused: %s\n", msg);
}

/*
 * A required attribute: when it is missing the requester learns which
 * (extack's missing-attribute report, that names it and its nest) and
 * why (@msg, a string literal, for people).
 */
static bool nipsec_require(struct netlink_ext_ack *extack,
			   const struct nlattr *nest, struct nlattr **tb,
			   int type, const char *msg)
{
	if (!NL_REQ_ATTR_CHECK(extack, nest, tb, type))
		return false;
	NIPSEC_ERR_MSG(extack, msg);
	return true;
}

/**
 * nipsec_nl_pre_doit - take the namespace's lock for a do request
 * @ops: the op (unused)
 * @skb: the request
 * @info: the request's attributes
 *
 * Every do op runs under @nn->lock, from here to nipsec_nl_post_doit(),
 * and none runs once the namespace is being torn down (its hooks, SAs
 * and policies are going). The spec names these for every do.
 *
 * Return: 0, or -ENODEV (nothing is run, post_doit neither).
 */
int nipsec_nl_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		       struct genl_info *info)
{
	struct nipsec_net *nn = nipsec_pernet(genl_info_net(info));

	mutex_lock(&nn->lock);
	if (unlikely(nn->dying)) {
		mutex_unlock(&nn->lock);
		NIPSEC_ERR_MSG(info->extack, "the namespace is going away");
		return -ENODEV;
	}
	info->user_ptr[0] = nn;
	return 0;
}

/* The end of a do request: see nipsec_nl_pre_doit(). */
void nipsec_nl_post_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
			 struct genl_info *info)
{
	struct nipsec_net *nn = info->user_ptr[0];

	mutex_unlock(&nn->lock);
}

/* The namespace state of a do request, locked by nipsec_nl_pre_doit() */
static struct nipsec_net *nipsec_info_net(struct genl_info *info)
{
	struct nipsec_net *nn = info->user_ptr[0];

	lockdep_assert_held(&nn->lock);
	return nn;
}

/* ---------------------------------------------------------------- parsing */

/*
 * One address given as an IPv4 or an IPv6 attribute. *family stays 0 when
 * neither is present.
 */
static int nipsec_get_addr(struct nlattr **tb, int a4, int a6, u16 *family,
			   union nipsec_addr *addr, const char *what,
			   struct netlink_ext_ack *extack)
{
	if (tb[a4] && tb[a6]) {
		NL_SET_ERR_MSG_FMT(extack, "%s: give an IPv4 or an IPv6 address, not both",
				   what);
		return -EINVAL;
	}
	memset(addr, 0, sizeof(*addr));
	*family = 0;
	if (tb[a4]) {
		addr->a4 = nla_get_in_addr(tb[a4]);
		*family = AF_INET;
	} else if (tb[a6]) {
		addr->a6 = nla_get_in6_addr(tb[a6]);
		*family = AF_INET6;
	}
	return 0;
}

/* Source and destination of one object must be of one family. */
static int nipsec_get_addr_pair(struct nlattr **tb, int s4, int s6, int d4,
				int d6, u16 *family, union nipsec_addr *saddr,
				union nipsec_addr *daddr, const char *what,
				struct netlink_ext_ack *extack)
{
	u16 sf, df;
	int err;

	err = nipsec_get_addr(tb, s4, s6, &sf, saddr, what, extack);
	if (!err)
		err = nipsec_get_addr(tb, d4, d6, &df, daddr, what, extack);
	if (err)
		return err;
	if (sf && df && sf != df) {
		NL_SET_ERR_MSG_FMT(extack, "%s: source and destination families differ",
				   what);
		return -EINVAL;
	}
	*family = sf ?: df;
	return 0;
}

static int nipsec_get_ports(struct nlattr **tb, int amin, int amax, u16 *lo,
			    u16 *hi, struct netlink_ext_ack *extack)
{
	*lo = tb[amin] ? nla_get_u16(tb[amin]) : 0;
	*hi = tb[amax] ? nla_get_u16(tb[amax]) : (tb[amin] ? *lo : U16_MAX);
	if (*lo > *hi) {
		NIPSEC_ERR_MSG(extack, "selector: port range is empty (min > max)");
		return -EINVAL;
	}
	return 0;
}

static int nipsec_parse_sel(const struct nlattr *nla,
			    struct nipsec_selector *sel,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NIPSEC_A_SELECTOR_MAX + 1];
	unsigned int maxlen;
	u16 fam;
	int err;

	memset(sel, 0, sizeof(*sel));
	sel->icmp_type = -1;
	sel->icmp_code = -1;
	sel->sport_max = U16_MAX;
	sel->dport_max = U16_MAX;
	if (!nla)
		return 0;
	err = nla_parse_nested(tb, NIPSEC_A_SELECTOR_MAX, nla,
			       nipsec_selector_nl_policy, extack);
	if (err)
		return err;
	err = nipsec_get_addr_pair(tb, NIPSEC_A_SELECTOR_SRC_V4,
				   NIPSEC_A_SELECTOR_SRC_V6,
				   NIPSEC_A_SELECTOR_DST_V4,
				   NIPSEC_A_SELECTOR_DST_V6, &fam, &sel->saddr,
				   &sel->daddr, "selector", extack);
	if (err)
		return err;
	if (tb[NIPSEC_A_SELECTOR_FAMILY]) {
		u16 f = nla_get_u16(tb[NIPSEC_A_SELECTOR_FAMILY]);

		if (f && f != AF_INET && f != AF_INET6) {
			NIPSEC_ERR_MSG_ATTR(extack, tb[NIPSEC_A_SELECTOR_FAMILY],
					    "selector: family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
		if (fam && f && f != fam) {
			NIPSEC_ERR_MSG(extack, "selector: family and addresses disagree");
			return -EINVAL;
		}
		fam = fam ?: f;
	}
	sel->family = fam;
	maxlen = fam == AF_INET6 ? 128 : 32;
	/* an address without a prefix length is a host */
	sel->sprefix = tb[NIPSEC_A_SELECTOR_SRC_PREFIX] ?
		       nla_get_u8(tb[NIPSEC_A_SELECTOR_SRC_PREFIX]) :
		       (tb[NIPSEC_A_SELECTOR_SRC_V4] || tb[NIPSEC_A_SELECTOR_SRC_V6] ?
			maxlen : 0);
	sel->dprefix = tb[NIPSEC_A_SELECTOR_DST_PREFIX] ?
		       nla_get_u8(tb[NIPSEC_A_SELECTOR_DST_PREFIX]) :
		       (tb[NIPSEC_A_SELECTOR_DST_V4] || tb[NIPSEC_A_SELECTOR_DST_V6] ?
			maxlen : 0);
	if (!fam && (sel->sprefix || sel->dprefix)) {
		NIPSEC_ERR_MSG(extack, "selector: a prefix length needs an address or family");
		return -EINVAL;
	}
	if (sel->sprefix > maxlen || sel->dprefix > maxlen) {
		NIPSEC_ERR_MSG(extack, "selector: prefix longer than the address");
		return -EINVAL;
	}
	if (tb[NIPSEC_A_SELECTOR_PROTO])
		sel->proto = nla_get_u8(tb[NIPSEC_A_SELECTOR_PROTO]);
	err = nipsec_get_ports(tb, NIPSEC_A_SELECTOR_SPORT_MIN,
			       NIPSEC_A_SELECTOR_SPORT_MAX, &sel->sport_min,
			       &sel->sport_max, extack);
	if (!err)
		err = nipsec_get_ports(tb, NIPSEC_A_SELECTOR_DPORT_MIN,
				       NIPSEC_A_SELECTOR_DPORT_MAX,
				       &sel->dport_min, &sel->dport_max, extack);
	if (err)
		return err;
	if (tb[NIPSEC_A_SELECTOR_ICMP_TYPE])
		sel->icmp_type = nla_get_u8(tb[NIPSEC_A_SELECTOR_ICMP_TYPE]);
	if (tb[NIPSEC_A_SELECTOR_ICMP_CODE])
		sel->icmp_code = nla_get_u8(tb[NIPSEC_A_SELECTOR_ICMP_CODE]);
	if ((sel->icmp_type >= 0 || sel->icmp_code >= 0) &&
	    sel->proto != IPPROTO_ICMP && sel->proto != IPPROTO_ICMPV6) {
		NIPSEC_ERR_MSG(extack, "selector: ICMP type/code need proto icmp or ipv6-icmp");
		return -EINVAL;
	}
	if ((sel->sport_min || sel->sport_max != U16_MAX || sel->dport_min ||
	     sel->dport_max != U16_MAX) &&
	    (!sel->proto || sel->proto == IPPROTO_ICMP ||
	     sel->proto == IPPROTO_ICMPV6)) {
		NIPSEC_ERR_MSG(extack, "selector: ports need a protocol with ports");
		return -EINVAL;
	}
	nipsec_selector_mask(sel);
	return 0;
}

static int nipsec_parse_tmpl(const struct nlattr *nla, struct nipsec_tmpl *t,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NIPSEC_A_TMPL_MAX + 1];
	u16 sf, df;
	int err;

	memset(t, 0, sizeof(*t));
	if (!nla) {
		NIPSEC_ERR_MSG(extack, "a protect policy needs a template (tmpl)");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, NIPSEC_A_TMPL_MAX, nla,
			       nipsec_tmpl_nl_policy, extack);
	if (err)
		return err;
	if (nipsec_require(extack, nla, tb, NIPSEC_A_TMPL_PROTO,
			   "template: proto (esp or ah) is required"))
		return -EINVAL;
	t->proto = nla_get_u8(tb[NIPSEC_A_TMPL_PROTO]);
	t->mode = tb[NIPSEC_A_TMPL_MODE] ? nla_get_u8(tb[NIPSEC_A_TMPL_MODE]) :
					    NIPSEC_MODE_TRANSPORT;
	if (tb[NIPSEC_A_TMPL_REQID])
		t->reqid = nla_get_u32(tb[NIPSEC_A_TMPL_REQID]);
	if (tb[NIPSEC_A_TMPL_SPI])
		t->spi = htonl(nla_get_u32(tb[NIPSEC_A_TMPL_SPI]));
	err = nipsec_get_addr(tb, NIPSEC_A_TMPL_SRC_V4, NIPSEC_A_TMPL_SRC_V6,
			      &sf, &t->saddr, "template", extack);
	if (!err)
		err = nipsec_get_addr(tb, NIPSEC_A_TMPL_DST_V4,
				      NIPSEC_A_TMPL_DST_V6, &df, &t->daddr,
				      "template", extack);
	if (err)
		return err;
	if (!sf != !df || (sf && sf != df)) {
		NIPSEC_ERR_MSG(extack, "template: give both endpoints of one family, or none");
		return -EINVAL;
	}
	if (t->mode == NIPSEC_MODE_TUNNEL && !sf) {
		NIPSEC_ERR_MSG(extack, "template: tunnel mode needs src and dst");
		return -EINVAL;
	}
	t->family = sf;
	return 0;
}

static int nipsec_parse_lft(const struct nlattr *nla,
			    struct nipsec_lifetime *l,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NIPSEC_A_LIFETIME_MAX + 1];
	u64 *v[NIPSEC_A_LIFETIME_HARD_USE_SECONDS + 1] = {
		[NIPSEC_A_LIFETIME_SOFT_BYTES] = &l->soft_bytes,
		[NIPSEC_A_LIFETIME_HARD_BYTES] = &l->hard_bytes,
		[NIPSEC_A_LIFETIME_SOFT_PACKETS] = &l->soft_packets,
		[NIPSEC_A_LIFETIME_HARD_PACKETS] = &l->hard_packets,
		[NIPSEC_A_LIFETIME_SOFT_ADD_SECONDS] = &l->soft_add,
		[NIPSEC_A_LIFETIME_HARD_ADD_SECONDS] = &l->hard_add,
		[NIPSEC_A_LIFETIME_SOFT_USE_SECONDS] = &l->soft_use,
		[NIPSEC_A_LIFETIME_HARD_USE_SECONDS] = &l->hard_use,
	};
	int err, i;

	memset(l, 0, sizeof(*l));
	err = nla_parse_nested(tb, NIPSEC_A_LIFETIME_MAX, nla,
			       nipsec_lifetime_nl_policy, extack);
	if (err)
		return err;
	for (i = 1; i <= NIPSEC_A_LIFETIME_HARD_USE_SECONDS; i++)
		if (tb[i])
			*v[i] = nla_get_u64(tb[i]);
	/* each soft limit must come before its hard limit */
	for (i = 1; i < NIPSEC_A_LIFETIME_HARD_USE_SECONDS; i += 2) {
		if (*v[i] && *v[i + 1] && *v[i] > *v[i + 1]) {
			NIPSEC_ERR_MSG_ATTR(extack, tb[i],
					    "lifetime: soft limit above its hard limit");
			return -EINVAL;
		}
	}
	return 0;
}

static int nipsec_parse_encap(const struct nlattr *nla,
			      struct nipsec_sa_params *p,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NIPSEC_A_ENCAP_MAX + 1];
	u16 fam;
	int err;

	err = nla_parse_nested(tb, NIPSEC_A_ENCAP_MAX, nla,
			       nipsec_encap_nl_policy, extack);
	if (err)
		return err;
	if (nipsec_require(extack, nla, tb, NIPSEC_A_ENCAP_TYPE,
			   "encap: type, sport and dport are required") ||
	    nipsec_require(extack, nla, tb, NIPSEC_A_ENCAP_SPORT,
			   "encap: type, sport and dport are required") ||
	    nipsec_require(extack, nla, tb, NIPSEC_A_ENCAP_DPORT,
			   "encap: type, sport and dport are required"))
		return -EINVAL;
	p->encap_type = nla_get_u8(tb[NIPSEC_A_ENCAP_TYPE]);
	p->encap_sport = nla_get_be16(tb[NIPSEC_A_ENCAP_SPORT]);
	p->encap_dport = nla_get_be16(tb[NIPSEC_A_ENCAP_DPORT]);
	err = nipsec_get_addr(tb, NIPSEC_A_ENCAP_OA_V4, NIPSEC_A_ENCAP_OA_V6,
			      &fam, &p->encap_oa, "encap", extack);
	if (err)
		return err;
	/* the checksum fix-up replaces an address of the SA's family */
	if (fam && fam != p->key.family) {
		NIPSEC_ERR_MSG_ATTR(extack, tb[NIPSEC_A_ENCAP_OA_V4] ?:
				    tb[NIPSEC_A_ENCAP_OA_V6],
				    "encap: original address of another family than the SA");
		return -EINVAL;
	}
	p->encap_rebind = nla_get_flag(tb[NIPSEC_A_ENCAP_REBIND]);
	if (p->key.proto != IPPROTO_ESP) {
		NIPSEC_ERR_MSG(extack, "encap: only ESP can be carried in UDP");
		return -EINVAL;
	}
	p->has_encap = true;
	return 0;
}

/* The (spi, proto, dst) triple that names an SA. */
static int nipsec_parse_sa_key(struct nlattr **tb, struct nipsec_sa_key *key,
			       struct netlink_ext_ack *extack)
{
	int err;

	memset(key, 0, sizeof(*key));
	if (nipsec_require(extack, NULL, tb, NIPSEC_A_SA_SPI,
			   "spi and proto are required") ||
	    nipsec_require(extack, NULL, tb, NIPSEC_A_SA_PROTO,
			   "spi and proto are required"))
		return -EINVAL;
	key->spi = htonl(nla_get_u32(tb[NIPSEC_A_SA_SPI]));
	key->proto = nla_get_u8(tb[NIPSEC_A_SA_PROTO]);
	err = nipsec_get_addr(tb, NIPSEC_A_SA_DST_V4, NIPSEC_A_SA_DST_V6,
			      &key->family, &key->daddr, "SA", extack);
	if (err)
		return err;
	if (!key->family) {
		NIPSEC_ERR_MSG(extack, "the destination address is required");
		return -EINVAL;
	}
	return 0;
}

static int nipsec_parse_alg(struct nlattr **tb, struct nipsec_alg_cfg *alg,
			    struct netlink_ext_ack *extack)
{
	memset(alg, 0, sizeof(*alg));
	if (tb[NIPSEC_A_SA_AEAD_NAME] &&
	    (tb[NIPSEC_A_SA_ENC_NAME] || tb[NIPSEC_A_SA_AUTH_NAME])) {
		NIPSEC_ERR_MSG(extack, "aead excludes enc and auth");
		return -EINVAL;
	}
	if (tb[NIPSEC_A_SA_AEAD_NAME]) {
		if (!tb[NIPSEC_A_SA_AEAD_KEY]) {
			NIPSEC_ERR_MSG(extack, "aead needs a key");
			return -EINVAL;
		}
		alg->aead_name = nla_data(tb[NIPSEC_A_SA_AEAD_NAME]);
		alg->aead_key = nla_data(tb[NIPSEC_A_SA_AEAD_KEY]);
		alg->aead_keylen = nla_len(tb[NIPSEC_A_SA_AEAD_KEY]);
		if (tb[NIPSEC_A_SA_ICV_BITS])
			alg->icv_bits = nla_get_u32(tb[NIPSEC_A_SA_ICV_BITS]);
	}
	if (tb[NIPSEC_A_SA_ENC_NAME]) {
		alg->enc_name = nla_data(tb[NIPSEC_A_SA_ENC_NAME]);
		if (tb[NIPSEC_A_SA_ENC_KEY]) {
			alg->enc_key = nla_data(tb[NIPSEC_A_SA_ENC_KEY]);
			alg->enc_keylen = nla_len(tb[NIPSEC_A_SA_ENC_KEY]);
		}
	}
	if (tb[NIPSEC_A_SA_AUTH_NAME]) {
		alg->auth_name = nla_data(tb[NIPSEC_A_SA_AUTH_NAME]);
		if (tb[NIPSEC_A_SA_AUTH_KEY]) {
			alg->auth_key = nla_data(tb[NIPSEC_A_SA_AUTH_KEY]);
			alg->auth_keylen = nla_len(tb[NIPSEC_A_SA_AUTH_KEY]);
		}
		if (tb[NIPSEC_A_SA_AUTH_TRUNC_BITS])
			alg->auth_trunc_bits =
				nla_get_u32(tb[NIPSEC_A_SA_AUTH_TRUNC_BITS]);
	}
	if (alg->aead_keylen > NIPSEC_MAX_KEY_LEN ||
	    alg->enc_keylen > NIPSEC_MAX_KEY_LEN ||
	    alg->auth_keylen > NIPSEC_MAX_KEY_LEN) {
		NIPSEC_ERR_MSG(extack, "key longer than NIPSEC_MAX_KEY_LEN");
		return -EINVAL;
	}
	return 0;
}

static int nipsec_parse_sa(struct genl_info *info, struct nipsec_sa_params *p,
			   bool update)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	u16 sfam;
	int err;

	memset(p, 0, sizeof(*p));
	err = nipsec_parse_sa_key(tb, &p->key, extack);
	if (err)
		return err;
	err = nipsec_get_addr(tb, NIPSEC_A_SA_SRC_V4, NIPSEC_A_SA_SRC_V6, &sfam,
			      &p->saddr, "SA", extack);
	if (err)
		return err;
	if (sfam && sfam != p->key.family) {
		NIPSEC_ERR_MSG(extack, "SA: source and destination families differ");
		return -EINVAL;
	}
	if (!sfam && !update) {
		NIPSEC_ERR_MSG(extack, "the source address is required");
		return -EINVAL;
	}
	p->mode = tb[NIPSEC_A_SA_MODE] ? nla_get_u8(tb[NIPSEC_A_SA_MODE]) :
					  NIPSEC_MODE_TRANSPORT;
	if (tb[NIPSEC_A_SA_REQID])
		p->reqid = nla_get_u32(tb[NIPSEC_A_SA_REQID]);
	if (tb[NIPSEC_A_SA_REPLAY_WINDOW])
		p->replay_window = nla_get_u32(tb[NIPSEC_A_SA_REPLAY_WINDOW]);
	p->esn = nla_get_flag(tb[NIPSEC_A_SA_ESN]);
	err = nipsec_parse_alg(tb, &p->alg, extack);
	if (err)
		return err;
	p->has_alg = p->alg.aead_name || p->alg.enc_name || p->alg.auth_name;
	if (tb[NIPSEC_A_SA_SEL]) {
		err = nipsec_parse_sel(tb[NIPSEC_A_SA_SEL], &p->sel, extack);
		if (err)
			return err;
		p->has_sel = true;
	}
	if (tb[NIPSEC_A_SA_LIFETIME]) {
		err = nipsec_parse_lft(tb[NIPSEC_A_SA_LIFETIME], &p->lft, extack);
		if (err)
			return err;
		p->has_lft = true;
	}
	if (tb[NIPSEC_A_SA_ENCAP]) {
		err = nipsec_parse_encap(tb[NIPSEC_A_SA_ENCAP], p, extack);
		if (err)
			return err;
	}
	if (tb[NIPSEC_A_SA_SEQ]) {
		p->seq = nla_get_u64(tb[NIPSEC_A_SA_SEQ]);
		p->has_seq = true;
		if (!p->esn && p->seq > U32_MAX) {
			NIPSEC_ERR_MSG(extack, "seq above 2^32-1 needs esn");
			return -EINVAL;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ formatting */

static int nipsec_put_addr(struct sk_buff *skb, int a4, int a6, u16 family,
			   const union nipsec_addr *addr)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, a4, addr->a4);
	if (family == AF_INET6)
		return nla_put_in6_addr(skb, a6, &addr->a6);
	return 0;
}

static int nipsec_put_sel(struct sk_buff *skb, int attr,
			  const struct nipsec_selector *sel)
{
	struct nlattr *nest = nla_nest_start(skb, attr);

	if (!nest)
		return -EMSGSIZE;
	if (sel->family &&
	    (nla_put_u16(skb, NIPSEC_A_SELECTOR_FAMILY, sel->family) ||
	     nipsec_put_addr(skb, NIPSEC_A_SELECTOR_SRC_V4,
			     NIPSEC_A_SELECTOR_SRC_V6, sel->family,
			     &sel->saddr) ||
	     nla_put_u8(skb, NIPSEC_A_SELECTOR_SRC_PREFIX, sel->sprefix) ||
	     nipsec_put_addr(skb, NIPSEC_A_SELECTOR_DST_V4,
			     NIPSEC_A_SELECTOR_DST_V6, sel->family,
			     &sel->daddr) ||
	     nla_put_u8(skb, NIPSEC_A_SELECTOR_DST_PREFIX, sel->dprefix)))
		goto cancel;
	if (sel->proto && nla_put_u8(skb, NIPSEC_A_SELECTOR_PROTO, sel->proto))
		goto cancel;
	if ((sel->sport_min || sel->sport_max != U16_MAX) &&
	    (nla_put_u16(skb, NIPSEC_A_SELECTOR_SPORT_MIN, sel->sport_min) ||
	     nla_put_u16(skb, NIPSEC_A_SELECTOR_SPORT_MAX, sel->sport_max)))
		goto cancel;
	if ((sel->dport_min || sel->dport_max != U16_MAX) &&
	    (nla_put_u16(skb, NIPSEC_A_SELECTOR_DPORT_MIN, sel->dport_min) ||
	     nla_put_u16(skb, NIPSEC_A_SELECTOR_DPORT_MAX, sel->dport_max)))
		goto cancel;
	if (sel->icmp_type >= 0 &&
	    nla_put_u8(skb, NIPSEC_A_SELECTOR_ICMP_TYPE, sel->icmp_type))
		goto cancel;
	if (sel->icmp_code >= 0 &&
	    nla_put_u8(skb, NIPSEC_A_SELECTOR_ICMP_CODE, sel->icmp_code))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int nipsec_put_tmpl(struct sk_buff *skb, int attr,
			   const struct nipsec_tmpl *t)
{
	struct nlattr *nest = nla_nest_start(skb, attr);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, NIPSEC_A_TMPL_PROTO, t->proto) ||
	    nla_put_u8(skb, NIPSEC_A_TMPL_MODE, t->mode) ||
	    nla_put_u32(skb, NIPSEC_A_TMPL_REQID, t->reqid) ||
	    (t->spi && nla_put_u32(skb, NIPSEC_A_TMPL_SPI, ntohl(t->spi))) ||
	    nipsec_put_addr(skb, NIPSEC_A_TMPL_SRC_V4, NIPSEC_A_TMPL_SRC_V6,
			    t->family, &t->saddr) ||
	    nipsec_put_addr(skb, NIPSEC_A_TMPL_DST_V4, NIPSEC_A_TMPL_DST_V6,
			    t->family, &t->daddr)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int nipsec_put_usage(struct sk_buff *skb, int attr, u64 bytes,
			    u64 packets, time64_t add, time64_t use,
			    time64_t last)
{
	struct nlattr *nest = nla_nest_start(skb, attr);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, NIPSEC_A_USAGE_BYTES, bytes,
			      NIPSEC_A_USAGE_PAD) ||
	    nla_put_u64_64bit(skb, NIPSEC_A_USAGE_PACKETS, packets,
			      NIPSEC_A_USAGE_PAD) ||
	    nla_put_u64_64bit(skb, NIPSEC_A_USAGE_ADD_TIME, add,
			      NIPSEC_A_USAGE_PAD) ||
	    nla_put_u64_64bit(skb, NIPSEC_A_USAGE_USE_TIME, use,
			      NIPSEC_A_USAGE_PAD) ||
	    nla_put_u64_64bit(skb, NIPSEC_A_USAGE_LAST_USE_TIME, last,
			      NIPSEC_A_USAGE_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int nipsec_put_lft(struct sk_buff *skb, const struct nipsec_lifetime *l)
{
	const u64 v[] = { l->soft_bytes, l->hard_bytes, l->soft_packets,
			  l->hard_packets, l->soft_add, l->hard_add,
			  l->soft_use, l->hard_use };
	struct nlattr *nest = nla_nest_start(skb, NIPSEC_A_SA_LIFETIME);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		if (v[i] && nla_put_u64_64bit(skb, NIPSEC_A_LIFETIME_SOFT_BYTES + i,
					      v[i], NIPSEC_A_LIFETIME_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int nipsec_put_encap(struct sk_buff *skb, const struct nipsec_sa *sa)
{
	const struct nipsec_encap_ep *ep;
	union nipsec_addr oa;
	__be16 sport, dport;
	struct nlattr *nest;

	if (!sa->encap_type)
		return 0;
	rcu_read_lock();
	ep = rcu_dereference(sa->encap);
	sport = ep->sport;
	dport = ep->dport;
	oa = ep->oa;
	rcu_read_unlock();
	nest = nla_nest_start(skb, NIPSEC_A_SA_ENCAP);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, NIPSEC_A_ENCAP_TYPE, sa->encap_type) ||
	    nla_put_be16(skb, NIPSEC_A_ENCAP_SPORT, sport) ||
	    nla_put_be16(skb, NIPSEC_A_ENCAP_DPORT, dport) ||
	    nipsec_put_addr(skb, NIPSEC_A_ENCAP_OA_V4, NIPSEC_A_ENCAP_OA_V6,
			    sa->key.family, &oa) ||
	    (READ_ONCE(sa->encap_rebind) &&
	     nla_put_flag(skb, NIPSEC_A_ENCAP_REBIND))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The attributes that name an SA, with its usage: events carry these. */
static int nipsec_put_sa_ref(struct sk_buff *skb, const struct nipsec_sa *sa)
{
	u64 bytes, packets;

	nipsec_sa_usage(sa, &bytes, &packets);
	if (nla_put_u32(skb, NIPSEC_A_SA_SPI, ntohl(sa->key.spi)) ||
	    nla_put_u8(skb, NIPSEC_A_SA_PROTO, sa->key.proto) ||
	    nla_put_u8(skb, NIPSEC_A_SA_MODE, sa->mode) ||
	    nipsec_put_addr(skb, NIPSEC_A_SA_SRC_V4, NIPSEC_A_SA_SRC_V6,
			    sa->key.family, &sa->tkey.saddr) ||
	    nipsec_put_addr(skb, NIPSEC_A_SA_DST_V4, NIPSEC_A_SA_DST_V6,
			    sa->key.family, &sa->key.daddr) ||
	    nla_put_u32(skb, NIPSEC_A_SA_REQID, sa->tkey.reqid) ||
	    nipsec_put_usage(skb, NIPSEC_A_SA_USAGE, bytes, packets,
			     sa->add_time, READ_ONCE(sa->use_time),
			     READ_ONCE(sa->last_use)) ||
	    nipsec_put_encap(skb, sa))
		return -EMSGSIZE;
	return 0;
}

/* Everything about an SA but its keys. */
static int nipsec_put_sa(struct sk_buff *skb, struct nipsec_sa *sa)
{
	u64 seq_in;

	if (nipsec_put_sa_ref(skb, sa) ||
	    nla_put_u8(skb, NIPSEC_A_SA_STATE, READ_ONCE(sa->state)) ||
	    nla_put_u32(skb, NIPSEC_A_SA_REPLAY_WINDOW, sa->replay.window) ||
	    (sa->esn && nla_put_flag(skb, NIPSEC_A_SA_ESN)) ||
	    nla_put_u64_64bit(skb, NIPSEC_A_SA_SEQ, atomic64_read(&sa->oseq),
			      NIPSEC_A_SA_PAD))
		return -EMSGSIZE;
	spin_lock_bh(&sa->lock);
	seq_in = sa->replay.top;
	spin_unlock_bh(&sa->lock);
	if (nla_put_u64_64bit(skb, NIPSEC_A_SA_SEQ_IN, seq_in, NIPSEC_A_SA_PAD))
		return -EMSGSIZE;
	if (sa->aead_name[0] &&
	    (nla_put_string(skb, NIPSEC_A_SA_AEAD_NAME, sa->aead_name) ||
	     nla_put_u32(skb, NIPSEC_A_SA_ICV_BITS, sa->icv_bits)))
		return -EMSGSIZE;
	if (sa->enc_name[0] &&
	    nla_put_string(skb, NIPSEC_A_SA_ENC_NAME, sa->enc_name))
		return -EMSGSIZE;
	if (sa->auth_name[0] &&
	    (nla_put_string(skb, NIPSEC_A_SA_AUTH_NAME, sa->auth_name) ||
	     nla_put_u32(skb, NIPSEC_A_SA_AUTH_TRUNC_BITS,
			 sa->auth_trunc_bits)))
		return -EMSGSIZE;
	if (sa->has_sel && nipsec_put_sel(skb, NIPSEC_A_SA_SEL, &sa->sel))
		return -EMSGSIZE;
	if (nipsec_put_lft(skb, &sa->lft) ||
	    nipsec_stats_put(skb, NIPSEC_A_SA_STATS, sa->stats))
		return -EMSGSIZE;
	return 0;
}

static int nipsec_put_policy(struct sk_buff *skb,
			     const struct nipsec_policy *pol)
{
	if (nla_put_u32(skb, NIPSEC_A_POLICY_ID, pol->id) ||
	    nla_put_u8(skb, NIPSEC_A_POLICY_DIR, pol->dir) ||
	    nla_put_u32(skb, NIPSEC_A_POLICY_PRIORITY, pol->priority) ||
	    nla_put_u8(skb, NIPSEC_A_POLICY_ACTION, pol->action) ||
	    nipsec_put_sel(skb, NIPSEC_A_POLICY_SEL, &pol->sel) ||
	    (pol->action == NIPSEC_ACTION_PROTECT &&
	     nipsec_put_tmpl(skb, NIPSEC_A_POLICY_TMPL, &pol->tmpl)) ||
	    nipsec_put_usage(skb, NIPSEC_A_POLICY_USAGE, 0, 0, pol->add_time,
			     READ_ONCE(pol->use_time), READ_ONCE(pol->last_use)))
		return -EMSGSIZE;
	return 0;
}

/* --------------------------------------------------------------- events */

static struct sk_buff *nipsec_event_new(struct net *net, u8 cmd, void **hdr)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&nipsec_nl_family, net, NIPSEC_NLGRP_EVENTS))
		return NULL;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &nipsec_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void nipsec_event_send(struct net *net, struct sk_buff *skb, void *hdr,
			      int err)
{
	if (err) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&nipsec_nl_family, net, skb, 0,
				NIPSEC_NLGRP_EVENTS, GFP_ATOMIC);
}

/* the addresses of the IPv4 or IPv6 header at skb's network offset */
static int nipsec_put_pkt_addrs(struct sk_buff *msg, const struct sk_buff *skb)
{
	struct in6_addr src, dst;

	switch (nipsec_pkt_addrs(skb, &src, &dst)) {
	case 4:
		return nla_put_in_addr(msg, NIPSEC_A_DROP_SRC_V4, src.s6_addr32[3]) ?:
		       nla_put_in_addr(msg, NIPSEC_A_DROP_DST_V4, dst.s6_addr32[3]);
	case 6:
		return nla_put_in6_addr(msg, NIPSEC_A_DROP_SRC_V6, &src) ?:
		       nla_put_in6_addr(msg, NIPSEC_A_DROP_DST_V6, &dst);
	}
	return 0;
}

static int nipsec_put_sa_nest(struct sk_buff *skb, int attr,
			      const struct nipsec_sa *sa)
{
	struct nlattr *nest = nla_nest_start(skb, attr);

	if (!nest || nipsec_put_sa_ref(skb, sa))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

void nipsec_notify_sa_del(struct nipsec_sa *sa)
{
	struct net *net = sa->nn->net;
	struct sk_buff *skb;
	void *hdr;

	skb = nipsec_event_new(net, NIPSEC_CMD_SA_DEL_NTF, &hdr);
	if (skb)
		nipsec_event_send(net, skb, hdr, nipsec_put_sa(skb, sa));
}

void nipsec_notify_policy_del(struct nipsec_net *nn,
			      const struct nipsec_policy *pol)
{
	struct sk_buff *skb;
	void *hdr;

	skb = nipsec_event_new(nn->net, NIPSEC_CMD_POLICY_DEL_NTF, &hdr);
	if (skb)
		nipsec_event_send(nn->net, skb, hdr,
				  nipsec_put_policy(skb, pol));
}

void nipsec_notify_expire(struct nipsec_sa *sa, bool hard, u8 limit)
{
	struct net *net = sa->nn->net;
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = nipsec_event_new(net, NIPSEC_CMD_EXPIRE_NTF, &hdr);
	if (!skb)
		return;
	err = nipsec_put_sa_nest(skb, NIPSEC_A_EXPIRE_SA, sa);
	if (!err && hard)
		err = nla_put_flag(skb, NIPSEC_A_EXPIRE_HARD);
	if (!err)
		err = nla_put_u8(skb, NIPSEC_A_EXPIRE_LIMIT, limit);
	nipsec_event_send(net, skb, hdr, err);
}

void nipsec_notify_acquire(struct nipsec_net *nn,
			   const struct nipsec_policy *pol,
			   const struct nipsec_flow *fl)
{
	struct nipsec_selector sel = {
		.family = fl->family,
		.sprefix = fl->family == AF_INET6 ? 128 : 32,
		.dprefix = fl->family == AF_INET6 ? 128 : 32,
		.proto = fl->proto,
		.saddr = fl->saddr,
		.daddr = fl->daddr,
		.icmp_type = -1,
		.icmp_code = -1,
		.sport_max = U16_MAX,
		.dport_max = U16_MAX,
	};
	struct sk_buff *skb;
	void *hdr;
	int err;

	if (fl->has_ports) {
		if (fl->proto == IPPROTO_ICMP || fl->proto == IPPROTO_ICMPV6) {
			sel.icmp_type = fl->sport;
			sel.icmp_code = fl->dport;
		} else {
			sel.sport_min = fl->sport;
			sel.sport_max = fl->sport;
			sel.dport_min = fl->dport;
			sel.dport_max = fl->dport;
		}
	}
	skb = nipsec_event_new(nn->net, NIPSEC_CMD_ACQUIRE_NTF, &hdr);
	if (!skb)
		return;
	err = nla_put_u32(skb, NIPSEC_A_ACQUIRE_POLICY_ID, pol->id);
	if (!err)
		err = nipsec_put_tmpl(skb, NIPSEC_A_ACQUIRE_TMPL, &pol->tmpl);
	if (!err)
		err = nipsec_put_sel(skb, NIPSEC_A_ACQUIRE_SEL, &sel);
	nipsec_event_send(nn->net, skb, hdr, err);
}

void nipsec_notify_mapping(struct nipsec_sa *sa,
			   const union nipsec_addr *old_addr, __be16 old_port,
			   const union nipsec_addr *new_addr, __be16 new_port)
{
	struct net *net = sa->nn->net;
	u16 fam = sa->key.family;
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = nipsec_event_new(net, NIPSEC_CMD_MAPPING_NTF, &hdr);
	if (!skb)
		return;
	err = nipsec_put_sa_nest(skb, NIPSEC_A_MAPPING_SA, sa);
	if (!err)
		err = nipsec_put_addr(skb, NIPSEC_A_MAPPING_OLD_V4,
				      NIPSEC_A_MAPPING_OLD_V6, fam, old_addr);
	if (!err)
		err = nla_put_be16(skb, NIPSEC_A_MAPPING_OLD_PORT, old_port);
	if (!err)
		err = nipsec_put_addr(skb, NIPSEC_A_MAPPING_NEW_V4,
				      NIPSEC_A_MAPPING_NEW_V6, fam, new_addr);
	if (!err)
		err = nla_put_be16(skb, NIPSEC_A_MAPPING_NEW_PORT, new_port);
	nipsec_event_send(net, skb, hdr, err);
}

/* Drops a second a namespace may report: a flood is summed, not sent. */
#define NIPSEC_DROP_NTF_PER_SEC	50

/*
 * A dropped packet, to the drops group: only when someone listens (the
 * data path pays nothing otherwise), at most NIPSEC_DROP_NTF_PER_SEC a
 * second without a lock; the next report carries how many were not sent.
 */
void nipsec_notify_drop(struct nipsec_net *nn, const struct nipsec_sa *sa,
			const struct sk_buff *skb, enum nipsec_stat reason)
{
	unsigned long now = jiffies, win = READ_ONCE(nn->drop_ntf_window);
	struct net *net = nn->net;
	struct sk_buff *msg;
	u32 suppressed;
	void *hdr;
	int err;

	if (!genl_has_listeners(&nipsec_nl_family, net, NIPSEC_NLGRP_DROPS))
		return;
	if (time_after(now, win + HZ) &&
	    cmpxchg(&nn->drop_ntf_window, win, now) == win)
		atomic_set(&nn->drop_ntf_sent, 0);
	if (atomic_inc_return(&nn->drop_ntf_sent) > NIPSEC_DROP_NTF_PER_SEC) {
		atomic_inc(&nn->drop_ntf_suppressed);
		return;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		goto lost;
	hdr = genlmsg_put(msg, 0, 0, &nipsec_nl_family, 0, NIPSEC_CMD_DROP_NTF);
	if (!hdr) {
		nlmsg_free(msg);
		goto lost;
	}
	err = nla_put_string(msg, NIPSEC_A_DROP_REASON, nipsec_drop_name(reason));
	if (!err && sa)
		err = nipsec_put_sa_nest(msg, NIPSEC_A_DROP_SA, sa);
	if (!err)
		err = nipsec_put_pkt_addrs(msg, skb);
	suppressed = atomic_xchg(&nn->drop_ntf_suppressed, 0);
	if (!err && suppressed)
		err = nla_put_u32(msg, NIPSEC_A_DROP_SUPPRESSED, suppressed);
	if (err) {
		atomic_add(suppressed, &nn->drop_ntf_suppressed);
		nlmsg_free(msg);
		goto lost;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&nipsec_nl_family, net, msg, 0,
				NIPSEC_NLGRP_DROPS, GFP_ATOMIC);
	return;
lost:
	atomic_inc(&nn->drop_ntf_suppressed);
}

/* ---------------------------------------------------------- SA handlers */

static int nipsec_sa_new_or_update(struct genl_info *info, bool update)
{
	struct nipsec_net *nn = nipsec_info_net(info);
	struct nipsec_sa_params p;
	int err;

	err = nipsec_parse_sa(info, &p, update);
	if (err)
		goto out;
	err = nipsec_sa_add(nn, &p, update, info->extack);
out:
	/* the request's copy of the keys lives in the skb; ours is gone */
	memzero_explicit(&p.alg, sizeof(p.alg));
	return err;
}

int nipsec_nl_sa_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return nipsec_sa_new_or_update(info, false);
}

int nipsec_nl_sa_update_doit(struct sk_buff *skb, struct genl_info *info)
{
	return nipsec_sa_new_or_update(info, true);
}

/* Run @fn on the SA a request names by (spi, proto, dst). */
static int nipsec_on_sa(struct genl_info *info,
			int (*fn)(struct genl_info *info, struct nipsec_sa *sa))
{
	struct nipsec_net *nn = nipsec_info_net(info);
	struct nipsec_sa_key key;
	struct nipsec_sa *sa;
	int err;

	err = nipsec_parse_sa_key(info->attrs, &key, info->extack);
	if (err)
		return err;
	sa = nipsec_sa_find(nn, &key);
	if (!sa) {
		NIPSEC_ERR_MSG(info->extack, "no such SA");
		return -ENOENT;
	}
	return fn(info, sa);
}

static int nipsec_sa_del_one(struct genl_info *info, struct nipsec_sa *sa)
{
	nipsec_sa_remove(sa, true);
	return 0;
}

int nipsec_nl_sa_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return nipsec_on_sa(info, nipsec_sa_del_one);
}

static int nipsec_sa_reply(struct genl_info *info, struct nipsec_sa *sa)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_iput(msg, info);
	if (!hdr || nipsec_put_sa(msg, sa)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int nipsec_nl_sa_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return nipsec_on_sa(info, nipsec_sa_reply);
}

/* Dump filter: every attribute given must match. */
struct nipsec_sa_filter {
	u32 spi, reqid;
	bool has_spi, has_reqid;
	u8 proto;
	u16 sfam, dfam;
	union nipsec_addr saddr, daddr;
};

static bool nipsec_sa_filter_match(const struct nipsec_sa_filter *f,
				   const struct nipsec_sa *sa)
{
	if (f->has_spi && ntohl(sa->key.spi) != f->spi)
		return false;
	if (f->has_reqid && sa->tkey.reqid != f->reqid)
		return false;
	if (f->proto && sa->key.proto != f->proto)
		return false;
	if (f->sfam && (f->sfam != sa->key.family ||
			memcmp(&f->saddr, &sa->tkey.saddr,
			       nipsec_addr_len(f->sfam))))
		return false;
	if (f->dfam && (f->dfam != sa->key.family ||
			memcmp(&f->daddr, &sa->key.daddr,
			       nipsec_addr_len(f->dfam))))
		return false;
	return true;
}

int nipsec_nl_sa_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nipsec_net *nn = nipsec_pernet(sock_net(skb->sk));
	struct nlattr **tb = nipsec_dump_attrs(cb);
	struct nipsec_sa_filter f = {};
	long idx = 0, start = cb->args[0];
	struct nipsec_sa *sa;
	int err;

	if (tb[NIPSEC_A_SA_SPI]) {
		f.spi = nla_get_u32(tb[NIPSEC_A_SA_SPI]);
		f.has_spi = true;
	}
	if (tb[NIPSEC_A_SA_REQID]) {
		f.reqid = nla_get_u32(tb[NIPSEC_A_SA_REQID]);
		f.has_reqid = true;
	}
	if (tb[NIPSEC_A_SA_PROTO])
		f.proto = nla_get_u8(tb[NIPSEC_A_SA_PROTO]);
	err = nipsec_get_addr(tb, NIPSEC_A_SA_SRC_V4, NIPSEC_A_SA_SRC_V6,
			      &f.sfam, &f.saddr, "filter", cb->extack);
	if (!err)
		err = nipsec_get_addr(tb, NIPSEC_A_SA_DST_V4, NIPSEC_A_SA_DST_V6,
				      &f.dfam, &f.daddr, "filter", cb->extack);
	if (err)
		return err;

	mutex_lock(&nn->lock);
	list_for_each_entry(sa, &nn->sa_list, list) {
		void *hdr;

		if (!nipsec_sa_filter_match(&f, sa))
			continue;
		if (idx++ < start)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &nipsec_nl_family,
				  NLM_F_MULTI, NIPSEC_CMD_SA_GET);
		if (!hdr)
			goto full;
		if (nipsec_put_sa(skb, sa)) {
			genlmsg_cancel(skb, hdr);
			goto full;
		}
		genlmsg_end(skb, hdr);
	}
	idx++;	/* nothing left: report the end below */
full:
	mutex_unlock(&nn->lock);
	cb->args[0] = idx - 1;
	return skb->len;
}

int nipsec_nl_sa_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nipsec_net *nn = nipsec_info_net(info);
	u8 proto = 0;

	if (info->attrs[NIPSEC_A_SA_PROTO])
		proto = nla_get_u8(info->attrs[NIPSEC_A_SA_PROTO]);
	nipsec_sa_flush(nn, proto, true);
	/* like XFRM's state flush: pending acquires may be sent again */
	nipsec_acquire_flush(nn);
	return 0;
}

int nipsec_nl_spi_alloc_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nipsec_net *nn = nipsec_info_net(info);
	struct nlattr **tb = info->attrs;
	u32 spi_min = 256, spi_max = U32_MAX, timeout = 0;
	struct nipsec_sa_params p = {};
	struct sk_buff *msg;
	void *hdr;
	u16 fam;
	int err;

	if (nipsec_require(info->extack, NULL, tb, NIPSEC_A_SA_PROTO,
			   "proto is required"))
		return -EINVAL;
	p.key.proto = nla_get_u8(tb[NIPSEC_A_SA_PROTO]);
	err = nipsec_get_addr_pair(tb, NIPSEC_A_SA_SRC_V4, NIPSEC_A_SA_SRC_V6,
				   NIPSEC_A_SA_DST_V4, NIPSEC_A_SA_DST_V6, &fam,
				   &p.saddr, &p.key.daddr, "SA", info->extack);
	if (err)
		return err;
	if (!tb[NIPSEC_A_SA_DST_V4] && !tb[NIPSEC_A_SA_DST_V6]) {
		NIPSEC_ERR_MSG(info->extack, "the destination address is required");
		return -EINVAL;
	}
	p.key.family = fam;
	if (tb[NIPSEC_A_SA_REQID])
		p.reqid = nla_get_u32(tb[NIPSEC_A_SA_REQID]);
	if (tb[NIPSEC_A_SA_SPI_MIN])
		spi_min = nla_get_u32(tb[NIPSEC_A_SA_SPI_MIN]);
	if (tb[NIPSEC_A_SA_SPI_MAX])
		spi_max = nla_get_u32(tb[NIPSEC_A_SA_SPI_MAX]);
	if (tb[NIPSEC_A_SA_LARVAL_TIMEOUT])
		timeout = nla_get_u32(tb[NIPSEC_A_SA_LARVAL_TIMEOUT]);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = nipsec_spi_alloc(nn, &p, spi_min, spi_max, timeout, info->extack);
	if (err)
		goto fail;
	err = -EMSGSIZE;
	hdr = genlmsg_iput(msg, info);
	if (!hdr || nla_put_u32(msg, NIPSEC_A_SA_SPI, ntohl(p.key.spi)) ||
	    nla_put_u8(msg, NIPSEC_A_SA_PROTO, p.key.proto) ||
	    nipsec_put_addr(msg, NIPSEC_A_SA_DST_V4, NIPSEC_A_SA_DST_V6, fam,
			    &p.key.daddr))
		goto fail;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
fail:
	nlmsg_free(msg);
	return err;
}

/* ------------------------------------------------------ policy handlers */

int nipsec_nl_policy_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nipsec_net *nn = nipsec_info_net(info);
	struct nlattr **tb = info->attrs;
	struct nipsec_policy *pol;
	struct sk_buff *msg;
	void *hdr;
	u32 id;
	int err;

	if (nipsec_require(info->extack, NULL, tb, NIPSEC_A_POLICY_DIR,
			   "dir is required"))
		return -EINVAL;
	pol = kzalloc(sizeof(*pol), GFP_KERNEL_ACCOUNT);
	if (!pol)
		return -ENOMEM;
	pol->dir = nla_get_u8(tb[NIPSEC_A_POLICY_DIR]);
	if (tb[NIPSEC_A_POLICY_PRIORITY])
		pol->priority = nla_get_u32(tb[NIPSEC_A_POLICY_PRIORITY]);
	pol->action = tb[NIPSEC_A_POLICY_ACTION] ?
		      nla_get_u8(tb[NIPSEC_A_POLICY_ACTION]) :
		      (tb[NIPSEC_A_POLICY_TMPL] ? NIPSEC_ACTION_PROTECT :
						  NIPSEC_ACTION_BYPASS);
	err = nipsec_parse_sel(tb[NIPSEC_A_POLICY_SEL], &pol->sel, info->extack);
	if (err)
		goto free;
	if (pol->action == NIPSEC_ACTION_PROTECT) {
		err = nipsec_parse_tmpl(tb[NIPSEC_A_POLICY_TMPL], &pol->tmpl,
					info->extack);
		if (err)
			goto free;
	} else if (tb[NIPSEC_A_POLICY_TMPL]) {
		NIPSEC_ERR_MSG(info->extack, "only a protect policy takes a template");
		err = -EINVAL;
		goto free;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	err = -ENOMEM;
	if (!msg)
		goto free;
	if (nipsec_policy_find_sel(nn, pol->dir, &pol->sel)) {
		NIPSEC_ERR_MSG(info->extack, "a policy with this direction and selector exists");
		err = -EEXIST;
	} else {
		err = nipsec_cap_check(nn, NIPSEC_CAP_POLICY, info->extack);
		if (!err) {
			err = nipsec_hooks_register(nn);
			if (err)
				NIPSEC_ERR_MSG(info->extack, "cannot register netfilter hooks");
		}
		if (!err)
			err = nipsec_policy_insert(nn, pol);
	}
	id = pol->id;
	if (err) {
		nlmsg_free(msg);
		goto free;
	}
	hdr = genlmsg_iput(msg, info);
	if (!hdr || nla_put_u32(msg, NIPSEC_A_POLICY_ID, id)) {
		nlmsg_free(msg);
		return -EMSGSIZE;	/* the policy exists; the reply failed */
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
free:
	kfree(pol);
	return err;
}

/*
 * policy-del and policy-get find a policy by id, or by dir and a selector
 * parsed (host bits cleared) the way policy-new stored it.
 */
static struct nipsec_policy *nipsec_nl_policy_lookup(struct nipsec_net *nn,
						     struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct nipsec_selector sel;
	struct nipsec_policy *pol;
	int err;

	if (tb[NIPSEC_A_POLICY_ID]) {
		pol = nipsec_policy_find(nn, nla_get_u32(tb[NIPSEC_A_POLICY_ID]));
	} else if (tb[NIPSEC_A_POLICY_DIR]) {
		err = nipsec_parse_sel(tb[NIPSEC_A_POLICY_SEL], &sel, info->extack);
		if (err)
			return ERR_PTR(err);
		pol = nipsec_policy_find_sel(nn, nla_get_u8(tb[NIPSEC_A_POLICY_DIR]),
					     &sel);
	} else {
		NIPSEC_ERR_MSG(info->extack, "give the policy id, or dir and selector");
		return ERR_PTR(-EINVAL);
	}
	if (!pol) {
		NIPSEC_ERR_MSG(info->extack, "no such policy");
		return ERR_PTR(-ENOENT);
	}
	return pol;
}

int nipsec_nl_policy_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nipsec_net *nn = nipsec_info_net(info);
	struct nipsec_policy *pol = nipsec_nl_policy_lookup(nn, info);

	if (IS_ERR(pol))
		return PTR_ERR(pol);
	nipsec_policy_remove(nn, pol, true);
	return 0;
}

int nipsec_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nipsec_net *nn = nipsec_info_net(info);
	struct nipsec_policy *pol = nipsec_nl_policy_lookup(nn, info);
	struct sk_buff *msg;
	void *hdr;

	if (IS_ERR(pol))
		return PTR_ERR(pol);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_iput(msg, info);
	if (!hdr || nipsec_put_policy(msg, pol)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int nipsec_nl_policy_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct nipsec_net *nn = nipsec_pernet(sock_net(skb->sk));
	struct nlattr **tb = nipsec_dump_attrs(cb);
	long idx = 0, start = cb->args[0];
	struct nipsec_policy *pol;
	int dir = -1, d;

	if (tb[NIPSEC_A_POLICY_DIR])
		dir = nla_get_u8(tb[NIPSEC_A_POLICY_DIR]);
	mutex_lock(&nn->lock);
	for (d = 0; d < NIPSEC_DIR_COUNT; d++) {
		if (dir >= 0 && d != dir)
			continue;
		list_for_each_entry(pol, &nn->policies[d], list) {
			void *hdr;

			if (idx++ < start)
				continue;
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, &nipsec_nl_family,
					  NLM_F_MULTI, NIPSEC_CMD_POLICY_GET);
			if (!hdr)
				goto full;
			if (nipsec_put_policy(skb, pol)) {
				genlmsg_cancel(skb, hdr);
				goto full;
			}
			genlmsg_end(skb, hdr);
		}
	}
	idx++;
full:
	mutex_unlock(&nn->lock);
	cb->args[0] = idx - 1;
	return skb->len;
}

int nipsec_nl_policy_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nipsec_net *nn = nipsec_info_net(info);
	int dir = -1;

	if (info->attrs[NIPSEC_A_POLICY_DIR])
		dir = nla_get_u8(info->attrs[NIPSEC_A_POLICY_DIR]);
	nipsec_policy_flush(nn, dir, true);
	return 0;
}

/* ---------------------------------------------------------------- stats */

int nipsec_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nipsec_net *nn = nipsec_info_net(info);
	struct nlattr *req = info->attrs[NIPSEC_A_STATS_REQ_SA];
	struct nipsec_sa *sa = NULL;
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	if (req) {
		struct nlattr *tb[NIPSEC_A_SA_MAX + 1];
		struct nipsec_sa_key key;

		err = nla_parse_nested(tb, NIPSEC_A_SA_ENCAP, req,
				       nipsec_sa_ref_nl_policy, info->extack);
		if (!err)
			err = nipsec_parse_sa_key(tb, &key, info->extack);
		if (err)
			goto out;
		sa = nipsec_sa_find(nn, &key);
		if (!sa) {
			NIPSEC_ERR_MSG(info->extack, "no such SA");
			err = -ENOENT;
			goto out;
		}
	}
	err = -EMSGSIZE;
	hdr = genlmsg_iput(msg, info);
	if (!hdr || nipsec_stats_put(msg, NIPSEC_A_STATS_REQ_STATS,
				     sa ? sa->stats : nn->stats))
		goto out;
	genlmsg_end(msg, hdr);
	err = 0;
out:
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

int nipsec_netlink_init(void)
{
	int err;

	err = nipsec_genl_compat_prepare();
	if (err)
		return err;
	err = genl_register_family(&nipsec_nl_family);
	if (err)
		nipsec_genl_compat_free();
	return err;
}

void nipsec_netlink_exit(void)
{
	genl_unregister_family(&nipsec_nl_family);
	nipsec_genl_compat_free();
}
