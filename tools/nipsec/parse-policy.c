// SPDX-License-Identifier: GPL-2.0
/*
 * The nipsec tool's policy words (policy add|del|get|list|flush), as
 * ip-xfrm(8) has them for "ip xfrm policy".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nipsec.h"
#include "parse.h"

/* ---- policies ---- */

static int pol_dir(struct ps *p, const char *kw)
{
	int v;

	p->has_dir = true;
	if (ps_get_name(p, kw, dirs, &v))
		return -1;
	p->cmd->pol.dir = (uint8_t)v;
	p->cmd->dir = v;
	return 0;
}

static int pol_priority(struct ps *p, const char *kw)
{
	return ps_get_u32(p, kw, &p->cmd->pol.priority, 0, UINT32_MAX);
}

/* ip xfrm's allow/block, or the spec's own names */
static int pol_action(struct ps *p, const char *kw)
{
	static const struct name_val words[] = {
		{ "allow", NIPSEC_ACTION_BYPASS },
		{ "block", NIPSEC_ACTION_DISCARD },
		{ "protect", NIPSEC_ACTION_PROTECT },
		{ "bypass", NIPSEC_ACTION_BYPASS },
		{ "discard", NIPSEC_ACTION_DISCARD },
		{ NULL, 0 }
	};
	int v;

	p->action_word = ps_peek(p);
	if (ps_get_name(p, kw, words, &v))
		return -1;
	p->has_action_word = true;
	p->cmd->pol.action = (uint8_t)v;
	return 0;
}

static int pol_id(struct ps *p, const char *kw)
{
	p->cmd->by_id = true;
	return ps_get_u32(p, kw, &p->cmd->policy_id, 0, UINT32_MAX);
}

static int tmpl_src(struct ps *p, const char *kw)
{
	return ps_get_addr(p, kw, &p->cmd->pol.tmpl.src);
}

static int tmpl_dst(struct ps *p, const char *kw)
{
	return ps_get_addr(p, kw, &p->cmd->pol.tmpl.dst);
}

static int tmpl_proto(struct ps *p, const char *kw)
{
	return ps_get_xfrm_proto(p, kw, &p->cmd->pol.tmpl.proto);
}

static int tmpl_spi(struct ps *p, const char *kw)
{
	return ps_get_u32(p, kw, &p->cmd->pol.tmpl.spi, 0, UINT32_MAX);
}

static int tmpl_mode(struct ps *p, const char *kw)
{
	return ps_get_mode(p, kw, &p->cmd->pol.tmpl.mode);
}

static int tmpl_reqid(struct ps *p, const char *kw)
{
	return ps_get_u32(p, kw, &p->cmd->pol.tmpl.reqid, 0, UINT32_MAX);
}

/* ip xfrm's "level required" is what nipsec does; "use" it cannot */
static int tmpl_level(struct ps *p, const char *kw)
{
	const char *v;

	if (ps_arg(p, kw, &v))
		return -1;
	if (!strcmp(v, "required"))
		return 0;
	if (!strcmp(v, "use"))
		return ps_fail(p, "\"level use\" (optional templates) is not supported by nipsec");
	return ps_fail(p, "\"level %s\": must be required", v);
}

static const struct kw tmpl_kws[] = {
	KW("src", tmpl_src, ~0u),
	KW("dst", tmpl_dst, ~0u),
	KW("proto", tmpl_proto, ~0u),
	KW("spi", tmpl_spi, ~0u),
	KW("mode", tmpl_mode, ~0u),
	KW("reqid", tmpl_reqid, ~0u),
	KW("level", tmpl_level, ~0u),
};

static int pol_tmpl(struct ps *p, const char *kw)
{
	struct nipsec_tmpl *t = &p->cmd->pol.tmpl;

	if (p->cmd->pol.has_tmpl)
		return ps_fail(p, "a second \"tmpl\" is not supported by nipsec: one transform per policy (no SA bundles)");
	p->cmd->pol.has_tmpl = true;
	if (ps_run_table(p, tmpl_kws, ARRAY_SIZE(tmpl_kws), p->cmd->op, true))
		return -1;
	if (!t->proto)
		return ps_fail(p, "\"%s\" needs \"proto esp|ah\"", kw);
	if (t->src.family && t->dst.family && t->src.family != t->dst.family)
		return ps_fail(p, "tmpl: src and dst address families differ");
	if (t->mode == NIPSEC_MODE_TUNNEL && (!t->src.family || !t->dst.family))
		return ps_fail(p, "tmpl: tunnel mode needs src and dst");
	return 0;
}

/* ip xfrm lines often say "ptype main", which is all nipsec has */
static int pol_ptype(struct ps *p, const char *kw)
{
	const char *v;

	if (ps_arg(p, kw, &v))
		return -1;
	if (strcmp(v, "main"))
		return ps_fail(p, "\"ptype %s\" is not supported by nipsec (only main)", v);
	return 0;
}

/* policy words of ip xfrm with no meaning in nipsec, refused with why */
static int pol_refused(struct ps *p, const char *kw)
{
	const char *v = ps_peek(p);

	if (!strcmp(kw, "flag"))
		return ps_fail(p, "policy \"flag %s\" is not supported by nipsec%s", v ? v : "",
			    v && !strcmp(v, "icmp") ?
			    ": ICMP errors are matched by the flow they quote, always" : "");
	if (!strcmp(kw, "limit"))
		return ps_fail(p, "policy \"limit\" is not supported by nipsec: policies have no lifetimes (SAs do)");
	if (!strcmp(kw, "index"))
		return ps_fail(p, "\"index\" on policy add is not supported by nipsec: the kernel assigns ids (get and del take them)");
	return ps_fail(p, "\"policy list %s\" is not supported by nipsec: it filters by dir only",
		    kw);
}

#define POL_SEL (OPS(OP_POLICY_ADD) | OPS(OP_POLICY_DEL) | OPS(OP_POLICY_GET))

static const struct kw pol_kws[] = {
	KW("src", ps_sel_src, POL_SEL),
	KW("dst", ps_sel_dst, POL_SEL),
	KW("proto", ps_sel_proto, POL_SEL),
	KW("sport", ps_sel_sport, POL_SEL),
	KW("dport", ps_sel_dport, POL_SEL),
	KW("type", ps_sel_type, POL_SEL),
	KW("code", ps_sel_code, POL_SEL),
	KW("dir", pol_dir, POL_SEL | OPS(OP_POLICY_LIST) | OPS(OP_POLICY_FLUSH)),
	KW("priority", pol_priority, OPS(OP_POLICY_ADD)),
	KW("ptype", pol_ptype, POL_SEL | OPS(OP_POLICY_LIST) | OPS(OP_POLICY_FLUSH)),
	KW("action", pol_action, OPS(OP_POLICY_ADD)),
	/* repeatable so that pol_tmpl says why a second one is refused */
	{ .name = "tmpl", .fn = pol_tmpl, .ops = OPS(OP_POLICY_ADD), .repeat = true },
	KW("id", pol_id, OPS(OP_POLICY_DEL) | OPS(OP_POLICY_GET)),
	KW("index", pol_id, OPS(OP_POLICY_DEL) | OPS(OP_POLICY_GET)),
	KW("index", pol_refused, OPS(OP_POLICY_ADD)),
	KW("flag", pol_refused, OPS(OP_POLICY_ADD)),
	KW("limit", pol_refused, OPS(OP_POLICY_ADD)),
	KW("action", pol_refused, OPS(OP_POLICY_LIST)),
	KW("priority", pol_refused, OPS(OP_POLICY_LIST)),
	KW("nosock", ps_no_op_word, OPS(OP_POLICY_LIST) | OPS(OP_POLICY_FLUSH)),
};

static int pol_finish(struct ps *p)
{
	struct cmd *cmd = p->cmd;
	struct nipsec_policy_cfg *c = &cmd->pol;
	bool sel_given = c->sel.src.family || c->sel.dst.family || c->sel.proto;

	if (cmd->op == OP_POLICY_LIST || cmd->op == OP_POLICY_FLUSH)
		return 0;
	if (ps_sel_check(p, &c->sel, "selector"))
		return -1;
	if (cmd->op != OP_POLICY_ADD && cmd->by_id) {
		/* ip xfrm says "index N dir D": the kernel checks that dir */
		if (sel_given)
			return ps_fail(p, "\"id\" identifies the policy alone: drop the selector");
		cmd->id_dir = p->has_dir;
		return 0;
	}
	if (!p->has_dir)
		return ps_fail(p, "\"%s\" needs \"dir in|out|fwd\"%s", p->what,
			    cmd->op == OP_POLICY_ADD ? "" : " or \"id N\"");
	if (cmd->op != OP_POLICY_ADD)
		return 0;
	if (!p->has_action_word)
		c->action = c->has_tmpl ? NIPSEC_ACTION_PROTECT : NIPSEC_ACTION_BYPASS;
	else if (c->has_tmpl && !strcmp(p->action_word, "allow"))
		c->action = NIPSEC_ACTION_PROTECT;	/* ip xfrm: allow + tmpl */
	if (c->action == NIPSEC_ACTION_PROTECT && !c->has_tmpl)
		return ps_fail(p, "action protect needs a \"tmpl\"");
	if (c->action != NIPSEC_ACTION_PROTECT && c->has_tmpl)
		return ps_fail(p, "a \"tmpl\" needs action protect (or allow)");
	return 0;
}

/* After "policy <verb>": every word, then what they make */
int ps_policy_words(struct ps *p)
{
	if (ps_run_table(p, pol_kws, ARRAY_SIZE(pol_kws), p->cmd->op, false))
		return -1;
	return pol_finish(p);
}
