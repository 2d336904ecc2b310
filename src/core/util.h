/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers shared by every module: allocation that cannot fail
 * (out of memory aborts; there is no OOM error path), a growable string,
 * string vectors, whole-file reads and atomic writes. */
#ifndef OVZ_CORE_UTIL_H
#define OVZ_CORE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_strv_ _cleanup_(strv_freep)

_Noreturn void oom(void);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) OVZ_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) OVZ_PRINTF(1, 0);

void freep(void *p);
void closep(int *fd);

struct strbuf {
	char *buf;
	size_t len, cap;
};
#define STRBUF_INIT { NULL, 0, 0 }
void strbuf_putn(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) OVZ_PRINTF(2, 3);
/* Returns the NUL terminated buffer (never NULL) and resets sb. */
char *strbuf_steal(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);

/* Appends s as a JSON string literal (quotes, escapes); NULL gives null. */
void strbuf_put_json_string(struct strbuf *sb, const char *s);

/* NULL terminated string vectors. */
size_t strv_len(char *const *v);
void strv_push(char ***v, char *s);	/* takes ownership of s */
bool strv_contains(char *const *v, const char *s);
void strv_free(char **v);
void strv_freep(char ***v);
char **strv_copy(char *const *v);
/* Splits on any of seps, skipping empty fields. */
char **strv_split(const char *s, const char *seps);
char *strv_join(char *const *v, const char *sep);

bool str_startswith(const char *s, const char *prefix);
/* Parses a whole decimal string into an unsigned 64-bit value. */
int parse_u64(const char *s, uint64_t *out);

/* Reads a whole file at dirfd/path (AT_FDCWD allowed); NUL terminated. */
int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
		 struct ovz_error **err);
/* write(2) until all of data is written (EINTR retried); -errno. */
int write_all(int fd, const char *data, size_t len);
/* Writes path via a temporary file in the same directory, fsync, rename. */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
		      struct ovz_error **err);
/* mkdir -p with the given mode for the directories it creates. */
int mkdir_p(const char *path, mode_t mode, struct ovz_error **err);
/* Closes every descriptor from 3 up but the n in keep: close_range where
 * the kernel has it (5.9), else each fd that /proc/self/fd lists, else
 * each below RLIMIT_NOFILE.  For a process about to enter a container. */
void fds_close_except(const int *keep, size_t n);

/* Field 22 of /proc/PID/stat (start time in clock ticks after boot), or -1
 * when the process does not exist.  With the pid it names one process
 * across pid reuse. */
long long proc_start_ticks(pid_t pid);

/* Waits up to timeout_ms (-1: no limit) for pid to exit and reaps it when
 * it is a child of ours; true when it is gone.  A pidfd where the kernel
 * has one (5.3), else a look every 50 ms. */
bool wait_pid_exit(pid_t pid, int timeout_ms);

/* The device number of the calling process's controlling terminal, 0 when
 * it has none: TIOCGDEV on /dev/tty, or where the kernel lacks that ioctl
 * (042stab's 2.6.32) field 7 of /proc/self/stat, tty_nr. */
dev_t ctty_dev(void);

/* Joins a root prefix and an absolute path: ("/tmp/r", "/etc/vz") -> "/tmp/r/etc/vz". */
char *path_join(const char *root, const char *path);

#endif
