/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What vtepd reads in the EAL arguments before rte_eal_init, and what it undoes after it when it
 * refuses to start. Before: the device names the arguments create (--vdev names, PCI addresses
 * as the allow list, --no-pci and /sys/bus/pci/devices leave them), so that a configuration
 * naming another device is refused before EAL opens any device, creates its runtime directory
 * or lets a vdev create its output files. After: on a refusal once EAL is up (a device whose
 * probe failed, too few lcores, no memory), rte_eal_cleanup() and the removal of what EAL and
 * the vdevs created that was not there before (the runtime directory /var/run/dpdk/PREFIX, a
 * tx_pcap file, a vhost-user socket), so that a refused start leaves nothing behind.
 */
#ifndef VTEPD_EAL_H
#define VTEPD_EAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/** Most --vdev, -a and -b arguments vtepd keeps track of. */
#define VTEPD_EAL_MAX_DEVS 64
/** Most files named in --vdev arguments. */
#define VTEPD_EAL_MAX_FILES 64

/** What vtepd knows of its EAL arguments. */
struct vtepd_eal {
	unsigned int nb_vdevs;                     /**< --vdev arguments. */
	char vdevs[VTEPD_EAL_MAX_DEVS][64];        /**< Their device names (up to the comma). */
	unsigned int nb_allowed;                   /**< -a/--allow arguments. */
	char allowed[VTEPD_EAL_MAX_DEVS][16];      /**< Their PCI addresses, DDDD:BB:DD.F. */
	unsigned int nb_blocked;                   /**< -b/--block arguments. */
	char blocked[VTEPD_EAL_MAX_DEVS][16];      /**< Their PCI addresses, DDDD:BB:DD.F. */
	bool no_pci;                               /**< --no-pci. */
	char run_dir[PATH_MAX];                    /**< EAL's runtime directory for the prefix. */
	bool run_dir_existed;                      /**< It existed before rte_eal_init. */
	unsigned int nb_files;                     /**< Paths in --vdev arguments. */
	char files[VTEPD_EAL_MAX_FILES][PATH_MAX]; /**< key=PATH values (with a '/'). */
	bool file_existed[VTEPD_EAL_MAX_FILES];    /**< Each existed before rte_eal_init. */
};

/**
 * Read the EAL arguments (argv[0] is the program; no "--" among them) and note what exists now.
 * Call just before rte_eal_init.
 * @param err Message naming the argument on failure.
 * @return 0, or -EINVAL (too many devices or files to keep track of).
 */
int vtepd_eal_scan(struct vtepd_eal *e, int argc, char **argv, char *err, size_t err_size);

/**
 * Whether the EAL arguments create a device named name: a --vdev name, or a PCI address
 * (DDDD:BB:DD.F, optionally followed by '_' and more, as representor ports are named) of a
 * device under /sys/bus/pci/devices that --no-pci, the allow list and the block list leave.
 * @param what The option that names it, for the message ("dev", "id 42: inner").
 * @return 0, or -ENODEV with a message in err.
 */
int vtepd_eal_check_dev(const struct vtepd_eal *e, const char *what, const char *name, char *err,
		size_t err_size);

/**
 * After rte_eal_init succeeded, on a refusal: rte_eal_cleanup(), then remove the files named in
 * --vdev arguments and the runtime directory if they did not exist before rte_eal_init.
 */
void vtepd_eal_undo(const struct vtepd_eal *e);

/** After rte_eal_init failed: remove what it created that did not exist before (as undo). */
void vtepd_eal_undo_failed(const struct vtepd_eal *e);

#endif /* VTEPD_EAL_H */
