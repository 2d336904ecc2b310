#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# vzemu's second client: the real vzctl 4.11 (../shared/tools/vzctl-4.11)
# creates, starts, lists, enters and stops
# container 1500 under `vzemu --kernel legacy`, with the kernel's age on.
# If vzctl fails here, vzemu is wrong (docs/testing.md).  TAP on stdout.
set -u
CTID=1500
skip() { echo "1..0 # SKIP $*"; exit 0; }
shared=${OVZ_SHARED:-}
for d in "${OVZ_SOURCE_ROOT:-.}/../shared" /work/shared; do
  [ -z "$shared" ] && [ -d "$d/tools/vzctl-4.11" ] && shared=$d
done
tool=$shared/tools/vzctl-4.11
[ "$(id -u)" = 0 ] || skip "needs root (vzemu makes namespaces and cgroups)"
[ -n "${OVZ_VZEMU:-}" ] || skip "OVZ_VZEMU is not set (run through meson test)"
[ -n "$shared" ] && [ -f "$tool/vzctl-4.11.1-debian12-amd64.tar.gz" ] || skip "vzctl 4.11 is absent (../shared/tools/vzctl-4.11)"
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
dpkg-query -W -f='${Status}' libcgroup2 2>/dev/null | grep -q "ok installed" ||
  skip "vzctl 4.11 needs Debian's libcgroup2 (scripts/deps.sh build)"
unset VZEMU_MODERN_SYSCALLS   # as old as the kernel

work=$(mktemp -d /tmp/vzemu-vzctl.XXXXXX)
trap 'rm -rf "$work"' EXIT
R=$work/root
mkdir -p "$R/vz/template/cache"
t=$work/tpl
mkdir -p "$t"/{bin,sbin,etc,proc,sys,dev,tmp,root}
cp /bin/busybox "$t/bin/"
for a in sh ls cat echo sleep ip hostname ps true id poweroff mount; do ln -s busybox "$t/bin/$a"; done
printf '#!/bin/sh\ntrap "poweroff -f" USR2 TERM\nwhile :; do sleep 1; done\n' > "$t/sbin/init"
chmod 755 "$t/sbin/init"
tar --numeric-owner -C "$t" -czf "$R/vz/template/cache/busybox-1-x86_64.tar.gz" .

# vzctl's fixed directories (/etc/vz, /usr/libexec/vzctl, /var/lib/vzctl)
# are made in overlays of their parents inside vzemu's private mount
# namespace: vzctl-ns makes them on the host and removes them after its
# run, which detaches them from every namespace, ours too, when another
# run of it ends meanwhile.  /vz is $R/vz through vz.conf.
V=$work/vzctl
mkdir -p "$V" && tar -C "$V" -xzf "$tool"/vzctl-4.11.1-debian12-amd64.tar.gz
cat > "$work/setup.sh" <<SETUP
#!/bin/bash
set -e
for d in /etc /usr/libexec /var/lib; do
  o=$work/ov\$(echo \$d | tr / _); mkdir -p \$o/u \$o/w
  mount -t overlay overlay -o lowerdir=\$d,upperdir=\$o/u,workdir=\$o/w \$d
done
mkdir -p /etc/vz /usr/libexec/vzctl /var/lib/vzctl/{veip,vepid,vzreboot}
cp -a $V/etc/vz/. /etc/vz/
mount --bind $V/usr/libexec/vzctl /usr/libexec/vzctl
sed -i -e 's|=/vz/|=$R/vz/|' -e 's|^LOGFILE=.*|LOGFILE=$R/vz/vzctl.log|' /etc/vz/vz.conf
mkdir -p $R/vz/{private,root,lock,dump}
export PATH=$V/usr/sbin:\$PATH LD_LIBRARY_PATH=$V/usr/x86_64-linux-gnu
exec "\$@"
SETUP
chmod +x "$work/setup.sh"

cat > "$work/run.sh" <<INNER
#!/bin/bash
n=0
t() { n=\$((n+1)); if [ "\$1" = 0 ]; then echo "ok \$n - \$2"; else echo "not ok \$n - \$2"; fi; }
sed -i 's/^DISK_QUOTA=.*/DISK_QUOTA=no/' /etc/vz/vz.conf   # no vzquota here
vzctl create $CTID --ostemplate busybox-1-x86_64 --layout simfs >create.log 2>&1
rc=\$?; t \$rc "vzctl create $CTID (simfs)"
[ \$rc = 0 ] || sed "s/^/# /" create.log
vzctl set $CTID --ipadd 10.78.0.2 --save >set.log 2>&1
t \$? "vzctl set $CTID --ipadd --save"
vzctl start $CTID >start.log 2>&1; rc=\$?
t \$rc "vzctl start $CTID gets past VE create and runs (exit \$rc)"
[ \$rc = 0 ] || sed 's/^/# /' start.log
st=\$(vzlist -H -o ctid,status $CTID 2>&1)
echo "\$st" | grep -q "$CTID *running"; t \$? "vzlist shows $CTID running: \$st"
init=
for p in /proc/[0-9]*; do
  [ "\$(readlink \$p/root)" = $R/vz/root/$CTID ] && grep -qa sbin/init \$p/cmdline 2>/dev/null && init=\${p#/proc/}
done
[ -n "\$init" ]; t \$? "the container's init runs (pid \$init), chrooted in VE_ROOT"
grep -q "^ *$CTID .* 10.78.0.2" /proc/vz/veinfo; t \$? "/proc/vz/veinfo lists $CTID with its address"
out=\$(vzctl exec $CTID 'echo in; hostname' 2>&1)
echo "\$out" | grep -q '^in\$'; t \$? "vzctl exec $CTID runs inside: \$(echo \$out)"
vzctl stop $CTID >stop.log 2>&1; rc=\$?
t \$rc "vzctl stop $CTID (exit \$rc)"
[ \$rc = 0 ] || sed 's/^/# /' stop.log
st=\$(vzlist -H -o ctid,status $CTID 2>&1)
echo "\$st" | grep -q "$CTID *stopped"; t \$? "vzlist shows $CTID stopped: \$st"
echo "1..\$n"
INNER
chmod +x "$work/run.sh"
cd "$work" && exec "$OVZ_VZEMU" --kernel legacy --transcript "$work/transcript" -- \
  unshare --mount --propagation private "$work/setup.sh" "$work/run.sh"
