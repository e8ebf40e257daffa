#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: debug
# timeout: 300
#
# Crypto that completes in process context with BH enabled (as a
# crypto_engine driver may): kunit/testcrypto.c registers such an
# rfc4106(gcm(aes)) driver above every other. Two namespaces both on
# nipsec (XFRM is kept out: it would use the driver too) exchange ICMP and
# TCP through it; the resume path must run as in softirq context (the
# debug kernel's lockdep and preemption checks fail the kernel-log check
# otherwise), and the driver's completion count must move.
set -euo pipefail
. "$SRC/tools/testing/lib.sh"
. "$SRC/tools/testing/scenarios/esp_common.inc"

require iperf3 ping
nipsec_loaded || load_nipsec
TC=${NIPSEC_KO%/module/nipsec.ko}/kunit/nipsec_testcrypto.ko
GCM='rfc4106(gcm(aes))'
check "test driver loaded ($TC)" insmod "$TC"
check "/proc/crypto: nipsec-test-wq-rfc4106 is the rfc4106(gcm(aes)) of choice" \
	grep -q 'nipsec-test-wq-rfc4106' /proc/crypto

ns_new x
ns_new y
ns_link x eth0 y eth0
ns_addr x eth0 192.0.2.1/24
ns_addr y eth0 192.0.2.2/24
K1=0x$(esp_hex 20) K2=0x$(esp_hex 20)
bh_sas() {
	local n
	for n in x y; do
		NIP -n $n sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x901 \
			mode transport reqid 9 replay-window 64 aead "$GCM" "$K1" 128 || return 1
		NIP -n $n sa add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x902 \
			mode transport reqid 9 replay-window 64 aead "$GCM" "$K2" 128 || return 1
	done
	NIP -n x policy add src 192.0.2.1/32 dst 192.0.2.2/32 dir out \
		tmpl proto esp mode transport reqid 9 &&
	NIP -n x policy add src 192.0.2.2/32 dst 192.0.2.1/32 dir in \
		tmpl proto esp mode transport reqid 9 &&
	NIP -n y policy add src 192.0.2.2/32 dst 192.0.2.1/32 dir out \
		tmpl proto esp mode transport reqid 9 &&
	NIP -n y policy add src 192.0.2.1/32 dst 192.0.2.2/32 dir in \
		tmpl proto esp mode transport reqid 9
}
check "SAs and policies on both ends" bh_sas
c0=$(cat /sys/module/nipsec_testcrypto/parameters/completions)
check "ping through the process-context driver" ns_exec x ping -c 5 -i 0.2 -W 5 192.0.2.2
ns_exec y iperf3 -s -1 -D >/dev/null 2>&1
sleep 1
check "TCP through it" ns_exec x timeout 60 iperf3 -c 192.0.2.2 -n 256K
c1=$(cat /sys/module/nipsec_testcrypto/parameters/completions)
# 5 echo requests and replies, each encrypted and decrypted: at least 20
if ((c1 - c0 >= 20)); then
	ok "the driver completed $((c1 - c0)) requests from process context"
else
	fail "the driver completed requests from process context" "$c0 -> $c1"
fi
drops=$(esp_drops x; esp_drops y)
if [[ -z $drops ]]; then ok "no drop on either end"; else fail "no drop on either end" "$drops"; fi
NIP -n x sa flush
NIP -n y sa flush
ip netns del x
ip netns del y
# the SAs' transforms go a grace period after the flush
check "test driver unloads once the SAs are gone" wait_for -t 20 rmmod nipsec_testcrypto
