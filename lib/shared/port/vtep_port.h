/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK ports by device name: the underlay port and the inner ports. Setup asks each port what it
 * can do (queues, RSS, checksum offload) and takes what it gets; a port with fewer TX queues than
 * workers is served through a multi-producer ring that the owner of its queue 0 drains, so no two
 * lcores ever call rte_eth_tx_burst on one queue and no lock is taken.
 */
#ifndef VTEP_PORT_H
#define VTEP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "vtep_log.h"
#include "vtep_stats.h"

/** A configured port. */
struct vtep_port {
	char name[64];     /**< DPDK device name. */
	uint16_t port_id;  /**< DPDK port id. */
	uint16_t nb_rxq;   /**< RX queues set up. */
	uint16_t nb_txq;   /**< TX queues set up. */
	int socket;        /**< NUMA socket (0 if unknown). */
	bool rss;          /**< RSS spreads RX over the queues. */
	bool csum_offload; /**< IPv4 + UDP checksum TX offload enabled. */
	bool multi_seg;    /**< TX of chained mbufs enabled (RTE_ETH_TX_OFFLOAD_MULTI_SEGS). */
	bool started;      /**< rte_eth_dev_start succeeded. */
	struct rte_ether_addr mac; /**< The port's MAC. */
	struct rte_ring *tx_ring;  /**< MP/SC ring into TX queue 0, for lcores without a queue. */
	unsigned int if_index;     /**< Kernel interface behind the port (af_packet, tap), or 0. */
	bool link_up;              /**< The link as the control lcore last saw it. */
};

/** What a port should be. */
struct vtep_port_params {
	uint16_t nb_rxq;        /**< Wanted RX queues (capped by the port). */
	uint16_t nb_txq;        /**< Wanted TX queues (capped by the port). */
	uint16_t nb_rxd;        /**< RX descriptors per queue. */
	uint16_t nb_txd;        /**< TX descriptors per queue. */
	uint16_t mtu;           /**< MTU to set, 0 = leave. A refusal is logged, not fatal. */
	bool want_csum_offload; /**< Enable IPv4/UDP checksum TX offload if offered. */
	const struct rte_ether_addr *mac; /**< MAC to set, NULL = keep. */
	struct rte_mempool *pool;         /**< RX mempool. */
};

/** Where one lcore sends on one port. */
struct vtep_txq {
	uint16_t port_id;      /**< Port. */
	uint16_t queue;        /**< Queue, when ring is NULL. */
	struct rte_ring *ring; /**< Non-NULL: enqueue here instead (lcore has no queue). */
};

/**
 * Find a port by DPDK device name.
 * @return 0 and *port_id, or -ENODEV.
 */
int vtep_port_find(const char *name, uint16_t *port_id);

/** Largest RX and TX queue counts a port offers. @return 0 or a negative errno. */
int vtep_port_max_queues(uint16_t port_id, uint16_t *max_rxq, uint16_t *max_txq);

/**
 * Configure, set up queues and start a port.
 * @param port In: name and port_id set. Out: the rest.
 * @return 0 or a negative errno (logged with the port name).
 */
int vtep_port_setup(struct vtep_port *port, const struct vtep_port_params *p);

/**
 * Whether the port's link is up now, without waiting: what the PMD says and, for a port behind a
 * kernel interface (if_index), that the interface is up and has carrier (IFF_UP, IFF_RUNNING):
 * af_packet in DPDK 22.11 says "up" from start to stop whatever its interface does. Makes
 * syscalls: for the control lcore, not the workers.
 */
bool vtep_port_link_up(const struct vtep_port *port);

/** Stop and close a port, freeing what its TX ring still holds. */
void vtep_port_close(struct vtep_port *port);

/** The queue or ring lcore number `worker` sends through on port. */
void vtep_port_txq(const struct vtep_port *port, unsigned int worker, struct vtep_txq *txq);

/** The module's log type (vtepd.port), for the rate-limited DEBUG line of vtep_txq_send. */
extern int vtep_logtype_port;

/**
 * Send n frames through a queue, or enqueue them on the port's ring for the owner of queue 0.
 * Frames refused are freed and counted in *dropped.
 * @return frames the PMD accepted now (0 when they went to the ring: they are counted when the
 *         owner of queue 0 drains them, so nothing is counted twice).
 */
static inline uint16_t
vtep_txq_send(const struct vtep_txq *q, struct rte_mbuf **pkts, uint16_t n, uint64_t *dropped)
{
	uint16_t sent;

	if (n == 0)
		return 0;
	if (q->ring != NULL)
		sent = rte_ring_mp_enqueue_burst(q->ring, (void **)pkts, n, NULL);
	else
		sent = rte_eth_tx_burst(q->port_id, q->queue, pkts, n);
	if (unlikely(sent < n)) {
		VTEP_LOG_DP(port, "port %u queue %u refused %u frames\n", q->port_id, q->queue,
				n - sent);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		*dropped += n - sent;
	}
	return q->ring != NULL ? 0 : sent;
}

/**
 * Move what other lcores queued on the port's ring to TX queue 0 (owner of queue 0 only).
 * @return frames sent; refused ones are freed and counted in *dropped.
 */
uint16_t vtep_port_drain(const struct vtep_port *port, uint64_t *dropped);

#endif /* VTEP_PORT_H */
