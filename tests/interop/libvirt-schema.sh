#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# dumpxml of every test container validates against libvirt's own domain
# schema (domain.rng from Debian's libvirt0 package), TAP.
set -u
ovz=${OVZ_BIN:?}
src=${OVZ_SOURCE_ROOT:?}
schemas=${OVZ_LIBVIRT_SCHEMAS:-/var/tmp/ovz-libvirt-schemas/usr/share/libvirt/schemas}
command -v xmllint >/dev/null || { echo "1..0 # SKIP no xmllint (Debian's libxml2-utils)"; exit 0; }
if [ ! -f "$schemas/domain.rng" ]; then
  dl=$(mktemp -d)
  if (cd "$dl" && apt-get download libvirt0 >/dev/null 2>&1) &&
     dpkg -x "$dl"/libvirt0_*.deb /var/tmp/ovz-libvirt-schemas 2>/dev/null; then :; fi
  rm -rf "$dl"
fi
[ -f "$schemas/domain.rng" ] ||
  { echo "1..0 # SKIP libvirt's domain.rng is not here and 'apt-get download libvirt0' failed"; exit 0; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
n=0 failed=0
validate() {	# name ctid [root]
  local out rc
  n=$((n + 1))
  out=$("$ovz" --root "${3:-$root}" -q dumpxml "$2" 2>&1) || { failed=$((failed + 1)); echo "not ok $n - $1: dumpxml failed"; echo "# $out"; return; }
  if rc=$(xmllint --noout --relaxng "$schemas/domain.rng" - <<<"$out" 2>&1); then
    echo "ok $n - $1"
  else
    failed=$((failed + 1)); echo "not ok $n - $1"; sed 's/^/# /' <<<"$rc" | head -5
  fi
}
for x in "$src"/docs/examples/web1.xml "$src"/tests/data/xml/*.xml; do
  r=$(mktemp -d "$root/xml.XXXXXX")	# each in a host of its own: names repeat
  if id=$("$ovz" --root "$r" -q define "$x" 2>&1); then
    validate "$(basename "$x")" "$id" "$r"
  else
    n=$((n + 1)) failed=$((failed + 1)); echo "not ok $n - $(basename "$x"): define failed"; echo "# $id"
  fi
done
ctid=300
mkdir -p "$root/etc/vz/conf"
for c in "$src"/tests/data/conf/*.conf; do
  ctid=$((ctid + 1))
  cp "$c" "$root/etc/vz/conf/$ctid.conf"
  validate "$(basename "$c") (no NAME: named by its CTID)" "$ctid"
done
printf 'HOSTNAME="bare.example"\n' >"$root/etc/vz/conf/399.conf"
validate "a config with one line" 399
echo "1..$n"
[ $failed = 0 ]
