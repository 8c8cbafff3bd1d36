/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture commands (lib/shared/capture): /vtep/capture_start, /vtep/capture_stop and
 * /vtep/capture (status). The control lcore opens, writes and closes the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtep_tele_int.h"

struct capture_req {
	struct vtep_tele_args a;          /* in: parameters */
	int rc;                           /* out: vtep_capture_start/stop */
	char err[RTE_TEL_MAX_STRING_LEN]; /* out: why not */
	struct vtep_capture_status st;    /* out: the state after the command */
};

static void
do_start(struct vtep_ctl *c, void *arg)
{
	struct vtep_capture *cap = vtep_ctl_runtime(c)->capture;
	struct capture_req *r = arg;
	struct vtep_capture_filter f = {
			.dev = r->a.dev < 0 ? VTEP_CAPTURE_UNDERLAY : r->a.dev,
			.has_vni = r->a.vni_idx >= 0,
			.vni_idx = r->a.vni_idx,
			.snaplen = r->a.snaplen,
	};

	r->rc = vtep_capture_start(cap, r->a.file, &f, r->a.count, r->err, sizeof(r->err));
	vtep_capture_status(cap, &r->st);
}

static void
do_stop(struct vtep_ctl *c, void *arg)
{
	struct vtep_capture *cap = vtep_ctl_runtime(c)->capture;
	struct capture_req *r = arg;

	r->rc = vtep_capture_stop(cap);
	vtep_capture_status(cap, &r->st);
}

static void
do_status(struct vtep_ctl *c, void *arg)
{
	struct capture_req *r = arg;

	r->rc = 0;
	vtep_capture_status(vtep_ctl_runtime(c)->capture, &r->st);
}

static void
add_status(struct rte_tel_data *d, const struct vtep_capture_status *st)
{
	static const char *const devs[] = {"underlay", "inner", "any"};

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "state", st->running ? "running" : "stopped");
	rte_tel_data_add_dict_string(d, "file", st->path);
	rte_tel_data_add_dict_string(d, "dev", devs[st->f.dev]);
	rte_tel_data_add_dict_u64(d, "vni", st->f.has_vni ? st->vni : 0);
	rte_tel_data_add_dict_u64(d, "count", st->count);
	rte_tel_data_add_dict_u64(d, "snaplen", st->f.snaplen);
	rte_tel_data_add_dict_u64(d, "written", st->written);
	rte_tel_data_add_dict_u64(d, "copied", st->copied);
	rte_tel_data_add_dict_u64(d, "ring_full", st->ring_full);
	rte_tel_data_add_dict_u64(d, "nombuf", st->nombuf);
	rte_tel_data_add_dict_u64(d, "write_errors", st->write_errors);
}

/* /vtep/capture_start, /vtep/capture_stop, /vtep/capture. */
static void
cmd_capture(struct vtep_ctl *c, const char *cmd, const struct vtep_tele_args *a,
		struct rte_tel_data *d)
{
	bool start = strcmp(cmd, "/vtep/capture_start") == 0;
	bool stop = strcmp(cmd, "/vtep/capture_stop") == 0;
	struct capture_req *r;

	if (start && a->file[0] == '\0') {
		vtep_tele_error(d, EINVAL, "capture_start needs file=/ABSOLUTE/PATH");
		return;
	}
	if (a->dev_name[0] != '\0' && a->dev < 0) {
		vtep_tele_error(d, EINVAL, "dev must be underlay, inner or any, not '%s'",
				a->dev_name);
		return;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		vtep_tele_error(d, ENOMEM, "out of memory");
		return;
	}
	r->a = *a;
	if (vtep_tele_call(c, start ? do_start : stop ? do_stop : do_status, r, sizeof(*r), d) != 0)
		goto out;
	if (stop && r->rc == -ENOENT)
		vtep_tele_error(d, ENOENT, "no capture is running");
	else if (r->rc != 0)
		vtep_tele_error(d, r->rc, "%s", r->err);
	else
		add_status(d, &r->st);
out:
	free(r);
}

const struct vtep_tele_cmd vtep_tele_capture_cmds[] = {
		{"/vtep/capture_start", cmd_capture,
				"Capture to pcapng: file=/PATH[,dev=underlay|inner|any][,vni=N]"
				"[,count=N][,snaplen=N]."},
		{"/vtep/capture_stop", cmd_capture, "Stop the capture and close its file."},
		{"/vtep/capture", cmd_capture,
				"Capture state: file, filter, frames written, losses."},
};
const unsigned int vtep_tele_nb_capture_cmds = RTE_DIM(vtep_tele_capture_cmds);
