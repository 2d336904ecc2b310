// SPDX-License-Identifier: LGPL-2.1-or-later
#include "seccomp.h"
#include "dl.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Blocked with EPERM, as Docker's default profile blocks them, because
 * they act on the host as a whole and the OpenVZ capability set (caps.c)
 * or an unprivileged default lets container root reach them:
 * - kexec_load, kexec_file_load: CAP_SYS_BOOT is kept so that reboot()
 *   stops the container; with it these would replace the host's kernel;
 * - open_by_handle_at: opens any inode of a filesystem by handle, outside
 *   the container's root (CAP_DAC_READ_SEARCH is dropped, but CAPABILITY
 *   may give it back);
 * - init_module, finit_module, delete_module: the host's kernel (the same
 *   for a CAPABILITY that turns SYS_MODULE on);
 * - keyctl, add_key, request_key: the keyrings are not per container, and
 *   container root is host uid 0 and shares root's user keyring;
 * - bpf, perf_event_open, userfaultfd, io_uring_*: large kernel attack
 *   surfaces no OpenVZ VE had (userfaultfd is fully open to the
 *   CAP_SYS_PTRACE a VE keeps; perf and bpf depend on host sysctls);
 * - lookup_dcookie, swapon, swapoff, acct, iopl, ioperm: host-wide state
 *   or hardware, denied by the capability set today; kept out whatever
 *   CAPABILITY says.
 * reboot() stays: in the container's pid namespace it ends the container
 * (HALT, POWER_OFF, RESTART), as on OpenVZ; only its KEXEC and SW_SUSPEND
 * commands are blocked (the kernel refuses them in a pid namespace too).
 * User namespaces stay allowed, as on OpenVZ 7: any unprivileged host user
 * can make one, and the host limits them with user.max_user_namespaces.
 * Cgroup namespaces do not (unshare, clone with CLONE_NEWCGROUP): one made
 * in a user namespace of container root (host uid 0) lets it mount the
 * cgroup fs with the container's cgroup as the root, whose files (limits:
 * memory, cpuset, cpu, pids) are host root's and so its own to write.
 * clone3 passes its flags in memory, where a filter cannot read them: it
 * says ENOSYS, and libc falls back to clone. */
static const int blocked[] = {
	SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load), SCMP_SYS(open_by_handle_at),
	SCMP_SYS(init_module), SCMP_SYS(finit_module), SCMP_SYS(delete_module),
	SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
	SCMP_SYS(bpf), SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd),
	SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register),
	SCMP_SYS(lookup_dcookie), SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(acct),
	SCMP_SYS(iopl), SCMP_SYS(ioperm),
};

static const uint32_t reboot_blocked[] = { LINUX_REBOOT_CMD_KEXEC, LINUX_REBOOT_CMD_SW_SUSPEND };

/* The flags are the first argument of both on every architecture here. */
static const int newcgroup_blocked[] = { SCMP_SYS(unshare), SCMP_SYS(clone) };

/* libseccomp, loaded on first use (dl.h): only start, exec and enter of
 * ns and vz7 containers build a filter. */
#define OVZ_SECCOMP_FUNCS(X)                                                       \
	X(seccomp_init) X(seccomp_release) X(seccomp_arch_add) X(seccomp_attr_set) \
	X(seccomp_rule_add) X(seccomp_export_bpf)

struct scmp {
#define FIELD(f) __typeof__(f) *f;
	OVZ_SECCOMP_FUNCS(FIELD)
#undef FIELD
};

static struct scmp table;
#define SYM(f) OVZ_DL_SYM(struct scmp, f)
static const struct ovz_dl_sym syms[] = { OVZ_SECCOMP_FUNCS(SYM) };
#undef SYM
static struct ovz_dl_lib lib = OVZ_DL_LIB(OVZ_LIBSECCOMP_SONAME, syms, &table);

/* The ABIs a process of this architecture can make system calls through. */
static int add_arches(const struct scmp *S, scmp_filter_ctx ctx)
{
#if defined(__x86_64__)
	static const uint32_t extra[] = { SCMP_ARCH_X86, SCMP_ARCH_X32 };
#elif defined(__aarch64__)
	static const uint32_t extra[] = { SCMP_ARCH_ARM };
#else
	static const uint32_t extra[] = { 0 };
#endif
	for (size_t i = 0; i < ARRAY_SIZE(extra); i++) {
		int r = extra[i] ? S->seccomp_arch_add(ctx, extra[i]) : 0;
		if (r < 0 && r != -EEXIST)
			return r;
	}
	return 0;
}

static int add_rules(const struct scmp *S, scmp_filter_ctx ctx)
{
	int r = S->seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(blocked); i++)
		r = S->seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), blocked[i], 0);
	/* an int argument: the upper half of the register is not the caller's */
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(reboot_blocked); i++)
		r = S->seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(reboot), 1,
					SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffu, reboot_blocked[i]));
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(newcgroup_blocked); i++)
		r = S->seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), newcgroup_blocked[i], 1,
					SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWCGROUP, CLONE_NEWCGROUP));
	if (r == 0)
		r = S->seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	return r;
}

/* libseccomp 2.5 exports to a descriptor only: a pipe, which the program
 * (a few hundred bytes) fits in; non-blocking, so a larger one fails. */
static int export_bpf(const struct scmp *S, scmp_filter_ctx ctx, struct ovz_seccomp *f,
		      struct ovz_error **err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return ovz_error_sys(err, errno, "pipe");
	int r = S->seccomp_export_bpf(ctx, p[1]);
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		return ovz_error_sys(err, -r, "exporting the seccomp filter");
	}
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		strbuf_putn(&sb, buf, (size_t)n);
	close(p[0]);
	size_t len = sb.len;
	char *bytes = strbuf_steal(&sb);
	if (len == 0 || len % sizeof(struct sock_filter) ||
	    len / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		free(bytes);
		return ovz_error_set(err, EIO, "the exported seccomp filter has %zu bytes", len);
	}
	f->len = len / sizeof(struct sock_filter);
	f->insns = (struct sock_filter *)(void *)bytes;
	return 0;
}

int ovz_seccomp_build(struct ovz_seccomp *f, struct ovz_error **err)
{
	memset(f, 0, sizeof(*f));
	int r = ovz_dl_load(&lib, err);
	if (r < 0)
		return ovz_error_wrap(err, r, "the container's seccomp filter");
	const struct scmp *S = &table;
	scmp_filter_ctx ctx = S->seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return ovz_error_set(err, ENOMEM, "seccomp_init failed");
	r = add_arches(S, ctx);
	if (r == 0)
		r = add_rules(S, ctx);
	if (r < 0)
		r = ovz_error_sys(err, -r, "building the container's seccomp filter");
	else
		r = export_bpf(S, ctx, f, err);
	S->seccomp_release(ctx);
	return r;
}

int ovz_seccomp_install(const struct ovz_seccomp *f, struct ovz_error **err)
{
	if (!f->insns)
		return ovz_error_set(err, EINVAL, "no seccomp filter was built");
	struct sock_fprog prog = { .len = (unsigned short)f->len, .filter = f->insns };
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return ovz_error_sys(err, errno, "installing the seccomp filter");
	return 0;
}

void ovz_seccomp_release(struct ovz_seccomp *f)
{
	free(f->insns);
	f->insns = NULL;
	f->len = 0;
}
