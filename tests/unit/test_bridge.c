/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bridge domains on ring ports, one worker pass and one control pass at a time (as test_fwd):
 * VNI 42 has the access ports A and B and VLAN 100 of trunk T, VNI 43 the access port C and VLAN
 * 200 of T; the underlay is a ring too. Checks local learning into the FDB, switching (never to
 * the underlay), floods from a port (other ports, tagged copies, the group) and from the tunnel
 * (local ports only: split horizon), hairpin and split-horizon drops, VLAN pop and push, unmapped
 * and untagged trunk frames, moves local<->local and local<->remote, static local entries (sticky),
 * per-port maxaddress, link down (floods stop, learned entries flushed), counters and mbufs.
 * Attack's defences with local ports: movedamp freezes MACs flapping local<->remote and
 * local<->local (VNI 42's default 5 180 180, on a worker clock the test sets), learnrate counts
 * local learns, an allow list (VNI 45: access port D and VLAN 301 of T) filters remote sources
 * only.
 */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <rte_eth_ring.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_conf.h"
#include "vtep_ctl.h"
#include "vtep_fwd.h"
#include "vtep_runtime.h"

#define LOCAL "172.16.91.129"
#define PEER "172.16.91.128"
#define MA "02:00:00:00:0a:01"
#define MB "02:00:00:00:0b:01"
#define MC "02:00:00:00:0c:01"
#define MT "02:00:00:00:0d:01"
#define MR "02:00:00:00:0e:01"

enum { P_U, P_A, P_B, P_C, P_T, P_D, NB_P };
static const char *const pnames[NB_P] = {"u", "a", "b", "c", "t", "d"};
static struct rte_ring *in[NB_P], *out[NB_P];
static struct vtep_runtime rt;
static struct vtep_ctl *ctl;

static void
make_ports(void)
{
	char name[32];

	for (int p = 0; p < NB_P; p++) {
		snprintf(name, sizeof(name), "%s_in", pnames[p]);
		in[p] = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "%s_out", pnames[p]);
		out[p] = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (in[p] == NULL || out[p] == NULL)
			abort();
		CHECK(rte_eth_from_rings(pnames[p], &in[p], 1, &out[p], 1, 0) >= 0);
	}
}

static void
settle(void)
{
	for (int i = 0; i < 6; i++) {
		vtep_fwd_poll(rt.workers[0]);
		vtep_ctl_poll(ctl);
	}
	vtep_fwd_poll(rt.workers[0]);
}

/* Drop what every port sent (ARP, IGMP at start-up, ...). */
static void
drain_all(void)
{
	struct rte_mbuf *m[64];
	unsigned int n;

	for (int p = 0; p < NB_P; p++)
		while ((n = rte_ring_dequeue_burst(out[p], (void **)m, 64, NULL)) > 0)
			rte_pktmbuf_free_bulk(m, n);
}

/* An inner UDP frame dst <- src, tagged with vlan unless 0; into buf, @return its size. */
static size_t
frame(uint8_t *buf, const char *dst, const char *src, uint16_t vlan)
{
	size_t n = pkt_inner_udp(buf, dst, src, "10.0.0.1", "10.0.0.2", 1, 2, 30);

	return vlan != 0 ? pkt_add_vlan(buf, n, vlan) : n;
}

static void
send_local(int p, const char *dst, const char *src, uint16_t vlan)
{
	uint8_t buf[256];

	CHECK(rte_ring_enqueue(in[p],
			      pkt_mbuf(vtep_test_pool(), buf, frame(buf, dst, src, vlan))) == 0);
}

/* The underlay ring port's MAC (a ring port takes none of ours): VXLAN to vtepd goes there. */
static char under_mac[RTE_ETHER_ADDR_FMT_SIZE];

static void
send_tunnel(uint32_t vni, const char *dst, const char *src)
{
	struct pkt_outer o = {
			.dst_mac = under_mac,
			.src_mac = "02:00:00:00:91:80",
			.sip = PEER,
			.dip = LOCAL,
			.sport = 40000,
			.dport = 4789,
			.vni = vni,
	};
	uint8_t inner[256], buf[512];
	size_t ni = frame(inner, dst, src, 0);

	CHECK(rte_ring_enqueue(in[P_U],
			      pkt_mbuf(vtep_test_pool(), buf, pkt_vxlan(buf, &o, inner, ni))) == 0);
}

/* What port p sent: count, and how many carried an 802.1Q tag with vid (0: untagged). */
static unsigned int
got(int p, uint16_t vid)
{
	struct rte_mbuf *m[64];
	unsigned int n = rte_ring_dequeue_burst(out[p], (void **)m, 64, NULL), ok = 0;
	unsigned int total = n;

	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(m[i], const uint8_t *);
		bool tagged = d[12] == 0x81 && d[13] == 0x00;
		uint16_t v = tagged ? ((d[14] & 0xf) << 8 | d[15]) : 0;

		/* On the underlay only VXLAN counts (IGMP reports repeat at start-up). */
		if (p == P_U &&
				!(d[12] == 0x08 && d[13] == 0 && d[23] == 17 && d[36] == 0x12 &&
						d[37] == 0xb5)) {
			n--;
			continue;
		}
		ok += v == vid;
	}
	rte_pktmbuf_free_bulk(m, total);
	if (n != ok)
		fprintf(stderr, "port %d: %u frames, %u with vid %u\n", p, n, ok, vid);
	return n == ok ? n : 1000 + n;
}

static const struct vtep_fdb_entry *
entry(unsigned int v, const char *mac)
{
	struct rte_ether_addr a = pkt_mac(mac);

	return vtep_fdb_lookup(rt.fdb, vtep_fdb_key(v, &a));
}

static bool
is_local(unsigned int v, const char *mac, unsigned int att, bool st)
{
	const struct vtep_fdb_entry *e = entry(v, mac);

	return e != NULL && (e->flags & VTEP_FDB_LOCAL) && e->remote == att &&
			!!(e->flags & VTEP_FDB_STATIC) == st;
}

static uint64_t
drop(enum vtep_drop d)
{
	return rt.stats[0].drops[d] + rt.stats[1].drops[d];
}

/* Attachments in conf order: 0 a, 1 b, 2 t vlan 100, 3 c, 4 t vlan 200, 5 t untagged (VNI 44). */
static void
test_learn_flood_switch(void)
{
	const struct vtep_fdb_counters *fc = vtep_fdb_counters(rt.fdb);
	uint64_t encap;

	/* A broadcast from A: B untagged, T tagged 100, the group; not A, not VNI 43's ports. */
	send_local(P_A, "ff:ff:ff:ff:ff:ff", MA, 0);
	settle();
	CHECK(got(P_B, 0) == 1);
	CHECK(got(P_T, 100) == 1);
	CHECK(got(P_U, 0) == 1);
	CHECK(got(P_A, 0) == 0 && got(P_C, 0) == 0);
	CHECK(is_local(0, MA, 0, false));
	CHECK(rt.stats[0].vni[0].local_copies == 2 && rt.stats[0].vni[0].flood_copies == 1);
	/* B answers A: switched to A only, nothing encapsulated. */
	encap = rt.stats[0].vni[0].encap_pkts + rt.stats[0].vni[0].flood_copies;
	send_local(P_B, MA, MB, 0);
	settle();
	CHECK(got(P_A, 0) == 1);
	CHECK(got(P_B, 0) == 0 && got(P_T, 0) == 0 && got(P_U, 0) == 0);
	CHECK(rt.stats[0].vni[0].switch_pkts == 1);
	CHECK(rt.stats[0].vni[0].encap_pkts + rt.stats[0].vni[0].flood_copies == encap);
	CHECK(is_local(0, MB, 1, false));
	/* A unicast to a MAC behind the port it came in on goes nowhere. */
	send_local(P_A, MA, "02:00:00:00:0a:02", 0);
	settle();
	CHECK(got(P_A, 0) == 0 && got(P_B, 0) == 0 && got(P_U, 0) == 0);
	CHECK(drop(VTEP_DROP_INNER_HAIRPIN) == 1);
	/* An unknown unicast floods like a broadcast. */
	send_local(P_B, "02:00:00:00:99:99", MB, 0);
	settle();
	CHECK(got(P_A, 0) == 1 && got(P_T, 100) == 1 && got(P_U, 0) == 1 && got(P_B, 0) == 0);
	CHECK(fc->nb_learned == 3 && fc->att_learned[0] == 2 && fc->att_learned[1] == 1);
}

static void
test_trunk(void)
{
	/* VLAN 100 from T to A: popped, switched; the reply from A pushed with 100. */
	send_local(P_T, MA, MT, 100);
	settle();
	CHECK(got(P_A, 0) == 1);
	CHECK(is_local(0, MT, 2, false));
	send_local(P_A, MT, MA, 0);
	settle();
	CHECK(got(P_T, 100) == 1 && got(P_B, 0) == 0);
	/* VLAN 200 is VNI 43: its broadcast reaches C and VNI 43's remote, not VNI 42's ports. */
	send_local(P_T, "ff:ff:ff:ff:ff:ff", MT, 200);
	settle();
	CHECK(got(P_C, 0) == 1 && got(P_U, 0) == 1);
	CHECK(got(P_A, 0) == 0 && got(P_B, 0) == 0 && got(P_T, 0) == 0);
	CHECK(is_local(1, MT, 4, false) && is_local(0, MT, 2, false));
	/* C to MT in VNI 43 goes back tagged 200. */
	send_local(P_C, MT, MC, 0);
	settle();
	CHECK(got(P_T, 200) == 1);
	/* VLAN 300 on the trunk: dropped, counted. */
	send_local(P_T, MA, MT, 300);
	settle();
	CHECK(got(P_A, 0) == 0 && got(P_U, 0) == 0);
	CHECK(drop(VTEP_DROP_INNER_VLAN_UNMAPPED) == 1);
	/* Untagged and priority-tagged (VID 0) frames: the trunk's native VNI 44 (its only port:
	 * to its remote); from the tunnel, VNI 44's frames leave the trunk untagged. */
	send_local(P_T, MA, MT, 0);
	{
		uint8_t buf[256];
		size_t n = pkt_inner_udp(buf, MA, MT, "10.0.0.1", "10.0.0.2", 1, 2, 30);

		n = pkt_add_vlan(buf, n, 0);
		CHECK(rte_ring_enqueue(in[P_T], pkt_mbuf(vtep_test_pool(), buf, n)) == 0);
	}
	settle();
	CHECK(got(P_U, 0) == 2 && got(P_A, 0) == 0);
	CHECK(rt.stats[0].vni[2].flood_copies == 2);
	send_tunnel(44, MT, MR);
	settle();
	CHECK(got(P_T, 0) == 1);
	CHECK(drop(VTEP_DROP_INNER_UNTAGGED) == 0);
}

static void
test_tunnel(void)
{
	const struct vtep_fdb_counters *fc = vtep_fdb_counters(rt.fdb);

	/* From the tunnel to B: B only (the remote MAC is learned first). */
	send_tunnel(42, MB, MR);
	settle();
	CHECK(got(P_B, 0) == 1);
	CHECK(got(P_A, 0) == 0 && got(P_T, 0) == 0 && got(P_U, 0) == 0);
	CHECK(entry(0, MR) != NULL && !(entry(0, MR)->flags & VTEP_FDB_LOCAL));
	/* BUM from the tunnel: every local port of the VNI, never back into the tunnel. */
	send_tunnel(42, "ff:ff:ff:ff:ff:ff", MR);
	settle();
	CHECK(got(P_A, 0) == 1 && got(P_B, 0) == 1 && got(P_T, 100) == 1);
	CHECK(got(P_U, 0) == 0 && got(P_C, 0) == 0);
	/* From the tunnel to a MAC behind the tunnel: split horizon. */
	send_tunnel(42, MR, "02:00:00:00:0e:02");
	settle();
	CHECK(got(P_A, 0) + got(P_B, 0) + got(P_T, 0) + got(P_U, 0) == 0);
	CHECK(drop(VTEP_DROP_RX_SPLIT_HORIZON) == 1);
	/* VNI 43 has one port besides the trunk... two attachments: by MAC too. */
	send_tunnel(43, MC, MR);
	settle();
	CHECK(got(P_C, 0) == 1 && got(P_T, 0) == 0);
	/* Moves: MA to B (local to local), to the tunnel (local to remote), back to A. */
	send_local(P_B, MB, MA, 0);
	settle();
	CHECK(is_local(0, MA, 1, false) && fc->moved_local == 1);
	send_tunnel(42, MB, MA);
	settle();
	CHECK(entry(0, MA) != NULL && !(entry(0, MA)->flags & VTEP_FDB_LOCAL));
	CHECK(fc->moved_to_remote == 1);
	/* The learn filter posts a MAC at one place once a second: the move back comes later. */
	sleep(1);
	send_local(P_A, MB, MA, 0);
	settle();
	CHECK(is_local(0, MA, 0, false) && fc->moved_to_local == 1);
	drain_all();
}

static void
test_static_and_link(void)
{
	const struct vtep_fdb_counters *fc = vtep_fdb_counters(rt.fdb);
	struct rte_ether_addr ms = pkt_mac("02:00:00:00:0a:55");
	uint16_t port_b;

	/* A static local entry behind A: frames to it go to A; it never moves. */
	CHECK(vtep_ctl_fdb_set_local(ctl, VTEP_CTL_FDB_ADD, &ms, 0) == 0);
	CHECK(vtep_ctl_fdb_set_local(ctl, VTEP_CTL_FDB_ADD, &ms, 0) == -EEXIST);
	send_local(P_B, "02:00:00:00:0a:55", MB, 0);
	settle();
	CHECK(got(P_A, 0) == 1 && got(P_U, 0) == 0);
	send_local(P_B, MB, "02:00:00:00:0a:55", 0);
	send_tunnel(42, MB, "02:00:00:00:0a:55");
	settle();
	CHECK(drop(VTEP_DROP_INNER_STATIC_MOVE) == 1 && drop(VTEP_DROP_RX_STATIC_MOVE) == 1);
	CHECK(is_local(0, "02:00:00:00:0a:55", 0, true));
	drain_all();
	/* B's link goes down: its learned MACs go, floods skip it, frames to it drop. */
	CHECK(rte_eth_dev_get_port_by_name("net_ring_b", &port_b) == 0);
	CHECK(rte_eth_dev_set_link_down(port_b) == 0);
	usleep((VTEP_CTL_LINK_POLL_MS + 20) * 1000);
	settle();
	CHECK(entry(0, MB) == NULL && fc->link_flushed >= 1);
	send_local(P_A, "ff:ff:ff:ff:ff:ff", MA, 0);
	settle();
	CHECK(got(P_B, 0) == 0 && got(P_T, 100) == 1 && got(P_U, 0) == 1);
	CHECK(rte_eth_dev_set_link_up(port_b) == 0);
	usleep((VTEP_CTL_LINK_POLL_MS + 20) * 1000);
	settle();
	send_local(P_A, "ff:ff:ff:ff:ff:ff", MA, 0);
	settle();
	CHECK(got(P_B, 0) == 1);
	/* Set down by hand (vtepctl link set): the same, until set up again. */
	CHECK(vtep_ctl_link_set(ctl, 1, false) == 0);
	send_local(P_A, "ff:ff:ff:ff:ff:ff", MA, 0);
	settle();
	CHECK(got(P_B, 0) == 0);
	CHECK(vtep_ctl_link_set(ctl, 1, true) == 0);
	drain_all();
	/* Per-port maxaddress: C takes 2 learned MACs. */
	send_local(P_C, MT, "02:00:00:00:0c:02", 0);
	send_local(P_C, MT, "02:00:00:00:0c:03", 0);
	settle();
	CHECK(entry(1, "02:00:00:00:0c:02") != NULL && entry(1, "02:00:00:00:0c:03") == NULL);
	CHECK(fc->att_learned[3] == 2);
	drain_all();
	/* Counters per attachment add up. */
	CHECK(rt.stats[0].atts[0].rx_pkts > 0 && rt.stats[0].atts[0].tx_pkts > 0);
}

/* The worker's clock for its learn filter and `seen` stamps, set by the test (0: its own). */
static void
worker_clock(uint32_t now)
{
	rt.workers[0]->now = now;
	rt.workers[0]->now_next_tsc = now != 0 ? UINT64_MAX : 0;
}

/*
 * movedamp with local ports (VNI 42, default movedamp 5 180 180). A MAC flapping between port A
 * and the tunnel (a loop through a remote VTEP) moves five times; the sixth move freezes it at
 * the remote: A's frames claiming it are dropped (inner_mac_frozen), the remote's go on; released
 * after the hold-down. A MAC flapping between ports A and B (a loop between two local ports) is
 * frozen at B: A's frames and the tunnel's claiming it are dropped (inner_mac_frozen,
 * rx_mac_frozen), B's go on. The learn filter posts a MAC at one place once a second: the worker's
 * clock ticks a second before each round.
 */
static void
test_movedamp_local(void)
{
	const struct vtep_fdb_counters *fc = vtep_fdb_counters(rt.fdb);
	const char *mx = "02:00:00:00:0f:01", *my = "02:00:00:00:0f:02";
	uint64_t moves = fc->moved_to_local + fc->moved_to_remote, local_moves = fc->moved_local;
	uint64_t learn_frozen = drop(VTEP_DROP_LEARN_FROZEN), frozen = fc->frozen;
	uint64_t inner_frozen = drop(VTEP_DROP_INNER_MAC_FROZEN);
	uint64_t rx_frozen = drop(VTEP_DROP_RX_MAC_FROZEN);
	uint32_t t = vtep_fdb_now();
	const struct vtep_fdb_entry *e;

	worker_clock(t);
	send_local(P_A, MB, mx, 0);
	settle();
	CHECK(is_local(0, mx, 0, false));
	for (unsigned int r = 0; r < 3; r++) {
		worker_clock(++t);
		send_tunnel(42, MB, mx);
		settle();
		send_local(P_A, MB, mx, 0);
		settle();
	}
	e = entry(0, mx);
	CHECKF(fc->moved_to_local + fc->moved_to_remote - moves == 5, "%" PRIu64 " moves",
			fc->moved_to_local + fc->moved_to_remote - moves);
	CHECK(e != NULL && !(e->flags & VTEP_FDB_LOCAL) && (e->flags & VTEP_FDB_FROZEN));
	CHECK(fc->frozen - frozen == 1 && drop(VTEP_DROP_LEARN_FROZEN) - learn_frozen == 1);
	CHECK(got(P_B, 0) == 7);
	/* Frozen at the remote: A's frames claiming it are dropped, the remote's delivered. */
	worker_clock(++t);
	send_local(P_A, MB, mx, 0);
	settle();
	CHECK(got(P_B, 0) == 0 && drop(VTEP_DROP_INNER_MAC_FROZEN) - inner_frozen == 1);
	send_tunnel(42, MB, mx);
	settle();
	CHECK(got(P_B, 0) == 1 && drop(VTEP_DROP_RX_MAC_FROZEN) == rx_frozen);
	/* Released after the hold-down: A's next frame moves it back. */
	vtep_ctl_age(ctl, vtep_fdb_now() + 181);
	CHECK(!(e->flags & VTEP_FDB_FROZEN) && fc->nb_frozen == 0);
	worker_clock(++t);
	send_local(P_A, MB, mx, 0);
	settle();
	CHECK(is_local(0, mx, 0, false) && got(P_B, 0) == 1);
	drain_all();
	/* Between A and B: frozen at B after five moves. */
	worker_clock(++t);
	send_local(P_A, "ff:ff:ff:ff:ff:ff", my, 0);
	settle();
	for (unsigned int r = 0; r < 3; r++) {
		worker_clock(++t);
		send_local(P_B, "ff:ff:ff:ff:ff:ff", my, 0);
		settle();
		send_local(P_A, "ff:ff:ff:ff:ff:ff", my, 0);
		settle();
	}
	CHECK(fc->moved_local - local_moves == 5 && is_local(0, my, 1, false));
	CHECK(entry(0, my) != NULL && (entry(0, my)->flags & VTEP_FDB_FROZEN));
	CHECK(drop(VTEP_DROP_LEARN_FROZEN) - learn_frozen == 2);
	drain_all();
	inner_frozen = drop(VTEP_DROP_INNER_MAC_FROZEN);
	worker_clock(++t);
	send_local(P_A, "ff:ff:ff:ff:ff:ff", my, 0);
	send_tunnel(42, "ff:ff:ff:ff:ff:ff", my);
	settle();
	CHECK(got(P_B, 0) == 0 && got(P_T, 100) == 0 && got(P_U, 0) == 0);
	CHECK(drop(VTEP_DROP_INNER_MAC_FROZEN) - inner_frozen == 1);
	CHECK(drop(VTEP_DROP_RX_MAC_FROZEN) - rx_frozen == 1);
	/* Its owner's frames go on. */
	send_local(P_B, "ff:ff:ff:ff:ff:ff", my, 0);
	settle();
	CHECK(got(P_A, 0) == 1 && got(P_T, 100) == 1);
	CHECK(drop(VTEP_DROP_INNER_MAC_FROZEN) - inner_frozen == 1);
	worker_clock(0);
	/* B's link set down flushes it, frozen or not. */
	CHECK(vtep_ctl_link_set(ctl, 1, false) == 0);
	CHECK(entry(0, my) == NULL && fc->nb_frozen == 0);
	CHECK(vtep_ctl_link_set(ctl, 1, true) == 0);
	drain_all();
}

/*
 * learnrate and allow on a VNI with local ports (VNI 45: learnrate 1 burst 2, allow
 * 172.16.91.200): five new MACs from port D are learned at most two at once (three if the second
 * ticks meanwhile), the rest refused (learn_rate) and their frames switched all the same; the
 * allow list drops the tunnel's frames from the peer, which is not in it (rx_not_allowed), but
 * not the local ports' frames.
 */
static void
test_local_guards(void)
{
	const struct vtep_fdb_counters *fc = vtep_fdb_counters(rt.fdb);
	uint64_t rate = drop(VTEP_DROP_LEARN_RATE), limited = fc->rate_limited;
	unsigned int learned = 0;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	for (unsigned int i = 1; i <= 5; i++) {
		snprintf(mac, sizeof(mac), "02:00:00:00:45:%02x", i);
		send_local(P_D, "ff:ff:ff:ff:ff:ff", mac, 0);
	}
	settle();
	CHECK(got(P_T, 301) == 5 && got(P_U, 0) == 0);
	for (unsigned int i = 1; i <= 5; i++) {
		snprintf(mac, sizeof(mac), "02:00:00:00:45:%02x", i);
		learned += is_local(3, mac, 6, false);
	}
	CHECKF(learned >= 2 && learned <= 3 && drop(VTEP_DROP_LEARN_RATE) - rate == 5 - learned,
			"%u learned, %" PRIu64 " refused", learned, drop(VTEP_DROP_LEARN_RATE) - rate);
	CHECK(fc->rate_limited - limited == 5 - learned);
	/* The peer is not in VNI 45's allow list: its frames go nowhere and teach nothing. */
	send_tunnel(45, "ff:ff:ff:ff:ff:ff", MR);
	send_tunnel(45, "02:00:00:00:45:01", "02:00:00:00:0e:45");
	settle();
	CHECK(got(P_D, 0) == 0 && got(P_T, 0) == 0);
	CHECK(drop(VTEP_DROP_RX_NOT_ALLOWED) == 2 && entry(3, MR) == NULL);
	CHECK(entry(3, "02:00:00:00:0e:45") == NULL);
	drain_all();
}

/* Attachment a's TX counters summed over the lcores: {tx_pkts, tx_bytes, drops}. */
static void
att_tx(unsigned int a, uint64_t c[3])
{
	c[0] = c[1] = c[2] = 0;
	for (unsigned int l = 0; l <= rt.nb_workers; l++) {
		c[0] += rt.stats[l].atts[a].tx_pkts;
		c[1] += rt.stats[l].atts[a].tx_bytes;
		c[2] += rt.stats[l].atts[a].drops;
	}
}

/*
 * Per-attachment TX counters: three broadcasts from the tunnel into VNI 42 reach access ports A
 * (attachment 0) and B (1) and trunk T's VLAN 100 (2, tagged on the wire); each attachment counts
 * 3 frames and 3 x the inner frame's bytes, the trunk's without the tag it pushed.
 */
static void
test_att_counters(void)
{
	uint64_t before[3][3], after[3];
	uint8_t buf[256];
	size_t size = frame(buf, "ff:ff:ff:ff:ff:ff", "02:00:00:00:0f:01", 0);

	drain_all();
	for (unsigned int a = 0; a < 3; a++)
		att_tx(a, before[a]);
	for (int i = 0; i < 3; i++)
		send_tunnel(42, "ff:ff:ff:ff:ff:ff", "02:00:00:00:0f:01");
	settle();
	CHECK(got(P_A, 0) == 3 && got(P_B, 0) == 3 && got(P_T, 100) == 3);
	for (unsigned int a = 0; a < 3; a++) {
		att_tx(a, after);
		CHECKF(after[0] - before[a][0] == 3 && after[1] - before[a][1] == 3 * size &&
						after[2] == before[a][2],
				"attachment %u: +%" PRIu64 " frames, +%" PRIu64 " bytes (%zu each), "
				"+%" PRIu64 " drops",
				a, after[0] - before[a][0], after[1] - before[a][1], size,
				after[2] - before[a][2]);
	}
	drain_all();
}

int
main(void)
{
	static struct vtep_conf conf;
	static char words[][24] = {"dev", "net_ring_u", "local", LOCAL "/24", "neigh",
			"172.16.91.130", "lladdr", "02:00:00:00:91:82", "id", "42", "group",
			"239.1.1.1", "port", "net_ring_a", "port", "net_ring_b", "port",
			"net_ring_t", "vlan", "100", "id", "43", "remote", "172.16.91.130", "port",
			"net_ring_c", "maxaddress", "2", "port", "net_ring_t", "vlan", "200", "id",
			"44", "remote", "172.16.91.130", "port", "net_ring_t", "untagged", "id",
			"45", "learnrate", "1", "burst", "2", "allow", "172.16.91.200", "port",
			"net_ring_d", "port", "net_ring_t", "vlan", "301"};
	char *argv[RTE_DIM(words)];
	char err[256];
	unsigned int in_use;

	vtep_test_eal_init("bridge", "-l", "0,1", NULL);
	make_ports();
	vtep_conf_init(&conf);
	for (unsigned int i = 0; i < RTE_DIM(words); i++)
		argv[i] = words[i];
	CHECKF(vtep_conf_parse_args(&conf, RTE_DIM(words), argv, err, sizeof(err)) == 0, "%s", err);
	CHECKF(vtep_conf_validate(&conf, err, sizeof(err)) == 0, "%s", err);
	conf.nb_mbufs = 8192;
	if (vtep_runtime_create(&rt, &conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "vtep_runtime_create: %s\n", err);
		CHECK(0);
		return vtep_test_done("bridge");
	}
	ctl = vtep_ctl_create(&rt);
	CHECK(ctl != NULL);
	rte_ether_format_addr(under_mac, sizeof(under_mac), &rt.underlay.mac);
	settle();
	drain_all();
	in_use = rte_mempool_in_use_count(rt.pool);
	test_learn_flood_switch();
	test_trunk();
	test_tunnel();
	test_static_and_link();
	test_movedamp_local();
	test_local_guards();
	test_att_counters();
	drain_all();
	CHECKF(rte_mempool_in_use_count(rt.pool) <= in_use, "vtepd's mbufs in use %u, before %u",
			rte_mempool_in_use_count(rt.pool), in_use);
	vtep_ctl_free(ctl);
	vtep_runtime_free(&rt);
	return vtep_test_done("bridge");
}
