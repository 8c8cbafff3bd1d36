/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Underlay ARP (RFC 826) for the VTEP address, on the control lcore only: answers requests for the
 * local address, resolves the next hop of each remote VTEP (the remote itself on-link, else the
 * gateway) with retries and back-off, refreshes entries before they expire, and tells its user
 * when a neighbor's MAC becomes known, changes or is lost, so that outer headers can be rebuilt.
 *
 * No I/O and no clock of its own: frames come in as mbufs, frames to send go out in an array the
 * caller transmits, and the time is passed in (TSC ticks, with the rate given at init), so tests
 * drive the clock. The caller runs vtep_neigh_timer() at least every 100 ms; the table is not
 * thread-safe (one control lcore; other threads read copies).
 *
 * Timing (all from the time of the event, in seconds):
 *   resolution:  broadcast requests at 0, 1, 3 (INCOMPLETE); no answer by 7 -> FAILED, then
 *                broadcasts at 7, 15, 31, 63 and every 60 s after, until it answers;
 *   refresh:     an entry confirmed at 0 is REACHABLE until 25, then PROBE: unicast requests at
 *                25, 26, 27 while the old MAC is still used; no answer by 28 -> the MAC is
 *                dropped (callback with NULL) and resolution starts over (or, for an entry only
 *                learned passively, the entry is freed), so a MAC is never used past 30 s
 *                without confirmation.
 */
#ifndef VTEP_NEIGH_H
#define VTEP_NEIGH_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vtep_rate.h"

/** Neighbor states (the names are iproute2's, lower case). */
enum vtep_neigh_state {
	VTEP_NEIGH_FREE,       /**< Unused slot. */
	VTEP_NEIGH_INCOMPLETE, /**< Resolving: the first broadcast requests. */
	VTEP_NEIGH_REACHABLE,  /**< Confirmed within the reachable time. */
	VTEP_NEIGH_PROBE,      /**< Still used, being re-confirmed by unicast requests. */
	VTEP_NEIGH_STATIC,     /**< Configured; never expires ("permanent"). */
	VTEP_NEIGH_FAILED,     /**< No answer to the first requests: retried with back-off. */
};

/** Called when the MAC of a neighbor becomes known or changes (mac) or is lost (NULL). */
typedef void (*vtep_neigh_changed_t)(rte_be32_t ip_be, const struct rte_ether_addr *mac, void *arg);

/** Creation parameters. */
struct vtep_neigh_params {
	rte_be32_t local_be;             /**< The VTEP address. */
	struct rte_ether_addr local_mac; /**< The underlay port's MAC. */
	uint8_t prefix_len;              /**< On-link prefix of local_be (0..32). */
	rte_be32_t gateway_be;           /**< Next hop off-link, 0 = none. */
	struct rte_mempool *pool;        /**< For requests. */
	uint64_t hz;                     /**< TSC ticks per second. */
	vtep_neigh_changed_t changed;    /**< Change callback (may be NULL). */
	void *arg;                       /**< Its argument. */
	/** Replies to requests for the local address a second, as many at once (`arp-rate`);
	 * 0 = unlimited. */
	uint32_t reply_rate;
};

/** Entry flag: learned from a request aimed at us, not asked for by vtep_neigh_resolve(). */
#define VTEP_NEIGH_F_PASSIVE 0x01

/** One neighbor. */
struct vtep_neigh_entry {
	rte_be32_t ip_be;          /**< Address. */
	struct rte_ether_addr mac; /**< MAC, valid in REACHABLE, PROBE, STATIC; else zero. */
	uint8_t state;             /**< enum vtep_neigh_state. */
	uint8_t probes;            /**< Requests sent in this resolution or refresh. */
	uint8_t flags;             /**< VTEP_NEIGH_F_*. */
	uint64_t next;             /**< TSC of the next action. */
	uint64_t confirmed;        /**< TSC of the last reply or request from it (0 = never). */
};

/** Counters. */
struct vtep_neigh_counters {
	uint64_t requests_in;    /**< Requests for the local address answered. */
	uint64_t requests_other; /**< Requests for another address, not answered. */
	uint64_t replies_in;     /**< Replies received and merged. */
	uint64_t requests_out;   /**< Requests sent (resolution, refresh, gratuitous). */
	uint64_t ignored;        /**< ARP frames malformed, or claiming our own address. */
	uint64_t limited;        /**< Requests for the local address not answered: reply_rate. */
};

/** Most neighbors. */
#define VTEP_NEIGH_SIZE 256
/** Seconds an answer keeps a neighbor usable without a new confirmation. */
#define VTEP_NEIGH_REACHABLE_S 30
/** Seconds after a confirmation when the refresh (unicast requests) starts. */
#define VTEP_NEIGH_REFRESH_S (VTEP_NEIGH_REACHABLE_S - 5)
/** Requests (unicast when refreshing, broadcast when resolving) before a neighbor is lost. */
#define VTEP_NEIGH_PROBES 3
/** Longest back-off between broadcast requests for an unresolved neighbor, seconds. */
#define VTEP_NEIGH_BACKOFF_MAX_S 60

/** The neighbor table (embedded by its user; vtep_neigh_init() sets it up). */
struct vtep_neigh {
	struct vtep_neigh_params p;                       /**< Parameters. */
	struct vtep_neigh_counters c;                     /**< Counters. */
	struct vtep_rate replies;                         /**< The reply rate's bucket. */
	struct vtep_neigh_entry entries[VTEP_NEIGH_SIZE]; /**< Neighbors, FREE where unused. */
};

/** Initialise a table: empty, with a copy of p. */
void vtep_neigh_init(struct vtep_neigh *nt, const struct vtep_neigh_params *p);

/** Next hop towards ip_be: itself if on-link, else the gateway; 0 if unreachable. */
rte_be32_t vtep_neigh_nexthop(const struct vtep_neigh *nt, rte_be32_t ip_be);

/** MAC of a neighbor if known (REACHABLE, PROBE, STATIC), else NULL. */
const struct rte_ether_addr *vtep_neigh_lookup(const struct vtep_neigh *nt, rte_be32_t ip_be);

/**
 * Add or replace a static neighbor (calls changed).
 * @return 0, -EINVAL (address 0 or multicast, MAC not unicast), -ENOSPC table full.
 */
int vtep_neigh_add_static(
		struct vtep_neigh *nt, rte_be32_t ip_be, const struct rte_ether_addr *mac);

/**
 * Remove a neighbor, static or not; calls changed with NULL if it had a MAC.
 * @return 0 or -ENOENT.
 */
int vtep_neigh_delete(struct vtep_neigh *nt, rte_be32_t ip_be);

/**
 * Forget a neighbor nothing uses any more (the remote VTEP behind it was released): a resolved or
 * resolving entry is freed without a change callback, so that the table does not fill with next
 * hops of remotes that are gone. Static neighbors stay.
 * @return 0, -ENOENT (not in the table), -EPERM (static).
 */
int vtep_neigh_forget(struct vtep_neigh *nt, rte_be32_t ip_be);

/**
 * Start resolving a next hop (give it vtep_neigh_nexthop() of the remote) if it is not known or
 * being resolved; the first broadcast request goes out now. The entry is kept resolved and
 * refreshed from then on (a passively learned entry becomes a wanted one). Call it, rather than
 * only vtep_neigh_lookup(), for every next hop in use: passively learned entries that nobody
 * resolved are freed when their neighbor stops answering.
 * @param out Frames to send (room for 1); *nb_out is incremented when a request is added.
 * @return 0 resolved already, 1 resolving, -EINVAL (0, multicast or local address),
 *         -ENOSPC table full, -ENOMEM no mbuf (the entry is created; the timer retries).
 */
int vtep_neigh_resolve(struct vtep_neigh *nt, rte_be32_t ip_be, uint64_t now, struct rte_mbuf **out,
		unsigned int *nb_out);

/**
 * Handle one received ARP frame (untagged or with one 802.1Q tag). Always consumes m: it is
 * freed, or turned in place into the reply and stored in out (the reply keeps the tag).
 * Requests for the local address are answered (also RFC 5227 probes with sender 0), at most
 * p.reply_rate a second; the sender of a request for us is learned if on-link; any sender already
 * in the table is updated (RFC 826 merge), also when the answer is held back by the rate.
 * @param out Room for 1 frame; *nb_out is incremented when a reply is added.
 * @return 0 handled (answered, or a reply merged), 1 a request for another address (not
 *         answered; a known sender is still updated), -EINVAL malformed or claiming our address,
 *         -EAGAIN a request for us not answered: the reply rate (counted in c.limited).
 */
int vtep_neigh_input(struct vtep_neigh *nt, struct rte_mbuf *m, uint64_t now, struct rte_mbuf **out,
		unsigned int *nb_out);

/**
 * Retries, refreshes, expiry: call at least every 100 ms (the timing above has that resolution).
 * @param max Room in out; what does not fit is done on a later call.
 * @return frames added to out.
 */
unsigned int vtep_neigh_timer(
		struct vtep_neigh *nt, uint64_t now, struct rte_mbuf **out, unsigned int max);

/**
 * A gratuitous ARP request for the local address (RFC 5227 section 2.3 announcement: broadcast,
 * sender and target address both local, target MAC zero), or NULL without an mbuf.
 */
struct rte_mbuf *vtep_neigh_gratuitous(struct vtep_neigh *nt);

/** Name of a state as iproute2 prints it ("reachable", "permanent", ...). */
const char *vtep_neigh_state_name(enum vtep_neigh_state s);

/** What vtep_neigh_walk() reports for one neighbor. */
struct vtep_neigh_info {
	rte_be32_t ip_be;            /**< Address. */
	struct rte_ether_addr mac;   /**< MAC, zero when not known. */
	enum vtep_neigh_state state; /**< State. */
	uint8_t flags;               /**< VTEP_NEIGH_F_*. */
	uint64_t age_ms; /**< Milliseconds since the last confirmation, UINT64_MAX never. */
};

/** Called by vtep_neigh_walk() for each neighbor. */
typedef void (*vtep_neigh_walk_t)(const struct vtep_neigh_info *info, void *arg);

/**
 * Report every neighbor in use (for telemetry); works on a copy of the table too.
 * @return neighbors reported.
 */
unsigned int vtep_neigh_walk(
		const struct vtep_neigh *nt, uint64_t now, vtep_neigh_walk_t cb, void *arg);

/**
 * Glean an on-link neighbor's MAC from a frame it sent us (the outer source MAC of VXLAN from
 * that VTEP), so that the first answer to a new remote needs no ARP round trip. Only fills an
 * unknown or unresolved entry: a resolved one is ARP's to change (calls changed when it fills).
 * @return 1 filled, 0 nothing to do, -EINVAL off-link, not a neighbor, or not a station MAC.
 */
int vtep_neigh_glean(struct vtep_neigh *nt, rte_be32_t ip_be, const struct rte_ether_addr *mac,
		uint64_t now);

#endif /* VTEP_NEIGH_H */
