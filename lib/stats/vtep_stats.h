/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters. Each lcore owns one struct vtep_lcore_stats and is its only writer; readers sum over
 * lcores. Counters are plain 64-bit values: a torn read cannot happen on x86-64 and they only grow.
 */
#ifndef VTEP_STATS_H
#define VTEP_STATS_H

#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>

/** Every drop reason (vtep_drop.def). */
enum vtep_drop {
#define X(e, name, help) VTEP_DROP_##e,
#include "vtep_drop.def"
#undef X
	VTEP_DROP_MAX
};

/** Most VNIs one vtepd serves. */
#define VTEP_MAX_VNIS 64

/** Traffic counters of one VNI. */
struct vtep_vni_stats {
	uint64_t decap_pkts;   /**< VXLAN frames decapsulated to the inner port. */
	uint64_t decap_bytes;  /**< Inner bytes of those frames. */
	uint64_t encap_pkts;   /**< Known-unicast frames encapsulated. */
	uint64_t encap_bytes;  /**< Inner bytes of those frames. */
	uint64_t flood_pkts;   /**< Inner frames flooded (broadcast, multicast, unknown unicast). */
	uint64_t flood_copies; /**< Outer copies sent for those floods. */
	uint64_t learn_events; /**< Learn or move events posted to the control lcore. */
};

/** Remote VTEP slots counted per lcore: the size of lib/remote's table (slot 0 is "none"). */
#define VTEP_STATS_REMOTES 4096

/**
 * Traffic with one remote VTEP (a slot of lib/remote's table), as one lcore counted it. Decap
 * counts a frame at the remote its inner source MAC is learned at (the FDB entry it hit); a frame
 * from a MAC not learned there yet counts at slot 0.
 */
struct vtep_remote_stats {
	uint64_t rx_pkts;  /**< VXLAN frames decapsulated. */
	uint64_t rx_bytes; /**< Inner bytes of those. */
	uint64_t tx_pkts;  /**< Frames encapsulated to it: known unicast and flood copies. */
	uint64_t tx_bytes; /**< Inner bytes of those. */
};

/** Counters one lcore writes. Two lcores never share one of these. */
struct vtep_lcore_stats {
	uint64_t drops[VTEP_DROP_MAX]; /**< Per drop reason. */
	uint64_t underlay_rx;          /**< Frames received on the underlay port. */
	uint64_t underlay_tx;          /**< Frames the underlay port accepted. */
	uint64_t inner_rx;             /**< Frames received on inner ports. */
	uint64_t inner_tx;             /**< Frames inner ports accepted. */
	uint64_t ctl_arp;              /**< ARP frames handed to the control lcore. */
	uint64_t ctl_igmp;             /**< IGMP frames handed to the control lcore. */
	uint64_t ctl_icmp;             /**< ICMP frames handed to the control lcore. */
	uint64_t busy_cycles;          /**< TSC cycles spent in iterations that moved packets. */
	uint64_t total_cycles;         /**< TSC cycles spent in the loop. */
	struct vtep_vni_stats vni[VTEP_MAX_VNIS]; /**< Per VNI index (conf order). */
	/** Per remote slot (VTEP_STATS_REMOTES of them), written by this lcore only; the last
	 * member: vtep_stats_sum adds up everything before it, vtep_stats_sum_remote these. */
	struct vtep_remote_stats *remotes;
} __rte_cache_aligned;

/** Name of a drop reason, for counters and telemetry. */
const char *vtep_drop_name(enum vtep_drop d);

/** One-line help of a drop reason. */
const char *vtep_drop_help(enum vtep_drop d);

/**
 * Sum nb counter blocks into sum.
 * @param sum    Zeroed by this call, then the total.
 * @param blocks Array of nb per-lcore blocks.
 */
void vtep_stats_sum(struct vtep_lcore_stats *sum, const struct vtep_lcore_stats *blocks,
		unsigned int nb);

/** Sum the counters of remote slot idx over nb blocks into sum (zeroed first). */
void vtep_stats_sum_remote(struct vtep_remote_stats *sum, const struct vtep_lcore_stats *blocks,
		unsigned int nb, unsigned int idx);

/** Count one frame of size inner bytes received from remote slot idx. */
static inline void
vtep_stats_remote_rx(struct vtep_lcore_stats *st, unsigned int idx, uint32_t size)
{
	st->remotes[idx].rx_pkts++;
	st->remotes[idx].rx_bytes += size;
}

/** Count one frame of size inner bytes sent to remote slot idx. */
static inline void
vtep_stats_remote_tx(struct vtep_lcore_stats *st, unsigned int idx, uint32_t size)
{
	st->remotes[idx].tx_pkts++;
	st->remotes[idx].tx_bytes += size;
}

/** Drop counter bump: the one way a module records a drop. */
#define VTEP_DROP(st, reason) ((st)->drops[VTEP_DROP_##reason]++)

#endif /* VTEP_STATS_H */
