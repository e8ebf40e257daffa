// SPDX-License-Identifier: GPL-2.0
/*
 * SAD: Security Associations, their lookup tables and their lifetimes.
 *
 * Three RCU hash tables index every SA: by (SPI, destination, protocol) for
 * arriving packets, and by what a policy template names for departing
 * ones: (addresses, protocol, mode, reqid), and the same without reqid for
 * templates that accept any reqid. Configuration is serialised by
 * nipsec_net.lock; the data path only reads.
 */
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <kunit/visibility.h>

#include "nipsec.h"
#include "acquire.h"
#include "crypto.h"
#include "netlink.h"
#include "policy.h"
#include "replay.h"
#include "stats.h"
#include "sa.h"

static const struct rhashtable_params nipsec_spi_params = {
	.key_len = sizeof(struct nipsec_sa_key),
	.key_offset = offsetof(struct nipsec_sa, key),
	.head_offset = offsetof(struct nipsec_sa, spi_node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params nipsec_tmpl_params = {
	.key_len = sizeof(struct nipsec_tmpl_key),
	.key_offset = offsetof(struct nipsec_sa, tkey),
	.head_offset = offsetof(struct nipsec_sa, tmpl_node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params nipsec_addr_params = {
	.key_len = offsetof(struct nipsec_tmpl_key, reqid),
	.key_offset = offsetof(struct nipsec_sa, tkey),
	.head_offset = offsetof(struct nipsec_sa, addr_node),
	.automatic_shrinking = true,
};

#define NIPSEC_GC_PERIOD	HZ
#define NIPSEC_LARVAL_TIMEOUT	30
#define NIPSEC_LARVAL_MAX_TIMEOUT	86400	/* seconds: a day */

/**
 * nipsec_sa_lookup_in - find the SA an arriving ESP/AH packet names
 * @nn: namespace state
 * @spi: SPI from the packet
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @family: of the outer header
 * @daddr: outer destination
 *
 * Caller holds rcu_read_lock; take a reference with nipsec_sa_hold() to
 * keep the SA beyond it. Larval and dead SAs are not returned.
 *
 * Return: the SA or NULL.
 */
struct nipsec_sa *nipsec_sa_lookup_in(struct nipsec_net *nn, __be32 spi,
				      u8 proto, u16 family,
				      const union nipsec_addr *daddr)
{
	struct nipsec_sa_key key;
	struct nipsec_sa *sa;

	memset(&key, 0, sizeof(key));
	key.spi = spi;
	key.proto = proto;
	key.family = family;
	memcpy(&key.daddr, daddr, nipsec_addr_len(family));
	sa = rhashtable_lookup(&nn->sa_by_spi, &key, nipsec_spi_params);
	if (sa && !nipsec_sa_usable(sa))
		return NULL;
	return sa;
}

/* Newest usable SA of a hash chain: during a rekey the new SA takes over. */
static struct nipsec_sa *nipsec_sa_newest(struct rhlist_head *list,
					  bool by_addr, __be32 spi)
{
	struct nipsec_sa *sa, *best = NULL;
	struct rhlist_head *pos;

	if (by_addr) {
		rhl_for_each_entry_rcu(sa, pos, list, addr_node)
			if (nipsec_sa_usable(sa) && (!spi || sa->key.spi == spi) &&
			    (!best || sa->gen > best->gen))
				best = sa;
	} else {
		rhl_for_each_entry_rcu(sa, pos, list, tmpl_node)
			if (nipsec_sa_usable(sa) && (!spi || sa->key.spi == spi) &&
			    (!best || sa->gen > best->gen))
				best = sa;
	}
	return best;
}

/**
 * nipsec_tmpl_key_fill - the outbound SA key a template names for a flow
 * @key: filled in, padding zeroed (the key is hashed whole)
 * @t: the policy's template
 * @fl: the packet's flow; its addresses fill in a template without any
 */
void nipsec_tmpl_key_fill(struct nipsec_tmpl_key *key,
			  const struct nipsec_tmpl *t,
			  const struct nipsec_flow *fl)
{
	memset(key, 0, sizeof(*key));
	key->proto = t->proto;
	key->mode = t->mode;
	key->reqid = t->reqid;
	if (t->family) {
		key->family = t->family;
		key->saddr = t->saddr;
		key->daddr = t->daddr;
	} else {
		key->family = fl->family;
		key->saddr = fl->saddr;
		key->daddr = fl->daddr;
	}
}

/**
 * nipsec_sa_lookup_out - find the SA a protect policy sends a flow through
 * @nn: namespace state
 * @pol: the matching protect policy
 * @fl: the packet's flow; its addresses fill in a template without any
 *
 * Caller holds rcu_read_lock.
 *
 * Return: the newest usable SA the template names, or NULL.
 */
struct nipsec_sa *nipsec_sa_lookup_out(struct nipsec_net *nn,
				       const struct nipsec_policy *pol,
				       const struct nipsec_flow *fl)
{
	struct nipsec_tmpl_key key;
	struct rhlist_head *list;

	nipsec_tmpl_key_fill(&key, &pol->tmpl, fl);
	if (key.reqid) {
		list = rhltable_lookup(&nn->sa_by_tmpl, &key, nipsec_tmpl_params);
		return list ? nipsec_sa_newest(list, false, pol->tmpl.spi) : NULL;
	}
	list = rhltable_lookup(&nn->sa_by_addr, &key, nipsec_addr_params);
	return list ? nipsec_sa_newest(list, true, pol->tmpl.spi) : NULL;
}

/**
 * nipsec_sa_visit_out - visit the outbound SAs an SA key names
 * @nn: namespace state
 * @key: the key (with a reqid: exactly it; without: any reqid)
 * @v: its visit() is called for each SA, inside the caller's RCU read
 *     section
 */
void nipsec_sa_visit_out(struct nipsec_net *nn,
			 const struct nipsec_tmpl_key *key,
			 struct nipsec_sa_visitor *v)
{
	struct rhlist_head *list, *pos;
	struct nipsec_sa *sa;

	if (key->reqid) {
		list = rhltable_lookup(&nn->sa_by_tmpl, key, nipsec_tmpl_params);
		rhl_for_each_entry_rcu(sa, pos, list, tmpl_node)
			v->visit(v, sa);
		return;
	}
	list = rhltable_lookup(&nn->sa_by_addr, key, nipsec_addr_params);
	rhl_for_each_entry_rcu(sa, pos, list, addr_node)
		v->visit(v, sa);
}

void nipsec_sa_usage(const struct nipsec_sa *sa, u64 *bytes, u64 *packets)
{
	u64 sum[NIPSEC_STAT_MAX];

	nipsec_stats_sum(sa->stats, sum);
	*bytes = sum[NIPSEC_STAT_RX_BYTES] + sum[NIPSEC_STAT_TX_BYTES];
	*packets = sum[NIPSEC_STAT_RX_PACKETS] + sum[NIPSEC_STAT_TX_PACKETS];
}

/* SA life cycle to dynamic debug: `echo 'module nipsec +p' > .../control` */
static void nipsec_sa_dbg(const struct nipsec_sa *sa, const char *what)
{
	if (sa->key.family == AF_INET6)
		pr_debug("SA %s spi 0x%08x dst %pI6c: %s\n",
			 sa->key.proto == IPPROTO_AH ? "ah" : "esp",
			 ntohl(sa->key.spi), &sa->key.daddr.a6, what);
	else
		pr_debug("SA %s spi 0x%08x dst %pI4: %s\n",
			 sa->key.proto == IPPROTO_AH ? "ah" : "esp",
			 ntohl(sa->key.spi), &sa->key.daddr.a4, what);
}

static void nipsec_sa_soft_expire(struct nipsec_sa *sa, u8 limit)
{
	if (test_and_set_bit(NIPSEC_SA_SOFT_SENT, &sa->flags))
		return;
	cmpxchg(&sa->state, NIPSEC_SA_STATE_MATURE, NIPSEC_SA_STATE_DYING);
	nipsec_sa_dbg(sa, "soft limit reached");
	nipsec_notify_expire(sa, false, limit);
}

/*
 * Hard limit hit on the data path: stop the SA at once (fail closed), and
 * let process context send the event and unlink it.
 */
static void nipsec_sa_hard_expire(struct nipsec_sa *sa, u8 limit)
{
	if (test_and_set_bit(NIPSEC_SA_HARD_SENT, &sa->flags))
		return;
	WRITE_ONCE(sa->state, NIPSEC_SA_STATE_DEAD);
	nipsec_sa_dbg(sa, "hard limit reached, stopped");
	nipsec_notify_expire(sa, true, limit);
	queue_work(nipsec_wq, &sa->nn->expire_work);
}

/**
 * nipsec_sa_seq_exhausted - an outbound SA has sent its last number
 * @sa: the SA (data path)
 *
 * A hard limit like the others: the SA stops, the IKE daemon gets a hard
 * expire event (limit "seq") and the SA is deleted, as XFRM does at its
 * hard limits, instead of dropping every later packet silently.
 */
void nipsec_sa_seq_exhausted(struct nipsec_sa *sa)
{
	nipsec_sa_hard_expire(sa, NIPSEC_LIMIT_SEQ);
}

/**
 * nipsec_sa_account - count a packet on its SA and enforce count limits
 * @sa: the SA that carried (or is about to carry) the packet
 * @bytes: payload bytes, as XFRM counts them
 * @tx: outbound
 *
 * Return: false when a hard byte or packet limit is reached: the caller
 * drops the packet (NIPSEC_DROP_EXPIRED).
 */
bool nipsec_sa_account(struct nipsec_sa *sa, unsigned int bytes, bool tx)
{
	struct nipsec_net *nn = sa->nn;
	time64_t now;

	if (sa->count_limits) {
		u64 pk = atomic64_inc_return(&sa->lft_packets);
		u64 by = atomic64_add_return(bytes, &sa->lft_bytes);
		const struct nipsec_lifetime *l = &sa->lft;

		if ((l->hard_packets && pk > l->hard_packets) ||
		    (l->hard_bytes && by > l->hard_bytes)) {
			nipsec_sa_hard_expire(sa, l->hard_packets &&
					      pk > l->hard_packets ?
					      NIPSEC_LIMIT_PACKETS :
					      NIPSEC_LIMIT_BYTES);
			return false;
		}
		if (l->soft_packets && pk >= l->soft_packets)
			nipsec_sa_soft_expire(sa, NIPSEC_LIMIT_PACKETS);
		else if (l->soft_bytes && by >= l->soft_bytes)
			nipsec_sa_soft_expire(sa, NIPSEC_LIMIT_BYTES);
	}

	if (tx) {
		nipsec_count(sa->stats, NIPSEC_STAT_TX_PACKETS, 1);
		nipsec_count(sa->stats, NIPSEC_STAT_TX_BYTES, bytes);
		nipsec_count(nn->stats, NIPSEC_STAT_TX_PACKETS, 1);
		nipsec_count(nn->stats, NIPSEC_STAT_TX_BYTES, bytes);
	} else {
		nipsec_count(sa->stats, NIPSEC_STAT_RX_PACKETS, 1);
		nipsec_count(sa->stats, NIPSEC_STAT_RX_BYTES, bytes);
		nipsec_count(nn->stats, NIPSEC_STAT_RX_PACKETS, 1);
		nipsec_count(nn->stats, NIPSEC_STAT_RX_BYTES, bytes);
	}

	/* once a second at most: keep the SA's cache line clean */
	now = ktime_get_real_seconds();
	if (READ_ONCE(sa->last_use) != now) {
		if (!test_bit(NIPSEC_SA_USED, &sa->flags) &&
		    !test_and_set_bit(NIPSEC_SA_USED, &sa->flags))
			WRITE_ONCE(sa->use_time, now);
		WRITE_ONCE(sa->last_use, now);
	}
	return true;
}

/* Free an SA nobody can see any more; keys are zeroized. */
static void nipsec_sa_destroy(struct nipsec_sa *sa)
{
	nipsec_encap_free_sa(sa);
	dst_cache_destroy(&sa->dst_cache);
	nipsec_crypto_free_sa(sa);
	nipsec_replay_free(&sa->replay);
	free_percpu(sa->stats);
	kfree_sensitive(sa);
}

static void nipsec_sa_free_work(struct work_struct *work)
{
	nipsec_sa_destroy(container_of(to_rcu_work(work), struct nipsec_sa,
				       free_work));
}

/**
 * nipsec_sa_next_seq - take the next outbound sequence number
 * @sa: the SA
 * @seq: out
 *
 * A number is never reused: when 2^32 - 1 (or 2^64 - 1 with ESN) has
 * been sent the SA refuses to send until it is replaced (RFC 4303 3.3.3,
 * RFC 4302 3.3.2 for AH).
 *
 * Return: 0, or -ENOSPC when the sequence space is exhausted.
 */
int nipsec_sa_next_seq(struct nipsec_sa *sa, u64 *seq)
{
	u64 limit = sa->esn ? U64_MAX : U32_MAX;
	s64 old = atomic64_read(&sa->oseq);

	do {
		if ((u64)old >= limit)
			return -ENOSPC;
	} while (!atomic64_try_cmpxchg(&sa->oseq, &old, (s64)((u64)old + 1)));
	*seq = (u64)old + 1;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_sa_next_seq);

/**
 * nipsec_sa_drop - drop a packet inside a transform, and the SA it held
 * @skb: the packet
 * @sa: its SA, held by the transform (nipsec_sa_hold())
 * @reason: what to count
 */
void nipsec_sa_drop(struct sk_buff *skb, struct nipsec_sa *sa,
		    enum nipsec_stat reason)
{
	nipsec_drop(sa->nn, sa, skb, reason);
	nipsec_sa_put(sa);
}

/**
 * nipsec_sa_put - drop a reference to an SA
 * @sa: the SA
 *
 * The last reference frees it after an RCU grace period, in process
 * context since freeing crypto transforms may sleep.
 */
void nipsec_sa_put(struct nipsec_sa *sa)
{
	if (refcount_dec_and_test(&sa->refcnt))
		queue_rcu_work(nipsec_wq, &sa->free_work);
}

/* A new SA of @nn, with its lookup key and outbound template key from @p. */
static struct nipsec_sa *nipsec_sa_alloc(struct nipsec_net *nn,
					 const struct nipsec_sa_params *p)
{
	struct nipsec_sa *sa = kzalloc(sizeof(*sa), GFP_KERNEL_ACCOUNT);

	if (!sa)
		return NULL;
	sa->stats = alloc_percpu_gfp(struct nipsec_stats, GFP_KERNEL_ACCOUNT);
	if (!sa->stats) {
		kfree(sa);
		return NULL;
	}
	sa->nn = nn;
	refcount_set(&sa->refcnt, 1);
	spin_lock_init(&sa->lock);
	INIT_LIST_HEAD(&sa->list);
	INIT_LIST_HEAD(&sa->timed);
	INIT_RCU_WORK(&sa->free_work, nipsec_sa_free_work);
	sa->add_time = ktime_get_real_seconds();
	get_random_bytes(&sa->iv_salt, sizeof(sa->iv_salt));
	sa->key = p->key;
	sa->tkey.saddr = p->saddr;
	sa->tkey.daddr = p->key.daddr;
	sa->tkey.family = p->key.family;
	sa->tkey.proto = p->key.proto;
	sa->tkey.reqid = p->reqid;
	return sa;
}

struct nipsec_sa *nipsec_sa_find(struct nipsec_net *nn,
				 const struct nipsec_sa_key *key)
{
	return rhashtable_lookup_fast(&nn->sa_by_spi, key, nipsec_spi_params);
}

static bool nipsec_lft_timed(const struct nipsec_lifetime *l)
{
	return l->soft_add || l->hard_add || l->soft_use || l->hard_use;
}

static void nipsec_sa_set_lft(struct nipsec_sa *sa,
			      const struct nipsec_lifetime *l)
{
	sa->lft = *l;
	sa->count_limits = l->soft_bytes || l->hard_bytes ||
			   l->soft_packets || l->hard_packets;
}

/* Keep the timed list exact: the GC only walks SAs that can time out. */
static void nipsec_sa_update_timed(struct nipsec_net *nn, struct nipsec_sa *sa)
{
	bool timed = sa->state == NIPSEC_SA_STATE_LARVAL ||
		     nipsec_lft_timed(&sa->lft);

	if (timed && list_empty(&sa->timed)) {
		list_add_tail(&sa->timed, &nn->sa_timed);
		mod_delayed_work(nipsec_wq, &nn->gc_work, NIPSEC_GC_PERIOD);
	} else if (!timed && !list_empty(&sa->timed)) {
		list_del_init(&sa->timed);
	}
}

static int nipsec_sa_link_out(struct nipsec_net *nn, struct nipsec_sa *sa)
{
	int err;

	err = rhltable_insert(&nn->sa_by_tmpl, &sa->tmpl_node,
			      nipsec_tmpl_params);
	if (err)
		return err;
	err = rhltable_insert(&nn->sa_by_addr, &sa->addr_node,
			      nipsec_addr_params);
	if (err) {
		rhltable_remove(&nn->sa_by_tmpl, &sa->tmpl_node,
				nipsec_tmpl_params);
		return err;
	}
	set_bit(NIPSEC_SA_OUT_LINKED, &sa->flags);
	nipsec_acquire_done(nn, &sa->tkey);
	return 0;
}

static void nipsec_sa_unlink(struct nipsec_sa *sa)
{
	struct nipsec_net *nn = sa->nn;

	rhashtable_remove_fast(&nn->sa_by_spi, &sa->spi_node,
			       nipsec_spi_params);
	if (test_and_clear_bit(NIPSEC_SA_OUT_LINKED, &sa->flags)) {
		rhltable_remove(&nn->sa_by_tmpl, &sa->tmpl_node,
				nipsec_tmpl_params);
		rhltable_remove(&nn->sa_by_addr, &sa->addr_node,
				nipsec_addr_params);
	}
	list_del(&sa->list);
	list_del_init(&sa->timed);
	nn->sa_count--;
	if (test_and_clear_bit(NIPSEC_SA_LARVAL_COUNTED, &sa->flags))
		nn->larval_count--;
	if (sa->encap_type)
		WRITE_ONCE(nn->encap_count, nn->encap_count - 1);
}

/**
 * nipsec_sa_remove - delete an SA
 * @sa: the SA, linked; nipsec_net.lock held
 * @notify: send an sa-del event
 *
 * Packets already holding the SA finish with it; new lookups miss it.
 */
void nipsec_sa_remove(struct nipsec_sa *sa, bool notify)
{
	lockdep_assert_held(&sa->nn->lock);
	WRITE_ONCE(sa->state, NIPSEC_SA_STATE_DEAD);
	nipsec_sa_dbg(sa, "deleted");
	nipsec_sa_unlink(sa);
	if (notify)
		nipsec_notify_sa_del(sa);
	nipsec_sa_put(sa);
}

void nipsec_sa_flush(struct nipsec_net *nn, u8 proto, bool notify)
{
	struct nipsec_sa *sa, *tmp;

	lockdep_assert_held(&nn->lock);
	list_for_each_entry_safe(sa, tmp, &nn->sa_list, list)
		if (!proto || sa->key.proto == proto)
			nipsec_sa_remove(sa, notify);
}

static int nipsec_sa_check_params(const struct nipsec_sa_params *p,
				  struct netlink_ext_ack *extack)
{
	if (p->key.proto != IPPROTO_ESP && p->key.proto != IPPROTO_AH) {
		NIPSEC_ERR_MSG(extack, "proto must be esp or ah");
		return -EINVAL;
	}
	if (!p->key.spi) {
		NIPSEC_ERR_MSG(extack, "SPI 0 is reserved");
		return -EINVAL;
	}
	if (ntohl(p->key.spi) < 256) {
		NIPSEC_ERR_MSG(extack, "SPIs 1-255 are reserved by IANA");
		return -EINVAL;
	}
	if (p->has_sel && p->sel.family && p->mode == NIPSEC_MODE_TRANSPORT &&
	    p->sel.family != p->key.family) {
		NIPSEC_ERR_MSG(extack,
			       "transport mode selector family differs from the SA's");
		return -EINVAL;
	}
	return 0;
}

/* Build a complete SA from the request; not yet linked anywhere.
 * Returns the SA or an ERR_PTR().
 */
static struct nipsec_sa *nipsec_sa_build(struct nipsec_net *nn,
					 const struct nipsec_sa_params *p,
					 struct netlink_ext_ack *extack)
{
	struct nipsec_sa *sa;
	int err;

	err = nipsec_sa_check_params(p, extack);
	if (err)
		goto fail;
	if (!p->has_alg) {
		NIPSEC_ERR_MSG(extack, "an algorithm is required (aead, or enc and/or auth)");
		err = -EINVAL;
		goto fail;
	}
	err = -ENOMEM;
	sa = nipsec_sa_alloc(nn, p);
	if (!sa)
		goto fail;
	sa->mode = p->mode;
	sa->esn = p->esn;
	sa->has_sel = p->has_sel;
	if (p->has_sel)
		sa->sel = p->sel;
	sa->tkey.mode = p->mode;
	if (p->has_lft)
		nipsec_sa_set_lft(sa, &p->lft);
	if (nipsec_encap_init_sa(sa, p))
		goto fail_sa;
	/* ESP in UDP moves its outer addresses: a lookup per packet there */
	if (sa->mode == NIPSEC_MODE_TUNNEL && !sa->encap_type &&
	    dst_cache_init(&sa->dst_cache, GFP_KERNEL_ACCOUNT))
		goto fail_sa;
	if (p->has_seq)
		atomic64_set(&sa->oseq, p->seq);

	err = nipsec_replay_init(&sa->replay, p->replay_window, p->esn);
	if (err) {
		NIPSEC_ERR_MSG(extack, "cannot allocate the replay window");
		goto fail_sa;
	}
	err = nipsec_crypto_init_sa(sa, p->key.proto, &p->alg, extack);
	if (err)
		goto fail_sa;
	sa->state = NIPSEC_SA_STATE_MATURE;
	return sa;

fail_sa:
	nipsec_sa_destroy(sa);
fail:
	return ERR_PTR(err);
}

/* Change what may change on a live SA: lifetimes and NAT-T peer. */
static int nipsec_sa_modify(struct nipsec_net *nn, struct nipsec_sa *sa,
			    const struct nipsec_sa_params *p,
			    struct netlink_ext_ack *extack)
{
	if (p->has_alg) {
		NIPSEC_ERR_MSG(extack,
			       "keys of a mature SA cannot change; add a new SA");
		return -EINVAL;
	}
	if (p->has_encap && !sa->encap_type) {
		NIPSEC_ERR_MSG(extack,
			       "encap can change only on an SA that has it (NAT-T)");
		return -EINVAL;
	}
	if (p->has_encap) {
		if (nipsec_encap_update(sa, p)) {
			NIPSEC_ERR_MSG(extack, "out of memory");
			return -ENOMEM;
		}
	}
	if (p->has_lft) {
		nipsec_sa_set_lft(sa, &p->lft);
		nipsec_sa_update_timed(nn, sa);
	}
	nipsec_sa_dbg(sa, "updated");
	return 0;
}

/**
 * nipsec_sa_add - handle sa-new and sa-update
 * @nn: namespace state, lock held
 * @p: parsed request
 * @update: sa-update: the SA must exist (larval or mature)
 * @extack: for error messages
 *
 * A larval SA (from spi-alloc) with the same SPI is completed by either
 * operation: the new SA replaces it in the SPI table atomically, so the SPI
 * never becomes free in between.
 *
 * Return: 0 or a negative errno with an extack message.
 */
int nipsec_sa_add(struct nipsec_net *nn, const struct nipsec_sa_params *p,
		  bool update, struct netlink_ext_ack *extack)
{
	struct nipsec_sa *old, *sa;
	int err = 0;

	lockdep_assert_held(&nn->lock);
	old = nipsec_sa_find(nn, &p->key);
	if (old && old->state != NIPSEC_SA_STATE_LARVAL) {
		if (update)
			return nipsec_sa_modify(nn, old, p, extack);
		NIPSEC_ERR_MSG(extack, "an SA with this SPI, destination and proto exists");
		return -EEXIST;
	}
	if (!old && update) {
		NIPSEC_ERR_MSG(extack, "no such SA");
		return -ENOENT;
	}
	/* completing a larval SA takes no new place */
	if (!old) {
		err = nipsec_cap_check(nn, NIPSEC_CAP_SA, extack);
		if (err)
			return err;
	}

	sa = nipsec_sa_build(nn, p, extack);
	if (IS_ERR(sa))
		return PTR_ERR(sa);
	err = nipsec_hooks_register(nn);
	if (err) {
		NIPSEC_ERR_MSG(extack, "cannot register netfilter hooks");
		goto fail;
	}
	sa->gen = ++nn->sa_gen;
	if (old) {
		err = rhashtable_replace_fast(&nn->sa_by_spi, &old->spi_node,
					      &sa->spi_node, nipsec_spi_params);
	} else {
		err = rhashtable_lookup_insert_fast(&nn->sa_by_spi, &sa->spi_node,
						    nipsec_spi_params);
		if (err == -EEXIST)
			NIPSEC_ERR_MSG(extack, "an SA with this SPI, destination and proto exists");
	}
	if (err)
		goto fail;
	err = nipsec_sa_link_out(nn, sa);
	if (err) {
		if (old)
			rhashtable_replace_fast(&nn->sa_by_spi, &sa->spi_node,
						&old->spi_node, nipsec_spi_params);
		else
			rhashtable_remove_fast(&nn->sa_by_spi, &sa->spi_node,
					       nipsec_spi_params);
		goto fail;
	}
	list_add_tail(&sa->list, &nn->sa_list);
	nn->sa_count++;
	if (sa->encap_type)
		WRITE_ONCE(nn->encap_count, nn->encap_count + 1);
	nipsec_sa_update_timed(nn, sa);
	if (old) {
		/* already out of the SPI table: unlink the rest quietly */
		WRITE_ONCE(old->state, NIPSEC_SA_STATE_DEAD);
		list_del(&old->list);
		list_del_init(&old->timed);
		nn->sa_count--;
		if (test_and_clear_bit(NIPSEC_SA_LARVAL_COUNTED, &old->flags))
			nn->larval_count--;
		nipsec_sa_put(old);
	}
	nipsec_sa_dbg(sa, old ? "installed over its larval SA" : "added");
	return 0;

fail:
	nipsec_sa_destroy(sa);
	return err;
}

/*
 * Random probes first (unpredictable SPIs, quick in a sparse range), then,
 * for a crowded small range, a walk over all of it: if a free SPI exists,
 * it is found.
 */
static int nipsec_spi_reserve(struct nipsec_net *nn, struct nipsec_sa *sa,
			      u32 spi_min, u32 range)
{
	u32 i, spi;
	int err;

	for (i = 0; i < 32; i++) {
		spi = spi_min + (range == U32_MAX ? get_random_u32() :
				 get_random_u32_below(range + 1));
		sa->key.spi = htonl(spi);
		err = rhashtable_lookup_insert_fast(&nn->sa_by_spi, &sa->spi_node,
						    nipsec_spi_params);
		if (err != -EEXIST)
			return err;
	}
	if (range > 65535)
		return -ENOSPC;
	for (i = 0; i <= range; i++) {
		sa->key.spi = htonl(spi_min + (spi - spi_min + i) % (range + 1));
		err = rhashtable_lookup_insert_fast(&nn->sa_by_spi, &sa->spi_node,
						    nipsec_spi_params);
		if (err != -EEXIST)
			return err;
	}
	return -ENOSPC;
}

/**
 * nipsec_spi_alloc - reserve a unique inbound SPI (GETSPI)
 * @nn: namespace state, lock held
 * @p: proto, addresses, reqid; key.spi is set on success
 * @spi_min: lowest acceptable SPI (host order)
 * @spi_max: highest
 * @timeout: seconds before the reservation lapses, 0 for the default
 * @extack: for error messages
 *
 * Return: 0 or a negative errno.
 */
int nipsec_spi_alloc(struct nipsec_net *nn, struct nipsec_sa_params *p,
		     u32 spi_min, u32 spi_max, u32 timeout,
		     struct netlink_ext_ack *extack)
{
	struct nipsec_sa *sa;
	u32 range;
	int err;

	lockdep_assert_held(&nn->lock);
	spi_min = max_t(u32, spi_min, 256);
	if (spi_max < spi_min) {
		NIPSEC_ERR_MSG(extack, "empty SPI range (SPIs below 256 are reserved)");
		return -EINVAL;
	}
	if (p->key.proto != IPPROTO_ESP && p->key.proto != IPPROTO_AH) {
		NIPSEC_ERR_MSG(extack, "proto must be esp or ah");
		return -EINVAL;
	}
	if (timeout > NIPSEC_LARVAL_MAX_TIMEOUT) {
		NIPSEC_ERR_MSG(extack, "larval-timeout above one day");
		return -EINVAL;
	}
	err = nipsec_cap_check(nn, NIPSEC_CAP_LARVAL, extack);
	if (err)
		return err;
	sa = nipsec_sa_alloc(nn, p);
	if (!sa)
		return -ENOMEM;
	sa->state = NIPSEC_SA_STATE_LARVAL;
	sa->larval_expires = jiffies +
			     (unsigned long)(timeout ?: NIPSEC_LARVAL_TIMEOUT) * HZ;

	range = spi_max - spi_min;
	err = nipsec_spi_reserve(nn, sa, spi_min, range);
	if (err) {
		if (err == -ENOSPC)
			NIPSEC_ERR_MSG(extack, "no free SPI in the range");
		nipsec_sa_destroy(sa);
		return err;
	}
	err = nipsec_hooks_register(nn);
	if (err) {
		rhashtable_remove_fast(&nn->sa_by_spi, &sa->spi_node,
				       nipsec_spi_params);
		nipsec_sa_destroy(sa);
		return err;
	}
	sa->gen = ++nn->sa_gen;
	list_add_tail(&sa->list, &nn->sa_list);
	nn->sa_count++;
	set_bit(NIPSEC_SA_LARVAL_COUNTED, &sa->flags);
	nn->larval_count++;
	nipsec_sa_update_timed(nn, sa);
	p->key.spi = sa->key.spi;
	return 0;
}

/* Time limits and larval timeouts, once a second while any SA has one. */
static void nipsec_sa_gc(struct work_struct *work)
{
	struct nipsec_net *nn = container_of(to_delayed_work(work),
					     struct nipsec_net, gc_work);
	time64_t now = ktime_get_real_seconds();
	struct nipsec_sa *sa, *tmp;

	mutex_lock(&nn->lock);
	list_for_each_entry_safe(sa, tmp, &nn->sa_timed, timed) {
		const struct nipsec_lifetime *l = &sa->lft;
		time64_t used = READ_ONCE(sa->use_time);

		if (sa->state == NIPSEC_SA_STATE_LARVAL) {
			if (time_after_eq(jiffies, sa->larval_expires)) {
				nipsec_notify_expire(sa, true, NIPSEC_LIMIT_ADD_TIME);
				nipsec_sa_remove(sa, true);
			}
			continue;
		}
		if ((l->hard_add && now - sa->add_time >= l->hard_add) ||
		    (l->hard_use && used && now - used >= l->hard_use)) {
			bool add = l->hard_add && now - sa->add_time >= l->hard_add;

			nipsec_sa_hard_expire(sa, add ? NIPSEC_LIMIT_ADD_TIME :
					      NIPSEC_LIMIT_USE_TIME);
			continue;	/* expire_work removes it */
		}
		if (l->soft_add && now - sa->add_time >= l->soft_add)
			nipsec_sa_soft_expire(sa, NIPSEC_LIMIT_ADD_TIME);
		else if (l->soft_use && used && now - used >= l->soft_use)
			nipsec_sa_soft_expire(sa, NIPSEC_LIMIT_USE_TIME);
	}
	if (!list_empty(&nn->sa_timed) && !nn->dying)
		queue_delayed_work(nipsec_wq, &nn->gc_work, NIPSEC_GC_PERIOD);
	mutex_unlock(&nn->lock);
}

/* Unlink SAs whose hard limit fired on the data path. */
static void nipsec_sa_expire_work(struct work_struct *work)
{
	struct nipsec_net *nn = container_of(work, struct nipsec_net,
					     expire_work);
	struct nipsec_sa *sa, *tmp;

	mutex_lock(&nn->lock);
	list_for_each_entry_safe(sa, tmp, &nn->sa_list, list)
		if (test_bit(NIPSEC_SA_HARD_SENT, &sa->flags))
			nipsec_sa_remove(sa, true);
	mutex_unlock(&nn->lock);
}

int nipsec_sa_net_init(struct nipsec_net *nn)
{
	int err;

	INIT_LIST_HEAD(&nn->sa_list);
	INIT_LIST_HEAD(&nn->sa_timed);
	INIT_DELAYED_WORK(&nn->gc_work, nipsec_sa_gc);
	INIT_WORK(&nn->expire_work, nipsec_sa_expire_work);
	err = rhashtable_init(&nn->sa_by_spi, &nipsec_spi_params);
	if (err)
		return err;
	err = rhltable_init(&nn->sa_by_tmpl, &nipsec_tmpl_params);
	if (err)
		goto err_spi;
	err = rhltable_init(&nn->sa_by_addr, &nipsec_addr_params);
	if (err)
		goto err_tmpl;
	return 0;

err_tmpl:
	rhltable_destroy(&nn->sa_by_tmpl);
err_spi:
	rhashtable_destroy(&nn->sa_by_spi);
	return err;
}

void nipsec_sa_net_exit(struct nipsec_net *nn)
{
	cancel_delayed_work_sync(&nn->gc_work);
	cancel_work_sync(&nn->expire_work);
	mutex_lock(&nn->lock);
	nipsec_sa_flush(nn, 0, false);
	mutex_unlock(&nn->lock);
	rhltable_destroy(&nn->sa_by_addr);
	rhltable_destroy(&nn->sa_by_tmpl);
	rhashtable_destroy(&nn->sa_by_spi);
}
