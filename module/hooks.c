// SPDX-License-Identifier: GPL-2.0
/*
 * nipsec netfilter hooks: where packets meet the SPD and the SAD.
 *
 *   POST_ROUTING (after SNAT)  outbound policy; protect -> ESP, sent again
 *                              with ip_local_out()/ip6_local_out()
 *   LOCAL_IN (after SNAT)      ESP to this host -> decrypt -> re-injected at
 *                              PRE_ROUTING; cleartext vs "in" policies
 *   FORWARD                    cleartext vs "fwd" policies
 *
 * The paths themselves are output.c and input.c; ESP and AH differ only
 * in the transform an SA points at (module/xform.h).
 *
 * A packet that went through a transform carries IPSKB_XFRM_TRANSFORMED
 * (IP6SKB_XFRM_TRANSFORMED), the flag XFRM uses for the same meaning: the
 * outbound hook lets such packets go, the inbound checks know they were
 * protected. The FORWARD hook clears it so a hub can protect forwarded,
 * decrypted traffic again.
 *
 * Hooks are registered per netns when it gets its first SA or policy, so
 * namespaces without IPsec pay nothing.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "nipsec.h"
#include "policy.h"
#include "stats.h"
#include "encap.h"
#include "hooks.h"

static u16 nipsec_hook_family(const struct nf_hook_state *state)
{
	return state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
}

static bool nipsec_is_loopback(const struct net_device *dev)
{
	return dev && (dev->flags & IFF_LOOPBACK);
}

static unsigned int nipsec_out_hook(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	u16 family = nipsec_hook_family(state);

	if (nipsec_transformed(skb, family) || nipsec_is_loopback(state->out))
		return NF_ACCEPT;
	return nipsec_output(nipsec_pernet(state->net), skb, family);
}

/*
 * Upper-layer protocol of a packet at LOCAL_IN (network header at data):
 * its offset and the offset of the byte that names it.
 */
static int nipsec_upper(struct sk_buff *skb, u16 family, unsigned int *off,
			unsigned int *proto_off, u8 *proto)
{
	unsigned int o, po, i;
	u8 nh;

	if (family == AF_INET) {
		*off = ip_hdrlen(skb);
		*proto_off = offsetof(struct iphdr, protocol);
		*proto = ip_hdr(skb)->protocol;
		return 0;
	}
	o = sizeof(struct ipv6hdr);
	po = offsetof(struct ipv6hdr, nexthdr);
	nh = ipv6_hdr(skb)->nexthdr;
	/* headers that may come before ESP (RFC 4303 3.1.1) */
	for (i = 0; i < 8; i++) {
		struct ipv6_opt_hdr _h;
		const struct ipv6_opt_hdr *h;

		if (nh != NEXTHDR_HOP && nh != NEXTHDR_ROUTING &&
		    nh != NEXTHDR_DEST)
			break;
		h = skb_header_pointer(skb, o, sizeof(_h), &_h);
		if (!h)
			return -EINVAL;
		po = o;
		nh = h->nexthdr;
		o += ipv6_optlen(h);
	}
	*off = o;
	*proto_off = po;
	*proto = nh;
	return 0;
}

/*
 * A cleartext packet for a direction that requires protection is dropped:
 * as a fragment when it is one, since the reassembly before our hooks
 * (nf_defrag) let it through unreassembled (RFC 8200 4.5, a first fragment
 * without the whole header chain; overlaps; odd lengths).
 */
static unsigned int nipsec_cleartext_check(struct nipsec_net *nn,
					   struct sk_buff *skb, u16 family,
					   u8 dir)
{
	struct nipsec_policy *pol;
	struct nipsec_flow fl;
	int reason;

	if (nipsec_flow_parse(skb, family, &fl))
		return NF_ACCEPT;	/* the stack drops what it cannot parse */
	pol = nipsec_policy_lookup(nn, dir, &fl);
	reason = nipsec_policy_portless_drop(nn, dir, &fl, pol);
	if (unlikely(reason))
		return nipsec_hook_drop(nn, NULL, skb, reason);
	if (!pol)
		return NF_ACCEPT;
	nipsec_policy_touch(pol);
	switch (pol->action) {
	case NIPSEC_ACTION_PROTECT:
		return nipsec_hook_drop(nn, NULL, skb, fl.fragment ?
					NIPSEC_DROP_FRAGMENT :
					NIPSEC_DROP_CLEARTEXT);
	case NIPSEC_ACTION_DISCARD:
		return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_POLICY);
	default:
		return NF_ACCEPT;
	}
}

static unsigned int nipsec_in_hook(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct nipsec_net *nn = nipsec_pernet(state->net);
	u16 family = nipsec_hook_family(state);
	unsigned int off, proto_off;
	u8 proto;

	if (nipsec_is_loopback(state->in))
		return NF_ACCEPT;
	if (nipsec_upper(skb, family, &off, &proto_off, &proto))
		return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_TRUNCATED);
	/* XFRM's limit too: refuse the next layer before any crypto */
	if ((proto == IPPROTO_ESP || proto == IPPROTO_AH) &&
	    nipsec_depth(skb, family) >= NIPSEC_MAX_DEPTH)
		return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_DEPTH);
	if (proto == IPPROTO_ESP || proto == IPPROTO_AH)
		return nipsec_input(nn, skb, family, proto, off, proto_off,
				    NULL);
	if (proto == IPPROTO_UDP && READ_ONCE(nn->encap_count) &&
	    !nipsec_transformed(skb, family)) {
		unsigned int verdict = nipsec_encap_rcv(nn, skb, family, off,
							 proto_off);

		/* IKE and keepalives are plain UDP: policy decides below */
		if (verdict != NF_ACCEPT)
			return verdict;
	}
	/* decrypted: its policy was checked before re-injection */
	if (nipsec_transformed(skb, family))
		return NF_ACCEPT;
	return nipsec_cleartext_check(nn, skb, family, NIPSEC_DIR_IN);
}

static unsigned int nipsec_fwd_hook(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct nipsec_net *nn = nipsec_pernet(state->net);
	u16 family = nipsec_hook_family(state);

	if (nipsec_transformed(skb, family)) {
		/* from here on it is a plain packet: it may be protected again */
		nipsec_clear_transformed(skb, family);
		return NF_ACCEPT;
	}
	return nipsec_cleartext_check(nn, skb, family, NIPSEC_DIR_FWD);
}

/* ------------------------------------------------------------ registration */

#define NIPSEC_HOOK(fn, family, num, prio) \
	{ .hook = fn, .pf = family, .hooknum = num, .priority = prio }

/* Behind source NAT on the way out and on the way in; beside filter in forward. */
static const struct nf_hook_ops nipsec_nf_ops[] = {
	NIPSEC_HOOK(nipsec_out_hook, NFPROTO_IPV4, NF_INET_POST_ROUTING,
		    NF_IP_PRI_NAT_SRC + 1),
	NIPSEC_HOOK(nipsec_in_hook, NFPROTO_IPV4, NF_INET_LOCAL_IN,
		    NF_IP_PRI_NAT_SRC + 1),
	NIPSEC_HOOK(nipsec_fwd_hook, NFPROTO_IPV4, NF_INET_FORWARD,
		    NF_IP_PRI_FILTER + 1),
	NIPSEC_HOOK(nipsec_out_hook, NFPROTO_IPV6, NF_INET_POST_ROUTING,
		    NF_IP6_PRI_NAT_SRC + 1),
	NIPSEC_HOOK(nipsec_in_hook, NFPROTO_IPV6, NF_INET_LOCAL_IN,
		    NF_IP6_PRI_NAT_SRC + 1),
	NIPSEC_HOOK(nipsec_fwd_hook, NFPROTO_IPV6, NF_INET_FORWARD,
		    NF_IP6_PRI_FILTER + 1),
};

/**
 * nipsec_hooks_register - start seeing the packets of a netns
 * @nn: namespace state; caller holds nn->lock
 *
 * Idempotent. IPv6 reaches LOCAL_IN unreassembled, so IPv6 defragmentation
 * is enabled for the namespace: ESP that arrives in fragments is whole
 * when we see it (IPv4 is reassembled before LOCAL_IN anyway).
 *
 * Return: 0 or a negative errno.
 */
int nipsec_hooks_register(struct nipsec_net *nn)
{
	int err;

	lockdep_assert_held(&nn->lock);
	if (nn->hooks_on)
		return 0;
	if (nn->dying)
		return -ENODEV;
	/*
	 * Forwarded fragments are reassembled before our hooks, so a
	 * port-selective policy sees every packet whole (fail closed: a
	 * later fragment has no ports to match).
	 */
	err = nf_defrag_ipv4_enable(nn->net);
	if (err)
		return err;
#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
	err = nf_defrag_ipv6_enable(nn->net);
	if (err) {
		nf_defrag_ipv4_disable(nn->net);
		return err;
	}
#endif
	err = nf_register_net_hooks(nn->net, nipsec_nf_ops,
				    ARRAY_SIZE(nipsec_nf_ops));
	if (err) {
#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
		nf_defrag_ipv6_disable(nn->net);
#endif
		nf_defrag_ipv4_disable(nn->net);
		return err;
	}
	nn->hooks_on = true;
	return 0;
}

/**
 * nipsec_hooks_unregister - stop seeing the packets of a netns
 * @nn: namespace state; caller holds nn->lock
 *
 * After it returns no hook of ours runs in the namespace (netfilter
 * waits for an RCU grace period); packets inside asynchronous crypto hold
 * their SA and route and finish on their own.
 */
void nipsec_hooks_unregister(struct nipsec_net *nn)
{
	lockdep_assert_held(&nn->lock);
	if (!nn->hooks_on)
		return;
	nf_unregister_net_hooks(nn->net, nipsec_nf_ops,
				ARRAY_SIZE(nipsec_nf_ops));
#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
	nf_defrag_ipv6_disable(nn->net);
#endif
	nf_defrag_ipv4_disable(nn->net);
	nn->hooks_on = false;
}

int nipsec_hooks_init(void)
{
	return 0;
}

void nipsec_hooks_exit(void)
{
}
