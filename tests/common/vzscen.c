// SPDX-License-Identifier: LGPL-2.1-or-later
#include "vzscen.h"

#include "core/util.h"
#include "net/netlink.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VZEMU_UNSUPPORTED 77

static int failures;

void vzs_check(bool ok, const char *fmt, ...)
{
	if (ok)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	failures++;
}

int vzs_status(void)
{
	return failures ? 1 : 0;
}

void vzs_expect_run(struct tu_run r, int status, const char *out_has, const char *what)
{
	vzs_check(r.status == status, "%s: exit %d (want %d): %s%s", what, r.status, status,
		  r.out, r.err);
	if (out_has)
		vzs_check(r.out && strstr(r.out, out_has), "%s: output lacks '%s': %s", what,
			  out_has, r.out);
	tu_run_free(&r);
}

char *vzs_slurp(const char *path)
{
	char *s = tu_read(path);
	return s ? s : xstrdup("");
}

size_t vzs_count_links(void)
{
	struct ovz_nl *nl = NULL;
	struct ovz_link *links = NULL;
	size_t n = 0;
	if (ovz_nl_open(-1, &nl, NULL) == 0)
		ovz_nl_link_list(nl, &links, &n, NULL);
	free(links);
	ovz_nl_close(nl);
	return n;
}

bool vzs_mounted_under(const char *dir)
{
	_cleanup_free_ char *mi = vzs_slurp("/proc/self/mountinfo");
	return strstr(mi, dir) != NULL;
}

const char *vzs_skip_reason(void)
{
	if (!tu_is_root())
		return "needs root (vzemu makes namespaces and cgroups)";
	if (access("/bin/busybox", X_OK) < 0)
		return "needs /bin/busybox (Debian's busybox-static)";
	if (!getenv("OVZ_VZEMU"))
		return "OVZ_VZEMU is not set (run through meson test)";
	struct tu_run r = tu_runv((char *[]){ getenv("OVZ_VZEMU"), "--", "true", NULL }, NULL);
	int st = r.status;
	tu_run_free(&r);
	if (st == VZEMU_UNSUPPORTED)
		return "this kernel cannot run vzemu (seccomp user notification, cgroup v2)";
	return NULL;
}

char *vzs_self_exe(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return xstrdup(buf);
}

struct tu_run vzs_under_vzemu(const char *kernel, const char *scenario, const char *root,
			      const char *transcript, const char *fail)
{
	_cleanup_free_ char *self = vzs_self_exe();
	char *argv[16];
	int n = 0;
	argv[n++] = getenv("OVZ_VZEMU");
	argv[n++] = (char *)"--kernel";
	argv[n++] = (char *)kernel;
	if (transcript) {
		argv[n++] = (char *)"--transcript";
		argv[n++] = (char *)transcript;
	}
	if (fail) {
		argv[n++] = (char *)"--fail-call";
		argv[n++] = (char *)fail;
	}
	argv[n++] = (char *)"--";
	argv[n++] = self;
	argv[n++] = (char *)"--inner";
	argv[n++] = (char *)scenario;
	argv[n++] = (char *)root;
	argv[n] = NULL;
	return tu_runv(argv, NULL);
}

void vzs_make_template(const char *root)
{
	char *cmd = xasprintf(
		"set -e; t=$(mktemp -d); mkdir -p $t/bin $t/sbin $t/etc $t/proc $t/sys $t/dev "
		"$t/tmp $t/root; cp /bin/busybox $t/bin/; for a in sh ls cat echo sleep ip "
		"hostname ps true id poweroff; do ln -s busybox $t/bin/$a; done; "
		"printf '#!/bin/sh\\ntrap \"poweroff -f\" USR2 TERM\\nwhile :; do sleep 1; done\\n' "
		"> $t/sbin/init; printf '#!/bin/sh\\nkill -USR2 1\\n' > $t/sbin/halt; "
		"chmod 755 $t/sbin/init $t/sbin/halt; "
		"mkdir -p %s/vz/template/cache; "
		"tar --numeric-owner -C $t -czf %s/vz/template/cache/busybox.tar.gz .; rm -rf $t",
		root, root);
	if (system(cmd) != 0)
		fail_msg("'%s' failed", cmd);
	free(cmd);
}

void vzs_compare_golden(const char *rel, const char *got)
{
	_cleanup_free_ char *path = tu_data(rel);
	if (getenv("OVZ_UPDATE_GOLDEN")) {
		tu_write(path, got);
		return;
	}
	_cleanup_free_ char *want = tu_read(path);
	if (!want || strcmp(want, got) != 0)
		fail_msg("transcript differs from tests/data/%s (OVZ_UPDATE_GOLDEN=1 rewrites "
			 "it):\n%s", rel, got);
}

void vzs_expect_inner_ok(struct tu_run r, const char *what)
{
	if (r.status != 0)
		fail_msg("%s: exit %d\n%s%s", what, r.status, r.out, r.err);
	tu_run_free(&r);
}
