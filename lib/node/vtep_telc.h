/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A client of vtepd's telemetry socket (docs/telemetry.md), for programs that are not vtepd:
 * vtepctl and vtep-flannel. The socket is DPDK's `dpdk_telemetry.v2` in vtepd's runtime directory,
 * a SOCK_SEQPACKET unix socket: the server sends a JSON greeting, then answers each command string
 * ("/vtep/fdb,vni=42") with one JSON object {"<command>": value}. Plain libc, no DPDK; the JSON is
 * left to the caller.
 */
#ifndef VTEP_TELC_H
#define VTEP_TELC_H

#include <stddef.h>
#include <sys/types.h>

/** Larger than DPDK's largest telemetry answer (16 KB in 22.11). */
#define VTEP_TELC_REPLY_SIZE (256 * 1024)
/** How long a request waits for its answer (vtepd's own mailbox gives up after 1 s). */
#define VTEP_TELC_TIMEOUT_MS 5000

/** One connection. */
struct vtep_telc {
	int fd;      /**< The socket, -1 when not connected. */
	char *reply; /**< The last answer, NUL-terminated (VTEP_TELC_REPLY_SIZE bytes). */
};

/**
 * The socket path of the vtepd started with --file-prefix prefix: /var/run/dpdk/P/... as root,
 * else $XDG_RUNTIME_DIR/dpdk/P/... (or /tmp/dpdk/P/...), as EAL makes it.
 */
void vtep_telc_path(const char *prefix, char *buf, size_t size);

/**
 * Connect and read the greeting. @return 0; -errno of socket/connect (-ENOENT, -ECONNREFUSED:
 * vtepd is not running), -EPROTO when no greeting came, -ENOMEM.
 */
int vtep_telc_connect(struct vtep_telc *t, const char *prefix);

/**
 * Send cmd and wait for the answer, left in t->reply. @return its length; -EPIPE when vtepd
 * closed the connection, -ETIMEDOUT, -errno.
 */
ssize_t vtep_telc_request(struct vtep_telc *t, const char *cmd);

/** Close the connection (no-op when closed); the reply buffer is freed. */
void vtep_telc_close(struct vtep_telc *t);

#endif /* VTEP_TELC_H */
