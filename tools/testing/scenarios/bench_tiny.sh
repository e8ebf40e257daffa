#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock
# timeout: 240
#
# `make bench` in a tiny configuration, so the benchmark cannot rot: one
# algorithm, transport mode, 1-second runs, 10 SAs and 100 policies.
# Asserts that the guest side completes and table.py gets every figure of
# the table; no timing is checked (this is not a performance test).
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
require iperf3 jq ping

samples=$RESULTS/samples.jsonl
rc=0
BENCH_QUICK=1 BENCH_METRICS="tcp1 udp64 ping" BENCH_PINGS=10 BENCH_SETTLE=3 \
	BENCH_SA_SCALE="10" BENCH_POL_SCALE="100" BENCH_OUT=$samples \
	bash "$SRC/tools/testing/bench/guest.sh" >"$RESULTS/guest.log" 2>&1 || rc=$?
if ((rc == 0)); then
	ok "bench guest side runs (no IPsec, XFRM, nipsec; SA and policy scale)"
else
	fail "bench guest side runs" "exit $rc" "$(tail -n 20 "$RESULTS/guest.log")"
fi
check "bench table complete" python3 "$SRC/tools/testing/bench/table.py" "$samples" \
	--check --json "$RESULTS/bench.json"
check "bench JSON has the nipsec/xfrm ratio of every row" jq -e \
	'[.throughput[] | .nipsec_over_xfrm.median] | length > 0 and all(. != null)' \
	"$RESULTS/bench.json"
