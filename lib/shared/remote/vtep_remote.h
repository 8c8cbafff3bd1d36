/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Remote VTEPs and the outer headers that reach them. The control lcore owns the table: it adds
 * remotes (learned, static, flood list, groups), and writes each remote's outer header once, when
 * the next hop's MAC becomes known or changes. Workers only read a slot by index, copy its header
 * and patch the per-packet fields (VPP encap.c and OVS netdev_tnl_push_ip_header work the same
 * way).
 *
 * A MAC change must never let a worker copy half an old and half a new header: the only field that
 * changes after a slot is published is the destination MAC, and it is rewritten with one aligned
 * 8-byte store (the destination MAC plus the first two bytes of the unchanging source MAC), which
 * x86-64 makes visible atomically to any load of the line.
 *
 * Slots are reused. Workers find a slot through FDB entries and flood lists, which they may hold
 * for the rest of a burst after the control lcore changed them; so a slot the control lcore
 * releases (vtep_remote_release) loses its address at once but is handed out again only after
 * every worker has reported a quiescent state on the QSBR variable the FDB's readers use.
 */
#ifndef VTEP_REMOTE_H
#define VTEP_REMOTE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>

#include <rte_rcu_qsbr.h>

#include "vtep_hdr.h"

/** Index 0 means "no remote". */
#define VTEP_REMOTE_NONE 0

/**
 * One remote VTEP (or group) as workers see it: one cache line.
 *
 * The template's two checksum fields are never sent as they are: they hold what the per-packet
 * checksums start from (VPP encap.c and OVS do the same), so that a worker does not sum the
 * constant fields again for every packet.
 * - ip.hdr_checksum: the IPv4 header checksum of the template with total_length, packet_id and
 *   type_of_service zero; a packet's checksum adds those three fields to it
 *   (RFC 1624 incremental update from zero; vtep_ipv4_cksum_seed in lib/base/hdr).
 * - udp.dgram_cksum: the folded, uncomplemented sum of the constant words of the UDP checksum
 *   (vtep_udp_cksum_seed): the pseudo-header's addresses and protocol, the UDP destination port
 *   and the VXLAN flags. A packet's UDP checksum adds its lengths, source port, VNI and inner
 *   bytes.
 */
struct vtep_remote {
	/** Outer header template: MACs, IPv4 (ttl auto, no length/id/checksum), UDP dst, VXLAN
	 * flags. */
	union {
		struct vtep_outer_hdr hdr; /**< The template. */
		uint64_t hdr_words[7];     /**< For the atomic MAC update. */
	};
	uint8_t resolved;  /**< Next-hop MAC known: the template may be sent. */
	uint8_t multicast; /**< The remote is a group. */
	uint8_t used;      /**< Slot allocated (released ones too, until they are free). */
	uint8_t released;  /**< Released: waiting for the workers before reuse (control only). */
	rte_be32_t ip_be;  /**< Remote VTEP address (or group). */
} __rte_cache_aligned;

/** Parameters shared by every template. */
struct vtep_remote_params {
	uint32_t size;                   /**< Slots, including the unused slot 0. */
	int socket;                      /**< NUMA socket. */
	rte_be32_t local_be;             /**< Outer source address. */
	struct rte_ether_addr local_mac; /**< Outer source MAC. */
	uint16_t dstport;                /**< Outer UDP destination port. */
	/** Workers' QSBR variable: a released slot is reused once they have all passed a
	 * quiescent state since (NULL: at once, no readers). */
	struct rte_rcu_qsbr *qsbr;
};

/** The table. */
struct vtep_remotes {
	struct vtep_remote_params p; /**< Creation parameters. */
	struct rte_hash *by_ip;      /**< Address -> slot, control lcore only. */
	uint32_t nb_used;            /**< Slots in use (released ones until they are free). */
	uint32_t nb_released;        /**< Released slots waiting for the workers. */
	uint64_t *tokens;            /**< QSBR token of each released slot (control only). */
	struct vtep_remote *slots;   /**< p.size slots; workers index this. */
};

/** Create the table. @return it, or NULL with rte_errno set. */
struct vtep_remotes *vtep_remotes_create(const struct vtep_remote_params *p);

/** Free the table (NULL is fine). */
void vtep_remotes_free(struct vtep_remotes *rt);

/**
 * Find or add the remote for ip_be (control lcore). A group is resolved at once (its MAC is
 * 01:00:5e + the low 23 bits); a unicast remote waits for vtep_remote_set_mac.
 * @return the slot index (> 0), or -ENOSPC when the table is full.
 */
int vtep_remote_get(struct vtep_remotes *rt, rte_be32_t ip_be);

/** Slot of ip_be, or -ENOENT (control lcore). */
int vtep_remote_find(const struct vtep_remotes *rt, rte_be32_t ip_be);

/**
 * Set (mac non-NULL) or clear the next-hop MAC of a remote (control lcore).
 * A cleared remote is not resolved: workers drop its traffic with a counter.
 */
void vtep_remote_set_mac(struct vtep_remotes *rt, int idx, const struct rte_ether_addr *mac);

/**
 * Release slot idx (control lcore), when no FDB entry, flood list or configuration names it any
 * more: its address is forgotten at once (a later vtep_remote_get of it takes a fresh slot), and
 * the slot is reused only once every worker has passed a quiescent state since, because a worker
 * may still hold an FDB entry or a flood list read before the change. The template stays as it
 * was until then, so frames of those bursts still reach the right VTEP.
 * @return 0, or -EINVAL (slot 0, out of range, not in use or released already).
 */
int vtep_remote_release(struct vtep_remotes *rt, int idx);

/**
 * Free the released slots that every worker has moved on from (control lcore; vtep_remote_get
 * does it too when the table is full). @return slots freed.
 */
unsigned int vtep_remote_reclaim(struct vtep_remotes *rt);

/** A slot that holds a remote now: in use and not released. */
static inline bool
vtep_remote_live(const struct vtep_remote *r)
{
	return r->used && !r->released;
}

/** Slot by index (workers and control). */
static inline const struct vtep_remote *
vtep_remote_slot(const struct vtep_remotes *rt, unsigned int idx)
{
	return &rt->slots[idx];
}

#endif /* VTEP_REMOTE_H */
