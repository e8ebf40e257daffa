#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock debug stock61
# timeout: 1200
#
# Sizes: ESP that arrives as IP fragments (both families), ESP that has to
# leave as fragments, a gateway that answers "too big" with the MTU left
# after ESP (PMTU via ICMP) so a forwarded flow adapts, and TCP over
# TSO/GSO through the tunnel (super-packets are segmented before ESP).
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/scenarios/esp_common.inc"

require iperf3 tcpdump jq ping xxd

nipsec_loaded || load_nipsec
INJ="/usr/bin/python3 $SRC/tools/testing/scenarios/esp_inject.py"

# ---- ESP in fragments: a (nipsec) <-> b (XFRM), transport, both families
esp_pair a b
mac_a=$(ip -n a -j link show eth0 | jq -r '.[0].address')
mac_b=$(ip -n b -j link show eth0 | jq -r '.[0].address')
if esp_sas a 1 b transport 4 4 gcm128 0x7000 >"$RESULTS/sa.err" 2>&1; then
	key4=${ALGW[2]}
	ok "IPv4 transport SAs"
else
	fail "IPv4 transport SAs" "$(cat "$RESULTS/sa.err")"
fi
if esp_sas a 1 b transport 6 6 gcm128 0x7100 >"$RESULTS/sa.err" 2>&1; then
	key6=${ALGW[2]}
	ok "IPv6 transport SAs"
else
	fail "IPv6 transport SAs" "$(cat "$RESULTS/sa.err")"
fi

# frag_case FAM SRC DST SPI KEY MTU - a 3000-byte echo request in ESP,
# sent as fragments of MTU bytes; nipsec must reassemble, decrypt, answer.
frag_case() {
	local fam=$1 src=$2 dst=$3 spi=$4 key=$5 mtu=$6 rx tx cap n rfilt
	rx=$(esp_stat a rx-packets)
	tx=$(esp_stat a tx-packets)
	cap=$RESULTS/frag$fam.pcap
	# the reply is bigger than the MTU once in ESP: it leaves fragmented
	if [[ $fam == 4 ]]; then
		rfilt="src $dst and ip[6:2] & 0x3fff != 0"
	else
		rfilt="src $dst and ip6[6] == 44"
	fi
	capture_start a eth0 "$cap"
	# shellcheck disable=SC2086 # INJ is a command and its script
	check "IPv$fam: ESP sent as ${mtu}-byte fragments" ns_exec b $INJ gcm eth0 \
		"$mac_b" "$mac_a" "$src" "$dst" "$spi" 100 "$key" --size 3000 --frag "$mtu"
	wait_for -t 10 stat_gt a tx-packets "$tx" || true
	# until the capture holds the reply's fragments (tcpdump -U writes each)
	wait_for -t 10 bash -c "(( \$(tcpdump -n -r '$cap' '$rfilt' 2>/dev/null | wc -l) >= 2 ))" || true
	capture_stop
	if (($(esp_stat a rx-packets) > rx)); then
		ok "IPv$fam: the fragmented ESP packet was reassembled and decrypted"
	else
		fail "IPv$fam: the fragmented ESP packet was reassembled and decrypted" \
			"$(esp_drops a)"
	fi
	if (($(esp_stat a tx-packets) > tx)); then
		ok "IPv$fam: the 3000-byte echo reply went out through ESP"
	else
		fail "IPv$fam: the 3000-byte echo reply went out through ESP"
	fi
	n=$(tcpdump -n -r "$cap" "$rfilt" 2>/dev/null | wc -l)
	if ((n >= 2)); then
		ok "IPv$fam: the ESP reply left as $n fragments"
	else
		fail "IPv$fam: the ESP reply left as fragments" "$n" \
			"$(tcpdump -n -r "$cap" 2>/dev/null | tail -5)"
	fi
}
frag_case 4 "${ESP_O4[2]}" "${ESP_O4[1]}" 0x00007002 "${key4:-0}" 1000
frag_case 6 "${ESP_O6[2]}" "${ESP_O6[1]}" 0x00007102 "${key6:-0}" 1280
drops=$(esp_drops a)
if [[ -z $drops ]]; then
	ok "no drop while reassembling"
else
	fail "no drop while reassembling" "$drops"
fi

# ---- a gateway: h (host) -- d (nipsec gateway) ==1400== e (XFRM gateway)
esp_pair d e 1400
ns_new h
ns_link h eth0 d eth1
ns_addr h eth0 10.1.1.2/24
ns_addr h eth0 fd00:1:1::2/64
ns_addr d eth1 10.1.1.1/24
ns_addr d eth1 fd00:1:1::1/64
ip -n h route add default via 10.1.1.1
ip -n h -6 route add default via fd00:1:1::1
ip netns exec d sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n e route add 10.1.1.0/24 via "${ESP_O4[1]}" src "${ESP_I4[2]}"
ip -n e -6 route add fd00:1:1::/64 via "${ESP_O6[1]}" src "${ESP_I6[2]}"

# gw_sas FAM HOSTNET PEERIN OUT_D OUT_E SPIBASE: tunnel SAs and policies
gw_sas() {
	local net=$2 peer=$3 od=$4 oe=$5 base=$6 k
	esp_alg gcm128
	k=("${ALGW[@]}")
	local s1 s2
	s1=$(printf '0x%08x' $((base + 1)))
	s2=$(printf '0x%08x' $((base + 2)))
	NIP -n d sa add src "$od" dst "$oe" proto esp spi "$s1" mode tunnel reqid "$base" "${k[@]}" &&
	NIP -n d sa add src "$oe" dst "$od" proto esp spi "$s2" mode tunnel reqid "$base" "${k[@]}" &&
	ip -n e xfrm state add src "$od" dst "$oe" proto esp spi "$s1" mode tunnel reqid "$base" "${k[@]}" &&
	ip -n e xfrm state add src "$oe" dst "$od" proto esp spi "$s2" mode tunnel reqid "$base" "${k[@]}" &&
	NIP -n d policy add src "$net" dst "$peer" dir out tmpl src "$od" dst "$oe" proto esp mode tunnel reqid "$base" &&
	NIP -n d policy add src "$peer" dst "$net" dir in tmpl src "$oe" dst "$od" proto esp mode tunnel reqid "$base" &&
	NIP -n d policy add src "$peer" dst "$net" dir fwd tmpl src "$oe" dst "$od" proto esp mode tunnel reqid "$base" &&
	ip -n e xfrm policy add src "$peer" dst "$net" dir out tmpl src "$oe" dst "$od" proto esp mode tunnel reqid "$base" &&
	ip -n e xfrm policy add src "$net" dst "$peer" dir in tmpl src "$od" dst "$oe" proto esp mode tunnel reqid "$base"
}
check "gateway tunnel SAs (IPv4)" gw_sas 4 10.1.1.0/24 "${ESP_I4[2]}/32" "${ESP_O4[1]}" "${ESP_O4[2]}" 0x7200
check "gateway tunnel SAs (IPv6)" gw_sas 6 fd00:1:1::/64 "${ESP_I6[2]}/128" "${ESP_O6[1]}" "${ESP_O6[2]}" 0x7300

check "forwarded through the tunnel: ping h -> e (IPv4)" esp_ping h "${ESP_I4[2]}"
check "forwarded through the tunnel: ping h -> e (IPv6)" esp_ping h "${ESP_I6[2]}"

# pmtu_case FAM DST SIZE HDR - a DF packet too big for the tunnel is
# answered with the MTU left after ESP; a packet of that size then passes
pmtu_case() {
	local fam=$1 dst=$2 size=$3 hdr=$4 mtu drops out
	drops=$(esp_stat d drop-mtu)
	out=$(ns_exec h ping -M "do" -c 1 -W 2 -s "$size" "$dst" 2>&1 || true)
	mtu=$(echo "$out" | sed -n 's/.*mtu[ =]*\([0-9][0-9]*\).*/\1/p' | head -1)
	if [[ -n $mtu ]] && ((mtu < 1400 && mtu > 1280 - 100)); then
		ok "IPv$fam: too big for the tunnel: ICMP says mtu $mtu"
	else
		fail "IPv$fam: too big for the tunnel: ICMP gives the MTU" "$out"
		mtu=1300
	fi
	if (($(esp_stat d drop-mtu) > drops)); then
		ok "IPv$fam: counted as drop-mtu"
	else
		fail "IPv$fam: counted as drop-mtu"
	fi
	check "IPv$fam: a DF packet of exactly mtu $mtu passes" \
		ns_exec h ping -M "do" -c 1 -W 3 -s $((mtu - hdr)) "$dst"
	check "IPv$fam: one byte more is refused as too big" \
		ping_too_big $((mtu - hdr + 1)) "$dst"
}
# ping_too_big SIZE DST - a DF ping from h fails, and for its size: the
# local route knows the MTU ("message too long, mtu=") or d's ICMP says it
ping_too_big() {
	local out
	out=$(ns_exec h ping -M "do" -c 1 -W 2 -s "$1" "$2" 2>&1) && return 1
	echo "$out"
	grep -qiE 'mtu|too long|too big' <<<"$out"
}
pmtu_case 4 "${ESP_I4[2]}" 1372 28
pmtu_case 6 "${ESP_I6[2]}" 1352 48

# TCP from h: h's veth does TSO, so d forwards GSO super-packets; they must
# be segmented and each segment protected, within the 1400-byte link.
capture_start d eth0 "$RESULTS/gw.pcap" esp
check "TCP h -> e through the 1400-byte tunnel completes (IPv4)" esp_tcp h "${ESP_I4[2]}" 512K
check "TCP e -> h completes (IPv4)" esp_tcp h "${ESP_I4[2]}" 256K -R
check "TCP h -> e through the 1400-byte tunnel completes (IPv6)" esp_tcp h "${ESP_I6[2]}" 512K
capture_stop
max=$(tcpdump -n -e -r "$RESULTS/gw.pcap" 2>/dev/null |
	sed -n 's/.*), length \([0-9]*\): .*/\1/p' | sort -n | tail -1)
if [[ -n $max ]] && ((max <= 1414)); then
	ok "no ESP frame above the link MTU (largest $max bytes)"
else
	fail "no ESP frame above the link MTU" "largest ${max:-none}"
fi
