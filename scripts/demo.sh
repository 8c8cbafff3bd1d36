#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The seed scenario as a demo (README's first command): two hosts running the Linux kernel's
# vxlan exactly as the seed configures it, and vtepd as the third VTEP, on one L2 segment (a
# bridge with IGMP snooping) in network namespaces. Shows pings across the overlay, both FDBs and
# vtepd's counters, then removes everything it made. Run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
	echo "demo.sh: run as root (packages, network namespaces, DPDK)" >&2
	exit 2
fi
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Installing what is missing and building (meson, ninja, DPDK 22.11 from Debian)"
scripts/setup.sh
[[ -f build/build.ninja ]] || meson setup build >/dev/null
ninja -C build >/dev/null

export VTEPD=$PWD/build/app/vtepd/vtepd E2E_KEEP_LOGS=0
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh
trap topo_down EXIT INT TERM

say "Underlay: switch br0 (IGMP snooping) with h1 172.16.91.128, h2 172.16.91.129, h3 172.16.91.130"
topo_up
for h in "$E2E_NS_H1" "$E2E_NS_H3"; do
	echo "$h: ip link add vxlan0 type vxlan id 42 dstport 4789 group 239.1.1.1 dev eth0"
done

say "h2: vtepd owns eth0 (net_af_packet), its inner port is the tap vtep0 (10.0.0.2/24)"
# shellcheck disable=SC2054 # "-l 0,1" is one EAL argument
args=(-l 0,1 --no-huge -m 512 --no-pci --file-prefix=vtepd_demo --log-level=lib.eal:warning
	--vdev=net_af_packet0,iface=eth0 --vdev=net_tap0,iface=vtep0 --
	dev net_af_packet0 local 172.16.91.129/24 id 42 dstport 4789 group 239.1.1.1 inner net_tap0)
echo "vtepd ${args[*]}"
vtepd_start "${args[@]}"
wait_for "ns_exec $E2E_NS_H2 ip link show vtep0" 20
ns_exec "$E2E_NS_H2" ip addr add 10.0.0.2/24 dev vtep0
ns_exec "$E2E_NS_H2" ip link set vtep0 up
ns_exec "$E2E_NS_H2" ip -br link show vtep0

say "h1 (kernel) -> 10.0.0.2 (vtepd)"
ns_exec "$E2E_NS_H1" ping -c 3 -i 0.3 10.0.0.2
say "h2 (vtepd) -> 10.0.0.3 (kernel)"
ns_exec "$E2E_NS_H2" ping -c 3 -i 0.3 10.0.0.3
say "h3 (kernel) -> 10.0.0.1 (kernel), through the same segment"
ns_exec "$E2E_NS_H3" ping -c 2 -i 0.3 10.0.0.1

say "h1's FDB (bridge fdb show dev vxlan0): vtepd's inner MAC is behind 172.16.91.129"
ns_exec "$E2E_NS_H1" bridge fdb show dev vxlan0
say "vtepd's FDB and counters (kill -USR1)"
kill -USR1 "$E2E_VTEPD_PID"
sleep 0.5
grep -E '^fdb ' "$E2E_VTEPD_LOG" | sort -u
grep -E '^counter ' "$E2E_VTEPD_LOG" | awk '$3 != 0' | grep -vE 'cycles|tsc_hz|mempool|memory' |
	sort -u -k2,2
say "The switch's multicast table: h2's port joined 239.1.1.1 through vtepd's IGMP report"
ns_exec "$E2E_NS_SW" bridge mdb show dev br0

say "Done: stopping vtepd and removing the namespaces"
