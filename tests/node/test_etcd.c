/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/node/vtep_etcd without a server: base64 (RFC 4648 test vectors), prefix range ends, the
 * watch stream as etcd 3.4's gateway sends it (captured lines), split at every byte, with a
 * compaction cancel and garbage; endpoints refused; a call to a port nobody listens on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node_test.h"
#include "vtep_etcd.h"

static void
test_b64(void)
{
	/* RFC 4648 section 10 */
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const enc[] = {
			"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	char out[64];

	for (unsigned int i = 0; i < 7; i++) {
		CHECK(vtep_etcd_b64_encode(plain[i], strlen(plain[i]), out) == strlen(enc[i]));
		CHECK(strcmp(out, enc[i]) == 0);
		CHECK(vtep_etcd_b64_decode(enc[i], strlen(enc[i]), out) == (long)strlen(plain[i]));
		CHECK(strcmp(out, plain[i]) == 0);
	}
	CHECK(vtep_etcd_b64_decode("Zm9", 3, out) == -1);
	CHECK(vtep_etcd_b64_decode("Zm$v", 4, out) == -1);
	CHECK(vtep_etcd_b64_decode("Z=9v", 4, out) == -1);
	CHECK(vtep_etcd_b64_decode("Zg==Zg==", 8, out) == -1);
}

static void
test_prefix_end(void)
{
	char out[64];

	vtep_etcd_prefix_end("/coreos.com/network/subnets/", out, sizeof(out));
	CHECK(strcmp(out, "/coreos.com/network/subnets0") == 0);
	vtep_etcd_prefix_end("a\xff", out, sizeof(out));
	CHECK(strcmp(out, "b") == 0);
}

struct seen {
	int nb, deleted;
	char keys[8][64];
	char values[8][200];
};

static int
on_event(void *arg, const struct vtep_etcd_event *ev)
{
	struct seen *s = arg;

	if (s->nb < 8) {
		snprintf(s->keys[s->nb], 64, "%s", ev->kv.key);
		snprintf(s->values[s->nb], 200, "%s", ev->deleted ? "" : ev->kv.value);
	}
	s->nb++;
	s->deleted += ev->deleted;
	return 0;
}

/* Lines as etcd 3.4.23's gateway sent them (tests/node: captured with curl -N). */
static const char stream[] =
		"{\"result\":{\"header\":{\"cluster_id\":\"2037210783374497686\",\"member_id\":"
		"\"13195394291058371180\",\"revision\":\"2\",\"raft_term\":\"2\"},\"created\":true}"
		"}\n"
		"{\"result\":{\"header\":{\"cluster_id\":\"2037210783374497686\",\"member_id\":"
		"\"13195394291058371180\",\"revision\":\"2\",\"raft_term\":\"2\"},\"events\":[{"
		"\"kv\":"
		"{\"key\":\"Zm9v\",\"create_revision\":\"2\",\"mod_revision\":\"2\",\"version\":"
		"\"1\","
		"\"value\":\"YmFy\",\"lease\":\"7668682715265917960\"}}]}}\n"
		"{\"result\":{\"header\":{\"cluster_id\":\"2037210783374497686\",\"member_id\":"
		"\"13195394291058371180\",\"revision\":\"3\",\"raft_term\":\"2\"},\"events\":[{"
		"\"type\":"
		"\"DELETE\",\"kv\":{\"key\":\"Zm9v\",\"mod_revision\":\"3\"}}]}}\n";

static const char compacted[] =
		"{\"result\":{\"header\":{\"cluster_id\":\"2037210783374497686\",\"member_id\":"
		"\"13195394291058371180\",\"raft_term\":\"2\"},\"canceled\":true,\"compact_"
		"revision\":"
		"\"4\"}}\n";

static void
test_watch_stream(void)
{
	struct vtep_etcd_conf conf = {.endpoints = "http://127.0.0.1:1", .timeout_ms = 500};
	char err[256];
	struct vtep_etcd *e = vtep_etcd_create(&conf, err, sizeof(err));
	size_t len = strlen(stream);

	CHECK(e != NULL);
	if (e == NULL)
		return;
	/* in every split: the same two events */
	for (size_t cut = 0; cut <= len; cut++) {
		struct seen s = {0};

		vtep_etcd_watch_start(e, "foo", 2);
		CHECK(vtep_etcd_watch_state(e) == VTEP_ETCD_WATCH_STARTING);
		CHECK(vtep_etcd_watch_feed(e, stream, cut, on_event, &s) == 0);
		CHECK(vtep_etcd_watch_feed(e, stream + cut, len - cut, on_event, &s) == 0);
		if (s.nb != 2 || s.deleted != 1 || strcmp(s.keys[0], "foo") != 0 ||
				strcmp(s.values[0], "bar") != 0 || strcmp(s.keys[1], "foo") != 0) {
			CHECK(!"events in order");
			break;
		}
		if (vtep_etcd_watch_state(e) != VTEP_ETCD_WATCH_RUNNING ||
				vtep_etcd_watch_revision(e) != 3) {
			CHECK(!"running at revision 3");
			break;
		}
	}
	/* compaction: the watch ends with a reason that says so; nothing after it counts */
	{
		struct seen s = {0};

		vtep_etcd_watch_start(e, "foo", 2);
		CHECK(vtep_etcd_watch_feed(e, compacted, strlen(compacted), on_event, &s) == 0);
		CHECK(vtep_etcd_watch_state(e) == VTEP_ETCD_WATCH_ENDED);
		CHECK(strstr(vtep_etcd_error(e), "compacted") != NULL);
		CHECK(vtep_etcd_watch_feed(e, stream, len, on_event, &s) == 0 && s.nb == 0);
	}
	/* an error object and garbage end it too */
	{
		struct seen s = {0};
		static const char errline[] =
				"{\"error\":{\"grpc_code\":14,\"message\":\"etcdserver: "
				"no leader\"}}\n";

		vtep_etcd_watch_start(e, "foo", 2);
		CHECK(vtep_etcd_watch_feed(e, errline, strlen(errline), on_event, &s) == -EPROTO);
		CHECK(vtep_etcd_watch_state(e) == VTEP_ETCD_WATCH_ENDED);
		CHECK(strstr(vtep_etcd_error(e), "no leader") != NULL);
		vtep_etcd_watch_start(e, "foo", 2);
		CHECK(vtep_etcd_watch_feed(e, "<html>\n", 7, on_event, &s) == -EPROTO);
		CHECK(vtep_etcd_watch_state(e) == VTEP_ETCD_WATCH_ENDED);
	}
	vtep_etcd_watch_stop(e);
	CHECK(vtep_etcd_watch_state(e) == VTEP_ETCD_WATCH_IDLE);
	/* nobody listens on port 1: refused, with the endpoint in the message */
	{
		struct vtep_etcd_kvs kvs;

		CHECK(vtep_etcd_get(e, "/x", false, &kvs) == -ECONNREFUSED);
		CHECK(strstr(vtep_etcd_error(e), "http://127.0.0.1:1") != NULL);
	}
	vtep_etcd_destroy(e);
}

static void
test_endpoints(void)
{
	struct vtep_etcd_conf conf = {.timeout_ms = 100};
	struct vtep_etcd *e;
	char err[256];

	conf.endpoints = "127.0.0.1:2379";
	CHECK(vtep_etcd_create(&conf, err, sizeof(err)) == NULL && strstr(err, "127.0.0.1:2379"));
	conf.endpoints = ",";
	CHECK(vtep_etcd_create(&conf, err, sizeof(err)) == NULL && strstr(err, "no etcd endpoint"));
	conf.endpoints = "http://a:1/,https://b:2";
	e = vtep_etcd_create(&conf, err, sizeof(err));
	CHECK(e != NULL && strcmp(vtep_etcd_endpoint(e), "http://a:1") == 0);
	vtep_etcd_destroy(e);
}

int
main(void)
{
	test_b64();
	test_prefix_end();
	test_watch_stream();
	test_endpoints();
	return node_test_done("etcd");
}
