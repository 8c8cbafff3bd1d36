/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the files of lib/cp/ctl share (not part of the module's contract, vtep_ctl.h): the
 * control lcore's state. vtep_ctl.c runs the loop (learn events, control frames, timers, the
 * mailbox); vtep_ctl_fdb.c holds the table operations (`bridge fdb` changes, flush, flood lists,
 * learning, ageing).
 */
#ifndef VTEP_CTL_INT_H
#define VTEP_CTL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "vtep_ctl.h"
#include "vtep_log.h"
#include "vtep_neigh.h"
#include "vtep_rate.h"

/* The module's log type (vtep_ctl.c registers it). */
extern int vtep_logtype_ctl;
#define CTL_LOG(level, ...) VTEP_LOG(ctl, level, __VA_ARGS__)

/* Events and frames taken from one ring per pass. */
#define CTL_BURST 64
/* A caller of vtep_ctl_call looks for its answer this often, in us. */
#define CALL_POLL_US 100
/* Longest wait of a flood-list change for workers to leave the list before the last, in us. */
#define FLOOD_GRACE_US 100000

/* States of a mailbox request: the caller and the control lcore each own it in turn. */
enum {
	MSG_QUEUED,    /* posted; the caller waits */
	MSG_DONE,      /* answered; the caller frees it */
	MSG_ABANDONED, /* the caller timed out; the control lcore frees it */
};

/* One vtep_ctl_call request, allocated by the caller. */
struct ctl_msg {
	vtep_ctl_fn fn;
	uint32_t state;
	int rc;
	uint64_t arg[]; /* the caller's argument, copied in and out */
};

struct vtep_ctl {
	struct vtep_runtime *rt;
	struct vtep_lcore_stats *st;      /* the control lcore's counter block */
	struct vtep_txq tx;               /* the underlay port's ring */
	uint8_t link_up[VTEP_MAX_PORTS];  /* each port's link as links() last saw it */
	uint8_t admin_up[VTEP_MAX_PORTS]; /* `link set dev PORT up|down` */
	uint64_t hz;
	uint64_t next_age;   /* TSC of the next FDB ageing pass */
	uint64_t next_timer; /* TSC of the next ARP/IGMP timer pass */
	unsigned int nb_out; /* frames waiting in out */
	struct rte_mbuf *out[CTL_BURST * 2];
	struct vtep_neigh neigh;
	struct vtep_igmp igmp;
	struct rte_ring *mailbox;       /* MP/SC: struct ctl_msg from other threads */
	struct vtep_encap_vni *evnis;   /* the per-VNI encap list workers read now */
	struct vtep_encap_vni *spare;   /* the other one, rewritten for the next change */
	uint64_t flood_token;           /* QSBR token of the last flood-list publication */
	bool flood_pending;             /* workers may still read spare */
	vtep_fdb_notify_fn fdb_notify;  /* told of FDB changes (NULL: nobody) */
	void *fdb_arg;                  /* its argument */
	struct vtep_rate log_rate;      /* lines about frozen MACs, on vtep_fdb_now() seconds */
	struct vtep_rate echo_rate;     /* echo replies for the VTEP address (`icmp-rate`) */
	uint64_t log_held;              /* such lines not written since the last one */
	vtep_ctl_flood_fn flood_notify; /* told of flood-list changes (NULL: nobody) */
	void *flood_arg;                /* its argument */
	/* Per remote slot, its counters when it was last handed out (vtep_ctl_remote.c). */
	struct vtep_remote_stats *remote_base;

	vtep_ctl_clock_fn clock; /* the time now, in TSC cycles (rte_rdtsc() but in tests) */
	void *clock_arg;         /* its argument */
	uint64_t next_link;      /* TSC of the next look at the ports' links */
};

/** Apply a local port's link and admin state to its attachments; flush them when down. */
void vtep_ctl_port_state(struct vtep_ctl *c, unsigned int lport);

/** Give a new remote its next hop (resolve it), as learning and start-up do. */
int vtep_ctl_remote_get(struct vtep_ctl *c, rte_be32_t ip_be);

/** The FDB's notifier (set at creation): logs freezes, then tells vtep_ctl_set_notify's user. */
void vtep_ctl_fdb_changed(void *arg, enum vtep_fdb_change what, uint64_t key, rte_be32_t dst_be,
		uint16_t remote, uint8_t flags);

/** A slot was just handed out to a new remote: its counters start from here. */
void vtep_ctl_remote_fresh(struct vtep_ctl *c, int idx);

#endif /* VTEP_CTL_INT_H */
