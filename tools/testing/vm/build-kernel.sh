#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the debug kernel for the VM bench.
#
# The build lives outside the checkout, in
#   ${NIPSEC_CACHE:-/var/cache/nipsec}/kernel-debug-<hash>/
# where <hash> covers the config fragment, the kernel source version and the
# compiler, so any change to one of them gives a fresh tree and an unchanged
# setup reuses the old one.  A stamp file is written only after a complete
# build; a tree without it is rebuilt.  Out-of-tree modules build against it
# with `make -C <dir> M=<repo>`.
#
# Prints the build directory as the last line of stdout.
# Usage: build-kernel.sh [--print-dir]   (--print-dir: only compute the path)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${NIPSEC_CACHE:-/var/cache/nipsec}
frag=${NIPSEC_DEBUG_CONFIG:-$here/debug.config}
jobs=${NIPSEC_JOBS:-$(nproc)}

log() { echo "build-kernel: $*" >&2; }

# Debian ships the source as a tarball; unpack it once into the cache.
ksrc=${NIPSEC_KSRC:-}
if [[ -z $ksrc ]]; then
	ksrc=$cache/linux-source-6.12
	if [[ ! -f $ksrc/Makefile ]]; then
		tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-6.12.tar.*' | head -n1)
		[[ -n $tarball ]] || { log "no kernel source: install linux-source-6.12"; exit 1; }
		log "extracting $tarball into $cache"
		mkdir -p "$cache"
		tar -C "$cache" -xf "$tarball"
	fi
fi

srcver=$(make -s -C "$ksrc" kernelversion 2>/dev/null || echo unknown)
pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
ccver=$(${CC:-gcc} --version | head -n1)
hash=$( { cat "$frag"; echo "$srcver $pkgver"; echo "$ccver"; } | sha256sum | cut -c1-12)
out=$cache/kernel-debug-$hash

if [[ ${1:-} == --print-dir ]]; then
	echo "$out"
	exit 0
fi

mkdir -p "$out"
# Several people (or make check and make vmtest) may ask at once: one builds.
exec 9>"$out.lock"
flock 9

if [[ -f $out/.nipsec-stamp && -f $out/arch/x86/boot/bzImage ]]; then
	log "reusing $out (built $(cat "$out/.nipsec-stamp"))"
	echo "$out"
	exit 0
fi

log "building debug kernel $srcver in $out (fragment $frag, -j$jobs)"
start=$(date +%s)
kmake() { make -s -C "$ksrc" O="$out" -j"$jobs" "$@"; }

kmake allnoconfig >&2
cat "$frag" >>"$out/.config"
kmake olddefconfig >&2

# Every fragment line must have survived olddefconfig; a dropped one means a
# missing dependency that would otherwise silently weaken the bench.
dropped=0
while IFS= read -r line; do
	[[ $line =~ ^CONFIG_ ]] || continue
	if ! grep -qxF -- "$line" "$out/.config"; then
		sym=${line%%=*}
		log "DROPPED: $line (now: $(grep -E "^(# )?${sym}[= ]" "$out/.config" || echo unset))"
		dropped=$((dropped + 1))
	fi
done <"$frag"
if ((dropped)); then
	log "$dropped fragment line(s) did not make it into .config; fix $frag"
	exit 1
fi

# `modules` also writes Module.symvers, which external module builds need.
kmake bzImage modules_prepare modules >&2
end=$(date +%s)
echo "$(date -u +%FT%TZ) in $((end - start))s" >"$out/.nipsec-stamp"
log "done in $((end - start))s"
echo "$out"
