// SPDX-License-Identifier: LGPL-2.1-or-later
/* The fallbacks of docs/compat.md that no bigger test reaches on its own:
 * each case runs in a child, once as this kernel answers and once more
 * with an old kernel's answers (tests/common/oldkern.h), and must give the
 * same result both times. */
#include "oldkern.h"
#include "testutil.h"

#include "core/util.h"
#include "fs/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const kernels[] = { NULL, "2.6.32", "3.10" };

/* Runs fn in a child under kernel (NULL: this one); fn returns 0, or 1
 * after saying on stderr which check failed. */
static void run_as(const char *kernel, int (*fn)(const char *kernel))
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (kernel && tu_old_kernel(kernel, NULL) < 0)
			_exit(1);
		_exit(fn(kernel));
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("kernel %s: a check failed (status 0x%x; stderr says which)",
			 kernel ? kernel : "(this one)", st);
}

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #cond, \
				strerror(errno));                                     \
			return 1;                                                     \
		}                                                                     \
	} while (0)

/* ---- the controlling terminal (TIOCGDEV: not on 042stab) ---- */

static int ctty_case(const char *kernel)
{
	CHECK(setsid() >= 0);
	CHECK(ctty_dev() == 0);	/* a new session has none */
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	CHECK(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0);
	int s = open(ptsname(m), O_RDWR | O_CLOEXEC);	/* becomes the controlling one */
	struct stat st;
	CHECK(s >= 0 && fstat(s, &st) == 0);
	unsigned int dev;
	if (kernel && strcmp(kernel, "2.6.32") == 0)	/* the fallback is what answers */
		CHECK(ioctl(s, TIOCGDEV, &dev) < 0 && errno == EINVAL);
	CHECK(ctty_dev() == st.st_rdev);
	return 0;
}

static void test_ctty_dev(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(kernels); i++)
		run_as(kernels[i], ctty_case);
}

/* ---- waiting for a process to exit (pidfd_open: 5.3) ---- */

static pid_t child_sleeping(long ms)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
		nanosleep(&t, NULL);
		_exit(0);
	}
	return pid;
}

static int wait_case(const char *kernel)
{
	(void)kernel;
	pid_t quick = child_sleeping(100);
	CHECK(quick > 0);
	CHECK(wait_pid_exit(quick, 10000));
	CHECK(waitpid(quick, NULL, WNOHANG) < 0 && errno == ECHILD);	/* reaped */
	pid_t slow = child_sleeping(60000);
	CHECK(slow > 0);
	CHECK(!wait_pid_exit(slow, 150));
	CHECK(kill(slow, SIGKILL) == 0);
	CHECK(wait_pid_exit(slow, -1));
	CHECK(wait_pid_exit(slow, 0));	/* gone for good */
	return 0;
}

static void test_wait_pid_exit(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(kernels); i++)
		run_as(kernels[i], wait_case);
}

/* ---- mount roots (STATX_ATTR_MOUNT_ROOT: 5.8) ---- */

static char *dir;

static int mount_root_case(const char *kernel)
{
	(void)kernel;
	_cleanup_free_ char *plain = xasprintf("%s/plain", dir);
	_cleanup_free_ char *bound = xasprintf("%s/with space", dir);	/* \040 in mountinfo */
	_cleanup_free_ char *fs = xasprintf("%s/tmpfs", dir);
	_cleanup_free_ char *link = xasprintf("%s/link", dir);
	CHECK(ovz_path_is_mount_root(plain) == 0);
	CHECK(ovz_path_is_mount_root(bound) == 1);	/* the same filesystem */
	CHECK(ovz_path_is_mount_root(fs) == 1);
	CHECK(ovz_path_is_mount_root(link) == 0);	/* not followed */
	CHECK(ovz_path_is_mount_root("/") == 1);
	int fd = open(bound, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0 && ovz_fd_is_mount_root(fd) == 1);
	close(fd);
	fd = open(plain, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0 && ovz_fd_is_mount_root(fd) == 0);
	close(fd);
	return 0;
}

static void test_mount_root(void **state)
{
	(void)state;
	if (!tu_is_root())
		TU_SKIP("needs root (mounts in a private mount namespace)");
	dir = tu_mkdtemp();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the mounts live in this child's own namespace; the cases fork from it */
		_cleanup_free_ char *plain = xasprintf("%s/plain", dir);
		_cleanup_free_ char *bound = xasprintf("%s/with space", dir);
		_cleanup_free_ char *fs = xasprintf("%s/tmpfs", dir);
		_cleanup_free_ char *link = xasprintf("%s/link", dir);
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mkdir(plain, 0755) < 0 || mkdir(bound, 0755) < 0 || mkdir(fs, 0755) < 0 ||
		    symlink("tmpfs", link) < 0 || mount(plain, bound, NULL, MS_BIND, NULL) < 0 ||
		    mount("tmpfs", fs, "tmpfs", 0, NULL) < 0)
			_exit(1);
		for (size_t i = 0; i < ARRAY_SIZE(kernels); i++) {
			pid_t c = fork();
			if (c == 0) {
				if (kernels[i] && tu_old_kernel(kernels[i], NULL) < 0)
					_exit(1);
				_exit(mount_root_case(kernels[i]));
			}
			int st;
			if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st))
				_exit(10 + (int)i);
		}
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	tu_rmrf(dir);
	free(dir);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("mount roots: exit %d (10: this kernel, 11: 2.6.32, 12: 3.10; stderr says "
			 "which check)", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctty_dev),
		cmocka_unit_test(test_wait_pid_exit),
		cmocka_unit_test(test_mount_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
