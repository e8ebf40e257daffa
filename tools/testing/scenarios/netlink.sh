#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock
# timeout: 600
#
# The nipsec generic netlink family, operation by operation, through two
# independent clients: the kernel's YNL CLI (cli.py driven by
# uapi/nipsec.yaml) and the nipsec tool. What one adds the other must see;
# dump filters, larval completion, policies, statistics; keys never come
# back. Pure control plane: no packets.  Stock only, for make check's
# hour (four minutes of cli.py on the debug kernel): there the same
# handlers run under KASAN and kmemleak through tool, netlink_events,
# netlink_malformed and fuzz_netlink.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/ynl/ynl.sh"

nipsec_loaded || load_nipsec
ynl_setup || skip_all "kernel YNL CLI not available (python3-yaml, linux-source-6.12)"
diag "YNL CLI: $YNL_CLI"

tmp=$(mktemp -d)
on_exit rm -rf "$tmp"
ns_new nl-ops
Y() { ynl_ns nl-ops "$@"; }
N() { ip netns exec nl-ops "$NIPSEC" "$@"; }
# run CMD... - keep stdout in $tmp/o, stderr in $tmp/e; the exit status
run() { "$@" >"$tmp/o" 2>"$tmp/e"; }
# jqo EXPR - jq -e on the last output (exit 0 iff EXPR is true)
jqo() { jq -e "$1" "$tmp/o" >/dev/null; }
# expect_json DESC EXPR - ok iff the last output satisfies EXPR
expect_json() {
	if jqo "$2" 2>/dev/null; then ok "$1"; else fail "$1" "jq: $2" "$(head -c 2000 "$tmp/o")"; fi
}
# expect_err DESC ERRNO-TEXT EXTACK-TEXT - last command failed with both
expect_err() {
	if grep -qF -- "$2" "$tmp/o" "$tmp/e" && grep -qF -- "$3" "$tmp/o" "$tmp/e"; then
		ok "$1"
	else
		fail "$1" "want '$2' and '$3'" "$(cat "$tmp/o" "$tmp/e")"
	fi
}

# A key (AES-128 + 4-byte salt) whose bytes are easy to look for.
KEY=5ec7e75eed0fc0ffee0ddba11deadbeea5a5a5a5
KEY36=5ec7e75eed0fc0ffee0ddba11deadbee5ec7e75eed0fc0ffee0ddba11deadbeea5a5a5a5
A1=$(ip2int 192.0.2.1)
A2=$(ip2int 192.0.2.2)
A3=$(ip2int 192.0.2.3)
S10=$(ip2int 10.1.0.0)
S20=$(ip2int 10.2.0.0)
V6B=$(ip6hex 2001:db8::2)
RFC4106='rfc4106(gcm(aes))'

# ------------------------------------------------------------ sa-new / get

check "cli.py sa-new (IPv4, rfc4106, reqid, window, sel, lifetime)" run Y --do sa-new --json "{
	\"spi\": 256, \"proto\": \"esp\", \"mode\": \"tunnel\", \"src-v4\": $A1,
	\"dst-v4\": $A2, \"reqid\": 7, \"aead-name\": \"$RFC4106\", \"aead-key\": \"$KEY\",
	\"icv-bits\": 128, \"replay-window\": 32,
	\"sel\": {\"src-v4\": $S10, \"src-prefix\": 24, \"dst-v4\": $S20, \"dst-prefix\": 16,
		\"proto\": 6, \"dport-min\": 443, \"dport-max\": 443},
	\"lifetime\": {\"soft-add-seconds\": 1000, \"hard-add-seconds\": 2000,
		\"soft-bytes\": 1000000, \"hard-packets\": 5000}}"

check "cli.py sa-get" run Y --do sa-get --json "{\"spi\": 256, \"proto\": \"esp\", \"dst-v4\": $A2}"
expect_json "sa-get: identity (spi, proto, mode, src, dst, reqid)" \
	'.spi == "0x100" and .proto == "esp" and .mode == "tunnel" and ."src-v4" == "192.0.2.1" and ."dst-v4" == "192.0.2.2" and .reqid == 7'
expect_json "sa-get: algorithm name and ICV, no key attribute" \
	'."aead-name" == "rfc4106(gcm(aes))" and ."icv-bits" == 128 and (has("aead-key") | not) and (has("enc-key") | not)'
expect_json "sa-get: state mature, window 32, seq 0" \
	'.state == "mature" and ."replay-window" == 32 and .seq == 0 and ."seq-in" == 0'
expect_json "sa-get: selector as given (host bits cleared)" \
	'.sel."src-v4" == "10.1.0.0" and .sel."src-prefix" == 24 and .sel."dst-prefix" == 16 and .sel.proto == 6 and .sel."dport-min" == 443 and .sel."dport-max" == 443'
expect_json "sa-get: lifetime limits as given, absent ones absent" \
	'.lifetime."soft-add-seconds" == 1000 and .lifetime."hard-add-seconds" == 2000 and .lifetime."soft-bytes" == 1000000 and .lifetime."hard-packets" == 5000 and (.lifetime | has("hard-bytes") | not)'
expect_json "sa-get: usage and per-SA stats present" \
	'.usage."add-time" > 0 and .usage.packets == 0 and .stats."rx-packets" == 0'

check "nipsec tool sees the SA cli.py added" run N -j sa get dst 192.0.2.2 proto esp spi 0x100
expect_json "tool: same SA, same algorithm" '.spi == 256 and .aead.name == "rfc4106(gcm(aes))" and .reqid == 7'

check "tool sa add (IPv6, chacha20poly1305, esn)" N sa add src 2001:db8::1 dst 2001:db8::2 \
	proto esp spi 0x300 reqid 3 flag esn replay-window 1024 \
	aead 'rfc7539esp(chacha20,poly1305)' "0x$KEY36" 128
check "cli.py sa-get of the tool's IPv6 SA" run Y --do sa-get --json \
	"{\"spi\": 768, \"proto\": \"esp\", \"dst-v6\": \"$V6B\"}"
expect_json "cli.py: IPv6 addresses, esn flag, window 1024" \
	'."dst-v6" == "2001:db8::2" and ."src-v6" == "2001:db8::1" and .esn == true and ."replay-window" == 1024 and ."aead-name" == "rfc7539esp(chacha20,poly1305)"'

check "cli.py sa-new (enc + auth, authenc)" run Y --do sa-new --json "{
	\"spi\": 257, \"proto\": \"esp\", \"src-v4\": $A1, \"dst-v4\": $A3, \"reqid\": 8,
	\"enc-name\": \"cbc(aes)\", \"enc-key\": \"${KEY:0:32}\",
	\"auth-name\": \"hmac(sha256)\", \"auth-key\": \"${KEY36:0:64}\"}"
check "cli.py sa-get (enc + auth)" run Y --do sa-get --json "{\"spi\": 257, \"proto\": \"esp\", \"dst-v4\": $A3}"
expect_json "enc/auth names, default truncation 128 (RFC 4868)" \
	'."enc-name" == "cbc(aes)" and ."auth-name" == "hmac(sha256)" and ."auth-trunc-bits" == 128 and (has("auth-key") | not)'

# errors a daemon meets in normal operation, with their extack
if run Y --do sa-new --json "{\"spi\": 256, \"proto\": \"esp\", \"src-v4\": $A1, \"dst-v4\": $A2,
	\"aead-name\": \"$RFC4106\", \"aead-key\": \"$KEY\", \"icv-bits\": 128}"; then
	fail "duplicate sa-new refused"
else
	expect_err "duplicate sa-new: EEXIST with extack" "File exists" "an SA with this SPI, destination and proto exists"
fi
if run Y --do sa-get --json "{\"spi\": 4242, \"proto\": \"esp\", \"dst-v4\": $A2}"; then
	fail "sa-get of a missing SA refused"
else
	expect_err "sa-get of a missing SA: ENOENT, 'no such SA'" "No such file or directory" "no such SA"
fi
if run Y --do sa-new --json "{\"spi\": 258, \"proto\": \"esp\", \"src-v4\": $A1, \"dst-v4\": $A2,
	\"aead-name\": \"gcm(foo)\", \"aead-key\": \"$KEY\"}"; then
	fail "unknown algorithm refused"
else
	expect_err "unknown AEAD refused with extack" "Netlink error" "unknown AEAD algorithm"
fi
# ip xfrm's null authentication: XFRM takes it, nipsec refuses it by name
if run Y --do sa-new --json "{\"spi\": 258, \"proto\": \"esp\", \"src-v4\": $A1, \"dst-v4\": $A2,
	\"enc-name\": \"cbc(aes)\", \"enc-key\": \"${KEY:0:32}\", \"auth-name\": \"digest_null\", \"auth-key\": \"\"}"; then
	fail "auth digest_null refused"
else
	expect_err "auth digest_null refused by name" "Invalid argument" "digest_null: ESP without integrity is refused"
fi
if run Y --do sa-new --json "{\"spi\": 258, \"proto\": \"esp\", \"src-v4\": $A1, \"dst-v4\": $A2,
	\"aead-name\": \"$RFC4106\", \"aead-key\": \"${KEY:0:32}\"}"; then
	fail "AEAD key without salt refused"
else
	expect_err "AEAD key without its salt refused" "Invalid argument" "key length"
fi

# ---------------------------------------------------------------- sa-update

check "cli.py sa-update: new lifetime of a mature SA" run Y --do sa-update --json "{
	\"spi\": 256, \"proto\": \"esp\", \"dst-v4\": $A2,
	\"lifetime\": {\"soft-add-seconds\": 3000, \"hard-add-seconds\": 4000}}"
check "sa-get after update" run Y --do sa-get --json "{\"spi\": 256, \"proto\": \"esp\", \"dst-v4\": $A2}"
expect_json "lifetime replaced, keys and identity unchanged" \
	'.lifetime."soft-add-seconds" == 3000 and .lifetime."hard-add-seconds" == 4000 and (.lifetime | has("hard-packets") | not) and ."aead-name" == "rfc4106(gcm(aes))" and .reqid == 7'
if run Y --do sa-update --json "{\"spi\": 256, \"proto\": \"esp\", \"dst-v4\": $A2,
	\"aead-name\": \"$RFC4106\", \"aead-key\": \"$KEY\"}"; then
	fail "sa-update cannot rekey a mature SA"
else
	expect_err "sa-update cannot rekey a mature SA" "Invalid argument" "keys of a mature SA cannot change"
fi
if run Y --do sa-update --json "{\"spi\": 999, \"proto\": \"esp\", \"dst-v4\": $A2,
	\"lifetime\": {\"hard-add-seconds\": 5}}"; then
	fail "sa-update of a missing SA refused"
else
	expect_err "sa-update of a missing SA: ENOENT" "No such file or directory" "no such SA"
fi
check "tool sa add with encap" N sa add src 192.0.2.1 dst 192.0.2.4 proto esp spi 0x102 \
	aead "$RFC4106" "0x$KEY" 128 encap espinudp 4500 4500 0.0.0.0
check "tool sa update: the NAT-T peer moved" N sa update src 192.0.2.1 dst 192.0.2.4 proto esp \
	spi 0x102 encap espinudp 4500 31337 0.0.0.0
check "cli.py sa-get shows the new encap" run Y --do sa-get --json "{\"spi\": 258, \"proto\": \"esp\", \"dst-v4\": $(ip2int 192.0.2.4)}"
expect_json "encap espinudp 4500 -> 31337" '.encap.type == "espinudp" and .encap.sport == 4500 and .encap.dport == 31337'
check "tool sa del" N sa del dst 192.0.2.4 proto esp spi 0x102
# an SA without NAT-T given encap by sa-update: applied, or refused; not ignored
if N sa update src 192.0.2.1 dst 192.0.2.3 proto esp spi 0x101 \
	encap espinudp 4500 4500 0.0.0.0 >"$tmp/o" 2>"$tmp/e"; then
	Y --do sa-get --json "{\"spi\": 257, \"proto\": \"esp\", \"dst-v4\": $A3}" >"$tmp/o" 2>&1 || true
	expect_json "sa-update adding encap to a plain SA: applied (it was accepted)" \
		'.encap.type == "espinudp" and .encap.dport == 4500'
else
	ok "sa-update adding encap to a plain SA: refused ($(head -n1 "$tmp/e"))"
fi

# ---------------------------------------------------------------- spi-alloc

check "cli.py spi-alloc (range, reqid, timeout)" run Y --do spi-alloc --json "{
	\"proto\": \"esp\", \"src-v4\": $A3, \"dst-v4\": $A1, \"reqid\": 11,
	\"spi-min\": 4096, \"spi-max\": 8191, \"larval-timeout\": 120}"
spi=$(jq -r '.spi' "$tmp/o" 2>/dev/null || echo 0)
spi=$((spi))
if ((spi >= 4096 && spi <= 8191)); then ok "spi-alloc reply: spi $spi in range"; else fail "spi-alloc reply in range" "$(cat "$tmp/o")"; fi
expect_json "spi-alloc reply names proto and dst" '.proto == "esp" and ."dst-v4" == "192.0.2.1"'
check "larval SA visible" run Y --do sa-get --json "{\"spi\": $spi, \"proto\": \"esp\", \"dst-v4\": $A1}"
expect_json "state larval, no algorithm" '.state == "larval" and (has("aead-name") | not) and .reqid == 11'
check "sa-new completes the larval SA" run Y --do sa-new --json "{
	\"spi\": $spi, \"proto\": \"esp\", \"src-v4\": $A3, \"dst-v4\": $A1, \"reqid\": 11,
	\"aead-name\": \"$RFC4106\", \"aead-key\": \"$KEY\", \"icv-bits\": 96}"
check "completed SA" run Y --do sa-get --json "{\"spi\": $spi, \"proto\": \"esp\", \"dst-v4\": $A1}"
expect_json "completed: mature, ICV 96" '.state == "mature" and ."icv-bits" == 96'
check "tool spi alloc, tool sa update completes it" run N -j spi alloc src 192.0.2.3 dst 192.0.2.1 \
	proto esp min 0x3000 max 0x3000
expect_json "the only SPI of a one-SPI range" '.spi == 12288'
check "sa update with keys completes a larval SA" N sa update src 192.0.2.3 dst 192.0.2.1 proto esp \
	spi 0x3000 aead "$RFC4106" "0x$KEY" 128
if run Y --do spi-alloc --json "{\"proto\": \"esp\", \"src-v4\": $A3, \"dst-v4\": $A1,
	\"spi-min\": 12288, \"spi-max\": 12288}"; then
	fail "spi-alloc in a full range refused"
else
	expect_err "spi-alloc in a full range: ENOSPC" "No space left on device" "no free SPI in the range"
fi
# (a long timeout: the default 30 s can pass before the dumps below on
# the debug kernel)
check "spi-alloc proto ah (a larval AH SA)" run Y --do spi-alloc --json "{\"proto\": \"ah\",
	\"src-v4\": $A3, \"dst-v4\": $A1, \"spi-min\": 20000, \"spi-max\": 20000,
	\"larval-timeout\": 900}"

# ------------------------------------------------------------- dump filters

n_all() { jq 'length' "$tmp/o"; }
check "cli.py sa-get dump (all)" run Y --dump sa-get
all=$(n_all)
if [[ $all == 6 ]]; then ok "dump: 6 SAs (5 ESP + 1 larval AH)"; else fail "dump: 6 SAs" "$(cat "$tmp/o")"; fi
dump_count() {
	local desc=$1 want=$2 json=$3
	if run Y --dump sa-get --json "$json" && [[ $(n_all) == "$want" ]]; then
		ok "$desc"
	else
		fail "$desc" "want $want" "$(cat "$tmp/o" "$tmp/e")"
	fi
}
dump_count "dump filter spi: 1" 1 '{"spi": 256}'
dump_count "dump filter reqid 11: 1" 1 '{"reqid": 11}'
dump_count "dump filter proto ah: 1" 1 '{"proto": "ah"}'
dump_count "dump filter proto esp: 5" 5 '{"proto": "esp"}'
dump_count "dump filter dst 192.0.2.1: 3" 3 "{\"dst-v4\": $A1}"
dump_count "dump filter src 192.0.2.1: 2" 2 "{\"src-v4\": $A1}"
dump_count "dump filter IPv6 dst: 1" 1 "{\"dst-v6\": \"$V6B\"}"
dump_count "dump filter src + dst + spi: 1" 1 "{\"src-v4\": $A1, \"dst-v4\": $A2, \"spi\": 256}"
dump_count "dump filter contradicting: 0" 0 "{\"src-v4\": $A1, \"spi\": 768}"
check "tool sa list filter reqid 7" run N -j sa list reqid 7
expect_json "tool list filtered by reqid: the one SA" 'length == 1 and .[0].spi == 256'

# ---------------------------------------------------------- keys never shown

keys_absent() {
	local f=$1
	! grep -qiE "5ec7e75eed|5e ?c7 ?e7 ?5e ?ed ?0f|c0ffee0ddba11|c0 ?ff ?ee ?0d ?db ?a1 ?1d" "$f"
}
N sa list >"$tmp/l1" 2>&1 || true
N -j sa list >"$tmp/l2" 2>&1 || true
N sa get dst 192.0.2.2 proto esp spi 0x100 >"$tmp/l3" 2>&1 || true
Y --dump sa-get >"$tmp/l4" 2>&1 || true
# cli.py's own (pprint) output, without --output-json
ip netns exec nl-ops "${YNL_PREFIX[@]}" python3 "$YNL_CLI" --spec "$SRC/uapi/nipsec.yaml" \
	--no-schema --dump sa-get >"$tmp/l5" 2>&1 || true
for f in l1 l2 l3 l4 l5; do
	if grep -q "spi" "$tmp/$f" && keys_absent "$tmp/$f"; then
		ok "no key bytes in output ($f: $(head -c 60 "$tmp/$f" | tr '\n' ' '))"
	else
		fail "no key bytes in output ($f)" "$(head -c 3000 "$tmp/$f")"
	fi
done

# ------------------------------------------------------------------- policy

check "cli.py policy-new (out, protect, tunnel tmpl)" run Y --do policy-new --json "{
	\"dir\": \"out\", \"priority\": 100,
	\"sel\": {\"src-v4\": $S10, \"src-prefix\": 24, \"dst-v4\": $S20, \"dst-prefix\": 16},
	\"tmpl\": {\"proto\": \"esp\", \"mode\": \"tunnel\", \"src-v4\": $A1, \"dst-v4\": $A2, \"reqid\": 7}}"
pid1=$(jq -r '.id' "$tmp/o" 2>/dev/null || echo "")
[[ $pid1 =~ ^[0-9]+$ ]] && ok "policy-new reply carries the id ($pid1)" || fail "policy-new id" "$(cat "$tmp/o" "$tmp/e")"
check "cli.py policy-new (in, bypass, IKE ports)" run Y --do policy-new --json "{
	\"dir\": \"in\", \"priority\": 1, \"action\": \"bypass\",
	\"sel\": {\"family\": 2, \"proto\": 17, \"sport-min\": 500, \"dport-min\": 500}}"
pid2=$(jq -r '.id' "$tmp/o" 2>/dev/null || echo "")
check "tool policy add (fwd, block)" N policy add src 0.0.0.0/0 dst 198.51.100.0/24 dir fwd action block
check "tool policy add (out, priority 50, transport tmpl)" N policy add src 192.0.2.1 dst 192.0.2.3 \
	dir out priority 50 tmpl proto esp mode transport reqid 8
check "cli.py policy-get by id" run Y --do policy-get --json "{\"id\": $pid1}"
expect_json "policy-get: dir, priority, action, sel, tmpl, usage" \
	'.dir == "out" and .priority == 100 and .action == "protect" and .sel."dst-prefix" == 16 and .tmpl.mode == "tunnel" and .tmpl.reqid == 7 and ."tmpl"."dst-v4" == "192.0.2.2" and .usage."add-time" > 0'
check "cli.py policy-get of the bypass policy" run Y --do policy-get --json "{\"id\": $pid2}"
expect_json "bypass: one port means that port only, no template" \
	'.action == "bypass" and .sel."sport-min" == 500 and .sel."sport-max" == 500 and .sel."dport-max" == 500 and (has("tmpl") | not)'
check "cli.py policy-get dump" run Y --dump policy-get
expect_json "dump: 4 policies" 'length == 4'
expect_json "dump: out policies by priority (50 before 100)" \
	'[.[] | select(.dir == "out") | .priority] == [50, 100]'
check "cli.py policy dump filtered by dir out" run Y --dump policy-get --json '{"dir": "out"}'
expect_json "dir filter: 2" 'length == 2 and all(.[]; .dir == "out")'
if run Y --do policy-new --json "{\"dir\": \"out\", \"priority\": 7,
	\"sel\": {\"src-v4\": $S10, \"src-prefix\": 24, \"dst-v4\": $S20, \"dst-prefix\": 16},
	\"tmpl\": {\"proto\": \"esp\", \"reqid\": 9}}"; then
	fail "policy with an existing dir + selector refused"
else
	expect_err "same dir and selector: EEXIST" "File exists" "a policy with this direction and selector exists"
fi
if run Y --do policy-get --json '{"id": 999999}'; then
	fail "policy-get of a missing id refused"
else
	expect_err "policy-get missing: ENOENT" "No such file or directory" "no such policy"
fi
check "policy-del by dir + selector (cli.py)" Y --do policy-del --json "{\"dir\": \"in\",
	\"sel\": {\"family\": 2, \"proto\": 17, \"sport-min\": 500, \"dport-min\": 500}}"
check_not "deleted policy is gone" Y --do policy-get --json "{\"id\": $pid2}"
check "policy-del by id (tool)" N policy del id "$pid1"
check_not "policy-del of it again fails" N policy del id "$pid1"
check "policy-flush dir fwd" Y --do policy-flush --json '{"dir": "fwd"}'
check "policy dump after" run Y --dump policy-get
expect_json "only the out policy is left" 'length == 1 and .[0].dir == "out" and .[0].priority == 50'
check "policy-flush (all)" Y --do policy-flush
check "policy dump empty" run Y --dump policy-get
expect_json "no policy left" 'length == 0'

# -------------------------------------------------------------------- stats

check "cli.py stats-get (global)" run Y --do stats-get
expect_json "global counters: every attribute present" \
	'.stats | has("rx-packets") and has("tx-bytes") and has("drop-replay") and has("drop-auth") and has("acquires")'
check "cli.py stats-get of one SA" run Y --do stats-get --json "{\"sa\": {\"spi\": 256, \"proto\": \"esp\", \"dst-v4\": $A2}}"
expect_json "per-SA counters" '.stats."tx-packets" == 0 and .stats."drop-no-sa" == 0'
if run Y --do stats-get --json "{\"sa\": {\"spi\": 4242, \"proto\": \"esp\", \"dst-v4\": $A2}}"; then
	fail "stats-get of a missing SA refused"
else
	expect_err "stats-get of a missing SA: ENOENT" "No such file or directory" "no such SA"
fi
check "tool stats" run N -j stats
expect_json "tool stats as JSON" 'type == "object"'

# ------------------------------------------------------------- del / flush

check "cli.py sa-del" Y --do sa-del --json "{\"spi\": 256, \"proto\": \"esp\", \"dst-v4\": $A2}"
check_not "sa-get after sa-del fails" Y --do sa-get --json "{\"spi\": 256, \"proto\": \"esp\", \"dst-v4\": $A2}"
if run Y --do sa-del --json "{\"spi\": 256, \"proto\": \"esp\", \"dst-v4\": $A2}"; then
	fail "sa-del twice refused"
else
	expect_err "sa-del of a deleted SA: ENOENT" "No such file or directory" "no such SA"
fi
check "tool sa del (IPv6)" N sa del dst 2001:db8::2 proto esp spi 0x300
check "cli.py sa-flush proto ah" Y --do sa-flush --json '{"proto": "ah"}'
check "dump after ah flush" run Y --dump sa-get
expect_json "ESP SAs kept, AH gone" 'length == 3 and all(.[]; .proto == "esp")'
check "cli.py sa-flush (all)" Y --do sa-flush
check "dump after flush" run Y --dump sa-get
expect_json "no SA left" 'length == 0'
check "tool agrees: sa list empty" run N -j sa list
expect_json "tool: []" 'length == 0'
