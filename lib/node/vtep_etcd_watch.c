/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The etcd watch (vtep_etcd.h): a streaming POST /v3/watch run by a curl multi handle that the
 * caller's poll loop drives (vtep_etcd_watch_wait); each line of the stream is one JSON result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtep_etcd_int.h"

/* One line of the stream: {"result":{header, created?, canceled?, compact_revision?, events?}}. */
static int
watch_line(struct vtep_etcd *e, const char *line, size_t len, vtep_etcd_event_cb cb, void *arg)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o, *res, *v, *evs;
	int rc = 0;

	if (tok == NULL)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, line, (int)len);
	json_tokener_free(tok);
	if (o == NULL || !json_object_object_get_ex(o, "result", &res)) {
		if (o != NULL && json_object_object_get_ex(o, "error", &v))
			etcd_fail(e, -EIO, "etcd ended the watch: %s",
					json_object_get_string(
							json_object_object_get(v, "message")));
		else
			etcd_fail(e, -EPROTO, "not a watch response: %.200s", line);
		e->wstate = VTEP_ETCD_WATCH_ENDED;
		json_object_put(o);
		return -EPROTO;
	}
	if (json_object_object_get_ex(res, "header", &v) && etcd_jint(v, "revision") > e->wrev)
		e->wrev = etcd_jint(v, "revision");
	if (json_object_object_get_ex(res, "created", &v) && json_object_get_boolean(v) &&
			e->wstate == VTEP_ETCD_WATCH_STARTING)
		e->wstate = VTEP_ETCD_WATCH_RUNNING;
	if (json_object_object_get_ex(res, "canceled", &v) && json_object_get_boolean(v)) {
		int64_t compact = etcd_jint(res, "compact_revision");

		if (compact != 0)
			etcd_fail(e, -ESTALE,
					"etcd compacted the history the watch needed (to revision "
					"%lld)",
					(long long)compact);
		else
			etcd_fail(e, -ECANCELED, "etcd cancelled the watch: %s",
					json_object_get_string(json_object_object_get(
							res, "cancel_reason")));
		e->wstate = VTEP_ETCD_WATCH_ENDED;
	}
	if (json_object_object_get_ex(res, "events", &evs)) {
		size_t n = json_object_array_length(evs);

		for (size_t i = 0; i < n && rc == 0 && e->wstate != VTEP_ETCD_WATCH_ENDED; i++) {
			struct json_object *ev = json_object_array_get_idx(evs, i), *t, *kv;
			struct vtep_etcd_event event = {0};

			event.deleted = json_object_object_get_ex(ev, "type", &t) &&
					strcmp(json_object_get_string(t), "DELETE") == 0;
			if (!json_object_object_get_ex(ev, "kv", &kv) ||
					etcd_kv_from_json(kv, &event.kv, !event.deleted) != 0) {
				rc = etcd_fail(e, -EPROTO, "a watch event without a valid kv");
				break;
			}
			if (cb != NULL)
				rc = cb(arg, &event);
			vtep_etcd_kv_free(&event.kv);
		}
	}
	json_object_put(o);
	return rc < 0 ? rc : 0;
}

int
vtep_etcd_watch_feed(
		struct vtep_etcd *e, const char *data, size_t len, vtep_etcd_event_cb cb, void *arg)
{
	char *nl;
	int rc = 0;

	if (etcd_buf_add(&e->wbuf, data, len) != 0)
		return -ENOMEM;
	while (rc == 0 && e->wstate != VTEP_ETCD_WATCH_ENDED &&
			(nl = memchr(e->wbuf.data, '\n', e->wbuf.len)) != NULL) {
		size_t l = (size_t)(nl - e->wbuf.data);

		if (l > 0)
			rc = watch_line(e, e->wbuf.data, l, cb, arg);
		memmove(e->wbuf.data, nl + 1, e->wbuf.len - l - 1);
		e->wbuf.len -= l + 1;
		e->wbuf.data[e->wbuf.len] = '\0';
	}
	return rc;
}

static size_t
on_watch(char *data, size_t size, size_t nmemb, void *arg)
{
	struct vtep_etcd *e = arg;
	int rc = vtep_etcd_watch_feed(e, data, size * nmemb, e->cb, e->cb_arg);

	if (rc != 0 && e->wfeed_rc == 0)
		e->wfeed_rc = rc;
	/* Returning less than given makes curl end the transfer: done after a cancel. */
	return e->wstate == VTEP_ETCD_WATCH_ENDED ? 0 : size * nmemb;
}

void
vtep_etcd_watch_stop(struct vtep_etcd *e)
{
	if (e->weasy != NULL) {
		curl_multi_remove_handle(e->multi, e->weasy);
		curl_easy_cleanup(e->weasy);
		e->weasy = NULL;
	}
	free(e->wreq);
	e->wreq = NULL;
	e->wbuf.len = 0;
	e->wstate = VTEP_ETCD_WATCH_IDLE;
}

int
vtep_etcd_watch_start(struct vtep_etcd *e, const char *prefix, int64_t rev)
{
	struct json_object *req = json_object_new_object(), *cr = json_object_new_object();
	char url[512], end[512];

	vtep_etcd_watch_stop(e);
	vtep_etcd_prefix_end(prefix, end, sizeof(end));
	etcd_add_b64(cr, "key", prefix);
	etcd_add_b64(cr, "range_end", end);
	etcd_add_i64(cr, "start_revision", rev);
	json_object_object_add(req, "create_request", cr);
	e->wreq = strdup(json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
	json_object_put(req);
	e->weasy = curl_easy_init();
	if (e->wreq == NULL || e->weasy == NULL) {
		vtep_etcd_watch_stop(e);
		return etcd_fail(e, -ENOMEM, "out of memory");
	}
	snprintf(url, sizeof(url), "%s/v3/watch", e->urls[e->cur]);
	etcd_setup_easy(e, e->weasy, url);
	curl_easy_setopt(e->weasy, CURLOPT_POSTFIELDS, e->wreq);
	curl_easy_setopt(e->weasy, CURLOPT_WRITEFUNCTION, on_watch);
	curl_easy_setopt(e->weasy, CURLOPT_WRITEDATA, e);
	curl_multi_add_handle(e->multi, e->weasy);
	e->wstate = VTEP_ETCD_WATCH_STARTING;
	e->wrev = rev - 1;
	return 0;
}

enum vtep_etcd_watch_state
vtep_etcd_watch_state(const struct vtep_etcd *e)
{
	return e->wstate;
}

int64_t
vtep_etcd_watch_revision(const struct vtep_etcd *e)
{
	return e->wrev;
}

/* A finished watch transfer: why it ended. */
static void
watch_done(struct vtep_etcd *e)
{
	struct CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(e->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE || m->easy_handle != e->weasy)
			continue;
		if (e->wstate != VTEP_ETCD_WATCH_ENDED) {
			long status = 0;

			curl_easy_getinfo(e->weasy, CURLINFO_RESPONSE_CODE, &status);
			if (m->data.result != CURLE_OK)
				etcd_curl_fail(e, m->data.result, e->urls[e->cur]);
			else
				etcd_fail(e, -EPIPE, "etcd at %s closed the watch (HTTP %ld)",
						e->urls[e->cur], status);
			if (m->data.result != CURLE_OK && m->data.result != CURLE_WRITE_ERROR)
				e->cur = (e->cur + 1) % e->nb_urls;
			e->wstate = VTEP_ETCD_WATCH_ENDED;
		}
	}
}

int
vtep_etcd_watch_wait(struct vtep_etcd *e, struct pollfd *fds, unsigned int nb_fds, int timeout_ms,
		vtep_etcd_event_cb cb, void *arg)
{
	struct curl_waitfd wfds[8];
	int running, n;

	if (e->weasy == NULL || e->wstate == VTEP_ETCD_WATCH_ENDED || nb_fds > 8) {
		n = poll(fds, nb_fds, timeout_ms);
		return n < 0 && errno != EINTR ? -errno : 0;
	}
	for (unsigned int i = 0; i < nb_fds; i++) {
		wfds[i].fd = fds[i].fd;
		wfds[i].events = (fds[i].events & POLLIN ? CURL_WAIT_POLLIN : 0) |
				(fds[i].events & POLLOUT ? CURL_WAIT_POLLOUT : 0);
		wfds[i].revents = 0;
	}
	if (curl_multi_poll(e->multi, wfds, nb_fds, timeout_ms, &n) != CURLM_OK)
		return -EIO;
	for (unsigned int i = 0; i < nb_fds; i++)
		fds[i].revents = (short)((wfds[i].revents & CURL_WAIT_POLLIN ? POLLIN : 0) |
				(wfds[i].revents & CURL_WAIT_POLLOUT ? POLLOUT : 0));
	e->cb = cb;
	e->cb_arg = arg;
	e->wfeed_rc = 0;
	curl_multi_perform(e->multi, &running);
	e->cb = NULL;
	watch_done(e);
	return 0;
}
