// SPDX-License-Identifier: LGPL-2.1-or-later
/* open, openat and openat2 of /dev/vzctl and of the emulated /proc files:
 * the target gets a memfd (installed with SECCOMP_ADDFD_FLAG_SEND); every
 * other open goes on to the kernel.  The stat and access family see those
 * paths and /proc/vz, a directory, as the OpenVZ kernel has them. */
#include "vzemu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static bool readlink_proc(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	ssize_t n = readlink(path, buf, len - 1);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* Collapses "//", "/./" and "/../" in an absolute path. */
static void normalise(char *path)
{
	char out[PATH_MAX] = "";
	size_t len = 0;
	for (char *save = NULL, *c = strtok_r(path, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			char *slash = strrchr(out, '/');
			len = slash ? (size_t)(slash - out) : 0;
			out[len] = '\0';
			continue;
		}
		len += (size_t)snprintf(out + len, sizeof(out) - len, "/%s", c);
		if (len >= sizeof(out))
			len = sizeof(out) - 1;
	}
	snprintf(path, PATH_MAX, "%s", len ? out : "/");
}

/* The path as the host's tree sees it; false when the caller has another
 * root (a chrooted or pivoted process sees its own /dev and /proc). */
static bool host_path(pid_t pid, int dirfd, const char *path, char *out)
{
	char root[PATH_MAX], base[PATH_MAX] = "";
	if (!readlink_proc(pid, "root", root, sizeof(root)) || strcmp(root, "/") != 0)
		return false;
	if (path[0] != '/') {
		char what[32];
		if (dirfd == AT_FDCWD)
			snprintf(what, sizeof(what), "cwd");
		else
			snprintf(what, sizeof(what), "fd/%d", dirfd);
		if (!readlink_proc(pid, what, base, sizeof(base)))
			return false;
	}
	if ((size_t)snprintf(out, PATH_MAX, "%s/%s", base, path) >= PATH_MAX)
		return false;
	normalise(out);
	return true;
}

static void flags_text(int flags, char *buf, size_t len)
{
	const char *acc = (flags & O_ACCMODE) == O_RDWR ? "O_RDWR"
			  : (flags & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "O_RDONLY";
	snprintf(buf, len, "%s%s%s%s%s", acc, flags & O_CREAT ? "|O_CREAT" : "",
		 flags & O_EXCL ? "|O_EXCL" : "", flags & O_DIRECTORY ? "|O_DIRECTORY" : "",
		 flags & O_CLOEXEC ? "|O_CLOEXEC" : "");
}

static int content_memfd(const char *name, const char *text)
{
	int fd = (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -EIO;
	}
	return fd;
}

static void answer_open(struct emu *e, const struct seccomp_notif *req, const char *path,
			int flags)
{
	struct emu_call c;
	bool vzctl = strcmp(path, "/dev/vzctl") == 0;
	struct emu_ve *ve = emu_ve_of(e, (pid_t)req->pid);
	bool fail = emu_call_begin(&c, e, req, "open", ve ? ve->veid : 0);
	char fl[96];
	flags_text(flags, fl, sizeof(fl));
	emu_arg_str(&c, "path", path);
	emu_arg_str(&c, "flags", fl);
	if (fail) {
		emu_call_finish(&c, 0, e->fail_errno);
		return;
	}
	if (emu_age_file_absent(e, path)) {
		c.note = "the emulated kernel is older than this file";
		emu_call_finish(&c, 0, ENOENT);
		return;
	}
	if ((flags & O_CREAT) && (flags & O_EXCL)) {
		emu_call_finish(&c, 0, EEXIST);
		return;
	}
	if (flags & O_DIRECTORY) {
		emu_call_finish(&c, 0, ENOTDIR);
		return;
	}
	int fd = e->vzctl_fd;
	if (!vzctl) {
		_cleanup_free_ char *text = emu_proc_render(e, path);
		fd = content_memfd(path, text ? text : "");
		if (fd < 0) {
			emu_call_finish(&c, 0, -fd);
			return;
		}
	}
	int r = emu_reply_fd(e, req->id, fd, flags & O_CLOEXEC);
	if (!vzctl)
		close(fd);
	emu_call_end(&c, r < 0 ? 0 : r, r < 0 ? -r : 0);
}

/* The last components of every path emulated(): anything else goes on to
 * the kernel at once, without resolving the path. */
static bool may_be_emulated(const char *path)
{
	static const char *const names[] = { "vzctl", "veinfo", "vestat", "veip", "vswap",
					     "user_beancounters", "filesystems", "cgroups",
					     "cap_last_cap" };
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(base, names[i]) == 0)
			return true;
	return false;
}

static bool emulated(struct emu *e, const char *path)
{
	if (strcmp(path, "/dev/vzctl") == 0 || emu_age_file_absent(e, path))
		return true;
	char *text = emu_proc_render(e, path);
	free(text);
	return text != NULL;
}

void emu_handle_open(struct emu *e, const struct seccomp_notif *req)
{
	pid_t pid = (pid_t)req->pid;
	int dirfd = AT_FDCWD, flags;
	uint64_t path_ptr;
	if (req->data.nr == SYS_open) {
		path_ptr = req->data.args[0];
		flags = (int)req->data.args[1];
	} else {
		dirfd = (int)req->data.args[0];
		path_ptr = req->data.args[1];
		flags = (int)req->data.args[2];
		if (req->data.nr == SYS_openat2) {
			uint64_t how_flags;
			if (emu_read_mem(pid, req->data.args[2], &how_flags, sizeof(how_flags)) < 0) {
				emu_reply_continue(e, req->id);
				return;
			}
			flags = (int)how_flags;
		}
	}
	char path[PATH_MAX], full[PATH_MAX];
	/* a path that cannot be read or resolved is the kernel's business */
	if (emu_read_str(pid, path_ptr, path, sizeof(path)) < 0 || !may_be_emulated(path) ||
	    !emu_id_valid(e, req->id) || !host_path(pid, dirfd, path, full) ||
	    !emulated(e, full)) {
		emu_reply_continue(e, req->id);
		return;
	}
	emu_ve_prune(e);
	answer_open(e, req, full, flags);
}

/* ---- stat and access ---- */

/* The mode of an emulated path, 0 when the path is not one. */
static mode_t emulated_mode(struct emu *e, const char *path, dev_t *rdev)
{
	*rdev = 0;
	if (strcmp(path, "/proc/vz") == 0)
		return S_IFDIR | 0555;
	if (strcmp(path, "/dev/vzctl") == 0) {
		*rdev = makedev(126, 0);	/* the vzctl misc major */
		return S_IFCHR | 0600;
	}
	if (strncmp(path, "/proc/vz/", 9) == 0 && emulated(e, path))
		return S_IFREG | 0400;
	return 0;
}

static bool stat_candidate(const char *path)
{
	return may_be_emulated(path) || strcmp(path, "vz") == 0 ||
	       (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/vz") == 0);
}

/* stat, lstat, newfstatat (struct stat written back), access, faccessat,
 * faccessat2 (0 for root, as modes permit) of the emulated paths. */
void emu_handle_stat(struct emu *e, const struct seccomp_notif *req)
{
	pid_t pid = (pid_t)req->pid;
	long nr = req->data.nr;
	bool at = nr == SYS_newfstatat || nr == SYS_faccessat || nr == SYS_faccessat2;
	int dirfd = at ? (int)req->data.args[0] : AT_FDCWD;
	uint64_t path_ptr = req->data.args[at ? 1 : 0];
	char path[PATH_MAX], full[PATH_MAX];
	dev_t rdev;
	mode_t mode;
	if (emu_read_str(pid, path_ptr, path, sizeof(path)) < 0 || !stat_candidate(path) ||
	    !emu_id_valid(e, req->id) || !host_path(pid, dirfd, path, full) ||
	    !(mode = emulated_mode(e, full, &rdev))) {
		emu_reply_continue(e, req->id);
		return;
	}
	if (nr == SYS_access || nr == SYS_faccessat || nr == SYS_faccessat2) {
		int want = (int)req->data.args[at ? 2 : 1];
		bool ok = emu_proc_uid(pid) == 0 && (!(want & X_OK) || S_ISDIR(mode));
		emu_reply(e, req->id, ok ? 0 : -1, ok ? 0 : EACCES);
		return;
	}
	struct stat st = { .st_mode = mode, .st_nlink = S_ISDIR(mode) ? 2 : 1, .st_rdev = rdev,
			   .st_blksize = 1024, .st_ino = S_ISDIR(mode) ? 4026531900u : 4026531901u };
	clock_gettime(CLOCK_REALTIME, &st.st_mtim);
	st.st_atim = st.st_ctim = st.st_mtim;
	uint64_t buf = req->data.args[at ? 2 : 1];
	int err = emu_write_mem(pid, buf, &st, sizeof(st)) < 0 ? EFAULT : 0;
	emu_reply(e, req->id, err ? -1 : 0, err);
}
