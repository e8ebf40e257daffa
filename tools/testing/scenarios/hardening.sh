#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock debug
# timeout: 600
#
# What an attacker sends, and what must hold (Documentation/security.rst).
# Packets are built by scapy (hostile.py), an ESP/AH implementation of its
# own, with the SA's keys: valid ICVs over hostile structure.
#
#  1. Nesting: ESP and AH for the same SAs, nested up to 40 times (each
#     layer fresh and authentic), transport and tunnel, IPv4 and IPv6:
#     XFRM's depth (6) passes, one more is dropped as drop-depth, and the
#     kernel survives (it overflowed its stack before).
#  2. A transport SA without a selector only takes its own addresses.
#  3. Per-namespace limits on policies, SAs and larval SAs.
#  4. A gateway pair, IPv4 and IPv6: forwarded fragments of a flow that
#     only a port-selective policy protects never leave in clear, and the
#     "fragmentation needed" / "packet too big" a gateway sends about
#     decrypted traffic goes back through the tunnel (never in clear), and
#     reaches the sender.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/scenarios/esp_common.inc"

require jq tcpdump ping
nipsec_loaded || load_nipsec
GCM='rfc4106(gcm(aes))'
PARAMS=/sys/module/nipsec/parameters

# snmp NS PROTO FIELD - a counter of /proc/net/snmp (snmp6 for Icmp6, Ip6)
snmp() {
	if [[ $2 == Icmp6 || $2 == Ip6 ]]; then
		ip netns exec "$1" awk -v f="$2$3" '$1 == f { print $2 }' /proc/net/snmp6
	else
		ip netns exec "$1" awk -v p="$2:" -v f="$3" \
			'$1 == p { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 }
			 else print $(c[f]) }' /proc/net/snmp
	fi
}
# snmp_above NS PROTO FIELD N / stat_is NS COUNTER N (stat_gt: esp_common.inc)
snmp_above() { (($(snmp "$1" "$2" "$3") > $4)); }
stat_is() { (($(esp_stat "$1" "$2") == $3)); }

# ------------------------------------------------------------ 1. nesting

ns_new a
ns_new b
ns_link a eth0 b eth0
ip -n a link set eth0 mtu 9000
ip -n b link set eth0 mtu 9000
ns_addr a eth0 192.0.2.1/24
ns_addr a eth0 192.0.2.11/24
ns_addr b eth0 192.0.2.2/24
ns_addr b eth0 192.0.2.3/24
ns_addr a eth0 2001:db8::1/64
ns_addr b eth0 2001:db8::2/64
mac_a=$(ip -n a -j link show eth0 | jq -r '.[0].address')
# scapy starts once (seconds under TCG): a server in b takes the commands
coproc HOSTILE_CO {
	ip netns exec b /usr/bin/python3 "$SRC/tools/testing/scenarios/hostile.py" serve 2>&1
}
# hostile ARGS... - send what hostile.py ARGS describes, from b
hostile() {
	local line
	echo "$*" >&"${HOSTILE_CO[1]}"
	read -r -t 120 line <&"${HOSTILE_CO[0]}" || line="error: no answer"
	echo "$line"
	[[ $line == ok* ]]
}
K=$(esp_hex 36) AK=$(esp_hex 20)

# v4 transport, ESP and AH alternating: after an AH layer ESP follows, and
# the other way round; the innermost layer is ESP, the packet ICMP.
nest_sas() {
	NIP -n a sa add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x100 \
		mode transport reqid 1 replay-window 1024 aead "$GCM" "0x$K" 128 &&
	NIP -n a sa add src 192.0.2.2 dst 192.0.2.1 proto ah spi 0x200 \
		mode transport reqid 1 replay-window 1024 \
		auth-trunc 'hmac(sha1)' "0x$AK" 96 &&
	NIP -n a policy add src 192.0.2.2/32 dst 192.0.2.1/32 proto esp dir in \
		tmpl proto ah mode transport reqid 1 &&
	NIP -n a policy add src 192.0.2.2/32 dst 192.0.2.1/32 proto ah dir in \
		tmpl proto esp mode transport reqid 1 &&
	NIP -n a policy add src 192.0.2.2/32 dst 192.0.2.1/32 proto icmp dir in \
		tmpl proto esp mode transport reqid 1 &&
	# v6 transport, ESP only
	NIP -n a sa add src 2001:db8::2 dst 2001:db8::1 proto esp spi 0x101 \
		mode transport reqid 2 replay-window 1024 aead "$GCM" "0x$K" 128 &&
	NIP -n a policy add src 2001:db8::2/128 dst 2001:db8::1/128 proto esp dir in \
		tmpl proto esp mode transport reqid 2 &&
	NIP -n a policy add src 2001:db8::2/128 dst 2001:db8::1/128 proto ipv6-icmp \
		dir in tmpl proto esp mode transport reqid 2 &&
	# v4 tunnel, ESP only, from another address
	NIP -n a sa add src 192.0.2.3 dst 192.0.2.1 proto esp spi 0x102 \
		mode tunnel reqid 3 replay-window 1024 aead "$GCM" "0x$K" 128 &&
	NIP -n a policy add src 192.0.2.3/32 dst 192.0.2.1/32 dir in \
		tmpl src 192.0.2.3 dst 192.0.2.1 proto esp mode tunnel reqid 3
}
check "nesting: SAs and policies (ESP+AH v4, ESP v6, ESP tunnel)" nest_sas

SEQ=1
# nest DESC DEPTH EXPECT ARGS... - send one nested packet; EXPECT is
# "delivered" (the echo request reaches ICMP, no depth drop) or "depth"
nest() {
	local what=$1 depth=$2 expect=$3 proto=Icmp field=InEchos
	shift 3
	[[ " $* " == *" --v6 "* ]] && proto=Icmp6 field=InEchos
	local d0 e0 d1 e1
	d0=$(esp_stat a drop-depth)
	e0=$(snmp a "$proto" "$field")
	if ! hostile nest eth0 --dmac "$mac_a" --depth "$depth" \
		--seq "$SEQ" "$@" >"$RESULTS/hostile.out" 2>&1; then
		fail "$what" "$(cat "$RESULTS/hostile.out")"
		return 0
	fi
	SEQ=$((SEQ + depth))
	if [[ $expect == delivered ]]; then
		if wait_for -t 10 snmp_above a "$proto" "$field" "$e0"; then
			d1=$(esp_stat a drop-depth)
			if ((d1 == d0)); then ok "$what"; else
				fail "$what" "drop-depth $d0 -> $d1"; fi
		else
			fail "$what" "$proto $field stayed $e0" "$(esp_drops a)"
		fi
		return 0
	fi
	if wait_for -t 10 stat_is a drop-depth $((d0 + 1)); then
		e1=$(snmp a "$proto" "$field")
		if ((e1 == e0)); then ok "$what"; else
			fail "$what" "delivered anyway ($proto $field $e0 -> $e1)"; fi
	else
		fail "$what" "drop-depth $d0 -> $(esp_stat a drop-depth)" "$(esp_drops a)"
	fi
}
V4=(--src 192.0.2.2 --dst 192.0.2.1 --spi 0x100 --key "$K" --ah-spi 0x200 --ah-key "$AK")
V6=(--src 2001:db8::2 --dst 2001:db8::1 --spi 0x101 --key "$K" --v6)
TUN=(--src 192.0.2.3 --dst 192.0.2.1 --spi 0x102 --key "$K" --tunnel)
nest "ESP/AH v4, 1 layer: delivered" 1 delivered "${V4[@]}"
nest "ESP/AH v4, 6 layers (XFRM_MAX_DEPTH): delivered" 6 delivered "${V4[@]}"
nest "ESP/AH v4, 7 layers: drop-depth, not delivered" 7 depth "${V4[@]}"
nest "ESP/AH v4, 40 layers: drop-depth" 40 depth "${V4[@]}"
nest "ESP v6, 6 layers: delivered" 6 delivered "${V6[@]}"
nest "ESP v6, 40 layers: drop-depth" 40 depth "${V6[@]}"
nest "ESP tunnel v4, 6 layers: delivered" 6 delivered "${TUN[@]}"
nest "ESP tunnel v4, 40 layers: drop-depth" 40 depth "${TUN[@]}"
check "the kernel still answers after the nested packets" \
	ns_exec b ping -c 1 -W 5 192.0.2.11

# With synchronous crypto each layer is re-injected from inside the one
# before, and the per-CPU re-injection bound stops a seventh layer even
# without the per-packet depth.  With asynchronous crypto every layer
# resumes from a worker: only the depth carried in the packet counts.
check "nesting, async: unload nipsec" wait_for -t 10 unload_nipsec
NIPSEC_PARAMS="force_async=1" check "nesting, async: load nipsec force_async=1" load_nipsec
check "nesting, async: force_async is on" grep -qx Y "$PARAMS/force_async"
on_exit 'unload_nipsec; load_nipsec'
check "nesting, async: SAs and policies again" nest_sas
nest "ESP/AH v4, async, 6 layers: delivered" 6 delivered "${V4[@]}"
nest "ESP/AH v4, async, 7 layers: drop-depth, not delivered" 7 depth "${V4[@]}"
check "nesting, async: unload nipsec again" wait_for -t 30 unload_nipsec
check "nesting: load nipsec without force_async" load_nipsec
check "nesting: SAs and policies for what follows" nest_sas

# IPv6 extension headers in front of transport-mode ESP: once decrypted,
# the stack must walk the chain from its start.  An atomic fragment
# (nf_defrag_ipv6 takes its header out and moves the transport header
# behind it) after a destination options header: the echo request must
# reach ICMPv6, not be read as the options header (FINDINGS 7).
for x in "--destopt" "--destopt --atomic-frag"; do
	e0=$(snmp a Icmp6 InEchos)
	# shellcheck disable=SC2086
	if hostile esp eth0 --dmac "$mac_a" --src 2001:db8::2 --dst 2001:db8::1 \
		--spi 0x101 --key "$K" --seq "$SEQ" $x >"$RESULTS/hostile.out" 2>&1 &&
		wait_for -t 10 snmp_above a Icmp6 InEchos "$e0"; then
		ok "ESP v6 behind ${x//--/}: the echo request reaches ICMPv6"
	else
		fail "ESP v6 behind ${x//--/}: the echo request reaches ICMPv6" \
			"$(cat "$RESULTS/hostile.out")" "$(esp_drops a)"
	fi
	SEQ=$((SEQ + 1))
done

# ------------------------------------------- 2. transport SA: its addresses

# A broad "in" policy; the SA (no selector) is 192.0.2.2 -> 192.0.2.11:
# the same authentic ESP from 192.0.2.3 must not be taken.
check "transport SA 192.0.2.2 -> 192.0.2.11 under an in policy from anywhere" bash -c "
	'$NIPSEC' -n a sa add src 192.0.2.2 dst 192.0.2.11 proto esp spi 0x300 \
		mode transport reqid 30 replay-window 64 aead '$GCM' 0x$K 128 &&
	'$NIPSEC' -n a policy add src 0.0.0.0/0 dst 192.0.2.11/32 dir in \
		tmpl proto esp mode transport reqid 30"
e0=$(snmp a Icmp InEchos)
check "ESP from the SA's own source is delivered" hostile esp eth0 --dmac "$mac_a" \
	--src 192.0.2.2 --dst 192.0.2.11 --spi 0x300 --key "$K" --seq 1
check "  (echo request counted)" wait_for -t 10 snmp_above a Icmp InEchos "$e0"
sel=$(esp_stat a drop-selector)
e0=$(snmp a Icmp InEchos)
check "the same SA's ESP from 192.0.2.3" hostile esp eth0 --dmac "$mac_a" \
	--src 192.0.2.3 --dst 192.0.2.11 --spi 0x300 --key "$K" --seq 2
if wait_for -t 10 stat_gt a drop-selector "$sel"; then
	if (($(snmp a Icmp InEchos) == e0)); then
		ok "  is dropped as drop-selector, not delivered"
	else
		fail "  is dropped as drop-selector, not delivered" "delivered"
	fi
else
	fail "  is dropped as drop-selector, not delivered" "$(esp_drops a)"
fi
# A fragment the reassembly passes on (RFC 8200 4.5: a first fragment
# without the ICMPv6 header) under the v6 protect policy: drop-fragment,
# not taken for a peer's cleartext.  The stack's own reassembly, after
# nipsec's hook, must never see it.
fr=$(esp_stat a drop-fragment)
clr=$(esp_stat a drop-cleartext)
clr1=$clr
rq=$(snmp a Ip6 ReasmReqds)
check "a plain ICMPv6 first fragment without its ICMPv6 header" hostile frag6 eth0 \
	--dmac "$mac_a" --src 2001:db8::2 --dst 2001:db8::1 --spi 0 --key 0
if wait_for -t 10 stat_gt a drop-fragment "$fr" &&
	clr1=$(esp_stat a drop-cleartext) && ((clr1 == clr)) &&
	(($(snmp a Ip6 ReasmReqds) == rq)); then
	ok "  is dropped as drop-fragment, before the stack's own reassembly"
else
	fail "  is dropped as drop-fragment, before the stack's own reassembly" \
		"cleartext $clr -> $clr1, Ip6ReasmReqds $rq -> $(snmp a Ip6 ReasmReqds)" "$(esp_drops a)"
fi
kill "$HOSTILE_CO_PID" 2>/dev/null || true
ip netns del a
ip netns del b

# ------------------------------------------------------------ 3. limits

ns_new c
refused() {	# refused DESC MATCH CMD... - CMD fails, saying MATCH
	local what=$1 match=$2 r0 out
	shift 2
	r0=$(esp_stat c refused-limit)
	if out=$("$@" 2>&1); then
		fail "$what" "accepted: $out"
	elif [[ $out != *"$match"* ]]; then
		fail "$what" "wrong reason: $out"
	elif (($(esp_stat c refused-limit) != r0 + 1)); then
		fail "$what" "refused-limit $r0 -> $(esp_stat c refused-limit)"
	else
		ok "$what"
	fi
}
echo 2 >"$PARAMS/max_policies"
check "2 policies under max_policies=2" bash -c "
	'$NIPSEC' -n c policy add src 10.0.0.1/32 dst 10.0.0.2/32 dir out action discard &&
	'$NIPSEC' -n c policy add src 10.0.0.1/32 dst 10.0.0.3/32 dir out action discard"
refused "a third policy is refused (max_policies), counted" "max_policies" \
	NIP -n c policy add src 10.0.0.1/32 dst 10.0.0.4/32 dir out action discard
echo 262144 >"$PARAMS/max_policies"
echo 1 >"$PARAMS/max_sas"
check "1 SA under max_sas=1" NIP -n c sa add src 10.0.0.1 dst 10.0.0.2 proto esp \
	spi 0x400 aead "$GCM" "0x$K" 128
refused "a second SA is refused (max_sas), counted" "max_sas" \
	NIP -n c sa add src 10.0.0.1 dst 10.0.0.3 proto esp spi 0x401 aead "$GCM" "0x$K" 128
echo 262144 >"$PARAMS/max_sas"
echo 1 >"$PARAMS/max_larval"
check "1 larval SA under max_larval=1" NIP -n c spi alloc src 10.0.0.2 dst 10.0.0.1 proto esp
refused "a second spi alloc is refused (max_larval), counted" "max_larval" \
	NIP -n c spi alloc src 10.0.0.3 dst 10.0.0.1 proto esp
echo 16384 >"$PARAMS/max_larval"
check_not "a larval timeout above a day is refused" \
	NIP -n c spi alloc src 10.0.0.4 dst 10.0.0.1 proto esp timeout 4294967
ip netns del c

# ------------------------------- 4. a gateway pair: fragments, ICMP errors

# pcount PCAP FILTER - packets of a capture that match (the file is on the
# results share: once seen empty, look again a moment later)
pcount() {
	local n
	n=$(tcpdump -nr "$1" "$2" 2>/dev/null | wc -l)
	if ((n == 0)); then
		sleep 1
		n=$(tcpdump -nr "$1" "$2" 2>/dev/null | wc -l)
	fi
	echo "$n"
}
# sa_tx NS SPI DST - bytes an SA has protected
sa_tx() { NIP -n "$1" -j stats sa "$2" dst "$3" proto esp | jq -e '(.stats // .)["tx-bytes"]'; }

# gateway_pair 4|6 - h1 -- g1 === ESP tunnel === g2 -- h2, in one family:
#   4: h1 10.1.0.2, g1 10.1.0.1 / 192.0.2.1, g2 192.0.2.2 / 10.2.0.1, h2 10.2.0.2
#   6: the same in 2001:db8:1::/64, 2001:db8::/64 and 2001:db8:2::/64
gateway_pair() {
	local f=$1 v="" N1 N2 H1 H2 G1 G2 G1O G2O pl icmp so ip_hl inner_mtu
	if ((f == 4)); then
		N1=10.1.0.0/24 N2=10.2.0.0/24 H1=10.1.0.2 H2=10.2.0.2 G1=10.1.0.1
		G2=10.2.0.1 G1O=192.0.2.1 G2O=192.0.2.2 pl=24 icmp=icmp so=AF_INET
		ip_hl=20 inner_mtu=1200
	else
		N1=2001:db8:1::/64 N2=2001:db8:2::/64 H1=2001:db8:1::2 H2=2001:db8:2::2
		G1=2001:db8:1::1 G2=2001:db8:2::1 G1O=2001:db8::1 G2O=2001:db8::2 pl=64
		icmp=ipv6-icmp so=AF_INET6 ip_hl=40 inner_mtu=1280 v=" (IPv6)"
	fi
	for n in h1 g1 g2 h2; do ns_new $n; done
	ns_link h1 eth0 g1 eth0
	ns_link g1 eth1 g2 eth1
	ns_link g2 eth0 h2 eth0
	ns_addr h1 eth0 $H1/$pl
	ns_addr g1 eth0 $G1/$pl
	ns_addr g1 eth1 $G1O/$pl
	ns_addr g2 eth1 $G2O/$pl
	ns_addr g2 eth0 $G2/$pl
	ns_addr h2 eth0 $H2/$pl
	ip -n h1 -$f route add default via $G1
	ip -n h2 -$f route add default via $G2
	ip -n g1 -$f route add $N2 via $G2O
	ip -n g2 -$f route add $N1 via $G1O
	for n in g1 g2; do
		ns_exec $n sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	done
	# IPv6: addresses usable before the first packet (no DAD wait)
	for n in h1 g1 g2 h2; do
		wait_for -t 10 bash -c "! ip -n $n -6 addr show tentative | grep -q inet6" || true
	done
	local K1 K2
	K1=0x$(esp_hex 36) K2=0x$(esp_hex 36)
	gw_sas() {
		local n
		for n in g1 g2; do
			NIP -n $n sa add src $G1O dst $G2O proto esp spi 0x1001 \
				mode tunnel reqid 9 replay-window 64 aead "$GCM" "$K1" 128 || return 1
			NIP -n $n sa add src $G2O dst $G1O proto esp spi 0x1002 \
				mode tunnel reqid 9 replay-window 64 aead "$GCM" "$K2" 128 || return 1
		done
		local t12=(tmpl src "$G1O" dst "$G2O" proto esp mode tunnel reqid 9)
		local t21=(tmpl src "$G2O" dst "$G1O" proto esp mode tunnel reqid 9)
		# g1 protects only UDP to port 7000, and ICMP, towards site 2
		NIP -n g1 policy add src $N1 dst $N2 proto udp dport 7000 \
			dir out "${t12[@]}" &&
		NIP -n g1 policy add src $N1 dst $N2 proto $icmp dir out "${t12[@]}" &&
		NIP -n g1 policy add src $N2 dst $N1 dir fwd "${t21[@]}" &&
		NIP -n g2 policy add src $N2 dst $N1 dir out "${t21[@]}" &&
		NIP -n g2 policy add src $N1 dst $N2 dir fwd "${t12[@]}"
	}
	check "gateways$v: tunnel SAs, port-selective and ICMP policies" gw_sas

	# a. a 3000-byte datagram to port 7000, fragmented by h1
	local tx0 rx esp plain tx
	tx0=$(sa_tx g1 0x1001 $G2O)
	capture_start g1 eth1 "$RESULTS/gw$f-frag.pcap"
	ns_exec h2 timeout 30 /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.'$so', socket.SOCK_DGRAM)
s.bind(("'$H2'", 7000))
s.settimeout(25)
print(len(s.recv(65535)))' >"$RESULTS/gw$f-frag.rx" 2>&1 &
	rx=$!
	wait_for -t 10 bash -c "ip netns exec h2 ss -Hlun | grep -q ':7000'" || true
	# IPv4: IP_MTU_DISCOVER (10) IP_PMTUDISC_DONT; IPv6 hosts fragment anyway
	check "h1 sends 3000 bytes of UDP to h2:7000 (in IP fragments)$v" ns_exec h1 \
		/usr/bin/python3 -c '
import socket
s = socket.socket(socket.'$so', socket.SOCK_DGRAM)
if socket.'$so' == socket.AF_INET:
    s.setsockopt(socket.IPPROTO_IP, 10, 0)
s.sendto(b"f" * 3000, ("'$H2'", 7000))'
	if wait "$rx" && [[ $(cat "$RESULTS/gw$f-frag.rx") == 3000 ]]; then
		ok "h2 received the whole datagram through the tunnel$v"
	else
		fail "h2 received the whole datagram through the tunnel$v" "$(cat "$RESULTS/gw$f-frag.rx")"
	fi
	capture_stop
	esp=$(pcount "$RESULTS/gw$f-frag.pcap" 'esp or (ip6 and ip6[6] == 44)')
	plain=$(pcount "$RESULTS/gw$f-frag.pcap" "host $H1 or host $H2")
	# the whole datagram (3000 bytes, UDP and IP headers) went through the
	# SA, not only its first fragment, and the wire shows nothing in clear
	tx=$(($(sa_tx g1 0x1001 $G2O) - tx0))
	if ((tx >= 3008 + ip_hl)); then
		ok "g1's SA protected the whole datagram ($tx bytes)$v"
	else
		fail "g1's SA protected the whole datagram$v" "$tx bytes"
	fi
	if ((plain == 0 && esp > 0)); then
		ok "no fragment of it crossed in clear ($esp ESP packets captured)$v"
	else
		fail "no fragment of it crossed in clear$v" "plain $plain, ESP $esp" \
			"$(tcpdump -nr "$RESULTS/gw$f-frag.pcap" 2>/dev/null | head -8)"
	fi

	# c. a datagram to h2:7000 cut before its ports: IPv6, a first
	# fragment holding only a destination options header (RFC 8200 4.5:
	# nf_defrag passes it on); IPv4, a UDP header of 2 bytes.  The
	# port-selective policy could cover it: g1 must not forward it in
	# clear (drop-fragment, drop-truncated), not even those bytes
	local why=drop-truncated cut0 cut1 h1mac g1mac
	((f == 6)) && why=drop-fragment
	cut0=$(esp_stat g1 $why)
	h1mac=$(ip -n h1 -j link show eth0 | jq -r '.[0].address')
	g1mac=$(ip -n g1 -j link show eth0 | jq -r '.[0].address')
	capture_start g1 eth1 "$RESULTS/gw$f-cut.pcap"
	check "h1 sends a UDP datagram to h2:7000 cut before its ports$v" ns_exec h1 \
		/usr/bin/python3 -c '
import socket, struct, sys
f, src, dst, smac, dmac = sys.argv[1:]
mac = lambda m: bytes.fromhex(m.replace(":", ""))
if f == "6":
    fam, et = socket.AF_INET6, 0x86dd
    frag = struct.pack("!BBHI", 60, 0, 1, 0x5eed)      # offset 0, M
    dopt = struct.pack("!BB", 17, 0) + bytes([1, 4, 0, 0, 0, 0])
    pl = frag + dopt
    ip = struct.pack("!IHBB", 6 << 28, len(pl), 44, 64)
else:
    fam, et = socket.AF_INET, 0x0800
    pl = struct.pack("!H", 4321)                        # half a UDP header
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(pl), 1, 0, 64, 17, 0,
                    socket.inet_pton(fam, src), socket.inet_pton(fam, dst))
    c = sum(struct.unpack("!10H", h))
    c = (c & 0xffff) + (c >> 16)
    ip = h[:10] + struct.pack("!H", ~c & 0xffff) + h[12:]
    src = dst = None
if src:
    ip += socket.inet_pton(fam, src) + socket.inet_pton(fam, dst)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(mac(dmac) + mac(smac) + struct.pack("!H", et) + ip + pl)' \
		"$f" "$H1" "$H2" "$h1mac" "$g1mac"
	if wait_for -t 10 stat_gt g1 $why "$cut0"; then
		ok "g1 dropped it as $why$v"
	else
		fail "g1 dropped it as $why$v" "$(esp_drops g1)"
	fi
	capture_stop
	cut1=$(pcount "$RESULTS/gw$f-cut.pcap" "host $H1 and not esp")
	if ((cut1 == 0)); then
		ok "nothing of it crossed in clear$v"
	else
		fail "nothing of it crossed in clear$v" \
			"$(tcpdump -nr "$RESULTS/gw$f-cut.pcap" 2>/dev/null | head -4)"
	fi

	# b. h2 pings h1 with 1300 bytes, DF; g1's link to h1 is smaller
	local icmp_esp icmp_plain
	ip -n g1 link set eth0 mtu $inner_mtu
	ip -n h1 link set eth0 mtu $inner_mtu
	capture_start g1 eth1 "$RESULTS/gw$f-icmp.pcap"
	ns_exec h2 ping -$f -c 2 -i 0.5 -W 2 -M "do" -s 1300 $H1 >"$RESULTS/gw$f-ping.out" 2>&1 || true
	capture_stop
	# g1's own ESP: the errors it sent back (h2's pings come from g2)
	icmp_esp=$(pcount "$RESULTS/gw$f-icmp.pcap" "src host $G1O and esp")
	# ICMP errors in clear (ICMPv6 types below 128; not neighbour discovery)
	icmp_plain=$(tcpdump -nr "$RESULTS/gw$f-icmp.pcap" 'icmp or (icmp6 and ip6[40] < 128)' \
		2>/dev/null | wc -l)
	if ((icmp_plain == 0 && icmp_esp >= 1)); then
		ok "g1's packet-too-big did not cross in clear ($icmp_esp ESP packets)$v"
	else
		fail "g1's packet-too-big did not cross in clear$v" \
			"$(tcpdump -nr "$RESULTS/gw$f-icmp.pcap" 'icmp or icmp6' 2>/dev/null | head -6)"
	fi
	if grep -q "mtu = $inner_mtu\|mtu=$inner_mtu" "$RESULTS/gw$f-ping.out" ||
		ip -n h2 -$f route get $H1 | grep -q "mtu $inner_mtu"; then
		ok "h2 learned the path MTU through the tunnel ($inner_mtu)$v"
	else
		fail "h2 learned the path MTU through the tunnel ($inner_mtu)$v" \
			"$(cat "$RESULTS/gw$f-ping.out")" "$(ip -n h2 -$f route get $H1)" \
			"g1: $(esp_drops g1)" "g2: $(esp_drops g2)"
	fi
	for n in h1 g1 g2 h2; do ip netns del $n; done
}
gateway_pair 4
gateway_pair 6
