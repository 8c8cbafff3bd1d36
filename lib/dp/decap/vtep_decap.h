/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN -> inner frame. A burst of underlay frames is classified (vtep_parse), the VXLAN ones have
 * their inner source MAC looked up in the FDB in one bulk call, learn events are produced for new
 * or moved MACs, and the outer headers are stripped. Control frames (ARP, IGMP, ICMP) are handed
 * back for the control lcore; everything else is freed and counted.
 */
#ifndef VTEP_DECAP_H
#define VTEP_DECAP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "vtep_fdb.h"
#include "vtep_parse.h"
#include "vtep_stats.h"

/** Largest burst vtep_decap_burst takes. */
#define VTEP_DECAP_MAX 64

/** Slots of the per-lcore learn filter (a power of two). */
#define VTEP_LEARN_FILTER_SIZE 1024

/** Most prefixes in a VNI's allow list (`allow`). */
#define VTEP_ALLOW_MAX 16

/**
 * A VNI's allow list: the outer source addresses its VXLAN frames may come from. Frames from
 * any other source are dropped (rx_not_allowed) before they are learned or delivered.
 */
struct vtep_allow_list {
	uint32_t nb; /**< Prefixes in p; 0 = every source (no list). */
	struct {
		uint32_t net;  /**< Prefix, host byte order, host bits zero. */
		uint32_t mask; /**< Its mask, host byte order. */
	} p[VTEP_ALLOW_MAX];   /**< The prefixes. */
};

/** What decap reads; shared read-only by workers except `learning`, which control may flip. */
struct vtep_decap_ctx {
	const struct vtep_parse_ctx *parse; /**< Addresses and VNIs. */
	const struct vtep_fdb *fdb;         /**< The FDB. */
	uint8_t learning[VTEP_MAX_VNIS];    /**< Learning on, per VNI index. */
	/** Some VNI has an allow list: each VXLAN frame's outer source is checked against its
	 * VNI's (one test per burst and a register per frame when none has). */
	bool allowing;
	struct vtep_allow_list allow[VTEP_MAX_VNIS]; /**< Per VNI index. */
};

/** May VNI vni_idx take a frame from outer source src_be (its allow list, if any)? */
static inline bool
vtep_decap_allowed(const struct vtep_decap_ctx *dc, unsigned int vni_idx, rte_be32_t src_be)
{
	const struct vtep_allow_list *a = &dc->allow[vni_idx];
	uint32_t src = rte_be_to_cpu_32(src_be);

	if (a->nb == 0)
		return true;
	for (uint32_t i = 0; i < a->nb; i++)
		if ((src & a->p[i].mask) == a->p[i].net)
			return true;
	return false;
}

/**
 * Per-lcore filter of learn events already posted: a MAC that floods in faster than the control
 * lcore installs it posts one event a second, not one per packet.
 */
struct vtep_learn_filter {
	/** Direct-mapped slots. */
	struct {
		uint64_t key;      /**< FDB key posted. */
		rte_be32_t src_be; /**< Remote posted. */
		uint32_t when;     /**< vtep_fdb_now() of the post. */
	} slots[VTEP_LEARN_FILTER_SIZE];
};

/** What one burst produced. */
struct vtep_decap_out {
	uint16_t nb_inner; /**< Inner frames. */
	uint16_t nb_ctl;   /**< Control frames. */
	uint16_t nb_learn; /**< Learn events. */
	uint16_t nb_fast;  /**< The first nb_fast frames of inner[] went through in one pass. */
	uint16_t inner_vni[VTEP_DECAP_MAX]; /**< VNI index of each inner frame. */
	/** Per inner frame: 1 + the index in learn[] of the event it posted, or 0. Such a frame
	 * is delivered only once the control lcore has applied its event (vtep_hold.h). */
	uint8_t inner_learn[VTEP_DECAP_MAX];
	struct rte_mbuf *inner[VTEP_DECAP_MAX]; /**< Inner frames in arrival order, stripped. */
	uint8_t ctl_kind[VTEP_DECAP_MAX];       /**< enum vtep_parse_kind of each. */
	struct rte_mbuf *ctl[VTEP_DECAP_MAX];   /**< ARP/IGMP/ICMP frames, untouched. */
	struct vtep_learn_event learn[VTEP_DECAP_MAX]; /**< Learn/move events to post. */
};

/**
 * Decapsulate a burst. Frames up to the first one the fast path does not take (the classifier's
 * fast path, an allowed outer source, outer ECN not CE, source MAC in the cache fc at the same
 * remote) go in one pass; the rest in two, as vtep_decap_burst_staged(), with the same results.
 * Every frame delivered is in out->inner, in arrival order, also those that posted a learn event
 * (out->inner_learn).
 * @param n   At most VTEP_DECAP_MAX.
 * @param now vtep_fdb_now(), for `seen` stamps and the learn filter.
 * @param lf  The lcore's learn filter.
 * @param fc  The lcore's FDB cache, or NULL.
 * @param out Out: what to send where (counts reset by this call).
 * @param st  The lcore's counters.
 */
void vtep_decap_burst(const struct vtep_decap_ctx *dc, struct rte_mbuf **pkts, uint16_t n,
		uint32_t now, struct vtep_learn_filter *lf, struct vtep_fdb_cache *fc,
		struct vtep_decap_out *out, struct vtep_lcore_stats *st);

/**
 * vtep_decap_burst() with every frame through the two-pass path (classify all, look up all, then
 * hand over): the reference the one-pass path is tested against.
 */
void vtep_decap_burst_staged(const struct vtep_decap_ctx *dc, struct rte_mbuf **pkts, uint16_t n,
		uint32_t now, struct vtep_learn_filter *lf, struct vtep_fdb_cache *fc,
		struct vtep_decap_out *out, struct vtep_lcore_stats *st);

#endif /* VTEP_DECAP_H */
