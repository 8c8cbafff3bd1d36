/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "vtep_fdb.h"

struct vtep_fdb {
	struct rte_hash *h;
	struct vtep_fdb_entry *entries; /* indexed by key position */
	struct vtep_fdb_params p;
	struct vtep_fdb_counters c;
	bool rcu;      /* deleted slots are reclaimed by the hash's RCU */
	size_t memory; /* heap bytes taken at creation */
};

uint32_t
vtep_fdb_now(void)
{
	static uint64_t hz;

	if (hz == 0)
		hz = rte_get_tsc_hz();
	return (uint32_t)(rte_get_tsc_cycles() / hz);
}

static size_t
heap_used(int socket)
{
	struct rte_malloc_socket_stats s;

	if (rte_malloc_get_socket_stats(socket < 0 ? 0 : socket, &s) != 0)
		return 0;
	return s.heap_allocsz_bytes;
}

struct vtep_fdb *
vtep_fdb_create(const struct vtep_fdb_params *p)
{
	struct rte_hash_parameters hp = {
			.name = p->name,
			.entries = p->size,
			.key_len = sizeof(uint64_t),
			.hash_func = rte_hash_crc,
			.socket_id = p->socket,
			/* Lock-free readers, one writer: no MULTI_WRITER_ADD, which takes a lock.
			 */
			.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
					RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	size_t before = heap_used(p->socket);
	struct vtep_fdb *fdb;

	if (p->size < 8 || p->nb_vnis > VTEP_MAX_VNIS) {
		rte_errno = EINVAL;
		return NULL;
	}
	fdb = rte_zmalloc_socket("vtep_fdb", sizeof(*fdb), RTE_CACHE_LINE_SIZE, p->socket);
	if (fdb == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	fdb->p = *p;
	fdb->h = rte_hash_create(&hp);
	fdb->entries = rte_zmalloc_socket("vtep_fdb_entries",
			sizeof(fdb->entries[0]) * (p->size + 1), RTE_CACHE_LINE_SIZE, p->socket);
	if (fdb->h == NULL || fdb->entries == NULL)
		goto fail;
	if (p->qsbr != NULL) {
		struct rte_hash_rcu_config rc = {
				.v = p->qsbr,
				.mode = RTE_HASH_QSBR_MODE_DQ,
		};

		if (rte_hash_rcu_qsbr_add(fdb->h, &rc) != 0)
			goto fail;
		fdb->rcu = true;
	}
	fdb->memory = heap_used(p->socket) - before;
	return fdb;
fail:
	vtep_fdb_free(fdb);
	rte_errno = ENOMEM;
	return NULL;
}

void
vtep_fdb_free(struct vtep_fdb *fdb)
{
	if (fdb == NULL)
		return;
	rte_hash_free(fdb->h);
	rte_free(fdb->entries);
	rte_free(fdb);
}

uint64_t
vtep_fdb_lookup_bulk(const struct vtep_fdb *fdb, const uint64_t *keys, unsigned int n,
		struct vtep_fdb_entry **entries)
{
	const void *kp[RTE_HASH_LOOKUP_BULK_MAX];
	int32_t pos[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits = 0;

	for (unsigned int i = 0; i < n; i++)
		kp[i] = &keys[i];
	if (rte_hash_lookup_bulk(fdb->h, kp, n, pos) != 0) {
		for (unsigned int i = 0; i < n; i++)
			entries[i] = NULL;
		return 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (pos[i] >= 0) {
			entries[i] = &fdb->entries[pos[i]];
			hits |= 1ull << i;
		} else {
			entries[i] = NULL;
		}
	}
	return hits;
}

struct vtep_fdb_entry *
vtep_fdb_lookup(const struct vtep_fdb *fdb, uint64_t key)
{
	int32_t pos = rte_hash_lookup(fdb->h, &key);

	return pos >= 0 ? &fdb->entries[pos] : NULL;
}

/* Point a live entry at another remote: address and slot in one aligned 8-byte store, so a
 * reader never pairs the old address with the new slot. */
static void
set_dst(struct vtep_fdb_entry *e, rte_be32_t dst_be, uint16_t remote)
{
	union {
		struct {
			rte_be32_t dst_be;
			uint16_t remote;
			uint8_t flags;
			uint8_t vni_idx;
		};
		uint64_t word;
	} u = {{dst_be, remote, e->flags, e->vni_idx}};

	static_assert(offsetof(struct vtep_fdb_entry, seen) == sizeof(uint64_t), "entry layout");
	__atomic_store_n((uint64_t *)(void *)e, u.word, __ATOMIC_RELEASE);
}

static int
add(struct vtep_fdb *fdb, uint64_t key, rte_be32_t dst_be, uint16_t remote, uint8_t flags,
		uint32_t now)
{
	int32_t pos = rte_hash_add_key(fdb->h, &key);
	struct vtep_fdb_entry *e;

	if (pos < 0)
		return -ENOSPC;
	e = &fdb->entries[pos];
	e->flags = flags;
	e->vni_idx = vtep_fdb_key_vni(key);
	e->seen = now;
	set_dst(e, dst_be, remote);
	return 0;
}

static void
count(struct vtep_fdb *fdb, const struct vtep_fdb_entry *e, int delta)
{
	if (e->flags & VTEP_FDB_STATIC) {
		fdb->c.nb_static += delta;
	} else {
		fdb->c.nb_learned += delta;
		fdb->c.vni_learned[e->vni_idx] += delta;
	}
}

int
vtep_fdb_learn(struct vtep_fdb *fdb, const struct vtep_learn_event *ev, uint16_t remote,
		uint32_t now)
{
	unsigned int v = vtep_fdb_key_vni(ev->key);
	struct vtep_fdb_entry *e = vtep_fdb_lookup(fdb, ev->key);
	uint32_t global = fdb->p.maxaddress ? fdb->p.maxaddress : fdb->p.size;

	if (v >= fdb->p.nb_vnis && fdb->p.nb_vnis != 0)
		return -EINVAL;
	if (e != NULL) {
		if (e->dst_be == ev->src_be) {
			if (!(e->flags & VTEP_FDB_STATIC) && e->seen != now)
				e->seen = now;
			return 1;
		}
		if (e->flags & VTEP_FDB_STATIC) {
			/* The kernel never migrates a static entry (vxlan_snoop). */
			fdb->c.static_move++;
			return -EPERM;
		}
		set_dst(e, ev->src_be, remote);
		e->seen = now;
		fdb->c.moved++;
		return 0;
	}
	if (fdb->c.nb_learned >= global ||
			(fdb->p.vni_maxaddress[v] != 0 &&
					fdb->c.vni_learned[v] >= fdb->p.vni_maxaddress[v]) ||
			add(fdb, ev->key, ev->src_be, remote, 0, now) != 0) {
		fdb->c.refused++;
		return -ENOSPC;
	}
	fdb->c.learned++;
	fdb->c.nb_learned++;
	fdb->c.vni_learned[v]++;
	return 0;
}

int
vtep_fdb_add_static(struct vtep_fdb *fdb, uint64_t key, rte_be32_t dst_be, uint16_t remote)
{
	struct vtep_fdb_entry *e = vtep_fdb_lookup(fdb, key);

	if (e != NULL) {
		count(fdb, e, -1);
		e->flags = VTEP_FDB_STATIC;
		set_dst(e, dst_be, remote);
		count(fdb, e, 1);
		return 0;
	}
	if (add(fdb, key, dst_be, remote, VTEP_FDB_STATIC, vtep_fdb_now()) != 0)
		return -ENOSPC;
	fdb->c.nb_static++;
	return 0;
}

int
vtep_fdb_del(struct vtep_fdb *fdb, uint64_t key)
{
	int32_t pos = rte_hash_lookup(fdb->h, &key);

	if (pos < 0)
		return -ENOENT;
	count(fdb, &fdb->entries[pos], -1);
	rte_hash_del_key(fdb->h, &key);
	/* Without RCU the writer is alone: the slot can be reused at once. */
	if (!fdb->rcu)
		rte_hash_free_key_with_position(fdb->h, pos);
	return 0;
}

/* Delete learned entries for which match() says so. */
static unsigned int
sweep(struct vtep_fdb *fdb,
		bool (*match)(const struct vtep_fdb *, const struct vtep_fdb_entry *, const void *),
		const void *arg)
{
	uint64_t doomed[256];
	unsigned int total = 0, n;
	const void *key;
	void *data;
	uint32_t iter;
	int32_t pos;

	/* Collect, then delete: the hash may not change under rte_hash_iterate. */
	do {
		n = 0;
		iter = 0;
		while (n < RTE_DIM(doomed) &&
				(pos = rte_hash_iterate(fdb->h, &key, &data, &iter)) >= 0) {
			const struct vtep_fdb_entry *e = &fdb->entries[pos];

			if (!(e->flags & VTEP_FDB_STATIC) && match(fdb, e, arg))
				doomed[n++] = *(const uint64_t *)key;
		}
		for (unsigned int i = 0; i < n; i++)
			vtep_fdb_del(fdb, doomed[i]);
		total += n;
	} while (n == RTE_DIM(doomed));
	return total;
}

struct flush_arg {
	int vni_idx;
	rte_be32_t dst_be;
};

static bool
flush_match(const struct vtep_fdb *fdb __rte_unused, const struct vtep_fdb_entry *e,
		const void *arg)
{
	const struct flush_arg *f = arg;

	return (f->vni_idx < 0 || e->vni_idx == f->vni_idx) &&
			(f->dst_be == 0 || e->dst_be == f->dst_be);
}

unsigned int
vtep_fdb_flush(struct vtep_fdb *fdb, int vni_idx, rte_be32_t dst_be)
{
	struct flush_arg f = {vni_idx, dst_be};

	return sweep(fdb, flush_match, &f);
}

static bool
age_match(const struct vtep_fdb *fdb, const struct vtep_fdb_entry *e, const void *arg)
{
	uint32_t now = *(const uint32_t *)arg, ageing = fdb->p.vni_ageing[e->vni_idx];

	return ageing != 0 && now - e->seen >= ageing;
}

unsigned int
vtep_fdb_age(struct vtep_fdb *fdb, uint32_t now)
{
	unsigned int n = sweep(fdb, age_match, &now);

	fdb->c.aged += n;
	return n;
}

void
vtep_fdb_set_ageing(struct vtep_fdb *fdb, unsigned int vni_idx, uint32_t ageing)
{
	if (vni_idx < VTEP_MAX_VNIS)
		fdb->p.vni_ageing[vni_idx] = ageing;
}

const struct vtep_fdb_counters *
vtep_fdb_counters(const struct vtep_fdb *fdb)
{
	return &fdb->c;
}

int
vtep_fdb_walk(const struct vtep_fdb *fdb,
		int (*cb)(uint64_t key, const struct vtep_fdb_entry *e, void *arg), void *arg)
{
	const void *key;
	void *data;
	uint32_t iter = 0;
	int32_t pos;
	int rc;

	while ((pos = rte_hash_iterate(fdb->h, &key, &data, &iter)) >= 0) {
		rc = cb(*(const uint64_t *)key, &fdb->entries[pos], arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

size_t
vtep_fdb_memory(const struct vtep_fdb *fdb)
{
	return fdb->memory;
}
