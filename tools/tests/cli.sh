#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Command line behaviour of the nipsec binary that needs no kernel module:
# exit codes, error messages, batches, options, the man page, install.
# Prints TAP lines; tests/run.sh numbers them.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
NIPSEC=${NIPSEC:-nipsec/nipsec}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }

# expect RC DESC CMD... - run CMD, keep its output in $tmp/out and $tmp/err
expect() {
	local want=$1 desc=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if ((rc == want)); then
		ok "$desc"
	else
		nok "$desc (exit $rc, wanted $want)"
		sed 's/^/# /' "$tmp/err" | head -5
	fi
}

# has FILE TEXT DESC
has() {
	if grep -qF -- "$2" "$tmp/$1"; then ok "$3"; else nok "$3"; sed 's/^/# /' "$tmp/$1" | head -5; fi
}

K16=0x00112233445566778899aabbccddeeff

expect 2 "no arguments is a usage error" "$NIPSEC"
has err "Usage: nipsec" "usage goes to stderr"
expect 0 "help exits 0" "$NIPSEC" help
has out "nipsec spi alloc" "help lists every object"
expect 0 "help sa" "$NIPSEC" help sa
if grep -q "policy" "$tmp/out"; then nok "help sa shows only sa"; else ok "help sa shows only sa"; fi
expect 0 "help monitor" "$NIPSEC" help monitor
if [[ $(wc -l <"$tmp/out") == 1 ]] && grep -q "nipsec monitor" "$tmp/out"; then ok "help monitor is one line"; else nok "help monitor is one line"; fi
expect 0 "state help (ip's object name)" "$NIPSEC" state help
has out "nipsec sa add" "state help shows sa"
expect 0 "-h" "$NIPSEC" -h
expect 2 "unknown option" "$NIPSEC" -x sa list
has err 'unknown option "-x"' "unknown option named"
expect 2 "unknown object" "$NIPSEC" frob add
has err 'Error: unknown object "frob"' "error message starts with Error:"
expect 2 "bad key is a usage error" "$NIPSEC" sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 1 enc 'cbc(aes)' 0x0011 auth sha1 0x0011
has err "Error: cbc(aes): key is 16 bits, must be 128 or 192 or 256 bits." "key length error message"
expect 2 "odd key digits" "$NIPSEC" sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 1 enc 'cbc(aes)' ${K16}1 auth sha1 0x0011
if grep -q "00112233" "$tmp/err"; then nok "errors never echo keys"; else ok "errors never echo keys"; fi
expect 2 "-n needs a value" "$NIPSEC" -n
expect 1 "-n with a missing namespace" "$NIPSEC" -n nipsec-no-such-ns sa list
has err 'cannot open network namespace "nipsec-no-such-ns"' "netns error message"

if [[ -e /sys/module/nipsec ]]; then
	ok "module missing is reported # SKIP nipsec is loaded"
	ok "module missing message # SKIP nipsec is loaded"
else
	expect 1 "module missing is a runtime error (exit 1)" "$NIPSEC" -j sa list
	has err "Error: the nipsec module is not loaded" "module missing message"
fi

# batches
printf '# a comment\n\nhelp sa\n  # indented comment\nhelp policy\n' >"$tmp/ok.batch"
expect 0 "batch of help commands and comments" "$NIPSEC" -b "$tmp/ok.batch"
has out "nipsec policy add" "batch ran every line"
printf 'help\n# two\nsa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0\nhelp\n' >"$tmp/bad.batch"
expect 2 "batch stops at a usage error" "$NIPSEC" -b "$tmp/bad.batch"
has err "Command failed $tmp/bad.batch:3" "batch names the failing line"
if [[ $(grep -c "Usage\|nipsec sa add" "$tmp/out") -le 2 ]]; then ok "nothing after the failed line ran"; else nok "nothing after the failed line ran"; fi
printf "help 'sa\n" >"$tmp/quote.batch"
expect 2 "batch with an unterminated quote" "$NIPSEC" -b "$tmp/quote.batch"
has err "quote.batch:1" "unterminated quote line number"
if echo "help stats" | "$NIPSEC" -b - >"$tmp/out" 2>&1; then ok "batch from standard input"; else nok "batch from standard input"; fi
has out "nipsec stats" "batch from standard input ran"
if printf 'sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 1 enc aes - auth sha1 -\n' |
	$NIPSEC -b - >/dev/null 2>"$tmp/err"; then nok "keys from stdin refused in a stdin batch"; else ok "keys from stdin refused in a stdin batch"; fi
has err "standard input is not available" "stdin batch key message"
expect 2 "batch file and a command" "$NIPSEC" -b "$tmp/ok.batch" sa list
expect 1 "missing batch file" "$NIPSEC" -b "$tmp/none.batch"

# keys from a file never appear in argv
echo "$K16" >"$tmp/key"
expect 2 "key file accepted (then a usage error: AH with enc)" \
	"$NIPSEC" sa add src 192.0.2.1 dst 192.0.2.2 proto ah spi 1 enc aes "@$tmp/key"
has err "AH takes only an auth algorithm" "key file read before the semantic check"

# man page
if [[ -f nipsec/nipsec.8 ]]; then
	warn=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z nipsec/nipsec.8 2>&1)
	if [[ -z $warn ]]; then ok "man page: groff -ww prints no warning"; else nok "man page: groff -ww prints no warning"; echo "$warn" | sed 's/^/# /' | head; fi
	if MANPAGER=cat MANWIDTH=80 man -l nipsec/nipsec.8 >"$tmp/man" 2>"$tmp/manerr" && [[ -s $tmp/man ]]; then
		ok "man -l renders the page"
	else
		nok "man -l renders the page"
	fi
	missing=
	for w in "sa add" "sa update" "sa del" "sa get" "sa list" "sa flush" "spi alloc" \
		"policy add" "policy del" "policy get" "policy list" "policy flush" \
		stats monitor -j -s -n -b proposal EXIT "SEE ALSO" ip-xfrm; do
		grep -qF -- "$w" "$tmp/man" || missing+=" '$w'"
	done
	if [[ -z $missing ]]; then ok "man page covers every command and option"; else nok "man page covers every command and option (missing$missing)"; fi
else
	nok "man page nipsec/nipsec.8 exists"
fi

# install
if make -s --no-print-directory install DESTDIR="$tmp/root" PREFIX=/usr >"$tmp/inst" 2>&1 &&
	[[ -x $tmp/root/usr/sbin/nipsec && -f $tmp/root/usr/share/man/man8/nipsec.8 ]]; then
	ok "make install DESTDIR= PREFIX="
else
	nok "make install DESTDIR= PREFIX="
	sed 's/^/# /' "$tmp/inst" | head
fi
