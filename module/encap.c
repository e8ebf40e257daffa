// SPDX-License-Identifier: GPL-2.0
/*
 * NAT traversal (RFC 3948): ESP inside UDP.
 *
 * Output: esp.c leaves room for a UDP header between the IP header and
 * ESP; nipsec_encap_out_hdr() fills it, nipsec_encap_out_csum() finishes
 * it once the payload is final (checksum zero over IPv4, RFC 3948 2.1; a
 * real one over IPv6, which forbids zero).
 *
 * Input: at LOCAL_IN, a UDP packet whose first four payload bytes are not
 * zero (the non-ESP marker of IKE) and that is not a one-byte 0xFF
 * keepalive is looked up as ESP by SPI and destination; if the SA it names
 * uses ESP-in-UDP on that port, the UDP header is removed and the packet
 * goes through ESP as if it had arrived plain.  IKE messages, keepalives
 * and everything else stay with the sockets: no daemon needs UDP_ENCAP.
 *
 * NAT rebinding: when an authenticated packet comes from another address
 * or port than the SA's peer, the SA and its outbound twins (same reqid,
 * reversed addresses) follow it and a mapping event is sent.  Only
 * packets that passed the ICV and replay checks move anything.
 */
#include <linux/module.h>
#include <linux/udp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/udp.h>

#include "nipsec.h"
#include "xform.h"
#include "netlink.h"
#include "stats.h"
#include "esp.h"
#include "hooks.h"
#include "sa.h"

/* RFC 3948 2.2/2.3: the IKE non-ESP marker and the NAT-keepalive byte */
#define NIPSEC_NON_ESP_MARKER	0
#define NIPSEC_KEEPALIVE	0xff

/* IANA's NAT-T port: an unknown SPI arriving there is dropped, not passed */
#define NIPSEC_NATT_PORT	4500

int nipsec_encap_init_sa(struct nipsec_sa *sa, const struct nipsec_sa_params *p)
{
	struct nipsec_encap_ep *ep;

	if (!p->has_encap)
		return 0;
	ep = kzalloc(sizeof(*ep), GFP_KERNEL_ACCOUNT);
	if (!ep)
		return -ENOMEM;
	ep->saddr = p->saddr;
	ep->daddr = p->key.daddr;
	ep->sport = p->encap_sport;
	ep->dport = p->encap_dport;
	ep->oa = p->encap_oa;
	sa->encap_type = p->encap_type;
	sa->encap_rebind = p->encap_rebind;
	RCU_INIT_POINTER(sa->encap, ep);
	return 0;
}

/* The SA is unreachable (after a grace period) when this runs. */
void nipsec_encap_free_sa(struct nipsec_sa *sa)
{
	kfree(rcu_dereference_protected(sa->encap, true));
	RCU_INIT_POINTER(sa->encap, NULL);
}

/*
 * Replace an SA's endpoint; the caller holds sa->lock, which serialises
 * sa-update against rebinding seen by the data path.
 */
static int nipsec_encap_set(struct nipsec_sa *sa,
			    const struct nipsec_encap_ep *nep, gfp_t gfp)
{
	struct nipsec_encap_ep *old, *ep;

	old = rcu_dereference_protected(sa->encap, lockdep_is_held(&sa->lock));
	ep = kmemdup(nep, sizeof(*ep), gfp);
	if (!ep)
		return -ENOMEM;
	rcu_assign_pointer(sa->encap, ep);
	kfree_rcu(old, rcu);
	return 0;
}

/**
 * nipsec_encap_update - sa-update: new UDP ports and NAT-OA for an SA
 * @sa: an SA with encap (caller checked)
 * @p: the request's encap (ports, original address, rebind)
 *
 * The endpoint is replaced as a whole, so the data path never sees half
 * of an address.
 *
 * Return: 0 or -ENOMEM.
 */
int nipsec_encap_update(struct nipsec_sa *sa, const struct nipsec_sa_params *p)
{
	struct nipsec_encap_ep nep;
	int err;

	spin_lock_bh(&sa->lock);
	nep = *rcu_dereference_protected(sa->encap, lockdep_is_held(&sa->lock));
	nep.sport = p->encap_sport;
	nep.dport = p->encap_dport;
	nep.oa = p->encap_oa;
	err = nipsec_encap_set(sa, &nep, GFP_ATOMIC | __GFP_ACCOUNT);
	if (!err)
		WRITE_ONCE(sa->encap_rebind, p->encap_rebind);
	spin_unlock_bh(&sa->lock);
	return err;
}

/**
 * nipsec_encap_out_hdr - fill the UDP header of an outbound ESP packet
 * @sa: the SA (caller inside an RCU read section)
 * @uh: the header, in front of the ESP header
 * @len: UDP length (header and ESP packet)
 */
void nipsec_encap_out_hdr(const struct nipsec_sa *sa, struct udphdr *uh,
			  unsigned int len)
{
	const struct nipsec_encap_ep *ep = rcu_dereference(sa->encap);

	uh->source = ep->sport;
	uh->dest = ep->dport;
	uh->len = htons(len);
	uh->check = 0;
}

/**
 * nipsec_encap_out_csum - finish the UDP checksum of an encrypted packet
 * @skb: network header at data, UDP header at the transport header
 *
 * IPv4 keeps a zero checksum (RFC 3948 2.1: the ESP ICV covers the
 * payload). IPv6 needs a real one (RFC 8200 8.1).
 */
void nipsec_encap_out_csum(struct sk_buff *skb)
{
	struct udphdr *uh = udp_hdr(skb);
	unsigned int len = ntohs(uh->len);
	__wsum csum;

	if (skb->protocol != htons(ETH_P_IPV6))
		return;
	csum = skb_checksum(skb, skb_transport_offset(skb), len, 0);
	uh->check = csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
				    &ipv6_hdr(skb)->daddr, len, IPPROTO_UDP,
				    csum);
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;
}

/**
 * nipsec_encap_rcv - ESP-in-UDP arriving at LOCAL_IN
 * @nn: namespace state
 * @skb: the UDP packet, network header at data
 * @family: AF_INET or AF_INET6
 * @off: offset of the UDP header
 * @proto_off: offset of the byte that names UDP
 *
 * Return: NF_ACCEPT for what is not ESP (IKE, keepalives, other UDP: the
 * caller applies the inbound policy to it), NF_DROP for bad ESP-in-UDP,
 * NF_STOLEN when ESP took the packet.
 */
unsigned int nipsec_encap_rcv(struct nipsec_net *nn, struct sk_buff *skb,
			      u16 family, unsigned int off,
			      unsigned int proto_off)
{
	struct nipsec_udp_src src = { .family = family };
	union nipsec_addr daddr = {};
	const struct udphdr *uh;
	struct nipsec_sa *sa;
	unsigned int ulen;
	__be32 spi;

	/* UDP header and an ESP header, or it is not ours */
	if (!pskb_may_pull(skb, off + sizeof(*uh) + NIPSEC_ESP_HLEN))
		return NF_ACCEPT;
	uh = (const struct udphdr *)(skb->data + off);
	ulen = ntohs(uh->len);
	if (ulen < sizeof(*uh) + NIPSEC_ESP_HLEN || ulen > skb->len - off)
		return NF_ACCEPT;
	spi = *(const __be32 *)(uh + 1);
	if (spi == htonl(NIPSEC_NON_ESP_MARKER))
		return NF_ACCEPT;	/* IKE on the NAT-T port */

	if (family == AF_INET)
		daddr.a4 = ip_hdr(skb)->daddr;
	else
		daddr.a6 = ipv6_hdr(skb)->daddr;
	sa = nipsec_sa_lookup_in(nn, spi, IPPROTO_ESP, family, &daddr);
	if (!sa || !sa->encap_type ||
	    rcu_dereference(sa->encap)->dport != uh->dest) {
		if (ntohs(uh->dest) != NIPSEC_NATT_PORT)
			return NF_ACCEPT;	/* some other UDP service */
		nipsec_drop_count(nn, NULL, skb, NIPSEC_DROP_NO_SA);
		return NF_DROP;
	}
	/* RFC 3948 3.1: a zero checksum over IPv4 is fine; verify others */
	if ((uh->check || family == AF_INET6) &&
	    nf_checksum(skb, NF_INET_LOCAL_IN, off, IPPROTO_UDP, family)) {
		nipsec_drop_count(nn, sa, skb, NIPSEC_DROP_PROTO);
		return NF_DROP;
	}
	src.port = uh->source;
	if (family == AF_INET)
		src.addr.a4 = ip_hdr(skb)->saddr;
	else
		src.addr.a6 = ipv6_hdr(skb)->saddr;

	/* take the UDP header out: what remains is plain ESP */
	if (ulen < skb->len - off && pskb_trim(skb, off + ulen))
		goto nomem;
	if (skb_ensure_writable(skb, off + sizeof(*uh)))
		goto nomem;
	/* early demux may have found the socket: it is not the receiver */
	skb_orphan(skb);
	nipsec_hdr_remove(skb, off, sizeof(*uh), NULL);
	skb_set_transport_header(skb, off);
	skb->data[proto_off] = IPPROTO_ESP;
	nipsec_set_ip_len(skb, true);
	return nipsec_input(nn, skb, family, IPPROTO_ESP, off, proto_off, &src);

nomem:
	nipsec_drop_count(nn, sa, skb, NIPSEC_DROP_NOMEM);
	return NF_DROP;
}

static bool nipsec_encap_same(u16 family, const union nipsec_addr *a,
			      __be16 ap, const union nipsec_addr *b, __be16 bp)
{
	return ap == bp && !memcmp(a, b, nipsec_addr_len(family));
}

struct nipsec_encap_move {
	struct nipsec_sa_visitor v;
	const struct nipsec_udp_src *src;
};

/* An outbound twin of an inbound SA follows its peer to the new endpoint. */
static void nipsec_encap_move_out(struct nipsec_sa_visitor *v,
				  struct nipsec_sa *sa)
{
	const struct nipsec_udp_src *src =
		container_of(v, struct nipsec_encap_move, v)->src;
	struct nipsec_encap_ep nep;

	if (!sa->encap_type || sa->key.family != src->family)
		return;
	spin_lock(&sa->lock);
	nep = *rcu_dereference_protected(sa->encap, lockdep_is_held(&sa->lock));
	if (!nipsec_encap_same(sa->key.family, &nep.daddr, nep.dport,
			       &src->addr, src->port)) {
		nep.daddr = src->addr;
		nep.dport = src->port;
		nipsec_encap_set(sa, &nep, GFP_ATOMIC);
	}
	spin_unlock(&sa->lock);
}

/*
 * A peer seen somewhere new, SA left where it is: tell the IKE daemon, at
 * most once a second per SA (a replayed packet from an attacker's address
 * would otherwise be an event each).
 */
static void nipsec_encap_report(struct nipsec_sa *sa,
				const struct nipsec_encap_ep *ep,
				const struct nipsec_udp_src *src)
{
	unsigned long last = READ_ONCE(sa->mapping_jiffies);

	if (last && time_before(jiffies, last + HZ))
		return;
	if (cmpxchg(&sa->mapping_jiffies, last, jiffies | 1) != last)
		return;		/* another CPU reports it */
	nipsec_count(sa->nn->stats, NIPSEC_STAT_MAPPINGS, 1);
	nipsec_notify_mapping(sa, &ep->saddr, ep->sport, &src->addr,
			      src->port);
}

/**
 * nipsec_encap_check_peer - a NAT rebinding: report it, or follow it
 * @sa: the inbound SA that authenticated the packet (RCU held, BH off)
 * @src: where the packet came from
 * @newest: its sequence number is above every one the SA saw before
 *
 * Called only after the ICV and the replay window accepted the packet.
 * By default the SA stays and the IKE daemon hears of the new address
 * (RFC 7296 2.23 leaves the move to it; XFRM only reports too): an
 * on-path attacker who re-sends a fresh captured packet from its own
 * address must not redirect the tunnel.  SAs added with "rebind" follow
 * the packet, and only one newer than any seen.
 */
void nipsec_encap_check_peer(struct nipsec_sa *sa,
			     const struct nipsec_udp_src *src, bool newest)
{
	const struct nipsec_encap_ep *ep = rcu_dereference(sa->encap);
	u16 family = sa->key.family;
	struct nipsec_encap_move move = {
		.v.visit = nipsec_encap_move_out,
		.src = src,
	};
	struct nipsec_encap_ep nep;
	struct nipsec_tmpl_key key;

	if (nipsec_encap_same(family, &ep->saddr, ep->sport, &src->addr,
			      src->port))
		return;
	if (!READ_ONCE(sa->encap_rebind) || !newest) {
		nipsec_encap_report(sa, ep, src);
		return;
	}
	spin_lock(&sa->lock);
	nep = *rcu_dereference_protected(sa->encap, lockdep_is_held(&sa->lock));
	if (nipsec_encap_same(family, &nep.saddr, nep.sport, &src->addr,
			      src->port)) {
		spin_unlock(&sa->lock);
		return;		/* another CPU got there first */
	}
	nep.saddr = src->addr;
	nep.sport = src->port;
	if (nipsec_encap_set(sa, &nep, GFP_ATOMIC)) {
		spin_unlock(&sa->lock);
		return;		/* the next packet tries again */
	}
	spin_unlock(&sa->lock);
	nipsec_count(sa->nn->stats, NIPSEC_STAT_MAPPINGS, 1);
	/* the SAs back to the peer: same reqid, addresses reversed */
	key = sa->tkey;
	key.saddr = sa->tkey.daddr;
	key.daddr = sa->tkey.saddr;
	nipsec_sa_visit_out(sa->nn, &key, &move.v);
	nipsec_notify_mapping(sa, &ep->saddr, ep->sport, &src->addr,
			      src->port);
}

/**
 * nipsec_encap_csum_fixup - inner checksums after transport-mode NAT-T
 * @skb: the decrypted packet, IP header at data
 * @sa: its SA
 * @off: offset of the inner transport header (where ESP was: behind any
 *       IPv6 extension headers)
 * @proto: its protocol (the ESP trailer's next header)
 *
 * The peer computed its TCP/UDP checksum over its own (original) address,
 * which the NAT changed in the IP header (RFC 3948 3.1.2). With the
 * original address known the checksum is corrected incrementally; without
 * it the checksum cannot be checked, and ESP's ICV already vouches for
 * the payload, so it is marked verified (as XFRM does).
 */
void nipsec_encap_csum_fixup(struct sk_buff *skb, const struct nipsec_sa *sa,
			     unsigned int off, u8 proto)
{
	u16 family = sa->key.family;
	union nipsec_addr cur = {}, oa;
	unsigned int thlen;
	__sum16 *check;

	if (family == AF_INET) {
		cur.a4 = ip_hdr(skb)->saddr;
		if (ip_is_fragment(ip_hdr(skb)))
			return;
	} else {
		cur.a6 = ipv6_hdr(skb)->saddr;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return;
	oa = rcu_dereference(sa->encap)->oa;
	if (ipv6_addr_any(&oa.a6) ||
	    !memcmp(&cur, &oa, nipsec_addr_len(family)))
		goto trust;
	thlen = proto == IPPROTO_TCP ? sizeof(struct tcphdr) :
				       sizeof(struct udphdr);
	if (!pskb_may_pull(skb, off + thlen))
		goto trust;
	if (proto == IPPROTO_UDP && family == AF_INET &&
	    !((struct udphdr *)(skb->data + off))->check)
		return;		/* no checksum to fix */
	if (skb_ensure_writable(skb, off + thlen))
		goto trust;
	check = proto == IPPROTO_TCP ?
		&((struct tcphdr *)(skb->data + off))->check :
		&((struct udphdr *)(skb->data + off))->check;
	if (family == AF_INET)
		inet_proto_csum_replace4(check, skb, oa.a4, cur.a4, true);
	else
		inet_proto_csum_replace16(check, skb, oa.a6.s6_addr32,
					  cur.a6.s6_addr32, true);
	if (proto == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
	return;
trust:
	skb->ip_summed = CHECKSUM_UNNECESSARY;
}
