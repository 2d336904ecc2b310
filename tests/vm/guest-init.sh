#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# /init of the vm suite's guest (tests/vm/run-vm.py builds the image): sets
# up a small OpenVZ host -- /proc, /sys, /dev, /vz on the ext4 disk, an
# address on lo for containers to reach -- then runs each section of
# /vm/plan and powers off.  A section's output goes to the second serial
# port (the host reads it as a file), between "@@BEGIN NAME" and
# "@@END NAME STATUS" lines; the kernel's console stays on the first.
export PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /var/run
mount -t tmpfs tmpfs /dev/shm

out=/dev/ttyS1
say() { echo "$*" >"$out"; }
say "@@GUEST $(uname -r) $(cat /proc/cmdline)"

if ! mount -t ext4 /dev/vda /vz; then
	say "@@NOTE cannot mount /dev/vda (ext4) on /vz: containers live on the initramfs"
fi
mkdir -p /vz/private /vz/root /vz/lock /vz/dump /etc/vz/conf /etc/vz/names
chmod 0700 /vz/private /vz/root	# as vzctl's packages make them (start checks)

ip link set lo up
ip addr add 10.77.1.1/32 dev lo

# What vzctl's init script does on an OpenVZ host, when the command can.
if ovz-native host-init --help >/dev/null 2>&1; then
	ovz-native host-init >/tmp/host-init.log 2>&1
	say "@@NOTE ovz-native host-init: exit $? $(tr '\n' ' ' </tmp/host-init.log)"
else
	say "@@NOTE ovz-native has no host-init verb: the host is not initialised"
fi

# Each line of the plan: NAME TIMEOUT COMMAND...; with ovz.section=NAME on
# the kernel's command line, that section alone.
only=$(sed -n 's/.*ovz\.section=\([^ ]*\).*/\1/p' /proc/cmdline)
while read -r name limit cmd; do
	[ -n "$name" ] || continue
	[ -z "$only" ] || [ "$name" = "$only" ] || continue
	say "@@BEGIN $name"
	# shellcheck disable=SC2086
	timeout -s KILL "$limit" sh -c "exec $cmd" >"$out" 2>&1 </dev/null
	say "@@END $name $?"
done </vm/plan

say "@@DONE"
sync
poweroff -f
