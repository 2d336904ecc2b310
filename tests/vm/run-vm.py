#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The vm suite: ovz-native on a real OpenVZ kernel in QEMU, reported as TAP.

Builds a guest -- an initramfs with busybox, the test build of ovz-native
(and its static build, when given), the integration suite and the shared
libraries they load, plus an ext4 disk for /vz with a busybox template
cache -- then boots the OpenVZ kernel in QEMU (TCG, one CPU) once per
section of the guest's plan (tests/vm/guest-init.sh), each on a fresh copy
of the disk, and turns what the section prints on the guest's second serial
port into TAP: each test of each section is one test here, named
"SECTION: NAME".  A section that did not finish (the guest hung, crashed or
ran out of time) is a failure, and so is an oops or BUG on the kernel's
console.  QEMU is always killed by the end.

Environment: OVZ_VM_KERNEL (the bzImage; default
../shared/vzkernel/bzImage-2.6.32-042stab141 beside the source tree),
OVZ_VM_APPEND (more kernel arguments), OVZ_VM_TIMEOUT (seconds for all
the boots together, default 540), OVZ_VM_STATIC (the static build of
ovz-native, scripts/build-static.sh: run in the guest too), OVZ_VM_KEEP (a directory that keeps the
image and the logs), OVZ_VM_SECTIONS (a comma-separated subset to run),
OVZ_VM_SMP (guest CPUs, default 1).
"""
import argparse
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KERNEL_NAME = 'bzImage-2.6.32-042stab141'
# Kernel arguments beyond the console: any oops panics and the panic
# "reboots" after 1 s, which -no-reboot turns into QEMU's exit (this kernel
# reboots only for panic > 0; the console check below reports it).  CFQ,
# the default elevator, oopses on the first read of the virtio disk:
# deadline instead.
BASE_APPEND = 'console=ttyS0 rdinit=/init elevator=deadline oops=panic panic=1'
# The shared image as built (../shared/vzkernel): ld 2.40 left the kernel's
# COMMON globals after __bss_stop, unzeroed and handed to the page
# allocator; reserving their pages makes it sound (found by the kern
# helper; a rebuild with *(COMMON) in .bss needs nothing).  By sha256, as
# the range belongs to that one image.
KERNEL_APPEND = {
    '0fee7d460a5446140b63c317ad8d03bed7aaa1d9fe5fa270ec8448e6fa9171aa':
        'memmap=0x3d000$0x224e000',
}
GUEST_IPS = '10.77.1.2,10.77.1.3'
GUEST_PEER = '10.77.1.1'	# on the guest's lo (guest-init.sh)
KERNEL_TROUBLE = re.compile(r'(Oops|BUG:|Kernel panic|general protection fault|'
                            r'kernel BUG|INFO: task .* blocked|divide error|'
                            r'Unable to handle kernel)')

VZ_CONF = """\
# the guest's vz.conf: vzctl's defaults
VIRTUOZZO=yes
LOCKDIR=/vz/lock
DUMPDIR=/vz/dump
VE0CPUUNITS=1000
VE_ROOT=/vz/root/$VEID
VE_PRIVATE=/vz/private/$VEID
TEMPLATE=/vz/template
DEF_OSTEMPLATE="busybox"
VE_LAYOUT=simfs
IPV6="yes"
"""


def kernel_append(kernel):
    with open(kernel, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return KERNEL_APPEND.get(digest, '')


def out(line):
    print(line, flush=True)


def skip_all(reason):
    out(f'1..0 # SKIP {reason}')
    print(f'SKIP: {reason}', file=sys.stderr)
    sys.exit(0)


def default_kernel(source):
    """../shared/vzkernel beside the source tree (or beside the directory
    of worktrees that holds it)."""
    for up in ('..', '../..'):
        path = os.path.normpath(os.path.join(source, up, 'shared', 'vzkernel', KERNEL_NAME))
        if os.path.isfile(path):
            return path
    return os.path.normpath(os.path.join(source, '..', 'shared', 'vzkernel', KERNEL_NAME))


# ---- the image ----

def ldd_closure(paths):
    """Every shared library the ELF files in paths load, with the loader."""
    libs = set()
    for p in paths:
        r = subprocess.run(['ldd', p], capture_output=True, text=True)
        for line in r.stdout.splitlines():
            m = re.search(r'=>\s*(/\S+)', line) or re.match(r'\s*(/\S+)', line)
            if m:
                libs.add(m.group(1))
    return libs


def soname_path(soname):
    r = subprocess.run(['ldconfig', '-p'], capture_output=True, text=True, check=True)
    for line in r.stdout.splitlines():
        m = re.match(r'\s*(\S+) \(([^)]*)\) => (\S+)', line)
        if m and m.group(1) == soname and 'x86-64' in m.group(2):
            return m.group(3)
    return None


def dlopened_sonames(build):
    """The sonames the library dlopens, from the build's config.h."""
    names = []
    with open(os.path.join(build, 'config.h')) as f:
        for line in f:
            m = re.match(r'#define OVZ_\w+_SONAME "(.*)"', line)
            if m:
                names.append(m.group(1))
    return names


def copy(src, root, dest):
    target = os.path.join(root, dest.lstrip('/'))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copy2(os.path.realpath(src), target)
    return target


def install_file(root, dest, text, mode=0o644):
    target = os.path.join(root, dest.lstrip('/'))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, 'w') as f:
        f.write(text)
    os.chmod(target, mode)


def make_initramfs(work, args, sections):
    root = os.path.join(work, 'initramfs')
    for d in ('bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'proc', 'sys', 'dev',
              'tmp', 'var/run', 'vz', 'root', 'etc/vz/conf', 'etc/vz/names', 'vm', 'mnt'):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    copy('/bin/busybox', root, '/bin/busybox')
    applets = subprocess.run(['/bin/busybox', '--list'], capture_output=True, text=True,
                             check=True).stdout.split()
    for a in applets:
        link = os.path.join(root, 'bin', a)
        if not os.path.exists(link):
            os.symlink('busybox', link)
    # the command, the suite, and the libraries the command dlopens
    elfs = [args.bin, args.lifecycle, '/usr/bin/ip'] + \
        [p for p in (soname_path(s) for s in dlopened_sonames(args.build)) if p]
    copy(args.bin, root, '/usr/local/bin/ovz-native')
    copy(args.lifecycle, root, '/usr/local/bin/test-lifecycle')
    copy('/usr/bin/ip', root, '/usr/sbin/ip')	# iproute2's: the suite uses `ip ... exact`
    if args.static:
        copy(args.static, root, '/usr/local/bin/ovz-native-static')
    if args.torture:
        copy(args.torture, root, '/usr/local/bin/vm-torture')
    loaded = [p for p in (soname_path(s) for s in dlopened_sonames(args.build)) if p]
    for lib in ldd_closure(elfs) | set(loaded):
        if os.path.basename(lib).startswith('ld-linux'):
            copy(lib, root, '/lib64/' + os.path.basename(lib))
        else:
            copy(lib, root, '/lib/x86_64-linux-gnu/' + os.path.basename(lib))
    subprocess.run(['ldconfig', '-r', root], check=True)
    copy(os.path.join(HERE, 'guest-init.sh'), root, '/init')
    copy(os.path.join(HERE, 'guest-smoke.sh'), root, '/vm/smoke.sh')
    install_file(root, '/etc/vz/vz.conf', VZ_CONF)
    install_file(root, '/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n')
    install_file(root, '/etc/group', 'root:x:0:\ntty:x:5:\n')
    install_file(root, '/vm/plan', ''.join(f'{n} {t} {c}\n' for n, t, c in sections))
    image = os.path.join(work, 'initramfs.cpio.gz')
    subprocess.run(f'cd "{root}" && find . | cpio -o -H newc --quiet | gzip -1 > "{image}"',
                   shell=True, check=True)
    return image


def make_vz_disk(work, lifecycle):
    """/vz of the guest: an ext4 file system (with features a 2.6.32 kernel
    reads) holding the template cache."""
    tree = os.path.join(work, 'vz')
    cache = os.path.join(tree, 'template', 'cache', 'busybox.tar.gz')
    r = subprocess.run([lifecycle, '--make-template', cache], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f'cannot build the busybox template: {r.stdout}{r.stderr}')
    for d in ('private', 'root', 'lock', 'dump'):
        os.makedirs(os.path.join(tree, d), exist_ok=True)
    disk = os.path.join(work, 'vz.ext4')
    subprocess.run(['mkfs.ext4', '-q', '-F', '-L', 'vz', '-d', tree,
                    '-O', '^metadata_csum,^64bit,^orphan_file,^metadata_csum_seed',
                    disk, '256M'], check=True, capture_output=True)
    return disk


# ---- the run ----

def boot(work, kernel, initrd, disk, append, limit):
    """Runs the guest, at most limit seconds; (timed out, seconds)."""
    smp = os.environ.get('OVZ_VM_SMP', '1')
    cmd = ['qemu-system-x86_64', '-accel', 'tcg', '-cpu', 'max', '-smp', smp, '-m', '1024',
           '-nographic', '-no-reboot', '-nic', 'none', '-monitor', 'none',
           '-kernel', kernel, '-initrd', initrd, '-append', append,
           '-drive', f'file={disk},if=virtio,format=raw',
           '-serial', f'file:{work}/console.log', '-serial', f'file:{work}/report.log']
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, 'qemu.log'), 'w'),
                            start_new_session=True)
    console = os.path.join(work, 'console.log')
    timed_out = False
    panicked_at = None
    try:
        while proc.poll() is None:
            now = time.monotonic()
            if now - started > limit:
                timed_out = True
                break
            # a panic that does not reboot (one in early init does not)
            if panicked_at is None and os.path.exists(console):
                with open(console, 'rb') as f:
                    if b'Kernel panic' in f.read():
                        panicked_at = now
            if panicked_at is not None and now - panicked_at > 3:
                break
            time.sleep(0.5)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return timed_out, time.monotonic() - started


class Report:
    """One TAP stream out of the sections' own TAP, renumbered."""

    def __init__(self):
        self.n = 0

    def result(self, ok, desc, directive=''):
        self.n += 1
        out(f'{"ok" if ok else "not ok"} {self.n} - {desc}{directive}')

    def comment(self, text):
        for line in text.splitlines():
            out(f'# {line}')


TAP_LINE = re.compile(r'^(ok|not ok)\s+\d+\s*(?:-\s*)?(.*?)\s*(#\s*(SKIP|TODO)\S*\s*(.*))?$')


def report_section(rep, name, lines, status):
    """A section's TAP lines become tests; without any, its exit status is
    the one test.  status None: it never finished."""
    tests = 0
    failed = 0
    reason = None
    for line in lines:
        if line.startswith('SKIP: '):
            reason = line[6:]
        m = TAP_LINE.match(line)
        if not m:
            if not re.match(r'^1\.\.\d+', line):
                rep.comment(f'{name}: {line}')
            continue
        tests += 1
        desc = f'{name}: {m.group(2)}'
        if m.group(4) and m.group(4).upper().startswith('SKIP'):
            why = m.group(5) or reason or ''
            rep.result(True, desc, f' # SKIP {why}')
            reason = None
        else:
            ok = m.group(1) == 'ok'
            failed += not ok
            rep.result(ok, desc)
    if status is None:
        rep.result(False, f'{name}: finished (the guest hung or died during it)')
    elif tests == 0:
        rep.result(status == 0, f'{name}: exit status {status}')
    elif status != 0 and failed == 0:
        rep.result(False, f'{name}: exit status {status}')


def parse_report(text):
    """{section: (lines, status or None)} in order, and the notes."""
    sections = {}
    notes = []
    current = None
    for raw in text.splitlines():
        line = raw.rstrip('\r')
        if line.startswith('@@BEGIN '):
            current = line.split()[1]
            sections[current] = ([], None)
        elif line.startswith('@@END ') and current:
            sections[current] = (sections[current][0], int(line.split()[2]))
            current = None
        elif line.startswith('@@NOTE ') or line.startswith('@@GUEST '):
            notes.append(line[2:])
        elif line == '@@DONE':
            notes.append('the guest finished its plan')
        elif current:
            sections[current][0].append(line)
    return sections, notes


# seconds a boot may take beyond its section's own limit in the guest
BOOT_SLACK = 30


def run_section(rep, work, kernel, initrd, disk, append, name, limit):
    """One boot of a fresh copy of the disk that runs section name alone, so
    that a kernel that dies in one section still shows what the others do."""
    if limit < BOOT_SLACK:
        rep.result(False, f'{name}: run (no time left of OVZ_VM_TIMEOUT)')
        return
    copy_of = os.path.join(work, 'vz-run.ext4')
    subprocess.run(['cp', '--sparse=always', disk, copy_of], check=True)
    for log in ('console.log', 'report.log'):
        if os.path.exists(os.path.join(work, log)):
            os.rename(os.path.join(work, log), os.path.join(work, f'{log}.prev'))
    timed_out, took = boot(work, kernel, initrd, copy_of, f'{append} ovz.section={name}', limit)
    os.unlink(copy_of)
    rep.comment(f'{name}: the guest ran {took:.0f} s' +
                (f' and was killed after {limit:.0f} s' if timed_out else ''))
    report = os.path.join(work, 'report.log')
    text = open(report, errors='replace').read() if os.path.exists(report) else ''
    found, notes = parse_report(text)
    with open(os.path.join(work, 'console.log'), errors='replace') as f:
        console = f.read().replace('\r', '')
    for note in notes:
        rep.comment(f'{name}: {note}')
    if name in found:
        report_section(rep, name, *found[name])
    else:
        rep.result(False, f'{name}: run (the guest never reached it)')
    trouble = [line for line in console.splitlines() if KERNEL_TROUBLE.search(line)]
    done = 'the guest finished its plan' in notes
    rep.result(not trouble, f'{name}: no oops, BUG or panic on the kernel console')
    rep.result(done and not timed_out, f'{name}: the guest powered off afterwards')
    if trouble or not done:
        rep.comment(f'{name}: the end of the kernel console:')
        rep.comment('\n'.join(console.splitlines()[-40:]))
    if os.environ.get('OVZ_VM_KEEP'):
        for log in ('console.log', 'report.log'):
            shutil.copy(os.path.join(work, log), os.path.join(work, f'{name}.{log}'))


def plan(args):
    lifecycle_env = ('env CMOCKA_MESSAGE_OUTPUT=TAP OVZ_TEST_ROOT=/ OVZ_TEST_BACKEND=vz '
                     'OVZ_TEST_TEMPLATE=busybox OVZ_TEST_CTIDS=101-109 '
                     f'OVZ_TEST_IPS={GUEST_IPS} OVZ_TEST_PING={GUEST_PEER}')
    sections = []
    if args.torture:
        sections.append(('torture', 120, '/usr/local/bin/vm-torture /tmp /vz'))
    sections.append(('smoke', 90, 'sh /vm/smoke.sh /usr/local/bin/ovz-native 110'))
    if args.static:
        sections.append(('smoke-static', 90,
                         'sh /vm/smoke.sh /usr/local/bin/ovz-native-static 111'))
    sections.append(('lifecycle', 300,
                     f'{lifecycle_env} OVZ_BIN=/usr/local/bin/ovz-native test-lifecycle'))
    if args.static:
        sections.append(('lifecycle-static', 300,
                         f'{lifecycle_env} OVZ_BIN=/usr/local/bin/ovz-native-static '
                         'test-lifecycle'))
    only = os.environ.get('OVZ_VM_SECTIONS')
    if only:
        sections = [s for s in sections if s[0] in only.split(',')]
    return sections


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--source', required=True)
    ap.add_argument('--build', required=True)
    ap.add_argument('--bin', required=True)
    ap.add_argument('--lifecycle', required=True)
    ap.add_argument('--torture')
    args = ap.parse_args()
    # the static build of the command (scripts/build-static.sh), when made
    args.static = os.environ.get('OVZ_VM_STATIC') or None
    if args.static and not os.access(args.static, os.X_OK):
        args.static = None

    kernel = os.environ.get('OVZ_VM_KERNEL') or default_kernel(args.source)
    qemu = shutil.which('qemu-system-x86_64')
    if not qemu:
        skip_all('no qemu-system-x86_64 (Debian: qemu-system-x86)')
    if not os.path.isfile(kernel):
        skip_all(f'no OpenVZ kernel image at {kernel} (set OVZ_VM_KERNEL)')
    for tool in ('cpio', 'mkfs.ext4', 'ldd', 'ldconfig'):
        if not shutil.which(tool) and not os.path.exists(f'/usr/sbin/{tool}') \
                and not os.path.exists(f'/sbin/{tool}'):
            skip_all(f'no {tool}')
    if not os.access('/bin/busybox', os.X_OK) or not os.path.exists('/usr/bin/ip'):
        skip_all('needs /bin/busybox (busybox-static) and /usr/bin/ip (iproute2)')
    os.environ['PATH'] += ':/usr/sbin:/sbin'

    keep = os.environ.get('OVZ_VM_KEEP')
    work = keep or tempfile.mkdtemp(prefix='ovz-vm.')
    os.makedirs(work, exist_ok=True)
    try:
        sections = plan(args)
        initrd = make_initramfs(work, args, sections)
        disk = make_vz_disk(work, args.lifecycle)
        append = ' '.join(a for a in (BASE_APPEND, kernel_append(kernel),
                                      os.environ.get('OVZ_VM_APPEND', '')) if a)
        budget = int(os.environ.get('OVZ_VM_TIMEOUT', '540'))
        out(f'# kernel {kernel}')
        out(f'# append {append}')
        rep = Report()
        if not args.static:
            rep.result(True, 'static: the static build in the guest',
                       ' # SKIP no static build (scripts/build-static.sh; set OVZ_VM_STATIC)')
        started = time.monotonic()
        for name, limit, _ in sections:
            left = budget - (time.monotonic() - started)
            run_section(rep, work, kernel, initrd, disk, append, name, min(limit + BOOT_SLACK, left))
        out(f'1..{rep.n}')
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
