#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install-test`, inside the VM (guest.sh MODE=install): the system as
# `make install` and `make dkms-install` left it.  The host ran each of them
# in a mount namespace whose /usr was an overlay (bench.sh cmd_installtest);
# here each upper layer is stacked read-only on the guest's /usr, so
# /lib/modules, /usr/local/sbin and /usr/local/share/man look as they would
# after a real install.  TAP on stdout.
#
# Env: INSTALL_DIR (holds install/usr and dkms/usr, the upper layers),
#      INSTALL_PARTS ("install dkms": which of them to check),
#      INSTALL_OTHER_KVER (a kernel DKMS also built for, not running here).
set -uo pipefail

. "$SRC/tools/testing/lib.sh"

kver=$(uname -r)
modprobe overlay 2>/dev/null

# layer NAME - stack INSTALL_DIR/NAME/usr on /usr (read-only)
layer() {
	mount -t overlay "nipsec-$1" -o "ro,lowerdir=$INSTALL_DIR/$1/usr:/usr" /usr
}
unlayer() { umount -l /usr; }

# loads NAME WHERE - modprobe nipsec by name loads the module installed
# under WHERE (a path below /lib/modules/$kver) with its dependencies
loads() {
	local what=$1 where=$2 path
	check "$what: modprobe nipsec" modprobe nipsec
	path=$(modinfo -n nipsec 2>/dev/null)
	if [[ $path == */lib/modules/$kver/$where/nipsec.ko* ]]; then
		ok "$what: modprobe found $path"
	else
		fail "$what: modprobe finds nipsec in /lib/modules/$kver/$where" "modinfo -n: $path"
	fi
	if lsmod | grep -q '^nipsec ' && lsmod | grep -q '^nf_defrag_ipv6 '; then
		ok "$what: nipsec and its dependency nf_defrag_ipv6 are loaded"
	else
		fail "$what: nipsec and nf_defrag_ipv6 are loaded" "$(lsmod | grep -e nipsec -e nf_defrag)"
	fi
}

# tool_and_man NAME - the installed tool (found on PATH) talks to the module,
# and man finds its page
tool_and_man() {
	local what=$1 out
	if [[ $(command -v nipsec) == /usr/local/sbin/nipsec ]]; then
		ok "$what: nipsec is /usr/local/sbin/nipsec on PATH"
	else
		fail "$what: nipsec is /usr/local/sbin/nipsec on PATH" "command -v: $(command -v nipsec)"
	fi
	check "$what: the installed nipsec talks to the module (nipsec stats)" nipsec stats
	out=$(MANPAGER=cat MANWIDTH=80 man nipsec 2>&1)
	if grep -q 'NAME' <<<"$out" && grep -qi 'nipsec' <<<"$out"; then
		ok "$what: man nipsec shows $(man -w nipsec 2>/dev/null)"
	else
		fail "$what: man nipsec works" "$(head -n 5 <<<"$out")"
	fi
}

for part in ${INSTALL_PARTS:-install dkms}; do
	if ! layer "$part"; then
		fail "$part: overlay of $INSTALL_DIR/$part/usr on /usr"
		continue
	fi
	case $part in
	install)
		loads "make install" extra
		tool_and_man "make install"
		;;
	dkms)
		loads "make dkms-install" updates/dkms
		tool_and_man "make dkms-install"
		other=${INSTALL_OTHER_KVER:-}
		if [[ -n $other ]]; then
			f=$(ls /lib/modules/"$other"/updates/dkms/nipsec.ko* 2>/dev/null | head -n1)
			vm=$( [[ -n $f ]] && modinfo -F vermagic "$f" 2>/dev/null)
			if [[ -n $f && $vm == "$other "* ]] &&
				grep -q '^updates/dkms/nipsec.ko' "/lib/modules/$other/modules.dep"; then
				ok "make dkms-install: $f built for $other and in its modules.dep"
			else
				fail "make dkms-install: nipsec.ko built and installed for $other" \
					"file: ${f:-none}" "vermagic: $vm"
			fi
		fi
		;;
	esac
	check "$part: rmmod nipsec" rmmod nipsec
	unlayer
done
echo "1..$_tap_n"
