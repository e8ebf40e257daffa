/* SPDX-License-Identifier: GPL-2.0 */
/* Counters, drops by reason and their netlink form (stats.c). */
#ifndef _NIPSEC_STATS_H
#define _NIPSEC_STATS_H

#include "nipsec.h"

struct nipsec_sa;

/*
 * Counters, one per NIPSEC_A_STATS_* attribute and in the same order:
 * NIPSEC_A_STATS_RX_PACKETS + i reports counter i.
 */
enum nipsec_stat {
	NIPSEC_STAT_RX_PACKETS,
	NIPSEC_STAT_RX_BYTES,
	NIPSEC_STAT_TX_PACKETS,
	NIPSEC_STAT_TX_BYTES,
	NIPSEC_DROP_NO_SA,
	NIPSEC_DROP_OUT_NO_SA,
	NIPSEC_DROP_POLICY,
	NIPSEC_DROP_CLEARTEXT,
	NIPSEC_DROP_SELECTOR,
	NIPSEC_DROP_INNER_FAMILY,
	NIPSEC_DROP_TRUNCATED,
	NIPSEC_DROP_BAD_PADDING,
	NIPSEC_DROP_AUTH,
	NIPSEC_DROP_REPLAY,
	NIPSEC_DROP_SEQ_EXHAUSTED,
	NIPSEC_DROP_EXPIRED,
	NIPSEC_DROP_CRYPTO,
	NIPSEC_DROP_NOMEM,
	NIPSEC_DROP_ROUTE,
	NIPSEC_DROP_MTU,
	NIPSEC_DROP_PROTO,
	NIPSEC_STAT_ACQUIRES,
	NIPSEC_STAT_MAPPINGS,
	NIPSEC_DROP_DEPTH,
	NIPSEC_DROP_FRAGMENT,
	NIPSEC_DROP_ICMP_ERROR,
	NIPSEC_STAT_REFUSED_LIMIT,
	NIPSEC_STAT_MAX
};

/* Per-CPU so the fast path never shares a cache line between CPUs. */
struct nipsec_stats {
	u64 cnt[NIPSEC_STAT_MAX];
};

/* stats.c */
static inline void nipsec_count(struct nipsec_stats __percpu *st,
				enum nipsec_stat i, u64 n)
{
	this_cpu_add(st->cnt[i], n);
}

void nipsec_drop_count(struct nipsec_net *nn, struct nipsec_sa *sa,
		       const struct sk_buff *skb, enum nipsec_stat reason);
void nipsec_drop(struct nipsec_net *nn, struct nipsec_sa *sa,
		 struct sk_buff *skb, enum nipsec_stat reason);
const char *nipsec_drop_name(enum nipsec_stat reason);
u8 nipsec_pkt_addrs(const struct sk_buff *skb, struct in6_addr *src,
		    struct in6_addr *dst);
void nipsec_stats_sum(struct nipsec_stats __percpu *st, u64 *out);
int nipsec_stats_put(struct sk_buff *skb, int attr,
		     struct nipsec_stats __percpu *st);

#endif /* _NIPSEC_STATS_H */
