/* SPDX-License-Identifier: BSD-3-Clause */
/* What vtep_etcd.c (unary calls) and vtep_etcd_watch.c (the watch) share. */
#ifndef VTEP_ETCD_INT_H
#define VTEP_ETCD_INT_H

#include <curl/curl.h>
#include <json-c/json.h>

#include "vtep_etcd.h"

#define MAX_ENDPOINTS 8
#define ERR_SIZE 512
/* An answer larger than this is not one etcd sends to a flannel node. */
#define BODY_MAX (64u << 20)

/* A growing byte buffer. */
struct buf {
	char *data;
	size_t len, size;
};

struct vtep_etcd {
	char *urls[MAX_ENDPOINTS];
	unsigned int nb_urls, cur;
	struct vtep_etcd_conf conf;
	CURL *easy;      /* unary calls, kept for connection reuse */
	struct buf body; /* unary answer */
	char curl_err[CURL_ERROR_SIZE];
	char err[ERR_SIZE];
	/* the watch */
	CURLM *multi;
	CURL *weasy;
	struct buf wbuf; /* stream bytes not yet a whole line */
	char *wreq;      /* the create request's body (curl keeps a pointer) */
	enum vtep_etcd_watch_state wstate;
	int64_t wrev;
	vtep_etcd_event_cb cb; /* set for the duration of a wait */
	void *cb_arg;
	int wfeed_rc;
};

/** Set e->err (printf-style). @return rc. */
int etcd_fail(struct vtep_etcd *e, int rc, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
/** Append len bytes to b (NUL-terminated). @return 0 or -ENOMEM. */
int etcd_buf_add(struct buf *b, const char *data, size_t len);
/** A 64-bit member (a number or a number in a string); 0 when absent. */
int64_t etcd_jint(struct json_object *o, const char *name);
/** A kv object of etcd's JSON into kv (value only when want_value). @return 0 or -EPROTO. */
int etcd_kv_from_json(struct json_object *o, struct vtep_etcd_kv *kv, bool want_value);
/** Member name = base64 of s. */
void etcd_add_b64(struct json_object *o, const char *name, const char *s);
/** Member name = v as a decimal string (etcd's 64-bit numbers). */
void etcd_add_i64(struct json_object *o, const char *name, int64_t v);
/** The options every request has: URL, timeouts, keepalive, TLS files. */
void etcd_setup_easy(struct vtep_etcd *e, CURL *c, const char *url);
/** curl's verdict on a transfer as -errno, the words in e->err. */
int etcd_curl_fail(struct vtep_etcd *e, CURLcode cc, const char *url);

#endif /* VTEP_ETCD_INT_H */
