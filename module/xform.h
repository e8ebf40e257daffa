/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between ESP and AH, as one table of operations per
 * protocol (XFRM's struct xfrm_type): crypto.c points an SA at its
 * protocol's table when it builds the transform, and the send and receive
 * paths call through it, never testing the protocol themselves.
 */
#ifndef _NIPSEC_XFORM_H
#define _NIPSEC_XFORM_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/ip.h>

#include "stats.h"

struct nipsec_sa;
struct nipsec_udp_src;

/**
 * struct nipsec_xform - one IPsec protocol's transform
 * @name: "esp" or "ah", for messages
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @hdr_len: the fixed part of the header, which holds the SPI
 * @spi_off: where in that header the SPI is
 * @header_room: bytes the transform puts in front of the payload at most
 *	(ESP: the UDP header it may be carried in, the header and the IV;
 *	AH: the header with its ICV)
 * @max_inner: largest packet that fits @mtu once protected; @outer_hlen
 *	is the tunnel's outer header (0 in transport mode), @kept_hlen the
 *	headers that stay in front in transport mode (0 in tunnel mode)
 * @output: protect one packet, network header at @hlen bytes before the
 *	payload, @proto_off the byte naming the next protocol; consumes it
 *	and continues at nipsec_out_finish()
 * @input: verify (and decrypt) one packet whose header is at @off;
 *	@src: where ESP in UDP came from, else NULL; consumes it and
 *	continues at nipsec_in_finish()
 */
struct nipsec_xform {
	const char *name;
	u8 proto;
	u8 hdr_len;
	u8 spi_off;
	unsigned int (*header_room)(const struct nipsec_sa *sa);
	unsigned int (*max_inner)(const struct nipsec_sa *sa, unsigned int mtu,
				  unsigned int outer_hlen,
				  unsigned int kept_hlen);
	void (*output)(struct nipsec_sa *sa, struct sk_buff *skb,
		       unsigned int hlen, unsigned int proto_off);
	void (*input)(struct nipsec_sa *sa, struct sk_buff *skb,
		      unsigned int off, unsigned int proto_off,
		      const struct nipsec_udp_src *src);
};

extern const struct nipsec_xform nipsec_esp_xform;
extern const struct nipsec_xform nipsec_ah_xform;

/*
 * Headers go in and out behind the @hlen bytes that stay in front (the IP
 * header and its extension headers in transport mode, the outer header in
 * tunnel mode); the caller has made the bytes writable and the room there.
 */

/* Open @len bytes behind the first @hlen; returns where they start. */
static inline u8 *nipsec_hdr_insert(struct sk_buff *skb, unsigned int hlen,
				    unsigned int len)
{
	__skb_push(skb, len);
	memmove(skb->data, skb->data + len, hlen);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, hlen);
	return skb->data + hlen;
}

/*
 * Take out the @len bytes behind the first @hlen; @front, if not NULL,
 * is what the @hlen bytes are to be (AH: the headers as they arrived,
 * before the mutable fields were zeroed).
 */
static inline void nipsec_hdr_remove(struct sk_buff *skb, unsigned int hlen,
				     unsigned int len, const void *front)
{
	if (front)
		memcpy(skb->data + len, front, hlen);
	else
		memmove(skb->data + len, skb->data, hlen);
	__skb_pull(skb, len);
	skb_reset_network_header(skb);
}

/* The IP length after a header went in or out; IPv4's checksum if @csum. */
static inline void nipsec_set_ip_len(struct sk_buff *skb, bool csum)
{
	if (skb->protocol == htons(ETH_P_IP)) {
		ip_hdr(skb)->tot_len = htons(skb->len);
		if (csum)
			ip_send_check(ip_hdr(skb));
	} else {
		ipv6_hdr(skb)->payload_len = htons(skb->len -
						   sizeof(struct ipv6hdr));
	}
}

/* output.c and input.c: what ESP and AH share around their crypto */
int nipsec_xform_out_prepare(struct nipsec_sa *sa, struct sk_buff *skb,
			     unsigned int hlen, unsigned int proto_off,
			     unsigned int head, unsigned int tail, u64 *seq,
			     struct sk_buff **trailer, enum nipsec_stat *reason);
int nipsec_xform_in_prepare(struct nipsec_sa *sa, struct sk_buff *skb,
			    __be32 seq_no, u64 *seq, struct sk_buff **trailer,
			    enum nipsec_stat *reason);
void nipsec_xform_in_transport(struct sk_buff *skb, unsigned int hlen,
			       unsigned int proto_off, u8 nexthdr);

#endif /* _NIPSEC_XFORM_H */
