#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The seed scenario with group flooding switched off (issue 3, last check): every VTEP floods BUM
# traffic by head-end replication to a list of the others. The kernel hosts h1 and h3 get
# `ip link add vxlan0 type vxlan id 42 dstport 4789 dev eth0` plus
# `bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst <each other VTEP>` (as flannel does), and
# vtepd gets `remote 172.16.91.128 remote 172.16.91.130` instead of `group 239.1.1.1`.
# One PASS/FAIL line per check, "N passed, N failed" at the end. About 15 s.
#
# Run as root: VTEPD=build/app/vtepd/vtepd tests/e2e/test_her.sh   (E2E_KEEP_LOGS=1 keeps logs)
set -uo pipefail

E2E_FLOOD=her
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_begin

# frames PCAP FILTER FIELD...: tshark fields of the matching VXLAN frames, sorted, unique.
frames() {
	local pcap=$1 filter=$2
	shift 2
	e2e_vxlan_fields "$pcap" "$filter" "$@" | sort -u
}

# expect NAME GOT WANT: pass NAME when GOT equals WANT, else fail with both.
expect() {
	if [[ $2 == "$3" ]]; then
		pass "$1"
	else
		fail "$1" "saw '${2//$'\n'/; }', want '${3//$'\n'/; }'"
	fi
}

e2e_capture_start "$E2E_NS_SW" sw-h1 "$LOG/sw-h1.pcap" "udp port 4789" || fail "capture on sw-h1"
cap1=$E2E_CAPTURE_PID
e2e_capture_start "$E2E_NS_SW" sw-h3 "$LOG/sw-h3.pcap" "udp port 4789" || fail "capture on sw-h3"
cap3=$E2E_CAPTURE_PID
vtepd_begin "vtepd starts in h2 with remote $E2E_H1_IP remote $E2E_H3_IP"

check "ping $E2E_H2_OVERLAY (vtepd) from h1" ping_ok "$E2E_NS_H1" "$E2E_H2_OVERLAY"
check "ping $E2E_H2_OVERLAY (vtepd) from h3" ping_ok "$E2E_NS_H3" "$E2E_H2_OVERLAY"
check "ping $E2E_H1_OVERLAY from h2 through vtep0" ping_ok "$E2E_NS_H2" "$E2E_H1_OVERLAY"
# h2 knows 10.0.0.3 already from h3's ARP request: forget it, so h2 asks (a broadcast) again.
ns_exec "$E2E_NS_H2" ip neigh flush dev vtep0
check "ping $E2E_H3_OVERLAY from h2 through vtep0" ping_ok "$E2E_NS_H2" "$E2E_H3_OVERLAY"
e2e_capture_stop "$cap1"
e2e_capture_stop "$cap3"

# h1's ARP request for 10.0.0.2 is replicated by h1's kernel, one unicast copy per VTEP of its
# list (TTL 64, no group anywhere).
expect "h1's ARP for $E2E_H2_OVERLAY went as unicast VXLAN copies to $E2E_H2_IP and $E2E_H3_IP" \
	"$(frames "$LOG/sw-h1.pcap" "arp.opcode == 1 && arp.dst.proto_ipv4 == $E2E_H2_OVERLAY \
		&& ip.src == $E2E_H1_IP" \
		ip.src ip.dst ip.ttl vxlan.vni)" \
	"$(printf '%s\t%s\t64\t%s\n%s\t%s\t64\t%s' "$E2E_H1_IP" "$E2E_H2_IP" "$E2E_VNI" \
		"$E2E_H1_IP" "$E2E_H3_IP" "$E2E_VNI")"
# vtepd's own ARP request for 10.0.0.3 goes to each remote of its list: one copy reaches h1's
# port, one h3's.
want1=$(printf '%s\t%s\t64\t%s' "$E2E_H2_IP" "$E2E_H1_IP" "$E2E_VNI")
want3=$(printf '%s\t%s\t64\t%s' "$E2E_H2_IP" "$E2E_H3_IP" "$E2E_VNI")
req="arp.opcode == 1 && arp.dst.proto_ipv4 == $E2E_H3_OVERLAY && ip.src == $E2E_H2_IP"
expect "vtepd's ARP for $E2E_H3_OVERLAY reached h1 as unicast VXLAN from its flood list" \
	"$(frames "$LOG/sw-h1.pcap" "$req" ip.src ip.dst ip.ttl vxlan.vni)" "$want1"
expect "vtepd's ARP for $E2E_H3_OVERLAY reached h3 as unicast VXLAN from its flood list" \
	"$(frames "$LOG/sw-h3.pcap" "$req" ip.src ip.dst ip.ttl vxlan.vni)" "$want3"
# Replies are unicast to the asker only (as a kernel VTEP's are): none is replicated to h3.
rep="arp.opcode == 2 && arp.src.proto_ipv4 == $E2E_H2_OVERLAY"
rep="$rep && arp.dst.proto_ipv4 == $E2E_H1_OVERLAY"
got1=$(frames "$LOG/sw-h1.pcap" "$rep" ip.src ip.dst ip.ttl vxlan.vni)
got3=$(frames "$LOG/sw-h3.pcap" "$rep" ip.src ip.dst ip.ttl vxlan.vni)
name="vtepd's ARP reply to h1 went as unicast VXLAN to $E2E_H1_IP only (h1 port | h3 port)"
if [[ "$got1 | $got3" == "$want1 | " ]]; then
	pass "$name"
else
	fail "$name" "saw '$got1 | $got3'"
fi
n=$(frames "$LOG/sw-h1.pcap" "ip.dst == $E2E_GROUP or ip.dst == 224.0.0.22" frame.number | wc -l)
expect "no group traffic on h1's port" "$n" 0

check_fdbs
copies=$(vtepd_dump_counter "vni.$E2E_VNI.flood_copies")
floods=$(vtepd_dump_counter "vni.$E2E_VNI.flood_pkts")
if [[ ${floods:-0} -gt 0 && ${copies:-0} -eq $((2 * floods)) ]]; then
	pass "vtepd replicated every flooded frame to both remotes ($floods frames, $copies copies)"
else
	fail "vtepd replicated every flooded frame to both remotes" \
		"flood_pkts '$floods' flood_copies '$copies'"
fi
if e2e_mdb_has sw-h2; then
	fail "vtepd joined no group (h2's port not in the switch's mdb)"
else
	pass "vtepd joined no group (h2's port not in the switch's mdb)"
fi
check "1400-byte ping (-s 1372, DF) h3 -> $E2E_H2_OVERLAY" \
	ping_ok "$E2E_NS_H3" "$E2E_H2_OVERLAY" -s 1372 -M "do"

vtepd_stop_check "vtepd exits with status 0 on SIGTERM"
summary
