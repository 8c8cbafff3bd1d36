/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP echo replies for the VTEP address (operators ping VTEPs), on the control lcore.
 * No I/O: the caller passes a received frame and transmits it when it has become the reply.
 */
#ifndef VTEP_ICMP_H
#define VTEP_ICMP_H

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

/**
 * Turn an echo request to local_be into its reply, in place (RFC 792, RFC 1122 3.2.2.6): MACs
 * and addresses swapped (the reply goes back to the MAC it came from, the router for an off-link
 * sender), type 0, TTL 64, identifier, sequence and data kept, checksums recomputed, Ethernet
 * padding trimmed. Untagged or one 802.1Q tag (kept). Anything else is left alone.
 * @return 0 when m is now a reply to send; -EINVAL when it is not a valid echo request to us
 *         (truncated at any length, IP options, fragment, bad IP or ICMP checksum, other type
 *         or code, source 0, broadcast or multicast, multi-segment); the caller still owns m
 *         then and frees it.
 */
int vtep_icmp_echo_reply(
		struct rte_mbuf *m, rte_be32_t local_be, const struct rte_ether_addr *local_mac);

#endif /* VTEP_ICMP_H */
