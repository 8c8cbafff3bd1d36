/* SPDX-License-Identifier: BSD-3-Clause */
/* rtnetlink for the inner tap (vtep_nl.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "vtep_nl.h"

/* Requests are small; dump answers come in pages of up to one page size each. */
#define REQ_SIZE 512
#define RECV_SIZE 32768

struct req {
	struct nlmsghdr nh;
	char body[REQ_SIZE - sizeof(struct nlmsghdr)];
};

int
vtep_nl_open(struct vtep_nl *nl)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	struct timeval tv = {.tv_sec = 2};

	nl->seq = 0;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -errno;
	/* The kernel answers at once; a bounded wait keeps a lost answer from hanging us. */
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int rc = -errno;

		vtep_nl_close(nl);
		return rc;
	}
	return 0;
}

void
vtep_nl_close(struct vtep_nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

static void *
req_start(struct req *r, uint16_t type, uint16_t flags, size_t hdr_size)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(hdr_size);
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = NLM_F_REQUEST | flags;
	return NLMSG_DATA(&r->nh);
}

static void
attr(struct req *r, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)&r->nh + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static void
attr_ip(struct req *r, uint16_t type, uint32_t ip)
{
	uint32_t be = htonl(ip);

	attr(r, type, &be, sizeof(be));
}

typedef int (*msg_cb)(void *arg, const struct nlmsghdr *nh);

/* Send r, then read answers until the ack (or, for a dump, NLMSG_DONE); hand others to cb. */
static int
transact(struct vtep_nl *nl, struct req *r, msg_cb cb, void *arg)
{
	static char buf[RECV_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool dump = (r->nh.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

	r->nh.nlmsg_seq = ++nl->seq;
	if (!dump)
		r->nh.nlmsg_flags |= NLM_F_ACK;
	if (send(nl->fd, r, r->nh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(nl->fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *nh;

		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned int)n);
				nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != nl->seq)
				continue; /* an answer to an earlier request that timed out */
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				if (e->error != 0 || !dump)
					return e->error;
				continue;
			}
			if (cb != NULL)
				cb(arg, nh);
		}
	}
}

/* ---- links --------------------------------------------------------------------------------- */

static int
on_link(void *arg, const struct nlmsghdr *nh)
{
	struct vtep_nl_link *link = arg;
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = (int)IFLA_PAYLOAD(nh);

	if (nh->nlmsg_type != RTM_NEWLINK)
		return 0;
	link->ifindex = ifi->ifi_index;
	link->up = (ifi->ifi_flags & IFF_UP) != 0;
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(a) == 6)
			memcpy(link->mac, RTA_DATA(a), 6);
		else if (a->rta_type == IFLA_MTU)
			memcpy(&link->mtu, RTA_DATA(a), sizeof(link->mtu));
	}
	return 0;
}

int
vtep_nl_link_get(struct vtep_nl *nl, const char *name, struct vtep_nl_link *link)
{
	struct req r;
	struct ifinfomsg *ifi = req_start(&r, RTM_GETLINK, 0, sizeof(*ifi));
	size_t len = strlen(name);

	if (len == 0 || len >= IFNAMSIZ)
		return -EINVAL;
	ifi->ifi_family = AF_UNSPEC;
	attr(&r, IFLA_IFNAME, name, len + 1);
	memset(link, 0, sizeof(*link));
	/* The answer is the link, then the ack (error 0) transact asked for. */
	return transact(nl, &r, on_link, link);
}

int
vtep_nl_link_up(struct vtep_nl *nl, int ifindex, unsigned int mtu)
{
	struct req r;
	struct ifinfomsg *ifi = req_start(&r, RTM_NEWLINK, 0, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (mtu != 0)
		attr(&r, IFLA_MTU, &mtu, sizeof(mtu));
	return transact(nl, &r, NULL, NULL);
}

/* ---- addresses ----------------------------------------------------------------------------- */

static int
addr_req(struct vtep_nl *nl, uint16_t type, uint16_t flags, int ifindex, uint32_t ip, uint8_t len)
{
	struct req r;
	struct ifaddrmsg *ifa = req_start(&r, type, flags, sizeof(*ifa));

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)ifindex;
	attr_ip(&r, IFA_LOCAL, ip);
	attr_ip(&r, IFA_ADDRESS, ip);
	return transact(nl, &r, NULL, NULL);
}

int
vtep_nl_addr_replace(struct vtep_nl *nl, int ifindex, uint32_t ip, uint8_t len)
{
	return addr_req(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, ifindex, ip, len);
}

int
vtep_nl_addr_del(struct vtep_nl *nl, int ifindex, uint32_t ip, uint8_t len)
{
	int rc = addr_req(nl, RTM_DELADDR, 0, ifindex, ip, len);

	return rc == -EADDRNOTAVAIL ? 0 : rc;
}

struct dump {
	int ifindex;
	vtep_nl_dump_cb cb;
	void *arg;
};

static int
on_addr(void *arg, const struct nlmsghdr *nh)
{
	const struct dump *d = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	int len = (int)IFA_PAYLOAD(nh);

	if (nh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET ||
			(int)ifa->ifa_index != d->ifindex)
		return 0;
	for (const struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFA_LOCAL && RTA_PAYLOAD(a) == 4) {
			uint32_t be;

			memcpy(&be, RTA_DATA(a), 4);
			d->cb(d->arg, ntohl(be), ifa->ifa_prefixlen);
		}
	}
	return 0;
}

int
vtep_nl_addr_dump(struct vtep_nl *nl, int ifindex, vtep_nl_dump_cb cb, void *arg)
{
	struct req r;
	struct ifaddrmsg *ifa = req_start(&r, RTM_GETADDR, NLM_F_DUMP, sizeof(*ifa));
	struct dump d = {ifindex, cb, arg};

	ifa->ifa_family = AF_INET;
	return transact(nl, &r, on_addr, &d);
}

/* ---- neighbors ----------------------------------------------------------------------------- */

static struct ndmsg *
neigh_start(struct req *r, uint16_t type, uint16_t flags, int ifindex, uint32_t ip)
{
	struct ndmsg *nd = req_start(r, type, flags, sizeof(*nd));

	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = ifindex;
	attr_ip(r, NDA_DST, ip);
	return nd;
}

int
vtep_nl_neigh_replace(struct vtep_nl *nl, int ifindex, uint32_t ip, const uint8_t mac[6])
{
	struct req r;
	struct ndmsg *nd = neigh_start(&r, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, ifindex, ip);

	nd->ndm_state = NUD_PERMANENT;
	attr(&r, NDA_LLADDR, mac, 6);
	return transact(nl, &r, NULL, NULL);
}

int
vtep_nl_neigh_del(struct vtep_nl *nl, int ifindex, uint32_t ip)
{
	struct req r;
	int rc;

	neigh_start(&r, RTM_DELNEIGH, 0, ifindex, ip);
	rc = transact(nl, &r, NULL, NULL);
	return rc == -ENOENT ? 0 : rc;
}

static int
on_neigh(void *arg, const struct nlmsghdr *nh)
{
	const struct dump *d = arg;
	const struct ndmsg *nd = NLMSG_DATA(nh);
	int len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));

	if (nh->nlmsg_type != RTM_NEWNEIGH || nd->ndm_family != AF_INET ||
			nd->ndm_ifindex != d->ifindex || (nd->ndm_state & NUD_PERMANENT) == 0)
		return 0;
	for (const struct rtattr *a = (const struct rtattr *)(nd + 1); RTA_OK(a, len);
			a = RTA_NEXT(a, len)) {
		if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == 4) {
			uint32_t be;

			memcpy(&be, RTA_DATA(a), 4);
			d->cb(d->arg, ntohl(be), 32);
		}
	}
	return 0;
}

int
vtep_nl_neigh_dump(struct vtep_nl *nl, int ifindex, vtep_nl_dump_cb cb, void *arg)
{
	struct req r;
	struct ndmsg *nd = req_start(&r, RTM_GETNEIGH, NLM_F_DUMP, sizeof(*nd));
	struct dump d = {ifindex, cb, arg};

	nd->ndm_family = AF_INET;
	return transact(nl, &r, on_neigh, &d);
}

/* ---- routes -------------------------------------------------------------------------------- */

static struct rtmsg *
route_start(struct req *r, uint16_t type, uint16_t flags, int ifindex, uint32_t dst, uint8_t len)
{
	struct rtmsg *rt = req_start(r, type, flags, sizeof(*rt));
	uint32_t oif = (uint32_t)ifindex;

	rt->rtm_family = AF_INET;
	rt->rtm_dst_len = len;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	attr_ip(r, RTA_DST, dst);
	attr(r, RTA_OIF, &oif, sizeof(oif));
	return rt;
}

int
vtep_nl_route_replace(struct vtep_nl *nl, int ifindex, uint32_t dst, uint8_t len, uint32_t gw)
{
	struct req r;
	struct rtmsg *rt = route_start(
			&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, ifindex, dst, len);

	/* onlink: the gateway (<S>.0, the peer's VTEP address) is on no subnet of the tap. */
	rt->rtm_flags = RTNH_F_ONLINK;
	attr_ip(&r, RTA_GATEWAY, gw);
	return transact(nl, &r, NULL, NULL);
}

int
vtep_nl_route_del(struct vtep_nl *nl, int ifindex, uint32_t dst, uint8_t len)
{
	struct req r;
	int rc;

	route_start(&r, RTM_DELROUTE, 0, ifindex, dst, len);
	rc = transact(nl, &r, NULL, NULL);
	return rc == -ESRCH ? 0 : rc;
}

static int
on_route(void *arg, const struct nlmsghdr *nh)
{
	const struct dump *d = arg;
	const struct rtmsg *rt = NLMSG_DATA(nh);
	int len = (int)RTM_PAYLOAD(nh), oif = 0;
	uint32_t dst = 0;
	bool gw = false;

	if (nh->nlmsg_type != RTM_NEWROUTE || rt->rtm_family != AF_INET ||
			rt->rtm_table != RT_TABLE_MAIN)
		return 0;
	for (const struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == 4) {
			memcpy(&dst, RTA_DATA(a), 4);
			dst = ntohl(dst);
		} else if (a->rta_type == RTA_OIF) {
			memcpy(&oif, RTA_DATA(a), sizeof(oif));
		} else if (a->rta_type == RTA_GATEWAY) {
			gw = true;
		}
	}
	if (oif == d->ifindex && gw)
		d->cb(d->arg, dst, rt->rtm_dst_len);
	return 0;
}

int
vtep_nl_route_dump(struct vtep_nl *nl, int ifindex, vtep_nl_dump_cb cb, void *arg)
{
	struct req r;
	struct rtmsg *rt = req_start(&r, RTM_GETROUTE, NLM_F_DUMP, sizeof(*rt));
	struct dump d = {ifindex, cb, arg};

	rt->rtm_family = AF_INET;
	return transact(nl, &r, on_route, &d);
}
