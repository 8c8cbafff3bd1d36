/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_ether.h>
#include <rte_hash_crc.h>

#include "vtep_bridge.h"

/* The learn filter's remote word for a local attachment: 255.255.x.x is never a VTEP's source
 * (the classifier drops such frames), so local and remote posts never share a slot's meaning. */
#define LOCAL_TAG 0xffff0000u

void
vtep_bridge_out_init(struct vtep_bridge_out *o, const struct vtep_txq *txq,
		struct vtep_capture *capture, unsigned int lcore, struct vtep_lcore_stats *st)
{
	memset(o, 0, sizeof(*o));
	o->txq = txq;
	o->capture = capture;
	o->lcore = lcore;
	o->st = st;
}

/*
 * Send port lport's frames now: counted per attachment (bytes without a pushed tag). An access
 * port (one attachment, no tag) counts its burst once, from running byte sums (the TX may free
 * the frames); a trunk counts frame by frame.
 */
static void
flush_port(const struct vtep_bridge_ctx *bc, struct vtep_bridge_out *o, unsigned int lport)
{
	const struct vtep_bd *bd = bc->bd;
	struct vtep_lcore_stats *st = o->st;
	uint16_t n = o->nb[lport], access = bd->ports[lport].att, accepted, i;
	uint64_t refused = 0;
	uint32_t sizes[VTEP_BRIDGE_OUT], sum = 0;

	if (n == 0)
		return;
	if (likely(access != VTEP_BD_NONE)) {
		for (i = 0; i < n; i++) {
			sum += rte_pktmbuf_pkt_len(o->pkts[lport][i]);
			sizes[i] = sum;
		}
	} else {
		for (i = 0; i < n; i++)
			sizes[i] = rte_pktmbuf_pkt_len(o->pkts[lport][i]) -
					(bd->atts[o->atts[lport][i]].tagged ? RTE_VLAN_HLEN : 0);
	}
	if (o->capture != NULL)
		vtep_capture_burst(o->capture, o->lcore, bd->ports[lport].port_id,
				o->txq[lport].queue, bd->ports[lport].vni_idx, o->pkts[lport], n,
				RTE_PCAPNG_DIRECTION_OUT);
	st->inner_tx += vtep_txq_send(&o->txq[lport], o->pkts[lport], n, &refused);
	st->drops[VTEP_DROP_TX_INNER_FULL] += refused;
	/* A queue or ring takes a prefix of the burst: the rest was refused. */
	accepted = n - (uint16_t)refused;
	o->nb[lport] = 0;
	if (likely(access != VTEP_BD_NONE)) {
		struct vtep_att_stats *as = &st->atts[access];

		as->tx_pkts += accepted;
		as->tx_bytes += accepted > 0 ? sizes[accepted - 1] : 0;
		as->drops += refused;
		return;
	}
	for (i = 0; i < n; i++) {
		struct vtep_att_stats *as = &st->atts[o->atts[lport][i]];

		if (likely(i < accepted)) {
			as->tx_pkts++;
			as->tx_bytes += sizes[i];
		} else {
			as->drops++;
		}
	}
}

void
vtep_bridge_flush(const struct vtep_bridge_ctx *bc, struct vtep_bridge_out *o)
{
	for (uint16_t i = 0; i < o->nb_used; i++) {
		flush_port(bc, o, o->used[i]);
		o->listed[o->used[i]] = 0;
	}
	o->nb_used = 0;
}

/* Queue m for attachment a (its tag already pushed). */
static inline void
put(const struct vtep_bridge_ctx *bc, struct vtep_bridge_out *o, uint16_t a, struct rte_mbuf *m)
{
	uint16_t lport = bc->bd->atts[a].lport, k;

	if (unlikely(!o->listed[lport])) {
		o->listed[lport] = 1;
		o->used[o->nb_used++] = lport;
	}
	if (unlikely(o->nb[lport] == VTEP_BRIDGE_OUT))
		flush_port(bc, o, lport);
	k = o->nb[lport]++;
	o->pkts[lport][k] = m;
	o->atts[lport][k] = a;
}

/* Insert an 802.1Q tag with VID vlan after the MACs (IEEE 802.1Q; PCP and DEI 0). m must be
 * direct and unshared. @return 0, or -1 without headroom (m untouched). */
static inline int
push_tag(struct rte_mbuf *m, uint16_t vlan)
{
	rte_be16_t tag[2] = {RTE_BE16(RTE_ETHER_TYPE_VLAN), rte_cpu_to_be_16(vlan)};
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, RTE_VLAN_HLEN);

	if (unlikely(p == NULL))
		return -1;
	memmove(p, p + RTE_VLAN_HLEN, 2 * RTE_ETHER_ADDR_LEN);
	/* TPID and TCI after the MACs; the frame's own ethertype follows them. */
	memcpy(p + 2 * RTE_ETHER_ADDR_LEN, tag, sizeof(tag));
	return 0;
}

/* Hand m (exclusively ours) to attachment a: tagged, or as it is. */
static inline void
deliver(const struct vtep_bridge_ctx *bc, struct vtep_bridge_out *o, uint16_t a, struct rte_mbuf *m)
{
	const struct vtep_att *at = &bc->bd->atts[a];

	if (at->tagged && unlikely(push_tag(m, at->vlan) != 0)) {
		VTEP_DROP(o->st, INNER_NO_HEADROOM);
		o->st->atts[a].drops++;
		rte_pktmbuf_free(m);
		return;
	}
	put(bc, o, a, m);
}

/* A private copy of m for attachment a (a tagged one, or the sharers of a tunnel flood). */
static inline struct rte_mbuf *
copy(const struct vtep_bridge_ctx *bc, struct vtep_bridge_out *o, struct rte_mbuf *m, uint16_t a)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(m, bc->pool, 0, UINT32_MAX);

	if (unlikely(c == NULL)) {
		VTEP_DROP(o->st, FLOOD_NOMBUF);
		o->st->atts[a].drops++;
	}
	return c;
}

/*
 * BUM or unknown unicast of VNI v to every up attachment but skip (VTEP_BD_NONE from the
 * tunnel). Untagged attachments share one mbuf (its reference count raised: nobody writes it);
 * a tagged one gets a copy with its tag. With to_tunnel the tunnel gets m itself (encap writes
 * its headers into it) and the locals copies; else m goes to the locals.
 * @return true when m went to the tunnel (the caller encapsulates it).
 */
static bool
fanout(const struct vtep_bridge_ctx *bc, struct vtep_bridge_out *o, struct rte_mbuf *m,
		unsigned int v, uint16_t skip, bool to_tunnel)
{
	const struct vtep_bd *bd = bc->bd;
	const struct vtep_bd_vni *bv = &bd->vnis[v];
	uint16_t dst[VTEP_MAX_ATTS_PER_VNI], nb_dst = 0, nb_untagged = 0, last_tagged = 0;
	struct rte_mbuf *shared = NULL, *c;
	uint64_t copies = 0;

	for (uint16_t i = 0; i < bv->nb_atts; i++) {
		uint16_t a = bv->atts[i];

		if (a == skip || !vtep_att_up(bd, a))
			continue;
		dst[nb_dst++] = a;
		if (bd->atts[a].tagged)
			last_tagged = a;
		else
			nb_untagged++;
	}
	if (nb_dst == 0 && !to_tunnel) {
		VTEP_DROP(o->st, FLOOD_NO_DEST);
		rte_pktmbuf_free(m);
		return false;
	}
	if (nb_untagged > 0) {
		shared = to_tunnel ? copy(bc, o, m, dst[0]) : m;
		if (shared != NULL && nb_untagged > 1)
			rte_mbuf_refcnt_update(shared, (int16_t)(nb_untagged - 1));
	}
	for (uint16_t i = 0; i < nb_dst; i++) {
		uint16_t a = dst[i];

		if (!bd->atts[a].tagged) {
			if (shared == NULL)
				continue;
			put(bc, o, a, shared);
			copies++;
			continue;
		}
		/* m itself goes to the last tagged attachment when nothing else takes it. */
		if (!to_tunnel && nb_untagged == 0 && a == last_tagged)
			c = m;
		else
			c = copy(bc, o, m, a);
		if (c == NULL)
			continue;
		deliver(bc, o, a, c);
		copies++;
	}
	o->st->vni[v].local_copies += copies;
	return to_tunnel;
}

void
vtep_bridge_from_tunnel(const struct vtep_bridge_ctx *bc, struct rte_mbuf **pkts,
		const uint16_t *vni_idx, uint16_t n, struct vtep_fdb_cache *fc,
		struct vtep_bridge_out *o)
{
	const struct vtep_bd *bd = bc->bd;
	struct vtep_fdb_entry *entries[VTEP_DECAP_MAX];
	uint64_t keys[VTEP_DECAP_MAX];
	uint16_t key_of[VTEP_DECAP_MAX], nb_keys = 0, i;

	if (n == 0)
		return;
	/* The common case (the seed): one VNI with one port, the burst sent as it is. */
	for (i = 1; i < n && vni_idx[i] == vni_idx[0]; i++)
		;
	if (i == n && bd->vnis[vni_idx[0]].nb_atts == 1) {
		uint16_t a = bd->vnis[vni_idx[0]].atts[0], lport = bd->atts[a].lport;

		if (!bd->atts[a].tagged && o->nb[lport] == 0 && n <= VTEP_BRIDGE_OUT) {
			if (!o->listed[lport]) {
				o->listed[lport] = 1;
				o->used[o->nb_used++] = lport;
			}
			for (i = 0; i < n; i++) {
				o->pkts[lport][i] = pkts[i];
				o->atts[lport][i] = a;
			}
			o->nb[lport] = n;
			return;
		}
	}
	for (i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth;

		key_of[i] = UINT16_MAX;
		if (bd->vnis[vni_idx[i]].nb_atts == 1)
			continue;
		eth = rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);
		if (rte_is_unicast_ether_addr(&eth->dst_addr)) {
			key_of[i] = nb_keys;
			keys[nb_keys++] = vtep_fdb_key_eth(vni_idx[i], eth, false);
		}
	}
	if (nb_keys > 0)
		vtep_fdb_lookup_bulk_cached(bc->fdb, fc, keys, nb_keys, entries);
	for (i = 0; i < n; i++) {
		const struct vtep_bd_vni *bv = &bd->vnis[vni_idx[i]];
		struct vtep_fdb_entry c;

		if (bv->nb_atts == 1) {
			deliver(bc, o, bv->atts[0], pkts[i]);
			continue;
		}
		if (key_of[i] == UINT16_MAX || entries[key_of[i]] == NULL) {
			fanout(bc, o, pkts[i], vni_idx[i], VTEP_BD_NONE, false);
			continue;
		}
		c = vtep_fdb_entry_read(entries[key_of[i]]);
		if (!(c.flags & VTEP_FDB_LOCAL)) {
			/* Split horizon: what came from the tunnel never goes back into it. */
			VTEP_DROP(o->st, RX_SPLIT_HORIZON);
			rte_pktmbuf_free(pkts[i]);
		} else if (unlikely(!vtep_att_up(bd, c.remote))) {
			VTEP_DROP(o->st, TX_PORT_DOWN);
			rte_pktmbuf_free(pkts[i]);
		} else {
			deliver(bc, o, c.remote, pkts[i]);
		}
	}
}

/* The attachment of a frame from trunk port p, its tag popped; VTEP_BD_NONE: dropped, counted. */
static inline uint16_t
trunk_att(const struct vtep_bd_port *p, struct rte_mbuf *m, struct vtep_lcore_stats *st)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint16_t vid = 0, a;
	bool inline_tag = false;

	/* The tag in the frame first: a PMD that strips it says so (RX_VLAN_STRIPPED, vlan_tci),
	 * and af_packet may put it back into the frame and still say so. */
	if (rte_pktmbuf_data_len(m) >= sizeof(*eth) + RTE_VLAN_HLEN &&
			eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		vid = rte_be_to_cpu_16(((const struct rte_vlan_hdr *)(eth + 1))->vlan_tci) & 0xfff;
		inline_tag = true;
	} else if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		vid = m->vlan_tci & 0xfff;
	}
	/* VID 0 is a priority tag: the frame belongs to the native VLAN (802.1Q). */
	a = vid == 0 ? p->native : p->vlans[vid];
	if (unlikely(a == VTEP_BD_NONE)) {
		if (vid == 0 && !inline_tag && !(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED))
			VTEP_DROP(st, INNER_UNTAGGED);
		else
			VTEP_DROP(st, INNER_VLAN_UNMAPPED);
		rte_pktmbuf_free(m);
		return VTEP_BD_NONE;
	}
	if (inline_tag) {
		memmove((uint8_t *)eth + RTE_VLAN_HLEN, eth, 2 * RTE_ETHER_ADDR_LEN);
		rte_pktmbuf_adj(m, RTE_VLAN_HLEN);
	}
	m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
	return a;
}

/* Post a learn event for a local MAC (once a second per MAC and attachment at most). */
static inline void
learn_local(struct vtep_learn_filter *lf, uint64_t key, uint16_t a, uint32_t now,
		struct vtep_bridge_rx *r, struct vtep_vni_stats *vs)
{
	rte_be32_t tag_be = rte_cpu_to_be_32(LOCAL_TAG | a);
	unsigned int s = vtep_crc32c_8byte(key, tag_be) & (VTEP_LEARN_FILTER_SIZE - 1);
	struct vtep_learn_event *ev;

	if (lf->slots[s].key == key && lf->slots[s].src_be == tag_be && lf->slots[s].when == now)
		return;
	lf->slots[s].key = key;
	lf->slots[s].src_be = tag_be;
	lf->slots[s].when = now;
	ev = &r->learn[r->nb_learn++];
	memset(ev, 0, sizeof(*ev));
	ev->key = key;
	ev->flags = VTEP_LEARN_LOCAL;
	ev->att = a;
	vs->learn_events++;
}

/* Frames of one attachment of a VNI with several: learn, look up, switch, flood, encap. */
static void
bridged(const struct vtep_bridge_ctx *bc, uint16_t a, struct rte_mbuf **pkts, uint16_t n,
		uint32_t now, struct vtep_learn_filter *lf, struct vtep_fdb_cache *fc,
		uint16_t *ip_id, struct vtep_bridge_out *o, struct vtep_bridge_rx *r)
{
	const struct vtep_bd *bd = bc->bd;
	unsigned int v = bd->atts[a].vni_idx;
	struct vtep_lcore_stats *st = o->st;
	struct vtep_vni_stats *vs = &st->vni[v];
	struct vtep_fdb_entry *entries[2 * VTEP_BRIDGE_MAX];
	uint64_t keys[2 * VTEP_BRIDGE_MAX];
	uint16_t dst_of[VTEP_BRIDGE_MAX], nb_keys = n, nb_tun = 0, remotes[VTEP_BRIDGE_MAX];
	struct rte_mbuf *tun[VTEP_BRIDGE_MAX];
	bool learning = bc->learning[v], floods = vtep_encap_nb_floods(bc->encap, v) > 0;

	/* Sources first (keys 0..n-1), destinations after them: one bulk lookup for both. */
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		keys[i] = vtep_fdb_key_eth(v, eth, true);
		dst_of[i] = UINT16_MAX;
		if (rte_is_unicast_ether_addr(&eth->dst_addr)) {
			dst_of[i] = nb_keys;
			keys[nb_keys++] = vtep_fdb_key_eth(v, eth, false);
		}
	}
	vtep_fdb_lookup_bulk_cached(bc->fdb, fc, keys, nb_keys, entries);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		struct vtep_fdb_entry c;

		if (unlikely(!rte_is_valid_assigned_ether_addr(&eth->src_addr))) {
			VTEP_DROP(st, INNER_SRC_INVALID);
			goto drop;
		}
		if (entries[i] == NULL) {
			if (learning)
				learn_local(lf, keys[i], a, now, r, vs);
		} else {
			c = vtep_fdb_entry_read(entries[i]);
			if (likely((c.flags & VTEP_FDB_LOCAL) && c.remote == a)) {
				vtep_fdb_entry_touch(entries[i], now);
			} else if (c.flags & VTEP_FDB_STATIC) {
				/* Static entries stay where they were put (sticky). */
				VTEP_DROP(st, INNER_STATIC_MOVE);
				goto drop;
			} else if (c.flags & VTEP_FDB_FROZEN) {
				/* A MAC that flapped (movedamp) is held at its owner, local
				 * or remote, as decap holds it (rx_mac_frozen). */
				VTEP_DROP(st, INNER_MAC_FROZEN);
				goto drop;
			} else if (learning) {
				learn_local(lf, keys[i], a, now, r, vs);
			}
		}
		if (dst_of[i] == UINT16_MAX || entries[dst_of[i]] == NULL) {
			if (fanout(bc, o, m, v, a, floods)) {
				tun[nb_tun] = m;
				remotes[nb_tun++] = VTEP_REMOTE_NONE;
			}
			continue;
		}
		c = vtep_fdb_entry_read(entries[dst_of[i]]);
		if (!(c.flags & VTEP_FDB_LOCAL)) {
			tun[nb_tun] = m;
			remotes[nb_tun++] = c.remote;
			continue;
		}
		if (c.remote == a) {
			VTEP_DROP(st, INNER_HAIRPIN);
			goto drop;
		}
		if (unlikely(!vtep_att_up(bd, c.remote))) {
			VTEP_DROP(st, TX_PORT_DOWN);
			goto drop;
		}
		vs->switch_pkts++;
		vs->switch_bytes += rte_pktmbuf_pkt_len(m);
		deliver(bc, o, c.remote, m);
		continue;
	drop:
		st->atts[a].drops++;
		rte_pktmbuf_free(m);
	}
	if (nb_tun > 0)
		r->nb_outer += vtep_encap_resolved(bc->encap, v, tun, remotes, nb_tun,
				r->outer + r->nb_outer, ip_id, st);
}

/* Frames of one attachment a (in order). */
static void
att_run(const struct vtep_bridge_ctx *bc, uint16_t a, struct rte_mbuf **pkts, uint16_t n,
		uint32_t now, struct vtep_learn_filter *lf, struct vtep_fdb_cache *fc,
		uint16_t *ip_id, struct vtep_bridge_out *o, struct vtep_bridge_rx *r)
{
	const struct vtep_bd *bd = bc->bd;
	unsigned int v = bd->atts[a].vni_idx;
	struct vtep_att_stats *as = &o->st->atts[a];
	uint16_t k = 0;

	as->rx_pkts += n;
	for (uint16_t i = 0; i < n; i++) {
		as->rx_bytes += rte_pktmbuf_pkt_len(pkts[i]);
		/* Too short for an Ethernet header: dropped here, as encap would. */
		if (unlikely(rte_pktmbuf_data_len(pkts[i]) < sizeof(struct rte_ether_hdr))) {
			VTEP_DROP(o->st, INNER_TRUNCATED);
			as->drops++;
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		pkts[k++] = pkts[i];
	}
	if (k == 0)
		return;
	if (bd->vnis[v].nb_atts == 1)
		r->nb_outer += vtep_encap_burst(
				bc->encap, v, pkts, k, r->outer + r->nb_outer, ip_id, fc, o->st);
	else
		bridged(bc, a, pkts, k, now, lf, fc, ip_id, o, r);
}

void
vtep_bridge_from_port(const struct vtep_bridge_ctx *bc, unsigned int lport, struct rte_mbuf **pkts,
		uint16_t n, uint32_t now, struct vtep_learn_filter *lf, struct vtep_fdb_cache *fc,
		uint16_t *ip_id, struct vtep_bridge_out *o, struct vtep_bridge_rx *r)
{
	const struct vtep_bd_port *p = &bc->bd->ports[lport];
	uint16_t atts[VTEP_BRIDGE_MAX], k = 0, i, j;

	r->nb_outer = 0;
	r->nb_learn = 0;
	if (p->att != VTEP_BD_NONE) {
		att_run(bc, p->att, pkts, n, now, lf, fc, ip_id, o, r);
		return;
	}
	for (i = 0; i < n; i++) {
		uint16_t a = trunk_att(p, pkts[i], o->st);

		if (a == VTEP_BD_NONE)
			continue;
		atts[k] = a;
		pkts[k++] = pkts[i];
	}
	/* Runs of one attachment, in order: what leaves a port leaves it in arrival order. */
	for (i = 0; i < k; i = j) {
		for (j = i + 1; j < k && atts[j] == atts[i]; j++)
			;
		att_run(bc, atts[i], pkts + i, j - i, now, lf, fc, ip_id, o, r);
	}
}
