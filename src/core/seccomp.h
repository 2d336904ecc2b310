/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The default seccomp filter of ns and vz7 containers: the system calls
 * that act on the whole host and that OpenVZ's capability set would let
 * container root make (kexec_load, keyctl, bpf, ...; the list and why
 * each is in it are in seccomp.c and docs/isolation.md).  They fail with
 * EPERM; everything else is allowed.
 *
 * The filter is built on the host, with libseccomp (loaded on first use,
 * see dl.h), into a classic BPF program before the process that enters
 * the container is forked: nothing of libseccomp runs once a process can
 * see the container's files, and installing is one prctl(2), which
 * kernels since 3.5 have (OpenVZ 7's 3.10 included).  Every process that
 * enters a container (its init, exec, enter, the helpers of stop) calls
 * ovz_seccomp_install() last before its execve. */
#ifndef OVZ_CORE_SECCOMP_H
#define OVZ_CORE_SECCOMP_H

#include <linux/filter.h>
#include <stddef.h>

#include "error.h"

struct ovz_seccomp {
	struct sock_filter *insns;	/* NULL when not built */
	size_t len;
};

/* Builds the default filter for this machine's architecture (and, on
 * x86_64, the i386 and x32 ABIs a process can switch to).  On the host. */
int ovz_seccomp_build(struct ovz_seccomp *f, struct ovz_error **err);
/* Installs f in the calling thread without setting no_new_privs (setuid
 * programs in the container keep working): the caller must still hold
 * CAP_SYS_ADMIN.  The filter is inherited by children and kept across
 * execve; no library is called, so it is safe after fork. */
int ovz_seccomp_install(const struct ovz_seccomp *f, struct ovz_error **err);
void ovz_seccomp_release(struct ovz_seccomp *f);

#endif
