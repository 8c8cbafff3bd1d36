/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "vtep_ctx.h"

/* Descriptors per queue. */
#define NB_RXD 1024
#define NB_TXD 1024
#define REMOTES_SIZE VTEP_STATS_REMOTES
#define POOL_CACHE 256

static int fail(char *err, size_t size, int rc, const char *fmt, ...) __rte_format_printf(4, 5);

static int
fail(char *err, size_t size, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return rc;
}

void
vtep_ctx_inner_mac(const struct vtep_conf *conf, unsigned int v,
		const struct rte_ether_addr *underlay_mac, struct rte_ether_addr *mac)
{
	const struct vtep_vni_conf *vc = &conf->vnis[v];
	uint32_t h;

	if (vc->inner_mac_set) {
		*mac = vc->inner_mac;
		return;
	}
	/* Locally administered unicast, the same across restarts of the same VTEP. */
	h = rte_hash_crc(underlay_mac, sizeof(*underlay_mac), conf->local_be);
	mac->addr_bytes[0] = 0x02;
	mac->addr_bytes[1] = vc->vni >> 16;
	mac->addr_bytes[2] = vc->vni >> 8;
	mac->addr_bytes[3] = vc->vni;
	mac->addr_bytes[4] = h >> 8;
	mac->addr_bytes[5] = h;
}

static unsigned int
pool_size(const struct vtep_ctx *ctx, unsigned int nb_vnis)
{
	unsigned int n = 0;

	n += ctx->nb_workers * (NB_RXD + NB_TXD) + 4096;
	n += nb_vnis * (NB_RXD + ctx->nb_workers * NB_TXD + 4096);
	n += ctx->nb_workers *
			(VTEP_BURST * VTEP_ENCAP_MAX_COPIES + VTEP_CTL_RING_SIZE + POOL_CACHE * 2);
	n += 4096;
	return ctx->conf->nb_mbufs != 0 ? ctx->conf->nb_mbufs : n;
}

static int
setup_ports(struct vtep_ctx *ctx, char *err, size_t esz)
{
	const struct vtep_conf *conf = ctx->conf;
	struct vtep_port_params pp = {
			.nb_rxq = ctx->nb_workers,
			.nb_txq = ctx->nb_workers,
			.nb_rxd = NB_RXD,
			.nb_txd = NB_TXD,
			.mtu = conf->mtu,
			.want_csum_offload = conf->udpcsum,
	};
	struct rte_ether_addr mac;
	unsigned int data_room;
	int rc;

	snprintf(ctx->underlay.name, sizeof(ctx->underlay.name), "%s", conf->dev);
	if (vtep_port_find(conf->dev, &ctx->underlay.port_id) != 0)
		return fail(err, esz, -ENODEV, "dev: no DPDK port named '%s'", conf->dev);
	for (unsigned int v = 0; v < conf->nb_vnis; v++) {
		struct vtep_port *ip = &ctx->inner[v];

		snprintf(ip->name, sizeof(ip->name), "%s", conf->vnis[v].inner);
		if (vtep_port_find(ip->name, &ip->port_id) != 0)
			return fail(err, esz, -ENODEV, "id %u: inner: no DPDK port named '%s'",
					conf->vnis[v].vni, ip->name);
	}
	ctx->pool_size = pool_size(ctx, conf->nb_vnis);
	data_room = RTE_MAX(RTE_MBUF_DEFAULT_BUF_SIZE,
			RTE_PKTMBUF_HEADROOM + conf->mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + 4);
	rc = rte_eth_dev_socket_id(ctx->underlay.port_id);
	ctx->pool = rte_pktmbuf_pool_create("vtep_pool", ctx->pool_size, POOL_CACHE, 0, data_room,
			rc < 0 ? (int)rte_socket_id() : rc);
	if (ctx->pool == NULL)
		return fail(err, esz, -ENOMEM, "cannot create a mempool of %u mbufs: %s",
				ctx->pool_size, rte_strerror(rte_errno));
	pp.pool = ctx->pool;
	rc = vtep_port_setup(&ctx->underlay, &pp);
	if (rc != 0)
		return fail(err, esz, rc, "dev %s: setup failed: %s", conf->dev, strerror(-rc));
	pp.nb_rxq = 1;
	pp.mtu = conf->mtu - VTEP_MTU_OVERHEAD;
	pp.want_csum_offload = false;
	pp.mac = &mac;
	for (unsigned int v = 0; v < conf->nb_vnis; v++) {
		vtep_ctx_inner_mac(conf, v, &ctx->underlay.mac, &mac);
		rc = vtep_port_setup(&ctx->inner[v], &pp);
		if (rc != 0)
			return fail(err, esz, rc, "inner %s: setup failed: %s", ctx->inner[v].name,
					strerror(-rc));
	}
	return 0;
}

static int
setup_tables(struct vtep_ctx *ctx, char *err, size_t esz)
{
	const struct vtep_conf *conf = ctx->conf;
	struct vtep_fdb_params fp = {
			.name = "vtep_fdb",
			.size = conf->fdb_size,
			.socket = ctx->underlay.socket,
			.maxaddress = conf->maxaddress,
			.nb_vnis = conf->nb_vnis,
	};
	struct vtep_remote_params rp = {
			.size = REMOTES_SIZE,
			.socket = ctx->underlay.socket,
			.local_be = conf->local_be,
			.local_mac = ctx->underlay.mac,
			.dstport = conf->dstport,
	};
	size_t sz = rte_rcu_qsbr_get_memsize(ctx->nb_workers);

	ctx->qsbr = rte_zmalloc_socket("vtep_qsbr", sz, RTE_CACHE_LINE_SIZE, ctx->underlay.socket);
	if (ctx->qsbr == NULL || rte_rcu_qsbr_init(ctx->qsbr, ctx->nb_workers) != 0)
		return fail(err, esz, -ENOMEM, "cannot create the RCU variable");
	fp.qsbr = ctx->qsbr;
	for (unsigned int v = 0; v < conf->nb_vnis; v++) {
		fp.vni_maxaddress[v] = conf->vnis[v].maxaddress;
		fp.vni_ageing[v] = conf->vnis[v].ageing;
	}
	ctx->fdb = vtep_fdb_create(&fp);
	if (ctx->fdb == NULL)
		return fail(err, esz, -ENOMEM, "cannot create an FDB of %u entries: %s",
				conf->fdb_size, rte_strerror(rte_errno));
	ctx->remotes = vtep_remotes_create(&rp);
	if (ctx->remotes == NULL)
		return fail(err, esz, -ENOMEM, "cannot create the remote table");
	return 0;
}

/* Per-VNI facts for classification, decap and encap; flood destinations and static entries. */
static int
setup_vnis(struct vtep_ctx *ctx, char *err, size_t esz)
{
	const struct vtep_conf *conf = ctx->conf;
	int idx;

	vtep_parse_ctx_init(&ctx->parse, conf->local_be, &ctx->underlay.mac, conf->dstport);
	ctx->decap.parse = &ctx->parse;
	ctx->decap.fdb = ctx->fdb;
	ctx->decap.hold_cycles = rte_get_tsc_hz() / 1000000 * VTEP_LEARN_HOLD_US;
	ctx->encap = (struct vtep_encap_ctx){
			.fdb = ctx->fdb,
			.remotes = ctx->remotes,
			.vnis = ctx->evnis,
			.pool = ctx->pool,
			.srcport_min = conf->srcport_min,
			.srcport_max = conf->srcport_max,
			.max_inner_size = conf->mtu - VTEP_MTU_OVERHEAD + RTE_ETHER_HDR_LEN,
			.udpcsum = conf->udpcsum,
			.csum_offload = ctx->underlay.csum_offload,
			.tx_chains = ctx->underlay.multi_seg,
	};
	for (unsigned int v = 0; v < conf->nb_vnis; v++) {
		const struct vtep_vni_conf *vc = &conf->vnis[v];
		struct vtep_encap_vni *ev = &ctx->evnis[v];

		vtep_parse_add_vni(&ctx->parse, vc->vni, v, vc->group_be);
		ctx->decap.learning[v] = vc->learning;
		ev->vni_be = vtep_vxlan_vni_be(vc->vni);
		ev->ttl = vc->ttl == VTEP_INHERIT ? VTEP_ENCAP_INHERIT : vc->ttl;
		ev->tos = vc->tos == VTEP_INHERIT ? VTEP_ENCAP_INHERIT : vc->tos;
		if (vc->group_be != 0) {
			idx = vtep_remote_get(ctx->remotes, vc->group_be);
			if (idx < 0)
				return fail(err, esz, idx, "remote table full");
			ev->floods[ev->nb_floods++] = idx;
		}
		for (unsigned int i = 0; i < vc->nb_floods; i++) {
			idx = vtep_remote_get(ctx->remotes, vc->floods_be[i]);
			if (idx < 0)
				return fail(err, esz, idx, "remote table full");
			ev->floods[ev->nb_floods++] = idx;
		}
	}
	for (unsigned int i = 0; i < conf->nb_fdbs; i++) {
		const struct vtep_fdb_conf *fc = &conf->fdbs[i];
		int v = vtep_conf_vni_index(conf, fc->vni);

		idx = vtep_remote_get(ctx->remotes, fc->dst_be);
		if (v < 0 || idx < 0 ||
				vtep_fdb_add_static(ctx->fdb, vtep_fdb_key(v, &fc->mac), fc->dst_be,
						idx) != 0)
			return fail(err, esz, -ENOSPC, "fdb: cannot add static entry %u", i);
	}
	return 0;
}

static int
setup_workers(struct vtep_ctx *ctx, char *err, size_t esz)
{
	const struct vtep_conf *conf = ctx->conf;
	char name[RTE_RING_NAMESIZE];
	unsigned int lcore, w = 0;

	RTE_LCORE_FOREACH_WORKER (lcore) {
		struct vtep_worker *wk;

		if (w == ctx->nb_workers)
			break;
		wk = rte_zmalloc_socket("vtep_worker", sizeof(*wk), RTE_CACHE_LINE_SIZE,
				rte_lcore_to_socket_id(lcore));
		if (wk == NULL)
			return fail(err, esz, -ENOMEM, "cannot allocate worker state");
		ctx->workers[w] = wk;
		wk->ctx = ctx;
		wk->id = w;
		wk->lcore_id = lcore;
		wk->st = &ctx->stats[w];
		wk->drains = w == 0;
		if (w < ctx->underlay.nb_rxq)
			wk->rx[wk->nb_rx++] = (struct vtep_worker_rx){ctx->underlay.port_id, w, -1};
		for (unsigned int v = 0; v < conf->nb_vnis; v++) {
			if (v % ctx->nb_workers == w)
				wk->rx[wk->nb_rx++] = (struct vtep_worker_rx){
						ctx->inner[v].port_id, 0, (int16_t)v};
			vtep_port_txq(&ctx->inner[v], w, &wk->inner_tx[v]);
		}
		vtep_port_txq(&ctx->underlay, w, &wk->underlay_tx);
		snprintf(name, sizeof(name), "vtep_learn%u", w);
		wk->learn_ring = rte_ring_create_elem(name, sizeof(struct vtep_learn_event),
				VTEP_LEARN_RING_SIZE, rte_lcore_to_socket_id(lcore),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "vtep_ctl%u", w);
		wk->ctl_ring = rte_ring_create(name, VTEP_CTL_RING_SIZE,
				rte_lcore_to_socket_id(lcore), RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (wk->learn_ring == NULL || wk->ctl_ring == NULL)
			return fail(err, esz, -ENOMEM, "cannot create worker rings");
		w++;
	}
	return 0;
}

static int
setup_capture(struct vtep_ctx *ctx, char *err, size_t esz)
{
	struct vtep_capture_params p = {
			/* One ring more, the last, for the frames the control lcore sends. */
			.nb_workers = ctx->nb_workers + 1,
			.socket = ctx->underlay.socket,
			.qsbr = ctx->qsbr,
			.dstport_be = rte_cpu_to_be_16(ctx->conf->dstport),
			.nb_vnis = ctx->conf->nb_vnis,
	};

	for (unsigned int v = 0; v < p.nb_vnis; v++)
		p.vni_ids[v] = ctx->conf->vnis[v].vni;
	ctx->capture = vtep_capture_create(&p);
	if (ctx->capture == NULL)
		return fail(err, esz, -rte_errno, "cannot create the capture rings: %s",
				rte_strerror(rte_errno));
	return 0;
}

int
vtep_ctx_create(struct vtep_ctx *ctx, const struct vtep_conf *conf, char *err, size_t err_size)
{
	unsigned int avail = rte_lcore_count() - 1;
	int rc;

	memset(ctx, 0, sizeof(*ctx));
	ctx->conf = conf;
	if (avail == 0) {
		return fail(err, err_size, -EINVAL,
				"vtepd needs at least two lcores (EAL -l): one control, one "
				"worker");
	}
	ctx->nb_workers = RTE_MIN(RTE_MIN(avail, (unsigned int)VTEP_MAX_WORKERS),
			conf->workers ? conf->workers : avail);
	ctx->stats = rte_zmalloc("vtep_stats", sizeof(ctx->stats[0]) * (ctx->nb_workers + 1),
			RTE_CACHE_LINE_SIZE);
	if (ctx->stats == NULL)
		return fail(err, err_size, -ENOMEM, "cannot allocate counters");
	for (unsigned int l = 0; l <= ctx->nb_workers; l++) {
		ctx->stats[l].remotes = rte_zmalloc("vtep_remote_stats",
				sizeof(struct vtep_remote_stats) * VTEP_STATS_REMOTES,
				RTE_CACHE_LINE_SIZE);
		if (ctx->stats[l].remotes == NULL)
			return fail(err, err_size, -ENOMEM, "cannot allocate counters");
	}
	rc = setup_ports(ctx, err, err_size);
	if (rc == 0)
		rc = setup_tables(ctx, err, err_size);
	if (rc == 0)
		rc = setup_vnis(ctx, err, err_size);
	if (rc == 0)
		rc = setup_workers(ctx, err, err_size);
	if (rc == 0)
		rc = setup_capture(ctx, err, err_size);
	if (rc != 0) {
		vtep_ctx_free(ctx);
		return rc;
	}
	ctx->baseline_in_use = rte_mempool_in_use_count(ctx->pool);
	return 0;
}

void
vtep_ctx_free(struct vtep_ctx *ctx)
{
	const struct vtep_conf *conf = ctx->conf;
	struct vtep_learn_event ev;
	void *m;

	/* Workers are gone: a running capture gets what they copied, and its file is closed. */
	vtep_capture_free(ctx->capture);
	ctx->capture = NULL;
	for (unsigned int w = 0; w < VTEP_MAX_WORKERS; w++) {
		struct vtep_worker *wk = ctx->workers[w];

		if (wk == NULL)
			continue;
		while (wk->ctl_ring != NULL && rte_ring_dequeue(wk->ctl_ring, &m) == 0)
			rte_pktmbuf_free(m);
		while (wk->learn_ring != NULL &&
				rte_ring_dequeue_elem(wk->learn_ring, &ev, sizeof(ev)) == 0)
			rte_pktmbuf_free(ev.m);
		rte_ring_free(wk->ctl_ring);
		rte_ring_free(wk->learn_ring);
		rte_free(wk);
		ctx->workers[w] = NULL;
	}
	if (ctx->underlay.tx_ring != NULL || ctx->underlay.started)
		vtep_port_close(&ctx->underlay);
	for (unsigned int v = 0; conf != NULL && v < conf->nb_vnis; v++)
		if (ctx->inner[v].tx_ring != NULL || ctx->inner[v].started)
			vtep_port_close(&ctx->inner[v]);
	vtep_fdb_free(ctx->fdb);
	ctx->fdb = NULL;
	vtep_remotes_free(ctx->remotes);
	ctx->remotes = NULL;
	rte_free(ctx->qsbr);
	ctx->qsbr = NULL;
	for (unsigned int l = 0; ctx->stats != NULL && l <= ctx->nb_workers; l++)
		rte_free(ctx->stats[l].remotes);
	rte_free(ctx->stats);
	ctx->stats = NULL;
	/* The pool goes last: ports hand their mbufs back when they close. */
	rte_mempool_free(ctx->pool);
	ctx->pool = NULL;
}

struct fdb_print {
	FILE *f;
	const struct vtep_conf *conf;
};

static int
print_fdb_entry(uint64_t key, const struct vtep_fdb_entry *e, void *arg)
{
	const struct fdb_print *fp = arg;
	struct rte_ether_addr mac;
	const uint8_t *b = mac.addr_bytes;
	char ips[16];

	vtep_fdb_key_mac(key, &mac);
	/* Lower case, as iproute2 prints MACs. */
	fprintf(fp->f, "fdb %u %02x:%02x:%02x:%02x:%02x:%02x dst %s %s\n",
			fp->conf->vnis[vtep_fdb_key_vni(key)].vni, b[0], b[1], b[2], b[3], b[4],
			b[5], vtep_ip_str(e->dst_be, ips),
			e->flags & VTEP_FDB_STATIC ? "static" : "learned");
	return 0;
}

void
vtep_ctx_print_stats(const struct vtep_ctx *ctx, FILE *f)
{
	const struct vtep_conf *conf = ctx->conf;
	const struct vtep_fdb_counters *fc = vtep_fdb_counters(ctx->fdb);
	struct fdb_print fp = {f, conf};
	struct vtep_lcore_stats sum;

	vtep_stats_sum(&sum, ctx->stats, ctx->nb_workers + 1);
	fprintf(f, "counter underlay.rx %" PRIu64 "\n", sum.underlay_rx);
	fprintf(f, "counter underlay.tx %" PRIu64 "\n", sum.underlay_tx);
	fprintf(f, "counter inner.rx %" PRIu64 "\n", sum.inner_rx);
	fprintf(f, "counter inner.tx %" PRIu64 "\n", sum.inner_tx);
	fprintf(f, "counter ctl.arp %" PRIu64 "\n", sum.ctl_arp);
	fprintf(f, "counter ctl.igmp %" PRIu64 "\n", sum.ctl_igmp);
	fprintf(f, "counter ctl.icmp %" PRIu64 "\n", sum.ctl_icmp);
	for (unsigned int v = 0; v < conf->nb_vnis; v++) {
		const struct vtep_vni_stats *vs = &sum.vni[v];
		unsigned int id = conf->vnis[v].vni;

		fprintf(f, "counter vni.%u.decap_pkts %" PRIu64 "\n", id, vs->decap_pkts);
		fprintf(f, "counter vni.%u.decap_bytes %" PRIu64 "\n", id, vs->decap_bytes);
		fprintf(f, "counter vni.%u.encap_pkts %" PRIu64 "\n", id, vs->encap_pkts);
		fprintf(f, "counter vni.%u.encap_bytes %" PRIu64 "\n", id, vs->encap_bytes);
		fprintf(f, "counter vni.%u.flood_pkts %" PRIu64 "\n", id, vs->flood_pkts);
		fprintf(f, "counter vni.%u.flood_copies %" PRIu64 "\n", id, vs->flood_copies);
		fprintf(f, "counter vni.%u.learn_events %" PRIu64 "\n", id, vs->learn_events);
	}
	for (unsigned int d = 0; d < VTEP_DROP_MAX; d++)
		fprintf(f, "counter drop.%s %" PRIu64 "\n", vtep_drop_name(d), sum.drops[d]);
	fprintf(f, "counter fdb.learned %" PRIu64 "\n", fc->learned);
	fprintf(f, "counter fdb.moved %" PRIu64 "\n", fc->moved);
	fprintf(f, "counter fdb.aged %" PRIu64 "\n", fc->aged);
	fprintf(f, "counter fdb.refused %" PRIu64 "\n", fc->refused);
	fprintf(f, "counter fdb.static_move %" PRIu64 "\n", fc->static_move);
	fprintf(f, "counter fdb.entries %u\n", fc->nb_learned + fc->nb_static);
	for (unsigned int w = 0; w < ctx->nb_workers; w++) {
		fprintf(f, "counter worker.%u.busy_cycles %" PRIu64 "\n", w,
				ctx->stats[w].busy_cycles);
		fprintf(f, "counter worker.%u.total_cycles %" PRIu64 "\n", w,
				ctx->stats[w].total_cycles);
	}
	fprintf(f, "counter tsc_hz %" PRIu64 "\n", rte_get_tsc_hz());
	fprintf(f, "counter fdb.memory_bytes %zu\n", vtep_fdb_memory(ctx->fdb));
	fprintf(f, "counter mempool.size %u\n", ctx->pool_size);
	fprintf(f, "counter mempool.in_use_before %u\n", ctx->baseline_in_use);
	fprintf(f, "counter mempool.in_use_after %u\n", rte_mempool_in_use_count(ctx->pool));
	vtep_fdb_walk(ctx->fdb, print_fdb_entry, &fp);
	fflush(f);
}

void
vtep_ctx_print_summary(const struct vtep_ctx *ctx, FILE *f)
{
	const struct vtep_fdb_counters *fc = vtep_fdb_counters(ctx->fdb);
	struct vtep_lcore_stats sum;
	uint64_t drops = 0;

	vtep_stats_sum(&sum, ctx->stats, ctx->nb_workers + 1);
	for (unsigned int d = 0; d < VTEP_DROP_MAX; d++)
		drops += sum.drops[d];
	fprintf(f,
			"stats: underlay rx %" PRIu64 " tx %" PRIu64 ", inner rx %" PRIu64
			" tx %" PRIu64 ", drops %" PRIu64 ", fdb %u learned %u static\n",
			sum.underlay_rx, sum.underlay_tx, sum.inner_rx, sum.inner_tx, drops,
			fc->nb_learned, fc->nb_static);
	fflush(f);
}
