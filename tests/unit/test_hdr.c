/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checksum helpers of lib/base/hdr against DPDK's own: vtep_raw_cksum() equals rte_raw_cksum() for
 * every length 0..300 at every alignment 0..7, for random bytes and for the all-zero and all-ones
 * edge cases; sums of ranges that start at even offsets add up to the sum of the whole; the seeded
 * IPv4 and UDP checksums that encap uses equal rte_ipv4_cksum() and rte_ipv4_udptcp_cksum() over
 * random headers and frames, including a header checksum of 0 and a UDP checksum computed as 0
 * (sent as 0xffff). The token bucket of vtep_rate.h.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "test_common.h"
#include "vtep_hdr.h"
#include "vtep_rate.h"

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

static uint32_t
rand32(void)
{
	return (uint32_t)rand() << 16 ^ (uint32_t)rand();
}

static void
random_ip(struct rte_ipv4_hdr *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->fragment_offset = rand() % 2 ? RTE_BE16(RTE_IPV4_HDR_DF_FLAG) : 0;
	ip->time_to_live = (uint8_t)rand();
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rand32();
	ip->dst_addr = rand32();
}

/* Seeded header checksum == full checksum; every tenth header is steered to a checksum of 0. */
static void
test_ipv4_seeded(void)
{
	unsigned int bad = 0, zeros = 0;

	srand(13);
	for (unsigned int round = 0; round < 200000; round++) {
		struct rte_ipv4_hdr ip;
		rte_be16_t seed, want;

		random_ip(&ip);
		seed = vtep_ipv4_cksum_seed(&ip);
		ip.total_length = (rte_be16_t)rand();
		ip.type_of_service = (uint8_t)rand();
		ip.packet_id = round % 3 == 0 ? (rte_be16_t)(round % 2 ? 0 : 0xffff)
					      : (rte_be16_t)rand();
		if (round % 10 == 1) {
			/* The id that makes the sum 0xffff, i.e. the checksum 0. */
			ip.packet_id = 0;
			ip.hdr_checksum = 0;
			ip.packet_id = (rte_be16_t)~rte_raw_cksum(&ip, sizeof(ip));
		}
		ip.hdr_checksum = 0;
		want = rte_ipv4_cksum(&ip);
		zeros += want == 0;
		bad += vtep_ipv4_cksum_seeded(seed, ip.total_length, ip.packet_id,
				       ip.type_of_service) != want;
	}
	CHECKF(bad == 0, "%u seeded IPv4 checksums differ", bad);
	CHECKF(zeros >= 20000, "only %u checksums of 0 tried", zeros);
}

/* Seeded UDP checksum of a VXLAN datagram == rte_ipv4_udptcp_cksum over it. */
static void
test_udp_seeded(void)
{
	static uint8_t buf[sizeof(struct rte_ipv4_hdr) + 16 + 300];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	struct rte_vxlan_hdr *vx = (struct rte_vxlan_hdr *)(udp + 1);
	uint8_t *inner = (uint8_t *)(vx + 1);
	unsigned int bad = 0, ones = 0;

	srand(17);
	for (unsigned int round = 0; round < 50000; round++) {
		unsigned int inner_size = 14 + rand() % 287;
		uint16_t seed;
		rte_be16_t want;

		random_ip(ip);
		ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + 16 + inner_size);
		udp->dst_port = rte_cpu_to_be_16(rand() % 2 ? 4789 : (uint16_t)rand());
		vx->vx_flags = RTE_BE32(0x08000000);
		seed = vtep_udp_cksum_seed(ip, udp, vx);
		udp->src_port = (rte_be16_t)rand();
		udp->dgram_len = rte_cpu_to_be_16(16 + inner_size);
		vx->vx_vni = rte_cpu_to_be_32((rand32() & 0xffffff) << 8);
		for (unsigned int i = 0; i < inner_size; i++)
			inner[i] = (uint8_t)rand();
		udp->dgram_cksum = 0;
		if (round % 10 == 1) {
			/* Two inner bytes that make the datagram's sum 0xffff: computed 0. */
			uint16_t w = 0;
			uint32_t sum;

			memcpy(inner, &w, sizeof(w));
			sum = rte_raw_cksum(udp, 16 + inner_size) + rte_ipv4_phdr_cksum(ip, 0);
			w = ~(uint16_t)((sum & 0xffff) + (sum >> 16));
			memcpy(inner, &w, sizeof(w));
		}
		want = rte_ipv4_udptcp_cksum(ip, udp);
		ones += want == 0xffff;
		bad += vtep_udp_cksum_seeded(seed, udp->dgram_len, udp->src_port, vx->vx_vni,
				       vtep_cksum_add(inner, inner_size, 0)) != want;
	}
	CHECKF(bad == 0, "%u seeded UDP checksums differ", bad);
	CHECKF(ones >= 5000, "only %u checksums computed as 0 tried", ones);
}

/* The builtin byte swaps and CRC32-C steps give DPDK's values. */
static void
test_swaps_crc(void)
{
	unsigned int bad = 0;

	srand(11);
	for (unsigned int i = 0; i < 100000; i++) {
		uint64_t v = (uint64_t)rand() << 40 ^ (uint64_t)rand() << 20 ^ (uint64_t)rand();
		uint32_t init = (uint32_t)rand() ^ (uint32_t)rand() << 16;

		bad += vtep_be_to_cpu_16((rte_be16_t)v) != rte_be_to_cpu_16((rte_be16_t)v);
		bad += vtep_cpu_to_be_16((uint16_t)v) != rte_cpu_to_be_16((uint16_t)v);
		bad += vtep_be_to_cpu_32((rte_be32_t)v) != rte_be_to_cpu_32((rte_be32_t)v);
		bad += vtep_cpu_to_be_32((uint32_t)v) != rte_cpu_to_be_32((uint32_t)v);
		bad += vtep_be_to_cpu_64((rte_be64_t)v) != rte_be_to_cpu_64((rte_be64_t)v);
		bad += vtep_crc32c_4byte((uint32_t)v, init) != rte_hash_crc_4byte((uint32_t)v, init);
		bad += vtep_crc32c_8byte(v, init) != rte_hash_crc_8byte(v, init);
		bad += vtep_crc32c_8byte(v, 0) != rte_hash_crc(&v, sizeof(v), 0);
	}
	CHECKF(bad == 0, "%u values differ from DPDK's", bad);
}

/* The token bucket of vtep_rate.h, on a clock of whole seconds and on a TSC-like one. */
static void
test_rate(void)
{
	struct vtep_rate r;
	unsigned int n = 0;

	/* Unlimited: zeroed memory, and rate 0. */
	memset(&r, 0, sizeof(r));
	CHECK(vtep_rate_take(&r, 0, 1000000));
	vtep_rate_init(&r, 0, 5, 1, 0);
	CHECK(vtep_rate_take(&r, 0, 1000000));
	/* 10 a second in whole seconds, burst = rate: 10 now, none more this second. */
	vtep_rate_init(&r, 10, 0, 1, 100);
	while (vtep_rate_take(&r, 100, 1))
		n++;
	CHECKF(n == 10, "%u tokens at once", n);
	/* A second later 10 more; a clock going back gives none. */
	CHECK(!vtep_rate_take(&r, 99, 1));
	for (n = 0; vtep_rate_take(&r, 101, 1);)
		n++;
	CHECKF(n == 10, "%u tokens in the next second", n);
	/* A long pause fills the bucket only up to the burst. */
	for (n = 0; vtep_rate_take(&r, 1000000, 1);)
		n++;
	CHECKF(n == 10, "%u tokens after a long pause", n);
	/* Several at once: all or none. */
	vtep_rate_init(&r, 10, 64, 1, 0);
	CHECK(vtep_rate_take(&r, 0, 60) && !vtep_rate_take(&r, 0, 5) && vtep_rate_take(&r, 0, 4));
	CHECK(!vtep_rate_take(&r, 0, 1));
	/* A TSC at 2.5 GHz, 100 a second: one token every 25,000,000 ticks. */
	vtep_rate_init(&r, 100, 100, 2500000000ull, 7);
	for (n = 0; vtep_rate_take(&r, 7, 1);)
		n++;
	CHECK(n == 100);
	CHECK(!vtep_rate_take(&r, 7 + 24999999, 1));
	CHECK(vtep_rate_take(&r, 7 + 25000000, 1) && !vtep_rate_take(&r, 7 + 25000000, 1));
	/* Ten seconds on at most the burst, with no overflow on the way. */
	for (n = 0; vtep_rate_take(&r, 7 + 25000000000ull, 1);)
		n++;
	CHECK(n == 100);
	/* Values above the maximum are cut to it. */
	vtep_rate_init(&r, UINT32_MAX, UINT32_MAX, 1, 0);
	CHECK(r.rate == VTEP_RATE_MAX && r.burst == VTEP_RATE_MAX);
}

int
main(void)
{
	vtep_test_eal_init("hdr", NULL);
	test_raw_cksum();
	test_ranges();
	test_ipv4_seeded();
	test_udp_seeded();
	test_swaps_crc();
	test_rate();
	return vtep_test_done("hdr");
}
