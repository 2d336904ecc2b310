#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The main job end to end in a scratch root: build, define the example
# container from its XML, list it, and print it back as canonical XML.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh build
meson setup build >/dev/null 2>&1 || meson setup --reconfigure build >/dev/null
ninja -C build >/dev/null

root=${OVZ_DEMO_ROOT:-$(mktemp -d /var/tmp/ovz-demo.XXXXXX)}
ovz() { echo "+ ovz-native --root $root $*" >&2; build/src/cli/ovz-native --root "$root" "$@"; }

ovz validate docs/examples/web1.xml
ovz define docs/examples/web1.xml
ovz list -a
ovz list -a --json -o ctid,name,uuid,status,ip,hostname,ostemplate,onboot
ovz dumpxml web1
echo "scratch root: $root" >&2
