// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the library's message encoding and decoding: what it sends is
 * what the spec says (byte orders, nests, optional attributes), and what
 * the kernel sends back decodes into the same structs. No socket needed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "nipsec_client.h"
#include "internal.h"
#include "tap.h"

static struct nl_msg *new_msg(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	if (m)
		genlmsg_put(m, 0, 0, 0x20, 0, 0, cmd, 1);
	return m;
}

static struct nlattr *attrs(struct nl_msg *m, int *len)
{
	struct genlmsghdr *g = genlmsg_hdr(nlmsg_hdr(m));

	*len = genlmsg_attrlen(g, 0);
	return genlmsg_attrdata(g, 0);
}

static struct nipsec_addr a4(const char *s)
{
	struct nipsec_addr a = { .family = AF_INET };

	inet_pton(AF_INET, s, &a.u.v4);
	return a;
}

static struct nipsec_addr a6(const char *s)
{
	struct nipsec_addr a = { .family = AF_INET6 };

	inet_pton(AF_INET6, s, &a.u.v6);
	return a;
}

static bool addr_eq(const struct nipsec_addr *a, const struct nipsec_addr *b)
{
	if (a->family != b->family)
		return false;
	return a->family == AF_INET ? a->u.v4.s_addr == b->u.v4.s_addr :
	       !memcmp(&a->u.v6, &b->u.v6, 16);
}

static void test_sa_roundtrip(void)
{
	static const uint8_t key[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
					 13, 14, 15, 16, 17, 18, 19, 20 };
	struct nipsec_sa_cfg c = {
		.src = a4("192.168.1.1"), .dst = a4("192.168.1.2"),
		.spi = 0x12345678, .proto = NIPSEC_PROTO_ESP,
		.mode = NIPSEC_MODE_TUNNEL, .reqid = 9,
		.aead = { .name = "rfc4106(gcm(aes))", .key_len = 20, .bits = 128 },
		.has_replay_window = true, .replay_window = 64, .esn = true,
		.has_sel = true,
		.sel = { .family = AF_INET, .src = a4("10.0.0.0"), .src_prefix = 24,
			 .dst = a4("10.1.0.0"), .dst_prefix = 16, .proto = 6,
			 .dport_min = 443, .dport_max = 443 },
		.lifetime = { .soft_bytes = 1000, .hard_add_seconds = 3600 },
		.has_encap = true,
		.encap = { .type = NIPSEC_ENCAP_ESPINUDP, .sport = 4500,
			   .dport = 4501, .oa = a4("1.2.3.4") },
		.has_seq = true, .seq = 77,
	};
	struct nl_msg *m = new_msg(NIPSEC_CMD_SA_NEW);
	struct nlattr *at, *a, *n;
	struct nipsec_sa sa;
	int len, cnt, rem;
	const uint8_t *b;

	memcpy(c.aead.key, key, sizeof(key));
	if (!tap_ok(m && !nipsec_put_sa_cfg(m, &c), "encode a full SA"))
		return;
	at = attrs(m, &len);
	a = nla_find(at, len, NIPSEC_A_SA_SPI);
	tap_ok(a && nla_get_u32(a) == 0x12345678, "spi goes in host byte order");
	a = nla_find(at, len, NIPSEC_A_SA_SRC_V4);
	b = a ? nla_data(a) : NULL;
	tap_ok(b && nla_len(a) == 4 && b[0] == 192 && b[1] == 168 && b[3] == 1,
	       "src-v4 goes in network byte order");
	tap_ok(!nla_find(at, len, NIPSEC_A_SA_SRC_V6), "no v6 attribute for a v4 SA");
	a = nla_find(at, len, NIPSEC_A_SA_AEAD_KEY);
	tap_ok(a && nla_len(a) == 20 && !memcmp(nla_data(a), key, 20), "aead key sent");
	a = nla_find(at, len, NIPSEC_A_SA_ICV_BITS);
	tap_ok(a && nla_get_u32(a) == 128, "icv-bits sent");
	tap_ok(!nla_find(at, len, NIPSEC_A_SA_ENC_NAME) &&
	       !nla_find(at, len, NIPSEC_A_SA_AUTH_KEY), "no enc/auth attributes for an AEAD");
	tap_ok(nla_find(at, len, NIPSEC_A_SA_ESN) != NULL, "esn flag sent");
	a = nla_find(at, len, NIPSEC_A_SA_ENCAP);
	n = a ? nla_find(nla_data(a), nla_len(a), NIPSEC_A_ENCAP_SPORT) : NULL;
	b = n ? nla_data(n) : NULL;
	tap_ok(b && b[0] == 0x11 && b[1] == 0x94, "encap sport 4500 in network byte order");
	a = nla_find(at, len, NIPSEC_A_SA_LIFETIME);
	cnt = 0;
	if (a)
		nla_for_each_nested(n, a, rem)
			cnt++;
	tap_ok(cnt == 2, "lifetime nest carries only the limits set");
	a = nla_find(at, len, NIPSEC_A_SA_SEL);
	n = a ? nla_find(nla_data(a), nla_len(a), NIPSEC_A_SELECTOR_SPORT_MIN) : NULL;
	tap_ok(a && !n, "selector without sport sends no sport");

	/* decode what was encoded */
	if (tap_ok(!nipsec_parse_sa(at, len, &sa), "decode the SA")) {
		tap_ok(addr_eq(&sa.cfg.src, &c.src) && addr_eq(&sa.cfg.dst, &c.dst) &&
		       sa.cfg.spi == c.spi && sa.cfg.proto == c.proto &&
		       sa.cfg.mode == c.mode && sa.cfg.reqid == 9, "SA identity round trip");
		tap_ok(!strcmp(sa.cfg.aead.name, c.aead.name) && sa.cfg.aead.bits == 128 &&
		       sa.cfg.aead.key_len == 0, "algorithm round trip, keys never decoded");
		tap_ok(sa.cfg.has_replay_window && sa.cfg.replay_window == 64 &&
		       sa.cfg.esn && sa.cfg.has_seq && sa.cfg.seq == 77, "replay, esn, seq");
		tap_ok(sa.cfg.sel.family == AF_INET && addr_eq(&sa.cfg.sel.dst, &c.sel.dst) &&
		       sa.cfg.sel.dst_prefix == 16 && sa.cfg.sel.proto == 6 &&
		       sa.cfg.sel.dport_min == 443 && sa.cfg.sel.dport_max == 443,
		       "selector round trip");
		tap_ok(!memcmp(&sa.cfg.lifetime, &c.lifetime, sizeof(c.lifetime)),
		       "lifetime round trip");
		tap_ok(sa.cfg.has_encap && sa.cfg.encap.sport == 4500 &&
		       sa.cfg.encap.dport == 4501 && addr_eq(&sa.cfg.encap.oa, &c.encap.oa),
		       "encap round trip");
		tap_ok(!sa.has_state && !sa.has_usage && !sa.has_stats, "no read-only parts");
	}
	nlmsg_free(m);
}

static void test_sa_variants(void)
{
	struct nipsec_sa_cfg c = {
		.src = a6("2001:db8::1"), .dst = a6("2001:db8::2"),
		.spi = 0x100, .proto = NIPSEC_PROTO_ESP,
		.enc = { .name = "ecb(cipher_null)" },
		.auth = { .name = "hmac(sha1)", .key_len = 20 },
	};
	struct nl_msg *m = new_msg(NIPSEC_CMD_SA_NEW);
	struct nipsec_sa sa;
	struct nlattr *at, *a;
	int len;

	if (!tap_ok(m && !nipsec_put_sa_cfg(m, &c), "encode an IPv6 null-encryption SA"))
		return;
	at = attrs(m, &len);
	a = nla_find(at, len, NIPSEC_A_SA_ENC_KEY);
	tap_ok(a && nla_len(a) == 0, "cipher_null sends an empty enc key");
	tap_ok(!nla_find(at, len, NIPSEC_A_SA_AUTH_TRUNC_BITS), "no trunc bits: kernel default");
	a = nla_find(at, len, NIPSEC_A_SA_DST_V6);
	tap_ok(a && nla_len(a) == 16, "dst-v6 is 16 bytes");
	tap_ok(!nla_find(at, len, NIPSEC_A_SA_REQID) &&
	       !nla_find(at, len, NIPSEC_A_SA_REPLAY_WINDOW) &&
	       !nla_find(at, len, NIPSEC_A_SA_LIFETIME) &&
	       !nla_find(at, len, NIPSEC_A_SA_SEL) &&
	       !nla_find(at, len, NIPSEC_A_SA_SEQ) &&
	       !nla_find(at, len, NIPSEC_A_SA_ESN), "unset optional attributes are not sent");
	tap_ok(!nipsec_parse_sa(at, len, &sa) && sa.cfg.dst.family == AF_INET6 &&
	       addr_eq(&sa.cfg.dst, &c.dst), "IPv6 round trip");
	nlmsg_free(m);

	/* what the kernel adds in replies: state, usage, stats, seq-in */
	m = new_msg(NIPSEC_CMD_SA_GET);
	if (!m)
		return;
	nla_put_u32(m, NIPSEC_A_SA_SPI, 7);
	nla_put_u8(m, NIPSEC_A_SA_STATE, NIPSEC_SA_STATE_DYING);
	nla_put_u64(m, NIPSEC_A_SA_SEQ_IN, 99);
	a = nla_nest_start(m, NIPSEC_A_SA_USAGE);
	nla_put_u64(m, NIPSEC_A_USAGE_BYTES, 1500);
	nla_put_u64(m, NIPSEC_A_USAGE_PACKETS, 3);
	nla_put_u64(m, NIPSEC_A_USAGE_ADD_TIME, 1700000000);
	nla_nest_end(m, a);
	a = nla_nest_start(m, NIPSEC_A_SA_STATS);
	nla_put_u64(m, NIPSEC_A_STATS_RX_PACKETS, 3);
	nla_put_u64(m, NIPSEC_A_STATS_DROP_REPLAY, 2);
	nla_put_u64(m, NIPSEC_A_STATS_ACQUIRES, 1);
	nla_nest_end(m, a);
	nla_put_u32(m, 200, 1);		/* an attribute from a newer kernel */
	at = attrs(m, &len);
	if (tap_ok(!nipsec_parse_sa(at, len, &sa), "decode a reply with read-only parts")) {
		tap_ok(sa.has_state && sa.state == NIPSEC_SA_STATE_DYING && sa.seq_in == 99,
		       "state and seq-in");
		tap_ok(sa.has_usage && sa.usage.bytes == 1500 && sa.usage.packets == 3 &&
		       sa.usage.add_time == 1700000000, "usage");
		tap_ok(sa.has_stats && sa.stats.rx_packets == 3 && sa.stats.drop_replay == 2 &&
		       sa.stats.acquires == 1 && !sa.stats.tx_packets, "per-SA stats");
	}
	nlmsg_free(m);
}

static void test_malformed(void)
{
	struct nl_msg *m = new_msg(NIPSEC_CMD_SA_GET);
	struct nipsec_sa sa;
	struct nipsec_stats st;
	struct nlattr *at, *n;
	int len;
	uint16_t two = 2;
	uint32_t four = 4;

	if (!m)
		return;
	nla_put(m, NIPSEC_A_SA_SPI, sizeof(two), &two);
	at = attrs(m, &len);
	tap_ok(nipsec_parse_sa(at, len, &sa) < 0, "short spi attribute rejected");
	nlmsg_free(m);

	m = new_msg(NIPSEC_CMD_SA_GET);
	if (!m)
		return;
	n = nla_nest_start(m, NIPSEC_A_SA_STATS);
	nla_put(m, NIPSEC_A_STATS_RX_BYTES, sizeof(four), &four);
	nla_nest_end(m, n);
	at = attrs(m, &len);
	tap_ok(nipsec_parse_sa(at, len, &sa) == -EINVAL, "32-bit counter rejected, not over-read");
	nlmsg_free(m);

	m = new_msg(NIPSEC_CMD_SA_GET);
	if (!m)
		return;
	n = nla_nest_start(m, NIPSEC_A_SA_SEL);
	nla_put(m, NIPSEC_A_SELECTOR_SRC_V6, 8, "12345678");
	nla_nest_end(m, n);
	at = attrs(m, &len);
	tap_ok(nipsec_parse_sa(at, len, &sa) < 0, "short IPv6 address in a selector rejected");
	nlmsg_free(m);

	m = new_msg(NIPSEC_CMD_STATS_GET);
	if (!m)
		return;
	n = nla_nest_start(m, NIPSEC_A_STATS_REQ_STATS);
	nla_put_u64(m, NIPSEC_A_STATS_DROP_AUTH, 5);
	nla_put_u64(m, NIPSEC_A_STATS_TX_BYTES, 1 << 20);
	nla_nest_end(m, n);
	at = attrs(m, &len);
	tap_ok(!nipsec_parse_stats_reply(at, len, &st) && st.drop_auth == 5 &&
	       st.tx_bytes == 1 << 20, "stats-get reply");
	nlmsg_free(m);
	m = new_msg(NIPSEC_CMD_STATS_GET);
	if (!m)
		return;
	at = attrs(m, &len);
	tap_ok(nipsec_parse_stats_reply(at, len, &st) == -EPROTO, "stats reply without stats");
	nlmsg_free(m);
}

static void test_stats_table(void)
{
	bool dup = false, covered = true;

	/* every counter of the spec, once: pad is the only non-counter */
	tap_ok(nipsec_stats_nfields == NIPSEC_A_STATS_MAX - 1,
	       "stats table lists all %d counters of the spec", NIPSEC_A_STATS_MAX - 1);
	for (size_t i = 0; i < nipsec_stats_nfields; i++)
		for (size_t k = i + 1; k < nipsec_stats_nfields; k++)
			dup |= nipsec_stats_fields[i].attr == nipsec_stats_fields[k].attr ||
			       nipsec_stats_fields[i].offset == nipsec_stats_fields[k].offset;
	for (int a = NIPSEC_A_STATS_RX_PACKETS; a < NIPSEC_A_STATS_PAD; a++) {
		bool found = false;

		for (size_t i = 0; i < nipsec_stats_nfields; i++)
			found |= nipsec_stats_fields[i].attr == a;
		covered &= found;
	}
	tap_ok(!dup && covered, "stats table: no duplicates, no gaps");
}

static void test_policy_roundtrip(void)
{
	struct nipsec_policy_cfg c = {
		.dir = NIPSEC_DIR_FWD, .priority = 5, .action = NIPSEC_ACTION_PROTECT,
		.sel = { .family = AF_INET6, .src = a6("2001:db8:1::"), .src_prefix = 48,
			 .dst = a6("2001:db8:2::"), .dst_prefix = 48, .proto = 58,
			 .has_icmp_type = true, .icmp_type = 0,
			 .has_icmp_code = true, .icmp_code = 0 },
		.has_tmpl = true,
		.tmpl = { .proto = NIPSEC_PROTO_ESP, .mode = NIPSEC_MODE_TUNNEL,
			  .src = a6("2001:db8::1"), .dst = a6("2001:db8::2"),
			  .reqid = 3, .spi = 0x99 },
	};
	struct nl_msg *m = new_msg(NIPSEC_CMD_POLICY_NEW);
	struct nipsec_policy p;
	struct nlattr *at, *a;
	int len;

	if (!tap_ok(m && !nipsec_put_policy_cfg(m, &c), "encode a policy"))
		return;
	at = attrs(m, &len);
	a = nla_find(at, len, NIPSEC_A_POLICY_SEL);
	tap_ok(a && nla_find(nla_data(a), nla_len(a), NIPSEC_A_SELECTOR_ICMP_TYPE),
	       "ICMP type 0 is sent (0 is a type)");
	if (tap_ok(!nipsec_parse_policy(at, len, &p), "decode the policy")) {
		tap_ok(p.cfg.dir == c.dir && p.cfg.priority == 5 &&
		       p.cfg.action == NIPSEC_ACTION_PROTECT, "dir, priority, action");
		tap_ok(p.cfg.sel.family == AF_INET6 && p.cfg.sel.src_prefix == 48 &&
		       addr_eq(&p.cfg.sel.src, &c.sel.src) && p.cfg.sel.has_icmp_type &&
		       p.cfg.sel.has_icmp_code && !p.cfg.sel.icmp_type, "IPv6 ICMP selector");
		tap_ok(p.cfg.has_tmpl && p.cfg.tmpl.reqid == 3 && p.cfg.tmpl.spi == 0x99 &&
		       p.cfg.tmpl.mode == NIPSEC_MODE_TUNNEL &&
		       addr_eq(&p.cfg.tmpl.dst, &c.tmpl.dst), "template round trip");
	}
	nlmsg_free(m);

	c.has_tmpl = false;
	c.action = NIPSEC_ACTION_BYPASS;
	memset(&c.sel, 0, sizeof(c.sel));
	m = new_msg(NIPSEC_CMD_POLICY_NEW);
	if (!m || nipsec_put_policy_cfg(m, &c))
		return;
	at = attrs(m, &len);
	a = nla_find(at, len, NIPSEC_A_POLICY_SEL);
	/* libnl drops empty nests; the kernel reads no selector as "any" */
	tap_ok(!a && !nla_find(at, len, NIPSEC_A_POLICY_TMPL),
	       "an any-selector sends no selector; no tmpl for bypass");
	nlmsg_free(m);
}

static void put_sa_ref(struct nl_msg *m, int attr)
{
	struct nlattr *n = nla_nest_start(m, attr), *u;

	nla_put_u32(m, NIPSEC_A_SA_SPI, 0xabc);
	nla_put_u8(m, NIPSEC_A_SA_PROTO, NIPSEC_PROTO_ESP);
	nla_put_u32(m, NIPSEC_A_SA_DST_V4, htonl(0xc0000202));
	nla_put_u32(m, NIPSEC_A_SA_REQID, 4);
	u = nla_nest_start(m, NIPSEC_A_SA_USAGE);
	nla_put_u64(m, NIPSEC_A_USAGE_BYTES, 4096);
	nla_nest_end(m, u);
	nla_nest_end(m, n);
}

static void test_events(void)
{
	struct nipsec_event ev;
	struct nl_msg *m;
	struct nlattr *at, *n;
	int len;

	m = new_msg(NIPSEC_CMD_EXPIRE_NTF);
	if (!m)
		return;
	put_sa_ref(m, NIPSEC_A_EXPIRE_SA);
	nla_put_flag(m, NIPSEC_A_EXPIRE_HARD);
	nla_put_u8(m, NIPSEC_A_EXPIRE_LIMIT, NIPSEC_LIMIT_BYTES);
	at = attrs(m, &len);
	tap_ok(!nipsec_parse_event(NIPSEC_CMD_EXPIRE_NTF, at, len, &ev) &&
	       ev.type == NIPSEC_EVENT_EXPIRE && ev.expire.hard &&
	       ev.expire.has_limit && ev.expire.limit == NIPSEC_LIMIT_BYTES &&
	       ev.expire.sa.cfg.spi == 0xabc && ev.expire.sa.cfg.reqid == 4 &&
	       ev.expire.sa.usage.bytes == 4096 &&
	       ev.expire.sa.cfg.dst.u.v4.s_addr == htonl(0xc0000202),
	       "expire event");
	nlmsg_free(m);

	m = new_msg(NIPSEC_CMD_ACQUIRE_NTF);
	if (!m)
		return;
	nla_put_u32(m, NIPSEC_A_ACQUIRE_POLICY_ID, 12);
	n = nla_nest_start(m, NIPSEC_A_ACQUIRE_TMPL);
	nla_put_u8(m, NIPSEC_A_TMPL_PROTO, NIPSEC_PROTO_ESP);
	nla_put_u8(m, NIPSEC_A_TMPL_MODE, NIPSEC_MODE_TUNNEL);
	nla_put_u32(m, NIPSEC_A_TMPL_REQID, 8);
	nla_nest_end(m, n);
	n = nla_nest_start(m, NIPSEC_A_ACQUIRE_SEL);
	nla_put_u16(m, NIPSEC_A_SELECTOR_FAMILY, AF_INET);
	nla_put_u32(m, NIPSEC_A_SELECTOR_SRC_V4, htonl(0x0a000001));
	nla_put_u8(m, NIPSEC_A_SELECTOR_PROTO, 17);
	nla_put_u16(m, NIPSEC_A_SELECTOR_DPORT_MIN, 53);
	nla_put_u16(m, NIPSEC_A_SELECTOR_DPORT_MAX, 53);
	nla_nest_end(m, n);
	at = attrs(m, &len);
	tap_ok(!nipsec_parse_event(NIPSEC_CMD_ACQUIRE_NTF, at, len, &ev) &&
	       ev.type == NIPSEC_EVENT_ACQUIRE && ev.acquire.policy_id == 12 &&
	       ev.acquire.has_tmpl && ev.acquire.tmpl.reqid == 8 &&
	       ev.acquire.sel.proto == 17 && ev.acquire.sel.dport_min == 53 &&
	       ev.acquire.sel.src.family == AF_INET, "acquire event");
	nlmsg_free(m);

	m = new_msg(NIPSEC_CMD_MAPPING_NTF);
	if (!m)
		return;
	put_sa_ref(m, NIPSEC_A_MAPPING_SA);
	nla_put_u32(m, NIPSEC_A_MAPPING_OLD_V4, htonl(0xcb007101));
	nla_put_u16(m, NIPSEC_A_MAPPING_OLD_PORT, htons(4500));
	nla_put_u32(m, NIPSEC_A_MAPPING_NEW_V4, htonl(0xcb007102));
	nla_put_u16(m, NIPSEC_A_MAPPING_NEW_PORT, htons(34567));
	at = attrs(m, &len);
	tap_ok(!nipsec_parse_event(NIPSEC_CMD_MAPPING_NTF, at, len, &ev) &&
	       ev.type == NIPSEC_EVENT_MAPPING && ev.mapping.old_port == 4500 &&
	       ev.mapping.new_port == 34567 &&
	       ev.mapping.new_addr.u.v4.s_addr == htonl(0xcb007102) &&
	       ev.mapping.sa.cfg.spi == 0xabc, "mapping event, ports in network order");
	nlmsg_free(m);

	m = new_msg(NIPSEC_CMD_SA_DEL_NTF);
	if (!m)
		return;
	nla_put_u32(m, NIPSEC_A_SA_SPI, 0x77);
	nla_put_u8(m, NIPSEC_A_SA_PROTO, NIPSEC_PROTO_AH);
	at = attrs(m, &len);
	tap_ok(!nipsec_parse_event(NIPSEC_CMD_SA_DEL_NTF, at, len, &ev) &&
	       ev.type == NIPSEC_EVENT_SA_DEL && ev.sa_del.cfg.spi == 0x77 &&
	       ev.sa_del.cfg.proto == NIPSEC_PROTO_AH, "sa-del event");
	nlmsg_free(m);

	m = new_msg(NIPSEC_CMD_POLICY_DEL_NTF);
	if (!m)
		return;
	nla_put_u32(m, NIPSEC_A_POLICY_ID, 31);
	nla_put_u8(m, NIPSEC_A_POLICY_DIR, NIPSEC_DIR_IN);
	at = attrs(m, &len);
	tap_ok(!nipsec_parse_event(NIPSEC_CMD_POLICY_DEL_NTF, at, len, &ev) &&
	       ev.type == NIPSEC_EVENT_POLICY_DEL && ev.policy_del.id == 31 &&
	       ev.policy_del.cfg.dir == NIPSEC_DIR_IN, "policy-del event");
	tap_ok(nipsec_parse_event(NIPSEC_CMD_SA_NEW, at, len, &ev) == -EOPNOTSUPP,
	       "a request command is not an event");
	tap_ok(nipsec_parse_event(NIPSEC_CMD_EXPIRE_NTF, at, 0, &ev) == -EPROTO,
	       "expire without its SA is an error");
	nlmsg_free(m);
}

/* an NLMSG_ERROR as the kernel builds it, TLVs after the fixed part */
static struct nl_msg *err_msg(int flags, int echo, const char *text, int miss)
{
	struct nl_msg *m = nlmsg_alloc_simple(NLMSG_ERROR, flags);
	struct nlmsgerr e = { .error = -EINVAL };

	if (!m)
		return NULL;
	e.msg.nlmsg_len = NLMSG_HDRLEN + echo;
	nlmsg_append(m, &e, sizeof(e), NLMSG_ALIGNTO);
	if (echo)
		nlmsg_append(m, "echoed-request-payload", echo, NLMSG_ALIGNTO);
	if (text)
		nla_put_string(m, NLMSGERR_ATTR_MSG, text);
	if (miss)
		nla_put_u32(m, NLMSGERR_ATTR_MISS_TYPE, miss);
	return m;
}

static void test_extack(void)
{
	char buf[256];
	struct nl_msg *m;

	m = err_msg(NLM_F_CAPPED | NLM_F_ACK_TLVS, 0, "selector: prefix longer than the address", 0);
	tap_ok(m && nipsec_extack_parse(nlmsg_hdr(m), sizeof(struct nlmsgerr), buf, sizeof(buf)) &&
	       !strcmp(buf, "selector: prefix longer than the address"),
	       "extack message of a capped ACK");
	nlmsg_free(m);
	m = err_msg(NLM_F_ACK_TLVS, 16, "unknown SA", 0);
	tap_ok(m && nipsec_extack_parse(nlmsg_hdr(m), sizeof(struct nlmsgerr) + 16, buf, sizeof(buf)) &&
	       !strcmp(buf, "unknown SA"), "extack message after an echoed request");
	nlmsg_free(m);
	m = err_msg(NLM_F_CAPPED | NLM_F_ACK_TLVS, 0, NULL, NIPSEC_A_SA_SPI);
	tap_ok(m && nipsec_extack_parse(nlmsg_hdr(m), sizeof(struct nlmsgerr), buf, sizeof(buf)) &&
	       strstr(buf, "missing attribute (type 1)"), "missing-attribute extack");
	nlmsg_free(m);
	m = err_msg(NLM_F_CAPPED, 0, NULL, 0);
	buf[0] = '\0';
	tap_ok(m && !nipsec_extack_parse(nlmsg_hdr(m), sizeof(struct nlmsgerr), buf, sizeof(buf)) &&
	       !buf[0], "no NLM_F_ACK_TLVS: no message");
	nlmsg_free(m);
}

static void test_errno(void)
{
	int err = 0;
	struct nipsec_handle *h;

	tap_ok(nipsec_nl2errno(0) == 0 && nipsec_nl2errno(-NLE_EXIST) == -EEXIST &&
	       nipsec_nl2errno(-NLE_OBJ_NOTFOUND) == -ENOENT &&
	       nipsec_nl2errno(-NLE_PERM) == -EPERM && nipsec_nl2errno(-999) == -EIO,
	       "libnl errors become errno values");
	if (access("/sys/module/nipsec", F_OK) == 0) {
		tap_ok(true, "nipsec_open without the module # SKIP module loaded");
		return;
	}
	h = nipsec_open(&err);
	tap_ok(!h && (err == -ENOENT || err == -EPROTONOSUPPORT || err == -EPERM ||
		      err == -EACCES),
	       "nipsec_open without the module fails cleanly (%d)", err);
	nipsec_close(h);
	nipsec_close(NULL);
	tap_ok(!strcmp(nipsec_errmsg(NULL), ""), "errmsg of no handle is empty");
}

/*
 * Whatever a kernel (or anything else on the socket) sends, decoding stays
 * inside the buffer: random attribute streams with well-formed headers,
 * random types, lengths and nesting. The ASan build checks the reads.
 */
static void test_random_attrs(void)
{
	uint32_t seed = 777;
	int parsed = 0;

	for (int round = 0; round < 5000; round++) {
		struct nl_msg *m = new_msg(NIPSEC_CMD_SA_GET);
		struct nipsec_event *ev = malloc(sizeof(*ev));
		struct nipsec_policy pol;
		struct nipsec_sa sa;
		struct nlattr *at, *nest = NULL;
		uint8_t junk[40];
		int len, n;

		if (!m || !ev) {
			free(ev);
			nlmsg_free(m);
			return;
		}
		n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12;
		for (int i = 0; i < n; i++) {
			int type, plen;

			seed = seed * 1103515245u + 12345u;
			type = 1 + (seed >> 16) % 32;
			seed = seed * 1103515245u + 12345u;
			plen = (seed >> 16) % 21;
			for (int k = 0; k < plen; k++) {
				seed = seed * 1103515245u + 12345u;
				junk[k] = (uint8_t)(seed >> 20);
			}
			if (!nest && (seed & 0x300) == 0x300) {
				nest = nla_nest_start(m, type);
				continue;
			}
			nla_put(m, type, plen, junk);
			if (nest && (seed & 0xc00) == 0xc00) {
				nla_nest_end(m, nest);
				nest = NULL;
			}
		}
		if (nest)
			nla_nest_end(m, nest);
		at = attrs(m, &len);
		parsed += !nipsec_parse_sa(at, len, &sa);
		parsed += !nipsec_parse_policy(at, len, &pol);
		for (uint8_t cmd = NIPSEC_CMD_ACQUIRE_NTF; cmd <= NIPSEC_CMD_MAPPING_NTF; cmd++)
			parsed += !nipsec_parse_event(cmd, at, len, ev);
		free(ev);
		nlmsg_free(m);
	}
	tap_ok(true, "5000 random attribute streams decoded or refused (%d decodes)", parsed);
}

void test_attr(void)
{
	test_sa_roundtrip();
	test_sa_variants();
	test_malformed();
	test_stats_table();
	test_policy_roundtrip();
	test_events();
	test_extack();
	test_errno();
	test_random_attrs();
}
