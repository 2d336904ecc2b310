// SPDX-License-Identifier: LGPL-2.1-or-later
/* `enter`: a login shell inside the container on a new pty, relayed to our
 * terminal (raw mode while it runs) until the shell exits. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static int open_pty(int *master, int *slave)
{
	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0 || grantpt(*master) < 0 || unlockpt(*master) < 0)
		return -errno;
	const char *name = ptsname(*master);
	*slave = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
	if (*slave < 0)
		return -errno;
	struct winsize ws;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(*master, TIOCSWINSZ, &ws);
	return 0;
}

static bool copy(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0)
		return false;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

/* Until the shell's side of the pty closes (read gives EIO). */
static void relay(int master)
{
	struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
			       { .fd = master, .events = POLLIN } };
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
			if (!copy(master, STDOUT_FILENO))
				return;
		if (p[0].revents & POLLIN) {
			if (!copy(STDIN_FILENO, master))
				p[0].fd = -1;	/* our input ended; the shell may go on */
		} else if (p[0].revents & (POLLHUP | POLLERR)) {
			p[0].fd = -1;
		}
	}
}

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

/* Relays our terminal, raw while the shell runs, to the pty master. */
static void relay_raw(int master)
{
	struct termios saved, raw;
	bool tty = tcgetattr(STDIN_FILENO, &saved) == 0;
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	relay(master);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
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
	if ((r = open_pty(&master, &slave)) < 0) {
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
	relay_raw(master);
	close(master);
	return ovz_container_wait(pid);
}
