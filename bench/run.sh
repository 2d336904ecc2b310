#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The benchmarks of ovz-native against the tools people use today, in one run:
#
#   bash bench/run.sh [--quick] [-n RUNS] [--sizes "10 100 1000 10000"]
#                     [--only list|list-vz|start|create] [--baseline REV] [--no-doc]
#
# Installs what it needs (scripts/deps.sh bench), builds ovz-native in
# build-bench (buildtype=release, -Dwerror=true), then, as root and inside
# private mount and network namespaces of its own (the host's mounts and
# network are never touched):
#
#  list    N vswap-like configs (N = 10, 100, 1000, 10000, and 2000 all
#          stopped as in the vzlist 4.11 reference), a quarter of them really
#          started (ONBOOT=yes, `boot --parallel 2`); `list -a` and
#          `list -a --json` against the floor (one `cat` of all configs; and
#          one process reading them: ovz-list-bench read-all) and libvirt's
#          pattern (one process per container, here /bin/true).
#  list-vz the same sizes on the vz backend under tests/vzemu (an emulated
#          legacy OpenVZ kernel: /dev/vzctl, /proc/vz/veinfo), a quarter
#          started by `boot`; the floor runs under vzemu too, since vzemu
#          traps every open(2) of every process it runs.
#  start   a busybox container with one venet IP: start (init runs, network
#          up), exec, stop --fast, graceful stop; against `unshare -mpnui -f
#          true` and `crun run` of /bin/true on the same rootfs.
#  create  bench/template-bench.sh's table (not with --quick: that keeps its
#          last table), and --clone and --layout overlay against template size.
#
# Every command of a table runs once per round, rounds repeated (-n, default
# 7; 3 with --quick), so that drift in the machine's load (other builds)
# spreads over all of them; tables give medians with min and max.  The load
# average is recorded before and after each table.  With --baseline REV the
# list table also times the `ovz-native` built from git revision REV, for
# before/after figures.  Tables go to docs/performance.md between run-bench
# markers (not with --no-doc).  Everything it makes (containers, scratch
# roots under /var/tmp, the crun state) is removed at the end, also on
# failure or interrupt.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${OVZ_BENCH_BUILD:-$SRC/build-bench}
SCRATCH=${OVZ_BENCH_SCRATCH:-/var/tmp}
QUICK=0 RUNS= SIZES= ONLY= BASELINE= WRITE_DOC=1
ARGS=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; shift ;;
    -n) RUNS=$2; shift 2 ;;
    --sizes) SIZES=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --baseline) BASELINE=$2; shift 2 ;;
    --no-doc) WRITE_DOC=0; shift ;;
    -h|--help) sed -n '3,36p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; exit 1 ;;
  esac
done
if [ "$QUICK" = 1 ]; then
  RUNS=${RUNS:-3}; SIZES=${SIZES:-"10 100 1000"}
else
  RUNS=${RUNS:-7}; SIZES=${SIZES:-"10 100 1000 10000"}
fi
want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

OVZ=$BUILD/src/cli/ovz-native
H=$BUILD/bench/ovz-list-bench
TH=$BUILD/bench/ovz-template-bench
VZEMU=$BUILD/tests/vzemu/vzemu
BASE_OVZ=
[ -z "$BASELINE" ] || BASE_OVZ=$SCRATCH/ovz-bench-baseline/$BASELINE/b/src/cli/ovz-native

# ---- outside: dependencies, build, then into private namespaces ----------
if [ "${OVZ_BENCH_INSIDE:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "run.sh: needs root (namespaces, mounts, cgroups)" >&2; exit 1; }
  "$SRC/scripts/deps.sh" bench
  if [ -f "$BUILD/build.ninja" ]; then
    meson configure "$BUILD" -Dbuildtype=release -Dwerror=true >/dev/null
  else
    meson setup "$BUILD" "$SRC" -Dbuildtype=release -Dwerror=true >/dev/null
  fi
  quiet() { local out; out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }; }
  quiet ninja -C "$BUILD" src/cli/ovz-native bench/ovz-list-bench bench/ovz-template-bench \
    tests/vzemu/vzemu
  if [ -n "$BASELINE" ] && [ ! -x "$BASE_OVZ" ]; then
    d=$SCRATCH/ovz-bench-baseline/$BASELINE
    rm -rf "$d"; mkdir -p "$d"
    git -C "$SRC" archive "$BASELINE" | tar -x -C "$d"
    quiet meson setup "$d/b" "$d" -Dbuildtype=release -Dtests=disabled
    quiet ninja -C "$d/b" src/cli/ovz-native
  fi
  export OVZ_BENCH_INSIDE=1
  exec unshare --mount --net --propagation private "$0" "${ARGS[@]}"
fi

# ---- inside: private mount and network namespaces ----------------------
ip link set lo up
WORK=$(mktemp -d "$SCRATCH/ovz-bench-run.XXXXXX")
ROOTS=()		# scratch roots with containers to stop at the end
HOLDER=
stop_all() {  # ROOT: stop --fast every running container, two at a time
  "$OVZ" --root "$1" list -H -o ctid | xargs -r -P 2 -n 20 \
    sh -c 'o=$0 r=$1; shift; for i; do "$o" --root "$r" stop --fast "$i" >/dev/null; done' "$OVZ" "$1"
}
cleanup() {
  set +e
  for r in "${ROOTS[@]}"; do
    [ -d "$r" ] || continue
    stop_all "$r" 2>/dev/null
    # a container that was only ever started gets destroyed by its root going
    findmnt -rn -o TARGET | grep "^$r" | sort -r | xargs -r -n 1 umount -l 2>/dev/null
    rm -rf "$r"
  done
  [ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# the commit measured; "-dirty" for changes outside docs/ (the template
# benchmark writes docs/performance.md while this runs)
revision() {
  local rev
  rev=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null) || { echo '?'; return; }
  git -C "$SRC" diff --quiet HEAD -- . ':!docs' 2>/dev/null || rev+=-dirty
  echo "$rev"
}
machine() {
  local cg=v2
  [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || cg="hybrid (v1 controllers, v2 at /sys/fs/cgroup/unified)"
  echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
  echo "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, kernel $(uname -r), cgroups $cg;"
  echo "scratch roots on $(findmnt -no FSTYPE -T "$SCRATCH") ($SCRATCH). ovz-native $(revision),"
  echo "buildtype=release. Other engineers' builds and tests share the machine: the load average"
  echo "is given before and after each table."
}

# median, min, max of wall (ms), median user+sys (ms), max RSS (MiB) per label,
# in the order the labels first appear: "label<TAB>med<TAB>min<TAB>max<TAB>cpu<TAB>rss"
summarize() {
  awk -F'\t' '
    !($1 in seen) { seen[$1] = 1; order[++n] = $1 }
    { k = $1; c[k]++; w[k, c[k]] = $3 * 1000; u[k, c[k]] = ($4 + $5) * 1000
      if ($6 > rss[k]) rss[k] = $6 }
    function med(arr, k, m,   i, j, t, v) {
      for (i = 1; i <= m; i++) v[i] = arr[k, i]
      for (i = 2; i <= m; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
      return (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
    }
    END {
      for (o = 1; o <= n; o++) {
        k = order[o]; m = c[k]; lo = w[k, 1]; hi = w[k, 1]
        for (i = 1; i <= m; i++) { if (w[k, i] < lo) lo = w[k, i]; if (w[k, i] > hi) hi = w[k, i] }
        printf "%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\n", k, med(w, k, m), lo, hi, med(u, k, m), rss[k] / 1024
      }
    }' "$@"
}
field() { awk -F'\t' -v k="$2" -v f="$3" '$1 == k { print $f }' "$1"; }

busybox_tree() {  # DIR: a busybox root whose init keeps one process running
  local t=$1
  mkdir -p "$t"/{bin,sbin,etc,proc,sys,dev,tmp,root}
  cp /bin/busybox "$t/bin/"
  for a in sh ls cat echo sleep ip hostname ps true; do ln -s busybox "$t/bin/$a"; done
  ln -s ../bin/busybox "$t/sbin/init"
  printf '::sysinit:/bin/true\n::respawn:/bin/sleep 100000\n' >"$t/etc/inittab"
}
[ -x /bin/busybox ] || { echo "run.sh: needs /bin/busybox (busybox-static)" >&2; exit 1; }

# ---- list ---------------------------------------------------------------
FIRST=1000001	# far from the CTIDs the tests use: cgroups are host-wide

list_one() {  # N EVERY LABEL -> appends a row set to $WORK/list.rows
  local n=$1 every=$2 label=$3 r running=0 t0 t1 boot_s=0
  r=$(mktemp -d "$SCRATCH/ovz-bench-list.XXXXXX"); ROOTS+=("$r")
  busybox_tree "$r/bbtree"
  "$H" gen "$r" "$FIRST" "$n" "$every" "$r/bbtree"
  if [ "$every" -gt 0 ]; then
    t0=$(date +%s.%N)
    "$OVZ" --root "$r" boot --parallel 2 >/dev/null 2>"$WORK/boot.err" || true
    t1=$(date +%s.%N)
    boot_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    running=$("$OVZ" --root "$r" list -H -o ctid | wc -l)
    local want=$(( (n + every - 1) / every ))
    if [ "$running" != "$want" ]; then
      echo "run.sh: list $n: $running of $want containers started:" >&2; head -5 "$WORK/boot.err" >&2; exit 1
    fi
  fi
  ls -d "$r"/etc/vz/conf/*.conf >"$WORK/files"
  local spec=$WORK/spec.list
  {
    printf 'cat\tcat @lines=%s\n' "$WORK/files"
    printf 'read\t%s read-all %s/etc/vz/conf\n' "$H" "$r"
    printf 'list\t%s --root %s list -a\n' "$OVZ" "$r"
    printf 'json\t%s --root %s list -a --json\n' "$OVZ" "$r"
  } >"$spec"
  local la0 la1 res=$WORK/list-$label.tsv
  la0=$(loadavg)
  "$H" race "$RUNS" "$spec" >"$res"
  if [ -n "$BASE_OVZ" ]; then
    # before the one-pass process count, a list with 2500 running took
    # about a minute: one round there
    {
      printf 'base-list\t%s --root %s list -a\n' "$BASE_OVZ" "$r"
      printf 'base-json\t%s --root %s list -a --json\n' "$BASE_OVZ" "$r"
    } >"$spec"
    "$H" race "$([ "$n" -lt 5000 ] && echo "$RUNS" || echo 1)" "$spec" >>"$res"
  fi
  # one container stopped and started again while the others run
  if [ "$running" -gt 0 ]; then
    {
      printf 'ct-stop\t%s --root %s stop --fast %s\n' "$OVZ" "$r" "$FIRST"
      printf 'ct-start\t%s --root %s start %s\n' "$OVZ" "$r" "$FIRST"
    } >"$spec"
    "$H" race "$RUNS" "$spec" >>"$res"
  fi
  # libvirt's pattern: long at 10000, so fewer rounds there
  printf 'spawn\t%s spawn-each %s/etc/vz/conf /bin/true\n' "$H" "$r" >"$spec"
  local sr=$RUNS
  [ "$n" -lt 5000 ] || sr=$(( RUNS < 3 ? RUNS : 3 ))
  "$H" race "$sr" "$spec" >>"$res"
  la1=$(loadavg)
  # the text output must be the same as the baseline's (JSON has gained fields)
  if [ -n "$BASE_OVZ" ]; then
    cmp -s <("$OVZ" --root "$r" list -a) <("$BASE_OVZ" --root "$r" list -a) ||
      echo "run.sh: note: list -a differs from $BASELINE at $label" >&2
  fi
  summarize "$res" >"$WORK/sum"
  local s=$WORK/sum
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$n" "$running" "$boot_s" "$la0" "$la1" >>"$WORK/list.meta"
  for k in cat read list json base-list base-json spawn ct-stop ct-start; do
    grep -q "^$k	" "$s" || continue
    printf '%s\t%s\t%s\n' "$label" "$n" "$(grep "^$k	" "$s")" >>"$WORK/list.rows"
  done
  # stop and remove now: the next size should not pay for these
  stop_all "$r"
  rm -rf "$r"
}

list_table() {
  : >"$WORK/list.rows"; : >"$WORK/list.meta"
  local la0 n
  la0=$(loadavg)
  for n in $SIZES; do
    echo "list: $n containers, a quarter running..." >&2
    list_one "$n" 4 "$n"
  done
  echo "list: 2000 stopped (the vzlist 4.11 reference)..." >&2
  list_one 2000 0 "2000s"
  {
    echo "<!-- run-bench:list:start (written by bench/run.sh; do not edit by hand) -->"
    echo "### list ($(date -u +%Y-%m-%d))"
    echo
    machine
    echo
    echo "Configs as vzctl 4 makes them from ve-vswap-256m.conf-sample (its comment header, PHYSPAGES,"
    echo "SWAPPAGES, DISKSPACE, DISKINODES, CPUUNITS, VE_ROOT/VE_PRIVATE with \$VEID, OSTEMPLATE,"
    echo "ORIGIN_SAMPLE, ONBOOT, IP_ADDRESS, HOSTNAME, NAMESERVER: 1.2 KiB each), a private area each;"
    echo "every fourth container is really started (busybox init and one sleep, its venet IP up, in"
    echo "this run's own network namespace) by \`ovz-native boot --parallel 2\`; nothing is faked."
    echo "Rounds: $RUNS (libvirt's pattern: at most 3 at 10000); each round runs every command once;"
    echo "wall ms median (min-max); ratios are of medians to the \`cat\` floor. Floors: \`cat\` with every"
    echo "config as an argument (one process, as the issue defines it), and \`read-all\` (one process"
    echo "that opens and reads each config: no output, no per-file mmap as GNU cat does)."
    echo "libvirt's pattern: one /bin/true spawned and waited for per config (bench/ovz-list-bench spawn-each)."
    echo "Last column: \`stop --fast\` and \`start\` of one of the running containers while the others run (ms, medians)."
    [ -z "$BASE_OVZ" ] || echo "\`before\` columns: ovz-native built from $BASELINE (same build options; one round at 10000)."
    echo
    echo "| containers (running) | cat floor | read-all floor | list -a | × cat | list -a --json | × cat |$( [ -z "$BASE_OVZ" ] || echo ' before: list -a | × cat | before: --json | × cat |') one process per CT | × cat | list -a µs/CT | peak RSS list -a / --json MiB | one more stop --fast / start |"
    echo "|---|---:|---:|---:|---:|---:|---:|$( [ -z "$BASE_OVZ" ] || echo '---:|---:|---:|---:|')---:|---:|---:|---:|---:|"
    awk -F'\t' -v base="$BASE_OVZ" '
      FNR == NR { running[$1] = $3; next }
      { L = $1; k = $3; N[L] = $2; if (!(L in seen)) { seen[L] = 1; ord[++n] = L }
        med[L, k] = $4; lo[L, k] = $5; hi[L, k] = $6; rss[L, k] = $8 }
      function cell(L, k) { return (L, k) in med ? sprintf("%.1f (%.1f-%.1f)", med[L, k], lo[L, k], hi[L, k]) : "-" }
      function ratio(L, k) { return ((L, k) in med && med[L, "cat"] > 0) ? sprintf("%.2f", med[L, k] / med[L, "cat"]) : "-" }
      END {
        for (o = 1; o <= n; o++) {
          L = ord[o]
          printf "| %d (%s) | %s | %s | %s | %s | %s | %s |", N[L], running[L], cell(L, "cat"), cell(L, "read"),
            cell(L, "list"), ratio(L, "list"), cell(L, "json"), ratio(L, "json")
          if (base != "") printf " %s | %s | %s | %s |", cell(L, "base-list"), ratio(L, "base-list"), cell(L, "base-json"), ratio(L, "base-json")
          printf " %s | %s | %.1f | %.1f / %.1f | %s |\n", cell(L, "spawn"), ratio(L, "spawn"), med[L, "list"] * 1000 / N[L],
            rss[L, "list"], rss[L, "json"],
            ((L, "ct-stop") in med) ? sprintf("%.0f / %.0f", med[L, "ct-stop"], med[L, "ct-start"]) : "-"
        }
      }' "$WORK/list.meta" "$WORK/list.rows"
    echo
    echo "Starting the running quarter (\`boot --parallel 2\`) and load average before / after each size:"
    echo
    awk -F'\t' '{ printf "- %s containers, %s running: started in %s s; load %s / %s\n", $2, $3, $4, $5, $6 }' "$WORK/list.meta"
    echo
    echo "The incumbent, legacy vzlist 4.11 (2000 stopped containers, on a machine of this kind):"
    echo "\`vzlist -a\` 1.46× and \`vzlist -a -j\` 2.15× the same \`cat\` floor; compare the 2000 (0) row."
    echo "Targets: \`list -a\` ≤ 1.3× and \`list -a --json\` ≤ 1.5× the floor at every size, linear growth"
    echo "(flat µs/CT), peak RSS under 16 MiB at 10000."
    echo "<!-- run-bench:list:end -->"
  } >"$WORK/list.md"
  cat "$WORK/list.md"
}

# ---- list on vz, under vzemu ---------------------------------------------

vz_tree() {  # DIR: a root whose init is one sleep (a legacy VE under vzemu
             # has no pid namespace, so busybox init cannot be its pid 1)
  local t=$1
  mkdir -p "$t"/{bin,sbin,etc,proc,sys,dev,tmp,root}
  cp /bin/busybox "$t/bin/"
  for a in sh sleep true; do ln -s busybox "$t/bin/$a"; done
  printf '#!/bin/sh\nexec sleep 1000000\n' >"$t/sbin/init"
  chmod 755 "$t/sbin/init"
}

list_vz_one() {  # N EVERY LABEL -> appends to $WORK/listvz.rows
  local n=$1 every=$2 label=$3 r res
  res=$WORK/listvz-$label.tsv
  r=$(mktemp -d "$SCRATCH/ovz-bench-listvz.XXXXXX"); ROOTS+=("$r")
  vz_tree "$r/bbtree"
  "$H" gen "$r" "$FIRST" "$n" "$every" "$r/bbtree"
  ls -d "$r"/etc/vz/conf/*.conf >"$WORK/files"
  {
    printf 'cat\tcat @lines=%s\n' "$WORK/files"
    printf 'read\t%s read-all %s/etc/vz/conf\n' "$H" "$r"
    printf 'list\t%s --root %s list -a\n' "$OVZ" "$r"
    printf 'json\t%s --root %s list -a --json\n' "$OVZ" "$r"
  } >"$WORK/spec.vz"
  local la0 la1 t0
  la0=$(loadavg)
  # the emulated kernel lives as long as one vzemu run: boot, count, race
  # shellcheck disable=SC2016
  "$VZEMU" -- sh -c '
    t0=$(date +%s.%N)
    "$1" --root "$2" --backend vz boot --parallel 2 >/dev/null 2>"$6/boot.err"
    echo "$t0 $(date +%s.%N) $("$1" --root "$2" --backend vz list -H -o ctid | wc -l)" >"$6/vzboot"
    exec "$3" race "$4" "$5"' sh "$OVZ" "$r" "$H" "$RUNS" "$WORK/spec.vz" "$WORK" >"$res"
  la1=$(loadavg)
  local running want=$(( every ? (n + every - 1) / every : 0 )) boot_s
  read -r t0 t1 running <"$WORK/vzboot"
  boot_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  if [ "$running" != "$want" ]; then
    echo "run.sh: list-vz $n: $running of $want containers started:" >&2; head -5 "$WORK/boot.err" >&2; exit 1
  fi
  summarize "$res" >"$WORK/sum"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$n" "$running" "$boot_s" "$la0" "$la1" >>"$WORK/listvz.meta"
  for k in cat read list json; do
    printf '%s\t%s\t%s\n' "$label" "$n" "$(grep "^$k	" "$WORK/sum")" >>"$WORK/listvz.rows"
  done
  rm -rf "$r"	# vzemu took its VEs, mounts and network with it
}

list_vz_table() {
  : >"$WORK/listvz.rows"; : >"$WORK/listvz.meta"
  local n
  for n in $SIZES; do
    echo "list-vz: $n containers under vzemu, a quarter running..." >&2
    list_vz_one "$n" 4 "$n"
  done
  {
    echo "<!-- run-bench:list-vz:start (written by bench/run.sh; do not edit by hand) -->"
    echo "### list on the vz backend, under vzemu ($(date -u +%Y-%m-%d))"
    echo
    machine
    echo
    echo "The same configs and sizes as the list table, on \`--backend vz\` under tests/vzemu (a legacy"
    echo "OpenVZ kernel emulated in user space: /dev/vzctl, /proc/vz/veinfo, beancounters). Every fourth"
    echo "container is started by \`boot --parallel 2\` inside the same vzemu run (its init one \`sleep\`: a"
    echo "legacy VE here has no pid namespace), then each round runs every command once. \`list\` learns"
    echo "which containers run from one read of /proc/vz/veinfo. vzemu traps every open(2) of every"
    echo "process it runs (seccomp user notification answers all but its own paths with CONTINUE), so the"
    echo "floors run under it too and pay the same per-open cost; the absolute figures are the"
    echo "emulator's, the ratios are what carries over. Rounds: $RUNS; wall ms median (min-max)."
    echo
    echo "| containers (running) | cat floor | read-all floor | list -a | × cat | list -a --json | × cat | list -a µs/CT | peak RSS list -a / --json MiB | boot of the running quarter s |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' '
      FNR == NR { running[$1] = $3; boot[$1] = $4; next }
      { L = $1; k = $3; N[L] = $2; if (!(L in seen)) { seen[L] = 1; ord[++n] = L }
        med[L, k] = $4; lo[L, k] = $5; hi[L, k] = $6; rss[L, k] = $8 }
      function cell(L, k) { return (L, k) in med ? sprintf("%.1f (%.1f-%.1f)", med[L, k], lo[L, k], hi[L, k]) : "-" }
      function ratio(L, k) { return ((L, k) in med && med[L, "cat"] > 0) ? sprintf("%.2f", med[L, k] / med[L, "cat"]) : "-" }
      END {
        for (o = 1; o <= n; o++) {
          L = ord[o]
          printf "| %d (%s) | %s | %s | %s | %s | %s | %s | %.1f | %.1f / %.1f | %s |\n", N[L], running[L],
            cell(L, "cat"), cell(L, "read"), cell(L, "list"), ratio(L, "list"), cell(L, "json"),
            ratio(L, "json"), med[L, "list"] * 1000 / N[L], rss[L, "list"], rss[L, "json"], boot[L]
        }
      }' "$WORK/listvz.meta" "$WORK/listvz.rows"
    echo
    echo "Load average before / after each size:"
    echo
    awk -F'\t' '{ printf "- %s containers: %s / %s\n", $2, $5, $6 }' "$WORK/listvz.meta"
    echo "<!-- run-bench:list-vz:end -->"
  } >"$WORK/list-vz.md"
  cat "$WORK/list-vz.md"
}

# ---- start/stop ------------------------------------------------------------
start_table() {
  local r ct=1000001 la0 la1
  r=$(mktemp -d "$SCRATCH/ovz-bench-start.XXXXXX"); ROOTS+=("$r")
  busybox_tree "$WORK/bb"
  mkdir -p "$r/vz/template/cache" "$r/etc/vz/conf"
  tar --numeric-owner -C "$WORK/bb" -czf "$r/vz/template/cache/busybox.tar.gz" .
  cat >"$r/etc/vz/conf/$ct.conf" <<EOF
PHYSPAGES="0:256M"
SWAPPAGES="0:512M"
VE_ROOT="/vz/root/\$VEID"
VE_PRIVATE="/vz/private/\$VEID"
OSTEMPLATE="busybox"
IP_ADDRESS="10.199.0.2"
HOSTNAME="bench.example.com"
NAMESERVER="10.199.0.1"
EOF
  "$OVZ" --root "$r" --quiet create "$ct" >/dev/null
  # crun: the same rootfs (a copy), /bin/true, the namespaces of `crun spec`
  local b=$r/crun crun_note crun_ns=
  mkdir -p "$b"; cp -a "$r/vz/private/$ct" "$b/rootfs"
  (cd "$b" && crun spec)
  python3 - "$b/config.json" <<'EOF'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
c["root"]["readonly"] = False
# The default device rules make crun load an eBPF device program, and it
# first raises RLIMIT_MEMLOCK, which needs CAP_SYS_RESOURCE (see run.sh).
c["linux"].pop("resources", None)
json.dump(c, open(p, "w"), indent=1)
EOF
  crun_note="crun $(crun --version | awk 'NR == 1 { print $3 }') runs /bin/true in new pid, network, IPC, UTS and mount namespaces (\`crun spec\`'s defaults) with its own cgroup and without \`linux.resources\`"
  if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
    # crun refuses a hybrid host ("cgroups in hybrid mode not supported"):
    # a mount namespace of its own with a pure cgroup v2 mount
    unshare --mount --propagation private sh -c \
      'umount -l /sys/fs/cgroup 2>/dev/null; mount -t cgroup2 none /sys/fs/cgroup && touch "$0" && exec sleep 100000' "$WORK/holder.ok" &
    HOLDER=$!
    for _ in $(seq 50); do [ -e "$WORK/holder.ok" ] && break; sleep 0.1; done
    [ -e "$WORK/holder.ok" ] || { echo "run.sh: no cgroup v2 mount namespace for crun" >&2; exit 1; }
    crun_ns="@mntns=/proc/$HOLDER/ns/mnt "
    crun_note="$crun_note; the host is in hybrid mode, which crun refuses, so crun runs in a mount namespace with a pure cgroup v2 mount on /sys/fs/cgroup (entered by the timer, no extra process)"
  fi
  crun_note="$crun_note. Without \`linux.resources\` because with the default device rules crun loads an eBPF device program and first raises RLIMIT_MEMLOCK to unlimited, which this machine forbids (no CAP_SYS_RESOURCE: \`setrlimit (RLIM_MEMLOCK): Operation not permitted\`)."
  local spec=$WORK/spec.start res=$WORK/start.tsv
  {
    printf 'start\t%s --root %s start %s\n' "$OVZ" "$r" "$ct"
    printf 'exec\t%s --root %s exec %s true\n' "$OVZ" "$r" "$ct"
    printf 'stop\t%s --root %s stop --fast %s\n' "$OVZ" "$r" "$ct"
    printf 'unshare\tunshare -mpnui -f true\n'
    printf 'crun\t%scrun run -b %s ovz-bench-crun\n' "$crun_ns" "$b"
    if [ -n "$BASE_OVZ" ]; then
      printf 'base-start\t%s --root %s start %s\n' "$BASE_OVZ" "$r" "$ct"
      printf 'base-exec\t%s --root %s exec %s true\n' "$BASE_OVZ" "$r" "$ct"
      printf 'base-stop\t%s --root %s stop --fast %s\n' "$BASE_OVZ" "$r" "$ct"
    fi
  } >"$spec"
  la0=$(loadavg)
  echo "start: $RUNS rounds..." >&2
  "$H" race "$RUNS" "$spec" >"$res"
  # a graceful stop waits for busybox init's own shutdown: fewer rounds
  {
    printf 'start\t%s --root %s start %s\n' "$OVZ" "$r" "$ct"
    printf 'stop-graceful\t%s --root %s stop %s\n' "$OVZ" "$r" "$ct"
  } >"$spec"
  "$H" race 3 "$spec" | grep '^stop-graceful' >>"$res"
  la1=$(loadavg)
  summarize "$res" >"$WORK/sum"
  local s=$WORK/sum
  # per round: start + exec + stop, the cycle
  local cyc
  cyc=$(awk -F'\t' '$1 == "start" || $1 == "exec" || $1 == "stop" { t[$2] += $3 } END {
      n = 0; for (r in t) v[++n] = t[r] * 1000
      for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
      m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      printf "%.1f\t%.1f\t%.1f", m, v[1], v[n] }' "$res")
  local cmed cmin cmax
  IFS=$'\t' read -r cmed cmin cmax <<<"$cyc"
  local floor; floor=$(field "$s" unshare 2)
  {
    echo "<!-- run-bench:start:start (written by bench/run.sh; do not edit by hand) -->"
    echo "### start/stop ($(date -u +%Y-%m-%d))"
    echo
    machine
    echo "Load average before / after: $la0 / $la1."
    echo
    echo "A busybox container (the test suite's template: busybox-static, init keeping one sleep) with one"
    echo "venet IP, created once with \`ovz-native create\`. \`start\` returns once init runs and the network"
    echo "is up (the routed venet pair, its address and routes are made before init is executed). $RUNS rounds;"
    echo "each round runs start, exec (\`exec CT true\`), stop --fast, the floor and crun once; graceful"
    echo "stop: 3 rounds of start, stop. Wall ms median (min-max), CPU = user+sys of the command and the"
    echo "children it waited for."
    echo
    echo "| command | wall ms | × floor | CPU ms |"
    echo "|---|---:|---:|---:|"
    awk -F'\t' -v f="$floor" -v base="$BASELINE" '
      BEGIN { name["start"] = "`ovz-native start` (init running, network up)"; name["exec"] = "`ovz-native exec CT true`"
        name["stop"] = "`ovz-native stop --fast`"; name["stop-graceful"] = "`ovz-native stop` (busybox init shuts down)"
        name["unshare"] = "floor: `unshare -mpnui -f true`"; name["crun"] = "`crun run` of /bin/true (create, start, wait, delete)"
        name["base-start"] = "before (" base "): `start`"; name["base-exec"] = "before (" base "): `exec CT true`"
        name["base-stop"] = "before (" base "): `stop --fast`" }
      { printf "| %s | %.1f (%.1f-%.1f) | %.2f | %.1f |\n", name[$1], $2, $3, $4, (f > 0 ? $2 / f : 0), $5 }' "$s"
    echo "| start + exec + stop --fast, per round | $cmed ($cmin-$cmax) | | |"
    echo
    awk -v c="$cmed" 'BEGIN { printf "Cycles of start, exec, stop --fast: %.1f per second (one after the other).\n", 1000 / c }'
    echo
    echo "$crun_note"
    echo
    echo "Targets: start ≤ 2.5× the floor and faster than \`crun run\`."
    echo "<!-- run-bench:start:end -->"
  } >"$WORK/start.md"
  cat "$WORK/start.md"
  [ -z "$HOLDER" ] || { kill "$HOLDER"; wait "$HOLDER" 2>/dev/null || true; HOLDER=; }
}

# ---- create ----------------------------------------------------------------
create_table() {
  if [ "$QUICK" = 0 ]; then
    echo "create: bench/template-bench.sh (its own table)..." >&2
    OVZ_BENCH_BUILD=$BUILD bash "$SRC/bench/template-bench.sh" -n 3 $([ "$WRITE_DOC" = 1 ] || echo --no-doc) >&2
  fi
  local sizes="8 64 512" la0 la1 d=$WORK/create
  [ "$QUICK" = 0 ] || sizes="8 64"
  mkdir -p "$d"
  la0=$(loadavg)
  : >"$WORK/create.rows"
  for mib in $sizes; do
    echo "create: clone and overlay of a $mib MiB template..." >&2
    local t=$d/t$mib tree=$d/tree$mib
    rm -rf "$t" "$tree"; mkdir -p "$t/cache"
    busybox_tree "$tree"
    # the bulk: files of 256 KiB of random data, in directories of 64
    local files=$(( mib * 4 )) i
    for ((i = 0; i < files; i++)); do
      [ $((i % 64)) = 0 ] && mkdir -p "$tree/data/$((i / 64))"
      head -c 262144 /dev/urandom >"$tree/data/$((i / 64))/f$i"
    done
    tar --numeric-owner -C "$tree" -cf "$t/cache/bench.tar" .
    rm -rf "$tree"
    "$TH" unpack "$t" bench 2>/dev/null
    local entries; entries=$(tar -tf "$t/cache/bench.tar" | wc -l)
    local spec=$WORK/spec.create res=$WORK/create-$mib.tsv k
    : >"$res"
    for ((k = 0; k < RUNS; k++)); do
      printf 'clone\t%s create %s bench %s/c%s-%s --clone --no-sync\n' "$TH" "$t" "$d" "$mib" "$k"
      printf 'overlay\t%s create %s bench %s/o%s-%s --overlay --no-sync\n' "$TH" "$t" "$d" "$mib" "$k"
    done >"$spec"
    "$H" race 1 "$spec" >"$res"
    summarize "$res" >"$WORK/sum"
    printf '%s\t%s\t%s\t%s\n' "$mib" "$entries" \
      "$(awk -F'\t' '$1 == "clone" { print $2, $3, $4 }' "$WORK/sum")" \
      "$(awk -F'\t' '$1 == "overlay" { print $2, $3, $4 }' "$WORK/sum")" >>"$WORK/create.rows"
    for ((k = 0; k < RUNS; k++)); do
      "$TH" destroy "$d/c$mib-$k" 2>/dev/null || rm -rf "$d/c$mib-$k"
      "$TH" destroy "$d/o$mib-$k" 2>/dev/null || rm -rf "$d/o$mib-$k"
    done
    rm -rf "$t"
  done
  la1=$(loadavg)
  {
    echo "<!-- run-bench:create:start (written by bench/run.sh; do not edit by hand) -->"
    echo "### create: --clone and --layout overlay against template size ($(date -u +%Y-%m-%d))"
    echo
    machine
    echo "Load average before / after: $la0 / $la1."
    echo
    echo "Synthetic templates: the busybox root plus files of 256 KiB of random data, unpacked once"
    echo "(\`template unpack\`) on $(findmnt -no FSTYPE -T "$SCRATCH") under $SCRATCH; each create makes a new private area next to it"
    echo "(bench/ovz-template-bench, the library calls of \`ovz-native create\`; --no-sync). $RUNS runs each, wall ms"
    echo "median (min-max). The extraction table is bench/template-bench.sh's, above."
    echo
    echo "| template MiB | entries | create --clone | create --layout overlay |"
    echo "|---:|---:|---:|---:|"
    awk -F'\t' '{ split($3, c, " "); split($4, o, " ")
      printf "| %s | %s | %.1f (%.1f-%.1f) | %.1f (%.1f-%.1f) |\n", $1, $2, c[1], c[2], c[3], o[1], o[2], o[3] }' "$WORK/create.rows"
    echo
    echo "<!-- run-bench:create:end -->"
  } >"$WORK/create.md"
  cat "$WORK/create.md"
}

# ---- main ------------------------------------------------------------------
echo "load average at start: $(loadavg)" >&2
want list && list_table
want list-vz && list_vz_table
want start && start_table
want create && create_table

if [ "$WRITE_DOC" = 1 ]; then
  doc=$SRC/docs/performance.md
  [ -f "$doc" ] || printf '# Performance\n\nMeasured figures; each section is written by the script it names.\n\n' >"$doc"
  for part in list list-vz start create; do
    [ -f "$WORK/$part.md" ] || continue
    python3 - "$doc" "$WORK/$part.md" "$part" <<'EOF'
import re, sys
doc, rep, part = sys.argv[1:4]
text, new = open(doc).read(), open(rep).read().strip() + "\n"
pat = re.compile(r"<!-- run-bench:%s:start.*?<!-- run-bench:%s:end -->\n?" % (part, part), re.S)
text = pat.sub(lambda m: new, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + new
open(doc, "w").write(text)
EOF
  done
  echo "written to $doc" >&2
fi
