// SPDX-License-Identifier: GPL-2.0
/*
 * nipsec client library: socket handling, request/reply transactions with
 * extended ACK messages, dumps and the event group, on libnl-genl-3.
 *
 * One handle owns one socket. A transaction sends one request and reads
 * until its ACK (do) or NLMSG_DONE (dump), so the socket is in sync again
 * when any call returns; callbacks that ask to stop a dump early only stop
 * being called, the rest of the dump is still read and dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "nipsec_client.h"
#include "internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct nipsec_handle {
	struct nl_sock *sk;
	int family;
	char errmsg[256];
};

/* State of one transaction, handed to the libnl callbacks. */
struct xact {
	struct nipsec_handle *h;
	int (*reply)(struct nlattr *attrs, int len, void *arg);
	void *arg;
	int err;		/* first error: kernel's or a reply parser's */
	bool done;		/* ACK, error or NLMSG_DONE seen */
	bool stopped;		/* reply() asked to stop: drop the rest */
};

/* libnl has its own error codes; callers of this library get errno. */
int nipsec_nl2errno(int nlerr)
{
	static const struct { int nle, err; } map[] = {
		{ NLE_INTR, EINTR },		{ NLE_BAD_SOCK, EBADF },
		{ NLE_AGAIN, EAGAIN },		{ NLE_NOMEM, ENOMEM },
		{ NLE_EXIST, EEXIST },		{ NLE_INVAL, EINVAL },
		{ NLE_RANGE, ERANGE },		{ NLE_MSGSIZE, EMSGSIZE },
		{ NLE_OPNOTSUPP, EOPNOTSUPP },	{ NLE_AF_NOSUPPORT, EAFNOSUPPORT },
		{ NLE_OBJ_NOTFOUND, ENOENT },	{ NLE_NOATTR, ENOENT },
		{ NLE_MISSING_ATTR, EINVAL },	{ NLE_AF_MISMATCH, EAFNOSUPPORT },
		{ NLE_SEQ_MISMATCH, EILSEQ },	{ NLE_MSG_OVERFLOW, EOVERFLOW },
		{ NLE_MSG_TRUNC, EMSGSIZE },	{ NLE_NOADDR, EADDRNOTAVAIL },
		{ NLE_MSG_TOOSHORT, EPROTO },	{ NLE_MSGTYPE_NOSUPPORT, EOPNOTSUPP },
		{ NLE_BUSY, EBUSY },		{ NLE_PROTO_MISMATCH, EPROTONOSUPPORT },
		{ NLE_NOACCESS, EACCES },	{ NLE_PERM, EPERM },
		{ NLE_NODEV, ENODEV },		{ NLE_DUMP_INTR, EINTR },
		{ NLE_ATTRSIZE, ERANGE },
	};
	int e = nlerr < 0 ? -nlerr : nlerr;

	if (!e)
		return 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].nle == e)
			return -map[i].err;
	return -EIO;
}

const char *nipsec_errmsg(const struct nipsec_handle *h)
{
	return h ? h->errmsg : "";
}

int nipsec_fd(const struct nipsec_handle *h)
{
	return nl_socket_get_fd(h->sk);
}

/*
 * The kernel's extended ACK message into buf. fixed is the size of the
 * NLMSG_ERROR or NLMSG_DONE payload before the TLVs, which are only there
 * when the kernel set NLM_F_ACK_TLVS. Returns whether it found one.
 */
bool nipsec_extack_parse(const struct nlmsghdr *nlh, size_t fixed, char *buf,
			 size_t len)
{
	static struct nla_policy pol[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
		[NLMSGERR_ATTR_MISS_TYPE] = { .type = NLA_U32 },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int rem;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return false;
	rem = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)NLMSG_ALIGN(fixed);
	if (rem <= 0)
		return false;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + NLMSG_ALIGN(fixed)),
		      rem, pol))
		return false;
	if (tb[NLMSGERR_ATTR_MSG]) {
		nla_strlcpy(buf, tb[NLMSGERR_ATTR_MSG], len);
		return true;
	}
	if (tb[NLMSGERR_ATTR_MISS_TYPE]) {
		snprintf(buf, len, "missing attribute (type %u)",
			 nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
		return true;
	}
	return false;
}

static void save_extack(struct nipsec_handle *h, const struct nlmsghdr *nlh,
			size_t fixed)
{
	nipsec_extack_parse(nlh, fixed, h->errmsg, sizeof(h->errmsg));
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	/* libnl hands us the payload; the header sits right before it */
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	struct xact *x = arg;
	size_t fixed = sizeof(*e);

	(void)nla;
	/* without NETLINK_CAP_ACK the request is echoed before the TLVs */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		fixed += e->msg.nlmsg_len - NLMSG_HDRLEN;
	save_extack(x->h, nlh, fixed);
	if (!x->err)
		x->err = e->error < 0 ? e->error : -EPROTO;
	x->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct xact *x = arg;

	(void)msg;
	x->done = true;
	return NL_STOP;
}

/* NLMSG_DONE carries the dump's final status (and maybe an extack). */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct xact *x = arg;

	if (nlmsg_datalen(nlh) >= (int)sizeof(int)) {
		int status = *(int *)nlmsg_data(nlh);

		if (status < 0 && !x->err) {
			x->err = status;
			save_extack(x->h, nlh, sizeof(int));
		}
	}
	x->done = true;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct xact *x = arg;
	struct genlmsghdr *g;
	int ret;

	if (!x->reply || x->stopped)
		return NL_OK;
	if (!genlmsg_valid_hdr(nlh, 0)) {
		x->err = -EPROTO;
		x->stopped = true;
		return NL_OK;
	}
	g = genlmsg_hdr(nlh);
	ret = x->reply(genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), x->arg);
	if (ret) {
		x->stopped = true;
		if (ret < 0 && !x->err)
			x->err = ret;
	}
	return NL_OK;
}

/* An inconsistent dump is still shown, like ip does; never abort it. */
static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/*
 * Back to libnl's defaults: the callbacks point into a finished call's
 * stack, and libnl clones the socket's callbacks for its own requests
 * (genl_ctrl_resolve_grp), which must not find them.
 */
static void reset_cbs(struct nl_sock *sk)
{
	static const enum nl_cb_type types[] = {
		NL_CB_VALID, NL_CB_ACK, NL_CB_FINISH, NL_CB_DUMP_INTR,
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		nl_socket_modify_cb(sk, types[i], NL_CB_DEFAULT, NULL, NULL);
	nl_socket_modify_err_cb(sk, NL_CB_DEFAULT, NULL, NULL);
}

static int transact(struct nipsec_handle *h, struct nl_msg *msg,
		    int (*reply)(struct nlattr *, int, void *), void *arg)
{
	struct xact x = { .h = h, .reply = reply, .arg = arg };
	struct nl_sock *sk = h->sk;
	int err;

	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &x);
	nl_socket_modify_cb(sk, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &x);
	nl_socket_modify_cb(sk, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &x);
	nl_socket_modify_cb(sk, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, &x);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, on_error, &x);

	err = nl_send_auto(sk, msg);
	/* requests carry keys: leave none in freed memory */
	explicit_bzero(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
	if (err < 0) {
		x.err = nipsec_nl2errno(err);
		goto out;
	}
	while (!x.done) {
		err = nl_recvmsgs_default(sk);
		if (err < 0) {
			/* on_error returns NL_STOP, which libnl reports too */
			if (!x.err)
				x.err = nipsec_nl2errno(err);
			break;
		}
	}
out:
	reset_cbs(sk);
	return x.err;
}

/* Start a request; NULL when out of memory. */
struct nl_msg *nipsec_req_new(struct nipsec_handle *h, uint8_t cmd, bool dump)
{
	struct nl_msg *msg = nlmsg_alloc();

	h->errmsg[0] = '\0';
	if (!msg)
		return NULL;
	/* a do gets an explicit ACK so that every request ends the same way */
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, h->family, 0,
			 dump ? NLM_F_DUMP : NLM_F_ACK, cmd,
			 NIPSEC_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Send msg (and free it) after checking that building it worked. */
int nipsec_req_send(struct nipsec_handle *h, struct nl_msg *msg, int build_err,
		    int (*reply)(struct nlattr *, int, void *), void *arg)
{
	if (build_err) {
		explicit_bzero(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
		nlmsg_free(msg);
		return build_err < 0 ? build_err : -EMSGSIZE;
	}
	return transact(h, msg, reply, arg);
}

/* ---- handle ---- */

struct nipsec_handle *nipsec_open(int *errp)
{
	return nipsec_open_family(NIPSEC_FAMILY_NAME, errp);
}

/* Any generic netlink family: the tests drive nlctrl through it. */
struct nipsec_handle *nipsec_open_family(const char *name, int *errp)
{
	struct nipsec_handle *h = calloc(1, sizeof(*h));
	int one = 1, err;

	if (!h) {
		err = -ENOMEM;
		goto fail;
	}
	h->sk = nl_socket_alloc();
	if (!h->sk) {
		err = -ENOMEM;
		goto fail;
	}
	err = nipsec_nl2errno(genl_connect(h->sk));
	if (err)
		goto fail;
	/*
	 * Extended ACKs carry the kernel's reason for a failure; capped ACKs
	 * spare echoing big requests. Old kernels lack both: not fatal.
	 */
	setsockopt(nl_socket_get_fd(h->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(h->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	/* replies bigger than a page (big dumps) are read in one go */
	nl_socket_enable_msg_peek(h->sk);
	h->family = genl_ctrl_resolve(h->sk, name);
	if (h->family < 0) {
		err = nipsec_nl2errno(h->family);
		goto fail;
	}
	if (errp)
		*errp = 0;
	return h;
fail:
	nipsec_close(h);
	if (errp)
		*errp = err;
	return NULL;
}

void nipsec_close(struct nipsec_handle *h)
{
	if (!h)
		return;
	if (h->sk)
		nl_socket_free(h->sk);
	free(h);
}

/* ---- SAD ---- */

static int sa_cfg_req(struct nipsec_handle *h, uint8_t cmd,
		      const struct nipsec_sa_cfg *cfg)
{
	struct nl_msg *msg = nipsec_req_new(h, cmd, false);

	if (!msg)
		return -ENOMEM;
	return nipsec_req_send(h, msg, nipsec_put_sa_cfg(msg, cfg), NULL, NULL);
}

int nipsec_sa_new(struct nipsec_handle *h, const struct nipsec_sa_cfg *cfg)
{
	return sa_cfg_req(h, NIPSEC_CMD_SA_NEW, cfg);
}

int nipsec_sa_update(struct nipsec_handle *h, const struct nipsec_sa_cfg *cfg)
{
	return sa_cfg_req(h, NIPSEC_CMD_SA_UPDATE, cfg);
}

int nipsec_sa_del(struct nipsec_handle *h, const struct nipsec_sa_id *id)
{
	struct nl_msg *msg = nipsec_req_new(h, NIPSEC_CMD_SA_DEL, false);

	if (!msg)
		return -ENOMEM;
	return nipsec_req_send(h, msg, nipsec_put_sa_id(msg, id), NULL, NULL);
}

static int sa_one(struct nlattr *attrs, int len, void *arg)
{
	return nipsec_parse_sa(attrs, len, arg);
}

int nipsec_sa_get(struct nipsec_handle *h, const struct nipsec_sa_id *id,
		  struct nipsec_sa *out)
{
	struct nl_msg *msg = nipsec_req_new(h, NIPSEC_CMD_SA_GET, false);

	if (!msg)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	return nipsec_req_send(h, msg, nipsec_put_sa_id(msg, id), sa_one, out);
}

struct sa_dump_ctx {
	nipsec_sa_cb cb;
	void *arg;
	struct nipsec_sa sa;
};

static int sa_each(struct nlattr *attrs, int len, void *arg)
{
	struct sa_dump_ctx *c = arg;
	int err = nipsec_parse_sa(attrs, len, &c->sa);

	return err ? err : c->cb(&c->sa, c->arg);
}

int nipsec_sa_dump(struct nipsec_handle *h, const struct nipsec_sa_filter *f,
		   nipsec_sa_cb cb, void *arg)
{
	struct nl_msg *msg = nipsec_req_new(h, NIPSEC_CMD_SA_GET, true);
	struct sa_dump_ctx *c;
	int err = 0;

	if (!msg)
		return -ENOMEM;
	if (f) {
		struct nipsec_sa_cfg sel = {
			.src = f->src, .dst = f->dst,
		};

		/* only the filter's set fields go out */
		if (f->spi)
			err |= nla_put_u32(msg, NIPSEC_A_SA_SPI, f->spi);
		if (f->proto)
			err |= nla_put_u8(msg, NIPSEC_A_SA_PROTO, f->proto);
		if (f->reqid)
			err |= nla_put_u32(msg, NIPSEC_A_SA_REQID, f->reqid);
		if (sel.src.family == AF_INET)
			err |= nla_put_u32(msg, NIPSEC_A_SA_SRC_V4, sel.src.u.v4.s_addr);
		else if (sel.src.family == AF_INET6)
			err |= nla_put(msg, NIPSEC_A_SA_SRC_V6, 16, &sel.src.u.v6);
		if (sel.dst.family == AF_INET)
			err |= nla_put_u32(msg, NIPSEC_A_SA_DST_V4, sel.dst.u.v4.s_addr);
		else if (sel.dst.family == AF_INET6)
			err |= nla_put(msg, NIPSEC_A_SA_DST_V6, 16, &sel.dst.u.v6);
	}
	/* struct nipsec_sa is big: keep it off small thread stacks */
	c = calloc(1, sizeof(*c));
	if (!c) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	c->cb = cb;
	c->arg = arg;
	err = nipsec_req_send(h, msg, err, sa_each, c);
	free(c);
	return err;
}

int nipsec_sa_flush(struct nipsec_handle *h, uint8_t proto)
{
	struct nl_msg *msg = nipsec_req_new(h, NIPSEC_CMD_SA_FLUSH, false);
	int err = 0;

	if (!msg)
		return -ENOMEM;
	if (proto)
		err = nla_put_u8(msg, NIPSEC_A_SA_PROTO, proto);
	return nipsec_req_send(h, msg, err, NULL, NULL);
}

static int spi_reply(struct nlattr *attrs, int len, void *arg)
{
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, attrs, len, rem) {
		if (nla_type(a) == NIPSEC_A_SA_SPI && nla_len(a) >= 4) {
			*(uint32_t *)arg = nla_get_u32(a);
			return 0;
		}
	}
	return -EPROTO;
}

int nipsec_spi_alloc(struct nipsec_handle *h, const struct nipsec_spi_req *r,
		     uint32_t *spi)
{
	struct nl_msg *msg = nipsec_req_new(h, NIPSEC_CMD_SPI_ALLOC, false);
	struct nipsec_sa_cfg addrs = { .src = r->src, .dst = r->dst };
	int err = 0;

	if (!msg)
		return -ENOMEM;
	*spi = 0;
	err |= nla_put_u8(msg, NIPSEC_A_SA_PROTO, r->proto);
	if (addrs.src.family == AF_INET)
		err |= nla_put_u32(msg, NIPSEC_A_SA_SRC_V4, addrs.src.u.v4.s_addr);
	else if (addrs.src.family == AF_INET6)
		err |= nla_put(msg, NIPSEC_A_SA_SRC_V6, 16, &addrs.src.u.v6);
	if (addrs.dst.family == AF_INET)
		err |= nla_put_u32(msg, NIPSEC_A_SA_DST_V4, addrs.dst.u.v4.s_addr);
	else if (addrs.dst.family == AF_INET6)
		err |= nla_put(msg, NIPSEC_A_SA_DST_V6, 16, &addrs.dst.u.v6);
	if (r->reqid)
		err |= nla_put_u32(msg, NIPSEC_A_SA_REQID, r->reqid);
	if (r->spi_min || r->spi_max) {
		err |= nla_put_u32(msg, NIPSEC_A_SA_SPI_MIN, r->spi_min);
		err |= nla_put_u32(msg, NIPSEC_A_SA_SPI_MAX, r->spi_max);
	}
	if (r->timeout)
		err |= nla_put_u32(msg, NIPSEC_A_SA_LARVAL_TIMEOUT, r->timeout);
	err = nipsec_req_send(h, msg, err, spi_reply, spi);
	if (!err && !*spi)
		err = -EPROTO;
	return err;
}

/* ---- SPD ---- */

static int id_reply(struct nlattr *attrs, int len, void *arg)
{
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, attrs, len, rem) {
		if (nla_type(a) == NIPSEC_A_POLICY_ID && nla_len(a) >= 4) {
			*(uint32_t *)arg = nla_get_u32(a);
			return 0;
		}
	}
	return -EPROTO;
}

int nipsec_policy_new(struct nipsec_handle *h,
		      const struct nipsec_policy_cfg *cfg, uint32_t *id)
{
	struct nl_msg *msg = nipsec_req_new(h, NIPSEC_CMD_POLICY_NEW, false);
	uint32_t dummy;

	if (!msg)
		return -ENOMEM;
	if (!id)
		id = &dummy;
	*id = 0;
	return nipsec_req_send(h, msg, nipsec_put_policy_cfg(msg, cfg), id_reply, id);
}

int nipsec_policy_del(struct nipsec_handle *h, uint32_t id)
{
	struct nl_msg *msg = nipsec_req_new(h, NIPSEC_CMD_POLICY_DEL, false);

	if (!msg)
		return -ENOMEM;
	return nipsec_req_send(h, msg, nla_put_u32(msg, NIPSEC_A_POLICY_ID, id),
			NULL, NULL);
}

int nipsec_policy_del_sel(struct nipsec_handle *h, uint8_t dir,
			  const struct nipsec_sel *sel)
{
	struct nl_msg *msg = nipsec_req_new(h, NIPSEC_CMD_POLICY_DEL, false);
	int err;

	if (!msg)
		return -ENOMEM;
	err = nla_put_u8(msg, NIPSEC_A_POLICY_DIR, dir);
	if (!err)
		err = nipsec_put_sel(msg, NIPSEC_A_POLICY_SEL, sel);
	return nipsec_req_send(h, msg, err, NULL, NULL);
}

static int policy_one(struct nlattr *attrs, int len, void *arg)
{
	return nipsec_parse_policy(attrs, len, arg);
}

int nipsec_policy_get(struct nipsec_handle *h, uint32_t id,
		      struct nipsec_policy *out)
{
	struct nl_msg *msg = nipsec_req_new(h, NIPSEC_CMD_POLICY_GET, false);

	if (!msg)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	return nipsec_req_send(h, msg, nla_put_u32(msg, NIPSEC_A_POLICY_ID, id),
			policy_one, out);
}

int nipsec_policy_get_sel(struct nipsec_handle *h, uint8_t dir,
			  const struct nipsec_sel *sel, struct nipsec_policy *out)
{
	struct nl_msg *msg = nipsec_req_new(h, NIPSEC_CMD_POLICY_GET, false);
	int err;

	if (!msg)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	err = nla_put_u8(msg, NIPSEC_A_POLICY_DIR, dir);
	if (!err)
		err = nipsec_put_sel(msg, NIPSEC_A_POLICY_SEL, sel);
	return nipsec_req_send(h, msg, err, policy_one, out);
}

struct policy_dump_ctx {
	nipsec_policy_cb cb;
	void *arg;
};

static int policy_each(struct nlattr *attrs, int len, void *arg)
{
	struct policy_dump_ctx *c = arg;
	struct nipsec_policy pol;
	int err = nipsec_parse_policy(attrs, len, &pol);

	return err ? err : c->cb(&pol, c->arg);
}

int nipsec_policy_dump(struct nipsec_handle *h, int dir, nipsec_policy_cb cb,
		       void *arg)
{
	struct nl_msg *msg = nipsec_req_new(h, NIPSEC_CMD_POLICY_GET, true);
	struct policy_dump_ctx c = { .cb = cb, .arg = arg };
	int err = 0;

	if (!msg)
		return -ENOMEM;
	if (dir >= 0)
		err = nla_put_u8(msg, NIPSEC_A_POLICY_DIR, (uint8_t)dir);
	return nipsec_req_send(h, msg, err, policy_each, &c);
}

int nipsec_policy_flush(struct nipsec_handle *h, int dir)
{
	struct nl_msg *msg = nipsec_req_new(h, NIPSEC_CMD_POLICY_FLUSH, false);
	int err = 0;

	if (!msg)
		return -ENOMEM;
	if (dir >= 0)
		err = nla_put_u8(msg, NIPSEC_A_POLICY_DIR, (uint8_t)dir);
	return nipsec_req_send(h, msg, err, NULL, NULL);
}

/* ---- counters ---- */

static int stats_reply(struct nlattr *attrs, int len, void *arg)
{
	return nipsec_parse_stats_reply(attrs, len, arg);
}

int nipsec_stats_get(struct nipsec_handle *h, const struct nipsec_sa_id *id,
		     struct nipsec_stats *out)
{
	struct nl_msg *msg = nipsec_req_new(h, NIPSEC_CMD_STATS_GET, false);
	struct nlattr *nest;
	int err = 0;

	if (!msg)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (id) {
		nest = nla_nest_start(msg, NIPSEC_A_STATS_REQ_SA);
		err = nest ? nipsec_put_sa_id(msg, id) : -EMSGSIZE;
		if (!err)
			nla_nest_end(msg, nest);
	}
	return nipsec_req_send(h, msg, err, stats_reply, out);
}

/* ---- events ---- */

int nipsec_event_subscribe(struct nipsec_handle *h)
{
	return nipsec_subscribe_group(h, NIPSEC_FAMILY_NAME, NIPSEC_MCGRP_EVENTS);
}

int nipsec_drops_subscribe(struct nipsec_handle *h)
{
	return nipsec_subscribe_group(h, NIPSEC_FAMILY_NAME, NIPSEC_MCGRP_DROPS);
}

int nipsec_subscribe_group(struct nipsec_handle *h, const char *family,
			   const char *group)
{
	int grp, err;

	h->errmsg[0] = '\0';
	grp = genl_ctrl_resolve_grp(h->sk, family, group);
	if (grp < 0)
		return nipsec_nl2errno(grp);
	/* events are not answers to our requests: no sequence numbers */
	nl_socket_disable_seq_check(h->sk);
	/* a burst of expires (flush of thousands of SAs) needs room */
	nl_socket_set_buffer_size(h->sk, 4 << 20, 0);
	err = nl_socket_add_membership(h->sk, grp);
	return nipsec_nl2errno(err);
}

struct event_ctx {
	struct nipsec_handle *h;
	nipsec_event_cb cb;
	void *arg;
	int ret;
	struct nipsec_event ev;
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct event_ctx *c = arg;
	struct genlmsghdr *g;

	if (c->ret || nlh->nlmsg_type != c->h->family ||
	    !genlmsg_valid_hdr(nlh, 0))
		return NL_OK;
	g = genlmsg_hdr(nlh);
	/* unknown (newer) event types are skipped, not errors */
	if (nipsec_parse_event(g->cmd, genlmsg_attrdata(g, 0),
			       genlmsg_attrlen(g, 0), &c->ev))
		return NL_OK;
	c->ret = c->cb(&c->ev, c->arg);
	return NL_OK;
}

int nipsec_event_recv(struct nipsec_handle *h, nipsec_event_cb cb, void *arg)
{
	struct event_ctx *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	c->h = h;
	c->cb = cb;
	c->arg = arg;
	h->errmsg[0] = '\0';
	nl_socket_modify_cb(h->sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, c);
	err = nl_recvmsgs_default(h->sk);
	reset_cbs(h->sk);
	if (err == -NLE_NOMEM) {
		/* libnl reports the socket's ENOBUFS (lost events) so */
		err = -ENOBUFS;
		snprintf(h->errmsg, sizeof(h->errmsg),
			 "event queue overflowed: events were lost");
	} else {
		err = nipsec_nl2errno(err);
	}
	if (!err)
		err = c->ret;
	free(c);
	return err;
}

int nipsec_event_loop(struct nipsec_handle *h, nipsec_event_cb cb, void *arg)
{
	int err;

	do
		err = nipsec_event_recv(h, cb, arg);
	while (!err || err == -EINTR);
	return err;
}
