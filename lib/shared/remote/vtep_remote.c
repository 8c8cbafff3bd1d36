/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "vtep_remote.h"

struct vtep_remotes *
vtep_remotes_create(const struct vtep_remote_params *p)
{
	static unsigned int instance;
	struct vtep_remotes *rt;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
			.entries = p->size,
			.key_len = sizeof(rte_be32_t),
			.hash_func = rte_hash_crc,
			.socket_id = p->socket,
	};

	if (p->size < 2 || p->size > UINT16_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	rt = rte_zmalloc_socket("vtep_remotes", sizeof(*rt), RTE_CACHE_LINE_SIZE, p->socket);
	if (rt == NULL)
		goto nomem;
	rt->p = *p;
	rt->slots = rte_zmalloc_socket("vtep_remote_slots", sizeof(rt->slots[0]) * p->size,
			RTE_CACHE_LINE_SIZE, p->socket);
	rt->tokens = rte_zmalloc_socket("vtep_remote_tokens", sizeof(rt->tokens[0]) * p->size,
			RTE_CACHE_LINE_SIZE, p->socket);
	snprintf(name, sizeof(name), "vtep_rmt%u", instance++);
	hp.name = name;
	rt->by_ip = rte_hash_create(&hp);
	if (rt->slots == NULL || rt->tokens == NULL || rt->by_ip == NULL) {
		vtep_remotes_free(rt);
		goto nomem;
	}
	return rt;
nomem:
	rte_errno = ENOMEM;
	return NULL;
}

void
vtep_remotes_free(struct vtep_remotes *rt)
{
	if (rt == NULL)
		return;
	rte_hash_free(rt->by_ip);
	rte_free(rt->slots);
	rte_free(rt->tokens);
	rte_free(rt);
}

int
vtep_remote_find(const struct vtep_remotes *rt, rte_be32_t ip_be)
{
	void *data;

	if (rte_hash_lookup_data(rt->by_ip, &ip_be, &data) < 0)
		return -ENOENT;
	return (int)(uintptr_t)data;
}

/* The template: everything that does not change per packet. TTL is the kernel's `ttl auto`:
 * 1 towards a group, 64 otherwise (ip4_dst_hoplimit default); DF clear, TOS 0, lengths are set
 * per packet. The two checksum fields hold the seeds described at struct vtep_remote. */
static void
build_template(const struct vtep_remote_params *p, struct vtep_remote *r)
{
	struct vtep_outer_hdr *h = &r->hdr;

	memset(h, 0, sizeof(*h));
	h->eth.src_addr = p->local_mac;
	h->eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	h->ip.version_ihl = RTE_IPV4_VHL_DEF;
	h->ip.time_to_live = r->multicast ? 1 : 64;
	h->ip.next_proto_id = IPPROTO_UDP;
	h->ip.src_addr = p->local_be;
	h->ip.dst_addr = r->ip_be;
	h->udp.dst_port = rte_cpu_to_be_16(p->dstport);
	h->vxlan.vx_flags = VTEP_VXLAN_FLAGS_BE;
	if (r->multicast)
		vtep_group_mac(r->ip_be, &h->eth.dst_addr);
	h->ip.hdr_checksum = vtep_ipv4_cksum_seed(&h->ip);
	h->udp.dgram_cksum = vtep_udp_cksum_seed(&h->ip, &h->udp, &h->vxlan);
}

int
vtep_remote_get(struct vtep_remotes *rt, rte_be32_t ip_be)
{
	struct vtep_remote *r;
	int idx = vtep_remote_find(rt, ip_be);

	if (idx > 0)
		return idx;
	if (rt->nb_used + 1 >= rt->p.size && (rt->nb_released == 0 || vtep_remote_reclaim(rt) == 0))
		return -ENOSPC;
	for (idx = 1; idx < (int)rt->p.size; idx++)
		if (!rt->slots[idx].used)
			break;
	if (rte_hash_add_key_data(rt->by_ip, &ip_be, (void *)(uintptr_t)idx) < 0)
		return -ENOSPC;
	r = &rt->slots[idx];
	r->released = 0;
	r->ip_be = ip_be;
	r->multicast = vtep_ip_is_multicast(ip_be);
	build_template(&rt->p, r);
	r->used = 1;
	rt->nb_used++;
	/* Publish: a worker that sees resolved sees the whole template. */
	__atomic_store_n(&r->resolved, r->multicast, __ATOMIC_RELEASE);
	return idx;
}

void
vtep_remote_set_mac(struct vtep_remotes *rt, int idx, const struct rte_ether_addr *mac)
{
	struct vtep_remote *r;
	uint64_t w;

	if (idx <= 0 || idx >= (int)rt->p.size)
		return;
	r = &rt->slots[idx];
	if (!r->used || r->multicast)
		return;
	w = r->hdr_words[0];
	if (mac == NULL) {
		__atomic_store_n(&r->resolved, 0, __ATOMIC_RELEASE);
		return;
	}
	/* Bytes 0-5: destination MAC; 6-7: the first two bytes of the source MAC, unchanged. */
	memcpy(&w, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	__atomic_store_n(&r->hdr_words[0], w, __ATOMIC_RELEASE);
	__atomic_store_n(&r->resolved, 1, __ATOMIC_RELEASE);
}

int
vtep_remote_release(struct vtep_remotes *rt, int idx)
{
	struct vtep_remote *r;

	if (idx <= 0 || idx >= (int)rt->p.size)
		return -EINVAL;
	r = &rt->slots[idx];
	if (!vtep_remote_live(r))
		return -EINVAL;
	rte_hash_del_key(rt->by_ip, &r->ip_be);
	r->released = 1;
	rt->tokens[idx] = rt->p.qsbr != NULL ? rte_rcu_qsbr_start(rt->p.qsbr) : 0;
	rt->nb_released++;
	return 0;
}

unsigned int
vtep_remote_reclaim(struct vtep_remotes *rt)
{
	unsigned int n = 0, seen = 0;

	for (uint32_t idx = 1; idx < rt->p.size && seen < rt->nb_released; idx++) {
		struct vtep_remote *r = &rt->slots[idx];

		if (!r->used || !r->released)
			continue;
		seen++;
		if (rt->p.qsbr != NULL &&
				rte_rcu_qsbr_check(rt->p.qsbr, rt->tokens[idx], false) != 1)
			continue;
		/* Every worker has moved on: nothing names the slot. */
		memset(r, 0, sizeof(*r));
		rt->nb_used--;
		n++;
	}
	rt->nb_released -= n;
	return n;
}
