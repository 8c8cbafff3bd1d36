/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/node/vtep_telc against a stand-in for DPDK's telemetry server (a SOCK_SEQPACKET socket at
 * the path EAL uses, a greeting, one answer per command): connect, answers, the server going
 * away (-EPIPE, what tells vtep-flannel that vtepd stopped), no server (-ENOENT).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "node_test.h"
#include "vtep_telc.h"

static int listen_fd;

/* Greet, answer two commands with {"<cmd>": {"n": N}}, then close. */
static void *
server(void *arg)
{
	int fd = accept(listen_fd, NULL, NULL);
	char cmd[256], out[512];

	(void)arg;
	if (fd < 0)
		return NULL;
	send(fd, "{\"version\":\"DPDK 22.11\",\"pid\":1,\"max_output_len\":16384}", 55, 0);
	for (int i = 0; i < 2; i++) {
		ssize_t n = recv(fd, cmd, sizeof(cmd) - 1, 0);

		if (n <= 0)
			break;
		cmd[n] = '\0';
		snprintf(out, sizeof(out), "{\"%s\":{\"n\":%d}}", cmd, i);
		send(fd, out, strlen(out), 0);
	}
	close(fd);
	return NULL;
}

int
main(void)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct vtep_telc t = {.fd = -1};
	char prefix[64], dir[128], *slash;
	pthread_t th;
	ssize_t n;

	snprintf(prefix, sizeof(prefix), "test_telc_%d", (int)getpid());
	CHECK(vtep_telc_connect(&t, prefix) == -ENOENT);
	vtep_telc_path(prefix, sun.sun_path, sizeof(sun.sun_path));
	CHECK(strstr(sun.sun_path, "/dpdk/test_telc_") != NULL &&
			strstr(sun.sun_path, "/dpdk_telemetry.v2") != NULL);
	snprintf(dir, sizeof(dir), "%s", sun.sun_path);
	slash = strrchr(dir, '/');
	*slash = '\0'; /* .../dpdk/PREFIX */
	slash = strrchr(dir, '/');
	*slash = '\0'; /* .../dpdk, which may exist */
	mkdir(dir, 0700);
	*slash = '/';
	CHECK(mkdir(dir, 0700) == 0);
	listen_fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK(bind(listen_fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	CHECK(listen(listen_fd, 1) == 0);
	pthread_create(&th, NULL, server, NULL);
	CHECK(vtep_telc_connect(&t, prefix) == 0);
	CHECK(vtep_telc_request(&t, "/vtep/vni") > 0);
	CHECK(strcmp(t.reply, "{\"/vtep/vni\":{\"n\":0}}") == 0);
	CHECK(vtep_telc_request(&t, "/vtep/fdb,vni=1") > 0);
	CHECK(strcmp(t.reply, "{\"/vtep/fdb,vni=1\":{\"n\":1}}") == 0);
	/* the server closed: the next request says so */
	n = vtep_telc_request(&t, "/vtep/vni");
	CHECK(n == -EPIPE);
	if (n != -EPIPE)
		fprintf(stderr, "  got %zd\n", n);
	vtep_telc_close(&t);
	CHECK(t.fd == -1 && t.reply == NULL);
	CHECK(vtep_telc_request(&t, "/vtep/vni") == -ENOTCONN);
	pthread_join(th, NULL);
	close(listen_fd);
	unlink(sun.sun_path);
	rmdir(dir);
	return node_test_done("telc");
}
