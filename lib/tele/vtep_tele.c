/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_telemetry.h>

#include "vtep_tele.h"

RTE_LOG_REGISTER_DEFAULT(vtep_logtype_tele, INFO);
#define TELE_LOG(level, ...) rte_log(RTE_LOG_##level, vtep_logtype_tele, "vtepd.tele: " __VA_ARGS__)

/* Longest wait of vtep_tele_stop for commands in flight, in us. */
#define STOP_WAIT_US 2000000
#define STOP_STEP_US 100

/*
 * Shared with the telemetry threads: the control state (NULL once stopped) and the number of
 * callbacks between enter() and leave(). Both are sequentially consistent, so that either a
 * callback sees NULL or vtep_tele_stop sees it in flight (Dekker's handshake).
 */
static struct vtep_ctl *tele_ctl;
static uint32_t tele_inflight;
static bool tele_registered;
/* Ageing per VNI index as set at run time; only the control lcore reads or writes it. */
static uint32_t tele_ageing[VTEP_MAX_VNIS];

/* Parameters of a command: `key=value` words separated by commas. */
struct tele_args {
	int vni_idx;               /* -1: no vni= */
	uint32_t vni;              /* the vni= value */
	bool has_mac;              /* mac= given */
	struct rte_ether_addr mac; /* mac= */
	rte_be32_t dst_be;         /* dst=, 0 if none */
	uint32_t start;            /* start= (FDB paging) */
	int learning;              /* learning=on|off: 1/0, -1 if none */
	int64_t ageing;            /* ageing=, -1 if none */
};

static struct vtep_ctl *
enter(void)
{
	struct vtep_ctl *c;

	__atomic_fetch_add(&tele_inflight, 1, __ATOMIC_SEQ_CST);
	c = __atomic_load_n(&tele_ctl, __ATOMIC_SEQ_CST);
	if (c == NULL)
		__atomic_fetch_sub(&tele_inflight, 1, __ATOMIC_SEQ_CST);
	return c;
}

static void
leave(void)
{
	__atomic_fetch_sub(&tele_inflight, 1, __ATOMIC_SEQ_CST);
}

/* Errors are answers, not a null reply, so that clients can print why: {"error": ..., "errno"}. */
static int reply_error(struct rte_tel_data *d, int rc, const char *fmt, ...)
		__rte_format_printf(3, 4);

static int
reply_error(struct rte_tel_data *d, int rc, const char *fmt, ...)
{
	char msg[RTE_TEL_MAX_STRING_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", msg);
	rte_tel_data_add_dict_int(d, "errno", rc < 0 ? -rc : rc);
	return 0;
}

static int
reply_ok(struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "status", "ok");
	return 0;
}

static const char *
mac_str(const struct rte_ether_addr *mac, char *buf, size_t size)
{
	const uint8_t *b = mac->addr_bytes;

	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	return buf;
}

/* One `key=value` word into a; the message names the word on error. */
static int
parse_word(const struct vtep_conf *conf, char *w, struct tele_args *a, char *err, size_t esz)
{
	char *v = strchr(w, '='), *end;
	struct in_addr in;
	unsigned long n;

	if (v == NULL) {
		snprintf(err, esz, "parameter '%s' is not key=value", w);
		return -EINVAL;
	}
	*v++ = '\0';
	if (strcmp(w, "vni") == 0 || strcmp(w, "start") == 0 || strcmp(w, "ageing") == 0) {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0 || n > UINT32_MAX ||
				(w[0] == 'v' && n > VTEP_VNI_MAX)) {
			snprintf(err, esz, "bad %s '%s'", w, v);
			return -EINVAL;
		}
		if (w[0] == 's') {
			a->start = n;
		} else if (w[0] == 'a') {
			a->ageing = n;
		} else {
			a->vni = n;
			a->vni_idx = vtep_conf_vni_index(conf, n);
			if (a->vni_idx < 0) {
				snprintf(err, esz, "VNI %lu is not configured", n);
				return -ENOENT;
			}
		}
	} else if (strcmp(w, "mac") == 0) {
		if (rte_ether_unformat_addr(v, &a->mac) != 0) {
			snprintf(err, esz, "bad MAC '%s'", v);
			return -EINVAL;
		}
		a->has_mac = true;
	} else if (strcmp(w, "dst") == 0) {
		if (inet_pton(AF_INET, v, &in) != 1 || in.s_addr == 0) {
			snprintf(err, esz, "bad dst '%s'", v);
			return -EINVAL;
		}
		a->dst_be = in.s_addr;
	} else if (strcmp(w, "learning") == 0) {
		if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
			snprintf(err, esz, "learning must be on or off, not '%s'", v);
			return -EINVAL;
		}
		a->learning = strcmp(v, "on") == 0;
	} else {
		snprintf(err, esz, "unknown parameter '%s'", w);
		return -EINVAL;
	}
	return 0;
}

static int
parse_args(const struct vtep_conf *conf, const char *params, struct tele_args *a, char *err,
		size_t esz)
{
	char buf[256], *w, *save = NULL;
	int rc;

	*a = (struct tele_args){.vni_idx = -1, .learning = -1, .ageing = -1};
	if (params == NULL || *params == '\0')
		return 0;
	if (strlen(params) >= sizeof(buf)) {
		snprintf(err, esz, "parameters too long");
		return -EINVAL;
	}
	strcpy(buf, params);
	for (w = strtok_r(buf, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
		rc = parse_word(conf, w, a, err, esz);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Run fn on the control lcore; on failure answer the error. */
static int
call(struct vtep_ctl *c, vtep_ctl_fn fn, void *arg, size_t size, struct rte_tel_data *d)
{
	int rc = vtep_ctl_call(c, fn, arg, size, VTEP_TELE_TIMEOUT_MS);

	if (rc == -ETIMEDOUT)
		reply_error(d, rc, "no answer from the control lcore within %u ms",
				VTEP_TELE_TIMEOUT_MS);
	else if (rc != 0)
		reply_error(d, rc, "control lcore: %s", strerror(-rc));
	return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* /vtep/stats: read on the telemetry thread (per-lcore counters only grow). */

static void
add_sub(struct rte_tel_data *d, const char *name, struct rte_tel_data *sub)
{
	if (rte_tel_data_add_dict_container(d, name, sub, 0) != 0)
		rte_tel_data_free(sub);
}

static void
add_side_counters(struct rte_tel_data *d, const struct vtep_lcore_stats *s)
{
	uint64_t drops = 0;

	for (int i = 0; i < VTEP_DROP_MAX; i++)
		drops += s->drops[i];
	rte_tel_data_add_dict_u64(d, "underlay_rx", s->underlay_rx);
	rte_tel_data_add_dict_u64(d, "underlay_tx", s->underlay_tx);
	rte_tel_data_add_dict_u64(d, "inner_rx", s->inner_rx);
	rte_tel_data_add_dict_u64(d, "inner_tx", s->inner_tx);
	rte_tel_data_add_dict_u64(d, "ctl_arp", s->ctl_arp);
	rte_tel_data_add_dict_u64(d, "ctl_igmp", s->ctl_igmp);
	rte_tel_data_add_dict_u64(d, "ctl_icmp", s->ctl_icmp);
	rte_tel_data_add_dict_u64(d, "drops", drops);
}

static void
add_lcore(struct rte_tel_data *d, unsigned int lcore, const char *role,
		const struct vtep_lcore_stats *s)
{
	struct rte_tel_data *l = rte_tel_data_alloc();
	char name[32];

	if (l == NULL)
		return;
	rte_tel_data_start_dict(l);
	rte_tel_data_add_dict_string(l, "role", role);
	add_side_counters(l, s);
	rte_tel_data_add_dict_u64(l, "busy_cycles", s->busy_cycles);
	rte_tel_data_add_dict_u64(l, "total_cycles", s->total_cycles);
	snprintf(name, sizeof(name), "lcore_%u", lcore);
	add_sub(d, name, l);
}

static int
cmd_stats(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	struct vtep_ctl *c = enter();
	struct vtep_lcore_stats *sum;
	const struct vtep_ctx *ctx;
	const struct vtep_fdb_counters *fc;
	struct rte_tel_data *sub;
	char name[32];

	if (c == NULL)
		return reply_error(d, ESHUTDOWN, "vtepd is stopping");
	ctx = vtep_ctl_ctx(c);
	sum = malloc(sizeof(*sum));
	if (sum == NULL) {
		leave();
		return reply_error(d, ENOMEM, "out of memory");
	}
	vtep_stats_sum(sum, ctx->stats, ctx->nb_workers + 1);
	rte_tel_data_start_dict(d);
	add_side_counters(d, sum);
	sub = rte_tel_data_alloc();
	if (sub != NULL) {
		rte_tel_data_start_dict(sub);
		for (int i = 0; i < VTEP_DROP_MAX; i++)
			rte_tel_data_add_dict_u64(sub, vtep_drop_name(i), sum->drops[i]);
		add_sub(d, "drop", sub);
	}
	for (unsigned int v = 0; v < ctx->conf->nb_vnis; v++) {
		const struct vtep_vni_stats *vs = &sum->vni[v];

		sub = rte_tel_data_alloc();
		if (sub == NULL)
			break;
		rte_tel_data_start_dict(sub);
		rte_tel_data_add_dict_u64(sub, "decap_pkts", vs->decap_pkts);
		rte_tel_data_add_dict_u64(sub, "decap_bytes", vs->decap_bytes);
		rte_tel_data_add_dict_u64(sub, "encap_pkts", vs->encap_pkts);
		rte_tel_data_add_dict_u64(sub, "encap_bytes", vs->encap_bytes);
		rte_tel_data_add_dict_u64(sub, "flood_pkts", vs->flood_pkts);
		rte_tel_data_add_dict_u64(sub, "flood_copies", vs->flood_copies);
		rte_tel_data_add_dict_u64(sub, "learn_events", vs->learn_events);
		snprintf(name, sizeof(name), "vni_%u", ctx->conf->vnis[v].vni);
		add_sub(d, name, sub);
	}
	free(sum);
	/* The FDB's counters are the writer's plain integers: a reader may see them a pass late. */
	fc = vtep_fdb_counters(ctx->fdb);
	sub = rte_tel_data_alloc();
	if (sub != NULL) {
		rte_tel_data_start_dict(sub);
		rte_tel_data_add_dict_u64(sub, "learned", fc->learned);
		rte_tel_data_add_dict_u64(sub, "moved", fc->moved);
		rte_tel_data_add_dict_u64(sub, "aged", fc->aged);
		rte_tel_data_add_dict_u64(sub, "refused", fc->refused);
		rte_tel_data_add_dict_u64(sub, "static_move", fc->static_move);
		rte_tel_data_add_dict_u64(sub, "nb_learned", fc->nb_learned);
		rte_tel_data_add_dict_u64(sub, "nb_static", fc->nb_static);
		add_sub(d, "fdb", sub);
	}
	for (unsigned int w = 0; w < ctx->nb_workers; w++)
		add_lcore(d, ctx->workers[w]->lcore_id, "worker", &ctx->stats[w]);
	add_lcore(d, rte_get_main_lcore(), "control", &ctx->stats[ctx->nb_workers]);
	leave();
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* /vtep/fdb: the FDB and the flood lists, read on the control lcore. */

/* Kinds of a listed entry. */
enum { FDB_LEARNED, FDB_STATIC, FDB_FLOOD };

struct fdb_list_req {
	int vni_idx;               /* filter, -1 = all */
	bool has_mac;              /* filter on mac */
	struct rte_ether_addr mac; /* the filter */
	uint32_t start;            /* matches to skip */
	uint32_t now;              /* vtep_fdb_now() of the walk */
	uint32_t matched;          /* matches seen so far */
	uint32_t nb;               /* entries in e */
	struct {
		uint64_t key;
		rte_be32_t dst_be;
		uint32_t age;
		uint8_t kind;
	} e[VTEP_TELE_FDB_PAGE];
};

/* Count a match; keep it if it falls in the page. @return non-zero when the page is full. */
static int
fdb_list_add(struct fdb_list_req *r, uint64_t key, rte_be32_t dst_be, uint8_t kind, uint32_t age)
{
	if (r->matched++ < r->start)
		return 0;
	r->e[r->nb].key = key;
	r->e[r->nb].dst_be = dst_be;
	r->e[r->nb].kind = kind;
	r->e[r->nb].age = age;
	return ++r->nb == VTEP_TELE_FDB_PAGE;
}

static int
fdb_list_cb(uint64_t key, const struct vtep_fdb_entry *e, void *arg)
{
	struct fdb_list_req *r = arg;
	bool st = e->flags & VTEP_FDB_STATIC;

	if (r->vni_idx >= 0 && (int)vtep_fdb_key_vni(key) != r->vni_idx)
		return 0;
	if (r->has_mac && key != vtep_fdb_key(vtep_fdb_key_vni(key), &r->mac))
		return 0;
	return fdb_list_add(r, key, e->dst_be, st ? FDB_STATIC : FDB_LEARNED,
			st ? 0 : r->now - e->seen);
}

static void
do_fdb_list(struct vtep_ctl *c, void *arg)
{
	struct vtep_ctx *ctx = vtep_ctl_ctx(c);
	const struct vtep_encap_vni *evnis = vtep_ctl_encap_vnis(c);
	struct fdb_list_req *r = arg;
	const struct rte_ether_addr zero = {{0}};

	r->now = vtep_fdb_now();
	if (!r->has_mac || rte_is_zero_ether_addr(&r->mac)) {
		for (unsigned int v = 0; v < ctx->conf->nb_vnis; v++) {
			if (r->vni_idx >= 0 && (int)v != r->vni_idx)
				continue;
			for (unsigned int i = 0; i < evnis[v].nb_floods; i++) {
				const struct vtep_remote *rm =
						vtep_remote_slot(ctx->remotes, evnis[v].floods[i]);

				if (fdb_list_add(r, vtep_fdb_key(v, &zero), rm->ip_be, FDB_FLOOD,
						    0))
					return;
			}
		}
	}
	vtep_fdb_walk(ctx->fdb, fdb_list_cb, r);
}

static int
cmd_fdb(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	static const char *const kinds[] = {"learned", "static", "flood"};
	struct vtep_ctl *c = enter();
	struct fdb_list_req *r;
	struct tele_args a;
	char err[RTE_TEL_MAX_STRING_LEN], buf[32];
	int rc;

	if (c == NULL)
		return reply_error(d, ESHUTDOWN, "vtepd is stopping");
	r = calloc(1, sizeof(*r));
	rc = r == NULL ? -ENOMEM : parse_args(vtep_ctl_ctx(c)->conf, params, &a, err, sizeof(err));
	if (rc != 0) {
		reply_error(d, rc, "%s", r == NULL ? "out of memory" : err);
		goto out;
	}
	r->vni_idx = a.vni_idx;
	r->has_mac = a.has_mac;
	r->mac = a.mac;
	r->start = a.start;
	if (call(c, do_fdb_list, r, sizeof(*r), d) != 0)
		goto out;
	/* DPDK 22.11 arrays hold only arrays: entries are a dict keyed by their position. */
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < r->nb; i++) {
		struct rte_tel_data *e = rte_tel_data_alloc();
		struct rte_ether_addr mac;
		char pos[16];

		if (e == NULL)
			break;
		vtep_fdb_key_mac(r->e[i].key, &mac);
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "mac", mac_str(&mac, buf, sizeof(buf)));
		rte_tel_data_add_dict_string(e, "dst", vtep_ip_str(r->e[i].dst_be, buf));
		rte_tel_data_add_dict_u64(e, "vni",
				vtep_ctl_ctx(c)->conf->vnis[vtep_fdb_key_vni(r->e[i].key)].vni);
		rte_tel_data_add_dict_string(e, "state", kinds[r->e[i].kind]);
		rte_tel_data_add_dict_u64(e, "age", r->e[i].age);
		snprintf(pos, sizeof(pos), "%u", r->start + i);
		add_sub(d, pos, e);
	}
out:
	free(r);
	leave();
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* FDB and flood-list changes, on the control lcore. */

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

static int
fdb_set(const char *params, struct rte_tel_data *d, int op)
{
	static const char *const ops[] = {"add", "append", "replace", "del"};
	struct vtep_ctl *c = enter();
	struct fdb_set_req r = {.op = op};
	const struct vtep_conf *conf;
	char err[RTE_TEL_MAX_STRING_LEN];
	struct tele_args a;
	int rc;

	if (c == NULL)
		return reply_error(d, ESHUTDOWN, "vtepd is stopping");
	conf = vtep_ctl_ctx(c)->conf;
	rc = parse_args(conf, params, &a, err, sizeof(err));
	if (rc == 0 && (!a.has_mac || a.vni_idx < 0 || (a.dst_be == 0 && op != FDB_DEL)))
		rc = -EINVAL,
		snprintf(err, sizeof(err), "fdb %s needs mac=, dst= and vni=", ops[op]);
	else if (rc == 0 && rte_is_multicast_ether_addr(&a.mac))
		rc = -EINVAL, snprintf(err, sizeof(err), "MAC must be unicast (or all-zero)");
	else if (rc == 0 && a.dst_be != 0 && !rte_is_zero_ether_addr(&a.mac) &&
			(vtep_ip_is_multicast(a.dst_be) || a.dst_be == conf->local_be))
		rc = -EINVAL, snprintf(err, sizeof(err), "dst must be a remote unicast VTEP");
	if (rc != 0) {
		reply_error(d, rc, "%s", err);
		goto out;
	}
	r.vni_idx = a.vni_idx;
	r.mac = a.mac;
	r.dst_be = a.dst_be;
	if (call(c, do_fdb_set, &r, sizeof(r), d) != 0)
		goto out;
	if (r.rc == -ENOENT)
		reply_error(d, r.rc, "fdb entry not found");
	else if (r.rc == -EEXIST)
		reply_error(d, r.rc, "fdb entry exists (use replace)");
	else if (r.rc == -EOPNOTSUPP)
		reply_error(d, r.rc, "append is only for 00:00:00:00:00:00 (the flood list)");
	else if (r.rc == -EPERM)
		reply_error(d, r.rc, "the VNI's group is configuration, not a flood-list entry");
	else if (r.rc != 0)
		reply_error(d, r.rc, "fdb %s: %s", ops[op], strerror(-r.rc));
	else
		reply_ok(d);
out:
	leave();
	return 0;
}

static int
cmd_fdb_add(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	return fdb_set(params, d, FDB_ADD);
}

static int
cmd_fdb_append(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	return fdb_set(params, d, FDB_APPEND);
}

static int
cmd_fdb_replace(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	return fdb_set(params, d, FDB_REPLACE);
}

static int
cmd_fdb_del(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	return fdb_set(params, d, FDB_DEL);
}

/* Flush, learning and ageing: small requests with a tele_args and a count back. */
struct vni_set_req {
	struct tele_args a; /* parsed parameters */
	unsigned int n;     /* entries flushed */
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
		tele_ageing[r->a.vni_idx] = r->a.ageing;
	}
}

static int
vni_set(const char *params, struct rte_tel_data *d, vtep_ctl_fn fn, const char *need)
{
	struct vtep_ctl *c = enter();
	struct vni_set_req r;
	char err[RTE_TEL_MAX_STRING_LEN];
	int rc;

	if (c == NULL)
		return reply_error(d, ESHUTDOWN, "vtepd is stopping");
	rc = parse_args(vtep_ctl_ctx(c)->conf, params, &r.a, err, sizeof(err));
	if (rc == 0 && need != NULL &&
			(r.a.vni_idx < 0 || (need[0] == 'l' ? r.a.learning < 0 : r.a.ageing < 0)))
		rc = -EINVAL, snprintf(err, sizeof(err), "needs vni= and %s=", need);
	if (rc != 0) {
		reply_error(d, rc, "%s", err);
		goto out;
	}
	r.n = 0;
	if (call(c, fn, &r, sizeof(r), d) != 0)
		goto out;
	reply_ok(d);
	if (fn == do_flush)
		rte_tel_data_add_dict_u64(d, "flushed", r.n);
out:
	leave();
	return 0;
}

static int
cmd_fdb_flush(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	return vni_set(params, d, do_flush, NULL);
}

static int
cmd_learning(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	return vni_set(params, d, do_vni_set, "learning");
}

static int
cmd_ageing(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	return vni_set(params, d, do_vni_set, "ageing");
}

/* ------------------------------------------------------------------------------------------ */
/* /vtep/neigh, /vtep/vni, /vtep/igmp: copies made on the control lcore. */

struct neigh_req {
	struct vtep_arp_entry e[VTEP_ARP_SIZE]; /* the table */
};

static void
do_neigh(struct vtep_ctl *c, void *arg)
{
	struct neigh_req *r = arg;

	memcpy(r->e, vtep_ctl_arp(c)->entries, sizeof(r->e));
}

static int
cmd_neigh(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	struct vtep_ctl *c = enter();
	struct neigh_req *r;
	unsigned int nb = 0;
	char buf[32];

	if (c == NULL)
		return reply_error(d, ESHUTDOWN, "vtepd is stopping");
	r = malloc(sizeof(*r));
	if (r == NULL) {
		reply_error(d, ENOMEM, "out of memory");
		goto out;
	}
	if (call(c, do_neigh, r, sizeof(*r), d) != 0)
		goto out;
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < VTEP_ARP_SIZE; i++) {
		const struct vtep_arp_entry *n = &r->e[i];
		struct rte_tel_data *e;

		if (n->state == VTEP_ARP_FREE)
			continue;
		e = rte_tel_data_alloc();
		if (e == NULL)
			break;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "ip", vtep_ip_str(n->ip_be, buf));
		rte_tel_data_add_dict_string(e, "mac",
				n->state == VTEP_ARP_INCOMPLETE
						? ""
						: mac_str(&n->mac, buf, sizeof(buf)));
		rte_tel_data_add_dict_string(e, "state", vtep_arp_state_name(n->state));
		/* Keys allow no dots: entries are numbered, the address is a value. */
		snprintf(buf, sizeof(buf), "%u", nb++);
		add_sub(d, buf, e);
	}
out:
	free(r);
	leave();
	return 0;
}

struct vni_req {
	struct vtep_encap_vni ev[VTEP_MAX_VNIS];                    /* flood lists now */
	rte_be32_t floods_be[VTEP_MAX_VNIS][VTEP_ENCAP_MAX_COPIES]; /* their addresses */
	uint8_t learning[VTEP_MAX_VNIS];                            /* learning now */
	uint32_t ageing[VTEP_MAX_VNIS];                             /* ageing now */
	uint32_t learned[VTEP_MAX_VNIS];                            /* learned entries now */
};

static void
do_vni(struct vtep_ctl *c, void *arg)
{
	struct vtep_ctx *ctx = vtep_ctl_ctx(c);
	struct vni_req *r = arg;

	memcpy(r->ev, vtep_ctl_encap_vnis(c), sizeof(r->ev));
	for (unsigned int v = 0; v < ctx->conf->nb_vnis; v++) {
		for (unsigned int i = 0; i < r->ev[v].nb_floods; i++)
			r->floods_be[v][i] =
					vtep_remote_slot(ctx->remotes, r->ev[v].floods[i])->ip_be;
		r->learning[v] = ctx->decap.learning[v];
		r->ageing[v] = tele_ageing[v];
		r->learned[v] = vtep_fdb_counters(ctx->fdb)->vni_learned[v];
	}
}

static int
cmd_vni(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	struct vtep_ctl *c = enter();
	const struct vtep_ctx *ctx;
	struct vni_req *r;
	char buf[32], list[RTE_TEL_MAX_STRING_LEN];

	if (c == NULL)
		return reply_error(d, ESHUTDOWN, "vtepd is stopping");
	ctx = vtep_ctl_ctx(c);
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		reply_error(d, ENOMEM, "out of memory");
		goto out;
	}
	if (call(c, do_vni, r, sizeof(*r), d) != 0)
		goto out;
	rte_tel_data_start_dict(d);
	for (unsigned int v = 0; v < ctx->conf->nb_vnis; v++) {
		const struct vtep_vni_conf *vc = &ctx->conf->vnis[v];
		struct rte_tel_data *e = rte_tel_data_alloc();
		size_t len = 0;

		if (e == NULL)
			break;
		list[0] = '\0';
		for (unsigned int i = 0; i < r->ev[v].nb_floods; i++) {
			/* A string holds 127 characters: the whole list is in /vtep/fdb. */
			if (len + 16 + 4 >= sizeof(list)) {
				snprintf(list + len, sizeof(list) - len, " ...");
				break;
			}
			len += snprintf(list + len, sizeof(list) - len, "%s%s", i ? " " : "",
					vtep_ip_str(r->floods_be[v][i], buf));
		}
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_u64(e, "id", vc->vni);
		rte_tel_data_add_dict_string(
				e, "group", vc->group_be ? vtep_ip_str(vc->group_be, buf) : "");
		rte_tel_data_add_dict_string(e, "inner", ctx->inner[v].name);
		rte_tel_data_add_dict_string(e, "learning", r->learning[v] ? "on" : "off");
		rte_tel_data_add_dict_u64(e, "ageing", r->ageing[v]);
		rte_tel_data_add_dict_u64(e, "maxaddress", vc->maxaddress);
		rte_tel_data_add_dict_u64(e, "learned", r->learned[v]);
		rte_tel_data_add_dict_u64(e, "nb_floods", r->ev[v].nb_floods);
		rte_tel_data_add_dict_string(e, "floods", list);
		snprintf(buf, sizeof(buf), "%u", vc->vni);
		add_sub(d, buf, e);
	}
out:
	free(r);
	leave();
	return 0;
}

struct igmp_req {
	struct vtep_igmp ig; /* the state */
	unsigned int mode;   /* version reports go out in now */
};

static void
do_igmp(struct vtep_ctl *c, void *arg)
{
	struct igmp_req *r = arg;

	r->ig = *vtep_ctl_igmp(c);
	r->mode = vtep_igmp_mode(&r->ig, rte_rdtsc());
}

static int
cmd_igmp(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	struct vtep_ctl *c = enter();
	struct rte_tel_data *groups;
	struct igmp_req r;
	char buf[16];

	if (c == NULL)
		return reply_error(d, ESHUTDOWN, "vtepd is stopping");
	if (call(c, do_igmp, &r, sizeof(r), d) == 0) {
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_u64(d, "version", r.ig.p.version);
		rte_tel_data_add_dict_u64(d, "mode", r.mode);
		rte_tel_data_add_dict_u64(d, "queries", r.ig.c.queries);
		rte_tel_data_add_dict_u64(d, "reports", r.ig.c.reports);
		rte_tel_data_add_dict_u64(d, "leaves", r.ig.c.leaves);
		rte_tel_data_add_dict_u64(d, "invalid", r.ig.c.invalid);
		groups = rte_tel_data_alloc();
		if (groups != NULL) {
			rte_tel_data_start_array(groups, RTE_TEL_STRING_VAL);
			for (unsigned int i = 0; i < r.ig.nb_groups; i++)
				rte_tel_data_add_array_string(
						groups, vtep_ip_str(r.ig.groups[i].group_be, buf));
			add_sub(d, "groups", groups);
		}
	}
	leave();
	return 0;
}

/* ------------------------------------------------------------------------------------------ */

static const struct {
	const char *name;
	telemetry_cb fn;
	const char *help;
} tele_cmds[] = {
		{"/vtep/stats", cmd_stats,
				"Counters: totals, drop reasons, per VNI, FDB, per lcore."},
		{"/vtep/fdb", cmd_fdb,
				"FDB and flood lists. Parameters: vni=N, mac=MAC, start=N (128 a "
				"reply)."},
		{"/vtep/fdb_add", cmd_fdb_add, "Add a static entry: mac=MAC,dst=IP,vni=N."},
		{"/vtep/fdb_append", cmd_fdb_append,
				"Append a flood-list remote: mac=00:00:00:00:00:00,dst=IP,vni=N."},
		{"/vtep/fdb_replace", cmd_fdb_replace,
				"Add or replace a static entry: mac=,dst=,vni=."},
		{"/vtep/fdb_del", cmd_fdb_del, "Delete an entry: mac=MAC,vni=N[,dst=IP]."},
		{"/vtep/fdb_flush", cmd_fdb_flush, "Delete learned entries: [vni=N][,dst=IP]."},
		{"/vtep/neigh", cmd_neigh, "Underlay ARP table: ip, mac, state."},
		{"/vtep/vni", cmd_vni,
				"VNIs: id, group, inner port, learning, ageing, flood list."},
		{"/vtep/igmp", cmd_igmp, "IGMP: version, mode, counters, joined groups."},
		{"/vtep/learning", cmd_learning, "Set learning: vni=N,learning=on|off."},
		{"/vtep/ageing", cmd_ageing, "Set ageing: vni=N,ageing=SECONDS (0 = never)."},
};

int
vtep_tele_init(struct vtep_ctl *c)
{
	const struct vtep_conf *conf = vtep_ctl_ctx(c)->conf;
	int rc;

	for (unsigned int v = 0; v < conf->nb_vnis; v++)
		tele_ageing[v] = conf->vnis[v].ageing;
	__atomic_store_n(&tele_ctl, c, __ATOMIC_SEQ_CST);
	if (tele_registered)
		return 0;
	for (unsigned int i = 0; i < RTE_DIM(tele_cmds); i++) {
		rc = rte_telemetry_register_cmd(
				tele_cmds[i].name, tele_cmds[i].fn, tele_cmds[i].help);
		if (rc != 0) {
			TELE_LOG(ERR, "cannot register %s: %s\n", tele_cmds[i].name, strerror(-rc));
			return rc;
		}
	}
	tele_registered = true;
	return 0;
}

void
vtep_tele_stop(void)
{
	struct vtep_ctl *c = __atomic_exchange_n(&tele_ctl, NULL, __ATOMIC_SEQ_CST);

	if (c == NULL)
		return;
	/* Callbacks in flight wait for the control lcore: that is us, so keep answering. */
	for (unsigned int us = 0;
			__atomic_load_n(&tele_inflight, __ATOMIC_SEQ_CST) != 0 && us < STOP_WAIT_US;
			us += STOP_STEP_US) {
		vtep_ctl_poll(c);
		rte_delay_us_sleep(STOP_STEP_US);
	}
	if (__atomic_load_n(&tele_inflight, __ATOMIC_SEQ_CST) != 0)
		TELE_LOG(WARNING, "telemetry commands still in flight at exit\n");
}
