#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a cmocka test program and repairs its TAP for meson: cmocka 1.1
# reports a skipped test as "not ok N # SKIP", which meson counts as a
# failure, and prints messages as bare lines.  Skips become "ok N # SKIP
# <name>: <reason>" (the reason from the test's "SKIP: ..." message) and
# other non-TAP lines become comments.  The exit status is the program's.
import re
import subprocess
import sys

TAP = re.compile(r'^(ok|not ok|1\.\.|#|TAP version|Bail out!)')
SKIP = re.compile(r'^not ok (\d+) # SKIP\s*(.*)$')

proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, text=True,
                        errors='replace')
reason = None
for line in proc.stdout:
    line = line.rstrip('\n')
    m = SKIP.match(line)
    if m:
        why = f': {reason}' if reason else ''
        print(f'ok {m.group(1)} # SKIP {m.group(2)}{why}', flush=True)
        reason = None
    elif line.startswith('SKIP: '):
        reason = line[6:]
    elif TAP.match(line):
        print(line, flush=True)
    else:
        print(f'# {line}', flush=True)
sys.exit(proc.wait())
