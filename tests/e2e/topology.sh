#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Bring the seed topology of the end-to-end tests up or down by hand, to experiment:
#
#   tests/e2e/topology.sh up       build ve-sw (br0), ve-h1, ve-h2, ve-h3 (see lib.sh)
#   tests/e2e/topology.sh status   namespaces, addresses, the switch's mdb, the kernel FDBs
#   tests/e2e/topology.sh down     delete all of it
#
# Then e.g.: ip netns exec ve-h1 ping 10.0.0.3
# The same environment variables as lib.sh apply (E2E_MCAST_* for the switch's timers).
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_require_root
# Keep no temporary log directory for a manual topology.
E2E_LOG_DIR=${E2E_LOG_DIR:-/tmp}

case "${1:-}" in
up)
	if ! topo_up; then
		e2e_log "topo_up failed; cleaning up"
		e2e_net_down
		exit 1
	fi
	e2e_log "up: ${E2E_NAMESPACES[*]}"
	;;
down)
	e2e_net_down
	e2e_log "down"
	;;
status)
	ip netns list | grep "^$E2E_NS_BASE-" || { e2e_log "no $E2E_NS_BASE- namespaces"; exit 0; }
	for ns in "$E2E_NS_H1" "$E2E_NS_H2" "$E2E_NS_H3"; do
		echo "== $ns"
		ip -n "$ns" -br addr 2>/dev/null || true
		ns_exec "$ns" bridge fdb show dev vxlan0 2>/dev/null || true
	done
	echo "== $E2E_NS_SW mdb"
	ns_exec "$E2E_NS_SW" bridge mdb show dev br0 || true
	;;
*)
	echo "usage: $0 up|down|status" >&2
	exit 2
	;;
esac
