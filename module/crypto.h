/* SPDX-License-Identifier: GPL-2.0 */
/* The algorithm table and per-SA transforms (crypto.c). */
#ifndef _NIPSEC_CRYPTO_H
#define _NIPSEC_CRYPTO_H

#include "nipsec.h"
#include "sa.h"

/* crypto.c: algorithm table and per-SA transforms */
int nipsec_crypto_init_sa(struct nipsec_sa *sa, u8 proto,
			  const struct nipsec_alg_cfg *cfg,
			  struct netlink_ext_ack *extack);
void nipsec_crypto_free_sa(struct nipsec_sa *sa);

#endif /* _NIPSEC_CRYPTO_H */
