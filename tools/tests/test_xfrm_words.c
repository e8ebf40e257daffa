// SPDX-License-Identifier: GPL-2.0
/*
 * ip-xfrm(8)'s grammar word by word: each word either works in an ip xfrm
 * line, or is refused with a message that says so and why.  The man page
 * publishes the same table ("IP XFRM WORDS"); this test holds the two to
 * each other, so neither a word nor its verdict can drift.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nipsec.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define H16 "00112233445566778899aabbccddeeff"
#define K16 "0x" H16
#define K20 K16 "01020304"
#define K24 K16 "0102030405060708"
#define K32 K16 H16
#define K48 K32 H16
#define K64 K32 H16 H16
#define ID "src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 "
#define ALGS "enc aes " K16 " auth sha1 " K20
#define SA "sa add " ID ALGS " "
#define SEL "src 10.1.0.0/16 dst 10.2.0.0/16 "
#define POL "policy add " SEL "dir out "
#define TMPL "tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel "

/* refused: the message names the word and says nipsec lacks it */
#define NO "not supported by nipsec"

static const struct {
	const char *word;	/* the man page table's first column */
	const char *line;	/* an ip xfrm line using it */
	const char *refusal;	/* NULL: accepted; else in the message */
} words[] = {
	/* ip xfrm state */
	{ "state add", "state add " ID ALGS, NULL },
	{ "state update", "state update " ID ALGS, NULL },
	{ "src", SA, NULL },
	{ "dst", SA, NULL },
	{ "proto esp", SA, NULL },
	{ "proto ah", "state add src 192.0.2.1 dst 192.0.2.2 proto ah spi 1 auth sha1 " K20, NULL },
	{ "proto comp", "state add src 192.0.2.1 dst 192.0.2.2 proto comp spi 1", NO },
	{ "proto route2", "state add src 192.0.2.1 dst 192.0.2.2 proto route2 spi 1", NO },
	{ "proto hao", "state add src 192.0.2.1 dst 192.0.2.2 proto hao spi 1", NO },
	{ "spi", SA, NULL },
	{ "enc", SA, NULL },
	{ "auth", SA, NULL },
	{ "auth-trunc", "state add " ID "enc aes " K16 " auth-trunc sha256 " K32 " 128", NULL },
	{ "aead", "state add " ID "aead rfc4106(gcm(aes)) " K20 " 128", NULL },
	{ "comp", SA "comp deflate", NO },
	{ "mode transport", SA "mode transport", NULL },
	{ "mode tunnel", SA "mode tunnel", NULL },
	{ "mode beet", SA "mode beet", NO },
	{ "mode ro", SA "mode ro", NO },
	{ "mode in_trigger", SA "mode in_trigger", NO },
	{ "mark", SA "mark 7 mask 0xff", NO },
	{ "reqid", SA "reqid 7", NULL },
	{ "seq", SA "seq 7", NO },
	{ "replay-window", SA "replay-window 64", NULL },
	{ "replay-seq", SA "replay-seq 7", NO },
	{ "replay-oseq", SA "replay-oseq 7", NULL },
	{ "replay-seq-hi", SA "replay-seq-hi 7", NO },
	{ "replay-oseq-hi", SA "flag esn replay-oseq-hi 7", NULL },
	{ "flag esn", SA "flag esn", NULL },
	{ "flag noecn", SA "flag noecn", NO },
	{ "flag decap-dscp", SA "flag decap-dscp", NO },
	{ "flag nopmtudisc", SA "flag nopmtudisc", NO },
	{ "flag wildrecv", SA "flag wildrecv", NO },
	{ "flag icmp", SA "flag icmp", NO },
	{ "flag af-unspec", SA "flag af-unspec", NO },
	{ "flag align4", SA "flag align4", NO },
	{ "sel", SA "sel src 10.1.0.0/16 dst 10.2.0.0/16 proto tcp dport 443", NULL },
	{ "limit", SA "limit time-soft 60 limit time-hard 90 limit time-use-soft 30 "
	  "limit time-use-hard 40 limit byte-soft 1000 limit byte-hard 2000 "
	  "limit packet-soft 10 limit packet-hard 20", NULL },
	{ "encap espinudp", SA "encap espinudp 4500 4500 0.0.0.0", NULL },
	{ "encap espinudp-nonike", SA "encap espinudp-nonike 4500 4500 0.0.0.0", "only espinudp" },
	{ "encap espintcp", SA "encap espintcp 4500 4500 0.0.0.0", "only espinudp" },
	{ "coa", SA "coa 10.0.0.1", NO },
	{ "ctx", SA "ctx system_u", NO },
	{ "extra-flag", SA "extra-flag dont-encap-dscp", NO },
	{ "output-mark", SA "output-mark 7", NO },
	{ "if_id", SA "if_id 7", NO },
	{ "offload", SA "offload crypto dev eth0 dir out", NO },
	{ "tfcpad", SA "tfcpad 100", NO },
	{ "state allocspi", "state allocspi src 192.0.2.1 dst 192.0.2.2 proto esp min 0x100 max 0x200", NULL },
	{ "state delete", "state delete " ID, NULL },
	{ "state get", "state get " ID, NULL },
	{ "state deleteall", "state deleteall proto esp", NULL },
	{ "state list", "state list", NULL },
	{ "nokeys", "state list nokeys", NULL },
	{ "state flush", "state flush proto esp", NULL },
	{ "state count", "state count", NULL },
	/* selectors (sel and policies) */
	{ "sport, dport", POL "proto udp sport 500 dport 500", NULL },
	{ "type, code", POL "proto icmp type 8 code 0", NULL },
	{ "dev", POL "dev eth0", NO },
	{ "key", POL "proto gre key 5", NO },
	/* ip xfrm policy */
	{ "policy add", POL TMPL, NULL },
	{ "dir", POL, NULL },
	{ "index", POL "index 8", NO },
	{ "ptype main", POL "ptype main", NULL },
	{ "ptype sub", POL "ptype sub", "only main" },
	{ "action allow", POL "action allow", NULL },
	{ "action block", POL "action block", NULL },
	{ "priority", POL "priority 100", NULL },
	{ "policy flag localok", POL "flag localok", NO },
	{ "policy flag icmp", POL "flag icmp", NO },
	{ "policy limit", POL "limit time-hard 60", NO },
	{ "tmpl", POL TMPL "reqid 3", NULL },
	{ "tmpl spi", POL TMPL "spi 0x100", NULL },
	{ "level required", POL TMPL "level required", NULL },
	{ "level use", POL TMPL "level use", NO },
	{ "second tmpl", POL TMPL "tmpl proto ah", NO },
	{ "policy update", "policy update " SEL "dir out", NO },
	{ "policy delete", "policy delete " SEL "dir out", NULL },
	{ "policy get", "policy get " SEL "dir out", NULL },
	{ "policy get index", "policy get index 8 dir out", NULL },
	{ "policy deleteall", "policy deleteall dir out", NULL },
	{ "policy list", "policy list dir out", NULL },
	{ "nosock", "policy list nosock", NULL },
	{ "policy list action", "policy list action block", NO },
	{ "policy list priority", "policy list priority 5", NO },
	{ "policy flush", "policy flush", NULL },
	{ "policy count", "policy count", NULL },
	{ "policy set", "policy set hthresh4 24 24", NO },
	/* ip xfrm monitor */
	{ "monitor", "monitor", NULL },
	{ "monitor all", "monitor all", NULL },
	{ "monitor nokeys", "monitor nokeys acquire expire SA policy", NULL },
	{ "monitor drops", "monitor drops", NULL },
	{ "monitor aevent", "monitor aevent", NO },
	{ "monitor report", "monitor report", NO },
	{ "all-nsid", "monitor all-nsid", NO },
	/* XFRM's algorithm names (net/xfrm/xfrm_algo.c) */
	{ "rfc4106(gcm(aes))", "state add " ID "aead rfc4106(gcm(aes)) " K20 " 64", NULL },
	{ "rfc4543(gcm(aes))", "state add " ID "aead rfc4543(gcm(aes)) " K20 " 128", NULL },
	{ "rfc7539esp(chacha20,poly1305)", "state add " ID
	  "aead rfc7539esp(chacha20,poly1305) " K32 "01020304 128", NULL },
	{ "rfc4309(ccm(aes))", "state add " ID "aead rfc4309(ccm(aes)) " K16 "010203 128", NO },
	{ "cbc(aes), aes", SA, NULL },
	{ "ecb(cipher_null), cipher_null", "state add " ID "enc cipher_null \"\" auth sha256 " K32, NULL },
	{ "rfc3686(ctr(aes))", "state add " ID "enc rfc3686(ctr(aes)) " K20 " auth sha1 " K20, NO },
	{ "cbc(des3_ede), des3_ede", "state add " ID "enc des3_ede " K24 "0011223344556677 auth sha1 " K20, NO },
	{ "cbc(des), des", "state add " ID "enc des 0x0011223344556677 auth sha1 " K20, NO },
	{ "cbc(camellia), camellia", "state add " ID "enc camellia " K16 " auth sha1 " K20, NO },
	{ "cbc(cast5), cast5", "state add " ID "enc cast5 " K16 " auth sha1 " K20, NO },
	{ "cbc(blowfish), blowfish", "state add " ID "enc blowfish " K16 " auth sha1 " K20, NO },
	{ "cbc(serpent), serpent", "state add " ID "enc serpent " K16 " auth sha1 " K20, NO },
	{ "cbc(twofish), twofish", "state add " ID "enc twofish " K16 " auth sha1 " K20, NO },
	{ "cbc(sm4), sm4", "state add " ID "enc sm4 " K16 " auth sha1 " K20, NO },
	{ "hmac(sha1), sha1", SA, NULL },
	{ "hmac(sha256), sha256", "state add " ID "enc aes " K16 " auth sha256 " K32, NULL },
	{ "hmac(sha384), sha384", "state add " ID "enc aes " K16 " auth sha384 " K48, NULL },
	{ "hmac(sha512), sha512", "state add " ID "enc aes " K16 " auth sha512 " K64, NULL },
	{ "cmac(aes)", "state add " ID "enc aes " K16 " auth cmac(aes) " K16, NULL },
	{ "xcbc(aes)", "state add " ID "enc aes " K16 " auth xcbc(aes) " K16, NULL },
	{ "hmac(md5), md5", "state add " ID "enc aes " K16 " auth md5 " K16, NO },
	{ "hmac(rmd160), rmd160", "state add " ID "enc aes " K16 " auth rmd160 " K20, NO },
	{ "hmac(sm3), sm3", "state add " ID "enc aes " K16 " auth sm3 " K32, NO },
	{ "digest_null", "state add " ID "enc aes " K16 " auth digest_null \"\"", "ESP without integrity" },
	{ "deflate, lzs, lzjh", SA "comp deflate", NO },
};

static int parse_line(const char *line, char *err)
{
	struct parse_env env = { 0 };
	static struct cmd cmd;
	char buf[1024], *w[128];
	int n, ret;

	snprintf(buf, sizeof(buf), "%s", line);
	n = split_words(buf, w, 128);
	if (n < 0) {
		snprintf(err, ERRLEN, "split_words failed");
		return -2;
	}
	ret = parse_cmd(n, w, &env, &cmd, err);
	cmd_wipe(&cmd);
	return ret;
}

/* the man page's table: "word|where|yes ..." or "word|where|no: why" */
struct man_row {
	char word[64];
	bool yes;
	bool used;
};

static int man_rows(const char *path, struct man_row *rows, int max)
{
	FILE *f = fopen(path, "re");
	char line[512];
	bool in = false;
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *bar, *st, *o;
		const char *i;

		if (strstr(line, "ip-xfrm-words: begin")) {
			in = true;
			continue;
		}
		if (strstr(line, "ip-xfrm-words: end"))
			break;
		bar = strchr(line, '|');
		if (!in || line[0] == '.' || !bar || n == max ||
		    !strncmp(line, "Word|", 5))
			continue;
		st = strchr(bar + 1, '|');
		if (!st)
			continue;
		/* roff: \- is a hyphen, \fB..\fR fonts */
		for (i = line, o = rows[n].word; i < bar &&
		     o < rows[n].word + sizeof(rows[n].word) - 1; i++) {
			if (i[0] == '\\' && i[1] == '-') {
				*o++ = '-';
				i++;
			} else if (i[0] == '\\' && i[1] == 'f') {
				i += 2;
			} else {
				*o++ = *i;
			}
		}
		*o = '\0';
		rows[n].yes = !strncmp(st + 1, "yes", 3);
		rows[n].used = false;
		n++;
	}
	fclose(f);
	return in ? n : -1;
}

void test_xfrm_words(void)
{
	static struct man_row rows[256];
	char err[ERRLEN];
	int n = man_rows("nipsec/nipsec.8", rows, ARRAY_SIZE(rows));
	int missing = 0, stale = 0;

	tap_ok(n > 0, "nipsec.8 has the ip xfrm words table (%d rows)", n);
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		int ret = parse_line(words[i].line, err);
		struct man_row *r = NULL;

		for (int k = 0; k < n; k++)
			if (!strcmp(rows[k].word, words[i].word))
				r = &rows[k];
		if (words[i].refusal) {
			if (!tap_ok(ret == -1 && strstr(err, words[i].refusal),
				    "ip xfrm word \"%s\" refused: %s", words[i].word,
				    ret == -1 ? err : "accepted"))
				tap_diag("line: %s; wanted \"%s\"", words[i].line,
					 words[i].refusal);
		} else if (!tap_ok(ret == 0, "ip xfrm word \"%s\" works", words[i].word)) {
			tap_diag("line: %s; error: %s", words[i].line, err);
		}
		if (!r) {
			tap_diag("nipsec.8 has no row \"%s\"", words[i].word);
			missing++;
			continue;
		}
		r->used = true;
		if (r->yes != !words[i].refusal) {
			tap_diag("nipsec.8 says \"%s\" %s", r->word,
				 r->yes ? "works" : "is refused");
			stale++;
		}
	}
	for (int k = 0; k < n; k++)
		if (!rows[k].used) {
			tap_diag("nipsec.8 row \"%s\" is not tested", rows[k].word);
			missing++;
		}
	tap_ok(!missing, "every tested word has a row in nipsec.8 and every row a test");
	tap_ok(!stale, "nipsec.8's verdicts agree with the parser");
}
