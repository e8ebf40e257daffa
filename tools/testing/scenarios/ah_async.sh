#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock debug stock61
# timeout: 600
#
# AH with asynchronous hashing: with force_async=1 every AH transform is
# cryptd(...), so each packet leaves the hook with -EINPROGRESS and
# continues from the callback. Traffic against XFRM must work as before,
# an ICV failure found from the callback must be counted, and the module
# must unload cleanly afterwards.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/scenarios/esp_common.inc"
. "$SRC/tools/testing/scenarios/ah_common.inc"

require iperf3 jq ping xxd tcpdump python3

INJ="/usr/bin/python3 $SRC/tools/testing/scenarios/ah_inject.py"
check "unload nipsec" unload_nipsec
NIPSEC_PARAMS="force_async=1" check "load nipsec force_async=1" load_nipsec
# reload without the parameter whatever happens below
on_exit 'unload_nipsec; load_nipsec'

esp_pair a b
refs=$(crypto_refs 'cryptd(hmac(sha256')
AH_SAFILE=$RESULTS/sas.txt
: >"$AH_SAFILE"
if ah_sas a 1 b transport 4 4 sha256 0x9000 64 >"$RESULTS/sa.err" 2>&1; then
	ok "AH hmac(sha256) transport SAs"
else
	fail "AH hmac(sha256) transport SAs" "$(cat "$RESULTS/sa.err")"
fi
# this scenario's SAs hold cryptd instances: their users went up
if (($(crypto_refs 'cryptd(hmac(sha256') > refs)); then
	ok "the SA's transform is a cryptd(hmac(sha256...)) instance"
else
	fail "the SA's transform is a cryptd(hmac(sha256...)) instance" \
		"$(grep '^driver *: cryptd' /proc/crypto)"
fi
capture_start a eth0 "$RESULTS/async.pcap" ip proto 51
check "async AH: ping nipsec -> XFRM" esp_ping a "${ESP_O4[2]}"
check "async AH: ping XFRM -> nipsec" esp_ping b "${ESP_O4[1]}"
check "async AH: the request was captured" wait_for -t 15 bash -c \
	"tcpdump -n -r '$RESULTS/async.pcap' 2>/dev/null | grep -q 'spi=0x00009002'"
capture_stop
check "async AH: TCP nipsec -> XFRM completes" esp_tcp a "${ESP_O4[2]}" 128K
check "async AH: TCP XFRM -> nipsec completes" esp_tcp a "${ESP_O4[2]}" 128K -R
tx=$(esp_stat a tx-packets)
rx=$(esp_stat a rx-packets)
if ((tx > 50 && rx > 50)); then
	ok "async AH: the traffic went through nipsec (tx $tx, rx $rx)"
else
	fail "async AH: the traffic went through nipsec" "tx $tx rx $rx"
fi

# the callback's error path: a bad ICV found after cryptd's digest
before=$(esp_stat a drop-auth)
# shellcheck disable=SC2086 # INJ is a command and its script
ns_exec b $INJ mutate eth0 "$RESULTS/async.pcap" 0x00009002 --seq 9000 \
	--resign "$AH_SAFILE" --flip-icv
wait_for -t 5 stat_gt a drop-auth "$before" || true
after=$(esp_stat a drop-auth)
if ((after > before)); then
	ok "async AH: a bad ICV is counted from the callback ($after)"
else
	fail "async AH: a bad ICV is counted from the callback" "$(esp_drops a)"
fi

# tunnel, another hash (cmac(aes)) and the other family
esp_flush a b
if ah_sas a 1 b tunnel 6 6 cmac 0x9100 64 >"$RESULTS/sa.err" 2>&1; then
	ok "AH cmac(aes) tunnel SAs"
else
	fail "AH cmac(aes) tunnel SAs" "$(cat "$RESULTS/sa.err")"
fi
check "async AH: ping through a 6-in-6 cmac(aes) tunnel" esp_ping a "${ESP_I6[2]}"
check "async AH: TCP through the tunnel completes" esp_tcp a "${ESP_I6[2]}" 128K
check "async AH: TCP back through the tunnel completes" esp_tcp a "${ESP_I6[2]}" 128K -R

drops=$(esp_drops a | grep -v '^drop-auth=' || true)
if [[ -z $drops ]]; then ok "async AH: no other drop"; else fail "async AH: no other drop" "$drops"; fi

esp_flush a b
ip netns del a
ip netns del b
check "unload with no hash in flight" unload_nipsec
check "load again without force_async" load_nipsec
