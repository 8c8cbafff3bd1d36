/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FDB: one rte_hash (lock-free readers, one writer) plus an entry array indexed by key
 * position.
 *
 * Slot life cycle. rte_hash publishes a new key before it returns the key's position, so the
 * writer can only fill entries[pos] after readers may already find the key. A slot that held a
 * deleted key would then briefly show that key's old remote. To prevent that, a slot is zeroed
 * when the hash frees it (at once without RCU, from the RCU reclaim callback with it: readers have
 * all passed a quiescent state since the delete), and a lookup treats dst_be == 0 as a miss. A
 * reader that finds a new key therefore sees either the zeroed slot (a miss: the frame floods)
 * or the complete entry, never another key's data.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "vtep_fdb.h"
#include "vtep_log.h"
#include "vtep_rate.h"

VTEP_LOG_REGISTER(fdb);
#define FDB_LOG(level, ...) VTEP_LOG(fdb, level, __VA_ARGS__)

static_assert(sizeof(struct vtep_fdb_entry) == 16, "FDB entry layout");
static_assert(offsetof(struct vtep_fdb_entry, seen) == sizeof(uint64_t), "FDB entry layout");

struct vtep_fdb {
	struct rte_hash *h;
	struct vtep_fdb_entry *entries; /* indexed by key position */
	uint32_t gen; /* generation of worker caches: +1 after every delete (writer), from 1 */
	struct vtep_fdb_params p;
	struct vtep_fdb_counters c;
	uint32_t *refs; /* entries per remote slot, p.nb_remotes of them (NULL: none) */
	struct vtep_rate learn_rate[VTEP_MAX_VNIS]; /* per VNI, on the seconds of `now` */
	/* Per key position, for movedamp (NULL: no VNI dampens): the start of the move window or of
	 * the hold-down (low DAMP_SINCE_BITS bits of `now`) and the moves counted (high bits). */
	uint32_t *damp;
	bool rcu;                  /* deleted slots are reclaimed by the hash's RCU defer queue */
	size_t memory;             /* heap bytes taken at creation */
	vtep_fdb_notify_fn notify; /* writer's notifier, or NULL */
	void *notify_arg;
};

static void
notify(const struct vtep_fdb *fdb, enum vtep_fdb_change what, uint64_t key,
		const struct vtep_fdb_entry *e)
{
	if (fdb->notify != NULL)
		fdb->notify(fdb->notify_arg, what, key, e->dst_be, e->remote, e->flags);
}

void
vtep_fdb_set_notify(struct vtep_fdb *fdb, vtep_fdb_notify_fn fn, void *arg)
{
	fdb->notify = fn;
	fdb->notify_arg = arg;
}

uint32_t
vtep_fdb_now(void)
{
	static uint64_t hz;
	uint64_t f = __atomic_load_n(&hz, __ATOMIC_RELAXED);

	if (f == 0) {
		f = rte_get_tsc_hz();
		__atomic_store_n(&hz, f, __ATOMIC_RELAXED);
	}
	return (uint32_t)(rte_get_tsc_cycles() / f);
}

/*
 * The key is one 8-byte word. rte_hash has no specialised compare for 8 bytes and would call libc
 * memcmp through its generic path for every candidate; this one is a single load and compare.
 * rte_hash_set_cmp_func() makes the hash call it instead (not usable across processes, which
 * vtepd does not do).
 */
static int
key_cmp(const void *a, const void *b, size_t len __rte_unused)
{
	uint64_t x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x != y;
}

/* rte_hash_crc() of an 8-byte key, without its length loop: the same value. */
static uint32_t
key_hash(const void *key, uint32_t len __rte_unused, uint32_t init)
{
	uint64_t k;

	memcpy(&k, key, sizeof(k));
	return vtep_crc32c_8byte(k, init);
}

/* DPDK heap bytes in use on every socket. */
static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats s;
	size_t sum = 0;

	for (unsigned int i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &s) == 0)
			sum += s.heap_allocsz_bytes;
	return sum;
}

/* The move state of a position (fdb->damp): seconds are kept modulo 2^22 (48 days), more than
 * any window or hold, and compared as differences. */
#define DAMP_SINCE_BITS 22
#define DAMP_SINCE_MASK ((1u << DAMP_SINCE_BITS) - 1)

static inline uint32_t
damp_since(uint32_t d)
{
	return d & DAMP_SINCE_MASK;
}

static inline uint32_t
damp_moves(uint32_t d)
{
	return d >> DAMP_SINCE_BITS;
}

static inline uint32_t
damp_word(uint32_t since, uint32_t moves)
{
	return (since & DAMP_SINCE_MASK) | moves << DAMP_SINCE_BITS;
}

/* Seconds from since (a damp_since) to now. */
static inline uint32_t
damp_age(uint32_t since, uint32_t now)
{
	return (now - since) & DAMP_SINCE_MASK;
}

/* Store the shared word of an entry: one aligned 8-byte store, see struct vtep_fdb_entry. */
static void
set_word(struct vtep_fdb_entry *e, rte_be32_t dst_be, uint16_t remote, uint8_t flags,
		uint8_t vni_idx)
{
	struct vtep_fdb_entry n = {
			.dst_be = dst_be, .remote = remote, .flags = flags, .vni_idx = vni_idx};

	__atomic_store_n(&e->word, n.word, __ATOMIC_RELEASE);
}

/* Forget a slot the hash has freed (or is about to free): lookups see a miss there until the
 * writer fills it for its next key. */
static void
clear_slot(struct vtep_fdb *fdb, int32_t pos)
{
	__atomic_store_n(&fdb->entries[pos].word, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fdb->entries[pos].seen, 0, __ATOMIC_RELAXED);
}

/* RCU reclaim callback: key_data is the position + 1 that add() stored with the key. */
static void
reclaim_slot(void *p, void *key_data)
{
	uintptr_t pos1 = (uintptr_t)key_data;

	if (pos1 != 0)
		clear_slot(p, (int32_t)(pos1 - 1));
}

struct vtep_fdb *
vtep_fdb_create(const struct vtep_fdb_params *p)
{
	struct rte_hash_parameters hp = {
			.name = p->name,
			.entries = p->size,
			.key_len = sizeof(uint64_t),
			.hash_func = key_hash,
			.hash_func_init_val = 0, /* as the signatures of vtep_fdb_lookup_bulk */
			.socket_id = p->socket,
			/* Lock-free readers, one writer: no MULTI_WRITER_ADD, which takes a lock.
			 * The extendable table lets the hash hold `size` keys whatever their
			 * buckets. */
			.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
					RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	size_t before = heap_used();
	struct vtep_fdb *fdb;
	int err = ENOMEM;

	if (p->name == NULL || p->size < 8 || p->nb_vnis > VTEP_MAX_VNIS) {
		rte_errno = EINVAL;
		return NULL;
	}
	fdb = rte_zmalloc_socket("vtep_fdb", sizeof(*fdb), RTE_CACHE_LINE_SIZE, p->socket);
	if (fdb == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	fdb->p = *p;
	fdb->gen = 1;
	for (unsigned int v = 0; v < VTEP_MAX_VNIS; v++)
		vtep_rate_init(&fdb->learn_rate[v], p->vni_learn_rate[v], p->vni_learn_burst[v], 1,
				0);
	fdb->h = rte_hash_create(&hp);
	if (fdb->h == NULL) {
		err = rte_errno != 0 ? rte_errno : ENOMEM;
		goto fail;
	}
	rte_hash_set_cmp_func(fdb->h, key_cmp);
	fdb->entries = rte_zmalloc_socket("vtep_fdb_entries",
			sizeof(fdb->entries[0]) * (p->size + 1), RTE_CACHE_LINE_SIZE, p->socket);
	if (fdb->entries == NULL)
		goto fail;
	for (unsigned int v = 0; v < VTEP_MAX_VNIS && fdb->damp == NULL; v++) {
		if (p->vni_damp[v].moves == 0)
			continue;
		fdb->damp = rte_zmalloc_socket("vtep_fdb_damp",
				sizeof(fdb->damp[0]) * (p->size + 1), RTE_CACHE_LINE_SIZE,
				p->socket);
		if (fdb->damp == NULL)
			goto fail;
	}
	if (p->nb_remotes > 0) {
		fdb->refs = rte_zmalloc_socket("vtep_fdb_refs",
				sizeof(fdb->refs[0]) * p->nb_remotes, RTE_CACHE_LINE_SIZE,
				p->socket);
		if (fdb->refs == NULL)
			goto fail;
	}
	if (p->qsbr != NULL) {
		/* Defer-queue mode: a deleted key's slot (and ext bucket) is reused only after
		 * every reader has reported a quiescent state; the writer never waits. */
		struct rte_hash_rcu_config rc = {
				.v = p->qsbr,
				.mode = RTE_HASH_QSBR_MODE_DQ,
				.key_data_ptr = fdb,
				.free_key_data_func = reclaim_slot,
		};

		if (rte_hash_rcu_qsbr_add(fdb->h, &rc) != 0) {
			err = rte_errno != 0 ? rte_errno : ENOMEM;
			goto fail;
		}
		fdb->rcu = true;
	}
	fdb->memory = heap_used() - before;
	return fdb;
fail:
	FDB_LOG(ERR, "cannot create FDB %s of %u entries: %s\n", p->name, p->size,
			rte_strerror(err));
	vtep_fdb_free(fdb);
	rte_errno = err;
	return NULL;
}

void
vtep_fdb_free(struct vtep_fdb *fdb)
{
	if (fdb == NULL)
		return;
	/* The hash first: freeing it drains the RCU defer queue, whose callback writes entries. */
	rte_hash_free(fdb->h);
	rte_free(fdb->entries);
	rte_free(fdb->refs);
	rte_free(fdb->damp);
	rte_free(fdb);
}

/* The entry at a position the hash returned, or NULL while the writer is still filling it. */
static inline struct vtep_fdb_entry *
entry_at(const struct vtep_fdb *fdb, int32_t pos)
{
	struct vtep_fdb_entry *e = &fdb->entries[pos];

	return __atomic_load_n(&e->dst_be, __ATOMIC_ACQUIRE) != 0 ? e : NULL;
}

struct vtep_fdb_entry *
vtep_fdb_entries(const struct vtep_fdb *fdb)
{
	return fdb->entries;
}

uint32_t
vtep_fdb_gen(const struct vtep_fdb *fdb)
{
	return __atomic_load_n(&fdb->gen, __ATOMIC_ACQUIRE);
}

/* Look up n keys (1..RTE_HASH_LOOKUP_BULK_MAX) with their signatures in the hash; positions out
 * (-1 on a miss or a slot still being filled). @return bit mask of hits. */
static uint64_t
lookup_hash(const struct vtep_fdb *fdb, const uint64_t *keys, hash_sig_t *sig, unsigned int n,
		int32_t *pos, struct vtep_fdb_entry **entries)
{
	const void *kp[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits = 0;

	for (unsigned int i = 0; i < n; i++)
		kp[i] = &keys[i];
	if (unlikely(rte_hash_lookup_with_hash_bulk(fdb->h, kp, sig, n, pos) != 0)) {
		for (unsigned int i = 0; i < n; i++) {
			entries[i] = NULL;
			pos[i] = -1;
		}
		return 0;
	}
	/* Ask for every entry's line before reading any: with a large FDB they miss the caches,
	 * and the misses then overlap. */
	for (unsigned int i = 0; i < n; i++)
		if (pos[i] >= 0)
			rte_prefetch0(&fdb->entries[pos[i]]);
	for (unsigned int i = 0; i < n; i++) {
		entries[i] = pos[i] >= 0 ? entry_at(fdb, pos[i]) : NULL;
		if (entries[i] != NULL)
			hits |= 1ull << i;
		else
			pos[i] = -1;
	}
	return hits;
}

/* DPDK 22.11's rte_hash_lookup_bulk accepts n > RTE_HASH_LOOKUP_BULK_MAX and writes past its
 * position array (measured: n = 65 returns 0): refused here. */
static bool
bad_count(unsigned int n, struct vtep_fdb_entry **entries)
{
	if (likely(n > 0 && n <= RTE_HASH_LOOKUP_BULK_MAX))
		return false;
	for (unsigned int i = 0; i < n; i++)
		entries[i] = NULL;
	return true;
}

uint64_t
vtep_fdb_lookup_bulk(const struct vtep_fdb *fdb, const uint64_t *keys, unsigned int n,
		struct vtep_fdb_entry **entries)
{
	hash_sig_t sig[RTE_HASH_LOOKUP_BULK_MAX];
	int32_t pos[RTE_HASH_LOOKUP_BULK_MAX];

	if (bad_count(n, entries))
		return 0;
	/* The signatures here, inline, rather than through the hash's function pointer per key. */
	for (unsigned int i = 0; i < n; i++)
		sig[i] = vtep_fdb_key_sig(keys[i]);
	return lookup_hash(fdb, keys, sig, n, pos, entries);
}

uint64_t
vtep_fdb_lookup_bulk_cached(const struct vtep_fdb *fdb, struct vtep_fdb_cache *cache,
		const uint64_t *keys, unsigned int n, struct vtep_fdb_entry **entries)
{
	hash_sig_t sig[RTE_HASH_LOOKUP_BULK_MAX], msig[RTE_HASH_LOOKUP_BULK_MAX];
	struct vtep_fdb_entry *mentries[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t mkeys[RTE_HASH_LOOKUP_BULK_MAX], hits = 0;
	int32_t mpos[RTE_HASH_LOOKUP_BULK_MAX];
	uint8_t miss[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned int nb_miss = 0;
	uint32_t gen;

	if (cache == NULL)
		return vtep_fdb_lookup_bulk(fdb, keys, n, entries);
	if (bad_count(n, entries))
		return 0;
	/* Acquire: a generation read here was started after the deletes it counts, so a key
	 * deleted before it cannot be found (and cached) by the hash lookup below. */
	gen = __atomic_load_n(&fdb->gen, __ATOMIC_ACQUIRE);
	for (unsigned int i = 0; i < n; i++) {
		struct vtep_fdb_entry c;

		sig[i] = vtep_fdb_key_sig(keys[i]);
		/* The generation is bumped after a delete, and the slot reclaimed once every
		 * worker passed a quiescent state after the delete, which does not order the
		 * bump: a worker may still see the old generation when the slot already holds
		 * another key. The probe's tag check tells. */
		entries[i] = vtep_fdb_cache_probe(cache, fdb->entries, gen, keys[i], sig[i], &c);
		if (entries[i] != NULL) {
			hits |= 1ull << i;
			continue;
		}
		miss[nb_miss] = i;
		msig[nb_miss] = sig[i];
		mkeys[nb_miss++] = keys[i];
	}
	if (nb_miss == 0)
		return hits;
	lookup_hash(fdb, mkeys, msig, nb_miss, mpos, mentries);
	for (unsigned int k = 0; k < nb_miss; k++) {
		unsigned int i = miss[k], s = msig[k] & (VTEP_FDB_CACHE_SIZE - 1);

		entries[i] = mentries[k];
		if (mentries[k] == NULL)
			continue;
		hits |= 1ull << i;
		cache->slots[s].key = mkeys[k];
		cache->slots[s].pos = (uint32_t)mpos[k];
		cache->slots[s].gen = gen;
	}
	return hits;
}

struct vtep_fdb_entry *
vtep_fdb_lookup(const struct vtep_fdb *fdb, uint64_t key)
{
	int32_t pos = rte_hash_lookup(fdb->h, &key);

	return pos >= 0 ? entry_at(fdb, pos) : NULL;
}

/* Add a new key (writer). @return its entry, or NULL when the hash has no room. */
static struct vtep_fdb_entry *
add(struct vtep_fdb *fdb, uint64_t key, rte_be32_t dst_be, uint16_t remote, uint8_t flags,
		uint32_t now)
{
	int32_t pos = rte_hash_add_key(fdb->h, &key);
	struct vtep_fdb_entry *e;

	if (pos < 0)
		return NULL;
	/* Remember the position with the key, for reclaim_slot(): updating an existing key's
	 * data cannot fail. */
	if (fdb->rcu)
		rte_hash_add_key_data(fdb->h, &key, (void *)(uintptr_t)(pos + 1));
	e = &fdb->entries[pos];
	if (fdb->damp != NULL)
		fdb->damp[pos] = 0;
	__atomic_store_n(&e->seen, now, __ATOMIC_RELAXED);
	__atomic_store_n(&e->tag, vtep_fdb_key_sig(key), __ATOMIC_RELAXED);
	/* Last: a non-zero dst_be is what makes the entry visible to lookups. */
	set_word(e, dst_be, remote, flags, vtep_fdb_key_vni(key));
	return e;
}

/* May one more learned entry go behind attachment att (VTEP_STATS_ATTS: a remote, no limit)? */
static bool
room_behind(struct vtep_fdb *fdb, unsigned int att)
{
	uint32_t max = att < VTEP_STATS_ATTS ? fdb->p.att_maxaddress[att] : 0;

	if (max != 0 && fdb->c.att_learned[att] >= max) {
		fdb->c.refused++;
		return false;
	}
	return true;
}

/* An entry names remote slot idx (delta 1) or no longer does (-1). Local entries never come
 * here: their `remote` is an attachment. */
static void
ref(struct vtep_fdb *fdb, uint16_t idx, int delta)
{
	if (fdb->refs != NULL && idx < fdb->p.nb_remotes)
		fdb->refs[idx] += delta;
}

/* An entry comes (delta 1) or goes (-1): the table's counts and its remote's. */
static void
count(struct vtep_fdb *fdb, const struct vtep_fdb_entry *e, int delta)
{
	/* A local entry holds no remote slot: reclamation neither waits for it nor frees a slot
	 * because of it, and a move local<->remote takes or gives back one reference. */
	if (!(e->flags & VTEP_FDB_LOCAL))
		ref(fdb, e->remote, delta);
	if (e->flags & VTEP_FDB_FROZEN)
		fdb->c.nb_frozen += delta;
	if (e->flags & VTEP_FDB_STATIC) {
		fdb->c.nb_static += delta;
		return;
	}
	fdb->c.nb_learned += delta;
	fdb->c.vni_learned[e->vni_idx] += delta;
	if ((e->flags & VTEP_FDB_LOCAL) && e->remote < VTEP_STATS_ATTS)
		fdb->c.att_learned[e->remote] += delta;
}

/* May a new learned entry go into VNI v (behind attachment att, or VTEP_STATS_ATTS for a remote
 * one)? Bumps `refused` when not. */
static bool
room_for_learned(struct vtep_fdb *fdb, unsigned int v, unsigned int att)
{
	uint32_t global = fdb->p.maxaddress ? fdb->p.maxaddress : fdb->p.size;
	uint32_t vni_max = fdb->p.vni_maxaddress[v];

	if (fdb->c.nb_learned >= global || fdb->c.nb_learned + fdb->c.nb_static >= fdb->p.size ||
			(vni_max != 0 && fdb->c.vni_learned[v] >= vni_max)) {
		fdb->c.refused++;
		return false;
	}
	return room_behind(fdb, att);
}

static bool
vni_ok(const struct vtep_fdb *fdb, unsigned int v)
{
	return v < VTEP_MAX_VNIS && (fdb->p.nb_vnis == 0 || v < fdb->p.nb_vnis);
}

/*
 * One more move of entry e at now (movedamp): counted in its window, or, when the window already
 * holds the VNI's MOVES, refused and the entry frozen where it is for the hold-down time. Every
 * move counts: remote<->remote, local<->remote and local<->local (a MAC that flaps between a
 * local port and a remote VTEP, or between two local ports, is a loop as much).
 * @return true when refused (frozen).
 */
static bool
move_damped(struct vtep_fdb *fdb, uint64_t key, struct vtep_fdb_entry *e, uint32_t now)
{
	const struct vtep_fdb_damp *d = &fdb->p.vni_damp[e->vni_idx];
	uint32_t *m;

	if (d->moves == 0 || fdb->damp == NULL)
		return false;
	m = &fdb->damp[e - fdb->entries];
	if (damp_moves(*m) == 0 || damp_age(damp_since(*m), now) >= d->window)
		*m = damp_word(now, 0);
	if (damp_moves(*m) < d->moves) {
		*m = damp_word(damp_since(*m), damp_moves(*m) + 1);
		return false;
	}
	/* One aligned store: the remote stays, readers see the flag with it. */
	set_word(e, e->dst_be, e->remote, e->flags | VTEP_FDB_FROZEN, e->vni_idx);
	*m = damp_word(now, 0);
	fdb->c.frozen++;
	fdb->c.nb_frozen++;
	notify(fdb, VTEP_FDB_EV_FROZEN, key, e);
	return true;
}

/* May VNI v learn once more now (its learnrate)? Bumps `rate_limited` when not. */
static bool
rate_ok(struct vtep_fdb *fdb, unsigned int v, uint32_t now)
{
	if (vtep_rate_take(&fdb->learn_rate[v], now, 1))
		return true;
	fdb->c.rate_limited++;
	return false;
}

/* Move an admitted learned entry to (dst_be, remote, flags): counted by where it was and where it
 * goes (per-attachment counts, remote slot references: one store of the word between them). */
static void
move(struct vtep_fdb *fdb, uint64_t key, struct vtep_fdb_entry *e, rte_be32_t dst_be,
		uint16_t remote, uint8_t flags, uint32_t now)
{
	bool was_local = e->flags & VTEP_FDB_LOCAL, local = flags & VTEP_FDB_LOCAL;

	count(fdb, e, -1);
	set_word(e, dst_be, remote, flags, e->vni_idx);
	count(fdb, e, 1);
	vtep_fdb_entry_touch(e, now);
	if (was_local && local)
		fdb->c.moved_local++;
	else if (local)
		fdb->c.moved_to_local++;
	else if (was_local)
		fdb->c.moved_to_remote++;
	else
		fdb->c.moved++;
	notify(fdb, VTEP_FDB_EV_MOVED, key, e);
}

int
vtep_fdb_learn_with(struct vtep_fdb *fdb, const struct vtep_learn_event *ev,
		vtep_fdb_remote_fn get_remote, void *arg, uint32_t now)
{
	unsigned int v = vtep_fdb_key_vni(ev->key);
	bool local = ev->flags & VTEP_LEARN_LOCAL;
	rte_be32_t dst_be = local ? fdb->p.local_be : ev->src_be;
	uint8_t flags = local ? VTEP_FDB_LOCAL : 0;
	int remote = local ? ev->att : 0; /* a local entry's attachment */
	struct vtep_fdb_entry *e;

	if (!vni_ok(fdb, v) || dst_be == 0 || (local && remote >= VTEP_STATS_ATTS))
		return -EINVAL;
	e = vtep_fdb_lookup(fdb, ev->key);
	if (e != NULL) {
		if (e->dst_be == dst_be && (e->flags & VTEP_FDB_LOCAL) == flags &&
				(!local || e->remote == remote)) {
			if (!(e->flags & VTEP_FDB_STATIC))
				vtep_fdb_entry_touch(e, now);
			fdb->c.refreshed++;
			return 1;
		}
		if (e->flags & VTEP_FDB_STATIC) {
			/* The kernel never migrates a static entry either (vxlan_snoop). */
			fdb->c.static_move++;
			return -EPERM;
		}
		if (e->flags & VTEP_FDB_FROZEN)
			return -EBUSY;
		if (local && (!(e->flags & VTEP_FDB_LOCAL) || e->remote != remote) &&
				!room_behind(fdb, remote))
			return -ENOSPC;
		if (!rate_ok(fdb, v, now))
			return -EAGAIN;
		if (move_damped(fdb, ev->key, e, now))
			return -EBUSY;
		if (!local) {
			remote = get_remote(arg, ev->src_be);
			if (remote < 0 || remote > UINT16_MAX)
				return -ENXIO;
		}
		move(fdb, ev->key, e, dst_be, (uint16_t)remote, flags, now);
		return 0;
	}
	if (!room_for_learned(fdb, v, local ? remote : VTEP_STATS_ATTS))
		return -ENOSPC;
	if (!rate_ok(fdb, v, now))
		return -EAGAIN;
	if (!local) {
		remote = get_remote(arg, ev->src_be);
		if (remote < 0 || remote > UINT16_MAX)
			return -ENXIO;
	}
	e = add(fdb, ev->key, dst_be, (uint16_t)remote, flags, now);
	if (e == NULL) {
		fdb->c.refused++;
		return -ENOMEM;
	}
	fdb->c.learned++;
	count(fdb, e, 1);
	notify(fdb, VTEP_FDB_EV_LEARNED, ev->key, e);
	return 0;
}

/* vtep_fdb_learn's remote: the one given (arg holds it). */
static int
given_remote(void *arg, rte_be32_t ip_be __rte_unused)
{
	return (int)(uintptr_t)arg;
}

int
vtep_fdb_learn(struct vtep_fdb *fdb, const struct vtep_learn_event *ev, uint16_t remote,
		uint32_t now)
{
	return vtep_fdb_learn_with(fdb, ev, given_remote, (void *)(uintptr_t)remote, now);
}

/* Add or replace a static entry with the given word. */
static int
add_static(struct vtep_fdb *fdb, uint64_t key, rte_be32_t dst_be, uint16_t remote, uint8_t flags)
{
	unsigned int v = vtep_fdb_key_vni(key);
	struct vtep_fdb_entry *e;

	if (!vni_ok(fdb, v) || dst_be == 0)
		return -EINVAL;
	e = vtep_fdb_lookup(fdb, key);
	if (e != NULL) {
		count(fdb, e, -1);
		set_word(e, dst_be, remote, flags, e->vni_idx);
		count(fdb, e, 1);
		notify(fdb, VTEP_FDB_EV_STATIC, key, e);
		return 0;
	}
	if (fdb->c.nb_learned + fdb->c.nb_static >= fdb->p.size ||
			(e = add(fdb, key, dst_be, remote, flags, vtep_fdb_now())) == NULL)
		return -ENOSPC;
	count(fdb, e, 1);
	notify(fdb, VTEP_FDB_EV_STATIC, key, e);
	return 0;
}

int
vtep_fdb_add_static(struct vtep_fdb *fdb, uint64_t key, rte_be32_t dst_be, uint16_t remote)
{
	return add_static(fdb, key, dst_be, remote, VTEP_FDB_STATIC);
}

int
vtep_fdb_add_static_local(struct vtep_fdb *fdb, uint64_t key, uint16_t att)
{
	if (att >= VTEP_STATS_ATTS)
		return -EINVAL;
	return add_static(fdb, key, fdb->p.local_be, att, VTEP_FDB_STATIC | VTEP_FDB_LOCAL);
}

static int
del_key(struct vtep_fdb *fdb, uint64_t key, enum vtep_fdb_change why)
{
	int32_t pos = rte_hash_lookup(fdb->h, &key);

	if (pos < 0)
		return -ENOENT;
	if (rte_hash_del_key(fdb->h, &key) < 0)
		return -ENOENT;
	/* After the delete (release): a worker that sees the new generation looks the key up
	 * afresh and no longer finds it; one that saw the old one drops its cached position at
	 * its next lookup. */
	__atomic_store_n(&fdb->gen, fdb->gen + 1 == 0 ? 1 : fdb->gen + 1, __ATOMIC_RELEASE);
	count(fdb, &fdb->entries[pos], -1);
	notify(fdb, why, key, &fdb->entries[pos]);
	/* With RCU the slot keeps its data for readers still holding it; reclaim_slot() clears
	 * it later. Without RCU the writer is alone, and LF mode leaves the freeing to us. */
	if (!fdb->rcu) {
		clear_slot(fdb, pos);
		rte_hash_free_key_with_position(fdb->h, pos);
	}
	return 0;
}

int
vtep_fdb_del(struct vtep_fdb *fdb, uint64_t key)
{
	return del_key(fdb, key, VTEP_FDB_EV_DELETED);
}

typedef bool (*sweep_match)(
		const struct vtep_fdb *fdb, const struct vtep_fdb_entry *e, const void *arg);

/* Collect up to max keys of learned entries that match, from the start of the table. */
static unsigned int
collect(const struct vtep_fdb *fdb, sweep_match match, const void *arg, uint64_t *keys,
		unsigned int max)
{
	unsigned int n = 0;
	const void *key;
	void *data;
	uint32_t iter = 0;
	int32_t pos;

	while (n < max && (pos = rte_hash_iterate(fdb->h, &key, &data, &iter)) >= 0) {
		const struct vtep_fdb_entry *e = &fdb->entries[pos];

		if (!(e->flags & VTEP_FDB_STATIC) && match(fdb, e, arg))
			keys[n++] = *(const uint64_t *)key;
	}
	return n;
}

/*
 * Delete learned entries that match. Collect first, then delete: a delete may move a key from the
 * end of an extendable-bucket chain into the freed place (rte_hash compaction), which an
 * rte_hash_iterate in progress would then skip. One pass with room for every learned entry; if
 * that allocation fails, batches on the stack, each starting the walk again.
 */
static unsigned int
sweep(struct vtep_fdb *fdb, sweep_match match, const void *arg, enum vtep_fdb_change why)
{
	unsigned int max = fdb->c.nb_learned, total = 0, n;
	uint64_t batch[256], *keys;

	if (max == 0)
		return 0;
	keys = malloc(sizeof(*keys) * max);
	if (keys == NULL) {
		keys = batch;
		max = RTE_DIM(batch);
	}
	do {
		n = collect(fdb, match, arg, keys, max);
		for (unsigned int i = 0; i < n; i++)
			total += del_key(fdb, keys[i], why) == 0;
	} while (keys == batch && n == max);
	if (keys != batch)
		free(keys);
	return total;
}

struct flush_arg {
	int vni_idx;
	rte_be32_t dst_be;
	int att; /* -1: any */
};

static bool
flush_match(const struct vtep_fdb *fdb __rte_unused, const struct vtep_fdb_entry *e,
		const void *arg)
{
	const struct flush_arg *f = arg;
	bool local = e->flags & VTEP_FDB_LOCAL;

	return (f->vni_idx < 0 || e->vni_idx == f->vni_idx) &&
			(f->dst_be == 0 || (!local && e->dst_be == f->dst_be)) &&
			(f->att < 0 || (local && e->remote == f->att));
}

unsigned int
vtep_fdb_flush(struct vtep_fdb *fdb, int vni_idx, rte_be32_t dst_be)
{
	struct flush_arg f = {vni_idx, dst_be, -1};

	return sweep(fdb, flush_match, &f, VTEP_FDB_EV_FLUSHED);
}

void
vtep_fdb_count_link_flush(struct vtep_fdb *fdb, unsigned int n)
{
	fdb->c.link_flushed += n;
}

unsigned int
vtep_fdb_flush_att(struct vtep_fdb *fdb, uint16_t att)
{
	struct flush_arg f = {-1, 0, att};

	return sweep(fdb, flush_match, &f, VTEP_FDB_EV_FLUSHED);
}

static bool
age_match(const struct vtep_fdb *fdb, const struct vtep_fdb_entry *e, const void *arg)
{
	uint32_t now = *(const uint32_t *)arg, ageing = fdb->p.vni_ageing[e->vni_idx];

	/* Unsigned difference: right across the 32-bit wrap of the seconds clock. */
	return ageing != 0 && now - __atomic_load_n(&e->seen, __ATOMIC_RELAXED) >= ageing;
}

/* Release the frozen entries whose hold-down time is over. */
static void
release_frozen(struct vtep_fdb *fdb, uint32_t now)
{
	const void *key;
	void *data;
	uint32_t iter = 0, seen = 0, nb = fdb->c.nb_frozen;
	int32_t pos;

	while (seen < nb && (pos = rte_hash_iterate(fdb->h, &key, &data, &iter)) >= 0) {
		struct vtep_fdb_entry *e = &fdb->entries[pos];

		if (!(e->flags & VTEP_FDB_FROZEN))
			continue;
		seen++;
		if (damp_age(damp_since(fdb->damp[pos]), now) < fdb->p.vni_damp[e->vni_idx].hold)
			continue;
		set_word(e, e->dst_be, e->remote, e->flags & ~VTEP_FDB_FROZEN, e->vni_idx);
		fdb->damp[pos] = 0;
		fdb->c.nb_frozen--;
		fdb->c.unfrozen++;
		notify(fdb, VTEP_FDB_EV_UNFROZEN, *(const uint64_t *)key, e);
	}
}

unsigned int
vtep_fdb_age(struct vtep_fdb *fdb, uint32_t now)
{
	unsigned int n = sweep(fdb, age_match, &now, VTEP_FDB_EV_AGED);

	if (fdb->c.nb_frozen > 0 && fdb->damp != NULL)
		release_frozen(fdb, now);

	fdb->c.aged += n;
	return n;
}

void
vtep_fdb_set_ageing(struct vtep_fdb *fdb, unsigned int vni_idx, uint32_t ageing)
{
	if (vni_idx < VTEP_MAX_VNIS)
		fdb->p.vni_ageing[vni_idx] = ageing;
}

uint32_t
vtep_fdb_ageing(const struct vtep_fdb *fdb, unsigned int vni_idx)
{
	return vni_idx < VTEP_MAX_VNIS ? fdb->p.vni_ageing[vni_idx] : 0;
}

const struct vtep_fdb_counters *
vtep_fdb_counters(const struct vtep_fdb *fdb)
{
	return &fdb->c;
}

uint32_t
vtep_fdb_remote_refs(const struct vtep_fdb *fdb, unsigned int idx)
{
	return fdb->refs != NULL && idx < fdb->p.nb_remotes ? fdb->refs[idx] : 0;
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
