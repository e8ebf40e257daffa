// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: per-CPU on the fast path, summed only when userspace asks.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "nipsec.h"
#include "stats.h"
#include "netlink.h"
#include "sa.h"

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

/* from the list trace.h holds for the tracepoint's symbols */
#undef EM
#undef EM_END
#define EM(reason, name) \
	[reason] = name,
#define EM_END(reason, name) \
	[reason] = name,
static const char *const nipsec_drop_names[NIPSEC_STAT_MAX] = {
	NIPSEC_DROP_REASONS
};

#undef EM
#undef EM_END

/* the name `nipsec stats` shows without its "drop-" (drop events) */
const char *nipsec_drop_name(enum nipsec_stat reason)
{
	if (reason >= NIPSEC_STAT_MAX || !nipsec_drop_names[reason])
		return "unknown";
	return nipsec_drop_names[reason];
}

/**
 * nipsec_pkt_addrs - the addresses of the IP header at skb's network offset
 * @skb: the packet, or NULL
 * @src: its source, as IPv6 (IPv4 mapped)
 * @dst: its destination, the same way
 *
 * For the drop tracepoint and the drop notification: only what the linear
 * part holds is read, so any packet at any stage of a hook will do.
 *
 * Return: 4 or 6, the header's version; 0 (and zeros) when there is none.
 */
u8 nipsec_pkt_addrs(const struct sk_buff *skb, struct in6_addr *src,
		    struct in6_addr *dst)
{
	int off = skb ? skb_network_offset(skb) : -1;
	const struct iphdr *iph;

	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if (off < 0 || skb_headlen(skb) < off + sizeof(*iph))
		return 0;
	iph = ip_hdr(skb);
	if (iph->version == 4) {
		ipv6_addr_set_v4mapped(iph->saddr, src);
		ipv6_addr_set_v4mapped(iph->daddr, dst);
		return 4;
	}
	if (iph->version == 6 &&
	    skb_headlen(skb) >= off + sizeof(struct ipv6hdr)) {
		*src = ipv6_hdr(skb)->saddr;
		*dst = ipv6_hdr(skb)->daddr;
		return 6;
	}
	return 0;
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
