/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A token bucket: at most `rate` events a second on average, `burst` at once. The clock is the
 * caller's (seconds, with hz 1, for the FDB's learn limit; TSC ticks for the control lcore's
 * reply limits), passed in, so that tests drive it. Header only, no state but the bucket, one
 * writer.
 *
 * The credit is kept in (tokens x hz) so that refilling is one multiplication: after dt ticks the
 * bucket holds dt x rate more, up to burst x hz, and a token costs hz. With hz 1 the bucket is
 * refilled by whole seconds.
 */
#ifndef VTEP_RATE_H
#define VTEP_RATE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

/** Largest rate and burst (so that burst x hz stays far below 2^64 for any TSC). */
#define VTEP_RATE_MAX 1000000u

/** One bucket. Zeroed memory is an unlimited bucket. */
struct vtep_rate {
	uint32_t rate;   /**< Tokens a second, 0 = unlimited. */
	uint32_t burst;  /**< Most tokens at once (at least 1 when rate is set). */
	uint64_t hz;     /**< Clock ticks a second. */
	uint64_t credit; /**< Tokens x hz. */
	uint64_t last;   /**< Clock at the last refill. */
};

/**
 * Set a bucket up full at time now. rate 0: unlimited. burst 0 means burst = rate. Values above
 * VTEP_RATE_MAX are cut to it.
 */
static inline void
vtep_rate_init(struct vtep_rate *r, uint32_t rate, uint32_t burst, uint64_t hz, uint64_t now)
{
	if (rate > VTEP_RATE_MAX)
		rate = VTEP_RATE_MAX;
	if (burst == 0 || burst > VTEP_RATE_MAX)
		burst = burst == 0 ? rate : VTEP_RATE_MAX;
	r->rate = rate;
	r->burst = burst;
	r->hz = hz != 0 ? hz : 1;
	r->credit = (uint64_t)burst * r->hz;
	r->last = now;
}

/**
 * Take n tokens at time now (a clock that never goes back; an earlier now refills nothing).
 * @return true if the bucket had them (they are taken), false if not (nothing is taken).
 */
static inline bool
vtep_rate_take(struct vtep_rate *r, uint64_t now, uint32_t n)
{
	uint64_t cap, cost;

	if (r->rate == 0)
		return true;
	cap = (uint64_t)r->burst * r->hz;
	if (now > r->last) {
		/* Past the time that fills an empty bucket, it is full: no overflow either. */
		uint64_t dt = now - r->last;

		r->credit = dt >= cap / r->rate ? cap : RTE_MIN(cap, r->credit + dt * r->rate);
		r->last = now;
	}
	cost = (uint64_t)n * r->hz;
	if (r->credit < cost)
		return false;
	r->credit -= cost;
	return true;
}

#endif /* VTEP_RATE_H */
