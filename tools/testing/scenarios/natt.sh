#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock debug stock61
# timeout: 900
#
# NAT traversal (RFC 3948) against the kernel's XFRM (`encap espinudp`):
#  1. ESP in UDP on a direct link, transport and tunnel, IPv4 and IPv6,
#     both directions; tshark decodes it with the keys; UDP checksum zero
#     over IPv4 and valid over IPv6.
#  2. What is not ESP stays with the sockets (IKE's non-ESP marker, the
#     0xFF keepalive); an unknown SPI on 4500 is dropped; a forged packet
#     from another port moves nothing.
#  3. Through a NAT (nftables masquerade) with the XFRM host behind it:
#     transport mode (inner TCP checksum fixed up from the original
#     address), and tunnel mode with a NAT rebinding (new address and port)
#     in the middle of an iperf3 transfer that survives it.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/scenarios/esp_common.inc"

nipsec_loaded || load_nipsec
require iperf3 tcpdump tshark jq ping xxd nft conntrack python3

GCM='rfc4106(gcm(aes))'
K1=0x$(esp_hex 20)
K2=0x$(esp_hex 20)
TS_GCM='AES-GCM with 16 octet ICV [RFC4106]'

# What an IKE daemon holds for XFRM: UDP sockets on 4500 with UDP_ENCAP set
# to ESPINUDP (100, 2), IPv4 and IPv6. Without them XFRM never sees the ESP.
ENCAP_PY='
import socket, sys, time
socks = []
for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, 4500))
    s.setsockopt(socket.IPPROTO_UDP, 100, 2)
    socks.append(s)
print("ready", flush=True)
time.sleep(100000)
'
# xfrm_encap_socket NS - hold the encap sockets in NS until the end
xfrm_encap_socket() {
	local f=$RESULTS/encap-$1.out
	ns_exec "$1" python3 -c "$ENCAP_PY" >"$f" 2>&1 &
	on_exit kill $!
	wait_for -t 10 grep -q ready "$f"
}

# A plain UDP socket on 4500 (what charon has for nipsec): prints what it gets.
SINK_PY='
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 4500))
print("ready", flush=True)
while True:
    d, a = s.recvfrom(2048)
    print(d[:8].hex(), len(d), flush=True)
'
# send_udp NS SRCPORT DST DPORT HEX - one UDP datagram
send_udp() {
	ns_exec "$1" python3 -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind(("", int(sys.argv[1])))
s.sendto(bytes.fromhex(sys.argv[4]), (sys.argv[2], int(sys.argv[3])))
' "$2" "$3" "$4" "$5"
}

# natt_sas NIPNS XFNS MODE FAM SPIBASE - ESP-in-UDP SAs and policies between
# end 1 (nipsec) and end 2 (XFRM) of esp_pair, 4500 both sides
natt_sas() {
	local nip=$1 xf=$2 mode=$3 fam=$4 base=$5 o1 o2 s1 s2 plen oa ip
	if [[ $fam == 4 ]]; then
		o1=${ESP_O4[1]} o2=${ESP_O4[2]} oa=0.0.0.0 ip=IPv4 plen=32
		s1=${ESP_I4[1]} s2=${ESP_I4[2]}
	else
		o1=${ESP_O6[1]} o2=${ESP_O6[2]} oa=:: ip=IPv6 plen=128
		s1=${ESP_I6[1]} s2=${ESP_I6[2]}
	fi
	[[ $mode == transport ]] && s1=$o1 s2=$o2
	local spi12 spi21 reqid=$((base & 0xffff))
	spi12=$(printf '0x%08x' $((base + 1)))
	spi21=$(printf '0x%08x' $((base + 2)))
	local -a e=(encap espinudp 4500 4500 "$oa")
	local -a sa12=(src "$o1" dst "$o2" proto esp spi "$spi12" mode "$mode"
		reqid "$reqid" replay-window 64 aead "$GCM" "$K1" 128 "${e[@]}")
	local -a sa21=(src "$o2" dst "$o1" proto esp spi "$spi21" mode "$mode"
		reqid "$reqid" replay-window 64 aead "$GCM" "$K2" 128 "${e[@]}")
	# transport mode: protect TCP and ICMP, not the UDP that carries ESP
	local -a protos=(icmp tcp)
	[[ $fam == 6 ]] && protos=(ipv6-icmp tcp)
	[[ $mode == tunnel ]] && protos=(any)
	local -a t12=(tmpl src "$o1" dst "$o2" proto esp mode "$mode" reqid "$reqid")
	local -a t21=(tmpl src "$o2" dst "$o1" proto esp mode "$mode" reqid "$reqid")
	local pr
	NIP -n "$nip" sa add "${sa12[@]}" || return 1
	NIP -n "$nip" sa add "${sa21[@]}" || return 1
	ip -n "$xf" xfrm state add "${sa12[@]}" || return 1
	ip -n "$xf" xfrm state add "${sa21[@]}" || return 1
	for pr in "${protos[@]}"; do
		local -a p12=(src "$s1/$plen" dst "$s2/$plen") p21=(src "$s2/$plen" dst "$s1/$plen")
		if [[ $pr != any ]]; then p12+=(proto "$pr"); p21+=(proto "$pr"); fi
		NIP -n "$nip" policy add "${p12[@]}" dir out "${t12[@]}" || return 1
		NIP -n "$nip" policy add "${p21[@]}" dir in "${t21[@]}" || return 1
		ip -n "$xf" xfrm policy add "${p21[@]}" dir out "${t21[@]}" || return 1
		ip -n "$xf" xfrm policy add "${p12[@]}" dir in "${t12[@]}" || return 1
	done
	TSHARK_SA+=(-o "uat:esp_sa:\"$ip\",\"$o1\",\"$o2\",\"$spi12\",\"$TS_GCM\",\"$K1\",\"NULL\",\"\"")
	TSHARK_SA+=(-o "uat:esp_sa:\"$ip\",\"$o2\",\"$o1\",\"$spi21\",\"$TS_GCM\",\"$K2\",\"NULL\",\"\"")
}

# natt_destopt SPIBASE - transport ESP-in-UDP over IPv6 with a destination
# options header before UDP (scapy, from b): the plain packet must reach
# ICMPv6 with the stack walking the header chain from its start, not
# reading the decrypted payload as the first extension header (FINDINGS 7)
natt_destopt() {
	local spi seq e0 rx0 mac_a
	spi=$(printf '0x%08x' $(($1 + 2)))
	mac_a=$(ip -n a -j link show eth0 | jq -r '.[0].address')
	seq=$(NIP -n a -j sa get dst "${ESP_O6[1]}" proto esp spi "$spi" | jq '.["seq-in"]')
	e0=$(ns_exec a awk '$1 == "Icmp6InEchos" { print $2 }' /proc/net/snmp6)
	rx0=$(esp_stat a rx-packets)
	check "$what: authentic echo request behind a destination options header (scapy)" \
		ns_exec b /usr/bin/python3 "$SRC/tools/testing/scenarios/hostile.py" esp eth0 \
		--dmac "$mac_a" --src "${ESP_O6[2]}" --dst "${ESP_O6[1]}" --spi "$spi" \
		--key "${K2#0x}" --seq $((seq + 10)) --sport 4500 --dport 4500 --destopt
	if wait_for -t 5 bash -c "(( \$(ip netns exec a awk '\$1 == \"Icmp6InEchos\" { print \$2 }' /proc/net/snmp6) > $e0 ))"; then
		ok "$what: the echo request behind a destination options header reached ICMPv6"
	else
		fail "$what: the echo request behind a destination options header reached ICMPv6" \
			"rx-packets $rx0 -> $(esp_stat a rx-packets); $(ns_exec a nstat -az 2>/dev/null | awk '$1 ~ /^Ip6In/ && $2 > 0' | tr '\n' ' ')"
	fi
	# the same SA's authentic packet as plain ESP: an SA is plain or in
	# UDP on the wire, never both (RFC 3948 5.1 keeps them apart)
	local p0 e1
	p0=$(esp_stat a drop-proto)
	e1=$(ns_exec a awk '$1 == "Icmp6InEchos" { print $2 }' /proc/net/snmp6)
	PLAIN_SEQ=$((seq + 20))	# the wire check below leaves it out
	check "$what: the same SA's authentic packet as plain ESP (scapy)" \
		ns_exec b /usr/bin/python3 "$SRC/tools/testing/scenarios/hostile.py" esp eth0 \
		--dmac "$mac_a" --src "${ESP_O6[2]}" --dst "${ESP_O6[1]}" --spi "$spi" \
		--key "${K2#0x}" --seq "$PLAIN_SEQ"
	if wait_for -t 5 stat_gt a drop-proto "$p0" &&
		(($(ns_exec a awk '$1 == "Icmp6InEchos" { print $2 }' /proc/net/snmp6) == e1)); then
		ok "$what: plain ESP for an ESP-in-UDP SA is drop-proto, not delivered"
	else
		fail "$what: plain ESP for an ESP-in-UDP SA is drop-proto, not delivered" \
			"drop-proto $p0 -> $(esp_stat a drop-proto)" "$(esp_drops a)"
	fi
}

# ------------------------------------------------- 1. direct link, vs XFRM

esp_pair a b
xfrm_encap_socket b
capture_start a eth0 "$RESULTS/natt.pcap"
base=0x5000
PLAIN_SEQ=0	# natt_destopt's plain ESP, if it ran (0 is never sent)
# the debug kernel runs half of the matrix: one mode per family
cases=("transport 4" "tunnel 4" "transport 6" "tunnel 6")
[[ ${KERNEL_FLAVOR:-} == debug ]] && cases=("transport 4" "tunnel 6")
for c in "${cases[@]}"; do
	read -r mode fam <<<"$c"
	{
		what="ESP-in-UDP $mode IPv$fam"
		base=$((base + 0x10))
		drops0=$(esp_drops a)
		if ! guard "$what: SAs and policies (nipsec and XFRM)" natt_sas a b "$mode" "$fam" "$base"; then
			esp_flush a b
			continue
		fi
		d2=$(esp_dst 2 "$mode" "$fam" "$fam")
		d1=$(esp_dst 1 "$mode" "$fam" "$fam")
		rx=$(esp_stat a rx-packets)
		check "$what: ping nipsec -> XFRM" wait_for -t 10 esp_ping a "$d2"
		check "$what: ping XFRM -> nipsec" esp_ping b "$d1"
		check "$what: TCP nipsec -> XFRM" esp_tcp a "$d2" 128K
		check "$what: TCP XFRM -> nipsec" esp_tcp b "$d1" 128K
		if (($(esp_stat a rx-packets) > rx)); then ok "$what: nipsec decrypted them"; else
			fail "$what: nipsec decrypted them"; fi
		drops=$(esp_drops a)
		if [[ $drops == "$drops0" ]]; then ok "$what: no drop"; else
			fail "$what: no drop" "before: $drops0" "after: $drops"; fi
		[[ $mode$fam == transport6 ]] && natt_destopt "$base"
		esp_flush a b
	}
done
capture_stop

# The wire: only UDP 4500 between the ends, decrypted by tshark.
pcap=$RESULTS/natt.pcap
ts() { tshark -r "$pcap" -o esp.enable_encryption_decode:TRUE \
	-o esp.enable_authentication_check:TRUE -o udp.check_checksum:TRUE \
	"${TSHARK_SA[@]}" "$@" 2>/dev/null; }
ends="(ip.addr == 192.0.2.0/24 or ipv6.addr == 2001:db8::/64) and not (esp and not udp and esp.sequence == $PLAIN_SEQ)"
total=$(ts -Y "$ends and udp.port == 4500 and esp" | wc -l)
plain=$(ts -Y "$ends and esp and not udp" | wc -l)
other=$(ts -Y "$ends and not udp.port == 4500 and not icmpv6.type >= 133" | wc -l)
if ((total > 0 && plain == 0 && other == 0)); then
	ok "wire: all $total packets between the ends are ESP in UDP 4500"
else
	fail "wire: all packets between the ends are ESP in UDP 4500" \
		"$total in UDP, $plain plain ESP, $other other" \
		"$(ts -Y "$ends and not udp.port == 4500" | head -5)"
fi
ts -Y "$ends and esp" -T fields -e esp.spi -e esp.protocol -e esp.icv_good >"$RESULTS/natt.fields"
read -r n dec good < <(awk '{ n++; if ($2 != "") d++; if ($3 == "1") g++ } END { print n + 0, d + 0, g + 0 }' \
	"$RESULTS/natt.fields")
if ((n > 0 && dec == n && good == n)); then
	ok "tshark decrypts all $n ESP-in-UDP packets and their ICVs are good"
else
	fail "tshark decrypts all ESP-in-UDP packets and their ICVs are good" \
		"$n packets, $dec decrypted, $good good ICVs"
fi
mal=$(ts -Y "$ends and (_ws.malformed or udp.checksum.status == 0)" | wc -l)
if ((mal == 0)); then ok "no malformed packet, no bad UDP checksum"; else
	fail "no malformed packet, no bad UDP checksum" "$(ts -Y '_ws.malformed or udp.checksum.status == 0' | head -3)"; fi
z4=$(ts -Y "ip.src == ${ESP_O4[1]} and udp.port == 4500 and udp.checksum != 0" | wc -l)
n4=$(ts -Y "ip.src == ${ESP_O4[1]} and udp.port == 4500" | wc -l)
if ((n4 > 0 && z4 == 0)); then ok "nipsec over IPv4: UDP checksum zero ($n4 packets)"; else
	fail "nipsec over IPv4: UDP checksum zero" "$z4 of $n4 non-zero"; fi
n6=$(ts -Y "ipv6.src == ${ESP_O6[1]} and udp.port == 4500" | wc -l)
g6=$(ts -Y "ipv6.src == ${ESP_O6[1]} and udp.port == 4500 and udp.checksum.status == 1" | wc -l)
if ((n6 > 0 && g6 == n6)); then ok "nipsec over IPv6: valid UDP checksums ($n6 packets)"; else
	fail "nipsec over IPv6: valid UDP checksums" "$g6 of $n6 good"; fi

# ------------------------------- 2. what is not ESP stays with the sockets

check "tunnel ESP-in-UDP SAs again" natt_sas a b tunnel 4 0x5100
sink=$RESULTS/sink.out
ns_exec a python3 -c "$SINK_PY" "${ESP_O4[1]}" >"$sink" 2>&1 &
on_exit kill $!
wait_for -t 10 grep -q ready "$sink"
check "keepalive (0xff) from a new port" send_udp b 4600 "${ESP_O4[1]}" 4500 ff
check "IKE message (non-ESP marker)" send_udp b 4600 "${ESP_O4[1]}" 4500 \
	00000000aabbccddeeff0011
if wait_for -t 5 bash -c "grep -q '^ff 1$' '$sink' && grep -q '^00000000aabbccdd 12$' '$sink'"; then
	ok "keepalive and IKE message reached the socket on 4500"
else
	fail "keepalive and IKE message reached the socket on 4500" "$(cat "$sink")"
fi
# above NS FIELD VALUE - the nipsec counter FIELD of NS is above VALUE
above() { (($(esp_stat "$1" "$2") > $3)); }
nosa=$(esp_stat a drop-no-sa)
check "ESP-in-UDP with an unknown SPI" send_udp b 4600 "${ESP_O4[1]}" 4500 \
	0badc0de000000010102030405060708090a0b0c0d0e0f10
if wait_for -t 5 above a drop-no-sa "$nosa"; then
	ok "unknown SPI on 4500: dropped, drop-no-sa counted"
else
	fail "unknown SPI on 4500: dropped, drop-no-sa counted"
fi
if grep -q '^0badc0de' "$sink"; then fail "unknown SPI not given to the socket"; else
	ok "unknown SPI not given to the socket"; fi
# a forged packet for a real SA, from another port: authentication fails
# and the SA keeps its peer
auth=$(esp_stat a drop-auth)
maps=$(esp_stat a mappings)
check "forged ESP-in-UDP for SA 0x5102 from port 4600" send_udp b 4600 "${ESP_O4[1]}" 4500 \
	"00005102000000ff$(esp_hex 64)"
if wait_for -t 5 above a drop-auth "$auth"; then ok "forged packet: drop-auth counted"; else
	fail "forged packet: drop-auth counted"; fi
if (($(esp_stat a mappings) == maps)); then ok "forged packet: no mapping"; else
	fail "forged packet: no mapping"; fi
sport=$(NIP -n a -j sa get dst "${ESP_O4[1]}" proto esp spi 0x5102 | jq '.encap.sport')
if [[ $sport == 4500 ]]; then ok "forged packet: the SA's peer port is still 4500"; else
	fail "forged packet: the SA's peer port is still 4500" "sport $sport"; fi
# An authentic, fresh packet from a new port (an on-path attacker who
# re-sends a captured one, or a NAT that rebinds): by default the SA
# stays and the IKE daemon is told (RFC 7296 2.23; XFRM only reports too).
HOSTILE="/usr/bin/python3 $SRC/tools/testing/scenarios/hostile.py"
mac_a=$(ip -n a -j link show eth0 | jq -r '.[0].address')
# fresh SEQ PORT - an authentic ESP-in-UDP packet of SA 0x5102 (scapy)
fresh() {
	ns_exec b $HOSTILE esp eth0 --dmac "$mac_a" --src "${ESP_O4[2]}" \
		--dst "${ESP_O4[1]}" --spi 0x5102 --key "${K2#0x}" --seq "$1" \
		--sport "$2" --dport 4500 >/dev/null
}
peer_port() { NIP -n a -j sa get dst "${ESP_O4[1]}" proto esp spi 0x5102 | jq '.encap.sport'; }
# numbers just above what XFRM has sent, so its own packets stay in the window
top=$(NIP -n a -j sa get dst "${ESP_O4[1]}" proto esp spi 0x5102 | jq '.["seq-in"]')
maps=$(esp_stat a mappings)
check "authentic packet (seq $((top + 3))) from port 4700, SA without rebind" fresh $((top + 3)) 4700
if wait_for -t 5 above a mappings "$maps"; then ok "report only: the mapping is counted"; else
	fail "report only: the mapping is counted"; fi
if [[ $(peer_port) == 4500 ]]; then ok "report only: the SA's peer port stays 4500"; else
	fail "report only: the SA's peer port stays 4500" "sport $(peer_port)"; fi
check "sa update: the SA may follow rebindings (rebind)" NIP -n a sa update \
	src "${ESP_O4[2]}" dst "${ESP_O4[1]}" proto esp spi 0x5102 \
	encap espinudp 4500 4500 0.0.0.0 rebind
if NIP -n a -j sa get dst "${ESP_O4[1]}" proto esp spi 0x5102 | jq -e '.encap.rebind' >/dev/null; then
	ok "sa get shows rebind"; else fail "sa get shows rebind"; fi
rx=$(esp_stat a rx-packets)
check "an older in-window packet (seq $((top + 1))) from port 4700" fresh $((top + 1)) 4700
# authentic and in the window: accepted (counted), yet not the newest
check "rebind: the older packet was accepted" wait_for -t 5 above a rx-packets "$rx"
if [[ $(peer_port) == 4500 ]]; then ok "rebind: an older packet moves nothing"; else
	fail "rebind: an older packet moves nothing" "sport $(peer_port)"; fi
check "a newer packet (seq $((top + 4))) from port 4700" fresh $((top + 4)) 4700
if wait_for -t 5 bash -c "[[ \$('$NIPSEC' -n a -j sa get dst '${ESP_O4[1]}' proto esp spi 0x5102 | jq '.encap.sport') == 4700 ]]"; then
	ok "rebind: the newest packet moves the SA to port 4700"
else
	fail "rebind: the newest packet moves the SA to port 4700" "sport $(peer_port)"
fi
check_not "sa update: a NAT-OA of another family is refused" NIP -n a sa update \
	src "${ESP_O4[2]}" dst "${ESP_O4[1]}" proto esp spi 0x5102 \
	encap espinudp 4500 4500 2001:db8::9
# XFRM's packets from 4500: top + 1, 3 and 4 are replays now, top + 2 is
# in the window but not the newest (nothing moves), top + 5 moves the SA
# back. Six echo requests send those numbers; the state is what we wait
# for, not a reply (those go to port 4700 until the SA moves back).
ns_exec b ping -c 6 -i 0.2 -w 20 -q "${ESP_I4[1]}" >/dev/null 2>&1 || true
if wait_for -t 30 bash -c "[[ \$('$NIPSEC' -n a -j sa get dst '${ESP_O4[1]}' proto esp spi 0x5102 | jq '.encap.sport') == 4500 ]]"; then
	ok "XFRM's newer packets move the SA back to port 4500"
else
	fail "XFRM's newer packets move the SA back to port 4500" "sport $(peer_port)"
fi
check "traffic still flows (XFRM -> nipsec)" esp_ping b "${ESP_I4[1]}"
check "traffic still flows (nipsec -> XFRM)" esp_ping a "${ESP_I4[2]}"
esp_flush a b
ip netns del a
ip netns del b

# ------------------------------------------------------ 3. through a NAT

# l (XFRM, 10.0.1.2) -- nat (10.0.1.1 | 198.51.100.1, .3) -- r (nipsec, 198.51.100.2)
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
xfrm_encap_socket l
ns_exec r iperf3 -s >/dev/null 2>&1 &
ip netns exec r "$NIPSEC" -j monitor >"$RESULTS/nat-mon" 2>&1 &
on_exit kill $!

# transport mode: r sees l as 198.51.100.1; l's TCP checksums cover
# 10.0.1.2, the original address r is told about (NAT-OA)
nat_transport() {
	local -a e=(encap espinudp 4500 4500)
	ip -n l xfrm state add src 10.0.1.2 dst 198.51.100.2 proto esp spi 0x6001 \
		mode transport reqid 6 aead "$GCM" "$K1" 128 "${e[@]}" 0.0.0.0 &&
	ip -n l xfrm state add src 198.51.100.2 dst 10.0.1.2 proto esp spi 0x6002 \
		mode transport reqid 6 aead "$GCM" "$K2" 128 "${e[@]}" 0.0.0.0 &&
	ip -n l xfrm policy add src 10.0.1.2 dst 198.51.100.2 proto tcp dir out \
		tmpl src 10.0.1.2 dst 198.51.100.2 proto esp mode transport reqid 6 &&
	ip -n l xfrm policy add src 198.51.100.2 dst 10.0.1.2 proto tcp dir in \
		tmpl src 198.51.100.2 dst 10.0.1.2 proto esp mode transport reqid 6 &&
	NIP -n r sa add src 198.51.100.1 dst 198.51.100.2 proto esp spi 0x6001 \
		mode transport reqid 6 aead "$GCM" "$K1" 128 "${e[@]}" 10.0.1.2 &&
	NIP -n r sa add src 198.51.100.2 dst 198.51.100.1 proto esp spi 0x6002 \
		mode transport reqid 6 aead "$GCM" "$K2" 128 "${e[@]}" 0.0.0.0 &&
	NIP -n r policy add src 198.51.100.2 dst 198.51.100.1 proto tcp dir out \
		tmpl src 198.51.100.2 dst 198.51.100.1 proto esp mode transport reqid 6 &&
	NIP -n r policy add src 198.51.100.1 dst 198.51.100.2 proto tcp dir in \
		tmpl src 198.51.100.1 dst 198.51.100.2 proto esp mode transport reqid 6
}
check "transport mode through the NAT: SAs (r knows l's original address)" nat_transport
rx=$(esp_stat r rx-packets)
check "transport through NAT: TCP XFRM -> nipsec (inner checksum fixed up)" \
	esp_tcp l 198.51.100.2 256K
check "transport through NAT: TCP nipsec -> XFRM" esp_tcp l 198.51.100.2 256K -R
if (($(esp_stat r rx-packets) > rx + 20)); then ok "transport through NAT: nipsec decrypted the transfers"; else
	fail "transport through NAT: nipsec decrypted the transfers" "rx $(esp_stat r rx-packets)"; fi
drops=$(esp_drops r)
if [[ -z $drops ]]; then ok "transport through NAT: no drop"; else fail "transport through NAT: no drop" "$drops"; fi
esp_flush l r

# tunnel mode, and a rebinding in the middle of a transfer
nat_tunnel() {
	local -a e=(encap espinudp 4500 4500 0.0.0.0)
	ip -n l xfrm state add src 10.0.1.2 dst 198.51.100.2 proto esp spi 0x7001 \
		mode tunnel reqid 7 aead "$GCM" "$K1" 128 "${e[@]}" &&
	ip -n l xfrm state add src 198.51.100.2 dst 10.0.1.2 proto esp spi 0x7002 \
		mode tunnel reqid 7 aead "$GCM" "$K2" 128 "${e[@]}" &&
	ip -n l xfrm policy add src 10.9.1.1/32 dst 10.9.2.1/32 dir out \
		tmpl src 10.0.1.2 dst 198.51.100.2 proto esp mode tunnel reqid 7 &&
	ip -n l xfrm policy add src 10.9.2.1/32 dst 10.9.1.1/32 dir in \
		tmpl src 198.51.100.2 dst 10.0.1.2 proto esp mode tunnel reqid 7 &&
	NIP -n r sa add src 198.51.100.1 dst 198.51.100.2 proto esp spi 0x7001 \
		mode tunnel reqid 7 aead "$GCM" "$K1" 128 "${e[@]}" rebind &&
	NIP -n r sa add src 198.51.100.2 dst 198.51.100.1 proto esp spi 0x7002 \
		mode tunnel reqid 7 aead "$GCM" "$K2" 128 "${e[@]}" rebind &&
	NIP -n r policy add src 10.9.2.1/32 dst 10.9.1.1/32 dir out \
		tmpl src 198.51.100.2 dst 198.51.100.1 proto esp mode tunnel reqid 7 &&
	NIP -n r policy add src 10.9.1.1/32 dst 10.9.2.1/32 dir in \
		tmpl src 198.51.100.1 dst 198.51.100.2 proto esp mode tunnel reqid 7
}
check "tunnel mode through the NAT: SAs" nat_tunnel
check "tunnel through NAT: ping XFRM -> nipsec" wait_for -t 10 esp_ping l 10.9.2.1
check "tunnel through NAT: ping nipsec -> XFRM" esp_ping r 10.9.1.1
maps=$(esp_stat r mappings)
# the NAT's next mappings go to another address and port; the live one
# stays until its conntrack entry goes
check "NAT: new UDP mappings to 198.51.100.3:14500" nat_rules \
	'oifname "eth1" meta l4proto udp snat ip to 198.51.100.3:14500
	oifname "eth1" masquerade'
rx0=$(NIP -n r -j sa get dst 198.51.100.2 proto esp spi 0x7001 | jq '(.usage // .[0].usage).packets // 0')
ns_exec l timeout 120 iperf3 -c 10.9.2.1 -B 10.9.1.1 -t 15 -i 1 -J >"$RESULTS/rebind.json" 2>&1 &
iperf=$!
# rebind once the transfer is under way (15 s: most of it after the rebinding)
wait_for -t 30 above r rx-packets $(($(esp_stat r rx-packets) + 200)) || true
check "NAT rebinding: conntrack flushed during the transfer" ip netns exec nat conntrack -F
if wait "$iperf"; then ok "iperf3 across the rebinding completed"; else
	fail "iperf3 across the rebinding completed" "$(tail -5 "$RESULTS/rebind.json")"; fi
jq -c '[.intervals[].sum.bytes]' "$RESULTS/rebind.json" 2>/dev/null | _indent || true
# the mapping event carries the inbound SA's packet count when it moved:
# the rest of the transfer came after the rebinding
# (that SA's move to the new mapping: a report about another SA, or one
# rate-limited before the move, is not it); the monitor may write it a
# moment after the transfer ends on a loaded guest, so wait for it
wait_for -t 10 bash -c "jq -n -e '[inputs | select(.event == \"mapping\" and .sa.spi == 28673 and .\"new-port\" == 14500)] | length > 0' '$RESULTS/nat-mon' >/dev/null" || true
at=$(jq -n '[inputs | select(.event == "mapping" and .sa.spi == 28673 and
	."new-port" == 14500)][0].sa.usage.packets // 0' "$RESULTS/nat-mon" 2>/dev/null || echo 0)
end=$(NIP -n r -j sa get dst 198.51.100.2 proto esp spi 0x7001 | jq '(.usage // .[0].usage).packets // 0')
diag "inbound SA: $rx0 packets before the transfer, $at at the rebinding, $end at the end"
if ((at > rx0 && end > at + 100)); then
	ok "the rebinding came mid-transfer and the transfer went on ($((end - at)) packets after it)"
elif [[ ${KERNEL_FLAVOR:-} == debug ]]; then
	# the debug guest is too slow to place the rebinding inside a 15 s
	# transfer reliably (twice the mapping came with the last packets);
	# the move itself is asserted below, the timing on stock
	diag "debug: the rebinding did not come mid-transfer ($rx0 / $at / $end)"
else
	fail "the rebinding came mid-transfer and the transfer went on" "$rx0 / $at / $end"
fi
check "ping XFRM -> nipsec after the rebinding" esp_ping l 10.9.2.1
if (($(esp_stat r mappings) == maps + 1)); then ok "one mapping followed (counter)"; else
	fail "one mapping followed (counter)" "mappings $maps -> $(esp_stat r mappings)"; fi
if wait_for -t 5 bash -c "jq -n -e '[inputs | select(.event == \"mapping\" and .\"old-addr\" == \"198.51.100.1\" and .\"old-port\" == 4500 and .\"new-addr\" == \"198.51.100.3\" and .\"new-port\" == 14500)] | length > 0' '$RESULTS/nat-mon' >/dev/null"; then
	ok "mapping event: 198.51.100.1:4500 -> 198.51.100.3:14500"
else
	fail "mapping event: 198.51.100.1:4500 -> 198.51.100.3:14500" "$(grep mapping "$RESULTS/nat-mon" | head -3)"
fi
dport=$(NIP -n r -j sa get dst 198.51.100.1 proto esp spi 0x7002 | jq '.encap.dport')
if [[ $dport == 14500 ]]; then ok "outbound SA follows the peer (dport 14500)"; else
	fail "outbound SA follows the peer (dport 14500)" "dport $dport"; fi
check "ping nipsec -> XFRM after the rebinding" esp_ping r 10.9.1.1
ip netns exec nat conntrack -L 2>/dev/null | _indent
# the old mapping's packets die in the NAT, not in nipsec: nothing counted
drops=$(esp_drops r)
if [[ -z $drops ]]; then ok "rebinding: no drop on r"; else
	fail "rebinding: no drop on r" "$drops"; fi
esp_flush l r
