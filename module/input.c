// SPDX-License-Identifier: GPL-2.0
/*
 * nipsec inbound path, from the LOCAL_IN hook (or the ESP-in-UDP receive
 * of encap.c) back into the stack:
 *
 *   SA -> transform -> inner checks -> policy (RFC 4301 5.2) -> re-inject
 *
 * The transform (ESP or AH, module/xform.h) verifies the packet, at once
 * or from a crypto callback, and continues at nipsec_in_finish(): tunnel
 * mode's inner header is checked as ip_rcv()/ipv6_rcv() would, the packet
 * must be what its SA may carry, and it enters PRE_ROUTING again marked
 * transformed, its nesting depth counted.
 */
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <kunit/visibility.h>

#include "nipsec.h"
#include "policy.h"
#include "replay.h"
#include "sa.h"
#include "stats.h"
#include "hooks.h"
#include "xform.h"

/*
 * Re-injections running on this CPU's stack right now: a decrypted packet
 * is decrypted again inside the same call chain when its crypto completes
 * synchronously.  The per-packet depth bounds that already; this bounds the
 * stack even if a path between re-injection and LOCAL_IN lost the count.
 * Only touched with BH disabled (hooks, crypto callbacks).
 */
static DEFINE_PER_CPU(unsigned int, nipsec_reinject_nest);

/**
 * nipsec_input - ESP or AH addressed to this host, to its SA's transform
 * @nn: namespace state
 * @skb: the packet, network header at data
 * @family: AF_INET or AF_INET6
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @off: offset of the ESP or AH header
 * @proto_off: offset of the byte that names it
 * @src: for ESP that came in UDP (header removed), where it came from
 *
 * The SA is found by SPI, protocol and destination (RFC 4301 4.1); the
 * transform verifies the packet and continues at nipsec_in_finish().
 *
 * Return: the netfilter verdict (NF_STOLEN once the packet is ours).
 */
unsigned int nipsec_input(struct nipsec_net *nn, struct sk_buff *skb,
			  u16 family, u8 proto, unsigned int off,
			  unsigned int proto_off,
			  const struct nipsec_udp_src *src)
{
	const struct nipsec_xform *xf = proto == IPPROTO_AH ? &nipsec_ah_xform :
					&nipsec_esp_xform;
	union nipsec_addr daddr;
	struct nipsec_sa *sa;
	__be32 spi;

	if (!pskb_may_pull(skb, off + xf->hdr_len))
		return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_TRUNCATED);
	memcpy(&spi, skb->data + off + xf->spi_off, sizeof(spi));
	memset(&daddr, 0, sizeof(daddr));
	if (family == AF_INET)
		daddr.a4 = ip_hdr(skb)->daddr;
	else
		daddr.a6 = ipv6_hdr(skb)->daddr;
	sa = nipsec_sa_lookup_in(nn, spi, xf->proto, family, &daddr);
	if (!sa || sa->xform != xf)
		return nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_NO_SA);
	/* an SA is either plain or UDP-encapsulated on the wire, not both */
	if (!src != !sa->encap_type)
		return nipsec_hook_drop(nn, sa, skb, NIPSEC_DROP_PROTO);
	if (nipsec_ct_confirm_reset(skb))
		return nipsec_hook_drop(nn, sa, skb, NIPSEC_DROP_POLICY);
	xf->input(sa, skb, off, proto_off, src);
	return NF_STOLEN;
}

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
			 sa->xform->max_inner(sa, READ_ONCE(skb->dev->mtu),
					      ohlen, kept));
}

/**
 * nipsec_xform_in_prepare - what ESP and AH do before their crypto
 * @sa: the SA, held by the caller
 * @skb: the packet, its header pulled up to the sequence number
 * @seq_no: the header's sequence number
 * @seq: its full (ESN) value, out
 * @trailer: skb_cow_data()'s last buffer, out
 * @reason: the drop reason on failure, out
 *
 * The replay check before the ICV (RFC 4303 3.4.3; the window moves only
 * once the ICV is good), a route that outlives the softirq, and data the
 * transform may write to.
 *
 * Return: the number of buffers for the scatterlist, or -1 with @reason.
 */
int nipsec_xform_in_prepare(struct nipsec_sa *sa, struct sk_buff *skb,
			    __be32 seq_no, u64 *seq, struct sk_buff **trailer,
			    enum nipsec_stat *reason)
{
	int nfrags, err;

	spin_lock(&sa->lock);
	err = nipsec_replay_check(&sa->replay, ntohl(seq_no), seq);
	spin_unlock(&sa->lock);
	if (unlikely(err)) {
		*reason = NIPSEC_DROP_REPLAY;
		return -1;
	}
	if (unlikely(!skb_dst_force(skb))) {
		*reason = NIPSEC_DROP_ROUTE;
		return -1;
	}
	nfrags = skb_cow_data(skb, 0, trailer);
	if (unlikely(nfrags < 0)) {
		*reason = NIPSEC_DROP_NOMEM;
		return -1;
	}
	return nfrags;
}

/**
 * nipsec_xform_in_transport - a transport-mode packet, its header removed
 * @skb: network header at skb->data
 * @hlen: the headers kept in front of the removed one
 * @proto_off: the byte that named ESP or AH
 * @nexthdr: what it names now
 *
 * The IP length and checksum as the stack will check them, and the
 * transport header where the stack resumes once the packet is re-injected.
 * For IPv6 that is the header IP6CB's nhoff names: the first one behind
 * the IPv6 header, or behind hop-by-hop, which ip6_rcv_core() parsed
 * already.  Not the transport offset on arrival: nf_defrag_ipv6 moves it
 * behind the removed fragment header, past any routing or destination
 * options header in front, and the stack would then read the payload as
 * the header nhoff names (FINDINGS 7).
 */
void nipsec_xform_in_transport(struct sk_buff *skb, unsigned int hlen,
			       unsigned int proto_off, u8 nexthdr)
{
	unsigned int t;

	skb->data[proto_off] = nexthdr;
	nipsec_set_ip_len(skb, true);
	if (skb->protocol == htons(ETH_P_IP)) {
		skb_set_transport_header(skb, ip_hdr(skb)->ihl * 4);
		return;
	}
	t = sizeof(struct ipv6hdr);
	/* hop-by-hop, when present, is in front of the removed header */
	if (IP6CB(skb)->flags & IP6SKB_HOPBYHOP && t + 2 <= hlen)
		t += ipv6_optlen((struct ipv6_opt_hdr *)(skb->data + t));
	skb_set_transport_header(skb, min(t, hlen));
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

	KUNIT_STATIC_STUB_REDIRECT(nipsec_in_finish, skb, sa, nexthdr);
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
		if (family == AF_INET) {
			struct ip_options opt = IPCB(skb)->opt;

			/*
			 * A fresh control block, but the IP options the stack
			 * parsed on arrival stay: the header that holds them is
			 * still in front, and an echo reply returns them.
			 */
			memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
			IPCB(skb)->opt = opt;
		}
	}
	if (nipsec_flow_parse(skb, family, &fl))
		goto bad_inner;
	if (!nipsec_policy_in_allowed(nn, sa, skb, &fl)) {
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
EXPORT_SYMBOL_IF_KUNIT(nipsec_in_finish);
