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

static inline unsigned int nipsec_addr_len(u16 family)
{
	return family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(__be32);
}

/* hooks.c: netfilter hooks, registered per netns on first configuration */
int nipsec_hooks_register(struct nipsec_net *nn);
void nipsec_hooks_unregister(struct nipsec_net *nn);
int nipsec_hooks_init(void);
void nipsec_hooks_exit(void);

#endif /* _NIPSEC_H */
