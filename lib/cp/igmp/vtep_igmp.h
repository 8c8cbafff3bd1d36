/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host side of IGMP for the VNIs' groups, on the control lcore: IGMPv3 (RFC 3376) by default,
 * IGMPv2 (RFC 2236) selectable, and v2 compatibility while a v1/v2 querier is heard (RFC 3376
 * section 7.2.1). Unsolicited reports on join (repeated, robustness 2), answers to general and
 * group-specific queries after a random delay within the maximum response time, leaves at
 * shutdown. An IGMP-snooping switch forwards group traffic to us only while we do this.
 * No I/O: frames in as mbufs, frames out in an array, time passed in (TSC ticks at p.hz), so
 * tests drive the clock. The caller runs vtep_igmp_timer() at least every 100 ms.
 *
 * Frames sent (as Linux sends them): IPv4 with the Router Alert option (IHL 6, RFC 2113; RFC 2236
 * section 2 and RFC 3376 section 4 require it), TTL 1, DF, destination MAC 01:00:5e + the low 23
 * bits of the destination, TOS 0xc0 (internetwork control). v2: report to the group, leave to
 * 224.0.0.2. v3: report to 224.0.0.22, one record per group, EXCLUDE {} (we want every source):
 * CHANGE_TO_EXCLUDE for joins, MODE_IS_EXCLUDE for answers to queries, CHANGE_TO_INCLUDE {} to
 * leave. A group-and-source-specific query is answered like a group-specific one (IS_EX {}
 * says more than the RFC 3376 5.2 answer, never less). IGMPv1 queriers are answered in v2 (no v1
 * compatibility mode); reports of other hosts are not suppressed (v3 never does).
 */
#ifndef VTEP_IGMP_H
#define VTEP_IGMP_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vtep_rate.h"

/** Most groups. */
#define VTEP_IGMP_MAX_GROUPS 64
/** Robustness variable (RFC 3376 section 8.1): unsolicited reports are sent this many times. */
#define VTEP_IGMP_ROBUSTNESS 2
/** Older Version Querier Present Timeout with the default timers: 2 * 125 s + 10 s. */
#define VTEP_IGMP_OLDER_QUERIER_S 260
/** Default Query Interval, seconds (RFC 3376 section 8.2), until a v3 query tells another. */
#define VTEP_IGMP_QUERY_INTERVAL_S 125

/** Creation parameters. */
struct vtep_igmp_params {
	rte_be32_t local_be;             /**< Source address of reports. */
	struct rte_ether_addr local_mac; /**< Source MAC of reports. */
	struct rte_mempool *pool;        /**< For reports. */
	uint8_t version;                 /**< 2 or 3. */
	uint64_t hz;                     /**< TSC ticks per second. */
	uint64_t seed;                   /**< Random seed for report delays. */
	/** Reports answering queries a second (`igmp-rate`), 0 = unlimited; as many at once as the
	 * larger of it and VTEP_IGMP_MAX_GROUPS, so that a full bucket answers any query. */
	uint32_t report_rate;
};

/** A joined group. */
struct vtep_igmp_group {
	rte_be32_t group_be; /**< The group. */
	uint64_t report_at;  /**< TSC of a pending report, 0 = none. */
	uint8_t unsolicited; /**< Unsolicited reports still to send. */
};

/** Counters. */
struct vtep_igmp_counters {
	uint64_t queries; /**< Queries received. */
	uint64_t reports; /**< Reports sent. */
	uint64_t leaves;  /**< Leaves sent. */
	uint64_t invalid; /**< IGMP frames malformed or ignored. */
	uint64_t limited; /**< Queries not answered: report_rate. */
};

/** Host IGMP state. */
struct vtep_igmp {
	struct vtep_igmp_params p;   /**< Parameters. */
	struct vtep_igmp_counters c; /**< Counters. */
	uint64_t v2_until;           /**< TSC until which a v1/v2 querier is present. */
	uint32_t qrv;                /**< Querier's Robustness Variable (last v3 query, else 2). */
	uint32_t qqi_s;           /**< Querier's Query Interval in s (last v3 query, else 125). */
	uint64_t general_at;      /**< v3: TSC of a pending all-groups report, 0 = none. */
	uint64_t rand;            /**< PRNG state. */
	struct vtep_rate answers; /**< The report rate's bucket. */
	unsigned int nb_groups;   /**< Groups joined. */
	struct vtep_igmp_group groups[VTEP_IGMP_MAX_GROUPS]; /**< Joined groups. */
};

/** Initialise: no group, the configured version, the PRNG seeded with p->seed. */
void vtep_igmp_init(struct vtep_igmp *ig, const struct vtep_igmp_params *p);

/** The version reports go out in now (3, or 2 in compatibility mode or when configured). */
unsigned int vtep_igmp_mode(const struct vtep_igmp *ig, uint64_t now);

/**
 * Join a group: a report now (in out, room for 1, *nb_out incremented), the repeats scheduled
 * (v3: Robustness - 1 more at random within 1 s each, RFC 3376 5.1; v2: one more within 10 s,
 * RFC 2236 3).
 * @return 0, -EINVAL (not a multicast group, or 224.0.0.1, which is never reported), -EEXIST,
 *         -ENOSPC, -ENOMEM (joined; the repeat goes out from the timer).
 */
int vtep_igmp_join(struct vtep_igmp *ig, rte_be32_t group_be, uint64_t now, struct rte_mbuf **out,
		unsigned int *nb_out);

/**
 * Report every joined group again as a join does: a report from the next timer pass, the repeats
 * after it. For when the underlay's link comes back: a snooping switch forgets a port's
 * memberships when the port goes down (the Linux bridge deletes them) and forwards no group
 * traffic to it until its next query, minutes later; hosts report at once when an interface
 * comes up (Linux ip_mc_up) for the same reason.
 */
void vtep_igmp_rejoin(struct vtep_igmp *ig, uint64_t now);

/**
 * Handle one received IGMP frame, untagged or with one 802.1Q tag (queries; reports of others
 * are ignored). A general or group-specific query schedules a report after a random delay in
 * (0, Max Resp Time] (v3: one report of every group for a general query, RFC 3376 5.2). A query
 * of 8 bytes means a v1/v2 querier: reports go out in v2 for the Older Version Querier Present
 * Timeout (RFC 3376 7.2.1, 8.12). A query that would schedule more reports than the report rate
 * has left is not answered (the querier state it carries is still taken). Always frees m.
 * @return 0, -EAGAIN a query not answered: the report rate (counted in c.limited), or -EINVAL
 *         when malformed (truncated, bad lengths or checksum, 9 to 11 bytes of IGMP, which RFC
 *         3376 7.1 says to ignore).
 */
int vtep_igmp_input(struct vtep_igmp *ig, struct rte_mbuf *m, uint64_t now);

/** Send what is due. @return frames added to out (at most max). */
unsigned int vtep_igmp_timer(
		struct vtep_igmp *ig, uint64_t now, struct rte_mbuf **out, unsigned int max);

/**
 * Leave every group (v2 leaves to 224.0.0.2, or one v3 TO_IN({}) report) and forget them.
 * @return frames added to out (at most max).
 */
unsigned int vtep_igmp_leave_all(
		struct vtep_igmp *ig, uint64_t now, struct rte_mbuf **out, unsigned int max);

/**
 * TSC of the next report that will carry group i (its own or the v3 report of all groups after
 * a general query), 0 = none pending; for telemetry.
 */
uint64_t vtep_igmp_next_report(const struct vtep_igmp *ig, unsigned int i);

#endif /* VTEP_IGMP_H */
