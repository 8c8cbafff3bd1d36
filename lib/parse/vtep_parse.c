/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "vtep_parse.h"

/* IPv4 flags/fragment offset: MF and the offset; DF is fine (RFC 791). */
#define IP_FRAG_MASK RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)

void
vtep_parse_ctx_init(struct vtep_parse_ctx *ctx, rte_be32_t local_be,
		const struct rte_ether_addr *local_mac, uint16_t dstport)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->local_be = local_be;
	ctx->local_mac = *local_mac;
	ctx->dstport_be = rte_cpu_to_be_16(dstport);
	ctx->verify_ip_csum = 1;
	for (unsigned int i = 0; i < VTEP_VNI_MAP_SIZE; i++)
		ctx->map[i].idx = -1;
}

/* Is the destination one of the VNIs' groups? (Rare path: multicast VXLAN.) */
static bool
is_group(const struct vtep_parse_ctx *ctx, rte_be32_t dst_be)
{
	for (unsigned int i = 0; i < ctx->nb_groups; i++)
		if (ctx->groups_be[i] == dst_be)
			return true;
	return false;
}

int
vtep_parse_add_vni(struct vtep_parse_ctx *ctx, uint32_t vni, uint16_t idx, rte_be32_t group_be)
{
	unsigned int s = (vni * 2654435761u) >> 24 & (VTEP_VNI_MAP_SIZE - 1);
	rte_be32_t g;

	if (vtep_parse_vni_lookup(ctx, vni, &g) >= 0)
		return -EEXIST;
	for (unsigned int n = 0; n < VTEP_VNI_MAP_SIZE;
			n++, s = (s + 1) & (VTEP_VNI_MAP_SIZE - 1)) {
		if (ctx->map[s].idx < 0) {
			ctx->map[s].vni = vni;
			ctx->map[s].idx = idx;
			ctx->map[s].group_be = group_be;
			if (group_be != 0 && !is_group(ctx, group_be))
				ctx->groups_be[ctx->nb_groups++] = group_be;
			return 0;
		}
	}
	return -ENOSPC;
}

static inline void
drop(struct vtep_parse_result *r, enum vtep_drop reason)
{
	r->kind = VTEP_PARSE_DROP;
	r->drop = reason;
}

/* The part after the IPv4 header: UDP to dstport, then VXLAN. */
static void
parse_vxlan(const uint8_t *l4, uint32_t l4_size, uint32_t hdr_avail, rte_be32_t dst_be,
		const struct vtep_parse_ctx *ctx, struct vtep_parse_result *r, uint16_t l4_off)
{
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)l4;
	const struct rte_vxlan_hdr *vx;
	const struct rte_ether_hdr *inner;
	uint32_t udp_size, inner_size;
	rte_be32_t group_be;
	int idx;

	if (hdr_avail < sizeof(*udp) || l4_size < sizeof(*udp))
		return drop(r, VTEP_DROP_RX_TRUNCATED);
	udp_size = rte_be_to_cpu_16(udp->dgram_len);
	if (udp_size < sizeof(*udp) || udp_size > l4_size)
		return drop(r, VTEP_DROP_RX_UDP_LENGTH);
	if (udp->dst_port != ctx->dstport_be)
		return drop(r, VTEP_DROP_RX_UDP_PORT);
	/* Headers up to and including the inner Ethernet header must be contiguous. */
	if (udp_size < sizeof(*udp) + sizeof(*vx) || hdr_avail < sizeof(*udp) + sizeof(*vx))
		return drop(r, VTEP_DROP_RX_TRUNCATED);
	vx = (const struct rte_vxlan_hdr *)(udp + 1);
	/* RFC 7348 section 5: I set, reserved bits zero; the kernel drops anything else too. */
	if (vx->vx_flags != VTEP_VXLAN_FLAGS_BE || (vx->vx_vni & RTE_BE32(0xff)) != 0)
		return drop(r, VTEP_DROP_RX_VXLAN_FLAGS);
	idx = vtep_parse_vni_lookup(ctx, vtep_vxlan_vni(vx), &group_be);
	if (idx < 0)
		return drop(r, VTEP_DROP_RX_VNI_UNKNOWN);
	if (dst_be != ctx->local_be && dst_be != group_be)
		return drop(r, VTEP_DROP_RX_GROUP_VNI);
	inner_size = udp_size - sizeof(*udp) - sizeof(*vx);
	if (inner_size < sizeof(*inner) || hdr_avail < sizeof(*udp) + sizeof(*vx) + sizeof(*inner))
		return drop(r, VTEP_DROP_RX_INNER_TRUNCATED);
	inner = (const struct rte_ether_hdr *)(vx + 1);
	/* A source that cannot be an Ethernet station is never learned (kernel:
	 * is_valid_ether_addr). */
	if (!rte_is_valid_assigned_ether_addr(&inner->src_addr))
		return drop(r, VTEP_DROP_RX_INNER_SRC_INVALID);
	r->kind = VTEP_PARSE_VXLAN;
	r->vni_idx = idx;
	r->inner_off = l4_off + sizeof(*udp) + sizeof(*vx);
	r->inner_size = inner_size;
}

void
vtep_parse(const uint8_t *pkt, uint32_t hdr_size, uint32_t pkt_size, unsigned int csum,
		const struct vtep_parse_ctx *ctx, struct vtep_parse_result *r)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)pkt;
	const struct rte_ipv4_hdr *ip;
	uint32_t off = sizeof(*eth), ip_hdr_size, ip_size;
	rte_be16_t type;

	if (hdr_size > pkt_size)
		hdr_size = pkt_size;
	if (hdr_size < sizeof(*eth))
		return drop(r, VTEP_DROP_RX_TRUNCATED);
	type = eth->ether_type;
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);

		if (hdr_size < off + sizeof(*vh))
			return drop(r, VTEP_DROP_RX_TRUNCATED);
		type = vh->eth_proto;
		off += sizeof(*vh);
		if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || type == RTE_BE16(RTE_ETHER_TYPE_QINQ))
			return drop(r, VTEP_DROP_RX_VLAN_NESTED);
	}
	if (type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		r->kind = VTEP_PARSE_ARP;
		return;
	}
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return drop(r, VTEP_DROP_RX_NOT_IP);
	if (hdr_size < off + sizeof(*ip))
		return drop(r, VTEP_DROP_RX_TRUNCATED);
	ip = (const struct rte_ipv4_hdr *)(pkt + off);
	if ((ip->version_ihl >> 4) != 4)
		return drop(r, VTEP_DROP_RX_IP_VERSION);
	ip_hdr_size = (ip->version_ihl & 0xf) * 4u;
	ip_size = rte_be_to_cpu_16(ip->total_length);
	if (ip_hdr_size < sizeof(*ip) || ip_size < ip_hdr_size || ip_size > pkt_size - off)
		return drop(r, VTEP_DROP_RX_IP_LENGTH);
	if (hdr_size < off + ip_hdr_size)
		return drop(r, VTEP_DROP_RX_TRUNCATED);
	if (csum & VTEP_PARSE_IP_CSUM_BAD)
		return drop(r, VTEP_DROP_RX_IP_CSUM);
	if (!(csum & VTEP_PARSE_IP_CSUM_GOOD) && ctx->verify_ip_csum &&
			rte_raw_cksum(ip, ip_hdr_size) != 0xffff)
		return drop(r, VTEP_DROP_RX_IP_CSUM);
	if (ip->fragment_offset & IP_FRAG_MASK)
		return drop(r, VTEP_DROP_RX_IP_FRAGMENT);
	r->src_be = ip->src_addr;
	r->ecn = ip->type_of_service & 3;
	/* IGMP comes to groups and 224.0.0.x with a Router Alert option (RFC 2236/3376). */
	if (ip->next_proto_id == IPPROTO_IGMP &&
			(ip->dst_addr == ctx->local_be || vtep_ip_is_multicast(ip->dst_addr))) {
		r->kind = VTEP_PARSE_IGMP;
		return;
	}
	if (ip_hdr_size != sizeof(*ip))
		return drop(r, VTEP_DROP_RX_IP_OPTIONS);
	if (ip->dst_addr != ctx->local_be &&
			!(vtep_ip_is_multicast(ip->dst_addr) && ip->next_proto_id == IPPROTO_UDP &&
					is_group(ctx, ip->dst_addr)))
		return drop(r, VTEP_DROP_RX_NOT_FOR_US);
	if (ip->src_addr == ctx->local_be)
		return drop(r, VTEP_DROP_RX_SELF);
	off += sizeof(*ip);
	switch (ip->next_proto_id) {
	case IPPROTO_UDP:
		if (csum & VTEP_PARSE_L4_CSUM_BAD)
			return drop(r, VTEP_DROP_RX_UDP_CSUM);
		return parse_vxlan(pkt + off, ip_size - sizeof(*ip), hdr_size - off, ip->dst_addr,
				ctx, r, off);
	case IPPROTO_ICMP:
		r->kind = VTEP_PARSE_ICMP;
		return;
	default:
		return drop(r, VTEP_DROP_RX_IP_PROTO);
	}
}
