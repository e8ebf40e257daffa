// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	uapi/nipsec.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/nipsec.h>

/* Common nested types */
const struct nla_policy nipsec_encap_nl_policy[NIPSEC_A_ENCAP_REBIND + 1] = {
	[NIPSEC_A_ENCAP_TYPE] = NLA_POLICY_RANGE(NLA_U8, 2, 2),
	[NIPSEC_A_ENCAP_SPORT] = { .type = NLA_U16, },
	[NIPSEC_A_ENCAP_DPORT] = { .type = NLA_U16, },
	[NIPSEC_A_ENCAP_OA_V4] = { .type = NLA_U32, },
	[NIPSEC_A_ENCAP_OA_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_ENCAP_REBIND] = { .type = NLA_FLAG, },
};

const struct nla_policy nipsec_lifetime_nl_policy[NIPSEC_A_LIFETIME_PAD + 1] = {
	[NIPSEC_A_LIFETIME_SOFT_BYTES] = { .type = NLA_U64, },
	[NIPSEC_A_LIFETIME_HARD_BYTES] = { .type = NLA_U64, },
	[NIPSEC_A_LIFETIME_SOFT_PACKETS] = { .type = NLA_U64, },
	[NIPSEC_A_LIFETIME_HARD_PACKETS] = { .type = NLA_U64, },
	[NIPSEC_A_LIFETIME_SOFT_ADD_SECONDS] = { .type = NLA_U64, },
	[NIPSEC_A_LIFETIME_HARD_ADD_SECONDS] = { .type = NLA_U64, },
	[NIPSEC_A_LIFETIME_SOFT_USE_SECONDS] = { .type = NLA_U64, },
	[NIPSEC_A_LIFETIME_HARD_USE_SECONDS] = { .type = NLA_U64, },
};

const struct nla_policy nipsec_sa_ref_nl_policy[NIPSEC_A_SA_ENCAP + 1] = {
	[NIPSEC_A_SA_SPI] = { .type = NLA_U32, },
	[NIPSEC_A_SA_PROTO] = NLA_POLICY_RANGE(NLA_U8, 50, 51),
	[NIPSEC_A_SA_MODE] = NLA_POLICY_MAX(NLA_U8, 1),
	[NIPSEC_A_SA_SRC_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SA_SRC_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_SA_DST_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SA_DST_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_SA_REQID] = { .type = NLA_U32, },
	[NIPSEC_A_SA_USAGE] = NLA_POLICY_NESTED(nipsec_usage_nl_policy),
	[NIPSEC_A_SA_ENCAP] = NLA_POLICY_NESTED(nipsec_encap_nl_policy),
};

const struct nla_policy nipsec_selector_nl_policy[NIPSEC_A_SELECTOR_ICMP_CODE + 1] = {
	[NIPSEC_A_SELECTOR_FAMILY] = { .type = NLA_U16, },
	[NIPSEC_A_SELECTOR_SRC_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SELECTOR_SRC_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_SELECTOR_SRC_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[NIPSEC_A_SELECTOR_DST_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SELECTOR_DST_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_SELECTOR_DST_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[NIPSEC_A_SELECTOR_PROTO] = { .type = NLA_U8, },
	[NIPSEC_A_SELECTOR_SPORT_MIN] = { .type = NLA_U16, },
	[NIPSEC_A_SELECTOR_SPORT_MAX] = { .type = NLA_U16, },
	[NIPSEC_A_SELECTOR_DPORT_MIN] = { .type = NLA_U16, },
	[NIPSEC_A_SELECTOR_DPORT_MAX] = { .type = NLA_U16, },
	[NIPSEC_A_SELECTOR_ICMP_TYPE] = { .type = NLA_U8, },
	[NIPSEC_A_SELECTOR_ICMP_CODE] = { .type = NLA_U8, },
};

const struct nla_policy nipsec_tmpl_nl_policy[NIPSEC_A_TMPL_SPI + 1] = {
	[NIPSEC_A_TMPL_PROTO] = NLA_POLICY_RANGE(NLA_U8, 50, 51),
	[NIPSEC_A_TMPL_MODE] = NLA_POLICY_MAX(NLA_U8, 1),
	[NIPSEC_A_TMPL_SRC_V4] = { .type = NLA_U32, },
	[NIPSEC_A_TMPL_SRC_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_TMPL_DST_V4] = { .type = NLA_U32, },
	[NIPSEC_A_TMPL_DST_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_TMPL_REQID] = { .type = NLA_U32, },
	[NIPSEC_A_TMPL_SPI] = { .type = NLA_U32, },
};

const struct nla_policy nipsec_usage_nl_policy[NIPSEC_A_USAGE_PAD + 1] = {
	[NIPSEC_A_USAGE_BYTES] = { .type = NLA_U64, },
	[NIPSEC_A_USAGE_PACKETS] = { .type = NLA_U64, },
	[NIPSEC_A_USAGE_ADD_TIME] = { .type = NLA_U64, },
	[NIPSEC_A_USAGE_USE_TIME] = { .type = NLA_U64, },
	[NIPSEC_A_USAGE_LAST_USE_TIME] = { .type = NLA_U64, },
};

/* NIPSEC_CMD_SA_NEW - do */
static const struct nla_policy nipsec_sa_new_nl_policy[NIPSEC_A_SA_SEQ + 1] = {
	[NIPSEC_A_SA_SPI] = { .type = NLA_U32, },
	[NIPSEC_A_SA_PROTO] = NLA_POLICY_RANGE(NLA_U8, 50, 51),
	[NIPSEC_A_SA_MODE] = NLA_POLICY_MAX(NLA_U8, 1),
	[NIPSEC_A_SA_SRC_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SA_SRC_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_SA_DST_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SA_DST_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_SA_REQID] = { .type = NLA_U32, },
	[NIPSEC_A_SA_AEAD_NAME] = { .type = NLA_NUL_STRING, .len = NIPSEC_ALG_NAME_LEN, },
	[NIPSEC_A_SA_AEAD_KEY] = { .type = NLA_BINARY, },
	[NIPSEC_A_SA_ICV_BITS] = { .type = NLA_U32, },
	[NIPSEC_A_SA_ENC_NAME] = { .type = NLA_NUL_STRING, .len = NIPSEC_ALG_NAME_LEN, },
	[NIPSEC_A_SA_ENC_KEY] = { .type = NLA_BINARY, },
	[NIPSEC_A_SA_AUTH_NAME] = { .type = NLA_NUL_STRING, .len = NIPSEC_ALG_NAME_LEN, },
	[NIPSEC_A_SA_AUTH_KEY] = { .type = NLA_BINARY, },
	[NIPSEC_A_SA_AUTH_TRUNC_BITS] = { .type = NLA_U32, },
	[NIPSEC_A_SA_REPLAY_WINDOW] = NLA_POLICY_MAX(NLA_U32, NIPSEC_MAX_REPLAY_WINDOW),
	[NIPSEC_A_SA_ESN] = { .type = NLA_FLAG, },
	[NIPSEC_A_SA_SEL] = NLA_POLICY_NESTED(nipsec_selector_nl_policy),
	[NIPSEC_A_SA_LIFETIME] = NLA_POLICY_NESTED(nipsec_lifetime_nl_policy),
	[NIPSEC_A_SA_ENCAP] = NLA_POLICY_NESTED(nipsec_encap_nl_policy),
	[NIPSEC_A_SA_SEQ] = { .type = NLA_U64, },
};

/* NIPSEC_CMD_SA_UPDATE - do */
static const struct nla_policy nipsec_sa_update_nl_policy[NIPSEC_A_SA_SEQ + 1] = {
	[NIPSEC_A_SA_SPI] = { .type = NLA_U32, },
	[NIPSEC_A_SA_PROTO] = NLA_POLICY_RANGE(NLA_U8, 50, 51),
	[NIPSEC_A_SA_MODE] = NLA_POLICY_MAX(NLA_U8, 1),
	[NIPSEC_A_SA_SRC_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SA_SRC_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_SA_DST_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SA_DST_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_SA_REQID] = { .type = NLA_U32, },
	[NIPSEC_A_SA_AEAD_NAME] = { .type = NLA_NUL_STRING, .len = NIPSEC_ALG_NAME_LEN, },
	[NIPSEC_A_SA_AEAD_KEY] = { .type = NLA_BINARY, },
	[NIPSEC_A_SA_ICV_BITS] = { .type = NLA_U32, },
	[NIPSEC_A_SA_ENC_NAME] = { .type = NLA_NUL_STRING, .len = NIPSEC_ALG_NAME_LEN, },
	[NIPSEC_A_SA_ENC_KEY] = { .type = NLA_BINARY, },
	[NIPSEC_A_SA_AUTH_NAME] = { .type = NLA_NUL_STRING, .len = NIPSEC_ALG_NAME_LEN, },
	[NIPSEC_A_SA_AUTH_KEY] = { .type = NLA_BINARY, },
	[NIPSEC_A_SA_AUTH_TRUNC_BITS] = { .type = NLA_U32, },
	[NIPSEC_A_SA_REPLAY_WINDOW] = NLA_POLICY_MAX(NLA_U32, NIPSEC_MAX_REPLAY_WINDOW),
	[NIPSEC_A_SA_ESN] = { .type = NLA_FLAG, },
	[NIPSEC_A_SA_SEL] = NLA_POLICY_NESTED(nipsec_selector_nl_policy),
	[NIPSEC_A_SA_LIFETIME] = NLA_POLICY_NESTED(nipsec_lifetime_nl_policy),
	[NIPSEC_A_SA_ENCAP] = NLA_POLICY_NESTED(nipsec_encap_nl_policy),
	[NIPSEC_A_SA_SEQ] = { .type = NLA_U64, },
};

/* NIPSEC_CMD_SA_DEL - do */
static const struct nla_policy nipsec_sa_del_nl_policy[NIPSEC_A_SA_DST_V6 + 1] = {
	[NIPSEC_A_SA_SPI] = { .type = NLA_U32, },
	[NIPSEC_A_SA_PROTO] = NLA_POLICY_RANGE(NLA_U8, 50, 51),
	[NIPSEC_A_SA_DST_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SA_DST_V6] = NLA_POLICY_EXACT_LEN(16),
};

/* NIPSEC_CMD_SA_GET - do */
static const struct nla_policy nipsec_sa_get_do_nl_policy[NIPSEC_A_SA_DST_V6 + 1] = {
	[NIPSEC_A_SA_SPI] = { .type = NLA_U32, },
	[NIPSEC_A_SA_PROTO] = NLA_POLICY_RANGE(NLA_U8, 50, 51),
	[NIPSEC_A_SA_DST_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SA_DST_V6] = NLA_POLICY_EXACT_LEN(16),
};

/* NIPSEC_CMD_SA_GET - dump */
static const struct nla_policy nipsec_sa_get_dump_nl_policy[NIPSEC_A_SA_REQID + 1] = {
	[NIPSEC_A_SA_SPI] = { .type = NLA_U32, },
	[NIPSEC_A_SA_PROTO] = NLA_POLICY_RANGE(NLA_U8, 50, 51),
	[NIPSEC_A_SA_SRC_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SA_SRC_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_SA_DST_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SA_DST_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_SA_REQID] = { .type = NLA_U32, },
};

/* NIPSEC_CMD_SA_FLUSH - do */
static const struct nla_policy nipsec_sa_flush_nl_policy[NIPSEC_A_SA_PROTO + 1] = {
	[NIPSEC_A_SA_PROTO] = NLA_POLICY_RANGE(NLA_U8, 50, 51),
};

/* NIPSEC_CMD_SPI_ALLOC - do */
static const struct nla_policy nipsec_spi_alloc_nl_policy[NIPSEC_A_SA_LARVAL_TIMEOUT + 1] = {
	[NIPSEC_A_SA_PROTO] = NLA_POLICY_RANGE(NLA_U8, 50, 51),
	[NIPSEC_A_SA_SRC_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SA_SRC_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_SA_DST_V4] = { .type = NLA_U32, },
	[NIPSEC_A_SA_DST_V6] = NLA_POLICY_EXACT_LEN(16),
	[NIPSEC_A_SA_REQID] = { .type = NLA_U32, },
	[NIPSEC_A_SA_SPI_MIN] = { .type = NLA_U32, },
	[NIPSEC_A_SA_SPI_MAX] = { .type = NLA_U32, },
	[NIPSEC_A_SA_LARVAL_TIMEOUT] = { .type = NLA_U32, },
};

/* NIPSEC_CMD_POLICY_NEW - do */
static const struct nla_policy nipsec_policy_new_nl_policy[NIPSEC_A_POLICY_TMPL + 1] = {
	[NIPSEC_A_POLICY_DIR] = NLA_POLICY_MAX(NLA_U8, 2),
	[NIPSEC_A_POLICY_PRIORITY] = { .type = NLA_U32, },
	[NIPSEC_A_POLICY_ACTION] = NLA_POLICY_MAX(NLA_U8, 2),
	[NIPSEC_A_POLICY_SEL] = NLA_POLICY_NESTED(nipsec_selector_nl_policy),
	[NIPSEC_A_POLICY_TMPL] = NLA_POLICY_NESTED(nipsec_tmpl_nl_policy),
};

/* NIPSEC_CMD_POLICY_DEL - do */
static const struct nla_policy nipsec_policy_del_nl_policy[NIPSEC_A_POLICY_SEL + 1] = {
	[NIPSEC_A_POLICY_ID] = { .type = NLA_U32, },
	[NIPSEC_A_POLICY_DIR] = NLA_POLICY_MAX(NLA_U8, 2),
	[NIPSEC_A_POLICY_SEL] = NLA_POLICY_NESTED(nipsec_selector_nl_policy),
};

/* NIPSEC_CMD_POLICY_GET - do */
static const struct nla_policy nipsec_policy_get_do_nl_policy[NIPSEC_A_POLICY_SEL + 1] = {
	[NIPSEC_A_POLICY_ID] = { .type = NLA_U32, },
	[NIPSEC_A_POLICY_DIR] = NLA_POLICY_MAX(NLA_U8, 2),
	[NIPSEC_A_POLICY_SEL] = NLA_POLICY_NESTED(nipsec_selector_nl_policy),
};

/* NIPSEC_CMD_POLICY_GET - dump */
static const struct nla_policy nipsec_policy_get_dump_nl_policy[NIPSEC_A_POLICY_DIR + 1] = {
	[NIPSEC_A_POLICY_DIR] = NLA_POLICY_MAX(NLA_U8, 2),
};

/* NIPSEC_CMD_POLICY_FLUSH - do */
static const struct nla_policy nipsec_policy_flush_nl_policy[NIPSEC_A_POLICY_DIR + 1] = {
	[NIPSEC_A_POLICY_DIR] = NLA_POLICY_MAX(NLA_U8, 2),
};

/* NIPSEC_CMD_STATS_GET - do */
static const struct nla_policy nipsec_stats_get_nl_policy[NIPSEC_A_STATS_REQ_SA + 1] = {
	[NIPSEC_A_STATS_REQ_SA] = NLA_POLICY_NESTED(nipsec_sa_ref_nl_policy),
};

/* Ops table for nipsec */
static const struct genl_split_ops nipsec_nl_ops[] = {
	{
		.cmd		= NIPSEC_CMD_SA_NEW,
		.pre_doit	= nipsec_nl_pre_doit,
		.doit		= nipsec_nl_sa_new_doit,
		.post_doit	= nipsec_nl_post_doit,
		.policy		= nipsec_sa_new_nl_policy,
		.maxattr	= NIPSEC_A_SA_SEQ,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= NIPSEC_CMD_SA_UPDATE,
		.pre_doit	= nipsec_nl_pre_doit,
		.doit		= nipsec_nl_sa_update_doit,
		.post_doit	= nipsec_nl_post_doit,
		.policy		= nipsec_sa_update_nl_policy,
		.maxattr	= NIPSEC_A_SA_SEQ,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= NIPSEC_CMD_SA_DEL,
		.pre_doit	= nipsec_nl_pre_doit,
		.doit		= nipsec_nl_sa_del_doit,
		.post_doit	= nipsec_nl_post_doit,
		.policy		= nipsec_sa_del_nl_policy,
		.maxattr	= NIPSEC_A_SA_DST_V6,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= NIPSEC_CMD_SA_GET,
		.pre_doit	= nipsec_nl_pre_doit,
		.doit		= nipsec_nl_sa_get_doit,
		.post_doit	= nipsec_nl_post_doit,
		.policy		= nipsec_sa_get_do_nl_policy,
		.maxattr	= NIPSEC_A_SA_DST_V6,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= NIPSEC_CMD_SA_GET,
		.dumpit		= nipsec_nl_sa_get_dumpit,
		.policy		= nipsec_sa_get_dump_nl_policy,
		.maxattr	= NIPSEC_A_SA_REQID,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= NIPSEC_CMD_SA_FLUSH,
		.pre_doit	= nipsec_nl_pre_doit,
		.doit		= nipsec_nl_sa_flush_doit,
		.post_doit	= nipsec_nl_post_doit,
		.policy		= nipsec_sa_flush_nl_policy,
		.maxattr	= NIPSEC_A_SA_PROTO,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= NIPSEC_CMD_SPI_ALLOC,
		.pre_doit	= nipsec_nl_pre_doit,
		.doit		= nipsec_nl_spi_alloc_doit,
		.post_doit	= nipsec_nl_post_doit,
		.policy		= nipsec_spi_alloc_nl_policy,
		.maxattr	= NIPSEC_A_SA_LARVAL_TIMEOUT,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= NIPSEC_CMD_POLICY_NEW,
		.pre_doit	= nipsec_nl_pre_doit,
		.doit		= nipsec_nl_policy_new_doit,
		.post_doit	= nipsec_nl_post_doit,
		.policy		= nipsec_policy_new_nl_policy,
		.maxattr	= NIPSEC_A_POLICY_TMPL,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= NIPSEC_CMD_POLICY_DEL,
		.pre_doit	= nipsec_nl_pre_doit,
		.doit		= nipsec_nl_policy_del_doit,
		.post_doit	= nipsec_nl_post_doit,
		.policy		= nipsec_policy_del_nl_policy,
		.maxattr	= NIPSEC_A_POLICY_SEL,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= NIPSEC_CMD_POLICY_GET,
		.pre_doit	= nipsec_nl_pre_doit,
		.doit		= nipsec_nl_policy_get_doit,
		.post_doit	= nipsec_nl_post_doit,
		.policy		= nipsec_policy_get_do_nl_policy,
		.maxattr	= NIPSEC_A_POLICY_SEL,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= NIPSEC_CMD_POLICY_GET,
		.dumpit		= nipsec_nl_policy_get_dumpit,
		.policy		= nipsec_policy_get_dump_nl_policy,
		.maxattr	= NIPSEC_A_POLICY_DIR,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= NIPSEC_CMD_POLICY_FLUSH,
		.pre_doit	= nipsec_nl_pre_doit,
		.doit		= nipsec_nl_policy_flush_doit,
		.post_doit	= nipsec_nl_post_doit,
		.policy		= nipsec_policy_flush_nl_policy,
		.maxattr	= NIPSEC_A_POLICY_DIR,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= NIPSEC_CMD_STATS_GET,
		.pre_doit	= nipsec_nl_pre_doit,
		.doit		= nipsec_nl_stats_get_doit,
		.post_doit	= nipsec_nl_post_doit,
		.policy		= nipsec_stats_get_nl_policy,
		.maxattr	= NIPSEC_A_STATS_REQ_SA,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group nipsec_nl_mcgrps[] = {
	[NIPSEC_NLGRP_EVENTS] = { .name = "events", .flags = GENL_MCAST_CAP_NET_ADMIN, },
	[NIPSEC_NLGRP_DROPS] = { .name = "drops", .flags = GENL_MCAST_CAP_NET_ADMIN, },
};

struct genl_family nipsec_nl_family __ro_after_init = {
	.name		= NIPSEC_FAMILY_NAME,
	.version	= NIPSEC_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= nipsec_nl_ops,
	.n_split_ops	= ARRAY_SIZE(nipsec_nl_ops),
	.mcgrps		= nipsec_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(nipsec_nl_mcgrps),
};
