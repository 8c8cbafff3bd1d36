/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inner frame -> VXLAN. Known unicast gets the precomputed outer header of its remote VTEP;
 * broadcast, multicast and unknown unicast get one copy per flood destination of the VNI (its group
 * and/or its head-end replication list). Per packet only the lengths, the IPv4 id and checksum,
 * the VNI, TTL/TOS where configured, the UDP source port and the UDP checksum are written.
 */
#ifndef VTEP_ENCAP_H
#define VTEP_ENCAP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "vtep_fdb.h"
#include "vtep_hdr.h"
#include "vtep_remote.h"
#include "vtep_stats.h"

/** `ttl`/`tos` value meaning: take it from the inner IPv4 header. */
#define VTEP_ENCAP_INHERIT (-1)

/** Largest number of outer copies one inner frame can make. */
#define VTEP_ENCAP_MAX_COPIES 65

/** What workers need of one VNI to encapsulate. Written by the control lcore before launch. */
struct vtep_encap_vni {
	rte_be32_t vni_be;  /**< VNI as in the VXLAN header word. */
	int16_t ttl;        /**< 0 = auto (template), VTEP_ENCAP_INHERIT, or 1..255. */
	int16_t tos;        /**< VTEP_ENCAP_INHERIT or 0..255. */
	uint16_t nb_floods; /**< Flood destinations in floods. */
	uint16_t floods[VTEP_ENCAP_MAX_COPIES]; /**< Remote slots of the group and the HER list. */
};

/** Everything encap reads; one per vtepd, shared read-only by workers. */
struct vtep_encap_ctx {
	const struct vtep_fdb *fdb;         /**< The FDB. */
	const struct vtep_remotes *remotes; /**< Remote VTEP slots and templates. */
	const struct vtep_encap_vni *vnis;  /**< Per VNI index. */
	struct rte_mempool *pool;           /**< For flood copies and header mbufs. */
	uint16_t srcport_min;               /**< UDP source port range, inclusive. */
	uint16_t srcport_max;               /**< (kernel default 32768..60999). */
	uint16_t max_inner_size; /**< Largest inner frame: MTU - 50 + 14 (RFC 7348 4.3). */
	bool udpcsum;            /**< Compute the outer UDP checksum. */
	bool csum_offload;       /**< ... by TX offload (the port has IPv4+UDP cksum). */
};

/**
 * Hash of the inner flow (IPv4 addresses, protocol and ports where present, else the MACs and
 * ethertype): the entropy for the outer UDP source port, stable per flow.
 */
uint32_t vtep_encap_flow_hash(const struct rte_mbuf *m);

/** Scale a flow hash into [min, max] the way the kernel's udp_flow_src_port does. */
static inline uint16_t
vtep_encap_srcport(uint32_t hash, uint16_t min, uint16_t max)
{
	return (uint16_t)((((uint64_t)hash * ((uint32_t)max - min + 1)) >> 32) + min);
}

/**
 * Encapsulate m in place towards remote r (which must be resolved).
 * @param ip_id The lcore's IPv4 id counter; incremented.
 * @return 0, or a negative enum vtep_drop (m untouched; the caller frees and counts).
 */
int vtep_encap_one(const struct vtep_encap_ctx *ec, const struct vtep_encap_vni *v,
		const struct vtep_remote *r, struct rte_mbuf **m, uint16_t *ip_id);

/**
 * Encapsulate a burst of inner frames of one VNI.
 * @param out      Where the outer frames go, room for n * (1 + that VNI's nb_floods).
 * @param ip_id    The lcore's IPv4 id counter.
 * @param st       The lcore's counters: drops and per-VNI counts.
 * @return frames written to out. Dropped frames are freed and counted.
 */
uint16_t vtep_encap_burst(const struct vtep_encap_ctx *ec, unsigned int vni_idx,
		struct rte_mbuf **pkts, uint16_t n, struct rte_mbuf **out, uint16_t *ip_id,
		struct vtep_lcore_stats *st);

#endif /* VTEP_ENCAP_H */
