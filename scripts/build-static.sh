#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds the ovz-native command as one static executable for OpenVZ hosts
# whose libc is older than the build machine's (a legacy OpenVZ host runs
# RHEL6/CentOS 6: glibc 2.12, kernel 2.6.32).  glibc, libxml2 (with ICU),
# libarchive and its compressors, libcap are linked in from Debian's static
# libraries; libmnl, shipped shared only, is replaced by the subset of its
# API the library uses (src/net/mnl-static.c).  glibc >= 2.35 has no
# "kernel too old" check, so the result starts on 2.6.32.
#   scripts/build-static.sh [BUILD_DIR]     (default build-static)
# The executable is BUILD_DIR/ovz-native (stripped); copy it to the host's
# /usr/sbin/ovz-native (docs/install.md).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh build

build=${1:-build-static}
[ -d "$build" ] || meson setup "$build" -Dstatic=true -Dwerror=true >/dev/null
ninja -C "$build" src/cli/ovz-native 2>&1 \
  | grep -v "requires at runtime the shared libraries\|: in function" || true
[ -x "$build/src/cli/ovz-native" ] || { echo "the static build failed" >&2; exit 1; }
strip -o "$build/ovz-native" "$build/src/cli/ovz-native"
if ldd "$build/ovz-native" >/dev/null 2>&1; then
  echo "$build/ovz-native is not static" >&2
  exit 1
fi
echo "$build/ovz-native: $("$build/ovz-native" --version)"
