// SPDX-License-Identifier: GPL-2.0
/*
 * nipsec anti-replay (RFC 4303 3.4.3) with extended sequence numbers
 * (RFC 4303 Appendix A).
 *
 * The window is a ring of bits indexed by seq modulo its size; bit (s %
 * bits) tells whether s was received, for s in (top - window, top]. The
 * ring is a power of two of at least BITS_PER_LONG bits so the index is a
 * mask and whole words can be cleared as the window slides.
 */
#include <linux/bitmap.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "nipsec.h"
#include "replay.h"
#include "esp.h"

/**
 * nipsec_replay_init - set up the anti-replay state of an SA
 * @r: state to initialise
 * @window: packets, 0 disables the check (ESN inference still works)
 * @esn: 64-bit sequence numbers
 *
 * Return: 0, -EINVAL for a window above NIPSEC_MAX_REPLAY_WINDOW, -ENOMEM.
 */
int nipsec_replay_init(struct nipsec_replay *r, u32 window, bool esn)
{
	memset(r, 0, sizeof(*r));
	if (window > NIPSEC_MAX_REPLAY_WINDOW)
		return -EINVAL;
	r->window = window;
	r->esn = esn;
	if (!window)
		return 0;
	r->bits = roundup_pow_of_two(max_t(u32, window, BITS_PER_LONG));
	r->bitmap = bitmap_zalloc(r->bits, GFP_KERNEL_ACCOUNT);
	return r->bitmap ? 0 : -ENOMEM;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_replay_init);

void nipsec_replay_free(struct nipsec_replay *r)
{
	bitmap_free(r->bitmap);
	r->bitmap = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_replay_free);

/*
 * RFC 4303 A2.1: guess the high 32 bits of an ESN from the low 32 bits on
 * the wire and the window [top - W + 1, top]. A number at or above the
 * window's bottom lies in the window's subspace, one below it in the next.
 * Returns false when the guess would be below 0 (before the first packet).
 */
static bool nipsec_replay_infer(const struct nipsec_replay *r, u32 seq_lo,
				u64 *seq)
{
	u32 w = max_t(u32, r->window, 1);
	u32 tl = lower_32_bits(r->top);
	u32 th = upper_32_bits(r->top);
	u32 bottom = tl - w + 1;	/* modulo 2^32 */
	u32 sh;

	if (tl >= w - 1) {
		/* window inside one subspace */
		sh = seq_lo >= bottom ? th : th + 1;
		if (seq_lo < bottom && th == U32_MAX)
			return false;	/* would wrap the 64-bit space */
	} else {
		/* window straddles two subspaces */
		if (seq_lo >= bottom) {
			if (!th)
				return false;
			sh = th - 1;
		} else {
			sh = th;
		}
	}
	*seq = (u64)sh << 32 | seq_lo;
	return true;
}

/**
 * nipsec_replay_recheck - is a full sequence number new and in the window?
 * @r: the SA's replay state
 * @seq: the full (ESN: inferred earlier) sequence number
 *
 * Used under the SA's lock after the ICV verified, since another CPU may
 * have accepted the same number or moved the window meanwhile.
 *
 * Return: 0, -EEXIST (replay) or -ERANGE (left of the window, or 0).
 */
int nipsec_replay_recheck(const struct nipsec_replay *r, u64 seq)
{
	if (!seq)
		return -ERANGE;
	if (!r->window || seq > r->top)
		return 0;
	if (r->top - seq >= r->window)
		return -ERANGE;
	if (test_bit(seq & (r->bits - 1), r->bitmap))
		return -EEXIST;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_replay_recheck);

/**
 * nipsec_replay_commit - let an authentic sequence number move the window
 * @r: the SA's replay state
 * @lock: the SA's lock, which serialises the window
 * @seq: the full sequence number, its ICV verified
 * @newest: out, may be NULL: @seq is beyond everything accepted before
 *
 * Only an authentic packet may move the window (RFC 4303 3.4.3, RFC 4302
 * 3.4.3), and another CPU may have accepted the same number since the
 * check before the ICV: check again under the lock, then advance.
 *
 * Return: 0, or as nipsec_replay_recheck() (the packet is a replay).
 */
int nipsec_replay_commit(struct nipsec_replay *r, spinlock_t *lock, u64 seq,
			 bool *newest)
{
	int err;

	spin_lock(lock);
	err = nipsec_replay_recheck(r, seq);
	if (newest)
		*newest = seq > r->top;
	if (!err)
		nipsec_replay_advance(r, seq);
	spin_unlock(lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_replay_commit);

/**
 * nipsec_replay_check - may a packet with this sequence number be accepted?
 * @r: the SA's replay state (caller holds the SA's lock or accepts a
 *     stale answer: nipsec_replay_advance's caller checks again)
 * @seq_lo: the 32 bits on the wire
 * @seq: the full sequence number (ESN inferred), for the ICV
 *
 * Does not change the state: the ICV is not verified yet.
 *
 * Return: 0 if acceptable, -EEXIST for a replay, -ERANGE when left of the
 * window or not a valid number (0 is never sent).
 */
int nipsec_replay_check(const struct nipsec_replay *r, u32 seq_lo, u64 *seq)
{
	u64 s;

	if (r->esn) {
		if (!nipsec_replay_infer(r, seq_lo, &s))
			return -ERANGE;
	} else {
		s = seq_lo;
	}
	*seq = s;
	return nipsec_replay_recheck(r, s);
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_replay_check);

/**
 * nipsec_replay_advance - record an authenticated sequence number
 * @r: the SA's replay state; caller holds the SA's lock
 * @seq: the full sequence number, which passed nipsec_replay_check()
 *
 * Slides the window when @seq is new highest, clearing the bits of the
 * numbers it skipped.
 */
void nipsec_replay_advance(struct nipsec_replay *r, u64 seq)
{
	u64 shift;
	u32 mask;

	if (!r->window) {
		if (seq > r->top)
			r->top = seq;
		return;
	}
	mask = r->bits - 1;
	if (seq > r->top) {
		shift = seq - r->top;
		if (shift >= r->bits) {
			bitmap_zero(r->bitmap, r->bits);
		} else {
			/* clear top+1 .. seq, a range that may wrap the ring */
			u32 from = (r->top + 1) & mask;
			u32 n = shift;

			if (from + n > r->bits) {
				bitmap_clear(r->bitmap, from, r->bits - from);
				n -= r->bits - from;
				from = 0;
			}
			bitmap_clear(r->bitmap, from, n);
		}
		r->top = seq;
	}
	__set_bit(seq & mask, r->bitmap);
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_replay_advance);
