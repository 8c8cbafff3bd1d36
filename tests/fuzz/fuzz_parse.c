/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the classifier: any bytes, any split between the first segment and the rest,
 * any checksum flags. Built for libFuzzer with -Dfuzz=true; otherwise with fuzz_replay.c, which replays
 * the files given on the command line (tests/fuzz/regress), as an ordinary test. The result must be
 * the one of every check in order (vtep_parse_full): the fast path is checked against it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_replay.h"
#include "vtep_parse.h"


static struct vtep_parse_ctx ctx;

static void
init(void)
{
	static int done;
	struct rte_ether_addr mac = { { 0x02, 0, 0, 0, 0x91, 0x81 } };

	if (done)
		return;
	done = 1;
	vtep_parse_ctx_init(&ctx, RTE_BE32(0xac105b81), &mac, 4789);
	vtep_parse_add_vni(&ctx, 42, 0, RTE_BE32(0xef010101));
	vtep_parse_add_vni(&ctx, 100, 1, 0);
	vtep_parse_set_prefix(&ctx, 24);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vtep_parse_result r, full;
	uint8_t *copy;
	uint32_t hdr;

	init();
	if (size < 2)
		return 0;
	/* The first two bytes choose the contiguous part and the NIC's checksum verdicts. */
	hdr = data[0] % (size - 1);
	copy = malloc(size - 2 ? size - 2 : 1);
	memcpy(copy, data + 2, size - 2);
	vtep_parse(copy, hdr, size - 2, data[1] & 15, &ctx, &r);
	if (r.kind == VTEP_PARSE_VXLAN && (r.inner_off + r.inner_size > size - 2 ||
				r.inner_off + 14u > hdr))
		abort();
	if (r.kind == VTEP_PARSE_DROP && r.drop >= VTEP_DROP_MAX)
		abort();
	/* The fast path decides nothing that every check in order would decide otherwise. */
	vtep_parse_full(copy, hdr, size - 2, data[1] & 15, &ctx, &full);
	if (r.kind != full.kind || (r.kind == VTEP_PARSE_DROP && r.drop != full.drop) ||
			(r.kind == VTEP_PARSE_VXLAN &&
					(r.vni_idx != full.vni_idx || r.inner_off != full.inner_off ||
							r.inner_size != full.inner_size ||
							r.src_be != full.src_be || r.ecn != full.ecn ||
							r.udp_unchecked != full.udp_unchecked)))
		abort();
	free(copy);
	return 0;
}

int
vtep_fuzz_replay_done(int n)
{
	printf("fuzz_parse: replayed %d inputs\n", n);
	return 0;
}
