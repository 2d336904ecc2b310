#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command with an old kernel's answers, for OVZ_BIN: runs
# $OVZ_REAL_BIN under $OVZ_OLDKERN $OVZ_OLDKERN_ARGS (tests/meson.build).
exec "$OVZ_OLDKERN" $OVZ_OLDKERN_ARGS -- "$OVZ_REAL_BIN" "$@"
