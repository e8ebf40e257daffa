/* SPDX-License-Identifier: GPL-2.0 */
/* Library-internal helpers shared by attr.c and client.c. */
#ifndef NIPSEC_INTERNAL_H
#define NIPSEC_INTERNAL_H

#include <linux/netlink.h>
#include "nipsec_client.h"

int nipsec_nl2errno(int nlerr);

/* Transactions, exposed for the tests (which talk to nlctrl with them). */
struct nipsec_handle *nipsec_open_family(const char *name, int *err);
struct nl_msg *nipsec_req_new(struct nipsec_handle *h, uint8_t cmd, bool dump);
int nipsec_req_send(struct nipsec_handle *h, struct nl_msg *msg, int build_err,
		    int (*reply)(struct nlattr *attrs, int len, void *arg),
		    void *arg);
int nipsec_subscribe_group(struct nipsec_handle *h, const char *family,
			   const char *group);
int nipsec_put_sel(struct nl_msg *msg, int attr, const struct nipsec_sel *s);
int nipsec_put_sa_id(struct nl_msg *msg, const struct nipsec_sa_id *id);
bool nipsec_extack_parse(const struct nlmsghdr *nlh, size_t fixed, char *buf,
			 size_t len);
int nipsec_parse_stats_reply(struct nlattr *attrs, int len,
			     struct nipsec_stats *out);

#endif /* NIPSEC_INTERNAL_H */
