#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ovz-native and the real vzctl 4.11 on one scratch tree (TAP).  vzctl runs
# through ../shared/tools/vzctl-4.11/vzctl-ns, in a private mount namespace
# over the tree's etc/vz and vz.  vzctl is never asked to start anything:
# on a mainline kernel vzctl 4.11 starts containers with its own cgroups.
set -u
ovz=${OVZ_BIN:?}
vzns=${OVZ_VZCTL_NS:-${OVZ_SOURCE_ROOT:?}/../shared/tools/vzctl-4.11/vzctl-ns}
if [ "$(id -u)" != 0 ]; then
  echo "1..0 # SKIP needs root: vzctl-ns runs vzctl in a private mount namespace"; exit 0
fi
if [ ! -x "$vzns" ]; then
  echo "1..0 # SKIP no vzctl 4.11 oracle at $vzns (../shared/tools/vzctl-4.11)"; exit 0
fi
root=$(mktemp -d /var/tmp/ovz-interop.XXXXXX)
trap 'rm -rf "$root"' EXIT
"$vzns" "$root" true >/dev/null 2>&1 ||
  { echo "1..0 # SKIP vzctl-ns cannot run here (it needs Debian's libcgroup2)"; exit 0; }
conf=$root/etc/vz/conf

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what" "failed: $*"; fi; }
vz() { "$vzns" "$root" "$@" 2>&1; }
ovzc() { "$ovz" --root "$root" "$@"; }

# 1. What ovz-native writes from XML, vzctl accepts and keeps.
cat >"$root/ct.xml" <<'XML'
<domain type='openvz'>
  <name>interop1</name>
  <memory unit='MiB'>256</memory>
  <os><type>exe</type><init>/sbin/init</init></os>
  <devices>
    <filesystem type='template'><source name='centos-6-x86_64'/><target dir='/'/></filesystem>
    <interface type='bridge'><source bridge='br0'/><ip address='192.168.1.5' prefix='24'/></interface>
  </devices>
</domain>
XML
if ovzc --quiet define "$root/ct.xml" >/dev/null; then ok "define from XML"; else not_ok "define from XML"; fi
mkdir -p "$root/vz/private/101"
check "a memory limit is written with its swap limit" grep -q '^SWAPPAGES=' "$conf/101.conf"
check "the disk quota vzctl's start needs is written" grep -q '^DISKINODES=' "$conf/101.conf"
check "every NETIF device has an ifname" grep -q '^NETIF="ifname=eth0,' "$conf/101.conf"
out=$(vz vzctl set 101 --hostname interop1.example --save); rc=$?
if [ $rc = 0 ] && ! grep -qE 'Warning|Error' <<<"$out"; then ok "vzctl set --save takes it without a word"
else not_ok "vzctl set --save takes it without a word" "rc=$rc" "$out"; fi
vz vzctl set 101 --netif_add eth1 --save >/dev/null
check "vzctl set --netif_add keeps the addresses of eth0" \
  bash -c "'$ovz' --root '$root' dumpxml 101 | grep -q \"address='192.168.1.5'\""
check "the hostname vzctl set is ovz-native's too" \
  bash -c "'$ovz' --root '$root' dumpxml 101 | grep -q '<ovz:hostname>interop1.example</ovz:hostname>'"

# 2. A config made the way vzctl create makes it (its vswap sample) reads
#    whole: sizes such as DISKSPACE="2G:2.2G".
cp "$root/etc/vz/conf/ve-vswap-256m.conf-sample" "$conf/102.conf"
printf 'VE_ROOT="/vz/root/$VEID"\nVE_PRIVATE="/vz/private/$VEID"\nOSTEMPLATE="centos-6-x86_64"\nORIGIN_SAMPLE="vswap-256m"\n' >>"$conf/102.conf"
vz vzctl set 102 --hostname ct102.example --ipadd 192.0.2.102 --nameserver 192.0.2.53 --save >/dev/null
mkdir -p "$root/vz/private/102"
row=$(ovzc -q list -a -H -o ctid,hostname,ip 2>&1 | grep '^ *102 ')
if grep -q 'ct102.example *192.0.2.102' <<<"$row"; then ok "list shows vzctl's container"
else not_ok "list shows vzctl's container" "row: $row"; fi
xml=$(ovzc dumpxml 102 2>&1); rc=$?
if [ $rc = 0 ] && grep -q "<space_hard_limit unit='KiB'>2306867</space_hard_limit>" <<<"$xml"; then
  ok "dumpxml reads the sample's DISKSPACE=\"2G:2.2G\""
else not_ok "dumpxml reads the sample's DISKSPACE=\"2G:2.2G\"" "rc=$rc" "$xml"; fi

# 3. The lines vzctl skips are the lines ovz-native skips.
cat >"$conf/103.conf" <<'CONF'
  HOSTNAME="a.example"   # note
ONBOOT=yes # c
NO EQUALS SIGN
IP_ADDRESS="192.0.2.1"
IP_ADDRESS="192.0.2.2"
HOSTNAME="second"
NAMESERVER="1.1.1.1
VE_ROOT="/vz/root/$VEID"
VE_PRIVATE="/vz/private/$VEID"
CONF
theirs=$(vz vzctl set 103 --description x --save | grep -oE '103.conf:[0-9]+' | sort -u | tr '\n' ' ')
ours=$(ovzc dumpxml 103 2>&1 >/dev/null | grep -oE '103.conf:[0-9]+' | sort -u | tr '\n' ' ')
if [ -n "$theirs" ] && [ "$theirs" = "$ours" ]; then ok "the same lines are warned about ($ours)"
else not_ok "the same lines are warned about" "vzctl: $theirs" "ovz-native: $ours"; fi
check "vzctl's first HOSTNAME is ovz-native's" \
  bash -c "'$ovz' --root '$root' -q dumpxml 103 | grep -q '<ovz:hostname>a.example</ovz:hostname>'"

# 4. list is vzlist 4.11: the same rows, every field (alone, and not last,
#    where vzlist cuts text to its column), and -j byte for byte, but where
#    vzlist is wrong: "(null)" for an unset netfilter, "fs_maskin" for
#    fs_mask in -j (docs/config.md, "list and vzlist").
rm -f "$conf/103.conf"
printf 'CAPABILITY="chown:off net_admin:on"\nNETFILTER="full"\nVM_OVERCOMMIT="1.5"\nIOLIMIT="1048576"\nFEATURES="nfs:on sysfs:off"\nDESCRIPTION="a description that is longer than thirty-two characters"\nBOOTORDER="5"\nCPULIMIT="25"\n' >>"$conf/102.conf"
printf 'HOSTNAME="no-area.example"\nVE_PRIVATE="/vz/private/$VEID"\n' >"$conf/104.conf"
here=$(cd "$(dirname "$0")" && pwd)
fields=$(vz vzlist -L | awk 'NF == 2 {print $1}' | tr '\n' ' ')
[ -n "$fields" ] && ok "vzlist -L names its fields" || not_ok "vzlist -L names its fields"
cases=()
for f in $fields; do cases+=("-a -o $f" "-a -H -o $f,ctid"); done
cases+=("-a" "-a -H" "-S" "-a -n" "-a -s hostname" "-a -s -ctid" "-1")
theirs=$("$vzns" "$root" "$here/vzlist-proc.sh" bash -c \
  'for c; do echo "== $c"; vzlist $c 2>/dev/null; done' vzlist-cases "${cases[@]}" 2>/dev/null |
  sed 's/^(null)$/-/; s/^(null)/-     /')	# vzlist prints a NULL netfilter name with %s; we "-"
ours=$(for c in "${cases[@]}"; do echo "== $c"; "$ovz" --root "$root" -q list $c 2>/dev/null; done)
bad=$(diff <(echo "$theirs") <(echo "$ours") | head -20)
if [ -z "$bad" ]; then ok "every vzlist field and option prints the same (${#cases[@]} cases)"
else not_ok "every vzlist field and option prints the same" "$bad"; fi
theirs=$("$vzns" "$root" "$here/vzlist-proc.sh" vzlist -a -j 2>/dev/null | sed 's/"fs_maskin"/"fs_mask"/')
ours=$(ovzc -q list -a -j)
bad=$(diff <(echo "$theirs") <(echo "$ours") | head -20)
if [ -z "$bad" ]; then ok "list -a -j is vzlist -a -j byte for byte"
else not_ok "list -a -j is vzlist -a -j byte for byte" "$bad"; fi
if python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$ours"; then ok "list -j is valid JSON"
else not_ok "list -j is valid JSON"; fi

# 5. What vzctl create and set --save of each option ovz-native maps
#    write, ovz-native reads; a dumpxml -> define round trip changes no
#    byte; ovz-native's set --save gives vzctl a config it takes silently.
mkdir -p "$root/tpl/etc" && echo "ID=debian" >"$root/tpl/etc/os-release"
tar -C "$root/tpl" -czf "$root/vz/template/cache/debian-12-x86_64.tar.gz" .
out=$(vz vzctl create 120 --ostemplate debian-12-x86_64 --layout simfs); rc=$?
if [ $rc = 0 ] && [ -f "$conf/120.conf" ]; then ok "vzctl create --layout simfs"
else not_ok "vzctl create --layout simfs" "rc=$rc" "$out"; fi
vz vzctl set 120 --hostname h120.example --ipadd 192.0.2.120 --ipadd 2001:db8::120 \
  --nameserver 192.0.2.53 --searchdomain example.org --onboot yes --cpus 2 --cpuunits 500 \
  --cpulimit 50 --diskspace 3G:3.3G --description "vzctl made" --name ct120 \
  --netif_add eth0,,,,br0 --save >/dev/null
xml=$(ovzc dumpxml 120 2>&1)
for want in "<name>ct120</name>" "<description>vzctl made</description>" \
    "<ovz:hostname>h120.example</ovz:hostname>" "<ovz:nameserver>192.0.2.53</ovz:nameserver>" \
    "<ovz:searchdomain>example.org</ovz:searchdomain>" "<ovz:autostart>yes</ovz:autostart>" \
    "<memory unit='KiB'>262144</memory>" "<swap_hard_limit unit='KiB'>786432</swap_hard_limit>" \
    "<vcpu placement='static'>2</vcpu>" "<shares>500</shares>" "<quota>50000</quota>" \
    "<space_hard_limit unit='KiB'>3460300</space_hard_limit>" \
    "<ip address='2001:db8::120' family='ipv6'/>" "<source bridge='br0'/>" "<guest dev='eth0'/>"; do
  if grep -qF "$want" <<<"$xml"; then ok "vzctl's config reads as $want"
  else not_ok "vzctl's config reads as $want" "$xml"; fi
done
cp "$conf/120.conf" "$root/120.before"
ovzc dumpxml 120 >"$root/120.xml" && ovzc -q define "$root/120.xml" >/dev/null
check "dumpxml -> define leaves vzctl's config byte for byte" cmp -s "$root/120.before" "$conf/120.conf"
ovzc -q set 120 --hostname set-by-ovz.example --ipadd 192.0.2.121 --save >/dev/null
out=$(vz vzctl set 120 --description again --save); rc=$?
if [ $rc = 0 ] && ! grep -qE 'Warning|Error' <<<"$out" && grep -q 'HOSTNAME="set-by-ovz.example"' "$conf/120.conf"; then
  ok "vzctl set --save takes what ovz-native's set --save wrote"
else not_ok "vzctl set --save takes what ovz-native's set --save wrote" "rc=$rc" "$out"; fi

echo "1..$n"
[ $failed = 0 ]
