#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: stock debug stock61
# timeout: 180
#
# Smoke test: the module loads, describes itself, registers its generic
# netlink family, unloads and reloads cleanly, and survives a netns going
# away while it is loaded (pernet init/exit).
set -euo pipefail
. "$SRC/tools/testing/lib.sh"

# Kernel messages at warning level or above since the scenario started
# (raw format: "<level>" prefix, kernel facility), without the expected ones
# for an unsigned out-of-tree module and those an emulated, loaded host
# causes (slow timer interrupts, an unstable clock).
klog_start=$(dmesg -r | wc -l)
new_klog_noise() {
	dmesg -r | tail -n +"$((klog_start + 1))" | grep -E '^<[0-4]>' |
		grep -vE 'out-of-tree module taints|module verification failed|hrtimer: interrupt took|clocksource|TSC unstable|sched: RT throttling' ||
		true
}

genl_has_nipsec() { genl ctrl get name nipsec >/dev/null 2>&1; }

check "nipsec.ko exists ($NIPSEC_KO)" test -f "$NIPSEC_KO"

if ! nipsec_loaded; then
	check "insmod nipsec.ko" load_nipsec
fi
check "module listed in lsmod" nipsec_loaded

for f in version description; do
	v=$(modinfo -F "$f" "$NIPSEC_KO" 2>/dev/null || true)
	if [[ -n $v ]]; then
		ok "modinfo $f: $v"
	else
		fail "modinfo $f is set" "$(modinfo "$NIPSEC_KO" 2>&1)"
	fi
done
lic=$(modinfo -F license "$NIPSEC_KO" 2>/dev/null || true)
if [[ $lic == GPL ]]; then
	ok "modinfo license is GPL"
else
	fail "modinfo license is GPL (is '$lic')"
fi

check "generic netlink family nipsec registered" genl ctrl get name nipsec

check "rmmod nipsec" unload_nipsec
check_not "family nipsec gone after rmmod" genl ctrl get name nipsec
check "insmod nipsec.ko again" load_nipsec
check "family nipsec registered after reload" genl ctrl get name nipsec

# pernet: load while another netns exists, then delete that netns.
check "rmmod before pernet test" unload_nipsec
ns_new smoke-a
check "insmod with a second netns present" load_nipsec
check "family nipsec visible inside a netns" ns_exec smoke-a genl ctrl get name nipsec
check "delete the netns while loaded" ip netns del smoke-a
# Network namespaces are torn down by a workqueue: give it time to run.
ns_new smoke-b
ns_new smoke-c
netns_churn() {
	local i
	for i in 1 2 3 4 5; do
		ip netns add "smoke-x$i" && ip netns del "smoke-x$i" || return 1
	done
}
check "create and delete namespaces while loaded" netns_churn
# no wait for the namespaces' clean-up: the rmmod below may meet it
# still queued, which unregistering the pernet operations must handle
ip netns del smoke-b
ip netns del smoke-c
check "module still loaded after netns teardown" nipsec_loaded
check "family still answers after netns teardown" genl_has_nipsec
check "rmmod after netns churn" unload_nipsec
check "insmod after netns churn" load_nipsec

noise=$(new_klog_noise)
if [[ -z $noise ]]; then
	ok "no kernel log noise"
else
	fail "no kernel log noise" "$noise"
fi
