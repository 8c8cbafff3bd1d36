/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop: the only place that knows the order of the steps. Run to completion over bursts:
 * RX underlay -> decap -> TX inner, learn and control frames to the control lcore; RX inner ->
 * encap/flood -> TX underlay. No lock, syscall, allocation (but flood copies from the pool) or log
 * per packet.
 *
 * A worker's state holds pointers to everything it reads (the decap and encap facts, the ports,
 * the capture); the control plane (lib/cp/runtime) fills it in before launch. Nothing here knows
 * the control plane's structures.
 */
#ifndef VTEP_FWD_H
#define VTEP_FWD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "vtep_bridge.h"
#include "vtep_capture.h"
#include "vtep_decap.h"
#include "vtep_encap.h"
#include "vtep_hold.h"
#include "vtep_port.h"
#include "vtep_stats.h"

/** Frames per RX burst. */
#define VTEP_BURST 32
/** Most workers. */
#define VTEP_MAX_WORKERS 16
/** Learn events one worker can have in flight to the control lcore. */
#define VTEP_LEARN_RING_SIZE 4096
/** Control frames one worker can have in flight to the control lcore. */
#define VTEP_CTL_RING_SIZE 512

/** One RX queue a worker polls. */
struct vtep_worker_rx {
	uint16_t port_id; /**< Port. */
	uint16_t queue;   /**< RX queue. */
	int16_t lport;    /**< -1: the underlay port; else the local port (struct vtep_bd). */
	int16_t vni_idx;  /**< For capture filters: -1 underlay, the access port's VNI, or more. */
};

/** A worker lcore's own state; no other lcore writes it (but learn_done, on its own line). */
struct vtep_worker {
	const volatile bool *quit;            /**< Set by the control lcore: leave the loop. */
	struct rte_rcu_qsbr *qsbr;            /**< Where the worker reports quiescent states. */
	const struct vtep_decap_ctx *decap;   /**< Decap facts. */
	const struct vtep_encap_ctx *encap;   /**< Encap facts. */
	const struct vtep_bridge_ctx *bridge; /**< Bridge domains. */
	struct vtep_capture *capture;         /**< Packet capture (off until started). */
	const struct vtep_port *underlay;     /**< The underlay port. */
	const struct vtep_port *ports;        /**< Local ports (struct vtep_bd order). */
	unsigned int nb_ports;                /**< Entries in ports. */
	unsigned int id;                      /**< Worker number, 0-based. */
	unsigned int lcore_id;                /**< EAL lcore. */
	struct vtep_lcore_stats *st;          /**< This worker's counters. */
	uint16_t nb_rx;                       /**< Queues in rx. */
	struct vtep_worker_rx rx[VTEP_MAX_PORTS + 1]; /**< Queues this worker polls. */
	struct vtep_txq underlay_tx;                  /**< Where it sends outer frames. */
	struct vtep_txq port_tx[VTEP_MAX_PORTS];      /**< Where it sends, per local port. */
	bool drains;                 /**< Owns queue 0 of every port: drains TX rings. */
	struct rte_ring *learn_ring; /**< SP/SC: learn events to control. */
	struct rte_ring *ctl_ring;   /**< SP/SC: ARP/IGMP/ICMP frames to control. */
	uint16_t ip_id;              /**< IPv4 id counter of outer headers. */
	uint64_t last_rx_tsc;        /**< TSC of the last non-empty RX burst. */
	uint32_t now;                /**< vtep_fdb_now() as of the last loop. */
	uint64_t now_next_tsc; /**< TSC at which `now` becomes now + 1; 0 = not kept (tests). */
	uint16_t nb_inner_out[VTEP_MAX_VNIS]; /**< Frames waiting in inner_out, per VNI. */
	struct rte_mbuf *inner_out[VTEP_MAX_VNIS][VTEP_DECAP_MAX]; /**< Decap output per VNI. */
	struct vtep_bridge_out bout; /**< Frames for local ports, until the end of a burst. */
	struct vtep_bridge_rx brx;   /**< What a local port's burst produced besides. */
	struct rte_mbuf *outer_out[VTEP_BURST * VTEP_ENCAP_MAX_COPIES]; /**< Encap output. */
	struct vtep_learn_filter lf; /**< Learn events recently posted. */
	struct vtep_fdb_cache fc;    /**< FDB lookups of decap and encap (exact-match cache). */
	struct vtep_hold hold;       /**< Decapsulated frames waiting for learn events. */
	uint64_t learn_posted;       /**< Learn events the learn ring took (numbered from 1). */
	/** Of those, how many the control lcore has applied to the FDB (written by the control
	 * lcore only, with a release store after the FDB writes, on a line of its own). */
	uint64_t learn_done __rte_cache_aligned;
} __rte_cache_aligned;

/**
 * One pass over the worker's queues (the body of the loop; tests call it directly).
 * @return frames received in this pass.
 */
unsigned int vtep_fwd_poll(struct vtep_worker *w);

/**
 * Send every frame the worker still holds (at shutdown, once the worker has left its loop and
 * the control lcore has applied every learn event it posted), in order. Called by the control
 * lcore; it uses the worker's own TX queues, which nobody else uses then.
 */
void vtep_fwd_flush_held(struct vtep_worker *w);

/**
 * The lcore entry point (rte_eal_remote_launch): loops vtep_fwd_poll until *w->quit, reporting
 * a quiescent state each pass. @param arg struct vtep_worker *. @return 0.
 */
int vtep_fwd_main(void *arg);

#endif /* VTEP_FWD_H */
