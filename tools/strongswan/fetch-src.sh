#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's strongSwan source package and configure it with exactly the
# flags of its debian/rules, so that the nipsec plugin compiles against the
# same structure layouts as Debian's charon (--enable-mediation, for one,
# changes ike_sa_t and daemon_t).  Debian ships no strongSwan headers.
#
# The configured tree is cached outside the checkout:
#   ${NIPSEC_CACHE:-/var/cache/nipsec}/strongswan-<upstream version>
# and the script prints its path on the last line.  A second run with the
# same version and flags does nothing.
#
# Usage: fetch-src.sh [DEBIAN_VERSION]   (default: 5.9.8-5+deb12u5)
#
# Needs dpkg-dev and the package's build dependencies that configure checks
# (tools/testing/deps.sh installs them).  apt runs with a private
# configuration (deb-src lines for bookworm, private lists): the host's apt
# sources are not changed.  bookworm-security's .dsc answers 404, so the
# default is the newest version in bookworm itself; the charon from
# bookworm-security (+deb12u6) has the same structure layouts.
set -euo pipefail

VERSION=${1:-${STRONGSWAN_DEB_VERSION:-5.9.8-5+deb12u5}}
UPSTREAM=${VERSION%%-*}
CACHE=${NIPSEC_CACHE:-/var/cache/nipsec}
DIR=$CACHE/strongswan-$UPSTREAM
STAMP=$DIR/.nipsec-configured

log() { echo "fetch-src: $*" >&2; }

if [[ -f $STAMP && $(head -n1 "$STAMP") == "$VERSION" && -f $DIR/config.h ]]; then
	log "configured tree present: $DIR ($VERSION)"
	echo "$DIR"
	exit 0
fi

command -v dpkg-source >/dev/null || { log "dpkg-source missing (apt-get install dpkg-dev)"; exit 1; }

work=$(mktemp -d "$CACHE/strongswan-fetch.XXXXXX" 2>/dev/null || { mkdir -p "$CACHE" && mktemp -d "$CACHE/strongswan-fetch.XXXXXX"; })
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/apt/sources.list.d" "$work/apt/lists/partial" \
	"$work/apt/cache/archives/partial" "$work/src"
cat >"$work/apt/sources.list.d/strongswan-src.sources" <<-SRC
	Types: deb-src
	URIs: http://deb.debian.org/debian
	Suites: bookworm bookworm-updates
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

	Types: deb-src
	URIs: http://deb.debian.org/debian-security
	Suites: bookworm-security
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-o Dir::Etc::sourcelist=/dev/null
	-o "Dir::Etc::sourceparts=$work/apt/sources.list.d"
	-o "Dir::State::Lists=$work/apt/lists"
	-o "Dir::Cache=$work/apt/cache"
	-o APT::Sandbox::User=root)

log "apt-get update (deb-src, private lists)"
apt-get "${apt_opts[@]}" -q update >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; exit 1; }
log "apt-get source strongswan=$VERSION"
(cd "$work/src" && apt-get "${apt_opts[@]}" -q source "strongswan=$VERSION") \
	>>"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; exit 1; }
tree=$work/src/strongswan-$UPSTREAM
[[ -f $tree/debian/rules ]] || { log "no $tree/debian/rules"; exit 1; }

# The configure flags, read from debian/rules itself (it includes dpkg's
# architecture.mk, which sets the amd64/linux additions).
# shellcheck disable=SC2016 # $(CONFIGUREARGS) is make syntax
flags=$(printf 'include debian/rules\nprint-configureargs:\n\t@echo $(CONFIGUREARGS)\n' |
	make -s --no-print-directory -C "$tree" -f - print-configureargs)
[[ $flags == *--enable-mediation* ]] || { log "unexpected flags from debian/rules: $flags"; exit 1; }
# What dh_auto_configure adds (paths only; none changes a structure).
std=(--prefix=/usr --includedir=/usr/include --mandir=/usr/share/man
	--infodir=/usr/share/info --sysconfdir=/etc --localstatedir=/var
	--disable-option-checking --disable-silent-rules --disable-maintainer-mode
	--disable-dependency-tracking)
log "configure ${std[*]} $flags"
# shellcheck disable=SC2086 # the flags are separate words
(cd "$tree" && ./configure "${std[@]}" $flags) >"$work/configure.log" 2>&1 || {
	tail -n 30 "$work/configure.log" >&2
	log "configure failed (missing build dependencies? see tools/testing/deps.sh)"
	exit 1
}
cp "$work/configure.log" "$tree/nipsec-configure.log"
printf '%s\n%s\n' "$VERSION" "$flags" >"$tree/.nipsec-configured"
rm -rf "$DIR"
mv "$tree" "$DIR"
log "configured tree: $DIR"
echo "$DIR"
