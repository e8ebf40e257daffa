#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock
# timeout: 1500
#
# Stock kernel only in make check: its code paths run on the debug kernel
# in other scenarios (ah_async, esp_*, hardening, netlink*, natt), and the
# debug boot did not fit make check's hour with it.
#
# AH (RFC 4302) against XFRM's AH: namespace "a" runs nipsec, "b" runs XFRM
# with the same keys and SPIs, for every AH algorithm in transport (v4, v6)
# and tunnel mode (4-in-4, 6-in-6, 4-in-6, 6-in-4), ESN across 2^32, roles
# swapped; the capture's ICVs are recomputed independently (ah_inject.py
# verify) and tshark dissects it; then bad AH from b: each drop reason, and
# mutable header fields changed en route still authenticate.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/scenarios/esp_common.inc"
. "$SRC/tools/testing/scenarios/ah_common.inc"

require iperf3 tcpdump tshark jq ping xxd python3

nipsec_loaded || load_nipsec
INJ="/usr/bin/python3 $SRC/tools/testing/scenarios/ah_inject.py"
AH_SAFILE=$RESULTS/sas.txt
: >"$AH_SAFILE"

# One case: SAs and policies on both sides, then traffic both ways.
# run_case NIPNS NIPIDX XFNS MODE OFAM IFAM ALG SPIBASE LEVEL [SA WORDS...]
# LEVEL tcp: ping and a TCP transfer both ways; ping: ping both ways.
run_case() {
	local nipns=$1 nipidx=$2 xfns=$3 mode=$4 ofam=$5 ifam=$6 alg=$7 base=$8
	local level=$9
	shift 9
	local xfidx=$((3 - nipidx)) name d_nip d_xf
	name="AH $alg $mode"
	[[ $mode == tunnel ]] && name+=" $ifam-in-$ofam" || name+=" v$ofam"
	[[ $nipidx == 2 ]] && name+=" (roles swapped)"
	(($#)) && name+=" [$*]"
	d_nip=$(esp_dst "$nipidx" "$mode" "$ofam" "$ifam")
	d_xf=$(esp_dst "$xfidx" "$mode" "$ofam" "$ifam")

	esp_flush "$nipns" "$xfns"
	if ! ah_sas "$nipns" "$nipidx" "$xfns" "$mode" "$ofam" "$ifam" \
		"$alg" "$base" 64 "$@" >"$RESULTS/sa.err" 2>&1; then
		fail "$name: SAs and policies accepted by nipsec and XFRM" \
			"$(cat "$RESULTS/sa.err")"
		return 0
	fi
	check "$name: ping nipsec -> XFRM" esp_ping "$nipns" "$d_xf"
	check "$name: ping XFRM -> nipsec" esp_ping "$xfns" "$d_nip"
	[[ $level == tcp ]] || return 0
	check "$name: TCP nipsec -> XFRM completes" esp_tcp "$nipns" "$d_xf" 32K
	check "$name: TCP XFRM -> nipsec completes" esp_tcp "$nipns" "$d_xf" 32K -R
}

n=0
next() { n=$((n + 1)); base=$((0x2000 + n * 16)); }

# The debug kernel runs ~10x slower: there every algorithm runs once,
# rotating through the modes. The stock kernel runs every algorithm in
# both modes and both families: transport in one family and tunnel in the
# other, alternating, so each of transport v4/v6 and tunnel 4-in-4/6-in-6
# meets three algorithms; then 6-in-4 and 4-in-6. Ping both ways always,
# TCP both ways in one of an algorithm's modes (iperf3 costs seconds per
# run under TCG).
quick=0
[[ $KERNEL_FLAVOR == debug ]] && quick=1

esp_pair a b
capture_start a eth0 "$RESULTS/ah.pcap"

algs=(sha256 sha384 sha512 sha1 cmac xcbc)
modes=("transport 4 4" "transport 6 6" "tunnel 4 4" "tunnel 6 6" "tunnel 6 4" "tunnel 4 6")
i=0
for alg in "${algs[@]}"; do
	if ((quick)); then
		# shellcheck disable=SC2086 # mode and families as words
		set -- ${modes[$((i % ${#modes[@]}))]}
		# TCP once (iperf3 is slow on the debug kernel), ping for the rest
		level=ping
		((i == 0)) && level=tcp
		next; run_case a 1 b "$1" "$2" "$3" "$alg" $base $level
		i=$((i + 1))
		continue
	fi
	if ((i % 2)); then
		pair=("transport 6 6" "tunnel 4 4")
	else
		pair=("transport 4 4" "tunnel 6 6")
	fi
	j=0
	for m in "${pair[@]}"; do
		# shellcheck disable=SC2086 # mode and families as words
		set -- $m
		level=ping
		((j == (i / 2) % 2)) && level=tcp
		next; run_case a 1 b "$1" "$2" "$3" "$alg" $base $level
		j=$((j + 1))
	done
	i=$((i + 1))
done
if ((!quick)); then
	next; run_case a 1 b tunnel 6 4 sha256 $base tcp
	next; run_case a 1 b tunnel 4 6 cmac $base tcp
fi

# ESN: both senders start 128 below 2^32, so the high half changes
# mid-way: nipsec infers it (RFC 4303 A2.1) and hashes it after the packet
# (RFC 4302 2.5.1) as XFRM does.
esn_crossed() {
	local nipns=$1 spi_out=$2 spi_in=$3 src=$4 dst=$5 o i
	o=$(NIP -n "$nipns" -j sa get src "$src" dst "$dst" proto ah spi "$spi_out" |
		jq -r '(.seq // .[0].seq)')
	i=$(NIP -n "$nipns" -j sa get src "$dst" dst "$src" proto ah spi "$spi_in" |
		jq -r '(."seq-in" // .[0]."seq-in")')
	echo "sent up to $o, received up to $i"
	((o > 0xffffffff && i > 0xffffffff))
}
esn_traffic() {
	local nipns=$1 xfns=$2 d_nip=$3 d_xf=$4
	# > 128 packets each way: ping floods are too slow under TCG, TCP is not
	esp_tcp "$nipns" "$d_xf" 256K || return 1
	esp_tcp "$nipns" "$d_xf" 256K -R || return 1
	for _ in 1 2 3; do
		esp_ping "$nipns" "$d_xf" >/dev/null || return 1
		esp_ping "$xfns" "$d_nip" >/dev/null || return 1
	done
}
for m in "transport 4 4 sha256" "tunnel 6 6 sha1"; do
	# shellcheck disable=SC2086 # mode, families and algorithm as words
	set -- $m
	next; run_case a 1 b "$1" "$2" "$3" "$4" $base ping flag esn replay-oseq 0xffffff80
	o1=${ESP_O4[1]} o2=${ESP_O4[2]}
	[[ $2 == 6 ]] && o1=${ESP_O6[1]} o2=${ESP_O6[2]}
	check "AH $4 $1 ESN: more traffic both ways" esn_traffic a b \
		"$(esp_dst 1 "$1" "$2" "$3")" "$(esp_dst 2 "$1" "$2" "$3")"
	check "AH $4 $1 ESN: both directions went past 2^32" esn_crossed a \
		"$(printf '0x%08x' $((base + 1)))" "$(printf '0x%08x' $((base + 2)))" "$o1" "$o2"
	((quick)) && break
done

drops=$(esp_drops a)
if [[ -z $drops ]]; then
	ok "no packet dropped by nipsec in the AH matrix"
else
	fail "no packet dropped by nipsec in the AH matrix" "$drops"
fi
capture_stop

# Roles swapped: nipsec at end 2 (namespace d), XFRM at end 1 (c).
esp_pair c d
capture_start d eth0 "$RESULTS/ah-swapped.pcap"
swapped=("transport 4 4 sha256" "tunnel 6 6 xcbc" "transport 6 6 sha512" "tunnel 4 4 cmac")
((quick)) && swapped=("${swapped[@]:0:2}")
for m in "${swapped[@]}"; do
	# shellcheck disable=SC2086 # mode, families and algorithm as words
	set -- $m
	next; run_case d 2 c "$1" "$2" "$3" "$4" $base tcp
done
drops=$(esp_drops d)
if [[ -z $drops ]]; then
	ok "no packet dropped by nipsec with roles swapped"
else
	fail "no packet dropped by nipsec with roles swapped" "$drops"
fi
capture_stop

# The wire: everything between the ends is AH, every ICV (ours and XFRM's)
# recomputes from the keys, and tshark dissects it all without complaint.
for pcap in "$RESULTS/ah.pcap" "$RESULTS/ah-swapped.pcap"; do
	f=${pcap##*/}
	# one pass for the fields (tshark starts slowly under TCG): between
	# the ends (link-local router solicitations are not ours), AH or not,
	# header length, ICV bytes, and whether the payload was dissected
	tshark -r "$pcap" -T fields -E occurrence=f -e ip.src -e ipv6.src -e ah.spi \
		-e ah.length -e ah.icv -e frame.protocols >"$RESULTS/$f.fields" 2>/dev/null
	read -r clear total badlen inner < <(awk -F '\t' -v sas="$AH_SAFILE" '
		BEGIN { while ((getline l < sas) > 0) { split(l, w, " "); bits[tolower(w[1])] = w[4] } }
		$1 !~ /^192\.0\.2\./ && $2 !~ /^2001:db8::/ { next }
		$3 == "" { clear++; next }
		{ total++; spi = tolower($3)
		  if (!(spi in bits)) { badlen++; next }
		  want = int((12 + bits[spi] / 8 + 7) / 8) * 8
		  icv = $5; gsub(/:/, "", icv)
		  # (tshark may show the length field raw or in bytes)
		  if ((($4 + 2) * 4 != want && $4 != want) || length(icv) != 2 * (want - 12)) badlen++
		  if ($6 ~ /:ah:.*(icmp|tcp)/) inner++ }
		END { print clear + 0, total + 0, badlen + 0, inner + 0 }' "$RESULTS/$f.fields")
	if ((clear == 0 && total > 0)); then
		ok "$f: all $total IP packets between the ends are AH"
	else
		fail "$f: all IP packets between the ends are AH" "$clear not AH, $total AH"
	fi
	if ((badlen == 0)); then
		ok "$f: every AH header is 12 bytes + ICV padded to 8 (as XFRM's)"
	else
		fail "$f: every AH header is 12 bytes + ICV padded to 8" "$badlen wrong"
	fi
	if ((inner == total)); then
		ok "$f: tshark decodes the payload of all $total AH packets"
	else
		fail "$f: tshark decodes the payload of every AH packet" "$inner of $total"
	fi
	# iperf3's payload (port 5201) is random bytes: decoded as data, so
	# that no heuristic dissector (THRIFT) takes it for a broken message
	mal=$(tshark -r "$pcap" -d tcp.port==5201,data \
		-Y '_ws.malformed or _ws.expert.severity == error' 2>/dev/null | wc -l)
	if ((mal == 0)); then
		ok "$f: tshark finds no malformed packet and no error"
	else
		fail "$f: tshark finds no malformed packet and no error" \
			"$(tshark -r "$pcap" -d tcp.port==5201,data \
				-Y '_ws.malformed or _ws.expert.severity == error' 2>/dev/null | head -5)"
	fi
	# shellcheck disable=SC2086 # INJ is a command and its script
	if $INJ verify "$pcap" "$AH_SAFILE" >"$RESULTS/$f.icv" 2>&1; then
		good=$(awk '{ g += $(NF - 4) } END { print g + 0 }' "$RESULTS/$f.icv")
		if ((good > 0)); then
			ok "$f: all $good ICVs verify with the keys (hash recomputed outside both kernels)"
		else
			fail "$f: ICVs verify with the keys" "none checked" "$(cat "$RESULTS/$f.icv")"
		fi
	else
		fail "$f: all ICVs verify with the keys" "$(grep -v ' bad 0 ' "$RESULTS/$f.icv" | head -10)"
	fi
done

# ---- bad AH, sent by b past its own IPsec (AF_PACKET)

esp_flush a b
# counter_moves WHAT NAME CMD... - run CMD; ok iff counter NAME went up
counter_moves() {
	local what=$1 name=$2 before after
	shift 2
	before=$(esp_stat a "$name")
	"$@" >"$RESULTS/inject.out" 2>&1 || {
		fail "$what" "$(cat "$RESULTS/inject.out")"
		return 0
	}
	wait_for -t 5 stat_gt a "$name" "$before" || true
	after=$(esp_stat a "$name")
	if ((after > before)); then
		ok "$what ($name $before -> $after)"
	else
		fail "$what" "$name stayed at $after" "$(esp_drops a)"
	fi
}
# accepted WHAT CMD... - ok iff rx-packets went up and drop-auth did not
accepted() {
	local what=$1 rx auth
	shift
	rx=$(esp_stat a rx-packets)
	auth=$(esp_stat a drop-auth)
	"$@" >"$RESULTS/inject.out" 2>&1 || {
		fail "$what" "$(cat "$RESULTS/inject.out")"
		return 0
	}
	wait_for -t 5 stat_gt a rx-packets "$rx" || true
	if (($(esp_stat a rx-packets) > rx && $(esp_stat a drop-auth) == auth)); then
		ok "$what"
	else
		fail "$what" "rx-packets $rx -> $(esp_stat a rx-packets)," \
			"drop-auth $auth -> $(esp_stat a drop-auth)"
	fi
}
# shellcheck disable=SC2086 # INJ is a command and its script
inj() { ns_exec b $INJ "$@"; }
A=${ESP_O4[1]} A6=${ESP_O6[1]}

check "AH SAs v4 (sha256, transport, replay window 64)" \
	ah_sas a 1 b transport 4 4 sha256 0x5000 64
check "AH SAs v6 (sha1, transport, no replay window)" \
	ah_sas a 1 b transport 6 6 sha1 0x5010 0
capture_start a eth0 "$RESULTS/bad.pcap" ip proto 51 or ip6 proto 51
check "ping v4 through the SAs" esp_ping b "$A"
check "ping v6 through the SAs" esp_ping b "$A6"
spi4=0x00005002 spi6=0x00005012
check "the v4 AH request was captured" wait_for -t 15 bash -c \
	"tcpdump -n -r '$RESULTS/bad.pcap' 2>/dev/null | grep -q 'spi=$spi4'"
check "the v6 AH request was captured" wait_for -t 15 bash -c \
	"tcpdump -n -r '$RESULTS/bad.pcap' 2>/dev/null | grep -q 'spi=$spi6'"
capture_stop

counter_moves "a captured AH packet sent again is a replay" drop-replay \
	inj replay eth0 "$RESULTS/bad.pcap" $spi4
counter_moves "a flipped ICV byte fails authentication" drop-auth \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi4 --seq 5000 --resign "$AH_SAFILE" --flip-icv
counter_moves "a changed sequence number fails authentication" drop-auth \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi4 --seq 5001
counter_moves "a changed payload byte fails authentication" drop-auth \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi4 --seq 5002 --resign "$AH_SAFILE" --flip-payload
counter_moves "a changed IPv4 identification (immutable) fails authentication" drop-auth \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi4 --seq 5003 --resign "$AH_SAFILE" --ident 0x4242
counter_moves "an unknown SPI is dropped" drop-no-sa \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi4 --spi 0xdead0001
counter_moves "AH cut inside its ICV is truncated" drop-truncated \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi4 --seq 5004 --resign "$AH_SAFILE" --truncate 16
counter_moves "AH cut after 8 bytes is truncated" drop-truncated \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi4 --seq 5005 --resign "$AH_SAFILE" --truncate 8
counter_moves "an AH length that does not fit the SA's ICV is refused" drop-proto \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi4 --seq 5006 --resign "$AH_SAFILE" --hdrlen 9
# the control of the cases above: re-signed for a new number, authentic
accepted "a captured packet re-signed for a new sequence number is authentic" \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi4 --seq 5010 --resign "$AH_SAFILE"
counter_moves "IPv6: a flipped ICV byte fails authentication" drop-auth \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi6 --flip-icv
counter_moves "IPv6: an AH length not padded to 8 bytes is refused" drop-proto \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi6 --hdrlen 5

# Mutable fields (RFC 4302 3.3.3.1) may change on the way and the ICV
# still holds. The v6 SA has no replay window, so its packet can come again.
accepted "IPv6: traffic class, flow label and hop limit changed: still authentic" \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi6 --tclass 0xb8 --flow 0x12345 --hlim 7
# ah_rekey_nowin - the v4 inbound SA again, same key, no replay window
ah_rekey_nowin() {
	local key
	key=$(awk -v s=$spi4 '$1 == s { k = $3 } END { print k }' "$AH_SAFILE")
	NIP -n a sa del src "${ESP_O4[2]}" dst "$A" proto ah spi $spi4 &&
		NIP -n a sa add src "${ESP_O4[2]}" dst "$A" proto ah spi $spi4 \
			mode transport reqid $((0x5000)) replay-window 0 \
			auth-trunc 'hmac(sha256)' "$key" 128
}
check "AH SA v4 again without a replay window" ah_rekey_nowin
accepted "IPv4: DSCP/ECN, DF and TTL changed: still authentic" \
	inj mutate eth0 "$RESULTS/bad.pcap" $spi4 --tos 0xb9 --ttl 3 --df

# IPv4 options: record route is mutable (RFC 4302 A.1), both stacks hash
# it as zeros while the routers (here: the receiver) fill it in.
# ping_rr NS DST - an echo with record route answered, the route recorded
ping_rr() {
	local out
	out=$(ns_exec "$1" ping -R -c 1 -W 3 "$2" 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	grep -q 'RR:' <<<"$out"
}
check "IPv4 record-route option, nipsec -> XFRM" ping_rr a "${ESP_O4[2]}"
check "IPv4 record-route option, XFRM -> nipsec" ping_rr b "$A"
# IPv6 extension headers in front of AH: the data of options with the
# "may change en route" bit is hashed as zeros, the other options as they
# are (hand-made packets, ICV computed by ah_inject.py, v6 SA of sha1).
mac_a=$(ip -n a -j link show eth0 | jq -r '.[0].address')
mac_b=$(ip -n b -j link show eth0 | jq -r '.[0].address')
key6=$(awk -v s=$spi6 '$1 == s { k = $3 } END { print k }' "$AH_SAFILE")
opts6() {
	inj opts6 eth0 "$mac_b" "$mac_a" "${ESP_O6[2]}" "$A6" $spi6 "$1" 'hmac(sha1)' \
		"$key6" 96 "${@:2}"
}
accepted "IPv6 hop-by-hop and destination options before AH: authentic" opts6 100
accepted "IPv6: mutable options' data changed en route: still authentic" \
	opts6 101 --enroute 99887766
counter_moves "IPv6: an immutable option changed fails authentication" drop-auth \
	opts6 102 --break-immutable
# The stack parses destination options only after LOCAL_IN: a malformed
# one reaches AH, which must drop it before the ICV, freeing its request
# once (a double free here was found by make fuzz, 3 December 2026).
counter_moves "IPv6: a destination option overrunning its header is dropped (proto)" \
	drop-proto opts6 103 --bad-opt
accepted "IPv6: an authentic packet after it is still accepted" opts6 104

for c in drop-crypto drop-nomem drop-route drop-selector; do
	v=$(esp_stat a $c)
	if ((v == 0)); then ok "$c stayed 0"; else fail "$c stayed 0" "$v"; fi
done

# AH takes an integrity algorithm and nothing else: the module refuses the
# rest with its reason (the kernel's YNL CLI as the client: the nipsec tool
# refuses those requests itself before they reach the module).
. "$SRC/tools/testing/ynl/ynl.sh"
ah_refused() {
	local what=$1 json=$2 want=$3
	if ynl_ns a --do sa-new --json "$json" >"$RESULTS/ynl.out" 2>&1; then
		fail "$what" "accepted"
	elif grep -qF -- "$want" "$RESULTS/ynl.out"; then
		ok "$what: $want"
	else
		fail "$what" "want '$want'" "$(cat "$RESULTS/ynl.out")"
	fi
}
if ynl_setup; then
	ahj="\"proto\": \"ah\", \"src-v4\": $(ip2int "$A"), \"dst-v4\": $(ip2int "${ESP_O4[2]}")"
	ah_refused "AH with an aead algorithm is refused" \
		"{$ahj, \"spi\": 28673, \"aead-name\": \"rfc4106(gcm(aes))\",
		\"aead-key\": \"$(esp_hex 20)\", \"icv-bits\": 128}" \
		"AH takes only an auth algorithm"
	ah_refused "AH with an encryption algorithm is refused" \
		"{$ahj, \"spi\": 28674, \"enc-name\": \"cbc(aes)\", \"enc-key\": \"$(esp_hex 16)\",
		\"auth-name\": \"hmac(sha1)\", \"auth-key\": \"$(esp_hex 20)\"}" \
		"AH takes only an auth algorithm"
	ah_refused "AH with a cmac(aes) key of 20 bytes is refused" \
		"{$ahj, \"spi\": 28675, \"auth-name\": \"cmac(aes)\", \"auth-key\": \"$(esp_hex 20)\"}" \
		"authentication key length invalid"
	ah_refused "AH with hmac(sha256) truncated to 100 bits is refused" \
		"{$ahj, \"spi\": 28676, \"auth-name\": \"hmac(sha256)\", \"auth-key\": \"$(esp_hex 32)\",
		\"auth-trunc-bits\": 100}" \
		"truncation length not allowed"
else
	skip "AH refusals through YNL" "kernel YNL CLI not available"
fi
