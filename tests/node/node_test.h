/* SPDX-License-Identifier: BSD-3-Clause */
/* Checks that count, for the node-side unit tests (no EAL: lib/node has no DPDK). */
#ifndef VTEP_NODE_TEST_H
#define VTEP_NODE_TEST_H

#include <stdio.h>

static unsigned int node_test_run, node_test_failed;

/** Record one check; print the failing expression with its place. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		node_test_run++;                                                                   \
		if (!(cond)) {                                                                     \
			node_test_failed++;                                                        \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
		}                                                                                  \
	} while (0)

/** Print "name: N checks, N failed"; @return the exit status for main(). */
static inline int
node_test_done(const char *name)
{
	printf("%s: %u checks, %u failed\n", name, node_test_run, node_test_failed);
	return node_test_failed == 0 && node_test_run > 0 ? 0 : 1;
}

#endif /* VTEP_NODE_TEST_H */
