/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The read-only views: /vtep/stats (read on the telemetry thread: per-lcore counters only grow)
 * and /vtep/fdb, /vtep/neigh, /vtep/vni, /vtep/igmp, /vtep/remotes (copies made on the control
 * lcore; the remotes' traffic counters summed on the telemetry thread).
 */
#include <errno.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "vtep_tele_int.h"

/* ------------------------------------------------------------------------------------------ */
/* /vtep/stats: read on the telemetry thread (per-lcore counters only grow). */

static void
add_side_counters(struct rte_tel_data *d, const struct vtep_lcore_stats *s)
{
	uint64_t drops = 0;

	for (int i = 0; i < VTEP_DROP_MAX; i++)
		drops += s->drops[i];
#define X(name, help) rte_tel_data_add_dict_u64(d, #name, s->name);
	VTEP_TRAFFIC_COUNTERS(X)
#undef X
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
#define X(name, help) rte_tel_data_add_dict_u64(l, #name, s->name);
	VTEP_CYCLE_COUNTERS(X)
#undef X
	snprintf(name, sizeof(name), "lcore_%u", lcore);
	vtep_tele_add_sub(d, name, l);
}

static void
add_vni_stats(struct rte_tel_data *d, uint32_t vni, const struct vtep_vni_stats *vs)
{
	struct rte_tel_data *sub = rte_tel_data_alloc();
	char name[32];

	if (sub == NULL)
		return;
	rte_tel_data_start_dict(sub);
#define X(name, help) rte_tel_data_add_dict_u64(sub, #name, vs->name);
	VTEP_VNI_COUNTERS(X)
#undef X
	snprintf(name, sizeof(name), "vni_%u", vni);
	vtep_tele_add_sub(d, name, sub);
}

/* The FDB's counters are the writer's plain integers: a reader may see them a pass late. */
static void
add_fdb_counters(struct rte_tel_data *d, const struct vtep_fdb_counters *fc)
{
	struct rte_tel_data *sub = rte_tel_data_alloc();

	if (sub == NULL)
		return;
	rte_tel_data_start_dict(sub);
#define X(name, help) rte_tel_data_add_dict_u64(sub, #name, fc->name);
	VTEP_FDB_COUNTERS(X)
#undef X
	rte_tel_data_add_dict_u64(sub, "nb_learned", fc->nb_learned);
	rte_tel_data_add_dict_u64(sub, "nb_static", fc->nb_static);
	rte_tel_data_add_dict_u64(sub, "nb_frozen", fc->nb_frozen);
	vtep_tele_add_sub(d, "fdb", sub);
}

static void
cmd_stats(struct vtep_ctl *c, const char *cmd __rte_unused,
		const struct vtep_tele_args *a __rte_unused, struct rte_tel_data *d)
{
	const struct vtep_runtime *rt = vtep_ctl_runtime(c);
	/* Cache-line aligned type: malloc's 16 bytes are not enough (with AVX-512 the sum is
	 * read with aligned 64-byte loads). */
	struct vtep_lcore_stats *sum =
			aligned_alloc(alignof(struct vtep_lcore_stats), sizeof(*sum));
	struct rte_tel_data *sub;

	if (sum == NULL) {
		vtep_tele_error(d, ENOMEM, "out of memory");
		return;
	}
	vtep_stats_sum(sum, rt->stats, rt->nb_workers + 1);
	rte_tel_data_start_dict(d);
	add_side_counters(d, sum);
	sub = rte_tel_data_alloc();
	if (sub != NULL) {
		rte_tel_data_start_dict(sub);
		for (int i = 0; i < VTEP_DROP_MAX; i++)
			rte_tel_data_add_dict_u64(sub, vtep_drop_name(i), sum->drops[i]);
		vtep_tele_add_sub(d, "drop", sub);
	}
	for (unsigned int v = 0; v < rt->conf->nb_vnis; v++)
		add_vni_stats(d, rt->conf->vnis[v].vni, &sum->vni[v]);
	free(sum);
	add_fdb_counters(d, vtep_fdb_counters(rt->fdb));
	/* The packet buffers: in use now (ports' rings, frames in flight), as the soak test
	 * follows them; the report's mempool.in_use_before is in_use_start. */
	sub = rte_tel_data_alloc();
	if (sub != NULL) {
		rte_tel_data_start_dict(sub);
		rte_tel_data_add_dict_u64(sub, "size", rt->pool_size);
		rte_tel_data_add_dict_u64(sub, "in_use", rte_mempool_in_use_count(rt->pool));
		rte_tel_data_add_dict_u64(sub, "in_use_start", rt->baseline_in_use);
		vtep_tele_add_sub(d, "mempool", sub);
	}
	for (unsigned int w = 0; w < rt->nb_workers; w++)
		add_lcore(d, rt->workers[w]->lcore_id, "worker", &rt->stats[w]);
	add_lcore(d, rte_get_main_lcore(), "control", &rt->stats[rt->nb_workers]);
}

/* ------------------------------------------------------------------------------------------ */
/* /vtep/fdb: the FDB and the flood lists, read on the control lcore. */

/* Kinds of a listed entry. */
enum { FDB_LEARNED, FDB_STATIC, FDB_FLOOD };

struct fdb_list_req {
	int vni_idx;               /* filter, -1 = all */
	bool has_mac;              /* filter on mac */
	struct rte_ether_addr mac; /* the filter */
	rte_be32_t dst_be;         /* filter on the remote, 0 = all */
	int state;                 /* filter on FDB_*, -1 = all */
	int64_t older;    /* filter: learned and not seen for this many seconds, -1 = all */
	int att;          /* filter: behind this attachment, -1 = all */
	uint32_t start;   /* matches to skip */
	uint32_t now;     /* vtep_fdb_now() of the walk */
	uint32_t matched; /* matches seen so far */
	uint32_t nb;      /* entries in e */
	struct {
		uint64_t key;
		rte_be32_t dst_be;
		uint32_t age;
		uint16_t att; /* local entries: the attachment */
		uint8_t kind;
		uint8_t local;
		uint8_t frozen; /* held at its remote by movedamp */
	} e[VTEP_TELE_FDB_PAGE];
};

/* Count a match; keep it if it falls in the page. @return non-zero when the page is full. */
static int
fdb_list_add(struct fdb_list_req *r, uint64_t key, rte_be32_t dst_be, int att, uint8_t kind,
		uint32_t age, bool frozen)
{
	if ((r->dst_be != 0 && (att >= 0 || dst_be != r->dst_be)) ||
			(r->att >= 0 && att != r->att) || (r->state >= 0 && kind != r->state) ||
			(r->older >= 0 && (kind != FDB_LEARNED || age < r->older)))
		return 0;
	if (r->matched++ < r->start)
		return 0;
	r->e[r->nb].key = key;
	r->e[r->nb].dst_be = dst_be;
	r->e[r->nb].kind = kind;
	r->e[r->nb].age = age;
	r->e[r->nb].local = att >= 0;
	r->e[r->nb].att = att >= 0 ? (uint16_t)att : 0;
	r->e[r->nb].frozen = frozen;
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
	return fdb_list_add(r, key, e->dst_be, e->flags & VTEP_FDB_LOCAL ? e->remote : -1,
			st ? FDB_STATIC : FDB_LEARNED, st ? 0 : r->now - e->seen,
			(e->flags & VTEP_FDB_FROZEN) != 0);
}

static void
do_fdb_list(struct vtep_ctl *c, void *arg)
{
	struct vtep_runtime *rt = vtep_ctl_runtime(c);
	const struct vtep_encap_vni *evnis = vtep_ctl_encap_vnis(c);
	struct fdb_list_req *r = arg;
	const struct rte_ether_addr zero = {{0}};

	r->now = vtep_fdb_now();
	if (!r->has_mac || rte_is_zero_ether_addr(&r->mac)) {
		for (unsigned int v = 0; v < rt->conf->nb_vnis; v++) {
			if (r->vni_idx >= 0 && (int)v != r->vni_idx)
				continue;
			for (unsigned int i = 0; i < evnis[v].nb_floods; i++) {
				const struct vtep_remote *rm =
						vtep_remote_slot(rt->remotes, evnis[v].floods[i]);

				if (fdb_list_add(r, vtep_fdb_key(v, &zero), rm->ip_be, -1,
						    FDB_FLOOD, 0, false))
					return;
			}
		}
	}
	vtep_fdb_walk(rt->fdb, fdb_list_cb, r);
}

static void
cmd_fdb(struct vtep_ctl *c, const char *cmd __rte_unused, const struct vtep_tele_args *a,
		struct rte_tel_data *d)
{
	static const char *const kinds[] = {"learned", "static", "flood"};
	const struct vtep_conf *conf = vtep_ctl_runtime(c)->conf;
	struct fdb_list_req *r = calloc(1, sizeof(*r));
	char buf[32];

	if (r == NULL) {
		vtep_tele_error(d, ENOMEM, "out of memory");
		return;
	}
	r->vni_idx = a->vni_idx;
	r->has_mac = a->has_mac;
	r->mac = a->mac;
	r->dst_be = a->dst_be;
	r->state = a->state;
	r->older = a->older;
	r->start = a->start;
	r->att = -1;
	if (a->dev_name[0] != '\0' && (r->att = vtep_tele_att(vtep_ctl_runtime(c)->conf, a, d)) < 0)
		goto out;
	if (vtep_tele_call(c, do_fdb_list, r, sizeof(*r), d) != 0)
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
		rte_tel_data_add_dict_string(e, "mac", vtep_tele_mac_str(&mac, buf, sizeof(buf)));
		if (r->e[i].local) {
			const struct vtep_att_conf *ac = &conf->atts[r->e[i].att];

			rte_tel_data_add_dict_string(e, "dst", "");
			rte_tel_data_add_dict_string(e, "dev", ac->port);
			if (ac->vlan == VTEP_VLAN_UNTAGGED)
				rte_tel_data_add_dict_string(e, "vlan", "untagged");
			else if (ac->vlan != VTEP_VLAN_NONE)
				rte_tel_data_add_dict_u64(e, "vlan", ac->vlan);
		} else {
			rte_tel_data_add_dict_string(e, "dst", vtep_ip_str(r->e[i].dst_be, buf));
		}
		rte_tel_data_add_dict_u64(e, "vni",
				vtep_ctl_runtime(c)->conf->vnis[vtep_fdb_key_vni(r->e[i].key)].vni);
		rte_tel_data_add_dict_string(e, "state", kinds[r->e[i].kind]);
		rte_tel_data_add_dict_u64(e, "age", r->e[i].age);
		rte_tel_data_add_dict_u64(e, "frozen", r->e[i].frozen);
		snprintf(pos, sizeof(pos), "%u", r->start + i);
		vtep_tele_add_sub(d, pos, e);
	}
out:
	free(r);
}

/* ------------------------------------------------------------------------------------------ */
/* /vtep/neigh, /vtep/vni, /vtep/igmp: copies made on the control lcore. */

struct neigh_req {
	struct vtep_neigh_entry e[VTEP_NEIGH_SIZE]; /* the table */
};

static void
do_neigh(struct vtep_ctl *c, void *arg)
{
	struct neigh_req *r = arg;

	memcpy(r->e, vtep_ctl_neigh(c)->entries, sizeof(r->e));
}

static void
cmd_neigh(struct vtep_ctl *c, const char *cmd __rte_unused,
		const struct vtep_tele_args *a __rte_unused, struct rte_tel_data *d)
{
	struct neigh_req *r;
	unsigned int nb = 0;
	char buf[32];

	r = malloc(sizeof(*r));
	if (r == NULL) {
		vtep_tele_error(d, ENOMEM, "out of memory");
		goto out;
	}
	if (vtep_tele_call(c, do_neigh, r, sizeof(*r), d) != 0)
		goto out;
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < VTEP_NEIGH_SIZE; i++) {
		const struct vtep_neigh_entry *n = &r->e[i];
		struct rte_tel_data *e;

		if (n->state == VTEP_NEIGH_FREE)
			continue;
		e = rte_tel_data_alloc();
		if (e == NULL)
			break;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "ip", vtep_ip_str(n->ip_be, buf));
		rte_tel_data_add_dict_string(e, "mac",
				n->state == VTEP_NEIGH_INCOMPLETE
						? ""
						: vtep_tele_mac_str(&n->mac, buf, sizeof(buf)));
		rte_tel_data_add_dict_string(e, "state", vtep_neigh_state_name(n->state));
		/* Keys allow no dots: entries are numbered, the address is a value. */
		snprintf(buf, sizeof(buf), "%u", nb++);
		vtep_tele_add_sub(d, buf, e);
	}
out:
	free(r);
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
	struct vtep_runtime *rt = vtep_ctl_runtime(c);
	struct vni_req *r = arg;

	memcpy(r->ev, vtep_ctl_encap_vnis(c), sizeof(r->ev));
	for (unsigned int v = 0; v < rt->conf->nb_vnis; v++) {
		for (unsigned int i = 0; i < r->ev[v].nb_floods; i++)
			r->floods_be[v][i] =
					vtep_remote_slot(rt->remotes, r->ev[v].floods[i])->ip_be;
		r->learning[v] = vtep_ctl_learning(c, v);
		r->ageing[v] = vtep_fdb_ageing(rt->fdb, v);
		r->learned[v] = vtep_fdb_counters(rt->fdb)->vni_learned[v];
	}
}

/* A VNI's defences as configured: learnrate, movedamp, allow list. */
static void
add_vni_guards(struct rte_tel_data *e, const struct vtep_vni_conf *vc)
{
	char list[RTE_TEL_MAX_STRING_LEN], buf[32];
	size_t len = 0;

	rte_tel_data_add_dict_u64(e, "learnrate", vc->learnrate);
	rte_tel_data_add_dict_u64(e, "learnburst", vc->learnburst ? vc->learnburst : vc->learnrate);
	if (vc->damp_moves != 0)
		snprintf(list, sizeof(list), "%u %u %u", vc->damp_moves, vc->damp_window,
				vc->damp_hold);
	else
		snprintf(list, sizeof(list), "off");
	rte_tel_data_add_dict_string(e, "movedamp", list);
	list[0] = '\0';
	for (unsigned int i = 0; i < vc->nb_allows; i++) {
		/* A string holds 127 characters. */
		if (len + 19 + 4 >= sizeof(list)) {
			snprintf(list + len, sizeof(list) - len, " ...");
			break;
		}
		len += snprintf(list + len, sizeof(list) - len, "%s%s/%u", i ? " " : "",
				vtep_ip_str(vc->allows[i].net_be, buf), vc->allows[i].len);
	}
	rte_tel_data_add_dict_string(e, "allow", list);
}

/* The first attachment's port of VNI index v (the `inner` of a one-port VNI); the attachments,
 * comma-separated (cut with "..."), into ports. */
static const char *
first_port(const struct vtep_conf *conf, unsigned int v, char *ports, size_t size)
{
	const char *first = "";
	size_t len = 0;
	char att[96];

	ports[0] = '\0';
	for (unsigned int i = 0; i < conf->nb_atts; i++) {
		if (conf->atts[i].vni != conf->vnis[v].vni)
			continue;
		if (*first == '\0')
			first = conf->atts[i].port;
		vtep_tele_att_str(conf, i, att, sizeof(att));
		if (len + strlen(att) + 6 >= size) {
			snprintf(ports + len, size - len, ",...");
			break;
		}
		len += snprintf(ports + len, size - len, "%s%s", len ? "," : "", att);
	}
	return first;
}

static void
cmd_vni(struct vtep_ctl *c, const char *cmd __rte_unused,
		const struct vtep_tele_args *a __rte_unused, struct rte_tel_data *d)
{
	const struct vtep_runtime *rt;
	struct vni_req *r;
	char buf[32], list[RTE_TEL_MAX_STRING_LEN], ports[RTE_TEL_MAX_STRING_LEN];

	rt = vtep_ctl_runtime(c);
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		vtep_tele_error(d, ENOMEM, "out of memory");
		goto out;
	}
	if (vtep_tele_call(c, do_vni, r, sizeof(*r), d) != 0)
		goto out;
	rte_tel_data_start_dict(d);
	for (unsigned int v = 0; v < rt->conf->nb_vnis; v++) {
		const struct vtep_vni_conf *vc = &rt->conf->vnis[v];
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
		rte_tel_data_add_dict_string(
				e, "inner", first_port(rt->conf, v, ports, sizeof(ports)));
		rte_tel_data_add_dict_u64(e, "nb_ports", rt->bd->vnis[v].nb_atts);
		rte_tel_data_add_dict_string(e, "ports", ports);
		/* Global words, shown per VNI as `ip -d link show` shows them per vxlan device. */
		rte_tel_data_add_dict_string(e, "local", vtep_ip_str(rt->conf->local_be, buf));
		rte_tel_data_add_dict_u64(e, "dstport", rt->conf->dstport);
		rte_tel_data_add_dict_string(e, "learning", r->learning[v] ? "on" : "off");
		rte_tel_data_add_dict_u64(e, "ageing", r->ageing[v]);
		rte_tel_data_add_dict_u64(e, "maxaddress", vc->maxaddress);
		rte_tel_data_add_dict_u64(e, "learned", r->learned[v]);
		rte_tel_data_add_dict_u64(e, "nb_floods", r->ev[v].nb_floods);
		rte_tel_data_add_dict_string(e, "floods", list);
		add_vni_guards(e, vc);
		snprintf(buf, sizeof(buf), "%u", vc->vni);
		vtep_tele_add_sub(d, buf, e);
	}
out:
	free(r);
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

static void
cmd_igmp(struct vtep_ctl *c, const char *cmd __rte_unused,
		const struct vtep_tele_args *a __rte_unused, struct rte_tel_data *d)
{
	struct rte_tel_data *groups;
	struct igmp_req r;
	char buf[16];

	if (vtep_tele_call(c, do_igmp, &r, sizeof(r), d) == 0) {
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
			vtep_tele_add_sub(d, "groups", groups);
		}
	}
}

/* ------------------------------------------------------------------------------------------ */
/* /vtep/remotes: the table copied on the control lcore, traffic summed on the telemetry thread. */

struct remotes_req {
	uint32_t start;   /* slots in use to skip */
	uint32_t nb;      /* remotes in r */
	uint32_t nb_used; /* slots in use in all */
	struct {
		uint16_t slot;
		uint8_t resolved, multicast;
		rte_be32_t ip_be;
		struct rte_ether_addr mac;
		uint32_t fdb;                  /* FDB entries that name it */
		struct vtep_remote_stats base; /* its slot's counters when it was handed out */
	} r[VTEP_TELE_REMOTES_PAGE];
};

static void
do_remotes(struct vtep_ctl *c, void *arg)
{
	const struct vtep_remotes *rem = vtep_ctl_runtime(c)->remotes;
	struct remotes_req *r = arg;
	uint32_t seen = 0;

	for (uint32_t i = 1; i < rem->p.size && i < VTEP_STATS_REMOTES; i++) {
		const struct vtep_remote *rm = vtep_remote_slot(rem, i);

		/* A released slot is no remote any more (it waits for the workers). */
		if (!vtep_remote_live(rm) || seen++ < r->start || r->nb == VTEP_TELE_REMOTES_PAGE)
			continue;
		r->r[r->nb].slot = (uint16_t)i;
		r->r[r->nb].resolved = rm->resolved;
		r->r[r->nb].multicast = rm->multicast;
		r->r[r->nb].ip_be = rm->ip_be;
		r->r[r->nb].mac = rm->hdr.eth.dst_addr;
		r->r[r->nb].fdb = vtep_fdb_remote_refs(vtep_ctl_runtime(c)->fdb, i);
		r->r[r->nb].base = *vtep_ctl_remote_base(c, i);
		r->nb++;
	}
	r->nb_used = rem->nb_used - rem->nb_released;
}

/* One remote's entry: what it is, its FDB entries and its traffic summed over the lcores, since
 * its slot was handed out to it (base). */
static void
add_remote(struct rte_tel_data *d, const struct vtep_runtime *rt, unsigned int pos,
		unsigned int slot, const char *kind, const char *ip, const char *mac, uint32_t fdb,
		const struct vtep_remote_stats *base)
{
	struct rte_tel_data *e = rte_tel_data_alloc();
	struct vtep_remote_stats rs;
	char name[16];

	if (e == NULL)
		return;
	vtep_stats_sum_remote(&rs, rt->stats, rt->nb_workers + 1, slot);
	rte_tel_data_start_dict(e);
	rte_tel_data_add_dict_string(e, "ip", ip);
	rte_tel_data_add_dict_string(e, "kind", kind);
	rte_tel_data_add_dict_string(e, "mac", mac);
	rte_tel_data_add_dict_u64(e, "slot", slot);
	rte_tel_data_add_dict_u64(e, "fdb", fdb);
#define X(name, help) rte_tel_data_add_dict_u64(e, #name, rs.name - (base ? base->name : 0));
	VTEP_REMOTE_COUNTERS(X)
#undef X
	snprintf(name, sizeof(name), "%u", pos);
	vtep_tele_add_sub(d, name, e);
}

static void
cmd_remotes(struct vtep_ctl *c, const char *cmd __rte_unused, const struct vtep_tele_args *a,
		struct rte_tel_data *d)
{
	const struct vtep_runtime *rt = vtep_ctl_runtime(c);
	struct remotes_req *r = calloc(1, sizeof(*r));
	char ip[16], mac[32];

	if (r == NULL) {
		vtep_tele_error(d, ENOMEM, "out of memory");
		return;
	}
	r->start = a->start;
	if (vtep_tele_call(c, do_remotes, r, sizeof(*r), d) != 0)
		goto out;
	rte_tel_data_start_dict(d);
	/* Frames from MACs not learned at their sender yet: counted at slot 0, shown first. */
	if (r->start == 0)
		add_remote(d, rt, 0, 0, "unlearned", "0.0.0.0", "", 0, NULL);
	for (unsigned int i = 0; i < r->nb; i++) {
		const char *kind = r->r[i].multicast ? "group"
				: r->r[i].resolved   ? "resolved"
						     : "unresolved";

		add_remote(d, rt, r->start + i + 1, r->r[i].slot, kind,
				vtep_ip_str(r->r[i].ip_be, ip),
				r->r[i].resolved ? vtep_tele_mac_str(&r->r[i].mac, mac, sizeof(mac))
						 : "",
				r->r[i].fdb, &r->r[i].base);
	}
out:
	free(r);
}

/* ------------------------------------------------------------------------------------------ */
/* /vtep/links: the attachments (bridge ports), state from the control lcore, traffic summed here.
 */

struct links_req {
	uint32_t start;                  /* attachments to skip */
	uint8_t up[VTEP_MAX_ATTS];       /* attachment up (switched and flooded to) */
	uint8_t link[VTEP_MAX_ATTS];     /* its port's link as last polled */
	uint8_t admin[VTEP_MAX_ATTS];    /* its port's admin state */
	uint32_t learned[VTEP_MAX_ATTS]; /* learned MACs behind it */
};

static void
do_links(struct vtep_ctl *c, void *arg)
{
	const struct vtep_runtime *rt = vtep_ctl_runtime(c);
	struct links_req *r = arg;

	for (unsigned int a = 0; a < rt->bd->nb_atts; a++) {
		bool link, admin;

		vtep_ctl_link_state(c, rt->bd->atts[a].lport, &link, &admin);
		r->up[a] = rt->bd->atts[a].up;
		r->link[a] = link;
		r->admin[a] = admin;
		r->learned[a] = vtep_fdb_counters(rt->fdb)->att_learned[a];
	}
}

static void
cmd_links(struct vtep_ctl *c, const char *cmd __rte_unused, const struct vtep_tele_args *a,
		struct rte_tel_data *d)
{
	const struct vtep_runtime *rt = vtep_ctl_runtime(c);
	const struct vtep_conf *conf = rt->conf;
	struct links_req *r = calloc(1, sizeof(*r));
	char name[16];

	if (r == NULL) {
		vtep_tele_error(d, ENOMEM, "out of memory");
		return;
	}
	if (vtep_tele_call(c, do_links, r, sizeof(*r), d) != 0)
		goto out;
	rte_tel_data_start_dict(d);
	for (unsigned int i = a->start; i < conf->nb_atts && i < a->start + VTEP_TELE_LINKS_PAGE;
			i++) {
		const struct vtep_att_conf *ac = &conf->atts[i];
		struct rte_tel_data *e = rte_tel_data_alloc();
		struct vtep_att_stats as;

		if (e == NULL)
			break;
		vtep_stats_sum_att(&as, rt->stats, rt->nb_workers + 1, i);
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "dev", ac->port);
		if (ac->vlan == VTEP_VLAN_UNTAGGED)
			rte_tel_data_add_dict_string(e, "vlan", "untagged");
		else if (ac->vlan != VTEP_VLAN_NONE)
			rte_tel_data_add_dict_u64(e, "vlan", ac->vlan);
		rte_tel_data_add_dict_u64(e, "vni", ac->vni);
		rte_tel_data_add_dict_string(e, "state", r->up[i] ? "up" : "down");
		rte_tel_data_add_dict_string(e, "link", r->link[i] ? "up" : "down");
		rte_tel_data_add_dict_string(e, "admin", r->admin[i] ? "up" : "down");
		rte_tel_data_add_dict_u64(e, "learned", r->learned[i]);
		rte_tel_data_add_dict_u64(e, "maxaddress", ac->maxaddress);
#define X(name, help) rte_tel_data_add_dict_u64(e, #name, as.name);
		VTEP_ATT_COUNTERS(X)
#undef X
		snprintf(name, sizeof(name), "%u", i);
		vtep_tele_add_sub(d, name, e);
	}
out:
	free(r);
}

const struct vtep_tele_cmd vtep_tele_show_cmds[] = {
		{"/vtep/stats", cmd_stats,
				"Counters: totals, drop reasons, per VNI, FDB, per lcore."},
		{"/vtep/fdb", cmd_fdb,
				"FDB and flood lists. Parameters: vni=N, mac=MAC, dst=IP, "
				"state=learned|static|flood, older=SECONDS, start=N (128 a "
				"reply)."},
		{"/vtep/neigh", cmd_neigh, "Underlay ARP table: ip, mac, state."},
		{"/vtep/vni", cmd_vni,
				"VNIs: id, group, inner port, learning, ageing, flood list."},
		{"/vtep/igmp", cmd_igmp, "IGMP: version, mode, counters, joined groups."},
		{"/vtep/links", cmd_links,
				"Attachments (bridge ports): dev, vlan, vni, state, learned, "
				"rx/tx, "
				"drops. Parameter: start=N (32 a reply)."},
		{"/vtep/remotes", cmd_remotes,
				"Remote VTEPs and groups: state, next-hop MAC, FDB entries, rx/tx "
				"packets and bytes. Parameter: start=N (48 a reply)."},
};
const unsigned int vtep_tele_nb_show_cmds = RTE_DIM(vtep_tele_show_cmds);
