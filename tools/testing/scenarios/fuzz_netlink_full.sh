#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: fuzz
# timeout: 7200
#
# The full netlink fuzzer run (tools/testing/fuzz/netlink_run.inc): 200000
# spec-generated requests and 10 minutes of racing operations unless the
# kernel command line says otherwise, e.g.
#   NIPSEC_CMDLINE="nipsec_fuzz_nl_messages=200000 nipsec_fuzz_nl_seconds=600" \
#       make vmtest T=fuzz_netlink_full KERNEL=debug
set -uo pipefail
. "$SRC/tools/testing/lib.sh"
FUZZ_NL_MESSAGES=${FUZZ_NL_MESSAGES:-200000}
FUZZ_NL_SECONDS=${FUZZ_NL_SECONDS:-600}
. "$SRC/tools/testing/fuzz/netlink_run.inc"
