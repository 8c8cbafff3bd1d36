#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# vtepd against Linux kernel vxlan peers, the seed scenario (issue 3), behind an IGMP-snooping
# switch with short timers. One PASS/FAIL line per check, "N passed, N failed" at the end.
#
#   tests/e2e/test_vtepd.sh          group flooding (the seed: group 239.1.1.1)
#   tests/e2e/test_vtepd.sh her      head-end replication lists instead of the group
set -uo pipefail
# Short snooping timers: a host that does not answer queries drops out after 8 s.
: "${E2E_MCAST_QUERY_INTERVAL:=300}"
: "${E2E_MCAST_QUERY_RESPONSE_INTERVAL:=100}"
: "${E2E_MCAST_MEMBERSHIP_INTERVAL:=800}"
: "${E2E_MCAST_STARTUP_QUERY_INTERVAL:=75}"
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

MODE=${1:-group}
H2_IP=172.16.91.129
PREFIX=e2e_vtepd_$$

e2e_require_root
trap 'topo_down; rm -rf "/var/run/dpdk/$PREFIX"' EXIT
topo_up || { fail "topology"; summary; exit 1; }
LOG=$(e2e_log_dir)

if [[ $MODE == her ]]; then
	# Flannel-style: no group; every VTEP floods to a list of the others.
	for h in "$E2E_NS_H1:$E2E_H1_OVERLAY:$E2E_H3_IP" "$E2E_NS_H3:$E2E_H3_OVERLAY:$E2E_H1_IP"; do
		IFS=: read -r ns ov other <<<"$h"
		ip -n "$ns" link del vxlan0
		ip -n "$ns" link add vxlan0 type vxlan id "$E2E_VNI" dstport 4789 dev eth0
		ip -n "$ns" addr add "$ov/24" dev vxlan0
		ip -n "$ns" link set vxlan0 up
		for d in "$other" "$H2_IP"; do
			ns_exec "$ns" bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst "$d"
		done
	done
	FLOOD=(remote "$E2E_H1_IP" remote "$E2E_H3_IP")
else
	FLOOD=(group "$E2E_GROUP")
fi
# shellcheck disable=SC2054 # "-l 0,1" is one EAL argument
ARGS=(-l 0,1 --no-huge -m 512 --no-pci --file-prefix="$PREFIX" --log-level=lib.eal:warning
	--vdev=net_af_packet0,iface=eth0 --vdev=net_tap0,iface=vtep0 --
	dev net_af_packet0 local "$H2_IP/24" id "$E2E_VNI" dstport 4789 "${FLOOD[@]}"
	inner net_tap0)

start_vtepd() {
	vtepd_start "${ARGS[@]}" || return 1
	wait_for "ns_exec $E2E_NS_H2 ip link show vtep0" 20 || return 1
	ns_exec "$E2E_NS_H2" ip addr add "$E2E_H2_OVERLAY/24" dev vtep0 2>/dev/null
	ns_exec "$E2E_NS_H2" ip link set vtep0 up
}

ping_ok() { # NS DST [ping options]
	local ns=$1 dst=$2
	shift 2
	ns_exec "$ns" ping -c 2 -i 0.3 -W 2 "$@" "$dst" >/dev/null 2>&1
}

counter() { # NAME: the newest value vtepd printed (SIGUSR1 first)
	kill -USR1 "$E2E_VTEPD_PID" 2>/dev/null
	sleep 0.5
	awk -v n="$1" '$1 == "counter" && $2 == n { v = $3 } END { print v + 0 }' "$E2E_VTEPD_LOG"
}

e2e_capture_start "$E2E_NS_SW" sw-h1 "$LOG/h1.pcap" "udp port 4789" || fail "capture"
CAP=$E2E_CAPTURE_PID
start_vtepd || { fail "vtepd starts"; summary; exit 1; }
pass "vtepd starts, vtep0 appears in h2"
MAC2=$(e2e_mac "$E2E_NS_H2" vtep0)
mtu=$(ns_exec "$E2E_NS_H2" cat /sys/class/net/vtep0/mtu)
if [[ $mtu == 1450 ]]; then
	pass "vtep0 MTU is the underlay's minus 50 (1450)"
else
	fail "vtep0 MTU is the underlay's minus 50" "$mtu"
fi

check "ping 10.0.0.2 from h1" ping_ok "$E2E_NS_H1" "$E2E_H2_OVERLAY"
e2e_capture_stop "$CAP"
check "ping 10.0.0.2 from h3" ping_ok "$E2E_NS_H3" "$E2E_H2_OVERLAY"
check "ping 10.0.0.1 from h2" ping_ok "$E2E_NS_H2" "$E2E_H1_OVERLAY"
check "ping 10.0.0.3 from h2" ping_ok "$E2E_NS_H2" "$E2E_H3_OVERLAY"

# The kernel floods its first ARP request; vtepd answers with unicast VXLAN.
if [[ $MODE == her ]]; then
	req="ip.src == $E2E_H1_IP && ip.dst == $H2_IP && arp.opcode == 1"
else
	req="ip.src == $E2E_H1_IP && ip.dst == $E2E_GROUP && ip.ttl == 1 && arp.opcode == 1 && eth.dst == 01:00:5e:01:01:01"
fi
# Replies are unicast once vtepd has learned h1 (the control lcore installs it within a moment;
# an ARP reply racing that install is flooded like any unknown unicast).
rep="ip.src == $H2_IP && ip.dst == $E2E_H1_IP && ip.ttl == 64 && vxlan.vni == 42 && icmp.type == 0"
check "first ARP from h1 flooded as VXLAN ($MODE)" \
	test -n "$(e2e_vxlan_fields "$LOG/h1.pcap" "$req" frame.number)"
check "echo replies from vtepd come back as unicast VXLAN, TTL 64" \
	test -n "$(e2e_vxlan_fields "$LOG/h1.pcap" "$rep" frame.number)"

check "h1 learned vtepd's inner MAC with dst $H2_IP" e2e_fdb_has "$E2E_NS_H1" "$MAC2" "$H2_IP"
check "h3 learned vtepd's inner MAC with dst $H2_IP" e2e_fdb_has "$E2E_NS_H3" "$MAC2" "$H2_IP"
MAC1=$(e2e_mac "$E2E_NS_H1" vxlan0)
kill -USR1 "$E2E_VTEPD_PID"
sleep 0.5
check "vtepd learned h1's MAC with dst $E2E_H1_IP" \
	grep -qi "^fdb 42 $MAC1 dst $E2E_H1_IP learned" "$E2E_VTEPD_LOG"

# The underlay: vtepd answers ARP and ping for its own address.
check "ping the VTEP address $H2_IP from h1" ping_ok "$E2E_NS_H1" "$H2_IP"
check "h1 resolved $H2_IP to vtepd's underlay MAC" \
	sh -c "ip netns exec $E2E_NS_H1 ip neigh show $H2_IP | grep -qi $E2E_H2_MAC"

if [[ $MODE == group ]]; then
	check "switch: h2's port joined $E2E_GROUP" wait_for "e2e_mdb_has sw-h2" 5
	# Longer than the membership interval: only answers to queries keep the port in.
	sleep $((E2E_MCAST_MEMBERSHIP_INTERVAL / 100 + 2))
	check "switch: h2's port still a member after the membership interval" e2e_mdb_has sw-h2
	check "overlay ping after the membership interval" ping_ok "$E2E_NS_H3" "$E2E_H2_OVERLAY"
	check "vtepd received IGMP queries" test "$(counter ctl.igmp)" -gt 0
fi

# 1400-byte IP packets across the overlay (inner MTU 1450), DF set: no fragmentation anywhere.
check "1400-byte ping h1 -> 10.0.0.2" ping_ok "$E2E_NS_H1" "$E2E_H2_OVERLAY" -s 1372 -M "do"
if command -v iperf3 >/dev/null; then
	ns_exec "$E2E_NS_H2" iperf3 -s -1 -B "$E2E_H2_OVERLAY" >"$LOG/iperf-s.log" 2>&1 &
	E2E_BG_PIDS+=($!)
	sleep 0.5
	if ns_exec "$E2E_NS_H1" iperf3 -c "$E2E_H2_OVERLAY" -t 3 >"$LOG/iperf.log" 2>&1; then
		pass "iperf3 TCP h1 -> 10.0.0.2: $(awk '/receiver/ { print $7, $8 }' "$LOG/iperf.log")"
	else
		fail "iperf3 TCP h1 -> 10.0.0.2" "$(tail -1 "$LOG/iperf.log")"
	fi
fi

# VXLAN for VNI 43 (not configured): dropped, counted, nothing on vtep0.
before=$(counter drop.rx_unknown_vni)
e2e_capture_start "$E2E_NS_H2" vtep0 "$LOG/vtep0.pcap" "ether src 02:00:00:00:43:43" ||
	fail "capture on vtep0"
CAP=$E2E_CAPTURE_PID
ns_exec "$E2E_NS_H1" /usr/bin/python3 - "$E2E_H2_MAC" "$E2E_H1_IP" "$H2_IP" <<'PY' \
	>"$LOG/scapy.log" 2>&1
import sys
from scapy.all import Ether, IP, UDP, sendp
from scapy.layers.vxlan import VXLAN
mac, src, dst = sys.argv[1:4]
inner = Ether(dst="ff:ff:ff:ff:ff:ff", src="02:00:00:00:43:43") / IP(src="10.0.0.1", dst="10.0.0.2")
sendp(Ether(dst=mac) / IP(src=src, dst=dst) / UDP(sport=40000, dport=4789) /
      VXLAN(vni=43, flags=0x08) / inner, iface="eth0", count=3, verbose=False)
PY
sleep 0.5
e2e_capture_stop "$CAP"
after=$(counter drop.rx_unknown_vni)
check "VNI 43: 3 frames counted in rx_unknown_vni ($before -> $after)" \
	test $((after - before)) -eq 3
check "VNI 43: nothing reached vtep0" test "$(tshark -r "$LOG/vtep0.pcap" 2>/dev/null | wc -l)" -eq 0

# Restart: same inner MAC, peers' ARP and FDB stay valid, the overlay comes back quickly.
vtepd_stop
t0=$(date +%s.%N)
start_vtepd || fail "vtepd restarts"
check "vtep0 keeps its MAC $MAC2 across a restart" test "$(e2e_mac "$E2E_NS_H2" vtep0)" = "$MAC2"
if wait_for "ns_exec $E2E_NS_H1 ping -c 1 -W 1 $E2E_H2_OVERLAY" 15; then
	t=$(echo "$(date +%s.%N) - $t0" | bc)
	echo "INFO: overlay ping recovered $t s after the restart began"
	if (($(echo "$t < 5" | bc))); then
		pass "ping recovers within 5 s of a restart ($t s)"
	else
		fail "ping recovers within 5 s of a restart" "$t s"
	fi
else
	fail "ping recovers after a restart"
fi
vtepd_stop
check "vtepd exits cleanly on SIGTERM" test "$E2E_VTEPD_RC" = 0
grep -E '^counter (underlay|inner|vni)' "$E2E_VTEPD_LOG" | tail -12
summary
