/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command: one small file per verb, each parsing its own options and
 * calling the public API of include/ovz-native/ovz.h, and nothing else (it
 * links only libovz-native.so).  Exit codes are a contract: 0 ok, 1 bad
 * input, 2 system or kernel failure, 3 conflict (exists, busy, locked,
 * running). */
#ifndef OVZ_CLI_H
#define OVZ_CLI_H

#include <stdbool.h>

#include <ovz-native/ovz.h>

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_SYSTEM = 2, EXIT_CONFLICT = 3 };

struct cli {
	const char *root;	/* --root, default "/" */
	const char *backend;	/* --backend, default "auto" */
	const char *verb;
	bool quiet;
};

struct verb {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
	const char *usage;	/* "validate FILE" */
	const char *summary;
};

/* Prints "ovz-native: VERB [WHAT]: message", frees err and returns the exit
 * code for it (for ret when err is NULL). */
int cli_fail(struct cli *c, const char *what, int ret, struct ovz_error *err);
/* The same for a failure of the command itself: errnum (positive or
 * negative) and its message. */
int cli_fail_msg(struct cli *c, const char *what, int errnum, const char *msg);
/* Prints a usage error for the verb and returns EXIT_INPUT. */
int cli_usage_error(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when argv[1] is --help or -h; prints the verb's help to stdout. */
bool cli_want_help(struct cli *c, int argc, char **argv);
const struct verb *cli_find_verb(const char *name);

/* ovz_host_new for --root/--backend, with the library's warnings printed
 * as "ovz-native: warning: FILE:LINE: what" (not with --quiet). */
int cli_host_new(struct cli *c, struct ovz_host **h, struct ovz_error **err);
/* Opens the host of --root/--backend and, unless ctid is NULL, resolves
 * id (CTID, name or UUID; lookup_flags are OVZ_LOOKUP_*); on failure prints
 * the error and returns the exit code (> 0). */
int cli_open(struct cli *c, const char *id, unsigned lookup_flags, struct ovz_host **h,
	     unsigned *ctid);

#define VERB(n) int verb_##n(struct cli *c, int argc, char **argv)
VERB(validate);
VERB(define);
VERB(dumpxml);
VERB(undefine);
VERB(list);
VERB(plan);
VERB(create);
VERB(destroy);
VERB(start);
VERB(stop);
VERB(restart);
VERB(status);
VERB(exec);
VERB(enter);
VERB(set);
VERB(boot);
VERB(host_init);
/* ovz_host_init with its warnings printed, and what it did when
 * done_lines (verb-host-init.c), for boot too. */
int cli_host_init(struct cli *c, struct ovz_host *h, bool done_lines);
VERB(template);
VERB(mount);
VERB(umount);

#endif
