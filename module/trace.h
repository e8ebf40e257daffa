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
#include "stats.h"

/*
 * Every drop reason with the name `nipsec stats` shows after "drop-", once
 * for the names table (stats.c) and the tracepoint's symbols (trace.h).
 * EM(reason, name) for all but the last, EM_END for the last, as the
 * kernel's trace headers spell such lists.
 */
#define NIPSEC_DROP_REASONS					\
	EM(NIPSEC_DROP_NO_SA, "no-sa")				\
	EM(NIPSEC_DROP_OUT_NO_SA, "out-no-sa")			\
	EM(NIPSEC_DROP_POLICY, "policy")			\
	EM(NIPSEC_DROP_CLEARTEXT, "cleartext")			\
	EM(NIPSEC_DROP_SELECTOR, "selector")			\
	EM(NIPSEC_DROP_INNER_FAMILY, "inner-family")		\
	EM(NIPSEC_DROP_TRUNCATED, "truncated")			\
	EM(NIPSEC_DROP_BAD_PADDING, "bad-padding")		\
	EM(NIPSEC_DROP_AUTH, "auth")				\
	EM(NIPSEC_DROP_REPLAY, "replay")			\
	EM(NIPSEC_DROP_SEQ_EXHAUSTED, "seq-exhausted")		\
	EM(NIPSEC_DROP_EXPIRED, "expired")			\
	EM(NIPSEC_DROP_CRYPTO, "crypto")			\
	EM(NIPSEC_DROP_NOMEM, "nomem")				\
	EM(NIPSEC_DROP_ROUTE, "route")				\
	EM(NIPSEC_DROP_MTU, "mtu")				\
	EM(NIPSEC_DROP_PROTO, "proto")				\
	EM(NIPSEC_DROP_DEPTH, "depth")				\
	EM(NIPSEC_DROP_FRAGMENT, "fragment")			\
	EM_END(NIPSEC_DROP_ICMP_ERROR, "icmp-error")

/* export the enum values so that perf and bpftrace can decode them */
#undef EM
#undef EM_END
#define EM(a, b)	TRACE_DEFINE_ENUM(a);
#define EM_END(a, b)	TRACE_DEFINE_ENUM(a);

NIPSEC_DROP_REASONS

/* then the same list as __print_symbolic's pairs */
#undef EM
#undef EM_END
#define EM(a, b)	{ a, b },
#define EM_END(a, b)	{ a, b }

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
		__entry->family =
			nipsec_pkt_addrs(skb,
					 (struct in6_addr *)__entry->saddr,
					 (struct in6_addr *)__entry->daddr);
	),

	TP_printk("reason=%s spi=0x%08x proto=%u family=%u src=%pI6c dst=%pI6c skbaddr=%p",
		  __print_symbolic(__entry->reason,
				   NIPSEC_DROP_REASONS),
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
