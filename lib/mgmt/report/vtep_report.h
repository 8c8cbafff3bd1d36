/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepd's report on stdout: every counter, at exit and on SIGUSR1, and a one-line summary every
 * `stats-interval`. The counters come from the lists in vtep_stats.h and vtep_fdb.h, under the
 * names `vtepctl -s stats` prints for /vtep/stats (docs/telemetry.md).
 */
#ifndef VTEP_REPORT_H
#define VTEP_REPORT_H

#include <stdio.h>

#include "vtep_runtime.h"

/**
 * Print every counter as `counter NAME VALUE`, then the FDB as `fdb VNI MAC dst IP KIND` lines,
 * then `end`. Reads the per-lcore counters (they only grow) and the FDB (control lcore only, or
 * once the workers have stopped).
 */
void vtep_report_print(const struct vtep_runtime *rt, FILE *f);

/** Print a one-line summary (rx/tx per side, drops, FDB size), for `stats-interval`. */
void vtep_report_summary(const struct vtep_runtime *rt, FILE *f);

#endif /* VTEP_REPORT_H */
