/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks of a whole configuration, once every word is in: what no single word can know (the
 * underlay port and the inner ports differ, static entries name configured VNIs, neighbors are
 * on-link).
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "vtep_conf_priv.h"

static bool
on_link(const struct vtep_conf *c, rte_be32_t ip_be)
{
	uint32_t mask = ~0u << (32 - c->prefix_len);

	return ((rte_be_to_cpu_32(ip_be) ^ rte_be_to_cpu_32(c->local_be)) & mask) == 0;
}

static const char *
ip_str(rte_be32_t ip_be, char *buf)
{
	struct in_addr a = {.s_addr = ip_be};

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static int
validate_vni(struct conf_parser *p, const struct vtep_conf *c, unsigned int i)
{
	const struct vtep_vni_conf *v = &c->vnis[i];
	char ip[INET_ADDRSTRLEN];
	unsigned int j;

	unsigned int nb_atts = vtep_conf_vni_atts(c, i);

	if (v->vni > CONF_MAX_VNI || vtep_conf_vni_index(c, v->vni) != (int)i)
		return vtep_conf_perr(p, "id: %u is not a VNI or listed twice", v->vni);
	if (nb_atts == 0)
		return vtep_conf_perr(
				p, "id %u: missing inner port (inner NAME or port NAME)", v->vni);
	if (nb_atts > VTEP_MAX_ATTS_PER_VNI)
		return vtep_conf_perr(p, "port: id %u has %u attachments (max %d)", v->vni, nb_atts,
				VTEP_MAX_ATTS_PER_VNI);
	if (v->inner_mac_set && nb_atts > 1)
		return vtep_conf_perr(p,
				"address: id %u has %u ports; address is for one inner port",
				v->vni, nb_atts);
	for (j = 0; j < v->nb_floods; j++) {
		if (v->floods_be[j] == c->local_be)
			return vtep_conf_perr(p, "remote: %s of id %u is the local address",
					ip_str(v->floods_be[j], ip), v->vni);
		/* Its frames would be dropped while we flood to it: say so now. */
		if (!vtep_conf_allowed(v, v->floods_be[j]))
			return vtep_conf_perr(p, "remote: %s of id %u is not in its allow list",
					ip_str(v->floods_be[j], ip), v->vni);
	}
	return 0;
}

/* The VNI of a static entry: its own, or its attachment's (UINT32_MAX if it has none). */
static uint32_t
fdb_vni(const struct vtep_conf *c, const struct vtep_fdb_conf *f)
{
	int a;

	if (f->vni_set)
		return f->vni;
	a = vtep_conf_att_index(c, f->dev, f->vlan);
	return a < 0 ? UINT32_MAX : c->atts[a].vni;
}

/* Does static entry i repeat the MAC of an earlier one in the same VNI? */
static bool
dup_fdb(const struct vtep_conf *c, unsigned int i)
{
	for (unsigned int j = 0; j < i; j++)
		if (rte_is_same_ether_addr(&c->fdbs[j].mac, &c->fdbs[i].mac) &&
				fdb_vni(c, &c->fdbs[j]) == fdb_vni(c, &c->fdbs[i]))
			return true;
	return false;
}

static const char *
att_word(const struct vtep_att_conf *a)
{
	return a->inner ? "inner" : "port";
}

/* Attachments: not the underlay, a whole port alone on its port, a port once per VNI. */
static int
validate_atts(struct conf_parser *p, const struct vtep_conf *c)
{
	unsigned int nb_ports = 0;

	for (unsigned int i = 0; i < c->nb_atts; i++) {
		const struct vtep_att_conf *a = &c->atts[i];
		bool first = true;

		if (strcmp(a->port, c->dev) == 0)
			return vtep_conf_perr(p, "%s: '%s' of id %u is also the underlay dev",
					att_word(a), a->port, a->vni);
		if (vtep_conf_vni_index(c, a->vni) < 0)
			return vtep_conf_perr(p, "%s: '%s': vni %u is not configured", att_word(a),
					a->port, a->vni);
		for (unsigned int j = 0; j < i; j++) {
			const struct vtep_att_conf *b = &c->atts[j];

			if (strcmp(a->port, b->port) != 0)
				continue;
			first = false;
			if (a->vlan == VTEP_VLAN_NONE || b->vlan == VTEP_VLAN_NONE)
				return vtep_conf_perr(p,
						"%s: '%s' used by id %u and id %u (a whole port "
						"is in one VNI; a trunk gives each a vlan)",
						att_word(a), a->port, b->vni, a->vni);
			if (a->vlan == b->vlan)
				return vtep_conf_perr(p, "%s: '%s' %s listed for id %u and id %u",
						att_word(a), a->port,
						a->vlan == VTEP_VLAN_UNTAGGED ? "untagged" : "vlan",
						b->vni, a->vni);
			if (a->vni == b->vni)
				return vtep_conf_perr(p,
						"%s: '%s' is in id %u twice (one attachment per "
						"port and VNI)",
						att_word(a), a->port, a->vni);
		}
		nb_ports += first;
	}
	if (nb_ports > VTEP_MAX_PORTS)
		return vtep_conf_perr(p, "port: %u local ports (max %d)", nb_ports, VTEP_MAX_PORTS);
	return 0;
}

static int
validate_ranges(struct conf_parser *p, const struct vtep_conf *c)
{
	if (c->prefix_len < 1 || c->prefix_len > 32)
		return vtep_conf_perr(p, "local: prefix length %u is not 1..32", c->prefix_len);
	if (c->dstport == 0)
		return vtep_conf_perr(p, "dstport: 0 is not a port");
	if (c->srcport_min == 0 || c->srcport_min > c->srcport_max)
		return vtep_conf_perr(p, "srcport: range %u %u is not valid", c->srcport_min,
				c->srcport_max);
	if (c->mtu < CONF_MIN_MTU + CONF_VXLAN_OVERHEAD || c->mtu > CONF_MAX_MTU)
		return vtep_conf_perr(p, "mtu: %u is not %d..%d", c->mtu,
				CONF_MIN_MTU + CONF_VXLAN_OVERHEAD, CONF_MAX_MTU);
	if (c->igmp_version != 2 && c->igmp_version != 3)
		return vtep_conf_perr(p, "igmp: %u is not 2 or 3", c->igmp_version);
	if (c->fdb_size < 64 || c->fdb_size > (1u << 24))
		return vtep_conf_perr(p, "fdb-size: %u is not 64..16777216", c->fdb_size);
	if (c->nb_fdbs > c->fdb_size)
		return vtep_conf_perr(p, "fdb: %u static entries exceed fdb-size %u", c->nb_fdbs,
				c->fdb_size);
	if (c->nb_vnis > VTEP_MAX_VNIS || c->nb_fdbs > VTEP_MAX_STATIC ||
			c->nb_neighs > VTEP_MAX_STATIC)
		return vtep_conf_perr(p, "too many VNIs or static entries");
	return 0;
}

static int
validate_statics(struct conf_parser *p, const struct vtep_conf *c)
{
	char ip[INET_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; i < c->nb_fdbs; i++) {
		const struct vtep_fdb_conf *f = &c->fdbs[i];

		if (f->dst_be == 0) {
			int a = vtep_conf_att_index(c, f->dev, f->vlan);

			if (a < 0)
				return vtep_conf_perr(p, "fdb: dev %s%s is not an attachment",
						f->dev,
						f->vlan == VTEP_VLAN_NONE ? "" : " with that vlan");
			if (f->vni_set && c->atts[a].vni != f->vni)
				return vtep_conf_perr(p, "fdb: dev %s is in vni %u, not %u", f->dev,
						c->atts[a].vni, f->vni);
		} else if (vtep_conf_vni_index(c, f->vni) < 0) {
			return vtep_conf_perr(p, "fdb: vni %u is not configured", f->vni);
		}
		if (dup_fdb(c, i))
			return vtep_conf_perr(
					p, "fdb: a MAC in vni %u listed twice", fdb_vni(c, f));
		if (f->dst_be == 0)
			continue;
		/* The kernel refuses a static entry pointing at itself too (it would loop). */
		if (c->fdbs[i].dst_be == c->local_be)
			return vtep_conf_perr(p, "fdb: dst %s is the local address",
					ip_str(c->fdbs[i].dst_be, ip));
		if (!vtep_conf_allowed(&c->vnis[vtep_conf_vni_index(c, c->fdbs[i].vni)],
				    c->fdbs[i].dst_be))
			return vtep_conf_perr(p, "fdb: dst %s of vni %u is not in its allow list",
					ip_str(c->fdbs[i].dst_be, ip), c->fdbs[i].vni);
	}
	for (i = 0; i < c->nb_neighs; i++) {
		if (c->neighs[i].ip_be == c->local_be)
			return vtep_conf_perr(p, "neigh: %s is the local address",
					ip_str(c->neighs[i].ip_be, ip));
		if (!on_link(c, c->neighs[i].ip_be))
			return vtep_conf_perr(p, "neigh: %s is not on-link (local /%u)",
					ip_str(c->neighs[i].ip_be, ip), c->prefix_len);
	}
	if (c->gateway_be != 0 && (c->gateway_be == c->local_be || !on_link(c, c->gateway_be)))
		return vtep_conf_perr(p, "gateway: %s is not an on-link neighbor (local /%u)",
				ip_str(c->gateway_be, ip), c->prefix_len);
	return 0;
}

int
vtep_conf_validate(const struct vtep_conf *conf, char *err, size_t err_size)
{
	struct conf_parser p;
	unsigned int i;
	int ret;

	vtep_conf_parser_init(&p, NULL, err, err_size);
	if (conf->dev[0] == '\0')
		return vtep_conf_perr(&p, "dev: missing (the underlay port)");
	if (conf->local_be == 0)
		return vtep_conf_perr(&p, "local: missing (the VTEP's own address)");
	if (!vtep_conf_ip_is_unicast(conf->local_be))
		return vtep_conf_perr(&p, "local: not a unicast address");
	if (conf->nb_vnis == 0)
		return vtep_conf_perr(&p, "id: missing (no VNI configured)");
	ret = validate_ranges(&p, conf);
	for (i = 0; ret == 0 && i < conf->nb_vnis; i++)
		ret = validate_vni(&p, conf, i);
	if (ret == 0)
		ret = validate_atts(&p, conf);
	if (ret == 0)
		ret = validate_statics(&p, conf);
	return ret;
}
