// SPDX-License-Identifier: GPL-2.0
/*
 * nipsec ESP (RFC 4303): encapsulation and decapsulation of one packet
 * with the SA's AEAD transform, synchronous or asynchronous.
 *
 * Request layout, the same for every algorithm and both directions:
 *
 *   sg[0]       AAD: SPI | [seq high, ESN only] | seq low   (scratch)
 *   sg[1..]     the packet from the IV on: IV | payload+padding+trailer | ICV
 *   assoclen    AAD + IV (rfc4106/rfc4543/rfc7539esp and authenc all expect
 *               the IV at the end of the associated data)
 *   cryptlen    payload+trailer (encrypt), + ICV (decrypt)
 *
 * Keeping the AAD in scratch memory lets ESN's high 32 bits sit between
 * SPI and low sequence number, where RFC 4106 5 and authencesn want them,
 * without moving the headers of the packet.
 *
 * IVs (RFC 4303 3.2, RFC 4106 3.1): for the counter-mode AEADs the IV is
 * the 64-bit sequence number xor a per-SA random salt, so it never repeats
 * under one key (the sequence number never does); for CBC it is random.
 */
#include <linux/module.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <crypto/aead.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <kunit/visibility.h>

#include "nipsec.h"
#include "async.h"
#include "replay.h"
#include "sa.h"
#include "stats.h"
#include "esp.h"
#include "hooks.h"
#include "xform.h"

/*
 * Per-packet scratch, one allocation: this header, then the IV, the
 * aead_request with the transform's context, and the scatterlist.
 */
struct nipsec_esp_ctx {
	struct nipsec_async async;	/* first: the callback's data */
	struct sk_buff *skb;
	struct nipsec_sa *sa;
	u64 seq;
	u16 esp_off;		/* ESP header, from the network header */
	u16 proto_off;		/* byte that names the next protocol */
	u16 elen;		/* input: payload+trailer bytes */
	bool encap;		/* output: UDP header at esp_off - 8 */
	u8 aadlen;
	u8 aad[12];
	u8 *iv;
	struct aead_request *req;
	struct scatterlist *sg;
	struct nipsec_udp_src src;	/* input, if src.family: ESP in UDP */
};

/**
 * nipsec_esp_padlen - padding bytes for a payload (RFC 4303 2.4)
 * @plen: payload bytes
 * @blksize: alignment of payload + padding + 2 trailer bytes
 *
 * Return: the smallest pad length that aligns the encrypted part.
 */
unsigned int nipsec_esp_padlen(unsigned int plen, unsigned int blksize)
{
	return ALIGN(plen + 2, blksize) - plen - 2;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_esp_padlen);

/**
 * nipsec_esp_fill_trailer - write padding, pad length and next header
 * @tail: where the padding starts
 * @padlen: pad bytes
 * @nexthdr: protocol of the payload
 *
 * RFC 4303 2.4: the default padding is 1, 2, 3, ... which the receiver
 * checks.
 */
void nipsec_esp_fill_trailer(u8 *tail, unsigned int padlen, u8 nexthdr)
{
	unsigned int i;

	for (i = 0; i < padlen; i++)
		tail[i] = i + 1;
	tail[padlen] = padlen;
	tail[padlen + 1] = nexthdr;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_esp_fill_trailer);

/**
 * nipsec_esp_counter_iv - the 8-byte IV of a counter-mode AEAD
 * @iv: 8 bytes out
 * @seq: the packet's (64-bit) sequence number
 * @salt: the SA's random salt
 *
 * Unique per key because the sequence number is; the salt hides how many
 * packets an SA has sent from someone who only sees the IV.
 */
void nipsec_esp_counter_iv(u8 *iv, u64 seq, __be64 salt)
{
	__be64 v = cpu_to_be64(seq) ^ salt;

	memcpy(iv, &v, sizeof(v));
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_esp_counter_iv);

/**
 * nipsec_esp_max_inner - largest packet that fits the MTU once protected
 * @sa: the SA
 * @mtu: of the route the ESP packet takes
 * @outer_hlen: tunnel mode: the outer IP header; transport: 0
 * @kept_hlen: transport mode: the IP header (and extension headers) that
 *             stay in front of ESP; tunnel: 0
 *
 * Return: the packet size, 0 if nothing fits.
 */
unsigned int nipsec_esp_max_inner(const struct nipsec_sa *sa,
				  unsigned int mtu, unsigned int outer_hlen,
				  unsigned int kept_hlen)
{
	unsigned int over = outer_hlen + kept_hlen + NIPSEC_ESP_HLEN +
			    sa->ivlen + sa->icvlen;

	if (sa->encap_type)
		over += sizeof(struct udphdr);
	unsigned int room;

	if (mtu <= over)
		return 0;
	room = round_down(mtu - over, sa->blksize);
	if (room < 2)
		return 0;
	return room - 2 + kept_hlen;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_esp_max_inner);

static struct nipsec_esp_ctx *nipsec_esp_ctx_alloc(struct nipsec_sa *sa,
						   int nsg)
{
	struct crypto_aead *aead = sa->aead;
	unsigned int reqlen = sizeof(struct aead_request) +
			      crypto_aead_reqsize(aead);
	struct nipsec_esp_ctx *ctx;
	unsigned int len;
	u8 *p;

	len = sizeof(*ctx) + crypto_aead_alignmask(aead) + NIPSEC_ESP_MAX_IVLEN;
	len += crypto_tfm_ctx_alignment() + reqlen;
	len += __alignof__(struct scatterlist) + nsg * sizeof(struct scatterlist);
	ctx = kmalloc(len, GFP_ATOMIC);
	if (!ctx)
		return NULL;
	p = PTR_ALIGN((u8 *)(ctx + 1), crypto_aead_alignmask(aead) + 1);
	ctx->iv = p;
	p = PTR_ALIGN(p + NIPSEC_ESP_MAX_IVLEN, crypto_tfm_ctx_alignment());
	ctx->req = (struct aead_request *)p;
	p = PTR_ALIGN(p + reqlen, __alignof__(struct scatterlist));
	ctx->sg = (struct scatterlist *)p;
	ctx->sa = sa;
	return ctx;
}

/* SPI | [seq hi] | seq lo, as both the AEADs and authencesn want it */
static void nipsec_esp_set_aad(struct nipsec_esp_ctx *ctx, __be32 spi, u64 seq)
{
	__be32 *a = (__be32 *)ctx->aad;

	a[0] = spi;
	if (ctx->sa->esn) {
		a[1] = htonl(upper_32_bits(seq));
		a[2] = htonl(lower_32_bits(seq));
		ctx->aadlen = 12;
	} else {
		a[1] = htonl(lower_32_bits(seq));
		ctx->aadlen = 8;
	}
}

/*
 * Encrypt or decrypt sg[0] = AAD and sg[1..] = the packet from the IV on:
 * IV, @textlen bytes of payload and trailer, ICV; @resume continues, now or
 * from the callback.  The input side's request holds @dev (the packet's
 * device) until it is done.  Return: 0 once submitted (the context is
 * @resume's), or an error before anything was submitted.
 */
static int nipsec_esp_crypt(struct nipsec_esp_ctx *ctx, int nsg,
			    unsigned int textlen, bool decrypt,
			    void (*resume)(struct nipsec_async *, int),
			    struct net_device *dev)
{
	struct aead_request *req = ctx->req;
	struct nipsec_sa *sa = ctx->sa;
	int err;

	sg_init_table(ctx->sg, nsg);
	sg_set_buf(ctx->sg, ctx->aad, ctx->aadlen);
	err = skb_to_sgvec(ctx->skb, ctx->sg + 1,
			   ctx->esp_off + NIPSEC_ESP_HLEN,
			   sa->ivlen + textlen + sa->icvlen);
	if (unlikely(err < 0))
		return err;

	aead_request_set_tfm(req, sa->aead);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				  nipsec_async_done, &ctx->async);
	aead_request_set_crypt(req, ctx->sg, ctx->sg,
			       textlen + (decrypt ? sa->icvlen : 0), ctx->iv);
	aead_request_set_ad(req, ctx->aadlen + sa->ivlen);
	nipsec_async_init(&ctx->async, resume, sa->nn, dev);

	err = decrypt ? crypto_aead_decrypt(req) : crypto_aead_encrypt(req);
	if (!nipsec_async_pending(&ctx->async, err))
		resume(&ctx->async, err);	/* else nipsec_async_done() */
	return 0;
}

/* ------------------------------------------------------------ output */

static void nipsec_esp_output_resume(struct nipsec_async *a, int err)
{
	struct nipsec_esp_ctx *ctx = container_of(a, struct nipsec_esp_ctx, async);
	struct sk_buff *skb = ctx->skb;
	struct nipsec_sa *sa = ctx->sa;
	bool encap = ctx->encap;

	kfree(ctx);
	if (unlikely(err)) {
		nipsec_sa_drop(skb, sa, NIPSEC_DROP_CRYPTO);
		return;
	}
	/* the ESP packet has no checksum of its own */
	skb->ip_summed = CHECKSUM_NONE;
	if (encap)
		nipsec_encap_out_csum(skb);
	nipsec_out_finish(skb, sa);
	nipsec_sa_put(sa);
}

/**
 * nipsec_esp_output - protect one packet
 * @sa: outbound SA (the caller is inside an RCU read section)
 * @skb: the packet, its network header at skb->data, linear up to @hlen,
 *       checksum complete, route attached
 * @hlen: bytes that stay in front of the ESP header (the IP header, its
 *        extension headers, or the outer header of tunnel mode)
 * @proto_off: offset of the byte that names the payload's protocol; it
 *             names ESP afterwards, its old value goes into the trailer
 *
 * Consumes @skb: it continues at nipsec_out_finish(), now or from the
 * crypto callback, or is dropped and counted.
 */
void nipsec_esp_output(struct nipsec_sa *sa, struct sk_buff *skb,
		       unsigned int hlen, unsigned int proto_off)
{
	unsigned int esplen = NIPSEC_ESP_HLEN + sa->ivlen;
	unsigned int ulen = sa->encap_type ? sizeof(struct udphdr) : 0;
	unsigned int plen, clen, tlen, padlen;
	enum nipsec_stat reason;
	struct nipsec_esp_ctx *ctx;
	struct ip_esp_hdr *esph;
	struct sk_buff *trailer;
	int nfrags;
	u8 nexthdr, *gap;
	u64 seq;

	if (unlikely(!nipsec_sa_hold(sa))) {
		nipsec_drop(sa->nn, NULL, skb, NIPSEC_DROP_EXPIRED);
		return;
	}
	plen = skb->len > hlen ? skb->len - hlen : 0;
	padlen = nipsec_esp_padlen(plen, sa->blksize);
	clen = plen + padlen + 2;
	tlen = padlen + 2 + sa->icvlen;
	nfrags = nipsec_xform_out_prepare(sa, skb, hlen, proto_off,
					  ulen + esplen, tlen, &seq, &trailer,
					  &reason);
	if (unlikely(nfrags < 0))
		goto drop;
	reason = NIPSEC_DROP_NOMEM;
	ctx = nipsec_esp_ctx_alloc(sa, nfrags + 1);
	if (unlikely(!ctx))
		goto drop;
	ctx->skb = skb;
	ctx->seq = seq;
	ctx->encap = ulen;
	ctx->esp_off = hlen + ulen;

	nexthdr = skb->data[proto_off];
	nipsec_esp_fill_trailer(pskb_put(skb, trailer, tlen), padlen, nexthdr);

	/* [UDP,] ESP header and IV behind the kept headers */
	gap = nipsec_hdr_insert(skb, hlen, ulen + esplen);
	if (ulen) {
		skb->data[proto_off] = IPPROTO_UDP;
		nipsec_encap_out_hdr(sa, (struct udphdr *)gap, skb->len - hlen);
	} else {
		skb->data[proto_off] = IPPROTO_ESP;
	}
	esph = (struct ip_esp_hdr *)(gap + ulen);
	esph->spi = sa->key.spi;
	esph->seq_no = htonl(lower_32_bits(seq));
	if (sa->alg_flags & NIPSEC_ALGF_COUNTER_IV)
		nipsec_esp_counter_iv(ctx->iv, seq, sa->iv_salt);
	else
		get_random_bytes(ctx->iv, sa->ivlen);
	memcpy(esph->enc_data, ctx->iv, sa->ivlen);
	nipsec_esp_set_aad(ctx, esph->spi, seq);

	if (likely(!nipsec_esp_crypt(ctx, nfrags + 1, clen, false,
				     nipsec_esp_output_resume, NULL)))
		return;
	reason = NIPSEC_DROP_CRYPTO;
	kfree(ctx);
drop:
	nipsec_sa_drop(skb, sa, reason);
}

/* ------------------------------------------------------------ input */

/**
 * nipsec_esp_check_trailer - read and check a decrypted packet's trailer
 * @skb: the packet, linear or not
 * @end: offset just past the trailer (where the ICV starts)
 * @elen: length of the encrypted part (payload, padding and trailer)
 * @nexthdr: the trailer's next header, out
 * @padlen: the trailer's pad length, out
 *
 * RFC 4303 2.4: the pad length must fit the encrypted part, and the padding
 * must be the default 1, 2, 3, ... that every sender we interoperate with
 * writes (XFRM, strongSwan's userland, scapy).  Read in pieces through
 * skb_header_pointer(): up to 255 bytes of padding may span page frags.
 *
 * Return: 0, or -EINVAL for a trailer that is inconsistent or unreadable.
 */
int nipsec_esp_check_trailer(const struct sk_buff *skb, unsigned int end,
			     unsigned int elen, u8 *nexthdr,
			     unsigned int *padlen)
{
	u8 buf[32], tr[2];
	unsigned int off, n, done, i;
	const u8 *p;

	if (end < 2 || elen < 2 || end > skb->len ||
	    skb_copy_bits(skb, end - 2, tr, 2))
		return -EINVAL;
	*padlen = tr[0];
	*nexthdr = tr[1];
	if (*padlen + 2 > elen || *padlen + 2 > end)
		return -EINVAL;
	off = end - 2 - *padlen;
	for (done = 0; done < *padlen; done += n) {
		n = min_t(unsigned int, *padlen - done, sizeof(buf));
		p = skb_header_pointer(skb, off + done, n, buf);
		if (!p)
			return -EINVAL;
		/* continue the 1, 2, 3 ... sequence from where we are */
		for (i = 0; i < n; i++)
			if (p[i] != (u8)(done + i + 1))
				return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_esp_check_trailer);

/* Remove ESP header, IV, trailer and ICV; transport mode keeps the IP header. */
static int nipsec_esp_strip(struct nipsec_esp_ctx *ctx, u8 nexthdr,
			    unsigned int padlen)
{
	struct sk_buff *skb = ctx->skb;
	struct nipsec_sa *sa = ctx->sa;
	unsigned int esplen = NIPSEC_ESP_HLEN + sa->ivlen;
	unsigned int hlen = ctx->esp_off;

	if (pskb_trim(skb, skb->len - sa->icvlen - 2 - padlen))
		return -ENOMEM;
	if (sa->mode == NIPSEC_MODE_TUNNEL) {
		__skb_pull(skb, hlen + esplen);
		skb_reset_network_header(skb);
		return 0;
	}
	nipsec_hdr_remove(skb, hlen, esplen, NULL);
	nipsec_xform_in_transport(skb, hlen, ctx->proto_off, nexthdr);
	return 0;
}

static void nipsec_esp_input_resume(struct nipsec_async *a, int err)
{
	struct nipsec_esp_ctx *ctx = container_of(a, struct nipsec_esp_ctx, async);
	struct sk_buff *skb = ctx->skb;
	struct nipsec_sa *sa = ctx->sa;
	enum nipsec_stat reason;
	unsigned int end, padlen, hlen;
	bool newest;
	u8 nexthdr;

	if (unlikely(err)) {
		reason = err == -EBADMSG ? NIPSEC_DROP_AUTH : NIPSEC_DROP_CRYPTO;
		goto free_ctx;
	}

	/* authentic: only now may the window move (RFC 4303 3.4.3) */
	err = nipsec_replay_commit(&sa->replay, &sa->lock, ctx->seq, &newest);
	reason = NIPSEC_DROP_REPLAY;
	if (unlikely(err))
		goto free_ctx;
	/* authentic and fresh: a new outer source is a NAT rebinding */
	if (ctx->src.family)
		nipsec_encap_check_peer(sa, &ctx->src, newest);

	skb->ip_summed = CHECKSUM_NONE;
	end = ctx->esp_off + NIPSEC_ESP_HLEN + sa->ivlen + ctx->elen;
	reason = NIPSEC_DROP_BAD_PADDING;
	if (unlikely(nipsec_esp_check_trailer(skb, end, ctx->elen, &nexthdr,
					      &padlen)))
		goto free_ctx;
	reason = NIPSEC_DROP_EXPIRED;
	if (unlikely(!nipsec_sa_account(sa, ctx->elen - 2 - padlen, false)))
		goto free_ctx;
	/* RFC 4303 2.6: a dummy packet (traffic flow confidentiality) */
	reason = NIPSEC_DROP_PROTO;
	if (unlikely(nexthdr == IPPROTO_NONE))
		goto free_ctx;
	hlen = ctx->esp_off;
	err = nipsec_esp_strip(ctx, nexthdr, padlen);
	kfree(ctx);
	if (unlikely(err)) {
		reason = NIPSEC_DROP_NOMEM;
		goto drop;
	}
	if (sa->encap_type && sa->mode == NIPSEC_MODE_TRANSPORT)
		nipsec_encap_csum_fixup(skb, sa, hlen, nexthdr);
	nipsec_in_finish(skb, sa, nexthdr);
	nipsec_sa_put(sa);
	return;

free_ctx:
	kfree(ctx);
drop:
	nipsec_sa_drop(skb, sa, reason);
}

/**
 * nipsec_esp_input - verify and decrypt one ESP packet
 * @sa: the SA its SPI names (caller is inside an RCU read section)
 * @skb: the packet, network header at skb->data, linear up to the ESP
 *       header included
 * @esp_off: offset of the ESP header
 * @proto_off: offset of the byte that names ESP (transport mode writes the
 *             inner protocol there)
 * @src: where an ESP-in-UDP packet came from (its UDP header is gone),
 *       NULL for plain ESP
 *
 * Replay check before the ICV, window update after it, then padding,
 * next header; the plain packet continues at nipsec_in_finish().
 * Consumes @skb.
 */
void nipsec_esp_input(struct nipsec_sa *sa, struct sk_buff *skb,
		      unsigned int esp_off, unsigned int proto_off,
		      const struct nipsec_udp_src *src)
{
	unsigned int esplen = NIPSEC_ESP_HLEN + sa->ivlen;
	const struct ip_esp_hdr *esph;
	struct nipsec_esp_ctx *ctx;
	enum nipsec_stat reason;
	struct sk_buff *trailer;
	int nfrags, elen;
	u64 seq;

	if (unlikely(!nipsec_sa_hold(sa))) {
		nipsec_drop(sa->nn, NULL, skb, NIPSEC_DROP_NO_SA);
		return;
	}
	elen = (int)skb->len - (int)(esp_off + esplen + sa->icvlen);
	reason = NIPSEC_DROP_TRUNCATED;
	if (unlikely(elen < 2 || elen % crypto_aead_blocksize(sa->aead) ||
		     elen > U16_MAX))
		goto drop;
	/* stripping header and IV below moves them as linear bytes */
	if (unlikely(!pskb_may_pull(skb, esp_off + esplen)))
		goto drop;
	esph = (const struct ip_esp_hdr *)(skb->data + esp_off);
	nfrags = nipsec_xform_in_prepare(sa, skb, esph->seq_no, &seq,
					 &trailer, &reason);
	if (unlikely(nfrags < 0))
		goto drop;
	reason = NIPSEC_DROP_NOMEM;
	ctx = nipsec_esp_ctx_alloc(sa, nfrags + 1);
	if (unlikely(!ctx))
		goto drop;
	/* skb_cow_data() may have moved the data */
	esph = (const struct ip_esp_hdr *)(skb->data + esp_off);
	ctx->skb = skb;
	ctx->seq = seq;
	ctx->esp_off = esp_off;
	ctx->proto_off = proto_off;
	ctx->elen = elen;
	if (src)
		ctx->src = *src;
	else
		ctx->src.family = 0;
	nipsec_esp_set_aad(ctx, esph->spi, seq);
	memcpy(ctx->iv, esph->enc_data, sa->ivlen);

	/* re-injected from its device: that must outlive async crypto */
	if (likely(!nipsec_esp_crypt(ctx, nfrags + 1, elen, true,
				     nipsec_esp_input_resume, skb->dev)))
		return;
	reason = NIPSEC_DROP_CRYPTO;
	kfree(ctx);
drop:
	nipsec_sa_drop(skb, sa, reason);
}

/* UDP header (NAT-T), ESP header and IV: what ESP puts in front at most */
static unsigned int nipsec_esp_header_room(const struct nipsec_sa *sa)
{
	return sizeof(struct udphdr) + NIPSEC_ESP_HLEN + sa->ivlen;
}

const struct nipsec_xform nipsec_esp_xform = {
	.name		= "esp",
	.proto		= IPPROTO_ESP,
	.hdr_len	= NIPSEC_ESP_HLEN,
	.spi_off	= offsetof(struct ip_esp_hdr, spi),
	.header_room	= nipsec_esp_header_room,
	.max_inner	= nipsec_esp_max_inner,
	.output		= nipsec_esp_output,
	.input		= nipsec_esp_input,
};
EXPORT_SYMBOL_IF_KUNIT(nipsec_esp_xform);
