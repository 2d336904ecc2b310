// SPDX-License-Identifier: LGPL-2.1-or-later
/* Every input the XML reader must refuse, with its exact one-line message.
 * Most cases are files in tests/data/xml/reject/, each starting with
 * "<!-- expect: MESSAGE -->"; a new case is a new file.  The rest need
 * inputs a file with a comment cannot hold (empty, huge, endless). */
#include "testutil.h"

#include "core/util.h"
#include "xml/xml.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *expected_message(const char *text)
{
	const char *start = strstr(text, "<!-- expect: ");
	assert_non_null(start);
	start += strlen("<!-- expect: ");
	const char *end = strstr(start, " -->");
	assert_non_null(end);
	return xstrndup(start, (size_t)(end - start));
}

/* Parses buf under the given file name and returns the error message. */
static char *reject(const char *buf, size_t len, const char *name)
{
	struct ovz_domain *d = NULL;
	struct ovz_error *e = NULL;
	int r = ovz_xml_parse(buf, len, name, &d, &e);
	if (r == 0)
		fail_msg("%s was accepted", name);
	assert_int_equal(r, -EINVAL);
	assert_null(d);
	assert_non_null(e);
	char *msg = xstrdup(ovz_error_message(e));
	ovz_error_free(e);
	assert_null(strchr(msg, '\n'));
	return msg;
}

static void test_reject_file(void **state)
{
	const char *name = *state;
	_cleanup_free_ char *rel = xasprintf("xml/reject/%s", name);
	_cleanup_free_ char *path = tu_data(rel);
	_cleanup_free_ char *text = tu_read(path);
	assert_non_null(text);
	_cleanup_free_ char *want = expected_message(text);
	_cleanup_free_ char *got = reject(text, strlen(text), name);
	assert_string_equal(got, want);
}

static void test_empty(void **state)
{
	_cleanup_free_ char *a = reject("", 0, "empty.xml");
	assert_string_equal(a, "empty.xml: xml: the document is empty");
	_cleanup_free_ char *b = reject("\n  \n", 4, "blank.xml");
	assert_string_equal(b, "blank.xml:3: xml: the document is empty");
}

static void test_empty_file(void **state)
{
	_cleanup_free_ char *dir = tu_mkdtemp();
	_cleanup_free_ char *path = path_join(dir, "/empty.xml");
	tu_write(path, "");
	struct ovz_domain *d = NULL;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_xml_parse_file(path, &d, &e), -EINVAL);
	_cleanup_free_ char *want = xasprintf("%s: xml: the document is empty", path);
	assert_string_equal(ovz_error_message(e), want);
	ovz_error_free(e);
	tu_rmrf(dir);
}

static void test_file_name_in_message(void **state)
{
	_cleanup_free_ char *path = tu_data("xml/reject/vcpu-zero.xml");
	struct ovz_domain *d = NULL;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_xml_parse_file(path, &d, &e), -EINVAL);
	_cleanup_free_ char *want = xasprintf("%s:3: vcpu: must not be 0 (0)", path);
	assert_string_equal(ovz_error_message(e), want);
	ovz_error_free(e);
}

static void test_missing_file(void **state)
{
	struct ovz_domain *d = NULL;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_xml_parse_file("/nonexistent/x.xml", &d, &e), -ENOENT);
	assert_string_equal(ovz_error_message(e), "open '/nonexistent/x.xml': No such file or directory");
	ovz_error_free(e);
}

static void test_oversized_buffer(void **state)
{
	size_t len = OVZ_XML_MAX_SIZE + 1;
	char *buf = xmalloc(len);
	memset(buf, ' ', len);
	_cleanup_free_ char *msg = reject(buf, len, "big.xml");
	assert_string_equal(msg, "big.xml: xml: is larger than the limit of 1048576 bytes");
	free(buf);
}

/* A sparse 1 GiB file: refused from its size, never read. */
static void test_oversized_file(void **state)
{
	_cleanup_free_ char *dir = tu_mkdtemp();
	_cleanup_free_ char *path = path_join(dir, "/big.xml");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1L << 30), 0);
	close(fd);
	struct ovz_domain *d = NULL;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_xml_parse_file(path, &d, &e), -EINVAL);
	_cleanup_free_ char *want = xasprintf("%s: xml: is larger than the limit of 1048576 bytes", path);
	assert_string_equal(ovz_error_message(e), want);
	ovz_error_free(e);
	tu_rmrf(dir);
}

/* A file of one byte more than the limit that is not a regular file: the
 * read stops at the limit. */
static void test_endless_input(void **state)
{
	struct ovz_domain *d = NULL;
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_xml_parse_file("/dev/zero", &d, &e), -EINVAL);
	assert_string_equal(ovz_error_message(e),
			    "/dev/zero: xml: is larger than the limit of 1048576 bytes");
	ovz_error_free(e);
}

static void test_no_file_content_leaks(void **state)
{
	static const char *const files[] = { "doctype-xxe.xml", "external-dtd.xml",
					     "billion-laughs.xml", "xinclude.xml" };
	_cleanup_free_ char *passwd = tu_read("/etc/passwd");
	const char *first_line = passwd ? strtok(passwd, "\n") : NULL;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *rel = xasprintf("xml/reject/%s", files[i]);
		_cleanup_free_ char *path = tu_data(rel);
		_cleanup_free_ char *text = tu_read(path);
		_cleanup_free_ char *msg = reject(text, strlen(text), files[i]);
		assert_null(strstr(msg, "root:"));
		if (first_line)
			assert_null(strstr(msg, first_line));
	}
}

/* Values are cut to 64 bytes, control characters escaped. */
static void test_value_sanitized(void **state)
{
	_cleanup_free_ char *long_name = xasprintf(
		"<domain type='openvz'><name>%0200d</name></domain>", 7);
	_cleanup_free_ char *a = reject(long_name, strlen(long_name), "x.xml");
	assert_string_equal(a, "x.xml:1: name: is longer than 64 bytes ("
			       "0000000000000000000000000000000000000000000000000000000000000000...)");
	const char *tab = "<domain type='openvz'><name>a\tb</name></domain>";
	_cleanup_free_ char *b = reject(tab, strlen(tab), "x.xml");
	assert_string_equal(b, "x.xml:1: name: contains whitespace (a\\x09b)");
	const char *nl = "<domain type='openvz'><uuid>a\nb</uuid></domain>";
	_cleanup_free_ char *c = reject(nl, strlen(nl), "x.xml");
	assert_non_null(strstr(c, "(a\\x0ab)"));
	/* not cut inside a UTF-8 sequence: 63 ASCII bytes, then a 2-byte é */
	_cleanup_free_ char *utf = xasprintf(
		"<domain type='openvz'><name>%063d\xc3\xa9/x</name></domain>", 0);
	_cleanup_free_ char *d = reject(utf, strlen(utf), "x.xml");
	_cleanup_free_ char *want = xasprintf("(%063d...)", 0);
	assert_non_null(strstr(d, want));
}

static void test_line_above_65535(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, "<domain type='openvz'>");
	for (int i = 0; i < 70000; i++)
		strbuf_putc(&sb, '\n');
	strbuf_puts(&sb, "<vcpu>0</vcpu></domain>");
	_cleanup_free_ char *doc = strbuf_steal(&sb);
	_cleanup_free_ char *msg = reject(doc, strlen(doc), "x.xml");
	assert_string_equal(msg, "x.xml:70001: vcpu: must not be 0 (0)");
}

/* 60k attributes in 1 MiB took libxml2 2.9 35 s (quadratic); the counts
 * are bounded before it parses anything. */
static void test_attribute_bomb(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, "<domain type='openvz'\n");
	for (int i = 0; i < 60000 && sb.len < OVZ_XML_MAX_SIZE - 100; i++)
		strbuf_printf(&sb, " a%d='x'", i);
	strbuf_puts(&sb, "/>");
	_cleanup_free_ char *doc = strbuf_steal(&sb);
	_cleanup_free_ char *msg = reject(doc, strlen(doc), "x.xml");
	assert_string_equal(msg, "x.xml:1: xml: an element has more than 64 attributes");
	/* 64 are counted, not refused; '=' in values and comments do not count */
	struct strbuf ok = STRBUF_INIT;
	strbuf_puts(&ok, "<domain type='openvz' x='a=b=c'><!-- a=b --><vcpu");
	for (int i = 0; i < 63; i++)
		strbuf_printf(&ok, " a%d='x'", i);
	strbuf_puts(&ok, ">0</vcpu></domain>");
	_cleanup_free_ char *doc2 = strbuf_steal(&ok);
	_cleanup_free_ char *msg2 = reject(doc2, strlen(doc2), "y.xml");
	assert_null(strstr(msg2, "more than"));
}

static void test_element_bomb(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, "<domain type='openvz'>\n<devices>\n");
	for (int i = 0; i < 60000; i++)
		strbuf_puts(&sb, "<x/>");
	strbuf_puts(&sb, "</devices></domain>");
	_cleanup_free_ char *doc = strbuf_steal(&sb);
	_cleanup_free_ char *msg = reject(doc, strlen(doc), "x.xml");
	assert_string_equal(msg, "x.xml:3: xml: the document has more than 10000 elements");
}

/* The library never prints: libxml2 errors all end up in the message. */
static void test_nothing_printed(void **state)
{
	_cleanup_free_ char *dir = tu_mkdtemp();
	_cleanup_free_ char *log = path_join(dir, "/stderr");
	fflush(stderr);
	int saved = dup(2);
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	_cleanup_free_ char *rdir = tu_data("xml/reject");
	DIR *dh = opendir(rdir);
	assert_non_null(dh);
	for (struct dirent *de; (de = readdir(dh));) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *path = path_join(rdir, de->d_name);
		struct ovz_domain *d = NULL;
		assert_int_equal(ovz_xml_parse_file(path, &d, NULL), -EINVAL);
	}
	closedir(dh);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	_cleanup_free_ char *printed = tu_read(log);
	assert_string_equal(printed, "");
	tu_rmrf(dir);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct CMUnitTest *)a)->name, ((const struct CMUnitTest *)b)->name);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_file_name_in_message),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_oversized_buffer),
		cmocka_unit_test(test_oversized_file),
		cmocka_unit_test(test_endless_input),
		cmocka_unit_test(test_no_file_content_leaks),
		cmocka_unit_test(test_value_sanitized),
		cmocka_unit_test(test_line_above_65535),
		cmocka_unit_test(test_nothing_printed),
		cmocka_unit_test(test_attribute_bomb),
		cmocka_unit_test(test_element_bomb),
	};
	size_t n = ARRAY_SIZE(fixed), cap = n + 128;
	struct CMUnitTest *tests = xcalloc(cap, sizeof(*tests));
	memcpy(tests, fixed, sizeof(fixed));
	_cleanup_free_ char *dir = tu_data("xml/reject");
	DIR *dh = opendir(dir);
	if (!dh) {
		fprintf(stderr, "cannot open '%s'\n", dir);
		return 1;
	}
	for (struct dirent *de; (de = readdir(dh));) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".xml") != 0)
			continue;
		if (n == cap)
			tests = xrealloc(tests, (cap *= 2) * sizeof(*tests));
		char *name = xstrdup(de->d_name);
		tests[n++] = (struct CMUnitTest){ .name = name, .test_func = test_reject_file,
						  .initial_state = name };
	}
	closedir(dh);
	qsort(tests + ARRAY_SIZE(fixed), n - ARRAY_SIZE(fixed), sizeof(*tests), by_name);
	int r = _cmocka_run_group_tests("xml-reject", tests, n, NULL, NULL);
	for (size_t i = ARRAY_SIZE(fixed); i < n; i++)
		free((void *)tests[i].initial_state);
	free(tests);
	return r;
}
