/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_prefetch.h>

#include "vtep_decap.h"

/* How far ahead headers are prefetched (l3fwd's PREFETCH_OFFSET). */
#define PREFETCH_OFFSET 4

static inline unsigned int
csum_flags(const struct rte_mbuf *m)
{
	unsigned int c = 0;

	/* Most ports say nothing (net_pcap, net_tap, virtio): one test for both fields. */
	if ((m->ol_flags & (RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK)) == 0)
		return 0;
	switch (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
		c = VTEP_PARSE_IP_CSUM_GOOD;
		break;
	case RTE_MBUF_F_RX_IP_CKSUM_BAD:
		c = VTEP_PARSE_IP_CSUM_BAD;
		break;
	default:
		break;
	}
	switch (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
	case RTE_MBUF_F_RX_L4_CKSUM_BAD:
		c |= VTEP_PARSE_L4_CSUM_BAD;
		break;
	case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
	case RTE_MBUF_F_RX_L4_CKSUM_NONE: /* the checksum field is not right, the data is */
		c |= VTEP_PARSE_L4_CSUM_GOOD;
		break;
	default:
		break;
	}
	return c;
}

/*
 * The UDP checksum of a VXLAN frame whose datagram did not fit in the first segment, over the
 * segments (the classifier checked every other one). Rare: vtepd's mbufs hold a whole frame of the
 * configured MTU. @return true if it is right.
 */
static __rte_noinline bool
udp_csum_ok_segs(const struct rte_mbuf *m, const struct vtep_parse_result *r)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint32_t l3_off = sizeof(*eth) +
			(eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)
							? sizeof(struct rte_vlan_hdr)
							: 0);
	uint32_t l4_off = r->inner_off - sizeof(struct rte_vxlan_hdr) - sizeof(struct rte_udp_hdr);
	const struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3_off);
	const struct rte_udp_hdr *udp =
			rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, l4_off);
	uint16_t size = vtep_be_to_cpu_16(udp->dgram_len), raw;

	if (rte_raw_cksum_mbuf(m, l4_off, size, &raw) != 0)
		return false;
	return vtep_cksum_fold((uint64_t)raw + ip->src_addr + ip->dst_addr +
			       rte_cpu_to_be_16(IPPROTO_UDP) + udp->dgram_len) == 0xffff;
}

/*
 * RFC 6040 normal mode, as the kernel's IP_ECN_decapsulate: congestion marked on the outer header
 * (CE) is carried to an ECN-capable inner IPv4 or IPv6 packet; a not-ECT inner packet is dropped.
 * Only called for CE, which is rare. @return 0, or -1 to drop.
 */
static __rte_noinline int
ecn_decap(struct rte_mbuf *m, uint16_t inner_off, uint16_t inner_size)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod_offset(m, struct rte_ether_hdr *, inner_off);
	uint32_t avail = rte_pktmbuf_data_len(m) - inner_off;

	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
			avail >= sizeof(*eth) + sizeof(struct rte_ipv4_hdr) &&
			inner_size >= sizeof(*eth) + sizeof(struct rte_ipv4_hdr)) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		if ((ip->type_of_service & 3) == 0)
			return -1;
		if ((ip->type_of_service & 3) != 3) {
			ip->type_of_service |= 3;
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
	} else if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6) && avail >= sizeof(*eth) + 2 &&
			inner_size >= sizeof(*eth) + 2) {
		/* Traffic class spans bytes 0-1: its ECN bits are bits 4-5 of byte 1. */
		uint8_t *tc = (uint8_t *)(eth + 1) + 1;

		if ((*tc & 0x30) == 0)
			return -1;
		*tc |= 0x30;
	}
	return 0;
}

/*
 * A frame whose source MAC is new or has moved: post a learn event unless the same one went out
 * this second (a MAC that floods in faster than the control lcore installs it posts one event a
 * second, not one per frame). @return 1 + the event's index in out->learn, or 0 if none.
 */
static uint8_t
post_learn(struct vtep_learn_filter *lf, uint64_t key, rte_be32_t src_be, const struct rte_mbuf *m,
		uint32_t now, struct vtep_decap_out *out, struct vtep_vni_stats *vs)
{
	unsigned int s = vtep_crc32c_8byte(key, src_be) & (VTEP_LEARN_FILTER_SIZE - 1);
	struct vtep_learn_event *ev;

	if (lf->slots[s].key == key && lf->slots[s].src_be == src_be && lf->slots[s].when == now)
		return 0;
	lf->slots[s].key = key;
	lf->slots[s].src_be = src_be;
	lf->slots[s].when = now;
	ev = &out->learn[out->nb_learn++];
	ev->key = key;
	ev->src_be = src_be;
	ev->src_mac = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->src_addr;
	ev->flags = 0; /* learned behind a remote VTEP (VTEP_LEARN_LOCAL is the bridge's) */
	ev->att = 0;
	vs->learn_events++;
	return out->nb_learn;
}

/* What the one-pass path keeps of a frame from its first loop to its second (and hands to the
 * staged path, which need not classify it again). */
struct fast_frame {
	struct vtep_parse_result r; /* the classifier's result (VXLAN) */
	uint64_t key;               /* FDB key of the inner source */
	uint32_t sig;               /* its signature */
};

/*
 * Every frame the fast path does not take, in two passes: classify and gather the VXLAN frames'
 * keys, look them all up at once, then learn, strip and hand over. Appends to out.
 */
static void
decap_staged(const struct vtep_decap_ctx *dc, struct rte_mbuf **pkts, uint16_t n,
		const struct fast_frame *pre, uint16_t nb_pre, uint32_t now,
		struct vtep_learn_filter *lf, struct vtep_fdb_cache *fc, struct vtep_decap_out *out,
		struct vtep_lcore_stats *st)
{
	struct vtep_parse_result res[VTEP_DECAP_MAX];
	struct vtep_fdb_entry *entries[VTEP_DECAP_MAX];
	struct rte_mbuf *vx[VTEP_DECAP_MAX];
	uint64_t keys[VTEP_DECAP_MAX];
	uint16_t nb_vx;

	/* The first nb_pre frames were classified by the fast path (VXLAN, inner frame after the
	 * outer headers). */
	for (nb_vx = 0; nb_vx < nb_pre; nb_vx++) {
		res[nb_vx] = pre[nb_vx].r;
		vx[nb_vx] = pkts[nb_vx];
		keys[nb_vx] = pre[nb_vx].key;
	}
	for (uint16_t i = nb_pre; i < n && i < nb_pre + PREFETCH_OFFSET; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	/* Pass 1: classify, gather FDB keys of the VXLAN frames. */
	for (uint16_t i = nb_pre; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		/* VXLAN results are kept in order at the front of res[]; others are used here. */
		struct vtep_parse_result *r = &res[nb_vx];
		const struct rte_ether_hdr *inner;

		if (i + PREFETCH_OFFSET < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_OFFSET], void *));
		vtep_parse_frame(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
				rte_pktmbuf_pkt_len(m), csum_flags(m), dc->parse, r);
		switch (r->kind) {
		case VTEP_PARSE_VXLAN:
			/* Not from an allowed remote VTEP: neither learned nor delivered. */
			if (unlikely(dc->allowing) &&
					!vtep_decap_allowed(dc, r->vni_idx, r->src_be)) {
				VTEP_DROP(st, RX_NOT_ALLOWED);
				rte_pktmbuf_free(m);
				break;
			}
			inner = rte_pktmbuf_mtod_offset(
					m, const struct rte_ether_hdr *, r->inner_off);
			vx[nb_vx] = m;
			keys[nb_vx++] = vtep_fdb_key_eth(r->vni_idx, inner, true);
			break;
		case VTEP_PARSE_DROP:
			st->drops[r->drop]++;
			rte_pktmbuf_free(m);
			break;
		default:
			out->ctl_kind[out->nb_ctl] = r->kind;
			out->ctl[out->nb_ctl++] = m;
			break;
		}
	}
	if (nb_vx == 0)
		return;
	vtep_fdb_lookup_bulk_cached(dc->fdb, fc, keys, nb_vx, entries);
	/* Pass 2: learn, strip, hand over. */
	for (uint16_t k = 0; k < nb_vx; k++) {
		struct rte_mbuf *m = vx[k];
		const struct vtep_parse_result *r = &res[k];
		struct vtep_vni_stats *vs = &st->vni[r->vni_idx];
		struct vtep_fdb_entry *e = entries[k];
		uint8_t learn = 0;
		unsigned int remote = 0; /* slot 0: not learned at this sender (yet) */

		/* Checked before anything is learned from the frame. */
		if (unlikely(r->udp_unchecked) && !udp_csum_ok_segs(m, r)) {
			VTEP_DROP(st, RX_UDP_CSUM);
			rte_pktmbuf_free(m);
			continue;
		}
		if (e == NULL) {
			if (dc->learning[r->vni_idx])
				learn = post_learn(lf, keys[k], r->src_be, m, now, out, vs);
		} else if (unlikely(e->dst_be != r->src_be)) {
			/* The kernel drops a frame whose source is another VTEP's static MAC; a
			 * MAC frozen for moving too often is held at its remote the same way. */
			if (e->flags & (VTEP_FDB_STATIC | VTEP_FDB_FROZEN)) {
				if (e->flags & VTEP_FDB_STATIC)
					VTEP_DROP(st, RX_STATIC_MOVE);
				else
					VTEP_DROP(st, RX_MAC_FROZEN);
				rte_pktmbuf_free(m);
				continue;
			}
			if (dc->learning[r->vni_idx])
				learn = post_learn(lf, keys[k], r->src_be, m, now, out, vs);
		} else {
			/* Written once a second at most: no cache line bounced per packet. */
			vtep_fdb_entry_touch(e, now);
			remote = e->remote;
		}
		if (unlikely(r->ecn == 3) && ecn_decap(m, r->inner_off, r->inner_size) != 0) {
			VTEP_DROP(st, RX_ECN_NOT_ECT);
			rte_pktmbuf_free(m);
			continue;
		}
		rte_pktmbuf_adj(m, r->inner_off);
		if (rte_pktmbuf_pkt_len(m) > r->inner_size)
			rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - r->inner_size);
		/* Offload flags of the outer frame say nothing about the inner one. */
		m->ol_flags = 0;
		m->packet_type = 0;
		vs->decap_pkts++;
		vs->decap_bytes += r->inner_size;
		vtep_stats_remote_rx(st, remote, r->inner_size);
		/* A frame that posted an event waits for it (the worker loop holds it). */
		out->inner_learn[out->nb_inner] = learn;
		out->inner_vni[out->nb_inner] = r->vni_idx;
		out->inner[out->nb_inner++] = m;
	}
}

/*
 * The common frames in one pass, up to the first one it leaves: the classifier's fast path took
 * it, its outer source is allowed (when its VNI has an allow list), its outer ECN is not CE, and
 * the worker's FDB cache holds its source MAC at the same remote. The staged path would do the same
 * with them: touch the entry, strip, count, hand over. The first loop classifies and fetches the
 * keys' cache slots, so that the second finds them in L1.
 * @return how many frames it took (the first ones of pkts; appended to out->inner).
 */
static inline uint16_t
decap_fast(const struct vtep_decap_ctx *dc, struct rte_mbuf **pkts, uint16_t n, uint32_t now,
		const struct vtep_fdb_cache *fc, struct fast_frame *f, uint16_t *nb_classified,
		struct vtep_decap_out *out, struct vtep_lcore_stats *st)
{
	struct vtep_fdb_entry *entries = vtep_fdb_entries(dc->fdb);
	uint32_t gen = vtep_fdb_gen(dc->fdb);
	bool allowing = dc->allowing;
	uint16_t nb, k;

	for (uint16_t i = 0; i < n && i < PREFETCH_OFFSET; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (nb = 0; nb < n; nb++) {
		struct rte_mbuf *m = pkts[nb];
		const struct vtep_parse_result *r = &f[nb].r;

		if (nb + PREFETCH_OFFSET < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[nb + PREFETCH_OFFSET], void *));
		if (!vtep_parse_frame_fast(rte_pktmbuf_mtod(m, const uint8_t *),
				    rte_pktmbuf_data_len(m), rte_pktmbuf_pkt_len(m), csum_flags(m),
				    dc->parse, &f[nb].r) ||
				unlikely(r->ecn == 3) ||
				(unlikely(allowing) &&
						!vtep_decap_allowed(dc, r->vni_idx, r->src_be)))
			break;
		f[nb].key = vtep_fdb_key_eth(r->vni_idx,
				rte_pktmbuf_mtod_offset(
						m, const struct rte_ether_hdr *, VTEP_OUTER_SIZE),
				true);
		f[nb].sig = vtep_fdb_key_sig(f[nb].key);
		rte_prefetch0(&fc->slots[f[nb].sig & (VTEP_FDB_CACHE_SIZE - 1)]);
	}
	for (k = 0; k < nb; k++) {
		struct rte_mbuf *m = pkts[k];
		struct vtep_fdb_entry c, *e;
		const struct vtep_parse_result *r = &f[k].r;
		struct vtep_vni_stats *vs;

		e = vtep_fdb_cache_probe(fc, entries, gen, f[k].key, f[k].sig, &c);
		if (e == NULL || c.dst_be != r->src_be)
			break;
		vtep_fdb_entry_touch(e, now);
		rte_pktmbuf_adj(m, VTEP_OUTER_SIZE);
		if (unlikely(rte_pktmbuf_pkt_len(m) > r->inner_size))
			rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - r->inner_size);
		m->ol_flags = 0;
		m->packet_type = 0;
		vs = &st->vni[r->vni_idx];
		vs->decap_pkts++;
		vs->decap_bytes += r->inner_size;
		vtep_stats_remote_rx(st, c.remote, r->inner_size);
		out->inner_learn[k] = 0;
		out->inner_vni[k] = r->vni_idx;
		out->inner[k] = m;
	}
	*nb_classified = nb;
	return k;
}

void
vtep_decap_burst(const struct vtep_decap_ctx *dc, struct rte_mbuf **pkts, uint16_t n, uint32_t now,
		struct vtep_learn_filter *lf, struct vtep_fdb_cache *fc, struct vtep_decap_out *out,
		struct vtep_lcore_stats *st)
{
	struct fast_frame f[VTEP_DECAP_MAX];
	uint16_t i = 0, nb = 0;

	out->nb_inner = out->nb_ctl = out->nb_learn = out->nb_fast = 0;
	if (fc != NULL) {
		i = decap_fast(dc, pkts, n, now, fc, f, &nb, out, st);
		out->nb_inner = out->nb_fast = i;
		if (i == n)
			return;
	}
	/* The rest, from the first frame the one-pass path left, so that the frames keep their
	 * order; those it classified are not classified again. */
	decap_staged(dc, pkts + i, n - i, f + i, nb - i, now, lf, fc, out, st);
}

void
vtep_decap_burst_staged(const struct vtep_decap_ctx *dc, struct rte_mbuf **pkts, uint16_t n,
		uint32_t now, struct vtep_learn_filter *lf, struct vtep_fdb_cache *fc,
		struct vtep_decap_out *out, struct vtep_lcore_stats *st)
{
	out->nb_inner = out->nb_ctl = out->nb_learn = out->nb_fast = 0;
	decap_staged(dc, pkts, n, NULL, 0, now, lf, fc, out, st);
}
