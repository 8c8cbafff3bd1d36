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

#include <rte_hash_crc.h>
#include <rte_ip.h>
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
	bool tx_chains; /**< The underlay port sends chained mbufs: HER copies share the frame. */
};

/**
 * Hash of the inner flow (IPv4 addresses, protocol and ports where present, else the MACs and
 * ethertype): the entropy for the outer UDP source port, stable per flow. Inline: encap calls it
 * for every frame.
 */
static inline uint32_t
vtep_encap_flow_hash(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip;
	uint32_t len = rte_pktmbuf_data_len(m), ihl, h;

	if (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH)
		return m->hash.rss;
	if (len >= sizeof(*eth) + sizeof(*ip) && eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		ip = (const struct rte_ipv4_hdr *)(eth + 1);
		ihl = (ip->version_ihl & 0xf) * 4u;
		h = vtep_crc32c_4byte(ip->src_addr, ip->next_proto_id);
		h = vtep_crc32c_4byte(ip->dst_addr, h);
		/* Ports only in a first fragment that holds them (the flow dissector). */
		if ((ip->next_proto_id == IPPROTO_UDP || ip->next_proto_id == IPPROTO_TCP ||
				    ip->next_proto_id == IPPROTO_SCTP) &&
				!(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) &&
				ihl >= sizeof(*ip) && len >= sizeof(*eth) + ihl + 4) {
			uint32_t ports;

			memcpy(&ports, (const uint8_t *)ip + ihl, sizeof(ports));
			h = vtep_crc32c_4byte(ports, h);
		}
		return h;
	}
	if (len < sizeof(*eth))
		return 0;
	h = rte_hash_crc(eth, sizeof(*eth), 0);
	return h;
}

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
 * @param fc       The lcore's FDB cache, or NULL.
 * @param st       The lcore's counters: drops and per-VNI counts.
 * @return frames written to out. Dropped frames are freed and counted.
 */
uint16_t vtep_encap_burst(const struct vtep_encap_ctx *ec, unsigned int vni_idx,
		struct rte_mbuf **pkts, uint16_t n, struct rte_mbuf **out, uint16_t *ip_id,
		struct vtep_fdb_cache *fc, struct vtep_lcore_stats *st);

/**
 * Encapsulate frames whose destinations are already known (the bridge looked them up): frame i
 * goes to remote slot remotes[i], or with VTEP_REMOTE_NONE to the VNI's flood destinations.
 * Counts, drops and output as vtep_encap_burst (room for n * (1 + nb_floods) in out).
 * @return frames written to out.
 */
uint16_t vtep_encap_resolved(const struct vtep_encap_ctx *ec, unsigned int vni_idx,
		struct rte_mbuf **pkts, const uint16_t *remotes, uint16_t n, struct rte_mbuf **out,
		uint16_t *ip_id, struct vtep_lcore_stats *st);

/** Flood destinations of a VNI now (one load of the published list). */
static inline uint16_t
vtep_encap_nb_floods(const struct vtep_encap_ctx *ec, unsigned int vni_idx)
{
	const struct vtep_encap_vni *vnis = __atomic_load_n(&ec->vnis, __ATOMIC_ACQUIRE);

	return vnis[vni_idx].nb_floods;
}

#endif /* VTEP_ENCAP_H */
