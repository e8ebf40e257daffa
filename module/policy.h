/* SPDX-License-Identifier: GPL-2.0 */
/* SPD configuration, used by the netlink handlers (under nipsec_net.lock). */
#ifndef _NIPSEC_POLICY_H
#define _NIPSEC_POLICY_H

#include "nipsec.h"

int nipsec_policy_insert(struct nipsec_net *nn, struct nipsec_policy *pol);
struct nipsec_policy *nipsec_policy_find(struct nipsec_net *nn, u32 id);
struct nipsec_policy *nipsec_policy_find_sel(struct nipsec_net *nn, u8 dir,
					     const struct nipsec_selector *sel);
void nipsec_policy_remove(struct nipsec_net *nn, struct nipsec_policy *pol,
			  bool notify);
void nipsec_policy_flush(struct nipsec_net *nn, int dir, bool notify);

#endif /* _NIPSEC_POLICY_H */
