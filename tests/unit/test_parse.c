/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classification: one crafted frame per outcome (each drop reason the parser owns, VXLAN, ARP,
 * IGMP, ICMP), and every truncation of a valid frame, which must never read past its end.
 */
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_parse.h"

#define LOCAL "172.16.91.129"
#define REMOTE "172.16.91.128"
#define GROUP "239.1.1.1"

static struct vtep_parse_ctx ctx;

static const struct pkt_outer outer_ok = {
	.dst_mac = "02:00:00:00:91:81", .src_mac = "02:00:00:00:91:80",
	.sip = REMOTE, .dip = LOCAL, .sport = 40000, .dport = 4789, .vni = 42,
};

static uint8_t inner[128];
static size_t inner_size;

static size_t
vxlan(uint8_t *buf, const struct pkt_outer *o)
{
	return pkt_vxlan(buf, o, inner, inner_size);
}

static struct rte_ipv4_hdr *
ip_of(uint8_t *buf)
{
	return (struct rte_ipv4_hdr *)(buf + sizeof(struct rte_ether_hdr));
}

static void
fix_ip_csum(uint8_t *buf)
{
	struct rte_ipv4_hdr *ip = ip_of(buf);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* Put the right UDP checksum (not zero) into the IPv4/UDP frame whose IPv4 header is at l3. */
static void
put_udp_csum(uint8_t *buf, size_t l3)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + l3);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	size_t len = rte_be_to_cpu_16(udp->dgram_len);
	uint8_t pseudo[12 + 2048];
	uint16_t c;

	if (len > 2048 || (uint8_t *)udp + len > buf + 256)
		return;
	memcpy(pseudo, &ip->src_addr, 8);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	memcpy(pseudo + 10, &udp->dgram_len, 2);
	udp->dgram_cksum = 0;
	memcpy(pseudo + 12, udp, len);
	c = pkt_csum(pseudo, 12 + len);
	udp->dgram_cksum = rte_cpu_to_be_16(c == 0 ? 0xffff : c);
}

/* A VXLAN frame whose inner frame is size bytes of the test's inner frame with this ethertype. */
static size_t
vxlan_inner(uint8_t *buf, const struct pkt_outer *o, size_t size, uint16_t type)
{
	uint8_t in[128];

	memcpy(in, inner, sizeof(in));
	in[12] = type >> 8;
	in[13] = type & 0xff;
	return pkt_vxlan(buf, o, in, size);
}

/* Insert the IPv4 options opt (len bytes, a multiple of 4) after the 20-byte header at 14. */
static size_t
add_options(uint8_t *buf, size_t n, const uint8_t *opt, size_t len)
{
	struct rte_ipv4_hdr *ip = ip_of(buf);

	memmove(buf + 34 + len, buf + 34, n - 34);
	memcpy(buf + 34, opt, len);
	ip->version_ihl = 0x45 + len / 4;
	ip->total_length = rte_cpu_to_be_16(rte_be_to_cpu_16(ip->total_length) + len);
	fix_ip_csum(buf);
	return n + len;
}

static void
expect_drop(const char *what, const uint8_t *buf, size_t size, unsigned int csum,
		enum vtep_drop want)
{
	struct vtep_parse_result r;

	memset(&r, 0xff, sizeof(r));
	vtep_parse(buf, size, size, csum, &ctx, &r);
	CHECKF(r.kind == VTEP_PARSE_DROP && r.drop == want, "%s: kind %u drop %s, want %s", what,
			r.kind, r.kind == VTEP_PARSE_DROP ? vtep_drop_name(r.drop) : "-",
			vtep_drop_name(want));
}

static void
expect_kind(const char *what, const uint8_t *buf, size_t size, enum vtep_parse_kind want)
{
	struct vtep_parse_result r;

	memset(&r, 0, sizeof(r));
	vtep_parse(buf, size, size, 0, &ctx, &r);
	CHECKF(r.kind == want, "%s: kind %u (drop %s), want %u", what, r.kind,
			r.kind == VTEP_PARSE_DROP ? vtep_drop_name(r.drop) : "-", want);
}

static void
test_ok(void)
{
	uint8_t buf[256];
	size_t n = vxlan(buf, &outer_ok);
	struct vtep_parse_result r;
	struct pkt_outer o = outer_ok;

	vtep_parse(buf, n, n, 0, &ctx, &r);
	CHECK(r.kind == VTEP_PARSE_VXLAN);
	CHECK(r.vni_idx == 0);
	CHECK(r.inner_off == 50);
	CHECK(r.inner_size == inner_size);
	CHECK(r.src_be == pkt_ip(REMOTE));
	/* Ethernet padding after the datagram is not part of the inner frame. */
	memset(buf + n, 0, 20);
	vtep_parse(buf, n + 20, n + 20, 0, &ctx, &r);
	CHECK(r.kind == VTEP_PARSE_VXLAN && r.inner_size == inner_size);
	/* A priority tag (802.1Q, VID 0) counts as untagged, as in the kernel; the inner frame
	 * starts 4 bytes later. */
	n = pkt_add_vlan(buf, vxlan(buf, &o), 0);
	vtep_parse(buf, n, n, 0, &ctx, &r);
	CHECK(r.kind == VTEP_PARSE_VXLAN && r.inner_off == 54);
	/* To the group of the VNI. */
	o = outer_ok;
	o.dip = GROUP;
	o.dst_mac = "01:00:5e:01:01:01";
	n = vxlan(buf, &o);
	vtep_parse(buf, n, n, 0, &ctx, &r);
	CHECK(r.kind == VTEP_PARSE_VXLAN && r.vni_idx == 0);
	/* Second VNI, no group. */
	o = outer_ok;
	o.vni = 100;
	n = vxlan(buf, &o);
	vtep_parse(buf, n, n, 0, &ctx, &r);
	CHECK(r.kind == VTEP_PARSE_VXLAN && r.vni_idx == 1);
	/* The NIC vouched for the checksum: a wrong one is not checked again. */
	o = outer_ok;
	n = vxlan(buf, &o);
	ip_of(buf)->hdr_checksum ^= 0x1111;
	vtep_parse(buf, n, n, VTEP_PARSE_IP_CSUM_GOOD, &ctx, &r);
	CHECK(r.kind == VTEP_PARSE_VXLAN);
}

static void
test_drops(void)
{
	uint8_t buf[256];
	struct pkt_outer o;
	size_t n;

	n = vxlan(buf, &outer_ok);
	expect_drop("runt", buf, 10, 0, VTEP_DROP_RX_TRUNCATED);
	/* The underlay is untagged: a tag with a VLAN id is not ours (the kernel, without a VLAN
	 * device, drops it). */
	o = outer_ok;
	o.vlan = 5;
	n = vxlan(buf, &o);
	expect_drop("tag with VID 5", buf, n, 0, VTEP_DROP_RX_VLAN);
	n = pkt_add_vlan(buf, vxlan(buf, &outer_ok), 0);
	buf[16] = 0x81;
	buf[17] = 0x00;
	expect_drop("two tags", buf, n, 0, VTEP_DROP_RX_VLAN_NESTED);
	n = vxlan(buf, &outer_ok);
	buf[12] = 0x86;
	buf[13] = 0xdd;
	expect_drop("ipv6", buf, n, 0, VTEP_DROP_RX_NOT_IP);
	n = vxlan(buf, &outer_ok);
	ip_of(buf)->version_ihl = 0x65;
	fix_ip_csum(buf);
	expect_drop("version 6", buf, n, 0, VTEP_DROP_RX_IP_VERSION);
	n = vxlan(buf, &outer_ok);
	ip_of(buf)->version_ihl = 0x46;
	fix_ip_csum(buf);
	expect_drop("options", buf, n, 0, VTEP_DROP_RX_IP_OPTIONS);
	n = vxlan(buf, &outer_ok);
	ip_of(buf)->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	fix_ip_csum(buf);
	expect_drop("first fragment", buf, n, 0, VTEP_DROP_RX_IP_FRAGMENT);
	ip_of(buf)->fragment_offset = RTE_BE16(10);
	fix_ip_csum(buf);
	expect_drop("later fragment", buf, n, 0, VTEP_DROP_RX_IP_FRAGMENT);
	ip_of(buf)->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	fix_ip_csum(buf);
	expect_kind("DF is fine", buf, n, VTEP_PARSE_VXLAN);
	n = vxlan(buf, &outer_ok);
	ip_of(buf)->total_length = rte_cpu_to_be_16(n);
	fix_ip_csum(buf);
	expect_drop("ip length past the end", buf, n, 0, VTEP_DROP_RX_IP_LENGTH);
	ip_of(buf)->total_length = RTE_BE16(10);
	fix_ip_csum(buf);
	expect_drop("ip length below header", buf, n, 0, VTEP_DROP_RX_IP_LENGTH);
	n = vxlan(buf, &outer_ok);
	ip_of(buf)->hdr_checksum ^= 0x0101;
	expect_drop("bad ip csum", buf, n, 0, VTEP_DROP_RX_IP_CSUM);
	n = vxlan(buf, &outer_ok);
	expect_drop("nic says bad ip csum", buf, n, VTEP_PARSE_IP_CSUM_BAD, VTEP_DROP_RX_IP_CSUM);
	expect_drop("nic says bad l4 csum", buf, n, VTEP_PARSE_L4_CSUM_BAD, VTEP_DROP_RX_UDP_CSUM);
	o = outer_ok;
	o.dip = "172.16.91.200";
	n = vxlan(buf, &o);
	expect_drop("other host", buf, n, 0, VTEP_DROP_RX_NOT_FOR_US);
	o.dip = "239.9.9.9";
	n = vxlan(buf, &o);
	expect_drop("other group", buf, n, 0, VTEP_DROP_RX_NOT_FOR_US);
	n = vxlan(buf, &outer_ok);
	ip_of(buf)->next_proto_id = IPPROTO_TCP;
	fix_ip_csum(buf);
	expect_drop("tcp", buf, n, 0, VTEP_DROP_RX_IP_PROTO);
	n = vxlan(buf, &outer_ok);
	((struct rte_udp_hdr *)(buf + 34))->dgram_len = RTE_BE16(4000);
	expect_drop("udp length", buf, n, 0, VTEP_DROP_RX_UDP_LENGTH);
	o = outer_ok;
	o.dport = 8472;
	n = vxlan(buf, &o);
	expect_drop("port 8472", buf, n, 0, VTEP_DROP_RX_UDP_PORT);
	n = vxlan(buf, &outer_ok);
	buf[42] = 0x0c;
	expect_drop("flags", buf, n, 0, VTEP_DROP_RX_VXLAN_FLAGS);
	n = vxlan(buf, &outer_ok);
	buf[49] = 0x01;
	expect_drop("reserved vni byte", buf, n, 0, VTEP_DROP_RX_VXLAN_FLAGS);
	n = vxlan(buf, &outer_ok);
	buf[43] = 0x01;
	expect_drop("reserved flag bits", buf, n, 0, VTEP_DROP_RX_VXLAN_FLAGS);
	o = outer_ok;
	o.vni = 43;
	n = vxlan(buf, &o);
	expect_drop("vni 43", buf, n, 0, VTEP_DROP_RX_VNI_UNKNOWN);
	o = outer_ok;
	o.vni = 100;
	o.dip = GROUP;
	n = vxlan(buf, &o);
	expect_drop("group of another vni", buf, n, 0, VTEP_DROP_RX_GROUP_VNI);
	o = outer_ok;
	o.sip = LOCAL;
	n = vxlan(buf, &o);
	expect_drop("own packet", buf, n, 0, VTEP_DROP_RX_SELF);
	n = pkt_vxlan(buf, &outer_ok, inner, 10);
	expect_drop("inner runt", buf, n, 0, VTEP_DROP_RX_INNER_TRUNCATED);
	n = vxlan(buf, &outer_ok);
	memset(buf + 56, 0, 6);
	expect_drop("zero inner source", buf, n, 0, VTEP_DROP_RX_INNER_SRC_INVALID);
	buf[56] = 0x01;
	expect_drop("multicast inner source", buf, n, 0, VTEP_DROP_RX_INNER_SRC_INVALID);
	/* The datagram ends before the VXLAN header. */
	n = vxlan(buf, &outer_ok);
	((struct rte_udp_hdr *)(buf + 34))->dgram_len = RTE_BE16(12);
	expect_drop("udp too short for vxlan", buf, n, 0, VTEP_DROP_RX_TRUNCATED);
}

static void
test_control(void)
{
	uint8_t buf[256];
	struct rte_ipv4_hdr *ip;
	size_t n;

	n = pkt_arp(buf, 1, "ff:ff:ff:ff:ff:ff", "02:00:00:00:91:80", REMOTE, "00:00:00:00:00:00",
			LOCAL);
	expect_kind("arp", buf, n, VTEP_PARSE_ARP);
	/* IGMP query to 224.0.0.1 with a Router Alert option (IHL 6). */
	n = vxlan(buf, &outer_ok);
	ip = ip_of(buf);
	ip->version_ihl = 0x46;
	ip->next_proto_id = IPPROTO_IGMP;
	ip->dst_addr = pkt_ip("224.0.0.1");
	fix_ip_csum(buf);
	expect_kind("igmp query", buf, n, VTEP_PARSE_IGMP);
	n = vxlan(buf, &outer_ok);
	ip_of(buf)->next_proto_id = IPPROTO_ICMP;
	fix_ip_csum(buf);
	expect_kind("icmp", buf, n, VTEP_PARSE_ICMP);
}

/*
 * Outer destination MAC (the port runs promiscuous): the port's own, broadcast for ARP, a group's
 * RFC 1112 MAC for that group only. The kernel drops the first kind (PACKET_OTHERHOST); the rest
 * follows RFC 1112 6.4 and RFC 1122 3.3.6 (scripts/kernel-verdicts.sh).
 */
static void
test_dst_mac(void)
{
	struct pkt_outer o = outer_ok;
	struct rte_ipv4_hdr *ip;
	uint8_t buf[256];
	size_t n;

	o.dst_mac = "02:00:00:00:99:99";
	n = vxlan(buf, &o);
	expect_drop("another host's MAC", buf, n, 0, VTEP_DROP_RX_DST_MAC);
	o.dst_mac = "ff:ff:ff:ff:ff:ff";
	n = vxlan(buf, &o);
	expect_drop("broadcast MAC, unicast IP", buf, n, 0, VTEP_DROP_RX_DST_MAC);
	o.dst_mac = "01:00:5e:01:01:01";
	n = vxlan(buf, &o);
	expect_drop("group MAC, unicast IP", buf, n, 0, VTEP_DROP_RX_DST_MAC);
	o.dip = GROUP;
	o.dst_mac = "01:00:5e:02:02:02";
	n = vxlan(buf, &o);
	expect_drop("another group's MAC", buf, n, 0, VTEP_DROP_RX_DST_MAC);
	o.dst_mac = "ff:ff:ff:ff:ff:ff";
	n = vxlan(buf, &o);
	expect_drop("group, broadcast MAC", buf, n, 0, VTEP_DROP_RX_DST_MAC);
	o.dst_mac = "02:00:00:00:91:81";
	n = vxlan(buf, &o);
	expect_kind("group, our own MAC (multicast-to-unicast bridges)", buf, n, VTEP_PARSE_VXLAN);
	o.dst_mac = "01:00:5e:81:01:01"; /* bit 23 is not mapped: the same group MAC */
	n = vxlan(buf, &o);
	expect_drop("group MAC with bit 23", buf, n, 0, VTEP_DROP_RX_DST_MAC);
	n = pkt_arp(buf, 1, "01:00:5e:00:00:01", "02:00:00:00:91:80", REMOTE, "00:00:00:00:00:00",
			LOCAL);
	expect_drop("ARP to a group MAC", buf, n, 0, VTEP_DROP_RX_DST_MAC);
	n = pkt_arp(buf, 2, "02:00:00:00:91:81", "02:00:00:00:91:80", REMOTE, "02:00:00:00:91:81",
			LOCAL);
	expect_kind("ARP reply to us", buf, n, VTEP_PARSE_ARP);
	n = pkt_arp(buf, 1, "02:00:00:00:91:99", "02:00:00:00:91:80", REMOTE, "00:00:00:00:00:00",
			LOCAL);
	expect_drop("ARP to another host", buf, n, 0, VTEP_DROP_RX_DST_MAC);
	/* IGMP general query to 224.0.0.1, to its group MAC, and to a wrong one. */
	o = outer_ok;
	o.dst_mac = "01:00:5e:00:00:01";
	n = vxlan(buf, &o);
	ip = ip_of(buf);
	ip->next_proto_id = IPPROTO_IGMP;
	ip->dst_addr = pkt_ip("224.0.0.1");
	fix_ip_csum(buf);
	expect_kind("IGMP query to 01:00:5e:00:00:01", buf, n, VTEP_PARSE_IGMP);
	buf[5] = 0x02;
	expect_drop("IGMP query to another group's MAC", buf, n, 0, VTEP_DROP_RX_DST_MAC);
}

/* Outer sources no VTEP has (RFC 1122 3.2.1.3, RFC 1812 5.3.7): dropped before learning. */
static void
test_src(void)
{
	static const struct {
		const char *sip;
		int drop; /* -1: accepted */
	} cases[] = {
		{ "0.0.0.0", VTEP_DROP_RX_SRC_ZERO },
		{ "0.1.2.3", VTEP_DROP_RX_SRC_ZERO },
		{ "127.0.0.1", VTEP_DROP_RX_SRC_LOOPBACK },
		{ "127.255.0.9", VTEP_DROP_RX_SRC_LOOPBACK },
		{ "224.1.2.3", VTEP_DROP_RX_SRC_MULTICAST },
		{ "239.1.1.1", VTEP_DROP_RX_SRC_MULTICAST },
		{ "255.255.255.255", VTEP_DROP_RX_SRC_BROADCAST },
		{ "172.16.91.255", VTEP_DROP_RX_SRC_BROADCAST },
		{ "240.0.0.1", VTEP_DROP_RX_SRC_RESERVED },
		{ "254.1.1.1", VTEP_DROP_RX_SRC_RESERVED },
		{ "172.16.91.0", -1 },
		{ "10.9.9.9", -1 },
		{ "223.255.255.254", -1 },
		{ "1.0.0.0", -1 },
	};
	struct pkt_outer o = outer_ok;
	struct vtep_parse_ctx c31 = ctx;
	uint8_t buf[256];
	size_t n;

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		o.sip = cases[i].sip;
		n = vxlan(buf, &o);
		if (cases[i].drop < 0)
			expect_kind(cases[i].sip, buf, n, VTEP_PARSE_VXLAN);
		else
			expect_drop(cases[i].sip, buf, n, 0, cases[i].drop);
		/* ICMP from it is not answered either. */
		ip_of(buf)->next_proto_id = IPPROTO_ICMP;
		fix_ip_csum(buf);
		if (cases[i].drop < 0)
			expect_kind(cases[i].sip, buf, n, VTEP_PARSE_ICMP);
		else
			expect_drop(cases[i].sip, buf, n, 0, cases[i].drop);
	}
	/* A /31 has no broadcast address (RFC 3021): .129's partner .128 is a host. */
	vtep_parse_set_prefix(&c31, 31);
	CHECK(c31.bcast_be == 0);
	vtep_parse_set_prefix(&c31, 24);
	CHECK(c31.bcast_be == pkt_ip("172.16.91.255"));
	/* A snooping switch queries from 0.0.0.0 (RFC 4541 2.1.1): IGMP is the control lcore's. */
	o = outer_ok;
	o.sip = "0.0.0.0";
	o.dip = "224.0.0.1";
	o.dst_mac = "01:00:5e:00:00:01";
	n = vxlan(buf, &o);
	ip_of(buf)->next_proto_id = IPPROTO_IGMP;
	fix_ip_csum(buf);
	expect_kind("IGMP query from 0.0.0.0", buf, n, VTEP_PARSE_IGMP);
}

/* A non-zero UDP checksum without the port's verdict is checked in software, as the kernel does. */
static void
test_udp_csum(void)
{
	struct vtep_parse_result r;
	uint8_t buf[256];
	size_t n = vxlan(buf, &outer_ok);

	put_udp_csum(buf, 14);
	expect_kind("right UDP checksum", buf, n, VTEP_PARSE_VXLAN);
	CHECK(vtep_parse_frame_fast(buf, n, n, 0, &ctx, &r) && r.udp_unchecked == 0);
	buf[41] ^= 0x10;
	expect_drop("wrong UDP checksum", buf, n, 0, VTEP_DROP_RX_UDP_CSUM);
	memset(&r, 0, sizeof(r));
	vtep_parse(buf, n, n, VTEP_PARSE_L4_CSUM_GOOD, &ctx, &r);
	CHECK(r.kind == VTEP_PARSE_VXLAN); /* the port vouched for it */
	/* The datagram beyond the first segment: the caller checks it (decap, over the mbuf). */
	vtep_parse(buf, 64, n, 0, &ctx, &r);
	CHECK(r.kind == VTEP_PARSE_VXLAN && r.udp_unchecked == 1);
	/* Checksum zero: nothing to check. */
	n = vxlan(buf, &outer_ok);
	vtep_parse(buf, 64, n, 0, &ctx, &r);
	CHECK(r.kind == VTEP_PARSE_VXLAN && r.udp_unchecked == 0);
}

/*
 * IPv4 options: what the kernel delivers passes, what it drops is dropped (the kernel's verdict on
 * each of these frames, recorded by scripts/kernel-verdicts.sh, tests/unit/golden/kernel_verdicts.txt).
 */
static void
test_options(void)
{
	static const struct {
		const char *what;
		uint8_t len;
		uint8_t opt[40];
		int ok;
	} cases[] = {
		{ "NOP NOP NOP EOL", 4, { 1, 1, 1, 0 }, 1 },
		{ "router alert", 4, { 0x94, 4, 0, 0 }, 1 },
		{ "router alert value 1", 4, { 0x94, 4, 0, 1 }, 1 },
		{ "length 0", 4, { 0x44, 0, 0, 0 }, 0 },
		{ "length past the header", 4, { 0x94, 8, 0, 0 }, 0 },
		{ "LSRR", 8, { 0x83, 7, 4, 10, 0, 0, 1, 0 }, 0 },
		{ "SSRR", 8, { 0x89, 7, 4, 10, 0, 0, 1, 0 }, 0 },
		{ "RR", 8, { 7, 7, 4, 0, 0, 0, 0, 0 }, 1 },
		{ "RR pointer 3", 8, { 7, 7, 3, 0, 0, 0, 0, 0 }, 0 },
		{ "RR pointer 8 (full)", 8, { 7, 7, 8, 0, 0, 0, 0, 0 }, 1 },
		{ "RR pointer 5 (no room)", 8, { 7, 7, 5, 0, 0, 0, 0, 0 }, 0 },
		{ "RR length 2", 4, { 7, 2, 1, 0 }, 0 },
		{ "RR twice", 8, { 7, 3, 4, 7, 3, 4, 1, 0 }, 0 },
		{ "unknown 0x1e", 4, { 0x1e, 4, 0, 0 }, 1 },
		{ "SEC", 4, { 0x82, 4, 0, 0 }, 1 },
		{ "TS length 4 pointer 5", 4, { 0x44, 4, 5, 0 }, 1 },
		{ "TS overflow 15", 4, { 0x44, 4, 5, 0xf0 }, 0 },
		{ "TS address+time, no room", 8, { 0x44, 8, 5, 1, 0, 0, 0, 0 }, 0 },
		{ "TS twice", 8, { 0x44, 4, 5, 0, 0x44, 4, 5, 0 }, 0 },
		{ "EOL then junk", 4, { 0, 0x77, 0x77, 0x77 }, 1 },
		{ "RA length 2", 4, { 0x94, 2, 1, 0 }, 0 },
		{ "RA twice", 8, { 0x94, 4, 0, 0, 0x94, 4, 0, 0 }, 1 },
		{ "type without length", 4, { 1, 1, 1, 7 }, 0 },
		{ "CIPSO", 8, { 0x86, 8, 0, 0, 0, 1, 0, 0 }, 0 },
		{ "LSRR length 2", 4, { 0x83, 2, 1, 0 }, 0 },
		{ "40 NOPs", 40, { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
				 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 1 },
		{ "length exactly the rest", 4, { 1, 0x1e, 3, 0 }, 1 },
	};
	struct vtep_parse_result r;
	uint8_t buf[256];
	size_t n;

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		n = add_options(buf, vxlan(buf, &outer_ok), cases[i].opt, cases[i].len);
		memset(&r, 0, sizeof(r));
		vtep_parse(buf, n, n, 0, &ctx, &r);
		if (cases[i].ok)
			CHECKF(r.kind == VTEP_PARSE_VXLAN && r.inner_off == 50 + cases[i].len &&
							r.inner_size == inner_size,
					"%s: kind %u drop %s", cases[i].what, r.kind,
					vtep_drop_name(r.drop));
		else
			expect_drop(cases[i].what, buf, n, 0, VTEP_DROP_RX_IP_OPTIONS);
	}
}

/* The inner frame must hold its own IPv4 or IPv6 header (the kernel: pskb_inet_may_pull). */
static void
test_inner_size(void)
{
	static const struct {
		size_t size;
		uint16_t type;
		int ok;
	} cases[] = {
		{ 14, 0x0800, 0 }, { 33, 0x0800, 0 }, { 34, 0x0800, 1 }, { 40, 0x86dd, 0 },
		{ 53, 0x86dd, 0 }, { 54, 0x86dd, 1 }, { 14, 0x88b5, 1 }, { 15, 0x88b5, 1 },
		{ 14, 0x0806, 1 }, { 14, 0x8100, 1 },
	};
	uint8_t buf[256];
	size_t n;

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		char what[48];

		snprintf(what, sizeof(what), "inner %zu bytes, type %#x", cases[i].size,
				cases[i].type);
		n = vxlan_inner(buf, &outer_ok, cases[i].size, cases[i].type);
		if (cases[i].ok)
			expect_kind(what, buf, n, VTEP_PARSE_VXLAN);
		else
			expect_drop(what, buf, n, 0, VTEP_DROP_RX_INNER_TRUNCATED);
	}
}

/* Every prefix of valid frames must classify without reading past its end (ASan checks). */
static void
test_truncations(void)
{
	struct pkt_outer o = outer_ok;
	struct vtep_parse_result r;
	uint8_t buf[256];
	size_t n;
	unsigned int bad = 0;

	for (int tagged = 0; tagged < 2; tagged++) {
		n = vxlan(buf, &o);
		if (tagged)
			n = pkt_add_vlan(buf, n, 0);
		for (size_t len = 0; len < n; len++) {
			uint8_t *copy = malloc(len ? len : 1);

			memcpy(copy, buf, len);
			vtep_parse(copy, len, len, 0, &ctx, &r);
			if (r.kind == VTEP_PARSE_VXLAN)
				bad++;
			free(copy);
		}
		/* Headers split over segments: only the first 40 bytes contiguous. */
		vtep_parse(buf, 40, n, 0, &ctx, &r);
		CHECK(r.kind == VTEP_PARSE_DROP && r.drop == VTEP_DROP_RX_TRUNCATED);
	}
	CHECKF(bad == 0, "%u truncated frames classified as VXLAN", bad);
}

/* The VNI map, with the first VNI's shortcut: every configured VNI found with its index and group,
 * others (VNI 0 on an empty map too) not. */
static void
test_vni_map(void)
{
	struct vtep_parse_ctx c;
	struct rte_ether_addr mac = pkt_mac("02:00:00:00:91:81");
	unsigned int bad = 0;
	rte_be32_t g;

	vtep_parse_ctx_init(&c, pkt_ip(LOCAL), &mac, 4789);
	CHECK(vtep_parse_vni_lookup(&c, 0, &g) == -1);
	for (unsigned int i = 0; i < VTEP_MAX_VNIS; i++)
		CHECK(vtep_parse_add_vni(&c, 1000 + 7 * i, i, i % 2 ? pkt_ip(GROUP) : 0) == 0);
	CHECK(vtep_parse_add_vni(&c, 1000, 5, 0) == -EEXIST);
	for (unsigned int i = 0; i < VTEP_MAX_VNIS; i++) {
		g = 1;
		bad += vtep_parse_vni_lookup(&c, 1000 + 7 * i, &g) != (int)i ||
				g != (i % 2 ? pkt_ip(GROUP) : 0);
	}
	CHECKF(bad == 0, "%u VNIs not found right", bad);
	CHECK(vtep_parse_vni_lookup(&c, 0, &g) == -1);
	CHECK(vtep_parse_vni_lookup(&c, 1001, &g) == -1);
}

/* xorshift64: the same sequence in every run. */
static uint64_t
rnd(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static bool
same_result(const struct vtep_parse_result *a, const struct vtep_parse_result *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case VTEP_PARSE_DROP:
		return a->drop == b->drop;
	case VTEP_PARSE_VXLAN:
		return a->vni_idx == b->vni_idx && a->inner_off == b->inner_off &&
				a->inner_size == b->inner_size && a->src_be == b->src_be &&
				a->ecn == b->ecn && a->udp_unchecked == b->udp_unchecked;
	case VTEP_PARSE_ARP:
		return true;
	default:
		return a->src_be == b->src_be && a->ecn == b->ecn;
	}
}

/*
 * The fast path (vtep_parse_frame_fast) must never give another result than every check in
 * order (vtep_parse_full): valid frames mutated in their first 64 bytes, with the IPv4 checksum
 * fixed or not, any checksum flags, cut or split anywhere.
 */
static void
test_fast_matches_full(void)
{
	struct pkt_outer grp = outer_ok, vni100 = outer_ok;
	uint8_t base[6][256], buf[256];
	size_t base_size[6];
	unsigned int fast = 0, fast_vxlan_no = 0, other = 0, bad = 0;

	grp.dip = GROUP;
	grp.dst_mac = "01:00:5e:01:01:01";
	vni100.vni = 100;
	base_size[0] = vxlan(base[0], &outer_ok);
	base_size[1] = vxlan(base[1], &vni100);
	base_size[2] = vxlan(base[2], &grp);
	/* A UDP checksum (the kernel's default), a priority tag, a short IPv6-typed inner frame. */
	base_size[3] = vxlan(base[3], &outer_ok);
	put_udp_csum(base[3], 14);
	base_size[4] = pkt_add_vlan(base[4], vxlan(base[4], &outer_ok), 0);
	base_size[5] = vxlan_inner(base[5], &outer_ok, 54, 0x86dd);
	for (unsigned int i = 0; i < 300000; i++) {
		unsigned int b = rnd() % 6, nmut = rnd() % 4, csum = rnd() % 8 < 5 ? 0 : rnd() % 16;
		size_t size = base_size[b], hdr;
		struct vtep_parse_result fr, sr;
		uint64_t v;

		memcpy(buf, base[b], size);
		for (unsigned int k = 0; k < nmut; k++) {
			unsigned int at = rnd() % 64;

			v = rnd();
			switch (v % 4) {
			case 0: /* a bit */
				buf[at] ^= 1u << (v >> 8) % 8;
				break;
			case 1: /* a byte */
				buf[at] = v >> 8;
				break;
			case 2: /* a byte that the checks look for */
				buf[at] = (const uint8_t[]){0, 1, 0x45, 0x08, 0x11, 0x12, 0x3f, 0x20,
						0x40, 0xff, 0x81, 0x02, 0x7f, 0xe0, 0xf0, 0x86,
						0xdd}[(v >> 8) % 17];
				break;
			default: /* a length */
				size = 14 + (v >> 8) % (sizeof(buf) - 14);
				break;
			}
		}
		if (rnd() % 2)
			fix_ip_csum(buf);
		if (b == 3 && rnd() % 2)
			put_udp_csum(buf, 14);
		hdr = rnd() % 4 == 0 ? rnd() % (size + 8) : size;
		memset(&fr, 0xa5, sizeof(fr));
		memset(&sr, 0x5a, sizeof(sr));
		if (vtep_parse_frame_fast(buf, hdr, size, csum, &ctx, &fr))
			fast++;
		else {
			vtep_parse_full(buf, hdr, size, csum, &ctx, &fr);
			other++;
		}
		vtep_parse_full(buf, hdr, size, csum, &ctx, &sr);
		if (!same_result(&fr, &sr)) {
			if (bad++ < 5)
				printf("frame %u: fast kind %u drop %u, full kind %u drop %u\n", i,
						fr.kind, fr.drop, sr.kind, sr.drop);
		}
		if (fr.kind != VTEP_PARSE_VXLAN && sr.kind == VTEP_PARSE_VXLAN)
			fast_vxlan_no++;
		memset(&fr, 0x11, sizeof(fr));
		vtep_parse(buf, hdr, size, csum, &ctx, &fr);
		if (!same_result(&fr, &sr) && bad++ < 5)
			printf("frame %u: vtep_parse kind %u, full kind %u\n", i, fr.kind, sr.kind);
	}
	CHECKF(bad == 0, "%u frames classified differently by the fast path", bad);
	/* Not vacuous: both paths taken often. */
	CHECKF(fast > 10000 && other > 100000, "fast path %u, full %u", fast, other);
	printf("parse: fast path took %u of 300000 mutated frames\n", fast);
}

int
main(void)
{
	struct rte_ether_addr mac = pkt_mac("02:00:00:00:91:81");

	vtep_parse_ctx_init(&ctx, pkt_ip(LOCAL), &mac, 4789);
	CHECK(vtep_parse_add_vni(&ctx, 42, 0, pkt_ip(GROUP)) == 0);
	CHECK(vtep_parse_add_vni(&ctx, 100, 1, 0) == 0);
	CHECK(vtep_parse_add_vni(&ctx, 42, 2, 0) == -EEXIST);
	vtep_parse_set_prefix(&ctx, 24);
	inner_size = pkt_inner_udp(inner, "02:00:00:00:00:02", "02:00:00:00:00:01", "10.0.0.1",
			"10.0.0.2", 1234, 5678, 50);
	test_ok();
	test_vni_map();
	test_drops();
	test_control();
	test_dst_mac();
	test_src();
	test_udp_csum();
	test_options();
	test_inner_size();
	test_truncations();
	test_fast_matches_full();
	return vtep_test_done("parse");
}
