/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Decapsulation: inner frames come out intact, learn events go out only for new or moved MACs
 * (once a second at most), static MACs and MACs frozen by movedamp are not moved, frames from
 * remotes outside the VNI's allow list are dropped, control frames are handed over, drops are
 * counted, bursts of every awkward size keep their order, and no mbuf is lost.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
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

/* Free what a burst put out: inner and control frames. */
static void
free_outputs(struct vtep_decap_out *o)
{
	rte_pktmbuf_free_bulk(o->inner, o->nb_inner);
	rte_pktmbuf_free_bulk(o->ctl, o->nb_ctl);
}

static void
free_out(void)
{
	free_outputs(&out);
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

	/* The frame comes out in order, marked with the learn event it posted: the worker loop
	 * holds it until the entry is in. */
	decap(&m, 1, 100);
	CHECK(out.nb_inner == 1 && out.inner[0] == m && out.inner_learn[0] == 1);
	CHECK(out.nb_learn == 1);
	CHECK(out.learn[0].key == key && out.learn[0].src_be == pkt_ip(REMOTE));
	CHECK(rte_is_same_ether_addr(&out.learn[0].src_mac,
			&(struct rte_ether_addr){ { 0x02, 0, 0, 0, 0x91, 0x80 } }));
	CHECK(pkt_compare(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_pkt_len(m), inner, n) == 0);
	CHECK(st.vni[0].decap_pkts == 1 && st.vni[0].decap_bytes == n);
	CHECK(st.vni[0].learn_events == 1);
	free_out();
	/* Same MAC, same second, not learned yet: the filter holds the repeat back; the frame
	 * posts nothing (it waits behind the first one only if that one is still held). */
	m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 30);
	decap(&m, 1, 100);
	CHECK(out.nb_inner == 1 && out.nb_learn == 0 && out.inner_learn[0] == 0);
	CHECK(st.vni[0].learn_events == 1);
	free_out();
	/* Next second it is posted again (the control lcore may have refused it). */
	m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 30);
	decap(&m, 1, 101);
	CHECK(out.nb_learn == 1 && out.inner[0] == m && out.inner_learn[0] == 1);
	CHECK(st.vni[0].learn_events == 2);
	free_out();
	/* Learned: no more events; seen follows the clock. */
	CHECK(vtep_fdb_learn(fdb, &out.learn[0], 1, 101) == 0);
	m = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 30);
	decap(&m, 1, 150);
	CHECK(out.nb_learn == 0 && out.inner_learn[0] == 0);
	/* Counted at the remote the entry names (slot 1); the frames before it was learned at 0. */
	CHECK(st.remotes[1].rx_pkts == 1 && st.remotes[1].rx_bytes == n);
	CHECK(st.remotes[0].rx_pkts == 3 && st.remotes[0].rx_bytes == 3 * n);
	e = vtep_fdb_lookup(fdb, key);
	CHECK(e != NULL && e->seen == 150);
	free_out();
	/* Moved to another VTEP: an event with the new source. */
	m = vxlan_frame(REMOTE2, 42, "02:00:00:00:00:01", 30);
	decap(&m, 1, 151);
	CHECK(out.nb_inner == 1 && out.nb_learn == 1 && out.learn[0].src_be == pkt_ip(REMOTE2));
	CHECK(out.inner[0] == m && out.inner_learn[0] == 1);
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

/*
 * A MAC frozen by movedamp is held at its remote like a static one: frames that claim it from
 * another remote are dropped (rx_mac_frozen) and post no learn event, through the one-pass path
 * (with a cache that holds the MAC) and the staged one; its owner's frames go through.
 */
static void
test_frozen(void)
{
	static struct vtep_fdb_cache fc;
	struct vtep_fdb_params fp = {.name = "t_fdb_damp", .size = 64, .nb_vnis = 1};
	struct rte_ether_addr mac = pkt_mac("02:00:00:00:00:66");
	struct vtep_learn_event ev = {.key = vtep_fdb_key(0, &mac), .src_be = pkt_ip(REMOTE)};
	const struct vtep_fdb *saved = dc.fdb;
	struct rte_mbuf *m[3];
	struct vtep_fdb *f;

	fp.vni_damp[0] = (struct vtep_fdb_damp){1, 60, 60};
	f = vtep_fdb_create(&fp);
	CHECK(f != NULL);
	CHECK(vtep_fdb_learn(f, &ev, 1, 300) == 0);
	ev.src_be = pkt_ip(REMOTE2);
	CHECK(vtep_fdb_learn(f, &ev, 2, 300) == 0);
	ev.src_be = pkt_ip(REMOTE);
	CHECK(vtep_fdb_learn(f, &ev, 1, 300) == -EBUSY);
	CHECK(vtep_fdb_lookup(f, ev.key)->flags == VTEP_FDB_FROZEN);
	dc.fdb = f;
	memset(&lf, 0, sizeof(lf));
	for (unsigned int pass = 0; pass < 2; pass++) {
		uint64_t frozen = st.drops[VTEP_DROP_RX_MAC_FROZEN];

		/* The owner first (it fills the cache on the second pass), then the other. */
		m[0] = vxlan_frame(REMOTE2, 42, "02:00:00:00:00:66", 30);
		m[1] = vxlan_frame(REMOTE, 42, "02:00:00:00:00:66", 30);
		m[2] = vxlan_frame(REMOTE2, 42, "02:00:00:00:00:66", 31);
		vtep_decap_burst(&dc, m, 3, 300, &lf, pass ? &fc : NULL, &out, &st);
		CHECKF(out.nb_inner == 2 && out.nb_learn == 0, "pass %u: %u inner, %u learn", pass,
				out.nb_inner, out.nb_learn);
		CHECK(st.drops[VTEP_DROP_RX_MAC_FROZEN] == frozen + 1);
		if (out.nb_inner == 2)
			CHECK(rte_pktmbuf_pkt_len(out.inner[1]) ==
					rte_pktmbuf_pkt_len(out.inner[0]) + 1);
		free_out();
	}
	dc.fdb = saved;
	vtep_fdb_free(f);
}

/*
 * An allow list on VNI 42 (172.16.91.128/32 and 10.1.0.0/16): frames from other remotes are
 * dropped and counted (rx_not_allowed), post no learn event and leave no FDB entry, in the
 * one-pass and the staged path, even for a MAC with a static entry at such a remote (added at run
 * time, where the configuration's check does not reach); the others keep their order; another
 * VNI is not affected.
 */
static void
test_allow(void)
{
	static struct vtep_fdb_cache fc;
	struct vtep_decap_ctx d = dc;
	struct rte_ether_addr mac = pkt_mac("02:00:00:00:00:77"), smac = pkt_mac("02:00:00:00:00:79");
	struct rte_mbuf *m[7];
	uint64_t refused = st.drops[VTEP_DROP_RX_NOT_ALLOWED];

	CHECK(vtep_fdb_add_static(fdb, vtep_fdb_key(0, &smac), pkt_ip(REMOTE2), 2) == 0);
	d.allowing = true;
	d.allow[0].nb = 2;
	d.allow[0].p[0].net = rte_be_to_cpu_32(pkt_ip(REMOTE));
	d.allow[0].p[0].mask = UINT32_MAX;
	d.allow[0].p[1].net = 0x0a010000;
	d.allow[0].p[1].mask = 0xffff0000;
	CHECK(vtep_decap_allowed(&d, 0, pkt_ip("10.1.200.3")));
	CHECK(!vtep_decap_allowed(&d, 0, pkt_ip("10.2.0.1")) && vtep_decap_allowed(&d, 1, 1));
	memset(&lf, 0, sizeof(lf));
	for (unsigned int pass = 0; pass < 3; pass++) {
		/* The static MAC first: with the cache it would go through in one pass. */
		m[0] = vxlan_frame(REMOTE2, 42, "02:00:00:00:00:79", 9);
		m[1] = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 10);
		m[2] = vxlan_frame(REMOTE2, 42, "02:00:00:00:00:77", 11);
		m[3] = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 12);
		m[4] = vxlan_frame("10.2.0.1", 42, "02:00:00:00:00:01", 13);
		m[5] = vxlan_frame("10.1.7.7", 42, "02:00:00:00:00:78", 14);
		m[6] = vxlan_frame(REMOTE, 42, "02:00:00:00:00:01", 15);
		vtep_decap_burst(&d, m, 7, 400, &lf, pass ? &fc : NULL, &out, &st);
		CHECKF(st.drops[VTEP_DROP_RX_NOT_ALLOWED] == refused + 3 * (pass + 1),
				"pass %u: rx_not_allowed %" PRIu64, pass,
				st.drops[VTEP_DROP_RX_NOT_ALLOWED] - refused);
		/* The 4 others delivered; 10.1.7.7's new MAC posts an event (once a second),
		 * nothing of REMOTE2's does. */
		CHECKF(out.nb_inner == 4 && out.nb_learn == (pass == 0 ? 1 : 0),
				"pass %u: %u inner, %u learn", pass, out.nb_inner, out.nb_learn);
		for (uint16_t i = 0; i < out.nb_learn; i++)
			CHECK(out.learn[i].src_be == pkt_ip("10.1.7.7"));
		for (uint16_t i = 0; i + 1 < out.nb_inner; i++)
			CHECK(rte_pktmbuf_pkt_len(out.inner[i]) < rte_pktmbuf_pkt_len(out.inner[i + 1]));
		free_out();
		/* Now the cache holds the static MAC at REMOTE2, as a frame of it without the list
		 * would have left it. */
		if (pass == 0) {
			struct vtep_fdb_entry *e[1];
			uint64_t k = vtep_fdb_key(0, &smac);

			CHECK(vtep_fdb_lookup_bulk_cached(fdb, &fc, &k, 1, e) == 1);
		}
	}
	CHECK(vtep_fdb_lookup(fdb, vtep_fdb_key(0, &mac)) == NULL);
	CHECK(vtep_fdb_del(fdb, vtep_fdb_key(0, &smac)) == 0);
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

/*
 * A non-zero outer UDP checksum without the port's verdict: the classifier checks it when the
 * datagram is in the first segment, decap over the segments otherwise; a wrong one is dropped
 * before anything is learned. With the port's verdict (good) nothing is checked again.
 */
static void
test_udp_csum(void)
{
	uint64_t drops = st.drops[VTEP_DROP_RX_UDP_CSUM], events = st.vni[0].learn_events;
	uint8_t inner[256], buf[256];
	struct pkt_outer o = {
		.dst_mac = "02:00:00:00:91:81", .src_mac = "02:00:00:00:91:80",
		.sip = REMOTE, .dip = LOCAL, .sport = 40000, .dport = 4789, .vni = 42,
	};
	size_t ni = pkt_inner_udp(inner, "02:00:00:00:00:02", "02:00:00:00:00:61", "10.0.0.1",
			"10.0.0.2", 7, 8, 100);
	size_t n = pkt_vxlan(buf, &o, inner, ni);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + 14);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	for (int wrong = 0; wrong < 2; wrong++) {
		for (int split = 0; split < 2; split++) {
			struct rte_mbuf *m = pkt_mbuf(pool, buf, split ? 80 : n);

			if (wrong)
				rte_pktmbuf_mtod(m, uint8_t *)[41] ^= 0x01;
			if (split) {
				/* The datagram's tail in a second segment. */
				struct rte_mbuf *t = pkt_mbuf(pool, buf + 80, n - 80);

				CHECK(rte_pktmbuf_chain(m, t) == 0);
			}
			decap(&m, 1, 700);
			CHECKF(out.nb_inner == (wrong ? 0 : 1), "wrong %d split %d: %u frames", wrong,
					split, out.nb_inner);
			free_out();
		}
	}
	CHECK(st.drops[VTEP_DROP_RX_UDP_CSUM] - drops == 2);
	/* The two right ones posted one event (same MAC, same second); the wrong ones none. */
	CHECK(st.vni[0].learn_events - events == 1);
	/* The port vouched for it: taken as it is. */
	{
		struct rte_mbuf *m = pkt_mbuf(pool, buf, n);

		rte_pktmbuf_mtod(m, uint8_t *)[41] ^= 0x01;
		m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		decap(&m, 1, 700);
		CHECK(out.nb_inner == 1);
		free_out();
	}
}

/*
 * The one-pass path: frames of a MAC the worker's cache holds go through it (and stamp the
 * entry), up to the first frame it leaves.
 */
static void
test_one_pass(void)
{
	static struct vtep_fdb_cache fc;
	struct rte_ether_addr src = pkt_mac("02:00:00:00:00:71");
	struct vtep_learn_event ev = { .key = vtep_fdb_key(0, &src), .src_be = pkt_ip(REMOTE) };
	struct rte_mbuf *pkts[8];
	struct vtep_fdb_entry *e;

	CHECK(vtep_fdb_learn(fdb, &ev, 1, 600) == 0);
	e = vtep_fdb_lookup(fdb, ev.key);
	CHECK(e != NULL);
	if (e == NULL)
		return;
	/* The first burst finds the entry in the hash and caches it. */
	pkts[0] = vxlan_frame(REMOTE, 42, "02:00:00:00:00:71", 10);
	vtep_decap_burst(&dc, pkts, 1, 601, &lf, &fc, &out, &st);
	CHECK(out.nb_inner == 1 && out.nb_fast == 0);
	free_out();
	for (unsigned int i = 0; i < 8; i++)
		pkts[i] = vxlan_frame(REMOTE, 42, "02:00:00:00:00:71", i);
	vtep_decap_burst(&dc, pkts, 8, 605, &lf, &fc, &out, &st);
	CHECK(out.nb_inner == 8 && out.nb_fast == 8 && out.nb_learn == 0);
	CHECK(e->seen == 605);
	for (unsigned int i = 0; i < out.nb_inner; i++)
		CHECK(out.inner[i] == pkts[i] && rte_pktmbuf_pkt_len(pkts[i]) == 42 + i);
	free_out();
	/* A new MAC third: two frames in one pass, the rest staged, in order. */
	for (unsigned int i = 0; i < 8; i++)
		pkts[i] = vxlan_frame(REMOTE, 42, i == 2 ? "02:00:00:00:00:72" : "02:00:00:00:00:71",
				i);
	vtep_decap_burst(&dc, pkts, 8, 605, &lf, &fc, &out, &st);
	CHECK(out.nb_fast == 2 && out.nb_inner == 8 && out.nb_learn == 1);
	for (unsigned int i = 0; i < out.nb_inner; i++)
		CHECK(out.inner[i] == pkts[i] && out.inner_learn[i] == (i == 2));
	free_out();
	CHECK(vtep_fdb_del(fdb, ev.key) == 0);
}

/* A frame of the differential test: kind picks what it is (see test_fast_vs_staged). */
static size_t
random_frame(uint8_t *buf, unsigned int kind, unsigned int r)
{
	char src[18];
	uint8_t inner[256];
	struct pkt_outer o = {
		.dst_mac = "02:00:00:00:91:81", .src_mac = "02:00:00:00:91:80",
		.sip = REMOTE, .dip = LOCAL, .sport = 40000 + (r & 255), .dport = 4789, .vni = 42,
	};
	size_t n;

	/* MACs 0-47 are in the FDB at REMOTE (40-47 static), 48-63 never. */
	snprintf(src, sizeof(src), "02:00:00:00:01:%02x", kind == 6 ? 48 + r % 16 : r % 48);
	if (kind == 7 || kind == 8)
		o.sip = REMOTE2; /* moved, or a static MAC from elsewhere (8: 40-47) */
	if (kind == 8)
		snprintf(src, sizeof(src), "02:00:00:00:01:%02x", 40 + r % 8);
	if (kind == 11)
		return pkt_arp(buf, 1, "ff:ff:ff:ff:ff:ff", "02:00:00:00:91:80", REMOTE,
				"00:00:00:00:00:00", LOCAL);
	if (kind == 12)
		o.vni = 43; /* not configured */
	if (kind == 5)
		o.vni = 44; /* the second VNI, whose MACs are learned as they come */
	if (kind == 13)
		o.vlan = 7;
	n = pkt_inner_udp(inner, "02:00:00:00:00:02", src, "10.0.0.1", "10.0.0.2", 7, 8, r % 40);
	n = pkt_vxlan(buf, &o, inner, n);
	if (kind == 9 || kind == 10) {
		/* Outer ECN CE (9: an ECT inner packet, 10: not ECT, dropped). */
		struct rte_ipv4_hdr *oip = (struct rte_ipv4_hdr *)(buf + 14);

		buf[64 + 1] = kind == 9 ? 2 : 0;
		oip->type_of_service = 3;
		oip->hdr_checksum = 0;
		oip->hdr_checksum = rte_ipv4_cksum(oip);
	}
	if (kind == 14) {
		/* Trailer after the IP packet. */
		memset(buf + n, 0xee, 1 + r % 16);
		n += 1 + r % 16;
	}
	if (kind == 15)
		buf[(r >> 8) % 64] ^= 1u << (r % 8); /* one bit of the headers flipped */
	return n;
}

static unsigned int
index_of(struct rte_mbuf *const *pkts, uint16_t n, const struct rte_mbuf *m)
{
	for (uint16_t i = 0; i < n; i++)
		if (pkts[i] == m)
			return i;
	return UINT32_MAX;
}

/* The frames of two runs at the same places, with the same bytes and mbuf fields. */
static bool
same_frame(struct rte_mbuf *const *pa, struct rte_mbuf *const *pb, uint16_t n,
		const struct rte_mbuf *a, const struct rte_mbuf *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return index_of(pa, n, a) == index_of(pb, n, b) && index_of(pa, n, a) != UINT32_MAX &&
			a->data_off == b->data_off && a->pkt_len == b->pkt_len &&
			a->data_len == b->data_len && a->ol_flags == b->ol_flags &&
			a->packet_type == b->packet_type &&
			memcmp(rte_pktmbuf_mtod(a, void *), rte_pktmbuf_mtod(b, void *),
					a->data_len) == 0;
}

static bool
same_out(struct rte_mbuf *const *pa, struct rte_mbuf *const *pb, uint16_t n,
		const struct vtep_decap_out *a, const struct vtep_decap_out *b)
{
	if (a->nb_inner != b->nb_inner || a->nb_ctl != b->nb_ctl || a->nb_learn != b->nb_learn)
		return false;
	for (uint16_t k = 0; k < a->nb_inner; k++)
		if (a->inner_vni[k] != b->inner_vni[k] || a->inner_learn[k] != b->inner_learn[k] ||
				!same_frame(pa, pb, n, a->inner[k], b->inner[k]))
			return false;
	for (uint16_t k = 0; k < a->nb_ctl; k++)
		if (a->ctl_kind[k] != b->ctl_kind[k] || !same_frame(pa, pb, n, a->ctl[k], b->ctl[k]))
			return false;
	for (uint16_t k = 0; k < a->nb_learn; k++) {
		const struct vtep_learn_event *x = &a->learn[k], *y = &b->learn[k];

		if (x->key != y->key || x->src_be != y->src_be ||
				!rte_is_same_ether_addr(&x->src_mac, &y->src_mac))
			return false;
	}
	return true;
}

static bool
same_stats(const struct vtep_lcore_stats *a, const struct vtep_lcore_stats *b)
{
	return memcmp(a, b, offsetof(struct vtep_lcore_stats, remotes)) == 0 &&
			memcmp(a->remotes, b->remotes, VTEP_STATS_REMOTES * sizeof(*a->remotes)) == 0;
}

static bool
same_filter(const struct vtep_learn_filter *a, const struct vtep_learn_filter *b)
{
	for (unsigned int s = 0; s < VTEP_LEARN_FILTER_SIZE; s++)
		if (a->slots[s].key != b->slots[s].key || a->slots[s].src_be != b->slots[s].src_be ||
				a->slots[s].when != b->slots[s].when)
			return false;
	return true;
}

/*
 * vtep_decap_burst (one pass up to the first frame the fast path leaves, then staged) against
 * vtep_decap_burst_staged on copies of the same random bursts, FDB cache, learn filter and
 * counters, while the FDB learns, moves and deletes (new generations, reused slots) between
 * bursts: the same frames out in the same order and state, the same events, counters, cache and
 * filter.
 */
static void
test_fast_vs_staged(void)
{
	static struct vtep_fdb_cache ca, cb;
	static struct vtep_learn_filter la, lb;
	static struct vtep_decap_out oa, ob;
	struct vtep_lcore_stats sa = { 0 }, sb = { 0 };
	struct rte_mbuf *pa[VTEP_DECAP_MAX], *pb[VTEP_DECAP_MAX];
	struct vtep_fdb *f;
	struct vtep_fdb_params fp = { .name = "t_fdb_diff", .size = 1024, .nb_vnis = 2 };
	struct vtep_decap_ctx d = dc;
	unsigned int bad = 0, fast_bursts = 0, staged_after = 0;
	uint64_t fast = 0, total = 0;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	uint32_t now = 1000;
	uint8_t buf[256];
	static const uint64_t ol_flags[] = {
		RTE_MBUF_F_RX_IP_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_BAD,
		RTE_MBUF_F_RX_L4_CKSUM_BAD,
		RTE_MBUF_F_RX_IP_CKSUM_NONE,
		RTE_MBUF_F_RX_L4_CKSUM_GOOD,
	};

	f = vtep_fdb_create(&fp);
	CHECK(f != NULL);
	if (f == NULL)
		return;
	d.fdb = f;
	d.learning[1] = 1;
	CHECK(vtep_parse_add_vni(&pc, 44, 1, 0) == 0);
	sa.remotes = calloc(VTEP_STATS_REMOTES, sizeof(*sa.remotes));
	sb.remotes = calloc(VTEP_STATS_REMOTES, sizeof(*sb.remotes));
	CHECK(sa.remotes != NULL && sb.remotes != NULL);
	for (unsigned int i = 0; i < 48; i++) {
		char s[18];
		struct rte_ether_addr mac;
		struct vtep_learn_event ev = { .src_be = pkt_ip(REMOTE) };

		snprintf(s, sizeof(s), "02:00:00:00:01:%02x", i);
		mac = pkt_mac(s);
		ev.key = vtep_fdb_key(0, &mac);
		CHECK(i < 40 ? vtep_fdb_learn(f, &ev, 1, now) == 0
			     : vtep_fdb_add_static(f, ev.key, ev.src_be, 1) == 0);
	}
	for (unsigned int t = 0; t < 4000; t++) {
		uint16_t n;
		/* Mostly known MACs from their remote, so that whole bursts take the fast path. */
		unsigned int mix;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = 1 + x % VTEP_DECAP_MAX;
		mix = (x >> 8) % 4;
		for (uint16_t i = 0; i < n; i++) {
			unsigned int kind, r;
			size_t len;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			r = (unsigned int)(x >> 20);
			kind = mix == 0 ? 0 : (x >> 6) % (mix == 1 ? 64 : 16);
			if (kind > 15)
				kind = 0;
			len = random_frame(buf, kind, r);
			pa[i] = pkt_mbuf(pool, buf, len);
			pb[i] = pkt_mbuf(pool, buf, len);
			/* A NIC's checksum verdicts, sometimes. */
			pa[i]->ol_flags = pb[i]->ol_flags = (r >> 4) % 4 == 0 ? ol_flags[r % 6] : 0;
		}
		/* A quarter of the bursts with an allow list on VNI 42 that leaves REMOTE2 out. */
		d.allowing = (x >> 44) % 4 == 0;
		d.allow[0].nb = d.allowing ? 1 : 0;
		d.allow[0].p[0].net = rte_be_to_cpu_32(pkt_ip(REMOTE));
		d.allow[0].p[0].mask = UINT32_MAX;
		memcpy(&cb, &ca, sizeof(ca));
		memcpy(&lb, &la, sizeof(la));
		vtep_decap_burst(&d, pa, n, now, &la, &ca, &oa, &sa);
		vtep_decap_burst_staged(&d, pb, n, now, &lb, &cb, &ob, &sb);
		if (!same_out(pa, pb, n, &oa, &ob) || !same_stats(&sa, &sb) ||
				memcmp(&ca, &cb, sizeof(ca)) != 0 || !same_filter(&la, &lb)) {
			if (bad++ < 5)
				printf("burst %u (%u frames): one pass and staged differ\n", t, n);
		}
		fast += oa.nb_fast;
		total += n;
		if (oa.nb_fast == n)
			fast_bursts++;
		else if (oa.nb_fast > 0)
			staged_after++;
		/* The control lcore's side: apply the events, sometimes delete or age. */
		for (uint16_t k = 0; k < oa.nb_learn; k++) {
			const struct vtep_learn_event *ev = &oa.learn[k];

			vtep_fdb_learn(f, ev, ev->src_be == pkt_ip(REMOTE) ? 1 : 2, now);
		}
		if ((x >> 32) % 64 == 0) {
			char s[18];
			struct rte_ether_addr mac;

			snprintf(s, sizeof(s), "02:00:00:00:01:%02x", (unsigned int)(x >> 36) % 64);
			mac = pkt_mac(s);
			vtep_fdb_del(f, vtep_fdb_key(0, &mac));
		}
		if ((x >> 44) % 64 == 0)
			now++;
		free_outputs(&oa);
		free_outputs(&ob);
	}
	CHECKF(bad == 0, "%u of 4000 bursts differ", bad);
	/* Both paths, and bursts that switch from one to the other, were tested. */
	printf("decap: %" PRIu64 " of %" PRIu64 " frames in one pass; %u bursts whole, %u switched\n",
			fast, total, fast_bursts, staged_after);
	CHECKF(fast > total / 20 && fast < total * 9 / 10 && fast_bursts > 50 &&
					staged_after > 100,
			"one pass: %" PRIu64 " of %" PRIu64 " frames, %u bursts whole, %u switched",
			fast, total, fast_bursts, staged_after);
	free(sa.remotes);
	free(sb.remotes);
	vtep_fdb_free(f);
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
	test_frozen();
	test_allow();
	test_mixed_bursts();
	test_padding();
	test_ecn();
	test_udp_csum();
	test_one_pass();
	test_fast_vs_staged();
	CHECKF(rte_mempool_in_use_count(pool) == in_use, "mbufs in use %u, before %u",
			rte_mempool_in_use_count(pool), in_use);
	vtep_fdb_free(fdb);
	free(st.remotes);
	return vtep_test_done("decap");
}
