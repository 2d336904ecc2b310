// SPDX-License-Identifier: LGPL-2.1-or-later
/* The shared library's ABI: the functions it exports (read from its ELF
 * dynamic symbol table), the version script and the public header must
 * name exactly the same set, and every name starts with ovz_.  Internal
 * functions, which are also called ovz_*, must stay local. */
#include "testutil.h"

#include <ovz-native/ovz.h>

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct names {
	char **v;
	size_t n;
};

static void add(struct names *s, const char *name, size_t len)
{
	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = strndup(name, len);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_unique(struct names *s)
{
	qsort(s->v, s->n, sizeof(*s->v), cmp);
	size_t out = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (out && strcmp(s->v[out - 1], s->v[i]) == 0) {
			free(s->v[i]);
			continue;
		}
		s->v[out++] = s->v[i];
	}
	s->n = out;
}

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static char *source_file(const char *rel)
{
	const char *top = getenv("OVZ_SOURCE_ROOT");
	assert_non_null(top);
	char *p;
	assert_true(asprintf(&p, "%s/%s", top, rel) > 0);
	char *text = tu_read(p);
	if (!text)
		fail_msg("cannot read '%s'", p);
	free(p);
	return text;
}

/* Every match of the regex's first group, line by line. */
static struct names grep(const char *text, const char *pattern)
{
	regex_t re;
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE), 0);
	struct names s = { 0 };
	regmatch_t m[2];
	for (const char *p = text; regexec(&re, p, 2, m, p == text ? 0 : REG_NOTBOL) == 0;
	     p += m[0].rm_eo)
		add(&s, p + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
	regfree(&re);
	sort_unique(&s);
	return s;
}

static int find_library(struct dl_phdr_info *info, size_t size, void *data)
{
	if (!strstr(info->dlpi_name, "/libovz-native.so"))
		return 0;
	*(const char **)data = info->dlpi_name;
	return 1;
}

/* The file the loaded library came from (this program links it). */
static const char *library_path(void)
{
	const char *path = NULL;
	ovz_version();
	dl_iterate_phdr(find_library, &path);
	assert_non_null(path);
	return path;
}

/* Defined global and weak symbols of .dynsym; also checks each is a function. */
static struct names exported(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	rewind(f);
	unsigned char *buf = malloc((size_t)size);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
	assert_int_equal(memcmp(eh->e_ident, ELFMAG, SELFMAG), 0);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64) {
		free(buf);
		TU_SKIP("reads 64-bit ELF only");
	}
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(buf + eh->e_shoff);
	struct names s = { 0 };
	for (size_t i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		const Elf64_Sym *sym = (const Elf64_Sym *)(buf + sh[i].sh_offset);
		const char *str = (const char *)(buf + sh[sh[i].sh_link].sh_offset);
		size_t n = sh[i].sh_size / sizeof(*sym);
		for (size_t j = 1; j < n; j++) {
			int bind = ELF64_ST_BIND(sym[j].st_info);
			if (sym[j].st_shndx == SHN_UNDEF || sym[j].st_shndx == SHN_ABS ||
			    (bind != STB_GLOBAL && bind != STB_WEAK))
				continue;	/* imports, and the version node */
			const char *name = str + sym[j].st_name;
			if (ELF64_ST_TYPE(sym[j].st_info) != STT_FUNC)
				fail_msg("exported '%s' is not a function", name);
			add(&s, name, strlen(name));
		}
	}
	free(buf);
	sort_unique(&s);
	return s;
}

static void assert_same(const struct names *a, const char *what_a, const struct names *b,
			const char *what_b)
{
	size_t i = 0, j = 0;
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i], b->v[j]);
		if (c < 0)
			fail_msg("'%s' is in %s but not in %s", a->v[i], what_a, what_b);
		if (c > 0)
			fail_msg("'%s' is in %s but not in %s", b->v[j], what_b, what_a);
		i++;
		j++;
	}
}

static void test_only_ovz_symbols(void **state)
{
	struct names lib = exported(library_path());
	assert_true(lib.n > 50);
	for (size_t i = 0; i < lib.n; i++)
		if (strncmp(lib.v[i], "ovz_", 4) != 0)
			fail_msg("the library exports '%s'", lib.v[i]);
	names_free(&lib);
}

static void test_library_matches_version_script(void **state)
{
	char *sym = source_file("src/lib/libovz-native.sym");
	struct names script = grep(sym, "^[ \t]+(ovz_[a-z0-9_]+);");
	assert_non_null(strstr(sym, "local:\n\t*;"));
	struct names lib = exported(library_path());
	assert_same(&lib, "the library", &script, "libovz-native.sym");
	names_free(&lib);
	names_free(&script);
	free(sym);
}

static void test_header_matches_version_script(void **state)
{
	char *header = source_file("include/ovz-native/ovz.h");
	char *sym = source_file("src/lib/libovz-native.sym");
	/* declarations start a line; comments and continuations do not */
	struct names decl = grep(header, "^[a-z][^(]*[ *](ovz_[a-z0-9_]+)\\(");
	struct names script = grep(sym, "^[ \t]+(ovz_[a-z0-9_]+);");
	assert_same(&decl, "ovz.h", &script, "libovz-native.sym");
	names_free(&decl);
	names_free(&script);
	free(header);
	free(sym);
}

/* Internal functions keep their ovz_ names but must not leak out. */
static void test_internal_names_hidden(void **state)
{
	void *self = dlopen(library_path(), RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(self);
	static const char *const internal[] = { "ovz_host_open", "ovz_ct_start",
						"ovz_xml_parse", "ovz_plan_compile", "xmalloc" };
	for (size_t i = 0; i < sizeof(internal) / sizeof(internal[0]); i++)
		if (dlsym(self, internal[i]))
			fail_msg("'%s' is visible", internal[i]);
	assert_non_null(dlsym(self, "ovz_host_new"));
	dlclose(self);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_ovz_symbols),
		cmocka_unit_test(test_library_matches_version_script),
		cmocka_unit_test(test_header_matches_version_script),
		cmocka_unit_test(test_internal_names_hidden),
	};
	return cmocka_run_group_tests_name("exports", tests, NULL, NULL);
}
