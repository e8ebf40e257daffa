// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the plugin's conversions (no kernel, no charon
 * running): strongSwan's algorithm ids to nipsec's, traffic selectors to
 * nipsec selectors and back, policy priorities. Built against the same
 * configured tree as the plugin, linked with Debian's libstrongswan and
 * libcharon; prints TAP.
 */
#include "nipsec_ipsec.c"

#include <stdio.h>

static int n, failed;

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	n++;
	if (!cond)
		failed++;
	printf("%sok %d - ", cond ? "" : "not ", n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void test_algs(void)
{
	static const struct {
		uint16_t enc, integ;
		size_t ekey, ikey;
		const char *aead, *enc_name, *auth;
		uint32_t bits;
	} cases[] = {
		{ ENCR_AES_GCM_ICV16, AUTH_UNDEFINED, 36, 0, "rfc4106(gcm(aes))", "", "", 128 },
		{ ENCR_AES_GCM_ICV12, AUTH_UNDEFINED, 20, 0, "rfc4106(gcm(aes))", "", "", 96 },
		{ ENCR_AES_GCM_ICV8, AUTH_UNDEFINED, 28, 0, "rfc4106(gcm(aes))", "", "", 64 },
		{ ENCR_NULL_AUTH_AES_GMAC, AUTH_UNDEFINED, 20, 0, "rfc4543(gcm(aes))", "", "", 128 },
		{ ENCR_CHACHA20_POLY1305, AUTH_UNDEFINED, 36, 0,
		  "rfc7539esp(chacha20,poly1305)", "", "", 128 },
		{ ENCR_AES_CBC, AUTH_HMAC_SHA1_96, 16, 20, "", "cbc(aes)", "hmac(sha1)", 96 },
		{ ENCR_AES_CBC, AUTH_HMAC_SHA2_256_128, 32, 32, "", "cbc(aes)", "hmac(sha256)", 128 },
		{ ENCR_AES_CBC, AUTH_HMAC_SHA2_384_192, 24, 48, "", "cbc(aes)", "hmac(sha384)", 192 },
		{ ENCR_AES_CBC, AUTH_HMAC_SHA2_512_256, 32, 64, "", "cbc(aes)", "hmac(sha512)", 256 },
		{ ENCR_NULL, AUTH_HMAC_SHA2_256_128, 0, 32, "", "ecb(cipher_null)", "hmac(sha256)", 128 },
	};
	u_char key[64];
	size_t i;

	memset(key, 0xab, sizeof(key));
	for (i = 0; i < countof(cases); i++) {
		struct nipsec_sa_cfg c = {};
		bool r = map_algs(&c, cases[i].enc,
				  chunk_create(key, cases[i].ekey), cases[i].integ,
				  chunk_create(key, cases[i].ikey));
		bool good = r && !strcmp(c.aead.name, cases[i].aead) &&
			    !strcmp(c.enc.name, cases[i].enc_name) &&
			    !strcmp(c.auth.name, cases[i].auth);

		if (cases[i].aead[0])
			good = good && c.aead.bits == cases[i].bits &&
			       c.aead.key_len == cases[i].ekey;
		else
			good = good && c.auth.bits == cases[i].bits &&
			       c.enc.key_len == cases[i].ekey &&
			       c.auth.key_len == cases[i].ikey;
		ok(good, "algorithm %N/%N -> %s%s%s %u", encryption_algorithm_names,
		   cases[i].enc, integrity_algorithm_names, cases[i].integ,
		   cases[i].aead, cases[i].enc_name, cases[i].auth, cases[i].bits);
	}
	{
		struct nipsec_sa_cfg c = {};

		ok(!map_algs(&c, ENCR_3DES, chunk_create(key, 24),
			     AUTH_HMAC_SHA1_96, chunk_create(key, 20)),
		   "3DES refused");
		ok(!map_algs(&c, ENCR_AES_CBC, chunk_create(key, 16),
			     AUTH_AES_XCBC_96, chunk_create(key, 16)),
		   "AES-XCBC refused");
		ok(!map_algs(&c, ENCR_AES_GCM_ICV16, chunk_create(key, 20),
			     AUTH_HMAC_SHA1_96, chunk_create(key, 20)),
		   "AEAD with an integrity algorithm refused");
		ok(map_algs(&c, ENCR_AES_CBC, chunk_create(key, 16),
			    AUTH_UNDEFINED, chunk_empty),
		   "CBC alone passed on (nipsec itself refuses it)");
	}
}

static traffic_selector_t *ts(const char *net, uint8_t proto, uint16_t from,
			      uint16_t to)
{
	return traffic_selector_create_from_cidr((char *)net, proto, from, to);
}

static void test_selectors(void)
{
	traffic_selector_t *s, *d, *back;
	struct nipsec_sel sel;
	bool r;

	s = ts("10.1.0.0/16", 0, 0, 65535);
	d = ts("10.2.0.1/32", 0, 0, 65535);
	r = ts2sel(s, d, &sel);
	ok(r && sel.family == AF_INET && sel.src_prefix == 16 &&
	   sel.dst_prefix == 32 && !sel.proto && !sel.sport_min &&
	   !sel.sport_max && ntohl(sel.src.u.v4.s_addr) == 0x0a010000,
	   "subnet to host, any protocol");
	s->destroy(s);
	d->destroy(d);

	s = ts("0.0.0.0/0", IPPROTO_TCP, 0, 65535);
	d = ts("192.0.2.2/32", IPPROTO_TCP, 443, 443);
	r = ts2sel(s, d, &sel);
	ok(r && sel.proto == IPPROTO_TCP && sel.src_prefix == 0 &&
	   !sel.sport_min && !sel.sport_max && sel.dport_min == 443 &&
	   sel.dport_max == 443, "TCP to port 443");
	s->destroy(s);
	d->destroy(d);

	s = ts("2001:db8::/32", IPPROTO_UDP, 1000, 2000);
	d = ts("2001:db8:1::1/128", 0, 0, 65535);
	r = ts2sel(s, d, &sel);
	ok(r && sel.family == AF_INET6 && sel.proto == IPPROTO_UDP &&
	   sel.sport_min == 1000 && sel.sport_max == 2000 && !sel.dport_min,
	   "IPv6, UDP port range, protocol from one side");
	s->destroy(s);
	d->destroy(d);

	/* ICMP echo request: type 8 in the high byte of the port */
	s = ts("192.0.2.1/32", IPPROTO_ICMP, 0, 65535);
	d = ts("192.0.2.2/32", IPPROTO_ICMP, 8 << 8, 8 << 8 | 0xff);
	r = ts2sel(s, d, &sel);
	ok(r && sel.has_icmp_type && sel.icmp_type == 8 && !sel.has_icmp_code &&
	   !sel.sport_min && !sel.dport_min, "ICMP type from either side");
	s->destroy(s);
	d->destroy(d);

	s = ts("192.0.2.1/32", IPPROTO_TCP, 65535, 0);	/* OPAQUE */
	d = ts("192.0.2.2/32", IPPROTO_TCP, 0, 65535);
	ok(!ts2sel(s, d, &sel), "OPAQUE ports refused");
	s->destroy(s);
	d->destroy(d);

	/* an acquire's triggering packet back to traffic selectors */
	memset(&sel, 0, sizeof(sel));
	sel.family = AF_INET;
	sel.src.family = sel.dst.family = AF_INET;
	sel.src.u.v4.s_addr = htonl(0xc0000201);
	sel.dst.u.v4.s_addr = htonl(0xc0000202);
	sel.src_prefix = sel.dst_prefix = 32;
	sel.proto = IPPROTO_TCP;
	sel.sport_min = sel.sport_max = 40000;
	sel.dport_min = sel.dport_max = 5201;
	back = sel2ts(&sel, TRUE);
	ok(back && back->get_protocol(back) == IPPROTO_TCP &&
	   back->get_from_port(back) == 40000 && back->get_to_port(back) == 40000,
	   "acquire source: TCP port 40000");
	DESTROY_IF(back);
	back = sel2ts(&sel, FALSE);
	{
		host_t *h = host_create_from_string("192.0.2.2", 0);

		ok(back && back->is_host(back, h) && back->get_from_port(back) == 5201,
		   "acquire destination: 192.0.2.2 port 5201");
		h->destroy(h);
	}
	DESTROY_IF(back);
}

static void test_priorities(void)
{
	kernel_ipsec_manage_policy_t data = { .prio = POLICY_PRIORITY_DEFAULT };
	struct nipsec_sel wide = { .family = AF_INET }, narrow = wide;
	struct policy_user a, b;
	uint32_t p_wide, p_narrow, p_pass, p_fallback;

	narrow.src_prefix = narrow.dst_prefix = 32;
	narrow.proto = IPPROTO_TCP;
	narrow.dport_min = narrow.dport_max = 80;
	p_wide = policy_priority(&data, &wide);
	p_narrow = policy_priority(&data, &narrow);
	data.prio = POLICY_PRIORITY_PASS;
	p_pass = policy_priority(&data, &wide);
	data.prio = POLICY_PRIORITY_FALLBACK;
	p_fallback = policy_priority(&data, &narrow);
	ok(p_narrow < p_wide, "a more specific selector wins (%u < %u)",
	   p_narrow, p_wide);
	ok(p_pass < p_narrow, "PASS policies come before IPsec ones");
	ok(p_fallback > p_wide, "FALLBACK policies come last");
	ok(p_pass > 0, "priority 0 stays for the IKE bypass");
	data.manual_prio = 7;
	ok(policy_priority(&data, &wide) == 7, "a configured priority is kept");

	memset(&a, 0, sizeof(a));
	b = a;
	a.priority = b.priority = 1000;
	a.prio = POLICY_PRIORITY_DEFAULT;
	b.prio = POLICY_PRIORITY_ROUTED;
	ok(user_better(&a, &b) && !user_better(&b, &a),
	   "an installed CHILD_SA's policy before its trap's");
	ok(user_same_policy(&a, &b) && !user_equals(&a, &b),
	   "trap and CHILD_SA share one kernel policy, stay two users");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* the plugin logs through charon's bus: a daemon object, not started */
	if (!library_init(NULL, "nipsec-test") || !libcharon_init()) {
		printf("not ok 1 - strongSwan libraries initialise\n1..1\n");
		return 1;
	}
	test_algs();
	test_selectors();
	test_priorities();
	printf("1..%d\n", n);
	libcharon_deinit();
	library_deinit();
	return failed ? 1 : 0;
}
