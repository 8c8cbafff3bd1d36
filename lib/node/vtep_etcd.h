/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An etcd v3 client over etcd's JSON gateway (`POST /v3/kv/range` ...; keys and values base64,
 * 64-bit numbers as strings; etcd 3.4 serves it on every client URL), with libcurl and json-c.
 *
 * Unary calls (range, put, create-if-absent, delete, lease grant/revoke, status) block for at most
 * the configured timeout and try the next endpoint when one cannot be reached. The watch is a
 * streaming request run by a curl multi handle: the caller waits for it in its own event loop
 * (vtep_etcd_watch_wait) next to its other file descriptors, so nothing here owns a thread.
 *
 * Every call returns 0 or a negative errno: -ECONNREFUSED (no endpoint answered, or TLS failed:
 * vtep_etcd_error says which), -ETIMEDOUT, -EEXIST (create: the key exists), -ENOENT, -EPROTO
 * (an answer that is not etcd's), -EIO (etcd's own error, in vtep_etcd_error), -ENOMEM.
 */
#ifndef VTEP_ETCD_H
#define VTEP_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>

struct vtep_etcd;

/** How to reach etcd (flannel's --etcd-* options). */
struct vtep_etcd_conf {
	const char *endpoints; /**< Comma-separated URLs, http:// or https://. */
	const char *cafile;    /**< --etcd-cafile: CA to check the server with, or NULL. */
	const char *certfile;  /**< --etcd-certfile: client certificate, or NULL. */
	const char *keyfile;   /**< --etcd-keyfile: its key, or NULL. */
	long timeout_ms;       /**< Per unary call (connect included). */
};

/** One key-value pair. */
struct vtep_etcd_kv {
	char *key;               /**< Decoded key, NUL-terminated. */
	char *value;             /**< Decoded value, NUL-terminated (NULL for a DELETE event). */
	size_t value_len;        /**< Its length. */
	int64_t create_revision; /**< Revision that created the key. */
	int64_t mod_revision;    /**< Revision of the last change. */
	int64_t lease;           /**< Lease the key is attached to, 0 = none. */
};

/** A read: the pairs and the store's revision at the read. */
struct vtep_etcd_kvs {
	struct vtep_etcd_kv *kvs; /**< The pairs, in key order. */
	size_t len;               /**< How many. */
	int64_t revision;         /**< Header revision: watch from revision + 1. */
};

/** A watch event. */
struct vtep_etcd_event {
	bool deleted;           /**< DELETE (else PUT). */
	struct vtep_etcd_kv kv; /**< The pair after the change (key only for a DELETE). */
};

/**
 * What a watch wait gave: events through the callback, and possibly the end of the watch
 * (the connection closed or failed, or etcd cancelled it, e.g. compacted).
 */
enum vtep_etcd_watch_state {
	VTEP_ETCD_WATCH_IDLE,     /**< no watch */
	VTEP_ETCD_WATCH_STARTING, /**< request sent, etcd has not confirmed it yet */
	VTEP_ETCD_WATCH_RUNNING,  /**< etcd confirmed it ("created") */
	VTEP_ETCD_WATCH_ENDED, /**< over: vtep_etcd_error says why; start a new one after a read */
};

/** Called for each watch event, in order; @return 0, or non-zero to stop the wait. */
typedef int (*vtep_etcd_event_cb)(void *arg, const struct vtep_etcd_event *ev);

/** A client; NULL with err set for bad endpoints or no memory. */
struct vtep_etcd *vtep_etcd_create(const struct vtep_etcd_conf *conf, char *err, size_t err_size);
/** Close and free (a running watch too). */
void vtep_etcd_destroy(struct vtep_etcd *e);
/** The last failure in words ("connect to http://...: Connection refused", etcd's message). */
const char *vtep_etcd_error(const struct vtep_etcd *e);
/** The endpoint used last. */
const char *vtep_etcd_endpoint(const struct vtep_etcd *e);

/** Read key, or every key under it with prefix. Free with vtep_etcd_kvs_free. */
int vtep_etcd_get(struct vtep_etcd *e, const char *key, bool prefix, struct vtep_etcd_kvs *out);
/** Free a read. */
void vtep_etcd_kvs_free(struct vtep_etcd_kvs *kvs);
/** Put key = value, attached to lease (0: none). */
int vtep_etcd_put(struct vtep_etcd *e, const char *key, const char *value, int64_t lease);
/**
 * Put key = value on lease in one transaction, only if the key does not exist (expect NULL:
 * compare create_revision = 0, flannel's createSubnet) or holds exactly expect (compare value).
 * @return 0; -EEXIST when the key exists (with another value than expect); -ENOENT when expect
 * was given and the key is gone. The present pair goes to *cur (free with vtep_etcd_kv_free) when
 * cur is not NULL and the key exists.
 */
int vtep_etcd_put_if(struct vtep_etcd *e, const char *key, const char *value, int64_t lease,
		const char *expect, struct vtep_etcd_kv *cur);
/** Free the strings of one pair. */
void vtep_etcd_kv_free(struct vtep_etcd_kv *kv);
/** Delete key. @return 0 (deleted or absent). */
int vtep_etcd_delete(struct vtep_etcd *e, const char *key);
/** Grant a lease of ttl seconds; its id in *id. */
int vtep_etcd_lease_grant(struct vtep_etcd *e, int64_t ttl, int64_t *id);
/** Revoke a lease (its keys are deleted). -ENOENT: no such lease. */
int vtep_etcd_lease_revoke(struct vtep_etcd *e, int64_t id);
/** Ask the endpoint for its status: a cheap "are you there". */
int vtep_etcd_status(struct vtep_etcd *e);

/** Start watching every key under prefix from revision rev (etcd replays from there). */
int vtep_etcd_watch_start(struct vtep_etcd *e, const char *prefix, int64_t rev);
/** Stop the watch (no-op without one). */
void vtep_etcd_watch_stop(struct vtep_etcd *e);
/** The watch's state. */
enum vtep_etcd_watch_state vtep_etcd_watch_state(const struct vtep_etcd *e);
/** The revision of the last watch response (events or progress). */
int64_t vtep_etcd_watch_revision(const struct vtep_etcd *e);

/**
 * Wait up to timeout_ms for watch data or one of the caller's fds (pollfd array, revents set on
 * return), and hand each complete event to cb. Without a running watch it only polls the fds.
 * @return 0, or a negative errno of the poll itself.
 */
int vtep_etcd_watch_wait(struct vtep_etcd *e, struct pollfd *fds, unsigned int nb_fds,
		int timeout_ms, vtep_etcd_event_cb cb, void *arg);

/* ---- pieces without I/O, for tests -------------------------------------------------------- */

/** Base64 of len bytes into out (size >= 4 * ((len + 2) / 3) + 1). @return its length. */
size_t vtep_etcd_b64_encode(const void *data, size_t len, char *out);
/** Decode base64 into out (size >= 3 * len / 4 + 1, NUL-terminated). @return length, or -1. */
long vtep_etcd_b64_decode(const char *in, size_t len, char *out);
/** The key just after every key that starts with prefix (a range_end), into out. */
void vtep_etcd_prefix_end(const char *prefix, char *out, size_t size);

/**
 * Feed watch stream bytes (newline-delimited JSON results, in any pieces): events go to cb.
 * Sets the state to RUNNING on "created" and to ENDED on "canceled" (the reason is in
 * vtep_etcd_error). @return 0, or -EPROTO for a line that is not a watch response.
 */
int vtep_etcd_watch_feed(struct vtep_etcd *e, const char *data, size_t len, vtep_etcd_event_cb cb,
		void *arg);

#endif /* VTEP_ETCD_H */
