/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the hooks (hooks.c), the send path (output.c) and the receive path
 * (input.c) share: the marks a packet carries in its IP control block, and
 * the hooks' way to drop.
 */
#ifndef _NIPSEC_HOOKS_H
#define _NIPSEC_HOOKS_H

#include <linux/netfilter.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>

#include "nipsec.h"
#include "sa.h"
#include "stats.h"

struct nipsec_udp_src;

static inline bool nipsec_transformed(const struct sk_buff *skb, u16 family)
{
	if (family == AF_INET)
		return IPCB(skb)->flags & IPSKB_XFRM_TRANSFORMED;
	return IP6CB(skb)->flags & IP6SKB_XFRM_TRANSFORMED;
}

static inline void nipsec_set_transformed(struct sk_buff *skb, u16 family)
{
	if (family == AF_INET)
		IPCB(skb)->flags |= IPSKB_XFRM_TRANSFORMED;
	else
		IP6CB(skb)->flags |= IP6SKB_XFRM_TRANSFORMED;
}

static inline void nipsec_clear_transformed(struct sk_buff *skb, u16 family)
{
	if (family == AF_INET)
		IPCB(skb)->flags &= ~IPSKB_XFRM_TRANSFORMED;
	else
		IP6CB(skb)->flags &= ~IP6SKB_XFRM_TRANSFORMED;
}

/*
 * Nesting (ESP in ESP, AH in ESP, ...): how many transforms a received
 * packet went through, as XFRM counts them in its secpath.  We have no
 * secpath, so the count rides in the top bits of the IP control block's
 * flags, which neither 6.1 nor 6.12 uses (ip_rcv()/ipv6_rcv() zero them
 * for every packet from the wire; reassembly keeps the head's).
 */
#define NIPSEC_DEPTH_SHIFT	13
#define NIPSEC_DEPTH_MASK	(7U << NIPSEC_DEPTH_SHIFT)
static_assert(NIPSEC_MAX_DEPTH < 8, "the depth needs more bits");
static_assert(!(NIPSEC_DEPTH_MASK & (IPSKB_MULTIPATH * 2 - 1)) &&
	      !(NIPSEC_DEPTH_MASK & (IP6SKB_MULTIPATH * 2 - 1)),
	      "the depth bits collide with the stack's flags");

static inline u16 *nipsec_cb_flags(struct sk_buff *skb, u16 family)
{
	return family == AF_INET ? &IPCB(skb)->flags : &IP6CB(skb)->flags;
}

static inline unsigned int nipsec_depth(struct sk_buff *skb, u16 family)
{
	return (*nipsec_cb_flags(skb, family) & NIPSEC_DEPTH_MASK) >>
	       NIPSEC_DEPTH_SHIFT;
}

static inline void nipsec_set_depth(struct sk_buff *skb, u16 family,
				    unsigned int depth)
{
	u16 *flags = nipsec_cb_flags(skb, family);

	*flags = (*flags & ~NIPSEC_DEPTH_MASK) | (depth << NIPSEC_DEPTH_SHIFT);
}

static inline unsigned int nipsec_hook_drop(struct nipsec_net *nn,
					    struct nipsec_sa *sa,
					    const struct sk_buff *skb,
					    enum nipsec_stat reason)
{
	nipsec_drop_count(nn, sa, skb, reason);
	return NF_DROP;
}

/*
 * We take packets before conntrack's confirm hook runs: confirm their entry
 * now (through nf_ct_hook, so the module does not need nf_conntrack) and
 * detach it, so the transformed packet gets its own entry.
 */
static inline int nipsec_ct_confirm_reset(struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (ct && !nf_ct_is_confirmed(ct)) {
		const struct nf_ct_hook *h = rcu_dereference(nf_ct_hook);

		if (h && h->confirm && h->confirm(skb) != NF_ACCEPT)
			return -EPERM;
	}
#endif
	nf_reset_ct(skb);
	return 0;
}

/* output.c */
unsigned int nipsec_output(struct nipsec_net *nn, struct sk_buff *skb,
			   u16 family);
void nipsec_out_finish(struct sk_buff *skb, struct nipsec_sa *sa);
void nipsec_mss_clamp(struct sk_buff *skb, u16 family, unsigned int hlen,
		      unsigned int max_inner);

/* input.c */
unsigned int nipsec_input(struct nipsec_net *nn, struct sk_buff *skb,
			  u16 family, u8 proto, unsigned int off,
			  unsigned int proto_off,
			  const struct nipsec_udp_src *src);
void nipsec_in_finish(struct sk_buff *skb, struct nipsec_sa *sa, u8 nexthdr);

#endif /* _NIPSEC_HOOKS_H */
