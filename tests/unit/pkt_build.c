/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include "pkt_build.h"

struct rte_ether_addr
pkt_mac(const char *s)
{
	struct rte_ether_addr m;

	if (rte_ether_unformat_addr(s, &m) != 0) {
		fprintf(stderr, "pkt_mac: bad MAC %s\n", s);
		abort();
	}
	return m;
}

uint32_t
pkt_ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "pkt_ip: bad address %s\n", s);
		abort();
	}
	return a.s_addr;
}

static size_t
put_ipv4(uint8_t *buf, uint32_t sip, uint32_t dip, uint8_t proto, uint8_t ttl, size_t l4_size)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + l4_size);
	ip->time_to_live = ttl;
	ip->next_proto_id = proto;
	ip->src_addr = sip;
	ip->dst_addr = dip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return sizeof(*ip);
}

size_t
pkt_inner_udp(uint8_t *buf, const char *dst, const char *src, const char *sip, const char *dip,
		uint16_t sport, uint16_t dport, size_t payload_size)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp;
	uint8_t *payload;

	eth->dst_addr = pkt_mac(dst);
	eth->src_addr = pkt_mac(src);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	put_ipv4((uint8_t *)ip, pkt_ip(sip), pkt_ip(dip), IPPROTO_UDP, 64,
			sizeof(*udp) + payload_size);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + payload_size);
	udp->dgram_cksum = 0;
	payload = (uint8_t *)(udp + 1);
	for (size_t i = 0; i < payload_size; i++)
		payload[i] = (uint8_t)i;
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	return sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + payload_size;
}

size_t
pkt_vxlan(uint8_t *buf, const struct pkt_outer *o, const uint8_t *inner, size_t inner_size)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	size_t off = sizeof(*eth);
	struct rte_udp_hdr *udp;
	struct rte_vxlan_hdr *vx;

	eth->dst_addr = pkt_mac(o->dst_mac);
	eth->src_addr = pkt_mac(o->src_mac);
	if (o->vlan != 0) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(buf + off);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(o->vlan);
		vh->eth_proto = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		off += sizeof(*vh);
	} else {
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	}
	off += put_ipv4(buf + off, pkt_ip(o->sip), pkt_ip(o->dip), IPPROTO_UDP,
			o->ttl ? o->ttl : 64, sizeof(*udp) + sizeof(*vx) + inner_size);
	udp = (struct rte_udp_hdr *)(buf + off);
	udp->src_port = rte_cpu_to_be_16(o->sport);
	udp->dst_port = rte_cpu_to_be_16(o->dport);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + sizeof(*vx) + inner_size);
	udp->dgram_cksum = 0;
	off += sizeof(*udp);
	vx = (struct rte_vxlan_hdr *)(buf + off);
	vx->vx_flags = rte_cpu_to_be_32(0x08000000);
	vx->vx_vni = rte_cpu_to_be_32(o->vni << 8);
	off += sizeof(*vx);
	memcpy(buf + off, inner, inner_size);
	return off + inner_size;
}

size_t
pkt_arp(uint8_t *buf, uint16_t op, const char *eth_dst, const char *sha, const char *sip,
		const char *tha, const char *tip)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	eth->dst_addr = pkt_mac(eth_dst);
	eth->src_addr = pkt_mac(sha);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = pkt_mac(sha);
	arp->arp_data.arp_sip = pkt_ip(sip);
	arp->arp_data.arp_tha = pkt_mac(tha);
	arp->arp_data.arp_tip = pkt_ip(tip);
	return sizeof(*eth) + sizeof(*arp);
}

size_t
pkt_add_vlan(uint8_t *buf, size_t size, uint16_t vid)
{
	memmove(buf + 16, buf + 12, size - 12);
	buf[12] = 0x81;
	buf[13] = 0x00;
	buf[14] = vid >> 8;
	buf[15] = vid & 0xff;
	return size + 4;
}

uint16_t
pkt_csum(const uint8_t *p, size_t size)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < size; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (size & 1)
		sum += (uint32_t)p[size - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void
pkt_put_csum(uint8_t *at, const uint8_t *p, size_t size)
{
	uint16_t c;

	at[0] = at[1] = 0;
	c = pkt_csum(p, size);
	at[0] = c >> 8;
	at[1] = c & 0xff;
}

struct rte_mbuf *
pkt_mbuf(struct rte_mempool *mp, const uint8_t *buf, size_t size)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *p;

	if (m == NULL || (p = rte_pktmbuf_append(m, size)) == NULL) {
		fprintf(stderr, "pkt_mbuf: no mbuf for %zu bytes\n", size);
		abort();
	}
	memcpy(p, buf, size);
	return m;
}

/* free_cb of pkt_exact_mbuf: the data and the shared info were malloc'd. */
static void
exact_free(void *addr, void *opaque)
{
	free(addr);
	free(opaque);
}

struct rte_mbuf *
pkt_exact_mbuf(struct rte_mempool *mp, const uint8_t *buf, size_t size)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_mbuf_ext_shared_info *sh = malloc(sizeof(*sh));
	uint8_t *data = malloc(size > 0 ? size : 1);

	if (m == NULL || sh == NULL || data == NULL) {
		fprintf(stderr, "pkt_exact_mbuf: out of memory\n");
		abort();
	}
	memcpy(data, buf, size);
	sh->free_cb = exact_free;
	sh->fcb_opaque = sh;
	rte_mbuf_ext_refcnt_set(sh, 1);
	rte_pktmbuf_attach_extbuf(m, data, RTE_BAD_IOVA, (uint16_t)size, sh);
	m->data_len = (uint16_t)size;
	m->pkt_len = size;
	return m;
}

int
pkt_compare(const uint8_t *got, size_t got_size, const uint8_t *want, size_t want_size)
{
	size_t n = got_size < want_size ? got_size : want_size;

	for (size_t i = 0; i < n; i++) {
		if (got[i] != want[i]) {
			fprintf(stderr, "first difference at byte %zu: got %02x want %02x\n", i,
					got[i], want[i]);
			return 1;
		}
	}
	if (got_size != want_size) {
		fprintf(stderr, "size differs: got %zu want %zu\n", got_size, want_size);
		return 1;
	}
	return 0;
}
