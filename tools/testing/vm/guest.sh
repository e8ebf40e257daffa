#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM as PID 1 after switch_root (see init).  Reads its job
# from /run/nipsec/run.env (written by the host, run.sh) and leaves every
# result in /run/nipsec, a writable 9p share the host reads afterwards:
#
#   kmsg.log                 the whole kernel log, streamed while it happens
#   <scenario>/tap.txt       the scenario's stdout (TAP)
#   <scenario>/stderr.txt    its stderr
#   <scenario>/rc            its exit status (124: timed out)
#   <scenario>/dmesg.txt     kernel log lines printed while it ran
#   <scenario>/artifacts/    $RESULTS for the scenario (captures, ...)
#   kunit/ktap.txt           kernel log while the KUnit module loaded
#   teardown.tap             rmmod and kmemleak checks after all scenarios
#   dmesg.txt                the final kernel log
#   demo.log, demo.rc        MODE=demo: the demo's output and exit status
#   install.tap, install.rc  MODE=install: install-guest.sh's TAP and status
#   done                     written last; missing means the VM died
set -uo pipefail	# not -e: one broken scenario must not stop the others

R=/run/nipsec
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
hostname nipsec-vm
ip link set lo up

# shellcheck source=/dev/null
. "$R/run.env"
export SRC NIPSEC NIPSEC_KO NIPSEC_KUNIT_KO KERNEL_FLAVOR NIPSEC_CACHE
cd "$SRC" || exit 1

poweroff() {
	sync
	echo b >/proc/sysrq-trigger
	sleep 10
}
# PID 1 must never exit (that panics): whatever happens, reboot, which
# ends QEMU (-no-reboot); the host notices the missing "done" file.
trap poweroff EXIT

if [[ ${MODE:-} == probe ]]; then
	echo ok >"$R/probe"
	poweroff
fi

# Scenarios test the module they insmod, never one installed on the host
# (install-guest.sh tests that one, by name).
if [[ ${MODE:-} != install ]]; then
	echo "$SRC/tools/testing/vm/modprobe-guard" >/proc/sys/kernel/modprobe
fi

# Stream the kernel log to the share so it survives a panic.
cat /dev/kmsg >"$R/kmsg.log" 2>/dev/null &

# No udev here: load what a device needs by hand (stock kernels only; the
# debug kernel has these built in).
modprobe -q virtio_crypto 2>/dev/null
modprobe -q virtio_rng 2>/dev/null

uptime_s() { cut -d' ' -f1 /proc/uptime; }
echo "booted $(uptime_s)" >"$R/boot-time"

# kmemleak (debug kernel): no automatic scans, whose reports would land in
# whatever scenario runs then; scan once now and forget what boot left, so
# the teardown scans report only what the tests leaked.
if [[ -w /sys/kernel/debug/kmemleak ]]; then
	echo scan=off >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	echo clear >/sys/kernel/debug/kmemleak
	echo "kmemleak cleared $(uptime_s)" >>"$R/boot-time"
fi

kmark() { echo "nipsec-bench: $*" >/dev/kmsg; }
# Kernel log lines between two markers.
klog_between() {
	dmesg | sed -n "/nipsec-bench: begin $1\$/,/nipsec-bench: end $1\$/p"
}

# shellcheck source=tools/testing/lib.sh
. "$SRC/tools/testing/lib.sh"

if [[ ${MODE:-} == demo ]]; then
	script=${DEMO:-$SRC/tools/testing/demo/demo.sh}
	load_nipsec >/dev/null 2>&1
	# The demo talks to the person on the serial console; keep a copy too.
	RESULTS=$R/demo bash "$script" 2>&1 | tee "$R/demo.log" >/dev/console
	# the host's `make demo` exits with this status
	echo "${PIPESTATUS[0]}" >"$R/demo.rc"
	echo "done" >"$R/done"
	poweroff
fi

if [[ ${MODE:-} == install ]]; then
	# make install-test: the installed module, tool and man page (TAP)
	INSTALL_DIR=${INSTALL_DIR:-} INSTALL_PARTS=${INSTALL_PARTS:-} \
		INSTALL_OTHER_KVER=${INSTALL_OTHER_KVER:-} \
		timeout -k 10 "${SCENARIO_TIMEOUT:-300}" bash "$SRC/tools/testing/vm/install-guest.sh" \
		>"$R/install.tap" 2>"$R/install.stderr" </dev/null
	echo $? >"$R/install.rc"
	dmesg >"$R/dmesg.txt"
	echo "done $(uptime_s)" >"$R/done"
	poweroff
fi

if [[ ${KUNIT:-0} == 1 ]]; then
	mkdir -p "$R/kunit"
	kmark "begin kunit"
	{
		load_nipsec || echo "insmod $NIPSEC_KO failed"
		insmod "$NIPSEC_KUNIT_KO" || echo "insmod $NIPSEC_KUNIT_KO failed"
	} >"$R/kunit/insmod.txt" 2>&1
	echo $? >"$R/kunit/rc"
	kmark "end kunit"
	klog_between kunit >"$R/kunit/ktap.txt"
	rmmod nipsec_kunit 2>>"$R/kunit/insmod.txt"
fi

for name in ${SCENARIOS:-}; do
	d=$R/$name
	mkdir -p "$d/artifacts"
	script=$SRC/tools/testing/scenarios/$name.sh
	t=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$script" | head -n1)
	t=${t:-${SCENARIO_TIMEOUT:-300}}
	kmark "begin $name"
	start=$(uptime_s)
	if ! lsmod | grep -q '^nipsec '; then
		load_nipsec >"$d/load.txt" 2>&1
	fi
	SCENARIO=$name RESULTS=$d/artifacts \
		timeout -k 10 "$t" bash "$script" >"$d/tap.txt" 2>"$d/stderr.txt" </dev/null
	echo $? >"$d/rc"
	echo "$start $(uptime_s)" >"$d/time"
	kmark "end $name"
	klog_between "$name" >"$d/dmesg.txt"
	# A scenario killed by its timeout may leave namespaces and processes
	# behind; the next one starts clean.
	for ns in $(ip netns list 2>/dev/null | cut -d' ' -f1); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
done

# Teardown: the module must unload, and the debug kernel must not leak.
{
	kmark "begin teardown"
	if lsmod | grep -q '^nipsec_kunit '; then
		rmmod nipsec_kunit
	fi
	if lsmod | grep -q '^nipsec '; then
		if out=$(rmmod nipsec 2>&1); then
			echo "ok - rmmod nipsec"
		else
			echo "not ok - rmmod nipsec"
			echo "# $out"
			lsmod | grep nipsec | sed 's/^/# /'
		fi
	fi
	kml=/sys/kernel/debug/kmemleak
	if [[ -w $kml ]]; then
		# Objects freed late (RCU, workqueues) show up as leaks on the first
		# scan; only what two scans a few seconds apart agree on counts.
		# Objects younger than 5 s are never reported: wait that long first.
		sleep 5
		echo scan >"$kml"
		sleep 5
		echo scan >"$kml"
		cat "$kml" >"$R/kmemleak.txt"
		if [[ -s $R/kmemleak.txt ]]; then
			echo "not ok - kmemleak: no leaks"
			head -n 60 "$R/kmemleak.txt" | sed 's/^/# /'
		else
			echo "ok - kmemleak: no leaks"
		fi
	fi
	kmark "end teardown"
} >"$R/teardown.tap" 2>&1
klog_between teardown >"$R/teardown.dmesg"

dmesg >"$R/dmesg.txt"
echo "done $(uptime_s)" >"$R/done"
poweroff
