// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct verb verbs[] = {
	{ "validate", verb_validate, "validate FILE", "check a domain XML file" },
	{ "define", verb_define, "define FILE", "write a container's config from domain XML" },
	{ "dumpxml", verb_dumpxml, "dumpxml CTID|NAME", "print a container as canonical domain XML" },
	{ "undefine", verb_undefine, "undefine CTID|NAME", "remove a container's config and name link" },
	{ "list", verb_list, "list [-a] [-S] [-H] [-o FIELDS] [-s [-]FIELD] [--json] [CTID|NAME...]",
	  "list containers like vzlist" },
	{ "plan", verb_plan, "plan create|start|mount|stop|destroy|umount CTID|NAME|--xml FILE [--json]",
	  "print the kernel operations a verb would run" },
	{ "create", verb_create,
	  "create CTID|NAME [--ostemplate NAME] [--config SAMPLE] [--xml FILE] [--private DIR] "
	  "[--root-dir DIR] [--hostname H] [--ipadd IP]... [--clone|--layout overlay]",
	  "make a container's private area from an OS template" },
	{ "destroy", verb_destroy, "destroy CTID|NAME",
	  "remove a stopped container's private area, root and config" },
	{ "start", verb_start, "start CTID|NAME", "start a container" },
	{ "stop", verb_stop, "stop CTID|NAME [--fast] [--timeout S]", "stop a container" },
	{ "restart", verb_restart, "restart CTID|NAME [--fast] [--timeout S]",
	  "stop and start a container" },
	{ "status", verb_status, "status CTID|NAME", "print vzctl's status line" },
	{ "exec", verb_exec, "exec CTID|NAME [--] CMD [ARG...]",
	  "run a command inside a running container; its exit code is ours" },
	{ "set", verb_set,
	  "set CTID|NAME [--save] [--hostname H] [--ipadd IP]... [--ipdel IP|all]... "
	  "[--nameserver IP]... [--searchdomain D]... [--onboot yes|no] [--cpus N] "
	  "[--cpuunits N] [--cpulimit PCT] [--memory SIZE] [--netif_add IFNAME[,MAC,HOST_IFNAME,"
	  "HOST_MAC,BRIDGE]]... [--netif_del IFNAME|all]... [--name NAME] [--description TEXT]",
	  "change a container, live when it runs; --save keeps it" },
	{ "template", verb_template, "template list | template unpack NAME",
	  "show template caches and unpacked trees; unpack one for --clone and overlay" },
	{ "boot", verb_boot, "boot [--parallel N]",
	  "host-init on a legacy OpenVZ kernel, then start every container with ONBOOT=yes, "
	  "higher BOOTORDER first" },
	{ "host-init", verb_host_init, "host-init",
	  "prepare a legacy OpenVZ kernel as vzctl's init script does (modules, /dev/vzctl, "
	  "venet0, sysctls)" },
	{ "enter", verb_enter, "enter CTID|NAME", "a login shell inside the container on a pty" },
	{ "mount", verb_mount, "mount CTID|NAME", "mount the private area on the root" },
	{ "umount", verb_umount, "umount CTID|NAME", "unmount a stopped container's root" },
};

const struct verb *cli_find_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

static void print_warning(void *data, const char *msg)
{
	fprintf(stderr, "ovz-native: warning: %s\n", msg);
}

int cli_host_new(struct cli *c, struct ovz_host **h, struct ovz_error **err)
{
	int r = ovz_host_new(c->root, c->backend, h, err);
	if (r == 0 && !c->quiet)
		ovz_host_set_warning_handler(*h, print_warning, NULL);
	return r;
}

int cli_open(struct cli *c, const char *id, unsigned lookup_flags, struct ovz_host **h,
	     unsigned *ctid)
{
	struct ovz_error *err = NULL;
	int r = cli_host_new(c, h, &err);
	if (r == 0 && ctid)
		r = ovz_container_lookup(*h, id, lookup_flags, ctid, &err);
	if (r < 0) {
		ovz_host_close(*h);
		*h = NULL;
		return cli_fail(c, id, r, err);
	}
	return 0;
}

int cli_fail_msg(struct cli *c, const char *what, int errnum, const char *msg)
{
	if (what)
		fprintf(stderr, "ovz-native: %s %s: %s\n", c->verb, what, msg);
	else
		fprintf(stderr, "ovz-native: %s: %s\n", c->verb, msg);
	int code = ovz_error_exit_code(errnum);
	return code ? code : EXIT_SYSTEM;
}

int cli_fail(struct cli *c, const char *what, int ret, struct ovz_error *err)
{
	int code = cli_fail_msg(c, what, err ? ovz_error_errno(err) : ret,
				err ? ovz_error_message(err) : "failed");
	ovz_error_free(err);
	return code;
}

int cli_usage_error(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "ovz-native: %s: ", c->verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	const struct verb *v = cli_find_verb(c->verb);
	fprintf(stderr, "\nusage: ovz-native [--root DIR] %s\n", v ? v->usage : c->verb);
	return EXIT_INPUT;
}

bool cli_want_help(struct cli *c, int argc, char **argv)
{
	/* exec passes everything after the container on to the command */
	if (strcmp(c->verb, "exec") == 0 && argc > 2)
		argc = 2;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			const struct verb *v = cli_find_verb(c->verb);
			printf("usage: ovz-native [--root DIR] [--backend auto|vz|vz7|ns] %s\n\n%s\n",
			       v->usage, v->summary);
			return true;
		}
	}
	return false;
}

/* The version and the backend this host would use. */
static int print_version(struct cli *c)
{
	struct ovz_host *h = NULL;
	struct ovz_error *err = NULL;
	const char *backend = NULL;
	int r = cli_host_new(c, &h, &err);
	if (r == 0)
		r = ovz_host_probe(h, &backend, &err);
	printf("ovz-native %s (backend %s)\n", ovz_version(), r == 0 ? backend : "none");
	if (r < 0)
		fprintf(stderr, "ovz-native: %s\n", ovz_error_message(err));
	ovz_error_free(err);
	ovz_host_close(h);
	return r < 0 ? EXIT_SYSTEM : EXIT_OK;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ovz-native [--root DIR] [--backend auto|vz|vz7|ns] VERB [ARGS]\n\n"
		   "Manage OpenVZ containers without vzctl.\n\nverbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\nexit codes: 0 ok, 1 bad input, 2 system failure, 3 conflict\n"
		   "'ovz-native VERB --help' describes one verb.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "backend", required_argument, NULL, 'b' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct cli c = { .root = "/", .backend = "auto", .verb = "" };
	int o;
	/* '+': stop at the verb, which parses the rest itself */
	while ((o = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			c.root = optarg;
			break;
		case 'b':
			if (strcmp(optarg, "auto") && strcmp(optarg, "vz") && strcmp(optarg, "vz7") &&
			    strcmp(optarg, "ns")) {
				fprintf(stderr, "ovz-native: --backend: unknown backend '%s' "
						"(auto, vz, vz7 or ns)\n", optarg);
				return EXIT_INPUT;
			}
			c.backend = optarg;
			break;
		case 'q':
			c.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			return print_version(&c);
		default:
			usage(stderr);
			return EXIT_INPUT;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_INPUT;
	}
	const struct verb *v = cli_find_verb(argv[optind]);
	if (!v) {
		fprintf(stderr, "ovz-native: unknown verb '%s'; see 'ovz-native --help'\n",
			argv[optind]);
		return EXIT_INPUT;
	}
	c.verb = v->name;
	argc -= optind;
	argv += optind;
	optind = 0;	/* reset getopt for the verb */
	if (cli_want_help(&c, argc, argv))
		return EXIT_OK;
	return v->run(&c, argc, argv);
}
