/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ordering rule (lib/dp/fwd/vtep_hold.h): a port's held frames come out in the order they
 * were held, each only once the learn event it waits for is applied, and never before a frame
 * held ahead of it; ports are independent; slots are reused and bounded. A reference model (one
 * FIFO per port, every frame released at the first `done` that covers it and all frames before
 * it) is run beside the hold on random operations.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "test_common.h"
#include "vtep_hold.h"

static struct vtep_hold h;

/* Fake frames: the pointer value is the frame's number (never dereferenced). */
static struct rte_mbuf *
frame(uintptr_t n)
{
	return (struct rte_mbuf *)(n << 4);
}

static uintptr_t
number(const struct rte_mbuf *m)
{
	return (uintptr_t)m >> 4;
}

static void
test_basic(void)
{
	struct rte_mbuf *out[8];

	vtep_hold_init(&h);
	CHECK(!vtep_hold_busy(&h, 3) && h.ports == 0);
	/* Frame 1 waits for event 5; frame 2 (nothing to wait for) waits behind it. */
	CHECK(vtep_hold_add(&h, 3, frame(1), 5) == 0);
	CHECK(vtep_hold_add(&h, 3, frame(2), 0) == 0);
	CHECK(vtep_hold_busy(&h, 3) && !vtep_hold_busy(&h, 4) && h.nb_held == 2);
	CHECK(vtep_hold_release(&h, 3, 4, out, 8) == 0);
	CHECK(vtep_hold_busy(&h, 3));
	/* Event 6 to wait for behind 5: event 5 applied releases frames 1 and 2 only. */
	CHECK(vtep_hold_add(&h, 3, frame(3), 6) == 0);
	CHECK(vtep_hold_add(&h, 3, frame(4), 0) == 0);
	CHECK(vtep_hold_release(&h, 3, 5, out, 8) == 2);
	CHECK(number(out[0]) == 1 && number(out[1]) == 2);
	CHECK(vtep_hold_busy(&h, 3));
	/* A frame waiting for an earlier event than the one ahead of it still waits for that. */
	CHECK(vtep_hold_add(&h, 3, frame(5), 2) == 0);
	CHECK(vtep_hold_release(&h, 3, 5, out, 8) == 0);
	/* max bounds a release; the rest follows. */
	CHECK(vtep_hold_release(&h, 3, 6, out, 1) == 1 && number(out[0]) == 3);
	CHECK(vtep_hold_release(&h, 3, 6, out, 8) == 2);
	CHECK(number(out[0]) == 4 && number(out[1]) == 5);
	CHECK(!vtep_hold_busy(&h, 3) && h.ports == 0 && h.nb_held == 0);
	/* Port 63 (the last VNI index) and port 0 at once. */
	CHECK(vtep_hold_add(&h, 63, frame(6), 1) == 0 && vtep_hold_add(&h, 0, frame(7), 9) == 0);
	CHECK(h.ports == (UINT64_C(1) << 63 | 1));
	CHECK(vtep_hold_release(&h, 63, 1, out, 8) == 1 && number(out[0]) == 6);
	CHECK(vtep_hold_release(&h, 0, 8, out, 8) == 0 && h.ports == 1);
	CHECK(vtep_hold_release(&h, 0, 9, out, 8) == 1 && h.ports == 0);
}

/* Every slot taken: -ENOSPC, nothing changed; freed slots are used again. */
static void
test_full(void)
{
	static struct rte_mbuf *out[VTEP_HOLD_SIZE];
	unsigned int bad = 0;

	vtep_hold_init(&h);
	for (uintptr_t i = 0; i < VTEP_HOLD_SIZE; i++)
		bad += vtep_hold_add(&h, i % 2, frame(i + 1), i == 0 ? 1 : 0) != 0;
	CHECK(bad == 0 && h.nb_free == 0 && h.nb_held == VTEP_HOLD_SIZE);
	CHECK(vtep_hold_add(&h, 2, frame(99999), 0) == -ENOSPC);
	CHECK(!vtep_hold_busy(&h, 2));
	/* Port 1 waits for nothing; port 0 for event 1. */
	CHECK(vtep_hold_release(&h, 1, 0, out, VTEP_HOLD_SIZE) == VTEP_HOLD_SIZE / 2);
	for (unsigned int k = 0; k < VTEP_HOLD_SIZE / 2; k++)
		bad += number(out[k]) != 2 * k + 2;
	CHECK(vtep_hold_release(&h, 0, 0, out, VTEP_HOLD_SIZE) == 0);
	CHECK(vtep_hold_release(&h, 0, 1, out, VTEP_HOLD_SIZE) == VTEP_HOLD_SIZE / 2);
	for (unsigned int k = 0; k < VTEP_HOLD_SIZE / 2; k++)
		bad += number(out[k]) != 2 * k + 1;
	CHECKF(bad == 0, "%u frames out of order", bad);
	CHECK(h.nb_free == VTEP_HOLD_SIZE && h.ports == 0);
}

/* Random adds and releases on 4 ports against the model: same frames, same order. */
static void
test_model(void)
{
	enum { PORTS = 4, MAXQ = VTEP_HOLD_SIZE };
	static uintptr_t q[PORTS][MAXQ];
	static uint64_t qw[PORTS][MAXQ];
	static struct rte_mbuf *out[64];
	unsigned int qh[PORTS] = {0}, qt[PORTS] = {0}, bad = 0, released = 0;
	uint64_t x = 0x2545f4914f6cdd1dull, posted = 0, done = 0;
	uintptr_t next = 1;

	vtep_hold_init(&h);
	for (unsigned int t = 0; t < 200000; t++) {
		unsigned int p, op;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		p = x % PORTS;
		op = (x >> 8) % 8;
		if (op < 4 && h.nb_free > 0) {
			/* A frame: some post an event, the others wait for nothing. */
			uint64_t wait = op == 0 ? ++posted : 0;
			uint64_t eff = wait;

			if (qt[p] != qh[p] && qw[p][(qt[p] - 1) % MAXQ] > eff)
				eff = qw[p][(qt[p] - 1) % MAXQ];
			if (qt[p] == qh[p] && wait == 0)
				continue; /* the worker sends it at once: not held */
			CHECK(vtep_hold_add(&h, p, frame(next), wait) == 0);
			q[p][qt[p] % MAXQ] = next++;
			qw[p][qt[p] % MAXQ] = eff;
			qt[p]++;
		} else if (op < 6 && done < posted) {
			done += 1 + (x >> 16) % (posted - done);
		} else {
			uint16_t max = 1 + (x >> 20) % 64;
			uint16_t n = vtep_hold_release(&h, p, done, out, max);

			for (uint16_t k = 0; k < n; k++) {
				if (qh[p] == qt[p] || number(out[k]) != q[p][qh[p] % MAXQ] ||
						qw[p][qh[p] % MAXQ] > done)
					bad++;
				qh[p]++;
			}
			released += n;
			/* Released up to max, or up to the first frame still waiting. */
			if (n < max && qh[p] != qt[p] && qw[p][qh[p] % MAXQ] <= done)
				bad++;
			if ((qh[p] == qt[p]) != !vtep_hold_busy(&h, p))
				bad++;
		}
	}
	CHECKF(bad == 0, "%u differences from the model", bad);
	CHECKF(released > 50000, "only %u frames released", released);
}

int
main(void)
{
	test_basic();
	test_full();
	test_model();
	return vtep_test_done("hold");
}
