/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One log type per module, `vtepd.<module>` (lib/meson.build names it through
 * RTE_LOG_DEFAULT_LOGTYPE), so `--log-level='vtepd.*:debug'` or `--log-level=vtepd.neigh:debug`
 * work. A module says VTEP_LOG_REGISTER(mod) once and logs with its own small macro over
 * VTEP_LOG; DPDK 22.11 has no RTE_LOG_LINE.
 */
#ifndef VTEP_LOG_H
#define VTEP_LOG_H

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_log.h>

/** Define the module's log type vtep_logtype_<mod>, level INFO by default. */
#define VTEP_LOG_REGISTER(mod) RTE_LOG_REGISTER_DEFAULT(vtep_logtype_##mod, INFO)

/** Log one line (the format ends with \n) of module mod at level (ERR, WARNING, INFO, DEBUG). */
#define VTEP_LOG(mod, level, ...)                                                                  \
	rte_log(RTE_LOG_##level, vtep_logtype_##mod, "vtepd." #mod ": " __VA_ARGS__)

/**
 * Fast path: DEBUG only, and at most one line a second per call site and lcore. Costs one
 * rte_log_can_log() test when the module's level is below DEBUG.
 */
#define VTEP_LOG_DP(mod, ...)                                                                      \
	do {                                                                                       \
		static __thread uint64_t vtep_log_next_;                                           \
		if (unlikely(rte_log_can_log(vtep_logtype_##mod, RTE_LOG_DEBUG))) {                \
			uint64_t vtep_log_now_ = rte_rdtsc();                                      \
			if (vtep_log_now_ >= vtep_log_next_) {                                     \
				vtep_log_next_ = vtep_log_now_ + rte_get_tsc_hz();                 \
				VTEP_LOG(mod, DEBUG, __VA_ARGS__);                                 \
			}                                                                          \
		}                                                                                  \
	} while (0)

#endif /* VTEP_LOG_H */
