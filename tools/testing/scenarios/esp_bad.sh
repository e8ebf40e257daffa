#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock debug stock61
# timeout: 900
#
# Bad input and policy enforcement: every kind of packet nipsec must refuse
# is refused, and counted under its own drop reason. Namespace "a" runs
# nipsec, "b" runs XFRM (GCM, transport) and also sends hand-made frames
# (esp_inject.py, through a packet socket, past b's own IPsec).
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/scenarios/esp_common.inc"

require tcpdump jq ping xxd

nipsec_loaded || load_nipsec
INJ="/usr/bin/python3 $SRC/tools/testing/scenarios/esp_inject.py"
esp_pair a b
mac_a=$(ip -n a -j link show eth0 | jq -r '.[0].address')
mac_b=$(ip -n b -j link show eth0 | jq -r '.[0].address')
A=${ESP_O4[1]} B=${ESP_O4[2]}

check "SAs and policies (rfc4106, transport)" esp_sas a 1 b transport 4 4 gcm128 0x5000
key=${ALGW[2]:-}	# both directions
capture_start a eth0 "$RESULTS/bad.pcap" esp
check "ping through the SAs" esp_ping b "$A"
spi_ba=0x00005002
check "the ESP request was captured" esp_captured "$RESULTS/bad.pcap" $spi_ba
capture_stop

# counter_moves NAME CMD... - run CMD; ok iff drop counter NAME went up
counter_moves() {
	local what=$1 name=$2 before after
	shift 2
	before=$(esp_stat a "$name")
	"$@" >"$RESULTS/inject.out" 2>&1 || {
		fail "$what" "$(cat "$RESULTS/inject.out")"
		return 0
	}
	# the packet crosses the veth and a softirq: give it a moment
	wait_for -t 5 stat_gt a "$name" "$before" || true
	after=$(esp_stat a "$name")
	if ((after > before)); then
		ok "$what ($name $before -> $after)"
	else
		fail "$what" "$name stayed at $after" "$(esp_drops a)"
	fi
}

# shellcheck disable=SC2086 # INJ is a command and its script
inj() { ns_exec b $INJ "$@"; }
try() { "$@" || true; }

# nipsec monitor drops listens through the whole run: every drop below
# must reach it as an event or in the suppressed count of a later one
# (the notification path, under KASAN and lockdep on the debug kernel)
drops_mon=$RESULTS/drops-monitor.json
ip netns exec a "$NIPSEC" -j monitor drops >"$drops_mon" 2>/dev/null &
drops_pid=$!
on_exit kill "$drops_pid"
drops_total() {
	NIP -n a -j stats | jq -e '[(.stats // .) | to_entries[] |
		select(.key | startswith("drop-")) | .value] | add'
}
drops_seen() { jq -e -s "length > $1" "$drops_mon"; }
# subscribed once an unknown-SPI probe comes back as an event
drops_sub=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	inj mutate eth0 "$RESULTS/bad.pcap" $spi_ba --spi 0xdead0007 >/dev/null 2>&1 || true
	if wait_for -t 2 drops_seen 0; then drops_sub=1; break; fi
done
if ((drops_sub)); then ok "monitor drops is subscribed (an unknown SPI's drop)"; else
	fail "monitor drops is subscribed (an unknown SPI's drop)" "$(head -c 300 "$drops_mon")"; fi
# the baseline: events and counters read together once neither moves (a
# probe sent before the subscription was complete may still be on its way)
drops_n0=-1 drops_c0=-1
for _ in 1 2 3 4 5 6 7 8 9 10; do
	n=$(jq -s length "$drops_mon" 2>/dev/null) || n=-2
	c=$(drops_total)
	((n == drops_n0 && c == drops_c0)) && break
	drops_n0=$n drops_c0=$c
	sleep 0.5
done

counter_moves "a captured packet sent again is a replay" drop-replay \
	inj replay eth0 "$RESULTS/bad.pcap" $spi_ba
counter_moves "a flipped ICV byte fails authentication" drop-auth \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi_ba --seq 5000 --reseal "$key" --flip-icv
counter_moves "a changed sequence number fails authentication (it is in the AAD)" drop-auth \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi_ba --seq 5001
counter_moves "an unknown SPI is dropped" drop-no-sa \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi_ba --spi 0xdead0001
# the control of the cases above: re-sealed for a new number, accepted
counter_moves "a captured packet re-sealed for a new sequence number is accepted" \
	rx-packets inj mutate eth0 "$RESULTS/bad.pcap" $spi_ba --seq 5010 --reseal "$key"
counter_moves "ESP cut after 4 bytes of payload is truncated" drop-truncated \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi_ba --seq 5002 --reseal "$key" --truncate 4
counter_moves "an ESP header alone is truncated" drop-truncated \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi_ba --seq 5003 --reseal "$key" --truncate 0

# ESP with neither encryption nor integrity (RFC 4303 3.2 forbids it) is
# refused unless the operator asks for it, insecurely, by module parameter.
# (an earlier scenario of this boot may have allowed it: start from the
# default, N)
null_param=/sys/module/nipsec/parameters/allow_null_esp
echo 0 >"$null_param" || true
if [[ $(cat "$null_param" 2>&1) == N ]] &&
	! NIP -n a sa add src "$B" dst "$A" proto esp spi 0x6003 mode transport \
		reqid 79 enc 'ecb(cipher_null)' "" >"$RESULTS/null.out" 2>&1 &&
	grep -q 'RFC 4303 3.2' "$RESULTS/null.out"; then
	ok "ESP with null cipher and no integrity refused, with a reason"
else
	fail "ESP with null cipher and no integrity refused, with a reason" \
		"param: $(cat "$null_param" 2>&1)" "$(cat "$RESULTS/null.out")"
fi
check_not "so no such SA exists" NIP -n a sa get src "$B" dst "$A" proto esp spi 0x6003
echo 1 >"$null_param"

# Hand-made ESP with ecb(cipher_null) and no ICV: what the payload says is
# what nipsec decrypts, so padding and next header can be wrong on purpose.
check "null SA (transport) added" NIP -n a sa add src "$B" dst "$A" proto esp \
	spi 0x6001 mode transport reqid 77 enc 'ecb(cipher_null)' ""
check "null SA (tunnel) added" NIP -n a sa add src "$B" dst "$A" proto esp \
	spi 0x6002 mode tunnel reqid 78 enc 'ecb(cipher_null)' ""
counter_moves "padding that is not 1, 2, 3, ... is refused" drop-bad-padding \
	inj null eth0 "$mac_b" "$mac_a" "$B" "$A" 0x6001 1 --pad 090909
counter_moves "a pad length beyond the payload is refused" drop-bad-padding \
	inj null eth0 "$mac_b" "$mac_a" "$B" "$A" 0x6001 2 --pad 0102 --padlen 200
counter_moves "a packet no in-policy template names (reqid 77) is refused" drop-selector \
	inj null eth0 "$mac_b" "$mac_a" "$B" "$A" 0x6001 3
counter_moves "tunnel mode with next header 17 has no inner IP packet" drop-inner-family \
	inj null eth0 "$mac_b" "$mac_a" "$B" "$A" 0x6002 1 --inner ip --nexthdr 17
# next header 4 (IPv4): the checksum is all that is wrong
counter_moves "tunnel mode: an inner IPv4 header with a bad checksum is refused" \
	drop-inner-family inj null eth0 "$mac_b" "$mac_a" "$B" "$A" 0x6002 2 --inner ip \
	--nexthdr 4 --bad-inner-csum
counter_moves "a next header 59 (dummy packet, RFC 4303 2.6) is dropped" drop-proto \
	inj null eth0 "$mac_b" "$mac_a" "$B" "$A" 0x6001 4 --nexthdr 59

# Cleartext where the in-policy wants ESP.
counter_moves "cleartext matching an 'in' protect policy is dropped" drop-cleartext \
	inj plain eth0 "$mac_b" "$mac_a" "$B" "$A"

# Fail closed: a protect policy without an SA sends nothing in clear.
ip -n a neigh replace 192.0.2.99 lladdr "$mac_b" dev eth0 nud permanent
check "out policy without an SA" NIP -n a policy add src "$A/32" dst 192.0.2.99/32 \
	dir out tmpl src "$A" dst 192.0.2.99 proto esp mode transport reqid 99
acq=$(esp_stat a acquires)
capture_start b eth0 "$RESULTS/nosa.pcap"
counter_moves "a protect policy without an SA drops (fail closed)" drop-out-no-sa \
	try ns_exec a ping -c 2 -i 0.3 -W 1 192.0.2.99
capture_stop
n=$(tcpdump -n -r "$RESULTS/nosa.pcap" host 192.0.2.99 2>/dev/null | wc -l)
if ((n == 0)); then
	ok "nothing reached the wire for the destination without an SA"
else
	fail "nothing reached the wire for the destination without an SA" \
		"$(tcpdump -n -r "$RESULTS/nosa.pcap" host 192.0.2.99 2>/dev/null | head -3)"
fi
if (($(esp_stat a acquires) > acq)); then
	ok "an acquire was sent for it"
else
	fail "an acquire was sent for it"
fi
check "discard policy" NIP -n a policy add src "$A/32" dst 192.0.2.98/32 dir out \
	action discard
ip -n a neigh replace 192.0.2.98 lladdr "$mac_b" dev eth0 nud permanent
counter_moves "a discard policy drops" drop-policy \
	try ns_exec a ping -c 1 -W 1 192.0.2.98

# Sequence numbers are never reused: an SA 1 short of 2^32 sends one packet
# then refuses, and tells the IKE daemon (hard expire, limit "seq") as at
# any hard limit, so it rekeys instead of the SA dropping silently.
check "outbound SA near the end of its sequence space" NIP -n a sa del \
	src "$A" dst "$B" proto esp spi 0x00005001
esp_alg gcm128
mon=$RESULTS/seq-monitor.json
ip netns exec a "$NIPSEC" -j monitor >"$mon" 2>/dev/null &
mon_pid=$!
# the monitor is subscribed once it reports a probe SA's deletion
probe() {
	NIP -n a sa add src "$A" dst 192.0.2.77 proto esp spi 0x5fff "${ALGW[@]}" &&
	NIP -n a sa del dst 192.0.2.77 proto esp spi 0x5fff
}
probed() { jq -e -s 'any(.[]; .event == "sa-del" and .sa.spi == 24575)' "$mon"; }
subscribed=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	probe >/dev/null 2>&1 || true
	if wait_for -t 2 probed; then subscribed=1; break; fi
done
if ((subscribed)); then ok "the event monitor is subscribed (a probe's sa-del)"; else
	fail "the event monitor is subscribed (a probe's sa-del)" "$(head -c 500 "$mon")"; fi
check "re-added with replay-oseq 0xfffffffe" NIP -n a sa add src "$A" dst "$B" \
	proto esp spi 0x5003 mode transport reqid $((0x5000)) "${ALGW[@]}" \
	replay-oseq 0xfffffffe
before=$(esp_stat a drop-seq-exhausted)
ns_exec a ping -c 1 -W 1 "$B" >/dev/null 2>&1 || true
seq=$(NIP -n a -j sa get src "$A" dst "$B" proto esp spi 0x5003 | jq -r '.seq // .[0].seq')
if [[ $seq == 4294967295 ]]; then
	ok "the first packet took sequence number 2^32 - 1"
else
	fail "the first packet took sequence number 2^32 - 1" "seq $seq"
fi
ns_exec a ping -c 1 -W 1 "$B" >/dev/null 2>&1 || true
after=$(esp_stat a drop-seq-exhausted)
if ((after == before + 1)); then
	ok "the next one is dropped as exhausted ($before -> $after)"
else
	fail "the next one is dropped as exhausted" "exhausted $before -> $after"
fi
seq_expired() {
	jq -e -s 'any(.[]; .event == "expire" and .hard == true and
		.limit == "seq" and .sa.spi == 20483)' "$mon" >/dev/null
}
check "a hard expire event with limit seq was sent" wait_for -t 10 seq_expired
check "the exhausted SA is deleted" wait_for -t 10 \
	bash -c "! '$NIPSEC' -n a sa get src '$A' dst '$B' proto esp spi 0x5003 >/dev/null 2>&1"
kill "$mon_pid" 2>/dev/null || true
wait "$mon_pid" 2>/dev/null || true

# every drop since the subscription was reported or counted as suppressed:
# after a second (the rate window), one more drop carries the suppressed sum
sleep 1.1
inj mutate eth0 "$RESULTS/bad.pcap" $spi_ba --spi 0xdead0008 >/dev/null 2>&1 || true
drops_summed() {
	local c
	c=$(drops_total) || return 1
	jq -e -s --argjson n "$drops_n0" --argjson d "$((c - drops_c0))" \
		'(.[$n:] | length + (map(.suppressed // 0) | add // 0)) == $d' "$drops_mon"
}
if wait_for -t 10 drops_summed; then
	ok "monitor drops: events + suppressed = drops counted ($(( $(drops_total) - drops_c0 )))"
else
	fail "monitor drops: events + suppressed = drops counted" \
		"counted $(( $(drops_total) - drops_c0 ))" \
		"$(jq -s -c --argjson n "$drops_n0" '.[$n:] | [length, (map(.suppressed // 0) | add)]' "$drops_mon")"
fi
# and each event names a reason whose counter is not 0
bad=$(jq -r -s '.[].reason' "$drops_mon" | sort -u | while read -r r; do
	v=$(esp_stat a "drop-$r" 2>/dev/null) || v=missing
	[[ $v != 0 ]] || echo "$r"
	[[ $v != missing ]] || echo "$r(no counter)"
done)
if [[ -z $bad ]]; then
	ok "monitor drops: reasons $(jq -r -s '[.[].reason] | unique | join(",")' "$drops_mon")"
else fail "monitor drops: every reason is a counter that moved" "$bad"; fi
kill "$drops_pid" 2>/dev/null || true

# No counter moved that should not have: every injected packet was counted
# under its own reason, nothing under crypto/nomem errors.
for c in drop-crypto drop-nomem drop-route; do
	v=$(esp_stat a $c)
	if ((v == 0)); then ok "$c stayed 0"; else fail "$c stayed 0" "$v"; fi
done
