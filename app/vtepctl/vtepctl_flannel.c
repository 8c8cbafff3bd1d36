/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `vtepctl flannel show`: the state of the vtep-flannel agent next to a vtepd (docs/flannel.md).
 * The agent answers on a unix stream socket, /run/vtep-flannel/<file-prefix>.sock by default,
 * with one JSON object and closes; this prints it in the words of the other verbs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vtep_flannel.h"
#include "vtepctl.h"

#define STATUS_MAX (1024 * 1024)

/* The agent's answer, or NULL after printing why. */
static char *
fetch(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char *buf = malloc(STATUS_MAX);
	size_t len = 0;
	ssize_t n;
	int fd;

	if (buf == NULL)
		return NULL;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr, "vtepctl: vtep-flannel is not running (file-prefix '%s'): %s: %s\n",
				file_prefix, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	while (len < STATUS_MAX - 1 && (n = recv(fd, buf + len, STATUS_MAX - 1 - len, 0)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return buf;
}

static long long
num(const struct jnode *o, const char *key)
{
	return strtoll(jstr(o, key), NULL, 10);
}

static void
print_status(const struct jnode *st)
{
	long long now = num(st, "now");
	const struct jnode *peers = jget(st, "peers");
	bool etcd_up = strcmp(jstr(st, "etcd"), "connected") == 0;

	printf("lease %s public-ip %s vtep-mac %s vni %s port %s dev %s mtu %s expires in %llds\n",
			jstr(st, "subnet"), jstr(st, "public_ip"), jstr(st, "vtep_mac"),
			jstr(st, "vni"), jstr(st, "port"), jstr(st, "iface"), jstr(st, "mtu"),
			num(st, "expires") - now);
	printf("etcd %s %llds endpoint %s revision %s%s%s\n", jstr(st, "etcd"),
			now - num(st, "etcd_since"), jstr(st, "endpoint"), jstr(st, "revision"),
			etcd_up ? "" : " error ", etcd_up ? "" : jstr(st, "etcd_error"));
	printf("vtepd %s %llds\n", jstr(st, "vtepd"), now - num(st, "vtepd_since"));
	if (show_stats)
		printf("resyncs %s renewals %s reacquired %s errors %s\n", jstr(st, "resyncs"),
				jstr(st, "renewals"), jstr(st, "reacquired"), jstr(st, "errors"));
	for (const struct jnode *p = peers != NULL ? peers->kids : NULL; p != NULL; p = p->next) {
		printf("peer %s public-ip %s vtep-mac %s seen %llds ago", jstr(p, "subnet"),
				jstr(p, "public_ip"), jstr(p, "vtep_mac"), now - num(p, "seen"));
		if (show_stats)
			printf(" changed %llds ago", now - num(p, "changed"));
		putchar('\n');
	}
}

int
flannel(int argc, char **argv)
{
	char path[108];
	struct jnode *st;
	char *text;

	snprintf(path, sizeof(path), "%s/%s.sock", VTEP_FLANNEL_STATUS_DIR, file_prefix);
	if (argc < 1 || strncmp("show", argv[0], strlen(argv[0])) != 0 ||
			(argc != 1 && (argc != 3 || strcmp(argv[1], "socket") != 0))) {
		fprintf(stderr, "vtepctl: flannel show [socket PATH]\n");
		return EXIT_USAGE;
	}
	if (argc == 3)
		snprintf(path, sizeof(path), "%s", argv[2]);
	text = fetch(path);
	if (text == NULL)
		return EXIT_FAIL;
	st = json_parse(text);
	if (st == NULL || st->type != J_OBJ) {
		fprintf(stderr, "vtepctl: %s: not vtep-flannel's answer: %.100s\n", path, text);
		json_free(st);
		free(text);
		return EXIT_FAIL;
	}
	if (json_out) {
		json_print(st, stdout);
		putchar('\n');
	} else {
		print_status(st);
	}
	json_free(st);
	free(text);
	return 0;
}
