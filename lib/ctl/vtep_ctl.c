/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "vtep_arp.h"
#include "vtep_ctl.h"
#include "vtep_icmp.h"
#include "vtep_igmp.h"
#include "vtep_log.h"

VTEP_LOG_REGISTER(ctl);
#define CTL_LOG(level, ...) VTEP_LOG(ctl, level, __VA_ARGS__)

/* Events and frames taken from one ring per pass. */
#define CTL_BURST 64
/* Timers (ARP retries, IGMP reports) run this often, in ms. */
#define TIMER_MS 10
/* A caller of vtep_ctl_call looks for its answer this often, in us. */
#define CALL_POLL_US 100
/* Longest wait of a flood-list change for workers to leave the list before the last, in us. */
#define FLOOD_GRACE_US 100000

/* States of a mailbox request: the caller and the control lcore each own it in turn. */
enum {
	MSG_QUEUED,    /* posted; the caller waits */
	MSG_DONE,      /* answered; the caller frees it */
	MSG_ABANDONED, /* the caller timed out; the control lcore frees it */
};

/* One vtep_ctl_call request, allocated by the caller. */
struct ctl_msg {
	vtep_ctl_fn fn;
	uint32_t state;
	int rc;
	uint64_t arg[]; /* the caller's argument, copied in and out */
};

struct vtep_ctl {
	struct vtep_ctx *ctx;
	struct vtep_lcore_stats *st;             /* the control lcore's counter block */
	struct vtep_txq tx;                      /* the underlay port's ring */
	struct vtep_txq inner_tx[VTEP_MAX_VNIS]; /* the inner ports' rings, for learned frames */
	uint64_t hz;
	uint64_t next_age;   /* TSC of the next FDB ageing pass */
	uint64_t next_timer; /* TSC of the next ARP/IGMP timer pass */
	unsigned int nb_out; /* frames waiting in out */
	struct rte_mbuf *out[CTL_BURST * 2];
	struct vtep_arp arp;
	struct vtep_igmp igmp;
	struct rte_ring *mailbox;     /* MP/SC: struct ctl_msg from other threads */
	struct vtep_encap_vni *evnis; /* the per-VNI encap list workers read now */
	struct vtep_encap_vni *spare; /* the other one, rewritten for the next change */
	uint64_t flood_token;         /* QSBR token of the last flood-list publication */
	bool flood_pending;           /* workers may still read spare */
};

static void
flush(struct vtep_ctl *c)
{
	/* The control lcore copies into the capture's last ring (lib/ctx setup_capture). */
	vtep_capture_burst(c->ctx->capture, c->ctx->nb_workers, c->ctx->underlay.port_id, 0, -1,
			c->out, c->nb_out, RTE_PCAPNG_DIRECTION_OUT);
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
	/* Resolve even a known neighbor: that keeps it refreshed while remotes use it. */
	if (vtep_arp_resolve(&c->arp, nh, now, room(c, 1), &c->nb_out) == -ENOMEM)
		VTEP_DROP(c->st, CTL_NOMBUF);
	mac = vtep_arp_lookup(&c->arp, nh);
	if (mac != NULL)
		vtep_remote_set_mac(c->ctx->remotes, idx, mac);
}

int
vtep_ctl_remote_get(struct vtep_ctl *c, rte_be32_t ip_be)
{
	bool fresh = vtep_remote_find(c->ctx->remotes, ip_be) < 0;
	int idx = vtep_remote_get(c->ctx->remotes, ip_be);

	if (idx > 0 && fresh)
		resolve(c, idx, rte_rdtsc());
	return idx;
}

static unsigned int
drain_learn(struct vtep_ctl *c, struct vtep_worker *w, uint32_t now_s, uint64_t now)
{
	unsigned int done = 0;
	struct vtep_learn_event ev[CTL_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst_elem(
			w->learn_ring, ev, sizeof(ev[0]), CTL_BURST, NULL);
	int idx, rc;

	for (unsigned int i = 0; i < n; i++) {
		int found;

		if (ev[i].flags & VTEP_LEARN_DELIVER_ONLY)
			continue;
		found = vtep_remote_find(c->ctx->remotes, ev[i].src_be);

		/* A VTEP on our link just told us its MAC: no ARP round trip before we answer. */
		if (found < 0 || !vtep_remote_slot(c->ctx->remotes, found)->resolved)
			vtep_arp_glean(&c->arp, ev[i].src_be, &ev[i].src_mac, now);
		idx = found > 0 ? found : vtep_ctl_remote_get(c, ev[i].src_be);
		if (idx < 0) {
			VTEP_DROP(c->st, LEARN_NO_REMOTE);
			continue;
		}
		rc = vtep_fdb_learn(c->ctx->fdb, &ev[i], idx, now_s);
		if (rc == -ENOSPC)
			VTEP_DROP(c->st, LEARN_LIMIT);
	}
	/* The entries are in (or refused): now the frames that taught them may be answered. */
	for (unsigned int i = 0; i < n; i++) {
		unsigned int v = vtep_fdb_key_vni(ev[i].key);

		if (ev[i].m == NULL)
			continue;
		done++;
		vtep_capture_burst(c->ctx->capture, c->ctx->nb_workers, c->ctx->inner[v].port_id, 0,
				(int)v, &ev[i].m, 1, RTE_PCAPNG_DIRECTION_OUT);
		vtep_txq_send(&c->inner_tx[v], &ev[i].m, 1, &c->st->drops[VTEP_DROP_TX_INNER_FULL]);
	}
	/* After the enqueues (release): the worker that drains the rings reads this before it
	 * drains them, and knows then that nothing it handed over is still on its way. */
	if (done > 0)
		__atomic_store_n(&w->held_done, w->held_done + done, __ATOMIC_RELEASE);
	return n;
}

static void
control_frame(struct vtep_ctl *c, struct rte_mbuf *m, uint64_t now)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct vtep_ctx *ctx = c->ctx;
	rte_be16_t type = eth->ether_type;
	const uint8_t *l3 = (const uint8_t *)(eth + 1);
	int rc = -EINVAL;

	/* The classifier passed at most one 802.1Q tag; the handlers keep it in their replies. */
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);

		type = vh->eth_proto;
		l3 = (const uint8_t *)(vh + 1);
	}
	switch (type) {
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		rc = vtep_arp_input(&c->arp, m, now, room(c, 1), &c->nb_out);
		break;
	case RTE_BE16(RTE_ETHER_TYPE_IPV4): {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;

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
	c->mailbox = rte_ring_create(
			"vtep_ctl_mbox", VTEP_CTL_MAILBOX_SIZE, rte_socket_id(), RING_F_SC_DEQ);
	c->spare = rte_zmalloc(
			"vtep_evnis", sizeof(*c->spare) * VTEP_MAX_VNIS, RTE_CACHE_LINE_SIZE);
	if (c->mailbox == NULL || c->spare == NULL) {
		rte_ring_free(c->mailbox);
		rte_free(c->spare);
		rte_free(c);
		rte_errno = ENOMEM;
		return NULL;
	}
	c->evnis = ctx->evnis;
	c->ctx = ctx;
	c->st = &ctx->stats[ctx->nb_workers];
	c->hz = rte_get_tsc_hz();
	vtep_port_txq(&ctx->underlay, VTEP_MAX_WORKERS + 1, &c->tx);
	for (unsigned int v = 0; v < conf->nb_vnis; v++)
		vtep_port_txq(&ctx->inner[v], VTEP_MAX_WORKERS + 1, &c->inner_tx[v]);
	vtep_arp_init(&c->arp,
			&(struct vtep_arp_params){
					.local_be = conf->local_be,
					.local_mac = ctx->underlay.mac,
					.prefix_len = conf->prefix_len,
					.gateway_be = conf->gateway_be,
					.pool = ctx->pool,
					.hz = c->hz,
					.changed = neigh_changed,
					.arg = c,
			});
	vtep_igmp_init(&c->igmp,
			&(struct vtep_igmp_params){
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

/* Run (rc == 0) or refuse (rc < 0) the requests of other threads. */
static unsigned int
drain_mailbox(struct vtep_ctl *c, int rc)
{
	struct ctl_msg *msgs[CTL_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(c->mailbox, (void **)msgs, CTL_BURST, NULL);

	for (unsigned int i = 0; i < n; i++) {
		struct ctl_msg *m = msgs[i];
		uint32_t queued = MSG_QUEUED;

		/* A caller that gave up wants nothing done any more. */
		if (rc == 0 && __atomic_load_n(&m->state, __ATOMIC_ACQUIRE) == MSG_QUEUED)
			m->fn(c, m->arg);
		m->rc = rc;
		if (!__atomic_compare_exchange_n(&m->state, &queued, MSG_DONE, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			free(m);
	}
	return n;
}

int
vtep_ctl_call(struct vtep_ctl *c, vtep_ctl_fn fn, void *arg, size_t size, unsigned int timeout_ms)
{
	struct ctl_msg *m = malloc(sizeof(*m) + size);
	uint64_t waits = (uint64_t)timeout_ms * 1000 / CALL_POLL_US;
	uint32_t queued = MSG_QUEUED;
	int rc;

	if (m == NULL)
		return -ENOMEM;
	m->fn = fn;
	m->state = MSG_QUEUED;
	m->rc = 0;
	memcpy(m->arg, arg, size);
	if (rte_ring_mp_enqueue(c->mailbox, m) != 0) {
		free(m);
		return -EBUSY;
	}
	for (uint64_t i = 0; i <= waits; i++) {
		if (__atomic_load_n(&m->state, __ATOMIC_ACQUIRE) == MSG_DONE)
			break;
		rte_delay_us_sleep(CALL_POLL_US);
	}
	/* Either we abandon it (the control lcore frees it) or it is done (we free it). */
	if (__atomic_compare_exchange_n(&m->state, &queued, MSG_ABANDONED, false, __ATOMIC_ACQ_REL,
			    __ATOMIC_ACQUIRE))
		return -ETIMEDOUT;
	rc = m->rc;
	if (rc == 0)
		memcpy(arg, m->arg, size);
	free(m);
	return rc;
}

/*
 * Flood lists change by copy and publish: workers hold a pointer to the whole per-VNI array for
 * the length of one burst, so the control lcore edits a copy, publishes it with one release
 * store, and reuses the old array only once every worker has reported a quiescent state since
 * (the same QSBR variable that reclaims FDB slots). No worker ever sees a list half edited.
 */
static struct vtep_encap_vni *
flood_edit_begin(struct vtep_ctl *c)
{
	unsigned int waited = 0;

	while (c->flood_pending && rte_rcu_qsbr_check(c->ctx->qsbr, c->flood_token, false) != 1) {
		if (waited >= FLOOD_GRACE_US)
			return NULL;
		rte_delay_us_sleep(CALL_POLL_US);
		waited += CALL_POLL_US;
	}
	c->flood_pending = false;
	memcpy(c->spare, c->evnis, sizeof(*c->spare) * VTEP_MAX_VNIS);
	return c->spare;
}

static void
flood_publish(struct vtep_ctl *c)
{
	struct vtep_encap_vni *old = c->evnis;

	__atomic_store_n(&c->ctx->encap.vnis, c->spare, __ATOMIC_RELEASE);
	c->evnis = c->spare;
	c->spare = old;
	c->flood_token = rte_rcu_qsbr_start(c->ctx->qsbr);
	c->flood_pending = true;
}

/* Position of remote slot idx in a VNI's flood list, or -1. */
static int
flood_find(const struct vtep_encap_vni *v, int idx)
{
	for (unsigned int i = 0; i < v->nb_floods; i++)
		if (v->floods[i] == idx)
			return i;
	return -1;
}

int
vtep_ctl_flood_append(struct vtep_ctl *c, unsigned int vni_idx, rte_be32_t ip_be)
{
	struct vtep_encap_vni *next;
	int idx;

	if (vtep_ip_is_multicast(ip_be) || ip_be == 0)
		return -EINVAL;
	idx = vtep_remote_find(c->ctx->remotes, ip_be);
	if (idx > 0 && flood_find(&c->evnis[vni_idx], idx) >= 0)
		return -EEXIST;
	if (c->evnis[vni_idx].nb_floods >= VTEP_ENCAP_MAX_COPIES)
		return -ENOSPC;
	idx = vtep_ctl_remote_get(c, ip_be);
	if (idx < 0)
		return idx;
	next = flood_edit_begin(c);
	if (next == NULL)
		return -EBUSY;
	next[vni_idx].floods[next[vni_idx].nb_floods++] = idx;
	flood_publish(c);
	return 0;
}

int
vtep_ctl_flood_del(struct vtep_ctl *c, unsigned int vni_idx, rte_be32_t ip_be)
{
	int idx = vtep_remote_find(c->ctx->remotes, ip_be);
	struct vtep_encap_vni *next;
	int pos;

	if (ip_be == c->ctx->conf->vnis[vni_idx].group_be)
		return -EPERM;
	pos = idx > 0 ? flood_find(&c->evnis[vni_idx], idx) : -1;
	if (pos < 0)
		return -ENOENT;
	next = flood_edit_begin(c);
	if (next == NULL)
		return -EBUSY;
	/* Keep the order of the others: copies go out in the order the list was built. */
	memmove(&next[vni_idx].floods[pos], &next[vni_idx].floods[pos + 1],
			(next[vni_idx].nb_floods - pos - 1) * sizeof(next[vni_idx].floods[0]));
	next[vni_idx].nb_floods--;
	flood_publish(c);
	return 0;
}

const struct vtep_encap_vni *
vtep_ctl_encap_vnis(const struct vtep_ctl *c)
{
	return c->evnis;
}

struct vtep_ctx *
vtep_ctl_ctx(struct vtep_ctl *c)
{
	return c->ctx;
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
	work += drain_mailbox(c, 0);
	work += c->nb_out;
	flush(c);
	return work;
}

void
vtep_ctl_shutdown(struct vtep_ctl *c)
{
	struct vtep_ctx *ctx = c->ctx;
	uint64_t now = rte_rdtsc();
	unsigned int n;

	/* Workers are gone: what they left for us is handled (learn events deliver their
	 * frames), and queue 0 of every port is ours, so the ports' rings are sent now rather
	 * than freed at close: every mbuf is back in the pool when the counters are printed. */
	do {
		n = 0;
		for (unsigned int w = 0; w < ctx->nb_workers; w++)
			n += drain_learn(c, ctx->workers[w], vtep_fdb_now(), now) +
					drain_ctl(c, ctx->workers[w], now);
		flush(c);
	} while (n > 0);
	c->nb_out = vtep_igmp_leave_all(&c->igmp, now, c->out, RTE_DIM(c->out));
	flush(c);
	while (rte_ring_count(ctx->underlay.tx_ring) > 0)
		c->st->underlay_tx += vtep_port_drain(
				&ctx->underlay, &c->st->drops[VTEP_DROP_TX_UNDERLAY_FULL]);
	for (unsigned int v = 0; v < ctx->conf->nb_vnis; v++)
		while (rte_ring_count(ctx->inner[v].tx_ring) > 0)
			c->st->inner_tx += vtep_port_drain(
					&ctx->inner[v], &c->st->drops[VTEP_DROP_TX_INNER_FULL]);
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
	while (drain_mailbox(c, -ESHUTDOWN) > 0)
		;
	rte_ring_free(c->mailbox);
	/* Workers are gone: whichever array they read last is no longer in use. */
	if (c->evnis != c->ctx->evnis) {
		memcpy(c->ctx->evnis, c->evnis, sizeof(*c->evnis) * VTEP_MAX_VNIS);
		c->ctx->encap.vnis = c->ctx->evnis;
		rte_free(c->evnis);
	} else {
		rte_free(c->spare);
	}
	rte_free(c);
}
