/* SPDX-License-Identifier: BSD-3-Clause */
/* etcd v3 over its JSON gateway with libcurl and json-c (vtep_etcd.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtep_etcd_int.h"

int
etcd_fail(struct vtep_etcd *e, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->err, sizeof(e->err), fmt, ap);
	va_end(ap);
	return rc;
}

int
etcd_buf_add(struct buf *b, const char *data, size_t len)
{
	if (b->len + len + 1 > b->size) {
		size_t size = b->size == 0 ? 4096 : b->size;
		char *n;

		while (size < b->len + len + 1)
			size *= 2;
		if (size > BODY_MAX)
			return -ENOMEM;
		n = realloc(b->data, size);
		if (n == NULL)
			return -ENOMEM;
		b->data = n;
		b->size = size;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

/* ---- base64 (RFC 4648 section 4) ---------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
vtep_etcd_b64_encode(const void *data, size_t len, char *out)
{
	const unsigned char *p = data;
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

static int
b64_val(char c)
{
	const char *p = c != '\0' ? strchr(b64, c) : NULL;

	return p == NULL ? -1 : (int)(p - b64);
}

long
vtep_etcd_b64_decode(const char *in, size_t len, char *out)
{
	size_t o = 0;

	if (len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int a = b64_val(in[i]), b = b64_val(in[i + 1]), c, d;
		bool last = i + 4 == len;

		c = last && in[i + 2] == '=' ? 0 : b64_val(in[i + 2]);
		d = last && in[i + 3] == '=' ? 0 : b64_val(in[i + 3]);
		if (a < 0 || b < 0 || c < 0 || d < 0 || (in[i + 2] == '=' && in[i + 3] != '='))
			return -1;
		out[o++] = (char)(a << 2 | b >> 4);
		if (!last || in[i + 2] != '=')
			out[o++] = (char)((b & 15) << 4 | c >> 2);
		if (!last || in[i + 3] != '=')
			out[o++] = (char)((c & 3) << 6 | d);
	}
	out[o] = '\0';
	return (long)o;
}

void
vtep_etcd_prefix_end(const char *prefix, char *out, size_t size)
{
	size_t len = strlen(prefix);

	/* The range end of a prefix: its last byte below 0xff plus one (etcd's GetPrefixRangeEnd).
	 */
	snprintf(out, size, "%s", prefix);
	while (len > 0 && (unsigned char)out[len - 1] == 0xff)
		out[--len] = '\0';
	if (len > 0)
		out[len - 1] = (char)(out[len - 1] + 1);
}

/* ---- JSON pieces --------------------------------------------------------------------------- */

int64_t
etcd_jint(struct json_object *o, const char *name)
{
	struct json_object *v;

	/* json-c reads a number held in a string ("revision":"42") as well. */
	return json_object_object_get_ex(o, name, &v) ? json_object_get_int64(v) : 0;
}

static char *
b64_field(struct json_object *o, const char *name, size_t *len)
{
	struct json_object *v;
	const char *s;
	size_t n;
	char *out;
	long l;

	s = json_object_object_get_ex(o, name, &v) ? json_object_get_string(v) : "";
	n = strlen(s);
	out = malloc(n / 4 * 3 + 4);
	if (out == NULL)
		return NULL;
	l = vtep_etcd_b64_decode(s, n, out);
	if (l < 0) {
		free(out);
		return NULL;
	}
	if (len != NULL)
		*len = (size_t)l;
	return out;
}

int
etcd_kv_from_json(struct json_object *o, struct vtep_etcd_kv *kv, bool want_value)
{
	memset(kv, 0, sizeof(*kv));
	kv->key = b64_field(o, "key", NULL);
	if (want_value)
		kv->value = b64_field(o, "value", &kv->value_len);
	kv->create_revision = etcd_jint(o, "create_revision");
	kv->mod_revision = etcd_jint(o, "mod_revision");
	kv->lease = etcd_jint(o, "lease");
	if (kv->key == NULL || (want_value && kv->value == NULL)) {
		vtep_etcd_kv_free(kv);
		return -EPROTO;
	}
	return 0;
}

void
vtep_etcd_kv_free(struct vtep_etcd_kv *kv)
{
	free(kv->key);
	free(kv->value);
	kv->key = kv->value = NULL;
}

void
vtep_etcd_kvs_free(struct vtep_etcd_kvs *kvs)
{
	for (size_t i = 0; i < kvs->len; i++)
		vtep_etcd_kv_free(&kvs->kvs[i]);
	free(kvs->kvs);
	memset(kvs, 0, sizeof(*kvs));
}

void
etcd_add_b64(struct json_object *o, const char *name, const char *s)
{
	size_t len = strlen(s);
	char *enc = malloc(4 * ((len + 2) / 3) + 1);

	if (enc == NULL)
		return;
	vtep_etcd_b64_encode(s, len, enc);
	json_object_object_add(o, name, json_object_new_string(enc));
	free(enc);
}

void
etcd_add_i64(struct json_object *o, const char *name, int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)v);
	json_object_object_add(o, name, json_object_new_string(s));
}

/* ---- unary calls --------------------------------------------------------------------------- */

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	return etcd_buf_add(arg, data, size * nmemb) == 0 ? size * nmemb : 0;
}

void
etcd_setup_easy(struct vtep_etcd *e, CURL *c, const char *url)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, e->curl_err);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, e->conf.timeout_ms);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPIDLE, 5L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPINTVL, 2L);
	if (e->conf.cafile != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, e->conf.cafile);
	if (e->conf.certfile != NULL)
		curl_easy_setopt(c, CURLOPT_SSLCERT, e->conf.certfile);
	if (e->conf.keyfile != NULL)
		curl_easy_setopt(c, CURLOPT_SSLKEY, e->conf.keyfile);
}

/* curl's verdict on a transfer as -errno; the words in e->err. */
int
etcd_curl_fail(struct vtep_etcd *e, CURLcode cc, const char *url)
{
	const char *why = e->curl_err[0] != '\0' ? e->curl_err : curl_easy_strerror(cc);

	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return etcd_fail(e, -ETIMEDOUT, "etcd at %s: no answer in time: %s", url, why);
	case CURLE_OUT_OF_MEMORY:
		return etcd_fail(e, -ENOMEM, "out of memory");
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		/* What a server that wants a client certificate does to a client without one. */
		if (strncmp(url, "https://", 8) == 0 && e->conf.certfile == NULL)
			return etcd_fail(e, -ECONNREFUSED,
					"etcd at %s: %s (no --etcd-certfile given: does etcd want "
					"a "
					"client certificate?)",
					url, why);
		return etcd_fail(e, -ECONNREFUSED, "etcd at %s: %s", url, why);
	default:
		return etcd_fail(e, -ECONNREFUSED, "etcd at %s: %s", url, why);
	}
}

/* etcd's error answer {"error":...,"code":N}: NotFound (5) is -ENOENT. */
static int
answer_fail(struct vtep_etcd *e, long status, const char *url)
{
	struct json_object *o = json_tokener_parse(e->body.data != NULL ? e->body.data : "");
	struct json_object *msg;
	int rc = -EIO;

	if (o != NULL && json_object_object_get_ex(o, "message", &msg)) {
		if (etcd_jint(o, "code") == 5)
			rc = -ENOENT;
		etcd_fail(e, rc, "etcd at %s: %s", url, json_object_get_string(msg));
	} else {
		rc = etcd_fail(e, -EPROTO, "%s answered HTTP %ld: %.200s", url, status,
				e->body.data != NULL ? e->body.data : "");
	}
	json_object_put(o);
	return rc;
}

/*
 * POST req (consumed) to path on the current endpoint, the next ones when it cannot be reached.
 * @return 0 with the parsed answer in *out, or -errno.
 */
static int
call(struct vtep_etcd *e, const char *path, struct json_object *req, struct json_object **out)
{
	const char *body = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	int rc = -ECONNREFUSED;

	*out = NULL;
	for (unsigned int tries = 0; tries < e->nb_urls; tries++) {
		char url[512];
		long status = 0;
		CURLcode cc;

		snprintf(url, sizeof(url), "%s%s", e->urls[e->cur], path);
		e->body.len = 0;
		e->curl_err[0] = '\0';
		curl_easy_reset(e->easy);
		etcd_setup_easy(e, e->easy, url);
		curl_easy_setopt(e->easy, CURLOPT_TIMEOUT_MS, e->conf.timeout_ms);
		curl_easy_setopt(e->easy, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e->easy, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(e->easy, CURLOPT_WRITEDATA, &e->body);
		cc = curl_easy_perform(e->easy);
		if (cc != CURLE_OK) {
			rc = etcd_curl_fail(e, cc, e->urls[e->cur]);
			if (rc == -ENOMEM)
				break;
			e->cur = (e->cur + 1) % e->nb_urls;
			continue;
		}
		curl_easy_getinfo(e->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status != 200) {
			rc = answer_fail(e, status, e->urls[e->cur]);
			break;
		}
		*out = json_tokener_parse(e->body.data != NULL ? e->body.data : "");
		rc = *out != NULL ? 0
				  : etcd_fail(e, -EPROTO, "%s: an answer that is not JSON: %.200s",
						    url, e->body.data);
		break;
	}
	json_object_put(req);
	return rc;
}

static int
kvs_from_range(struct json_object *r, struct vtep_etcd_kvs *out)
{
	struct json_object *kvs, *hdr;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (json_object_object_get_ex(r, "header", &hdr))
		out->revision = etcd_jint(hdr, "revision");
	if (!json_object_object_get_ex(r, "kvs", &kvs))
		return 0;
	n = json_object_array_length(kvs);
	out->kvs = calloc(n + 1, sizeof(*out->kvs));
	if (out->kvs == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (etcd_kv_from_json(json_object_array_get_idx(kvs, i), &out->kvs[i], true) != 0) {
			vtep_etcd_kvs_free(out);
			return -EPROTO;
		}
		out->len++;
	}
	return 0;
}

int
vtep_etcd_get(struct vtep_etcd *e, const char *key, bool prefix, struct vtep_etcd_kvs *out)
{
	struct json_object *req = json_object_new_object(), *r;
	int rc;

	etcd_add_b64(req, "key", key);
	if (prefix) {
		char end[512];

		vtep_etcd_prefix_end(key, end, sizeof(end));
		etcd_add_b64(req, "range_end", end);
	}
	rc = call(e, "/v3/kv/range", req, &r);
	if (rc != 0)
		return rc;
	rc = kvs_from_range(r, out);
	if (rc == -EPROTO)
		etcd_fail(e, rc, "etcd sent a key or value that is not base64");
	json_object_put(r);
	return rc;
}

static struct json_object *
put_req(const char *key, const char *value, int64_t lease)
{
	struct json_object *p = json_object_new_object();

	etcd_add_b64(p, "key", key);
	etcd_add_b64(p, "value", value);
	if (lease != 0)
		etcd_add_i64(p, "lease", lease);
	return p;
}

int
vtep_etcd_put(struct vtep_etcd *e, const char *key, const char *value, int64_t lease)
{
	struct json_object *r;
	int rc = call(e, "/v3/kv/put", put_req(key, value, lease), &r);

	json_object_put(r);
	return rc;
}

int
vtep_etcd_put_if(struct vtep_etcd *e, const char *key, const char *value, int64_t lease,
		const char *expect, struct vtep_etcd_kv *cur)
{
	struct json_object *req = json_object_new_object(), *cmp = json_object_new_object();
	struct json_object *ok = json_object_new_object(), *no = json_object_new_object();
	struct json_object *range = json_object_new_object(), *r, *v, *resp, *arr;
	struct vtep_etcd_kvs kvs = {0};
	int rc;

	etcd_add_b64(cmp, "key", key);
	if (expect == NULL) {
		/* if create_revision(key) == 0 then put else range: flannel's createSubnet. */
		json_object_object_add(cmp, "target", json_object_new_string("CREATE"));
		etcd_add_i64(cmp, "create_revision", 0);
	} else {
		json_object_object_add(cmp, "target", json_object_new_string("VALUE"));
		etcd_add_b64(cmp, "value", expect);
	}
	json_object_object_add(cmp, "result", json_object_new_string("EQUAL"));
	json_object_object_add(req, "compare", arr = json_object_new_array());
	json_object_array_add(arr, cmp);
	json_object_object_add(ok, "request_put", put_req(key, value, lease));
	json_object_object_add(req, "success", arr = json_object_new_array());
	json_object_array_add(arr, ok);
	etcd_add_b64(range, "key", key);
	json_object_object_add(no, "request_range", range);
	json_object_object_add(req, "failure", arr = json_object_new_array());
	json_object_array_add(arr, no);
	rc = call(e, "/v3/kv/txn", req, &r);
	if (rc != 0)
		return rc;
	if (json_object_object_get_ex(r, "succeeded", &v) && json_object_get_boolean(v)) {
		json_object_put(r);
		return 0;
	}
	resp = json_object_object_get(r, "responses");
	resp = json_object_array_get_idx(resp, 0);
	resp = json_object_object_get(resp, "response_range");
	if (resp == NULL || kvs_from_range(resp, &kvs) != 0) {
		rc = etcd_fail(e, -EPROTO, "etcd's answer to a failed transaction has no range");
	} else if (kvs.len == 0) {
		rc = -ENOENT;
	} else {
		rc = -EEXIST;
		if (cur != NULL) {
			*cur = kvs.kvs[0];
			memset(&kvs.kvs[0], 0, sizeof(kvs.kvs[0]));
		}
	}
	vtep_etcd_kvs_free(&kvs);
	json_object_put(r);
	return rc;
}

int
vtep_etcd_delete(struct vtep_etcd *e, const char *key)
{
	struct json_object *req = json_object_new_object(), *r;
	int rc;

	etcd_add_b64(req, "key", key);
	rc = call(e, "/v3/kv/deleterange", req, &r);
	json_object_put(r);
	return rc;
}

int
vtep_etcd_lease_grant(struct vtep_etcd *e, int64_t ttl, int64_t *id)
{
	struct json_object *req = json_object_new_object(), *r;
	int rc;

	etcd_add_i64(req, "TTL", ttl);
	rc = call(e, "/v3/lease/grant", req, &r);
	if (rc != 0)
		return rc;
	*id = etcd_jint(r, "ID");
	if (*id == 0)
		rc = etcd_fail(e, -EPROTO, "etcd granted no lease: %s",
				json_object_to_json_string(r));
	json_object_put(r);
	return rc;
}

int
vtep_etcd_lease_revoke(struct vtep_etcd *e, int64_t id)
{
	struct json_object *req = json_object_new_object(), *r;
	int rc;

	etcd_add_i64(req, "ID", id);
	rc = call(e, "/v3/lease/revoke", req, &r);
	json_object_put(r);
	return rc;
}

int
vtep_etcd_status(struct vtep_etcd *e)
{
	struct json_object *r;
	int rc = call(e, "/v3/maintenance/status", json_object_new_object(), &r);

	json_object_put(r);
	return rc;
}

/* ---- life ---------------------------------------------------------------------------------- */

struct vtep_etcd *
vtep_etcd_create(const struct vtep_etcd_conf *conf, char *err, size_t err_size)
{
	struct vtep_etcd *e = calloc(1, sizeof(*e));
	char *list, *tok, *save = NULL;

	if (e == NULL || conf->endpoints == NULL || (list = strdup(conf->endpoints)) == NULL) {
		snprintf(err, err_size, e == NULL ? "out of memory" : "no etcd endpoint");
		free(e);
		return NULL;
	}
	e->conf = *conf;
	for (tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		size_t len = strlen(tok);

		if (strncmp(tok, "http://", 7) != 0 && strncmp(tok, "https://", 8) != 0) {
			snprintf(err, err_size,
					"etcd endpoint '%s' is not an http:// or https:// URL",
					tok);
			goto bad;
		}
		if (e->nb_urls == MAX_ENDPOINTS) {
			snprintf(err, err_size, "more than %d etcd endpoints", MAX_ENDPOINTS);
			goto bad;
		}
		while (len > 0 && tok[len - 1] == '/')
			tok[--len] = '\0';
		e->urls[e->nb_urls++] = strdup(tok);
	}
	if (e->nb_urls == 0) {
		snprintf(err, err_size, "no etcd endpoint in '%s'", conf->endpoints);
		goto bad;
	}
	free(list);
	e->easy = curl_easy_init();
	e->multi = curl_multi_init();
	if (e->easy == NULL || e->multi == NULL) {
		snprintf(err, err_size, "cannot start libcurl");
		vtep_etcd_destroy(e);
		return NULL;
	}
	return e;
bad:
	free(list);
	vtep_etcd_destroy(e);
	return NULL;
}

void
vtep_etcd_destroy(struct vtep_etcd *e)
{
	if (e == NULL)
		return;
	if (e->multi != NULL) {
		vtep_etcd_watch_stop(e);
		curl_multi_cleanup(e->multi);
	}
	if (e->easy != NULL)
		curl_easy_cleanup(e->easy);
	for (unsigned int i = 0; i < e->nb_urls; i++)
		free(e->urls[i]);
	free(e->body.data);
	free(e->wbuf.data);
	free(e);
}

const char *
vtep_etcd_error(const struct vtep_etcd *e)
{
	return e->err;
}

const char *
vtep_etcd_endpoint(const struct vtep_etcd *e)
{
	return e->urls[e->cur];
}
