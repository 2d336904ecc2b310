// SPDX-License-Identifier: LGPL-2.1-or-later
/* Drives the template library the way `ovz-native create` does, for
 * bench/template-bench.sh:
 *   ovz-template-bench extract ARCHIVE DESTDIR [--libdeflate]
 * Prints the decoder used and the counts on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/extract.h"

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
	int r = ovz_extract(afd, dfd, &o, &st, &err);
	if (r < 0) {
		fprintf(stderr, "error: %s\n", ovz_error_message(err));
		ovz_error_free(err);
		return 2;
	}
	fprintf(stderr, "decoder: %s, %llu entries, %llu bytes\n", ovz_decoder_name(st.decoder),
		(unsigned long long)st.entries, (unsigned long long)st.bytes_out);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "extract"))
		return do_extract(argv[2], argv[3],
				  argc > 4 && !strcmp(argv[4], "--libdeflate") ? OVZ_EXTRACT_LIBDEFLATE : 0);
	fprintf(stderr, "usage: %s extract ARCHIVE DEST [--libdeflate]\n", argv[0]);
	return 1;
}
