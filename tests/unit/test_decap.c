/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Decapsulation: inner frames come out intact, learn events go out only for new or moved MACs
 * (once a second at most), static MACs are not moved, control frames are handed over, drops are
 * counted, bursts of every awkward size keep their order, and no mbuf is lost.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_decap.h"
#include "vtep_fdb.h"

#define LOCAL "172.16.91.129"
#define REMOTE "172.16.91.128"
#define REMOTE2 "172.16.91.130"

static struct rte_mempool *pool;
static struct vtep_fdb *fdb;
static struct vtep_parse_ctx pc;
static struct vtep_decap_ctx dc;
static struct vtep_learn_filter lf;
static struct vtep_decap_out out;
static struct vtep_lcore_stats st;

static struct rte_mbuf *
vxlan_frame(const char *sip, uint32_t vni, const char *inner_src, size_t payload)
{
	uint8_t inner[2048], buf[2048];
	struct pkt_outer o = {
		.dst_mac = "02:00:00:00:91:81", .src_mac = "02:00:00:00:91:80",
		.sip = sip, .dip = LOCAL, .sport = 40000, .dport = 4789, .vni = vni,
	};
	size_t n = pkt_inner_udp(inner, "02:00:00:00:00:02", inner_src, "10.0.0.1", "10.0.0.2", 7,
			8, payload);

	return pkt_mbuf(pool, buf, pkt_vxlan(buf, &o, inner, n));
}

static void
decap(struct rte_mbuf **pkts, uint16_t n, uint32_t now)
{
	vtep_decap_burst(&dc, pkts, n, now, &lf, NULL, &out, &st);
}

static void
free_out(void)
{
	rte_pktmbuf_free_bulk(out.inner, out.nb_inner);
	rte_pktmbuf_free_bulk(out.ctl, out.nb_ctl);
	for (uint16_t i = 0; i < out.nb_learn; i++)
		rte_pktmbuf_free(out.learn[i].m);
}

static void
test_learn(void)
{
	struct rte_ether_addr src = pkt_mac("02:00:00:00:00:01");
	uint64_t key = vtep_fdb_key(0, &src);
	struct rte_mbuf *m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 30);
	uint8_t inner[256];
	size_t n = pkt_inner_udp(inner, "02:00:00:00:00:02", "02:00:00:00:00:01", "10.0.0.1",
			"10.0.0.2", 7, 8, 30);
	struct vtep_fdb_entry *e;

	/* The frame rides with its learn event: delivered once the entry is in. */
	decap(&m, 1, 100);
	CHECK(out.nb_inner == 0);
	CHECK(out.nb_learn == 1 && out.learn[0].flags == 0 && out.learn[0].m == m);
	CHECK(out.learn[0].key == key && out.learn[0].src_be == pkt_ip(REMOTE));
	CHECK(rte_is_same_ether_addr(&out.learn[0].src_mac,
			&(struct rte_ether_addr){ { 0x02, 0, 0, 0, 0x91, 0x80 } }));
	CHECK(pkt_compare(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_pkt_len(m), inner, n) == 0);
	CHECK(st.vni[0].decap_pkts == 1 && st.vni[0].decap_bytes == n);
	CHECK(st.vni[0].learn_events == 1);
	free_out();
	/* Same MAC, same second, not learned yet, within the hold window: the frame follows the
	 * first one through the control lcore, with nothing more to learn. */
	dc.hold_cycles = UINT64_MAX;
	m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 30);
	decap(&m, 1, 100);
	CHECK(out.nb_inner == 0 && out.nb_learn == 1 && out.learn[0].m == m);
	CHECK(out.learn[0].flags == VTEP_LEARN_DELIVER_ONLY && out.learn[0].key == key);
	CHECK(st.vni[0].learn_events == 1);
	free_out();
	/* After the hold window: the filter holds the repeat back, the frame goes straight on. */
	dc.hold_cycles = 0;
	m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 30);
	decap(&m, 1, 100);
	CHECK(out.nb_inner == 1 && out.nb_learn == 0);
	free_out();
	/* Next second it is posted again (the control lcore may have refused it). */
	m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 30);
	decap(&m, 1, 101);
	CHECK(out.nb_learn == 1 && out.learn[0].m == m && out.learn[0].flags == 0);
	CHECK(st.vni[0].learn_events == 2);
	free_out();
	/* Learned: no more events; seen follows the clock. */
	CHECK(vtep_fdb_learn(fdb, &out.learn[0], 1, 101) == 0);
	m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 30);
	decap(&m, 1, 150);
	CHECK(out.nb_learn == 0);
	/* Counted at the remote the entry names (slot 1); the frames before it was learned at 0. */
	CHECK(st.remotes[1].rx_pkts == 1 && st.remotes[1].rx_bytes == n);
	CHECK(st.remotes[0].rx_pkts == 4 && st.remotes[0].rx_bytes == 4 * n);
	e = vtep_fdb_lookup(fdb, key);
	CHECK(e != NULL && e->seen == 150);
	free_out();
	/* Learned, but the frames handed over are still on their way (holding) and the MAC posted
	 * within the hold window: the frame follows them instead of overtaking them. */
	dc.hold_cycles = UINT64_MAX;
	lf.holding = true;
	m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 30);
	decap(&m, 1, 150);
	CHECK(out.nb_inner == 0 && out.nb_learn == 1 && out.learn[0].m == m);
	CHECK(out.learn[0].flags == VTEP_LEARN_DELIVER_ONLY);
	free_out();
	/* Nothing on its way: found means delivered now. */
	lf.holding = false;
	m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 30);
	decap(&m, 1, 150);
	CHECK(out.nb_inner == 1 && out.nb_learn == 0);
	free_out();
	dc.hold_cycles = 0;
	/* Moved to another VTEP: an event with the new source. */
	m = vxlan_frame(REMOTE2, 42, "02:00:00:00:00:01", 30);
	decap(&m, 1, 151);
	CHECK(out.nb_inner == 0 && out.nb_learn == 1 && out.learn[0].src_be == pkt_ip(REMOTE2));
	CHECK(out.learn[0].m == m);
	free_out();
	/* nolearning: forwarded, never posted. */
	dc.learning[0] = 0;
	m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:77", 30);
	decap(&m, 1, 152);
	CHECK(out.nb_inner == 1 && out.nb_learn == 0);
	free_out();
	dc.learning[0] = 1;
}

static void
test_static(void)
{
	struct rte_ether_addr mac = pkt_mac("02:00:00:00:00:55");
	struct rte_mbuf *m;

	CHECK(vtep_fdb_add_static(fdb, vtep_fdb_key(0, &mac), pkt_ip(REMOTE), 1) == 0);
	m = vxlan_frame(REMOTE2, 42, "02:00:00:00:00:55", 30);
	decap(&m, 1, 200);
	CHECK(out.nb_inner == 0 && out.nb_learn == 0);
	CHECK(st.drops[VTEP_DROP_RX_STATIC_MOVE] == 1);
	m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:55", 30);
	decap(&m, 1, 200);
	CHECK(out.nb_inner == 1 && out.nb_learn == 0);
	free_out();
}

static void
test_mixed_bursts(void)
{
	static const uint16_t sizes[] = { 1, 2, 3, 31, 32, 33, 64 };
	struct rte_mbuf *pkts[VTEP_DECAP_MAX];
	uint8_t buf[128];

	for (unsigned int s = 0; s < RTE_DIM(sizes); s++) {
		uint16_t n = sizes[s], want_inner = 0, want_ctl = 0, want_drop = 0;
		uint64_t drops_before = st.drops[VTEP_DROP_RX_VNI_UNKNOWN];
		unsigned int bad = 0;

		for (uint16_t i = 0; i < n; i++) {
			switch (i % 4) {
			case 0:
			case 1:
				pkts[i] = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", i);
				want_inner++;
				break;
			case 2:
				pkts[i] = vxlan_frame(REMOTE, 43, "02:00:00:00:00:01", i);
				want_drop++;
				break;
			default:
				pkts[i] = pkt_mbuf(pool, buf, pkt_arp(buf, 1, "ff:ff:ff:ff:ff:ff",
						"02:00:00:00:91:80", REMOTE, "00:00:00:00:00:00",
						LOCAL));
				want_ctl++;
				break;
			}
		}
		decap(pkts, n, 300);
		CHECKF(out.nb_inner == want_inner && out.nb_ctl == want_ctl, "burst %u: %u/%u", n,
				out.nb_inner, out.nb_ctl);
		CHECK(st.drops[VTEP_DROP_RX_VNI_UNKNOWN] - drops_before == want_drop);
		for (uint16_t k = 0; k < out.nb_inner; k++) {
			/* Inner frames in order: payload sizes 0,1,4,5,8,9,... */
			uint16_t i = (k / 2) * 4 + (k % 2);

			if (rte_pktmbuf_pkt_len(out.inner[k]) != 42u + i)
				bad++;
		}
		CHECKF(bad == 0, "burst %u: %u out of order", n, bad);
		free_out();
	}
}

static void
test_padding(void)
{
	struct rte_mbuf *m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 0);

	/* 92-byte frame with 8 bytes of trailer: the inner frame is 42 bytes, not 50. */
	memset(rte_pktmbuf_append(m, 8), 0xee, 8);
	decap(&m, 1, 400);
	CHECK(out.nb_inner == 1 && rte_pktmbuf_pkt_len(out.inner[0]) == 42);
	free_out();
}

/* RFC 6040: outer CE marks an ECT inner packet CE and drops a not-ECT one; other outer values
 * leave the inner packet alone. */
static void
test_ecn(void)
{
	static const struct {
		uint8_t outer, inner, want; /* want 0xff: dropped */
	} cases[] = {
		{ 3, 2, 3 }, { 3, 1, 3 }, { 3, 3, 3 }, { 3, 0, 0xff }, { 2, 0, 0 }, { 1, 2, 2 },
		{ 0, 1, 1 },
	};
	uint64_t drops = st.drops[VTEP_DROP_RX_ECN_NOT_ECT];

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct rte_mbuf *m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 20);
		struct rte_ipv4_hdr *oip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
		struct rte_ipv4_hdr *iip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 64);

		oip->type_of_service = 0x20 | cases[i].outer;
		oip->hdr_checksum = 0;
		oip->hdr_checksum = rte_ipv4_cksum(oip);
		iip->type_of_service = 0x40 | cases[i].inner;
		iip->hdr_checksum = 0;
		iip->hdr_checksum = rte_ipv4_cksum(iip);
		decap(&m, 1, 500);
		if (cases[i].want == 0xff) {
			CHECK(out.nb_inner == 0);
			CHECK(st.drops[VTEP_DROP_RX_ECN_NOT_ECT] == ++drops);
			continue;
		}
		CHECK(out.nb_inner == 1);
		if (out.nb_inner == 1) {
			iip = rte_pktmbuf_mtod_offset(out.inner[0], struct rte_ipv4_hdr *, 14);
			CHECKF(iip->type_of_service == (0x40 | cases[i].want), "outer %u inner %u: %#x",
					cases[i].outer, cases[i].inner, iip->type_of_service);
			CHECK(rte_raw_cksum(iip, sizeof(*iip)) == 0xffff);
		}
		free_out();
	}
}

int
main(void)
{
	struct vtep_fdb_params fp = { .name = "t_fdb", .size = 1024, .nb_vnis = 2 };
	struct rte_ether_addr mac = pkt_mac("02:00:00:00:91:81");
	unsigned int in_use;

	vtep_test_eal_init("decap", NULL);
	pool = vtep_test_pool();
	fdb = vtep_fdb_create(&fp);
	CHECK(fdb != NULL);
	vtep_parse_ctx_init(&pc, pkt_ip(LOCAL), &mac, 4789);
	vtep_parse_add_vni(&pc, 42, 0, pkt_ip("239.1.1.1"));
	st.remotes = calloc(VTEP_STATS_REMOTES, sizeof(*st.remotes));
	CHECK(st.remotes != NULL);
	dc.parse = &pc;
	dc.fdb = fdb;
	dc.learning[0] = 1;
	in_use = rte_mempool_in_use_count(pool);
	test_learn();
	test_static();
	test_mixed_bursts();
	test_padding();
	test_ecn();
	CHECKF(rte_mempool_in_use_count(pool) == in_use, "mbufs in use %u, before %u",
			rte_mempool_in_use_count(pool), in_use);
	vtep_fdb_free(fdb);
	free(st.remotes);
	return vtep_test_done("decap");
}
