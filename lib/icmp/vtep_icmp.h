/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP echo replies for the VTEP address (operators ping VTEPs), on the control lcore. */
#ifndef VTEP_ICMP_H
#define VTEP_ICMP_H

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

/**
 * Turn an echo request to local_be into its reply, in place (RFC 792): MACs and addresses
 * swapped, type 0, TTL 64, checksums recomputed. Anything else is left alone.
 * @return 0 when m is now a reply to send, -EINVAL when it is not a valid echo request to us
 *         (truncated, fragment, IP options, bad checksum, other type); the caller frees it.
 */
int vtep_icmp_echo_reply(
		struct rte_mbuf *m, rte_be32_t local_be, const struct rte_ether_addr *local_mac);

#endif /* VTEP_ICMP_H */
