/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IGMP host: exact v2/v3 report and leave bytes (scapy goldens), checksums by recomputation,
 * repeats of unsolicited reports, random answer delays within the max response time (v2 linear
 * and v3 exponential codes), v2 compatibility and its timeout, malformed and truncated queries.
 * The clock is driven by hand: HZ ticks per second.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_hdr.h"
#include "vtep_igmp.h"

#define HZ 1000000ull
#define T0 (1000 * HZ)
#define LOCAL "172.16.91.129"
#define LOCAL_MAC "02:00:00:00:91:81"
#define G1 "239.1.1.1"
#define G2 "239.2.2.2"

/* clang-format off */
/* L='172.16.91.129'; LM='02:00:00:00:91:81'
 * ip = lambda dst: IP(src=L, dst=dst, ttl=1, tos=0xc0, flags='DF', id=0,
 *                     options=[IPOption_Router_Alert()])
 * Ether(dst='01:00:5e:00:00:16', src=LM)/ip('224.0.0.22')/IGMPv3(type=0x22)/
 *   IGMPv3mr(records=[IGMPv3gr(rtype=4, maddr='239.1.1.1')]) */
static const uint8_t v3_join[] = {
	0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00, 0x91, 0x81,
	0x08, 0x00, 0x46, 0xc0, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02,
	0xfc, 0x67, 0xac, 0x10, 0x5b, 0x81, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04,
	0x00, 0x00, 0x22, 0x00, 0xe9, 0xfb, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00,
	0x00, 0x00, 0xef, 0x01, 0x01, 0x01,
};
/* Ether(dst='01:00:5e:00:00:16', src=LM)/ip('224.0.0.22')/IGMPv3(type=0x22)/
 *   IGMPv3mr(records=[IGMPv3gr(rtype=2, maddr='239.1.1.1'), IGMPv3gr(rtype=2, maddr='239.2.2.2')]) */
static const uint8_t v3_general[] = {
	0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00, 0x91, 0x81,
	0x08, 0x00, 0x46, 0xc0, 0x00, 0x30, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02,
	0xfc, 0x5f, 0xac, 0x10, 0x5b, 0x81, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04,
	0x00, 0x00, 0x22, 0x00, 0xf8, 0xf5, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0xef, 0x01, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0xef, 0x02,
	0x02, 0x02,
};
/* Ether(dst='01:00:5e:00:00:16', src=LM)/ip('224.0.0.22')/IGMPv3(type=0x22)/
 *   IGMPv3mr(records=[IGMPv3gr(rtype=3, maddr='239.1.1.1'), IGMPv3gr(rtype=3, maddr='239.2.2.2')]) */
static const uint8_t v3_leave[] = {
	0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00, 0x91, 0x81,
	0x08, 0x00, 0x46, 0xc0, 0x00, 0x30, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02,
	0xfc, 0x5f, 0xac, 0x10, 0x5b, 0x81, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04,
	0x00, 0x00, 0x22, 0x00, 0xf6, 0xf5, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00,
	0x00, 0x00, 0xef, 0x01, 0x01, 0x01, 0x03, 0x00, 0x00, 0x00, 0xef, 0x02,
	0x02, 0x02,
};
/* Ether(dst='01:00:5e:01:01:01', src=LM)/ip('239.1.1.1')/IGMP(type=0x16, mrcode=0,
 *   gaddr='239.1.1.1') */
static const uint8_t v2_report[] = {
	0x01, 0x00, 0x5e, 0x01, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x91, 0x81,
	0x08, 0x00, 0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02,
	0xec, 0x83, 0xac, 0x10, 0x5b, 0x81, 0xef, 0x01, 0x01, 0x01, 0x94, 0x04,
	0x00, 0x00, 0x16, 0x00, 0xf9, 0xfc, 0xef, 0x01, 0x01, 0x01,
};
/* Ether(dst='01:00:5e:00:00:02', src=LM)/ip('224.0.0.2')/IGMP(type=0x17, mrcode=0,
 *   gaddr='239.1.1.1') */
static const uint8_t v2_leave[] = {
	0x01, 0x00, 0x5e, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x91, 0x81,
	0x08, 0x00, 0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02,
	0xfc, 0x83, 0xac, 0x10, 0x5b, 0x81, 0xe0, 0x00, 0x00, 0x02, 0x94, 0x04,
	0x00, 0x00, 0x17, 0x00, 0xf8, 0xfc, 0xef, 0x01, 0x01, 0x01,
};
/* clang-format on */

static struct rte_mempool *pool;


static void
setup(struct vtep_igmp *ig, uint8_t version, uint64_t seed)
{
	struct vtep_igmp_params p = {
			.local_be = pkt_ip(LOCAL),
			.local_mac = pkt_mac(LOCAL_MAC),
			.pool = pool,
			.version = version,
			.hz = HZ,
			.seed = seed,
	};

	vtep_igmp_init(ig, &p);
}

/*
 * A query from 172.16.91.1 as a router sends it (IHL 6 with Router Alert): v2 (8 bytes) or v3
 * (12 bytes, QRV and QQIC given), to dst, optionally with an 802.1Q tag. @return its size.
 */
static size_t
query(uint8_t *buf, unsigned int version, const char *dst, const char *group, uint8_t code,
		uint8_t qrv, uint8_t qqic, bool vlan)
{
	size_t igmp_size = version == 3 ? 12 : 8, off = vlan ? 18 : 14;
	struct rte_ether_addr mac;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + off);
	uint8_t *g = buf + off + 24;
	uint32_t group_be = group != NULL ? pkt_ip(group) : 0;
	uint16_t c;

	memset(buf, 0, off + 24 + igmp_size);
	vtep_group_mac(pkt_ip(dst), &mac);
	memcpy(buf, mac.addr_bytes, 6);
	memcpy(buf + 6, "\x02\x00\x00\x00\x00\xfe", 6);
	if (vlan)
		memcpy(buf + 12, "\x81\x00\x00\x64", 4);
	buf[off - 2] = 0x08;
	ip->version_ihl = 0x46;
	ip->type_of_service = 0xc0;
	ip->total_length = rte_cpu_to_be_16(24 + igmp_size);
	ip->time_to_live = 1;
	ip->next_proto_id = IPPROTO_IGMP;
	ip->src_addr = pkt_ip("172.16.91.1");
	ip->dst_addr = pkt_ip(dst);
	memcpy(ip + 1, "\x94\x04\x00\x00", 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	g[0] = 0x11;
	g[1] = code;
	memcpy(g + 4, &group_be, 4);
	if (version == 3) {
		g[8] = qrv & 7;
		g[9] = qqic;
	}
	c = ~rte_raw_cksum(g, igmp_size);
	memcpy(g + 2, &c, 2);
	return off + 24 + igmp_size;
}

static int
feed(struct vtep_igmp *ig, const uint8_t *buf, size_t size, uint64_t now)
{
	return vtep_igmp_input(ig, pkt_mbuf(pool, buf, size), now);
}

/* Every frame we send: IPv4 IHL 6 with Router Alert, TTL 1, both checksums right. */
static bool
well_formed(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + 14);

	return len >= 14 + 24 + 8 && p[14] == 0x46 && ip->time_to_live == 1 &&
			memcmp(p + 34, "\x94\x04\x00\x00", 4) == 0 &&
			rte_be_to_cpu_16(ip->total_length) == len - 14 &&
			rte_raw_cksum(ip, 24) == 0xffff &&
			rte_raw_cksum(p + 38, len - 38) == 0xffff;
}

static bool
same(const struct rte_mbuf *m, const uint8_t *want, size_t size)
{
	return pkt_compare(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), want,
			       size) == 0;
}

/* Run the timer every 10 ms from *now to end; keep the first frame and its time. */
static unsigned int
run(struct vtep_igmp *ig, uint64_t *now, uint64_t end, struct rte_mbuf **first, uint64_t *first_at,
		unsigned int *bad)
{
	unsigned int nb = 0;

	*first = NULL;
	for (; *now <= end; *now += HZ / 100) {
		struct rte_mbuf *out[8];
		unsigned int n = vtep_igmp_timer(ig, *now, out, RTE_DIM(out));

		for (unsigned int i = 0; i < n; i++) {
			*bad += !well_formed(out[i]);
			if (*first == NULL) {
				*first = out[i];
				*first_at = *now;
			} else {
				rte_pktmbuf_free(out[i]);
			}
			nb++;
		}
	}
	*now -= HZ / 100;
	return nb;
}

static void
test_v3(void)
{
	struct vtep_igmp ig;
	struct rte_mbuf *out[4], *m;
	unsigned int n = 0, nb, bad = 0;
	uint64_t now = T0, at;
	uint8_t buf[128];

	setup(&ig, 3, 42);
	CHECK(vtep_igmp_join(&ig, pkt_ip(G1), now, out, &n) == 0 && n == 1);
	CHECK(same(out[0], v3_join, sizeof(v3_join)));
	rte_pktmbuf_free(out[0]);
	CHECK(vtep_igmp_join(&ig, pkt_ip(G1), now, out, &n) == -EEXIST && n == 1);
	CHECK(vtep_igmp_join(&ig, pkt_ip("10.0.0.1"), now, out, &n) == -EINVAL);
	CHECK(vtep_igmp_join(&ig, pkt_ip("224.0.0.1"), now, out, &n) == -EINVAL);
	CHECK(vtep_igmp_mode(&ig, now) == 3);
	/* The repeat (robustness 2): once more within 1 s, still CHANGE_TO_EXCLUDE; then quiet. */
	nb = run(&ig, &now, T0 + 100 * HZ, &m, &at, &bad);
	CHECK(nb == 1 && m != NULL && at > T0 && at <= T0 + HZ);
	if (m != NULL) {
		CHECK(same(m, v3_join, sizeof(v3_join)));
		rte_pktmbuf_free(m);
	}
	n = 0;
	CHECK(vtep_igmp_join(&ig, pkt_ip(G2), now, out, &n) == 0 && n == 1);
	rte_pktmbuf_free(out[0]);
	nb = run(&ig, &now, now + 2 * HZ, &m, &at, &bad);
	CHECK(nb == 1);
	rte_pktmbuf_free(m);

	/* A general query (10 s): one report of both groups, IS_EX {}, within 10 s. */
	CHECK(feed(&ig, buf, query(buf, 3, "224.0.0.1", NULL, 100, 2, 125, false), now) == 0);
	at = now;
	CHECK(vtep_igmp_next_report(&ig, 0) > at && vtep_igmp_next_report(&ig, 0) <= at + 10 * HZ);
	nb = run(&ig, &now, at + 20 * HZ, &m, &at, &bad);
	CHECK(nb == 1 && m != NULL && at <= now - 10 * HZ + HZ / 100);
	if (m != NULL) {
		CHECK(same(m, v3_general, sizeof(v3_general)));
		rte_pktmbuf_free(m);
	}
	CHECK(vtep_igmp_next_report(&ig, 0) == 0);

	/* A group-specific query (sent to the group): one record, for that group only. */
	CHECK(feed(&ig, buf, query(buf, 3, G2, G2, 10, 2, 125, false), now) == 0);
	nb = run(&ig, &now, now + 2 * HZ, &m, &at, &bad);
	CHECK(nb == 1 && m != NULL);
	if (m != NULL) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

		CHECK(rte_pktmbuf_data_len(m) == 54 && p[38] == 0x22 && p[45] == 1 && p[46] == 2 &&
				memcmp(p + 50, "\xef\x02\x02\x02", 4) == 0);
		rte_pktmbuf_free(m);
	}
	/* A query for a group we are not in: nothing. */
	CHECK(feed(&ig, buf, query(buf, 3, "239.9.9.9", "239.9.9.9", 10, 2, 125, true), now) == 0);
	CHECK(run(&ig, &now, now + 2 * HZ, &m, &at, &bad) == 0);

	n = vtep_igmp_leave_all(&ig, now, out, RTE_DIM(out));
	CHECK(n == 1 && same(out[0], v3_leave, sizeof(v3_leave)));
	for (unsigned int i = 0; i < n; i++)
		rte_pktmbuf_free(out[i]);
	CHECK(ig.nb_groups == 0 && vtep_igmp_leave_all(&ig, now, out, RTE_DIM(out)) == 0);
	CHECK(bad == 0 && ig.c.queries == 3);
}

/* Delays after queries with a given code: all within (0, max], spread over it. */
static void
check_delays(unsigned int version, uint8_t code, uint64_t max_ticks)
{
	struct vtep_igmp ig;
	struct rte_mbuf *out[2];
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned int n = 0, bad = 0;
	uint8_t buf[128];

	setup(&ig, 3, 7 + code);
	CHECK(vtep_igmp_join(&ig, pkt_ip(G1), T0, out, &n) == 0);
	rte_pktmbuf_free(out[0]);
	for (unsigned int i = 0; i < 200; i++) {
		uint64_t now = T0 + (uint64_t)i * 10000 * HZ, at;

		ig.groups[0].report_at = 0; /* forget the last answer (and the join's repeat) */
		ig.general_at = 0;
		CHECK(feed(&ig, buf, query(buf, version, "224.0.0.1", NULL, code, 2, 125, false),
				      now) == 0);
		at = vtep_igmp_next_report(&ig, 0);
		if (at <= now || at > now + max_ticks)
			bad++;
		lo = RTE_MIN(lo, at - now);
		hi = RTE_MAX(hi, at - now);
	}
	CHECKF(bad == 0, "v%u code %u: %u delays outside (0, %lu]", version, code, bad,
			(unsigned long)max_ticks);
	CHECKF(lo < max_ticks / 10 && hi > max_ticks * 9 / 10, "v%u code %u: delays %lu..%lu",
			version, code, (unsigned long)lo, (unsigned long)hi);
}

static void
test_delays(void)
{
	check_delays(2, 100, 10 * HZ);                      /* v2: tenths of a second */
	check_delays(2, 0, 10 * HZ);                        /* v1 query: 10 s */
	check_delays(3, 20, 2 * HZ);                        /* v3 below 128: linear */
	check_delays(3, 0x80, 128 * HZ / 10);               /* (0|0x10) << 3 = 128 tenths */
	check_delays(3, 0x9a, (uint64_t)26 * 16 * HZ / 10); /* (0xa|0x10) << 4 = 416 tenths */
}

static void
test_v2_compat(void)
{
	struct vtep_igmp ig;
	struct rte_mbuf *out[4], *m;
	unsigned int n = 0, nb, bad = 0;
	uint64_t now = T0, at;
	uint8_t buf[128];

	setup(&ig, 3, 1);
	CHECK(vtep_igmp_join(&ig, pkt_ip(G1), now, out, &n) == 0);
	rte_pktmbuf_free(out[0]);
	run(&ig, &now, now + 2 * HZ, &m, &at, &bad);
	rte_pktmbuf_free(m);

	/* A v2 querier (8-byte query): reports in v2, to the group, for 260 s. */
	at = now;
	CHECK(feed(&ig, buf, query(buf, 2, "224.0.0.1", NULL, 100, 0, 0, false), now) == 0);
	CHECK(vtep_igmp_mode(&ig, now) == 2);
	nb = run(&ig, &now, now + 11 * HZ, &m, &at, &bad);
	CHECK(nb == 1 && m != NULL);
	if (m != NULL) {
		CHECK(same(m, v2_report, sizeof(v2_report)));
		rte_pktmbuf_free(m);
	}
	CHECK(vtep_igmp_mode(&ig, T0 + 2 * HZ + 260 * HZ - 1) == 2);
	CHECK(vtep_igmp_mode(&ig, T0 + 2 * HZ + 260 * HZ + 1) == 3);
	n = vtep_igmp_leave_all(&ig, now, out, RTE_DIM(out));
	CHECK(n == 1 && same(out[0], v2_leave, sizeof(v2_leave)));
	rte_pktmbuf_free(out[0]);

	/* The timeout follows the querier's QRV and QQIC (RFC 3376 8.12): 3 * 60 + 10 s. */
	setup(&ig, 3, 1);
	now = T0;
	CHECK(feed(&ig, buf, query(buf, 3, "224.0.0.1", NULL, 100, 3, 60, false), now) == 0);
	CHECK(vtep_igmp_mode(&ig, now) == 3);
	CHECK(feed(&ig, buf, query(buf, 2, "224.0.0.1", NULL, 100, 0, 0, false), now) == 0);
	CHECK(vtep_igmp_mode(&ig, now + 190 * HZ - 1) == 2 &&
			vtep_igmp_mode(&ig, now + 190 * HZ) == 3);

	/* Configured v2: join reports in v2, repeated once within 10 s; v3 queries answered. */
	setup(&ig, 2, 5);
	now = T0;
	n = 0;
	CHECK(vtep_igmp_join(&ig, pkt_ip(G1), now, out, &n) == 0 && n == 1);
	CHECK(same(out[0], v2_report, sizeof(v2_report)));
	rte_pktmbuf_free(out[0]);
	nb = run(&ig, &now, T0 + 10 * HZ, &m, &at, &bad);
	CHECK(nb == 1 && m != NULL && same(m, v2_report, sizeof(v2_report)));
	rte_pktmbuf_free(m);
	CHECK(feed(&ig, buf, query(buf, 3, "224.0.0.1", NULL, 10, 2, 125, false), now) == 0);
	nb = run(&ig, &now, now + 2 * HZ, &m, &at, &bad);
	CHECK(nb == 1 && m != NULL && same(m, v2_report, sizeof(v2_report)));
	rte_pktmbuf_free(m);
	CHECK(bad == 0);
}

static void
test_malformed(void)
{
	struct vtep_igmp ig;
	uint8_t buf[128], v2q[128];
	size_t size, v2size;
	unsigned int bad = 0, expected = 0;
	uint16_t c;

	setup(&ig, 3, 1);
	size = query(buf, 3, "224.0.0.1", NULL, 100, 2, 125, true);
	v2size = query(v2q, 2, "224.0.0.1", NULL, 100, 0, 0, false);
	for (size_t len = 0; len < size; len++) {
		bad += vtep_igmp_input(&ig, pkt_exact_mbuf(pool, buf, len), T0) != -EINVAL;
		expected++;
		if (len < v2size) {
			bad += vtep_igmp_input(&ig, pkt_exact_mbuf(pool, v2q, len), T0) != -EINVAL;
			expected++;
		}
	}
	CHECKF(bad == 0, "%u truncated queries accepted", bad);
	CHECK(ig.c.invalid == expected && ig.c.queries == 0 && vtep_igmp_mode(&ig, T0) == 3);
	CHECK(vtep_igmp_input(&ig, pkt_exact_mbuf(pool, buf, size), T0) == 0 && ig.c.queries == 1);

	/* Bad IGMP checksum. */
	v2q[40] ^= 1;
	CHECK(feed(&ig, v2q, v2size, T0) == -EINVAL);
	v2q[40] ^= 1;
	/* IHL below 5, IHL past the end, total length past the frame. */
	v2q[14] = 0x44;
	CHECK(feed(&ig, v2q, v2size, T0) == -EINVAL);
	v2q[14] = 0x4f;
	CHECK(feed(&ig, v2q, v2size, T0) == -EINVAL);
	v2q[14] = 0x46;
	v2q[17] += 1;
	CHECK(feed(&ig, v2q, v2size, T0) == -EINVAL);
	v2q[17] -= 1;
	/* 10 bytes of IGMP: neither v2 nor v3 (RFC 3376 7.1). */
	v2size = query(v2q, 2, "224.0.0.1", NULL, 100, 0, 0, false);
	v2q[17] += 2;
	v2q[46] = v2q[47] = 0;
	v2q[40] = v2q[41] = 0;
	c = ~rte_raw_cksum(v2q + 38, 10);
	memcpy(v2q + 40, &c, 2);
	CHECK(feed(&ig, v2q, v2size + 2, T0) == -EINVAL);
	CHECK(vtep_igmp_mode(&ig, T0) == 3 && ig.c.queries == 1);
	/* A report of another host: fine, ignored. */
	v2size = query(v2q, 2, "239.1.1.1", "239.1.1.1", 0, 0, 0, false);
	v2q[38] = 0x16;
	v2q[40] = v2q[41] = 0;
	c = ~rte_raw_cksum(v2q + 38, 8);
	memcpy(v2q + 40, &c, 2);
	CHECK(feed(&ig, v2q, v2size, T0) == 0 && ig.c.queries == 1);
}

int
main(void)
{
	unsigned int avail;

	vtep_test_eal_init("igmp", NULL);
	pool = vtep_test_pool();
	avail = rte_mempool_avail_count(pool);
	test_v3();
	test_delays();
	test_v2_compat();
	test_malformed();
	CHECKF(rte_mempool_avail_count(pool) == avail, "%u mbufs leaked",
			avail - rte_mempool_avail_count(pool));
	return vtep_test_done("igmp");
}
