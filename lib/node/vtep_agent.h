/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtep-flannel's agent: a vtepd host as a node of a flannel vxlan network (docs/flannel.md).
 * It reads the network config from etcd, holds a subnet lease (acquire, renew, take back,
 * release), programs vtepd through its telemetry socket (static FDB entry VtepMAC -> PublicIP per
 * peer, learning off) and the kernel side of vtepd's inner tap through rtnetlink (the tap plays
 * flannel.<VNI>: address <subnet>.0/32, a permanent neighbor and an onlink route per peer), writes
 * subnet.env, and answers vtepctl on a status socket. One thread, one poll loop; vtepd's lcores
 * only ever see telemetry requests, executed by vtepd's control lcore.
 */
#ifndef VTEP_AGENT_H
#define VTEP_AGENT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "vtep_etcd.h"

/** The agent's options (app/vtep-flannel, docs/flannel.md). */
struct vtep_agent_conf {
	struct vtep_etcd_conf etcd; /**< --etcd-endpoints, --etcd-cafile ... */
	const char *etcd_prefix;    /**< --etcd-prefix (flannel's /coreos.com/network). */
	const char *file_prefix;    /**< --file-prefix of the vtepd to program. */
	const char *vtep_iface;     /**< --vtep-iface: the tap; NULL = flannel.<VNI>. */
	uint32_t public_ip;         /**< --public-ip, host order; 0 = vtepd's `local`. */
	uint32_t subnet;            /**< --subnet: the subnet to hold (0 with subnet_len 0: any). */
	uint8_t subnet_len;         /**< Its length. */
	const char *subnet_file;    /**< --subnet-file (flannel's /run/flannel/subnet.env). */
	const char *status_socket;  /**< --status-socket; NULL = /run/vtep-flannel/PREFIX.sock. */
	int64_t lease_ttl;          /**< --subnet-lease-ttl, seconds (flannel: 24 h). */
	int64_t renew_margin;       /**< --subnet-lease-renew-margin, seconds (flannel: 1 h). */
	bool release_on_exit;       /**< --release-on-exit: revoke the lease, undo the host. */
	volatile sig_atomic_t *stop; /**< Set (by a signal handler) to make the agent exit. */
};

/** The default status socket of the vtepd with that --file-prefix. */
void vtep_agent_status_path(const char *file_prefix, char *buf, size_t size);

/**
 * Run until *conf->stop or a fatal error. Every check of etcd's config, of vtepd and of the tap
 * comes before the first change (a refused start changes nothing).
 * @return the exit status: 0 after a stop, 1 after a fatal error (printed).
 */
int vtep_agent_run(const struct vtep_agent_conf *conf);

/**
 * Read the network config and print the vtepd words it asks for on stdout: `dstport P id VNI
 * nolearning` (and `mtu N` when Backend.MTU is set), for vtepd's command line.
 * @return the exit status: 0, or 1 after printing why (etcd unreachable, a config refused).
 */
int vtep_agent_words(const struct vtep_agent_conf *conf);

#endif /* VTEP_AGENT_H */
