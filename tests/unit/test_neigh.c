/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Underlay ARP: the responder (exact reply bytes, tagged and padded requests, RFC 5227 probes),
 * resolution with back-off, refresh before expiry, MAC changes through the callback, static and
 * passive entries, the table limit, the timer's room limit, -ENOMEM on resolve and the retry;
 * every malformed header field (htype, ptype, hlen, plen, op, ethertype, zero/multicast/
 * broadcast/own sender MAC, sender = local), every truncation of an untagged and a tagged
 * request (in exact-size buffers, for ASan) and a two-segment request refused, freed and
 * counted in `ignored`; forgetting a neighbor nothing uses any more; the reply rate. The clock is driven by hand: HZ ticks per second.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_mbuf.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_neigh.h"

#define HZ 1000000ull
#define T0 (1000 * HZ)
#define LOCAL "172.16.91.129"
#define LOCAL_MAC "02:00:00:00:91:81"
#define PEER "172.16.91.130"
#define PEER_MAC "02:00:00:00:00:01"
#define PEER_MAC2 "02:00:00:00:00:02"
#define GW "172.16.91.1"

/* clang-format off */
/* Ether(dst='02:00:00:00:00:01', src='02:00:00:00:91:81')/ARP(op=2, hwsrc='02:00:00:00:91:81',
 *   psrc='172.16.91.129', hwdst='02:00:00:00:00:01', pdst='172.16.91.130') */
static const uint8_t arp_reply_golden[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x91, 0x81,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0x91, 0x81, 0xac, 0x10, 0x5b, 0x81, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x01, 0xac, 0x10, 0x5b, 0x82,
};
/* Ether(dst='ff:ff:ff:ff:ff:ff', src='02:00:00:00:91:81')/ARP(op=1, hwsrc='02:00:00:00:91:81',
 *   psrc='172.16.91.129', hwdst='00:00:00:00:00:00', pdst='172.16.91.130') */
static const uint8_t arp_request_golden[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x91, 0x81,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00,
	0x00, 0x00, 0x91, 0x81, 0xac, 0x10, 0x5b, 0x81, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xac, 0x10, 0x5b, 0x82,
};
/* clang-format on */

static struct rte_mempool *pool;
static struct vtep_neigh arp;

/* What the change callback saw. */
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

/* A fresh table (in arp) whose replies and requests come from mp. */
static void
setup_pool(struct rte_mempool *mp, uint8_t prefix_len, const char *gw)
{
	struct vtep_neigh_params p = {
			.local_be = pkt_ip(LOCAL),
			.local_mac = pkt_mac(LOCAL_MAC),
			.prefix_len = prefix_len,
			.gateway_be = gw != NULL ? pkt_ip(gw) : 0,
			.pool = mp,
			.hz = HZ,
			.changed = changed,
			.arg = NULL,
	};

	vtep_neigh_init(&arp, &p);
	memset(&seen, 0, sizeof(seen));
}

static void
setup(uint8_t prefix_len, const char *gw)
{
	setup_pool(pool, prefix_len, gw);
}

/* Feed one frame; @return the number of frames produced (kept in out). */
static unsigned int
feed(const uint8_t *buf, size_t size, uint64_t now, int *rc, struct rte_mbuf **out)
{
	unsigned int n = 0;

	*rc = vtep_neigh_input(&arp, pkt_mbuf(pool, buf, size), now, out, &n);
	return n;
}

/* A reply from PEER (or another MAC) to us. */
static int
peer_reply(const char *mac, uint64_t now)
{
	uint8_t buf[64];
	struct rte_mbuf *out[1];
	size_t size = pkt_arp(buf, RTE_ARP_OP_REPLY, LOCAL_MAC, mac, PEER, LOCAL_MAC, LOCAL);
	int rc;

	CHECK(feed(buf, size, now, &rc, out) == 0);
	return rc;
}

/*
 * A malformed frame, in a buffer of exactly its size (ASan sees any read past it): -EINVAL,
 * nothing out, counted, nothing learned.
 */
static void
check_ignored(const uint8_t *buf, size_t size, const char *what)
{
	uint64_t ignored = arp.c.ignored;
	struct rte_mbuf *out[1];
	unsigned int n = 0;

	CHECKF(vtep_neigh_input(&arp, pkt_exact_mbuf(pool, buf, size), T0, out, &n) == -EINVAL, "%s",
			what);
	CHECKF(n == 0, "%s: answered", what);
	CHECKF(arp.c.ignored == ignored + 1, "%s: not counted", what);
	CHECKF(seen.calls == 0 && vtep_neigh_lookup(&arp, pkt_ip(PEER)) == NULL, "%s: learned", what);
}

static void
test_responder(void)
{
	struct rte_ether_addr peer = pkt_mac(PEER_MAC);
	struct rte_mbuf *out[1];
	uint8_t buf[128], tagged[128];
	size_t size;
	int rc;

	setup(24, GW);
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
			"00:00:00:00:00:00", LOCAL);
	CHECK(feed(buf, size, T0, &rc, out) == 1 && rc == 0);
	CHECK(pkt_compare(rte_pktmbuf_mtod(out[0], uint8_t *), rte_pktmbuf_data_len(out[0]),
			      arp_reply_golden, sizeof(arp_reply_golden)) == 0);
	rte_pktmbuf_free(out[0]);
	CHECK(arp.c.requests_in == 1 && arp.c.requests_out == 0);
	/* The asker is learned (it is about to talk to us) and the user told. */
	CHECK(vtep_neigh_lookup(&arp, pkt_ip(PEER)) != NULL);
	CHECK(seen.calls == 1 && seen.has_mac && seen.ip_be == pkt_ip(PEER) &&
			rte_is_same_ether_addr(&seen.mac, &peer));
	CHECK(arp.entries[0].flags & VTEP_NEIGH_F_PASSIVE);

	/* Ethernet padding to 60 bytes: the reply is the 42-byte frame. */
	memset(buf + size, 0, 60 - size);
	CHECK(feed(buf, 60, T0, &rc, out) == 1 && rc == 0);
	CHECK(rte_pktmbuf_pkt_len(out[0]) == sizeof(arp_reply_golden) &&
			memcmp(rte_pktmbuf_mtod(out[0], uint8_t *), arp_reply_golden,
					sizeof(arp_reply_golden)) == 0);
	rte_pktmbuf_free(out[0]);
	CHECK(seen.calls == 1); /* same MAC: no change */

	/* One 802.1Q tag: the reply keeps it. */
	memcpy(tagged, buf, size);
	pkt_add_vlan(tagged, size, 100);
	CHECK(feed(tagged, size + 4, T0, &rc, out) == 1 && rc == 0);
	if (rc == 0) {
		const uint8_t *r = rte_pktmbuf_mtod(out[0], const uint8_t *);

		CHECK(rte_pktmbuf_data_len(out[0]) == size + 4);
		CHECK(memcmp(r, arp_reply_golden, 12) == 0);
		CHECK(memcmp(r + 12, "\x81\x00\x00\x64", 4) == 0);
		CHECK(memcmp(r + 16, arp_reply_golden + 12, sizeof(arp_reply_golden) - 12) == 0);
		rte_pktmbuf_free(out[0]);
	}

	/* An RFC 5227 probe (sender 0): answered to its MAC with target 0, nothing learned. */
	setup(24, GW);
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, "0.0.0.0",
			"00:00:00:00:00:00", LOCAL);
	CHECK(feed(buf, size, T0, &rc, out) == 1 && rc == 0);
	if (rc == 0) {
		const struct rte_arp_hdr *a = rte_pktmbuf_mtod_offset(
				out[0], const struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));

		CHECK(a->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY) && a->arp_data.arp_tip == 0 &&
				a->arp_data.arp_sip == pkt_ip(LOCAL));
		rte_pktmbuf_free(out[0]);
	}
	CHECK(seen.calls == 0 && vtep_neigh_lookup(&arp, 0) == NULL);

	/* A request for another host: no reply, no entry for a stranger, not an error (1: told
	 * apart for the counter ctl_arp_other). */
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
			"00:00:00:00:00:00", "172.16.91.200");
	CHECK(feed(buf, size, T0, &rc, out) == 0 && rc == 1);
	CHECK(vtep_neigh_lookup(&arp, pkt_ip(PEER)) == NULL && seen.calls == 0);

	/* An off-link asker: answered, but no entry. */
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, "10.9.9.9",
			"00:00:00:00:00:00", LOCAL);
	CHECK(feed(buf, size, T0, &rc, out) == 1 && rc == 0);
	rte_pktmbuf_free_bulk(out, 1);
	CHECK(vtep_neigh_lookup(&arp, pkt_ip("10.9.9.9")) == NULL);
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
	uint8_t buf[64], bad[64], tagged[64];
	struct rte_mbuf *out[1];
	unsigned int n = 0;
	size_t size;
	char what[48];

	setup(24, GW);
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
			"00:00:00:00:00:00", LOCAL);
	for (unsigned int i = 0; i < RTE_DIM(fields); i++) {
		memcpy(bad, buf, size);
		bad[fields[i].at] = fields[i].value;
		check_ignored(bad, size, fields[i].what);
	}
	/* Sender MACs that are nobody's: zero, multicast, broadcast; ours looped back. */
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
	/* Every truncation of a 42-byte request, untagged and with one 802.1Q tag. */
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
			"00:00:00:00:00:00", LOCAL);
	memcpy(tagged, buf, size);
	pkt_add_vlan(tagged, size, 100);
	for (size_t len = 0; len < size; len++) {
		snprintf(what, sizeof(what), "truncated to %zu", len);
		check_ignored(buf, len, what);
	}
	for (size_t len = 0; len < size + 4; len++) {
		snprintf(what, sizeof(what), "tagged, truncated to %zu", len);
		check_ignored(tagged, len, what);
	}
	CHECK(arp.c.requests_in == 0 && arp.c.replies_in == 0);
	/* The whole tagged request in an exact buffer: answered in place. */
	CHECK(vtep_neigh_input(&arp, pkt_exact_mbuf(pool, tagged, size + 4), T0, out, &n) == 0 &&
			n == 1);
	rte_pktmbuf_free_bulk(out, n);
}

static void
test_lookup(void)
{
	struct rte_ether_addr peer = pkt_mac(PEER_MAC);
	struct rte_mbuf *out[2];
	unsigned int n = 0;
	uint8_t buf[64];
	size_t size;

	/* Resolution: lookup gives the MAC once the reply is in, not before. */
	setup(24, GW);
	CHECK(vtep_neigh_resolve(&arp, pkt_ip(PEER), T0, out, &n) == 1 && n == 1);
	rte_pktmbuf_free_bulk(out, n);
	CHECK(vtep_neigh_lookup(&arp, pkt_ip(PEER)) == NULL);
	size = pkt_arp(buf, RTE_ARP_OP_REPLY, LOCAL_MAC, PEER_MAC, PEER, LOCAL_MAC, LOCAL);
	n = 0;
	CHECK(vtep_neigh_input(&arp, pkt_mbuf(pool, buf, size), T0 + 1, out, &n) == 0 && n == 0);
	CHECK(vtep_neigh_lookup(&arp, pkt_ip(PEER)) != NULL &&
			rte_is_same_ether_addr(vtep_neigh_lookup(&arp, pkt_ip(PEER)), &peer));
	CHECK(arp.c.replies_in == 1 && arp.c.requests_out == 1);
	/* An unsolicited reply from a stranger teaches nothing (no entry). */
	size = pkt_arp(buf, RTE_ARP_OP_REPLY, LOCAL_MAC, "02:00:00:00:00:09", "172.16.91.9",
			LOCAL_MAC, LOCAL);
	n = 0;
	CHECK(vtep_neigh_input(&arp, pkt_mbuf(pool, buf, size), T0 + 1, out, &n) == 0 && n == 0);
	CHECK(vtep_neigh_lookup(&arp, pkt_ip("172.16.91.9")) == NULL);
	/* A request for another address: not answered, told apart (vtep_ctl counts it). */
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
			"00:00:00:00:00:00", "172.16.91.77");
	n = 0;
	CHECK(vtep_neigh_input(&arp, pkt_mbuf(pool, buf, size), T0 + 1, out, &n) == 1 && n == 0);
	CHECK(arp.c.requests_other == 1);

	/* A request for us in two segments: refused (the reply is built in place), freed. */
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
			"00:00:00:00:00:00", LOCAL);
	{
		struct rte_mbuf *m = pkt_mbuf(pool, buf, size), *m2 = pkt_mbuf(pool, buf, 18);

		CHECK(rte_pktmbuf_chain(m, m2) == 0);
		n = 0;
		CHECK(vtep_neigh_input(&arp, m, T0 + 2, out, &n) == -EINVAL && n == 0);
	}
}

static void
test_nexthop(void)
{
	struct rte_mbuf *out[2];
	unsigned int n = 0;

	setup(24, GW);
	CHECK(vtep_neigh_nexthop(&arp, pkt_ip(PEER)) == pkt_ip(PEER));
	CHECK(vtep_neigh_nexthop(&arp, pkt_ip("10.1.2.3")) == pkt_ip(GW));
	setup(24, NULL);
	CHECK(vtep_neigh_nexthop(&arp, pkt_ip("10.1.2.3")) == 0);
	CHECK(vtep_neigh_resolve(&arp, 0, T0, out, &n) == -EINVAL && n == 0);
	CHECK(vtep_neigh_resolve(&arp, pkt_ip("239.1.1.1"), T0, out, &n) == -EINVAL && n == 0);
	CHECK(vtep_neigh_resolve(&arp, pkt_ip(LOCAL), T0, out, &n) == -EINVAL && n == 0);
	setup(32, GW);
	CHECK(vtep_neigh_nexthop(&arp, pkt_ip(PEER)) == pkt_ip(GW));
	setup(0, NULL);
	CHECK(vtep_neigh_nexthop(&arp, pkt_ip("8.8.8.8")) == pkt_ip("8.8.8.8"));
}

/* Run the timer every 100 ms from *now to end; record the times (ms since base) of requests. */
static unsigned int
run(uint64_t *now, uint64_t end, uint64_t base, uint64_t *times, bool *unicast, unsigned int max)
{
	unsigned int nb = 0;

	for (; *now <= end; *now += HZ / 10) {
		struct rte_mbuf *out[4];
		unsigned int n = vtep_neigh_timer(&arp, *now, out, RTE_DIM(out));

		for (unsigned int i = 0; i < n; i++) {
			const uint8_t *p = rte_pktmbuf_mtod(out[i], const uint8_t *);

			if (nb < max) {
				times[nb] = (*now - base) * 1000 / HZ;
				unicast[nb] = !(p[0] & 1);
			}
			nb++;
		}
		rte_pktmbuf_free_bulk(out, n);
	}
	*now -= HZ / 10;
	return nb;
}

static void
test_resolve_backoff(void)
{
	static const uint64_t want[] = {1000, 3000, 7000, 15000, 31000, 63000, 123000, 183000};
	struct rte_ether_addr mac = pkt_mac(PEER_MAC);
	struct rte_mbuf *out[2];
	uint64_t times[16], now = T0;
	bool unicast[16];
	unsigned int n = 0, nb;

	setup(24, GW);
	CHECK(vtep_neigh_resolve(&arp, pkt_ip(PEER), now, out, &n) == 1 && n == 1);
	CHECK(pkt_compare(rte_pktmbuf_mtod(out[0], uint8_t *), rte_pktmbuf_data_len(out[0]),
			      arp_request_golden, sizeof(arp_request_golden)) == 0);
	rte_pktmbuf_free_bulk(out, n);
	n = 0;
	CHECK(vtep_neigh_resolve(&arp, pkt_ip(PEER), now, out, &n) == 1 && n == 0);
	CHECK(vtep_neigh_lookup(&arp, pkt_ip(PEER)) == NULL);
	CHECK(arp.entries[0].state == VTEP_NEIGH_INCOMPLETE);

	nb = run(&now, T0 + 190 * HZ, T0, times, unicast, RTE_DIM(times));
	CHECKF(nb == RTE_DIM(want), "%u retries", nb);
	for (unsigned int i = 0; i < RTE_MIN(nb, RTE_DIM(want)); i++)
		CHECKF(times[i] == want[i] && !unicast[i], "retry %u at %lu ms, want %lu", i,
				(unsigned long)times[i], (unsigned long)want[i]);
	CHECK(arp.entries[0].state == VTEP_NEIGH_FAILED);
	CHECK(strcmp(vtep_neigh_state_name(VTEP_NEIGH_FAILED), "failed") == 0);
	CHECK(seen.calls == 0);

	/* The answer, at last: REACHABLE, the user told. */
	CHECK(peer_reply(PEER_MAC, now) == 0);
	CHECK(arp.entries[0].state == VTEP_NEIGH_REACHABLE);
	CHECK(seen.calls == 1 && seen.has_mac && rte_is_same_ether_addr(&seen.mac, &mac));
	CHECK(vtep_neigh_resolve(&arp, pkt_ip(PEER), now, out, &n) == 0 && n == 0);
}

static void
test_refresh(void)
{
	struct rte_mbuf *out[2];
	struct rte_ether_addr mac = pkt_mac(PEER_MAC), mac2 = pkt_mac(PEER_MAC2);
	uint64_t times[16], now = T0, base;
	bool unicast[16];
	unsigned int n = 0, nb;

	setup(24, GW);
	CHECK(vtep_neigh_resolve(&arp, pkt_ip(PEER), now, out, &n) == 1 && n == 1);
	rte_pktmbuf_free_bulk(out, n);
	now += HZ / 2;
	CHECK(peer_reply(PEER_MAC, now) == 0 && seen.calls == 1);
	base = now;

	/* Nothing until 25 s; then unicast requests to the known MAC at 25, 26, 27. */
	nb = run(&now, base + 27500 * HZ / 1000, base, times, unicast, RTE_DIM(times));
	CHECKF(nb == 3, "%u refresh requests", nb);
	for (unsigned int i = 0; i < RTE_MIN(nb, 3u); i++)
		CHECKF(times[i] == 25000 + 1000 * i && unicast[i], "refresh %u at %lu ms", i,
				(unsigned long)times[i]);
	CHECK(arp.entries[0].state == VTEP_NEIGH_PROBE);
	CHECK(vtep_neigh_lookup(&arp, pkt_ip(PEER)) != NULL); /* still used while probing */

	/* It answers: REACHABLE again, same MAC, no callback; next refresh 25 s later. */
	CHECK(peer_reply(PEER_MAC, now) == 0);
	CHECK(arp.entries[0].state == VTEP_NEIGH_REACHABLE && seen.calls == 1);
	base = now;
	nb = run(&now, base + 25 * HZ, base, times, unicast, RTE_DIM(times));
	CHECK(nb == 1 && times[0] == 25000);

	/* It does not answer: at 28 s the MAC is dropped and resolution starts over. */
	nb = run(&now, base + 28 * HZ, base, times, unicast, RTE_DIM(times));
	CHECK(nb == 3 && unicast[0] && unicast[1] && !unicast[2] && times[2] == 28000);
	CHECK(seen.calls == 2 && !seen.has_mac && seen.ip_be == pkt_ip(PEER));
	CHECK(vtep_neigh_lookup(&arp, pkt_ip(PEER)) == NULL);
	CHECK(arp.entries[0].state == VTEP_NEIGH_INCOMPLETE);

	/* It comes back with another MAC: the user is told the new one. */
	CHECK(peer_reply(PEER_MAC2, now) == 0);
	CHECK(seen.calls == 3 && seen.has_mac && rte_is_same_ether_addr(&seen.mac, &mac2));
	/* A MAC change while REACHABLE (RFC 826 merge), by a gratuitous ARP. */
	{
		uint8_t buf[64];
		struct rte_mbuf *o[1];
		size_t size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
				"00:00:00:00:00:00", PEER);
		int rc;

		/* Gratuitous: a request for the sender's own address, not ours. */
		CHECK(feed(buf, size, now, &rc, o) == 0 && rc == 1);
	}
	CHECK(seen.calls == 4 && seen.has_mac && rte_is_same_ether_addr(&seen.mac, &mac));
	CHECK(rte_is_same_ether_addr(vtep_neigh_lookup(&arp, pkt_ip(PEER)), &mac));
}

static void
count_walk(const struct vtep_neigh_info *info, void *arg)
{
	struct vtep_neigh_info *last = arg;

	*last = *info;
}

static void
test_static_passive(void)
{
	struct vtep_neigh_info info;
	struct rte_mbuf *out[2];
	struct rte_ether_addr mac = pkt_mac(PEER_MAC);
	uint64_t times[16], now = T0;
	bool unicast[16];
	unsigned int n = 0, nb;
	uint8_t buf[64];
	size_t size;
	int rc;

	/* Static: told at once, never refreshed, not overwritten by ARP. */
	setup(24, GW);
	CHECK(vtep_neigh_add_static(&arp, pkt_ip(GW), &mac) == 0);
	CHECK(seen.calls == 1 && seen.has_mac && seen.ip_be == pkt_ip(GW));
	CHECK(vtep_neigh_add_static(&arp, pkt_ip("239.1.1.1"), &mac) == -EINVAL);
	nb = run(&now, T0 + 1000 * HZ, T0, times, unicast, RTE_DIM(times));
	CHECK(nb == 0);
	size = pkt_arp(buf, RTE_ARP_OP_REPLY, LOCAL_MAC, PEER_MAC2, GW, LOCAL_MAC, LOCAL);
	CHECK(feed(buf, size, now, &rc, out) == 0 && rc == 0);
	CHECK(rte_is_same_ether_addr(vtep_neigh_lookup(&arp, pkt_ip(GW)), &mac));
	CHECK(vtep_neigh_resolve(&arp, pkt_ip(GW), now, out, &n) == 0 && n == 0);
	CHECK(vtep_neigh_walk(&arp, now, count_walk, &info) == 1);
	CHECK(info.state == VTEP_NEIGH_STATIC && info.age_ms == UINT64_MAX &&
			rte_is_same_ether_addr(&info.mac, &mac));
	CHECK(vtep_neigh_delete(&arp, pkt_ip(GW)) == 0 && seen.calls == 2 && !seen.has_mac);
	CHECK(vtep_neigh_delete(&arp, pkt_ip(GW)) == -ENOENT);

	/* Passive (it asked us; nobody resolved it): probed, then forgotten, not chased. */
	setup(24, GW);
	now = T0;
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC2, PEER,
			"00:00:00:00:00:00", LOCAL);
	CHECK(feed(buf, size, now, &rc, out) == 1 && rc == 0);
	rte_pktmbuf_free_bulk(out, 1);
	CHECK(vtep_neigh_walk(&arp, now + 1500 * HZ / 1000, count_walk, &info) == 1);
	CHECK(info.age_ms == 1500 && (info.flags & VTEP_NEIGH_F_PASSIVE) &&
			info.state == VTEP_NEIGH_REACHABLE);
	nb = run(&now, T0 + 100 * HZ, T0, times, unicast, RTE_DIM(times));
	CHECK(nb == 3 && unicast[0] && unicast[2]);
	CHECK(seen.calls == 2 && !seen.has_mac);
	CHECK(vtep_neigh_walk(&arp, now, count_walk, &info) == 0);

	/* Once resolved by the user, the same neighbor is chased when it goes quiet. */
	now = T0;
	CHECK(feed(buf, size, now, &rc, out) == 1 && rc == 0);
	rte_pktmbuf_free_bulk(out, 1);
	CHECK(vtep_neigh_resolve(&arp, pkt_ip(PEER), now, out, &n) == 0 && n == 0);
	nb = run(&now, T0 + 30 * HZ, T0, times, unicast, RTE_DIM(times));
	CHECK(nb == 5 && !unicast[3]); /* 3 probes, broadcast at 28 s and 29 s */
	CHECK(vtep_neigh_walk(&arp, now, count_walk, &info) == 1 &&
			info.state == VTEP_NEIGH_INCOMPLETE);
}

static void
test_table_full(void)
{
	struct vtep_neigh_info info;
	struct rte_mbuf *out[2];
	struct rte_ether_addr mac = pkt_mac(PEER_MAC);
	unsigned int n = 0, learned = 0;
	uint8_t buf[64];
	char ip[16];
	int rc;

	/* 256 passive entries fill the table; a resolution evicts the oldest. */
	setup(16, GW);
	for (unsigned int i = 0; i < VTEP_NEIGH_SIZE + 10; i++) {
		size_t size;

		snprintf(ip, sizeof(ip), "172.16.%u.%u", 1 + i / 200, 1 + i % 200);
		size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, ip,
				"00:00:00:00:00:00", LOCAL);
		CHECK(feed(buf, size, T0 + i, &rc, out) == 1 && rc == 0);
		rte_pktmbuf_free_bulk(out, 1);
		learned += vtep_neigh_lookup(&arp, pkt_ip(ip)) != NULL;
	}
	CHECK(learned == VTEP_NEIGH_SIZE);
	CHECK(vtep_neigh_resolve(&arp, pkt_ip("172.16.200.1"), T0, out, &n) == 1 && n == 1);
	rte_pktmbuf_free_bulk(out, n);
	CHECK(vtep_neigh_lookup(&arp, pkt_ip("172.16.1.1")) == NULL); /* the oldest went */
	CHECK(seen.ip_be == pkt_ip("172.16.1.1") && !seen.has_mac);

	/* Wanted and static entries are never evicted. */
	setup(16, GW);
	for (unsigned int i = 0; i < VTEP_NEIGH_SIZE; i++) {
		snprintf(ip, sizeof(ip), "172.16.%u.%u", 1 + i / 200, 1 + i % 200);
		CHECK(vtep_neigh_add_static(&arp, pkt_ip(ip), &mac) == 0);
	}
	n = 0;
	CHECK(vtep_neigh_resolve(&arp, pkt_ip("172.16.200.1"), T0, out, &n) == -ENOSPC && n == 0);
	CHECK(vtep_neigh_add_static(&arp, pkt_ip("172.16.200.1"), &mac) == -ENOSPC);
	/* Forgetting: never a static entry; a wanted one frees its place, silently. */
	CHECK(vtep_neigh_forget(&arp, pkt_ip("172.16.1.1")) == -EPERM);
	CHECK(vtep_neigh_forget(&arp, pkt_ip("172.16.200.1")) == -ENOENT);
	setup(16, GW);
	for (unsigned int i = 0; i < VTEP_NEIGH_SIZE; i++) {
		snprintf(ip, sizeof(ip), "172.16.%u.%u", 1 + i / 200, 1 + i % 200);
		n = 0;
		CHECK(vtep_neigh_resolve(&arp, pkt_ip(ip), T0, out, &n) == 1 && n == 1);
		rte_pktmbuf_free_bulk(out, n);
	}
	n = 0;
	CHECK(vtep_neigh_resolve(&arp, pkt_ip("172.16.200.1"), T0, out, &n) == -ENOSPC);
	seen.calls = 0;
	CHECK(vtep_neigh_forget(&arp, pkt_ip("172.16.1.7")) == 0 && seen.calls == 0);
	CHECK(vtep_neigh_walk(&arp, T0, count_walk, &info) == VTEP_NEIGH_SIZE - 1);
	CHECK(vtep_neigh_resolve(&arp, pkt_ip("172.16.200.1"), T0, out, &n) == 1 && n == 1);
	rte_pktmbuf_free_bulk(out, n);
}

/*
 * arp-rate: with reply_rate 5, a burst of 8 requests for us gets 5 replies; the other 3 are
 * refused (-EAGAIN), freed and counted, their sender still merged; a second later 5 more. Requests
 * for another address cost nothing.
 */
static void
test_reply_rate(void)
{
	struct rte_mbuf *out[1];
	uint8_t buf[64];
	unsigned int replies = 0, refused = 0;
	size_t size;
	int rc;

	setup(24, GW);
	arp.p.reply_rate = 5;
	vtep_rate_init(&arp.replies, 5, 0, HZ, 0);
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
			"00:00:00:00:00:00", LOCAL);
	for (unsigned int i = 0; i < 8; i++) {
		unsigned int n = feed(buf, size, T0, &rc, out);

		replies += n;
		refused += rc == -EAGAIN;
		rte_pktmbuf_free_bulk(out, n);
	}
	CHECKF(replies == 5 && refused == 3 && arp.c.limited == 3 && arp.c.requests_in == 5,
			"%u replies, %u refused", replies, refused);
	CHECK(vtep_neigh_lookup(&arp, pkt_ip(PEER)) != NULL);
	/* Not for us: no reply, no token. */
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
			"00:00:00:00:00:00", "172.16.91.7");
	CHECK(feed(buf, size, T0, &rc, out) == 0 && rc == 1 && arp.c.limited == 3);
	size = pkt_arp(buf, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", PEER_MAC, PEER,
			"00:00:00:00:00:00", LOCAL);
	for (replies = 0; feed(buf, size, T0 + HZ, &rc, out) == 1; replies++)
		rte_pktmbuf_free_bulk(out, 1);
	CHECK(replies == 5 && rc == -EAGAIN && arp.c.limited == 4);
}

static void
test_gratuitous(void)
{
	struct rte_mbuf *m;
	uint8_t want[64];
	size_t size;

	setup(24, GW);
	m = vtep_neigh_gratuitous(&arp);
	CHECK(m != NULL);
	size = pkt_arp(want, RTE_ARP_OP_REQUEST, "ff:ff:ff:ff:ff:ff", LOCAL_MAC, LOCAL,
			"00:00:00:00:00:00", LOCAL);
	if (m != NULL) {
		CHECK(pkt_compare(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m), want,
				      size) == 0);
		rte_pktmbuf_free(m);
	}
	/* Our own announcement looped back teaches nothing. */
	{
		struct rte_mbuf *out[1];
		int rc;

		CHECK(feed(want, size, T0, &rc, out) == 0 && rc == -EINVAL);
	}
}

static void
test_timer_room(void)
{
	struct rte_mbuf *out[8];
	unsigned int n = 0, total = 0, calls = 0;
	char ip[16];

	/* Five resolutions due at once, room for one per call: all go out, one per call. */
	setup(24, GW);
	for (unsigned int i = 0; i < 5; i++) {
		snprintf(ip, sizeof(ip), "172.16.91.%u", 10 + i);
		n = 0;
		CHECK(vtep_neigh_resolve(&arp, pkt_ip(ip), T0, out, &n) == 1 && n == 1);
		rte_pktmbuf_free_bulk(out, n);
	}
	for (;;) {
		n = vtep_neigh_timer(&arp, T0 + HZ, out, 1);
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
	setup_pool(tiny, 24, GW);
	while (nb_hold < RTE_DIM(hold) && (hold[nb_hold] = rte_pktmbuf_alloc(tiny)) != NULL)
		nb_hold++;
	/* No mbuf: -ENOMEM, but the entry is there and the timer sends when it can. */
	CHECK(vtep_neigh_resolve(&arp, pkt_ip(PEER), T0, out, &n) == -ENOMEM && n == 0);
	CHECK(vtep_neigh_resolve(&arp, pkt_ip(PEER), T0, out, &n) == 1 && n == 0);
	CHECK(vtep_neigh_gratuitous(&arp) == NULL);
	CHECK(vtep_neigh_timer(&arp, T0 + HZ, out, RTE_DIM(out)) == 0);
	rte_pktmbuf_free_bulk(hold, nb_hold);
	n = vtep_neigh_timer(&arp, T0 + 3 * HZ, out, RTE_DIM(out));
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

	vtep_test_eal_init("arp", NULL);
	pool = vtep_test_pool();
	in_use = rte_mempool_in_use_count(pool);
	test_responder();
	test_malformed();
	test_lookup();
	test_nexthop();
	test_resolve_backoff();
	test_refresh();
	test_static_passive();
	test_table_full();
	test_reply_rate();
	test_gratuitous();
	test_timer_room();
	test_nomem();
	CHECKF(rte_mempool_in_use_count(pool) == in_use, "mbufs in use %u, before %u",
			rte_mempool_in_use_count(pool), in_use);
	return vtep_test_done("arp");
}
