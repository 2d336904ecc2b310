#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The integration suite as on an OpenVZ host, on a machine without one: a
# scratch tree laid out like a host (its own vz.conf paths, a template cache
# with a template not named busybox, containers of someone else at the start
# of the CTID range) is given to test-lifecycle through the OVZ_TEST_*
# variables, with the ns backend, in private mount and network namespaces
# that stand for the host's.  Then:
#   - the suite passes and uses the first free CTID of the range;
#   - the foreign containers are untouched and the suite's CTID is gone;
#   - killed with SIGTERM while its container runs, it still removes it.
# With --vzemu, the same under the emulator (tests/vzemu) with the vz backend
# instead: its VEs have their own namespaces but no pid namespace, so the
# template's init is a shell loop, and venet carries no traffic, so nothing
# is pinged; the SIGTERM check is left out.
# With --vzemu and --kernel vz7, under the emulated OpenVZ 7 kernel with the
# vz7 backend (whose containers have a pid namespace: busybox init).
# usage: test-integration-host.sh PATH/TO/test-lifecycle
#                                 [--vzemu PATH/TO/vzemu [--kernel legacy|vz7]]
# (TAP on stdout)
set -euo pipefail

lifecycle=$1
vzemu=
backend=ns
kernel=legacy
if [ "${2:-}" = --vzemu ]; then vzemu=$3; backend=vz; fi
if [ -n "$vzemu" ] && [ "${4:-}" = --kernel ] && [ "${5:-}" = vz7 ]; then
  kernel=vz7 backend=vz7
fi
if [ -n "${OVZ_TEST_ROOT:-}" ]; then
  echo "1..0 # SKIP OVZ_TEST_ROOT is set: the lifecycle test runs on that host instead"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || [ ! -x /bin/busybox ]; then
  echo "1..0 # SKIP needs root, unshare and /bin/busybox"
  exit 0
fi
unset OVZ_TEST_PING

host=$(mktemp -d /tmp/ovz-host.XXXXXX)
sums=$(mktemp)
out=$(mktemp)
suite=
trap '[ -z "$suite" ] || { kill "$suite"; wait "$suite"; } 2>/dev/null
      rm -rf "$host" "$sums" "$out"' EXIT
fail() { echo "Bail out! $*"; exit 1; }

prepare_host() {
  mkdir -p "$host/etc/vz/conf"
  cat >"$host/etc/vz/vz.conf" <<'EOF'
VE_ROOT=/srv/vz/root/$VEID
VE_PRIVATE=/srv/vz/private/$VEID
TEMPLATE=/srv/vz/template
LOCKDIR=/srv/vz/lock
EOF
  "$lifecycle" --make-template "$host/srv/vz/template/cache/tiny-1.0-x86_64.tar.gz" \
    $([ "$backend" = vz ] && echo --shell-init)
  # someone else's: a defined container, and a private area without a config
  printf 'HOSTNAME="foreign.test"\nONBOOT="no"\nVE_PRIVATE="/srv/vz/private/9100"\n' \
    >"$host/etc/vz/conf/9100.conf"
  mkdir -p "$host/srv/vz/private/9101/etc"
  echo keep >"$host/srv/vz/private/9101/etc/hostname"
  (cd "$host" && find etc srv/vz/private -type f | sort | xargs sha256sum) >"$sums"
}

# Runs test-lifecycle in namespaces of its own; 10.77.1.1 is the "host"
# address the container pings.  exec, so that a background run's pid is the
# test's own.
run_suite() {
  local vars=(OVZ_TEST_ROOT="$host" OVZ_TEST_TEMPLATE=tiny-1.0-x86_64
              OVZ_TEST_CTIDS=9100-9103 OVZ_TEST_IPS=10.77.1.2,10.77.1.3
              CMOCKA_MESSAGE_OUTPUT=TAP)
  if [ -n "$vzemu" ]; then
    exec "$vzemu" --kernel "$kernel" -- env "${vars[@]}" OVZ_TEST_BACKEND="$backend" \
      "$lifecycle"
  fi
  exec unshare --mount --net -- sh -c \
    'ip link set lo up && ip addr add 10.77.1.1/32 dev lo && exec "$@"' sh \
    env "${vars[@]}" OVZ_TEST_BACKEND=ns OVZ_TEST_PING=10.77.1.1 "$lifecycle"
}

check_host() {
  (cd "$host" && find etc srv/vz/private -type f | sort | xargs sha256sum) \
    | diff "$sums" - >&2 || fail "the host's files changed: $1"
  for id in 9102 9103; do
    [ ! -e "$host/etc/vz/conf/$id.conf" ] && [ ! -e "$host/srv/vz/private/$id" ] \
      || fail "CT $id is left: $1"
  done
}

prepare_host
run_suite | tee "$out"
grep -q "CT 9100: .* exists, not ours: left alone" "$out" || fail "CT 9100 not reported"
grep -q "CT 9101: .* exists, not ours: left alone" "$out" || fail "CT 9101 not reported"
grep -q "template tiny-1.0-x86_64, CT 9102, backend $backend" "$out" \
  || fail "not on CT 9102 with the expected backend"
check_host "after the suite"
[ -z "$vzemu" ] || exit 0

# Killed while its container runs (as meson kills a test that times out).
run_suite >/dev/null 2>&1 &
suite=$!
for _ in $(seq 100); do
  [ -e "$host/var/run/ovz-native/9102.state" ] && break
  sleep 0.1
done
[ -e "$host/var/run/ovz-native/9102.state" ] || fail "CT 9102 never ran"
kill -TERM "$suite"
wait "$suite" || true
suite=
check_host "after SIGTERM"
echo "# killed while CT 9102 ran: removed, the host's files unchanged"
