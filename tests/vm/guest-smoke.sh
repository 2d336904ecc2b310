#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# First contact of one ovz-native binary with the guest's kernel, as TAP:
# the verbs that need no container running.  usage: guest-smoke.sh BINARY CTID
bin=$1
ctid=$2
n=0
failed=0
xml=/tmp/smoke-$ctid.xml
cat >"$xml" <<EOF
<domain type='openvz' id='$ctid'>
  <memory unit='MiB'>128</memory>
  <os><type>exe</type></os>
  <devices>
    <filesystem type='template'><source name='busybox'/><target dir='/'/></filesystem>
    <interface type='ethernet'><ip address='10.77.2.$((ctid % 200 + 2))'/></interface>
  </devices>
</domain>
EOF

# check DESCRIPTION COMMAND...: one TAP line; the output as comments.
check() {
	desc=$1
	shift
	n=$((n + 1))
	if "$@" >/tmp/smoke.out 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc (exit $?)"
		failed=1
	fi
	sed 's/^/# /' /tmp/smoke.out | head -20
}

check "--version" "$bin" --version
check "validate" "$bin" validate "$xml"
check "list -a" "$bin" --backend vz list -a
check "define" "$bin" --backend vz define "$xml"
# as vzlist: a container without a private area is not listed
check "list -a leaves out the defined CT (no private area)" sh -c \
	"! '$bin' --backend vz list -a -H -o ctid | grep -qw $ctid"
check "list -a shows it once it has a private area" sh -c \
	"mkdir -p /vz/private/$ctid && '$bin' --backend vz list -a -H -o ctid | grep -qw $ctid && rmdir /vz/private/$ctid"
check "status of the defined CT (no private area yet)" sh -c \
	"'$bin' --backend vz status $ctid | grep -qx 'CTID $ctid deleted unmounted down'"
check "dumpxml" "$bin" --backend vz dumpxml "$ctid"
check "plan start" "$bin" --backend vz plan start "$ctid"
check "undefine" "$bin" --backend vz undefine "$ctid"
check "no config left" sh -c "! test -e /etc/vz/conf/$ctid.conf"
echo "1..$n"
exit $failed
