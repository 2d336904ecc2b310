/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The last step of a container start: exec its init the way vzctl does.
 * Building the command is separate from running it so that the exact argv
 * and environment can be tested and printed in a plan. */
#ifndef OVZ_CORE_INITEXEC_H
#define OVZ_CORE_INITEXEC_H

#include "error.h"

struct ovz_init_cmd {
	char **paths;	/* candidates, tried in order */
	char **argv;
	char **envp;
};

/* init NULL means vzctl's default: /sbin/init, /etc/init, /bin/init with
 * argv {"init", "-z", "      "}; args, when given, replace "-z" and its
 * padding.  A configured init is the one candidate and argv[0].
 * The environment is vzctl's (HOME=/, TERM=linux, container=<ctid>) then
 * extra_env ("KEY=VALUE" each; VE_ENVIRONMENT), a later KEY replacing an
 * earlier one. */
int ovz_init_build(const char *init, char *const *args, unsigned ctid, char *const *extra_env,
		   struct ovz_init_cmd *out, struct ovz_error **err);
void ovz_init_cmd_release(struct ovz_init_cmd *cmd);

/* In the container after its setup: marks every fd above 2 close-on-exec
 * (so a status pipe still reports a failed exec), unblocks and resets all
 * signals, starts a new session and execs the first candidate that exists.
 * Returns only on failure.  fds 0-2 are left as the caller set them. */
int ovz_init_exec(const struct ovz_init_cmd *cmd, struct ovz_error **err);
/* The same through the joiner (join.h: ovz_joiner_exec_init) when joiner
 * is an fd: the first candidate that exists is exec'd by it, and report
 * (the step socket) gets its error if that exec fails. */
int ovz_init_exec_joined(const struct ovz_init_cmd *cmd, int joiner, int report,
			 struct ovz_error **err);

#endif
