// SPDX-License-Identifier: GPL-2.0
/*
 * Kernels before 6.2 have no split (do/dump) generic-netlink ops, which is
 * what ynl-gen emits. Compile the generated table under other names and
 * fold it into classic genl_ops at load time, so the spec stays the only
 * source of the policies and ops on every kernel. Built instead of
 * netlink-gen.o on those kernels (see Kbuild).
 */
#include <linux/slab.h>
#include <net/genetlink.h>

#include "compat.h"

struct nipsec_gen_family {
	const char *name;
	unsigned int version;
	bool netnsok;
	bool parallel_ops;
	struct module *module;
	const struct nipsec_split_op *split_ops;
	unsigned int n_split_ops;
	const struct genl_multicast_group *mcgrps;
	unsigned int n_mcgrps;
};

#define genl_family nipsec_gen_family
#define nipsec_nl_family nipsec_nl_gen_family
#include "netlink-gen.c"
#undef nipsec_nl_family
#undef genl_family

static struct genl_ops nipsec_compat_ops[ARRAY_SIZE(nipsec_nl_ops)];

/* The split do op of a command: its pre_doit/post_doit, if any. */
static const struct nipsec_split_op *nipsec_compat_do(u8 cmd)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nipsec_nl_ops); i++)
		if (nipsec_nl_ops[i].cmd == cmd && nipsec_nl_ops[i].doit)
			return &nipsec_nl_ops[i];
	return NULL;
}

/* 6.1 has hooks per family only: run the op's own from the spec */
static int nipsec_compat_pre_doit(const struct genl_ops *ops,
				  struct sk_buff *skb, struct genl_info *info)
{
	const struct nipsec_split_op *s = nipsec_compat_do(ops->cmd);

	return s && s->pre_doit ? s->pre_doit(s, skb, info) : 0;
}

static void nipsec_compat_post_doit(const struct genl_ops *ops,
				    struct sk_buff *skb, struct genl_info *info)
{
	const struct nipsec_split_op *s = nipsec_compat_do(ops->cmd);

	if (s && s->post_doit)
		s->post_doit(s, skb, info);
}

struct genl_family nipsec_nl_family = {
	.name = NIPSEC_FAMILY_NAME,
	.version = NIPSEC_FAMILY_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = nipsec_compat_ops,
	.pre_doit = nipsec_compat_pre_doit,
	.post_doit = nipsec_compat_post_doit,
	.mcgrps = nipsec_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(nipsec_nl_mcgrps),
	.resv_start_op = NIPSEC_CMD_SA_NEW,	/* strict validation for all */
};

/*
 * Merged policies of the commands whose do and dump have different ones.
 * Both come from the command's attribute set, so an attribute either has
 * the same entry in both or is in one only: the union accepts what each
 * accepts (a do also takes the dump's filter attributes and ignores them).
 */
static struct nla_policy *nipsec_compat_policies[ARRAY_SIZE(nipsec_nl_ops)];

static const struct nla_policy *
nipsec_compat_merge(struct genl_ops *o, const struct nipsec_split_op *s,
		    struct nla_policy **slot)
{
	unsigned int max = max(o->maxattr, s->maxattr), i;
	struct nla_policy *p;

	p = kcalloc(max + 1, sizeof(*p), GFP_KERNEL);
	if (!p)
		return NULL;
	/* memcpy: struct nla_policy has const members */
	for (i = 0; i <= max; i++) {
		if (i <= s->maxattr && s->policy[i].type != NLA_UNSPEC)
			memcpy(&p[i], &s->policy[i], sizeof(*p));
		else if (i <= o->maxattr)
			memcpy(&p[i], &o->policy[i], sizeof(*p));
	}
	*slot = p;
	o->maxattr = max;
	return p;
}

void nipsec_genl_compat_free(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nipsec_compat_policies); i++) {
		kfree(nipsec_compat_policies[i]);
		nipsec_compat_policies[i] = NULL;
	}
}

/* One genl_ops per command: do and dump share the union of their policies. */
int nipsec_genl_compat_prepare(void)
{
	unsigned int i, j, n = 0;

	memset(nipsec_compat_ops, 0, sizeof(nipsec_compat_ops));
	for (i = 0; i < ARRAY_SIZE(nipsec_nl_ops); i++) {
		const struct nipsec_split_op *s = &nipsec_nl_ops[i];
		struct genl_ops *o = NULL;

		for (j = 0; j < n; j++)
			if (nipsec_compat_ops[j].cmd == s->cmd)
				o = &nipsec_compat_ops[j];
		if (!o) {
			o = &nipsec_compat_ops[n++];
			o->cmd = s->cmd;
		}
		if (s->doit)
			o->doit = s->doit;
		if (s->dumpit)
			o->dumpit = s->dumpit;
		o->flags |= s->flags & (GENL_ADMIN_PERM | GENL_UNS_ADMIN_PERM);
		if (!o->policy) {
			o->policy = s->policy;
			o->maxattr = s->maxattr;
		} else if (s->policy && s->policy != o->policy) {
			o->policy = nipsec_compat_merge(o, s,
							&nipsec_compat_policies[i]);
			if (!o->policy) {
				nipsec_genl_compat_free();
				return -ENOMEM;
			}
		}
	}
	nipsec_nl_family.n_ops = n;
	return 0;
}
