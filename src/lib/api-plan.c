// SPDX-License-Identifier: LGPL-2.1-or-later
/* A plan as the public layer shows it: the steps of the verb in the order
 * they run.  stop, destroy and umount are the teardown of start, create and
 * mount: the same plan backwards, each step's undo, none-undos left out. */
#include "api.h"
#include "core/lifecycle.h"
#include "core/util.h"
#include "xml/xml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ovz_verb_plan {
	struct ovz_plan *plan;
	bool teardown;
	const struct ovz_op **steps;
	size_t n_steps;
	char *text, *json;
};

static const struct {
	const char *name;
	enum ovz_verb verb;
	bool teardown;
} verbs[] = {
	[OVZ_PLAN_VERB_CREATE] = { "create", OVZ_VERB_CREATE, false },
	[OVZ_PLAN_VERB_DESTROY] = { "destroy", OVZ_VERB_CREATE, true },
	[OVZ_PLAN_VERB_START] = { "start", OVZ_VERB_START, false },
	[OVZ_PLAN_VERB_STOP] = { "stop", OVZ_VERB_START, true },
	[OVZ_PLAN_VERB_MOUNT] = { "mount", OVZ_VERB_MOUNT, false },
	[OVZ_PLAN_VERB_UMOUNT] = { "umount", OVZ_VERB_MOUNT, true },
};

int ovz_plan_verb_from_name(const char *name, enum ovz_plan_verb *verb)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(verbs); i++)
		if (strcmp(verbs[i].name, name) == 0) {
			*verb = (enum ovz_plan_verb)i;
			return 0;
		}
	return -EINVAL;
}

static const char *step_call(const struct ovz_verb_plan *p, const struct ovz_op *op)
{
	return p->teardown ? op->undo_call : op->call;
}

/* Mirrors ovz_plan_format: the order, and which undos are left out. */
static void collect_steps(struct ovz_verb_plan *p)
{
	size_t n = p->plan->n_ops;
	p->steps = xcalloc(n ? n : 1, sizeof(*p->steps));
	for (size_t i = 0; i < n; i++) {
		const struct ovz_op *op = &p->plan->ops[p->teardown ? n - 1 - i : i];
		if (p->teardown && strcmp(op->undo_call, "none") == 0)
			continue;
		p->steps[p->n_steps++] = op;
	}
}

static int plan_new(struct ovz_host *h, const struct ovz_domain *d, enum ovz_plan_verb verb,
		    struct ovz_verb_plan **out, struct ovz_error **err)
{
	if ((unsigned)verb >= ARRAY_SIZE(verbs))
		return ovz_error_set(err, EINVAL, "no plan for verb %d", (int)verb);
	struct ovz_plan *plan = NULL;
	int r = ovz_ct_plan(h, d, verbs[verb].verb, &plan, err);
	if (r < 0)
		return r;
	struct ovz_verb_plan *p = xcalloc(1, sizeof(*p));
	p->plan = plan;
	p->teardown = verbs[verb].teardown;
	collect_steps(p);
	p->text = ovz_plan_format(plan, p->teardown);
	p->json = ovz_plan_format_json(plan, p->teardown);
	*out = p;
	return 0;
}

int ovz_verb_plan_new(struct ovz_host *h, unsigned ctid, enum ovz_plan_verb verb,
		      struct ovz_verb_plan **out, struct ovz_error **err)
{
	*out = NULL;
	struct ovz_domain *d = NULL;
	int r = ovz_host_load(h, ctid, &d, err);
	if (r == 0)
		r = plan_new(h, d, verb, out, err);
	ovz_domain_free(d);
	return r;
}

/* A parsed document must name its CTID: nothing is defined to give one. */
static int plan_doc(struct ovz_host *h, int parsed, struct ovz_domain *d, const char *what,
		    enum ovz_plan_verb verb, struct ovz_verb_plan **out, struct ovz_error **err)
{
	int r = parsed;
	if (r == 0 && !d->ctid)
		r = ovz_error_set(err, EINVAL, "%sthe XML gives no CTID", what);
	if (r == 0)
		r = plan_new(h, d, verb, out, err);
	ovz_domain_free(d);
	return r < 0 ? r : 0;
}

int ovz_verb_plan_new_xml(struct ovz_host *h, const char *xml, enum ovz_plan_verb verb,
			  struct ovz_verb_plan **out, struct ovz_error **err)
{
	*out = NULL;
	struct ovz_domain *d = NULL;
	int r = api_parse_xml(xml, &d, err);
	return plan_doc(h, r, d, "", verb, out, err);
}

int ovz_verb_plan_new_file(struct ovz_host *h, const char *path, enum ovz_plan_verb verb,
			   struct ovz_verb_plan **out, struct ovz_error **err)
{
	*out = NULL;
	struct ovz_domain *d = NULL;
	int r = ovz_xml_parse_file(path, &d, err);
	_cleanup_free_ char *what = xasprintf("%s: ", path);
	return plan_doc(h, r, d, what, verb, out, err);
}

void ovz_verb_plan_free(struct ovz_verb_plan *p)
{
	if (!p)
		return;
	ovz_plan_free(p->plan);
	free(p->steps);
	free(p->text);
	free(p->json);
	free(p);
}

const char *ovz_verb_plan_backend(const struct ovz_verb_plan *p)
{
	return p->plan->backend;
}

unsigned ovz_verb_plan_ctid(const struct ovz_verb_plan *p)
{
	return p->plan->ctid;
}

size_t ovz_verb_plan_steps(const struct ovz_verb_plan *p)
{
	return p->n_steps;
}

static const struct ovz_op *step(const struct ovz_verb_plan *p, size_t i)
{
	return i < p->n_steps ? p->steps[i] : NULL;
}

const char *ovz_verb_plan_step_context(const struct ovz_verb_plan *p, size_t i)
{
	const struct ovz_op *op = step(p, i);
	return !op ? NULL : op->ctx == OVZ_CTX_CT ? "ct" : "host";
}

const char *ovz_verb_plan_step_mechanism(const struct ovz_verb_plan *p, size_t i)
{
	const struct ovz_op *op = step(p, i);
	return op ? op->mech : NULL;
}

const char *ovz_verb_plan_step_call(const struct ovz_verb_plan *p, size_t i)
{
	const struct ovz_op *op = step(p, i);
	return op ? step_call(p, op) : NULL;
}

const char *ovz_verb_plan_step_args(const struct ovz_verb_plan *p, size_t i)
{
	const struct ovz_op *op = step(p, i);
	return op ? op->args : NULL;
}

const char *ovz_verb_plan_text(const struct ovz_verb_plan *p)
{
	return p->text;
}

const char *ovz_verb_plan_json(const struct ovz_verb_plan *p)
{
	return p->json;
}
