/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_ip.h>

#include "vtep_hdr.h"
#include "vtep_igmp.h"
#include "vtep_log.h"

VTEP_LOG_REGISTER(igmp);
#define IGMP_LOG(level, ...) VTEP_LOG(igmp, level, __VA_ARGS__)

#define IGMP_QUERY 0x11
#define IGMP_V2_REPORT 0x16
#define IGMP_V2_LEAVE 0x17
#define IGMP_V3_REPORT 0x22
/* Group record types (RFC 3376 section 4.2.12). */
#define REC_MODE_IS_EXCLUDE 2
#define REC_CHANGE_TO_INCLUDE 3
#define REC_CHANGE_TO_EXCLUDE 4

#define ALL_ROUTERS RTE_BE32(0xe0000002)    /* 224.0.0.2: v2 leaves */
#define ALL_V3_ROUTERS RTE_BE32(0xe0000016) /* 224.0.0.22: v3 reports */
/* IP header with the Router Alert option (RFC 2113), which RFC 2236 and 3376 require. */
#define IP_RA_SIZE 24
/* Unsolicited Report Interval: 1 s in v3 (RFC 3376 8.11), 10 s in v2 (RFC 2236 8.10). */
#define V3_UNSOLICITED_S 1
#define V2_UNSOLICITED_S 10

void
vtep_igmp_init(struct vtep_igmp *ig, const struct vtep_igmp_params *p)
{
	memset(ig, 0, sizeof(*ig));
	ig->p = *p;
	ig->rand = p->seed | 1;
	ig->qrv = VTEP_IGMP_ROBUSTNESS;
	ig->qqi_s = VTEP_IGMP_QUERY_INTERVAL_S;
	vtep_rate_init(&ig->answers, p->report_rate,
			RTE_MAX(p->report_rate, (uint32_t)VTEP_IGMP_MAX_GROUPS), p->hz, 0);
}

unsigned int
vtep_igmp_mode(const struct vtep_igmp *ig, uint64_t now)
{
	return ig->p.version == 2 || now < ig->v2_until ? 2 : 3;
}

/* A delay in [0, max) ticks (xorshift64; report timing needs spread, not secrecy). */
static uint64_t
random_delay(struct vtep_igmp *ig, uint64_t max)
{
	ig->rand ^= ig->rand << 13;
	ig->rand ^= ig->rand >> 7;
	ig->rand ^= ig->rand << 17;
	return max == 0 ? 0 : ig->rand % max;
}

/* Allocate a frame: Ethernet + IPv4 with Router Alert + igmp_size bytes of IGMP. */
static uint8_t *
frame(struct vtep_igmp *ig, struct rte_mbuf **mp, rte_be32_t dst_be, size_t igmp_size, uint8_t tos)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ig->p.pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, sizeof(*eth) + IP_RA_SIZE + igmp_size);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, sizeof(*eth) + IP_RA_SIZE + igmp_size);
	eth = (struct rte_ether_hdr *)p;
	vtep_group_mac(dst_be, &eth->dst_addr);
	eth->src_addr = ig->p.local_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = 0x46;
	ip->type_of_service = tos;
	ip->total_length = rte_cpu_to_be_16(IP_RA_SIZE + igmp_size);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 1;
	ip->next_proto_id = IPPROTO_IGMP;
	ip->src_addr = ig->p.local_be;
	ip->dst_addr = dst_be;
	memcpy(ip + 1, "\x94\x04\x00\x00", 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	*mp = m;
	return p + sizeof(*eth) + IP_RA_SIZE;
}

static void
igmp_csum(uint8_t *igmp, size_t size)
{
	igmp[2] = igmp[3] = 0;
	uint16_t c = ~rte_raw_cksum(igmp, size);

	memcpy(igmp + 2, &c, 2);
}

/* v2 report or leave for one group. */
static struct rte_mbuf *
v2_msg(struct vtep_igmp *ig, uint8_t type, rte_be32_t group_be)
{
	struct rte_mbuf *m;
	uint8_t *g = frame(ig, &m, type == IGMP_V2_LEAVE ? ALL_ROUTERS : group_be, 8, 0xc0);

	if (g == NULL)
		return NULL;
	g[0] = type;
	memcpy(g + 4, &group_be, 4);
	igmp_csum(g, 8);
	return m;
}

/* v3 report with one record of type rec for one group (group_be) or for every group (0). */
static struct rte_mbuf *
v3_report(struct vtep_igmp *ig, uint8_t rec, rte_be32_t group_be)
{
	unsigned int n = group_be != 0 ? 1 : ig->nb_groups;
	struct rte_mbuf *m;
	uint8_t *g = frame(ig, &m, ALL_V3_ROUTERS, 8 + 8 * n, 0xc0);

	if (g == NULL)
		return NULL;
	g[0] = IGMP_V3_REPORT;
	g[6] = n >> 8;
	g[7] = n & 0xff;
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *r = g + 8 + 8 * i;
		rte_be32_t gr = group_be != 0 ? group_be : ig->groups[i].group_be;

		r[0] = rec;
		memcpy(r + 4, &gr, 4);
	}
	igmp_csum(g, 8 + 8 * n);
	return m;
}

static struct rte_mbuf *
report(struct vtep_igmp *ig, rte_be32_t group_be, bool change, uint64_t now)
{
	ig->c.reports++;
	if (vtep_igmp_mode(ig, now) == 2)
		return v2_msg(ig, IGMP_V2_REPORT, group_be);
	return v3_report(ig, change ? REC_CHANGE_TO_EXCLUDE : REC_MODE_IS_EXCLUDE, group_be);
}

int
vtep_igmp_join(struct vtep_igmp *ig, rte_be32_t group_be, uint64_t now, struct rte_mbuf **out,
		unsigned int *nb_out)
{
	struct vtep_igmp_group *g;
	struct rte_mbuf *m;
	uint64_t interval;

	/* All-hosts is never reported (RFC 2236 section 6, RFC 3376 section 5). */
	if (!vtep_ip_is_multicast(group_be) || group_be == RTE_BE32(0xe0000001))
		return -EINVAL;
	for (unsigned int i = 0; i < ig->nb_groups; i++)
		if (ig->groups[i].group_be == group_be)
			return -EEXIST;
	if (ig->nb_groups == VTEP_IGMP_MAX_GROUPS)
		return -ENOSPC;
	g = &ig->groups[ig->nb_groups++];
	g->group_be = group_be;
	m = report(ig, group_be, true, now);
	/* The repeats of the unsolicited report, at random within the interval; without an mbuf
	 * now, the first one goes out from the timer. */
	interval = (vtep_igmp_mode(ig, now) == 2 ? V2_UNSOLICITED_S : V3_UNSOLICITED_S) * ig->p.hz;
	g->unsolicited = VTEP_IGMP_ROBUSTNESS - (m != NULL ? 1 : 0);
	g->report_at = now + 1 + random_delay(ig, interval);
	if (m == NULL)
		return -ENOMEM;
	out[(*nb_out)++] = m;
	return 0;
}

void
vtep_igmp_rejoin(struct vtep_igmp *ig, uint64_t now)
{
	for (unsigned int i = 0; i < ig->nb_groups; i++) {
		ig->groups[i].unsolicited = VTEP_IGMP_ROBUSTNESS;
		ig->groups[i].report_at = now;
	}
}

/* Max Resp Code to ticks: v2 tenths of a second; v3 with the floating-point form (4.1.1). */
static uint64_t
max_resp(const struct vtep_igmp *ig, uint8_t code, bool v3)
{
	uint64_t tenths = code;

	if (v3 && code >= 128)
		tenths = (uint64_t)((code & 0x0f) | 0x10) << (((code >> 4) & 0x07) + 3);
	if (!v3 && tenths == 0)
		tenths = 100; /* IGMPv1 queries carry 0: 10 s (RFC 2236 section 4) */
	return tenths * ig->p.hz / 10;
}

static void
schedule(uint64_t *at, uint64_t when)
{
	if (*at == 0 || when < *at)
		*at = when;
}

/* Offset and size of the IGMP message in a frame, or -EINVAL: every length is checked. */
static int
igmp_locate(const uint8_t *p, uint32_t len, uint32_t *igmp_off, uint32_t *igmp_size)
{
	uint32_t off = sizeof(struct rte_ether_hdr), ihl, size;
	const struct rte_ipv4_hdr *ip;

	if (len < off)
		return -EINVAL;
	if (p[12] == 0x81 && p[13] == 0x00) /* one 802.1Q tag */
		off += sizeof(struct rte_vlan_hdr);
	if (len < off + sizeof(*ip))
		return -EINVAL;
	if (p[off - 2] != 0x08 || p[off - 1] != 0x00) /* IPv4 */
		return -EINVAL;
	ip = (const struct rte_ipv4_hdr *)(p + off);
	ihl = (ip->version_ihl & 0xf) * 4u;
	size = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || size < ihl + 8 ||
			size > len - off || ip->next_proto_id != IPPROTO_IGMP ||
			(ip->fragment_offset &
					RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
		return -EINVAL;
	/* The IP header checksum too, as the kernel's ip_rcv() does: a corrupt v2 query must
	 * not switch us to v2 for minutes. ihl <= size <= len - off was checked above. */
	if (rte_raw_cksum(ip, ihl) != 0xffff)
		return -EINVAL;
	*igmp_off = off + ihl;
	*igmp_size = size - ihl;
	return 0;
}

/*
 * Reports a query would add (not move earlier): one per group it names that has none pending,
 * or in v3 one for a general query while none is pending.
 */
static unsigned int
new_reports(const struct vtep_igmp *ig, rte_be32_t group_be, uint64_t now)
{
	bool v3_general = group_be == 0 && vtep_igmp_mode(ig, now) == 3;
	unsigned int n = 0;

	for (unsigned int i = 0; i < ig->nb_groups && !v3_general; i++)
		if ((group_be == 0 || ig->groups[i].group_be == group_be) &&
				ig->groups[i].report_at == 0)
			n++;
	if (v3_general && ig->nb_groups > 0 && ig->general_at == 0)
		n++;
	return n;
}

/* A query: schedule the answers (RFC 2236 section 3, RFC 3376 section 5.2). @return 0, or
 * -EAGAIN when the report rate refuses them. */
static int
query(struct vtep_igmp *ig, const uint8_t *g, uint32_t size, uint64_t now)
{
	unsigned int need;
	bool v3 = size >= 12;
	rte_be32_t group_be;
	uint64_t delay;

	ig->c.queries++;
	memcpy(&group_be, g + 4, 4);
	delay = max_resp(ig, g[1], v3);
	IGMP_LOG(DEBUG, "IGMPv%s %s query, max response %" PRIu64 " ms\n", v3 ? "3" : "1/2",
			group_be == 0 ? "general" : "group-specific", delay * 1000 / ig->p.hz);
	if (v3) {
		/* QRV and QQIC: what the Older Version Querier Present Timeout is made of. */
		if ((g[8] & 0x07) != 0)
			ig->qrv = g[8] & 0x07;
		if (g[9] != 0)
			ig->qqi_s = g[9] < 128 ? g[9]
					       : (uint32_t)((g[9] & 0x0f) | 0x10)
							<< (((g[9] >> 4) & 0x07) + 3);
	} else {
		/* A v1 or v2 querier: hosts answer in v2 until it is gone (RFC 3376 7.2.1). */
		ig->v2_until = now + (uint64_t)ig->qrv * ig->qqi_s * ig->p.hz + delay;
	}
	/* A flood of queries must not become a flood of reports (v2: one per group per query). */
	need = new_reports(ig, group_be, now);
	if (need > 0 && !vtep_rate_take(&ig->answers, now, need)) {
		ig->c.limited++;
		return -EAGAIN;
	}
	for (unsigned int i = 0; i < ig->nb_groups; i++) {
		struct vtep_igmp_group *gr = &ig->groups[i];

		if (group_be != 0 && gr->group_be != group_be)
			continue;
		if (group_be == 0 && vtep_igmp_mode(ig, now) == 3)
			continue;
		schedule(&gr->report_at, now + 1 + random_delay(ig, delay));
	}
	/* v3 answers a general query with one report of every group (RFC 3376 5.2). */
	if (group_be == 0 && vtep_igmp_mode(ig, now) == 3 && ig->nb_groups > 0)
		schedule(&ig->general_at, now + 1 + random_delay(ig, delay));
	return 0;
}

int
vtep_igmp_input(struct vtep_igmp *ig, struct rte_mbuf *m, uint64_t now)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t off, size;
	int rc;

	if (igmp_locate(p, rte_pktmbuf_data_len(m), &off, &size) != 0)
		goto invalid;
	p += off;
	/* RFC 3376 7.1: a query of 9 to 11 bytes is no version of IGMP; ignore it. */
	if (rte_raw_cksum(p, size) != 0xffff || (p[0] == IGMP_QUERY && size > 8 && size < 12))
		goto invalid;
	rc = p[0] == IGMP_QUERY ? query(ig, p, size, now) : 0;
	rte_pktmbuf_free(m);
	return rc;
invalid:
	ig->c.invalid++;
	rte_pktmbuf_free(m);
	return -EINVAL;
}

unsigned int
vtep_igmp_timer(struct vtep_igmp *ig, uint64_t now, struct rte_mbuf **out, unsigned int max)
{
	unsigned int n = 0;
	struct rte_mbuf *m;

	if (ig->general_at != 0 && now >= ig->general_at && n < max) {
		ig->general_at = 0;
		if (vtep_igmp_mode(ig, now) == 2) {
			/* A v1/v2 querier was heard since: answer in v2, group by group, now
			 * (RFC 3376 7.2.1: no v3 report in compatibility mode). */
			for (unsigned int i = 0; i < ig->nb_groups; i++)
				schedule(&ig->groups[i].report_at, now);
		} else {
			ig->c.reports++;
			if ((m = v3_report(ig, REC_MODE_IS_EXCLUDE, 0)) != NULL)
				out[n++] = m;
		}
	}
	for (unsigned int i = 0; i < ig->nb_groups && n < max; i++) {
		struct vtep_igmp_group *g = &ig->groups[i];
		uint64_t interval;

		if (g->report_at == 0 || now < g->report_at)
			continue;
		g->report_at = 0;
		m = report(ig, g->group_be, g->unsolicited > 0, now);
		if (m != NULL)
			out[n++] = m;
		if (g->unsolicited > 0 && --g->unsolicited > 0) {
			interval = (vtep_igmp_mode(ig, now) == 2 ? V2_UNSOLICITED_S
								 : V3_UNSOLICITED_S) *
					ig->p.hz;
			g->report_at = now + 1 + random_delay(ig, interval);
		}
	}
	return n;
}

unsigned int
vtep_igmp_leave_all(struct vtep_igmp *ig, uint64_t now, struct rte_mbuf **out, unsigned int max)
{
	unsigned int n = 0;
	struct rte_mbuf *m;

	if (ig->nb_groups == 0)
		return 0;
	if (vtep_igmp_mode(ig, now) == 3) {
		if (max > 0 && (m = v3_report(ig, REC_CHANGE_TO_INCLUDE, 0)) != NULL) {
			out[n++] = m;
			ig->c.leaves++;
		}
		ig->nb_groups = 0;
		ig->general_at = 0;
		return n;
	}
	for (unsigned int i = 0; i < ig->nb_groups && n < max; i++) {
		if ((m = v2_msg(ig, IGMP_V2_LEAVE, ig->groups[i].group_be)) != NULL) {
			out[n++] = m;
			ig->c.leaves++;
		}
	}
	ig->nb_groups = 0;
	ig->general_at = 0;
	return n;
}

uint64_t
vtep_igmp_next_report(const struct vtep_igmp *ig, unsigned int i)
{
	uint64_t at;

	if (i >= ig->nb_groups)
		return 0;
	at = ig->groups[i].report_at;
	if (ig->general_at != 0 && (at == 0 || ig->general_at < at))
		at = ig->general_at;
	return at;
}
