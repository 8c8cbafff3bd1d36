/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "vtep_fwd.h"

/* Control frames to the control lcore, counted by kind. */
static void
to_control(struct vtep_worker *w, const struct vtep_decap_out *out)
{
	struct vtep_lcore_stats *st = w->st;
	unsigned int sent;

	for (uint16_t i = 0; i < out->nb_ctl; i++) {
		switch (out->ctl_kind[i]) {
		case VTEP_PARSE_ARP:
			st->ctl_arp++;
			break;
		case VTEP_PARSE_IGMP:
			st->ctl_igmp++;
			break;
		default:
			st->ctl_icmp++;
			break;
		}
	}
	sent = rte_ring_sp_enqueue_burst(w->ctl_ring, (void *const *)out->ctl, out->nb_ctl, NULL);
	if (unlikely(sent < out->nb_ctl)) {
		rte_pktmbuf_free_bulk(
				(struct rte_mbuf **)(uintptr_t)&out->ctl[sent], out->nb_ctl - sent);
		st->drops[VTEP_DROP_RX_CTL_RING_FULL] += out->nb_ctl - sent;
	}
}

/*
 * Learn events to the control lcore, numbered in the order the ring takes them. A learn event the
 * ring refuses is counted; its frame is not held (nothing will tell it the entry is in): without
 * the entry, its answer may be flooded, but nothing is lost. @return events the ring took.
 */
static unsigned int
to_learn(struct vtep_worker *w, const struct vtep_decap_out *out)
{
	unsigned int sent = rte_ring_sp_enqueue_burst_elem(
			w->learn_ring, out->learn, sizeof(out->learn[0]), out->nb_learn, NULL);

	if (unlikely(sent < out->nb_learn))
		w->st->drops[VTEP_DROP_RX_LEARN_RING_FULL] += out->nb_learn - sent;
	w->learn_posted += sent;
	return sent;
}

/*
 * nb decapsulated frames of VNI v (at most VTEP_DECAP_MAX), in order, to its bridge domain's
 * local ports (the bridge decides which; the capture sees them when they are sent). The hold
 * keeps order per VNI: a port of the VNI gets its frames in the order they arrived.
 */
static void
inner_send(struct vtep_worker *w, unsigned int v, struct rte_mbuf **pkts, uint16_t nb)
{
	uint16_t vnis[VTEP_DECAP_MAX];

	for (uint16_t i = 0; i < nb; i++)
		vnis[i] = (uint16_t)v;
	vtep_bridge_from_tunnel(w->bridge, pkts, vnis, nb, &w->fc, &w->bout);
	vtep_bridge_flush(w->bridge, &w->bout);
}

/* Send what waits in inner_out, per VNI. */
static void
inner_flush(struct vtep_worker *w)
{
	for (unsigned int v = 0; v < w->bridge->bd->nb_vnis; v++) {
		if (w->nb_inner_out[v] == 0)
			continue;
		inner_send(w, v, w->inner_out[v], w->nb_inner_out[v]);
		w->nb_inner_out[v] = 0;
	}
}

/*
 * Send the held frames whose learn events the control lcore has applied (done), port by port,
 * from the head of each port's list: they leave before any frame this poll receives. At most one
 * output burst per port and poll (all with `all`), so that a long hold does not flood the port's
 * TX queue at once; frames that arrive meanwhile wait behind.
 */
static void
release_held(struct vtep_worker *w, uint64_t done, bool all)
{
	uint64_t ports = w->hold.ports;
	uint16_t n;

	while (ports != 0) {
		unsigned int v = rte_bsf64(ports);

		ports &= ports - 1;
		do {
			n = vtep_hold_release(&w->hold, v, done, w->inner_out[v], VTEP_DECAP_MAX);
			if (n > 0)
				inner_send(w, v, w->inner_out[v], n);
		} while (all && n > 0);
	}
}

void
vtep_fwd_flush_held(struct vtep_worker *w)
{
	release_held(w, UINT64_MAX, true);
}

/*
 * The burst's inner frames, in order, to their ports (vtep_hold.h): a frame whose learn event the
 * ring took (numbered first .. first + nb_taken - 1) is held until the control lcore has applied
 * it, and a frame to a port that holds frames waits behind them; the others go now.
 */
static void
deliver(struct vtep_worker *w, const struct vtep_decap_out *out, uint64_t first,
		unsigned int nb_taken)
{
	for (uint16_t i = 0; i < out->nb_inner; i++) {
		unsigned int v = out->inner_vni[i];
		uint8_t l = out->inner_learn[i];
		uint64_t wait = l != 0 && l <= nb_taken ? first + l - 1 : 0;

		if (wait == 0 && !vtep_hold_busy(&w->hold, v)) {
			w->inner_out[v][w->nb_inner_out[v]++] = out->inner[i];
			continue;
		}
		/* Nothing may overtake a held frame: with no slot left, this one is dropped. */
		if (unlikely(vtep_hold_add(&w->hold, v, out->inner[i], wait) != 0)) {
			VTEP_DROP(w->st, RX_HOLD_FULL);
			rte_pktmbuf_free(out->inner[i]);
		}
	}
	inner_flush(w);
}

/* vtep_fdb_now(): kept by vtep_fwd_main's loop; read afresh when polled without it. */
static inline uint32_t
fwd_now(const struct vtep_worker *w)
{
	return likely(w->now_next_tsc != 0) ? w->now : vtep_fdb_now();
}

static void
underlay_rx(struct vtep_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	struct vtep_lcore_stats *st = w->st;
	struct vtep_decap_out out;
	uint64_t first = w->learn_posted + 1;
	unsigned int nb_taken = 0;

	st->underlay_rx += n;
	vtep_decap_burst(w->decap, pkts, n, fwd_now(w), &w->lf, &w->fc, &out, st);
	if (out.nb_ctl > 0)
		to_control(w, &out);
	if (out.nb_learn > 0)
		nb_taken = to_learn(w, &out);
	if (out.nb_inner == 0)
		return;
	if (unlikely(nb_taken > 0 || w->hold.ports != 0)) {
		deliver(w, &out, first, nb_taken);
		return;
	}
	vtep_bridge_from_tunnel(
			w->bridge, out.inner, out.inner_vni, out.nb_inner, &w->fc, &w->bout);
	vtep_bridge_flush(w->bridge, &w->bout);
}

/*
 * Local learn events to the control lcore, numbered with the others (learn_done counts every
 * event applied); no frame waits for them. A full ring is counted (the frames went on).
 */
static void
to_learn_local(struct vtep_worker *w, const struct vtep_bridge_rx *r)
{
	unsigned int sent = rte_ring_sp_enqueue_burst_elem(
			w->learn_ring, r->learn, sizeof(r->learn[0]), r->nb_learn, NULL);

	if (unlikely(sent < r->nb_learn))
		w->st->drops[VTEP_DROP_RX_LEARN_RING_FULL] += r->nb_learn - sent;
	w->learn_posted += sent;
}

static void
local_rx(struct vtep_worker *w, unsigned int lport, struct rte_mbuf **pkts, uint16_t n)
{
	struct vtep_lcore_stats *st = w->st;
	struct vtep_bridge_rx *r = &w->brx;

	st->inner_rx += n;
	r->outer = w->outer_out;
	vtep_bridge_from_port(w->bridge, lport, pkts, n, fwd_now(w), &w->lf, &w->fc, &w->ip_id,
			&w->bout, r);
	if (r->nb_learn > 0)
		to_learn_local(w, r);
	vtep_bridge_flush(w->bridge, &w->bout);
	if (r->nb_outer == 0)
		return;
	vtep_capture_burst(w->capture, w->id, w->underlay->port_id, w->underlay_tx.queue, -1,
			w->outer_out, r->nb_outer, RTE_PCAPNG_DIRECTION_OUT);
	st->underlay_tx += vtep_txq_send(&w->underlay_tx, w->outer_out, r->nb_outer,
			&st->drops[VTEP_DROP_TX_UNDERLAY_FULL]);
}

unsigned int
vtep_fwd_poll(struct vtep_worker *w)
{
	struct rte_mbuf *pkts[VTEP_BURST];
	unsigned int total = 0;
	uint16_t n;

	/* Held frames whose learn events are applied leave before this poll's frames. */
	if (unlikely(w->hold.ports != 0))
		release_held(w, __atomic_load_n(&w->learn_done, __ATOMIC_ACQUIRE), false);
	if (w->drains) {
		/* Queue 0 of every port is ours: send what the control lcore and queue-less
		 * workers left on the ports' rings. */
		w->st->underlay_tx += vtep_port_drain(
				w->underlay, &w->st->drops[VTEP_DROP_TX_UNDERLAY_FULL]);
		for (unsigned int l = 0; l < w->nb_ports; l++)
			w->st->inner_tx += vtep_port_drain(
					&w->ports[l], &w->st->drops[VTEP_DROP_TX_INNER_FULL]);
	}
	for (uint16_t i = 0; i < w->nb_rx; i++) {
		const struct vtep_worker_rx *rx = &w->rx[i];

		/* A burst could find no room behind the held frames: the queue waits (the PMD
		 * buffers or, full, drops and counts), rather than any frame overtaking them. */
		if (rx->vni_idx < 0 && unlikely(w->hold.nb_free < VTEP_BURST)) {
			w->st->underlay_waits++;
			continue;
		}
		n = rte_eth_rx_burst(rx->port_id, rx->queue, pkts, VTEP_BURST);
		if (n == 0)
			continue;
		total += n;
		vtep_capture_burst(w->capture, w->id, rx->port_id, rx->queue, rx->vni_idx, pkts, n,
				RTE_PCAPNG_DIRECTION_IN);
		if (rx->lport < 0)
			underlay_rx(w, pkts, n);
		else
			local_rx(w, rx->lport, pkts, n);
	}
	return total;
}

int
vtep_fwd_main(void *arg)
{
	struct vtep_worker *w = arg;
	uint64_t hz = rte_get_tsc_hz(), t0, t1;

	rte_rcu_qsbr_thread_register(w->qsbr, w->id);
	rte_rcu_qsbr_thread_online(w->qsbr, w->id);
	t0 = rte_rdtsc();
	w->last_rx_tsc = t0;
	w->now = vtep_fdb_now();
	w->now_next_tsc = (w->now + 1) * hz;
	while (!*w->quit) {
		unsigned int n = vtep_fwd_poll(w);

		rte_rcu_qsbr_quiescent(w->qsbr, w->id);
		t1 = rte_rdtsc();
		/* Both counters as the loop goes, so that telemetry reads them while it runs. */
		w->st->total_cycles += t1 - t0;
		if (n > 0) {
			w->st->busy_cycles += t1 - t0;
			w->last_rx_tsc = t1;
		}
		/* vtep_fdb_now() from the loop's own TSC read, once a second, rather than a TSC
		 * read and a division per burst. */
		if (unlikely(t1 >= w->now_next_tsc)) {
			w->now = (uint32_t)(t1 / hz);
			w->now_next_tsc = (w->now + 1) * hz;
		}
		t0 = t1;
	}
	rte_rcu_qsbr_thread_offline(w->qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(w->qsbr, w->id);
	return 0;
}
