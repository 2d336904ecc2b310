// SPDX-License-Identifier: LGPL-2.1-or-later
/* oldkern KERNEL [--allow SYSCALL,...] -- COMMAND [ARG...]
 *
 * Runs COMMAND with the answers of an old kernel (tests/common/oldkern.h):
 * KERNEL is 2.6.32 or 3.10.  --allow lets syscalls through by number or by
 * name (bpf only: a cgroup v2 host needs it for device rules, where an
 * OpenVZ 7 host has the v1 devices controller). */
#include "oldkern.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int parse_allow(char *list, int *out, int max)
{
	int n = 0;
	for (char *tok = strtok(list, ","); tok && n < max - 1; tok = strtok(NULL, ",")) {
		char *end;
		long v = strtol(tok, &end, 10);
		if (strcmp(tok, "bpf") == 0)
			v = SYS_bpf;
		else if (*end || v < 0)
			return -1;
		out[n++] = (int)v;
	}
	out[n] = -1;
	return 0;
}

int main(int argc, char **argv)
{
	int allow[32] = { -1 };
	if (argc < 4)
		goto usage;
	int i = 2;
	if (strcmp(argv[i], "--allow") == 0) {
		if (argc < 6 || parse_allow(argv[i + 1], allow, 32) < 0)
			goto usage;
		i += 2;
	}
	if (strcmp(argv[i], "--") != 0 || !argv[i + 1])
		goto usage;
	int r = tu_old_kernel(argv[1], allow);
	if (r < 0) {
		fprintf(stderr, "oldkern: kernel %s: %s\n", argv[1], strerror(-r));
		return 125;
	}
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "oldkern: exec '%s': %s\n", argv[i + 1], strerror(errno));
	return 127;
usage:
	fprintf(stderr, "usage: oldkern 2.6.32|3.10 [--allow SYSCALL,...] -- COMMAND [ARG...]\n");
	return 125;
}
