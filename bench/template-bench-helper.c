// SPDX-License-Identifier: LGPL-2.1-or-later
/* Drives the template library exactly as `ovz-native create` and
 * `template unpack` do, for bench/template-bench.sh:
 *   ovz-template-bench extract ARCHIVE DESTDIR [--libdeflate]
 *   ovz-template-bench unpack TEMPLATE_DIR NAME
 *   ovz-template-bench create TEMPLATE_DIR NAME PRIVATE [--clone|--overlay] [--no-sync]
 *   ovz-template-bench destroy PRIVATE
 * Says on stderr which path it took. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/extract.h"
#include "fs/private.h"
#include "fs/template.h"

static int fail(struct ovz_error *err)
{
	fprintf(stderr, "error: %s\n", ovz_error_message(err));
	int code = ovz_error_exit_code(err->errnum);
	ovz_error_free(err);
	return code;
}

static bool has_flag(int argc, char **argv, int from, const char *flag)
{
	for (int i = from; i < argc; i++)
		if (!strcmp(argv[i], flag))
			return true;
	return false;
}

static int do_extract(const char *archive, const char *dest, unsigned flags)
{
	int afd = open(archive, O_RDONLY | O_CLOEXEC);
	if (afd < 0 || (mkdir(dest, 0700) < 0 && errno != EEXIST)) {
		perror(archive);
		return 2;
	}
	int dfd = open(dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct ovz_extract_opts o = { .name = archive, .flags = flags };
	struct ovz_extract_stats st;
	struct ovz_error *err = NULL;
	if (ovz_extract(afd, dfd, &o, &st, &err) < 0)
		return fail(err);
	fprintf(stderr, "decoder: %s, %llu entries, %llu bytes, size hint %llu\n", ovz_decoder_name(st.decoder),
		(unsigned long long)st.entries, (unsigned long long)st.bytes_out,
		(unsigned long long)st.size_hint);
	return 0;
}

static int do_unpack(const char *tdir, const char *name)
{
	char *dir;
	bool fresh;
	struct ovz_error *err = NULL;
	if (ovz_template_unpack(tdir, name, NULL, &dir, &fresh, &err) < 0)
		return fail(err);
	fprintf(stderr, "%s: %s\n", fresh ? "unpacked" : "up to date", dir);
	free(dir);
	return 0;
}

static int do_create(int argc, char **argv)
{
	struct ovz_create_opts o = { .mode = OVZ_CREATE_EXTRACT };
	if (has_flag(argc, argv, 5, "--clone"))
		o.mode = OVZ_CREATE_CLONE;
	if (has_flag(argc, argv, 5, "--overlay"))
		o.mode = OVZ_CREATE_OVERLAY;
	o.no_sync = has_flag(argc, argv, 5, "--no-sync");
	struct ovz_create_result res;
	struct ovz_error *err = NULL;
	if (ovz_template_create(argv[2], argv[3], argv[4], &o, &res, &err) < 0)
		return fail(err);
	fprintf(stderr, "created by %s", ovz_create_path_name(res.path));
	if (res.path == OVZ_PATH_EXTRACT)
		fprintf(stderr, " (%s)", ovz_decoder_name(res.extract.decoder));
	fprintf(stderr, "\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "extract"))
		return do_extract(argv[2], argv[3], has_flag(argc, argv, 4, "--libdeflate") ? OVZ_EXTRACT_LIBDEFLATE : 0);
	if (argc == 4 && !strcmp(argv[1], "unpack"))
		return do_unpack(argv[2], argv[3]);
	if (argc >= 5 && !strcmp(argv[1], "create"))
		return do_create(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "destroy")) {
		struct ovz_error *err = NULL;
		return ovz_private_destroy(argv[2], &err) < 0 ? fail(err) : 0;
	}
	fprintf(stderr, "usage: %s extract ARCHIVE DEST [--libdeflate]\n"
		"       %s unpack TEMPLATE_DIR NAME\n"
		"       %s create TEMPLATE_DIR NAME PRIVATE [--clone|--overlay] [--no-sync]\n"
		"       %s destroy PRIVATE\n", argv[0], argv[0], argv[0], argv[0]);
	return 1;
}
