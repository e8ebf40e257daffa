// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the anti-replay window (replay.c) against a reference model that
 * is as plain as possible: the set of sequence numbers accepted so far,
 * the highest of them, and the rules of RFC 4303 3.4.3 (window) and
 * Appendix A2.1 (ESN high-bit inference), written down independently of
 * the ring bitmap the module uses.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/slab.h>

#include "nipsec.h"
#include "replay.h"
#include "esp.h"

static const u32 replay_windows[] = { 0, 32, 64, 1024, 4096, 16384 };

/* ------------------------------------------------------------- the model */

/*
 * The numbers accepted inside the window [top - W + 1, top], kept sorted
 * in a plain array (at most W of them); older ones are dropped as the top
 * moves, which is all "left of the window" means.
 */
struct replay_model {
	u32 window;
	bool esn;
	u64 top;
	u64 *set;
	unsigned int n;
};

static int model_init(struct kunit *test, struct replay_model *m, u32 window,
		      bool esn)
{
	memset(m, 0, sizeof(*m));
	m->window = window;
	m->esn = esn;
	if (!window)
		return 0;
	m->set = kunit_kcalloc(test, window, sizeof(u64), GFP_KERNEL);
	return m->set ? 0 : -ENOMEM;
}

/* Index of the first element >= s. */
static unsigned int model_pos(const struct replay_model *m, u64 s)
{
	unsigned int lo = 0, hi = m->n;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (m->set[mid] < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool model_seen(const struct replay_model *m, u64 s)
{
	unsigned int i = model_pos(m, s);

	return i < m->n && m->set[i] == s;
}

/*
 * RFC 4303 A2.1 restated: the full number is the one whose low 32 bits
 * are @lo in the 2^32-wide range starting at the window's bottom
 * B = top - W + 1 (W at least 1). Numbers outside 64 bits do not exist.
 */
static bool model_infer(const struct replay_model *m, u32 lo, u64 *seq)
{
	s64 bottom = (s64)m->top - (s64)max_t(u32, m->window, 1) + 1;
	u32 d = lo - (u32)bottom;
	s64 s = bottom + d;

	if (s < 0)
		return false;
	*seq = s;
	return true;
}

static int model_check(const struct replay_model *m, u32 lo, u64 *seq)
{
	u64 s = lo;

	if (m->esn && !model_infer(m, lo, &s))
		return -ERANGE;
	*seq = s;
	if (s == 0)
		return -ERANGE;
	if (!m->window || s > m->top)
		return 0;
	if (m->top - s >= m->window)
		return -ERANGE;
	return model_seen(m, s) ? -EEXIST : 0;
}

static void model_advance(struct kunit *test, struct replay_model *m, u64 s)
{
	unsigned int i, drop;

	if (s > m->top)
		m->top = s;
	if (!m->window)
		return;
	/* forget what fell out of the window */
	drop = m->top >= m->window ? model_pos(m, m->top - m->window + 1) : 0;
	memmove(m->set, m->set + drop, (m->n - drop) * sizeof(u64));
	m->n -= drop;
	if (s + m->window <= m->top)
		return;
	i = model_pos(m, s);
	KUNIT_ASSERT_TRUE(test, i == m->n || m->set[i] != s);
	KUNIT_ASSERT_LT(test, m->n, m->window);
	memmove(m->set + i + 1, m->set + i, (m->n - i) * sizeof(u64));
	m->set[i] = s;
	m->n++;
}

/* ------------------------------------------------------------ hand-picked */

static void replay_init_limits(struct kunit *test)
{
	struct nipsec_replay r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(replay_windows); i++) {
		KUNIT_ASSERT_EQ(test, nipsec_replay_init(&r, replay_windows[i],
							 false), 0);
		KUNIT_EXPECT_EQ(test, r.window, replay_windows[i]);
		KUNIT_EXPECT_EQ(test, r.top, 0);
		if (replay_windows[i]) {
			KUNIT_EXPECT_GE(test, r.bits, replay_windows[i]);
			KUNIT_EXPECT_TRUE(test, is_power_of_2(r.bits));
		}
		nipsec_replay_free(&r);
	}
	KUNIT_EXPECT_EQ(test, nipsec_replay_init(&r, NIPSEC_MAX_REPLAY_WINDOW + 1,
						 false), -EINVAL);
	KUNIT_EXPECT_EQ(test, nipsec_replay_init(&r, U32_MAX, true), -EINVAL);
}

/* check() then, if accepted, advance(): what the data path does. */
static int rcv(struct nipsec_replay *r, u32 lo, u64 *seq)
{
	int err = nipsec_replay_check(r, lo, seq);

	if (!err)
		nipsec_replay_advance(r, *seq);
	return err;
}

/*
 * In order, duplicate, reorder inside the window, left edge, right edge,
 * for every window size.
 */
static void replay_window_basic(struct kunit *test)
{
	unsigned int i;
	u64 seq;

	for (i = 0; i < ARRAY_SIZE(replay_windows); i++) {
		u32 w = replay_windows[i];
		struct nipsec_replay r;
		u32 t;

		KUNIT_ASSERT_EQ(test, nipsec_replay_init(&r, w, false), 0);
		kunit_info(test, "window %u\n", w);

		/* sequence number 0 is never sent (RFC 4303 3.3.3) */
		KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0, &seq), -ERANGE);

		/* in order */
		for (t = 1; t <= 5; t++) {
			KUNIT_EXPECT_EQ(test, rcv(&r, t, &seq), 0);
			KUNIT_EXPECT_EQ(test, seq, t);
		}
		KUNIT_EXPECT_EQ(test, r.top, 5);

		/* duplicates of the top and of an older one */
		KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 5, &seq),
				w ? -EEXIST : 0);
		KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 3, &seq),
				w ? -EEXIST : 0);

		/* jump ahead, then fill a hole inside the window */
		t = 5 + w + 10;
		KUNIT_EXPECT_EQ(test, rcv(&r, t, &seq), 0);
		KUNIT_EXPECT_EQ(test, r.top, t);
		if (w) {
			/* right at the left edge: top - W + 1 */
			KUNIT_EXPECT_EQ(test, rcv(&r, t - w + 1, &seq), 0);
			KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, t - w + 1, &seq),
					-EEXIST);
			/* one past the left edge */
			KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, t - w, &seq),
					-ERANGE);
			/* reordered, inside */
			KUNIT_EXPECT_EQ(test, rcv(&r, t - 1, &seq), 0);
			KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, t - 1, &seq),
					-EEXIST);
			/* not yet seen, inside */
			KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, t - 2, &seq), 0);
			/* far left: was seen once, is now out of the window */
			KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 3, &seq), -ERANGE);
		} else {
			/* no window: anything but 0 goes */
			KUNIT_EXPECT_EQ(test, rcv(&r, 3, &seq), 0);
			KUNIT_EXPECT_EQ(test, rcv(&r, 3, &seq), 0);
			KUNIT_EXPECT_EQ(test, r.top, t);
		}
		/* the next one in order */
		KUNIT_EXPECT_EQ(test, rcv(&r, t + 1, &seq), 0);
		KUNIT_EXPECT_EQ(test, r.top, t + 1);

		/* 32-bit counter: the last number, then no wrap without ESN */
		KUNIT_EXPECT_EQ(test, rcv(&r, U32_MAX, &seq), 0);
		KUNIT_EXPECT_EQ(test, seq, U32_MAX);
		KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 1, &seq),
				w ? -ERANGE : 0);
		nipsec_replay_free(&r);
	}
}

/*
 * The ring reuses its bits: after slides of every interesting size
 * (within a word, across words, exactly the ring, more than the ring),
 * no stale bit may make a fresh number look replayed, and no number seen
 * inside the window may be forgotten.
 */
static void replay_window_slides(struct kunit *test)
{
	unsigned int i, j;
	u64 seq;

	for (i = 1; i < ARRAY_SIZE(replay_windows); i++) {
		u32 w = replay_windows[i];
		struct nipsec_replay r;
		u32 slides[8];
		u64 t = 1;

		KUNIT_ASSERT_EQ(test, nipsec_replay_init(&r, w, false), 0);
		slides[0] = 1;
		slides[1] = BITS_PER_LONG - 1;
		slides[2] = BITS_PER_LONG + 1;
		slides[3] = w - 1;
		slides[4] = w;
		slides[5] = r.bits - 1;
		slides[6] = r.bits;
		slides[7] = r.bits + 3;

		for (j = 0; j < ARRAY_SIZE(slides); j++) {
			u64 k, from;

			/* fill the whole window */
			from = t + 1;
			for (k = 0; k < w; k++)
				KUNIT_ASSERT_EQ(test, rcv(&r, from + k, &seq), 0);
			t = from + w - 1;
			/* slide by one number */
			t += slides[j];
			KUNIT_ASSERT_EQ(test, rcv(&r, t, &seq), 0);
			/* what is still inside is remembered, the rest is free */
			for (k = 1; k < w; k++) {
				u64 s = t - k;
				int want = s >= from && s < from + w ? -EEXIST : 0;

				KUNIT_EXPECT_EQ_MSG(test, nipsec_replay_check(&r, s, &seq),
						    want, "W %u slide %u top %llu seq %llu",
						    w, slides[j], t, s);
			}
		}
		nipsec_replay_free(&r);
	}
}

/*
 * RFC 4303 A2.1 on hand-picked windows: both cases of the inference
 * (window inside one 2^32 subspace, or straddling two), the wrap of the
 * low 32 bits, and the ends of the 64-bit space.
 */
static void replay_esn_inference(struct kunit *test)
{
	const u32 w = 64;
	struct nipsec_replay r;
	u64 seq;

	KUNIT_ASSERT_EQ(test, nipsec_replay_init(&r, w, true), 0);

	/* nothing received: a number "before 1" does not exist */
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, U32_MAX, &seq), -ERANGE);
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0, &seq), -ERANGE);
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 1, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 1);

	/* low bits wrap: 0xffffffff, then 0 in the next subspace */
	nipsec_replay_advance(&r, 0xffffffffULL);
	KUNIT_EXPECT_EQ(test, rcv(&r, 0, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0x100000000ULL);
	KUNIT_EXPECT_EQ(test, rcv(&r, 1, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0x100000001ULL);
	/* straddling window (Tl < W - 1): high numbers are the old subspace */
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0xffffffff, &seq), -EEXIST);
	KUNIT_EXPECT_EQ(test, seq, 0xffffffffULL);
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0xfffffffe, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0xfffffffeULL);
	/* 0x100000001 - 64 + 1 = 0xffffffc2 is the bottom */
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0xffffffc2, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0xffffffc2ULL);
	/* below the bottom: taken as the far future of this subspace */
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0xffffffc1, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0x1ffffffc1ULL);

	/* window inside one subspace (Tl >= W - 1) */
	nipsec_replay_advance(&r, 0x180000000ULL);
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0x7ffffff0, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0x17ffffff0ULL);
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0x7fffffc1, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0x17fffffc1ULL);
	/* below the bottom: next subspace */
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0x7fffffc0, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0x27fffffc0ULL);
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0x10, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0x200000010ULL);
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0x80000000, &seq), -EEXIST);
	KUNIT_EXPECT_EQ(test, seq, 0x180000000ULL);

	/* the last subspace: nothing after it */
	nipsec_replay_advance(&r, 0xffffffff80000000ULL);
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0x90000000, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0xffffffff90000000ULL);
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0x10, &seq), -ERANGE);
	nipsec_replay_free(&r);

	/* a disabled window still infers (against the top alone) */
	KUNIT_ASSERT_EQ(test, nipsec_replay_init(&r, 0, true), 0);
	nipsec_replay_advance(&r, 0x2fffffff0ULL);
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 0xfffffff5, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0x2fffffff5ULL);
	KUNIT_EXPECT_EQ(test, nipsec_replay_check(&r, 3, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0x300000003ULL);
	nipsec_replay_free(&r);
}

/* ------------------------------------------------------------- randomized */

#define RANDOM_PACKETS 3000

/*
 * One randomized run: packets mostly in order, some reordered inside the
 * window, some duplicated, some far left; one in eight accepted numbers
 * "fails its ICV" and is not recorded. Every answer of check() (verdict
 * and inferred number) must equal the model's.
 */
static void replay_random_run(struct kunit *test, u32 w, bool esn, u64 start,
			      u64 seed)
{
	struct replay_model m;
	struct rnd_state rs;
	struct nipsec_replay r;
	unsigned int i, mismatches = 0;

	prandom_seed_state(&rs, seed);
	KUNIT_ASSERT_EQ(test, model_init(test, &m, w, esn), 0);
	KUNIT_ASSERT_EQ(test, nipsec_replay_init(&r, w, esn), 0);
	if (start > 1) {
		/* start from a received "start" (both sides) */
		nipsec_replay_advance(&r, start);
		model_advance(test, &m, start);
	}

	for (i = 0; i < RANDOM_PACKETS; i++) {
		u32 pick = prandom_u32_state(&rs) % 100;
		u32 reach = w + w / 2 + 2;
		u64 want_seq = 0, got_seq = 0, s;
		int want, got;

		if (pick < 55)				/* in order, small gaps */
			s = m.top + 1 + prandom_u32_state(&rs) % 3;
		else if (pick < 85)			/* reordered or late */
			s = m.top - min_t(u64, m.top,
					  prandom_u32_state(&rs) % reach);
		else if (pick < 95)			/* exact duplicate */
			s = m.top;
		else					/* a big jump */
			s = m.top + 1 + prandom_u32_state(&rs) % (2 * w + 8);

		want = model_check(&m, (u32)s, &want_seq);
		got = nipsec_replay_check(&r, (u32)s, &got_seq);
		if (got != want || (!want && got_seq != want_seq)) {
			if (mismatches++ < 5)
				KUNIT_FAIL(test,
					   "W %u esn %d pkt %u top %llu lo %#x: got %d/%llu, model %d/%llu",
					   w, esn, i, m.top, (u32)s, got, got_seq,
					   want, want_seq);
			continue;
		}
		/* the check under the SA's lock, on the inferred number */
		if (!want || want == -EEXIST) {
			int again = nipsec_replay_recheck(&r, got_seq);

			KUNIT_EXPECT_EQ_MSG(test, again, want,
					    "recheck W %u seq %llu", w, got_seq);
		}
		if (want || prandom_u32_state(&rs) % 8 == 0)
			continue;
		nipsec_replay_advance(&r, got_seq);
		model_advance(test, &m, got_seq);
		KUNIT_EXPECT_EQ(test, r.top, m.top);
	}
	KUNIT_EXPECT_EQ(test, mismatches, 0);
	nipsec_replay_free(&r);
}

static void replay_random(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(replay_windows); i++)
		replay_random_run(test, replay_windows[i], false, 1,
				  0x6e697073ULL + i);
}

/* Randomized ESN runs that cross a 2^32 boundary (low bits wrap). */
static void replay_random_esn_wrap(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(replay_windows); i++) {
		u32 w = replay_windows[i];

		/* from just below 2^32 into subspace 1 */
		replay_random_run(test, w, true, 0x100000000ULL - 2000 - w,
				  0x65736eULL + i);
		/* from subspace 6 into 7 */
		replay_random_run(test, w, true, 0x700000000ULL - 3000,
				  0x777ULL + i);
	}
}

/* ------------------------------------------------------------- the race */

#define RACE_SEQS	20000

/*
 * Two receivers of one SA on two CPUs, as two packets of the same number
 * decrypted at once: each checks without the lock (as before the ICV),
 * then commits under the SA's lock as esp.c and ah.c do.  On hardware
 * (and multi-threaded TCG) the two run at once; under the bench's
 * single-threaded TCG the two vCPUs take turns, so the walk interleaves
 * less, but what must hold is the same.
 */
struct replay_race {
	struct nipsec_replay r;
	spinlock_t lock;		/* the SA's lock */
	atomic_t accepted[RACE_SEQS + 1];
	atomic_t ready;
	atomic_t finished;
	unsigned int won[2];
};

struct replay_racer {
	struct replay_race *rr;
	int id;
};

static int replay_racer_fn(void *data)
{
	struct replay_racer *me = data;
	struct replay_race *rr = me->rr;
	u64 seq, full;

	/*
	 * Start together, so that the two walk the same numbers at once; yield
	 * while waiting, in case both were put on one CPU.
	 */
	atomic_inc(&rr->ready);
	while (atomic_read(&rr->ready) < 2 && !kthread_should_stop())
		cond_resched();
	for (seq = 1; seq <= RACE_SEQS && !kthread_should_stop(); seq++) {
		local_bh_disable();
		if (!nipsec_replay_check(&rr->r, (u32)seq, &full) &&
		    !nipsec_replay_commit(&rr->r, &rr->lock, full, NULL)) {
			atomic_inc(&rr->accepted[seq]);
			rr->won[me->id]++;
		}
		local_bh_enable();
	}
	atomic_inc(&rr->finished);
	/* kthread_stop() collects us: never leave module code before that */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* No number is ever accepted twice, whichever CPU sees it first. */
static void replay_commit_race(struct kunit *test)
{
	struct replay_racer racer[2];
	struct task_struct *t[2];
	struct replay_race *rr;
	unsigned int i, twice = 0, total = 0;
	int cpu[2], again;

	rr = kunit_kzalloc(test, sizeof(*rr), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rr);
	KUNIT_ASSERT_EQ(test, nipsec_replay_init(&rr->r, 1024, false), 0);
	spin_lock_init(&rr->lock);
	/* two online CPUs when there are two: the race is then real */
	cpu[0] = cpumask_first(cpu_online_mask);
	cpu[1] = cpumask_next(cpu[0], cpu_online_mask);
	for (i = 0; i < 2; i++) {
		racer[i] = (struct replay_racer){ .rr = rr, .id = i };
		t[i] = kthread_create(replay_racer_fn, &racer[i], "replay_race/%u",
				      i);
		if (IS_ERR(t[i])) {
			if (i)
				kthread_stop(t[0]);
			nipsec_replay_free(&rr->r);
			KUNIT_FAIL(test, "kthread_create: %ld", PTR_ERR(t[i]));
			return;
		}
		if (cpu[1] < nr_cpu_ids)
			kthread_bind(t[i], cpu[i]);
	}
	wake_up_process(t[0]);
	wake_up_process(t[1]);
	/* both walks, a minute at most (they stop early when told), then both */
	for (i = 0; i < 3000 && atomic_read(&rr->finished) < 2; i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&rr->finished), 2);
	kthread_stop(t[0]);
	kthread_stop(t[1]);

	for (i = 1; i <= RACE_SEQS; i++) {
		int n = atomic_read(&rr->accepted[i]);

		total += n;
		if (n > 1 && twice++ < 5)
			KUNIT_FAIL(test, "sequence number %u accepted %d times",
				   i, n);
	}
	KUNIT_EXPECT_EQ(test, twice, 0);
	KUNIT_EXPECT_EQ(test, rr->r.top, (u64)RACE_SEQS);
	/* the newest number is taken: a third copy is a replay */
	again = nipsec_replay_commit(&rr->r, &rr->lock, RACE_SEQS, NULL);
	KUNIT_EXPECT_EQ(test, again, -EEXIST);
	kunit_info(test, "accepted %u of %u (CPU %d %u, CPU %d %u)", total,
		   RACE_SEQS, cpu[0], rr->won[0], cpu[1], rr->won[1]);
	nipsec_replay_free(&rr->r);
}

static struct kunit_case nipsec_replay_cases[] = {
	KUNIT_CASE(replay_init_limits),
	KUNIT_CASE(replay_window_basic),
	KUNIT_CASE(replay_window_slides),
	KUNIT_CASE(replay_esn_inference),
	KUNIT_CASE_SLOW(replay_random),
	KUNIT_CASE_SLOW(replay_random_esn_wrap),
	KUNIT_CASE(replay_commit_race),
	{}
};

static struct kunit_suite nipsec_replay_suite = {
	.name = "nipsec_replay",
	.test_cases = nipsec_replay_cases,
};

kunit_test_suite(nipsec_replay_suite);
