/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control lcore: the single writer of the FDB and the remote table. It drains the workers'
 * learn rings, answers ARP/IGMP/ICMP for the VTEP, resolves the next hops of remote VTEPs, ages
 * the FDB. It never touches a worker's queues; what it sends goes through the underlay port's
 * TX ring, which the owner of queue 0 drains.
 */
#ifndef VTEP_CTL_H
#define VTEP_CTL_H

#include <stddef.h>
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
 * Finish what the workers left (learn events and their frames, control frames), send the IGMP
 * leaves, and send what waits in the ports' rings on their TX queue 0, so that every mbuf is
 * back in the pool. Only once the workers have stopped: then no other lcore sends on queue 0.
 */
void vtep_ctl_shutdown(struct vtep_ctl *c);

/** The neighbor table, for printing. */
const struct vtep_arp *vtep_ctl_arp(const struct vtep_ctl *c);

/** The IGMP state, for printing. */
const struct vtep_igmp *vtep_ctl_igmp(const struct vtep_ctl *c);

/** The context the control lcore works on. */
struct vtep_ctx *vtep_ctl_ctx(struct vtep_ctl *c);

/** A function run on the control lcore on behalf of another thread (vtep_ctl_call). */
typedef void (*vtep_ctl_fn)(struct vtep_ctl *c, void *arg);

/** Requests vtep_ctl_call can have queued at once. */
#define VTEP_CTL_MAILBOX_SIZE 64

/**
 * Run fn(c, arg) on the control lcore, the single writer of the FDB and remote table, and wait
 * for it: the way a thread that is not the control lcore (DPDK's telemetry thread) reads or
 * changes the tables. Safe from any number of threads at once (MP/SC ring, Gatekeeper mailbox
 * style). arg is copied into the request and back, so a caller that gives up on a timeout leaves
 * nothing on its stack that the control lcore could still write.
 * Never call it from the control lcore itself (it would wait for itself).
 * @param arg        size bytes, in and out.
 * @param timeout_ms How long to wait for the control lcore.
 * @return 0 (fn ran, arg holds its result), -ENOMEM, -EBUSY (mailbox full), -ETIMEDOUT (the
 *   control lcore did not answer in time; fn may still run later), -ESHUTDOWN (vtepd is stopping).
 */
int vtep_ctl_call(struct vtep_ctl *c, vtep_ctl_fn fn, void *arg, size_t size,
		unsigned int timeout_ms);

/**
 * Find or add the remote VTEP ip_be and, if it is new, start resolving its next hop (control
 * lcore only): what start-up and learning do for a remote, for run-time static entries.
 * @return the slot index (> 0), or -ENOSPC when the remote table is full.
 */
int vtep_ctl_remote_get(struct vtep_ctl *c, rte_be32_t ip_be);

/**
 * Append a head-end replication remote to a VNI's flood list (`bridge fdb append
 * 00:00:00:00:00:00 dst IP`), control lcore only. Workers see the new list after one pointer
 * store; the old list is reused only after every worker has passed a quiescent state.
 * @return 0, -EEXIST, -ENOSPC (list or remote table full), -EINVAL (multicast address),
 *   -EBUSY (workers have not yet left the previous list; try again).
 */
int vtep_ctl_flood_append(struct vtep_ctl *c, unsigned int vni_idx, rte_be32_t ip_be);

/**
 * Remove a head-end replication remote from a VNI's flood list (control lcore only).
 * @return 0, -ENOENT, -EPERM (the VNI's group: configured, not a list entry), -EBUSY.
 */
int vtep_ctl_flood_del(struct vtep_ctl *c, unsigned int vni_idx, rte_be32_t ip_be);

/** The per-VNI encapsulation parameters workers use now (control lcore only). */
const struct vtep_encap_vni *vtep_ctl_encap_vnis(const struct vtep_ctl *c);

/**
 * Free (NULL is fine). Requests still queued are answered with -ESHUTDOWN; callers of
 * vtep_ctl_call must be gone (vtep_tele_stop) before this.
 */
void vtep_ctl_free(struct vtep_ctl *c);

#endif /* VTEP_CTL_H */
