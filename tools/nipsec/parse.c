// SPDX-License-Identifier: GPL-2.0
/*
 * Command line parser of the nipsec tool: words in, library structs out.
 * It does no netlink and keeps no state, so every path is unit-tested on
 * the host (tools/tests/test_parse.c).
 *
 * The grammar follows ip-xfrm(8) so that `ip xfrm state add` lines work
 * after `nipsec sa add`: keywords in any order, each taking its values;
 * "sel", "tmpl" and "limit" open a group that takes the words of the group
 * until a word that is not one of them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nipsec.h"
#include "parse.h"

int ps_fail(struct ps *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, ERRLEN, fmt, ap);
	va_end(ap);
	return -1;
}

const char *ps_peek(struct ps *p)
{
	return p->i < p->argc ? p->argv[p->i] : NULL;
}

/* The value after keyword kw (already consumed), or an error. */
int ps_arg(struct ps *p, const char *kw, const char **val)
{
	*val = NULL;
	if (p->i >= p->argc)
		return ps_fail(p, "\"%s\" needs a value", kw);
	*val = p->argv[p->i++];
	return 0;
}

static int get_u64(struct ps *p, const char *kw, uint64_t *v, uint64_t min,
		   uint64_t max)
{
	const char *s;
	char *end;

	if (ps_arg(p, kw, &s))
		return -1;
	errno = 0;
	/* strtoull accepts "-1" as 2^64-1: refuse signs outright */
	if (*s == '-' || *s == '+' || !*s)
		goto bad;
	*v = strtoull(s, &end, 0);
	if (*end || errno == ERANGE)
		goto bad;
	if (*v < min || *v > max)
		return ps_fail(p, "\"%s %s\": must be between %llu and %llu", kw, s,
			    (unsigned long long)min, (unsigned long long)max);
	return 0;
bad:
	return ps_fail(p, "\"%s %s\": not a number", kw, s);
}

int ps_get_u32(struct ps *p, const char *kw, uint32_t *v, uint32_t min,
	       uint32_t max)
{
	uint64_t x = 0;

	if (get_u64(p, kw, &x, min, max))
		return -1;
	*v = (uint32_t)x;
	return 0;
}

int ps_get_u16(struct ps *p, const char *kw, uint16_t *v)
{
	uint32_t x = 0;

	if (ps_get_u32(p, kw, &x, 0, 65535))
		return -1;
	*v = (uint16_t)x;
	return 0;
}

static int get_u8(struct ps *p, const char *kw, uint8_t *v)
{
	uint32_t x = 0;

	if (ps_get_u32(p, kw, &x, 0, 255))
		return -1;
	*v = (uint8_t)x;
	return 0;
}

/* lifetimes: a number, or "inf" like ip xfrm prints them */
int ps_get_limit(struct ps *p, const char *kw, uint64_t *v)
{
	const char *s = ps_peek(p);

	if (s && (!strcmp(s, "inf") || !strcmp(s, "infinity"))) {
		p->i++;
		*v = 0;
		return 0;
	}
	return get_u64(p, kw, v, 0, UINT64_MAX);
}

static int addr_parse(const char *s, struct nipsec_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->u.v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->u.v6) == 1)
		a->family = AF_INET6;
	else
		return -1;
	return 0;
}

int ps_get_addr(struct ps *p, const char *kw, struct nipsec_addr *a)
{
	const char *s;

	if (ps_arg(p, kw, &s))
		return -1;
	if (addr_parse(s, a))
		return ps_fail(p, "\"%s %s\": not an IPv4 or IPv6 address", kw, s);
	return 0;
}

/* ADDR[/PLEN]; no /PLEN means a host (32 or 128) */
static int get_prefix(struct ps *p, const char *kw, struct nipsec_addr *a,
		      uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *s;
	char *slash, *end;
	unsigned long n, max;

	if (ps_arg(p, kw, &s))
		return -1;
	if (strlen(s) >= sizeof(buf))
		return ps_fail(p, "\"%s %s\": not an address prefix", kw, s);
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (addr_parse(buf, a))
		return ps_fail(p, "\"%s %s\": not an IPv4 or IPv6 address", kw, s);
	max = a->family == AF_INET ? 32 : 128;
	if (!slash) {
		*plen = (uint8_t)max;
		return 0;
	}
	errno = 0;
	n = strtoul(slash + 1, &end, 10);
	if (!slash[1] || *end || slash[1] == '-' || slash[1] == '+' || n > max)
		return ps_fail(p, "\"%s %s\": prefix length must be 0 to %lu", kw,
			    s, max);
	*plen = (uint8_t)n;
	return 0;
}

int ps_get_name(struct ps *p, const char *kw, const struct name_val *t,
		int *v)
{
	const char *s;
	char list[128] = "";
	size_t off = 0;

	if (ps_arg(p, kw, &s))
		return -1;
	*v = name_lookup(t, s);
	if (*v >= 0)
		return 0;
	for (; t->name && off < sizeof(list); t++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
					off ? ", " : "", t->name);
	return ps_fail(p, "\"%s %s\": must be one of %s", kw, s, list);
}

int ps_get_xfrm_proto(struct ps *p, const char *kw, uint8_t *proto)
{
	const char *s = ps_peek(p);
	int v;

	if (s && (!strcmp(s, "comp") || !strcmp(s, "route2") ||
		  !strcmp(s, "hao"))) {
		p->i++;
		return ps_fail(p, "\"proto %s\" is not supported by nipsec (%s)", s,
			    s[0] == 'c' ? "no IPComp" : "no Mobile IPv6");
	}
	if (ps_get_name(p, kw, xfrm_protos, &v))
		return -1;
	*proto = (uint8_t)v;
	return 0;
}

/* upper-layer protocol: a name or a number */
static int get_ul_proto(struct ps *p, const char *kw, uint8_t *proto)
{
	const char *s = ps_peek(p);
	int v = s ? name_lookup(ul_protos, s) : -1;

	if (v >= 0) {
		p->i++;
		*proto = (uint8_t)v;
		return 0;
	}
	if (s && (*s < '0' || *s > '9')) {
		p->i++;
		return ps_fail(p, "\"%s %s\": unknown protocol", kw, s);
	}
	return get_u8(p, kw, proto);
}

/*
 * Words of ip-xfrm(8) that nipsec has no counterpart for, each with why:
 * an operator's line fails on them with the reason, never silently.
 * nipsec.8 publishes the same list (its "ip xfrm words" table).
 */
static const struct {
	const char *word;
	const char *why;
} unsupported_words[] = {
	{ "mark", "SAs and policies are not matched by fwmark" },
	{ "output-mark", "SAs set no fwmark on their packets" },
	{ "if_id", "there are no XFRM interfaces (if_id)" },
	{ "ctx", "there are no LSM security contexts" },
	{ "sec-ctx", "there are no LSM security contexts" },
	{ "coa", "there are no Mobile IPv6 care-of addresses" },
	{ "offload", "no NIC offload; the crypto API uses crypto engines" },
	{ "tfcpad", "there is no TFC padding (RFC 4303 2.7)" },
	{ "extra-flag", "there are no extra flags (dont-encap-dscp, oseq-may-wrap)" },
	{ "replay-seq", "an inbound replay window starts empty, it is not set" },
	{ "replay-seq-hi", "an inbound replay window starts empty, it is not set" },
	{ "comp", "there is no IPComp" },
	{ "dev", "selectors match no interface" },
	{ "seq", "SAs carry no acquire sequence number" },
	{ "key", "selectors match no GRE key" },
	{ "all-nsid", "events come from the tool's own network namespace only" },
};

static bool unsupported(struct ps *p, const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(unsupported_words); i++)
		if (!strcmp(w, unsupported_words[i].word)) {
			ps_fail(p, "\"%s\" is not supported by nipsec: %s", w,
				unsupported_words[i].why);
			return true;
		}
	return false;
}

/* words that say what nipsec always does: no socket policies, no keys shown */
int ps_no_op_word(struct ps *p, const char *kw)
{
	(void)p;
	(void)kw;
	return 0;
}

/* mode and proto values of ip xfrm that nipsec has not */
int ps_get_mode(struct ps *p, const char *kw, uint8_t *mode)
{
	const char *s = ps_peek(p);
	int v;

	if (s && (!strcmp(s, "beet") || !strcmp(s, "ro") ||
		  !strcmp(s, "in_trigger"))) {
		p->i++;
		return ps_fail(p, "\"mode %s\" is not supported by nipsec (transport and tunnel only)",
			    s);
	}
	if (ps_get_name(p, kw, modes, &v))
		return -1;
	*mode = (uint8_t)v;
	return 0;
}

/*
 * Run a table over the words: every word must be a keyword of the table
 * valid for op, given at most once. stop_unknown: end at the first word
 * that is not one (groups), rather than failing.
 */
int ps_run_table(struct ps *p, const struct kw *t, size_t n,
		 unsigned int op, bool stop_unknown)
{
	uint64_t seen = 0;
	const char *w;

	while ((w = ps_peek(p))) {
		size_t k;

		for (k = 0; k < n; k++)
			if ((t[k].ops & OPS(op)) && !strcmp(t[k].name, w))
				break;
		if (k == n) {
			if (stop_unknown)
				return 0;
			if (unsupported(p, w))
				return -1;
			return ps_fail(p, "unknown word \"%s\" in \"%s\"", w, p->what);
		}
		if ((seen & (1ull << k)) && !t[k].repeat)
			return ps_fail(p, "\"%s\" given twice", w);
		seen |= 1ull << k;
		p->i++;
		if (t[k].fn(p, w))
			return -1;
	}
	return 0;
}

/* ---- selector (policy selector, "sel" of an SA) ---- */

/* the selector the current group writes to */
static struct nipsec_sel *cur_sel(struct ps *p)
{
	return p->cmd->op == OP_SA_ADD || p->cmd->op == OP_SA_UPDATE ?
	       &p->cmd->sa.sel : &p->cmd->pol.sel;
}

int ps_sel_src(struct ps *p, const char *kw)
{
	struct nipsec_sel *s = cur_sel(p);

	return get_prefix(p, kw, &s->src, &s->src_prefix);
}

int ps_sel_dst(struct ps *p, const char *kw)
{
	struct nipsec_sel *s = cur_sel(p);

	return get_prefix(p, kw, &s->dst, &s->dst_prefix);
}

int ps_sel_proto(struct ps *p, const char *kw)
{
	return get_ul_proto(p, kw, &cur_sel(p)->proto);
}

/* PORT or PORT-PORT (a range, which the spec allows) */
static int get_ports(struct ps *p, const char *kw, uint16_t *min, uint16_t *max)
{
	const char *s = ps_peek(p);
	const char *dash = s ? strchr(s, '-') : NULL;
	char lo[16];
	char *argv2[2];
	struct ps sub;

	if (!dash || dash == s || (size_t)(dash - s) >= sizeof(lo))
		return ps_get_u16(p, kw, min) ? -1 : (*max = *min, 0);
	/* parse both halves with the same number rules */
	snprintf(lo, sizeof(lo), "%.*s", (int)(dash - s), s);
	argv2[0] = lo;
	argv2[1] = (char *)dash + 1;
	sub = *p;
	sub.argc = 2;
	sub.argv = argv2;
	sub.i = 0;
	if (ps_get_u16(&sub, kw, min) || ps_get_u16(&sub, kw, max))
		return -1;
	p->i++;
	if (*min > *max)
		return ps_fail(p, "\"%s %s\": empty port range", kw, s);
	return 0;
}

int ps_sel_sport(struct ps *p, const char *kw)
{
	struct nipsec_sel *s = cur_sel(p);

	return get_ports(p, kw, &s->sport_min, &s->sport_max);
}

int ps_sel_dport(struct ps *p, const char *kw)
{
	struct nipsec_sel *s = cur_sel(p);

	return get_ports(p, kw, &s->dport_min, &s->dport_max);
}

int ps_sel_type(struct ps *p, const char *kw)
{
	struct nipsec_sel *s = cur_sel(p);

	s->has_icmp_type = true;
	return get_u8(p, kw, &s->icmp_type);
}

int ps_sel_code(struct ps *p, const char *kw)
{
	struct nipsec_sel *s = cur_sel(p);

	s->has_icmp_code = true;
	return get_u8(p, kw, &s->icmp_code);
}

static const struct kw sel_kws[] = {
	KW("src", ps_sel_src, ~0u),
	KW("dst", ps_sel_dst, ~0u),
	KW("proto", ps_sel_proto, ~0u),
	KW("sport", ps_sel_sport, ~0u),
	KW("dport", ps_sel_dport, ~0u),
	KW("type", ps_sel_type, ~0u),
	KW("code", ps_sel_code, ~0u),
};

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 33 || proto == 132 ||
	       proto == 136;
}

static bool is_icmp(uint8_t proto)
{
	return proto == 1 || proto == 58 || proto == 135;
}

/* Consistency of a finished selector; fills in its family. */
int ps_sel_check(struct ps *p, struct nipsec_sel *s, const char *name)
{
	if (s->src.family && s->dst.family && s->src.family != s->dst.family)
		return ps_fail(p, "%s: src and dst address families differ", name);
	s->family = s->src.family ? s->src.family : s->dst.family;
	if ((s->sport_min || s->sport_max || s->dport_min || s->dport_max) &&
	    !has_ports(s->proto))
		return ps_fail(p, "%s: \"sport\" and \"dport\" need proto tcp, udp, sctp, dccp or udplite",
			    name);
	if ((s->has_icmp_type || s->has_icmp_code) && !is_icmp(s->proto))
		return ps_fail(p, "%s: \"type\" and \"code\" need proto icmp or ipv6-icmp",
			    name);
	return 0;
}

/* The words of a "sel" group, up to the first word that is not one. */
int ps_sel_words(struct ps *p)
{
	return ps_run_table(p, sel_kws, ARRAY_SIZE(sel_kws), p->cmd->op, true);
}

/* ---- stats ---- */

static int st_spi(struct ps *p, const char *kw)
{
	p->has_spi = true;
	return ps_get_u32(p, kw, &p->cmd->id.spi, 1, UINT32_MAX);
}

static int st_dst(struct ps *p, const char *kw)
{
	return ps_get_addr(p, kw, &p->cmd->id.dst);
}

static int st_proto(struct ps *p, const char *kw)
{
	return ps_get_xfrm_proto(p, kw, &p->cmd->id.proto);
}

static const struct kw stats_kws[] = {
	KW("sa", st_spi, OPS(OP_STATS)),
	KW("spi", st_spi, OPS(OP_STATS)),
	KW("dst", st_dst, OPS(OP_STATS)),
	KW("proto", st_proto, OPS(OP_STATS)),
};

static int stats_finish(struct ps *p)
{
	struct nipsec_sa_id *id = &p->cmd->id;

	p->cmd->has_id = p->has_spi || id->dst.family || id->proto;
	if (!p->cmd->has_id)
		return 0;
	if (!p->has_spi || !id->dst.family || !id->proto)
		return ps_fail(p, "stats of one SA need \"sa SPI dst ADDR proto esp|ah\"");
	return 0;
}

/* ---- monitor ---- */

/* ip xfrm monitor [ all-nsid ] [ nokeys ] [ all | LISTofXFRM-OBJECTS ] */
static int monitor_words(struct ps *p)
{
	static const struct {
		const char *word;
		unsigned int events;
	} objs[] = {
		{ "all", NIPSEC_EVENTS_XFRM },
		{ "acquire", 1u << NIPSEC_EVENT_ACQUIRE },
		{ "expire", 1u << NIPSEC_EVENT_EXPIRE },
		{ "SA", 1u << NIPSEC_EVENT_SA_DEL },
		{ "sa", 1u << NIPSEC_EVENT_SA_DEL },
		{ "policy", 1u << NIPSEC_EVENT_POLICY_DEL },
		{ "mapping", 1u << NIPSEC_EVENT_MAPPING },
		/* nipsec's own: dropped packets (the drops group) */
		{ "drops", NIPSEC_EVENTS_DROPS },
	};
	const char *w;

	while ((w = ps_peek(p))) {
		size_t k;

		p->i++;
		if (!strcmp(w, "nokeys"))
			continue;	/* events never carry keys */
		for (k = 0; k < ARRAY_SIZE(objs); k++)
			if (!strcmp(w, objs[k].word))
				break;
		if (k < ARRAY_SIZE(objs)) {
			p->cmd->events |= objs[k].events;
			continue;
		}
		p->i--;
		if (!strcmp(w, "aevent") || !strcmp(w, "report"))
			return ps_fail(p, "\"monitor %s\" is not supported by nipsec: there are no %s events",
				    w, w[0] == 'a' ? "replay (aevent)" : "report");
		if (unsupported(p, w))
			return -1;
		return ps_fail(p, "unknown word \"%s\" in \"monitor\"", w);
	}
	return 0;
}

/* ---- objects and commands ---- */

struct verb {
	const char *object;
	const char *verb;		/* NULL: the object alone */
	enum nipsec_op op;
};

static const struct verb verbs[] = {
	{ "sa", "add", OP_SA_ADD },
	{ "sa", "update", OP_SA_UPDATE },
	{ "sa", "del", OP_SA_DEL },
	{ "sa", "delete", OP_SA_DEL },
	{ "sa", "get", OP_SA_GET },
	{ "sa", "list", OP_SA_LIST },
	{ "sa", "show", OP_SA_LIST },
	{ "sa", "ls", OP_SA_LIST },
	{ "sa", "flush", OP_SA_FLUSH },
	{ "sa", "deleteall", OP_SA_FLUSH },
	{ "sa", "allocspi", OP_SPI_ALLOC },
	{ "sa", "count", OP_SA_COUNT },
	{ "spi", "alloc", OP_SPI_ALLOC },
	{ "policy", "add", OP_POLICY_ADD },
	{ "policy", "del", OP_POLICY_DEL },
	{ "policy", "delete", OP_POLICY_DEL },
	{ "policy", "get", OP_POLICY_GET },
	{ "policy", "list", OP_POLICY_LIST },
	{ "policy", "show", OP_POLICY_LIST },
	{ "policy", "ls", OP_POLICY_LIST },
	{ "policy", "flush", OP_POLICY_FLUSH },
	{ "policy", "deleteall", OP_POLICY_FLUSH },
	{ "policy", "count", OP_POLICY_COUNT },
	{ "stats", NULL, OP_STATS },
	{ "monitor", NULL, OP_MONITOR },
	{ "help", NULL, OP_HELP },
};

static const struct name_val object_aliases[] = {
	{ "state", 0 },			/* ip xfrm's word for an SA */
	{ "pol", 1 },
	{ NULL, 0 }
};

static const char *canon_object(const char *w)
{
	switch (name_lookup(object_aliases, w)) {
	case 0:
		return "sa";
	case 1:
		return "policy";
	}
	return w;
}

static bool known_object(const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(verbs[i].object, w))
			return true;
	return false;
}

static int find_verb(struct ps *p, const char *obj, const char *verb,
		     enum nipsec_op *op, bool *takes_verb)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		if (strcmp(verbs[i].object, obj))
			continue;
		*takes_verb = verbs[i].verb != NULL;
		if (!verbs[i].verb || (verb && !strcmp(verbs[i].verb, verb))) {
			*op = verbs[i].op;
			return 0;
		}
	}
	if (!verb)
		return ps_fail(p, "\"%s\" needs a command (try \"nipsec help\")", obj);
	if (!strcmp(obj, "policy") && !strcmp(verb, "update"))
		return ps_fail(p, "\"policy update\" is not supported by nipsec: there is no atomic replace (policy del, then policy add)");
	if (!strcmp(obj, "policy") && !strcmp(verb, "set"))
		return ps_fail(p, "\"policy set\" is not supported by nipsec: its policy lookup has no hash thresholds to set");
	return ps_fail(p, "unknown command \"%s %s\" (try \"nipsec help %s\")", obj,
		    verb, obj);
}

/*
 * Split a batch line into words like a shell would for simple cases:
 * blanks separate, '...' and "..." quote, backslash escapes, # starts a
 * comment. Returns the word count, or -1 for an unterminated quote.
 */
int split_words(char *line, char **words, int max)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		char q = 0;

		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (!*r || *r == '#')
			return n;
		if (n == max)
			return -1;
		words[n++] = w;
		while (*r && (q || (*r != ' ' && *r != '\t' && *r != '\n' &&
				    *r != '\r'))) {
			if (q && *r == q) {
				q = 0;
				r++;
			} else if (!q && (*r == '\'' || *r == '"')) {
				q = *r++;
			} else if (*r == '\\' && q != '\'' && r[1]) {
				*w++ = r[1];
				r += 2;
			} else {
				*w++ = *r++;
			}
		}
		if (q)
			return -1;
		if (*r)
			r++;
		*w++ = '\0';
	}
}

void cmd_wipe(struct cmd *cmd)
{
	explicit_bzero(cmd, sizeof(*cmd));
}

int parse_cmd(int argc, char **argv, const struct parse_env *env,
	      struct cmd *cmd, char *err)
{
	struct ps p = { .argc = argc, .argv = argv, .err = err, .env = env,
			.cmd = cmd };
	const char *obj;
	bool takes_verb = false;
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	cmd->dir = -1;
	err[0] = '\0';
	if (argc < 1)
		return ps_fail(&p, "no command (try \"nipsec help\")");
	obj = canon_object(argv[0]);
	if (!known_object(obj))
		return ps_fail(&p, "unknown object \"%s\" (try \"nipsec help\")", argv[0]);
	/* "nipsec sa help" is help too */
	if (argc > 1 && !strcmp(argv[1], "help")) {
		cmd->op = OP_HELP;
		cmd->topic = obj;
		return 0;
	}
	if (find_verb(&p, obj, argc > 1 ? argv[1] : NULL, &cmd->op, &takes_verb))
		return -1;
	p.i = takes_verb ? 2 : 1;
	snprintf(p.what, sizeof(p.what), "%s%s%s", obj, takes_verb ? " " : "",
		 takes_verb ? argv[1] : "");

	switch (cmd->op) {
	case OP_HELP:
		if (argc > 2)
			return ps_fail(&p, "\"help\" takes at most one word");
		cmd->topic = argc > 1 ? canon_object(argv[1]) : NULL;
		if (cmd->topic && !known_object(cmd->topic))
			return ps_fail(&p, "no help on \"%s\": not an object", argv[1]);
		return 0;
	case OP_MONITOR:
		return monitor_words(&p);
	case OP_SA_COUNT:
	case OP_POLICY_COUNT:
		return argc > 2 ? ps_fail(&p, "\"%s\" takes no more words", p.what) : 0;
	case OP_STATS:
		ret = ps_run_table(&p, stats_kws, ARRAY_SIZE(stats_kws), cmd->op, false);
		return ret ? ret : stats_finish(&p);
	case OP_POLICY_ADD:
	case OP_POLICY_DEL:
	case OP_POLICY_GET:
	case OP_POLICY_LIST:
	case OP_POLICY_FLUSH:
		return ps_policy_words(&p);
	default:
		return ps_sa_words(&p);
	}
}
