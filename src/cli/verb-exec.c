// SPDX-License-Identifier: LGPL-2.1-or-later
/* `exec`: a command inside the container with our stdio.  Where that is a
 * terminal the command gets a pty of its own, relayed to it, and never our
 * terminal (TIOCSTI into our shell, reads of what is typed there later). */
#include "cli.h"
#include "cli-pty.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int exec_on_pty(struct ovz_host *h, unsigned ctid, char *const argv[], int *status,
		       struct ovz_error **err, const char **failed)
{
	int master, slave;
	int r = cli_pty_open(&master, &slave);
	if (r < 0) {
		if (master >= 0)
			close(master);
		*failed = "allocate a pty";
		return r;
	}
	int fds[3];
	for (int i = 0; i < 3; i++)
		fds[i] = isatty(i) ? slave : i;
	pid_t pid;
	r = ovz_container_spawn(h, ctid, argv, NULL, fds, OVZ_EXEC_TTY, &pid, err);
	close(slave);
	if (r == 0) {
		int out = isatty(STDOUT_FILENO) ? STDOUT_FILENO
			  : isatty(STDERR_FILENO) ? STDERR_FILENO : -1;
		cli_pty_relay(master, isatty(STDIN_FILENO) ? STDIN_FILENO : -1, out);
		*status = ovz_container_wait(pid);
	} else {
		*status = r == -ENOENT ? 127 : 125;	/* as ovz_container_exec */
	}
	close(master);
	return r;
}

VERB(exec)
{
	int first = 2;
	if (argc > 2 && strcmp(argv[2], "--") == 0)
		first = 3;
	if (argc <= first)
		return cli_usage_error(c, "expected CTID or NAME and a command");
	struct ovz_host *h = NULL;
	unsigned ctid;
	int r = cli_open(c, argv[1], 0, &h, &ctid);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	const char *failed = NULL;
	int status = 0;
	if (isatty(STDIN_FILENO) || isatty(STDOUT_FILENO) || isatty(STDERR_FILENO))
		r = exec_on_pty(h, ctid, argv + first, &status, &err, &failed);
	else
		r = ovz_container_exec(h, ctid, argv + first, NULL, NULL, 0, &status, &err);
	ovz_host_close(h);
	if (r < 0 && failed) {
		char msg[128];
		snprintf(msg, sizeof(msg), "%s: %s", failed, strerror(-r));
		return cli_fail_msg(c, argv[1], r, msg);
	}
	if (r < 0) {
		cli_fail(c, argv[1], r, err);
		return status ? status : EXIT_SYSTEM;
	}
	return status;
}
