/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classification of an underlay frame, from bytes and a length: pure, no EAL, no mbuf, so that it
 * can be fuzzed and tested alone. It decides whether a frame is VXLAN for a configured VNI (and
 * where its inner frame is), a control frame for the VTEP (ARP, IGMP, ICMP), or a drop, with the
 * reason.
 */
#ifndef VTEP_PARSE_H
#define VTEP_PARSE_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "vtep_hdr.h"
#include "vtep_stats.h"

/** Slots of the VNI map: a power of two, at least twice VTEP_MAX_VNIS. */
#define VTEP_VNI_MAP_SIZE 256

/** What a frame is. */
enum vtep_parse_kind {
	VTEP_PARSE_VXLAN, /**< VXLAN for a configured VNI: decapsulate. */
	VTEP_PARSE_ARP,   /**< ARP: to the control lcore. */
	VTEP_PARSE_IGMP,  /**< IGMP: to the control lcore. */
	VTEP_PARSE_ICMP,  /**< ICMP to the VTEP address: to the control lcore. */
	VTEP_PARSE_DROP,  /**< Drop; the reason is in drop. */
};

/** The facts classification needs: the VTEP's addresses and its VNIs. Read-only once built. */
struct vtep_parse_ctx {
	rte_be32_t local_be;                 /**< The VTEP address. */
	struct rte_ether_addr local_mac;     /**< The underlay port's MAC. */
	rte_be16_t dstport_be;               /**< VXLAN UDP port. */
	uint8_t verify_ip_csum;              /**< Check the IPv4 header checksum in software. */
	unsigned int nb_groups;              /**< Distinct groups in groups_be. */
	rte_be32_t groups_be[VTEP_MAX_VNIS]; /**< Every VNI's group, once each. */
	/** Open-addressed VNI -> (index, group) map; empty slots have idx -1. */
	struct {
		uint32_t vni;        /**< VNI of this slot. */
		int16_t idx;         /**< Index in the configuration, -1 = empty slot. */
		rte_be32_t group_be; /**< The VNI's group, 0 if none. */
	} map[VTEP_VNI_MAP_SIZE];
};

/** Outcome of classifying one frame. */
struct vtep_parse_result {
	uint8_t kind;        /**< enum vtep_parse_kind. */
	uint8_t drop;        /**< enum vtep_drop when kind is VTEP_PARSE_DROP. */
	uint16_t vni_idx;    /**< Index of the VNI (VXLAN). */
	uint16_t inner_off;  /**< Offset of the inner Ethernet header (VXLAN). */
	uint16_t inner_size; /**< Bytes of the inner frame, without trailing padding (VXLAN). */
	rte_be32_t src_be;   /**< Outer IPv4 source (VXLAN, IGMP, ICMP). */
	uint8_t ecn;         /**< Outer ECN field (VXLAN), for RFC 6040 decapsulation. */
};

/** Empty ctx with the VTEP's addresses; VNIs are added with vtep_parse_add_vni. */
void vtep_parse_ctx_init(struct vtep_parse_ctx *ctx, rte_be32_t local_be,
		const struct rte_ether_addr *local_mac, uint16_t dstport);

/**
 * Add a VNI to the map. @return 0, -EEXIST if it is there, -ENOSPC if the map is full.
 */
int vtep_parse_add_vni(struct vtep_parse_ctx *ctx, uint32_t vni, uint16_t idx, rte_be32_t group_be);

/** Index of vni, or -1. */
static inline int
vtep_parse_vni_lookup(const struct vtep_parse_ctx *ctx, uint32_t vni, rte_be32_t *group_be)
{
	unsigned int s = (vni * 2654435761u) >> 24 & (VTEP_VNI_MAP_SIZE - 1);

	for (unsigned int n = 0; n < VTEP_VNI_MAP_SIZE;
			n++, s = (s + 1) & (VTEP_VNI_MAP_SIZE - 1)) {
		if (ctx->map[s].idx < 0)
			return -1;
		if (ctx->map[s].vni == vni) {
			*group_be = ctx->map[s].group_be;
			return ctx->map[s].idx;
		}
	}
	return -1;
}

/**
 * Classify one underlay frame.
 * @param pkt      First byte of the frame (Ethernet).
 * @param hdr_size Contiguous bytes at pkt (the first segment).
 * @param pkt_size Bytes of the whole frame (all segments).
 * @param csum     What the NIC said of the IPv4 checksum: 0 unknown (check if configured),
 *                 1 good, 2 bad; bit 2 (4): the NIC said the L4 checksum is bad.
 * @param r        Out: the outcome.
 */
void vtep_parse(const uint8_t *pkt, uint32_t hdr_size, uint32_t pkt_size, unsigned int csum,
		const struct vtep_parse_ctx *ctx, struct vtep_parse_result *r);

/** csum argument bits for vtep_parse. */
#define VTEP_PARSE_IP_CSUM_GOOD 1u
#define VTEP_PARSE_IP_CSUM_BAD 2u
#define VTEP_PARSE_L4_CSUM_BAD 4u

#endif /* VTEP_PARSE_H */
