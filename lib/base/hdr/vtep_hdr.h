/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wire formats for VXLAN (RFC 7348) over IPv4, and the small helpers that every module needs.
 * DPDK's own header structs are used for the individual layers.
 */
#ifndef VTEP_HDR_H
#define VTEP_HDR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

/*
 * Byte order on the data path. In DPDK 22.11, rte_be_to_cpu_16/32/64 and rte_cpu_to_be_* of a
 * value not known at compile time are volatile inline asm (rte_arch_bswap*; the 16-bit one an
 * xchgb of partial registers), which the compiler can neither schedule nor fold into a load.
 * These give the same values through the compiler's builtins.
 */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
#define VTEP_BE16(x) __builtin_bswap16(x)
#define VTEP_BE32(x) __builtin_bswap32(x)
#define VTEP_BE64(x) __builtin_bswap64(x)
#else
#define VTEP_BE16(x) ((uint16_t)(x))
#define VTEP_BE32(x) ((uint32_t)(x))
#define VTEP_BE64(x) ((uint64_t)(x))
#endif

/** rte_be_to_cpu_16(), without the asm. */
static inline uint16_t
vtep_be_to_cpu_16(rte_be16_t x)
{
	return VTEP_BE16((uint16_t)x);
}

/** rte_cpu_to_be_16(), without the asm. */
static inline rte_be16_t
vtep_cpu_to_be_16(uint16_t x)
{
	return (rte_be16_t)VTEP_BE16(x);
}

/** rte_be_to_cpu_32(), without the asm. */
static inline uint32_t
vtep_be_to_cpu_32(rte_be32_t x)
{
	return VTEP_BE32((uint32_t)x);
}

/** rte_cpu_to_be_32(), without the asm. */
static inline rte_be32_t
vtep_cpu_to_be_32(uint32_t x)
{
	return (rte_be32_t)VTEP_BE32(x);
}

/** rte_be_to_cpu_64(), without the asm. */
static inline uint64_t
vtep_be_to_cpu_64(rte_be64_t x)
{
	return VTEP_BE64((uint64_t)x);
}

/*
 * CRC32-C steps, the values of rte_hash_crc_4byte() and rte_hash_crc_8byte() (the FDB's hash
 * signatures, flow hashes), as the instruction itself where the build has SSE4.2: DPDK's
 * functions test at every call which implementation the CPU has.
 */
#if defined(RTE_ARCH_X86) && defined(__SSE4_2__)
#include <nmmintrin.h>

static inline uint32_t
vtep_crc32c_4byte(uint32_t data, uint32_t init)
{
	return _mm_crc32_u32(init, data);
}

static inline uint32_t
vtep_crc32c_8byte(uint64_t data, uint32_t init)
{
	return (uint32_t)_mm_crc32_u64(init, data);
}
#else
#include <rte_hash_crc.h>

static inline uint32_t
vtep_crc32c_4byte(uint32_t data, uint32_t init)
{
	return rte_hash_crc_4byte(data, init);
}

static inline uint32_t
vtep_crc32c_8byte(uint64_t data, uint32_t init)
{
	return rte_hash_crc_8byte(data, init);
}
#endif

/** IANA-assigned VXLAN UDP port (RFC 7348 section 5). */
#define VTEP_DSTPORT_DEFAULT 4789
/** Largest VNI: the field is 24 bits (RFC 7348 section 5). */
#define VTEP_VNI_MAX 0xffffffu
/** The I flag: the VNI is valid (RFC 7348 section 5). */
#define VTEP_VXLAN_FLAGS_I 0x08u
/** vx_flags on the wire: I set, reserved bits zero (the kernel's vxlan_rcv is as strict). */
#define VTEP_VXLAN_FLAGS_BE RTE_BE32(0x08000000u)

/** Bytes VXLAN over IPv4 adds in front of an inner Ethernet frame: 14 + 20 + 8 + 8. */
#define VTEP_OUTER_SIZE 50u
/** What the overhead costs the inner MTU (the inner Ethernet header rides inside the outer IP). */
#define VTEP_MTU_OVERHEAD 50u

/** The outer headers of a VXLAN frame as encap writes them (no VLAN tag). */
struct vtep_outer_hdr {
	struct rte_ether_hdr eth;   /**< Underlay Ethernet. */
	struct rte_ipv4_hdr ip;     /**< Outer IPv4, IHL 5. */
	struct rte_udp_hdr udp;     /**< Outer UDP, dst = dstport. */
	struct rte_vxlan_hdr vxlan; /**< VXLAN: flags and VNI. */
} __rte_packed;

static_assert(sizeof(struct vtep_outer_hdr) == VTEP_OUTER_SIZE, "outer header is 50 bytes");

/** VNI in host order from a VXLAN header (the low 8 bits of the word are reserved). */
static inline uint32_t
vtep_vxlan_vni(const struct rte_vxlan_hdr *vx)
{
	return vtep_be_to_cpu_32(vx->vx_vni) >> 8;
}

/** VNI in host order to the wire word of a VXLAN header. */
static inline rte_be32_t
vtep_vxlan_vni_be(uint32_t vni)
{
	return vtep_cpu_to_be_32(vni << 8);
}

/** True for an IPv4 multicast address (224.0.0.0/4), in network order. */
static inline bool
vtep_ip_is_multicast(rte_be32_t ip_be)
{
	return (vtep_be_to_cpu_32(ip_be) >> 28) == 0xe;
}

/** The Ethernet address of an IPv4 group: 01:00:5e + the low 23 bits (RFC 1112 section 6.4). */
static inline void
vtep_group_mac(rte_be32_t group_be, struct rte_ether_addr *mac)
{
	uint32_t g = rte_be_to_cpu_32(group_be);

	mac->addr_bytes[0] = 0x01;
	mac->addr_bytes[1] = 0x00;
	mac->addr_bytes[2] = 0x5e;
	mac->addr_bytes[3] = (g >> 16) & 0x7f;
	mac->addr_bytes[4] = (g >> 8) & 0xff;
	mac->addr_bytes[5] = g & 0xff;
}

/**
 * Offset of the layer-3 header of a frame of len bytes: after Ethernet and at most one 802.1Q tag,
 * when the ethertype (after the tag) is type_be; 0 otherwise or when the frame is too short.
 */
static inline uint32_t
vtep_l3_offset(const uint8_t *p, uint32_t len, rte_be16_t type_be)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)p;
	uint32_t off = sizeof(*eth);
	rte_be16_t type;

	if (len < off)
		return 0;
	type = eth->ether_type;
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		if (len < off + sizeof(struct rte_vlan_hdr))
			return 0;
		type = ((const struct rte_vlan_hdr *)(p + off))->eth_proto;
		off += sizeof(struct rte_vlan_hdr);
	}
	return type == type_be ? off : 0;
}

/**
 * Add len bytes at buf to an unfolded Internet checksum sum (RFC 1071), 8 bytes per step with an
 * end-around carry (2^64 and 2^16 are both 1 modulo 0xffff, so a 64-bit one's complement sum folds
 * to the 16-bit one). The sums of several ranges of one datagram may be added, as long as each
 * range starts at an even offset of the datagram; an odd last byte counts as the first byte of a
 * zero-padded word, as in rte_raw_cksum(). sum must be below 2^63; the result is below 2^34, so
 * sums of a few ranges and header words can be added in 64 bits before vtep_cksum_fold().
 */
static __rte_always_inline uint64_t
vtep_cksum_add(const void *buf, size_t len, uint64_t sum)
{
	const uint8_t *p = (const uint8_t *)buf;
	uint64_t acc = 0;

	for (; len >= 8; len -= 8, p += 8) {
		uint64_t v;

		memcpy(&v, p, sizeof(v));
		acc += v;
		acc += acc < v; /* the carry, around: add, then adc 0 */
	}
	sum += (acc & 0xffffffffu) + (acc >> 32);
	if (len >= 4) {
		uint32_t v;

		memcpy(&v, p, sizeof(v));
		sum += v;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t v;

		memcpy(&v, p, sizeof(v));
		sum += v;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		uint16_t v = 0;

		memcpy(&v, p, 1);
		sum += v;
	}
	return sum;
}

/**
 * Fold an unfolded checksum sum to 16 bits, end-around carry: the same value rte_raw_cksum()
 * returns for the same bytes (0 only when the sum is 0, else 1..0xffff).
 */
static inline uint16_t
vtep_cksum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/**
 * rte_raw_cksum() (same result), 8 bytes per step instead of 2. Always inline: with a constant
 * length (a 20-byte IPv4 header) the loop unrolls to three loads.
 */
static __rte_always_inline uint16_t
vtep_raw_cksum(const void *buf, size_t len)
{
	return vtep_cksum_fold(vtep_cksum_add(buf, len, 0));
}

/**
 * Seed of an IPv4 header checksum: the checksum of ip with total_length, packet_id and
 * type_of_service taken as zero. vtep_ipv4_cksum_seeded() adds those fields per packet (RFC 1624
 * incremental update from zero) and gives what rte_ipv4_cksum() gives over the whole header.
 */
static inline rte_be16_t
vtep_ipv4_cksum_seed(const struct rte_ipv4_hdr *ip)
{
	struct rte_ipv4_hdr c = *ip;

	c.total_length = 0;
	c.packet_id = 0;
	c.type_of_service = 0;
	c.hdr_checksum = 0;
	return (rte_be16_t)~vtep_raw_cksum(&c, sizeof(c));
}

/** The IPv4 header checksum from a vtep_ipv4_cksum_seed() and the three per-packet fields. */
static inline rte_be16_t
vtep_ipv4_cksum_seeded(
		rte_be16_t seed, rte_be16_t total_length_be, rte_be16_t packet_id_be, uint8_t tos)
{
	/* ~seed is the seed's sum again (1..0xffff); TOS is the second byte of the first word. */
	uint64_t sum = (uint16_t)~seed;

	sum += total_length_be + packet_id_be + vtep_cpu_to_be_16(tos);
	return (rte_be16_t)~vtep_cksum_fold(sum);
}

/**
 * Seed of the UDP checksum of a VXLAN datagram: the folded sum of what never changes for one
 * remote: the pseudo-header's addresses and protocol (RFC 768), the destination port and the
 * VXLAN flags word.
 */
static inline uint16_t
vtep_udp_cksum_seed(const struct rte_ipv4_hdr *ip, const struct rte_udp_hdr *udp,
		const struct rte_vxlan_hdr *vx)
{
	uint64_t sum = (uint64_t)ip->src_addr + ip->dst_addr + rte_cpu_to_be_16(IPPROTO_UDP) +
			udp->dst_port + vx->vx_flags;

	return vtep_cksum_fold(sum);
}

/**
 * The UDP checksum of a VXLAN datagram from a vtep_udp_cksum_seed(), the per-packet header fields
 * and inner_sum, the vtep_cksum_add() of the inner frame (which starts 16 bytes, an even offset,
 * into the datagram). A computed zero is sent as all ones (RFC 768), as
 * rte_ipv4_udptcp_cksum() does.
 */
static inline rte_be16_t
vtep_udp_cksum_seeded(uint16_t seed, rte_be16_t dgram_len_be, rte_be16_t src_port_be,
		rte_be32_t vni_be, uint64_t inner_sum)
{
	/* The UDP length counts twice: in the pseudo-header and in the UDP header. */
	uint64_t sum = seed + inner_sum + 2 * (uint64_t)dgram_len_be + src_port_be + vni_be;
	uint16_t ck = (uint16_t)~vtep_cksum_fold(sum);

	return ck != 0 ? ck : 0xffff;
}

/**
 * Is the UDP checksum of an IPv4 datagram right (RFC 768)? udp holds the whole datagram of
 * udp_size bytes (its length field's value), whose checksum field is not zero.
 */
static inline bool
vtep_udp4_cksum_ok(rte_be32_t src_be, rte_be32_t dst_be, const void *udp, uint32_t udp_size)
{
	/* The pseudo-header's words in network order, summed like the datagram's. */
	uint64_t sum = (uint64_t)src_be + dst_be + rte_cpu_to_be_16(IPPROTO_UDP) +
			rte_cpu_to_be_16((uint16_t)udp_size);

	return vtep_cksum_fold(vtep_cksum_add(udp, udp_size, sum)) == 0xffff;
}

/** Format an IPv4 address in network order into buf (at least 16 bytes); returns buf. */
static inline const char *
vtep_ip_str(rte_be32_t ip_be, char *buf)
{
	uint32_t a = rte_be_to_cpu_32(ip_be);

	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	return buf;
}

#endif /* VTEP_HDR_H */
