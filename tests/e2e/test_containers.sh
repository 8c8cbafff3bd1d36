#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Many endpoints per VNI (issue 14): the seed topology, with h2 carrying three "containers"
# (namespaces c1, c2, c3, each a veth whose peer vcN is in h2). One set of checks runs against
# either h2:
#
#   E2E_H2=vtepd  (default) vtepd attaches vc1..vc3 through net_af_packet as ports of VNI 42
#   E2E_H2=kernel the reference: a kernel bridge br0 with vxlan0 (the seed's) and vc1..vc3
#
# Checks: containers ping each other, and while they do nothing is encapsulated (h2's
# encapsulation counter does not move and h2's switch port sees no VXLAN); containers and the
# kernel VTEPs h1 and h3 ping both ways; the first ARP request from c1 to h1 goes to the group
# and h1's reply comes back as unicast VXLAN to h2; a port set down stops reaching its
# container and comes back when set up. With vtepd also: its FDB shows the containers as
# `dev PORT` entries and h1 as `dst IP`, and `vtepctl link show` lists the three ports.
# About 40 s. Run as root: VTEPD=build/app/vtepd/vtepd tests/e2e/test_containers.sh
set -uo pipefail

E2E_FLOOD=group
: "${E2E_H2:=vtepd}"
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${VTEPCTL:=$(dirname "$VTEPD")/../vtepctl/vtepctl}"

e2e_timers 300 100 800
e2e_begin

C_IPS=(10.0.0.11 10.0.0.12 10.0.0.13)
C_MACS=(02:00:00:00:c0:01 02:00:00:00:c0:02 02:00:00:00:c0:03)

# containers_up: c1..c3 with eth0 (10.0.0.1N/24) and their peers vc1..vc3 in h2, up.
containers_up() {
	local i ns
	for i in 1 2 3; do
		ns=$E2E_NS_BASE-c$i
		E2E_EXTRA_NAMESPACES+=("$ns")
		ip netns del "$ns" 2>/dev/null # a stale one from an interrupted run
		e2e_ns_new "$ns" || return 1
		ip -n "$E2E_NS_H2" link add "vc$i" type veth peer name eth0 netns "$ns" || return 1
		ip -n "$ns" link set eth0 address "${C_MACS[$((i - 1))]}" || return 1
		e2e_offloads_off "$E2E_NS_H2" "vc$i" || return 1
		e2e_offloads_off "$ns" eth0 || return 1
		ip -n "$ns" addr add "${C_IPS[$((i - 1))]}/24" dev eth0 || return 1
		ip -n "$ns" link set eth0 up || return 1
		ip -n "$E2E_NS_H2" link set "vc$i" up || return 1
	done
}

# h2_up: the VTEP in h2 with vc1..vc3 in VNI 42's bridge domain.
h2_up() {
	local i
	if [[ $E2E_H2 == kernel ]]; then
		ip -n "$E2E_NS_H2" addr add "$E2E_H2_IP/24" dev eth0 || return 1
		ip -n "$E2E_NS_H2" link add vxlan0 type vxlan id "$E2E_VNI" dstport 4789 \
			group "$E2E_GROUP" dev eth0 || return 1
		ip -n "$E2E_NS_H2" link add br0 type bridge || return 1
		ip -n "$E2E_NS_H2" link set vxlan0 master br0 up || return 1
		for i in 1 2 3; do
			ip -n "$E2E_NS_H2" link set "vc$i" master br0 || return 1
		done
		ip -n "$E2E_NS_H2" link set br0 up
		return
	fi
	# shellcheck disable=SC2054 # "-l 0,1" is one EAL argument
	vtepd_start -l 0,1 --no-huge -m 512 --no-pci --file-prefix="$E2E_VTEPD_PREFIX" \
		--log-level=lib.eal:warning --vdev=net_af_packet0,iface=eth0 \
		--vdev=net_af_packet1,iface=vc1 --vdev=net_af_packet2,iface=vc2 \
		--vdev=net_af_packet3,iface=vc3 -- \
		dev net_af_packet0 local "$E2E_H2_IP/24" id "$E2E_VNI" dstport 4789 group "$E2E_GROUP" \
		port net_af_packet1 port net_af_packet2 port net_af_packet3 || return 1
	wait_for "grep -q '^vtepd: running' '$E2E_VTEPD_LOG'" 20
}

ctl() {
	"$VTEPCTL" --file-prefix "$E2E_VTEPD_PREFIX" "$@"
}

# encapsulated: frames h2 has encapsulated so far (vtepd: known unicast + flood copies; the
# kernel: vxlan0's TX packets).
encapsulated() {
	if [[ $E2E_H2 == kernel ]]; then
		ns_exec "$E2E_NS_H2" cat /sys/class/net/vxlan0/statistics/tx_packets
	else
		ctl stats | awk -v v="vni.$E2E_VNI." '
			$1 == v "encap_pkts" || $1 == v "flood_copies" { s += $2 } END { print s + 0 }'
	fi
}

# port_set N up|down: container N's port on h2.
port_set() {
	if [[ $E2E_H2 == kernel ]]; then
		ip -n "$E2E_NS_H2" link set "vc$1" "$2"
	else
		ctl link set dev "net_af_packet$1" "$2"
	fi
}

c() { echo "$E2E_NS_BASE-c$1"; }

containers_up || e2e_abort "containers c1..c3 on h2"
h2_up || e2e_abort "h2 ($E2E_H2) up with vc1..vc3 in VNI $E2E_VNI"
pass "h2 ($E2E_H2) up with vc1..vc3 in VNI $E2E_VNI"

# --- container to container: switched in h2, never encapsulated --------------------------------
# First, before the containers talk to h1 or h3: no ARP refresh with them crosses the tunnel in
# the measured window. The warm-up resolves ARP (its broadcasts are flooded, to the tunnel too).
check "ping c2 from c1 (ARP resolved)" ping_ok "$(c 1)" "${C_IPS[1]}"
check "ping c3 from c2 (ARP resolved)" ping_ok "$(c 2)" "${C_IPS[2]}"
check "ping c1 from c3 (ARP resolved)" ping_ok "$(c 3)" "${C_IPS[0]}"
e2e_capture_start "$E2E_NS_SW" sw-h2 "$LOG/sw-h2.pcap" "udp port 4789" || fail "capture on sw-h2"
cap2=$E2E_CAPTURE_PID
before=$(encapsulated)
check "ping c2 from c1" ping_ok "$(c 1)" "${C_IPS[1]}"
check "ping c3 from c2" ping_ok "$(c 2)" "${C_IPS[2]}"
check "ping c1 from c3" ping_ok "$(c 3)" "${C_IPS[0]}"
after=$(encapsulated)
# The positive control: h3's traffic to c2 does cross h2's port as VXLAN (h1 stays a stranger
# to the containers until the first-ARP check below).
check "ping c2 from h3 (the capture's positive control)" ping_ok "$E2E_NS_H3" "${C_IPS[1]}"
e2e_capture_stop "$cap2"
if [[ -n $before && $before == "$after" ]]; then
	pass "nothing encapsulated while the containers pinged each other ($E2E_H2 counter $after)"
else
	fail "nothing encapsulated while the containers pinged each other" "$before -> $after"
fi
n_c=$(e2e_vxlan_fields "$LOG/sw-h2.pcap" \
	"icmp && ip.src == 10.0.0.0/24 && ip.dst == 10.0.0.0/24 && !(ip.addr == $E2E_H3_OVERLAY)" \
	frame.number | wc -l)
n_h3=$(e2e_vxlan_fields "$LOG/sw-h2.pcap" "icmp && ip.addr == $E2E_H3_OVERLAY" frame.number | wc -l)
if [[ $n_c -eq 0 && $n_h3 -ge 2 ]]; then
	pass "h2's switch port saw no container-to-container VXLAN (and $n_h3 of h3's)"
else
	fail "h2's switch port saw no container-to-container VXLAN" "$n_c frames; h3's: $n_h3"
fi

# --- the first ARP from c1 to h1, on h1's switch port ------------------------------------------
e2e_capture_start "$E2E_NS_SW" sw-h1 "$LOG/sw-h1.pcap" "udp port 4789" || fail "capture on sw-h1"
cap1=$E2E_CAPTURE_PID
check "ping $E2E_H1_OVERLAY (h1, kernel VTEP) from c1" ping_ok "$(c 1)" "$E2E_H1_OVERLAY"
e2e_capture_stop "$cap1"
name="c1's ARP request for $E2E_H1_OVERLAY reached h1 as VXLAN to $E2E_GROUP"
got=$(first_frame "$LOG/sw-h1.pcap" "arp.opcode == 1 && arp.dst.proto_ipv4 == $E2E_H1_OVERLAY" \
	ip.src ip.dst vxlan.vni)
want=$(printf '%s\t%s\t%s' "$E2E_H2_IP" "$E2E_GROUP" "$E2E_VNI")
if [[ $got == "$want" ]]; then pass "$name"; else fail "$name" "saw '$got'"; fi
name="h1's first ARP reply to c1 went back as unicast VXLAN $E2E_H1_IP -> $E2E_H2_IP"
got=$(first_frame "$LOG/sw-h1.pcap" "arp.opcode == 2 && arp.dst.proto_ipv4 == ${C_IPS[0]}" \
	ip.src ip.dst vxlan.vni eth.dst)
want=$(printf '%s\t%s\t%s\t%s,%s' "$E2E_H1_IP" "$E2E_H2_IP" "$E2E_VNI" "$E2E_H2_MAC" "${C_MACS[0]}")
if [[ $got == "$want" ]]; then pass "$name"; else fail "$name" "saw '$got'"; fi

# --- both directions with the kernel VTEPs -----------------------------------------------------
check "ping $E2E_H3_OVERLAY (h3) from c2" ping_ok "$(c 2)" "$E2E_H3_OVERLAY"
check "ping ${C_IPS[2]} (c3) from h1" ping_ok "$E2E_NS_H1" "${C_IPS[2]}"
check "ping ${C_IPS[0]} (c1) from h3" ping_ok "$E2E_NS_H3" "${C_IPS[0]}"

# --- vtepd's view ----------------------------------------------------------------------------
if [[ $E2E_H2 == vtepd ]]; then
	fdb=$(ctl fdb show vni "$E2E_VNI")
	echo "$fdb" >"$LOG/fdb.txt"
	for i in 1 2 3; do
		if grep -q "^${C_MACS[$((i - 1))]} dev net_af_packet$i vni $E2E_VNI master$" <<<"$fdb"; then
			pass "vtepctl fdb show: c$i's MAC dev net_af_packet$i"
		else
			fail "vtepctl fdb show: c$i's MAC dev net_af_packet$i" "$(tr '\n' ';' <<<"$fdb")"
		fi
	done
	h1mac=$(e2e_mac "$E2E_NS_H1" vxlan0)
	if grep -q "^$h1mac dst $E2E_H1_IP vni $E2E_VNI self$" <<<"$fdb"; then
		pass "vtepctl fdb show: h1's MAC dst $E2E_H1_IP"
	else
		fail "vtepctl fdb show: h1's MAC dst $E2E_H1_IP" "$(tr '\n' ';' <<<"$fdb")"
	fi
	name="vtepctl vni show: VNI $E2E_VNI's three ports"
	if ctl vni show | grep -q " ports 3 \[net_af_packet1,net_af_packet2,net_af_packet3\]\( \|$\)"; then
		pass "$name"
	else
		fail "$name" "$(ctl vni show)"
	fi
	links=$(ctl -s link show)
	echo "$links" >"$LOG/links.txt"
	n=$(grep -c "^net_af_packet[123] master $E2E_VNI state up" <<<"$links")
	if [[ $n == 3 ]]; then
		pass "vtepctl link show: three ports up in VNI $E2E_VNI"
	else
		fail "vtepctl link show: three ports up" "$(tr '\n' ';' <<<"$links")"
	fi
fi

# --- a port set down stops reaching its container -------------------------------------------
if [[ $E2E_H2 == vtepd ]]; then
	# bridge monitor fdb's lines, in the bridge's words: a static local entry added at run
	# time (which also shows the monitor is following), then the flush of c3's MAC.
	# The monitor starts from the events after it connected: replace until it shows one.
	ctl monitor fdb count 50 >"$LOG/monitor.txt" 2>&1 &
	E2E_BG_PIDS+=("$!")
	static="02:00:00:00:c0:99 dev net_af_packet1 vni $E2E_VNI master static"
	check "vtepctl fdb replace ... dev net_af_packet1 shows in vtepctl monitor fdb: '$static'" \
		wait_for "ctl fdb replace 02:00:00:00:c0:99 dev net_af_packet1 &&
			grep -qx '$static' '$LOG/monitor.txt'" 5
	check "vtepctl fdb show: the static local entry" wait_for "ctl fdb show | grep -qx '$static'" 2
fi
port_set 3 down
if ns_exec "$(c 1)" ping -c 2 -i 0.2 -W 1 "${C_IPS[2]}" >/dev/null 2>&1; then
	fail "c3 unreachable while its port is down"
else
	pass "c3 unreachable while its port is down"
fi
if [[ $E2E_H2 == vtepd ]] && ctl fdb show dev net_af_packet3 | grep -q .; then
	fail "c3's learned MAC flushed when its port went down" "$(ctl fdb show dev net_af_packet3)"
elif [[ $E2E_H2 == vtepd ]]; then
	pass "c3's learned MAC flushed when its port went down"
fi
if [[ $E2E_H2 == vtepd ]]; then
	want="Deleted ${C_MACS[2]} dev net_af_packet3 vni $E2E_VNI master"
	if wait_for "grep -qx '$want' '$LOG/monitor.txt'" 5; then
		pass "vtepctl monitor fdb: '$want'"
	else
		fail "vtepctl monitor fdb: '$want'" "$(head -c 200 "$LOG/monitor.txt")"
	fi
fi
port_set 3 up
check "c3 reachable again once its port is up" wait_for "ping_ok $(c 1) ${C_IPS[2]}" 10

# --- the kernel's link of a port goes down (not vtepctl): vtepd sees it within its 100 ms look --
if [[ $E2E_H2 == vtepd ]]; then
	check "c2 learned behind net_af_packet2" wait_for "ping_ok $(c 1) ${C_IPS[1]} &&
		ctl fdb show dev net_af_packet2 | grep -q '${C_MACS[1]}'" 10
	link_downs() { ctl stats | awk '$1 == "link_down" { print $2 }'; }
	downs=$(link_downs)
	ip -n "$E2E_NS_H2" link set vc2 down
	check "vc2 down in the kernel: counted (link_down), c2's MAC flushed" wait_for \
		"[[ \$(link_downs) -gt ${downs:-0} ]] && ! ctl fdb show dev net_af_packet2 | grep -q ." 5
	if ns_exec "$(c 1)" ping -c 2 -i 0.2 -W 1 "${C_IPS[1]}" >/dev/null 2>&1; then
		fail "c2 unreachable while vc2 is down"
	else
		pass "c2 unreachable while vc2 is down"
	fi
	ip -n "$E2E_NS_H2" link set vc2 up
	check "c2 reachable again once vc2 is up" wait_for "ping_ok $(c 1) ${C_IPS[1]}" 10
fi

if [[ $E2E_H2 == vtepd ]]; then
	vtepd_stop_check "vtepd exits with status 0 on SIGTERM"
fi
summary
