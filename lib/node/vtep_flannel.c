/* SPDX-License-Identifier: BSD-3-Clause */
/* flannel's config and lease formats and a node's decisions; no I/O (vtep_flannel.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "vtep_flannel.h"

#define VNI_MAX 0xffffffu
/* RFC 791: every IPv4 host takes a 68-byte datagram. */
#define MTU_MIN 68
#define MTU_MAX 9550

static int
err_set(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Member name of obj, matched without regard to case, as Go's encoding/json (flannel) does. */
static struct json_object *
member(struct json_object *obj, const char *name)
{
	json_object_object_foreach(obj, key, val)
	{
		if (strcasecmp(key, name) == 0)
			return val;
	}
	return NULL;
}

/* Parse one JSON object from json/len. @return it (to be put), or NULL with err set. */
static struct json_object *
parse_object(const char *what, const char *json, size_t len, char *err, size_t size)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;

	if (tok == NULL) {
		err_set(err, size, "out of memory");
		return NULL;
	}
	obj = json_tokener_parse_ex(tok, json, (int)len);
	if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success ||
			tok->char_offset != (int)len) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		if (obj != NULL && e == json_tokener_success) /* a value, then more text */
			err_set(err, size, "%s is not JSON: text after the object at offset %d",
					what, tok->char_offset);
		else
			err_set(err, size, "%s is not JSON: %s", what,
					e == json_tokener_continue ? "unexpected end"
								   : json_tokener_error_desc(e));
		json_object_put(obj);
		obj = NULL;
	} else if (!json_object_is_type(obj, json_type_object)) {
		err_set(err, size, "%s is not a JSON object", what);
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

/* Whole-number member; absent keeps *out. @return 0, or -EINVAL when it is not one in range. */
static int
get_uint(struct json_object *obj, const char *name, uint64_t max, uint64_t *out, char *err,
		size_t size)
{
	struct json_object *v = member(obj, name);
	int64_t n;

	if (v == NULL || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return err_set(err, size, "%s must be a whole number, not %s", name,
				json_object_to_json_string(v));
	n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n > max)
		return err_set(err, size, "%s %lld is out of range 0..%llu", name, (long long)n,
				(unsigned long long)max);
	*out = (uint64_t)n;
	return 0;
}

static int
parse_ip(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*ip = ntohl(a.s_addr);
	return 0;
}

/* "A.B.C.D/LEN"; host bits are cleared, as Go's net.ParseCIDR (flannel) does. */
static int
parse_prefix(const char *s, uint32_t *ip, uint8_t *len)
{
	char buf[32], *slash, *end;
	unsigned long l;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash == NULL || slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	*slash = '\0';
	l = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || l > 32 || parse_ip(buf, ip) != 0)
		return -EINVAL;
	*len = (uint8_t)l;
	*ip &= l == 0 ? 0 : ~0u << (32 - l);
	return 0;
}

static uint32_t
mask_of(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static bool
inside(uint32_t ip, uint32_t net, uint8_t len)
{
	return (ip & mask_of(len)) == net;
}

/* Optional string member; absent gives NULL. @return 0, or -EINVAL when it is not a string. */
static int
get_str(struct json_object *obj, const char *name, const char **out, char *err, size_t size)
{
	struct json_object *v = member(obj, name);

	*out = NULL;
	if (v == NULL || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return err_set(err, size, "%s must be a string, not %s", name,
				json_object_to_json_string(v));
	*out = json_object_get_string(v);
	return 0;
}

static int
get_bool(struct json_object *obj, const char *name, bool *out, char *err, size_t size)
{
	struct json_object *v = member(obj, name);

	if (v == NULL || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return err_set(err, size, "%s must be true or false, not %s", name,
				json_object_to_json_string(v));
	*out = json_object_get_boolean(v);
	return 0;
}

/* Network, SubnetLen, SubnetMin, SubnetMax: flannel's checks and defaults (config.go). */
static int
net_subnets(struct json_object *o, struct vtep_flannel_net *net, char *err, size_t size)
{
	const char *s, *smin, *smax;
	uint64_t sl = 0;
	uint32_t step;

	if (get_str(o, "Network", &s, err, size) != 0)
		return -EINVAL;
	if (s == NULL)
		return err_set(err, size, "network config has no Network (e.g. \"10.244.0.0/16\")");
	if (parse_prefix(s, &net->network, &net->network_len) != 0)
		return err_set(err, size, "Network '%s' is not an IPv4 prefix A.B.C.D/LEN", s);
	if (get_uint(o, "SubnetLen", 32, &sl, err, size) != 0)
		return -EINVAL;
	if (sl > 0) {
		if (sl > 30)
			return err_set(err, size, "SubnetLen %u: must be at most 30", (unsigned)sl);
		if (sl < (uint64_t)net->network_len + 2)
			return err_set(err, size,
					"SubnetLen %u: Network /%u must hold at least four subnets",
					(unsigned)sl, net->network_len);
	} else if (net->network_len > 28) {
		return err_set(err, size, "Network /%u is too small: flannel needs a /28 or larger",
				net->network_len);
	} else {
		/* A /24 per host when Network holds four of them, else Network split in four. */
		sl = net->network_len <= 22 ? 24 : net->network_len + 2u;
	}
	net->subnet_len = (uint8_t)sl;
	step = 1u << (32 - sl);
	if (get_str(o, "SubnetMin", &smin, err, size) != 0 ||
			get_str(o, "SubnetMax", &smax, err, size) != 0)
		return -EINVAL;
	/* The first subnet is skipped: its .0 would be the Network's own address. */
	net->subnet_min = net->network + step;
	net->subnet_max = (net->network | ~mask_of(net->network_len)) - step + 1;
	if (smin != NULL &&
			(parse_ip(smin, &net->subnet_min) != 0 ||
					!inside(net->subnet_min, net->network, net->network_len)))
		return err_set(err, size, "SubnetMin '%s' is not an address inside Network", smin);
	if (smax != NULL &&
			(parse_ip(smax, &net->subnet_max) != 0 ||
					!inside(net->subnet_max, net->network, net->network_len)))
		return err_set(err, size, "SubnetMax '%s' is not an address inside Network", smax);
	if ((net->subnet_min & (step - 1)) != 0)
		return err_set(err, size, "SubnetMin '%s' is not on a /%u boundary", smin,
				(unsigned)sl);
	if ((net->subnet_max & (step - 1)) != 0)
		return err_set(err, size, "SubnetMax '%s' is not on a /%u boundary", smax,
				(unsigned)sl);
	if (net->subnet_min > net->subnet_max)
		return err_set(err, size, "SubnetMin is above SubnetMax");
	return 0;
}

/* Backend: present, Type vxlan, VNI, Port, MTU, no DirectRouting. */
static int
net_backend(struct json_object *o, struct vtep_flannel_net *net, char *err, size_t size)
{
	struct json_object *b = member(o, "Backend");
	uint64_t vni = 1, port = 0, mtu = 0;
	bool direct = false;
	const char *type;

	if (b == NULL || json_object_is_type(b, json_type_null))
		return err_set(err, size,
				"network config has no Backend: flannel then uses its \"udp\" "
				"backend, which vtepd does not speak; set \"Backend\": "
				"{\"Type\": \"vxlan\"}");
	if (!json_object_is_type(b, json_type_object))
		return err_set(err, size, "Backend must be an object, not %s",
				json_object_to_json_string(b));
	if (get_str(b, "Type", &type, err, size) != 0)
		return -EINVAL;
	if (type == NULL)
		return err_set(err, size, "Backend has no Type: vtepd joins \"vxlan\" networks");
	if (strcmp(type, "vxlan") != 0)
		return err_set(err, size,
				"Backend.Type is \"%s\": vtepd is a VXLAN endpoint and joins only "
				"\"vxlan\" networks",
				type);
	if (get_uint(b, "VNI", VNI_MAX, &vni, err, size) != 0 ||
			get_uint(b, "Port", 65535, &port, err, size) != 0 ||
			get_uint(b, "MTU", MTU_MAX, &mtu, err, size) != 0 ||
			get_bool(b, "DirectRouting", &direct, err, size) != 0)
		return -EINVAL;
	if (mtu != 0 && mtu < MTU_MIN)
		return err_set(err, size, "Backend.MTU %u is below %u", (unsigned)mtu, MTU_MIN);
	if (direct)
		return err_set(err, size,
				"Backend.DirectRouting is not supported: peers on vtepd's underlay "
				"subnet would send plain IP to vtepd's port, which carries only "
				"VXLAN");
	net->vni = (uint32_t)vni;
	net->port = port == 0 ? VTEP_FLANNEL_KERNEL_PORT : (uint16_t)port;
	net->mtu = (uint16_t)mtu;
	return 0;
}

int
vtep_flannel_net_parse(const char *json, size_t len, struct vtep_flannel_net *net, char *err,
		size_t err_size)
{
	struct json_object *o = parse_object("network config", json, len, err, err_size);
	bool v4 = true, v6 = false;
	int rc;

	if (o == NULL)
		return -EINVAL;
	memset(net, 0, sizeof(*net));
	rc = get_bool(o, "EnableIPv4", &v4, err, err_size);
	if (rc == 0)
		rc = get_bool(o, "EnableIPv6", &v6, err, err_size);
	if (rc == 0 && !v4)
		rc = err_set(err, err_size, "EnableIPv4 is false: vtepd has an IPv4 overlay only");
	if (rc == 0 && v6)
		rc = err_set(err, err_size,
				"EnableIPv6 is true: vtepd has no IPv6 underlay or overlay");
	if (rc == 0)
		rc = net_subnets(o, net, err, err_size);
	if (rc == 0)
		rc = net_backend(o, net, err, err_size);
	json_object_put(o);
	return rc;
}

int
vtep_flannel_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;

	if (s == NULL || strlen(s) != 17 ||
			sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
					&b[5], &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

const char *
vtep_flannel_mac_str(const uint8_t mac[6], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
			mac[5]);
	return buf;
}

const char *
vtep_flannel_ip_str(uint32_t ip, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
	return buf;
}

static bool
mac_unicast(const uint8_t mac[6])
{
	return (mac[0] & 1) == 0 && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) != 0;
}

int
vtep_flannel_lease_parse(const char *json, size_t len, struct vtep_flannel_lease *l, char *err,
		size_t err_size)
{
	struct json_object *o = parse_object("lease", json, len, err, err_size), *bd;
	const char *ip, *type, *mac;
	uint64_t vni = 0;
	int rc = -EINVAL;

	if (o == NULL)
		return -EINVAL;
	l->vxlan = l->has_mac = false;
	l->vni = 0;
	if (get_str(o, "PublicIP", &ip, err, err_size) != 0 ||
			get_str(o, "BackendType", &type, err, err_size) != 0)
		goto out;
	if (ip == NULL || parse_ip(ip, &l->public_ip) != 0) {
		err_set(err, err_size, "lease has no valid PublicIP");
		goto out;
	}
	l->vxlan = type != NULL && strcmp(type, "vxlan") == 0;
	bd = member(o, "BackendData");
	if (bd != NULL && json_object_is_type(bd, json_type_object)) {
		if (get_uint(bd, "VNI", VNI_MAX, &vni, err, err_size) == 0)
			l->vni = (uint32_t)vni;
		if (get_str(bd, "VtepMAC", &mac, err, err_size) == 0 &&
				vtep_flannel_mac_parse(mac, l->vtep_mac) == 0)
			l->has_mac = mac_unicast(l->vtep_mac);
	}
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

int
vtep_flannel_lease_format(const struct vtep_flannel_lease *l, char *buf, size_t size)
{
	char ip[16], mac[18];
	int n;

	n = snprintf(buf, size,
			"{\"PublicIP\":\"%s\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\","
			"\"BackendData\":{\"VNI\":%u,\"VtepMAC\":\"%s\"}}",
			vtep_flannel_ip_str(l->public_ip, ip), l->vni,
			vtep_flannel_mac_str(l->vtep_mac, mac));
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

int
vtep_flannel_key_format(const char *prefix, uint32_t subnet, uint8_t len, char *buf, size_t size)
{
	char ip[16];
	int n;

	n = snprintf(buf, size, "%s/subnets/%s-%u", prefix, vtep_flannel_ip_str(subnet, ip), len);
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

int
vtep_flannel_key_parse(const char *prefix, const char *key, uint32_t *subnet, uint8_t *len)
{
	size_t pl = strlen(prefix);
	char buf[32], *dash, *end;
	unsigned long l;

	if (strncmp(key, prefix, pl) != 0 || strncmp(key + pl, "/subnets/", 9) != 0)
		return -EINVAL;
	key += pl + 9;
	if (strlen(key) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, key);
	dash = strchr(buf, '-');
	if (dash == NULL || dash[1] < '0' || dash[1] > '9')
		return -EINVAL;
	*dash = '\0';
	l = strtoul(dash + 1, &end, 10);
	if (*end != '\0' || l > 32 || parse_ip(buf, subnet) != 0 || (*subnet & ~mask_of(l)) != 0)
		return -EINVAL;
	*len = (uint8_t)l;
	return 0;
}

bool
vtep_flannel_subnet_valid(const struct vtep_flannel_net *net, uint32_t subnet, uint8_t len)
{
	return len == net->subnet_len && inside(subnet, net->network, net->network_len) &&
			(subnet & ~mask_of(len)) == 0;
}

static bool
taken_has(const uint32_t *taken, unsigned int nb, uint32_t s)
{
	for (unsigned int i = 0; i < nb; i++)
		if (taken[i] == s)
			return true;
	return false;
}

int
vtep_flannel_subnet_pick(const struct vtep_flannel_net *net, const uint32_t *taken,
		unsigned int nb_taken, uint32_t rnd, uint32_t *subnet)
{
	uint32_t step = 1u << (32 - net->subnet_len), found[VTEP_FLANNEL_PICK_MAX];
	unsigned int nb = 0;

	for (uint64_t s = net->subnet_min; s <= net->subnet_max && nb < VTEP_FLANNEL_PICK_MAX;
			s += step)
		if (!taken_has(taken, nb_taken, (uint32_t)s))
			found[nb++] = (uint32_t)s;
	if (nb == 0)
		return -ENOSPC;
	*subnet = found[rnd % nb];
	return 0;
}

int
vtep_flannel_subnet_env(const struct vtep_flannel_net *net, uint32_t subnet, unsigned int mtu,
		char *buf, size_t size)
{
	char n[16], s[16];
	int len;

	len = snprintf(buf, size,
			"FLANNEL_NETWORK=%s/%u\nFLANNEL_SUBNET=%s/%u\nFLANNEL_MTU=%u\n"
			"FLANNEL_IPMASQ=false\n",
			vtep_flannel_ip_str(net->network, n), net->network_len,
			vtep_flannel_ip_str(subnet + 1, s), net->subnet_len, mtu);
	return len < 0 || (size_t)len >= size ? -ENOSPC : len;
}

enum vtep_flannel_kind
vtep_flannel_classify(const struct vtep_flannel_lease *l, uint32_t own_subnet, uint8_t own_len,
		uint32_t own_ip)
{
	if (own_len != 0 && l->subnet == own_subnet && l->subnet_len == own_len)
		return l->public_ip == own_ip ? VTEP_FLANNEL_SELF : VTEP_FLANNEL_CONFLICT;
	if (!l->vxlan || !l->has_mac || l->public_ip == own_ip)
		return VTEP_FLANNEL_IGNORE;
	return VTEP_FLANNEL_PEER;
}

/* Position of subnet in the sorted table, or where it would go. */
static unsigned int
peers_pos(const struct vtep_flannel_peers *t, uint32_t subnet)
{
	unsigned int lo = 0, hi = t->nb;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (t->peers[mid].subnet < subnet)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct vtep_flannel_peer *
vtep_flannel_peers_find(const struct vtep_flannel_peers *t, uint32_t subnet)
{
	unsigned int i = peers_pos(t, subnet);

	return i < t->nb && t->peers[i].subnet == subnet ? &t->peers[i] : NULL;
}

int
vtep_flannel_peers_put(struct vtep_flannel_peers *t, const struct vtep_flannel_lease *l, time_t now,
		struct vtep_flannel_op *op)
{
	unsigned int i = peers_pos(t, l->subnet);
	struct vtep_flannel_peer *p;

	if (i < t->nb && t->peers[i].subnet == l->subnet) {
		p = &t->peers[i];
		p->mark = true;
		p->seen = now;
		if (p->subnet_len == l->subnet_len && p->public_ip == l->public_ip &&
				memcmp(p->vtep_mac, l->vtep_mac, 6) == 0)
			return 0;
		op->kind = VTEP_FLANNEL_OP_CHANGE;
		op->old = *p;
	} else {
		if (t->nb == t->size) {
			unsigned int size = t->size == 0 ? 16 : t->size * 2;
			struct vtep_flannel_peer *n = realloc(t->peers, size * sizeof(*n));

			if (n == NULL)
				return -ENOMEM;
			t->peers = n;
			t->size = size;
		}
		memmove(&t->peers[i + 1], &t->peers[i], (t->nb - i) * sizeof(t->peers[0]));
		t->nb++;
		p = &t->peers[i];
		p->mark = true;
		p->seen = now;
		op->kind = VTEP_FLANNEL_OP_ADD;
	}
	p->subnet = l->subnet;
	p->subnet_len = l->subnet_len;
	p->public_ip = l->public_ip;
	memcpy(p->vtep_mac, l->vtep_mac, 6);
	op->peer = *p;
	return 1;
}

static void
peers_remove(struct vtep_flannel_peers *t, unsigned int i, struct vtep_flannel_op *op)
{
	op->kind = VTEP_FLANNEL_OP_DEL;
	op->peer = t->peers[i];
	memmove(&t->peers[i], &t->peers[i + 1], (t->nb - i - 1) * sizeof(t->peers[0]));
	t->nb--;
}

int
vtep_flannel_peers_del(struct vtep_flannel_peers *t, uint32_t subnet, struct vtep_flannel_op *op)
{
	unsigned int i = peers_pos(t, subnet);

	if (i >= t->nb || t->peers[i].subnet != subnet)
		return 0;
	peers_remove(t, i, op);
	return 1;
}

void
vtep_flannel_peers_sync_begin(struct vtep_flannel_peers *t)
{
	for (unsigned int i = 0; i < t->nb; i++)
		t->peers[i].mark = false;
}

int
vtep_flannel_peers_sync_next_stale(struct vtep_flannel_peers *t, struct vtep_flannel_op *op)
{
	for (unsigned int i = 0; i < t->nb; i++) {
		if (!t->peers[i].mark) {
			peers_remove(t, i, op);
			return 1;
		}
	}
	return 0;
}

void
vtep_flannel_peers_free(struct vtep_flannel_peers *t)
{
	free(t->peers);
	memset(t, 0, sizeof(*t));
}
