#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock debug
# timeout: 900
#
# Asynchronous crypto: with force_async=1 every transform is cryptd(...),
# so each packet leaves the hook with -EINPROGRESS and continues from the
# crypto callback. Traffic against XFRM must work exactly as before, ICV
# failures reported by the callback must be counted, and the module must
# unload cleanly afterwards.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/scenarios/esp_common.inc"

require iperf3 jq ping xxd

INJ="/usr/bin/python3 $SRC/tools/testing/scenarios/esp_inject.py"
check "unload nipsec" unload_nipsec
NIPSEC_PARAMS="force_async=1" check "load nipsec force_async=1" load_nipsec
v=$(cat /sys/module/nipsec/parameters/force_async 2>/dev/null || echo missing)
if [[ $v == Y ]]; then ok "force_async is on"; else fail "force_async is on" "$v"; fi
# reload without the parameter whatever happens below
on_exit 'unload_nipsec; load_nipsec'

esp_pair a b
refs=$(crypto_refs 'cryptd(rfc4106')
if esp_sas a 1 b transport 4 4 gcm128 0x8000 >"$RESULTS/sa.err" 2>&1; then
	ok "rfc4106 transport SAs"
else
	fail "rfc4106 transport SAs" "$(cat "$RESULTS/sa.err")"
fi
key=${ALGW[2]:-}
# this scenario's SAs hold cryptd instances: their users went up
if (($(crypto_refs 'cryptd(rfc4106') > refs)); then
	ok "the SA's transform is a cryptd(rfc4106...) instance"
else
	fail "the SA's transform is a cryptd(rfc4106...) instance" \
		"$(grep '^driver *: cryptd' /proc/crypto)"
fi
capture_start a eth0 "$RESULTS/async.pcap" esp
check "async: ping nipsec -> XFRM" esp_ping a "${ESP_O4[2]}"
check "async: ping XFRM -> nipsec" esp_ping b "${ESP_O4[1]}"
check "async: the ESP request was captured" esp_captured "$RESULTS/async.pcap" 0x00008002
capture_stop
check "async: TCP nipsec -> XFRM completes" esp_tcp a "${ESP_O4[2]}" 256K
check "async: TCP XFRM -> nipsec completes" esp_tcp a "${ESP_O4[2]}" 256K -R
check "async: UDP nipsec -> XFRM arrives" esp_udp a "${ESP_O4[2]}"
check "async: UDP XFRM -> nipsec arrives" esp_udp b "${ESP_O4[1]}"
tx=$(esp_stat a tx-packets)
rx=$(esp_stat a rx-packets)
if ((tx > 100 && rx > 100)); then
	ok "async: the traffic went through nipsec (tx $tx, rx $rx)"
else
	fail "async: the traffic went through nipsec" "tx $tx rx $rx"
fi

# the callback's error path: a bad ICV detected by cryptd, a replay
before=$(esp_stat a drop-auth)
# shellcheck disable=SC2086 # INJ is a command and its script
ns_exec b $INJ mutate eth0 "$RESULTS/async.pcap" 0x00008002 --seq 9000 \
	--reseal "$key" --flip-icv
wait_for -t 5 stat_gt a drop-auth "$before" || true
after=$(esp_stat a drop-auth)
if ((after > before)); then
	ok "async: a bad ICV is counted from the callback ($after)"
else
	fail "async: a bad ICV is counted from the callback" "$(esp_drops a)"
fi

# tunnel, another AEAD path (authenc) and the other family
esp_flush a b
if esp_sas a 1 b tunnel 6 6 cbc-sha256 0x8100 >"$RESULTS/sa.err" 2>&1; then
	ok "authenc tunnel SAs"
else
	fail "authenc tunnel SAs" "$(cat "$RESULTS/sa.err")"
fi
check "async: ping through a 6-in-6 cbc(aes)/hmac(sha256) tunnel" esp_ping a "${ESP_I6[2]}"
check "async: TCP through the tunnel completes" esp_tcp a "${ESP_I6[2]}" 256K
check "async: TCP back through the tunnel completes" esp_tcp a "${ESP_I6[2]}" 256K -R

drops=$(esp_drops a | grep -v '^drop-auth=' || true)
if [[ -z $drops ]]; then ok "async: no other drop"; else fail "async: no other drop" "$drops"; fi

esp_flush a b
ip netns del a
ip netns del b
check "unload with no crypto in flight" unload_nipsec
check "load again without force_async" load_nipsec
