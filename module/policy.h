/* SPDX-License-Identifier: GPL-2.0 */
/* The SPD: selectors, flows, templates, policies and their lookup (policy.c). */
#ifndef _NIPSEC_POLICY_H
#define _NIPSEC_POLICY_H

#include "nipsec.h"

struct nipsec_sa;

/*
 * Traffic selector. Ports are host order ranges; icmp_type/icmp_code are -1
 * for any. family 0 with no addresses matches both families.
 */
struct nipsec_selector {
	u16 family;
	u8 sprefix;
	u8 dprefix;
	u8 proto;
	s16 icmp_type;
	s16 icmp_code;
	u16 sport_min, sport_max;
	u16 dport_min, dport_max;
	union nipsec_addr saddr;
	union nipsec_addr daddr;
};

/* What a packet offers to selectors, extracted once per packet. */
struct nipsec_flow {
	u16 family;
	u8 proto;
	bool has_ports;		/* false for non-first fragments */
	bool frag;		/* a non-first fragment */
	bool fragment;		/* any fragment, the first too (not atomic) */
	unsigned int thoff;	/* transport header offset, with has_ports */
	u16 sport, dport;	/* host order; ICMP: type, code */
	union nipsec_addr saddr;
	union nipsec_addr daddr;
};

/* Policy template: names the SA that protects the matched traffic. */
struct nipsec_tmpl {
	u8 proto;		/* IPPROTO_ESP or IPPROTO_AH */
	u8 mode;		/* NIPSEC_MODE_* */
	u16 family;		/* of the outer addresses; 0 = from the packet */
	u32 reqid;
	__be32 spi;		/* 0 = any */
	union nipsec_addr saddr;
	union nipsec_addr daddr;
};

/* Key of a policy in its group's hash: the selector's masked addresses. */
struct nipsec_pol_key {
	union nipsec_addr saddr;
	union nipsec_addr daddr;
};

struct nipsec_pgroup;

/**
 * struct nipsec_policy - a Security Policy
 *
 * Lives on an RCU list per direction, sorted by priority then id (dumps,
 * ordering), and in the hash of its group: the policies of one direction
 * with the same family and prefix lengths (policy.c, lookups).
 */
struct nipsec_policy {
	struct list_head list;
	struct rcu_head rcu;
	struct rhlist_head hnode;	/* nipsec_pgroup.ht */
	struct nipsec_pol_key hkey;
	struct nipsec_pgroup *group;
	u32 id;
	u32 priority;
	u8 dir;				/* NIPSEC_DIR_* */
	u8 action;			/* NIPSEC_ACTION_* */
	struct nipsec_selector sel;
	struct nipsec_tmpl tmpl;	/* action protect only */
	time64_t add_time;
	time64_t use_time;
	time64_t last_use;
	unsigned long acquire_jiffies;	/* last acquire, for rate limiting */
};

/* policy.c */
void nipsec_policy_net_init(struct nipsec_net *nn);
void nipsec_policy_net_exit(struct nipsec_net *nn);
struct nipsec_policy *nipsec_policy_lookup(struct nipsec_net *nn, u8 dir,
					   const struct nipsec_flow *fl);
int nipsec_policy_portless_drop(struct nipsec_net *nn, u8 dir,
				const struct nipsec_flow *fl,
				const struct nipsec_policy *pol);
bool nipsec_policy_in_allowed(struct nipsec_net *nn, struct nipsec_sa *sa,
			      const struct sk_buff *skb,
			      const struct nipsec_flow *fl);
bool nipsec_flow_icmp_quoted(const struct sk_buff *skb,
			     const struct nipsec_flow *fl,
			     struct nipsec_flow *q, struct nipsec_flow *rev);
void nipsec_selector_mask(struct nipsec_selector *sel);
bool nipsec_selector_match(const struct nipsec_selector *sel,
			   const struct nipsec_flow *fl);
int nipsec_flow_parse(const struct sk_buff *skb, u16 family,
		      struct nipsec_flow *fl);
void nipsec_policy_touch(struct nipsec_policy *pol);

/* configuration, used by the netlink handlers (under nipsec_net.lock) */
int nipsec_policy_insert(struct nipsec_net *nn, struct nipsec_policy *pol);
struct nipsec_policy *nipsec_policy_find(struct nipsec_net *nn, u32 id);
struct nipsec_policy *nipsec_policy_find_sel(struct nipsec_net *nn, u8 dir,
					     const struct nipsec_selector *sel);
void nipsec_policy_remove(struct nipsec_net *nn, struct nipsec_policy *pol,
			  bool notify);
void nipsec_policy_flush(struct nipsec_net *nn, int dir, bool notify);

#endif /* _NIPSEC_POLICY_H */
