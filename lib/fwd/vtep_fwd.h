/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop: the only place that knows the order of the steps. Run to completion over bursts:
 * RX underlay -> decap -> TX inner, learn and control frames to the control lcore; RX inner ->
 * encap/flood -> TX underlay. No lock, syscall, allocation (but flood copies from the pool) or log
 * per packet.
 */
#ifndef VTEP_FWD_H
#define VTEP_FWD_H

#include "vtep_ctx.h"

/**
 * One pass over the worker's queues (the body of the loop; tests call it directly).
 * @return frames received in this pass.
 */
unsigned int vtep_fwd_poll(struct vtep_worker *w);

/**
 * The lcore entry point (rte_eal_remote_launch): loops vtep_fwd_poll until ctx->quit, reporting
 * a quiescent state each pass. @param arg struct vtep_worker *. @return 0.
 */
int vtep_fwd_main(void *arg);

#endif /* VTEP_FWD_H */
