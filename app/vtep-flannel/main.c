/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtep-flannel: a vtepd host as a node of a flannel vxlan network (docs/flannel.md). Options ->
 * checks -> vtep_agent_run (lib/node). Exit status: 0 stopped by SIGINT/SIGTERM, 1 a refused
 * start or a fatal error (printed), 2 a bad command line (nothing started).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtep_agent.h"
#include "vtep_flannel.h"

#define EXIT_USAGE 2

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
			"usage: vtep-flannel [OPTION=VALUE ...]\n"
			"  --etcd-endpoints URLS       comma-separated (default "
			"http://127.0.0.1:2379)\n"
			"  --etcd-prefix PATH          default /coreos.com/network\n"
			"  --etcd-cafile FILE          CA of etcd's server certificate\n"
			"  --etcd-certfile FILE        client certificate\n"
			"  --etcd-keyfile FILE         its key\n"
			"  --file-prefix P             the vtepd to program (its --file-prefix; "
			"default rte)\n"
			"  --vtep-iface NAME           vtepd's inner tap (default flannel.<VNI>)\n"
			"  --public-ip IP              the lease's PublicIP (default vtepd's "
			"local)\n"
			"  --subnet A.B.C.D/LEN        hold this subnet (default: the one with our "
			"PublicIP, else a free one)\n"
			"  --subnet-file FILE          default /run/flannel/subnet.env\n"
			"  --subnet-lease-ttl N[s]     seconds (default 86400, flannel's 24 h)\n"
			"  --subnet-lease-renew-margin N | Ns   minutes, or seconds with s "
			"(default 60 min)\n"
			"  --status-socket PATH        default "
			"/run/vtep-flannel/<file-prefix>.sock\n"
			"  --release-on-exit           revoke the lease and undo the host at exit\n"
			"  --vtepd-words               print the vtepd words the network asks for, "
			"exit\n");
}

static int
bad(const char *opt, const char *value, const char *why)
{
	fprintf(stderr, "vtep-flannel: %s '%s': %s\n", opt, value != NULL ? value : "", why);
	return -1;
}

/* A number of seconds; "N" is minutes when minutes is set (flannel's renew margin), "Ns" s. */
static int
duration(const char *opt, const char *s, bool minutes, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno != 0 || v <= 0 || v > 100000000 ||
			(*end != '\0' && strcmp(end, "s") != 0))
		return bad(opt, s,
				minutes ? "not a duration (N minutes, or Ns seconds)"
					: "not a duration (N seconds)");
	*out = minutes && *end == '\0' ? v * 60 : v;
	return 0;
}

static int
prefix(const char *opt, const char *s, uint32_t *ip, uint8_t *len)
{
	char buf[32], *slash, *end;
	struct in_addr a;
	unsigned long l;

	if (strlen(s) >= sizeof(buf))
		return bad(opt, s, "not A.B.C.D/LEN");
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return bad(opt, s, "not A.B.C.D/LEN");
	*slash = '\0';
	l = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || slash[1] == '\0' || l == 0 || l > 30 ||
			inet_pton(AF_INET, buf, &a) != 1)
		return bad(opt, s, "not A.B.C.D/LEN (LEN 1..30)");
	*ip = ntohl(a.s_addr);
	*len = (uint8_t)l;
	if ((*ip & ((1u << (32 - l)) - 1)) != 0)
		return bad(opt, s, "host bits set");
	return 0;
}

static int
readable(const char *opt, const char *path)
{
	if (access(path, R_OK) != 0)
		return bad(opt, path, strerror(errno));
	return 0;
}

/* One option and its value; @return 0, -1 (printed), or 1 for --help. */
static int
option(struct vtep_agent_conf *c, const char *opt, const char *v, bool *words)
{
	struct in_addr a;

	if (strcmp(opt, "--etcd-endpoints") == 0)
		c->etcd.endpoints = v;
	else if (strcmp(opt, "--etcd-prefix") == 0)
		c->etcd_prefix = v;
	else if (strcmp(opt, "--etcd-cafile") == 0)
		c->etcd.cafile = v;
	else if (strcmp(opt, "--etcd-certfile") == 0)
		c->etcd.certfile = v;
	else if (strcmp(opt, "--etcd-keyfile") == 0)
		c->etcd.keyfile = v;
	else if (strcmp(opt, "--file-prefix") == 0)
		c->file_prefix = v;
	else if (strcmp(opt, "--vtep-iface") == 0)
		c->vtep_iface = v;
	else if (strcmp(opt, "--subnet-file") == 0)
		c->subnet_file = v;
	else if (strcmp(opt, "--status-socket") == 0)
		c->status_socket = v;
	else if (strcmp(opt, "--public-ip") == 0) {
		if (inet_pton(AF_INET, v, &a) != 1 || a.s_addr == 0)
			return bad(opt, v, "not an IPv4 address");
		c->public_ip = ntohl(a.s_addr);
	} else if (strcmp(opt, "--subnet") == 0)
		return prefix(opt, v, &c->subnet, &c->subnet_len);
	else if (strcmp(opt, "--subnet-lease-ttl") == 0)
		return duration(opt, v, false, &c->lease_ttl);
	else if (strcmp(opt, "--subnet-lease-renew-margin") == 0)
		return duration(opt, v, true, &c->renew_margin);
	else if (strcmp(opt, "--release-on-exit") == 0)
		c->release_on_exit = true;
	else if (strcmp(opt, "--vtepd-words") == 0)
		*words = true;
	else if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0)
		return 1;
	else
		return bad("unknown option", opt, "see --help");
	return 0;
}

static bool
takes_value(const char *opt)
{
	static const char *const opts[] = {"--etcd-endpoints", "--etcd-prefix", "--etcd-cafile",
			"--etcd-certfile", "--etcd-keyfile", "--file-prefix", "--vtep-iface",
			"--public-ip", "--subnet", "--subnet-file", "--subnet-lease-ttl",
			"--subnet-lease-renew-margin", "--status-socket"};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(opt, opts[i]) == 0)
			return true;
	return false;
}

static bool
is_flag(const char *opt)
{
	return strcmp(opt, "--release-on-exit") == 0 || strcmp(opt, "--vtepd-words") == 0 ||
			strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0;
}

/* Each comma-separated endpoint is an http:// or https:// URL. */
static int
endpoints(const char *list)
{
	const char *p = list;

	do {
		size_t len = strcspn(p, ",");
		char one[256];

		snprintf(one, sizeof(one), "%.*s", (int)len, p);
		if (strncmp(one, "http://", 7) != 0 && strncmp(one, "https://", 8) != 0)
			return bad("--etcd-endpoints", one, "not an http:// or https:// URL");
		p += len;
	} while (*p++ == ',');
	return 0;
}

static int
parse(int argc, char **argv, struct vtep_agent_conf *c, bool *words)
{
	for (int i = 1; i < argc; i++) {
		char opt[64];
		const char *eq = strchr(argv[i], '='), *v;
		int rc;

		snprintf(opt, sizeof(opt), "%.*s", eq != NULL ? (int)(eq - argv[i]) : 63, argv[i]);
		if (!is_flag(opt) && !takes_value(opt))
			return bad("unknown option", opt, "see --help");
		if (eq != NULL)
			v = eq + 1;
		else if (is_flag(opt))
			v = NULL;
		else if (i + 1 < argc)
			v = argv[++i];
		else
			return bad(opt, NULL, "missing value");
		if (v != NULL && is_flag(opt))
			return bad(opt, v, "takes no value");
		if (v != NULL && *v == '\0')
			return bad(opt, v, "empty value");
		rc = option(c, opt, v, words);
		if (rc != 0)
			return rc;
	}
	if (endpoints(c->etcd.endpoints) != 0)
		return -1;
	if (c->renew_margin >= c->lease_ttl) {
		fprintf(stderr,
				"vtep-flannel: --subnet-lease-renew-margin (%llds) must be shorter "
				"than --subnet-lease-ttl (%llds)\n",
				(long long)c->renew_margin, (long long)c->lease_ttl);
		return -1;
	}
	if (strchr(c->file_prefix, '/') != NULL)
		return bad("--file-prefix", c->file_prefix, "must not contain '/'");
	if ((c->etcd.cafile != NULL && readable("--etcd-cafile", c->etcd.cafile) != 0) ||
			(c->etcd.certfile != NULL &&
					readable("--etcd-certfile", c->etcd.certfile) != 0) ||
			(c->etcd.keyfile != NULL &&
					readable("--etcd-keyfile", c->etcd.keyfile) != 0))
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct vtep_agent_conf c = {
			.etcd = {.endpoints = "http://127.0.0.1:2379", .timeout_ms = 3000},
			.etcd_prefix = VTEP_FLANNEL_PREFIX,
			.file_prefix = "rte",
			.subnet_file = "/run/flannel/subnet.env",
			.lease_ttl = 24 * 3600,
			.renew_margin = 3600,
			.stop = &stop_flag,
	};
	struct sigaction sa = {.sa_handler = on_signal};
	bool words = false;
	int rc;

	rc = parse(argc, argv, &c, &words);
	if (rc > 0)
		usage(stdout);
	if (rc != 0)
		return rc > 0 ? 0 : EXIT_USAGE;
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (words)
		return vtep_agent_words(&c);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return vtep_agent_run(&c);
}
