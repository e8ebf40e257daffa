// SPDX-License-Identifier: GPL-2.0
/*
 * nipsec outbound path, from the POST_ROUTING hook to the wire:
 *
 *   policy -> SA -> (GSO segments) -> headroom -> transform -> route -> send
 *
 * Transport mode keeps the packet's own route and header; tunnel mode puts
 * an outer header in front and routes it anew (tunnel MTU, PMTU and ICMP
 * here).  The transform (ESP or AH, module/xform.h) adds its header and
 * continues at nipsec_out_finish(), at once or from a crypto callback,
 * which sends the packet through LOCAL_OUT and POST_ROUTING again.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/dst.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/tcp.h>
#include <kunit/visibility.h>

#include "nipsec.h"
#include "acquire.h"
#include "policy.h"
#include "sa.h"
#include "stats.h"
#include "hooks.h"
#include "xform.h"

/**
 * nipsec_xform_out_prepare - what ESP and AH do before their crypto
 * @sa: the outbound SA, held by the caller
 * @skb: the packet
 * @hlen: bytes that stay in front of the new header
 * @proto_off: the byte in there that names the next protocol
 * @head: bytes the transform puts in front of the payload
 * @tail: bytes it appends (ESP's trailer and ICV)
 * @seq: the packet's sequence number, out
 * @trailer: skb_cow_data()'s last buffer, out
 * @reason: the drop reason on failure, out
 *
 * The lifetime accounting and the sequence number come before anything
 * that can fail for want of memory, as in XFRM: a packet that was counted
 * against the SA's limits has used its number whatever becomes of it.
 *
 * Return: the number of buffers for the scatterlist, or -1 with @reason.
 */
int nipsec_xform_out_prepare(struct nipsec_sa *sa, struct sk_buff *skb,
			     unsigned int hlen, unsigned int proto_off,
			     unsigned int head, unsigned int tail, u64 *seq,
			     struct sk_buff **trailer, enum nipsec_stat *reason)
{
	int nfrags;

	*reason = NIPSEC_DROP_PROTO;
	/* the contexts keep offsets up to the new header's end in a u16 */
	if (unlikely(skb->len < hlen || proto_off >= hlen ||
		     hlen + head > U16_MAX))
		return -1;
	*reason = NIPSEC_DROP_EXPIRED;
	if (unlikely(!nipsec_sa_account(sa, skb->len - hlen, true)))
		return -1;
	if (unlikely(nipsec_sa_next_seq(sa, seq))) {
		nipsec_sa_seq_exhausted(sa);
		*reason = NIPSEC_DROP_SEQ_EXHAUSTED;
		return -1;
	}
	/* the packet may outlive this softirq: no borrowed route */
	*reason = NIPSEC_DROP_ROUTE;
	if (unlikely(!skb_dst_force(skb)))
		return -1;
	/* the headers are written to: they must be ours */
	*reason = NIPSEC_DROP_NOMEM;
	if (unlikely(skb_cow_head(skb, head)))
		return -1;
	nfrags = skb_cow_data(skb, tail, trailer);
	if (unlikely(nfrags < 0))
		return -1;
	return nfrags;
}

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

	KUNIT_STATIC_STUB_REDIRECT(nipsec_out_finish, skb, sa);
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
EXPORT_SYMBOL_IF_KUNIT(nipsec_out_finish);

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
void nipsec_mss_clamp(struct sk_buff *skb, u16 family, unsigned int hlen,
		      unsigned int max_inner)
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
	unsigned int max = sa->xform->max_inner(sa, mtu, outer_hlen, 0);

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
	max = sa->xform->max_inner(sa, dst_mtu(skb_dst(skb)), 0, hlen);
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
	if (skb_cow_head(skb, sa->xform->header_room(sa) +
			 LL_RESERVED_SPACE(skb_dst(skb)->dev))) {
		nipsec_drop(nn, sa, skb, NIPSEC_DROP_NOMEM);
		return;
	}
	sa->xform->output(sa, skb, hlen, proto_off);
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
			 sa->xform->max_inner(sa, dst_mtu(dst), ohlen, 0));
	if (!nipsec_out_mtu_ok(nn, sa, skb, family, dst_mtu(dst), ohlen,
			       &frag_ok)) {
		dst_release(dst);
		return;
	}
	if (skb_cow_head(skb, ohlen + sa->xform->header_room(sa) +
			 LL_RESERVED_SPACE(dst->dev))) {
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
	sa->xform->output(sa, skb, ohlen, ofamily == AF_INET ?
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

/**
 * nipsec_output - the outbound path of a packet at POST_ROUTING
 * @nn: namespace state
 * @skb: the packet, not transformed yet
 * @family: AF_INET or AF_INET6
 *
 * Policy, then SA, then for each (GSO) segment headroom, transform, outer
 * route and send (nipsec_out_finish()).  No SA for a protect policy means
 * an acquire and a drop, never cleartext.
 *
 * Return: the netfilter verdict (NF_STOLEN once the packet is ours).
 */
unsigned int nipsec_output(struct nipsec_net *nn, struct sk_buff *skb,
			   u16 family)
{
	const struct nipsec_flow *key_fl;
	struct nipsec_flow fl, rev;
	struct nipsec_policy *pol;
	struct nipsec_sa *sa;
	struct sk_buff *segs, *next;
	int reason;

	if (nipsec_flow_parse(skb, family, &fl))
		return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_PROTO);
	pol = nipsec_policy_lookup(nn, NIPSEC_DIR_OUT, &fl);
	reason = nipsec_policy_portless_drop(nn, NIPSEC_DIR_OUT, &fl, pol);
	if (unlikely(reason))
		return nipsec_hook_drop(nn, NULL, skb, reason);
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
	if (!sa->xform)
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
