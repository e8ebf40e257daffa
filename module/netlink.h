/* SPDX-License-Identifier: GPL-2.0 */
/* Refusals with an extack message, and the family's events (netlink.c). */
#ifndef _NIPSEC_NETLINK_H
#define _NIPSEC_NETLINK_H

#include "nipsec.h"
#include "policy.h"
#include "sa.h"

/*
 * Refusals: the extack message for the requester, and the same words to
 * dynamic debug (`echo 'module nipsec +p' > .../dynamic_debug/control`),
 * rate-limited since an unprivileged namespace owner can provoke them.
 */
struct netlink_ext_ack;
struct nlattr;
void nipsec_refused(struct netlink_ext_ack *extack, const struct nlattr *attr,
		    const char *msg);
/* msg: a string literal (extack keeps the pointer) */
#define NIPSEC_ERR_MSG(extack, msg) nipsec_refused(extack, NULL, msg)
#define NIPSEC_ERR_MSG_ATTR(extack, attr, msg) nipsec_refused(extack, attr, msg)

/* netlink.c */
int nipsec_netlink_init(void);
void nipsec_netlink_exit(void);
void nipsec_notify_sa_del(struct nipsec_sa *sa);
void nipsec_notify_policy_del(struct nipsec_net *nn,
			      const struct nipsec_policy *pol);
void nipsec_notify_expire(struct nipsec_sa *sa, bool hard, u8 limit);
void nipsec_notify_acquire(struct nipsec_net *nn,
			   const struct nipsec_policy *pol,
			   const struct nipsec_flow *fl);
void nipsec_notify_mapping(struct nipsec_sa *sa,
			   const union nipsec_addr *old_addr, __be16 old_port,
			   const union nipsec_addr *new_addr, __be16 new_port);
void nipsec_notify_drop(struct nipsec_net *nn, const struct nipsec_sa *sa,
			const struct sk_buff *skb, enum nipsec_stat reason);

#endif /* _NIPSEC_NETLINK_H */
