// SPDX-License-Identifier: LGPL-2.1-or-later
/* Template extraction, the private area transaction, clone and overlay.
 * Archives are built here with libarchive's writer: from a real tree with
 * every entry type (read with archive_read_disk, so xattrs, ACLs and holes
 * come along) for the attribute-by-attribute comparison, and from entry
 * lists for hostile, corrupt and truncated archives.  Mount tests run in a
 * private mount namespace set up in main(). */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

#include "testutil.h"
#include "core/error.h"
#include "core/util.h"
#include "fs/extract.h"
#include "fs/private.h"
#include "fs/template.h"

static bool have_mountns;

/* ---- building archives ---- */

struct spec {
	const char *path;
	mode_t type;		/* AE_IFREG ... */
	mode_t perm;
	const char *data;	/* regular files */
	const char *link;	/* symlink target, or hard link target when hard */
	bool hard;
};

static struct archive *writer(const char *out, int filter)
{
	struct archive *a = archive_write_new();
	assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
	if (filter != ARCHIVE_FILTER_NONE)
		assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, out), ARCHIVE_OK);
	return a;
}

static void write_specs(const char *out, int filter, const struct spec *s, size_t n)
{
	struct archive *a = writer(out, filter);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, s[i].path);
		archive_entry_set_filetype(e, s[i].hard ? AE_IFREG : s[i].type);
		archive_entry_set_perm(e, s[i].perm ? s[i].perm : 0644);
		archive_entry_set_mtime(e, 1600000000, 0);
		if (s[i].hard)
			archive_entry_set_hardlink(e, s[i].link);
		else if (s[i].type == AE_IFLNK)
			archive_entry_set_symlink(e, s[i].link);
		size_t len = s[i].data ? strlen(s[i].data) : 0;
		archive_entry_set_size(e, (la_int64_t)len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, s[i].data, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* Holes are written as zeros, as bsdtar does: the pax writer knows the
 * sparse map from archive_read_disk and drops them. */
static void write_entry_data(struct archive *w, struct archive *disk, struct archive_entry *e)
{
	const void *buf;
	size_t size;
	la_int64_t off, pos = 0;
	static const char zeros[65536];
	if (archive_entry_filetype(e) != AE_IFREG || archive_entry_size(e) == 0)
		return;
	while (archive_read_data_block(disk, &buf, &size, &off) == ARCHIVE_OK) {
		for (; pos < off; pos += (la_int64_t)sizeof(zeros) < off - pos ? (la_int64_t)sizeof(zeros) : off - pos)
			archive_write_data(w, zeros, (size_t)((la_int64_t)sizeof(zeros) < off - pos ? (la_int64_t)sizeof(zeros) : off - pos));
		assert_true(archive_write_data(w, buf, size) >= 0);
		pos = off + (la_int64_t)size;
	}
	for (la_int64_t end = archive_entry_size(e); pos < end;) {
		size_t n = (la_int64_t)sizeof(zeros) < end - pos ? sizeof(zeros) : (size_t)(end - pos);
		archive_write_data(w, zeros, n);
		pos += (la_int64_t)n;
	}
}

static void write_linkified(struct archive *w, struct archive *disk, struct archive_entry *e,
			    const char *src)
{
	/* WARN: the non-ASCII name is stored as binary (hdrcharset) */
	assert_true(archive_write_header(w, e) >= ARCHIVE_WARN);
	if (disk)
		write_entry_data(w, disk, e);
	else if (archive_entry_size(e) > 0) {
		/* a deferred entry of the link resolver: read it back from disk */
		char *p = xasprintf("%s/%s", src, archive_entry_pathname(e));
		char *data = tu_read(p);
		archive_write_data(w, data, (size_t)archive_entry_size(e));
		free(data);
		free(p);
	}
}

/* A pax archive of the tree at src, names relative ("./x"), numeric only. */
static void archive_tree(const char *src, const char *out, int filter)
{
	struct archive *disk = archive_read_disk_new();
	archive_read_disk_set_symlink_physical(disk);
	assert_int_equal(archive_read_disk_open(disk, src), ARCHIVE_OK);
	struct archive *w = writer(out, filter);
	struct archive_entry_linkresolver *lr = archive_entry_linkresolver_new();
	archive_entry_linkresolver_set_strategy(lr, archive_format(w));
	size_t srclen = strlen(src);
	for (;;) {
		struct archive_entry *e = archive_entry_new();
		int r = archive_read_next_header2(disk, e);
		if (r == ARCHIVE_EOF) {
			archive_entry_free(e);
			break;
		}
		assert_true(r >= ARCHIVE_WARN);
		archive_read_disk_descend(disk);
		const char *p = archive_entry_pathname(e);
		char *rel = xasprintf(".%s", p + srclen);
		archive_entry_set_pathname(e, rel);
		free(rel);
		archive_entry_set_uname(e, NULL);
		archive_entry_set_gname(e, NULL);
		struct archive_entry *sparse = NULL;
		archive_entry_linkify(lr, &e, &sparse);
		if (e)
			write_linkified(w, disk, e, src);
		if (sparse)
			write_linkified(w, NULL, sparse, src);
		archive_entry_free(e);
	}
	struct archive_entry *e = NULL, *sparse = NULL;
	archive_entry_linkify(lr, &e, &sparse);
	while (e) {
		write_linkified(w, NULL, e, src);
		archive_entry_free(e);
		e = NULL;
		archive_entry_linkify(lr, &e, &sparse);
	}
	archive_entry_linkresolver_free(lr);
	assert_int_equal(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	archive_read_free(disk);
}

/* ---- the reference tree ---- */

static void put(const char *dir, const char *rel, const char *content, mode_t mode)
{
	char *p = xasprintf("%s/%s", dir, rel);
	tu_write(p, content);
	assert_int_equal(chmod(p, mode), 0);
	free(p);
}

static char *at(const char *dir, const char *rel)
{
	return xasprintf("%s/%s", dir, rel);
}

static void set_times(const char *dir, const char *rel, time_t sec, long nsec)
{
	char *p = at(dir, rel);
	struct timespec ts[2] = { { sec - 100, 0 }, { sec, nsec } };
	assert_int_equal(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW), 0);
	free(p);
}

static void acl_xattr(unsigned char *buf, size_t *len, const unsigned short (*ents)[3], size_t n)
{
	buf[0] = 2; buf[1] = buf[2] = buf[3] = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char *p = buf + 4 + 8 * i;
		uint32_t id = ents[i][2] == 0xffff ? UINT32_MAX : ents[i][2];
		p[0] = (unsigned char)ents[i][0]; p[1] = (unsigned char)(ents[i][0] >> 8);
		p[2] = (unsigned char)ents[i][1]; p[3] = 0;
		memcpy(p + 4, &id, 4);
	}
	*len = 4 + 8 * n;
}

static void set_acls(const char *dir)
{
	/* tag, perm, id: group::r-- differs from mask::rw- on purpose */
	static const unsigned short access[][3] = {
		{ 0x01, 6, 0xffff }, { 0x02, 7, 1234 }, { 0x04, 4, 0xffff },
		{ 0x10, 6, 0xffff }, { 0x20, 0, 0xffff },
	};
	static const unsigned short dflt[][3] = {
		{ 0x01, 7, 0xffff }, { 0x02, 7, 1234 }, { 0x04, 5, 0xffff },
		{ 0x08, 5, 4321 }, { 0x10, 7, 0xffff }, { 0x20, 5, 0xffff },
	};
	unsigned char buf[128];
	size_t len;
	char *f = at(dir, "acl-file"), *d = at(dir, "acl-dir");
	acl_xattr(buf, &len, access, ARRAY_SIZE(access));
	assert_int_equal(setxattr(f, "system.posix_acl_access", buf, len, 0), 0);
	acl_xattr(buf, &len, dflt, ARRAY_SIZE(dflt));
	assert_int_equal(setxattr(d, "system.posix_acl_default", buf, len, 0), 0);
	free(f);
	free(d);
}

static void make_sparse(const char *dir)
{
	char *p = at(dir, "sparse");
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "middle", 6, 1 << 20), 6);
	assert_int_equal(ftruncate(fd, 3 << 20), 0);
	close(fd);
	free(p);
}

static const char long_component[] =
	"a-component-name-that-is-longer-than-the-hundred-bytes-of-a-ustar-name-field-"
	"so-pax-or-gnu-headers-are-needed-to-carry-it-whole-and-unchanged-xyz";

/* Every entry type and attribute the extractor must keep. */
static void make_reference_tree(const char *dir)
{
	put(dir, "etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644);
	put(dir, "etc/shadow", "root:*:1::::::\n", 0640);
	put(dir, "bin/suid", "#!/bin/sh\n", 04755);
	put(dir, "bin/sgid", "#!/bin/sh\n", 02711);
	put(dir, "empty", "", 0600);
	put(dir, "hard-a", "linked twice\n", 0644);
	put(dir, "acl-file", "acl\n", 0640);
	put(dir, "xattr-file", "xattr\n", 0644);
	put(dir, "r\xc3\xa9sum\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac.txt", "non-ascii name\n", 0644);
	char *deep = xasprintf("deep/%s/%s/leaf", long_component, long_component);
	put(dir, deep, "long path\n", 0644);
	free(deep);
	char *big = xmalloc(3 << 20);
	for (size_t i = 0; i < (3u << 20); i++)
		big[i] = (char)('a' + (i * 7919 % 26));
	big[(3 << 20) - 1] = '\0';
	put(dir, "big", big, 0644);
	free(big);
	char *p;
	mkdir((p = at(dir, "tmp")), 01777); chmod(p, 01777); free(p);
	mkdir((p = at(dir, "setgid-dir")), 02755); chmod(p, 02755); free(p);
	mkdir((p = at(dir, "private")), 0700); free(p);
	mkdir((p = at(dir, "acl-dir")), 0755); free(p);
	mkdir((p = at(dir, "dev")), 0755); free(p);
	assert_int_equal(link((p = at(dir, "hard-a")), (deep = at(dir, "etc/hard-b"))), 0);
	free(p); free(deep);
	assert_int_equal(symlink("../etc/passwd", (p = at(dir, "bin/rel-link"))), 0); free(p);
	assert_int_equal(symlink("/usr/share/zoneinfo/UTC", (p = at(dir, "etc/localtime"))), 0); free(p);
	assert_int_equal(symlink("nowhere", (p = at(dir, "dangling"))), 0); free(p);
	assert_int_equal(mknod((p = at(dir, "dev/null")), S_IFCHR | 0666, makedev(1, 3)), 0); free(p);
	assert_int_equal(mknod((p = at(dir, "dev/loop0")), S_IFBLK | 0660, makedev(7, 0)), 0); free(p);
	assert_int_equal(mkfifo((p = at(dir, "fifo")), 0620), 0); free(p);
	assert_int_equal(chown((p = at(dir, "etc/shadow")), 0, 42), 0); free(p);
	assert_int_equal(lchown((p = at(dir, "dangling")), 1000, 1000), 0); free(p);
	assert_int_equal(chown((p = at(dir, "private")), 1234, 5678), 0); free(p);
	assert_int_equal(chown((p = at(dir, "fifo")), 99, 98), 0); free(p);
	/* chown dropped the setuid bit */
	assert_int_equal(chown((p = at(dir, "bin/suid")), 0, 0), 0); chmod(p, 04755); free(p);
	assert_int_equal(setxattr((p = at(dir, "xattr-file")), "user.origin", "template", 8, 0), 0); free(p);
	assert_int_equal(setxattr((p = at(dir, "tmp")), "user.dir", "yes", 3, 0), 0); free(p);
	set_acls(dir);
	make_sparse(dir);
	set_times(dir, "etc/passwd", 1500000000, 123456789);
	set_times(dir, "dangling", 1400000000, 0);
	set_times(dir, "fifo", 1300000000, 5);
	set_times(dir, "etc", 1200000000, 0);
	set_times(dir, "tmp", 1100000000, 0);
	set_times(dir, "", 1000000000, 0);
}

/* ---- comparing trees ---- */

struct inomap {
	ino_t from[64], to[64];
	size_t n;
};

static char **sorted_names(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	char **v = NULL;
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strv_push(&v, xstrdup(de->d_name));
	closedir(d);
	size_t n = strv_len(v);
	for (size_t i = 0; i + 1 < n; i++)	/* small lists: insertion sort */
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(v[i], v[j]) > 0) {
				char *t = v[i]; v[i] = v[j]; v[j] = t;
			}
	return v;
}

static void compare_xattrs(const char *a, const char *b)
{
	char na[4096], nb[4096];
	ssize_t la = llistxattr(a, na, sizeof(na)), lb = llistxattr(b, nb, sizeof(nb));
	assert_true(la >= 0 && lb >= 0);
	for (char *n = na; n < na + la; n += strlen(n) + 1) {
		char va[512], vb[512];
		ssize_t x = lgetxattr(a, n, va, sizeof(va)), y = lgetxattr(b, n, vb, sizeof(vb));
		if (y != x || memcmp(va, vb, (size_t)x))
			fail_msg("xattr '%s' of '%s' differs", n, b);
	}
	assert_int_equal(la, lb);
}

static void compare_entry(const char *a, const char *b, struct inomap *m, bool times)
{
	struct stat sa, sb;
	assert_int_equal(lstat(a, &sa), 0);
	if (lstat(b, &sb) != 0)
		fail_msg("'%s' is missing", b);
	if (sa.st_mode != sb.st_mode || sa.st_uid != sb.st_uid || sa.st_gid != sb.st_gid)
		fail_msg("'%s': mode/owner %o %d:%d, want %o %d:%d", b, sb.st_mode, sb.st_uid, sb.st_gid,
			 sa.st_mode, sa.st_uid, sa.st_gid);
	if (times && (sa.st_mtim.tv_sec != sb.st_mtim.tv_sec || sa.st_mtim.tv_nsec != sb.st_mtim.tv_nsec))
		fail_msg("'%s': mtime %ld.%09ld, want %ld.%09ld", b, (long)sb.st_mtim.tv_sec,
			 sb.st_mtim.tv_nsec, (long)sa.st_mtim.tv_sec, sa.st_mtim.tv_nsec);
	compare_xattrs(a, b);
	if (S_ISREG(sa.st_mode)) {
		assert_int_equal(sa.st_size, sb.st_size);
		assert_int_equal(sa.st_nlink, sb.st_nlink);
		char *ca = tu_read(a), *cb = tu_read(b);
		assert_memory_equal(ca, cb, (size_t)sa.st_size);
		free(ca); free(cb);
		/* holes stay holes: allow a few blocks of slack */
		assert_true(sb.st_blocks <= sa.st_blocks + 64);
		if (sa.st_nlink > 1) {
			size_t i;
			for (i = 0; i < m->n && m->from[i] != sa.st_ino; i++)
				;
			if (i == m->n) {
				m->from[m->n] = sa.st_ino;
				m->to[m->n++] = sb.st_ino;
			} else if (m->to[i] != sb.st_ino)
				fail_msg("'%s' is not a hard link of its twin", b);
		}
	} else if (S_ISLNK(sa.st_mode)) {
		char ta[4096] = "", tb[4096] = "";
		assert_true(readlink(a, ta, sizeof(ta) - 1) > 0);
		assert_true(readlink(b, tb, sizeof(tb) - 1) > 0);
		assert_string_equal(ta, tb);
	} else if (S_ISCHR(sa.st_mode) || S_ISBLK(sa.st_mode)) {
		assert_int_equal(sa.st_rdev, sb.st_rdev);
	}
}

static void compare_trees_m(const char *a, const char *b, struct inomap *m, bool root_times)
{
	compare_entry(a, b, m, root_times);
	struct stat st;
	assert_int_equal(lstat(a, &st), 0);
	if (!S_ISDIR(st.st_mode))
		return;
	char **na = sorted_names(a), **nb = sorted_names(b);
	assert_int_equal(strv_len(na), strv_len(nb));
	for (size_t i = 0; na && na[i]; i++) {
		assert_string_equal(na[i], nb[i]);
		char *pa = at(a, na[i]), *pb = at(b, nb[i]);
		compare_trees_m(pa, pb, m, true);
		free(pa); free(pb);
	}
	strv_free(na);
	strv_free(nb);
}

static void compare_trees(const char *a, const char *b)
{
	struct inomap m = { .n = 0 };
	compare_trees_m(a, b, &m, true);
}

/* ---- helpers ---- */

static int extract_path(const char *archive, const char *dest, unsigned flags, struct ovz_extract_stats *st,
			struct ovz_error **err)
{
	int afd = open(archive, O_RDONLY | O_CLOEXEC);
	assert_true(afd >= 0);
	mkdir(dest, 0700);
	int dfd = open(dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	struct ovz_extract_opts o = { .name = "t", .flags = flags };
	int r = ovz_extract(afd, dfd, &o, st, err);
	close(afd);
	close(dfd);
	return r;
}

static int create_from(const char *archive, const char *priv, struct ovz_create_result *res,
		       struct ovz_error **err)
{
	struct ovz_create_opts o = { .mode = OVZ_CREATE_EXTRACT, .source = archive, .template_name = "t",
				     .no_sync = true };
	return ovz_private_create(priv, &o, res, err);
}

static void assert_nothing_left(const char *priv)
{
	char *tmp = xasprintf("%s.tmp", priv), *marker = xasprintf("%s.ovz-create", priv);
	char *layout = xasprintf("%s.ovz-overlay", priv);
	if (tu_exists(priv) || tu_exists(tmp) || tu_exists(marker) || tu_exists(layout))
		fail_msg("leftovers of '%s': private %d tmp %d marker %d layout %d", priv,
			 tu_exists(priv), tu_exists(tmp), tu_exists(marker), tu_exists(layout));
	free(layout);
	enum ovz_private_state s;
	assert_int_equal(ovz_private_state(priv, &s, NULL), 0);
	assert_int_equal(s, OVZ_PRIVATE_ABSENT);
	free(tmp);
	free(marker);
}

static size_t count_entries(const char *dir)
{
	char **v = sorted_names(dir);
	size_t n = strv_len(v);
	strv_free(v);
	return n;
}

/* ---- round trips ---- */

struct fmt {
	const char *suffix;
	int filter;
	unsigned flags;
	enum ovz_decoder decoder;
};

static const struct fmt formats[] = {
	{ ".tar", ARCHIVE_FILTER_NONE, 0, OVZ_DECODER_NONE },
	{ ".tar.gz", ARCHIVE_FILTER_GZIP, 0, OVZ_DECODER_ZLIB_THREAD },
	{ ".tar.gz", ARCHIVE_FILTER_GZIP, OVZ_EXTRACT_LIBDEFLATE, OVZ_DECODER_LIBDEFLATE },
	{ ".tar.bz2", ARCHIVE_FILTER_BZIP2, 0, OVZ_DECODER_LIBARCHIVE_THREAD },
	{ ".tar.xz", ARCHIVE_FILTER_XZ, 0, OVZ_DECODER_XZ_THREAD },
	{ ".tar.zst", ARCHIVE_FILTER_ZSTD, 0, OVZ_DECODER_ZSTD_THREAD },
	{ ".tar.lz4", ARCHIVE_FILTER_LZ4, 0, OVZ_DECODER_LIBARCHIVE_THREAD },
};

static void roundtrip(const struct fmt *f)
{
	if (!tu_is_root())
		TU_SKIP("needs root (mknod, chown)");
	char *base = tu_mkdtemp();
	char *src = at(base, "src"), *dst = at(base, "dst");
	char *archive = xasprintf("%s/t%s", base, f->suffix);
	mkdir(src, 0755);
	make_reference_tree(src);
	archive_tree(src, archive, f->filter);
	struct ovz_extract_stats st;
	struct ovz_error *err = NULL;
	int r = extract_path(archive, dst, f->flags, &st, &err);
	if (r < 0)
		fail_msg("extract %s: %s", f->suffix, ovz_error_message(err));
	assert_int_equal(st.decoder, f->decoder);
	assert_true(st.root_entry);
	assert_int_equal(st.xattrs_skipped, 0);
	compare_trees(src, dst);
	tu_rmrf(base);
	free(base); free(src); free(dst); free(archive);
}

static void test_roundtrip_tar(void **s) { (void)s; roundtrip(&formats[0]); }
static void test_roundtrip_gzip(void **s) { (void)s; roundtrip(&formats[1]); }
static void test_roundtrip_gzip_libdeflate(void **s) { (void)s; roundtrip(&formats[2]); }
static void test_roundtrip_bzip2(void **s) { (void)s; roundtrip(&formats[3]); }
static void test_roundtrip_xz(void **s) { (void)s; roundtrip(&formats[4]); }
static void test_roundtrip_zstd(void **s) { (void)s; roundtrip(&formats[5]); }
static void test_roundtrip_lz4(void **s) { (void)s; roundtrip(&formats[6]); }

/* Tar's own quirks: missing parents, "./" names, duplicates (last wins). */
static void test_tar_quirks(void **state)
{
	(void)state;
	char *base = tu_mkdtemp();
	char *archive = at(base, "q.tar"), *dst = at(base, "dst");
	const struct spec s[] = {
		{ "./no/parents/listed", AE_IFREG, 0644, "x", NULL, false },
		{ "dup", AE_IFREG, 0644, "first", NULL, false },
		{ "dup", AE_IFREG, 0600, "second", NULL, false },
		{ "was-link", AE_IFLNK, 0777, NULL, "target", false },
		{ "was-link", AE_IFDIR, 0750, NULL, NULL, false },
		{ ".//a//b/./c", AE_IFREG, 0644, "c", NULL, false },
		{ "hl", AE_IFREG, 0, NULL, "dup", true },
	};
	write_specs(archive, ARCHIVE_FILTER_NONE, s, ARRAY_SIZE(s));
	struct ovz_error *err = NULL;
	struct ovz_extract_stats st;
	if (extract_path(archive, dst, 0, &st, &err) < 0)
		fail_msg("%s", ovz_error_message(err));
	assert_int_equal(st.entries, ARRAY_SIZE(s));
	assert_false(st.root_entry);
	char *p = at(dst, "no/parents/listed"), *c;
	assert_string_equal((c = tu_read(p)), "x"); free(c); free(p);
	assert_string_equal((c = tu_read((p = at(dst, "dup")))), "second"); free(c); free(p);
	assert_string_equal((c = tu_read((p = at(dst, "hl")))), "second"); free(c); free(p);
	assert_string_equal((c = tu_read((p = at(dst, "a/b/c")))), "c"); free(c); free(p);
	struct stat sb;
	assert_int_equal(lstat((p = at(dst, "was-link")), &sb), 0); free(p);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0750);
	tu_rmrf(base);
	free(base); free(archive); free(dst);
}

/* ---- hostile archives ---- */

struct hostile {
	const char *what;
	const char *entry;	/* named in the message */
	const char *reason;
	struct spec specs[4];
	size_t n;
};

static const struct hostile hostiles[] = {
	{ "dotdot", "../outside/evil", "path leaves the tree",
	  { { "ok", AE_IFREG, 0644, "fine", NULL, false },
	    { "../outside/evil", AE_IFREG, 0644, "pwned", NULL, false } }, 2 },
	{ "inner dotdot", "a/../../outside/evil", "path leaves the tree",
	  { { "a/../../outside/evil", AE_IFREG, 0644, "pwned", NULL, false } }, 1 },
	{ "absolute", "/tmp/ovz-test-absolute-evil", "absolute path",
	  { { "/tmp/ovz-test-absolute-evil", AE_IFREG, 0644, "pwned", NULL, false } }, 1 },
	{ "write through symlink", "link/evil", "writes through the symlink 'link'",
	  { { "link", AE_IFLNK, 0777, NULL, "../outside", false },
	    { "link/evil", AE_IFREG, 0644, "pwned", NULL, false } }, 2 },
	{ "symlink chain", "a/evil", "writes through the symlink 'a'",
	  { { "b", AE_IFLNK, 0777, NULL, "../outside", false },
	    { "a", AE_IFLNK, 0777, NULL, "b", false },
	    { "a/evil", AE_IFREG, 0644, "pwned", NULL, false } }, 3 },
	{ "symlink to root", "d/x/outside/evil", "writes through the symlink 'd/x'",
	  { { "d/x", AE_IFLNK, 0777, NULL, "/", false },
	    { "d/x/outside/evil", AE_IFREG, 0644, "pwned", NULL, false } }, 2 },
	{ "directory replaced by a symlink", "d/evil", "writes through the symlink 'd'",
	  { { "d", AE_IFDIR, 0755, NULL, NULL, false },
	    { "d", AE_IFLNK, 0777, NULL, "../outside", false },
	    { "d/evil", AE_IFREG, 0644, "pwned", NULL, false } }, 3 },
	{ "hard link outside", "h", "outside the tree",
	  { { "h", AE_IFREG, 0, NULL, "../outside/file", true } }, 1 },
	{ "hard link absolute", "h", "outside the tree",
	  { { "h", AE_IFREG, 0, NULL, "/etc/passwd", true } }, 1 },
	{ "hard link through symlink", "h", "goes through a symlink",
	  { { "l", AE_IFLNK, 0777, NULL, "../outside", false },
	    { "h", AE_IFREG, 0, NULL, "l/file", true } }, 2 },
	{ "hard link to nothing", "h", "has not created",
	  { { "h", AE_IFREG, 0, NULL, "later", true },
	    { "later", AE_IFREG, 0644, "x", NULL, false } }, 2 },
	{ "hard link to directory", "h", "directory",
	  { { "d", AE_IFDIR, 0755, NULL, NULL, false },
	    { "h", AE_IFREG, 0, NULL, "d", true } }, 2 },
};

static void test_hostile(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(hostiles); i++) {
		const struct hostile *h = &hostiles[i];
		char *base = tu_mkdtemp();
		char *outside = at(base, "outside"), *priv = at(base, "priv"), *archive = at(base, "h.tar.gz");
		mkdir(outside, 0755);
		char *file = at(outside, "file");
		tu_write(file, "precious");
		write_specs(archive, ARCHIVE_FILTER_GZIP, h->specs, h->n);
		struct ovz_error *err = NULL;
		int r = create_from(archive, priv, NULL, &err);
		if (r != -EBADMSG)
			fail_msg("%s: got %d (%s)", h->what, r, err ? ovz_error_message(err) : "no error");
		const char *msg = ovz_error_message(err);
		char *want = xasprintf("entry '%s': ", h->entry);
		if (!strstr(msg, want) || !strstr(msg, h->reason) || !strstr(msg, "template 't'"))
			fail_msg("%s: message '%s'", h->what, msg);
		assert_int_equal(ovz_error_exit_code(EBADMSG), 1);
		assert_nothing_left(priv);
		/* nothing outside touched */
		assert_int_equal(count_entries(outside), 1);
		char *c = tu_read(file);
		assert_string_equal(c, "precious");
		assert_int_equal(count_entries(base), 2);	/* outside, archive */
		assert_false(tu_exists("/tmp/ovz-test-absolute-evil"));
		free(c); free(want);
		ovz_error_free(err);
		tu_rmrf(base);
		free(base); free(outside); free(priv); free(archive); free(file);
	}
}

static void expect_refused_specs(const struct spec *s, size_t n, const char *reason)
{
	char *base = tu_mkdtemp();
	char *priv = at(base, "priv"), *archive = at(base, "h.tar");
	write_specs(archive, ARCHIVE_FILTER_NONE, s, n);
	struct ovz_error *err = NULL;
	assert_int_equal(create_from(archive, priv, NULL, &err), -EBADMSG);
	if (!strstr(ovz_error_message(err), reason))
		fail_msg("message '%s' lacks '%s'", ovz_error_message(err), reason);
	ovz_error_free(err);
	assert_nothing_left(priv);
	tu_rmrf(base);
	free(base); free(priv); free(archive);
}

static void test_hostile_shapes(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 300; i++)
		strbuf_puts(&sb, "d/");
	strbuf_puts(&sb, "f");
	char *deep = strbuf_steal(&sb);
	const struct spec too_deep[] = { { deep, AE_IFREG, 0644, "x", NULL, false } };
	expect_refused_specs(too_deep, 1, "path too deep");
	const struct spec file_root[] = { { ".", AE_IFREG, 0644, "x", NULL, false } };
	expect_refused_specs(file_root, 1, "names the destination itself");
	const struct spec file_parent[] = { { "f", AE_IFREG, 0644, "x", NULL, false },
					    { "f/g", AE_IFREG, 0644, "y", NULL, false } };
	expect_refused_specs(file_parent, 2, "'f' is not a directory");
	free(deep);
}

/* ---- corrupt and truncated ---- */

static char *make_small_archive(const char *base, const char *name, int filter)
{
	char *src = at(base, "small-src");
	if (!tu_exists(src)) {
		mkdir(src, 0755);
		char *data = xmalloc(300000);
		for (size_t i = 0; i < 300000; i++)
			data[i] = (char)(rand() & 0x7f ? 'a' + rand() % 26 : '\n');
		data[299999] = '\0';
		for (int i = 0; i < 8; i++) {
			char *rel = xasprintf("dir%d/file%d", i % 3, i);
			put(src, rel, data, 0644);
			free(rel);
		}
		free(data);
	}
	char *archive = at(base, name);
	archive_tree(src, archive, filter);
	free(src);
	return archive;
}

static void mangle(const char *path, double at_fraction, bool truncate_file)
{
	int fd = open(path, O_RDWR);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	off_t off = (off_t)((double)st.st_size * at_fraction);
	if (truncate_file)
		assert_int_equal(ftruncate(fd, off), 0);
	else {
		char junk[64];
		memset(junk, 0x5a, sizeof(junk));
		assert_int_equal(pwrite(fd, junk, sizeof(junk), off), (ssize_t)sizeof(junk));
	}
	close(fd);
}

static void expect_refused(const char *archive, const char *priv, const char *what)
{
	struct ovz_error *err = NULL;
	int r = create_from(archive, priv, NULL, &err);
	if (r >= 0)
		fail_msg("%s: accepted", what);
	if (r != -EBADMSG)
		fail_msg("%s: %d %s", what, r, ovz_error_message(err));
	assert_non_null(strstr(ovz_error_message(err), "template 't'"));
	ovz_error_free(err);
	assert_nothing_left(priv);
}

static void test_corrupt_and_truncated(void **state)
{
	(void)state;
	char *base = tu_mkdtemp();
	char *priv = at(base, "priv");
	static const struct { const char *name; int filter; double where; bool trunc; } cases[] = {
		{ "trunc.tar", ARCHIVE_FILTER_NONE, 0.5, true },
		{ "trunc-header.tar", ARCHIVE_FILTER_NONE, 0.0005, true },
		{ "badsum.tar", ARCHIVE_FILTER_NONE, 0.0002, false },
		{ "trunc.tar.gz", ARCHIVE_FILTER_GZIP, 0.5, true },
		{ "trunc-end.tar.gz", ARCHIVE_FILTER_GZIP, 0.9999, true },
		{ "corrupt.tar.gz", ARCHIVE_FILTER_GZIP, 0.4, false },
		{ "trunc.tar.zst", ARCHIVE_FILTER_ZSTD, 0.5, true },
		/* libarchive writes zstd without a content checksum, so damage inside
		 * literals can go unnoticed; damage the frame header instead */
		{ "corrupt.tar.zst", ARCHIVE_FILTER_ZSTD, 0.0, false },
		{ "trunc.tar.xz", ARCHIVE_FILTER_XZ, 0.5, true },
		{ "corrupt.tar.bz2", ARCHIVE_FILTER_BZIP2, 0.4, false },
		{ "trunc.tar.lz4", ARCHIVE_FILTER_LZ4, 0.5, true },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *archive = make_small_archive(base, cases[i].name, cases[i].filter);
		mangle(archive, cases[i].where, cases[i].trunc);
		expect_refused(archive, priv, cases[i].name);
		free(archive);
	}
	/* gzip with a wrong CRC: the tar inside is whole, the trailer is not */
	char *archive = make_small_archive(base, "crc.tar.gz", ARCHIVE_FILTER_GZIP);
	int fd = open(archive, O_RDWR);
	struct stat st;
	fstat(fd, &st);
	unsigned char b;
	assert_int_equal(pread(fd, &b, 1, st.st_size - 8), 1);
	b ^= 0xff;
	assert_int_equal(pwrite(fd, &b, 1, st.st_size - 8), 1);
	close(fd);
	expect_refused(archive, priv, "crc");
	free(archive);
	/* not an archive at all, and an empty file */
	archive = at(base, "garbage.tar.gz");
	tu_write(archive, "this is not a tarball, just some text that is long enough to be read");
	expect_refused(archive, priv, "garbage");
	tu_write(archive, "");
	expect_refused(archive, priv, "empty");
	free(archive);
	tu_rmrf(base);
	free(base); free(priv);
}

/* ---- no space ---- */

static void test_no_space(void **state)
{
	(void)state;
	if (!have_mountns)
		TU_SKIP("needs root and a private mount namespace (tmpfs mount)");
	char *base = tu_mkdtemp();
	char *mnt = at(base, "small");
	mkdir(mnt, 0755);
	assert_int_equal(mount("tmpfs", mnt, "tmpfs", 0, "size=1m"), 0);
	char *priv = at(mnt, "101");
	/* 2.4 MB of text: known size for gzip, unknown for xz */
	char *gz = make_small_archive(base, "big.tar.gz", ARCHIVE_FILTER_GZIP);
	struct ovz_error *err = NULL;
	int r = create_from(gz, priv, NULL, &err);
	assert_int_equal(r, -ENOSPC);
	assert_non_null(strstr(ovz_error_message(err), "not enough space"));
	ovz_error_free(err);
	err = NULL;
	assert_nothing_left(priv);
	char *xz = make_small_archive(base, "big.tar.xz", ARCHIVE_FILTER_XZ);
	r = create_from(xz, priv, NULL, &err);
	assert_int_equal(r, -ENOSPC);
	assert_non_null(strstr(ovz_error_message(err), "No space left on device"));
	ovz_error_free(err);
	assert_nothing_left(priv);
	assert_int_equal(count_entries(mnt), 0);
	assert_int_equal(umount(mnt), 0);
	tu_rmrf(base);
	free(base); free(mnt); free(priv); free(gz); free(xz);
}

/* ---- interruption ---- */

static void cancel_at_first(const struct ovz_progress *p, void *ud)
{
	(void)p;
	*(volatile sig_atomic_t *)ud = 1;
}

static void kill_at_first(const struct ovz_progress *p, void *ud)
{
	(void)p; (void)ud;
	raise(SIGKILL);
}

static void test_cancel(void **state)
{
	(void)state;
	char *base = tu_mkdtemp();
	char *priv = at(base, "priv");
	char *archive = make_small_archive(base, "t.tar.gz", ARCHIVE_FILTER_GZIP);
	volatile sig_atomic_t cancel = 0;
	struct ovz_create_opts o = { .mode = OVZ_CREATE_EXTRACT, .source = archive, .no_sync = true,
				     .progress = cancel_at_first, .userdata = (void *)&cancel, .cancel = &cancel };
	struct ovz_error *err = NULL;
	assert_int_equal(ovz_private_create(priv, &o, NULL, &err), -EINTR);
	ovz_error_free(err);
	assert_nothing_left(priv);
	tu_rmrf(base);
	free(base); free(priv); free(archive);
}

static void killed_create(const char *archive, const char *priv)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ovz_create_opts o = { .mode = OVZ_CREATE_EXTRACT, .source = archive,
					     .no_sync = true, .progress = kill_at_first };
		ovz_private_create(priv, &o, NULL, NULL);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static void test_kill9_then_create_and_destroy(void **state)
{
	(void)state;
	char *base = tu_mkdtemp();
	char *priv = at(base, "priv"), *tmp = at(base, "priv.tmp"), *marker = at(base, "priv.ovz-create");
	char *archive = make_small_archive(base, "t.tar.gz", ARCHIVE_FILTER_GZIP);
	enum ovz_private_state s;

	killed_create(archive, priv);
	assert_true(tu_exists(tmp) && tu_exists(marker) && !tu_exists(priv));
	assert_int_equal(ovz_private_state(priv, &s, NULL), 0);
	assert_int_equal(s, OVZ_PRIVATE_INCOMPLETE);
	struct ovz_create_result res;
	struct ovz_error *err = NULL;
	if (create_from(archive, priv, &res, &err) < 0)
		fail_msg("%s", ovz_error_message(err));
	assert_true(res.cleaned_incomplete);
	assert_int_equal(res.path, OVZ_PATH_EXTRACT);
	assert_int_equal(ovz_private_state(priv, &s, NULL), 0);
	assert_int_equal(s, OVZ_PRIVATE_COMPLETE);
	assert_false(tu_exists(tmp) || tu_exists(marker));
	assert_int_equal(ovz_private_destroy(priv, NULL), 0);
	assert_nothing_left(priv);

	killed_create(archive, priv);
	assert_int_equal(ovz_private_destroy(priv, NULL), 0);
	assert_nothing_left(priv);
	assert_int_equal(ovz_private_destroy(priv, NULL), 0);	/* idempotent */

	/* a crash between the rename and the marker's removal */
	assert_int_equal(create_from(archive, priv, NULL, NULL), 0);
	tu_write(marker, "renaming\n");
	assert_int_equal(ovz_private_state(priv, &s, NULL), 0);
	assert_int_equal(s, OVZ_PRIVATE_INCOMPLETE);
	assert_int_equal(create_from(archive, priv, &res, NULL), 0);
	assert_true(res.cleaned_incomplete);
	assert_false(tu_exists(marker));
	tu_rmrf(base);
	free(base); free(priv); free(tmp); free(marker); free(archive);
}

static void test_target_must_be_empty(void **state)
{
	(void)state;
	char *base = tu_mkdtemp();
	char *priv = at(base, "priv"), *keep = at(base, "priv/keep");
	char *archive = make_small_archive(base, "t.tar", ARCHIVE_FILTER_NONE);
	mkdir(priv, 0755);
	assert_int_equal(create_from(archive, priv, NULL, NULL), 0);	/* empty dir is fine */
	assert_int_equal(ovz_private_destroy(priv, NULL), 0);
	tu_write(keep, "mine");
	struct ovz_error *err = NULL;
	assert_int_equal(create_from(archive, priv, NULL, &err), -EEXIST);
	assert_int_equal(ovz_error_exit_code(EEXIST), 3);
	assert_non_null(strstr(ovz_error_message(err), "not empty"));
	ovz_error_free(err);
	char *c = tu_read(keep);
	assert_string_equal(c, "mine");
	free(c);
	char *tmp = at(base, "priv.tmp"), *marker = at(base, "priv.ovz-create");
	assert_false(tu_exists(tmp) || tu_exists(marker));
	tu_rmrf(base);
	free(base); free(priv); free(keep); free(archive); free(tmp); free(marker);
}

/* destroy never follows a symlink out of the area nor crosses a mount */
static void test_destroy_stays_inside(void **state)
{
	(void)state;
	char *base = tu_mkdtemp();
	char *priv = at(base, "priv"), *outside = at(base, "outside"), *file = at(base, "outside/file");
	tu_write(file, "precious");
	char *archive = make_small_archive(base, "t.tar", ARCHIVE_FILTER_NONE);
	assert_int_equal(create_from(archive, priv, NULL, NULL), 0);
	char *link = at(priv, "escape");
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(ovz_private_destroy(priv, NULL), 0);
	assert_true(tu_exists(file));
	if (have_mountns) {
		assert_int_equal(create_from(archive, priv, NULL, NULL), 0);
		char *mnt = at(priv, "dir0");
		assert_int_equal(mount(outside, mnt, NULL, MS_BIND, NULL), 0);
		struct ovz_error *err = NULL;
		assert_int_equal(ovz_private_destroy(priv, &err), -EBUSY);
		assert_non_null(strstr(ovz_error_message(err), "mount point"));
		ovz_error_free(err);
		assert_true(tu_exists(file));
		enum ovz_private_state s;
		assert_int_equal(ovz_private_state(priv, &s, NULL), 0);
		assert_int_equal(s, OVZ_PRIVATE_INCOMPLETE);
		assert_int_equal(umount(mnt), 0);
		assert_int_equal(ovz_private_destroy(priv, NULL), 0);
		assert_nothing_left(priv);
		free(mnt);
	}
	tu_rmrf(base);
	free(base); free(priv); free(outside); free(file); free(archive); free(link);
}

/* ---- concurrency ---- */

struct racer {
	const char *archive, *priv;
	int ready_fd;		/* written once extraction is under way, or -1 */
};

static void slow_progress(const struct ovz_progress *p, void *ud)
{
	struct racer *r = ud;
	if (r->ready_fd >= 0) {
		(void)!write(r->ready_fd, "x", 1);
		close(r->ready_fd);
		r->ready_fd = -1;
		struct timespec ts = { 0, 300 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	(void)p;
}

static pid_t start_racer(struct racer *r)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid)
		return pid;
	struct ovz_create_opts o = { .mode = OVZ_CREATE_EXTRACT, .source = r->archive, .no_sync = true,
				     .progress = slow_progress, .userdata = r };
	struct ovz_error *err = NULL;
	int rc = ovz_private_create(r->priv, &o, NULL, &err);
	_exit(rc == 0 ? 0 : ovz_error_exit_code(-rc));
}

static int wait_exit(pid_t pid)
{
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_concurrent_same_ctid(void **state)
{
	(void)state;
	char *base = tu_mkdtemp();
	char *priv = at(base, "101");
	char *archive = make_small_archive(base, "t.tar.gz", ARCHIVE_FILTER_GZIP);
	/* forced overlap: the second starts while the first is extracting */
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct racer a = { archive, priv, p[1] }, b = { archive, priv, -1 };
	pid_t pa = start_racer(&a);
	close(p[1]);
	char c;
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	pid_t pb = start_racer(&b);
	int eb = wait_exit(pb), ea = wait_exit(pa);
	assert_int_equal(ea, 0);
	assert_int_equal(eb, 3);
	assert_int_equal(ovz_private_destroy(priv, NULL), 0);
	/* free-running: exactly one wins, the other exits 3 */
	for (int round = 0; round < 3; round++) {
		struct racer x = { archive, priv, -1 }, y = { archive, priv, -1 };
		pid_t px = start_racer(&x), py = start_racer(&y);
		int ex = wait_exit(px), ey = wait_exit(py);
		if (!((ex == 0 && ey == 3) || (ex == 3 && ey == 0)))
			fail_msg("round %d: exit codes %d and %d", round, ex, ey);
		enum ovz_private_state s;
		assert_int_equal(ovz_private_state(priv, &s, NULL), 0);
		assert_int_equal(s, OVZ_PRIVATE_COMPLETE);
		assert_int_equal(ovz_private_destroy(priv, NULL), 0);
	}
	tu_rmrf(base);
	free(base); free(priv); free(archive);
}

static void test_concurrent_different_ctids(void **state)
{
	(void)state;
	char *base = tu_mkdtemp();
	char *p1 = at(base, "101"), *p2 = at(base, "102");
	char *archive = make_small_archive(base, "t.tar.zst", ARCHIVE_FILTER_ZSTD);
	struct racer a = { archive, p1, -1 }, b = { archive, p2, -1 };
	pid_t pa = start_racer(&a), pb = start_racer(&b);
	assert_int_equal(wait_exit(pa), 0);
	assert_int_equal(wait_exit(pb), 0);
	compare_trees(p1, p2);
	tu_rmrf(base);
	free(base); free(p1); free(p2); free(archive);
}

/* ---- template cache, clone, overlay ---- */

static char *make_template_dir(const char *base, const char *name, const char *suffix, int filter)
{
	char *tdir = at(base, "template");
	char *cache = at(tdir, "cache");
	mkdir(tdir, 0755);
	mkdir(cache, 0755);
	char *src = at(base, "tsrc");
	if (!tu_exists(src)) {
		mkdir(src, 0755);
		make_reference_tree(src);
	}
	char *archive = xasprintf("%s/%s%s", cache, name, suffix);
	archive_tree(src, archive, filter);
	free(cache); free(src); free(archive);
	return tdir;
}

static void test_template_find(void **state)
{
	(void)state;
	char *base = tu_mkdtemp();
	char *tdir = at(base, "template"), *cache = at(base, "template/cache");
	mkdir(tdir, 0755);
	mkdir(cache, 0755);
	struct ovz_error *err = NULL;
	assert_int_equal(ovz_template_find(tdir, "debian-12", NULL, NULL, &err), -ENOENT);
	const char *m = ovz_error_message(err);
	assert_non_null(strstr(m, cache));
	assert_non_null(strstr(m, "debian-12.tar.gz"));
	assert_non_null(strstr(m, "debian-12.tar.zst"));
	ovz_error_free(err);
	err = NULL;
	assert_int_equal(ovz_template_find(tdir, "../x", NULL, NULL, &err), -EINVAL);
	ovz_error_free(err);
	/* named .tar.gz but zstd inside: the content decides */
	const struct spec s[] = { { "f", AE_IFREG, 0644, "x", NULL, false } };
	char *p = at(cache, "mislabelled.tar.gz");
	write_specs(p, ARCHIVE_FILTER_ZSTD, s, 1);
	char *found = NULL;
	enum ovz_compression c;
	assert_int_equal(ovz_template_find(tdir, "mislabelled", &found, &c, NULL), 0);
	assert_string_equal(found, p);
	assert_int_equal(c, OVZ_COMP_ZSTD);
	free(found);
	char *priv = at(base, "priv");
	struct ovz_create_opts o = { .mode = OVZ_CREATE_EXTRACT, .no_sync = true };
	struct ovz_create_result res;
	assert_int_equal(ovz_template_create(tdir, "mislabelled", priv, &o, &res, NULL), 0);
	assert_int_equal(res.extract.compression, OVZ_COMP_ZSTD);
	free(p);
	p = at(priv, "f");
	assert_true(tu_exists(p));
	tu_rmrf(base);
	free(base); free(tdir); free(cache); free(p); free(priv);
}

static void test_unpack_clone_and_list(void **state)
{
	(void)state;
	if (!tu_is_root())
		TU_SKIP("needs root (mknod, chown)");
	char *base = tu_mkdtemp();
	char *tdir = make_template_dir(base, "deb", ".tar.gz", ARCHIVE_FILTER_GZIP);
	char *src = at(base, "tsrc"), *priv = at(base, "private/101");
	char *dir = NULL;
	bool fresh = false;
	struct ovz_error *err = NULL;
	if (ovz_template_unpack(tdir, "deb", NULL, &dir, &fresh, &err) < 0)
		fail_msg("%s", ovz_error_message(err));
	assert_true(fresh);
	compare_trees(src, dir);
	char *again = NULL;
	assert_int_equal(ovz_template_unpack(tdir, "deb", NULL, &again, &fresh, NULL), 0);
	assert_false(fresh);
	assert_string_equal(dir, again);
	free(again);

	struct ovz_create_opts o = { .mode = OVZ_CREATE_CLONE, .no_sync = true };
	struct ovz_create_result res;
	if (ovz_template_create(tdir, "deb", priv, &o, &res, &err) < 0)
		fail_msg("%s", ovz_error_message(err));
	assert_true(res.path == OVZ_PATH_REFLINK || res.path == OVZ_PATH_COPY_FILE_RANGE ||
		    res.path == OVZ_PATH_COPY);
	assert_true(res.files > 5);
	print_message("# clone took the path: %s\n", ovz_create_path_name(res.path));
	compare_trees(src, priv);

	/* the archive changes: a new tree, the old one listed as stale */
	char *archive = at(tdir, "cache/deb.tar.gz");
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1700000000, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, archive, ts, 0), 0);
	char *dir2 = NULL;
	assert_int_equal(ovz_template_unpack(tdir, "deb", NULL, &dir2, &fresh, NULL), 0);
	assert_true(fresh);
	assert_string_not_equal(dir, dir2);
	struct ovz_template_info *list;
	size_t n;
	assert_int_equal(ovz_template_list(tdir, &list, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_int_equal(list[0].kind, OVZ_TEMPLATE_CACHE);
	assert_string_equal(list[0].name, "deb");
	assert_int_equal(list[0].compression, OVZ_COMP_GZIP);
	assert_int_equal(list[1].kind, OVZ_TEMPLATE_UNPACKED);
	assert_string_equal(list[1].path, dir2);
	assert_int_equal(list[1].state, OVZ_PRIVATE_COMPLETE);
	assert_int_equal(list[2].kind, OVZ_TEMPLATE_UNPACKED_STALE);
	assert_string_equal(list[2].path, dir);
	ovz_template_list_free(list, n);
	tu_rmrf(base);
	free(base); free(tdir); free(src); free(priv); free(dir); free(dir2); free(archive);
}

/* An area made before the layout moved beside it keeps PRIVATE/.ovz-overlay:
 * believed only when it names a tree of TEMPLATE/unpacked, then copied. */
static void check_legacy_layout(const char *priv, const char *tdir, const char *lower)
{
	char *beside = xasprintf("%s.ovz-overlay", priv), *inside = at(priv, ".ovz-overlay");
	char *unpacked = at(tdir, "unpacked"), *text = xasprintf("%s\n", lower);
	assert_true(tu_exists(beside));
	assert_false(tu_exists(inside));
	assert_int_equal(rename(beside, inside), 0);
	char *got = NULL;
	assert_int_equal(ovz_overlay_lower(priv, NULL, &got, NULL), 0);
	assert_null(got);	/* not looked at without the unpacked directory */
	assert_int_equal(ovz_overlay_lower(priv, unpacked, &got, NULL), 0);
	assert_string_equal(got, lower);
	free(got);
	assert_true(tu_exists(beside));	/* migrated */
	/* one naming anything else is refused */
	assert_int_equal(unlink(beside), 0);
	tu_write(inside, "/etc\n");
	struct ovz_error *err = NULL;
	assert_int_equal(ovz_overlay_lower(priv, unpacked, &got, &err), -EPERM);
	assert_non_null(strstr(ovz_error_message(err), "not an unpacked template"));
	ovz_error_free(err);
	/* a FIFO there (a bind area's own business without upper/ and work/) */
	assert_int_equal(unlink(inside), 0);
	assert_int_equal(mkfifo(inside, 0644), 0);
	err = NULL;
	assert_int_equal(ovz_overlay_lower(priv, unpacked, &got, &err), -EINVAL);
	ovz_error_free(err);
	assert_int_equal(unlink(inside), 0);
	tu_write(beside, text);
	free(beside); free(inside); free(unpacked); free(text);
}

static void test_overlay(void **state)
{
	(void)state;
	if (!have_mountns)
		TU_SKIP("needs root and a private mount namespace (overlay mount)");
	char *base = tu_mkdtemp();
	char *tdir = make_template_dir(base, "deb", ".tar.zst", ARCHIVE_FILTER_ZSTD);
	char *src = at(base, "tsrc"), *priv = at(base, "private/101"), *root = at(base, "root");
	mkdir(root, 0755);
	struct ovz_create_opts o = { .mode = OVZ_CREATE_OVERLAY, .no_sync = true };
	struct ovz_create_result res;
	struct ovz_error *err = NULL;
	if (ovz_template_create(tdir, "deb", priv, &o, &res, &err) < 0)
		fail_msg("%s", ovz_error_message(err));
	assert_int_equal(res.path, OVZ_PATH_OVERLAY);
	char *lower = NULL;
	assert_int_equal(ovz_overlay_lower(priv, NULL, &lower, NULL), 0);
	assert_non_null(lower);
	if (ovz_overlay_mount(priv, lower, root, &err) < 0)
		fail_msg("%s", ovz_error_message(err));
	compare_trees(src, root);
	char *newf = at(root, "etc/new"), *up = at(priv, "upper/etc/new"), *lowerf = at(lower, "etc/new");
	tu_write(newf, "written in the container");
	assert_true(tu_exists(up));
	assert_false(tu_exists(lowerf));
	assert_int_equal(umount(root), 0);
	check_legacy_layout(priv, tdir, lower);
	assert_int_equal(ovz_private_destroy(priv, NULL), 0);
	assert_nothing_left(priv);
	assert_true(tu_exists(lower));
	tu_rmrf(base);
	free(base); free(tdir); free(src); free(priv); free(root); free(lower); free(newf); free(up); free(lowerf);
}

static int set_flags(const char *path, int add)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int flags = 0, r = -1;
	if (fd >= 0 && ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
		flags |= add;
		r = ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	if (fd >= 0)
		close(fd);
	return r;
}

/* No depth limit, one descriptor at a time, immutable and append-only
 * flags cleared (issue 13: a 600-level tree or chattr +i made a container
 * undestroyable). */
static void test_destroy_deep_and_immutable(void **state)
{
	(void)state;
	char *base = tu_mkdtemp();
	char *priv = at(base, "private/101");
	assert_int_equal(mkdir(at(base, "private"), 0700), 0);
	assert_int_equal(mkdir(priv, 0755), 0);
	int fd = open(priv, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	for (int i = 0; i < 3000; i++) {	/* deeper than PATH_MAX allows to name */
		assert_int_equal(mkdirat(fd, "dd", 0755), 0);
		int next = openat(fd, "dd", O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		if (i == 1500) {
			int f = openat(next, "file", O_WRONLY | O_CREAT, 0644);
			close(f);
		}
		close(fd);
		fd = next;
	}
	close(fd);
	char *top = at(priv, "immutable"), *dir = at(priv, "appendonly"), *in = at(dir, "x");
	tu_write(top, "x");
	assert_int_equal(mkdir(dir, 0755), 0);
	tu_write(in, "y");
	bool flags = tu_is_root() && set_flags(top, FS_IMMUTABLE_FL) == 0 &&
		     set_flags(in, FS_APPEND_FL) == 0 && set_flags(dir, FS_IMMUTABLE_FL) == 0;
	if (!flags)
		print_message("NOTE: chattr flags not checked (needs root and a filesystem with them)\n");
	struct ovz_error *err = NULL;
	if (ovz_private_destroy(priv, &err) < 0)
		fail_msg("%s", ovz_error_message(err));
	assert_nothing_left(priv);
	tu_rmrf(base);
	free(base); free(priv); free(top); free(dir); free(in);
}

/* On a filesystem with reflinks (xfs on a loop device), clone shares extents. */
static void test_clone_reflink(void **state)
{
	(void)state;
	if (!have_mountns)
		TU_SKIP("needs root and a private mount namespace (loop mount)");
	if (access("/usr/sbin/mkfs.xfs", X_OK) != 0 && access("/sbin/mkfs.xfs", X_OK) != 0)
		TU_SKIP("needs mkfs.xfs (xfsprogs, scripts/deps.sh build)");
	char *base = tu_mkdtemp();
	char *img = at(base, "xfs.img"), *mnt = at(base, "mnt");
	mkdir(mnt, 0755);
	int fd = open(img, O_WRONLY | O_CREAT, 0600);
	assert_int_equal(ftruncate(fd, 512 << 20), 0);
	close(fd);
	char *mkfs[] = { "mkfs.xfs", "-q", "-m", "reflink=1", img, NULL };
	struct tu_run r = tu_runv(mkfs, NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	char *los[] = { "losetup", "--find", "--show", img, NULL };
	r = tu_runv(los, NULL);
	if (r.status != 0) {
		tu_run_free(&r);
		tu_rmrf(base);
		TU_SKIP("no loop device available");
	}
	char *dev = xstrndup(r.out, strcspn(r.out, "\n"));
	tu_run_free(&r);
	assert_int_equal(mount(dev, mnt, "xfs", 0, NULL), 0);
	char *tdir = make_template_dir(mnt, "deb", ".tar.gz", ARCHIVE_FILTER_GZIP);
	char *src = at(mnt, "tsrc"), *priv = at(mnt, "private/101");
	struct ovz_create_opts o = { .mode = OVZ_CREATE_CLONE, .no_sync = true };
	struct ovz_create_result res;
	struct ovz_error *err = NULL;
	if (ovz_template_create(tdir, "deb", priv, &o, &res, &err) < 0)
		fail_msg("%s", ovz_error_message(err));
	assert_int_equal(res.path, OVZ_PATH_REFLINK);
	compare_trees(src, priv);
	assert_int_equal(ovz_private_destroy(priv, NULL), 0);
	assert_int_equal(umount(mnt), 0);
	char *det[] = { "losetup", "-d", dev, NULL };
	r = tu_runv(det, NULL);
	tu_run_free(&r);
	tu_rmrf(base);
	free(base); free(img); free(mnt); free(dev); free(tdir); free(src); free(priv);
}

/* Two zstd frames with content sizes (as zstd(1) writes them): the size
 * hint adds them up, and the stream continues across the frame boundary. */
static void test_zstd_frames(void **state)
{
	(void)state;
	char *base = tu_mkdtemp();
	char *tar = make_small_archive(base, "t.tar", ARCHIVE_FILTER_NONE);
	size_t len = 0;
	char *data = NULL;
	{
		struct stat st;
		assert_int_equal(stat(tar, &st), 0);
		len = (size_t)st.st_size;
		int fd = open(tar, O_RDONLY);
		data = xmalloc(len);
		assert_int_equal(read(fd, data, len), (ssize_t)len);
		close(fd);
	}
	size_t cap = ZSTD_compressBound(len) + 64;
	char *z = xmalloc(cap);
	size_t half = len / 3;
	size_t a = ZSTD_compress(z, cap, data, half, 3);
	size_t b = ZSTD_compress(z + a, cap - a, data + half, len - half, 3);
	assert_false(ZSTD_isError(a) || ZSTD_isError(b));
	char *zpath = at(base, "two.tar.zst");
	int fd = open(zpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(fd, z, a + b), (ssize_t)(a + b));
	close(fd);
	fd = open(zpath, O_RDONLY);
	assert_int_equal(ovz_archive_size_hint(fd, OVZ_COMP_ZSTD), len);
	close(fd);
	char *d1 = at(base, "d1"), *d2 = at(base, "d2");
	struct ovz_extract_stats st;
	assert_int_equal(extract_path(tar, d1, 0, NULL, NULL), 0);
	assert_int_equal(extract_path(zpath, d2, 0, &st, NULL), 0);
	assert_int_equal(st.size_hint, len);
	compare_trees(d1, d2);
	/* truncated inside the second frame */
	assert_int_equal(truncate(zpath, (off_t)(a + b / 2)), 0);
	fd = open(zpath, O_RDONLY);
	assert_int_equal(ovz_archive_size_hint(fd, OVZ_COMP_ZSTD), 0);
	close(fd);
	char *d3 = at(base, "d3");
	struct ovz_error *err = NULL;
	assert_int_equal(extract_path(zpath, d3, 0, NULL, &err), -EBADMSG);
	ovz_error_free(err);
	tu_rmrf(base);
	free(base); free(tar); free(data); free(z); free(zpath); free(d1); free(d2); free(d3);
}

static void count_progress(const struct ovz_progress *p, void *ud)
{
	struct ovz_progress *last = ud;
	*last = *p;
}

static void test_progress(void **state)
{
	(void)state;
	char *base = tu_mkdtemp();
	char *archive = make_small_archive(base, "t.tar.gz", ARCHIVE_FILTER_GZIP), *dst = at(base, "d");
	mkdir(dst, 0700);
	int afd = open(archive, O_RDONLY), dfd = open(dst, O_PATH | O_DIRECTORY);
	struct ovz_progress last = { 0 };
	struct ovz_extract_opts o = { .progress = count_progress, .userdata = &last };
	struct ovz_extract_stats st;
	assert_int_equal(ovz_extract(afd, dfd, &o, &st, NULL), 0);
	assert_int_equal(last.entries, st.entries);
	assert_int_equal(last.bytes_out, 8 * 299999);
	assert_int_equal(last.total_out, st.size_hint);
	assert_true(last.bytes_in > 0);
	close(afd);
	close(dfd);
	tu_rmrf(base);
	free(base); free(archive); free(dst);
}

static bool enter_mount_namespace(void)
{
	if (!tu_is_root())
		return false;
	if (unshare(CLONE_NEWNS) < 0)
		return false;
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
}

int main(void)
{
	have_mountns = enter_mount_namespace();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_tar),
		cmocka_unit_test(test_roundtrip_gzip),
		cmocka_unit_test(test_roundtrip_gzip_libdeflate),
		cmocka_unit_test(test_roundtrip_bzip2),
		cmocka_unit_test(test_roundtrip_xz),
		cmocka_unit_test(test_roundtrip_zstd),
		cmocka_unit_test(test_roundtrip_lz4),
		cmocka_unit_test(test_tar_quirks),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_hostile_shapes),
		cmocka_unit_test(test_corrupt_and_truncated),
		cmocka_unit_test(test_no_space),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_kill9_then_create_and_destroy),
		cmocka_unit_test(test_target_must_be_empty),
		cmocka_unit_test(test_destroy_stays_inside),
		cmocka_unit_test(test_concurrent_same_ctid),
		cmocka_unit_test(test_concurrent_different_ctids),
		cmocka_unit_test(test_template_find),
		cmocka_unit_test(test_unpack_clone_and_list),
		cmocka_unit_test(test_overlay),
		cmocka_unit_test(test_destroy_deep_and_immutable),
		cmocka_unit_test(test_clone_reflink),
		cmocka_unit_test(test_zstd_frames),
		cmocka_unit_test(test_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
