#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the host tests of tools/ as one TAP stream: the unit tests, again
# under AddressSanitizer and UBSan, then the tool's command line behaviour.
# Ends with "N passed, N failed"; exits non-zero if anything failed.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

n=0
pass=0
fail=0

result() { # ok|not-ok DESC
	n=$((n + 1))
	if [[ $1 == ok ]]; then
		pass=$((pass + 1))
		echo "ok $n - $2"
	else
		fail=$((fail + 1))
		echo "not ok $n - $2"
	fi
}

# run_tap PREFIX CMD... - renumber CMD's TAP lines into ours
run_tap() {
	local prefix=$1 out rc line failed_before=$fail
	shift
	out=$("$@" 2>&1)
	rc=$?
	while IFS= read -r line; do
		case $line in
		"not ok"*)
			result not-ok "$prefix$(sed -E 's/^not ok( [0-9]+)?( -)? ?//' <<<"$line")" ;;
		"ok"*)
			result ok "$prefix$(sed -E 's/^ok( [0-9]+)?( -)? ?//' <<<"$line")" ;;
		"#"*)
			echo "$line" ;;
		*" passed, "*" failed"*)
			;;
		?*)
			echo "# $line" ;;
		esac
	done <<<"$out"
	# a crash (a sanitizer abort) must fail even if every line said ok
	if ((rc != 0 && fail == failed_before)); then
		result not-ok "$prefix$1 exited with status $rc"
	fi
}

run_tap "" tests/unit
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
run_tap "asan: " tests/unit-san
run_tap "cli: " tests/cli.sh

echo "$pass passed, $fail failed"
((fail == 0))
