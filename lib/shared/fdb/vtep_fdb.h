/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding database: (VNI, inner MAC) -> remote VTEP, like the kernel vxlan device's FDB.
 *
 * One rte_hash with lock-free readers (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF) and exactly one
 * writer, the control lcore. Workers never write the hash: they post struct vtep_learn_event on
 * their own SP/SC ring when an entry is missing or has moved, and the control lcore applies them.
 * Deleted key slots are reclaimed through the hash's RCU QSBR integration; workers report a
 * quiescent state once per loop.
 *
 * Entry data lives in an array indexed by the hash's key position, so a lookup is one bulk hash
 * call plus an array index. The only field workers write is `seen` (coarse seconds), and only when
 * it changes, so a busy flow does not bounce a cache line per packet (VPP l2_learn.c does the
 * same).
 */
#ifndef VTEP_FDB_H
#define VTEP_FDB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_rcu_qsbr.h>

#include "vtep_hdr.h"
#include "vtep_stats.h"

/** Entry flag: configured, never aged, never moved by learning (`bridge fdb add ... static`). */
#define VTEP_FDB_STATIC 0x01u
/**
 * Entry flag: a learned MAC that moved too often (`movedamp`), held where it is (a remote VTEP or,
 * with VTEP_FDB_LOCAL, an attachment) until its hold-down time is over: learning does not move
 * it, and decap drops frames that claim it from another remote (rx_mac_frozen) as it does for a
 * static MAC.
 */
#define VTEP_FDB_FROZEN 0x02u
/**
 * Entry flag: the MAC is behind a local attachment (a bridge port), not a remote VTEP: `remote`
 * is the attachment's index (struct vtep_bd) and dst_be the local VTEP address, so that a frame
 * from the tunnel with that source MAC is a move (its outer source is never the local address).
 */
#define VTEP_FDB_LOCAL 0x04u

/**
 * Data of one FDB entry (16 bytes, 8-byte aligned).
 *
 * dst_be, remote, flags and vni_idx share one aligned 64-bit word that the writer stores at once
 * (x86-64 and arm64 make an aligned 8-byte store single-copy atomic), so a reader never pairs the
 * old address with the new remote while an entry moves. A reader that needs two of those fields
 * together reads them through vtep_fdb_entry_read(); one field alone can be read directly.
 * dst_be is never 0 in an entry a lookup returns: 0 marks a slot the writer is still filling.
 */
struct vtep_fdb_entry {
	union {
		struct {
			rte_be32_t dst_be; /**< Remote VTEP address. */
			uint16_t remote;   /**< Remote VTEP slot; with VTEP_FDB_LOCAL an attachment.
					    */
			uint8_t flags;     /**< VTEP_FDB_*. */
			uint8_t vni_idx;   /**< Index of the VNI in the configuration. */
		};
		uint64_t word; /**< The four fields above as the one word the writer stores. */
	};
	uint32_t seen; /**< Last time (vtep_fdb_now seconds) a frame came from this MAC. */
	/** The key's hash signature, written before the entry is published: a worker's cached
	 * position is used only while it still holds this key (the slot may have been reclaimed
	 * and reused for another key since the position was cached). */
	uint32_t tag;
};

/**
 * Copy an entry with dst_be, remote, flags and vni_idx from one atomic load, so that they belong
 * together even while the writer moves the entry (readers' side).
 */
static inline struct vtep_fdb_entry
vtep_fdb_entry_read(const struct vtep_fdb_entry *e)
{
	struct vtep_fdb_entry c;

	c.word = __atomic_load_n(&e->word, __ATOMIC_RELAXED);
	c.seen = __atomic_load_n(&e->seen, __ATOMIC_RELAXED);
	return c;
}

/**
 * Stamp an entry as seen now (readers' side). The store happens only when the second changed, so
 * a busy flow does not bounce the entry's cache line between lcores (VPP l2_learn.c does the same).
 */
static inline void
vtep_fdb_entry_touch(struct vtep_fdb_entry *e, uint32_t now)
{
	if (__atomic_load_n(&e->seen, __ATOMIC_RELAXED) != now)
		__atomic_store_n(&e->seen, now, __ATOMIC_RELAXED);
}

struct rte_mbuf;

/**
 * What a worker tells the control lcore when it sees a new or moved source MAC.
 *
 * The worker holds the decapsulated frame that produced the event until the control lcore has
 * applied it (lib/dp/fwd/vtep_hold.h). The kernel learns in its receive path before it delivers a
 * frame, so the answer to a first ARP request goes back unicast; doing the same here means the
 * host behind the inner port cannot answer before the FDB knows where the asker is (the answer
 * would otherwise be flooded).
 */
struct vtep_learn_event {
	uint64_t key;                  /**< vtep_fdb_key(vni_idx, inner source MAC). */
	rte_be32_t src_be;             /**< Outer source address of the frame (0 if local). */
	struct rte_ether_addr src_mac; /**< Outer source MAC: the sender's MAC if it is on-link. */
	uint16_t flags;                /**< VTEP_LEARN_*. */
	uint16_t att;                  /**< VTEP_LEARN_LOCAL: the attachment it came in on. */
};

/**
 * Learn event flag: the MAC was seen on a local attachment (att), not from a remote VTEP. No
 * frame waits for such an event: local frames are forwarded at once.
 */
#define VTEP_LEARN_LOCAL 0x2u

/**
 * MAC-move dampening of a VNI (`movedamp MOVES SECONDS HOLD`): a learned MAC that would move a
 * (MOVES+1)th time within SECONDS of its first counted move is frozen where it is (a remote VTEP
 * or a local attachment) for HOLD seconds, then released. moves 0: off.
 */
struct vtep_fdb_damp {
	uint32_t moves;  /**< Moves allowed in the window, 0 = no dampening (at most 1000). */
	uint32_t window; /**< Seconds of the window, from its first move. */
	uint32_t hold;   /**< Seconds a frozen MAC stays frozen. */
};

/** Most moves a dampening window counts (the move count has 10 bits). */
#define VTEP_FDB_DAMP_MAX_MOVES 1000

/** Creation parameters. */
struct vtep_fdb_params {
	const char *name;                         /**< Unique name for the hash. */
	uint32_t size;                            /**< Capacity in entries. */
	int socket;                               /**< NUMA socket for the tables. */
	uint32_t maxaddress;                      /**< Global limit on learned entries, 0 = size. */
	unsigned int nb_vnis;                     /**< VNIs configured. */
	uint32_t vni_maxaddress[VTEP_MAX_VNIS];   /**< Per-VNI learned limit, 0 = none. */
	uint32_t vni_ageing[VTEP_MAX_VNIS];       /**< Per-VNI ageing seconds, 0 = never. */
	rte_be32_t local_be;                      /**< The local VTEP address (local entries). */
	uint32_t att_maxaddress[VTEP_STATS_ATTS]; /**< Per-attachment learned limit, 0 = none. */
	/** Per-VNI learn rate (`learnrate`): new entries and moves a second, local or remote,
	 * 0 = unlimited. */
	uint32_t vni_learn_rate[VTEP_MAX_VNIS];
	/** Per-VNI learn burst: learns at once, 0 = the rate. */
	uint32_t vni_learn_burst[VTEP_MAX_VNIS];
	struct vtep_fdb_damp vni_damp[VTEP_MAX_VNIS]; /**< Per-VNI MAC-move dampening. */
	struct rte_rcu_qsbr *qsbr; /**< Readers' QSBR variable (NULL: no readers but the writer). */
	/** Remote slots whose entries are counted (vtep_fdb_remote_refs), 0 = none. */
	uint32_t nb_remotes;
};

struct vtep_fdb;

/** The hash key of (VNI index, MAC): VNI index in the top 16 bits, the MAC in the low 48. */
static inline uint64_t
vtep_fdb_key(unsigned int vni_idx, const struct rte_ether_addr *mac)
{
	const uint8_t *b = mac->addr_bytes;

	return (uint64_t)vni_idx << 48 | (uint64_t)b[0] << 40 | (uint64_t)b[1] << 32 |
			(uint64_t)b[2] << 24 | (uint64_t)b[3] << 16 | (uint64_t)b[4] << 8 | b[5];
}

/**
 * vtep_fdb_key() of an Ethernet header's destination (src false) or source (src true) MAC, from
 * one 8-byte load: the 8 bytes at either MAC lie inside the 14-byte header.
 */
static inline uint64_t
vtep_fdb_key_eth(unsigned int vni_idx, const struct rte_ether_hdr *eth, bool src)
{
	uint64_t w;

	memcpy(&w, src ? (const void *)&eth->src_addr : (const void *)&eth->dst_addr, sizeof(w));
	return (uint64_t)vni_idx << 48 | vtep_be_to_cpu_64(w) >> 16;
}

/** The VNI index of a key. */
static inline unsigned int
vtep_fdb_key_vni(uint64_t key)
{
	return key >> 48;
}

/** The MAC of a key. */
static inline void
vtep_fdb_key_mac(uint64_t key, struct rte_ether_addr *mac)
{
	for (int i = 0; i < 6; i++)
		mac->addr_bytes[i] = key >> (40 - 8 * i);
}

/** Coarse clock for `seen` and ageing: seconds since an arbitrary start, from the TSC. */
uint32_t vtep_fdb_now(void);

/**
 * Create an FDB. @return the FDB, or NULL with rte_errno set.
 */
struct vtep_fdb *vtep_fdb_create(const struct vtep_fdb_params *p);

/** Free an FDB (NULL is fine). */
void vtep_fdb_free(struct vtep_fdb *fdb);

/**
 * Look up n keys (n <= RTE_HASH_LOOKUP_BULK_MAX), readers' side, lock free. An entry stays valid
 * until the calling thread next reports a quiescent state on the FDB's QSBR variable.
 * @param entries Out: the entry of each key, or NULL on a miss.
 * @return bit mask of hits (0 with every entry NULL if n is 0 or above the maximum).
 */
uint64_t vtep_fdb_lookup_bulk(const struct vtep_fdb *fdb, const uint64_t *keys, unsigned int n,
		struct vtep_fdb_entry **entries);

/** Slots of a struct vtep_fdb_cache (a power of two): 8192 x 16 bytes = 128 KiB per lcore. */
#define VTEP_FDB_CACHE_SIZE 8192

/**
 * A worker's exact-match cache in front of the FDB's hash (the EMC that Open vSwitch's
 * dpif-netdev keeps per PMD thread in front of its classifier): direct-mapped key -> entry
 * position, filled by the lookups that went to the hash. A slot is valid only in the FDB
 * generation it was filled in; the writer starts a new generation after every delete, so a
 * cached position never outlives its key. Moves need no new generation: they rewrite the entry in
 * place, and a hit reads the entry itself. Misses are not cached. One per lcore, written only by
 * it; zeroed memory is an empty cache.
 */
struct vtep_fdb_cache {
	/** Direct-mapped by the key's hash signature. */
	struct {
		uint64_t key; /**< The key. */
		uint32_t pos; /**< Its entry position. */
		uint32_t gen; /**< FDB generation of the fill; 0 = empty (generations start at 1).
			       */
	} slots[VTEP_FDB_CACHE_SIZE];
};

/** The key's hash signature: the FDB's hash function, the tag of its entry. */
static inline uint32_t
vtep_fdb_key_sig(uint64_t key)
{
	return vtep_crc32c_8byte(key, 0);
}

/** The entry array, indexed by key position (vtep_fdb_cache_probe). */
struct vtep_fdb_entry *vtep_fdb_entries(const struct vtep_fdb *fdb);

/**
 * The FDB's current generation (acquire), read once per burst for vtep_fdb_cache_probe(): a key
 * deleted before the read cannot be found afterwards.
 */
uint32_t vtep_fdb_gen(const struct vtep_fdb *fdb);

/**
 * A worker's cache alone, without the hash: key's entry when the slot of sig holds key in
 * generation gen and the entry still carries the key's tag (its slot was not reclaimed and reused
 * since it was cached); else NULL, and the caller looks the key up in the hash. The entry's word
 * (dst_be, remote, flags, vni_idx together) is read once, with acquire, into *c.
 */
static inline struct vtep_fdb_entry *
vtep_fdb_cache_probe(const struct vtep_fdb_cache *cache, struct vtep_fdb_entry *entries,
		uint32_t gen, uint64_t key, uint32_t sig, struct vtep_fdb_entry *c)
{
	unsigned int s = sig & (VTEP_FDB_CACHE_SIZE - 1);
	struct vtep_fdb_entry *e;

	if (cache->slots[s].key != key || cache->slots[s].gen != gen)
		return NULL;
	e = &entries[cache->slots[s].pos];
	/* dst_be 0: the writer is still filling the slot. The tag is read after the acquire of
	 * the word, and written before it is published. */
	c->word = __atomic_load_n(&e->word, __ATOMIC_ACQUIRE);
	if (c->dst_be == 0 || __atomic_load_n(&e->tag, __ATOMIC_RELAXED) != sig)
		return NULL;
	return e;
}

/**
 * vtep_fdb_lookup_bulk() through a worker's cache: the keys it holds (same generation) skip the
 * hash; the others are looked up in one bulk call and cached. Same results and validity as
 * vtep_fdb_lookup_bulk(); with cache NULL it is vtep_fdb_lookup_bulk().
 */
uint64_t vtep_fdb_lookup_bulk_cached(const struct vtep_fdb *fdb, struct vtep_fdb_cache *cache,
		const uint64_t *keys, unsigned int n, struct vtep_fdb_entry **entries);

/** Look up one key; @return the entry or NULL. */
struct vtep_fdb_entry *vtep_fdb_lookup(const struct vtep_fdb *fdb, uint64_t key);

/**
 * Where the remote slot of a learn comes from (vtep_fdb_learn_with): called only once the learn
 * is admitted, so that a refused learn costs no remote slot, neighbor entry or ARP request.
 * @return the slot (> 0), or a negative errno when there is none.
 */
typedef int (*vtep_fdb_remote_fn)(void *arg, rte_be32_t ip_be);

/**
 * Apply a learn event (writer only): add, or move a learned entry to a new remote or attachment;
 * refresh `seen`. A static entry is never changed. A new entry is refused, in this order, by the
 * limits (global, per VNI, per attachment for a local one, the table's size: -ENOSPC) and the
 * VNI's learn rate (-EAGAIN, counted in `rate_limited`); a move by a static entry (-EPERM), a
 * frozen MAC (-EBUSY), a full attachment it would move onto (-ENOSPC), the learn rate (-EAGAIN)
 * and the VNI's dampening (-EBUSY: the MAC is frozen now, counted in `frozen`, notified as
 * VTEP_FDB_EV_FROZEN). Only then is the remote slot asked for. Local events (VTEP_LEARN_LOCAL)
 * pass the same admission (the one learn rate of the VNI; dampening of local<->local and
 * local<->remote moves) but name their attachment: get_remote is not called for them (it may be
 * NULL when only local events come), and a local entry is never counted as a reference of a
 * remote slot.
 * @param now vtep_fdb_now() seconds: `seen`, and the clock of the learn rate.
 * @return 0 learned or moved, 1 nothing to do (already there), -EPERM, -ENOSPC, -EAGAIN, -EBUSY,
 *         -ENXIO get_remote found no slot, -ENOMEM the hash had no room, -EINVAL a VNI index
 *         out of range or a zero address.
 */
int vtep_fdb_learn_with(struct vtep_fdb *fdb, const struct vtep_learn_event *ev,
		vtep_fdb_remote_fn get_remote, void *arg, uint32_t now);

/**
 * vtep_fdb_learn_with() with a remote slot known beforehand.
 * @param remote Index of the remote VTEP for ev->src_be (ignored for VTEP_LEARN_LOCAL events).
 */
int vtep_fdb_learn(struct vtep_fdb *fdb, const struct vtep_learn_event *ev, uint16_t remote,
		uint32_t now);

/**
 * Add or replace a static entry (writer only). Replaces a learned entry for the same key.
 * @return 0, -ENOSPC, or -EINVAL (VNI index out of range, zero address).
 */
int vtep_fdb_add_static(struct vtep_fdb *fdb, uint64_t key, rte_be32_t dst_be, uint16_t remote);

/**
 * Add or replace a static local entry: key is behind attachment att (writer only).
 * @return 0, -ENOSPC, or -EINVAL (VNI index out of range, no local address).
 */
int vtep_fdb_add_static_local(struct vtep_fdb *fdb, uint64_t key, uint16_t att);

/** Delete the learned entries behind attachment att (writer only). @return how many. */
unsigned int vtep_fdb_flush_att(struct vtep_fdb *fdb, uint16_t att);

/** Count n learned entries deleted because their attachment's link went down (writer only). */
void vtep_fdb_count_link_flush(struct vtep_fdb *fdb, unsigned int n);

/** Delete an entry (writer only). @return 0, or -ENOENT. */
int vtep_fdb_del(struct vtep_fdb *fdb, uint64_t key);

/**
 * Delete learned entries (writer only), optionally only of one VNI index (-1: all) and one
 * remote address (0: all; a given address never matches local entries). @return how many were
 * deleted.
 */
unsigned int vtep_fdb_flush(struct vtep_fdb *fdb, int vni_idx, rte_be32_t dst_be);

/**
 * Age out learned entries not seen for their VNI's ageing time, and release frozen MACs whose
 * hold-down time is over (VTEP_FDB_EV_UNFROZEN) (writer only).
 * @return how many were deleted.
 */
unsigned int vtep_fdb_age(struct vtep_fdb *fdb, uint32_t now);

/** Set learning ageing of a VNI at run time (writer only). */
void vtep_fdb_set_ageing(struct vtep_fdb *fdb, unsigned int vni_idx, uint32_t ageing);

/** Ageing of a VNI now, in seconds (0 = never). */
uint32_t vtep_fdb_ageing(const struct vtep_fdb *fdb, unsigned int vni_idx);

/** What changed in the FDB, for the writer's notifier (`bridge monitor fdb`). */
enum vtep_fdb_change {
	VTEP_FDB_EV_LEARNED,  /**< A new learned entry. */
	VTEP_FDB_EV_MOVED,    /**< A learned entry moved (to another remote or attachment). */
	VTEP_FDB_EV_STATIC,   /**< A static entry added or replaced. */
	VTEP_FDB_EV_DELETED,  /**< An entry deleted (vtep_fdb_del). */
	VTEP_FDB_EV_FLUSHED,  /**< A learned entry deleted by vtep_fdb_flush. */
	VTEP_FDB_EV_AGED,     /**< A learned entry aged out. */
	VTEP_FDB_EV_FROZEN,   /**< A learned MAC moved too often: held at its remote (movedamp). */
	VTEP_FDB_EV_UNFROZEN, /**< A frozen MAC's hold-down time is over: it learns again. */
};

/**
 * Called by the writer after each change, on the writer's thread.
 * @param dst_be The entry's remote VTEP (after the change; before it for deletions).
 * @param remote Its remote slot, or with VTEP_FDB_LOCAL its attachment.
 * @param flags  The entry's VTEP_FDB_* flags.
 */
typedef void (*vtep_fdb_notify_fn)(void *arg, enum vtep_fdb_change what, uint64_t key,
		rte_be32_t dst_be, uint16_t remote, uint8_t flags);

/** Set (or with NULL clear) the writer's notifier (writer only). */
void vtep_fdb_set_notify(struct vtep_fdb *fdb, vtep_fdb_notify_fn fn, void *arg);

/** The FDB's event counters (fdb.NAME in the report and /vtep/stats). */
#define VTEP_FDB_COUNTERS(X)                                                                       \
	X(learned, "new learned entries")                                                          \
	X(moved, "learned entries moved to another remote")                                        \
	X(aged, "entries aged out")                                                                \
	X(refused, "learns refused by a limit or a full table")                                    \
	X(rate_limited, "learns refused by the VNI's learnrate")                                   \
	X(frozen, "learned MACs frozen for moving too often (movedamp)")                           \
	X(unfrozen, "frozen MACs released after their hold-down time")                             \
	X(static_move, "learn events for a static MAC from another remote, ignored")               \
	X(refreshed,                                                                               \
			"learn events for an entry already at that remote (posted again before "   \
			"the first was applied): its age refreshed")                               \
	X(moved_local, "learned entries moved from one local attachment to another")               \
	X(moved_to_local, "learned entries moved from a remote VTEP to a local attachment")        \
	X(moved_to_remote, "learned entries moved from a local attachment to a remote VTEP")       \
	X(link_flushed, "learned entries deleted because their attachment's link went down")

/** What the FDB counts; its single writer updates it, anyone may read it (a pass late). */
struct vtep_fdb_counters {
	VTEP_FDB_COUNTERS(VTEP_COUNTER_MEMBER) /* events */
	uint32_t nb_learned;                   /**< Learned entries now. */
	uint32_t nb_static;                    /**< Static entries now. */
	uint32_t nb_frozen;                    /**< Frozen entries now. */
	uint32_t vni_learned[VTEP_MAX_VNIS];   /**< Learned entries now, per VNI. */
	uint32_t att_learned[VTEP_STATS_ATTS]; /**< Learned local entries now, per attachment. */
};

/** The FDB's counters. */
const struct vtep_fdb_counters *vtep_fdb_counters(const struct vtep_fdb *fdb);

/**
 * Entries (learned and static) that name remote slot idx now: kept by the writer as entries are
 * added, moved, replaced and deleted, so that the control lcore knows when a learned remote VTEP
 * is no longer used (writer only). Local entries (VTEP_FDB_LOCAL) name an attachment, not a
 * slot, and are never counted. 0 for a slot at or above params.nb_remotes.
 */
uint32_t vtep_fdb_remote_refs(const struct vtep_fdb *fdb, unsigned int idx);

/**
 * Walk every entry (writer only, or while no writer runs).
 * @param cb Called per entry; a non-zero return stops the walk.
 */
int vtep_fdb_walk(const struct vtep_fdb *fdb,
		int (*cb)(uint64_t key, const struct vtep_fdb_entry *e, void *arg), void *arg);

/**
 * Bytes the FDB's tables take, for the benchmark's bytes-per-entry figure: the DPDK heap bytes
 * (all sockets, element headers included) that vtep_fdb_create() allocated, measured around it.
 */
size_t vtep_fdb_memory(const struct vtep_fdb *fdb);

#endif /* VTEP_FDB_H */
