// SPDX-License-Identifier: LGPL-2.1-or-later
/* The network context of one container and the step runner. */
#include "net.h"
#include "core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ovz_netctx_open(struct ovz_netctx *ctx, unsigned ctid, int host_netns_fd, int ct_netns_fd,
		    struct ovz_error **err)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->ctid = ctid;
	ctx->host_netns_fd = host_netns_fd;
	ctx->ct_netns_fd = ct_netns_fd;
	int r = ovz_nl_open(host_netns_fd, &ctx->host, err);
	if (r == 0 && ct_netns_fd >= 0)
		r = ovz_nl_open(ct_netns_fd, &ctx->ct, err);
	if (r < 0)
		ovz_netctx_close(ctx);
	return r;
}

void ovz_netctx_close(struct ovz_netctx *ctx)
{
	ovz_nl_close(ctx->host);
	ovz_nl_close(ctx->ct);
	ctx->host = ctx->ct = NULL;
}

int ovz_net_steps_undo(const struct ovz_net_step *steps, size_t n_steps,
		       struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
		       struct ovz_error **err)
{
	int first = 0;
	for (size_t i = n_steps; i-- > 0;) {
		int r = steps[i].undo(ctx, f, n, err);
		if (r < 0 && !first)
			first = ovz_error_wrap(err, r, "undo %s", steps[i].name);
	}
	return first;
}

int ovz_net_steps_apply(const struct ovz_net_step *steps, size_t n_steps,
			struct ovz_netctx *ctx, const struct ovz_iface *f, unsigned n,
			struct ovz_error **err)
{
	for (size_t i = 0; i < n_steps; i++) {
		int r = steps[i].apply(ctx, f, n, err);
		if (r < 0) {
			ovz_error_wrap(err, r, "%s", steps[i].name);
			/* the failing step may have done part of its work */
			ovz_net_steps_undo(steps, i + 1, ctx, f, n, NULL);
			return r;
		}
	}
	return 0;
}

/* All venet addresses of d on one interface: a container has one venet0. */
static void merge_venet(const struct ovz_domain *d, struct ovz_iface *out, bool *any)
{
	memset(out, 0, sizeof(*out));
	out->type = OVZ_IFACE_VENET;
	*any = false;
	for (size_t i = 0; i < d->n_ifaces; i++) {
		if (d->ifaces[i].type != OVZ_IFACE_VENET)
			continue;
		*any = true;
		for (size_t j = 0; j < d->ifaces[i].n_ips; j++)
			ovz_iface_add_ip(out, &d->ifaces[i].ips[j]);
	}
}

/* Undoes the first n_veth veth interfaces (last first), then venet. */
static int undo_upto(struct ovz_netctx *ctx, const struct ovz_domain *d, unsigned n_veth,
		     const struct ovz_iface *venet, bool has_venet, struct ovz_error **err)
{
	int first = 0;
	unsigned n = 0;
	for (size_t i = 0; i < d->n_ifaces; i++)
		n += d->ifaces[i].type == OVZ_IFACE_VETH;
	for (size_t i = d->n_ifaces; i-- > 0;) {
		if (d->ifaces[i].type != OVZ_IFACE_VETH || --n >= n_veth)
			continue;
		int r = ovz_net_steps_undo(ovz_veth_steps, ovz_veth_n_steps, ctx, &d->ifaces[i], n,
					   err);
		if (r < 0 && !first)
			first = r;
	}
	if (has_venet) {
		int r = ovz_net_steps_undo(ovz_venet_steps, ovz_venet_n_steps, ctx, venet, 0, err);
		if (r < 0 && !first)
			first = r;
	}
	return first;
}

int ovz_net_setup(struct ovz_netctx *ctx, const struct ovz_domain *d, struct ovz_error **err)
{
	struct ovz_iface venet;
	bool has_venet;
	merge_venet(d, &venet, &has_venet);
	int r = 0;
	if (has_venet)
		r = ovz_net_steps_apply(ovz_venet_steps, ovz_venet_n_steps, ctx, &venet, 0, err);
	unsigned n = 0;
	for (size_t i = 0; r == 0 && i < d->n_ifaces; i++) {
		if (d->ifaces[i].type != OVZ_IFACE_VETH)
			continue;
		r = ovz_net_steps_apply(ovz_veth_steps, ovz_veth_n_steps, ctx, &d->ifaces[i], n, err);
		if (r < 0)
			undo_upto(ctx, d, n, &venet, has_venet, NULL);
		n++;
	}
	free(venet.ips);
	return r;
}

int ovz_net_teardown(struct ovz_netctx *ctx, const struct ovz_domain *d, struct ovz_error **err)
{
	struct ovz_iface venet;
	bool has_venet;
	merge_venet(d, &venet, &has_venet);
	int r = undo_upto(ctx, d, (unsigned)d->n_ifaces, &venet, has_venet, err);
	free(venet.ips);
	return r;
}
