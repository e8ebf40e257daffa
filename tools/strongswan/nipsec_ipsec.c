// SPDX-License-Identifier: GPL-2.0
/*
 * charon's kernel_ipsec_t on the nipsec generic-netlink family.
 *
 * Every request goes through tools/lib (libnipsec.a): one handle for
 * requests, serialised by a mutex (charon calls from many threads), and one
 * handle subscribed to the "events" group, read from charon's watcher.
 *
 * What maps how (see Documentation/strongswan.rst):
 *  - SPIs: strongSwan holds them in network byte order, nipsec in host
 *    order;
 *  - algorithms: strongSwan's IKEv2 transform ids to the crypto API names
 *    nipsec takes (the same names XFRM takes);
 *  - policies: nipsec refuses a second policy with the same direction and
 *    selector, charon installs one per CHILD_SA (and one per trap): the
 *    plugin keeps one kernel policy per (direction, selector) with the list
 *    of its users, and installs the best one's template;
 *  - bypass_socket: nipsec has no per-socket bypass; the plugin installs
 *    bypass policies for the socket's UDP port, in and out, at priority 0
 *    (lower wins), before any other policy.
 */
#include "nipsec_ipsec.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <daemon.h>
#include <collections/array.h>
#include <collections/linked_list.h>
#include <processing/watcher.h>
#include <sa/task_manager.h>
#include <threading/mutex.h>

#include <nipsec_client.h>

typedef struct private_kernel_nipsec_ipsec_t private_kernel_nipsec_ipsec_t;

/* Priority classes (lower wins): 0 is the IKE sockets' bypass. */
#define PRIO_CLASS	100000

/* One user of a kernel policy: a CHILD_SA, a trap, a bypass. */
struct policy_user {
	uint32_t priority;
	policy_priority_t prio;		/* ties: DEFAULT before ROUTED */
	uint8_t action;
	bool has_tmpl;
	struct nipsec_tmpl tmpl;
};

/* One kernel policy, shared by every user with its direction and selector. */
struct policy_entry {
	uint8_t dir;
	struct nipsec_sel sel;
	uint32_t id;			/* kernel id, 0 if not installed */
	struct policy_user installed;
	array_t *users;			/* struct policy_user, best first */
};

struct private_kernel_nipsec_ipsec_t {
	kernel_ipsec_t public;
	struct nipsec_handle *h;	/* requests, under lock */
	struct nipsec_handle *ev;	/* events, read from the watcher */
	mutex_t *lock;
	linked_list_t *policies;	/* struct policy_entry */
	array_t *bypass;		/* uint32_t kernel ids of bypass policies */
	uint32_t spi_min, spi_max;
};

/* ------------------------------------------------------------ conversions */

static bool host2addr(host_t *host, struct nipsec_addr *a)
{
	chunk_t c = host->get_address(host);

	memset(a, 0, sizeof(*a));
	switch (host->get_family(host)) {
	case AF_INET:
		if (c.len != sizeof(a->u.v4))
			return FALSE;
		a->family = AF_INET;
		memcpy(&a->u.v4, c.ptr, c.len);
		return TRUE;
	case AF_INET6:
		if (c.len != sizeof(a->u.v6))
			return FALSE;
		a->family = AF_INET6;
		memcpy(&a->u.v6, c.ptr, c.len);
		return TRUE;
	}
	return FALSE;
}

static host_t *addr2host(const struct nipsec_addr *a, uint16_t port)
{
	switch (a->family) {
	case AF_INET:
		return host_create_from_chunk(AF_INET,
			chunk_create((u_char *)&a->u.v4, sizeof(a->u.v4)), port);
	case AF_INET6:
		return host_create_from_chunk(AF_INET6,
			chunk_create((u_char *)&a->u.v6, sizeof(a->u.v6)), port);
	}
	return NULL;
}

static void set_alg(struct nipsec_alg *alg, const char *name, chunk_t key,
		    uint32_t bits)
{
	snprintf(alg->name, sizeof(alg->name), "%s", name);
	memcpy(alg->key, key.ptr, key.len);
	alg->key_len = key.len;
	alg->bits = bits;
}

/*
 * strongSwan's ESP transforms to nipsec's algorithms. The AEAD keys come
 * from charon with their salt appended, as nipsec (and XFRM) take them.
 */
static bool map_algs(struct nipsec_sa_cfg *c, uint16_t enc_alg, chunk_t enc_key,
		     uint16_t int_alg, chunk_t int_key)
{
	const char *aead = NULL, *enc = NULL, *auth = NULL;
	uint32_t icv = 0, trunc = 0;

	switch (enc_alg) {
	case ENCR_AES_GCM_ICV8:
		aead = "rfc4106(gcm(aes))";
		icv = 64;
		break;
	case ENCR_AES_GCM_ICV12:
		aead = "rfc4106(gcm(aes))";
		icv = 96;
		break;
	case ENCR_AES_GCM_ICV16:
		aead = "rfc4106(gcm(aes))";
		icv = 128;
		break;
	case ENCR_NULL_AUTH_AES_GMAC:
		aead = "rfc4543(gcm(aes))";
		icv = 128;
		break;
	case ENCR_CHACHA20_POLY1305:
		aead = "rfc7539esp(chacha20,poly1305)";
		icv = 128;
		break;
	case ENCR_AES_CBC:
		enc = "cbc(aes)";
		break;
	case ENCR_NULL:
		enc = "ecb(cipher_null)";
		break;
	case ENCR_UNDEFINED:
		break;
	default:
		DBG1(DBG_KNL, "nipsec: encryption algorithm %N not supported",
		     encryption_algorithm_names, enc_alg);
		return FALSE;
	}
	switch (int_alg) {
	case AUTH_HMAC_SHA1_96:
		auth = "hmac(sha1)";
		trunc = 96;
		break;
	case AUTH_HMAC_SHA2_256_128:
		auth = "hmac(sha256)";
		trunc = 128;
		break;
	case AUTH_HMAC_SHA2_384_192:
		auth = "hmac(sha384)";
		trunc = 192;
		break;
	case AUTH_HMAC_SHA2_512_256:
		auth = "hmac(sha512)";
		trunc = 256;
		break;
	case AUTH_UNDEFINED:
		break;
	default:
		DBG1(DBG_KNL, "nipsec: integrity algorithm %N not supported",
		     integrity_algorithm_names, int_alg);
		return FALSE;
	}
	if (aead && auth) {
		DBG1(DBG_KNL, "nipsec: %N is an AEAD: no integrity algorithm "
		     "goes with it", encryption_algorithm_names, enc_alg);
		return FALSE;
	}
	if (enc_key.len > NIPSEC_MAX_KEY_LEN || int_key.len > NIPSEC_MAX_KEY_LEN)
		return FALSE;
	if (aead)
		set_alg(&c->aead, aead, enc_key, icv);
	if (enc)
		set_alg(&c->enc, enc, enc_key, 0);
	if (auth)
		set_alg(&c->auth, auth, int_key, trunc);
	if (!aead && !enc && auth)	/* AH, or ESP with null encryption */
		return TRUE;
	return aead || enc;
}

static bool is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_DCCP;
}

/*
 * One side's ports. strongSwan puts ICMP type and code into the ports
 * (type in the high byte); nipsec has fields for them.
 */
static bool ts_ports(traffic_selector_t *ts, uint8_t proto, uint16_t *min,
		     uint16_t *max, struct nipsec_sel *sel)
{
	uint16_t from = ts->get_from_port(ts), to = ts->get_to_port(ts);

	if (from == 0 && to == 0xffff)
		return TRUE;		/* any */
	if (from > to) {
		DBG1(DBG_KNL, "nipsec: OPAQUE ports cannot be expressed");
		return FALSE;
	}
	if (is_icmp(proto)) {
			if ((from >> 8) == (to >> 8)) {
			sel->has_icmp_type = TRUE;
			sel->icmp_type = from >> 8;
			if ((from & 0xff) == (to & 0xff)) {
				sel->has_icmp_code = TRUE;
				sel->icmp_code = from & 0xff;
			}
		}
		return TRUE;
	}
	if (!has_ports(proto))
		return TRUE;
	*min = from;
	*max = to;
	return TRUE;
}

/* A policy's selector from charon's pair of traffic selectors. */
static bool ts2sel(traffic_selector_t *src, traffic_selector_t *dst,
		   struct nipsec_sel *sel)
{
	host_t *net;
	uint8_t plen;
	bool ok;

	memset(sel, 0, sizeof(*sel));
	sel->family = src->get_type(src) == TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6;
	src->to_subnet(src, &net, &plen);
	ok = host2addr(net, &sel->src);
	net->destroy(net);
	sel->src_prefix = plen;
	dst->to_subnet(dst, &net, &plen);
	ok = ok && host2addr(net, &sel->dst);
	net->destroy(net);
	sel->dst_prefix = plen;
	if (!ok || sel->src.family != sel->family || sel->dst.family != sel->family)
		return FALSE;
	/* either side may say "any" protocol: the more restrictive one */
	sel->proto = max(src->get_protocol(src), dst->get_protocol(dst));
	if (!sel->proto)
		return TRUE;
	if (is_icmp(sel->proto)) {
		/* type and code are in the ports of either selector */
		traffic_selector_t *ts = src;

		if (ts->get_from_port(ts) == 0 && ts->get_to_port(ts) == 0xffff)
			ts = dst;
		return ts_ports(ts, sel->proto, NULL, NULL, sel);
	}
	return ts_ports(src, sel->proto, &sel->sport_min, &sel->sport_max, sel) &&
	       ts_ports(dst, sel->proto, &sel->dport_min, &sel->dport_max, sel);
}

/* The triggering packet of an acquire, one side, as a traffic selector. */
static traffic_selector_t *sel2ts(const struct nipsec_sel *sel, bool src)
{
	const struct nipsec_addr *a = src ? &sel->src : &sel->dst;
	uint16_t from = 0, to = 0xffff;
	chunk_t addr;
	ts_type_t type;

	if (a->family == AF_INET) {
		addr = chunk_create((u_char *)&a->u.v4, sizeof(a->u.v4));
		type = TS_IPV4_ADDR_RANGE;
	} else if (a->family == AF_INET6) {
		addr = chunk_create((u_char *)&a->u.v6, sizeof(a->u.v6));
		type = TS_IPV6_ADDR_RANGE;
	} else {
		return NULL;
	}
	if (is_icmp(sel->proto) && sel->has_icmp_type) {
		from = to = sel->icmp_type << 8 |
			    (sel->has_icmp_code ? sel->icmp_code : 0);
		if (!sel->has_icmp_code)
			to |= 0xff;
	} else if (has_ports(sel->proto)) {
		uint16_t min = src ? sel->sport_min : sel->dport_min;
		uint16_t max = src ? sel->sport_max : sel->dport_max;

		if (min || max) {
			from = min;
			to = max;
		}
	}
	return traffic_selector_create_from_bytes(sel->proto, type, addr, from,
						  addr, to);
}

/* A wall-clock time from nipsec as charon's monotonic time. */
static time_t mono_time(uint64_t wall)
{
	time_t now = time(NULL);

	if (!wall)
		return 0;
	if ((time_t)wall > now)
		return time_monotonic(NULL);
	return time_monotonic(NULL) - (now - (time_t)wall);
}

static status_t err2status(int err)
{
	switch (err) {
	case 0:
		return SUCCESS;
	case -ENOENT:
		return NOT_FOUND;
	case -EOPNOTSUPP:
		return NOT_SUPPORTED;
	case -EEXIST:
		return ALREADY_DONE;
	}
	return FAILED;
}

/* Marks, interface ids and labels: nipsec has none; refuse them clearly. */
static bool plain_id(mark_t mark, uint32_t if_id, sec_label_t *label,
		     const char *what)
{
	if (mark.value || mark.mask) {
		DBG1(DBG_KNL, "nipsec: %s with mark %u/0x%08x refused: nipsec has "
		     "no marks", what, mark.value, mark.mask);
		return FALSE;
	}
	if (if_id) {
		DBG1(DBG_KNL, "nipsec: %s with interface id %u refused: nipsec "
		     "has no XFRM interfaces", what, if_id);
		return FALSE;
	}
	if (label) {
		DBG1(DBG_KNL, "nipsec: %s with a security label refused", what);
		return FALSE;
	}
	return TRUE;
}

/* ------------------------------------------------------------ SAs */

METHOD(kernel_ipsec_t, get_features, kernel_feature_t,
       private_kernel_nipsec_ipsec_t *this)
{
	return 0;
}

/* nipsec's limit for an spi-alloc reservation, in seconds */
#define NIPSEC_LARVAL_MAX_TIMEOUT 86400

METHOD(kernel_ipsec_t, get_spi, status_t, private_kernel_nipsec_ipsec_t *this,
       host_t *src, host_t *dst, uint8_t protocol, uint32_t *spi)
{
	/*
	 * The reservation must outlive the exchange that completes it, with
	 * every retransmit (what kernel-netlink sets xfrm_acq_expires to).
	 */
	struct nipsec_spi_req req = {
		.proto = protocol,
		.spi_min = this->spi_min,
		.spi_max = this->spi_max,
		.timeout = task_manager_total_retransmit_timeout(),
	};
	uint32_t got;
	int err;

	/* the module refuses more than a day (charon may ask for more) */
	if (req.timeout > NIPSEC_LARVAL_MAX_TIMEOUT)
		req.timeout = NIPSEC_LARVAL_MAX_TIMEOUT;
	if (!host2addr(src, &req.src) || !host2addr(dst, &req.dst))
		return FAILED;
	this->lock->lock(this->lock);
	err = nipsec_spi_alloc(this->h, &req, &got);
	if (err)
		DBG1(DBG_KNL, "nipsec: spi-alloc failed: %s (%s)",
		     nipsec_errmsg(this->h), strerror(-err));
	this->lock->unlock(this->lock);
	if (err)
		return FAILED;
	*spi = htonl(got);
	DBG2(DBG_KNL, "nipsec: got SPI %.8x", got);
	return SUCCESS;
}

METHOD(kernel_ipsec_t, get_cpi, status_t, private_kernel_nipsec_ipsec_t *this,
       host_t *src, host_t *dst, uint16_t *cpi)
{
	DBG1(DBG_KNL, "nipsec: IPComp is not supported");
	return NOT_SUPPORTED;
}

METHOD(kernel_ipsec_t, add_sa, status_t, private_kernel_nipsec_ipsec_t *this,
       kernel_ipsec_sa_id_t *id, kernel_ipsec_add_sa_t *data)
{
	struct nipsec_sa_cfg c;
	status_t st;
	int err;

	memset(&c, 0, sizeof(c));
	if (!plain_id(id->mark, id->if_id, data->label, "SA"))
		return NOT_SUPPORTED;
	if (data->ipcomp != IPCOMP_NONE) {
		DBG1(DBG_KNL, "nipsec: IPComp is not supported");
		return NOT_SUPPORTED;
	}
	if (data->hw_offload == HW_OFFLOAD_YES) {
		DBG1(DBG_KNL, "nipsec: hardware offload (hw_offload = yes) is not "
		     "supported; nipsec uses the crypto API's engines");
		return NOT_SUPPORTED;
	}
	if (data->tfc)
		DBG1(DBG_KNL, "nipsec: TFC padding not supported, ignored");
	switch (data->mode) {
	case MODE_TRANSPORT:
		c.mode = NIPSEC_MODE_TRANSPORT;
		break;
	case MODE_TUNNEL:
		c.mode = NIPSEC_MODE_TUNNEL;
		break;
	default:
		DBG1(DBG_KNL, "nipsec: mode %N not supported", ipsec_mode_names,
		     data->mode);
		return NOT_SUPPORTED;
	}
	if (!host2addr(id->src, &c.src) || !host2addr(id->dst, &c.dst))
		return FAILED;
	c.spi = ntohl(id->spi);
	c.proto = id->proto;
	c.reqid = data->reqid;
	if (!map_algs(&c, data->enc_alg, data->enc_key, data->int_alg,
		      data->int_key)) {
		memwipe(&c, sizeof(c));
		return NOT_SUPPORTED;
	}
	c.esn = data->esn;
	if (data->replay_window) {
		c.has_replay_window = TRUE;
		c.replay_window = min(data->replay_window, (uint32_t)
				      NIPSEC_MAX_REPLAY_WINDOW);
		if (c.replay_window < data->replay_window)
			DBG1(DBG_KNL, "nipsec: replay window %u reduced to %u",
			     data->replay_window, c.replay_window);
	}
	if (data->lifetime) {
		lifetime_cfg_t *lt = data->lifetime;

		c.lifetime.soft_add_seconds = lt->time.rekey;
		c.lifetime.hard_add_seconds = lt->time.life;
		c.lifetime.soft_bytes = lt->bytes.rekey;
		c.lifetime.hard_bytes = lt->bytes.life;
		c.lifetime.soft_packets = lt->packets.rekey;
		c.lifetime.hard_packets = lt->packets.life;
	}
	if (data->encap) {
		c.has_encap = TRUE;
		c.encap.type = NIPSEC_ENCAP_ESPINUDP;
		c.encap.sport = id->src->get_port(id->src);
		c.encap.dport = id->dst->get_port(id->dst);
		/*
		 * charon answers a mapping event with update_sa(), which can
		 * move ports but not addresses here (see update_sa): let the
		 * kernel follow a rebinding, on packets newer than any seen.
		 */
		c.encap.rebind = TRUE;
	}

	this->lock->lock(this->lock);
	/* a larval SA from get_spi is completed by sa-new (same SPI) */
	err = nipsec_sa_new(this->h, &c);
	if (err)
		DBG1(DBG_KNL, "nipsec: adding SA %.8x (%H -> %H) failed: %s (%s)",
		     c.spi, id->src, id->dst, nipsec_errmsg(this->h),
		     strerror(-err));
	this->lock->unlock(this->lock);
	memwipe(&c, sizeof(c));
	st = err2status(err);
	if (st == ALREADY_DONE)
		st = FAILED;
	if (!err)
		DBG2(DBG_KNL, "nipsec: added SA %.8x %H -> %H", ntohl(id->spi),
		     id->src, id->dst);
	return st;
}

/*
 * NAT mapping changes: nipsec moves the encap ports (and keeps every other
 * setting) with sa-update. Address changes (MOBIKE) would need the SA to be
 * re-created with its keys, which nipsec never gives back: refused.
 */
METHOD(kernel_ipsec_t, update_sa, status_t, private_kernel_nipsec_ipsec_t *this,
       kernel_ipsec_sa_id_t *id, kernel_ipsec_update_sa_t *data)
{
	struct nipsec_sa_id sid = { .spi = ntohl(id->spi), .proto = id->proto };
	struct nipsec_sa sa;
	int err;

	if (!id->src->ip_equals(id->src, data->new_src) ||
	    !id->dst->ip_equals(id->dst, data->new_dst)) {
		DBG1(DBG_KNL, "nipsec: moving SA %.8x to new addresses (%H -> %H) "
		     "is not supported", sid.spi, data->new_src, data->new_dst);
		return NOT_SUPPORTED;
	}
	if (data->encap != data->new_encap) {
		DBG1(DBG_KNL, "nipsec: SA %.8x cannot %s UDP encapsulation",
		     sid.spi, data->new_encap ? "start" : "stop");
		return NOT_SUPPORTED;
	}
	if (!data->new_encap)
		return SUCCESS;		/* nothing nipsec keeps has changed */
	if (!host2addr(id->dst, &sid.dst))
		return FAILED;

	this->lock->lock(this->lock);
	err = nipsec_sa_get(this->h, &sid, &sa);
	if (!err) {
		/* sa-update replaces all limits: give back those in force */
		struct nipsec_sa_cfg c = sa.cfg;

		c.aead.name[0] = c.enc.name[0] = c.auth.name[0] = '\0';
		c.has_sel = FALSE;
		c.has_seq = FALSE;
		c.has_encap = TRUE;
		c.encap.type = NIPSEC_ENCAP_ESPINUDP;
		c.encap.sport = data->new_src->get_port(data->new_src);
		c.encap.dport = data->new_dst->get_port(data->new_dst);
		err = nipsec_sa_update(this->h, &c);
	}
	if (err)
		DBG1(DBG_KNL, "nipsec: updating SA %.8x failed: %s (%s)", sid.spi,
		     nipsec_errmsg(this->h), strerror(-err));
	this->lock->unlock(this->lock);
	return err2status(err);
}

METHOD(kernel_ipsec_t, query_sa, status_t, private_kernel_nipsec_ipsec_t *this,
       kernel_ipsec_sa_id_t *id, kernel_ipsec_query_sa_t *data,
       uint64_t *bytes, uint64_t *packets, time_t *use_time)
{
	struct nipsec_sa_id sid = { .spi = ntohl(id->spi), .proto = id->proto };
	struct nipsec_sa sa;
	int err;

	if (!host2addr(id->dst, &sid.dst))
		return FAILED;
	this->lock->lock(this->lock);
	err = nipsec_sa_get(this->h, &sid, &sa);
	if (err)
		DBG2(DBG_KNL, "nipsec: querying SA %.8x failed: %s (%s)", sid.spi,
		     nipsec_errmsg(this->h), strerror(-err));
	this->lock->unlock(this->lock);
	if (err)
		return err2status(err);
	if (bytes)
		*bytes = sa.usage.bytes;
	if (packets)
		*packets = sa.usage.packets;
	if (use_time)
		*use_time = mono_time(sa.usage.last_use_time);
	return SUCCESS;
}

METHOD(kernel_ipsec_t, del_sa, status_t, private_kernel_nipsec_ipsec_t *this,
       kernel_ipsec_sa_id_t *id, kernel_ipsec_del_sa_t *data)
{
	struct nipsec_sa_id sid = { .spi = ntohl(id->spi), .proto = id->proto };
	int err;

	if (!host2addr(id->dst, &sid.dst))
		return FAILED;
	this->lock->lock(this->lock);
	err = nipsec_sa_del(this->h, &sid);
	if (err && err != -ENOENT)
		DBG1(DBG_KNL, "nipsec: deleting SA %.8x failed: %s (%s)", sid.spi,
		     nipsec_errmsg(this->h), strerror(-err));
	this->lock->unlock(this->lock);
	if (!err)
		DBG2(DBG_KNL, "nipsec: deleted SA %.8x", sid.spi);
	return err2status(err);
}

METHOD(kernel_ipsec_t, flush_sas, status_t, private_kernel_nipsec_ipsec_t *this)
{
	int err;

	this->lock->lock(this->lock);
	err = nipsec_sa_flush(this->h, 0);
	this->lock->unlock(this->lock);
	return err2status(err);
}

/* ------------------------------------------------------------ policies */

/* Lower wins: class by charon's priority, then the most specific first. */
static uint32_t policy_priority(kernel_ipsec_manage_policy_t *data,
				const struct nipsec_sel *sel)
{
	uint32_t class, spec;

	if (data->manual_prio)
		return data->manual_prio;
	switch (data->prio) {
	case POLICY_PRIORITY_PASS:
		class = 1;
		break;
	case POLICY_PRIORITY_FALLBACK:
		class = 3;
		break;
	default:		/* DEFAULT and ROUTED (traps) */
		class = 2;
		break;
	}
	spec = (sel->src_prefix + sel->dst_prefix) * 256;
	if (sel->proto)
		spec += 128;
	if (sel->sport_min || sel->sport_max)
		spec += 32;
	if (sel->dport_min || sel->dport_max)
		spec += 32;
	if (sel->has_icmp_type)
		spec += 32;
	return class * PRIO_CLASS - spec;
}

/* What the kernel's policy holds is the same for both users. */
static bool user_same_policy(const struct policy_user *a,
			     const struct policy_user *b)
{
	return a->priority == b->priority && a->action == b->action &&
	       a->has_tmpl == b->has_tmpl &&
	       (!a->has_tmpl || !memcmp(&a->tmpl, &b->tmpl, sizeof(a->tmpl)));
}

static bool user_equals(const struct policy_user *a, const struct policy_user *b)
{
	return user_same_policy(a, b) && a->prio == b->prio;
}

static bool user_better(const struct policy_user *a, const struct policy_user *b)
{
	if (a->priority != b->priority)
		return a->priority < b->priority;
	return a->prio == POLICY_PRIORITY_DEFAULT &&
	       b->prio != POLICY_PRIORITY_DEFAULT;
}

static bool build_user(kernel_ipsec_manage_policy_t *data,
		       const struct nipsec_sel *sel, struct policy_user *u)
{
	ipsec_sa_cfg_t *sa = data->sa;

	memset(u, 0, sizeof(*u));
	u->priority = policy_priority(data, sel);
	u->prio = data->prio;
	switch (data->type) {
	case POLICY_PASS:
		u->action = NIPSEC_ACTION_BYPASS;
		return TRUE;
	case POLICY_DROP:
		u->action = NIPSEC_ACTION_DISCARD;
		return TRUE;
	case POLICY_IPSEC:
		break;
	default:
		return FALSE;
	}
	u->action = NIPSEC_ACTION_PROTECT;
	u->has_tmpl = TRUE;
	if (sa->ipcomp.transform != IPCOMP_NONE) {
		DBG1(DBG_KNL, "nipsec: IPComp is not supported");
		return FALSE;
	}
	u->tmpl.proto = sa->esp.use ? NIPSEC_PROTO_ESP : NIPSEC_PROTO_AH;
	u->tmpl.reqid = sa->reqid;
	switch (sa->mode) {
	case MODE_TRANSPORT:
		/* the template takes the packet's addresses */
		u->tmpl.mode = NIPSEC_MODE_TRANSPORT;
		return TRUE;
	case MODE_TUNNEL:
		u->tmpl.mode = NIPSEC_MODE_TUNNEL;
		return host2addr(data->src, &u->tmpl.src) &&
		       host2addr(data->dst, &u->tmpl.dst);
	default:
		DBG1(DBG_KNL, "nipsec: mode %N not supported", ipsec_mode_names,
		     sa->mode);
		return FALSE;
	}
}

static struct policy_entry *find_policy(private_kernel_nipsec_ipsec_t *this,
					uint8_t dir, const struct nipsec_sel *sel)
{
	enumerator_t *e = this->policies->create_enumerator(this->policies);
	struct policy_entry *p, *found = NULL;

	while (e->enumerate(e, &p)) {
		if (p->dir == dir && !memcmp(&p->sel, sel, sizeof(*sel))) {
			found = p;
			break;
		}
	}
	e->destroy(e);
	return found;
}

/* Make the kernel's policy the one of the best user (lock held). */
static int sync_policy(private_kernel_nipsec_ipsec_t *this,
		       struct policy_entry *p)
{
	struct nipsec_policy_cfg c;
	struct policy_user *best = NULL;
	int err;

	array_get(p->users, ARRAY_HEAD, &best);
	if (p->id && best && user_same_policy(best, &p->installed))
		return 0;
	if (p->id) {
		err = nipsec_policy_del(this->h, p->id);
		if (err && err != -ENOENT)
			DBG1(DBG_KNL, "nipsec: deleting policy %u failed: %s (%s)",
			     p->id, nipsec_errmsg(this->h), strerror(-err));
		p->id = 0;
	}
	if (!best)
		return 0;
	memset(&c, 0, sizeof(c));
	c.dir = p->dir;
	c.priority = best->priority;
	c.action = best->action;
	c.sel = p->sel;
	c.has_tmpl = best->has_tmpl;
	c.tmpl = best->tmpl;
	err = nipsec_policy_new(this->h, &c, &p->id);
	if (err == -EEXIST) {
		/* left by a charon that did not clean up: take it over */
		DBG1(DBG_KNL, "nipsec: replacing a policy this charon did not "
		     "install");
		err = nipsec_policy_del_sel(this->h, p->dir, &p->sel);
		if (!err)
			err = nipsec_policy_new(this->h, &c, &p->id);
	}
	if (err) {
		DBG1(DBG_KNL, "nipsec: adding policy failed: %s (%s)",
		     nipsec_errmsg(this->h), strerror(-err));
		p->id = 0;
		return err;
	}
	p->installed = *best;
	return 0;
}

static void policy_entry_destroy(struct policy_entry *p)
{
	array_destroy_function(p->users, (void *)free, NULL);
	free(p);
}

static const char *dir_name(policy_dir_t dir)
{
	return dir == POLICY_IN ? "in" : dir == POLICY_OUT ? "out" : "fwd";
}

static bool policy_key(kernel_ipsec_policy_id_t *id, uint8_t *dir,
		       struct nipsec_sel *sel)
{
	if (!plain_id(id->mark, id->if_id, id->label, "policy"))
		return FALSE;
	if (id->interface)
		DBG1(DBG_KNL, "nipsec: policy restricted to interface %s: "
		     "nipsec policies have no interface, ignored", id->interface);
	switch (id->dir) {
	case POLICY_IN:
		*dir = NIPSEC_DIR_IN;
		break;
	case POLICY_OUT:
		*dir = NIPSEC_DIR_OUT;
		break;
	case POLICY_FWD:
		*dir = NIPSEC_DIR_FWD;
		break;
	default:
		return FALSE;
	}
	if (!ts2sel(id->src_ts, id->dst_ts, sel)) {
		DBG1(DBG_KNL, "nipsec: cannot express policy %R === %R %s",
		     id->src_ts, id->dst_ts, dir_name(id->dir));
		return FALSE;
	}
	return TRUE;
}

METHOD(kernel_ipsec_t, add_policy, status_t,
       private_kernel_nipsec_ipsec_t *this, kernel_ipsec_policy_id_t *id,
       kernel_ipsec_manage_policy_t *data)
{
	struct policy_entry *p;
	struct policy_user u, *nu, *cur;
	struct nipsec_sel sel;
	uint8_t dir;
	int err, i;

	if (!policy_key(id, &dir, &sel) || !build_user(data, &sel, &u))
		return NOT_SUPPORTED;

	this->lock->lock(this->lock);
	p = find_policy(this, dir, &sel);
	if (!p) {
		INIT(p,
			.dir = dir,
			.sel = sel,
			.users = array_create(0, 0),
		);
		this->policies->insert_last(this->policies, p);
	}
	nu = malloc_thing(struct policy_user);
	*nu = u;
	for (i = 0; i < array_count(p->users); i++) {
		array_get(p->users, i, &cur);
		if (user_better(nu, cur))
			break;
	}
	array_insert(p->users, i, nu);
	err = sync_policy(this, p);
	if (err) {
		array_remove(p->users, i, NULL);
		free(nu);
		if (!array_count(p->users) && !p->id) {
			this->policies->remove(this->policies, p, NULL);
			policy_entry_destroy(p);
		}
	}
	this->lock->unlock(this->lock);
	if (!err)
		DBG2(DBG_KNL, "nipsec: policy %R === %R %s installed (%u user(s))",
		     id->src_ts, id->dst_ts, dir_name(id->dir),
		     array_count(p->users));
	return err ? FAILED : SUCCESS;
}

METHOD(kernel_ipsec_t, query_policy, status_t,
       private_kernel_nipsec_ipsec_t *this, kernel_ipsec_policy_id_t *id,
       kernel_ipsec_query_policy_t *data, time_t *use_time)
{
	struct policy_entry *p;
	struct nipsec_policy pol;
	struct nipsec_sel sel;
	uint8_t dir;
	int err = -ENOENT;

	if (!policy_key(id, &dir, &sel))
		return NOT_SUPPORTED;
	this->lock->lock(this->lock);
	p = find_policy(this, dir, &sel);
	if (p && p->id)
		err = nipsec_policy_get(this->h, p->id, &pol);
	this->lock->unlock(this->lock);
	if (err)
		return err2status(err);
	*use_time = mono_time(pol.usage.last_use_time);
	return SUCCESS;
}

METHOD(kernel_ipsec_t, del_policy, status_t,
       private_kernel_nipsec_ipsec_t *this, kernel_ipsec_policy_id_t *id,
       kernel_ipsec_manage_policy_t *data)
{
	struct policy_entry *p;
	struct policy_user u, *cur;
	struct nipsec_sel sel;
	uint8_t dir;
	int i, found = -1, err = 0;

	if (!policy_key(id, &dir, &sel) || !build_user(data, &sel, &u))
		return NOT_SUPPORTED;
	this->lock->lock(this->lock);
	p = find_policy(this, dir, &sel);
	if (!p) {
		this->lock->unlock(this->lock);
		return NOT_FOUND;
	}
	/* the same user, else one with its reqid, else any */
	for (i = 0; i < array_count(p->users) && found < 0; i++) {
		array_get(p->users, i, &cur);
		if (user_equals(cur, &u))
			found = i;
	}
	for (i = 0; i < array_count(p->users) && found < 0; i++) {
		array_get(p->users, i, &cur);
		if (cur->has_tmpl == u.has_tmpl && cur->tmpl.reqid == u.tmpl.reqid)
			found = i;
	}
	if (found < 0)
		found = 0;
	array_remove(p->users, found, &cur);
	free(cur);
	err = sync_policy(this, p);
	DBG2(DBG_KNL, "nipsec: policy %R === %R %s: %u user(s) left", id->src_ts,
	     id->dst_ts, dir_name(id->dir), array_count(p->users));
	if (!array_count(p->users)) {
		this->policies->remove(this->policies, p, NULL);
		policy_entry_destroy(p);
	}
	this->lock->unlock(this->lock);
	return err ? FAILED : SUCCESS;
}

static int install_bypass(private_kernel_nipsec_ipsec_t *this, uint8_t dir,
			  int family, uint16_t port)
{
	struct nipsec_policy_cfg c = {
		.dir = dir,
		.priority = 0,
		.action = NIPSEC_ACTION_BYPASS,
	};
	uint32_t pid;
	int err;

	c.sel.family = family;
	c.sel.proto = IPPROTO_UDP;
	if (dir == NIPSEC_DIR_OUT)
		c.sel.sport_min = c.sel.sport_max = port;
	else
		c.sel.dport_min = c.sel.dport_max = port;
	err = nipsec_policy_new(this->h, &c, &pid);
	if (err == -EEXIST)	/* a socket of the same port, or a restart */
		return 0;
	if (err) {
		DBG1(DBG_KNL, "nipsec: bypass policy for UDP port %u failed: %s (%s)",
		     port, nipsec_errmsg(this->h), strerror(-err));
		return err;
	}
	array_insert(this->bypass, ARRAY_TAIL, &pid);
	return 0;
}

/*
 * nipsec policies match addresses and ports, not sockets: the IKE socket's
 * traffic is exempted by bypass policies for its UDP port (out: source
 * port, in: destination port), priority 0 so that they come first.
 */
METHOD(kernel_ipsec_t, bypass_socket, bool, private_kernel_nipsec_ipsec_t *this,
       int fd, int family)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	uint16_t port;
	int err;

	if (getsockname(fd, (struct sockaddr *)&ss, &len)) {
		DBG1(DBG_KNL, "nipsec: getsockname on IKE socket: %s",
		     strerror(errno));
		return FALSE;
	}
	if (ss.ss_family == AF_INET)
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return FALSE;
	if (!port) {
		DBG1(DBG_KNL, "nipsec: IKE socket not bound: cannot bypass it");
		return FALSE;
	}
	this->lock->lock(this->lock);
	err = install_bypass(this, NIPSEC_DIR_OUT, family, port);
	if (!err)
		err = install_bypass(this, NIPSEC_DIR_IN, family, port);
	this->lock->unlock(this->lock);
	if (!err)
		DBG2(DBG_KNL, "nipsec: bypass policies for UDP port %u (%s)", port,
		     family == AF_INET ? "IPv4" : "IPv6");
	return !err;
}

/*
 * nipsec decapsulates ESP-in-UDP on its netfilter hook, by the SAs' encap:
 * the socket must not get XFRM's UDP_ENCAP option (XFRM, holding no SA,
 * would drop the packets).
 */
METHOD(kernel_ipsec_t, enable_udp_decap, bool,
       private_kernel_nipsec_ipsec_t *this, int fd, int family, uint16_t port)
{
	return TRUE;
}

METHOD(kernel_ipsec_t, flush_policies, status_t,
       private_kernel_nipsec_ipsec_t *this)
{
	enumerator_t *e;
	struct policy_entry *p;
	int err = 0;

	this->lock->lock(this->lock);
	e = this->policies->create_enumerator(this->policies);
	while (e->enumerate(e, &p)) {
		if (p->id)
			nipsec_policy_del(this->h, p->id);
		this->policies->remove_at(this->policies, e);
		policy_entry_destroy(p);
	}
	e->destroy(e);
	this->lock->unlock(this->lock);
	return err2status(err);
}

/* ------------------------------------------------------------ events */

static int handle_event(const struct nipsec_event *ev, void *arg)
{
	host_t *dst, *remote;

	switch (ev->type) {
	case NIPSEC_EVENT_ACQUIRE: {
		kernel_acquire_data_t data = {};
		uint32_t reqid = ev->acquire.has_tmpl ? ev->acquire.tmpl.reqid : 0;

		if (!reqid) {
			DBG1(DBG_KNL, "nipsec: acquire for policy %u without "
			     "reqid, ignored", ev->acquire.policy_id);
			break;
		}
		data.src = sel2ts(&ev->acquire.sel, TRUE);
		data.dst = sel2ts(&ev->acquire.sel, FALSE);
		DBG1(DBG_KNL, "nipsec: acquire for reqid %u (%R === %R)", reqid,
		     data.src, data.dst);
		charon->kernel->acquire(charon->kernel, reqid, &data);
		DESTROY_IF(data.src);
		DESTROY_IF(data.dst);
		break;
	}
	case NIPSEC_EVENT_EXPIRE: {
		const struct nipsec_sa_cfg *c = &ev->expire.sa.cfg;

		dst = addr2host(&c->dst, 0);
		if (!dst)
			break;
		DBG2(DBG_KNL, "nipsec: %s expire of SA %.8x", ev->expire.hard ?
		     "hard" : "soft", c->spi);
		charon->kernel->expire(charon->kernel, c->proto, htonl(c->spi),
				       dst, ev->expire.hard);
		dst->destroy(dst);
		break;
	}
	case NIPSEC_EVENT_MAPPING: {
		const struct nipsec_sa_cfg *c = &ev->mapping.sa.cfg;

		dst = addr2host(&c->dst, 0);
		remote = addr2host(&ev->mapping.new_addr, ev->mapping.new_port);
		if (dst && remote) {
			DBG1(DBG_KNL, "nipsec: NAT mapping of SA %.8x changed to %#H",
			     c->spi, remote);
			charon->kernel->mapping(charon->kernel, c->proto,
						htonl(c->spi), dst, remote);
		}
		DESTROY_IF(dst);
		DESTROY_IF(remote);
		break;
	}
	default:
		break;
	}
	return 0;
}

CALLBACK(receive_events, bool, private_kernel_nipsec_ipsec_t *this, int fd,
	 watcher_event_t event)
{
	int err;

	do {
		err = nipsec_event_recv(this->ev, handle_event, this);
		if (err == -ENOBUFS)
			DBG1(DBG_KNL, "nipsec: events lost (socket buffer full)");
	} while (err >= 0 || err == -ENOBUFS);
	if (err != -EAGAIN && err != -EINTR)
		DBG1(DBG_KNL, "nipsec: reading events: %s", strerror(-err));
	return TRUE;
}

/* ------------------------------------------------------------ life cycle */

METHOD(kernel_ipsec_t, destroy, void, private_kernel_nipsec_ipsec_t *this)
{
	uint32_t pid;

	if (this->ev)
		lib->watcher->remove(lib->watcher, nipsec_fd(this->ev));
	if (this->h) {
		while (array_remove(this->bypass, ARRAY_HEAD, &pid))
			nipsec_policy_del(this->h, pid);
	}
	array_destroy(this->bypass);
	this->policies->destroy_function(this->policies,
					 (void *)policy_entry_destroy);
	if (this->ev)
		nipsec_close(this->ev);
	if (this->h)
		nipsec_close(this->h);
	this->lock->destroy(this->lock);
	free(this);
}

kernel_ipsec_t *kernel_nipsec_ipsec_create(void)
{
	private_kernel_nipsec_ipsec_t *this;
	int err = 0, flags;

	INIT(this,
		.public = {
			.get_features = _get_features,
			.get_spi = _get_spi,
			.get_cpi = _get_cpi,
			.add_sa = _add_sa,
			.update_sa = _update_sa,
			.query_sa = _query_sa,
			.del_sa = _del_sa,
			.flush_sas = _flush_sas,
			.add_policy = _add_policy,
			.query_policy = _query_policy,
			.del_policy = _del_policy,
			.flush_policies = _flush_policies,
			.bypass_socket = _bypass_socket,
			.enable_udp_decap = _enable_udp_decap,
			.destroy = _destroy,
		},
		.lock = mutex_create(MUTEX_TYPE_DEFAULT),
		.policies = linked_list_create(),
		.bypass = array_create(sizeof(uint32_t), 0),
		.spi_min = lib->settings->get_int(lib->settings, "%s.spi_min",
						  KERNEL_SPI_MIN, lib->ns),
		.spi_max = lib->settings->get_int(lib->settings, "%s.spi_max",
						  KERNEL_SPI_MAX, lib->ns),
	);
	if (this->spi_min > this->spi_max) {
		uint32_t t = this->spi_min;

		this->spi_min = this->spi_max;
		this->spi_max = t;
	}

	this->h = nipsec_open(&err);
	if (!this->h) {
		DBG1(DBG_KNL, "nipsec: cannot open the nipsec netlink family "
		     "(%s): is the nipsec module loaded?", strerror(-err));
		destroy(this);
		return NULL;
	}
	this->ev = nipsec_open(&err);
	if (this->ev)
		err = nipsec_event_subscribe(this->ev);
	if (!this->ev || err) {
		DBG1(DBG_KNL, "nipsec: cannot subscribe to nipsec events: %s",
		     strerror(-err));
		destroy(this);
		return NULL;
	}
	flags = fcntl(nipsec_fd(this->ev), F_GETFL);
	if (flags < 0 ||
	    fcntl(nipsec_fd(this->ev), F_SETFL, flags | O_NONBLOCK) < 0) {
		DBG1(DBG_KNL, "nipsec: event socket: %s", strerror(errno));
		destroy(this);
		return NULL;
	}
	lib->watcher->add(lib->watcher, nipsec_fd(this->ev), WATCHER_READ,
			  receive_events, this);
	DBG1(DBG_KNL, "nipsec: kernel-ipsec on the nipsec module (no XFRM)");
	return &this->public;
}
