// SPDX-License-Identifier: LGPL-2.1-or-later
/* `exec`: a command inside the container with our stdio.  Where that is a
 * terminal the command gets a pty of its own, relayed to it, and never our
 * terminal (TIOCSTI into our shell, reads of what is typed there later).
 * Where it is a file of the host (`< script`, `> out`) the command gets a
 * pipe, copied to or from the file by a child of ours: with the file's own
 * descriptor it could reopen it through /proc/self/fd for writing, or
 * chmod it setuid root. */
#include "cli.h"
#include "cli-pty.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Our stdio fds that are host files get pipes: ends[i] is what the
 * command gets for fd i (i itself when no pipe), ours[i] our end. */
struct file_pipes {
	int ends[3];
	int ours[3];
	pid_t copier[3];
};

static bool is_host_file(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 &&
	       (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode));
}

static void copy_all(int from, int to)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(from, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(to, buf + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return;
			done += w;
		}
	}
}

static void close_pipes(struct file_pipes *fp)
{
	for (int i = 0; i < 3; i++) {
		if (fp->ends[i] != i)
			close(fp->ends[i]);
		if (fp->ours[i] >= 0)
			close(fp->ours[i]);
		fp->ends[i] = i;
		fp->ours[i] = -1;
	}
}

/* A copier holds only its file and its end of its pipe. */
static _Noreturn void copier_main(struct file_pipes *fp, int i)
{
	signal(SIGPIPE, SIG_IGN);
	int ours = fp->ours[i];
	for (int k = 0; k < 3; k++) {
		if (fp->ends[k] != k)
			close(fp->ends[k]);
		if (k != i && fp->ours[k] >= 0)
			close(fp->ours[k]);
	}
	if (i == 0)
		copy_all(STDIN_FILENO, ours);
	else
		copy_all(ours, i);
	_exit(0);
}

static int pipe_host_files(struct file_pipes *fp)
{
	for (int i = 0; i < 3; i++) {
		fp->ends[i] = i;
		fp->ours[i] = -1;
		fp->copier[i] = -1;
	}
	for (int i = 0; i < 3; i++) {
		int p[2];
		if (!is_host_file(i))
			continue;
		if (pipe2(p, O_CLOEXEC) < 0) {
			int e = errno;
			close_pipes(fp);
			return -e;
		}
		fp->ends[i] = i == 0 ? p[0] : p[1];
		fp->ours[i] = i == 0 ? p[1] : p[0];
	}
	for (int i = 0; i < 3; i++) {
		if (fp->ours[i] < 0)
			continue;
		fp->copier[i] = fork();
		if (fp->copier[i] == 0)
			copier_main(fp, i);
		if (fp->copier[i] < 0) {
			int e = errno;
			close_pipes(fp);
			return -e;
		}
	}
	for (int i = 0; i < 3; i++)	/* the copiers hold them now */
		if (fp->ours[i] >= 0) {
			close(fp->ours[i]);
			fp->ours[i] = -1;
		}
	return 0;
}

/* Once the command is over: what it did not read of stdin is dropped
 * (something it left running may hold the pipe); what it wrote is all in
 * the files when we return, as it would be with the files themselves. */
static void finish_pipes(struct file_pipes *fp)
{
	close_pipes(fp);
	if (fp->copier[0] > 0)
		kill(fp->copier[0], SIGKILL);
	for (int i = 0; i < 3; i++)
		if (fp->copier[i] > 0)
			while (waitpid(fp->copier[i], NULL, 0) < 0 && errno == EINTR)
				;
}

static int exec_on_pty(struct ovz_host *h, unsigned ctid, char *const argv[],
		       struct file_pipes *fp, int *status, struct ovz_error **err,
		       const char **failed)
{
	int master, slave;
	int r = cli_pty_open(&master, &slave);
	if (r < 0) {
		if (master >= 0)
			close(master);
		*failed = "allocate a pty";
		return r;
	}
	int fds[3];
	for (int i = 0; i < 3; i++)
		fds[i] = isatty(i) ? slave : fp->ends[i];
	pid_t pid;
	r = ovz_container_spawn(h, ctid, argv, NULL, fds, OVZ_EXEC_TTY, &pid, err);
	close(slave);
	close_pipes(fp);
	if (r == 0) {
		int out = isatty(STDOUT_FILENO) ? STDOUT_FILENO
			  : isatty(STDERR_FILENO) ? STDERR_FILENO : -1;
		cli_pty_relay(master, isatty(STDIN_FILENO) ? STDIN_FILENO : -1, out);
		*status = ovz_container_wait(pid);
	} else {
		*status = r == -ENOENT ? 127 : 125;	/* as ovz_container_exec */
	}
	close(master);
	return r;
}

/* ovz_container_exec, with the pipes closed on our side once it runs. */
static int exec_with(struct ovz_host *h, unsigned ctid, char *const argv[], struct file_pipes *fp,
		     int *status, struct ovz_error **err)
{
	pid_t pid;
	int r = ovz_container_spawn(h, ctid, argv, NULL, fp->ends, 0, &pid, err);
	close_pipes(fp);
	if (r == 0)
		*status = ovz_container_wait(pid);
	else
		*status = r == -ENOENT ? 127 : 125;
	return r;
}

VERB(exec)
{
	int first = 2;
	if (argc > 2 && strcmp(argv[2], "--") == 0)
		first = 3;
	if (argc <= first)
		return cli_usage_error(c, "expected CTID or NAME and a command");
	struct ovz_host *h = NULL;
	unsigned ctid;
	int r = cli_open(c, argv[1], 0, &h, &ctid);
	if (r)
		return r;
	struct ovz_error *err = NULL;
	const char *failed = NULL;
	int status = 0;
	struct file_pipes fp;
	r = pipe_host_files(&fp);
	if (r < 0)
		failed = "make pipes for files";
	else if (isatty(STDIN_FILENO) || isatty(STDOUT_FILENO) || isatty(STDERR_FILENO))
		r = exec_on_pty(h, ctid, argv + first, &fp, &status, &err, &failed);
	else
		r = exec_with(h, ctid, argv + first, &fp, &status, &err);
	finish_pipes(&fp);
	ovz_host_close(h);
	if (r < 0 && failed) {
		char msg[128];
		snprintf(msg, sizeof(msg), "%s: %s", failed, strerror(-r));
		return cli_fail_msg(c, argv[1], r, msg);
	}
	if (r < 0) {
		cli_fail(c, argv[1], r, err);
		return status ? status : EXIT_SYSTEM;
	}
	return status;
}
