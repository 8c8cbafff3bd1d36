/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "test_common.h"

unsigned int vtep_test_run, vtep_test_failed;
static bool eal_up;
static struct rte_mempool *pool;

void
vtep_test_eal_init(const char *name, ...)
{
	char prefix[128];
	char *argv[32];
	int argc = 0;
	va_list ap;
	char *extra;

	snprintf(prefix, sizeof(prefix), "--file-prefix=vtep_test_%s_%d", name, (int)getpid());
	argv[argc++] = (char *)(uintptr_t)name;
	argv[argc++] = (char *)(uintptr_t)"--no-huge";
	argv[argc++] = (char *)(uintptr_t)"-m";
	argv[argc++] = (char *)(uintptr_t)"256";
	argv[argc++] = (char *)(uintptr_t)"--no-pci";
	argv[argc++] = (char *)(uintptr_t)"--no-telemetry";
	argv[argc++] = (char *)(uintptr_t)"--log-level=*:warning";
	argv[argc++] = prefix;
	va_start(ap, name);
	while ((extra = va_arg(ap, char *)) != NULL && argc < 31)
		argv[argc++] = extra;
	va_end(ap);
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "%s: EAL init failed\n", name);
		exit(1);
	}
	eal_up = true;
}

struct rte_mempool *
vtep_test_pool(void)
{
	if (pool == NULL)
		pool = rte_pktmbuf_pool_create("test_pool", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "cannot create the test mempool\n");
		exit(1);
	}
	return pool;
}

static int
unlink_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
vtep_test_eal_cleanup(void)
{
	char dir[PATH_MAX] = "";

	if (!eal_up)
		return;
	/* EAL leaves its runtime directory behind: a test leaves nothing. */
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	eal_up = false;
	if (dir[0] != '\0')
		nftw(dir, unlink_cb, 8, FTW_DEPTH | FTW_PHYS);
}

int
vtep_test_done(const char *name)
{
	printf("%s: %u checks, %u failed\n", name, vtep_test_run, vtep_test_failed);
	if (pool != NULL)
		rte_mempool_free(pool);
	vtep_test_eal_cleanup();
	return vtep_test_failed == 0 && vtep_test_run > 0 ? 0 : 1;
}
