#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo IKE=strongswan`: Debian's unmodified charon negotiates IKEv2 and
# nipsec carries the traffic, through the plugin of tools/strongswan. Runs
# inside the VM (stock kernel) as root. Server A runs charon on nipsec,
# server B charon on the kernel's XFRM: the two interoperate.
set -uo pipefail

. "${SRC:-$(pwd)}/tools/testing/lib.sh"
. "$SRC/tools/testing/scenarios/esp_common.inc"
. "$SRC/tools/testing/scenarios/strongswan.inc"

bold=$'\e[1m'
dim=$'\e[2m'
off=$'\e[0m'
if [[ ${NO_COLOR:-} || ! -t 1 && ${MODE:-} != demo ]]; then
	bold='' dim='' off=''
fi
title() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$off"; }
say() { printf '%s\n' "$*" | fold -s -w 78; }
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
# esp_only, esp_decrypt: the capture shown and checked
# shellcheck source=tools/testing/demo/esp-show.inc
. "$SRC/tools/testing/demo/esp-show.inc"
# xfrm_key NS SRC DST - SPI and key of XFRM's SA SRC -> DST in NS (B's
# XFRM shows its keys; nipsec never does)
xfrm_key() {
	ip -n "$1" xfrm state | awk -v s="$2" -v d="$3" '
		$1 == "src" { cur = ($2 == s && $4 == d) }
		cur && $1 == "proto" && $2 == "esp" { spi = $4 }
		cur && $1 == "aead" { print spi, $3; exit }'
}

mkdir -p "$RESULTS"
[[ -f $SWAN_PLUGIN ]] || die "no $SWAN_PLUGIN (make strongswan)"
load_nipsec || die "cannot load nipsec.ko"
on_exit swan_stop_all

title "strongSwan's charon on nipsec"
say "Server A (192.0.2.1) runs Debian's charon with the nipsec plugin: SAs \
and policies go to nipsec, not to XFRM. Server B (192.0.2.2) runs the same \
charon on XFRM. They negotiate IKEv2 with a pre-shared key and a \
transport-mode CHILD_SA with AES-256-GCM (aes256gcm16)."
esp_pair a b
rm -rf "$SWAN_DIR"
swan_conf a nipsec
swan_conf b xfrm
psk=0x$(esp_hex 32)
for side in a b; do
	if [[ $side == a ]]; then l=192.0.2.1 r=192.0.2.2 li=a.test ri=b.test
	else l=192.0.2.2 r=192.0.2.1 li=b.test ri=a.test; fi
	cat >"$SWAN_DIR/$side/swanctl.conf" <<-EOF
		connections {
			host {
				local_addrs = $l
				remote_addrs = $r
				proposals = aes256gcm16-prfsha512-modp2048
				local { auth = psk
					id = $li }
				remote { auth = psk
					id = $ri }
				children { tr { mode = transport
					esp_proposals = aes256gcm16 } }
			}
		}
		secrets { ike-1 { id-a = a.test
			id-b = b.test
			secret = $psk } }
	EOF
done
swan_start b b || die "charon b did not start"
swan_start a a || die "charon a did not start"
grep -E 'kernel-ipsec on|loaded plugins' "$SWAN_DIR/a/charon.log"
swan_load b >/dev/null || die "swanctl --load-all (b)"
swan_load a >/dev/null || die "swanctl --load-all (a)"
say ""
say "Before IKE, A holds only the bypass policies for charon's IKE sockets:"
run a "$NIPSEC" policy list

say ""
say "A initiates:"
swan a --initiate --child tr --timeout 30 | grep -E 'established' || die "initiate"
capture_start b eth0 "$RESULTS/demo-strongswan.pcap" || die "tcpdump"
run a ping -c 3 -i 0.2 192.0.2.2 || die "ping failed"
capture_stop
esp_only b "$RESULTS/demo-strongswan.pcap" || die "something left in the clear"
read -r spi k < <(xfrm_key b 192.0.2.1 192.0.2.2)
[[ -n ${k:-} ]] || die "no XFRM SA 192.0.2.1 -> 192.0.2.2 on B"
spi=$(printf '0x%08x' "$spi")
ESP_KEY_ORIGIN="charon negotiated it; B's XFRM shows it" \
	esp_decrypt b "$RESULTS/demo-strongswan.pcap" 192.0.2.1 192.0.2.2 "$spi" "$k" ||
	die "tshark did not decrypt the first ESP packet with a good ICV"
ip netns exec b iperf3 -s -1 -D >/dev/null 2>&1
sleep 0.5
run a iperf3 -c 192.0.2.2 -t 2 -f m | tail -n 4

say ""
say "What A's charon negotiated (byte counts come from nipsec):"
swan a --list-sas
say "What nipsec holds on A:"
run a "$NIPSEC" sa list
run a "$NIPSEC" stats | head -n 6
say ""
say "And XFRM on A (empty: nipsec carried everything):"
run a ip xfrm state
say "XFRM on B (the peer, same SPIs):"
run b ip xfrm state | grep -E '^src|proto'
say ""
say "A rekeys the CHILD_SA:"
swan a --rekey --child tr >/dev/null || die "rekey"
say "(charon keeps the old inbound SA 5 s for packets in flight)"
sleep 6
run a "$NIPSEC" sa list | grep -E '^src|spi' 
run a ping -c 2 -i 0.2 192.0.2.2 || die "ping after rekey"
title "done"
# make demo IKE=strongswan reports success by this line
say "demo: all steps passed"
