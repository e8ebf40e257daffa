// SPDX-License-Identifier: GPL-2.0
/*
 * nipsec module entry: per-netns state, module parameters, and the
 * bookkeeping that makes unloading safe while crypto is in flight.
 */
#include <linux/module.h>
#include <linux/delay.h>
#include <net/net_namespace.h>

#include "nipsec.h"
#include "acquire.h"
#include "async.h"
#include "crypto.h"
#include "netlink.h"
#include "policy.h"
#include "sa.h"
#include "stats.h"

unsigned int nipsec_net_id __read_mostly;
struct workqueue_struct *nipsec_wq __read_mostly;

/*
 * Per-namespace limits: any user can own a namespace (user namespaces),
 * and memory accounting alone does not bound a machine without memory
 * cgroup limits.  The defaults leave room for large gateways (the bench
 * installs 100 000 SAs and policies).
 */
static unsigned int max_sas = 262144;
module_param(max_sas, uint, 0644);
MODULE_PARM_DESC(max_sas, "SAs per network namespace, larval ones included");
static unsigned int max_larval = 16384;
module_param(max_larval, uint, 0644);
MODULE_PARM_DESC(max_larval, "Larval SAs (spi-alloc) per network namespace");
static unsigned int max_policies = 262144;
module_param(max_policies, uint, 0644);
MODULE_PARM_DESC(max_policies, "Policies per network namespace");

/**
 * nipsec_cap_check - may one more object of a kind be added?
 * @nn: namespace state, lock held (the counts are read under it)
 * @cap: which limit
 * @extack: the refusal's reason
 *
 * Return: 0, or -ENOSPC with an extack message, counted as refused-limit.
 */
int nipsec_cap_check(struct nipsec_net *nn, enum nipsec_cap cap,
		     struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&nn->lock);
	switch (cap) {
	case NIPSEC_CAP_SA:
		if (nn->sa_count < READ_ONCE(max_sas))
			return 0;
		NIPSEC_ERR_MSG(extack, "SA limit of the namespace reached (max_sas)");
		break;
	case NIPSEC_CAP_LARVAL:
		if (nn->sa_count >= READ_ONCE(max_sas)) {
			NIPSEC_ERR_MSG(extack, "SA limit of the namespace reached (max_sas)");
			break;
		}
		if (nn->larval_count < READ_ONCE(max_larval))
			return 0;
		NIPSEC_ERR_MSG(extack, "larval SA limit reached (max_larval)");
		break;
	case NIPSEC_CAP_POLICY:
		if (nn->policy_count < READ_ONCE(max_policies))
			return 0;
		NIPSEC_ERR_MSG(extack, "policy limit reached (max_policies)");
		break;
	}
	nipsec_count(nn->stats, NIPSEC_STAT_REFUSED_LIMIT, 1);
	return -ENOSPC;
}

/*
 * Asynchronous crypto requests still to complete: their callbacks use the
 * namespace's state (and our code), so the namespace's exit waits for them.
 * Every request is counted while it is submitted, on per-CPU counters: a
 * shared atomic would bounce a cache line between CPUs for every packet.
 * Only the sum means something (a request may finish on another CPU), and
 * it is read once no new request can start.
 */
void nipsec_inflight_get(struct nipsec_net *nn)
{
	this_cpu_inc(*nn->inflight);
}

/* A completion callback is done with the namespace's state. */
static void nipsec_inflight_put(struct nipsec_net *nn)
{
	smp_mb();	/* its accesses before the count that exit reads */
	this_cpu_dec(*nn->inflight);
}

static bool nipsec_inflight_idle(struct nipsec_net *nn)
{
	int cpu, n = 0;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(*per_cpu_ptr(nn->inflight, cpu));
	smp_mb();	/* pairs with nipsec_inflight_put() */
	return !n;
}

/**
 * nipsec_async_done - completion callback of every ESP and AH request
 * @arg: the request's data, a struct nipsec_async
 * @err: the operation's result
 *
 * Resumes the packet under RCU with BH disabled, then lets go of the
 * namespace: the resume function frees the request (and @arg with it).
 */
void nipsec_async_done(NIPSEC_CRYPTO_DONE_ARG arg, int err)
{
	struct nipsec_async *a = nipsec_crypto_done_data(arg);
	struct net_device *dev = a->dev;
	struct nipsec_net *nn = a->nn;

	/* a backlogged request started: the real completion follows */
	if (err == -EINPROGRESS)
		return;
	/*
	 * The resume path takes sa->lock as the hooks do and re-enters the
	 * IP stack, both of which expect softirq context: a driver may
	 * complete from a kthread (crypto_engine) or a workqueue, with BH on.
	 */
	local_bh_disable();
	rcu_read_lock();
	a->resume(a, err);
	rcu_read_unlock();
	local_bh_enable();
	dev_put(dev);
	nipsec_inflight_put(nn);
}

/**
 * nipsec_async_pending - after submitting a request: does it go on later?
 * @a: the request's context, counted in flight by nipsec_async_init()
 * @err: what the submission returned
 *
 * Return: true if nipsec_async_done() will resume the packet; false if
 * the operation is over and the caller resumes it with @err now.  That
 * happens inside the hook's RCU section, which unregistering the hooks
 * and the device both wait for: neither count is needed any more.
 */
bool nipsec_async_pending(struct nipsec_async *a, int err)
{
	if (err == -EINPROGRESS || err == -EBUSY)
		return true;
	this_cpu_dec(*a->nn->inflight);
	dev_put(a->dev);
	return false;
}

static void nipsec_stats_free(struct nipsec_net *nn)
{
	free_percpu(nn->stats);
	nn->stats = NULL;
	free_percpu(nn->inflight);
	nn->inflight = NULL;
}

static int __net_init nipsec_net_init(struct net *net)
{
	struct nipsec_net *nn = nipsec_pernet(net);
	int err;

	nn->net = net;
	mutex_init(&nn->lock);
	nn->stats = alloc_percpu(struct nipsec_stats);
	nn->inflight = alloc_percpu(int);
	if (!nn->stats || !nn->inflight) {
		nipsec_stats_free(nn);
		return -ENOMEM;
	}
	err = nipsec_sa_net_init(nn);
	if (err) {
		nipsec_stats_free(nn);
		return err;
	}
	err = nipsec_acquire_net_init(nn);
	if (err) {
		nipsec_sa_net_exit(nn);
		nipsec_stats_free(nn);
		return err;
	}
	nipsec_policy_net_init(nn);
	return 0;
}

/* Hooks go first so no new packet reaches SAs that are being torn down. */
static void __net_exit nipsec_net_pre_exit(struct net *net)
{
	struct nipsec_net *nn = nipsec_pernet(net);

	mutex_lock(&nn->lock);
	nn->dying = true;
	nipsec_hooks_unregister(nn);
	mutex_unlock(&nn->lock);
}

static void __net_exit nipsec_net_exit(struct net *net)
{
	struct nipsec_net *nn = nipsec_pernet(net);

	/* hooks are gone (pre_exit): only callbacks of earlier packets remain */
	while (!nipsec_inflight_idle(nn))
		msleep(20);
	nipsec_policy_net_exit(nn);
	nipsec_sa_net_exit(nn);
	nipsec_acquire_net_exit(nn);
	nipsec_stats_free(nn);
}

static struct pernet_operations nipsec_net_ops = {
	.init = nipsec_net_init,
	.pre_exit = nipsec_net_pre_exit,
	.exit = nipsec_net_exit,
	.id = &nipsec_net_id,
	.size = sizeof(struct nipsec_net),
};

static int __init nipsec_init(void)
{
	int err;

	/* SA teardown and lifetimes; drained before the module goes away */
	nipsec_wq = alloc_workqueue("nipsec", WQ_UNBOUND, 0);
	if (!nipsec_wq)
		return -ENOMEM;
	err = nipsec_hooks_init();
	if (err)
		goto err_wq;
	err = register_pernet_subsys(&nipsec_net_ops);
	if (err)
		goto err_hooks;
	err = nipsec_netlink_init();
	if (err)
		goto err_pernet;
	pr_info("version %s loaded\n", NIPSEC_VERSION);
	return 0;

err_pernet:
	unregister_pernet_subsys(&nipsec_net_ops);
err_hooks:
	nipsec_hooks_exit();
err_wq:
	destroy_workqueue(nipsec_wq);
	return err;
}

static void __exit nipsec_exit(void)
{
	nipsec_netlink_exit();
	/* every namespace's exit has waited for its crypto callbacks */
	unregister_pernet_subsys(&nipsec_net_ops);
	/*
	 * A callback's last put can wake that wait while the callback still
	 * runs our text on its way out.  Crypto completions run with BH off
	 * (cryptd) or in interrupt context, so one grace period covers them.
	 */
	synchronize_rcu();
	rcu_barrier();
	destroy_workqueue(nipsec_wq);
	nipsec_hooks_exit();
}

module_init(nipsec_init);
module_exit(nipsec_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("IPsec ESP/AH data plane on netfilter, without XFRM");
MODULE_AUTHOR("The nipsec authors");
MODULE_VERSION(NIPSEC_VERSION);
MODULE_ALIAS_GENL_FAMILY(NIPSEC_FAMILY_NAME);
