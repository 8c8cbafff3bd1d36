/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checksum helpers of lib/hdr against DPDK's own: vtep_raw_cksum() equals rte_raw_cksum() for
 * every length 0..300 at every alignment 0..7, for random bytes and for the all-zero and all-ones
 * edge cases; sums of ranges that start at even offsets add up to the sum of the whole.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

#include "test_common.h"
#include "vtep_hdr.h"

static void
test_raw_cksum(void)
{
	static uint8_t buf[512];
	unsigned int bad = 0, n = 0;

	srand(7);
	for (int fill = 0; fill < 3; fill++) {
		for (unsigned int i = 0; i < sizeof(buf); i++)
			buf[i] = fill == 0 ? 0 : fill == 1 ? 0xff : (uint8_t)rand();
		for (unsigned int align = 0; align < 8; align++)
			for (unsigned int len = 0; len <= 300; len++, n++)
				bad += vtep_raw_cksum(buf + align, len) !=
						rte_raw_cksum(buf + align, len);
	}
	CHECKF(bad == 0, "%u of %u sums differ from rte_raw_cksum", bad, n);
}

static void
test_ranges(void)
{
	uint8_t buf[256];
	unsigned int bad = 0;

	srand(11);
	for (unsigned int round = 0; round < 2000; round++) {
		unsigned int len = 1 + rand() % 255, cut = (rand() % (len + 1)) & ~1u;
		uint64_t sum;

		for (unsigned int i = 0; i < len; i++)
			buf[i] = (uint8_t)rand();
		sum = vtep_cksum_add(buf, cut, 0);
		sum = vtep_cksum_add(buf + cut, len - cut, sum);
		bad += vtep_cksum_fold(sum) != rte_raw_cksum(buf, len);
	}
	CHECKF(bad == 0, "%u split sums differ", bad);
	/* Folding: 0 stays 0, multiples of 0xffff fold to 0xffff, big sums carry around. */
	CHECK(vtep_cksum_fold(0) == 0);
	CHECK(vtep_cksum_fold(0xffff) == 0xffff);
	CHECK(vtep_cksum_fold(0x1fffe) == 0xffff);
	CHECK(vtep_cksum_fold(0x10000) == 1);
	CHECK(vtep_cksum_fold(UINT64_MAX) == 0xffff);
	CHECK(vtep_cksum_fold(0xffffffffull * 3) == 0xffff);
}

int
main(void)
{
	vtep_test_eal_init("hdr", NULL);
	test_raw_cksum();
	test_ranges();
	return vtep_test_done("hdr");
}
