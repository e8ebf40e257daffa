#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock debug
# timeout: 300
#
# Isolation and permission of the nipsec family: every netns has its own
# SAD, SPD and counters and its traffic is untouched by another's policies;
# every operation needs CAP_NET_ADMIN over the user namespace that owns
# the netns: a process without it is refused, root of a fresh user+net
# namespace manages that namespace only.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"

nipsec_loaded || load_nipsec
require jq ping capsh unshare

tmp=$(mktemp -d)
on_exit rm -rf "$tmp"
ns_new iso-a
ns_new iso-b
ns_new iso-c
ns_new iso-e
# b and c talk to each other over the same addresses a protects
ns_link iso-b veth0 iso-c veth0
ns_addr iso-b veth0 192.0.2.1/24
ns_addr iso-c veth0 192.0.2.2/24
# a and e use the very same addresses
ns_link iso-a veth0 iso-e veth0
ns_addr iso-a veth0 192.0.2.1/24
ns_addr iso-e veth0 192.0.2.2/24
A() { ip netns exec iso-a "$NIPSEC" "$@"; }
B() { ip netns exec iso-b "$NIPSEC" "$@"; }
KEY=0x5ec7e75eed0fc0ffee0ddba11deadbeea5a5a5a5
GCM='rfc4106(gcm(aes))'

# ------------------------------------------------------------- namespaces

check "a: SA and policies that would catch b's traffic" bash -c "
	ip netns exec iso-a '$NIPSEC' sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 reqid 1 aead '$GCM' $KEY 128 &&
	ip netns exec iso-a '$NIPSEC' policy add src 192.0.2.0/24 dst 192.0.2.0/24 dir out action block &&
	ip netns exec iso-a '$NIPSEC' policy add src 192.0.2.0/24 dst 192.0.2.0/24 dir in action block"
check "b: sa list is empty" bash -c "ip netns exec iso-b '$NIPSEC' -j sa list | jq -e 'length == 0'"
check "b: policy list is empty" bash -c "ip netns exec iso-b '$NIPSEC' -j policy list | jq -e 'length == 0'"
check_not "b: sa get of a's SA fails" B sa get dst 192.0.2.2 proto esp spi 0x100
check "b: the same SPI/dst is free in b" B sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 \
	reqid 2 aead "$GCM" $KEY 128
check "a still has its own SA (reqid 1)" bash -c \
	"ip netns exec iso-a '$NIPSEC' -j sa get dst 192.0.2.2 proto esp spi 0x100 | jq -e '.reqid == 1'"
check "b: sa flush" B sa flush
check "a's SA survives b's flush" A sa get dst 192.0.2.2 proto esp spi 0x100
check "b: policy flush" B policy flush
check "a's policies survive b's flush" bash -c "ip netns exec iso-a '$NIPSEC' -j policy list | jq -e 'length == 2'"
check "b <-> c traffic untouched by a's block policies" ip netns exec iso-b ping -c 3 -i 0.2 -W 3 192.0.2.2
check "b's counters saw nothing" bash -c \
	"ip netns exec iso-b '$NIPSEC' -j stats | jq -e '.stats | (.\"drop-policy\" == 0 and .\"tx-packets\" == 0)'"
# the same policies do work in a, on the same addresses
check_not "a -> e: blocked by a's own policy" ip netns exec iso-a ping -c 2 -i 0.2 -W 1 192.0.2.2
check "a's counters: drop-policy counted in a" bash -c \
	"ip netns exec iso-a '$NIPSEC' -j stats | jq -e '.stats.\"drop-policy\" > 0'"
check "b <-> c still untouched" ip netns exec iso-b ping -c 1 -W 3 192.0.2.2
check "deleting a netns with SAs and policies" bash -c "
	ip netns add iso-d && ip netns exec iso-d '$NIPSEC' sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x200 aead '$GCM' $KEY 128 &&
	ip netns exec iso-d '$NIPSEC' policy add src 10.0.0.0/8 dir out action block && ip netns del iso-d"
check "a unaffected by d's teardown" A sa get dst 192.0.2.2 proto esp spi 0x100

# ------------------------------------------------------------- permissions

# refused_eperm DESC CMD... - CMD fails and says "Operation not permitted"
refused_eperm() {
	local desc=$1
	shift
	if "$@" >"$tmp/o" 2>&1; then
		fail "$desc" "succeeded: $(cat "$tmp/o")"
	elif grep -q "Operation not permitted" "$tmp/o"; then
		ok "$desc"
	else
		fail "$desc (refused, but not with EPERM)" "$(cat "$tmp/o")"
	fi
}
nocap() { ip netns exec iso-a capsh --drop=cap_net_admin -- -c "$*"; }
refused_eperm "no CAP_NET_ADMIN: sa list (dump) refused" nocap "'$NIPSEC' sa list"
refused_eperm "no CAP_NET_ADMIN: sa get refused" nocap "'$NIPSEC' sa get dst 192.0.2.2 proto esp spi 0x100"
refused_eperm "no CAP_NET_ADMIN: sa add refused" \
	nocap "'$NIPSEC' sa add src 192.0.2.1 dst 192.0.2.3 proto esp spi 0x300 aead '$GCM' $KEY 128"
refused_eperm "no CAP_NET_ADMIN: sa flush refused" nocap "'$NIPSEC' sa flush"
refused_eperm "no CAP_NET_ADMIN: policy flush refused" nocap "'$NIPSEC' policy flush"
refused_eperm "no CAP_NET_ADMIN: spi alloc refused" nocap "'$NIPSEC' spi alloc src 192.0.2.1 dst 192.0.2.3 proto esp"
refused_eperm "no CAP_NET_ADMIN: stats refused" nocap "'$NIPSEC' stats"
if command -v setpriv >/dev/null; then
	refused_eperm "setpriv, no capabilities at all, nobody: sa list refused" \
		ip netns exec iso-a setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$NIPSEC" sa list
fi
check "refused requests changed nothing" bash -c \
	"ip netns exec iso-a '$NIPSEC' -j sa list | jq -e 'length == 1' && ip netns exec iso-a '$NIPSEC' -j policy list | jq -e 'length == 2'"
# joining the events group needs CAP_NET_ADMIN too: netlink_priv.sh

# Root of its own user namespace, but the netns belongs to init's: refused.
refused_eperm "own user ns, a's netns: sa list refused" \
	ip netns exec iso-a unshare -Ur "$NIPSEC" sa list
refused_eperm "own user ns, a's netns: sa add refused" \
	ip netns exec iso-a unshare -Ur "$NIPSEC" sa add src 192.0.2.1 dst 192.0.2.3 proto esp \
	spi 0x300 aead "$GCM" $KEY 128
# Root of a new user + net namespace: allowed there, and only there.
cat >"$tmp/userns.sh" <<EOF
set -e
'$NIPSEC' sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x777 reqid 77 aead '$GCM' $KEY 128
'$NIPSEC' policy add src 10.0.0.0/8 dir out action block
'$NIPSEC' -j spi alloc src 192.0.2.1 dst 192.0.2.9 proto esp >/dev/null
'$NIPSEC' -j sa list >'$tmp/userns.list'
'$NIPSEC' sa flush
'$NIPSEC' policy flush
EOF
check "unshare -Urn: manage SAs and policies in the new netns" unshare -Urn bash "$tmp/userns.sh"
if jq -e 'length == 2 and any(.[]; .spi == 1911 and .reqid == 77)' "$tmp/userns.list" >/dev/null 2>&1; then
	ok "unshare -Urn: its list has its own SAs only"
else
	fail "unshare -Urn: its list has its own SAs only" "$(cat "$tmp/userns.list" 2>&1)"
fi
check "init-owned netns untouched by the user-ns process" bash -c \
	"ip netns exec iso-a '$NIPSEC' -j sa list | jq -e 'length == 1 and .[0].spi == 256'"
refused_eperm "unshare -Urn, then into a's netns: refused" \
	unshare -Urn "$NIPSEC" -n iso-a sa list
check "cleanup a" bash -c "ip netns exec iso-a '$NIPSEC' sa flush && ip netns exec iso-a '$NIPSEC' policy flush"
