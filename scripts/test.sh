#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds ovz-native with warnings as errors and runs the whole test suite,
# then each libFuzzer target for a bounded time.  Run as root for the tests
# that need namespaces, mounts and netlink (they skip, saying why, otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh build

build=${BUILD_DIR:-build-test}
rm -rf "$build"
meson setup "$build" -Dwerror=true >/dev/null
ninja -C "$build"

# The static command for legacy hosts; the vm suite runs it on the real
# OpenVZ kernel too.
status=0
static=${STATIC_DIR:-build-static}
rm -rf "$static"
if bash scripts/build-static.sh "$static"; then
  export OVZ_VM_STATIC=$PWD/$static/ovz-native
else
  status=1
fi

meson test -C "$build" --print-errorlogs --num-processes 2 || status=$?

# The plain summary line CI reads: "N passed, N failed, N skipped".
python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    r = t.get("result")
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY

# The installed tree: header, library, pkg-config file, man pages, completion
# and unit in their places, and the example built and run against them.
bash scripts/test-install.sh "$build" || status=1

if [ "${SKIP_FUZZ:-0}" != 1 ] && command -v clang >/dev/null; then
  fuzz=${FUZZ_DIR:-build-fuzz}
  rm -rf "$fuzz"
  CC=clang meson setup "$fuzz" -Dfuzz=true -Dtests=disabled -Dc_args=-fsanitize=fuzzer-no-link \
    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
  ninja -C "$fuzz"
  for f in "$fuzz"/tests/fuzz/fuzz-*; do
    [ -f "$f" ] && [ -x "$f" ] || continue
    name=$(basename "$f")
    corpus=tests/fuzz/corpus/${name#fuzz-}
    work=$(mktemp -d)
    cp -r "$corpus"/. "$work"/ 2>/dev/null || true
    echo "fuzzing $name for ${FUZZ_SECONDS:-60}s"
    if ! "$f" -max_total_time="${FUZZ_SECONDS:-60}" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$work/" "$work" >"$work.log" 2>&1; then
      tail -40 "$work.log"
      echo "fuzzer $name failed" >&2
      status=1
    fi
    rm -rf "$work" "$work.log"
  done
fi
exit $status
