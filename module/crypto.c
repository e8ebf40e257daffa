// SPDX-License-Identifier: GPL-2.0
/*
 * nipsec crypto: the table of ESP and AH algorithms (named as ip xfrm
 * names them) and the one transform each SA owns: an AEAD for ESP, an
 * ahash (keyed hash) for AH.
 *
 * Every ESP algorithm is driven through the kernel's AEAD interface: the
 * combined-mode ciphers directly (rfc4106, rfc4543, rfc7539esp), a cipher
 * with an integrity algorithm through the authenc()/authencesn() templates,
 * exactly as XFRM does, so the bytes on the wire are the same.
 *
 * We never use the seqiv()/echainiv() IV generators: esp.c builds the IV
 * itself (a counter for the combined modes, random for CBC), which keeps
 * the request layout identical for both directions.
 */
#include <linux/module.h>
#include <linux/crypto.h>
#include <linux/rtnetlink.h>
#include <linux/netlink.h>
#include <crypto/aead.h>
#include <crypto/authenc.h>
#include <crypto/hash.h>
#include <kunit/visibility.h>

#include "nipsec.h"
#include "crypto.h"
#include "netlink.h"
#include "sa.h"
#include "esp.h"
#include "ah.h"
#include "xform.h"

static bool force_async;
module_param(force_async, bool, 0444);
MODULE_PARM_DESC(force_async,
		 "Wrap every ESP and AH transform in cryptd() (asynchronous completion; for tests)");

static bool allow_null_esp;
module_param(allow_null_esp, bool, 0644);
MODULE_PARM_DESC(allow_null_esp,
		 "INSECURE: accept ESP SAs with neither encryption nor integrity (RFC 4303 3.2 forbids them; for tests and benchmarks)");

/* Key lengths, all multiples of 4 bytes: bit n/4 set accepts n bytes. */
#define KEYLEN(n)	BIT((n) / 4)

enum nipsec_alg_kind { ALG_AEAD, ALG_ENC, ALG_AUTH };

/**
 * struct nipsec_alg - one algorithm ip xfrm knows by this name
 * @name: ip xfrm (and crypto API) name
 * @alias: another accepted name, or NULL
 * @kind: AEAD, cipher or integrity algorithm
 * @keylens: accepted key lengths in bytes (salt included), KEYLEN() mask
 * @bits: allowed ICV/truncation lengths in bits, 0-terminated
 * @def_bits: default ICV/truncation length
 * @counter_iv: the IV may be a counter (it must be unique, not random)
 */
struct nipsec_alg {
	const char *name;
	const char *alias;
	u8 kind;
	u32 keylens;
	u16 bits[4];
	u16 def_bits;
	bool counter_iv;
};

static const struct nipsec_alg nipsec_algs[] = {
	/* RFC 4106: AES key plus 4 bytes of salt */
	{ "rfc4106(gcm(aes))", NULL, ALG_AEAD,
	  KEYLEN(20) | KEYLEN(28) | KEYLEN(36), { 64, 96, 128 }, 128, true },
	/* RFC 4543: GMAC, integrity only */
	{ "rfc4543(gcm(aes))", NULL, ALG_AEAD,
	  KEYLEN(20) | KEYLEN(28) | KEYLEN(36), { 128 }, 128, true },
	/* RFC 7634: 32-byte key plus 4 bytes of salt */
	{ "rfc7539esp(chacha20,poly1305)", NULL, ALG_AEAD,
	  KEYLEN(36), { 128 }, 128, true },
	{ "cbc(aes)", NULL, ALG_ENC,
	  KEYLEN(16) | KEYLEN(24) | KEYLEN(32), { 0 }, 0, false },
	{ "ecb(cipher_null)", "cipher_null", ALG_ENC, KEYLEN(0), { 0 }, 0, false },
	/* RFC 2404, RFC 4868; 96-bit sha256 for old Linux peers */
	{ "hmac(sha1)", NULL, ALG_AUTH, KEYLEN(20), { 96, 160 }, 96, false },
	{ "hmac(sha256)", NULL, ALG_AUTH, KEYLEN(32), { 96, 128, 256 }, 128, false },
	{ "hmac(sha384)", NULL, ALG_AUTH, KEYLEN(48), { 192, 384 }, 192, false },
	{ "hmac(sha512)", NULL, ALG_AUTH, KEYLEN(64), { 256, 512 }, 256, false },
	/* RFC 4494 AES-CMAC-96, RFC 3566 AES-XCBC-MAC-96: 128-bit keys */
	{ "cmac(aes)", NULL, ALG_AUTH, KEYLEN(16), { 96, 128 }, 96, false },
	{ "xcbc(aes)", NULL, ALG_AUTH, KEYLEN(16), { 96, 128 }, 96, false },
};

static const struct nipsec_alg *nipsec_alg_find(const char *name, u8 kind)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nipsec_algs); i++) {
		const struct nipsec_alg *a = &nipsec_algs[i];

		if (a->kind != kind)
			continue;
		if (!strcmp(a->name, name) || (a->alias && !strcmp(a->alias, name)))
			return a;
	}
	return NULL;
}

static bool nipsec_alg_keylen_ok(const struct nipsec_alg *a, unsigned int len)
{
	return len % 4 == 0 && len / 4 < 32 && (a->keylens & KEYLEN(len));
}

/* Resolve a requested ICV length; 0 asks for the default. */
static int nipsec_alg_bits(const struct nipsec_alg *a, u32 bits)
{
	unsigned int i;

	if (!bits)
		return a->def_bits;
	for (i = 0; i < ARRAY_SIZE(a->bits) && a->bits[i]; i++)
		if (a->bits[i] == bits)
			return bits;
	return -EINVAL;
}

/*
 * The integrity algorithm of @cfg with its key length and truncation
 * checked; *@bits gets the ICV length.  digest_null is refused with
 * @null_msg: without integrity, anyone who sees the SPI can forge.
 */
static const struct nipsec_alg *
nipsec_auth_find(const struct nipsec_alg_cfg *cfg, const char *null_msg,
		 int *bits, struct netlink_ext_ack *extack)
{
	const struct nipsec_alg *auth = nipsec_alg_find(cfg->auth_name, ALG_AUTH);

	if (!auth && !strcmp(cfg->auth_name, "digest_null")) {
		NIPSEC_ERR_MSG(extack, null_msg);
		return ERR_PTR(-EINVAL);
	}
	if (!auth) {
		NIPSEC_ERR_MSG(extack,
			       "unknown authentication algorithm (nipsec has hmac(sha1), hmac(sha256), hmac(sha384), hmac(sha512), cmac(aes), xcbc(aes))");
		return ERR_PTR(-ENOENT);
	}
	if (!nipsec_alg_keylen_ok(auth, cfg->auth_keylen)) {
		NIPSEC_ERR_MSG(extack, "authentication key length invalid");
		return ERR_PTR(-EINVAL);
	}
	*bits = nipsec_alg_bits(auth, cfg->auth_trunc_bits);
	if (*bits < 0) {
		NIPSEC_ERR_MSG(extack, "truncation length not allowed for the algorithm");
		return ERR_PTR(-EINVAL);
	}
	return auth;
}

/* The transform allocated, or the reason it could not be, told to the user. */
static void *nipsec_tfm_or_msg(void *tfm, struct netlink_ext_ack *extack)
{
	if (IS_ERR(tfm))
		NIPSEC_ERR_MSG(extack, "algorithm not available in this kernel");
	return tfm;
}

/*
 * The name to allocate @name by.  With force_async, a cryptd() around the
 * driver that @name resolves to, so that every request completes from a
 * worker and the -EINPROGRESS paths are exercised.  A cryptd instance keeps
 * the algorithm name of what it wraps and is called "cryptd(<driver>)":
 * name a synchronous driver explicitly.
 */
static const char *nipsec_crypto_name(const char *name, bool ahash,
				      char buf[CRYPTO_MAX_ALG_NAME],
				      struct netlink_ext_ack *extack)
{
	struct crypto_tfm *tfm;
	void *mem;
	int n;

	if (!force_async)
		return name;
	if (ahash)
		mem = crypto_alloc_ahash(name, 0, CRYPTO_ALG_ASYNC);
	else
		mem = crypto_alloc_aead(name, 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(nipsec_tfm_or_msg(mem, extack)))
		return ERR_CAST(mem);
	tfm = ahash ? crypto_ahash_tfm(mem) : crypto_aead_tfm(mem);
	n = snprintf(buf, CRYPTO_MAX_ALG_NAME, "cryptd(%s)",
		     crypto_tfm_alg_driver_name(tfm));
	crypto_destroy_tfm(mem, tfm);
	if (n >= CRYPTO_MAX_ALG_NAME) {
		NIPSEC_ERR_MSG(extack, "algorithm name too long for cryptd()");
		return ERR_PTR(-ENAMETOOLONG);
	}
	return buf;
}

static struct crypto_aead *nipsec_alloc_aead(const char *name,
					     struct netlink_ext_ack *extack)
{
	char buf[CRYPTO_MAX_ALG_NAME];

	name = nipsec_crypto_name(name, false, buf, extack);
	if (IS_ERR(name))
		return ERR_CAST(name);
	return nipsec_tfm_or_msg(crypto_alloc_aead(name, 0, 0), extack);
}

static struct crypto_ahash *nipsec_alloc_ahash(const char *name,
					       struct netlink_ext_ack *extack)
{
	char buf[CRYPTO_MAX_ALG_NAME];

	name = nipsec_crypto_name(name, true, buf, extack);
	if (IS_ERR(name))
		return ERR_CAST(name);
	return nipsec_tfm_or_msg(crypto_alloc_ahash(name, 0, 0), extack);
}

/*
 * authenc() takes one key blob: an rtattr carrying the cipher key length,
 * then the integrity key, then the cipher key (include/crypto/authenc.h).
 */
static int nipsec_authenc_setkey(struct crypto_aead *aead,
				 const u8 *akey, unsigned int alen,
				 const u8 *ekey, unsigned int elen)
{
	unsigned int len = RTA_SPACE(sizeof(struct crypto_authenc_key_param)) +
			   alen + elen;
	struct crypto_authenc_key_param *param;
	struct rtattr *rta;
	u8 *blob, *p;
	int err;

	blob = kmalloc(len, GFP_KERNEL);
	if (!blob)
		return -ENOMEM;
	rta = (struct rtattr *)blob;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(elen);
	p = blob + RTA_SPACE(sizeof(*param));
	if (alen)
		memcpy(p, akey, alen);
	if (elen)
		memcpy(p + alen, ekey, elen);
	err = crypto_aead_setkey(aead, blob, len);
	kfree_sensitive(blob);
	return err;
}

static int nipsec_crypto_init_aead(struct nipsec_sa *sa,
				   const struct nipsec_alg_cfg *cfg,
				   struct netlink_ext_ack *extack)
{
	const struct nipsec_alg *a = nipsec_alg_find(cfg->aead_name, ALG_AEAD);
	struct crypto_aead *aead;
	int bits, err;

	if (!a) {
		NIPSEC_ERR_MSG(extack,
			       "unknown AEAD algorithm (nipsec has rfc4106(gcm(aes)), rfc4543(gcm(aes)), rfc7539esp(chacha20,poly1305))");
		return -ENOENT;
	}
	if (cfg->enc_name || cfg->auth_name) {
		NIPSEC_ERR_MSG(extack, "an AEAD algorithm excludes enc and auth");
		return -EINVAL;
	}
	if (!nipsec_alg_keylen_ok(a, cfg->aead_keylen)) {
		NIPSEC_ERR_MSG(extack, "AEAD key length invalid (key plus 4-byte salt)");
		return -EINVAL;
	}
	bits = nipsec_alg_bits(a, cfg->icv_bits);
	if (bits < 0) {
		NIPSEC_ERR_MSG(extack, "ICV length not allowed for the AEAD algorithm");
		return -EINVAL;
	}

	aead = nipsec_alloc_aead(a->name, extack);
	if (IS_ERR(aead))
		return PTR_ERR(aead);
	sa->aead = aead;
	err = crypto_aead_setkey(aead, cfg->aead_key, cfg->aead_keylen);
	if (err) {
		NIPSEC_ERR_MSG(extack, "AEAD key refused by the cipher");
		return err;
	}
	err = crypto_aead_setauthsize(aead, bits / 8);
	if (err) {
		NIPSEC_ERR_MSG(extack, "ICV length refused by the cipher");
		return err;
	}
	strscpy(sa->aead_name, a->name, sizeof(sa->aead_name));
	sa->icv_bits = bits;
	if (a->counter_iv)
		sa->alg_flags |= NIPSEC_ALGF_COUNTER_IV;
	return 0;
}

static int nipsec_crypto_init_authenc(struct nipsec_sa *sa,
				      const struct nipsec_alg_cfg *cfg,
				      struct netlink_ext_ack *extack)
{
	const struct nipsec_alg *enc, *auth = NULL;
	char name[CRYPTO_MAX_ALG_NAME];
	struct crypto_aead *aead;
	int bits = 0, err;

	enc = nipsec_alg_find(cfg->enc_name, ALG_ENC);
	if (!enc) {
		NIPSEC_ERR_MSG(extack,
			       "unknown encryption algorithm (nipsec has cbc(aes), ecb(cipher_null))");
		return -ENOENT;
	}
	if (!nipsec_alg_keylen_ok(enc, cfg->enc_keylen)) {
		NIPSEC_ERR_MSG(extack, "encryption key length invalid");
		return -EINVAL;
	}
	if (cfg->auth_name) {
		/* XFRM takes digest_null; encryption without integrity is forgeable */
		auth = nipsec_auth_find(cfg,
					"auth digest_null: ESP without integrity is refused (RFC 8221 5); use an AEAD or an integrity algorithm",
					&bits, extack);
		if (IS_ERR(auth))
			return PTR_ERR(auth);
	} else if (enc->keylens != KEYLEN(0)) {
		/* confidentiality without integrity invites cut-and-paste attacks */
		NIPSEC_ERR_MSG(extack, "this cipher requires an authentication algorithm");
		return -EINVAL;
	} else if (!READ_ONCE(allow_null_esp)) {
		/* anyone who sees the SPI could inject into such an SA */
		NIPSEC_ERR_MSG(extack,
			       "ESP without encryption and integrity is refused (RFC 4303 3.2); module parameter allow_null_esp=1 allows it, insecurely");
		return -EINVAL;
	}

	/*
	 * ESN with an ICV: authencesn moves the high sequence bits behind the
	 * payload for the ICV as RFC 4303 2.2.1 wants. No ICV, nothing to move.
	 */
	snprintf(name, sizeof(name), "%s(%s,%s)",
		 sa->esn && auth ? "authencesn" : "authenc",
		 auth ? auth->name : "digest_null", enc->name);
	aead = nipsec_alloc_aead(name, extack);
	if (IS_ERR(aead))
		return PTR_ERR(aead);
	sa->aead = aead;
	err = nipsec_authenc_setkey(aead, cfg->auth_key,
				    auth ? cfg->auth_keylen : 0,
				    cfg->enc_key, cfg->enc_keylen);
	if (err) {
		NIPSEC_ERR_MSG(extack, "key refused by the cipher");
		return err;
	}
	err = crypto_aead_setauthsize(aead, bits / 8);
	if (err) {
		NIPSEC_ERR_MSG(extack, "truncation length refused by the cipher");
		return err;
	}
	strscpy(sa->enc_name, enc->name, sizeof(sa->enc_name));
	if (auth) {
		strscpy(sa->auth_name, auth->name, sizeof(sa->auth_name));
		sa->auth_trunc_bits = bits;
	}
	return 0;
}

/* ------------------------------------------------------------ AH */

/*
 * AH (RFC 4302) authenticates with the integrity algorithm alone, as a
 * keyed hash over the packet: one ahash transform, the ICV truncated to
 * the requested length (ah.c compares and writes only that many bytes).
 */
static int nipsec_crypto_init_ah(struct nipsec_sa *sa,
				 const struct nipsec_alg_cfg *cfg,
				 struct netlink_ext_ack *extack)
{
	const struct nipsec_alg *auth;
	struct crypto_ahash *ahash;
	int bits, err;

	if (cfg->aead_name || cfg->enc_name) {
		NIPSEC_ERR_MSG(extack, "AH takes only an auth algorithm (no aead, no enc)");
		return -EINVAL;
	}
	if (!cfg->auth_name) {
		NIPSEC_ERR_MSG(extack, "AH needs an auth or auth-trunc algorithm");
		return -EINVAL;
	}
	auth = nipsec_auth_find(cfg, "auth digest_null: AH without integrity is refused",
				&bits, extack);
	if (IS_ERR(auth))
		return PTR_ERR(auth);
	ahash = nipsec_alloc_ahash(auth->name, extack);
	if (IS_ERR(ahash))
		return PTR_ERR(ahash);
	sa->ahash = ahash;
	if (crypto_ahash_digestsize(ahash) * 8 < bits ||
	    crypto_ahash_digestsize(ahash) > NIPSEC_AH_MAX_DIGEST) {
		NIPSEC_ERR_MSG(extack, "algorithm geometry not supported");
		return -EINVAL;
	}
	err = crypto_ahash_setkey(ahash, cfg->auth_key, cfg->auth_keylen);
	if (err) {
		NIPSEC_ERR_MSG(extack, "key refused by the algorithm");
		return err;
	}
	strscpy(sa->auth_name, auth->name, sizeof(sa->auth_name));
	sa->auth_trunc_bits = bits;
	sa->icvlen = bits / 8;
	sa->ivlen = 0;
	sa->blksize = 4;
	return 0;
}

/**
 * nipsec_crypto_init_sa - allocate and key the transform of a new SA
 * @sa: the SA (esn already set)
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @cfg: algorithms and keys from netlink
 * @extack: why a configuration is refused
 *
 * Sets sa->aead (ESP) or sa->ahash (AH), ivlen, icvlen, blksize, names
 * and ICV lengths, and on success the protocol's transform (sa->xform). On error
 * the caller frees with nipsec_crypto_free_sa().
 *
 * Return: 0 or a negative errno (with an extack message).
 */
int nipsec_crypto_init_sa(struct nipsec_sa *sa, u8 proto,
			  const struct nipsec_alg_cfg *cfg,
			  struct netlink_ext_ack *extack)
{
	int err;

	if (proto == IPPROTO_AH) {
		err = nipsec_crypto_init_ah(sa, cfg, extack);
		if (!err)
			sa->xform = &nipsec_ah_xform;
		return err;
	}
	if (proto != IPPROTO_ESP) {
		NIPSEC_ERR_MSG(extack, "unknown IPsec protocol");
		return -EPROTONOSUPPORT;
	}
	if (cfg->aead_name) {
		err = nipsec_crypto_init_aead(sa, cfg, extack);
	} else if (cfg->enc_name) {
		err = nipsec_crypto_init_authenc(sa, cfg, extack);
	} else if (cfg->auth_name) {
		NIPSEC_ERR_MSG(extack, "ESP needs a cipher (ecb(cipher_null) for none)");
		err = -EINVAL;
	} else {
		NIPSEC_ERR_MSG(extack, "ESP needs an AEAD or an encryption algorithm");
		err = -EINVAL;
	}
	if (err)
		return err;

	sa->ivlen = crypto_aead_ivsize(sa->aead);
	sa->icvlen = crypto_aead_authsize(sa->aead);
	/* RFC 4303 2.4: the trailer ends on a 4-byte boundary at least */
	sa->blksize = ALIGN(crypto_aead_blocksize(sa->aead), 4);
	if (sa->ivlen > NIPSEC_ESP_MAX_IVLEN || sa->blksize > 255) {
		NIPSEC_ERR_MSG(extack, "algorithm geometry not supported");
		return -EINVAL;
	}
	sa->xform = &nipsec_esp_xform;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_crypto_init_sa);

/**
 * nipsec_crypto_free_sa - release the transform of an SA
 * @sa: the SA, possibly half initialised
 *
 * crypto_free_aead() and crypto_free_ahash() zero the key schedule; we
 * keep no key copy.
 */
void nipsec_crypto_free_sa(struct nipsec_sa *sa)
{
	sa->xform = NULL;
	if (!IS_ERR_OR_NULL(sa->aead))
		crypto_free_aead(sa->aead);
	sa->aead = NULL;
	if (!IS_ERR_OR_NULL(sa->ahash))
		crypto_free_ahash(sa->ahash);
	sa->ahash = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_crypto_free_sa);
