/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bridge: one learning bridge per VNI whose ports are the VNI's local attachments and the
 * tunnel, as the Linux bridge with a vxlan port (docs/architecture.md, "Bridge domains").
 *
 * From a local port: the 802.1Q tag of a trunk is popped (the VLAN picks the attachment), the
 * source MAC is learned (an event to the control lcore, which alone writes the FDB), and the
 * destination is looked up in the same bulk FDB call: a local MAC is switched to its attachment
 * (its tag pushed), a remote one encapsulated, BUM and unknown unicast flooded to every other up
 * attachment of the VNI and to the tunnel's flood list. From the tunnel (decapsulated frames):
 * a local MAC goes to its attachment, BUM and unknown unicast to every up attachment, never back
 * into the tunnel (split horizon). Nothing goes back out of the attachment it came in on.
 *
 * A VNI with one attachment is the vxlan device it always was: no local learning, no destination
 * lookup from the tunnel, the encap path as before.
 *
 * Frames for local ports wait in a per-lcore output (struct vtep_bridge_out), one array per
 * port, in the order they were decided, and go out at vtep_bridge_flush() (or when an array is
 * full): the frames of one RX queue leave each port in the order they arrived.
 */
#ifndef VTEP_BRIDGE_H
#define VTEP_BRIDGE_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "vtep_bd.h"
#include "vtep_capture.h"
#include "vtep_decap.h"
#include "vtep_encap.h"
#include "vtep_fdb.h"
#include "vtep_port.h"
#include "vtep_stats.h"

/** Frames one local port's output array holds before it is sent. */
#define VTEP_BRIDGE_OUT 64
/** Largest burst vtep_bridge_from_port takes. */
#define VTEP_BRIDGE_MAX 32

/** What the bridge reads; shared read-only by the lcores. */
struct vtep_bridge_ctx {
	const struct vtep_bd *bd;           /**< Attachments, ports, bridge domains. */
	const struct vtep_fdb *fdb;         /**< The FDB. */
	const struct vtep_encap_ctx *encap; /**< Encapsulation towards the tunnel. */
	struct rte_mempool *pool;           /**< Flood copies. */
	const uint8_t *learning;            /**< Learning on, per VNI index (decap's). */
};

/** One lcore's frames for local ports, until vtep_bridge_flush(). */
struct vtep_bridge_out {
	struct vtep_capture *capture;   /**< Capture hook (TX of local ports). */
	unsigned int lcore;             /**< Capture ring of this lcore. */
	const struct vtep_txq *txq;     /**< Where this lcore sends, per local port. */
	struct vtep_lcore_stats *st;    /**< This lcore's counters. */
	uint16_t nb_used;               /**< Ports listed in used. */
	uint16_t used[VTEP_MAX_PORTS];  /**< Ports with frames, in first-use order. */
	uint8_t listed[VTEP_MAX_PORTS]; /**< Port is in used. */
	uint16_t nb[VTEP_MAX_PORTS];    /**< Frames waiting per port. */
	struct rte_mbuf *pkts[VTEP_MAX_PORTS][VTEP_BRIDGE_OUT]; /**< The frames. */
	uint16_t atts[VTEP_MAX_PORTS][VTEP_BRIDGE_OUT];         /**< The attachment of each. */
};

/** What a burst from a local port produced besides frames for local ports. */
struct vtep_bridge_rx {
	uint16_t nb_outer;       /**< Frames in outer. */
	uint16_t nb_learn;       /**< Events in learn. */
	struct rte_mbuf **outer; /**< Caller's: room for VTEP_BRIDGE_MAX * VTEP_ENCAP_MAX_COPIES. */
	struct vtep_learn_event learn[VTEP_BRIDGE_MAX]; /**< Local learn events to post. */
};

/** Set up an lcore's output (empty). */
void vtep_bridge_out_init(struct vtep_bridge_out *o, const struct vtep_txq *txq,
		struct vtep_capture *capture, unsigned int lcore, struct vtep_lcore_stats *st);

/**
 * Send what waits for local ports (each port's frames in order); what a port refuses is freed
 * and counted (tx_inner_full and the attachment's drops).
 */
void vtep_bridge_flush(const struct vtep_bridge_ctx *bc, struct vtep_bridge_out *o);

/**
 * Decapsulated frames to local attachments: pkts[i] of VNI index vni_idx[i] (n at most
 * VTEP_DECAP_MAX). A VNI's only attachment gets all its frames; with several, the destination
 * MAC decides (one bulk FDB lookup). Frames go to o (unsent) or are dropped and counted.
 * @param fc The lcore's FDB cache, or NULL.
 */
void vtep_bridge_from_tunnel(const struct vtep_bridge_ctx *bc, struct rte_mbuf **pkts,
		const uint16_t *vni_idx, uint16_t n, struct vtep_fdb_cache *fc,
		struct vtep_bridge_out *o);

/**
 * A burst received on local port lport (n at most VTEP_BRIDGE_MAX): classified to attachments,
 * learned, switched to o, encapsulated to r->outer (appended), or dropped and counted.
 * @param now    vtep_fdb_now(), for `seen` stamps and the learn filter.
 * @param lf     The lcore's learn filter.
 * @param fc     The lcore's FDB cache, or NULL.
 * @param ip_id  The lcore's IPv4 id counter.
 * @param r      Out: outer frames and learn events (r->outer set by the caller; counts reset).
 */
void vtep_bridge_from_port(const struct vtep_bridge_ctx *bc, unsigned int lport,
		struct rte_mbuf **pkts, uint16_t n, uint32_t now, struct vtep_learn_filter *lf,
		struct vtep_fdb_cache *fc, uint16_t *ip_id, struct vtep_bridge_out *o,
		struct vtep_bridge_rx *r);

#endif /* VTEP_BRIDGE_H */
