/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "vtep_parse.h"

void
vtep_parse_ctx_init(struct vtep_parse_ctx *ctx, rte_be32_t local_be,
		const struct rte_ether_addr *local_mac, uint16_t dstport)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->local_be = local_be;
	ctx->local_mac = *local_mac;
	ctx->dstport_be = rte_cpu_to_be_16(dstport);
	ctx->verify_ip_csum = 1;
	ctx->first.idx = -1;
	for (unsigned int i = 0; i < VTEP_VNI_MAP_SIZE; i++)
		ctx->map[i].idx = -1;
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
			if (ctx->first.idx < 0) {
				ctx->first.vni = vni;
				ctx->first.idx = idx;
				ctx->first.group_be = group_be;
			}
			if (group_be != 0 && !vtep_parse_is_group(ctx, group_be))
				ctx->groups_be[ctx->nb_groups++] = group_be;
			return 0;
		}
	}
	return -ENOSPC;
}

void
vtep_parse(const uint8_t *pkt, uint32_t hdr_size, uint32_t pkt_size, unsigned int csum,
		const struct vtep_parse_ctx *ctx, struct vtep_parse_result *r)
{
	vtep_parse_frame(pkt, hdr_size, pkt_size, csum, ctx, r);
}

void
vtep_parse_full(const uint8_t *pkt, uint32_t hdr_size, uint32_t pkt_size, unsigned int csum,
		const struct vtep_parse_ctx *ctx, struct vtep_parse_result *r)
{
	vtep_parse_frame_full(pkt, hdr_size, pkt_size, csum, ctx, r);
}
