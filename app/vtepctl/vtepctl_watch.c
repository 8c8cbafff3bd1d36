/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The verbs that watch traffic and changes: `capture` (packet capture to pcapng, written by vtepd
 * itself) and `monitor fdb` (FDB events followed live, like `bridge monitor fdb`).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vtepctl.h"

/* Events per /vtep/fdb_events answer (MON_PAGE in lib/mgmt/tele). */
#define EVENTS_PAGE 64
/* How often monitor asks for new events, in ms. */
#define MONITOR_POLL_MS 100

static int
check_count(const char *what, const char *s)
{
	char *end;

	errno = 0;
	if (s == NULL || !isdigit((unsigned char)*s) || (strtoull(s, &end, 10), *end != '\0') ||
			errno != 0)
		return bad(what, s);
	return 0;
}

/* FILE as vtepd will open it: absolute (vtepd's working directory is not ours). */
static int
capture_path(const char *file, char *path, size_t size)
{
	char cwd[PATH_MAX];

	if (file == NULL || *file == '\0')
		return bad("capture start needs a file", file);
	if (strchr(file, ',') != NULL || strchr(file, '=') != NULL)
		return bad("file name must not contain ',' or '='", file);
	if (file[0] == '/') {
		snprintf(path, size, "%s", file);
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return bad("cannot find the current directory for", file);
		if ((size_t)snprintf(path, size, "%s/%s", cwd, file) >= size)
			return bad("file name too long", file);
	}
	return 0;
}

/* The words after `capture start FILE` into a telemetry parameter list. */
static int
capture_words(int argc, char **argv, char *cmd, size_t size)
{
	size_t len = strlen(cmd);

	for (int i = 0; i < argc; i += 2) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			return bad("missing value after", w);
		if (strcmp(w, "dev") == 0) {
			if (strcmp(v, "underlay") != 0 && strcmp(v, "inner") != 0 &&
					strcmp(v, "any") != 0)
				return bad("dev must be underlay, inner or any, not", v);
		} else if (strcmp(w, "vni") == 0) {
			if (check_vni(v) != 0)
				return -1;
		} else if (strcmp(w, "count") == 0 || strcmp(w, "snaplen") == 0) {
			if (check_count(w[0] == 'c' ? "invalid count" : "invalid snaplen", v) != 0)
				return -1;
		} else {
			return bad("unknown word", w);
		}
		len += snprintf(cmd + len, size - len, ",%s=%s", w, v);
		if (len >= size)
			return bad("command too long at", w);
	}
	return 0;
}

static void
capture_print(const struct jnode *v)
{
	if (json_out) {
		json_print(v, stdout);
		putchar('\n');
		return;
	}
	printf("capture %s file %s dev %s", jstr(v, "state"), jstr(v, "file"), jstr(v, "dev"));
	if (strcmp(jstr(v, "vni"), "0") != 0)
		printf(" vni %s", jstr(v, "vni"));
	if (strcmp(jstr(v, "count"), "0") != 0)
		printf(" count %s", jstr(v, "count"));
	if (strcmp(jstr(v, "snaplen"), "0") != 0)
		printf(" snaplen %s", jstr(v, "snaplen"));
	printf(" written %s lost %llu", jstr(v, "written"),
			strtoull(jstr(v, "ring_full"), NULL, 10) +
					strtoull(jstr(v, "nombuf"), NULL, 10) +
					strtoull(jstr(v, "write_errors"), NULL, 10));
	if (show_stats)
		printf(" copied %s ring_full %s nombuf %s write_errors %s", jstr(v, "copied"),
				jstr(v, "ring_full"), jstr(v, "nombuf"), jstr(v, "write_errors"));
	putchar('\n');
}

int
capture(int argc, char **argv)
{
	const char *verb = argc > 0 ? argv[0] : "show";
	char cmd[PATH_MAX + 128], path[PATH_MAX];
	const struct jnode *v;

	if (strcmp(verb, "start") == 0) {
		if (capture_path(argc > 1 ? argv[1] : NULL, path, sizeof(path)) != 0)
			return EXIT_USAGE;
		snprintf(cmd, sizeof(cmd), "/vtep/capture_start,file=%s", path);
		if (capture_words(argc - 2, argv + 2, cmd, sizeof(cmd)) != 0)
			return EXIT_USAGE;
	} else if (strcmp(verb, "stop") == 0 && argc == 1) {
		snprintf(cmd, sizeof(cmd), "/vtep/capture_stop");
	} else if (strncmp("show", verb, strlen(verb)) == 0 && *verb != '\0' && argc <= 1) {
		snprintf(cmd, sizeof(cmd), "/vtep/capture");
	} else {
		bad("unknown capture command", verb);
		return EXIT_USAGE;
	}
	if (connect_vtepd() != 0 || (v = request(cmd)) == NULL)
		return EXIT_FAIL;
	/* Start says nothing unless asked, as iproute2 does; stop and show print the state. */
	if (strcmp(verb, "start") != 0 || json_out)
		capture_print(v);
	return 0;
}

/* One event, in `bridge monitor fdb` words. */
static void
event_print(const struct jnode *e)
{
	const char *ev = jstr(e, "event");
	bool gone = strcmp(ev, "deleted") == 0 || strcmp(ev, "flushed") == 0 ||
			strcmp(ev, "aged") == 0 || strcmp(ev, "flood_del") == 0;

	if (json_out) {
		json_print(e, stdout);
		putchar('\n');
		return;
	}
	if (show_stats)
		printf("[%s %s] ", jstr(e, "seq"), ev);
	/* movedamp has no `bridge monitor` word: the entry stays, held there or released. */
	if (strcmp(ev, "frozen") == 0)
		printf("Frozen ");
	else if (strcmp(ev, "unfrozen") == 0)
		printf("Unfrozen ");
	if (*jstr(e, "dev") != '\0')
		printf("%s%s dev %s%s%s vni %s master%s\n", gone ? "Deleted " : "", jstr(e, "mac"),
				jstr(e, "dev"), *jstr(e, "vlan") != '\0' ? " vlan " : "",
				jstr(e, "vlan"), jstr(e, "vni"),
				strcmp(jstr(e, "state"), "static") == 0 ? " static" : "");
	else
		printf("%s%s dst %s vni %s self%s\n", gone ? "Deleted " : "", jstr(e, "mac"),
				jstr(e, "dst"), jstr(e, "vni"),
				strcmp(jstr(e, "state"), "static") == 0 ? " permanent" : "");
}

static void
missed_print(unsigned long long n)
{
	if (json_out)
		printf("{\"missed\":%llu}\n", n);
	else
		printf("missed %llu events: vtepctl fell behind vtepd's log\n", n);
}

/* Ask for the events after *last and print them, at most max (0: all). @return events printed,
 * or -1. */
static long
monitor_poll(unsigned long long *last, unsigned long long max)
{
	const struct jnode *v, *evs;
	unsigned long long missed;
	char cmd[64];
	long n = 0;

	snprintf(cmd, sizeof(cmd), "/vtep/fdb_events,after=%llu", *last);
	v = request(cmd);
	if (v == NULL)
		return -1;
	missed = strtoull(jstr(v, "missed"), NULL, 10);
	if (missed != 0)
		missed_print(missed);
	evs = jget(v, "events");
	for (const struct jnode *e = evs != NULL ? evs->kids : NULL;
			e != NULL && (max == 0 || (unsigned long long)n < max); e = e->next, n++) {
		event_print(e);
		*last = strtoull(jstr(e, "seq"), NULL, 10);
	}
	if (n == 0 && missed != 0)
		*last = strtoull(jstr(v, "next"), NULL, 10) - 1;
	fflush(stdout);
	return n;
}

int
monitor(int argc, char **argv)
{
	const struct timespec pause = {0, MONITOR_POLL_MS * 1000000L};
	unsigned long long last, limit = 0, seen = 0;
	const struct jnode *v;
	int i = 0;
	long n;

	if (argc > 0 && strcmp(argv[0], "fdb") == 0)
		i++;
	if (i + 1 < argc && strcmp(argv[i], "count") == 0 &&
			check_count("invalid count", argv[i + 1]) == 0) {
		limit = strtoull(argv[i + 1], NULL, 10);
		i += 2;
	}
	if (i != argc) {
		bad("monitor takes [fdb] [count N], not", argv[i]);
		return EXIT_USAGE;
	}
	if (connect_vtepd() != 0 || (v = request("/vtep/fdb_events")) == NULL)
		return EXIT_FAIL;
	/* Like `bridge monitor`: changes from now on. */
	last = strtoull(jstr(v, "next"), NULL, 10) - 1;
	while (limit == 0 || seen < limit) {
		n = monitor_poll(&last, limit == 0 ? 0 : limit - seen);
		if (n < 0)
			return EXIT_FAIL;
		seen += n;
		if (n < EVENTS_PAGE)
			nanosleep(&pause, NULL);
	}
	return 0;
}
