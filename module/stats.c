// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: per-CPU on the fast path, summed only when userspace asks.
 */
#include <net/netlink.h>

#include "nipsec.h"

static_assert(NIPSEC_A_STATS_RX_PACKETS + NIPSEC_STAT_MAX == NIPSEC_A_STATS_PAD,
	      "enum nipsec_stat must follow the stats attribute set");

/**
 * nipsec_drop_count - count a dropped packet under its reason
 * @nn: namespace state
 * @sa: the SA the packet belonged to, or NULL
 * @reason: NIPSEC_DROP_*
 *
 * Every drop is counted globally; when the SA is known, on the SA too, so
 * that `nipsec stats` can point at the SA that misbehaves.
 */
void nipsec_drop_count(struct nipsec_net *nn, struct nipsec_sa *sa,
		       enum nipsec_stat reason)
{
	nipsec_count(nn->stats, reason, 1);
	if (sa)
		nipsec_count(sa->stats, reason, 1);
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
