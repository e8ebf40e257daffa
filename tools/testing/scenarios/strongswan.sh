#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock
# timeout: 600
#
# Stock kernel only in make check: its code paths run on the debug kernel
# in other scenarios (ah_async, esp_*, hardening, netlink*, natt), and the
# debug boot did not fit make check's hour with it.
#
# Debian's unmodified charon on nipsec (the strongSwan plugin of
# tools/strongswan) against Debian's charon on XFRM: IKEv2 with a PSK, a
# transport CHILD_SA established by a trap policy (acquire), a tunnel
# CHILD_SA initiated by swanctl; traffic flows through nipsec (its counters
# move, and namespace "a" holds no XFRM state or policy); an IPv6-in-IPv4
# tunnel with ChaCha20-Poly1305; manual rekey,
# rekey driven by nipsec's soft expire, IKE rekey, query of SA counters,
# DPD clearing the SAs of a dead peer, and clean teardown. Then both
# charons on nipsec (each namespace its own nipsec state).
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/scenarios/esp_common.inc"
. "$SRC/tools/testing/scenarios/strongswan.inc"

require ping jq
swan_require

nipsec_loaded || load_nipsec

# a (192.0.2.1, 10.1.0.1): nipsec + plugin; b (192.0.2.2, 10.2.0.1): XFRM
esp_pair a b
on_exit swan_stop_all
rm -rf "$SWAN_DIR"
mkdir -p "$SWAN_DIR"

A() { ip netns exec a "$NIPSEC" "$@"; }

swan_conf a nipsec
swan_conf b xfrm

PSK=0x$(esp_hex 32)
# swan_conns NAME LOCAL REMOTE LID RID LTS RTS EXTRA_TR EXTRA_TUN EXTRA_IKE
#	LTS6 RTS6
swan_conns() {
	cat >"$SWAN_DIR/$1/swanctl.conf" <<-EOF
		connections {
			host {
				local_addrs = $2
				remote_addrs = $3
				proposals = aes256gcm16-prfsha512-modp2048
				${10}
				local {
					auth = psk
					id = $4
				}
				remote {
					auth = psk
					id = $5
				}
				children {
					tr {
						mode = transport
						esp_proposals = aes256gcm16
						$8
					}
					tun {
						mode = tunnel
						local_ts = $6
						remote_ts = $7
						esp_proposals = aes256-sha256
						$9
					}
					tun6 {
						mode = tunnel
						local_ts = ${11}
						remote_ts = ${12}
						esp_proposals = chacha20poly1305
					}
				}
			}
		}
		secrets {
			ike-host {
				id-a = a.test
				id-b = b.test
				secret = $PSK
			}
		}
	EOF
}
swan_conns a 192.0.2.1 192.0.2.2 a.test b.test 10.1.0.1/32 10.2.0.1/32 \
	"start_action = trap
					dpd_action = clear" \
	"rekey_packets = 20
					life_packets = 100000
					rand_packets = 0
					dpd_action = clear" \
	"dpd_delay = 2s" fd00:1::1/128 fd00:2::1/128
swan_conns b 192.0.2.2 192.0.2.1 b.test a.test 10.2.0.1/32 10.1.0.1/32 "" "" "" \
	fd00:2::1/128 fd00:1::1/128

# -------------------------------------------------------------- start

check "charon b (XFRM) starts" swan_start b b
check "charon a (nipsec plugin) starts" swan_start a a
# without both daemons the rest would test plain, unprotected traffic
if ((_tap_failed)); then
	diag "charon a: $(tail -n 20 "$SWAN_DIR/a/charon.out" "$SWAN_DIR/a/charon.log" 2>&1)"
	diag "charon b: $(tail -n 20 "$SWAN_DIR/b/charon.out" "$SWAN_DIR/b/charon.log" 2>&1)"
	exit 1
fi
check "a: the nipsec plugin provides kernel-ipsec" \
	grep -q 'nipsec: kernel-ipsec on the nipsec module' "$SWAN_DIR/a/charon.log"
check "a: plugin loaded before kernel-netlink" \
	grep -Eq 'loaded plugins: .*nipsec .*kernel-netlink' "$SWAN_DIR/a/charon.log"
check "b: configuration loaded" swan_load b
check "a: configuration loaded (trap installed)" swan_load a

# the IKE sockets' bypass policies: UDP 500 and 4500, in and out, v4 and v6
bypass_ok() {
	A -j policy list | jq -e '[.[] | select(.action == "bypass" and
		.priority == 0 and .sel.proto == "udp")] | length == 8'
}
check "a: bypass policies for charon's IKE sockets (UDP 500/4500)" bypass_ok
trap_ok() {
	A -j policy list dir out | jq -e '[.[] | select(.action == "protect" and
		.sel.src == "192.0.2.1" and .sel.dst == "192.0.2.2")] | length == 1' ||
		{ A policy list; return 1; }
}
check "a: trap policy installed as an out protect policy" trap_ok
check "a: no SA before any traffic" bash -c "ip netns exec a '$NIPSEC' -j sa list | jq -e 'length == 0'"

# -------------------------------------------------------------- acquire

acq_before=$(A -j stats | jq '.stats.acquires')
# the first packets are dropped while IKE runs: ping until one passes
trap_ping() {
	local i
	for ((i = 0; i < 40; i++)); do
		ns_exec a ping -c 1 -W 1 192.0.2.2 >/dev/null 2>&1 && return 0
	done
	return 1
}
check "a: trap + traffic -> acquire -> IKE_SA and CHILD_SA tr; ping passes" trap_ping
acq_after=$(A -j stats | jq '.stats.acquires')
if ((acq_after > acq_before)); then
	ok "a: nipsec sent acquires ($acq_before -> $acq_after)"
else
	fail "a: nipsec sent acquires" "acquires $acq_before -> $acq_after"
fi
check "a: CHILD_SA tr installed (log)" \
	grep -q "CHILD_SA tr{[0-9]*} established" "$SWAN_DIR/a/charon.log"

# -------------------------------------------------------------- tunnel

check "a: swanctl --initiate --child tun" swan a --initiate --child tun --timeout 30
check "tunnel: ping 10.1.0.1 -> 10.2.0.1" ns_exec a ping -c 2 -W 3 -I 10.1.0.1 10.2.0.1
check "tunnel: ping 10.2.0.1 -> 10.1.0.1 (from the XFRM side)" \
	ns_exec b ping -c 2 -W 3 -I 10.2.0.1 10.1.0.1
check "transport: TCP a -> b completes" esp_tcp a 192.0.2.2 256K
check "transport: TCP b -> a completes" esp_tcp a 192.0.2.2 256K -R

# -------------------------------------------------------------- where the traffic went

n_sa=$(A -j sa list | jq '[.[] | select(.state != "larval")] | length')
if ((n_sa == 4)); then
	ok "a: four SAs in nipsec (two CHILD_SAs)"
else
	fail "a: four SAs in nipsec (two CHILD_SAs)" "$(A sa list 2>&1)"
fi
check "a: no XFRM state" bash -c "[[ -z \$(ip -n a xfrm state) ]]"
check "a: no XFRM policy" bash -c "[[ -z \$(ip -n a xfrm policy) ]]"
# (no `cmd | grep -q` here: grep's early exit makes the pipeline fail
# under pipefail)
same_spis() {
	local s st n=0
	st=$(ip -n b xfrm state)
	for s in $(A -j sa list | jq -r '.[] | select(.state != "larval") | .spi'); do
		n=$((n + 1))
		[[ $st == *"spi $(printf '0x%08x' "$s") "* ]] || {
			printf 'SPI 0x%08x not in b:\n%s\n' "$s" "$st"
			return 1
		}
	done
	((n == 4))
}
check "b: every SPI of a's nipsec SAs is an XFRM state of b" same_spis
check "a: nipsec tx and rx counters moved" bash -c "ip netns exec a '$NIPSEC' -j stats |
	jq -e '.stats.\"tx-packets\" > 100 and .stats.\"rx-packets\" > 100'"
check "a: nipsec drops no authentic packet (drop-auth, drop-replay 0)" \
	bash -c "ip netns exec a '$NIPSEC' -j stats |
	jq -e '.stats.\"drop-auth\" == 0 and .stats.\"drop-replay\" == 0'"
check "a: algorithms mapped (rfc4106 ICV 128; cbc(aes) + hmac(sha256) 128)" \
	bash -c "ip netns exec a '$NIPSEC' -j sa list | jq -e '
	([.[] | select(.aead.name == \"rfc4106(gcm(aes))\" and .aead.\"icv-bits\" == 128)] | length == 2) and
	([.[] | select(.enc.name == \"cbc(aes)\" and .auth.name == \"hmac(sha256)\" and .auth.\"trunc-bits\" == 128)] | length == 2)'"
# query_sa: charon reports the bytes nipsec counted
query_ok() {
	local out
	out=$(swan a --list-sas --raw 2>/dev/null)
	[[ $out =~ bytes-in=[1-9] ]] || { echo "$out"; return 1; }
}
check "a: swanctl --list-sas shows nipsec's byte counts (query_sa)" query_ok

# -------------------------------------------------------------- rekeying

tr_spis() {
	A -j sa list | jq -r '[.[] | select(.state != "larval" and
		.aead.name == "rfc4106(gcm(aes))") | .spi] | sort | join(" ")'
}
tun_spis() {
	A -j sa list | jq -r '[.[] | select(.state != "larval" and .enc != null) |
		.spi] | sort | join(" ")'
}
before=$(tr_spis)
check "a: swanctl --rekey --child tr" swan a --rekey --child tr
tr_rekeyed() { [[ $(tr_spis) != "$before" && $(tr_spis | wc -w) == 2 ]]; }
check "a: tr has two new SAs, the old ones deleted" wait_for -t 20 tr_rekeyed
check "transport: ping after rekey" ns_exec a ping -c 2 -W 3 192.0.2.2

# tun's SAs have a soft limit of 20 packets (rekey_packets): 30 pings
# reach it, nipsec sends a soft expire-ntf, charon rekeys
tun_before=$(tun_spis)
tun_rekeyed() { [[ $(tun_spis) != "$tun_before" && -n $(tun_spis) ]]; }
ns_exec a ping -c 30 -i 0.1 -W 1 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1 || true
check "a: tun rekeyed by nipsec's soft expire (rekey_packets 20)" wait_for -t 45 tun_rekeyed
check "a: expire event reached charon (log)" \
	grep -q 'creating rekey job for CHILD_SA ESP/0x' "$SWAN_DIR/a/charon.log"
check "tunnel: ping after expire-driven rekey" \
	ns_exec a ping -c 2 -W 3 -I 10.1.0.1 10.2.0.1

check "a: swanctl --rekey --ike host" swan a --rekey --ike host
ike_rekeyed() { grep -q 'IKE_SA host\[[0-9]*\] rekeyed' "$SWAN_DIR/a/charon.log"; }
check "a: IKE_SA rekeyed" wait_for -t 20 ike_rekeyed
check "transport: ping after IKE rekey" ns_exec a ping -c 2 -W 3 192.0.2.2

# -------------------------------------------------------------- IPv6 in IPv4, ChaCha20-Poly1305

check "a: swanctl --initiate --child tun6 (IPv6 in IPv4)" \
	swan a --initiate --child tun6 --timeout 30
check "tunnel 6-in-4: ping fd00:1::1 -> fd00:2::1" \
	ns_exec a ping -6 -c 2 -W 3 -I fd00:1::1 fd00:2::1
chacha_ok() {
	A -j sa list | jq -e '[.[] | select(.aead.name ==
		"rfc7539esp(chacha20,poly1305)" and .usage.packets > 0)] | length == 2' ||
		{ A sa list; return 1; }
}
check "a: chacha20poly1305 -> rfc7539esp(chacha20,poly1305), both SAs used" chacha_ok

# -------------------------------------------------------------- DPD

# b dies without a word: a's DPD (every 2 s; 3 retransmits 4 s apart) finds
# out and clears its SAs; the trap policy stays.
swan_stop b KILL
dpd_cleared() {
	A -j sa list | jq -e '[.[] | select(.state != "larval")] | length == 0'
}
check "a: DPD clears the SAs of a dead peer" wait_for -t 60 dpd_cleared
check "a: trap policy still installed after DPD" trap_ok

# -------------------------------------------------------------- teardown

swan_stop a
policies_gone() { A -j policy list | jq -e 'length == 0'; }
check "a: charon stopped: its policies (bypass, trap) are gone" wait_for -t 10 policies_gone
check "a: still no XFRM state at the end" bash -c "[[ -z \$(ip -n a xfrm state) ]]"

# -------------------------------------------------------------- nipsec on both ends

# The same two configurations, b's charon now on nipsec too.
ip -n b xfrm state flush
ip -n b xfrm policy flush
B() { ip netns exec b "$NIPSEC" "$@"; }
swan_conf b nipsec
check "nipsec both ends: charon b (nipsec plugin) starts" swan_start b b
check "nipsec both ends: charon a starts" swan_start a a
check "nipsec both ends: b's configuration loaded" swan_load b
check "nipsec both ends: a's configuration loaded" swan_load a
check "nipsec both ends: a initiates tun" swan a --initiate --child tun --timeout 30
check "nipsec both ends: ping through the tunnel" \
	ns_exec a ping -c 3 -W 3 -I 10.1.0.1 10.2.0.1
both_moved() {
	local ns
	for ns in a b; do
		ip netns exec "$ns" "$NIPSEC" -j stats |
			jq -e '.stats."tx-packets" >= 3 and .stats."rx-packets" >= 3' || return 1
	done
}
check "nipsec both ends: both nipsec instances carried the packets" both_moved
check "nipsec both ends: no XFRM state on either end" \
	bash -c "[[ -z \$(ip -n a xfrm state)\$(ip -n b xfrm state) ]]"
spis_cross() {
	local sa sb
	sa=$(A -j sa list | jq -r '[.[] | select(.state != "larval") | .spi] | sort | join(" ")')
	sb=$(B -j sa list | jq -r '[.[] | select(.state != "larval") | .spi] | sort | join(" ")')
	[[ -n $sa && $sa == "$sb" && $(wc -w <<<"$sa") == 2 ]] || { echo "a: $sa; b: $sb"; return 1; }
}
check "nipsec both ends: the same two SPIs in both namespaces" spis_cross
