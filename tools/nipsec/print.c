// SPDX-License-Identifier: GPL-2.0
/*
 * Output of the nipsec tool: text that reads like `ip xfrm state` and
 * `ip xfrm policy`, or JSON (-j). Keys are never printed: the kernel does
 * not return them, and nothing here would print them if it did.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "nipsec.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void printer_init(struct printer *p, FILE *out, bool json)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->json = json;
	json_init(&p->j, out);
}

void print_list_begin(struct printer *p)
{
	if (!p->json)
		return;
	json_arr_begin(&p->j, NULL);
	p->in_list = true;
}

void print_list_end(struct printer *p)
{
	if (!p->json)
		return;
	json_arr_end(&p->j);
	fputc('\n', p->out);
	p->in_list = false;
	json_init(&p->j, p->out);
}

/* a top-level JSON value ends its line unless it is in a list */
static void json_done(struct printer *p)
{
	if (p->in_list)
		return;
	fputc('\n', p->out);
	json_init(&p->j, p->out);
}

const char *addr_str(const struct nipsec_addr *a, char *buf, size_t len)
{
	if (!a->family || !inet_ntop(a->family, &a->u, buf, (socklen_t)len))
		snprintf(buf, len, "any");
	return buf;
}

static const char *nv(const struct name_val *t, int v, char *buf, size_t len)
{
	const char *n = name_of(t, v);

	if (n)
		return n;
	snprintf(buf, len, "%d", v);
	return buf;
}

static const char *ul_name(uint8_t proto, char *buf, size_t len)
{
	return nv(ul_protos, proto, buf, len);
}

/* ---- selector ---- */

static void sel_text(FILE *f, const struct nipsec_sel *s)
{
	char a[INET6_ADDRSTRLEN], b[16];

	if (s->src.family)
		fprintf(f, "src %s/%u ", addr_str(&s->src, a, sizeof(a)),
			s->src_prefix);
	else
		fputs("src any ", f);
	if (s->dst.family)
		fprintf(f, "dst %s/%u", addr_str(&s->dst, a, sizeof(a)),
			s->dst_prefix);
	else
		fputs("dst any", f);
	if (s->proto)
		fprintf(f, " proto %s", ul_name(s->proto, b, sizeof(b)));
	if (s->sport_min || s->sport_max) {
		fprintf(f, " sport %u", s->sport_min);
		if (s->sport_max != s->sport_min)
			fprintf(f, "-%u", s->sport_max);
	}
	if (s->dport_min || s->dport_max) {
		fprintf(f, " dport %u", s->dport_min);
		if (s->dport_max != s->dport_min)
			fprintf(f, "-%u", s->dport_max);
	}
	if (s->has_icmp_type)
		fprintf(f, " type %u", s->icmp_type);
	if (s->has_icmp_code)
		fprintf(f, " code %u", s->icmp_code);
}

static void sel_json(struct json *j, const char *key, const struct nipsec_sel *s)
{
	char a[INET6_ADDRSTRLEN], b[16];

	json_obj_begin(j, key);
	json_u64(j, "family", s->family);
	if (s->src.family) {
		json_str(j, "src", addr_str(&s->src, a, sizeof(a)));
		json_u64(j, "src-prefix", s->src_prefix);
	}
	if (s->dst.family) {
		json_str(j, "dst", addr_str(&s->dst, a, sizeof(a)));
		json_u64(j, "dst-prefix", s->dst_prefix);
	}
	if (s->proto)
		json_str(j, "proto", ul_name(s->proto, b, sizeof(b)));
	if (s->sport_min || s->sport_max) {
		json_u64(j, "sport-min", s->sport_min);
		json_u64(j, "sport-max", s->sport_max);
	}
	if (s->dport_min || s->dport_max) {
		json_u64(j, "dport-min", s->dport_min);
		json_u64(j, "dport-max", s->dport_max);
	}
	if (s->has_icmp_type)
		json_u64(j, "icmp-type", s->icmp_type);
	if (s->has_icmp_code)
		json_u64(j, "icmp-code", s->icmp_code);
	json_obj_end(j);
}

/* ---- usage, lifetimes, counters ---- */

static const char *time_str(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !localtime_r(&tt, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
	return buf;
}

static void usage_text(FILE *f, const struct nipsec_usage *u)
{
	char a[32], b[32];

	fprintf(f, "\tlifetime current:\n\t  %" PRIu64 "(bytes), %" PRIu64
		"(packets)\n\t  add %s use %s\n", u->bytes, u->packets,
		time_str(u->add_time, a, sizeof(a)),
		time_str(u->use_time, b, sizeof(b)));
}

static void usage_json(struct json *j, const struct nipsec_usage *u)
{
	json_obj_begin(j, "usage");
	json_u64(j, "bytes", u->bytes);
	json_u64(j, "packets", u->packets);
	json_u64(j, "add-time", u->add_time);
	json_u64(j, "use-time", u->use_time);
	json_u64(j, "last-use-time", u->last_use_time);
	json_obj_end(j);
}

/* ip xfrm's words for the limits, in its order */
#define LFT_FIELD(w, m) { w, offsetof(struct nipsec_lifetime, m) }
static const struct {
	const char *word;
	size_t off;
} lft_words[] = {
	LFT_FIELD("byte-soft", soft_bytes),
	LFT_FIELD("byte-hard", hard_bytes),
	LFT_FIELD("packet-soft", soft_packets),
	LFT_FIELD("packet-hard", hard_packets),
	LFT_FIELD("time-soft", soft_add_seconds),
	LFT_FIELD("time-hard", hard_add_seconds),
	LFT_FIELD("time-use-soft", soft_use_seconds),
	LFT_FIELD("time-use-hard", hard_use_seconds),
};

static uint64_t lft_get(const struct nipsec_lifetime *l, size_t i)
{
	return *(const uint64_t *)((const char *)l + lft_words[i].off);
}

static void lifetime_text(FILE *f, const struct nipsec_lifetime *l)
{
	bool any = false;

	for (size_t i = 0; i < ARRAY_SIZE(lft_words); i++) {
		uint64_t v = lft_get(l, i);

		if (!v)
			continue;
		fprintf(f, "%s%s %" PRIu64, any ? " " : "\tlimit ",
			lft_words[i].word, v);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

static void lifetime_json(struct json *j, const struct nipsec_lifetime *l)
{
	json_obj_begin(j, "lifetime");
	for (size_t i = 0; i < ARRAY_SIZE(lft_words); i++)
		json_u64(j, lft_words[i].word, lft_get(l, i));
	json_obj_end(j);
}

static void stats_text(FILE *f, const char *indent, const struct nipsec_stats *s)
{
	for (size_t i = 0; i < nipsec_stats_nfields; i++)
		fprintf(f, "%s%-20s %" PRIu64 "\n", indent,
			nipsec_stats_fields[i].name,
			nipsec_stats_value(s, &nipsec_stats_fields[i]));
}

static void stats_json(struct json *j, const char *key,
		       const struct nipsec_stats *s)
{
	json_obj_begin(j, key);
	for (size_t i = 0; i < nipsec_stats_nfields; i++)
		json_u64(j, nipsec_stats_fields[i].name,
			 nipsec_stats_value(s, &nipsec_stats_fields[i]));
	json_obj_end(j);
}

/*
 * An SA's counters as ip -s xfrm state shows them: traffic on one line,
 * then its drops by reason, only those that happened.
 */
static void sa_stats_text(FILE *f, const struct nipsec_stats *s)
{
	bool any = false;

	fputs("\tstats:\n\t ", f);
	for (size_t i = 0; i < nipsec_stats_nfields; i++) {
		const struct nipsec_stats_field *fl = &nipsec_stats_fields[i];

		if (!strncmp(fl->name, "rx-", 3) || !strncmp(fl->name, "tx-", 3))
			fprintf(f, " %s %" PRIu64, fl->name, nipsec_stats_value(s, fl));
	}
	fputs("\n\t  drops:", f);
	for (size_t i = 0; i < nipsec_stats_nfields; i++) {
		const struct nipsec_stats_field *fl = &nipsec_stats_fields[i];
		uint64_t v = nipsec_stats_value(s, fl);

		if (strncmp(fl->name, "drop-", 5) || !v)
			continue;
		fprintf(f, " %s %" PRIu64, fl->name + 5, v);
		any = true;
	}
	fputs(any ? "\n" : " none\n", f);
}

/* ---- SA ---- */

static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
	return nv(xfrm_protos, proto, buf, len);
}

static void sa_text(FILE *f, const struct nipsec_sa *sa, bool stats)
{
	const struct nipsec_sa_cfg *c = &sa->cfg;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], n1[16], n2[16];

	fprintf(f, "src %s dst %s\n", addr_str(&c->src, a, sizeof(a)),
		addr_str(&c->dst, b, sizeof(b)));
	fprintf(f, "\tproto %s spi 0x%08x reqid %u mode %s\n",
		proto_name(c->proto, n1, sizeof(n1)), c->spi, c->reqid,
		nv(modes, c->mode, n2, sizeof(n2)));
	fprintf(f, "\treplay-window %u", c->replay_window);
	if (c->esn)
		fputs(" flag esn", f);
	fputc('\n', f);
	if (c->aead.name[0])
		fprintf(f, "\taead %s icv %u\n", c->aead.name, c->aead.bits);
	if (c->enc.name[0])
		fprintf(f, "\tenc %s\n", c->enc.name);
	if (c->auth.name[0]) {
		if (c->auth.bits)
			fprintf(f, "\tauth-trunc %s %u\n", c->auth.name, c->auth.bits);
		else
			fprintf(f, "\tauth %s\n", c->auth.name);
	}
	if (c->has_encap)
		fprintf(f, "\tencap type espinudp sport %u dport %u addr %s%s\n",
			c->encap.sport, c->encap.dport,
			addr_str(&c->encap.oa, a, sizeof(a)),
			c->encap.rebind ? " rebind" : "");
	if (c->has_sel) {
		fputs("\tsel ", f);
		sel_text(f, &c->sel);
		fputc('\n', f);
	}
	lifetime_text(f, &c->lifetime);
	if (sa->has_state || c->has_seq)
		fprintf(f, "\tstate %s seq 0x%" PRIx64 " seq-in 0x%" PRIx64 "\n",
			sa->has_state ? nv(sa_states, sa->state, n1, sizeof(n1)) : "-",
			c->seq, sa->seq_in);
	/* like ip -s: usage and counters only when asked for */
	if (stats && sa->has_usage)
		usage_text(f, &sa->usage);
	if (stats && sa->has_stats)
		sa_stats_text(f, &sa->stats);
}

static void sa_fields_json(struct json *j, const struct nipsec_sa *sa)
{
	const struct nipsec_sa_cfg *c = &sa->cfg;
	char a[INET6_ADDRSTRLEN], n[16];

	json_str(j, "src", addr_str(&c->src, a, sizeof(a)));
	json_str(j, "dst", addr_str(&c->dst, a, sizeof(a)));
	json_str(j, "proto", proto_name(c->proto, n, sizeof(n)));
	json_u64(j, "spi", c->spi);
	json_str(j, "mode", nv(modes, c->mode, n, sizeof(n)));
	json_u64(j, "reqid", c->reqid);
	if (c->aead.name[0]) {
		json_obj_begin(j, "aead");
		json_str(j, "name", c->aead.name);
		json_u64(j, "icv-bits", c->aead.bits);
		json_obj_end(j);
	}
	if (c->enc.name[0]) {
		json_obj_begin(j, "enc");
		json_str(j, "name", c->enc.name);
		json_obj_end(j);
	}
	if (c->auth.name[0]) {
		json_obj_begin(j, "auth");
		json_str(j, "name", c->auth.name);
		json_u64(j, "trunc-bits", c->auth.bits);
		json_obj_end(j);
	}
	if (c->has_replay_window)
		json_u64(j, "replay-window", c->replay_window);
	json_bool(j, "esn", c->esn);
	if (c->has_sel)
		sel_json(j, "sel", &c->sel);
	lifetime_json(j, &c->lifetime);
	if (c->has_encap) {
		json_obj_begin(j, "encap");
		json_str(j, "type", "espinudp");
		json_u64(j, "sport", c->encap.sport);
		json_u64(j, "dport", c->encap.dport);
		if (c->encap.oa.family)
			json_str(j, "oa", addr_str(&c->encap.oa, a, sizeof(a)));
		json_bool(j, "rebind", c->encap.rebind);
		json_obj_end(j);
	}
	if (sa->has_state)
		json_str(j, "state", nv(sa_states, sa->state, n, sizeof(n)));
	if (c->has_seq)
		json_u64(j, "seq", c->seq);
	json_u64(j, "seq-in", sa->seq_in);
	if (sa->has_usage)
		usage_json(j, &sa->usage);
	if (sa->has_stats)
		stats_json(j, "stats", &sa->stats);
}

void print_sa(struct printer *p, const struct nipsec_sa *sa)
{
	if (!p->json) {
		sa_text(p->out, sa, p->stats);
		return;
	}
	json_obj_begin(&p->j, NULL);
	sa_fields_json(&p->j, sa);
	json_obj_end(&p->j);
	json_done(p);
}

/* ---- policy ---- */

static void tmpl_text(FILE *f, const struct nipsec_tmpl *t)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], n1[16], n2[16];

	fprintf(f, "tmpl src %s dst %s proto %s spi 0x%08x reqid %u mode %s",
		addr_str(&t->src, a, sizeof(a)), addr_str(&t->dst, b, sizeof(b)),
		proto_name(t->proto, n1, sizeof(n1)), t->spi, t->reqid,
		nv(modes, t->mode, n2, sizeof(n2)));
}

static void tmpl_json(struct json *j, const struct nipsec_tmpl *t)
{
	char a[INET6_ADDRSTRLEN], n[16];

	json_obj_begin(j, "tmpl");
	if (t->src.family)
		json_str(j, "src", addr_str(&t->src, a, sizeof(a)));
	if (t->dst.family)
		json_str(j, "dst", addr_str(&t->dst, a, sizeof(a)));
	json_str(j, "proto", proto_name(t->proto, n, sizeof(n)));
	json_u64(j, "spi", t->spi);
	json_u64(j, "reqid", t->reqid);
	json_str(j, "mode", nv(modes, t->mode, n, sizeof(n)));
	json_obj_end(j);
}

static void policy_fields_json(struct json *j, const struct nipsec_policy *pol)
{
	const struct nipsec_policy_cfg *c = &pol->cfg;
	char n[16];

	json_u64(j, "id", pol->id);
	json_str(j, "dir", nv(dirs, c->dir, n, sizeof(n)));
	json_u64(j, "priority", c->priority);
	json_str(j, "action", nv(actions, c->action, n, sizeof(n)));
	sel_json(j, "sel", &c->sel);
	if (c->has_tmpl)
		tmpl_json(j, &c->tmpl);
	if (pol->has_usage)
		usage_json(j, &pol->usage);
}

void print_policy(struct printer *p, const struct nipsec_policy *pol)
{
	const struct nipsec_policy_cfg *c = &pol->cfg;
	char n1[16], n2[16];
	FILE *f = p->out;

	if (p->json) {
		json_obj_begin(&p->j, NULL);
		policy_fields_json(&p->j, pol);
		json_obj_end(&p->j);
		json_done(p);
		return;
	}
	sel_text(f, &c->sel);
	fprintf(f, "\n\tdir %s priority %u action %s id %u\n",
		nv(dirs, c->dir, n1, sizeof(n1)), c->priority,
		nv(actions, c->action, n2, sizeof(n2)), pol->id);
	if (c->has_tmpl) {
		fputc('\t', f);
		tmpl_text(f, &c->tmpl);
		fputc('\n', f);
	}
	if (p->stats && pol->has_usage)
		usage_text(f, &pol->usage);
}

/* ---- counters, spi, ids ---- */

void print_stats(struct printer *p, const struct nipsec_stats *st,
		 const struct nipsec_sa_id *id)
{
	char a[INET6_ADDRSTRLEN], n[16];

	if (!p->json) {
		if (id)
			fprintf(p->out, "sa spi 0x%08x dst %s proto %s\n", id->spi,
				addr_str(&id->dst, a, sizeof(a)),
				proto_name(id->proto, n, sizeof(n)));
		stats_text(p->out, id ? "\t" : "", st);
		return;
	}
	json_obj_begin(&p->j, NULL);
	if (id) {
		json_obj_begin(&p->j, "sa");
		json_u64(&p->j, "spi", id->spi);
		json_str(&p->j, "dst", addr_str(&id->dst, a, sizeof(a)));
		json_str(&p->j, "proto", proto_name(id->proto, n, sizeof(n)));
		json_obj_end(&p->j);
	}
	stats_json(&p->j, "stats", st);
	json_obj_end(&p->j);
	json_done(p);
}

void print_spi(struct printer *p, uint32_t spi)
{
	if (!p->json) {
		fprintf(p->out, "spi 0x%08x\n", spi);
		return;
	}
	json_obj_begin(&p->j, NULL);
	json_u64(&p->j, "spi", spi);
	json_obj_end(&p->j);
	json_done(p);
}

void print_policy_id(struct printer *p, uint32_t id)
{
	if (!p->json) {
		fprintf(p->out, "id %u\n", id);
		return;
	}
	json_obj_begin(&p->j, NULL);
	json_u64(&p->j, "id", id);
	json_obj_end(&p->j);
	json_done(p);
}

/* "sa count 3", as ip xfrm state count says "SAD count 3" */
void print_count(struct printer *p, const char *what, unsigned int n)
{
	if (!p->json) {
		fprintf(p->out, "%s count %u\n", what, n);
		return;
	}
	json_obj_begin(&p->j, NULL);
	json_u64(&p->j, "count", n);
	json_obj_end(&p->j);
	json_done(p);
}

/* ---- events: one line each ---- */

static void sa_ref_text(FILE *f, const struct nipsec_sa *sa)
{
	const struct nipsec_sa_cfg *c = &sa->cfg;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], n[16];

	fprintf(f, "src %s dst %s proto %s spi 0x%08x reqid %u",
		addr_str(&c->src, a, sizeof(a)), addr_str(&c->dst, b, sizeof(b)),
		proto_name(c->proto, n, sizeof(n)), c->spi, c->reqid);
}

static void event_text(FILE *f, const struct nipsec_event *ev)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], n[16];

	switch (ev->type) {
	case NIPSEC_EVENT_ACQUIRE:
		fprintf(f, "acquire policy %u ", ev->acquire.policy_id);
		if (ev->acquire.has_tmpl) {
			tmpl_text(f, &ev->acquire.tmpl);
			fputc(' ', f);
		}
		fputs("sel ", f);
		sel_text(f, &ev->acquire.sel);
		break;
	case NIPSEC_EVENT_EXPIRE:
		fprintf(f, "expire %s", ev->expire.hard ? "hard" : "soft");
		if (ev->expire.has_limit)
			fprintf(f, " limit %s",
				nv(limits, ev->expire.limit, n, sizeof(n)));
		fputc(' ', f);
		sa_ref_text(f, &ev->expire.sa);
		if (ev->expire.sa.has_usage)
			fprintf(f, " bytes %" PRIu64 " packets %" PRIu64,
				ev->expire.sa.usage.bytes,
				ev->expire.sa.usage.packets);
		break;
	case NIPSEC_EVENT_SA_DEL:
		fputs("sa-del ", f);
		sa_ref_text(f, &ev->sa_del);
		break;
	case NIPSEC_EVENT_POLICY_DEL:
		fprintf(f, "policy-del id %u dir %s ", ev->policy_del.id,
			nv(dirs, ev->policy_del.cfg.dir, n, sizeof(n)));
		sel_text(f, &ev->policy_del.cfg.sel);
		break;
	case NIPSEC_EVENT_MAPPING:
		fputs("mapping ", f);
		sa_ref_text(f, &ev->mapping.sa);
		fprintf(f, " old %s port %u new %s port %u",
			addr_str(&ev->mapping.old_addr, a, sizeof(a)),
			ev->mapping.old_port,
			addr_str(&ev->mapping.new_addr, b, sizeof(b)),
			ev->mapping.new_port);
		break;
	case NIPSEC_EVENT_DROP:
		fprintf(f, "drop %s src %s dst %s", ev->drop.reason,
			addr_str(&ev->drop.src, a, sizeof(a)),
			addr_str(&ev->drop.dst, b, sizeof(b)));
		if (ev->drop.has_sa) {
			fputc(' ', f);
			sa_ref_text(f, &ev->drop.sa);
		}
		if (ev->drop.suppressed)
			fprintf(f, " (%u more not reported)", ev->drop.suppressed);
		break;
	}
	fputc('\n', f);
}

static void event_json(struct json *j, const struct nipsec_event *ev)
{
	static const char *const names[] = {
		[NIPSEC_EVENT_ACQUIRE] = "acquire",
		[NIPSEC_EVENT_EXPIRE] = "expire",
		[NIPSEC_EVENT_SA_DEL] = "sa-del",
		[NIPSEC_EVENT_POLICY_DEL] = "policy-del",
		[NIPSEC_EVENT_MAPPING] = "mapping",
		[NIPSEC_EVENT_DROP] = "drop",
	};
	char a[INET6_ADDRSTRLEN], n[16];

	json_obj_begin(j, NULL);
	json_str(j, "event", names[ev->type]);
	switch (ev->type) {
	case NIPSEC_EVENT_ACQUIRE:
		json_u64(j, "policy-id", ev->acquire.policy_id);
		if (ev->acquire.has_tmpl)
			tmpl_json(j, &ev->acquire.tmpl);
		sel_json(j, "sel", &ev->acquire.sel);
		break;
	case NIPSEC_EVENT_EXPIRE:
		json_bool(j, "hard", ev->expire.hard);
		if (ev->expire.has_limit)
			json_str(j, "limit", nv(limits, ev->expire.limit, n, sizeof(n)));
		json_obj_begin(j, "sa");
		sa_fields_json(j, &ev->expire.sa);
		json_obj_end(j);
		break;
	case NIPSEC_EVENT_SA_DEL:
		json_obj_begin(j, "sa");
		sa_fields_json(j, &ev->sa_del);
		json_obj_end(j);
		break;
	case NIPSEC_EVENT_POLICY_DEL:
		json_obj_begin(j, "policy");
		policy_fields_json(j, &ev->policy_del);
		json_obj_end(j);
		break;
	case NIPSEC_EVENT_MAPPING:
		json_obj_begin(j, "sa");
		sa_fields_json(j, &ev->mapping.sa);
		json_obj_end(j);
		json_str(j, "old-addr", addr_str(&ev->mapping.old_addr, a, sizeof(a)));
		json_u64(j, "old-port", ev->mapping.old_port);
		json_str(j, "new-addr", addr_str(&ev->mapping.new_addr, a, sizeof(a)));
		json_u64(j, "new-port", ev->mapping.new_port);
		break;
	case NIPSEC_EVENT_DROP:
		json_str(j, "reason", ev->drop.reason);
		json_str(j, "src", addr_str(&ev->drop.src, a, sizeof(a)));
		json_str(j, "dst", addr_str(&ev->drop.dst, a, sizeof(a)));
		if (ev->drop.has_sa) {
			json_obj_begin(j, "sa");
			sa_fields_json(j, &ev->drop.sa);
			json_obj_end(j);
		}
		json_u64(j, "suppressed", ev->drop.suppressed);
		break;
	}
	json_obj_end(j);
}

/* one line per event, flushed, so `nipsec monitor | ...` sees it at once */
void print_event(struct printer *p, const struct nipsec_event *ev)
{
	if (p->json) {
		event_json(&p->j, ev);
		json_done(p);
	} else {
		event_text(p->out, ev);
	}
	fflush(p->out);
}
