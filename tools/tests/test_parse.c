// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the command line parser: ip xfrm lines, strongSwan proposal
 * names, keys, and every kind of mistake a user makes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nipsec.h"
#include "tap.h"

/* keys of n bytes: H16 is 16 bytes of hex, H4 4 bytes */
#define H16 "00112233445566778899aabbccddeeff"
#define H4 "01020304"
#define K16 "0x" H16
#define K20 "0x" H16 H4
#define K24 "0x" H16 H4 H4
#define K28 "0x" H16 H4 H4 H4
#define K32 "0x" H16 H16
#define K36 "0x" H16 H16 H4
#define K48 "0x" H16 H16 H16
#define K64 "0x" H16 H16 H16 H16

#define V4 "src 192.0.2.1 dst 192.0.2.2"
#define V6 "src 2001:db8::1 dst 2001:db8::2"

static struct cmd C;
static char E[ERRLEN];
static char line_buf[8192];
static FILE *key_in;

static int parse(const char *line)
{
	struct parse_env env = { .key_stdin = key_in };
	char *w[512];
	int n;

	snprintf(line_buf, sizeof(line_buf), "%s", line);
	n = split_words(line_buf, w, 512);
	if (n < 0) {
		snprintf(E, sizeof(E), "split_words failed");
		return -2;
	}
	return parse_cmd(n, w, &env, &C, E);
}

static bool good(const char *line)
{
	int ret = parse(line);

	if (!tap_ok(ret == 0, "accepts: %s", line))
		tap_diag("error: %s", E);
	return ret == 0;
}

static void bad(const char *line, const char *msg)
{
	int ret = parse(line);

	if (!tap_ok(ret == -1 && strstr(E, msg), "rejects: %s", line))
		tap_diag("ret %d, error \"%s\", wanted \"%s\"", ret, E, msg);
}

static bool addr_is(const struct nipsec_addr *a, const char *s)
{
	char buf[INET6_ADDRSTRLEN];

	return a->family && !strcmp(addr_str(a, buf, sizeof(buf)), s);
}

static bool key_is(const struct nipsec_alg *a, const char *hex)
{
	uint8_t k[NIPSEC_MAX_KEY_LEN];
	uint16_t len;
	char err[ERRLEN];

	if (parse_key(hex, NULL, k, &len, err))
		return false;
	return a->key_len == len && !memcmp(a->key, k, len);
}

static void test_sa_ip_xfrm(void)
{
	struct nipsec_sa_cfg *c = &C.sa;

	/* the classic ip xfrm tunnel line, verbatim after "ip xfrm state add" */
	if (good("sa add src 192.168.1.1 dst 192.168.1.2 proto esp spi 0x00000301 "
		 "mode tunnel auth hmac(sha256) " K32 " enc cbc(aes) " K16)) {
		tap_ok(C.op == OP_SA_ADD && addr_is(&c->src, "192.168.1.1") &&
		       addr_is(&c->dst, "192.168.1.2"), "sa add: addresses");
		tap_ok(c->proto == NIPSEC_PROTO_ESP && c->spi == 0x301 &&
		       c->mode == NIPSEC_MODE_TUNNEL, "sa add: proto, spi, mode");
		tap_ok(!strcmp(c->enc.name, "cbc(aes)") && key_is(&c->enc, K16),
		       "sa add: enc cbc(aes) with its key");
		tap_ok(!strcmp(c->auth.name, "hmac(sha256)") && c->auth.bits == 0 &&
		       key_is(&c->auth, K32), "sa add: auth without truncation leaves the RFC default");
		tap_ok(!c->aead.name[0] && !c->has_sel && !c->has_encap &&
		       !c->has_replay_window && !c->esn, "sa add: nothing else set");
	}
	if (good("state add " V4 " proto esp spi 1000 reqid 7 aead 'rfc4106(gcm(aes))' " K20 " 128")) {
		tap_ok(c->spi == 1000 && c->reqid == 7, "decimal spi, reqid");
		tap_ok(!strcmp(c->aead.name, "rfc4106(gcm(aes))") &&
		       c->aead.bits == 128 && c->aead.key_len == 20,
		       "aead rfc4106 with 128-bit ICV and salt");
		tap_ok(c->mode == NIPSEC_MODE_TRANSPORT, "mode defaults to transport");
	}
	good("sa add " V4 " proto esp spi 2 aead rfc4106(gcm(aes)) " K36 " 64");
	if (good("sa add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x53fa0fdd mode transport "
		 "reqid 0x53fa0fdd auth sha256 " K32 " enc aes " K32))
		tap_ok(c->reqid == 0x53fa0fdd && !strcmp(c->enc.name, "cbc(aes)") &&
		       !strcmp(c->auth.name, "hmac(sha256)"), "HOWTO line: hex reqid, short names");
	if (good("sa add src 1.1.1.1 dst 2.2.2.2 proto esp spi 0x1000 reqid 1 mode tunnel "
		 "aead \"rfc4106(gcm(aes))\" " K20 " 128 encap espinudp 4500 4500 0.0.0.0"))
		tap_ok(c->has_encap && c->encap.sport == 4500, "NAT-T line with a double-quoted name");
	good("sa add " V4 " proto esp spi 2 aead rfc4106(gcm(aes)) " K28 " 96");
	if (good("sa add " V6 " proto esp spi 3 aead 'rfc7539esp(chacha20,poly1305)' " K36 " 128"))
		tap_ok(c->src.family == AF_INET6 && addr_is(&c->dst, "2001:db8::2") &&
		       c->aead.key_len == 36, "IPv6 SA with chacha20poly1305");
	good("sa add " V4 " proto esp spi 4 aead rfc4543(gcm(aes)) " K20 " 128");
	if (good("sa add " V4 " proto esp spi 5 enc cbc(aes) " K32 " auth-trunc hmac(sha256) " K32 " 128"))
		tap_ok(c->auth.bits == 128, "auth-trunc keeps its bits");
	good("sa add " V4 " proto esp spi 5 enc aes " K24 " auth-trunc sha1 " K20 " 96");
	if (good("sa add " V4 " proto esp spi 6 enc cipher_null \"\" auth sha1 " K20))
		tap_ok(!strcmp(c->enc.name, "ecb(cipher_null)") && c->enc.key_len == 0 &&
		       !strcmp(c->auth.name, "hmac(sha1)"),
		       "ip xfrm aliases become kernel names (cipher_null, sha1)");
	good("sa add " V4 " proto esp spi 6 enc ecb(cipher_null) 0x auth hmac(sha512) " K64);
	if (good("sa add " V4 " proto ah spi 0x200 auth hmac(sha1) " K20))
		tap_ok(c->proto == NIPSEC_PROTO_AH && !c->enc.name[0], "AH with auth only");
	good("sa add " V4 " proto ah spi 0x200 auth-trunc hmac(sha384) " K48 " 192");
	good("sa add " V4 " proto ah spi 0x200 auth cmac(aes) " K16);
	good("sa add " V4 " proto ah spi 0x200 auth xcbc(aes) " K16);
	/* words in another order than ip prints them */
	good("sa add mode tunnel spi 9 proto esp dst 192.0.2.2 src 192.0.2.1 aead rfc4106(gcm(aes)) " K20 " 128");
	if (good("sa add " V4 " proto esp spi 10 replay-window 32 flag esn "
		 "enc cbc(aes) " K16 " auth sha256 " K32 " "
		 "sel src 10.0.0.0/24 dst 10.0.1.0/24 proto tcp dport 80 "
		 "limit time-soft 100 time-hard 200 "
		 "encap espinudp 4500 4501 0.0.0.0")) {
		tap_ok(c->has_replay_window && c->replay_window == 32 && c->esn,
		       "replay-window and flag esn");
		tap_ok(c->has_sel && c->sel.family == AF_INET &&
		       addr_is(&c->sel.src, "10.0.0.0") && c->sel.src_prefix == 24 &&
		       c->sel.dst_prefix == 24 && c->sel.proto == 6 &&
		       c->sel.dport_min == 80 && c->sel.dport_max == 80 &&
		       !c->sel.sport_min && !c->sel.sport_max, "sel with prefixes and dport");
		tap_ok(c->lifetime.soft_add_seconds == 100 &&
		       c->lifetime.hard_add_seconds == 200 && !c->lifetime.hard_bytes,
		       "grouped limits");
		tap_ok(c->has_encap && c->encap.type == NIPSEC_ENCAP_ESPINUDP &&
		       c->encap.sport == 4500 && c->encap.dport == 4501 &&
		       !c->encap.oa.family, "encap espinudp, 0.0.0.0 means no OA");
	}
	if (good("sa add " V4 " proto esp spi 11 enc cbc(aes) " K16 " auth sha1 " K20
		 " limit byte-soft 1000 limit packet-hard 5 limit time-use-soft 7 limit time-use-hard inf"))
		tap_ok(c->lifetime.soft_bytes == 1000 && c->lifetime.hard_packets == 5 &&
		       c->lifetime.soft_use_seconds == 7 && !c->lifetime.hard_use_seconds,
		       "ip-style repeated limit words, inf is no limit");
	if (good("sa add " V4 " proto esp spi 12 enc cbc(aes) " K16 " auth sha1 " K20
		 " sel src 10.0.0.1 dst 10.0.0.2 proto icmp type 8 code 0"))
		tap_ok(c->sel.has_icmp_type && c->sel.icmp_type == 8 &&
		       c->sel.has_icmp_code && !c->sel.icmp_code &&
		       c->sel.src_prefix == 32, "sel icmp type/code, host prefix");
	if (good("sa add " V6 " proto esp spi 12 enc cbc(aes) " K16 " auth sha1 " K20
		 " sel src 2001:db8:1::/48 dst ::/0 proto ipv6-icmp type 128"))
		tap_ok(c->sel.family == AF_INET6 && c->sel.src_prefix == 48 &&
		       c->sel.dst_prefix == 0 && c->sel.proto == 58, "IPv6 selector");
	good("sa add " V4 " proto esp spi 12 enc cbc(aes) " K16 " auth sha1 " K20
	     " sel src 10.0.0.0/8 dst 10.0.0.0/8 proto udp sport 1000-2000");
	tap_ok(C.sa.sel.sport_min == 1000 && C.sa.sel.sport_max == 2000, "port range");
	if (good("sa add " V4 " proto esp spi 13 enc cbc(aes) " K16 " auth sha1 " K20
		 " replay-oseq 41"))
		tap_ok(c->has_seq && c->seq == 41, "replay-oseq is the last sequence number sent");
	if (good("sa add " V4 " proto esp spi 13 enc cbc(aes) " K16 " auth sha1 " K20
		 " replay-oseq-hi 1 replay-oseq 0xffffffff"))
		tap_ok(c->seq == 0x1ffffffffull, "replay-oseq-hi for ESN");
	if (good("sa add " V6 " proto esp spi 14 aead rfc4106(gcm(aes)) " K20
		 " 128 encap espinudp 4500 4500 2001:db8::9"))
		tap_ok(addr_is(&c->encap.oa, "2001:db8::9"), "encap with an IPv6 OA");
	if (good("sa update " V4 " proto esp spi 15 limit time-hard 60"))
		tap_ok(C.op == OP_SA_UPDATE && !c->enc.name[0] &&
		       c->lifetime.hard_add_seconds == 60, "sa update of lifetimes only");
	good("sa update " V4 " proto esp spi 16 reqid 3 aead rfc4106(gcm(aes)) " K20 " 128");
	if (good("sa update dst 192.0.2.2 proto esp spi 16 encap espinudp 4500 4500 0.0.0.0"))
		tap_ok(!C.sa.src.family && C.sa.has_encap, "sa update without src (keyed by dst)");
	/* names the kernel may know although the tool does not */
	if (good("sa add " V4 " proto esp spi 17 enc cbc(foo) " K32 " auth hmac(sha3-256) " K32))
		tap_ok(!strcmp(c->enc.name, "cbc(foo)"), "unknown algorithms go to the kernel as named");
}

static void test_sa_proposals(void)
{
	struct nipsec_sa_cfg *c = &C.sa;

	if (good("sa add " V4 " proto esp spi 1 proposal aes256gcm16 " K36))
		tap_ok(!strcmp(c->aead.name, "rfc4106(gcm(aes))") &&
		       c->aead.bits == 128 && c->aead.key_len == 36,
		       "aes256gcm16 is rfc4106(gcm(aes)) icv 128");
	if (good("sa add " V4 " proto esp spi 1 proposal aes128gcm8 " K20))
		tap_ok(c->aead.bits == 64, "aes128gcm8: icv 64");
	if (good("sa add " V4 " proto esp spi 1 proposal aes128gcm12 " K20))
		tap_ok(c->aead.bits == 96, "aes128gcm12: icv 96");
	if (good("sa add " V4 " proto esp spi 1 proposal aes128gcm16 " K20))
		tap_ok(c->aead.bits == 128 && c->aead.key_len == 20, "aes128gcm16");
	if (good("sa add " V4 " proto esp spi 1 proposal aes192gcm16 " K28))
		tap_ok(c->aead.key_len == 28, "aes192gcm16 takes 28 bytes");
	good("sa add " V4 " proto esp spi 1 proposal aes256gcm128 " K36);
	if (good("sa add " V4 " proto esp spi 1 proposal chacha20poly1305 " K36))
		tap_ok(!strcmp(c->aead.name, "rfc7539esp(chacha20,poly1305)"),
		       "chacha20poly1305");
	if (good("sa add " V4 " proto esp spi 1 proposal aes128gmac " K20))
		tap_ok(!strcmp(c->aead.name, "rfc4543(gcm(aes))") && c->aead.bits == 128,
		       "aes128gmac is rfc4543");
	good("sa add " V4 " proto esp spi 1 proposal aes256gmac " K36);
	if (good("sa add " V4 " proto esp spi 1 proposal aes256-sha256 " K32 " " K32))
		tap_ok(!strcmp(c->enc.name, "cbc(aes)") && c->enc.key_len == 32 &&
		       !strcmp(c->auth.name, "hmac(sha256)") && c->auth.bits == 128,
		       "aes256-sha256: cbc(aes) + hmac(sha256) truncated to 128");
	if (good("sa add " V4 " proto esp spi 1 proposal aes128-sha1 " K16 " " K20))
		tap_ok(c->enc.key_len == 16 && c->auth.bits == 96, "aes128-sha1: 96 bits");
	if (good("sa add " V4 " proto esp spi 1 proposal aes256-sha384 " K32 " " K48))
		tap_ok(c->auth.bits == 192, "sha384: 192 bits");
	if (good("sa add " V4 " proto esp spi 1 proposal aes192-sha512 " K24 " " K64))
		tap_ok(c->auth.bits == 256 && c->enc.key_len == 24, "sha512: 256 bits");
	if (good("sa add " V4 " proto esp spi 1 proposal null-sha256 " K32))
		tap_ok(!strcmp(c->enc.name, "ecb(cipher_null)") && !c->enc.key_len &&
		       c->auth.key_len == 32, "null-sha256 takes one key");
	if (good("sa add " V4 " proto esp spi 1 proposal aes128gcm16-modp2048-esn " K20))
		tap_ok(c->esn, "proposal with a DH group and esn");
	good("sa add " V4 " proto esp spi 1 proposal AES256GCM16-ECP256-NOESN " K36);
	if (good("sa add " V4 " proto ah spi 1 proposal sha256 " K32))
		tap_ok(!c->enc.name[0] && c->auth.bits == 128, "AH proposal sha256");
	good("sa add " V4 " proto esp spi 1 proposal aes128-aesxcbc " K16 " " K16);
	bad("sa add " V4 " proto esp spi 1 proposal aes256gcm16-sha256 " K36, "AEAD");
	bad("sa add " V4 " proto esp spi 1 proposal aes256 " K32, "needs an integrity");
	bad("sa add " V4 " proto esp spi 1 proposal aes256-sha256 " K32, "needs 2 keys");
	bad("sa add " V4 " proto esp spi 1 proposal blowfish-sha1 " K16 " " K20, "unknown algorithm \"blowfish\"");
	bad("sa add " V4 " proto esp spi 1 proposal aes128-aes256-sha1 " K16 " " K32 " " K20, "only one encryption");
	bad("sa add " V4 " proto esp spi 1 proposal aes256gcm16 " K20, "aes256gcm16: key is 160 bits, must be 288");
	bad("sa add " V4 " proto esp spi 1 proposal aes128-sha256 " K32 " " K32, "aes128-sha256: key is 256 bits, must be 128");
	bad("sa add " V4 " proto esp spi 1 proposal aes128-sha256 " K16 " " K20, "aes128-sha256: key is 160 bits, must be 256");
	bad("sa add " V4 " proto esp spi 1 proposal aes128gcm10 " K20, "unknown algorithm");
	bad("sa add " V4 " proto esp spi 1 aead rfc4106(gcm(aes)) " K20 " 128 proposal aes128gcm16 " K20, "give only one");
	bad("sa add " V4 " proto ah spi 1 proposal aes128gcm16 " K20, "AH takes only an auth");
	bad("sa add " V4 " proto esp spi 1 proposal", "\"proposal\" needs a value");
}

static void test_keys(void)
{
	char path[] = "/tmp/nipsec-test-keyXXXXXX";
	char line[512];
	int fd;
	FILE *f;

	bad("sa add " V4 " proto esp spi 1 enc cbc(aes) 0x0011223 auth sha1 " K20, "odd number of hex digits");
	bad("sa add " V4 " proto esp spi 1 enc cbc(aes) 0x00112233445566778899aabbccddeefg auth sha1 " K20, "non-hex character 'g'");
	bad("sa add " V4 " proto esp spi 1 enc cbc(aes) " K20 " auth sha1 " K20, "key is 160 bits, must be 128 or 192 or 256");
	bad("sa add " V4 " proto esp spi 1 aead rfc4106(gcm(aes)) " K16 " 128", "must be 160 or 224 or 288");
	bad("sa add " V4 " proto esp spi 1 enc cbc(aes) " K16 " auth hmac(sha256) " K20, "hmac(sha256): key is 160 bits");
	bad("sa add " V4 " proto esp spi 1 enc cipher_null " K16 " auth sha1 " K20, "empty key");
	bad("sa add " V4 " proto esp spi 1 enc cbc(aes) 0x" H16 H16 H16 H16 H16 H16 H16 H16 H16 " auth sha1 " K20, "longer than 128 bytes");
	/* ip xfrm takes a plain string as the key bytes */
	if (good("sa add " V4 " proto esp spi 1 enc aes 1234567890123456 auth sha1 12345678901234567890"))
		tap_ok(C.sa.enc.key_len == 16 && C.sa.enc.key[0] == '1', "string keys like ip xfrm");

	/* @FILE: hex with or without 0x, white space around it */
	fd = mkstemp(path);
	if (!tap_ok(fd >= 0, "temporary key file"))
		return;
	if (write(fd, "  0x" H16 "\n", strlen("  0x" H16 "\n")) < 0)
		tap_diag("write failed");
	close(fd);
	snprintf(line, sizeof(line), "sa add " V4 " proto esp spi 1 enc cbc(aes) @%s auth sha1 " K20, path);
	if (good(line))
		tap_ok(key_is(&C.sa.enc, K16), "key read from @FILE");
	f = fopen(path, "w");
	if (f) {
		fputs(H16 H4 "\n", f);
		fclose(f);
	}
	snprintf(line, sizeof(line), "sa add " V4 " proto esp spi 1 aead rfc4106(gcm(aes)) @%s 128", path);
	if (good(line))
		tap_ok(key_is(&C.sa.aead, K20), "key file without 0x");
	f = fopen(path, "w");
	if (f)
		fclose(f);
	snprintf(line, sizeof(line), "sa add " V4 " proto esp spi 1 aead rfc4106(gcm(aes)) @%s 128", path);
	bad(line, "no key in");
	f = fopen(path, "w");
	if (f) {
		fputs("0x123\n", f);
		fclose(f);
	}
	bad(line, "odd number");
	unlink(path);
	bad(line, "No such file");

	/* "-": keys on standard input, one per line */
	key_in = fmemopen((char *)K16 "\n" H16 H16 "\n", strlen(K16 "\n" H16 H16 "\n"), "r");
	if (good("sa add " V4 " proto esp spi 1 enc cbc(aes) - auth hmac(sha256) -"))
		tap_ok(key_is(&C.sa.enc, K16) && key_is(&C.sa.auth, K32),
		       "two keys from standard input");
	if (key_in)
		fclose(key_in);
	key_in = NULL;
	bad("sa add " V4 " proto esp spi 1 enc cbc(aes) - auth hmac(sha256) " K32, "standard input is not available");
}

static void test_sa_errors(void)
{
	const char *algs = " enc cbc(aes) " K16 " auth sha1 " K20;
	char l[1024];

#define BAD(words, msg) do { \
		snprintf(l, sizeof(l), "sa add %s%s", words, algs); \
		bad(l, msg); \
	} while (0)
	BAD(V4 " proto esp spi 1 bogus 1", "unknown word \"bogus\"");
	BAD(V4 " proto esp spi 1 mark 7", "\"mark\" is not supported");
	BAD(V4 " proto esp spi 1 if_id 7", "\"if_id\" is not supported");
	BAD(V4 " proto esp spi 1 flag noecn", "flag \"noecn\" is not supported");
	BAD(V4 " proto esp spi 1 flag", "needs a flag");
	BAD(V4 " proto esp spi 1 spi 2", "\"spi\" given twice");
	BAD(V4 " proto esp spi 0x100000000", "must be between 0 and 4294967295");
	BAD(V4 " proto esp spi -1", "not a number");
	BAD(V4 " proto esp spi 12abc", "not a number");
	BAD(V4 " proto esp spi 0", "spi 0 is reserved");
	BAD(V4 " proto esp spi 1 reqid x", "not a number");
	BAD(V4 " proto esp spi 1 replay-window 16385", "between 0 and 16384");
	BAD(V4 " proto esp spi 1 mode beet", "\"mode beet\" is not supported by nipsec");
	BAD(V4 " proto esp spi 1 mode bogus", "must be one of transport, tunnel");
	BAD(V4 " proto comp spi 1", "\"proto comp\" is not supported by nipsec");
	BAD(V4 " proto bogus spi 1", "must be one of esp, ah");
	BAD("src 192.0.2.1 dst 2001:db8::1 proto esp spi 1", "families differ");
	BAD("src 192.0.2.256 dst 192.0.2.1 proto esp spi 1", "not an IPv4 or IPv6 address");
	BAD("src 192.0.2.1 dst fe80::zz proto esp spi 1", "not an IPv4 or IPv6 address");
	BAD("src host.example dst 192.0.2.1 proto esp spi 1", "not an IPv4 or IPv6 address");
	BAD("dst 192.0.2.1 proto esp spi 1", "needs \"src ADDR\"");
	BAD("src 192.0.2.1 proto esp spi 1", "needs \"dst ADDR\"");
	BAD(V4 " spi 1", "needs \"proto esp|ah\"");
	BAD(V4 " proto esp", "needs \"spi SPI\"");
	BAD(V4 " proto ah spi 1", "AH takes only an auth");
	BAD(V4 " proto esp spi 1 aead rfc4106(gcm(aes)) " K20 " 128", "excludes enc and auth");
	BAD(V4 " proto esp spi 1 sel src 10.0.0.0/33", "prefix length must be 0 to 32");
	BAD(V4 " proto esp spi 1 sel src 2001:db8::/129", "prefix length must be 0 to 128");
	BAD(V4 " proto esp spi 1 sel src 10.0.0.0/", "prefix length");
	BAD(V4 " proto esp spi 1 sel src 10.0.0.0/24 dst 2001:db8::/32", "sel: src and dst address families differ");
	BAD(V4 " proto esp spi 1 sel src 10.0.0.0/24 dport 80", "need proto tcp");
	BAD(V4 " proto esp spi 1 sel proto tcp dport 65536", "between 0 and 65535");
	BAD(V4 " proto esp spi 1 sel proto tcp dport 90-80", "empty port range");
	BAD(V4 " proto esp spi 1 sel proto tcp type 8", "need proto icmp");
	BAD(V4 " proto esp spi 1 sel proto icmp type 256", "between 0 and 255");
	BAD(V4 " proto esp spi 1 sel proto foo", "unknown protocol");
	BAD(V4 " proto esp spi 1 sel", "needs selector words");
	BAD(V4 " proto esp spi 1 limit", "needs time-soft");
	BAD(V4 " proto esp spi 1 limit byte-soft x", "not a number");
	BAD(V4 " proto ah spi 1 encap espinudp 4500 4500 0.0.0.0", "AH takes only");
	BAD(V4 " proto esp spi 1 encap espinudp-nonike 4500 4500 0.0.0.0", "only espinudp");
	BAD(V4 " proto esp spi 1 encap espinudp 4500 4500", "not an IPv4 or IPv6 address");
	BAD(V4 " proto esp spi 1 encap espinudp 4500 4500 2001:db8::1", "oa and SA address families differ");
#undef BAD
	bad("sa add " V4 " proto esp spi", "\"spi\" needs a value");
	bad("sa add " V4 " proto esp spi 1 enc cbc(aes) " K16 " encap espinudp 4500 4500", "\"encap oa\" needs a value");
	bad("sa add " V4 " proto ah spi 1 auth sha1 " K20 " encap espinudp 4500 4500 0.0.0.0", "encap needs proto esp");
	bad("sa add " V4 " proto esp spi 1", "ESP needs an aead or an enc");
	bad("sa add " V4 " proto esp spi 1 auth sha1 " K20, "ESP needs an aead or an enc");
	bad("sa add " V4 " proto ah spi 1", "AH needs an auth");
	bad("sa add " V4 " proto esp spi 1 aead rfc4106(gcm(aes)) " K20, "needs NAME KEY BITS");
	bad("sa add " V4 " proto esp spi 1 aead rfc4106(gcm(aes)) " K20 " 100", "ICV length 100 bits is not supported");
	bad("sa add " V4 " proto esp spi 1 aead rfc4543(gcm(aes)) " K20 " 96", "not supported");
	bad("sa add " V4 " proto esp spi 1 enc cbc(aes) " K16 " auth-trunc sha1 " K20 " 200", "truncation 200 bits is invalid");
	bad("sa add " V4 " proto esp spi 1 enc hmac(sha1) " K20, "is an auth algorithm, not enc");
	bad("sa add " V4 " proto esp spi 1 enc 'cbc(aes);x' " K16, "invalid algorithm name");
	bad("sa add " V4 " proto esp spi 1 enc cbc(aes) " K16 " enc cbc(aes) " K16, "given twice");
	bad("sa add " V4 " proto esp spi 1 enc cbc(aes)", "needs NAME KEY");
}

static void test_sa_other(void)
{
	if (good("sa del src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000"))
		tap_ok(C.op == OP_SA_DEL && C.id.spi == 0x1000 &&
		       C.id.proto == NIPSEC_PROTO_ESP && addr_is(&C.id.dst, "192.0.2.2"),
		       "sa del keys on spi, proto, dst");
	if (good("sa delete dst 2001:db8::2 proto ah spi 5"))
		tap_ok(C.id.dst.family == AF_INET6, "sa delete without src");
	if (good("sa get dst 192.0.2.2 proto esp spi 0x1000"))
		tap_ok(C.op == OP_SA_GET, "sa get");
	bad("sa del dst 192.0.2.2 proto esp", "needs \"spi SPI\"");
	bad("sa get src 192.0.2.1 proto esp spi 1", "needs \"dst ADDR\"");
	bad("sa del dst 192.0.2.2 proto esp spi 1 reqid 3", "unknown word \"reqid\"");
	if (good("sa list"))
		tap_ok(C.op == OP_SA_LIST && !C.filter.spi && !C.filter.proto &&
		       !C.filter.src.family, "sa list without filter");
	if (good("sa show src 192.0.2.1 proto esp spi 7 reqid 9"))
		tap_ok(C.filter.spi == 7 && C.filter.reqid == 9 &&
		       C.filter.proto == NIPSEC_PROTO_ESP &&
		       addr_is(&C.filter.src, "192.0.2.1") && !C.filter.dst.family,
		       "sa show with filters");
	bad("sa list mode tunnel", "unknown word \"mode\"");
	if (good("sa flush"))
		tap_ok(C.op == OP_SA_FLUSH && !C.proto, "sa flush all");
	if (good("sa flush proto ah"))
		tap_ok(C.proto == NIPSEC_PROTO_AH, "sa flush proto ah");
	good("sa deleteall");
	bad("sa flush spi 1", "unknown word \"spi\"");
	if (good("spi alloc src 192.0.2.1 dst 192.0.2.2 proto esp reqid 4 min 0x100 max 0x1ff timeout 60"))
		tap_ok(C.op == OP_SPI_ALLOC && C.spi.spi_min == 0x100 &&
		       C.spi.spi_max == 0x1ff && C.spi.timeout == 60 && C.spi.reqid == 4 &&
		       addr_is(&C.spi.dst, "192.0.2.2"), "spi alloc with range and timeout");
	if (good("sa allocspi src 192.0.2.1 dst 192.0.2.2 proto esp"))
		tap_ok(!C.spi.spi_min && !C.spi.spi_max && !C.spi.timeout,
		       "ip's allocspi, kernel defaults");
	if (good("spi alloc src 192.0.2.1 dst 192.0.2.2 proto esp min 0x1000"))
		tap_ok(C.spi.spi_min == 0x1000 && C.spi.spi_max == UINT32_MAX,
		       "min alone: max is the top");
	bad("spi alloc src 192.0.2.1 dst 192.0.2.2 proto esp min 10 max 9", "min is above max");
	bad("spi alloc src 192.0.2.1 dst 192.0.2.2 proto esp timeout 0", "between 1 and");
	bad("spi alloc src 192.0.2.1 dst 192.0.2.2", "needs \"proto esp|ah\"");
	bad("spi alloc dst 192.0.2.2 proto esp", "needs \"src ADDR\"");
	bad("spi free", "unknown command \"spi free\"");
}

static void test_policy(void)
{
	struct nipsec_policy_cfg *p = &C.pol;

	if (good("policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir out ptype main "
		 "tmpl src 192.168.1.1 dst 192.168.1.2 proto esp reqid 1 mode tunnel")) {
		tap_ok(C.op == OP_POLICY_ADD && p->dir == NIPSEC_DIR_OUT &&
		       p->action == NIPSEC_ACTION_PROTECT, "ip xfrm policy: tmpl implies protect");
		tap_ok(p->has_tmpl && p->tmpl.proto == NIPSEC_PROTO_ESP &&
		       p->tmpl.mode == NIPSEC_MODE_TUNNEL && p->tmpl.reqid == 1 &&
		       addr_is(&p->tmpl.src, "192.168.1.1") &&
		       addr_is(&p->tmpl.dst, "192.168.1.2"), "template fields");
		tap_ok(p->sel.family == AF_INET && p->sel.src_prefix == 24 &&
		       addr_is(&p->sel.dst, "10.0.2.0"), "policy selector");
	}
	/* as HOWTOs write them: hex reqids, words after the template */
	if (good("policy add src 10.0.0.1 dst 10.0.0.2 dir out tmpl src 10.0.0.1 dst 10.0.0.2 "
		 "proto esp reqid 0x53fa0fdd mode transport"))
		tap_ok(p->tmpl.reqid == 0x53fa0fdd, "hex reqid in a template");
	if (good("policy add dir out src 10.1.0.0/16 dst 10.2.0.0/16 tmpl src 1.1.1.1 dst 2.2.2.2 "
		 "proto esp reqid 1 mode tunnel priority 2000 ptype main"))
		tap_ok(p->priority == 2000 && p->tmpl.reqid == 1,
		       "policy words after the template belong to the policy");
	/* the shape of `ip xfrm policy` output lines, as strongSwan installs them */
	if (good("policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out priority 375423 ptype main "
		 "tmpl src 1.1.1.1 dst 2.2.2.2 proto esp spi 0xc0a80101 reqid 1 mode tunnel"))
		tap_ok(p->tmpl.spi == 0xc0a80101 && p->priority == 375423, "strongSwan-style policy line");
	if (good("policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir in"))
		tap_ok(p->action == NIPSEC_ACTION_BYPASS && !p->has_tmpl,
		       "default action allow is bypass");
	if (good("policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir fwd action block priority 10"))
		tap_ok(p->action == NIPSEC_ACTION_DISCARD && p->priority == 10 &&
		       p->dir == NIPSEC_DIR_FWD, "block is discard, priority");
	if (good("policy add dir out action allow tmpl proto esp mode transport level required"))
		tap_ok(p->action == NIPSEC_ACTION_PROTECT && !p->sel.family &&
		       !p->tmpl.src.family, "allow with a tmpl protects; any selector");
	good("policy add dir out action protect tmpl proto ah spi 0x55");
	tap_ok(C.pol.tmpl.spi == 0x55 && C.pol.tmpl.proto == NIPSEC_PROTO_AH, "tmpl spi and proto ah");
	if (good("policy add src 10.0.0.1 dst 10.0.0.2 proto tcp sport 22 dport 1024-65535 dir out action bypass"))
		tap_ok(p->sel.proto == 6 && p->sel.sport_min == 22 &&
		       p->sel.dport_min == 1024 && p->sel.dport_max == 65535 &&
		       p->sel.src_prefix == 32, "ports in a policy selector");
	if (good("policy add src 2001:db8::/64 dst 2001:db8:1::/64 proto ipv6-icmp type 135 code 0 dir in action discard"))
		tap_ok(p->sel.family == AF_INET6 && p->sel.has_icmp_type &&
		       p->sel.icmp_type == 135, "IPv6 ICMP selector");
	if (good("policy add src 10.0.0.0/8 dir out priority 4294967295"))
		tap_ok(p->priority == UINT32_MAX && !p->sel.dst.family, "max priority, src only");
	bad("policy add src 10.0.0.0/8 dst 10.0.0.0/8", "needs \"dir in|out|fwd\"");
	bad("policy add dir sideways", "must be one of in, out, fwd");
	bad("policy add dir out action protect", "needs a \"tmpl\"");
	bad("policy add dir out action block tmpl proto esp", "needs action protect");
	bad("policy add dir out action bypass tmpl proto esp", "needs action protect");
	bad("policy add dir out action maybe", "must be one of allow, block");
	bad("policy add dir out tmpl mode tunnel", "needs \"proto esp|ah\"");
	bad("policy add dir out tmpl proto esp mode tunnel", "tunnel mode needs src and dst");
	bad("policy add dir out tmpl src 192.0.2.1 dst 2001:db8::1 proto esp mode tunnel", "tmpl: src and dst address families differ");
	bad("policy add dir out tmpl proto esp level use", "\"level use\"");
	bad("policy add dir out tmpl proto esp tmpl proto ah", "a second \"tmpl\" is not supported");
	bad("policy add src 10.0.0.0/8 dst 2001:db8::/32 dir out", "selector: src and dst address families differ");
	bad("policy add src 10.0.0.0/8 dst 10.0.0.0/8 dport 80 dir out", "need proto tcp");
	bad("policy add src 10.0.0.0/8 dst 10.0.0.0/8 proto udp code 1 dir out", "need proto icmp");
	bad("policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir out ptype sub", "only main");
	bad("policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir out mark 1", "\"mark\" is not supported");
	bad("policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir out dev eth0", "\"dev\" is not supported");
	bad("policy add src 10.0.0.0/8 dir out priority -5", "not a number");
	bad("policy add src 10.0.0.0/8 dir out id 5", "unknown word \"id\"");

	if (good("policy del id 5"))
		tap_ok(C.op == OP_POLICY_DEL && C.by_id && C.policy_id == 5, "policy del id");
	if (good("policy delete index 6"))
		tap_ok(C.by_id && C.policy_id == 6, "ip's index word");
	if (good("policy del dir out src 10.0.1.0/24 dst 10.0.2.0/24"))
		tap_ok(!C.by_id && p->dir == NIPSEC_DIR_OUT && p->sel.dst_prefix == 24,
		       "policy del by dir and selector");
	bad("policy del src 10.0.1.0/24 dst 10.0.2.0/24", "or \"id N\"");
	bad("policy del id 5 src 10.0.0.0/8", "identifies the policy alone");
	if (good("policy del index 5 dir out"))
		tap_ok(C.by_id && C.id_dir && C.pol.dir == NIPSEC_DIR_OUT,
		       "ip xfrm's index with dir: the dir is checked");
	bad("policy del dir out priority 5", "unknown word \"priority\"");
	if (good("policy get id 3"))
		tap_ok(C.op == OP_POLICY_GET && C.policy_id == 3, "policy get id");
	good("policy get dir in src 10.0.2.0/24 dst 10.0.1.0/24");
	if (good("policy list"))
		tap_ok(C.op == OP_POLICY_LIST && C.dir == -1, "policy list all");
	if (good("policy show dir fwd"))
		tap_ok(C.dir == NIPSEC_DIR_FWD, "policy show dir fwd");
	if (good("policy flush"))
		tap_ok(C.op == OP_POLICY_FLUSH && C.dir == -1, "policy flush");
	if (good("pol flush dir in"))
		tap_ok(C.dir == NIPSEC_DIR_IN, "pol alias, flush dir in");
	bad("policy list src 10.0.0.0/8", "unknown word \"src\"");
	bad("policy flush dir", "\"dir\" needs a value");
}

static void test_misc(void)
{
	char buf[256], *w[8];

	if (good("stats"))
		tap_ok(C.op == OP_STATS && !C.has_id, "global stats");
	if (good("stats sa 0x1000 dst 192.0.2.2 proto esp"))
		tap_ok(C.has_id && C.id.spi == 0x1000 && C.id.proto == NIPSEC_PROTO_ESP,
		       "stats of one SA");
	good("stats spi 7 dst 2001:db8::1 proto ah");
	bad("stats sa 0x1000", "need \"sa SPI dst ADDR");
	bad("stats bogus", "unknown word");
	if (good("monitor"))
		tap_ok(C.op == OP_MONITOR, "monitor");
	good("monitor all");
	if (good("monitor acquire expire"))
		tap_ok(C.events == (1u << NIPSEC_EVENT_ACQUIRE | 1u << NIPSEC_EVENT_EXPIRE),
		       "monitor OBJECTS: only those events");
	bad("monitor bogus", "unknown word");
	if (good("help"))
		tap_ok(C.op == OP_HELP && !C.topic, "help");
	if (good("help sa"))
		tap_ok(C.topic && !strcmp(C.topic, "sa"), "help sa");
	if (good("policy help"))
		tap_ok(C.op == OP_HELP && !strcmp(C.topic, "policy"), "policy help");
	bad("bogus add", "unknown object \"bogus\"");
	bad("help bogus", "no help on \"bogus\"");
	bad("help sa policy", "at most one word");
	bad("sa", "needs a command");
	bad("sa frobnicate", "unknown command \"sa frobnicate\"");
	tap_ok(parse_cmd(0, NULL, NULL, &C, E) == -1 && strstr(E, "no command"),
	       "no words at all");

	/* the batch line splitter */
	snprintf(buf, sizeof(buf), "sa add 'a b' \"c\\\"d\" e\\ f # comment");
	tap_ok(split_words(buf, w, 8) == 5 && !strcmp(w[2], "a b") &&
	       !strcmp(w[3], "c\"d") && !strcmp(w[4], "e f"),
	       "split_words: quotes, escapes, comments");
	snprintf(buf, sizeof(buf), "   # only a comment");
	tap_ok(split_words(buf, w, 8) == 0, "split_words: comment line");
	snprintf(buf, sizeof(buf), "sa add 'open");
	tap_ok(split_words(buf, w, 8) == -1, "split_words: unterminated quote");
	snprintf(buf, sizeof(buf), "1 2 3 4 5 6 7 8 9");
	tap_ok(split_words(buf, w, 8) == -1, "split_words: too many words");
	snprintf(buf, sizeof(buf), "enc cipher_null \"\" x");
	tap_ok(split_words(buf, w, 8) == 4 && !w[2][0], "split_words: empty quoted word");

	/* wiping clears keys */
	good("sa add " V4 " proto esp spi 1 aead rfc4106(gcm(aes)) " K20 " 128");
	cmd_wipe(&C);
	tap_ok(!C.sa.aead.key[0] && !C.sa.aead.key[1] && !C.sa.aead.key_len,
	       "cmd_wipe clears key material");
}

/*
 * Random lines from the parser's own vocabulary: no crash, no overflow
 * (the ASan build watches), and always a verdict with a message on error.
 */
static void test_random_lines(void)
{
	static const char *const vocab[] = {
		"sa", "policy", "spi", "stats", "monitor", "help", "state",
		"add", "update", "del", "get", "list", "flush", "alloc",
		"src", "dst", "proto", "spi", "mode", "reqid", "replay-window",
		"flag", "esn", "aead", "enc", "auth", "auth-trunc", "proposal",
		"sel", "limit", "encap", "espinudp", "time-soft", "byte-hard",
		"sport", "dport", "type", "code", "dir", "in", "out", "fwd",
		"priority", "action", "allow", "block", "tmpl", "level",
		"required", "id", "min", "max", "timeout", "esp", "ah", "tcp",
		"icmp", "tunnel", "transport", "192.0.2.1", "2001:db8::1",
		"10.0.0.0/8", "::/0", "0", "1", "128", "65536", "0x100",
		"-1", "", "rfc4106(gcm(aes))", "cbc(aes)", "sha256",
		"aes256gcm16", "aes128-sha1", K16, K20, K32, "0x1", "@/nonexistent",
		"-", "inf", "1000-2000", "replay-oseq", "ptype", "main",
	};
	const size_t nv = sizeof(vocab) / sizeof(vocab[0]);
	uint32_t seed = 12345;
	int ok_n = 0, err_n = 0, silent = 0;

	for (int round = 0; round < 20000; round++) {
		char *w[24];
		struct parse_env env = { .key_stdin = NULL };
		int n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 24;

		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			w[i] = (char *)vocab[(seed >> 16) % nv];
		}
		/* most lines start with a real command, to get past it */
		if (round % 4 && n > 2) {
			static const char *const heads[][2] = {
				{ "sa", "add" }, { "sa", "update" }, { "sa", "del" },
				{ "sa", "list" }, { "spi", "alloc" }, { "policy", "add" },
				{ "policy", "del" }, { "policy", "get" }, { "stats", "sa" },
			};

			seed = seed * 1103515245u + 12345u;
			w[0] = (char *)heads[(seed >> 16) % 9][0];
			w[1] = (char *)heads[(seed >> 16) % 9][1];
		}
		if (!parse_cmd(n, w, &env, &C, E)) {
			ok_n++;
		} else {
			err_n++;
			silent += !E[0];
		}
		cmd_wipe(&C);
	}
	tap_ok(!silent && ok_n + err_n == 20000,
	       "20000 random lines: %d accepted, %d refused, each with a message",
	       ok_n, err_n);
}

void test_parse(void)
{
	test_sa_ip_xfrm();
	test_sa_proposals();
	test_keys();
	test_sa_errors();
	test_sa_other();
	test_policy();
	test_misc();
	test_random_lines();
}
