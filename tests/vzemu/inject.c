// SPDX-License-Identifier: LGPL-2.1-or-later
/* Making the target itself run a few syscalls, for what a real VE_CREATE
 * or VE_ENTER does to the caller and a supervisor cannot do to another
 * process (unshare, setns, pivot_root).  The target is seized before its
 * notification is answered; it stops on its way back to user space, right
 * after the `syscall` instruction of the emulated call, and each injected
 * call re-runs that instruction with other registers.  x86_64 only. */
#include "vzemu.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

struct emu_inject {
	pid_t tid;
	struct user_regs_struct saved;
	unsigned long insn;	/* address of the syscall instruction */
	unsigned long scratch;	/* below the red zone, for strings */
	size_t used;
};

int emu_inject_prepare(pid_t tid)
{
#if defined(__x86_64__)
	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)(long)PTRACE_O_TRACESYSGOOD) < 0)
		return -errno;
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0) {
		int r = -errno;
		ptrace(PTRACE_DETACH, tid, NULL, NULL);
		return r;
	}
	return 0;
#else
	(void)tid;
	return -ENOSYS;
#endif
}

static int wait_stop(pid_t tid)
{
	int st;
	for (;;) {
		if (waitpid(tid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!WIFSTOPPED(st))
			return -ESRCH;
		int sig = WSTOPSIG(st);
		/* a signal that arrived meanwhile: keep it for later */
		if (sig != SIGTRAP && sig != (SIGTRAP | 0x80) && (st >> 16) != PTRACE_EVENT_STOP) {
			ptrace(PTRACE_SYSCALL, tid, NULL, (void *)(long)sig);
			continue;
		}
		return 0;
	}
}

#if defined(__x86_64__)
int emu_inject_begin(pid_t tid, struct emu_inject **out)
{
	int r = wait_stop(tid);
	if (r < 0)
		return r;
	struct emu_inject *in = xcalloc(1, sizeof(*in));
	in->tid = tid;
	if (ptrace(PTRACE_GETREGS, tid, NULL, &in->saved) < 0) {
		r = -errno;
		ptrace(PTRACE_DETACH, tid, NULL, NULL);
		free(in);
		return r;
	}
	in->insn = in->saved.rip - 2;
	errno = 0;
	long word = ptrace(PTRACE_PEEKTEXT, tid, (void *)in->insn, NULL);
	if (errno || (word & 0xffff) != 0x050f) {	/* 0f 05: syscall */
		ptrace(PTRACE_DETACH, tid, NULL, NULL);
		free(in);
		return -ENOEXEC;
	}
	in->scratch = (in->saved.rsp - 1024) & ~15UL;
	*out = in;
	return 0;
}

long emu_inject_call(struct emu_inject *in, long nr, long a0, long a1, long a2, long a3)
{
	struct user_regs_struct r = in->saved;
	r.rax = (unsigned long)nr;
	r.orig_rax = (unsigned long)-1;	/* no restart of the emulated call */
	r.rdi = (unsigned long)a0;
	r.rsi = (unsigned long)a1;
	r.rdx = (unsigned long)a2;
	r.r10 = (unsigned long)a3;
	r.rip = in->insn;
	if (ptrace(PTRACE_SETREGS, in->tid, NULL, &r) < 0)
		return -errno;
	for (int stop = 0; stop < 2; stop++) {	/* entry, then exit */
		if (ptrace(PTRACE_SYSCALL, in->tid, NULL, NULL) < 0)
			return -errno;
		int w = wait_stop(in->tid);
		if (w < 0)
			return w;
	}
	if (ptrace(PTRACE_GETREGS, in->tid, NULL, &r) < 0)
		return -errno;
	return (long)r.rax;
}

long emu_inject_str(struct emu_inject *in, const char *s)
{
	return emu_inject_data(in, s, strlen(s) + 1);
}

long emu_inject_data(struct emu_inject *in, const void *s, size_t len)
{
	unsigned long at = in->scratch - in->used - ((len + 15) & ~15UL);
	if (emu_write_mem(in->tid, at, s, len) < 0)
		return -EFAULT;
	in->used += (len + 15) & ~15UL;
	return (long)at;
}

void emu_inject_end(struct emu_inject *in)
{
	ptrace(PTRACE_SETREGS, in->tid, NULL, &in->saved);
	ptrace(PTRACE_DETACH, in->tid, NULL, NULL);
	free(in);
}
#else
int emu_inject_begin(pid_t tid, struct emu_inject **out)
{
	return -ENOSYS;
}

long emu_inject_call(struct emu_inject *in, long nr, long a0, long a1, long a2, long a3)
{
	return -ENOSYS;
}

long emu_inject_str(struct emu_inject *in, const char *s)
{
	return -ENOSYS;
}

long emu_inject_data(struct emu_inject *in, const void *s, size_t len)
{
	return -ENOSYS;
}

void emu_inject_end(struct emu_inject *in)
{
}
#endif
