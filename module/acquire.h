/* SPDX-License-Identifier: GPL-2.0 */
/* Pending acquires, one per template (acquire.c). */
#ifndef _NIPSEC_ACQUIRE_H
#define _NIPSEC_ACQUIRE_H

#include "nipsec.h"
#include "policy.h"
#include "sa.h"

/* acquire.c */
void nipsec_acquire(struct nipsec_net *nn, struct nipsec_policy *pol,
		    const struct nipsec_flow *fl);
void nipsec_acquire_done(struct nipsec_net *nn,
			 const struct nipsec_tmpl_key *key);
void nipsec_acquire_flush(struct nipsec_net *nn);
int nipsec_acquire_net_init(struct nipsec_net *nn);
void nipsec_acquire_net_exit(struct nipsec_net *nn);

#endif /* _NIPSEC_ACQUIRE_H */
