// SPDX-License-Identifier: LGPL-2.1-or-later
/* Libraries loaded on first use: what a missing one reports, and that
 * libxml2, libarchive and the decompressors are mapped only once XML or an
 * archive is read. */
#include "testutil.h"

#include "core/dl.h"
#include "core/seccomp.h"
#include "core/util.h"
#include "fs/extract.h"
#include "net/nftables.h"
#include "xml/xml.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct one_sym {
	int (*fn)(void);
};

static void test_missing_library(void **state)
{
	static struct one_sym t;
	static const struct ovz_dl_sym syms[] = { { "nothing", 0 } };
	static struct ovz_dl_lib lib = OVZ_DL_LIB("libovz-no-such-lib.so.9", syms, &t);
	for (int round = 0; round < 2; round++) {
		struct ovz_error *e = NULL;
		assert_int_equal(ovz_dl_load(&lib, &e), -ELIBACC);
		assert_non_null(strstr(ovz_error_message(e),
				       "cannot load 'libovz-no-such-lib.so.9': "));
		ovz_error_free(e);
	}
	assert_null(t.fn);
}

static void test_missing_symbol(void **state)
{
	static struct one_sym t;
	static const struct ovz_dl_sym syms[] = { { "ovz_no_such_symbol", 0 } };
	static struct ovz_dl_lib lib = OVZ_DL_LIB("libc.so.6", syms, &t);
	struct ovz_error *e = NULL;
	assert_int_equal(ovz_dl_load(&lib, &e), -ELIBACC);
	assert_string_equal(ovz_error_message(e), "'libc.so.6' has no symbol 'ovz_no_such_symbol'");
	ovz_error_free(e);
}

static void test_symbols_resolve(void **state)
{
	static struct one_sym t;
	static const struct ovz_dl_sym syms[] = { { "getpid", 0 } };
	static struct ovz_dl_lib lib = OVZ_DL_LIB("libc.so.6", syms, &t);
	assert_int_equal(ovz_dl_load(&lib, NULL), 0);
	assert_int_equal(t.fn(), getpid());
}

static bool mapped(const char *name)
{
	char *maps = tu_read("/proc/self/maps");
	assert_non_null(maps);
	bool found = strstr(maps, name) != NULL;
	free(maps);
	return found;
}

/* One test, in order: nothing loads either library behind our back. */
static void test_loaded_on_first_use(void **state)
{
	assert_false(mapped("/libxml2.so"));
	assert_false(mapped("/libarchive.so"));
	assert_false(mapped("/libzstd.so"));
	assert_false(mapped("/liblzma.so"));
	assert_false(mapped("/libseccomp.so"));
	assert_false(mapped("/libnftnl.so"));

	static const char xml[] = "<domain type='openvz' id='101'><name>a</name></domain>";
	struct ovz_domain *d = NULL;
	assert_int_equal(ovz_xml_parse(xml, strlen(xml), "t.xml", &d, NULL), 0);
	ovz_domain_free(d);
	assert_true(mapped("/libxml2.so"));

	char dir[] = "/tmp/ovz-dl-XXXXXX";
	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *junk = xasprintf("%s/junk.tar", dir);
	int fd = open(junk, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "this is not a tar archive, it is not even 512 bytes", 51), 51);
	int dest = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct ovz_error *e = NULL;
	assert_true(ovz_extract(fd, dest, NULL, NULL, &e) < 0);
	ovz_error_free(e);
	close(dest);
	close(fd);
	unlink(junk);
	rmdir(dir);
	assert_true(mapped("/libarchive.so"));
	assert_true(mapped("/libzstd.so"));
	assert_true(mapped("/liblzma.so"));
	assert_true(mapped("/libdeflate.so"));

	/* built on the host before a process enters a container */
	assert_false(mapped("/libseccomp.so"));
	struct ovz_seccomp f;
	assert_int_equal(ovz_seccomp_build(&f, NULL), 0);
	assert_true(f.len > 0);
	ovz_seccomp_release(&f);
	assert_true(mapped("/libseccomp.so"));

	/* the venet source filter; deleting a table that is not there loads
	 * it too */
	assert_false(mapped("/libnftnl.so"));
	if (geteuid() == 0) {
		assert_int_equal(ovz_nft_venet_delete(-1, 4000000000u, NULL), 0);
		assert_true(mapped("/libnftnl.so"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_symbol),
		cmocka_unit_test(test_symbols_resolve),
		cmocka_unit_test(test_loaded_on_first_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
