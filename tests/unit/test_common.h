/* SPDX-License-Identifier: BSD-3-Clause */
/* The little that every unit test shares: EAL start-up without hugepages, and checks that count. */
#ifndef VTEP_TEST_COMMON_H
#define VTEP_TEST_COMMON_H

#include <stdio.h>

#include <rte_mempool.h>

/** Checks run and failed in this binary. */
extern unsigned int vtep_test_run, vtep_test_failed;

/** Record one check; print the failing expression with its place. */
#define CHECK(cond)                                                                              \
	do {                                                                                     \
		vtep_test_run++;                                                                 \
		if (!(cond)) {                                                                   \
			vtep_test_failed++;                                                      \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
		}                                                                                \
	} while (0)

/** Like CHECK, with a printf-style explanation on failure. */
#define CHECKF(cond, ...)                                                                        \
	do {                                                                                     \
		vtep_test_run++;                                                                 \
		if (!(cond)) {                                                                   \
			vtep_test_failed++;                                                      \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
			fprintf(stderr, __VA_ARGS__);                                            \
			fputc('\n', stderr);                                                     \
		}                                                                                \
	} while (0)

/**
 * Start EAL for a unit test: --no-huge -m 256 --no-pci, its own --file-prefix, quiet logs.
 * Extra EAL words (e.g. "--vdev=net_ring0") may follow, NULL-terminated. Exits on failure.
 */
void vtep_test_eal_init(const char *name, ...);

/** A mempool for tests (8191 mbufs of the default size), created once. */
struct rte_mempool *vtep_test_pool(void);

/** rte_eal_cleanup() and remove EAL's runtime directory (nothing is left in /var/run/dpdk). */
void vtep_test_eal_cleanup(void);

/** Print "name: N checks, N failed", clean up EAL, and return the exit status for main(). */
int vtep_test_done(const char *name);

#endif /* VTEP_TEST_COMMON_H */
