/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Values of configuration words: numbers, MACs, addresses and names, each checked character by
 * character, with a message that names the word and the value.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "vtep_conf_priv.h"

int
vtep_conf_perr(struct conf_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->err_size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Plain decimal only: no sign, no space, no "0x", no trailing junk, no overflow. */
int
vtep_conf_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int
vtep_conf_parse_num(struct conf_parser *p, const char *opt, const char *s, unsigned long min,
		unsigned long max, const char *what, unsigned long *out)
{
	*out = min; /* Keeps the compiler sure that *out is set on every path. */
	if (vtep_conf_parse_ulong(s, min, max, out) < 0)
		return vtep_conf_perr(p, "%s: '%s' is not %s (%lu..%lu)", opt, s, what, min, max);
	return 0;
}

int
vtep_conf_parse_mac(const char *s, struct rte_ether_addr *mac)
{
	unsigned int i;
	char *end;

	/* aa:bb:cc:dd:ee:ff, one or two hex digits per byte, as ether_aton and iproute2 take. */
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++) {
		if (!isxdigit((unsigned char)s[0]) ||
				(s[1] != '\0' && s[1] != ':' && !isxdigit((unsigned char)s[1])))
			return -EINVAL;
		mac->addr_bytes[i] = (uint8_t)strtoul(s, &end, 16);
		if (end - s > 2 || *end != (i == RTE_ETHER_ADDR_LEN - 1 ? '\0' : ':'))
			return -EINVAL;
		s = end + 1;
	}
	return 0;
}

int
vtep_conf_parse_unicast_mac(
		struct conf_parser *p, const char *opt, const char *s, struct rte_ether_addr *mac)
{
	if (vtep_conf_parse_mac(s, mac) < 0)
		return vtep_conf_perr(p, "%s: '%s' is not a MAC address", opt, s);
	if (rte_is_zero_ether_addr(mac) || !rte_is_unicast_ether_addr(mac))
		return vtep_conf_perr(p, "%s: '%s' is not a unicast MAC address", opt, s);
	return 0;
}

int
vtep_conf_parse_ip(struct conf_parser *p, const char *opt, const char *s, rte_be32_t *ip_be)
{
	struct in_addr a = {0};

	/* inet_pton takes only the dotted quad, unlike inet_aton ("1.2.3", "0x7f.1"). */
	if (inet_pton(AF_INET, s, &a) != 1)
		return vtep_conf_perr(p, "%s: '%s' is not an IPv4 address", opt, s);
	*ip_be = a.s_addr;
	return 0;
}

/* Usable as a host address: not 0/8, loopback, multicast, class E or broadcast. */
bool
vtep_conf_ip_is_unicast(rte_be32_t ip_be)
{
	uint32_t h = rte_be_to_cpu_32(ip_be);

	return (h >> 24) != 0 && (h >> 24) != 127 && (h >> 28) < 0xe;
}

int
vtep_conf_parse_unicast_ip(struct conf_parser *p, const char *opt, const char *s, rte_be32_t *ip_be)
{
	int ret = vtep_conf_parse_ip(p, opt, s, ip_be);

	if (ret == 0 && !vtep_conf_ip_is_unicast(*ip_be))
		return vtep_conf_perr(p, "%s: '%s' is not a unicast address", opt, s);
	return ret;
}

int
vtep_conf_parse_name(struct conf_parser *p, const char *opt, const char *s, char *dst)
{
	size_t len = strlen(s);

	if (len == 0 || len >= VTEP_DEV_NAME_SIZE)
		return vtep_conf_perr(p, "%s: '%s' is not a device name (1..%d characters)", opt, s,
				VTEP_DEV_NAME_SIZE - 1);
	memcpy(dst, s, len + 1);
	return 0;
}

void
vtep_conf_parser_init(struct conf_parser *p, struct vtep_conf *conf, char *err, size_t err_size)
{
	memset(p, 0, sizeof(*p));
	p->conf = conf;
	p->err = err != NULL && err_size > 0 ? err : p->scratch;
	p->err_size = err != NULL && err_size > 0 ? err_size : sizeof(p->scratch);
	p->err[0] = '\0';
}
