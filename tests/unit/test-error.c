// SPDX-License-Identifier: LGPL-2.1-or-later
#include "testutil.h"

#include "core/error.h"

#include <errno.h>
#include <stdlib.h>

static void test_set_and_wrap(void **state)
{
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_error_set(&e, ENOENT, "open '%s'", "x"), -ENOENT);
	assert_int_equal(e->errnum, ENOENT);
	assert_string_equal(ovz_error_message(e), "open 'x'");
	assert_int_equal(ovz_error_wrap(&e, -ENOENT, "extracting template"), -ENOENT);
	assert_int_equal(ovz_error_wrap(&e, -ENOENT, "create %d", 101), -ENOENT);
	assert_string_equal(ovz_error_message(e), "create 101: extracting template: open 'x'");
	assert_int_equal(e->n_context, 2);
	assert_string_equal(e->context[0], "create 101");
	assert_null(e->context[2]);
	ovz_error_free(e);
}

static void test_first_error_wins(void **state)
{
	struct ovz_error *e = NULL;
	ovz_error_set(&e, EBUSY, "first");
	assert_int_equal(ovz_error_set(&e, EINVAL, "second"), -EINVAL);
	assert_string_equal(ovz_error_message(e), "first");
	assert_int_equal(e->errnum, EBUSY);
	ovz_error_free(e);
}

static void test_null_error_pointer(void **state)
{
	assert_int_equal(ovz_error_set(NULL, EINVAL, "ignored"), -EINVAL);
	assert_int_equal(ovz_error_wrap(NULL, -EIO, "ignored"), -EIO);
	assert_int_equal(ovz_error_sys(NULL, -EPERM, "ignored"), -EPERM);
	ovz_error_clear(NULL);
}

static void test_sys_appends_strerror(void **state)
{
	struct ovz_error *e = NULL;
	ovz_error_sys(&e, EACCES, "mkdir '%s'", "/x");
	assert_string_equal(ovz_error_message(e), "mkdir '/x': Permission denied");
	ovz_error_clear(&e);
	assert_null(e);
}

static void test_wrap_without_error(void **state)
{
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_error_wrap(&e, -EPIPE, "child"), -EPIPE);
	assert_string_equal(ovz_error_message(e), "child");
	ovz_error_free(e);
}

static void test_exit_codes(void **state)
{
	assert_int_equal(ovz_error_exit_code(0), 0);
	assert_int_equal(ovz_error_exit_code(EINVAL), 1);
	assert_int_equal(ovz_error_exit_code(-ENOENT), 1);
	assert_int_equal(ovz_error_exit_code(EEXIST), 3);
	assert_int_equal(ovz_error_exit_code(EBUSY), 3);
	assert_int_equal(ovz_error_exit_code(EIO), 2);
	assert_int_equal(ovz_error_exit_code(EPERM), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_and_wrap),
		cmocka_unit_test(test_first_error_wins),
		cmocka_unit_test(test_null_error_pointer),
		cmocka_unit_test(test_sys_appends_strerror),
		cmocka_unit_test(test_wrap_without_error),
		cmocka_unit_test(test_exit_codes),
	};
	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
