// SPDX-License-Identifier: LGPL-2.1-or-later
/* /sys/fs/cgroup/ve under --kernel vz7: a FUSE file system served by the
 * emulator on /dev/fuse (the raw protocol of <linux/fuse.h>) from its one
 * poll loop, mounted in the scenario's mount namespace only.  vecg.c gives
 * the directories and files their meaning.
 *
 * The emulator never looks at this mount itself: it is its only server, so
 * any access from here would wait for an answer from here.
 *
 * Node ids: 1 the root, 2 and 3 its cgroup.procs and tasks; a VE's
 * directory is ve->node (a multiple of 32) and its files node | (1 + i). */
#include "vzemu.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define CGROUP_DIR "/sys/fs/cgroup"
#define VE_DIR CGROUP_DIR "/ve"
#define MAX_WRITE 65536
#define ROOT_PROCS 2
#define ROOT_TASKS 3

/* ---- the scenario's /sys/fs/cgroup ---- */

struct entry {
	char name[256];
	int tree;		/* a detached copy of the mount or directory, or -1 */
	char link[PATH_MAX];	/* the target when it is a symlink */
};

/* Every entry of /sys/fs/cgroup: copies of its mounts, its symlinks. */
static size_t collect_entries(struct entry *v, size_t max)
{
	DIR *d = opendir(CGROUP_DIR);
	size_t n = 0;
	for (struct dirent *de; d && n < max && (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		char path[PATH_MAX];
		struct stat st;
		snprintf(path, sizeof(path), CGROUP_DIR "/%s", de->d_name);
		if (lstat(path, &st) < 0)
			continue;
		struct entry *en = &v[n];
		snprintf(en->name, sizeof(en->name), "%s", de->d_name);
		en->tree = -1;
		en->link[0] = '\0';
		if (S_ISLNK(st.st_mode)) {
			ssize_t l = readlink(path, en->link, sizeof(en->link) - 1);
			en->link[l > 0 ? l : 0] = '\0';
			n += l > 0;
		} else if (S_ISDIR(st.st_mode)) {
			en->tree = open_tree(AT_FDCWD, path,
					     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
			n += en->tree >= 0;
		}
	}
	if (d)
		closedir(d);
	return n;
}

static int place_entry(const struct entry *en)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), CGROUP_DIR "/%s", en->name) >= sizeof(path))
		return -1;
	if (en->tree < 0)
		return symlink(en->link, path);
	int r = mkdir(path, 0755);
	if (r == 0)
		r = move_mount(en->tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH);
	close(en->tree);
	return r;
}

/* A fresh tmpfs on /sys/fs/cgroup (in our mount namespace only) with what
 * was there plus an empty ve/.  On a pure cgroup v2 host the v2 root goes
 * to /sys/fs/cgroup/unified, as on a hybrid host, and our own cgroup with
 * it. */
static int cgroup_layout(struct emu *e)
{
	struct statfs sf;
	if (statfs(CGROUP_DIR, &sf) < 0)
		return -1;
	bool pure_v2 = sf.f_type == CGROUP2_SUPER_MAGIC;
	struct entry v[64];
	size_t n;
	if (pure_v2) {
		v[0] = (struct entry){ .name = "unified" };
		v[0].tree = open_tree(AT_FDCWD, CGROUP_DIR,
				      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		n = v[0].tree >= 0;
	} else {
		n = collect_entries(v, ARRAY_SIZE(v));
	}
	if (mount("tmpfs", CGROUP_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; i < n; i++)
		if (place_entry(&v[i]) < 0)
			r = -1;
	if (pure_v2 && str_startswith(e->cg_base, CGROUP_DIR "/")) {
		char rebased[sizeof(e->cg_base)];
		snprintf(rebased, sizeof(rebased), CGROUP_DIR "/unified%s",
			 e->cg_base + strlen(CGROUP_DIR));
		snprintf(e->cg_base, sizeof(e->cg_base), "%s", rebased);
	}
	return r < 0 ? -1 : mkdir(VE_DIR, 0755);
}

int emu_fuse_setup(struct emu *e)
{
	if (cgroup_layout(e) < 0) {
		fprintf(stderr, "vzemu: cannot lay out " CGROUP_DIR ": %s\n", strerror(errno));
		return -1;
	}
	e->fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (e->fuse_fd < 0) {
		fprintf(stderr, "vzemu: /dev/fuse: %s\n", strerror(errno));
		return -1;
	}
	char opts[128];
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40755,user_id=0,group_id=0,allow_other",
		 e->fuse_fd);
	/* the kernel queues INIT; the loop answers it */
	if (mount("vzemu", VE_DIR, "fuse.vzemu", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0) {
		fprintf(stderr, "vzemu: mount " VE_DIR ": %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- nodes ---- */

enum node_kind { N_NONE, N_ROOT, N_ROOT_FILE, N_VE_DIR, N_VE_FILE };

struct node {
	enum node_kind kind;
	struct emu_ve *ve;
	int file;		/* EMU_VEF_* */
};

static struct node node_of(struct emu *e, uint64_t id)
{
	if (id == FUSE_ROOT_ID)
		return (struct node){ N_ROOT, NULL, -1 };
	if (id == ROOT_PROCS || id == ROOT_TASKS)
		return (struct node){ N_ROOT_FILE, NULL,
				      id == ROOT_PROCS ? EMU_VEF_PROCS : EMU_VEF_TASKS };
	for (size_t i = 0; i < e->n_ves; i++) {
		struct emu_ve *ve = e->ves[i];
		if (!ve->node || ve->node != (id & ~(uint64_t)31))
			continue;
		int file = (int)(id & 31) - 1;
		if (file < 0)
			return (struct node){ N_VE_DIR, ve, -1 };
		if (file < EMU_VEF_COUNT)
			return (struct node){ N_VE_FILE, ve, file };
	}
	return (struct node){ N_NONE, NULL, -1 };
}

static bool is_dir(const struct node *n)
{
	return n->kind == N_ROOT || n->kind == N_VE_DIR;
}

static struct timespec mount_time;

static void fill_attr(struct fuse_attr *a, uint64_t id, const struct node *n)
{
	memset(a, 0, sizeof(*a));
	a->ino = id;
	a->mode = is_dir(n) ? S_IFDIR | 0755 : S_IFREG | emu_ve_files[n->file].mode;
	a->nlink = is_dir(n) ? 2 : 1;
	a->blksize = 4096;
	a->atime = a->mtime = a->ctime = (uint64_t)mount_time.tv_sec;
}

/* ---- replies ---- */

static void reply(struct emu *e, uint64_t unique, int err, const void *data, size_t len)
{
	if (err)
		len = 0;
	struct fuse_out_header h = { .len = (uint32_t)(sizeof(h) + len), .error = -err,
				     .unique = unique };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)data, len } };
	/* ENOENT: the request was interrupted meanwhile */
	if (writev(e->fuse_fd, iov, len ? 2 : 1) < 0 && errno != ENOENT && e->verbose)
		fprintf(stderr, "vzemu: fuse reply: %s\n", strerror(errno));
}

static void reply_entry(struct emu *e, uint64_t unique, uint64_t id, const struct node *n)
{
	struct fuse_entry_out out = { .nodeid = id, .entry_valid = 1, .attr_valid = 1 };
	fill_attr(&out.attr, id, n);
	reply(e, unique, 0, &out, sizeof(out));
}

static void reply_attr(struct emu *e, uint64_t unique, uint64_t id)
{
	struct node n = node_of(e, id);
	if (n.kind == N_NONE) {
		reply(e, unique, ENOENT, NULL, 0);
		return;
	}
	struct fuse_attr_out out = { .attr_valid = 1 };
	fill_attr(&out.attr, id, &n);
	reply(e, unique, 0, &out, sizeof(out));
}

/* ---- requests ---- */

static void do_init(struct emu *e, const struct fuse_in_header *in, const void *arg)
{
	const struct fuse_init_in *ii = arg;
	struct fuse_init_out out = {
		.major = FUSE_KERNEL_VERSION,
		.minor = ii->minor < FUSE_KERNEL_MINOR_VERSION ? ii->minor : FUSE_KERNEL_MINOR_VERSION,
		.max_readahead = ii->max_readahead,
		.max_background = 16,
		.congestion_threshold = 12,
		.max_write = MAX_WRITE,
		.time_gran = 1,
	};
	reply(e, in->unique, 0, &out, sizeof(out));
}

static void do_lookup(struct emu *e, const struct fuse_in_header *in, const char *name)
{
	struct node parent = node_of(e, in->nodeid);
	if (parent.kind == N_ROOT) {
		struct emu_ve *ve = emu_vz7_find_name(e, name);
		if (ve) {
			struct node n = { N_VE_DIR, ve, -1 };
			reply_entry(e, in->unique, ve->node, &n);
			return;
		}
		int f = emu_ve_file_index(name);
		if (f == EMU_VEF_PROCS || f == EMU_VEF_TASKS) {
			struct node n = { N_ROOT_FILE, NULL, f };
			reply_entry(e, in->unique, f == EMU_VEF_PROCS ? ROOT_PROCS : ROOT_TASKS, &n);
			return;
		}
	} else if (parent.kind == N_VE_DIR) {
		int f = emu_ve_file_index(name);
		if (f >= 0) {
			struct node n = { N_VE_FILE, parent.ve, f };
			reply_entry(e, in->unique, parent.ve->node | (uint64_t)(f + 1), &n);
			return;
		}
	}
	reply(e, in->unique, is_dir(&parent) || parent.kind == N_NONE ? ENOENT : ENOTDIR, NULL, 0);
}

/* What an open file of ours holds: its text as of the last read at 0. */
struct handle {
	uint64_t node;
	char *text;
	size_t len;
};

static void do_open(struct emu *e, const struct fuse_in_header *in, bool dir)
{
	struct node n = node_of(e, in->nodeid);
	if (n.kind == N_NONE || is_dir(&n) != dir) {
		reply(e, in->unique, n.kind == N_NONE ? ENOENT : dir ? ENOTDIR : EISDIR, NULL, 0);
		return;
	}
	struct fuse_open_out out = { 0 };
	if (!dir) {
		struct handle *h = xcalloc(1, sizeof(*h));
		h->node = in->nodeid;
		out.fh = (uint64_t)(uintptr_t)h;
		out.open_flags = FOPEN_DIRECT_IO;	/* every read and write comes here */
	}
	reply(e, in->unique, 0, &out, sizeof(out));
}

static void do_release(struct emu *e, const struct fuse_in_header *in, const void *arg)
{
	const struct fuse_release_in *ri = arg;
	struct handle *h = (struct handle *)(uintptr_t)ri->fh;
	if (h) {
		free(h->text);
		free(h);
	}
	reply(e, in->unique, 0, NULL, 0);
}

static void do_read(struct emu *e, const struct fuse_in_header *in, const void *arg)
{
	const struct fuse_read_in *ri = arg;
	struct handle *h = (struct handle *)(uintptr_t)ri->fh;
	struct node n = node_of(e, in->nodeid);
	if (!h || n.kind == N_NONE || is_dir(&n)) {
		reply(e, in->unique, n.kind == N_NONE ? ENODEV : EISDIR, NULL, 0);
		return;
	}
	if (ri->offset == 0 || !h->text) {	/* like seq_file: fresh at 0 */
		free(h->text);
		h->text = NULL;
		int err = emu_vz7_read(e, n.ve, n.file, (pid_t)in->pid, &h->text);
		if (err) {
			reply(e, in->unique, err, NULL, 0);
			return;
		}
		h->len = strlen(h->text);
	}
	size_t off = ri->offset < h->len ? (size_t)ri->offset : h->len;
	size_t len = h->len - off < ri->size ? h->len - off : ri->size;
	reply(e, in->unique, 0, h->text + off, len);
}

static void do_write(struct emu *e, const struct fuse_in_header *in, const void *arg)
{
	const struct fuse_write_in *wi = arg;
	struct node n = node_of(e, in->nodeid);
	if (n.kind == N_NONE || is_dir(&n)) {
		reply(e, in->unique, n.kind == N_NONE ? ENODEV : EISDIR, NULL, 0);
		return;
	}
	int err = in->uid != 0 ? EACCES
			       : emu_vz7_write(e, n.ve, n.file, (pid_t)in->pid,
					       (const char *)(wi + 1), wi->size);
	struct fuse_write_out out = { .size = wi->size };
	reply(e, in->unique, err, &out, sizeof(out));
}

static size_t put_dirent(char *buf, size_t room, uint64_t ino, uint64_t off, const char *name,
			 bool dir)
{
	size_t namelen = strlen(name), len = FUSE_REC_ALIGN(FUSE_NAME_OFFSET + namelen);
	if (len > room)
		return 0;
	struct fuse_dirent *d = (struct fuse_dirent *)buf;
	memset(buf, 0, len);
	d->ino = ino;
	d->off = off;
	d->namelen = (uint32_t)namelen;
	d->type = dir ? DT_DIR : DT_REG;
	memcpy(d->name, name, namelen);
	return len;
}

/* The i-th entry of a directory: name, node, whether a directory. */
static bool dir_entry(struct emu *e, const struct node *n, uint64_t id, size_t i,
		      const char **name, uint64_t *ino, bool *dir)
{
	*dir = i < 2;
	*ino = id;
	if (i < 2) {
		*name = i == 0 ? "." : "..";
		return true;
	}
	i -= 2;
	if (n->kind == N_VE_DIR) {
		if (i >= EMU_VEF_COUNT)
			return false;
		*name = emu_ve_files[i].name;
		*ino = n->ve->node | (i + 1);
		return true;
	}
	if (i < 2) {
		*name = emu_ve_files[i == 0 ? EMU_VEF_PROCS : EMU_VEF_TASKS].name;
		*ino = i == 0 ? ROOT_PROCS : ROOT_TASKS;
		return true;
	}
	if (i - 2 >= e->n_ves)
		return false;
	*name = e->ves[i - 2]->name;
	*ino = e->ves[i - 2]->node;
	*dir = true;
	return true;
}

static void do_readdir(struct emu *e, const struct fuse_in_header *in, const void *arg)
{
	const struct fuse_read_in *ri = arg;
	struct node n = node_of(e, in->nodeid);
	if (!is_dir(&n)) {
		reply(e, in->unique, n.kind == N_NONE ? ENOENT : ENOTDIR, NULL, 0);
		return;
	}
	size_t size = ri->size < MAX_WRITE ? ri->size : MAX_WRITE, used = 0;
	_cleanup_free_ char *buf = xmalloc(size);
	const char *name;
	uint64_t ino;
	bool dir;
	for (size_t i = (size_t)ri->offset; dir_entry(e, &n, in->nodeid, i, &name, &ino, &dir);
	     i++) {
		size_t len = put_dirent(buf + used, size - used, ino, i + 1, name, dir);
		if (!len)
			break;
		used += len;
	}
	reply(e, in->unique, 0, buf, used);
}

static void do_mkdir(struct emu *e, const struct fuse_in_header *in, const void *arg)
{
	const char *name = (const char *)((const struct fuse_mkdir_in *)arg + 1);
	struct node parent = node_of(e, in->nodeid);
	struct emu_ve *ve = NULL;
	int err = parent.kind != N_ROOT ? EPERM
		  : in->uid != 0 ? EACCES
		  : emu_vz7_mkdir(e, (pid_t)in->pid, name, &ve);
	if (err) {
		reply(e, in->unique, err, NULL, 0);
		return;
	}
	struct node n = { N_VE_DIR, ve, -1 };
	reply_entry(e, in->unique, ve->node, &n);
}

static void do_rmdir(struct emu *e, const struct fuse_in_header *in, const char *name)
{
	struct node parent = node_of(e, in->nodeid);
	int err = parent.kind != N_ROOT ? ENOENT
		  : in->uid != 0 ? EACCES
		  : emu_vz7_rmdir(e, (pid_t)in->pid, name);
	reply(e, in->unique, err, NULL, 0);
}

static void do_statfs(struct emu *e, const struct fuse_in_header *in)
{
	struct fuse_statfs_out out = { .st = { .bsize = 4096, .frsize = 4096, .namelen = 255 } };
	reply(e, in->unique, 0, &out, sizeof(out));
}

static void dispatch(struct emu *e, const struct fuse_in_header *in, const void *arg)
{
	emu_ve_prune(e);	/* a VE whose init has just exited reads STOPPED */
	switch (in->opcode) {
	case FUSE_INIT:
		do_init(e, in, arg);
		return;
	case FUSE_LOOKUP:
		do_lookup(e, in, arg);
		return;
	case FUSE_GETATTR:
	case FUSE_SETATTR:	/* O_TRUNC, chmod: nothing to change */
		reply_attr(e, in->unique, in->nodeid);
		return;
	case FUSE_OPEN:
	case FUSE_OPENDIR:
		do_open(e, in, in->opcode == FUSE_OPENDIR);
		return;
	case FUSE_READ:
		do_read(e, in, arg);
		return;
	case FUSE_WRITE:
		do_write(e, in, arg);
		return;
	case FUSE_RELEASE:
		do_release(e, in, arg);
		return;
	case FUSE_READDIR:
		do_readdir(e, in, arg);
		return;
	case FUSE_MKDIR:
		do_mkdir(e, in, arg);
		return;
	case FUSE_RMDIR:
		do_rmdir(e, in, arg);
		return;
	case FUSE_STATFS:
		do_statfs(e, in);
		return;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:	/* every request is answered at once anyway */
		return;
	case FUSE_RELEASEDIR:
	case FUSE_FLUSH:
	case FUSE_FSYNC:
	case FUSE_FSYNCDIR:
	case FUSE_ACCESS:
	case FUSE_DESTROY:
		reply(e, in->unique, 0, NULL, 0);
		return;
	case FUSE_CREATE:
	case FUSE_MKNOD:
	case FUSE_UNLINK:
	case FUSE_RENAME:
	case FUSE_RENAME2:
	case FUSE_SYMLINK:
	case FUSE_LINK:
		reply(e, in->unique, EPERM, NULL, 0);
		return;
	default:
		reply(e, in->unique, ENOSYS, NULL, 0);
		return;
	}
}

/* Answers what the kernel has queued. */
void emu_fuse_serve(struct emu *e)
{
	static char buf[MAX_WRITE + 4096] __attribute__((aligned(8)));
	if (!mount_time.tv_sec)
		clock_gettime(CLOCK_REALTIME, &mount_time);
	for (int i = 0; i < 64 && e->fuse_fd >= 0; i++) {
		ssize_t n = read(e->fuse_fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0 || (size_t)n < sizeof(struct fuse_in_header)) {
			if (n < 0 && errno == ENOENT)	/* interrupted before we read it */
				continue;
			close(e->fuse_fd);	/* ENODEV: unmounted */
			e->fuse_fd = -1;
			return;
		}
		buf[n < (ssize_t)sizeof(buf) ? n : n - 1] = '\0';	/* names end with NUL */
		const struct fuse_in_header *in = (const void *)buf;
		dispatch(e, in, in + 1);
	}
}
