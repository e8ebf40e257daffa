#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages nipsec needs to build and test, saying what it
# does.  Only missing packages are installed; `apt-get update` runs at most
# once.  Also unpacks the kernel source (for checkpatch, kunit.py and the
# debug kernel) into ${NIPSEC_CACHE:-/var/cache/nipsec}.
#
# Usage: deps.sh [--list]   (--list: print the package list and exit)
set -euo pipefail

pkgs=(
	# module and tool builds (6.12 is the target, 6.1 the compat check)
	build-essential make gcc bc bison flex libelf-dev libssl-dev kmod pkg-config
	linux-headers-6.12-amd64 linux-image-6.12-amd64
	linux-headers-amd64 linux-image-amd64
	linux-source-6.12
	libnl-3-dev libnl-genl-3-dev
	dkms
	# host checks
	sparse shellcheck python3 python3-yaml python3-jsonschema
	# the VM bench
	qemu-system-x86 busybox-static cpio xz-utils zstd gzip file
	# used by scenarios inside the VM (the guest runs the host's userspace)
	iproute2 iputils-ping iperf3 tcpdump tshark conntrack nftables procps jq xxd
	python3-scapy man-db
	strongswan strongswan-charon strongswan-swanctl libstrongswan-standard-plugins
	# the strongSwan plugin (tools/strongswan): Debian's source package,
	# configured with its debian/rules flags, whose configure checks these
	dpkg-dev gperf libiptc-dev libcap-dev libcurl4-openssl-dev libgcrypt20-dev
	libgmp-dev libkrb5-dev libldap2-dev libnm-dev libpam0g-dev libsqlite3-dev
	libsystemd-dev libtss2-dev libxml2-dev
)

if [[ ${1:-} == --list ]]; then
	printf '%s\n' "${pkgs[@]}"
	exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if ((${#missing[@]})); then
	echo "deps: missing packages: ${missing[*]}"
	if ((EUID != 0)); then
		echo "deps: not root; run: sudo apt-get install ${missing[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# tshark asks whether non-root users may capture; answer no, silently.
	echo 'wireshark-common wireshark-common/install-setuid boolean false' |
		debconf-set-selections
	echo "deps: apt-get update"
	apt-get update -q
	echo "deps: apt-get install ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
else
	echo "deps: all ${#pkgs[@]} packages present"
fi

cache=${NIPSEC_CACHE:-/var/cache/nipsec}
if [[ ! -f $cache/linux-source-6.12/Makefile ]]; then
	tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-6.12.tar.*' | head -n1)
	echo "deps: unpacking $tarball into $cache"
	mkdir -p "$cache"
	tar -C "$cache" -xf "$tarball"
else
	echo "deps: kernel source present in $cache/linux-source-6.12"
fi
