/* SPDX-License-Identifier: BSD-3-Clause */
/* The drop list: every reason has a unique, non-empty name and help; sums add up over lcores. */
#include <string.h>

#include "test_common.h"
#include "vtep_stats.h"

int
main(void)
{
	static struct vtep_lcore_stats blocks[3], sum;

	for (unsigned int d = 0; d < VTEP_DROP_MAX; d++) {
		CHECK(strlen(vtep_drop_name(d)) > 0 && strlen(vtep_drop_help(d)) > 0);
		for (unsigned int e = d + 1; e < VTEP_DROP_MAX; e++)
			CHECKF(strcmp(vtep_drop_name(d), vtep_drop_name(e)) != 0, "%s twice",
					vtep_drop_name(d));
	}
	CHECK(strcmp(vtep_drop_name(VTEP_DROP_MAX), "unknown") == 0);
	for (unsigned int b = 0; b < 3; b++) {
		blocks[b].drops[VTEP_DROP_RX_VNI_UNKNOWN] = b + 1;
		blocks[b].underlay_rx = 10 * (b + 1);
		blocks[b].vni[VTEP_MAX_VNIS - 1].decap_pkts = 100;
		blocks[b].total_cycles = 7;
	}
	vtep_stats_sum(&sum, blocks, 3);
	CHECK(sum.drops[VTEP_DROP_RX_VNI_UNKNOWN] == 6);
	CHECK(sum.underlay_rx == 60);
	CHECK(sum.vni[VTEP_MAX_VNIS - 1].decap_pkts == 300);
	CHECK(sum.total_cycles == 21);
	CHECK(sizeof(struct vtep_lcore_stats) % RTE_CACHE_LINE_SIZE == 0);
	return vtep_test_done("stats");
}
