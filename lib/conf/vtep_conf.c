/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration words -> struct vtep_conf. One table maps each word to a handler; the handler
 * checks and stores its values and says how many words it consumed. Nothing here needs EAL:
 * addresses go through inet_pton, numbers through strtoul with every character checked.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_common.h>

#include "vtep_conf.h"
#include "vtep_conf_priv.h"

/** A word: its handler gets the words after it and returns how many it used, or -errno. */
struct conf_word {
	const char *name;
	int nb_args;    /* Words that must follow (a handler may take more). */
	bool vni_scope; /* Needs a preceding `id`; numbers go to the VNI, not the conf. */
	int (*fn)(struct conf_parser *p, const char *opt, char *const args[], int nb_args);
	const char *syntax;
	const char *help;
	/* Plain numeric words (w_num): where the value goes and what it may be. */
	size_t off;
	size_t size;
	unsigned long min, max;
	const char *what;
};

static int
w_dev(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	return vtep_conf_parse_name(p, opt, a[0], p->conf->dev) < 0 ? -EINVAL : 1;
}

static int
w_local(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	char addr[INET_ADDRSTRLEN + 4];
	char *slash;
	unsigned long len = 24;

	if (strlen(a[0]) >= sizeof(addr))
		return vtep_conf_perr(p, "%s: '%s' is not an IPv4 address", opt, a[0]);
	strcpy(addr, a[0]);
	slash = strchr(addr, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (vtep_conf_parse_ulong(slash + 1, 1, 32, &len) < 0)
			return vtep_conf_perr(p, "%s: '%s' has no prefix length 1..32", opt, a[0]);
	}
	if (vtep_conf_parse_unicast_ip(p, opt, addr, &p->conf->local_be) < 0)
		return -EINVAL;
	p->conf->prefix_len = (uint8_t)len;
	return 1;
}

static int
w_gateway(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	return vtep_conf_parse_unicast_ip(p, opt, a[0], &p->conf->gateway_be) < 0 ? -EINVAL : 1;
}

static int
w_srcport(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	unsigned long lo, hi;

	if (vtep_conf_parse_num(p, opt, a[0], 1, UINT16_MAX, "a port", &lo) < 0 ||
			vtep_conf_parse_num(p, opt, a[1], 1, UINT16_MAX, "a port", &hi) < 0)
		return -EINVAL;
	/* The kernel refuses the same ("Invalid source port range"). */
	if (lo > hi)
		return vtep_conf_perr(p, "%s: range %lu %lu is reversed", opt, lo, hi);
	p->conf->srcport_min = (uint16_t)lo;
	p->conf->srcport_max = (uint16_t)hi;
	return 2;
}

static int
w_udpcsum(struct conf_parser *p, const char *opt, char *const a[] __rte_unused, int n __rte_unused)
{
	p->conf->udpcsum = strcmp(opt, "udpcsum") == 0;
	return 0;
}

static int
w_mtu(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	unsigned long v;

	if (vtep_conf_parse_num(p, opt, a[0], CONF_MIN_MTU, CONF_MAX_MTU, "an MTU", &v) < 0)
		return -EINVAL;
	if (v < CONF_MIN_MTU + CONF_VXLAN_OVERHEAD)
		return vtep_conf_perr(p,
				"%s: '%s' leaves an inner MTU below %d (VXLAN adds %d bytes)", opt,
				a[0], CONF_MIN_MTU, CONF_VXLAN_OVERHEAD);
	p->conf->mtu = (uint16_t)v;
	return 1;
}

/* Global before any `id` (the whole FDB), per VNI after one (like the kernel's per device). */
static int
w_maxaddress(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	uint32_t *field = p->vni != NULL ? &p->vni->maxaddress : &p->conf->maxaddress;
	unsigned long v;

	if (vtep_conf_parse_num(p, opt, a[0], 0, UINT32_MAX, "a number of entries", &v) < 0)
		return -EINVAL;
	*field = (uint32_t)v;
	return 1;
}

/* A plain number stored in the conf (global words) or the current VNI (VNI words). */
static int
w_num(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	const struct conf_word *w = p->word;
	void *field = RTE_PTR_ADD(w->vni_scope ? (void *)p->vni : (void *)p->conf, w->off);
	unsigned long v;

	if (vtep_conf_parse_num(p, opt, a[0], w->min, w->max, w->what, &v) < 0)
		return -EINVAL;
	if (w->size == sizeof(uint8_t))
		*(uint8_t *)field = (uint8_t)v;
	else if (w->size == sizeof(uint16_t))
		*(uint16_t *)field = (uint16_t)v;
	else
		*(uint32_t *)field = (uint32_t)v;
	return 1;
}

static int
w_id(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	struct vtep_conf *c = p->conf;
	struct vtep_vni_conf *v;
	unsigned long vni;

	if (vtep_conf_parse_num(p, opt, a[0], 0, CONF_MAX_VNI, "a VNI", &vni) < 0)
		return -EINVAL;
	if (vtep_conf_vni_index(c, (uint32_t)vni) >= 0)
		return vtep_conf_perr(p, "%s: %lu listed twice", opt, vni);
	if (c->nb_vnis >= VTEP_MAX_VNIS)
		return vtep_conf_perr(
				p, "%s: %lu is one VNI too many (max %d)", opt, vni, VTEP_MAX_VNIS);
	v = &c->vnis[c->nb_vnis++];
	memset(v, 0, sizeof(*v));
	v->vni = (uint32_t)vni;
	v->ttl = VTEP_TTL_AUTO;
	v->learning = true;
	v->ageing = 300;
	v->damp_moves = CONF_DAMP_MOVES;
	v->damp_window = CONF_DAMP_WINDOW;
	v->damp_hold = CONF_DAMP_HOLD;
	p->vni = v;
	return 1;
}

static int
w_group(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	rte_be32_t ip_be = 0;

	if (vtep_conf_parse_ip(p, opt, a[0], &ip_be) < 0)
		return -EINVAL;
	if ((rte_be_to_cpu_32(ip_be) >> 28) != 0xe) /* 224.0.0.0/4 */
		return vtep_conf_perr(p, "%s: '%s' is not a multicast address", opt, a[0]);
	p->vni->group_be = ip_be;
	return 1;
}

/* One more head-end replication remote (the kernel's all-zeros FDB entry list). */
static int
add_flood(struct conf_parser *p, const char *opt, struct vtep_vni_conf *v, const char *s)
{
	rte_be32_t ip_be = 0;
	unsigned int i;

	if (vtep_conf_parse_unicast_ip(p, opt, s, &ip_be) < 0)
		return -EINVAL;
	for (i = 0; i < v->nb_floods; i++)
		if (v->floods_be[i] == ip_be)
			return vtep_conf_perr(p, "%s: %s listed twice", opt, s);
	if (v->nb_floods >= VTEP_MAX_FLOOD)
		return vtep_conf_perr(p, "%s: %s is one remote too many for id %u (max %d)", opt, s,
				v->vni, VTEP_MAX_FLOOD);
	v->floods_be[v->nb_floods++] = ip_be;
	return 0;
}

static int
w_remote(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	return add_flood(p, opt, p->vni, a[0]) < 0 ? -EINVAL : 1;
}

/* One more attachment of the current VNI: a whole port, or a VLAN / the untagged frames of a
 * trunk. The whole-config rules (one whole port per port, limits) are vtep_conf_validate's. */
static int
add_att(struct conf_parser *p, const char *opt, const char *port, uint16_t vlan,
		uint32_t maxaddress)
{
	struct vtep_conf *c = p->conf;
	struct vtep_att_conf *at;

	if (c->nb_atts >= VTEP_MAX_ATTS)
		return vtep_conf_perr(p, "%s: '%s' is one attachment too many (max %d)", opt, port,
				VTEP_MAX_ATTS);
	at = &c->atts[c->nb_atts];
	memset(at, 0, sizeof(*at));
	if (vtep_conf_parse_name(p, opt, port, at->port) < 0)
		return -EINVAL;
	at->vlan = vlan;
	at->inner = strcmp(opt, "inner") == 0;
	at->vni = p->vni->vni;
	at->maxaddress = maxaddress;
	c->nb_atts++;
	return 0;
}

static int
w_inner(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	return add_att(p, opt, a[0], VTEP_VLAN_NONE, 0) < 0 ? -EINVAL : 1;
}

/* A VLAN id word: 1..4094 (0 is a priority tag, 4095 reserved: IEEE 802.1Q). */
static int
parse_vlan(struct conf_parser *p, const char *opt, const char *s, uint16_t *vlan)
{
	unsigned long v;

	if (vtep_conf_parse_num(p, opt, s, 1, VTEP_VLAN_MAX, "a VLAN id", &v) < 0)
		return -EINVAL;
	*vlan = (uint16_t)v;
	return 0;
}

/* port NAME [vlan V | untagged] [maxaddress N] (ip link set dev NAME master br; bridge vlan add).
 */
static int
w_port(struct conf_parser *p, const char *opt, char *const a[], int n)
{
	uint16_t vlan = VTEP_VLAN_NONE;
	unsigned long max = 0;
	int i = 1;

	if (i < n && strcmp(a[i], "vlan") == 0) {
		if (i + 1 >= n)
			return vtep_conf_perr(p, "%s: vlan: missing value", opt);
		if (parse_vlan(p, opt, a[i + 1], &vlan) < 0)
			return -EINVAL;
		i += 2;
	} else if (i < n && strcmp(a[i], "untagged") == 0) {
		vlan = VTEP_VLAN_UNTAGGED;
		i++;
	}
	if (i < n && strcmp(a[i], "maxaddress") == 0) {
		if (i + 1 >= n)
			return vtep_conf_perr(p, "%s: maxaddress: missing value", opt);
		if (vtep_conf_parse_num(p, opt, a[i + 1], 0, UINT32_MAX, "a number of entries",
				    &max) < 0)
			return -EINVAL;
		i += 2;
	}
	return add_att(p, opt, a[0], vlan, (uint32_t)max) < 0 ? -EINVAL : i;
}

static int
w_address(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	if (vtep_conf_parse_unicast_mac(p, opt, a[0], &p->vni->inner_mac) < 0)
		return -EINVAL;
	p->vni->inner_mac_set = true;
	return 1;
}

static int
w_ttl(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	unsigned long v;

	if (strcmp(a[0], "auto") == 0)
		p->vni->ttl = VTEP_TTL_AUTO;
	else if (strcmp(a[0], "inherit") == 0)
		p->vni->ttl = VTEP_INHERIT;
	else if (vtep_conf_parse_ulong(a[0], 1, 255, &v) == 0)
		p->vni->ttl = (int)v;
	else
		return vtep_conf_perr(
				p, "%s: '%s' is not a TTL (1..255, auto, inherit)", opt, a[0]);
	return 1;
}

static int
w_tos(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	unsigned long v;

	if (strcmp(a[0], "inherit") == 0)
		p->vni->tos = VTEP_INHERIT;
	else if (vtep_conf_parse_ulong(a[0], 0, 255, &v) == 0)
		p->vni->tos = (int)v;
	else
		return vtep_conf_perr(p, "%s: '%s' is not a TOS (0..255, inherit)", opt, a[0]);
	return 1;
}

static int
w_learning(struct conf_parser *p, const char *opt, char *const a[] __rte_unused, int n __rte_unused)
{
	p->vni->learning = strcmp(opt, "learning") == 0;
	return 0;
}

/*
 * learnrate N [burst B]: at most N learns (new entries and moves) a second in this VNI, B at once
 * (default N). No kernel equivalent: the kernel learns every source it sees.
 */
static int
w_learnrate(struct conf_parser *p, const char *opt, char *const a[], int n)
{
	unsigned long rate, burst = 0;

	if (vtep_conf_parse_num(p, opt, a[0], 0, CONF_MAX_RATE, "a number of learns a second",
			    &rate) < 0)
		return -EINVAL;
	if (n >= 2 && strcmp(a[1], "burst") == 0) {
		if (n < 3)
			return vtep_conf_perr(p, "%s: burst: missing value", opt);
		if (vtep_conf_parse_num(p, opt, a[2], 1, CONF_MAX_RATE, "a burst of learns",
				    &burst) < 0)
			return -EINVAL;
		if (rate == 0)
			return vtep_conf_perr(p, "%s: burst %lu needs a rate above 0", opt, burst);
	}
	p->vni->learnrate = (uint32_t)rate;
	p->vni->learnburst = (uint32_t)burst;
	return burst != 0 ? 3 : 1;
}

/*
 * movedamp MOVES SECONDS HOLD: a MAC that would move more than MOVES times within SECONDS is frozen
 * at its current remote for HOLD seconds. nomovedamp: never. No kernel equivalent (EVPN's MAC
 * mobility, RFC 7432 section 15.1, and FRR's dup-addr-detection do the same for BGP routes).
 */
static int
w_movedamp(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	unsigned long moves, window, hold;

	if (strcmp(opt, "nomovedamp") == 0) {
		p->vni->damp_moves = 0;
		return 0;
	}
	if (vtep_conf_parse_num(p, opt, a[0], 1, CONF_DAMP_MAX_MOVES, "a number of moves", &moves) <
					0 ||
			vtep_conf_parse_num(p, opt, a[1], 1, CONF_DAMP_MAX_SECONDS,
					"a number of seconds", &window) < 0 ||
			vtep_conf_parse_num(p, opt, a[2], 1, CONF_DAMP_MAX_SECONDS,
					"a number of seconds", &hold) < 0)
		return -EINVAL;
	p->vni->damp_moves = (uint32_t)moves;
	p->vni->damp_window = (uint32_t)window;
	p->vni->damp_hold = (uint32_t)hold;
	return 3;
}

/* allow IP[/LEN]: one more prefix of the VNI's allow list (a host without /LEN). */
static int
w_allow(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	struct vtep_vni_conf *v = p->vni;
	char addr[INET_ADDRSTRLEN + 4];
	unsigned long len = 32;
	rte_be32_t ip_be = 0;
	uint32_t mask;
	char *slash;

	if (strlen(a[0]) >= sizeof(addr))
		return vtep_conf_perr(p, "%s: '%s' is not an IPv4 prefix", opt, a[0]);
	strcpy(addr, a[0]);
	slash = strchr(addr, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (vtep_conf_parse_ulong(slash + 1, 1, 32, &len) < 0)
			return vtep_conf_perr(p, "%s: '%s' has no prefix length 1..32", opt, a[0]);
	}
	if (vtep_conf_parse_ip(p, opt, addr, &ip_be) < 0)
		return -EINVAL;
	mask = ~0u << (32 - len);
	if ((rte_be_to_cpu_32(ip_be) & ~mask) != 0)
		return vtep_conf_perr(p, "%s: '%s' has host bits set", opt, a[0]);
	/* A remote VTEP is a unicast host: no prefix of 0/8, 127/8, 224/4 or 240/4. */
	if (!vtep_conf_ip_is_unicast(ip_be))
		return vtep_conf_perr(p, "%s: '%s' is not a unicast prefix", opt, a[0]);
	for (unsigned int i = 0; i < v->nb_allows; i++)
		if (v->allows[i].net_be == ip_be && v->allows[i].len == len)
			return vtep_conf_perr(p, "%s: %s listed twice", opt, a[0]);
	if (v->nb_allows >= VTEP_MAX_ALLOW)
		return vtep_conf_perr(p, "%s: %s is one prefix too many for id %u (max %d)", opt,
				a[0], v->vni, VTEP_MAX_ALLOW);
	v->allows[v->nb_allows].net_be = ip_be;
	v->allows[v->nb_allows++].len = (uint8_t)len;
	return 1;
}

static int
w_neigh(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	struct vtep_conf *c = p->conf;
	struct vtep_neigh_conf ne;
	unsigned int i;

	if (vtep_conf_parse_unicast_ip(p, opt, a[0], &ne.ip_be) < 0)
		return -EINVAL;
	if (strcmp(a[1], "lladdr") != 0)
		return vtep_conf_perr(
				p, "%s: expected 'lladdr' after %s, got '%s'", opt, a[0], a[1]);
	if (vtep_conf_parse_unicast_mac(p, opt, a[2], &ne.mac) < 0)
		return -EINVAL;
	for (i = 0; i < c->nb_neighs; i++)
		if (c->neighs[i].ip_be == ne.ip_be)
			return vtep_conf_perr(p, "%s: %s listed twice", opt, a[0]);
	if (c->nb_neighs >= VTEP_MAX_STATIC)
		return vtep_conf_perr(p, "%s: %s is one neighbor too many (max %d)", opt, a[0],
				VTEP_MAX_STATIC);
	c->neighs[c->nb_neighs++] = ne;
	return 3;
}

/* A static entry; f holds the VNI, and the dev (local) or nothing (dst_s is the remote). */
static int
add_static_fdb(struct conf_parser *p, const char *opt, struct vtep_fdb_conf *f, const char *mac_s,
		const char *ip_s)
{
	struct vtep_conf *c = p->conf;
	unsigned int i;

	if (vtep_conf_parse_unicast_mac(p, opt, mac_s, &f->mac) < 0 ||
			(ip_s != NULL && vtep_conf_parse_unicast_ip(p, opt, ip_s, &f->dst_be) < 0))
		return -EINVAL;
	/* A local entry without a VNI takes its attachment's: duplicates are found then. */
	for (i = 0; f->vni_set && i < c->nb_fdbs; i++)
		if (c->fdbs[i].vni_set && c->fdbs[i].vni == f->vni &&
				rte_is_same_ether_addr(&c->fdbs[i].mac, &f->mac))
			return vtep_conf_perr(
					p, "%s: %s in vni %u listed twice", opt, mac_s, f->vni);
	if (c->nb_fdbs >= VTEP_MAX_STATIC)
		return vtep_conf_perr(p, "%s: %s is one entry too many (max %d)", opt, mac_s,
				VTEP_MAX_STATIC);
	c->fdbs[c->nb_fdbs++] = *f;
	return 0;
}

/* fdb MAC dev PORT [vlan V | untagged] [vni N]: a static local entry (bridge fdb add ... master).
 */
static int
w_fdb_dev(struct conf_parser *p, const char *opt, char *const a[], int n)
{
	struct vtep_fdb_conf f = {.vlan = VTEP_VLAN_NONE};
	unsigned long vni;
	int i = 3;

	if (vtep_conf_parse_name(p, opt, a[2], f.dev) < 0)
		return -EINVAL;
	if (i < n && strcmp(a[i], "vlan") == 0) {
		if (i + 1 >= n)
			return vtep_conf_perr(p, "%s: vlan: missing value", opt);
		if (parse_vlan(p, opt, a[i + 1], &f.vlan) < 0)
			return -EINVAL;
		i += 2;
	} else if (i < n && strcmp(a[i], "untagged") == 0) {
		f.vlan = VTEP_VLAN_UNTAGGED;
		i++;
	}
	if (i < n && strcmp(a[i], "vni") == 0) {
		if (i + 1 >= n)
			return vtep_conf_perr(p, "%s: vni: missing value", opt);
		if (vtep_conf_parse_num(p, opt, a[i + 1], 0, CONF_MAX_VNI, "a VNI", &vni) < 0)
			return -EINVAL;
		f.vni = (uint32_t)vni;
		f.vni_set = true;
		i += 2;
	}
	/* Without `vni`, the attachment's VNI (whatever `id` came last). */
	return add_static_fdb(p, opt, &f, a[0], NULL) < 0 ? -EINVAL : i;
}

/*
 * fdb [append] MAC dst IP [vni N]. The all-zeros MAC is the flood list, with or without
 * `append`, as in the kernel (bridge fdb add/append 00:00:00:00:00:00 dev vxlan0 dst IP).
 */
static int
w_fdb(struct conf_parser *p, const char *opt, char *const a[], int n)
{
	struct rte_ether_addr mac;
	bool append = strcmp(a[0], "append") == 0;
	int i = append ? 1 : 0;
	unsigned long vni;

	if (n < i + 3)
		return vtep_conf_perr(p, "%s: missing value", opt);
	if (vtep_conf_parse_mac(a[i], &mac) < 0)
		return vtep_conf_perr(p, "%s: '%s' is not a MAC address", opt, a[i]);
	if (!append && strcmp(a[i + 1], "dev") == 0 && !rte_is_zero_ether_addr(&mac))
		return w_fdb_dev(p, opt, a, n);
	if (strcmp(a[i + 1], "dst") != 0)
		return vtep_conf_perr(p, "%s: expected 'dst' or 'dev' after %s, got '%s'", opt,
				a[i], a[i + 1]);
	if (i + 3 < n && strcmp(a[i + 3], "vni") == 0) {
		if (i + 4 >= n)
			return vtep_conf_perr(p, "%s: vni: missing value", opt);
		if (vtep_conf_parse_num(p, opt, a[i + 4], 0, CONF_MAX_VNI, "a VNI", &vni) < 0)
			return -EINVAL;
	} else if (p->vni != NULL) {
		vni = p->vni->vni;
	} else {
		return vtep_conf_perr(p, "%s: %s has no VNI (add 'vni N' or put it after 'id N')",
				opt, a[i]);
	}
	if (rte_is_zero_ether_addr(&mac)) {
		int vi = vtep_conf_vni_index(p->conf, (uint32_t)vni);
		if (vi < 0)
			return vtep_conf_perr(p, "%s: vni %lu is not configured (yet)", opt, vni);
		if (add_flood(p, opt, &p->conf->vnis[vi], a[i + 2]) < 0)
			return -EINVAL;
	} else if (append) {
		return vtep_conf_perr(
				p, "%s: append takes only 00:00:00:00:00:00, not '%s'", opt, a[i]);
	} else {
		struct vtep_fdb_conf f = {.vni = (uint32_t)vni, .vni_set = true};

		if (add_static_fdb(p, opt, &f, a[i], a[i + 2]) < 0)
			return -EINVAL;
	}
	return i + 3 + (i + 3 < n && strcmp(a[i + 3], "vni") == 0 ? 2 : 0);
}

static int parse_file(struct conf_parser *p, const char *path);

static int
w_config(struct conf_parser *p, const char *opt, char *const a[], int n __rte_unused)
{
	char path[PATH_MAX];
	const char *slash = p->file != NULL ? strrchr(p->file, '/') : NULL;
	int ret;

	if (p->depth >= CONF_MAX_DEPTH)
		return vtep_conf_perr(
				p, "%s: '%s' nested too deep (max %d)", opt, a[0], CONF_MAX_DEPTH);
	/* A relative path inside a file is relative to that file, as with #include. */
	if (a[0][0] != '/' && slash != NULL) {
		ret = snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - p->file), p->file,
				a[0]);
		if (ret < 0 || (size_t)ret >= sizeof(path))
			return vtep_conf_perr(p, "%s: '%s' path too long", opt, a[0]);
	} else {
		snprintf(path, sizeof(path), "%s", a[0]);
	}
	ret = parse_file(p, path);
	return ret < 0 ? ret : 1;
}

#define GNUM(name, field, lo, hi, what, syntax, help)                                              \
	{                                                                                          \
		name, 1, false, w_num, syntax, help, offsetof(struct vtep_conf, field),            \
				RTE_SIZEOF_FIELD(struct vtep_conf, field), lo, hi, what            \
	}
#define VNUM(name, field, lo, hi, what, syntax, help)                                              \
	{                                                                                          \
		name, 1, true, w_num, syntax, help, offsetof(struct vtep_vni_conf, field),         \
				RTE_SIZEOF_FIELD(struct vtep_vni_conf, field), lo, hi, what        \
	}

static const struct conf_word conf_words[] = {
		{"dev", 1, false, w_dev, "dev NAME", "underlay port (DPDK device name), required"},
		{"local", 1, false, w_local, "local IP[/LEN]",
				"VTEP address and prefix, required, /24"},
		{"gateway", 1, false, w_gateway, "gateway IP", "next hop for off-link remotes"},
		GNUM("dstport", dstport, 1, UINT16_MAX, "a port", "dstport N",
				"UDP destination port (4789)"),
		{"srcport", 2, false, w_srcport, "srcport MIN MAX",
				"UDP source ports (32768 60999)"},
		{"udpcsum", 0, false, w_udpcsum, "udpcsum", "outer UDP checksum (default)"},
		{"noudpcsum", 0, false, w_udpcsum, "noudpcsum", "outer UDP checksum zero"},
		{"mtu", 1, false, w_mtu, "mtu N", "underlay MTU, 118..9600 (1500)"},
		GNUM("igmp", igmp_version, 2, 3, "an IGMP version", "igmp 2|3",
				"IGMP report version (3)"),
		GNUM("workers", workers, 1, 1024, "a worker count", "workers N",
				"worker lcores (all EAL gave)"),
		{"maxaddress", 1, false, w_maxaddress, "maxaddress N",
				"learned limit: before id global "
				"(fdb-size), after id per VNI (0 = none)"},
		GNUM("fdb-size", fdb_size, 64, 1UL << 24, "an FDB size", "fdb-size N",
				"FDB capacity, 64..16M (65536)"),
		GNUM("mbufs", nb_mbufs, 1024, 1UL << 26, "an mbuf count", "mbufs N",
				"mempool size (derived from ports)"),
		{"neigh", 3, false, w_neigh, "neigh IP lladdr MAC", "static underlay neighbor"},
		{"fdb", 3, false, w_fdb, "fdb [append] MAC dst IP [vni N]",
				"static FDB entry; MAC 00:00:00:00:00:00 = flood (HER) remote"},
		{"fdb", 3, false, w_fdb, "fdb MAC dev PORT [vlan V] [vni N]",
				"static local FDB entry (behind an attachment)"},
		GNUM("stats-interval", stats_interval, 0, 86400, "a number of seconds",
				"stats-interval N", "summary every N s (0)"),
		GNUM("idle-exit", idle_exit_ms, 0, UINT32_MAX, "a number of ms", "idle-exit MS",
				"exit after MS ms without rx (0)"),
		GNUM("arp-rate", arp_rate, 0, CONF_MAX_RATE, "a number of replies a second",
				"arp-rate N", "ARP replies a second, 0 = no limit (100)"),
		GNUM("igmp-rate", igmp_rate, 0, CONF_MAX_RATE, "a number of reports a second",
				"igmp-rate N",
				"IGMP reports answering queries a second, 0 = no limit (10)"),
		GNUM("icmp-rate", icmp_rate, 0, CONF_MAX_RATE, "a number of replies a second",
				"icmp-rate N",
				"echo replies for the VTEP address a second, 0 = no limit (1000)"),
		{"config", 1, false, w_config, "config FILE", "read words from FILE, # comments"},
		{"id", 1, false, w_id, "id N", "open VNI N (0..16777215); VNI words follow"},
		{"group", 1, true, w_group, "group IP", "multicast group for BUM traffic"},
		{"remote", 1, true, w_remote, "remote IP",
				"head-end replication remote (repeatable)"},
		{"inner", 1, true, w_inner, "inner NAME",
				"a local port of the VNI (DPDK device name); = port NAME"},
		{"port", 1, true, w_port, "port NAME [vlan V|untagged] [maxaddress N]",
				"attach a port, or a VLAN of a trunk port, to the VNI"},
		{"address", 1, true, w_address, "address MAC", "inner port MAC (derived)"},
		{"ttl", 1, true, w_ttl, "ttl N|auto|inherit", "outer TTL (auto: 64, 1 to a group)"},
		{"tos", 1, true, w_tos, "tos N|inherit", "outer TOS (0)"},
		VNUM("ageing", ageing, 0, 1000000, "a number of seconds", "ageing N",
				"seconds to age a learned MAC, 0 = never (300)"),
		{"learning", 0, true, w_learning, "learning", "learn remote MACs (default)"},
		{"nolearning", 0, true, w_learning, "nolearning", "do not learn"},
		{"movedamp", 3, true, w_movedamp, "movedamp MOVES SECONDS HOLD",
				"freeze a MAC moving more than MOVES times in SECONDS for HOLD s "
				"(5 180 180)"},
		{"nomovedamp", 0, true, w_movedamp, "nomovedamp", "never freeze a moving MAC"},
		{"allow", 1, true, w_allow, "allow IP[/LEN]",
				"take VXLAN only from these remotes (repeatable; default any)"},
		{"learnrate", 1, true, w_learnrate, "learnrate N [burst B]",
				"learns (new MACs, moves) a second, B at once (0: no limit)"},
};

/* Parse one run of words: the command line, or one line of a file. */
static int
parse_words(struct conf_parser *p, int argc, char *const argv[])
{
	const struct conf_word *w;
	int i = 0;

	while (i < argc) {
		const char *word = argv[i++];
		int ret;

		for (w = conf_words; w < &conf_words[RTE_DIM(conf_words)]; w++)
			if (strcmp(w->name, word) == 0)
				break;
		if (w == &conf_words[RTE_DIM(conf_words)])
			return vtep_conf_perr(p, "unknown option '%s'", word);
		if (w->vni_scope && p->vni == NULL)
			return vtep_conf_perr(p, "%s: comes before any 'id N'", word);
		if (argc - i < w->nb_args)
			return vtep_conf_perr(p, "%s: missing value", word);
		p->word = w;
		ret = w->fn(p, word, &argv[i], argc - i);
		if (ret < 0)
			return ret;
		i += ret;
	}
	return 0;
}

/* Prefix the message a nested step wrote with where it happened. */
static void
err_prefix(struct conf_parser *p, const char *path, unsigned int line)
{
	char msg[VTEP_CONF_ERR_SIZE];

	snprintf(msg, sizeof(msg), "%s", p->err);
	snprintf(p->err, p->err_size, "%s:%u: %.*s", path, line, (int)sizeof(msg), msg);
}

static int
parse_line(struct conf_parser *p, char *line)
{
	char *words[CONF_MAX_LINE_WORDS] = {NULL};
	char *save = NULL, *tok, *hash = strchr(line, '#');
	int n = 0;

	if (hash != NULL)
		*hash = '\0';
	for (tok = strtok_r(line, " \t\r\n\v\f", &save); tok != NULL;
			tok = strtok_r(NULL, " \t\r\n\v\f", &save)) {
		if (n == CONF_MAX_LINE_WORDS)
			return vtep_conf_perr(
					p, "more than %d words on one line", CONF_MAX_LINE_WORDS);
		words[n++] = tok;
	}
	/* `vxlan id 42 ...` reads like `ip link add vxlan0 type vxlan id 42 ...`. */
	if (n > 0 && strcmp(words[0], "vxlan") == 0)
		return parse_words(p, n - 1, &words[1]);
	return parse_words(p, n, words);
}

/* A file is self-contained: its VNI words apply to the `id`s in the same file. */
static int
parse_file(struct conf_parser *p, const char *path)
{
	struct vtep_vni_conf *outer_vni = p->vni;
	const char *outer_file = p->file;
	char line[CONF_LINE_SIZE];
	unsigned int lineno = 0;
	int ret = 0;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		ret = -errno;
		snprintf(p->err, p->err_size, "config: cannot open '%s': %s", path,
				strerror(errno));
		return ret;
	}
	p->vni = NULL;
	p->file = path;
	p->depth++;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f))
			ret = vtep_conf_perr(
					p, "line longer than %d characters", CONF_LINE_SIZE - 2);
		else
			ret = parse_line(p, line);
		if (ret < 0) {
			err_prefix(p, path, lineno);
			break;
		}
	}
	if (ret == 0 && ferror(f))
		ret = vtep_conf_perr(p, "%s: read error", path);
	fclose(f);
	p->depth--;
	p->file = outer_file;
	p->vni = outer_vni;
	return ret;
}

void
vtep_conf_init(struct vtep_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->prefix_len = 24;
	conf->dstport = 4789; /* IANA (RFC 7348 section 5); the kernel's default is 8472. */
	conf->srcport_min = CONF_SRCPORT_MIN;
	conf->srcport_max = CONF_SRCPORT_MAX;
	conf->udpcsum = true;
	conf->mtu = 1500;
	conf->igmp_version = 3;
	conf->fdb_size = 65536;
	conf->arp_rate = CONF_ARP_RATE;
	conf->igmp_rate = CONF_IGMP_RATE;
	conf->icmp_rate = CONF_ICMP_RATE;
}

int
vtep_conf_parse_args(
		struct vtep_conf *conf, int argc, char *const argv[], char *err, size_t err_size)
{
	struct conf_parser p;

	vtep_conf_parser_init(&p, conf, err, err_size);
	return parse_words(&p, argc, argv);
}

int
vtep_conf_parse_file(struct vtep_conf *conf, const char *path, char *err, size_t err_size)
{
	struct conf_parser p;

	vtep_conf_parser_init(&p, conf, err, err_size);
	return parse_file(&p, path);
}

bool
vtep_conf_allowed(const struct vtep_vni_conf *v, rte_be32_t ip_be)
{
	for (unsigned int i = 0; i < v->nb_allows; i++) {
		uint32_t mask = ~0u << (32 - v->allows[i].len);

		if (((rte_be_to_cpu_32(ip_be) ^ rte_be_to_cpu_32(v->allows[i].net_be)) & mask) == 0)
			return true;
	}
	return v->nb_allows == 0;
}

int
vtep_conf_att_index(const struct vtep_conf *conf, const char *port, uint16_t vlan)
{
	for (unsigned int i = 0; i < conf->nb_atts; i++)
		if (conf->atts[i].vlan == vlan && strcmp(conf->atts[i].port, port) == 0)
			return (int)i;
	return -1;
}

unsigned int
vtep_conf_vni_atts(const struct vtep_conf *conf, unsigned int v)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < conf->nb_atts; i++)
		n += conf->atts[i].vni == conf->vnis[v].vni;
	return n;
}

int
vtep_conf_vni_index(const struct vtep_conf *conf, uint32_t vni)
{
	unsigned int i;

	for (i = 0; i < conf->nb_vnis; i++)
		if (conf->vnis[i].vni == vni)
			return (int)i;
	return -1;
}

void
vtep_conf_usage(FILE *f)
{
	const struct conf_word *w;

	fprintf(f,
			"usage: vtepd [EAL options] -- WORD...\n"
			"global words (anywhere); VNI words follow 'id N' and apply to it:\n");
	for (w = conf_words; w < &conf_words[RTE_DIM(conf_words)]; w++)
		fprintf(f, "  %-34s %s%s\n", w->syntax, w->vni_scope ? "[VNI] " : "", w->help);
}
