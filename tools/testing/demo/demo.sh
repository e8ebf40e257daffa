#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: nipsec carrying real traffic, told for a person to read.
# Runs inside the VM (stock kernel) as root; every host is a network
# namespace. Part 1: two servers in transport mode with AES-256-GCM
# (strongSwan's aes256gcm16). Part 2: two sites, each a gateway with a LAN
# behind it, joined by a tunnel-mode SA pair.
set -uo pipefail

. "${SRC:-$(pwd)}/tools/testing/lib.sh"

bold=$'\e[1m'
dim=$'\e[2m'
off=$'\e[0m'
if [[ ${NO_COLOR:-} || ! -t 1 && ${MODE:-} != demo ]]; then
	bold='' dim='' off=''
fi

title() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$off"; }
say() { printf '%s\n' "$*" | fold -s -w 78; }
# run NS CMD... - show a command as the operator would type it, then run it
run() {
	local ns=$1
	shift
	printf '%s[%s]#%s %s\n' "$dim" "$ns" "$off" "$*"
	ip netns exec "$ns" "$@"
}
die() {
	printf '%sdemo failed: %s%s\n' "$bold" "$*" "$off"
	exit 1
}
# key BYTES - random hex key, as an IKE daemon would derive it
key() { printf '0x%s' "$(od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n')"; }
# esp_only, esp_decrypt: the capture shown and checked
# shellcheck source=tools/testing/demo/esp-show.inc
. "$SRC/tools/testing/demo/esp-show.inc"

mkdir -p "$RESULTS"
load_nipsec || die "cannot load nipsec.ko"
say "nipsec $(modinfo -F version "$NIPSEC_KO") is loaded: $(modinfo -F description "$NIPSEC_KO")."

# --------------------------------------------------------------- part 1
title "Part 1: Server A and Server B, transport mode, AES-256-GCM"
say "Two servers on one link, 192.0.2.1 and 192.0.2.2. Each gets one SA per \
direction and policies that send all traffic between them through ESP, \
exactly what an IKE daemon would install after negotiating aes256gcm16."

ns_new srvA
ns_new srvB
ns_link srvA eth0 srvB eth0
ns_addr srvA eth0 192.0.2.1/24
ns_addr srvB eth0 192.0.2.2/24

k_ab=$(key 36)	# 32-byte AES key + 4-byte salt
k_ba=$(key 36)
for ns in srvA srvB; do
	run "$ns" "$NIPSEC" sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xa0000001 \
		mode transport reqid 1 replay-window 64 proposal aes256gcm16 "$k_ab" ||
		die "sa add"
	run "$ns" "$NIPSEC" sa add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0xb0000001 \
		mode transport reqid 2 replay-window 64 proposal aes256gcm16 "$k_ba" ||
		die "sa add"
done
run srvA "$NIPSEC" policy add src 192.0.2.1/32 dst 192.0.2.2/32 dir out \
	tmpl proto esp mode transport reqid 1 || die "policy add"
run srvA "$NIPSEC" policy add src 192.0.2.2/32 dst 192.0.2.1/32 dir in \
	tmpl proto esp mode transport reqid 2 || die "policy add"
run srvB "$NIPSEC" policy add src 192.0.2.2/32 dst 192.0.2.1/32 dir out \
	tmpl proto esp mode transport reqid 2 || die "policy add"
run srvB "$NIPSEC" policy add src 192.0.2.1/32 dst 192.0.2.2/32 dir in \
	tmpl proto esp mode transport reqid 1 || die "policy add"

say ""
say "What Server A holds now (keys are never shown, not even to root):"
run srvA "$NIPSEC" sa list
run srvA "$NIPSEC" policy list

capture_start srvB eth0 "$RESULTS/demo-transport.pcap" || die "tcpdump"
say ""
say "Ping and a short TCP transfer from A to B, while the link is captured:"
run srvA ping -c 3 -i 0.2 192.0.2.2 || die "ping failed"
ip netns exec srvB iperf3 -s -1 -D >/dev/null 2>&1
sleep 0.5
run srvA iperf3 -c 192.0.2.2 -t 2 -f m | tail -n 4 || die "iperf3 failed"
capture_stop
esp_only srvB "$RESULTS/demo-transport.pcap" || die "something left in the clear"
esp_decrypt srvB "$RESULTS/demo-transport.pcap" 192.0.2.1 192.0.2.2 0xa0000001 "$k_ab" ||
	die "tshark did not decrypt the first ESP packet with a good ICV"
say ""
say "Counters on Server A (per drop reason too; all drops should be 0):"
run srvA "$NIPSEC" stats

# --------------------------------------------------------------- part 2
title "Part 2: two sites joined by a tunnel"
say "Site 1 (LAN 10.1.0.0/24) and site 2 (LAN 10.2.0.0/24). Their gateways \
198.51.100.1 and 198.51.100.2 protect everything between the two LANs in \
tunnel mode; the hosts behind them know nothing about IPsec."

ns_new host1
ns_new gw1
ns_new gw2
ns_new host2
ns_link host1 eth0 gw1 lan
ns_link gw1 wan gw2 wan
ns_link gw2 lan host2 eth0
ns_addr host1 eth0 10.1.0.10/24
ns_addr gw1 lan 10.1.0.1/24
ns_addr gw1 wan 198.51.100.1/24
ns_addr gw2 wan 198.51.100.2/24
ns_addr gw2 lan 10.2.0.1/24
ns_addr host2 eth0 10.2.0.10/24
ip -n host1 route add default via 10.1.0.1
ip -n host2 route add default via 10.2.0.1
ip -n gw1 route add 10.2.0.0/24 via 198.51.100.2
ip -n gw2 route add 10.1.0.0/24 via 198.51.100.1
for gw in gw1 gw2; do
	ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1
done

k_12=$(key 36)
k_21=$(key 36)
for gw in gw1 gw2; do
	run "$gw" "$NIPSEC" sa add src 198.51.100.1 dst 198.51.100.2 proto esp spi 0x1000 \
		mode tunnel reqid 12 replay-window 128 proposal aes256gcm16 "$k_12" ||
		die "sa add"
	run "$gw" "$NIPSEC" sa add src 198.51.100.2 dst 198.51.100.1 proto esp spi 0x2000 \
		mode tunnel reqid 21 replay-window 128 proposal aes256gcm16 "$k_21" ||
		die "sa add"
done
run gw1 "$NIPSEC" policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out \
	tmpl src 198.51.100.1 dst 198.51.100.2 proto esp mode tunnel reqid 12 || die "policy"
run gw1 "$NIPSEC" policy add src 10.2.0.0/24 dst 10.1.0.0/24 dir fwd \
	tmpl src 198.51.100.2 dst 198.51.100.1 proto esp mode tunnel reqid 21 || die "policy"
run gw2 "$NIPSEC" policy add src 10.2.0.0/24 dst 10.1.0.0/24 dir out \
	tmpl src 198.51.100.2 dst 198.51.100.1 proto esp mode tunnel reqid 21 || die "policy"
run gw2 "$NIPSEC" policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir fwd \
	tmpl src 198.51.100.1 dst 198.51.100.2 proto esp mode tunnel reqid 12 || die "policy"

capture_start gw2 wan "$RESULTS/demo-tunnel.pcap" || die "tcpdump"
say ""
say "A host in site 1 talks to a host in site 2:"
run host1 ping -c 3 -i 0.2 10.2.0.10 || die "ping across the tunnel failed"
ip netns exec host2 iperf3 -s -1 -D >/dev/null 2>&1
sleep 0.5
run host1 iperf3 -c 10.2.0.10 -t 2 -f m | tail -n 4 || die "iperf3 failed"
capture_stop
esp_only gw2 "$RESULTS/demo-tunnel.pcap" || die "something crossed the WAN in the clear"
say "Between the gateways, only 198.51.100.1 <-> 198.51.100.2 ESP is seen."
esp_decrypt gw2 "$RESULTS/demo-tunnel.pcap" 198.51.100.1 198.51.100.2 0x00001000 "$k_12" ||
	die "tshark did not decrypt the first ESP packet with a good ICV"
say "Inside it, the original packet from 10.1.0.10 to 10.2.0.10 (tunnel mode)."
say ""
say "Gateway 1's SAs with their usage, and its counters:"
run gw1 "$NIPSEC" sa list
run gw1 "$NIPSEC" stats

title "Done"
say "Everything above ran on nipsec.ko alone: no XFRM state exists in any namespace."
for ns in srvA srvB gw1 gw2; do
	if [[ -n $(ip -n "$ns" xfrm state 2>/dev/null) ]]; then
		die "XFRM state found in $ns"
	fi
done
# make check's demo test looks for this line
say "demo: all steps passed"
