/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/shared/capture without lcores: nothing is copied while off; the port and VNI filters (underlay
 * frames by their VXLAN header, with and without a VLAN tag; inner ports by their VNI); the
 * originals are untouched; a full ring is counted, not waited on; count stops the capture; the
 * file is pcapng that libpcap reads back; every error of start and stop.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_capture.h"

static struct rte_mbuf *
vxlan_frame(uint32_t vni, uint16_t dport, uint16_t vlan, uint8_t *bytes, size_t *size)
{
	uint8_t inner[128];
	size_t n = pkt_inner_udp(inner, "02:00:00:00:00:02", "02:00:00:00:00:01", "10.0.0.1",
			"10.0.0.2", 1024, 5001, 22);
	struct pkt_outer o = {.dst_mac = "02:00:00:00:91:81",
			.src_mac = "02:00:00:00:91:01",
			.sip = "172.16.91.1",
			.dip = "172.16.91.129",
			.sport = 49152,
			.dport = dport,
			.vni = vni,
			.vlan = vlan};

	*size = pkt_vxlan(bytes, &o, inner, n);
	return pkt_mbuf(vtep_test_pool(), bytes, *size);
}

/* Captured and original length of the first frame of a file; -1 if unreadable. */
static int
first_lengths(const char *path, uint32_t *caplen, uint32_t *len)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *b;
	int rc = -1;

	if (p == NULL)
		return -1;
	if (pcap_next_ex(p, &h, &b) == 1) {
		*caplen = h->caplen;
		*len = h->len;
		rc = 0;
	}
	pcap_close(p);
	return rc;
}

/* Frames in a capture file whose VXLAN VNI (at the untagged offset) is vni; -1 if unreadable. */
static int
file_frames(const char *path, uint32_t vni, int *matching)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *b;
	int n = 0;

	if (p == NULL) {
		fprintf(stderr, "%s: %s\n", path, err);
		return -1;
	}
	*matching = 0;
	while (pcap_next_ex(p, &h, &b) == 1) {
		n++;
		if (h->caplen >= 50 && ((uint32_t)b[46] << 16 | b[47] << 8 | b[48]) == vni)
			(*matching)++;
	}
	pcap_close(p);
	return n;
}

static void
test_filters(struct vtep_capture *cap, const char *path)
{
	struct vtep_capture_filter f = {
			.dev = VTEP_CAPTURE_UNDERLAY, .has_vni = true, .vni_idx = 1};
	struct rte_mbuf *m[8];
	struct vtep_capture_status st;
	uint8_t bytes[8][256], before[256];
	size_t size[8];
	char err[128];
	int matching;

	m[0] = vxlan_frame(42, 4789, 0, bytes[0], &size[0]);
	m[1] = vxlan_frame(43, 4789, 0, bytes[1], &size[1]);
	m[2] = vxlan_frame(43, 4789, 7, bytes[2], &size[2]);
	m[3] = vxlan_frame(43, 4790, 0, bytes[3], &size[3]); /* not VXLAN: another port */
	size[4] = pkt_arp(bytes[4], 1, "ff:ff:ff:ff:ff:ff", "02:00:00:00:91:01", "172.16.91.1",
			"00:00:00:00:00:00", "172.16.91.129");
	m[4] = pkt_mbuf(vtep_test_pool(), bytes[4], size[4]);
	m[5] = vxlan_frame(43, 4789, 0, bytes[5], &size[5]);
	memcpy(before, bytes[1], size[1]);

	/* Off: nothing copied. */
	vtep_capture_burst(cap, 0, 0, 0, -1, m, 6, RTE_PCAPNG_DIRECTION_IN);
	CHECK(vtep_capture_poll(cap) == 0);
	CHECK(cap->w[0].copied == 0);

	CHECK(vtep_capture_start(cap, path, &f, 0, err, sizeof(err)) == 0);
	CHECK(vtep_capture_start(cap, path, &f, 0, err, sizeof(err)) == -EBUSY);
	vtep_capture_burst(cap, 0, 0, 0, -1, m, 6, RTE_PCAPNG_DIRECTION_IN);
	/* An inner port is not the underlay. */
	vtep_capture_burst(cap, 0, 1, 0, 1, m, 6, RTE_PCAPNG_DIRECTION_OUT);
	CHECK(vtep_capture_poll(cap) == 3);
	vtep_capture_status(cap, &st);
	CHECK(st.running && st.written == 3 && st.copied == 3 && st.vni == 43);
	CHECK(memcmp(rte_pktmbuf_mtod(m[1], uint8_t *), before, size[1]) == 0);
	for (int i = 0; i < 6; i++)
		CHECK(rte_mbuf_refcnt_read(m[i]) == 1);
	CHECK(vtep_capture_stop(cap) == 0);
	CHECK(vtep_capture_stop(cap) == -ENOENT);
	CHECKF(file_frames(path, 43, &matching) == 3 && matching == 2, "frames in %s", path);

	/* Inner ports, VNI index 1 only. */
	f.dev = VTEP_CAPTURE_INNER;
	CHECK(vtep_capture_start(cap, path, &f, 0, err, sizeof(err)) == 0);
	vtep_capture_burst(cap, 0, 0, 0, -1, m, 6, RTE_PCAPNG_DIRECTION_IN);
	vtep_capture_burst(cap, 0, 1, 0, 0, m, 6, RTE_PCAPNG_DIRECTION_IN);
	vtep_capture_burst(cap, 0, 2, 0, 1, m, 2, RTE_PCAPNG_DIRECTION_OUT);
	CHECK(vtep_capture_poll(cap) == 2);
	CHECK(vtep_capture_stop(cap) == 0);
	rte_pktmbuf_free_bulk(m, 6);
}

static void
test_ring_full_and_count(struct vtep_capture *cap, const char *path)
{
	struct vtep_capture_filter f = {.dev = VTEP_CAPTURE_ANY};
	struct vtep_capture_status st;
	struct rte_mbuf *m[32];
	uint32_t caplen = 0, len = 0;
	uint8_t bytes[256];
	size_t size;
	char err[128];
	int matching;

	for (int i = 0; i < 32; i++)
		m[i] = vxlan_frame(42, 4789, 0, bytes, &size);
	CHECK(vtep_capture_start(cap, path, &f, 0, err, sizeof(err)) == 0);
	/* 40 bursts without a poll: the ring (1024 slots) takes 1023, the rest are counted. */
	for (int b = 0; b < 40; b++)
		vtep_capture_burst(cap, 0, 0, 0, -1, m, 32, RTE_PCAPNG_DIRECTION_IN);
	vtep_capture_status(cap, &st);
	CHECKF(st.copied == VTEP_CAPTURE_RING_SIZE - 1 && st.ring_full == 40 * 32 - st.copied,
			"copied %lu ring_full %lu", (unsigned long)st.copied,
			(unsigned long)st.ring_full);
	CHECK(vtep_capture_stop(cap) == 0);
	vtep_capture_status(cap, &st);
	CHECK(!st.running && st.written == VTEP_CAPTURE_RING_SIZE - 1);
	CHECK(file_frames(path, 42, &matching) == VTEP_CAPTURE_RING_SIZE - 1);

	/* count: the capture stops by itself with exactly that many frames. */
	CHECK(vtep_capture_start(cap, path, &f, 5, err, sizeof(err)) == 0);
	vtep_capture_burst(cap, 0, 0, 0, -1, m, 32, RTE_PCAPNG_DIRECTION_IN);
	vtep_capture_poll(cap);
	vtep_capture_status(cap, &st);
	CHECK(!st.running && st.written == 5);
	CHECK(file_frames(path, 42, &matching) == 5 && matching == 5);
	CHECK(rte_mempool_in_use_count(cap->pool) == 0);

	/* snaplen: the file keeps 20 bytes of each frame and says how long it was. */
	f.snaplen = 20;
	CHECK(vtep_capture_start(cap, path, &f, 0, err, sizeof(err)) == 0);
	vtep_capture_burst(cap, 0, 0, 0, -1, m, 1, RTE_PCAPNG_DIRECTION_IN);
	CHECK(vtep_capture_stop(cap) == 0);
	CHECK(first_lengths(path, &caplen, &len) == 0 && caplen == 20 &&
			len == rte_pktmbuf_pkt_len(m[0]));
	rte_pktmbuf_free_bulk(m, 32);
}

int
main(void)
{
	struct vtep_capture_params p = {.nb_workers = 1,
			.socket = SOCKET_ID_ANY,
			.dstport_be = RTE_BE16(4789),
			.vni_ids = {42, 43},
			.nb_vnis = 2};
	struct vtep_capture_filter f = {.dev = VTEP_CAPTURE_UNDERLAY};
	struct vtep_capture *cap;
	char path[64], err[128];

	/* Two ports: rte_pcapng writes one interface block per ethdev port. */
	vtep_test_eal_init("test_capture", "--vdev=net_ring0", "--vdev=net_ring1", NULL);
	snprintf(path, sizeof(path), "/tmp/test_capture.%d.pcapng", (int)getpid());
	cap = vtep_capture_create(&p);
	CHECK(cap != NULL);
	if (cap == NULL)
		return vtep_test_done("capture");
	CHECK(vtep_capture_vni_index(cap, 43) == 1 && vtep_capture_vni_index(cap, 44) == -1);
	CHECK(vtep_capture_start(cap, "/nonexistent/dir/x.pcapng", &f, 0, err, sizeof(err)) ==
			-ENOENT);
	CHECK(strstr(err, "/nonexistent/dir/x.pcapng") != NULL);
	CHECK(vtep_capture_stop(cap) == -ENOENT);
	test_filters(cap, path);
	test_ring_full_and_count(cap, path);
	/* Free with a capture running closes it. */
	CHECK(vtep_capture_start(cap, path, &f, 0, err, sizeof(err)) == 0);
	vtep_capture_free(cap);
	unlink(path);
	return vtep_test_done("capture");
}
