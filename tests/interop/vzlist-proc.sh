#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs "$@" (vzlist) in a mount namespace whose /proc is a tmpfs of links to
# the real entries plus the three files vzlist reads that a mainline kernel
# lacks: /proc/vz/veinfo (no container runs), /proc/user_beancounters and
# /proc/fairsched (headers only).  Nothing outside the namespace changes.
set -eu
exec unshare -m --propagation private bash -c '
  rp=$(mktemp -d /tmp/ovz-realproc.XXXXXX)
  mount -t proc proc "$rp"
  mount -t tmpfs tmpfs /proc
  for e in "$rp"/*; do ln -s "$e" "/proc/${e##*/}"; done
  rm -f /proc/user_beancounters /proc/fairsched /proc/vz
  mkdir /proc/vz
  : >/proc/vz/veinfo
  printf "Version: 2.5\n       uid  resource                     held              maxheld              barrier                limit              failcnt\n" >/proc/user_beancounters
  printf "Version: 2.6\n      id    parent weight     rate tasks   run  wait  cpu  total   delay\n" >/proc/fairsched
  exec "$@"' vzlist-proc "$@"
