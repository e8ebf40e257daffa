/* SPDX-License-Identifier: GPL-2.0 */
/* Asynchronous crypto requests and the namespace they keep alive (main.c). */
#ifndef _NIPSEC_ASYNC_H
#define _NIPSEC_ASYNC_H

#include "nipsec.h"

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

#endif /* _NIPSEC_ASYNC_H */
