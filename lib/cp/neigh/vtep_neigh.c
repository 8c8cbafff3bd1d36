/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>

#include "vtep_neigh.h"
#include "vtep_hdr.h"
#include "vtep_log.h"

VTEP_LOG_REGISTER(neigh);
#define NEIGH_LOG(level, ...) VTEP_LOG(neigh, level, __VA_ARGS__)

#define ARP_FRAME_SIZE (sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr))

static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr zero_mac;

void
vtep_neigh_init(struct vtep_neigh *nt, const struct vtep_neigh_params *p)
{
	memset(nt, 0, sizeof(*nt));
	nt->p = *p;
	if (nt->p.prefix_len > 32)
		nt->p.prefix_len = 32;
	vtep_rate_init(&nt->replies, p->reply_rate, 0, p->hz, 0);
}

rte_be32_t
vtep_neigh_nexthop(const struct vtep_neigh *nt, rte_be32_t ip_be)
{
	uint8_t len = nt->p.prefix_len;
	uint32_t mask = len == 0 ? 0 : ~0u << (32 - RTE_MIN(len, 32));

	if (((rte_be_to_cpu_32(ip_be) ^ rte_be_to_cpu_32(nt->p.local_be)) & mask) == 0)
		return ip_be;
	return nt->p.gateway_be;
}

static struct vtep_neigh_entry *
find(struct vtep_neigh *nt, rte_be32_t ip_be)
{
	for (unsigned int i = 0; i < VTEP_NEIGH_SIZE; i++)
		if (nt->entries[i].state != VTEP_NEIGH_FREE && nt->entries[i].ip_be == ip_be)
			return &nt->entries[i];
	return NULL;
}

static bool
has_mac(const struct vtep_neigh_entry *e)
{
	return e->state == VTEP_NEIGH_REACHABLE || e->state == VTEP_NEIGH_PROBE ||
			e->state == VTEP_NEIGH_STATIC;
}

static void
notify(struct vtep_neigh *nt, const struct vtep_neigh_entry *e)
{
	if (nt->p.changed != NULL)
		nt->p.changed(e->ip_be, has_mac(e) ? &e->mac : NULL, nt->p.arg);
}

/* Free an entry, telling the user if it took a MAC away. */
static void
release(struct vtep_neigh *nt, struct vtep_neigh_entry *e)
{
	bool had_mac = has_mac(e);

	e->state = VTEP_NEIGH_FREE;
	if (had_mac)
		notify(nt, e);
	memset(e, 0, sizeof(*e));
}

/*
 * A free slot; when the table is full and the caller wants the neighbor (evict), the passively
 * learned entry confirmed longest ago gives way: nothing asked for it.
 */
static struct vtep_neigh_entry *
alloc(struct vtep_neigh *nt, rte_be32_t ip_be, bool evict)
{
	struct vtep_neigh_entry *victim = NULL;

	for (unsigned int i = 0; i < VTEP_NEIGH_SIZE; i++) {
		struct vtep_neigh_entry *e = &nt->entries[i];

		if (e->state == VTEP_NEIGH_FREE) {
			victim = e;
			break;
		}
		if ((e->flags & VTEP_NEIGH_F_PASSIVE) &&
				(victim == NULL || e->confirmed < victim->confirmed))
			victim = e;
	}
	if (victim == NULL || (victim->state != VTEP_NEIGH_FREE && !evict))
		return NULL;
	if (victim->state != VTEP_NEIGH_FREE)
		release(nt, victim);
	memset(victim, 0, sizeof(*victim));
	victim->ip_be = ip_be;
	return victim;
}

const struct rte_ether_addr *
vtep_neigh_lookup(const struct vtep_neigh *nt, rte_be32_t ip_be)
{
	const struct vtep_neigh_entry *e = find((struct vtep_neigh *)(uintptr_t)nt, ip_be);

	return e != NULL && has_mac(e) ? &e->mac : NULL;
}

/* A neighbor we may ask for: unicast, not ours, not 0 or limited broadcast. */
static bool
valid_neighbor(const struct vtep_neigh *nt, rte_be32_t ip_be)
{
	return ip_be != 0 && ip_be != RTE_BE32(0xffffffff) && !vtep_ip_is_multicast(ip_be) &&
			ip_be != nt->p.local_be;
}

int
vtep_neigh_add_static(struct vtep_neigh *nt, rte_be32_t ip_be, const struct rte_ether_addr *mac)
{
	struct vtep_neigh_entry *e;

	if (!valid_neighbor(nt, ip_be) || !rte_is_valid_assigned_ether_addr(mac))
		return -EINVAL;
	e = find(nt, ip_be);
	if (e == NULL && (e = alloc(nt, ip_be, true)) == NULL)
		return -ENOSPC;
	e->mac = *mac;
	e->state = VTEP_NEIGH_STATIC;
	e->flags = 0;
	e->probes = 0;
	notify(nt, e);
	return 0;
}

int
vtep_neigh_delete(struct vtep_neigh *nt, rte_be32_t ip_be)
{
	struct vtep_neigh_entry *e = find(nt, ip_be);

	if (e == NULL)
		return -ENOENT;
	release(nt, e);
	return 0;
}

int
vtep_neigh_forget(struct vtep_neigh *nt, rte_be32_t ip_be)
{
	struct vtep_neigh_entry *e = find(nt, ip_be);

	if (e == NULL)
		return -ENOENT;
	if (e->state == VTEP_NEIGH_STATIC)
		return -EPERM;
	memset(e, 0, sizeof(*e));
	return 0;
}

/* Write an Ethernet header (keeping an 802.1Q tag of vlan_size bytes) and an ARP body. */
static void
fill(struct vtep_neigh *nt, uint8_t *frame, size_t vlan_size, uint16_t op,
		const struct rte_ether_addr *eth_dst, const struct rte_ether_addr *tha,
		rte_be32_t tip, rte_be32_t sip)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(frame + sizeof(*eth) + vlan_size);

	eth->dst_addr = *eth_dst;
	eth->src_addr = nt->p.local_mac;
	if (vlan_size == 0)
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = sizeof(rte_be32_t);
	a->arp_opcode = rte_cpu_to_be_16(op);
	a->arp_data.arp_sha = nt->p.local_mac;
	a->arp_data.arp_sip = sip;
	a->arp_data.arp_tha = *tha;
	a->arp_data.arp_tip = tip;
}

/* A request for tip (target MAC zero, as Linux sends them), to eth_dst. */
static struct rte_mbuf *
request(struct vtep_neigh *nt, rte_be32_t tip, const struct rte_ether_addr *eth_dst)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(nt->p.pool);
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, ARP_FRAME_SIZE);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	fill(nt, p, 0, RTE_ARP_OP_REQUEST, eth_dst, &zero_mac, tip, nt->p.local_be);
	nt->c.requests_out++;
	return m;
}

struct rte_mbuf *
vtep_neigh_gratuitous(struct vtep_neigh *nt)
{
	/* RFC 5227 section 2.3: sender and target are both the announced address. */
	return request(nt, nt->p.local_be, &bcast);
}

/* Start (or restart) resolution: INCOMPLETE, first broadcast now, next in 1 s. */
static struct rte_mbuf *
start_resolution(struct vtep_neigh *nt, struct vtep_neigh_entry *e, uint64_t now)
{
	e->state = VTEP_NEIGH_INCOMPLETE;
	e->mac = zero_mac;
	e->probes = 1;
	e->next = now + nt->p.hz;
	return request(nt, e->ip_be, &bcast);
}

int
vtep_neigh_resolve(struct vtep_neigh *nt, rte_be32_t ip_be, uint64_t now, struct rte_mbuf **out,
		unsigned int *nb_out)
{
	struct vtep_neigh_entry *e;
	struct rte_mbuf *m;

	if (!valid_neighbor(nt, ip_be))
		return -EINVAL;
	e = find(nt, ip_be);
	if (e != NULL) {
		e->flags &= ~VTEP_NEIGH_F_PASSIVE;
		return has_mac(e) ? 0 : 1;
	}
	e = alloc(nt, ip_be, true);
	if (e == NULL)
		return -ENOSPC;
	m = start_resolution(nt, e, now);
	if (m == NULL)
		return -ENOMEM;
	out[(*nb_out)++] = m;
	return 1;
}

/* The neighbor answered (or asked us): REACHABLE for the reachable time, refresh at 25 s. */
static void
confirm(struct vtep_neigh *nt, struct vtep_neigh_entry *e, const struct rte_ether_addr *sha,
		uint64_t now)
{
	bool changed = !has_mac(e) || !rte_is_same_ether_addr(&e->mac, sha);
	char ips[16];

	if (changed || e->state != VTEP_NEIGH_REACHABLE)
		NEIGH_LOG(DEBUG, "%s reachable at %02x:%02x:%02x:%02x:%02x:%02x (was %s)\n",
				vtep_ip_str(e->ip_be, ips), sha->addr_bytes[0], sha->addr_bytes[1],
				sha->addr_bytes[2], sha->addr_bytes[3], sha->addr_bytes[4],
				sha->addr_bytes[5], vtep_neigh_state_name(e->state));
	e->mac = *sha;
	e->state = VTEP_NEIGH_REACHABLE;
	e->confirmed = now;
	e->probes = 0;
	e->next = now + VTEP_NEIGH_REFRESH_S * nt->p.hz;
	if (changed)
		notify(nt, e);
}

/*
 * RFC 826 merge: a sender already in the table gets its MAC confirmed or updated, whatever the
 * frame asked; a new sender is added only if it asked us (it is about to talk to us, and
 * learning from every broadcast would fill the table) and is on-link.
 */
static void
merge(struct vtep_neigh *nt, rte_be32_t sip, const struct rte_ether_addr *sha, bool for_us,
		uint64_t now)
{
	struct vtep_neigh_entry *e = find(nt, sip);

	if (e == NULL) {
		if (!for_us || vtep_neigh_nexthop(nt, sip) != sip ||
				(e = alloc(nt, sip, false)) == NULL)
			return;
		e->flags = VTEP_NEIGH_F_PASSIVE;
	}
	if (e->state != VTEP_NEIGH_STATIC)
		confirm(nt, e, sha, now);
}

/* Offset of the ARP body: after Ethernet and at most one 802.1Q tag; 0 if not ARP. */
static size_t
arp_offset(const uint8_t *p, uint32_t len)
{
	uint32_t off = vtep_l3_offset(p, len, RTE_BE16(RTE_ETHER_TYPE_ARP));

	return off != 0 && len >= off + sizeof(struct rte_arp_hdr) ? off : 0;
}

int
vtep_neigh_input(struct vtep_neigh *nt, struct rte_mbuf *m, uint64_t now, struct rte_mbuf **out,
		unsigned int *nb_out)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	size_t off = arp_offset(p, rte_pktmbuf_data_len(m));
	const struct rte_arp_hdr *a = (const struct rte_arp_hdr *)(p + off);
	struct rte_ether_addr sha;
	rte_be32_t sip, tip;
	uint16_t op;

	if (off == 0 || a->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			a->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			a->arp_hlen != RTE_ETHER_ADDR_LEN || a->arp_plen != sizeof(rte_be32_t))
		goto ignore;
	op = rte_be_to_cpu_16(a->arp_opcode);
	sha = a->arp_data.arp_sha;
	sip = a->arp_data.arp_sip;
	tip = a->arp_data.arp_tip;
	/* Someone else using our address is a conflict, not a neighbor (RFC 5227 2.4). */
	if ((op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) ||
			!rte_is_valid_assigned_ether_addr(&sha) || sip == nt->p.local_be ||
			rte_is_same_ether_addr(&sha, &nt->p.local_mac))
		goto ignore;
	/* An RFC 5227 probe (sender 0) teaches nothing, but is answered (Linux does). Only a
	 * request for us adds a neighbor; an unsolicited reply does not (Linux, arp_accept 0). */
	if (sip != 0 && valid_neighbor(nt, sip))
		merge(nt, sip, &sha, op == RTE_ARP_OP_REQUEST && tip == nt->p.local_be, now);
	if (op == RTE_ARP_OP_REPLY)
		nt->c.replies_in++;
	if (op == RTE_ARP_OP_REPLY) {
		rte_pktmbuf_free(m);
		return 0;
	}
	if (tip != nt->p.local_be) {
		nt->c.requests_other++;
		rte_pktmbuf_free(m);
		return 1;
	}
	/* A flood of requests for us gets at most the reply rate's worth of answers: the control
	 * lcore's time and the underlay's bandwidth are not the requester's to spend. */
	if (!vtep_rate_take(&nt->replies, now, 1)) {
		nt->c.limited++;
		rte_pktmbuf_free(m);
		return -EAGAIN;
	}
	/* The reply reuses the request's buffer, trimmed to the ARP frame (padding dropped). */
	nt->c.requests_in++;
	if (m->nb_segs > 1 ||
			rte_pktmbuf_trim(m,
					rte_pktmbuf_pkt_len(m) - off -
							sizeof(struct rte_arp_hdr)) != 0)
		goto ignore;
	fill(nt, p, off - sizeof(struct rte_ether_hdr), RTE_ARP_OP_REPLY, &sha, &sha, sip,
			nt->p.local_be);
	/* RX offload flags do not describe the reply; the buffer's own kind (external,
	 * indirect) must survive, or freeing it goes wrong. */
	m->ol_flags &= RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT;
	out[(*nb_out)++] = m;
	return 0;
ignore:
	nt->c.ignored++;
	rte_pktmbuf_free(m);
	return -EINVAL;
}

static uint64_t
backoff(const struct vtep_neigh *nt, unsigned int probes)
{
	unsigned int s = probes > 7 ? VTEP_NEIGH_BACKOFF_MAX_S : 1u << (probes - 1);

	return RTE_MIN(s, (unsigned int)VTEP_NEIGH_BACKOFF_MAX_S) * nt->p.hz;
}

/* One due entry: the frame to send, or NULL. */
static struct rte_mbuf *
expire(struct vtep_neigh *nt, struct vtep_neigh_entry *e, uint64_t now)
{
	char ips[16];

	switch (e->state) {
	case VTEP_NEIGH_INCOMPLETE:
	case VTEP_NEIGH_FAILED:
		/* Broadcasts 1, 2, 4, ... 60 s apart until it answers; FAILED after 3. */
		if (e->probes >= VTEP_NEIGH_PROBES && e->state != VTEP_NEIGH_FAILED) {
			NEIGH_LOG(DEBUG, "%s failed: no answer to %u requests\n",
					vtep_ip_str(e->ip_be, ips), e->probes);
			e->state = VTEP_NEIGH_FAILED;
		}
		if (e->probes < UINT8_MAX)
			e->probes++;
		e->next = now + backoff(nt, e->probes);
		return request(nt, e->ip_be, &bcast);
	case VTEP_NEIGH_REACHABLE:
		/* Refresh before it expires: ask the neighbor itself (RFC 1122 2.3.2.1). */
		e->state = VTEP_NEIGH_PROBE;
		e->probes = 0;
		/* fall through */
	case VTEP_NEIGH_PROBE:
		if (e->probes < VTEP_NEIGH_PROBES) {
			e->probes++;
			e->next = now + nt->p.hz;
			return request(nt, e->ip_be, &e->mac);
		}
		/* Lost. Nobody asked for a passive entry: forget it rather than chase it. */
		if (e->flags & VTEP_NEIGH_F_PASSIVE) {
			release(nt, e);
			return NULL;
		}
		NEIGH_LOG(DEBUG, "%s lost: no answer to %u unicast probes\n",
				vtep_ip_str(e->ip_be, ips), e->probes);
		e->state = VTEP_NEIGH_INCOMPLETE;
		notify(nt, e);
		return start_resolution(nt, e, now);
	default:
		return NULL;
	}
}

unsigned int
vtep_neigh_timer(struct vtep_neigh *nt, uint64_t now, struct rte_mbuf **out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < VTEP_NEIGH_SIZE && n < max; i++) {
		struct vtep_neigh_entry *e = &nt->entries[i];
		struct rte_mbuf *m;

		if (e->state == VTEP_NEIGH_FREE || e->state == VTEP_NEIGH_STATIC || now < e->next)
			continue;
		m = expire(nt, e, now);
		if (m != NULL)
			out[n++] = m;
	}
	return n;
}

const char *
vtep_neigh_state_name(enum vtep_neigh_state s)
{
	static const char *const names[] = {
			"free", "incomplete", "reachable", "probe", "permanent", "failed"};

	return (unsigned int)s < RTE_DIM(names) ? names[s] : "?";
}

unsigned int
vtep_neigh_walk(const struct vtep_neigh *nt, uint64_t now, vtep_neigh_walk_t cb, void *arg)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < VTEP_NEIGH_SIZE; i++) {
		const struct vtep_neigh_entry *e = &nt->entries[i];
		struct vtep_neigh_info info;

		if (e->state == VTEP_NEIGH_FREE)
			continue;
		info.ip_be = e->ip_be;
		info.mac = has_mac(e) ? e->mac : zero_mac;
		info.state = (enum vtep_neigh_state)e->state;
		info.flags = e->flags;
		info.age_ms = UINT64_MAX;
		if (e->confirmed != 0 && now >= e->confirmed && nt->p.hz != 0)
			info.age_ms = (now - e->confirmed) * 1000 / nt->p.hz;
		cb(&info, arg);
		n++;
	}
	return n;
}

int
vtep_neigh_glean(struct vtep_neigh *nt, rte_be32_t ip_be, const struct rte_ether_addr *mac,
		uint64_t now)
{
	const struct vtep_neigh_entry *e = find(nt, ip_be);

	if (!valid_neighbor(nt, ip_be) || vtep_neigh_nexthop(nt, ip_be) != ip_be ||
			!rte_is_valid_assigned_ether_addr(mac))
		return -EINVAL;
	if (e != NULL && has_mac(e))
		return 0;
	merge(nt, ip_be, mac, true, now);
	return 1;
}
