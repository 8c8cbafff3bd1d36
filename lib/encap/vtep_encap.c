/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

#include "vtep_encap.h"

/* Frames looked up in one FDB call. */
#define ENCAP_CHUNK 32

uint32_t
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
		h = rte_hash_crc_4byte(ip->src_addr, ip->next_proto_id);
		h = rte_hash_crc_4byte(ip->dst_addr, h);
		/* Ports only in a first fragment that holds them (the flow dissector). */
		if ((ip->next_proto_id == IPPROTO_UDP || ip->next_proto_id == IPPROTO_TCP ||
				    ip->next_proto_id == IPPROTO_SCTP) &&
				!(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) &&
				ihl >= sizeof(*ip) && len >= sizeof(*eth) + ihl + 4) {
			uint32_t ports;

			memcpy(&ports, (const uint8_t *)ip + ihl, sizeof(ports));
			h = rte_hash_crc_4byte(ports, h);
		}
		return h;
	}
	if (len < sizeof(*eth))
		return 0;
	h = rte_hash_crc(eth, sizeof(*eth), 0);
	return h;
}

/* Room for the outer headers: prepend in the headroom, or chain a header mbuf in front. */
static struct vtep_outer_hdr *
make_room(const struct vtep_encap_ctx *ec, struct rte_mbuf **mp)
{
	struct rte_mbuf *m = *mp, *h;
	char *p = NULL;

	if (rte_pktmbuf_headroom(m) >= VTEP_OUTER_SIZE && RTE_MBUF_DIRECT(m) &&
			rte_mbuf_refcnt_read(m) == 1)
		p = rte_pktmbuf_prepend(m, VTEP_OUTER_SIZE);
	if (p != NULL)
		return (struct vtep_outer_hdr *)p;
	h = rte_pktmbuf_alloc(ec->pool);
	if (h == NULL)
		return NULL;
	p = rte_pktmbuf_append(h, VTEP_OUTER_SIZE);
	if (p == NULL || rte_pktmbuf_chain(h, m) != 0) {
		rte_pktmbuf_free(h);
		return NULL;
	}
	*mp = h;
	return (struct vtep_outer_hdr *)p;
}

/* The inner IPv4 header, for `ttl inherit` / `tos inherit`, or NULL. */
static const struct rte_ipv4_hdr *
inner_ipv4(const struct rte_mbuf *m, uint32_t off)
{
	const struct rte_ether_hdr *eth;

	if (rte_pktmbuf_data_len(m) < off + sizeof(*eth) + sizeof(struct rte_ipv4_hdr))
		return NULL;
	eth = rte_pktmbuf_mtod_offset(m, const struct rte_ether_hdr *, off);
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return NULL;
	return (const struct rte_ipv4_hdr *)(eth + 1);
}

/* RFC 6040 normal mode, as the kernel's INET_ECN_encapsulate: the outer header carries the
 * inner ECN field, except that CE becomes ECT(0). */
static inline uint8_t
ecn_encap(uint8_t outer_tos, uint8_t inner_tos)
{
	uint8_t ecn = inner_tos & 3;

	return (outer_tos & ~3) | (ecn == 3 ? 2 : ecn);
}

int
vtep_encap_one(const struct vtep_encap_ctx *ec, const struct vtep_encap_vni *v,
		const struct vtep_remote *r, struct rte_mbuf **mp, uint16_t *ip_id)
{
	struct rte_mbuf *m = *mp;
	uint32_t inner_size = rte_pktmbuf_pkt_len(m), hash;
	const struct rte_ipv4_hdr *iip;
	struct vtep_outer_hdr *h;

	if (unlikely(inner_size < sizeof(struct rte_ether_hdr)))
		return -VTEP_DROP_INNER_TRUNCATED;
	if (unlikely(inner_size > ec->max_inner_size))
		return -VTEP_DROP_INNER_TOO_BIG;
	hash = vtep_encap_flow_hash(m);
	h = make_room(ec, mp);
	if (unlikely(h == NULL))
		return -VTEP_DROP_INNER_NO_HEADROOM;
	m = *mp;
	rte_memcpy(h, &r->hdr, sizeof(*h));
	h->ip.total_length = rte_cpu_to_be_16(
			inner_size + VTEP_OUTER_SIZE - sizeof(struct rte_ether_hdr));
	h->ip.packet_id = rte_cpu_to_be_16((*ip_id)++);
	iip = inner_ipv4(m, VTEP_OUTER_SIZE);
	if (unlikely(v->ttl != 0 || v->tos != 0)) {
		if (v->ttl > 0)
			h->ip.time_to_live = v->ttl;
		else if (v->ttl == VTEP_ENCAP_INHERIT && iip != NULL)
			h->ip.time_to_live = iip->time_to_live;
		if (v->tos > 0)
			h->ip.type_of_service = v->tos;
		else if (v->tos == VTEP_ENCAP_INHERIT && iip != NULL)
			h->ip.type_of_service = iip->type_of_service;
	}
	if (iip != NULL)
		h->ip.type_of_service = ecn_encap(h->ip.type_of_service, iip->type_of_service);
	h->ip.hdr_checksum = rte_ipv4_cksum(&h->ip);
	h->udp.src_port = rte_cpu_to_be_16(
			vtep_encap_srcport(hash, ec->srcport_min, ec->srcport_max));
	h->udp.dgram_len = rte_cpu_to_be_16(
			inner_size + sizeof(struct rte_udp_hdr) + sizeof(struct rte_vxlan_hdr));
	h->vxlan.vx_vni = v->vni_be;
	if (!ec->udpcsum) {
		h->udp.dgram_cksum = 0;
	} else if (ec->csum_offload) {
		m->l2_len = sizeof(struct rte_ether_hdr);
		m->l3_len = sizeof(struct rte_ipv4_hdr);
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM;
		h->udp.dgram_cksum = rte_ipv4_phdr_cksum(&h->ip, m->ol_flags);
	} else {
		h->udp.dgram_cksum = 0;
		/* RFC 768: a computed zero is sent as all ones (the helper does that). */
		h->udp.dgram_cksum = rte_ipv4_udptcp_cksum_mbuf(m, &h->ip,
				sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));
	}
	return 0;
}

/* One frame to every flood destination of the VNI: copies for all but the last. */
static uint16_t
flood(const struct vtep_encap_ctx *ec, const struct vtep_encap_vni *v, struct rte_mbuf *m,
		struct rte_mbuf **out, uint16_t *ip_id, struct vtep_lcore_stats *st,
		struct vtep_vni_stats *vs)
{
	struct rte_mbuf *copies[VTEP_ENCAP_MAX_COPIES];
	const struct vtep_remote *r;
	uint16_t nb_dst = 0, nb_out = 0;
	uint16_t dst[VTEP_ENCAP_MAX_COPIES];
	int rc;

	for (uint16_t i = 0; i < v->nb_floods; i++) {
		r = vtep_remote_slot(ec->remotes, v->floods[i]);
		if (__atomic_load_n(&r->resolved, __ATOMIC_ACQUIRE))
			dst[nb_dst++] = v->floods[i];
		else
			VTEP_DROP(st, NEIGH_UNRESOLVED);
	}
	if (nb_dst == 0) {
		if (v->nb_floods == 0)
			VTEP_DROP(st, FLOOD_NO_DEST);
		rte_pktmbuf_free(m);
		return 0;
	}
	vs->flood_pkts++;
	for (uint16_t i = 0; i + 1 < nb_dst; i++) {
		copies[i] = rte_pktmbuf_copy(m, ec->pool, 0, UINT32_MAX);
		if (copies[i] == NULL)
			VTEP_DROP(st, FLOOD_NOMBUF);
	}
	copies[nb_dst - 1] = m;
	for (uint16_t i = 0; i < nb_dst; i++) {
		if (copies[i] == NULL)
			continue;
		rc = vtep_encap_one(
				ec, v, vtep_remote_slot(ec->remotes, dst[i]), &copies[i], ip_id);
		if (unlikely(rc < 0)) {
			st->drops[-rc]++;
			rte_pktmbuf_free(copies[i]);
			continue;
		}
		out[nb_out++] = copies[i];
	}
	vs->flood_copies += nb_out;
	return nb_out;
}

static uint16_t
encap_chunk(const struct vtep_encap_ctx *ec, unsigned int vni_idx, struct rte_mbuf **pkts,
		uint16_t n, struct rte_mbuf **out, uint16_t *ip_id, struct vtep_lcore_stats *st)
{
	const struct vtep_encap_vni *v = &ec->vnis[vni_idx];
	struct vtep_vni_stats *vs = &st->vni[vni_idx];
	struct vtep_fdb_entry *entries[ENCAP_CHUNK];
	uint64_t keys[ENCAP_CHUNK];
	uint16_t nb_out = 0, nb_keys = 0;
	uint16_t key_of[ENCAP_CHUNK];
	const struct vtep_remote *r;
	struct rte_mbuf *m;
	int rc;

	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth;

		m = pkts[i];
		key_of[i] = UINT16_MAX;
		if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eth)))
			continue;
		eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (rte_is_unicast_ether_addr(&eth->dst_addr)) {
			key_of[i] = nb_keys;
			keys[nb_keys++] = vtep_fdb_key(vni_idx, &eth->dst_addr);
		}
	}
	if (nb_keys > 0)
		vtep_fdb_lookup_bulk(ec->fdb, keys, nb_keys, entries);
	for (uint16_t i = 0; i < n; i++) {
		m = pkts[i];
		if (unlikely(rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr))) {
			VTEP_DROP(st, INNER_TRUNCATED);
			rte_pktmbuf_free(m);
			continue;
		}
		if (key_of[i] == UINT16_MAX || entries[key_of[i]] == NULL) {
			nb_out += flood(ec, v, m, out + nb_out, ip_id, st, vs);
			continue;
		}
		r = vtep_remote_slot(ec->remotes, entries[key_of[i]]->remote);
		if (unlikely(!__atomic_load_n(&r->resolved, __ATOMIC_ACQUIRE))) {
			VTEP_DROP(st, NEIGH_UNRESOLVED);
			rte_pktmbuf_free(m);
			continue;
		}
		vs->encap_bytes += rte_pktmbuf_pkt_len(m);
		rc = vtep_encap_one(ec, v, r, &m, ip_id);
		if (unlikely(rc < 0)) {
			vs->encap_bytes -= rte_pktmbuf_pkt_len(m);
			st->drops[-rc]++;
			rte_pktmbuf_free(m);
			continue;
		}
		vs->encap_pkts++;
		out[nb_out++] = m;
	}
	return nb_out;
}

uint16_t
vtep_encap_burst(const struct vtep_encap_ctx *ec, unsigned int vni_idx, struct rte_mbuf **pkts,
		uint16_t n, struct rte_mbuf **out, uint16_t *ip_id, struct vtep_lcore_stats *st)
{
	uint16_t nb_out = 0, chunk;

	for (uint16_t i = 0; i < n; i += chunk) {
		chunk = RTE_MIN(n - i, ENCAP_CHUNK);
		nb_out += encap_chunk(ec, vni_idx, pkts + i, chunk, out + nb_out, ip_id, st);
	}
	return nb_out;
}
