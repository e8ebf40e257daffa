/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AH data path (RFC 4302): private interface between crypto.c and ah.c,
 * and the helpers KUnit tests.
 */
#ifndef _NIPSEC_AH_H
#define _NIPSEC_AH_H

#include <linux/skbuff.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "nipsec.h"
#include "sa.h"

struct nipsec_udp_src;

#define NIPSEC_AH_HLEN		12	/* next header .. sequence number */
#define NIPSEC_AH_MAX_DIGEST	64	/* hmac(sha512) */

/* ah.c: pure helpers (KUnit tests them) */
unsigned int nipsec_ah_len(unsigned int icvlen);
bool nipsec_ah_len_ok(unsigned int ahlen, unsigned int icvlen, u16 family);
int nipsec_ah_clear_mutable4(struct iphdr *iph, bool out);
int nipsec_ah_clear_mutable6(struct ipv6hdr *ip6h, unsigned int hlen);
unsigned int nipsec_ah_max_inner(const struct nipsec_sa *sa, unsigned int mtu,
				 unsigned int outer_hlen, unsigned int kept_hlen);

/* ah.c: the transforms; both consume the skb */
void nipsec_ah_output(struct nipsec_sa *sa, struct sk_buff *skb,
		      unsigned int hlen, unsigned int proto_off);
void nipsec_ah_input(struct nipsec_sa *sa, struct sk_buff *skb,
		     unsigned int ah_off, unsigned int proto_off,
		     const struct nipsec_udp_src *src);

#endif /* _NIPSEC_AH_H */
