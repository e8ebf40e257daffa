/* SPDX-License-Identifier: GPL-2.0 */
/* The SAD: SAs, their keys and lifetimes, lookup and life cycle (sa.c). */
#ifndef _NIPSEC_SA_H
#define _NIPSEC_SA_H

#include "nipsec.h"
#include "policy.h"
#include "replay.h"
#include "stats.h"

/* Lifetime limits, 0 = none (seconds for the time limits). */
struct nipsec_lifetime {
	u64 soft_bytes, hard_bytes;
	u64 soft_packets, hard_packets;
	u64 soft_add, hard_add;
	u64 soft_use, hard_use;
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
int nipsec_sa_next_seq(struct nipsec_sa *sa, u64 *seq);
void nipsec_sa_drop(struct sk_buff *skb, struct nipsec_sa *sa,
		    enum nipsec_stat reason);

static inline bool nipsec_sa_hold(struct nipsec_sa *sa)
{
	return refcount_inc_not_zero(&sa->refcnt);
}

static inline bool nipsec_sa_usable(const struct nipsec_sa *sa)
{
	u8 st = READ_ONCE(sa->state);

	return st == NIPSEC_SA_STATE_MATURE || st == NIPSEC_SA_STATE_DYING;
}

/* configuration, used by the netlink handlers (under nipsec_net.lock) */
/* An SA as requested by sa-new / sa-update / spi-alloc. */
struct nipsec_sa_params {
	struct nipsec_sa_key key;	/* spi, proto, family, daddr */
	union nipsec_addr saddr;
	u8 mode;
	u32 reqid;
	struct nipsec_alg_cfg alg;
	bool has_alg;
	u32 replay_window;
	bool esn;
	bool has_sel;
	struct nipsec_selector sel;
	bool has_lft;
	struct nipsec_lifetime lft;
	bool has_encap;
	u8 encap_type;
	__be16 encap_sport, encap_dport;
	union nipsec_addr encap_oa;
	bool encap_rebind;
	bool has_seq;
	u64 seq;
};

/* A callback over SAs; embed it and use container_of() for context. */
struct nipsec_sa_visitor {
	void (*visit)(struct nipsec_sa_visitor *v, struct nipsec_sa *sa);
};

int nipsec_sa_add(struct nipsec_net *nn, const struct nipsec_sa_params *p,
		  bool update, struct netlink_ext_ack *extack);
struct nipsec_sa *nipsec_sa_find(struct nipsec_net *nn,
				 const struct nipsec_sa_key *key);
void nipsec_sa_remove(struct nipsec_sa *sa, bool notify);
void nipsec_sa_flush(struct nipsec_net *nn, u8 proto, bool notify);
int nipsec_spi_alloc(struct nipsec_net *nn, struct nipsec_sa_params *p,
		     u32 spi_min, u32 spi_max, u32 timeout,
		     struct netlink_ext_ack *extack);
void nipsec_sa_visit_out(struct nipsec_net *nn,
			 const struct nipsec_tmpl_key *key,
			 struct nipsec_sa_visitor *v);
int nipsec_encap_init_sa(struct nipsec_sa *sa,
			 const struct nipsec_sa_params *p);
void nipsec_encap_free_sa(struct nipsec_sa *sa);
int nipsec_encap_update(struct nipsec_sa *sa,
			const struct nipsec_sa_params *p);
void nipsec_sa_usage(const struct nipsec_sa *sa, u64 *bytes, u64 *packets);

#endif /* _NIPSEC_SA_H */
