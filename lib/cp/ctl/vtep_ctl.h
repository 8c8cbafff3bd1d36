/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control lcore: the single writer of the FDB, the remote table and the flood lists. It
 * drains the workers' learn rings, answers ARP/IGMP/ICMP for the VTEP, resolves the next hops of
 * remote VTEPs, ages the FDB, and runs the table operations (`bridge fdb` changes, flush,
 * learning, ageing) that management asks for through its mailbox. It never touches a worker's
 * queues; what it sends goes through the ports' TX rings, which the owner of queue 0 drains.
 */
#ifndef VTEP_CTL_H
#define VTEP_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtep_igmp.h"
#include "vtep_neigh.h"
#include "vtep_runtime.h"

struct vtep_ctl;

/**
 * Create the control state and do the start-up work: static neighbors, resolution of every
 * remote, gratuitous ARP, IGMP joins.
 * @return the state, or NULL with rte_errno set.
 */
struct vtep_ctl *vtep_ctl_create(struct vtep_runtime *rt);

/** A clock in TSC cycles (rte_get_tsc_hz() per second); vtepd's is rte_rdtsc(). */
typedef uint64_t (*vtep_ctl_clock_fn)(void *arg);

/**
 * vtep_ctl_create on another clock than the TSC, for tests: every protocol timer of the control
 * lcore (ARP retries and refresh, IGMP reports and answers to queries) and the once-a-second
 * ageing pass run on it, so a test decides when they fire instead of the machine's load. The
 * ageing pass still compares vtep_fdb_now() seconds, the clock workers stamp entries with.
 * @param clock Called for the time now; arg is passed to it.
 * @return as vtep_ctl_create.
 */
struct vtep_ctl *vtep_ctl_create_clock(struct vtep_runtime *rt, vtep_ctl_clock_fn clock, void *arg);

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
const struct vtep_neigh *vtep_ctl_neigh(const struct vtep_ctl *c);

/** The IGMP state, for printing. */
const struct vtep_igmp *vtep_ctl_igmp(const struct vtep_ctl *c);

/** The runtime the control lcore works on. */
struct vtep_runtime *vtep_ctl_runtime(struct vtep_ctl *c);

/** How often the control lcore polls the local ports' links (LSC interrupts are not there on
 * every PMD), in ms. */
#define VTEP_CTL_LINK_POLL_MS 100

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

/* Table operations (vtep_ctl_fdb.c): control lcore only; other threads call them through
 * vtep_ctl_call. */

/** A `bridge fdb` change. */
enum vtep_ctl_fdb_op {
	VTEP_CTL_FDB_ADD,     /**< `add`: a new static entry (EEXIST if there is one). */
	VTEP_CTL_FDB_APPEND,  /**< `append`: a flood-list remote (all-zero MAC only). */
	VTEP_CTL_FDB_REPLACE, /**< `replace`: add, or overwrite what is there. */
	VTEP_CTL_FDB_DEL,     /**< `del`. */
};

/**
 * `bridge fdb add|append|replace|del MAC dev vxlan0 dst IP` on VNI index vni_idx: a static
 * entry for a unicast MAC; for the all-zero MAC, the VNI's head-end replication (flood) list.
 * Flood lists change by copy and publish: workers see the new list after one pointer store, and
 * the old one is reused only after every worker has passed a quiescent state.
 * @param dst_be The remote VTEP; with DEL, 0 means whichever it is.
 * @return 0; -EEXIST (add of an existing entry or flood remote), -ENOENT (del of none),
 *   -EOPNOTSUPP (append to a unicast MAC), -EPERM (del of the VNI's group: configuration),
 *   -EINVAL (dst 0, multicast, class E, broadcast or the local address), -ENOSPC (flood list,
 * remote table or FDB full), -EBUSY (workers have not left the previous flood list yet; try again).
 */
int vtep_ctl_fdb_set(struct vtep_ctl *c, enum vtep_ctl_fdb_op op, unsigned int vni_idx,
		const struct rte_ether_addr *mac, rte_be32_t dst_be);

/**
 * `bridge fdb add|replace|del MAC dev PORT [vlan V] master static`: a static local entry of
 * attachment att (its VNI is the attachment's). With DEL, att VTEP_BD_NONE means wherever it is.
 * @return 0; -EEXIST (add of an existing entry), -ENOENT (del of none, or not behind att),
 *   -EOPNOTSUPP (append), -ENOSPC (FDB full), -EINVAL (no such attachment).
 */
int vtep_ctl_fdb_set_local(struct vtep_ctl *c, enum vtep_ctl_fdb_op op,
		const struct rte_ether_addr *mac, uint16_t att);

/** Delete the learned entries behind attachment att (`bridge fdb flush dev PORT`). @return how
 * many. */
unsigned int vtep_ctl_fdb_flush_att(struct vtep_ctl *c, uint16_t att);

/**
 * `ip link set dev PORT down|up` for a local port: down, its attachments get no frames and their
 * learned entries are flushed (as when the link goes down); up, they come back once the link
 * is up too. @return 0, or -EINVAL for a port index out of range.
 */
int vtep_ctl_link_set(struct vtep_ctl *c, unsigned int lport, bool up);

/** Link (as last polled) and admin state of local port lport (control lcore only). */
void vtep_ctl_link_state(const struct vtep_ctl *c, unsigned int lport, bool *link, bool *admin);

/**
 * Delete learned entries (`bridge fdb flush dynamic`): of VNI index vni_idx (-1: all VNIs), and
 * at remote dst_be (0: any). @return how many.
 */
unsigned int vtep_ctl_fdb_flush(struct vtep_ctl *c, int vni_idx, rte_be32_t dst_be);

/** Learning on or off for a VNI (`ip link set vxlan0 type vxlan [no]learning`). */
void vtep_ctl_set_learning(struct vtep_ctl *c, unsigned int vni_idx, bool on);

/** Learning of a VNI now. */
bool vtep_ctl_learning(const struct vtep_ctl *c, unsigned int vni_idx);

/** Ageing of a VNI's learned entries in seconds, 0 = never (`ageing`). */
void vtep_ctl_set_ageing(struct vtep_ctl *c, unsigned int vni_idx, uint32_t ageing);

/**
 * The once-a-second pass (vtep_ctl_poll runs it; tests call it with their own clock): age the
 * FDB's learned entries, release the learned remote VTEPs that no FDB entry, flood list or group
 * names any more (and the neighbor entry behind each, unless static, the gateway or another
 * remote's next hop), and free the released slots that every worker has moved on from.
 * @param now_s vtep_fdb_now() seconds.
 */
void vtep_ctl_age(struct vtep_ctl *c, uint32_t now_s);

/**
 * Release the learned remote VTEPs nothing names any more (vtep_ctl_age's second step).
 * @return remotes released.
 */
unsigned int vtep_ctl_remotes_release(struct vtep_ctl *c);

/**
 * A remote slot's counters when it was last handed out to a remote: what telemetry subtracts, so
 * that a reused slot's counters start from zero (control lcore only).
 */
const struct vtep_remote_stats *vtep_ctl_remote_base(const struct vtep_ctl *c, unsigned int idx);

/** Called on the control lcore after each flood-list change (`bridge monitor fdb` shows them). */
typedef void (*vtep_ctl_flood_fn)(void *arg, bool added, unsigned int vni_idx, rte_be32_t dst_be);

/**
 * Set (or with NULLs clear) who is told of FDB changes (the FDB's notifier) and of flood-list
 * changes: `vtepctl monitor fdb`'s event log.
 */
void vtep_ctl_set_notify(struct vtep_ctl *c, vtep_fdb_notify_fn fdb_fn, vtep_ctl_flood_fn flood_fn,
		void *arg);

/** The per-VNI encapsulation parameters workers use now (control lcore only). */
const struct vtep_encap_vni *vtep_ctl_encap_vnis(const struct vtep_ctl *c);

/**
 * Free (NULL is fine). Requests still queued are answered with -ESHUTDOWN; callers of
 * vtep_ctl_call must be gone (vtep_tele_stop) before this.
 */
void vtep_ctl_free(struct vtep_ctl *c);

#endif /* VTEP_CTL_H */
