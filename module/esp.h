/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP data path (RFC 4303): private interface between crypto.c, replay.c,
 * encap.c and esp.c, and the helpers KUnit tests.
 */
#ifndef _NIPSEC_ESP_H
#define _NIPSEC_ESP_H

#include <linux/skbuff.h>

#include "nipsec.h"
#include "replay.h"
#include "sa.h"
#include "encap.h"

/* struct nipsec_sa.alg_flags */
#define NIPSEC_ALGF_COUNTER_IV	BIT(0)	/* IV = sequence number ^ salt */

#define NIPSEC_ESP_HLEN		8	/* SPI and sequence number */
#define NIPSEC_ESP_MAX_IVLEN	16

/* esp.c: pure helpers (KUnit tests them) */
unsigned int nipsec_esp_padlen(unsigned int plen, unsigned int blksize);
void nipsec_esp_fill_trailer(u8 *tail, unsigned int padlen, u8 nexthdr);
int nipsec_esp_check_trailer(const struct sk_buff *skb, unsigned int end,
			     unsigned int elen, u8 *nexthdr,
			     unsigned int *padlen);
void nipsec_esp_counter_iv(u8 *iv, u64 seq, __be64 salt);
unsigned int nipsec_esp_max_inner(const struct nipsec_sa *sa,
				  unsigned int mtu, unsigned int outer_hlen,
				  unsigned int kept_hlen);

/* esp.c: the transforms; both consume the skb */
void nipsec_esp_output(struct nipsec_sa *sa, struct sk_buff *skb,
		       unsigned int hlen, unsigned int proto_off);
void nipsec_esp_input(struct nipsec_sa *sa, struct sk_buff *skb,
		      unsigned int esp_off, unsigned int proto_off,
		      const struct nipsec_udp_src *src);

#endif /* _NIPSEC_ESP_H */
