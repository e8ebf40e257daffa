#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: debug
# timeout: 300
#
# The netlink fuzzer's make-check slice (tools/testing/fuzz/netlink_run.inc):
# FUZZ_NL_MESSAGES (1500) requests generated from uapi/nipsec.yaml, then
# FUZZ_NL_SECONDS (15) of random valid operations in three namespaces
# racing with ESP traffic, namespace deletion and rmmod/insmod.
set -uo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/fuzz/netlink_run.inc"
