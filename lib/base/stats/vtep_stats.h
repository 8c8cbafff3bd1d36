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

/*
 * The counter lists (VPP's foreach_* style): X(name, help) per counter. Each list generates its
 * struct's members, and the exit/SIGUSR1 report (lib/mgmt/report) and /vtep/stats
 * (lib/mgmt/tele) print from it, so a counter has one name everywhere: the member, the report's
 * `counter NAME` line, the telemetry key and vtepctl's line.
 */

/** Traffic of one lcore, summed over lcores in the report and in /vtep/stats. */
#define VTEP_TRAFFIC_COUNTERS(X)                                                                   \
	X(underlay_rx, "frames received on the underlay port")                                     \
	X(underlay_tx, "frames the underlay port accepted")                                        \
	X(inner_rx, "frames received on inner ports")                                              \
	X(inner_tx, "frames inner ports accepted")                                                 \
	X(ctl_arp, "ARP frames handed to the control lcore")                                       \
	X(ctl_igmp, "IGMP frames handed to the control lcore")                                     \
	X(ctl_icmp, "ICMP frames handed to the control lcore")                                     \
	X(underlay_waits,                                                                          \
			"polls that left the underlay unread: frames held for learn events "       \
			"filled the hold")                                                         \
	X(link_down, "times a port's link went down (the control lcore looks every 100 ms)")       \
	X(link_up, "times a port's link came (back) up")

/** Time of one lcore, reported per lcore (lcore.N.NAME). */
#define VTEP_CYCLE_COUNTERS(X)                                                                     \
	X(busy_cycles, "TSC cycles spent in loop passes that moved packets")                       \
	X(total_cycles, "TSC cycles spent in the loop")

/** Traffic of one VNI (vni.ID.NAME). */
#define VTEP_VNI_COUNTERS(X)                                                                       \
	X(decap_pkts, "VXLAN frames decapsulated to the inner port")                               \
	X(decap_bytes, "inner bytes of those frames")                                              \
	X(encap_pkts, "known-unicast frames encapsulated")                                         \
	X(encap_bytes, "inner bytes of those frames")                                              \
	X(flood_pkts, "inner frames flooded (broadcast, multicast, unknown unicast)")              \
	X(flood_copies, "outer copies sent for those floods")                                      \
	X(learn_events, "learn or move events posted to the control lcore")                        \
	X(switch_pkts, "known-unicast frames switched between local attachments")                  \
	X(switch_bytes, "bytes of those frames")                                                   \
	X(local_copies, "copies of flooded frames sent to local attachments")

/** Traffic with one remote VTEP (/vtep/remotes). */
#define VTEP_REMOTE_COUNTERS(X)                                                                    \
	X(rx_pkts, "VXLAN frames decapsulated")                                                    \
	X(rx_bytes, "inner bytes of those")                                                        \
	X(tx_pkts, "frames encapsulated to it: known unicast and flood copies")                    \
	X(tx_bytes, "inner bytes of those")

/** Traffic of one local attachment (a bridge port: /vtep/links, link.NAME in the report). */
#define VTEP_ATT_COUNTERS(X)                                                                       \
	X(rx_pkts, "frames received from it")                                                      \
	X(rx_bytes, "bytes of those (without a popped tag)")                                       \
	X(tx_pkts, "frames sent to it (its port's queue or ring took them)")                       \
	X(tx_bytes, "bytes of those (without a pushed tag)")                                       \
	X(drops, "frames from it dropped, or to it refused by the port")

/** Generates one uint64_t member per counter of a list. */
#define VTEP_COUNTER_MEMBER(name, help) uint64_t name;

/** Traffic counters of one VNI (VTEP_VNI_COUNTERS). */
struct vtep_vni_stats {
	VTEP_VNI_COUNTERS(VTEP_COUNTER_MEMBER)
};

/** Remote VTEP slots counted per lcore: the remote table's size (slot 0 is "none"). */
#define VTEP_STATS_REMOTES 4096

/**
 * Traffic with one remote VTEP (a slot of lib/shared/remote's table), as one lcore counted it
 * (VTEP_REMOTE_COUNTERS). Decap counts a frame at the remote its inner source MAC is learned at
 * (the FDB entry it hit); a frame from a MAC not learned there yet counts at slot 0.
 */
struct vtep_remote_stats {
	VTEP_REMOTE_COUNTERS(VTEP_COUNTER_MEMBER)
};

/** Attachment slots counted per lcore: VTEP_MAX_ATTS of lib/conf (vtep_conf.h). */
#define VTEP_STATS_ATTS 256

/** Traffic of one local attachment as one lcore counted it (VTEP_ATT_COUNTERS). */
struct vtep_att_stats {
	VTEP_ATT_COUNTERS(VTEP_COUNTER_MEMBER)
};

/** Counters one lcore writes. Two lcores never share one of these. */
struct vtep_lcore_stats {
	uint64_t drops[VTEP_DROP_MAX];             /**< Per drop reason. */
	VTEP_TRAFFIC_COUNTERS(VTEP_COUNTER_MEMBER) /* traffic */
	VTEP_CYCLE_COUNTERS(VTEP_COUNTER_MEMBER)   /* time */
	struct vtep_vni_stats vni[VTEP_MAX_VNIS];  /**< Per VNI index (conf order). */
	/** Per remote slot (VTEP_STATS_REMOTES of them), written by this lcore only; the last
	 * member: vtep_stats_sum adds up everything before it, vtep_stats_sum_remote these. */
	struct vtep_remote_stats *remotes;
	/** Per attachment (VTEP_STATS_ATTS of them), written by this lcore only. */
	struct vtep_att_stats *atts;
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

/** Sum the counters of attachment idx over nb blocks into sum (zeroed first). */
void vtep_stats_sum_att(struct vtep_att_stats *sum, const struct vtep_lcore_stats *blocks,
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
