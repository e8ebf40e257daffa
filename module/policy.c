// SPDX-License-Identifier: GPL-2.0
/*
 * SPD: security policies per direction, first match by priority, and the
 * traffic selectors they (and tunnel-mode SAs) are matched with.
 *
 * Policies sit on one RCU list per direction sorted by (priority, id), so a
 * lookup walks until the first match without any lock.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <kunit/visibility.h>

#include "nipsec.h"
#include "policy.h"

static bool nipsec_prefix_match(const union nipsec_addr *a,
				const union nipsec_addr *p, u8 plen,
				u16 family)
{
	if (family == AF_INET6)
		return ipv6_prefix_equal(&a->a6, &p->a6, min_t(u8, plen, 128));
	if (!plen)
		return true;
	if (plen >= 32)
		return a->a4 == p->a4;
	return !((a->a4 ^ p->a4) & htonl(~0u << (32 - plen)));
}

static bool nipsec_is_icmp(u16 family, u8 proto)
{
	return (family == AF_INET && proto == IPPROTO_ICMP) ||
	       (family == AF_INET6 && proto == IPPROTO_ICMPV6);
}

/**
 * nipsec_selector_match - does a packet's flow fall inside a selector
 * @sel: the selector
 * @fl: the flow extracted from the packet by nipsec_flow_parse()
 *
 * A selector that names ports (or an ICMP type/code) cannot match a
 * non-first fragment, which carries none: like XFRM, such fragments only
 * match selectors with "any" ports.
 *
 * Return: true when every field of @sel admits @fl.
 */
bool nipsec_selector_match(const struct nipsec_selector *sel,
			   const struct nipsec_flow *fl)
{
	if (sel->family) {
		if (sel->family != fl->family)
			return false;
		if (!nipsec_prefix_match(&fl->saddr, &sel->saddr, sel->sprefix,
					 fl->family) ||
		    !nipsec_prefix_match(&fl->daddr, &sel->daddr, sel->dprefix,
					 fl->family))
			return false;
	}
	if (!sel->proto)
		return true;
	if (sel->proto != fl->proto)
		return false;
	if (nipsec_is_icmp(fl->family, fl->proto)) {
		if (sel->icmp_type < 0 && sel->icmp_code < 0)
			return true;
		if (!fl->has_ports)
			return false;
		return (sel->icmp_type < 0 || sel->icmp_type == fl->sport) &&
		       (sel->icmp_code < 0 || sel->icmp_code == fl->dport);
	}
	if (sel->sport_min == 0 && sel->sport_max == U16_MAX &&
	    sel->dport_min == 0 && sel->dport_max == U16_MAX)
		return true;
	if (!fl->has_ports)
		return false;
	return fl->sport >= sel->sport_min && fl->sport <= sel->sport_max &&
	       fl->dport >= sel->dport_min && fl->dport <= sel->dport_max;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_selector_match);

static void nipsec_flow_ports(const struct sk_buff *skb, unsigned int off,
			      struct nipsec_flow *fl)
{
	switch (fl->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP: {
		__be16 _p[2];
		const __be16 *p = skb_header_pointer(skb, off, sizeof(_p), _p);

		if (!p)
			return;
		fl->sport = ntohs(p[0]);
		fl->dport = ntohs(p[1]);
		fl->has_ports = true;
		return;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		u8 _t[2];
		const u8 *t = skb_header_pointer(skb, off, sizeof(_t), _t);

		if (!t)
			return;
		fl->sport = t[0];
		fl->dport = t[1];
		fl->has_ports = true;
		return;
	}
	default:
		return;
	}
}

/**
 * nipsec_flow_parse - extract addresses, protocol and ports of a packet
 * @skb: packet with its network header set
 * @family: AF_INET or AF_INET6
 * @fl: filled in
 *
 * Return: 0, or -EINVAL for a packet too short for its IP header.
 */
int nipsec_flow_parse(const struct sk_buff *skb, u16 family,
		      struct nipsec_flow *fl)
{
	unsigned int off = skb_network_offset(skb);

	memset(fl, 0, sizeof(*fl));
	fl->family = family;
	if (family == AF_INET) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->ihl < 5)
			return -EINVAL;
		fl->saddr.a4 = iph->saddr;
		fl->daddr.a4 = iph->daddr;
		fl->proto = iph->protocol;
		if (!(iph->frag_off & htons(IP_OFFSET)))
			nipsec_flow_ports(skb, off + iph->ihl * 4, fl);
		return 0;
	}
	if (family == AF_INET6) {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;
		__be16 frag_off = 0;
		u8 nexthdr;
		int hoff;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h)
			return -EINVAL;
		fl->saddr.a6 = ip6h->saddr;
		fl->daddr.a6 = ip6h->daddr;
		nexthdr = ip6h->nexthdr;
		hoff = ipv6_skip_exthdr(skb, off + sizeof(*ip6h), &nexthdr,
					&frag_off);
		/*
		 * A non-first fragment stops the walk at its fragment header;
		 * the protocol it carries is named there (ports are not).
		 */
		if (hoff >= 0 && nexthdr == NEXTHDR_FRAGMENT &&
		    (frag_off & htons(IP6_OFFSET))) {
			const u8 *nh;
			u8 _nh;

			nh = skb_header_pointer(skb, hoff, sizeof(_nh), &_nh);
			if (nh)
				nexthdr = *nh;
		}
		fl->proto = nexthdr;
		if (hoff >= 0 && !(frag_off & htons(IP6_OFFSET)))
			nipsec_flow_ports(skb, hoff, fl);
		return 0;
	}
	return -EAFNOSUPPORT;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_flow_parse);

/**
 * nipsec_policy_lookup - first policy of a direction matching a flow
 * @nn: namespace state
 * @dir: NIPSEC_DIR_*
 * @fl: the packet's flow
 *
 * Caller holds rcu_read_lock (netfilter hooks do). The policy stays valid
 * until the caller leaves the RCU read side.
 *
 * Return: the policy, or NULL when none matches.
 */
struct nipsec_policy *nipsec_policy_lookup(struct nipsec_net *nn, u8 dir,
					   const struct nipsec_flow *fl)
{
	struct nipsec_policy *pol;

	list_for_each_entry_rcu(pol, &nn->policies[dir], list)
		if (nipsec_selector_match(&pol->sel, fl))
			return pol;
	return NULL;
}

/* Usage times move once per second at most: no shared cache line per packet. */
void nipsec_policy_touch(struct nipsec_policy *pol)
{
	time64_t now = ktime_get_real_seconds();

	if (READ_ONCE(pol->last_use) == now)
		return;
	if (!READ_ONCE(pol->use_time))
		WRITE_ONCE(pol->use_time, now);
	WRITE_ONCE(pol->last_use, now);
}

static bool nipsec_policy_before(const struct nipsec_policy *a,
				 const struct nipsec_policy *b)
{
	return a->priority < b->priority ||
	       (a->priority == b->priority && a->id < b->id);
}

/**
 * nipsec_policy_insert - add a policy, assigning its id
 * @nn: namespace state, lock held
 * @pol: fully initialised policy
 *
 * Return: 0 or -ENOSPC when the id space wrapped onto live policies.
 */
int nipsec_policy_insert(struct nipsec_net *nn, struct nipsec_policy *pol)
{
	struct list_head *head = &nn->policies[pol->dir];
	struct nipsec_policy *pos;
	unsigned int tries = 0;

	lockdep_assert_held(&nn->lock);
	/* ids are never 0 and never reused while alive */
	do {
		if (++tries > 16)
			return -ENOSPC;
		pol->id = ++nn->next_policy_id;
		if (!pol->id)
			pol->id = ++nn->next_policy_id;
	} while (nipsec_policy_find(nn, pol->id));

	pol->add_time = ktime_get_real_seconds();
	list_for_each_entry(pos, head, list) {
		if (nipsec_policy_before(pol, pos)) {
			list_add_tail_rcu(&pol->list, &pos->list);
			goto done;
		}
	}
	list_add_tail_rcu(&pol->list, head);
done:
	nn->policy_count++;
	return 0;
}

struct nipsec_policy *nipsec_policy_find(struct nipsec_net *nn, u32 id)
{
	struct nipsec_policy *pol;
	int dir;

	lockdep_assert_held(&nn->lock);
	for (dir = 0; dir < NIPSEC_DIR_COUNT; dir++)
		list_for_each_entry(pol, &nn->policies[dir], list)
			if (pol->id == id)
				return pol;
	return NULL;
}

struct nipsec_policy *nipsec_policy_find_sel(struct nipsec_net *nn, u8 dir,
					     const struct nipsec_selector *sel)
{
	struct nipsec_policy *pol;

	lockdep_assert_held(&nn->lock);
	list_for_each_entry(pol, &nn->policies[dir], list)
		if (!memcmp(&pol->sel, sel, sizeof(*sel)))
			return pol;
	return NULL;
}

void nipsec_policy_remove(struct nipsec_net *nn, struct nipsec_policy *pol,
			  bool notify)
{
	lockdep_assert_held(&nn->lock);
	list_del_rcu(&pol->list);
	nn->policy_count--;
	if (notify)
		nipsec_notify_policy_del(nn, pol);
	kfree_rcu(pol, rcu);
}

/**
 * nipsec_policy_flush - delete the policies of one direction or all
 * @nn: namespace state, lock held
 * @dir: NIPSEC_DIR_* or -1 for every direction
 * @notify: send policy-del events
 */
void nipsec_policy_flush(struct nipsec_net *nn, int dir, bool notify)
{
	struct nipsec_policy *pol, *tmp;
	int d;

	for (d = 0; d < NIPSEC_DIR_COUNT; d++) {
		if (dir >= 0 && d != dir)
			continue;
		list_for_each_entry_safe(pol, tmp, &nn->policies[d], list)
			nipsec_policy_remove(nn, pol, notify);
	}
}

void nipsec_policy_net_init(struct nipsec_net *nn)
{
	int dir;

	for (dir = 0; dir < NIPSEC_DIR_COUNT; dir++)
		INIT_LIST_HEAD(&nn->policies[dir]);
}

void nipsec_policy_net_exit(struct nipsec_net *nn)
{
	mutex_lock(&nn->lock);
	nipsec_policy_flush(nn, -1, false);
	mutex_unlock(&nn->lock);
}
