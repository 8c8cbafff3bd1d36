/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registration of the /vtep/ commands and what every command goes through: the stop handshake,
 * parameter parsing, errors as answers, the call to the control lcore. The commands themselves
 * live in vtep_tele_show.c, vtep_tele_set.c, vtep_tele_capture.c and vtep_tele_monitor.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_log.h>

#include "vtep_tele_int.h"
#include "vtep_log.h"

VTEP_LOG_REGISTER(tele);
#define TELE_LOG(level, ...) VTEP_LOG(tele, level, __VA_ARGS__)

/* Longest wait of vtep_tele_stop for commands in flight, in us. */
#define STOP_WAIT_US 2000000
#define STOP_STEP_US 100

/*
 * Shared with the telemetry threads: the control state (NULL once stopped) and the number of
 * callbacks between enter() and leave(). Both are sequentially consistent, so that either a
 * callback sees NULL or vtep_tele_stop sees it in flight (Dekker's handshake).
 */
static struct vtep_ctl *tele_ctl;
static uint32_t tele_inflight;
static bool tele_registered;

static const struct {
	const struct vtep_tele_cmd *cmds;
	const unsigned int *nb;
} tele_tables[] = {
		{vtep_tele_show_cmds, &vtep_tele_nb_show_cmds},
		{vtep_tele_set_cmds, &vtep_tele_nb_set_cmds},
		{vtep_tele_capture_cmds, &vtep_tele_nb_capture_cmds},
		{vtep_tele_monitor_cmds, &vtep_tele_nb_monitor_cmds},
};

static struct vtep_ctl *
enter(void)
{
	struct vtep_ctl *c;

	__atomic_fetch_add(&tele_inflight, 1, __ATOMIC_SEQ_CST);
	c = __atomic_load_n(&tele_ctl, __ATOMIC_SEQ_CST);
	if (c == NULL)
		__atomic_fetch_sub(&tele_inflight, 1, __ATOMIC_SEQ_CST);
	return c;
}

static void
leave(void)
{
	__atomic_fetch_sub(&tele_inflight, 1, __ATOMIC_SEQ_CST);
}

/* Errors are answers, not a null reply, so that clients can print why: {"error": ..., "errno"}. */
void
vtep_tele_error(struct rte_tel_data *d, int rc, const char *fmt, ...)
{
	char msg[RTE_TEL_MAX_STRING_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", msg);
	rte_tel_data_add_dict_int(d, "errno", rc < 0 ? -rc : rc);
}

void
vtep_tele_ok(struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "status", "ok");
}

void
vtep_tele_add_sub(struct rte_tel_data *d, const char *name, struct rte_tel_data *sub)
{
	if (rte_tel_data_add_dict_container(d, name, sub, 0) != 0)
		rte_tel_data_free(sub);
}

const char *
vtep_tele_mac_str(const struct rte_ether_addr *mac, char *buf, size_t size)
{
	const uint8_t *b = mac->addr_bytes;

	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	return buf;
}

int
vtep_tele_call(struct vtep_ctl *c, vtep_ctl_fn fn, void *arg, size_t size, struct rte_tel_data *d)
{
	int rc = vtep_ctl_call(c, fn, arg, size, VTEP_TELE_TIMEOUT_MS);

	if (rc == -ETIMEDOUT)
		vtep_tele_error(d, rc, "no answer from the control lcore within %u ms",
				VTEP_TELE_TIMEOUT_MS);
	else if (rc != 0)
		vtep_tele_error(d, rc, "control lcore: %s", strerror(-rc));
	return rc;
}

/* A decimal number word; vni= also in 0..VTEP_VNI_MAX. */
static int
parse_number(const char *w, const char *v, uint64_t *n, char *err, size_t esz)
{
	char *end;

	errno = 0;
	*n = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 ||
			(strcmp(w, "count") != 0 && strcmp(w, "after") != 0 && *n > UINT32_MAX) ||
			(strcmp(w, "vni") == 0 && *n > VTEP_VNI_MAX)) {
		snprintf(err, esz, "bad %s '%s'", w, v);
		return -EINVAL;
	}
	return 0;
}

static int
parse_vni(const struct vtep_conf *conf, uint64_t n, struct vtep_tele_args *a, char *err, size_t esz)
{
	a->vni = n;
	a->vni_idx = vtep_conf_vni_index(conf, n);
	if (a->vni_idx < 0) {
		snprintf(err, esz, "VNI %" PRIu64 " is not configured", n);
		return -ENOENT;
	}
	return 0;
}

/* Words with a text value: mac, dst, learning, dev, file. */
static int
parse_text(char *w, const char *v, struct vtep_tele_args *a, char *err, size_t esz)
{
	static const char *const devs[] = {"underlay", "inner", "any"};
	static const char *const states[] = {"learned", "static", "flood"};
	struct in_addr in;

	if (strcmp(w, "mac") == 0) {
		if (rte_ether_unformat_addr(v, &a->mac) != 0)
			goto bad;
		a->has_mac = true;
	} else if (strcmp(w, "dst") == 0) {
		if (inet_pton(AF_INET, v, &in) != 1 || in.s_addr == 0)
			goto bad;
		a->dst_be = in.s_addr;
	} else if (strcmp(w, "learning") == 0) {
		if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
			snprintf(err, esz, "learning must be on or off, not '%s'", v);
			return -EINVAL;
		}
		a->learning = strcmp(v, "on") == 0;
	} else if (strcmp(w, "dev") == 0) {
		/* A capture's side (underlay, inner, any), or a local port (fdb, links). */
		for (unsigned int i = 0; i < RTE_DIM(devs); i++)
			if (strcmp(v, devs[i]) == 0)
				a->dev = i;
		if (*v == '\0' || strlen(v) >= sizeof(a->dev_name))
			goto bad;
		snprintf(a->dev_name, sizeof(a->dev_name), "%s", v);
	} else if (strcmp(w, "vlan") == 0) {
		char *end;
		unsigned long vid = strtoul(v, &end, 10);

		if (strcmp(v, "untagged") == 0) {
			a->vlan = VTEP_VLAN_UNTAGGED;
		} else if (*v >= '1' && *v <= '9' && *end == '\0' && vid <= VTEP_VLAN_MAX) {
			a->vlan = (uint16_t)vid;
		} else {
			snprintf(err, esz, "vlan must be 1..%d or untagged, not '%s'",
					VTEP_VLAN_MAX, v);
			return -EINVAL;
		}
		a->has_vlan = true;
	} else if (strcmp(w, "admin") == 0) {
		if (strcmp(v, "up") != 0 && strcmp(v, "down") != 0) {
			snprintf(err, esz, "admin must be up or down, not '%s'", v);
			return -EINVAL;
		}
		a->admin = strcmp(v, "up") == 0;
	} else if (strcmp(w, "state") == 0) {
		for (unsigned int i = 0; i < RTE_DIM(states); i++)
			if (strcmp(v, states[i]) == 0)
				a->state = i;
		if (a->state < 0) {
			snprintf(err, esz, "state must be learned, static or flood, not '%s'", v);
			return -EINVAL;
		}
	} else if (strcmp(w, "file") == 0) {
		if (v[0] != '/' || strlen(v) >= sizeof(a->file)) {
			snprintf(err, esz, "file must be an absolute path shorter than %zu bytes",
					sizeof(a->file));
			return -EINVAL;
		}
		snprintf(a->file, sizeof(a->file), "%s", v);
	} else {
		snprintf(err, esz, "unknown parameter '%s'", w);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, esz, "bad %s '%s'", w, v);
	return -EINVAL;
}

/* One `key=value` word into a; the message names the word on error. */
static int
parse_word(const struct vtep_conf *conf, char *w, struct vtep_tele_args *a, char *err, size_t esz)
{
	char *v = strchr(w, '=');
	uint64_t n;
	int rc;

	if (v == NULL) {
		snprintf(err, esz, "parameter '%s' is not key=value", w);
		return -EINVAL;
	}
	*v++ = '\0';
	if (strcmp(w, "vni") != 0 && strcmp(w, "start") != 0 && strcmp(w, "ageing") != 0 &&
			strcmp(w, "count") != 0 && strcmp(w, "after") != 0 &&
			strcmp(w, "snaplen") != 0 && strcmp(w, "older") != 0)
		return parse_text(w, v, a, err, esz);
	rc = parse_number(w, v, &n, err, esz);
	if (rc != 0)
		return rc;
	if (w[0] == 'v')
		return parse_vni(conf, n, a, err, esz);
	if (strcmp(w, "snaplen") == 0)
		a->snaplen = n;
	else if (w[0] == 'o')
		a->older = (int64_t)RTE_MIN(n, (uint64_t)UINT32_MAX);
	else if (w[0] == 's')
		a->start = n;
	else if (w[0] == 'c')
		a->count = n;
	else if (w[1] == 'f')
		a->after = n;
	else
		a->ageing = n;
	return 0;
}

static int
parse_args(const struct vtep_conf *conf, const char *params, struct vtep_tele_args *a, char *err,
		size_t esz)
{
	char buf[1024], *w, *save = NULL;
	int rc;

	*a = (struct vtep_tele_args){.vni_idx = -1,
			.learning = -1,
			.ageing = -1,
			.dev = -1,
			.after = UINT64_MAX,
			.state = -1,
			.older = -1,
			.admin = -1};
	if (params == NULL || *params == '\0')
		return 0;
	if (strlen(params) >= sizeof(buf)) {
		snprintf(err, esz, "parameters too long");
		return -EINVAL;
	}
	strcpy(buf, params);
	for (w = strtok_r(buf, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
		rc = parse_word(conf, w, a, err, esz);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
vtep_tele_att(const struct vtep_conf *conf, const struct vtep_tele_args *a, struct rte_tel_data *d)
{
	int att = vtep_conf_att_index(
			conf, a->dev_name, a->has_vlan ? a->vlan : (uint16_t)VTEP_VLAN_NONE);

	if (att < 0)
		vtep_tele_error(d, ENOENT, "dev %s%s is not an attachment", a->dev_name,
				a->has_vlan ? " with that vlan"
					    : " (a whole port; vlan= for a trunk)");
	return att;
}

const char *
vtep_tele_att_str(const struct vtep_conf *conf, unsigned int att, char *buf, size_t size)
{
	const struct vtep_att_conf *ac = &conf->atts[att];

	if (ac->vlan == VTEP_VLAN_NONE)
		snprintf(buf, size, "%s", ac->port);
	else if (ac->vlan == VTEP_VLAN_UNTAGGED)
		snprintf(buf, size, "%s untagged", ac->port);
	else
		snprintf(buf, size, "%s vlan %u", ac->port, ac->vlan);
	return buf;
}

static const struct vtep_tele_cmd *
find_cmd(const char *name)
{
	for (unsigned int t = 0; t < RTE_DIM(tele_tables); t++)
		for (unsigned int i = 0; i < *tele_tables[t].nb; i++)
			if (strcmp(tele_tables[t].cmds[i].name, name) == 0)
				return &tele_tables[t].cmds[i];
	return NULL;
}

/* Every /vtep/ command: the stop handshake, the parameters, then the command's own handler. */
static int
dispatch(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct vtep_tele_cmd *tc = find_cmd(cmd);
	struct vtep_ctl *c = enter();
	char err[RTE_TEL_MAX_STRING_LEN];
	struct vtep_tele_args *a;
	int rc;

	if (c == NULL) {
		vtep_tele_error(d, ESHUTDOWN, "vtepd is stopping");
		return 0;
	}
	a = malloc(sizeof(*a));
	if (tc == NULL)
		vtep_tele_error(d, ENOENT, "unknown command");
	else if (a == NULL)
		vtep_tele_error(d, ENOMEM, "out of memory");
	else if ((rc = parse_args(vtep_ctl_runtime(c)->conf, params, a, err, sizeof(err))) != 0)
		vtep_tele_error(d, rc, "%s", err);
	else
		tc->fn(c, cmd, a, d);
	free(a);
	leave();
	return 0;
}

int
vtep_tele_init(struct vtep_ctl *c)
{
	int rc;

	rc = vtep_tele_monitor_init(c);
	if (rc != 0)
		return rc;
	__atomic_store_n(&tele_ctl, c, __ATOMIC_SEQ_CST);
	if (tele_registered)
		return 0;
	for (unsigned int t = 0; t < RTE_DIM(tele_tables); t++) {
		for (unsigned int i = 0; i < *tele_tables[t].nb; i++) {
			const struct vtep_tele_cmd *tc = &tele_tables[t].cmds[i];

			rc = rte_telemetry_register_cmd(tc->name, dispatch, tc->help);
			if (rc != 0) {
				TELE_LOG(ERR, "cannot register %s: %s\n", tc->name, strerror(-rc));
				return rc;
			}
		}
	}
	tele_registered = true;
	return 0;
}

void
vtep_tele_stop(void)
{
	struct vtep_ctl *c = __atomic_exchange_n(&tele_ctl, NULL, __ATOMIC_SEQ_CST);

	if (c == NULL)
		return;
	/* Callbacks in flight wait for the control lcore: that is us, so keep answering. */
	for (unsigned int us = 0;
			__atomic_load_n(&tele_inflight, __ATOMIC_SEQ_CST) != 0 && us < STOP_WAIT_US;
			us += STOP_STEP_US) {
		vtep_ctl_poll(c);
		rte_delay_us_sleep(STOP_STEP_US);
	}
	if (__atomic_load_n(&tele_inflight, __ATOMIC_SEQ_CST) != 0)
		TELE_LOG(WARNING, "telemetry commands still in flight at exit\n");
}
