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

#include "vtep_ctl_int.h"
#include "vtep_icmp.h"
#include "vtep_igmp.h"

VTEP_LOG_REGISTER(ctl);

/* Timers (ARP retries, IGMP reports) run this often, in ms. */
#define TIMER_MS 10

static uint64_t
tsc_clock(void *arg __rte_unused)
{
	return rte_rdtsc();
}

/* The control lcore's time now, in TSC cycles. */
static inline uint64_t
now_tsc(const struct vtep_ctl *c)
{
	return c->clock(c->clock_arg);
}

static void
flush(struct vtep_ctl *c)
{
	/* The control lcore copies into the capture's last ring (lib/cp/runtime setup_capture). */
	vtep_capture_burst(c->rt->capture, c->rt->nb_workers, c->rt->underlay.port_id, 0, -1,
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
	struct vtep_remotes *rem = c->rt->remotes;
	char ips[16];

	CTL_LOG(INFO, "neighbor %s %s\n", vtep_ip_str(ip_be, ips), mac ? "resolved" : "lost");
	for (int idx = 1; idx < (int)rem->p.size; idx++) {
		const struct vtep_remote *r = vtep_remote_slot(rem, idx);

		if (r->used && !r->multicast && vtep_neigh_nexthop(&c->neigh, r->ip_be) == ip_be)
			vtep_remote_set_mac(rem, idx, mac);
	}
}

/* Give a remote its next-hop MAC, or start resolving it. */
static void
resolve(struct vtep_ctl *c, int idx, uint64_t now)
{
	const struct vtep_remote *r = vtep_remote_slot(c->rt->remotes, idx);
	const struct rte_ether_addr *mac;
	rte_be32_t nh;
	char ips[16];

	if (r->multicast)
		return;
	nh = vtep_neigh_nexthop(&c->neigh, r->ip_be);
	if (nh == 0) {
		CTL_LOG(WARNING, "remote %s is off-link and no gateway is configured\n",
				vtep_ip_str(r->ip_be, ips));
		return;
	}
	/* Resolve even a known neighbor: that keeps it refreshed while remotes use it. */
	if (vtep_neigh_resolve(&c->neigh, nh, now, room(c, 1), &c->nb_out) == -ENOMEM)
		VTEP_DROP(c->st, CTL_NOMBUF);
	mac = vtep_neigh_lookup(&c->neigh, nh);
	if (mac != NULL)
		vtep_remote_set_mac(c->rt->remotes, idx, mac);
}

int
vtep_ctl_remote_get(struct vtep_ctl *c, rte_be32_t ip_be)
{
	bool fresh = vtep_remote_find(c->rt->remotes, ip_be) < 0;
	int idx = vtep_remote_get(c->rt->remotes, ip_be);

	if (idx > 0 && fresh) {
		vtep_ctl_remote_fresh(c, idx);
		resolve(c, idx, now_tsc(c));
	}
	return idx;
}

/* What learn_remote needs: the event and whether its remote has a slot already. */
struct learn_arg {
	struct vtep_ctl *c;
	const struct vtep_learn_event *ev;
	int found; /* its remote's slot, or < 0 */
	uint64_t now;
};

/* The remote slot of an admitted learn: the one found, or a new one, whose on-link VTEP's MAC
 * the frame just told us (no ARP round trip before we answer). */
static int
learn_remote(void *arg, rte_be32_t ip_be)
{
	struct learn_arg *l = arg;

	if (l->found > 0)
		return l->found;
	vtep_neigh_glean(&l->c->neigh, ip_be, &l->ev->src_mac, l->now);
	return vtep_ctl_remote_get(l->c, ip_be);
}

/* Count a learn the FDB refused (every refusal has its counter; static MACs count in
 * fdb.static_move). */
static void
learn_refused(struct vtep_ctl *c, int rc)
{
	switch (rc) {
	case -ENOSPC:
		VTEP_DROP(c->st, LEARN_LIMIT);
		break;
	case -EAGAIN:
		VTEP_DROP(c->st, LEARN_RATE);
		break;
	case -EBUSY:
		VTEP_DROP(c->st, LEARN_FROZEN);
		break;
	case -ENXIO:
		VTEP_DROP(c->st, LEARN_NO_REMOTE);
		break;
	case -ENOMEM:
	case -EINVAL:
		VTEP_DROP(c->st, LEARN_FAILED);
		break;
	default:
		break;
	}
}

static unsigned int
drain_learn(struct vtep_ctl *c, struct vtep_worker *w, uint32_t now_s, uint64_t now)
{
	struct vtep_learn_event ev[CTL_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst_elem(
			w->learn_ring, ev, sizeof(ev[0]), CTL_BURST, NULL);
	int rc;

	for (unsigned int i = 0; i < n; i++) {
		struct learn_arg l = {.c = c, .ev = &ev[i], .now = now};

		/* A local MAC names an attachment, never a remote slot: no get_remote. */
		if (ev[i].flags & VTEP_LEARN_LOCAL) {
			rc = vtep_fdb_learn_with(c->rt->fdb, &ev[i], NULL, NULL, now_s);
			if (rc < 0)
				learn_refused(c, rc);
			continue;
		}

		l.found = vtep_remote_find(c->rt->remotes, ev[i].src_be);
		/* A known VTEP on our link still unresolved just told us its MAC. */
		if (l.found > 0 && !vtep_remote_slot(c->rt->remotes, l.found)->resolved)
			vtep_neigh_glean(&c->neigh, ev[i].src_be, &ev[i].src_mac, now);
		/* A new remote gets its slot only once the learn is admitted. */
		rc = vtep_fdb_learn_with(c->rt->fdb, &ev[i], learn_remote, &l, now_s);
		if (rc < 0)
			learn_refused(c, rc);
	}
	/* The entries are in (or refused): the worker may now deliver the frames that posted
	 * these events, which it holds (lib/dp/fwd/vtep_hold.h). Release: the FDB writes are
	 * seen by a worker that sees the new count. Local events count too: the worker numbers
	 * every event it posts. */
	if (n > 0)
		__atomic_store_n(&w->learn_done, w->learn_done + n, __ATOMIC_RELEASE);
	return n;
}

void
vtep_ctl_port_state(struct vtep_ctl *c, unsigned int lport)
{
	struct vtep_runtime *rt = c->rt;
	struct vtep_bd *bd = rt->bd;
	uint8_t up = c->link_up[lport] && c->admin_up[lport];
	unsigned int flushed = 0;

	for (unsigned int a = 0; a < bd->nb_atts; a++) {
		if (bd->atts[a].lport != lport || bd->atts[a].up == up)
			continue;
		/* Workers read it per frame they switch or flood: one byte, no ordering needed. */
		__atomic_store_n(&bd->atts[a].up, up, __ATOMIC_RELAXED);
		/* As the kernel bridge does when a port goes down: its learned MACs go. */
		if (!up)
			flushed += vtep_fdb_flush_att(rt->fdb, (uint16_t)a);
	}
	vtep_fdb_count_link_flush(rt->fdb, flushed);
}

static void
control_frame(struct vtep_ctl *c, struct rte_mbuf *m, uint64_t now)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct vtep_runtime *rt = c->rt;
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
		rc = vtep_neigh_input(&c->neigh, m, now, room(c, 1), &c->nb_out);
		break;
	case RTE_BE16(RTE_ETHER_TYPE_IPV4): {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;

		if (ip->next_proto_id == IPPROTO_IGMP) {
			rc = vtep_igmp_input(&c->igmp, m, now);
			break;
		}
		rc = vtep_icmp_echo_reply(m, rt->conf->local_be, &rt->underlay.mac);
		if (rc == 0 && !vtep_rate_take(&c->echo_rate, now, 1)) {
			VTEP_DROP(c->st, CTL_ICMP_LIMIT);
			rte_pktmbuf_free(m);
		} else if (rc == 0) {
			room(c, 1)[c->nb_out++] = m;
		} else {
			rte_pktmbuf_free(m);
		}
		break;
	}
	default:
		rte_pktmbuf_free(m);
		break;
	}
	if (rc == 1)
		VTEP_DROP(c->st, CTL_ARP_OTHER);
	else if (rc == -EAGAIN && type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		VTEP_DROP(c->st, CTL_ARP_LIMIT);
	else if (rc == -EAGAIN)
		VTEP_DROP(c->st, CTL_IGMP_LIMIT);
	else if (rc != 0)
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
	const struct vtep_parse_ctx *pc = &c->rt->parse;
	char ips[16];

	for (unsigned int i = 0; i < pc->nb_groups; i++) {
		if (vtep_igmp_join(&c->igmp, pc->groups_be[i], now, room(c, 1), &c->nb_out) == 0)
			CTL_LOG(INFO, "joined %s (IGMPv%u)\n", vtep_ip_str(pc->groups_be[i], ips),
					vtep_igmp_mode(&c->igmp, now));
	}
}

struct vtep_ctl *
vtep_ctl_create(struct vtep_runtime *rt)
{
	return vtep_ctl_create_clock(rt, tsc_clock, NULL);
}

struct vtep_ctl *
vtep_ctl_create_clock(struct vtep_runtime *rt, vtep_ctl_clock_fn clock, void *arg)
{
	const struct vtep_conf *conf = rt->conf;
	struct vtep_ctl *c = rte_zmalloc("vtep_ctl", sizeof(*c), RTE_CACHE_LINE_SIZE);
	uint64_t now = clock(arg);
	struct rte_mbuf *m;

	if (c == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	c->clock = clock;
	c->clock_arg = arg;
	c->mailbox = rte_ring_create(
			"vtep_ctl_mbox", VTEP_CTL_MAILBOX_SIZE, rte_socket_id(), RING_F_SC_DEQ);
	c->spare = rte_zmalloc(
			"vtep_evnis", sizeof(*c->spare) * VTEP_MAX_VNIS, RTE_CACHE_LINE_SIZE);
	c->remote_base = rte_zmalloc("vtep_remote_base",
			sizeof(*c->remote_base) * VTEP_STATS_REMOTES, RTE_CACHE_LINE_SIZE);
	if (c->mailbox == NULL || c->spare == NULL || c->remote_base == NULL) {
		rte_ring_free(c->mailbox);
		rte_free(c->spare);
		rte_free(c->remote_base);
		rte_free(c);
		rte_errno = ENOMEM;
		return NULL;
	}
	c->evnis = rt->evnis;
	c->rt = rt;
	c->st = &rt->stats[rt->nb_workers];
	c->hz = rte_get_tsc_hz();
	vtep_port_txq(&rt->underlay, VTEP_MAX_WORKERS + 1, &c->tx);
	for (unsigned int l = 0; l < rt->nb_ports; l++)
		c->admin_up[l] = 1;
	vtep_neigh_init(&c->neigh,
			&(struct vtep_neigh_params){
					.local_be = conf->local_be,
					.local_mac = rt->underlay.mac,
					.prefix_len = conf->prefix_len,
					.gateway_be = conf->gateway_be,
					.pool = rt->pool,
					.hz = c->hz,
					.changed = neigh_changed,
					.arg = c,
					.reply_rate = conf->arp_rate,
			});
	vtep_igmp_init(&c->igmp,
			&(struct vtep_igmp_params){
					.local_be = conf->local_be,
					.local_mac = rt->underlay.mac,
					.pool = rt->pool,
					.version = conf->igmp_version,
					.hz = c->hz,
					.seed = now,
					.report_rate = conf->igmp_rate,
			});
	for (unsigned int i = 0; i < conf->nb_neighs; i++)
		vtep_neigh_add_static(&c->neigh, conf->neighs[i].ip_be, &conf->neighs[i].mac);
	/* Announce ourselves, so that peers' stale ARP entries follow a restart at once. */
	m = vtep_neigh_gratuitous(&c->neigh);
	if (m != NULL)
		room(c, 1)[c->nb_out++] = m;
	for (int idx = 1; idx < (int)rt->remotes->p.size; idx++)
		if (vtep_remote_slot(rt->remotes, idx)->used)
			resolve(c, idx, now);
	join_groups(c, now);
	flush(c);
	c->next_age = now + c->hz;
	c->next_timer = now;
	c->next_link = now;
	/* A port whose link is down at start takes no traffic until it comes up. */
	for (unsigned int l = 0; l < rt->nb_ports; l++) {
		c->link_up[l] = rt->ports[l].link_up;
		vtep_ctl_port_state(c, l);
	}
	vtep_rate_init(&c->log_rate, 1, 10, 1, vtep_fdb_now());
	vtep_rate_init(&c->echo_rate, conf->icmp_rate, 0, c->hz, now);
	vtep_fdb_set_notify(rt->fdb, vtep_ctl_fdb_changed, c);
	return c;
}

/* Whether port's link changed since the last look; counted and logged. */
static bool
link_changed(struct vtep_ctl *c, struct vtep_port *port)
{
	bool up = vtep_port_link_up(port);

	if (up == port->link_up)
		return false;
	port->link_up = up;
	if (up)
		c->st->link_up++;
	else
		c->st->link_down++;
	CTL_LOG(WARNING, "%s: link %s\n", port->name, up ? "up" : "down");
	return true;
}

/*
 * The one place that follows the ports' links. What goes out while a link is down is the port's
 * to refuse (counted as tx_*_full) or to lose. When the underlay's comes back, vtepd announces
 * itself as at start-up: a snooping switch deleted the port's group memberships when it went
 * down and would forward no group traffic until its next query, and peers may have lost its MAC.
 */
static void
links(struct vtep_ctl *c, uint64_t now)
{
	struct vtep_runtime *rt = c->rt;
	struct rte_mbuf *m;

	if (now < c->next_link)
		return;
	c->next_link = now + c->hz * VTEP_CTL_LINK_POLL_MS / 1000;
	if (link_changed(c, &rt->underlay) && rt->underlay.link_up) {
		m = vtep_neigh_gratuitous(&c->neigh);
		if (m != NULL)
			room(c, 1)[c->nb_out++] = m;
		else
			VTEP_DROP(c->st, CTL_NOMBUF);
		vtep_igmp_rejoin(&c->igmp, now);
	}
	for (unsigned int l = 0; l < rt->nb_ports; l++)
		if (link_changed(c, &rt->ports[l])) {
			c->link_up[l] = rt->ports[l].link_up;
			vtep_ctl_port_state(c, l);
		}
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

const struct vtep_encap_vni *
vtep_ctl_encap_vnis(const struct vtep_ctl *c)
{
	return c->evnis;
}

struct vtep_runtime *
vtep_ctl_runtime(struct vtep_ctl *c)
{
	return c->rt;
}

unsigned int
vtep_ctl_poll(struct vtep_ctl *c)
{
	struct vtep_runtime *rt = c->rt;
	uint32_t now_s = vtep_fdb_now();
	uint64_t now = now_tsc(c);
	unsigned int work = 0;

	for (unsigned int w = 0; w < rt->nb_workers; w++) {
		work += drain_learn(c, rt->workers[w], now_s, now);
		work += drain_ctl(c, rt->workers[w], now);
	}
	if (now >= c->next_timer) {
		unsigned int n;

		room(c, CTL_BURST);
		n = vtep_neigh_timer(&c->neigh, now, c->out + c->nb_out, CTL_BURST);
		c->nb_out += n;
		room(c, CTL_BURST);
		n = vtep_igmp_timer(&c->igmp, now, c->out + c->nb_out, CTL_BURST);
		c->nb_out += n;
		c->next_timer = now + c->hz * TIMER_MS / 1000;
	}
	if (now >= c->next_age) {
		vtep_ctl_age(c, now_s);
		c->next_age = now + c->hz;
	}
	links(c, now);
	work += drain_mailbox(c, 0);
	work += c->nb_out;
	flush(c);
	return work;
}

void
vtep_ctl_shutdown(struct vtep_ctl *c)
{
	struct vtep_runtime *rt = c->rt;
	uint64_t now = now_tsc(c);
	unsigned int n;

	/* Workers are gone: what they left for us is handled, then the frames they held for
	 * those learn events go out on their own queues; queue 0 of every port is ours, so the
	 * ports' rings are sent now rather than freed at close: every mbuf is back in the pool
	 * when the counters are printed. */
	do {
		n = 0;
		for (unsigned int w = 0; w < rt->nb_workers; w++)
			n += drain_learn(c, rt->workers[w], vtep_fdb_now(), now) +
					drain_ctl(c, rt->workers[w], now);
		flush(c);
	} while (n > 0);
	for (unsigned int w = 0; w < rt->nb_workers; w++)
		vtep_fwd_flush_held(rt->workers[w]);
	c->nb_out = vtep_igmp_leave_all(&c->igmp, now, c->out, RTE_DIM(c->out));
	flush(c);
	while (rte_ring_count(rt->underlay.tx_ring) > 0)
		c->st->underlay_tx += vtep_port_drain(
				&rt->underlay, &c->st->drops[VTEP_DROP_TX_UNDERLAY_FULL]);
	for (unsigned int l = 0; l < rt->nb_ports; l++)
		while (rte_ring_count(rt->ports[l].tx_ring) > 0)
			c->st->inner_tx += vtep_port_drain(
					&rt->ports[l], &c->st->drops[VTEP_DROP_TX_INNER_FULL]);
}

const struct vtep_neigh *
vtep_ctl_neigh(const struct vtep_ctl *c)
{
	return &c->neigh;
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
	vtep_fdb_set_notify(c->rt->fdb, NULL, NULL);
	rte_pktmbuf_free_bulk(c->out, c->nb_out);
	while (drain_mailbox(c, -ESHUTDOWN) > 0)
		;
	rte_ring_free(c->mailbox);
	/* Workers are gone: whichever array they read last is no longer in use. */
	if (c->evnis != c->rt->evnis) {
		memcpy(c->rt->evnis, c->evnis, sizeof(*c->evnis) * VTEP_MAX_VNIS);
		c->rt->encap.vnis = c->rt->evnis;
		rte_free(c->evnis);
	} else {
		rte_free(c->spare);
	}
	rte_free(c->remote_base);
	rte_free(c);
}
