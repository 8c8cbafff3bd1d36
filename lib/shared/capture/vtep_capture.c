/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_udp.h>

#include "vtep_capture.h"
#include "vtep_hdr.h"
#include "vtep_log.h"

VTEP_LOG_REGISTER(capture);
#define CAP_LOG(level, ...) VTEP_LOG(capture, level, __VA_ARGS__)

/* Copies written per ring per pass (rte_pcapng_write_packets makes one writev of them). */
#define CAP_BURST 32
/* Bursts taken from each ring per pass of the control loop. */
#define CAP_POLL_BURSTS 8
/* pcapng blocks the control lcore has at once. */
#define CAP_BLOCKS 255
/* Longest wait of a stop for the workers' grace period, in us. */
#define CAP_GRACE_US 100000
#define CAP_STEP_US 100

/* What a worker notes in its copy for the control lcore (an mbuf dynamic field). */
struct cap_meta {
	uint64_t tsc;   /* when the worker saw the frame */
	uint16_t queue; /* RX or TX queue */
	uint8_t dir;    /* enum rte_pcapng_direction */
	uint32_t len;   /* length of the frame (the copy may be cut at snaplen) */
};

static const struct rte_mbuf_dynfield meta_desc = {
		.name = "vtep_capture_meta",
		.size = sizeof(struct cap_meta),
		.align = __alignof__(struct cap_meta),
};

struct vtep_capture *
vtep_capture_create(const struct vtep_capture_params *p)
{
	struct vtep_capture *cap;
	char name[RTE_RING_NAMESIZE];

	if (p->nb_workers > VTEP_CAPTURE_MAX_WORKERS || p->nb_vnis > VTEP_MAX_VNIS) {
		rte_errno = EINVAL;
		return NULL;
	}
	cap = rte_zmalloc_socket("vtep_capture", sizeof(*cap), RTE_CACHE_LINE_SIZE, p->socket);
	if (cap == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	cap->p = *p;
	cap->meta_off = rte_mbuf_dynfield_register(&meta_desc);
	if (cap->meta_off < 0)
		goto fail;
	for (unsigned int w = 0; w < p->nb_workers; w++) {
		snprintf(name, sizeof(name), "vtep_cap%u", w);
		cap->w[w].ring = rte_ring_create(name, VTEP_CAPTURE_RING_SIZE, p->socket,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (cap->w[w].ring == NULL)
			goto fail;
	}
	return cap;
fail:
	vtep_capture_free(cap);
	rte_errno = ENOMEM;
	return NULL;
}

/* Take copies off the rings (see below); write them while the file is open and count allows. */
static unsigned int drain(struct vtep_capture *cap, bool write, unsigned int max_bursts);

void
vtep_capture_free(struct vtep_capture *cap)
{
	if (cap == NULL)
		return;
	if (cap->out != NULL)
		vtep_capture_stop(cap);
	drain(cap, false, UINT_MAX);
	for (unsigned int w = 0; w < VTEP_CAPTURE_MAX_WORKERS; w++)
		rte_ring_free(cap->w[w].ring);
	rte_mempool_free(cap->pool);
	rte_mempool_free(cap->blocks);
	rte_free(cap);
}

int
vtep_capture_vni_index(const struct vtep_capture *cap, uint32_t vni)
{
	for (unsigned int v = 0; v < cap->p.nb_vnis; v++)
		if (cap->p.vni_ids[v] == vni)
			return v;
	return -1;
}

/* The VNI field (VNI << 8, wire order) of an outer VXLAN frame, or 0 for any other frame. */
static rte_be32_t
outer_vni_be(const struct rte_mbuf *m, rte_be16_t dstport_be)
{
	const uint8_t *b = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), off = sizeof(struct rte_ether_hdr);
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)b;
	rte_be16_t type = eth->ether_type;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	uint32_t ihl;

	if (len < off + sizeof(struct rte_vlan_hdr))
		return 0;
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		type = ((const struct rte_vlan_hdr *)(b + off))->eth_proto;
		off += sizeof(struct rte_vlan_hdr);
	}
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || len < off + sizeof(*ip))
		return 0;
	ip = (const struct rte_ipv4_hdr *)(b + off);
	ihl = (ip->version_ihl & 0x0f) * 4u;
	if (ip->next_proto_id != IPPROTO_UDP || ihl < sizeof(*ip) ||
			len < off + ihl + sizeof(*udp) + sizeof(struct rte_vxlan_hdr))
		return 0;
	udp = (const struct rte_udp_hdr *)(b + off + ihl);
	if (udp->dst_port != dstport_be)
		return 0;
	return ((const struct rte_vxlan_hdr *)(udp + 1))->vx_vni;
}

static bool
match(const struct vtep_capture_filter *f, const struct rte_mbuf *m, int vni_idx)
{
	if (vni_idx < 0) {
		if (f->dev == VTEP_CAPTURE_INNER)
			return false;
		return !f->has_vni || outer_vni_be(m, f->dstport_be) == f->vni_be;
	}
	if (f->dev == VTEP_CAPTURE_UNDERLAY)
		return false;
	return !f->has_vni || f->vni_idx == vni_idx;
}

/* Hand nb copies to the control lcore; what the ring refuses is freed and counted. */
static void
enqueue(struct vtep_capture_worker *cw, struct rte_mbuf **copies, unsigned int nb)
{
	unsigned int sent = rte_ring_sp_enqueue_burst(cw->ring, (void *const *)copies, nb, NULL);

	cw->copied += sent;
	if (sent < nb) {
		rte_pktmbuf_free_bulk(&copies[sent], nb - sent);
		cw->ring_full += nb - sent;
	}
}

void
vtep_capture_copy(struct vtep_capture *cap, const struct vtep_capture_filter *f,
		unsigned int worker, uint16_t port_id, uint16_t queue, int vni_idx,
		struct rte_mbuf *const *pkts, uint16_t n, enum rte_pcapng_direction dir)
{
	struct vtep_capture_worker *cw = &cap->w[worker];
	struct rte_mbuf *copies[CAP_BURST];
	uint64_t tsc = rte_rdtsc();
	unsigned int nb = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *c;
		struct cap_meta *meta;

		if (!match(f, pkts[i], vni_idx))
			continue;
		c = rte_pktmbuf_copy(pkts[i], cap->pool, 0, f->snaplen ? f->snaplen : UINT32_MAX);
		if (c == NULL) {
			cw->nombuf++;
			continue;
		}
		c->port = port_id;
		meta = RTE_MBUF_DYNFIELD(c, cap->meta_off, struct cap_meta *);
		meta->tsc = tsc;
		meta->queue = queue;
		meta->dir = dir;
		meta->len = rte_pktmbuf_pkt_len(pkts[i]);
		copies[nb++] = c;
		if (nb == CAP_BURST) {
			enqueue(cw, copies, nb);
			nb = 0;
		}
	}
	if (nb > 0)
		enqueue(cw, copies, nb);
}

/*
 * Wall-clock nanoseconds of a worker's TSC stamp, from the pair taken at start. rte_pcapng_copy
 * computes a time from the cycles it is given, but through a static base it moves forward
 * without a lock and that goes wrong for a stamp older than the newest one it has seen (several
 * workers, one ring after the other): so vtepd writes the Enhanced Packet Block's timestamp
 * itself (pcapng, draft-ietf-opsawg-pcapng section 4.3: high and low 32 bits at offsets 12 and
 * 16, in the if_tsresol of 10^-9 that rte_pcapng's interface blocks declare). It also writes the
 * Original Packet Length (offset 24): rte_pcapng_copy saw only the copy, cut at snaplen.
 */
static void
fix_block(const struct vtep_capture *cap, struct rte_mbuf *block, const struct cap_meta *meta)
{
	uint8_t *epb = rte_pktmbuf_mtod(block, uint8_t *);
	int64_t d = (int64_t)(meta->tsc - cap->start_tsc);
	uint64_t ns, mag = d < 0 ? -(uint64_t)d : (uint64_t)d;
	uint32_t hi, lo;

	mag = mag / cap->hz * NS_PER_S + (mag % cap->hz) * NS_PER_S / cap->hz;
	ns = d < 0 ? cap->start_ns - mag : cap->start_ns + mag;
	hi = ns >> 32;
	lo = (uint32_t)ns;
	memcpy(epb + 12, &hi, sizeof(hi));
	memcpy(epb + 16, &lo, sizeof(lo));
	memcpy(epb + 24, &meta->len, sizeof(meta->len));
}

/* Turn copies into pcapng blocks and write them; copies are freed. */
static void
write_copies(struct vtep_capture *cap, struct rte_mbuf **copies, unsigned int n)
{
	struct rte_mbuf *blocks[CAP_BURST];
	unsigned int nb = 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct cap_meta *meta =
				RTE_MBUF_DYNFIELD(copies[i], cap->meta_off, struct cap_meta *);

		if (cap->st.count != 0 && cap->st.written + nb >= cap->st.count)
			break;
		blocks[nb] = rte_pcapng_copy(copies[i]->port, meta->queue, copies[i], cap->blocks,
				UINT32_MAX, rte_rdtsc(), meta->dir);
		if (blocks[nb] == NULL) {
			cap->st.write_errors++;
			continue;
		}
		fix_block(cap, blocks[nb++], meta);
	}
	rte_pktmbuf_free_bulk(copies, n);
	if (nb == 0)
		return;
	if (rte_pcapng_write_packets(cap->out, blocks, nb) < 0) {
		CAP_LOG(ERR, "write to %s failed: %s\n", cap->st.path, rte_strerror(rte_errno));
		cap->st.write_errors += nb;
	} else {
		cap->st.written += nb;
	}
	rte_pktmbuf_free_bulk(blocks, nb);
}

/*
 * Take up to max_bursts bursts from every ring (UINT_MAX: until they are empty, once no worker
 * adds to them), writing them or freeing them. A pass of the control loop takes a bounded
 * number: a worker that fills its ring as fast as this empties it must not keep the control
 * lcore from its other work (the mailbox, ARP, IGMP).
 */
static unsigned int
drain(struct vtep_capture *cap, bool write, unsigned int max_bursts)
{
	struct rte_mbuf *copies[CAP_BURST];
	unsigned int total = 0, n;

	for (unsigned int w = 0; w < cap->p.nb_workers; w++) {
		for (unsigned int b = 0; b < max_bursts; b++) {
			n = rte_ring_sc_dequeue_burst(
					cap->w[w].ring, (void **)copies, CAP_BURST, NULL);
			if (n == 0)
				break;
			total += n;
			if (write && cap->out != NULL)
				write_copies(cap, copies, n);
			else
				rte_pktmbuf_free_bulk(copies, n);
			if (n < CAP_BURST)
				break;
		}
	}
	return total;
}

static int
make_pools(struct vtep_capture *cap)
{
	if (cap->pool == NULL)
		cap->pool = rte_pktmbuf_pool_create("vtep_cap", VTEP_CAPTURE_POOL_SIZE, 256, 0,
				RTE_MBUF_DEFAULT_BUF_SIZE, cap->p.socket);
	if (cap->blocks == NULL)
		cap->blocks = rte_pktmbuf_pool_create("vtep_capblk", CAP_BLOCKS, 0, 0,
				rte_pcapng_mbuf_size(RTE_MBUF_DEFAULT_DATAROOM), cap->p.socket);
	return cap->pool != NULL && cap->blocks != NULL ? 0 : -ENOMEM;
}

/* Sum of the workers' counters. */
static void
worker_sums(const struct vtep_capture *cap, uint64_t sums[3])
{
	sums[0] = sums[1] = sums[2] = 0;
	for (unsigned int w = 0; w < cap->p.nb_workers; w++) {
		sums[0] += __atomic_load_n(&cap->w[w].copied, __ATOMIC_RELAXED);
		sums[1] += __atomic_load_n(&cap->w[w].ring_full, __ATOMIC_RELAXED);
		sums[2] += __atomic_load_n(&cap->w[w].nombuf, __ATOMIC_RELAXED);
	}
}

int
vtep_capture_start(struct vtep_capture *cap, const char *path, const struct vtep_capture_filter *f,
		uint64_t count, char *err, size_t err_size)
{
	struct vtep_capture_filter *nf;
	struct timespec ts;
	int fd, rc;

	if (cap->out != NULL) {
		snprintf(err, err_size, "a capture is running (to %s)", cap->st.path);
		return -EBUSY;
	}
	if (strlen(path) >= sizeof(cap->st.path)) {
		snprintf(err, err_size, "file name too long");
		return -ENAMETOOLONG;
	}
	if (make_pools(cap) != 0) {
		snprintf(err, err_size, "no memory for the capture mempool");
		return -ENOMEM;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, err_size, "cannot open %s: %s", path, strerror(-rc));
		return rc;
	}
	cap->out = rte_pcapng_fdopen(fd, NULL, NULL, "vtepd", NULL);
	if (cap->out == NULL) {
		close(fd);
		snprintf(err, err_size, "cannot write a pcapng header to %s", path);
		return -EIO;
	}
	/* Leftovers of a stop that timed out waiting for a worker belong to no file. */
	drain(cap, false, UINT_MAX);
	memset(&cap->st, 0, sizeof(cap->st));
	snprintf(cap->st.path, sizeof(cap->st.path), "%s", path);
	cap->st.running = true;
	cap->st.count = count;
	cap->st.f = *f;
	cap->st.vni = f->has_vni ? cap->p.vni_ids[f->vni_idx] : 0;
	nf = &cap->filters[cap->cur ^= 1];
	*nf = *f;
	nf->vni_be = vtep_vxlan_vni_be(cap->st.vni);
	nf->dstport_be = cap->p.dstport_be;
	worker_sums(cap, cap->base);
	clock_gettime(CLOCK_REALTIME, &ts);
	cap->start_tsc = rte_rdtsc();
	cap->start_ns = (uint64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
	cap->hz = rte_get_tsc_hz();
	__atomic_store_n(&cap->active, nf, __ATOMIC_RELEASE);
	CAP_LOG(INFO, "capture to %s started\n", path);
	return 0;
}

int
vtep_capture_stop(struct vtep_capture *cap)
{
	uint64_t token;
	unsigned int us = 0;

	if (cap->out == NULL)
		return -ENOENT;
	__atomic_store_n(&cap->active, NULL, __ATOMIC_RELEASE);
	/* Once every worker has passed a quiescent state, none copies for this capture. */
	if (cap->p.qsbr != NULL) {
		token = rte_rcu_qsbr_start(cap->p.qsbr);
		while (rte_rcu_qsbr_check(cap->p.qsbr, token, false) != 1 && us < CAP_GRACE_US) {
			rte_delay_us_sleep(CAP_STEP_US);
			us += CAP_STEP_US;
		}
	}
	drain(cap, true, UINT_MAX);
	vtep_capture_status(cap, &cap->st);
	cap->st.running = false;
	rte_pcapng_close(cap->out);
	cap->out = NULL;
	CAP_LOG(INFO, "capture to %s stopped: %" PRIu64 " frames\n", cap->st.path, cap->st.written);
	return 0;
}

unsigned int
vtep_capture_poll(struct vtep_capture *cap)
{
	uint64_t before;

	if (cap == NULL || cap->out == NULL)
		return 0;
	before = cap->st.written;
	drain(cap, true, CAP_POLL_BURSTS);
	if (cap->st.count != 0 && cap->st.written >= cap->st.count)
		vtep_capture_stop(cap);
	return cap->st.written - before;
}

void
vtep_capture_status(const struct vtep_capture *cap, struct vtep_capture_status *st)
{
	uint64_t now[3];

	if (st != &cap->st)
		*st = cap->st;
	if (!cap->st.running)
		return;
	worker_sums(cap, now);
	st->copied = now[0] - cap->base[0];
	st->ring_full = now[1] - cap->base[1];
	st->nombuf = now[2] - cap->base[2];
}
