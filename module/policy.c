// SPDX-License-Identifier: GPL-2.0
/*
 * SPD: security policies per direction, first match by priority, and the
 * traffic selectors they (and tunnel-mode SAs) are matched with.
 *
 * Policies sit on one RCU list per direction sorted by (priority, id): the
 * order dumps show and first-match semantics refer to.  Lookups do not walk
 * it (that grows with the number of policies): they use tuple-space search.
 * The policies of a direction are grouped by the shape of their selector -
 * family and source and destination prefix lengths - and each group is an
 * RCU hash table keyed by the selector's addresses masked to those lengths.
 * A packet costs one hash lookup per group (masking its addresses the
 * group's way); protocol and ports stay a check on the few policies found
 * there.  The best (priority, id) match over the groups is the first match
 * of the list.  A group records a lower bound of its members' priorities so
 * that a lookup skips the groups that cannot hold a better match.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <kunit/visibility.h>

#include "nipsec.h"
#include "netlink.h"
#include "sa.h"
#include "stats.h"
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

/* @any_ports: a flow without ports matches port-selective selectors too */
static bool __nipsec_selector_match(const struct nipsec_selector *sel,
				    const struct nipsec_flow *fl,
				    bool any_ports)
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
			return any_ports;
		return (sel->icmp_type < 0 || sel->icmp_type == fl->sport) &&
		       (sel->icmp_code < 0 || sel->icmp_code == fl->dport);
	}
	if (sel->sport_min == 0 && sel->sport_max == U16_MAX &&
	    sel->dport_min == 0 && sel->dport_max == U16_MAX)
		return true;
	if (!fl->has_ports)
		return any_ports;
	return fl->sport >= sel->sport_min && fl->sport <= sel->sport_max &&
	       fl->dport >= sel->dport_min && fl->dport <= sel->dport_max;
}

/**
 * nipsec_selector_mask - clear the host bits beyond a selector's prefixes
 * @sel: the selector, family and prefix lengths set
 *
 * Host bits do not matter to a selector: with them cleared, one selector
 * has one form, which policy lookup, get, del and duplicate checks compare
 * (10.0.0.5/24 is 10.0.0.0/24).
 */
void nipsec_selector_mask(struct nipsec_selector *sel)
{
	if (sel->family == AF_INET) {
		if (sel->sprefix < 32)
			sel->saddr.a4 &= sel->sprefix ?
					 htonl(~0u << (32 - sel->sprefix)) : 0;
		if (sel->dprefix < 32)
			sel->daddr.a4 &= sel->dprefix ?
					 htonl(~0u << (32 - sel->dprefix)) : 0;
	} else if (sel->family == AF_INET6) {
		/* ipv6_addr_prefix() clears its output first: not in place */
		struct in6_addr s6 = sel->saddr.a6, d6 = sel->daddr.a6;

		ipv6_addr_prefix(&sel->saddr.a6, &s6, sel->sprefix);
		ipv6_addr_prefix(&sel->daddr.a6, &d6, sel->dprefix);
	}
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_selector_mask);

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
	return __nipsec_selector_match(sel, fl, false);
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
		fl->thoff = off;
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
		fl->thoff = off;
		return;
	}
	default:
		return;
	}
}

/* The flow of the IP header at @off (the packet's, or one an ICMP quotes). */
static int nipsec_flow_parse_at(const struct sk_buff *skb, unsigned int off,
				u16 family, struct nipsec_flow *fl)
{
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
		fl->fragment = !!(iph->frag_off & htons(IP_MF | IP_OFFSET));
		if (!(iph->frag_off & htons(IP_OFFSET)))
			nipsec_flow_ports(skb, off + iph->ihl * 4, fl);
		else
			fl->frag = true;
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

			fl->frag = true;
			nh = skb_header_pointer(skb, hoff, sizeof(_nh), &_nh);
			if (nh)
				nexthdr = *nh;
		}
		fl->proto = nexthdr;
		fl->fragment = !!(frag_off & htons(IP6_OFFSET | IP6_MF));
		if (hoff >= 0 && !(frag_off & htons(IP6_OFFSET)))
			nipsec_flow_ports(skb, hoff, fl);
		return 0;
	}
	return -EAFNOSUPPORT;
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
	return nipsec_flow_parse_at(skb, skb_network_offset(skb), family, fl);
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_flow_parse);

/**
 * nipsec_flow_icmp_quoted - the flows an ICMP error speaks for
 * @skb: the packet
 * @fl: its flow (nipsec_flow_parse())
 * @q: filled in: the flow of the packet it quotes
 * @rev: filled in: that flow reversed
 *
 * An ICMP error travels back along the path of the packet it quotes, so
 * the policy that covers it is the one for the quoted packet's reverse
 * direction (XFRM's XFRM_LOOKUP_ICMP, "flag icmp").
 *
 * Return: true if @fl is an ICMP error and its quote has an IP header.
 */
bool nipsec_flow_icmp_quoted(const struct sk_buff *skb,
			     const struct nipsec_flow *fl,
			     struct nipsec_flow *q, struct nipsec_flow *rev)
{
	if (!fl->has_ports || !nipsec_is_icmp(fl->family, fl->proto))
		return false;
	if (fl->family == AF_INET ? !icmp_is_err(fl->sport) :
	    fl->sport >= ICMPV6_ECHO_REQUEST)
		return false;
	/* type, code, checksum and 4 bytes, then the quoted header */
	if (nipsec_flow_parse_at(skb, fl->thoff + 8, fl->family, q))
		return false;
	*rev = *q;
	rev->saddr = q->daddr;
	rev->daddr = q->saddr;
	if (nipsec_is_icmp(q->family, q->proto)) {
		rev->has_ports = false;	/* an echo's answer has another type */
	} else {
		rev->sport = q->dport;
		rev->dport = q->sport;
	}
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_flow_icmp_quoted);

/**
 * struct nipsec_pgroup - the policies of one direction and selector shape
 * @list: on nipsec_net.pgroups[dir] (RCU)
 * @ht: the policies by nipsec_pol_key (masked addresses)
 * @family: of the selectors; 0 (any family: no address check)
 * @sprefix: source prefix length, clamped to the family's address size
 * @dprefix: destination prefix length, likewise
 * @min_priority: no member has a lower priority (never raised: a bound)
 * @count: members
 * @free_work: frees the group a grace period after it left @list
 */
struct nipsec_pgroup {
	struct list_head list;
	struct rhltable ht;
	u16 family;
	u8 sprefix;
	u8 dprefix;
	u32 min_priority;
	unsigned int count;
	struct rcu_work free_work;
};

static const struct rhashtable_params nipsec_pol_params = {
	.key_len = sizeof(struct nipsec_pol_key),
	.key_offset = offsetof(struct nipsec_policy, hkey),
	.head_offset = offsetof(struct nipsec_policy, hnode),
	.automatic_shrinking = true,
};

static void nipsec_addr_mask(union nipsec_addr *out,
			     const union nipsec_addr *a, u8 plen, u16 family)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET6)
		ipv6_addr_prefix(&out->a6, &a->a6, plen);
	else if (family == AF_INET && plen)
		out->a4 = a->a4 & htonl(~0u << (32 - plen));
}

/* The group a selector belongs to: family and clamped prefix lengths. */
static void nipsec_sel_shape(const struct nipsec_selector *sel, u16 *family,
			     u8 *sprefix, u8 *dprefix)
{
	u8 max = sel->family == AF_INET6 ? 128 : 32;

	*family = sel->family;
	if (sel->family != AF_INET && sel->family != AF_INET6) {
		*sprefix = 0;
		*dprefix = 0;
		return;
	}
	*sprefix = min(sel->sprefix, max);
	*dprefix = min(sel->dprefix, max);
}

static void nipsec_pgroup_key(const struct nipsec_pgroup *g,
			      const union nipsec_addr *saddr,
			      const union nipsec_addr *daddr,
			      struct nipsec_pol_key *key)
{
	nipsec_addr_mask(&key->saddr, saddr, g->sprefix, g->family);
	nipsec_addr_mask(&key->daddr, daddr, g->dprefix, g->family);
}

static bool nipsec_policy_before(const struct nipsec_policy *a,
				 const struct nipsec_policy *b)
{
	return a->priority < b->priority ||
	       (a->priority == b->priority && a->id < b->id);
}

/* @any_ports: as for __nipsec_selector_match() */
static struct nipsec_policy *
__nipsec_policy_lookup(struct nipsec_net *nn, u8 dir,
		       const struct nipsec_flow *fl, bool any_ports)
{
	struct nipsec_policy *best = NULL, *pol;
	struct rhlist_head *hl, *pos;
	struct nipsec_pol_key key;
	struct nipsec_pgroup *g;

	list_for_each_entry_rcu(g, &nn->pgroups[dir], list) {
		if (g->family && g->family != fl->family)
			continue;
		if (best && READ_ONCE(g->min_priority) > best->priority)
			continue;
		nipsec_pgroup_key(g, &fl->saddr, &fl->daddr, &key);
		hl = rhltable_lookup(&g->ht, &key, nipsec_pol_params);
		rhl_for_each_entry_rcu(pol, pos, hl, hnode)
			if ((!best || nipsec_policy_before(pol, best)) &&
			    __nipsec_selector_match(&pol->sel, fl, any_ports))
				best = pol;
	}
	return best;
}

/**
 * nipsec_policy_lookup - first policy of a direction matching a flow
 * @nn: namespace state
 * @dir: NIPSEC_DIR_*
 * @fl: the packet's flow
 *
 * Caller holds rcu_read_lock (netfilter hooks do). The policy stays valid
 * until the caller leaves the RCU read side.  The cost grows with the
 * number of selector shapes, not with the number of policies.
 *
 * Return: the policy, or NULL when none matches.
 */
struct nipsec_policy *nipsec_policy_lookup(struct nipsec_net *nn, u8 dir,
					   const struct nipsec_flow *fl)
{
	return __nipsec_policy_lookup(nn, dir, fl, false);
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_policy_lookup);

/*
 * Could a port-selective selector have matched what the lookup saw without
 * ports?  A non-first fragment, or a packet of a protocol with ports (or
 * ICMP type and code) too short to show them: a first fragment the
 * reassembly let through (RFC 8200 4.5), or a truncated header.
 */
static bool nipsec_flow_portless(const struct nipsec_flow *fl)
{
	if (fl->frag)
		return true;
	if (fl->has_ports)
		return false;
	switch (fl->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return true;
	default:
		return nipsec_is_icmp(fl->family, fl->proto);
	}
}

/**
 * nipsec_policy_portless_drop - must a packet without its ports be dropped?
 * @nn: namespace state
 * @dir: NIPSEC_DIR_*
 * @fl: the packet's flow
 * @pol: what nipsec_policy_lookup() found for it, or NULL
 *
 * A non-first fragment cannot show the ports that a port-selective policy
 * needs, nor can a first fragment or a packet cut inside its transport
 * header, so the lookup passes over such policies.  The datagram may be
 * one of theirs: if, with the ports taken as matching, a protect or
 * discard policy would come first, the packet must not go by the lookup's
 * answer (fail closed).  Such packets are rare here: the namespace's
 * traffic is reassembled before our hooks (nf_defrag).
 *
 * Return: 0 to go by the lookup's answer, else the reason to drop it:
 * NIPSEC_DROP_FRAGMENT, or NIPSEC_DROP_TRUNCATED for a packet that is not
 * a fragment.
 */
int nipsec_policy_portless_drop(struct nipsec_net *nn, u8 dir,
				const struct nipsec_flow *fl,
				const struct nipsec_policy *pol)
{
	const struct nipsec_policy *any;

	if (!nipsec_flow_portless(fl))
		return 0;
	any = __nipsec_policy_lookup(nn, dir, fl, true);
	if (!any || any == pol || any->action == NIPSEC_ACTION_BYPASS)
		return 0;
	return fl->fragment ? NIPSEC_DROP_FRAGMENT : NIPSEC_DROP_TRUNCATED;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_policy_portless_drop);

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

static void nipsec_pgroup_free(struct work_struct *work)
{
	struct nipsec_pgroup *g = container_of(to_rcu_work(work),
					       struct nipsec_pgroup, free_work);

	rhltable_destroy(&g->ht);
	kfree(g);
}

static struct nipsec_pgroup *nipsec_pgroup_find(struct nipsec_net *nn, u8 dir,
						const struct nipsec_selector *sel)
{
	struct nipsec_pgroup *g;
	u8 sprefix, dprefix;
	u16 family;

	nipsec_sel_shape(sel, &family, &sprefix, &dprefix);
	list_for_each_entry(g, &nn->pgroups[dir], list)
		if (g->family == family && g->sprefix == sprefix &&
		    g->dprefix == dprefix)
			return g;
	return NULL;
}

/* The group of a new policy, made if it is the first of its shape. */
static struct nipsec_pgroup *nipsec_pgroup_get(struct nipsec_net *nn, u8 dir,
					       const struct nipsec_selector *sel)
{
	struct nipsec_pgroup *g = nipsec_pgroup_find(nn, dir, sel);

	if (g)
		return g;
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		return NULL;
	if (rhltable_init(&g->ht, &nipsec_pol_params)) {
		kfree(g);
		return NULL;
	}
	nipsec_sel_shape(sel, &g->family, &g->sprefix, &g->dprefix);
	g->min_priority = U32_MAX;
	INIT_RCU_WORK(&g->free_work, nipsec_pgroup_free);
	list_add_tail_rcu(&g->list, &nn->pgroups[dir]);
	return g;
}

static void nipsec_pgroup_put(struct nipsec_pgroup *g)
{
	if (g->count)
		return;
	list_del_rcu(&g->list);
	queue_rcu_work(nipsec_wq, &g->free_work);
}

/**
 * nipsec_policy_insert - add a policy, assigning its id
 * @nn: namespace state, lock held
 * @pol: fully initialised policy
 *
 * Return: 0, -ENOSPC when the id space wrapped onto live policies, or
 * -ENOMEM.
 */
int nipsec_policy_insert(struct nipsec_net *nn, struct nipsec_policy *pol)
{
	struct list_head *head = &nn->policies[pol->dir];
	struct nipsec_policy *pos;
	struct nipsec_pgroup *g;
	unsigned int tries = 0;
	int err;

	lockdep_assert_held(&nn->lock);
	/* ids are never 0 and never reused while alive */
	do {
		if (++tries > 16)
			return -ENOSPC;
		pol->id = ++nn->next_policy_id;
		if (!pol->id)
			pol->id = ++nn->next_policy_id;
	} while (xa_load(&nn->policy_ids, pol->id));

	g = nipsec_pgroup_get(nn, pol->dir, &pol->sel);
	if (!g)
		return -ENOMEM;
	err = xa_insert(&nn->policy_ids, pol->id, pol, GFP_KERNEL_ACCOUNT);
	if (err)
		goto put;
	nipsec_pgroup_key(g, &pol->sel.saddr, &pol->sel.daddr, &pol->hkey);
	/* the bound first: a lookup that finds the policy must not skip it */
	if (pol->priority < g->min_priority)
		WRITE_ONCE(g->min_priority, pol->priority);
	err = rhltable_insert(&g->ht, &pol->hnode, nipsec_pol_params);
	if (err) {
		xa_erase(&nn->policy_ids, pol->id);
		goto put;
	}
	g->count++;
	pol->group = g;

	pol->add_time = ktime_get_real_seconds();
	/* from the tail: policies usually come in priority order */
	list_for_each_entry_reverse(pos, head, list) {
		if (!nipsec_policy_before(pol, pos)) {
			list_add_rcu(&pol->list, &pos->list);
			goto done;
		}
	}
	list_add_rcu(&pol->list, head);
done:
	nn->policy_count++;
	pr_debug("policy %u (dir %u, action %u, priority %u): added\n", pol->id,
		 pol->dir, pol->action, pol->priority);
	return 0;
put:
	nipsec_pgroup_put(g);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_policy_insert);

struct nipsec_policy *nipsec_policy_find(struct nipsec_net *nn, u32 id)
{
	lockdep_assert_held(&nn->lock);
	return xa_load(&nn->policy_ids, id);
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_policy_find);

struct nipsec_policy *nipsec_policy_find_sel(struct nipsec_net *nn, u8 dir,
					     const struct nipsec_selector *sel)
{
	struct nipsec_policy *pol, *found = NULL;
	struct nipsec_pol_key key;
	struct rhlist_head *hl, *pos;
	struct nipsec_pgroup *g;

	lockdep_assert_held(&nn->lock);
	g = nipsec_pgroup_find(nn, dir, sel);
	if (!g)
		return NULL;
	nipsec_pgroup_key(g, &sel->saddr, &sel->daddr, &key);
	rcu_read_lock();
	hl = rhltable_lookup(&g->ht, &key, nipsec_pol_params);
	rhl_for_each_entry_rcu(pol, pos, hl, hnode) {
		if (!memcmp(&pol->sel, sel, sizeof(*sel))) {
			found = pol;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_policy_find_sel);

void nipsec_policy_remove(struct nipsec_net *nn, struct nipsec_policy *pol,
			  bool notify)
{
	struct nipsec_pgroup *g = pol->group;

	lockdep_assert_held(&nn->lock);
	rhltable_remove(&g->ht, &pol->hnode, nipsec_pol_params);
	g->count--;
	nipsec_pgroup_put(g);
	xa_erase(&nn->policy_ids, pol->id);
	list_del_rcu(&pol->list);
	nn->policy_count--;
	pr_debug("policy %u (dir %u): deleted\n", pol->id, pol->dir);
	if (notify)
		nipsec_notify_policy_del(nn, pol);
	kfree_rcu(pol, rcu);
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_policy_remove);

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

	for (dir = 0; dir < NIPSEC_DIR_COUNT; dir++) {
		INIT_LIST_HEAD(&nn->policies[dir]);
		INIT_LIST_HEAD(&nn->pgroups[dir]);
	}
	xa_init(&nn->policy_ids);
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_policy_net_init);

void nipsec_policy_net_exit(struct nipsec_net *nn)
{
	mutex_lock(&nn->lock);
	nipsec_policy_flush(nn, -1, false);
	mutex_unlock(&nn->lock);
	xa_destroy(&nn->policy_ids);
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_policy_net_exit);

/* ------------------------------------------------------------ inbound */

/* Does a policy template describe this SA (RFC 4301 5.2, step 4)? */
static bool nipsec_tmpl_matches(const struct nipsec_tmpl *t,
				const struct nipsec_sa *sa)
{
	unsigned int alen;

	if (t->proto != sa->key.proto || t->mode != sa->mode)
		return false;
	if (t->reqid && t->reqid != sa->tkey.reqid)
		return false;
	if (t->spi && t->spi != sa->key.spi)
		return false;
	if (sa->mode != NIPSEC_MODE_TUNNEL || !t->family)
		return true;
	if (t->family != sa->tkey.family)
		return false;
	alen = nipsec_addr_len(t->family);
	return !memcmp(&t->saddr, &sa->tkey.saddr, alen) &&
	       !memcmp(&t->daddr, &sa->tkey.daddr, alen);
}

/*
 * A decrypted packet must be what its SA may carry: inside the SA's own
 * selector, and matched by an "in" or "fwd" protect policy whose template
 * names this SA. Whether it is for us or to forward is decided by routing
 * after PRE_ROUTING; both directions' policies are acceptable here.
 */
static bool nipsec_in_flow_allowed(struct nipsec_net *nn,
				   struct nipsec_sa *sa,
				   const struct nipsec_flow *fl)
{
	static const u8 dirs[] = { NIPSEC_DIR_IN, NIPSEC_DIR_FWD };
	struct nipsec_policy *pol;
	unsigned int i;

	if (sa->has_sel && !nipsec_selector_match(&sa->sel, fl))
		return false;
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		pol = nipsec_policy_lookup(nn, dirs[i], fl);
		if (pol && pol->action == NIPSEC_ACTION_PROTECT &&
		    nipsec_tmpl_matches(&pol->tmpl, sa)) {
			nipsec_policy_touch(pol);
			return true;
		}
	}
	return false;
}

/*
 * Transport mode: the decrypted packet's addresses are the SA's own (the
 * ICV does not cover the IP header, so a replayed packet could come from
 * anywhere).  An ESP-in-UDP SA's peer shows the NAT's address, which the
 * mapping events report: only its destination is checked.
 */
static bool nipsec_in_addrs_ok(const struct nipsec_sa *sa,
			       const struct nipsec_flow *fl)
{
	unsigned int alen = nipsec_addr_len(sa->key.family);

	if (fl->family != sa->key.family ||
	    memcmp(&fl->daddr, &sa->key.daddr, alen))
		return false;
	return sa->encap_type || ipv6_addr_any(&sa->tkey.saddr.a6) ||
	       !memcmp(&fl->saddr, &sa->tkey.saddr, alen);
}

/**
 * nipsec_policy_in_allowed - may this SA have carried this packet?
 * @nn: namespace state
 * @sa: the SA that decrypted (or verified) the packet
 * @skb: the packet after the transform, network header at the inner header
 * @fl: its flow
 *
 * RFC 4301 5.2 steps 3 and 4: transport mode's addresses are the SA's own;
 * the flow is inside the SA's selector and an "in" or "fwd" protect policy
 * whose template names this SA covers it, or (tunnel mode) it is an ICMP
 * error about traffic that such a policy covers.
 *
 * Return: true to deliver the packet.
 */
bool nipsec_policy_in_allowed(struct nipsec_net *nn, struct nipsec_sa *sa,
			      const struct sk_buff *skb,
			      const struct nipsec_flow *fl)
{
	struct nipsec_flow q, rev;

	if (sa->mode == NIPSEC_MODE_TRANSPORT && !sa->has_sel &&
	    !nipsec_in_addrs_ok(sa, fl))
		return false;
	if (nipsec_in_flow_allowed(nn, sa, fl))
		return true;
	/* tunnel mode: an ICMP error about traffic this SA carries back */
	return sa->mode == NIPSEC_MODE_TUNNEL &&
	       nipsec_flow_icmp_quoted(skb, fl, &q, &rev) &&
	       nipsec_in_flow_allowed(nn, sa, &rev);
}
