#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock
# timeout: 300
#
# Requests no good client builds, sent by a raw netlink sender
# (tools/testing/ynl/nlraw.py): missing required attributes, wrong types
# and lengths, oversized and unknown attributes, semantic nonsense, random
# bytes. Every one is refused with EINVAL-class errors and an extack
# message saying why; nothing is created; the kernel log stays clean (the
# bench checks it after the scenario).  Stock only: on the debug kernel
# fuzz_netlink sends the same kinds of requests, generated from the spec,
# under KASAN (this one took two minutes there).
set -euo pipefail
. "$SRC/tools/testing/lib.sh"

nipsec_loaded || load_nipsec
require python3

tmp=$(mktemp -d)
on_exit rm -rf "$tmp"
ns_new nl-bad
export PYTHONDONTWRITEBYTECODE=1
R() { ip netns exec nl-bad python3 "$SRC/tools/testing/ynl/nlraw.py" "$@"; }

# refused DESC ERRNO EXTACK-SUBSTRING NLRAW-ARGS...
refused() {
	local desc=$1 want_errno=$2 want_msg=$3 out
	shift 3
	out=$(R "$@" 2>&1) || true
	if [[ $out == *"errno=$want_errno"* && $out == *"extack="*"$want_msg"* ]]; then
		ok "$desc"
	else
		fail "$desc" "want errno=$want_errno extack~'$want_msg'" "got: $out"
	fi
}
# refused_any DESC NLRAW-ARGS... - refused with some errno and some extack
refused_any() {
	local desc=$1 out
	shift
	out=$(R "$@" 2>&1) || true
	if [[ $out == *"errno="* && $out == *"extack="?* ]]; then
		ok "$desc ($(sed 's/.*extack=//' <<<"$out"))"
	else
		fail "$desc" "want an error with an extack message" "got: $out"
	fi
}

D=dst-v4:be32:0xc0000202
S=src-v4:be32:0xc0000201
SPI=spi:u32:0x1000
P=proto:u8:50
ALG="aead-name:strz:rfc4106(gcm(aes))"
KEY=aead-key:hex:5ec7e75eed0fc0ffee0ddba11deadbeea5a5a5a5

check "a well-formed sa-new through the raw sender works" bash -c \
	"ip netns exec nl-bad python3 '$SRC/tools/testing/ynl/nlraw.py' send sa-new $SPI $P $S $D '$ALG' $KEY | grep -qx ok"
check "and sa-del of it" bash -c \
	"ip netns exec nl-bad python3 '$SRC/tools/testing/ynl/nlraw.py' send sa-del $SPI $P $D | grep -qx ok"

# ---- missing required attributes (the kernel names the first one missing)
refused "sa-new without spi" EINVAL "spi and proto are required missing=spi" send sa-new $P $S $D "$ALG" $KEY
refused "sa-new without proto" EINVAL "spi and proto are required missing=proto" send sa-new $SPI $S $D "$ALG" $KEY
refused "sa-new without dst" EINVAL "destination address is required" send sa-new $SPI $P $S "$ALG" $KEY
refused "sa-new without src" EINVAL "source address is required" send sa-new $SPI $P $D "$ALG" $KEY
refused "sa-new without any algorithm" EINVAL "an algorithm is required" send sa-new $SPI $P $S $D
refused "sa-new aead without key" EINVAL "aead needs a key" send sa-new $SPI $P $S $D "$ALG"
refused "sa-del without dst" EINVAL "destination address is required" send sa-del $SPI $P
refused "sa-get without spi" EINVAL "spi and proto are required missing=spi" send sa-get $P $D
refused "spi-alloc without proto" EINVAL "proto is required missing=proto" send spi-alloc $S $D
refused "spi-alloc without dst" EINVAL "destination address is required" send spi-alloc $P $S
refused "policy-new without dir" EINVAL "dir is required missing=dir" send policy-new
refused "policy-new protect without template" EINVAL "needs a template" \
	send policy-new dir:u8:1 action:u8:0
refused "policy-new template without proto" EINVAL "proto (esp or ah) is required missing=" \
	send policy-new dir:u8:1 "tmpl:nest:reqid:u32:1"
refused "policy-del with neither id nor dir" EINVAL "give the policy id, or dir and selector" send policy-del
refused "policy-get with neither id nor dir" EINVAL "give the policy id, or dir and selector" send policy-get

# ---- wrong types, lengths, ranges (policy validation)
refused_any "spi as a u8 (wrong length)" send sa-new spi:u8:1 $P $S $D "$ALG" $KEY
refused_any "dst-v4 of 2 bytes" send sa-new $SPI $P $S dst-v4:hex:c000 "$ALG" $KEY
refused_any "dst-v6 of 4 bytes (exact length 16)" send sa-new $SPI $P dst-v6:hex:20010db8 "$ALG" $KEY
refused_any "proto 52 (range 50..51)" send sa-new $SPI proto:u8:52 $S $D "$ALG" $KEY
refused_any "mode 7 (transport or tunnel)" send sa-new $SPI $P mode:u8:7 $S $D "$ALG" $KEY
refused_any "replay-window 20000 (max 16384)" send sa-new $SPI $P $S $D "$ALG" $KEY replay-window:u32:20000
refused_any "policy dir 9" send policy-new dir:u8:9 action:u8:1
refused_any "selector prefix 200 (max 128)" send policy-new dir:u8:1 action:u8:1 "sel:nest:src-prefix:u8:200"
refused_any "aead-name of 100 characters (max 64)" \
	send sa-new $SPI $P $S $D "aead-name:strz:$(printf 'x%.0s' {1..100})" $KEY
refused_any "sel given as a u32 instead of a nest" send sa-new $SPI $P $S $D "$ALG" $KEY sel:u32:5
refused_any "unknown attribute type 200" send sa-new $SPI $P $S $D "$ALG" $KEY 200:u32:1
refused_any "attribute of the set not valid for sa-new (usage)" \
	send sa-new $SPI $P $S $D "$ALG" $KEY "usage:nest:bytes:u64:1"
refused_any "unknown attribute inside a nest" \
	send policy-new dir:u8:1 action:u8:1 "sel:nest:77:u32:1"

# ---- well-typed nonsense the handlers catch
refused "aead key of 200 bytes" EINVAL "key longer than" \
	send sa-new $SPI $P $S $D "$ALG" "aead-key:hex:$(printf 'ab%.0s' {1..200})"
refused "aead with enc" EINVAL "aead excludes enc and auth" \
	send sa-new $SPI $P $S $D "$ALG" $KEY "enc-name:strz:cbc(aes)"
refused "SPI 0" EINVAL "SPI 0 is reserved" send sa-new spi:u32:0 $P $S $D "$ALG" $KEY
refused "SPI 255" EINVAL "reserved by IANA" send sa-new spi:u32:255 $P $S $D "$ALG" $KEY
refused "IPv4 and IPv6 destination at once" EINVAL "not both" \
	send sa-new $SPI $P $S $D dst-v6:hex:20010db8000000000000000000000002 "$ALG" $KEY
refused "IPv4 source, IPv6 destination" EINVAL "families differ" \
	send sa-new $SPI $P $S dst-v6:hex:20010db8000000000000000000000002 "$ALG" $KEY
refused "seq above 2^32 without esn" EINVAL "needs esn" \
	send sa-new $SPI $P $S $D "$ALG" $KEY seq:u64:0x100000000
refused "lifetime soft above hard" EINVAL "soft limit above its hard limit" \
	send sa-new $SPI $P $S $D "$ALG" $KEY "lifetime:nest:soft-bytes:u64:100;hard-bytes:u64:10"
refused "selector: ports with icmp" EINVAL "ports need a protocol with ports" \
	send policy-new dir:u8:1 action:u8:1 "sel:nest:proto:u8:1;dport-min:u16:80"
refused "selector: ICMP type with tcp" EINVAL "ICMP type/code need proto icmp" \
	send policy-new dir:u8:1 action:u8:1 "sel:nest:proto:u8:6;icmp-type:u8:8"
refused "selector: port range min > max" EINVAL "port range is empty" \
	send policy-new dir:u8:1 action:u8:1 "sel:nest:proto:u8:6;dport-min:u16:90;dport-max:u16:80"
refused "selector: IPv4 prefix 33" EINVAL "prefix longer than the address" \
	send policy-new dir:u8:1 action:u8:1 "sel:nest:src-v4:be32:0x0a000000;src-prefix:u8:33"
refused "selector: prefix without address or family" EINVAL "needs an address or family" \
	send policy-new dir:u8:1 action:u8:1 "sel:nest:src-prefix:u8:8"
refused "selector: family 7" EINVAL "family must be AF_INET or AF_INET6" \
	send policy-new dir:u8:1 action:u8:1 "sel:nest:family:u16:7"
refused "template: tunnel without endpoints" EINVAL "tunnel mode needs src and dst" \
	send policy-new dir:u8:1 "tmpl:nest:proto:u8:50;mode:u8:1"
refused "bypass policy with a template" EINVAL "only a protect policy takes a template" \
	send policy-new dir:u8:1 action:u8:1 "tmpl:nest:proto:u8:50"
refused "spi-alloc: empty range" EINVAL "empty SPI range" \
	send spi-alloc $P $S $D spi-min:u32:5000 spi-max:u32:4000
refused "encap without ports" EINVAL "type, sport and dport are required missing=" \
	send sa-new $SPI $P $S $D "$ALG" $KEY "encap:nest:type:u8:2"

# ---- nothing was created by any of that
check "no SA was created" bash -c \
	"ip netns exec nl-bad '$NIPSEC' -j sa list | jq -e 'length == 0'"
check "no policy was created" bash -c \
	"ip netns exec nl-bad '$NIPSEC' -j policy list | jq -e 'length == 0'"

# ---- random bytes and random attributes, every command number 0..19
R fuzz 600 4303 >"$tmp/fuzz" 2>&1 && rc=0 || rc=$?
_indent <"$tmp/fuzz"
if ((rc == 0)); then ok "600 random requests all answered (no hang, no socket error)"; else fail "600 random requests answered (exit $rc)" "$(tail "$tmp/fuzz")"; fi
check "module still answers after the fuzzing" ip netns exec nl-bad "$NIPSEC" sa list
check "fuzzing created nothing that lists badly" bash -c \
	"ip netns exec nl-bad '$NIPSEC' -j sa list | jq -e 'type == \"array\"' && ip netns exec nl-bad '$NIPSEC' -j policy list | jq -e 'type == \"array\"'"
ip netns exec nl-bad "$NIPSEC" sa flush || true
ip netns exec nl-bad "$NIPSEC" policy flush || true
