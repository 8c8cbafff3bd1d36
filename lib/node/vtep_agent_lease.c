/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The agent's subnet lease (vtep_agent.h, docs/flannel.md): take back ours or pick a free subnet
 * (a put-if-absent transaction on a new etcd lease), renew it (a new grant, the same value, put
 * only while the key still holds it), take it again when it is lost, report a conflict.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "vtep_agent_int.h"

/* Tries at a free subnet before giving up (each lost race adds the subnet to the taken ones). */
#define PICK_TRIES 16

static void
lease_value(struct agent *a, char *buf, size_t size)
{
	struct vtep_flannel_lease l = {.public_ip = a->public_ip, .vxlan = true, .vni = a->net.vni};

	memcpy(l.vtep_mac, a->link.mac, 6);
	vtep_flannel_lease_format(&l, buf, size);
}

static void
lease_held(struct agent *a, int64_t id)
{
	a->lease_id = id;
	a->lease_expiry = time(NULL) + a->conf->lease_ttl;
	a->renew_at = agent_now() + (double)(a->conf->lease_ttl - a->conf->renew_margin);
}

/* The key of subnet (set a->subnet first). */
void
lease_own_key(struct agent *a)
{
	vtep_flannel_key_format(a->conf->etcd_prefix, a->subnet, a->subnet_len, a->own_key,
			sizeof(a->own_key));
}

/* Parse a read pair into a lease; false when the key is not a subnet of this network. */
bool
lease_of(struct agent *a, const struct vtep_etcd_kv *kv, struct vtep_flannel_lease *l)
{
	char err[VTEP_FLANNEL_ERR_SIZE];

	if (vtep_flannel_key_parse(a->conf->etcd_prefix, kv->key, &l->subnet, &l->subnet_len) !=
					0 ||
			!vtep_flannel_subnet_valid(&a->net, l->subnet, l->subnet_len))
		return false;
	if (kv->value == NULL ||
			vtep_flannel_lease_parse(kv->value, kv->value_len, l, err, sizeof(err)) !=
					0) {
		l->vxlan = l->has_mac = false;
		l->public_ip = 0;
	}
	return true;
}

/*
 * Hold subnet (known free or ours): a new etcd lease, and the key written on it, created when
 * absent (expect NULL) or replacing the value expect. @return 0, -EEXIST/-ENOENT (lost the race),
 * or an etcd error.
 */
static int
lease_write(struct agent *a, const char *expect, struct vtep_etcd_kv *cur)
{
	int64_t id;
	int rc;

	rc = vtep_etcd_lease_grant(a->etcd, a->conf->lease_ttl, &id);
	if (rc != 0)
		return rc;
	lease_value(a, a->own_value, sizeof(a->own_value));
	rc = vtep_etcd_put_if(a->etcd, a->own_key, a->own_value, id, expect, cur);
	if (rc != 0) {
		vtep_etcd_lease_revoke(a->etcd, id);
		return rc;
	}
	lease_held(a, id);
	return 0;
}

void
lease_conflict(struct agent *a, const struct vtep_etcd_kv *cur)
{
	struct vtep_flannel_lease l = {0};
	char err[VTEP_FLANNEL_ERR_SIZE], s[20], ip[16], own[16];

	if (cur != NULL && cur->value != NULL)
		vtep_flannel_lease_parse(cur->value, cur->value_len, &l, err, sizeof(err));
	agent_log("lease conflict: subnet %s is held by another host (PublicIP %s), not by %s",
			agent_subnet_str(a->subnet, a->subnet_len, s),
			l.public_ip != 0 ? vtep_flannel_ip_str(l.public_ip, ip) : "unknown",
			vtep_flannel_ip_str(a->public_ip, own));
	a->fatal = 1;
}

/* Hold a->subnet (ours from before, or --subnet): create the key, or replace our own value. */
static int
lease_take(struct agent *a)
{
	struct vtep_etcd_kv cur = {0};
	char s[VTEP_FLANNEL_ERR_SIZE];
	int rc;

	lease_own_key(a);
	rc = lease_write(a, NULL, &cur);
	if (rc == -EEXIST) {
		/* ours from before (or raced): replace it only if it still has our PublicIP */
		struct vtep_flannel_lease l = {0};

		if (cur.value != NULL &&
				vtep_flannel_lease_parse(
						cur.value, cur.value_len, &l, s, sizeof(s)) == 0 &&
				l.public_ip == a->public_ip)
			rc = lease_write(a, cur.value, NULL);
		else
			lease_conflict(a, &cur);
	}
	vtep_etcd_kv_free(&cur);
	return rc;
}

/* A free subnet, as flannel picks one; a lost race adds it to taken and tries another. */
static int
lease_pick(struct agent *a, uint32_t *taken, unsigned int nb_taken)
{
	uint32_t rnd = 0;
	int rc = -ENOSPC;

	a->subnet_len = a->net.subnet_len;
	for (int t = 0; t < PICK_TRIES; t++) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd = (uint32_t)time(NULL);
		rc = vtep_flannel_subnet_pick(&a->net, taken, nb_taken, rnd, &a->subnet);
		if (rc != 0) {
			agent_log("no free subnet left in the network");
			break;
		}
		lease_own_key(a);
		rc = lease_write(a, NULL, NULL);
		if (rc != -EEXIST)
			break;
		taken[nb_taken++] = a->subnet; /* another host was faster */
	}
	return rc;
}

/* At start: take back the lease with our PublicIP (or the --subnet one), else a free subnet. */
int
lease_acquire(struct agent *a, const struct vtep_etcd_kvs *kvs)
{
	uint32_t *taken = calloc(kvs->len + PICK_TRIES + 1, sizeof(*taken));
	unsigned int nb_taken = 0;
	char s[VTEP_FLANNEL_ERR_SIZE];
	int rc = -ENOSPC;

	if (taken == NULL)
		return -ENOMEM;
	a->subnet = a->conf->subnet;
	a->subnet_len = a->conf->subnet_len;
	for (size_t i = 0; i < kvs->len; i++) {
		struct vtep_flannel_lease l;

		if (!lease_of(a, &kvs->kvs[i], &l))
			continue;
		taken[nb_taken++] = l.subnet;
		if (a->conf->subnet_len != 0 && l.subnet == a->conf->subnet &&
				l.public_ip != a->public_ip) {
			lease_conflict(a, &kvs->kvs[i]);
			free(taken);
			return -EEXIST;
		}
		if (a->conf->subnet_len == 0 && l.public_ip == a->public_ip && a->subnet_len == 0) {
			a->subnet = l.subnet; /* our own lease from before: take it back */
			a->subnet_len = l.subnet_len;
		}
	}
	if (a->subnet_len != 0)
		rc = lease_take(a);
	else
		rc = lease_pick(a, taken, nb_taken);
	free(taken);
	if (rc == 0)
		agent_log("lease %s acquired: PublicIP %s, lease %lld, ttl %llds", a->own_key,
				vtep_flannel_ip_str(a->public_ip, s), (long long)a->lease_id,
				(long long)a->conf->lease_ttl);
	else if (!a->fatal && rc != -ENOSPC)
		agent_log("cannot acquire a lease: %s", vtep_etcd_error(a->etcd));
	return rc;
}

/* Renew (a new grant and the same value on it, flannel's renewLease) or rewrite (new VtepMAC). */
void
lease_renew(struct agent *a, const char *why)
{
	char old[VTEP_FLANNEL_LEASE_SIZE];
	struct vtep_etcd_kv cur = {0};
	int rc;

	snprintf(old, sizeof(old), "%s", a->own_value);
	rc = lease_write(a, old, &cur);
	if (rc == 0) {
		a->renewals++;
		a->rewrite = false;
		agent_log("lease %s %s: lease %lld, expires in %llds", a->own_key, why,
				(long long)a->lease_id, (long long)a->conf->lease_ttl);
	} else if (rc == -ENOENT) {
		a->reacquire = true; /* expired meanwhile */
	} else if (rc == -EEXIST) {
		lease_conflict(a, &cur);
	} else {
		agent_log("cannot renew lease %s (retrying): %s", a->own_key,
				vtep_etcd_error(a->etcd));
		a->renew_at = agent_now() + 1;
	}
	vtep_etcd_kv_free(&cur);
}

/* Our key was deleted (the lease expired or was revoked): take the same subnet again. */
void
lease_reacquire(struct agent *a)
{
	struct vtep_etcd_kv cur = {0};
	int rc;

	a->reacquire = false;
	rc = lease_write(a, NULL, &cur);
	if (rc == 0) {
		a->reacquired++;
		agent_log("lease %s was lost and is acquired again: lease %lld", a->own_key,
				(long long)a->lease_id);
	} else if (rc == -EEXIST) {
		struct vtep_flannel_lease l = {0};
		char err[VTEP_FLANNEL_ERR_SIZE];

		if (cur.value != NULL &&
				vtep_flannel_lease_parse(cur.value, cur.value_len, &l, err,
						sizeof(err)) == 0 &&
				l.public_ip == a->public_ip)
			snprintf(a->own_value, sizeof(a->own_value), "%s", cur.value);
		else
			lease_conflict(a, &cur);
	} else {
		agent_log("cannot acquire lease %s again (retrying): %s", a->own_key,
				vtep_etcd_error(a->etcd));
		a->reacquire = true;
		a->etcd_up = false;
		vtep_etcd_watch_stop(a->etcd);
	}
	vtep_etcd_kv_free(&cur);
}
