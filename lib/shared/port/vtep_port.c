/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_log.h>

#include "vtep_port.h"
#include "vtep_log.h"

VTEP_LOG_REGISTER(port);
#define PORT_LOG(level, ...) VTEP_LOG(port, level, __VA_ARGS__)

/* Frames the TX ring holds for lcores without a queue of their own. */
#define TX_RING_SIZE 4096
#define DRAIN_BURST 64

int
vtep_port_find(const char *name, uint16_t *port_id)
{
	return rte_eth_dev_get_port_by_name(name, port_id) == 0 ? 0 : -ENODEV;
}

int
vtep_port_max_queues(uint16_t port_id, uint16_t *max_rxq, uint16_t *max_txq)
{
	struct rte_eth_dev_info info;
	int rc = rte_eth_dev_info_get(port_id, &info);

	if (rc != 0)
		return rc;
	*max_rxq = info.max_rx_queues;
	*max_txq = info.max_tx_queues;
	return 0;
}

static int
configure(struct vtep_port *port, const struct vtep_port_params *p, struct rte_eth_dev_info *info)
{
	struct rte_eth_conf conf;
	const uint64_t csum = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;

	memset(&conf, 0, sizeof(conf));
	port->nb_rxq = RTE_MAX(1, RTE_MIN(p->nb_rxq, info->max_rx_queues));
	port->nb_txq = RTE_MAX(1, RTE_MIN(p->nb_txq, info->max_tx_queues));
	/* RSS on the outer headers: the UDP source port carries the inner flow's entropy. */
	if (port->nb_rxq > 1 && (info->flow_type_rss_offloads & RTE_ETH_RSS_NONFRAG_IPV4_UDP)) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
				info->flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP);
		port->rss = true;
	}
	/* Without RSS a NIC fills only queue 0 (the others are polled empty); vdevs that feed
	 * each queue from its own source (net_pcap with several rx_pcap, net_ring) fill them
	 * all, and each worker keeps the order of its own queue. */
	if (p->want_csum_offload && (info->tx_offload_capa & csum) == csum) {
		conf.txmode.offloads |= csum;
		port->csum_offload = true;
	}
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		port->multi_seg = true;
	}
	return rte_eth_dev_configure(port->port_id, port->nb_rxq, port->nb_txq, &conf);
}

int
vtep_port_setup(struct vtep_port *port, const struct vtep_port_params *p)
{
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = p->nb_rxd, nb_txd = p->nb_txd;
	char rname[RTE_RING_NAMESIZE];
	int rc, sock;

	rc = rte_eth_dev_info_get(port->port_id, &info);
	if (rc != 0)
		goto fail;
	sock = rte_eth_dev_socket_id(port->port_id);
	port->socket = sock < 0 ? 0 : sock;
	rc = configure(port, p, &info);
	if (rc != 0)
		goto fail;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port->port_id, &nb_rxd, &nb_txd);
	if (rc != 0)
		goto fail;
	for (uint16_t q = 0; q < port->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port->port_id, q, nb_rxd, port->socket, NULL, p->pool);
		if (rc != 0)
			goto fail;
	}
	for (uint16_t q = 0; q < port->nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(port->port_id, q, nb_txd, port->socket, NULL);
		if (rc != 0)
			goto fail;
	}
	if (p->mac != NULL) {
		rc = rte_eth_dev_default_mac_addr_set(
				port->port_id, (struct rte_ether_addr *)(uintptr_t)p->mac);
		if (rc != 0)
			PORT_LOG(WARNING, "%s: cannot set MAC: %s\n", port->name, strerror(-rc));
	}
	if (p->mtu != 0 && (rc = rte_eth_dev_set_mtu(port->port_id, p->mtu)) != 0)
		PORT_LOG(INFO, "%s: MTU %u not set: %s\n", port->name, p->mtu, strerror(-rc));
	snprintf(rname, sizeof(rname), "vtep_tx%u", port->port_id);
	port->tx_ring = rte_ring_create(rname, TX_RING_SIZE, port->socket, RING_F_SC_DEQ);
	if (port->tx_ring == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = rte_eth_dev_start(port->port_id);
	if (rc != 0)
		goto fail;
	port->started = true;
	port->if_index = info.if_index;
	port->link_up = vtep_port_link_up(port);
	rte_eth_promiscuous_enable(port->port_id);
	rte_eth_macaddr_get(port->port_id, &port->mac);
	PORT_LOG(INFO, "%s: port %u, %u rx / %u tx queues%s%s\n", port->name, port->port_id,
			port->nb_rxq, port->nb_txq, port->rss ? ", RSS" : "",
			port->csum_offload ? ", checksum offload" : "");
	return 0;
fail:
	PORT_LOG(ERR, "%s: setup failed: %s\n", port->name, strerror(rc < 0 ? -rc : rc));
	return rc < 0 ? rc : -rc;
}

/* IFF_UP and IFF_RUNNING of kernel interface if_index (true when it cannot be read). */
static bool
kernel_link_up(unsigned int if_index)
{
	struct ifreq ifr;
	bool up = true;
	int fd;

	memset(&ifr, 0, sizeof(ifr));
	if (if_indextoname(if_index, ifr.ifr_name) == NULL)
		return true;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		up = (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
	close(fd);
	return up;
}

bool
vtep_port_link_up(const struct vtep_port *port)
{
	struct rte_eth_link link;
	int rc = rte_eth_link_get_nowait(port->port_id, &link);

	/* A PMD that cannot tell (-ENOTSUP) is taken at its kernel interface's word, if any. */
	if ((rc == 0 && link.link_status != RTE_ETH_LINK_UP) || (rc != 0 && rc != -ENOTSUP))
		return false;
	return port->if_index == 0 || kernel_link_up(port->if_index);
}

void
vtep_port_close(struct vtep_port *port)
{
	void *m;

	if (port->started) {
		rte_eth_dev_stop(port->port_id);
		port->started = false;
	}
	if (port->tx_ring != NULL) {
		while (rte_ring_dequeue(port->tx_ring, &m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(port->tx_ring);
		port->tx_ring = NULL;
	}
	rte_eth_dev_close(port->port_id);
}

void
vtep_port_txq(const struct vtep_port *port, unsigned int worker, struct vtep_txq *txq)
{
	txq->port_id = port->port_id;
	txq->queue = worker;
	txq->ring = worker < port->nb_txq ? NULL : port->tx_ring;
}

uint16_t
vtep_port_drain(const struct vtep_port *port, uint64_t *dropped)
{
	struct rte_mbuf *pkts[DRAIN_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(port->tx_ring, (void **)pkts, DRAIN_BURST, NULL);
	struct vtep_txq q = {.port_id = port->port_id, .queue = 0, .ring = NULL};

	return vtep_txq_send(&q, pkts, n, dropped);
}
