#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Baseline of the end-to-end harness: the two Linux kernel VTEPs of the seed (h1 and h3) reach
# each other across the overlay through the IGMP-snooping switch. No vtepd is involved; when this
# fails, the topology or the machine is at fault, not vtepd.
#
# Run as root: tests/e2e/test_kernel_only.sh  (about 15 s; E2E_KEEP_LOGS=1 keeps the captures)
set -uo pipefail

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Short switch timers, so the test can outlive a membership interval: query every 2 s, answer
# within 1 s, forget a port 5 s after its last report.
e2e_timers 200 100 500
e2e_begin

# The kernel VTEPs join the group when vxlan0 comes up (RFC 3376 unsolicited reports).
check "switch has h1 and h3 as members of $E2E_GROUP" \
	wait_for "e2e_mdb_has sw-h1 && e2e_mdb_has sw-h3" 10

e2e_capture_start "$E2E_NS_SW" sw-h3 "$LOG/first.pcap" 'udp port 4789'
cap=$E2E_CAPTURE_PID
check "ping $E2E_H3_OVERLAY from h1" \
	wait_for "ns_exec $E2E_NS_H1 ping -c 1 -W 1 $E2E_H3_OVERLAY" 10
check "ping $E2E_H1_OVERLAY from h3" ns_exec "$E2E_NS_H3" ping -c 3 -i 0.2 -W 1 "$E2E_H1_OVERLAY"
e2e_capture_stop "$cap"

# RFC 7348 section 4.2: BUM traffic (here the first ARP request) goes to the VNI's group; the
# kernel sends it with TTL 1 (ttl auto). The reply is unicast to the learned VTEP, TTL 64.
first=$(first_frame "$LOG/first.pcap" 'arp.opcode == 1' ip.src ip.dst ip.ttl vxlan.vni)
want=$(printf '%s\t%s\t%s\t%s' "$E2E_H1_IP" "$E2E_GROUP" 1 "$E2E_VNI")
if [[ "$first" == "$want" ]]; then
	pass "first ARP went as VXLAN VNI $E2E_VNI to $E2E_GROUP with TTL 1"
else
	fail "first ARP went as VXLAN VNI $E2E_VNI to $E2E_GROUP with TTL 1" "saw '${first}'"
fi
reply=$(first_frame "$LOG/first.pcap" 'arp.opcode == 2' ip.src ip.dst ip.ttl)
want=$(printf '%s\t%s\t%s' "$E2E_H3_IP" "$E2E_H1_IP" 64)
if [[ "$reply" == "$want" ]]; then
	pass "ARP reply came back unicast $E2E_H3_IP -> $E2E_H1_IP with TTL 64"
else
	fail "ARP reply came back unicast $E2E_H3_IP -> $E2E_H1_IP with TTL 64" "saw '${reply}'"
fi

h1_mac=$(e2e_mac "$E2E_NS_H1" vxlan0)
h3_mac=$(e2e_mac "$E2E_NS_H3" vxlan0)
check "h1 learned h3's vxlan0 $h3_mac dst $E2E_H3_IP" \
	e2e_fdb_has "$E2E_NS_H1" "$h3_mac" "$E2E_H3_IP"
check "h3 learned h1's vxlan0 $h1_mac dst $E2E_H1_IP" \
	e2e_fdb_has "$E2E_NS_H3" "$h1_mac" "$E2E_H1_IP"

# Outlive the membership interval: the kernel answers the switch's queries, so the group keeps
# reaching h3, while h2 (nothing there has joined) gets none of it.
sleep $((E2E_MCAST_MEMBERSHIP_INTERVAL / 100 + 2))
check "h1 and h3 still members after the membership interval" \
	eval "e2e_mdb_has sw-h1 && e2e_mdb_has sw-h3"
ns_exec "$E2E_NS_H1" ip neigh flush dev vxlan0
e2e_capture_start "$E2E_NS_SW" sw-h3 "$LOG/later-h3.pcap" "udp port 4789"
cap3=$E2E_CAPTURE_PID
e2e_capture_start "$E2E_NS_SW" sw-h2 "$LOG/later-h2.pcap" "udp port 4789"
cap2=$E2E_CAPTURE_PID
check "ping $E2E_H3_OVERLAY from h1 after the membership interval" \
	ns_exec "$E2E_NS_H1" ping -c 2 -i 0.2 -W 1 "$E2E_H3_OVERLAY"
e2e_capture_stop "$cap3"
e2e_capture_stop "$cap2"
n3=$(e2e_group_frames "$LOG/later-h3.pcap")
n2=$(e2e_group_frames "$LOG/later-h2.pcap")
if [[ $n3 -ge 1 ]]; then
	pass "group traffic still reaches h3's port ($n3 frames)"
else
	fail "group traffic still reaches h3's port" "0 frames"
fi
# On the 6.18 kernel measured so far br0 still floods group traffic to every port (also to a
# group nobody joined), although its mdb is right: a known gap of the harness, see README.md.
# It counts as a failure only with E2E_STRICT_SNOOPING=1.
if [[ $n2 -eq 0 ]]; then
	pass "snooping switch keeps group traffic off h2's port (not joined)"
elif [[ ${E2E_STRICT_SNOOPING:-0} == 1 ]]; then
	fail "snooping switch keeps group traffic off h2's port (not joined)" "$n2 frames"
else
	echo "INFO: snooping switch let $n2 group frames reach h2's port (not joined)"
fi

summary
