/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nipsec: IPsec (ESP, AH) on netfilter hooks with the kernel crypto API.
 *
 * Shared types of the module: SAD entries, SPD entries, per-netns state,
 * counters. One file per concept implements them (see Documentation/design.rst).
 */
#ifndef _NIPSEC_H
#define _NIPSEC_H

#include <linux/types.h>
#include <linux/in6.h>
#include <linux/rhashtable.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/percpu.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/dst_cache.h>
#include <net/netns/generic.h>
#include <uapi/linux/nipsec.h>

#include "compat.h"

/*
 * Refusals: the extack message for the requester, and the same words to
 * dynamic debug (`echo 'module nipsec +p' > .../dynamic_debug/control`),
 * rate-limited since an unprivileged namespace owner can provoke them.
 */
struct netlink_ext_ack;
struct nlattr;
void nipsec_refused(struct netlink_ext_ack *extack, const struct nlattr *attr,
		    const char *msg);
/* msg: a string literal (extack keeps the pointer) */
#define NIPSEC_ERR_MSG(extack, msg) nipsec_refused(extack, NULL, msg)
#define NIPSEC_ERR_MSG_ATTR(extack, attr, msg) nipsec_refused(extack, attr, msg)

#define NIPSEC_VERSION "0.1.0"

/* Transforms one received packet may go through (XFRM_MAX_DEPTH too). */
#define NIPSEC_MAX_DEPTH 6

struct crypto_aead;
struct crypto_ahash;
struct genl_info;
struct netlink_ext_ack;

/* An IPv4 or IPv6 address; the family travels beside it. */
union nipsec_addr {
	__be32 a4;
	struct in6_addr a6;
};

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

/* Lifetime limits, 0 = none (seconds for the time limits). */
struct nipsec_lifetime {
	u64 soft_bytes, hard_bytes;
	u64 soft_packets, hard_packets;
	u64 soft_add, hard_add;
	u64 soft_use, hard_use;
};

/*
 * Anti-replay state (RFC 4303 3.4.3, Appendix A for ESN). @top is the
 * highest sequence number accepted so far (64-bit when ESN); bit i of
 * @bitmap (counted from @top downwards, ring-indexed by seq % bits) tells
 * whether @top - i was received. Protected by the owning SA's lock.
 */
struct nipsec_replay {
	u32 window;		/* packets; 0 disables the check */
	u32 bits;		/* bitmap size, power of two >= window */
	bool esn;
	u64 top;
	unsigned long *bitmap;
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

/* Key of the inbound SAD: what an arriving ESP/AH packet names. */
struct nipsec_sa_key {
	union nipsec_addr daddr;
	__be32 spi;
	u16 family;
	u8 proto;
	u8 pad;			/* zeroed: the whole key is hashed */
};

/*
 * Key of the outbound SAD: what a template and a flow name. reqid is last:
 * the second table (templates with reqid 0, "any") hashes all but it.
 */
struct nipsec_tmpl_key {
	union nipsec_addr saddr;
	union nipsec_addr daddr;
	u16 family;
	u8 proto;
	u8 mode;
	u32 reqid;
};

/* Algorithm choice as requested over netlink (names follow ip xfrm). */
struct nipsec_alg_cfg {
	const char *aead_name, *enc_name, *auth_name;
	const u8 *aead_key, *enc_key, *auth_key;
	unsigned int aead_keylen, enc_keylen, auth_keylen;
	u32 icv_bits;		/* aead; 0 = default */
	u32 auth_trunc_bits;	/* auth; 0 = default */
};

enum nipsec_sa_flags {
	NIPSEC_SA_SOFT_SENT,	/* soft expire event already sent */
	NIPSEC_SA_HARD_SENT,	/* hard expire handled */
	NIPSEC_SA_USED,		/* carried at least one packet */
	NIPSEC_SA_OUT_LINKED,	/* linked in the outbound tables */
	NIPSEC_SA_LARVAL_COUNTED,	/* in nipsec_net.larval_count */
};

/**
 * struct nipsec_sa - a Security Association
 *
 * Lookups are RCU; the SA lives while a reference is held (packets in an
 * asynchronous crypto operation hold one). Configuration changes happen
 * under nipsec_net.lock.
 */
struct nipsec_sa {
	struct rhash_head spi_node;	/* nipsec_net.sa_by_spi */
	struct rhlist_head tmpl_node;	/* nipsec_net.sa_by_tmpl */
	struct rhlist_head addr_node;	/* nipsec_net.sa_by_addr */
	struct list_head list;		/* nipsec_net.sa_list, under lock */
	struct list_head timed;		/* nipsec_net.sa_timed: time limits */
	struct nipsec_sa_key key;
	struct nipsec_tmpl_key tkey;	/* outbound key: saddr, daddr, reqid */
	refcount_t refcnt;
	struct rcu_work free_work;	/* crypto teardown may sleep */
	struct nipsec_net *nn;

	u8 state;			/* NIPSEC_SA_STATE_* */
	u8 mode;			/* NIPSEC_MODE_* */
	bool esn;
	bool has_sel;
	bool count_limits;		/* byte/packet limits set */
	unsigned long flags;		/* enum nipsec_sa_flags */
	u64 gen;			/* creation order: newest wins outbound */

	struct nipsec_selector sel;	/* inner selector, if has_sel */

	/* crypto: owned by crypto.c */
	struct crypto_aead *aead;	/* ESP (every ESP algorithm is an AEAD) */
	struct crypto_ahash *ahash;	/* AH */
	const struct nipsec_xform *xform; /* set with aead or ahash */
	u8 ivlen;			/* bytes of IV on the wire */
	u8 icvlen;			/* bytes of ICV on the wire */
	u8 blksize;			/* padding alignment (>= 4) */
	u8 alg_flags;			/* crypto.c private */
	u32 icv_bits, auth_trunc_bits;
	char aead_name[NIPSEC_ALG_NAME_LEN];
	char enc_name[NIPSEC_ALG_NAME_LEN];
	char auth_name[NIPSEC_ALG_NAME_LEN];
	__be64 iv_salt;			/* per-SA random, xored into counter IVs */

	/* sequence numbers */
	atomic64_t oseq;		/* last sent; the next is oseq + 1 */
	spinlock_t lock;		/* replay state */
	struct nipsec_replay replay;

	/* lifetimes and usage */
	struct nipsec_lifetime lft;
	atomic64_t lft_bytes;		/* only when count_limits */
	atomic64_t lft_packets;
	time64_t add_time;		/* wall clock */
	time64_t use_time;		/* first use, 0 = never */
	time64_t last_use;
	unsigned long larval_expires;	/* jiffies, larval SAs only */

	/* NAT traversal (RFC 3948) */
	u8 encap_type;			/* 0 or NIPSEC_ENCAP_ESPINUDP */
	bool encap_rebind;		/* follow rebinding on data packets */
	struct nipsec_encap_ep __rcu *encap;	/* with encap_type */
	unsigned long mapping_jiffies;	/* last mapping event, rate limit */

	/* tunnel mode, fixed outer addresses: the outer route, per CPU */
	struct dst_cache dst_cache;

	struct nipsec_stats __percpu *stats;
};

/* Key of a policy in its group's hash: the selector's masked addresses. */
struct nipsec_pol_key {
	union nipsec_addr saddr;
	union nipsec_addr daddr;
};

struct nipsec_pgroup;

/**
 * struct nipsec_encap_ep - outer UDP/IP addressing of an ESP-in-UDP SA
 * @saddr: outer source address in use
 * @daddr: outer destination address in use
 * @sport: UDP source port
 * @dport: UDP destination port
 * @oa: the peer's original address (NAT-OA), or 0
 * @rcu: for replacement
 *
 * Starts as the SA's own addresses and configured ports. A NAT rebinding
 * replaces it (RCU) while the SA keeps its identity (SPI, addresses), so
 * policies and lookups are unaffected.
 */
struct nipsec_encap_ep {
	union nipsec_addr saddr, daddr;
	__be16 sport, dport;
	union nipsec_addr oa;
	struct rcu_head rcu;
};

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

#define NIPSEC_DIR_COUNT (NIPSEC_DIR_FWD + 1)

/* Per network namespace state. */
struct nipsec_net {
	struct net *net;
	struct mutex lock;		/* serialises configuration */
	struct rhashtable sa_by_spi;
	struct rhltable sa_by_tmpl;
	struct rhltable sa_by_addr;
	struct list_head sa_list;
	struct list_head sa_timed;
	unsigned int sa_count;		/* larval ones included */
	unsigned int larval_count;
	u64 sa_gen;
	struct list_head policies[NIPSEC_DIR_COUNT];
	struct list_head pgroups[NIPSEC_DIR_COUNT];	/* RCU */
	struct xarray policy_ids;	/* id -> policy, under lock */
	unsigned int policy_count;
	u32 next_policy_id;
	bool hooks_on;
	bool dying;
	struct delayed_work gc_work;	/* lifetimes, larval timeouts */
	struct work_struct expire_work;	/* hard expiries from the data path */
	struct nipsec_stats __percpu *stats;
	int __percpu *inflight;		/* crypto requests, main.c */
	unsigned int encap_count;	/* ESP-in-UDP SAs: UDP is inspected */

	/* drop notifications: a window of a second, lockless (netlink.c) */
	unsigned long drop_ntf_window;
	atomic_t drop_ntf_sent;
	atomic_t drop_ntf_suppressed;

	/* pending acquires (acquire.c) */
	struct rhashtable acq_table;
	struct list_head acq_list;
	spinlock_t acq_lock;		/* acq_list, acq_count, inserts */
	unsigned int acq_count;
	struct delayed_work acq_gc;
};

extern unsigned int nipsec_net_id;
extern struct workqueue_struct *nipsec_wq;

/* main.c: per-namespace limits (module parameters) */
enum nipsec_cap { NIPSEC_CAP_SA, NIPSEC_CAP_LARVAL, NIPSEC_CAP_POLICY };
int nipsec_cap_check(struct nipsec_net *nn, enum nipsec_cap cap,
		     struct netlink_ext_ack *extack);

static inline struct nipsec_net *nipsec_pernet(const struct net *net)
{
	return net_generic(net, nipsec_net_id);
}

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

/* sa.c */
int nipsec_sa_net_init(struct nipsec_net *nn);
void nipsec_sa_net_exit(struct nipsec_net *nn);
struct nipsec_sa *nipsec_sa_lookup_in(struct nipsec_net *nn, __be32 spi,
				      u8 proto, u16 family,
				      const union nipsec_addr *daddr);
void nipsec_tmpl_key_fill(struct nipsec_tmpl_key *key,
			  const struct nipsec_tmpl *t,
			  const struct nipsec_flow *fl);
struct nipsec_sa *nipsec_sa_lookup_out(struct nipsec_net *nn,
				       const struct nipsec_policy *pol,
				       const struct nipsec_flow *fl);
bool nipsec_sa_account(struct nipsec_sa *sa, unsigned int bytes, bool tx);
void nipsec_sa_seq_exhausted(struct nipsec_sa *sa);
void nipsec_sa_put(struct nipsec_sa *sa);

static inline bool nipsec_sa_hold(struct nipsec_sa *sa)
{
	return refcount_inc_not_zero(&sa->refcnt);
}

static inline bool nipsec_sa_usable(const struct nipsec_sa *sa)
{
	u8 st = READ_ONCE(sa->state);

	return st == NIPSEC_SA_STATE_MATURE || st == NIPSEC_SA_STATE_DYING;
}

static inline unsigned int nipsec_addr_len(u16 family)
{
	return family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(__be32);
}

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
bool nipsec_selector_match(const struct nipsec_selector *sel,
			   const struct nipsec_flow *fl);
int nipsec_flow_parse(const struct sk_buff *skb, u16 family,
		      struct nipsec_flow *fl);
void nipsec_policy_touch(struct nipsec_policy *pol);

/* acquire.c */
void nipsec_acquire(struct nipsec_net *nn, struct nipsec_policy *pol,
		    const struct nipsec_flow *fl);
void nipsec_acquire_done(struct nipsec_net *nn,
			 const struct nipsec_tmpl_key *key);
void nipsec_acquire_flush(struct nipsec_net *nn);
int nipsec_acquire_net_init(struct nipsec_net *nn);
void nipsec_acquire_net_exit(struct nipsec_net *nn);

/* crypto.c: algorithm table and per-SA transforms */
int nipsec_crypto_init_sa(struct nipsec_sa *sa, u8 proto,
			  const struct nipsec_alg_cfg *cfg,
			  struct netlink_ext_ack *extack);
void nipsec_crypto_free_sa(struct nipsec_sa *sa);

/* replay.c */
int nipsec_replay_init(struct nipsec_replay *r, u32 window, bool esn);
void nipsec_replay_free(struct nipsec_replay *r);
int nipsec_replay_check(const struct nipsec_replay *r, u32 seq_lo, u64 *seq);
void nipsec_replay_advance(struct nipsec_replay *r, u64 seq);

/* hooks.c: netfilter hooks, registered per netns on first configuration */
int nipsec_hooks_register(struct nipsec_net *nn);
void nipsec_hooks_unregister(struct nipsec_net *nn);
int nipsec_hooks_init(void);
void nipsec_hooks_exit(void);

/* netlink.c */
int nipsec_netlink_init(void);
void nipsec_netlink_exit(void);
void nipsec_notify_sa_del(struct nipsec_sa *sa);
void nipsec_notify_policy_del(struct nipsec_net *nn,
			      const struct nipsec_policy *pol);
void nipsec_notify_expire(struct nipsec_sa *sa, bool hard, u8 limit);
void nipsec_notify_acquire(struct nipsec_net *nn,
			   const struct nipsec_policy *pol,
			   const struct nipsec_flow *fl);
void nipsec_notify_mapping(struct nipsec_sa *sa,
			   const union nipsec_addr *old_addr, __be16 old_port,
			   const union nipsec_addr *new_addr, __be16 new_port);
void nipsec_notify_drop(struct nipsec_net *nn, const struct nipsec_sa *sa,
			const struct sk_buff *skb, enum nipsec_stat reason);

/* main.c: a namespace's state lives until its crypto callbacks are done */
void nipsec_inflight_get(struct nipsec_net *nn);

/**
 * struct nipsec_async - the head of an ESP or AH request's context
 * @resume: continues the packet once the crypto is done (RCU held); frees
 *          the context
 * @nn: the namespace the request counts as in flight in
 * @dev: input: the device the packet is re-injected from, held until the
 *       crypto is done; NULL on output
 */
struct nipsec_async {
	void (*resume)(struct nipsec_async *a, int err);
	struct nipsec_net *nn;
	struct net_device *dev;
};

/*
 * Right before a request is submitted: from here on it counts as in flight
 * and holds @dev (input only: the packet's device) until
 * nipsec_async_pending() or nipsec_async_done() lets go.
 */
static inline void nipsec_async_init(struct nipsec_async *a,
				     void (*resume)(struct nipsec_async *, int),
				     struct nipsec_net *nn,
				     struct net_device *dev)
{
	a->resume = resume;
	a->nn = nn;
	a->dev = dev;
	dev_hold(dev);
	nipsec_inflight_get(nn);
}

void nipsec_async_done(NIPSEC_CRYPTO_DONE_ARG arg, int err);
bool nipsec_async_pending(struct nipsec_async *a, int err);

#endif /* _NIPSEC_H */
