// SPDX-License-Identifier: LGPL-2.1-or-later
/* vzemu's age (tests/vzemu/age.c): every entry of the table called under
 * `vzemu --kernel legacy` and `--kernel vz7`.  A call the emulated kernel
 * lacks must get the table's answer; one it has (a backport, or one older
 * than the kernel) must get what this machine's kernel answers outside
 * vzemu.  Each call runs in a child of its own (`--probe` prints name and
 * errno per call), so one that went through by mistake harms nothing. */
#include "testutil.h"
#include "../vzemu/vzemu.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define VZEMU_UNSUPPORTED 77

/* ---- the probes ---- */

static long arg(long v, int fd, void *buf)
{
	return v == EMU_PROBE_BUF ? (long)buf : v == EMU_PROBE_FD ? fd : v;
}

/* A descriptor for fcntl: a pipe (probe[1] == 1) or a file on tmpfs. */
static int probe_fd(const struct emu_age *a)
{
	if (a->probe[1] == 1) {
		int p[2];
		return pipe(p) < 0 ? -1 : p[1];
	}
	char path[64];
	snprintf(path, sizeof(path), "/dev/shm/vzemu-age.%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	unlink(path);
	return fd;
}

/* In a child: 0 or the errno.  via_openat picks openat for an open flag. */
static long call(const struct emu_age *a, bool via_openat)
{
	long buf[64] = { 0 };
	const long *p = a->probe;
	switch (a->kind) {
	case EMU_AGE_SYSCALL:
		return syscall(a->value, -1L, -1L, -1L, -1L, -1L, -1L);
	case EMU_AGE_PRCTL:
		return prctl((int)a->value, arg(p[0], -1, buf), arg(p[1], -1, buf),
			     arg(p[2], -1, buf), arg(p[3], -1, buf));
	case EMU_AGE_FCNTL: {
		int fd = probe_fd(a);
		return fd < 0 ? -1 : fcntl(fd, (int)a->value, arg(p[0], fd, buf));
	}
	case EMU_AGE_UNSHARE:
		return unshare((int)a->value);
	case EMU_AGE_CAP:
		return prctl(PR_CAPBSET_READ, (long)a->value, 0L, 0L, 0L);
	case EMU_AGE_FILE:
		return open(a->name, O_RDONLY | O_CLOEXEC);
	case EMU_AGE_OPEN: {
		long flags = a->value | O_DIRECTORY | O_RDWR;
		return via_openat ? syscall(SYS_openat, AT_FDCWD, "/dev/shm", flags, 0600)
				  : syscall(SYS_open, "/dev/shm", flags, 0600);
	}
	}
	return -1;
}

/* The errno (0: success); 255 when the child died. */
static int probe(const struct emu_age *a, bool via_openat)
{
	pid_t pid = fork();
	if (pid == 0) {
		errno = 0;
		long r = call(a, via_openat);
		_exit(r < 0 ? (errno & 0xff) : 0);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return 255;
	return WEXITSTATUS(st);
}

/* `--probe`: one line per call, "NAME ERRNO" (NAME@openat for openat). */
static int probe_main(void)
{
	for (size_t i = 0; i < emu_age_count; i++) {
		const struct emu_age *a = &emu_age_table[i];
		printf("%s %d\n", a->name, probe(a, false));
		if (a->kind == EMU_AGE_OPEN)
			printf("%s@openat %d\n", a->name, probe(a, true));
	}
	char buf[16] = "";
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	if (f && fgets(buf, sizeof(buf), f))
		printf("cap_last_cap-content %d\n", atoi(buf));
	if (f)
		fclose(f);
	return 0;
}

/* ---- the tests ---- */

struct answers {
	char *text;	/* the --probe output */
	const char *skip;
};
static struct answers host, under[2];

static int answer(const struct answers *s, const char *name)
{
	size_t len = strlen(name);
	for (const char *l = s->text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
		if (strncmp(l, name, len) == 0 && l[len] == ' ')
			return atoi(l + len + 1);
	}
	return -1;
}

static char *self_exe(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return xstrdup(buf);
}

static void run_under(enum emu_kernel k, struct answers *out)
{
	const char *kernel = k == EMU_KERNEL_VZ7 ? "vz7" : "legacy";
	if (!tu_is_root()) {
		out->skip = "needs root (vzemu makes namespaces and cgroups)";
		return;
	}
	if (!getenv("OVZ_VZEMU")) {
		out->skip = "OVZ_VZEMU is not set (run through meson test)";
		return;
	}
	_cleanup_free_ char *self = self_exe();
	struct tu_run r = tu_runv((char *[]){ getenv("OVZ_VZEMU"), "--kernel", (char *)kernel,
					      "--", self, "--probe", NULL }, NULL);
	if (r.status == VZEMU_UNSUPPORTED)
		out->skip = "this kernel cannot run vzemu (seccomp user notification, cgroup v2)";
	else if (r.status != 0)
		out->skip = "vzemu --probe failed";
	out->text = r.out;
	r.out = NULL;
	tu_run_free(&r);
}

static void check(enum emu_kernel k, const struct emu_age *a, const char *name)
{
	const char *kernel = k == EMU_KERNEL_VZ7 ? "vz7" : "legacy";
	int got = answer(&under[k], name), outside = answer(&host, name);
	assert_int_not_equal(got, -1);
	assert_int_not_equal(got, 255);
	if (emu_age_lacks(a, k)) {
		if (got != a->err)
			fail_msg("%s under --kernel %s: errno %d, want %d (%s)", name, kernel, got,
				 a->err, strerror(a->err));
		if (outside == a->err)
			print_message("# note: %s: this machine's kernel answers the same\n", name);
	} else if (got != outside) {
		fail_msg("%s under --kernel %s: errno %d, but %d outside (the kernel has it)", name,
			 kernel, got, outside);
	}
}

struct entry_test {
	enum emu_kernel k;
	const struct emu_age *a;
};

static void test_entry(void **state)
{
	const struct entry_test *t = *state;
	if (under[t->k].skip)
		TU_SKIP("%s", under[t->k].skip);
	check(t->k, t->a, t->a->name);
	if (t->a->kind == EMU_AGE_OPEN) {
		char name[64];
		snprintf(name, sizeof(name), "%s@openat", t->a->name);
		check(t->k, t->a, name);
	}
}

/* 3.10 knows capabilities up to CAP_BLOCK_SUSPEND; 2.6.32 has no such
 * file (its table entry). */
static void test_vz7_cap_last_cap(void **state)
{
	(void)state;
	if (under[EMU_KERNEL_VZ7].skip)
		TU_SKIP("%s", under[EMU_KERNEL_VZ7].skip);
	assert_int_equal(answer(&under[EMU_KERNEL_VZ7], "cap_last_cap-content"), 36);
}

int main(int argc, char **argv)
{
	unsetenv("VZEMU_MODERN_SYSCALLS");	/* the aged kernels are the point */
	if (argc == 2 && strcmp(argv[1], "--probe") == 0)
		return probe_main();
	/* this machine's answers, then the emulated kernels' */
	FILE *f = open_memstream(&host.text, &(size_t){ 0 });
	for (size_t i = 0; i < emu_age_count; i++) {
		const struct emu_age *a = &emu_age_table[i];
		fprintf(f, "%s %d\n", a->name, probe(a, false));
		if (a->kind == EMU_AGE_OPEN)
			fprintf(f, "%s@openat %d\n", a->name, probe(a, true));
	}
	fclose(f);
	run_under(EMU_KERNEL_LEGACY, &under[EMU_KERNEL_LEGACY]);
	run_under(EMU_KERNEL_VZ7, &under[EMU_KERNEL_VZ7]);

	size_t n = 2 * emu_age_count + 1;
	struct CMUnitTest *tests = xcalloc(n, sizeof(*tests));
	struct entry_test *ts = xcalloc(2 * emu_age_count, sizeof(*ts));
	char **names = xcalloc(2 * emu_age_count, sizeof(*names));
	for (size_t i = 0; i < 2 * emu_age_count; i++) {
		ts[i].k = i < emu_age_count ? EMU_KERNEL_LEGACY : EMU_KERNEL_VZ7;
		ts[i].a = &emu_age_table[i % emu_age_count];
		bool lacks = emu_age_lacks(ts[i].a, ts[i].k);
		names[i] = xasprintf("%s %s: %s", ts[i].k == EMU_KERNEL_VZ7 ? "vz7" : "legacy",
				     ts[i].a->name, lacks ? strerror(ts[i].a->err) : "as the host");
		tests[i] = (struct CMUnitTest){ .name = names[i], .test_func = test_entry,
						.initial_state = &ts[i] };
	}
	tests[n - 1] = (struct CMUnitTest){ .name = "vz7 cap_last_cap: 36",
					    .test_func = test_vz7_cap_last_cap };
	return _cmocka_run_group_tests("vzemu-age", tests, n, NULL, NULL);
}
