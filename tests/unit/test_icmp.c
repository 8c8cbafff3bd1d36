/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP echo for the VTEP address (RFC 792): a request becomes, in place, exactly the reply built
 * here independently (checksums by pkt_csum, a plain RFC 1071 sum, not DPDK's); Ethernet padding
 * is trimmed; an 802.1Q tag is kept; anything else (not for us, other types, fragments, options,
 * bad checksums, every truncation) is refused untouched, and no mbuf is lost.
 */
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_icmp.h"

#define LOCAL "172.16.91.129"
#define LOCAL_MAC "02:00:00:00:91:81"
#define PEER "172.16.91.128"
#define PEER_MAC "02:00:00:00:91:80"

static struct rte_mempool *pool;
static struct rte_ether_addr local_mac;

/* Fields of an echo frame. */
struct echo {
	const char *dst_mac, *src_mac, *sip, *dip;
	uint8_t type, ttl;
	uint16_t frag;       /* flags and offset, host order */
	size_t payload_size; /* counting pattern from 0x30 */
	size_t frame_size;   /* 0: exact; else zero-padded to this size */
};

/* Write Ethernet/IPv4 (id 0x1234, TOS 0x10)/ICMP echo (id 0xbeef, seq 7). @return its size. */
static size_t
echo_frame(uint8_t *buf, const struct echo *e)
{
	size_t ip_size = 20 + 8 + e->payload_size, size = 14 + ip_size;
	uint8_t *ip = buf + 14, *icmp = ip + 20;
	struct rte_ether_addr d = pkt_mac(e->dst_mac), s = pkt_mac(e->src_mac);
	uint32_t sip = pkt_ip(e->sip), dip = pkt_ip(e->dip);

	memset(buf, 0, e->frame_size > size ? e->frame_size : size);
	memcpy(buf, &d, 6);
	memcpy(buf + 6, &s, 6);
	buf[12] = 0x08;
	ip[0] = 0x45;
	ip[1] = 0x10;
	ip[2] = ip_size >> 8;
	ip[3] = ip_size & 0xff;
	ip[4] = 0x12;
	ip[5] = 0x34;
	ip[6] = e->frag >> 8;
	ip[7] = e->frag & 0xff;
	ip[8] = e->ttl;
	ip[9] = IPPROTO_ICMP;
	memcpy(ip + 12, &sip, 4);
	memcpy(ip + 16, &dip, 4);
	pkt_put_csum(ip + 10, ip, 20);
	icmp[0] = e->type;
	icmp[4] = 0xbe;
	icmp[5] = 0xef;
	icmp[7] = 7;
	for (size_t i = 0; i < e->payload_size; i++)
		icmp[8 + i] = (uint8_t)(0x30 + i);
	pkt_put_csum(icmp + 2, icmp, 8 + e->payload_size);
	return e->frame_size > size ? e->frame_size : size;
}

static const struct echo request = {
		.dst_mac = LOCAL_MAC,
		.src_mac = PEER_MAC,
		.sip = PEER,
		.dip = LOCAL,
		.type = RTE_IP_ICMP_ECHO_REQUEST,
		.ttl = 63,
};

static const struct echo reply = {
		.dst_mac = PEER_MAC,
		.src_mac = LOCAL_MAC,
		.sip = LOCAL,
		.dip = PEER,
		.type = RTE_IP_ICMP_ECHO_REPLY,
		.ttl = 64,
};

/* A request of payload_size (padded to frame_size) gets exactly the reply built here. */
static void
check_reply(size_t payload_size, size_t frame_size, uint16_t frag)
{
	struct echo rq = request, rp = reply;
	uint8_t in[2048], want[2048];
	size_t in_size, want_size;
	struct rte_mbuf *m;
	const uint8_t *got;

	rq.payload_size = rp.payload_size = payload_size;
	rq.frame_size = frame_size;
	rq.frag = rp.frag = frag;
	in_size = echo_frame(in, &rq);
	want_size = echo_frame(want, &rp);
	m = pkt_mbuf(pool, in, in_size);
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	CHECKF(vtep_icmp_echo_reply(m, pkt_ip(LOCAL), &local_mac) == 0, "payload %zu frame %zu",
			payload_size, frame_size);
	got = rte_pktmbuf_mtod(m, const uint8_t *);
	CHECKF(pkt_compare(got, rte_pktmbuf_data_len(m), want, want_size) == 0,
			"payload %zu frame %zu", payload_size, frame_size);
	CHECK(rte_pktmbuf_pkt_len(m) == want_size);
	/* Both checksums verify (over the reply's own bytes, odd sizes included). */
	CHECK(pkt_csum(got + 14, 20) == 0);
	CHECK(pkt_csum(got + 34, 8 + payload_size) == 0);
	CHECK(m->ol_flags == 0);
	rte_pktmbuf_free(m);
}

/* A tagged request: the reply keeps the tag; padding after the tag's frame is trimmed too. */
static void
check_tagged_reply(size_t payload_size, size_t frame_size)
{
	struct echo rq = request, rp = reply;
	uint8_t in[2048], want[2048];
	size_t in_size, want_size;
	struct rte_mbuf *m;

	rq.payload_size = rp.payload_size = payload_size;
	rq.frame_size = frame_size;
	in_size = pkt_add_vlan(in, echo_frame(in, &rq), 100);
	want_size = pkt_add_vlan(want, echo_frame(want, &rp), 100);
	m = pkt_mbuf(pool, in, in_size);
	CHECKF(vtep_icmp_echo_reply(m, pkt_ip(LOCAL), &local_mac) == 0, "tagged, payload %zu",
			payload_size);
	CHECKF(pkt_compare(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), want,
			       want_size) == 0,
			"tagged, payload %zu frame %zu", payload_size, frame_size);
	rte_pktmbuf_free(m);
}

static void
test_reply(void)
{
	static const size_t sizes[] = {0, 1, 2, 3, 17, 56, 1000, 1472};

	for (unsigned int i = 0; i < RTE_DIM(sizes); i++)
		check_reply(sizes[i], 0, 0);
	/* DF set: kept. */
	check_reply(56, 0, 0x4000);
	/* Short requests padded to the 60-byte minimum: the padding is not echoed. */
	check_reply(0, 60, 0);
	check_reply(4, 60, 0);
	check_reply(17, 64, 0);
	check_tagged_reply(56, 0);
	check_tagged_reply(2, 60);
}

/* A frame vtep_icmp_echo_reply() must refuse, and leave as it was. */
static void
check_refused(const uint8_t *buf, size_t size, const char *what)
{
	struct rte_mbuf *m = pkt_mbuf(pool, buf, size);

	CHECKF(vtep_icmp_echo_reply(m, pkt_ip(LOCAL), &local_mac) == -EINVAL, "%s", what);
	CHECKF(rte_pktmbuf_data_len(m) == size &&
					pkt_compare(rte_pktmbuf_mtod(m, const uint8_t *), size, buf,
							size) == 0,
			"%s: frame changed", what);
	rte_pktmbuf_free(m);
}

static void
test_refused(void)
{
	struct echo e = request;
	uint8_t buf[256], bad[256];
	size_t size;
	char what[64];

	e.payload_size = 56;
	size = echo_frame(buf, &e);

	/* Not for us (another host, broadcast, a group). */
	e.dip = "172.16.91.130";
	check_refused(bad, echo_frame(bad, &e), "other destination");
	e.dip = "172.16.91.255";
	check_refused(bad, echo_frame(bad, &e), "subnet broadcast");
	e.dip = "224.0.0.1";
	check_refused(bad, echo_frame(bad, &e), "all-hosts");
	e.dip = LOCAL;
	/* Sources a reply cannot go to (RFC 1122 3.2.2.6, 3.2.1.3). */
	e.sip = "0.0.0.0";
	check_refused(bad, echo_frame(bad, &e), "source 0");
	e.sip = "255.255.255.255";
	check_refused(bad, echo_frame(bad, &e), "source broadcast");
	e.sip = "239.1.1.1";
	check_refused(bad, echo_frame(bad, &e), "source multicast");
	e.sip = PEER;
	/* An echo reply, and other types. */
	e.type = RTE_IP_ICMP_ECHO_REPLY;
	check_refused(bad, echo_frame(bad, &e), "echo reply");
	e.type = 13; /* timestamp */
	check_refused(bad, echo_frame(bad, &e), "timestamp");
	e.type = RTE_IP_ICMP_ECHO_REQUEST;
	/* Fragments: first (MF), middle, last (offset only). */
	e.frag = 0x2000;
	check_refused(bad, echo_frame(bad, &e), "first fragment");
	e.frag = 0x2000 | 185;
	check_refused(bad, echo_frame(bad, &e), "middle fragment");
	e.frag = 185;
	check_refused(bad, echo_frame(bad, &e), "last fragment");
	e.frag = 0;
	/* Bad checksums: ICMP, IP. */
	memcpy(bad, buf, size);
	bad[34 + 2] ^= 0x01;
	check_refused(bad, size, "bad ICMP checksum");
	memcpy(bad, buf, size);
	bad[34 + 8 + 10] ^= 0x40; /* payload changed, checksum not */
	check_refused(bad, size, "payload corrupted");
	memcpy(bad, buf, size);
	bad[14 + 10] ^= 0x01;
	check_refused(bad, size, "bad IP checksum");
	/* Code not 0 (checksum fixed up so only the code is wrong). */
	memcpy(bad, buf, size);
	bad[34 + 1] = 1;
	pkt_put_csum(bad + 34 + 2, bad + 34, 8 + 56);
	check_refused(bad, size, "code 1");
	/* Not IPv4 / not ICMP / IP options / version 6. */
	memcpy(bad, buf, size);
	bad[12] = 0x86;
	bad[13] = 0xdd;
	check_refused(bad, size, "ethertype IPv6");
	memcpy(bad, buf, size);
	bad[14 + 9] = IPPROTO_UDP;
	check_refused(bad, size, "UDP");
	memcpy(bad, buf, size);
	bad[14] = 0x46;
	check_refused(bad, size, "IHL 6");
	memcpy(bad, buf, size);
	bad[14] = 0x65;
	check_refused(bad, size, "version 6");
	/* IP total length beyond the frame, and too short for ICMP. */
	memcpy(bad, buf, size);
	bad[14 + 3] += 1;
	check_refused(bad, size, "total length + 1");
	memcpy(bad, buf, size);
	bad[14 + 2] = 0;
	bad[14 + 3] = 27;
	check_refused(bad, size, "total length 27");
	/* Truncated at every length. */
	for (size_t n = 0; n < size; n++) {
		snprintf(what, sizeof(what), "truncated to %zu", n);
		check_refused(buf, n, what);
	}
	/* Tagged and truncated at every length; two tags (QinQ) are not understood. */
	memcpy(bad, buf, size);
	{
		size_t tagged_size = pkt_add_vlan(bad, size, 100);
		uint8_t qinq[256];

		for (size_t n = 0; n < tagged_size; n++) {
			snprintf(what, sizeof(what), "tagged, truncated to %zu", n);
			check_refused(bad, n, what);
		}
		memcpy(qinq, bad, tagged_size);
		check_refused(qinq, pkt_add_vlan(qinq, tagged_size, 100), "two tags");
	}
	/* Two segments: refused (the reply is built in place in one buffer). */
	{
		struct rte_mbuf *m = pkt_mbuf(pool, buf, 34),
				*m2 = pkt_mbuf(pool, buf + 34, size - 34);

		CHECK(rte_pktmbuf_chain(m, m2) == 0);
		CHECK(vtep_icmp_echo_reply(m, pkt_ip(LOCAL), &local_mac) == -EINVAL);
		rte_pktmbuf_free(m);
	}
}

int
main(void)
{
	unsigned int in_use;

	vtep_test_eal_init("icmp", NULL);
	pool = vtep_test_pool();
	local_mac = pkt_mac(LOCAL_MAC);
	in_use = rte_mempool_in_use_count(pool);
	test_reply();
	test_refused();
	CHECKF(rte_mempool_in_use_count(pool) == in_use, "mbufs in use %u, before %u",
			rte_mempool_in_use_count(pool), in_use);
	return vtep_test_done("icmp");
}
