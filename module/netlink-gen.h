/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	uapi/nipsec.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_NIPSEC_GEN_H
#define _LINUX_NIPSEC_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/nipsec.h>

/* Common nested types */
extern const struct nla_policy nipsec_encap_nl_policy[NIPSEC_A_ENCAP_REBIND + 1];
extern const struct nla_policy nipsec_lifetime_nl_policy[NIPSEC_A_LIFETIME_PAD + 1];
extern const struct nla_policy nipsec_sa_ref_nl_policy[NIPSEC_A_SA_ENCAP + 1];
extern const struct nla_policy nipsec_selector_nl_policy[NIPSEC_A_SELECTOR_ICMP_CODE + 1];
extern const struct nla_policy nipsec_tmpl_nl_policy[NIPSEC_A_TMPL_SPI + 1];
extern const struct nla_policy nipsec_usage_nl_policy[NIPSEC_A_USAGE_PAD + 1];

int nipsec_nl_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		       struct genl_info *info);
void
nipsec_nl_post_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		    struct genl_info *info);

int nipsec_nl_sa_new_doit(struct sk_buff *skb, struct genl_info *info);
int nipsec_nl_sa_update_doit(struct sk_buff *skb, struct genl_info *info);
int nipsec_nl_sa_del_doit(struct sk_buff *skb, struct genl_info *info);
int nipsec_nl_sa_get_doit(struct sk_buff *skb, struct genl_info *info);
int nipsec_nl_sa_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int nipsec_nl_sa_flush_doit(struct sk_buff *skb, struct genl_info *info);
int nipsec_nl_spi_alloc_doit(struct sk_buff *skb, struct genl_info *info);
int nipsec_nl_policy_new_doit(struct sk_buff *skb, struct genl_info *info);
int nipsec_nl_policy_del_doit(struct sk_buff *skb, struct genl_info *info);
int nipsec_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info);
int nipsec_nl_policy_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int nipsec_nl_policy_flush_doit(struct sk_buff *skb, struct genl_info *info);
int nipsec_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	NIPSEC_NLGRP_EVENTS,
	NIPSEC_NLGRP_DROPS,
};

extern struct genl_family nipsec_nl_family;

#endif /* _LINUX_NIPSEC_GEN_H */
