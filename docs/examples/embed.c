// SPDX-License-Identifier: LGPL-2.1-or-later
/* A small program that embeds libovz-native: define a container from XML,
 * list the host's containers, print the definition back, and (with --run)
 * create, start, run a command inside, stop and destroy it.
 *
 *   cc embed.c $(pkg-config --cflags --libs ovz-native) -o embed
 *   ./embed [--run] ROOT [TEMPLATE]
 *
 * ROOT is the root prefix of the host ("/" for the real one); TEMPLATE the
 * OS template in ROOT/vz/template/cache (default "busybox"). */
#include <ovz-native/ovz.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTID 200

static const char xml_template[] =
	"<domain type='openvz' id='%d'>\n"
	"  <name>embedded</name>\n"
	"  <memory unit='MiB'>256</memory>\n"
	"  <os><type>exe</type></os>\n"
	"  <metadata><ovz:container xmlns:ovz='http://ovz-native.org/xmlns/domain/1'>"
	"<ovz:hostname>embedded.test</ovz:hostname></ovz:container></metadata>\n"
	"  <devices>\n"
	"    <filesystem type='template'><source name='%s'/><target dir='/'/></filesystem>\n"
	"    <interface type='ethernet'><ip address='10.79.0.2'/></interface>\n"
	"  </devices>\n"
	"</domain>\n";

/* Prints the whole error chain and gives the exit status the command would. */
static int fail(const char *what, int r, struct ovz_error *err)
{
	fprintf(stderr, "embed: %s: %s\n", what, err ? ovz_error_message(err) : "failed");
	for (size_t i = 0; i < ovz_error_context_count(err); i++)
		fprintf(stderr, "  in: %s\n", ovz_error_context_at(err, i));
	int code = ovz_error_exit_code(err ? ovz_error_errno(err) : r);
	ovz_error_free(err);
	return code ? code : 2;
}

static int list(struct ovz_host *h)
{
	struct ovz_ct_list *l = NULL;
	struct ovz_error *err = NULL;
	int r = ovz_ct_list_new(h, 0, &l, &err);
	if (r < 0)
		return fail("list", r, err);
	printf("%-6s %-12s %-10s %s\n", "CTID", "NAME", "STATUS", "IP");
	while (ovz_ct_list_next(l)) {
		const char *const *ips = ovz_ct_list_ips(l);
		const char *name = ovz_ct_list_name(l);
		printf("%-6u %-12s %-10s %s\n", ovz_ct_list_ctid(l), name ? name : "-",
		       ovz_ct_list_status(l), ips[0] ? ips[0] : "-");
	}
	ovz_ct_list_free(l);
	return 0;
}

static void progress(const struct ovz_progress *p, void *userdata)
{
	unsigned *calls = userdata;
	(*calls)++;
	(void)p;
}

/* create, start, a command inside, stop, destroy. */
static int run(struct ovz_host *h)
{
	struct ovz_error *err = NULL;
	struct ovz_create_options *o = ovz_create_options_new();
	unsigned calls = 0;
	ovz_create_options_set_progress(o, progress, &calls);
	int r = ovz_container_create(h, "embedded", o, NULL, &err);
	if (r < 0) {
		ovz_create_options_free(o);
		return fail("create", r, err);
	}
	printf("created (%s, %u progress reports)\n", ovz_create_options_result(o), calls);
	ovz_create_options_free(o);
	if ((r = ovz_container_start(h, CTID, &err)) < 0)
		return fail("start", r, err);
	list(h);
	char *argv[] = { "hostname", NULL };
	int status = -1;
	r = ovz_container_exec(h, CTID, argv, NULL, NULL, 0, &status, &err);
	if (r < 0)
		return fail("exec", r, err);
	printf("hostname exited with %d\n", status);
	if ((r = ovz_container_stop(h, CTID, 0, 10, &err)) < 0)
		return fail("stop", r, err);
	if ((r = ovz_container_destroy(h, CTID, &err)) < 0)
		return fail("destroy", r, err);
	printf("stopped and destroyed\n");
	return status;
}

int main(int argc, char **argv)
{
	int i = 1;
	int run_it = argc > 1 && strcmp(argv[1], "--run") == 0;
	i += run_it;
	if (argc - i < 1 || argc - i > 2) {
		fprintf(stderr, "usage: embed [--run] ROOT [TEMPLATE]\n");
		return 1;
	}
	const char *tmpl = argc - i == 2 ? argv[i + 1] : "busybox";
	printf("libovz-native %s\n", ovz_version());

	struct ovz_host *h = NULL;
	struct ovz_error *err = NULL;
	int r = ovz_host_new(argv[i], NULL, &h, &err);
	if (r < 0)
		return fail("open host", r, err);
	const char *backend = NULL;
	if (ovz_host_probe(h, &backend, NULL) == 0)
		printf("backend %s\n", backend);

	char xml[2048];
	snprintf(xml, sizeof(xml), xml_template, CTID, tmpl);
	unsigned ctid = 0;
	if ((r = ovz_container_define_xml(h, xml, &ctid, &err)) < 0)
		return fail("define", r, err);
	printf("defined CT %u\n", ctid);
	if ((r = list(h)) != 0)
		return r;
	char *dump = NULL;
	if ((r = ovz_container_dumpxml(h, ctid, &dump, &err)) < 0)
		return fail("dumpxml", r, err);
	fputs(dump, stdout);
	free(dump);

	if (run_it)
		r = run(h);
	else if ((r = ovz_container_undefine(h, ctid, &err)) < 0)
		r = fail("undefine", r, err);
	ovz_host_close(h);
	return r;
}
