/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepd: parse -> validate -> build -> launch workers -> control loop -> teardown.
 * Everything with a job of its own lives in lib/.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
#include "vtepd_eal.h"

/* Exit statuses: 2 for configuration errors, as iproute2 does for bad arguments. */
#define EXIT_CONFIG 2
#define EXIT_START 1
/* Longest teardown (ports closed, EAL cleaned up) before vtepd gives up on it, in seconds. */
#define TEARDOWN_S 10
/* The control lcore sleeps this long when a pass found nothing to do. */
#define CTL_IDLE_US 100
/* ... unless it did some in the last CTL_AWAKE_US. */
#define CTL_AWAKE_US 2000

static struct vtep_runtime rt;
static volatile sig_atomic_t stats_wanted;
/* The SIGINT or SIGTERM that asked vtepd to stop, 0 while none has. */
static volatile sig_atomic_t quit_signal;

static void
on_quit(int sig)
{
	quit_signal = sig;
	rt.quit = true;
}

static void
on_usr1(int sig __rte_unused)
{
	stats_wanted = 1;
}

/*
 * The handlers come first, before EAL starts anything: a SIGINT or SIGTERM during start-up is
 * then a request to stop, not a death by signal that leaves EAL's runtime directory and the
 * vdevs' files behind. Unblocked too, in case the parent had them blocked.
 */
static void
catch_signals(void)
{
	struct sigaction sa = {.sa_flags = SA_RESTART};
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* A stop asked for before the runtime was built: nothing half-started is left, status 0. */
static int
stopped_in_startup(void)
{
	fprintf(stderr, "vtepd: %s during start-up: stopped, nothing started\n",
			strsignal(quit_signal));
	return 0;
}

/* Every device the configuration names must be one the EAL arguments create. */
static int
check_devs(const struct vtepd_eal *eal, const struct vtep_conf *conf)
{
	char err[VTEP_CONF_ERR_SIZE], what[32];

	if (vtepd_eal_check_dev(eal, "dev", conf->dev, err, sizeof(err)) != 0)
		goto fail;
	for (unsigned int a = 0; a < conf->nb_atts; a++) {
		snprintf(what, sizeof(what), "id %u: %s", conf->atts[a].vni,
				conf->atts[a].inner ? "inner" : "port");
		if (vtepd_eal_check_dev(eal, what, conf->atts[a].port, err, sizeof(err)) != 0)
			goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "vtepd: %s\n", err);
	return -ENODEV;
}

/* The teardown's watchdog (teardown_watch) and what it knows. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool done;     /* the teardown finished */
	bool reported; /* the report is printed */
} td = {.lock = PTHREAD_MUTEX_INITIALIZER};

/*
 * A port may not close: virtio-user waits for its vhost-user backend's answer, and a backend that
 * is stopped (SIGSTOP, a VM paused) never gives one. Rather than hang forever on SIGTERM, vtepd
 * prints its report (if not yet done) and exits after TEARDOWN_S, with status 1 and the ports
 * left as they are (the process exit releases them).
 */
static void *
teardown_watch(void *arg __rte_unused)
{
	struct timespec deadline;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += TEARDOWN_S;
	pthread_mutex_lock(&td.lock);
	while (!td.done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&td.cond, &td.lock, &deadline);
	if (!td.done) {
		fprintf(stderr,
				"vtepd: teardown stuck for %d s: exiting without it (a port that "
				"does not close? a stopped vhost-user backend?)\n",
				TEARDOWN_S);
		if (!td.reported)
			vtep_report_print(&rt, stdout);
		fflush(NULL);
		_exit(EXIT_START);
	}
	pthread_mutex_unlock(&td.lock);
	return NULL;
}

static void
teardown_begin(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&td.cond, &ca);
	if (pthread_create(&td.thread, NULL, teardown_watch, NULL) != 0)
		fprintf(stderr, "vtepd: no teardown watchdog: %s\n", strerror(errno));
}

static void
teardown_end(void)
{
	pthread_mutex_lock(&td.lock);
	td.done = true;
	pthread_cond_signal(&td.cond);
	pthread_mutex_unlock(&td.lock);
	pthread_join(td.thread, NULL);
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
	static struct vtepd_eal eal;
	char err[VTEP_CONF_ERR_SIZE];
	struct vtep_ctl *ctl;
	int n, rc;

	catch_signals();
	/* The words after `--` are ours: check them before EAL starts anything (hugepage files,
	 * vdevs, the runtime directory), so a configuration error leaves nothing behind; and the
	 * devices they name against those the EAL arguments create, for the same reason. */
	for (n = 1; n < argc && strcmp(argv[n], "--") != 0; n++)
		;
	if (parse_config(&conf, n < argc ? argc - n - 1 : 0, argv + n + 1) != 0)
		return EXIT_CONFIG;
	if (vtepd_eal_scan(&eal, n, argv, err, sizeof(err)) != 0) {
		fprintf(stderr, "vtepd: %s\n", err);
		return EXIT_CONFIG;
	}
	if (check_devs(&eal, &conf) != 0)
		return EXIT_CONFIG;
	if (quit_signal != 0)
		return stopped_in_startup();
	if (rte_eal_init(n, argv) < 0) {
		fprintf(stderr, "vtepd: EAL initialisation failed%s%s (see EAL's messages above)\n",
				rte_errno != 0 ? ": " : "",
				rte_errno != 0 ? rte_strerror(rte_errno) : "");
		vtepd_eal_undo_failed(&eal);
		return EXIT_START;
	}
	if (quit_signal != 0) {
		vtepd_eal_undo(&eal);
		return stopped_in_startup();
	}
	rc = vtep_runtime_create(&rt, &conf, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "vtepd: %s\n", err);
		if (rc == -ENODEV)
			fprintf(stderr,
					"vtepd: the EAL arguments name it, but EAL made no port of "
					"it: see EAL's messages above\n");
		vtepd_eal_undo(&eal);
		return rc == -ENODEV || rc == -EINVAL ? EXIT_CONFIG : EXIT_START;
	}
	/* Built: from here a stop is the usual one, counters and all (vtep_runtime_create cleared
	 * a quit a signal set while it ran). */
	if (quit_signal != 0)
		rt.quit = true;
	ctl = vtep_ctl_create(&rt);
	if (ctl == NULL) {
		fprintf(stderr, "vtepd: control plane: %s\n", rte_strerror(rte_errno));
		vtep_runtime_free(&rt);
		vtepd_eal_undo(&eal);
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
	for (unsigned int w = 0; w < rt.nb_workers; w++)
		rte_eal_remote_launch(vtep_fwd_main, rt.workers[w], rt.workers[w]->lcore_id);
	printf("vtepd: running, %u worker(s)\n", rt.nb_workers);
	fflush(stdout);
	control_loop(ctl);
	/* From here every step may wait on something outside vtepd (a worker in a PMD call, a
	 * port's close): the watchdog bounds the whole teardown. */
	teardown_begin();
	/* No telemetry command may wait on the control lcore once it stops polling. */
	vtep_tele_stop();
	rte_eal_mp_wait_lcore();
	/* Workers are gone: the control lcore finishes what they left in the rings. */
	vtep_ctl_shutdown(ctl);
	vtep_ctl_free(ctl);
	rte_pdump_uninit();
	/* The ports hand back what their rings hold: the report's mempool.in_use_after is then
	 * 0 unless an mbuf leaked. */
	vtep_runtime_close_ports(&rt);
	pthread_mutex_lock(&td.lock);
	vtep_report_print(&rt, stdout);
	td.reported = true;
	pthread_mutex_unlock(&td.lock);
	vtep_runtime_free(&rt);
	rte_eal_cleanup();
	teardown_end();
	return 0;
}
