#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock debug
# timeout: 600
#
# The make-check slice of the packet fuzzer (tools/testing/fuzz/): a
# corpus of a few thousand hostile packets, most with a valid ICV, made on
# the host from a fixed seed (slice.conf), replayed at one nipsec
# namespace holding every SA kind; every packet counted exactly once, no
# cleartext leak, memory back after a flush.  `make fuzz` is the full run.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/fuzz/run.inc"

require jq tcpdump cc

nipsec_loaded || load_nipsec
export FUZZ_CACHE=$RESULTS/fuzz-cache
corpus=$("$FUZZ_DIR/corpus.sh" slice "$KERNEL_FLAVOR")
fuzz_run "$corpus"
