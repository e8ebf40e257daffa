#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# corpus.sh SEED PACKETS [NEST_MAX] - make (once) the fuzz corpus for these
#                                     arguments and print its directory
# corpus.sh slice FLAVOR              the same for the make-check slice of
#                                     FLAVOR (slice.conf)
#
# A corpus is $NIPSEC_CACHE/fuzz/<key>/: meta.json, one pcap per class
# (gen.py) and the sender binary (send.c).  The key includes a hash of
# gen.py and send.c, so a changed generator makes a new corpus.  The host
# makes it at native speed (the bench does, before booting a VM that runs
# a fuzz scenario); in the guest, where the cache is read-only, a missing
# corpus is made under $FUZZ_CACHE instead (slowly, under TCG).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ${1:-} == slice ]]; then
	# shellcheck source=tools/testing/fuzz/slice.conf
	. "$here/slice.conf"
	v=SLICE_PACKETS_${2:?flavor}
	set -- "$SLICE_SEED" "${!v:-$SLICE_PACKETS_stock}" "$SLICE_NEST_MAX"
fi
seed=${1:?seed} packets=${2:?packets} nest=${3:-60}
h=$(cat "$here/gen.py" "$here/send.c" | sha256sum | cut -c1-10)
key=s$seed-n$packets-d$nest-$h
cache=${NIPSEC_CACHE:-/var/cache/nipsec}/fuzz
for d in "$cache" ${FUZZ_CACHE:+"$FUZZ_CACHE"}; do
	if [[ -f $d/$key/meta.json && -x $d/$key/send ]]; then
		echo "$d/$key"
		exit 0
	fi
done
if ! mkdir -p "$cache" 2>/dev/null || [[ ! -w $cache ]]; then
	cache=${FUZZ_CACHE:?no writable cache: set FUZZ_CACHE}
	mkdir -p "$cache"
fi
dir=$cache/$key
tmp=$(mktemp -d "$cache/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cc -O2 -Wall -o "$tmp/send" "$here/send.c"
/usr/bin/python3 "$here/gen.py" --seed "$seed" --packets "$packets" \
	--nest-max "$nest" --out "$tmp" >&2
if [[ -e $dir ]]; then	# made meanwhile by another run
	echo "$dir"
	exit 0
fi
mv "$tmp" "$dir"
trap - EXIT
echo "$dir"
