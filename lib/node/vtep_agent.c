/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The agent's loop, its etcd connection and its lease (vtep_agent.h). States:
 *
 *   etcd up:   watching PREFIX/subnets/ from the revision after the last full read; every 2 s
 *              a status call proves the connection (a partition leaves a silent TCP stream).
 *   etcd down: the watch ended, a call failed or timed out. Nothing on the host changes
 *              (forwarding goes on with the last known peers); a full read is tried again after
 *              0.1, 0.2, 0.4 ... 3.2 s, and when it works, the peers it lacks are removed, the new
 *              ones added, and a new watch starts from its revision + 1.
 *   vtepd down: its telemetry socket closed; reconnect every 0.5 s, then program everything
 *              again (a restarted vtepd has an empty FDB and a new tap).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "vtep_agent_int.h"

#define HEALTH_INTERVAL 2.0
#define BACKOFF_MIN 0.1
#define BACKOFF_MAX 3.2
#define VTEPD_RETRY 0.5

double
agent_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
agent_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vtep-flannel: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

const char *
agent_subnet_str(uint32_t subnet, uint8_t len, char *buf)
{
	char ip[16];

	snprintf(buf, 20, "%s/%u", vtep_flannel_ip_str(subnet, ip), len);
	return buf;
}

/* ---- the network config -------------------------------------------------------------------- */

static int
read_config(struct agent *a)
{
	struct vtep_etcd_kvs kvs;
	char err[VTEP_FLANNEL_ERR_SIZE];
	int rc;

	rc = vtep_etcd_get(a->etcd, a->config_key, false, &kvs);
	if (rc != 0) {
		agent_log("cannot read the network config: %s", vtep_etcd_error(a->etcd));
		return rc;
	}
	if (kvs.len == 0) {
		agent_log("no network config at %s in etcd (%s): flannel's cluster writes it first",
				a->config_key, vtep_etcd_endpoint(a->etcd));
		vtep_etcd_kvs_free(&kvs);
		return -ENOENT;
	}
	rc = vtep_flannel_net_parse(
			kvs.kvs[0].value, kvs.kvs[0].value_len, &a->net, err, sizeof(err));
	if (rc != 0)
		agent_log("network config %s: %s", a->config_key, err);
	vtep_etcd_kvs_free(&kvs);
	return rc;
}

/* ---- peers from etcd ----------------------------------------------------------------------- */

/* A lease read or changed. */
static void
lease_seen(struct agent *a, const struct vtep_etcd_kv *kv)
{
	struct vtep_flannel_lease l;
	struct vtep_flannel_op op;

	if (!lease_of(a, kv, &l))
		return;
	switch (vtep_flannel_classify(&l, a->subnet, a->subnet_len, a->public_ip)) {
	case VTEP_FLANNEL_SELF:
		snprintf(a->own_value, sizeof(a->own_value), "%s", kv->value);
		return;
	case VTEP_FLANNEL_CONFLICT:
		lease_conflict(a, kv);
		return;
	case VTEP_FLANNEL_IGNORE:
		if (vtep_flannel_peers_del(&a->peers, l.subnet, &op) == 1)
			prog_apply(a, &op);
		return;
	case VTEP_FLANNEL_PEER:
		if (vtep_flannel_peers_put(&a->peers, &l, time(NULL), &op) == 1)
			prog_apply(a, &op);
		return;
	}
}

static int
on_event(void *arg, const struct vtep_etcd_event *ev)
{
	struct agent *a = arg;
	struct vtep_flannel_op op;
	uint32_t subnet;
	uint8_t len;

	if (!ev->deleted) {
		lease_seen(a, &ev->kv);
		return a->fatal;
	}
	if (vtep_flannel_key_parse(a->conf->etcd_prefix, ev->kv.key, &subnet, &len) != 0)
		return 0;
	if (subnet == a->subnet && len == a->subnet_len)
		a->reacquire = true;
	else if (vtep_flannel_peers_del(&a->peers, subnet, &op) == 1)
		prog_apply(a, &op);
	return 0;
}

/* A full read: every lease, the peers it lacks removed, our own checked; then watch from it. */
static int
etcd_resync(struct agent *a, const struct vtep_etcd_kvs *given)
{
	struct vtep_etcd_kvs kvs = {0};
	struct vtep_flannel_op op;
	bool own = false;
	int rc;

	if (given == NULL) {
		rc = vtep_etcd_get(a->etcd, a->subnets_key, true, &kvs);
		if (rc != 0)
			return rc;
		given = &kvs;
	}
	vtep_flannel_peers_sync_begin(&a->peers);
	for (size_t i = 0; i < given->len && !a->fatal; i++) {
		lease_seen(a, &given->kvs[i]);
		own = own || strcmp(given->kvs[i].key, a->own_key) == 0;
	}
	while (vtep_flannel_peers_sync_next_stale(&a->peers, &op) == 1)
		prog_apply(a, &op);
	a->revision = given->revision;
	a->reacquire = !own;
	vtep_etcd_kvs_free(&kvs);
	if (a->fatal)
		return -EEXIST;
	a->resyncs++;
	return vtep_etcd_watch_start(a->etcd, a->subnets_key, a->revision + 1);
}

static void
etcd_down(struct agent *a, const char *why)
{
	vtep_etcd_watch_stop(a->etcd);
	if (a->etcd_up) {
		a->etcd_up = false;
		a->etcd_since = time(NULL);
		a->etcd_backoff = BACKOFF_MIN;
		a->etcd_retry_at = agent_now();
		agent_log("etcd connection lost (%s): keeping the %u peers as they are", why,
				a->peers.nb);
	}
	snprintf(a->etcd_error, sizeof(a->etcd_error), "%s", why);
}

/* etcd's side of one loop pass. */
static void
etcd_step(struct agent *a)
{
	double now = agent_now();

	if (a->etcd_up && vtep_etcd_watch_state(a->etcd) == VTEP_ETCD_WATCH_ENDED)
		etcd_down(a, vtep_etcd_error(a->etcd));
	if (a->etcd_up && now >= a->health_at) {
		a->health_at = now + HEALTH_INTERVAL;
		if (vtep_etcd_status(a->etcd) != 0)
			etcd_down(a, vtep_etcd_error(a->etcd));
		else if (vtep_etcd_watch_state(a->etcd) == VTEP_ETCD_WATCH_RUNNING)
			a->confirmed = time(NULL);
	}
	if (!a->etcd_up && now >= a->etcd_retry_at) {
		if (etcd_resync(a, NULL) == 0) {
			a->etcd_up = true;
			a->etcd_since = a->confirmed = time(NULL);
			a->health_at = now + HEALTH_INTERVAL;
			agent_log("etcd at %s: connected, full read at revision %lld: %u peers",
					vtep_etcd_endpoint(a->etcd), (long long)a->revision,
					a->peers.nb);
		} else if (!a->fatal) {
			snprintf(a->etcd_error, sizeof(a->etcd_error), "%s",
					vtep_etcd_error(a->etcd));
			agent_log("etcd unreachable (retry in %.1fs): %s", a->etcd_backoff,
					a->etcd_error);
			a->etcd_retry_at = now + a->etcd_backoff;
			a->etcd_backoff = a->etcd_backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX
									    : a->etcd_backoff * 2;
		}
	}
	if (a->etcd_up && !a->fatal && a->reacquire)
		lease_reacquire(a);
	if (a->etcd_up && !a->fatal && (a->rewrite || agent_now() >= a->renew_at))
		lease_renew(a, a->rewrite ? "rewritten with a new VtepMAC" : "renewed");
}

/* vtepd's side: notice it went away, reconnect and program everything again. */
static void
vtepd_step(struct agent *a, short revents)
{
	char err[VTEP_FLANNEL_ERR_SIZE];
	uint8_t mac[6];

	if (a->vtepd_up && (revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
		agent_log("vtepd (file-prefix %s) went away: the host keeps its routes; waiting "
			  "for vtepd",
				a->conf->file_prefix);
		vtep_telc_close(&a->telc);
		a->vtepd_up = false;
		a->vtepd_since = time(NULL);
		a->vtepd_retry_at = agent_now() + VTEPD_RETRY;
	}
	if (a->vtepd_up || agent_now() < a->vtepd_retry_at)
		return;
	a->vtepd_retry_at = agent_now() + VTEPD_RETRY;
	memcpy(mac, a->link.mac, 6);
	if (prog_vtepd_check(a, err, sizeof(err)) != 0 ||
			prog_tap_check(a, err, sizeof(err)) != 0) {
		vtep_telc_close(&a->telc);
		return;
	}
	a->vtepd_up = true;
	a->vtepd_since = time(NULL);
	agent_log("vtepd (file-prefix %s) is back: programming the host again",
			a->conf->file_prefix);
	if (memcmp(mac, a->link.mac, 6) != 0)
		a->rewrite = true;
	prog_all(a);
	prog_subnet_env(a); /* the new tap's MTU */
}

/* ---- start and loop ------------------------------------------------------------------------ */

/* Every check before the first change; then the lease and the host. */
static int
start(struct agent *a)
{
	char err[VTEP_FLANNEL_ERR_SIZE], ip[16], ip2[16], mac[18];
	struct vtep_etcd_kvs kvs;
	int rc;

	if (read_config(a) != 0)
		return -1;
	if (a->conf->subnet_len != 0 &&
			!vtep_flannel_subnet_valid(&a->net, a->conf->subnet, a->conf->subnet_len)) {
		agent_log("--subnet %s is not a /%u inside the network's %s/%u",
				agent_subnet_str(a->conf->subnet, a->conf->subnet_len, err),
				a->net.subnet_len, vtep_flannel_ip_str(a->net.network, ip),
				a->net.network_len);
		return -1;
	}
	if (prog_vtepd_check(a, err, sizeof(err)) != 0) {
		agent_log("%s", err);
		return -1;
	}
	a->vtepd_up = true;
	a->vtepd_since = time(NULL);
	a->public_ip = a->conf->public_ip != 0 ? a->conf->public_ip : a->local;
	if (a->public_ip != a->local)
		agent_log("PublicIP %s is not vtepd's local %s: peers must reach %s through it",
				vtep_flannel_ip_str(a->public_ip, ip),
				vtep_flannel_ip_str(a->local, ip2), ip2);
	if (prog_tap_check(a, err, sizeof(err)) != 0 || status_open(a, err, sizeof(err)) != 0) {
		agent_log("%s", err);
		return -1;
	}
	rc = vtep_etcd_get(a->etcd, a->subnets_key, true, &kvs);
	if (rc != 0) {
		agent_log("cannot read the leases: %s", vtep_etcd_error(a->etcd));
		return -1;
	}
	rc = lease_acquire(a, &kvs);
	vtep_etcd_kvs_free(&kvs);
	if (rc != 0)
		return -1;
	/* The tap first (routes need it up), then the peers of a fresh read (it holds our own
	 * lease now), then whatever an earlier run left that no lease asks for. */
	prog_tap(a);
	if (etcd_resync(a, NULL) != 0) {
		if (!a->fatal)
			agent_log("cannot read the leases: %s", vtep_etcd_error(a->etcd));
		return -1;
	}
	prog_stale(a);
	if (prog_subnet_env(a) != 0)
		return -1;
	a->etcd_up = true;
	a->etcd_since = a->confirmed = time(NULL);
	a->health_at = agent_now() + HEALTH_INTERVAL;
	agent_log("running: subnet %s on %s (VtepMAC %s), %u peers, watching from revision %lld",
			agent_subnet_str(a->subnet, a->subnet_len, err), a->iface,
			vtep_flannel_mac_str(a->link.mac, mac), a->peers.nb,
			(long long)a->revision + 1);
	return 0;
}

static void
stop(struct agent *a)
{
	if (a->conf->release_on_exit && a->lease_id != 0 && !a->fatal) {
		if (vtep_etcd_lease_revoke(a->etcd, a->lease_id) == 0)
			agent_log("lease %s released", a->own_key);
		else
			agent_log("cannot release lease %s: %s", a->own_key,
					vtep_etcd_error(a->etcd));
	}
	if ((a->conf->release_on_exit || a->fatal) && a->subnet_len != 0 && a->lease_id != 0)
		prog_undo(a);
}

static void
loop(struct agent *a)
{
	while (!*a->conf->stop && !a->fatal) {
		struct pollfd fds[2] = {{.fd = a->status_fd, .events = POLLIN},
				{.fd = a->vtepd_up ? a->telc.fd : -1, .events = POLLIN}};
		double next = a->etcd_up ? a->health_at : a->etcd_retry_at;
		int timeout;

		if (!a->vtepd_up && a->vtepd_retry_at < next)
			next = a->vtepd_retry_at;
		if (a->etcd_up && a->renew_at < next)
			next = a->renew_at;
		timeout = (int)((next - agent_now()) * 1000) + 1;
		if (timeout < 0 || a->reacquire || a->rewrite)
			timeout = 0;
		if (timeout > 1000)
			timeout = 1000; /* also bounds how late a stop signal is seen */
		vtep_etcd_watch_wait(a->etcd, fds, 2, timeout, on_event, a);
		if (fds[0].revents & POLLIN)
			status_serve(a);
		vtepd_step(a, fds[1].revents);
		if (!a->fatal)
			etcd_step(a);
	}
}

void
vtep_agent_status_path(const char *file_prefix, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s.sock", VTEP_FLANNEL_STATUS_DIR, file_prefix);
}

int
vtep_agent_run(const struct vtep_agent_conf *conf)
{
	struct agent *a = calloc(1, sizeof(*a));
	char err[VTEP_FLANNEL_ERR_SIZE];
	int rc = 1;

	if (a == NULL)
		return 1;
	a->conf = conf;
	a->telc.fd = a->status_fd = a->nl.fd = -1;
	snprintf(a->config_key, sizeof(a->config_key), "%s/config", conf->etcd_prefix);
	snprintf(a->subnets_key, sizeof(a->subnets_key), "%s/subnets/", conf->etcd_prefix);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	a->etcd = vtep_etcd_create(&conf->etcd, err, sizeof(err));
	if (a->etcd == NULL) {
		agent_log("%s", err);
	} else if ((rc = vtep_nl_open(&a->nl)) != 0) {
		agent_log("cannot open rtnetlink: %s", strerror(-rc));
		rc = 1;
	} else if (start(a) != 0) {
		rc = 1;
	} else {
		loop(a);
		stop(a);
		rc = a->fatal ? 1 : 0;
		agent_log("%s", rc == 0 ? "stopped" : "stopped after a fatal error");
	}
	status_close(a);
	vtep_telc_close(&a->telc);
	vtep_nl_close(&a->nl);
	vtep_etcd_destroy(a->etcd);
	vtep_flannel_peers_free(&a->peers);
	curl_global_cleanup();
	free(a);
	return rc;
}

int
vtep_agent_words(const struct vtep_agent_conf *conf)
{
	struct agent a = {.conf = conf};
	char err[VTEP_FLANNEL_ERR_SIZE];
	int rc = 1;

	snprintf(a.config_key, sizeof(a.config_key), "%s/config", conf->etcd_prefix);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	a.etcd = vtep_etcd_create(&conf->etcd, err, sizeof(err));
	if (a.etcd == NULL) {
		agent_log("%s", err);
	} else if (read_config(&a) == 0) {
		printf("dstport %u id %u nolearning", a.net.port, a.net.vni);
		if (a.net.mtu != 0)
			printf(" mtu %u", a.net.mtu + 50u);
		printf("\n");
		rc = 0;
	}
	vtep_etcd_destroy(a.etcd);
	curl_global_cleanup();
	return rc;
}
