// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the printers: JSON output is valid JSON (checked by a small
 * validator here), text output reads like ip xfrm, and no key byte is
 * ever printed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nipsec.h"
#include "tap.h"

/* ---- a strict little JSON validator (RFC 8259 grammar) ---- */

static const char *ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static const char *value(const char *s, int depth);

static const char *string(const char *s)
{
	if (*s++ != '"')
		return NULL;
	while (*s != '"') {
		if ((unsigned char)*s < 0x20)
			return NULL;
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)s[i]))
						return NULL;
				s += 4;
			} else if (!strchr("\"\\/bfnrt", *s)) {
				return NULL;
			}
		}
		s++;
	}
	return s + 1;
}

static const char *number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (isdigit((unsigned char)*s))
		while (isdigit((unsigned char)*s))
			s++;
	else
		return NULL;
	return s;
}

static const char *members(const char *s, int depth, char close, bool keys)
{
	s = ws(s + 1);
	if (*s == close)
		return s + 1;
	for (;;) {
		if (keys) {
			s = string(ws(s));
			if (!s)
				return NULL;
			s = ws(s);
			if (*s != ':')
				return NULL;
			s++;
		}
		s = value(s, depth + 1);
		if (!s)
			return NULL;
		s = ws(s);
		if (*s == close)
			return s + 1;
		if (*s++ != ',')
			return NULL;
	}
}

static const char *value(const char *s, int depth)
{
	if (depth > 32)
		return NULL;
	s = ws(s);
	switch (*s) {
	case '{':
		return members(s, depth, '}', true);
	case '[':
		return members(s, depth, ']', false);
	case '"':
		return string(s);
	case 't':
		return strncmp(s, "true", 4) ? NULL : s + 4;
	case 'f':
		return strncmp(s, "false", 5) ? NULL : s + 5;
	case 'n':
		return strncmp(s, "null", 4) ? NULL : s + 4;
	}
	return number(s);
}

/* every line of text is one JSON value */
static bool json_lines_valid(const char *text)
{
	const char *s = text;
	int n = 0;

	while (*(s = ws(s))) {
		s = value(s, 0);
		if (!s)
			return false;
		while (*s == ' ')
			s++;
		if (*s != '\n')
			return false;
		n++;
	}
	return n > 0;
}

/* ---- fixtures ---- */

static struct nipsec_addr a4(const char *s)
{
	struct nipsec_addr a = { .family = AF_INET };

	inet_pton(AF_INET, s, &a.u.v4);
	return a;
}

static struct nipsec_addr a6(const char *s)
{
	struct nipsec_addr a = { .family = AF_INET6 };

	inet_pton(AF_INET6, s, &a.u.v6);
	return a;
}

static void full_sa(struct nipsec_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->cfg.src = a4("192.0.2.1");
	sa->cfg.dst = a4("192.0.2.2");
	sa->cfg.spi = 0xc0ffee;
	sa->cfg.proto = NIPSEC_PROTO_ESP;
	sa->cfg.mode = NIPSEC_MODE_TUNNEL;
	sa->cfg.reqid = 5;
	snprintf(sa->cfg.enc.name, sizeof(sa->cfg.enc.name), "cbc(aes)");
	snprintf(sa->cfg.auth.name, sizeof(sa->cfg.auth.name), "hmac(sha256)");
	sa->cfg.auth.bits = 128;
	/* keys the printers must never show, even when present */
	memset(sa->cfg.enc.key, 0xde, 16);
	sa->cfg.enc.key_len = 16;
	memset(sa->cfg.auth.key, 0xde, 32);
	sa->cfg.auth.key_len = 32;
	sa->cfg.has_replay_window = true;
	sa->cfg.replay_window = 128;
	sa->cfg.esn = true;
	sa->cfg.has_sel = true;
	sa->cfg.sel.family = AF_INET;
	sa->cfg.sel.src = a4("10.0.0.0");
	sa->cfg.sel.src_prefix = 24;
	sa->cfg.sel.dst = a4("10.0.1.0");
	sa->cfg.sel.dst_prefix = 24;
	sa->cfg.sel.proto = 6;
	sa->cfg.sel.dport_min = 80;
	sa->cfg.sel.dport_max = 80;
	sa->cfg.lifetime.hard_add_seconds = 3600;
	sa->cfg.has_encap = true;
	sa->cfg.encap.type = NIPSEC_ENCAP_ESPINUDP;
	sa->cfg.encap.sport = 4500;
	sa->cfg.encap.dport = 4500;
	sa->has_state = true;
	sa->state = NIPSEC_SA_STATE_MATURE;
	sa->cfg.has_seq = true;
	sa->cfg.seq = 10;
	sa->seq_in = 3;
	sa->has_usage = true;
	sa->usage.bytes = 1234;
	sa->usage.add_time = 1700000000;
	sa->has_stats = true;
	sa->stats.rx_packets = 3;
}

static void full_policy(struct nipsec_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->id = 17;
	p->cfg.dir = NIPSEC_DIR_OUT;
	p->cfg.priority = 100;
	p->cfg.action = NIPSEC_ACTION_PROTECT;
	p->cfg.sel.family = AF_INET6;
	p->cfg.sel.src = a6("2001:db8:1::");
	p->cfg.sel.src_prefix = 48;
	p->cfg.sel.dst = a6("2001:db8:2::");
	p->cfg.sel.dst_prefix = 48;
	p->cfg.has_tmpl = true;
	p->cfg.tmpl.proto = NIPSEC_PROTO_ESP;
	p->cfg.tmpl.mode = NIPSEC_MODE_TUNNEL;
	p->cfg.tmpl.src = a6("2001:db8::1");
	p->cfg.tmpl.dst = a6("2001:db8::2");
	p->cfg.tmpl.reqid = 5;
	p->has_usage = true;
}

/* ---- capture printer output ---- */

struct capture {
	char *buf;
	size_t len;
	struct printer pr;
};

static void cap_open(struct capture *c, bool json)
{
	FILE *f = open_memstream(&c->buf, &c->len);

	printer_init(&c->pr, f, json);
}

static char *cap_close(struct capture *c)
{
	fclose(c->pr.out);
	return c->buf;
}

static bool no_key_bytes(const char *s)
{
	return !strstr(s, "dede") && !strstr(s, "DEDE") && !strstr(s, "222,222");
}

static void test_sa_output(void)
{
	struct nipsec_sa sa;
	struct capture c;
	char *s;

	full_sa(&sa);
	cap_open(&c, false);
	print_sa(&c.pr, &sa);
	s = cap_close(&c);
	tap_ok(strstr(s, "src 192.0.2.1 dst 192.0.2.2\n") &&
	       strstr(s, "\tproto esp spi 0x00c0ffee reqid 5 mode tunnel\n"),
	       "text SA starts like ip xfrm state");
	tap_ok(strstr(s, "\tenc cbc(aes)\n") &&
	       strstr(s, "\tauth-trunc hmac(sha256) 128\n") &&
	       strstr(s, "replay-window 128 flag esn"), "text SA algorithms and flags");
	tap_ok(strstr(s, "sel src 10.0.0.0/24 dst 10.0.1.0/24 proto tcp dport 80") &&
	       strstr(s, "limit time-hard 3600") && strstr(s, "state mature"),
	       "text SA selector, limits, state");
	tap_ok(no_key_bytes(s), "text SA shows no key bytes");
	tap_ok(!strstr(s, "lifetime current") && !strstr(s, "rx-packets"),
	       "text SA without -s: no usage, no counters");
	free(s);
	cap_open(&c, false);
	c.pr.stats = true;
	print_sa(&c.pr, &sa);
	s = cap_close(&c);
	tap_ok(strstr(s, "\tlifetime current:\n\t  1234(bytes), 0(packets)\n") &&
	       strstr(s, "\tstats:\n") && strstr(s, "rx-packets"),
	       "text SA with -s: usage and counters");
	free(s);

	cap_open(&c, true);
	print_sa(&c.pr, &sa);
	s = cap_close(&c);
	tap_ok(json_lines_valid(s), "JSON SA is valid JSON");
	tap_ok(strstr(s, "\"spi\":12648430") && strstr(s, "\"mode\":\"tunnel\"") &&
	       strstr(s, "\"trunc-bits\":128") && strstr(s, "\"esn\":true"),
	       "JSON SA fields");
	tap_ok(no_key_bytes(s) && !strstr(s, "key"), "JSON SA has no key at all");
	if (!json_lines_valid(s))
		tap_diag("%s", s);
	free(s);
}

static void test_lists(void)
{
	struct nipsec_policy p;
	struct nipsec_sa sa;
	struct capture c;
	char *s;

	full_sa(&sa);
	full_policy(&p);
	for (int n = 0; n <= 2; n++) {
		cap_open(&c, true);
		print_list_begin(&c.pr);
		for (int i = 0; i < n; i++)
			print_policy(&c.pr, &p);
		print_list_end(&c.pr);
		s = cap_close(&c);
		tap_ok(json_lines_valid(s) && s[0] == '[', "JSON list of %d policies is one valid array", n);
		free(s);
	}
	cap_open(&c, true);
	print_list_begin(&c.pr);
	print_sa(&c.pr, &sa);
	print_sa(&c.pr, &sa);
	print_list_end(&c.pr);
	print_spi(&c.pr, 0x1234);
	print_policy_id(&c.pr, 9);
	s = cap_close(&c);
	tap_ok(json_lines_valid(s) && strstr(s, "{\"spi\":4660}\n{\"id\":9}\n"),
	       "JSON values after a list stay separate lines");
	free(s);

	cap_open(&c, false);
	print_policy(&c.pr, &p);
	s = cap_close(&c);
	tap_ok(strstr(s, "src 2001:db8:1::/48 dst 2001:db8:2::/48\n\tdir out priority 100 action protect id 17\n") &&
	       strstr(s, "\ttmpl src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x00000000 reqid 5 mode tunnel\n"),
	       "text policy like ip xfrm policy");
	free(s);
	memset(&p.cfg.sel, 0, sizeof(p.cfg.sel));
	cap_open(&c, false);
	print_policy(&c.pr, &p);
	s = cap_close(&c);
	tap_ok(!strncmp(s, "src any dst any\n", 16), "any-selector printed as any");
	free(s);
}

static void test_stats_output(void)
{
	struct nipsec_stats st = { .rx_packets = 1, .drop_auth = 42 };
	struct nipsec_sa_id id = { .spi = 0x100, .proto = NIPSEC_PROTO_AH };
	struct capture c;
	char *s;

	id.dst = a4("192.0.2.9");
	cap_open(&c, false);
	print_stats(&c.pr, &st, NULL);
	s = cap_close(&c);
	tap_ok(strstr(s, "drop-auth") && strstr(s, " 42\n") && strstr(s, "acquires"),
	       "text stats name every counter");
	free(s);
	cap_open(&c, true);
	print_stats(&c.pr, &st, &id);
	s = cap_close(&c);
	tap_ok(json_lines_valid(s) && strstr(s, "\"drop-auth\":42") &&
	       strstr(s, "\"proto\":\"ah\""), "JSON stats of one SA");
	free(s);
}

static void test_event_output(void)
{
	struct nipsec_event ev[5];
	struct capture c;
	char *s, *p;
	int lines = 0;

	memset(ev, 0, sizeof(ev));
	ev[0].type = NIPSEC_EVENT_ACQUIRE;
	ev[0].acquire.policy_id = 3;
	ev[0].acquire.has_tmpl = true;
	ev[0].acquire.tmpl.proto = NIPSEC_PROTO_ESP;
	ev[0].acquire.sel.family = AF_INET;
	ev[0].acquire.sel.src = a4("10.0.0.1");
	ev[0].acquire.sel.src_prefix = 32;
	ev[1].type = NIPSEC_EVENT_EXPIRE;
	ev[1].expire.hard = true;
	ev[1].expire.has_limit = true;
	ev[1].expire.limit = NIPSEC_LIMIT_ADD_TIME;
	full_sa(&ev[1].expire.sa);
	ev[2].type = NIPSEC_EVENT_SA_DEL;
	full_sa(&ev[2].sa_del);
	ev[3].type = NIPSEC_EVENT_POLICY_DEL;
	full_policy(&ev[3].policy_del);
	ev[4].type = NIPSEC_EVENT_MAPPING;
	ev[4].mapping.new_addr = a4("203.0.113.7");
	ev[4].mapping.new_port = 40000;

	cap_open(&c, false);
	for (int i = 0; i < 5; i++)
		print_event(&c.pr, &ev[i]);
	s = cap_close(&c);
	for (p = s; *p; p++)
		lines += *p == '\n';
	tap_ok(lines == 5, "text events: one line each");
	tap_ok(!strncmp(s, "acquire policy 3 tmpl", 21) &&
	       strstr(s, "\nexpire hard limit add-time src 192.0.2.1") &&
	       strstr(s, "\nsa-del src") && strstr(s, "\npolicy-del id 17 dir out") &&
	       strstr(s, "new 203.0.113.7 port 40000"), "text event words");
	tap_ok(no_key_bytes(s), "events show no key bytes");
	free(s);
	cap_open(&c, true);
	for (int i = 0; i < 5; i++)
		print_event(&c.pr, &ev[i]);
	s = cap_close(&c);
	tap_ok(json_lines_valid(s) && strstr(s, "{\"event\":\"mapping\""),
	       "JSON events: one valid object per line");
	free(s);
}

static void test_json_writer(void)
{
	struct json j;
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_str(&j, "quote\"back\\slash", "tab\there\nnewline \x01 ctl");
	json_arr_begin(&j, "empty");
	json_arr_end(&j);
	json_obj_begin(&j, "nested");
	json_bool(&j, "b", false);
	json_u64(&j, "max", UINT64_MAX);
	json_obj_end(&j);
	json_obj_end(&j);
	fputc('\n', f);
	fclose(f);
	tap_ok(json_lines_valid(buf) && strstr(buf, "\\u0001") &&
	       strstr(buf, "18446744073709551615"), "JSON writer escapes and nests");
	free(buf);
	tap_ok(!json_lines_valid("{\"a\":1,}\n") && !json_lines_valid("[1 2]\n") &&
	       !json_lines_valid("{\"a\":\"\x01\"}\n"), "validator rejects bad JSON");
}

void test_print(void)
{
	test_sa_output();
	test_lists();
	test_stats_output();
	test_event_output();
	test_json_writer();
}
