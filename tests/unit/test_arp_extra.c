/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Underlay ARP, what tests/unit/test_arp.c leaves out: every malformed header
 * field (htype, ptype, hlen, plen, op, ethertype, zero/multicast/broadcast/own
 * sender MAC, sender = local) refused, freed and counted in `ignored`; the
 * learned requester's MAC in the callback; lookup after resolution; the timer's
 * room limit; -ENOMEM on resolve and the retry; a two-segment request;
 * counters. The clock is driven by hand: HZ ticks per second.
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_mbuf.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_arp.h"

#define HZ 1000000ull
#define T0 (1000 * HZ)
#define LOCAL "172.16.91.129"
#define LOCAL_MAC "02:00:00:00:91:81"
#define PEER "172.16.91.130"
#define PEER_MAC "02:00:00:00:00:01"
#define GW "172.16.91.1"

static struct rte_mempool *pool;
static struct vtep_arp arp;

static struct {
	unsigned int calls;
	rte_be32_t ip_be;
	bool has_mac;
	struct rte_ether_addr mac;
} seen;

static void
changed(rte_be32_t ip_be, const struct rte_ether_addr *mac, void *arg)
{
	RTE_SET_USED(arg);
	seen.calls++;
	seen.ip_be = ip_be;
	seen.has_mac = mac != NULL;
	if (mac != NULL)
		seen.mac = *mac;
}

static void
setup(struct rte_mempool *mp)
{
	struct vtep_arp_params p = {
			.local_be = pkt_ip(LOCAL),
			.local_mac = pkt_mac(LOCAL_MAC),
			.prefix_len = 24,
			.gateway_be = pkt_ip(GW),
			.pool = mp,
			.hz = HZ,
			.changed = changed,
	};

	vtep_arp_init(&arp, &p);
	memset(&seen, 0, sizeof(seen));
}

/* A malformed frame: -EINVAL, nothing out, counted, nothing learned. */
static void
check_ignored(const uint8_t *buf, size_t size, const char *what)
{
	uint64_t ignored = arp.c.ignored;
	struct rte_mbuf *out[1];
	unsigned int n = 0;

	CHECKF(vtep_arp_input(&arp, pkt_mbuf(pool, buf, size), T0, out, &n) == -EINVAL, "%s", what);
	CHECKF(n == 0, "%s: answered", what);
	CHECKF(arp.c.ignored == ignored + 1, "%s: not counted", what);
	CHECKF(seen.calls == 0 && vtep_arp_lookup(&arp, pkt_ip(PEER)) == NULL, "%s: learned", what);
}

static void
test_malformed(void)
{
	static const struct {
		size_t at;
		uint8_t value;
		const char *what;
	} fields[] = {
			{13, 0x00, "ethertype 0x0800"},
			{15, 0x06, "htype 6"},
			{16, 0x86, "ptype 0x86dd"},
			{18, 8, "hlen 8"},
			{19, 16, "plen 16"},
			{20, 1, "op 0x0101"},
			{21, 0, "op 0"},
			{21, 3, "op 3 (RARP)"},
	};
	uint8_t buf[64], bad[64];
	size_t size;

	setup(pool);
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
			"00:00:00:00:00:00", LOCAL);
	for (unsigned int i = 0; i < RTE_DIM(fields); i++) {
		memcpy(bad, buf, size);
		bad[fields[i].at] = fields[i].value;
		check_ignored(bad, size, fields[i].what);
	}
	/* Sender MACs that are nobody's: zero, multicast, broadcast; ours looped
	 * back. */
	memcpy(bad, buf, size);
	memset(bad + 22, 0, 6);
	check_ignored(bad, size, "zero sender MAC");
	memcpy(bad, buf, size);
	bad[22] = 0x01;
	check_ignored(bad, size, "multicast sender MAC");
	memcpy(bad, buf, size);
	memset(bad + 22, 0xff, 6);
	check_ignored(bad, size, "broadcast sender MAC");
	{
		struct rte_ether_addr l = pkt_mac(LOCAL_MAC);

		memcpy(bad, buf, size);
		memcpy(bad + 22, &l, 6);
		check_ignored(bad, size, "our own sender MAC");
	}
	/* Sender IP = ours (a conflict, RFC 5227 2.4): request and reply. */
	size = pkt_arp(bad, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, LOCAL,
			"00:00:00:00:00:00", LOCAL);
	check_ignored(bad, size, "request from our address");
	size = pkt_arp(bad, RTE_ARP_OP_REPLY, LOCAL_MAC, PEER_MAC, LOCAL, LOCAL_MAC, LOCAL);
	check_ignored(bad, size, "reply from our address");
	/* Every truncation of a 42-byte request. */
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
			"00:00:00:00:00:00", LOCAL);
	for (size_t n = 0; n < size; n++) {
		char what[48];

		snprintf(what, sizeof(what), "truncated to %zu", n);
		check_ignored(buf, n, what);
	}
	CHECK(arp.c.requests_in == 0 && arp.c.replies_in == 0);
}

static void
test_learn_and_lookup(void)
{
	struct rte_ether_addr peer = pkt_mac(PEER_MAC);
	struct rte_mbuf *out[2];
	unsigned int n = 0;
	uint8_t buf[64];
	size_t size;

	/* The requester is learned: the callback has its MAC. */
	setup(pool);
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
			"00:00:00:00:00:00", LOCAL);
	CHECK(vtep_arp_input(&arp, pkt_mbuf(pool, buf, size), T0, out, &n) == 0 && n == 1);
	rte_pktmbuf_free_bulk(out, n);
	CHECK(seen.calls == 1 && seen.has_mac && rte_is_same_ether_addr(&seen.mac, &peer));
	CHECK(arp.c.requests_in == 1 && arp.c.requests_out == 0);

	/* Resolution: lookup gives the MAC once the reply is in, not before. */
	setup(pool);
	n = 0;
	CHECK(vtep_arp_resolve(&arp, pkt_ip(PEER), T0, out, &n) == 1 && n == 1);
	rte_pktmbuf_free_bulk(out, n);
	CHECK(vtep_arp_lookup(&arp, pkt_ip(PEER)) == NULL);
	size = pkt_arp(buf, RTE_ARP_OP_REPLY, LOCAL_MAC, PEER_MAC, PEER, LOCAL_MAC, LOCAL);
	n = 0;
	CHECK(vtep_arp_input(&arp, pkt_mbuf(pool, buf, size), T0 + 1, out, &n) == 0 && n == 0);
	CHECK(vtep_arp_lookup(&arp, pkt_ip(PEER)) != NULL &&
			rte_is_same_ether_addr(vtep_arp_lookup(&arp, pkt_ip(PEER)), &peer));
	CHECK(arp.c.replies_in == 1 && arp.c.requests_out == 1);
	/* An unsolicited reply from a stranger teaches nothing (no entry). */
	size = pkt_arp(buf, RTE_ARP_OP_REPLY, LOCAL_MAC, "02:00:00:00:00:09", "172.16.91.9",
			LOCAL_MAC, LOCAL);
	n = 0;
	CHECK(vtep_arp_input(&arp, pkt_mbuf(pool, buf, size), T0 + 1, out, &n) == 0 && n == 0);
	CHECK(vtep_arp_lookup(&arp, pkt_ip("172.16.91.9")) == NULL);

	/* A request for us in two segments: refused (the reply is built in place),
	 * freed. */
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
			"00:00:00:00:00:00", LOCAL);
	{
		struct rte_mbuf *m = pkt_mbuf(pool, buf, size), *m2 = pkt_mbuf(pool, buf, 18);

		CHECK(rte_pktmbuf_chain(m, m2) == 0);
		n = 0;
		CHECK(vtep_arp_input(&arp, m, T0 + 2, out, &n) == -EINVAL && n == 0);
	}
}

static void
test_timer_room(void)
{
	struct rte_mbuf *out[8];
	unsigned int n = 0, total = 0, calls = 0;
	char ip[16];

	/* Five resolutions due at once, room for one per call: all go out, one per
	 * call. */
	setup(pool);
	for (unsigned int i = 0; i < 5; i++) {
		snprintf(ip, sizeof(ip), "172.16.91.%u", 10 + i);
		n = 0;
		CHECK(vtep_arp_resolve(&arp, pkt_ip(ip), T0, out, &n) == 1 && n == 1);
		rte_pktmbuf_free_bulk(out, n);
	}
	for (;;) {
		n = vtep_arp_timer(&arp, T0 + HZ, out, 1);
		CHECK(n <= 1);
		rte_pktmbuf_free_bulk(out, n);
		if (n == 0)
			break;
		total += n;
		calls++;
	}
	CHECK(total == 5 && calls == 5);
	CHECK(arp.c.requests_out == 10);
}

static void
test_nomem(void)
{
	struct rte_mempool *tiny = rte_pktmbuf_pool_create(
			"t7_tiny", 4, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	struct rte_mbuf *hold[4], *out[2];
	unsigned int nb_hold = 0, n = 0;

	CHECK(tiny != NULL);
	if (tiny == NULL)
		return;
	setup(tiny);
	while (nb_hold < RTE_DIM(hold) && (hold[nb_hold] = rte_pktmbuf_alloc(tiny)) != NULL)
		nb_hold++;
	/* No mbuf: -ENOMEM, but the entry is there and the timer sends when it can.
	 */
	CHECK(vtep_arp_resolve(&arp, pkt_ip(PEER), T0, out, &n) == -ENOMEM && n == 0);
	CHECK(vtep_arp_resolve(&arp, pkt_ip(PEER), T0, out, &n) == 1 && n == 0);
	CHECK(vtep_arp_gratuitous(&arp) == NULL);
	CHECK(vtep_arp_timer(&arp, T0 + HZ, out, RTE_DIM(out)) == 0);
	rte_pktmbuf_free_bulk(hold, nb_hold);
	n = vtep_arp_timer(&arp, T0 + 3 * HZ, out, RTE_DIM(out));
	CHECK(n == 1);
	if (n == 1) {
		const uint8_t *p = rte_pktmbuf_mtod(out[0], const uint8_t *);
		uint32_t tip;

		memcpy(&tip, p + 38, 4);
		CHECK(p[0] == 0xff && tip == pkt_ip(PEER));
	}
	rte_pktmbuf_free_bulk(out, n);
	CHECK(rte_mempool_in_use_count(tiny) == 0);
	rte_mempool_free(tiny);
}

int
main(void)
{
	unsigned int in_use;

	vtep_test_eal_init("arp_extra", NULL);
	pool = vtep_test_pool();
	in_use = rte_mempool_in_use_count(pool);
	test_malformed();
	test_learn_and_lookup();
	test_timer_room();
	test_nomem();
	CHECKF(rte_mempool_in_use_count(pool) == in_use, "mbufs in use %u, before %u",
			rte_mempool_in_use_count(pool), in_use);
	return vtep_test_done("arp_extra");
}
