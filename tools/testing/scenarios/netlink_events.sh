#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock debug stock61
# timeout: 600
#
# Events of the nipsec family as an IKE daemon sees them on `nipsec
# monitor` (and, independently, on a YNL CLI subscription): sa-del and
# policy-del, soft and hard expiry by time, by use time, by packets and by
# bytes, and acquire (at most one per policy per second, then quiet while
# it is pending) on the first packets of a protected flow without an SA.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/ynl/ynl.sh"

nipsec_loaded || load_nipsec
require ping jq

tmp=$(mktemp -d)
on_exit rm -rf "$tmp"
ns_new ev-a
ns_new ev-b
ns_link ev-a veth0 ev-b veth0
ns_addr ev-a veth0 192.0.2.1/24
ns_addr ev-b veth0 192.0.2.2/24
A() { ip netns exec ev-a "$NIPSEC" "$@"; }
B() { ip netns exec ev-b "$NIPSEC" "$@"; }
KEY=0x5ec7e75eed0fc0ffee0ddba11deadbeea5a5a5a5
GCM='rfc4106(gcm(aes))'
check "plain ping before any policy" ip netns exec ev-a ping -c1 -W5 192.0.2.2

# The monitor prints one JSON object per event and line.
MON=$tmp/mon
ip netns exec ev-a "$NIPSEC" -j monitor >"$MON" 2>"$tmp/mon.err" &
on_exit kill $!
check "monitor listens" monitor_ready ev-a "$MON"
# events EXPR - the events (one JSON per line) that satisfy a jq filter
events() { jq -c "select($1)" "$MON" 2>/dev/null; }
nevents() { events "$1" | wc -l; }
has_event() { [[ $(nevents "$1") -gt 0 ]]; }
# expect_event DESC EXPR [TIMEOUT] - wait for an event
expect_event() {
	if wait_for -t "${3:-10}" has_event "$2"; then
		ok "$1"
	else
		fail "$1" "no event matching: $2" "$(tail -n 20 "$MON")"
	fi
}

# ------------------------------------------------------ sa-del / policy-del

check "sa add (to delete)" A sa add src 192.0.2.1 dst 192.0.2.9 proto esp spi 0x901 reqid 9 \
	aead "$GCM" $KEY 128
check "sa del" A sa del dst 192.0.2.9 proto esp spi 0x901
expect_event "sa-del event names the deleted SA" \
	'.event == "sa-del" and .sa.spi == 2305 and .sa.dst == "192.0.2.9" and .sa.reqid == 9 and .sa.aead.name == "rfc4106(gcm(aes))"'
check "two SAs, then sa flush" bash -c "
	ip netns exec ev-a '$NIPSEC' sa add src 192.0.2.1 dst 192.0.2.9 proto esp spi 0x902 aead '$GCM' $KEY 128 &&
	ip netns exec ev-a '$NIPSEC' sa add src 192.0.2.1 dst 192.0.2.9 proto esp spi 0x903 aead '$GCM' $KEY 128 &&
	ip netns exec ev-a '$NIPSEC' sa flush"
expect_event "flush: sa-del for the first" '.event == "sa-del" and .sa.spi == 2306'
expect_event "flush: sa-del for the second" '.event == "sa-del" and .sa.spi == 2307'
check "policy add (to delete)" A policy add src 10.9.0.0/16 dst 10.8.0.0/16 dir fwd priority 77 \
	tmpl src 192.0.2.1 dst 192.0.2.9 proto esp mode tunnel reqid 9
check "policy del by selector" A policy del dir fwd src 10.9.0.0/16 dst 10.8.0.0/16
expect_event "policy-del event names the policy" \
	'.event == "policy-del" and .policy.dir == "fwd" and .policy.priority == 77 and .policy.tmpl.reqid == 9'
check "policy add x2, policy flush" bash -c "
	ip netns exec ev-a '$NIPSEC' policy add src 10.7.0.0/16 dir in action block &&
	ip netns exec ev-a '$NIPSEC' policy add src 10.6.0.0/16 dir out action allow &&
	ip netns exec ev-a '$NIPSEC' policy flush"
if wait_for -t 10 bash -c "[[ \$(jq -c 'select(.event == \"policy-del\")' '$MON' | wc -l) -ge 3 ]]"; then
	ok "policy flush: a policy-del per policy"
else
	fail "policy flush: a policy-del per policy" "$(cat "$MON")"
fi

# ------------------------------------------------------------ time limits

# An independent listener: YNL CLI subscribed to the events group. It
# prints what it received when its --sleep ends: long enough for the
# hard expiry below even on a slow, loaded TCG host.
if ynl_setup; then
	ynl_ns ev-a --subscribe events --sleep 40 >"$tmp/ynl-ntf" 2>&1 &
	ynl_pid=$!
	# until it listens (python start-up is slow under TCG)
	check "YNL subscriber listens" wait_for -t 60 ynl_listening
else
	ynl_pid=
	diag "YNL CLI not available: only the tool's monitor listens"
fi
# Soft 4 s and hard 12 s after the add: the GC looks once a second, and a
# hard limit found already due suppresses the soft event (as in XFRM), so
# the two must be far enough apart for a slow VM.
t0=$SECONDS
check "sa add with time-soft 4 time-hard 12" A sa add src 192.0.2.1 dst 192.0.2.8 proto esp \
	spi 0x801 reqid 8 aead "$GCM" $KEY 128 limit time-soft 4 limit time-hard 12
if ((SECONDS - t0 <= 2)); then
	if has_event '.event == "expire" and .sa.spi == 2049'; then
		fail "no expire event before the soft limit" "$(cat "$MON")"
	else
		ok "no expire event before the soft limit"
	fi
else
	skip "no expire event before the soft limit" "host too slow ($((SECONDS - t0)) s to add)"
fi
expect_event "soft expire (add-time) after ~4 s" \
	'.event == "expire" and .hard == false and .limit == "add-time" and .sa.spi == 2049' 20
dt=$((SECONDS - t0))
if ((dt >= 3)); then ok "soft expiry not early (${dt}s)"; else fail "soft expiry not early (${dt}s)"; fi
if has_event '.event == "expire" and .hard == true and .sa.spi == 2049'; then
	if ((SECONDS - t0 < 12)); then
		fail "hard expiry not before its limit ($((SECONDS - t0)) s)" "$(cat "$MON")"
	else
		skip "hard expiry not together with the soft one" "host too slow"
	fi
else
	ok "hard expiry not together with the soft one"
	check "SA dying after the soft limit" bash -c \
		"ip netns exec ev-a '$NIPSEC' -j sa get dst 192.0.2.8 proto esp spi 0x801 | jq -e '.state == \"dying\"'"
fi
expect_event "hard expire (add-time) after ~12 s" \
	'.event == "expire" and .hard == true and .limit == "add-time" and .sa.spi == 2049' 30
dt=$((SECONDS - t0))
if ((dt >= 11)); then ok "hard expiry not early (${dt}s)"; else fail "hard expiry not early (${dt}s)"; fi
expect_event "hard expiry deletes the SA (sa-del event)" '.event == "sa-del" and .sa.spi == 2049'
check_not "SA gone after hard expiry" A sa get dst 192.0.2.8 proto esp spi 0x801
if [[ $(nevents '.event == "expire" and .hard == false and .sa.spi == 2049') == 1 ]]; then
	ok "exactly one soft expire event"
else
	fail "exactly one soft expire event" "$(cat "$MON")"
fi
if [[ -n $ynl_pid ]]; then
	wait "$ynl_pid" || true
	if grep -q '"expire-ntf"' "$tmp/ynl-ntf" && grep -q '"hard": true' "$tmp/ynl-ntf" &&
		grep -q '"sa-del-ntf"' "$tmp/ynl-ntf"; then
		ok "YNL subscriber saw expire-ntf (soft, hard) and sa-del-ntf"
	else
		fail "YNL subscriber saw expire-ntf and sa-del-ntf" "$(head -c 3000 "$tmp/ynl-ntf")"
	fi
fi

check "sa add with use-time limits, never used" A sa add src 192.0.2.1 dst 192.0.2.7 proto esp \
	spi 0x701 aead "$GCM" $KEY 128 limit time-use-soft 1 limit time-use-hard 2
# beside it an SA whose add-time limits are the same: once that one has
# expired hard, the GC has looked at both past their limits
check "sa add with the same add-time limits" A sa add src 192.0.2.1 dst 192.0.2.7 proto esp \
	spi 0x702 aead "$GCM" $KEY 128 limit time-soft 1 limit time-hard 2
expect_event "the add-time SA expired hard" \
	'.event == "expire" and .sa.spi == 1794 and .hard == true' 30
if has_event '.event == "expire" and .sa.spi == 1793'; then
	fail "use-time limits do not run before the first use" "$(cat "$MON")"
else
	ok "use-time limits do not run before the first use"
fi
A sa del dst 192.0.2.7 proto esp spi 0x701 || true

# ------------------------------------------------------------------ acquire

check "out policy protect, no SA" A policy add src 192.0.2.1 dst 192.0.2.2 proto icmp dir out \
	tmpl proto esp mode transport reqid 5
pol=$(A -j policy list dir out | jq '.[0].id')
acq_before=$(A -j stats | jq -e '(.stats // .).acquires')
# 10 packets in about 0.5 s: one acquire
ip netns exec ev-a ping -c 10 -i 0.05 -W1 192.0.2.2 >/dev/null 2>&1 || true
expect_event "acquire on the first packet" ".event == \"acquire\" and .\"policy-id\" == $pol"
n=$(nevents '.event == "acquire"')
if [[ $n == 1 ]]; then ok "one acquire for a burst inside a second"; else fail "one acquire for a burst inside a second ($n)" "$(events '.event == "acquire"')"; fi
expect_event "acquire names the template and the packet" \
	'.event == "acquire" and .tmpl.reqid == 5 and .tmpl.proto == "esp" and .sel.src == "192.0.2.1" and .sel.dst == "192.0.2.2" and .sel.proto == "icmp"'
events '.event == "acquire"' | head -n1 | _indent
# Larval acquire: while it is pending (acq_expires, 30 s), the template
# stays quiet even after the per-policy second has passed.
sleep 1.5
ip netns exec ev-a ping -c 3 -i 0.05 -W1 192.0.2.2 >/dev/null 2>&1 || true
# an acquire those pings caused would be in the file before this marker
check "marker after the pings" monitor_mark ev-a "$MON" 0xfffffff1
n=$(nevents '.event == "acquire"')
if [[ $n == 1 ]]; then ok "no second acquire while the first is pending"; else fail "no second acquire while the first is pending ($n)" "$(events '.event == "acquire"')"; fi
# wait_acquires N [TIMEOUT] - until the monitor has seen N acquires
wait_acquires() {
	wait_for -t "${2:-5}" bash -c "[[ \$(jq -c 'select(.event == \"acquire\")' '$MON' | wc -l) == $1 ]]"
}
# an SA for the template answers the pending acquire: when it goes, the
# next packet asks at once, without waiting for acq_expires
check "an SA for the template (reqid 5)" A sa add src 192.0.2.1 dst 192.0.2.2 proto esp \
	spi 0x501 reqid 5 aead "$GCM" $KEY 128
ip netns exec ev-a ping -c 1 -W1 192.0.2.2 >/dev/null 2>&1 || true
check "delete it" A sa del dst 192.0.2.2 proto esp spi 0x501
sleep 1.1
ip netns exec ev-a ping -c 2 -i 0.3 -W1 192.0.2.2 >/dev/null 2>&1 || true
if wait_acquires 2; then
	ok "installing an SA cleared the pending acquire"
else
	fail "installing an SA cleared the pending acquire" "$(events '.event == "acquire"')"
fi
# a pending acquire that nobody answers expires: then the template asks again
echo 1 >/sys/module/nipsec/parameters/acq_expires
on_exit "echo 30 >/sys/module/nipsec/parameters/acq_expires"
check "policy for another template (reqid 6)" A policy add src 192.0.2.1 dst 192.0.2.3 \
	proto icmp dir out tmpl proto esp mode transport reqid 6
ip netns exec ev-a ping -c 1 -W1 192.0.2.3 >/dev/null 2>&1 || true
check "acquire for it" wait_acquires 3
sleep 2
ip netns exec ev-a ping -c 1 -W1 192.0.2.3 >/dev/null 2>&1 || true
if wait_acquires 4; then
	ok "a second acquire once the pending one expired (acq_expires 1 s)"
else
	fail "a second acquire once the pending one expired" "$(events '.event == "acquire"')"
fi
echo 30 >/sys/module/nipsec/parameters/acq_expires
acq_after=$(A -j stats | jq -e '(.stats // .).acquires')
if ((acq_after - acq_before == 4)); then ok "acquires counter +4"; else fail "acquires counter +4 ($acq_before -> $acq_after)" "$(A -j stats)"; fi
check "policy flush" A policy flush

# ---------------------------------------------------- limits by traffic

# sa_pair SPI_OUT SPI_IN [LIMITS for a's outbound SA...]
sa_pair() {
	local so=$1 si=$2
	shift 2
	A sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi "$so" reqid 1 aead "$GCM" $KEY 128 "$@" &&
		A sa add src 192.0.2.2 dst 192.0.2.1 proto esp spi "$si" reqid 1 aead "$GCM" $KEY 128 &&
		B sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi "$so" reqid 1 aead "$GCM" $KEY 128 &&
		B sa add src 192.0.2.2 dst 192.0.2.1 proto esp spi "$si" reqid 1 aead "$GCM" $KEY 128
}
pols() {
	local ns
	for ns in ev-a ev-b; do
		local me=192.0.2.1 peer=192.0.2.2
		[[ $ns == ev-b ]] && { me=192.0.2.2; peer=192.0.2.1; }
		ip netns exec $ns "$NIPSEC" policy add src $me dst $peer dir out \
			tmpl proto esp mode transport reqid 1 || return 1
		ip netns exec $ns "$NIPSEC" policy add src $peer dst $me dir in \
			tmpl proto esp mode transport reqid 1 || return 1
	done
}
check "policies both ways" pols
# received COUNT-OF-PINGS [ARGS] - replies ping got
received() {
	local n=$1
	shift
	ip netns exec ev-a ping -c "$n" -i 0.2 -W2 "$@" 192.0.2.2 2>/dev/null |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

check "SA pair, a's outbound SA: packet-soft 3 packet-hard 6" sa_pair 0x1001 0x2001 \
	limit packet-soft 3 limit packet-hard 6
got=$(received 10)
diag "10 pings, $got replies"
# counted where they arrive: b's inbound SA took every request a's SA
# protected, whatever became of the replies on a loaded machine
got=$(B -j sa get dst 192.0.2.2 proto esp spi 0x1001 | jq -e '.usage.packets') || got=0
if [[ $got == 6 ]]; then ok "exactly packet-hard (6) packets went through"; else fail "exactly packet-hard (6) packets went through ($got)"; fi
expect_event "soft expire (packets)" \
	'.event == "expire" and .hard == false and .limit == "packets" and .sa.spi == 4097'
expect_event "hard expire (packets)" \
	'.event == "expire" and .hard == true and .limit == "packets" and .sa.spi == 4097'
expect_event "hard expiry by packets deletes the SA" '.event == "sa-del" and .sa.spi == 4097'
expect_event "next packet has no SA: acquire" '.event == "acquire" and .sel.dst == "192.0.2.2"'
check_not "expired SA gone" A sa get dst 192.0.2.2 proto esp spi 0x1001
A sa flush
B sa flush

check "SA pair, a's outbound SA: byte-soft 600 byte-hard 1800" sa_pair 0x1002 0x2002 \
	limit byte-soft 600 limit byte-hard 1800
got=$(received 20 -s 100)
diag "20 pings of 128 bytes, $got replies"
got=$(B -j sa get dst 192.0.2.2 proto esp spi 0x1002 | jq -e '.usage.packets') || got=0
if [[ -n $got ]] && ((got >= 5 && got < 20)); then ok "traffic stopped at the byte limit ($got)"; else fail "traffic stopped at the byte limit ($got)"; fi
expect_event "soft expire (bytes)" '.event == "expire" and .hard == false and .limit == "bytes" and .sa.spi == 4098'
expect_event "hard expire (bytes)" '.event == "expire" and .hard == true and .limit == "bytes" and .sa.spi == 4098'
expect_event "byte-limited SA deleted" '.event == "sa-del" and .sa.spi == 4098'
events '.event == "expire" and .sa.spi == 4098' | _indent
A sa flush
B sa flush

check "SA pair, a's outbound SA: time-use-soft 3 time-use-hard 9" sa_pair 0x1003 0x2003 \
	limit time-use-soft 3 limit time-use-hard 9
t0=$SECONDS
got=$(received 1)
if [[ $got == 1 ]]; then ok "first use of the SA"; else fail "first use of the SA ($got)"; fi
expect_event "soft expire (use-time)" '.event == "expire" and .hard == false and .limit == "use-time" and .sa.spi == 4099' 20
expect_event "hard expire (use-time)" '.event == "expire" and .hard == true and .limit == "use-time" and .sa.spi == 4099' 20
dt=$((SECONDS - t0))
if ((dt >= 8)); then ok "use-time hard limit counted from the first use (${dt}s)"; else fail "use-time hard limit not early (${dt}s)"; fi
A sa flush
B sa flush
A policy flush
B policy flush
check "plain ping again without policies" ip netns exec ev-a ping -c1 -W5 192.0.2.2
if [[ -s $tmp/mon.err ]]; then diag "monitor stderr: $(head -c 500 "$tmp/mon.err")"; fi
