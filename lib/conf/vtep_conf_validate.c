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

	if (v->vni > CONF_MAX_VNI || vtep_conf_vni_index(c, v->vni) != (int)i)
		return vtep_conf_perr(p, "id: %u is not a VNI or listed twice", v->vni);
	if (v->inner[0] == '\0')
		return vtep_conf_perr(p, "id %u: missing inner port", v->vni);
	if (strcmp(v->inner, c->dev) == 0)
		return vtep_conf_perr(p, "inner: '%s' of id %u is also the underlay dev", v->inner,
				v->vni);
	for (j = 0; j < i; j++)
		if (strcmp(c->vnis[j].inner, v->inner) == 0)
			return vtep_conf_perr(p, "inner: '%s' used by id %u and id %u", v->inner,
					c->vnis[j].vni, v->vni);
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
		if (vtep_conf_vni_index(c, c->fdbs[i].vni) < 0)
			return vtep_conf_perr(p, "fdb: vni %u is not configured", c->fdbs[i].vni);
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
		ret = validate_statics(&p, conf);
	return ret;
}
