/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FDB: learn, move, static entries, limits, ageing, flush, bulk lookups of every awkward size,
 * RCU-deferred reuse of deleted slots, and a reader thread that must never see an entry whose
 * address and remote slot disagree while the writer moves entries under it.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_fdb.h"

static struct rte_ether_addr
mac_n(unsigned int n)
{
	struct rte_ether_addr m = { { 0x02, 0, (n >> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff,
		n & 0xff } };

	return m;
}

static struct vtep_learn_event
ev(unsigned int vni_idx, unsigned int n, uint32_t src_host)
{
	struct rte_ether_addr m = mac_n(n);
	struct vtep_learn_event e = {
		.key = vtep_fdb_key(vni_idx, &m), .src_be = rte_cpu_to_be_32(src_host) };

	return e;
}

/* A local learn event: MAC n of VNI index vni_idx seen on attachment att (a bridge port). */
static struct vtep_learn_event
lev(unsigned int vni_idx, unsigned int n, uint16_t att)
{
	struct vtep_learn_event e = ev(vni_idx, n, 0);

	e.flags = VTEP_LEARN_LOCAL;
	e.att = att;
	return e;
}

static struct vtep_fdb *
make(const char *name, uint32_t size, uint32_t global, uint32_t vni0_max,
		struct rte_rcu_qsbr *qsbr)
{
	struct vtep_fdb_params p = {
		.name = name, .size = size, .maxaddress = global, .nb_vnis = 2, .qsbr = qsbr,
	};

	p.vni_maxaddress[0] = vni0_max;
	p.vni_ageing[0] = 300;
	p.vni_ageing[1] = 0;
	return vtep_fdb_create(&p);
}

static void
test_params(void)
{
	struct vtep_fdb_params p = { .name = "f_par", .size = 4, .nb_vnis = 1 };
	struct vtep_fdb *f, *g;
	struct vtep_learn_event e = ev(1, 1, 1);

	CHECK(vtep_fdb_create(&p) == NULL && rte_errno == EINVAL);
	p.size = 64;
	f = vtep_fdb_create(&p);
	CHECK(f != NULL);
	/* A second hash of the same name is refused, and says why (quietly: DPDK logs it). */
	rte_log_set_global_level(RTE_LOG_EMERG);
	g = vtep_fdb_create(&p);
	rte_log_set_global_level(RTE_LOG_WARNING);
	CHECK(g == NULL && rte_errno == EEXIST);
	/* VNI index 1 is not configured; a zero address would look like an empty slot. */
	CHECK(vtep_fdb_learn(f, &e, 1, 1) == -EINVAL);
	e = ev(0, 1, 0);
	CHECK(vtep_fdb_learn(f, &e, 1, 1) == -EINVAL);
	CHECK(vtep_fdb_add_static(f, e.key, 0, 1) == -EINVAL);
	CHECK(vtep_fdb_add_static(f, ev(63, 1, 0).key, 1, 1) == -EINVAL);
	CHECK(vtep_fdb_counters(f)->refused == 0 && vtep_fdb_counters(f)->nb_learned == 0);
	vtep_fdb_free(f);
	vtep_fdb_free(NULL);
}

static void
test_keys(void)
{
	struct rte_ether_addr m = pkt_mac("02:11:22:33:44:55"), back;
	uint64_t k = vtep_fdb_key(63, &m);

	CHECK(vtep_fdb_key_vni(k) == 63);
	vtep_fdb_key_mac(k, &back);
	CHECK(rte_is_same_ether_addr(&m, &back));
	CHECK(vtep_fdb_key(0, &m) != vtep_fdb_key(1, &m));
	/* The one-load keys of an Ethernet header equal vtep_fdb_key of its MACs. */
	srand(3);
	for (unsigned int i = 0; i < 10000; i++) {
		struct rte_ether_hdr eth;
		unsigned int v = rand() % 64;

		for (unsigned int b = 0; b < sizeof(eth); b++)
			((uint8_t *)&eth)[b] = (uint8_t)rand();
		CHECK(vtep_fdb_key_eth(v, &eth, false) == vtep_fdb_key(v, &eth.dst_addr));
		CHECK(vtep_fdb_key_eth(v, &eth, true) == vtep_fdb_key(v, &eth.src_addr));
	}
}

static void
test_learn_move_static(void)
{
	struct vtep_fdb *f = make("f_lms", 1024, 0, 0, NULL);
	const struct vtep_fdb_counters *c = vtep_fdb_counters(f);
	struct vtep_learn_event e = ev(0, 1, 0xac105b80);
	struct vtep_fdb_entry *x;

	CHECK(vtep_fdb_learn(f, &e, 5, 100) == 0);
	x = vtep_fdb_lookup(f, e.key);
	CHECK(x != NULL && x->dst_be == e.src_be && x->remote == 5 && x->seen == 100 &&
			x->flags == 0 && x->vni_idx == 0);
	/* Posted again before the first was applied: counted, the age refreshed. */
	CHECK(vtep_fdb_learn(f, &e, 5, 150) == 1 && x->seen == 150 && c->refreshed == 1);
	e.src_be = rte_cpu_to_be_32(0xac105b82);
	CHECK(vtep_fdb_learn(f, &e, 6, 160) == 0);
	CHECK(x->dst_be == e.src_be && x->remote == 6 && c->moved == 1);
	CHECK(c->learned == 1 && c->nb_learned == 1 && c->vni_learned[0] == 1);
	/* A static entry replaces the learned one and is never moved by learning. */
	CHECK(vtep_fdb_add_static(f, e.key, rte_cpu_to_be_32(0xac105b90), 7) == 0);
	CHECK(c->nb_learned == 0 && c->nb_static == 1 && c->vni_learned[0] == 0);
	CHECK(vtep_fdb_learn(f, &e, 6, 170) == -EPERM && c->static_move == 1);
	CHECK(x->dst_be == rte_cpu_to_be_32(0xac105b90) && x->remote == 7 &&
			(x->flags & VTEP_FDB_STATIC));
	e.src_be = rte_cpu_to_be_32(0xac105b90);
	CHECK(vtep_fdb_learn(f, &e, 7, 170) == 1 && c->refreshed == 2);
	/* Delete. */
	CHECK(vtep_fdb_del(f, e.key) == 0 && vtep_fdb_lookup(f, e.key) == NULL);
	CHECK(vtep_fdb_del(f, e.key) == -ENOENT);
	CHECK(c->nb_static == 0);
	vtep_fdb_free(f);
}

static void
test_limits(void)
{
	struct vtep_fdb *f = make("f_lim", 64, 10, 4, NULL);
	const struct vtep_fdb_counters *c = vtep_fdb_counters(f);
	struct vtep_learn_event e;
	unsigned int ok = 0;

	for (unsigned int i = 0; i < 6; i++) {
		e = ev(0, i, 1);
		ok += vtep_fdb_learn(f, &e, 1, 1) == 0;
	}
	CHECK(ok == 4 && c->refused == 2 && c->vni_learned[0] == 4);
	for (unsigned int i = 0; i < 10; i++) {
		e = ev(1, i, 1);
		ok += vtep_fdb_learn(f, &e, 1, 1) == 0;
	}
	/* VNI 1 has no limit of its own: the global 10 stops it after 6. */
	CHECK(ok == 10 && c->nb_learned == 10 && c->refused == 6);
	/* Static entries do not count against learning limits. */
	CHECK(vtep_fdb_add_static(f, ev(1, 99, 1).key, 1, 1) == 0);
	vtep_fdb_free(f);
	/* A table that is simply full refuses without harm. */
	f = make("f_full", 64, 0, 0, NULL);
	c = vtep_fdb_counters(f);
	ok = 0;
	for (unsigned int i = 0; i < 200; i++) {
		e = ev(1, i, 1);
		ok += vtep_fdb_learn(f, &e, 1, 1) == 0;
	}
	CHECKF(ok >= 64 && c->refused == 200 - ok, "learned %u of 200 into 64 slots", ok);
	vtep_fdb_free(f);
}

/* Entries per remote slot follow every change: learn, move, static replace, delete, flush, age. */
static void
test_remote_refs(void)
{
	struct vtep_fdb_params p = {.name = "f_refs", .size = 64, .nb_vnis = 1, .nb_remotes = 8};
	struct vtep_learn_event e1 = ev(0, 1, 1), e2 = ev(0, 2, 1);
	struct vtep_fdb *f;

	p.vni_ageing[0] = 300;
	f = vtep_fdb_create(&p);
	CHECK(f != NULL);
	CHECK(vtep_fdb_learn(f, &e1, 1, 10) == 0 && vtep_fdb_learn(f, &e2, 1, 10) == 0);
	CHECK(vtep_fdb_remote_refs(f, 1) == 2);
	/* Learning what is there already, and a refused learn, change nothing. */
	CHECK(vtep_fdb_learn(f, &e1, 1, 11) == 1 && vtep_fdb_remote_refs(f, 1) == 2);
	e2.src_be = rte_cpu_to_be_32(2);
	CHECK(vtep_fdb_learn(f, &e2, 2, 12) == 0);
	CHECK(vtep_fdb_remote_refs(f, 1) == 1 && vtep_fdb_remote_refs(f, 2) == 1);
	CHECK(vtep_fdb_add_static(f, e1.key, rte_cpu_to_be_32(3), 3) == 0);
	CHECK(vtep_fdb_remote_refs(f, 1) == 0 && vtep_fdb_remote_refs(f, 3) == 1);
	CHECK(vtep_fdb_add_static(f, ev(0, 3, 3).key, rte_cpu_to_be_32(3), 3) == 0);
	CHECK(vtep_fdb_remote_refs(f, 3) == 2);
	CHECK(vtep_fdb_del(f, e1.key) == 0 && vtep_fdb_remote_refs(f, 3) == 1);
	CHECK(vtep_fdb_flush(f, -1, 0) == 1 && vtep_fdb_remote_refs(f, 2) == 0);
	CHECK(vtep_fdb_learn(f, &e2, 2, 20) == 0 && vtep_fdb_remote_refs(f, 2) == 1);
	CHECK(vtep_fdb_age(f, 320) == 1 && vtep_fdb_remote_refs(f, 2) == 0);
	CHECK(vtep_fdb_remote_refs(f, 3) == 1);
	/* Slots beyond nb_remotes are not counted. */
	CHECK(vtep_fdb_remote_refs(f, 8) == 0 && vtep_fdb_remote_refs(f, 60000) == 0);
	vtep_fdb_free(f);
}

/*
 * The learn rate of a VNI, on the FDB's clock of whole seconds: new entries and moves take a
 * token, refreshing an entry that is there does not; a refused learn changes nothing and is
 * counted; the other VNI has no limit.
 */
static void
test_learn_rate(void)
{
	struct vtep_fdb_params p = {.name = "f_rate", .size = 1024, .nb_vnis = 2};
	const struct vtep_fdb_counters *c;
	struct vtep_learn_event e;
	unsigned int ok = 0, again = 0;
	struct vtep_fdb *f;

	p.vni_learn_rate[0] = 10;
	f = vtep_fdb_create(&p);
	CHECK(f != NULL);
	c = vtep_fdb_counters(f);
	for (unsigned int i = 0; i < 15; i++) {
		e = ev(0, i, 1);
		int rc = vtep_fdb_learn(f, &e, 1, 100);

		ok += rc == 0;
		again += rc == -EAGAIN;
	}
	CHECKF(ok == 10 && again == 5 && c->rate_limited == 5 && c->nb_learned == 10,
			"second 100: %u learned, %u refused", ok, again);
	CHECK(vtep_fdb_lookup(f, ev(0, 12, 1).key) == NULL);
	/* Refreshing a learned MAC costs nothing; VNI 1 has no limit. */
	e = ev(0, 3, 1);
	CHECK(vtep_fdb_learn(f, &e, 1, 100) == 1);
	for (unsigned int i = 0; i < 100; i++) {
		e = ev(1, i, 1);
		CHECK(vtep_fdb_learn(f, &e, 1, 100) == 0);
	}
	/* The next second: 10 more, moves included. */
	e = ev(0, 0, 2);
	CHECK(vtep_fdb_learn(f, &e, 2, 101) == 0 && c->moved == 1);
	for (ok = 0, again = 0; ok + again < 15;) {
		e = ev(0, 100 + ok + again, 1);
		int rc = vtep_fdb_learn(f, &e, 1, 101);

		ok += rc == 0;
		again += rc == -EAGAIN;
	}
	CHECKF(ok == 9 && again == 6, "second 101: %u learned, %u refused", ok, again);
	e = ev(0, 1, 2);
	CHECK(vtep_fdb_learn(f, &e, 2, 101) == -EAGAIN && vtep_fdb_lookup(f, e.key)->remote == 1);
	/* A burst: 30 at once after a long quiet time, then 10 a second. */
	vtep_fdb_free(f);
	p.vni_learn_burst[0] = 30;
	f = vtep_fdb_create(&p);
	c = vtep_fdb_counters(f);
	for (unsigned int i = 0; i < 40; i++) {
		e = ev(0, i, 1);
		vtep_fdb_learn(f, &e, 1, 5000);
	}
	CHECK(c->nb_learned == 30 && c->rate_limited == 10);
	for (unsigned int i = 40; i < 60; i++) {
		e = ev(0, i, 1);
		vtep_fdb_learn(f, &e, 1, 5001);
	}
	CHECK(c->nb_learned == 40 && c->rate_limited == 20);
	vtep_fdb_free(f);
}

/* What the notifier saw of freezes. */
static struct {
	unsigned int frozen, unfrozen;
	rte_be32_t dst_be;
	uint16_t remote;
	uint8_t flags;
} damp_seen;

static void
damp_notify(void *arg __rte_unused, enum vtep_fdb_change what, uint64_t key __rte_unused,
		rte_be32_t dst_be, uint16_t remote, uint8_t flags)
{
	if (what == VTEP_FDB_EV_FROZEN)
		damp_seen.frozen++;
	if (what == VTEP_FDB_EV_UNFROZEN)
		damp_seen.unfrozen++;
	damp_seen.dst_be = dst_be;
	damp_seen.remote = remote;
	damp_seen.flags = flags;
}

/*
 * MAC-move dampening, on the FDB's clock (movedamp 5 180 60 on VNI 0, none on VNI 1): a MAC that
 * flaps between two remotes moves 5 times, the 6th move freezes it where it is (refused,
 * counted, notified, the entry flagged), moves stay refused through the hold-down, ageing
 * releases it after 60 s (notified), and it moves again. Moves spread wider than the window never
 * freeze. A static replace and a delete of a frozen entry leave no frozen count behind.
 */
static void
test_movedamp(void)
{
	struct vtep_fdb_params p = {.name = "f_damp", .size = 64, .nb_vnis = 2, .nb_remotes = 8};
	const struct vtep_fdb_counters *c;
	struct vtep_learn_event e = ev(0, 1, 1);
	struct vtep_fdb_entry *x;
	struct vtep_fdb *f;
	uint32_t now = 1000;
	int rc = 0;

	p.vni_ageing[0] = p.vni_ageing[1] = 3600;
	p.vni_damp[0] = (struct vtep_fdb_damp){5, 180, 60};
	f = vtep_fdb_create(&p);
	CHECK(f != NULL);
	c = vtep_fdb_counters(f);
	vtep_fdb_set_notify(f, damp_notify, NULL);
	CHECK(vtep_fdb_learn(f, &e, 1, now) == 0);
	x = vtep_fdb_lookup(f, e.key);
	/* Flapping every second: moves 1..5 go through, the 6th freezes the MAC at remote 2. */
	for (unsigned int i = 1; i <= 5; i++) {
		e.src_be = rte_cpu_to_be_32(i % 2 ? 2 : 1);
		CHECK(vtep_fdb_learn(f, &e, i % 2 ? 2 : 1, now + i) == 0);
	}
	CHECK(c->moved == 5 && x->remote == 2 && !(x->flags & VTEP_FDB_FROZEN));
	e.src_be = rte_cpu_to_be_32(1);
	CHECK(vtep_fdb_learn(f, &e, 1, now + 6) == -EBUSY);
	CHECK(x->remote == 2 && x->dst_be == rte_cpu_to_be_32(2) && (x->flags & VTEP_FDB_FROZEN));
	CHECK(c->frozen == 1 && c->nb_frozen == 1 && c->moved == 5);
	CHECK(damp_seen.frozen == 1 && damp_seen.dst_be == rte_cpu_to_be_32(2) &&
			(damp_seen.flags & VTEP_FDB_FROZEN));
	CHECK(vtep_fdb_remote_refs(f, 2) == 1 && vtep_fdb_remote_refs(f, 1) == 0);
	/* Held: every move refused for the hold-down time; its owner still refreshes it. */
	for (unsigned int t = 7; t < 66; t += 3)
		rc |= vtep_fdb_learn(f, &e, 1, now + t) != -EBUSY;
	CHECK(rc == 0 && c->frozen == 1 && c->moved == 5);
	e.src_be = rte_cpu_to_be_32(2);
	CHECK(vtep_fdb_learn(f, &e, 2, now + 60) == 1 && x->seen == now + 60);
	CHECK(vtep_fdb_age(f, now + 65) == 0 && c->nb_frozen == 1);
	/* Released 60 s after the freeze; then it moves again. */
	CHECK(vtep_fdb_age(f, now + 66) == 0);
	CHECK(c->nb_frozen == 0 && c->unfrozen == 1 && damp_seen.unfrozen == 1);
	CHECK(!(x->flags & VTEP_FDB_FROZEN) && x->remote == 2);
	e.src_be = rte_cpu_to_be_32(1);
	CHECK(vtep_fdb_learn(f, &e, 1, now + 67) == 0 && x->remote == 1 && c->moved == 6);
	/* Moves 200 s apart: each window holds one, never a freeze. */
	e = ev(0, 2, 1);
	CHECK(vtep_fdb_learn(f, &e, 1, now) == 0);
	for (unsigned int i = 1; i <= 10; i++) {
		e.src_be = rte_cpu_to_be_32(i % 2 ? 2 : 1);
		CHECK(vtep_fdb_learn(f, &e, i % 2 ? 2 : 1, now + 200 * i) == 0);
	}
	CHECK(c->frozen == 1);
	/* VNI 1 has no dampening. */
	e = ev(1, 3, 1);
	for (unsigned int i = 0; i < 20; i++) {
		e.src_be = rte_cpu_to_be_32(i % 2 ? 2 : 1);
		CHECK(vtep_fdb_learn(f, &e, i % 2 ? 2 : 1, now) == 0);
	}
	CHECK(c->frozen == 1);
	/* Freeze MAC 4, then replace it by a static entry; freeze MAC 5, then delete it. */
	for (unsigned int m = 4; m <= 5; m++) {
		e = ev(0, m, 1);
		vtep_fdb_learn(f, &e, 1, now);
		for (unsigned int i = 1; i <= 6; i++) {
			e.src_be = rte_cpu_to_be_32(i % 2 ? 2 : 1);
			vtep_fdb_learn(f, &e, i % 2 ? 2 : 1, now);
		}
	}
	CHECK(c->frozen == 3 && c->nb_frozen == 2);
	CHECK(vtep_fdb_add_static(f, ev(0, 4, 0).key, rte_cpu_to_be_32(3), 3) == 0);
	CHECK(vtep_fdb_lookup(f, ev(0, 4, 0).key)->flags == VTEP_FDB_STATIC && c->nb_frozen == 1);
	CHECK(vtep_fdb_del(f, ev(0, 5, 0).key) == 0 && c->nb_frozen == 0);
	/* A new entry where a frozen one was starts with no moves counted. */
	e = ev(0, 5, 1);
	CHECK(vtep_fdb_learn(f, &e, 1, now) == 0);
	for (unsigned int i = 1; i <= 5; i++) {
		e.src_be = rte_cpu_to_be_32(i % 2 ? 2 : 1);
		CHECK(vtep_fdb_learn(f, &e, i % 2 ? 2 : 1, now) == 0);
	}
	vtep_fdb_free(f);
}

/* Sum of the reference counts of every remote slot below n. */
static uint32_t
refs_sum(const struct vtep_fdb *f, unsigned int n)
{
	uint32_t sum = 0;

	for (unsigned int i = 0; i < n; i++)
		sum += vtep_fdb_remote_refs(f, i);
	return sum;
}

/*
 * Local entries (bridge ports) and remote slot references: a local entry names an attachment,
 * never a remote slot, so it is never counted by vtep_fdb_remote_refs (not even at the slot whose
 * number is its attachment's): reclamation never waits for a local entry nor frees a slot because
 * of one. A MAC moving remote->local gives its slot's reference back, local->remote takes one;
 * local->local, static local entries, flushes per attachment, deletes and ageing keep the counts
 * right. A local event asks for no remote slot (get_remote may be NULL).
 */
static void
test_local_refs(void)
{
	struct vtep_fdb_params p = {.name = "f_lref", .size = 64, .nb_vnis = 1, .nb_remotes = 8};
	struct vtep_learn_event r = ev(0, 1, 5), l = lev(0, 1, 3), x;
	const struct vtep_fdb_counters *c;
	struct vtep_fdb_entry *e;
	struct vtep_fdb *f;

	p.local_be = rte_cpu_to_be_32(0x0a000001);
	p.vni_ageing[0] = 300;
	f = vtep_fdb_create(&p);
	CHECK(f != NULL);
	c = vtep_fdb_counters(f);
	/* Behind attachment 3: no reference anywhere, slot 3 included. */
	CHECK(vtep_fdb_learn_with(f, &l, NULL, NULL, 10) == 0);
	e = vtep_fdb_lookup(f, l.key);
	CHECK(e != NULL && (e->flags & VTEP_FDB_LOCAL) && e->remote == 3 &&
			e->dst_be == p.local_be);
	CHECK(refs_sum(f, 8) == 0 && c->att_learned[3] == 1 && c->nb_learned == 1);
	/* local -> remote slot 5 takes one reference; remote -> local gives it back. */
	CHECK(vtep_fdb_learn(f, &r, 5, 11) == 0 && c->moved_to_remote == 1);
	CHECK(vtep_fdb_remote_refs(f, 5) == 1 && refs_sum(f, 8) == 1 && c->att_learned[3] == 0);
	CHECK(vtep_fdb_learn_with(f, &l, NULL, NULL, 12) == 0 && c->moved_to_local == 1);
	CHECK(refs_sum(f, 8) == 0 && c->att_learned[3] == 1);
	/* local -> local (attachment 3 to 5): nothing at slot 5 either. */
	l.att = 5;
	CHECK(vtep_fdb_learn_with(f, &l, NULL, NULL, 13) == 0 && c->moved_local == 1);
	CHECK(refs_sum(f, 8) == 0 && c->att_learned[5] == 1 && c->att_learned[3] == 0);
	/* A remote MAC at slot 5 beside it: only that one counts. */
	x = ev(0, 2, 5);
	CHECK(vtep_fdb_learn(f, &x, 5, 13) == 0 && vtep_fdb_remote_refs(f, 5) == 1);
	/* A static local entry over the remote one gives the reference back; a static remote one
	 * over the local one takes one. */
	CHECK(vtep_fdb_add_static_local(f, x.key, 2) == 0 && refs_sum(f, 8) == 0);
	CHECK(vtep_fdb_add_static(f, l.key, rte_cpu_to_be_32(5), 5) == 0);
	CHECK(vtep_fdb_remote_refs(f, 5) == 1 && c->att_learned[5] == 0 && c->nb_static == 2);
	/* Flush of an attachment and deletes: nothing left behind, nothing below zero. */
	x = lev(0, 3, 5);
	CHECK(vtep_fdb_learn_with(f, &x, NULL, NULL, 14) == 0);
	x = ev(0, 4, 5);
	CHECK(vtep_fdb_learn(f, &x, 5, 14) == 0 && vtep_fdb_remote_refs(f, 5) == 2);
	CHECK(vtep_fdb_flush_att(f, 5) == 1 && vtep_fdb_remote_refs(f, 5) == 2);
	CHECK(c->att_learned[5] == 0);
	CHECK(vtep_fdb_del(f, l.key) == 0 && vtep_fdb_remote_refs(f, 5) == 1);
	CHECK(vtep_fdb_del(f, ev(0, 2, 0).key) == 0 && vtep_fdb_remote_refs(f, 5) == 1);
	/* A flush by remote address never takes local entries: the local address is no remote. */
	x = lev(0, 6, 1);
	CHECK(vtep_fdb_learn_with(f, &x, NULL, NULL, 15) == 0);
	CHECK(vtep_fdb_flush(f, -1, p.local_be) == 0 && c->att_learned[1] == 1);
	CHECK(vtep_fdb_flush(f, -1, rte_cpu_to_be_32(5)) == 1 && refs_sum(f, 8) == 0);
	/* Ageing a local entry touches no slot. */
	x = ev(0, 7, 4);
	CHECK(vtep_fdb_learn(f, &x, 4, 300) == 0);
	CHECK(vtep_fdb_age(f, 320) == 1 && c->att_learned[1] == 0);
	CHECK(refs_sum(f, 8) == 1 && vtep_fdb_remote_refs(f, 4) == 1);
	vtep_fdb_free(f);
}

/*
 * learnrate counts local learns as well (a local port floods MACs as easily as a remote VTEP):
 * one bucket per VNI for local and remote learns and moves, on the FDB's clock. A refused local
 * learn changes nothing; refreshing a local MAC where it is costs nothing.
 */
static void
test_local_rate(void)
{
	struct vtep_fdb_params p = {.name = "f_lrate", .size = 64, .nb_vnis = 1, .nb_remotes = 8};
	const struct vtep_fdb_counters *c;
	struct vtep_learn_event e;
	struct vtep_fdb *f;

	p.local_be = rte_cpu_to_be_32(0x0a000001);
	p.vni_learn_rate[0] = 2;
	f = vtep_fdb_create(&p);
	CHECK(f != NULL);
	c = vtep_fdb_counters(f);
	e = lev(0, 1, 0);
	CHECK(vtep_fdb_learn_with(f, &e, NULL, NULL, 100) == 0);
	e = ev(0, 2, 1);
	CHECK(vtep_fdb_learn(f, &e, 1, 100) == 0);
	e = lev(0, 3, 0);
	CHECK(vtep_fdb_learn_with(f, &e, NULL, NULL, 100) == -EAGAIN);
	CHECK(c->rate_limited == 1 && vtep_fdb_lookup(f, e.key) == NULL);
	CHECK(c->nb_learned == 2 && c->att_learned[0] == 1);
	e = lev(0, 1, 0);
	CHECK(vtep_fdb_learn_with(f, &e, NULL, NULL, 100) == 1);
	/* The next second: a move remote -> local takes a token like a new MAC. */
	e = lev(0, 2, 1);
	CHECK(vtep_fdb_learn_with(f, &e, NULL, NULL, 101) == 0 && c->moved_to_local == 1);
	CHECK(vtep_fdb_remote_refs(f, 1) == 0);
	e = lev(0, 3, 0);
	CHECK(vtep_fdb_learn_with(f, &e, NULL, NULL, 101) == 0);
	e = lev(0, 4, 0);
	CHECK(vtep_fdb_learn_with(f, &e, NULL, NULL, 101) == -EAGAIN && c->rate_limited == 2);
	e = ev(0, 1, 1);
	CHECK(vtep_fdb_learn(f, &e, 1, 101) == -EAGAIN && c->rate_limited == 3);
	CHECK((vtep_fdb_lookup(f, e.key)->flags & VTEP_FDB_LOCAL) && refs_sum(f, 8) == 0);
	vtep_fdb_free(f);
}

/*
 * movedamp covers every move of a MAC: local<->remote (a MAC flapping between a local port and
 * a remote VTEP: a loop through the tunnel) and local<->local (a loop between two local ports),
 * with the same window and count as remote<->remote. The sixth move freezes the MAC where it is,
 * at a remote or an attachment; then no learn moves it, from a remote or another attachment; its
 * owner refreshes it; it is released after the hold-down; a flush of its attachment deletes it
 * with its frozen count. The frozen remote keeps its one reference.
 */
static void
test_local_movedamp(void)
{
	struct vtep_fdb_params p = {.name = "f_ldamp", .size = 64, .nb_vnis = 1, .nb_remotes = 8};
	const struct vtep_fdb_counters *c;
	struct vtep_learn_event l = lev(0, 1, 0), r = ev(0, 1, 2);
	struct vtep_fdb_entry *x;
	struct vtep_fdb *f;
	uint32_t now = 1000;

	p.local_be = rte_cpu_to_be_32(0x0a000001);
	p.vni_ageing[0] = 3600;
	p.vni_damp[0] = (struct vtep_fdb_damp){5, 180, 60};
	f = vtep_fdb_create(&p);
	CHECK(f != NULL);
	c = vtep_fdb_counters(f);
	memset(&damp_seen, 0, sizeof(damp_seen));
	vtep_fdb_set_notify(f, damp_notify, NULL);
	/* Local <-> remote: learned on attachment 0, then remote, local, remote, local, remote. */
	CHECK(vtep_fdb_learn_with(f, &l, NULL, NULL, now) == 0);
	x = vtep_fdb_lookup(f, l.key);
	for (unsigned int i = 1; i <= 5; i++)
		CHECK((i % 2 ? vtep_fdb_learn(f, &r, 2, now + i)
			     : vtep_fdb_learn_with(f, &l, NULL, NULL, now + i)) == 0);
	CHECK(c->moved_to_remote == 3 && c->moved_to_local == 2 && x->remote == 2);
	CHECK(!(x->flags & (VTEP_FDB_LOCAL | VTEP_FDB_FROZEN)) && vtep_fdb_remote_refs(f, 2) == 1);
	/* The sixth move (back to the local port) freezes it at the remote. */
	CHECK(vtep_fdb_learn_with(f, &l, NULL, NULL, now + 6) == -EBUSY);
	CHECK((x->flags & VTEP_FDB_FROZEN) && !(x->flags & VTEP_FDB_LOCAL) && x->remote == 2);
	CHECK(c->frozen == 1 && c->nb_frozen == 1 && damp_seen.frozen == 1);
	CHECK(damp_seen.remote == 2 && !(damp_seen.flags & VTEP_FDB_LOCAL));
	CHECK(vtep_fdb_remote_refs(f, 2) == 1 && c->att_learned[0] == 0);
	/* Held: another attachment, another remote are refused; the owner refreshes it. */
	l.att = 1;
	CHECK(vtep_fdb_learn_with(f, &l, NULL, NULL, now + 7) == -EBUSY);
	r.src_be = rte_cpu_to_be_32(3);
	CHECK(vtep_fdb_learn(f, &r, 3, now + 7) == -EBUSY && vtep_fdb_remote_refs(f, 3) == 0);
	r.src_be = rte_cpu_to_be_32(2);
	CHECK(vtep_fdb_learn(f, &r, 2, now + 8) == 1 && x->seen == now + 8);
	/* Released after the hold-down: it moves to the local port again. */
	CHECK(vtep_fdb_age(f, now + 66) == 0 && c->nb_frozen == 0 && damp_seen.unfrozen == 1);
	CHECK(vtep_fdb_learn_with(f, &l, NULL, NULL, now + 67) == 0 && (x->flags & VTEP_FDB_LOCAL));
	CHECK(x->remote == 1 && vtep_fdb_remote_refs(f, 2) == 0);
	/* Local <-> local: a MAC flapping between attachments 0 and 1 is frozen at 1. */
	l = lev(0, 2, 0);
	CHECK(vtep_fdb_learn_with(f, &l, NULL, NULL, now) == 0);
	x = vtep_fdb_lookup(f, l.key);
	for (unsigned int i = 1; i <= 5; i++) {
		l.att = i % 2;
		CHECK(vtep_fdb_learn_with(f, &l, NULL, NULL, now + i) == 0);
	}
	CHECK(c->moved_local == 5 && x->remote == 1);
	l.att = 0;
	CHECK(vtep_fdb_learn_with(f, &l, NULL, NULL, now + 6) == -EBUSY);
	CHECK((x->flags & VTEP_FDB_FROZEN) && (x->flags & VTEP_FDB_LOCAL) && x->remote == 1);
	CHECK(damp_seen.frozen == 2 && damp_seen.remote == 1 && (damp_seen.flags & VTEP_FDB_LOCAL));
	/* A remote claim is refused too, and costs no slot reference. */
	r = ev(0, 2, 4);
	CHECK(vtep_fdb_learn(f, &r, 4, now + 7) == -EBUSY && refs_sum(f, 8) == 0);
	CHECK(c->moved_local == 5 && c->nb_frozen == 1 && c->att_learned[1] == 2);
	/* Its attachment's flush (link down) deletes it, frozen count included. */
	CHECK(vtep_fdb_flush_att(f, 1) == 2 && c->nb_frozen == 0 && c->att_learned[1] == 0);
	vtep_fdb_set_notify(f, NULL, NULL);
	vtep_fdb_free(f);
}

/* The remote slot of a learn is asked for only once the learn is admitted. */
static unsigned int remote_calls;

static int
remote_fn(void *arg, rte_be32_t ip_be __rte_unused)
{
	remote_calls++;
	return (int)(intptr_t)arg;
}

static void
test_learn_with(void)
{
	struct vtep_fdb_params p = {.name = "f_with", .size = 64, .nb_vnis = 1, .nb_remotes = 8};
	struct vtep_learn_event e = ev(0, 1, 1);
	struct vtep_fdb *f;

	p.vni_maxaddress[0] = 1;
	p.vni_learn_rate[0] = 1;
	f = vtep_fdb_create(&p);
	CHECK(f != NULL);
	/* No slot for the remote: refused, nothing added. */
	CHECK(vtep_fdb_learn_with(f, &e, remote_fn, (void *)(intptr_t)-ENOSPC, 10) == -ENXIO);
	CHECK(remote_calls == 1 && vtep_fdb_lookup(f, e.key) == NULL);
	CHECK(vtep_fdb_learn_with(f, &e, remote_fn, (void *)3, 11) == 0 && remote_calls == 2);
	CHECK(vtep_fdb_remote_refs(f, 3) == 1);
	/* Already there: no slot asked for. */
	CHECK(vtep_fdb_learn_with(f, &e, remote_fn, (void *)3, 11) == 1 && remote_calls == 2);
	/* Refused by the rate (a move in the same second) and by maxaddress: none either. */
	e.src_be = rte_cpu_to_be_32(2);
	CHECK(vtep_fdb_learn_with(f, &e, remote_fn, (void *)4, 11) == -EAGAIN && remote_calls == 2);
	e = ev(0, 2, 1);
	CHECK(vtep_fdb_learn_with(f, &e, remote_fn, (void *)3, 12) == -ENOSPC && remote_calls == 2);
	/* A static MAC neither. */
	CHECK(vtep_fdb_add_static(f, e.key, rte_cpu_to_be_32(5), 5) == 0);
	CHECK(vtep_fdb_learn_with(f, &e, remote_fn, (void *)3, 13) == -EPERM && remote_calls == 2);
	vtep_fdb_free(f);
}

static int
count_cb(uint64_t key __rte_unused, const struct vtep_fdb_entry *e __rte_unused, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static void
test_age_flush_walk(void)
{
	struct vtep_fdb *f = make("f_age", 1024, 0, 0, NULL);
	struct vtep_learn_event e;
	unsigned int n = 0;

	for (unsigned int i = 0; i < 10; i++) {
		e = ev(0, i, i < 5 ? 1 : 2);
		vtep_fdb_learn(f, &e, 1, 1000);
		e = ev(1, i, 1);
		vtep_fdb_learn(f, &e, 1, 1000);
	}
	vtep_fdb_add_static(f, ev(0, 100, 1).key, 1, 1);
	vtep_fdb_walk(f, count_cb, &n);
	CHECK(n == 21);
	/* VNI 0 ages after 300 s, VNI 1 never, static entries never. */
	CHECK(vtep_fdb_age(f, 1299) == 0);
	e = ev(0, 0, 1);
	vtep_fdb_learn(f, &e, 1, 1200); /* refreshed: survives */
	CHECK(vtep_fdb_age(f, 1300) == 9);
	CHECK(vtep_fdb_lookup(f, e.key) != NULL);
	CHECK(vtep_fdb_lookup(f, ev(0, 100, 1).key) != NULL);
	CHECK(vtep_fdb_counters(f)->aged == 9);
	vtep_fdb_set_ageing(f, 1, 10);
	CHECK(vtep_fdb_age(f, 1300) == 10);
	/* Flush by remote and by VNI leave static entries alone. */
	for (unsigned int i = 0; i < 10; i++) {
		e = ev(1, i, i & 1 ? 1 : 2);
		vtep_fdb_learn(f, &e, 1, 2000);
	}
	CHECK(vtep_fdb_flush(f, -1, rte_cpu_to_be_32(2)) == 5);
	CHECK(vtep_fdb_flush(f, 1, 0) == 5);
	CHECK(vtep_fdb_flush(f, -1, 0) == 1);
	n = 0;
	vtep_fdb_walk(f, count_cb, &n);
	CHECK(n == 1);
	vtep_fdb_free(f);
}

static void
test_bulk(void)
{
	static const unsigned int sizes[] = { 1, 2, 3, 31, 32, 33, 63, 64 };
	struct vtep_fdb *f = make("f_bulk", 4096, 0, 0, NULL);
	struct vtep_fdb_entry *entries[64];
	uint64_t keys[64], hits;
	struct vtep_learn_event e;

	for (unsigned int i = 0; i < 1000; i += 2) {
		e = ev(0, i, i);
		vtep_fdb_learn(f, &e, i % 100, 1);
	}
	for (unsigned int s = 0; s < RTE_DIM(sizes); s++) {
		unsigned int bad = 0;

		for (unsigned int i = 0; i < sizes[s]; i++)
			keys[i] = ev(0, 100 + i, 0).key;
		hits = vtep_fdb_lookup_bulk(f, keys, sizes[s], entries);
		for (unsigned int i = 0; i < sizes[s]; i++) {
			bool hit = (100 + i) % 2 == 0;

			if (hit != !!(hits & (1ull << i)) || hit != (entries[i] != NULL) ||
					(hit && entries[i]->dst_be != rte_cpu_to_be_32(100 + i)))
				bad++;
		}
		CHECKF(bad == 0, "bulk of %u: %u wrong", sizes[s], bad);
	}
	/* Out of range: no hits, every entry NULL. */
	{
		struct vtep_fdb_entry *many[RTE_HASH_LOOKUP_BULK_MAX + 1];
		uint64_t mkeys[RTE_HASH_LOOKUP_BULK_MAX + 1];
		unsigned int nonnull = 0;

		for (unsigned int i = 0; i < RTE_DIM(mkeys); i++) {
			mkeys[i] = ev(0, 2 * i, 0).key;
			many[i] = (void *)1;
		}
		CHECK(vtep_fdb_lookup_bulk(f, mkeys, 0, many) == 0);
		CHECK(vtep_fdb_lookup_bulk(f, mkeys, RTE_DIM(mkeys), many) == 0);
		for (unsigned int i = 0; i < RTE_DIM(mkeys); i++)
			nonnull += many[i] != NULL;
		CHECK(nonnull == 0);
	}
	/* Buckets, extendable buckets, key store, rings and the entry array: more than the
	 * entries alone, less than a few hundred bytes an entry. */
	CHECKF(vtep_fdb_memory(f) > 4096 * (sizeof(struct vtep_fdb_entry) + sizeof(uint64_t)) &&
			vtep_fdb_memory(f) < 4096 * 256,
			"%zu bytes for 4096 entries", vtep_fdb_memory(f));
	vtep_fdb_free(f);
}

/* Ageing and flushing more entries than one batch of deletes, in a table with ext buckets. */
static void
test_big_sweep(void)
{
	struct vtep_fdb *f = make("f_big", 4096, 0, 0, NULL);
	const struct vtep_fdb_counters *c = vtep_fdb_counters(f);
	struct vtep_learn_event e;
	unsigned int ok = 0, n = 0;

	for (unsigned int i = 0; i < 4000; i++) {
		e = ev(i & 1, i, 1 + (i & 3));
		ok += vtep_fdb_learn(f, &e, 1, 10) == 0;
	}
	for (unsigned int i = 0; i < 10; i++)
		CHECK(vtep_fdb_add_static(f, ev(0, 100000 + i, 0).key, 9, 9) == 0);
	CHECKF(ok == 4000 && c->nb_learned == 4000, "learned %u", ok);
	/* Only VNI 0 (even i) ages. */
	CHECK(vtep_fdb_age(f, 310) == 2000);
	CHECK(c->nb_learned == 2000 && c->vni_learned[0] == 0 && c->vni_learned[1] == 2000);
	/* VNI 1 holds addresses 2 and 4 (odd i): flush 2 first, then the rest. */
	CHECK(vtep_fdb_flush(f, -1, rte_cpu_to_be_32(2)) == 1000);
	CHECK(vtep_fdb_flush(f, -1, 0) == 1000);
	CHECK(c->nb_learned == 0 && c->nb_static == 10);
	vtep_fdb_walk(f, count_cb, &n);
	CHECK(n == 10);
	/* The freed slots take new keys again. */
	ok = 0;
	for (unsigned int i = 0; i < 4000; i++) {
		e = ev(1, 50000 + i, 7);
		ok += vtep_fdb_learn(f, &e, 7, 20) == 0;
	}
	CHECK(ok == 4000);
	vtep_fdb_free(f);
}

/*
 * Deletes with RCU: a deleted entry keeps its data for readers until they report a quiescent
 * state, its slot is not reused before, and after it the slot takes a new key.
 */
static void
test_rcu(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *v = rte_zmalloc("qsbr_rcu", sz, RTE_CACHE_LINE_SIZE);
	const struct vtep_fdb_counters *c;
	struct vtep_fdb_entry *x, *y;
	struct vtep_learn_event e;
	struct vtep_fdb *f;
	unsigned int ok = 0;

	CHECK(v != NULL && rte_rcu_qsbr_init(v, 1) == 0);
	CHECK(rte_rcu_qsbr_thread_register(v, 0) == 0);
	rte_rcu_qsbr_thread_online(v, 0);
	f = make("f_rcu", 8, 0, 0, v);
	CHECK(f != NULL);
	c = vtep_fdb_counters(f);
	for (unsigned int i = 0; i < 8; i++) {
		e = ev(0, i, 0x0a000000 | i);
		ok += vtep_fdb_learn(f, &e, i, 1) == 0;
	}
	CHECK(ok == 8);
	e = ev(0, 0, 0x0a000000);
	x = vtep_fdb_lookup(f, e.key);
	CHECK(x != NULL);
	CHECK(vtep_fdb_del(f, e.key) == 0 && vtep_fdb_lookup(f, e.key) == NULL);
	/* This thread, as a reader, still holds x: its data stays, its slot stays taken. */
	CHECK(x->dst_be == rte_cpu_to_be_32(0x0a000000) && x->remote == 0);
	e = ev(0, 100, 0x0a000064);
	CHECK(vtep_fdb_learn(f, &e, 100, 2) == -ENOMEM && c->refused == 1);
	rte_rcu_qsbr_quiescent(v, 0);
	CHECK(vtep_fdb_learn(f, &e, 100, 3) == 0);
	y = vtep_fdb_lookup(f, e.key);
	CHECK(y != NULL && y->dst_be == e.src_be && y->remote == 100 && y->seen == 3);
	/* The only free slot was the deleted one. */
	CHECK(y == x);
	/* Delete and re-add the same key. */
	CHECK(vtep_fdb_del(f, e.key) == 0);
	rte_rcu_qsbr_quiescent(v, 0);
	CHECK(vtep_fdb_learn(f, &e, 100, 4) == 0 && vtep_fdb_lookup(f, e.key) != NULL);
	CHECK(c->nb_learned == 8 && c->learned == 10);
	vtep_fdb_free(f);
	rte_rcu_qsbr_thread_offline(v, 0);
	rte_rcu_qsbr_thread_unregister(v, 0);
	rte_free(v);
}

/* Reader thread for the concurrency test. */
/*
 * The worker's cache gives what the hash gives, through random adds, moves, deletes and re-adds
 * (a deleted key's position is reused by another key at once without RCU), in bulks of 1, 2, 3,
 * 31, 32, 33 and 64, including key 0 (VNI 0, the all-zero MAC) on an empty cache.
 */
static void
test_cache(void)
{
	static const unsigned int sizes[] = { 1, 2, 3, 31, 32, 33, 64 };
	static struct vtep_fdb_cache cache;
	struct vtep_fdb *f = make("f_cache", 256, 0, 0, NULL);
	struct vtep_fdb_entry *a[64], *b[64];
	unsigned int bad = 0, hits = 0;
	uint64_t keys[64], ha, hb;
	struct vtep_learn_event e;

	CHECK(f != NULL);
	keys[0] = 0;
	CHECK(vtep_fdb_lookup_bulk_cached(f, &cache, keys, 1, a) == 0 && a[0] == NULL);
	srand(5);
	for (unsigned int round = 0; round < 20000; round++) {
		unsigned int n = sizes[round % RTE_DIM(sizes)], k = rand() % 300;

		switch (rand() % 4) {
		case 0:
			vtep_fdb_del(f, ev(0, k, 0).key);
			break;
		case 1:
			CHECK(vtep_fdb_add_static(f, k == 0 ? 0 : ev(0, k, 0).key,
					      rte_cpu_to_be_32(0x0a000000 | round), 1) != -EINVAL);
			break;
		default:
			e = ev(0, k, 0x0b000000 | round);
			vtep_fdb_learn(f, &e, 2, round);
			break;
		}
		for (unsigned int i = 0; i < n; i++)
			keys[i] = (unsigned int)rand() % 300 == 0 ? 0 : ev(0, rand() % 300, 0).key;
		ha = vtep_fdb_lookup_bulk_cached(f, &cache, keys, n, a);
		hb = vtep_fdb_lookup_bulk(f, keys, n, b);
		bad += ha != hb;
		for (unsigned int i = 0; i < n; i++) {
			bad += a[i] != b[i];
			hits += a[i] != NULL;
		}
	}
	CHECKF(bad == 0, "%u cached lookups differ from the hash's", bad);
	CHECKF(hits > 10000, "only %u hits", hits);
	/* Out of range counts: as vtep_fdb_lookup_bulk. */
	CHECK(vtep_fdb_lookup_bulk_cached(f, &cache, keys, 0, a) == 0);
	vtep_fdb_free(f);
}

/*
 * A cached position whose slot now holds another key: what a worker with a stale generation
 * would see once the slot was reclaimed and reused. Made by pointing K1's cache slot at K2's
 * position; the lookup must not return K2's entry for K1.
 */
static void
test_cache_reused_slot(void)
{
	static struct vtep_fdb_cache cache;
	struct vtep_fdb *f = make("f_reuse", 64, 0, 0, NULL);
	struct vtep_learn_event e1 = ev(0, 1, 0x0a000001), e2 = ev(0, 2, 0x0a000002);
	struct vtep_fdb_entry *a[2];
	uint64_t keys[2] = {e1.key, e2.key};
	unsigned int s1 = VTEP_FDB_CACHE_SIZE, s2 = VTEP_FDB_CACHE_SIZE;

	CHECK(f != NULL && vtep_fdb_learn(f, &e1, 1, 1) == 0 && vtep_fdb_learn(f, &e2, 2, 1) == 0);
	CHECK(vtep_fdb_lookup_bulk_cached(f, &cache, keys, 2, a) == 3);
	for (unsigned int s = 0; s < VTEP_FDB_CACHE_SIZE; s++) {
		if (cache.slots[s].gen != 0 && cache.slots[s].key == e1.key)
			s1 = s;
		if (cache.slots[s].gen != 0 && cache.slots[s].key == e2.key)
			s2 = s;
	}
	CHECK(s1 < VTEP_FDB_CACHE_SIZE && s2 < VTEP_FDB_CACHE_SIZE);
	if (s1 < VTEP_FDB_CACHE_SIZE && s2 < VTEP_FDB_CACHE_SIZE) {
		cache.slots[s1].pos = cache.slots[s2].pos;
		CHECK(vtep_fdb_lookup_bulk_cached(f, &cache, keys, 1, a) == 1);
		CHECKF(a[0] != NULL && a[0]->dst_be == e1.src_be,
				"K1 found K2's entry through a reused position");
	}
	vtep_fdb_free(f);
}

static struct vtep_fdb *cf;
static struct rte_rcu_qsbr *qv;
static atomic_int stop;
static unsigned long inconsistent, foreign;
static atomic_ulong reads;

static struct vtep_fdb_cache reader_cache;

static void *
reader(void *arg __rte_unused)
{
	struct vtep_fdb_entry *entries[32];
	uint64_t keys[32];

	rte_rcu_qsbr_thread_register(qv, 0);
	rte_rcu_qsbr_thread_online(qv, 0);
	for (unsigned int i = 0; i < 32; i++)
		keys[i] = ev(0, i, 0).key;
	for (unsigned long loop = 0; !atomic_load(&stop); loop++) {
		/* Every other lookup through a worker's cache, which must never return a
		 * position of a deleted key either. */
		if (loop % 2)
			vtep_fdb_lookup_bulk_cached(cf, &reader_cache, keys, 32, entries);
		else
			vtep_fdb_lookup_bulk(cf, keys, 32, entries);
		for (unsigned int i = 0; i < 32; i++) {
			struct vtep_fdb_entry c;
			uint32_t host;

			if (entries[i] == NULL)
				continue;
			c = vtep_fdb_entry_read(entries[i]);
			host = rte_be_to_cpu_32(c.dst_be);
			/* The writer keeps remote == low 16 bits of the address... */
			if ((host & 0xffff) != c.remote)
				inconsistent++;
			/* ... and puts the key's own number in bits 16-23: a reused slot must never
			 * show the previous key's data. */
			if (((host >> 16) & 0xff) != i || c.vni_idx != 0)
				foreign++;
			atomic_fetch_add(&reads, 1);
		}
		rte_rcu_qsbr_quiescent(qv, 0);
	}
	rte_rcu_qsbr_thread_offline(qv, 0);
	rte_rcu_qsbr_thread_unregister(qv, 0);
	return NULL;
}

static void
test_concurrent(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct vtep_learn_event e;
	pthread_t t;

	qv = rte_zmalloc("qsbr", sz, RTE_CACHE_LINE_SIZE);
	CHECK(qv != NULL && rte_rcu_qsbr_init(qv, 1) == 0);
	cf = make("f_conc", 1024, 0, 0, qv);
	CHECK(cf != NULL);
	uint64_t hz = rte_get_tsc_hz(), start = rte_get_tsc_cycles();
	unsigned int round;

	pthread_create(&t, NULL, reader, NULL);
	/* 100k writes at least, and on until the reader has made the 10k hits checked below, and
	 * then until 100k or 3 s (slow sanitizer builds; a yield now and then lets the reader run).
	 * The reader's progress is the condition, not the time: on a machine whose cores are busy
	 * with other work it may get little of the first 3 s. 120 s bound a reader that is stuck. */
	for (round = 0; round < 100000 || (round % 1024 != 0) ||
			(atomic_load(&reads) < 10000 && rte_get_tsc_cycles() - start < 120 * hz) ||
			(atomic_load(&reads) < 100000 && rte_get_tsc_cycles() - start < 3 * hz);
			round++) {
		if (round % 1024 == 1023 && atomic_load(&reads) < round)
			sched_yield();
		unsigned int i = round % 32;
		uint32_t host = 0x0a000000 | i << 16 | ((round * 7919u) & 0xffff);

		e = ev(0, i, host);
		/* Refused while every free slot waits for the reader's next quiescent state. */
		if (vtep_fdb_learn(cf, &e, host & 0xffff, round) == -ENOMEM)
			sched_yield();
		if (round % 3 == 0)
			vtep_fdb_del(cf, ev(0, (i + 16) % 32, 0).key);
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	CHECKF(inconsistent == 0, "%lu of %lu reads saw a torn entry", inconsistent,
			atomic_load(&reads));
	CHECKF(foreign == 0, "%lu of %lu reads saw another key's entry", foreign,
			atomic_load(&reads));
	CHECKF(atomic_load(&reads) >= 10000, "only %lu reads in %u writes", atomic_load(&reads),
			round);
	vtep_fdb_free(cf);
	rte_free(qv);
}

int
main(void)
{
	vtep_test_eal_init("fdb", NULL);
	test_params();
	test_keys();
	test_learn_move_static();
	test_limits();
	test_age_flush_walk();
	test_remote_refs();
	test_learn_rate();
	test_learn_with();
	test_movedamp();
	test_local_refs();
	test_local_rate();
	test_local_movedamp();
	test_bulk();
	test_cache();
	test_cache_reused_slot();
	test_big_sweep();
	test_rcu();
	test_concurrent();
	return vtep_test_done("fdb");
}
