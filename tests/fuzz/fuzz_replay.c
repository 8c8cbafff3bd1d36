/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main() of a fuzz target built without libFuzzer: replay the files named on the command
 * line through LLVMFuzzerTestOneInput, as libFuzzer would (LLVMFuzzerInitialize first, where the
 * target has one), then let the target check what must hold after all inputs.
 */
#include <stdint.h>
#include <stdio.h>

#include "fuzz_replay.h"

int
main(int argc, char **argv)
{
	static uint8_t buf[1 << 16];
	int n = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t size;

		if (f == NULL) {
			perror(argv[i]);
			return 1;
		}
		size = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, size);
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "%s: no inputs\n", argv[0]);
		return 1;
	}
	return vtep_fuzz_replay_done != NULL ? vtep_fuzz_replay_done(n) : 0;
}
