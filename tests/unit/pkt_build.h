/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crafted packets for unit tests: inner Ethernet/IPv4/UDP frames, VXLAN over them, ARP, an 802.1Q
 * tag, a reference RFC 1071 checksum, and mbufs holding any byte array. Addresses are given as
 * text ("02:00:00:00:00:01", "172.16.91.1").
 */
#ifndef VTEP_PKT_BUILD_H
#define VTEP_PKT_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

/** Parse "aa:bb:..." (aborts the test on bad text). */
struct rte_ether_addr pkt_mac(const char *s);

/** Parse "a.b.c.d" to network order (aborts the test on bad text). */
uint32_t pkt_ip(const char *s);

/**
 * Write an Ethernet/IPv4/UDP frame with payload_size bytes of payload (a counting pattern).
 * IPv4 id 0, TTL 64, DF clear, checksums valid. @return its size.
 */
size_t pkt_inner_udp(uint8_t *buf, const char *dst, const char *src, const char *sip,
		const char *dip, uint16_t sport, uint16_t dport, size_t payload_size);

/** Outer header fields for pkt_vxlan. */
struct pkt_outer {
	const char *dst_mac; /**< Outer destination MAC. */
	const char *src_mac; /**< Outer source MAC. */
	const char *sip;     /**< Outer source address. */
	const char *dip;     /**< Outer destination address. */
	uint16_t sport;      /**< UDP source port. */
	uint16_t dport;      /**< UDP destination port (4789). */
	uint32_t vni;        /**< VNI. */
	uint8_t ttl;         /**< TTL (0 = 64). */
	uint16_t vlan;       /**< 802.1Q tag VID, 0 = untagged. */
};

/**
 * Write VXLAN around inner: outer Ethernet (optional 802.1Q), IPv4 (valid checksum),
 * UDP (checksum 0), VXLAN with the I flag. @return its size.
 */
size_t pkt_vxlan(uint8_t *buf, const struct pkt_outer *o, const uint8_t *inner, size_t inner_size);

/**
 * Write an ARP request (op 1) or reply (op 2). @return its size (42).
 */
size_t pkt_arp(uint8_t *buf, uint16_t op, const char *eth_dst, const char *sha, const char *sip,
		const char *tha, const char *tip);

/**
 * Insert an 802.1Q tag with VLAN id vid after the two MACs of the frame in buf (buf has room for
 * 4 more bytes). @return the new size.
 */
size_t pkt_add_vlan(uint8_t *buf, size_t size, uint16_t vid);

/**
 * RFC 1071 Internet checksum of size bytes (big-endian words, an odd last byte padded with 0),
 * written independently of DPDK's as the tests' reference. @return the one's complement of the
 * sum: 0 over a block whose checksum field is right.
 */
uint16_t pkt_csum(const uint8_t *p, size_t size);

/** Zero the 2-byte checksum field at, then store there pkt_csum(p, size) in network order. */
void pkt_put_csum(uint8_t *at, const uint8_t *p, size_t size);

/** An mbuf holding a copy of buf (single segment). Aborts the test on failure. */
struct rte_mbuf *pkt_mbuf(struct rte_mempool *mp, const uint8_t *buf, size_t size);

/**
 * An mbuf whose data is a malloc'd copy of exactly size bytes (an external buffer), so that ASan
 * reports any read past the frame; in a mempool buffer such a read goes unnoticed.
 */
struct rte_mbuf *pkt_exact_mbuf(struct rte_mempool *mp, const uint8_t *buf, size_t size);

/** Print a hex dump of two buffers' first difference; @return 0 when they are equal. */
int pkt_compare(const uint8_t *got, size_t got_size, const uint8_t *want, size_t want_size);

#endif /* VTEP_PKT_BUILD_H */
