/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration: the words of `ip link add NAME type vxlan ...` and `bridge fdb`, from the command
 * line (after EAL's `--`) or a config file, into one struct, validated before anything starts.
 * This module has no DPDK side effects and needs no EAL: it only parses and checks text.
 */
#ifndef VTEP_CONF_H
#define VTEP_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "vtep_stats.h"

/** Longest DPDK device name we keep (RTE_ETH_NAME_MAX_LEN is 64). */
#define VTEP_DEV_NAME_SIZE 64
/** Most head-end replication remotes per VNI. */
#define VTEP_MAX_FLOOD 64
/** Most prefixes in a VNI's allow list (VTEP_ALLOW_MAX of lib/dp/decap). */
#define VTEP_MAX_ALLOW 16
/** Most static FDB entries and static neighbors from the configuration. */
#define VTEP_MAX_STATIC 1024
/** Length of an error message from this module. */
#define VTEP_CONF_ERR_SIZE 256
/** Most local attachments (bridge ports) in all, and per VNI (bridge domain). */
#define VTEP_MAX_ATTS VTEP_STATS_ATTS
#define VTEP_MAX_ATTS_PER_VNI 64
/** Most distinct local DPDK ports (besides `dev`); DPDK's own build may allow fewer
 * (RTE_MAX_ETHPORTS, 32 in Debian's). */
#define VTEP_MAX_PORTS 64

/** Attachment VLAN: the whole port, every frame as it is (an access port). */
#define VTEP_VLAN_NONE 0
/** Attachment VLAN: the untagged frames of a trunk port (its native VNI). */
#define VTEP_VLAN_UNTAGGED 0xffff
/** Largest VLAN id of an attachment (802.1Q: 0 is a priority tag, 4095 reserved). */
#define VTEP_VLAN_MAX 4094

/** `ttl inherit` / `tos inherit`: copy from the inner IPv4 header. */
#define VTEP_INHERIT (-1)
/** `ttl auto` (the default): 64 for unicast, 1 for multicast, like the kernel. */
#define VTEP_TTL_AUTO 0

/** One VXLAN segment: what `ip link add vxlanN type vxlan id N ...` describes. */
struct vtep_vni_conf {
	uint32_t vni;                         /**< `id`: 0..16777215. */
	rte_be32_t group_be;                  /**< `group`: multicast group, 0 if none. */
	rte_be32_t floods_be[VTEP_MAX_FLOOD]; /**< `remote`/`fdb append 00:..:00 dst`: HER list. */
	unsigned int nb_floods;               /**< Entries in floods_be. */
	struct rte_ether_addr inner_mac;      /**< `address`: inner port MAC (0 = derived). */
	bool inner_mac_set;                   /**< `address` given. */
	int ttl;                              /**< `ttl`: 1..255, VTEP_TTL_AUTO or VTEP_INHERIT. */
	int tos;                              /**< `tos`: 0..255 or VTEP_INHERIT. */
	bool learning;                        /**< `learning` (default) / `nolearning`. */
	uint32_t ageing;                      /**< `ageing` seconds, 0 = never (default 300). */
	uint32_t maxaddress;                  /**< `maxaddress`: learned entries, 0 = unlimited. */
	uint32_t learnrate;  /**< `learnrate N`: learns (new entries, moves) a second, 0 = no limit.
			      */
	uint32_t learnburst; /**< `learnrate N burst B`: learns at once, 0 = N. */
	uint32_t damp_moves; /**< `movedamp MOVES SECONDS HOLD` (5 180 180), 0 = `nomovedamp`. */
	uint32_t damp_window; /**< SECONDS: the window the moves are counted in. */
	uint32_t damp_hold;   /**< HOLD: seconds a frozen MAC stays at its remote. */
	/** `allow IP[/LEN]`: the outer sources this VNI takes frames from (none: every one). */
	struct {
		rte_be32_t net_be; /**< Prefix, host bits zero. */
		uint8_t len;       /**< Prefix length, 1..32. */
	} allows[VTEP_MAX_ALLOW];
	unsigned int nb_allows; /**< Entries in allows. */
};

/**
 * A local attachment: a whole DPDK port, or one VLAN (or the untagged frames) of a trunk port, in
 * a VNI's bridge domain (`ip link set dev PORT master br0`, `bridge vlan add vid V dev PORT
 * tunnel_info id N`). The words `inner NAME` and `port NAME [vlan V | untagged] [maxaddress N]`.
 */
struct vtep_att_conf {
	char port[VTEP_DEV_NAME_SIZE]; /**< DPDK device name of the local port. */
	uint16_t vlan;       /**< VTEP_VLAN_NONE, 1..VTEP_VLAN_MAX or VTEP_VLAN_UNTAGGED. */
	bool inner;          /**< Written `inner` (for messages). */
	uint32_t vni;        /**< The VNI (`id`) whose bridge domain it is in. */
	uint32_t maxaddress; /**< Learned MACs behind it, 0 = unlimited. */
};

/**
 * A static FDB entry: `fdb MAC dst IP [vni N]` (`bridge fdb add MAC dev vxlan0 dst IP`), or a
 * static local entry `fdb MAC dev PORT [vlan V] [vni N]` (`bridge fdb add MAC dev PORT master
 * static`).
 */
struct vtep_fdb_conf {
	uint32_t vni;                 /**< VNI the entry belongs to. */
	bool vni_set;                 /**< VNI given (`vni N` or a current `id`); else the dev's. */
	struct rte_ether_addr mac;    /**< Inner MAC (unicast). */
	rte_be32_t dst_be;            /**< Remote VTEP address; 0 for a local entry. */
	char dev[VTEP_DEV_NAME_SIZE]; /**< Local entry: the attachment's port. */
	uint16_t vlan;                /**< Local entry: its VLAN (VTEP_VLAN_*). */
};

/** A static neighbor: `neigh IP lladdr MAC` (`ip neigh add IP lladdr MAC nud permanent`). */
struct vtep_neigh_conf {
	rte_be32_t ip_be;          /**< Next-hop address on the underlay. */
	struct rte_ether_addr mac; /**< Its Ethernet address. */
};

/** Everything vtepd is told. */
struct vtep_conf {
	char dev[VTEP_DEV_NAME_SIZE]; /**< `dev`: DPDK device name of the underlay port. */
	rte_be32_t local_be;          /**< `local`: the VTEP's own address (required). */
	uint8_t prefix_len;           /**< `local A.B.C.D/LEN`: on-link subnet (default 24). */
	rte_be32_t gateway_be;        /**< `gateway`: next hop for off-link remotes, 0 = none. */
	uint16_t dstport;             /**< `dstport` (default 4789). */
	uint16_t srcport_min;         /**< `srcport MIN MAX` (default 32768). */
	uint16_t srcport_max;         /**< (default 60999, the kernel's range). */
	bool udpcsum;                 /**< `udpcsum` (default) / `noudpcsum`. */
	uint16_t mtu;                 /**< `mtu`: underlay MTU (default 1500). */
	uint8_t igmp_version;         /**< `igmp 2|3` (default 3). */
	unsigned int workers; /**< `workers N`, 0 (default) = every worker lcore EAL gave. */
	uint32_t maxaddress;  /**< `maxaddress` before any `id`: global limit, 0 = fdb_size. */
	uint32_t fdb_size;    /**< `fdb-size`: FDB capacity (default 65536). */
	uint32_t nb_mbufs;    /**< `mbufs`: mempool size, 0 (default) = derived from ports. */
	unsigned int stats_interval; /**< `stats-interval` seconds, 0 = off. */
	uint32_t idle_exit_ms;       /**< `idle-exit` ms with no packet received, 0 = off. */
	uint32_t arp_rate;  /**< `arp-rate`: ARP replies a second (default 100), 0 = unlimited. */
	uint32_t igmp_rate; /**< `igmp-rate`: IGMP reports answering queries a second (10), 0 = no.
			     */
	uint32_t icmp_rate; /**< `icmp-rate`: echo replies for the VTEP address a second (1000). */

	struct vtep_vni_conf vnis[VTEP_MAX_VNIS];   /**< The segments, in order of appearance. */
	unsigned int nb_vnis;                       /**< Entries in vnis. */
	struct vtep_att_conf atts[VTEP_MAX_ATTS];   /**< Local attachments, in order. */
	unsigned int nb_atts;                       /**< Entries in atts. */
	struct vtep_fdb_conf fdbs[VTEP_MAX_STATIC]; /**< Static FDB entries. */
	unsigned int nb_fdbs;                       /**< Entries in fdbs. */
	struct vtep_neigh_conf neighs[VTEP_MAX_STATIC]; /**< Static neighbors. */
	unsigned int nb_neighs;                         /**< Entries in neighs. */
};

/** Fill conf with the defaults (no VNI, no device). */
void vtep_conf_init(struct vtep_conf *conf);

/**
 * Parse words (as after EAL's `--`) into conf. `id N` opens a VNI; the VNI words that follow
 * (group, remote, inner, address, ttl, tos, ageing, learning, nolearning, maxaddress) apply to it.
 * `config FILE` reads a file of the same words, one statement per line, `#` comments; the file's
 * VNI words apply to the `id`s in that file, and the current VNI is restored after it.
 * Call vtep_conf_init() first; words add to conf, so on error conf is partly filled.
 * @param argv Only vtepd's words, no program name.
 * @param err Buffer for the message (VTEP_CONF_ERR_SIZE is enough), may be NULL.
 * @return 0, or -EINVAL with a message naming the option and the value in err, or -errno when a
 *   config file cannot be opened.
 */
int vtep_conf_parse_args(
		struct vtep_conf *conf, int argc, char *const argv[], char *err, size_t err_size);

/**
 * Parse a config file into conf (the `config FILE` word). A line may start with `vxlan`, so
 * `vxlan id 42 group 239.1.1.1` reads like the `ip link add ... type vxlan` it mirrors.
 * @return 0, or -EINVAL / -errno with a message naming file, line, option and value in err.
 */
int vtep_conf_parse_file(struct vtep_conf *conf, const char *path, char *err, size_t err_size);

/**
 * Check the whole configuration once parsing is done: required words present (dev, local, at
 * least one VNI, an inner port per VNI), no duplicate VNI or inner port, static entries name
 * configured VNIs, ranges sane.
 * @return 0, or -EINVAL with a message in err.
 */
int vtep_conf_validate(const struct vtep_conf *conf, char *err, size_t err_size);

/** Does VNI v's allow list (if it has one) take outer source ip_be? */
bool vtep_conf_allowed(const struct vtep_vni_conf *v, rte_be32_t ip_be);

/** Index of vni in conf->vnis, or -1. */
int vtep_conf_vni_index(const struct vtep_conf *conf, uint32_t vni);

/** Index of the attachment (port, vlan) in conf->atts, or -1. */
int vtep_conf_att_index(const struct vtep_conf *conf, const char *port, uint16_t vlan);

/** Attachments of VNI index v. */
unsigned int vtep_conf_vni_atts(const struct vtep_conf *conf, unsigned int v);

/** Print usage (the words, their defaults) to f. */
void vtep_conf_usage(FILE *f);

#endif /* VTEP_CONF_H */
