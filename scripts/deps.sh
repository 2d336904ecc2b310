#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what ovz-native needs from Debian's packages.
#   scripts/deps.sh build   - compilers, libraries and tools to build and test
#   scripts/deps.sh bench   - the above plus the tools the benchmarks compare with
set -euo pipefail

# qemu-system-x86, cpio, e2fsprogs: the vm suite's guest (tests/vm);
# libacl1-dev, libstdc++-12-dev: the static build (scripts/build-static.sh)
BUILD_DEPS=(
  meson ninja-build pkg-config gcc make clang libclang-rt-14-dev
  libxml2-dev libxml2-utils libcap-dev libmnl-dev libarchive-dev libcmocka-dev
  zlib1g-dev libzstd-dev liblz4-dev libdeflate-dev liblzma-dev libseccomp-dev libnftnl-dev
  busybox-static iproute2 scdoc xfsprogs musl-tools
  libcgroup2
  qemu-system-x86 cpio e2fsprogs
  libacl1-dev libstdc++-12-dev
)
BENCH_DEPS=(
  tar libarchive-tools pigz zstd lz4 xz-utils hyperfine debootstrap time
  crun valgrind strace linux-perf util-linux
)

want=("${BUILD_DEPS[@]}")
# the i386 column of the ABI table is checked by a -m32 build (tests/meson.build)
[ "$(dpkg --print-architecture)" != amd64 ] || want+=(gcc-multilib)
case "${1:-build}" in
  build) ;;
  bench) want+=("${BENCH_DEPS[@]}") ;;
  *) echo "usage: $0 build|bench" >&2; exit 1 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
