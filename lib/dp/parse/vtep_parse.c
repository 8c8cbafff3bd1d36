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
	memcpy(&ctx->local_mac_le, local_mac, sizeof(*local_mac));
	ctx->local_mac_le = rte_le_to_cpu_64(ctx->local_mac_le);
	ctx->dstport_be = rte_cpu_to_be_16(dstport);
	ctx->verify_ip_csum = 1;
	ctx->first.idx = -1;
	for (unsigned int i = 0; i < VTEP_VNI_MAP_SIZE; i++)
		ctx->map[i].idx = -1;
}

void
vtep_parse_set_prefix(struct vtep_parse_ctx *ctx, unsigned int prefix_len)
{
	uint32_t host = prefix_len >= 31 ? 0 : UINT32_MAX >> prefix_len;

	ctx->bcast_be = host == 0 ? 0 : ctx->local_be | vtep_cpu_to_be_32(host);
}

/* Option types (RFC 791, IANA "IP Option Numbers"). */
#define OPT_END 0
#define OPT_NOOP 1
#define OPT_RR 7
#define OPT_TS 68
#define OPT_LSRR 131
#define OPT_CIPSO 134
#define OPT_SSRR 137
#define OPT_RA 148

/* A timestamp option at o of olen bytes (kernel: the IPOPT_TIMESTAMP case). */
static bool
ts_ok(const uint8_t *o, uint8_t olen)
{
	uint8_t ptr, flags;

	if (olen < 4 || o[2] < 5)
		return false;
	ptr = o[2];
	flags = o[3] & 0xf;
	if (ptr > olen) /* full: only the overflow count must not overflow */
		return flags == 3 || (o[3] >> 4) != 15;
	/* Room for the next entry: a time stamp, or an address and a time stamp. */
	return ptr + 3 <= olen && ((flags != 1 && flags != 3) || ptr + 7 <= olen);
}

bool
vtep_parse_ip_options_ok(const uint8_t *opt, uint32_t len)
{
	bool rr = false, ts = false;
	uint32_t i = 0;

	while (i < len) {
		const uint8_t *o = opt + i;
		uint8_t olen;

		if (o[0] == OPT_END)
			return true; /* the rest is padding (the kernel rewrites it as EOL) */
		if (o[0] == OPT_NOOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return false;
		olen = o[1];
		if (olen < 2 || olen > len - i)
			return false;
		switch (o[0]) {
		case OPT_LSRR:
		case OPT_SSRR:
		case OPT_CIPSO:
			return false;
		case OPT_RR:
			if (rr || olen < 3 || o[2] < 4 || (o[2] <= olen && o[2] + 3 > olen))
				return false;
			rr = true;
			break;
		case OPT_TS:
			if (ts || !ts_ok(o, olen))
				return false;
			ts = true;
			break;
		case OPT_RA:
			if (olen < 4)
				return false;
			break;
		default:
			break;
		}
		i += olen;
	}
	return true;
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
