// SPDX-License-Identifier: GPL-2.0
/*
 * nipsec AH (RFC 4302): authentication of one packet with the SA's keyed
 * hash (ahash), synchronous or asynchronous.
 *
 * The ICV covers the whole IP packet with the fields that routers may
 * change on the way (RFC 4302 3.3.3.1) seen as zero: IPv4 DSCP/ECN,
 * flags and fragment offset, TTL, header checksum and the mutable
 * options; IPv6 traffic class, flow label, hop limit and the options whose
 * "may change en route" bit is set. A routing header is hashed as the
 * final destination will see it. The AH header takes part with its ICV
 * field zeroed and, with ESN, the high 32 bits of the sequence number
 * follow the packet (RFC 4302 2.5.1, 3.3.2.1).
 *
 * The headers in front of AH are saved, their mutable fields zeroed for
 * the hash, and restored afterwards: the packet itself is the hash input,
 * with no copy of the payload.
 *
 * Wire format as Linux's ah4/ah6 write it: the AH header is padded to a
 * multiple of 8 bytes for both families. RFC 4302 2.2 asks only for a
 * multiple of 4 with IPv4, so IPv4 input accepts either padding.
 */
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <crypto/hash.h>
#include <crypto/algapi.h>	/* crypto_memneq() (crypto/utils.h since 6.4) */
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
#include "ah.h"

/* IPv4 options RFC 4302 A.1 lists as immutable without a macro of their own */
#define NIPSEC_IPOPT_ESEC	133	/* extended security (RFC 1108) */
#define NIPSEC_IPOPT_SDMDD	149	/* sender directed delivery (RFC 1770) */

/* IPv6 option types with this bit may change en route (RFC 8200 4.2) */
#define NIPSEC_IPV6_OPT_MUTABLE	0x20

/*
 * Per-packet scratch, one allocation: this header, the headers in front
 * of AH as they go on the wire, the received ICV, the computed digest,
 * the ahash_request with the transform's context and the scatterlist.
 */
struct nipsec_ah_ctx {
	struct nipsec_async async;	/* first: the callback's data */
	struct sk_buff *skb;
	struct nipsec_sa *sa;
	u64 seq;
	u16 hlen;		/* bytes in front of the AH header */
	u16 ahlen;		/* AH header with ICV and padding */
	u16 proto_off;		/* byte that names the next protocol */
	u8 nexthdr;		/* input: what AH protects */
	__be32 seqhi;		/* ESN: high 32 bits, hashed after the packet */
	u8 *saved;		/* hlen bytes */
	u8 *auth;		/* input: ICV from the wire */
	u8 *icv;		/* digest */
	struct ahash_request *req;
	struct scatterlist *sg;
};

/**
 * nipsec_ah_len - bytes of an AH header we send
 * @icvlen: the (truncated) ICV length
 *
 * Padded to 8 bytes, as RFC 4302 2.2 asks for IPv6 and as Linux's XFRM
 * sends it for IPv4 too unless told to align to 4 (a receiver without
 * that flag refuses anything else).
 *
 * Return: the header length including ICV and padding.
 */
unsigned int nipsec_ah_len(unsigned int icvlen)
{
	return ALIGN(NIPSEC_AH_HLEN + icvlen, 8);
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_ah_len);

/**
 * nipsec_ah_len_ok - is an arriving AH header length right for the SA?
 * @ahlen: length from the header's payload length field
 * @icvlen: the SA's ICV length
 * @family: AF_INET or AF_INET6
 *
 * IPv6 needs 8-byte alignment; IPv4 may come from an RFC 4302 sender with
 * 4-byte alignment or from XFRM with 8.
 *
 * Return: true if acceptable.
 */
bool nipsec_ah_len_ok(unsigned int ahlen, unsigned int icvlen, u16 family)
{
	if (ahlen == ALIGN(NIPSEC_AH_HLEN + icvlen, 8))
		return true;
	return family == AF_INET && ahlen == ALIGN(NIPSEC_AH_HLEN + icvlen, 4);
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_ah_len_ok);

/**
 * nipsec_ah_max_inner - largest packet that fits the MTU once under AH
 * @sa: the SA
 * @mtu: of the route the AH packet takes
 * @outer_hlen: tunnel mode: the outer IP header; transport: 0
 * @kept_hlen: unused: AH does not move the headers it follows
 *
 * AH adds its header and nothing else (no padding, no trailer), in both
 * modes the packet's own headers stay as they are.
 *
 * Return: the packet size, 0 if nothing fits.
 */
unsigned int nipsec_ah_max_inner(const struct nipsec_sa *sa, unsigned int mtu,
				 unsigned int outer_hlen, unsigned int kept_hlen)
{
	unsigned int over = outer_hlen + nipsec_ah_len(sa->icvlen);

	return mtu > over ? mtu - over : 0;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_ah_max_inner);

/**
 * nipsec_ah_clear_mutable4 - zero what may change in an IPv4 header en route
 * @iph: the header, options included, linear and writable
 * @out: sending: a source route's final destination replaces the
 *       destination address, as the receiver will see it
 *
 * RFC 4302 3.3.3.1.1: TOS (DSCP, ECN), flags and fragment offset, TTL and
 * checksum are zeroed; of the options, the ones A.1 lists as immutable
 * (security, extended security, commercial security, router alert,
 * sender directed delivery) and EOL/NOP stay, all others are zeroed
 * whole, type and length included, as XFRM does.
 *
 * Return: 0, or -EINVAL when the options are malformed.
 */
int nipsec_ah_clear_mutable4(struct iphdr *iph, bool out)
{
	unsigned int left = iph->ihl * 4 - sizeof(*iph), olen;
	u8 *opt = (u8 *)(iph + 1);

	iph->tos = 0;
	iph->frag_off = 0;
	iph->ttl = 0;
	iph->check = 0;
	while (left > 0) {
		if (opt[0] == IPOPT_END)
			break;
		if (opt[0] == IPOPT_NOOP) {
			opt++;
			left--;
			continue;
		}
		if (left < 2)
			return -EINVAL;
		olen = opt[1];
		if (olen < 2 || olen > left)
			return -EINVAL;
		switch (opt[0]) {
		case IPOPT_SEC:
		case NIPSEC_IPOPT_ESEC:
		case IPOPT_CIPSO:
		case IPOPT_RA:
		case NIPSEC_IPOPT_SDMDD:
			break;
		case IPOPT_LSRR:
		case IPOPT_SSRR:
			/* type, length, pointer, then at least one address */
			if (olen < 7)
				return -EINVAL;
			if (out)
				memcpy(&iph->daddr, opt + olen - 4, 4);
			fallthrough;
		default:
			memset(opt, 0, olen);
		}
		opt += olen;
		left -= olen;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_ah_clear_mutable4);

/* Hop-by-hop or destination options: zero the data of mutable options. */
static int nipsec_ah_clear_opts6(u8 *h, unsigned int len)
{
	unsigned int off = 2, olen;

	while (off < len) {
		if (h[off] == IPV6_TLV_PAD1) {
			off++;
			continue;
		}
		if (off + 2 > len)
			return -EINVAL;
		olen = h[off + 1];
		if (off + 2 + olen > len)
			return -EINVAL;
		if (h[off] & NIPSEC_IPV6_OPT_MUTABLE)
			memset(h + off + 2, 0, olen);
		off += 2 + olen;
	}
	return 0;
}

/*
 * A routing header (type 0 layout) with segments left: the destination
 * and address list as the final destination will receive them (RFC 2402
 * A.2). Each hop swapped the destination with the next address, so the
 * addresses not visited yet move down one place, the current destination
 * takes the first of their places and the last address becomes the
 * destination. XFRM treats every routing type this way; so do we.
 */
static int nipsec_ah_final_rthdr(struct ipv6hdr *ip6h, struct ipv6_rt_hdr *rth)
{
	struct in6_addr *addr = (struct in6_addr *)((u8 *)rth + 8);
	unsigned int n = rth->hdrlen / 2, left = rth->segments_left, i;
	struct in6_addr final;

	if (!left)
		return 0;
	if (left > n)
		return -EINVAL;
	final = addr[n - 1];
	for (i = n - 1; i > n - left; i--)
		addr[i] = addr[i - 1];
	addr[n - left] = ip6h->daddr;
	ip6h->daddr = final;
	rth->segments_left = 0;
	return 0;
}

/**
 * nipsec_ah_clear_mutable6 - zero what may change in IPv6 headers en route
 * @ip6h: the IPv6 header, followed by its extension headers, all linear
 *        and writable
 * @hlen: bytes from the IPv6 header to the AH header
 *
 * RFC 4302 3.3.3.1.2: traffic class, flow label and hop limit are zeroed;
 * in hop-by-hop and destination options, the data of the options whose
 * type has the "may change en route" bit; a routing header is rewritten
 * as it will arrive. The walk stops at the first other header.
 *
 * Return: 0, or -EINVAL when the extension headers are malformed.
 */
int nipsec_ah_clear_mutable6(struct ipv6hdr *ip6h, unsigned int hlen)
{
	u8 *p = (u8 *)(ip6h + 1), *end = (u8 *)ip6h + hlen;
	u8 nexthdr = ip6h->nexthdr;
	unsigned int len;

	ip6h->priority = 0;
	memset(ip6h->flow_lbl, 0, sizeof(ip6h->flow_lbl));
	ip6h->hop_limit = 0;
	while (p < end) {
		struct ipv6_opt_hdr *h = (struct ipv6_opt_hdr *)p;

		if (end - p < 8)
			return -EINVAL;
		len = ipv6_optlen(h);
		if (len > end - p)
			return -EINVAL;
		switch (nexthdr) {
		case NEXTHDR_HOP:
		case NEXTHDR_DEST:
			if (nipsec_ah_clear_opts6(p, len))
				return -EINVAL;
			break;
		case NEXTHDR_ROUTING:
			if (nipsec_ah_final_rthdr(ip6h, (struct ipv6_rt_hdr *)p))
				return -EINVAL;
			break;
		default:
			return 0;
		}
		nexthdr = h->nexthdr;
		p += len;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nipsec_ah_clear_mutable6);

static struct nipsec_ah_ctx *nipsec_ah_ctx_alloc(struct nipsec_sa *sa,
						 unsigned int hlen, int nsg)
{
	struct crypto_ahash *ahash = sa->ahash;
	unsigned int reqlen = sizeof(struct ahash_request) +
			      crypto_ahash_reqsize(ahash);
	unsigned int dlen = crypto_ahash_digestsize(ahash);
	struct nipsec_ah_ctx *ctx;
	unsigned int len;
	u8 *p;

	len = sizeof(*ctx) + hlen + sa->icvlen + dlen;
	len += crypto_tfm_ctx_alignment() + reqlen;
	len += __alignof__(struct scatterlist) + nsg * sizeof(struct scatterlist);
	ctx = kmalloc(len, GFP_ATOMIC);
	if (!ctx)
		return NULL;
	p = (u8 *)(ctx + 1);
	ctx->saved = p;
	ctx->auth = p + hlen;
	ctx->icv = ctx->auth + sa->icvlen;
	p = PTR_ALIGN(ctx->icv + dlen, crypto_tfm_ctx_alignment());
	ctx->req = (struct ahash_request *)p;
	p = PTR_ALIGN(p + reqlen, __alignof__(struct scatterlist));
	ctx->sg = (struct scatterlist *)p;
	ctx->sa = sa;
	ctx->hlen = hlen;
	return ctx;
}

/* The packet, then (ESN) the high sequence bits: the hash input. */
static int nipsec_ah_set_sg(struct nipsec_ah_ctx *ctx, int nsg)
{
	struct sk_buff *skb = ctx->skb;
	int n;

	sg_init_table(ctx->sg, nsg);
	n = skb_to_sgvec_nomark(skb, ctx->sg, 0, skb->len);
	if (unlikely(n <= 0))
		return n ? n : -EINVAL;
	if (ctx->sa->esn) {
		ctx->seqhi = htonl(upper_32_bits(ctx->seq));
		sg_set_buf(&ctx->sg[n++], &ctx->seqhi, sizeof(ctx->seqhi));
	}
	sg_mark_end(&ctx->sg[n - 1]);
	return skb->len + (ctx->sa->esn ? sizeof(ctx->seqhi) : 0);
}

static int nipsec_ah_clear_mutable(struct sk_buff *skb, unsigned int hlen,
				   bool out)
{
	if (skb->protocol == htons(ETH_P_IP))
		return nipsec_ah_clear_mutable4(ip_hdr(skb), out);
	return nipsec_ah_clear_mutable6(ipv6_hdr(skb), hlen);
}

/*
 * Zero the mutable fields and hash the packet (and ESN's high bits);
 * @resume continues, now or from the callback.  The input side's request
 * holds @dev (the packet's device) until it is done.  Return: 0 once
 * submitted (the context is @resume's), or the drop reason before.
 */
static enum nipsec_stat
nipsec_ah_hash(struct nipsec_ah_ctx *ctx, int nsg, bool out,
	       void (*resume)(struct nipsec_async *, int),
	       struct net_device *dev)
{
	struct nipsec_sa *sa = ctx->sa;
	int len, err;

	if (nipsec_ah_clear_mutable(ctx->skb, ctx->hlen, out))
		return NIPSEC_DROP_PROTO;
	len = nipsec_ah_set_sg(ctx, nsg);
	if (unlikely(len < 0))
		return NIPSEC_DROP_CRYPTO;

	ahash_request_set_tfm(ctx->req, sa->ahash);
	ahash_request_set_callback(ctx->req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				   nipsec_async_done, &ctx->async);
	ahash_request_set_crypt(ctx->req, ctx->sg, ctx->icv, len);
	nipsec_async_init(&ctx->async, resume, sa->nn, dev);

	err = crypto_ahash_digest(ctx->req);
	if (!nipsec_async_pending(&ctx->async, err))
		resume(&ctx->async, err);	/* else nipsec_async_done() */
	return 0;
}

/* ------------------------------------------------------------ output */

static void nipsec_ah_output_resume(struct nipsec_async *a, int err)
{
	struct nipsec_ah_ctx *ctx = container_of(a, struct nipsec_ah_ctx, async);
	struct sk_buff *skb = ctx->skb;
	struct nipsec_sa *sa = ctx->sa;
	struct ip_auth_hdr *ah;

	if (unlikely(err)) {
		kfree(ctx);
		nipsec_sa_drop(skb, sa, NIPSEC_DROP_CRYPTO);
		return;
	}
	ah = (struct ip_auth_hdr *)(skb->data + ctx->hlen);
	memcpy(ah->auth_data, ctx->icv, sa->icvlen);
	/* the mutable fields as they were (LOCAL_OUT fixes the checksum) */
	memcpy(skb->data, ctx->saved, ctx->hlen);
	kfree(ctx);
	skb->ip_summed = CHECKSUM_NONE;
	nipsec_out_finish(skb, sa);
	nipsec_sa_put(sa);
}

/**
 * nipsec_ah_output - authenticate one packet
 * @sa: outbound AH SA (the caller is inside an RCU read section)
 * @skb: the packet, its network header at skb->data, linear up to @hlen,
 *       checksum complete, route attached
 * @hlen: bytes that stay in front of the AH header (the IP header and
 *        its extension headers, or the outer header of tunnel mode)
 * @proto_off: offset of the byte that names the payload's protocol; it
 *             names AH afterwards, its old value goes into the AH header
 *
 * Consumes @skb: it continues at nipsec_out_finish(), now or from the
 * hash's callback, or is dropped and counted.
 */
void nipsec_ah_output(struct nipsec_sa *sa, struct sk_buff *skb,
		      unsigned int hlen, unsigned int proto_off)
{
	unsigned int ahlen = nipsec_ah_len(sa->icvlen);
	struct nipsec_ah_ctx *ctx;
	enum nipsec_stat reason;
	struct ip_auth_hdr *ah;
	struct sk_buff *trailer;
	int nfrags;
	u64 seq;

	if (unlikely(!nipsec_sa_hold(sa))) {
		nipsec_drop(sa->nn, NULL, skb, NIPSEC_DROP_EXPIRED);
		return;
	}
	nfrags = nipsec_xform_out_prepare(sa, skb, hlen, proto_off, ahlen, 0,
					  &seq, &trailer, &reason);
	if (unlikely(nfrags < 0))
		goto drop;
	reason = NIPSEC_DROP_NOMEM;
	ctx = nipsec_ah_ctx_alloc(sa, hlen, nfrags + 1);
	if (unlikely(!ctx))
		goto drop;
	ctx->skb = skb;
	ctx->seq = seq;
	ctx->ahlen = ahlen;

	/* the AH header behind the kept headers */
	ah = (struct ip_auth_hdr *)nipsec_hdr_insert(skb, hlen, ahlen);
	ah->nexthdr = skb->data[proto_off];
	skb->data[proto_off] = IPPROTO_AH;
	ah->hdrlen = (ahlen >> 2) - 2;
	ah->reserved = 0;
	ah->spi = sa->key.spi;
	ah->seq_no = htonl(lower_32_bits(seq));
	/* ICV zero while hashing, padding zero for good */
	memset(ah->auth_data, 0, ahlen - NIPSEC_AH_HLEN);
	/* the length is immutable: hash the one the packet leaves with */
	nipsec_set_ip_len(skb, false);

	memcpy(ctx->saved, skb->data, hlen);
	reason = nipsec_ah_hash(ctx, nfrags + 1, true,
				nipsec_ah_output_resume, NULL);
	if (likely(!reason))
		return;
	kfree(ctx);
drop:
	nipsec_sa_drop(skb, sa, reason);
}

/* ------------------------------------------------------------ input */

/* Remove the AH header; transport mode keeps the IP header in front. */
static void nipsec_ah_strip(struct nipsec_ah_ctx *ctx)
{
	struct sk_buff *skb = ctx->skb;
	unsigned int hlen = ctx->hlen;

	if (ctx->sa->mode == NIPSEC_MODE_TUNNEL) {
		__skb_pull(skb, hlen + ctx->ahlen);
		skb_reset_network_header(skb);
		return;
	}
	/* the headers as they arrived, moved up against the payload */
	nipsec_hdr_remove(skb, hlen, ctx->ahlen, ctx->saved);
	nipsec_xform_in_transport(skb, hlen, ctx->proto_off, ctx->nexthdr);
}

static void nipsec_ah_input_resume(struct nipsec_async *a, int err)
{
	struct nipsec_ah_ctx *ctx = container_of(a, struct nipsec_ah_ctx, async);
	struct sk_buff *skb = ctx->skb;
	struct nipsec_sa *sa = ctx->sa;
	u8 nexthdr = ctx->nexthdr;
	enum nipsec_stat reason;

	reason = NIPSEC_DROP_CRYPTO;
	if (unlikely(err))
		goto free_ctx;
	reason = NIPSEC_DROP_AUTH;
	if (unlikely(crypto_memneq(ctx->icv, ctx->auth, sa->icvlen)))
		goto free_ctx;

	/* authentic: only now may the window move (RFC 4302 3.4.3) */
	err = nipsec_replay_commit(&sa->replay, &sa->lock, ctx->seq, NULL);
	reason = NIPSEC_DROP_REPLAY;
	if (unlikely(err))
		goto free_ctx;
	reason = NIPSEC_DROP_EXPIRED;
	if (unlikely(!nipsec_sa_account(sa, skb->len - ctx->hlen - ctx->ahlen,
					false)))
		goto free_ctx;
	skb->ip_summed = CHECKSUM_NONE;
	nipsec_ah_strip(ctx);
	kfree(ctx);
	nipsec_in_finish(skb, sa, nexthdr);
	nipsec_sa_put(sa);
	return;

free_ctx:
	kfree(ctx);
	nipsec_sa_drop(skb, sa, reason);
}

/**
 * nipsec_ah_input - verify one AH packet
 * @sa: the SA its SPI names (caller is inside an RCU read section)
 * @skb: the packet, network header at skb->data
 * @ah_off: offset of the AH header
 * @proto_off: offset of the byte that names AH (transport mode writes the
 *             protected protocol there)
 * @src: NULL (AH is never carried in UDP)
 *
 * Header length, replay check before the ICV, window update after it;
 * the packet without AH continues at nipsec_in_finish(). Consumes @skb.
 */
void nipsec_ah_input(struct nipsec_sa *sa, struct sk_buff *skb,
		     unsigned int ah_off, unsigned int proto_off,
		     const struct nipsec_udp_src *src)
{
	u16 family = skb->protocol == htons(ETH_P_IP) ? AF_INET : AF_INET6;
	const struct ip_auth_hdr *ah;
	struct nipsec_ah_ctx *ctx;
	enum nipsec_stat reason;
	struct sk_buff *trailer;
	unsigned int ahlen;
	int nfrags;
	u64 seq;

	if (unlikely(!nipsec_sa_hold(sa))) {
		nipsec_drop(sa->nn, NULL, skb, NIPSEC_DROP_NO_SA);
		return;
	}
	reason = NIPSEC_DROP_TRUNCATED;
	if (unlikely(!pskb_may_pull(skb, ah_off + NIPSEC_AH_HLEN)))
		goto drop;
	ah = (const struct ip_auth_hdr *)(skb->data + ah_off);
	ahlen = (ah->hdrlen + 2) << 2;
	reason = NIPSEC_DROP_PROTO;
	if (unlikely(!nipsec_ah_len_ok(ahlen, sa->icvlen, family) ||
		     ah_off > U16_MAX))
		goto drop;
	reason = NIPSEC_DROP_TRUNCATED;
	if (unlikely(!pskb_may_pull(skb, ah_off + ahlen)))
		goto drop;
	ah = (const struct ip_auth_hdr *)(skb->data + ah_off);
	/* the headers are zeroed in place for the hash: they must be ours */
	nfrags = nipsec_xform_in_prepare(sa, skb, ah->seq_no, &seq, &trailer,
					 &reason);
	if (unlikely(nfrags < 0))
		goto drop;
	reason = NIPSEC_DROP_NOMEM;
	ctx = nipsec_ah_ctx_alloc(sa, ah_off, nfrags + 1);
	if (unlikely(!ctx))
		goto drop;
	/* skb_cow_data() may have moved the data */
	ah = (const struct ip_auth_hdr *)(skb->data + ah_off);
	ctx->skb = skb;
	ctx->seq = seq;
	ctx->ahlen = ahlen;
	ctx->proto_off = proto_off;
	ctx->nexthdr = ah->nexthdr;
	memcpy(ctx->saved, skb->data, ah_off);
	memcpy(ctx->auth, ah->auth_data, sa->icvlen);
	/* only the ICV is zeroed: padding is hashed as the sender sent it */
	memset(skb->data + ah_off + NIPSEC_AH_HLEN, 0, sa->icvlen);

	/* re-injected from its device: that must outlive async crypto */
	reason = nipsec_ah_hash(ctx, nfrags + 1, false,
				nipsec_ah_input_resume, skb->dev);
	if (likely(!reason))
		return;
	kfree(ctx);
drop:
	nipsec_sa_drop(skb, sa, reason);
}

/* AH's header, its ICV and padding included (RFC 4302 2.2) */
static unsigned int nipsec_ah_header_room(const struct nipsec_sa *sa)
{
	return nipsec_ah_len(sa->icvlen);
}

const struct nipsec_xform nipsec_ah_xform = {
	.name		= "ah",
	.proto		= IPPROTO_AH,
	.hdr_len	= NIPSEC_AH_HLEN,
	.spi_off	= offsetof(struct ip_auth_hdr, spi),
	.header_room	= nipsec_ah_header_room,
	.max_inner	= nipsec_ah_max_inner,
	.output		= nipsec_ah_output,
	.input		= nipsec_ah_input,
};
