/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepd: parse -> validate -> build -> launch workers -> control loop -> teardown.
 * Everything with a job of its own lives in lib/.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pdump.h>

#include "vtep_conf.h"
#include "vtep_ctl.h"
#include "vtep_fwd.h"
#include "vtep_report.h"
#include "vtep_runtime.h"
#include "vtep_tele.h"

/* Exit statuses: 2 for configuration errors, as iproute2 does for bad arguments. */
#define EXIT_CONFIG 2
#define EXIT_START 1
/* The control lcore sleeps this long when a pass found nothing to do. */
#define CTL_IDLE_US 100
/* ... unless it did some in the last CTL_AWAKE_US. */
#define CTL_AWAKE_US 2000

static struct vtep_runtime rt;
static volatile sig_atomic_t stats_wanted;

static void
on_quit(int sig __rte_unused)
{
	rt.quit = true;
}

static void
on_usr1(int sig __rte_unused)
{
	stats_wanted = 1;
}

/* The words after `--`; none at all prints the usage. */
static int
parse_config(struct vtep_conf *conf, int argc, char **argv)
{
	char err[VTEP_CONF_ERR_SIZE];

	vtep_conf_init(conf);
	if (argc == 0) {
		vtep_conf_usage(stderr);
		return -EINVAL;
	}
	if (vtep_conf_parse_args(conf, argc, argv, err, sizeof(err)) != 0 ||
			vtep_conf_validate(conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "vtepd: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

/* The newest RX of any worker, for idle-exit. */
static uint64_t
last_rx(void)
{
	uint64_t last = 0;

	for (unsigned int w = 0; w < rt.nb_workers; w++)
		last = RTE_MAX(last, rt.workers[w]->last_rx_tsc);
	return last;
}

static void
control_loop(struct vtep_ctl *ctl)
{
	const struct vtep_conf *conf = rt.conf;
	uint64_t hz = rte_get_tsc_hz(), now, next_stats, busy_until = 0, last;
	uint64_t idle = (uint64_t)conf->idle_exit_ms * hz / 1000, start = rte_rdtsc();

	next_stats = start + conf->stats_interval * hz;
	while (!rt.quit) {
		unsigned int work = vtep_ctl_poll(ctl) + vtep_capture_poll(rt.capture);

		now = rte_rdtsc();
		/* Stay awake a moment after work: a learn event that arrives then is installed
		 * before the answer to its frame comes back from the inner port. */
		if (work != 0)
			busy_until = now + hz * CTL_AWAKE_US / 1000000;
		else if (now >= busy_until)
			rte_delay_us_sleep(CTL_IDLE_US);
		if (stats_wanted) {
			stats_wanted = 0;
			vtep_report_print(&rt, stdout);
		}
		if (conf->stats_interval != 0 && now >= next_stats) {
			vtep_report_summary(&rt, stdout);
			next_stats = now + conf->stats_interval * hz;
		}
		last = RTE_MAX(last_rx(), start);
		/* A worker may have stamped its RX after now was read: no unsigned wrap. */
		if (idle != 0 && now > last && now - last > idle)
			rt.quit = true;
	}
}

int
main(int argc, char **argv)
{
	static struct vtep_conf conf;
	char err[VTEP_CONF_ERR_SIZE];
	struct vtep_ctl *ctl;
	int n, rc;

	/* The words after `--` are ours: check them before EAL starts anything (hugepage files,
	 * vdevs, the runtime directory), so a configuration error leaves nothing behind. */
	for (n = 1; n < argc && strcmp(argv[n], "--") != 0; n++)
		;
	if (parse_config(&conf, n < argc ? argc - n - 1 : 0, argv + n + 1) != 0)
		return EXIT_CONFIG;
	if (rte_eal_init(n, argv) < 0) {
		fprintf(stderr, "vtepd: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return EXIT_START;
	}
	rc = vtep_runtime_create(&rt, &conf, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "vtepd: %s\n", err);
		rte_eal_cleanup();
		return rc == -ENODEV || rc == -EINVAL ? EXIT_CONFIG : EXIT_START;
	}
	ctl = vtep_ctl_create(&rt);
	if (ctl == NULL) {
		fprintf(stderr, "vtepd: control plane: %s\n", rte_strerror(rte_errno));
		vtep_runtime_free(&rt);
		rte_eal_cleanup();
		return EXIT_START;
	}
	/* Telemetry is for operators: vtepd forwards without it (e.g. with --no-telemetry). */
	rc = vtep_tele_init(ctl);
	if (rc != 0)
		fprintf(stderr, "vtepd: telemetry commands unavailable: %s\n", strerror(-rc));
	/* dpdk-dumpcap and dpdk-pdump attach as secondary processes (docs/capture.md); nothing
	 * runs on the data plane until one does. */
	if (rte_pdump_init() != 0)
		fprintf(stderr, "vtepd: dpdk-dumpcap cannot attach: %s\n", rte_strerror(rte_errno));
	signal(SIGINT, on_quit);
	signal(SIGTERM, on_quit);
	signal(SIGUSR1, on_usr1);
	for (unsigned int w = 0; w < rt.nb_workers; w++)
		rte_eal_remote_launch(vtep_fwd_main, rt.workers[w], rt.workers[w]->lcore_id);
	printf("vtepd: running, %u worker(s)\n", rt.nb_workers);
	fflush(stdout);
	control_loop(ctl);
	/* No telemetry command may wait on the control lcore once it stops polling. */
	vtep_tele_stop();
	rte_eal_mp_wait_lcore();
	/* Workers are gone: the control lcore finishes what they left in the rings. */
	vtep_ctl_shutdown(ctl);
	vtep_ctl_free(ctl);
	vtep_report_print(&rt, stdout);
	rte_pdump_uninit();
	vtep_runtime_free(&rt);
	rte_eal_cleanup();
	return 0;
}
