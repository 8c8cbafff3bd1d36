/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN -> inner frame. A burst of underlay frames is classified (vtep_parse), the VXLAN ones have
 * their inner source MAC looked up in the FDB in one bulk call, learn events are produced for new
 * or moved MACs, and the outer headers are stripped. Control frames (ARP, IGMP, ICMP) are handed
 * back for the control lcore; everything else is freed and counted.
 */
#ifndef VTEP_DECAP_H
#define VTEP_DECAP_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "vtep_fdb.h"
#include "vtep_parse.h"
#include "vtep_stats.h"

/** Largest burst vtep_decap_burst takes. */
#define VTEP_DECAP_MAX 64

/** Slots of the per-lcore learn filter (a power of two). */
#define VTEP_LEARN_FILTER_SIZE 1024

/** What decap reads; shared read-only by workers except `learning`, which control may flip. */
struct vtep_decap_ctx {
	const struct vtep_parse_ctx *parse; /**< Addresses and VNIs. */
	const struct vtep_fdb *fdb;         /**< The FDB. */
	uint8_t learning[VTEP_MAX_VNIS];    /**< Learning on, per VNI index. */
	/** TSC cycles after a learn event during which later frames of the same MAC (entry still
	 * missing or moved) are delivered through the control lcore behind the first one. */
	uint64_t hold_cycles;
};

/** How long frames of a MAC being learned follow its first frame (vtep_decap_ctx.hold_cycles). */
#define VTEP_LEARN_HOLD_US 1000

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
		uint64_t tsc;      /**< TSC of the post: the start of its hold window. */
	} slots[VTEP_LEARN_FILTER_SIZE];
	/** Frames handed over with learn events are still on their way to the inner port: a
	 * frame of a MAC posted within the hold window follows them even when its entry is
	 * found (set by the worker loop for each poll). */
	bool holding;
};

/** What one burst produced. */
struct vtep_decap_out {
	uint16_t nb_inner; /**< Inner frames. */
	uint16_t nb_ctl;   /**< Control frames. */
	uint16_t nb_learn; /**< Learn events; their frames (learn[i].m) are not in inner[]. */
	uint16_t nb_fast;  /**< The first nb_fast frames of inner[] went through in one pass. */
	uint16_t inner_vni[VTEP_DECAP_MAX];            /**< VNI index of each inner frame. */
	struct rte_mbuf *inner[VTEP_DECAP_MAX];        /**< Inner frames, outer headers stripped. */
	uint8_t ctl_kind[VTEP_DECAP_MAX];              /**< enum vtep_parse_kind of each. */
	struct rte_mbuf *ctl[VTEP_DECAP_MAX];          /**< ARP/IGMP/ICMP frames, untouched. */
	struct vtep_learn_event learn[VTEP_DECAP_MAX]; /**< Learn/move events to post. */
};

/**
 * Decapsulate a burst. Frames up to the first one the fast path does not take (the classifier's
 * fast path, outer ECN not CE, source MAC in the cache fc at the same remote, no held frames) go
 * in one pass; the rest in two, as vtep_decap_burst_staged(), with the same results.
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
