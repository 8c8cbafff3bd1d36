/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fixed, repeatable workload for instruction counts (docs/performance.md): the bench's
 * scenarios on one lcore without ports, so that `valgrind --tool=callgrind` counts the
 * instructions of vtep_decap_burst / vtep_encap_burst per packet. It prints no timing: it is not
 * a benchmark and not a test.
 *
 *   perf_loop decap|encap|encap-nocsum|flood-group|flood-her|switch|encap-8p [bursts] [nocache]
 *             [copies]
 *
 * decap: 1000 inner MACs learned from 16 remotes, every frame a learning check on a known MAC;
 * encap: 1000 static entries behind 16 remotes; flood: broadcast to a group or to 4 remotes;
 * switch: a VNI with 8 local ports, frames from the first to 1000 MACs static behind the 7
 * others (vtep_bridge_from_port + vtep_bridge_flush into rings); encap-8p: encap's frames and
 * FDB through the bridge of a VNI with 8 local ports.
 * 64-byte inner frames, bursts of 32, each burst copied into fresh mbufs first (as an RX would).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_bridge.h"
#include "vtep_decap.h"
#include "vtep_encap.h"
#include "vtep_fdb.h"
#include "vtep_remote.h"

#define NB_MACS 1000
#define NB_REMOTES 16
#define NB_FRAMES 1024
#define BURST 32
#define LOCAL "172.16.91.129"

static uint8_t frames[NB_FRAMES][128];
static uint16_t frame_size[NB_FRAMES];
static struct vtep_lcore_stats st;
static struct vtep_fdb_cache cache;
static struct vtep_fdb_cache *fc = &cache; /* NULL with "nocache" */
/* HER shares the frame among header mbufs (a port with RTE_ETH_TX_OFFLOAD_MULTI_SEGS); "copies":
 * whole copies, as on net_null, which does not advertise it. */
static bool tx_chains = true;

static void
mac_of(unsigned int i, char *s)
{
	snprintf(s, 18, "02:00:00:2a:%02x:%02x", (i >> 8) & 0xff, i & 0xff);
}

static void
ip_of(unsigned int r, char *s)
{
	snprintf(s, 16, "172.16.91.%u", r + 1);
}

static void
load(struct rte_mempool *pool, unsigned int b, struct rte_mbuf **pkts)
{
	if (rte_pktmbuf_alloc_bulk(pool, pkts, BURST) != 0)
		abort();
	for (unsigned int i = 0; i < BURST; i++) {
		unsigned int f = (b * BURST + i) % NB_FRAMES;

		memcpy(rte_pktmbuf_append(pkts[i], frame_size[f]), frames[f], frame_size[f]);
	}
}

static void
run_decap(struct rte_mempool *pool, struct vtep_fdb *fdb, unsigned int bursts, bool udpcsum)
{
	static struct vtep_parse_ctx pc;
	static struct vtep_decap_ctx dc;
	static struct vtep_learn_filter lf;
	static struct vtep_decap_out out;
	struct rte_ether_addr local_mac = pkt_mac("02:00:00:00:91:81");
	struct rte_mbuf *pkts[BURST];
	char mac[18], ip[16];

	vtep_parse_ctx_init(&pc, pkt_ip(LOCAL), &local_mac, 4789);
	vtep_parse_add_vni(&pc, 42, 0, 0);
	dc.parse = &pc;
	dc.fdb = fdb;
	dc.learning[0] = 1;
	for (unsigned int i = 0; i < NB_FRAMES; i++) {
		uint8_t inner[128];
		struct pkt_outer o = {
				.dst_mac = "02:00:00:00:91:81",
				.src_mac = "02:00:00:00:91:80",
				.sip = ip,
				.dip = LOCAL,
				.sport = 32768 + i,
				.dport = 4789,
				.vni = 42,
		};
		size_t n;

		mac_of(i % NB_MACS, mac);
		ip_of(i % NB_MACS % NB_REMOTES, ip);
		n = pkt_inner_udp(
				inner, "02:00:00:00:00:02", mac, "10.0.0.1", "10.0.0.2", 7, 8, 22);
		frame_size[i] = pkt_vxlan(frames[i], &o, inner, n);
		if (udpcsum) {
			/* As the kernel sends by default: checked in software (no port verdict). */
			struct rte_ipv4_hdr *iph = (struct rte_ipv4_hdr *)(frames[i] + 14);

			((struct rte_udp_hdr *)(iph + 1))->dgram_cksum =
					rte_ipv4_udptcp_cksum(iph, iph + 1);
		}
	}
	for (unsigned int i = 0; i < NB_MACS; i++) {
		struct rte_ether_addr m;
		struct vtep_learn_event ev = {0};

		mac_of(i, mac);
		ip_of(i % NB_REMOTES, ip);
		m = pkt_mac(mac);
		ev.key = vtep_fdb_key(0, &m);
		ev.src_be = pkt_ip(ip);
		if (vtep_fdb_learn(fdb, &ev, 1 + i % NB_REMOTES, 1) != 0)
			abort();
	}
	for (unsigned int b = 0; b < bursts; b++) {
		load(pool, b, pkts);
		vtep_decap_burst(&dc, pkts, BURST, 1, &lf, fc, &out, &st);
		if (out.nb_inner != BURST)
			abort();
		rte_pktmbuf_free_bulk(out.inner, out.nb_inner);
	}
}

/* A VNI with 8 whole-port attachments whose TX are rings, drained and freed after each burst. */
static struct vtep_bd bd;
static struct vtep_txq txqs[8];
static struct vtep_bridge_out bout;
static struct vtep_bridge_rx brx;
static struct vtep_learn_filter blf;

static void
bridge_setup(struct vtep_fdb *fdb)
{
	char name[16];

	bd.nb_atts = bd.nb_ports = 8;
	bd.nb_vnis = 1;
	for (uint16_t a = 0; a < 8; a++) {
		bd.atts[a] = (struct vtep_att){.lport = a, .port_id = a, .vni_idx = 0, .up = 1};
		bd.ports[a].att = a;
		bd.ports[a].native = VTEP_BD_NONE;
		bd.vnis[0].atts[bd.vnis[0].nb_atts++] = a;
		snprintf(name, sizeof(name), "perf_tx%u", a);
		txqs[a].ring = rte_ring_create(name, 1024, 0, RING_F_SC_DEQ);
		if (txqs[a].ring == NULL)
			abort();
	}
	vtep_bridge_out_init(&bout, txqs, NULL, 0, &st);
	(void)fdb;
}

static void
bridge_drain(void)
{
	struct rte_mbuf *m[64];
	unsigned int n;

	for (unsigned int a = 0; a < 8; a++)
		while ((n = rte_ring_dequeue_burst(txqs[a].ring, (void **)m, 64, NULL)) > 0)
			rte_pktmbuf_free_bulk(m, n);
}

static void
run_encap(struct rte_mempool *pool, struct vtep_fdb *fdb, const char *mode, unsigned int bursts)
{
	struct vtep_remote_params rp = {
			.size = 64,
			.local_be = pkt_ip(LOCAL),
			.local_mac = pkt_mac("02:00:00:00:91:81"),
			.dstport = 4789,
	};
	struct vtep_remotes *remotes = vtep_remotes_create(&rp);
	static struct vtep_encap_vni v;
	struct vtep_encap_ctx ec = {
			.fdb = fdb,
			.remotes = remotes,
			.vnis = &v,
			.pool = pool,
			.srcport_min = 32768,
			.srcport_max = 60999,
			.max_inner_size = 1500 - 50 + 14,
			.udpcsum = strcmp(mode, "encap-nocsum") != 0,
			.tx_chains = tx_chains,
	};
	bool bcast = strncmp(mode, "flood", 5) == 0;
	bool bridged = strcmp(mode, "switch") == 0 || strcmp(mode, "encap-8p") == 0;
	static const uint8_t learning[1] = {1};
	struct vtep_bridge_ctx bc = {
			.bd = &bd, .fdb = fdb, .encap = &ec, .pool = pool, .learning = learning};
	unsigned int copies = strcmp(mode, "flood-her") == 0 ? 4 : 1;
	struct rte_mbuf *pkts[BURST], *out[BURST * 4];
	struct rte_ether_addr nh = pkt_mac("02:00:00:00:91:01");
	char mac[18], ip[16];
	uint16_t ip_id = 0;

	if (remotes == NULL)
		abort();
	v.vni_be = vtep_vxlan_vni_be(42);
	for (unsigned int r = 0; r < NB_REMOTES; r++) {
		int idx;

		ip_of(r, ip);
		idx = vtep_remote_get(remotes, pkt_ip(ip));
		vtep_remote_set_mac(remotes, idx, &nh);
		if (strcmp(mode, "flood-her") == 0 && r < 4)
			v.floods[v.nb_floods++] = idx;
	}
	if (strcmp(mode, "flood-group") == 0)
		v.floods[v.nb_floods++] = vtep_remote_get(remotes, pkt_ip("239.1.1.1"));
	for (unsigned int i = 0; i < NB_MACS; i++) {
		struct rte_ether_addr m;

		mac_of(i, mac);
		ip_of(i % NB_REMOTES, ip);
		m = pkt_mac(mac);
		if (strcmp(mode, "switch") == 0) {
			if (vtep_fdb_add_static_local(fdb, vtep_fdb_key(0, &m), 1 + i % 7))
				abort();
		} else if (vtep_fdb_add_static(fdb, vtep_fdb_key(0, &m), pkt_ip(ip),
					   1 + i % NB_REMOTES)) {
			abort();
		}
	}
	if (bridged) {
		struct rte_ether_addr src = pkt_mac("02:00:00:00:00:01");
		struct vtep_learn_event ev = {
				.key = vtep_fdb_key(0, &src), .flags = VTEP_LEARN_LOCAL, .att = 0};

		bridge_setup(fdb);
		if (vtep_fdb_learn(fdb, &ev, 0, 1) != 0)
			abort();
	}
	for (unsigned int i = 0; i < NB_FRAMES; i++) {
		char sip[16];

		mac_of(i % NB_MACS, mac);
		snprintf(sip, sizeof(sip), "10.0.%u.%u", i >> 8, i & 0xff);
		frame_size[i] = pkt_inner_udp(frames[i], bcast ? "ff:ff:ff:ff:ff:ff" : mac,
				"02:00:00:00:00:01", sip, "10.1.0.1", 1000 + i, 2000, 22);
	}
	for (unsigned int b = 0; b < bursts; b++) {
		uint16_t n;

		load(pool, b, pkts);
		if (bridged) {
			brx.outer = out;
			vtep_bridge_from_port(
					&bc, 0, pkts, BURST, 1, &blf, fc, &ip_id, &bout, &brx);
			vtep_bridge_flush(&bc, &bout);
			n = brx.nb_outer;
			bridge_drain();
			if (n != (strcmp(mode, "switch") == 0 ? 0 : BURST))
				abort();
		} else {
			n = vtep_encap_burst(&ec, 0, pkts, BURST, out, &ip_id, fc, &st);
			if (n != BURST * copies)
				abort();
		}
		rte_pktmbuf_free_bulk(out, n);
	}
	vtep_remotes_free(remotes);
}

int
main(int argc, char **argv)
{
	struct vtep_fdb_params fp = {.name = "perf_fdb", .size = 4096, .nb_vnis = 1};

	fp.local_be = pkt_ip(LOCAL);
	const char *mode = argc > 1 ? argv[1] : "decap";
	unsigned int bursts = argc > 2 ? (unsigned int)atoi(argv[2]) : 10000;

	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "nocache") == 0)
			fc = NULL;
		else if (strcmp(argv[i], "copies") == 0)
			tx_chains = false;
	}
	struct rte_mempool *pool;
	struct vtep_fdb *fdb;

	vtep_test_eal_init("perf_loop", NULL);
	st.remotes = calloc(VTEP_STATS_REMOTES, sizeof(*st.remotes));
	st.atts = calloc(VTEP_STATS_ATTS, sizeof(*st.atts));
	if (st.remotes == NULL || st.atts == NULL)
		return 1;
	pool = vtep_test_pool();
	fdb = vtep_fdb_create(&fp);
	if (fdb == NULL)
		abort();
	if (strncmp(mode, "decap", 5) == 0)
		run_decap(pool, fdb, bursts, strcmp(mode, "decap-csum") == 0);
	else
		run_encap(pool, fdb, mode, bursts);
	printf("perf_loop %s: %u bursts of %u\n", mode, bursts, BURST);
	vtep_fdb_free(fdb);
	vtep_test_done("perf_loop");
	return 0;
}
