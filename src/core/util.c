// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

_Noreturn void oom(void)
{
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		oom();
	return d;
}

char *xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);
	if (!d)
		oom();
	return d;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void freep(void *p)
{
	free(*(void **)p);
}

void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static void strbuf_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	sb->buf = xrealloc(sb->buf, cap);
	sb->cap = cap;
}

void strbuf_putn(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s)
{
	strbuf_putn(sb, s, strlen(s));
}

void strbuf_putc(struct strbuf *sb, char c)
{
	strbuf_putn(sb, &c, 1);
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	strbuf_grow(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

char *strbuf_steal(struct strbuf *sb)
{
	char *s = sb->buf ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

void strbuf_put_json_string(struct strbuf *sb, const char *s)
{
	if (!s) {
		strbuf_puts(sb, "null");
		return;
	}
	strbuf_putc(sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': strbuf_puts(sb, "\\\""); break;
		case '\\': strbuf_puts(sb, "\\\\"); break;
		case '\n': strbuf_puts(sb, "\\n"); break;
		case '\t': strbuf_puts(sb, "\\t"); break;
		case '\r': strbuf_puts(sb, "\\r"); break;
		default:
			if (*p < 0x20)
				strbuf_printf(sb, "\\u%04x", *p);
			else
				strbuf_putc(sb, (char)*p);
		}
	}
	strbuf_putc(sb, '"');
}

size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void strv_push(char ***v, char *s)
{
	size_t n = strv_len(*v);
	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = s;
	(*v)[n + 1] = NULL;
}

bool strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void strv_freep(char ***v)
{
	strv_free(*v);
}

char **strv_copy(char *const *v)
{
	char **c = NULL;
	for (size_t i = 0; v && v[i]; i++)
		strv_push(&c, xstrdup(v[i]));
	return c;
}

char **strv_split(const char *s, const char *seps)
{
	char **v = NULL;
	while (s && *s) {
		s += strspn(s, seps);
		size_t n = strcspn(s, seps);
		if (n)
			strv_push(&v, xstrndup(s, n));
		s += n;
	}
	return v;
}

char *strv_join(char *const *v, const char *sep)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; v && v[i]; i++) {
		if (i)
			strbuf_puts(&sb, sep);
		strbuf_puts(&sb, v[i]);
	}
	return strbuf_steal(&sb);
}

bool str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	uint64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
		 struct ovz_error **err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ovz_error_sys(err, errno, "open '%s'", path);
	struct strbuf sb = STRBUF_INIT;
	strbuf_grow(&sb, 4096);
	for (;;) {
		if (sb.len > max) {
			strbuf_release(&sb);
			return ovz_error_set(err, EFBIG, "'%s' is larger than %zu bytes", path, max);
		}
		strbuf_grow(&sb, 4096);
		ssize_t n = read(fd, sb.buf + sb.len, sb.cap - sb.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			strbuf_release(&sb);
			return ovz_error_sys(err, e, "read '%s'", path);
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
	}
	sb.buf[sb.len] = '\0';
	if (len)
		*len = sb.len;
	*out = sb.buf;
	return 0;
}

int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static bool fd_kept(int fd, const int *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

/* Without close_range: the fds /proc/self/fd lists (collected first, since
 * closing changes the directory), or every number below the limit. */
static void close_each(const int *keep, size_t n)
{
	int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		struct rlimit rl;
		int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (1 << 20)
				  ? (int)rl.rlim_cur : 1 << 20;
		for (int fd = 3; fd < max; fd++)
			if (!fd_kept(fd, keep, n))
				close(fd);
		return;
	}
	int *fds = NULL;
	size_t nfds = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (fd >= 3 && fd != dfd && !fd_kept(fd, keep, n)) {
			fds = xrealloc(fds, (nfds + 1) * sizeof(*fds));
			fds[nfds++] = fd;
		}
	}
	closedir(d);
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	free(fds);
}

void fds_close_except(const int *keep, size_t n)
{
	unsigned lo = 3;
	for (;;) {
		unsigned next = UINT_MAX;	/* the lowest kept fd from lo up */
		for (size_t i = 0; i < n; i++)
			if (keep[i] >= 0 && (unsigned)keep[i] >= lo && (unsigned)keep[i] < next)
				next = (unsigned)keep[i];
		if (next > lo && syscall(SYS_close_range, lo, next - 1, 0) < 0) {
			close_each(keep, n);
			return;
		}
		if (next == UINT_MAX)
			return;
		lo = next + 1;
	}
}

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
		      struct ovz_error **err)
{
	_cleanup_free_ char *tmp = xasprintf("%s.XXXXXX", path);
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return ovz_error_sys(err, errno, "create temporary file for '%s'", path);
	int r = write_all(fd, data, len);
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return ovz_error_sys(err, -r, "write '%s'", path);
	}
	return 0;
}

int mkdir_p(const char *path, mode_t mode, struct ovz_error **err)
{
	_cleanup_free_ char *p = xstrdup(path);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return ovz_error_sys(err, errno, "mkdir '%s'", p);
		*s = c;
		if (!c)
			break;
	}
	struct stat st;
	if (stat(path, &st) < 0)
		return ovz_error_sys(err, errno, "stat '%s'", path);
	if (!S_ISDIR(st.st_mode))
		return ovz_error_set(err, ENOTDIR, "'%s' is not a directory", path);
	return 0;
}

char *path_join(const char *root, const char *path)
{
	size_t rl = strlen(root);
	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	while (*path == '/')
		path++;
	if (rl == 0)
		return xasprintf("/%s", path);
	return xasprintf("%.*s/%s", (int)rl, root, path);
}

long long proc_start_ticks(pid_t pid)
{
	char path[64], *buf = NULL;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid <= 0 || read_file_at(AT_FDCWD, path, 4096, &buf, NULL, NULL) < 0)
		return -1;
	/* comm may hold spaces and parens: fields resume after the last ')' */
	char *p = strrchr(buf, ')');
	unsigned long long start = 0;
	int ok = p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d "
				 "%*d %*d %*d %*d %*d %llu", &start) == 1;
	free(buf);
	return ok ? (long long)start : -1;
}

static bool reaped_or_gone(pid_t pid)
{
	if (waitpid(pid, NULL, WNOHANG) == pid)
		return true;
	return kill(pid, 0) < 0 && errno == ESRCH;
}

bool wait_pid_exit(pid_t pid, int timeout_ms)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		int r;
		while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
			;
		close(pfd);
		if (r > 0)
			waitpid(pid, NULL, WNOHANG);
		return r > 0;
	}
	if (errno == ESRCH)
		return true;
	for (int waited = 0;; waited += 50) {	/* before 5.3 */
		if (reaped_or_gone(pid))
			return true;
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return false;
		struct timespec t = { 0, 50 * 1000000L };
		nanosleep(&t, NULL);
	}
}

static dev_t tty_nr_dev(void)
{
	_cleanup_free_ char *stat = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/stat", 4096, &stat, NULL, NULL) < 0)
		return 0;
	const char *p = strrchr(stat, ')');	/* the command name may hold anything */
	char state;
	long long ppid, pgrp, session, tty_nr;
	if (!p || sscanf(p + 1, " %c %lld %lld %lld %lld", &state, &ppid, &pgrp, &session,
			 &tty_nr) != 5)
		return 0;
	unsigned long long nr = (unsigned long long)tty_nr;
	return makedev((nr >> 8) & 0xfff, (nr & 0xff) | ((nr >> 12) & 0xfff00));
}

dev_t ctty_dev(void)
{
	_cleanup_close_ int fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	unsigned int dev = 0;
	if (ioctl(fd, TIOCGDEV, &dev) == 0)
		return makedev((dev >> 8) & 0xfff, (dev & 0xff) | ((dev >> 12) & 0xfff00));
	return tty_nr_dev();
}
