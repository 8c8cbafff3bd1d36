/* SPDX-License-Identifier: BSD-3-Clause */
/* vtepd's telemetry socket, client side (vtep_telc.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "vtep_telc.h"

#define SOCK_NAME "dpdk_telemetry.v2"

void
vtep_telc_path(const char *prefix, char *buf, size_t size)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");

	/* EAL's runtime directory: /var/run/dpdk/P as root, else $XDG_RUNTIME_DIR/dpdk/P. */
	if (getuid() == 0 || dir == NULL)
		dir = getuid() == 0 ? "/var/run" : "/tmp";
	snprintf(buf, size, "%s/dpdk/%s/%s", dir, prefix, SOCK_NAME);
}

void
vtep_telc_close(struct vtep_telc *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	free(t->reply);
	t->reply = NULL;
}

int
vtep_telc_connect(struct vtep_telc *t, const char *prefix)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = VTEP_TELC_TIMEOUT_MS / 1000,
			.tv_usec = VTEP_TELC_TIMEOUT_MS % 1000 * 1000};
	ssize_t n;
	int rc;

	t->fd = -1;
	t->reply = malloc(VTEP_TELC_REPLY_SIZE);
	if (t->reply == NULL)
		return -ENOMEM;
	vtep_telc_path(prefix, sun.sun_path, sizeof(sun.sun_path));
	t->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (t->fd < 0 || connect(t->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		rc = -errno;
		vtep_telc_close(t);
		return rc;
	}
	setsockopt(t->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(t->fd, t->reply, VTEP_TELC_REPLY_SIZE - 1, 0); /* the greeting */
	if (n <= 0) {
		vtep_telc_close(t);
		return -EPROTO;
	}
	return 0;
}

ssize_t
vtep_telc_request(struct vtep_telc *t, const char *cmd)
{
	ssize_t n;

	if (t->fd < 0)
		return -ENOTCONN;
	if (send(t->fd, cmd, strlen(cmd), MSG_NOSIGNAL) < 0)
		return errno == ECONNRESET ? -EPIPE : -errno;
	n = recv(t->fd, t->reply, VTEP_TELC_REPLY_SIZE - 1, 0);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : errno == ECONNRESET ? -EPIPE : -errno;
	if (n == 0)
		return -EPIPE;
	t->reply[n] = '\0';
	return n;
}
