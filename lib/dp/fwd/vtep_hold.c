/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include "vtep_hold.h"

void
vtep_hold_init(struct vtep_hold *h)
{
	h->ports = 0;
	h->nb_held = 0;
	for (unsigned int v = 0; v < VTEP_MAX_VNIS; v++)
		h->head[v] = h->tail[v] = VTEP_HOLD_NONE;
	/* Slot 0 on top: the first frames use the first slots. */
	for (unsigned int s = 0; s < VTEP_HOLD_SIZE; s++)
		h->free_slots[s] = VTEP_HOLD_SIZE - 1 - s;
	h->nb_free = VTEP_HOLD_SIZE;
}

int
vtep_hold_add(struct vtep_hold *h, unsigned int v, struct rte_mbuf *m, uint64_t wait)
{
	uint16_t s;

	if (unlikely(h->nb_free == 0))
		return -ENOSPC;
	s = h->free_slots[--h->nb_free];
	h->slots[s].m = m;
	h->slots[s].next = VTEP_HOLD_NONE;
	if (vtep_hold_busy(h, v)) {
		/* Behind the last one: never released before it. */
		h->slots[s].wait = RTE_MAX(wait, h->slots[h->tail[v]].wait);
		h->slots[h->tail[v]].next = s;
	} else {
		h->slots[s].wait = wait;
		h->head[v] = s;
		h->ports |= UINT64_C(1) << v;
	}
	h->tail[v] = s;
	h->nb_held++;
	return 0;
}

uint16_t
vtep_hold_release(struct vtep_hold *h, unsigned int v, uint64_t done, struct rte_mbuf **out,
		uint16_t max)
{
	uint16_t n = 0, s = h->head[v];

	while (s != VTEP_HOLD_NONE && n < max && h->slots[s].wait <= done) {
		out[n++] = h->slots[s].m;
		h->free_slots[h->nb_free++] = s;
		s = h->slots[s].next;
	}
	h->head[v] = s;
	h->nb_held -= n;
	if (s == VTEP_HOLD_NONE) {
		h->tail[v] = VTEP_HOLD_NONE;
		h->ports &= ~(UINT64_C(1) << v);
	}
	return n;
}
