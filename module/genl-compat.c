// SPDX-License-Identifier: GPL-2.0
/*
 * Kernels before 6.2 have no split (do/dump) generic-netlink ops, which is
 * what ynl-gen emits. Compile the generated table under other names and
 * fold it into classic genl_ops at load time, so the spec stays the only
 * source of the policies and ops on every kernel. Built instead of
 * netlink-gen.o on those kernels (see Kbuild).
 */
#include <net/genetlink.h>

#include "compat.h"

struct nipsec_split_op {
	int (*doit)(struct sk_buff *skb, struct genl_info *info);
	int (*dumpit)(struct sk_buff *skb, struct netlink_callback *cb);
	const struct nla_policy *policy;
	unsigned int maxattr;
	u8 cmd;
	u8 flags;
};

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

#define genl_split_ops nipsec_split_op
#define genl_family nipsec_gen_family
#define nipsec_nl_family nipsec_nl_gen_family
#include "netlink-gen.c"
#undef nipsec_nl_family
#undef genl_family
#undef genl_split_ops

static struct genl_ops nipsec_compat_ops[ARRAY_SIZE(nipsec_nl_ops)];

struct genl_family nipsec_nl_family = {
	.name = NIPSEC_FAMILY_NAME,
	.version = NIPSEC_FAMILY_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = nipsec_compat_ops,
	.mcgrps = nipsec_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(nipsec_nl_mcgrps),
	.resv_start_op = NIPSEC_CMD_SA_NEW,	/* strict validation for all */
};

/* One genl_ops per command: do and dump share the wider of their policies. */
void nipsec_genl_compat_prepare(void)
{
	unsigned int i, j, n = 0;

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
		if (!o->policy || s->maxattr > o->maxattr) {
			o->policy = s->policy;
			o->maxattr = s->maxattr;
		}
	}
	nipsec_nl_family.n_ops = n;
}
