/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control lcore: the single writer of the FDB and the remote table. It drains the workers'
 * learn rings, answers ARP/IGMP/ICMP for the VTEP, resolves the next hops of remote VTEPs, ages
 * the FDB. It never touches a worker's queues; what it sends goes through the underlay port's
 * TX ring, which the owner of queue 0 drains.
 */
#ifndef VTEP_CTL_H
#define VTEP_CTL_H

#include <stdint.h>

#include "vtep_arp.h"
#include "vtep_ctx.h"
#include "vtep_igmp.h"

struct vtep_ctl;

/**
 * Create the control state and do the start-up work: static neighbors, resolution of every
 * remote, gratuitous ARP, IGMP joins.
 * @return the state, or NULL with rte_errno set.
 */
struct vtep_ctl *vtep_ctl_create(struct vtep_ctx *ctx);

/**
 * One pass: learn events, control frames, due timers.
 * @return work items done (0 when idle, so the caller may sleep).
 */
unsigned int vtep_ctl_poll(struct vtep_ctl *c);

/**
 * Send the IGMP leaves directly on TX queue 0 of the underlay. Only once the workers have
 * stopped: then no other lcore sends on that queue.
 */
void vtep_ctl_shutdown(struct vtep_ctl *c);

/** The neighbor table, for printing. */
const struct vtep_arp *vtep_ctl_arp(const struct vtep_ctl *c);

/** The IGMP state, for printing. */
const struct vtep_igmp *vtep_ctl_igmp(const struct vtep_ctl *c);

/** Free (NULL is fine). */
void vtep_ctl_free(struct vtep_ctl *c);

#endif /* VTEP_CTL_H */
