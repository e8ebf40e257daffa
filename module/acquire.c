// SPDX-License-Identifier: GPL-2.0
/*
 * Acquires: asking the key manager for an SA a protect policy needs.
 *
 * Like XFRM's ACQUIRE state, each acquire leaves a larval entry keyed by
 * the template it asked for (outer addresses, proto, mode, reqid).  While
 * the entry lives, more packets for that template send nothing: the IKE
 * daemon is negotiating.  The entry goes when an SA for the template is
 * installed (a new acquire can then be sent when that SA dies) or after
 * acq_expires seconds, so a lost or failed negotiation is retried.  On top
 * of that a policy sends at most one acquire a second, which bounds the
 * events a transport policy over a wide prefix can cause.
 */
#include <linux/module.h>
#include <linux/rhashtable.h>

#include "nipsec.h"
#include "acquire.h"
#include "netlink.h"
#include "policy.h"
#include "sa.h"
#include "stats.h"

static unsigned int acq_expires = 30;
module_param(acq_expires, uint, 0644);
MODULE_PARM_DESC(acq_expires,
		 "seconds an unanswered acquire suppresses new ones for its template (default 30, like net.core.xfrm_acq_expires)");

/* pending acquires per namespace; beyond it only the per-policy limit holds */
#define NIPSEC_ACQ_MAX	4096

struct nipsec_acq {
	struct rhash_head node;
	struct nipsec_tmpl_key key;
	struct list_head list;		/* nn->acq_list, under acq_lock */
	unsigned long expires;		/* jiffies */
	struct rcu_head rcu;
};

static const struct rhashtable_params nipsec_acq_params = {
	.head_offset = offsetof(struct nipsec_acq, node),
	.key_offset = offsetof(struct nipsec_acq, key),
	.key_len = sizeof(struct nipsec_tmpl_key),
	.automatic_shrinking = true,
};

/* Caller holds acq_lock. */
static void nipsec_acq_unlink(struct nipsec_net *nn, struct nipsec_acq *acq)
{
	rhashtable_remove_fast(&nn->acq_table, &acq->node, nipsec_acq_params);
	list_del(&acq->list);
	nn->acq_count--;
	kfree_rcu(acq, rcu);
}

/*
 * Record a pending acquire for @key.  Return: true if the caller is the one
 * to send it, false if one is pending already.
 */
static bool nipsec_acq_record(struct nipsec_net *nn,
			      const struct nipsec_tmpl_key *key)
{
	unsigned long timeout = (unsigned long)READ_ONCE(acq_expires) * HZ;
	struct nipsec_acq *acq, *old;
	bool send = true;

	acq = rhashtable_lookup(&nn->acq_table, key, nipsec_acq_params);
	if (acq && time_before(jiffies, READ_ONCE(acq->expires)))
		return false;

	spin_lock_bh(&nn->acq_lock);
	old = rhashtable_lookup(&nn->acq_table, key, nipsec_acq_params);
	if (old) {
		/* refresh an expired entry in place; a live one means a race */
		if (time_before(jiffies, old->expires))
			send = false;
		else
			WRITE_ONCE(old->expires, jiffies + timeout);
		goto out;
	}
	if (nn->acq_count >= NIPSEC_ACQ_MAX) {
		nipsec_count(nn->stats, NIPSEC_STAT_REFUSED_LIMIT, 1);
		goto out;
	}
	if (nn->dying || !timeout)
		goto out;
	acq = kzalloc(sizeof(*acq), GFP_ATOMIC);
	if (!acq)
		goto out;
	acq->key = *key;
	acq->expires = jiffies + timeout;
	if (rhashtable_insert_fast(&nn->acq_table, &acq->node,
				   nipsec_acq_params)) {
		kfree(acq);
		goto out;
	}
	list_add_tail(&acq->list, &nn->acq_list);
	if (!nn->acq_count++)
		mod_delayed_work(nipsec_wq, &nn->acq_gc, timeout);
out:
	spin_unlock_bh(&nn->acq_lock);
	return send;
}

/**
 * nipsec_acquire - ask the key manager for an SA
 * @nn: namespace state
 * @pol: the protect policy that has no SA
 * @fl: the packet that needs one
 *
 * Called on the data path (RCU read section, any context).  Sends an
 * acquire event unless one is pending for the same template or the policy
 * sent one less than a second ago.
 */
void nipsec_acquire(struct nipsec_net *nn, struct nipsec_policy *pol,
		    const struct nipsec_flow *fl)
{
	unsigned long now = jiffies | 1;	/* 0 means "never" */
	unsigned long last = READ_ONCE(pol->acquire_jiffies);
	struct nipsec_tmpl_key key;

	if (last && time_before(now, last + HZ))
		return;
	nipsec_tmpl_key_fill(&key, &pol->tmpl, fl);
	if (!nipsec_acq_record(nn, &key))
		return;
	if (cmpxchg(&pol->acquire_jiffies, last, now) != last)
		return;
	nipsec_count(nn->stats, NIPSEC_STAT_ACQUIRES, 1);
	nipsec_notify_acquire(nn, pol, fl);
}

/**
 * nipsec_acquire_done - an SA for a template is installed
 * @nn: namespace state
 * @key: the SA's outbound key
 *
 * The pending acquire for the template (if any) is answered; the one for
 * the same template without a reqid too, since a policy with reqid 0 is
 * served by any SA between the addresses.
 */
void nipsec_acquire_done(struct nipsec_net *nn,
			 const struct nipsec_tmpl_key *key)
{
	struct nipsec_tmpl_key any = *key;
	struct nipsec_acq *acq;

	if (!READ_ONCE(nn->acq_count))
		return;
	any.reqid = 0;
	spin_lock_bh(&nn->acq_lock);
	acq = rhashtable_lookup_fast(&nn->acq_table, key, nipsec_acq_params);
	if (acq)
		nipsec_acq_unlink(nn, acq);
	acq = rhashtable_lookup_fast(&nn->acq_table, &any, nipsec_acq_params);
	if (acq)
		nipsec_acq_unlink(nn, acq);
	spin_unlock_bh(&nn->acq_lock);
}

/**
 * nipsec_acquire_flush - forget every pending acquire (sa-flush, exit)
 * @nn: namespace state
 */
void nipsec_acquire_flush(struct nipsec_net *nn)
{
	struct nipsec_acq *acq, *tmp;

	spin_lock_bh(&nn->acq_lock);
	list_for_each_entry_safe(acq, tmp, &nn->acq_list, list)
		nipsec_acq_unlink(nn, acq);
	spin_unlock_bh(&nn->acq_lock);
}

/* Drop expired entries; entries are in insertion order, refreshed ones aside. */
static void nipsec_acq_gc(struct work_struct *work)
{
	struct nipsec_net *nn = container_of(to_delayed_work(work),
					     struct nipsec_net, acq_gc);
	unsigned long next = 0;
	struct nipsec_acq *acq, *tmp;

	spin_lock_bh(&nn->acq_lock);
	list_for_each_entry_safe(acq, tmp, &nn->acq_list, list) {
		if (time_after_eq(jiffies, acq->expires))
			nipsec_acq_unlink(nn, acq);
		else if (!next || time_before(acq->expires, next))
			next = acq->expires;
	}
	if (next && !nn->dying)
		mod_delayed_work(nipsec_wq, &nn->acq_gc,
				 max_t(long, next - jiffies, 1));
	spin_unlock_bh(&nn->acq_lock);
}

int nipsec_acquire_net_init(struct nipsec_net *nn)
{
	spin_lock_init(&nn->acq_lock);
	INIT_LIST_HEAD(&nn->acq_list);
	INIT_DELAYED_WORK(&nn->acq_gc, nipsec_acq_gc);
	return rhashtable_init(&nn->acq_table, &nipsec_acq_params);
}

void nipsec_acquire_net_exit(struct nipsec_net *nn)
{
	/* hooks are gone: nothing records new acquires */
	cancel_delayed_work_sync(&nn->acq_gc);
	nipsec_acquire_flush(nn);
	rhashtable_destroy(&nn->acq_table);
}
