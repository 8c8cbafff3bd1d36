/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands under /vtep/ (docs/telemetry.md): counters, the FDB, the underlay
 * neighbors, the VNIs and IGMP state, and run-time changes of the FDB, the flood lists, learning
 * and ageing. `dpdk-telemetry.py` and `vtepctl` talk to them over the telemetry socket.
 *
 * The callbacks run on DPDK's telemetry threads, never on the control lcore, while the FDB, the
 * remote table, the flood lists, the ARP and IGMP state have exactly one writer: the control
 * lcore. So every command except /vtep/stats is executed by the control lcore through its
 * mailbox (vtep_ctl_call); the telemetry thread only parses the parameters and formats the
 * answer. /vtep/stats reads the per-lcore counters directly: they are 64-bit values that only
 * grow, safe to read from any thread (vtep_stats.h).
 */
#ifndef VTEP_TELE_H
#define VTEP_TELE_H

#include "vtep_ctl.h"

/** Most entries one /vtep/fdb answer holds; ask again with start=N for the next ones. */
#define VTEP_TELE_FDB_PAGE 128
/** Remote VTEPs in one /vtep/remotes answer (each entry is longer than an FDB entry). */
#define VTEP_TELE_REMOTES_PAGE 48
/** Attachments per /vtep/links answer (the 16 KB limit). */
#define VTEP_TELE_LINKS_PAGE 32

/** FDB events the control lcore keeps for `vtepctl monitor` (a power of two). */
#define VTEP_TELE_MONITOR_SIZE 4096

/** How long a telemetry command waits for the control lcore, in ms. */
#define VTEP_TELE_TIMEOUT_MS 1000

/**
 * Register the /vtep/ commands (once per process) and start serving them through c.
 * Call on the control lcore after vtep_ctl_create.
 * @return 0, or a negative errno from rte_telemetry_register_cmd.
 */
int vtep_tele_init(struct vtep_ctl *c);

/**
 * Stop serving: commands that arrive later answer with an error. Waits (at most 2 s) for the
 * commands in flight, running the control loop meanwhile so that they can finish. Call on the
 * control lcore before vtep_ctl_free; DPDK cannot unregister telemetry commands, so they stay
 * registered and answer "vtepd is stopping".
 */
void vtep_tele_stop(void);

#endif /* VTEP_TELE_H */
