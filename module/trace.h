/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints: nipsec:nipsec_drop fires on every packet nipsec drops, with
 * the reason nipsec counted it under, the SA when one was found, and the
 * packet's addresses, for perf, bpftrace and trace-cmd.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nipsec

#if !defined(_NIPSEC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _NIPSEC_TRACE_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tracepoint.h>

#include "nipsec.h"

/* export the enum values so that perf and bpftrace can decode them */
TRACE_DEFINE_ENUM(NIPSEC_DROP_NO_SA);
TRACE_DEFINE_ENUM(NIPSEC_DROP_OUT_NO_SA);
TRACE_DEFINE_ENUM(NIPSEC_DROP_POLICY);
TRACE_DEFINE_ENUM(NIPSEC_DROP_CLEARTEXT);
TRACE_DEFINE_ENUM(NIPSEC_DROP_SELECTOR);
TRACE_DEFINE_ENUM(NIPSEC_DROP_INNER_FAMILY);
TRACE_DEFINE_ENUM(NIPSEC_DROP_TRUNCATED);
TRACE_DEFINE_ENUM(NIPSEC_DROP_BAD_PADDING);
TRACE_DEFINE_ENUM(NIPSEC_DROP_AUTH);
TRACE_DEFINE_ENUM(NIPSEC_DROP_REPLAY);
TRACE_DEFINE_ENUM(NIPSEC_DROP_SEQ_EXHAUSTED);
TRACE_DEFINE_ENUM(NIPSEC_DROP_EXPIRED);
TRACE_DEFINE_ENUM(NIPSEC_DROP_CRYPTO);
TRACE_DEFINE_ENUM(NIPSEC_DROP_NOMEM);
TRACE_DEFINE_ENUM(NIPSEC_DROP_ROUTE);
TRACE_DEFINE_ENUM(NIPSEC_DROP_MTU);
TRACE_DEFINE_ENUM(NIPSEC_DROP_PROTO);
TRACE_DEFINE_ENUM(NIPSEC_DROP_DEPTH);
TRACE_DEFINE_ENUM(NIPSEC_DROP_FRAGMENT);
TRACE_DEFINE_ENUM(NIPSEC_DROP_ICMP_ERROR);

#ifndef NIPSEC_TRACE_ADDRS_ONCE
#define NIPSEC_TRACE_ADDRS_ONCE
/*
 * The addresses of the header at the network offset, as IPv6 (IPv4
 * mapped), when the linear part holds it; zeros otherwise.
 */
static inline void nipsec_trace_addrs(const struct sk_buff *skb, u8 *family,
				      struct in6_addr *s, struct in6_addr *d)
{
	int off = skb ? skb_network_offset(skb) : -1;
	const struct iphdr *iph;

	*family = 0;
	memset(s, 0, sizeof(*s));
	memset(d, 0, sizeof(*d));
	if (off < 0 || skb_headlen(skb) < off + sizeof(*iph))
		return;
	iph = ip_hdr(skb);
	if (iph->version == 4) {
		*family = 4;
		ipv6_addr_set_v4mapped(iph->saddr, s);
		ipv6_addr_set_v4mapped(iph->daddr, d);
	} else if (iph->version == 6 &&
		   skb_headlen(skb) >= off + sizeof(struct ipv6hdr)) {
		*family = 6;
		*s = ipv6_hdr(skb)->saddr;
		*d = ipv6_hdr(skb)->daddr;
	}
}
#endif

TRACE_EVENT(nipsec_drop,
	TP_PROTO(const struct sk_buff *skb, __be32 spi, u8 proto, int reason),
	TP_ARGS(skb, spi, proto, reason),

	TP_STRUCT__entry(
		__field(const void *, skbaddr)
		__field(u32, spi)
		__field(int, reason)
		__field(u8, proto)
		__field(u8, family)
		__array(u8, saddr, sizeof(struct in6_addr))
		__array(u8, daddr, sizeof(struct in6_addr))
	),

	TP_fast_assign(
		__entry->skbaddr = skb;
		__entry->spi = ntohl(spi);
		__entry->reason = reason;
		__entry->proto = proto;
		nipsec_trace_addrs(skb, &__entry->family,
				   (struct in6_addr *)__entry->saddr,
				   (struct in6_addr *)__entry->daddr);
	),

	TP_printk("reason=%s spi=0x%08x proto=%u family=%u src=%pI6c dst=%pI6c skbaddr=%p",
		  __print_symbolic(__entry->reason,
			{ NIPSEC_DROP_NO_SA, "no-sa" },
			{ NIPSEC_DROP_OUT_NO_SA, "out-no-sa" },
			{ NIPSEC_DROP_POLICY, "policy" },
			{ NIPSEC_DROP_CLEARTEXT, "cleartext" },
			{ NIPSEC_DROP_SELECTOR, "selector" },
			{ NIPSEC_DROP_INNER_FAMILY, "inner-family" },
			{ NIPSEC_DROP_TRUNCATED, "truncated" },
			{ NIPSEC_DROP_BAD_PADDING, "bad-padding" },
			{ NIPSEC_DROP_AUTH, "auth" },
			{ NIPSEC_DROP_REPLAY, "replay" },
			{ NIPSEC_DROP_SEQ_EXHAUSTED, "seq-exhausted" },
			{ NIPSEC_DROP_EXPIRED, "expired" },
			{ NIPSEC_DROP_CRYPTO, "crypto" },
			{ NIPSEC_DROP_NOMEM, "nomem" },
			{ NIPSEC_DROP_ROUTE, "route" },
			{ NIPSEC_DROP_MTU, "mtu" },
			{ NIPSEC_DROP_PROTO, "proto" },
			{ NIPSEC_DROP_DEPTH, "depth" },
			{ NIPSEC_DROP_FRAGMENT, "fragment" },
			{ NIPSEC_DROP_ICMP_ERROR, "icmp-error" }),
		  __entry->spi, __entry->proto, __entry->family,
		  __entry->saddr, __entry->daddr, __entry->skbaddr)
);

#endif /* _NIPSEC_TRACE_H */

/* this part must be outside the include guard */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
