#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The main job end to end, as root: build ovz-native, then in a scratch root
# and in private mount and network namespaces (so the host's own network is
# not touched): define the example container from docs/examples/web1.xml,
# create it from a busybox template cache, start it, list it, run a command
# in it, stop and destroy it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != --inside ]; then
  scripts/deps.sh build
  meson setup build >/dev/null 2>&1 || meson setup --reconfigure build >/dev/null
  ninja -C build >/dev/null
  exec unshare --mount --net --propagation private "$0" --inside
fi

root=$(mktemp -d /var/tmp/ovz-demo.XXXXXX)
ovz() { echo "+ ovz-native --root $root $*" >&2; build/src/cli/ovz-native --root "$root" "$@"; }

# The example's veth interface joins bridge br0, and its venet traffic
# leaves through an uplink: give this private network both.
ip link set lo up
ip link add br0 type bridge && ip link set br0 up

# A template cache made from Debian's busybox-static.
t=$(mktemp -d)
mkdir -p "$t"/{bin,sbin,etc,proc,sys,dev,tmp,root}
cp /bin/busybox "$t/bin/"
for a in sh ls cat echo sleep ip hostname ps ping uname; do ln -s busybox "$t/bin/$a"; done
ln -s ../bin/busybox "$t/sbin/init"
printf '::sysinit:/bin/true\n::respawn:/bin/sleep 100000\n' > "$t/etc/inittab"
mkdir -p "$root/vz/template/cache"
tar --numeric-owner -C "$t" -czf "$root/vz/template/cache/busybox.tar.gz" .
rm -rf "$t"

ovz validate docs/examples/web1.xml
ovz define docs/examples/web1.xml
ovz create web1 --ostemplate busybox
ovz plan start web1
ovz start web1
ovz list
ovz status web1
ovz exec web1 -- ip addr
ovz stop web1
ovz list -a --json -o ctid,name,uuid,status,ip,hostname,ostemplate,onboot
ovz destroy web1
rm -rf "$root"
