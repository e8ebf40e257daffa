/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few differences between the kernels nipsec supports (6.1 .. 6.12),
 * kept here instead of #ifdefs through the code.
 */
#ifndef _NIPSEC_COMPAT_H
#define _NIPSEC_COMPAT_H

#include <linux/version.h>
#include <linux/random.h>
#include <linux/netlink.h>
#include <net/genetlink.h>

/*
 * KUnit's static stubs (6.3 on): KUnit redirects the send and receive
 * tails to see what the transforms produce.  Nothing without CONFIG_KUNIT.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#include <kunit/static_stub.h>
#else
#define KUNIT_STATIC_STUB_REDIRECT(fn, args...) ((void)(fn))
#endif

/* The request attributes of a dump (the dump's own policy parsed them). */
static inline struct nlattr **nipsec_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
/* 6.1: no formatted extack messages; keep the fixed text */
#ifndef NL_SET_ERR_MSG_FMT
#define NL_SET_ERR_MSG_FMT(extack, fmt, args...) NL_SET_ERR_MSG(extack, fmt)
#endif
extern struct genl_family nipsec_nl_family;

/*
 * 6.1 has no split ops: the generated table and the pre/post hooks use
 * this stand-in (folded into classic ops and the family's pre_doit and
 * post_doit by genl-compat.c).
 */
#define genl_split_ops nipsec_split_op
struct nipsec_split_op {
	int (*pre_doit)(const struct nipsec_split_op *ops, struct sk_buff *skb,
			struct genl_info *info);
	int (*doit)(struct sk_buff *skb, struct genl_info *info);
	void (*post_doit)(const struct nipsec_split_op *ops,
			  struct sk_buff *skb, struct genl_info *info);
	int (*dumpit)(struct sk_buff *skb, struct netlink_callback *cb);
	const struct nla_policy *policy;
	unsigned int maxattr;
	u8 cmd;
	u8 flags;
};

static inline void *genlmsg_iput(struct sk_buff *skb,
				 const struct genl_info *info)
{
	return genlmsg_put(skb, info->snd_portid, info->snd_seq,
			   &nipsec_nl_family, 0, info->genlhdr->cmd);
}

/* genl-compat.c: split ops folded into classic ops */
int nipsec_genl_compat_prepare(void);
void nipsec_genl_compat_free(void);
#else
static inline int nipsec_genl_compat_prepare(void)
{
	return 0;
}

static inline void nipsec_genl_compat_free(void)
{
}
#endif

/*
 * Crypto completion callbacks receive the request's data pointer since
 * 6.3, the request itself before.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define NIPSEC_CRYPTO_DONE_ARG void *
static inline void *nipsec_crypto_done_data(void *data)
{
	return data;
}
#else
#include <linux/crypto.h>
#define NIPSEC_CRYPTO_DONE_ARG struct crypto_async_request *
static inline void *nipsec_crypto_done_data(struct crypto_async_request *req)
{
	return req->data;
}
#endif

/* skb_gso_segment() moved from netdevice.h to its own header in 6.4 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#include <net/gso.h>
#else
#include <linux/netdevice.h>
#endif

#endif /* _NIPSEC_COMPAT_H */
