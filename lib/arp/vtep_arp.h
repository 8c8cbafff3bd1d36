/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Underlay ARP (RFC 826) for the VTEP address, on the control lcore only: answers requests for the
 * local address, resolves the next hop of each remote VTEP (the remote itself on-link, else the
 * gateway) with retries and back-off, refreshes entries before they expire, and tells its user
 * when a neighbor's MAC becomes known, changes or is lost, so that outer headers can be rebuilt.
 * No I/O: frames come in as mbufs, frames to send go out in an array; time is passed in (TSC).
 */
#ifndef VTEP_ARP_H
#define VTEP_ARP_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

/** Neighbor states. */
enum vtep_arp_state {
	VTEP_ARP_FREE,       /**< Unused slot. */
	VTEP_ARP_INCOMPLETE, /**< Resolving: broadcast requests with back-off. */
	VTEP_ARP_REACHABLE,  /**< Confirmed within the reachable time. */
	VTEP_ARP_PROBE,      /**< Still used, being re-confirmed by unicast requests. */
	VTEP_ARP_STATIC,     /**< Configured; never expires. */
};

/** Called when the MAC of a neighbor becomes known (mac) or is lost (NULL). */
typedef void (*vtep_arp_changed_t)(rte_be32_t ip_be, const struct rte_ether_addr *mac, void *arg);

/** Creation parameters. */
struct vtep_arp_params {
	rte_be32_t local_be;             /**< The VTEP address. */
	struct rte_ether_addr local_mac; /**< The underlay port's MAC. */
	uint8_t prefix_len;              /**< On-link prefix of local_be. */
	rte_be32_t gateway_be;           /**< Next hop off-link, 0 = none. */
	struct rte_mempool *pool;        /**< For requests. */
	uint64_t hz;                     /**< TSC ticks per second. */
	vtep_arp_changed_t changed;      /**< Change callback (may be NULL). */
	void *arg;                       /**< Its argument. */
};

/** One neighbor. */
struct vtep_arp_entry {
	rte_be32_t ip_be;          /**< Address. */
	struct rte_ether_addr mac; /**< MAC, valid in REACHABLE, PROBE, STATIC. */
	uint8_t state;             /**< enum vtep_arp_state. */
	uint8_t probes;            /**< Requests sent in this state. */
	uint64_t next;             /**< TSC of the next action. */
	uint64_t confirmed;        /**< TSC of the last reply or request from it. */
};

/** Counters. */
struct vtep_arp_counters {
	uint64_t requests_in;  /**< Requests for the local address answered. */
	uint64_t replies_in;   /**< Replies received and merged. */
	uint64_t requests_out; /**< Requests sent (resolution, refresh). */
	uint64_t ignored;      /**< ARP frames not for us or malformed. */
};

/** Most neighbors. */
#define VTEP_ARP_SIZE 256
/** Seconds an answer keeps a neighbor REACHABLE before it is probed again. */
#define VTEP_ARP_REACHABLE_S 30
/** Unicast probes before a neighbor is given up (then broadcast with back-off). */
#define VTEP_ARP_PROBES 3
/** Longest back-off between broadcast requests for an unresolved neighbor, seconds. */
#define VTEP_ARP_BACKOFF_MAX_S 60

/** The neighbor table. */
struct vtep_arp {
	struct vtep_arp_params p;                     /**< Parameters. */
	struct vtep_arp_counters c;                   /**< Counters. */
	struct vtep_arp_entry entries[VTEP_ARP_SIZE]; /**< Neighbors. */
};

/** Initialise a table. */
void vtep_arp_init(struct vtep_arp *arp, const struct vtep_arp_params *p);

/** Next hop towards ip_be: itself if on-link, else the gateway; 0 if unreachable. */
rte_be32_t vtep_arp_nexthop(const struct vtep_arp *arp, rte_be32_t ip_be);

/** MAC of a neighbor if known, else NULL. */
const struct rte_ether_addr *vtep_arp_lookup(const struct vtep_arp *arp, rte_be32_t ip_be);

/** Add or replace a static neighbor (calls changed). @return 0 or -ENOSPC. */
int vtep_arp_add_static(struct vtep_arp *arp, rte_be32_t ip_be, const struct rte_ether_addr *mac);

/**
 * Start resolving a neighbor if it is not known or being resolved; the first request goes out now.
 * @param out Frames to send (room for 1); *nb_out is incremented.
 * @return 0 resolved already, 1 resolving, -ENOSPC table full, -ENOMEM no mbuf.
 */
int vtep_arp_resolve(struct vtep_arp *arp, rte_be32_t ip_be, uint64_t now, struct rte_mbuf **out,
		unsigned int *nb_out);

/**
 * Handle one received ARP frame; always consumes m (freed, or turned into the reply in out).
 * @return 0 handled, -EINVAL malformed or not for us.
 */
int vtep_arp_input(struct vtep_arp *arp, struct rte_mbuf *m, uint64_t now, struct rte_mbuf **out,
		unsigned int *nb_out);

/**
 * Retries, refreshes, expiry. @param max Room in out. @return frames added to out.
 */
unsigned int vtep_arp_timer(
		struct vtep_arp *arp, uint64_t now, struct rte_mbuf **out, unsigned int max);

/** A gratuitous ARP request for the local address (RFC 5227 announcement), or NULL. */
struct rte_mbuf *vtep_arp_gratuitous(struct vtep_arp *arp);

/** Name of a state. */
const char *vtep_arp_state_name(enum vtep_arp_state s);

#endif /* VTEP_ARP_H */
