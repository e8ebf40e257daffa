#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock
# timeout: 1800
#
# Stock kernel only in make check: its code paths run on the debug kernel
# in other scenarios (ah_async, esp_*, hardening, netlink*, natt), and the
# debug boot did not fit make check's hour with it.
#
# Wire compatibility with XFRM: namespace "a" runs nipsec, "b" runs XFRM
# with the same keys and SPIs, for every algorithm and every mode
# (transport v4/v6, tunnel 4-in-4, 6-in-6, 4-in-6, 6-in-4), ESN across the
# 2^32 boundary, then with the roles swapped (nipsec at the other end).
# A capture of everything is decrypted by tshark afterwards.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/scenarios/esp_common.inc"

require iperf3 tcpdump tshark jq ping xxd

nipsec_loaded || load_nipsec

esp_pair a b
capture_start a eth0 "$RESULTS/xfrm.pcap"

# One case: SAs and policies on both sides, then traffic both ways.
# run_case NIPNS NIPIDX XFNS MODE OFAM IFAM ALG SPIBASE LEVEL [SA WORDS...]
# LEVEL full: ping, TCP and UDP both ways; ping: ping both ways and TCP.
run_case() {
	local nipns=$1 nipidx=$2 xfns=$3 mode=$4 ofam=$5 ifam=$6 alg=$7 base=$8
	local level=$9
	shift 9
	local xfidx=$((3 - nipidx)) name d_nip d_xf
	name="$alg $mode"
	[[ $mode == tunnel ]] && name+=" $ifam-in-$ofam" || name+=" v$ofam"
	[[ $nipidx == 2 ]] && name+=" (roles swapped)"
	(($#)) && name+=" [$*]"
	d_nip=$(esp_dst "$nipidx" "$mode" "$ofam" "$ifam")
	d_xf=$(esp_dst "$xfidx" "$mode" "$ofam" "$ifam")

	esp_flush "$nipns" "$xfns"
	if ! esp_sas "$nipns" "$nipidx" "$xfns" "$mode" "$ofam" "$ifam" \
		"$alg" "$base" "$@" >"$RESULTS/sa.err" 2>&1; then
		fail "$name: SAs and policies accepted by nipsec and XFRM" \
			"$(cat "$RESULTS/sa.err")"
		return 0
	fi
	check "$name: ping nipsec -> XFRM" esp_ping "$nipns" "$d_xf"
	check "$name: ping XFRM -> nipsec" esp_ping "$xfns" "$d_nip"
	check "$name: TCP nipsec -> XFRM completes" esp_tcp "$nipns" "$d_xf" 128K
	if [[ $level == full ]]; then
		check "$name: TCP XFRM -> nipsec completes" esp_tcp "$nipns" "$d_xf" 128K -R
		check "$name: UDP nipsec -> XFRM arrives" esp_udp "$nipns" "$d_xf"
		check "$name: UDP XFRM -> nipsec arrives" esp_udp "$xfns" "$d_nip"
	fi
}

n=0
next() { n=$((n + 1)); base=$((0x1000 + n * 16)); }

# The debug kernel runs ~10x slower: there every case gets ping and one
# TCP transfer, and the cases marked "stock" are left to the stock run.
quick=0
[[ $KERNEL_FLAVOR == debug ]] && quick=1
full() { ((quick)) && echo ping || echo full; }
stock_only() { ((quick)) && diag "skipped on the debug kernel: $*"; ((!quick)); }

# Every algorithm once with full traffic, rotating through the modes.
next; run_case a 1 b transport 4 4 gcm128 $base "$(full)"
next; run_case a 1 b transport 6 6 gcm256-64 $base "$(full)"
next; run_case a 1 b tunnel 4 4 gmac $base "$(full)"
next; run_case a 1 b tunnel 6 6 chacha $base "$(full)"
next; run_case a 1 b tunnel 6 4 cbc-sha1 $base "$(full)"
next; run_case a 1 b tunnel 4 6 cbc-sha256 $base "$(full)"
next; run_case a 1 b transport 4 4 cbc-sha384 $base "$(full)"
next; run_case a 1 b transport 6 6 cbc-sha512 $base "$(full)"
next; run_case a 1 b tunnel 4 4 null-sha256 $base "$(full)"
next; run_case a 1 b transport 4 4 null $base "$(full)"
next; run_case a 1 b tunnel 6 6 gcm192-96 $base "$(full)"
# The other modes for the AEAD most deployments use.
stock_only gcm128 4-in-6 && { next; run_case a 1 b tunnel 6 4 gcm128 $base ping; }
stock_only gcm128 6-in-4 && { next; run_case a 1 b tunnel 4 6 gcm128 $base ping; }
stock_only chacha transport v6 && { next; run_case a 1 b transport 6 6 chacha $base ping; }
# ESN: both senders start 128 below 2^32 (receivers at 0 with a 64-packet
# window place that in the first 2^32), so the high half changes mid-way:
# nipsec infers it per RFC 4303 A2.1, authencesn covers it in the ICV.
esn_crossed() {
	local nipns=$1 spi_out=$2 spi_in=$3 src=$4 dst=$5 o i
	o=$(NIP -n "$nipns" -j sa get src "$src" dst "$dst" proto esp spi "$spi_out" |
		jq -r '(.seq // .[0].seq)')
	i=$(NIP -n "$nipns" -j sa get src "$dst" dst "$src" proto esp spi "$spi_in" |
		jq -r '(."seq-in" // .[0]."seq-in")')
	echo "sent up to $o, received up to $i"
	((o > 0xffffffff && i > 0xffffffff))
}
for m in "transport 4 4 gcm128" "tunnel 4 4 cbc-sha256" "tunnel 6 6 chacha"; do
	# shellcheck disable=SC2086 # mode, families and algorithm as words
	set -- $m
	next; run_case a 1 b "$1" "$2" "$3" "$4" $base full flag esn replay-oseq 0xffffff80
	o1=${ESP_O4[1]} o2=${ESP_O4[2]}
	[[ $2 == 6 ]] && o1=${ESP_O6[1]} o2=${ESP_O6[2]}
	check "$4 $1 ESN: both directions went past 2^32" esn_crossed a \
		"$(printf '0x%08x' $((base + 1)))" "$(printf '0x%08x' $((base + 2)))" "$o1" "$o2"
	((quick)) && break
done

drops=$(esp_drops a)
if [[ -z $drops ]]; then
	ok "no packet dropped by nipsec in the interop matrix"
else
	fail "no packet dropped by nipsec in the interop matrix" "$drops"
fi
rx=$(esp_stat a rx-packets)
tx=$(esp_stat a tx-packets)
if ((rx > 100 && tx > 100)); then
	ok "nipsec counted the traffic (rx $rx, tx $tx packets)"
else
	fail "nipsec counted the traffic" "rx $rx tx $tx"
fi
capture_stop

# Roles swapped: nipsec at end 2 (namespace d), XFRM at end 1 (c).
esp_pair c d
capture_start d eth0 "$RESULTS/xfrm-swapped.pcap"
for m in "transport 4 4 gcm128" "transport 6 6 chacha" "tunnel 4 4 cbc-sha256" \
	"tunnel 6 6 gcm128" "tunnel 6 4 gcm256-64" "tunnel 4 6 cbc-sha1"; do
	if ((quick)) && [[ $m != "transport 4 4 gcm128" && $m != "tunnel 4 6 cbc-sha1" ]]; then
		diag "skipped on the debug kernel: swapped $m"
		continue
	fi
	# shellcheck disable=SC2086 # mode, families and algorithm as words
	set -- $m
	next; run_case d 2 c "$1" "$2" "$3" "$4" $base ping
done
drops=$(esp_drops d)
if [[ -z $drops ]]; then
	ok "no packet dropped by nipsec with roles swapped"
else
	fail "no packet dropped by nipsec with roles swapped" "$drops"
fi
capture_stop

# The wire: every packet between the ends was ESP, and tshark, given the
# keys, decrypts the ones it has algorithms for (not GMAC, not ChaCha20 in
# tshark 4.0) without an ICV error or a malformed packet.
decode() {
	# iperf3's random payload (port 5201) as data: no heuristic dissector
	tshark -r "$1" -o esp.enable_encryption_decode:TRUE -d tcp.port==5201,data \
		-o esp.enable_authentication_check:TRUE "${TSHARK_SA[@]}" "${@:2}" 2>/dev/null
}
for pcap in "$RESULTS/xfrm.pcap" "$RESULTS/xfrm-swapped.pcap"; do
	f=${pcap##*/}
	# between the two ends (link-local router solicitations are not ours)
	notesp='(ip.src == 192.0.2.0/24 or ipv6.src == 2001:db8::/64) and not esp'
	clear=$(tshark -r "$pcap" -Y "$notesp" 2>/dev/null | wc -l)
	total=$(tshark -r "$pcap" -Y esp 2>/dev/null | wc -l)
	if ((clear == 0 && total > 0)); then
		ok "$f: all $total IP packets between the ends are ESP"
	else
		fail "$f: all IP packets between the ends are ESP" "$clear not ESP, $total ESP" \
			"$(tshark -r "$pcap" -Y "$notesp" 2>/dev/null | head -5)"
	fi
	# per frame: SPI, next header from the decrypted trailer, ICV verdict
	decode "$pcap" -Y esp -T fields -e esp.spi -e esp.protocol -e esp.icv_bad \
		-e esp.icv_good >"$RESULTS/$f.fields"
	dec_spis=" ${TS_SPIS_DEC[*]} " icv_spis=" ${TS_SPIS_ICV[*]} "
	read -r want got bad iwant igood < <(awk -v spis="$dec_spis" -v ispis="$icv_spis" '
		{ spi = tolower($1) }
		index(spis, " " spi " ") { want++; if ($2 != "") got++; if ($3 == "1") bad++ }
		index(ispis, " " spi " ") { iwant++; if ($4 == "1") igood++ }
		END { print want + 0, got + 0, bad + 0, iwant + 0, igood + 0 }' "$RESULTS/$f.fields")
	if ((want > 0 && got == want)); then
		ok "$f: tshark decrypts all $want packets of the SAs it knows"
	else
		fail "$f: tshark decrypts all packets of the SAs it knows" "$got of $want"
	fi
	if ((bad == 0)); then
		ok "$f: no ICV error"
	else
		fail "$f: no ICV error" "$bad packets with a bad ICV"
	fi
	# not only no bad one: tshark checked each ICV it can and found it good
	if ((iwant > 0 && igood == iwant)); then
		ok "$f: tshark finds every ICV it checks good ($igood)"
	else
		fail "$f: tshark finds every ICV it checks good" "$igood of $iwant"
	fi
	# an oracle of our own for what tshark does not check: IVs never repeat
	if ivs=$(/usr/bin/python3 "$SRC/tools/testing/scenarios/esp_iv.py" "$pcap" \
		--skip "${ESP_NOIV_SPIS[*]}"); then
		ok "$f: no IV repeats within an SA ($(grep -c . <<<"$ivs") SAs)"
	else
		fail "$f: no IV repeats within an SA" "$(grep -v 'repeats=0$' <<<"$ivs" | head -5)"
	fi
	mal=$(decode "$pcap" -Y '_ws.malformed or esp.icv_bad == 1' | wc -l)
	if ((mal == 0)); then
		ok "$f: no malformed packet after decryption"
	else
		fail "$f: no malformed packet after decryption" \
			"$(decode "$pcap" -Y '_ws.malformed or esp.icv_bad == 1' | head -5)"
	fi
done
