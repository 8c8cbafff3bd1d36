/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bridge domains: one per VNI, like a Linux bridge with a vxlan port. Its local attachments are
 * whole DPDK ports (access ports) or one VLAN, or the untagged frames, of a trunk port
 * (`bridge vlan add vid V dev PORT tunnel_info id N`). The control plane builds the table once,
 * from the configuration (lib/cp/runtime); afterwards it writes only the link state (`up`, one
 * byte, relaxed), which workers read before they switch or flood to an attachment. Header only:
 * the layout is the contract.
 */
#ifndef VTEP_BD_H
#define VTEP_BD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "vtep_conf.h"
#include "vtep_stats.h"

/** No attachment (a VLAN of a trunk that is not attached, a trunk without native VNI). */
#define VTEP_BD_NONE 0xffff

/** One attachment: what workers need to send to it and to count it. */
struct vtep_att {
	uint16_t lport;   /**< Its local port (struct vtep_bd.ports index). */
	uint16_t port_id; /**< DPDK port id. */
	uint16_t vlan;    /**< VTEP_VLAN_NONE, VTEP_VLAN_UNTAGGED, or the VID pushed on TX. */
	uint16_t vni_idx; /**< The VNI whose bridge domain it is in. */
	uint8_t tagged;   /**< vlan is a VID: frames get an 802.1Q tag on TX, lose it on RX. */
	uint8_t up; /**< Link up and not set down: switched and flooded to (control writes). */
};

/** One local DPDK port: an access port (one attachment) or a trunk (a VLAN map). */
struct vtep_bd_port {
	uint16_t port_id; /**< DPDK port id. */
	uint16_t att;     /**< Access port: its attachment; trunk: VTEP_BD_NONE. */
	uint16_t native;  /**< Trunk: the attachment of untagged frames, or VTEP_BD_NONE. */
	int16_t vni_idx;  /**< Access port: its VNI; trunk: VTEP_MAX_VNIS (for capture filters). */
	uint16_t nb_atts; /**< Attachments on it. */
	uint16_t vlans[4096]; /**< Trunk: VID -> attachment, VTEP_BD_NONE when not attached. */
};

/** One VNI's bridge domain: its attachments, in configuration order (the flood order). */
struct vtep_bd_vni {
	uint16_t nb_atts;                     /**< Attachments. */
	uint16_t atts[VTEP_MAX_ATTS_PER_VNI]; /**< Their indexes. */
};

/** The bridge domains of a vtepd. */
struct vtep_bd {
	unsigned int nb_atts;                      /**< Attachments. */
	unsigned int nb_ports;                     /**< Local ports. */
	unsigned int nb_vnis;                      /**< VNIs (conf order). */
	struct vtep_att atts[VTEP_MAX_ATTS];       /**< The attachments (conf order). */
	struct vtep_bd_vni vnis[VTEP_MAX_VNIS];    /**< Per VNI index. */
	struct vtep_bd_port ports[VTEP_MAX_PORTS]; /**< Per local port (first-use order). */
};

/** Is attachment a up (workers' side: one relaxed byte load)? */
static inline bool
vtep_att_up(const struct vtep_bd *bd, unsigned int a)
{
	return __atomic_load_n(&bd->atts[a].up, __ATOMIC_RELAXED) != 0;
}

#endif /* VTEP_BD_H */
