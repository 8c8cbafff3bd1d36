/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The whole vtepd path without lcores or NICs: a runtime built by vtep_runtime_create on ring ports
 * (rte_eth_from_rings), one worker pass (vtep_fwd_poll) and one control pass (vtep_ctl_poll) at
 * a time, called from this thread. Covers decap -> inner port, learning through the learn ring
 * into the FDB, encap of the answer to the learned VTEP once ARP has resolved it, the ARP
 * responder, ICMP echo, the IGMP join at start-up, the control lcore's timers, and mbuf
 * accounting.
 *
 * The control lcore runs on a clock of the test's own (vtep_ctl_create_clock): it stands still
 * unless a test moves it, so no timer (an ARP retry, the repeat of the IGMP join) sends a frame
 * in the middle of a check because the machine was slow; test_timers moves it on purpose.
 */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_eth_ring.h>
#include <rte_ip.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_capture.h"
#include "vtep_conf.h"
#include "vtep_ctl.h"
#include "vtep_fwd.h"
#include "vtep_runtime.h"

#define LOCAL "172.16.91.129"
#define PEER "172.16.91.128"
#define PEER_MAC "02:00:00:00:91:80"
#define STATION "02:00:00:00:00:01"

/* Ring ports: what the test enqueues on *_in, vtepd receives; what vtepd sends lands on *_out. */
static struct rte_ring *under_in, *under_out, *inner_in, *inner_out;
static struct vtep_runtime rt;
static struct vtep_ctl *ctl;
/* The underlay ring port's MAC (a ring port cannot take one of ours): frames to vtepd use it. */
static char under_mac[RTE_ETHER_ADDR_FMT_SIZE];
/* The control lcore's time, in TSC cycles: moved by the tests only. */
static uint64_t clock_tsc;

static uint64_t
test_clock(void *arg __rte_unused)
{
	return clock_tsc;
}

static struct rte_ring *
ring(const char *name)
{
	struct rte_ring *r = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);

	if (r == NULL)
		abort();
	return r;
}

static void
make_ports(void)
{
	under_in = ring("u_in");
	under_out = ring("u_out");
	inner_in = ring("i_in");
	inner_out = ring("i_out");
	CHECK(rte_eth_from_rings("under0", &under_in, 1, &under_out, 1, 0) >= 0);
	CHECK(rte_eth_from_rings("inner0", &inner_in, 1, &inner_out, 1, 0) >= 0);
}

/* Run worker and control passes until nothing moves. */
static void
settle(void)
{
	for (int i = 0; i < 10; i++) {
		vtep_fwd_poll(rt.workers[0]);
		vtep_ctl_poll(ctl);
	}
	vtep_fwd_poll(rt.workers[0]);
}

static unsigned int
take(struct rte_ring *r, struct rte_mbuf **pkts, unsigned int max)
{
	return rte_ring_dequeue_burst(r, (void **)pkts, max, NULL);
}

static void
put(struct rte_ring *r, const uint8_t *buf, size_t size)
{
	CHECK(rte_ring_enqueue(r, pkt_mbuf(vtep_test_pool(), buf, size)) == 0);
}

static void
test_startup(void)
{
	struct rte_mbuf *out[16];
	unsigned int n = take(under_out, out, 16), garp = 0, igmp = 0;

	/* vtep_ctl_create queued a gratuitous ARP, a request for the static entry's remote
	 * 172.16.91.130 and an IGMPv3 join; worker 0 sends them. */
	settle();
	n = take(under_out, out, 16);
	for (unsigned int i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(out[i], struct rte_ether_hdr *);

		garp += eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP);
		igmp += eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
			((const struct rte_ipv4_hdr *)(eth + 1))->next_proto_id == IPPROTO_IGMP;
	}
	rte_pktmbuf_free_bulk(out, n);
	CHECKF(garp == 2 && igmp == 1, "start-up frames: %u ARP, %u IGMP", garp, igmp);
}

static void
test_decap_learn_encap(void)
{
	struct pkt_outer o = {
		.dst_mac = under_mac, .src_mac = PEER_MAC, .sip = PEER, .dip = LOCAL,
		.sport = 40000, .dport = 4789, .vni = 42,
	};
	uint8_t inner[128], buf[256];
	size_t ni = pkt_inner_udp(inner, "02:00:00:2a:00:02", STATION, "10.0.0.1", "10.0.0.2", 1, 2,
			20);
	struct rte_ether_addr station = pkt_mac(STATION);
	struct rte_mbuf *out[16];
	const struct vtep_fdb_entry *e;
	const struct vtep_outer_hdr *h;
	unsigned int n, arp_requests = 0;

	put(under_in, buf, pkt_vxlan(buf, &o, inner, ni));
	/* The frame of a new MAC waits for its entry: the station behind the inner port cannot
	 * answer before the FDB knows where to send the answer (the kernel learns first too). */
	vtep_fwd_poll(rt.workers[0]);
	CHECK(rte_ring_count(inner_out) == 0);
	CHECK(vtep_fdb_lookup(rt.fdb, vtep_fdb_key(0, &station)) == NULL);
	vtep_ctl_poll(ctl);
	e = vtep_fdb_lookup(rt.fdb, vtep_fdb_key(0, &station));
	CHECK(e != NULL && vtep_remote_slot(rt.remotes, e->remote)->resolved);
	CHECK(rte_ring_count(inner_out) == 0);
	vtep_fwd_poll(rt.workers[0]);
	CHECK(rte_ring_count(inner_out) == 1);
	settle();
	n = take(inner_out, out, 16);
	CHECK(n == 1);
	if (n == 1)
		CHECK(pkt_compare(rte_pktmbuf_mtod(out[0], uint8_t *), rte_pktmbuf_pkt_len(out[0]),
				inner, ni) == 0);
	rte_pktmbuf_free_bulk(out, n);
	e = vtep_fdb_lookup(rt.fdb, vtep_fdb_key(0, &station));
	CHECK(e != NULL && e->dst_be == pkt_ip(PEER) && !(e->flags & VTEP_FDB_STATIC));
	/* A new remote on our link: its MAC is gleaned from the frame, no ARP request needed
	 * (the static entry's remote .130 may be asked for again meanwhile: not counted). */
	n = take(under_out, out, 16);
	for (unsigned int i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(out[i], struct rte_ether_hdr *);
		const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)(eth + 1);

		arp_requests += eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP) &&
				arp->arp_data.arp_tip == pkt_ip(PEER);
	}
	rte_pktmbuf_free_bulk(out, n);
	CHECK(arp_requests == 0);
	ni = pkt_inner_udp(inner, STATION, "02:00:00:2a:00:02", "10.0.0.2", "10.0.0.1", 2, 1, 20);
	put(inner_in, inner, ni);
	settle();
	n = take(under_out, out, 16);
	CHECK(n == 1);
	if (n == 1) {
		h = rte_pktmbuf_mtod(out[0], const struct vtep_outer_hdr *);
		CHECK(rte_is_same_ether_addr(&h->eth.dst_addr, &(struct rte_ether_addr){
				{ 0x02, 0, 0, 0, 0x91, 0x80 } }));
		CHECK(h->ip.dst_addr == pkt_ip(PEER) && h->ip.time_to_live == 64);
		CHECK(pkt_compare(rte_pktmbuf_mtod_offset(out[0], uint8_t *, 50),
				rte_pktmbuf_pkt_len(out[0]) - 50, inner, ni) == 0);
	}
	rte_pktmbuf_free_bulk(out, n);
}

/* A VXLAN frame from PEER for VNI 42 with inner source src, numbered seq (payload bytes 0-1). */
static void
put_numbered(const char *src, uint16_t seq)
{
	struct pkt_outer o = {
			.dst_mac = under_mac,
			.src_mac = PEER_MAC,
			.sip = PEER,
			.dip = LOCAL,
			.sport = 40000,
			.dport = 4789,
			.vni = 42,
	};
	uint8_t inner[128], buf[256];
	size_t ni = pkt_inner_udp(
			inner, "02:00:00:2a:00:02", src, "10.0.0.1", "10.0.0.2", 1, 2, 20);

	inner[42] = seq >> 8;
	inner[43] = seq & 0xff;
	put(under_in, buf, pkt_vxlan(buf, &o, inner, ni));
}

/* Take what the inner port sent; each frame's number must be *next, which then advances.
 * @return frames taken. */
static unsigned int
take_in_order(uint16_t *next, unsigned int *bad)
{
	struct rte_mbuf *out[64];
	unsigned int n = take(inner_out, out, RTE_DIM(out));

	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *p = rte_pktmbuf_mtod(out[i], const uint8_t *);

		if ((uint16_t)(p[42] << 8 | p[43]) != *next)
			(*bad)++;
		(*next)++;
	}
	rte_pktmbuf_free_bulk(out, n);
	return n;
}

/*
 * The ordering rule through the real worker and control passes: a new MAC's frame waits for
 * its learn event, and frames of a known MAC (STATION, learned above) and the new MAC's next
 * frame wait behind it instead of overtaking it; then a hold filled to the brim makes the
 * worker leave the underlay unread (nothing dropped), and everything comes out in order.
 */
static void
test_order(void)
{
	struct vtep_lcore_stats *st = &rt.stats[0];
	struct rte_mbuf *sent[16];
	uint16_t next = 0, seq = 0;
	unsigned int bad = 0, got = 0;

	put_numbered("02:00:00:00:00:0a", seq++);
	put_numbered(STATION, seq++);
	put_numbered("02:00:00:00:00:0a", seq++);
	put_numbered(STATION, seq++);
	vtep_fwd_poll(rt.workers[0]);
	CHECKF(rte_ring_count(inner_out) == 0, "%u frames overtook the held one",
			rte_ring_count(inner_out));
	vtep_ctl_poll(ctl);
	CHECK(rte_ring_count(inner_out) == 0);
	vtep_fwd_poll(rt.workers[0]);
	CHECK(take_in_order(&next, &bad) == 4);
	CHECKF(bad == 0, "%u frames out of order", bad);

	/* A new MAC, then more known frames than the hold has slots, while the control lcore
	 * does not run: the worker holds what it can, then leaves the rest in the queue. */
	put_numbered("02:00:00:00:00:0b", seq++);
	while (seq < 4 + VTEP_HOLD_SIZE + 300) {
		while (seq < 4 + VTEP_HOLD_SIZE + 300 && rte_ring_free_count(under_in) > 0)
			put_numbered(STATION, seq++);
		for (int i = 0; i < 40; i++)
			vtep_fwd_poll(rt.workers[0]);
	}
	CHECK(rte_ring_count(inner_out) == 0);
	CHECK(rte_ring_count(under_in) > 0);
	CHECK(st->underlay_waits > 0);
	CHECK(rt.workers[0]->hold.nb_free < VTEP_BURST);
	for (int i = 0; i < 2000 && next < seq; i++) {
		vtep_ctl_poll(ctl);
		vtep_fwd_poll(rt.workers[0]);
		got += take_in_order(&next, &bad);
	}
	CHECKF(got == seq - 4u, "%u of %u frames out", got, seq - 4u);
	CHECKF(bad == 0, "%u frames out of order", bad);
	CHECK(st->drops[VTEP_DROP_RX_HOLD_FULL] == 0 && st->drops[VTEP_DROP_TX_INNER_FULL] == 0);
	CHECK(rt.workers[0]->hold.nb_held == 0);
	/* What the control lcore's timers sent meanwhile (ARP for the static entry's remote). */
	while ((got = take(under_out, sent, RTE_DIM(sent))) > 0)
		rte_pktmbuf_free_bulk(sent, got);
}

/* A static entry's remote is resolved by ARP: dropped and counted until the reply comes. */
static void
test_resolve(void)
{
	uint8_t inner[128], buf[128];
	size_t ni = pkt_inner_udp(inner, "02:00:00:00:00:07", "02:00:00:2a:00:02", "10.0.0.2",
			"10.0.0.7", 2, 1, 20);
	struct rte_mbuf *out[16];
	unsigned int n;

	put(inner_in, inner, ni);
	settle();
	CHECK(take(under_out, out, 16) == 0);
	CHECK(rt.stats[0].drops[VTEP_DROP_NEIGH_UNRESOLVED] == 1);
	put(under_in, buf, pkt_arp(buf, 2, under_mac, "02:00:00:00:91:82",
			"172.16.91.130", under_mac, LOCAL));
	settle();
	put(inner_in, inner, ni);
	settle();
	n = take(under_out, out, 16);
	CHECK(n == 1);
	if (n == 1) {
		const struct vtep_outer_hdr *h = rte_pktmbuf_mtod(out[0], const struct vtep_outer_hdr *);

		CHECK(h->ip.dst_addr == pkt_ip("172.16.91.130"));
		CHECK(h->eth.dst_addr.addr_bytes[5] == 0x82);
	}
	rte_pktmbuf_free_bulk(out, n);
}

/*
 * take() from the underlay without the IGMP reports the control lcore's timer may send meanwhile
 * (the join repeats at a random time within the unsolicited interval, RFC 3376 8.11; a slow run
 * meets it); *skipped counts them.
 */
static unsigned int
take_skipping_igmp(struct rte_mbuf **pkts, unsigned int max, unsigned int *skipped)
{
	unsigned int n = take(under_out, pkts, max), k = 0;

	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *p = rte_pktmbuf_mtod(pkts[i], const uint8_t *);

		if (p[12] == 0x08 && p[13] == 0x00 && p[23] == IPPROTO_IGMP) {
			rte_pktmbuf_free(pkts[i]);
			(*skipped)++;
			continue;
		}
		pkts[k++] = pkts[i];
	}
	return k;
}

static void
test_arp_icmp(void)
{
	struct vtep_capture_filter f = {.dev = VTEP_CAPTURE_UNDERLAY};
	struct vtep_capture_status cs;
	struct rte_mbuf *out[4];
	char path[64], err[128];
	uint8_t buf[128];
	struct rte_ipv4_hdr *ip;
	unsigned int n, timers = 0;

	/* A capture of the underlay sees both requests (worker) and both replies (control). */
	snprintf(path, sizeof(path), "/tmp/vtep_test_fwd_%d.pcapng", (int)getpid());
	CHECK(vtep_capture_start(rt.capture, path, &f, 0, err, sizeof(err)) == 0);

	put(under_in, buf, pkt_arp(buf, 1, "ff:ff:ff:ff:ff:ff", "02:00:00:00:91:82", "172.16.91.130",
			"00:00:00:00:00:00", LOCAL));
	settle();
	n = take_skipping_igmp(out, 4, &timers);
	CHECK(n == 1);
	if (n == 1) {
		const uint8_t *p = rte_pktmbuf_mtod(out[0], const uint8_t *);

		CHECK(p[21] == 2);                      /* ARP reply */
		CHECK(memcmp(p, "\x02\x00\x00\x00\x91\x82", 6) == 0);
	}
	rte_pktmbuf_free_bulk(out, n);
	/* ping 172.16.91.129 */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &rt.underlay.mac, 6);
	memcpy(buf + 6, "\x02\x00\x00\x00\x91\x80\x08\x00", 8);
	ip = (struct rte_ipv4_hdr *)(buf + 14);
	ip->version_ihl = 0x45;
	ip->total_length = RTE_BE16(28);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = pkt_ip(PEER);
	ip->dst_addr = pkt_ip(LOCAL);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	buf[34] = 8; /* echo request; checksum of 08 00 00 00 00 00 00 00 */
	buf[36] = 0xf7;
	buf[37] = 0xff;
	put(under_in, buf, 14 + 28);
	settle();
	n = take_skipping_igmp(out, 4, &timers);
	CHECK(n == 1);
	if (n == 1)
		CHECK(rte_pktmbuf_mtod(out[0], const uint8_t *)[34] == 0); /* echo reply */
	rte_pktmbuf_free_bulk(out, n);
	vtep_capture_poll(rt.capture);
	CHECK(vtep_capture_stop(rt.capture) == 0);
	vtep_capture_status(rt.capture, &cs);
	CHECKF(cs.written == 4 + timers, "captured %" PRIu64 " frames", cs.written);
	unlink(path);
}

/*
 * Forged sources cannot grow the remote table without bound: learn events from more distinct
 * (valid, unicast) sources than it has slots are refused and counted in learn_no_remote once it is
 * full, and a MAC behind a remote already there is still learned.
 */
static void
test_remote_full(void)
{
	struct vtep_lcore_stats *cst = &rt.stats[rt.nb_workers];
	struct vtep_worker *w = rt.workers[0];
	struct rte_mbuf *sent[64];
	unsigned int n, total = VTEP_STATS_REMOTES + 100, before = rt.remotes->nb_used;
	uint64_t refused = cst->drops[VTEP_DROP_LEARN_NO_REMOTE];
	struct rte_ether_addr mac = pkt_mac("02:00:00:01:00:00");
	struct vtep_learn_event ev;

	/* Each new off-link remote logs that no gateway is configured: not wanted here. */
	rte_log_set_level_pattern("vtepd.ctl", RTE_LOG_ERR);
	for (unsigned int i = 0; i < total; i++) {
		mac.addr_bytes[4] = i >> 8;
		mac.addr_bytes[5] = i & 0xff;
		ev = (struct vtep_learn_event){.key = vtep_fdb_key(0, &mac),
				.src_be = rte_cpu_to_be_32(0x0ac80000u + i + 1)};
		CHECK(rte_ring_enqueue_elem(w->learn_ring, &ev, sizeof(ev)) == 0);
		w->learn_posted++;
		if (i % 64 == 63 || i == total - 1) {
			vtep_ctl_poll(ctl);
			while ((n = take(under_out, sent, RTE_DIM(sent))) > 0)
				rte_pktmbuf_free_bulk(sent, n);
		}
	}
	rte_log_set_level_pattern("vtepd.ctl", RTE_LOG_INFO);
	CHECK(rt.remotes->nb_used == VTEP_STATS_REMOTES - 1);
	CHECKF(cst->drops[VTEP_DROP_LEARN_NO_REMOTE] - refused ==
					total - (VTEP_STATS_REMOTES - 1 - before),
			"learn_no_remote %" PRIu64 ", %u events, %u slots were free",
			cst->drops[VTEP_DROP_LEARN_NO_REMOTE] - refused, total,
			VTEP_STATS_REMOTES - 1 - before);
	CHECK(w->learn_done == w->learn_posted);
	/* A known remote still teaches new MACs. */
	mac = pkt_mac("02:00:00:02:00:01");
	ev = (struct vtep_learn_event){.key = vtep_fdb_key(0, &mac), .src_be = pkt_ip(PEER)};
	CHECK(rte_ring_enqueue_elem(w->learn_ring, &ev, sizeof(ev)) == 0);
	w->learn_posted++;
	vtep_ctl_poll(ctl);
	CHECK(vtep_fdb_lookup(rt.fdb, ev.key) != NULL);
	while ((n = take(under_out, sent, RTE_DIM(sent))) > 0)
		rte_pktmbuf_free_bulk(sent, n);
}

/* What the underlay got in one settle(), by kind. */
static void
sent_kinds(unsigned int *arp, unsigned int *igmp, unsigned int *other)
{
	struct rte_mbuf *out[16];
	unsigned int n;

	*arp = *igmp = *other = 0;
	settle();
	n = take(under_out, out, RTE_DIM(out));
	for (unsigned int i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(out[i], struct rte_ether_hdr *);

		if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
			(*arp)++;
		else if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
				((const struct rte_ipv4_hdr *)(eth + 1))->next_proto_id ==
						IPPROTO_IGMP)
			(*igmp)++;
		else
			(*other)++;
	}
	rte_pktmbuf_free_bulk(out, n);
}

/*
 * The timers fire when the control lcore's clock says so, and only then: nothing while it stands
 * still; within the next second the repeat of the IGMPv3 join (RFC 3376 section 5.1: robustness
 * 2, the unsolicited report interval is 1 s); 25 s after the neighbors were confirmed, a refresh
 * request to each of the two (172.16.91.128 gleaned, 172.16.91.130 answered).
 */
static void
test_timers(void)
{
	uint64_t hz = rte_get_tsc_hz();
	unsigned int arp, igmp, other;

	sent_kinds(&arp, &igmp, &other);
	CHECKF(arp + igmp + other == 0, "clock still: %u ARP, %u IGMP, %u other", arp, igmp, other);
	clock_tsc += hz + hz / 10;
	sent_kinds(&arp, &igmp, &other);
	CHECKF(arp == 0 && igmp == 1 && other == 0, "after 1.1 s: %u ARP, %u IGMP, %u other", arp,
			igmp, other);
	clock_tsc += 25 * hz;
	sent_kinds(&arp, &igmp, &other);
	CHECKF(arp == 2 && igmp == 0 && other == 0, "after 26.1 s: %u ARP, %u IGMP, %u other", arp,
			igmp, other);
}

int
main(void)
{
	static struct vtep_conf conf;
	static char words[][24] = { "dev", "net_ring_under0", "local", LOCAL "/24", "id", "42", "group",
		"239.1.1.1", "inner", "net_ring_inner0", "fdb", "02:00:00:00:00:07", "dst",
		"172.16.91.130" };
	char *argv[RTE_DIM(words)];
	char err[256];
	unsigned int in_use;

	vtep_test_eal_init("fwd", "-l", "0,1", NULL);
	make_ports();
	vtep_conf_init(&conf);
	for (unsigned int i = 0; i < RTE_DIM(words); i++)
		argv[i] = words[i];
	CHECK(vtep_conf_parse_args(&conf, RTE_DIM(words), argv, err, sizeof(err)) == 0);
	CHECK(vtep_conf_validate(&conf, err, sizeof(err)) == 0);
	conf.nb_mbufs = 4096;
	if (vtep_runtime_create(&rt, &conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "vtep_runtime_create: %s\n", err);
		CHECK(0);
		return vtep_test_done("fwd");
	}
	rte_ether_format_addr(under_mac, sizeof(under_mac), &rt.underlay.mac);
	clock_tsc = rte_rdtsc();
	ctl = vtep_ctl_create_clock(&rt, test_clock, NULL);
	CHECK(ctl != NULL);
	in_use = rte_mempool_in_use_count(rt.pool);
	test_startup();
	test_decap_learn_encap();
	test_resolve();
	test_arp_icmp();
	/* Before the tests that teach many remotes: the timers' frames are counted exactly. */
	test_timers();
	test_order();
	test_remote_full();
	CHECKF(rte_mempool_in_use_count(rt.pool) <= in_use, "vtepd's mbufs in use %u, before %u",
			rte_mempool_in_use_count(rt.pool), in_use);
	vtep_ctl_free(ctl);
	vtep_runtime_free(&rt);
	return vtep_test_done("fwd");
}
