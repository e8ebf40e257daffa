#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The nipsec test bench driver, called by the top-level Makefile.
#
#   bench.sh check                    everything `make check` does
#   bench.sh vmtest NAMES FLAVOR      some scenarios in one boot
#   bench.sh demo                     stock 6.12, demo.sh on the console
#   bench.sh installtest              make install / dkms-install, then modprobe in VMs
#   bench.sh kernel FLAVOR            print "KDIR BZIMAGE KVER" for a flavor
#
# FLAVOR: stock (Debian 6.12), debug (our debug 6.12 build), stock61 (6.1).
# Env: NIPSEC_CACHE (/var/cache/nipsec), NIPSEC_BUILD (<repo>/.build),
#      NIPSEC_ACCEL (auto|kvm|tcg), NIPSEC_VM_TIMEOUT, SCENARIO_TIMEOUT,
#      SCENARIOS (limit make check to these names), NIPSEC_SKIP_DEPS=1.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VM=$SRC/tools/testing/vm
CACHE=${NIPSEC_CACHE:-/var/cache/nipsec}
BUILD=${NIPSEC_BUILD:-$SRC/.build}
KSRC=${NIPSEC_KSRC:-$CACHE/linux-source-6.12}
PY=$(command -v /usr/bin/python3 || command -v python3)
MAKE=${MAKE:-make}
export NIPSEC_CACHE=$CACHE

log() { echo "bench: $*" >&2; }

# Several people may run the bench in one checkout at once: the first run
# owns $BUILD, a concurrent one works in $BUILD/run-<pid> instead.  Nested
# calls (make compat/sparse from make check) inherit the parent's choice.
mkdir -p "$BUILD"
if [[ -z ${NIPSEC_BENCH_OWNER:-} ]]; then
	exec {_lockfd}>"$BUILD/.lock"
	if ! flock -n "$_lockfd"; then
		BUILD=$BUILD/run-$$
		mkdir -p "$BUILD"
		log "another bench run holds the default build dir; this one uses $BUILD"
	fi
	export NIPSEC_BENCH_OWNER=$$ NIPSEC_BUILD=$BUILD
fi
TALLY=$BUILD/tally

# ------------------------------------------------------------ bookkeeping

# result VERDICT NAME DESC [DETAIL_FILE] - one test line, counted
result() {
	echo "$1 $2: $3"
	echo "$1" >>"$TALLY"
	if [[ $1 == FAIL && -n ${4:-} && -s ${4:-} ]]; then
		tail -n 40 "$4" | sed 's/^/    /'
	fi
}

summary() {
	local p f s
	p=$(grep -c '^PASS$' "$TALLY" || true)
	f=$(grep -c '^FAIL$' "$TALLY" || true)
	s=$(grep -c '^SKIP$' "$TALLY" || true)
	if ((s)); then
		echo "$p passed, $f failed, $s skipped"
	else
		echo "$p passed, $f failed"
	fi
	((f == 0))
}

_phase_name=
_phase_start=0
phase() {
	phase_end
	_phase_name=$1
	_phase_start=$(date +%s)
	echo "=== phase: $1"
}
phase_end() {
	if [[ -n $_phase_name ]]; then
		echo "=== phase $_phase_name: $(($(date +%s) - _phase_start))s"
		echo "$_phase_name $(($(date +%s) - _phase_start))" >>"$BUILD/phase-times"
	fi
	_phase_name=
}

# ------------------------------------------------------------ kernels

# newest Debian kernel of a series that has both an image and headers
debian_kver() {
	local series=$1 k
	for k in $(find /boot -maxdepth 1 -name "vmlinuz-$series.*-amd64" -printf '%f\n' 2>/dev/null |
		sed -n "s/^vmlinuz-\($series\.[0-9.+a-z~-]*-amd64\)$/\1/p" |
		grep -v -e cloud -e '-rt-' | sort -rV); do
		if [[ -d /usr/src/linux-headers-$k || -d /lib/modules/$k/build ]]; then
			echo "$k"
			return 0
		fi
	done
	return 1
}

# kernel FLAVOR - sets KDIR BZIMAGE KVER (KVER empty: 9p built in)
kernel() {
	case $1 in
	stock | stock61)
		local series=6.12
		[[ $1 == stock61 ]] && series=6.1
		KVER=$(debian_kver "$series") || {
			log "no Debian $series kernel image + headers (tools/testing/deps.sh installs them)"
			return 1
		}
		BZIMAGE=/boot/vmlinuz-$KVER
		KDIR=/usr/src/linux-headers-$KVER
		[[ -d $KDIR ]] || KDIR=/lib/modules/$KVER/build
		;;
	debug)
		KDIR=$("$VM/build-kernel.sh" | tail -n1) || return 1
		[[ -f $KDIR/.nipsec-stamp ]] || return 1
		BZIMAGE=$KDIR/arch/x86/boot/bzImage
		KVER=
		;;
	*)
		log "unknown kernel flavor '$1' (stock, debug, stock61)"
		return 1
		;;
	esac
}

# build_module FLAVOR [KBUILD ARGS] - module for FLAVOR in a private copy of
# the sources, so builds for several kernels do not clobber each other or the
# developer's in-tree objects.  Sets KO_DIR; log in $BUILD/<flavor>/build.log.
build_module() {
	local flavor=$1
	shift
	local dir=$BUILD/$flavor/src
	rm -rf "$dir"
	mkdir -p "$dir"
	local parts=() p
	for p in Kbuild module kunit uapi include; do
		[[ -e $SRC/$p ]] && parts+=("$p")
	done
	tar -C "$SRC" --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.a' \
		--exclude=modules.order --exclude=Module.symvers \
		-cf - "${parts[@]}" | tar -C "$dir" -xf -
	KO_DIR=$dir
	$MAKE -C "$KDIR" M="$dir" "$@" modules >"$BUILD/$flavor/build.log" 2>&1
}

# ------------------------------------------------------------ VM

# accel - kvm if a guest boots with it quickly, else tcg (cached per host)
accel() {
	if [[ -n ${NIPSEC_ACCEL:-} && ${NIPSEC_ACCEL} != auto ]]; then
		echo "$NIPSEC_ACCEL"
		return
	fi
	local key f
	key=$( { qemu-system-x86_64 --version | head -n1; uname -r; } | sha256sum | cut -c1-12)
	f=$CACHE/accel-$key
	if [[ -f $f ]]; then
		cat "$f"
		return
	fi
	local a=tcg
	if [[ -w /dev/kvm ]]; then
		# /dev/kvm can exist and still hang a guest: boot once, briefly.
		local k dir=$BUILD/kvm-probe
		if k=$(debian_kver 6.12); then
			rm -rf "$dir"
			mkdir -p "$dir"
			printf 'GUEST=%s\nSRC=%s\nMODE=probe\n' "$VM/guest.sh" "$SRC" >"$dir/run.env"
			"$VM/mkinitramfs.sh" "$dir/initrd.gz" "$k"
			if NIPSEC_ACCEL=kvm "$VM/run.sh" "/boot/vmlinuz-$k" "$dir/initrd.gz" "$dir" 20 \
				>/dev/null 2>&1 && [[ -f $dir/probe ]]; then
				a=kvm
			fi
		fi
	fi
	mkdir -p "$CACHE"
	echo "$a" >"$f"
	log "accelerator: $a (cached in $f)"
	echo "$a"
}

# scenarios_for FLAVOR - scenario names whose "# kernels:" header has FLAVOR
scenarios_for() {
	local f k name
	for f in "$SRC"/tools/testing/scenarios/*.sh; do
		[[ -e $f ]] || continue
		name=$(basename "$f" .sh)
		if [[ -n ${SCENARIOS:-} && " $SCENARIOS " != *" $name "* ]]; then
			continue
		fi
		k=$(sed -n 's/^# kernels:\(.*\)/\1/p' "$f" | head -n1)
		k=${k:-stock debug}
		[[ " $k " == *" $1 "* ]] && echo "$name"
	done
	return 0
}

# progress FLAVOR RESDIR "SCENARIOS" - say when each scenario finishes, so a
# long VM run is not silent (runs in the background while QEMU runs)
progress() {
	local flavor=$1 res=$2 scen=$3 s seen=" "
	while sleep 2; do
		for s in kunit $scen; do
			[[ $seen == *" $s "* || ! -f $res/$s/rc ]] && continue
			seen+="$s "
			log "$flavor/$s finished (exit $(cat "$res/$s/rc"))"
		done
	done
}

# vm FLAVOR "SCENARIOS" KUNIT(0|1) [MODE] - boot, run, report.  Needs KDIR,
# BZIMAGE, KVER, KO_DIR set.  Returns non-zero on any failure.
vm() {
	local flavor=$1 scen=$2 kunit=$3 mode=${4:-tests}
	local res=$BUILD/$flavor/results
	rm -rf "$res"
	mkdir -p "$res"
	local ko=$KO_DIR/module/nipsec.ko kko=$KO_DIR/kunit/nipsec_kunit.ko
	local n t
	n=$(wc -w <<<"$scen")
	t=${SCENARIO_TIMEOUT:-300}
	[[ $flavor == debug ]] && t=${SCENARIO_TIMEOUT:-600}
	cat >"$res/run.env" <<-EOF
		GUEST=$VM/guest.sh
		SRC=$SRC
		NIPSEC=$SRC/tools/nipsec/nipsec
		NIPSEC_KO=$ko
		NIPSEC_KUNIT_KO=$( ((kunit)) && echo "$kko")
		KERNEL_FLAVOR=$flavor
		SCENARIOS="$(tr -s ' \n' '  ' <<<"$scen" | sed 's/^ *//; s/ *$//')"
		KUNIT=$kunit
		MODE=$mode
		DEMO=$([[ ${DEMO_IKE:-} == strongswan ]] && echo "$SRC/tools/testing/demo/demo-strongswan.sh")
		SCENARIO_TIMEOUT=$t
		NIPSEC_CACHE=$CACHE
	EOF
	# more lines for the guest (MODE=install: INSTALL_DIR=...)
	if [[ -n ${VM_ENV:-} ]]; then
		printf '%s\n' "$VM_ENV" >>"$res/run.env"
	fi
	# the packet fuzzer's slice corpus: made here at native speed, once
	if [[ " $scen " == *" fuzz_packets "* ]]; then
		"$SRC/tools/testing/fuzz/corpus.sh" slice "$flavor" >/dev/null ||
			log "fuzz corpus not made on the host: the guest makes it"
	fi
	"$VM/mkinitramfs.sh" "$BUILD/$flavor/initrd.gz" ${KVER:+"$KVER"}
	local a rc=0 start
	a=$(accel)
	start=$(date +%s)
	log "booting $flavor ($BZIMAGE, $a) for: ${scen:-no scenarios}$( ((kunit)) && echo ' + KUnit')"
	if [[ $mode == demo ]]; then
		# The person watches the console: only emergencies from the kernel.
		NIPSEC_CMDLINE="loglevel=2 ${NIPSEC_CMDLINE:-}" \
			NIPSEC_CONSOLE=live NIPSEC_ACCEL=$a "$VM/run.sh" "$BZIMAGE" \
			"$BUILD/$flavor/initrd.gz" "$res" "${NIPSEC_VM_TIMEOUT:-1800}" || rc=$?
		return "$rc"
	fi
	if [[ $mode == install ]]; then
		NIPSEC_ACCEL=$a "$VM/run.sh" "$BZIMAGE" "$BUILD/$flavor/initrd.gz" "$res" \
			"${NIPSEC_VM_TIMEOUT:-600}" || rc=$?
		log "$flavor VM ran $(($(date +%s) - start))s (exit $rc); results in $res"
		return "$rc"
	fi
	progress "$flavor" "$res" "$scen" &
	local ppid=$!
	local vmt=${NIPSEC_VM_TIMEOUT:-$((n * t + 600))}
	if [[ -n ${VM_BUDGET:-} ]] && ((VM_BUDGET < vmt)); then
		log "$flavor VM limited to ${VM_BUDGET}s by the make check budget"
		vmt=$VM_BUDGET
	fi
	NIPSEC_ACCEL=$a "$VM/run.sh" "$BZIMAGE" "$BUILD/$flavor/initrd.gz" "$res" \
		"$vmt" || rc=$?
	kill "$ppid" 2>/dev/null || true
	wait "$ppid" 2>/dev/null || true
	log "$flavor VM ran $(($(date +%s) - start))s (exit $rc); guest booted at $(sed -n 's/^booted //p' "$res/boot-time" 2>/dev/null || echo '?')s uptime; results in $res"
	local kargs=()
	((kunit)) && kargs+=(--kunit)
	"$PY" "$VM/report.py" --kernel "$flavor" --results "$res" --scenarios "$scen" \
		--ksrc "$KSRC" --tally "$TALLY" --vm-rc "$rc" "${kargs[@]}"
}

# flavor_run FLAVOR KUNIT "SCENARIOS" - kernel, module, boot; counted
flavor_run() {
	local flavor=$1 kunit=$2 scen
	scen=$(xargs <<<"$3")	# one line, single spaces
	if ! kernel "$flavor"; then
		result FAIL "$flavor/kernel" "kernel available"
		return 0
	fi
	if ! build_module "$flavor"; then
		result FAIL "$flavor/build" "module builds against $KDIR" "$BUILD/$flavor/build.log"
		return 0
	fi
	result PASS "$flavor/build" "module builds against $KDIR"
	if ((kunit)) && [[ ! -f $KO_DIR/kunit/nipsec_kunit.ko ]]; then
		result FAIL "$flavor/kunit" "kunit/nipsec_kunit.ko built" "$BUILD/$flavor/build.log"
		kunit=0
	fi
	vm "$flavor" "$scen" "$kunit" || true
}

# ------------------------------------------------------------ host tests

# host_make NAME DESC TARGET... - a make target as one counted test
host_make() {
	local name=$1 desc=$2 logf=$BUILD/host-$1.log
	shift 2
	if $MAKE -C "$SRC" --no-print-directory "$@" >"$logf" 2>&1; then
		result PASS "host/$name" "$desc"
	else
		result FAIL "host/$name" "$desc" "$logf"
	fi
}

# tool_tests - `make -C tools test` TAP lines, each counted
tool_tests() {
	local logf=$BUILD/host-tool-test.log rc=0
	if [[ ! -f $SRC/tools/Makefile ]] || ! grep -q '^test:' "$SRC/tools/Makefile"; then
		result SKIP "host/tool-test" "tools/Makefile has no test target yet"
		return 0
	fi
	$MAKE -C "$SRC/tools" --no-print-directory test >"$logf" 2>&1 || rc=$?
	local n=0 line
	while IFS= read -r line; do
		case $line in
		"not ok"*)
			result FAIL "host/tool-test" "$(sed -E 's/^not ok [0-9]* *-? *//' <<<"$line")"
			n=$((n + 1))
			;;
		ok*" # SKIP"* | ok*" # skip"*)
			result SKIP "host/tool-test" "$(sed -E 's/^ok [0-9]* *-? *//' <<<"$line")"
			n=$((n + 1))
			;;
		ok*)
			result PASS "host/tool-test" "$(sed -E 's/^ok [0-9]* *-? *//' <<<"$line")"
			n=$((n + 1))
			;;
		esac
	done <"$logf"
	if ((rc != 0)); then
		result FAIL "host/tool-test" "make -C tools test exits 0 (was $rc)" "$logf"
	elif ((n == 0)); then
		result FAIL "host/tool-test" "make -C tools test printed TAP lines" "$logf"
	fi
}

# w1 - module builds with W=1 and zero warnings (private copy, stock 6.12)
w1() {
	local logf=$BUILD/stock/build.log
	if ! kernel stock || ! build_module stock W=1; then
		result FAIL "host/w1" "module builds with W=1" "$logf"
		return 0
	fi
	if grep -E 'warning:' "$logf" >"$BUILD/host-w1.log"; then
		result FAIL "host/w1" "W=1 build has zero warnings" "$BUILD/host-w1.log"
	else
		result PASS "host/w1" "W=1 build has zero warnings"
	fi
}

# Every test script must pass shellcheck (shellcheck_scripts): the bench's
# own at warning level, the scenarios at error level (real bugs; style and
# warnings are left to their authors).
shellcheck_scripts() {
	local logf=$BUILD/host-shellcheck.log bench others rc=0
	if ! command -v shellcheck >/dev/null; then
		result SKIP host/shellcheck "shellcheck not installed"
		return 0
	fi
	mapfile -t bench < <(cd "$SRC" && ls .ci/run tools/testing/*.sh tools/testing/vm/*.sh tools/strongswan/*.sh \
		tools/testing/scenarios/smoke.sh 2>/dev/null)
	mapfile -t others < <(cd "$SRC" && find tools/testing -type f -name '*.sh' | sort |
		grep -v -x -F -f <(printf '%s\n' "${bench[@]}"))
	{
		(cd "$SRC" && shellcheck -x -S warning "${bench[@]}") || rc=1
		if ((${#others[@]})); then
			(cd "$SRC" && shellcheck -x -S error "${others[@]}") || rc=1
		fi
	} >"$logf" 2>&1
	if ((rc == 0)); then
		result PASS host/shellcheck "test scripts shellcheck-clean ($((${#bench[@]} + ${#others[@]})) files)"
	else
		result FAIL host/shellcheck "test scripts shellcheck-clean" "$logf"
	fi
}

# demo_clone - `make demo` exactly as a new user runs it, from a clean clone
# of the checkout (its HEAD: commit what you want tested), one stock boot of
# about a minute and a half.  Passes iff make demo exits 0, the demo reports
# every step passed, and tshark decrypted an ESP packet with a good ICV in
# both parts (transport and tunnel).  The clone is removed when it passes.
demo_clone() {
	local dir=$BUILD/demo-clone logf=$BUILD/demo-clone.log rc=0 good t0
	t0=$(date +%s)
	if ! git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
		result SKIP host/demo-clone "the checkout is not a git repository"
		return 0
	fi
	rm -rf "$dir"
	if ! git clone -q "$SRC" "$dir" >"$logf" 2>&1; then
		result FAIL host/demo-clone "git clone of the checkout" "$logf"
		return 0
	fi
	# the clone is a checkout of its own: its own .build, not this run's
	(
		unset NIPSEC_BUILD NIPSEC_BENCH_OWNER MAKEFLAGS MAKELEVEL
		export NIPSEC_VM_TIMEOUT=${DEMO_VM_TIMEOUT:-300}
		cd "$dir" && $MAKE demo
	) >>"$logf" 2>&1 </dev/null || rc=$?
	good=$(grep -c '\[Good: True\]' "$logf" || true)
	if ((rc == 0)) && grep -q '^demo: all steps passed' "$logf" && ((good >= 2)); then
		result PASS host/demo-clone "make demo from a clean clone: exit 0, ESP decrypted with good ICVs ($(($(date +%s) - t0))s)"
		rm -rf "$dir"
	else
		result FAIL host/demo-clone "make demo from a clean clone (exit $rc, $good good ICVs; log $logf)" "$logf"
	fi
}

# budget FRACTION - sets VM_BUDGET to that share of the time left before the
# make check deadline (NIPSEC_CHECK_BUDGET seconds after the start; 85 min
# under CI, whose hard limit is 90), so a slow scenario ends in a readable
# failure instead of CI being killed without output.
budget() {
	VM_BUDGET=
	[[ -n $_deadline ]] || return 0
	local left=$((_deadline - $(date +%s) - 60))
	VM_BUDGET=$(awk -v l="$left" -v f="$1" 'BEGIN { v = int(l * f); print (v < 120 ? 120 : v) }')
}

# debug_phase - the debug kernel (built once, cached), then KUnit and the
# debug scenarios in one boot; run in the background by cmd_check
debug_phase() {
	local t0 dscen
	t0=$(date +%s)
	if ! kernel debug >"$BUILD/debug-kernel.log" 2>&1; then
		result FAIL debug/kernel "debug kernel built" "$BUILD/debug-kernel.log"
		return 0
	fi
	result PASS debug/kernel "debug kernel built ($(cat "$KDIR/.nipsec-stamp"))"
	echo "debug-kernel $(($(date +%s) - t0))" >>"$BUILD/phase-times"
	t0=$(date +%s)
	dscen=$(scenarios_for debug)
	budget 0.95
	flavor_run debug 1 "$dscen"
	echo "debug-vm $(($(date +%s) - t0))" >>"$BUILD/phase-times"
	echo "=== phase debug-vm: $(($(date +%s) - t0))s"
}

# ------------------------------------------------------------ commands

cmd_check() {
	local t0
	t0=$(date +%s)
	_deadline=
	if [[ -n ${NIPSEC_CHECK_BUDGET:-} ]]; then
		_deadline=$((t0 + NIPSEC_CHECK_BUDGET))
	elif [[ ${CI:-} == true ]]; then
		_deadline=$((t0 + 85 * 60))
	fi
	mkdir -p "$BUILD"
	: >"$TALLY"
	: >"$BUILD/phase-times"

	phase deps
	if [[ ${NIPSEC_SKIP_DEPS:-0} != 1 ]]; then
		if "$SRC/tools/testing/deps.sh" >"$BUILD/deps.log" 2>&1; then
			result PASS host/deps "build and test dependencies installed"
		else
			result FAIL host/deps "build and test dependencies installed" "$BUILD/deps.log"
		fi
	fi

	phase build
	host_make build-6.12 "module builds against Debian 6.12 headers" module
	host_make build-6.1 "module builds against Debian 6.1 headers" compat
	if [[ -f $SRC/tools/Makefile ]]; then
		host_make tool "nipsec tool builds" tool
	else
		result SKIP host/tool "tools/Makefile not present yet"
	fi
	if [[ -f $SRC/tools/strongswan/Makefile ]]; then
		host_make strongswan "strongSwan plugin builds against Debian's configured 5.9.8 source" strongswan
	fi

	# The debug VM is the long pole and leaves a core idle most of the time
	# (TCG, one busy vCPU): it runs beside everything else, its report kept
	# for the end so the two boots' lines do not interleave.
	local dbg_pid dbg_out=$BUILD/debug-vm.out
	debug_phase >"$dbg_out" 2>&1 &
	dbg_pid=$!

	phase host-tests
	tool_tests
	if [[ -x $SRC/uapi/regen.sh ]]; then
		if "$SRC/uapi/regen.sh" --check >"$BUILD/host-regen.log" 2>&1; then
			result PASS host/regen "generated uapi/netlink code is up to date"
		else
			result FAIL host/regen "generated uapi/netlink code is up to date" "$BUILD/host-regen.log"
		fi
	else
		result SKIP host/regen "uapi/regen.sh not present yet"
	fi
	host_make style "checkpatch --strict clean" style
	shellcheck_scripts
	host_make sparse "sparse (C=2) clean" sparse
	w1

	phase demo
	demo_clone

	phase stock-vm
	local sscen s61
	sscen=$(scenarios_for stock)
	budget 0.75
	flavor_run stock 0 "$sscen"

	phase stock61-vm
	s61=$(scenarios_for stock61)
	budget 1
	flavor_run stock61 0 "$s61"

	# last: it points KO_DIR at the installed copy
	phase install
	install_checks

	phase debug-wait
	wait "$dbg_pid" || true
	phase_end
	echo "=== debug kernel (ran beside the phases above):"
	cat "$dbg_out"

	echo "=== total: $(($(date +%s) - t0))s"
	summary
}

cmd_vmtest() {
	local names=$1 flavor=${2:-stock}
	mkdir -p "$BUILD"
	: >"$TALLY"
	local n
	for n in $names; do
		if [[ ! -f $SRC/tools/testing/scenarios/$n.sh ]]; then
			log "no such scenario: tools/testing/scenarios/$n.sh"
			exit 2
		fi
	done
	local kunit=0
	[[ $flavor == debug && ${KUNIT:-1} == 1 ]] && kunit=1
	# from a fresh clone, as make demo: the scenarios run the host's tool
	if [[ ${NIPSEC_SKIP_DEPS:-0} != 1 ]]; then
		"$SRC/tools/testing/deps.sh" >"$BUILD/deps.log" 2>&1 ||
			{ cat "$BUILD/deps.log"; exit 1; }
	fi
	$MAKE -C "$SRC" --no-print-directory tool >"$BUILD/host-tool.log" 2>&1 ||
		{ cat "$BUILD/host-tool.log"; exit 1; }
	# the plugin is loaded by charon inside the VM, built here
	if [[ " $names " == *" strongswan"* ]]; then
		host_make strongswan "strongSwan plugin builds" strongswan
	fi
	flavor_run "$flavor" "$kunit" "$names"
	summary
}

# cmd_demo - what `make demo` does from a fresh clone: dependencies, the
# tool, the module, one stock boot with the demo on the console.  Exits with
# the demo's status (1 when it did not report one: the VM died).
cmd_demo() {
	if [[ ! -f $SRC/tools/testing/demo/demo.sh ]]; then
		log "tools/testing/demo/demo.sh does not exist yet"
		exit 1
	fi
	if [[ -n ${IKE:-} && ${IKE} != strongswan ]]; then
		log "IKE=$IKE: only IKE=strongswan exists"
		exit 1
	fi
	mkdir -p "$BUILD"
	: >"$TALLY"
	if [[ ${NIPSEC_SKIP_DEPS:-0} != 1 ]]; then
		"$SRC/tools/testing/deps.sh" || { log "demo: dependencies missing"; exit 1; }
	fi
	log "demo: building the tool, the module${IKE:+ and the strongSwan plugin} (logs in $BUILD)"
	$MAKE -C "$SRC" --no-print-directory tool >"$BUILD/host-tool.log" 2>&1 ||
		{ cat "$BUILD/host-tool.log"; exit 1; }
	[[ -x $SRC/tools/nipsec/nipsec ]] || { log "demo: no tools/nipsec/nipsec after make tool"; exit 1; }
	kernel stock || exit 1
	build_module stock || { cat "$BUILD/stock/build.log"; exit 1; }
	if [[ ${IKE:-} == strongswan ]]; then
		NIPSEC_SKIP_DEPS=1 $MAKE -C "$SRC" --no-print-directory strongswan \
			>"$BUILD/host-strongswan.log" 2>&1 ||
			{ cat "$BUILD/host-strongswan.log"; exit 1; }
	fi
	local res=$BUILD/stock/results rc=0
	DEMO_IKE=${IKE:-} vm stock "" 0 demo || rc=$?
	if ((rc)); then
		log "demo: the VM exited with status $rc (QEMU's messages: $res/qemu.log)"
		tail -n 5 "$res/qemu.log" 2>/dev/null | sed 's/^/    /' >&2
	fi
	if [[ ! -s $res/demo.rc ]]; then
		log "demo: the guest reported no exit status (console: $res/console.log)"
		exit 1
	fi
	rc=$(cat "$res/demo.rc")
	if ((rc)); then
		log "demo FAILED (exit status $rc); its output: $res/demo.log"
		exit "$rc"
	fi
	log "demo passed; output in $res/demo.log, captures in $res/demo/"
}

# install_ns NAME TARGET... - make TARGET... in $INST/src inside a private
# mount namespace whose /usr and /var/lib/dkms are overlays: what the
# target installs lands in $INST/NAME/usr (the upper layer), never in the
# host's /usr.  Output in $INST/NAME.log.
install_ns() {
	local name=$1 d=$INST/$1
	shift
	rm -rf "$d"
	mkdir -p "$d"/{usr,usr.work,dkms,dkms.work}
	mkdir -p /var/lib/dkms
	unshare -m bash -euc '
		mount --make-rprivate /
		mount -t overlay nipsec-usr -o "lowerdir=/usr,upperdir=$1/usr,workdir=$1/usr.work" /usr
		mount -t overlay nipsec-dkms \
			-o "lowerdir=/var/lib/dkms,upperdir=$1/dkms,workdir=$1/dkms.work" /var/lib/dkms
		shift
		"$@"
		if command -v dkms >/dev/null; then dkms status -m nipsec; fi
	' install_ns "$d" "$MAKE" -C "$INST/src" --no-print-directory "$@" >"$INST/$name.log" 2>&1
}

# cmd_installtest - make install and make dkms-install (for 6.12 and 6.1)
# on the host, each into an overlay of /usr (install_ns); then a stock 6.12
# boot stacks each upper layer on its /usr and checks that modprobe nipsec
# loads what was installed, with nf_defrag_ipv6, that the installed tool
# runs and that man nipsec works (vm/install-guest.sh), and a stock 6.1 boot
# loads the DKMS module built for 6.1.  make check runs the same checks
# last (install_checks: two boots and three module builds, about three
# minutes).
cmd_installtest() {
	local t0
	t0=$(date +%s)
	mkdir -p "$BUILD"
	: >"$TALLY"
	if ((EUID != 0)); then
		log "install-test: needs root (mount namespaces, overlays, DKMS)"
		exit 1
	fi
	if [[ ${NIPSEC_SKIP_DEPS:-0} != 1 ]]; then
		"$SRC/tools/testing/deps.sh" >"$BUILD/deps.log" 2>&1 ||
			{ cat "$BUILD/deps.log"; exit 1; }
	fi
	install_checks
	echo "=== total: $(($(date +%s) - t0))s"
	summary
}

# install_checks - the counted part of install-test (make check runs it too)
install_checks() {
	local k61 f
	if ((EUID != 0)); then
		result FAIL host/install "install checks need root (overlays, DKMS)"
		return 0
	fi
	INST=$BUILD/install
	rm -rf "$INST"
	mkdir -p "$INST/src"
	# a clean copy of the checkout: tracked and untracked files, no output
	if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$SRC" && git ls-files -co --exclude-standard -z) |
			tar -C "$SRC" --null -T - -cf - | tar -C "$INST/src" -xf -
	else
		tar -C "$SRC" --exclude=./.build --exclude='*.o' --exclude='*.ko' -cf - . |
			tar -C "$INST/src" -xf -
	fi
	k61=$(debian_kver 6.1) || k61=
	kernel stock || { result FAIL host/install "stock kernel available"; return 0; }
	local kstock=$KVER
	if install_ns install install; then
		result PASS host/install "make install (into an overlay of /usr)"
	else
		result FAIL host/install "make install (into an overlay of /usr)" "$INST/install.log"
	fi
	if install_ns dkms dkms-install DKMS_KERNELS="$kstock${k61:+ $k61}"; then
		result PASS host/dkms-install "make dkms-install for $kstock${k61:+ and $k61} (overlay of /usr)"
	else
		result FAIL host/dkms-install "make dkms-install for $kstock${k61:+ and $k61}" "$INST/dkms.log"
	fi
	for f in "$INST"/{install,dkms}/usr/local/sbin/nipsec; do
		[[ -x $f ]] || result FAIL host/install "$f installed"
	done

	# the guest sees $INST through the 9p root or the checkout's share
	VM_ENV="INSTALL_DIR=$INST
INSTALL_PARTS=\"install dkms\"
INSTALL_OTHER_KVER=$k61"
	install_vm stock
	if [[ -n $k61 ]]; then
		VM_ENV="INSTALL_DIR=$INST
INSTALL_PARTS=dkms
INSTALL_OTHER_KVER="
		install_vm stock61
	else
		result FAIL stock61/install "a Debian 6.1 kernel to load the DKMS module"
	fi
}

# install_vm FLAVOR - boot FLAVOR in MODE=install, count its TAP lines
install_vm() {
	local flavor=$1 res=$BUILD/$1/results rc=0 line n=0
	kernel "$flavor" || { result FAIL "$flavor/install" "kernel available"; return 0; }
	KO_DIR=$INST/src
	VM_ENV=$VM_ENV vm "$flavor" "" 0 install || rc=$?
	while IFS= read -r line; do
		case $line in
		"not ok"*) result FAIL "$flavor/install" "${line#not ok * - }"; n=$((n + 1)) ;;
		ok*) result PASS "$flavor/install" "${line#ok * - }"; n=$((n + 1)) ;;
		"# "*) echo "    $line" ;;
		esac
	done <"$res/install.tap" 2>/dev/null
	if ((n == 0)) || [[ $(cat "$res/install.rc" 2>/dev/null) != 0 ]]; then
		result FAIL "$flavor/install" "install-guest.sh ran to the end (VM exit $rc, $n checks)" \
			"$res/install.stderr"
	fi
}

# cmd_build NAME [KBUILD ARGS] - module against $KDIR in a private copy
cmd_build() {
	local name=$1
	shift
	: "${KDIR:?KDIR not set}"
	mkdir -p "$BUILD/$name"
	if build_module "$name" "$@"; then
		grep -E 'warning:|error:' "$BUILD/$name/build.log" || true
		echo "built $KO_DIR/module/nipsec.ko against $KDIR"
	else
		cat "$BUILD/$name/build.log"
		return 1
	fi
}

# cmd_sparse - C=2 CHECK=sparse; any warning or error in our files fails
cmd_sparse() {
	: "${KDIR:?KDIR not set}"
	mkdir -p "$BUILD/sparse"
	local rc=0 dir=$BUILD/sparse/src
	build_module sparse C=2 CHECK=sparse || rc=$?
	local ours
	ours=$(grep -E ': (warning|error):' "$BUILD/sparse/build.log" |
		grep -E "^($dir/|\./|module/|kunit/|uapi/|include/)" || true)
	if ((rc)); then
		cat "$BUILD/sparse/build.log"
		return 1
	fi
	if [[ -n $ours ]]; then
		echo "${ours//$dir\//}"
		echo "sparse: $(wc -l <<<"$ours") warning(s) in nipsec sources"
		return 1
	fi
	echo "sparse: clean"
}

# fuzz - the full fuzzer run (make fuzz): a corpus of FUZZ_PACKETS
# (1000000) packets from FUZZ_SEED (1) made here, replayed in one debug VM
# (KERNEL=), then in the same boot the netlink fuzzer's FUZZ_NL_MESSAGES
# (200000) requests and FUZZ_NL_SECONDS (600) of racing operations;
# FUZZ_SKIP=class,... leaves packet classes out.  tools/testing/fuzz/
cmd_fuzz() {
	local dir
	log "fuzz: making the corpus (${FUZZ_PACKETS:-1000000} packets, seed ${FUZZ_SEED:-1})"
	dir=$("$SRC/tools/testing/fuzz/corpus.sh" "${FUZZ_SEED:-1}" \
		"${FUZZ_PACKETS:-1000000}" "${FUZZ_NEST_MAX:-60}") || exit 1
	NIPSEC_CMDLINE="${NIPSEC_CMDLINE:-} nipsec_fuzz_corpus=$dir${FUZZ_SKIP:+ nipsec_fuzz_skip=$FUZZ_SKIP}${FUZZ_TRACE:+ nipsec_fuzz_trace=$FUZZ_TRACE} nipsec_fuzz_nl_messages=${FUZZ_NL_MESSAGES:-200000} nipsec_fuzz_nl_seconds=${FUZZ_NL_SECONDS:-600}" \
		NIPSEC_VM_TIMEOUT=${NIPSEC_VM_TIMEOUT:-21600} KUNIT=0 \
		cmd_vmtest "fuzz_full fuzz_netlink_full" "${1:-debug}"
}

case ${1:-} in
check) cmd_check ;;
fuzz) cmd_fuzz "${2:-debug}" ;;
build) shift; cmd_build "$@" ;;
sparse) cmd_sparse ;;
vmtest) cmd_vmtest "${2:?scenario name(s)}" "${3:-stock}" ;;
demo) cmd_demo ;;
installtest) cmd_installtest ;;
kernel)
	kernel "${2:?flavor}"
	echo "$KDIR $BZIMAGE $KVER"
	;;
*)
	echo "usage: $0 check | vmtest NAMES [FLAVOR] | demo | kernel FLAVOR" >&2
	exit 2
	;;
esac
