/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runtime context: what vtepd builds from a validated configuration (ports, mempool, FDB,
 * remote table, per-worker state and rings) and what workers and the control lcore share.
 * Workers read it; only the control lcore writes the tables in it.
 */
#ifndef VTEP_CTX_H
#define VTEP_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "vtep_capture.h"
#include "vtep_conf.h"
#include "vtep_decap.h"
#include "vtep_encap.h"
#include "vtep_fdb.h"
#include "vtep_parse.h"
#include "vtep_port.h"
#include "vtep_remote.h"
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
	int16_t vni_idx;  /**< -1: the underlay port; else the VNI of this inner port. */
};

struct vtep_ctx;

/** A worker lcore's own state; no other lcore writes it. */
struct vtep_worker {
	struct vtep_ctx *ctx;                        /**< What it works on. */
	unsigned int id;                             /**< Worker number, 0-based. */
	unsigned int lcore_id;                       /**< EAL lcore. */
	struct vtep_lcore_stats *st;                 /**< This worker's counters. */
	uint16_t nb_rx;                              /**< Queues in rx. */
	struct vtep_worker_rx rx[VTEP_MAX_VNIS + 1]; /**< Queues this worker polls. */
	struct vtep_txq underlay_tx;                 /**< Where it sends outer frames. */
	struct vtep_txq inner_tx[VTEP_MAX_VNIS];     /**< Where it sends inner frames, per VNI. */
	bool drains;                 /**< Owns queue 0 of every port: drains TX rings. */
	struct rte_ring *learn_ring; /**< SP/SC: learn events to control. */
	struct rte_ring *ctl_ring;   /**< SP/SC: ARP/IGMP/ICMP frames to control. */
	uint16_t ip_id;              /**< IPv4 id counter of outer headers. */
	uint64_t last_rx_tsc;        /**< TSC of the last non-empty RX burst. */
	uint32_t now;                /**< vtep_fdb_now() as of the last loop. */
	uint64_t now_next_tsc; /**< TSC at which `now` becomes now + 1; 0 = not kept (tests). */
	uint16_t nb_inner_out[VTEP_MAX_VNIS]; /**< Frames waiting in inner_out, per VNI. */
	struct rte_mbuf *inner_out[VTEP_MAX_VNIS][VTEP_DECAP_MAX]; /**< Decap output per VNI. */
	struct rte_mbuf *outer_out[VTEP_BURST * VTEP_ENCAP_MAX_COPIES]; /**< Encap output. */
	struct vtep_learn_filter lf; /**< Learn events recently posted. */
	struct vtep_fdb_cache fc;    /**< FDB lookups of decap and encap (exact-match cache). */
	uint64_t held_posted;        /**< Frames this worker handed over with learn events. */
	/** Of those, the ones the control lcore has put on the inner ports' rings (written by
	 * the control lcore only, on a line of its own). */
	uint64_t held_done __rte_cache_aligned;
} __rte_cache_aligned;

/** Everything vtepd runs on. */
struct vtep_ctx {
	const struct vtep_conf *conf;          /**< The validated configuration. */
	volatile bool quit;                    /**< Set by signals: lcores leave their loops. */
	struct rte_mempool *pool;              /**< Packet buffers. */
	unsigned int pool_size;                /**< Mbufs in pool. */
	struct vtep_port underlay;             /**< The underlay port. */
	struct vtep_port inner[VTEP_MAX_VNIS]; /**< Inner port per VNI index. */
	struct vtep_parse_ctx parse;           /**< Classification facts. */
	struct vtep_decap_ctx decap;           /**< Decap facts. */
	struct vtep_encap_ctx encap;           /**< Encap facts. */
	struct vtep_encap_vni evnis[VTEP_MAX_VNIS]; /**< Per-VNI encap parameters. */
	struct vtep_fdb *fdb;                       /**< The FDB. */
	struct vtep_remotes *remotes;               /**< Remote VTEPs. */
	struct rte_rcu_qsbr *qsbr; /**< Workers' quiescent states for FDB reclamation. */
	unsigned int nb_workers;   /**< Workers. */
	struct vtep_worker *workers[VTEP_MAX_WORKERS]; /**< Their state. */
	/** Counters: one block per worker, then the control lcore's. */
	struct vtep_lcore_stats *stats;
	uint64_t idle_exit_tsc;       /**< Exit after this many idle cycles, 0 = never. */
	unsigned int baseline_in_use; /**< Mbufs in use once ports started (leak check). */
	struct vtep_capture *capture; /**< Packet capture (off until started). */
};

/**
 * Build the context from a validated configuration: find and set up ports, create the mempool,
 * FDB and remote table, static entries, workers and their rings.
 * @param err Message naming what failed.
 * @return 0, or a negative errno; on failure everything built is torn down.
 */
int vtep_ctx_create(struct vtep_ctx *ctx, const struct vtep_conf *conf, char *err, size_t err_size);

/** Tear down what vtep_ctx_create built: stop and close ports, free tables and rings. */
void vtep_ctx_free(struct vtep_ctx *ctx);

/** Stable MAC of the inner port of VNI index v: 02 + VNI (3 bytes) + 2 bytes of crc(dev MAC,
 * local). */
void vtep_ctx_inner_mac(const struct vtep_conf *conf, unsigned int v,
		const struct rte_ether_addr *underlay_mac, struct rte_ether_addr *mac);

/** Print every counter as `counter NAME VALUE` and the FDB as `fdb ...` lines. */
void vtep_ctx_print_stats(const struct vtep_ctx *ctx, FILE *f);

/** Print a one-line summary (rx/tx per side, drops, FDB size), for `stats-interval`. */
void vtep_ctx_print_summary(const struct vtep_ctx *ctx, FILE *f);

#endif /* VTEP_CTX_H */
