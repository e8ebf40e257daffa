// SPDX-License-Identifier: GPL-2.0
/*
 * A test-only crypto driver: rfc4106(gcm(aes)) that completes every
 * request from a workqueue, in process context with BH enabled, the way a
 * crypto_engine-style driver may.  cryptd and pcrypt complete with BH
 * disabled, so without this nothing would show whether nipsec's resume
 * path copes with such a completion (it takes the SA's lock and re-enters
 * the IP stack).  The work is done by the software implementation.
 *
 * Loaded by the esp_bh scenario only; its high priority makes every new
 * rfc4106(gcm(aes)) transform use it while it is loaded.
 */
#include <linux/module.h>
#include <linux/workqueue.h>
#include <crypto/aead.h>
#include <crypto/internal/aead.h>
#include <crypto/gcm.h>

static struct workqueue_struct *tc_wq;
static unsigned int completions;
module_param(completions, uint, 0444);
MODULE_PARM_DESC(completions, "Requests completed from process context");

struct tc_ctx {
	struct crypto_aead *fb;
};

struct tc_req {
	struct work_struct work;
	struct aead_request *req;
	bool enc;
	struct aead_request sub;	/* last: the fallback's context follows */
};

static int tc_init(struct crypto_aead *tfm)
{
	struct tc_ctx *ctx = crypto_aead_ctx(tfm);

	/* a synchronous implementation: never this driver again */
	ctx->fb = crypto_alloc_aead("rfc4106(gcm(aes))", 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(ctx->fb))
		return PTR_ERR(ctx->fb);
	crypto_aead_set_reqsize(tfm, sizeof(struct tc_req) +
				crypto_aead_reqsize(ctx->fb));
	return 0;
}

static void tc_exit(struct crypto_aead *tfm)
{
	struct tc_ctx *ctx = crypto_aead_ctx(tfm);

	crypto_free_aead(ctx->fb);
}

static int tc_setkey(struct crypto_aead *tfm, const u8 *key, unsigned int len)
{
	struct tc_ctx *ctx = crypto_aead_ctx(tfm);

	return crypto_aead_setkey(ctx->fb, key, len);
}

static int tc_setauthsize(struct crypto_aead *tfm, unsigned int authsize)
{
	struct tc_ctx *ctx = crypto_aead_ctx(tfm);

	return crypto_aead_setauthsize(ctx->fb, authsize);
}

static void tc_work(struct work_struct *work)
{
	struct tc_req *r = container_of(work, struct tc_req, work);
	struct aead_request *req = r->req;
	struct tc_ctx *ctx = crypto_aead_ctx(crypto_aead_reqtfm(req));
	int err;

	aead_request_set_tfm(&r->sub, ctx->fb);
	aead_request_set_callback(&r->sub, 0, NULL, NULL);
	aead_request_set_crypt(&r->sub, req->src, req->dst, req->cryptlen,
			       req->iv);
	aead_request_set_ad(&r->sub, req->assoclen);
	err = r->enc ? crypto_aead_encrypt(&r->sub) :
		       crypto_aead_decrypt(&r->sub);
	WRITE_ONCE(completions, READ_ONCE(completions) + 1);
	/* process context, BH enabled: the point of this driver */
	aead_request_complete(req, err);
}

static int tc_queue(struct aead_request *req, bool enc)
{
	struct tc_req *r = aead_request_ctx(req);

	r->req = req;
	r->enc = enc;
	INIT_WORK(&r->work, tc_work);
	queue_work(tc_wq, &r->work);
	return -EINPROGRESS;
}

static int tc_encrypt(struct aead_request *req)
{
	return tc_queue(req, true);
}

static int tc_decrypt(struct aead_request *req)
{
	return tc_queue(req, false);
}

static struct aead_alg tc_alg = {
	.init = tc_init,
	.exit = tc_exit,
	.setkey = tc_setkey,
	.setauthsize = tc_setauthsize,
	.encrypt = tc_encrypt,
	.decrypt = tc_decrypt,
	.ivsize = GCM_RFC4106_IV_SIZE,
	.maxauthsize = 16,
	.base = {
		.cra_name = "rfc4106(gcm(aes))",
		.cra_driver_name = "nipsec-test-wq-rfc4106",
		.cra_priority = 5000,
		.cra_flags = CRYPTO_ALG_ASYNC,
		.cra_blocksize = 1,
		.cra_ctxsize = sizeof(struct tc_ctx),
		.cra_module = THIS_MODULE,
	},
};

static int __init tc_mod_init(void)
{
	int err;

	tc_wq = alloc_workqueue("nipsec_tc", WQ_UNBOUND, 0);
	if (!tc_wq)
		return -ENOMEM;
	err = crypto_register_aead(&tc_alg);
	if (err)
		destroy_workqueue(tc_wq);
	return err;
}

static void __exit tc_mod_exit(void)
{
	crypto_unregister_aead(&tc_alg);
	destroy_workqueue(tc_wq);	/* runs what is left first */
}

module_init(tc_mod_init);
module_exit(tc_mod_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nipsec tests: an AEAD driver completing in process context");
