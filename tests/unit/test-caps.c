// SPDX-License-Identifier: LGPL-2.1-or-later
#include "oldkern.h"
#include "testutil.h"

#include "core/caps.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const char default_names[] =
	"CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE "
	"NET_BIND_SERVICE NET_BROADCAST NET_RAW IPC_LOCK IPC_OWNER SYS_CHROOT SYS_PTRACE "
	"SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE SETFCAP";

static void test_default_set(void **state)
{
	(void)state;
	_cleanup_free_ char *names = ovz_caps_format(ovz_caps_default());
	assert_string_equal(names, default_names);
	static const int never[] = { CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SYS_MODULE, CAP_SYS_RAWIO,
				     CAP_SYS_TIME, CAP_AUDIT_CONTROL, CAP_DAC_READ_SEARCH };
	for (size_t i = 0; i < ARRAY_SIZE(never); i++)
		assert_false(ovz_caps_default() & OVZ_CAP_BIT(never[i]));
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(ovz_cap_from_name("CHOWN"), CAP_CHOWN);
	assert_int_equal(ovz_cap_from_name("net_admin"), CAP_NET_ADMIN);
	assert_int_equal(ovz_cap_from_name("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
	assert_int_equal(ovz_cap_from_name("cap_bpf"), CAP_BPF);
	assert_int_equal(ovz_cap_from_name("VE_ADMIN"), CAP_NET_ADMIN);
	assert_int_equal(ovz_cap_from_name("NOPE"), -1);
	assert_int_equal(ovz_cap_from_name(""), -1);
	assert_string_equal(ovz_cap_name(CAP_SETFCAP), "SETFCAP");
	assert_null(ovz_cap_name(64));
	assert_null(ovz_cap_name(-1));
}

static void test_parse(void **state)
{
	(void)state;
	uint64_t m = ovz_caps_default();
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_caps_parse("NET_ADMIN:on sys_time:ON,\tCHOWN:off", &m, &e), 0);
	assert_true(m & OVZ_CAP_BIT(CAP_NET_ADMIN));
	assert_true(m & OVZ_CAP_BIT(CAP_SYS_TIME));
	assert_false(m & OVZ_CAP_BIT(CAP_CHOWN));
	assert_int_equal(m & ~(OVZ_CAP_BIT(CAP_NET_ADMIN) | OVZ_CAP_BIT(CAP_SYS_TIME)),
			 ovz_caps_default() & ~OVZ_CAP_BIT(CAP_CHOWN));

	/* later tokens win, as in vzctl */
	m = 0;
	assert_int_equal(ovz_caps_parse("KILL:on KILL:off MKNOD:off MKNOD:on", &m, &e), 0);
	assert_int_equal(m, OVZ_CAP_BIT(CAP_MKNOD));

	/* empty and NULL change nothing */
	m = 42;
	assert_int_equal(ovz_caps_parse("", &m, &e), 0);
	assert_int_equal(ovz_caps_parse(NULL, &m, &e), 0);
	assert_int_equal(m, 42);
}

static void expect_parse_error(const char *value, const char *needle)
{
	uint64_t m = 7;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_caps_parse(value, &m, &e), -EINVAL);
	assert_non_null(e);
	if (!strstr(ovz_error_message(e), needle))
		fail_msg("'%s' does not mention '%s'", ovz_error_message(e), needle);
	assert_int_equal(m, 7);
	ovz_error_free(e);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_parse_error("CHOWN:on FROB:on", "unknown capability 'FROB'");
	expect_parse_error("CHOWN", "'CHOWN' is not NAME:on or NAME:off");
	expect_parse_error(":on", "':on' is not NAME:on");
	expect_parse_error("CHOWN:yes", "'yes' is neither on nor off");
	expect_parse_error("KILL:off CHOWN:", "'' is neither on nor off");
}

/* ---- applying, in a forked child ---------------------------------------- */

struct caps_seen {
	uint64_t bnd, inh, amb;
	int status;
	char msg[512];
};

static uint64_t status_field(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	assert_non_null(p);
	return strtoull(p + strlen(key), NULL, 16);
}

static void child_apply(uint64_t keep, uint64_t raise_ambient, int fd)
{
	struct ovz_error *e = NULL;
	for (int c = 0; c < 64; c++) {
		if (!(raise_ambient & OVZ_CAP_BIT(c)))
			continue;
		cap_t caps = cap_get_proc();
		cap_value_t v = c;
		cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
		if (cap_set_proc(caps) < 0 ||
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0UL, 0UL) < 0) {
			dprintf(fd, "raise %d failed: %s", c, strerror(errno));
			_exit(2);
		}
		cap_free(caps);
	}
	if (ovz_caps_apply(keep, &e) < 0) {
		dprintf(fd, "%s", ovz_error_message(e));
		_exit(3);
	}
	char *status = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/status", 1 << 20, &status, NULL, &e) < 0)
		_exit(4);
	dprintf(fd, "%s", status);
	_exit(0);
}

static struct caps_seen apply_in_child(uint64_t keep, uint64_t raise_ambient)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		child_apply(keep, raise_ambient, p[1]);
	}
	close(p[1]);
	char buf[8192];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 && (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(p[0]);
	struct caps_seen seen = { 0 };
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	seen.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (seen.status != 0) {
		snprintf(seen.msg, sizeof(seen.msg), "%.500s", buf);
		return seen;
	}
	seen.bnd = status_field(buf, "CapBnd:\t");
	seen.inh = status_field(buf, "CapInh:\t");
	seen.amb = status_field(buf, "CapAmb:\t");
	return seen;
}

static uint64_t own_bounding_set(void)
{
	_cleanup_free_ char *status = NULL;
	assert_int_equal(read_file_at(AT_FDCWD, "/proc/self/status", 1 << 20, &status, NULL, NULL),
			 0);
	return status_field(status, "CapBnd:\t");
}

static void test_apply_default(void **state)
{
	(void)state;
	if (!tu_is_root())
		TU_SKIP("needs root (dropping from the bounding set needs CAP_SETPCAP)");
	uint64_t before = own_bounding_set();
	struct caps_seen s = apply_in_child(ovz_caps_default(), 0);
	if (s.status)
		fail_msg("child failed (%d): %s", s.status, s.msg);
	/* a capability the test runs without cannot come back */
	assert_int_equal(s.bnd, ovz_caps_default() & before);
	assert_int_equal(s.inh, 0);
	assert_int_equal(s.amb, 0);
	/* the parent keeps its own set */
	assert_int_equal(own_bounding_set(), before);
}

static void test_apply_drops_ambient_and_inheritable(void **state)
{
	(void)state;
	if (!tu_is_root())
		TU_SKIP("needs root");
	/* without one, test_apply_default proves that apply does without */
	if (getenv("OVZ_TEST_OLD_KERNEL"))
		TU_SKIP("kernels before 4.3 have no ambient set to raise");
	uint64_t raised = OVZ_CAP_BIT(CAP_NET_RAW) | OVZ_CAP_BIT(CAP_SYS_NICE);
	uint64_t keep = ovz_caps_default() & ~OVZ_CAP_BIT(CAP_NET_RAW);
	struct caps_seen s = apply_in_child(keep, raised);
	if (s.status)
		fail_msg("child failed (%d): %s", s.status, s.msg);
	assert_int_equal(s.amb, OVZ_CAP_BIT(CAP_SYS_NICE));
	assert_int_equal(s.inh, OVZ_CAP_BIT(CAP_SYS_NICE));
	assert_false(s.bnd & OVZ_CAP_BIT(CAP_NET_RAW));
	assert_true(s.bnd & OVZ_CAP_BIT(CAP_SYS_NICE));
}

static void test_apply_nothing(void **state)
{
	(void)state;
	if (!tu_is_root())
		TU_SKIP("needs root");
	struct caps_seen s = apply_in_child(0, 0);
	if (s.status)
		fail_msg("child failed (%d): %s", s.status, s.msg);
	assert_int_equal(s.bnd, 0);
}

int main(void)
{
	tu_old_kernel_from_env();	/* the caps-2.6.32 and caps-3.10 runs */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_set),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_apply_default),
		cmocka_unit_test(test_apply_drops_ambient_and_inheritable),
		cmocka_unit_test(test_apply_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
