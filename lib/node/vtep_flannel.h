/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flannel's data model and the decisions of a flannel node, without any I/O (docs/flannel.md):
 * the network config (/coreos.com/network/config) and subnet lease JSON, lease keys, the choice of
 * a free subnet, the table of peers with the changes a new lease or a full read makes to it, and
 * subnet.env. Addresses are IPv4 in host byte order (uint32_t, 10.244.1.0 = 0x0af40100).
 *
 * The formats are flannel's (pkg/subnet/config.go, pkg/subnet/etcd/registry.go, vxlan backend):
 * a lease value is {"PublicIP":"192.0.2.11","PublicIPv6":null,"BackendType":"vxlan",
 * "BackendData":{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:ff"}} under PREFIX/subnets/10.244.1.0-24.
 */
#ifndef VTEP_FLANNEL_H
#define VTEP_FLANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/** flannel's default etcd prefix (`--etcd-prefix`). */
#define VTEP_FLANNEL_PREFIX "/coreos.com/network"
/** The UDP port of a vxlan Backend whose Port is 0: the Linux kernel's default, 8472. */
#define VTEP_FLANNEL_KERNEL_PORT 8472
/** Where vtep-flannel's status sockets are: DIR/<vtepd's file-prefix>.sock (vtepctl reads it). */
#define VTEP_FLANNEL_STATUS_DIR "/run/vtep-flannel"
/** Room for any message of this module. */
#define VTEP_FLANNEL_ERR_SIZE 256
/** Room for a lease value as vtep_flannel_lease_format writes it. */
#define VTEP_FLANNEL_LEASE_SIZE 192
/** Room for a lease key (prefix up to 200 characters). */
#define VTEP_FLANNEL_KEY_SIZE 256
/** Free subnets vtep_flannel_subnet_pick chooses among, as flannel (the first 100 it finds). */
#define VTEP_FLANNEL_PICK_MAX 100

/** The network config, defaults applied (flannel's pkg/subnet/config.go). */
struct vtep_flannel_net {
	uint32_t network;    /**< Network's address. */
	uint8_t network_len; /**< Network's prefix length. */
	uint8_t subnet_len;  /**< SubnetLen: every host's subnet (default 24, see the .c). */
	uint32_t subnet_min; /**< SubnetMin (default: the second subnet of Network). */
	uint32_t subnet_max; /**< SubnetMax (default: the last subnet of Network). */
	uint32_t vni;        /**< Backend.VNI (default 1). */
	uint16_t port;       /**< Backend.Port; 0 in the JSON means 8472, stored as 8472. */
	uint16_t mtu;        /**< Backend.MTU; 0 = the inner port's own (underlay MTU - 50). */
};

/** One subnet lease as stored in etcd. */
struct vtep_flannel_lease {
	uint32_t subnet;     /**< From the key. */
	uint8_t subnet_len;  /**< From the key. */
	uint32_t public_ip;  /**< PublicIP. */
	bool vxlan;          /**< BackendType is "vxlan". */
	bool has_mac;        /**< BackendData.VtepMAC is a valid unicast MAC. */
	uint32_t vni;        /**< BackendData.VNI (0 when absent). */
	uint8_t vtep_mac[6]; /**< BackendData.VtepMAC. */
};

/**
 * Parse and check a network config. Refuses, with a message in err: text that is not one JSON
 * object, a missing or malformed Network, SubnetLen/SubnetMin/SubnetMax flannel would refuse, a
 * missing Backend (flannel's default is the "udp" backend), a Backend.Type other than "vxlan",
 * VNI/Port/MTU out of range, DirectRouting (the vtepd host's kernel has no underlay interface to
 * route through) and IPv6 (EnableIPv6) or EnableIPv4 false.
 * @return 0, or -EINVAL with err set.
 */
int vtep_flannel_net_parse(const char *json, size_t len, struct vtep_flannel_net *net, char *err,
		size_t err_size);

/**
 * Parse a lease value (its key gives subnet and subnet_len: set them first, or use
 * vtep_flannel_key_parse). A lease of another backend parses with vxlan false; one without a
 * valid VtepMAC with has_mac false. @return 0, or -EINVAL with err set (not JSON, no PublicIP).
 */
int vtep_flannel_lease_parse(const char *json, size_t len, struct vtep_flannel_lease *l, char *err,
		size_t err_size);

/** Write a vxlan lease's value as flannel does. @return its length, or -ENOSPC. */
int vtep_flannel_lease_format(const struct vtep_flannel_lease *l, char *buf, size_t size);

/** PREFIX/subnets/A.B.C.D-LEN. @return its length, or -ENOSPC. */
int vtep_flannel_key_format(
		const char *prefix, uint32_t subnet, uint8_t len, char *buf, size_t size);

/**
 * Subnet and length from a key under PREFIX/subnets/. @return 0, or -EINVAL (another key, a bad
 * address, a length over 32, host bits set).
 */
int vtep_flannel_key_parse(const char *prefix, const char *key, uint32_t *subnet, uint8_t *len);

/** Whether subnet/len is one of net's host subnets (the right length, inside Network). */
bool vtep_flannel_subnet_valid(const struct vtep_flannel_net *net, uint32_t subnet, uint8_t len);

/**
 * Choose a free subnet of net between SubnetMin and SubnetMax, as flannel does: collect the first
 * VTEP_FLANNEL_PICK_MAX subnets not in taken, take number rnd % found. @return 0, or -ENOSPC.
 */
int vtep_flannel_subnet_pick(const struct vtep_flannel_net *net, const uint32_t *taken,
		unsigned int nb_taken, uint32_t rnd, uint32_t *subnet);

/**
 * subnet.env as flannel writes it (FLANNEL_NETWORK, FLANNEL_SUBNET = the subnet's first host
 * address with the subnet's length, FLANNEL_MTU, FLANNEL_IPMASQ=false).
 * @return its length, or -ENOSPC.
 */
int vtep_flannel_subnet_env(const struct vtep_flannel_net *net, uint32_t subnet, unsigned int mtu,
		char *buf, size_t size);

/** "A.B.C.D" into buf (16 bytes). @return buf. */
const char *vtep_flannel_ip_str(uint32_t ip, char *buf);
/** "aa:bb:cc:dd:ee:ff" into buf (18 bytes). @return buf. */
const char *vtep_flannel_mac_str(const uint8_t mac[6], char *buf);
/** Parse "aa:bb:cc:dd:ee:ff" (two hex digits a byte). @return 0 or -EINVAL. */
int vtep_flannel_mac_parse(const char *s, uint8_t mac[6]);

/* ---- the peers and what changes them ------------------------------------------------------ */

/** How a lease relates to this host. */
enum vtep_flannel_kind {
	VTEP_FLANNEL_PEER,     /**< another host of the network: program it */
	VTEP_FLANNEL_SELF,     /**< our own lease (our subnet, our PublicIP) */
	VTEP_FLANNEL_CONFLICT, /**< our subnet, another host's PublicIP */
	VTEP_FLANNEL_IGNORE, /**< not usable: another backend, no VtepMAC, our PublicIP elsewhere */
};

/**
 * Classify lease l for the host that holds own_subnet/own_len (0/0: none yet) at own_ip.
 * A lease carrying our PublicIP under another subnet is ignored: it is an older lease of ours
 * (flannel would take it back at start) and must not become a route to ourselves.
 */
enum vtep_flannel_kind vtep_flannel_classify(const struct vtep_flannel_lease *l,
		uint32_t own_subnet, uint8_t own_len, uint32_t own_ip);

/** A peer as programmed on this host. */
struct vtep_flannel_peer {
	uint32_t subnet;     /**< Its subnet. */
	uint8_t subnet_len;  /**< Its length. */
	uint32_t public_ip;  /**< Its VTEP address: the FDB entry's dst. */
	uint8_t vtep_mac[6]; /**< Its VtepMAC: the neighbor's lladdr and the FDB entry's MAC. */
	bool mark;           /**< Seen in the full read in progress (vtep_flannel_peers_sync_*). */
	time_t seen;         /**< Wall clock of the last read or event that carried the lease. */
};

/** What to do on the host for one peer. */
enum vtep_flannel_op_kind {
	VTEP_FLANNEL_OP_ADD,    /**< neighbor, FDB entry, route (in this order, as flannel) */
	VTEP_FLANNEL_OP_CHANGE, /**< new MAC or PublicIP: old FDB entry out, then as ADD */
	VTEP_FLANNEL_OP_DEL,    /**< route, neighbor, FDB entry out */
};

/** One change: the peer as it is to be (ADD, CHANGE) or as it was (DEL), and before (CHANGE). */
struct vtep_flannel_op {
	enum vtep_flannel_op_kind kind; /**< What to do. */
	struct vtep_flannel_peer peer;  /**< The peer now (ADD, CHANGE) or the one removed (DEL). */
	struct vtep_flannel_peer old;   /**< CHANGE: the peer as it was programmed. */
};

/** The peers, sorted by subnet. */
struct vtep_flannel_peers {
	struct vtep_flannel_peer *peers; /**< nb entries, sorted by subnet. */
	unsigned int nb;                 /**< Entries in use. */
	unsigned int size;               /**< Entries allocated. */
};

/** The peer of subnet, or NULL. */
struct vtep_flannel_peer *vtep_flannel_peers_find(
		const struct vtep_flannel_peers *t, uint32_t subnet);

/**
 * A lease was read or changed (a PEER, see vtep_flannel_classify): update the table, set the
 * entry's mark and seen. @return 1 with *op filled when the host must change, 0 when it is as the
 * lease says already, -ENOMEM.
 */
int vtep_flannel_peers_put(struct vtep_flannel_peers *t, const struct vtep_flannel_lease *l,
		time_t now, struct vtep_flannel_op *op);

/** The lease of subnet is gone. @return 1 with *op (DEL) filled, 0 if it was no peer. */
int vtep_flannel_peers_del(
		struct vtep_flannel_peers *t, uint32_t subnet, struct vtep_flannel_op *op);

/** Start a full read: clear every mark. */
void vtep_flannel_peers_sync_begin(struct vtep_flannel_peers *t);

/**
 * End a full read: remove the first peer the read did not mark. Call until it returns 0.
 * @return 1 with *op (DEL) filled, or 0.
 */
int vtep_flannel_peers_sync_next_stale(struct vtep_flannel_peers *t, struct vtep_flannel_op *op);

/** Free the table. */
void vtep_flannel_peers_free(struct vtep_flannel_peers *t);

#endif /* VTEP_FLANNEL_H */
