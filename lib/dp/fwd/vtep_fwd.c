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
 * Learn events to the control lcore. A learn event the ring refuses is counted, and the frame any
 * refused event carried is delivered now: without the entry, its answer may be flooded, but
 * nothing is lost.
 */
static void
to_learn(struct vtep_worker *w, struct vtep_decap_out *out)
{
	unsigned int sent = rte_ring_sp_enqueue_burst_elem(
			w->learn_ring, out->learn, sizeof(out->learn[0]), out->nb_learn, NULL);

	for (unsigned int i = 0; i < sent; i++)
		w->held_posted += out->learn[i].m != NULL;
	if (likely(sent == out->nb_learn))
		return;
	for (unsigned int i = sent; i < out->nb_learn; i++) {
		if (!(out->learn[i].flags & VTEP_LEARN_DELIVER_ONLY))
			w->st->drops[VTEP_DROP_RX_LEARN_RING_FULL]++;
		if (out->learn[i].m == NULL)
			continue;
		out->inner_vni[out->nb_inner] = vtep_fdb_key_vni(out->learn[i].key);
		out->inner[out->nb_inner++] = out->learn[i].m;
	}
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

	st->underlay_rx += n;
	vtep_decap_burst(w->decap, pkts, n, fwd_now(w), &w->lf, &w->fc, &out, st);
	if (out.nb_ctl > 0)
		to_control(w, &out);
	if (out.nb_learn > 0)
		to_learn(w, &out);
	if (out.nb_inner == 0)
		return;
	if (w->nb_vnis == 1) {
		/* One VNI: the burst goes to its port as it is. */
		vtep_capture_burst(w->capture, w->id, w->inner[0].port_id, w->inner_tx[0].queue, 0,
				out.inner, out.nb_inner, RTE_PCAPNG_DIRECTION_OUT);
		st->inner_tx += vtep_txq_send(&w->inner_tx[0], out.inner, out.nb_inner,
				&st->drops[VTEP_DROP_TX_INNER_FULL]);
		return;
	}
	for (uint16_t i = 0; i < out.nb_inner; i++) {
		uint16_t v = out.inner_vni[i];

		w->inner_out[v][w->nb_inner_out[v]++] = out.inner[i];
	}
	for (unsigned int v = 0; v < w->nb_vnis; v++) {
		uint16_t nb = w->nb_inner_out[v];

		if (nb == 0)
			continue;
		vtep_capture_burst(w->capture, w->id, w->inner[v].port_id, w->inner_tx[v].queue, v,
				w->inner_out[v], nb, RTE_PCAPNG_DIRECTION_OUT);
		st->inner_tx += vtep_txq_send(&w->inner_tx[v], w->inner_out[v], nb,
				&st->drops[VTEP_DROP_TX_INNER_FULL]);
		w->nb_inner_out[v] = 0;
	}
}

static void
inner_rx(struct vtep_worker *w, unsigned int vni_idx, struct rte_mbuf **pkts, uint16_t n)
{
	struct vtep_lcore_stats *st = w->st;
	uint16_t nb_out;

	st->inner_rx += n;
	nb_out = vtep_encap_burst(w->encap, vni_idx, pkts, n, w->outer_out, &w->ip_id, &w->fc, st);
	vtep_capture_burst(w->capture, w->id, w->underlay->port_id, w->underlay_tx.queue, -1,
			w->outer_out, nb_out, RTE_PCAPNG_DIRECTION_OUT);
	st->underlay_tx += vtep_txq_send(&w->underlay_tx, w->outer_out, nb_out,
			&st->drops[VTEP_DROP_TX_UNDERLAY_FULL]);
}

unsigned int
vtep_fwd_poll(struct vtep_worker *w)
{
	struct rte_mbuf *pkts[VTEP_BURST];
	unsigned int total = 0;
	uint16_t n;

	if (w->drains) {
		/* Queue 0 of every port is ours: send what the control lcore and queue-less
		 * workers left on the ports' rings. First, so that frames the control lcore
		 * delivered after a learn go out before later frames of the same MAC that
		 * this poll forwards directly; and what it had delivered before the drain is
		 * sent by it, so only the rest may still be overtaken (lf.holding). */
		w->lf.holding = __atomic_load_n(&w->held_done, __ATOMIC_ACQUIRE) != w->held_posted;
		w->st->underlay_tx += vtep_port_drain(
				w->underlay, &w->st->drops[VTEP_DROP_TX_UNDERLAY_FULL]);
		for (unsigned int v = 0; v < w->nb_vnis; v++)
			w->st->inner_tx += vtep_port_drain(
					&w->inner[v], &w->st->drops[VTEP_DROP_TX_INNER_FULL]);
	}
	for (uint16_t i = 0; i < w->nb_rx; i++) {
		const struct vtep_worker_rx *rx = &w->rx[i];

		n = rte_eth_rx_burst(rx->port_id, rx->queue, pkts, VTEP_BURST);
		if (n == 0)
			continue;
		total += n;
		vtep_capture_burst(w->capture, w->id, rx->port_id, rx->queue, rx->vni_idx, pkts, n,
				RTE_PCAPNG_DIRECTION_IN);
		if (rx->vni_idx < 0)
			underlay_rx(w, pkts, n);
		else
			inner_rx(w, rx->vni_idx, pkts, n);
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
