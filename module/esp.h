/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP data path (RFC 4303): private interface between crypto.c, replay.c,
 * esp.c and hooks.c.
 */
#ifndef _NIPSEC_ESP_H
#define _NIPSEC_ESP_H

#include <linux/skbuff.h>

#include "nipsec.h"

/* struct nipsec_sa.alg_flags */
#define NIPSEC_ALGF_COUNTER_IV	BIT(0)	/* IV = sequence number ^ salt */

#define NIPSEC_ESP_HLEN		8	/* SPI and sequence number */
#define NIPSEC_ESP_MAX_IVLEN	16

/* Where an ESP-in-UDP packet came from (rebinding is checked after auth). */
struct nipsec_udp_src {
	union nipsec_addr addr;
	__be16 port;
	u16 family;
};

/* replay.c */
int nipsec_replay_recheck(const struct nipsec_replay *r, u64 seq);

/* esp.c: pure helpers (KUnit tests them) */
unsigned int nipsec_esp_padlen(unsigned int plen, unsigned int blksize);
void nipsec_esp_fill_trailer(u8 *tail, unsigned int padlen, u8 nexthdr);
int nipsec_esp_check_trailer(const struct sk_buff *skb, unsigned int end,
			     unsigned int elen, u8 *nexthdr,
			     unsigned int *padlen);
void nipsec_esp_counter_iv(u8 *iv, u64 seq, __be64 salt);
int nipsec_esp_next_seq(struct nipsec_sa *sa, u64 *seq);
unsigned int nipsec_esp_max_inner(const struct nipsec_sa *sa,
				  unsigned int mtu, unsigned int outer_hlen,
				  unsigned int kept_hlen);

/* esp.c: the transforms; both consume the skb */
void nipsec_esp_output(struct nipsec_sa *sa, struct sk_buff *skb,
		       unsigned int hlen, unsigned int proto_off);
void nipsec_esp_input(struct nipsec_sa *sa, struct sk_buff *skb,
		      unsigned int esp_off, unsigned int proto_off,
		      const struct nipsec_udp_src *src);

/* encap.c: ESP in UDP (RFC 3948) */
struct udphdr;
void nipsec_encap_out_hdr(const struct nipsec_sa *sa, struct udphdr *uh,
			  unsigned int len);
void nipsec_encap_out_csum(struct sk_buff *skb);
unsigned int nipsec_encap_rcv(struct nipsec_net *nn, struct sk_buff *skb,
			      u16 family, unsigned int off,
			      unsigned int proto_off);
void nipsec_encap_check_peer(struct nipsec_sa *sa,
			     const struct nipsec_udp_src *src, bool newest);
void nipsec_encap_csum_fixup(struct sk_buff *skb, const struct nipsec_sa *sa);

/* hooks.c: ESP addressed to this host, plain or from UDP */
unsigned int nipsec_esp_rcv(struct nipsec_net *nn, struct sk_buff *skb,
			    u16 family, unsigned int off,
			    unsigned int proto_off,
			    const struct nipsec_udp_src *src);

/* hooks.c: where a packet goes after its transform, sync or async */
void nipsec_out_finish(struct sk_buff *skb, struct nipsec_sa *sa);
void nipsec_in_finish(struct sk_buff *skb, struct nipsec_sa *sa, u8 nexthdr);

#endif /* _NIPSEC_ESP_H */
