/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IGMP host side: v3 reports (RFC 3376) and v2 ones (RFC 2236) compared byte for byte with frames
 * scapy built; every frame sent has valid headers (Router Alert, TTL 1, checksums); join repeats
 * within the unsolicited interval; queries are answered once, after a random delay within the
 * maximum response time (v1 and v2 codes, v3 linear and floating-point codes as in RFC 3376
 * 4.1.1), for the groups they name only; a v1/v2 querier switches us to v2 for 260 s, or for
 * what the querier's QRV and QQIC say (RFC 3376 7.2.1, 8.12); configured v2; leaves; malformed
 * and truncated queries (untagged and tagged, in exact-size buffers) refused, counted and freed.
 * The clock is driven by the test (a fake 1 MHz TSC).
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_hdr.h"
#include "vtep_igmp.h"

#define HZ 1000000ull
#define MS (HZ / 1000)
#define LOCAL "172.16.91.129"
#define LOCAL_MAC "02:00:00:00:91:81"
#define QUERIER "172.16.91.1"
#define QUERIER_MAC "02:00:00:00:91:01"
#define G1 "239.1.1.1"
#define G2 "239.1.1.2"
#define G3 "239.2.2.2"

static struct rte_mempool *pool;
static struct vtep_igmp ig;
/* Start of the clock: not 0, so a bug that treats 0 as "unset" cannot hide. */
static const uint64_t T0 = 1000 * HZ;

/* clang-format off */
/*
 * Ether(dst="01:00:5e:00:00:16", src="02:00:00:00:91:81")/IP(src="172.16.91.129",
 *     dst="224.0.0.22", ttl=1, tos=0xc0, id=0, flags="DF", options=[IPOption_Router_Alert()])/
 * IGMPv3(type=0x22)/IGMPv3mr(records=[IGMPv3gr(rtype=4, maddr="239.1.1.1")])
 */
static const uint8_t v3_to_ex_g1[] = {
	0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00, 0x91, 0x81,
	0x08, 0x00, 0x46, 0xc0, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02,
	0xfc, 0x67, 0xac, 0x10, 0x5b, 0x81, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04,
	0x00, 0x00, 0x22, 0x00, 0xe9, 0xfb, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00,
	0x00, 0x00, 0xef, 0x01, 0x01, 0x01,
};

/* As v3_to_ex_g1 with IGMPv3mr(records=[IGMPv3gr(rtype=2, maddr="239.1.1.1"),
 *     IGMPv3gr(rtype=2, maddr="239.1.1.2")]) */
static const uint8_t v3_is_ex_g1g2[] = {
	0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00, 0x91, 0x81,
	0x08, 0x00, 0x46, 0xc0, 0x00, 0x30, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02,
	0xfc, 0x5f, 0xac, 0x10, 0x5b, 0x81, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04,
	0x00, 0x00, 0x22, 0x00, 0xf9, 0xf6, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0xef, 0x01, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0xef, 0x01,
	0x01, 0x02,
};

/* As v3_to_ex_g1 with IGMPv3mr(records=[IGMPv3gr(rtype=3, maddr="239.1.1.1"),
 *     IGMPv3gr(rtype=3, maddr="239.1.1.2")]) */
static const uint8_t v3_to_in_g1g2[] = {
	0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00, 0x91, 0x81,
	0x08, 0x00, 0x46, 0xc0, 0x00, 0x30, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02,
	0xfc, 0x5f, 0xac, 0x10, 0x5b, 0x81, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04,
	0x00, 0x00, 0x22, 0x00, 0xf7, 0xf6, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00,
	0x00, 0x00, 0xef, 0x01, 0x01, 0x01, 0x03, 0x00, 0x00, 0x00, 0xef, 0x01,
	0x01, 0x02,
};

/*
 * Ether(dst="01:00:5e:01:01:01", src="02:00:00:00:91:81")/IP(src="172.16.91.129",
 *     dst="239.1.1.1", ttl=1, tos=0xc0, id=0, flags="DF", options=[IPOption_Router_Alert()])/
 * IGMP(type=0x16, mrcode=0, gaddr="239.1.1.1")
 */
static const uint8_t v2_report_g1[] = {
	0x01, 0x00, 0x5e, 0x01, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x91, 0x81,
	0x08, 0x00, 0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02,
	0xec, 0x83, 0xac, 0x10, 0x5b, 0x81, 0xef, 0x01, 0x01, 0x01, 0x94, 0x04,
	0x00, 0x00, 0x16, 0x00, 0xf9, 0xfc, 0xef, 0x01, 0x01, 0x01,
};

/*
 * Ether(dst="01:00:5e:00:00:02", src="02:00:00:00:91:81")/IP(src="172.16.91.129",
 *     dst="224.0.0.2", ttl=1, tos=0xc0, id=0, flags="DF", options=[IPOption_Router_Alert()])/
 * IGMP(type=0x17, mrcode=0, gaddr="239.1.1.1")
 */
static const uint8_t v2_leave_g1[] = {
	0x01, 0x00, 0x5e, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x91, 0x81,
	0x08, 0x00, 0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02,
	0xfc, 0x83, 0xac, 0x10, 0x5b, 0x81, 0xe0, 0x00, 0x00, 0x02, 0x94, 0x04,
	0x00, 0x00, 0x17, 0x00, 0xf8, 0xfc, 0xef, 0x01, 0x01, 0x01,
};
/* clang-format on */

/* What a report frame holds, once checked. */
struct report {
	uint8_t version;     /* 2 or 3 */
	uint8_t type;        /* IGMP type */
	rte_be32_t dst_be;   /* IP destination */
	rte_be32_t group_be; /* v2: the group */
	unsigned int nb_rec; /* v3 */
	uint8_t rec_type[VTEP_IGMP_MAX_GROUPS];
	rte_be32_t rec_group_be[VTEP_IGMP_MAX_GROUPS];
};

/*
 * Check everything a report must have (RFC 3376 4.2 / RFC 2236 2, 3): Ethernet
 * to the group MAC of the IP destination from us; IPv4 with IHL 6 and Router
 * Alert (RFC 2113), TTL 1, id 0, DF, TOS 0xc0 (internetwork control, as Linux
 * sends v2 and v3), valid checksum, from us; IGMP checksum valid; v3 records
 * without sources. Frees m. @return 0 when it is well formed.
 */
static int
parse_report(struct rte_mbuf *m, struct report *r)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	size_t size = rte_pktmbuf_data_len(m), igmp_size;
	struct rte_ether_addr want_dst, local_mac = pkt_mac(LOCAL_MAC);
	const uint8_t *ip = p + 14, *g = p + 38;
	rte_be32_t src_be;
	int bad = 0;

	memset(r, 0, sizeof(*r));
	if (size < 46 || m->nb_segs != 1 || rte_pktmbuf_pkt_len(m) != size) {
		CHECKF(0, "report of %zu bytes", size);
		rte_pktmbuf_free(m);
		return -1;
	}
	memcpy(&r->dst_be, ip + 16, 4);
	memcpy(&src_be, ip + 12, 4);
	vtep_group_mac(r->dst_be, &want_dst);
	igmp_size = size - 38;
	r->type = g[0];
	r->version = g[0] == 0x22 ? 3 : 2;
#define RCHECK(c)                                                                                  \
	do {                                                                                       \
		CHECK(c);                                                                          \
		bad |= !(c);                                                                       \
	} while (0)
	RCHECK(memcmp(p, &want_dst, 6) == 0);
	RCHECK(memcmp(p + 6, &local_mac, 6) == 0);
	RCHECK(p[12] == 0x08 && p[13] == 0x00);
	RCHECK(ip[0] == 0x46);
	RCHECK(ip[1] == 0xc0);
	RCHECK((size_t)(ip[2] << 8 | ip[3]) == size - 14);
	RCHECK(ip[4] == 0 && ip[5] == 0);
	RCHECK(ip[6] == 0x40 && ip[7] == 0);
	RCHECK(ip[8] == 1);
	RCHECK(ip[9] == IPPROTO_IGMP);
	RCHECK(pkt_csum(ip, 24) == 0);
	RCHECK(src_be == pkt_ip(LOCAL));
	RCHECK(ip[20] == 0x94 && ip[21] == 0x04 && ip[22] == 0 && ip[23] == 0);
	RCHECK(pkt_csum(g, igmp_size) == 0);
	if (r->version == 2) {
		RCHECK(igmp_size == 8);
		RCHECK(g[1] == 0);
		memcpy(&r->group_be, g + 4, 4);
	} else {
		RCHECK(r->dst_be == pkt_ip("224.0.0.22"));
		RCHECK(g[1] == 0 && g[4] == 0 && g[5] == 0);
		r->nb_rec = (unsigned int)g[6] << 8 | g[7];
		RCHECK(r->nb_rec <= VTEP_IGMP_MAX_GROUPS && igmp_size == 8 + 8 * r->nb_rec);
		for (unsigned int i = 0; !bad && i < r->nb_rec; i++) {
			const uint8_t *rec = g + 8 + 8 * i;

			RCHECK(rec[1] == 0 && rec[2] == 0 && rec[3] == 0); /* aux, sources */
			r->rec_type[i] = rec[0];
			memcpy(&r->rec_group_be[i], rec + 4, 4);
		}
	}
#undef RCHECK
	rte_pktmbuf_free(m);
	return bad ? -1 : 0;
}

/* m holds exactly want (frees m). */
static int
same_bytes(struct rte_mbuf *m, const uint8_t *want, size_t want_size)
{
	int r = pkt_compare(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), want,
			want_size);

	rte_pktmbuf_free(m);
	return r;
}

/*
 * A query from QUERIER to dst: IPv4 with Router Alert, IGMP of igmp_size bytes (8: v1/v2, 12: v3,
 * with QRV 2 and QQIC 125), valid checksums, one 802.1Q tag unless vlan is 0. @return its size.
 */
static size_t
query_frame(uint8_t *buf, const char *dst, const char *group, uint8_t code, size_t igmp_size,
		uint16_t vlan)
{
	struct rte_ether_addr s = pkt_mac(QUERIER_MAC), d;
	uint32_t sip = pkt_ip(QUERIER), dip = pkt_ip(dst), grp = group ? pkt_ip(group) : 0;
	size_t ip_size = 24 + igmp_size;
	uint8_t *ip = buf + 14, *g = ip + 24;

	memset(buf, 0, 18 + ip_size);
	vtep_group_mac(dip, &d);
	memcpy(buf, &d, 6);
	memcpy(buf + 6, &s, 6);
	buf[12] = 0x08;
	ip[0] = 0x46;
	ip[1] = 0xc0;
	ip[2] = ip_size >> 8;
	ip[3] = ip_size & 0xff;
	ip[8] = 1;
	ip[9] = IPPROTO_IGMP;
	memcpy(ip + 12, &sip, 4);
	memcpy(ip + 16, &dip, 4);
	memcpy(ip + 20, "\x94\x04\x00\x00", 4);
	pkt_put_csum(ip + 10, ip, 24);
	g[0] = 0x11;
	g[1] = code;
	memcpy(g + 4, &grp, 4);
	if (igmp_size >= 12) {
		g[8] = 2;   /* QRV */
		g[9] = 125; /* QQIC */
	}
	pkt_put_csum(g + 2, g, igmp_size);
	return vlan != 0 ? pkt_add_vlan(buf, 14 + ip_size, vlan) : 14 + ip_size;
}

static int
query(const char *dst, const char *group, uint8_t code, size_t igmp_size, uint64_t now)
{
	uint8_t buf[128];

	return vtep_igmp_input(&ig,
			pkt_mbuf(pool, buf, query_frame(buf, dst, group, code, igmp_size, 0)), now);
}

static void
init(uint8_t version, uint64_t seed)
{
	struct vtep_igmp_params p = {
			.local_be = pkt_ip(LOCAL),
			.local_mac = pkt_mac(LOCAL_MAC),
			.pool = pool,
			.version = version,
			.hz = HZ,
			.seed = seed,
	};

	vtep_igmp_init(&ig, &p);
}

/* Frames from the timer that were not well_formed() (checked once, in main). */
static unsigned int ill_formed;

/* What every frame we send has: IPv4 IHL 6 with Router Alert, TTL 1, both checksums right. */
static bool
well_formed(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);

	return len >= 14 + 24 + 8 && p[14] == 0x46 && p[14 + 8] == 1 &&
			memcmp(p + 34, "\x94\x04\x00\x00", 4) == 0 &&
			(uint32_t)(p[16] << 8 | p[17]) == len - 14 && pkt_csum(p + 14, 24) == 0 &&
			pkt_csum(p + 38, len - 38) == 0;
}

/* Frames the timer emits, with the time of each. */
struct sent {
	unsigned int n;
	struct rte_mbuf *m[16];
	uint64_t at[16];
};

/* Run the timer every step ticks over [from, to]; collect what it sends. */
static void
run(uint64_t from, uint64_t to, uint64_t step, struct sent *s)
{
	s->n = 0;
	for (uint64_t t = from; t <= to; t += step) {
		struct rte_mbuf *out[8];
		unsigned int n = vtep_igmp_timer(&ig, t, out, RTE_DIM(out));

		for (unsigned int i = 0; i < n; i++) {
			ill_formed += !well_formed(out[i]);
			if (s->n < RTE_DIM(s->m)) {
				s->m[s->n] = out[i];
				s->at[s->n++] = t;
			} else {
				CHECKF(0, "more than %zu frames", RTE_DIM(s->m));
				rte_pktmbuf_free(out[i]);
			}
		}
	}
}

static void
free_sent(struct sent *s)
{
	for (unsigned int i = 0; i < s->n; i++)
		rte_pktmbuf_free(s->m[i]);
	s->n = 0;
}

/* Join g at now in v3: the CHANGE_TO_EXCLUDE report goes out at once. */
static void
join(const char *g, uint64_t now)
{
	struct rte_mbuf *out[1];
	unsigned int nb = 0;
	struct report r;

	CHECK(vtep_igmp_join(&ig, pkt_ip(g), now, out, &nb) == 0);
	CHECK(nb == 1);
	if (nb == 1 && parse_report(out[0], &r) == 0)
		CHECK(r.version == 3 && r.nb_rec == 1 && r.rec_type[0] == 4 &&
				r.rec_group_be[0] == pkt_ip(g));
}

static void
test_v3_join(void)
{
	struct rte_mbuf *out[2];
	unsigned int nb = 0;
	struct sent s;
	struct report r;

	init(3, 1);
	CHECK(vtep_igmp_mode(&ig, T0) == 3);
	CHECK(vtep_igmp_join(&ig, pkt_ip(G1), T0, out, &nb) == 0);
	CHECK(nb == 1);
	if (nb == 1)
		CHECK(same_bytes(out[0], v3_to_ex_g1, sizeof(v3_to_ex_g1)) == 0);
	CHECK(ig.c.reports == 1);
	/* Already joined; not a group; all-hosts, which is never reported (RFC 2236 6). */
	CHECK(vtep_igmp_join(&ig, pkt_ip(G1), T0, out, &nb) == -EEXIST && nb == 1);
	CHECK(vtep_igmp_join(&ig, pkt_ip("172.16.91.1"), T0, out, &nb) == -EINVAL && nb == 1);
	CHECK(vtep_igmp_join(&ig, pkt_ip("224.0.0.1"), T0, out, &nb) == -EINVAL && nb == 1);
	CHECK(ig.nb_groups == 1);
	/* Nothing at the join's own time; one repeat (RFC 3376 8.11: within 1 s), then silence. */
	run(T0, T0 + 30 * HZ, MS, &s);
	CHECK(s.n == 1);
	if (s.n == 1) {
		CHECKF(s.at[0] > T0 && s.at[0] <= T0 + HZ, "repeat at +%lu us",
				(unsigned long)(s.at[0] - T0));
		CHECK(same_bytes(s.m[0], v3_to_ex_g1, sizeof(v3_to_ex_g1)) == 0);
		s.n = 0;
	}
	free_sent(&s);
	CHECK(ig.c.reports == 2);
	/* The repeat's delay is random: several seeds spread it over the second. */
	{
		uint64_t lo = UINT64_MAX, hi = 0;

		for (uint64_t seed = 1; seed <= 20; seed++) {
			init(3, seed * 7919);
			nb = 0;
			CHECK(vtep_igmp_join(&ig, pkt_ip(G1), T0, out, &nb) == 0 && nb == 1);
			rte_pktmbuf_free_bulk(out, nb);
			run(T0, T0 + 2 * HZ, MS, &s);
			CHECK(s.n == 1);
			if (s.n == 1) {
				CHECK(s.at[0] > T0 && s.at[0] <= T0 + HZ);
				lo = RTE_MIN(lo, s.at[0] - T0);
				hi = RTE_MAX(hi, s.at[0] - T0);
			}
			free_sent(&s);
		}
		CHECKF(hi - lo > HZ / 4, "repeats between +%lu and +%lu us", (unsigned long)lo,
				(unsigned long)hi);
	}
	/* Table full. */
	init(3, 1);
	for (unsigned int i = 0; i < VTEP_IGMP_MAX_GROUPS; i++) {
		nb = 0;
		CHECK(vtep_igmp_join(&ig, rte_cpu_to_be_32(0xef000100 + i), T0, out, &nb) == 0);
		rte_pktmbuf_free_bulk(out, nb);
	}
	nb = 0;
	CHECK(vtep_igmp_join(&ig, pkt_ip(G3), T0, out, &nb) == -ENOSPC && nb == 0);
	/* The repeats of 64 groups come out, however small the room per call. */
	{
		unsigned int total = 0;

		for (uint64_t t = T0; t <= T0 + 2 * HZ; t += 10 * MS) {
			unsigned int n = vtep_igmp_timer(&ig, t, out, 1);

			if (n == 1 && parse_report(out[0], &r) == 0)
				CHECK(r.version == 3 && r.nb_rec == 1 && r.rec_type[0] == 4);
			total += n;
		}
		CHECK(total == VTEP_IGMP_MAX_GROUPS);
	}
}

/* A rejoin (the underlay's link came back): every group reported again at once, as a join is
 * (CHANGE_TO_EXCLUDE, the unsolicited kind), then one repeat within 1 s each, then silence. */
static void
test_rejoin(void)
{
	struct rte_mbuf *out[2];
	unsigned int nb = 0, g1 = 0, g2 = 0;
	struct report r;
	struct sent s;

	init(3, 5);
	join(G1, T0);
	join(G2, T0);
	run(T0, T0 + 30 * HZ, MS, &s);
	CHECKF(s.n == 2, "join repeats: %u", s.n);
	free_sent(&s);
	nb = vtep_igmp_timer(&ig, T0 + 40 * HZ, out, RTE_DIM(out));
	CHECKF(nb == 0, "%u frames before the rejoin", nb);
	vtep_igmp_rejoin(&ig, T0 + 40 * HZ);
	run(T0 + 40 * HZ, T0 + 40 * HZ, MS, &s);
	CHECKF(s.n == 2, "at the rejoin: %u reports", s.n);
	free_sent(&s);
	run(T0 + 40 * HZ + MS, T0 + 70 * HZ, MS, &s);
	CHECKF(s.n == 2, "after the rejoin: %u repeats", s.n);
	for (unsigned int i = 0; i < s.n; i++) {
		CHECK(s.at[i] <= T0 + 41 * HZ);
		if (parse_report(s.m[i], &r) == 0 && r.version == 3 && r.nb_rec == 1 &&
				r.rec_type[0] == 4) {
			g1 += r.rec_group_be[0] == pkt_ip(G1);
			g2 += r.rec_group_be[0] == pkt_ip(G2);
		}
	}
	CHECKF(g1 == 1 && g2 == 1, "repeats: %u of G1, %u of G2", g1, g2);
	free_sent(&s);
}

/* Let the join repeats go out. */
static void
settle(uint64_t from, uint64_t to)
{
	struct sent s;

	run(from, to, 10 * MS, &s);
	free_sent(&s);
}

/* A v3 general query at now with code: one report of every group, at a delay
 * returned. */
static uint64_t
general_delay(uint8_t code, uint64_t now, uint64_t horizon)
{
	struct rte_mbuf *out[2];
	struct sent s;
	struct report r;
	uint64_t delay = UINT64_MAX;

	CHECK(query("224.0.0.1", NULL, code, 12, now) == 0);
	CHECK(vtep_igmp_mode(&ig, now) == 3);
	/* Never before the query (and not at its own time: the delay is at least one tick). */
	CHECK(vtep_igmp_timer(&ig, now, out, RTE_DIM(out)) == 0);
	run(now, now + horizon, MS, &s);
	CHECKF(s.n == 1, "%u reports", s.n);
	if (s.n == 1) {
		delay = s.at[0] - now;
		if (parse_report(s.m[0], &r) == 0) {
			CHECK(r.version == 3 && r.nb_rec == 2);
			CHECK(r.rec_type[0] == 2 && r.rec_type[1] == 2);
			CHECK(r.rec_group_be[0] == pkt_ip(G1) && r.rec_group_be[1] == pkt_ip(G2));
		}
		s.n = 0;
	}
	free_sent(&s);
	return delay;
}

static void
test_v3_queries(void)
{
	uint64_t t = T0, lo = UINT64_MAX, hi = 0, d;
	struct rte_mbuf *out[4];
	unsigned int n;
	struct sent s;

	init(3, 42);
	join(G1, t);
	join(G2, t);
	settle(t, t + 2 * HZ);
	t += 10 * HZ;

	/*
	 * A general query with Max Resp Code 100 (10 s), byte for byte once, when
	 * vtep_igmp_next_report() said (for either group), and nothing pending after.
	 */
	CHECK(query("224.0.0.1", NULL, 100, 12, t) == 0);
	CHECK(ig.c.queries == 1);
	d = vtep_igmp_next_report(&ig, 0);
	CHECK(d > t && d <= t + 10 * HZ && vtep_igmp_next_report(&ig, 1) == d);
	CHECK(vtep_igmp_timer(&ig, t, out, RTE_DIM(out)) == 0);
	run(t, t + 30 * HZ, MS, &s);
	CHECK(s.n == 1);
	if (s.n == 1) {
		CHECK(s.at[0] > t && s.at[0] < t + 10 * HZ && s.at[0] >= d && s.at[0] < d + MS);
		CHECK(same_bytes(s.m[0], v3_is_ex_g1g2, sizeof(v3_is_ex_g1g2)) == 0);
		s.n = 0;
	}
	free_sent(&s);
	CHECK(vtep_igmp_next_report(&ig, 0) == 0 && vtep_igmp_next_report(&ig, 1) == 0);
	t += 31 * HZ;

	/* Many queries: always within (0, 10 s), spread over it. */
	for (unsigned int i = 0; i < 40; i++) {
		d = general_delay(100, t, 11 * HZ);
		CHECKF(d > 0 && d < 10 * HZ, "delay %lu us", (unsigned long)d);
		lo = RTE_MIN(lo, d);
		hi = RTE_MAX(hi, d);
		t += 12 * HZ;
	}
	CHECKF(lo < 3 * HZ && hi > 7 * HZ, "delays %lu..%lu us", (unsigned long)lo,
			(unsigned long)hi);

	/*
	 * Max Resp Code 0x8f: floating point (RFC 3376 4.1.1), exp 0, mant 0xf:
	 * (0x0f | 0x10) << (0 + 3) = 248 tenths = 24.8 s, not 14.3 s.
	 */
	lo = UINT64_MAX;
	hi = 0;
	for (unsigned int i = 0; i < 40; i++) {
		d = general_delay(0x8f, t, 25 * HZ);
		CHECKF(d > 0 && d < 24800 * MS, "delay %lu us", (unsigned long)d);
		lo = RTE_MIN(lo, d);
		hi = RTE_MAX(hi, d);
		t += 26 * HZ;
	}
	CHECKF(hi > 14300 * MS, "0x8f read as 14.3 s? longest delay %lu us", (unsigned long)hi);
	/* 0xa3: exp 2, mant 3: 19 << 5 = 608 tenths = 60.8 s. */
	hi = 0;
	for (unsigned int i = 0; i < 20; i++) {
		d = general_delay(0xa3, t, 61 * HZ);
		CHECKF(d > 0 && d < 60800 * MS, "delay %lu us", (unsigned long)d);
		hi = RTE_MAX(hi, d);
		t += 62 * HZ;
	}
	CHECKF(hi > 40 * HZ, "0xa3: longest delay %lu us", (unsigned long)hi);
	/* Below 128 the code is linear: 10 = 1 s. */
	for (unsigned int i = 0; i < 20; i++) {
		d = general_delay(10, t, 2 * HZ);
		CHECKF(d > 0 && d < HZ, "delay %lu us", (unsigned long)d);
		t += 3 * HZ;
	}

	/* A second query while one report is pending: still one report (RFC 3376 5.2). */
	CHECK(query("224.0.0.1", NULL, 100, 12, t) == 0);
	d = ig.general_at;
	run(t, t + 100 * MS, MS, &s);
	n = s.n;
	free_sent(&s);
	CHECK(query("224.0.0.1", NULL, 100, 12, t + 101 * MS) == 0);
	CHECK(ig.general_at <= d);
	run(t + 101 * MS, t + 12 * HZ, MS, &s);
	CHECK(n + s.n == 1);
	free_sent(&s);
	t += 13 * HZ;

	/* Group-specific query for G2 (sent to the group): a report of G2 only. */
	CHECK(query(G2, G2, 100, 12, t) == 0);
	CHECK(vtep_igmp_timer(&ig, t, out, RTE_DIM(out)) == 0);
	run(t, t + 12 * HZ, MS, &s);
	CHECK(s.n == 1);
	if (s.n == 1) {
		struct report r;

		CHECK(s.at[0] > t && s.at[0] < t + 10 * HZ);
		if (parse_report(s.m[0], &r) == 0)
			CHECK(r.version == 3 && r.nb_rec == 1 && r.rec_type[0] == 2 &&
					r.rec_group_be[0] == pkt_ip(G2));
		s.n = 0;
	}
	free_sent(&s);
	t += 13 * HZ;

	/* A query for a group we are not in: nothing. */
	CHECK(query(G3, G3, 100, 12, t) == 0);
	run(t, t + 30 * HZ, MS, &s);
	CHECK(s.n == 0);
	free_sent(&s);
	CHECK(vtep_igmp_mode(&ig, t) == 3);

	/* Reports of other hosts are not queries: ignored, no answer. */
	{
		uint8_t buf[128];
		size_t size = query_frame(buf, "224.0.0.22", NULL, 0, 12, 0);
		uint64_t q = ig.c.queries;

		buf[38] = 0x22;
		pkt_put_csum(buf + 40, buf + 38, 12);
		CHECK(vtep_igmp_input(&ig, pkt_mbuf(pool, buf, size), t) == 0);
		size = query_frame(buf, G1, G1, 0, 8, 0);
		buf[38] = 0x16;
		pkt_put_csum(buf + 40, buf + 38, 8);
		CHECK(vtep_igmp_input(&ig, pkt_mbuf(pool, buf, size), t) == 0);
		CHECK(ig.c.queries == q);
		CHECK(vtep_igmp_mode(&ig, t) == 3);
		run(t, t + 30 * HZ, 10 * MS, &s);
		CHECK(s.n == 0);
		free_sent(&s);
	}
	t += 31 * HZ;

	/* A query with an 802.1Q tag is understood too. */
	{
		uint8_t buf[128];
		size_t size = query_frame(buf, "224.0.0.1", NULL, 100, 12, 100);

		CHECK(vtep_igmp_input(&ig, pkt_mbuf(pool, buf, size), t) == 0);
		run(t, t + 11 * HZ, MS, &s);
		CHECK(s.n == 1);
		free_sent(&s);
	}
}

/*
 * The delays vtep_igmp_next_report() announces after 200 general queries with code (8-byte v1/v2
 * queries, or 12-byte v3 ones): all within (0, max_ticks], spread over it.
 */
static void
check_delays(size_t igmp_size, uint8_t code, uint64_t max_ticks)
{
	struct rte_mbuf *out[2];
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned int n = 0, bad = 0;

	init(3, 7 + code);
	CHECK(vtep_igmp_join(&ig, pkt_ip(G1), T0, out, &n) == 0);
	rte_pktmbuf_free_bulk(out, n);
	for (unsigned int i = 0; i < 200; i++) {
		uint64_t now = T0 + (uint64_t)i * 10000 * HZ, at;

		ig.groups[0].report_at = 0; /* forget the last answer (and the join's repeat) */
		ig.general_at = 0;
		CHECK(query("224.0.0.1", NULL, code, igmp_size, now) == 0);
		at = vtep_igmp_next_report(&ig, 0);
		if (at <= now || at > now + max_ticks)
			bad++;
		lo = RTE_MIN(lo, at - now);
		hi = RTE_MAX(hi, at - now);
	}
	CHECKF(bad == 0, "%zu-byte query, code %u: %u delays outside (0, %lu]", igmp_size, code, bad,
			(unsigned long)max_ticks);
	CHECKF(lo < max_ticks / 10 && hi > max_ticks * 9 / 10,
			"%zu-byte query, code %u: delays %lu..%lu", igmp_size, code, (unsigned long)lo,
			(unsigned long)hi);
}

static void
test_delays(void)
{
	check_delays(8, 100, 10 * HZ);                       /* v2: tenths of a second */
	check_delays(8, 0, 10 * HZ);                         /* v1 query: 10 s */
	check_delays(12, 20, 2 * HZ);                        /* v3 below 128: linear */
	check_delays(12, 0x80, 128 * HZ / 10);               /* (0|0x10) << 3 = 128 tenths */
	check_delays(12, 0x9a, (uint64_t)26 * 16 * HZ / 10); /* (0xa|0x10) << 4 = 416 tenths */
}

static void
test_v2_compat(void)
{
	uint64_t t = T0, q;
	struct rte_mbuf *out[4];
	unsigned int nb;
	struct sent s;
	struct report r;
	bool seen1 = false, seen2 = false;

	init(3, 7);
	join(G1, t);
	join(G2, t);
	settle(t, t + 2 * HZ);
	t += 10 * HZ;

	/* A v2 general query (8 bytes, 10 s): v2 mode; one v2 report per group, to the group. */
	CHECK(query("224.0.0.1", NULL, 100, 8, t) == 0);
	CHECK(vtep_igmp_mode(&ig, t) == 2);
	CHECK(vtep_igmp_timer(&ig, t, out, RTE_DIM(out)) == 0);
	run(t, t + 30 * HZ, MS, &s);
	CHECK(s.n == 2);
	for (unsigned int i = 0; i < s.n; i++) {
		CHECK(s.at[i] > t && s.at[i] < t + 10 * HZ);
		if (parse_report(s.m[i], &r) == 0) {
			CHECK(r.version == 2 && r.type == 0x16);
			CHECK(r.dst_be == r.group_be);
			seen1 |= r.group_be == pkt_ip(G1);
			seen2 |= r.group_be == pkt_ip(G2);
		}
	}
	s.n = 0;
	CHECK(seen1 && seen2);
	t += 31 * HZ;

	/* A v2 group-specific query for G1: the v2 report of G1, byte for byte. */
	CHECK(query(G1, G1, 100, 8, t) == 0);
	q = t; /* the querier is heard again: the 260 s start over */
	run(t, t + 11 * HZ, MS, &s);
	CHECK(s.n == 1);
	if (s.n == 1) {
		CHECK(s.at[0] > t && s.at[0] < t + 10 * HZ);
		CHECK(same_bytes(s.m[0], v2_report_g1, sizeof(v2_report_g1)) == 0);
		s.n = 0;
	}
	free_sent(&s);
	t += 12 * HZ;

	/* A v3 query meanwhile keeps us in v2 (the older querier is still present). */
	CHECK(query("224.0.0.1", NULL, 100, 12, t) == 0);
	CHECK(vtep_igmp_mode(&ig, t) == 2);
	run(t, t + 11 * HZ, MS, &s);
	CHECK(s.n == 2);
	for (unsigned int i = 0; i < s.n; i++)
		if (parse_report(s.m[i], &r) == 0)
			CHECK(r.version == 2);
	s.n = 0;
	t += 12 * HZ;

	/* A join in v2 mode: a v2 report at once. */
	nb = 0;
	CHECK(vtep_igmp_join(&ig, pkt_ip(G3), t, out, &nb) == 0 && nb == 1);
	if (nb == 1 && parse_report(out[0], &r) == 0)
		CHECK(r.version == 2 && r.type == 0x16 && r.group_be == pkt_ip(G3) &&
				r.dst_be == pkt_ip(G3));
	settle(t, t + 11 * HZ);

	/* Older Version Querier Present Timeout: 260 s after the last v2 query, back to v3. */
	CHECK(vtep_igmp_mode(&ig, q + VTEP_IGMP_OLDER_QUERIER_S * HZ - 1) == 2);
	CHECK(vtep_igmp_mode(&ig, q + VTEP_IGMP_OLDER_QUERIER_S * HZ) == 3);
	t = q + VTEP_IGMP_OLDER_QUERIER_S * HZ;
	CHECK(query("224.0.0.1", NULL, 100, 12, t) == 0);
	run(t, t + 11 * HZ, MS, &s);
	CHECK(s.n == 1);
	if (s.n == 1 && parse_report(s.m[0], &r) == 0)
		CHECK(r.version == 3 && r.nb_rec == 3);
	s.n = 0;
	t += 12 * HZ;

	/*
	 * The timeout is the querier's Robustness times its Query Interval plus the
	 * Max Response Time (RFC 3376 8.12), from the last v3 query heard: QRV 3,
	 * QQIC 60 s, then a v2 query with 5 s: 185 s.
	 */
	{
		uint8_t buf[128];
		size_t size = query_frame(buf, "224.0.0.1", NULL, 100, 12, 0);

		buf[38 + 8] = 3;
		buf[38 + 9] = 60;
		pkt_put_csum(buf + 38 + 2, buf + 38, 12);
		CHECK(vtep_igmp_input(&ig, pkt_mbuf(pool, buf, size), t) == 0);
		settle(t, t + 11 * HZ);
		t += 12 * HZ;
		CHECK(query("224.0.0.1", NULL, 50, 8, t) == 0);
		CHECK(vtep_igmp_mode(&ig, t + 185 * HZ - 1) == 2);
		CHECK(vtep_igmp_mode(&ig, t + 185 * HZ) == 3);
		settle(t, t + 6 * HZ);
		t += 186 * HZ;
	}

	/*
	 * A v3 general query pending when a v2 querier is heard: the answer goes out in v2, one
	 * report per group (RFC 3376 7.2.1), not as a v3 report. The v2 query names G1 only, so
	 * G2's report comes from the pending general answer.
	 */
	init(3, 11);
	join(G1, t);
	join(G2, t);
	settle(t, t + 2 * HZ);
	t += 3 * HZ;
	CHECK(query("224.0.0.1", NULL, 100, 12, t) == 0);
	CHECK(query(G1, G1, 100, 8, t) == 0);
	CHECK(vtep_igmp_mode(&ig, t) == 2);
	run(t, t + 11 * HZ, MS, &s);
	CHECK(s.n == 2);
	seen1 = seen2 = false;
	for (unsigned int i = 0; i < s.n; i++) {
		if (parse_report(s.m[i], &r) == 0) {
			CHECK(r.version == 2);
			seen1 |= r.version == 2 && r.group_be == pkt_ip(G1);
			seen2 |= r.version == 2 && r.group_be == pkt_ip(G2);
		}
	}
	s.n = 0;
	CHECK(seen1 && seen2);
	t += 12 * HZ;

	/* leave_all in v3: one TO_IN({}) report with every group. */
	init(3, 9);
	join(G1, t);
	join(G2, t);
	settle(t, t + 2 * HZ);
	t += 3 * HZ;
	CHECK(vtep_igmp_leave_all(&ig, t, out, RTE_DIM(out)) == 1);
	CHECK(ig.c.leaves == 1 && ig.nb_groups == 0);
	CHECK(same_bytes(out[0], v3_to_in_g1g2, sizeof(v3_to_in_g1g2)) == 0);
	/* Left: no more reports, not even to a query. */
	CHECK(query("224.0.0.1", NULL, 100, 12, t) == 0);
	run(t, t + 30 * HZ, 10 * MS, &s);
	CHECK(s.n == 0);
	free_sent(&s);
	CHECK(vtep_igmp_leave_all(&ig, t, out, RTE_DIM(out)) == 0);

	/* leave_all in v2 compatibility mode: one v2 leave per group, to 224.0.0.2. */
	init(3, 9);
	join(G1, t);
	join(G2, t);
	settle(t, t + 2 * HZ);
	t += 3 * HZ;
	CHECK(query("224.0.0.1", NULL, 100, 8, t) == 0);
	CHECK(vtep_igmp_leave_all(&ig, t, out, RTE_DIM(out)) == 2);
	CHECK(ig.c.leaves == 2);
	CHECK(same_bytes(out[0], v2_leave_g1, sizeof(v2_leave_g1)) == 0);
	if (parse_report(out[1], &r) == 0)
		CHECK(r.type == 0x17 && r.group_be == pkt_ip(G2) &&
				r.dst_be == pkt_ip("224.0.0.2"));
	run(t, t + 30 * HZ, 10 * MS, &s);
	CHECK(s.n == 0);
	free_sent(&s);
}

static void
test_v2_configured(void)
{
	uint64_t t = T0;
	struct rte_mbuf *out[4];
	unsigned int nb = 0;
	struct sent s;

	init(2, 5);
	CHECK(vtep_igmp_mode(&ig, t) == 2);
	CHECK(vtep_igmp_join(&ig, pkt_ip(G1), t, out, &nb) == 0 && nb == 1);
	if (nb == 1)
		CHECK(same_bytes(out[0], v2_report_g1, sizeof(v2_report_g1)) == 0);
	/* One repeat within the v2 Unsolicited Report Interval (RFC 2236 8.10: 10 s). */
	run(t, t + 60 * HZ, 10 * MS, &s);
	CHECK(s.n == 1);
	if (s.n == 1) {
		CHECK(s.at[0] > t && s.at[0] <= t + 10 * HZ);
		CHECK(same_bytes(s.m[0], v2_report_g1, sizeof(v2_report_g1)) == 0);
		s.n = 0;
	}
	free_sent(&s);
	t += 61 * HZ;
	/* A v3 query: still answered in v2 (configured), per group. */
	CHECK(query("224.0.0.1", NULL, 100, 12, t) == 0);
	run(t, t + 11 * HZ, MS, &s);
	CHECK(s.n == 1);
	if (s.n == 1)
		CHECK(same_bytes(s.m[0], v2_report_g1, sizeof(v2_report_g1)) == 0);
	s.n = 0;
	t += 12 * HZ;
	CHECK(vtep_igmp_mode(&ig, t + 1000 * HZ) == 2);
	CHECK(vtep_igmp_leave_all(&ig, t, out, RTE_DIM(out)) == 1);
	CHECK(same_bytes(out[0], v2_leave_g1, sizeof(v2_leave_g1)) == 0);
}

/* Reports the timer sends over [from, to], freed as they come. */
static unsigned int
count_reports(uint64_t from, uint64_t to)
{
	unsigned int n = 0;

	for (uint64_t t = from; t <= to; t += 10 * MS) {
		struct rte_mbuf *out[8];
		unsigned int k = vtep_igmp_timer(&ig, t, out, RTE_DIM(out));

		for (unsigned int i = 0; i < k; i++)
			ill_formed += !well_formed(out[i]);
		rte_pktmbuf_free_bulk(out, k);
		n += k;
	}
	return n;
}

/*
 * A flood of queries (one every 200 ms for 20 s, Max Resp Time 100 ms, v2: one report per group
 * and query) gets at most the report rate's worth of answers: with igmp-rate 2 and two groups,
 * the first 32 queries take the 64 reports of the bucket, then one query a second; the rest are
 * refused (-EAGAIN) and counted. Unlimited, every query gets its two reports. A query for a
 * group with a report pending takes nothing (it only moves the report earlier).
 */
static void
test_report_rate(void)
{
	struct vtep_igmp_params p = {
			.local_be = pkt_ip(LOCAL),
			.local_mac = pkt_mac(LOCAL_MAC),
			.pool = pool,
			.version = 2,
			.hz = HZ,
			.seed = 9,
	};
	struct rte_mbuf *out[2];
	unsigned int nb = 0, reports = 0, refused = 0;
	uint64_t t = T0;

	for (unsigned int rate = 0; rate <= 2; rate += 2) {
		p.report_rate = rate;
		vtep_igmp_init(&ig, &p);
		nb = 0;
		CHECK(vtep_igmp_join(&ig, pkt_ip(G1), t, out, &nb) == 0);
		CHECK(vtep_igmp_join(&ig, pkt_ip(G2), t, out, &nb) == 0 && nb == 2);
		rte_pktmbuf_free_bulk(out, nb);
		count_reports(t, t + 11 * HZ);
		t += 12 * HZ;
		reports = refused = 0;
		for (unsigned int q = 0; q < 100; q++) {
			int rc = query("224.0.0.1", NULL, 1, 8, t);

			refused += rc == -EAGAIN;
			reports += count_reports(t, t + 190 * MS);
			t += 200 * MS;
		}
		if (rate == 0) {
			CHECKF(reports == 200 && refused == 0, "unlimited: %u reports, %u refused",
					reports, refused);
			continue;
		}
		/* 64 at once, then 2 a second for 20 s: 104, give or take a query. */
		CHECKF(reports >= 102 && reports <= 106 && refused == 100 - reports / 2 &&
						ig.c.limited == refused,
				"igmp-rate 2: %u reports, %u queries refused", reports, refused);
		/* A group-specific query while its report is pending needs no token. */
		t += 100 * HZ;
		CHECK(query(G1, G1, 100, 8, t) == 0);
		for (unsigned int q = 0; q < 200; q++)
			CHECK(query(G1, G1, 100, 8, t) == 0);
		CHECK(count_reports(t, t + 11 * HZ) == 1);
	}
}

/* A frame vtep_igmp_input() must refuse (and free), in a buffer of exactly its size for ASan. */
static void
check_invalid(const uint8_t *buf, size_t size, const char *what)
{
	uint64_t invalid = ig.c.invalid;

	CHECKF(vtep_igmp_input(&ig, pkt_exact_mbuf(pool, buf, size), T0) == -EINVAL, "%s", what);
	CHECKF(ig.c.invalid == invalid + 1, "%s: not counted", what);
}

static void
test_invalid(void)
{
	uint8_t buf[128], bad[128];
	size_t size;
	char what[64];
	struct sent s;

	init(3, 3);
	join(G1, T0);
	settle(T0, T0 + 2 * HZ);

	size = query_frame(buf, "224.0.0.1", NULL, 100, 12, 0);
	memcpy(bad, buf, size);
	bad[38 + 2] ^= 0x10;
	check_invalid(bad, size, "bad IGMP checksum");
	memcpy(bad, buf, size);
	bad[38 + 1] = 50; /* max resp code changed, checksum not */
	check_invalid(bad, size, "IGMP corrupted");
	memcpy(bad, buf, size);
	bad[14 + 10] ^= 0x10;
	check_invalid(bad, size, "bad IP checksum");
	memcpy(bad, buf, size);
	bad[14 + 9] = IPPROTO_UDP;
	pkt_put_csum(bad + 14 + 10, bad + 14, 24);
	check_invalid(bad, size, "not IGMP");
	memcpy(bad, buf, size);
	bad[14 + 3] += 1; /* IP longer than the frame */
	pkt_put_csum(bad + 14 + 10, bad + 14, 24);
	check_invalid(bad, size, "IP total length beyond the frame");
	memcpy(bad, buf, size);
	bad[14] = 0x44; /* IHL 4 */
	pkt_put_csum(bad + 14 + 10, bad + 14, 24);
	check_invalid(bad, size, "IHL 4");
	memcpy(bad, buf, size);
	bad[14] = 0x4f; /* IHL 15: a header past the end of the frame */
	pkt_put_csum(bad + 14 + 10, bad + 14, 24);
	check_invalid(bad, size, "IHL 15");
	memcpy(bad, buf, size);
	bad[14 + 3] = 24 + 7; /* IGMP of 7 bytes */
	pkt_put_csum(bad + 14 + 10, bad + 14, 24);
	check_invalid(bad, size, "IGMP of 7 bytes");
	/* A fragment (RFC 3376 and 2236 messages are never fragmented), MF or offset. */
	memcpy(bad, buf, size);
	bad[14 + 6] = 0x20;
	pkt_put_csum(bad + 14 + 10, bad + 14, 24);
	check_invalid(bad, size, "first fragment");
	memcpy(bad, buf, size);
	bad[14 + 7] = 3;
	pkt_put_csum(bad + 14 + 10, bad + 14, 24);
	check_invalid(bad, size, "last fragment");
	/* Not IPv4 (ethertype, version). */
	memcpy(bad, buf, size);
	bad[12] = 0x86;
	bad[13] = 0xdd;
	check_invalid(bad, size, "ethertype IPv6");
	memcpy(bad, buf, size);
	bad[14] = 0x66;
	pkt_put_csum(bad + 14 + 10, bad + 14, 24);
	check_invalid(bad, size, "IP version 6");
	/* Queries of 9, 10, 11 bytes are no IGMP version (RFC 3376 7.1). */
	for (size_t n = 9; n <= 11; n++) {
		size_t qs = query_frame(bad, "224.0.0.1", NULL, 100, n, 0);

		snprintf(what, sizeof(what), "query of %zu bytes", n);
		check_invalid(bad, qs, what);
	}
	/* Every truncation of a v3 and of a v2 query, untagged and tagged (none switches the mode). */
	for (unsigned int k = 0; k < 4; k++) {
		size_t igmp_size = k & 1 ? 8 : 12;
		uint16_t vlan = k & 2 ? 100 : 0;

		size = query_frame(buf, "224.0.0.1", NULL, 100, igmp_size, vlan);
		for (size_t n = 0; n < size; n++) {
			snprintf(what, sizeof(what), "%s v%c query truncated to %zu",
					vlan != 0 ? "tagged" : "untagged", igmp_size == 8 ? '2' : '3', n);
			check_invalid(buf, n, what);
		}
	}
	/* buf: the tagged v2 query. */
	memcpy(bad, buf, size);
	bad[42 + 2] ^= 0x01;
	check_invalid(bad, size, "v2 query, bad checksum");
	CHECK(vtep_igmp_mode(&ig, T0) == 3);
	CHECK(ig.c.queries == 0);
	/* None of them was answered. */
	run(T0, T0 + 30 * HZ, 10 * MS, &s);
	CHECK(s.n == 0);
	free_sent(&s);
}

int
main(void)
{
	unsigned int in_use;

	vtep_test_eal_init("igmp", NULL);
	pool = vtep_test_pool();
	in_use = rte_mempool_in_use_count(pool);
	test_v3_join();
	test_rejoin();
	test_v3_queries();
	test_delays();
	test_v2_compat();
	test_v2_configured();
	test_report_rate();
	test_invalid();
	CHECKF(ill_formed == 0, "%u frames from the timer ill formed", ill_formed);
	CHECKF(rte_mempool_in_use_count(pool) == in_use, "mbufs in use %u, before %u",
			rte_mempool_in_use_count(pool), in_use);
	return vtep_test_done("igmp");
}
