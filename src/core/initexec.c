// SPDX-License-Identifier: LGPL-2.1-or-later
#include "initexec.h"
#include "join.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* openvz-abi.md §3.1 step 9 (vzctl 4.x) and §3.5 step 6 (libvzctl 7):
 * the same three paths and argv in both; the "-z" and the six spaces are
 * room for sysvinit to rewrite its command line. */
static const char *const default_paths[] = { "/sbin/init", "/etc/init", "/bin/init" };
static const char *const default_argv[] = { "init", "-z", "      " };

static int check_env_entry(const char *s, struct ovz_error **err)
{
	const char *eq = strchr(s, '=');
	if (!eq || eq == s)
		return ovz_error_set(err, EINVAL, "environment entry '%s' is not KEY=VALUE", s);
	return 0;
}

/* Adds KEY=VALUE, replacing an earlier entry with the same KEY. */
static void env_set(char ***envp, const char *entry)
{
	size_t klen = (size_t)(strchr(entry, '=') - entry) + 1;
	for (char **e = *envp; e && *e; e++)
		if (strncmp(*e, entry, klen) == 0) {
			free(*e);
			*e = xstrdup(entry);
			return;
		}
	strv_push(envp, xstrdup(entry));
}

static int build_env(unsigned ctid, char *const *extra, char ***out, struct ovz_error **err)
{
	char **envp = NULL;
	strv_push(&envp, xstrdup("HOME=/"));
	strv_push(&envp, xstrdup("TERM=linux"));
	strv_push(&envp, xasprintf("container=%u", ctid));
	for (char *const *e = extra; e && *e; e++) {
		int r = check_env_entry(*e, err);
		if (r < 0) {
			strv_free(envp);
			return r;
		}
		env_set(&envp, *e);
	}
	*out = envp;
	return 0;
}

static void build_argv(const char *init, char *const *args, char ***out)
{
	char **argv = NULL;
	strv_push(&argv, xstrdup(init ? init : default_argv[0]));
	if (args && *args) {
		for (char *const *a = args; *a; a++)
			strv_push(&argv, xstrdup(*a));
	} else if (!init) {
		for (size_t i = 1; i < ARRAY_SIZE(default_argv); i++)
			strv_push(&argv, xstrdup(default_argv[i]));
	}
	*out = argv;
}

int ovz_init_build(const char *init, char *const *args, unsigned ctid, char *const *extra_env,
		   struct ovz_init_cmd *out, struct ovz_error **err)
{
	memset(out, 0, sizeof(*out));
	if (init && init[0] != '/')
		return ovz_error_set(err, EINVAL, "init '%s' is not an absolute path", init);
	int r = build_env(ctid, extra_env, &out->envp, err);
	if (r < 0)
		return r;
	if (init) {
		strv_push(&out->paths, xstrdup(init));
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(default_paths); i++)
			strv_push(&out->paths, xstrdup(default_paths[i]));
	}
	build_argv(init, args, &out->argv);
	return 0;
}

void ovz_init_cmd_release(struct ovz_init_cmd *cmd)
{
	if (!cmd)
		return;
	strv_free(cmd->paths);
	strv_free(cmd->argv);
	strv_free(cmd->envp);
	memset(cmd, 0, sizeof(*cmd));
}

static void set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);
	if (flags >= 0)
		fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* close_range's CLOEXEC flag came with 5.11 (the call with 5.9): before
 * it, each fd /proc/self/fd lists, or failing that every possible one. */
static void cloexec_from_3(void)
{
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		int own = dirfd(d);
		struct dirent *e;
		while ((e = readdir(d))) {
			int fd = atoi(e->d_name);
			if (fd >= 3 && fd != own)
				set_cloexec(fd);
		}
		closedir(d);
		return;
	}
	struct rlimit rl;
	rlim_t max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
			     ? rl.rlim_cur
			     : 65536;
	for (rlim_t fd = 3; fd < max; fd++)
		set_cloexec((int)fd);
}

static int reset_signals(struct ovz_error **err)
{
	sigset_t none;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		return ovz_error_sys(err, errno, "unblocking signals");
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	/* SIGKILL, SIGSTOP and glibc's internal signals refuse: nothing to reset */
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	return 0;
}

static int new_session(struct ovz_error **err)
{
	if (setsid() >= 0 || getsid(0) == getpid())
		return 0;
	return ovz_error_sys(err, errno, "setsid");
}

static int prepare(const struct ovz_init_cmd *cmd, struct ovz_error **err)
{
	if (!cmd->paths || !cmd->paths[0] || !cmd->argv || !cmd->argv[0])
		return ovz_error_set(err, EINVAL, "no init to exec");
	int r = reset_signals(err);
	if (r >= 0)
		r = new_session(err);
	if (r < 0)
		return ovz_error_wrap(err, r, "starting init");
	cloexec_from_3();
	return 0;
}

static int no_init(const struct ovz_init_cmd *cmd, struct ovz_error **err)
{
	_cleanup_free_ char *tried = strv_join(cmd->paths, "', '");
	return ovz_error_set(err, ENOENT, "no init in the container: tried '%s'", tried);
}

int ovz_init_exec_joined(const struct ovz_init_cmd *cmd, int joiner, int report,
			 struct ovz_error **err)
{
	if (joiner < 0)
		return ovz_init_exec(cmd, err);
	int r = prepare(cmd, err);
	if (r < 0)
		return r;
	for (char **p = cmd->paths; *p; p++) {
		if (access(*p, F_OK) < 0)
			continue;
		r = ovz_joiner_exec_init(joiner, report, *p, cmd->argv, cmd->envp);
		return ovz_error_sys(err, -r, "exec the joiner for '%s'", *p);
	}
	return no_init(cmd, err);
}

int ovz_init_exec(const struct ovz_init_cmd *cmd, struct ovz_error **err)
{
	int r = prepare(cmd, err);
	if (r < 0)
		return r;
	int first_errno = 0;
	const char *first_path = NULL;
	for (char **p = cmd->paths; *p; p++) {
		execve(*p, cmd->argv, cmd->envp);
		if (errno != ENOENT && !first_errno) {
			first_errno = errno;
			first_path = *p;
		}
	}
	if (first_errno)
		return ovz_error_sys(err, first_errno, "exec '%s'", first_path);
	return no_init(cmd, err);
}
