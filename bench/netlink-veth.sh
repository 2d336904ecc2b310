#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Adds and removes N veth pairs with addresses through src/net and through
# one `ip` process per operation; prints the cost per operation.
#   bench/netlink-veth.sh [BUILD_DIR] [N] [RUNS]
set -eu
build=${1:-build}
n=${2:-200}
runs=${3:-3}
bin="$build/bench/bench-netlink"
[ -x "$bin" ] || ninja -C "$build" bench/bench-netlink
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
command -v ip >/dev/null || { echo "needs ip (iproute2) for the comparison" >&2; exit 1; }

echo "# kernel $(uname -r), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "# $(ip -V)"
i=1
while [ "$i" -le "$runs" ]; do
	echo "# run $i"
	"$bin" "$n"
	i=$((i + 1))
done
