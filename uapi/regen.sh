#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate the uAPI header, the kernel's policies and op tables and the
# netlink reference documentation from uapi/nipsec.yaml with the kernel's
# own ynl-gen. `regen.sh --check` only reports whether the committed
# output is current (exit 1 if stale).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ksrc=${KSRC:-}
if [ -z "$ksrc" ]; then
	for d in "${NIPSEC_CACHE:-/var/cache/nipsec}"/linux-source-6.12 /usr/src/linux-source-6.12; do
		[ -x "$d/tools/net/ynl/ynl-gen-c.py" ] && ksrc=$d && break
	done
fi
if [ -z "$ksrc" ]; then
	echo "regen: no kernel source with tools/net/ynl (set KSRC=)" >&2
	exit 2
fi

check=0
[ "${1:-}" = "--check" ] && check=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ynl-gen validates a spec against ../genetlink.yaml beside its folder.
# Kernels before 6.14 lack uns-admin-perm in that schema although the
# generator and genetlink support it: extend the enum in our private copy.
# ynl-gen also names the spec relative to the tree holding MAINTAINERS.
mkdir -p "$tmp/uapi" "$tmp/out/uapi/linux" "$tmp/out/module" "$tmp/out/Documentation"
sed 's/enum: \[ admin-perm \]/enum: [ admin-perm, uns-admin-perm ]/' \
	"$ksrc/Documentation/netlink/genetlink.yaml" > "$tmp/genetlink.yaml"
touch "$tmp/MAINTAINERS"
cp "$top/uapi/nipsec.yaml" "$tmp/uapi/nipsec.yaml"

gen="$ksrc/tools/net/ynl/ynl-gen-c.py"
spec="$tmp/uapi/nipsec.yaml"
python3 "$gen" --mode uapi --header --spec "$spec" -o "$tmp/out/uapi/linux/nipsec.h"
python3 "$gen" --mode kernel --header --spec "$spec" -o "$tmp/out/module/netlink-gen.h"
python3 "$gen" --mode kernel --source --spec "$spec" -o "$tmp/out/module/netlink-gen.c"
python3 "$ksrc/tools/net/ynl/ynl-gen-rst.py" -i "$spec" -o "$tmp/out/Documentation/netlink-spec.rst"

stale=0
for f in uapi/linux/nipsec.h module/netlink-gen.h module/netlink-gen.c Documentation/netlink-spec.rst; do
	if ! cmp -s "$tmp/out/$f" "$top/$f"; then
		stale=1
		if [ $check = 1 ]; then
			echo "regen: $f is stale; run 'make regen'" >&2
			diff -u "$top/$f" "$tmp/out/$f" | head -20 >&2 || true
		else
			cp "$tmp/out/$f" "$top/$f"
			echo "  GEN     $f"
		fi
	fi
done
[ $check = 1 ] && [ $stale = 1 ] && exit 1
exit 0
