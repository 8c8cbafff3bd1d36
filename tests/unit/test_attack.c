/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attacks and isolation (issue 12, section 4) on the whole path, as test_fwd runs it: a runtime
 * built by vtep_runtime_create on ring ports, worker and control passes called from this thread,
 * the control lcore's once-a-second pass (vtep_ctl_age) on a clock the test sets. Three VNIs: 42
 * (group 239.1.1.1, inner port inner0), 43 (head-end replication to 172.16.91.131, inner port
 * inner1) and 44 (inner port inner2, learnrate 1 burst 100); local 172.16.91.129/16.
 *
 * - forged outer sources fill the remote table and the neighbor table, are refused and counted
 *   once full, and both tables recover when the entries age out; a released slot is reused only
 *   after the workers' quiescent state, with its counters starting from zero.
 * - MAC flooding against VNI 44 with `learnrate 1 burst 100`: what the rate refuses is counted
 *   (learn_rate) and costs no remote slot, neighbor entry or ARP request.
 * - a MAC flapping between two remotes (VNI 42, default movedamp 5 180 180): five moves, then
 *   frozen at its remote, the other's frames dropped (rx_mac_frozen), told to the notifier,
 *   released after the hold-down, and learned again.
 * - tenant isolation: the same MAC in both VNIs at different remotes stays two entries; frames,
 *   unicast answers and floods stay in their VNI.
 * - no amplification: a broadcast, multicast or unknown-unicast frame from a remote goes to the
 *   inner port only, never back into the tunnel (not even to a head-end list that holds its
 *   sender); a head-end list or static entry cannot be given the local address; a flood of
 *   ARP requests for us gets at most arp-rate (100 by default) replies a second, the rest counted
 *   (ctl_arp_limit); echo requests likewise at most icmp-rate (ctl_icmp_limit).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eth_ring.h>
#include <rte_ip.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_conf.h"
#include "vtep_ctl.h"
#include "vtep_fwd.h"
#include "vtep_runtime.h"

#define LOCAL "172.16.91.129"
#define HER "172.16.91.131"

/* Ring ports: what the test enqueues on *_in, vtepd receives; what vtepd sends lands on *_out. */
static struct rte_ring *under_in, *under_out, *in0_in, *in0_out, *in1_in, *in1_out, *in2_in,
		*in2_out;
static struct vtep_runtime rt;
static struct vtep_ctl *ctl;
/* The underlay ring port's MAC (a ring port cannot take one of ours): frames to vtepd use it. */
static char under_mac[RTE_ETHER_ADDR_FMT_SIZE];

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
	in0_in = ring("i0_in");
	in0_out = ring("i0_out");
	in1_in = ring("i1_in");
	in1_out = ring("i1_out");
	CHECK(rte_eth_from_rings("under0", &under_in, 1, &under_out, 1, 0) >= 0);
	CHECK(rte_eth_from_rings("inner0", &in0_in, 1, &in0_out, 1, 0) >= 0);
	CHECK(rte_eth_from_rings("inner1", &in1_in, 1, &in1_out, 1, 0) >= 0);
	in2_in = ring("i2_in");
	in2_out = ring("i2_out");
	CHECK(rte_eth_from_rings("inner2", &in2_in, 1, &in2_out, 1, 0) >= 0);
}

/* Free what a ring port sent (after worker 0 sent what waits in the ports' TX rings). @return
 * frames. */
static unsigned int
drain(struct rte_ring *r)
{
	struct rte_mbuf *m[64];
	unsigned int n, total = 0;

	vtep_fwd_poll(rt.workers[0]);

	while ((n = rte_ring_dequeue_burst(r, (void **)m, RTE_DIM(m), NULL)) > 0) {
		rte_pktmbuf_free_bulk(m, n);
		total += n;
	}
	return total;
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

/* One VXLAN frame from outer source sip, VNI vni, inner source MAC src, onto the underlay. */
static void
put_vxlan(const char *sip, uint32_t vni, const char *src)
{
	struct pkt_outer o = {
			.dst_mac = under_mac,
			.src_mac = "02:00:00:00:91:40",
			.sip = sip,
			.dip = LOCAL,
			.sport = 40000,
			.dport = 4789,
			.vni = vni,
	};
	uint8_t inner[128], buf[256];
	size_t ni = pkt_inner_udp(
			inner, "02:00:00:00:00:02", src, "10.0.0.1", "10.0.0.2", 1, 2, 20);

	CHECK(rte_ring_enqueue(under_in,
			      pkt_mbuf(vtep_test_pool(), buf, pkt_vxlan(buf, &o, inner, ni))) == 0);
}

/* The worker's clock for its learn filter and `seen` stamps, set by the test (0: its own). */
static void
worker_clock(uint32_t now)
{
	rt.workers[0]->now = now;
	rt.workers[0]->now_next_tsc = now != 0 ? UINT64_MAX : 0;
}

/* One inner frame from the host behind inner port r, to dst. */
static void
put_inner(struct rte_ring *r, const char *dst)
{
	uint8_t inner[128];
	size_t ni = pkt_inner_udp(
			inner, dst, "02:00:00:00:00:02", "10.0.0.2", "10.0.0.1", 2, 1, 20);

	CHECK(rte_ring_enqueue(r, pkt_mbuf(vtep_test_pool(), inner, ni)) == 0);
}

/* What the underlay sent, as (outer destination, VNI) pairs; control frames (not VXLAN) are
 * counted apart. @return VXLAN frames. */
static unsigned int
take_vxlan(rte_be32_t *dst, uint32_t *vni, unsigned int max, unsigned int *other)
{
	struct rte_mbuf *m[64];
	unsigned int n, nb = 0;

	vtep_fwd_poll(rt.workers[0]);
	n = rte_ring_dequeue_burst(under_out, (void **)m, RTE_DIM(m), NULL);
	*other = 0;
	for (unsigned int i = 0; i < n; i++) {
		const struct vtep_outer_hdr *h =
				rte_pktmbuf_mtod(m[i], const struct vtep_outer_hdr *);

		if (rte_pktmbuf_pkt_len(m[i]) >= sizeof(*h) &&
				h->eth.ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
				h->ip.next_proto_id == IPPROTO_UDP &&
				h->udp.dst_port == RTE_BE16(4789)) {
			if (nb < max) {
				dst[nb] = h->ip.dst_addr;
				vni[nb] = vtep_vxlan_vni(&h->vxlan);
			}
			nb++;
		} else {
			(*other)++;
		}
	}
	rte_pktmbuf_free_bulk(m, n);
	return nb;
}

/* Outer source number i: 172.16.100.1 and on, on-link in the /16. */
static rte_be32_t
forged_ip(unsigned int i)
{
	return rte_cpu_to_be_32(0xac106401 + i);
}

/* A learn event as a worker posts it: inner MAC number i of VNI index v from source src_be. */
static struct vtep_learn_event
learn_event(unsigned int v, unsigned int i, rte_be32_t src_be)
{
	struct rte_ether_addr mac = {{0x02, 0xee, 0, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff}};
	struct vtep_learn_event ev = {.key = vtep_fdb_key(v, &mac), .src_be = src_be};

	ev.src_mac = (struct rte_ether_addr){
			{0x02, 0xcc, 0, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff}};
	return ev;
}

/* Hand n events to the control lcore through worker 0's learn ring, as the worker would. */
static void
post_events(const struct vtep_learn_event *ev, unsigned int n)
{
	struct rte_ring *r = rt.workers[0]->learn_ring;

	for (unsigned int done = 0; done < n;) {
		done += rte_ring_sp_enqueue_burst_elem(r, ev + done, sizeof(*ev), n - done, NULL);
		while (rte_ring_count(r) > 0)
			vtep_ctl_poll(ctl);
	}
	drain(under_out);
}

static unsigned int count_neigh_cb_n;

static void
count_neigh_cb(const struct vtep_neigh_info *info __rte_unused, void *arg __rte_unused)
{
	count_neigh_cb_n++;
}

static unsigned int
nb_neighbors(void)
{
	count_neigh_cb_n = 0;
	vtep_neigh_walk(vtep_ctl_neigh(ctl), 0, count_neigh_cb, NULL);
	return count_neigh_cb_n;
}

/* Remotes that hold a slot now (released ones not counted). */
static unsigned int
nb_live_remotes(void)
{
	unsigned int n = 0;

	for (uint32_t i = 1; i < rt.remotes->p.size; i++)
		n += vtep_remote_live(vtep_remote_slot(rt.remotes, i));
	return n;
}

static uint64_t
drop(enum vtep_drop d)
{
	uint64_t n = 0;

	for (unsigned int l = 0; l <= rt.nb_workers; l++)
		n += rt.stats[l].drops[d];
	return n;
}

/*
 * Forged outer sources (section 2): one new MAC from each of 5000 new on-link sources. The remote
 * table takes what it has room for and refuses the rest (learn_no_remote), the neighbor table
 * stays at its 256 entries; when the entries age out, both empty again. A released slot is not
 * handed out while a worker has not passed a quiescent state since; then it is, with its
 * counters starting from zero, and learning from new sources works again.
 */
static void
test_remote_reclaim(void)
{
	static struct vtep_learn_event ev[5000];
	const struct rte_ether_addr mac = pkt_mac("02:00:00:00:77:01");
	uint32_t size = rt.remotes->p.size, now = vtep_fdb_now();
	unsigned int configured = nb_live_remotes(), room = size - 1 - configured;
	uint64_t no_remote = drop(VTEP_DROP_LEARN_NO_REMOTE);
	struct vtep_learn_event one;
	int slot;

	CHECK(configured == 2); /* VNI 42's group, VNI 43's head-end remote */
	for (unsigned int i = 0; i < RTE_DIM(ev); i++)
		ev[i] = learn_event(0, i, forged_ip(i));
	post_events(ev, RTE_DIM(ev));
	CHECKF(vtep_fdb_counters(rt.fdb)->nb_learned == room, "%u learned, room for %u",
			vtep_fdb_counters(rt.fdb)->nb_learned, room);
	CHECK(nb_live_remotes() == size - 1);
	CHECKF(drop(VTEP_DROP_LEARN_NO_REMOTE) - no_remote == RTE_DIM(ev) - room,
			"learn_no_remote %" PRIu64, drop(VTEP_DROP_LEARN_NO_REMOTE) - no_remote);
	CHECKF(nb_neighbors() == VTEP_NEIGH_SIZE, "%u neighbors", nb_neighbors());
	/* Full: a static entry to a new remote is refused. */
	CHECK(vtep_ctl_fdb_set(ctl, VTEP_CTL_FDB_ADD, 0, &mac, pkt_ip("172.16.200.1")) == -ENOSPC);

	/* A worker (thread id 0) online that has not passed a quiescent state. */
	CHECK(rte_rcu_qsbr_thread_register(rt.qsbr, 0) == 0);
	rte_rcu_qsbr_thread_online(rt.qsbr, 0);
	vtep_ctl_age(ctl, now + 1000);
	CHECKF(vtep_fdb_counters(rt.fdb)->nb_learned == 0, "%u left",
			vtep_fdb_counters(rt.fdb)->nb_learned);
	CHECKF(nb_live_remotes() == configured, "%u remotes after ageing", nb_live_remotes());
	/* The head-end remote's stays. */
	CHECKF(nb_neighbors() == 1, "%u neighbors after ageing", nb_neighbors());
	CHECK(rt.remotes->nb_released == room);
	/* Released, but the worker may still hold an entry that names a slot: none is reused. */
	CHECK(vtep_ctl_fdb_set(ctl, VTEP_CTL_FDB_ADD, 0, &mac, pkt_ip("172.16.200.1")) == -ENOSPC);
	/* The old remote of the first learned slot had traffic; the next remote there has none. */
	slot = configured + 1;
	rt.stats[0].remotes[slot].rx_pkts = 7;
	rte_rcu_qsbr_quiescent(rt.qsbr, 0);
	CHECK(vtep_ctl_fdb_set(ctl, VTEP_CTL_FDB_ADD, 0, &mac, pkt_ip("172.16.200.1")) == 0);
	CHECK(vtep_fdb_lookup(rt.fdb, vtep_fdb_key(0, &mac))->remote == slot);
	CHECK(vtep_ctl_remote_base(ctl, slot)->rx_pkts == 7);
	rte_rcu_qsbr_thread_offline(rt.qsbr, 0);
	rte_rcu_qsbr_thread_unregister(rt.qsbr, 0);
	/* The next pass frees the rest; learning from new sources works again. */
	vtep_ctl_age(ctl, now + 1000);
	CHECK(rt.remotes->nb_released == 0 && rt.remotes->nb_used == configured + 1);
	one = learn_event(0, 9999, forged_ip(9999));
	post_events(&one, 1);
	CHECK(vtep_fdb_counters(rt.fdb)->nb_learned == 1 && nb_live_remotes() == configured + 2);
	/* The static entry holds its remote; deleting it lets the slot go too. */
	CHECK(vtep_ctl_fdb_set(ctl, VTEP_CTL_FDB_DEL, 0, &mac, 0) == 0);
	vtep_ctl_age(ctl, now + 2000);
	CHECK(nb_live_remotes() == configured && vtep_fdb_counters(rt.fdb)->nb_learned == 0);
}

/*
 * MAC flooding (section 4): 150 new MACs, each from a new source, into VNI 44 (learnrate 1 burst
 * 100). The burst is learned, the rest refused and counted (learn_rate), and a refused learn
 * takes no remote slot and no neighbor entry, and sends no ARP request.
 */
static void
test_learn_rate(void)
{
	static struct vtep_learn_event ev[150];
	unsigned int remotes = nb_live_remotes(), neighbors = nb_neighbors(), learned;
	uint64_t rate = drop(VTEP_DROP_LEARN_RATE), arp = rt.stats[0].underlay_tx;

	for (unsigned int i = 0; i < RTE_DIM(ev); i++)
		ev[i] = learn_event(2, 20000 + i, forged_ip(20000 + i));
	post_events(ev, RTE_DIM(ev));
	learned = vtep_fdb_counters(rt.fdb)->vni_learned[2];
	/* 100 at once, and 1 a second if the clock ticked meanwhile. */
	CHECKF(learned >= 100 && learned <= 102, "%u learned", learned);
	CHECKF(drop(VTEP_DROP_LEARN_RATE) - rate == RTE_DIM(ev) - learned, "learn_rate %" PRIu64,
			drop(VTEP_DROP_LEARN_RATE) - rate);
	CHECKF(nb_live_remotes() == remotes + learned, "%u remotes for %u learned",
			nb_live_remotes() - remotes, learned);
	CHECKF(nb_neighbors() == neighbors + learned, "%u neighbors for %u learned",
			nb_neighbors() - neighbors, learned);
	/* Every new remote's MAC came with its frame: no ARP request went out. */
	CHECK(rt.stats[0].underlay_tx == arp);
	vtep_ctl_age(ctl, vtep_fdb_now() + 1000);
	CHECK(vtep_fdb_counters(rt.fdb)->vni_learned[2] == 0 && nb_live_remotes() == remotes);
}

/* What the FDB notifier told (vtep_ctl_set_notify). */
static unsigned int nb_frozen_events, nb_unfrozen_events;

static void
on_fdb(void *arg __rte_unused, enum vtep_fdb_change what, uint64_t key __rte_unused,
		rte_be32_t dst_be __rte_unused, uint16_t remote __rte_unused,
		uint8_t flags __rte_unused)
{
	nb_frozen_events += what == VTEP_FDB_EV_FROZEN;
	nb_unfrozen_events += what == VTEP_FDB_EV_UNFROZEN;
}

/*
 * MAC-move dampening (section 4) on the whole path: a MAC whose frames come from two remotes in
 * turn. Without it the MAC moves with every learn event, forever (twice a second per worker: the
 * learn filter lets one event per MAC and remote through each second). With VNI 42's default
 * movedamp 5 180 180 it moves five times, the sixth move freezes it at its remote: the other
 * remote's frames are dropped (rx_mac_frozen) and post no learn event, the notifier is told;
 * after the hold-down time it is released and learns again.
 */
static void
test_movedamp(void)
{
	const char *a = "172.16.91.140", *b = "172.16.91.141", *mac = "02:00:00:00:66:01";
	struct rte_ether_addr m = pkt_mac(mac);
	const struct vtep_fdb_counters *c = vtep_fdb_counters(rt.fdb);
	uint64_t moved = c->moved, frozen_drops = drop(VTEP_DROP_RX_MAC_FROZEN);
	uint64_t learn_frozen = drop(VTEP_DROP_LEARN_FROZEN);
	const struct vtep_fdb_entry *e;
	unsigned int delivered = 0, sent = 0;
	/* The worker's seconds follow the FDB's own, so that ageing leaves the entry alone. */
	uint32_t t = vtep_fdb_now();

	vtep_ctl_set_notify(ctl, on_fdb, NULL, NULL);
	worker_clock(t);
	put_vxlan(a, 42, mac);
	settle();
	sent++;
	/* Ten rounds, a second apart on the worker's clock, a frame from each remote. */
	for (unsigned int r = 0; r < 10; r++) {
		worker_clock(++t);
		put_vxlan(b, 42, mac);
		settle();
		put_vxlan(a, 42, mac);
		settle();
		sent += 2;
	}
	delivered = drain(in0_out);
	e = vtep_fdb_lookup(rt.fdb, vtep_fdb_key(0, &m));
	CHECKF(c->moved - moved == 5, "%" PRIu64 " moves", c->moved - moved);
	CHECK(e != NULL && e->dst_be == pkt_ip(b) && (e->flags & VTEP_FDB_FROZEN));
	CHECK(c->frozen == 1 && c->nb_frozen == 1 && nb_frozen_events == 1);
	/* The sixth move was refused on the control lcore; then frames from a never reach it. */
	CHECK(drop(VTEP_DROP_LEARN_FROZEN) - learn_frozen == 1);
	CHECKF(drop(VTEP_DROP_RX_MAC_FROZEN) - frozen_drops == 7, "rx_mac_frozen %" PRIu64,
			drop(VTEP_DROP_RX_MAC_FROZEN) - frozen_drops);
	CHECKF(delivered == sent - 7, "%u of %u frames delivered", delivered, sent);
	/* Released after the hold-down; the next frame from a moves it. */
	vtep_ctl_age(ctl, t + 181);
	CHECK(c->nb_frozen == 0 && c->unfrozen == 1 && nb_unfrozen_events == 1);
	CHECK(!(e->flags & VTEP_FDB_FROZEN) && e->dst_be == pkt_ip(b));
	worker_clock(++t);
	put_vxlan(a, 42, mac);
	settle();
	CHECK(e->dst_be == pkt_ip(a) && c->moved - moved == 6 && drain(in0_out) == 1);
	worker_clock(0);
	vtep_ctl_set_notify(ctl, NULL, NULL, NULL);
	/* Leave no learned remote behind for the next test. */
	vtep_ctl_fdb_flush(ctl, -1, 0);
	vtep_ctl_remotes_release(ctl);
}

/*
 * Tenant isolation (section 4): MAC 02:00:00:00:55:01 sits behind 172.16.91.150 in VNI 42 and
 * behind 172.16.91.151 in VNI 43. Both entries stay apart; each VNI's frames reach only its inner
 * port; each inner port's answer goes to its own VNI's remote with its own VNI; a broadcast on
 * inner port 0 goes to VNI 42's group only, on inner port 1 to VNI 43's head-end remote only.
 * With the VNI left out of the FDB key the second learn would move the first entry; with one
 * flood list for both VNIs each broadcast would go to both destinations.
 */
static void
test_isolation(void)
{
	const char *a = "172.16.91.150", *b = "172.16.91.151", *mac = "02:00:00:00:55:01";
	struct rte_ether_addr m = pkt_mac(mac);
	const struct vtep_fdb_entry *e0, *e1;
	uint64_t moved = vtep_fdb_counters(rt.fdb)->moved;
	rte_be32_t dst[8];
	uint32_t vni[8];
	unsigned int n, other;

	drain(under_out);
	put_vxlan(a, 42, mac);
	settle();
	put_vxlan(b, 43, mac);
	settle();
	e0 = vtep_fdb_lookup(rt.fdb, vtep_fdb_key(0, &m));
	e1 = vtep_fdb_lookup(rt.fdb, vtep_fdb_key(1, &m));
	CHECK(e0 != NULL && e0->dst_be == pkt_ip(a) && e0->vni_idx == 0);
	CHECK(e1 != NULL && e1->dst_be == pkt_ip(b) && e1->vni_idx == 1);
	CHECK(vtep_fdb_counters(rt.fdb)->moved == moved);
	CHECK(drain(in0_out) == 1 && drain(in1_out) == 1);
	/* The answers: each to its own VNI's remote. */
	put_inner(in0_in, mac);
	settle();
	n = take_vxlan(dst, vni, RTE_DIM(dst), &other);
	CHECKF(n == 1 && dst[0] == pkt_ip(a) && vni[0] == 42, "VNI 42 answer: %u frames", n);
	put_inner(in1_in, mac);
	settle();
	n = take_vxlan(dst, vni, RTE_DIM(dst), &other);
	CHECKF(n == 1 && dst[0] == pkt_ip(b) && vni[0] == 43, "VNI 43 answer: %u frames", n);
	/* Floods: each to its own VNI's destinations only. */
	put_inner(in0_in, "ff:ff:ff:ff:ff:ff");
	settle();
	n = take_vxlan(dst, vni, RTE_DIM(dst), &other);
	CHECKF(n == 1 && dst[0] == pkt_ip("239.1.1.1") && vni[0] == 42, "VNI 42 flood: %u", n);
	put_inner(in1_in, "ff:ff:ff:ff:ff:ff");
	settle();
	n = take_vxlan(dst, vni, RTE_DIM(dst), &other);
	CHECKF(n == 1 && dst[0] == pkt_ip(HER) && vni[0] == 43, "VNI 43 flood: %u", n);
	CHECK(drain(in0_out) == 0 && drain(in1_out) == 0);
	CHECK(vtep_ctl_fdb_flush(ctl, -1, 0) == 2);
}

/*
 * No amplification (section 4). vtepd has one inner port per VNI, so what comes out of the tunnel
 * goes to that port and nowhere else: broadcast, multicast and unknown unicast from a remote VTEP
 * are delivered once, to the inner port, and never flooded back into the tunnel, not even when
 * the sender is on the VNI's head-end list (RFC 7348 section 4.2: a VTEP floods only what its own
 * hosts send). Our own floods looped back are dropped (rx_own_packet), and no head-end list or
 * static entry can name the local address, at start (validation) or at run time.
 */
static void
test_no_amplification(void)
{
	const struct rte_ether_addr zero = {{0}};
	const struct rte_ether_addr mac = pkt_mac("02:00:00:00:55:09");
	rte_be32_t dst[8];
	uint32_t vni[8];
	unsigned int n, other;
	uint64_t own = drop(VTEP_DROP_RX_SELF);

	drain(under_out);
	/* VNI 43 floods to HER; put the sender on its list too. */
	CHECK(vtep_ctl_fdb_set(ctl, VTEP_CTL_FDB_APPEND, 1, &zero, pkt_ip("172.16.91.152")) == 0);
	put_vxlan("172.16.91.152", 43, "02:00:00:00:55:02");
	settle();
	drain(in1_out);
	{
		static const char *const to[] = {"ff:ff:ff:ff:ff:ff", "01:00:5e:01:02:03",
				"33:33:00:00:00:01", "02:00:00:00:99:99"};

		for (unsigned int i = 0; i < RTE_DIM(to); i++) {
			uint8_t inner[128], buf[256];
			struct pkt_outer o = {.dst_mac = under_mac,
					.src_mac = "02:00:00:00:91:52",
					.sip = "172.16.91.152",
					.dip = LOCAL,
					.sport = 40000,
					.dport = 4789,
					.vni = 43};
			size_t ni = pkt_inner_udp(inner, to[i], "02:00:00:00:55:02", "10.0.0.9",
					"10.0.0.255", 2, 1, 20);

			CHECK(rte_ring_enqueue(under_in,
					      pkt_mbuf(vtep_test_pool(), buf,
							      pkt_vxlan(buf, &o, inner, ni))) == 0);
		}
	}
	settle();
	n = take_vxlan(dst, vni, RTE_DIM(dst), &other);
	CHECKF(n == 0, "%u VXLAN frames sent back into the tunnel", n);
	CHECKF(drain(in1_out) == 4 && drain(in0_out) == 0, "not once each to the inner port");
	/* The same flood sent by our own host does go to both. */
	put_inner(in1_in, "ff:ff:ff:ff:ff:ff");
	settle();
	n = take_vxlan(dst, vni, RTE_DIM(dst), &other);
	CHECKF(n == 2, "%u copies of an inner broadcast", n);
	/* A frame of ours looped back. */
	put_vxlan(LOCAL, 43, "02:00:00:00:55:03");
	settle();
	CHECK(drop(VTEP_DROP_RX_SELF) == own + 1 && drain(in1_out) == 0);
	/* The local address on a head-end list or as a static entry's remote: refused. */
	CHECK(vtep_ctl_fdb_set(ctl, VTEP_CTL_FDB_APPEND, 1, &zero, pkt_ip(LOCAL)) == -EINVAL);
	CHECK(vtep_ctl_fdb_set(ctl, VTEP_CTL_FDB_REPLACE, 0, &zero, pkt_ip(LOCAL)) == -EINVAL);
	CHECK(vtep_ctl_fdb_set(ctl, VTEP_CTL_FDB_ADD, 0, &mac, pkt_ip(LOCAL)) == -EINVAL);
	CHECK(vtep_ctl_fdb_set(ctl, VTEP_CTL_FDB_APPEND, 1, &zero, pkt_ip("255.255.255.255")) ==
			-EINVAL);
	for (unsigned int v = 0; v < 2; v++)
		for (unsigned int i = 0; i < vtep_ctl_encap_vnis(ctl)[v].nb_floods; i++)
			CHECK(vtep_remote_slot(rt.remotes, vtep_ctl_encap_vnis(ctl)[v].floods[i])
							->ip_be != pkt_ip(LOCAL));
	CHECK(vtep_remote_find(rt.remotes, pkt_ip(LOCAL)) < 0);
	CHECK(vtep_ctl_fdb_set(ctl, VTEP_CTL_FDB_DEL, 1, &zero, pkt_ip("172.16.91.152")) == 0);
	vtep_ctl_fdb_flush(ctl, -1, 0);
}

/*
 * Send 300 copies of the request buf (size bytes) to the underlay, 100 at a time, letting the
 * worker and the control lcore run after each hundred. @return the frames sent back on the
 * underlay that is_reply() calls replies.
 */
static unsigned int
flood_requests(const uint8_t *buf, size_t size, bool (*is_reply)(const uint8_t *p))
{
	unsigned int replies = 0, sent = 0;

	drain(under_out);
	while (sent < 300) {
		struct rte_mbuf *m[128];
		unsigned int n;

		for (unsigned int i = 0; i < 100; i++, sent++)
			CHECK(rte_ring_enqueue(under_in, pkt_mbuf(vtep_test_pool(), buf, size)) ==
					0);
		settle();
		vtep_fwd_poll(rt.workers[0]);
		while ((n = rte_ring_dequeue_burst(under_out, (void **)m, RTE_DIM(m), NULL)) > 0) {
			for (unsigned int i = 0; i < n; i++)
				replies += is_reply(rte_pktmbuf_mtod(m[i], const uint8_t *));
			rte_pktmbuf_free_bulk(m, n);
		}
	}
	return replies;
}

static bool
is_arp_reply(const uint8_t *p)
{
	return p[12] == 0x08 && p[13] == 0x06 && p[21] == 2;
}

static bool
is_echo_reply(const uint8_t *p)
{
	return p[12] == 0x08 && p[13] == 0x00 && p[23] == IPPROTO_ICMP && p[34] == 0;
}

/*
 * A flood of 300 ARP requests for the VTEP address, from one sender: the default arp-rate (100 a
 * second, as many at once) answers the first 100 and, if the clock ticks meanwhile, up to 100
 * more; the rest are counted (ctl_arp_limit). Before the limit every request got its reply.
 */
static void
test_arp_rate(void)
{
	uint64_t limited = drop(VTEP_DROP_CTL_ARP_LIMIT);
	uint8_t buf[64];
	size_t size = pkt_arp(buf, 1, "ff:ff:ff:ff:ff:ff", "02:00:00:00:91:90", "172.16.91.144",
			"00:00:00:00:00:00", LOCAL);
	unsigned int sent = 300, replies = flood_requests(buf, size, is_arp_reply);

	CHECKF(replies >= 100 && replies <= 200, "%u replies to 300 requests", replies);
	CHECKF(drop(VTEP_DROP_CTL_ARP_LIMIT) - limited == sent - replies,
			"ctl_arp_limit %" PRIu64 " for %u replies",
			drop(VTEP_DROP_CTL_ARP_LIMIT) - limited, replies);
}

/*
 * A flood of 300 echo requests to the VTEP address at icmp-rate 50 (this test's words): the
 * first 50 are answered at once and at most 50 more for each second the flood took (measured
 * here, so a slow machine cannot fail it); every other one is counted (ctl_icmp_limit).
 * Before the limit every request got its reply.
 */
static void
test_icmp_rate(void)
{
	uint64_t limited = drop(VTEP_DROP_CTL_ICMP_LIMIT), t0, max;
	unsigned int replies, sent = 300;
	struct rte_ipv4_hdr *ip;
	uint8_t buf[64];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &rt.underlay.mac, 6);
	memcpy(buf + 6, "\x02\x00\x00\x00\x91\x90\x08\x00", 8);
	ip = (struct rte_ipv4_hdr *)(buf + 14);
	ip->version_ihl = 0x45;
	ip->total_length = RTE_BE16(28);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = pkt_ip("172.16.91.144");
	ip->dst_addr = pkt_ip(LOCAL);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	buf[34] = 8; /* echo request */
	pkt_put_csum(buf + 36, buf + 34, 8);
	t0 = rte_rdtsc();
	replies = flood_requests(buf, 14 + 28, is_echo_reply);
	max = 50 + 50 * ((rte_rdtsc() - t0) / rte_get_tsc_hz() + 1);
	CHECKF(replies >= 50 && replies <= max, "%u replies to 300 echo requests (at most %" PRIu64
			")", replies, max);
	CHECKF(drop(VTEP_DROP_CTL_ICMP_LIMIT) - limited == sent - replies,
			"ctl_icmp_limit %" PRIu64 " for %u replies",
			drop(VTEP_DROP_CTL_ICMP_LIMIT) - limited, replies);
}

int
main(void)
{
	static struct vtep_conf conf;
	static char words[][24] = {"dev", "net_ring_under0", "local", LOCAL "/16", "id", "42",
			"group", "239.1.1.1", "inner", "net_ring_inner0", "id", "43", "remote", HER,
			"inner", "net_ring_inner1", "neigh", HER, "lladdr", "02:00:00:00:91:83",
			"id", "44", "inner", "net_ring_inner2", "learnrate", "1", "burst", "100",
			"icmp-rate", "50"};
	char *argv[RTE_DIM(words)];
	char err[256];
	unsigned int in_use;

	vtep_test_eal_init("attack", "-l", "0,1", NULL);
	make_ports();
	vtep_conf_init(&conf);
	for (unsigned int i = 0; i < RTE_DIM(words); i++)
		argv[i] = words[i];
	CHECK(vtep_conf_parse_args(&conf, RTE_DIM(words), argv, err, sizeof(err)) == 0);
	CHECK(vtep_conf_validate(&conf, err, sizeof(err)) == 0);
	conf.nb_mbufs = 8192;
	if (vtep_runtime_create(&rt, &conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "vtep_runtime_create: %s\n", err);
		CHECK(0);
		return vtep_test_done("attack");
	}
	rte_ether_format_addr(under_mac, sizeof(under_mac), &rt.underlay.mac);
	ctl = vtep_ctl_create(&rt);
	CHECK(ctl != NULL);
	drain(under_out);
	in_use = rte_mempool_in_use_count(rt.pool);
	test_remote_reclaim();
	test_isolation();
	test_no_amplification();
	test_movedamp();
	test_learn_rate();
	test_arp_rate();
	test_icmp_rate();
	drain(under_out);
	CHECKF(rte_mempool_in_use_count(rt.pool) <= in_use, "vtepd's mbufs in use %u, before %u",
			rte_mempool_in_use_count(rt.pool), in_use);
	vtep_ctl_free(ctl);
	vtep_runtime_free(&rt);
	return vtep_test_done("attack");
}
