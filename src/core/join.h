/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Joining a running container: exec, enter and vz7's poweroff from inside.
 *
 * On ns and vz7 a forked child moves into the container's cgroups, becomes
 * non-dumpable, keeps only its stdio and the descriptors it needs, and
 * execs ovz-joiner (src/joiner) from a sealed memfd; the joiner enters
 * the namespaces, drops to the container's capability set and only then
 * forks the process the container can see.  So nothing the container can
 * reach holds more than its own privileges, and no host file is its exe
 * or a mapping (docs/lifecycle.md, "Joining a running container").  The
 * legacy vz kernel's VE_ENTER does its own separation; there the same
 * descriptor, dumpable and terminal rules apply. */
#ifndef OVZ_CORE_JOIN_H
#define OVZ_CORE_JOIN_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "host.h"

/* How a command inside is started.  fds of -1 are inherited from the
 * caller; envp NULL gives root's login environment.  The command always
 * leads a session of its own.  A terminal among its fds is refused unless
 * controlling_tty is set, and the caller's controlling terminal always:
 * a container never gets the caller's terminal (TIOCSTI). */
struct ovz_exec_io {
	int in, out, err;
	/* the first terminal among in, out, err (a pty the caller made for
	 * the command) becomes its controlling terminal */
	bool controlling_tty;
	char *const *envp;
};
#define OVZ_EXEC_IO_INHERIT { -1, -1, -1, false, NULL }

/* Starts argv inside the running container (joining its namespaces, cgroup
 * and capability set) and returns once it was exec'd; *pid is to be passed
 * to ovz_ct_wait. */
int ovz_ct_spawn(struct ovz_host *h, unsigned ctid, char *const argv[],
		 const struct ovz_exec_io *io, pid_t *pid, struct ovz_error **err);
/* The exit status of a spawned command (128+signal when killed). */
int ovz_ct_wait(pid_t pid);
/* spawn and wait, with the caller's stdio. */
int ovz_ct_exec(struct ovz_host *h, unsigned ctid, char *const argv[], int *status,
		struct ovz_error **err);
/* ns and vz7: reboot(POWER_OFF) from a joined process, which ends the
 * container's init (vz7's stop, as libvzctl does it). */
int ovz_ct_poweroff(struct ovz_host *h, unsigned ctid, struct ovz_error **err);

/* The joiner image as a read-only, exec'able fd: a sealed memfd, or a
 * removed copy in dir where the kernel has no memfd_create. */
int ovz_joiner_fd(const char *dir, struct ovz_error **err);
/* In a container's first process (pid 1, set up, capabilities dropped):
 * execs path with argv and envp through the joiner in joiner_fd, so that
 * init's /proc/PID/exe is never a host file, not even for a
 * '#!/proc/self/exe' init.  report (the step socket) gets a step reply if
 * the exec fails and is closed by it otherwise.  Returns only on failure:
 * -errno. */
int ovz_joiner_exec_init(int joiner_fd, int report, const char *path, char *const argv[],
			 char *const envp[]);

#endif
