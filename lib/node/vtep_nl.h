/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel side of vtepd's inner tap, through rtnetlink (rtnetlink(7)): what flannel's vxlan
 * backend does to flannel.<VNI> with `ip link/addr/neigh/route`, as calls. A plain NETLINK_ROUTE
 * socket, one request at a time, each acknowledged; no library (the messages are few and small).
 * Addresses are IPv4 in host byte order, as in vtep_flannel.h.
 *
 * Every call returns 0 or a negative errno: the kernel's (-ENODEV, -EEXIST ...) or the socket's.
 */
#ifndef VTEP_NL_H
#define VTEP_NL_H

#include <stdbool.h>
#include <stdint.h>

/** An open rtnetlink socket. */
struct vtep_nl {
	int fd;       /**< The socket, -1 when closed. */
	uint32_t seq; /**< Sequence number of the last request. */
};

/** What the kernel says of a link. */
struct vtep_nl_link {
	int ifindex;      /**< Its index. */
	uint8_t mac[6];   /**< IFLA_ADDRESS. */
	unsigned int mtu; /**< IFLA_MTU. */
	bool up;          /**< IFF_UP. */
};

/** Open the socket. */
int vtep_nl_open(struct vtep_nl *nl);
/** Close it. */
void vtep_nl_close(struct vtep_nl *nl);

/** The link named name. -ENODEV when there is none. */
int vtep_nl_link_get(struct vtep_nl *nl, const char *name, struct vtep_nl_link *link);
/** Set the link up, and its MTU unless mtu is 0 (`ip link set DEV [mtu N] up`). */
int vtep_nl_link_up(struct vtep_nl *nl, int ifindex, unsigned int mtu);

/** `ip addr replace IP/LEN dev DEV` (scope global). */
int vtep_nl_addr_replace(struct vtep_nl *nl, int ifindex, uint32_t ip, uint8_t len);
/** `ip addr del IP/LEN dev DEV`; 0 when it was not there. */
int vtep_nl_addr_del(struct vtep_nl *nl, int ifindex, uint32_t ip, uint8_t len);

/** `ip neigh replace IP lladdr MAC dev DEV nud permanent`. */
int vtep_nl_neigh_replace(struct vtep_nl *nl, int ifindex, uint32_t ip, const uint8_t mac[6]);
/** `ip neigh del IP dev DEV`; 0 when it was not there. */
int vtep_nl_neigh_del(struct vtep_nl *nl, int ifindex, uint32_t ip);

/** `ip route replace DST/LEN via GW dev DEV onlink` in the main table. */
int vtep_nl_route_replace(struct vtep_nl *nl, int ifindex, uint32_t dst, uint8_t len, uint32_t gw);
/** `ip route del DST/LEN dev DEV`; 0 when it was not there. */
int vtep_nl_route_del(struct vtep_nl *nl, int ifindex, uint32_t dst, uint8_t len);

/** What a dump hands over: an address (with len) or a neighbor (len 32) or route. */
typedef void (*vtep_nl_dump_cb)(void *arg, uint32_t ip, uint8_t len);

/** Every IPv4 address of the link. */
int vtep_nl_addr_dump(struct vtep_nl *nl, int ifindex, vtep_nl_dump_cb cb, void *arg);
/** Every permanent IPv4 neighbor of the link. */
int vtep_nl_neigh_dump(struct vtep_nl *nl, int ifindex, vtep_nl_dump_cb cb, void *arg);
/** Every IPv4 route of the main table through the link that has a gateway. */
int vtep_nl_route_dump(struct vtep_nl *nl, int ifindex, vtep_nl_dump_cb cb, void *arg);

#endif /* VTEP_NL_H */
