/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The changes: static FDB entries and flood lists (/vtep/fdb_add, fdb_append, fdb_replace,
 * fdb_del), flushing learned entries, learning and ageing per VNI. The telemetry thread checks
 * the parameters and formats the answer; the control lcore's operations (vtep_ctl_fdb_set and
 * friends, lib/cp/ctl) do the change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtep_tele_int.h"

struct fdb_set_req {
	enum vtep_ctl_fdb_op op;   /* what */
	unsigned int vni_idx;      /* VNI */
	struct rte_ether_addr mac; /* MAC, all-zero for the flood list */
	rte_be32_t dst_be;         /* remote VTEP, 0 = any (del) */
	int att;                   /* a local entry's attachment (dev=), -1 = remote */
	int rc;                    /* result */
};

static void
do_fdb_set(struct vtep_ctl *c, void *arg)
{
	struct fdb_set_req *r = arg;

	if (r->att >= 0)
		r->rc = vtep_ctl_fdb_set_local(c, r->op, &r->mac, (uint16_t)r->att);
	else
		r->rc = vtep_ctl_fdb_set(c, r->op, r->vni_idx, &r->mac, r->dst_be);
}

/* A local entry (dev=): its attachment, whose VNI must be vni= if given. @return 0 or -1 after
 * answering the error. */
static int
fdb_set_local(const struct vtep_conf *conf, const struct vtep_tele_args *a, struct fdb_set_req *r,
		struct rte_tel_data *d)
{
	if (a->dst_be != 0 || rte_is_zero_ether_addr(&a->mac)) {
		vtep_tele_error(d, EINVAL, "dev= is for a unicast MAC without dst=");
		return -1;
	}
	r->att = vtep_tele_att(conf, a, d);
	if (r->att < 0)
		return -1;
	if (a->vni_idx >= 0 && conf->atts[r->att].vni != a->vni) {
		vtep_tele_error(d, EINVAL, "dev %s is in VNI %u, not %u", a->dev_name,
				conf->atts[r->att].vni, a->vni);
		return -1;
	}
	return 0;
}

/* The op of a /vtep/fdb_* command from its name. */
static enum vtep_ctl_fdb_op
fdb_op(const char *cmd)
{
	static const char *const names[] = {[VTEP_CTL_FDB_ADD] = "/vtep/fdb_add",
			[VTEP_CTL_FDB_APPEND] = "/vtep/fdb_append",
			[VTEP_CTL_FDB_REPLACE] = "/vtep/fdb_replace",
			[VTEP_CTL_FDB_DEL] = "/vtep/fdb_del"};

	for (unsigned int i = 0; i < RTE_DIM(names); i++)
		if (strcmp(cmd, names[i]) == 0)
			return i;
	return VTEP_CTL_FDB_DEL;
}

/* Why a valid-looking request cannot be done, in the words of the bridge command. */
static void
fdb_set_error(struct rte_tel_data *d, int rc, const char *op)
{
	if (rc == -ENOENT)
		vtep_tele_error(d, rc, "fdb entry not found");
	else if (rc == -EEXIST)
		vtep_tele_error(d, rc, "fdb entry exists (use replace)");
	else if (rc == -EOPNOTSUPP)
		vtep_tele_error(d, rc, "append is only for 00:00:00:00:00:00 (the flood list)");
	else if (rc == -EPERM)
		vtep_tele_error(d, rc, "the VNI's group is configuration, not a flood-list entry");
	else
		vtep_tele_error(d, rc, "fdb %s: %s", op, strerror(-rc));
}

static void
cmd_fdb_set(struct vtep_ctl *c, const char *cmd, const struct vtep_tele_args *a,
		struct rte_tel_data *d)
{
	static const char *const ops[] = {[VTEP_CTL_FDB_ADD] = "add",
			[VTEP_CTL_FDB_APPEND] = "append",
			[VTEP_CTL_FDB_REPLACE] = "replace",
			[VTEP_CTL_FDB_DEL] = "del"};
	const struct vtep_conf *conf = vtep_ctl_runtime(c)->conf;
	enum vtep_ctl_fdb_op op = fdb_op(cmd);
	struct fdb_set_req r = {.op = op, .att = -1};

	if (a->has_mac && a->dev_name[0] != '\0') {
		if (rte_is_multicast_ether_addr(&a->mac)) {
			vtep_tele_error(d, EINVAL, "MAC must be unicast");
			return;
		}
		if (fdb_set_local(conf, a, &r, d) != 0)
			return;
		r.mac = a->mac;
		if (vtep_tele_call(c, do_fdb_set, &r, sizeof(r), d) != 0)
			return;
		if (r.rc != 0)
			fdb_set_error(d, r.rc, ops[op]);
		else
			vtep_tele_ok(d);
		return;
	}
	if (!a->has_mac || a->vni_idx < 0 || (a->dst_be == 0 && op != VTEP_CTL_FDB_DEL)) {
		vtep_tele_error(d, EINVAL, "fdb %s needs mac=, dst= and vni=", ops[op]);
		return;
	}
	if (rte_is_multicast_ether_addr(&a->mac)) {
		vtep_tele_error(d, EINVAL, "MAC must be unicast (or all-zero)");
		return;
	}
	if (a->dst_be != 0 && !rte_is_zero_ether_addr(&a->mac) &&
			(vtep_ip_is_multicast(a->dst_be) || a->dst_be == conf->local_be)) {
		vtep_tele_error(d, EINVAL, "dst must be a remote unicast VTEP");
		return;
	}
	r.vni_idx = a->vni_idx;
	r.mac = a->mac;
	r.dst_be = a->dst_be;
	if (vtep_tele_call(c, do_fdb_set, &r, sizeof(r), d) != 0)
		return;
	if (r.rc != 0)
		fdb_set_error(d, r.rc, ops[op]);
	else
		vtep_tele_ok(d);
}

/* Flush, learning and ageing: small requests with the parameters and a count back. */
struct vni_set_req {
	struct vtep_tele_args a; /* parsed parameters */
	int att;                 /* flush or link_set: the attachment (dev=), -1 = none */
	unsigned int n;          /* entries flushed */
	int rc;                  /* link_set's result */
};

static void
do_flush(struct vtep_ctl *c, void *arg)
{
	struct vni_set_req *r = arg;

	if (r->att >= 0)
		r->n = vtep_ctl_fdb_flush_att(c, (uint16_t)r->att);
	else
		r->n = vtep_ctl_fdb_flush(c, r->a.vni_idx, r->a.dst_be);
}

static void
do_link_set(struct vtep_ctl *c, void *arg)
{
	struct vni_set_req *r = arg;
	const struct vtep_runtime *rt = vtep_ctl_runtime(c);

	r->rc = vtep_ctl_link_set(c, rt->bd->atts[r->att].lport, r->a.admin == 1);
}

/* /vtep/link_set: dev=PORT,admin=up|down (ip link set dev PORT up|down). */
static void
cmd_link_set(struct vtep_ctl *c, const char *cmd __rte_unused, const struct vtep_tele_args *a,
		struct rte_tel_data *d)
{
	const struct vtep_conf *conf = vtep_ctl_runtime(c)->conf;
	struct vni_set_req r = {.a = *a};

	if (a->dev_name[0] == '\0' || a->admin < 0) {
		vtep_tele_error(d, EINVAL, "link_set needs dev= and admin=up|down");
		return;
	}
	/* The port's first attachment stands for the port. */
	r.att = -1;
	for (unsigned int i = 0; i < conf->nb_atts && r.att < 0; i++)
		if (strcmp(conf->atts[i].port, a->dev_name) == 0)
			r.att = (int)i;
	if (r.att < 0) {
		vtep_tele_error(d, ENOENT, "dev %s is not a local port", a->dev_name);
		return;
	}
	if (vtep_tele_call(c, do_link_set, &r, sizeof(r), d) != 0)
		return;
	if (r.rc != 0)
		vtep_tele_error(d, r.rc, "link set: %s", strerror(-r.rc));
	else
		vtep_tele_ok(d);
}

static void
do_vni_set(struct vtep_ctl *c, void *arg)
{
	struct vni_set_req *r = arg;

	if (r->a.learning >= 0)
		vtep_ctl_set_learning(c, r->a.vni_idx, r->a.learning);
	if (r->a.ageing >= 0)
		vtep_ctl_set_ageing(c, r->a.vni_idx, r->a.ageing);
}

/* /vtep/fdb_flush, /vtep/learning, /vtep/ageing. */
static void
cmd_vni_set(struct vtep_ctl *c, const char *cmd, const struct vtep_tele_args *a,
		struct rte_tel_data *d)
{
	bool flush = strcmp(cmd, "/vtep/fdb_flush") == 0;
	bool learning = strcmp(cmd, "/vtep/learning") == 0;
	struct vni_set_req *r;

	if (!flush && (a->vni_idx < 0 || (learning ? a->learning < 0 : a->ageing < 0))) {
		vtep_tele_error(d, EINVAL, "needs vni= and %s=", learning ? "learning" : "ageing");
		return;
	}
	r = malloc(sizeof(*r));
	if (r == NULL) {
		vtep_tele_error(d, ENOMEM, "out of memory");
		return;
	}
	r->a = *a;
	r->n = 0;
	r->att = -1;
	if (flush && a->dev_name[0] != '\0' &&
			(r->att = vtep_tele_att(vtep_ctl_runtime(c)->conf, a, d)) < 0) {
		free(r);
		return;
	}
	if (vtep_tele_call(c, flush ? do_flush : do_vni_set, r, sizeof(*r), d) == 0) {
		vtep_tele_ok(d);
		if (flush)
			rte_tel_data_add_dict_u64(d, "flushed", r->n);
	}
	free(r);
}

const struct vtep_tele_cmd vtep_tele_set_cmds[] = {
		{"/vtep/fdb_add", cmd_fdb_set,
				"Add a static entry: mac=MAC,dst=IP,vni=N or "
				"mac=MAC,dev=PORT[,vlan=V][,vni=N]."},
		{"/vtep/fdb_append", cmd_fdb_set,
				"Append a flood-list remote: mac=00:00:00:00:00:00,dst=IP,vni=N."},
		{"/vtep/fdb_replace", cmd_fdb_set,
				"Add or replace a static entry: mac=,dst=,vni=."},
		{"/vtep/fdb_del", cmd_fdb_set, "Delete an entry: mac=MAC,vni=N[,dst=IP]."},
		{"/vtep/fdb_flush", cmd_vni_set,
				"Delete learned entries: [vni=N][,dst=IP] or dev=PORT[,vlan=V]."},
		{"/vtep/link_set", cmd_link_set,
				"Set a local port down or up: dev=PORT,admin=up|down."},
		{"/vtep/learning", cmd_vni_set, "Set learning: vni=N,learning=on|off."},
		{"/vtep/ageing", cmd_vni_set, "Set ageing: vni=N,ageing=SECONDS (0 = never)."},
};
const unsigned int vtep_tele_nb_set_cmds = RTE_DIM(vtep_tele_set_cmds);
