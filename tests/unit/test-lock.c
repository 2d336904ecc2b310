// SPDX-License-Identifier: LGPL-2.1-or-later
#include "oldkern.h"
#include "testutil.h"

#include "core/lock.h"
#include "core/util.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int setup(void **state)
{
	*state = tu_mkdtemp();
	return 0;
}

static int teardown(void **state)
{
	tu_rmrf(*state);
	free(*state);
	return 0;
}

static char *lockfile(const char *dir, unsigned ctid)
{
	char *p;
	assert_true(asprintf(&p, "%s/lock/%u.lck", dir, ctid) > 0);
	return p;
}

static void test_take_and_release(void **state)
{
	_cleanup_free_ char *dir = path_join(*state, "lock");
	_cleanup_free_ char *file = lockfile(*state, 101);
	struct ovz_lock *l = NULL;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_lock_ct(dir, 101, "start", &l, &e), 0);
	_cleanup_free_ char *text = tu_read(file);
	_cleanup_free_ char *want = NULL;
	assert_true(asprintf(&want, "%d\nstart\n", (int)getpid()) > 0);
	assert_string_equal(text, want);
	assert_int_equal(ovz_lock_holder(dir, 101), getpid());
	ovz_unlock(l);
	assert_false(tu_exists(file));
	assert_int_equal(ovz_lock_holder(dir, 101), 0);
}

static void test_busy_names_holder(void **state)
{
	_cleanup_free_ char *dir = path_join(*state, "lock");
	_cleanup_free_ char *file = lockfile(*state, 102);
	/* vzctl writes "<pid>\n\n"; pid 1 is alive */
	tu_write(file, "1\n\n");
	struct ovz_lock *l = NULL;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_lock_ct(dir, 102, "define", &l, &e), -EBUSY);
	assert_string_equal(ovz_error_message(e), "CT 102 is locked by pid 1");
	ovz_error_free(e);
	e = NULL;
	tu_write(file, "1\nstart\n");
	assert_int_equal(ovz_lock_ct(dir, 102, "define", &l, &e), -EBUSY);
	assert_string_equal(ovz_error_message(e), "CT 102 is locked by pid 1 (start)");
	ovz_error_free(e);
	assert_string_equal(tu_read(file), "1\nstart\n");
}

static void test_stale_dead_pid(void **state)
{
	_cleanup_free_ char *dir = path_join(*state, "lock");
	_cleanup_free_ char *file = lockfile(*state, 103);
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	char text[32];
	snprintf(text, sizeof(text), "%d\n\n", (int)child);
	tu_write(file, text);
	struct ovz_lock *l = NULL;
	assert_int_equal(ovz_lock_ct(dir, 103, "start", &l, NULL), 0);
	ovz_unlock(l);
}

/* vzctl's rule: a live pid holds the lock, even one that started after the
 * lock file was written (a reused pid); once it is gone the lock is stale. */
static void test_live_pid_holds_whenever_it_started(void **state)
{
	_cleanup_free_ char *dir = path_join(*state, "lock");
	_cleanup_free_ char *file = lockfile(*state, 104);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	char text[32];
	snprintf(text, sizeof(text), "%d\n\n", (int)child);
	tu_write(file, text);
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, file, old, 0), 0);
	struct ovz_lock *l = NULL;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_lock_ct(dir, 104, "start", &l, &e), -EBUSY);
	ovz_error_free(e);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_int_equal(ovz_lock_ct(dir, 104, "start", &l, NULL), 0);
	ovz_unlock(l);
}

/* n processes race for one lock, optionally over a stale one; exactly one wins. */
static int race(const char *dir, unsigned ctid, int n)
{
	int go[2];
	assert_int_equal(pipe(go), 0);
	pid_t pids[16];
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char c;
			close(go[1]);
			(void)!read(go[0], &c, 1);
			struct ovz_lock *l = NULL;
			if (ovz_lock_ct(dir, ctid, "race", &l, NULL) < 0)
				_exit(1);
			usleep(300 * 1000);
			ovz_unlock(l);
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]);
	int winners = 0;
	for (int i = 0; i < n; i++) {
		int st;
		waitpid(pids[i], &st, 0);
		winners += WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	return winners;
}

static void test_race_one_winner(void **state)
{
	_cleanup_free_ char *dir = path_join(*state, "lock");
	assert_int_equal(mkdir_p(dir, 0755, NULL), 0);
	assert_int_equal(race(dir, 105, 8), 1);
}

static void test_race_over_stale_lock(void **state)
{
	_cleanup_free_ char *dir = path_join(*state, "lock");
	_cleanup_free_ char *file = lockfile(*state, 106);
	tu_write(file, "999999999\n\n");
	assert_int_equal(race(dir, 106, 8), 1);
	assert_false(tu_exists(file));
}

int main(void)
{
	tu_old_kernel_from_env();	/* the lock-2.6.32 and lock-3.10 runs */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_and_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_names_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_dead_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_pid_holds_whenever_it_started, setup, teardown),
		cmocka_unit_test_setup_teardown(test_race_one_winner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_race_over_stale_lock, setup, teardown),
	};
	return cmocka_run_group_tests_name("lock", tests, NULL, NULL);
}
