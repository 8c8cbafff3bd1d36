/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The status socket (docs/flannel.md): a unix stream socket; a client connects, the agent writes
 * one JSON object (its lease, etcd's and vtepd's state, the peers) and closes. vtepctl's
 * `flannel show` is such a client. A socket rather than a file: it answers only while the agent
 * runs, and "last seen" is computed when asked.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "vtep_agent_int.h"

static void
mkparent(const char *path)
{
	char dir[108], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
}

int
status_open(struct agent *a, char *err, size_t size)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	if (a->conf->status_socket != NULL)
		snprintf(a->status_path, sizeof(a->status_path), "%s", a->conf->status_socket);
	else
		vtep_agent_status_path(
				a->conf->file_prefix, a->status_path, sizeof(a->status_path));
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a->status_path);
	mkparent(a->status_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, size, "status socket: %s", strerror(errno));
		return -1;
	}
	/* A socket file nobody answers on is left from an agent that died: take it over. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		snprintf(err, size,
				"another vtep-flannel answers on %s (one agent per vtepd; "
				"--status-socket for another path)",
				a->status_path);
		close(fd);
		return -1;
	}
	unlink(a->status_path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 || listen(fd, 8) != 0) {
		snprintf(err, size, "status socket %s: %s", a->status_path, strerror(errno));
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	a->status_fd = fd;
	return 0;
}

void
status_close(struct agent *a)
{
	if (a->status_fd < 0)
		return;
	close(a->status_fd);
	unlink(a->status_path);
	a->status_fd = -1;
}

static void
add_str(struct json_object *o, const char *name, const char *s)
{
	json_object_object_add(o, name, json_object_new_string(s));
}

static void
add_int(struct json_object *o, const char *name, int64_t v)
{
	json_object_object_add(o, name, json_object_new_int64(v));
}

static struct json_object *
peers_json(const struct agent *a)
{
	struct json_object *arr = json_object_new_array();

	for (unsigned int i = 0; i < a->peers.nb; i++) {
		const struct vtep_flannel_peer *p = &a->peers.peers[i];
		struct json_object *o = json_object_new_object();
		char s[24], ip[16], mac[18];
		/* Up to the last time the watch was confirmed complete, every lease is as last
		 * told. */
		time_t seen = a->confirmed > p->seen ? a->confirmed : p->seen;

		snprintf(s, sizeof(s), "%s/%u", vtep_flannel_ip_str(p->subnet, ip), p->subnet_len);
		add_str(o, "subnet", s);
		add_str(o, "public_ip", vtep_flannel_ip_str(p->public_ip, ip));
		add_str(o, "vtep_mac", vtep_flannel_mac_str(p->vtep_mac, mac));
		add_int(o, "seen", seen);
		add_int(o, "changed", p->seen);
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *
status_json(const struct agent *a)
{
	struct json_object *o = json_object_new_object();
	char s[24], ip[16], mac[18];

	snprintf(s, sizeof(s), "%s/%u", vtep_flannel_ip_str(a->net.network, ip),
			a->net.network_len);
	add_str(o, "network", s);
	add_int(o, "vni", a->net.vni);
	add_int(o, "port", a->net.port);
	add_str(o, "iface", a->iface);
	add_int(o, "mtu", a->link.mtu);
	snprintf(s, sizeof(s), "%s/%u", vtep_flannel_ip_str(a->subnet, ip), a->subnet_len);
	add_str(o, "subnet", s);
	add_str(o, "public_ip", vtep_flannel_ip_str(a->public_ip, ip));
	add_str(o, "vtep_mac", vtep_flannel_mac_str(a->link.mac, mac));
	add_str(o, "key", a->own_key);
	snprintf(s, sizeof(s), "%lld", (long long)a->lease_id);
	add_str(o, "lease", s);
	add_int(o, "expires", a->lease_expiry);
	add_str(o, "etcd", a->etcd_up ? "connected" : "disconnected");
	add_str(o, "endpoint", vtep_etcd_endpoint(a->etcd));
	add_int(o, "etcd_since", a->etcd_since);
	if (!a->etcd_up)
		add_str(o, "etcd_error", a->etcd_error);
	add_int(o, "revision", a->revision);
	add_str(o, "vtepd", a->vtepd_up ? "connected" : "disconnected");
	add_int(o, "vtepd_since", a->vtepd_since);
	add_int(o, "now", time(NULL));
	add_int(o, "resyncs", (int64_t)a->resyncs);
	add_int(o, "renewals", (int64_t)a->renewals);
	add_int(o, "reacquired", (int64_t)a->reacquired);
	add_int(o, "errors", (int64_t)a->prog_errors);
	json_object_object_add(o, "peers", peers_json(a));
	return o;
}

void
status_serve(struct agent *a)
{
	int fd = accept4(a->status_fd, NULL, NULL, SOCK_CLOEXEC);
	struct json_object *o;
	const char *text;
	size_t len, off = 0;

	if (fd < 0)
		return;
	o = status_json(a);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	len = strlen(text);
	/* A blocking write of a few KB to a local reader; MSG_NOSIGNAL if it went away. */
	while (off < len) {
		ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	send(fd, "\n", 1, MSG_NOSIGNAL);
	json_object_put(o);
	close(fd);
}
