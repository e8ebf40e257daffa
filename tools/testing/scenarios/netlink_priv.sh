#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock stock61
# timeout: 300
#
# Who may talk to the nipsec family, on 6.12 and on 6.1 (where the split
# ops are folded into classic ones by module/genl-compat.c), with the raw
# sender (tools/testing/ynl/nlraw.py) so that only the kernel decides:
# - the events group needs CAP_NET_ADMIN over the namespace's user
#   namespace (GENL_MCAST_CAP_NET_ADMIN): nobody (uid 65534) in the initial
#   namespace cannot join it and hears nothing of root's SA changes, while
#   root does;
# - every request of the spec (each op's do and dump) is refused to nobody
#   with EPERM;
# - nobody inside its own `unshare -Urn` manages that namespace (requests
#   and events) and sees nothing of the initial namespace's SAs;
# - policy-get (do) by id works (6.1 once gave it the dump's policy).
set -euo pipefail
. "$SRC/tools/testing/lib.sh"

nipsec_loaded || load_nipsec
require python3 setpriv unshare

tmp=$(mktemp -d)
chmod 1777 "$tmp"
on_exit rm -rf "$tmp"
export PYTHONDONTWRITEBYTECODE=1
NLRAW=$SRC/tools/testing/ynl/nlraw.py
R() { python3 "$NLRAW" "$@"; }
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
N() { "${NOBODY[@]}" python3 "$NLRAW" "$@"; }

S=src-v4:be32:0xc0000201
D=dst-v4:be32:0xc0000202
P=proto:u8:50
ALG="aead-name:strz:rfc4106(gcm(aes))"
KEY=aead-key:hex:5ec7e75eed0fc0ffee0ddba11deadbeea5a5a5a5
# sa_churn FIRST N - sa-new then sa-del of N SPIs from FIRST, as root, in
# the caller's namespace (each sa-del sends an sa-del-ntf)
sa_churn() {
	local i spi out
	out=$(for ((i = 0; i < $2; i++)); do
		spi=spi:u32:$(($1 + i))
		echo "sa-new $spi $P $S $D '$ALG' $KEY"
		echo "sa-del $spi $P $D"
	done | R batch)
	[[ $(grep -cx ok <<<"$out") == $(($2 * 2)) ]] || { echo "$out"; return 1; }
}
on_exit R send sa-flush

# ---------------------------------------------------------- events group
"${NOBODY[@]}" python3 "$NLRAW" subscribe events 120 >"$tmp/nobody.ev" 2>&1 &
nb=$!
python3 "$NLRAW" subscribe events 120 >"$tmp/root.ev" 2>&1 &
rt=$!
# both have tried to join before the first change
wait_for -t 20 bash -c "grep -q '^join=' '$tmp/nobody.ev' && grep -q '^join=' '$tmp/root.ev'" || true
check "root: 3 SAs added and deleted in the initial namespace" sa_churn 0x5100 3
wait_for -t 10 bash -c "[[ \$(grep -c '^event' '$tmp/root.ev') -ge 3 ]]" || true
sleep 0.5
kill "$nb" "$rt" 2>/dev/null || true
wait "$nb" "$rt" 2>/dev/null || true
if grep -qx 'join=errno=EPERM' "$tmp/nobody.ev"; then
	ok "nobody: joining events refused with EPERM"
else
	fail "nobody: joining events refused with EPERM" "$(cat "$tmp/nobody.ev")"
fi
if ! grep -q '^event' "$tmp/nobody.ev"; then
	ok "nobody: no event received"
else
	fail "nobody: no event received" "$(cat "$tmp/nobody.ev")"
fi
if grep -qx 'join=ok' "$tmp/root.ev" && [[ $(grep -c '^event sa-del-ntf$' "$tmp/root.ev") == 3 ]]; then
	ok "root: joined and received the 3 sa-del events"
else
	fail "root: joined and received the 3 sa-del events" "$(cat "$tmp/root.ev")"
fi

# the drops group (dropped packets' addresses): the same rule
"${NOBODY[@]}" timeout 20 python3 "$NLRAW" subscribe drops 1 >"$tmp/nobody.drops" 2>&1 || true
if grep -qx 'join=errno=EPERM' "$tmp/nobody.drops"; then
	ok "nobody: joining drops refused with EPERM"
else
	fail "nobody: joining drops refused with EPERM" "$(cat "$tmp/nobody.drops")"
fi

# ------------------------------------------------------ every request
check "root: an SA in the initial namespace (spi 0x5200)" \
	bash -c "python3 '$NLRAW' send sa-new spi:u32:0x5200 $P $S $D '$ALG' $KEY | grep -qx ok"
nops=0
while read -r op mode out; do
	nops=$((nops + 1))
	if [[ $out == errno=EPERM* ]]; then
		ok "nobody: $op ($mode) refused with EPERM"
	else
		fail "nobody: $op ($mode) refused with EPERM" "got: $out"
	fi
done < <(N each 2>&1)
nspec=$(R ops | wc -l)
((nops == nspec && nops >= 13)) && ok "that is all the spec's $nops requests" ||
	fail "all the spec's requests tried ($nops of $nspec)"
out=$(N send sa-new spi:u32:0x5201 $P $S $D "$ALG" $KEY 2>&1) || true
[[ $out == errno=EPERM* ]] && ok "nobody: a complete sa-new refused" || fail "nobody: a complete sa-new refused" "$out"
check "root: the initial namespace's SA is untouched" \
	bash -c "python3 '$NLRAW' send sa-get spi:u32:0x5200 $P $D | grep -q '^reply'"
check_not "root: nobody's sa-new created nothing" \
	bash -c "python3 '$NLRAW' send sa-get spi:u32:0x5201 $P $D | grep -q '^reply'"

# ------------------------------------- nobody in its own user+net ns
cat >"$tmp/userns.sh" <<EOF
set -u
R() { python3 '$NLRAW' "\$@"; }
python3 "$NLRAW" subscribe events 120 >'$tmp/uns.ev' 2>&1 &
l=\$!
for i in \$(seq 300); do grep -q '^join=' '$tmp/uns.ev' && break; sleep 0.1; done
R batch <<'LINES' >'$tmp/uns.answers'
sa-new spi:u32:0x5300 $P $S $D '$ALG' $KEY
--dump sa-get
sa-get spi:u32:0x5200 $P $D
sa-del spi:u32:0x5300 $P $D
--show id policy-new dir:u8:1 action:u8:2
sa-flush
policy-flush
LINES
i=0
for k in sa-new dump get-init sa-del policy-new flush1 flush2; do
	i=\$((i + 1))
	echo "\$k: \$(sed -n "\${i}p" '$tmp/uns.answers')"
done
for i in \$(seq 100); do grep -q '^event' '$tmp/uns.ev' && break; sleep 0.1; done
sleep 0.5
kill \$l
wait
EOF
if "${NOBODY[@]}" unshare -Urn bash "$tmp/userns.sh" >"$tmp/uns.out" 2>&1; then
	sed 's/^/  /' "$tmp/uns.out" | _indent
	u() { grep "^$1: " "$tmp/uns.out" | sed "s/^$1: //"; }
	[[ $(u sa-new) == ok ]] && ok "unshare -Urn (nobody): sa-new in its namespace" ||
		fail "unshare -Urn (nobody): sa-new in its namespace" "$(u sa-new)"
	# its dump: its own SA only (one reply, then done)
	[[ $(u dump) == "reply "*" | done" && $(u dump) != *"|"*"|"* ]] &&
		ok "unshare -Urn: its dump holds its own SA only" ||
		fail "unshare -Urn: its dump holds its own SA only" "$(u dump)"
	[[ $(u get-init) == errno=ENOENT* ]] &&
		ok "unshare -Urn: the initial namespace's SA is not found" ||
		fail "unshare -Urn: the initial namespace's SA is not found" "$(u get-init)"
	[[ $(u sa-del) == ok && $(u policy-new) == "reply "*"id="* && $(u flush1) == ok && $(u flush2) == ok ]] &&
		ok "unshare -Urn: sa-del, policy-new, flushes" ||
		fail "unshare -Urn: sa-del, policy-new, flushes" "$(cat "$tmp/uns.out")"
	grep -qx join=ok "$tmp/uns.ev" && grep -qx 'event sa-del-ntf' "$tmp/uns.ev" &&
		ok "unshare -Urn: joins its events group, hears its own sa-del" ||
		fail "unshare -Urn: joins its events group, hears its own sa-del" "$(cat "$tmp/uns.ev")"
else
	fail "unshare -Urn as nobody" "$(cat "$tmp/uns.out")"
fi
check "root: the initial namespace's SA survives" \
	bash -c "python3 '$NLRAW' send sa-get spi:u32:0x5200 $P $D | grep -q '^reply'"

# ------------------------------------------------- policy-get (do) by id
out=$(R --show id send policy-new dir:u8:1 action:u8:2 2>&1) || true
pid=$(sed -n 's/.* id=\([0-9]*\).*/\1/p' <<<"$out")
if [[ -n $pid ]]; then
	ok "policy-new (out, discard) reply carries the id ($pid)"
	out=$(R --show id send policy-get "id:u32:$pid" 2>&1) || true
	[[ $out == "reply "*"id=$pid"* ]] && ok "policy-get (do) by id" ||
		fail "policy-get (do) by id" "got: $out"
	out=$(R --dump --show id send policy-get dir:u8:1 2>&1) || true
	[[ $out == *"id=$pid"* ]] && ok "policy-get (dump) filtered by dir" ||
		fail "policy-get (dump) filtered by dir" "got: $out"
	out=$(R send policy-get id:u32:999999 2>&1) || true
	[[ $out == errno=ENOENT*extack=* ]] && ok "policy-get of a missing id: ENOENT with extack" ||
		fail "policy-get of a missing id: ENOENT with extack" "got: $out"
	check "policy-del by id" bash -c "python3 '$NLRAW' send policy-del id:u32:$pid | grep -qx ok"
else
	fail "policy-new (out, discard) reply carries the id" "got: $out"
fi
check "root: cleanup" bash -c "python3 '$NLRAW' send sa-flush | grep -qx ok"
