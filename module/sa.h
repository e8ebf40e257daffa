/* SPDX-License-Identifier: GPL-2.0 */
/* SAD configuration, used by the netlink handlers (under nipsec_net.lock). */
#ifndef _NIPSEC_SA_H
#define _NIPSEC_SA_H

#include "nipsec.h"

/* An SA as requested by sa-new / sa-update / spi-alloc. */
struct nipsec_sa_params {
	struct nipsec_sa_key key;	/* spi, proto, family, daddr */
	union nipsec_addr saddr;
	u8 mode;
	u32 reqid;
	struct nipsec_alg_cfg alg;
	bool has_alg;
	u32 replay_window;
	bool esn;
	bool has_sel;
	struct nipsec_selector sel;
	bool has_lft;
	struct nipsec_lifetime lft;
	bool has_encap;
	u8 encap_type;
	__be16 encap_sport, encap_dport;
	union nipsec_addr encap_oa;
	bool encap_rebind;
	bool has_seq;
	u64 seq;
};

/* A callback over SAs; embed it and use container_of() for context. */
struct nipsec_sa_visitor {
	void (*visit)(struct nipsec_sa_visitor *v, struct nipsec_sa *sa);
};

int nipsec_sa_add(struct nipsec_net *nn, const struct nipsec_sa_params *p,
		  bool update, struct netlink_ext_ack *extack);
struct nipsec_sa *nipsec_sa_find(struct nipsec_net *nn,
				 const struct nipsec_sa_key *key);
void nipsec_sa_remove(struct nipsec_sa *sa, bool notify);
void nipsec_sa_flush(struct nipsec_net *nn, u8 proto, bool notify);
int nipsec_spi_alloc(struct nipsec_net *nn, struct nipsec_sa_params *p,
		     u32 spi_min, u32 spi_max, u32 timeout,
		     struct netlink_ext_ack *extack);
void nipsec_sa_visit_out(struct nipsec_net *nn,
			 const struct nipsec_tmpl_key *key,
			 struct nipsec_sa_visitor *v);
int nipsec_encap_init_sa(struct nipsec_sa *sa,
			 const struct nipsec_sa_params *p);
void nipsec_encap_free_sa(struct nipsec_sa *sa);
int nipsec_encap_update(struct nipsec_sa *sa,
			const struct nipsec_sa_params *p);
void nipsec_sa_usage(const struct nipsec_sa *sa, u64 *bytes, u64 *packets);

#endif /* _NIPSEC_SA_H */
