/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the files of the conf module share (not part of its contract): the parser state, the value
 * parsers that report errors through it, and the limits.
 */
#ifndef VTEP_CONF_PRIV_H
#define VTEP_CONF_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include <rte_common.h>

#include "vtep_conf.h"

/** How deep `config FILE` may nest (a file including itself stops here too). */
#define CONF_MAX_DEPTH 4
/** Longest config file line, and most words on one line. */
#define CONF_LINE_SIZE 1024
#define CONF_MAX_LINE_WORDS 128
/** The kernel's inet_sport range (net.ipv4.ip_local_port_range), used by vxlan for srcport. */
#define CONF_SRCPORT_MIN 32768
#define CONF_SRCPORT_MAX 60999
/** Outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 (RFC 7348 section 4 "MTU" consideration). */
#define CONF_VXLAN_OVERHEAD 50
/** Smallest IPv4 MTU (RFC 791): both the underlay and the inner MTU must reach it. */
#define CONF_MIN_MTU 68
#define CONF_MAX_MTU 9600
#define CONF_MAX_VNI 0xffffffu
/** `movedamp` defaults (RFC 7432 section 15.1 suggests 5 moves in 180 s; FRR's dup-addr-detection
 * uses the same) and limits. */
#define CONF_DAMP_MOVES 5
#define CONF_DAMP_WINDOW 180
#define CONF_DAMP_HOLD 180
#define CONF_DAMP_MAX_MOVES 1000
#define CONF_DAMP_MAX_SECONDS 86400
/** `arp-rate` and `igmp-rate` defaults (docs/options.md says why). */
#define CONF_ARP_RATE 100
#define CONF_IGMP_RATE 10
#define CONF_ICMP_RATE 1000
/** Largest `learnrate` and burst (VTEP_RATE_MAX of lib/base/hdr/vtep_rate.h). */
#define CONF_MAX_RATE 1000000u

struct conf_word;

/** Where parsing is: the conf, the VNI the latest `id` opened, the file being read. */
struct conf_parser {
	struct vtep_conf *conf;
	struct vtep_vni_conf *vni; /* NULL before the first `id` (of this file). */
	char *err;
	size_t err_size;
	const char *file;             /* NULL on the command line. */
	const struct conf_word *word; /* The word being parsed. */
	unsigned int depth;
	char scratch[VTEP_CONF_ERR_SIZE]; /* err when the caller gave none. */
};

/** Set the parser's error message; @return -EINVAL. */
int vtep_conf_perr(struct conf_parser *p, const char *fmt, ...) __rte_format_printf(2, 3);

/** Set up a parser that writes its messages to err (or to its own scratch buffer). */
void vtep_conf_parser_init(
		struct conf_parser *p, struct vtep_conf *conf, char *err, size_t err_size);

/** Plain decimal in min..max: no sign, space, "0x", trailing junk or overflow. @return 0, -EINVAL.
 */
int vtep_conf_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/** As vtep_conf_parse_ulong, with a message naming opt and what the value should be. */
int vtep_conf_parse_num(struct conf_parser *p, const char *opt, const char *s, unsigned long min,
		unsigned long max, const char *what, unsigned long *out);

/** aa:bb:cc:dd:ee:ff, one or two hex digits a byte (as ether_aton). @return 0, -EINVAL. */
int vtep_conf_parse_mac(const char *s, struct rte_ether_addr *mac);

/** A unicast, non-zero MAC, with a message naming opt. */
int vtep_conf_parse_unicast_mac(
		struct conf_parser *p, const char *opt, const char *s, struct rte_ether_addr *mac);

/** A dotted-quad IPv4 address (inet_pton), with a message naming opt. */
int vtep_conf_parse_ip(struct conf_parser *p, const char *opt, const char *s, rte_be32_t *ip_be);

/** True for an address usable as a host: not 0/8, loopback, multicast, class E or broadcast. */
bool vtep_conf_ip_is_unicast(rte_be32_t ip_be);

/** A unicast IPv4 address (vtep_conf_ip_is_unicast), with a message naming opt. */
int vtep_conf_parse_unicast_ip(
		struct conf_parser *p, const char *opt, const char *s, rte_be32_t *ip_be);

/** A device name of 1..VTEP_DEV_NAME_SIZE-1 characters, copied to dst. */
int vtep_conf_parse_name(struct conf_parser *p, const char *opt, const char *s, char *dst);

#endif /* VTEP_CONF_PRIV_H */
