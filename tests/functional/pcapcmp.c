/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapcmp: compare two pcap files frame by frame, in order, byte for byte.
 *
 *   pcapcmp [--strip-a N] [--strip-b N] [--only-udp-port-a P] [--only-udp-port-b P] A B
 *   pcapcmp --count [--only-udp-port-a P] A
 *
 * --strip-a/--strip-b drop the first N bytes of every frame of A/B before comparing (50 strips a
 * VXLAN-over-IPv4 outer header, so an encap output compares with the inner input).
 * --only-udp-port-a/-b keep only the IPv4/UDP frames (one 802.1Q tag allowed) to that destination
 * port of A/B, so IGMP reports or ARP that vtepd sends beside the data do not disturb the
 * comparison. Exit status: 0 same, 1 different (the first difference is printed), 2 usage or file
 * error.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

/** What the command line says. */
struct cmp_opts {
	uint32_t strip_a; /**< Bytes removed from the front of each frame of A. */
	uint32_t strip_b; /**< Bytes removed from the front of each frame of B. */
	int udp_port_a;   /**< Keep only A's UDP frames to this port, or -1 for all frames. */
	int udp_port_b;   /**< Keep only B's UDP frames to this port, or -1 for all frames. */
	bool count;       /**< Print the frame count of A and exit. */
};

static void __attribute__((noreturn)) usage(const char *why)
{
	fprintf(stderr,
			"pcapcmp: %s\n"
			"usage: pcapcmp [--strip-a N] [--strip-b N] [--only-udp-port-a P]\n"
			"               [--only-udp-port-b P] A B\n"
			"       pcapcmp --count [--only-udp-port-a P] A\n",
			why);
	exit(2);
}

static pcap_t *
open_file(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);

	if (p == NULL) {
		fprintf(stderr, "pcapcmp: %s: %s\n", path, err);
		exit(2);
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, "pcapcmp: %s: not an Ethernet capture\n", path);
		exit(2);
	}
	return p;
}

/* True when the frame is IPv4/UDP (at most one 802.1Q tag) with destination port port. */
static bool
is_udp_to(const uint8_t *f, uint32_t len, int port)
{
	uint32_t off = 12, ihl;

	if (len < off + 2)
		return false;
	if (f[off] == 0x81 && f[off + 1] == 0x00)
		off += 4;
	if (len < off + 2 || f[off] != 0x08 || f[off + 1] != 0x00)
		return false;
	off += 2;
	if (len < off + 20 || (f[off] >> 4) != 4 || f[off + 9] != 17)
		return false;
	ihl = (f[off] & 0xfu) * 4u;
	off += ihl;
	if (len < off + 4)
		return false;
	return ((uint32_t)f[off + 2] << 8 | f[off + 3]) == (uint32_t)port;
}

/* Next frame that passes the filter; false at the end of the file. */
static bool
next_frame(pcap_t *p, int port, const uint8_t **data, uint32_t *len)
{
	struct pcap_pkthdr *h;
	int rc;

	for (;;) {
		rc = pcap_next_ex(p, &h, data);
		if (rc == PCAP_ERROR_BREAK)
			return false;
		if (rc != 1) {
			fprintf(stderr, "pcapcmp: read error: %s\n", pcap_geterr(p));
			exit(2);
		}
		if (h->caplen != h->len) {
			fprintf(stderr, "pcapcmp: frame captured short (%u of %u bytes)\n",
					h->caplen, h->len);
			exit(2);
		}
		*len = h->caplen;
		if (port < 0 || is_udp_to(*data, *len, port))
			return true;
	}
}

static uint32_t
parse_num(const char *opt, const char *val, uint32_t max)
{
	unsigned long v;
	char *end;

	v = strtoul(val, &end, 10);
	if (*val == '\0' || *end != '\0' || v > max) {
		fprintf(stderr, "pcapcmp: bad value for %s: '%s'\n", opt, val);
		exit(2);
	}
	return (uint32_t)v;
}

static void
parse_args(int argc, char **argv, struct cmp_opts *o)
{
	static const struct option longs[] = {
			{"strip-a", required_argument, NULL, 'a'},
			{"strip-b", required_argument, NULL, 'b'},
			{"only-udp-port-a", required_argument, NULL, 'p'},
			{"only-udp-port-b", required_argument, NULL, 'q'},
			{"count", no_argument, NULL, 'c'},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->udp_port_a = -1;
	o->udp_port_b = -1;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->strip_a = parse_num("--strip-a", optarg, 65535);
			break;
		case 'b':
			o->strip_b = parse_num("--strip-b", optarg, 65535);
			break;
		case 'p':
			o->udp_port_a = (int)parse_num("--only-udp-port-a", optarg, 65535);
			break;
		case 'q':
			o->udp_port_b = (int)parse_num("--only-udp-port-b", optarg, 65535);
			break;
		case 'c':
			o->count = true;
			break;
		case 'h':
			printf("pcapcmp [--strip-a N] [--strip-b N] [--only-udp-port-a P] "
			       "[--only-udp-port-b P] A B\n"
			       "pcapcmp --count [--only-udp-port-a P] A\n");
			exit(0);
		default:
			usage("unknown option");
		}
	}
	if (argc - optind != (o->count ? 1 : 2))
		usage(o->count ? "--count takes one file" : "two files needed");
}

/* Compare the current frames; prints and returns false on a difference. */
static bool
same_frame(uint64_t n, const uint8_t *a, uint32_t la, const uint8_t *b, uint32_t lb,
		const struct cmp_opts *o)
{
	uint32_t i;

	if (la < o->strip_a || lb < o->strip_b) {
		printf("pcapcmp: frame %" PRIu64 ": shorter than the bytes to strip (%u, %u)\n", n,
				la, lb);
		return false;
	}
	a += o->strip_a;
	la -= o->strip_a;
	b += o->strip_b;
	lb -= o->strip_b;
	if (la != lb) {
		printf("pcapcmp: frame %" PRIu64 ": length %u in A, %u in B\n", n, la, lb);
		return false;
	}
	for (i = 0; i < la; i++) {
		if (a[i] != b[i]) {
			printf("pcapcmp: frame %" PRIu64 ": byte %u: 0x%02x in A, 0x%02x in B\n", n,
					i, a[i], b[i]);
			return false;
		}
	}
	return true;
}

int
main(int argc, char **argv)
{
	const uint8_t *da, *db;
	struct cmp_opts o;
	uint32_t la, lb;
	bool ha, hb;
	uint64_t n = 0;
	pcap_t *pa, *pb;

	parse_args(argc, argv, &o);
	pa = open_file(argv[optind]);
	if (o.count) {
		while (next_frame(pa, o.udp_port_a, &da, &la))
			n++;
		printf("%" PRIu64 "\n", n);
		pcap_close(pa);
		return 0;
	}
	pb = open_file(argv[optind + 1]);
	for (;; n++) {
		ha = next_frame(pa, o.udp_port_a, &da, &la);
		hb = next_frame(pb, o.udp_port_b, &db, &lb);
		if (!ha || !hb)
			break;
		if (!same_frame(n + 1, da, la, db, lb, &o)) {
			pcap_close(pa);
			pcap_close(pb);
			return 1;
		}
	}
	pcap_close(pa);
	pcap_close(pb);
	if (ha != hb) {
		printf("pcapcmp: %s has more frames (the first %" PRIu64 " are the same)\n",
				ha ? "A" : "B", n);
		return 1;
	}
	printf("pcapcmp: %" PRIu64 " frames equal\n", n);
	return 0;
}
