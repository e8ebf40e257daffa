// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the SPD lookup (tuple-space search over selector shapes) against
 * the definition it must keep - of the policies that match, the one of
 * lowest (priority, id) - on hand-picked and on random policy sets.  The
 * reference matches selectors with its own code, from RFC 4301, so that a
 * fault in nipsec_selector_match() cannot hide in both answers.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "nipsec.h"
#include "stats.h"
#include "policy.h"

static struct nipsec_net *pt_net(struct kunit *test)
{
	struct nipsec_net *nn = kunit_kzalloc(test, sizeof(*nn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, nn);
	mutex_init(&nn->lock);
	nipsec_policy_net_init(nn);
	return nn;
}

static void pt_sel_any(struct nipsec_selector *sel, u16 family)
{
	memset(sel, 0, sizeof(*sel));
	sel->family = family;
	sel->icmp_type = -1;
	sel->icmp_code = -1;
	sel->sport_max = U16_MAX;
	sel->dport_max = U16_MAX;
}

/* an IPv4 policy: addresses in host order, 0 ports = any */
static struct nipsec_policy *pt_add4(struct kunit *test, struct nipsec_net *nn,
				     u8 dir, u32 prio, u32 s, u8 sp, u32 d,
				     u8 dp, u8 proto, u16 dport)
{
	struct nipsec_policy *pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, pol);
	pt_sel_any(&pol->sel, AF_INET);
	pol->sel.saddr.a4 = htonl(s);
	pol->sel.sprefix = sp;
	pol->sel.daddr.a4 = htonl(d);
	pol->sel.dprefix = dp;
	pol->sel.proto = proto;
	if (dport) {
		pol->sel.dport_min = dport;
		pol->sel.dport_max = dport;
	}
	pol->dir = dir;
	pol->priority = prio;
	mutex_lock(&nn->lock);
	err = nipsec_policy_insert(nn, pol);
	mutex_unlock(&nn->lock);
	if (err)
		kfree(pol);
	KUNIT_ASSERT_EQ(test, err, 0);
	return pol;
}

static void pt_flow4(struct nipsec_flow *fl, u32 s, u32 d, u8 proto,
		     u16 sport, u16 dport)
{
	memset(fl, 0, sizeof(*fl));
	fl->family = AF_INET;
	fl->saddr.a4 = htonl(s);
	fl->daddr.a4 = htonl(d);
	fl->proto = proto;
	fl->sport = sport;
	fl->dport = dport;
	fl->has_ports = true;
}

static struct nipsec_policy *pt_lookup(struct nipsec_net *nn, u8 dir,
				       const struct nipsec_flow *fl)
{
	struct nipsec_policy *pol;

	rcu_read_lock();
	pol = nipsec_policy_lookup(nn, dir, fl);
	rcu_read_unlock();
	return pol;
}

/*
 * The definition, written from RFC 4301 4.4.1.1 and not from policy.c: an
 * address is inside a prefix when its first bits equal the selector's,
 * compared bit by bit; protocol 0 is ANY; ports are ranges, ICMP's type
 * and code (in the port fields) one value or ANY (-1); a packet that shows
 * no ports (a later fragment) is OPAQUE to them and matches only a
 * selector whose ports are ANY, as in XFRM.
 */
static bool pt_bits_equal(const void *a, const void *b, unsigned int bits)
{
	const u8 *x = a, *y = b;
	unsigned int i;

	for (i = 0; i < bits; i++) {
		u8 m = 0x80 >> (i % 8);

		if ((x[i / 8] & m) != (y[i / 8] & m))
			return false;
	}
	return true;
}

static bool pt_ref_match(const struct nipsec_selector *sel,
			 const struct nipsec_flow *fl)
{
	bool icmp = fl->proto == (fl->family == AF_INET ? IPPROTO_ICMP :
						   IPPROTO_ICMPV6);

	if (sel->family &&
	    (sel->family != fl->family ||
	     !pt_bits_equal(&fl->saddr, &sel->saddr, sel->sprefix) ||
	     !pt_bits_equal(&fl->daddr, &sel->daddr, sel->dprefix)))
		return false;
	if (!sel->proto)
		return true;
	if (sel->proto != fl->proto)
		return false;
	if (icmp) {
		if (sel->icmp_type == -1 && sel->icmp_code == -1)
			return true;
		return fl->has_ports &&
		       (sel->icmp_type == -1 || sel->icmp_type == fl->sport) &&
		       (sel->icmp_code == -1 || sel->icmp_code == fl->dport);
	}
	if (!sel->sport_min && sel->sport_max == 0xffff &&
	    !sel->dport_min && sel->dport_max == 0xffff)
		return true;
	return fl->has_ports &&
	       sel->sport_min <= fl->sport && fl->sport <= sel->sport_max &&
	       sel->dport_min <= fl->dport && fl->dport <= sel->dport_max;
}

/*
 * The policies a test inserted, kept by the test: the expected answer is
 * the matching one of lowest (priority, id), found without the module's
 * lists or its match function.
 */
struct pt_ref {
	struct nipsec_policy *pol[512];
	unsigned int n;
};

static struct nipsec_policy *pt_linear(const struct pt_ref *ref, u8 dir,
				       const struct nipsec_flow *fl)
{
	struct nipsec_policy *best = NULL, *pol;
	unsigned int i;

	for (i = 0; i < ref->n; i++) {
		pol = ref->pol[i];
		if (!pol || pol->dir != dir || !pt_ref_match(&pol->sel, fl))
			continue;
		if (!best || pol->priority < best->priority ||
		    (pol->priority == best->priority && pol->id < best->id))
			best = pol;
	}
	return best;
}

static void pt_exit(struct nipsec_net *nn)
{
	nipsec_policy_net_exit(nn);
	/* groups are freed by work queued a grace period later: no nn there */
	rcu_barrier();
}

#define IP4(a, b, c, d) (((a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static void policy_lookup_priority(struct kunit *test)
{
	struct nipsec_net *nn = pt_net(test);
	struct nipsec_policy *p16, *p24, *p32, *ptls;
	struct nipsec_flow fl;

	p16 = pt_add4(test, nn, NIPSEC_DIR_OUT, 10, IP4(10, 1, 0, 0), 16,
		      IP4(10, 2, 0, 0), 16, 0, 0);
	p24 = pt_add4(test, nn, NIPSEC_DIR_OUT, 5, IP4(10, 1, 1, 0), 24,
		      IP4(10, 2, 0, 0), 16, 0, 0);
	p32 = pt_add4(test, nn, NIPSEC_DIR_OUT, 20, IP4(10, 1, 1, 1), 32,
		      IP4(10, 2, 2, 2), 32, 0, 0);
	ptls = pt_add4(test, nn, NIPSEC_DIR_OUT, 1, IP4(10, 1, 1, 1), 32,
		       IP4(10, 2, 2, 2), 32, IPPROTO_TCP, 443);

	/* the most specific is not the first match: priority decides */
	pt_flow4(&fl, IP4(10, 1, 1, 1), IP4(10, 2, 2, 2), IPPROTO_UDP, 1, 53);
	KUNIT_EXPECT_PTR_EQ(test, pt_lookup(nn, NIPSEC_DIR_OUT, &fl), p24);
	/* ports are a check inside the bucket */
	pt_flow4(&fl, IP4(10, 1, 1, 1), IP4(10, 2, 2, 2), IPPROTO_TCP, 1, 443);
	KUNIT_EXPECT_PTR_EQ(test, pt_lookup(nn, NIPSEC_DIR_OUT, &fl), ptls);
	pt_flow4(&fl, IP4(10, 1, 9, 1), IP4(10, 2, 2, 2), IPPROTO_TCP, 1, 443);
	KUNIT_EXPECT_PTR_EQ(test, pt_lookup(nn, NIPSEC_DIR_OUT, &fl), p16);
	pt_flow4(&fl, IP4(10, 3, 1, 1), IP4(10, 2, 2, 2), IPPROTO_TCP, 1, 443);
	KUNIT_EXPECT_NULL(test, pt_lookup(nn, NIPSEC_DIR_OUT, &fl));
	/* another direction sees none of them */
	pt_flow4(&fl, IP4(10, 1, 1, 1), IP4(10, 2, 2, 2), IPPROTO_UDP, 1, 53);
	KUNIT_EXPECT_NULL(test, pt_lookup(nn, NIPSEC_DIR_IN, &fl));

	/* removal, including the last of a group */
	mutex_lock(&nn->lock);
	nipsec_policy_remove(nn, p24, false);
	mutex_unlock(&nn->lock);
	KUNIT_EXPECT_PTR_EQ(test, pt_lookup(nn, NIPSEC_DIR_OUT, &fl), p16);
	mutex_lock(&nn->lock);
	nipsec_policy_remove(nn, p16, false);
	mutex_unlock(&nn->lock);
	KUNIT_EXPECT_PTR_EQ(test, pt_lookup(nn, NIPSEC_DIR_OUT, &fl), p32);

	/* ids and exact selectors are found without walking */
	mutex_lock(&nn->lock);
	KUNIT_EXPECT_PTR_EQ(test, nipsec_policy_find(nn, p32->id), p32);
	KUNIT_EXPECT_PTR_EQ(test, nipsec_policy_find_sel(nn, NIPSEC_DIR_OUT,
							 &ptls->sel), ptls);
	KUNIT_EXPECT_NULL(test, nipsec_policy_find_sel(nn, NIPSEC_DIR_IN,
						       &ptls->sel));
	mutex_unlock(&nn->lock);
	pt_exit(nn);
}

/* Same masked addresses, different unmasked bits: distinct selectors. */
static void policy_find_sel_unmasked(struct kunit *test)
{
	struct nipsec_net *nn = pt_net(test);
	struct nipsec_policy *a;
	struct nipsec_selector sel;

	a = pt_add4(test, nn, NIPSEC_DIR_FWD, 0, IP4(10, 1, 1, 0), 24,
		    IP4(10, 2, 0, 0), 16, 0, 0);
	sel = a->sel;
	sel.saddr.a4 = htonl(IP4(10, 1, 1, 7));
	mutex_lock(&nn->lock);
	KUNIT_EXPECT_PTR_EQ(test, nipsec_policy_find_sel(nn, NIPSEC_DIR_FWD,
							 &a->sel), a);
	KUNIT_EXPECT_NULL(test, nipsec_policy_find_sel(nn, NIPSEC_DIR_FWD, &sel));
	mutex_unlock(&nn->lock);
	pt_exit(nn);
}

static const u8 pt_plens4[] = { 0, 8, 16, 24, 30, 31, 32 };
static const u8 pt_splens6[] = { 0, 32, 126, 128 };
static const u8 pt_dplens6[] = { 0, 64, 127, 128 };

static u32 pt_addr(struct rnd_state *st)
{
	/* a small space, so that random flows do match random policies */
	return IP4(10, prandom_u32_state(st) % 3, prandom_u32_state(st) % 4,
		   prandom_u32_state(st) % 4);
}

/*
 * Fail closed on fragments: a later fragment shows no ports, so the lookup
 * passes over a port-selective protect policy; the fragment must then not
 * go by a bypass or no-policy answer.
 */
static bool pt_frag_unsafe(struct kunit *test, struct nipsec_net *nn,
			   const struct nipsec_flow *fl)
{
	struct nipsec_policy *pol;
	int reason;

	rcu_read_lock();
	pol = nipsec_policy_lookup(nn, NIPSEC_DIR_OUT, fl);
	reason = nipsec_policy_portless_drop(nn, NIPSEC_DIR_OUT, fl, pol);
	rcu_read_unlock();
	/* the reason says which: a fragment, or a packet cut short */
	if (reason)
		KUNIT_EXPECT_EQ(test, reason, fl->fragment ?
				NIPSEC_DROP_FRAGMENT : NIPSEC_DROP_TRUNCATED);
	return reason;
}

static void policy_frag_fail_closed(struct kunit *test)
{
	struct nipsec_net *nn = pt_net(test), *nn2 = pt_net(test);
	struct nipsec_policy *by;
	struct nipsec_flow fl;

	/* protect UDP to port 7000 only, from site 1 to site 2 */
	pt_add4(test, nn, NIPSEC_DIR_OUT, 0, IP4(10, 1, 0, 0), 24,
		IP4(10, 2, 0, 0), 24, IPPROTO_UDP, 7000);
	pt_flow4(&fl, IP4(10, 1, 0, 5), IP4(10, 2, 0, 5), IPPROTO_UDP, 0, 0);
	fl.has_ports = false;
	fl.frag = true;
	KUNIT_EXPECT_NULL(test, pt_lookup(nn, NIPSEC_DIR_OUT, &fl));
	KUNIT_EXPECT_TRUE(test, pt_frag_unsafe(test, nn, &fl));
	/* a first fragment or a whole packet goes by the lookup... */
	fl.frag = false;
	fl.has_ports = true;
	fl.dport = 7001;
	KUNIT_EXPECT_FALSE(test, pt_frag_unsafe(test, nn, &fl));
	/* ...unless it is too short to show its ports (RFC 8200 4.5) */
	fl.has_ports = false;
	KUNIT_EXPECT_TRUE(test, pt_frag_unsafe(test, nn, &fl));
	fl.proto = IPPROTO_GRE;		/* a protocol without ports */
	KUNIT_EXPECT_FALSE(test, pt_frag_unsafe(test, nn, &fl));
	fl.proto = IPPROTO_UDP;
	fl.dport = 0;
	fl.frag = true;
	/* other addresses or protocols: no policy could cover it */
	fl.proto = IPPROTO_TCP;
	KUNIT_EXPECT_FALSE(test, pt_frag_unsafe(test, nn, &fl));
	fl.proto = IPPROTO_UDP;
	fl.daddr.a4 = htonl(IP4(10, 3, 0, 5));
	KUNIT_EXPECT_FALSE(test, pt_frag_unsafe(test, nn, &fl));
	fl.daddr.a4 = htonl(IP4(10, 2, 0, 5));
	/* a later bypass for everything does not let it out either */
	by = pt_add4(test, nn, NIPSEC_DIR_OUT, 10, IP4(10, 1, 0, 0), 24,
		     IP4(10, 2, 0, 0), 24, 0, 0);
	by->action = NIPSEC_ACTION_BYPASS;
	KUNIT_EXPECT_PTR_EQ(test, pt_lookup(nn, NIPSEC_DIR_OUT, &fl), by);
	KUNIT_EXPECT_TRUE(test, pt_frag_unsafe(test, nn, &fl));

	/* an earlier bypass wins for fragments and whole packets alike */
	by = pt_add4(test, nn2, NIPSEC_DIR_OUT, 0, IP4(10, 1, 0, 0), 24,
		     IP4(10, 2, 0, 0), 24, 0, 0);
	by->action = NIPSEC_ACTION_BYPASS;
	pt_add4(test, nn2, NIPSEC_DIR_OUT, 5, IP4(10, 1, 0, 0), 24,
		IP4(10, 2, 0, 0), 24, IPPROTO_UDP, 7000);
	KUNIT_EXPECT_FALSE(test, pt_frag_unsafe(test, nn2, &fl));
	/* a protect policy without ports covers fragments the normal way */
	pt_exit(nn2);
	nn2 = pt_net(test);
	pt_add4(test, nn2, NIPSEC_DIR_OUT, 0, IP4(10, 1, 0, 0), 24,
		IP4(10, 2, 0, 0), 24, IPPROTO_UDP, 0);
	KUNIT_EXPECT_NOT_NULL(test, pt_lookup(nn2, NIPSEC_DIR_OUT, &fl));
	KUNIT_EXPECT_FALSE(test, pt_frag_unsafe(test, nn2, &fl));
	pt_exit(nn2);
	pt_exit(nn);
}

static void pt_random_flow(struct rnd_state *st, struct nipsec_flow *fl)
{
	u32 r = prandom_u32_state(st) % 8;

	if (prandom_u32_state(st) % 5 == 0) {
		memset(fl, 0, sizeof(*fl));
		fl->family = AF_INET6;
		fl->saddr.a6.s6_addr32[0] = htonl(0x20010db8);
		fl->daddr.a6.s6_addr32[0] = htonl(0x20010db8);
		fl->saddr.a6.s6_addr32[3] = htonl(prandom_u32_state(st) % 4);
		fl->daddr.a6.s6_addr32[3] = htonl(prandom_u32_state(st) % 4);
		fl->proto = r == 0 ? IPPROTO_ICMPV6 : IPPROTO_UDP;
		fl->sport = r == 0 ? prandom_u32_state(st) % 3 :
				     1 + prandom_u32_state(st) % 6;
		fl->dport = r == 0 ? prandom_u32_state(st) % 2 :
				     1 + prandom_u32_state(st) % 6;
		fl->has_ports = true;
	} else {
		pt_flow4(fl, pt_addr(st), pt_addr(st),
			 r == 0 ? IPPROTO_ICMP :
			 prandom_u32_state(st) % 2 ? IPPROTO_TCP : IPPROTO_UDP,
			 r == 0 ? prandom_u32_state(st) % 3 :
				  1 + prandom_u32_state(st) % 6,
			 r == 0 ? prandom_u32_state(st) % 2 :
				  1 + prandom_u32_state(st) % 6);
	}
	/* a later fragment: no ports to show */
	if (r == 1) {
		fl->sport = 0;
		fl->dport = 0;
		fl->has_ports = false;
		fl->frag = true;
		fl->fragment = true;
	}
}

static struct nipsec_policy *pt_random_policy(struct kunit *test,
					      struct rnd_state *st, u8 dir)
{
	struct nipsec_policy *pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	u32 r = prandom_u32_state(st) % 20;

	KUNIT_ASSERT_NOT_NULL(test, pol);
	pol->dir = dir;
	pol->priority = prandom_u32_state(st) % 8;
	if (r == 0) {
		pt_sel_any(&pol->sel, 0);	/* any family */
	} else if (r < 5) {
		pt_sel_any(&pol->sel, AF_INET6);
		pol->sel.saddr.a6.s6_addr32[0] = htonl(0x20010db8);
		pol->sel.daddr.a6.s6_addr32[0] = htonl(0x20010db8);
		pol->sel.saddr.a6.s6_addr32[3] = htonl(prandom_u32_state(st) % 4);
		pol->sel.daddr.a6.s6_addr32[3] = htonl(prandom_u32_state(st) % 4);
		pol->sel.sprefix = pt_splens6[prandom_u32_state(st) % 4];
		pol->sel.dprefix = pt_dplens6[prandom_u32_state(st) % 4];
	} else {
		pt_sel_any(&pol->sel, AF_INET);
		pol->sel.saddr.a4 = htonl(pt_addr(st));
		pol->sel.daddr.a4 = htonl(pt_addr(st));
		pol->sel.sprefix = pt_plens4[prandom_u32_state(st) % ARRAY_SIZE(pt_plens4)];
		pol->sel.dprefix = pt_plens4[prandom_u32_state(st) % ARRAY_SIZE(pt_plens4)];
	}
	switch (prandom_u32_state(st) % 6) {
	case 0:
	case 1:		/* a destination port range, and maybe a source one */
		pol->sel.proto = prandom_u32_state(st) % 2 ? IPPROTO_TCP : IPPROTO_UDP;
		pol->sel.dport_min = 1 + prandom_u32_state(st) % 5;
		pol->sel.dport_max = pol->sel.dport_min + prandom_u32_state(st) % 3;
		if (pol->sel.dport_max % 2) {
			pol->sel.sport_min = 1 + prandom_u32_state(st) % 5;
			pol->sel.sport_max = pol->sel.sport_min +
					     prandom_u32_state(st) % 3;
		}
		break;
	case 2:		/* ICMP, a type and maybe a code, or any */
		pol->sel.proto = pol->sel.family == AF_INET6 ? IPPROTO_ICMPV6 :
							       IPPROTO_ICMP;
		pol->sel.icmp_type = (int)(prandom_u32_state(st) % 4) - 1;
		pol->sel.icmp_code = pol->sel.icmp_type < 0 ? -1 :
				     (int)(prandom_u32_state(st) % 3) - 1;
		break;
	case 3:		/* a protocol, any port */
		pol->sel.proto = prandom_u32_state(st) % 2 ? IPPROTO_TCP : IPPROTO_UDP;
		break;
	default:
		break;
	}
	return pol;
}

static void pt_compare(struct kunit *test, struct nipsec_net *nn,
		       const struct pt_ref *ref, struct rnd_state *st,
		       unsigned int flows)
{
	struct nipsec_policy *want, *got;
	struct nipsec_flow fl;
	unsigned int i, hits = 0;
	u8 dir;

	for (i = 0; i < flows; i++) {
		pt_random_flow(st, &fl);
		dir = prandom_u32_state(st) % NIPSEC_DIR_COUNT;
		want = pt_linear(ref, dir, &fl);
		got = pt_lookup(nn, dir, &fl);
		KUNIT_EXPECT_PTR_EQ_MSG(test, got, want, "flow %u dir %u: got id %u, want id %u",
					i, dir, got ? got->id : 0, want ? want->id : 0);
		if (got != want)
			return;
		hits += !!want;
	}
	/* the sets are dense enough that most flows match something */
	KUNIT_EXPECT_GT(test, hits, flows / 4);
}

static void pt_ref_forget(struct pt_ref *ref, struct nipsec_policy *pol)
{
	unsigned int i;

	for (i = 0; i < ref->n; i++)
		if (ref->pol[i] == pol)
			ref->pol[i] = NULL;
}

static void policy_lookup_random(struct kunit *test)
{
	struct pt_ref *ref = kunit_kzalloc(test, sizeof(*ref), GFP_KERNEL);
	struct nipsec_net *nn = pt_net(test);
	struct nipsec_policy *pol, *tmp;
	struct rnd_state st;
	unsigned int i;
	int d;

	KUNIT_ASSERT_NOT_NULL(test, ref);
	prandom_seed_state(&st, 0x6e697073);
	mutex_lock(&nn->lock);
	for (i = 0; i < 400; i++) {
		pol = pt_random_policy(test, &st, prandom_u32_state(&st) % NIPSEC_DIR_COUNT);
		if (nipsec_policy_insert(nn, pol)) {
			kfree(pol);
			continue;
		}
		ref->pol[ref->n++] = pol;
	}
	mutex_unlock(&nn->lock);
	KUNIT_ASSERT_EQ(test, nn->policy_count, ref->n);
	pt_compare(test, nn, ref, &st, 3000);

	/* remove every third policy, then compare again */
	mutex_lock(&nn->lock);
	i = 0;
	for (d = 0; d < NIPSEC_DIR_COUNT; d++)
		list_for_each_entry_safe(pol, tmp, &nn->policies[d], list)
			if (i++ % 3 == 0) {
				pt_ref_forget(ref, pol);
				nipsec_policy_remove(nn, pol, false);
			}
	mutex_unlock(&nn->lock);
	pt_compare(test, nn, ref, &st, 3000);
	pt_exit(nn);
	KUNIT_EXPECT_EQ(test, nn->policy_count, 0);
}

/* The definition itself, on cases read off the RFC. */
static void policy_reference_match(struct kunit *test)
{
	struct nipsec_selector sel;
	struct nipsec_flow fl;

	pt_sel_any(&sel, AF_INET);
	sel.saddr.a4 = htonl(IP4(10, 1, 0, 128));
	sel.sprefix = 25;
	pt_flow4(&fl, IP4(10, 1, 0, 200), IP4(10, 2, 0, 1), IPPROTO_UDP, 1, 2);
	KUNIT_EXPECT_TRUE(test, pt_ref_match(&sel, &fl));
	fl.saddr.a4 = htonl(IP4(10, 1, 0, 127));
	KUNIT_EXPECT_FALSE(test, pt_ref_match(&sel, &fl));
	/* port ranges, and a later fragment is OPAQUE to them */
	fl.saddr.a4 = htonl(IP4(10, 1, 0, 200));
	sel.proto = IPPROTO_UDP;
	sel.dport_min = 2;
	sel.dport_max = 3;
	KUNIT_EXPECT_TRUE(test, pt_ref_match(&sel, &fl));
	fl.dport = 4;
	KUNIT_EXPECT_FALSE(test, pt_ref_match(&sel, &fl));
	fl.has_ports = false;
	KUNIT_EXPECT_FALSE(test, pt_ref_match(&sel, &fl));
	sel.dport_min = 0;
	sel.dport_max = U16_MAX;
	KUNIT_EXPECT_TRUE(test, pt_ref_match(&sel, &fl));
	/* ICMP type and code */
	pt_sel_any(&sel, AF_INET);
	sel.proto = IPPROTO_ICMP;
	sel.icmp_type = 8;
	pt_flow4(&fl, IP4(10, 1, 0, 1), IP4(10, 2, 0, 1), IPPROTO_ICMP, 8, 5);
	KUNIT_EXPECT_TRUE(test, pt_ref_match(&sel, &fl));
	sel.icmp_code = 0;
	KUNIT_EXPECT_FALSE(test, pt_ref_match(&sel, &fl));
	/* any family matches both; one family never the other */
	pt_sel_any(&sel, 0);
	KUNIT_EXPECT_TRUE(test, pt_ref_match(&sel, &fl));
	pt_sel_any(&sel, AF_INET6);
	KUNIT_EXPECT_FALSE(test, pt_ref_match(&sel, &fl));
}

static struct kunit_case nipsec_policy_cases[] = {
	KUNIT_CASE(policy_lookup_priority),
	KUNIT_CASE(policy_find_sel_unmasked),
	KUNIT_CASE(policy_frag_fail_closed),
	KUNIT_CASE(policy_reference_match),
	KUNIT_CASE(policy_lookup_random),
	{}
};

static struct kunit_suite nipsec_policy_suite = {
	.name = "nipsec_policy",
	.test_cases = nipsec_policy_cases,
};

kunit_test_suite(nipsec_policy_suite);
