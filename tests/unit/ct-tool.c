// SPDX-License-Identifier: LGPL-2.1-or-later
/* Runs inside test containers, whose busybox has no chattr: sets a file's
 * immutable (+i) or append-only (+a) flag.  Linked statically, so it runs
 * in any container root. */
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[1], "chattr") != 0 ||
	    (strcmp(argv[2], "+i") != 0 && strcmp(argv[2], "+a") != 0)) {
		fprintf(stderr, "usage: ct-tool chattr +i|+a FILE\n");
		return 2;
	}
	int fd = open(argv[3], O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
	int flags = 0;
	if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0) {
		perror(argv[3]);
		return 1;
	}
	flags |= argv[2][1] == 'i' ? FS_IMMUTABLE_FL : FS_APPEND_FL;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0) {
		perror("FS_IOC_SETFLAGS");
		return 1;
	}
	return 0;
}
