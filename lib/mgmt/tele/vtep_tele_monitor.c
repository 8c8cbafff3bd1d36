/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FDB event log behind `vtepctl monitor fdb` (`bridge monitor fdb`): the control lcore, the
 * FDB's single writer, records every learn, move, static add, delete, flush, ageing and
 * flood-list change, and every MAC frozen or released by movedamp, with a sequence number in a ring
 * of the last VTEP_TELE_MONITOR_SIZE events. /vtep/fdb_events,after=N answers the events after N
 * (read on the control lcore: no lock), and says how many a client missed because the ring had
 * already overwritten them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "vtep_tele_int.h"

/* Event kinds beyond the FDB's own (enum vtep_fdb_change). */
enum { EV_FLOOD_ADD = VTEP_FDB_EV_UNFROZEN + 1, EV_FLOOD_DEL };

/* Events one answer holds (a 22.11 telemetry answer is at most 16 KB). */
#define MON_PAGE 64

struct mon_event {
	uint64_t seq;      /* 1, 2, ... */
	uint64_t key;      /* vtep_fdb_key */
	rte_be32_t dst_be; /* remote VTEP */
	uint16_t att;      /* VTEP_FDB_LOCAL: the attachment */
	uint8_t what;      /* enum vtep_fdb_change or EV_FLOOD_* */
	uint8_t flags;     /* VTEP_FDB_* */
};

/* The log: written and read on the control lcore only. */
static struct {
	struct mon_event ev[VTEP_TELE_MONITOR_SIZE];
	uint64_t next; /* sequence number of the next event */
} mon = {.next = 1};

static void
record(uint8_t what, uint64_t key, rte_be32_t dst_be, uint16_t remote, uint8_t flags)
{
	struct mon_event *e = &mon.ev[mon.next % VTEP_TELE_MONITOR_SIZE];

	*e = (struct mon_event){.seq = mon.next++,
			.key = key,
			.dst_be = dst_be,
			.att = remote,
			.what = what,
			.flags = flags};
}

static void
on_fdb_change(void *arg __rte_unused, enum vtep_fdb_change what, uint64_t key, rte_be32_t dst_be,
		uint16_t remote, uint8_t flags)
{
	record(what, key, dst_be, remote, flags);
}

static void
on_flood_change(void *arg __rte_unused, bool added, unsigned int vni_idx, rte_be32_t dst_be)
{
	const struct rte_ether_addr zero = {{0}};

	record(added ? EV_FLOOD_ADD : EV_FLOOD_DEL, vtep_fdb_key(vni_idx, &zero), dst_be, 0,
			VTEP_FDB_STATIC);
}

int
vtep_tele_monitor_init(struct vtep_ctl *c)
{
	/* vtep_tele_init runs on the control lcore, the FDB's writer: no call through the
	 * mailbox needed. */
	vtep_ctl_set_notify(c, on_fdb_change, on_flood_change, NULL);
	return 0;
}

struct events_req {
	uint64_t after;  /* in: the last sequence number the client has */
	uint64_t next;   /* out: sequence number of the next event */
	uint64_t missed; /* out: events after `after` no longer in the log */
	unsigned int nb; /* out: events in ev */
	struct mon_event ev[MON_PAGE];
};

static void
do_events(struct vtep_ctl *c __rte_unused, void *arg)
{
	struct events_req *r = arg;
	uint64_t oldest = mon.next > VTEP_TELE_MONITOR_SIZE ? mon.next - VTEP_TELE_MONITOR_SIZE : 1;
	uint64_t seq = r->after + 1;

	r->next = mon.next;
	r->nb = 0;
	r->missed = 0;
	if (r->after == UINT64_MAX || seq >= mon.next)
		return;
	if (seq < oldest) {
		r->missed = oldest - seq;
		seq = oldest;
	}
	for (; seq < mon.next && r->nb < MON_PAGE; seq++)
		r->ev[r->nb++] = mon.ev[seq % VTEP_TELE_MONITOR_SIZE];
}

static void
add_event(struct rte_tel_data *d, const struct vtep_conf *conf, const struct mon_event *ev)
{
	static const char *const names[] = {"learned", "moved", "static", "deleted", "flushed",
			"aged", "frozen", "unfrozen", "flood_add", "flood_del"};
	struct rte_tel_data *e = rte_tel_data_alloc();
	struct rte_ether_addr mac;
	char buf[32];

	if (e == NULL)
		return;
	vtep_fdb_key_mac(ev->key, &mac);
	rte_tel_data_start_dict(e);
	rte_tel_data_add_dict_u64(e, "seq", ev->seq);
	rte_tel_data_add_dict_string(e, "event", names[ev->what]);
	rte_tel_data_add_dict_string(e, "mac", vtep_tele_mac_str(&mac, buf, sizeof(buf)));
	if ((ev->flags & VTEP_FDB_LOCAL) && ev->att < conf->nb_atts) {
		const struct vtep_att_conf *ac = &conf->atts[ev->att];

		rte_tel_data_add_dict_string(e, "dst", "");
		rte_tel_data_add_dict_string(e, "dev", ac->port);
		if (ac->vlan == VTEP_VLAN_UNTAGGED)
			rte_tel_data_add_dict_string(e, "vlan", "untagged");
		else if (ac->vlan != VTEP_VLAN_NONE)
			rte_tel_data_add_dict_u64(e, "vlan", ac->vlan);
	} else {
		rte_tel_data_add_dict_string(e, "dst", vtep_ip_str(ev->dst_be, buf));
	}
	rte_tel_data_add_dict_u64(e, "vni", conf->vnis[vtep_fdb_key_vni(ev->key)].vni);
	rte_tel_data_add_dict_string(
			e, "state", ev->flags & VTEP_FDB_STATIC ? "static" : "learned");
	snprintf(buf, sizeof(buf), "%" PRIu64, ev->seq);
	vtep_tele_add_sub(d, buf, e);
}

static void
cmd_events(struct vtep_ctl *c, const char *cmd __rte_unused, const struct vtep_tele_args *a,
		struct rte_tel_data *d)
{
	struct events_req *r = malloc(sizeof(*r));
	struct rte_tel_data *evs;

	if (r == NULL) {
		vtep_tele_error(d, ENOMEM, "out of memory");
		return;
	}
	r->after = a->after;
	if (vtep_tele_call(c, do_events, r, sizeof(*r), d) == 0) {
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_u64(d, "next", r->next);
		rte_tel_data_add_dict_u64(d, "missed", r->missed);
		evs = rte_tel_data_alloc();
		if (evs != NULL) {
			rte_tel_data_start_dict(evs);
			for (unsigned int i = 0; i < r->nb; i++)
				add_event(evs, vtep_ctl_runtime(c)->conf, &r->ev[i]);
			vtep_tele_add_sub(d, "events", evs);
		}
	}
	free(r);
}

const struct vtep_tele_cmd vtep_tele_monitor_cmds[] = {
		{"/vtep/fdb_events", cmd_events,
				"FDB events after a sequence number: after=N (64 a reply); without "
				"after=, only the next number."},
};
const unsigned int vtep_tele_nb_monitor_cmds = RTE_DIM(vtep_tele_monitor_cmds);
