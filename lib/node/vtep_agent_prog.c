/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the agent changes on the host: vtepd through its telemetry socket (/vtep/vni to check it,
 * /vtep/learning, /vtep/fdb_replace, /vtep/fdb_del, /vtep/fdb to find stale entries) and the
 * kernel side of the tap through rtnetlink, in flannel's order: neighbor, FDB entry, route to add
 * a peer; route, neighbor, FDB entry to remove one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "vtep_agent_int.h"

/* Entries per /vtep/fdb answer (VTEP_TELE_FDB_PAGE in lib/mgmt/tele). */
#define FDB_PAGE 128

/* ---- vtepd --------------------------------------------------------------------------------- */

/*
 * Send one telemetry command. @return its parsed answer (put it) with *val the value under the
 * command's name, or NULL with err set (vtepd's "error", a lost connection: vtepd is then down).
 */
static struct json_object *
vtepd_call(struct agent *a, const char *cmd, struct json_object **val, char *err, size_t size)
{
	struct json_object *root, *e;
	char name[64];
	ssize_t n;

	n = vtep_telc_request(&a->telc, cmd);
	if (n < 0) {
		snprintf(err, size, "vtepd did not answer %s: %s", cmd, strerror((int)-n));
		vtep_telc_close(&a->telc);
		if (a->vtepd_up) {
			a->vtepd_up = false;
			a->vtepd_since = time(NULL);
			a->vtepd_retry_at = agent_now();
		}
		return NULL;
	}
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(cmd, ","), cmd);
	root = json_tokener_parse(a->telc.reply);
	if (root == NULL || !json_object_object_get_ex(root, name, val) ||
			!json_object_is_type(*val, json_type_object)) {
		snprintf(err, size, "vtepd's answer to %s is not what vtepd sends: %.100s", name,
				a->telc.reply);
		json_object_put(root);
		return NULL;
	}
	if (json_object_object_get_ex(*val, "error", &e)) {
		struct json_object *no;

		snprintf(err, size, "vtepd refused %s: %s", cmd, json_object_get_string(e));
		/* "not found" on a delete is what the delete wanted */
		if (json_object_object_get_ex(*val, "errno", &no) &&
				json_object_get_int(no) == ENOENT && strstr(cmd, "_del") != NULL)
			return root;
		json_object_put(root);
		return NULL;
	}
	return root;
}

static int
vtepd_do(struct agent *a, const char *cmd)
{
	char err[VTEP_FLANNEL_ERR_SIZE];
	struct json_object *val, *root;

	if (!a->vtepd_up)
		return -ENOTCONN;
	root = vtepd_call(a, cmd, &val, err, sizeof(err));
	if (root == NULL) {
		agent_log("%s", err);
		a->prog_errors++;
		return -EIO;
	}
	json_object_put(root);
	return 0;
}

static const char *
jstr(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) ? json_object_get_string(v) : "";
}

/* The /vtep/vni entry of our VNI: it must use the network's port and flood nothing. */
static int
check_vni(struct agent *a, struct json_object *e, char *err, size_t size)
{
	struct json_object *v;
	struct in_addr in;
	int port;

	if (!json_object_object_get_ex(e, "dstport", &v)) {
		snprintf(err, size,
				"vtepd does not say its dstport in /vtep/vni (an older vtepd?)");
		return -1;
	}
	port = json_object_get_int(v);
	if (port != a->net.port) {
		snprintf(err, size,
				"vtepd's dstport is %d but the network's Backend.Port is %u (0 or "
				"none "
				"means the kernel's 8472): start vtepd with `dstport %u`",
				port, a->net.port, a->net.port);
		return -1;
	}
	if (*jstr(e, "group") != '\0') {
		snprintf(err, size,
				"vtepd's VNI %u floods to group %s: a flannel network floods "
				"nothing; "
				"start vtepd without `group`",
				a->net.vni, jstr(e, "group"));
		return -1;
	}
	if (strcmp(jstr(e, "nb_floods"), "0") != 0) {
		snprintf(err, size,
				"vtepd's VNI %u has a flood list (%s): a flannel network floods "
				"nothing; start vtepd without `remote` words",
				a->net.vni, jstr(e, "floods"));
		return -1;
	}
	if (inet_pton(AF_INET, jstr(e, "local"), &in) != 1) {
		snprintf(err, size, "vtepd's /vtep/vni has no local address");
		return -1;
	}
	a->local = ntohl(in.s_addr);
	return 0;
}

int
prog_vtepd_check(struct agent *a, char *err, size_t size)
{
	struct json_object *root, *vnis, *e = NULL;
	char path[128], id[16];
	int rc;

	vtep_telc_close(&a->telc);
	rc = vtep_telc_connect(&a->telc, a->conf->file_prefix);
	if (rc != 0) {
		vtep_telc_path(a->conf->file_prefix, path, sizeof(path));
		snprintf(err, size, "vtepd is not running (file-prefix '%s'): %s: %s",
				a->conf->file_prefix, path, strerror(-rc));
		return rc;
	}
	root = vtepd_call(a, "/vtep/vni", &vnis, err, size);
	if (root == NULL)
		return -EIO;
	snprintf(id, sizeof(id), "%u", a->net.vni);
	if (!json_object_object_get_ex(vnis, id, &e)) {
		snprintf(err, size,
				"vtepd has no VNI %u (the network's Backend.VNI): start it with "
				"`dstport %u id %u nolearning inner PORT` (vtep-flannel "
				"--vtepd-words "
				"prints these)",
				a->net.vni, a->net.port, a->net.vni);
		rc = -ENOENT;
	} else {
		rc = check_vni(a, e, err, size) == 0 ? 0 : -EINVAL;
	}
	json_object_put(root);
	return rc;
}

/* ---- the tap ------------------------------------------------------------------------------- */

int
prog_tap_check(struct agent *a, char *err, size_t size)
{
	int rc;

	if (a->conf->vtep_iface != NULL)
		snprintf(a->iface, sizeof(a->iface), "%s", a->conf->vtep_iface);
	else
		snprintf(a->iface, sizeof(a->iface), "flannel.%u", a->net.vni);
	rc = vtep_nl_link_get(&a->nl, a->iface, &a->link);
	if (rc == -ENODEV) {
		snprintf(err, size,
				"no interface '%s' in this network namespace: start vtepd here "
				"with "
				"--vdev=net_tap0,iface=%s as VNI %u's inner port (or give "
				"--vtep-iface)",
				a->iface, a->iface, a->net.vni);
		return rc;
	}
	if (rc != 0) {
		snprintf(err, size, "cannot read interface '%s': %s", a->iface, strerror(-rc));
		return rc;
	}
	if (a->net.mtu > a->link.mtu) {
		snprintf(err, size,
				"Backend.MTU %u is above %s's MTU %u (vtepd's `mtu` minus 50): "
				"give "
				"vtepd a larger `mtu`",
				a->net.mtu, a->iface, a->link.mtu);
		return -EINVAL;
	}
	return 0;
}

static void
nl_result(struct agent *a, int rc, const char *what, uint32_t ip, uint8_t len)
{
	char s[16];

	if (rc == 0)
		return;
	a->prog_errors++;
	agent_log("%s %s/%u on %s: %s", what, vtep_flannel_ip_str(ip, s), len, a->iface,
			strerror(-rc));
}

static bool
in_network(const struct agent *a, uint32_t ip)
{
	uint32_t mask = a->net.network_len == 0 ? 0 : ~0u << (32 - a->net.network_len);

	return (ip & mask) == a->net.network;
}

/* The tap's addresses inside the network other than <subnet>.0/32 go (an older lease's). */
static void
on_addr(void *arg, uint32_t ip, uint8_t len)
{
	struct agent *a = arg;

	if (in_network(a, ip) && !(ip == a->subnet && len == 32))
		nl_result(a, vtep_nl_addr_del(&a->nl, a->link.ifindex, ip, len), "address del", ip,
				len);
}

void
prog_tap(struct agent *a)
{
	char cmd[96];

	if (!a->vtepd_up)
		return;
	if (a->net.mtu != 0 && a->net.mtu != a->link.mtu)
		a->link.mtu = a->net.mtu;
	nl_result(a, vtep_nl_link_up(&a->nl, a->link.ifindex, a->net.mtu), "link up", 0, 0);
	nl_result(a, vtep_nl_addr_replace(&a->nl, a->link.ifindex, a->subnet, 32), "address",
			a->subnet, 32);
	nl_result(a, vtep_nl_addr_dump(&a->nl, a->link.ifindex, on_addr, a), "address dump", 0, 0);
	snprintf(cmd, sizeof(cmd), "/vtep/learning,vni=%u,learning=off", a->net.vni);
	vtepd_do(a, cmd);
}

/* ---- peers --------------------------------------------------------------------------------- */

static void
fdb(struct agent *a, const char *verb, const struct vtep_flannel_peer *p)
{
	char cmd[160], mac[18], ip[16];

	if (strcmp(verb, "del") == 0)
		snprintf(cmd, sizeof(cmd), "/vtep/fdb_del,mac=%s,vni=%u",
				vtep_flannel_mac_str(p->vtep_mac, mac), a->net.vni);
	else
		snprintf(cmd, sizeof(cmd), "/vtep/fdb_replace,mac=%s,dst=%s,vni=%u",
				vtep_flannel_mac_str(p->vtep_mac, mac),
				vtep_flannel_ip_str(p->public_ip, ip), a->net.vni);
	vtepd_do(a, cmd);
}

static void
peer_add(struct agent *a, const struct vtep_flannel_peer *p)
{
	int ifi = a->link.ifindex;

	nl_result(a, vtep_nl_neigh_replace(&a->nl, ifi, p->subnet, p->vtep_mac), "neighbor",
			p->subnet, 32);
	fdb(a, "replace", p);
	nl_result(a, vtep_nl_route_replace(&a->nl, ifi, p->subnet, p->subnet_len, p->subnet),
			"route", p->subnet, p->subnet_len);
}

static void
peer_del(struct agent *a, const struct vtep_flannel_peer *p)
{
	int ifi = a->link.ifindex;

	nl_result(a, vtep_nl_route_del(&a->nl, ifi, p->subnet, p->subnet_len), "route del",
			p->subnet, p->subnet_len);
	nl_result(a, vtep_nl_neigh_del(&a->nl, ifi, p->subnet), "neighbor del", p->subnet, 32);
	fdb(a, "del", p);
}

void
prog_apply(struct agent *a, const struct vtep_flannel_op *op)
{
	static const char *const what[] = {"added", "changed", "removed"};
	const struct vtep_flannel_peer *p = &op->peer;
	char s[16], ip[16], mac[18];

	agent_log("peer %s/%u %s: PublicIP %s VtepMAC %s", vtep_flannel_ip_str(p->subnet, s),
			p->subnet_len, what[op->kind], vtep_flannel_ip_str(p->public_ip, ip),
			vtep_flannel_mac_str(p->vtep_mac, mac));
	/* Without vtepd there is no tap either: prog_all redoes everything when vtepd is back. */
	if (!a->vtepd_up)
		return;
	switch (op->kind) {
	case VTEP_FLANNEL_OP_ADD:
		peer_add(a, p);
		break;
	case VTEP_FLANNEL_OP_CHANGE:
		if (memcmp(op->old.vtep_mac, p->vtep_mac, 6) != 0)
			fdb(a, "del", &op->old);
		peer_add(a, p);
		break;
	case VTEP_FLANNEL_OP_DEL:
		peer_del(a, p);
		break;
	}
}

/* ---- stale entries (from before this run) -------------------------------------------------- */

static void
on_route(void *arg, uint32_t dst, uint8_t len)
{
	struct agent *a = arg;
	const struct vtep_flannel_peer *p = vtep_flannel_peers_find(&a->peers, dst);

	if (in_network(a, dst) && (p == NULL || p->subnet_len != len))
		nl_result(a, vtep_nl_route_del(&a->nl, a->link.ifindex, dst, len),
				"stale route del", dst, len);
}

static void
on_neigh(void *arg, uint32_t ip, uint8_t len __attribute__((unused)))
{
	struct agent *a = arg;

	if (in_network(a, ip) && vtep_flannel_peers_find(&a->peers, ip) == NULL)
		nl_result(a, vtep_nl_neigh_del(&a->nl, a->link.ifindex, ip), "stale neighbor del",
				ip, 32);
}

static bool
peer_mac(const struct agent *a, const char *mac)
{
	uint8_t m[6];

	if (vtep_flannel_mac_parse(mac, m) != 0)
		return false;
	for (unsigned int i = 0; i < a->peers.nb; i++)
		if (memcmp(a->peers.peers[i].vtep_mac, m, 6) == 0)
			return true;
	return false;
}

/* Static entries of our VNI that no peer has: the agent owns the VNI's static FDB. */
static void
fdb_stale(struct agent *a)
{
	char cmd[128], err[VTEP_FLANNEL_ERR_SIZE], stale[FDB_PAGE][18];
	unsigned int start = 0, got, nb;

	do {
		struct json_object *root, *val;

		snprintf(cmd, sizeof(cmd), "/vtep/fdb,vni=%u,state=static,start=%u", a->net.vni,
				start);
		root = vtepd_call(a, cmd, &val, err, sizeof(err));
		if (root == NULL) {
			agent_log("%s", err);
			return;
		}
		got = nb = 0;
		json_object_object_foreach(val, key, e)
		{
			(void)key;
			got++;
			if (!peer_mac(a, jstr(e, "mac")))
				snprintf(stale[nb++], sizeof(stale[0]), "%s", jstr(e, "mac"));
		}
		json_object_put(root);
		for (unsigned int i = 0; i < nb; i++) {
			agent_log("stale FDB entry %s (no lease has it): deleting", stale[i]);
			snprintf(cmd, sizeof(cmd), "/vtep/fdb_del,mac=%.17s,vni=%u", stale[i],
					a->net.vni);
			vtepd_do(a, cmd);
		}
		start += got - nb;
	} while (got == FDB_PAGE);
}

void
prog_stale(struct agent *a)
{
	if (!a->vtepd_up)
		return;
	fdb_stale(a);
	nl_result(a, vtep_nl_route_dump(&a->nl, a->link.ifindex, on_route, a), "route dump", 0, 0);
	nl_result(a, vtep_nl_neigh_dump(&a->nl, a->link.ifindex, on_neigh, a), "neighbor dump", 0,
			0);
}

void
prog_all(struct agent *a)
{
	prog_tap(a);
	for (unsigned int i = 0; i < a->peers.nb && a->vtepd_up; i++)
		peer_add(a, &a->peers.peers[i]);
	prog_stale(a);
}

void
prog_undo(struct agent *a)
{
	if (!a->vtepd_up)
		return;
	for (unsigned int i = 0; i < a->peers.nb; i++)
		peer_del(a, &a->peers.peers[i]);
	nl_result(a, vtep_nl_addr_del(&a->nl, a->link.ifindex, a->subnet, 32), "address del",
			a->subnet, 32);
	agent_log("removed %u peers and %s's address", a->peers.nb, a->iface);
}

/* ---- subnet.env ---------------------------------------------------------------------------- */

static void
mkdirs(const char *path)
{
	char dir[256], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
}

int
prog_subnet_env(struct agent *a)
{
	const char *path = a->conf->subnet_file;
	char text[256], tmp[300];
	FILE *f;
	int n;

	n = vtep_flannel_subnet_env(&a->net, a->subnet, a->link.mtu, text, sizeof(text));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	mkdirs(path);
	f = fopen(tmp, "w");
	if (f != NULL) {
		bool ok = n >= 0 && fwrite(text, 1, (size_t)n, f) == (size_t)n;

		if (fclose(f) == 0 && ok && rename(tmp, path) == 0)
			return 0;
	}
	agent_log("cannot write %s: %s", path, strerror(errno));
	return -1;
}
