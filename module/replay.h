/* SPDX-License-Identifier: GPL-2.0 */
/* The anti-replay window, 32-bit and ESN (replay.c). */
#ifndef _NIPSEC_REPLAY_H
#define _NIPSEC_REPLAY_H

#include "nipsec.h"

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

/* replay.c */
int nipsec_replay_init(struct nipsec_replay *r, u32 window, bool esn);
void nipsec_replay_free(struct nipsec_replay *r);
int nipsec_replay_check(const struct nipsec_replay *r, u32 seq_lo, u64 *seq);
void nipsec_replay_advance(struct nipsec_replay *r, u64 seq);
int nipsec_replay_recheck(const struct nipsec_replay *r, u64 seq);
int nipsec_replay_commit(struct nipsec_replay *r, spinlock_t *lock, u64 seq,
			 bool *newest);

#endif /* _NIPSEC_REPLAY_H */
