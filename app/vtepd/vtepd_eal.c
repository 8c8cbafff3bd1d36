/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>

#include "vtepd_eal.h"

/* The value of option opt (long "--opt" or short "-o") at argv[*i]: "--opt=V", "--opt V", "-oV",
 * "-o V". NULL if argv[*i] is not that option; *i moves past a separate value. */
static const char *
opt_value(int argc, char **argv, int *i, const char *lopt, const char *sopt)
{
	const char *a = argv[*i];
	size_t n = strlen(lopt);

	if (strncmp(a, lopt, n) == 0 && a[n] == '=')
		return a + n + 1;
	if (strcmp(a, lopt) == 0 || (sopt != NULL && strcmp(a, sopt) == 0))
		return *i + 1 < argc ? argv[++*i] : NULL;
	if (sopt != NULL && strncmp(a, sopt, 2) == 0 && a[2] != '\0')
		return a + 2;
	return NULL;
}

/* A PCI address at the start of s (DDDD:BB:DD.F or BB:DD.F) in the form DPDK names ports:
 * DDDD:BB:DD.F. @return characters of s it took, 0 if none. */
static size_t
pci_addr(const char *s, char out[16])
{
	unsigned int d = 0, b, dev, f;
	int n = 0;

	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &d, &b, &dev, &f, &n) != 4 || n == 0) {
		d = 0;
		n = 0;
		if (sscanf(s, "%2x:%2x.%1x%n", &b, &dev, &f, &n) != 3 || n == 0)
			return 0;
	}
	if (dev > 0x1f || f > 7)
		return 0;
	snprintf(out, 16, "%04x:%02x:%02x.%x", d, b, dev, f);
	return (size_t)n;
}

static bool
listed(const char (*list)[16], unsigned int nb, const char *addr)
{
	for (unsigned int i = 0; i < nb; i++)
		if (strcmp(list[i], addr) == 0)
			return true;
	return false;
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The files a vdev's arguments name: every key=VALUE whose VALUE holds a '/'. */
static int
vdev_files(struct vtepd_eal *e, const char *args, char *err, size_t err_size)
{
	const char *p = strchr(args, ',');

	while (p != NULL) {
		const char *k = p + 1, *eq = strchr(k, '='), *end;
		size_t len;

		p = strchr(k, ',');
		end = p != NULL ? p : k + strlen(k);
		if (eq == NULL || eq > end || memchr(eq, '/', end - eq) == NULL)
			continue;
		if (e->nb_files == VTEPD_EAL_MAX_FILES) {
			snprintf(err, err_size, "more than %u files in --vdev arguments",
					VTEPD_EAL_MAX_FILES);
			return -EINVAL;
		}
		len = end - eq - 1;
		if (len >= PATH_MAX)
			len = PATH_MAX - 1;
		memcpy(e->files[e->nb_files], eq + 1, len);
		e->files[e->nb_files][len] = '\0';
		e->file_existed[e->nb_files] = exists(e->files[e->nb_files]);
		e->nb_files++;
	}
	return 0;
}

static int
add_pci(char (*list)[16], unsigned int *nb, const char *v, const char *opt, char *err,
		size_t err_size)
{
	if (*nb == VTEPD_EAL_MAX_DEVS) {
		snprintf(err, err_size, "more than %u %s arguments", VTEPD_EAL_MAX_DEVS, opt);
		return -EINVAL;
	}
	/* Not a PCI address (a bus:device form of another bus): it names no port of ours. */
	if (pci_addr(v, list[*nb]) != 0)
		(*nb)++;
	return 0;
}

/* EAL's runtime directory for prefix (eal_create_runtime_dir in DPDK 22.11). */
static void
run_dir(char *dir, size_t size, const char *prefix)
{
	const char *base = "/var/run";

	if (getuid() != 0)
		base = getenv("XDG_RUNTIME_DIR") != NULL ? getenv("XDG_RUNTIME_DIR") : "/tmp";
	snprintf(dir, size, "%s/dpdk/%s", base, prefix);
}

int
vtepd_eal_scan(struct vtepd_eal *e, int argc, char **argv, char *err, size_t err_size)
{
	const char *prefix = "rte", *v;
	int rc = 0;

	memset(e, 0, sizeof(*e));
	for (int i = 1; i < argc && rc == 0; i++) {
		if (strcmp(argv[i], "--no-pci") == 0) {
			e->no_pci = true;
		} else if ((v = opt_value(argc, argv, &i, "--vdev", NULL)) != NULL) {
			if (e->nb_vdevs == VTEPD_EAL_MAX_DEVS) {
				snprintf(err, err_size, "more than %u --vdev arguments",
						VTEPD_EAL_MAX_DEVS);
				return -EINVAL;
			}
			snprintf(e->vdevs[e->nb_vdevs], sizeof(e->vdevs[0]), "%.*s",
					(int)strcspn(v, ","), v);
			e->nb_vdevs++;
			rc = vdev_files(e, v, err, err_size);
		} else if ((v = opt_value(argc, argv, &i, "--allow", "-a")) != NULL) {
			rc = add_pci(e->allowed, &e->nb_allowed, v, "-a", err, err_size);
		} else if ((v = opt_value(argc, argv, &i, "--block", "-b")) != NULL) {
			rc = add_pci(e->blocked, &e->nb_blocked, v, "-b", err, err_size);
		} else if ((v = opt_value(argc, argv, &i, "--file-prefix", NULL)) != NULL) {
			prefix = v;
		}
	}
	run_dir(e->run_dir, sizeof(e->run_dir), prefix);
	e->run_dir_existed = exists(e->run_dir);
	return rc;
}

/* "net_pcap0, net_pcap1 and PCI devices": what the EAL arguments create, for a message. */
static void
created(const struct vtepd_eal *e, char *s, size_t size)
{
	size_t len = 0;

	s[0] = '\0';
	for (unsigned int i = 0; i < e->nb_vdevs && len < size; i++)
		len += snprintf(s + len, size - len, "%s%s", i > 0 ? ", " : "", e->vdevs[i]);
	if (len >= size)
		return;
	if (e->no_pci)
		snprintf(s + len, size - len, "%s",
				len == 0 ? "no device (--no-pci, no --vdev)" : "");
	else if (e->nb_allowed > 0)
		snprintf(s + len, size - len, "%sthe PCI devices of -a", len > 0 ? " and " : "");
	else
		snprintf(s + len, size - len, "%sPCI devices (DDDD:BB:DD.F)",
				len > 0 ? " and " : "");
}

int
vtepd_eal_check_dev(const struct vtepd_eal *e, const char *what, const char *name, char *err,
		size_t err_size)
{
	char addr[16], path[64], list[512];
	const char *why;
	size_t n;

	for (unsigned int i = 0; i < e->nb_vdevs; i++)
		if (strcmp(e->vdevs[i], name) == 0)
			return 0;
	n = pci_addr(name, addr);
	if (n != 0 && strncmp(name, addr, n) == 0 && (name[n] == '\0' || name[n] == '_')) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", addr);
		if (e->no_pci)
			why = "PCI is off (--no-pci)";
		else if (listed(e->blocked, e->nb_blocked, addr))
			why = "the PCI device is blocked (-b)";
		else if (e->nb_allowed > 0 && !listed(e->allowed, e->nb_allowed, addr))
			why = "the PCI device is not in the allow list (-a)";
		else if (!exists(path))
			why = "there is no such PCI device";
		else
			return 0;
		snprintf(err, err_size, "%s: no DPDK port named '%s': %s", what, name, why);
		return -ENODEV;
	}
	created(e, list, sizeof(list));
	snprintf(err, err_size, "%s: no DPDK port named '%s': the EAL arguments create %s", what,
			name, list);
	return -ENODEV;
}

static int
remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove what did not exist before rte_eal_init: the vdevs' files and the runtime directory. */
static void
remove_created(const struct vtepd_eal *e, const char *dir)
{
	for (unsigned int i = 0; i < e->nb_files; i++)
		if (!e->file_existed[i])
			unlink(e->files[i]);
	if (!e->run_dir_existed && strcmp(dir, e->run_dir) == 0)
		nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

void
vtepd_eal_undo(const struct vtepd_eal *e)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	/* Closes the devices (bus cleanup): a tx_pcap file is complete, a tap interface gone. */
	rte_eal_cleanup();
	remove_created(e, dir);
}

void
vtepd_eal_undo_failed(const struct vtepd_eal *e)
{
	remove_created(e, e->run_dir);
}
