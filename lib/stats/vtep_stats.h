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

/** Drop counter bump: the one way a module records a drop. */
#define VTEP_DROP(st, reason) ((st)->drops[VTEP_DROP_##reason]++)

#endif /* VTEP_STATS_H */
