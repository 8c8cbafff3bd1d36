#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The VLAN-to-VNI gateway (issue 14): vtepd's trunk port carries VLAN 100 (VNI 42) and VLAN 200
# (VNI 43). This kernel has no 802.1Q devices, so the trunk's far side is namespace tk with a
# small tc-BPF program (vlan_switch.bpf.c, built here with clang): frames from v100 (10.0.0.100)
# get tag 100, frames from v200 (10.0.43.200) tag 200, both go to vtepd on one veth; tagged
# frames back lose their tag and go to their namespace. VNI 42 reaches h1 (the seed's vxlan0),
# VNI 43 reaches h3's vxlan43 (group 239.1.1.43).
#
# Checks: pings both ways on each VLAN; on the wire each VLAN's traffic carries its own VNI;
# what one VLAN sends never shows up in the other's namespace (with positive controls); frames
# with VLAN 300 and untagged frames (scapy, on the trunk) are dropped and counted. About 40 s.
# Run as root: VTEPD=build/app/vtepd/vtepd tests/e2e/test_vlan.sh
set -uo pipefail

E2E_FLOOD=group
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${VTEPCTL:=$(dirname "$VTEPD")/../vtepctl/vtepctl}"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

command -v clang >/dev/null || { e2e_log "missing tool: clang (scripts/setup.sh)"; exit 1; }

e2e_timers 300 100 800
e2e_begin

NS_TK=$E2E_NS_BASE-tk
NS_V100=$E2E_NS_BASE-v100
NS_V200=$E2E_NS_BASE-v200
V100_IP=10.0.0.100
V200_IP=10.0.43.200
H3_V43=10.0.43.3
GROUP43=239.1.1.43

ifindex() { ip -n "$1" -o link show "$2" | cut -d: -f1; }

# trunk_up: tk with trk (peer vt1 in h2), p100 and p200 (peers eth0 in v100 and v200), and the
# tc-BPF VLAN switch between them.
trunk_up() {
	local ns obj=$LOG/vlan_switch.o
	E2E_EXTRA_NAMESPACES+=("$NS_TK" "$NS_V100" "$NS_V200")
	for ns in "$NS_TK" "$NS_V100" "$NS_V200"; do
		ip netns del "$ns" 2>/dev/null # a stale one from an interrupted run
		e2e_ns_new "$ns" || return 1
	done
	ip -n "$NS_TK" link add trk type veth peer name vt1 netns "$E2E_NS_H2" || return 1
	ip -n "$NS_TK" link add p100 type veth peer name eth0 netns "$NS_V100" || return 1
	ip -n "$NS_TK" link add p200 type veth peer name eth0 netns "$NS_V200" || return 1
	for ns in "$NS_TK:trk" "$NS_TK:p100" "$NS_TK:p200" "$E2E_NS_H2:vt1" "$NS_V100:eth0" \
		"$NS_V200:eth0"; do
		e2e_offloads_off "${ns%%:*}" "${ns#*:}" || return 1
		ns_exec "${ns%%:*}" ethtool -K "${ns#*:}" txvlan off rxvlan off >/dev/null 2>&1
		ip -n "${ns%%:*}" link set "${ns#*:}" up || return 1
	done
	ip -n "$NS_V100" addr add "$V100_IP/24" dev eth0 || return 1
	ip -n "$NS_V200" addr add "$V200_IP/24" dev eth0 || return 1
	clang -O2 -target bpf -I/usr/include/x86_64-linux-gnu \
		-DTRUNK_IF="$(ifindex "$NS_TK" trk)" -DACCESS100_IF="$(ifindex "$NS_TK" p100)" \
		-DACCESS200_IF="$(ifindex "$NS_TK" p200)" -c "$HERE/vlan_switch.bpf.c" -o "$obj" ||
		return 1
	for ns in trk:trunk p100:access100 p200:access200; do
		ns_exec "$NS_TK" tc qdisc add dev "${ns%%:*}" clsact || return 1
		ns_exec "$NS_TK" tc filter add dev "${ns%%:*}" ingress bpf direct-action obj "$obj" \
			sec "tc/${ns#*:}" || return 1
	done
}

# h3 gets a second kernel VTEP, VNI 43.
vni43_up() {
	ip -n "$E2E_NS_H3" link add vxlan43 type vxlan id 43 dstport 4789 group "$GROUP43" \
		dev eth0 || return 1
	ip -n "$E2E_NS_H3" addr add "$H3_V43/24" dev vxlan43 || return 1
	ip -n "$E2E_NS_H3" link set vxlan43 up
}

ctl() { "$VTEPCTL" --file-prefix "$E2E_VTEPD_PREFIX" "$@"; }
counter() { ctl -s stats | awk -v n="$1" '$1 == n { print $2 }'; }

# craft N VLAN|untagged: N frames for 10.0.0.1 from the trunk side, tagged or not (scapy).
craft() {
	local tagged=$2
	ns_exec "$NS_TK" /usr/bin/python3 - "$1" "$tagged" <<'EOF' >/dev/null 2>&1
import sys
from scapy.all import Ether, Dot1Q, IP, ICMP, sendp
n, vid = int(sys.argv[1]), sys.argv[2]
p = IP(src="10.0.0.77", dst="10.0.0.1") / ICMP()
f = Ether(src="02:00:00:00:77:77", dst="ff:ff:ff:ff:ff:ff")
f = f / Dot1Q(vlan=int(vid)) / p if vid != "untagged" else f / p
sendp([f] * n, iface="trk", verbose=False)
EOF
}

trunk_up || e2e_abort "trunk namespace with the tc-BPF VLAN switch"
vni43_up || e2e_abort "h3's vxlan43 (VNI 43)"
e2e_capture_start "$E2E_NS_SW" sw-h2 "$LOG/sw-h2.pcap" "udp port 4789" || fail "capture on sw-h2"
cap=$E2E_CAPTURE_PID
# shellcheck disable=SC2054 # "-l 0,1" is one EAL argument
vtepd_start -l 0,1 --no-huge -m 512 --no-pci --file-prefix="$E2E_VTEPD_PREFIX" \
	--log-level=lib.eal:warning --vdev=net_af_packet0,iface=eth0 \
	--vdev=net_af_packet1,iface=vt1 -- \
	dev net_af_packet0 local "$E2E_H2_IP/24" dstport 4789 \
	id 42 group "$E2E_GROUP" port net_af_packet1 vlan 100 \
	id 43 group "$GROUP43" port net_af_packet1 vlan 200 ||
	e2e_abort "vtepd starts with trunk net_af_packet1: vlan 100 -> VNI 42, vlan 200 -> VNI 43"
wait_for "grep -q '^vtepd: running' '$E2E_VTEPD_LOG'" 20 || e2e_abort "vtepd running"
pass "vtepd runs with trunk net_af_packet1: vlan 100 -> VNI 42, vlan 200 -> VNI 43"

# member PORT GROUP: the snooping switch forwards GROUP to PORT.
member() {
	ns_exec "$E2E_NS_SW" bridge mdb show dev br0 | grep -q "port $1 grp $2 "
}
check "switch has h1 in $E2E_GROUP, h3 in $GROUP43 and vtepd (h2) in both" wait_for \
	"member sw-h1 $E2E_GROUP && member sw-h3 $GROUP43 && member sw-h2 $E2E_GROUP && member sw-h2 $GROUP43" 20

# VLAN 100 <-> VNI 42 (h1), while v200 listens; then VLAN 200 <-> VNI 43 (h3), while v100 does.
e2e_capture_start "$NS_V200" eth0 "$LOG/v200.pcap" "" || fail "capture in v200"
c200=$E2E_CAPTURE_PID
check "ping $E2E_H1_OVERLAY (h1, VNI 42) from v100 (VLAN 100)" ping_ok "$NS_V100" "$E2E_H1_OVERLAY"
check "ping $V100_IP (v100) from h1" ping_ok "$E2E_NS_H1" "$V100_IP"
e2e_capture_start "$NS_V100" eth0 "$LOG/v100.pcap" "" || fail "capture in v100"
c100=$E2E_CAPTURE_PID
check "ping $H3_V43 (h3, VNI 43) from v200 (VLAN 200)" ping_ok "$NS_V200" "$H3_V43"
check "ping $V200_IP (v200) from h3's vxlan43" ping_ok "$E2E_NS_H3" "$V200_IP"
e2e_capture_stop "$c100"
e2e_capture_stop "$c200"
e2e_capture_stop "$cap"

# count PCAP FILTER: frames matching.
count() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }
n_other=$(count "$LOG/v200.pcap" "ip.addr == $V100_IP || arp.src.proto_ipv4 == $V100_IP")
n_own=$(count "$LOG/v200.pcap" "icmp && ip.addr == $V200_IP")
if [[ $n_other -eq 0 && $n_own -ge 2 ]]; then
	pass "v200 saw none of VLAN 100's traffic (and $n_own of its own pings)"
else
	fail "v200 saw none of VLAN 100's traffic" "$n_other frames of v100's; $n_own of its own"
fi
n_other=$(count "$LOG/v100.pcap" "ip.addr == $V200_IP || arp.src.proto_ipv4 == $V200_IP")
n_own=$(count "$LOG/v100.pcap" "ip.addr == $V100_IP || arp.src.proto_ipv4 == $V100_IP")
if [[ $n_other -eq 0 ]]; then
	pass "v100 saw none of VLAN 200's traffic"
else
	fail "v100 saw none of VLAN 200's traffic" "$n_other frames ($n_own of its own)"
fi
vni_of() {
	e2e_vxlan_fields "$LOG/sw-h2.pcap" "icmp && ip.src == $E2E_H2_IP && ip.addr == $1" \
		vxlan.vni | sort -u | tr '\n' ' '
}
got=$(vni_of "$V100_IP")
if [[ $got == "42 " ]]; then pass "VLAN 100's frames left h2 as VNI 42"; else
	fail "VLAN 100's frames left h2 as VNI 42" "VNIs '$got'"; fi
got=$(vni_of "$V200_IP")
if [[ $got == "43 " ]]; then pass "VLAN 200's frames left h2 as VNI 43"; else
	fail "VLAN 200's frames left h2 as VNI 43" "VNIs '$got'"; fi

# Unmapped VLAN and untagged frames on the trunk: dropped and counted.
unm0=$(counter drop.inner_vlan_unmapped)
unt0=$(counter drop.inner_untagged)
craft 3 300
craft 2 untagged
if wait_for "[[ \$(counter drop.inner_vlan_unmapped) -eq $((unm0 + 3)) ]]" 10; then
	pass "3 frames with VLAN 300 dropped, counted in drop.inner_vlan_unmapped"
else
	fail "3 frames with VLAN 300 dropped and counted" "$unm0 -> $(counter drop.inner_vlan_unmapped)"
fi
if wait_for "[[ \$(counter drop.inner_untagged) -eq $((unt0 + 2)) ]]" 10; then
	pass "2 untagged frames dropped, counted in drop.inner_untagged"
else
	fail "2 untagged frames dropped and counted" "$unt0 -> $(counter drop.inner_untagged)"
fi
links=$(ctl -s link show)
echo "$links" >"$LOG/links.txt"
if grep -q "^net_af_packet1 vlan 100 master 42 state up" <<<"$links" &&
	grep -q "^net_af_packet1 vlan 200 master 43 state up" <<<"$links"; then
	pass "vtepctl link show: the trunk's two attachments"
else
	fail "vtepctl link show: the trunk's two attachments" "$(tr '\n' ';' <<<"$links")"
fi

[[ -n ${E2E_HOLD:-} ]] && sleep "$E2E_HOLD"
vtepd_stop_check "vtepd exits with status 0 on SIGTERM"
summary
