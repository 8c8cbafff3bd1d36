/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "vtep_report.h"

struct fdb_print {
	FILE *f;
	const struct vtep_conf *conf;
};

/* An attachment as the report names it: PORT, PORT vlan V, PORT untagged (the FDB lines) or with
 * dots, PORT.vlanV, PORT.untagged (counter names, dots set). */
static const char *
att_words(const struct vtep_conf *conf, unsigned int a, bool dots, char *buf, size_t size)
{
	const struct vtep_att_conf *ac = &conf->atts[a];

	if (ac->vlan == VTEP_VLAN_NONE)
		snprintf(buf, size, "%s", ac->port);
	else if (ac->vlan == VTEP_VLAN_UNTAGGED)
		snprintf(buf, size, "%s%suntagged", ac->port, dots ? "." : " ");
	else
		snprintf(buf, size, "%s%svlan%s%u", ac->port, dots ? "." : " ", dots ? "" : " ",
				ac->vlan);
	return buf;
}

static const char *
att_name(const struct vtep_conf *conf, unsigned int a, char *buf, size_t size)
{
	return att_words(conf, a, false, buf, size);
}

static int
print_fdb_entry(uint64_t key, const struct vtep_fdb_entry *e, void *arg)
{
	const struct fdb_print *fp = arg;
	struct rte_ether_addr mac;
	const uint8_t *b = mac.addr_bytes;
	char ips[VTEP_DEV_NAME_SIZE + 24];

	vtep_fdb_key_mac(key, &mac);
	/* Lower case, as iproute2 prints MACs. */
	fprintf(fp->f, "fdb %u %02x:%02x:%02x:%02x:%02x:%02x ",
			fp->conf->vnis[vtep_fdb_key_vni(key)].vni, b[0], b[1], b[2], b[3], b[4],
			b[5]);
	if (e->flags & VTEP_FDB_LOCAL)
		fprintf(fp->f, "dev %s ", att_name(fp->conf, e->remote, ips, sizeof(ips)));
	else
		fprintf(fp->f, "dst %s ", vtep_ip_str(e->dst_be, ips));
	fprintf(fp->f, "%s\n", e->flags & VTEP_FDB_STATIC ? "static" : "learned");
	return 0;
}

/* One lcore's counters, under lcore.ID. (as /vtep/stats nests them). */
static void
print_lcore(FILE *f, unsigned int lcore, const struct vtep_lcore_stats *s)
{
#define X(name, help) fprintf(f, "counter lcore.%u." #name " %" PRIu64 "\n", lcore, s->name);
	VTEP_TRAFFIC_COUNTERS(X)
	VTEP_CYCLE_COUNTERS(X)
#undef X
}

static uint64_t
drops_total(const struct vtep_lcore_stats *s)
{
	uint64_t drops = 0;

	for (unsigned int d = 0; d < VTEP_DROP_MAX; d++)
		drops += s->drops[d];
	return drops;
}

/* Per attachment: counter link.PORT[.vlanV|.untagged].NAME, summed over the lcores. */
static void
print_atts(const struct vtep_runtime *rt, FILE *f)
{
	char name[VTEP_DEV_NAME_SIZE + 24];

	for (unsigned int a = 0; a < rt->conf->nb_atts; a++) {
		struct vtep_att_stats as;

		vtep_stats_sum_att(&as, rt->stats, rt->nb_workers + 1, a);
		att_words(rt->conf, a, true, name, sizeof(name));
#define X(n, help) fprintf(f, "counter link.%s." #n " %" PRIu64 "\n", name, as.n);
		VTEP_ATT_COUNTERS(X)
#undef X
	}
}

void
vtep_report_print(const struct vtep_runtime *rt, FILE *f)
{
	const struct vtep_conf *conf = rt->conf;
	const struct vtep_fdb_counters *fc = vtep_fdb_counters(rt->fdb);
	struct fdb_print fp = {f, conf};
	struct vtep_lcore_stats all, *sum = &all;

	vtep_stats_sum(sum, rt->stats, rt->nb_workers + 1);
#define X(name, help) fprintf(f, "counter " #name " %" PRIu64 "\n", sum->name);
	VTEP_TRAFFIC_COUNTERS(X)
#undef X
	fprintf(f, "counter drops %" PRIu64 "\n", drops_total(sum));
	for (unsigned int d = 0; d < VTEP_DROP_MAX; d++)
		fprintf(f, "counter drop.%s %" PRIu64 "\n", vtep_drop_name(d), sum->drops[d]);
	for (unsigned int v = 0; v < conf->nb_vnis; v++) {
		const struct vtep_vni_stats *vs = &sum->vni[v];
		unsigned int id = conf->vnis[v].vni;

#define X(name, help) fprintf(f, "counter vni.%u." #name " %" PRIu64 "\n", id, vs->name);
		VTEP_VNI_COUNTERS(X)
#undef X
	}
#define X(name, help) fprintf(f, "counter fdb." #name " %" PRIu64 "\n", fc->name);
	VTEP_FDB_COUNTERS(X)
#undef X
	fprintf(f, "counter fdb.nb_learned %u\n", fc->nb_learned);
	print_atts(rt, f);
	fprintf(f, "counter fdb.nb_static %u\n", fc->nb_static);
	fprintf(f, "counter fdb.nb_frozen %u\n", fc->nb_frozen);
	for (unsigned int w = 0; w < rt->nb_workers; w++)
		print_lcore(f, rt->workers[w]->lcore_id, &rt->stats[w]);
	print_lcore(f, rte_get_main_lcore(), &rt->stats[rt->nb_workers]);
	/* Facts of this run (the benchmark and the leak check read them). */
	fprintf(f, "counter tsc_hz %" PRIu64 "\n", rte_get_tsc_hz());
	fprintf(f, "counter fdb.memory_bytes %zu\n", vtep_fdb_memory(rt->fdb));
	fprintf(f, "counter mempool.size %u\n", rt->pool_size);
	fprintf(f, "counter mempool.in_use_before %u\n", rt->baseline_in_use);
	fprintf(f, "counter mempool.in_use_after %u\n", rte_mempool_in_use_count(rt->pool));
	vtep_fdb_walk(rt->fdb, print_fdb_entry, &fp);
	fprintf(f, "end\n");
	fflush(f);
}

void
vtep_report_summary(const struct vtep_runtime *rt, FILE *f)
{
	const struct vtep_fdb_counters *fc = vtep_fdb_counters(rt->fdb);
	struct vtep_lcore_stats sum;

	vtep_stats_sum(&sum, rt->stats, rt->nb_workers + 1);
	fprintf(f,
			"stats: underlay rx %" PRIu64 " tx %" PRIu64 ", inner rx %" PRIu64
			" tx %" PRIu64 ", drops %" PRIu64 ", fdb %u learned %u static\n",
			sum.underlay_rx, sum.underlay_tx, sum.inner_rx, sum.inner_tx,
			drops_total(&sum), fc->nb_learned, fc->nb_static);
	fflush(f);
}
