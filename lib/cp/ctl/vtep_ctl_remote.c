/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The life of remote VTEP slots on the control lcore: a learned remote that no FDB entry, flood
 * list or group names any more is released, with the neighbor entry behind it, so that forged
 * outer sources cannot fill the remote table (4096 slots) or the neighbor table (256) for good;
 * and the per-slot counter base that makes a reused slot's counters start from zero.
 *
 * The FDB counts the entries that name each slot (vtep_fdb_remote_refs); the once-a-second pass
 * (vtep_ctl_age) releases the slots with none, and the remote table hands a released slot out
 * again only after every worker has passed a quiescent state (vtep_remote_release).
 */
#include <string.h>

#include "vtep_ctl_int.h"

void
vtep_ctl_remote_fresh(struct vtep_ctl *c, int idx)
{
	/* The slot's counters so far belong to the remote that had it before: what telemetry
	 * shows from now on starts here. Every worker passed a quiescent state since that remote
	 * was released, so none of them still counts at it. */
	if (idx > 0 && idx < VTEP_STATS_REMOTES)
		vtep_stats_sum_remote(&c->remote_base[idx], c->rt->stats, c->rt->nb_workers + 1,
				(unsigned int)idx);
}

const struct vtep_remote_stats *
vtep_ctl_remote_base(const struct vtep_ctl *c, unsigned int idx)
{
	static const struct vtep_remote_stats zero;

	return idx < VTEP_STATS_REMOTES ? &c->remote_base[idx] : &zero;
}

/*
 * Release slot idx and, for an on-link remote, its neighbor entry. Nothing else uses that entry: a
 * live remote's next hop is itself (on-link) or the gateway, and the released remote was the only
 * one with its address.
 */
static void
release(struct vtep_ctl *c, unsigned int idx)
{
	rte_be32_t ip_be = vtep_remote_slot(c->rt->remotes, idx)->ip_be;
	char ips[16];

	if (vtep_remote_release(c->rt->remotes, (int)idx) != 0)
		return;
	CTL_LOG(DEBUG, "remote %s released: no FDB entry or flood list names it\n",
			vtep_ip_str(ip_be, ips));
	/* The gateway stays: it is configuration, and the next hop of every off-link remote. */
	if (ip_be != c->rt->conf->gateway_be && vtep_neigh_nexthop(&c->neigh, ip_be) == ip_be)
		vtep_neigh_forget(&c->neigh, ip_be);
}

unsigned int
vtep_ctl_remotes_release(struct vtep_ctl *c)
{
	const struct vtep_remotes *rem = c->rt->remotes;
	uint64_t flooded[VTEP_STATS_REMOTES / 64] = {0};
	unsigned int n = 0;

	/* Flood lists as workers read them now; one that workers may still hold from before a
	 * change is covered by the release's own wait for their quiescent states. */
	for (unsigned int v = 0; v < c->rt->conf->nb_vnis; v++)
		for (unsigned int i = 0; i < c->evnis[v].nb_floods; i++)
			if (c->evnis[v].floods[i] < VTEP_STATS_REMOTES)
				flooded[c->evnis[v].floods[i] / 64] |= 1ull
						<< (c->evnis[v].floods[i] % 64);
	for (uint32_t i = 1; i < rem->p.size && i < VTEP_STATS_REMOTES; i++) {
		const struct vtep_remote *r = vtep_remote_slot(rem, i);

		if (!vtep_remote_live(r) || r->multicast || (flooded[i / 64] >> (i % 64)) & 1 ||
				vtep_fdb_remote_refs(c->rt->fdb, i) != 0)
			continue;
		release(c, i);
		n++;
	}
	return n;
}

void
vtep_ctl_age(struct vtep_ctl *c, uint32_t now_s)
{
	vtep_fdb_age(c->rt->fdb, now_s);
	vtep_ctl_remotes_release(c);
	vtep_remote_reclaim(c->rt->remotes);
}
