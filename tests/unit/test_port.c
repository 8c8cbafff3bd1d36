/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtep_txq_send on a port that refuses frames (a ring port whose TX ring is full): the refused
 * frames are freed and counted, and the rate-limited DEBUG line of vtepd.port says so once per
 * second, only when that log type is at DEBUG.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eth_ring.h>
#include <rte_log.h>

#include "pkt_build.h"
#include "test_common.h"
#include "vtep_port.h"

/* Lines of vtepd.port's TX message in a log text. */
static unsigned int
refused_lines(const char *log)
{
	unsigned int n = 0;

	for (const char *p = log; (p = strstr(p, "vtepd.port: port ")) != NULL; p++)
		n += strstr(p, "refused") != NULL;
	return n;
}

static void
send_burst(const struct vtep_txq *q, uint64_t *dropped, uint16_t *sent)
{
	struct rte_mbuf *m[8];
	uint8_t frame[64] = {0};

	for (int i = 0; i < 8; i++)
		m[i] = pkt_mbuf(vtep_test_pool(), frame, sizeof(frame));
	*sent = vtep_txq_send(q, m, 8, dropped);
}

int
main(void)
{
	struct vtep_port_params pp = {.nb_rxq = 1, .nb_txq = 1, .nb_rxd = 64, .nb_txd = 64};
	struct vtep_port vp = {.name = "tp"};
	struct rte_ring *rx, *tx;
	struct vtep_txq q = {0};
	uint64_t dropped = 0;
	char *log = NULL;
	size_t log_size = 0;
	FILE *f;
	uint16_t sent;
	int port;

	vtep_test_eal_init("test_port", NULL);
	rx = rte_ring_create("tp_rx", 4, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	tx = rte_ring_create("tp_tx", 4, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	port = rte_eth_from_rings("tp", &rx, 1, &tx, 1, SOCKET_ID_ANY);
	CHECK(port >= 0);
	if (port < 0)
		return vtep_test_done("port");
	vp.port_id = port;
	pp.pool = vtep_test_pool();
	CHECK(vtep_port_setup(&vp, &pp) == 0 && vp.started);
	vtep_port_txq(&vp, 0, &q);
	CHECK(q.ring == NULL && q.port_id == port && q.queue == 0);
	f = open_memstream(&log, &log_size);
	rte_openlog_stream(f);

	/* Below DEBUG: counted, not logged. A 4-slot ring takes 3 frames. */
	send_burst(&q, &dropped, &sent);
	CHECK(sent == 3 && dropped == 5);
	/* At DEBUG: one line, then none for the rest of the second. */
	rte_log_set_level_pattern("vtepd.port", RTE_LOG_DEBUG);
	send_burst(&q, &dropped, &sent);
	send_burst(&q, &dropped, &sent);
	CHECK(sent == 0 && dropped == 5 + 8 + 8);
	fflush(f);
	CHECKF(refused_lines(log) == 1, "log: %s", log);
	CHECK(strstr(log, "refused 8 frames") != NULL);
	rte_openlog_stream(NULL);
	fclose(f);
	free(log);
	for (void *m = NULL; rte_ring_dequeue(tx, &m) == 0;)
		rte_pktmbuf_free(m);
	vtep_port_close(&vp);
	return vtep_test_done("port");
}
