/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ordering rule of a worker's decapsulated frames (docs/architecture.md, "Learn before
 * deliver"): a frame that posts a learn event waits until the control lcore has applied that
 * event, and while anything from a worker to an inner port waits, every later frame from that
 * worker to that port waits behind it. So frames received on one underlay queue leave each inner
 * port in the order they arrived, and the first answer to a new peer finds its FDB entry.
 *
 * The worker numbers the learn events it posts (1, 2, ...); the control lcore counts the events
 * it has applied (`done`, published with a release store after the FDB writes). A held frame
 * carries the number it waits for; frames behind it carry at least the same number, so a port's
 * queue is released from its head while the head's number is applied. No frame crosses to the
 * control lcore, nothing is allocated: a fixed pool of slots per worker, FIFO lists per port.
 */
#ifndef VTEP_HOLD_H
#define VTEP_HOLD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "vtep_stats.h"

/** Frames one worker can hold over all its inner ports (a power of two, below UINT16_MAX). */
#define VTEP_HOLD_SIZE 2048

/** End of a slot list. */
#define VTEP_HOLD_NONE UINT16_MAX

/** A worker's held frames: per inner port (VNI index) a FIFO list of slots. */
struct vtep_hold {
	uint64_t ports;                      /**< Bit v: port v has held frames. */
	uint16_t nb_held;                    /**< Slots in use. */
	uint16_t nb_free;                    /**< Entries in free_slots. */
	uint16_t head[VTEP_MAX_VNIS];        /**< First held frame per port, or VTEP_HOLD_NONE. */
	uint16_t tail[VTEP_MAX_VNIS];        /**< Last held frame per port. */
	uint16_t free_slots[VTEP_HOLD_SIZE]; /**< Stack of free slot numbers. */
	struct {
		struct rte_mbuf *m; /**< The frame. */
		uint64_t wait;      /**< Learn event number that must be applied first. */
		uint16_t next;      /**< Next slot of the same port, or VTEP_HOLD_NONE. */
	} slots[VTEP_HOLD_SIZE];    /**< Slot pool. */
};

/** Empty hold: every port's list empty, every slot free. */
void vtep_hold_init(struct vtep_hold *h);

/** Does port v have held frames (so that a new frame to it must wait behind them)? */
static inline bool
vtep_hold_busy(const struct vtep_hold *h, unsigned int v)
{
	return (h->ports >> v) & 1;
}

/**
 * Hold m for port v behind what port v holds, until learn event `wait` is applied (0: only
 * behind the frames already held). @return 0, or -ENOSPC when every slot is taken (the caller
 * drops m: nothing may overtake the held frames).
 */
int vtep_hold_add(struct vtep_hold *h, unsigned int v, struct rte_mbuf *m, uint64_t wait);

/**
 * Take port v's frames whose events are applied (wait <= done), from the head, in order.
 * @return how many were written to out (at most max).
 */
uint16_t vtep_hold_release(struct vtep_hold *h, unsigned int v, uint64_t done,
		struct rte_mbuf **out, uint16_t max);

#endif /* VTEP_HOLD_H */
