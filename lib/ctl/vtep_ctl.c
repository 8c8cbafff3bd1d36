/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "vtep_ctl.h"

RTE_LOG_REGISTER_DEFAULT(vtep_logtype_ctl, INFO);
#define CTL_LOG(level, ...) rte_log(RTE_LOG_##level, vtep_logtype_ctl, "vtepd.ctl: " __VA_ARGS__)

/* Events and frames taken from one ring per pass. */
#define CTL_BURST 64

struct vtep_ctl {
	struct vtep_ctx *ctx;
	struct vtep_lcore_stats *st; /* the control lcore's counter block */
	struct vtep_txq tx;          /* the underlay port's ring */
	uint64_t hz;
	uint64_t next_age;           /* TSC of the next FDB ageing pass */
};

/* The next hop of a remote VTEP: itself when on-link, else the gateway (0: unreachable). */
static rte_be32_t
nexthop(const struct vtep_conf *conf, rte_be32_t ip_be)
{
	uint32_t mask = conf->prefix_len == 0 ? 0 : ~0u << (32 - conf->prefix_len);

	if (((rte_be_to_cpu_32(ip_be) ^ rte_be_to_cpu_32(conf->local_be)) & mask) == 0)
		return ip_be;
	return conf->gateway_be;
}

static const struct rte_ether_addr *
static_neigh(const struct vtep_conf *conf, rte_be32_t ip_be)
{
	for (unsigned int i = 0; i < conf->nb_neighs; i++)
		if (conf->neighs[i].ip_be == ip_be)
			return &conf->neighs[i].mac;
	return NULL;
}

/* Give a new remote its next-hop MAC if it is known. */
static void
resolve(struct vtep_ctl *c, int idx)
{
	const struct vtep_remote *r = vtep_remote_slot(c->ctx->remotes, idx);
	const struct rte_ether_addr *mac;
	rte_be32_t nh;

	if (r->multicast)
		return;
	nh = nexthop(c->ctx->conf, r->ip_be);
	mac = nh != 0 ? static_neigh(c->ctx->conf, nh) : NULL;
	if (mac != NULL)
		vtep_remote_set_mac(c->ctx->remotes, idx, mac);
}

static unsigned int
drain_learn(struct vtep_ctl *c, struct vtep_worker *w, uint32_t now)
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
			resolve(c, idx);
		rc = vtep_fdb_learn(c->ctx->fdb, &ev[i], idx, now);
		if (rc == -ENOSPC)
			VTEP_DROP(c->st, LEARN_LIMIT);
	}
	return n;
}

static unsigned int
drain_ctl(struct vtep_ctl *c __rte_unused, struct vtep_worker *w)
{
	struct rte_mbuf *pkts[CTL_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(w->ctl_ring, (void **)pkts, CTL_BURST, NULL);

	/* ARP, IGMP and ICMP are answered by the underlay control plane (next step). */
	for (unsigned int i = 0; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
	return n;
}

struct vtep_ctl *
vtep_ctl_create(struct vtep_ctx *ctx)
{
	struct vtep_ctl *c = rte_zmalloc("vtep_ctl", sizeof(*c), RTE_CACHE_LINE_SIZE);

	if (c == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	c->ctx = ctx;
	c->st = &ctx->stats[ctx->nb_workers];
	c->hz = rte_get_tsc_hz();
	vtep_port_txq(&ctx->underlay, VTEP_MAX_WORKERS + 1, &c->tx);
	for (int idx = 1; idx < (int)ctx->remotes->p.size; idx++)
		if (vtep_remote_slot(ctx->remotes, idx)->used)
			resolve(c, idx);
	c->next_age = rte_rdtsc() + c->hz;
	return c;
}

unsigned int
vtep_ctl_poll(struct vtep_ctl *c)
{
	struct vtep_ctx *ctx = c->ctx;
	uint32_t now = vtep_fdb_now();
	unsigned int work = 0;
	uint64_t tsc = rte_rdtsc();

	for (unsigned int w = 0; w < ctx->nb_workers; w++) {
		work += drain_learn(c, ctx->workers[w], now);
		work += drain_ctl(c, ctx->workers[w]);
	}
	if (tsc >= c->next_age) {
		vtep_fdb_age(ctx->fdb, now);
		c->next_age = tsc + c->hz;
	}
	return work;
}

void
vtep_ctl_free(struct vtep_ctl *c)
{
	rte_free(c);
}
