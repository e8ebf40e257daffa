#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock
# timeout: 600
#
# Stock kernel only in make check: its code paths run on the debug kernel
# in other scenarios (ah_async, esp_*, hardening, netlink*, natt), and the
# debug boot did not fit make check's hour with it.
#
# spi-alloc (GETSPI) as IKE daemons use it: many callers at once in a
# narrow range each get a different SPI and the range's end is reported;
# a reservation (larval SA) carries no traffic, lapses after its timeout
# with events, and survives once sa-new/sa-update completes it.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"

nipsec_loaded || load_nipsec
require jq

tmp=$(mktemp -d)
on_exit rm -rf "$tmp"
ns_new spi-a
N() { ip netns exec spi-a "$NIPSEC" "$@"; }
KEY=0x5ec7e75eed0fc0ffee0ddba11deadbeea5a5a5a5
GCM='rfc4106(gcm(aes))'

# alloc_many COUNT MIN MAX DST - COUNT concurrent `spi alloc`, one result
# file each ($tmp/alloc.N: the SPI, or the error)
alloc_many() {
	local n=$1 min=$2 max=$3 dst=$4 i
	rm -f "$tmp"/alloc.*
	for ((i = 0; i < n; i++)); do
		ip netns exec spi-a "$NIPSEC" -j spi alloc src 192.0.2.1 dst "$dst" proto esp \
			min "$min" max "$max" timeout 300 >"$tmp/alloc.$i" 2>&1 &
	done
	wait
}
# spis - the SPIs the last alloc_many got, one per line
spis() {
	local f
	for f in "$tmp"/alloc.*; do
		jq -r 'select(type == "object") | .spi' "$f" 2>/dev/null || true
	done
}
nfailed() { grep -L '"spi"' "$tmp"/alloc.* 2>/dev/null | wc -l; }

# 40 callers, a range of exactly 40 SPIs
alloc_many 40 0x3000 0x3027 192.0.2.2
got=$(spis | wc -l)
uniq=$(spis | sort -u | wc -l)
inrange=$(spis | awk '$1 >= 12288 && $1 <= 12327' | wc -l)
if [[ $got == 40 ]]; then ok "40 concurrent allocations in a 40-SPI range all succeed"; else fail "40 concurrent allocations succeed ($got)" "$(cat "$tmp"/alloc.* | sort | uniq -c | head)"; fi
if [[ $uniq == "$got" ]]; then ok "all $got SPIs distinct"; else fail "SPIs distinct ($uniq of $got)" "$(spis | sort | uniq -d)"; fi
if [[ $inrange == "$got" ]]; then ok "all SPIs inside [0x3000, 0x3027]"; else fail "SPIs inside the range ($inrange of $got)"; fi
check "the range is full: one more is refused" bash -c \
	"! ip netns exec spi-a '$NIPSEC' spi alloc src 192.0.2.1 dst 192.0.2.2 proto esp min 0x3000 max 0x3027 2>'$tmp/e'"
if grep -q "no free SPI in the range" "$tmp/e"; then ok "refusal says: no free SPI in the range"; else fail "refusal message" "$(cat "$tmp/e")"; fi
n=$(N -j sa list | jq '[.[] | select(.state == "larval")] | length')
if [[ $n == 40 ]]; then ok "40 larval SAs listed"; else fail "40 larval SAs listed ($n)"; fi

# more callers than SPIs: exactly the range's size succeed, the rest fail
alloc_many 30 0x4000 0x4013 192.0.2.2
got=$(spis | wc -l)
uniq=$(spis | sort -u | wc -l)
if [[ $got == 20 && $uniq == 20 ]]; then ok "30 callers, 20-SPI range: 20 distinct SPIs"; else fail "30 callers, 20-SPI range: 20 distinct SPIs ($got, $uniq distinct)"; fi
if [[ $(nfailed) == 10 ]]; then ok "the other 10 are refused"; else fail "the other 10 are refused ($(nfailed))" "$(cat "$tmp"/alloc.* | grep -v spi | head -3)"; fi

# the same range for another destination is a different SPI space
alloc_many 5 0x3000 0x3004 192.0.2.3
if [[ $(spis | sort -u | wc -l) == 5 ]]; then ok "same range, other destination: independent"; else fail "same range, other destination: independent" "$(cat "$tmp"/alloc.*)"; fi

# SPIs below 256 are never handed out
check "spi alloc in [1, 256] gives 256" bash -c \
	"ip netns exec spi-a '$NIPSEC' -j spi alloc src 192.0.2.1 dst 192.0.2.4 proto esp min 1 max 256 | jq -e '.spi == 256'"
check_not "spi alloc in [1, 255] refused" N spi alloc src 192.0.2.1 dst 192.0.2.4 proto esp min 1 max 255
check "sa flush" N sa flush

# ------------------------------------------------------------ larval timeout

N -j monitor >"$tmp/mon" 2>"$tmp/mon.err" &
on_exit kill $!
check "monitor listens" monitor_ready spi-a "$tmp/mon"
# has_event EXPR - some event on the monitor satisfies the jq filter
has_event() { jq -c "select($1)" "$tmp/mon" 2>/dev/null | grep -q .; }
# Complete one reservation well before its timeout, let another lapse,
# then check the completed one outlived its reservation's timeout.
t1=$SECONDS
check "spi alloc with timeout 20, to be completed" bash -c \
	"ip netns exec spi-a '$NIPSEC' -j spi alloc src 192.0.2.1 dst 192.0.2.5 proto esp min 0x5002 max 0x5002 timeout 20 | jq -e '.spi == 20482'"
check "sa add completes it" N sa add src 192.0.2.1 dst 192.0.2.5 proto esp spi 0x5002 \
	aead "$GCM" $KEY 128
completed_in_time=$((SECONDS - t1 < 18))
t0=$SECONDS
check "spi alloc with timeout 6" bash -c \
	"ip netns exec spi-a '$NIPSEC' -j spi alloc src 192.0.2.1 dst 192.0.2.5 proto esp min 0x5000 max 0x5000 timeout 6 | jq -e '.spi == 20480'"
check "spi alloc with timeout 300" bash -c \
	"ip netns exec spi-a '$NIPSEC' -j spi alloc src 192.0.2.1 dst 192.0.2.5 proto esp min 0x5001 max 0x5001 timeout 300 | jq -e '.spi == 20481'"
if ((SECONDS - t0 < 5)); then
	check "larval SA present before its timeout" bash -c \
		"ip netns exec spi-a '$NIPSEC' -j sa get dst 192.0.2.5 proto esp spi 0x5000 | jq -e '.state == \"larval\"'"
else
	skip "larval SA present before its timeout" "host too slow"
fi
larval_gone() { ! N sa get dst 192.0.2.5 proto esp spi 0x5000 >/dev/null 2>&1; }
if wait_for -t 30 larval_gone; then
	dt=$((SECONDS - t0))
	if ((dt >= 5)); then ok "reservation lapsed after its timeout (${dt}s)"; else fail "reservation lapsed too early (${dt}s)"; fi
else
	fail "reservation lapsed after its timeout" "$(N sa list)"
fi
check "the 300 s reservation is still there" N sa get dst 192.0.2.5 proto esp spi 0x5001
check "the lapsed SPI can be allocated again" bash -c \
	"ip netns exec spi-a '$NIPSEC' -j spi alloc src 192.0.2.1 dst 192.0.2.5 proto esp min 0x5000 max 0x5000 | jq -e '.spi == 20480'"
if wait_for -t 10 has_event '.event == "expire" and .hard == true and .limit == "add-time" and .sa.spi == 20480' &&
	wait_for -t 10 has_event '.event == "sa-del" and .sa.spi == 20480'; then
	ok "lapse sends a hard expire (add-time) and an sa-del event"
else
	fail "lapse sends a hard expire and an sa-del event" "$(cat "$tmp/mon" "$tmp/mon.err")"
fi
# past the completed SA's 20 s reservation timeout
while ((SECONDS - t1 < 23)); do sleep 1; done
if ((completed_in_time)); then
	check "the completed SA outlived its reservation's timeout" bash -c \
		"ip netns exec spi-a '$NIPSEC' -j sa get dst 192.0.2.5 proto esp spi 0x5002 | jq -e '.state == \"mature\" and .aead.name == \"rfc4106(gcm(aes))\"'"
	if has_event '.sa.spi == 20482'; then
		fail "no event for the completed SA" "$(cat "$tmp/mon")"
	else
		ok "no event for the completed SA"
	fi
else
	skip "the completed SA outlived its reservation's timeout" "host too slow to complete within 18 s"
fi
check "sa flush" N sa flush
