/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the test programs (never linked into the library). */
#ifndef OVZ_TESTUTIL_H
#define OVZ_TESTUTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/* Creates a fresh directory under $TMPDIR (or /tmp); caller frees. */
char *tu_mkdtemp(void);
/* rm -rf without following symlinks; ignores a missing path. */
void tu_rmrf(const char *path);
/* Writes a file, creating parent directories. */
void tu_write(const char *path, const char *content);
/* Reads a file or returns NULL. */
char *tu_read(const char *path);
bool tu_exists(const char *path);
/* Path of a file in tests/data. */
char *tu_data(const char *name);

struct tu_run {
	int status;	/* exit code, or 128+signal */
	char *out;
	char *err;
};
/* Runs the built ovz-native binary with --root ROOT and the given NULL
 * terminated arguments; stdin is /dev/null unless in is non-NULL. */
struct tu_run tu_cli(const char *root, const char *in, ...);
/* Runs argv (argv[0] looked up in PATH when it has no slash). */
struct tu_run tu_runv(char *const argv[], const char *in);
void tu_run_free(struct tu_run *r);

bool tu_is_root(void);
/* Prints the reason and skips the current cmocka test. */
#define TU_SKIP(...) do { print_message("SKIP: " __VA_ARGS__); print_message("\n"); skip(); } while (0)

#endif
