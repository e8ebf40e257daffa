// SPDX-License-Identifier: GPL-2.0
/*
 * The library's request/reply machinery against a real kernel: the
 * nipsec module cannot load on the build host, so drive the generic
 * netlink controller (nlctrl) through the same code. Dumps, early stops,
 * errors with extended ACKs and the socket staying in sync are what the
 * nipsec calls rely on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "nipsec_client.h"
#include "internal.h"
#include "tap.h"

struct fam_ctx {
	int n;
	int stop_after;
	int fail_with;
	bool saw_ctrl;
	uint16_t id;
};

static int fam_reply(struct nlattr *attrs, int len, void *arg)
{
	struct fam_ctx *c = arg;
	struct nlattr *a;

	c->n++;
	a = nla_find(attrs, len, CTRL_ATTR_FAMILY_NAME);
	if (a && !strcmp(nla_get_string(a), "nlctrl")) {
		c->saw_ctrl = true;
		a = nla_find(attrs, len, CTRL_ATTR_FAMILY_ID);
		if (a)
			c->id = nla_get_u16(a);
	}
	if (c->fail_with)
		return c->fail_with;
	return c->stop_after && c->n >= c->stop_after;
}

static int dump(struct nipsec_handle *h, struct fam_ctx *c)
{
	struct nl_msg *m = nipsec_req_new(h, CTRL_CMD_GETFAMILY, true);

	return m ? nipsec_req_send(h, m, 0, fam_reply, c) : -ENOMEM;
}

static int get(struct nipsec_handle *h, const char *name, struct fam_ctx *c)
{
	struct nl_msg *m = nipsec_req_new(h, CTRL_CMD_GETFAMILY, false);

	if (!m)
		return -ENOMEM;
	return nipsec_req_send(h, m, nla_put_string(m, CTRL_ATTR_FAMILY_NAME, name),
			       fam_reply, c);
}

void test_xact(void)
{
	struct fam_ctx c = { 0 };
	struct nipsec_handle *h;
	struct nl_msg *m;
	int err, i, bad = 0;
	uint8_t one = 1;

	h = nipsec_open_family("nlctrl", &err);
	if (!h) {
		tap_ok(true, "transactions against nlctrl # SKIP no generic netlink (%d)", err);
		return;
	}
	tap_ok(nipsec_fd(h) >= 0, "handle has a socket");
	err = dump(h, &c);
	tap_ok(!err && c.n > 1 && c.saw_ctrl, "dump reads every family (%d) to NLMSG_DONE", c.n);

	memset(&c, 0, sizeof(c));
	c.stop_after = 1;
	err = dump(h, &c);
	tap_ok(!err && c.n == 1, "a callback can stop a dump early without an error");
	memset(&c, 0, sizeof(c));
	err = get(h, "nlctrl", &c);
	tap_ok(!err && c.n == 1 && c.id == GENL_ID_CTRL,
	       "the next request after a stopped dump gets its own reply");

	memset(&c, 0, sizeof(c));
	err = get(h, "nipsec-nope", &c);
	tap_ok(err == -ENOENT && c.n == 0, "kernel errors come back as -errno (%d)", err);

	/* a one-byte u16 fails the kernel's policy, which says why in an extack */
	m = nipsec_req_new(h, CTRL_CMD_GETFAMILY, false);
	err = m ? nipsec_req_send(h, m, nla_put(m, CTRL_ATTR_FAMILY_ID, 1, &one), NULL, NULL) :
		  -ENOMEM;
	tap_ok(err == -ERANGE || err == -EINVAL, "malformed attribute rejected (%d)", err);
	if (!tap_ok(nipsec_errmsg(h)[0] != '\0', "the kernel's extack message is kept: \"%s\"",
		    nipsec_errmsg(h)))
		tap_diag("kernel sent no extended ACK message");
	memset(&c, 0, sizeof(c));
	err = get(h, "nlctrl", &c);
	tap_ok(!err && !nipsec_errmsg(h)[0], "a successful request clears the message");

	memset(&c, 0, sizeof(c));
	c.fail_with = -EBADMSG;
	err = dump(h, &c);
	tap_ok(err == -EBADMSG && c.n == 1, "a reply parser's error is returned, the rest dropped");
	memset(&c, 0, sizeof(c));
	err = get(h, "nlctrl", &c);
	tap_ok(!err && c.id == GENL_ID_CTRL, "the socket is in sync after a parser error");

	for (i = 0; i < 2000; i++) {
		memset(&c, 0, sizeof(c));
		if (get(h, "nlctrl", &c) || c.n != 1)
			bad++;
	}
	tap_ok(!bad, "2000 requests on one socket, each with its reply and ACK");

	/* libnl's own requests after ours must not find our callbacks */
	err = nipsec_subscribe_group(h, "nlctrl", "notify");
	tap_ok(!err, "joining a multicast group after requests (%d)", err);
	fcntl(nipsec_fd(h), F_SETFL, fcntl(nipsec_fd(h), F_GETFL) | O_NONBLOCK);
	err = nipsec_event_recv(h, NULL, NULL);
	tap_ok(err == -EAGAIN, "a non-blocking event read with nothing queued (%d)", err);
	nipsec_close(h);
}
