/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encapsulation: field by field against RFC 7348 and the kernel's choices, byte for byte against
 * frames the Linux kernel's vxlan device produced (tests/unit/golden, made by
 * scripts/make-golden.sh), flood copies, source-port range and stability, bursts of every awkward
 * size, drops, and no mbuf left behind. Every output is decapsulated again and compared with the
 * frame that went in.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "golden/golden_frames.h"
#include "pkt_build.h"
#include "test_common.h"
#include "vtep_decap.h"
#include "vtep_encap.h"
#include "vtep_fdb.h"
#include "vtep_remote.h"

/* The kernel side of make-golden.sh: we play vg-a, sending to vg-b. */
#define LOCAL "172.16.91.128"
#define LOCAL_MAC "02:00:00:00:91:80"
#define PEER "172.16.91.129"
#define PEER_MAC "02:00:00:00:91:81"
#define PEER2 "172.16.91.130"
#define GROUP "239.1.1.1"
#define INNER_SRC "02:00:00:00:00:01"
#define INNER_DST "02:00:00:00:00:02"

static struct rte_mempool *pool;
static struct vtep_fdb *fdb;
static struct vtep_remotes *remotes;
static struct vtep_encap_vni evni;
static struct vtep_encap_ctx ec;
static struct vtep_lcore_stats st;
static uint16_t ip_id;
static int peer_idx, peer2_idx, group_idx;

static void
setup(void)
{
	struct vtep_fdb_params fp = { .name = "t_fdb", .size = 1024, .nb_vnis = 1 };
	struct vtep_remote_params rp = {
		.size = 64, .local_be = pkt_ip(LOCAL), .local_mac = pkt_mac(LOCAL_MAC),
		.dstport = 4789,
	};
	struct rte_ether_addr m;

	pool = vtep_test_pool();
	st.remotes = calloc(VTEP_STATS_REMOTES, sizeof(*st.remotes));
	CHECK(st.remotes != NULL);
	fdb = vtep_fdb_create(&fp);
	remotes = vtep_remotes_create(&rp);
	CHECK(fdb != NULL && remotes != NULL);
	peer_idx = vtep_remote_get(remotes, pkt_ip(PEER));
	peer2_idx = vtep_remote_get(remotes, pkt_ip(PEER2));
	group_idx = vtep_remote_get(remotes, pkt_ip(GROUP));
	CHECK(peer_idx > 0 && peer2_idx > 0 && group_idx > 0);
	CHECK(vtep_remote_slot(remotes, group_idx)->resolved == 1);
	CHECK(vtep_remote_slot(remotes, peer_idx)->resolved == 0);
	m = pkt_mac(PEER_MAC);
	vtep_remote_set_mac(remotes, peer_idx, &m);
	CHECK(vtep_remote_slot(remotes, peer_idx)->resolved == 1);
	m = pkt_mac(INNER_DST);
	CHECK(vtep_fdb_add_static(fdb, vtep_fdb_key(0, &m), pkt_ip(PEER), peer_idx) == 0);
	evni.vni_be = vtep_vxlan_vni_be(42);
	evni.floods[evni.nb_floods++] = group_idx;
	ec = (struct vtep_encap_ctx){
		.fdb = fdb, .remotes = remotes, .vnis = &evni, .pool = pool,
		.srcport_min = 32768, .srcport_max = 60999,
		.max_inner_size = 1500 - 50 + 14, .udpcsum = true, .tx_chains = true,
	};
}

/* Compare with the kernel's frame, skipping what RFC 7348 leaves to the sender per packet:
 * IPv4 id (18-19) and checksum (24-25), UDP source port (34-35) and checksum (40-41). */
static int
same_as_kernel(const uint8_t *got, size_t got_size, const uint8_t *want, size_t want_size)
{
	uint8_t a[2048], b[2048];
	static const int skip[] = { 18, 19, 24, 25, 34, 35, 40, 41 };

	if (got_size != want_size || got_size > sizeof(a))
		return pkt_compare(got, got_size, want, want_size);
	memcpy(a, got, got_size);
	memcpy(b, want, want_size);
	for (unsigned int i = 0; i < RTE_DIM(skip); i++)
		a[skip[i]] = b[skip[i]] = 0;
	return pkt_compare(a, got_size, b, want_size);
}

static const uint8_t *
linear(struct rte_mbuf *m, uint8_t *buf)
{
	return rte_pktmbuf_read(m, 0, rte_pktmbuf_pkt_len(m), buf);
}

/* Checks every outer frame must pass; then decap must give back inner. */
static void
check_outer(struct rte_mbuf *m, const uint8_t *inner, size_t inner_size, const char *dip,
		uint8_t ttl)
{
	uint8_t buf[2048];
	const uint8_t *p = linear(m, buf);
	const struct vtep_outer_hdr *h = (const struct vtep_outer_hdr *)p;
	uint16_t sport = rte_be_to_cpu_16(h->udp.src_port);
	struct rte_ipv4_hdr ip = h->ip;

	CHECK(rte_pktmbuf_pkt_len(m) == inner_size + 50);
	CHECK(h->eth.ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4));
	CHECK(h->ip.version_ihl == 0x45);
	CHECK(rte_be_to_cpu_16(h->ip.total_length) == inner_size + 36);
	CHECK(h->ip.fragment_offset == 0);
	CHECKF(h->ip.time_to_live == ttl, "ttl %u want %u", h->ip.time_to_live, ttl);
	CHECK(h->ip.next_proto_id == IPPROTO_UDP);
	CHECK(h->ip.src_addr == pkt_ip(LOCAL) && h->ip.dst_addr == pkt_ip(dip));
	CHECK(rte_raw_cksum(&ip, sizeof(ip)) == 0xffff);
	CHECK(h->udp.dst_port == RTE_BE16(4789));
	CHECKF(sport >= 32768 && sport <= 60999, "sport %u", sport);
	CHECK(rte_be_to_cpu_16(h->udp.dgram_len) == inner_size + 16);
	if (ec.udpcsum)
		CHECK(rte_ipv4_udptcp_cksum_verify(&h->ip, &h->udp) == 0);
	else
		CHECK(h->udp.dgram_cksum == 0);
	CHECK(h->vxlan.vx_flags == RTE_BE32(0x08000000));
	CHECK(h->vxlan.vx_vni == RTE_BE32(42 << 8));
	CHECK(pkt_compare(p + 50, rte_pktmbuf_pkt_len(m) - 50, inner, inner_size) == 0);
}

static uint16_t
encap(struct rte_mbuf **in, uint16_t n, struct rte_mbuf **out)
{
	return vtep_encap_burst(&ec, 0, in, n, out, &ip_id, NULL, &st);
}

static void
test_unicast_golden(void)
{
	struct rte_mbuf *m, *out[8];
	uint8_t buf[2048];

	m = pkt_mbuf(pool, golden_unicast_60_inner, sizeof(golden_unicast_60_inner));
	CHECK(encap(&m, 1, out) == 1);
	check_outer(out[0], golden_unicast_60_inner, sizeof(golden_unicast_60_inner), PEER, 64);
	CHECKF(same_as_kernel(linear(out[0], buf), rte_pktmbuf_pkt_len(out[0]),
			golden_unicast_60_outer, sizeof(golden_unicast_60_outer)) == 0,
			"unicast differs from the kernel's");
	CHECK(st.vni[0].encap_pkts == 1);
	CHECK(st.remotes[peer_idx].tx_pkts == 1 &&
			st.remotes[peer_idx].tx_bytes == sizeof(golden_unicast_60_inner));
	rte_pktmbuf_free(out[0]);
	m = pkt_mbuf(pool, golden_unicast_1000_inner, sizeof(golden_unicast_1000_inner));
	CHECK(encap(&m, 1, out) == 1);
	CHECKF(same_as_kernel(linear(out[0], buf), rte_pktmbuf_pkt_len(out[0]),
			golden_unicast_1000_outer, sizeof(golden_unicast_1000_outer)) == 0,
			"1000-byte unicast differs from the kernel's");
	rte_pktmbuf_free(out[0]);
}

static void
test_flood_golden(void)
{
	struct rte_mbuf *m, *out[8];
	uint8_t buf[2048];

	m = pkt_mbuf(pool, golden_bcast_arp_inner, sizeof(golden_bcast_arp_inner));
	CHECK(encap(&m, 1, out) == 1);
	check_outer(out[0], golden_bcast_arp_inner, sizeof(golden_bcast_arp_inner), GROUP, 1);
	CHECKF(same_as_kernel(linear(out[0], buf), rte_pktmbuf_pkt_len(out[0]),
			golden_bcast_arp_outer, sizeof(golden_bcast_arp_outer)) == 0,
			"flood differs from the kernel's");
	CHECK(st.vni[0].flood_pkts == 1 && st.vni[0].flood_copies == 1);
	rte_pktmbuf_free(out[0]);
	m = pkt_mbuf(pool, golden_unknown_unicast_inner, sizeof(golden_unknown_unicast_inner));
	CHECK(encap(&m, 1, out) == 1);
	CHECKF(same_as_kernel(linear(out[0], buf), rte_pktmbuf_pkt_len(out[0]),
			golden_unknown_unicast_outer, sizeof(golden_unknown_unicast_outer)) == 0,
			"unknown unicast flood differs from the kernel's");
	rte_pktmbuf_free(out[0]);
}

/* The rest of the kernel's frames: largest inner frame, ECN (RFC 6040), udpcsum/noudpcsum on
 * VNIs 44/43, a datagram from the kernel's own stack. */
static void
test_more_golden(void)
{
	static const struct {
		const char *name;
		const uint8_t *inner, *outer;
		size_t inner_size, outer_size;
		uint32_t vni;
		bool udpcsum;
	} cases[] = {
#define G(n, vni, csum) { #n, golden_##n##_inner, golden_##n##_outer, \
		sizeof(golden_##n##_inner), sizeof(golden_##n##_outer), vni, csum }
		G(unicast_max, 42, true),
		G(ecn_ect0, 42, true),
		G(ecn_ce, 42, true),
		G(noudpcsum, 43, false),
		G(udpcsum, 44, true),
		G(kernel_udp, 42, true),
#undef G
	};
	struct rte_mbuf *m, *out[4];
	uint8_t buf[2048];

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		evni.vni_be = vtep_vxlan_vni_be(cases[i].vni);
		ec.udpcsum = cases[i].udpcsum;
		m = pkt_mbuf(pool, cases[i].inner, cases[i].inner_size);
		CHECK(encap(&m, 1, out) == 1);
		CHECKF(same_as_kernel(linear(out[0], buf), rte_pktmbuf_pkt_len(out[0]),
				cases[i].outer, cases[i].outer_size) == 0, "%s differs from the kernel's",
				cases[i].name);
		if (!cases[i].udpcsum)
			CHECK(rte_pktmbuf_mtod(out[0], struct vtep_outer_hdr *)->udp.dgram_cksum == 0);
		rte_pktmbuf_free(out[0]);
	}
	evni.vni_be = vtep_vxlan_vni_be(42);
	ec.udpcsum = true;
}

/* The decap of an encap is the frame that went in. */
static void
test_roundtrip(void)
{
	struct vtep_parse_ctx pc;
	struct vtep_decap_ctx dc = { .parse = &pc, .fdb = fdb };
	static struct vtep_learn_filter lf;
	static struct vtep_decap_out dout;
	struct rte_ether_addr peer_mac = pkt_mac(PEER_MAC);
	struct rte_mbuf *m, *out[8];
	uint8_t frame[256];
	size_t n = pkt_inner_udp(frame, INNER_DST, INNER_SRC, "10.0.0.1", "10.0.0.2", 1, 2, 100);

	/* Decap as the peer would see it. */
	vtep_parse_ctx_init(&pc, pkt_ip(PEER), &peer_mac, 4789);
	vtep_parse_add_vni(&pc, 42, 0, pkt_ip(GROUP));
	m = pkt_mbuf(pool, frame, n);
	CHECK(encap(&m, 1, out) == 1);
	vtep_decap_burst(&dc, out, 1, 1, &lf, NULL, &dout, &st);
	CHECK(dout.nb_inner == 1);
	if (dout.nb_inner == 1) {
		CHECK(rte_pktmbuf_pkt_len(dout.inner[0]) == n);
		CHECK(pkt_compare(rte_pktmbuf_mtod(dout.inner[0], uint8_t *), n, frame, n) == 0);
		rte_pktmbuf_free(dout.inner[0]);
	}
}

static void
test_srcport(void)
{
	uint8_t a[128], b[128];
	size_t na = pkt_inner_udp(a, INNER_DST, INNER_SRC, "10.0.0.1", "10.0.0.2", 1000, 2000, 20);
	size_t nb = pkt_inner_udp(b, INNER_DST, INNER_SRC, "10.0.0.1", "10.0.0.2", 1001, 2000, 20);
	struct rte_mbuf *ma = pkt_mbuf(pool, a, na), *mb = pkt_mbuf(pool, b, nb);
	uint32_t ha = vtep_encap_flow_hash(ma), hb = vtep_encap_flow_hash(mb);
	unsigned int lo_hits = 0, hi_hits = 0;

	CHECK(ha == vtep_encap_flow_hash(ma));
	CHECK(ha != hb);
	rte_pktmbuf_free(ma);
	rte_pktmbuf_free(mb);
	CHECK(vtep_encap_srcport(0, 32768, 60999) == 32768);
	CHECK(vtep_encap_srcport(UINT32_MAX, 32768, 60999) == 60999);
	CHECK(vtep_encap_srcport(12345, 5000, 5000) == 5000);
	CHECK(vtep_encap_srcport(UINT32_MAX, 1, 65535) == 65535);
	for (uint32_t i = 0; i < 100000; i++) {
		uint16_t p = vtep_encap_srcport(rte_hash_crc_4byte(i, 0), 40000, 40009);

		CHECK(p >= 40000 && p <= 40009);
		lo_hits += p == 40000;
		hi_hits += p == 40009;
	}
	CHECKF(lo_hits > 5000 && hi_hits > 5000, "ends of the range: %u %u", lo_hits, hi_hits);
}

static void
test_bursts(void)
{
	static const uint16_t sizes[] = { 1, 2, 3, 31, 32, 33, 64, 65 };
	struct rte_mbuf *in[65], *out[65 * 2];
	uint8_t frame[256];

	for (unsigned int s = 0; s < RTE_DIM(sizes); s++) {
		uint16_t n = sizes[s], nb;
		unsigned int bad = 0;

		for (uint16_t i = 0; i < n; i++) {
			/* Every third frame is broadcast (flood), the rest known unicast. */
			size_t len = pkt_inner_udp(frame, i % 3 == 2 ? "ff:ff:ff:ff:ff:ff" : INNER_DST,
					INNER_SRC, "10.0.0.1", "10.0.0.2", 1000 + i, 2000, i);
			in[i] = pkt_mbuf(pool, frame, len);
		}
		nb = encap(in, n, out);
		CHECKF(nb == n, "burst %u: %u out", n, nb);
		for (uint16_t i = 0; i < nb; i++) {
			const struct vtep_outer_hdr *h = rte_pktmbuf_mtod(out[i],
					const struct vtep_outer_hdr *);
			/* Order is kept: payload size i identifies the frame. */
			if (rte_pktmbuf_pkt_len(out[i]) != 50u + 42u + i ||
					h->ip.dst_addr != pkt_ip(i % 3 == 2 ? GROUP : PEER))
				bad++;
			rte_pktmbuf_free(out[i]);
		}
		CHECKF(bad == 0, "burst %u: %u frames wrong", n, bad);
	}
}

static void
test_her_and_drops(void)
{
	struct rte_mbuf *m, *out[8];
	uint8_t frame[2048];
	size_t n = pkt_inner_udp(frame, "ff:ff:ff:ff:ff:ff", INNER_SRC, "10.0.0.1", "10.0.0.2",
			1, 2, 10);
	uint64_t before;

	/* Group + two HER remotes, one of them unresolved: two copies, one drop. */
	evni.floods[evni.nb_floods++] = peer_idx;
	evni.floods[evni.nb_floods++] = peer2_idx;
	before = st.drops[VTEP_DROP_NEIGH_UNRESOLVED];
	m = pkt_mbuf(pool, frame, n);
	CHECK(encap(&m, 1, out) == 2);
	CHECK(st.drops[VTEP_DROP_NEIGH_UNRESOLVED] == before + 1);
	check_outer(out[0], frame, n, GROUP, 1);
	check_outer(out[1], frame, n, PEER, 64);
	rte_pktmbuf_free(out[0]);
	rte_pktmbuf_free(out[1]);
	/* Unknown unicast floods too. */
	n = pkt_inner_udp(frame, "02:00:00:00:00:99", INNER_SRC, "10.0.0.1", "10.0.0.2", 1, 2, 10);
	m = pkt_mbuf(pool, frame, n);
	CHECK(encap(&m, 1, out) == 2);
	rte_pktmbuf_free(out[0]);
	rte_pktmbuf_free(out[1]);
	/* No flood destination at all. */
	evni.nb_floods = 0;
	m = pkt_mbuf(pool, frame, n);
	CHECK(encap(&m, 1, out) == 0);
	CHECK(st.drops[VTEP_DROP_FLOOD_NO_DEST] == 1);
	evni.floods[evni.nb_floods++] = group_idx;
	/* Too big for the underlay MTU once encapsulated (RFC 7348 section 4.3). */
	n = pkt_inner_udp(frame, INNER_DST, INNER_SRC, "10.0.0.1", "10.0.0.2", 1, 2, 1465 - 42);
	m = pkt_mbuf(pool, frame, n);
	CHECK(encap(&m, 1, out) == 0);
	CHECK(st.drops[VTEP_DROP_INNER_TOO_BIG] == 1);
	n = pkt_inner_udp(frame, INNER_DST, INNER_SRC, "10.0.0.1", "10.0.0.2", 1, 2, 1464 - 42);
	m = pkt_mbuf(pool, frame, n);
	CHECK(encap(&m, 1, out) == 1);
	CHECK(rte_pktmbuf_pkt_len(out[0]) == 1514);
	rte_pktmbuf_free(out[0]);
	/* Runt inner frame. */
	m = pkt_mbuf(pool, frame, 10);
	CHECK(encap(&m, 1, out) == 0);
	CHECK(st.drops[VTEP_DROP_INNER_TRUNCATED] == 1);
}

static void
test_options(void)
{
	struct rte_mbuf *m, *out[4];
	uint8_t frame[256];
	size_t n = pkt_inner_udp(frame, INNER_DST, INNER_SRC, "10.0.0.1", "10.0.0.2", 1, 2, 30);
	const struct vtep_outer_hdr *h;

	ec.udpcsum = false;
	m = pkt_mbuf(pool, frame, n);
	CHECK(encap(&m, 1, out) == 1);
	check_outer(out[0], frame, n, PEER, 64);
	rte_pktmbuf_free(out[0]);
	ec.udpcsum = true;
	evni.ttl = 9;
	evni.tos = 0x10;
	m = pkt_mbuf(pool, frame, n);
	CHECK(encap(&m, 1, out) == 1);
	h = rte_pktmbuf_mtod(out[0], const struct vtep_outer_hdr *);
	CHECK(h->ip.time_to_live == 9 && h->ip.type_of_service == 0x10);
	rte_pktmbuf_free(out[0]);
	/* inherit: TTL and TOS come from the inner IPv4 header. */
	frame[15] = 0xb8;
	((struct rte_ipv4_hdr *)(frame + 14))->time_to_live = 33;
	evni.ttl = VTEP_ENCAP_INHERIT;
	evni.tos = VTEP_ENCAP_INHERIT;
	m = pkt_mbuf(pool, frame, n);
	CHECK(encap(&m, 1, out) == 1);
	h = rte_pktmbuf_mtod(out[0], const struct vtep_outer_hdr *);
	CHECK(h->ip.time_to_live == 33 && h->ip.type_of_service == 0xb8);
	rte_pktmbuf_free(out[0]);
	evni.ttl = 0;
	evni.tos = 0;
	/* No headroom: the outer headers go in a chained mbuf. */
	n = pkt_inner_udp(frame, INNER_DST, INNER_SRC, "10.0.0.1", "10.0.0.2", 1, 2, 30);
	m = rte_pktmbuf_alloc(pool);
	m->data_off = 0;
	memcpy(rte_pktmbuf_append(m, n), frame, n);
	CHECK(encap(&m, 1, out) == 1);
	CHECK(out[0]->nb_segs == 2);
	check_outer(out[0], frame, n, PEER, 64);
	rte_pktmbuf_free(out[0]);
	/* A moved neighbor: the next frame carries the new MAC. */
	{
		struct rte_ether_addr nm = pkt_mac("02:00:00:00:91:99");

		vtep_remote_set_mac(remotes, peer_idx, &nm);
		m = pkt_mbuf(pool, frame, n);
		CHECK(encap(&m, 1, out) == 1);
		h = rte_pktmbuf_mtod(out[0], const struct vtep_outer_hdr *);
		CHECK(rte_is_same_ether_addr(&h->eth.dst_addr, &nm));
		CHECK(rte_is_same_ether_addr(&h->eth.src_addr, &ec.remotes->p.local_mac));
		rte_pktmbuf_free(out[0]);
		vtep_remote_set_mac(remotes, peer_idx, NULL);
		m = pkt_mbuf(pool, frame, n);
		CHECK(encap(&m, 1, out) == 0);
		nm = pkt_mac(PEER_MAC);
		vtep_remote_set_mac(remotes, peer_idx, &nm);
	}
}

/* A reference: the unicast encap of a fresh copy of frame to remote idx with IPv4 id id. */
static struct rte_mbuf *
reference(const uint8_t *frame, size_t n, int idx, uint16_t id)
{
	struct rte_mbuf *m = pkt_mbuf(pool, frame, n);

	CHECK(vtep_encap_one(&ec, &evni, vtep_remote_slot(remotes, idx), &m, &id) == 0);
	return m;
}

/*
 * Head-end replication to 4 remotes shares the inner mbuf among 4 header mbufs; every copy must
 * be byte for byte what a unicast encap of a copy of the frame to that remote gives (the old
 * copies), in bursts of every awkward size, with udpcsum and without, and from a two-segment
 * inner frame (which takes the copying path).
 */
static void
test_her_copies(void)
{
	static const uint16_t sizes[] = {1, 2, 3, 31, 32, 33};
	static const char *const ips[] = {"172.16.91.131", "172.16.91.132", "172.16.91.133"};
	struct rte_ether_addr nh = pkt_mac("02:00:00:00:91:83");
	uint16_t saved_floods[VTEP_ENCAP_MAX_COPIES], saved_nb = evni.nb_floods;
	static uint8_t frames[33][512];
	static size_t sizes_of[33];
	struct rte_mbuf *in[33], *out[33 * 4];
	uint8_t a[2048], b[2048];

	memcpy(saved_floods, evni.floods, sizeof(saved_floods));
	evni.nb_floods = 0;
	evni.floods[evni.nb_floods++] = peer_idx;
	for (unsigned int i = 0; i < RTE_DIM(ips); i++) {
		int idx = vtep_remote_get(remotes, pkt_ip(ips[i]));

		CHECK(idx > 0);
		vtep_remote_set_mac(remotes, idx, &nh);
		evni.floods[evni.nb_floods++] = idx;
	}
	for (int csum = 1; csum >= 0; csum--) {
		ec.udpcsum = csum;
		for (unsigned int s = 0; s < RTE_DIM(sizes); s++) {
			uint16_t n = sizes[s], nb, id0 = ip_id;
			unsigned int bad = 0, shared = 0;
			uint64_t tx_before[4], bytes = 0;

			for (unsigned int d = 0; d < 4; d++)
				tx_before[d] = st.remotes[evni.floods[d]].tx_pkts;

			for (uint16_t i = 0; i < n; i++) {
				sizes_of[i] = pkt_inner_udp(frames[i], "ff:ff:ff:ff:ff:ff",
						INNER_SRC, "10.0.0.1", "10.0.0.2", 1000 + i, 2000,
						10 + 7 * i);
				frames[i][15] = i % 4; /* ECN bits: not-ECT, ECT(1), ECT(0), CE */
				in[i] = pkt_mbuf(pool, frames[i], sizes_of[i]);
				bytes += sizes_of[i];
			}
			nb = encap(in, n, out);
			CHECKF(nb == n * 4, "HER burst %u: %u out", n, nb);
			/* Every copy is counted at its remote. */
			for (unsigned int d = 0; d < 4; d++)
				CHECKF(st.remotes[evni.floods[d]].tx_pkts - tx_before[d] == n,
						"HER burst %u: remote %u counted %" PRIu64, n, d,
						st.remotes[evni.floods[d]].tx_pkts - tx_before[d]);
			(void)bytes;
			for (uint16_t j = 0; j < nb; j++) {
				struct rte_mbuf *ref = reference(frames[j / 4], sizes_of[j / 4],
						evni.floods[j % 4], id0 + j);
				uint32_t len = rte_pktmbuf_pkt_len(out[j]);

				shared += out[j]->nb_segs == 2 &&
						out[j]->next == out[j / 4 * 4]->next;
				if (len != rte_pktmbuf_pkt_len(ref) ||
						memcmp(linear(out[j], a), linear(ref, b), len) != 0)
					bad++;
				check_outer(out[j], frames[j / 4], sizes_of[j / 4],
						j % 4 == 0 ? PEER : ips[j % 4 - 1], 64);
				rte_pktmbuf_free(ref);
			}
			CHECKF(bad == 0, "HER burst %u udpcsum %d: %u copies differ", n, csum, bad);
			CHECKF(shared == nb, "HER burst %u: %u of %u copies share the frame", n,
					shared, nb);
			if (nb > 0)
				CHECK(rte_mbuf_refcnt_read(out[0]->next) == 4);
			/* Freed in an odd order: the frame goes back with the last copy. */
			for (uint16_t j = nb; j-- > 0;)
				rte_pktmbuf_free(out[j]);
		}
	}
	ec.udpcsum = true;
	/* A port that cannot send chains: single-segment copies, the same bytes. */
	{
		uint16_t id0 = ip_id, nb;
		unsigned int bad = 0, single = 0;

		ec.tx_chains = false;
		in[0] = pkt_mbuf(pool, frames[3], sizes_of[3]);
		nb = encap(in, 1, out);
		CHECK(nb == 4);
		for (uint16_t j = 0; j < nb; j++) {
			struct rte_mbuf *ref = reference(frames[3], sizes_of[3], evni.floods[j],
					id0 + j);
			uint32_t len = rte_pktmbuf_pkt_len(out[j]);

			single += out[j]->nb_segs == 1;
			if (len != rte_pktmbuf_pkt_len(ref) ||
					memcmp(linear(out[j], a), linear(ref, b), len) != 0)
				bad++;
			rte_pktmbuf_free(ref);
			rte_pktmbuf_free(out[j]);
		}
		CHECKF(bad == 0 && single == 4, "copies without chains: %u differ, %u single", bad,
				single);
		ec.tx_chains = true;
	}
	/* A two-segment inner frame: copies of the whole frame, the same bytes. */
	{
		size_t n = sizes_of[5], half = 20;
		struct rte_mbuf *m = pkt_mbuf(pool, frames[5], half);
		struct rte_mbuf *t = pkt_mbuf(pool, frames[5] + half, n - half);
		uint16_t id0 = ip_id, nb;
		unsigned int bad = 0;

		CHECK(rte_pktmbuf_chain(m, t) == 0);
		nb = encap(&m, 1, out);
		CHECK(nb == 4);
		for (uint16_t j = 0; j < nb; j++) {
			/* The reference has the same two segments: the flow hash and ECN read
			 * only the first. */
			struct rte_mbuf *ref = pkt_mbuf(pool, frames[5], half);
			uint16_t id = id0 + j;
			uint32_t len;

			CHECK(rte_pktmbuf_chain(ref, pkt_mbuf(pool, frames[5] + half, n - half)) ==
					0);
			CHECK(vtep_encap_one(&ec, &evni, vtep_remote_slot(remotes, evni.floods[j]),
					      &ref, &id) == 0);
			len = rte_pktmbuf_pkt_len(out[j]);

			if (len != rte_pktmbuf_pkt_len(ref) ||
					memcmp(linear(out[j], a), linear(ref, b), len) != 0)
				bad++;
			rte_pktmbuf_free(ref);
			rte_pktmbuf_free(out[j]);
		}
		CHECKF(bad == 0, "two-segment HER: %u copies differ", bad);
	}
	memcpy(evni.floods, saved_floods, sizeof(saved_floods));
	evni.nb_floods = saved_nb;
}

/* The outer ECN field comes from the inner header also when the outer headers go in a chained
 * mbuf (no headroom), as the kernel's INET_ECN_encapsulate does. */
static void
test_ecn_chained(void)
{
	uint8_t frame[256];
	size_t n = pkt_inner_udp(frame, INNER_DST, INNER_SRC, "10.0.0.1", "10.0.0.2", 1, 2, 30);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *out[2];

	frame[15] = 0x03; /* CE: the outer header carries ECT(0) */
	m->data_off = 0;
	memcpy(rte_pktmbuf_append(m, n), frame, n);
	CHECK(encap(&m, 1, out) == 1);
	CHECK(out[0]->nb_segs == 2);
	CHECK(rte_pktmbuf_mtod(out[0], struct vtep_outer_hdr *)->ip.type_of_service == 0x02);
	check_outer(out[0], frame, n, PEER, 64);
	rte_pktmbuf_free(out[0]);
}

int
main(void)
{
	unsigned int in_use;

	vtep_test_eal_init("encap", NULL);
	setup();
	in_use = rte_mempool_in_use_count(pool);
	test_unicast_golden();
	test_flood_golden();
	test_more_golden();
	test_roundtrip();
	test_srcport();
	test_bursts();
	test_her_and_drops();
	test_options();
	test_her_copies();
	test_ecn_chained();
	CHECKF(rte_mempool_in_use_count(pool) == in_use, "mbufs in use %u, before %u",
			rte_mempool_in_use_count(pool), in_use);
	vtep_fdb_free(fdb);
	vtep_remotes_free(remotes);
	free(st.remotes);
	return vtep_test_done("encap");
}
