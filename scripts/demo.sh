#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The seed scenario as a demo (the README's first command): two hosts running the Linux kernel's
# vxlan exactly as the seed configures it, and vtepd as the third VTEP, on one L2 segment (a
# bridge with IGMP snooping) in network namespaces. Shows pings across the overlay, the FDBs on
# both sides and vtepd's counters, then removes everything it made (also on failure or Ctrl-C).
# Run as root on Debian 12; under two minutes with the packages already installed.
#
#   sudo ./scripts/demo.sh        (VTEPD=path uses that vtepd binary instead of building build/)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
	echo "demo.sh: run as root (packages, network namespaces, DPDK)" >&2
	exit 2
fi
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { # NS CMD...: show the command as a prompt in namespace NS, then run it there
	local ns=$1
	shift
	printf '\033[2m%s#\033[0m %s\n' "${ns#ve-}" "$*"
	ip netns exec "$ns" "$@"
}

say "Installing what is missing (scripts/setup.sh: meson, ninja, DPDK 22.11 from Debian, tools)"
scripts/setup.sh
if [[ -z "${VTEPD:-}" ]]; then
	say "Building vtepd into build/ (meson + ninja)"
	[[ -f build/build.ninja ]] || meson setup build >/dev/null
	ninja -C build app/vtepd/vtepd | tail -n 1
	VTEPD=$PWD/build/app/vtepd/vtepd
fi
export VTEPD

# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh
E2E_LOG_DIR=$(mktemp -d /tmp/vtepd-demo.XXXXXX)
cleanup() {
	local rc=$?
	trap - EXIT
	if [[ $rc -eq 130 ]]; then
		echo "demo.sh: interrupted" >&2
	elif [[ $rc -ne 0 ]]; then
		echo "demo.sh: failed (status $rc); vtepd's log (last 30 lines):" >&2
		tail -n 30 "$E2E_LOG_DIR/vtepd.log" 2>/dev/null >&2 || true
	fi
	say "Cleaning up: stopping vtepd (by PID) and deleting the namespaces"
	e2e_net_down
	rm -rf "$E2E_LOG_DIR"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Underlay: switch ve-sw (br0, IGMP snooping + querier) with hosts on 172.16.91.0/24"
topo_up
cat <<EOF
   ve-h1: eth0 $E2E_H1_IP  kernel vxlan0 10.0.0.1/24
   ve-h2: eth0 $E2E_H2_IP  vtepd (eth0 via net_af_packet, no kernel IP), tap vtep0 10.0.0.2/24
   ve-h3: eth0 $E2E_H3_IP  kernel vxlan0 10.0.0.3/24
h1 and h3 run the seed's own command:
   ip link add vxlan0 type vxlan id 42 dstport 4789 group 239.1.1.1 dev eth0
EOF

say "h2: starting vtepd (logs in $E2E_LOG_DIR/vtepd.log)"
vtepd_seed_args
echo "vtepd ${E2E_VTEPD_ARGS[*]}"
vtepd_up
echo "then: ip addr add 10.0.0.2/24 dev vtep0; ip link set vtep0 up"
run "$E2E_NS_H2" ip -br link show vtep0
run "$E2E_NS_H2" ip -br addr show vtep0

say "Kernel -> vtepd: h1 pings 10.0.0.2 (first ARP flooded to 239.1.1.1, then unicast VXLAN)"
run "$E2E_NS_H1" ping -c 3 -i 0.3 -W 2 10.0.0.2
say "vtepd -> kernel: h2 pings 10.0.0.3 through vtep0"
run "$E2E_NS_H2" ping -c 3 -i 0.3 -W 2 10.0.0.3
say "A 1400-byte packet (inner MTU 1450), do not fragment"
run "$E2E_NS_H3" ping -c 2 -i 0.3 -W 2 -s 1372 -M "do" 10.0.0.2

say "Kernel side: h1's FDB; vtepd's inner MAC $(e2e_mac "$E2E_NS_H2" vtep0) is behind dst $E2E_H2_IP"
run "$E2E_NS_H1" bridge fdb show dev vxlan0
say "vtepd side: its FDB and its non-zero counters (kill -USR1 \$pid)"
vtepd_dump
grep '^fdb ' "$E2E_VTEPD_DUMP" || echo "(vtepd's FDB is empty)"
awk '$1 == "counter" && $3 != 0 && $2 !~ /cycles|tsc_hz|mempool|memory|^lcore\./' "$E2E_VTEPD_DUMP"

say "The switch's multicast table: h2's port (sw-h2) joined 239.1.1.1 by vtepd's IGMP report"
run "$E2E_NS_SW" bridge mdb show dev br0

say "Done: VXLAN works between vtepd and the Linux kernel. Tests: tests/e2e/README.md"
