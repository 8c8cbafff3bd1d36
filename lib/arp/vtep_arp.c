/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>

#include "vtep_arp.h"

#define ARP_FRAME_SIZE (sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr))

static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

void
vtep_arp_init(struct vtep_arp *arp, const struct vtep_arp_params *p)
{
	memset(arp, 0, sizeof(*arp));
	arp->p = *p;
}

rte_be32_t
vtep_arp_nexthop(const struct vtep_arp *arp, rte_be32_t ip_be)
{
	uint8_t len = arp->p.prefix_len;
	uint32_t mask = len == 0 ? 0 : ~0u << (32 - len);

	if (((rte_be_to_cpu_32(ip_be) ^ rte_be_to_cpu_32(arp->p.local_be)) & mask) == 0)
		return ip_be;
	return arp->p.gateway_be;
}

static struct vtep_arp_entry *
find(struct vtep_arp *arp, rte_be32_t ip_be)
{
	for (unsigned int i = 0; i < VTEP_ARP_SIZE; i++)
		if (arp->entries[i].state != VTEP_ARP_FREE && arp->entries[i].ip_be == ip_be)
			return &arp->entries[i];
	return NULL;
}

static struct vtep_arp_entry *
alloc(struct vtep_arp *arp, rte_be32_t ip_be)
{
	for (unsigned int i = 0; i < VTEP_ARP_SIZE; i++) {
		struct vtep_arp_entry *e = &arp->entries[i];

		if (e->state == VTEP_ARP_FREE) {
			memset(e, 0, sizeof(*e));
			e->ip_be = ip_be;
			return e;
		}
	}
	return NULL;
}

static bool
has_mac(const struct vtep_arp_entry *e)
{
	return e->state == VTEP_ARP_REACHABLE || e->state == VTEP_ARP_PROBE ||
			e->state == VTEP_ARP_STATIC;
}

const struct rte_ether_addr *
vtep_arp_lookup(const struct vtep_arp *arp, rte_be32_t ip_be)
{
	const struct vtep_arp_entry *e = find((struct vtep_arp *)(uintptr_t)arp, ip_be);

	return e != NULL && has_mac(e) ? &e->mac : NULL;
}

static void
notify(struct vtep_arp *arp, const struct vtep_arp_entry *e)
{
	if (arp->p.changed != NULL)
		arp->p.changed(e->ip_be, has_mac(e) ? &e->mac : NULL, arp->p.arg);
}

int
vtep_arp_add_static(struct vtep_arp *arp, rte_be32_t ip_be, const struct rte_ether_addr *mac)
{
	struct vtep_arp_entry *e = find(arp, ip_be);

	if (e == NULL && (e = alloc(arp, ip_be)) == NULL)
		return -ENOSPC;
	e->mac = *mac;
	e->state = VTEP_ARP_STATIC;
	notify(arp, e);
	return 0;
}

/* Fill an ARP frame: op, target, and Ethernet destination. */
static void
fill(struct vtep_arp *arp, struct rte_mbuf *m, uint16_t op, const struct rte_ether_addr *eth_dst,
		const struct rte_ether_addr *tha, rte_be32_t tip, rte_be32_t sip)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eth + 1);

	eth->dst_addr = *eth_dst;
	eth->src_addr = arp->p.local_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = sizeof(rte_be32_t);
	a->arp_opcode = rte_cpu_to_be_16(op);
	a->arp_data.arp_sha = arp->p.local_mac;
	a->arp_data.arp_sip = sip;
	a->arp_data.arp_tha = *tha;
	a->arp_data.arp_tip = tip;
}

static struct rte_mbuf *
request(struct vtep_arp *arp, rte_be32_t tip, const struct rte_ether_addr *eth_dst)
{
	static const struct rte_ether_addr zero;
	struct rte_mbuf *m = rte_pktmbuf_alloc(arp->p.pool);

	if (m == NULL)
		return NULL;
	if (rte_pktmbuf_append(m, ARP_FRAME_SIZE) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	fill(arp, m, RTE_ARP_OP_REQUEST, eth_dst, &zero, tip, arp->p.local_be);
	arp->c.requests_out++;
	return m;
}

struct rte_mbuf *
vtep_arp_gratuitous(struct vtep_arp *arp)
{
	/* RFC 5227 section 2.3: sender and target are both the announced address. */
	return request(arp, arp->p.local_be, &bcast);
}

int
vtep_arp_resolve(struct vtep_arp *arp, rte_be32_t ip_be, uint64_t now, struct rte_mbuf **out,
		unsigned int *nb_out)
{
	struct vtep_arp_entry *e = find(arp, ip_be);
	struct rte_mbuf *m;

	if (e != NULL)
		return has_mac(e) ? 0 : 1;
	e = alloc(arp, ip_be);
	if (e == NULL)
		return -ENOSPC;
	e->state = VTEP_ARP_INCOMPLETE;
	e->probes = 1;
	e->next = now + arp->p.hz;
	m = request(arp, ip_be, &bcast);
	if (m == NULL)
		return -ENOMEM;
	out[(*nb_out)++] = m;
	return 1;
}

/* RFC 826 merge: a sender we know (or that asked us) gets its MAC confirmed or updated. */
static void
merge(struct vtep_arp *arp, rte_be32_t sip, const struct rte_ether_addr *sha, bool for_us,
		uint64_t now)
{
	struct vtep_arp_entry *e = find(arp, sip);
	bool was_known;

	if (e == NULL) {
		if (!for_us || vtep_arp_nexthop(arp, sip) != sip || (e = alloc(arp, sip)) == NULL)
			return;
	}
	if (e->state == VTEP_ARP_STATIC)
		return;
	was_known = has_mac(e);
	if (was_known && rte_is_same_ether_addr(&e->mac, sha)) {
		e->state = VTEP_ARP_REACHABLE;
	} else {
		e->mac = *sha;
		e->state = VTEP_ARP_REACHABLE;
		notify(arp, e);
	}
	e->confirmed = now;
	e->probes = 0;
	e->next = now + (VTEP_ARP_REACHABLE_S - 5) * arp->p.hz;
}

int
vtep_arp_input(struct vtep_arp *arp, struct rte_mbuf *m, uint64_t now, struct rte_mbuf **out,
		unsigned int *nb_out)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eth + 1);
	struct rte_ether_addr sha;
	rte_be32_t sip, tip;
	uint16_t op;

	if (rte_pktmbuf_data_len(m) < ARP_FRAME_SIZE ||
			eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_ARP) ||
			a->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			a->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			a->arp_hlen != RTE_ETHER_ADDR_LEN || a->arp_plen != sizeof(rte_be32_t))
		goto ignore;
	op = rte_be_to_cpu_16(a->arp_opcode);
	sha = a->arp_data.arp_sha;
	sip = a->arp_data.arp_sip;
	tip = a->arp_data.arp_tip;
	if ((op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) ||
			!rte_is_valid_assigned_ether_addr(&sha) || sip == arp->p.local_be ||
			sip == 0)
		goto ignore;
	merge(arp, sip, &sha, tip == arp->p.local_be, now);
	if (op == RTE_ARP_OP_REPLY) {
		arp->c.replies_in++;
		rte_pktmbuf_free(m);
		return 0;
	}
	if (tip != arp->p.local_be) {
		rte_pktmbuf_free(m);
		return 0;
	}
	/* The reply reuses the request's buffer, trimmed to an ARP frame. */
	arp->c.requests_in++;
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - ARP_FRAME_SIZE);
	fill(arp, m, RTE_ARP_OP_REPLY, &sha, &sha, sip, arp->p.local_be);
	m->ol_flags = 0;
	out[(*nb_out)++] = m;
	return 0;
ignore:
	arp->c.ignored++;
	rte_pktmbuf_free(m);
	return -EINVAL;
}

static uint64_t
backoff(const struct vtep_arp *arp, unsigned int probes)
{
	unsigned int s = probes >= 7 ? VTEP_ARP_BACKOFF_MAX_S : 1u << (probes - 1);

	return RTE_MIN(s, (unsigned int)VTEP_ARP_BACKOFF_MAX_S) * arp->p.hz;
}

unsigned int
vtep_arp_timer(struct vtep_arp *arp, uint64_t now, struct rte_mbuf **out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < VTEP_ARP_SIZE && n < max; i++) {
		struct vtep_arp_entry *e = &arp->entries[i];
		struct rte_mbuf *m = NULL;

		if (e->state == VTEP_ARP_FREE || e->state == VTEP_ARP_STATIC || now < e->next)
			continue;
		switch (e->state) {
		case VTEP_ARP_INCOMPLETE:
			/* 1, 2, 4, ... 60 s between broadcasts, until it answers. */
			m = request(arp, e->ip_be, &bcast);
			e->probes++;
			e->next = now + backoff(arp, e->probes);
			break;
		case VTEP_ARP_REACHABLE:
			/* Refresh before it expires: ask the neighbor itself. */
			e->state = VTEP_ARP_PROBE;
			e->probes = 0;
			/* fall through */
		case VTEP_ARP_PROBE:
			if (e->probes >= VTEP_ARP_PROBES) {
				e->state = VTEP_ARP_INCOMPLETE;
				e->probes = 1;
				e->next = now + arp->p.hz;
				notify(arp, e);
				m = request(arp, e->ip_be, &bcast);
				break;
			}
			m = request(arp, e->ip_be, &e->mac);
			e->probes++;
			e->next = now + arp->p.hz;
			break;
		default:
			break;
		}
		if (m != NULL)
			out[n++] = m;
	}
	return n;
}

const char *
vtep_arp_state_name(enum vtep_arp_state s)
{
	static const char *const names[] = {
			"free", "incomplete", "reachable", "probe", "permanent"};

	return s < RTE_DIM(names) ? names[s] : "?";
}
