/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nipsec client library: the C view of the nipsec generic-netlink family
 * (uapi/nipsec.yaml). All netlink traffic of the nipsec tool and of IKE
 * daemon plugins goes through these functions.
 *
 * Conventions:
 *  - every function returns 0 (or a non-negative value) on success and a
 *    negative errno on failure; nipsec_errmsg() then gives the kernel's
 *    extended ACK message, if it sent one;
 *  - no global state: a struct nipsec_handle owns one netlink socket and
 *    must not be used by two threads at once (use one handle per thread);
 *  - SPIs, reqids, ports of selectors are in host byte order; addresses are
 *    struct in_addr / struct in6_addr (network byte order, as always);
 *  - zero means "unset" for the optional fields that cannot be zero
 *    (reqid, spi in filters, lifetimes); fields where zero is meaningful
 *    have a has_* companion.
 *
 * Example:
 *
 *	struct nipsec_sa_cfg c = { .proto = NIPSEC_PROTO_ESP, .spi = 0x100,
 *				   .mode = NIPSEC_MODE_TUNNEL, .reqid = 1 };
 *	int err;
 *	struct nipsec_handle *h = nipsec_open(&err);
 *
 *	(fill c.src, c.dst, c.aead: name, key, key_len, bits)
 *	err = nipsec_sa_new(h, &c);
 *	if (err)
 *		log("sa-new: %s (%s)", nipsec_errmsg(h), strerror(-err));
 *	nipsec_close(h);
 *
 * Build with -I<uapi dir> (for <linux/nipsec.h>) and link libnipsec.a
 * with `pkg-config --libs libnl-genl-3.0`.
 */
#ifndef NIPSEC_CLIENT_H
#define NIPSEC_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/nipsec.h>

struct nipsec_handle;

/* An IPv4 or IPv6 address; family 0 means "not given". */
struct nipsec_addr {
	uint16_t family;		/* AF_INET, AF_INET6 or 0 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

/* Traffic selector (attribute set "selector"). */
struct nipsec_sel {
	uint16_t family;		/* 0: any family (no addresses) */
	struct nipsec_addr src, dst;	/* families equal to .family or 0 */
	uint8_t src_prefix, dst_prefix;
	uint8_t proto;			/* 0: any upper-layer protocol */
	uint16_t sport_min, sport_max;	/* both 0: any port */
	uint16_t dport_min, dport_max;
	bool has_icmp_type, has_icmp_code;
	uint8_t icmp_type, icmp_code;
};

/* One algorithm: name as the kernel's crypto API spells it, key, bits. */
struct nipsec_alg {
	char name[NIPSEC_ALG_NAME_LEN];	/* "" when the algorithm is absent */
	uint8_t key[NIPSEC_MAX_KEY_LEN];
	uint16_t key_len;		/* bytes */
	uint32_t bits;			/* ICV or truncation bits; 0: default */
};

struct nipsec_lifetime {		/* 0: no limit */
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
	uint64_t soft_add_seconds, hard_add_seconds;
	uint64_t soft_use_seconds, hard_use_seconds;
};

struct nipsec_usage {
	uint64_t bytes, packets;
	uint64_t add_time, use_time, last_use_time;	/* UNIX seconds */
};

struct nipsec_encap_cfg {
	uint8_t type;			/* NIPSEC_ENCAP_ESPINUDP */
	uint16_t sport, dport;		/* host byte order */
	struct nipsec_addr oa;		/* family 0: none */
	bool rebind;			/* kernel follows NAT rebinding */
};

/*
 * Counters (attribute set "stats"). nipsec_stats_fields[] lists every one
 * with its spec name so callers can print them without a case per field.
 */
struct nipsec_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t drop_no_sa, drop_out_no_sa, drop_policy, drop_cleartext;
	uint64_t drop_selector, drop_inner_family, drop_truncated;
	uint64_t drop_bad_padding, drop_auth, drop_replay;
	uint64_t drop_seq_exhausted, drop_expired, drop_crypto, drop_nomem;
	uint64_t drop_route, drop_mtu, drop_proto, acquires, mappings;
	uint64_t drop_depth, drop_fragment, drop_icmp_error, refused_limit;
};

struct nipsec_stats_field {
	const char *name;		/* spec name: "rx-packets", ... */
	uint16_t attr;			/* NIPSEC_A_STATS_* */
	size_t offset;			/* in struct nipsec_stats */
};
extern const struct nipsec_stats_field nipsec_stats_fields[];
extern const size_t nipsec_stats_nfields;

static inline uint64_t nipsec_stats_value(const struct nipsec_stats *s,
					  const struct nipsec_stats_field *f)
{
	return *(const uint64_t *)((const char *)s + f->offset);
}

/* What sa-new and sa-update carry. */
struct nipsec_sa_cfg {
	struct nipsec_addr src, dst;	/* same family */
	uint32_t spi;
	uint8_t proto;			/* NIPSEC_PROTO_ESP or _AH */
	uint8_t mode;			/* NIPSEC_MODE_* */
	uint32_t reqid;			/* 0: none */
	struct nipsec_alg aead;		/* bits: ICV length */
	struct nipsec_alg enc;		/* bits unused */
	struct nipsec_alg auth;		/* bits: truncation, 0: RFC default */
	bool has_replay_window;
	uint32_t replay_window;
	bool esn;
	bool has_sel;
	struct nipsec_sel sel;
	struct nipsec_lifetime lifetime;
	bool has_encap;
	struct nipsec_encap_cfg encap;
	bool has_seq;
	uint64_t seq;			/* next outbound sequence number */
};

/* An SA as sa-get, sa dumps and events report it (keys never come back). */
struct nipsec_sa {
	struct nipsec_sa_cfg cfg;	/* key_len is always 0 */
	bool has_state;
	uint8_t state;			/* NIPSEC_SA_STATE_* */
	bool has_usage, has_stats;
	struct nipsec_usage usage;
	struct nipsec_stats stats;
	uint64_t seq_in;		/* highest inbound sequence seen */
};

/* The key of one SA: sa-get, sa-del, per-SA stats. */
struct nipsec_sa_id {
	uint32_t spi;
	uint8_t proto;
	struct nipsec_addr dst;
};

/* sa dump filter; zero fields match everything. */
struct nipsec_sa_filter {
	struct nipsec_addr src, dst;
	uint32_t spi;
	uint8_t proto;
	uint32_t reqid;
};

/* spi-alloc request. */
struct nipsec_spi_req {
	struct nipsec_addr src, dst;
	uint8_t proto;
	uint32_t reqid;
	uint32_t spi_min, spi_max;	/* both 0: kernel default range */
	uint32_t timeout;		/* seconds; 0: kernel default (30) */
};

struct nipsec_tmpl {
	uint8_t proto;
	uint8_t mode;
	struct nipsec_addr src, dst;	/* family 0: not given */
	uint32_t reqid;
	uint32_t spi;			/* 0: any */
};

struct nipsec_policy_cfg {
	uint8_t dir;			/* NIPSEC_DIR_* */
	uint32_t priority;		/* lower wins */
	uint8_t action;			/* NIPSEC_ACTION_* */
	struct nipsec_sel sel;
	bool has_tmpl;
	struct nipsec_tmpl tmpl;
};

struct nipsec_policy {
	uint32_t id;
	struct nipsec_policy_cfg cfg;
	bool has_usage;
	struct nipsec_usage usage;
};

enum nipsec_event_type {
	NIPSEC_EVENT_ACQUIRE,
	NIPSEC_EVENT_EXPIRE,
	NIPSEC_EVENT_SA_DEL,
	NIPSEC_EVENT_POLICY_DEL,
	NIPSEC_EVENT_MAPPING,
	NIPSEC_EVENT_DROP,	/* only after nipsec_drops_subscribe() */
};

struct nipsec_event {
	enum nipsec_event_type type;
	union {
		struct {
			uint32_t policy_id;
			bool has_tmpl;
			struct nipsec_tmpl tmpl;
			struct nipsec_sel sel;	/* the triggering packet */
		} acquire;
		struct {
			struct nipsec_sa sa;	/* sa-ref: id, reqid, usage */
			bool hard;
			bool has_limit;
			uint8_t limit;		/* NIPSEC_LIMIT_* */
		} expire;
		struct nipsec_sa sa_del;
		struct nipsec_policy policy_del;
		struct {
			struct nipsec_sa sa;
			struct nipsec_addr old_addr, new_addr;
			uint16_t old_port, new_port;	/* host order */
		} mapping;
		struct {
			char reason[32];	/* "auth", as drop-auth */
			bool has_sa;
			struct nipsec_sa sa;
			struct nipsec_addr src, dst;
			uint32_t suppressed;	/* not reported before this */
		} drop;
	};
};

/*
 * Callbacks return 0 to go on; anything else stops the dump or loop (a
 * negative value is then returned by the call). The struct they get is
 * only valid during the callback: copy what you keep.
 */
typedef int (*nipsec_sa_cb)(const struct nipsec_sa *sa, void *arg);
typedef int (*nipsec_policy_cb)(const struct nipsec_policy *pol, void *arg);
typedef int (*nipsec_event_cb)(const struct nipsec_event *ev, void *arg);

/* Handle life cycle. nipsec_open() stores a negative errno in *err. */
struct nipsec_handle *nipsec_open(int *err);
void nipsec_close(struct nipsec_handle *h);
int nipsec_fd(const struct nipsec_handle *h);

/*
 * Text explaining the last failure of a call on h: the kernel's extended
 * ACK message, or a library message (family not found, ...). "" if none.
 */
const char *nipsec_errmsg(const struct nipsec_handle *h);

/* SAD */
int nipsec_sa_new(struct nipsec_handle *h, const struct nipsec_sa_cfg *cfg);
int nipsec_sa_update(struct nipsec_handle *h, const struct nipsec_sa_cfg *cfg);
int nipsec_sa_del(struct nipsec_handle *h, const struct nipsec_sa_id *id);
int nipsec_sa_get(struct nipsec_handle *h, const struct nipsec_sa_id *id,
		  struct nipsec_sa *out);
int nipsec_sa_dump(struct nipsec_handle *h, const struct nipsec_sa_filter *f,
		   nipsec_sa_cb cb, void *arg);
int nipsec_sa_flush(struct nipsec_handle *h, uint8_t proto);	/* 0: all */
int nipsec_spi_alloc(struct nipsec_handle *h, const struct nipsec_spi_req *req,
		     uint32_t *spi);

/* SPD */
int nipsec_policy_new(struct nipsec_handle *h,
		      const struct nipsec_policy_cfg *cfg, uint32_t *id);
int nipsec_policy_del(struct nipsec_handle *h, uint32_t id);
int nipsec_policy_del_sel(struct nipsec_handle *h, uint8_t dir,
			  const struct nipsec_sel *sel);
int nipsec_policy_get(struct nipsec_handle *h, uint32_t id,
		      struct nipsec_policy *out);
/* by dir and selector, looked up in the kernel as nipsec_policy_del_sel */
int nipsec_policy_get_sel(struct nipsec_handle *h, uint8_t dir,
			  const struct nipsec_sel *sel, struct nipsec_policy *out);
/* dir < 0: every direction */
int nipsec_policy_dump(struct nipsec_handle *h, int dir, nipsec_policy_cb cb,
		       void *arg);
int nipsec_policy_flush(struct nipsec_handle *h, int dir);

/* Counters: id NULL for the global ones. */
int nipsec_stats_get(struct nipsec_handle *h, const struct nipsec_sa_id *id,
		     struct nipsec_stats *out);

/*
 * Events. Subscribe a handle that is used for nothing else (replies and
 * events would interleave otherwise), then call nipsec_event_recv() when
 * nipsec_fd() is readable, or in a loop: it blocks for one read (or
 * returns -EAGAIN if the caller made the fd non-blocking) and calls cb for
 * each event in it. It returns -ENOBUFS once if events were lost.
 */
int nipsec_event_subscribe(struct nipsec_handle *h);
/* dropped packets too (rate-limited by the module): NIPSEC_EVENT_DROP */
int nipsec_drops_subscribe(struct nipsec_handle *h);
int nipsec_event_recv(struct nipsec_handle *h, nipsec_event_cb cb, void *arg);
/*
 * nipsec_event_recv() until cb returns non-zero (that value is returned)
 * or an error: -ENOBUFS says events were lost (re-read the state with the
 * dumps, then call again).
 */
int nipsec_event_loop(struct nipsec_handle *h, nipsec_event_cb cb, void *arg);

/*
 * Message encoding and decoding, exported for tests and for callers that
 * drive their own sockets. They work on libnl's struct nl_msg / nlattr.
 */
struct nl_msg;
struct nlattr;
int nipsec_put_sa_cfg(struct nl_msg *msg, const struct nipsec_sa_cfg *cfg);
int nipsec_put_policy_cfg(struct nl_msg *msg,
			  const struct nipsec_policy_cfg *cfg);
int nipsec_parse_sa(struct nlattr *attrs, int len, struct nipsec_sa *out);
int nipsec_parse_policy(struct nlattr *attrs, int len,
			struct nipsec_policy *out);
int nipsec_parse_event(uint8_t cmd, struct nlattr *attrs, int len,
		       struct nipsec_event *ev);

#endif /* NIPSEC_CLIENT_H */
