/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A pty for a command inside a container, relayed to our terminal: what
 * `enter` always does and `exec` does when it runs on a terminal, so that
 * the container never holds our terminal (TIOCSTI into our shell, reads of
 * what is typed there later). */
#ifndef OVZ_CLI_PTY_H
#define OVZ_CLI_PTY_H

/* A new pty (the host's /dev/ptmx), both ends close-on-exec, with the
 * window size of our first terminal among fds 0-2; -errno. */
int cli_pty_open(int *master, int *slave);
/* Copies in (-1: nothing) to the master and the master to out (-1: read
 * and dropped) until the command's side of the pty closes; in is in raw
 * mode meanwhile when it is a terminal. */
void cli_pty_relay(int master, int in, int out);

#endif
