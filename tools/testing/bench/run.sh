#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: one boot of Debian's stock 6.12 kernel in QEMU runs
# tools/testing/bench/guest.sh (no IPsec, XFRM and nipsec, same topology,
# algorithms, keys and SPIs), then table.py prints the table.
#
# Env (make bench VAR=...):
#   JSON=FILE           also write the table as JSON
#   BENCH_QUICK=1       one short round at a tiny scale (a minute or two)
#   BENCH_REPEAT, BENCH_TIME, BENCH_ALGS, BENCH_TOPOS, BENCH_METRICS,
#   BENCH_PINGS, BENCH_SA_SCALE, BENCH_POL_SCALE, BENCH_SCALE_ALG
#                       see guest.sh
#   BENCH_PERF=1        perf profiles of the TCP and UDP runs, written to
#                       .build/bench/results/perf/
#   NIPSEC_QEMU_MEM     guest memory (default 4G here: 100 000 SAs)
#   NIPSEC_VM_TIMEOUT   seconds before the VM is stopped (default 7200)
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HERE=$SRC/tools/testing/bench
VM=$SRC/tools/testing/vm
BUILD=${NIPSEC_BUILD:-$SRC/.build}/bench
PY=$(command -v /usr/bin/python3 || command -v python3)
log() { echo "bench: $*" >&2; }

mkdir -p "$BUILD"
read -r KDIR BZIMAGE KVER < <("$SRC/tools/testing/bench.sh" kernel stock) || {
	log "no stock 6.12 kernel (tools/testing/deps.sh installs it)"
	exit 1
}
make -C "$SRC" --no-print-directory tool >"$BUILD/tool.log" 2>&1 || {
	cat "$BUILD/tool.log"
	exit 1
}
# the module in a private copy (bench.sh build), like every VM run
out=$(KDIR=$KDIR "$SRC/tools/testing/bench.sh" build bench) || {
	echo "$out"
	exit 1
}
ko=$(sed -n 's/^built \(.*\) against .*/\1/p' <<<"$out" | tail -n1)
[[ -f $ko ]] || { echo "$out"; log "module not built"; exit 1; }

res=$BUILD/results
rm -rf "$res"
mkdir -p "$res"
{
	echo "GUEST=$VM/guest.sh"
	echo "SRC=$SRC"
	echo "NIPSEC=$SRC/tools/nipsec/nipsec"
	echo "NIPSEC_KO=$ko"
	echo "KERNEL_FLAVOR=stock"
	echo "MODE=demo"
	echo "DEMO=$HERE/guest.sh"
	echo "NIPSEC_CACHE=${NIPSEC_CACHE:-/var/cache/nipsec}"
	for v in BENCH_QUICK BENCH_REPEAT BENCH_TIME BENCH_ALGS BENCH_TOPOS \
		BENCH_METRICS BENCH_PINGS BENCH_SA_SCALE BENCH_POL_SCALE BENCH_SCALE_ALG \
		BENCH_PERF; do
		if [[ -n ${!v+set} ]]; then
			printf '%s=%q\n' "$v" "${!v}"
		fi
	done
	echo "BENCH_OUT=/run/nipsec/samples.jsonl"
} >"$res/run.env"

"$VM/mkinitramfs.sh" "$BUILD/initrd.gz" "$KVER"
accel=${NIPSEC_ACCEL:-tcg}
[[ $accel == auto ]] && accel=tcg
machine="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(nproc) CPUs, $(uname -r) host, QEMU $(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p') $accel, $(date -u +%Y-%m-%dT%H:%MZ)"
log "booting $KVER ($accel) for the benchmark; progress in $res/demo.log"
start=$(date +%s)
rc=0
NIPSEC_QEMU_MEM=${NIPSEC_QEMU_MEM:-4G} NIPSEC_ACCEL=$accel \
	"$VM/run.sh" "$BZIMAGE" "$BUILD/initrd.gz" "$res" "${NIPSEC_VM_TIMEOUT:-7200}" || rc=$?
log "VM ran $(($(date +%s) - start))s (exit $rc)"
if [[ ! -s $res/samples.jsonl ]]; then
	log "no samples; the guest said:"
	tail -n 30 "$res/demo.log" "$res/console.log" 2>/dev/null || true
	exit 1
fi
jargs=()
[[ -n ${JSON:-} ]] && jargs+=(--json "$JSON")
"$PY" "$HERE/table.py" "$res/samples.jsonl" --machine "$machine" "${jargs[@]}" |
	tee "$res/table.txt"
