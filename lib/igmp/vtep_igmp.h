/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host side of IGMP for the VNIs' groups, on the control lcore: IGMPv3 (RFC 3376) by default,
 * IGMPv2 (RFC 2236) selectable, and v2 compatibility while a v1/v2 querier is heard (RFC 3376
 * section 7.2.1). Unsolicited reports on join (repeated, robustness 2), answers to general and
 * group-specific queries after a random delay within the maximum response time, leaves at
 * shutdown. An IGMP-snooping switch forwards group traffic to us only while we do this.
 * No I/O: frames in as mbufs, frames out in an array, time passed in (TSC).
 */
#ifndef VTEP_IGMP_H
#define VTEP_IGMP_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

/** Most groups. */
#define VTEP_IGMP_MAX_GROUPS 64
/** Robustness variable (RFC 3376 section 8.1): unsolicited reports are sent this many times. */
#define VTEP_IGMP_ROBUSTNESS 2
/** Older Version Querier Present Timeout with the default timers: 2 * 125 s + 10 s. */
#define VTEP_IGMP_OLDER_QUERIER_S 260

/** Creation parameters. */
struct vtep_igmp_params {
	rte_be32_t local_be;             /**< Source address of reports. */
	struct rte_ether_addr local_mac; /**< Source MAC of reports. */
	struct rte_mempool *pool;        /**< For reports. */
	uint8_t version;                 /**< 2 or 3. */
	uint64_t hz;                     /**< TSC ticks per second. */
	uint64_t seed;                   /**< Random seed for report delays. */
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
};

/** Host IGMP state. */
struct vtep_igmp {
	struct vtep_igmp_params p;   /**< Parameters. */
	struct vtep_igmp_counters c; /**< Counters. */
	uint64_t v2_until;           /**< TSC until which a v1/v2 querier is present. */
	uint64_t general_at;         /**< v3: TSC of a pending all-groups report, 0 = none. */
	uint64_t rand;               /**< PRNG state. */
	unsigned int nb_groups;      /**< Groups joined. */
	struct vtep_igmp_group groups[VTEP_IGMP_MAX_GROUPS]; /**< Joined groups. */
};

/** Initialise. */
void vtep_igmp_init(struct vtep_igmp *ig, const struct vtep_igmp_params *p);

/** The version reports go out in now (3, or 2 in compatibility mode or when configured). */
unsigned int vtep_igmp_mode(const struct vtep_igmp *ig, uint64_t now);

/**
 * Join a group: a report now (in out, *nb_out incremented), a repeat scheduled.
 * @return 0, -EEXIST, -ENOSPC, -ENOMEM.
 */
int vtep_igmp_join(struct vtep_igmp *ig, rte_be32_t group_be, uint64_t now, struct rte_mbuf **out,
		unsigned int *nb_out);

/**
 * Handle one received IGMP frame (queries; reports of others are ignored). Always frees m.
 * @return 0, or -EINVAL when malformed.
 */
int vtep_igmp_input(struct vtep_igmp *ig, struct rte_mbuf *m, uint64_t now);

/** Send what is due. @return frames added to out (at most max). */
unsigned int vtep_igmp_timer(
		struct vtep_igmp *ig, uint64_t now, struct rte_mbuf **out, unsigned int max);

/** Leave every group (v2 leaves or one v3 TO_IN({}) report). @return frames added to out. */
unsigned int vtep_igmp_leave_all(
		struct vtep_igmp *ig, uint64_t now, struct rte_mbuf **out, unsigned int max);

#endif /* VTEP_IGMP_H */
