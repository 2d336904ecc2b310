// SPDX-License-Identifier: LGPL-2.1-or-later
/* The generic vzctl config file: parsing, byte-exact rewrites, set/unset,
 * the #UUID comment, rejections and atomic saves. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/error.h"
#include "core/util.h"

static struct ovz_conf *parse_ok(const char *text)
{
	struct ovz_conf *c = NULL;
	struct ovz_error *e = NULL;
	int r = ovz_conf_parse(text, strlen(text), "t.conf", &c, &e);
	if (r < 0)
		fail_msg("parse failed: %s", ovz_error_message(e));
	assert_null(e);
	return c;
}

static void assert_text(const struct ovz_conf *c, const char *want)
{
	size_t len;
	char *got = ovz_conf_format(c, &len);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
	free(got);
}

static const char sample[] =
	"# header comment\n"
	"\n"
	"ONBOOT=\"yes\"\n"
	"  KMEMSIZE=\"14372700:14790164\"\n"
	"VE_ROOT=/vz/root/$VEID\n"
	"UNKNOWN_KEY=\"a b  c\"\n"
	"\t# indented comment\n"
	"ONBOOT=no\n"
	"EMPTY=\"\"\n"
	"BARE=\n"
	"DESCRIPTION=\"say \"hi\" twice\"\n"
	"CRLF=\"x\"\r\n"
	"NETIF=\"ifname=eth10,mac=00:18:51:C1:05:EE\n"
	"LAST=\"no newline\"";

static void test_parse_keeps_every_byte(void **state)
{
	struct ovz_conf *c = parse_ok(sample);
	assert_text(c, sample);
	ovz_conf_free(c);
}

static void test_get_values(void **state)
{
	struct ovz_conf *c = parse_ok(sample);
	assert_string_equal(ovz_conf_get(c, "ONBOOT"), "yes");	/* the first, as vzctl */
	assert_int_equal(ovz_conf_line(c, "ONBOOT"), 3);
	assert_string_equal(ovz_conf_get(c, "KMEMSIZE"), "14372700:14790164");
	assert_string_equal(ovz_conf_get(c, "VE_ROOT"), "/vz/root/$VEID");
	assert_string_equal(ovz_conf_get(c, "UNKNOWN_KEY"), "a b  c");
	assert_string_equal(ovz_conf_get(c, "EMPTY"), "");
	assert_string_equal(ovz_conf_get(c, "BARE"), "");
	assert_string_equal(ovz_conf_get(c, "DESCRIPTION"), "say \"hi\" twice");
	assert_string_equal(ovz_conf_get(c, "CRLF"), "x");
	assert_null(ovz_conf_get(c, "NETIF"));	/* no closing quote: skipped */
	assert_int_equal(ovz_conf_n_warnings(c), 2);
	assert_string_equal(ovz_conf_warning(c, 0), "t.conf:13: unmatched quotes, line skipped");
	assert_string_equal(ovz_conf_warning(c, 1), "t.conf:8: ONBOOT: duplicate, ignored (\"no\")");
	assert_string_equal(ovz_conf_get(c, "LAST"), "no newline");
	assert_null(ovz_conf_get(c, "MISSING"));
	assert_int_equal(ovz_conf_line(c, "MISSING"), 0);
	assert_null(ovz_conf_get(c, "header"));
	ovz_conf_free(c);
}

static void test_empty_input(void **state)
{
	struct ovz_conf *c = parse_ok("");
	assert_text(c, "");
	size_t pos = 0;
	assert_null(ovz_conf_next_key(c, &pos, NULL));
	ovz_conf_set(c, "A", "1");
	assert_text(c, "A=\"1\"\n");
	ovz_conf_free(c);

	c = ovz_conf_new();
	ovz_conf_set(c, "B", "2");
	assert_text(c, "B=\"2\"\n");
	ovz_conf_free(c);
}

/* The line that counts is replaced, the others go: the first for most
 * keys, the last for beancounters, the first for lists (which held them all). */
static void test_set_replaces_in_place(void **state)
{
	struct ovz_conf *c = parse_ok("A=1\n# keep\nB=2\nA=3\nC=4\n");
	ovz_conf_set(c, "A", "9");
	assert_text(c, "A=\"9\"\n# keep\nB=2\nC=4\n");
	assert_int_equal(ovz_conf_line(c, "A"), 1);
	ovz_conf_free(c);

	c = parse_ok("KMEMSIZE=1\n# keep\nKMEMSIZE=3\nC=4\n");
	ovz_conf_set(c, "KMEMSIZE", "9");
	assert_text(c, "# keep\nKMEMSIZE=\"9\"\nC=4\n");
	ovz_conf_free(c);

	c = parse_ok("IP_ADDRESS=\"1.1.1.1\"\nB=2\nIP_ADDRESS=\"2.2.2.2\"\n");
	assert_string_equal(ovz_conf_get(c, "IP_ADDRESS"), "1.1.1.1 2.2.2.2");
	ovz_conf_set(c, "IP_ADDRESS", "1.1.1.1 2.2.2.2");
	assert_text(c, "IP_ADDRESS=\"1.1.1.1 2.2.2.2\"\nB=2\n");
	ovz_conf_free(c);
}

static void test_set_appends_at_end(void **state)
{
	struct ovz_conf *c = parse_ok("# c\nA=1");
	ovz_conf_set(c, "NEW", "x y");
	ovz_conf_set(c, "OTHER", "$VEID");
	assert_text(c, "# c\nA=1\nNEW=\"x y\"\nOTHER=\"$VEID\"\n");
	ovz_conf_free(c);
}

static void test_set_same_value_keeps_line(void **state)
{
	const char *text = "  ONBOOT=yes\nIP_ADDRESS=\"1.2.3.4\"   \n";
	struct ovz_conf *c = parse_ok(text);
	ovz_conf_set(c, "ONBOOT", "yes");
	ovz_conf_set(c, "IP_ADDRESS", "1.2.3.4");
	assert_text(c, text);
	ovz_conf_free(c);
}

static void test_set_value_stays_on_one_line(void **state)
{
	struct ovz_conf *c = ovz_conf_new();
	ovz_conf_set(c, "DESCRIPTION", "two\nlines\r");
	assert_text(c, "DESCRIPTION=\"two lines \"\n");
	ovz_conf_set(c, "Q", "\"");
	assert_string_equal(ovz_conf_get(c, "Q"), "\"");
	char *text = ovz_conf_format(c, NULL);
	struct ovz_conf *back = parse_ok(text);
	assert_string_equal(ovz_conf_get(back, "Q"), "\"");
	assert_string_equal(ovz_conf_get(back, "DESCRIPTION"), "two lines ");
	free(text);
	ovz_conf_free(back);
	ovz_conf_free(c);
}

static void test_unset_removes_every_assignment(void **state)
{
	struct ovz_conf *c = parse_ok("A=1\nB=2\n#A=comment\nA=3\n\nA=4");
	ovz_conf_unset(c, "A");
	assert_text(c, "B=2\n#A=comment\n\n");
	assert_null(ovz_conf_get(c, "A"));
	ovz_conf_unset(c, "NOT_THERE");
	assert_text(c, "B=2\n#A=comment\n\n");
	ovz_conf_free(c);
}

static void test_next_key_in_file_order(void **state)
{
	struct ovz_conf *c = parse_ok("A=1\nB=2\n# x\nA=3\nC=\n");
	const char *want_keys[] = { "A", "B", "C" };
	const char *want_values[] = { "1", "2", "" };
	size_t pos = 0, n = 0;
	const char *key, *value;
	while ((key = ovz_conf_next_key(c, &pos, &value))) {
		assert_true(n < 3);
		assert_string_equal(key, want_keys[n]);
		assert_string_equal(value, want_values[n]);
		n++;
	}
	assert_int_equal(n, 3);
	ovz_conf_free(c);
}

static void test_uuid_comment(void **state)
{
	struct ovz_conf *c = parse_ok("A=1\n#UUID: 11111111-2222-3333-4444-555555555555\nB=2\n");
	assert_string_equal(ovz_conf_get_uuid_comment(c), "11111111-2222-3333-4444-555555555555");
	assert_int_equal(ovz_conf_uuid_comment_line(c), 2);
	ovz_conf_set_uuid_comment(c, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
	assert_text(c, "A=1\n#UUID: aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\nB=2\n");
	ovz_conf_set_uuid_comment(c, NULL);
	assert_text(c, "A=1\nB=2\n");
	assert_null(ovz_conf_get_uuid_comment(c));
	ovz_conf_set_uuid_comment(c, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
	assert_text(c, "A=1\nB=2\n#UUID: aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\n");
	ovz_conf_free(c);

	/* a bare "#UUID:" or "# UUID: x" is just a comment */
	c = parse_ok("#UUID:\n# UUID: x\n");
	assert_null(ovz_conf_get_uuid_comment(c));
	ovz_conf_free(c);
}

/* vzctl 4.11's reading rules (docs/config.md): what key reads as what, and
 * which line is skipped with which warning. */
static const struct {
	const char *text, *key, *value, *warning;
} rules[] = {
	{ "K=\"v\"   # note\n", "K", "v", NULL },
	{ "ONBOOT=yes # c\n", "ONBOOT", "yes # c", NULL },
	{ "NAMESERVER=inherit # Copy from host\n", "NAMESERVER", "inherit # Copy from host", NULL },
	{ "K = v\n", "K ", " v", NULL },
	{ "export K=v\n", "export K", "v", NULL },
	{ "export K=v\n", "K", NULL, NULL },
	{ "  lower=1  \n", "lower", "1", NULL },
	{ "\t1KEY=x\r\n", "1KEY", "x", NULL },
	{ "=x\n", "", "x", NULL },
	{ "K=\"a\"b\"\n", "K", "a\"b", NULL },
	{ "K=\"a\\\"b\"\n", "K", "a\"b", NULL },
	{ "K=\"x\\\\y\"\n", "K", "x\\y", NULL },
	{ "K=\"\\012\"\n", "K", "012", NULL },
	{ "K=v\\\n", "K", "v", NULL },
	{ "K=abc\"\n", "K", "abc\"", NULL },
	{ "K= \"x\"\n", "K", " \"x\"", NULL },
	{ "K=\"a\" b\n", "K", "a", NULL },
	{ "\\#K=1\n", "#K", NULL, NULL },
	{ "K=\"\"\n", "K", "", NULL },
	{ "A=1\nJUST WORDS\n", "A", "1", "t.conf:2: '=' not found, line skipped" },
	{ "# ok\nK=\"open\n", "K", NULL, "t.conf:2: unmatched quotes, line skipped" },
	{ "K=\"\n", "K", NULL, "t.conf:1: unmatched quotes, line skipped" },
	{ "HOSTNAME=a\nHOSTNAME=b\n", "HOSTNAME", "a",
	  "t.conf:2: HOSTNAME: duplicate, ignored (\"b\")" },
	{ "KMEMSIZE=1\nKMEMSIZE=\"2:3\"\n", "KMEMSIZE", "2:3", NULL },
	{ "NAMESERVER=1.1.1.1\nX=1\nNAMESERVER=\"2.2.2.2 3.3.3.3\"\n", "NAMESERVER",
	  "1.1.1.1 2.2.2.2 3.3.3.3", NULL },
	{ "VE0CPUUNITS=1\nVE0CPUUNITS=2\n", "VE0CPUUNITS", "1", NULL },
};

static void test_vzctl_rules(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		struct ovz_conf *c = parse_ok(rules[i].text);
		const char *got = ovz_conf_get(c, rules[i].key);
		if (rules[i].value ? !got || strcmp(got, rules[i].value) : got != NULL)
			fail_msg("%s: %s is '%s', want '%s'", rules[i].text, rules[i].key,
				 got ? got : "(none)", rules[i].value ? rules[i].value : "(none)");
		const char *w = ovz_conf_n_warnings(c) ? ovz_conf_warning(c, 0) : NULL;
		if (rules[i].warning ? !w || strcmp(w, rules[i].warning) : w != NULL)
			fail_msg("%s: warned '%s', want '%s'", rules[i].text, w ? w : "nothing",
				 rules[i].warning ? rules[i].warning : "nothing");
		assert_text(c, rules[i].text);	/* every byte kept */
		ovz_conf_free(c);
	}
}

/* What ovz_conf_set writes, vzctl's rules read back as it was. */
static void test_set_escapes_for_vzctl(void **state)
{
	struct ovz_conf *c = ovz_conf_new();
	ovz_conf_set(c, "D", "a \"q\" b\\c \\012");
	assert_text(c, "D=\"a \\\"q\\\" b\\\\c \\\\012\"\n");
	char *text = ovz_conf_format(c, NULL);
	struct ovz_conf *back = parse_ok(text);
	assert_string_equal(ovz_conf_get(back, "D"), "a \"q\" b\\c \\012");
	free(text);
	ovz_conf_free(back);
	ovz_conf_free(c);
}

/* vzctl reads a line as a C string: a NUL ends it; the bytes are kept. */
static void test_nul_and_size(void **state)
{
	struct ovz_conf *c = NULL;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_conf_parse("A=1\nB=\"x\0y\"\n", 10, "t.conf", &c, &e), 0);
	assert_string_equal(ovz_conf_get(c, "A"), "1");
	assert_null(ovz_conf_get(c, "B"));	/* B="x: unmatched quotes */
	size_t len;
	char *text = ovz_conf_format(c, &len);
	assert_int_equal(len, 10);
	assert_memory_equal(text, "A=1\nB=\"x\0y\"\n", 10);
	free(text);
	ovz_conf_free(c);

	size_t big = 1024 * 1024 + 1;
	char *buf = malloc(big);
	memset(buf, '#', big);
	c = NULL;
	assert_int_equal(ovz_conf_parse(buf, big, "t.conf", &c, &e), -EFBIG);
	assert_non_null(strstr(ovz_error_message(e), "larger than"));
	ovz_error_free(e);
	assert_null(c);
	free(buf);
}

static void test_load_missing(void **state)
{
	char *dir = tu_mkdtemp();
	char *path = NULL;
	path = xasprintf("%s/none.conf", dir);
	struct ovz_conf *c = NULL;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_conf_load(path, &c, &e), -ENOENT);
	assert_non_null(strstr(ovz_error_message(e), "none.conf"));
	ovz_error_free(e);
	free(path);
	tu_rmrf(dir);
	free(dir);
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_save_atomic(void **state)
{
	char *dir = tu_mkdtemp();
	char *path = NULL;
	path = xasprintf("%s/101.conf", dir);
	tu_write(path, "# old\nA=1\n");
	struct ovz_conf *c = NULL;
	assert_int_equal(ovz_conf_load(path, &c, NULL), 0);
	ovz_conf_set(c, "B", "2");
	assert_int_equal(ovz_conf_save(c, path, NULL), 0);
	char *text = tu_read(path);
	assert_string_equal(text, "# old\nA=1\nB=\"2\"\n");
	free(text);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(count_entries(dir), 1);	/* no temp file left */

	/* rename over a directory fails after the temp file exists */
	char *sub = NULL;
	sub = xasprintf("%s/dir.conf", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	struct ovz_error *e = NULL;
	assert_true(ovz_conf_save(c, sub, &e) < 0);
	assert_non_null(strstr(ovz_error_message(e), "dir.conf"));
	ovz_error_free(e);
	assert_int_equal(count_entries(dir), 2);

	ovz_conf_free(c);
	free(sub);
	free(path);
	tu_rmrf(dir);
	free(dir);
}

/* A directory the temp file cannot be created in: nothing changes.  Root
 * ignores permissions, so there a missing directory stands in. */
static void test_save_unwritable_dir(void **state)
{
	char *dir = tu_mkdtemp();
	char *path = xasprintf("%s/101.conf", dir);
	char *missing = xasprintf("%s/none/101.conf", dir);
	tu_write(path, "A=1\n");
	struct ovz_conf *c = parse_ok("A=2\n");
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_conf_save(c, missing, &e), -ENOENT);
	assert_non_null(strstr(ovz_error_message(e), "none/101.conf"));
	ovz_error_free(e);
	e = NULL;
	if (!tu_is_root()) {
		assert_int_equal(chmod(dir, 0555), 0);
		assert_int_equal(ovz_conf_save(c, path, &e), -EACCES);
		ovz_error_free(e);
		assert_int_equal(chmod(dir, 0755), 0);
	}
	assert_int_equal(count_entries(dir), 1);
	char *text = tu_read(path);
	assert_string_equal(text, "A=1\n");
	free(text);
	ovz_conf_free(c);
	free(missing);
	free(path);
	tu_rmrf(dir);
	free(dir);
}

static void test_data_file_roundtrip(void **state)
{
	const char *names[] = { "conf/vzctl-ubc.conf", "conf/vswap-ct.conf" };
	for (size_t i = 0; i < 2; i++) {
		char *path = tu_data(names[i]);
		char *want = tu_read(path);
		assert_non_null(want);
		struct ovz_conf *c = NULL;
		struct ovz_error *e = NULL;
		if (ovz_conf_load(path, &c, &e) < 0)
			fail_msg("%s", ovz_error_message(e));
		assert_text(c, want);
		ovz_conf_free(c);
		free(want);
		free(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_keeps_every_byte),
		cmocka_unit_test(test_get_values),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_set_replaces_in_place),
		cmocka_unit_test(test_set_appends_at_end),
		cmocka_unit_test(test_set_same_value_keeps_line),
		cmocka_unit_test(test_set_value_stays_on_one_line),
		cmocka_unit_test(test_unset_removes_every_assignment),
		cmocka_unit_test(test_next_key_in_file_order),
		cmocka_unit_test(test_uuid_comment),
		cmocka_unit_test(test_vzctl_rules),
		cmocka_unit_test(test_set_escapes_for_vzctl),
		cmocka_unit_test(test_nul_and_size),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_save_atomic),
		cmocka_unit_test(test_save_unwritable_dir),
		cmocka_unit_test(test_data_file_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
