/* SPDX-License-Identifier: BSD-3-Clause */
/* What the agent's files share: vtep_agent.c (loop, etcd, lease), vtep_agent_prog.c (vtepd and
 * the kernel), vtep_agent_status.c (the status socket). */
#ifndef VTEP_AGENT_INT_H
#define VTEP_AGENT_INT_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "vtep_agent.h"
#include "vtep_etcd.h"
#include "vtep_flannel.h"
#include "vtep_nl.h"
#include "vtep_telc.h"

struct json_object;

/** The agent's whole state; one per process. */
struct agent {
	const struct vtep_agent_conf *conf;
	struct vtep_etcd *etcd;
	struct vtep_telc telc;
	struct vtep_nl nl;
	struct vtep_flannel_net net;
	char config_key[VTEP_FLANNEL_KEY_SIZE];  /* PREFIX/config */
	char subnets_key[VTEP_FLANNEL_KEY_SIZE]; /* PREFIX/subnets/ */
	char iface[IFNAMSIZ];
	struct vtep_nl_link link; /* the tap as last read */
	uint32_t local;           /* vtepd's `local` */
	uint32_t public_ip;       /* what the lease says */
	/* the lease */
	uint32_t subnet; /* 0/0 until acquired */
	uint8_t subnet_len;
	char own_key[VTEP_FLANNEL_KEY_SIZE];
	char own_value[VTEP_FLANNEL_LEASE_SIZE]; /* as last written */
	int64_t lease_id;
	time_t lease_expiry; /* wall clock */
	double renew_at;     /* monotonic */
	bool reacquire;      /* our key was deleted: take the subnet again */
	bool rewrite;        /* the VtepMAC changed: write the lease again */
	struct vtep_flannel_peers peers;
	/* etcd */
	bool etcd_up;      /* read and watching */
	time_t etcd_since; /* wall clock of the last up/down change */
	time_t confirmed;  /* wall clock up to which the watch is known complete */
	double etcd_retry_at, etcd_backoff, health_at;
	int64_t revision;     /* of the last full read */
	char etcd_error[256]; /* why it went down */
	/* vtepd */
	bool vtepd_up;
	double vtepd_retry_at;
	time_t vtepd_since;
	/* status socket */
	int status_fd;
	char status_path[108];
	/* counters (status) */
	unsigned long resyncs, renewals, reacquired, prog_errors;
	int fatal; /* exit status 1 once set */
};

/** Monotonic seconds. */
double agent_now(void);
/** "vtep-flannel: " and a line on stderr. */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** "A.B.C.D/LEN" into buf (20 bytes). @return buf. */
const char *agent_subnet_str(uint32_t subnet, uint8_t len, char *buf);

/* vtep_agent_lease.c */
/** Set a->own_key from a->subnet. */
void lease_own_key(struct agent *a);
/** A read pair as a lease; false when the key is not one of the network's subnets. */
bool lease_of(struct agent *a, const struct vtep_etcd_kv *kv, struct vtep_flannel_lease *l);
/** Report that another host holds our subnet (cur: its pair, or NULL); the agent turns fatal. */
void lease_conflict(struct agent *a, const struct vtep_etcd_kv *cur);
/** At start: ours back (our PublicIP or --subnet), else a free subnet. @return 0 or -errno. */
int lease_acquire(struct agent *a, const struct vtep_etcd_kvs *kvs);
/** Renew (or rewrite after a new VtepMAC); why goes into the log line. */
void lease_renew(struct agent *a, const char *why);
/** Our key was deleted: take the same subnet again. */
void lease_reacquire(struct agent *a);

/* vtep_agent_prog.c */
/** Connect to vtepd and check its VNI (dstport, no group, no flood list); local in a->local. */
int prog_vtepd_check(struct agent *a, char *err, size_t size);
/** Read the tap (a->link), checking it can carry Backend.MTU. */
int prog_tap_check(struct agent *a, char *err, size_t size);
/** The tap (MTU, address <subnet>.0/32 and no other in the network, up) and learning off. */
void prog_tap(struct agent *a);
/** Remove FDB entries, routes and neighbors of the network that no peer asks for. */
void prog_stale(struct agent *a);
/** The whole host as a->peers and the lease say: prog_tap, every peer, prog_stale. */
void prog_all(struct agent *a);
/** One peer change on vtepd and the kernel (what is not reachable now is redone by prog_all). */
void prog_apply(struct agent *a, const struct vtep_flannel_op *op);
/** Undo everything (release, conflict): peers out, the tap's address out. */
void prog_undo(struct agent *a);
/** Write subnet.env (atomically: a new file renamed over the old). */
int prog_subnet_env(struct agent *a);

/* vtep_agent_status.c */
/** Open the status socket (refused when another agent answers on it). */
int status_open(struct agent *a, char *err, size_t size);
/** Answer one client (the socket is readable). */
void status_serve(struct agent *a);
/** Close and remove the socket. */
void status_close(struct agent *a);

#endif /* VTEP_AGENT_INT_H */
