/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/node/vtep_flannel: flannel's config and lease JSON as flannel writes them, every refusal
 * with its message, keys, the subnet choice, how a lease relates to us, and the peer table's
 * changes (add, same, change, delete, full read with stale peers).
 */
#include <errno.h>
#include <string.h>

#include "node_test.h"
#include "vtep_flannel.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static char err[VTEP_FLANNEL_ERR_SIZE];

static int
net(const char *json, struct vtep_flannel_net *n)
{
	err[0] = '\0';
	return vtep_flannel_net_parse(json, strlen(json), n, err, sizeof(err));
}

/* The config is refused and the message contains want. */
static int
refused(const char *json, const char *want)
{
	struct vtep_flannel_net n;
	int rc = net(json, &n);

	if (rc == -EINVAL && strstr(err, want) != NULL)
		return 1;
	fprintf(stderr, "  %s -> %d '%s' (wanted '%s')\n", json, rc, err, want);
	return 0;
}

static void
test_config(void)
{
	struct vtep_flannel_net n;

	/* flannel's documented example: defaults for everything but Network and Type */
	CHECK(net("{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}", &n) == 0);
	CHECK(n.network == IP(10, 244, 0, 0) && n.network_len == 16 && n.subnet_len == 24);
	CHECK(n.subnet_min == IP(10, 244, 1, 0) && n.subnet_max == IP(10, 244, 255, 0));
	CHECK(n.vni == 1 && n.port == 8472 && n.mtu == 0);
	/* everything given; Go's encoding/json matches names without regard to case */
	CHECK(net("{\"network\":\"10.1.0.0/16\",\"SubnetLen\":26,\"SubnetMin\":\"10.1.2.0\","
		  "\"SubnetMax\":\"10.1.3.192\",\"backend\":{\"type\":\"vxlan\",\"VNI\":42,"
		  "\"Port\":4789,\"MTU\":1400,\"DirectRouting\":false}}",
			      &n) == 0);
	CHECK(n.subnet_len == 26 && n.subnet_min == IP(10, 1, 2, 0) &&
			n.subnet_max == IP(10, 1, 3, 192));
	CHECK(n.vni == 42 && n.port == 4789 && n.mtu == 1400);
	/* SubnetLen defaults: /24 up to a /22 network, else the network in four */
	CHECK(net("{\"Network\":\"10.0.0.0/22\",\"Backend\":{\"Type\":\"vxlan\"}}", &n) == 0 &&
			n.subnet_len == 24);
	CHECK(net("{\"Network\":\"10.0.0.0/23\",\"Backend\":{\"Type\":\"vxlan\"}}", &n) == 0 &&
			n.subnet_len == 25);
	/* host bits are cleared, as Go's ParseCIDR */
	CHECK(net("{\"Network\":\"10.244.3.7/16\",\"Backend\":{\"Type\":\"vxlan\"}}", &n) == 0 &&
			n.network == IP(10, 244, 0, 0));
	CHECK(net("  {\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\",\"Port\":0}}\n",
			      &n) == 0 &&
			n.port == 8472);

	/* each refusal, with a message that says what */
	CHECK(refused("{\"Network\": \"10.244.0.0/16\", ", "not JSON"));
	CHECK(refused("", "not JSON"));
	CHECK(refused("{\"Network\":\"10.244.0.0/16\"} x", "not JSON"));
	CHECK(refused("[1,2]", "not a JSON object"));
	CHECK(refused("{\"Network\":\"10.244.0.0/16\"}", "no Backend"));
	CHECK(refused("{\"Network\":\"10.244.0.0/16\",\"Backend\":null}", "udp"));
	CHECK(refused("{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"host-gw\"}}",
			"Backend.Type is \"host-gw\""));
	CHECK(refused("{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"udp\"}}",
			"only \"vxlan\""));
	CHECK(refused("{\"Network\":\"10.244.0.0/16\",\"Backend\":{}}", "no Type"));
	CHECK(refused("{\"Network\":\"10.244.0.0/16\",\"Backend\":\"vxlan\"}",
			"must be an object"));
	CHECK(refused("{\"Backend\":{\"Type\":\"vxlan\"}}", "no Network"));
	CHECK(refused("{\"Network\":\"10.244.0.0\",\"Backend\":{\"Type\":\"vxlan\"}}",
			"not an IPv4 prefix"));
	CHECK(refused("{\"Network\":\"10.244.0.0/33\",\"Backend\":{\"Type\":\"vxlan\"}}",
			"not an IPv4 prefix"));
	CHECK(refused("{\"Network\":16,\"Backend\":{\"Type\":\"vxlan\"}}", "must be a string"));
	CHECK(refused("{\"Network\":\"10.0.0.0/29\",\"Backend\":{\"Type\":\"vxlan\"}}",
			"too small"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"SubnetLen\":31,\"Backend\":{\"Type\":"
		      "\"vxlan\"}}",
			"at most 30"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"SubnetLen\":17,\"Backend\":{\"Type\":"
		      "\"vxlan\"}}",
			"four subnets"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"SubnetMin\":\"10.1.0.0\",\"Backend\":{"
		      "\"Type\":\"vxlan\"}}",
			"SubnetMin"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"SubnetMax\":\"10.0.3.5\",\"Backend\":{"
		      "\"Type\":\"vxlan\"}}",
			"boundary"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"SubnetMin\":\"10.0.9.0\",\"SubnetMax\":"
		      "\"10.0.3.0\",\"Backend\":{\"Type\":\"vxlan\"}}",
			"above SubnetMax"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"Backend\":{\"Type\":\"vxlan\",\"VNI\":"
		      "16777216}}",
			"VNI 16777216 is out of range"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"Backend\":{\"Type\":\"vxlan\",\"VNI\":-1}}",
			"out of range"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"Backend\":{\"Type\":\"vxlan\",\"VNI\":"
		      "\"1\"}}",
			"whole number"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"Backend\":{\"Type\":\"vxlan\",\"Port\":"
		      "65536}}",
			"Port"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"Backend\":{\"Type\":\"vxlan\",\"MTU\":60}}",
			"MTU 60"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"Backend\":{\"Type\":\"vxlan\","
		      "\"DirectRouting\":true}}",
			"DirectRouting"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"Backend\":{\"Type\":\"vxlan\","
		      "\"DirectRouting\":1}}",
			"true or false"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"EnableIPv6\":true,\"Backend\":{\"Type\":"
		      "\"vxlan\"}}",
			"IPv6"));
	CHECK(refused("{\"Network\":\"10.0.0.0/16\",\"EnableIPv4\":false,\"Backend\":{\"Type\":"
		      "\"vxlan\"}}",
			"EnableIPv4"));
}

static void
test_lease(void)
{
	static const char flannel[] =
			"{\"PublicIP\":\"192.0.2.11\",\"PublicIPv6\":null,\"BackendType\":"
			"\"vxlan\","
			"\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:f0\"}}";
	struct vtep_flannel_lease l = {0}, m;
	char buf[VTEP_FLANNEL_LEASE_SIZE];

	CHECK(vtep_flannel_lease_parse(flannel, strlen(flannel), &l, err, sizeof(err)) == 0);
	CHECK(l.public_ip == IP(192, 0, 2, 11) && l.vxlan && l.has_mac && l.vni == 1);
	CHECK(memcmp(l.vtep_mac, "\xaa\xbb\xcc\xdd\xee\xf0", 6) == 0);
	/* what we write is byte for byte what flannel writes */
	CHECK(vtep_flannel_lease_format(&l, buf, sizeof(buf)) == (int)strlen(flannel));
	CHECK(strcmp(buf, flannel) == 0);
	CHECK(vtep_flannel_lease_format(&l, buf, 20) == -ENOSPC);
	/* another backend, no MAC, a multicast MAC: parsed, but not usable as a vxlan peer */
	strcpy(buf, "{\"PublicIP\":\"192.0.2.12\",\"BackendType\":\"host-gw\"}");
	CHECK(vtep_flannel_lease_parse(buf, strlen(buf), &m, err, sizeof(err)) == 0 && !m.vxlan &&
			!m.has_mac);
	strcpy(buf, "{\"PublicIP\":\"192.0.2.12\",\"BackendType\":\"vxlan\"}");
	CHECK(vtep_flannel_lease_parse(buf, strlen(buf), &m, err, sizeof(err)) == 0 && m.vxlan &&
			!m.has_mac);
	strcpy(buf,
			"{\"PublicIP\":\"192.0.2.12\",\"BackendType\":\"vxlan\",\"BackendData\":{"
			"\"VtepMAC\":\"01:00:5e:00:00:01\"}}");
	CHECK(vtep_flannel_lease_parse(buf, strlen(buf), &m, err, sizeof(err)) == 0 && !m.has_mac);
	CHECK(vtep_flannel_lease_parse("{\"PublicIP\":\"x\"}", 16, &m, err, sizeof(err)) ==
			-EINVAL);
	CHECK(vtep_flannel_lease_parse("{", 1, &m, err, sizeof(err)) == -EINVAL &&
			strstr(err, "not JSON") != NULL);
}

static void
test_keys(void)
{
	char key[VTEP_FLANNEL_KEY_SIZE];
	uint32_t s;
	uint8_t len;

	CHECK(vtep_flannel_key_format(
			      VTEP_FLANNEL_PREFIX, IP(10, 244, 1, 0), 24, key, sizeof(key)) > 0);
	CHECK(strcmp(key, "/coreos.com/network/subnets/10.244.1.0-24") == 0);
	CHECK(vtep_flannel_key_parse(VTEP_FLANNEL_PREFIX, key, &s, &len) == 0 &&
			s == IP(10, 244, 1, 0) && len == 24);
	CHECK(vtep_flannel_key_parse("/x", "/x/subnets/10.0.0.0-8", &s, &len) == 0);
	CHECK(vtep_flannel_key_parse(VTEP_FLANNEL_PREFIX, "/coreos.com/network/config", &s, &len) ==
			-EINVAL);
	CHECK(vtep_flannel_key_parse(VTEP_FLANNEL_PREFIX,
			      "/coreos.com/network/subnets/10.244.1.5-24", &s, &len) == -EINVAL);
	CHECK(vtep_flannel_key_parse(VTEP_FLANNEL_PREFIX,
			      "/coreos.com/network/subnets/10.244.1.0-33", &s, &len) == -EINVAL);
	CHECK(vtep_flannel_key_parse(VTEP_FLANNEL_PREFIX, "/coreos.com/network/subnets/10.244.1.0",
			      &s, &len) == -EINVAL);
	CHECK(vtep_flannel_key_format("/p", 1, 24, key, 10) == -ENOSPC);
}

static void
test_pick(void)
{
	struct vtep_flannel_net n;
	uint32_t taken[3] = {IP(10, 244, 1, 0), IP(10, 244, 3, 0)}, s;
	char env[256];

	CHECK(net("{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}", &n) == 0);
	/* free ones in order: .2, .4, .5 ...: rnd picks among the first 100 */
	CHECK(vtep_flannel_subnet_pick(&n, taken, 2, 0, &s) == 0 && s == IP(10, 244, 2, 0));
	CHECK(vtep_flannel_subnet_pick(&n, taken, 2, 1, &s) == 0 && s == IP(10, 244, 4, 0));
	CHECK(vtep_flannel_subnet_pick(&n, taken, 2, 100, &s) == 0 && s == IP(10, 244, 2, 0));
	CHECK(vtep_flannel_subnet_pick(&n, taken, 2, 99, &s) == 0 && s == IP(10, 244, 102, 0));
	/* a full range */
	CHECK(net("{\"Network\":\"10.0.0.0/28\",\"Backend\":{\"Type\":\"vxlan\"}}", &n) == 0);
	CHECK(n.subnet_len == 30 && n.subnet_min == IP(10, 0, 0, 4) &&
			n.subnet_max == IP(10, 0, 0, 12));
	taken[0] = IP(10, 0, 0, 4);
	taken[1] = IP(10, 0, 0, 8);
	taken[2] = IP(10, 0, 0, 12);
	CHECK(vtep_flannel_subnet_pick(&n, taken, 3, 7, &s) == -ENOSPC);
	CHECK(vtep_flannel_subnet_pick(&n, taken, 2, 7, &s) == 0 && s == IP(10, 0, 0, 12));
	CHECK(vtep_flannel_subnet_valid(&n, IP(10, 0, 0, 8), 30));
	CHECK(!vtep_flannel_subnet_valid(&n, IP(10, 0, 0, 8), 29));
	CHECK(!vtep_flannel_subnet_valid(&n, IP(10, 0, 1, 8), 30));
	/* subnet.env as flannel writes it */
	CHECK(net("{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}", &n) == 0);
	CHECK(vtep_flannel_subnet_env(&n, IP(10, 244, 7, 0), 1450, env, sizeof(env)) > 0);
	CHECK(strcmp(env,
			      "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.7.1/24\n"
			      "FLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n") == 0);
	CHECK(vtep_flannel_subnet_env(&n, IP(10, 244, 7, 0), 1450, env, 30) == -ENOSPC);
}

static struct vtep_flannel_lease
lease(uint32_t subnet, uint32_t ip, uint8_t last)
{
	struct vtep_flannel_lease l = {.subnet = subnet,
			.subnet_len = 24,
			.public_ip = ip,
			.vxlan = true,
			.has_mac = true,
			.vni = 1,
			.vtep_mac = {0x02, 0, 0, 0, 0, last}};

	return l;
}

static void
test_classify(void)
{
	const uint32_t own = IP(10, 244, 5, 0), me = IP(192, 0, 2, 12);
	struct vtep_flannel_lease l = lease(own, me, 1);

	CHECK(vtep_flannel_classify(&l, own, 24, me) == VTEP_FLANNEL_SELF);
	l.public_ip = IP(192, 0, 2, 99);
	CHECK(vtep_flannel_classify(&l, own, 24, me) == VTEP_FLANNEL_CONFLICT);
	l = lease(IP(10, 244, 1, 0), IP(192, 0, 2, 11), 2);
	CHECK(vtep_flannel_classify(&l, own, 24, me) == VTEP_FLANNEL_PEER);
	/* before we hold a subnet, nothing is ours or a conflict */
	CHECK(vtep_flannel_classify(&l, 0, 0, me) == VTEP_FLANNEL_PEER);
	l.vxlan = false;
	CHECK(vtep_flannel_classify(&l, own, 24, me) == VTEP_FLANNEL_IGNORE);
	l.vxlan = true;
	l.has_mac = false;
	CHECK(vtep_flannel_classify(&l, own, 24, me) == VTEP_FLANNEL_IGNORE);
	/* an older lease of ours elsewhere: never a route to ourselves */
	l = lease(IP(10, 244, 9, 0), me, 3);
	CHECK(vtep_flannel_classify(&l, own, 24, me) == VTEP_FLANNEL_IGNORE);
}

static void
test_peers(void)
{
	struct vtep_flannel_peers t = {0};
	struct vtep_flannel_op op;
	struct vtep_flannel_lease a = lease(IP(10, 244, 3, 0), IP(192, 0, 2, 13), 3);
	struct vtep_flannel_lease b = lease(IP(10, 244, 1, 0), IP(192, 0, 2, 11), 1);
	struct vtep_flannel_lease c = lease(IP(10, 244, 2, 0), IP(192, 0, 2, 12), 2);

	CHECK(vtep_flannel_peers_put(&t, &a, 10, &op) == 1 && op.kind == VTEP_FLANNEL_OP_ADD &&
			op.peer.subnet == a.subnet && op.peer.public_ip == a.public_ip);
	CHECK(vtep_flannel_peers_put(&t, &b, 11, &op) == 1 && op.kind == VTEP_FLANNEL_OP_ADD);
	CHECK(vtep_flannel_peers_put(&t, &c, 12, &op) == 1);
	/* sorted by subnet */
	CHECK(t.nb == 3 && t.peers[0].subnet == b.subnet && t.peers[1].subnet == c.subnet &&
			t.peers[2].subnet == a.subnet);
	/* the same lease again (a renewal): nothing to do, seen moves */
	CHECK(vtep_flannel_peers_put(&t, &a, 20, &op) == 0);
	CHECK(vtep_flannel_peers_find(&t, a.subnet)->seen == 20);
	/* a new VtepMAC (the peer restarted): CHANGE with the old one to remove */
	a.vtep_mac[5] = 0x33;
	CHECK(vtep_flannel_peers_put(&t, &a, 21, &op) == 1 && op.kind == VTEP_FLANNEL_OP_CHANGE &&
			op.old.vtep_mac[5] == 3 && op.peer.vtep_mac[5] == 0x33);
	/* a new PublicIP */
	a.public_ip = IP(192, 0, 2, 23);
	CHECK(vtep_flannel_peers_put(&t, &a, 22, &op) == 1 && op.kind == VTEP_FLANNEL_OP_CHANGE &&
			op.old.public_ip == IP(192, 0, 2, 13));
	/* delete */
	CHECK(vtep_flannel_peers_del(&t, c.subnet, &op) == 1 && op.kind == VTEP_FLANNEL_OP_DEL &&
			op.peer.public_ip == c.public_ip && t.nb == 2);
	CHECK(vtep_flannel_peers_del(&t, c.subnet, &op) == 0);
	CHECK(vtep_flannel_peers_find(&t, c.subnet) == NULL);
	/* a full read that has only b: a goes, b stays without a change */
	vtep_flannel_peers_sync_begin(&t);
	CHECK(vtep_flannel_peers_put(&t, &b, 30, &op) == 0);
	CHECK(vtep_flannel_peers_sync_next_stale(&t, &op) == 1 && op.kind == VTEP_FLANNEL_OP_DEL &&
			op.peer.subnet == a.subnet);
	CHECK(vtep_flannel_peers_sync_next_stale(&t, &op) == 0);
	CHECK(t.nb == 1 && t.peers[0].subnet == b.subnet);
	/* many, in reverse order: still sorted, each found */
	for (uint32_t i = 200; i > 10; i--) {
		struct vtep_flannel_lease l =
				lease(IP(10, 244, i, 0), IP(192, 0, 2, i), (uint8_t)i);

		vtep_flannel_peers_put(&t, &l, 40, &op);
	}
	CHECK(t.nb == 191);
	for (unsigned int i = 1; i < t.nb; i++)
		if (t.peers[i - 1].subnet >= t.peers[i].subnet)
			CHECK(!"sorted");
	CHECK(vtep_flannel_peers_find(&t, IP(10, 244, 77, 0))->public_ip == IP(192, 0, 2, 77));
	vtep_flannel_peers_free(&t);
	CHECK(t.nb == 0 && t.peers == NULL);
}

int
main(void)
{
	test_config();
	test_lease();
	test_keys();
	test_pick();
	test_classify();
	test_peers();
	return node_test_done("flannel");
}
