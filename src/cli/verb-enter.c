// SPDX-License-Identifier: LGPL-2.1-or-later
/* `enter`: a login shell inside the container on a new pty, relayed to our
 * terminal (raw mode while it runs) until the shell exits. */
#include "cli.h"
#include "cli-pty.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A login shell: bash, or sh where there is no bash. */
static int spawn_shell(struct ovz_host *h, unsigned ctid, int tty, pid_t *pid,
		       struct ovz_error **err)
{
	char *const bash[] = { (char *)"/bin/bash", (char *)"-l", NULL };
	char *const sh[] = { (char *)"/bin/sh", (char *)"-l", NULL };
	const int fds[3] = { tty, tty, tty };
	int r = ovz_container_spawn(h, ctid, bash, NULL, fds, OVZ_EXEC_TTY, pid, err);
	if (r == -ENOENT) {
		ovz_error_free(*err);
		*err = NULL;
		r = ovz_container_spawn(h, ctid, sh, NULL, fds, OVZ_EXEC_TTY, pid, err);
	}
	return r;
}

VERB(enter)
{
	if (argc != 2)
		return cli_usage_error(c, "expected one CTID or NAME");
	struct ovz_host *h = NULL;
	unsigned ctid;
	int r = cli_open(c, argv[1], 0, &h, &ctid);
	if (r)
		return r;
	int master = -1, slave = -1;
	if ((r = cli_pty_open(&master, &slave)) < 0) {
		ovz_host_close(h);
		char msg[128];
		snprintf(msg, sizeof(msg), "allocate a pty: %s", strerror(-r));
		return cli_fail_msg(c, argv[1], r, msg);
	}
	struct ovz_error *err = NULL;
	pid_t pid;
	r = spawn_shell(h, ctid, slave, &pid, &err);
	close(slave);
	ovz_host_close(h);
	if (r < 0) {
		close(master);
		return cli_fail(c, argv[1], r, err);
	}
	cli_pty_relay(master, STDIN_FILENO, STDOUT_FILENO);
	close(master);
	return ovz_container_wait(pid);
}
