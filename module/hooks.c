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
 * AH SAs take the same paths with ah.c's transform instead of esp.c's
 * (nipsec_xform_output(), nipsec_max_inner(), nipsec_ah_rcv()).
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
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/icmp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "nipsec.h"
#include "esp.h"
#include "ah.h"

static u16 nipsec_hook_family(const struct nf_hook_state *state)
{
	return state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
}

static bool nipsec_transformed(const struct sk_buff *skb, u16 family)
{
	if (family == AF_INET)
		return IPCB(skb)->flags & IPSKB_XFRM_TRANSFORMED;
	return IP6CB(skb)->flags & IP6SKB_XFRM_TRANSFORMED;
}

static void nipsec_set_transformed(struct sk_buff *skb, u16 family)
{
	if (family == AF_INET)
		IPCB(skb)->flags |= IPSKB_XFRM_TRANSFORMED;
	else
		IP6CB(skb)->flags |= IP6SKB_XFRM_TRANSFORMED;
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

static u16 *nipsec_cb_flags(struct sk_buff *skb, u16 family)
{
	return family == AF_INET ? &IPCB(skb)->flags : &IP6CB(skb)->flags;
}

static unsigned int nipsec_depth(struct sk_buff *skb, u16 family)
{
	return (*nipsec_cb_flags(skb, family) & NIPSEC_DEPTH_MASK) >>
	       NIPSEC_DEPTH_SHIFT;
}

static void nipsec_set_depth(struct sk_buff *skb, u16 family,
			     unsigned int depth)
{
	u16 *flags = nipsec_cb_flags(skb, family);

	*flags = (*flags & ~NIPSEC_DEPTH_MASK) | (depth << NIPSEC_DEPTH_SHIFT);
}

/*
 * Re-injections running on this CPU's stack right now: a decrypted packet
 * is decrypted again inside the same call chain when its crypto completes
 * synchronously.  The per-packet depth bounds that already; this bounds the
 * stack even if a path between re-injection and LOCAL_IN lost the count.
 * Only touched with BH disabled (hooks, crypto callbacks).
 */
static DEFINE_PER_CPU(unsigned int, nipsec_reinject_nest);

static unsigned int nipsec_hook_drop(struct nipsec_net *nn,
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
static int nipsec_ct_confirm_reset(struct sk_buff *skb)
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

static bool nipsec_is_loopback(const struct net_device *dev)
{
	return dev && (dev->flags & IFF_LOOPBACK);
}

/* ------------------------------------------------------------ output */

/**
 * nipsec_out_finish - send a packet that went through ESP
 * @skb: the ESP packet, network header at data, route attached
 * @sa: its SA
 *
 * Runs in the hook or from a crypto callback (BH disabled, RCU held).
 * The packet goes through LOCAL_OUT and POST_ROUTING again (as XFRM's
 * output does), where the flag lets it pass.
 */
void nipsec_out_finish(struct sk_buff *skb, struct nipsec_sa *sa)
{
	struct net *net = sa->nn->net;
	int err;

	if (skb->protocol == htons(ETH_P_IP)) {
		nipsec_set_transformed(skb, AF_INET);
		err = ip_local_out(net, skb->sk, skb);
	} else {
		nipsec_set_transformed(skb, AF_INET6);
		err = ip6_local_out(net, skb->sk, skb);
	}
	/* the device may refuse it; that is not ours to count */
	(void)err;
}

/* Outer header of tunnel mode: the SA's addresses, or where NAT-T moved them */
struct nipsec_outer {
	const union nipsec_addr *saddr, *daddr;
	u8 proto;
};

static void nipsec_outer_get(const struct nipsec_sa *sa, struct nipsec_outer *o)
{
	const struct nipsec_encap_ep *ep;

	if (sa->encap_type) {
		ep = rcu_dereference(sa->encap);
		o->saddr = &ep->saddr;
		o->daddr = &ep->daddr;
		o->proto = IPPROTO_UDP;
	} else {
		o->saddr = &sa->tkey.saddr;
		o->daddr = &sa->tkey.daddr;
		o->proto = IPPROTO_ESP;
	}
}

/* ---- AH or ESP: what differs between the two transforms (ah.c, esp.c) */

static bool nipsec_sa_has_xform(const struct nipsec_sa *sa)
{
	if (sa->key.proto == IPPROTO_AH)
		return sa->ahash;
	return sa->key.proto == IPPROTO_ESP && sa->aead;
}

static unsigned int nipsec_max_inner(const struct nipsec_sa *sa,
				     unsigned int mtu, unsigned int outer_hlen,
				     unsigned int kept_hlen)
{
	if (sa->ahash)
		return nipsec_ah_max_inner(sa, mtu, outer_hlen);
	return nipsec_esp_max_inner(sa, mtu, outer_hlen, kept_hlen);
}

static void nipsec_xform_output(struct nipsec_sa *sa, struct sk_buff *skb,
				unsigned int hlen, unsigned int proto_off)
{
	if (sa->ahash)
		nipsec_ah_output(sa, skb, hlen, proto_off);
	else
		nipsec_esp_output(sa, skb, hlen, proto_off);
}

/* ---- */

static struct dst_entry *nipsec_route_out4(struct net *net,
					   const struct nipsec_outer *o,
					   const struct sk_buff *skb)
{
	struct flowi4 fl4 = {
		.daddr = o->daddr->a4,
		.saddr = o->saddr->a4,
		.flowi4_proto = o->proto,
		.flowi4_mark = skb->mark,
	};
	struct rtable *rt = ip_route_output_key(net, &fl4);

	return IS_ERR(rt) ? NULL : &rt->dst;
}

static struct dst_entry *nipsec_route_out6(struct net *net,
					   const struct nipsec_outer *o,
					   const struct sk_buff *skb)
{
	struct flowi6 fl6 = {
		.daddr = o->daddr->a6,
		.saddr = o->saddr->a6,
		.flowi6_proto = o->proto,
		.flowi6_mark = skb->mark,
	};
	struct dst_entry *dst = ip6_route_output(net, NULL, &fl6);

	if (dst->error) {
		dst_release(dst);
		return NULL;
	}
	return dst;
}

/*
 * The outer route of a tunnel-mode packet.  An SA with fixed outer
 * addresses keeps it in a per-CPU dst_cache (as IP tunnels do): a route
 * change or a PMTU update makes the cached entry fail its check, and the
 * next packet looks it up again.  Packets with a mark may be routed by it
 * and always look up.  dst_cache wants BH off; LOCAL_OUT may run with it on.
 */
static struct dst_entry *nipsec_route_out(struct nipsec_sa *sa, struct net *net,
					  const struct nipsec_outer *o,
					  const struct sk_buff *skb)
{
	bool cached = sa->dst_cache.cache && !skb->mark;
	struct dst_entry *dst;

	if (cached) {
		local_bh_disable();
		dst = dst_cache_get(&sa->dst_cache);
		local_bh_enable();
		if (dst)
			return dst;
	}
	if (sa->tkey.family == AF_INET)
		dst = nipsec_route_out4(net, o, skb);
	else
		dst = nipsec_route_out6(net, o, skb);
	if (dst && cached) {
		local_bh_disable();
		if (sa->tkey.family == AF_INET)
			dst_cache_set_ip4(&sa->dst_cache, dst, o->saddr->a4);
		else
			dst_cache_set_ip6(&sa->dst_cache, dst, &o->saddr->a6);
		local_bh_enable();
	}
	return dst;
}

/**
 * nipsec_mss_clamp - keep TCP segments of a protected flow within the MTU
 * @skb: the packet about to be protected (checksum complete)
 * @family: AF_INET or AF_INET6
 * @hlen: length of the IP header (and IPv6 extension headers) before TCP
 * @max_inner: largest IP packet that still fits once protected
 *
 * A SYN or SYN-ACK announcing an MSS larger than what fits through ESP gets
 * the MSS that fits, so that the peer never sends segments that would have
 * to be fragmented (RFC 4459 3.1, what IPsec gateways do). Other packets
 * are left alone.
 */
static void nipsec_mss_clamp(struct sk_buff *skb, u16 family,
			     unsigned int hlen, unsigned int max_inner)
{
	unsigned int off = skb_network_offset(skb) + hlen, optlen, i;
	struct tcphdr _th, *th;
	u16 mss, old;
	u8 *opt;

	if ((family == AF_INET ? ip_hdr(skb)->protocol :
	     ipv6_hdr(skb)->nexthdr) != IPPROTO_TCP ||
	    max_inner <= hlen + sizeof(struct tcphdr))
		return;
	/* a later fragment's first bytes are payload, not a TCP header */
	if (family == AF_INET && (ip_hdr(skb)->frag_off & htons(IP_OFFSET)))
		return;
	th = skb_header_pointer(skb, off, sizeof(_th), &_th);
	if (!th || !th->syn || th->doff * 4 <= sizeof(*th))
		return;
	optlen = th->doff * 4;
	mss = max_inner - hlen - sizeof(struct tcphdr);
	if (skb_ensure_writable(skb, off + optlen))
		return;
	th = (struct tcphdr *)(skb_network_header(skb) + hlen);
	opt = (u8 *)(th + 1);
	optlen -= sizeof(*th);
	for (i = 0; i < optlen && opt[i] != TCPOPT_EOL;) {
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= optlen || opt[i + 1] < 2 || i + opt[i + 1] > optlen)
			return;
		if (opt[i] == TCPOPT_MSS && opt[i + 1] == TCPOLEN_MSS) {
			old = get_unaligned_be16(&opt[i + 2]);
			if (old <= mss)
				return;
			put_unaligned_be16(mss, &opt[i + 2]);
			inet_proto_csum_replace2(&th->check, skb, htons(old),
						 htons(mss), false);
			return;
		}
		i += opt[i + 1];
	}
}

/*
 * Tunnel mode: does the packet fit the path once protected? If not and it must not be
 * fragmented, tell the sender the size that would fit (RFC 4301 8.2:
 * ICMP with the MTU left after IPsec overhead) and drop it. A local sender
 * gets the ICMP too, over loopback: that is how TCP learns the MSS.
 * Return: true to go on; *frag_ok says the ESP packet may be fragmented.
 */
static bool nipsec_out_mtu_ok(struct nipsec_net *nn, struct nipsec_sa *sa,
			      struct sk_buff *skb, u16 family,
			      unsigned int mtu, unsigned int outer_hlen,
			      bool *frag_ok)
{
	unsigned int max = nipsec_max_inner(sa, mtu, outer_hlen, 0);

	*frag_ok = false;
	if (skb->len <= max)
		return true;
	if (family == AF_INET) {
		if (!(ip_hdr(skb)->frag_off & htons(IP_DF)) || skb->ignore_df) {
			*frag_ok = true;
			return true;
		}
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(max));
	} else {
		/* an IPv6 link has at least 1280: below, fragment the ESP packet */
		if (max < IPV6_MIN_MTU || skb->ignore_df) {
			*frag_ok = true;
			return true;
		}
		icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, max);
	}
	nipsec_drop(nn, sa, skb, NIPSEC_DROP_MTU);
	return false;
}

static void nipsec_out_transport(struct nipsec_net *nn, struct nipsec_sa *sa,
				 struct sk_buff *skb, u16 family)
{
	unsigned int hlen, proto_off, max;

	if (family != sa->key.family) {
		nipsec_drop(nn, sa, skb, NIPSEC_DROP_INNER_FAMILY);
		return;
	}
	if (family == AF_INET) {
		hlen = ip_hdrlen(skb);
		proto_off = offsetof(struct iphdr, protocol);
	} else {
		u8 *prevhdr;
		int off = ip6_find_1stfragopt(skb, &prevhdr);

		if (off < 0) {
			nipsec_drop(nn, sa, skb, NIPSEC_DROP_PROTO);
			return;
		}
		hlen = off;
		proto_off = prevhdr - skb_network_header(skb);
	}
	/*
	 * The ESP packet takes the inner packet's own route: an ICMP "too big"
	 * would lower that route's PMTU, and the next packet's allowance with
	 * it, spiralling down to min_pmtu. Transport mode fragments the ESP
	 * packet instead, and keeps TCP from needing it by clamping the MSS.
	 */
	max = nipsec_max_inner(sa, dst_mtu(skb_dst(skb)), 0, hlen);
	nipsec_mss_clamp(skb, family, hlen, max);
	if (skb->len > max) {
		skb->ignore_df = 1;
		if (family == AF_INET && (ip_hdr(skb)->frag_off & htons(IP_DF))) {
			if (skb_ensure_writable(skb, sizeof(struct iphdr))) {
				nipsec_drop(nn, sa, skb, NIPSEC_DROP_NOMEM);
				return;
			}
			/* esp.c recomputes the header checksum */
			ip_hdr(skb)->frag_off &= ~htons(IP_DF);
		}
	}
	/*
	 * Room for the transform's header and for the link layer header in
	 * one go: at POST_ROUTING a socket's packet has only the link layer's
	 * reserve in front (XFRM's dst header_len is what makes sockets
	 * reserve more), so growing by the ESP header alone leaves
	 * ip_finish_output2() to reallocate and copy the packet a second time.
	 */
	if (skb_cow_head(skb, (sa->ahash ? NIPSEC_AH_HLEN + NIPSEC_AH_MAX_DIGEST :
			       sizeof(struct udphdr) + NIPSEC_ESP_HLEN +
			       sa->ivlen) +
			 LL_RESERVED_SPACE(skb_dst(skb)->dev))) {
		nipsec_drop(nn, sa, skb, NIPSEC_DROP_NOMEM);
		return;
	}
	nipsec_xform_output(sa, skb, hlen, proto_off);
}

/* RFC 6040 normal mode: copy DSCP and ECN, but CE is not copied as CE */
static u8 nipsec_outer_dsfield(u8 inner)
{
	if (INET_ECN_is_ce(inner))
		return (inner & ~INET_ECN_MASK) | INET_ECN_ECT_0;
	return inner;
}

static void nipsec_out_tunnel(struct nipsec_net *nn, struct nipsec_sa *sa,
			      struct sk_buff *skb, u16 family)
{
	u16 ofamily = sa->tkey.family;
	unsigned int ohlen = ofamily == AF_INET ? sizeof(struct iphdr) :
			     sizeof(struct ipv6hdr);
	u8 inner_proto = family == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
	struct net *net = nn->net;
	struct nipsec_outer o;
	struct dst_entry *dst;
	bool frag_ok, df;
	u8 dsfield;

	nipsec_outer_get(sa, &o);
	dst = nipsec_route_out(sa, net, &o, skb);
	if (!dst) {
		nipsec_drop(nn, sa, skb, NIPSEC_DROP_ROUTE);
		return;
	}
	nipsec_mss_clamp(skb, family, family == AF_INET ? ip_hdrlen(skb) :
			 sizeof(struct ipv6hdr),
			 nipsec_max_inner(sa, dst_mtu(dst), ohlen, 0));
	if (!nipsec_out_mtu_ok(nn, sa, skb, family, dst_mtu(dst), ohlen,
			       &frag_ok)) {
		dst_release(dst);
		return;
	}
	if (skb_cow_head(skb, ohlen + sizeof(struct udphdr) + NIPSEC_ESP_HLEN +
			 sa->ivlen + LL_RESERVED_SPACE(dst->dev))) {
		dst_release(dst);
		nipsec_drop(nn, sa, skb, NIPSEC_DROP_NOMEM);
		return;
	}
	if (family == AF_INET) {
		dsfield = ipv4_get_dsfield(ip_hdr(skb));
		df = ip_hdr(skb)->frag_off & htons(IP_DF);
	} else {
		dsfield = ipv6_get_dsfield(ipv6_hdr(skb));
		df = true;
	}
	dsfield = nipsec_outer_dsfield(dsfield);

	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	__skb_push(skb, ohlen);
	skb_reset_network_header(skb);
	if (ofamily == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		iph->version = 4;
		iph->ihl = 5;
		iph->tos = dsfield;
		iph->tot_len = htons(skb->len);
		iph->frag_off = df && !frag_ok ? htons(IP_DF) : 0;
		iph->ttl = ip4_dst_hoplimit(dst);
		iph->protocol = inner_proto;
		iph->saddr = o.saddr->a4;
		iph->daddr = o.daddr->a4;
		ip_select_ident(net, skb, NULL);
		skb->protocol = htons(ETH_P_IP);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		ip6_flow_hdr(ip6h, dsfield, 0);
		ip6h->payload_len = 0;
		ip6h->nexthdr = inner_proto;
		ip6h->hop_limit = ip6_dst_hoplimit(dst);
		ip6h->saddr = o.saddr->a6;
		ip6h->daddr = o.daddr->a6;
		skb->protocol = htons(ETH_P_IPV6);
	}
	skb->ignore_df = frag_ok;
	nipsec_xform_output(sa, skb, ohlen, ofamily == AF_INET ?
			    offsetof(struct iphdr, protocol) :
			    offsetof(struct ipv6hdr, nexthdr));
}

/* One (non-GSO) packet for an SA; consumes it. */
static void nipsec_out_one(struct nipsec_net *nn, struct nipsec_sa *sa,
			   struct sk_buff *skb, u16 family)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		nipsec_drop(nn, sa, skb, NIPSEC_DROP_NOMEM);
		return;
	}
	if (sa->mode == NIPSEC_MODE_TUNNEL)
		nipsec_out_tunnel(nn, sa, skb, family);
	else
		nipsec_out_transport(nn, sa, skb, family);
}

/* Was a packet of this flow protected when it arrived (in or fwd)? */
static bool nipsec_came_protected(struct nipsec_net *nn,
				  const struct nipsec_flow *fl)
{
	const struct nipsec_policy *pol;

	pol = nipsec_policy_lookup(nn, NIPSEC_DIR_IN, fl);
	if (pol && pol->action == NIPSEC_ACTION_PROTECT)
		return true;
	pol = nipsec_policy_lookup(nn, NIPSEC_DIR_FWD, fl);
	return pol && pol->action == NIPSEC_ACTION_PROTECT;
}

/*
 * An ICMP error that no policy covers may speak for protected traffic: a
 * gateway's "fragmentation needed" or "time exceeded" about a packet it
 * decrypted and forwarded leaves from its outside address and quotes up to
 * 548 bytes of the decrypted packet.  It goes back through the tunnel
 * that the quoted packet's answers take, or not at all (never in clear).
 *
 * Return: the tunnel policy to protect it with (@rev: the flow to find
 * its SA by), NULL to let it go as it is, or an error pointer to drop it.
 */
static struct nipsec_policy *nipsec_out_icmp_policy(struct nipsec_net *nn,
						    const struct sk_buff *skb,
						    const struct nipsec_flow *fl,
						    struct nipsec_flow *rev)
{
	struct nipsec_policy *pol;
	struct nipsec_flow q;

	if (!nipsec_flow_icmp_quoted(skb, fl, &q, rev))
		return NULL;
	pol = nipsec_policy_lookup(nn, NIPSEC_DIR_OUT, rev);
	if (pol && pol->action == NIPSEC_ACTION_PROTECT &&
	    pol->tmpl.mode == NIPSEC_MODE_TUNNEL)
		return pol;
	/* a transport SA cannot carry another host's packet */
	if ((pol && pol->action != NIPSEC_ACTION_BYPASS) ||
	    (!pol && nipsec_came_protected(nn, &q)))
		return ERR_PTR(-EPERM);
	return NULL;
}

static unsigned int nipsec_out_hook(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct nipsec_net *nn = nipsec_pernet(state->net);
	u16 family = nipsec_hook_family(state);
	const struct nipsec_flow *key_fl;
	struct nipsec_flow fl, rev;
	struct nipsec_policy *pol;
	struct nipsec_sa *sa;
	struct sk_buff *segs, *next;

	if (nipsec_transformed(skb, family) || nipsec_is_loopback(state->out))
		return NF_ACCEPT;
	if (nipsec_flow_parse(skb, family, &fl))
		return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_PROTO);
	pol = nipsec_policy_lookup(nn, NIPSEC_DIR_OUT, &fl);
	if (nipsec_policy_frag_unsafe(nn, NIPSEC_DIR_OUT, &fl, pol))
		return nipsec_hook_drop(nn, NULL, skb, fl.fragment ?
					NIPSEC_DROP_FRAGMENT :
					NIPSEC_DROP_TRUNCATED);
	key_fl = &fl;
	if (!pol) {
		pol = nipsec_out_icmp_policy(nn, skb, &fl, &rev);
		if (IS_ERR(pol))
			return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_ICMP_ERROR);
		if (!pol)
			return NF_ACCEPT;
		key_fl = &rev;
	}
	nipsec_policy_touch(pol);
	if (pol->action == NIPSEC_ACTION_BYPASS)
		return NF_ACCEPT;
	if (pol->action == NIPSEC_ACTION_DISCARD)
		return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_POLICY);

	sa = nipsec_sa_lookup_out(nn, pol, key_fl);
	if (!sa) {
		/* fail closed: never in clear while the key manager works */
		nipsec_acquire(nn, pol, key_fl);
		return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_OUT_NO_SA);
	}
	if (!nipsec_sa_has_xform(sa))
		return nipsec_hook_drop(nn, sa, skb, NIPSEC_DROP_PROTO);
	if (nipsec_ct_confirm_reset(skb))
		return nipsec_hook_drop(nn, sa, skb, NIPSEC_DROP_POLICY);
	if (!pskb_may_pull(skb, skb_network_offset(skb) +
			   (family == AF_INET ? sizeof(struct iphdr) :
			    sizeof(struct ipv6hdr))))
		return nipsec_hook_drop(nn, sa, skb, NIPSEC_DROP_TRUNCATED);

	if (!skb_is_gso(skb)) {
		nipsec_out_one(nn, sa, skb, family);
		return NF_STOLEN;
	}
	/* ESP cannot be segmented later: segment now, protect each piece */
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs))
		return nipsec_hook_drop(nn, sa, skb, NIPSEC_DROP_NOMEM);
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		nipsec_out_one(nn, sa, skb, family);
	}
	return NF_STOLEN;
}

/* ------------------------------------------------------------ input */

/* Re-entry after PRE_ROUTING: route the plain packet and deliver it. */
static int nipsec_rcv_finish4(struct net *net, struct sock *sk,
			      struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (!skb_dst(skb) &&
	    ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos,
				 skb->dev)) {
		nipsec_drop(nipsec_pernet(net), NULL, skb, NIPSEC_DROP_ROUTE);
		return NET_RX_DROP;
	}
	return dst_input(skb);
}

static int nipsec_rcv_finish6(struct net *net, struct sock *sk,
			      struct sk_buff *skb)
{
	if (!skb_dst(skb)) {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct flowi6 fl6 = {
			.flowi6_iif = skb->dev->ifindex,
			.daddr = ip6h->daddr,
			.saddr = ip6h->saddr,
			.flowlabel = ip6_flowinfo(ip6h),
			.flowi6_mark = skb->mark,
			.flowi6_proto = ip6h->nexthdr,
		};

		skb_dst_set(skb, ip6_route_input_lookup(net, skb->dev, &fl6, skb,
							RT6_LOOKUP_F_HAS_SADDR));
	}
	if (skb_dst(skb)->error) {
		nipsec_drop(nipsec_pernet(net), NULL, skb, NIPSEC_DROP_ROUTE);
		return NET_RX_DROP;
	}
	return dst_input(skb);
}

/* The inner header of tunnel mode, checked as ip_rcv()/ipv6_rcv() would. */
static int nipsec_inner_check(struct sk_buff *skb, u16 family)
{
	if (family == AF_INET) {
		const struct iphdr *iph;
		unsigned int hl, len;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return -EINVAL;
		iph = ip_hdr(skb);
		hl = iph->ihl * 4;
		if (iph->version != 4 || hl < sizeof(*iph) ||
		    !pskb_may_pull(skb, hl))
			return -EINVAL;
		iph = ip_hdr(skb);
		len = ntohs(iph->tot_len);
		if (len < hl || len > skb->len || ip_fast_csum(iph, iph->ihl))
			return -EINVAL;
		if (pskb_trim(skb, len))
			return -ENOMEM;
		skb->protocol = htons(ETH_P_IP);
		skb_set_transport_header(skb, hl);
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	} else {
		const struct ipv6hdr *ip6h;
		unsigned int len;

		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return -EINVAL;
		ip6h = ipv6_hdr(skb);
		len = sizeof(*ip6h) + ntohs(ip6h->payload_len);
		/* no jumbograms inside a tunnel */
		if (ip6h->version != 6 || len == sizeof(*ip6h) ||
		    len > skb->len)
			return -EINVAL;
		if (pskb_trim(skb, len))
			return -ENOMEM;
		skb->protocol = htons(ETH_P_IPV6);
		skb_set_transport_header(skb, sizeof(*ip6h));
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		IP6CB(skb)->iif = skb->dev->ifindex;
		IP6CB(skb)->nhoff = offsetof(struct ipv6hdr, nexthdr);
	}
	return 0;
}

/* Does a policy template describe this SA (RFC 4301 5.2, step 4)? */
static bool nipsec_tmpl_matches(const struct nipsec_tmpl *t,
				const struct nipsec_sa *sa)
{
	unsigned int alen;

	if (t->proto != sa->key.proto || t->mode != sa->mode)
		return false;
	if (t->reqid && t->reqid != sa->tkey.reqid)
		return false;
	if (t->spi && t->spi != sa->key.spi)
		return false;
	if (sa->mode != NIPSEC_MODE_TUNNEL || !t->family)
		return true;
	if (t->family != sa->tkey.family)
		return false;
	alen = nipsec_addr_len(t->family);
	return !memcmp(&t->saddr, &sa->tkey.saddr, alen) &&
	       !memcmp(&t->daddr, &sa->tkey.daddr, alen);
}

/*
 * A decrypted packet must be what its SA may carry: inside the SA's own
 * selector, and matched by an "in" or "fwd" protect policy whose template
 * names this SA. Whether it is for us or to forward is decided by routing
 * after PRE_ROUTING; both directions' policies are acceptable here.
 */
static bool nipsec_in_flow_allowed(struct nipsec_net *nn,
				   struct nipsec_sa *sa,
				   const struct nipsec_flow *fl)
{
	static const u8 dirs[] = { NIPSEC_DIR_IN, NIPSEC_DIR_FWD };
	struct nipsec_policy *pol;
	unsigned int i;

	if (sa->has_sel && !nipsec_selector_match(&sa->sel, fl))
		return false;
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		pol = nipsec_policy_lookup(nn, dirs[i], fl);
		if (pol && pol->action == NIPSEC_ACTION_PROTECT &&
		    nipsec_tmpl_matches(&pol->tmpl, sa)) {
			nipsec_policy_touch(pol);
			return true;
		}
	}
	return false;
}

/*
 * Transport mode: the decrypted packet's addresses are the SA's own (the
 * ICV does not cover the IP header, so a replayed packet could come from
 * anywhere).  An ESP-in-UDP SA's peer shows the NAT's address, which the
 * mapping events report: only its destination is checked.
 */
static bool nipsec_in_addrs_ok(const struct nipsec_sa *sa,
			       const struct nipsec_flow *fl)
{
	unsigned int alen = nipsec_addr_len(sa->key.family);

	if (fl->family != sa->key.family ||
	    memcmp(&fl->daddr, &sa->key.daddr, alen))
		return false;
	return sa->encap_type || ipv6_addr_any(&sa->tkey.saddr.a6) ||
	       !memcmp(&fl->saddr, &sa->tkey.saddr, alen);
}

static bool nipsec_in_allowed(struct nipsec_net *nn, struct nipsec_sa *sa,
			      const struct sk_buff *skb,
			      const struct nipsec_flow *fl)
{
	struct nipsec_flow q, rev;

	if (sa->mode == NIPSEC_MODE_TRANSPORT && !sa->has_sel &&
	    !nipsec_in_addrs_ok(sa, fl))
		return false;
	if (nipsec_in_flow_allowed(nn, sa, fl))
		return true;
	/* tunnel mode: an ICMP error about traffic this SA carries back */
	return sa->mode == NIPSEC_MODE_TUNNEL &&
	       nipsec_flow_icmp_quoted(skb, fl, &q, &rev) &&
	       nipsec_in_flow_allowed(nn, sa, &rev);
}

/*
 * A SYN that came through an SA: the answers go back through ESP too, so
 * announce no more than fits once protected (over the link it came in on).
 * A local sender then never needs the PMTU round trip (RFC 4459 3.1).
 */
static void nipsec_in_mss_clamp(struct sk_buff *skb, const struct nipsec_sa *sa,
				u16 family)
{
	unsigned int hlen = family == AF_INET ? ip_hdrlen(skb) :
			    sizeof(struct ipv6hdr);
	unsigned int ohlen = 0, kept = hlen;

	if (sa->mode == NIPSEC_MODE_TUNNEL) {
		ohlen = sa->tkey.family == AF_INET ? sizeof(struct iphdr) :
			sizeof(struct ipv6hdr);
		kept = 0;
	}
	nipsec_mss_clamp(skb, family, hlen,
			 nipsec_max_inner(sa, READ_ONCE(skb->dev->mtu), ohlen,
					  kept));
}

/**
 * nipsec_in_finish - deliver a decrypted packet as if it arrived plain
 * @skb: transport mode: the packet without ESP; tunnel mode: network
 *       header at the inner header
 * @sa: the SA that decrypted it
 * @nexthdr: the protocol the ESP trailer named
 *
 * Consumes @skb. Runs in the hook or from a crypto callback (BH disabled,
 * RCU held).
 */
void nipsec_in_finish(struct sk_buff *skb, struct nipsec_sa *sa, u8 nexthdr)
{
	struct nipsec_net *nn = sa->nn;
	struct net *net = nn->net;
	struct nipsec_flow fl;
	unsigned int depth;
	u16 family;

	/* the outer packet's count, before the control block is reset */
	depth = nipsec_depth(skb, skb->protocol == htons(ETH_P_IP) ?
				  AF_INET : AF_INET6) + 1;
	if (sa->mode == NIPSEC_MODE_TUNNEL) {
		if (nexthdr == IPPROTO_IPIP)
			family = AF_INET;
		else if (nexthdr == IPPROTO_IPV6)
			family = AF_INET6;
		else
			goto bad_inner;
		if (nipsec_inner_check(skb, family))
			goto bad_inner;
	} else {
		family = skb->protocol == htons(ETH_P_IP) ? AF_INET : AF_INET6;
		if (family == AF_INET)
			memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	}
	if (nipsec_flow_parse(skb, family, &fl))
		goto bad_inner;
	if (!nipsec_in_allowed(nn, sa, skb, &fl)) {
		nipsec_drop(nn, sa, skb, NIPSEC_DROP_SELECTOR);
		return;
	}
	nipsec_in_mss_clamp(skb, sa, family);

	/*
	 * The ICV vouches for every byte the peer sent, inner checksums
	 * included: checking them again costs a pass over the payload for
	 * nothing (WireGuard reasons the same way).  Without integrity
	 * (null authentication) the stack still checks them.
	 */
	if (sa->icvlen) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		skb->csum_level = SKB_MAX_CSUM_LEVEL;
	}
	/*
	 * Transport mode keeps the addresses, so the local route the ESP
	 * packet took is the plain packet's too (a DNAT at PRE_ROUTING drops
	 * it, as for any packet); tunnel mode routes the inner packet anew.
	 */
	if (sa->mode == NIPSEC_MODE_TUNNEL)
		skb_dst_drop(skb);
	nf_reset_ct(skb);
	nipsec_set_transformed(skb, family);
	nipsec_set_depth(skb, family, depth);
	if (__this_cpu_read(nipsec_reinject_nest) >= NIPSEC_MAX_DEPTH) {
		nipsec_drop(nn, sa, skb, NIPSEC_DROP_DEPTH);
		return;
	}
	__this_cpu_inc(nipsec_reinject_nest);
	if (family == AF_INET)
		NF_HOOK(NFPROTO_IPV4, NF_INET_PRE_ROUTING, net, NULL, skb,
			skb->dev, NULL, nipsec_rcv_finish4);
	else
		NF_HOOK(NFPROTO_IPV6, NF_INET_PRE_ROUTING, net, NULL, skb,
			skb->dev, NULL, nipsec_rcv_finish6);
	__this_cpu_dec(nipsec_reinject_nest);
	return;

bad_inner:
	nipsec_drop(nn, sa, skb, NIPSEC_DROP_INNER_FAMILY);
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

/**
 * nipsec_esp_rcv - ESP addressed to this host
 * @nn: namespace state
 * @skb: the packet, network header at data
 * @family: AF_INET or AF_INET6
 * @off: offset of the ESP header
 * @proto_off: offset of the byte that names ESP
 * @src: for ESP that came in UDP (header removed), where it came from
 *
 * Return: the netfilter verdict.
 */
unsigned int nipsec_esp_rcv(struct nipsec_net *nn, struct sk_buff *skb,
			    u16 family, unsigned int off,
			    unsigned int proto_off,
			    const struct nipsec_udp_src *src)
{
	union nipsec_addr daddr;
	struct nipsec_sa *sa;
	__be32 spi;

	if (!pskb_may_pull(skb, off + NIPSEC_ESP_HLEN))
		return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_TRUNCATED);
	spi = ((const struct ip_esp_hdr *)(skb->data + off))->spi;
	memset(&daddr, 0, sizeof(daddr));
	if (family == AF_INET)
		daddr.a4 = ip_hdr(skb)->daddr;
	else
		daddr.a6 = ipv6_hdr(skb)->daddr;
	sa = nipsec_sa_lookup_in(nn, spi, IPPROTO_ESP, family, &daddr);
	if (!sa || !sa->aead)
		return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_NO_SA);
	/* an SA is either plain or UDP-encapsulated on the wire, not both */
	if (!src != !sa->encap_type)
		return nipsec_hook_drop(nn, sa, skb, NIPSEC_DROP_PROTO);
	if (nipsec_ct_confirm_reset(skb))
		return nipsec_hook_drop(nn, sa, skb, NIPSEC_DROP_POLICY);
	nipsec_esp_input(sa, skb, off, proto_off, src);
	return NF_STOLEN;
}

/* AH (RFC 4302): the SPI follows next header, length and reserved. */
static unsigned int nipsec_ah_rcv(struct nipsec_net *nn, struct sk_buff *skb,
				  u16 family, unsigned int off,
				  unsigned int proto_off)
{
	union nipsec_addr daddr;
	struct nipsec_sa *sa;
	__be32 spi;

	if (!pskb_may_pull(skb, off + NIPSEC_AH_HLEN))
		return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_TRUNCATED);
	spi = ((const struct ip_auth_hdr *)(skb->data + off))->spi;
	memset(&daddr, 0, sizeof(daddr));
	if (family == AF_INET)
		daddr.a4 = ip_hdr(skb)->daddr;
	else
		daddr.a6 = ipv6_hdr(skb)->daddr;
	sa = nipsec_sa_lookup_in(nn, spi, IPPROTO_AH, family, &daddr);
	if (!sa || !sa->ahash)
		return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_NO_SA);
	if (nipsec_ct_confirm_reset(skb))
		return nipsec_hook_drop(nn, sa, skb, NIPSEC_DROP_POLICY);
	nipsec_ah_input(sa, skb, off, proto_off);
	return NF_STOLEN;
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

	if (nipsec_flow_parse(skb, family, &fl))
		return NF_ACCEPT;	/* the stack drops what it cannot parse */
	pol = nipsec_policy_lookup(nn, dir, &fl);
	if (nipsec_policy_frag_unsafe(nn, dir, &fl, pol))
		return nipsec_hook_drop(nn, NULL, skb, fl.fragment ?
					NIPSEC_DROP_FRAGMENT :
					NIPSEC_DROP_TRUNCATED);
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
	if (proto == IPPROTO_ESP)
		return nipsec_esp_rcv(nn, skb, family, off, proto_off, NULL);
	if (proto == IPPROTO_AH)
		return nipsec_ah_rcv(nn, skb, family, off, proto_off);
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
		if (family == AF_INET)
			IPCB(skb)->flags &= ~IPSKB_XFRM_TRANSFORMED;
		else
			IP6CB(skb)->flags &= ~IP6SKB_XFRM_TRANSFORMED;
		return NF_ACCEPT;
	}
	return nipsec_cleartext_check(nn, skb, family, NIPSEC_DIR_FWD);
}

/* ------------------------------------------------------------ registration */

static const struct nf_hook_ops nipsec_nf_ops[] = {
	{
		.hook = nipsec_out_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP_PRI_NAT_SRC + 1,
	}, {
		.hook = nipsec_in_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_NAT_SRC + 1,
	}, {
		.hook = nipsec_fwd_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_FILTER + 1,
	}, {
		.hook = nipsec_out_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP6_PRI_NAT_SRC + 1,
	}, {
		.hook = nipsec_in_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP6_PRI_NAT_SRC + 1,
	}, {
		.hook = nipsec_fwd_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP6_PRI_FILTER + 1,
	},
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
