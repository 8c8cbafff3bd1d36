/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the control plane's wire input: any bytes go through the classifier as an
 * underlay frame would, and what it hands to the control lcore goes to the ARP, IGMP or ICMP
 * handler exactly as vtep_ctl does it, in an mbuf whose buffer is exactly the frame (so
 * AddressSanitizer sees any read past the end). The handlers' state lives across inputs, like a
 * long-running vtepd's, and the clock advances by a value the input chooses, so timers, queries
 * and replies interleave. Built for libFuzzer with -Dfuzz=true; otherwise fuzz_replay.c replays
 * the files given on the command line (tests/fuzz/regress_ctl) as an ordinary test.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "fuzz_replay.h"
#include "pkt_build.h"
#include "test_common.h"
#include "vtep_neigh.h"
#include "vtep_icmp.h"
#include "vtep_igmp.h"
#include "vtep_parse.h"


#define HZ 1000000ull
#define LOCAL_BE RTE_BE32(0xac105b81)  /* 172.16.91.129 */
#define GROUP_BE RTE_BE32(0xef010101)  /* 239.1.1.1 */
#define REMOTE_BE RTE_BE32(0xac105b80) /* 172.16.91.128 */

static struct rte_mempool *pool;
static struct vtep_parse_ctx pctx;
static struct vtep_neigh arp;
static struct vtep_igmp igmp;
static uint64_t now = 1000 * HZ;
static unsigned int echo_replies;
static unsigned int replay_in_use; /* mbufs in use after init() */

static void
init(void)
{
	struct rte_ether_addr mac = {{0x02, 0, 0, 0, 0x91, 0x81}};
	struct rte_mbuf *out[8];
	unsigned int nb = 0;

	vtep_test_eal_init("fuzz_ctl", "--log-level=*:crit", NULL);
	pool = rte_pktmbuf_pool_create("fuzz_ctl", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL)
		abort();
	vtep_parse_ctx_init(&pctx, LOCAL_BE, &mac, 4789);
	vtep_parse_add_vni(&pctx, 42, 0, GROUP_BE);
	vtep_neigh_init(&arp, &(struct vtep_neigh_params){.local_be = LOCAL_BE,
				    .local_mac = mac,
				    .prefix_len = 24,
				    .pool = pool,
				    .hz = HZ});
	vtep_igmp_init(&igmp, &(struct vtep_igmp_params){.local_be = LOCAL_BE,
				      .local_mac = mac,
				      .pool = pool,
				      .version = 3,
				      .hz = HZ,
				      .seed = 1});
	vtep_igmp_join(&igmp, GROUP_BE, now, out, &nb);
	vtep_neigh_resolve(&arp, REMOTE_BE, now, out, &nb); /* out is the array, nb its count */
	rte_pktmbuf_free_bulk(out, nb);
}

/*
 * Make the ICMP or IGMP checksum (both at offset 2 of the message, over all of the IP payload)
 * right, so that the fuzzer gets past it to the fields behind it. The IP header checksum needs
 * no help: the NIC verdict "good" in byte 0 skips it.
 */
static void
fix_l4_checksum(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), off, ihl, total;
	struct rte_ipv4_hdr *ip;
	uint16_t sum;

	off = vtep_l3_offset(p, len, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	if (off == 0 || len < off + sizeof(*ip))
		return;
	ip = (struct rte_ipv4_hdr *)(p + off);
	ihl = (ip->version_ihl & 0xf) * 4u;
	total = rte_be_to_cpu_16(ip->total_length);
	if (ihl < sizeof(*ip) || total < ihl + 4 || off + total > len)
		return;
	p += off + ihl;
	p[2] = p[3] = 0;
	sum = (uint16_t)~rte_raw_cksum(p, total - ihl);
	memcpy(p + 2, &sum, sizeof(sum));
}

/* Run the timers as the control lcore does, and drop what they send. */
static void
timers(void)
{
	struct rte_mbuf *out[64];
	unsigned int n;

	n = vtep_neigh_timer(&arp, now, out, RTE_DIM(out));
	rte_pktmbuf_free_bulk(out, n);
	n = vtep_igmp_timer(&igmp, now, out, RTE_DIM(out));
	rte_pktmbuf_free_bulk(out, n);
}

int
LLVMFuzzerInitialize(int *argc __rte_unused, char ***argv __rte_unused)
{
	init();
	replay_in_use = rte_mempool_in_use_count(pool);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vtep_parse_result r;
	struct rte_mbuf *m, *out[1];
	unsigned int nb = 0, in_use = rte_mempool_in_use_count(pool);

	/* Byte 0: checksum flags of the "NIC" (bits 0-2) and "fix the ICMP/IGMP checksum" (bit 3);
	 * byte 1: time that passes before the frame, in steps of 16 ms. */
	if (size < 2 || size - 2 > UINT16_MAX)
		return 0;
	now += (uint64_t)data[1] * (HZ / 1000) * 16;
	m = pkt_exact_mbuf(pool, data + 2, size - 2);
	vtep_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
			rte_pktmbuf_pkt_len(m), data[0] & 7, &pctx, &r);
	if ((data[0] & 8) && (r.kind == VTEP_PARSE_IGMP || r.kind == VTEP_PARSE_ICMP))
		fix_l4_checksum(m);
	switch (r.kind) {
	case VTEP_PARSE_ARP:
		vtep_neigh_input(&arp, m, now, out, &nb);
		break;
	case VTEP_PARSE_IGMP:
		vtep_igmp_input(&igmp, m, now);
		break;
	case VTEP_PARSE_ICMP:
		if (vtep_icmp_echo_reply(m, LOCAL_BE, &pctx.local_mac) == 0) {
			echo_replies++;
			/* The reply must be what the classifier of the asker takes as ICMP. */
			const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
			uint32_t off = vtep_l3_offset(p, rte_pktmbuf_data_len(m),
					RTE_BE16(RTE_ETHER_TYPE_IPV4));
			struct vtep_parse_ctx peer = pctx;
			struct vtep_parse_result rr;

			if (off == 0)
				abort();
			/* The asker: the reply's destination addresses. */
			vtep_parse_ctx_init(&peer,
					((const struct rte_ipv4_hdr *)(p + off))->dst_addr,
					&((const struct rte_ether_hdr *)p)->dst_addr, 4789);
			vtep_parse(p, rte_pktmbuf_data_len(m), rte_pktmbuf_pkt_len(m), 0, &peer, &rr);
			if (rr.kind != VTEP_PARSE_ICMP)
				abort();
		}
		rte_pktmbuf_free(m);
		break;
	default:
		rte_pktmbuf_free(m);
		break;
	}
	rte_pktmbuf_free_bulk(out, nb);
	timers();
	/* Every handler consumed what it was given, and the timers' frames were freed. */
	if (rte_mempool_in_use_count(pool) != in_use)
		abort();
	return 0;
}

int
vtep_fuzz_replay_done(int n)
{
	int rc = 0;

	if (rte_mempool_in_use_count(pool) != replay_in_use) {
		fprintf(stderr, "fuzz_ctl: %u mbufs in use, %u before\n",
				rte_mempool_in_use_count(pool), replay_in_use);
		rc = 1;
	}
	printf("fuzz_ctl: replayed %d inputs: ARP requests answered %" PRIu64 ", replies merged %" PRIu64
	       ", IGMP queries %" PRIu64 ", echo replies %u\n",
			n, arp.c.requests_in, arp.c.replies_in, igmp.c.queries, echo_replies);
	rte_mempool_free(pool);
	vtep_test_eal_cleanup();
	return rc;
}
