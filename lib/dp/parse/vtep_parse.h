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
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

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
	rte_be32_t local_be;             /**< The VTEP address. */
	rte_be32_t bcast_be;             /**< The local subnet's broadcast address, 0 if none. */
	struct rte_ether_addr local_mac; /**< The underlay port's MAC. */
	uint64_t local_mac_le;           /**< The same, as vtep_parse_load64() of its 6 bytes. */
	rte_be16_t dstport_be;           /**< VXLAN UDP port. */
	uint8_t verify_ip_csum;          /**< Check the IPv4 header checksum in software. */
	/** The first VNI added, also in map: checked first, so one VNI costs one compare. */
	struct {
		uint32_t vni;        /**< Its VNI. */
		int16_t idx;         /**< Its index, -1 = no VNI yet. */
		rte_be32_t group_be; /**< Its group, 0 if none. */
	} first;
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
	/** VXLAN: the UDP checksum is not zero, the port gave no verdict, and the datagram is not
	 * in the first segment: the caller checks it over the segments. */
	uint8_t udp_unchecked;
};

/** Empty ctx with the VTEP's addresses; VNIs are added with vtep_parse_add_vni. */
void vtep_parse_ctx_init(struct vtep_parse_ctx *ctx, rte_be32_t local_be,
		const struct rte_ether_addr *local_mac, uint16_t dstport);

/**
 * The local prefix length: its broadcast address (for prefixes up to /30; /31 and /32 have none,
 * RFC 3021) is refused as an outer source.
 */
void vtep_parse_set_prefix(struct vtep_parse_ctx *ctx, unsigned int prefix_len);

/**
 * Are the IPv4 options (len bytes after the 20-byte header) acceptable? The receive-side checks of
 * the kernel's ip_options_compile(): lengths inside the header, record route and timestamp
 * pointers and duplicates, router alert of 4 bytes; a source route (LSRR/SSRR, RFC 7126 section
 * 4.3: the kernel drops it unless accept_source_route) and CIPSO (the kernel accepts it only with a
 * CIPSO DOI configured) are refused. EOL ends the list; NOP and other options pass.
 */
bool vtep_parse_ip_options_ok(const uint8_t *opt, uint32_t len);

/**
 * Add a VNI to the map. @return 0, -EEXIST if it is there, -ENOSPC if the map is full.
 */
int vtep_parse_add_vni(struct vtep_parse_ctx *ctx, uint32_t vni, uint16_t idx, rte_be32_t group_be);

/** Index of vni, or -1. */
static inline int
vtep_parse_vni_lookup(const struct vtep_parse_ctx *ctx, uint32_t vni, rte_be32_t *group_be)
{
	unsigned int s;

	if (vni == ctx->first.vni && ctx->first.idx >= 0) {
		*group_be = ctx->first.group_be;
		return ctx->first.idx;
	}
	s = (vni * 2654435761u) >> 24 & (VTEP_VNI_MAP_SIZE - 1);
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

/** csum argument bits for vtep_parse. */
#define VTEP_PARSE_IP_CSUM_GOOD 1u
#define VTEP_PARSE_IP_CSUM_BAD 2u
#define VTEP_PARSE_L4_CSUM_BAD 4u
/** The port vouched for the UDP payload (checksum good, or data verified): no software check. */
#define VTEP_PARSE_L4_CSUM_GOOD 8u

/** IPv4 flags/fragment offset: MF and the offset; DF is fine (RFC 791). */
#define VTEP_PARSE_IP_FRAG_MASK RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)

/** Is dst_be one of the VNIs' groups? (Rare path: multicast VXLAN.) */
static inline bool
vtep_parse_is_group(const struct vtep_parse_ctx *ctx, rte_be32_t dst_be)
{
	for (unsigned int i = 0; i < ctx->nb_groups; i++)
		if (ctx->groups_be[i] == dst_be)
			return true;
	return false;
}

/** Record a drop reason in r (vtep_parse_frame's helper). */
static inline void
vtep_parse_drop(struct vtep_parse_result *r, enum vtep_drop reason)
{
	r->kind = VTEP_PARSE_DROP;
	r->drop = reason;
}

/**
 * The reason to drop a frame from outer source src_be (RFC 1122 3.2.1.3, RFC 1812 5.3.7), or
 * VTEP_DROP_MAX: no VTEP sends from these, and a reply to one would go to a group, a broadcast or
 * nowhere.
 */
static inline enum vtep_drop
vtep_parse_src_drop(const struct vtep_parse_ctx *ctx, rte_be32_t src_be)
{
	uint32_t src = vtep_be_to_cpu_32(src_be);

	if ((src >> 24) == 0)
		return VTEP_DROP_RX_SRC_ZERO;
	if ((src >> 24) == 127)
		return VTEP_DROP_RX_SRC_LOOPBACK;
	if ((src >> 28) == 0xe)
		return VTEP_DROP_RX_SRC_MULTICAST;
	if (src == UINT32_MAX || src_be == ctx->bcast_be)
		return VTEP_DROP_RX_SRC_BROADCAST;
	if ((src >> 28) == 0xf)
		return VTEP_DROP_RX_SRC_RESERVED;
	return VTEP_DROP_MAX;
}

/**
 * May an inner frame of inner_size bytes with this ethertype be delivered? Not an IPv4 or IPv6
 * frame shorter than its IP header: the kernel's vxlan drops those (pskb_inet_may_pull, counted
 * as rx_length_errors) and delivers any other frame with a whole Ethernet header.
 */
static inline bool
vtep_parse_inner_size_ok(rte_be16_t type_be, uint32_t inner_size)
{
	if (type_be == RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return inner_size >= sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr);
	if (type_be == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		return inner_size >= sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv6_hdr);
	return true;
}

/** The part after the IPv4 header: UDP to dstport, then VXLAN (vtep_parse_frame's tail). */
static inline void
vtep_parse_udp_vxlan(const uint8_t *l4, uint32_t l4_size, uint32_t hdr_avail,
		const struct rte_ipv4_hdr *ip, unsigned int csum, const struct vtep_parse_ctx *ctx,
		struct vtep_parse_result *r, uint16_t l4_off)
{
	rte_be32_t dst_be = ip->dst_addr;
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)l4;
	const struct rte_vxlan_hdr *vx;
	const struct rte_ether_hdr *inner;
	uint32_t udp_size, inner_size;
	rte_be32_t group_be;
	int idx;

	if (hdr_avail < sizeof(*udp) || l4_size < sizeof(*udp))
		return vtep_parse_drop(r, VTEP_DROP_RX_TRUNCATED);
	udp_size = vtep_be_to_cpu_16(udp->dgram_len);
	if (udp_size < sizeof(*udp) || udp_size > l4_size)
		return vtep_parse_drop(r, VTEP_DROP_RX_UDP_LENGTH);
	if (udp->dst_port != ctx->dstport_be)
		return vtep_parse_drop(r, VTEP_DROP_RX_UDP_PORT);
	/* The kernel checks a non-zero checksum before the encapsulation socket sees the datagram
	 * (udp_queue_rcv_one_skb); so do we where the port gave no verdict (vdevs, NICs without
	 * the offload). A datagram beyond the first segment is left to the caller. */
	r->udp_unchecked = 0;
	if (udp->dgram_cksum != 0 && !(csum & VTEP_PARSE_L4_CSUM_GOOD)) {
		if (hdr_avail < udp_size)
			r->udp_unchecked = 1;
		else if (!vtep_udp4_cksum_ok(ip->src_addr, dst_be, udp, udp_size))
			return vtep_parse_drop(r, VTEP_DROP_RX_UDP_CSUM);
	}
	/* Headers up to and including the inner Ethernet header must be contiguous. */
	if (udp_size < sizeof(*udp) + sizeof(*vx) || hdr_avail < sizeof(*udp) + sizeof(*vx))
		return vtep_parse_drop(r, VTEP_DROP_RX_TRUNCATED);
	vx = (const struct rte_vxlan_hdr *)(udp + 1);
	/* RFC 7348 section 5: I set, reserved bits zero; the kernel drops anything else too. */
	if (vx->vx_flags != VTEP_VXLAN_FLAGS_BE || (vx->vx_vni & RTE_BE32(0xff)) != 0)
		return vtep_parse_drop(r, VTEP_DROP_RX_VXLAN_FLAGS);
	idx = vtep_parse_vni_lookup(ctx, vtep_vxlan_vni(vx), &group_be);
	if (idx < 0)
		return vtep_parse_drop(r, VTEP_DROP_RX_VNI_UNKNOWN);
	if (dst_be != ctx->local_be && dst_be != group_be)
		return vtep_parse_drop(r, VTEP_DROP_RX_GROUP_VNI);
	inner_size = udp_size - sizeof(*udp) - sizeof(*vx);
	if (inner_size < sizeof(*inner) || hdr_avail < sizeof(*udp) + sizeof(*vx) + sizeof(*inner))
		return vtep_parse_drop(r, VTEP_DROP_RX_INNER_TRUNCATED);
	inner = (const struct rte_ether_hdr *)(vx + 1);
	if (!vtep_parse_inner_size_ok(inner->ether_type, inner_size))
		return vtep_parse_drop(r, VTEP_DROP_RX_INNER_TRUNCATED);
	/* A source that cannot be an Ethernet station is never learned (kernel:
	 * is_valid_ether_addr). */
	if (!rte_is_valid_assigned_ether_addr(&inner->src_addr))
		return vtep_parse_drop(r, VTEP_DROP_RX_INNER_SRC_INVALID);
	r->kind = VTEP_PARSE_VXLAN;
	r->vni_idx = idx;
	r->inner_off = l4_off + sizeof(*udp) + sizeof(*vx);
	r->inner_size = inner_size;
}

/** Little-endian load of 8 bytes at p, any alignment. */
static inline uint64_t
vtep_parse_load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return rte_le_to_cpu_64(v);
}

/**
 * The common frame in few loads: untagged IPv4 without options or fragments to the port's MAC,
 * from a unicast source, UDP to dstport at the VTEP's own address with a zero or right checksum,
 * VXLAN with flags I and zero reserved bits for a configured VNI, a valid inner source and an
 * inner frame long enough for its IP header, and no checksum verdict of the NIC but "good". Such a
 * frame passes every check of vtep_parse_frame_full() and gets the same result; any other frame is
 * left to it (@return false, r untouched). Same arguments as vtep_parse_frame().
 */
static inline bool
vtep_parse_frame_fast(const uint8_t *pkt, uint32_t hdr_size, uint32_t pkt_size, unsigned int csum,
		const struct vtep_parse_ctx *ctx, struct vtep_parse_result *r)
{
	/* Bytes 12-19: ethertype, version/IHL, TOS, total length, id. 20-27: fragment field, TTL,
	 * protocol, checksum, half the source. 34-41: UDP. 42-49: VXLAN flags, VNI, reserved. */
	const uint64_t eth_ip_mask = 0xffffffull, eth_ip_want = 0x450008ull;
	const uint64_t frag_proto_mask = 0xff00ff3full, frag_proto_want = 0x11000000ull;
	const uint64_t vx_mask = 0xff000000ffffffffull, vx_want = VTEP_VXLAN_FLAGS_I;
	uint64_t w12, w20, w34, w42;
	uint32_t ip_size, udp_size, src_be, dst_be;
	rte_be32_t group_be;
	int idx;

	if (hdr_size < VTEP_OUTER_SIZE + sizeof(struct rte_ether_hdr) || hdr_size > pkt_size ||
			(csum & ~(VTEP_PARSE_IP_CSUM_GOOD | VTEP_PARSE_L4_CSUM_GOOD)) != 0)
		return false;
	w12 = vtep_parse_load64(pkt + 12);
	w20 = vtep_parse_load64(pkt + 20);
	w34 = vtep_parse_load64(pkt + 34);
	w42 = vtep_parse_load64(pkt + 42);
	memcpy(&src_be, pkt + 26, sizeof(src_be));
	memcpy(&dst_be, pkt + 30, sizeof(dst_be));
	if ((w12 & eth_ip_mask) != eth_ip_want || (w20 & frag_proto_mask) != frag_proto_want ||
			(w42 & vx_mask) != vx_want || dst_be != ctx->local_be ||
			src_be == ctx->local_be ||
			(uint16_t)(w34 >> 16) != rte_le_to_cpu_16(ctx->dstport_be) ||
			(vtep_parse_load64(pkt) & 0xffffffffffffull) != ctx->local_mac_le)
		return false;
	/* A unicast source: not 0/8, 127/8, 224/4 or 240/4, nor the subnet's broadcast. */
	if ((uint8_t)(pkt[26] - 1) >= 223 || pkt[26] == 127 || src_be == ctx->bcast_be)
		return false;
	/* The words hold the bytes in little-endian order: a swap gives network order. */
	ip_size = __builtin_bswap16((uint16_t)(w12 >> 32));
	udp_size = __builtin_bswap16((uint16_t)(w34 >> 32));
	/* UDP and VXLAN headers and an inner Ethernet header, inside IP, inside the frame. */
	if (udp_size < sizeof(struct rte_udp_hdr) + sizeof(struct rte_vxlan_hdr) +
							sizeof(struct rte_ether_hdr) ||
			udp_size + sizeof(struct rte_ipv4_hdr) > ip_size ||
			ip_size > pkt_size - sizeof(struct rte_ether_hdr))
		return false;
	/* An inner frame with room for an IPv6 header, or an IPv4 one unless it says IPv6. */
	if (udp_size < 16 + 14 + 40 &&
			(udp_size < 16 + 14 + 20 || (pkt[62] == 0x86 && pkt[63] == 0xdd)))
		return false;
	/* Inner source: not multicast (nor broadcast), not zero. */
	if ((pkt[56] & 1) != 0 || (vtep_parse_load64(pkt + 54) >> 16) == 0)
		return false;
	if (!(csum & VTEP_PARSE_IP_CSUM_GOOD) && ctx->verify_ip_csum &&
			vtep_raw_cksum(pkt + sizeof(struct rte_ether_hdr),
					sizeof(struct rte_ipv4_hdr)) != 0xffff)
		return false;
	/* A non-zero UDP checksum without the port's verdict: the datagram's sum (linear in its
	 * size; the kernel's peers send one by default). */
	if ((w34 >> 48) != 0 && !(csum & VTEP_PARSE_L4_CSUM_GOOD) &&
			(hdr_size < 34 + udp_size ||
					!vtep_udp4_cksum_ok(src_be, dst_be, pkt + 34, udp_size)))
		return false;
	idx = vtep_parse_vni_lookup(ctx, __builtin_bswap32((uint32_t)(w42 >> 32)) >> 8, &group_be);
	if (idx < 0)
		return false;
	r->kind = VTEP_PARSE_VXLAN;
	r->vni_idx = idx;
	r->inner_off = VTEP_OUTER_SIZE;
	r->inner_size = udp_size - sizeof(struct rte_udp_hdr) - sizeof(struct rte_vxlan_hdr);
	r->src_be = src_be;
	r->ecn = (w12 >> 24) & 3;
	r->udp_unchecked = 0;
	return true;
}

/**
 * May a frame to a multicast or broadcast MAC carry an IPv4 packet to dst_be? Only to a group, and
 * to that group's own MAC (RFC 1112 section 6.4); a unicast IPv4 destination in a link-layer
 * broadcast or multicast is discarded (RFC 1122 3.3.6).
 */
static inline bool
vtep_parse_group_mac_ok(const struct rte_ether_addr *mac, rte_be32_t dst_be)
{
	struct rte_ether_addr g;

	if (!vtep_ip_is_multicast(dst_be))
		return false;
	vtep_group_mac(dst_be, &g);
	return rte_is_same_ether_addr(mac, &g);
}

/**
 * Every check of the classification, one at a time, in the order that decides the drop reason.
 * Same arguments as vtep_parse_frame().
 */
static inline void
vtep_parse_frame_full(const uint8_t *pkt, uint32_t hdr_size, uint32_t pkt_size, unsigned int csum,
		const struct vtep_parse_ctx *ctx, struct vtep_parse_result *r)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)pkt;
	const struct rte_ipv4_hdr *ip;
	uint32_t off = sizeof(*eth), ip_hdr_size, ip_size;
	enum vtep_drop src_drop;
	rte_be16_t type;

	if (hdr_size > pkt_size)
		hdr_size = pkt_size;
	if (hdr_size < sizeof(*eth))
		return vtep_parse_drop(r, VTEP_DROP_RX_TRUNCATED);
	/* Another host's frame, seen because the port is promiscuous (the kernel drops
	 * PACKET_OTHERHOST first). */
	if (rte_is_unicast_ether_addr(&eth->dst_addr) &&
			!rte_is_same_ether_addr(&eth->dst_addr, &ctx->local_mac))
		return vtep_parse_drop(r, VTEP_DROP_RX_DST_MAC);
	type = eth->ether_type;
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);

		if (hdr_size < off + sizeof(*vh))
			return vtep_parse_drop(r, VTEP_DROP_RX_TRUNCATED);
		/* The underlay is untagged: only a priority tag (VID 0, IEEE 802.1Q) is taken,
		 * as an untagged frame, as the kernel does. */
		if ((vh->vlan_tci & RTE_BE16(0xfff)) != 0)
			return vtep_parse_drop(r, VTEP_DROP_RX_VLAN);
		type = vh->eth_proto;
		off += sizeof(*vh);
		if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || type == RTE_BE16(RTE_ETHER_TYPE_QINQ))
			return vtep_parse_drop(r, VTEP_DROP_RX_VLAN_NESTED);
	}
	if (type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		/* To us or to everyone (a request), not to a group. */
		if (rte_is_multicast_ether_addr(&eth->dst_addr) &&
				!rte_is_broadcast_ether_addr(&eth->dst_addr))
			return vtep_parse_drop(r, VTEP_DROP_RX_DST_MAC);
		r->kind = VTEP_PARSE_ARP;
		return;
	}
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return vtep_parse_drop(r, VTEP_DROP_RX_NOT_IP);
	if (hdr_size < off + sizeof(*ip))
		return vtep_parse_drop(r, VTEP_DROP_RX_TRUNCATED);
	ip = (const struct rte_ipv4_hdr *)(pkt + off);
	if ((ip->version_ihl >> 4) != 4)
		return vtep_parse_drop(r, VTEP_DROP_RX_IP_VERSION);
	if (rte_is_multicast_ether_addr(&eth->dst_addr) &&
			!vtep_parse_group_mac_ok(&eth->dst_addr, ip->dst_addr))
		return vtep_parse_drop(r, VTEP_DROP_RX_DST_MAC);
	ip_hdr_size = (ip->version_ihl & 0xf) * 4u;
	ip_size = vtep_be_to_cpu_16(ip->total_length);
	if (ip_hdr_size < sizeof(*ip) || ip_size < ip_hdr_size || ip_size > pkt_size - off)
		return vtep_parse_drop(r, VTEP_DROP_RX_IP_LENGTH);
	if (hdr_size < off + ip_hdr_size)
		return vtep_parse_drop(r, VTEP_DROP_RX_TRUNCATED);
	if (csum & VTEP_PARSE_IP_CSUM_BAD)
		return vtep_parse_drop(r, VTEP_DROP_RX_IP_CSUM);
	/* The usual 20-byte header with a constant length: the sum unrolls to three loads. */
	if (!(csum & VTEP_PARSE_IP_CSUM_GOOD) && ctx->verify_ip_csum &&
			(ip_hdr_size == sizeof(*ip) ? vtep_raw_cksum(ip, sizeof(*ip))
						    : vtep_raw_cksum(ip, ip_hdr_size)) != 0xffff)
		return vtep_parse_drop(r, VTEP_DROP_RX_IP_CSUM);
	if (ip->fragment_offset & VTEP_PARSE_IP_FRAG_MASK)
		return vtep_parse_drop(r, VTEP_DROP_RX_IP_FRAGMENT);
	r->src_be = ip->src_addr;
	r->ecn = ip->type_of_service & 3;
	/* IGMP comes to groups and 224.0.0.x with a Router Alert option (RFC 2236/3376), also from
	 * 0.0.0.0 (a snooping switch's query, RFC 4541 2.1.1): the control lcore checks it. */
	if (ip->next_proto_id == IPPROTO_IGMP &&
			(ip->dst_addr == ctx->local_be || vtep_ip_is_multicast(ip->dst_addr))) {
		r->kind = VTEP_PARSE_IGMP;
		return;
	}
	/* Options the kernel accepts (NOP, Router Alert, ...) are skipped, as it does. */
	if (ip_hdr_size != sizeof(*ip) &&
			!vtep_parse_ip_options_ok(
					(const uint8_t *)(ip + 1), ip_hdr_size - sizeof(*ip)))
		return vtep_parse_drop(r, VTEP_DROP_RX_IP_OPTIONS);
	if (ip->dst_addr != ctx->local_be &&
			!(vtep_ip_is_multicast(ip->dst_addr) && ip->next_proto_id == IPPROTO_UDP &&
					vtep_parse_is_group(ctx, ip->dst_addr)))
		return vtep_parse_drop(r, VTEP_DROP_RX_NOT_FOR_US);
	/* Before anything is learned from it or answered to it. */
	src_drop = vtep_parse_src_drop(ctx, ip->src_addr);
	if (src_drop != VTEP_DROP_MAX)
		return vtep_parse_drop(r, src_drop);
	if (ip->src_addr == ctx->local_be)
		return vtep_parse_drop(r, VTEP_DROP_RX_SELF);
	off += ip_hdr_size;
	switch (ip->next_proto_id) {
	case IPPROTO_UDP:
		if (csum & VTEP_PARSE_L4_CSUM_BAD)
			return vtep_parse_drop(r, VTEP_DROP_RX_UDP_CSUM);
		return vtep_parse_udp_vxlan(pkt + off, ip_size - ip_hdr_size, hdr_size - off, ip,
				csum, ctx, r, off);
	case IPPROTO_ICMP:
		r->kind = VTEP_PARSE_ICMP;
		return;
	default:
		return vtep_parse_drop(r, VTEP_DROP_RX_IP_PROTO);
	}
}

/**
 * Classify one underlay frame, inline: the decap fast path calls this for every frame. The common
 * VXLAN frame takes vtep_parse_frame_fast(), everything else every check in order.
 * @param pkt      First byte of the frame (Ethernet).
 * @param hdr_size Contiguous bytes at pkt (the first segment).
 * @param pkt_size Bytes of the whole frame (all segments).
 * @param csum     What the NIC said of the IPv4 checksum: 0 unknown (check if configured),
 *                 1 good, 2 bad; bit 2 (4): the NIC said the L4 checksum is bad; bit 3 (8): it
 *                 said the L4 checksum is good (else a non-zero UDP checksum is checked here).
 * @param r        Out: the outcome.
 */
static inline void
vtep_parse_frame(const uint8_t *pkt, uint32_t hdr_size, uint32_t pkt_size, unsigned int csum,
		const struct vtep_parse_ctx *ctx, struct vtep_parse_result *r)
{
	if (likely(vtep_parse_frame_fast(pkt, hdr_size, pkt_size, csum, ctx, r)))
		return;
	vtep_parse_frame_full(pkt, hdr_size, pkt_size, csum, ctx, r);
}

/**
 * vtep_parse_frame() out of line: the same classification, the entry of the fuzz target and the
 * parse tests.
 */
void vtep_parse(const uint8_t *pkt, uint32_t hdr_size, uint32_t pkt_size, unsigned int csum,
		const struct vtep_parse_ctx *ctx, struct vtep_parse_result *r);

/** vtep_parse_frame_full() out of line: every check, no fast path (the reference of the tests). */
void vtep_parse_full(const uint8_t *pkt, uint32_t hdr_size, uint32_t pkt_size, unsigned int csum,
		const struct vtep_parse_ctx *ctx, struct vtep_parse_result *r);

#endif /* VTEP_PARSE_H */
