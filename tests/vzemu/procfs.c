// SPDX-License-Identifier: LGPL-2.1-or-later
/* The /proc files an OpenVZ kernel adds (openvz-abi.md §6), rendered from
 * the model at open time. */
#include "vzemu.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *const ub_names[EMU_UB_RESOURCES] = {
	"kmemsize", "lockedpages", "privvmpages", "shmpages", "dummy", "numproc",
	"physpages", "vmguarpages", "oomguarpages", "numtcpsock", "numflock", "numpty",
	"numsiginfo", "tcpsndbuf", "tcprcvbuf", "othersockbuf", "dgramrcvbuf",
	"numothersock", "dcachesize", "numfile", "dummy", "dummy", "dummy", "numiptent",
	"swappages",
};

static int host_nproc(void)
{
	DIR *d = opendir("/proc");
	int n = 0;
	for (struct dirent *de; d && (de = readdir(d));)
		n += de->d_name[0] >= '0' && de->d_name[0] <= '9';
	if (d)
		closedir(d);
	return n;
}

/* IPv6 as eight unabbreviated groups, as the kernel printed it. */
/* veaddr_print: IPv6 as eight %x groups, not compressed */
static void veinfo_ip(struct strbuf *sb, const struct emu_ip *ip, bool legacy)
{
	char a[64];
	if (ip->family == AF_INET) {
		emu_ip_text(ip, a, sizeof(a));
		strbuf_printf(sb, " %15s", a);
		return;
	}
	const uint8_t *b = ip->addr;
	snprintf(a, sizeof(a),
		 legacy ? "%x:%x:%x:%x:%x:%x:%x:%x" : "%04x:%04x:%04x:%04x:%04x:%04x:%04x:%04x",
		 b[0] << 8 | b[1], b[2] << 8 | b[3], b[4] << 8 | b[5], b[6] << 8 | b[7],
		 b[8] << 8 | b[9], b[10] << 8 | b[11], b[12] << 8 | b[13], b[14] << 8 | b[15]);
	strbuf_printf(sb, " %39s", a);
}

/* The legacy kernel adds VEs and each VE's addresses at the head of their
 * lists (list_add), VE0 first of all: newest first, VE0 last. */
static char *render_veinfo(struct emu *e)
{
	struct strbuf sb = STRBUF_INIT;
	bool legacy = e->kernel == EMU_KERNEL_LEGACY;
	for (size_t k = 0; k < e->n_ves; k++) {
		const struct emu_ve *ve = e->ves[legacy ? e->n_ves - 1 - k : k];
		if (!emu_ve_running(ve))
			continue;	/* vz7: a ve cgroup of a stopped VE */
		if (legacy)
			strbuf_printf(&sb, "%10u %5u %5d", ve->veid, ve->class_id, emu_ve_nproc(ve));
		else
			strbuf_printf(&sb, "%10s %5u %5d", ve->name, 0u, emu_ve_nproc(ve));
		for (size_t j = 0; j < ve->n_ips; j++)
			veinfo_ip(&sb, &ve->ips[legacy ? ve->n_ips - 1 - j : j], legacy);
		strbuf_putc(&sb, '\n');
	}
	if (legacy)
		strbuf_printf(&sb, "%10u %5u %5d\n", 0u, 0u, host_nproc());
	return strbuf_steal(&sb);
}

/* user and system time of a VE's cgroup in clock ticks */
static void ve_cpu(const struct emu_ve *ve, unsigned long long *user, unsigned long long *sys)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/cpu.stat", ve->cgroup);
	_cleanup_free_ char *buf = NULL;
	*user = *sys = 0;
	if (read_file_at(AT_FDCWD, path, 65536, &buf, NULL, NULL) < 0)
		return;
	const char *u = strstr(buf, "user_usec "), *s = strstr(buf, "system_usec ");
	long hz = sysconf(_SC_CLK_TCK);
	if (u)
		*user = strtoull(u + 10, NULL, 10) * (unsigned long long)hz / 1000000;
	if (s)
		*sys = strtoull(s + 12, NULL, 10) * (unsigned long long)hz / 1000000;
}

static unsigned long long ve_uptime_ns(const struct emu_ve *ve)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long long)(now.tv_sec - ve->started.tv_sec) * 1000000000ULL +
	       (unsigned long long)(now.tv_nsec - ve->started.tv_nsec);
}

static char *render_vestat(struct emu *e)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_printf(&sb, "%-20s\n", "Version: 2.2");
	strbuf_printf(&sb, "%10s %20s %20s %20s %20s %20s %20s %20s %20s %20s %20s %20s\n",
		      "VEID", "user", "nice", "system", "uptime", "idle", "strv", "uptime", "used",
		      "maxlat", "totlat", "numsched");
	long hz = sysconf(_SC_CLK_TCK);
	for (size_t i = 0; i < e->n_ves; i++) {
		const struct emu_ve *ve = e->ves[i];
		if (!emu_ve_running(ve))
			continue;
		unsigned long long user, sys, up = ve_uptime_ns(ve);
		ve_cpu(ve, &user, &sys);
		strbuf_printf(&sb, "%10u %20llu %20llu %20llu %20llu %20llu %20llu %20llu %20llu "
				   "%20llu %20llu %20llu\n",
			      ve->veid, user, 0ULL, sys, up / (1000000000ULL / (unsigned long long)hz),
			      0ULL, 0ULL, up, (user + sys) * (1000000000ULL / (unsigned long long)hz),
			      0ULL, 0ULL, 0ULL);
	}
	return strbuf_steal(&sb);
}

static char *render_veip(struct emu *e)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, "Version: 2.5\n");
	for (size_t i = 0; i < e->n_ves; i++)
		for (size_t j = 0; j < e->ves[i]->n_ips; j++) {
			char a[64];
			emu_ip_text(&e->ves[i]->ips[j], a, sizeof(a));
			strbuf_printf(&sb, "%39s %d\n", a,
				      e->kernel == EMU_KERNEL_VZ7 ? 0 : (int)e->ves[i]->veid);
		}
	return strbuf_steal(&sb);
}

static void ub_rows(struct strbuf *sb, const struct emu_ub *ub, int nproc)
{
	for (int r = 0; r < EMU_UB_RESOURCES - 1; r++) {	/* swappages is not shown */
		char id[16] = "";
		if (r == 0)
			snprintf(id, sizeof(id), "%u:", ub->id);
		unsigned long held = r == EMU_UB_NUMPROC && nproc > 0 ? (unsigned long)nproc : 0;
		strbuf_printf(sb, "%10s  %-12s %20lu %20lu %20lu %20lu %20lu\n", id, ub_names[r],
			      held, held, ub->barrier[r], ub->limit[r], 0UL);
	}
}

static char *render_beancounters(struct emu *e)
{
	emu_ub_prune(e);
	struct strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, "Version: 2.5\n");
	strbuf_printf(&sb, "%10s  %-12s %20s %20s %20s %20s %20s\n", "uid", "resource", "held",
		      "maxheld", "barrier", "limit", "failcnt");
	struct emu_ub host = { .id = 0 };
	for (int r = 0; r < EMU_UB_RESOURCES; r++)
		host.barrier[r] = host.limit[r] = (unsigned long)EMU_LONG_MAX;
	ub_rows(&sb, &host, 0);
	for (size_t i = 0; i < e->n_ubs; i++) {
		const struct emu_ve *ve = emu_ve_find(e, e->ubs[i].id);
		ub_rows(&sb, &e->ubs[i], ve ? emu_ve_nproc(ve) : 0);
	}
	return strbuf_steal(&sb);
}

/* The real file with one line added. */
static char *render_with(const char *path, const char *extra)
{
	char *buf = NULL;
	if (read_file_at(AT_FDCWD, path, 1 << 16, &buf, NULL, NULL) < 0)
		buf = xstrdup("");
	char *out = xasprintf("%s%s", buf, extra);
	free(buf);
	return out;
}

char *emu_proc_render(struct emu *e, const char *path)
{
	bool legacy = e->kernel == EMU_KERNEL_LEGACY;
	if (strcmp(path, "/proc/vz/veinfo") == 0)
		return render_veinfo(e);
	if (strcmp(path, "/proc/vz/vestat") == 0)
		return render_vestat(e);
	if (strcmp(path, "/proc/vz/veip") == 0)
		return render_veip(e);
	if (legacy && strcmp(path, "/proc/user_beancounters") == 0)
		return render_beancounters(e);
	if (strcmp(path, "/proc/vz/vswap") == 0)
		return xstrdup("Version: 1.0\n");
	if (legacy && strcmp(path, "/proc/filesystems") == 0)
		return render_with(path, "nodev\tsimfs\n");
	if (!legacy && strcmp(path, "/proc/cgroups") == 0)
		return render_with(path, "ve\t0\t1\t1\n");
	if (!legacy && !e->modern_syscalls && strcmp(path, "/proc/sys/kernel/cap_last_cap") == 0)
		return xstrdup("36\n");	/* 3.10's CAP_BLOCK_SUSPEND */
	return NULL;
}
