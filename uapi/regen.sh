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

# ynl-gen validates a spec against ../<protocol>.yaml beside its folder:
# give it the kernel's own schema, unmodified (the spec must validate as
# it is; the 6.12 schema admits uns-admin-perm under genetlink-legacy
# only, hence our protocol). ynl-gen also names the spec relative to the
# tree holding MAINTAINERS.
mkdir -p "$tmp/uapi" "$tmp/out/uapi/linux" "$tmp/out/module" "$tmp/out/Documentation"
proto=$(sed -n 's/^protocol: *//p' "$top/uapi/nipsec.yaml")
cp "$ksrc/Documentation/netlink/$proto.yaml" "$tmp/$proto.yaml"
touch "$tmp/MAINTAINERS"
cp "$top/uapi/nipsec.yaml" "$tmp/uapi/nipsec.yaml"
spec="$tmp/uapi/nipsec.yaml"

# Validate explicitly too, so a missing python3-jsonschema is an error
# here rather than a silent skip.
python3 - "$spec" "$tmp/$proto.yaml" <<'PY'
import sys
import jsonschema
import yaml
with open(sys.argv[1]) as f:
    spec = yaml.safe_load(f)
with open(sys.argv[2]) as f:
    schema = yaml.safe_load(f)
try:
    jsonschema.validate(spec, schema)
except jsonschema.ValidationError as e:
    sys.exit('regen: uapi/nipsec.yaml does not validate against %s: %s'
             % (sys.argv[2].rsplit('/', 1)[1], e.message))
PY

# The module names its drop reasons in the list of module/trace.h (the
# tracepoint's symbols, the drop events' "reason", stats.c's table): the
# same names as the spec's drop-* counters, in both directions.
python3 - "$spec" "$top/module/trace.h" <<'PY'
import re
import sys
import yaml
with open(sys.argv[1]) as f:
    spec = yaml.safe_load(f)
stats = next(s for s in spec['attribute-sets'] if s['name'] == 'stats')
want = {a['name'][5:] for a in stats['attributes'] if a['name'].startswith('drop-')}
with open(sys.argv[2]) as f:
    pairs = re.findall(r'EM(?:_END)?\((NIPSEC_DROP_\w+), "([\w-]+)"\)', f.read())
have = {name for _, name in pairs}
bad = [e for e, name in pairs if e != 'NIPSEC_DROP_' + name.upper().replace('-', '_')]
if want != have or bad or len(pairs) != len(have):
    sys.exit('regen: module/trace.h drop reasons differ from the spec: '
             'spec only %s, trace.h only %s, misnamed %s'
             % (sorted(want - have), sorted(have - want), bad))
PY

# Two departures from 6.12's ynl-gen, both deterministic:
# - it emits the genl_family (and keeps the op table static) only for
#   protocol genetlink; a genetlink-legacy family with the default split
#   policy is generated the same way (what newer schemas allow as plain
#   genetlink);
# - it ignores the flags of multicast groups: a group flagged admin-perm
#   gets .flags = GENL_MCAST_CAP_NET_ADMIN (checked against the
#   namespace's user namespace, as uns-admin-perm ops are).
cat >"$tmp/ynl-gen.py" <<'PY'
import importlib.util
import sys
import yaml

gen, spec, out = sys.argv[1], sys.argv[2], sys.argv[-1]
sys.path.insert(0, gen.rsplit('/', 1)[0])
sys.argv = ['ynl-gen-c.py'] + sys.argv[3:]
mod_spec = importlib.util.spec_from_file_location('ynl_gen_c', gen)
ygc = importlib.util.module_from_spec(mod_spec)
mod_spec.loader.exec_module(ygc)
ygc.kernel_can_gen_family_struct = \
    lambda family: family.proto in ('genetlink', 'genetlink-legacy') and \
    family.kernel_policy == 'split'
ygc.main()

if '--source' in sys.argv and '--mode' in sys.argv and \
        sys.argv[sys.argv.index('--mode') + 1] == 'kernel':
    with open(spec) as f:
        y = yaml.safe_load(f)
    with open(out) as f:
        text = f.read()
    ident = y['name'].replace('-', '_').upper()
    for grp in y.get('mcast-groups', {}).get('list', []):
        flags = grp.get('flags', [])
        if not flags:
            continue
        if flags != ['admin-perm']:
            sys.exit('regen: mcast group flags %s not supported' % flags)
        gid = '%s_NLGRP_%s' % (ident, grp['name'].replace('-', '_').upper())
        old = '[%s] = { "%s", },' % (gid, grp['name'])
        new = ('[%s] = { .name = "%s", .flags = GENL_MCAST_CAP_NET_ADMIN, },'
               % (gid, grp['name']))
        if text.count(old) != 1:
            sys.exit('regen: group %s not found in the generated source' % gid)
        text = text.replace(old, new)
    with open(out, 'w') as f:
        f.write(text)
PY

gen="$ksrc/tools/net/ynl/ynl-gen-c.py"
# ygen OUT ARGS... - ynl-gen-c.py ARGS on the spec, through the above
ygen() {
	local out=$1
	shift
	python3 "$tmp/ynl-gen.py" "$gen" "$spec" "$@" --spec "$spec" -o "$out"
}
ygen "$tmp/out/uapi/linux/nipsec.h" --mode uapi --header
ygen "$tmp/out/module/netlink-gen.h" --mode kernel --header
ygen "$tmp/out/module/netlink-gen.c" --mode kernel --source
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
