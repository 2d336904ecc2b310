// SPDX-License-Identifier: LGPL-2.1-or-later
#include "api.h"
#include "core/lifecycle.h"

#include <errno.h>

static struct ovz_exec_io exec_io(char *const envp[], const int fds[3], unsigned flags)
{
	struct ovz_exec_io io = OVZ_EXEC_IO_INHERIT;
	if (fds) {
		io.in = fds[0];
		io.out = fds[1];
		io.err = fds[2];
	}
	io.controlling_tty = flags & OVZ_EXEC_TTY;
	io.envp = envp;
	return io;
}

static int check_argv(char *const argv[], struct ovz_error **err)
{
	return argv && argv[0] ? 0 : ovz_error_set(err, EINVAL, "no command given");
}

int ovz_container_spawn(struct ovz_host *h, unsigned ctid, char *const argv[],
			char *const envp[], const int fds[3], unsigned flags, pid_t *pid,
			struct ovz_error **err)
{
	int r = check_argv(argv, err);
	if (r < 0)
		return r;
	struct ovz_exec_io io = exec_io(envp, fds, flags);
	return ovz_ct_spawn(h, ctid, argv, &io, pid, err);
}

int ovz_container_wait(pid_t pid)
{
	return ovz_ct_wait(pid);
}

int ovz_container_exec(struct ovz_host *h, unsigned ctid, char *const argv[],
		       char *const envp[], const int fds[3], unsigned flags, int *status,
		       struct ovz_error **err)
{
	pid_t pid;
	int r = ovz_container_spawn(h, ctid, argv, envp, fds, flags, &pid, err);
	if (r < 0) {
		*status = r == -ENOENT ? 127 : 125;
		return r;
	}
	*status = ovz_ct_wait(pid);
	return 0;
}
