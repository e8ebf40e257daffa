// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: traffic selectors (nipsec_selector_match) and the flow a packet
 * offers them (nipsec_flow_parse), on hand-built IPv4 and IPv6 packets.
 */
#include <kunit/test.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "nipsec.h"
#include "policy.h"

/* A selector that admits everything, as netlink builds it from no attrs. */
static void sel_init(struct nipsec_selector *sel, u16 family, u8 proto)
{
	memset(sel, 0, sizeof(*sel));
	sel->family = family;
	sel->proto = proto;
	sel->icmp_type = -1;
	sel->icmp_code = -1;
	sel->sport_max = U16_MAX;
	sel->dport_max = U16_MAX;
}

static void flow4(struct nipsec_flow *fl, u32 saddr, u32 daddr, u8 proto,
		  u16 sport, u16 dport, bool has_ports)
{
	memset(fl, 0, sizeof(*fl));
	fl->family = AF_INET;
	fl->saddr.a4 = htonl(saddr);
	fl->daddr.a4 = htonl(daddr);
	fl->proto = proto;
	fl->sport = sport;
	fl->dport = dport;
	fl->has_ports = has_ports;
}

/* 2001:db8::<low> */
static void addr6(struct in6_addr *a, u32 low)
{
	memset(a, 0, sizeof(*a));
	a->s6_addr32[0] = htonl(0x20010db8);
	a->s6_addr32[1] = htonl(0x00010002);
	a->s6_addr32[2] = htonl(0xa5a5a5a5);
	a->s6_addr32[3] = htonl(low);
}

static void flow6(struct nipsec_flow *fl, u32 slow, u32 dlow, u8 proto,
		  u16 sport, u16 dport, bool has_ports)
{
	memset(fl, 0, sizeof(*fl));
	fl->family = AF_INET6;
	addr6(&fl->saddr.a6, slow);
	addr6(&fl->daddr.a6, dlow);
	fl->proto = proto;
	fl->sport = sport;
	fl->dport = dport;
	fl->has_ports = has_ports;
}

/* Bit @bit (0 = most significant) of an address, flipped. */
static void flip4(__be32 *a, unsigned int bit)
{
	*a ^= htonl(1u << (31 - bit));
}

static void flip6(struct in6_addr *a, unsigned int bit)
{
	a->s6_addr[bit / 8] ^= 0x80 >> (bit % 8);
}

static const u8 v4_prefixes[] = { 0, 1, 7, 8, 13, 16, 24, 31, 32 };

/*
 * For each prefix length: the selector's own address matches; flipping the
 * last bit inside the prefix does not; flipping the first bit outside it
 * (or any host bit) still does. Source and destination separately.
 */
static void selector_v4_prefixes(struct kunit *test)
{
	const u32 base = 0xc0a80a81;	/* 192.168.10.129 */
	struct nipsec_selector sel;
	struct nipsec_flow fl;
	unsigned int i, dir;

	for (dir = 0; dir < 2; dir++) {
		for (i = 0; i < ARRAY_SIZE(v4_prefixes); i++) {
			u8 plen = v4_prefixes[i];
			__be32 *fa;

			sel_init(&sel, AF_INET, 0);
			if (dir) {
				sel.daddr.a4 = htonl(base);
				sel.dprefix = plen;
			} else {
				sel.saddr.a4 = htonl(base);
				sel.sprefix = plen;
			}
			flow4(&fl, base, base, IPPROTO_UDP, 1, 2, true);
			fa = dir ? &fl.daddr.a4 : &fl.saddr.a4;
			KUNIT_EXPECT_TRUE_MSG(test, nipsec_selector_match(&sel, &fl),
					      "dir %u /%u own address", dir, plen);
			if (plen) {
				flip4(fa, plen - 1);
				KUNIT_EXPECT_FALSE_MSG(test,
						       nipsec_selector_match(&sel, &fl),
						       "dir %u /%u last prefix bit", dir, plen);
				flip4(fa, plen - 1);
				flip4(fa, 0);
				KUNIT_EXPECT_FALSE_MSG(test,
						       nipsec_selector_match(&sel, &fl),
						       "dir %u /%u first bit", dir, plen);
				flip4(fa, 0);
			}
			if (plen < 32) {
				flip4(fa, plen);
				KUNIT_EXPECT_TRUE_MSG(test,
						      nipsec_selector_match(&sel, &fl),
						      "dir %u /%u first host bit", dir, plen);
				flip4(fa, 31);
				KUNIT_EXPECT_TRUE_MSG(test,
						      nipsec_selector_match(&sel, &fl),
						      "dir %u /%u last host bit", dir, plen);
			}
		}
	}
	/* /0 admits anything of the family, even 0.0.0.0 and broadcast */
	sel_init(&sel, AF_INET, 0);
	flow4(&fl, 0, 0xffffffff, IPPROTO_TCP, 0, 0, true);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
}

static const u8 v6_prefixes[] = { 0, 1, 7, 8, 63, 64, 65, 96, 127, 128 };

static void selector_v6_prefixes(struct kunit *test)
{
	struct nipsec_selector sel;
	struct nipsec_flow fl;
	unsigned int i, dir;

	for (dir = 0; dir < 2; dir++) {
		for (i = 0; i < ARRAY_SIZE(v6_prefixes); i++) {
			u8 plen = v6_prefixes[i];
			struct in6_addr *fa;

			sel_init(&sel, AF_INET6, 0);
			if (dir) {
				addr6(&sel.daddr.a6, 0x1234);
				sel.dprefix = plen;
			} else {
				addr6(&sel.saddr.a6, 0x1234);
				sel.sprefix = plen;
			}
			flow6(&fl, 0x1234, 0x1234, IPPROTO_TCP, 1, 2, true);
			fa = dir ? &fl.daddr.a6 : &fl.saddr.a6;
			KUNIT_EXPECT_TRUE_MSG(test, nipsec_selector_match(&sel, &fl),
					      "dir %u /%u own address", dir, plen);
			if (plen) {
				flip6(fa, plen - 1);
				KUNIT_EXPECT_FALSE_MSG(test,
						       nipsec_selector_match(&sel, &fl),
						       "dir %u /%u last prefix bit", dir, plen);
				flip6(fa, plen - 1);
			}
			if (plen < 128) {
				flip6(fa, plen);
				KUNIT_EXPECT_TRUE_MSG(test,
						      nipsec_selector_match(&sel, &fl),
						      "dir %u /%u first host bit", dir, plen);
				flip6(fa, 127);
				KUNIT_EXPECT_TRUE_MSG(test,
						      nipsec_selector_match(&sel, &fl),
						      "dir %u /%u last host bit", dir, plen);
			}
		}
	}
}

static void expect_ports(struct kunit *test, const struct nipsec_selector *sel,
			 u16 sport, u16 dport, bool want)
{
	struct nipsec_flow fl;

	flow4(&fl, 1, 2, IPPROTO_TCP, sport, dport, true);
	KUNIT_EXPECT_EQ_MSG(test, nipsec_selector_match(sel, &fl), want,
			    "sport %u dport %u", sport, dport);
}

/* Both ends of both port ranges, and one past each end. */
static void selector_ports(struct kunit *test)
{
	struct nipsec_selector sel;
	struct nipsec_flow fl;

	sel_init(&sel, AF_INET, IPPROTO_TCP);
	sel.sport_min = 1000;
	sel.sport_max = 2000;
	sel.dport_min = 80;
	sel.dport_max = 80;

	expect_ports(test, &sel, 1000, 80, true);
	expect_ports(test, &sel, 1500, 80, true);
	expect_ports(test, &sel, 2000, 80, true);
	expect_ports(test, &sel, 999, 80, false);
	expect_ports(test, &sel, 2001, 80, false);
	expect_ports(test, &sel, 1000, 79, false);
	expect_ports(test, &sel, 1000, 81, false);
	expect_ports(test, &sel, 0, 0, false);
	expect_ports(test, &sel, 65535, 65535, false);

	/* the protocol must match too */
	flow4(&fl, 1, 2, IPPROTO_UDP, 1000, 80, true);
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));

	/* full range on one side only: the other side still counts */
	sel_init(&sel, AF_INET6, IPPROTO_UDP);
	sel.dport_min = 500;
	sel.dport_max = 500;
	flow6(&fl, 1, 2, IPPROTO_UDP, 4500, 500, true);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	flow6(&fl, 1, 2, IPPROTO_UDP, 500, 4500, true);
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));
}

/*
 * A non-first fragment carries no ports: it must not match a selector that
 * names ports (it cannot be proven to belong to that flow), but it matches
 * one of the same protocol with "any" ports, as in XFRM.
 */
static void selector_fragments(struct kunit *test)
{
	struct nipsec_selector sel;
	struct nipsec_flow fl;

	sel_init(&sel, AF_INET, IPPROTO_UDP);
	sel.dport_min = 53;
	sel.dport_max = 53;
	flow4(&fl, 1, 2, IPPROTO_UDP, 0, 0, false);
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));
	/* even a selector whose range includes port 0 */
	sel.dport_min = 0;
	sel.dport_max = 100;
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));
	/* source range only */
	sel_init(&sel, AF_INET, IPPROTO_UDP);
	sel.sport_min = 0;
	sel.sport_max = 1;
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));

	sel_init(&sel, AF_INET, IPPROTO_UDP);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	sel_init(&sel, AF_INET, 0);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));

	sel_init(&sel, AF_INET6, IPPROTO_TCP);
	sel.sport_min = 22;
	sel.sport_max = 22;
	flow6(&fl, 1, 2, IPPROTO_TCP, 0, 0, false);
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));
	sel_init(&sel, AF_INET6, IPPROTO_TCP);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
}

static void selector_icmp(struct kunit *test)
{
	struct nipsec_selector sel;
	struct nipsec_flow fl;

	/* type only: echo request, any code */
	sel_init(&sel, AF_INET, IPPROTO_ICMP);
	sel.icmp_type = ICMP_ECHO;
	flow4(&fl, 1, 2, IPPROTO_ICMP, ICMP_ECHO, 0, true);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	flow4(&fl, 1, 2, IPPROTO_ICMP, ICMP_ECHO, 7, true);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	flow4(&fl, 1, 2, IPPROTO_ICMP, ICMP_ECHOREPLY, 0, true);
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));

	/* type and code: fragmentation needed */
	sel.icmp_type = ICMP_DEST_UNREACH;
	sel.icmp_code = ICMP_FRAG_NEEDED;
	flow4(&fl, 1, 2, IPPROTO_ICMP, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, true);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	flow4(&fl, 1, 2, IPPROTO_ICMP, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, true);
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));

	/* code only */
	sel_init(&sel, AF_INET, IPPROTO_ICMP);
	sel.icmp_code = 0;
	flow4(&fl, 1, 2, IPPROTO_ICMP, ICMP_ECHOREPLY, 0, true);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	flow4(&fl, 1, 2, IPPROTO_ICMP, ICMP_ECHOREPLY, 1, true);
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));

	/* a fragment of an ICMP message has no type: only "any" admits it */
	sel.icmp_type = ICMP_ECHO;
	sel.icmp_code = -1;
	flow4(&fl, 1, 2, IPPROTO_ICMP, 0, 0, false);
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));
	sel_init(&sel, AF_INET, IPPROTO_ICMP);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));

	/* ICMPv6: echo request 128 */
	sel_init(&sel, AF_INET6, IPPROTO_ICMPV6);
	sel.icmp_type = ICMPV6_ECHO_REQUEST;
	flow6(&fl, 1, 2, IPPROTO_ICMPV6, ICMPV6_ECHO_REQUEST, 0, true);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	flow6(&fl, 1, 2, IPPROTO_ICMPV6, ICMPV6_ECHO_REPLY, 0, true);
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));
	/* ICMPv6 selector against IPv4 ICMP with the same type number */
	flow4(&fl, 1, 2, IPPROTO_ICMP, ICMPV6_ECHO_REQUEST, 0, true);
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));
}

/* Family 0: no addresses, both families; protocol 0: every protocol. */
static void selector_any(struct kunit *test)
{
	struct nipsec_selector sel;
	struct nipsec_flow fl;

	sel_init(&sel, 0, 0);
	flow4(&fl, 1, 2, IPPROTO_TCP, 1, 2, true);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	flow6(&fl, 1, 2, IPPROTO_SCTP, 1, 2, true);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	flow6(&fl, 1, 2, IPPROTO_UDP, 0, 0, false);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	flow4(&fl, 1, 2, IPPROTO_GRE, 0, 0, false);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));

	/* any family, one protocol */
	sel_init(&sel, 0, IPPROTO_UDP);
	flow4(&fl, 1, 2, IPPROTO_UDP, 1, 2, true);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	flow6(&fl, 1, 2, IPPROTO_UDP, 1, 2, true);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	flow6(&fl, 1, 2, IPPROTO_TCP, 1, 2, true);
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));

	/* one family excludes the other, even with /0 prefixes */
	sel_init(&sel, AF_INET, 0);
	flow6(&fl, 1, 2, IPPROTO_TCP, 1, 2, true);
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));
	sel_init(&sel, AF_INET6, 0);
	flow4(&fl, 1, 2, IPPROTO_TCP, 1, 2, true);
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));

	/* protocol any ignores port fields altogether */
	sel_init(&sel, AF_INET, 0);
	flow4(&fl, 1, 2, IPPROTO_ICMP, ICMP_ECHO, 0, true);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
}

/* ------------------------------------------------------ nipsec_flow_parse */

/*
 * Host bits beyond a prefix are cleared, written out bit by bit here: every
 * prefix length of both families, on an address with every bit set.
 */
static void selector_mask_prefixes(struct kunit *test)
{
	struct nipsec_selector sel;
	unsigned int len, bit;

	for (len = 0; len <= 32; len++) {
		sel_init(&sel, AF_INET, 0);
		sel.saddr.a4 = htonl(0xffffffff);
		sel.daddr.a4 = htonl(0xc0000205);
		sel.sprefix = len;
		sel.dprefix = 32;
		nipsec_selector_mask(&sel);
		for (bit = 0; bit < 32; bit++)
			KUNIT_EXPECT_EQ_MSG(test,
					    !!(ntohl(sel.saddr.a4) & (1u << (31 - bit))),
					    bit < len, "/%u bit %u", len, bit);
		KUNIT_EXPECT_EQ(test, ntohl(sel.daddr.a4), 0xc0000205);
	}
	for (len = 0; len <= 128; len++) {
		sel_init(&sel, AF_INET6, 0);
		memset(&sel.saddr.a6, 0xff, sizeof(sel.saddr.a6));
		addr6(&sel.daddr.a6, 5);
		sel.sprefix = len;
		sel.dprefix = 128;
		nipsec_selector_mask(&sel);
		for (bit = 0; bit < 128; bit++)
			KUNIT_EXPECT_EQ_MSG(test,
					    !!(sel.saddr.a6.s6_addr[bit / 8] &
					       (0x80 >> (bit % 8))),
					    bit < len, "/%u bit %u", len, bit);
		KUNIT_EXPECT_EQ(test, ntohl(sel.daddr.a6.s6_addr32[3]), 5);
	}
	/* 10.0.0.5/24 is 10.0.0.0/24 */
	sel_init(&sel, AF_INET, 0);
	sel.saddr.a4 = htonl(0x0a000005);
	sel.sprefix = 24;
	nipsec_selector_mask(&sel);
	KUNIT_EXPECT_EQ(test, ntohl(sel.saddr.a4), 0x0a000000);
}

#define SKB_ROOM 256

/* An skb holding @len bytes of @pkt with the network header at its start. */
static struct sk_buff *mkskb(struct kunit *test, const void *pkt,
			     unsigned int len)
{
	struct sk_buff *skb = alloc_skb(SKB_ROOM + 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 32);
	skb_put_data(skb, pkt, len);
	skb_reset_network_header(skb);
	return skb;
}

static unsigned int build_ip4(u8 *p, u8 proto, u16 frag, unsigned int optlen)
{
	struct iphdr *iph = (struct iphdr *)p;

	memset(iph, 0, sizeof(*iph) + optlen);
	iph->version = 4;
	iph->ihl = 5 + optlen / 4;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->frag_off = htons(frag);
	iph->saddr = htonl(0xc6336405);		/* 198.51.100.5 */
	iph->daddr = htonl(0xc0000205);		/* 192.0.2.5 */
	if (optlen)
		memset(p + sizeof(*iph), IPOPT_NOOP, optlen);
	return iph->ihl * 4;
}

static void put_ports(u8 *p, u16 sport, u16 dport)
{
	__be16 *ports = (__be16 *)p;

	ports[0] = htons(sport);
	ports[1] = htons(dport);
}

static void expect_flow(struct kunit *test, const struct nipsec_flow *fl,
			u8 proto, bool has_ports, u16 sport, u16 dport)
{
	KUNIT_EXPECT_EQ(test, fl->proto, proto);
	KUNIT_EXPECT_EQ(test, fl->has_ports, has_ports);
	if (has_ports) {
		KUNIT_EXPECT_EQ(test, fl->sport, sport);
		KUNIT_EXPECT_EQ(test, fl->dport, dport);
	}
}

static void flow_parse_ipv4(struct kunit *test)
{
	u8 pkt[SKB_ROOM];
	struct nipsec_flow fl;
	struct sk_buff *skb;
	unsigned int h;

	/* TCP */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip4(pkt, IPPROTO_TCP, 0, 0);
	put_ports(pkt + h, 40000, 443);
	skb = mkskb(test, pkt, h + sizeof(struct tcphdr));
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET, &fl), 0);
	KUNIT_EXPECT_EQ(test, fl.family, AF_INET);
	KUNIT_EXPECT_EQ(test, ntohl(fl.saddr.a4), 0xc6336405);
	KUNIT_EXPECT_EQ(test, ntohl(fl.daddr.a4), 0xc0000205);
	expect_flow(test, &fl, IPPROTO_TCP, true, 40000, 443);
	kfree_skb(skb);

	/* UDP behind 8 bytes of IP options: ports after the options */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip4(pkt, IPPROTO_UDP, 0, 8);
	KUNIT_EXPECT_EQ(test, h, 28);
	put_ports(pkt + h, 4500, 500);
	skb = mkskb(test, pkt, h + sizeof(struct udphdr));
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET, &fl), 0);
	expect_flow(test, &fl, IPPROTO_UDP, true, 4500, 500);
	kfree_skb(skb);

	/* ICMP echo request: type and code in the port fields */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip4(pkt, IPPROTO_ICMP, 0, 0);
	pkt[h] = ICMP_ECHO;
	pkt[h + 1] = 0;
	skb = mkskb(test, pkt, h + 8);
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET, &fl), 0);
	expect_flow(test, &fl, IPPROTO_ICMP, true, ICMP_ECHO, 0);
	kfree_skb(skb);

	/* first fragment (MF, offset 0): ports are there */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip4(pkt, IPPROTO_UDP, IP_MF, 0);
	put_ports(pkt + h, 1234, 53);
	skb = mkskb(test, pkt, h + 8);
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET, &fl), 0);
	expect_flow(test, &fl, IPPROTO_UDP, true, 1234, 53);
	kfree_skb(skb);

	/* non-first fragment: the bytes at the port offset are payload */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip4(pkt, IPPROTO_UDP, 185, 0);	/* offset 1480 */
	put_ports(pkt + h, 1234, 53);
	skb = mkskb(test, pkt, h + 8);
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET, &fl), 0);
	expect_flow(test, &fl, IPPROTO_UDP, false, 0, 0);
	kfree_skb(skb);

	/* last fragment (offset, no MF) */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip4(pkt, IPPROTO_TCP, IP_MF | 1, 0);
	skb = mkskb(test, pkt, h + 20);
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET, &fl), 0);
	expect_flow(test, &fl, IPPROTO_TCP, false, 0, 0);
	kfree_skb(skb);

	/* TCP header cut short: a flow without ports, not an error */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip4(pkt, IPPROTO_TCP, 0, 0);
	skb = mkskb(test, pkt, h + 2);
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET, &fl), 0);
	expect_flow(test, &fl, IPPROTO_TCP, false, 0, 0);
	kfree_skb(skb);

	/* a protocol without ports */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip4(pkt, IPPROTO_GRE, 0, 0);
	skb = mkskb(test, pkt, h + 8);
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET, &fl), 0);
	expect_flow(test, &fl, IPPROTO_GRE, false, 0, 0);
	kfree_skb(skb);
}

static void flow_parse_ipv4_bad(struct kunit *test)
{
	u8 pkt[SKB_ROOM];
	struct nipsec_flow fl;
	struct sk_buff *skb;

	/* shorter than an IPv4 header */
	memset(pkt, 0, sizeof(pkt));
	build_ip4(pkt, IPPROTO_TCP, 0, 0);
	skb = mkskb(test, pkt, 19);
	KUNIT_EXPECT_EQ(test, nipsec_flow_parse(skb, AF_INET, &fl), -EINVAL);
	kfree_skb(skb);

	/* IHL below 5 */
	memset(pkt, 0, sizeof(pkt));
	build_ip4(pkt, IPPROTO_TCP, 0, 0);
	((struct iphdr *)pkt)->ihl = 4;
	skb = mkskb(test, pkt, 40);
	KUNIT_EXPECT_EQ(test, nipsec_flow_parse(skb, AF_INET, &fl), -EINVAL);
	kfree_skb(skb);

	/* neither family */
	skb = mkskb(test, pkt, 40);
	KUNIT_EXPECT_EQ(test, nipsec_flow_parse(skb, AF_UNSPEC, &fl),
			-EAFNOSUPPORT);
	kfree_skb(skb);
}

/* IPv6 header with @nexthdr; returns its length. */
static unsigned int build_ip6(u8 *p, u8 nexthdr, u16 payload_len)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)p;

	memset(ip6h, 0, sizeof(*ip6h));
	ip6h->version = 6;
	ip6h->nexthdr = nexthdr;
	ip6h->hop_limit = 64;
	ip6h->payload_len = htons(payload_len);
	addr6(&ip6h->saddr, 1);
	addr6(&ip6h->daddr, 2);
	return sizeof(*ip6h);
}

/* An 8-byte option header (hop-by-hop or destination options). */
static unsigned int build_opt6(u8 *p, u8 nexthdr)
{
	memset(p, 0, 8);
	p[0] = nexthdr;
	p[1] = 0;		/* 8 bytes */
	p[2] = IPV6_TLV_PADN;
	p[3] = 4;
	return 8;
}

static unsigned int build_frag6(u8 *p, u8 nexthdr, u16 offset, bool more)
{
	struct frag_hdr *fh = (struct frag_hdr *)p;

	memset(fh, 0, sizeof(*fh));
	fh->nexthdr = nexthdr;
	fh->frag_off = htons(offset << 3 | (more ? IP6_MF : 0));
	fh->identification = htonl(0x12345678);
	return sizeof(*fh);
}

static void flow_parse_ipv6(struct kunit *test)
{
	u8 pkt[SKB_ROOM];
	struct nipsec_flow fl;
	struct sk_buff *skb;
	struct in6_addr a;
	unsigned int h;

	/* TCP right after the header */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip6(pkt, IPPROTO_TCP, 20);
	put_ports(pkt + h, 22, 50000);
	skb = mkskb(test, pkt, h + 20);
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET6, &fl), 0);
	KUNIT_EXPECT_EQ(test, fl.family, AF_INET6);
	addr6(&a, 1);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&fl.saddr.a6, &a));
	addr6(&a, 2);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&fl.daddr.a6, &a));
	expect_flow(test, &fl, IPPROTO_TCP, true, 22, 50000);
	kfree_skb(skb);

	/* hop-by-hop and destination options before UDP */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip6(pkt, NEXTHDR_HOP, 24);
	h += build_opt6(pkt + h, NEXTHDR_DEST);
	h += build_opt6(pkt + h, IPPROTO_UDP);
	put_ports(pkt + h, 5353, 5354);
	skb = mkskb(test, pkt, h + 8);
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET6, &fl), 0);
	expect_flow(test, &fl, IPPROTO_UDP, true, 5353, 5354);
	kfree_skb(skb);

	/* ICMPv6 echo request */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip6(pkt, IPPROTO_ICMPV6, 8);
	pkt[h] = ICMPV6_ECHO_REQUEST;
	pkt[h + 1] = 0;
	skb = mkskb(test, pkt, h + 8);
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET6, &fl), 0);
	expect_flow(test, &fl, IPPROTO_ICMPV6, true, ICMPV6_ECHO_REQUEST, 0);
	kfree_skb(skb);

	/* first fragment: the fragment header is skipped, ports found */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip6(pkt, NEXTHDR_FRAGMENT, 16);
	h += build_frag6(pkt + h, IPPROTO_UDP, 0, true);
	put_ports(pkt + h, 1000, 2000);
	skb = mkskb(test, pkt, h + 8);
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET6, &fl), 0);
	expect_flow(test, &fl, IPPROTO_UDP, true, 1000, 2000);
	kfree_skb(skb);

	/* no header at all after the options (next header 59) */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip6(pkt, NEXTHDR_DEST, 8);
	h += build_opt6(pkt + h, NEXTHDR_NONE);
	skb = mkskb(test, pkt, h);
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET6, &fl), 0);
	KUNIT_EXPECT_FALSE(test, fl.has_ports);
	kfree_skb(skb);
}

/*
 * A non-first IPv6 fragment: no ports, and (as in XFRM's
 * _decode_session6 and RFC 4301 4.4.1.1) the upper-layer protocol is
 * the fragment header's next header, so that "proto udp" policies see
 * every fragment of a UDP datagram the same way in IPv4 and IPv6.
 */
static void flow_parse_ipv6_nonfirst_fragment(struct kunit *test)
{
	u8 pkt[SKB_ROOM];
	struct nipsec_flow fl;
	struct nipsec_selector sel;
	struct sk_buff *skb;
	unsigned int h;

	memset(pkt, 0, sizeof(pkt));
	h = build_ip6(pkt, NEXTHDR_HOP, 32);
	h += build_opt6(pkt + h, NEXTHDR_FRAGMENT);
	h += build_frag6(pkt + h, IPPROTO_UDP, 181, false);
	put_ports(pkt + h, 1000, 2000);		/* payload, not ports */
	skb = mkskb(test, pkt, h + 16);
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET6, &fl), 0);
	KUNIT_EXPECT_FALSE(test, fl.has_ports);
	KUNIT_EXPECT_EQ(test, fl.proto, IPPROTO_UDP);
	sel_init(&sel, AF_INET6, IPPROTO_UDP);
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	sel.dport_min = 2000;
	sel.dport_max = 2000;
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));
	kfree_skb(skb);
}

static void flow_parse_ipv6_bad(struct kunit *test)
{
	u8 pkt[SKB_ROOM];
	struct nipsec_flow fl;
	struct sk_buff *skb;
	unsigned int h;

	memset(pkt, 0, sizeof(pkt));
	build_ip6(pkt, IPPROTO_TCP, 0);
	skb = mkskb(test, pkt, sizeof(struct ipv6hdr) - 1);
	KUNIT_EXPECT_EQ(test, nipsec_flow_parse(skb, AF_INET6, &fl), -EINVAL);
	kfree_skb(skb);

	/* extension header chain cut short: addresses, no ports */
	memset(pkt, 0, sizeof(pkt));
	h = build_ip6(pkt, NEXTHDR_HOP, 8);
	build_opt6(pkt + h, IPPROTO_TCP);
	skb = mkskb(test, pkt, h + 1);
	KUNIT_EXPECT_EQ(test, nipsec_flow_parse(skb, AF_INET6, &fl), 0);
	KUNIT_EXPECT_FALSE(test, fl.has_ports);
	kfree_skb(skb);
}

/* What the parser extracts feeds the matcher: one end-to-end check. */
static void flow_parse_then_match(struct kunit *test)
{
	u8 pkt[SKB_ROOM];
	struct nipsec_selector sel;
	struct nipsec_flow fl;
	struct sk_buff *skb;
	unsigned int h;

	memset(pkt, 0, sizeof(pkt));
	h = build_ip4(pkt, IPPROTO_TCP, 0, 0);
	put_ports(pkt + h, 40000, 443);
	skb = mkskb(test, pkt, h + 20);
	KUNIT_ASSERT_EQ(test, nipsec_flow_parse(skb, AF_INET, &fl), 0);
	kfree_skb(skb);

	sel_init(&sel, AF_INET, IPPROTO_TCP);
	sel.saddr.a4 = htonl(0xc6336400);
	sel.sprefix = 24;
	sel.daddr.a4 = htonl(0xc0000205);
	sel.dprefix = 32;
	sel.dport_min = 443;
	sel.dport_max = 443;
	KUNIT_EXPECT_TRUE(test, nipsec_selector_match(&sel, &fl));
	sel.dport_min = 80;
	sel.dport_max = 80;
	KUNIT_EXPECT_FALSE(test, nipsec_selector_match(&sel, &fl));
}

static struct kunit_case nipsec_selector_cases[] = {
	KUNIT_CASE(selector_v4_prefixes),
	KUNIT_CASE(selector_v6_prefixes),
	KUNIT_CASE(selector_ports),
	KUNIT_CASE(selector_fragments),
	KUNIT_CASE(selector_icmp),
	KUNIT_CASE(selector_any),
	KUNIT_CASE(selector_mask_prefixes),
	KUNIT_CASE(flow_parse_ipv4),
	KUNIT_CASE(flow_parse_ipv4_bad),
	KUNIT_CASE(flow_parse_ipv6),
	KUNIT_CASE(flow_parse_ipv6_nonfirst_fragment),
	KUNIT_CASE(flow_parse_ipv6_bad),
	KUNIT_CASE(flow_parse_then_match),
	{}
};

static struct kunit_suite nipsec_selector_suite = {
	.name = "nipsec_selector",
	.test_cases = nipsec_selector_cases,
};

kunit_test_suite(nipsec_selector_suite);
