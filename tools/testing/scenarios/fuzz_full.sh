#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: fuzz
# timeout: 14400
#
# The full packet fuzzer run, `make fuzz` (bench.sh fuzz): never part of
# make check (no kernel flavor is called "fuzz"); the bench makes the
# corpus on the host and names it on the kernel command line
# (nipsec_fuzz_corpus=DIR).  See tools/testing/fuzz/run.inc.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/fuzz/run.inc"

require jq tcpdump

nipsec_loaded || load_nipsec
corpus=$(fuzz_arg corpus)
[[ -n $corpus ]] || skip_all "no nipsec_fuzz_corpus= on the kernel command line (make fuzz)"
fuzz_run "$corpus"
