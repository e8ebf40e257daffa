#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's guest side (`make bench`, tools/testing/bench/run.sh):
# runs inside the VM with nipsec.ko loaded, builds the topologies as network
# namespaces and measures each one three ways in this boot - no IPsec, XFRM
# (ip xfrm), nipsec - with the same algorithm, keys and SPIs.  Every sample
# is one JSON line in $BENCH_OUT; tools/testing/bench/table.py makes the
# table (median, spread, nipsec/XFRM) from them.
#
#   transport  two hosts b1 (192.0.2.1) and b2 (192.0.2.2), one veth
#   tunnel     h1 (10.1.0.10) - g1 = ESP tunnel = g2 - h2 (10.2.0.10)
#
# Knobs (environment, or run.env written by run.sh):
#   BENCH_QUICK=1         one short run of everything at a tiny scale
#   BENCH_TIME=S          seconds per iperf3 run (3)
#   BENCH_REPEAT=N        runs of each figure (3)
#   BENCH_ALGS=...        null gcm128 gcm256 chacha
#   BENCH_TOPOS=...       transport tunnel ("" measures scale only)
#   BENCH_METRICS=...     tcp1 tcp4 udp64 udp512 udp1400 ping
#   BENCH_PINGS=N         pings per RTT sample (200)
#   BENCH_SA_SCALE=...    SA counts (10 10000 100000; "" skips)
#   BENCH_POL_SCALE=...   policy counts (10 1000 10000 100000; "" skips)
#   BENCH_OUT=FILE        samples (default $RESULTS/samples.jsonl)
#   BENCH_PERF=1          perf record -a -g (cpu-clock) around each TCP and
#                         UDP run; the reports go beside $BENCH_OUT in perf/
set -uo pipefail

: "${SRC:=$(pwd)}"
# Under `make bench` the guest's MODE=demo path runs this script without
# exporting run.env's other variables: read them here.
if [[ -f /run/nipsec/run.env ]]; then
	# shellcheck source=/dev/null
	. /run/nipsec/run.env
fi
. "$SRC/tools/testing/lib.sh"

if [[ ${BENCH_QUICK:-0} == 1 ]]; then
	: "${BENCH_TIME:=1}" "${BENCH_REPEAT:=1}" "${BENCH_ALGS:=gcm128}"
	: "${BENCH_TOPOS:=transport}" "${BENCH_PINGS:=20}"
	: "${BENCH_SA_SCALE=10 100}" "${BENCH_POL_SCALE=10 100}" "${BENCH_SETTLE:=3}"
fi
T=${BENCH_TIME:-3}
REPEAT=${BENCH_REPEAT:-3}
ALGS=${BENCH_ALGS:-null gcm128 gcm256 chacha}
TOPOS=${BENCH_TOPOS-transport tunnel}
METRICS=${BENCH_METRICS:-tcp1 tcp4 udp64 udp512 udp1400 ping}
PINGS=${BENCH_PINGS:-200}
SA_SCALE=${BENCH_SA_SCALE-10 10000 100000}
POL_SCALE=${BENCH_POL_SCALE-10 1000 10000 100000}
SCALE_ALG=${BENCH_SCALE_ALG:-gcm128}
SETTLE=${BENCH_SETTLE:-15}
OUT=${BENCH_OUT:-$RESULTS/samples.jsonl}
mkdir -p "$(dirname "$OUT")"
: >"$OUT"
WORK=$(mktemp -d)
on_exit rm -rf "$WORK"

log() { echo "bench [$(cut -d' ' -f1 /proc/uptime)]: $*" >&2; }

# emit KEY=VALUE... - one JSON sample line (numbers stay numbers)
emit() {
	local args=() kv
	for kv in "$@"; do
		args+=(--arg "${kv%%=*}" "${kv#*=}")
	done
	jq -nc "${args[@]}" '$ARGS.named | with_entries(.value = (.value | tonumber? // .))' >>"$OUT"
}

load_nipsec || { log "cannot load $NIPSEC_KO"; exit 1; }
# the null rows measure the stack without crypto: insecure, so opt in
echo 1 >/sys/module/nipsec/parameters/allow_null_esp
emit type=config time="$T" repeat="$REPEAT" algs="$ALGS" topos="$TOPOS" \
	metrics="$METRICS" sa_scale="$SA_SCALE" pol_scale="$POL_SCALE" \
	scale_alg="$SCALE_ALG" kernel="$(uname -r)" nproc="$(nproc)" \
	cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" \
	nipsec="$(modinfo -F version "$NIPSEC_KO" 2>/dev/null)"

# ------------------------------------------------------------ algorithms

# Keys are made once per algorithm: XFRM and nipsec get the same ones.
declare -A KEY12 KEY21
hex() { printf '0x%s' "$(od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n')"; }

# alg_words ALG DIR - sets ALGW to the SA words both tools take
alg_words() {
	local k
	if [[ -z ${KEY12[$1]:-} ]]; then
		case $1 in
		gcm128) KEY12[$1]=$(hex 20) KEY21[$1]=$(hex 20) ;;
		gcm256 | chacha) KEY12[$1]=$(hex 36) KEY21[$1]=$(hex 36) ;;
		null) KEY12[$1]=none KEY21[$1]=none ;;
		*) log "unknown algorithm $1"; return 1 ;;
		esac
	fi
	if [[ $2 == 12 ]]; then k=${KEY12[$1]}; else k=${KEY21[$1]}; fi
	case $1 in
	null) ALGW=(enc 'ecb(cipher_null)' "") ;;
	gcm128 | gcm256) ALGW=(aead 'rfc4106(gcm(aes))' "$k" 128) ;;
	chacha) ALGW=(aead 'rfc7539esp(chacha20,poly1305)' "$k" 128) ;;
	esac
}

# ------------------------------------------------------------ topologies

# Per topology: the namespaces, the sender/receiver, the SA endpoints and
# the namespaces that hold SAs (ENDS), with their policy directions.
topo_up() {
	case $1 in
	transport)
		ns_new b1
		ns_new b2
		ns_link b1 eth0 b2 eth0
		ns_addr b1 eth0 192.0.2.1/24
		ns_addr b2 eth0 192.0.2.2/24
		SND=b1 RCV=b2 DST=192.0.2.2 ENDS=(b1 b2)
		O1=192.0.2.1 O2=192.0.2.2 S1=192.0.2.1/32 S2=192.0.2.2/32
		MODE=transport
		;;
	tunnel)
		ns_new h1
		ns_new g1
		ns_new g2
		ns_new h2
		ns_link h1 eth0 g1 lan
		ns_link g1 wan g2 wan
		ns_link g2 lan h2 eth0
		ns_addr h1 eth0 10.1.0.10/24
		ns_addr g1 lan 10.1.0.1/24
		ns_addr g1 wan 198.51.100.1/24
		ns_addr g2 wan 198.51.100.2/24
		ns_addr g2 lan 10.2.0.1/24
		ns_addr h2 eth0 10.2.0.10/24
		ip -n h1 route add default via 10.1.0.1
		ip -n h2 route add default via 10.2.0.1
		ip -n g1 route add 10.2.0.0/24 via 198.51.100.2
		ip -n g2 route add 10.1.0.0/24 via 198.51.100.1
		ns_exec g1 sysctl -qw net.ipv4.ip_forward=1
		ns_exec g2 sysctl -qw net.ipv4.ip_forward=1
		SND=h1 RCV=h2 DST=10.2.0.10 ENDS=(g1 g2)
		O1=198.51.100.1 O2=198.51.100.2 S1=10.1.0.0/24 S2=10.2.0.0/24
		MODE=tunnel
		;;
	esac
	ns_exec "$RCV" iperf3 -s -D >/dev/null 2>&1
	# the first packets of a fresh topology resolve neighbours
	wait_for -t 20 ns_exec "$SND" ping -c 1 -W 1 "$DST"
}

topo_down() {
	local ns
	for ns in "${_netns[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	_netns=()
}

# sa_lines STACK ALG - the SA and policy commands of both ends, one per
# line as "NS WORDS..." (ip xfrm / nipsec words are the same)
stack_lines() {
	local stack=$1 alg=$2 i ns
	local -a tm=(tmpl src "$O1" dst "$O2" proto esp mode "$MODE" reqid 12)
	local -a tr=(tmpl src "$O2" dst "$O1" proto esp mode "$MODE" reqid 21)
	local -a s12=() s21=()
	if [[ $MODE == tunnel ]]; then
		s12=(sel src "$S1" dst "$S2")
		s21=(sel src "$S2" dst "$S1")
	fi
	for i in 0 1; do
		ns=${ENDS[$i]}
		alg_words "$alg" 12
		echo "$ns sa add src $O1 dst $O2 proto esp spi 0x1012 mode $MODE reqid 12 replay-window 64 ${ALGW[*]@Q} ${s12[*]}"
		alg_words "$alg" 21
		echo "$ns sa add src $O2 dst $O1 proto esp spi 0x1021 mode $MODE reqid 21 replay-window 64 ${ALGW[*]@Q} ${s21[*]}"
	done
	# end 0 sends 1->2 traffic out, end 1 receives it (in, and fwd at a
	# gateway); the reverse for 2->1.  Priority 1000: scale fillers (100)
	# come first in the priority order.
	local inb=in
	[[ $MODE == tunnel ]] && inb=fwd
	echo "${ENDS[0]} policy add src $S1 dst $S2 dir out priority 1000 ${tm[*]}"
	echo "${ENDS[0]} policy add src $S2 dst $S1 dir $inb priority 1000 ${tr[*]}"
	echo "${ENDS[1]} policy add src $S2 dst $S1 dir out priority 1000 ${tr[*]}"
	echo "${ENDS[1]} policy add src $S1 dst $S2 dir $inb priority 1000 ${tm[*]}"
	if [[ $MODE == tunnel && $stack == xfrm ]]; then
		# XFRM also checks "in" for what a gateway itself receives
		echo "${ENDS[0]} policy add src $S2 dst $S1 dir in priority 1000 ${tr[*]}"
		echo "${ENDS[1]} policy add src $S1 dst $S2 dir in priority 1000 ${tm[*]}"
	fi
}

stack_up() {
	local stack=$1 alg=$2 ns rest
	[[ $stack == none ]] && return 0
	while read -r ns rest; do
		if [[ $stack == xfrm ]]; then
			eval "ip -n $ns xfrm $rest" || return 1
		else
			eval "\"\$NIPSEC\" -n $ns $rest" || return 1
		fi
	done < <(stack_lines "$stack" "$alg")
}

# ------------------------------------------------------------ measurements

# busy jiffies of the whole VM (user+nice+system+irq+softirq+steal)
cpu_busy() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# iperf3 JSON from SND to DST; retried once (a server busy with a run that
# timed out refuses the next one)
iperf() {
	local out i
	for i in 1 2; do
		# stderr apart: iperf3 warns there (e.g. "UDP block size 1400
		# exceeds TCP MSS" once the MSS is clamped for ESP)
		if out=$(ns_exec "$SND" timeout $((T + 30)) iperf3 -c "$DST" -t "$T" -J "$@" \
			2>"$WORK/iperf.err") &&
			jq -e '.end' <<<"$out" >/dev/null 2>&1; then
			echo "$out"
			return 0
		fi
		sleep 1
	done
	log "iperf3 $* to $DST failed: $(jq -r '.error // empty' <<<"$out" 2>/dev/null | head -n1) $(head -c 300 "$WORK/iperf.err")"
	return 1
}

# profile NAME CMD... - CMD under `perf record -a -g` (BENCH_PERF=1): flat,
# call-graph and inclusive ("children") reports per run in perf/ beside the
# samples.  TCG has no PMU: cpu-clock sampling, symbols from /proc/kallsyms.
PERF_DIR=$(dirname "$OUT")/perf
PERF_TAG=
profile() {
	local name=$1 pid rc=0 ctl ack
	shift
	if [[ ${BENCH_PERF:-0} != 1 ]] || ! command -v perf >/dev/null; then
		"$@"
		return
	fi
	mkdir -p "$PERF_DIR"
	sysctl -qw kernel.kptr_restrict=0 kernel.perf_event_paranoid=-1
	# perf takes seconds to set up under TCG: it starts with its events
	# off, and the run begins once it has acknowledged "enable"
	rm -f "$WORK/perf.ctl" "$WORK/perf.ack"
	mkfifo "$WORK/perf.ctl" "$WORK/perf.ack"
	perf record -q -a -g -e cpu-clock -F 1000 -D -1 \
		--control "fifo:$WORK/perf.ctl,$WORK/perf.ack" \
		-o "$WORK/perf.data" >/dev/null 2>&1 &
	pid=$!
	exec {ctl}>"$WORK/perf.ctl" {ack}<"$WORK/perf.ack"
	echo enable >&"$ctl"
	read -r -t 60 _ <&"$ack"
	"$@" || rc=$?
	echo disable >&"$ctl"
	read -r -t 60 _ <&"$ack"
	exec {ctl}>&- {ack}<&-
	kill -INT "$pid"
	wait "$pid"
	perf report -i "$WORK/perf.data" --stdio --no-children -g none \
		--sort sym --percent-limit 0.3 >"$PERF_DIR/$PERF_TAG-$name.flat.txt" 2>/dev/null
	perf report -i "$WORK/perf.data" --stdio --no-children -G \
		--sort sym --percent-limit 2 >"$PERF_DIR/$PERF_TAG-$name.graph.txt" 2>/dev/null
	perf report -i "$WORK/perf.data" --stdio --children -g none \
		--sort sym --percent-limit 1 >"$PERF_DIR/$PERF_TAG-$name.children.txt" 2>/dev/null
	rm -f "$WORK/perf.data"
	return $rc
}

# measure METRIC - prints "name value unit" lines for one metric
measure() {
	local out c0 c1 hz n
	hz=$(getconf CLK_TCK)
	case $1 in
	tcp1 | tcp4)
		n=${1#tcp}
		c0=$(cpu_busy)
		out=$(profile "$1" iperf -P "$n") || return 1
		c1=$(cpu_busy)
		jq -r --arg m "$1" --argjson cpu $((c1 - c0)) --argjson hz "$hz" '
			.end.sum_received as $r |
			"\($m) \($r.bits_per_second / 1e6) Mbit/s",
			(if $r.bytes > 0 then
				"\($m)_cpu \($cpu / $hz / ($r.bytes / 1e9)) cpu-s/GB" else empty end)' <<<"$out"
		;;
	udp*)
		n=${1#udp}
		out=$(profile "$1" iperf -u -b 0 -l "$n") || return 1
		jq -r --arg m "$1" '(.end.sum_received // .end.sum) as $s |
			"\($m) \(($s.packets - $s.lost_packets) / $s.seconds) pkt/s"' <<<"$out"
		;;
	ping)
		ns_exec "$SND" ping -c "$PINGS" -i 0.01 -W 2 "$DST" 2>/dev/null |
			sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' | sort -n |
			awk 'NF { v[++n] = $1 * 1000 }
				END { if (!n) exit 1
					i50 = int(n * 0.50 + 0.5); if (i50 < 1) i50 = 1
					i99 = int(n * 0.99 + 0.5); if (i99 < 1) i99 = 1
					print "ping_p50", v[i50], "us"; print "ping_p99", v[i99], "us" }'
		;;
	esac
}

# run_metrics TOPO ALG STACK REP [EXTRA KEY=VALUE...]
run_metrics() {
	local topo=$1 alg=$2 stack=$3 rep=$4 m name val unit
	shift 4
	PERF_TAG=$topo-$alg-$stack-$rep
	for m in $METRICS; do
		while read -r name val unit; do
			emit type=sample topo="$topo" alg="$alg" stack="$stack" rep="$rep" \
				metric="$name" value="$val" unit="$unit" "$@"
		done < <(measure "$m" || log "$topo/$alg/$stack: $m failed")
	done
}

# ------------------------------------------------------------ scale

# meminfo FIELD - kB
meminfo() { awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo; }

# settle - wait until the slab stops moving (a deleted namespace's SAs are
# freed by work queues and RCU after `ip netns del` returns): two readings
# a second apart within 1 MB, at most $SETTLE seconds
settle() {
	local a b i
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
	b=$(meminfo Slab)
	for ((i = 0; i < SETTLE; i++)); do
		sleep 1
		a=$b
		b=$(meminfo Slab)
		((b - a < 1024 && a - b < 1024)) && return 0
	done
}

# filler_sas N STACK FILE - N SAs in b1 towards addresses nobody uses
filler_sas() {
	local n=$1 stack=$2 f=$3 pre=
	alg_words "$SCALE_ALG" 12
	[[ $stack == xfrm ]] && pre="xfrm state"
	[[ $stack == nipsec ]] && pre="sa"
	awk -v n="$n" -v pre="$pre" -v alg="${ALGW[*]@Q}" 'BEGIN {
		for (i = 0; i < n; i++) {
			a = 16 + int(i / 65536); b = int(i / 256) % 256; c = i % 256
			printf "%s add src 192.0.2.1 dst %d.%d.%d.1 proto esp spi 0x%x mode transport reqid %d replay-window 64 %s\n",
				pre, a, b, c, 1048576 + i, 100000 + i, alg
		}
	}' >"$f"
}

# filler_pols N STACK FILE - N outbound policies in b1 with prefix
# selectors of several lengths (none matches the measured traffic), all
# before the measured policy in priority order
filler_pols() {
	local n=$1 stack=$2 f=$3 pre=
	[[ $stack == xfrm ]] && pre="xfrm policy"
	[[ $stack == nipsec ]] && pre="policy"
	awk -v n="$n" -v pre="$pre" 'BEGIN {
		split("32 24 28 16", dl, " "); split("32 24 0 16", sl, " ")
		for (i = 0; i < n; i++) {
			d = dl[i % 4 + 1]; s = sl[int(i / 4) % 4 + 1]
			v = i * 256
			a = 16 + int(v / 16777216); b = int(v / 65536) % 256; c = int(v / 256) % 256
			if (d == 16) { j = int(i / 4); a = 64 + int(j / 256); b = j % 256; c = 0 }
			src = (s == 0) ? "0.0.0.0/0" : sprintf("192.0.%d.0/%d", 2 + (i % 200), s)
			if (s == 32) src = sprintf("192.0.2.%d/32", 1 + i % 250)
			printf "%s add src %s dst %d.%d.%d.0/%d dir out priority 100 tmpl proto esp mode transport reqid %d\n",
				pre, src, a, b, c, d, 200000 + i
		}
	}' >"$f"
}

# install STACK NS FILE - batch install; prints elapsed seconds
install_batch() {
	local stack=$1 ns=$2 f=$3 t0 t1 rc=0
	t0=$(date +%s.%N)
	if [[ $stack == xfrm ]]; then
		ip -n "$ns" -batch "$f" >"$WORK/install.log" 2>&1 || rc=$?
	else
		"$NIPSEC" -n "$ns" -b "$f" >"$WORK/install.log" 2>&1 || rc=$?
	fi
	t1=$(date +%s.%N)
	if ((rc)); then
		log "$stack batch install of $(wc -l <"$f") lines failed: $(tail -n 3 "$WORK/install.log")"
		return 1
	fi
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# scale KIND COUNTS - KIND sa or pol
scale() {
	local kind=$1 counts=$2 n stack rep secs slab0 slab1 free0 free1 f name val unit
	[[ -n $counts ]] || return 0
	for n in $counts; do
		for stack in xfrm nipsec; do
			topo_down
			topo_up transport || { log "scale: topology not up"; continue; }
			stack_up "$stack" "$SCALE_ALG" || { log "scale/$stack: setup failed"; continue; }
			f=$WORK/fill
			if [[ $kind == sa ]]; then
				filler_sas "$n" "$stack" "$f"
			else
				filler_pols "$n" "$stack" "$f"
			fi
			settle
			slab0=$(meminfo Slab) free0=$(meminfo MemFree)
			secs=$(install_batch "$stack" b1 "$f") || continue
			settle
			slab1=$(meminfo Slab) free1=$(meminfo MemFree)
			emit type=scale kind="$kind" n="$n" stack="$stack" metric=install_rate \
				value="$(awk -v n="$n" -v s="$secs" 'BEGIN { print (s > 0 ? n / s : 0) }')" unit=/s
			emit type=scale kind="$kind" n="$n" stack="$stack" metric=slab_per_obj \
				value="$(((slab1 - slab0) * 1024 / n))" unit=B
			emit type=scale kind="$kind" n="$n" stack="$stack" metric=mem_per_obj \
				value="$(((free0 - free1) * 1024 / n))" unit=B
			if ! ns_exec "$SND" ping -c 2 -i 0.2 -W 2 "$DST" >/dev/null; then
				log "scale/$kind/$n/$stack: no traffic"
				continue
			fi
			for ((rep = 1; rep <= REPEAT; rep++)); do
				log "scale $kind $n $stack round $rep"
				PERF_TAG=scale-$kind-$n-$stack-$rep
				while read -r name val unit; do
					emit type=scale kind="$kind" n="$n" stack="$stack" rep="$rep" \
						metric="$name" value="$val" unit="$unit"
				done < <(measure udp64; measure ping)
			done
			# a namespace's exit frees what the flush would
			topo_down
		done
	done
}

# Scale first: the figures the policy and SA tables are judged by.
scale sa "$SA_SCALE"
scale pol "$POL_SCALE"

# ------------------------------------------------------------ throughput

# Each stack gets the topology in fresh namespaces: once nipsec has had an
# SA or policy in a namespace its hooks stay registered there, and they drop
# inbound ESP they have no SA for (XFRM's too).
for topo in $TOPOS; do
	for ((rep = 1; rep <= REPEAT; rep++)); do
		# no IPsec: the same for every algorithm, measured once per round
		topo_down
		topo_up "$topo" || { log "$topo: topology not up"; continue; }
		log "$topo round $rep: no IPsec"
		run_metrics "$topo" - none "$rep"
		for alg in $ALGS; do
			for stack in xfrm nipsec; do
				topo_down
				topo_up "$topo" || { log "$topo: topology not up"; continue; }
				if ! stack_up "$stack" "$alg"; then
					log "$topo/$alg/$stack: setup failed"
					continue
				fi
				if ! ns_exec "$SND" ping -c 2 -i 0.2 -W 2 "$DST" >/dev/null; then
					log "$topo/$alg/$stack: no traffic through the SAs"
					continue
				fi
				log "$topo round $rep: $alg $stack"
				run_metrics "$topo" "$alg" "$stack" "$rep"
				# what each stack dropped during the run, for the log
				for ns in "${ENDS[@]}"; do
					if [[ $stack == nipsec ]]; then
						log "$ns drops: $("$NIPSEC" -n "$ns" -j stats |
							jq -c '(.stats // .) | with_entries(select((.key |
							startswith("drop-")) and .value != 0))')"
					else
						log "$ns XfrmIn/Out errors: $(ip netns exec "$ns" \
							awk '$2 != 0 && $1 != "XfrmInNoPols"' /proc/net/xfrm_stat |
							tr -s ' \n' '= ')"
					fi
				done
			done
		done
	done
	topo_down
done

topo_down
emit type=done
log "samples in $OUT"
