#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the bench initramfs: busybox-static, our /init, and, for a stock
# Debian kernel, the modules needed to mount the 9p root (decompressed, since
# busybox insmod cannot read .ko.xz), listed dependencies first.
#
# Usage: mkinitramfs.sh OUT.cpio.gz [KVER]
#   KVER: a kernel version under /lib/modules; omit for a kernel that has
#         9p and virtio built in (the debug kernel).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$1
kver=${2:-}

busybox=$(command -v busybox || true)
[[ -n $busybox ]] || { echo "mkinitramfs: busybox-static is not installed" >&2; exit 1; }
if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked' &&
	ldd "$busybox" >/dev/null 2>&1; then
	echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,newroot,lib/modules}
cp "$busybox" "$work/bin/busybox"
cp "$here/init" "$work/init"
chmod 755 "$work/init"

if [[ -n $kver ]]; then
	mdir=/lib/modules/$kver
	[[ -f $mdir/modules.dep ]] || { echo "mkinitramfs: no $mdir/modules.dep" >&2; exit 1; }
	declare -A seen=()
	order=()
	# Depth-first over modules.dep so each module follows its dependencies.
	resolve() {
		local name=$1 line path dep
		line=$(grep -E "(^|/)$name\.ko(\.xz|\.zst|\.gz)?:" "$mdir/modules.dep" | head -n1 || true)
		[[ -n $line ]] || return 0	# built in
		path=${line%%:*}
		[[ -z ${seen[$path]:-} ]] || return 0
		seen[$path]=1
		for dep in ${line#*:}; do
			dep=${dep##*/}
			resolve "${dep%%.ko*}"
		done
		order+=("$path")
	}
	for m in virtio_pci 9pnet_virtio 9p; do
		resolve "$m"
	done
	: >"$work/modules.order"
	for path in "${order[@]}"; do
		base=${path##*/}
		base=${base%%.ko*}.ko
		case $path in
		*.xz) xz -dc "$mdir/$path" >"$work/lib/modules/$base" ;;
		*.zst) zstd -qdc "$mdir/$path" >"$work/lib/modules/$base" ;;
		*.gz) gzip -dc "$mdir/$path" >"$work/lib/modules/$base" ;;
		*) cp "$mdir/$path" "$work/lib/modules/$base" ;;
		esac
		echo "lib/modules/$base" >>"$work/modules.order"
	done
fi

(cd "$work" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out"
