/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

#include "vtep_encap.h"

/* Frames looked up in one FDB call. */
#define ENCAP_CHUNK 32

/* Room for the outer headers: prepend in the headroom, or chain a header mbuf in front. */
static inline struct vtep_outer_hdr *
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

/* The inner IPv4 header, for `ttl inherit` / `tos inherit` and ECN, or NULL. */
static inline const struct rte_ipv4_hdr *
inner_ipv4(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(struct rte_ipv4_hdr))
		return NULL;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
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

/* What every outer copy of one inner frame shares, computed once per frame. */
struct inner_info {
	uint32_t size; /* inner bytes */
	uint32_t hash; /* flow hash, for the UDP source port */
	uint64_t sum;  /* unfolded Internet sum of the inner bytes (software UDP checksum only) */
	int16_t tos;   /* inner IPv4 TOS, or -1 if not IPv4 */
	int16_t ttl;   /* inner IPv4 TTL, or -1 */
};

/* Check the inner frame and gather what its copies share. @return 0 or a negative drop. */
static inline int
inner_info(const struct vtep_encap_ctx *ec, const struct rte_mbuf *m, struct inner_info *in)
{
	const struct rte_ipv4_hdr *iip;

	in->size = rte_pktmbuf_pkt_len(m);
	if (unlikely(in->size < sizeof(struct rte_ether_hdr)))
		return -VTEP_DROP_INNER_TRUNCATED;
	if (unlikely(in->size > ec->max_inner_size))
		return -VTEP_DROP_INNER_TOO_BIG;
	in->hash = vtep_encap_flow_hash(m);
	iip = inner_ipv4(m);
	in->tos = iip != NULL ? iip->type_of_service : -1;
	in->ttl = iip != NULL ? iip->time_to_live : -1;
	in->sum = 0;
	if (ec->udpcsum && !ec->csum_offload) {
		/* The inner frame starts 16 bytes (even) into the UDP datagram, so its sum adds
		 * to the headers' as rte_raw_cksum over the whole datagram would. */
		if (likely(rte_pktmbuf_is_contiguous(m))) {
			in->sum = vtep_cksum_add(rte_pktmbuf_mtod(m, const void *), in->size, 0);
		} else {
			uint16_t raw;

			if (rte_raw_cksum_mbuf(m, 0, in->size, &raw) != 0)
				return -VTEP_DROP_INNER_TRUNCATED;
			in->sum = raw;
		}
	}
	return 0;
}

/* `ttl`/`tos` configured on the VNI (rare): set them, then the full header checksum. */
static __rte_noinline void
ip_options(const struct vtep_encap_vni *v, const struct inner_info *in, struct rte_ipv4_hdr *ip)
{
	if (v->ttl > 0)
		ip->time_to_live = v->ttl;
	else if (v->ttl == VTEP_ENCAP_INHERIT && in->ttl >= 0)
		ip->time_to_live = in->ttl;
	if (v->tos > 0)
		ip->type_of_service = v->tos;
	else if (v->tos == VTEP_ENCAP_INHERIT && in->tos >= 0)
		ip->type_of_service = in->tos;
	if (in->tos >= 0)
		ip->type_of_service = ecn_encap(ip->type_of_service, in->tos);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/*
 * Write the outer headers at h for remote r: the template, then the per-packet fields. The IPv4
 * checksum is the template's seed plus total_length, packet_id and TOS (struct vtep_remote); the
 * software UDP checksum is the template's seed plus the lengths, source port, VNI and the inner
 * sum (RFC 768: a computed zero is sent as all ones).
 */
static inline void
write_outer(const struct vtep_encap_ctx *ec, const struct vtep_encap_vni *v,
		const struct vtep_remote *r, const struct inner_info *in, struct rte_mbuf *m,
		struct vtep_outer_hdr *h, uint16_t *ip_id)
{
	rte_be16_t tl_be = vtep_cpu_to_be_16(in->size + VTEP_OUTER_SIZE - sizeof(h->eth));
	rte_be16_t ul_be = vtep_cpu_to_be_16(in->size + sizeof(h->udp) + sizeof(h->vxlan));
	rte_be16_t id_be = vtep_cpu_to_be_16((*ip_id)++);
	rte_be16_t sport_be = vtep_cpu_to_be_16(
			vtep_encap_srcport(in->hash, ec->srcport_min, ec->srcport_max));

	rte_memcpy(h, &r->hdr, sizeof(*h));
	h->ip.total_length = tl_be;
	h->ip.packet_id = id_be;
	if (unlikely(v->ttl != 0 || v->tos != 0)) {
		ip_options(v, in, &h->ip);
	} else {
		uint8_t tos = in->tos >= 0 ? ecn_encap(r->hdr.ip.type_of_service, in->tos)
					   : r->hdr.ip.type_of_service;

		h->ip.type_of_service = tos;
		h->ip.hdr_checksum =
				vtep_ipv4_cksum_seeded(r->hdr.ip.hdr_checksum, tl_be, id_be, tos);
	}
	h->udp.src_port = sport_be;
	h->udp.dgram_len = ul_be;
	h->vxlan.vx_vni = v->vni_be;
	if (!ec->udpcsum) {
		h->udp.dgram_cksum = 0;
	} else if (ec->csum_offload) {
		m->l2_len = sizeof(struct rte_ether_hdr);
		m->l3_len = sizeof(struct rte_ipv4_hdr);
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM;
		h->udp.dgram_cksum = rte_ipv4_phdr_cksum(&h->ip, m->ol_flags);
	} else {
		h->udp.dgram_cksum = vtep_udp_cksum_seeded(
				r->hdr.udp.dgram_cksum, ul_be, sport_be, v->vni_be, in->sum);
	}
}

/* Encapsulate m (checked, with its info) in place or behind a chained header mbuf. */
static inline int
encap_in(const struct vtep_encap_ctx *ec, const struct vtep_encap_vni *v,
		const struct vtep_remote *r, const struct inner_info *in, struct rte_mbuf **mp,
		uint16_t *ip_id)
{
	struct vtep_outer_hdr *h = make_room(ec, mp);

	if (unlikely(h == NULL))
		return -VTEP_DROP_INNER_NO_HEADROOM;
	write_outer(ec, v, r, in, *mp, h, ip_id);
	return 0;
}

/* vtep_encap_one(), inline in the burst loop. */
static inline int
encap_one(const struct vtep_encap_ctx *ec, const struct vtep_encap_vni *v,
		const struct vtep_remote *r, struct rte_mbuf **mp, uint16_t *ip_id)
{
	struct inner_info in;
	int rc = inner_info(ec, *mp, &in);

	if (unlikely(rc < 0))
		return rc;
	return encap_in(ec, v, r, &in, mp, ip_id);
}

int
vtep_encap_one(const struct vtep_encap_ctx *ec, const struct vtep_encap_vni *v,
		const struct vtep_remote *r, struct rte_mbuf **mp, uint16_t *ip_id)
{
	return encap_one(ec, v, r, mp, ip_id);
}

/*
 * Head-end replication without copying the frame: one header mbuf per destination, each chained
 * to the one inner mbuf, whose reference count is raised by the extra copies (the last free of a
 * copy frees it). Only for a direct, single-segment, unshared inner mbuf, and a port that sends
 * chained mbufs (else the copies are whole single-segment frames). @return copies written,
 * or -1 when the header mbufs cannot be had (nothing changed then).
 */
static int
flood_shared(const struct vtep_encap_ctx *ec, const struct vtep_encap_vni *v,
		const struct inner_info *in, struct rte_mbuf *m, const uint16_t *dst,
		uint16_t nb_dst, struct rte_mbuf **out, uint16_t *ip_id)
{
	struct rte_mbuf *hdrs[VTEP_ENCAP_MAX_COPIES];

	if (rte_pktmbuf_alloc_bulk(ec->pool, hdrs, nb_dst) != 0)
		return -1;
	rte_mbuf_refcnt_update(m, (int16_t)(nb_dst - 1));
	for (uint16_t i = 0; i < nb_dst; i++) {
		struct rte_mbuf *h = hdrs[i];
		struct vtep_outer_hdr *oh = rte_pktmbuf_mtod(h, struct vtep_outer_hdr *);

		h->data_len = VTEP_OUTER_SIZE;
		h->pkt_len = VTEP_OUTER_SIZE + in->size;
		h->nb_segs = 2;
		h->next = m;
		write_outer(ec, v, vtep_remote_slot(ec->remotes, dst[i]), in, h, oh, ip_id);
		out[i] = h;
	}
	return nb_dst;
}

/* One frame to every flood destination of the VNI. */
static uint16_t
flood(const struct vtep_encap_ctx *ec, const struct vtep_encap_vni *v, struct rte_mbuf *m,
		struct rte_mbuf **out, uint16_t *ip_id, struct vtep_lcore_stats *st,
		struct vtep_vni_stats *vs)
{
	struct rte_mbuf *copies[VTEP_ENCAP_MAX_COPIES];
	const struct vtep_remote *r;
	uint16_t nb_dst = 0, nb_out = 0;
	uint16_t dst[VTEP_ENCAP_MAX_COPIES];
	struct inner_info in;
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
	rc = inner_info(ec, m, &in);
	if (unlikely(rc < 0)) {
		/* Every copy would have been refused for the same reason. */
		st->drops[-rc] += nb_dst;
		rte_pktmbuf_free(m);
		return 0;
	}
	if (nb_dst == 1) {
		/* One destination (a group, or one HER remote): m itself, no copies. */
		rc = encap_in(ec, v, vtep_remote_slot(ec->remotes, dst[0]), &in, &m, ip_id);
		if (unlikely(rc < 0)) {
			st->drops[-rc]++;
			rte_pktmbuf_free(m);
			return 0;
		}
		out[0] = m;
		vs->flood_copies++;
		vtep_stats_remote_tx(st, dst[0], in.size);
		return 1;
	}
	if (ec->tx_chains && RTE_MBUF_DIRECT(m) && m->nb_segs == 1 &&
			rte_mbuf_refcnt_read(m) == 1) {
		rc = flood_shared(ec, v, &in, m, dst, nb_dst, out, ip_id);
		if (rc > 0) {
			vs->flood_copies += rc;
			for (uint16_t i = 0; i < nb_dst; i++)
				vtep_stats_remote_tx(st, dst[i], in.size);
			return rc;
		}
	}
	/* Copies of the whole frame for all but the last destination, which gets m. */
	for (uint16_t i = 0; i + 1 < nb_dst; i++) {
		copies[i] = rte_pktmbuf_copy(m, ec->pool, 0, UINT32_MAX);
		if (copies[i] == NULL)
			VTEP_DROP(st, FLOOD_NOMBUF);
	}
	copies[nb_dst - 1] = m;
	for (uint16_t i = 0; i < nb_dst; i++) {
		if (copies[i] == NULL)
			continue;
		rc = encap_in(ec, v, vtep_remote_slot(ec->remotes, dst[i]), &in, &copies[i], ip_id);
		if (unlikely(rc < 0)) {
			st->drops[-rc]++;
			rte_pktmbuf_free(copies[i]);
			continue;
		}
		out[nb_out++] = copies[i];
		vtep_stats_remote_tx(st, dst[i], in.size);
	}
	vs->flood_copies += nb_out;
	return nb_out;
}

/* One frame to a known remote slot (resolved or not), in place. @return frames written to out. */
static inline uint16_t
encap_known(const struct vtep_encap_ctx *ec, const struct vtep_encap_vni *v, unsigned int ridx,
		struct rte_mbuf *m, struct rte_mbuf **out, uint16_t *ip_id,
		struct vtep_lcore_stats *st, uint64_t *nb_bytes)
{
	const struct vtep_remote *r = vtep_remote_slot(ec->remotes, ridx);
	uint32_t bytes;
	int rc;

	if (unlikely(!__atomic_load_n(&r->resolved, __ATOMIC_ACQUIRE))) {
		VTEP_DROP(st, NEIGH_UNRESOLVED);
		rte_pktmbuf_free(m);
		return 0;
	}
	bytes = rte_pktmbuf_pkt_len(m);
	rc = encap_one(ec, v, r, &m, ip_id);
	if (unlikely(rc < 0)) {
		st->drops[-rc]++;
		rte_pktmbuf_free(m);
		return 0;
	}
	*nb_bytes += bytes;
	vtep_stats_remote_tx(st, ridx, bytes);
	out[0] = m;
	return 1;
}

static uint16_t
encap_chunk(const struct vtep_encap_ctx *ec, unsigned int vni_idx, struct rte_mbuf **pkts,
		uint16_t n, struct rte_mbuf **out, uint16_t *ip_id, struct vtep_fdb_cache *fc,
		struct vtep_lcore_stats *st)
{
	const struct vtep_encap_vni *v = &ec->vnis[vni_idx];
	struct vtep_vni_stats *vs = &st->vni[vni_idx];
	struct vtep_fdb_entry *entries[ENCAP_CHUNK];
	uint64_t keys[ENCAP_CHUNK];
	uint16_t nb_out = 0, nb_keys = 0, nb_pkts = 0, k;
	uint16_t key_of[ENCAP_CHUNK];
	uint64_t nb_bytes = 0;
	struct vtep_fdb_entry c;
	struct rte_mbuf *m;

	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth;

		m = pkts[i];
		key_of[i] = UINT16_MAX;
		if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eth)))
			continue;
		eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (rte_is_unicast_ether_addr(&eth->dst_addr)) {
			key_of[i] = nb_keys;
			keys[nb_keys++] = vtep_fdb_key_eth(vni_idx, eth, false);
		}
	}
	if (nb_keys > 0)
		vtep_fdb_lookup_bulk_cached(ec->fdb, fc, keys, nb_keys, entries);
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
		/* Flags and slot from one load: the entry may move between local and remote. */
		c = vtep_fdb_entry_read(entries[key_of[i]]);
		if (unlikely(c.flags & VTEP_FDB_LOCAL)) {
			/* A VNI with one attachment: every local MAC is behind the port the frame
			 * came in on. */
			VTEP_DROP(st, INNER_HAIRPIN);
			rte_pktmbuf_free(m);
			continue;
		}
		k = encap_known(ec, v, c.remote, m, out + nb_out, ip_id, st, &nb_bytes);
		nb_out += k;
		nb_pkts += k;
	}
	/* Counted once per chunk: the lcore's own line, but not a store per packet. */
	vs->encap_bytes += nb_bytes;
	vs->encap_pkts += nb_pkts;
	return nb_out;
}

uint16_t
vtep_encap_resolved(const struct vtep_encap_ctx *ec, unsigned int vni_idx, struct rte_mbuf **pkts,
		const uint16_t *remotes, uint16_t n, struct rte_mbuf **out, uint16_t *ip_id,
		struct vtep_lcore_stats *st)
{
	const struct vtep_encap_vni *v = &ec->vnis[vni_idx];
	struct vtep_vni_stats *vs = &st->vni[vni_idx];
	uint16_t nb_out = 0, nb_pkts = 0, k;
	uint64_t nb_bytes = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (remotes[i] == VTEP_REMOTE_NONE) {
			nb_out += flood(ec, v, pkts[i], out + nb_out, ip_id, st, vs);
			continue;
		}
		k = encap_known(ec, v, remotes[i], pkts[i], out + nb_out, ip_id, st, &nb_bytes);
		nb_out += k;
		nb_pkts += k;
	}
	vs->encap_bytes += nb_bytes;
	vs->encap_pkts += nb_pkts;
	return nb_out;
}

uint16_t
vtep_encap_burst(const struct vtep_encap_ctx *ec, unsigned int vni_idx, struct rte_mbuf **pkts,
		uint16_t n, struct rte_mbuf **out, uint16_t *ip_id, struct vtep_fdb_cache *fc,
		struct vtep_lcore_stats *st)
{
	uint16_t nb_out = 0, chunk;

	for (uint16_t i = 0; i < n; i += chunk) {
		chunk = RTE_MIN(n - i, ENCAP_CHUNK);
		nb_out += encap_chunk(ec, vni_idx, pkts + i, chunk, out + nb_out, ip_id, fc, st);
	}
	return nb_out;
}
