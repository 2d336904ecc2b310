// SPDX-License-Identifier: LGPL-2.1-or-later
/* Helpers for bench/run.sh (never installed, never run by the tests):
 *
 *   ovz-list-bench gen ROOT FIRST N EVERY TREE
 *	writes N container configs FIRST..FIRST+N-1 in ROOT/etc/vz/conf, like
 *	vzctl 4 makes from ve-vswap-256m.conf-sample (the sample's comments,
 *	PHYSPAGES, SWAPPAGES, DISKSPACE, OSTEMPLATE, IP_ADDRESS, HOSTNAME,
 *	VE_ROOT/VE_PRIVATE with $VEID, ONBOOT...).  Each one gets a private
 *	area; every EVERY-th one (ONBOOT=yes) a hard-linked copy of TREE (a
 *	busybox root) so that it can start, the others an empty directory.
 *   ovz-list-bench spawn-each CONFDIR PROG
 *	libvirt's pattern: one process (PROG, e.g. /bin/true) per container
 *	config found in CONFDIR, spawned and waited for one after the other.
 *   ovz-list-bench ctids ROOT FIRST N EVERY
 *	prints the CTIDs gen made startable, one a line.
 *   ovz-list-bench read-all CONFDIR
 *	the floor without cat's extras: reads every *.conf in one process.
 *   ovz-list-bench race ROUNDS SPECFILE
 *	runs the commands of SPECFILE (one a line: LABEL<TAB>ARGV, split on
 *	spaces; "@mntns=PATH " before ARGV runs it in that mount namespace,
 *	an argument "@lines=PATH" stands for the lines of PATH, one argument each)
 *	one after the other, ROUNDS times, so that a change in the machine's
 *	load spreads over all of them; prints per run
 *	"LABEL<TAB>ROUND<TAB>WALL_S<TAB>USER_S<TAB>SYS_S<TAB>MAXRSS_KIB".
 *	A command that fails stops it (exit 2, its stderr shown). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char sample_head[] =
	"# Copyright (C) 2011-2013, Parallels, Inc. All rights reserved.\n"
	"#\n"
	"# This program is free software; you can redistribute it and/or modify\n"
	"# it under the terms of the GNU General Public License as published by\n"
	"# the Free Software Foundation; either version 2 of the License, or\n"
	"# (at your option) any later version.\n"
	"#\n"
	"# This program is distributed in the hope that it will be useful,\n"
	"# but WITHOUT ANY WARRANTY; without even the implied warranty of\n"
	"# MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the\n"
	"# GNU General Public License for more details.\n"
	"#\n"
	"# You should have received a copy of the GNU General Public License\n"
	"# along with this program; if not, write to the Free Software\n"
	"# Foundation, Inc., 59 Temple Place, Suite 330, Boston, MA  02111-1307  USA\n"
	"#\n"
	"\n"
	"# This is an example configuration file for so-called \"vswap\" containers\n"
	"# with 256 MB of RAM and 512 MB of swap.\n"
	"\n"
	"# RAM\n"
	"PHYSPAGES=\"0:256M\"\n"
	"\n"
	"# Swap\n"
	"SWAPPAGES=\"0:512M\"\n"
	"\n"
	"# Disk quota parameters (in form of softlimit:hardlimit)\n"
	"DISKSPACE=\"2G:2254858K\"\n"
	"DISKINODES=\"131072:144179\"\n"
	"QUOTATIME=\"0\"\n"
	"\n"
	"# CPU fair scheduler parameter\n"
	"CPUUNITS=\"1000\"\n"
	"\n"
	"NETFILTER=\"stateless\"\n"
	"VE_ROOT=\"/vz/root/$VEID\"\n"
	"VE_PRIVATE=\"/vz/private/$VEID\"\n"
	"OSTEMPLATE=\"debian-12-x86_64-minimal\"\n"
	"ORIGIN_SAMPLE=\"vswap-256m\"\n";

static void die(const char *what, const char *path)
{
	fprintf(stderr, "ovz-list-bench: %s '%s': %s\n", what, path, strerror(errno));
	exit(2);
}

static void mkdir_p(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			die("mkdir", buf);
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		die("mkdir", buf);
}

/* cp -al of a small tree: directories made, files hard-linked, symlinks copied. */
static void link_tree(int sfd, int dfd)
{
	DIR *d = fdopendir(dup(sfd));
	if (!d)
		die("opendir", "tree");
	rewinddir(d);	/* the dup shares its offset with sfd, read before */
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(sfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			die("stat", e->d_name);
		if (S_ISDIR(st.st_mode)) {
			if (mkdirat(dfd, e->d_name, st.st_mode & 07777) < 0)
				die("mkdir", e->d_name);
			int s2 = openat(sfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			int d2 = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (s2 < 0 || d2 < 0)
				die("open", e->d_name);
			link_tree(s2, d2);
			close(s2);
			close(d2);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlinkat(sfd, e->d_name, target, sizeof(target) - 1);
			if (n < 0)
				die("readlink", e->d_name);
			target[n] = '\0';
			if (symlinkat(target, dfd, e->d_name) < 0)
				die("symlink", e->d_name);
		} else if (linkat(sfd, e->d_name, dfd, e->d_name, 0) < 0) {
			die("link", e->d_name);
		}
	}
	closedir(d);
}

static int gen(const char *root, unsigned first, unsigned n, unsigned every, const char *tree)
{
	char conf_dir[4096], priv_dir[4096], path[4096];
	snprintf(conf_dir, sizeof(conf_dir), "%s/etc/vz/conf", root);
	snprintf(priv_dir, sizeof(priv_dir), "%s/vz/private", root);
	mkdir_p(conf_dir);
	mkdir_p(priv_dir);
	snprintf(path, sizeof(path), "%s/vz/root", root);
	mkdir_p(path);
	int tfd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0)
		die("open", tree);
	for (unsigned i = 0; i < n; i++) {
		unsigned id = first + i;
		int runs = every && i % every == 0;
		if (snprintf(path, sizeof(path), "%s/%u.conf", conf_dir, id) >= (int)sizeof(path))
			die("name too long", conf_dir);
		FILE *f = fopen(path, "we");
		if (!f)
			die("create", path);
		fputs(sample_head, f);
		fprintf(f, "ONBOOT=\"%s\"\n", runs ? "yes" : "no");
		fprintf(f, "IP_ADDRESS=\"10.%u.%u.%u\"\n", 100 + id / 65536, id / 256 % 256,
			id % 256);
		fprintf(f, "HOSTNAME=\"ct%u.example.com\"\n", id);
		fprintf(f, "NAMESERVER=\"192.0.2.53\"\n");
		if (fclose(f) != 0)
			die("write", path);
		if (snprintf(path, sizeof(path), "%s/%u", priv_dir, id) >= (int)sizeof(path))
			die("name too long", priv_dir);
		if (mkdir(path, 0755) < 0)
			die("mkdir", path);
		if (runs) {
			int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd < 0)
				die("open", path);
			link_tree(tfd, dfd);
			close(dfd);
		}
	}
	close(tfd);
	return 0;
}

static int spawn_each(const char *conf_dir, const char *prog)
{
	DIR *d = opendir(conf_dir);
	if (!d)
		die("opendir", conf_dir);
	struct dirent *e;
	int count = 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		char *argv[] = { (char *)prog, e->d_name, NULL };
		pid_t pid;
		int r = posix_spawn(&pid, prog, NULL, NULL, argv, environ);
		if (r != 0) {
			errno = r;
			die("spawn", prog);
		}
		int status;
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			die("wait", prog);
		count++;
	}
	closedir(d);
	return count ? 0 : 1;
}

static int read_all(const char *conf_dir)
{
	DIR *d = opendir(conf_dir);
	if (!d)
		die("opendir", conf_dir);
	static char buf[65536];
	int dfd = dirfd(d), count = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		int fd = openat(dfd, e->d_name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("open", e->d_name);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		count++;
	}
	closedir(d);
	return count ? 0 : 1;
}

struct cmd {
	char *label;
	char *mntns;
	char **argv;
	size_t argc, cap;
};

static void push_arg(struct cmd *c, char *arg)
{
	if (c->argc + 2 > c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->argv = realloc(c->argv, c->cap * sizeof(*c->argv));
		if (!c->argv)
			die("realloc", "argv");
	}
	c->argv[c->argc++] = arg;
	c->argv[c->argc] = NULL;
}

static void push_lines(struct cmd *c, const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		die("open", path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (*line)
			push_arg(c, strdup(line));
	}
	free(line);
	fclose(f);
}

static size_t parse_spec(const char *path, struct cmd *cmds, size_t max)
{
	FILE *f = fopen(path, "re");
	if (!f)
		die("open", path);
	char *line = NULL;
	size_t cap = 0, n = 0;
	while (getline(&line, &cap, f) > 0 && n < max) {
		line[strcspn(line, "\n")] = '\0';
		char *tab = strchr(line, '\t');
		if (!tab || line[0] == '#')
			continue;
		*tab = '\0';
		struct cmd *c = &cmds[n++];
		memset(c, 0, sizeof(*c));
		c->label = strdup(line);
		char *rest = strdup(tab + 1), *save = NULL;
		for (char *w = strtok_r(rest, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			if (c->argc == 0 && !c->mntns && strncmp(w, "@mntns=", 7) == 0)
				c->mntns = w + 7;
			else if (strncmp(w, "@lines=", 7) == 0)
				push_lines(c, w + 7);
			else
				push_arg(c, w);
		}
		if (c->argc == 0) {
			fprintf(stderr, "ovz-list-bench: %s: no command for '%s'\n", path, c->label);
			exit(2);
		}
	}
	free(line);
	fclose(f);
	return n;
}

static double secs(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int race(int rounds, const char *spec)
{
	static struct cmd cmds[64];
	size_t n = parse_spec(spec, cmds, 64);
	char errpath[] = "/tmp/ovz-race.XXXXXX";
	int errfd = mkstemp(errpath);
	if (errfd < 0)
		die("mkstemp", errpath);
	unlink(errpath);
	for (int r = 0; r < rounds; r++) {
		for (size_t i = 0; i < n; i++) {
			struct cmd *c = &cmds[i];
			if (ftruncate(errfd, 0) < 0 || lseek(errfd, 0, SEEK_SET) < 0)
				die("truncate", errpath);
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			pid_t pid = fork();
			if (pid < 0)
				die("fork", c->argv[0]);
			if (pid == 0) {
				if (c->mntns) {
					int fd = open(c->mntns, O_RDONLY | O_CLOEXEC);
					if (fd < 0 || setns(fd, CLONE_NEWNS) < 0)
						die("setns", c->mntns);
				}
				int null = open("/dev/null", O_RDWR);
				dup2(null, 0);
				dup2(null, 1);
				dup2(errfd, 2);
				execvp(c->argv[0], c->argv);
				die("exec", c->argv[0]);
			}
			int status;
			struct rusage ru;
			if (wait4(pid, &status, 0, &ru) < 0)
				die("wait", c->argv[0]);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				char buf[4096];
				ssize_t k = pread(errfd, buf, sizeof(buf) - 1, 0);
				buf[k > 0 ? k : 0] = '\0';
				fprintf(stderr, "ovz-list-bench: '%s' failed (status %d): %s\n", c->label,
					status, buf);
				return 2;
			}
			double wall = (double)(t1.tv_sec - t0.tv_sec) +
				      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
			printf("%s\t%d\t%.6f\t%.6f\t%.6f\t%ld\n", c->label, r, wall,
			       secs(ru.ru_utime), secs(ru.ru_stime), ru.ru_maxrss);
			fflush(stdout);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "read-all"))
		return read_all(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "race"))
		return race(atoi(argv[2]), argv[3]);
	if (argc == 7 && !strcmp(argv[1], "gen"))
		return gen(argv[2], (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]),
			   (unsigned)atoi(argv[5]), argv[6]);
	if (argc == 4 && !strcmp(argv[1], "spawn-each"))
		return spawn_each(argv[2], argv[3]);
	if (argc == 6 && !strcmp(argv[1], "ctids")) {
		unsigned first = (unsigned)atoi(argv[3]), n = (unsigned)atoi(argv[4]);
		unsigned every = (unsigned)atoi(argv[5]);
		for (unsigned i = 0; every && i < n; i += every)
			printf("%u\n", first + i);
		return 0;
	}
	fprintf(stderr, "usage: %s gen ROOT FIRST N EVERY TREE\n"
		"       %s spawn-each CONFDIR PROG\n"
		"       %s ctids ROOT FIRST N EVERY\n"
		"       %s read-all CONFDIR\n"
		"       %s race ROUNDS SPECFILE\n", argv[0], argv[0], argv[0], argv[0], argv[0]);
	return 1;
}
