/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The changes: static FDB entries and flood lists (/vtep/fdb_add, fdb_append, fdb_replace,
 * fdb_del), flushing learned entries, learning and ageing per VNI. The telemetry thread checks
 * the parameters; the control lcore, the single writer, applies them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtep_tele_int.h"

enum { FDB_ADD, FDB_APPEND, FDB_REPLACE, FDB_DEL };

struct fdb_set_req {
	int op;                    /* FDB_* */
	unsigned int vni_idx;      /* VNI */
	struct rte_ether_addr mac; /* MAC, all-zero for the flood list */
	rte_be32_t dst_be;         /* remote VTEP, 0 = any (del) */
	int rc;                    /* result */
};

static void
do_fdb_set(struct vtep_ctl *c, void *arg)
{
	struct fdb_set_req *r = arg;
	struct vtep_fdb *fdb = vtep_ctl_ctx(c)->fdb;
	uint64_t key = vtep_fdb_key(r->vni_idx, &r->mac);
	const struct vtep_fdb_entry *e;
	int idx;

	if (rte_is_zero_ether_addr(&r->mac)) {
		if (r->op == FDB_DEL)
			r->rc = vtep_ctl_flood_del(c, r->vni_idx, r->dst_be);
		else
			r->rc = vtep_ctl_flood_append(c, r->vni_idx, r->dst_be);
		if (r->rc == 0)
			vtep_tele_monitor_flood(c, r->op != FDB_DEL, r->vni_idx, r->dst_be);
		if (r->op == FDB_REPLACE && r->rc == -EEXIST)
			r->rc = 0;
		return;
	}
	e = vtep_fdb_lookup(fdb, key);
	switch (r->op) {
	case FDB_DEL:
		r->rc = e == NULL || (r->dst_be != 0 && e->dst_be != r->dst_be)
				? -ENOENT
				: vtep_fdb_del(fdb, key);
		return;
	case FDB_APPEND:
		/* One destination per MAC: only the all-zero MAC has a list. */
		r->rc = -EOPNOTSUPP;
		return;
	case FDB_ADD:
		/* `bridge fdb add` on an existing entry is EEXIST in the kernel too (NLM_F_EXCL).
		 */
		if (e != NULL) {
			r->rc = -EEXIST;
			return;
		}
		break;
	default:
		break;
	}
	/* The same steps as a `fdb MAC dst IP` word at start-up: remote, next hop, static entry. */
	idx = vtep_ctl_remote_get(c, r->dst_be);
	r->rc = idx < 0 ? idx : vtep_fdb_add_static(fdb, key, r->dst_be, idx);
}

/* The op of a /vtep/fdb_* command from its name. */
static int
fdb_op(const char *cmd)
{
	static const char *const names[] = {
			"/vtep/fdb_add", "/vtep/fdb_append", "/vtep/fdb_replace", "/vtep/fdb_del"};

	for (unsigned int i = 0; i < RTE_DIM(names); i++)
		if (strcmp(cmd, names[i]) == 0)
			return i;
	return FDB_DEL;
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
	static const char *const ops[] = {"add", "append", "replace", "del"};
	const struct vtep_conf *conf = vtep_ctl_ctx(c)->conf;
	int op = fdb_op(cmd);
	struct fdb_set_req r = {.op = op};

	if (!a->has_mac || a->vni_idx < 0 || (a->dst_be == 0 && op != FDB_DEL)) {
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
	unsigned int n;          /* entries flushed */
};

static void
do_flush(struct vtep_ctl *c, void *arg)
{
	struct vni_set_req *r = arg;

	r->n = vtep_fdb_flush(vtep_ctl_ctx(c)->fdb, r->a.vni_idx, r->a.dst_be);
}

static void
do_vni_set(struct vtep_ctl *c, void *arg)
{
	struct vni_set_req *r = arg;
	struct vtep_ctx *ctx = vtep_ctl_ctx(c);

	/* Workers read learning per burst; one byte store, no ordering needed. */
	if (r->a.learning >= 0)
		__atomic_store_n(&ctx->decap.learning[r->a.vni_idx], r->a.learning,
				__ATOMIC_RELAXED);
	if (r->a.ageing >= 0) {
		vtep_fdb_set_ageing(ctx->fdb, r->a.vni_idx, r->a.ageing);
		vtep_tele_ageing[r->a.vni_idx] = r->a.ageing;
	}
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
	if (vtep_tele_call(c, flush ? do_flush : do_vni_set, r, sizeof(*r), d) == 0) {
		vtep_tele_ok(d);
		if (flush)
			rte_tel_data_add_dict_u64(d, "flushed", r->n);
	}
	free(r);
}

const struct vtep_tele_cmd vtep_tele_set_cmds[] = {
		{"/vtep/fdb_add", cmd_fdb_set, "Add a static entry: mac=MAC,dst=IP,vni=N."},
		{"/vtep/fdb_append", cmd_fdb_set,
				"Append a flood-list remote: mac=00:00:00:00:00:00,dst=IP,vni=N."},
		{"/vtep/fdb_replace", cmd_fdb_set,
				"Add or replace a static entry: mac=,dst=,vni=."},
		{"/vtep/fdb_del", cmd_fdb_set, "Delete an entry: mac=MAC,vni=N[,dst=IP]."},
		{"/vtep/fdb_flush", cmd_vni_set, "Delete learned entries: [vni=N][,dst=IP]."},
		{"/vtep/learning", cmd_vni_set, "Set learning: vni=N,learning=on|off."},
		{"/vtep/ageing", cmd_vni_set, "Set ageing: vni=N,ageing=SECONDS (0 = never)."},
};
const unsigned int vtep_tele_nb_set_cmds = RTE_DIM(vtep_tele_set_cmds);
