# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shell library for nipsec test scenarios (tools/testing/scenarios/*.sh).
# Source it first:  . "$SRC/tools/testing/lib.sh"
#
# Scenarios run as root inside the VM with cwd = repo root and these
# variables set by the bench: SRC NIPSEC NIPSEC_KO NIPSEC_KUNIT_KO
# KERNEL_FLAVOR RESULTS SCENARIO.  Output is TAP on stdout; see
# Documentation/testing.rst for the contract.

: "${SRC:=$(pwd)}"
: "${NIPSEC:=$SRC/tools/nipsec/nipsec}"
: "${NIPSEC_KO:=$SRC/module/nipsec.ko}"
: "${RESULTS:=${TMPDIR:-/tmp}}"
: "${KERNEL_FLAVOR:=stock}"
: "${SCENARIO:=$(basename "${0%.sh}")}"
export SRC NIPSEC NIPSEC_KO RESULTS KERNEL_FLAVOR SCENARIO

# ---------------------------------------------------------------- TAP

_tap_n=0
_tap_failed=0

# diag TEXT... - a TAP comment line
diag() { printf '# %s\n' "$*"; }

# _indent: prefix every input line with "# " (command output as comments).
_indent() { sed 's/^/# /'; }

# ok DESC
ok() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s\n' "$_tap_n" "$1"
}

# fail DESC [DETAIL...] - DETAIL is printed as comment lines
fail() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	printf 'not ok %d - %s\n' "$_tap_n" "$1"
	shift
	if (($#)); then
		printf '%s\n' "$@" | _indent
	fi
	return 0
}

# skip DESC REASON
skip() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "$1" "${2:-}"
}

# _run CMD... - run CMD in this shell (so helpers like ns_new keep their
# bookkeeping), its output in $_out and its status in $_rc
_run() {
	local f
	f=$(mktemp)
	_rc=0
	"$@" >"$f" 2>&1 </dev/null || _rc=$?
	_out=$(cat "$f")
	rm -f "$f"
}

# check DESC CMD [ARGS...] - ok iff CMD exits 0; else its output as comments
check() {
	local desc=$1 out rc
	shift
	_run "$@"
	out=$_out rc=$_rc
	if ((rc == 0)); then
		ok "$desc"
	else
		fail "$desc" "\$ $* (exit $rc)" "$out"
	fi
	return 0
}

# guard DESC CMD [ARGS...] - check, returning CMD's status, for the steps
# that later ones depend on: "if ! guard ...; then ... exit 1; fi"
guard() {
	local desc=$1
	shift
	_run "$@"
	if ((_rc == 0)); then
		ok "$desc"
	else
		fail "$desc" "\$ $* (exit $_rc)" "$_out"
	fi
	return "$_rc"
}

# check_not DESC CMD [ARGS...] - ok iff CMD exits non-zero
check_not() {
	local desc=$1 out rc
	shift
	_run "$@"
	out=$_out rc=$_rc
	if ((rc != 0)); then
		ok "$desc"
	else
		fail "$desc" "\$ $* (exit 0, expected failure)" "$out"
	fi
	return 0
}

# skip_all REASON - the whole scenario does not apply here; exits
skip_all() {
	printf '1..0 # SKIP %s\n' "$1"
	exit 0
}

# require CMD... - skip_all unless every CMD is installed
require() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_all "$c not installed"
	done
}

# ---------------------------------------------------------------- cleanup

_cleanup_cmds=()
_netns=()

# on_exit CMD... - run CMD at exit (in reverse order of registration).
# Use this instead of `trap ... EXIT`, which would replace the library's.
on_exit() { _cleanup_cmds+=("$*"); }

_lib_exit() {
	local rc=$? i
	set +e
	for ((i = ${#_cleanup_cmds[@]} - 1; i >= 0; i--)); do
		eval "${_cleanup_cmds[$i]}" >/dev/null 2>&1
	done
	capture_stop >/dev/null 2>&1
	# Background jobs the scenario left (iperf3 servers, pings...).
	local pids
	pids=$(jobs -pr)
	# shellcheck disable=SC2086 # one pid per word
	[[ -z $pids ]] || kill $pids 2>/dev/null
	wait 2>/dev/null
	for ((i = ${#_netns[@]} - 1; i >= 0; i--)); do
		ip netns pids "${_netns[$i]}" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "${_netns[$i]}" 2>/dev/null
	done
	if ((rc == 0 && _tap_failed > 0)); then
		rc=1
	fi
	exit "$rc"
}
trap _lib_exit EXIT

# ---------------------------------------------------------------- netns

# ns_new NAME - create a netns with lo up; deleted at exit
ns_new() {
	ip netns del "$1" 2>/dev/null || true
	ip netns add "$1"
	_netns+=("$1")
	ip -n "$1" link set lo up
}

# ns_exec NS CMD... - run CMD inside NS
ns_exec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# ns_link NS1 IF1 NS2 IF2 - veth pair NS1/IF1 <-> NS2/IF2, both up
ns_link() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# ns_addr NS IF ADDR/PLEN - add an address (IPv6 without DAD, so usable now)
ns_addr() {
	if [[ $3 == *:* ]]; then
		ip -n "$1" addr add "$3" dev "$2" nodad
	else
		ip -n "$1" addr add "$3" dev "$2"
	fi
}

# ---------------------------------------------------------------- waiting

# wait_for [-t SECONDS] CMD... - poll CMD until it succeeds (default 10 s)
wait_for() {
	local t=10
	if [[ $1 == -t ]]; then
		t=$2
		shift 2
	fi
	local end=$((SECONDS + t))
	until "$@" >/dev/null 2>&1; do
		((SECONDS < end)) || return 1
		sleep 0.1
	done
}

# monitor_mark NS FILE [SPI] - a marker through a `nipsec monitor` in NS
# that writes FILE: an SA of its own (SPI 0xfffffff0 unless given, to
# 169.254.254.254) is added and deleted until FILE shows its sa-del.  Events
# go out in order, so what was sent before the marker is in FILE once the
# marker is; and the first marker proves the monitor listens.  Tests must
# look for their own events by SPI or address: the markers are in FILE too.
monitor_mark() {
	local ns=$1 file=$2 spi=$((${3:-0})) i
	local k=0x6d6f6e69746f7220726561647920200102030405	# key, salt
	((spi)) || spi=0xfffffff0
	for i in $(seq 100); do
		ip netns exec "$ns" "$NIPSEC" sa add src 169.254.254.253 dst 169.254.254.254 \
			proto esp spi "$spi" aead 'rfc4106(gcm(aes))' "$k" 128 \
			>/dev/null 2>&1
		ip netns exec "$ns" "$NIPSEC" sa del dst 169.254.254.254 proto esp \
			spi "$spi" >/dev/null 2>&1
		grep -qE "$(printf '%x' "$spi")|[^0-9]$((spi))[^0-9]" "$file" && return 0
		sleep 0.1
	done
	return 1
}

# monitor_ready NS FILE - until that monitor listens
monitor_ready() { monitor_mark "$1" "$2"; }

# ---------------------------------------------------------------- capture

_cap_pids=()
_cap_where=()

# capture_start NS IF FILE [FILTER...] - tcpdump on NS/IF into FILE (pcap).
# Returns once tcpdump is listening.  Decode later with tshark -r FILE.
capture_start() {
	local ns=$1 ifc=$2 file=$3 err
	shift 3
	err=$(mktemp)
	# capture_stop's marker must pass the filter; tcpdump options (such
	# as -Q in, which would not see it) mean no marker
	local mark=1
	if [[ ${1:-} == -* ]]; then
		mark=0
	elif (($#)); then
		set -- "( $* ) or ether proto $_cap_marker_type"
	fi
	# --immediate-mode: without it libpcap hands packets over a ring block
	# at a time (up to a second late), and a capture stopped soon after
	# the last packets loses them: a "nothing in clear" check then passes
	# on an empty file
	ip netns exec "$ns" tcpdump --immediate-mode -U -n -s 0 -i "$ifc" -w "$file" "$@" 2>"$err" &
	_cap_pids+=("$!")
	_cap_where+=("$ns $ifc $file $mark")
	if ! wait_for -t 30 grep -q 'listening on' "$err"; then
		cat "$err" >&2
		rm -f "$err"
		return 1
	fi
	rm -f "$err"
}

# A frame of IEEE 802's local experimental type: sent last on a captured
# interface, it is in the file once everything sent before it is (a
# packet socket receives in order), so a capture stops without losing the
# last packets to tcpdump's lag; then it is taken out of the file again.
_cap_marker_type=0x88b5
_cap_mark() {
	ip netns exec "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
s.send(b"\xff" * 6 + b"\x02\0\0\0\0\x01" + b"\x88\xb5" +
       b"nipsec capture marker".ljust(46, b"\0"))' "$2" 2>/dev/null
}
_cap_has_marker() {
	tcpdump -n -r "$1" ether proto $_cap_marker_type 2>/dev/null | grep -q .
}

# capture_stop - every capture, once its marker is in the file
capture_stop() {
	local p w ns ifc file mark
	for w in "${_cap_where[@]}"; do
		read -r ns ifc file mark <<<"$w"
		((mark)) || continue
		_cap_mark "$ns" "$ifc" && wait_for -t 10 _cap_has_marker "$file"
	done
	for p in "${_cap_pids[@]}"; do
		kill -INT "$p" 2>/dev/null
	done
	for p in "${_cap_pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	for w in "${_cap_where[@]}"; do
		read -r ns ifc file mark <<<"$w"
		((mark)) || continue
		tcpdump -r "$file" -w "$file.tmp" "not ether proto $_cap_marker_type" \
			2>/dev/null && mv "$file.tmp" "$file"
	done
	_cap_pids=()
	_cap_where=()
	return 0
}

# ---------------------------------------------------------------- module

# load_nipsec - insmod $NIPSEC_KO (dependencies via modprobe first) with
# the module parameters in $NIPSEC_PARAMS, if any
load_nipsec() {
	if lsmod | grep -q '^nipsec '; then
		return 0
	fi
	local dep deps
	deps=$(modinfo -F depends "$NIPSEC_KO" 2>/dev/null | tr ',' ' ')
	for dep in $deps; do
		modprobe "$dep" || return 1
	done
	# shellcheck disable=SC2086 # parameters are separate words
	insmod "$NIPSEC_KO" ${NIPSEC_PARAMS:-}
}

# unload_nipsec - rmmod nipsec (and the KUnit module if loaded)
unload_nipsec() {
	if lsmod | grep -q '^nipsec_kunit '; then
		rmmod nipsec_kunit || return 1
	fi
	if lsmod | grep -q '^nipsec '; then
		rmmod nipsec || return 1
	fi
}

# nipsec_loaded - exit 0 iff the module is loaded
nipsec_loaded() { lsmod | grep -q '^nipsec '; }
