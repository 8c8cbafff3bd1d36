/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control lcore's table operations: `bridge fdb` changes (static entries and flood lists),
 * flush, learning and ageing. Management (lib/mgmt/tele) parses the words and calls these through
 * the mailbox; they are the one place that holds their semantics.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "vtep_ctl_int.h"

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

	while (c->flood_pending && rte_rcu_qsbr_check(c->rt->qsbr, c->flood_token, false) != 1) {
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

	__atomic_store_n(&c->rt->encap.vnis, c->spare, __ATOMIC_RELEASE);
	c->evnis = c->spare;
	c->spare = old;
	c->flood_token = rte_rcu_qsbr_start(c->rt->qsbr);
	c->flood_pending = true;
}

/*
 * May ip_be be a remote VTEP (a head-end replication remote or a static entry's destination)? Not
 * 0, not a group or class E, not the limited broadcast, and never the local address: a flood copy
 * to ourselves, or an entry that points back at us, would loop (the kernel refuses those too).
 */
static bool
remote_vtep(const struct vtep_ctl *c, rte_be32_t ip_be)
{
	uint32_t ip = rte_be_to_cpu_32(ip_be);

	return ip != 0 && (ip >> 28) < 0xe && ip_be != c->rt->conf->local_be;
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

static int
flood_append(struct vtep_ctl *c, unsigned int vni_idx, rte_be32_t ip_be)
{
	struct vtep_encap_vni *next;
	int idx;

	if (!remote_vtep(c, ip_be))
		return -EINVAL;
	idx = vtep_remote_find(c->rt->remotes, ip_be);
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

static int
flood_del(struct vtep_ctl *c, unsigned int vni_idx, rte_be32_t ip_be)
{
	int idx = vtep_remote_find(c->rt->remotes, ip_be);
	struct vtep_encap_vni *next;
	int pos;

	if (ip_be == c->rt->conf->vnis[vni_idx].group_be)
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

/* The flood list of a VNI: `bridge fdb append|replace|del 00:00:00:00:00:00 dst IP`. */
static int
flood_set(struct vtep_ctl *c, enum vtep_ctl_fdb_op op, unsigned int vni_idx, rte_be32_t dst_be)
{
	int rc;

	if (op == VTEP_CTL_FDB_DEL)
		rc = flood_del(c, vni_idx, dst_be);
	else
		rc = flood_append(c, vni_idx, dst_be);
	if (rc == 0 && c->flood_notify != NULL)
		c->flood_notify(c->flood_arg, op != VTEP_CTL_FDB_DEL, vni_idx, dst_be);
	/* `replace` of a remote already in the list is no change, and no error. */
	if (op == VTEP_CTL_FDB_REPLACE && rc == -EEXIST)
		rc = 0;
	return rc;
}

int
vtep_ctl_fdb_set(struct vtep_ctl *c, enum vtep_ctl_fdb_op op, unsigned int vni_idx,
		const struct rte_ether_addr *mac, rte_be32_t dst_be)
{
	struct vtep_fdb *fdb = c->rt->fdb;
	uint64_t key = vtep_fdb_key(vni_idx, mac);
	const struct vtep_fdb_entry *e;
	int idx;

	if (rte_is_zero_ether_addr(mac))
		return flood_set(c, op, vni_idx, dst_be);
	e = vtep_fdb_lookup(fdb, key);
	switch (op) {
	case VTEP_CTL_FDB_DEL:
		if (e == NULL || (dst_be != 0 && e->dst_be != dst_be))
			return -ENOENT;
		return vtep_fdb_del(fdb, key);
	case VTEP_CTL_FDB_APPEND:
		/* One destination per MAC: only the all-zero MAC has a list. */
		return -EOPNOTSUPP;
	case VTEP_CTL_FDB_ADD:
		/* `bridge fdb add` on an existing entry is EEXIST in the kernel too (NLM_F_EXCL).
		 */
		if (e != NULL)
			return -EEXIST;
		break;
	default:
		break;
	}
	if (!remote_vtep(c, dst_be))
		return -EINVAL;
	/* The same steps as a `fdb MAC dst IP` word at start-up: remote, next hop, static entry. */
	idx = vtep_ctl_remote_get(c, dst_be);
	return idx < 0 ? idx : vtep_fdb_add_static(fdb, key, dst_be, idx);
}

int
vtep_ctl_fdb_set_local(struct vtep_ctl *c, enum vtep_ctl_fdb_op op,
		const struct rte_ether_addr *mac, uint16_t att)
{
	const struct vtep_bd *bd = c->rt->bd;
	struct vtep_fdb *fdb = c->rt->fdb;
	const struct vtep_fdb_entry *e;
	uint64_t key;

	if (att >= bd->nb_atts || rte_is_zero_ether_addr(mac) || !rte_is_unicast_ether_addr(mac))
		return -EINVAL;
	key = vtep_fdb_key(bd->atts[att].vni_idx, mac);
	e = vtep_fdb_lookup(fdb, key);
	switch (op) {
	case VTEP_CTL_FDB_DEL:
		if (e == NULL || !(e->flags & VTEP_FDB_LOCAL) || e->remote != att)
			return -ENOENT;
		return vtep_fdb_del(fdb, key);
	case VTEP_CTL_FDB_APPEND:
		return -EOPNOTSUPP;
	case VTEP_CTL_FDB_ADD:
		if (e != NULL)
			return -EEXIST;
		break;
	default:
		break;
	}
	return vtep_fdb_add_static_local(fdb, key, att);
}

unsigned int
vtep_ctl_fdb_flush_att(struct vtep_ctl *c, uint16_t att)
{
	return vtep_fdb_flush_att(c->rt->fdb, att);
}

int
vtep_ctl_link_set(struct vtep_ctl *c, unsigned int lport, bool up)
{
	if (lport >= c->rt->nb_ports)
		return -EINVAL;
	c->admin_up[lport] = up;
	vtep_ctl_port_state(c, lport);
	return 0;
}

void
vtep_ctl_link_state(const struct vtep_ctl *c, unsigned int lport, bool *link, bool *admin)
{
	*link = lport < VTEP_MAX_PORTS && c->link_up[lport];
	*admin = lport < VTEP_MAX_PORTS && c->admin_up[lport];
}

unsigned int
vtep_ctl_fdb_flush(struct vtep_ctl *c, int vni_idx, rte_be32_t dst_be)
{
	return vtep_fdb_flush(c->rt->fdb, vni_idx, dst_be);
}

void
vtep_ctl_set_learning(struct vtep_ctl *c, unsigned int vni_idx, bool on)
{
	/* Workers read learning per burst; one byte store, no ordering needed. */
	if (vni_idx < VTEP_MAX_VNIS)
		__atomic_store_n(&c->rt->decap.learning[vni_idx], on, __ATOMIC_RELAXED);
}

bool
vtep_ctl_learning(const struct vtep_ctl *c, unsigned int vni_idx)
{
	return vni_idx < VTEP_MAX_VNIS && c->rt->decap.learning[vni_idx];
}

void
vtep_ctl_set_ageing(struct vtep_ctl *c, unsigned int vni_idx, uint32_t ageing)
{
	vtep_fdb_set_ageing(c->rt->fdb, vni_idx, ageing);
}

/* Where a frozen MAC is held: its remote VTEP, or its attachment (`dev PORT [vlan V]`). */
static const char *
frozen_where(const struct vtep_ctl *c, rte_be32_t dst_be, uint16_t remote, uint8_t flags, char *buf,
		size_t size)
{
	const struct vtep_att_conf *a;
	char ips[16];

	if (!(flags & VTEP_FDB_LOCAL) || remote >= c->rt->conf->nb_atts) {
		snprintf(buf, size, "%s", vtep_ip_str(dst_be, ips));
		return buf;
	}
	a = &c->rt->conf->atts[remote];
	if (a->vlan == VTEP_VLAN_UNTAGGED)
		snprintf(buf, size, "dev %s untagged", a->port);
	else if (a->vlan != VTEP_VLAN_NONE)
		snprintf(buf, size, "dev %s vlan %u", a->port, a->vlan);
	else
		snprintf(buf, size, "dev %s", a->port);
	return buf;
}

/* A line about a frozen or released MAC, at most 10 at once and 1 a second after that: an
 * attacker that makes many MACs flap must not flood the log. What was held back is told with the
 * next line. */
static void
log_freeze(struct vtep_ctl *c, bool frozen, uint64_t key, const char *where)
{
	const struct vtep_vni_conf *vc = &c->rt->conf->vnis[vtep_fdb_key_vni(key)];
	struct rte_ether_addr mac;
	char macs[RTE_ETHER_ADDR_FMT_SIZE], more[48] = "";

	if (!vtep_rate_take(&c->log_rate, vtep_fdb_now(), 1)) {
		c->log_held++;
		return;
	}
	if (c->log_held > 0)
		snprintf(more, sizeof(more), " (%" PRIu64 " such lines held back)", c->log_held);
	c->log_held = 0;
	vtep_fdb_key_mac(key, &mac);
	/* Lower case, as iproute2 and vtepctl print MACs. */
	snprintf(macs, sizeof(macs), "%02x:%02x:%02x:%02x:%02x:%02x", mac.addr_bytes[0],
			mac.addr_bytes[1], mac.addr_bytes[2], mac.addr_bytes[3], mac.addr_bytes[4],
			mac.addr_bytes[5]);
	if (frozen)
		CTL_LOG(WARNING,
				"vni %u: %s moved more than %u times in %u s: frozen at %s for %u "
				"s (movedamp)%s\n",
				vc->vni, macs, vc->damp_moves, vc->damp_window, where,
				vc->damp_hold, more);
	else
		CTL_LOG(INFO, "vni %u: %s released at %s after %u s frozen (movedamp)%s\n", vc->vni,
				macs, where, vc->damp_hold, more);
}

void
vtep_ctl_fdb_changed(void *arg, enum vtep_fdb_change what, uint64_t key, rte_be32_t dst_be,
		uint16_t remote, uint8_t flags)
{
	struct vtep_ctl *c = arg;
	char where[96];

	if (what == VTEP_FDB_EV_FROZEN || what == VTEP_FDB_EV_UNFROZEN)
		log_freeze(c, what == VTEP_FDB_EV_FROZEN, key,
				frozen_where(c, dst_be, remote, flags, where, sizeof(where)));
	if (c->fdb_notify != NULL)
		c->fdb_notify(c->fdb_arg, what, key, dst_be, remote, flags);
}

void
vtep_ctl_set_notify(struct vtep_ctl *c, vtep_fdb_notify_fn fdb_fn, vtep_ctl_flood_fn flood_fn,
		void *arg)
{
	/* The FDB tells the control lcore (vtep_ctl_fdb_changed, set at creation), which logs
	 * freezes and passes every change on. */
	c->fdb_notify = fdb_fn;
	c->fdb_arg = arg;
	c->flood_notify = flood_fn;
	c->flood_arg = arg;
}
