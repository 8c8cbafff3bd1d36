#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The Linux kernel's verdict on malformed and unusual VXLAN frames (issue 12 section 2): what its
# vxlan device delivers and learns, so that vtepd's classifier can be held to it (tests/unit/
# test_parse.c cites the results, kept in tests/unit/golden/kernel_verdicts.txt).
#
#   kv<TAG>-a: eth0 172.16.91.1/24 02:00:00:00:91:01, scapy sends each case from here
#   kv<TAG>-b: eth0 172.16.91.129/24 02:00:00:00:91:81, promiscuous (as vtepd's port), RX/TX
#              checksum offload off (else veth vouches for every checksum), vxlan0 id 42
#              dstport 4789 group 239.1.1.1 (learning, the kernel's defaults), 10.0.0.2/24
#
# Per case: "delivered" = vxlan0's rx_packets grew, "errors" = its rx_errors, "learned" = the
# remote its FDB has for the case's inner source MAC. After each case a valid marker frame is sent
# and waited for (learned), so the case's frame has been handled (no fixed sleep).
#
# Usage: sudo scripts/kernel-verdicts.sh [TAG] > tests/unit/golden/kernel_verdicts.txt
set -euo pipefail

TAG=${1:-}
A=kv${TAG}-a
B=kv${TAG}-b
PY=/usr/bin/python3

cleanup() {
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
}
if [[ $(id -u) -ne 0 ]]; then
	echo "kernel-verdicts: must run as root (network namespaces)" >&2
	exit 1
fi
"$PY" -c 'import scapy.all' 2>/dev/null || { echo "kernel-verdicts: $PY lacks scapy" >&2; exit 1; }
cleanup
trap cleanup EXIT
ip netns add "$A"
ip netns add "$B"
ip -n "$A" link add eth0 type veth peer name eth0 netns "$B"
ip -n "$A" link set eth0 address 02:00:00:00:91:01
ip -n "$B" link set eth0 address 02:00:00:00:91:81
for ns in "$A" "$B"; do
	ip netns exec "$ns" ethtool -K eth0 rx off tx off tso off gso off gro off >/dev/null
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
done
ip -n "$A" addr add 172.16.91.1/24 dev eth0
ip -n "$B" addr add 172.16.91.129/24 dev eth0
ip -n "$B" link set eth0 promisc on
ip -n "$B" link add vxlan0 type vxlan id 42 dstport 4789 group 239.1.1.1 dev eth0
ip -n "$B" link set vxlan0 address 02:00:00:00:00:02
ip -n "$B" addr add 10.0.0.2/24 dev vxlan0
ip -n "$B" link set vxlan0 up

echo "# Measured by scripts/kernel-verdicts.sh, kernel $(uname -r)"
echo "# sysctl in the receiving namespace: $(ip netns exec "$B" sysctl -n \
	net.ipv4.conf.all.rp_filter net.ipv4.conf.all.accept_source_route \
	net.ipv4.conf.all.route_localnet | tr '\n' ' ')(rp_filter accept_source_route route_localnet)"
ip netns exec "$A" "$PY" - "$B" <<'PY'
import json, subprocess, sys, time
from scapy.all import Ether, IP, UDP, Dot1Q, Raw, IPOption, sendp
from scapy.layers.vxlan import VXLAN
B = sys.argv[1]
def b(*cmd):
    return subprocess.run(["ip", "netns", "exec", B] + list(cmd), capture_output=True, text=True).stdout
def rx():
    j = json.loads(b("ip", "-s", "-j", "link", "show", "vxlan0"))[0]["stats64"]["rx"]
    return j["packets"], j["errors"], j.get("length_errors", 0)
def fdb(mac):
    for l in b("bridge", "fdb", "show", "dev", "vxlan0").splitlines():
        if l.startswith(mac):
            return l
    return ""
OWN = "02:00:00:00:91:81"
def outer(src="172.16.91.1", dst="172.16.91.129", dmac=OWN, ihl_opts=None, vlan=None, chksum=0):
    e = Ether(dst=dmac, src="02:00:00:00:91:01")
    if vlan is not None:
        e = e / Dot1Q(vlan=vlan)
    ip = IP(src=src, dst=dst, ttl=64) if ihl_opts is None else IP(src=src, dst=dst, ttl=64, options=ihl_opts)
    return e, ip
def inner(mac, n=None, etype=None):
    f = Ether(dst="02:00:00:00:00:02", src=mac) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=7, dport=8) / Raw(b"x" * 20)
    if n is not None:
        raw = bytes(f)[:n]
        if etype is not None:
            raw = raw[:12] + etype.to_bytes(2, "big") + raw[14:]
        return Raw(raw)
    return f
seq = [0]
def send(frame):
    sendp(frame, iface="eth0", verbose=False)
def marker():
    seq[0] += 1
    mac = "02:00:00:ee:ee:%02x" % seq[0]
    e, ip = outer()
    send(e / ip / UDP(sport=40000, dport=4789, chksum=0) / VXLAN(flags=0x08, vni=42) / inner(mac))
    for _ in range(100):
        if fdb(mac):
            return
        time.sleep(0.02)
    print("marker not learned", file=sys.stderr)
def case(name, mac, frame):
    before = rx()
    send(frame)
    marker()
    after = rx()
    d = after[0] - before[0] - 1
    l = fdb(mac)
    print("%-28s delivered %d errors %+d learned %s" % (name, d, after[1] - before[1], l.split(" dst ")[1].split()[0] if l else "no"))
def vx(name, mac, src="172.16.91.1", dst="172.16.91.129", dmac=OWN, opts=None, vlan=None, inn=None, csum=0, fix=None):
    e, ip = outer(src, dst, dmac, opts, vlan)
    u = UDP(sport=40000, dport=4789, chksum=csum)
    f = e / ip / u / VXLAN(flags=0x08, vni=42) / (inn if inn is not None else inner(mac))
    if fix:
        f = fix(f)
    case(name, mac, f)
marker()
vx("valid", "02:00:00:00:01:01")
vx("src 0.0.0.0", "02:00:00:00:01:02", src="0.0.0.0")
vx("src 127.0.0.1", "02:00:00:00:01:03", src="127.0.0.1")
vx("src 224.1.2.3", "02:00:00:00:01:04", src="224.1.2.3")
vx("src 255.255.255.255", "02:00:00:00:01:05", src="255.255.255.255")
vx("src 172.16.91.255 (bcast)", "02:00:00:00:01:06", src="172.16.91.255")
vx("src 240.0.0.1", "02:00:00:00:01:07", src="240.0.0.1")
vx("src 172.16.91.0 (net)", "02:00:00:00:01:08", src="172.16.91.0")
vx("src 10.9.9.9 (off-link)", "02:00:00:00:01:09", src="10.9.9.9")
vx("dmac other host", "02:00:00:00:02:01", dmac="02:00:00:00:99:99")
vx("dmac broadcast", "02:00:00:00:02:02", dmac="ff:ff:ff:ff:ff:ff")
vx("group, group mac", "02:00:00:00:02:03", dst="239.1.1.1", dmac="01:00:5e:01:01:01")
vx("group, other group mac", "02:00:00:00:02:04", dst="239.1.1.1", dmac="01:00:5e:02:02:02")
vx("group, own unicast mac", "02:00:00:00:02:05", dst="239.1.1.1", dmac=OWN)
vx("group, bcast mac", "02:00:00:00:02:06", dst="239.1.1.1", dmac="ff:ff:ff:ff:ff:ff")
vx("unicast ip, group mac", "02:00:00:00:02:07", dmac="01:00:5e:01:01:01")
vx("802.1Q tag 100", "02:00:00:00:03:01", vlan=100)
vx("802.1Q tag 0 (prio)", "02:00:00:00:03:02", vlan=0)
vx("udp csum ok", "02:00:00:00:04:01", csum=None)
vx("udp csum wrong", "02:00:00:00:04:02", csum=0x1234)
vx("opts NOP NOP NOP EOL", "02:00:00:00:05:01", opts=[IPOption(b"\x01\x01\x01\x00")])
vx("opts router alert", "02:00:00:00:05:02", opts=[IPOption(b"\x94\x04\x00\x00")])
vx("opts RA value 1", "02:00:00:00:05:03", opts=[IPOption(b"\x94\x04\x00\x01")])
vx("opts len 0", "02:00:00:00:05:04", opts=[IPOption(b"\x44\x00\x00\x00")])
vx("opts len past hdr", "02:00:00:00:05:05", opts=[IPOption(b"\x94\x08\x00\x00")])
vx("opts LSRR", "02:00:00:00:05:06", opts=[IPOption(b"\x83\x07\x04\x0a\x00\x00\x01\x00")])
vx("opts RR", "02:00:00:00:05:07", opts=[IPOption(b"\x07\x07\x04\x00\x00\x00\x00\x00")])
vx("opts RR ptr 3", "02:00:00:00:05:08", opts=[IPOption(b"\x07\x07\x03\x00\x00\x00\x00\x00")])
vx("opts unknown 0x1e len 4", "02:00:00:00:05:09", opts=[IPOption(b"\x1e\x04\x00\x00")])
vx("opts TS len 4 ptr 5", "02:00:00:00:05:0a", opts=[IPOption(b"\x44\x04\x05\x00")])
vx("opts EOL then junk", "02:00:00:00:05:0b", opts=[IPOption(b"\x00\x77\x77\x77")])
vx("opts RA len 2", "02:00:00:00:05:0c", opts=[IPOption(b"\x94\x02\x01\x00")])
vx("opts RA twice", "02:00:00:00:05:0d", opts=[IPOption(b"\x94\x04\x00\x00\x94\x04\x00\x00")])
vx("opts RR twice", "02:00:00:00:05:0e", opts=[IPOption(b"\x07\x03\x04\x07\x03\x04\x01\x00")])
vx("opts one byte 0x07", "02:00:00:00:05:0f", opts=[IPOption(b"\x01\x01\x01\x07")])
vx("inner 14 IPv4", "02:00:00:00:06:01", inn=inner("02:00:00:00:06:01", 14))
vx("inner 14 0x88b5", "02:00:00:00:06:02", inn=inner("02:00:00:00:06:02", 14, 0x88b5))
vx("inner 15 0x88b5", "02:00:00:00:06:03", inn=inner("02:00:00:00:06:03", 15, 0x88b5))
vx("inner 33 IPv4", "02:00:00:00:06:04", inn=inner("02:00:00:00:06:04", 33))
vx("inner 34 IPv4", "02:00:00:00:06:05", inn=inner("02:00:00:00:06:05", 34))
vx("inner 40 IPv6 type", "02:00:00:00:06:06", inn=inner("02:00:00:00:06:06", 40, 0x86dd))
vx("inner 54 IPv6 type", "02:00:00:00:06:07", inn=inner("02:00:00:00:06:07", 54, 0x86dd))
vx("inner 14 ARP", "02:00:00:00:06:08", inn=inner("02:00:00:00:06:08", 14, 0x0806))
vx("inner 14 VLAN", "02:00:00:00:06:09", inn=inner("02:00:00:00:06:09", 14, 0x8100))
vx("inner 17 VLAN", "02:00:00:00:06:0a", inn=inner("02:00:00:00:06:0a", 17, 0x8100))
vx("opts CIPSO len 8", "02:00:00:00:07:01", opts=[IPOption(b"\x86\x08\x00\x00\x00\x01\x00\x00")])
vx("opts SSRR", "02:00:00:00:07:02", opts=[IPOption(b"\x89\x07\x04\x0a\x00\x00\x01\x00")])
vx("opts TS twice", "02:00:00:00:07:03", opts=[IPOption(b"\x44\x04\x05\x00\x44\x04\x05\x00")])
vx("opts RR len 2", "02:00:00:00:07:04", opts=[IPOption(b"\x07\x02\x01\x00")])
vx("opts SEC len 4", "02:00:00:00:07:05", opts=[IPOption(b"\x82\x04\x00\x00")])
vx("opts TS ovfl 15", "02:00:00:00:07:06", opts=[IPOption(b"\x44\x04\x05\xf0")])
vx("opts TS ptr 5 len 8 flag 1", "02:00:00:00:07:07", opts=[IPOption(b"\x44\x08\x05\x01\x00\x00\x00\x00")])
vx("opts RR ptr 8 len 7", "02:00:00:00:07:08", opts=[IPOption(b"\x07\x07\x08\x00\x00\x00\x00\x00")])
vx("opts RR ptr 5 len 7", "02:00:00:00:07:09", opts=[IPOption(b"\x07\x07\x05\x00\x00\x00\x00\x00")])
vx("opts LSRR len 2", "02:00:00:00:07:0a", opts=[IPOption(b"\x83\x02\x01\x00")])
vx("opts 40 bytes NOP", "02:00:00:00:07:0b", opts=[IPOption(b"\x01" * 40)])
vx("opts len exactly rest", "02:00:00:00:07:0c", opts=[IPOption(b"\x01\x1e\x03\x00")])
PY
