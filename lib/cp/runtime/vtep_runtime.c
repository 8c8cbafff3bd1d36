/* SPDX-License-Identifier: BSD-3-Clause */
#include <assert.h>
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

#include "vtep_runtime.h"

/* Descriptors per queue. */
#define NB_RXD 1024
#define NB_TXD 1024
#define REMOTES_SIZE VTEP_STATS_REMOTES
#define POOL_CACHE 256

static_assert(VTEP_MAX_ALLOW == VTEP_ALLOW_MAX, "conf and decap agree on allow lists");

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
vtep_runtime_inner_mac(const struct vtep_conf *conf, unsigned int v,
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

int
vtep_runtime_port_index(const struct vtep_runtime *rt, const char *name)
{
	for (unsigned int l = 0; l < rt->nb_ports; l++)
		if (strcmp(rt->ports[l].name, name) == 0)
			return (int)l;
	return -1;
}

static unsigned int
pool_size(const struct vtep_runtime *rt, unsigned int nb_ports)
{
	unsigned int n = 0;

	n += rt->nb_workers * (NB_RXD + NB_TXD) + 4096;
	n += nb_ports * (NB_RXD + rt->nb_workers * NB_TXD + 4096);
	n += rt->nb_workers *
			(VTEP_BURST * VTEP_ENCAP_MAX_COPIES + VTEP_CTL_RING_SIZE + VTEP_HOLD_SIZE +
					POOL_CACHE * 2);
	n += 4096;
	return rt->conf->nb_mbufs != 0 ? rt->conf->nb_mbufs : n;
}

/* The VNI whose only attachment is the whole local port l, or -1. */
static int
legacy_inner_vni(const struct vtep_runtime *rt, unsigned int l)
{
	const struct vtep_conf *conf = rt->conf;

	for (unsigned int i = 0; i < conf->nb_atts; i++) {
		const struct vtep_att_conf *ac = &conf->atts[i];
		int v;

		if (strcmp(ac->port, rt->ports[l].name) != 0)
			continue;
		v = vtep_conf_vni_index(conf, ac->vni);
		if (ac->vlan == VTEP_VLAN_NONE && v >= 0 && vtep_conf_vni_atts(conf, v) == 1)
			return v;
		return -1;
	}
	return -1;
}

static int
setup_ports(struct vtep_runtime *rt, char *err, size_t esz)
{
	const struct vtep_conf *conf = rt->conf;
	struct vtep_port_params pp = {
			.nb_rxq = rt->nb_workers,
			.nb_txq = rt->nb_workers,
			.nb_rxd = NB_RXD,
			.nb_txd = NB_TXD,
			.mtu = conf->mtu,
			.want_csum_offload = conf->udpcsum,
	};
	struct rte_ether_addr mac;
	unsigned int data_room;
	int rc;

	snprintf(rt->underlay.name, sizeof(rt->underlay.name), "%s", conf->dev);
	if (vtep_port_find(conf->dev, &rt->underlay.port_id) != 0)
		return fail(err, esz, -ENODEV, "dev: no DPDK port named '%s'", conf->dev);
	/* The local ports, once each, in the order the attachments name them. */
	for (unsigned int i = 0; i < conf->nb_atts; i++) {
		const struct vtep_att_conf *ac = &conf->atts[i];
		struct vtep_port *lp;

		if (vtep_runtime_port_index(rt, ac->port) >= 0)
			continue;
		if (rt->nb_ports == VTEP_MAX_PORTS)
			return fail(err, esz, -EINVAL, "port: more than %d local ports",
					VTEP_MAX_PORTS);
		lp = &rt->ports[rt->nb_ports];
		snprintf(lp->name, sizeof(lp->name), "%s", ac->port);
		if (vtep_port_find(lp->name, &lp->port_id) != 0)
			return fail(err, esz, -ENODEV, "id %u: %s: no DPDK port named '%s'",
					ac->vni, ac->inner ? "inner" : "port", lp->name);
		rt->nb_ports++;
	}
	rt->pool_size = pool_size(rt, rt->nb_ports);
	data_room = RTE_MAX(RTE_MBUF_DEFAULT_BUF_SIZE,
			RTE_PKTMBUF_HEADROOM + conf->mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + 4);
	rc = rte_eth_dev_socket_id(rt->underlay.port_id);
	rt->pool = rte_pktmbuf_pool_create("vtep_pool", rt->pool_size, POOL_CACHE, 0, data_room,
			rc < 0 ? (int)rte_socket_id() : rc);
	if (rt->pool == NULL)
		return fail(err, esz, -ENOMEM, "cannot create a mempool of %u mbufs: %s",
				rt->pool_size, rte_strerror(rte_errno));
	pp.pool = rt->pool;
	rc = vtep_port_setup(&rt->underlay, &pp);
	if (rc != 0)
		return fail(err, esz, rc, "dev %s: setup failed: %s", conf->dev, strerror(-rc));
	pp.nb_rxq = 1;
	pp.mtu = conf->mtu - VTEP_MTU_OVERHEAD;
	pp.want_csum_offload = false;
	pp.mac = &mac;
	for (unsigned int l = 0; l < rt->nb_ports; l++) {
		int v = legacy_inner_vni(rt, l);

		/* A VNI's only port, a whole one, is its inner interface (the vxlan device's
		 * side): it gets the VNI's MAC. Bridge ports keep their own. */
		pp.mac = NULL;
		if (v >= 0) {
			vtep_runtime_inner_mac(conf, v, &rt->underlay.mac, &mac);
			pp.mac = &mac;
		}
		rc = vtep_port_setup(&rt->ports[l], &pp);
		if (rc != 0)
			return fail(err, esz, rc, "port %s: setup failed: %s", rt->ports[l].name,
					strerror(-rc));
	}
	return 0;
}

static int
setup_tables(struct vtep_runtime *rt, char *err, size_t esz)
{
	const struct vtep_conf *conf = rt->conf;
	struct vtep_fdb_params fp = {
			.name = "vtep_fdb",
			.size = conf->fdb_size,
			.socket = rt->underlay.socket,
			.maxaddress = conf->maxaddress,
			.nb_vnis = conf->nb_vnis,
			.nb_remotes = REMOTES_SIZE,
	};
	struct vtep_remote_params rp = {
			.size = REMOTES_SIZE,
			.socket = rt->underlay.socket,
			.local_be = conf->local_be,
			.local_mac = rt->underlay.mac,
			.dstport = conf->dstport,
	};
	size_t sz = rte_rcu_qsbr_get_memsize(rt->nb_workers);

	rt->qsbr = rte_zmalloc_socket("vtep_qsbr", sz, RTE_CACHE_LINE_SIZE, rt->underlay.socket);
	if (rt->qsbr == NULL || rte_rcu_qsbr_init(rt->qsbr, rt->nb_workers) != 0)
		return fail(err, esz, -ENOMEM, "cannot create the RCU variable");
	fp.qsbr = rt->qsbr;
	rp.qsbr = rt->qsbr;
	for (unsigned int v = 0; v < conf->nb_vnis; v++) {
		fp.vni_maxaddress[v] = conf->vnis[v].maxaddress;
		fp.vni_ageing[v] = conf->vnis[v].ageing;
		fp.vni_learn_rate[v] = conf->vnis[v].learnrate;
		fp.vni_learn_burst[v] = conf->vnis[v].learnburst;
		fp.vni_damp[v] = (struct vtep_fdb_damp){conf->vnis[v].damp_moves,
				conf->vnis[v].damp_window, conf->vnis[v].damp_hold};
	}
	fp.local_be = conf->local_be;
	for (unsigned int a = 0; a < conf->nb_atts; a++)
		fp.att_maxaddress[a] = conf->atts[a].maxaddress;
	rt->fdb = vtep_fdb_create(&fp);
	if (rt->fdb == NULL)
		return fail(err, esz, -ENOMEM, "cannot create an FDB of %u entries: %s",
				conf->fdb_size, rte_strerror(rte_errno));
	rt->remotes = vtep_remotes_create(&rp);
	if (rt->remotes == NULL)
		return fail(err, esz, -ENOMEM, "cannot create the remote table");
	return 0;
}

/* The bridge domains: attachments in configuration order, their ports' VLAN maps, each VNI's
 * attachment list; every attachment starts up (the control lcore polls the links). */
static int
setup_bd(struct vtep_runtime *rt, char *err, size_t esz)
{
	const struct vtep_conf *conf = rt->conf;
	struct vtep_bd *bd;

	bd = rte_zmalloc_socket("vtep_bd", sizeof(*bd), RTE_CACHE_LINE_SIZE, rt->underlay.socket);
	if (bd == NULL)
		return fail(err, esz, -ENOMEM, "cannot allocate the bridge domains");
	rt->bd = bd;
	bd->nb_ports = rt->nb_ports;
	bd->nb_vnis = conf->nb_vnis;
	for (unsigned int l = 0; l < rt->nb_ports; l++) {
		struct vtep_bd_port *p = &bd->ports[l];

		p->port_id = rt->ports[l].port_id;
		p->att = VTEP_BD_NONE;
		p->native = VTEP_BD_NONE;
		p->vni_idx = VTEP_MAX_VNIS;
		for (unsigned int vid = 0; vid < RTE_DIM(p->vlans); vid++)
			p->vlans[vid] = VTEP_BD_NONE;
	}
	for (unsigned int i = 0; i < conf->nb_atts; i++) {
		const struct vtep_att_conf *ac = &conf->atts[i];
		int l = vtep_runtime_port_index(rt, ac->port);
		int v = vtep_conf_vni_index(conf, ac->vni);
		struct vtep_att *at = &bd->atts[i];
		struct vtep_bd_port *p;
		struct vtep_bd_vni *bv;

		if (l < 0 || v < 0)
			return fail(err, esz, -EINVAL, "port: '%s' not set up", ac->port);
		p = &bd->ports[l];
		bv = &bd->vnis[v];
		at->lport = (uint16_t)l;
		at->port_id = p->port_id;
		at->vlan = ac->vlan;
		at->vni_idx = (uint16_t)v;
		at->tagged = ac->vlan != VTEP_VLAN_NONE && ac->vlan != VTEP_VLAN_UNTAGGED;
		at->up = 1;
		if (ac->vlan == VTEP_VLAN_NONE) {
			p->att = (uint16_t)i;
			p->vni_idx = (int16_t)v;
		} else if (ac->vlan == VTEP_VLAN_UNTAGGED) {
			p->native = (uint16_t)i;
		} else {
			p->vlans[ac->vlan] = (uint16_t)i;
		}
		p->nb_atts++;
		bv->atts[bv->nb_atts++] = (uint16_t)i;
	}
	bd->nb_atts = conf->nb_atts;
	rt->bridge = (struct vtep_bridge_ctx){
			.bd = bd,
			.fdb = rt->fdb,
			.encap = &rt->encap,
			.pool = rt->pool,
			.learning = rt->decap.learning,
	};
	return 0;
}

/* Per-VNI facts for classification, decap and encap; flood destinations and static entries. */
static int
setup_vnis(struct vtep_runtime *rt, char *err, size_t esz)
{
	const struct vtep_conf *conf = rt->conf;
	int idx = setup_bd(rt, err, esz);

	if (idx != 0)
		return idx;
	vtep_parse_ctx_init(&rt->parse, conf->local_be, &rt->underlay.mac, conf->dstport);
	vtep_parse_set_prefix(&rt->parse, conf->prefix_len);
	rt->decap.parse = &rt->parse;
	rt->decap.fdb = rt->fdb;
	rt->encap = (struct vtep_encap_ctx){
			.fdb = rt->fdb,
			.remotes = rt->remotes,
			.vnis = rt->evnis,
			.pool = rt->pool,
			.srcport_min = conf->srcport_min,
			.srcport_max = conf->srcport_max,
			.max_inner_size = conf->mtu - VTEP_MTU_OVERHEAD + RTE_ETHER_HDR_LEN,
			.udpcsum = conf->udpcsum,
			.csum_offload = rt->underlay.csum_offload,
			.tx_chains = rt->underlay.multi_seg,
	};
	for (unsigned int v = 0; v < conf->nb_vnis; v++) {
		const struct vtep_vni_conf *vc = &conf->vnis[v];
		struct vtep_encap_vni *ev = &rt->evnis[v];

		vtep_parse_add_vni(&rt->parse, vc->vni, v, vc->group_be);
		rt->decap.learning[v] = vc->learning;
		for (unsigned int i = 0; i < vc->nb_allows && i < VTEP_ALLOW_MAX; i++) {
			uint32_t mask = ~0u << (32 - vc->allows[i].len);

			rt->decap.allow[v].p[i].net = rte_be_to_cpu_32(vc->allows[i].net_be) & mask;
			rt->decap.allow[v].p[i].mask = mask;
			rt->decap.allow[v].nb = i + 1;
			rt->decap.allowing = true;
		}
		ev->vni_be = vtep_vxlan_vni_be(vc->vni);
		ev->ttl = vc->ttl == VTEP_INHERIT ? VTEP_ENCAP_INHERIT : vc->ttl;
		ev->tos = vc->tos == VTEP_INHERIT ? VTEP_ENCAP_INHERIT : vc->tos;
		if (vc->group_be != 0) {
			idx = vtep_remote_get(rt->remotes, vc->group_be);
			if (idx < 0)
				return fail(err, esz, idx, "remote table full");
			ev->floods[ev->nb_floods++] = idx;
		}
		for (unsigned int i = 0; i < vc->nb_floods; i++) {
			idx = vtep_remote_get(rt->remotes, vc->floods_be[i]);
			if (idx < 0)
				return fail(err, esz, idx, "remote table full");
			ev->floods[ev->nb_floods++] = idx;
		}
	}
	for (unsigned int i = 0; i < conf->nb_fdbs; i++) {
		const struct vtep_fdb_conf *fc = &conf->fdbs[i];
		int v = vtep_conf_vni_index(conf, fc->vni);

		if (fc->dst_be == 0) {
			/* A static local entry: its attachment decides the VNI. */
			int a = vtep_conf_att_index(conf, fc->dev, fc->vlan);

			v = a < 0 ? -1 : rt->bd->atts[a].vni_idx;
			if (v < 0 ||
					vtep_fdb_add_static_local(rt->fdb,
							vtep_fdb_key(v, &fc->mac),
							(uint16_t)a) != 0)
				return fail(err, esz, -ENOSPC, "fdb: cannot add static entry %u",
						i);
			continue;
		}
		idx = vtep_remote_get(rt->remotes, fc->dst_be);
		if (v < 0 || idx < 0 ||
				vtep_fdb_add_static(rt->fdb, vtep_fdb_key(v, &fc->mac), fc->dst_be,
						idx) != 0)
			return fail(err, esz, -ENOSPC, "fdb: cannot add static entry %u", i);
	}
	return 0;
}

static int
setup_workers(struct vtep_runtime *rt, char *err, size_t esz)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int lcore, w = 0;

	RTE_LCORE_FOREACH_WORKER (lcore) {
		struct vtep_worker *wk;

		if (w == rt->nb_workers)
			break;
		wk = rte_zmalloc_socket("vtep_worker", sizeof(*wk), RTE_CACHE_LINE_SIZE,
				rte_lcore_to_socket_id(lcore));
		if (wk == NULL)
			return fail(err, esz, -ENOMEM, "cannot allocate worker state");
		rt->workers[w] = wk;
		vtep_hold_init(&wk->hold);
		wk->quit = &rt->quit;
		wk->qsbr = rt->qsbr;
		wk->decap = &rt->decap;
		wk->encap = &rt->encap;
		wk->underlay = &rt->underlay;
		wk->bridge = &rt->bridge;
		wk->ports = rt->ports;
		wk->nb_ports = rt->nb_ports;
		wk->id = w;
		wk->lcore_id = lcore;
		wk->st = &rt->stats[w];
		wk->drains = w == 0;
		if (w < rt->underlay.nb_rxq)
			wk->rx[wk->nb_rx++] =
					(struct vtep_worker_rx){rt->underlay.port_id, w, -1, -1};
		/* Local ports spread over the workers; each has one RX queue. */
		for (unsigned int l = 0; l < rt->nb_ports; l++) {
			if (l % rt->nb_workers == w)
				wk->rx[wk->nb_rx++] = (struct vtep_worker_rx){rt->ports[l].port_id,
						0, (int16_t)l, rt->bd->ports[l].vni_idx};
			vtep_port_txq(&rt->ports[l], w, &wk->port_tx[l]);
		}
		vtep_port_txq(&rt->underlay, w, &wk->underlay_tx);
		vtep_bridge_out_init(&wk->bout, wk->port_tx, NULL, w, wk->st);
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
setup_capture(struct vtep_runtime *rt, char *err, size_t esz)
{
	struct vtep_capture_params p = {
			/* One ring more, the last, for the frames the control lcore sends. */
			.nb_workers = rt->nb_workers + 1,
			.socket = rt->underlay.socket,
			.qsbr = rt->qsbr,
			.dstport_be = rte_cpu_to_be_16(rt->conf->dstport),
			.nb_vnis = rt->conf->nb_vnis,
	};

	for (unsigned int v = 0; v < p.nb_vnis; v++)
		p.vni_ids[v] = rt->conf->vnis[v].vni;
	rt->capture = vtep_capture_create(&p);
	if (rt->capture == NULL)
		return fail(err, esz, -rte_errno, "cannot create the capture rings: %s",
				rte_strerror(rte_errno));
	for (unsigned int w = 0; w < rt->nb_workers; w++) {
		rt->workers[w]->capture = rt->capture;
		rt->workers[w]->bout.capture = rt->capture;
	}
	return 0;
}

int
vtep_runtime_create(
		struct vtep_runtime *rt, const struct vtep_conf *conf, char *err, size_t err_size)
{
	unsigned int avail = rte_lcore_count() - 1;
	int rc;

	memset(rt, 0, sizeof(*rt));
	rt->conf = conf;
	if (avail == 0) {
		return fail(err, err_size, -EINVAL,
				"vtepd needs at least two lcores (EAL -l): one control, one "
				"worker");
	}
	rt->nb_workers = RTE_MIN(RTE_MIN(avail, (unsigned int)VTEP_MAX_WORKERS),
			conf->workers ? conf->workers : avail);
	rt->stats = rte_zmalloc("vtep_stats", sizeof(rt->stats[0]) * (rt->nb_workers + 1),
			RTE_CACHE_LINE_SIZE);
	if (rt->stats == NULL)
		return fail(err, err_size, -ENOMEM, "cannot allocate counters");
	for (unsigned int l = 0; l <= rt->nb_workers; l++) {
		rt->stats[l].remotes = rte_zmalloc("vtep_remote_stats",
				sizeof(struct vtep_remote_stats) * VTEP_STATS_REMOTES,
				RTE_CACHE_LINE_SIZE);
		rt->stats[l].atts = rte_zmalloc("vtep_att_stats",
				sizeof(struct vtep_att_stats) * VTEP_STATS_ATTS,
				RTE_CACHE_LINE_SIZE);
		if (rt->stats[l].remotes == NULL || rt->stats[l].atts == NULL)
			return fail(err, err_size, -ENOMEM, "cannot allocate counters");
	}
	rc = setup_ports(rt, err, err_size);
	if (rc == 0)
		rc = setup_tables(rt, err, err_size);
	if (rc == 0)
		rc = setup_vnis(rt, err, err_size);
	if (rc == 0)
		rc = setup_workers(rt, err, err_size);
	if (rc == 0)
		rc = setup_capture(rt, err, err_size);
	if (rc != 0) {
		vtep_runtime_free(rt);
		return rc;
	}
	rt->baseline_in_use = rte_mempool_in_use_count(rt->pool);
	return 0;
}

void
vtep_runtime_close_ports(struct vtep_runtime *rt)
{
	if (rt->underlay.tx_ring != NULL || rt->underlay.started)
		vtep_port_close(&rt->underlay);
	for (unsigned int l = 0; l < rt->nb_ports; l++)
		if (rt->ports[l].tx_ring != NULL || rt->ports[l].started)
			vtep_port_close(&rt->ports[l]);
}

void
vtep_runtime_free(struct vtep_runtime *rt)
{
	void *m;

	/* Workers are gone: a running capture gets what they copied, and its file is closed. */
	vtep_capture_free(rt->capture);
	rt->capture = NULL;
	for (unsigned int w = 0; w < VTEP_MAX_WORKERS; w++) {
		struct vtep_worker *wk = rt->workers[w];

		if (wk == NULL)
			continue;
		while (wk->ctl_ring != NULL && rte_ring_dequeue(wk->ctl_ring, &m) == 0)
			rte_pktmbuf_free(m);
		/* Frames still held (vtep_ctl_shutdown did not run): freed. */
		for (unsigned int v = 0; v < VTEP_MAX_VNIS; v++) {
			struct rte_mbuf *held[VTEP_BURST];
			uint16_t n;

			while ((n = vtep_hold_release(
						&wk->hold, v, UINT64_MAX, held, RTE_DIM(held))) > 0)
				rte_pktmbuf_free_bulk(held, n);
		}
		rte_ring_free(wk->ctl_ring);
		rte_ring_free(wk->learn_ring);
		rte_free(wk);
		rt->workers[w] = NULL;
	}
	vtep_runtime_close_ports(rt);
	rte_free(rt->bd);
	rt->bd = NULL;
	vtep_fdb_free(rt->fdb);
	rt->fdb = NULL;
	vtep_remotes_free(rt->remotes);
	rt->remotes = NULL;
	rte_free(rt->qsbr);
	rt->qsbr = NULL;
	for (unsigned int l = 0; rt->stats != NULL && l <= rt->nb_workers; l++) {
		rte_free(rt->stats[l].remotes);
		rte_free(rt->stats[l].atts);
	}
	rte_free(rt->stats);
	rt->stats = NULL;
	/* The pool goes last: ports hand their mbufs back when they close. */
	rte_mempool_free(rt->pool);
	rt->pool = NULL;
}
