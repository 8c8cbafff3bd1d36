/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the files of lib/mgmt/tele share (not part of the module's contract, vtep_tele.h):
 * vtep_tele.c registers the commands and runs each through one dispatcher (telemetry threads in,
 * "vtepd is stopping" out, parameters parsed); vtep_tele_show.c answers the read-only views,
 * vtep_tele_set.c the FDB, flood-list, learning and ageing changes, vtep_tele_capture.c packet
 * capture and vtep_tele_monitor.c the FDB event log.
 */
#ifndef VTEP_TELE_INT_H
#define VTEP_TELE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_telemetry.h>

#include "vtep_capture.h"
#include "vtep_tele.h"

/** Parameters of a command: `key=value` words separated by commas. */
struct vtep_tele_args {
	int vni_idx;               /**< -1: no vni= */
	uint32_t vni;              /**< The vni= value. */
	bool has_mac;              /**< mac= given. */
	struct rte_ether_addr mac; /**< mac= */
	rte_be32_t dst_be;         /**< dst=, 0 if none. */
	uint32_t start;            /**< start= (FDB paging). */
	int learning;              /**< learning=on|off: 1/0, -1 if none. */
	int64_t ageing;            /**< ageing=, -1 if none. */
	int dev; /**< dev=underlay|inner|any (enum vtep_capture_dev), -1 if not that. */
	char dev_name[VTEP_DEV_NAME_SIZE]; /**< dev= as given (a local port for fdb commands). */
	bool has_vlan;                     /**< vlan= given. */
	uint16_t vlan;    /**< vlan=V (1..4094) or untagged (VTEP_VLAN_UNTAGGED). */
	int admin;        /**< admin=up|down: 1/0, -1 if none. */
	uint64_t count;   /**< count= (capture), 0 if none. */
	uint32_t snaplen; /**< snaplen= (capture), 0 if none. */
	uint64_t after;   /**< after= (monitor: events after this sequence number). */
	int state;        /**< state=learned|static|flood (FDB filter): 0, 1, 2; -1 if none. */
	int64_t older; /**< older=SECONDS (FDB filter: learned entries not seen for that long). */
	char file[VTEP_CAPTURE_PATH_MAX]; /**< file= (capture), empty if none. */
};

/**
 * A command's handler, run on a telemetry thread with the parameters parsed (a parse error is
 * answered before). It answers in d; errors through vtep_tele_error.
 */
typedef void (*vtep_tele_fn)(struct vtep_ctl *c, const char *cmd, const struct vtep_tele_args *a,
		struct rte_tel_data *d);

/** One /vtep/ command. */
struct vtep_tele_cmd {
	const char *name; /**< "/vtep/..." */
	vtep_tele_fn fn;  /**< Handler. */
	const char *help; /**< One line for /help. */
};

/** The commands of each file, and how many. */
extern const struct vtep_tele_cmd vtep_tele_show_cmds[];
extern const unsigned int vtep_tele_nb_show_cmds;
extern const struct vtep_tele_cmd vtep_tele_set_cmds[];
extern const unsigned int vtep_tele_nb_set_cmds;
extern const struct vtep_tele_cmd vtep_tele_capture_cmds[];
extern const unsigned int vtep_tele_nb_capture_cmds;
extern const struct vtep_tele_cmd vtep_tele_monitor_cmds[];
extern const unsigned int vtep_tele_nb_monitor_cmds;

/** Answer an error: {"error": message, "errno": positive errno}. */
void vtep_tele_error(struct rte_tel_data *d, int rc, const char *fmt, ...)
		__rte_format_printf(3, 4);

/** Answer {"status": "ok"}. */
void vtep_tele_ok(struct rte_tel_data *d);

/**
 * Run fn on the control lcore (vtep_ctl_call with the telemetry timeout); on failure the error
 * is answered in d. @return 0 when fn ran.
 */
int vtep_tele_call(
		struct vtep_ctl *c, vtep_ctl_fn fn, void *arg, size_t size, struct rte_tel_data *d);

/** Put sub under name in dict d (sub is freed if d refuses it). */
void vtep_tele_add_sub(struct rte_tel_data *d, const char *name, struct rte_tel_data *sub);

/** "aa:bb:cc:dd:ee:ff" into buf. @return buf. */
const char *vtep_tele_mac_str(const struct rte_ether_addr *mac, char *buf, size_t size);

/**
 * The attachment named by dev= and vlan= (a whole port without vlan=), or -1 after answering
 * the error in d.
 */
int vtep_tele_att(const struct vtep_conf *conf, const struct vtep_tele_args *a,
		struct rte_tel_data *d);

/** "dev PORT[ vlan V| untagged]" words of attachment att into buf. @return buf. */
const char *vtep_tele_att_str(
		const struct vtep_conf *conf, unsigned int att, char *buf, size_t size);

/** Set up the FDB event log (vtep_tele_monitor.c); control lcore, from vtep_tele_init. */
int vtep_tele_monitor_init(struct vtep_ctl *c);

#endif /* VTEP_TELE_INT_H */
