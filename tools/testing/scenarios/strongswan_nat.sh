#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock
# timeout: 420
#
# Stock kernel only: its data path (ESP in UDP, rebinding) runs on the
# debug kernel in natt, the plugin's netlink use in strongswan.
#
# NAT traversal with Debian's unmodified charon on nipsec (the plugin of
# tools/strongswan) against charon on XFRM, through a NAT namespace
# (nftables masquerade):
#  1. the nipsec charon behind the NAT, the XFRM one public: IKE detects
#     the NAT and floats to 4500, the tunnel CHILD_SA's nipsec SAs carry
#     encap espinudp, ping and TCP pass both ways through nipsec.
#  2. the reverse (XFRM charon behind the NAT, nipsec public), then a NAT
#     rebinding (new address and port, conntrack flushed) under a transfer:
#     nipsec follows the peer, sends a mapping event, charon gets it.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/scenarios/esp_common.inc"
. "$SRC/tools/testing/scenarios/strongswan.inc"

require ping jq nft conntrack iperf3
swan_require

nipsec_loaded || load_nipsec

# l (10.0.1.2; inner 10.9.1.1) -- nat (10.0.1.1 | 198.51.100.1, .3) --
# r (198.51.100.2; inner 10.9.2.1)
ns_new l
ns_new nat
ns_new r
ns_link l eth0 nat eth0
ns_link nat eth1 r eth0
ns_addr l eth0 10.0.1.2/24
ns_addr nat eth0 10.0.1.1/24
ns_addr nat eth1 198.51.100.1/24
ns_addr nat eth1 198.51.100.3/24
ns_addr r eth0 198.51.100.2/24
ns_addr l lo 10.9.1.1/32
ns_addr r lo 10.9.2.1/32
ip -n l route add default via 10.0.1.1
ip -n l route add 10.9.2.1/32 via 10.0.1.1 src 10.9.1.1
ip -n r route add 10.9.1.1/32 via 198.51.100.1 src 10.9.2.1
ip netns exec nat sysctl -qw net.ipv4.ip_forward=1
nat_rules() {
	ip netns exec nat nft -f - <<-EOF
		flush ruleset
		table ip nat {
			chain post {
				type nat hook postrouting priority srcnat;
				$1
			}
		}
	EOF
}
check "NAT: masquerade from 10.0.1.0/24" nat_rules 'oifname "eth1" masquerade'
for ns in l r; do
	ns_exec "$ns" iperf3 -s >/dev/null 2>&1 &
	on_exit kill $!
done

on_exit swan_stop_all
rm -rf "$SWAN_DIR"
mkdir -p "$SWAN_DIR"

PSK=0x$(esp_hex 32)
# swan_nat_conns NAME LOCAL REMOTE LID RID LTS RTS [EXTRA]
swan_nat_conns() {
	cat >"$SWAN_DIR/$1/swanctl.conf" <<-EOF
		connections {
			host {
				local_addrs = $2
				remote_addrs = $3
				proposals = aes128gcm16-prfsha256-ecp256
				${8:-}
				local {
					auth = psk
					id = $4
				}
				remote {
					auth = psk
					id = $5
				}
				children {
					tun {
						mode = tunnel
						local_ts = $6
						remote_ts = $7
						esp_proposals = aes128gcm16
					}
				}
			}
		}
		secrets {
			ike-host {
				id-l = l.test
				id-r = r.test
				secret = $PSK
			}
		}
	EOF
}

# setup KL KR - charons l (kernel KL) and r (kernel KR) started and loaded
setup() {
	swan_conf l "$1"
	swan_conf r "$2"
	# r sees l as the NAT's address: any remote address
	swan_nat_conns l 10.0.1.2 198.51.100.2 l.test r.test 10.9.1.1/32 10.9.2.1/32
	swan_nat_conns r 198.51.100.2 %any r.test l.test 10.9.2.1/32 10.9.1.1/32
	swan_start r r && swan_start l l && swan_load r && swan_load l
}

# sas NS - the nipsec SAs of NS that are not larval
sas() {
	ip netns exec "$1" "$NIPSEC" -j sa list | jq '[.[] | select(.state != "larval")]'
}
# ike_natt NAME - swanctl sees the NAT and the IKE_SA on 4500, the
# CHILD_SA in UDP
ike_natt() {
	local out
	out=$(swan "$1" --list-sas --raw 2>&1)
	[[ $out =~ nat-any=yes && $out =~ remote-port=4500 && $out =~ encap=yes ]] ||
		{ echo "$out"; return 1; }
}
# nip_encap NS PEER PORT - two SAs, both espinudp; the one to PEER (""
# any) with dport PORT
nip_encap() {
	sas "$1" | jq -e --arg p "$2" --argjson port "$3" 'length == 2 and
		all(.[]; .encap.type == "espinudp") and
		([.[] | select(($p == "" or .dst == $p) and .encap.dport == $port)] | length == 1)' ||
		{ ip netns exec "$1" "$NIPSEC" sa list; return 1; }
}
above() { (($(esp_stat "$1" "$2") > $3)); }
nip_moved() {
	ip netns exec "$1" "$NIPSEC" -j stats |
		jq -e --argjson n "$2" '.stats."tx-packets" >= $n and .stats."rx-packets" >= $n'
}
no_xfrm() { [[ -z $(ip -n "$1" xfrm state)$(ip -n "$1" xfrm policy) ]]; }
xfrm_encap() {
	local st
	st=$(ip -n "$1" xfrm state)
	[[ $(grep -c 'encap type espinudp' <<<"$st") == 2 ]] || { echo "$st"; return 1; }
}
dump_logs() {
	local n
	for n in l r; do
		diag "charon $n: $(tail -n 30 "$SWAN_DIR/$n/charon.out" "$SWAN_DIR/$n/charon.log" 2>&1)"
	done
}

# ------------------------------------------ 1. nipsec behind the NAT

if ! guard "1: charons up (l nipsec behind the NAT, r XFRM public)" setup nipsec xfrm; then
	dump_logs
	exit 1
fi
guard "1: l initiates tun through the NAT" swan l --initiate --child tun --timeout 30 ||
	dump_logs
check "1: l (nipsec): IKE detected the NAT, UDP 4500, CHILD_SA encapsulated" ike_natt l
check "1: r (XFRM): IKE detected the NAT, UDP 4500, CHILD_SA encapsulated" ike_natt r
check "1: l: nipsec SAs carry encap espinudp (to r: dport 4500)" nip_encap l 198.51.100.2 4500
check "1: r: XFRM states carry encap espinudp" xfrm_encap r
check "1: ping nipsec -> XFRM through the tunnel" wait_for -t 10 esp_ping l 10.9.2.1
check "1: ping XFRM -> nipsec through the tunnel" esp_ping r 10.9.1.1
check "1: TCP nipsec -> XFRM" esp_tcp l 10.9.2.1 256K
check "1: TCP XFRM -> nipsec" esp_tcp l 10.9.2.1 256K -R
check "1: l: nipsec counters moved (tx, rx >= 100)" nip_moved l 100
check "1: l: no drop in nipsec" bash -c "[[ -z \$(ip netns exec l '$NIPSEC' -j stats | jq -r '.stats | to_entries[] | select((.key | startswith(\"drop\")) and .value > 0) | .key') ]]"
check "1: l: no XFRM state or policy" no_xfrm l

swan_stop l
swan_stop r
esp_flush l r

# ------------------------------------------ 2. nipsec public, XFRM behind the NAT

ip netns exec r "$NIPSEC" -j monitor >"$SWAN_DIR/r-monitor" 2>&1 &
on_exit kill $!
if ! guard "2: charons up (l XFRM behind the NAT, r nipsec public)" setup xfrm nipsec; then
	dump_logs
	exit 1
fi
guard "2: l initiates tun through the NAT" swan l --initiate --child tun --timeout 30 ||
	dump_logs
check "2: r (nipsec): IKE detected the NAT, UDP 4500, CHILD_SA encapsulated" ike_natt r
check "2: l (XFRM): IKE detected the NAT, UDP 4500, CHILD_SA encapsulated" ike_natt l
check "2: r: nipsec SAs carry encap espinudp (to the NAT: dport 4500)" \
	nip_encap r 198.51.100.1 4500
check "2: l: XFRM states carry encap espinudp" xfrm_encap l
check "2: ping XFRM -> nipsec through the tunnel" wait_for -t 10 esp_ping l 10.9.2.1
check "2: ping nipsec -> XFRM through the tunnel" esp_ping r 10.9.1.1
check "2: TCP XFRM -> nipsec" esp_tcp l 10.9.2.1 256K
check "2: TCP nipsec -> XFRM" esp_tcp l 10.9.2.1 256K -R
check "2: r: no XFRM state or policy" no_xfrm r

# rebinding under a transfer (time-based: it has to outlast the rebinding)
maps=$(esp_stat r mappings)
rx0=$(esp_stat r rx-packets)
ns_exec l timeout 60 iperf3 -c 10.9.2.1 -t 25 -b 2M -J >"$SWAN_DIR/rebind.json" 2>&1 &
iperf=$!
wait_for -t 30 above r rx-packets $((rx0 + 100)) || true
rebind() {
	nat_rules 'oifname "eth1" meta l4proto udp snat ip to 198.51.100.3:14500
		oifname "eth1" masquerade' &&
		ip netns exec nat conntrack -F 2>/dev/null
}
check "2: NAT rebinding: snat to 198.51.100.3:14500, conntrack flushed" rebind
rx1=$(esp_stat r rx-packets)
# (under TCG the rebinding itself can take seconds: count from its end,
# while the transfer still runs)
moving() { above r rx-packets $((rx1 + 50)) && kill -0 "$iperf"; }
if wait_for -t 15 moving; then
	ok "2: traffic goes on after the rebinding, transfer still running"
else
	fail "2: traffic goes on after the rebinding, transfer still running" \
		"rx-packets $rx1 -> $(esp_stat r rx-packets)"
fi
if wait "$iperf"; then ok "2: transfer across the rebinding completed"; else
	fail "2: transfer across the rebinding completed" "$(tail -5 "$SWAN_DIR/rebind.json")"; fi
if (($(esp_stat r mappings) > maps)); then ok "2: r: nipsec followed a mapping (counter)"; else
	fail "2: r: nipsec followed a mapping (counter)" "mappings $maps -> $(esp_stat r mappings)"; fi
# (jq -e on an empty file succeeds: -n and inputs)
mapping_ev() {
	jq -n -e '[inputs | select(.event == "mapping" and
		."old-addr" == "198.51.100.1" and ."old-port" == 4500 and
		."new-addr" == "198.51.100.3" and ."new-port" == 14500)] | length > 0' \
		"$SWAN_DIR/r-monitor"
}
check "2: nipsec monitor: mapping event 198.51.100.1:4500 -> 198.51.100.3:14500" \
	wait_for -t 5 mapping_ev
check "2: r: the plugin got the mapping (charon log)" wait_for -t 20 \
	grep -q 'nipsec: NAT mapping of SA .* changed to 198.51.100.3\[14500\]' "$SWAN_DIR/r/charon.log"
check "2: r: charon took the new endpoint (charon log)" wait_for -t 20 \
	grep -q 'remote endpoint changed from 198.51.100.1\[4500\] to 198.51.100.3\[14500\]' \
	"$SWAN_DIR/r/charon.log"
# the peer's address changed: the plugin cannot move an SA to new
# addresses (update_sa), charon rekeys the CHILD_SA onto them instead
check "2: r: CHILD_SA rekeyed onto 198.51.100.3:14500 (two SAs, espinudp)" \
	wait_for -t 45 nip_encap r 198.51.100.3 14500
check "2: ping XFRM -> nipsec after the rebinding" wait_for -t 10 esp_ping l 10.9.2.1
check "2: ping nipsec -> XFRM after the rebinding" wait_for -t 10 esp_ping r 10.9.1.1
check "2: TCP nipsec -> XFRM after the rebinding" esp_tcp l 10.9.2.1 128K -R
check "2: r: still no XFRM state or policy" no_xfrm r
# the rekey onto the new address may lose a few packets in flight
# (no-sa, selector); none may fail authentication or the replay window
check "2: r: no authentic packet dropped (drop-auth, drop-replay 0)" \
	bash -c "ip netns exec r '$NIPSEC' -j stats |
	jq -e '.stats.\"drop-auth\" == 0 and .stats.\"drop-replay\" == 0'"
diag "r: $(ip netns exec r "$NIPSEC" sa list 2>&1)"
diag "r drops: $(esp_drops r)"
