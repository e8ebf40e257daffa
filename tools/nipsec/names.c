// SPDX-License-Identifier: GPL-2.0
/*
 * Name tables of the nipsec tool: protocol, mode, direction words, keys,
 * algorithms as ip xfrm names them and strongSwan proposal keywords.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nipsec.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const struct name_val xfrm_protos[] = {
	{ "esp", NIPSEC_PROTO_ESP },
	{ "ah", NIPSEC_PROTO_AH },
	{ NULL, 0 }
};

const struct name_val modes[] = {
	{ "transport", NIPSEC_MODE_TRANSPORT },
	{ "tunnel", NIPSEC_MODE_TUNNEL },
	{ NULL, 0 }
};

const struct name_val dirs[] = {
	{ "in", NIPSEC_DIR_IN },
	{ "out", NIPSEC_DIR_OUT },
	{ "fwd", NIPSEC_DIR_FWD },
	{ NULL, 0 }
};

const struct name_val actions[] = {
	{ "protect", NIPSEC_ACTION_PROTECT },
	{ "bypass", NIPSEC_ACTION_BYPASS },
	{ "discard", NIPSEC_ACTION_DISCARD },
	{ NULL, 0 }
};

const struct name_val sa_states[] = {
	{ "larval", NIPSEC_SA_STATE_LARVAL },
	{ "mature", NIPSEC_SA_STATE_MATURE },
	{ "dying", NIPSEC_SA_STATE_DYING },
	{ "dead", NIPSEC_SA_STATE_DEAD },
	{ NULL, 0 }
};

const struct name_val limits[] = {
	{ "bytes", NIPSEC_LIMIT_BYTES },
	{ "packets", NIPSEC_LIMIT_PACKETS },
	{ "add-time", NIPSEC_LIMIT_ADD_TIME },
	{ "use-time", NIPSEC_LIMIT_USE_TIME },
	{ "seq", NIPSEC_LIMIT_SEQ },
	{ NULL, 0 }
};

/*
 * Upper-layer protocols by name, without /etc/protocols so the parser
 * gives the same answer everywhere. The first name of a number is the one
 * printed.
 */
const struct name_val ul_protos[] = {
	{ "any", 0 },
	{ "icmp", 1 },
	{ "igmp", 2 },
	{ "ipip", 4 },
	{ "tcp", 6 },
	{ "udp", 17 },
	{ "ipv6", 41 },
	{ "gre", 47 },
	{ "esp", 50 },
	{ "ah", 51 },
	{ "ipv6-icmp", 58 },
	{ "icmpv6", 58 },
	{ "icmp6", 58 },
	{ "sctp", 132 },
	{ "dccp", 33 },
	{ "udplite", 136 },
	{ "mobility-header", 135 },
	{ NULL, 0 }
};

int name_lookup(const struct name_val *t, const char *name)
{
	for (; t->name; t++)
		if (!strcmp(t->name, name))
			return t->val;
	return -1;
}

const char *name_of(const struct name_val *t, int val)
{
	for (; t->name; t++)
		if (t->val == val)
			return t->name;
	return NULL;
}

/* ---- keys ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex digits (no prefix) of length n into key. */
static int hex_decode(const char *s, size_t n, uint8_t *key, uint16_t *len,
		      char *err)
{
	if (n % 2) {
		snprintf(err, ERRLEN, "key has an odd number of hex digits (%zu)", n);
		return -1;
	}
	if (n / 2 > NIPSEC_MAX_KEY_LEN) {
		snprintf(err, ERRLEN, "key is longer than %d bytes",
			 NIPSEC_MAX_KEY_LEN);
		return -1;
	}
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0) {
			snprintf(err, ERRLEN, "key has a non-hex character '%c'",
				 hi < 0 ? s[i] : s[i + 1]);
			return -1;
		}
		key[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = (uint16_t)(n / 2);
	return 0;
}

/*
 * A key read from a file or stdin: hex digits, "0x" optional, surrounding
 * white space ignored, so `openssl rand -hex 20 > key` just works.
 */
static int key_from_stream(FILE *f, const char *what, uint8_t *key,
			   uint16_t *len, char *err)
{
	char buf[2 * NIPSEC_MAX_KEY_LEN + 64];
	size_t n = 0;
	char *s;
	int c, ret;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (n == sizeof(buf) - 1) {
			snprintf(err, ERRLEN, "key in %s is too long", what);
			explicit_bzero(buf, sizeof(buf));
			return -1;
		}
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	s = buf;
	while (isspace((unsigned char)*s))
		s++;
	if (!strncasecmp(s, "0x", 2))
		s += 2;
	if (!*s) {
		snprintf(err, ERRLEN, "no key in %s", what);
		return -1;
	}
	ret = hex_decode(s, strlen(s), key, len, err);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

int parse_key(const char *arg, const struct parse_env *env, uint8_t *key,
	      uint16_t *len, char *err)
{
	size_t n = strlen(arg);

	if (!strncasecmp(arg, "0x", 2))
		return hex_decode(arg + 2, n - 2, key, len, err);
	if (arg[0] == '@') {
		FILE *f = fopen(arg + 1, "re");
		int ret;

		if (!f) {
			snprintf(err, ERRLEN, "key file %s: %s", arg + 1,
				 strerror(errno));
			return -1;
		}
		/* unbuffered: no copy of the key in a stdio buffer */
		setvbuf(f, NULL, _IONBF, 0);
		ret = key_from_stream(f, arg + 1, key, len, err);
		fclose(f);
		return ret;
	}
	if (!strcmp(arg, "-")) {
		if (!env || !env->key_stdin) {
			snprintf(err, ERRLEN,
				 "key \"-\": standard input is not available for keys");
			return -1;
		}
		return key_from_stream(env->key_stdin, "standard input", key,
				       len, err);
	}
	/* like ip xfrm: anything else is the key's bytes themselves */
	if (n > NIPSEC_MAX_KEY_LEN) {
		snprintf(err, ERRLEN, "key is longer than %d bytes",
			 NIPSEC_MAX_KEY_LEN);
		return -1;
	}
	memcpy(key, arg, n);
	*len = (uint16_t)n;
	return 0;
}

/* ---- algorithms ---- */

/*
 * Algorithms nipsec knows by name. Key lengths are in bytes and include the
 * salt or nonce that RFC 4106/4309/4543/7634/3686 put at the key's end.
 * For AEADs bits lists the allowed ICV lengths; for integrity algorithms
 * bits[0] is the RFC default truncation and max_bits the full output.
 */
struct alg_info {
	const char *name;
	const char *alias;		/* compatibility name ip xfrm takes */
	enum alg_kind kind;
	uint8_t keys[4];		/* allowed key lengths, 0-terminated... */
	bool null_key;			/* ...except for the empty key */
	uint16_t bits[4];
	uint16_t max_bits;
};

static const struct alg_info algs[] = {
	{ "rfc4106(gcm(aes))", NULL, ALG_AEAD, { 20, 28, 36 }, false, { 64, 96, 128 }, 0 },
	{ "rfc4543(gcm(aes))", NULL, ALG_AEAD, { 20, 28, 36 }, false, { 128 }, 0 },
	{ "rfc7539esp(chacha20,poly1305)", NULL, ALG_AEAD, { 36 }, false, { 128 }, 0 },
	{ "cbc(aes)", "aes", ALG_ENC, { 16, 24, 32 }, false, { 0 }, 0 },
	{ "ecb(cipher_null)", "cipher_null", ALG_ENC, { 0 }, true, { 0 }, 0 },
	{ "hmac(sha1)", "sha1", ALG_AUTH, { 20 }, false, { 96 }, 160 },
	{ "hmac(sha256)", "sha256", ALG_AUTH, { 32 }, false, { 128 }, 256 },
	{ "hmac(sha384)", "sha384", ALG_AUTH, { 48 }, false, { 192 }, 384 },
	{ "hmac(sha512)", "sha512", ALG_AUTH, { 64 }, false, { 256 }, 512 },
	{ "xcbc(aes)", NULL, ALG_AUTH, { 16 }, false, { 96 }, 128 },
	{ "cmac(aes)", NULL, ALG_AUTH, { 16 }, false, { 96 }, 128 },
};

/*
 * The rest of XFRM's algorithm table (net/xfrm/xfrm_algo.c), each with why
 * nipsec refuses it: an ip xfrm line naming one fails here with the reason,
 * not with the kernel's "unknown algorithm".
 */
struct alg_refused {
	const char *name;
	const char *alias;
	const char *why;
};

#define NOT_IMPL "not implemented by nipsec"
#define RFC8221_MUST_NOT "RFC 8221 says MUST NOT"

static const struct alg_refused refused_algs[] = {
	{ "digest_null", NULL,
	  "ESP without integrity is refused (RFC 8221 5: an AEAD or an integrity algorithm is needed; for integrity only use enc cipher_null with an auth)" },
	{ "rfc4309(ccm(aes))", NULL, NOT_IMPL " (use rfc4106(gcm(aes)))" },
	{ "rfc3686(ctr(aes))", NULL, NOT_IMPL " (use rfc4106(gcm(aes)) or cbc(aes))" },
	{ "cbc(des3_ede)", "des3_ede",
	  "refused: 64-bit blocks (Sweet32; RFC 8221 says SHOULD NOT)" },
	{ "cbc(des)", "des", "refused: 56-bit key; " RFC8221_MUST_NOT },
	{ "hmac(md5)", "md5", "refused: " RFC8221_MUST_NOT },
	{ "cbc(camellia)", "camellia", NOT_IMPL },
	{ "cbc(cast5)", "cast5", NOT_IMPL },
	{ "cbc(blowfish)", "blowfish", NOT_IMPL },
	{ "cbc(serpent)", "serpent", NOT_IMPL },
	{ "cbc(twofish)", "twofish", NOT_IMPL },
	{ "cbc(sm4)", "sm4", NOT_IMPL },
	{ "hmac(rmd160)", "rmd160", NOT_IMPL },
	{ "hmac(sm3)", "sm3", NOT_IMPL },
	{ "deflate", NULL, "IPComp is " NOT_IMPL },
	{ "lzs", NULL, "IPComp is " NOT_IMPL },
	{ "lzjh", NULL, "IPComp is " NOT_IMPL },
};

static const struct alg_refused *alg_refused_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(refused_algs); i++)
		if (!strcmp(refused_algs[i].name, name) ||
		    (refused_algs[i].alias && !strcmp(refused_algs[i].alias, name)))
			return &refused_algs[i];
	return NULL;
}

static const char *const kind_names[] = {
	[ALG_AEAD] = "aead", [ALG_ENC] = "enc", [ALG_AUTH] = "auth",
};

static const struct alg_info *alg_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(algs); i++)
		if (!strcmp(algs[i].name, name) ||
		    (algs[i].alias && !strcmp(algs[i].alias, name)))
			return &algs[i];
	return NULL;
}

static bool key_len_ok(const struct alg_info *a, uint16_t len)
{
	if (a->null_key)
		return len == 0;
	for (size_t i = 0; i < ARRAY_SIZE(a->keys) && a->keys[i]; i++)
		if (a->keys[i] == len)
			return true;
	return false;
}

static void key_lens_str(const struct alg_info *a, char *buf, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(a->keys) && a->keys[i] && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%u",
					i ? " or " : "", a->keys[i] * 8u);
}

/* Names the kernel's crypto API could know: letters, digits, "(),_-". */
static bool name_plausible(const char *name)
{
	if (!*name || strlen(name) >= NIPSEC_ALG_NAME_LEN)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("(),_-", *p))
			return false;
	return true;
}

static int check_bits(const struct alg_info *a, struct nipsec_alg *alg,
		      char *err)
{
	if (a->kind == ALG_AEAD) {
		for (size_t i = 0; i < ARRAY_SIZE(a->bits) && a->bits[i]; i++)
			if (a->bits[i] == alg->bits)
				return 0;
		snprintf(err, ERRLEN, "%s: ICV length %u bits is not supported",
			 a->name, alg->bits);
		return -1;
	}
	if (alg->bits % 8 || alg->bits < 32 || alg->bits > a->max_bits) {
		snprintf(err, ERRLEN,
			 "%s: truncation %u bits is invalid (32 to %u, a multiple of 8)",
			 a->name, alg->bits, a->max_bits);
		return -1;
	}
	return 0;
}

int alg_check(enum alg_kind kind, const char *name, struct nipsec_alg *alg,
	      bool bits_given, char *err)
{
	const struct alg_info *a = alg_find(name);
	const struct alg_refused *r = alg_refused_find(name);
	char lens[64];

	if (r) {
		snprintf(err, ERRLEN, "%s %s is not supported by nipsec: %s",
			 kind_names[kind], name, r->why);
		return -1;
	}
	if (kind == ALG_AEAD && !bits_given) {
		snprintf(err, ERRLEN, "aead %s needs an ICV length in bits", name);
		return -1;
	}
	if (!a) {
		/* unknown to us: the kernel decides, only check the shape */
		if (!name_plausible(name)) {
			snprintf(err, ERRLEN, "invalid algorithm name \"%s\"", name);
			return -1;
		}
		snprintf(alg->name, sizeof(alg->name), "%s", name);
		return 0;
	}
	if (a->kind != kind) {
		snprintf(err, ERRLEN, "%s is an %s algorithm, not %s", a->name,
			 kind_names[a->kind], kind_names[kind]);
		return -1;
	}
	if (!key_len_ok(a, alg->key_len)) {
		key_lens_str(a, lens, sizeof(lens));
		if (a->null_key)
			snprintf(err, ERRLEN, "%s takes an empty key (\"\" or 0x)",
				 a->name);
		else
			snprintf(err, ERRLEN,
				 "%s: key is %u bits, must be %s bits", a->name,
				 alg->key_len * 8u, lens);
		return -1;
	}
	if (bits_given && check_bits(a, alg, err))
		return -1;
	snprintf(alg->name, sizeof(alg->name), "%s", a->name);
	return 0;
}

/* ---- strongSwan proposals ---- */

struct sw_integ {
	const char *name;
	const char *alg;
	uint16_t key_len;
	uint32_t trunc;
};

static const struct sw_integ sw_integs[] = {
	{ "md5", "hmac(md5)", 16, 96 },
	{ "sha1", "hmac(sha1)", 20, 96 },
	{ "sha", "hmac(sha1)", 20, 96 },
	{ "sha256", "hmac(sha256)", 32, 128 },
	{ "sha2_256", "hmac(sha256)", 32, 128 },
	{ "sha256_96", "hmac(sha256)", 32, 96 },
	{ "sha2_256_96", "hmac(sha256)", 32, 96 },
	{ "sha384", "hmac(sha384)", 48, 192 },
	{ "sha2_384", "hmac(sha384)", 48, 192 },
	{ "sha512", "hmac(sha512)", 64, 256 },
	{ "sha2_512", "hmac(sha512)", 64, 256 },
	{ "aesxcbc", "xcbc(aes)", 16, 96 },
	{ "aescmac", "cmac(aes)", 16, 96 },
};

/* Key exchange methods and flags of a proposal: no keying material. */
static bool sw_ignored(const char *tok)
{
	static const char *const prefixes[] = {
		"modp", "ecp", "curve", "x25519", "x448", "mlkem", "ke",
		"noesn",
	};

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(tok, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* "128" etc. as an AES key size; *end is what follows the digits. */
static int aes_bits(const char *s, const char **end)
{
	if (!strncmp(s, "128", 3) || !strncmp(s, "192", 3) ||
	    !strncmp(s, "256", 3)) {
		*end = s + 3;
		return atoi(s);
	}
	*end = s;
	return 128;		/* strongSwan's "aes" alone is AES-128 */
}

/* ICV suffix of gcm/ccm: octets (8, 12, 16) or bits (64, 96, 128). */
static uint32_t icv_suffix(const char *s)
{
	static const struct { const char *s; uint32_t bits; } t[] = {
		{ "8", 64 }, { "12", 96 }, { "16", 128 },
		{ "64", 64 }, { "96", 96 }, { "128", 128 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (!strcmp(s, t[i].s))
			return t[i].bits;
	return 0;
}

static int set_enc(struct proposal *p, const char *alg, uint16_t key_len,
		   bool aead, uint32_t icv, const char *tok, char *err)
{
	if (p->enc[0]) {
		snprintf(err, ERRLEN,
			 "proposal: \"%s\": only one encryption algorithm per SA",
			 tok);
		return -1;
	}
	snprintf(p->enc, sizeof(p->enc), "%s", alg);
	p->enc_key_len = key_len;
	p->aead = aead;
	p->icv_bits = icv;
	return 0;
}

static int sw_enc(const char *tok, struct proposal *p, char *err)
{
	const char *rest;
	int bits;
	uint32_t icv;

	if (!strcmp(tok, "chacha20poly1305"))
		return set_enc(p, "rfc7539esp(chacha20,poly1305)", 36, true, 128,
			       tok, err);
	if (!strcmp(tok, "null"))
		return set_enc(p, "ecb(cipher_null)", 0, false, 0, tok, err);
	if (!strcmp(tok, "3des"))
		return set_enc(p, "cbc(des3_ede)", 24, false, 0, tok, err);
	if (!strncmp(tok, "camellia", 8)) {
		bits = aes_bits(tok + 8, &rest);
		if (*rest)
			return 1;
		return set_enc(p, "cbc(camellia)", (uint16_t)(bits / 8), false,
			       0, tok, err);
	}
	if (strncmp(tok, "aes", 3))
		return 1;
	bits = aes_bits(tok + 3, &rest);
	if (!*rest)
		return set_enc(p, "cbc(aes)", (uint16_t)(bits / 8), false, 0,
			       tok, err);
	if (!strcmp(rest, "ctr"))
		return set_enc(p, "rfc3686(ctr(aes))", (uint16_t)(bits / 8 + 4),
			       false, 0, tok, err);
	if (!strcmp(rest, "gmac"))
		return set_enc(p, "rfc4543(gcm(aes))", (uint16_t)(bits / 8 + 4),
			       true, 128, tok, err);
	/* gcm and ccm: the salt is 4 and 3 bytes */
	icv = strlen(rest) > 3 ? icv_suffix(rest + 3) : 0;
	if (icv && !strncmp(rest, "gcm", 3))
		return set_enc(p, "rfc4106(gcm(aes))", (uint16_t)(bits / 8 + 4),
			       true, icv, tok, err);
	if (icv && !strncmp(rest, "ccm", 3))
		return set_enc(p, "rfc4309(ccm(aes))", (uint16_t)(bits / 8 + 3),
			       true, icv, tok, err);
	return 1;
}

static int sw_integ(const char *tok, struct proposal *p, char *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(sw_integs); i++) {
		const struct sw_integ *s = &sw_integs[i];

		if (strcmp(tok, s->name))
			continue;
		if (p->auth[0]) {
			snprintf(err, ERRLEN,
				 "proposal: \"%s\": only one integrity algorithm per SA",
				 tok);
			return -1;
		}
		snprintf(p->auth, sizeof(p->auth), "%s", s->alg);
		p->auth_key_len = s->key_len;
		p->trunc_bits = s->trunc;
		return 0;
	}
	return 1;
}

int proposal_parse(const char *name, struct proposal *p, char *err)
{
	char buf[128];
	char *tok, *save = NULL;
	int ret;

	memset(p, 0, sizeof(*p));
	if (strlen(name) >= sizeof(buf)) {
		snprintf(err, ERRLEN, "proposal is too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", name);
	for (char *c = buf; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (tok = strtok_r(buf, "-", &save); tok;
	     tok = strtok_r(NULL, "-", &save)) {
		if (!strcmp(tok, "esn")) {
			p->esn = true;
			continue;
		}
		ret = sw_enc(tok, p, err);
		if (ret > 0)
			ret = sw_integ(tok, p, err);
		if (ret > 0 && sw_ignored(tok))
			ret = 0;
		if (ret < 0)
			return -1;
		if (ret > 0) {
			snprintf(err, ERRLEN,
				 "proposal \"%s\": unknown algorithm \"%s\"",
				 name, tok);
			return -1;
		}
	}
	if (p->aead && p->auth[0]) {
		snprintf(err, ERRLEN,
			 "proposal \"%s\": %s is an AEAD, it takes no integrity algorithm",
			 name, p->enc);
		return -1;
	}
	if (!p->enc[0] && !p->auth[0]) {
		snprintf(err, ERRLEN, "proposal \"%s\" has no algorithm", name);
		return -1;
	}
	if (p->enc[0] && !p->aead && !p->auth[0]) {
		snprintf(err, ERRLEN,
			 "proposal \"%s\": %s needs an integrity algorithm",
			 name, p->enc);
		return -1;
	}
	return 0;
}

/* Keys a proposal takes on the command line: cipher_null takes none. */
int proposal_nkeys(const struct proposal *p)
{
	return (p->enc[0] && p->enc_key_len) + !!p->auth[0];
}
