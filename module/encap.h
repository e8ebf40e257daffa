/* SPDX-License-Identifier: GPL-2.0 */
/* ESP in UDP (RFC 3948): what encap.c gives the ESP and hook paths. */
#ifndef _NIPSEC_ENCAP_H
#define _NIPSEC_ENCAP_H

#include <linux/skbuff.h>

#include "nipsec.h"
#include "sa.h"

/* Where an ESP-in-UDP packet came from (rebinding is checked after auth). */
struct nipsec_udp_src {
	union nipsec_addr addr;
	__be16 port;
	u16 family;
};

struct udphdr;
void nipsec_encap_out_hdr(const struct nipsec_sa *sa, struct udphdr *uh,
			  unsigned int len);
void nipsec_encap_out_csum(struct sk_buff *skb);
unsigned int nipsec_encap_rcv(struct nipsec_net *nn, struct sk_buff *skb,
			      u16 family, unsigned int off,
			      unsigned int proto_off);
void nipsec_encap_check_peer(struct nipsec_sa *sa,
			     const struct nipsec_udp_src *src, bool newest);
void nipsec_encap_csum_fixup(struct sk_buff *skb, const struct nipsec_sa *sa,
			     unsigned int off, u8 proto);

#endif /* _NIPSEC_ENCAP_H */
