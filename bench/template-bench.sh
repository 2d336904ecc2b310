#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Template extraction benchmark: GNU tar, bsdtar, tar+pigz, zstd|tar and
# ovz-native's create paths (.gz, .zst, --clone, --layout overlay) on the
# same template, on tmpfs and on disk.  Prints medians of repeated runs of
# wall, user, sys and peak RSS side by side and writes the table into
# docs/performance.md (between template-bench markers).
#
#   bench/template-bench.sh [-n RUNS] [--no-doc] [TARBALL]
#
# Without TARBALL it builds a Debian 12 minbase with debootstrap (cached in
# $OVZ_BENCH_CACHE, default /var/tmp/ovz-bench; set OVZ_BENCH_MIRROR to use
# a mirror other than debootstrap's default).  Needs root: the tools restore
# owners and device nodes.  Tools come from scripts/deps.sh bench.
#
# ovz-native's rows run bench/ovz-template-bench, which calls the library
# entry points the `create` verb calls (ovz_template_create and friends).
# They pass --no-sync like tar (which never syncs), and one extra row shows
# the default create, which does a syncfs before the rename for crash
# safety.
set -euo pipefail

RUNS=5
WRITE_DOC=1
TARBALL=
while [ $# -gt 0 ]; do
  case "$1" in
    -n) RUNS=$2; shift 2 ;;
    --no-doc) WRITE_DOC=0; shift ;;
    -h|--help) sed -n '3,21p' "$0"; exit 0 ;;
    *) TARBALL=$1; shift ;;
  esac
done

SRC=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${OVZ_BENCH_CACHE:-/var/tmp/ovz-bench}
BUILD=${OVZ_BENCH_BUILD:-$SRC/build-template-bench}
TMPFS_DIR=${OVZ_BENCH_TMPFS:-/dev/shm}
DISK_DIR=${OVZ_BENCH_DISK:-$CACHE/work}
HELPER=$BUILD/bench/ovz-template-bench

[ "$(id -u)" = 0 ] || { echo "template-bench: needs root" >&2; exit 1; }
for t in tar bsdtar pigz zstd /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "template-bench: missing $t (scripts/deps.sh bench)" >&2; exit 1; }
done
PIN=()
if [ "$(nproc)" -gt 2 ] && command -v taskset >/dev/null; then PIN=(taskset -c 0,1); fi

build_helper() {
  [ -d "$BUILD" ] || meson setup "$BUILD" "$SRC" >/dev/null
  local out
  out=$(ninja -C "$BUILD" bench/ovz-template-bench 2>&1) ||
    { printf 'template-bench: build failed:\n%s\n' "$out" >&2; exit 1; }
}

# ---- the template ----

make_minbase() {
  local root=$CACHE/rootfs
  if [ ! -f "$CACHE/rootfs.done" ]; then
    command -v debootstrap >/dev/null || { echo "template-bench: missing debootstrap" >&2; exit 1; }
    rm -rf "$root"
    echo "building a Debian 12 minbase with debootstrap (once)..." >&2
    debootstrap --variant=minbase bookworm "$root" ${OVZ_BENCH_MIRROR:+"$OVZ_BENCH_MIRROR"} >"$CACHE/debootstrap.log" 2>&1
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*_*
    touch "$CACHE/rootfs.done"
  fi
  [ -f "$CACHE/template.tar" ] ||
    tar --numeric-owner --xattrs --acls -C "$root" -cf "$CACHE/template.tar" .
  TEMPLATE_DESC="Debian 12 (bookworm) minbase, debootstrap"
}

take_tarball() {
  local stamp
  stamp=$(stat -c '%s-%Y' "$TARBALL")
  if [ "$(cat "$CACHE/template.src" 2>/dev/null)" != "$TARBALL $stamp" ]; then
    rm -f "$CACHE"/template.tar*
    # the tools pick the decompressor from the content
    bsdtar -cf "$CACHE/template.tar" --format=pax @"$TARBALL"
    echo "$TARBALL $stamp" >"$CACHE/template.src"
  fi
  TEMPLATE_DESC="$(basename "$TARBALL")"
}

compress_template() {
  [ -f "$CACHE/template.tar.gz" ] || pigz -6 -k -c "$CACHE/template.tar" >"$CACHE/template.tar.gz"
  [ -f "$CACHE/template.tar.zst" ] || zstd -q -3 -T0 -k "$CACHE/template.tar" -o "$CACHE/template.tar.zst"
}

# ---- timing ----

# Each round runs every command once, so drift in the machine's load
# spreads over all of them.  On disk the trees stay until the end: ext4
# makes inode allocation next to just-deleted inodes slower
# (recently_deleted), which would bill one tool for another's rm -rf.
declare -a NAMES KINDS CMDS
add() { NAMES+=("$1"); KINDS+=("$2"); CMDS+=("$3"); }

time_one() {  # idx dest -> "wall user sys rss" on stdout
  local idx=$1 dest=$2 out=$WORK/time.out
  [ "${KINDS[$idx]}" = tar ] && mkdir -p "$dest"
  local cmd=${CMDS[$idx]//@DEST@/$dest}
  sync
  if ! "${PIN[@]}" /usr/bin/time -f '%e %U %S %M' -o "$out" sh -c "exec $cmd" >/dev/null 2>"$WORK/err"; then
    echo "template-bench: ${NAMES[$idx]} failed:" >&2; cat "$WORK/err" >&2; exit 1
  fi
  if [ "${KINDS[$idx]}" = ovz ]; then { grep -o 'created by .*' "$WORK/err" || true; } | head -1 >"$WORK/path-$idx"; fi
  cat "$out"
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_fs() {
  local label=$1 base=$2 keep=$3
  WORK=$(mktemp -d "$base/ovz-bench.XXXXXX")
  local t=$WORK/template
  mkdir -p "$t/cache" "$WORK/out"
  ln -s "$CACHE/template.tar.gz" "$t/cache/bench-gz.tar.gz"
  ln -s "$CACHE/template.tar.zst" "$t/cache/bench-zst.tar.zst"
  # the unpacked tree lives on the filesystem under test (clone needs that)
  "$HELPER" unpack "$t" bench-gz 2>/dev/null
  local gz=$CACHE/template.tar.gz zst=$CACHE/template.tar.zst
  NAMES=(); KINDS=(); CMDS=()
  add "GNU tar -xzf" tar "tar --numeric-owner -xzf '$gz' -C @DEST@"
  add "bsdtar -xzf" tar "bsdtar --numeric-owner -xpf '$gz' -C @DEST@"
  add "tar -I pigz" tar "tar --numeric-owner -I pigz -xf '$gz' -C @DEST@"
  add "zstd -dc \\| tar -x" tar "zstd -dc '$zst' | tar --numeric-owner -xf - -C @DEST@"
  add "ovz create .tar.gz" ovz "'$HELPER' create '$t' bench-gz @DEST@ --no-sync"
  add "ovz create .tar.zst" ovz "'$HELPER' create '$t' bench-zst @DEST@ --no-sync"
  add "ovz create .tar.gz, syncfs (default)" ovz "'$HELPER' create '$t' bench-gz @DEST@"
  add "ovz extract .tar.gz, libdeflate in one pass" ovz "'$HELPER' extract '$gz' @DEST@ --libdeflate"
  add "ovz create --clone" ovz "'$HELPER' create '$t' bench-gz @DEST@ --clone --no-sync"
  add "ovz create --layout overlay" ovz "'$HELPER' create '$t' bench-gz @DEST@ --overlay --no-sync"
  declare -A W U S M
  for ((r = 0; r < RUNS; r++)); do
    for i in "${!NAMES[@]}"; do
      local dest=$WORK/out/$r-$i
      read -r w u s m < <(time_one "$i" "$dest")
      W[$i]+=" $w"; U[$i]+=" $u"; S[$i]+=" $s"; M[$i]+=" $m"
      [ "$keep" = 1 ] || rm -rf "$dest"
    done
  done
  RESULTS=()
  for i in "${!NAMES[@]}"; do
    PATH_TAKEN[$i]=$(cat "$WORK/path-$i" 2>/dev/null || true)
    RESULTS+=("$i"$'\t'"$(median ${W[$i]})"$'\t'"$(median ${U[$i]})"$'\t'"$(median ${S[$i]})"$'\t'"$(median ${M[$i]})")
  done
  rm -rf "$WORK"
  table "$label"
}

table() {
  local label=$1 base_wall
  base_wall=$(cut -f2 <<<"${RESULTS[0]}")
  echo
  echo "#### $label"
  echo
  echo "| command | wall s | user s | sys s | peak RSS MiB | wall vs GNU tar |"
  echo "|---|---:|---:|---:|---:|---:|"
  for r in "${RESULTS[@]}"; do
    IFS=$'\t' read -r i w u s m <<<"$r"
    local name=${NAMES[$i]} note=${PATH_TAKEN[$i]:-}
    awk -v n="$name" -v w="$w" -v u="$u" -v s="$s" -v m="$m" -v b="$base_wall" -v note="$note" 'BEGIN {
      d = b > 0 ? (w - b) / b * 100 : 0
      printf "| %s%s | %.2f | %.2f | %.2f | %.1f | %+.0f%% |\n", n, note != "" ? " (" note ")" : "", w, u, s, m / 1024, d }'
  done
}

# System calls per entry on the plain .tar (strace -c -f), where strace exists.
syscall_table() {
  command -v strace >/dev/null || return 0
  local w tar=$CACHE/template.tar
  w=$(mktemp -d "$TMPFS_DIR/ovz-bench.XXXXXX")
  echo
  echo "#### System calls per entry (plain .tar onto tmpfs, strace -f -c)"
  echo
  echo "| command | total | openat(2) | stat family | close | per entry |"
  echo "|---|---:|---:|---:|---:|---:|"
  local name cmd
  for name in "GNU tar" "bsdtar" "ovz extract"; do
    rm -rf "$w/d"; mkdir "$w/d"
    case $name in
      "GNU tar") cmd=(tar --numeric-owner -xf "$tar" -C "$w/d") ;;
      bsdtar) cmd=(bsdtar --numeric-owner -xpf "$tar" -C "$w/d") ;;
      *) rmdir "$w/d"; cmd=("$HELPER" extract "$tar" "$w/d") ;;
    esac
    strace -f -c -o "$w/s" "${cmd[@]}" >/dev/null 2>&1
    awk -v n="$name" -v e="$entries" '
      $NF ~ /^(openat|openat2)$/ { o += $4 } $NF ~ /stat/ { st += $4 } $NF == "close" { c += $4 }
      $NF == "total" { t = $4 }
      END { printf "| %s | %d | %d | %d | %d | %.1f |\n", n, t, o, st, c, t / e }' "$w/s"
  done
  rm -rf "$w"
}

# ---- main ----

mkdir -p "$CACHE" "$DISK_DIR"
build_helper
if [ -n "$TARBALL" ]; then take_tarball; else make_minbase; fi
compress_template
declare -A PATH_TAKEN=()

entries=$(tar -tf "$CACHE/template.tar" | wc -l)
size_mb=$(( $(stat -c %s "$CACHE/template.tar") / 1048576 ))
gz_mb=$(( $(stat -c %s "$CACHE/template.tar.gz") / 1048576 ))
zst_mb=$(( $(stat -c %s "$CACHE/template.tar.zst") / 1048576 ))
disk_fs=$(findmnt -no FSTYPE -T "$DISK_DIR" 2>/dev/null || stat -f -c %T "$DISK_DIR")

REPORT=$(mktemp)
{
  echo "<!-- template-bench:start (written by bench/template-bench.sh; do not edit by hand) -->"
  echo "### Template extraction ($(date -u +%Y-%m-%d))"
  echo
  echo "Template: $TEMPLATE_DESC, $size_mb MiB as tar, $entries entries;"
  echo ".tar.gz $gz_mb MiB (pigz -6, one gzip member), .tar.zst $zst_mb MiB (zstd -3)."
  echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
  echo "kernel $(uname -r)${PIN:+, pinned to 2 CPUs}; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Median of $RUNS rounds; each round runs every command once, into a new directory, after \`sync\`"
  echo "(untimed). On disk the trees are kept until the end of the table (see the script for why)."
  echo "ovz rows use --no-sync like tar, except the one marked syncfs. --clone and overlay start from"
  echo "the unpacked tree, made once beforehand (\`template unpack\`), on the same filesystem."
  bench_fs "tmpfs ($TMPFS_DIR)" "$TMPFS_DIR" 0
  bench_fs "disk ($disk_fs, $DISK_DIR)" "$DISK_DIR" 1
  syscall_table
  echo
  echo "<!-- template-bench:end -->"
} | tee "$REPORT"

if [ "$WRITE_DOC" = 1 ]; then
  doc=$SRC/docs/performance.md
  [ -f "$doc" ] || printf '# Performance\n\nMeasured figures; each section is written by the script it names.\n\n' >"$doc"
  python3 - "$doc" "$REPORT" <<'EOF'
import re, sys
doc, rep = sys.argv[1], sys.argv[2]
text, new = open(doc).read(), open(rep).read().strip() + "\n"
pat = re.compile(r"<!-- template-bench:start.*?<!-- template-bench:end -->\n?", re.S)
text = pat.sub(lambda m: new, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + new
open(doc, "w").write(text)
EOF
  echo "written to $doc" >&2
fi
rm -f "$REPORT"
