/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepctl: look at and change a running vtepd through DPDK's telemetry socket, with the words of
 * iproute2's `bridge fdb`, `ip neigh` and `ip -s link` (docs/vtepctl.md). No EAL: the socket is
 * a SOCK_SEQPACKET unix socket in vtepd's runtime directory; the server sends a JSON greeting,
 * then answers each command string ("/vtep/fdb,vni=42") with one JSON object.
 *
 * Exit status: 0 done, 1 vtepd unreachable or it refused the request (entry not found, ...),
 * 2 bad command line (checked here, before anything is sent).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtep_telc.h"
#include "vtepctl.h"

/* Entries per /vtep/fdb answer (VTEP_TELE_FDB_PAGE in lib/mgmt/tele). */
#define FDB_PAGE 128
/* Remotes per /vtep/remotes answer (VTEP_TELE_REMOTES_PAGE in lib/mgmt/tele). */
#define REMOTES_PAGE 48
/* Attachments per /vtep/links answer (VTEP_TELE_LINKS_PAGE). */
#define LINKS_PAGE 32
#define VNI_MAX 0xffffffu

/* ---- the telemetry socket ------------------------------------------------------------------ */

const char *file_prefix = "rte";
bool json_out, show_stats;
static struct vtep_telc tc = {.fd = -1};
static struct jnode *last_root; /* the last answer, freed by the next request and at exit */

int
connect_vtepd(void)
{
	char path[128];
	int rc = vtep_telc_connect(&tc, file_prefix);

	if (rc == 0)
		return 0;
	vtep_telc_path(file_prefix, path, sizeof(path));
	if (rc == -EPROTO)
		fprintf(stderr, "vtepctl: no greeting on %s\n", path);
	else
		fprintf(stderr, "vtepctl: vtepd is not running (file-prefix '%s'): %s: %s\n",
				file_prefix, path, strerror(-rc));
	return -1;
}

/*
 * Send one command and parse its answer. @return the value under the command's name, or NULL
 * after printing why (vtepd's "error", an unknown command, a broken reply).
 */
struct jnode *
request(const char *cmd)
{
	struct jnode *root, *val;
	const char *reply;
	char name[64];
	ssize_t n;

	n = vtep_telc_request(&tc, cmd);
	if (n < 0) {
		fprintf(stderr, "vtepctl: lost the connection to vtepd: %s\n", strerror((int)-n));
		return NULL;
	}
	reply = tc.reply;
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(cmd, ","), cmd);
	json_free(last_root);
	last_root = root = json_parse(reply);
	val = root != NULL && root->type == J_OBJ && root->kids != NULL ? root->kids : NULL;
	if (val == NULL || strcmp(val->key, name) != 0) {
		fprintf(stderr, "vtepctl: unexpected reply to %s: %.200s\n", name, reply);
		return NULL;
	}
	if (val->type == J_NULL) {
		fprintf(stderr, "vtepctl: %s failed (not a vtepd, or an older one?)\n", name);
		return NULL;
	}
	if (jget(val, "error") != NULL) {
		fprintf(stderr, "vtepctl: %s\n", jstr(val, "error"));
		return NULL;
	}
	return val;
}

/* ---- words --------------------------------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
			"usage: vtepctl [--file-prefix P] [-j] [-s] OBJECT COMMAND\n"
			"  fdb show [vni N] [mac MAC] [dst IP] [static | learned | flood] [older "
			"S]\n"
			"  fdb { add | append | replace } MAC dst IP vni N\n"
			"  fdb { add | replace | del } MAC dev PORT [vlan V] [vni N]\n"
			"  fdb del MAC [dst IP] vni N\n"
			"  fdb flush [vni N] [dst IP] | fdb flush dev PORT [vlan V]\n"
			"  link show           (-s: rx/tx packets, bytes and drops per "
			"attachment)\n"
			"  link set dev PORT up|down\n"
			"  neigh show\n"
			"  remote show          (-s: rx/tx packets and bytes per remote VTEP)\n"
			"  vni show\n"
			"  vni set N { learning | nolearning | ageing SECONDS }\n"
			"  stats                (-s: every counter, per lcore too)\n"
			"  igmp show\n"
			"  capture start FILE [dev underlay|inner|any] [vni N] [count N] [snaplen "
			"N]\n"
			"  capture { stop | show }\n"
			"  monitor [fdb]        (FDB events as they happen, until Ctrl-C)\n"
			"  flannel show [socket PATH]   (vtep-flannel: lease, etcd, peers)\n"
			"  call /vtep/CMD[,PARAMS]   (raw telemetry command, JSON answer)\n");
}

int
bad(const char *what, const char *value)
{
	fprintf(stderr, "vtepctl: %s '%s'\n", what, value != NULL ? value : "(missing)");
	return -1;
}

static int
check_mac(const char *s, bool zero_ok)
{
	unsigned int b[6];
	char end;

	if (s == NULL ||
			sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
					&b[5], &end) != 6 ||
			strlen(s) != 17)
		return bad("invalid MAC address", s);
	if (b[0] & 1)
		return bad("MAC address must be unicast", s);
	if (!zero_ok && (b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) == 0)
		return bad("MAC address must not be all-zero", s);
	return 0;
}

static int
check_ip(const char *s)
{
	struct in_addr in;

	if (s == NULL || inet_pton(AF_INET, s, &in) != 1 || in.s_addr == 0)
		return bad("invalid IPv4 address", s);
	return 0;
}

int
check_vni(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (s == NULL || !isdigit((unsigned char)*s))
		return bad("invalid VNI", s);
	v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > VNI_MAX)
		return bad("VNI out of range 0..16777215", s);
	return 0;
}

/* Words of `fdb ...` after the verb: MAC, dst IP, dev PORT, vlan V, vni N (and iproute2's
 * no-op flags). */
struct fdb_words {
	const char *mac, *dst, *vni, *dev, *vlan;
};

static int
check_vlan(const char *s)
{
	char *end;
	unsigned long v;

	if (s != NULL && strcmp(s, "untagged") == 0)
		return 0;
	if (s == NULL || !isdigit((unsigned char)*s))
		return bad("invalid VLAN id", s);
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v < 1 || v > 4094)
		return bad("VLAN id out of range 1..4094", s);
	return 0;
}

static int
fdb_words(int argc, char **argv, struct fdb_words *w, bool want_mac)
{
	int i = 0;

	if (want_mac && argc > 0 && strcmp(argv[0], "dst") != 0 && strcmp(argv[0], "vni") != 0)
		w->mac = argv[i++];
	for (; i < argc; i++) {
		const char **slot = strcmp(argv[i], "dst") == 0 ? &w->dst
				: strcmp(argv[i], "vni") == 0   ? &w->vni
				: strcmp(argv[i], "mac") == 0   ? &w->mac
				: strcmp(argv[i], "dev") == 0   ? &w->dev
				: strcmp(argv[i], "vlan") == 0  ? &w->vlan
								: NULL;

		if (slot != NULL) {
			if (++i >= argc)
				return bad("missing value after", argv[i - 1]);
			*slot = argv[i];
		} else if (strcmp(argv[i], "self") != 0 && strcmp(argv[i], "permanent") != 0 &&
				strcmp(argv[i], "static") != 0 && strcmp(argv[i], "master") != 0) {
			return bad("unknown word", argv[i]);
		}
	}
	if ((w->mac != NULL && check_mac(w->mac, true) != 0) ||
			(w->dst != NULL && check_ip(w->dst) != 0) ||
			(w->vni != NULL && check_vni(w->vni) != 0) ||
			(w->vlan != NULL && check_vlan(w->vlan) != 0))
		return -1;
	if (w->dev != NULL &&
			(*w->dev == '\0' || strchr(w->dev, ',') != NULL ||
					strchr(w->dev, '=') != NULL))
		return bad("invalid device name", w->dev);
	if (w->vlan != NULL && w->dev == NULL)
		return bad("vlan needs dev, at", w->vlan);
	return 0;
}

/* The ",dev=P[,vlan=V]" parameters of w into buf (empty without dev). */
static const char *
dev_params(const struct fdb_words *w, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s", w->dev ? ",dev=" : "", w->dev ? w->dev : "",
			w->vlan ? ",vlan=" : "", w->vlan ? w->vlan : "");
	return buf;
}

/*
 * Ask cmd,start=N[filters] answer after answer until one holds fewer than page entries (an entry
 * of kind "unlearned" is extra, not part of a page), and print each entry with line(), or all of
 * them as one JSON array with -j.
 */
static int
show_pages(const char *cmd, const char *filters, unsigned int page,
		void (*line)(const struct jnode *e))
{
	unsigned int start = 0, got;
	bool first = true;
	char req[256];

	if (connect_vtepd() != 0)
		return EXIT_FAIL;
	if (json_out)
		putchar('[');
	do {
		const struct jnode *v;

		snprintf(req, sizeof(req), "%s,start=%u%s", cmd, start, filters);
		v = request(req);
		if (v == NULL)
			return EXIT_FAIL;
		got = 0;
		for (const struct jnode *e = v->kids; e != NULL; e = e->next) {
			got += strcmp(jstr(e, "kind"), "unlearned") != 0;
			if (json_out) {
				if (!first)
					putchar(',');
				json_print(e, stdout);
			} else {
				line(e);
			}
			first = false;
		}
		start += got;
	} while (got == page);
	if (json_out)
		puts("]");
	return 0;
}

/* One FDB entry as `bridge fdb show` prints it: `MAC dst IP vni N self [permanent]` for a
 * remote VTEP, `MAC dev PORT [vlan V] vni N master [static]` for a local attachment; `sticky`
 * (the kernel's word for a MAC that may not move) after a MAC frozen by movedamp. */
static void
fdb_line(const struct jnode *e)
{
	bool learned = strcmp(jstr(e, "state"), "learned") == 0;

	if (*jstr(e, "dev") != '\0')
		printf("%s dev %s%s%s vni %s master%s", jstr(e, "mac"), jstr(e, "dev"),
				*jstr(e, "vlan") != '\0' ? " vlan " : "", jstr(e, "vlan"),
				jstr(e, "vni"), learned ? "" : " static");
	else
		printf("%s dst %s vni %s self%s", jstr(e, "mac"), jstr(e, "dst"), jstr(e, "vni"),
				learned ? "" : " permanent");
	if (strcmp(jstr(e, "frozen"), "1") == 0)
		fputs(" sticky", stdout);
	if (learned && show_stats)
		printf(" used %s", jstr(e, "age"));
	putchar('\n');
}

static int
fdb_show(int argc, char **argv)
{
	struct fdb_words w = {0};
	const char *state = NULL, *older = NULL;
	char filters[320], devp[160], *rest[16];
	int nb = 0;
	char *end;

	/* Show-only filters first: a state (static, learned or dynamic as iproute2 says, flood)
	 * and `older SECONDS`; the rest are the words every fdb verb takes. */
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "static") == 0 || strcmp(argv[i], "permanent") == 0)
			state = "static";
		else if (strcmp(argv[i], "learned") == 0 || strcmp(argv[i], "dynamic") == 0)
			state = "learned";
		else if (strcmp(argv[i], "flood") == 0)
			state = "flood";
		else if (strcmp(argv[i], "older") == 0 && i + 1 < argc &&
				isdigit((unsigned char)argv[i + 1][0]) &&
				(strtoul(argv[i + 1], &end, 10), *end == '\0'))
			older = argv[++i];
		else if (strcmp(argv[i], "older") == 0)
			return bad("older needs seconds, not", i + 1 < argc ? argv[i + 1] : NULL),
			       EXIT_USAGE;
		else if (nb < (int)(sizeof(rest) / sizeof(rest[0])))
			rest[nb++] = argv[i];
		else
			return bad("too many words at", argv[i]), EXIT_USAGE;
	}
	if (fdb_words(nb, rest, &w, false) != 0)
		return EXIT_USAGE;
	snprintf(filters, sizeof(filters), "%s%s%s%s%s%s%s%s%s%s%s", w.vni ? ",vni=" : "",
			w.vni ? w.vni : "", w.mac ? ",mac=" : "", w.mac ? w.mac : "",
			w.dst ? ",dst=" : "", w.dst ? w.dst : "", state ? ",state=" : "",
			state ? state : "", older ? ",older=" : "", older ? older : "",
			dev_params(&w, devp, sizeof(devp)));
	return show_pages("/vtep/fdb", filters, FDB_PAGE, fdb_line);
}

/* One remote VTEP: `IP STATE [lladdr MAC] fdb N`, with -s its traffic on a second line. */
static void
remote_line(const struct jnode *e)
{
	bool none = strcmp(jstr(e, "kind"), "unlearned") == 0;

	if (none && !show_stats)
		return;
	if (none)
		printf("unlearned (inner source MAC not learned at its sender yet)\n");
	else
		printf("%s %s%s%s fdb %s\n", jstr(e, "ip"), jstr(e, "kind"),
				*jstr(e, "mac") != '\0' ? " lladdr " : "", jstr(e, "mac"),
				jstr(e, "fdb"));
	if (show_stats)
		printf("    RX: packets %s bytes %s  TX: packets %s bytes %s\n", jstr(e, "rx_pkts"),
				jstr(e, "rx_bytes"), jstr(e, "tx_pkts"), jstr(e, "tx_bytes"));
}

static int
fdb_change(const char *verb, int argc, char **argv)
{
	struct fdb_words w = {0};
	const struct jnode *v;
	bool del = strcmp(verb, "del") == 0, flush = strcmp(verb, "flush") == 0;
	char cmd[384], devp[160];
	int len;

	if (fdb_words(argc, argv, &w, !flush) != 0)
		return EXIT_USAGE;
	if (w.dev != NULL && w.dst != NULL) {
		fprintf(stderr, "vtepctl: fdb %s takes dev PORT or dst IP, not both\n", verb);
		return EXIT_USAGE;
	}
	if (!flush && w.dev == NULL &&
			(w.mac == NULL || w.vni == NULL || (w.dst == NULL && !del))) {
		fprintf(stderr, "vtepctl: fdb %s needs MAC%s vni N, or MAC dev PORT [vlan V]\n",
				verb, del ? " [dst IP]" : " dst IP");
		return EXIT_USAGE;
	}
	if (!flush && w.dev != NULL && w.mac == NULL) {
		fprintf(stderr, "vtepctl: fdb %s needs MAC dev PORT [vlan V] [vni N]\n", verb);
		return EXIT_USAGE;
	}
	if (flush && w.mac != NULL) {
		fprintf(stderr, "vtepctl: fdb flush takes [vni N] [dst IP]\n");
		return EXIT_USAGE;
	}
	len = snprintf(cmd, sizeof(cmd), "/vtep/fdb_%s", verb);
	if (w.mac != NULL)
		len += snprintf(cmd + len, sizeof(cmd) - len, ",mac=%s", w.mac);
	if (w.dst != NULL)
		len += snprintf(cmd + len, sizeof(cmd) - len, ",dst=%s", w.dst);
	if (w.vni != NULL)
		len += snprintf(cmd + len, sizeof(cmd) - len, ",vni=%s", w.vni);
	snprintf(cmd + len, sizeof(cmd) - len, "%s", dev_params(&w, devp, sizeof(devp)));
	if (connect_vtepd() != 0)
		return EXIT_FAIL;
	v = request(cmd);
	if (v == NULL)
		return EXIT_FAIL;
	if (json_out) {
		json_print(v, stdout);
		putchar('\n');
	} else if (flush && show_stats) {
		printf("flushed %s\n", jstr(v, "flushed"));
	}
	return 0;
}

static bool
is(const char *word, const char *full)
{
	/* iproute2 accepts prefixes: `fdb sh`, `neigh s`. */
	return word != NULL && *word != '\0' && strncmp(full, word, strlen(word)) == 0;
}

/* One attachment as `bridge link show` would: `PORT [vlan V] master VNI state up learned N`,
 * with -s its traffic on a second line. */
static void
link_line(const struct jnode *e)
{
	printf("%s%s%s master %s state %s", jstr(e, "dev"),
			*jstr(e, "vlan") != '\0' ? " vlan " : "", jstr(e, "vlan"), jstr(e, "vni"),
			jstr(e, "state"));
	if (strcmp(jstr(e, "admin"), "down") == 0)
		printf(" (set down)");
	else if (strcmp(jstr(e, "link"), "down") == 0)
		printf(" (no carrier)");
	printf(" learned %s maxaddress %s\n", jstr(e, "learned"), jstr(e, "maxaddress"));
	if (show_stats)
		printf("    RX: packets %s bytes %s  TX: packets %s bytes %s  drops %s\n",
				jstr(e, "rx_pkts"), jstr(e, "rx_bytes"), jstr(e, "tx_pkts"),
				jstr(e, "tx_bytes"), jstr(e, "drops"));
}

/* link show | link set dev PORT up|down. */
static int
link_cmd(const char *verb, int argc, char **argv)
{
	char cmd[160];

	if (is(verb, "show"))
		return show_pages("/vtep/links", "", LINKS_PAGE, link_line);
	if (strcmp(verb, "set") != 0 || argc != 3 || strcmp(argv[0], "dev") != 0 ||
			(strcmp(argv[2], "up") != 0 && strcmp(argv[2], "down") != 0)) {
		fprintf(stderr, "vtepctl: link set dev PORT up|down\n");
		return EXIT_USAGE;
	}
	if (strchr(argv[1], ',') != NULL || strchr(argv[1], '=') != NULL)
		return bad("invalid device name", argv[1]), EXIT_USAGE;
	snprintf(cmd, sizeof(cmd), "/vtep/link_set,dev=%s,admin=%s", argv[1], argv[2]);
	if (connect_vtepd() != 0 || request(cmd) == NULL)
		return EXIT_FAIL;
	return 0;
}

static int
neigh_show(void)
{
	const struct jnode *v;

	if (connect_vtepd() != 0 || (v = request("/vtep/neigh")) == NULL)
		return EXIT_FAIL;
	for (const struct jnode *e = v->kids; e != NULL && !json_out; e = e->next) {
		char state[32];

		snprintf(state, sizeof(state), "%s", jstr(e, "state"));
		for (char *c = state; *c != '\0'; c++)
			*c = toupper((unsigned char)*c);
		if (*jstr(e, "mac") != '\0')
			printf("%s lladdr %s %s\n", jstr(e, "ip"), jstr(e, "mac"), state);
		else
			printf("%s %s\n", jstr(e, "ip"), state);
	}
	if (json_out) {
		json_print(v, stdout);
		putchar('\n');
	}
	return 0;
}

static int
vni_show(void)
{
	const struct jnode *v;

	if (connect_vtepd() != 0 || (v = request("/vtep/vni")) == NULL)
		return EXIT_FAIL;
	for (const struct jnode *e = v->kids; e != NULL && !json_out; e = e->next) {
		printf("vni %s", jstr(e, "id"));
		if (*jstr(e, "group") != '\0')
			printf(" group %s", jstr(e, "group"));
		printf(" inner %s %s ageing %s maxaddress %s learned %s floods %s [%s]",
				jstr(e, "inner"),
				strcmp(jstr(e, "learning"), "on") == 0 ? "learning" : "nolearning",
				jstr(e, "ageing"), jstr(e, "maxaddress"), jstr(e, "learned"),
				jstr(e, "nb_floods"), jstr(e, "floods"));
		/* A bridge domain: its attachments (`link show` has them with their state). */
		if (strcmp(jstr(e, "nb_ports"), "1") != 0 && *jstr(e, "nb_ports") != '\0')
			printf(" ports %s [%s]", jstr(e, "nb_ports"), jstr(e, "ports"));
		/* The defences, in the words that set them (docs/options.md). */
		if (strcmp(jstr(e, "learnrate"), "0") != 0)
			printf(" learnrate %s burst %s", jstr(e, "learnrate"),
					jstr(e, "learnburst"));
		if (strcmp(jstr(e, "movedamp"), "off") == 0)
			printf(" nomovedamp");
		else
			printf(" movedamp %s", jstr(e, "movedamp"));
		if (*jstr(e, "allow") != '\0')
			printf(" allow %s", jstr(e, "allow"));
		putchar('\n');
	}
	if (json_out) {
		json_print(v, stdout);
		putchar('\n');
	}
	return 0;
}

static int
vni_set(int argc, char **argv)
{
	char cmd[128];
	char *end;

	if (argc < 2 || check_vni(argv[0]) != 0) {
		if (argc < 2)
			fprintf(stderr,
					"vtepctl: vni set N { learning | nolearning | ageing S "
					"}\n");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "learning") == 0 || strcmp(argv[1], "nolearning") == 0) {
		snprintf(cmd, sizeof(cmd), "/vtep/learning,vni=%s,learning=%s", argv[0],
				argv[1][0] == 'l' ? "on" : "off");
	} else if (strcmp(argv[1], "ageing") == 0 && argc > 2 &&
			isdigit((unsigned char)argv[2][0]) &&
			(strtoul(argv[2], &end, 10), *end == '\0')) {
		snprintf(cmd, sizeof(cmd), "/vtep/ageing,vni=%s,ageing=%s", argv[0], argv[2]);
	} else {
		bad("invalid vni setting", argv[1]);
		return EXIT_USAGE;
	}
	if (connect_vtepd() != 0 || request(cmd) == NULL)
		return EXIT_FAIL;
	return 0;
}

/* `name value` per counter: dict paths joined by dots, vni_42 -> vni.42, lcore_1 -> lcore.1. */
static void
print_counters(const struct jnode *n, const char *path)
{
	for (const struct jnode *k = n->kids; k != NULL; k = k->next) {
		char name[160], key[64];
		char *us;

		snprintf(key, sizeof(key), "%s", k->key);
		us = strchr(key, '_');
		if (us != NULL && (strncmp(key, "vni_", 4) == 0 || strncmp(key, "lcore_", 6) == 0))
			*us = '.';
		snprintf(name, sizeof(name), "%s%s%s", path, *path ? "." : "", key);
		if (k->type == J_OBJ) {
			if (show_stats || strncmp(key, "lcore.", 6) != 0)
				print_counters(k, name);
		} else if (show_stats || strncmp(name, "drop.", 5) != 0 ||
				strcmp(k->str, "0") != 0) {
			printf("%s %s\n", name, k->str != NULL ? k->str : "null");
		}
	}
}

static int
stats(void)
{
	const struct jnode *v;

	if (connect_vtepd() != 0 || (v = request("/vtep/stats")) == NULL)
		return EXIT_FAIL;
	if (json_out) {
		json_print(v, stdout);
		putchar('\n');
	} else {
		print_counters(v, "");
	}
	return 0;
}

static int
raw(const char *cmd)
{
	const struct jnode *v;

	if (cmd == NULL || cmd[0] != '/')
		return bad("telemetry command must start with /", cmd), EXIT_USAGE;
	if (connect_vtepd() != 0 || (v = request(cmd)) == NULL)
		return EXIT_FAIL;
	json_print(v, stdout);
	putchar('\n');
	return 0;
}

static int
run(int argc, char **argv)
{
	const char *obj = argv[0], *verb = argc > 1 ? argv[1] : "show";

	if (strcmp(obj, "stats") == 0)
		return stats();
	if (strcmp(obj, "call") == 0)
		return raw(argc > 1 ? argv[1] : NULL);
	if (is(obj, "fdb")) {
		if (is(verb, "show") || is(verb, "list"))
			return fdb_show(argc - 2, argv + 2);
		if (strcmp(verb, "add") == 0 || strcmp(verb, "append") == 0 ||
				strcmp(verb, "replace") == 0 || strcmp(verb, "del") == 0 ||
				strcmp(verb, "delete") == 0 || strcmp(verb, "flush") == 0)
			return fdb_change(strcmp(verb, "delete") == 0 ? "del" : verb, argc - 2,
					argv + 2);
	} else if (is(obj, "neighbor") && is(verb, "show")) {
		return neigh_show();
	} else if (is(obj, "remote") && is(verb, "show")) {
		return show_pages("/vtep/remotes", "", REMOTES_PAGE, remote_line);
	} else if (is(obj, "vni") && (is(verb, "show") || strcmp(verb, "set") == 0)) {
		return verb[0] == 's' && verb[1] == 'e' ? vni_set(argc - 2, argv + 2) : vni_show();
	} else if (is(obj, "link")) {
		return link_cmd(verb, argc - 2, argv + 2);
	} else if (is(obj, "igmp") && is(verb, "show")) {
		return raw("/vtep/igmp");
	} else if (is(obj, "capture")) {
		return capture(argc - 1, argv + 1);
	} else if (is(obj, "monitor")) {
		return monitor(argc - 1, argv + 1);
	} else if (is(obj, "flannel")) {
		return flannel(argc - 1, argv + 1);
	}
	fprintf(stderr, "vtepctl: unknown command '%s %s'\n", obj, argc > 1 ? argv[1] : "");
	usage(stderr);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	int i, rc;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "-json") == 0) {
			json_out = true;
		} else if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "-stats") == 0) {
			show_stats = true;
		} else if (strncmp(argv[i], "--file-prefix=", 14) == 0) {
			file_prefix = argv[i] + 14;
		} else if (strcmp(argv[i], "--file-prefix") == 0 && i + 1 < argc) {
			file_prefix = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "vtepctl: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i == argc || *file_prefix == '\0' || strchr(file_prefix, '/') != NULL) {
		usage(stderr);
		return EXIT_USAGE;
	}
	rc = run(argc - i, argv + i);
	vtep_telc_close(&tc);
	json_free(last_root);
	return rc;
}
