/* SPDX-License-Identifier: BSD-3-Clause */
/* What a fuzz target defines, for libFuzzer and for fuzz_replay.c's main(). */
#ifndef VTEP_FUZZ_REPLAY_H
#define VTEP_FUZZ_REPLAY_H

#include <stddef.h>
#include <stdint.h>

/** One input (libFuzzer's entry point); @return 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Optional one-time set-up before the first input (libFuzzer's convention). */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/** Optional, replay only: after n inputs, print a summary; @return the exit status. */
int vtep_fuzz_replay_done(int n) __attribute__((weak));

#endif /* VTEP_FUZZ_REPLAY_H */
