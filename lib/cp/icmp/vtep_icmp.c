/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <rte_icmp.h>
#include <rte_ip.h>

#include "vtep_hdr.h"
#include "vtep_icmp.h"

/* A source we may answer: a single host (RFC 1122 3.2.2.6 and 3.2.1.3). */
static bool
unicast_source(rte_be32_t ip_be)
{
	return ip_be != 0 && ip_be != RTE_BE32(0xffffffff) && !vtep_ip_is_multicast(ip_be);
}

int
vtep_icmp_echo_reply(
		struct rte_mbuf *m, rte_be32_t local_be, const struct rte_ether_addr *local_mac)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m),
		 off = vtep_l3_offset(p, len, RTE_BE16(RTE_ETHER_TYPE_IPV4)), ip_size, icmp_size;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + off);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	rte_be32_t src_be;

	/* The reply goes back to the sender's MAC: never to a group or to everyone. */
	if (off == 0 || !rte_is_unicast_ether_addr(&eth->src_addr) || m->nb_segs != 1 ||
			len < off + sizeof(*ip) + sizeof(*icmp) || ip->version_ihl != 0x45 ||
			ip->next_proto_id != IPPROTO_ICMP || ip->dst_addr != local_be ||
			!unicast_source(ip->src_addr) ||
			(ip->fragment_offset &
					RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
		return -EINVAL;
	ip_size = rte_be_to_cpu_16(ip->total_length);
	if (ip_size < sizeof(*ip) + sizeof(*icmp) || ip_size > len - off)
		return -EINVAL;
	icmp_size = ip_size - sizeof(*ip);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0 ||
			rte_raw_cksum(icmp, icmp_size) != 0xffff ||
			rte_raw_cksum(ip, sizeof(*ip)) != 0xffff)
		return -EINVAL;
	/* Trailing Ethernet padding does not belong to the reply. */
	rte_pktmbuf_trim(m, len - off - ip_size);
	eth->dst_addr = eth->src_addr;
	eth->src_addr = *local_mac;
	src_be = ip->src_addr;
	ip->dst_addr = src_be;
	ip->src_addr = local_be;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, icmp_size);
	/* RX offload flags do not describe the reply; the buffer's own kind (external,
	 * indirect) must survive, or freeing it goes wrong. */
	m->ol_flags &= RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT;
	return 0;
}
