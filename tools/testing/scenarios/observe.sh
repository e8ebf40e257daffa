#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock
# timeout: 240
#
# What an operator troubleshooting nipsec reads (Documentation/
# troubleshooting.rst): the nipsec:nipsec_drop tracepoint on every drop
# (reason, SA, addresses), the core drop reason skb:kfree_skb carries,
# dynamic debug for SA life cycle and refusals, and `nipsec -s sa list`'s
# per-SA counters.  Stock kernel only: the debug kernel is built without
# ftrace and dynamic debug.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/scenarios/esp_common.inc"

require ping jq
nipsec_loaded || load_nipsec
T=/sys/kernel/tracing
[[ -d $T/events ]] || mount -t tracefs nodev "$T" 2>/dev/null || true
[[ -d $T/events/nipsec ]] || skip_all "no tracefs (CONFIG_FTRACE) in this kernel"
DD=/proc/dynamic_debug/control
[[ -w $DD ]] || skip_all "no dynamic debug in this kernel"

trace_reset() {
	echo 0 >"$T/tracing_on"
	echo 0 >"$T/events/enable"
	: >"$T/trace"
}
trace_reset
on_exit trace_reset
on_exit "echo 'module nipsec -p' > $DD"

ns_new o1
ns_new o2
ns_link o1 eth0 o2 eth0
ns_addr o1 eth0 192.0.2.1/24
ns_addr o2 eth0 192.0.2.2/24
GCM='rfc4106(gcm(aes))'
K1=0x$(esp_hex 20) K2=0x$(esp_hex 20)

# dynamic debug: SA life cycle and refusals, in the kernel log
check "dynamic debug on for nipsec" bash -c "echo 'module nipsec +p' > $DD"
check "dynamic debug lists nipsec's call sites" grep -q '\[nipsec\]' "$DD"

check "o1: SA out (key 1)" NIP -n o1 sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x201 \
	mode transport reqid 2 aead "$GCM" "$K1" 128
# o2 has the other key: every packet fails its ICV there
check "o2: SA in (another key)" NIP -n o2 sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x201 \
	mode transport reqid 2 aead "$GCM" "$K2" 128
check_not "a duplicate SA is refused" NIP -n o2 sa add src 192.0.2.1 dst 192.0.2.2 proto esp \
	spi 0x201 mode transport aead "$GCM" "$K2" 128
check "o1: policy out" NIP -n o1 policy add src 192.0.2.1/32 dst 192.0.2.2/32 dir out \
	tmpl proto esp mode transport reqid 2
check "o2: policy in" NIP -n o2 policy add src 192.0.2.1/32 dst 192.0.2.2/32 dir in \
	tmpl proto esp mode transport reqid 2
log=$(dmesg)
if grep -q 'nipsec: SA esp spi 0x00000201 dst 192.0.2.2: added' <<<"$log"; then
	ok "kernel log: the SA's addition"
else fail "kernel log: the SA's addition" "$(grep nipsec <<<"$log" | tail -5)"; fi
if grep -q 'nipsec: refused: an SA with this SPI, destination and proto exists' <<<"$log"; then
	ok "kernel log: the refusal in the extack's words"
else fail "kernel log: the refusal in the extack's words" "$(grep nipsec <<<"$log" | tail -5)"; fi
if grep -q 'nipsec: policy [0-9]* (dir 1, action 0, priority 0): added' <<<"$log"; then
	ok "kernel log: the policy's addition"
else fail "kernel log: the policy's addition" "$(grep nipsec <<<"$log" | tail -5)"; fi

# the tracepoint: every drop with its reason, SA and addresses
check "tracepoint nipsec:nipsec_drop exists" test -d "$T/events/nipsec/nipsec_drop"
check "its format names the reasons" grep -q '"auth"' "$T/events/nipsec/nipsec_drop/format"
# nipsec monitor drops: the same drops as netlink events, in o2's namespace
ip netns exec o2 "$NIPSEC" -j monitor drops >"$RESULTS/drops.json" 2>&1 &
mon=$!
on_exit kill "$mon"
sleep 0.5
echo 1 >"$T/events/nipsec/nipsec_drop/enable"
echo 1 >"$T/events/skb/kfree_skb/enable"
echo 1 >"$T/tracing_on"
a0=$(esp_stat o2 drop-auth)
check_not "ping o1 -> o2 fails: o2 cannot authenticate it" ns_exec o1 ping -c 3 -i 0.3 -W 1 192.0.2.2
a1=$(esp_stat o2 drop-auth)
if ((a1 >= a0 + 3)); then ok "o2 counted the 3 echo requests as drop-auth"; else
	fail "o2 counted the 3 echo requests as drop-auth" "$a0 -> $a1"; fi
# the other way: a protect policy without an SA drops (out-no-sa)
check "o2: policy out without SA" NIP -n o2 policy add src 192.0.2.2/32 dst 192.0.2.1/32 \
	dir out tmpl proto esp mode transport reqid 3
check_not "ping o2 -> o1 fails: no SA" ns_exec o2 ping -c 1 -W 1 192.0.2.1
echo 0 >"$T/tracing_on"
tr=$(cat "$T/trace")
if grep -q 'nipsec_drop: reason=auth spi=0x00000201 proto=50 family=4 src=::ffff:192.0.2.1 dst=::ffff:192.0.2.2' <<<"$tr"; then
	ok "trace: reason auth with the SA's spi and the packet's addresses"
else fail "trace: reason auth with the SA's spi and the packet's addresses" "$(grep nipsec_drop <<<"$tr" | head -3)"; fi
n=$(grep -c 'nipsec_drop: reason=auth spi=0x00000201' <<<"$tr" || true)
if ((n == a1 - a0)); then ok "trace: one event per counted drop ($n)"; else
	fail "trace: one event per counted drop" "$n events, counter moved $((a1 - a0))"; fi
if grep -q 'nipsec_drop: reason=out-no-sa spi=0x00000000 proto=0 family=4 src=::ffff:192.0.2.2 dst=::ffff:192.0.2.1' <<<"$tr"; then
	ok "trace: reason out-no-sa, no SA, the packet's addresses"
else fail "trace: reason out-no-sa, no SA, the packet's addresses" "$(grep nipsec_drop <<<"$tr" | tail -3)"; fi
# nipsec frees what fails its ICV itself: skb:kfree_skb names a core reason
if grep -E 'kfree_skb:.*reason: XFRM_POLICY' <<<"$tr" | grep -q .; then
	ok "skb:kfree_skb: nipsec's drops carry a core reason (XFRM_POLICY)"
else fail "skb:kfree_skb: nipsec's drops carry a core reason (XFRM_POLICY)" "$(grep kfree_skb <<<"$tr" | head -3)"; fi

if jq -e -s 'map(select(.event == "drop" and .reason == "auth" and .sa.spi == 513 and
	.src == "192.0.2.1" and .dst == "192.0.2.2")) | length == 3' "$RESULTS/drops.json" >/dev/null; then
	ok "monitor drops: the 3 auth drops, with the SA and the addresses"
else fail "monitor drops: the 3 auth drops, with the SA and the addresses" "$(head -5 "$RESULTS/drops.json")"; fi
# a flood is rate-limited, and every drop is still accounted for: events
# sent plus the suppressed count the next one carries equal the counter
b0=$(esp_stat o2 drop-auth)
n0=$(jq -s 'length' "$RESULTS/drops.json")
ns_exec o1 ping -q -c 150 -i 0.005 -W 1 192.0.2.2 >/dev/null 2>&1 || true
sleep 1.2
ns_exec o1 ping -q -c 1 -W 1 192.0.2.2 >/dev/null 2>&1 || true
wait_for -t 5 bash -c "jq -e -s '.[-1].suppressed > 0' '$RESULTS/drops.json'" || true
b1=$(esp_stat o2 drop-auth)
read -r sent supp < <(jq -r -s --argjson n "$n0" '.[$n:] | "\(length) \(map(.suppressed) | add // 0)"' \
	"$RESULTS/drops.json")
diag "flood: $((b1 - b0)) drops counted, $sent reported, $supp suppressed"
if ((sent < b1 - b0 && sent + supp == b1 - b0)); then
	ok "monitor drops: a flood is rate-limited and summed in suppressed"
else fail "monitor drops: a flood is rate-limited and summed in suppressed" \
	"counted $((b1 - b0)), reported $sent, suppressed $supp"; fi
kill "$mon" 2>/dev/null || true

# nipsec -s sa list: the SA's own counters, as ip -s xfrm state
check "nipsec -s sa list" bash -c "'$NIPSEC' -n o2 -s sa list > '$RESULTS/o2-sa-list'"
_indent <"$RESULTS/o2-sa-list"
if grep -qE "drops: auth $(esp_stat o2 drop-auth)\$" "$RESULTS/o2-sa-list" &&
	grep -qE 'rx-packets 0 rx-bytes 0' "$RESULTS/o2-sa-list"; then
	ok "-s sa list: drop-auth on the SA, nothing received"
else fail "-s sa list: drop-auth on the SA, nothing received" "$(cat "$RESULTS/o2-sa-list")"; fi
check "nipsec -s sa list on o1: what it sent" grep -qE 'tx-packets [1-9]' \
	<("$NIPSEC" -n o1 -s sa list)

NIP -n o1 sa flush
NIP -n o2 sa flush
NIP -n o1 policy flush
NIP -n o2 policy flush
if grep -q 'nipsec: SA esp spi 0x00000201 dst 192.0.2.2: deleted' <(dmesg); then
	ok "kernel log: the SA's deletion"
else fail "kernel log: the SA's deletion" "$(dmesg | grep nipsec | tail -3)"; fi
