// SPDX-License-Identifier: LGPL-2.1-or-later
#include "fs/stream.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "fs/codecs.h"
#include "fs/libarchive.h"

/* Four 1 MiB blocks: enough slack that neither side waits on the other for
 * ordinary jitter.  Plain tar goes through the thread too: pread into
 * blocks measured faster than faulting in a mapping of the archive. */
#define N_BLOCKS 4
#define BLOCK_SIZE (1u << 20)
#define IN_CHUNK (256u << 10)
/* libdeflate needs the whole output in memory; above this we stream. */
#define WHOLE_GZIP_MAX_IN ((uint64_t)1 << 30)
#define WHOLE_GZIP_MAX_OUT ((uint64_t)3 << 30)

struct block {
	char *data;
	size_t len;
};

struct ovz_stream {
	int fd;
	uint64_t file_size;
	enum ovz_compression comp;
	enum ovz_decoder decoder;
	_Atomic uint64_t bytes_in;

	/* whole-buffer modes */
	void *in_map;		/* the archive mapped */
	void *out_map;		/* libdeflate output (anonymous) */
	size_t out_map_len;
	const char *whole;
	size_t whole_len;
	bool whole_done;

	/* thread mode */
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t mu;
	pthread_cond_t cv_full, cv_free;
	struct block blocks[N_BLOCKS];
	unsigned head, count;	/* count includes the block the reader holds */
	bool holding, eof, stop;
	int error;		/* negative errno from the decoder */
	char *errmsg;

	/* decoder state, used only by the thread */
	uint64_t in_off;
	char *inbuf;
	z_stream z;
	bool z_between;		/* at a gzip member boundary */
	ZSTD_DStream *zs;
	ZSTD_inBuffer zin;
	size_t zret;		/* last ZSTD_decompressStream result: 0 = frame done */
	struct archive *raw;
	lzma_stream lz;
	bool lz_init, lz_done, in_eof;
};

/* la()->archive_error_string() may return NULL */
static const char *archive_msg(struct archive *a)
{
	const char *m = la()->archive_error_string(a);
	return m ? m : "unknown libarchive error";
}

static void set_decoder_error(struct ovz_stream *s, int errnum, const char *fmt, ...) OVZ_PRINTF(3, 4);
static void set_decoder_error(struct ovz_stream *s, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&s->mu);
	if (!s->error) {
		s->error = -errnum;
		s->errmsg = m;
		m = NULL;
	}
	pthread_cond_broadcast(&s->cv_full);
	pthread_mutex_unlock(&s->mu);
	free(m);
}

/* ---- decoders, each fills buf and returns bytes, 0 at the end, <0 error ---- */

static ssize_t read_input(struct ovz_stream *s, size_t cap)
{
	ssize_t n;
	do
		n = pread(s->fd, s->inbuf, cap, (off_t)s->in_off);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		set_decoder_error(s, errno, "reading archive: %s", strerror(errno));
		return -errno;
	}
	s->in_off += (uint64_t)n;
	atomic_store_explicit(&s->bytes_in, s->in_off, memory_order_relaxed);
	return n;
}

static ssize_t fill_zlib(struct ovz_stream *s, char *buf, size_t cap)
{
	z_stream *z = &s->z;
	z->next_out = (Bytef *)buf;
	z->avail_out = (uInt)cap;
	while (z->avail_out > 0) {
		if (z->avail_in == 0) {
			ssize_t n = read_input(s, IN_CHUNK);
			if (n < 0)
				return n;
			if (n == 0) {
				if (s->z_between)
					break;	/* ended cleanly on a member boundary */
				set_decoder_error(s, EBADMSG, "gzip stream is truncated");
				return -EBADMSG;
			}
			z->next_in = (Bytef *)s->inbuf;
			z->avail_in = (uInt)n;
		}
		if (s->z_between && z->next_in[0] != 0x1f) {
			/* trailing bytes after the last member: like gzip, ignore zeros */
			z->avail_in = 0;
			continue;
		}
		s->z_between = false;
		int r = cx()->inflate(z, Z_NO_FLUSH);
		if (r == Z_STREAM_END) {
			cx()->inflateReset(z);
			s->z_between = true;	/* a further member may follow */
		} else if (r != Z_OK && r != Z_BUF_ERROR) {
			set_decoder_error(s, EBADMSG, "corrupt gzip data: %s",
					  z->msg ? z->msg : "inflate failed");
			return -EBADMSG;
		}
	}
	return (ssize_t)(cap - z->avail_out);
}

static ssize_t fill_zstd(struct ovz_stream *s, char *buf, size_t cap)
{
	ZSTD_outBuffer out = { buf, cap, 0 };
	while (out.pos < out.size) {
		if (s->zin.pos == s->zin.size) {
			ssize_t n = read_input(s, IN_CHUNK);
			if (n < 0)
				return n;
			if (n == 0) {
				if (s->zret == 0)
					break;
				set_decoder_error(s, EBADMSG, "zstd stream is truncated");
				return -EBADMSG;
			}
			s->zin = (ZSTD_inBuffer){ s->inbuf, (size_t)n, 0 };
		}
		s->zret = cx()->ZSTD_decompressStream(s->zs, &out, &s->zin);
		if (cx()->ZSTD_isError(s->zret)) {
			set_decoder_error(s, EBADMSG, "corrupt zstd data: %s",
					  cx()->ZSTD_getErrorName(s->zret));
			return -EBADMSG;
		}
	}
	return (ssize_t)out.pos;
}

static ssize_t fill_xz(struct ovz_stream *s, char *buf, size_t cap)
{
	lzma_stream *z = &s->lz;
	if (s->lz_done)
		return 0;
	z->next_out = (uint8_t *)buf;
	z->avail_out = cap;
	while (z->avail_out > 0) {
		if (z->avail_in == 0 && !s->in_eof) {
			ssize_t n = read_input(s, IN_CHUNK);
			if (n < 0)
				return n;
			s->in_eof = n == 0;
			z->next_in = (const uint8_t *)s->inbuf;
			z->avail_in = (size_t)n;
		}
		/* LZMA_FINISH tells the concatenated-streams decoder no more follow */
		lzma_ret r = cx()->lzma_code(z, s->in_eof ? LZMA_FINISH : LZMA_RUN);
		if (r == LZMA_STREAM_END) {
			s->lz_done = true;
			break;
		}
		if (r == LZMA_OK)
			continue;
		if (r == LZMA_BUF_ERROR && s->in_eof) {
			set_decoder_error(s, EBADMSG, "xz stream is truncated");
			return -EBADMSG;
		}
		set_decoder_error(s, EBADMSG, "corrupt xz data (liblzma error %d)", (int)r);
		return -EBADMSG;
	}
	return (ssize_t)(cap - z->avail_out);
}

static ssize_t fill_raw(struct ovz_stream *s, char *buf, size_t cap)
{
	size_t got = 0;
	while (got < cap) {
		la_ssize_t n = la()->archive_read_data(s->raw, buf + got, cap - got);
		if (n < 0) {
			set_decoder_error(s, EBADMSG, "corrupt %s data: %s",
					  ovz_compression_name(s->comp), archive_msg(s->raw));
			return -EBADMSG;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	int64_t pos = la()->archive_filter_bytes(s->raw, -1);
	if (pos > 0)
		atomic_store_explicit(&s->bytes_in, (uint64_t)pos, memory_order_relaxed);
	return (ssize_t)got;
}

static ssize_t fill_plain(struct ovz_stream *s, char *buf, size_t cap)
{
	size_t got = 0;
	while (got < cap) {
		ssize_t n;
		do
			n = pread(s->fd, buf + got, cap - got, (off_t)s->in_off);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			set_decoder_error(s, errno, "reading archive: %s", strerror(errno));
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		s->in_off += (uint64_t)n;
	}
	atomic_store_explicit(&s->bytes_in, s->in_off, memory_order_relaxed);
	return (ssize_t)got;
}

static ssize_t fill(struct ovz_stream *s, char *buf, size_t cap)
{
	switch (s->decoder) {
	case OVZ_DECODER_NONE:
		return fill_plain(s, buf, cap);
	case OVZ_DECODER_ZLIB_THREAD:
		return fill_zlib(s, buf, cap);
	case OVZ_DECODER_ZSTD_THREAD:
		return fill_zstd(s, buf, cap);
	case OVZ_DECODER_LIBARCHIVE_THREAD:
		return fill_raw(s, buf, cap);
	case OVZ_DECODER_XZ_THREAD:
		return fill_xz(s, buf, cap);
	default:
		return -EINVAL;
	}
}

static void *decoder_thread(void *arg)
{
	struct ovz_stream *s = arg;
	unsigned tail = 0;
	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->count == N_BLOCKS && !s->stop)
			pthread_cond_wait(&s->cv_free, &s->mu);
		bool stop = s->stop;
		pthread_mutex_unlock(&s->mu);
		if (stop)
			return NULL;

		struct block *b = &s->blocks[tail];
		ssize_t n = fill(s, b->data, BLOCK_SIZE);
		if (n < 0)
			return NULL;	/* error already recorded and signalled */
		pthread_mutex_lock(&s->mu);
		if (n == 0)
			s->eof = true;
		else {
			b->len = (size_t)n;
			s->count++;
			tail = (tail + 1) % N_BLOCKS;
		}
		pthread_cond_broadcast(&s->cv_full);
		pthread_mutex_unlock(&s->mu);
		if (n == 0)
			return NULL;
	}
}

static ssize_t next_threaded(struct ovz_stream *s, const void **buf)
{
	pthread_mutex_lock(&s->mu);
	if (s->holding) {
		s->holding = false;
		s->head = (s->head + 1) % N_BLOCKS;
		s->count--;
		pthread_cond_signal(&s->cv_free);
	}
	/* blocks already decoded are delivered before an error or the end */
	while (s->count == 0 && !s->eof && !s->error)
		pthread_cond_wait(&s->cv_full, &s->mu);
	ssize_t r;
	if (s->count > 0) {
		*buf = s->blocks[s->head].data;
		r = (ssize_t)s->blocks[s->head].len;
		s->holding = true;
	} else
		r = s->error ? s->error : 0;
	pthread_mutex_unlock(&s->mu);
	return r;
}

ssize_t ovz_stream_next(struct ovz_stream *s, const void **buf)
{
	if (s->thread_started)
		return next_threaded(s, buf);
	if (s->whole_done)
		return 0;
	s->whole_done = true;
	*buf = s->whole;
	atomic_store_explicit(&s->bytes_in, s->file_size, memory_order_relaxed);
	return (ssize_t)s->whole_len;
}

uint64_t ovz_stream_bytes_in(struct ovz_stream *s)
{
	return atomic_load_explicit(&s->bytes_in, memory_order_relaxed);
}

enum ovz_decoder ovz_stream_decoder(struct ovz_stream *s)
{
	return s->decoder;
}

/* ---- set-up ---- */

static int map_input(struct ovz_stream *s, struct ovz_error **err)
{
	if (s->file_size == 0) {
		s->whole = "";
		return 0;
	}
	if (s->file_size > SIZE_MAX)
		return ovz_error_set(err, EFBIG, "archive too large to map");
	s->in_map = mmap(NULL, (size_t)s->file_size, PROT_READ, MAP_PRIVATE, s->fd, 0);
	if (s->in_map == MAP_FAILED) {
		s->in_map = NULL;
		return ovz_error_sys(err, errno, "mapping the archive");
	}
	madvise(s->in_map, (size_t)s->file_size, MADV_SEQUENTIAL | MADV_WILLNEED);
	s->whole = s->in_map;
	s->whole_len = (size_t)s->file_size;
	return 0;
}

static uint32_t gzip_isize(const struct ovz_stream *s)
{
	const unsigned char *p = (const unsigned char *)s->in_map + s->file_size - 4;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool whole_gzip_fits(const struct ovz_stream *s, uint64_t out_len)
{
	if (s->file_size < 18 || s->file_size > WHOLE_GZIP_MAX_IN)
		return false;
	if (out_len < s->file_size / 2 || out_len > WHOLE_GZIP_MAX_OUT)
		return false;
	long pages = sysconf(_SC_AVPHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	return pages > 0 && psz > 0 && out_len <= (uint64_t)pages * (uint64_t)psz / 2;
}

/* One libdeflate pass over a single-member gzip whose ISIZE is believable.
 * Returns 1 on success, 0 to fall back to streaming, <0 on a real error. */
static int try_whole_gzip(struct ovz_stream *s, struct ovz_error **err)
{
	int r = map_input(s, err);
	if (r < 0)
		return r;
	if (s->file_size < 18)
		return 0;
	uint64_t out_len = gzip_isize(s);
	if (!whole_gzip_fits(s, out_len))
		return 0;
	size_t cap = (size_t)out_len + 1;	/* +1 tells a wrapped ISIZE apart */
	void *out = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (out == MAP_FAILED)
		return 0;
	madvise(out, cap, MADV_HUGEPAGE);
	struct libdeflate_decompressor *d = cx()->libdeflate_alloc_decompressor();
	if (!d)
		oom();
	size_t in_used = 0, out_used = 0;
	enum libdeflate_result res = cx()->libdeflate_gzip_decompress_ex(d, s->in_map, (size_t)s->file_size,
								   out, cap, &in_used, &out_used);
	cx()->libdeflate_free_decompressor(d);
	if (res == LIBDEFLATE_SUCCESS && out_used == out_len && in_used == s->file_size) {
		s->out_map = out;
		s->out_map_len = cap;
		s->whole = out;
		s->whole_len = out_used;
		s->decoder = OVZ_DECODER_LIBDEFLATE;
		return 1;
	}
	munmap(out, cap);
	if (res == LIBDEFLATE_BAD_DATA)
		return ovz_error_set(err, EBADMSG, "corrupt gzip data");
	/* more members, trailing bytes, or an ISIZE that wrapped: stream it */
	return 0;
}

static int init_raw(struct ovz_stream *s, struct ovz_error **err)
{
	if (!ovz_libarchive(err))
		return -ELIBACC;
	s->raw = la()->archive_read_new();
	if (!s->raw)
		oom();
	int r;
	switch (s->comp) {
	case OVZ_COMP_BZIP2: r = la()->archive_read_support_filter_bzip2(s->raw); break;
	case OVZ_COMP_LZ4: r = la()->archive_read_support_filter_lz4(s->raw); break;
	default: r = ARCHIVE_FATAL; break;
	}
	/* ARCHIVE_WARN means libarchive would run an external program: refuse */
	if (r != ARCHIVE_OK)
		return ovz_error_set(err, ENOTSUP, "no in-process %s decoder in libarchive",
				     ovz_compression_name(s->comp));
	la()->archive_read_support_format_raw(s->raw);
	if (lseek(s->fd, 0, SEEK_SET) < 0)
		return ovz_error_sys(err, errno, "seeking the archive");
	if (la()->archive_read_open_fd(s->raw, s->fd, IN_CHUNK) != ARCHIVE_OK)
		return ovz_error_set(err, EBADMSG, "%s", archive_msg(s->raw));
	struct archive_entry *e;
	if (la()->archive_read_next_header(s->raw, &e) != ARCHIVE_OK)
		return ovz_error_set(err, EBADMSG, "corrupt %s data: %s",
				     ovz_compression_name(s->comp), archive_msg(s->raw));
	return 0;
}

/* liblzma decodes the blocks of a multi-block .xz (xz -T) in parallel; a
 * single-block file decodes on one thread, as before. */
static int init_xz(struct ovz_stream *s, struct ovz_error **err)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	lzma_mt mt = {
		.flags = LZMA_CONCATENATED | LZMA_FAIL_FAST,
		.threads = cpus < 1 ? 1 : cpus > 4 ? 4 : (uint32_t)cpus,
		.memlimit_threading = (uint64_t)512 << 20,
		.memlimit_stop = UINT64_MAX,
	};
	s->lz = (lzma_stream)LZMA_STREAM_INIT;
	lzma_ret r = cx()->lzma_stream_decoder_mt(&s->lz, &mt);
	if (r != LZMA_OK)
		return ovz_error_set(err, r == LZMA_MEM_ERROR ? ENOMEM : EINVAL,
				     "cannot start the xz decoder (liblzma error %d)", (int)r);
	s->lz_init = true;
	return 0;
}

static int init_decoder(struct ovz_stream *s, struct ovz_error **err)
{
	switch (s->comp) {
	case OVZ_COMP_NONE:
		s->decoder = OVZ_DECODER_NONE;
		return 0;
	case OVZ_COMP_GZIP:
		s->decoder = OVZ_DECODER_ZLIB_THREAD;
		if (cx()->inflateInit2_(&s->z, 15 + 16, ZLIB_VERSION, (int)sizeof(z_stream)) != Z_OK)
			oom();
		return 0;
	case OVZ_COMP_ZSTD:
		s->decoder = OVZ_DECODER_ZSTD_THREAD;
		s->zs = cx()->ZSTD_createDStream();
		if (!s->zs)
			oom();
		cx()->ZSTD_initDStream(s->zs);
		s->zret = 1;
		return 0;
	case OVZ_COMP_XZ:
		s->decoder = OVZ_DECODER_XZ_THREAD;
		return init_xz(s, err);
	default:
		s->decoder = OVZ_DECODER_LIBARCHIVE_THREAD;
		return init_raw(s, err);
	}
}

static int start_thread(struct ovz_stream *s, struct ovz_error **err)
{
	int r = init_decoder(s, err);
	if (r < 0)
		return r;
	s->inbuf = xmalloc(IN_CHUNK);
	for (unsigned i = 0; i < N_BLOCKS; i++)
		s->blocks[i].data = xmalloc(BLOCK_SIZE);
	r = pthread_create(&s->thread, NULL, decoder_thread, s);
	if (r)
		return ovz_error_sys(err, r, "starting the decoder thread");
	s->thread_started = true;
	return 0;
}

int ovz_stream_open(int fd, enum ovz_compression c, uint64_t size_hint, unsigned flags,
		    struct ovz_stream **out, struct ovz_error **err)
{
	(void)size_hint;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return ovz_error_sys(err, errno, "stat archive");
	if (!S_ISREG(st.st_mode))
		return ovz_error_set(err, EINVAL, "archive is not a regular file");
	if (!ovz_codecs(err))
		return -ELIBACC;
	struct ovz_stream *s = xcalloc(1, sizeof(*s));
	s->fd = fd;
	s->file_size = (uint64_t)st.st_size;
	s->comp = c;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv_full, NULL);
	pthread_cond_init(&s->cv_free, NULL);
	int r = 0;
	if (c == OVZ_COMP_GZIP && (flags & OVZ_EXTRACT_LIBDEFLATE))
		r = try_whole_gzip(s, err);
	if (r == 0)
		r = start_thread(s, err);
	else if (r > 0)
		r = 0;
	if (r < 0) {
		ovz_stream_close(s, NULL);
		return r;
	}
	*out = s;
	return 0;
}

int ovz_stream_close(struct ovz_stream *s, struct ovz_error **err)
{
	if (!s)
		return 0;
	if (s->thread_started) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_broadcast(&s->cv_free);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
	}
	int r = 0;
	if (s->error)
		r = ovz_error_set(err, -s->error, "%s", s->errmsg);
	free(s->errmsg);
	for (unsigned i = 0; i < N_BLOCKS; i++)
		free(s->blocks[i].data);
	free(s->inbuf);
	if (s->decoder == OVZ_DECODER_ZLIB_THREAD)
		cx()->inflateEnd(&s->z);
	cx()->ZSTD_freeDStream(s->zs);
	if (s->lz_init)
		cx()->lzma_end(&s->lz);
	if (s->raw)
		la()->archive_read_free(s->raw);
	if (s->in_map)
		munmap(s->in_map, (size_t)s->file_size);
	if (s->out_map)
		munmap(s->out_map, s->out_map_len);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv_full);
	pthread_cond_destroy(&s->cv_free);
	free(s);
	return r;
}
