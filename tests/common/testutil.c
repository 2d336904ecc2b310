// SPDX-License-Identifier: LGPL-2.1-or-later
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *tu_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char *p;
	if (asprintf(&p, "%s/ovz-test.XXXXXX", base && *base ? base : "/tmp") < 0)
		abort();
	if (!mkdtemp(p))
		abort();
	return p;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

void tu_rmrf(const char *path)
{
	if (path)
		nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static void mkparents(const char *path)
{
	char *p = strdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	free(p);
}

void tu_write(const char *path, const char *content)
{
	mkparents(path);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

char *tu_read(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

bool tu_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

char *tu_data(const char *name)
{
	const char *dir = getenv("OVZ_TEST_DATA");
	char *p;
	if (asprintf(&p, "%s/%s", dir ? dir : "tests/data", name) < 0)
		abort();
	return p;
}

static char *drain(int fd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		fwrite(chunk, 1, (size_t)n, m);
	fclose(m);
	return buf;
}

struct tu_run tu_runv(char *const argv[], const char *in)
{
	int out[2], err[2], inp[2];
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(inp, O_CLOEXEC))
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		dup2(inp[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (strchr(argv[0], '/'))
			execv(argv[0], argv);
		else
			execvp(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	close(inp[0]);
	if (in)
		(void)!write(inp[1], in, strlen(in));
	close(inp[1]);
	/* stdout and stderr are small in tests; read stderr after stdout. */
	struct tu_run r = { 0 };
	r.out = drain(out[0]);
	r.err = drain(err[0]);
	close(out[0]);
	close(err[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return r;
}

struct tu_run tu_cli(const char *root, const char *in, ...)
{
	const char *bin = getenv("OVZ_BIN");
	char *argv[64];
	int n = 0;
	argv[n++] = (char *)(bin ? bin : "ovz-native");
	if (root) {
		argv[n++] = (char *)"--root";
		argv[n++] = (char *)root;
	}
	va_list ap;
	va_start(ap, in);
	char *a;
	while ((a = va_arg(ap, char *)) && n < 63)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return tu_runv(argv, in);
}

void tu_run_free(struct tu_run *r)
{
	free(r->out);
	free(r->err);
}

bool tu_is_root(void)
{
	return geteuid() == 0;
}
