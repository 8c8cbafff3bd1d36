/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runtime: what vtepd builds from a validated configuration (ports, mempool, FDB, remote
 * table, per-worker state and rings). The control lcore owns it and is the only writer of the
 * tables in it; each worker gets pointers to what it reads in its own state (struct vtep_worker,
 * lib/dp/fwd), so no data-plane file includes this header.
 */
#ifndef VTEP_RUNTIME_H
#define VTEP_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include "vtep_bd.h"
#include "vtep_bridge.h"
#include "vtep_capture.h"
#include "vtep_conf.h"
#include "vtep_decap.h"
#include "vtep_encap.h"
#include "vtep_fdb.h"
#include "vtep_fwd.h"
#include "vtep_parse.h"
#include "vtep_port.h"
#include "vtep_remote.h"
#include "vtep_stats.h"

/** Everything vtepd runs on. */
struct vtep_runtime {
	const struct vtep_conf *conf;           /**< The validated configuration. */
	volatile bool quit;                     /**< Set by signals: lcores leave their loops. */
	struct rte_mempool *pool;               /**< Packet buffers. */
	unsigned int pool_size;                 /**< Mbufs in pool. */
	struct vtep_port underlay;              /**< The underlay port. */
	struct vtep_port ports[VTEP_MAX_PORTS]; /**< Local ports (struct vtep_bd order). */
	unsigned int nb_ports;                  /**< Entries in ports. */
	struct vtep_bd *bd;                     /**< Bridge domains: attachments, VLAN maps. */
	struct vtep_bridge_ctx bridge;          /**< What workers' bridge step reads. */
	struct vtep_parse_ctx parse;            /**< Classification facts. */
	struct vtep_decap_ctx decap;            /**< Decap facts. */
	struct vtep_encap_ctx encap;            /**< Encap facts. */
	struct vtep_encap_vni evnis[VTEP_MAX_VNIS]; /**< Per-VNI encap parameters. */
	struct vtep_fdb *fdb;                       /**< The FDB. */
	struct vtep_remotes *remotes;               /**< Remote VTEPs. */
	struct rte_rcu_qsbr *qsbr; /**< Workers' quiescent states for FDB reclamation. */
	unsigned int nb_workers;   /**< Workers. */
	struct vtep_worker *workers[VTEP_MAX_WORKERS]; /**< Their state. */
	/** Counters: one block per worker, then the control lcore's. */
	struct vtep_lcore_stats *stats;
	unsigned int baseline_in_use; /**< Mbufs in use once ports started (leak check). */
	struct vtep_capture *capture; /**< Packet capture (off until started). */
};

/**
 * Build the context from a validated configuration: find and set up ports, create the mempool,
 * FDB and remote table, static entries, workers and their rings.
 * @param err Message naming what failed.
 * @return 0, or a negative errno; on failure everything built is torn down.
 */
int vtep_runtime_create(
		struct vtep_runtime *rt, const struct vtep_conf *conf, char *err, size_t err_size);

/**
 * Stop and close the ports: what their rings hold goes back to the pool, so that every mbuf is
 * then free unless one leaked. Workers must be gone. vtep_runtime_free does it if not done.
 */
void vtep_runtime_close_ports(struct vtep_runtime *rt);

/** Tear down what vtep_runtime_create built: stop and close ports, free tables and rings. */
void vtep_runtime_free(struct vtep_runtime *rt);

/** Local port of a name, or -1. */
int vtep_runtime_port_index(const struct vtep_runtime *rt, const char *name);

/** Stable MAC of the inner port of VNI index v: 02 + VNI (3 bytes) + 2 bytes of crc(dev MAC,
 * local). */
void vtep_runtime_inner_mac(const struct vtep_conf *conf, unsigned int v,
		const struct rte_ether_addr *underlay_mac, struct rte_ether_addr *mac);

#endif /* VTEP_RUNTIME_H */
