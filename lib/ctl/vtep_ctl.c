/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "vtep_arp.h"
#include "vtep_ctl.h"
#include "vtep_icmp.h"
#include "vtep_igmp.h"

RTE_LOG_REGISTER_DEFAULT(vtep_logtype_ctl, INFO);
#define CTL_LOG(level, ...) rte_log(RTE_LOG_##level, vtep_logtype_ctl, "vtepd.ctl: " __VA_ARGS__)

/* Events and frames taken from one ring per pass. */
#define CTL_BURST 64
/* Timers (ARP retries, IGMP reports) run this often, in ms. */
#define TIMER_MS 10

struct vtep_ctl {
	struct vtep_ctx *ctx;
	struct vtep_lcore_stats *st; /* the control lcore's counter block */
	struct vtep_txq tx;          /* the underlay port's ring */
	uint64_t hz;
	uint64_t next_age;           /* TSC of the next FDB ageing pass */
	uint64_t next_timer;         /* TSC of the next ARP/IGMP timer pass */
	unsigned int nb_out;         /* frames waiting in out */
	struct rte_mbuf *out[CTL_BURST * 2];
	struct vtep_arp arp;
	struct vtep_igmp igmp;
};

static void
flush(struct vtep_ctl *c)
{
	vtep_txq_send(&c->tx, c->out, c->nb_out, &c->st->drops[VTEP_DROP_CTL_TX_FULL]);
	c->nb_out = 0;
}

/* Room for n more frames in out. */
static struct rte_mbuf **
room(struct vtep_ctl *c, unsigned int n)
{
	if (c->nb_out + n > RTE_DIM(c->out))
		flush(c);
	return c->out;
}

/* A neighbor's MAC became known, changed or was lost: every remote behind it follows. */
static void
neigh_changed(rte_be32_t ip_be, const struct rte_ether_addr *mac, void *arg)
{
	struct vtep_ctl *c = arg;
	struct vtep_remotes *rt = c->ctx->remotes;
	char ips[16];

	CTL_LOG(INFO, "neighbor %s %s\n", vtep_ip_str(ip_be, ips), mac ? "resolved" : "lost");
	for (int idx = 1; idx < (int)rt->p.size; idx++) {
		const struct vtep_remote *r = vtep_remote_slot(rt, idx);

		if (r->used && !r->multicast && vtep_arp_nexthop(&c->arp, r->ip_be) == ip_be)
			vtep_remote_set_mac(rt, idx, mac);
	}
}

/* Give a remote its next-hop MAC, or start resolving it. */
static void
resolve(struct vtep_ctl *c, int idx, uint64_t now)
{
	const struct vtep_remote *r = vtep_remote_slot(c->ctx->remotes, idx);
	const struct rte_ether_addr *mac;
	rte_be32_t nh;
	char ips[16];

	if (r->multicast)
		return;
	nh = vtep_arp_nexthop(&c->arp, r->ip_be);
	if (nh == 0) {
		CTL_LOG(WARNING, "remote %s is off-link and no gateway is configured\n",
				vtep_ip_str(r->ip_be, ips));
		return;
	}
	mac = vtep_arp_lookup(&c->arp, nh);
	if (mac != NULL) {
		vtep_remote_set_mac(c->ctx->remotes, idx, mac);
		return;
	}
	if (vtep_arp_resolve(&c->arp, nh, now, room(c, 1), &c->nb_out) == -ENOMEM)
		VTEP_DROP(c->st, CTL_NOMBUF);
}

static unsigned int
drain_learn(struct vtep_ctl *c, struct vtep_worker *w, uint32_t now_s, uint64_t now)
{
	struct vtep_learn_event ev[CTL_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst_elem(w->learn_ring, ev, sizeof(ev[0]), CTL_BURST,
			NULL);
	int idx, rc;

	for (unsigned int i = 0; i < n; i++) {
		bool fresh = vtep_remote_find(c->ctx->remotes, ev[i].src_be) < 0;

		idx = vtep_remote_get(c->ctx->remotes, ev[i].src_be);
		if (idx < 0) {
			VTEP_DROP(c->st, LEARN_NO_REMOTE);
			continue;
		}
		if (fresh)
			resolve(c, idx, now);
		rc = vtep_fdb_learn(c->ctx->fdb, &ev[i], idx, now_s);
		if (rc == -ENOSPC)
			VTEP_DROP(c->st, LEARN_LIMIT);
	}
	return n;
}

static void
control_frame(struct vtep_ctl *c, struct rte_mbuf *m, uint64_t now)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct vtep_ctx *ctx = c->ctx;
	int rc = -EINVAL;

	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		rc = vtep_arp_input(&c->arp, m, now, room(c, 1), &c->nb_out);
		break;
	case RTE_BE16(RTE_ETHER_TYPE_IPV4): {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);

		if (ip->next_proto_id == IPPROTO_IGMP) {
			rc = vtep_igmp_input(&c->igmp, m, now);
			break;
		}
		rc = vtep_icmp_echo_reply(m, ctx->conf->local_be, &ctx->underlay.mac);
		if (rc == 0)
			room(c, 1)[c->nb_out++] = m;
		else
			rte_pktmbuf_free(m);
		break;
	}
	default:
		rte_pktmbuf_free(m);
		break;
	}
	if (rc != 0)
		VTEP_DROP(c->st, CTL_INVALID);
}

static unsigned int
drain_ctl(struct vtep_ctl *c, struct vtep_worker *w, uint64_t now)
{
	struct rte_mbuf *pkts[CTL_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(w->ctl_ring, (void **)pkts, CTL_BURST, NULL);

	for (unsigned int i = 0; i < n; i++)
		control_frame(c, pkts[i], now);
	return n;
}

static void
join_groups(struct vtep_ctl *c, uint64_t now)
{
	const struct vtep_parse_ctx *pc = &c->ctx->parse;
	char ips[16];

	for (unsigned int i = 0; i < pc->nb_groups; i++) {
		if (vtep_igmp_join(&c->igmp, pc->groups_be[i], now, room(c, 1), &c->nb_out) == 0)
			CTL_LOG(INFO, "joined %s (IGMPv%u)\n", vtep_ip_str(pc->groups_be[i], ips),
					vtep_igmp_mode(&c->igmp, now));
	}
}

struct vtep_ctl *
vtep_ctl_create(struct vtep_ctx *ctx)
{
	const struct vtep_conf *conf = ctx->conf;
	struct vtep_ctl *c = rte_zmalloc("vtep_ctl", sizeof(*c), RTE_CACHE_LINE_SIZE);
	uint64_t now = rte_rdtsc();
	struct rte_mbuf *m;

	if (c == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	c->ctx = ctx;
	c->st = &ctx->stats[ctx->nb_workers];
	c->hz = rte_get_tsc_hz();
	vtep_port_txq(&ctx->underlay, VTEP_MAX_WORKERS + 1, &c->tx);
	vtep_arp_init(&c->arp, &(struct vtep_arp_params){
		.local_be = conf->local_be,
		.local_mac = ctx->underlay.mac,
		.prefix_len = conf->prefix_len,
		.gateway_be = conf->gateway_be,
		.pool = ctx->pool,
		.hz = c->hz,
		.changed = neigh_changed,
		.arg = c,
	});
	vtep_igmp_init(&c->igmp, &(struct vtep_igmp_params){
		.local_be = conf->local_be,
		.local_mac = ctx->underlay.mac,
		.pool = ctx->pool,
		.version = conf->igmp_version,
		.hz = c->hz,
		.seed = now,
	});
	for (unsigned int i = 0; i < conf->nb_neighs; i++)
		vtep_arp_add_static(&c->arp, conf->neighs[i].ip_be, &conf->neighs[i].mac);
	/* Announce ourselves, so that peers' stale ARP entries follow a restart at once. */
	m = vtep_arp_gratuitous(&c->arp);
	if (m != NULL)
		room(c, 1)[c->nb_out++] = m;
	for (int idx = 1; idx < (int)ctx->remotes->p.size; idx++)
		if (vtep_remote_slot(ctx->remotes, idx)->used)
			resolve(c, idx, now);
	join_groups(c, now);
	flush(c);
	c->next_age = now + c->hz;
	c->next_timer = now;
	return c;
}

unsigned int
vtep_ctl_poll(struct vtep_ctl *c)
{
	struct vtep_ctx *ctx = c->ctx;
	uint32_t now_s = vtep_fdb_now();
	uint64_t now = rte_rdtsc();
	unsigned int work = 0;

	for (unsigned int w = 0; w < ctx->nb_workers; w++) {
		work += drain_learn(c, ctx->workers[w], now_s, now);
		work += drain_ctl(c, ctx->workers[w], now);
	}
	if (now >= c->next_timer) {
		unsigned int n;

		room(c, CTL_BURST);
		n = vtep_arp_timer(&c->arp, now, c->out + c->nb_out, CTL_BURST);
		c->nb_out += n;
		room(c, CTL_BURST);
		n = vtep_igmp_timer(&c->igmp, now, c->out + c->nb_out, CTL_BURST);
		c->nb_out += n;
		c->next_timer = now + c->hz * TIMER_MS / 1000;
	}
	if (now >= c->next_age) {
		vtep_fdb_age(ctx->fdb, now_s);
		c->next_age = now + c->hz;
	}
	work += c->nb_out;
	flush(c);
	return work;
}

void
vtep_ctl_shutdown(struct vtep_ctl *c)
{
	struct vtep_txq q = { .port_id = c->ctx->underlay.port_id, .queue = 0, .ring = NULL };
	uint64_t dropped = 0;

	/* Workers are gone: queue 0 is ours, and their rings hold nothing we need. */
	c->nb_out = vtep_igmp_leave_all(&c->igmp, rte_rdtsc(), c->out, RTE_DIM(c->out));
	vtep_txq_send(&q, c->out, c->nb_out, &dropped);
	c->nb_out = 0;
	c->st->drops[VTEP_DROP_CTL_TX_FULL] += dropped;
}

const struct vtep_arp *
vtep_ctl_arp(const struct vtep_ctl *c)
{
	return &c->arp;
}

const struct vtep_igmp *
vtep_ctl_igmp(const struct vtep_ctl *c)
{
	return &c->igmp;
}

void
vtep_ctl_free(struct vtep_ctl *c)
{
	if (c == NULL)
		return;
	rte_pktmbuf_free_bulk(c->out, c->nb_out);
	rte_free(c);
}
