// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli-pty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int cli_pty_open(int *master, int *slave)
{
	*slave = -1;
	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0 || grantpt(*master) < 0 || unlockpt(*master) < 0)
		return -errno;
	const char *name = ptsname(*master);
	*slave = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
	if (*slave < 0)
		return -errno;
	struct winsize ws;
	for (int fd = 0; fd < 3; fd++)
		if (ioctl(fd, TIOCGWINSZ, &ws) == 0) {
			ioctl(*master, TIOCSWINSZ, &ws);
			break;
		}
	return 0;
}

/* One read from from, all of it written to to (-1: dropped). */
static bool copy(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0)
		return false;
	for (ssize_t off = 0; to >= 0 && off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

/* Until the command's side of the pty closes (read gives EIO). */
static void relay(int master, int in, int out)
{
	struct pollfd p[2] = { { .fd = master, .events = POLLIN },
			       { .fd = in, .events = POLLIN } };
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			if (!copy(master, out))
				return;
		if (p[1].revents & POLLIN) {
			if (!copy(in, master))
				p[1].fd = -1;	/* our input ended; the command may go on */
		} else if (p[1].revents & (POLLHUP | POLLERR)) {
			p[1].fd = -1;
		}
	}
}

void cli_pty_relay(int master, int in, int out)
{
	struct termios saved, raw;
	bool tty = in >= 0 && tcgetattr(in, &saved) == 0;
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(in, TCSANOW, &raw);
	}
	relay(master, in, out);
	if (tty)
		tcsetattr(in, TCSANOW, &saved);
}
