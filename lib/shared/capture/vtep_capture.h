/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture to a pcapng file (Wireshark, tshark) of what crosses the underlay port or the
 * inner ports, optionally only one VNI.
 *
 * The control lcore starts and stops a capture and is the only writer of its state and of the
 * file. Workers see one pointer, `active`: NULL while no capture runs, so the data plane pays one
 * load and one not-taken branch per burst that crosses a port (vtep_capture_burst). While a
 * capture runs, a worker copies each matching frame into the capture's own mempool, stamps it
 * (port, queue, direction, TSC) and enqueues the copy on its own SP/SC ring; the original frame
 * goes on untouched. The control lcore drains the rings, turns each copy into a pcapng block
 * (rte_pcapng_copy, single-threaded: its TSC-to-time state is not safe from several lcores in
 * DPDK 22.11) and writes it. A full ring or an empty pool loses the copy, never the frame, and is
 * counted (`ring_full`, `nombuf`).
 */
#ifndef VTEP_CAPTURE_H
#define VTEP_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pcapng.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "vtep_stats.h"

/** Most lcores a capture serves: VTEP_MAX_WORKERS (lib/dp/fwd) workers and the control lcore. */
#define VTEP_CAPTURE_MAX_WORKERS 17
/** Copies one worker can have in flight to the control lcore. */
#define VTEP_CAPTURE_RING_SIZE 1024
/** Copies in the capture's mempool, shared by all workers. */
#define VTEP_CAPTURE_POOL_SIZE 4095
/** Longest file path. */
#define VTEP_CAPTURE_PATH_MAX 512

/** Which port a capture watches. */
enum vtep_capture_dev {
	VTEP_CAPTURE_UNDERLAY, /**< The underlay port (outer VXLAN frames, ARP, IGMP). */
	VTEP_CAPTURE_INNER,    /**< The inner ports (one with vni: that VNI's port). */
	VTEP_CAPTURE_ANY,      /**< Both. */
};

/** What to capture; workers read it while it is published. */
struct vtep_capture_filter {
	uint8_t dev;           /**< enum vtep_capture_dev. */
	bool has_vni;          /**< Only frames of one VNI. */
	int16_t vni_idx;       /**< Its index (inner ports). */
	rte_be32_t vni_be;     /**< Its id as the VXLAN header carries it: VNI << 8. */
	rte_be16_t dstport_be; /**< VXLAN UDP port, to find the VNI of underlay frames. */
	uint32_t snaplen;      /**< Bytes kept of each frame (tcpdump -s), 0 = all. */
};

/** Counters of one worker, written by that worker only. */
struct vtep_capture_worker {
	struct rte_ring *ring; /**< SP/SC: copies to the control lcore. */
	uint64_t copied;       /**< Copies enqueued. */
	uint64_t ring_full;    /**< Copies lost: ring full. */
	uint64_t nombuf;       /**< Copies lost: capture mempool empty. */
} __rte_cache_aligned;

/** Creation parameters. */
struct vtep_capture_params {
	unsigned int nb_workers;   /**< Lcores that copy frames (rings): workers and control. */
	int socket;                /**< NUMA socket. */
	struct rte_rcu_qsbr *qsbr; /**< Workers' QSBR variable: stop waits for a grace period. */
	rte_be16_t dstport_be;     /**< VXLAN UDP port. */
	uint32_t vni_ids[VTEP_MAX_VNIS]; /**< VNI id per index, for the VNI filter. */
	unsigned int nb_vnis;            /**< VNIs. */
};

/** A snapshot of a capture's state and counters, for the status command. */
struct vtep_capture_status {
	bool running;                     /**< A capture runs now. */
	char path[VTEP_CAPTURE_PATH_MAX]; /**< File of the running or last capture. */
	struct vtep_capture_filter f;     /**< Its filter. */
	uint32_t vni;                     /**< Filter VNI id (has_vni). */
	uint64_t count;                   /**< Stop after this many frames, 0 = never. */
	uint64_t written;                 /**< Frames written to the file. */
	uint64_t copied;                  /**< Copies made by workers. */
	uint64_t ring_full;               /**< Copies lost: a worker's ring was full. */
	uint64_t nombuf;                  /**< Copies lost: capture mempool empty. */
	uint64_t write_errors;            /**< Frames lost: write or pcapng copy failed. */
};

/** The capture; one per vtepd, created with the context. */
struct vtep_capture {
	/** Published filter: NULL = no capture. Workers load it once per burst. */
	const struct vtep_capture_filter *active;
	/** What active points to: the two alternate, so that a worker still in the burst of a
	 * stop whose grace period timed out never reads a filter being rewritten. */
	struct vtep_capture_filter filters[2];
	unsigned int cur;              /**< Index in filters of the last one published. */
	int meta_off;                  /**< Offset of the copy's dynfield. */
	struct rte_mempool *pool;      /**< Workers' copies (made at first start). */
	struct rte_mempool *blocks;    /**< pcapng blocks (control lcore). */
	struct vtep_capture_params p;  /**< Creation parameters. */
	rte_pcapng_t *out;             /**< The open file, NULL when stopped. */
	struct vtep_capture_status st; /**< State of the running or last capture. */
	uint64_t base[3];              /**< Worker counters at start. */
	uint64_t start_tsc;            /**< TSC when the capture started... */
	uint64_t start_ns;             /**< ... and the wall clock then, in ns since 1970. */
	uint64_t hz;                   /**< TSC frequency. */
	struct vtep_capture_worker w[VTEP_CAPTURE_MAX_WORKERS]; /**< Per worker. */
};

/**
 * Create the capture state and the workers' rings (no mempool yet: it is made by the first
 * start). @return the capture, or NULL with rte_errno set.
 */
struct vtep_capture *vtep_capture_create(const struct vtep_capture_params *p);

/** Free (NULL is fine); a running capture is stopped and its file closed. Workers must be gone. */
void vtep_capture_free(struct vtep_capture *cap);

/**
 * Start a capture into path (created or truncated), control lcore only.
 * @param count Stop after this many frames are written, 0 = until vtep_capture_stop.
 * @param err   A message on failure.
 * @return 0, -EBUSY (a capture runs), -ENOMEM, or the negative errno of open(2).
 */
int vtep_capture_start(struct vtep_capture *cap, const char *path,
		const struct vtep_capture_filter *f, uint64_t count, char *err, size_t err_size);

/**
 * Stop the running capture: unpublish the filter, wait for the workers' grace period, write
 * what they copied, close the file. Control lcore only. @return 0, or -ENOENT (none runs).
 */
int vtep_capture_stop(struct vtep_capture *cap);

/**
 * Write what workers copied; stop when count is reached (control lcore, every pass).
 * @return frames written.
 */
unsigned int vtep_capture_poll(struct vtep_capture *cap);

/** State and counters of the running or last capture (control lcore). */
void vtep_capture_status(const struct vtep_capture *cap, struct vtep_capture_status *st);

/** VNI filter: the index of a VNI id, or -1. */
int vtep_capture_vni_index(const struct vtep_capture *cap, uint32_t vni);

/**
 * Copy the frames of a burst that match f (the slow half of vtep_capture_burst).
 * @param vni_idx -1 for the underlay port, else the VNI of the inner port.
 */
void vtep_capture_copy(struct vtep_capture *cap, const struct vtep_capture_filter *f,
		unsigned int worker, uint16_t port_id, uint16_t queue, int vni_idx,
		struct rte_mbuf *const *pkts, uint16_t n, enum rte_pcapng_direction dir);

/**
 * The data-plane hook, called by a worker for each burst that crosses a port, before the frames
 * are handed on (decap and TX change or free them). No capture: one load, one branch.
 * @param vni_idx -1 for the underlay port, else the VNI of the inner port.
 */
static inline void
vtep_capture_burst(struct vtep_capture *cap, unsigned int worker, uint16_t port_id, uint16_t queue,
		int vni_idx, struct rte_mbuf *const *pkts, uint16_t n,
		enum rte_pcapng_direction dir)
{
	const struct vtep_capture_filter *f = __atomic_load_n(&cap->active, __ATOMIC_ACQUIRE);

	if (likely(f == NULL))
		return;
	vtep_capture_copy(cap, f, worker, port_id, queue, vni_idx, pkts, n, dir);
}

#endif /* VTEP_CAPTURE_H */
