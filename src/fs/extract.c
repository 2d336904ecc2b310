// SPDX-License-Identifier: LGPL-2.1-or-later
#include "fs/extract.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "fs/codecs.h"
#include "fs/fsutil.h"
#include "fs/libarchive.h"
#include "fs/stream.h"

/* No real tree is this deep; the limit bounds the descriptors we keep open. */
#define MAX_DEPTH 256
#define PROGRESS_INTERVAL_NS 250000000ull

const char *ovz_compression_name(enum ovz_compression c)
{
	static const char *const names[] = {
		[OVZ_COMP_NONE] = "tar", [OVZ_COMP_GZIP] = "gzip", [OVZ_COMP_BZIP2] = "bzip2",
		[OVZ_COMP_XZ] = "xz", [OVZ_COMP_ZSTD] = "zstd", [OVZ_COMP_LZ4] = "lz4",
	};
	return (unsigned)c < ARRAY_SIZE(names) ? names[c] : "unknown";
}

const char *ovz_decoder_name(enum ovz_decoder d)
{
	static const char *const names[] = {
		[OVZ_DECODER_NONE] = "none (reader thread)",
		[OVZ_DECODER_LIBDEFLATE] = "libdeflate (one pass in memory)",
		[OVZ_DECODER_ZLIB_THREAD] = "zlib (decoder thread)",
		[OVZ_DECODER_ZSTD_THREAD] = "zstd (decoder thread)",
		[OVZ_DECODER_LIBARCHIVE_THREAD] = "libarchive filter (decoder thread)",
		[OVZ_DECODER_XZ_THREAD] = "liblzma (decoder threads)",
	};
	return (unsigned)d < ARRAY_SIZE(names) ? names[d] : "unknown";
}

enum ovz_compression ovz_compression_sniff(const void *head, size_t len)
{
	const unsigned char *p = head;
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return OVZ_COMP_GZIP;
	if (len >= 3 && !memcmp(p, "BZh", 3))
		return OVZ_COMP_BZIP2;
	if (len >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return OVZ_COMP_XZ;
	if (len >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return OVZ_COMP_ZSTD;
	if (len >= 4 && !memcmp(p, "\x04\x22\x4d\x18", 4))
		return OVZ_COMP_LZ4;
	return OVZ_COMP_NONE;
}

/* la()->archive_error_string() may return NULL */
static const char *archive_msg(struct archive *a)
{
	const char *m = la()->archive_error_string(a);
	return m ? m : "unknown libarchive error";
}

/* ---- size hint ---- */

static uint64_t gzip_size_hint(int fd, uint64_t fsize)
{
	unsigned char t[4];
	if (fsize < 18 || fsize >= ((uint64_t)1 << 30) || pread(fd, t, 4, (off_t)fsize - 4) != 4)
		return 0;
	uint64_t isize = (uint64_t)t[0] | (uint64_t)t[1] << 8 | (uint64_t)t[2] << 16 | (uint64_t)t[3] << 24;
	/* below the compressed size means ISIZE wrapped or is garbage */
	return isize >= fsize ? isize : 0;
}

/* Bytes of a zstd frame header, from its descriptor byte (RFC 8878 3.1.1.1). */
static size_t zstd_header_size(unsigned char fhd)
{
	static const size_t did[] = { 0, 1, 2, 4 };
	unsigned fcs = fhd >> 6;
	bool single = fhd & 0x20;
	size_t fcs_size = fcs == 0 ? (single ? 1 : 0) : (size_t)1 << fcs;
	return 4 + 1 + (single ? 0 : 1) + did[fhd & 3] + fcs_size;
}

/* Walks one frame with pread (block headers only, no mapping of the data,
 * which would show up in the peak RSS); returns its end, 0 if malformed. */
static uint64_t zstd_frame_end(const struct ovz_codecs *zstd, int fd, uint64_t off, uint64_t fsize,
			       unsigned long long *content)
{
	unsigned char h[18];
	if (off + 8 > fsize || pread(fd, h, sizeof(h), (off_t)off) < 8)
		return 0;
	uint32_t magic = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
	if ((magic & 0xfffffff0u) == 0x184d2a50u) {	/* skippable frame */
		*content = 0;
		return off + 8 + ((uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24);
	}
	size_t hs = zstd_header_size(h[4]);
	*content = zstd->ZSTD_getFrameContentSize(h, hs);
	off += hs;
	for (;;) {
		unsigned char b[3];
		if (pread(fd, b, 3, (off_t)off) != 3)
			return 0;
		uint32_t bh = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
		uint32_t type = (bh >> 1) & 3, size = bh >> 3;
		off += 3 + (type == 1 ? 1 : size);
		if (type == 3 || off > fsize)
			return 0;
		if (bh & 1)
			break;
	}
	return off + ((h[4] & 4) ? 4 : 0);
}

static uint64_t zstd_size_hint(int fd, uint64_t fsize)
{
	/* sum of the frames' content sizes; unknown if any frame lacks one */
	const struct ovz_codecs *zstd = ovz_codecs(NULL);
	uint64_t total = 0, off = 0;
	while (zstd && off < fsize) {
		unsigned long long n;
		uint64_t end = zstd_frame_end(zstd, fd, off, fsize, &n);
		if (!end || n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN)
			return 0;
		total += n;
		off = end;
	}
	return total;
}

uint64_t ovz_archive_size_hint(int fd, enum ovz_compression c)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	switch (c) {
	case OVZ_COMP_NONE: return (uint64_t)st.st_size;
	case OVZ_COMP_GZIP: return gzip_size_hint(fd, (uint64_t)st.st_size);
	case OVZ_COMP_ZSTD: return zstd_size_hint(fd, (uint64_t)st.st_size);
	default: return 0;
	}
}

/* ---- extractor state ---- */

struct xattr_item {
	char *name;
	void *value;
	size_t len;
};

struct dir_fixup {
	char *path;		/* relative to the destination, "" for its root */
	uid_t uid;
	gid_t gid;
	mode_t mode;
	struct timespec times[2];
	struct xattr_item *xattrs;
	size_t n_xattrs;
};

struct extractor {
	struct archive *a;
	struct ovz_stream *stream;
	const struct ovz_extract_opts *o;
	int root;			/* destination, not owned */
	bool as_root;			/* may chown and mknod */
	bool skip_own_chown;		/* new inodes already have our uid/gid */
	uid_t euid;
	gid_t egid;
	mode_t umask;			/* read, never set (it is process-wide) */
	bool trust_umask;		/* create files with their final mode */

	/* open directories along the current parent path; fds[0] is root */
	int fds[MAX_DEPTH + 1];
	char *names[MAX_DEPTH];
	size_t depth;

	struct dir_fixup *fixups;
	size_t n_fixups, cap_fixups;

	/* the entry being written */
	const char *entry;
	char *comps[MAX_DEPTH + 1];
	size_t n_comps;
	char *split_buf;

	struct ovz_extract_stats st;
	struct timespec start;
	uint64_t last_progress_ns;
	uint64_t total_in;
	bool read_failed;		/* the decoder failed under libarchive */
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int entry_error(struct extractor *x, int errnum, const char *what, struct ovz_error **err)
{
	return ovz_error_set(err, errnum, "entry '%s': %s", x->entry, what);
}

static int entry_sys(struct extractor *x, int errnum, const char *what, struct ovz_error **err)
{
	return ovz_error_sys(err, errnum, "entry '%s': %s", x->entry, what);
}

static void report_progress(struct extractor *x, bool final)
{
	if (!x->o->progress)
		return;
	uint64_t t = now_ns();
	if (!final && t - x->last_progress_ns < PROGRESS_INTERVAL_NS)
		return;
	x->last_progress_ns = t;
	struct ovz_progress p = {
		.bytes_in = ovz_stream_bytes_in(x->stream),
		.total_in = x->total_in,
		.bytes_out = x->st.bytes_out,
		.total_out = x->st.size_hint,
		.entries = x->st.entries,
		.elapsed_ns = t - ((uint64_t)x->start.tv_sec * 1000000000ull + (uint64_t)x->start.tv_nsec),
	};
	x->o->progress(&p, x->o->userdata);
}

/* ---- names ---- */

enum split_result { SPLIT_OK, SPLIT_ABSOLUTE, SPLIT_DOTDOT, SPLIT_DEEP };

/* Splits name into comps (pointing into *buf, which it allocates), dropping
 * "" and "."; zero components means the destination itself. */
static enum split_result split_components(const char *name, char **buf, char **comps, size_t *n)
{
	*n = 0;
	free(*buf);
	*buf = xstrdup(name);
	if (name[0] == '/')
		return SPLIT_ABSOLUTE;
	char *save = NULL;
	for (char *c = strtok_r(*buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, ".."))
			return SPLIT_DOTDOT;
		if (*n == MAX_DEPTH)
			return SPLIT_DEEP;
		comps[(*n)++] = c;
	}
	return SPLIT_OK;
}

static int split_name(struct extractor *x, const char *name, struct ovz_error **err)
{
	switch (split_components(name, &x->split_buf, x->comps, &x->n_comps)) {
	case SPLIT_ABSOLUTE: return entry_error(x, EBADMSG, "absolute path", err);
	case SPLIT_DOTDOT: return entry_error(x, EBADMSG, "path leaves the tree", err);
	case SPLIT_DEEP: return entry_error(x, EBADMSG, "path too deep", err);
	default: return 0;
	}
}

static char *join_comps(char *const *comps, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_putc(&sb, '/');
		strbuf_puts(&sb, comps[i]);
	}
	return strbuf_steal(&sb);
}

/* ---- the directory stack ---- */

static void pop_to(struct extractor *x, size_t depth)
{
	while (x->depth > depth) {
		close(x->fds[x->depth]);
		free(x->names[x->depth - 1]);
		x->depth--;
	}
}

static int describe_bad_parent(struct extractor *x, size_t upto, struct ovz_error **err)
{
	_cleanup_free_ char *p = join_comps(x->comps, upto + 1);
	struct stat st;
	if (fstatat(x->fds[upto], x->comps[upto], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return ovz_error_set(err, EBADMSG, "entry '%s': writes through the symlink '%s'", x->entry, p);
	return ovz_error_set(err, EBADMSG, "entry '%s': '%s' is not a directory", x->entry, p);
}

/* Opens one parent component below fds[i]; creates it when the archive did
 * not list it, the way tar does (mode 0755, our owner). */
static int open_component(struct extractor *x, size_t i, struct ovz_error **err)
{
	const int flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(x->fds[i], x->comps[i], flags);
	if (fd < 0 && errno == ENOENT) {
		if (mkdirat(x->fds[i], x->comps[i], 0755) < 0 && errno != EEXIST)
			return entry_sys(x, errno, "creating its parent directory", err);
		fd = openat(x->fds[i], x->comps[i], flags);
	}
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return describe_bad_parent(x, i, err);
		return entry_sys(x, errno, "opening its parent directory", err);
	}
	return fd;
}

/* Makes fds[depth] the parent of the current entry; returns its fd. */
static int enter_parent(struct extractor *x, struct ovz_error **err)
{
	size_t want = x->n_comps - 1;
	size_t keep = 0;
	while (keep < x->depth && keep < want && !strcmp(x->names[keep], x->comps[keep]))
		keep++;
	pop_to(x, keep);
	for (size_t i = keep; i < want; i++) {
		int fd = open_component(x, i, err);
		if (fd < 0)
			return fd;
		x->fds[i + 1] = fd;
		x->names[i] = xstrdup(x->comps[i]);
		x->depth = i + 1;
	}
	return x->fds[x->depth];
}

/* ---- attributes ---- */

static void xattrs_free(struct xattr_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

struct acl_ent {
	uint16_t tag, perm;
	uint32_t id;
};

static int acl_ent_cmp(const void *a, const void *b)
{
	const struct acl_ent *x = a, *y = b;
	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static uint16_t kernel_acl_tag(int tag)
{
	switch (tag) {
	case ARCHIVE_ENTRY_ACL_USER_OBJ: return 0x01;
	case ARCHIVE_ENTRY_ACL_USER: return 0x02;
	case ARCHIVE_ENTRY_ACL_GROUP_OBJ: return 0x04;
	case ARCHIVE_ENTRY_ACL_GROUP: return 0x08;
	case ARCHIVE_ENTRY_ACL_MASK: return 0x10;
	case ARCHIVE_ENTRY_ACL_OTHER: return 0x20;
	default: return 0;
	}
}

/* POSIX.1e ACL of one type as the kernel's system.posix_acl_* xattr value. */
static bool acl_to_xattr(struct archive_entry *e, int type, struct xattr_item *out)
{
	if (la()->archive_entry_acl_reset(e, type) <= 0)
		return false;
	struct acl_ent *v = NULL;
	size_t n = 0;
	bool named = false, mask = false;
	uint16_t group_class = 0;
	int t, perm, tag, qual;
	const char *name;
	while (la()->archive_entry_acl_next(e, type, &t, &perm, &tag, &qual, &name) == ARCHIVE_OK) {
		uint16_t kt = kernel_acl_tag(tag);
		if (!kt)
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		bool has_id = kt == 0x02 || kt == 0x08;
		v[n++] = (struct acl_ent){ kt, (uint16_t)(perm & 7), has_id ? (uint32_t)qual : UINT32_MAX };
		named |= has_id;
		mask |= kt == 0x10;
		if (kt != 0x01 && kt != 0x20)
			group_class |= (uint16_t)(perm & 7);
	}
	if (named && !mask) {
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = (struct acl_ent){ 0x10, group_class, UINT32_MAX };
	}
	if (n == 0) {
		free(v);
		return false;
	}
	qsort(v, n, sizeof(*v), acl_ent_cmp);
	size_t len = 4 + n * 8;
	unsigned char *buf = xmalloc(len);
	buf[0] = 2; buf[1] = buf[2] = buf[3] = 0;	/* version 2, little endian */
	for (size_t i = 0; i < n; i++) {
		unsigned char *p = buf + 4 + i * 8;
		p[0] = (unsigned char)v[i].tag; p[1] = (unsigned char)(v[i].tag >> 8);
		p[2] = (unsigned char)v[i].perm; p[3] = 0;
		for (int b = 0; b < 4; b++)
			p[4 + b] = (unsigned char)(v[i].id >> (8 * b));
	}
	free(v);
	out->name = xstrdup(type == ARCHIVE_ENTRY_ACL_TYPE_ACCESS ? "system.posix_acl_access"
								 : "system.posix_acl_default");
	out->value = buf;
	out->len = len;
	return true;
}

/* xattrs and ACLs of the entry, ACLs last (they must follow the chmod). */
static size_t collect_xattrs(struct archive_entry *e, struct xattr_item **out)
{
	struct xattr_item *v = NULL;
	size_t n = 0;
	if (la()->archive_entry_xattr_reset(e) > 0) {
		const char *name;
		const void *value;
		size_t len;
		while (la()->archive_entry_xattr_next(e, &name, &value, &len) == ARCHIVE_OK) {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			void *copy = xmalloc(len);
			memcpy(copy, value, len);
			v[n++] = (struct xattr_item){ xstrdup(name), copy, len };
		}
	}
	static const int types[] = { ARCHIVE_ENTRY_ACL_TYPE_ACCESS, ARCHIVE_ENTRY_ACL_TYPE_DEFAULT };
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct xattr_item it;
		if (acl_to_xattr(e, types[i], &it)) {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n++] = it;
		}
	}
	*out = v;
	return n;
}

static bool has_xattrs(struct archive_entry *e)
{
	return la()->archive_entry_xattr_count(e) > 0 ||
	       la()->archive_entry_acl_count(e, ARCHIVE_ENTRY_ACL_TYPE_POSIX1E) > 0;
}

/* fd is an open file, or -1 with path set to a /proc/self/fd based path */
static int apply_xattrs(struct extractor *x, int fd, const char *path, const struct xattr_item *v,
			size_t n, struct ovz_error **err)
{
	for (size_t i = 0; i < n; i++) {
		int r = fd >= 0 ? fsetxattr(fd, v[i].name, v[i].value, v[i].len, 0)
				: lsetxattr(path, v[i].name, v[i].value, v[i].len, 0);
		if (r == 0)
			continue;
		if (errno == ENOTSUP || errno == EOPNOTSUPP) {
			x->st.xattrs_skipped++;
			continue;
		}
		_cleanup_free_ char *what = xasprintf("setting xattr '%s'", v[i].name);
		return entry_sys(x, errno, what, err);
	}
	return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	if (la()->archive_entry_atime_is_set(e))
		ts[0] = (struct timespec){ la()->archive_entry_atime(e), la()->archive_entry_atime_nsec(e) };
	else
		ts[0] = (struct timespec){ 0, UTIME_OMIT };
	if (la()->archive_entry_mtime_is_set(e))
		ts[1] = (struct timespec){ la()->archive_entry_mtime(e), la()->archive_entry_mtime_nsec(e) };
	else
		ts[1] = (struct timespec){ 0, UTIME_OMIT };
}

static bool needs_chown(struct extractor *x, uid_t uid, gid_t gid)
{
	if (!x->as_root)
		return false;
	return !(x->skip_own_chown && uid == x->euid && gid == x->egid);
}

/* ---- entries ---- */

/* An earlier entry of the same name is replaced, as tar does; a non-empty
 * directory is not. */
static int remove_existing(struct extractor *x, int pfd, const char *name, struct ovz_error **err)
{
	if (unlinkat(pfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno == EISDIR && unlinkat(pfd, name, AT_REMOVEDIR) == 0)
		return 0;
	if (errno == ENOTEMPTY || errno == EEXIST)
		return entry_error(x, EBADMSG, "replaces a non-empty directory", err);
	return entry_sys(x, errno, "removing an earlier entry of that name", err);
}

static int write_data(struct extractor *x, struct archive_entry *e, int fd, struct ovz_error **err)
{
	int64_t end = 0;
	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t off;
		int r = la()->archive_read_data_block(x->a, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return entry_error(x, EBADMSG, archive_msg(x->a), err);
		const char *p = buf;
		while (size > 0) {
			ssize_t n = pwrite(fd, p, size, (off_t)off);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return entry_sys(x, errno, "write", err);
			}
			p += n;
			off += n;
			size -= (size_t)n;
			x->st.bytes_out += (uint64_t)n;
		}
		if (off > end)
			end = off;
	}
	/* a trailing hole of a sparse file */
	int64_t want = la()->archive_entry_size(e);
	if (want > end && ftruncate(fd, (off_t)want) < 0)
		return entry_sys(x, errno, "ftruncate", err);
	return 0;
}

static int write_file(struct extractor *x, struct archive_entry *e, int pfd, const char *name,
		      struct ovz_error **err)
{
	mode_t mode = la()->archive_entry_perm(e);
	bool direct = x->trust_umask && !(mode & 07000) && (mode & ~x->umask) == mode;
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(pfd, name, flags, direct ? mode : 0600);
	if (fd < 0 && errno == EEXIST) {
		int r = remove_existing(x, pfd, name, err);
		if (r < 0)
			return r;
		fd = openat(pfd, name, flags, direct ? mode : 0600);
	}
	if (fd < 0)
		return entry_sys(x, errno, "create", err);
	int r = write_data(x, e, fd, err);
	uid_t uid = (uid_t)la()->archive_entry_uid(e);
	gid_t gid = (gid_t)la()->archive_entry_gid(e);
	if (r == 0 && needs_chown(x, uid, gid) && fchown(fd, uid, gid) < 0)
		r = entry_sys(x, errno, "fchown", err);
	if (r == 0 && !direct && fchmod(fd, mode) < 0)
		r = entry_sys(x, errno, "fchmod", err);
	if (r == 0 && has_xattrs(e)) {
		struct xattr_item *v;
		size_t n = collect_xattrs(e, &v);
		r = apply_xattrs(x, fd, NULL, v, n, err);
		xattrs_free(v, n);
	}
	struct timespec ts[2];
	entry_times(e, ts);
	if (r == 0 && futimens(fd, ts) < 0)
		r = entry_sys(x, errno, "futimens", err);
	if (close(fd) < 0 && r == 0)
		r = entry_sys(x, errno, "close", err);
	return r;
}

/* Owner, mode, xattrs and times of a node that cannot be opened for writing
 * (symlink, device, fifo): through its parent descriptor, never following. */
static int finish_node(struct extractor *x, struct archive_entry *e, int pfd, const char *name,
		       bool is_link, struct ovz_error **err)
{
	uid_t uid = (uid_t)la()->archive_entry_uid(e);
	gid_t gid = (gid_t)la()->archive_entry_gid(e);
	if (needs_chown(x, uid, gid) && fchownat(pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return entry_sys(x, errno, "fchownat", err);
	/* nothing else writes into the tree, so the node is still ours */
	if (!is_link && fchmodat(pfd, name, la()->archive_entry_perm(e), 0) < 0)
		return entry_sys(x, errno, "fchmodat", err);
	if (has_xattrs(e)) {
		struct xattr_item *v;
		size_t n = collect_xattrs(e, &v);
		char path[64 + NAME_MAX];
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", pfd, name);
		int r = apply_xattrs(x, -1, path, v, n, err);
		xattrs_free(v, n);
		if (r < 0)
			return r;
	}
	struct timespec ts[2];
	entry_times(e, ts);
	if (utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return entry_sys(x, errno, "utimensat", err);
	return 0;
}

static int write_symlink(struct extractor *x, struct archive_entry *e, int pfd, const char *name,
			 struct ovz_error **err)
{
	const char *target = la()->archive_entry_symlink(e);
	if (!target || !*target)
		return entry_error(x, EBADMSG, "symlink without a target", err);
	int r = symlinkat(target, pfd, name);
	if (r < 0 && errno == EEXIST) {
		r = remove_existing(x, pfd, name, err);
		if (r < 0)
			return r;
		r = symlinkat(target, pfd, name);
	}
	if (r < 0)
		return entry_sys(x, errno, "symlink", err);
	return finish_node(x, e, pfd, name, true, err);
}

static int write_special(struct extractor *x, struct archive_entry *e, mode_t type, int pfd,
			 const char *name, struct ovz_error **err)
{
	dev_t dev = type == S_IFIFO ? 0 : la()->archive_entry_rdev(e);
	int r = mknodat(pfd, name, type | 0600, dev);
	if (r < 0 && errno == EEXIST) {
		r = remove_existing(x, pfd, name, err);
		if (r < 0)
			return r;
		r = mknodat(pfd, name, type | 0600, dev);
	}
	if (r < 0)
		return entry_sys(x, errno, "mknod", err);
	return finish_node(x, e, pfd, name, false, err);
}

static struct dir_fixup *find_fixup(struct extractor *x, const char *path)
{
	for (size_t i = x->n_fixups; i-- > 0;)
		if (!strcmp(x->fixups[i].path, path))
			return &x->fixups[i];
	return NULL;
}

static void record_fixup(struct extractor *x, struct archive_entry *e, char *path, bool existed)
{
	struct dir_fixup *f = existed ? find_fixup(x, path) : NULL;
	if (f) {
		free(f->path);
		xattrs_free(f->xattrs, f->n_xattrs);
	} else {
		if (x->n_fixups == x->cap_fixups) {
			x->cap_fixups = x->cap_fixups ? 2 * x->cap_fixups : 256;
			x->fixups = xrealloc(x->fixups, x->cap_fixups * sizeof(*x->fixups));
		}
		f = &x->fixups[x->n_fixups++];
	}
	*f = (struct dir_fixup){
		.path = path,
		.uid = (uid_t)la()->archive_entry_uid(e),
		.gid = (gid_t)la()->archive_entry_gid(e),
		.mode = la()->archive_entry_perm(e),
	};
	entry_times(e, f->times);
	f->n_xattrs = has_xattrs(e) ? collect_xattrs(e, &f->xattrs) : 0;
}

static int write_dir(struct extractor *x, struct archive_entry *e, int pfd, const char *name,
		     struct ovz_error **err)
{
	bool existed = false;
	if (mkdirat(pfd, name, 0700) < 0) {
		if (errno != EEXIST)
			return entry_sys(x, errno, "mkdir", err);
		struct stat st;
		if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return entry_sys(x, errno, "stat", err);
		if (S_ISDIR(st.st_mode))
			existed = true;
		else {
			int r = remove_existing(x, pfd, name, err);
			if (r < 0)
				return r;
			if (mkdirat(pfd, name, 0700) < 0)
				return entry_sys(x, errno, "mkdir", err);
		}
	}
	record_fixup(x, e, join_comps(x->comps, x->n_comps), existed);
	return 0;
}

static int hardlink_target(struct extractor *x, const char *target, int *tfd, char **tname,
			   struct ovz_error **err)
{
	char *buf = NULL;
	char *comps[MAX_DEPTH + 1];
	size_t n;
	enum split_result s = split_components(target, &buf, comps, &n);
	int r = 0;
	if (s == SPLIT_ABSOLUTE || s == SPLIT_DOTDOT)
		r = ovz_error_set(err, EBADMSG, "entry '%s': hard link to '%s' outside the tree", x->entry, target);
	else if (s == SPLIT_DEEP || n == 0)
		r = ovz_error_set(err, EBADMSG, "entry '%s': bad hard link target '%s'", x->entry, target);
	if (r < 0) {
		free(buf);
		return r;
	}
	_cleanup_free_ char *parent = join_comps(comps, n - 1);
	int fd = ovz_open_beneath(x->root, parent, O_PATH | O_DIRECTORY);
	struct stat st;
	if (fd >= 0 && fstatat(fd, comps[n - 1], &st, AT_SYMLINK_NOFOLLOW) < 0) {
		close(fd);
		fd = -errno;
	}
	if (fd == -ELOOP || fd == -EXDEV || fd == -ENOTDIR)
		r = ovz_error_set(err, EBADMSG, "entry '%s': hard link to '%s' goes through a symlink", x->entry, target);
	else if (fd == -ENOENT)
		r = ovz_error_set(err, EBADMSG, "entry '%s': hard link to '%s', which the archive has not created", x->entry, target);
	else if (fd < 0)
		r = ovz_error_sys(err, -fd, "entry '%s': hard link target '%s'", x->entry, target);
	else if (S_ISDIR(st.st_mode)) {
		close(fd);
		r = ovz_error_set(err, EBADMSG, "entry '%s': hard link to the directory '%s'", x->entry, target);
	}
	if (r == 0) {
		*tfd = fd;
		*tname = xstrdup(comps[n - 1]);
	}
	free(buf);
	return r;
}

static int write_hardlink(struct extractor *x, const char *target, struct ovz_error **err)
{
	int tfd = -1;
	_cleanup_free_ char *tname = NULL;
	int r = hardlink_target(x, target, &tfd, &tname, err);
	if (r < 0)
		return r;
	int pfd = enter_parent(x, err);
	if (pfd < 0) {
		close(tfd);
		return pfd;
	}
	const char *name = x->comps[x->n_comps - 1];
	r = linkat(tfd, tname, pfd, name, 0);
	if (r < 0 && errno == EEXIST) {
		struct stat a, b;
		if (fstatat(tfd, tname, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
		    fstatat(pfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			r = 0;
		else if ((r = remove_existing(x, pfd, name, err)) == 0)
			r = linkat(tfd, tname, pfd, name, 0);
		else {
			close(tfd);
			return r;
		}
	}
	int e = errno;
	close(tfd);
	return r < 0 ? entry_sys(x, e, "link", err) : 0;
}

static int write_entry(struct extractor *x, struct archive_entry *e, struct ovz_error **err)
{
	int r = split_name(x, x->entry, err);
	if (r < 0)
		return r;
	const char *link = la()->archive_entry_hardlink(e);
	mode_t type = la()->archive_entry_filetype(e);
	if (x->n_comps == 0) {
		if (type != AE_IFDIR || link)
			return entry_error(x, EBADMSG, "names the destination itself but is not a directory", err);
		x->st.root_entry = true;
		record_fixup(x, e, xstrdup(""), true);
		return 0;
	}
	if (link)
		return write_hardlink(x, link, err);
	int pfd = enter_parent(x, err);
	if (pfd < 0)
		return pfd;
	const char *name = x->comps[x->n_comps - 1];
	switch (type) {
	case AE_IFREG: return write_file(x, e, pfd, name, err);
	case AE_IFDIR: return write_dir(x, e, pfd, name, err);
	case AE_IFLNK: return write_symlink(x, e, pfd, name, err);
	case AE_IFCHR: return write_special(x, e, S_IFCHR, pfd, name, err);
	case AE_IFBLK: return write_special(x, e, S_IFBLK, pfd, name, err);
	case AE_IFIFO: return write_special(x, e, S_IFIFO, pfd, name, err);
	case AE_IFSOCK: return 0;	/* tar never restores sockets */
	default: return entry_error(x, EBADMSG, "unknown entry type", err);
	}
}

/* ---- directory fix-ups, deepest first ---- */

static int apply_fixup(struct extractor *x, const struct dir_fixup *f, struct ovz_error **err)
{
	x->entry = f->path[0] ? f->path : ".";
	int fd = ovz_open_beneath(x->root, f->path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return entry_sys(x, -fd, "reopening the directory", err);
	int r = 0;
	if (needs_chown(x, f->uid, f->gid) && fchown(fd, f->uid, f->gid) < 0)
		r = entry_sys(x, errno, "fchown", err);
	if (r == 0 && fchmod(fd, f->mode) < 0)
		r = entry_sys(x, errno, "fchmod", err);
	if (r == 0)
		r = apply_xattrs(x, fd, NULL, f->xattrs, f->n_xattrs, err);
	if (r == 0 && futimens(fd, f->times) < 0)
		r = entry_sys(x, errno, "futimens", err);
	close(fd);
	return r;
}

static int apply_fixups(struct extractor *x, struct ovz_error **err)
{
	pop_to(x, 0);
	for (size_t i = x->n_fixups; i-- > 0;) {
		int r = apply_fixup(x, &x->fixups[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- driver ---- */

static la_ssize_t read_cb(struct archive *a, void *ud, const void **buf)
{
	struct extractor *x = ud;
	ssize_t n = ovz_stream_next(x->stream, buf);
	if (n < 0) {
		x->read_failed = true;
		la()->archive_set_error(a, (int)-n, "decompression failed");
		return -1;
	}
	return n;
}

static mode_t read_umask(void)
{
	char *buf = NULL;
	mode_t m = (mode_t)-1;
	if (read_file_at(AT_FDCWD, "/proc/self/status", 1 << 16, &buf, NULL, NULL) == 0) {
		const char *p = strstr(buf, "\nUmask:");
		if (p)
			m = (mode_t)strtoul(p + 7, NULL, 8);
	}
	free(buf);
	return m;
}

static int setup_destination(struct extractor *x, struct ovz_error **err)
{
	int fd = openat(x->root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ovz_error_sys(err, errno, "opening the destination");
	struct stat st;
	int r = fstat(fd, &st) < 0 ? -errno : 0;
	/* a default ACL on the destination would override the umask */
	bool default_acl = fgetxattr(fd, "system.posix_acl_default", NULL, 0) > 0;
	close(fd);
	if (r < 0)
		return ovz_error_sys(err, -r, "stat destination");
	x->euid = geteuid();
	x->egid = getegid();
	x->as_root = x->euid == 0;
	x->skip_own_chown = st.st_gid == x->egid && !(st.st_mode & S_ISGID);
	x->umask = read_umask();
	x->trust_umask = x->umask != (mode_t)-1 && !default_acl;
	return 0;
}

static int check_space(struct extractor *x, struct ovz_error **err)
{
	if (!x->st.size_hint || (x->o->flags & OVZ_EXTRACT_NO_SPACE_CHECK))
		return 0;
	struct statvfs vfs;
	if (fstatvfs(x->root, &vfs) < 0)
		return 0;
	uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	if (avail >= x->st.size_hint)
		return 0;
	return ovz_error_set(err, ENOSPC, "not enough space: %llu MiB needed, %llu MiB free",
			     (unsigned long long)(x->st.size_hint >> 20), (unsigned long long)(avail >> 20));
}

static int run_entries(struct extractor *x, struct ovz_error **err)
{
	for (;;) {
		if (x->o->cancel && *x->o->cancel)
			return ovz_error_set(err, EINTR, "interrupted");
		struct archive_entry *e;
		int r = la()->archive_read_next_header(x->a, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return ovz_error_set(err, EBADMSG, "corrupt archive after %llu entries: %s",
					     (unsigned long long)x->st.entries, archive_msg(x->a));
		x->entry = la()->archive_entry_pathname(e);
		if (!x->entry)
			x->entry = la()->archive_entry_pathname_utf8(e);
		if (!x->entry || !*x->entry)
			return ovz_error_set(err, EBADMSG, "entry #%llu has no name",
					     (unsigned long long)x->st.entries + 1);
		r = write_entry(x, e, err);
		if (r < 0)
			return r;
		x->st.entries++;
		report_progress(x, false);
	}
}

/* Reads what follows the tar end so the decoder checks the trailer (gzip
 * CRC and length, zstd frame end). */
static void drain(struct extractor *x)
{
	const void *buf;
	while (ovz_stream_next(x->stream, &buf) > 0)
		;
}

static void extractor_free(struct extractor *x)
{
	pop_to(x, 0);
	for (size_t i = 0; i < x->n_fixups; i++) {
		free(x->fixups[i].path);
		xattrs_free(x->fixups[i].xattrs, x->fixups[i].n_xattrs);
	}
	free(x->fixups);
	free(x->split_buf);
	if (x->a)
		la()->archive_read_free(x->a);
}

static int extract_stream(struct extractor *x, struct ovz_error **err)
{
	x->a = la()->archive_read_new();
	if (!x->a)
		oom();
	la()->archive_read_support_format_tar(x->a);
	if (la()->archive_read_open(x->a, x, NULL, read_cb, NULL) != ARCHIVE_OK)
		return ovz_error_set(err, EBADMSG, "not a tar archive: %s", archive_msg(x->a));
	int r = run_entries(x, err);
	if (r == 0)
		r = apply_fixups(x, err);
	if (r == 0)
		drain(x);
	return r;
}

int ovz_extract(int archive_fd, int dest_dirfd, const struct ovz_extract_opts *o,
		struct ovz_extract_stats *st, struct ovz_error **err)
{
	static const struct ovz_extract_opts no_opts;
	if (!o)
		o = &no_opts;
	struct extractor x = { .o = o, .root = dest_dirfd };
	x.fds[0] = dest_dirfd;
	clock_gettime(CLOCK_MONOTONIC, &x.start);
	if (!ovz_libarchive(err))
		return -ELIBACC;

	unsigned char head[8] = { 0 };
	ssize_t n = pread(archive_fd, head, sizeof(head), 0);
	if (n < 0)
		return ovz_error_sys(err, errno, "reading the archive");
	x.st.compression = ovz_compression_sniff(head, (size_t)n);
	x.st.size_hint = ovz_archive_size_hint(archive_fd, x.st.compression);
	struct stat ast;
	if (fstat(archive_fd, &ast) == 0)
		x.total_in = (uint64_t)ast.st_size;

	int r = setup_destination(&x, err);
	if (r == 0)
		r = check_space(&x, err);
	if (r == 0)
		r = ovz_stream_open(archive_fd, x.st.compression, x.st.size_hint, o->flags, &x.stream, err);
	if (r == 0) {
		x.st.decoder = ovz_stream_decoder(x.stream);
		struct ovz_error *serr = NULL;
		r = extract_stream(&x, err);
		x.st.bytes_in = ovz_stream_bytes_in(x.stream);
		report_progress(&x, true);
		int sr = ovz_stream_close(x.stream, &serr);
		/* The decoder's own message explains a corrupt stream best, but the
		 * decoder runs ahead: an error it met beyond the entry that failed
		 * does not replace that entry's message. */
		if (sr < 0 && (r == 0 || x.read_failed)) {
			if (err && *err) {
				ovz_error_free(*err);
				*err = NULL;
			}
			r = ovz_error_set(err, -sr, "%s", ovz_error_message(serr));
		}
		ovz_error_free(serr);
	}
	extractor_free(&x);
	if (st)
		*st = x.st;
	if (r < 0 && o->name)
		return ovz_error_wrap(err, r, "template '%s'", o->name);
	return r;
}
