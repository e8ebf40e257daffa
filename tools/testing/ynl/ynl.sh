# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The kernel's own YNL CLI (tools/net/ynl/cli.py of linux-source-6.12) as an
# independent netlink client for the nipsec scenarios. Source after lib.sh:
#
#   ynl_setup || skip_all "no YNL CLI"
#   ynl --do sa-get --json '{"spi": 256, "proto": "esp", "dst-v4": ...}'
#
# The CLI lives in the unpacked kernel source under $NIPSEC_CACHE
# (/var/cache/nipsec). In the VM the guest's /var is a tmpfs over the
# host's: the CLI then runs in a private mount namespace where that tmpfs
# is unmounted, which uncovers the host's /var (read-only 9p) for it
# alone. Failing both, it is unpacked once per boot from
# /usr/src/linux-source-6.12.tar.* into /tmp (slow under TCG). It needs
# python3-yaml. Output is JSON (--output-json); an error prints "Netlink
# error: <strerror>" and the kernel's extack, and exits 1.

YNL_UNPACK=/tmp/nipsec-ynl
YNL_REL=linux-source-6.12/tools/net/ynl/cli.py
YNL_CLI=
# command prefix that uncovers the host /var for cli.py (see above)
YNL_PREFIX=()
export PYTHONDONTWRITEBYTECODE=1

# ynl_setup - find cli.py; sets YNL_CLI (and YNL_PREFIX)
ynl_setup() {
	local c tb cache=${NIPSEC_CACHE:-/var/cache/nipsec}
	python3 -c 'import yaml' 2>/dev/null || return 1
	for c in "${NIPSEC_YNL_CLI:-}" "$cache/$YNL_REL" "$YNL_UNPACK/$YNL_REL"; do
		if [[ -n $c && -f $c ]]; then
			YNL_CLI=$c
			return 0
		fi
	done
	c=$cache/$YNL_REL
	if [[ $c == /var/* ]] &&
		unshare -m --propagation private sh -c "umount -l /var && test -f '$c'" 2>/dev/null; then
		YNL_CLI=$c
		YNL_PREFIX=(unshare -m --propagation private
			    sh -c 'umount -l /var && exec "$@"' ynl)
		return 0
	fi
	tb=$(find /usr/src -maxdepth 1 -name 'linux-source-6.12.tar.*' 2>/dev/null | head -n1)
	[[ -n $tb ]] || return 1
	mkdir -p "$YNL_UNPACK"
	# several scenarios may ask at once: one unpacks
	(
		flock 9
		[[ -f $YNL_UNPACK/$YNL_REL ]] || tar -C "$YNL_UNPACK" -xf "$tb" --wildcards \
			'linux-source-6.12/tools/net/ynl/cli.py' \
			'linux-source-6.12/tools/net/ynl/lib/*.py'
	) 9>"$YNL_UNPACK.lock" || return 1
	YNL_CLI=$YNL_UNPACK/$YNL_REL
	[[ -f $YNL_CLI ]]
}

# ynl ARGS... - cli.py with the nipsec spec, JSON output
ynl() {
	"${YNL_PREFIX[@]}" python3 "$YNL_CLI" --spec "$SRC/uapi/nipsec.yaml" \
		--no-schema --output-json "$@"
}

# ynl_ns NS ARGS... - the same inside a network namespace
ynl_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "${YNL_PREFIX[@]}" python3 "$YNL_CLI" \
		--spec "$SRC/uapi/nipsec.yaml" --no-schema --output-json "$@"
}

# ynl_listening - a YNL CLI started with --subscribe has subscribed: it
# sleeps in clock_nanosleep (x86-64 syscall 230) only after ntf_subscribe()
ynl_listening() {
	local p
	for p in $(pgrep -f -- '--subscribe'); do
		[[ $(cut -d' ' -f1 "/proc/$p/syscall" 2>/dev/null) == 230 ]] && return 0
	done
	return 1
}

# ip2int ADDR - an IPv4 address as the integer YNL wants for u32 attributes
ip2int() {
	local IFS=.
	# shellcheck disable=SC2086 # split on dots
	set -- $1
	echo $((($1 << 24) | ($2 << 16) | ($3 << 8) | $4))
}

# ip6hex ADDR - an IPv6 address as the hex string YNL wants for binary
ip6hex() {
	python3 -c 'import ipaddress,sys; print(ipaddress.IPv6Address(sys.argv[1]).packed.hex())' "$1"
}
