#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The seed scenario of issue 3, end to end: vtepd in h2 as the third VTEP beside two Linux kernel
# vxlan hosts (h1, h3) configured exactly as the seed does (group 239.1.1.1), behind an IGMP-
# snooping switch with short timers. One PASS/FAIL line per check, "N passed, N failed" at the
# end; exit status 1 when anything failed. About 45 s.
#
# Run as root: VTEPD=build/app/vtepd/vtepd tests/e2e/test_seed.sh   (E2E_KEEP_LOGS=1 keeps logs)
set -uo pipefail

E2E_FLOOD=group
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Short switch timers: a query every 3 s, answers within 1 s, a port forgotten 8 s after its last
# report, so the test outlives a membership interval.
e2e_timers 300 100 800
e2e_begin

check "switch has h1 and h3 as members of $E2E_GROUP (kernel peers joined)" \
	wait_for "e2e_mdb_has sw-h1 && e2e_mdb_has sw-h3" 10

# snooping_keeps_h2_out: h1 floods ARP requests for an overlay address nobody has (to the group);
# true if they reach h3's port (a member) and not h2's (nothing there has joined yet).
snooping_keeps_h2_out() {
	local c2 c3 n2 n3
	e2e_capture_start "$E2E_NS_SW" sw-h2 "$LOG/snoop-h2.pcap" "udp port 4789" || return 1
	c2=$E2E_CAPTURE_PID
	e2e_capture_start "$E2E_NS_SW" sw-h3 "$LOG/snoop-h3.pcap" "udp port 4789" || return 1
	c3=$E2E_CAPTURE_PID
	ns_exec "$E2E_NS_H1" ping -c 1 -W 1 10.0.0.99 >/dev/null 2>&1
	e2e_capture_stop "$c2"
	e2e_capture_stop "$c3"
	n2=$(e2e_group_frames "$LOG/snoop-h2.pcap")
	n3=$(e2e_group_frames "$LOG/snoop-h3.pcap")
	echo "group frames: h2's port $n2, h3's port $n3"
	[[ $n3 -ge 1 && $n2 -eq 0 ]] && return 0
	# Why the switch sent them to h2's port, for the log: its group table and router ports.
	{
		echo "--- snooping: h2's port $n2, h3's port $n3 group frames at $(date +%T.%N)"
		ns_exec "$E2E_NS_SW" bridge -d mdb show
		ns_exec "$E2E_NS_SW" bridge -d link show
		ip -n "$E2E_NS_SW" -d link show br0
	} >>"$LOG/snooping.txt" 2>&1
	return 1
}
# The switch really snoops: without a report from h2, no group traffic reaches h2's port. What
# vtepd receives from the group later comes through its own IGMP membership. A new Linux bridge
# floods all multicast for its first seconds (the kernel delays strict filtering after the
# querier starts: 10 s on a quiet machine here, seen over 60 s under CI's load with the group
# registered and no router port), so the wait is long; only a bridge that never snoops reaches it.
check "snooping switch keeps group traffic off h2's port before vtepd joins" \
	wait_for snooping_keeps_h2_out 150

# --- start-up ---------------------------------------------------------------------------------
e2e_capture_start "$E2E_NS_SW" sw-h1 "$LOG/sw-h1.pcap" "udp port 4789" || fail "capture on sw-h1"
cap=$E2E_CAPTURE_PID
vtepd_begin "vtepd starts in h2 and vtep0 appears"
mtu=$(ns_exec "$E2E_NS_H2" cat /sys/class/net/vtep0/mtu)
if [[ $mtu == 1450 ]]; then
	pass "vtep0 MTU is the underlay's 1500 minus 50 (1450), MAC $VTEP0_MAC"
else
	fail "vtep0 MTU is the underlay's 1500 minus 50 (1450)" "MTU $mtu"
fi

# --- overlay pings, both directions, both kernel peers ----------------------------------------
check "ping $E2E_H2_OVERLAY (vtepd) from h1" ping_ok "$E2E_NS_H1" "$E2E_H2_OVERLAY"
e2e_capture_stop "$cap"
check "ping $E2E_H2_OVERLAY (vtepd) from h3" ping_ok "$E2E_NS_H3" "$E2E_H2_OVERLAY"
check "ping $E2E_H1_OVERLAY from h2 through vtep0" ping_ok "$E2E_NS_H2" "$E2E_H1_OVERLAY"
check "ping $E2E_H3_OVERLAY from h2 through vtep0" ping_ok "$E2E_NS_H2" "$E2E_H3_OVERLAY"

# RFC 7348 section 4.2: h1's first ARP request for 10.0.0.2 is BUM traffic, so the kernel sends
# it to the VNI's group with TTL 1 (ttl auto); vtepd's reply must come back as unicast VXLAN to
# h1 (as a kernel peer's does: test_kernel_only.sh), since vtepd has just seen where h1 is.
name="h1's first ARP for $E2E_H2_OVERLAY went as VXLAN VNI $E2E_VNI to $E2E_GROUP, TTL 1"
got=$(first_frame "$LOG/sw-h1.pcap" "arp.opcode == 1 && arp.dst.proto_ipv4 == $E2E_H2_OVERLAY" \
	ip.src ip.dst ip.ttl vxlan.vni)
want=$(printf '%s\t%s\t%s\t%s' "$E2E_H1_IP" "$E2E_GROUP" 1 "$E2E_VNI")
if [[ $got == "$want" ]]; then pass "$name"; else fail "$name" "saw '$got'"; fi
name="vtepd's ARP reply came back as unicast VXLAN $E2E_H2_IP -> $E2E_H1_IP"
got=$(first_frame "$LOG/sw-h1.pcap" "arp.opcode == 2 && arp.src.proto_ipv4 == $E2E_H2_OVERLAY" \
	ip.src ip.dst ip.ttl vxlan.vni eth.dst)
want=$(printf '%s\t%s\t%s\t%s\t%s,%s' "$E2E_H2_IP" "$E2E_H1_IP" 64 "$E2E_VNI" "$E2E_H1_MAC" \
	"$(e2e_mac "$E2E_NS_H1" vxlan0)")
# The tap answers ~150 us after the request: vtepd hands the request to vtep0 only once h1's MAC
# is in its FDB (the worker holds the frame until its learn event is applied), so the reply is
# never flooded.
if [[ $got == "$want" ]]; then pass "$name"; else fail "$name" "saw '$got'"; fi
name="vtepd's echo replies came back as unicast VXLAN $E2E_H2_IP -> $E2E_H1_IP, TTL 64"
got=$(first_frame "$LOG/sw-h1.pcap" "icmp.type == 0" ip.src ip.dst ip.ttl)
want=$(printf '%s,%s\t%s,%s\t64,64' "$E2E_H2_IP" "$E2E_H2_OVERLAY" "$E2E_H1_IP" "$E2E_H1_OVERLAY")
if [[ $got == "$want" ]]; then pass "$name"; else fail "$name" "saw '$got'"; fi

# --- FDBs on both sides ---------------------------------------------------------------------
check_fdbs

# --- the underlay: vtepd answers ARP and ICMP echo for its own address ------------------------
ns_exec "$E2E_NS_H1" ip neigh del "$E2E_H2_IP" dev eth0 2>/dev/null
check "ping the VTEP address $E2E_H2_IP from h1 (ICMP echo on the underlay)" \
	ping_ok "$E2E_NS_H1" "$E2E_H2_IP"
neigh=$(ns_exec "$E2E_NS_H1" ip neigh show "$E2E_H2_IP" dev eth0)
if grep -qi "lladdr $E2E_H2_MAC" <<<"$neigh"; then
	pass "h1 resolved $E2E_H2_IP by ARP to vtepd's underlay MAC $E2E_H2_MAC"
else
	fail "h1 resolved $E2E_H2_IP by ARP to vtepd's underlay MAC $E2E_H2_MAC" "'$neigh'"
fi

# --- IGMP: vtepd joins the group and keeps answering the switch's queries ---------------------
check "switch: h2's port is a member of $E2E_GROUP (vtepd's IGMP report)" \
	wait_for "e2e_mdb_has sw-h2" 10
span=$((E2E_MCAST_MEMBERSHIP_INTERVAL / 100 + 2))
n=$((span * 2))
echo "INFO: pinging h1 -> $E2E_H2_OVERLAY for ${span}s, longer than the membership" \
	"interval ($((E2E_MCAST_MEMBERSHIP_INTERVAL / 100))s)"
out=$(ns_exec "$E2E_NS_H1" ping -c "$n" -i 0.5 -W 1 "$E2E_H2_OVERLAY" 2>&1)
got=$(awk '/packets transmitted/ { print $4 }' <<<"$out")
if [[ $got == "$n" ]]; then
	pass "overlay ping kept flowing for ${span}s ($got/$n answered)"
else
	fail "overlay ping kept flowing for ${span}s" "${got:-0}/$n answered"
fi
check "switch: h2's port still a member of $E2E_GROUP after the membership interval" \
	e2e_mdb_has sw-h2
# BUM traffic after the interval: h1 forgets 10.0.0.2, so its ARP request goes to the group again.
ns_exec "$E2E_NS_H1" ip neigh flush dev vxlan0
check "ping $E2E_H2_OVERLAY from h1 after the interval (ARP to the group again)" \
	ping_ok "$E2E_NS_H1" "$E2E_H2_OVERLAY"
vtepd_dump || fail "vtepd prints its counters on SIGUSR1"
igmp=$(vtepd_dump_counter ctl_igmp)
if [[ ${igmp:-0} -gt 0 ]]; then
	pass "vtepd's control lcore handled IGMP (ctl_igmp $igmp)"
else
	fail "vtepd's control lcore handled IGMP" "ctl_igmp '${igmp}'"
fi

# --- size: the inner MTU is 1450 (1500 - 50 bytes of outer Ethernet, IP, UDP, VXLAN) ----------
# "-s 1372" is a 1400-byte IP packet (1372 + 8 ICMP + 20 IP), a 1414-byte inner frame; "-s 1422"
# fills the inner MTU exactly (1450-byte packet, outer IP packet 1500). DF set: no fragments.
check "1400-byte ping (-s 1372, DF) h1 -> $E2E_H2_OVERLAY" \
	ping_ok "$E2E_NS_H1" "$E2E_H2_OVERLAY" -s 1372 -M "do"
check "1400-byte ping (-s 1372, DF) h2 -> $E2E_H3_OVERLAY" \
	ping_ok "$E2E_NS_H2" "$E2E_H3_OVERLAY" -s 1372 -M "do"
check "full-MTU 1450-byte ping (-s 1422, DF) h1 -> $E2E_H2_OVERLAY" \
	ping_ok "$E2E_NS_H1" "$E2E_H2_OVERLAY" -s 1422 -M "do"
check "full-MTU 1450-byte ping (-s 1422, DF) h2 -> $E2E_H3_OVERLAY" \
	ping_ok "$E2E_NS_H2" "$E2E_H3_OVERLAY" -s 1422 -M "do"

# iperf_run NAME SECONDS [CLIENT OPTIONS]: a one-shot iperf3 server on 10.0.0.2 in h2, the
# client in h1 (-R: vtepd sends); passes with the receiver's rate in the name.
iperf_run() {
	local name=$1 secs=$2 pid rate
	shift 2
	ip netns exec "$E2E_NS_H2" iperf3 -s -1 -B "$E2E_H2_OVERLAY" >"$LOG/iperf-s.log" 2>&1 &
	pid=$!
	E2E_BG_PIDS+=("$pid")
	if ! wait_for "ns_exec $E2E_NS_H2 ss -ltn | grep -q '$E2E_H2_OVERLAY:5201'" 5; then
		fail "$name" "iperf3 server did not listen"
		return
	fi
	if ns_exec "$E2E_NS_H1" timeout $((secs + 10)) iperf3 -c "$E2E_H2_OVERLAY" -t "$secs" "$@" \
		>"$LOG/iperf.log" 2>&1; then
		rate=$(awk '/receiver/ { print $7, $8 }' "$LOG/iperf.log")
		# The sender's TCP retransmissions (with -R, vtepd's side's sender, as the server
		# reported them): lost or reordered segments on the overlay. Reported, not judged:
		# a loaded machine drops on the veths too.
		retr=$(awk '/sender/ { print $9 }' "$LOG/iperf.log")
		pass "$name: $rate, ${retr:-?} retransmits"
		echo "INFO: iperf3 retransmits ($name): ${retr:-?}"
	else
		fail "$name" "$(tail -n 1 "$LOG/iperf.log")"
	fi
	cat "$LOG/iperf.log" >>"$LOG/commands.log"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
iperf_run "iperf3 TCP h1 -> $E2E_H2_OVERLAY for 3 s (vtepd decapsulates)" 3
iperf_run "iperf3 TCP $E2E_H2_OVERLAY -> h1 for 2 s (vtepd encapsulates, -R)" 2 -R

# --- VNI 43 is not configured: dropped, counted, nothing on vtep0 -----------------------------
vtepd_dump || fail "vtepd prints its counters on SIGUSR1"
before=$(vtepd_dump_counter drop.rx_unknown_vni)
e2e_capture_start "$E2E_NS_H2" vtep0 "$LOG/vtep0.pcap" \
	"ether src 02:00:00:00:43:43 or udp port 4343" || fail "capture on vtep0"
cap0=$E2E_CAPTURE_PID
e2e_capture_start "$E2E_NS_SW" sw-h2 "$LOG/sw-h2-vni43.pcap" "udp port 4789" ||
	fail "capture on sw-h2"
cap2=$E2E_CAPTURE_PID
ns_exec "$E2E_NS_H1" /usr/bin/python3 - "$E2E_H2_MAC" "$E2E_H1_MAC" "$E2E_H1_IP" "$E2E_H2_IP" \
	<<'PY' >"$LOG/scapy.log" 2>&1 || fail "scapy sends VNI 43 frames" "$(tail -n 1 "$LOG/scapy.log")"
import sys
from scapy.all import Ether, IP, UDP, sendp
from scapy.layers.vxlan import VXLAN
dmac, smac, src, dst = sys.argv[1:5]
inner = (Ether(dst="ff:ff:ff:ff:ff:ff", src="02:00:00:00:43:43") /
         IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=4343, dport=4343) / b"vni43")
sendp(Ether(dst=dmac, src=smac) / IP(src=src, dst=dst, ttl=64) / UDP(sport=40043, dport=4789) /
      VXLAN(flags=0x08, vni=43) / inner, iface="eth0", count=3, inter=0.05, verbose=False)
PY
# dropped_since N: vtepd has counted N more unknown-VNI drops than before.
dropped_since() {
	vtepd_dump && (($(vtepd_dump_counter drop.rx_unknown_vni) >= before + $1))
}
wait_for "dropped_since 3" "$E2E_WAIT" || fail "vtepd counts the VNI 43 frames"
e2e_capture_stop "$cap2"
e2e_capture_stop "$cap0"
vtepd_dump || fail "vtepd prints its counters on SIGUSR1"
after=$(vtepd_dump_counter drop.rx_unknown_vni)
sent=$(e2e_vxlan_fields "$LOG/sw-h2-vni43.pcap" "vxlan.vni == 43" frame.number | wc -l)
echo "INFO: $sent VNI 43 frames reached h2's port; drop.rx_unknown_vni $before -> $after"
if [[ $sent -eq 3 && $((after - before)) -eq 3 ]]; then
	pass "VNI 43: 3 frames dropped and counted in drop.rx_unknown_vni"
else
	fail "VNI 43: 3 frames dropped and counted in drop.rx_unknown_vni" \
		"$sent on the wire, counter $before -> $after"
fi
seen=$(tshark -r "$LOG/vtep0.pcap" 2>/dev/null | wc -l)
if [[ $seen -eq 0 ]]; then
	pass "VNI 43: nothing of it reached vtep0"
else
	fail "VNI 43: nothing of it reached vtep0" "$seen frames on vtep0"
fi

# --- restart: same inner MAC, the peers' ARP and FDB entries stay valid -----------------------
# A ping every 0.2 s runs across the restart; -D stamps each reply with the epoch time.
ip netns exec "$E2E_NS_H1" ping -D -i 0.2 -W 1 -w 30 "$E2E_H2_OVERLAY" >"$LOG/ping-restart.log" \
	2>&1 &
ping_pid=$!
E2E_BG_PIDS+=("$ping_pid")
# Stopped once the ping is seen to work, so that its log shows the outage.
wait_for "grep -q 'bytes from' '$LOG/ping-restart.log'" "$E2E_WAIT" || fail "ping before the restart"
t_stop=$(date +%s.%N)
vtepd_stop_check "vtepd exits with status 0 on SIGTERM"
t_start=$(date +%s.%N)
if vtepd_up; then
	pass "vtepd starts again"
else
	fail "vtepd starts again"
fi
mac=$(e2e_mac "$E2E_NS_H2" vtep0 2>/dev/null)
if [[ $mac == "$VTEP0_MAC" ]]; then
	pass "vtep0 keeps its MAC $VTEP0_MAC across the restart"
else
	fail "vtep0 keeps its MAC $VTEP0_MAC across the restart" "now '$mac'"
fi
# first_reply_after T: the epoch time of the first echo reply in the log stamped after T.
first_reply_after() {
	awk -v t="$1" -F'[][]' '/bytes from/ && $2 + 0 > t + 0 { print $2; exit }' \
		"$LOG/ping-restart.log"
}
wait_for "[[ -n \$(first_reply_after $t_start) ]]" 15
t_ok=$(first_reply_after "$t_start")
kill "$ping_pid" 2>/dev/null
wait "$ping_pid" 2>/dev/null
if [[ -n $t_ok ]]; then
	recover=$(awk -v a="$t_ok" -v b="$t_start" 'BEGIN { printf "%.2f", a - b }')
	outage=$(awk -v a="$t_ok" -v b="$t_stop" 'BEGIN { printf "%.2f", a - b }')
	echo "INFO: ping h1 -> $E2E_H2_OVERLAY answered ${recover}s after vtepd was started again" \
		"(${outage}s after it was stopped)"
	if awk -v r="$recover" 'BEGIN { exit !(r < 5) }'; then
		pass "ping recovers within 5 s of the restart (${recover}s)"
	else
		fail "ping recovers within 5 s of the restart" "${recover}s"
	fi
else
	fail "ping recovers within 5 s of the restart" "no reply within 15 s"
fi
check "h1's FDB still has $VTEP0_MAC dst $E2E_H2_IP after the restart" \
	e2e_fdb_has "$E2E_NS_H1" "$VTEP0_MAC" "$E2E_H2_IP"
check "ping $E2E_H3_OVERLAY from h2 after the restart" ping_ok "$E2E_NS_H2" "$E2E_H3_OVERLAY"

vtepd_stop_check "vtepd exits with status 0 on SIGTERM after the restart"
echo "INFO: vtepd's non-zero counters at exit (second run):"
awk '/^=== /{ n = NR } { line[NR] = $0 } END { for (i = n; i <= NR; i++) print line[i] }' \
	"$E2E_VTEPD_LOG" | awk '$1 == "counter" && $3 != 0 && $2 !~ /cycles|tsc|mempool|memory|^lcore\./' |
	sed 's/^/    /'
summary
