#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs a build into a scratch directory with `meson install --destdir`,
# checks that every file is in its standard place, then builds the example
# docs/examples/embed.c against the installed header and library through
# pkg-config only (nothing from the source or build tree) and runs it:
# define, list, dumpxml and undefine on a scratch root; as root with
# /bin/busybox also create, start, exec, stop and destroy, in mount and
# network namespaces of its own.
#
#   scripts/test-install.sh [BUILD_DIR]      (default $BUILD_DIR or build-test)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${1:-${BUILD_DIR:-build-test}}

work=$(mktemp -d)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
dest=$work/dest

fail() { echo "test-install: $*" >&2; exit 1; }

meson install -C "$build" --destdir "$dest" --no-rebuild >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "meson install failed"; }

# every installed file, in the place the issue asks for
pc=$(find "$dest" -name ovz-native.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pc" ] || fail "no ovz-native.pc installed"
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
prefix=$(sed -n 's/^prefix=//p' "$pc")
root=$dest$prefix
expect() { [ -e "$1" ] || fail "not installed: ${1#$dest}"; }
expect "$root/include/ovz-native/ovz.h"
expect "$libdir/libovz-native.so"
expect "$root/bin/ovz-native"
expect "$root/share/bash-completion/completions/ovz-native"
expect "$root/lib/systemd/system/ovz-native-boot.service"
if command -v scdoc >/dev/null; then
  expect "$root/share/man/man1/ovz-native.1"
  expect "$root/share/man/man5/ovz-native-xml.5"
fi
soname=$(objdump -p "$libdir/libovz-native.so" | awk '/SONAME/ {print $2}')
[ "$soname" = libovz-native.so.0 ] || fail "soname is '$soname'"
expect "$libdir/$soname"
grep -qx "ExecStart=$prefix/bin/ovz-native boot" "$root/lib/systemd/system/ovz-native-boot.service" ||
  fail "the unit does not run $prefix/bin/ovz-native boot"
bash -n "$root/share/bash-completion/completions/ovz-native" || fail "completion does not parse"
"$root/bin/ovz-native" --version >/dev/null 2>&1 || true	# links the installed library

# build the example from a copy, against the installed files only
cp "$src/docs/examples/embed.c" "$src/docs/examples/Makefile" "$work/"
export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$pcdir
cflags=$(pkg-config --cflags ovz-native)
case "$cflags" in
  *"$src"*) fail "pkg-config points into the source tree: $cflags" ;;
esac
make -s -C "$work" >/dev/null || fail "the example does not build"
export LD_LIBRARY_PATH=$libdir
ldd "$work/embed" | grep -q "$libdir/libovz-native.so.0" ||
  fail "the example does not use the installed library: $(ldd "$work/embed")"

scratch=$work/root
mkdir -p "$scratch"
"$work/embed" "$scratch" >"$work/embed.out" 2>&1 || { cat "$work/embed.out"; fail "embed failed"; }
grep -q "defined CT 200" "$work/embed.out" || fail "embed did not define"
grep -q "^200 *embedded *stopped" "$work/embed.out" || fail "embed did not list"
grep -q "<name>embedded</name>" "$work/embed.out" || fail "embed did not dump the XML"
[ ! -e "$scratch/etc/vz/conf/200.conf" ] || fail "embed did not undefine"
echo "test-install: define, list, dumpxml and undefine through the installed library: ok"

if [ "$(id -u)" != 0 ] || [ ! -x /bin/busybox ]; then
  echo "test-install: SKIP create, start, exec, stop, destroy (needs root and /bin/busybox)"
  exit 0
fi
# a busybox template, as tests/unit/test-lifecycle.c builds it
t=$work/tmpl
mkdir -p "$t"/bin "$t"/sbin "$t"/etc "$t"/proc "$t"/sys "$t"/dev "$t"/tmp "$t"/root \
  "$scratch/vz/template/cache"
cp /bin/busybox "$t/bin/"
for a in sh cat echo sleep true hostname; do ln -s busybox "$t/bin/$a"; done
ln -s ../bin/busybox "$t/sbin/init"
printf '::sysinit:/bin/true\n::respawn:/bin/sleep 100000\n' >"$t/etc/inittab"
tar --numeric-owner -C "$t" -czf "$scratch/vz/template/cache/busybox.tar.gz" .
unshare --mount --net --propagation private sh -c \
  'ip link set lo up && ip addr add 10.79.0.1/32 dev lo && exec "$0" --run "$1"' \
  "$work/embed" "$scratch" >"$work/run.out" 2>&1 || { cat "$work/run.out"; fail "embed --run failed"; }
grep -q "^200 *embedded *running *10.79.0.2" "$work/run.out" || { cat "$work/run.out"; fail "not running"; }
grep -q "stopped and destroyed" "$work/run.out" || { cat "$work/run.out"; fail "not destroyed"; }
echo "test-install: create, start, exec, stop and destroy through the installed library: ok"
