/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <rte_icmp.h>
#include <rte_ip.h>

#include "vtep_icmp.h"

int
vtep_icmp_echo_reply(
		struct rte_mbuf *m, rte_be32_t local_be, const struct rte_ether_addr *local_mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	uint32_t len = rte_pktmbuf_data_len(m), ip_size, icmp_size;

	if (m->nb_segs != 1 || len < sizeof(*eth) + sizeof(*ip) + sizeof(*icmp) ||
			eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			ip->version_ihl != 0x45 || ip->next_proto_id != IPPROTO_ICMP ||
			ip->dst_addr != local_be ||
			(ip->fragment_offset &
					RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
		return -EINVAL;
	ip_size = rte_be_to_cpu_16(ip->total_length);
	if (ip_size < sizeof(*ip) + sizeof(*icmp) || ip_size > len - sizeof(*eth))
		return -EINVAL;
	icmp_size = ip_size - sizeof(*ip);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0 ||
			rte_raw_cksum(icmp, icmp_size) != 0xffff ||
			rte_raw_cksum(ip, sizeof(*ip)) != 0xffff)
		return -EINVAL;
	/* Trailing Ethernet padding does not belong to the reply. */
	rte_pktmbuf_trim(m, len - sizeof(*eth) - ip_size);
	eth->dst_addr = eth->src_addr;
	eth->src_addr = *local_mac;
	ip->dst_addr = ip->src_addr;
	ip->src_addr = local_be;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, icmp_size);
	m->ol_flags = 0;
	return 0;
}
