// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * torture: does a kernel survive ordinary work?  Run inside the test VM
 * before anything else, so that a kernel (or a kernel build) that cannot
 * grow a heap, keep time, fork or write a file is caught before its
 * misbehaviour is blamed on ovz-native.
 *
 *   torture [-s SECONDS] [-n FORKS] [DIR...]
 *
 * Prints TAP ("ok N - name" / "not ok N - name") and a summary line; exits
 * 0 when every check passed.  Each DIR gets a file I/O check (write, fsync,
 * read back, verify); without DIR, /tmp is used.  Built static (glibc or
 * musl) so it runs in a bare initramfs on a 2.6.32 kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024L * 1024L)
#define PAGE 4096L

static int test_number;
static int failures;
static int only_test;
static char self_path[4096];

/* The raw system call: musl's brk() and sbrk(n) refuse to move the break. */
static unsigned char *sys_brk(void *addr)
{
	return (unsigned char *)syscall(SYS_brk, addr);
}

static unsigned char *heap_end(void)
{
	return sys_brk(NULL);
}

/* Move the break to `end`; the kernel answers with the break it set. */
static int set_heap_end(unsigned char *end)
{
	return sys_brk(end) == end;
}

/* Print why a check failed, as a TAP diagnostic line. */
static void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

/* Whether the next check runs (-t N runs check N alone). */
static int wanted(void)
{
	return only_test == 0 || only_test == test_number + 1;
}

static void skip(const char *name)
{
	test_number++;
	printf("ok %d - %s # SKIP not selected\n", test_number, name);
}

static void report(int passed, const char *name)
{
	test_number++;
	if (!passed)
		failures++;
	printf("%s %d - %s\n", passed ? "ok" : "not ok", test_number, name);
	fflush(stdout);
}

static double monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A byte that depends on the offset and a seed, so misplaced pages show. */
static unsigned char pattern(long offset, unsigned seed)
{
	return (unsigned char)((offset / PAGE) * 31 + offset + seed);
}

static void fill(unsigned char *p, long len, unsigned seed)
{
	for (long i = 0; i < len; i += 512)
		p[i] = pattern(i, seed);
}

static int verify(const unsigned char *p, long len, unsigned seed)
{
	for (long i = 0; i < len; i += 512)
		if (p[i] != pattern(i, seed)) {
			diag("byte %ld is %u, expected %u", i, p[i], pattern(i, seed));
			return 0;
		}
	return 1;
}

/* Grow the heap 1 MiB at a time, touching every page. */
static int heap_grow(long steps)
{
	unsigned char *start = heap_end();

	for (long i = 0; i < steps; i++) {
		unsigned char *chunk = start + i * MIB;

		if (!set_heap_end(chunk + MIB)) {
			diag("brk step %ld refused", i);
			return 0;
		}
		fill(chunk, MIB, (unsigned)i);
	}
	for (long i = 0; i < steps; i++)
		if (!verify(start + i * MIB, MIB, (unsigned)i))
			return 0;
	if (!set_heap_end(start)) {
		diag("brk back to start refused");
		return 0;
	}
	return 1;
}

/* Move the break up and down many times, a page-sized step each. */
static int heap_brk_seesaw(int rounds)
{
	unsigned char *start = heap_end();

	for (int r = 0; r < rounds; r++) {
		long len = (r % 64 + 1) * 16 * PAGE;

		if (!set_heap_end(start + len)) {
			diag("brk up round %d refused", r);
			return 0;
		}
		memset(start, r & 0xff, len);
		if (start[len - 1] != (r & 0xff) || !set_heap_end(start)) {
			diag("brk round %d went wrong", r);
			return 0;
		}
	}
	return 1;
}

/* Many anonymous mappings at once, touched, checked, unmapped in pieces. */
static int mmap_growth(int count, long len)
{
	unsigned char **maps = calloc(count, sizeof(*maps));
	int ok = 1;

	if (!maps)
		return 0;
	for (int i = 0; i < count && ok; i++) {
		maps[i] = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (maps[i] == MAP_FAILED) {
			diag("mmap %d: %s", i, strerror(errno));
			maps[i] = NULL;
			ok = 0;
			break;
		}
		fill(maps[i], len, (unsigned)i + 7);
	}
	for (int i = 0; i < count && ok; i++)
		ok = verify(maps[i], len, (unsigned)i + 7);
	for (int i = 0; i < count; i++) {
		if (!maps[i])
			continue;
		/* first the middle, then the two ends: splits the VMA */
		if (munmap(maps[i] + len / 4, len / 2) != 0 ||
		    munmap(maps[i], len / 4) != 0 ||
		    munmap(maps[i] + 3 * len / 4, len / 4) != 0) {
			diag("munmap %d: %s", i, strerror(errno));
			ok = 0;
		}
	}
	free(maps);
	return ok;
}

/* mremap one mapping bigger and bigger; the content must follow it. */
static int mremap_growth(long steps)
{
	unsigned char *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long len = MIB;

	if (p == MAP_FAILED)
		return 0;
	fill(p, len, 3);
	for (long i = 1; i <= steps; i++) {
		unsigned char *q = mremap(p, len, len + MIB, MREMAP_MAYMOVE);

		if (q == MAP_FAILED) {
			diag("mremap step %ld: %s", i, strerror(errno));
			munmap(p, len);
			return 0;
		}
		p = q;
		len += MIB;
		if (!verify(p, MIB, 3))
			return 0;
	}
	return munmap(p, len) == 0;
}

/* Spin for `seconds` of monotonic time; every clock must only move forward
 * and wall time must keep pace with monotonic time. */
static int busy_clocks(double seconds)
{
	struct timespec prev_mono, prev_real, now;
	time_t t0 = time(NULL), prev_t = t0;
	double start = monotonic_seconds();
	unsigned long iterations = 0;
	volatile unsigned long sink = 0;

	clock_gettime(CLOCK_MONOTONIC, &prev_mono);
	clock_gettime(CLOCK_REALTIME, &prev_real);
	for (;;) {
		for (int i = 0; i < 1000; i++)
			sink += i;
		iterations++;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec < prev_mono.tv_sec ||
		    (now.tv_sec == prev_mono.tv_sec && now.tv_nsec < prev_mono.tv_nsec)) {
			diag("CLOCK_MONOTONIC went back: %ld.%09ld -> %ld.%09ld",
			     (long)prev_mono.tv_sec, prev_mono.tv_nsec,
			     (long)now.tv_sec, now.tv_nsec);
			return 0;
		}
		prev_mono = now;
		clock_gettime(CLOCK_REALTIME, &now);
		if (now.tv_sec < prev_real.tv_sec ||
		    (now.tv_sec == prev_real.tv_sec && now.tv_nsec < prev_real.tv_nsec)) {
			diag("CLOCK_REALTIME went back");
			return 0;
		}
		prev_real = now;
		time_t t = time(NULL);
		if (t < prev_t) {
			diag("time() went back: %ld -> %ld", (long)prev_t, (long)t);
			return 0;
		}
		prev_t = t;
		if (monotonic_seconds() - start >= seconds)
			break;
	}
	long wall = (long)(time(NULL) - t0);
	if (wall < (long)seconds - 1 || wall > (long)seconds + 2) {
		diag("time() moved %ld s while CLOCK_MONOTONIC moved %.1f s", wall, seconds);
		return 0;
	}
	diag("%lu rounds in %.1f s", iterations, seconds);
	return 1;
}

/* nanosleep must return, and not early. */
static int sleep_returns(void)
{
	struct timespec req = { 0, 200 * 1000 * 1000 };
	double start = monotonic_seconds();

	if (nanosleep(&req, NULL) != 0)
		return 0;
	double slept = monotonic_seconds() - start;
	if (slept < 0.19 || slept > 5) {
		diag("nanosleep(0.2 s) took %.3f s", slept);
		return 0;
	}
	return 1;
}

static int wait_exit_code(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* fork children that write to memory shared copy-on-write with the parent;
 * the parent's copy must stay untouched. */
static int fork_storm(int count)
{
	long len = 2 * MIB;
	unsigned char *p = malloc(len);

	if (!p)
		return 0;
	fill(p, len, 11);
	for (int i = 0; i < count; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			diag("fork %d: %s", i, strerror(errno));
			free(p);
			return 0;
		}
		if (pid == 0) {
			int good = verify(p, len, 11);
			fill(p, len, 99);
			_exit(good && verify(p, len, 99) ? i % 100 : 200);
		}
		int code = wait_exit_code(pid);
		if (code != i % 100) {
			diag("child %d exited %d", i, code);
			free(p);
			return 0;
		}
	}
	int ok = verify(p, len, 11);
	free(p);
	return ok;
}

/* fork + execve of this program, which answers with an exit code. */
static int exec_storm(int count)
{
	for (int i = 0; i < count; i++) {
		char code[16];
		pid_t pid;

		snprintf(code, sizeof(code), "%d", i % 100);
		pid = fork();
		if (pid < 0) {
			diag("fork %d: %s", i, strerror(errno));
			return 0;
		}
		if (pid == 0) {
			char *argv[] = { self_path, "--exit", code, NULL };
			char *envp[] = { NULL };
			execve(self_path, argv, envp);
			_exit(127);
		}
		int got = wait_exit_code(pid);
		if (got != i % 100) {
			diag("exec %d of %s exited %d", i, self_path, got);
			return 0;
		}
	}
	return 1;
}

static int write_all(int fd, const unsigned char *p, long len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		p += n;
		len -= n;
	}
	return 1;
}

static int read_all(int fd, unsigned char *p, long len)
{
	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		p += n;
		len -= n;
	}
	return 1;
}

/* Write a file in 64 KiB pieces, fsync, read it back through a new
 * descriptor, verify, unlink. */
static int file_io(const char *dir, long len)
{
	char path[4096];
	unsigned char *buf = malloc(len), *back = malloc(len);
	int fd, ok = 0;

	if (!buf || !back)
		goto out;
	snprintf(path, sizeof(path), "%s/torture.%d", dir, (int)getpid());
	for (long i = 0; i < len; i++)
		buf[i] = pattern(i, 5) ^ (unsigned char)(i >> 9);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		diag("open %s: %s", path, strerror(errno));
		goto out;
	}
	for (long off = 0; off < len; off += 64 * 1024)
		if (!write_all(fd, buf + off, len - off < 64 * 1024 ? len - off : 64 * 1024)) {
			diag("write %s: %s", path, strerror(errno));
			close(fd);
			goto out_unlink;
		}
	if (fsync(fd) != 0 || close(fd) != 0) {
		diag("fsync/close %s: %s", path, strerror(errno));
		goto out_unlink;
	}
	fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size != len ||
	    !read_all(fd, back, len)) {
		diag("read back %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out_unlink;
	}
	close(fd);
	ok = memcmp(buf, back, len) == 0;
	if (!ok)
		diag("%s: content differs after reading back", path);
out_unlink:
	if (unlink(path) != 0) {
		diag("unlink %s: %s", path, strerror(errno));
		ok = 0;
	}
out:
	free(buf);
	free(back);
	return ok;
}

static void find_self(const char *argv0)
{
	ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);

	if (n > 0)
		self_path[n] = '\0';
	else
		snprintf(self_path, sizeof(self_path), "%s", argv0);
}

/* Run a check unless -t selected another one; the expression is evaluated
 * only when the check runs. */
#define CHECK(expr, name) \
	do { \
		if (wanted()) \
			report((expr), (name)); \
		else \
			skip(name); \
	} while (0)

int main(int argc, char **argv)
{
	double seconds = 4;
	int forks = 300, opt;
	char name[4200];

	if (argc == 3 && strcmp(argv[1], "--exit") == 0)
		return atoi(argv[2]);
	while ((opt = getopt(argc, argv, "s:n:t:")) != -1) {
		if (opt == 's')
			seconds = atof(optarg);
		else if (opt == 'n')
			forks = atoi(optarg);
		else if (opt == 't')
			only_test = atoi(optarg);
		else {
			fprintf(stderr, "usage: %s [-s SECONDS] [-n FORKS] [-t CHECK] [DIR...]\n", argv[0]);
			return 2;
		}
	}
	find_self(argv[0]);
	int dirs = argc - optind;
	printf("1..%d\n", 9 + (dirs ? dirs : 1));
	fflush(stdout);

	CHECK(heap_grow(20), "heap: brk up 1 MiB x 20, pages touched");
	CHECK(heap_grow(64), "heap: brk up 1 MiB x 64, pages touched, brk back");
	CHECK(heap_brk_seesaw(500), "heap: brk up and down 500 times");
	CHECK(mmap_growth(32, 2 * MIB), "mmap: 32 x 2 MiB anonymous, split munmap");
	CHECK(mremap_growth(32), "mmap: mremap growth to 33 MiB");
	CHECK(sleep_returns(), "time: nanosleep 0.2 s");
	snprintf(name, sizeof(name), "time: busy loop %.1f s, clocks monotonic", seconds);
	CHECK(busy_clocks(seconds), name);
	snprintf(name, sizeof(name), "fork: %d x fork+COW write+wait", forks);
	CHECK(fork_storm(forks), name);
	snprintf(name, sizeof(name), "exec: %d x fork+execve+wait", forks);
	CHECK(exec_storm(forks), name);
	for (int i = 0; i < (dirs ? dirs : 1); i++) {
		const char *dir = dirs ? argv[optind + i] : "/tmp";
		snprintf(name, sizeof(name), "file: 16 MiB write+fsync+read back in %s", dir);
		CHECK(file_io(dir, 16 * MIB), name);
	}
	printf("# torture: %d/%d passed\n", test_number - failures, test_number);
	return failures ? 1 : 0;
}
