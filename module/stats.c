// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: per-CPU on the fast path, summed only when userspace asks.
 */
#include <net/netlink.h>

#include "nipsec.h"

static_assert(NIPSEC_A_STATS_RX_PACKETS + NIPSEC_STAT_MAX == NIPSEC_A_STATS_PAD,
	      "enum nipsec_stat must follow the stats attribute set");

#define CREATE_TRACE_POINTS
#include "trace.h"

/**
 * nipsec_drop_count - count a dropped packet under its reason
 * @nn: namespace state
 * @sa: the SA the packet belonged to, or NULL
 * @skb: the packet (its addresses go to the tracepoint), or NULL
 * @reason: NIPSEC_DROP_*
 *
 * Every drop is counted globally; when the SA is known, on the SA too, so
 * that `nipsec stats` can point at the SA that misbehaves; and traced
 * (nipsec:nipsec_drop).  For a packet the caller hands back to netfilter
 * as NF_DROP; nipsec_drop() frees it too.
 */
void nipsec_drop_count(struct nipsec_net *nn, struct nipsec_sa *sa,
		       const struct sk_buff *skb, enum nipsec_stat reason)
{
	nipsec_count(nn->stats, reason, 1);
	if (sa)
		nipsec_count(sa->stats, reason, 1);
	trace_nipsec_drop(skb, sa ? sa->key.spi : 0, sa ? sa->key.proto : 0,
			  reason);
	nipsec_notify_drop(nn, sa, skb, reason);
}

static const char *const nipsec_drop_names[NIPSEC_STAT_MAX] = {
	[NIPSEC_DROP_NO_SA] = "no-sa",
	[NIPSEC_DROP_OUT_NO_SA] = "out-no-sa",
	[NIPSEC_DROP_POLICY] = "policy",
	[NIPSEC_DROP_CLEARTEXT] = "cleartext",
	[NIPSEC_DROP_SELECTOR] = "selector",
	[NIPSEC_DROP_INNER_FAMILY] = "inner-family",
	[NIPSEC_DROP_TRUNCATED] = "truncated",
	[NIPSEC_DROP_BAD_PADDING] = "bad-padding",
	[NIPSEC_DROP_AUTH] = "auth",
	[NIPSEC_DROP_REPLAY] = "replay",
	[NIPSEC_DROP_SEQ_EXHAUSTED] = "seq-exhausted",
	[NIPSEC_DROP_EXPIRED] = "expired",
	[NIPSEC_DROP_CRYPTO] = "crypto",
	[NIPSEC_DROP_NOMEM] = "nomem",
	[NIPSEC_DROP_ROUTE] = "route",
	[NIPSEC_DROP_MTU] = "mtu",
	[NIPSEC_DROP_PROTO] = "proto",
	[NIPSEC_DROP_DEPTH] = "depth",
	[NIPSEC_DROP_FRAGMENT] = "fragment",
	[NIPSEC_DROP_ICMP_ERROR] = "icmp-error",
};

/* the name `nipsec stats` shows without its "drop-" (drop events) */
const char *nipsec_drop_name(enum nipsec_stat reason)
{
	if (reason >= NIPSEC_STAT_MAX || !nipsec_drop_names[reason])
		return "unknown";
	return nipsec_drop_names[reason];
}

/*
 * The kernel's drop reasons are a closed enum: an out-of-tree module
 * cannot register a subsystem of its own (include/net/dropreason.h), so
 * skb:kfree_skb gets the nearest core reason and nipsec:nipsec_drop the
 * exact one.
 */
static enum skb_drop_reason nipsec_core_reason(enum nipsec_stat reason)
{
	switch (reason) {
	case NIPSEC_DROP_NOMEM:
		return SKB_DROP_REASON_NOMEM;
	case NIPSEC_DROP_ROUTE:
		return SKB_DROP_REASON_IP_OUTNOROUTES;
	case NIPSEC_DROP_MTU:
		return SKB_DROP_REASON_PKT_TOO_BIG;
	case NIPSEC_DROP_TRUNCATED:
		return SKB_DROP_REASON_PKT_TOO_SMALL;
	case NIPSEC_DROP_INNER_FAMILY:
	case NIPSEC_DROP_PROTO:
		return SKB_DROP_REASON_IP_NOPROTO;
	case NIPSEC_DROP_NO_SA:
	case NIPSEC_DROP_OUT_NO_SA:
	case NIPSEC_DROP_POLICY:
	case NIPSEC_DROP_CLEARTEXT:
	case NIPSEC_DROP_SELECTOR:
	case NIPSEC_DROP_EXPIRED:
	case NIPSEC_DROP_SEQ_EXHAUSTED:
	case NIPSEC_DROP_AUTH:
	case NIPSEC_DROP_REPLAY:
	case NIPSEC_DROP_BAD_PADDING:
	case NIPSEC_DROP_DEPTH:
	case NIPSEC_DROP_FRAGMENT:
	case NIPSEC_DROP_ICMP_ERROR:
		return SKB_DROP_REASON_XFRM_POLICY;
	default:
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
}

/**
 * nipsec_drop - count, trace and free a packet nipsec drops
 * @nn: namespace state
 * @sa: the SA the packet belonged to, or NULL
 * @skb: the packet; freed
 * @reason: NIPSEC_DROP_*
 */
void nipsec_drop(struct nipsec_net *nn, struct nipsec_sa *sa,
		 struct sk_buff *skb, enum nipsec_stat reason)
{
	nipsec_drop_count(nn, sa, skb, reason);
	kfree_skb_reason(skb, nipsec_core_reason(reason));
}

void nipsec_stats_sum(struct nipsec_stats __percpu *st, u64 *out)
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * NIPSEC_STAT_MAX);
	for_each_possible_cpu(cpu) {
		const struct nipsec_stats *s = per_cpu_ptr(st, cpu);

		for (i = 0; i < NIPSEC_STAT_MAX; i++)
			out[i] += READ_ONCE(s->cnt[i]);
	}
}

int nipsec_stats_put(struct sk_buff *skb, int attr,
		     struct nipsec_stats __percpu *st)
{
	u64 sum[NIPSEC_STAT_MAX];
	struct nlattr *nest;
	int i;

	nipsec_stats_sum(st, sum);
	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < NIPSEC_STAT_MAX; i++) {
		if (nla_put_u64_64bit(skb, NIPSEC_A_STATS_RX_PACKETS + i,
				      sum[i], NIPSEC_A_STATS_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}
