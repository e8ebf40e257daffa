/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between ESP and AH, as one table of operations per
 * protocol (XFRM's struct xfrm_type): crypto.c points an SA at its
 * protocol's table when it builds the transform, and the send and receive
 * paths call through it, never testing the protocol themselves.
 */
#ifndef _NIPSEC_XFORM_H
#define _NIPSEC_XFORM_H

#include <linux/types.h>

struct sk_buff;
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

#endif /* _NIPSEC_XFORM_H */
