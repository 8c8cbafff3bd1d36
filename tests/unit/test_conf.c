/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/conf: words and files -> struct vtep_conf, defaults, and one case per refusal,
 * checking both the return value and that the message names the option and the value.
 * No EAL: the module is pure text processing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "test_common.h"
#include "vtep_conf.h"

#define SEED "dev net_af_packet0 local 172.16.91.129/24 id 42 group 239.1.1.1 inner net_tap0"

static struct vtep_conf conf;
static char err[VTEP_CONF_ERR_SIZE];

/* Split a string into words (as a shell would, without quoting) and parse them into conf. */
static int
parse(const char *line)
{
	static char buf[4096];
	char *words[512], *save = NULL, *tok;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok != NULL && n < 512;
			tok = strtok_r(NULL, " ", &save))
		words[n++] = tok;
	vtep_conf_init(&conf);
	err[0] = '\0';
	return vtep_conf_parse_args(&conf, n, words, err, sizeof(err));
}

static int
validate(void)
{
	err[0] = '\0';
	return vtep_conf_validate(&conf, err, sizeof(err));
}

/* The words must be refused with -EINVAL and a message holding both fragments. */
#define EXPECT_ERR(line, opt, value)                                                               \
	do {                                                                                       \
		int r_ = parse(line);                                                              \
		CHECKF(r_ == -EINVAL && strstr(err, opt) != NULL && strstr(err, value) != NULL,    \
				"'%s' -> %d '%s'", line, r_, err);                                 \
	} while (0)

/* The words parse, then validation refuses them naming the fragments. */
#define EXPECT_INVALID(line, frag1, frag2)                                                         \
	do {                                                                                       \
		int r_ = parse(line);                                                              \
		int v_ = r_ == 0 ? validate() : r_;                                                \
		CHECKF(r_ == 0 && v_ == -EINVAL && strstr(err, frag1) != NULL &&                   \
						strstr(err, frag2) != NULL,                        \
				"'%s' -> %d %d '%s'", line, r_, v_, err);                          \
	} while (0)

#define EXPECT_OK(line)                                                                            \
	do {                                                                                       \
		int r_ = parse(line);                                                              \
		int v_ = r_ == 0 ? validate() : r_;                                                \
		CHECKF(r_ == 0 && v_ == 0, "'%s' -> %d %d '%s'", line, r_, v_, err);               \
	} while (0)

static bool
mac_is(const struct rte_ether_addr *m, const char *s)
{
	char buf[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(buf, sizeof(buf), m);
	return strcasecmp(buf, s) == 0;
}

/* Write text to a new temp file; the name goes to path (size >= 32). */
static void
write_temp(char *path, const char *text)
{
	int fd;

	strcpy(path, "/tmp/vtep_conf_XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static void
test_defaults_and_seed(void)
{
	const struct vtep_vni_conf *v = &conf.vnis[0];

	CHECK(parse(SEED) == 0);
	CHECK(validate() == 0);
	CHECK(strcmp(conf.dev, "net_af_packet0") == 0);
	CHECK(conf.local_be == inet_addr("172.16.91.129"));
	CHECK(conf.prefix_len == 24);
	CHECK(conf.gateway_be == 0);
	CHECK(conf.dstport == 4789);
	CHECK(conf.srcport_min == 32768 && conf.srcport_max == 60999);
	CHECK(conf.udpcsum);
	CHECK(conf.mtu == 1500);
	CHECK(conf.igmp_version == 3);
	CHECK(conf.fdb_size == 65536);
	CHECK(conf.workers == 0 && conf.maxaddress == 0 && conf.nb_mbufs == 0);
	CHECK(conf.stats_interval == 0 && conf.idle_exit_ms == 0);
	CHECK(conf.arp_rate == 100 && conf.igmp_rate == 10 && conf.icmp_rate == 1000);
	CHECK(conf.nb_vnis == 1 && conf.nb_fdbs == 0 && conf.nb_neighs == 0);
	CHECK(v->vni == 42);
	CHECK(v->group_be == inet_addr("239.1.1.1"));
	CHECK(v->nb_floods == 0);
	CHECK(conf.nb_atts == 1 && strcmp(conf.atts[0].port, "net_tap0") == 0 &&
			conf.atts[0].vni == 42 && conf.atts[0].vlan == VTEP_VLAN_NONE);
	CHECK(!v->inner_mac_set);
	CHECK(v->ttl == VTEP_TTL_AUTO && v->tos == 0);
	CHECK(v->learning && v->ageing == 300 && v->maxaddress == 0);
	CHECK(v->learnrate == 0 && v->learnburst == 0);
	CHECK(v->damp_moves == 5 && v->damp_window == 180 && v->damp_hold == 180);
	CHECK(vtep_conf_vni_index(&conf, 42) == 0);
	CHECK(vtep_conf_vni_index(&conf, 43) == -1);
}

static void
test_all_words(void)
{
	const struct vtep_vni_conf *v;

	CHECK(parse("maxaddress 5000 dev net_af_packet0 local 10.1.2.3/16 gateway 10.1.0.1 "
		    "dstport 8472 srcport 1000 2000 noudpcsum mtu 9000 igmp 2 workers 3 "
		    "fdb-size 1024 mbufs 16384 stats-interval 5 idle-exit 250 "
		    "arp-rate 0 igmp-rate 7 icmp-rate 3 "
		    "id 0 inner net_tap0 address 02:00:00:00:00:2a ttl inherit tos inherit "
		    "nolearning ageing 0 maxaddress 77 remote 10.2.0.1 remote 10.3.0.1 "
		    "learnrate 100 burst 500 movedamp 3 60 30 allow 10.2.0.0/16 allow 10.3.0.1 "
		    "allow 10.4.0.0/24 "
		    "fdb 02:00:00:00:00:01 dst 10.2.0.1 "
		    "id 16777215 inner net_tap1 ttl 5 tos 184 learning udpcsum learnrate 20 "
		    "nomovedamp "
		    "fdb append 00:00:00:00:00:00 dst 10.4.0.1 vni 0 "
		    "fdb 02:00:00:00:00:02 dst 10.2.0.1 vni 0 "
		    "neigh 10.1.0.1 lladdr 02:aa:bb:cc:dd:ee") == 0);
	CHECKF(validate() == 0, "%s", err);
	CHECK(conf.local_be == inet_addr("10.1.2.3") && conf.prefix_len == 16);
	CHECK(conf.gateway_be == inet_addr("10.1.0.1"));
	CHECK(conf.dstport == 8472 && conf.srcport_min == 1000 && conf.srcport_max == 2000);
	CHECK(conf.udpcsum); /* the later word wins */
	CHECK(conf.mtu == 9000 && conf.igmp_version == 2 && conf.workers == 3);
	CHECK(conf.maxaddress == 5000 && conf.fdb_size == 1024 && conf.nb_mbufs == 16384);
	CHECK(conf.stats_interval == 5 && conf.idle_exit_ms == 250);
	CHECK(conf.arp_rate == 0 && conf.igmp_rate == 7 && conf.icmp_rate == 3);
	CHECK(conf.nb_vnis == 2);
	v = &conf.vnis[0];
	CHECK(v->vni == 0 && v->inner_mac_set && mac_is(&v->inner_mac, "02:00:00:00:00:2A"));
	CHECK(v->ttl == VTEP_INHERIT && v->tos == VTEP_INHERIT && !v->learning);
	CHECK(v->ageing == 0 && v->maxaddress == 77);
	CHECK(v->learnrate == 100 && v->learnburst == 500);
	CHECK(v->damp_moves == 3 && v->damp_window == 60 && v->damp_hold == 30);
	CHECK(v->nb_allows == 3 && v->allows[0].net_be == inet_addr("10.2.0.0") &&
			v->allows[0].len == 16 && v->allows[1].net_be == inet_addr("10.3.0.1") &&
			v->allows[1].len == 32 && v->allows[2].len == 24);
	CHECK(vtep_conf_allowed(v, inet_addr("10.2.255.1")) &&
			vtep_conf_allowed(v, inet_addr("10.3.0.1")) &&
			!vtep_conf_allowed(v, inet_addr("10.3.0.2")) &&
			!vtep_conf_allowed(v, inet_addr("10.5.0.1")));
	CHECK(conf.vnis[1].nb_allows == 0 && vtep_conf_allowed(&conf.vnis[1], inet_addr("1.2.3.4")));
	CHECK(v->nb_floods == 3 && v->floods_be[0] == inet_addr("10.2.0.1") &&
			v->floods_be[1] == inet_addr("10.3.0.1") &&
			v->floods_be[2] == inet_addr("10.4.0.1"));
	v = &conf.vnis[1];
	CHECK(v->vni == 16777215 && v->ttl == 5 && v->tos == 184 && v->learning);
	CHECK(v->learnrate == 20 && v->learnburst == 0);
	CHECK(v->damp_moves == 0);
	CHECK(conf.nb_fdbs == 2 && conf.fdbs[0].vni == 0 && conf.fdbs[1].vni == 0);
	CHECK(mac_is(&conf.fdbs[0].mac, "02:00:00:00:00:01"));
	CHECK(conf.fdbs[0].dst_be == inet_addr("10.2.0.1"));
	CHECK(conf.nb_neighs == 1 && conf.neighs[0].ip_be == inet_addr("10.1.0.1"));
	CHECK(mac_is(&conf.neighs[0].mac, "02:aa:bb:cc:dd:ee"));
	/* A one-digit MAC byte is accepted as by ether_aton. */
	CHECK(parse(SEED " address 2:0:0:0:0:a") == 0 &&
			mac_is(&conf.vnis[0].inner_mac, "02:00:00:00:00:0a"));
	EXPECT_OK(SEED " mtu 118");
	EXPECT_OK(SEED " ttl 255 tos 255 ttl auto");
}

static void
test_value_errors(void)
{
	EXPECT_ERR(SEED " id 16777216", "id: '16777216' is not a VNI (0..16777215)", "");
	EXPECT_ERR(SEED " id -1", "id", "'-1'");
	EXPECT_ERR(SEED " id 42", "id", "42 listed twice");
	EXPECT_ERR(SEED " group 10.0.0.1", "group: '10.0.0.1' is not a multicast address", "");
	EXPECT_ERR(SEED " srcport 5000 4000", "srcport: range 5000 4000 is reversed", "");
	EXPECT_ERR(SEED " srcport 0 4000", "srcport", "'0'");
	EXPECT_ERR(SEED " foo", "unknown option 'foo'", "");
	EXPECT_ERR(SEED " dstport", "dstport: missing value", "");
	EXPECT_ERR(SEED " srcport 5000", "srcport: missing value", "");
	EXPECT_ERR(SEED " dstport 0", "dstport", "'0'");
	EXPECT_ERR(SEED " dstport 65536", "dstport", "'65536'");
	EXPECT_ERR(SEED " dstport 4789x", "dstport", "'4789x'");
	EXPECT_ERR(SEED " dstport +4789", "dstport", "'+4789'");
	EXPECT_ERR(SEED " dstport 99999999999999999999999", "dstport", "'9999");
	EXPECT_ERR(SEED " local 1.2.3", "local: '1.2.3' is not an IPv4 address", "");
	EXPECT_ERR(SEED " local 0.0.0.0", "local", "'0.0.0.0'");
	EXPECT_ERR(SEED " local 239.1.1.1", "local", "'239.1.1.1'");
	EXPECT_ERR(SEED " local 172.16.91.129/33", "local", "'172.16.91.129/33'");
	EXPECT_ERR(SEED " local 172.16.91.129/0", "local", "'172.16.91.129/0'");
	EXPECT_ERR(SEED " local 172.16.91.129/", "local", "'172.16.91.129/'");
	EXPECT_ERR(SEED " address zz", "address: 'zz' is not a MAC address", "");
	EXPECT_ERR(SEED " address 01:00:5e:00:00:01", "address", "'01:00:5e:00:00:01'");
	EXPECT_ERR(SEED " address 00:00:00:00:00:00", "address", "'00:00:00:00:00:00'");
	EXPECT_ERR(SEED " address 02:00:00:00:00:01:03", "address", "'02:00:00:00:00:01:03'");
	EXPECT_ERR(SEED " address 02:00:00:00:00:1g", "address", "'02:00:00:00:00:1g'");
	EXPECT_ERR(SEED " remote 172.16.91.2 remote 172.16.91.2",
			"remote: 172.16.91.2 listed twice", "");
	EXPECT_ERR(SEED " remote 0.0.0.0", "remote", "'0.0.0.0'");
	EXPECT_ERR(SEED " remote 255.255.255.255", "remote", "'255.255.255.255'");
	EXPECT_ERR(SEED " remote 239.1.1.1", "remote", "'239.1.1.1'");
	EXPECT_ERR(SEED " remote 10.0.0.256", "remote", "'10.0.0.256'");
	EXPECT_ERR(SEED " ttl 0", "ttl", "'0'");
	EXPECT_ERR(SEED " ttl 256", "ttl", "'256'");
	EXPECT_ERR(SEED " ttl often", "ttl", "'often'");
	EXPECT_ERR(SEED " tos 256", "tos", "'256'");
	EXPECT_ERR(SEED " mtu 67", "mtu", "'67'");
	EXPECT_ERR(SEED " mtu 9601", "mtu", "'9601'");
	EXPECT_ERR(SEED " mtu 117", "mtu", "'117'");
	EXPECT_ERR(SEED " igmp 1", "igmp", "'1'");
	EXPECT_ERR(SEED " igmp 4", "igmp", "'4'");
	EXPECT_ERR(SEED " workers 0", "workers", "'0'");
	EXPECT_ERR(SEED " fdb-size 63", "fdb-size", "'63'");
	EXPECT_ERR(SEED " fdb-size 16777217", "fdb-size", "'16777217'");
	EXPECT_ERR(SEED " inner 0123456789012345678901234567890123456789012345678901234567890123",
			"inner", "'0123456789");
	EXPECT_ERR(SEED " learnrate 1000001", "learnrate", "'1000001'");
	EXPECT_ERR(SEED " learnrate -5", "learnrate", "'-5'");
	EXPECT_ERR(SEED " learnrate", "learnrate: missing value", "");
	EXPECT_ERR(SEED " learnrate 10 burst", "learnrate: burst: missing value", "");
	EXPECT_ERR(SEED " learnrate 10 burst 0", "learnrate", "'0'");
	EXPECT_ERR(SEED " learnrate 10 burst 1000001", "learnrate", "'1000001'");
	EXPECT_ERR(SEED " learnrate 0 burst 5", "learnrate: burst 5 needs a rate above 0", "");
	EXPECT_ERR("learnrate 5", "learnrate", "before any 'id");
	EXPECT_ERR(SEED " movedamp 0 180 180", "movedamp", "'0'");
	EXPECT_ERR(SEED " movedamp 1001 180 180", "movedamp", "'1001'");
	EXPECT_ERR(SEED " movedamp 5 0 180", "movedamp", "'0'");
	EXPECT_ERR(SEED " movedamp 5 180 86401", "movedamp", "'86401'");
	EXPECT_ERR(SEED " movedamp 5 often 180", "movedamp", "'often'");
	EXPECT_ERR(SEED " movedamp 5 180", "movedamp: missing value", "");
	EXPECT_ERR("nomovedamp", "nomovedamp", "before any 'id");
	EXPECT_ERR(SEED " allow 10.0.0.1/8", "allow: '10.0.0.1/8' has host bits set", "");
	EXPECT_ERR(SEED " allow 10.0.0.0/33", "allow: '10.0.0.0/33' has no prefix length 1..32", "");
	EXPECT_ERR(SEED " allow 10.0.0.0/0", "allow", "'10.0.0.0/0'");
	EXPECT_ERR(SEED " allow 224.0.0.0/4", "allow: '224.0.0.0/4' is not a unicast prefix", "");
	EXPECT_ERR(SEED " allow 10.1", "allow", "'10.1'");
	EXPECT_ERR(SEED " allow 10.0.0.0/8 allow 10.0.0.0/8", "allow: 10.0.0.0/8 listed twice", "");
	EXPECT_ERR(SEED " allow 10.0.0.1 allow 10.0.0.2 allow 10.0.0.3 allow 10.0.0.4 allow 10.0.0.5 "
			"allow 10.0.0.6 allow 10.0.0.7 allow 10.0.0.8 allow 10.0.0.9 allow 10.0.0.10 "
			"allow 10.0.0.11 allow 10.0.0.12 allow 10.0.0.13 allow 10.0.0.14 "
			"allow 10.0.0.15 allow 10.0.0.16 allow 10.0.0.17",
			"allow: 10.0.0.17 is one prefix too many for id 42 (max 16)", "");
	EXPECT_ERR("allow 10.0.0.1", "allow", "before any 'id");
	EXPECT_ERR(SEED " arp-rate 1000001", "arp-rate", "'1000001'");
	EXPECT_ERR(SEED " igmp-rate x", "igmp-rate", "'x'");
	EXPECT_ERR(SEED " icmp-rate -1", "icmp-rate", "'-1'");
	EXPECT_ERR(SEED " arp-rate", "arp-rate: missing value", "");
	EXPECT_ERR("group 239.1.1.1", "group", "before any 'id");
	EXPECT_ERR("dev", "dev: missing value", "");
}

static void
test_fdb_neigh_errors(void)
{
	EXPECT_ERR(SEED " fdb 01:00:5e:00:00:01 dst 172.16.91.2", "fdb", "'01:00:5e:00:00:01'");
	EXPECT_ERR(SEED " fdb xx dst 172.16.91.2", "fdb", "'xx'");
	EXPECT_ERR(SEED " fdb 02:00:00:00:00:01 via 172.16.91.2", "fdb", "'via'");
	EXPECT_ERR(SEED " fdb 02:00:00:00:00:01 dst 224.0.0.1", "fdb", "'224.0.0.1'");
	EXPECT_ERR(SEED " fdb 02:00:00:00:00:01 dst", "fdb", "missing value");
	EXPECT_ERR(SEED " fdb 02:00:00:00:00:01 dst 172.16.91.2 vni", "fdb", "missing value");
	EXPECT_ERR(SEED " fdb 02:00:00:00:00:01 dst 172.16.91.2 vni 99999999", "fdb", "'99999999'");
	EXPECT_ERR(SEED " fdb 02:00:00:00:00:01 dst 172.16.91.2 fdb 02:00:00:00:00:01 dst "
			"172.16.91.3",
			"fdb", "02:00:00:00:00:01 in vni 42 listed twice");
	EXPECT_ERR("fdb 02:00:00:00:00:01 dst 172.16.91.2", "fdb", "02:00:00:00:00:01");
	EXPECT_ERR(SEED " fdb append 02:00:00:00:00:01 dst 172.16.91.2", "fdb",
			"'02:00:00:00:00:01'");
	EXPECT_ERR(SEED " fdb append 00:00:00:00:00:00 dst 172.16.91.2 vni 7", "fdb", "vni 7");
	EXPECT_ERR(SEED " remote 172.16.91.2 fdb append 00:00:00:00:00:00 dst 172.16.91.2", "fdb",
			"172.16.91.2 listed twice");
	EXPECT_ERR(SEED " neigh 172.16.91.1 mac 02:00:00:00:00:01", "neigh", "'mac'");
	EXPECT_ERR(SEED " neigh 172.16.91.1 lladdr ff:ff:ff:ff:ff:ff", "neigh",
			"'ff:ff:ff:ff:ff:ff'");
	EXPECT_ERR(SEED " neigh 172.16.91.1 lladdr 02:00:00:00:00:01 neigh 172.16.91.1 lladdr "
			"02:00:00:00:00:02",
			"neigh", "172.16.91.1 listed twice");
	EXPECT_ERR(SEED " neigh 1.2.3 lladdr 02:00:00:00:00:01", "neigh", "'1.2.3'");
	/* A static entry at our own address would loop (`local` may come later: validate). */
	EXPECT_INVALID(SEED " fdb 02:00:00:00:00:01 dst 172.16.91.129 vni 42", "fdb",
			"172.16.91.129");
	EXPECT_INVALID(SEED " fdb 02:00:00:00:00:01 dst 172.16.91.7 vni 43", "fdb", "vni 43");
	EXPECT_INVALID(SEED " remote 172.16.91.129", "remote", "172.16.91.129");
	EXPECT_INVALID(SEED " neigh 10.9.9.9 lladdr 02:00:00:00:00:01", "neigh", "10.9.9.9");
	EXPECT_INVALID(SEED " gateway 10.9.9.9", "gateway", "10.9.9.9");
	EXPECT_OK(SEED " gateway 172.16.91.1 neigh 172.16.91.1 lladdr 02:00:00:00:00:01 "
		       "fdb 00:00:00:00:00:00 dst 10.9.9.9 fdb 02:00:00:00:00:09 dst 10.9.9.9");
	CHECK(conf.vnis[0].nb_floods == 1 && conf.nb_fdbs == 1);
}

static void
test_limits(void)
{
	static char buf[8192];
	size_t len;
	int i;

	/* VTEP_MAX_FLOOD remotes fit; one more is refused. */
	len = (size_t)snprintf(buf, sizeof(buf), "%s", SEED);
	for (i = 0; i < VTEP_MAX_FLOOD; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " remote 10.0.0.%d", i + 1);
	EXPECT_OK(buf);
	CHECK(conf.vnis[0].nb_floods == VTEP_MAX_FLOOD);
	snprintf(buf + len, sizeof(buf) - len, " remote 10.0.1.1");
	EXPECT_ERR(buf, "remote", "10.0.1.1");
	/* VTEP_MAX_VNIS VNIs fit; one more is refused. */
	len = (size_t)snprintf(buf, sizeof(buf), "dev d local 10.0.0.1");
	for (i = 0; i < VTEP_MAX_VNIS; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " id %d inner t%d", i, i);
	EXPECT_OK(buf);
	CHECK(conf.nb_vnis == VTEP_MAX_VNIS);
	snprintf(buf + len, sizeof(buf) - len, " id 1000");
	EXPECT_ERR(buf, "id", "1000");
}

static void
test_validate(void)
{
	CHECK(parse("") == 0);
	CHECK(validate() == -EINVAL && strstr(err, "dev: missing (the underlay port)") != NULL);
	EXPECT_INVALID("dev net_af_packet0 id 42 inner net_tap0", "local", "missing");
	EXPECT_INVALID("dev net_af_packet0 local 172.16.91.129", "id", "missing");
	EXPECT_INVALID("dev net_af_packet0 local 172.16.91.129 id 42", "id 42",
			"missing inner port");
	EXPECT_INVALID(SEED " id 43 inner net_tap0", "inner", "'net_tap0'");
	EXPECT_INVALID("dev net_tap0 local 172.16.91.129 id 42 inner net_tap0", "inner",
			"'net_tap0'");
	/* What a VNI floods to or keeps static entries at must be in its allow list. */
	EXPECT_INVALID(SEED " remote 172.16.91.2 allow 172.16.92.0/24", "remote",
			"172.16.91.2 of id 42 is not in its allow list");
	EXPECT_INVALID(SEED " allow 172.16.91.0/24 fdb 02:00:00:00:00:01 dst 10.9.9.9", "fdb",
			"dst 10.9.9.9 of vni 42 is not in its allow list");
	EXPECT_OK(SEED " remote 172.16.91.2 allow 172.16.91.0/24 fdb 02:00:00:00:00:01 dst "
		       "172.16.91.3");
	/* A hand-built conf with a duplicate VNI is refused too. */
	CHECK(parse(SEED " id 43 inner net_tap1") == 0);
	conf.vnis[1].vni = 42;
	CHECK(validate() == -EINVAL && strstr(err, "42") != NULL);
	vtep_conf_usage(stderr);
}

/* Bridge domains: port words, trunks, static local entries and their refusals. */
static void
test_ports(void)
{
	EXPECT_OK("dev u local 10.0.0.1 id 42 port a port b port t vlan 100 maxaddress 5 "
		  "id 43 port t vlan 200 inner c id 44 port t untagged "
		  "fdb 02:00:00:00:00:01 dev a fdb 02:00:00:00:00:02 dev t vlan 200 vni 43");
	CHECK(conf.nb_atts == 6 && conf.atts[2].vlan == 100 && conf.atts[2].maxaddress == 5);
	CHECK(conf.atts[5].vlan == VTEP_VLAN_UNTAGGED && conf.atts[4].inner);
	CHECK(vtep_conf_vni_atts(&conf, 0) == 3 && vtep_conf_vni_atts(&conf, 1) == 2);
	CHECK(conf.nb_fdbs == 2 && conf.fdbs[0].dst_be == 0 && !conf.fdbs[0].vni_set &&
			conf.fdbs[1].vlan == 200);
	CHECK(vtep_conf_att_index(&conf, "t", 200) == 3 && vtep_conf_att_index(&conf, "t", 7) < 0);
	EXPECT_ERR(SEED " port a vlan 0", "port", "'0'");
	EXPECT_ERR(SEED " port a vlan 4095", "port", "'4095'");
	EXPECT_ERR(SEED " port a vlan", "vlan", "missing");
	EXPECT_ERR(SEED " fdb 02:00:00:00:00:01 dev a vlan x", "fdb", "'x'");
	EXPECT_INVALID(SEED " id 43 port net_tap0 vlan 5", "used by id 42 and id 43", "'net_tap0'");
	EXPECT_INVALID(SEED " port t vlan 5 id 43 port t vlan 5", "'t' vlan", "id 43");
	EXPECT_INVALID(SEED " port t vlan 5 port t vlan 6", "'t'", "twice");
	EXPECT_INVALID(SEED " port net_af_packet0", "underlay", "net_af_packet0");
	EXPECT_INVALID(SEED " port a address 02:00:00:00:00:09", "address", "one inner port");
	EXPECT_INVALID(SEED " fdb 02:00:00:00:00:01 dev a", "dev a", "not an attachment");
	EXPECT_INVALID(SEED " port a id 43 port b fdb 02:00:00:00:00:01 dev a vni 43", "in vni 42",
			"not 43");
	EXPECT_INVALID(SEED
			" port a fdb 02:00:00:00:00:01 dev a fdb 02:00:00:00:00:01 dev net_tap0",
			"fdb", "twice");
	EXPECT_INVALID(SEED
			" port a fdb 02:00:00:00:00:01 dev a fdb 02:00:00:00:00:01 dst 10.0.0.9",
			"fdb", "twice");
}

static void
test_files(void)
{
	char f1[32], f2[32], f3[32], text[256];
	int ret;

	write_temp(f1,
			"# the seed, as a file\n"
			"dev net_af_packet0   # underlay\n"
			"local 172.16.91.129/24\n"
			"\n"
			"vxlan id 42 group 239.1.1.1 dstport 4789\n"
			"\tinner net_tap0\n"
			"id 43 inner net_tap1\n"
			"  remote 172.16.91.2\n");
	snprintf(text, sizeof(text), "config %s", f1);
	CHECK(parse(text) == 0);
	CHECKF(validate() == 0, "%s", err);
	CHECK(conf.nb_vnis == 2 && conf.vnis[0].vni == 42 && conf.vnis[1].vni == 43);
	CHECK(conf.vnis[0].group_be == inet_addr("239.1.1.1"));
	CHECK(strcmp(conf.atts[0].port, "net_tap0") == 0 && conf.atts[0].vni == 42);
	CHECK(conf.vnis[1].nb_floods == 1);

	/* The public entry point too. */
	vtep_conf_init(&conf);
	CHECK(vtep_conf_parse_file(&conf, f1, err, sizeof(err)) == 0 && conf.nb_vnis == 2);

	/* A file error names file and line, option and value. */
	write_temp(f2, "dev net_af_packet0\n# comment\nid 42 dstport 70000\n");
	snprintf(text, sizeof(text), "config %s", f2);
	ret = parse(text);
	snprintf(text, sizeof(text), "%s:3: dstport: '70000'", f2);
	CHECKF(ret == -EINVAL && strstr(err, text) != NULL, "%d '%s'", ret, err);

	/* A file does not see the command line's current VNI. */
	write_temp(f3, "remote 172.16.91.2\n");
	snprintf(text, sizeof(text), SEED " config %s", f3);
	ret = parse(text);
	CHECKF(ret == -EINVAL && strstr(err, ":1: remote") != NULL, "%d '%s'", ret, err);

	/* Missing file: -errno and the name. */
	ret = parse("config /nonexistent/vtep.conf");
	CHECK(ret == -ENOENT && strstr(err, "/nonexistent/vtep.conf") != NULL);

	/* A file that includes itself stops at the depth limit. */
	unlink(f3);
	write_temp(f3, "");
	snprintf(text, sizeof(text), "config %s\n", f3 + 5); /* relative to the file's dir */
	{
		FILE *f = fopen(f3, "w");

		CHECK(f != NULL);
		if (f != NULL) {
			fputs(text, f);
			fclose(f);
		}
	}
	snprintf(text, sizeof(text), "config %s", f3);
	ret = parse(text);
	CHECKF(ret == -EINVAL && strstr(err, "nested too deep") != NULL, "%d '%s'", ret, err);

	/* The example files in config/ (the test runs in tests/unit). */
	EXPECT_OK("config ../../config/seed.conf");
	CHECK(conf.nb_vnis == 1 && conf.vnis[0].group_be == inet_addr("239.1.1.1"));
	EXPECT_OK("config ../../config/containers.conf");
	CHECK(conf.nb_vnis == 2 && conf.nb_atts == 4 && conf.atts[2].maxaddress == 16 &&
			conf.atts[3].vlan == 200 && conf.nb_fdbs == 1 && conf.fdbs[0].dst_be == 0);
	EXPECT_OK("config ../../config/three-vni.conf");
	CHECK(conf.nb_vnis == 3 && conf.nb_fdbs > 0 && conf.nb_neighs > 0);
	unlink(f1);
	unlink(f2);
	unlink(f3);
}

int
main(void)
{
	test_defaults_and_seed();
	test_all_words();
	test_value_errors();
	test_fdb_neigh_errors();
	test_limits();
	test_validate();
	test_ports();
	test_files();
	return vtep_test_done("conf");
}
