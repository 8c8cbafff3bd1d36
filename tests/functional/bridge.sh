#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Bridge domains on net_pcap vdevs (issue 14): the underlay and three local ports, A and B
# (access ports of VNI 42) and T (a trunk: VLAN 100 is VNI 42, VLAN 200 is VNI 43). Input frames
# and the frames each port must send are written with scapy; each run feeds one port only, so the
# output order is the input order, and every output pcap is compared frame by frame with pcapcmp
# (VXLAN output after stripping its 50 outer bytes, its VNI and destination checked with tshark).
# Learning is off and every MAC is a static entry, so the result does not depend on timing.
#
#   bridge.sh VTEPD PCAPCMP
#
# Exit 0 pass, 1 fail, 77 skip (no scapy or tshark). KEEP=1 keeps the work directory.
set -euo pipefail

VTEPD=${1:?vtepd}
PCAPCMP=${2:?pcapcmp}
PY=/usr/bin/python3
T=$(mktemp -d /tmp/vtepbr.XXXXXX)
PREFIXES=()
FAILS=0

cleanup() {
	local p
	for p in "${PREFIXES[@]+"${PREFIXES[@]}"}"; do
		rm -rf "/var/run/dpdk/$p"
	done
	if [ "${KEEP:-0}" = 1 ]; then echo "work directory kept: $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}
ok() { echo "ok: $*"; }
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1 = $3"; else fail "$1: got '$2', expected '$3'"; fi
}

command -v tshark >/dev/null || { echo "SKIP: tshark not installed"; exit 77; }
"$PY" -c 'import scapy' 2>/dev/null || { echo "SKIP: python3-scapy not installed"; exit 77; }

# The frames: input per run and what each port must send (pcaps named RUN.in, RUN.PORT.want).
"$PY" - "$T" <<'EOF'
import sys
from scapy.all import Ether, Dot1Q, IP, UDP, VXLAN, Raw, wrpcap

d = sys.argv[1]
MA, MA2, MB, MT = "02:00:00:00:0a:01", "02:00:00:00:0a:02", "02:00:00:00:0b:01", "02:00:00:00:0d:01"
MR, MR2, UNK, BC = "02:00:00:00:0e:01", "02:00:00:00:0e:02", "02:00:00:00:99:99", "ff:ff:ff:ff:ff:ff"

def f(dst, src, n):
    return Ether(dst=dst, src=src) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1000 + n, dport=2000) / Raw(b"x" * 30)

def tag(p, vid):
    return Ether(dst=p.dst, src=p.src) / Dot1Q(vlan=vid) / p.payload

def vx(p, vni):
    # net_pcap0's fixed MAC: vtepd drops VXLAN to another destination MAC (rx_dst_mac).
    return (Ether(dst="02:70:63:61:70:00", src="02:00:00:00:91:82") /
            IP(src="172.16.91.130", dst="172.16.91.129") / UDP(sport=50000, dport=4789) /
            VXLAN(vni=vni, flags=0x08) / p)

def w(name, frames):
    wrpcap(f"{d}/{name}", frames if frames else [], linktype=1)

# Run "porta": everything from A (src MA, static behind A).
a = [f(MB, MA, 1), f(MT, MA, 2), f(MA2, MA, 3), f(BC, MA, 4), f(UNK, MA, 5), f(MR, MA, 6)]
w("porta.in", a)
w("porta.a.want", [])
w("porta.b.want", [a[0], a[3], a[4]])
w("porta.t.want", [tag(a[1], 100), tag(a[3], 100), tag(a[4], 100)])
w("porta.u.want", [a[3], a[4], a[5]])
# Run "tunnel": VXLAN from 172.16.91.130 (src MR, static there).
t = [f(MA, MR, 1), f(MT, MR, 2), f(BC, MR, 3), f(UNK, MR, 4), f(MR2, MR, 5), f(BC, MR, 6)]
w("tunnel.in", [vx(p, 42) for p in t[:5]] + [vx(t[5], 43)])
w("tunnel.a.want", [t[0], t[2], t[3]])
w("tunnel.b.want", [t[2], t[3]])
w("tunnel.t.want", [tag(t[1], 100), tag(t[2], 100), tag(t[3], 100), tag(t[5], 200)])
w("tunnel.u.want", [])
# Run "trunk": from T: VLAN 100 to A, VLAN 200 broadcast (VNI 43: only the tunnel), VLAN 300,
# untagged, VLAN 100 broadcast.
k = [f(MA, MT, 1), f(BC, MT, 2), f(MA, MT, 3), f(MA, MT, 4), f(BC, MT, 5)]
w("trunk.in", [tag(k[0], 100), tag(k[1], 200), tag(k[2], 300), k[3], tag(k[4], 100)])
w("trunk.a.want", [k[0], k[4]])
w("trunk.b.want", [k[4]])
w("trunk.t.want", [])
w("trunk.u.want", [k[1], k[4]])
# Run "portb2w", two workers: everything from B, which the second worker polls (it has no queue
# of its own on any port: its frames go through the ports' rings to the first worker).
b = [f(MA, MB, 1), f(MT, MB, 2), f(BC, MB, 3), f(UNK, MB, 4), f(MR, MB, 5)]
w("portb2w.in", b)
w("portb2w.a.want", [b[0], b[2], b[3]])
w("portb2w.b.want", [])
w("portb2w.t.want", [tag(b[1], 100), tag(b[2], 100), tag(b[3], 100)])
w("portb2w.u.want", [b[2], b[3], b[4]])
EOF

# run RUN INPUT_PORT [LCORES]: vtepd with the input on one port (u, a, b or t) until idle;
# LCORES: EAL's --lcores (default -l 0,1: one worker).
run() {
	local run=$1 inport=$2 lcores=${3:---lcores=0@0,1@1} p rc=0 pfx="vtepbr-$1-$$" vdevs=() i=0
	PREFIXES+=("$pfx")
	for p in u a b t; do
		local rx=$T/empty.pcap
		[ "$p" = "$inport" ] && rx=$T/$run.in
		vdevs+=("--vdev=net_pcap$i,rx_pcap=$rx,tx_pcap=$T/$run.$p.got")
		i=$((i + 1))
	done
	timeout --kill-after=10 60 "$VTEPD" --no-huge -m 512 --no-pci --file-prefix="$pfx" \
		--log-level=lib.eal:warning "$lcores" "${vdevs[@]}" -- \
		dev net_pcap0 local 172.16.91.129/24 \
		neigh 172.16.91.130 lladdr 02:00:00:00:91:82 neigh 172.16.91.131 lladdr 02:00:00:00:91:83 \
		id 42 group 239.1.1.1 nolearning port net_pcap1 port net_pcap2 port net_pcap3 vlan 100 \
		id 43 remote 172.16.91.130 nolearning port net_pcap3 vlan 200 \
		fdb 02:00:00:00:0a:01 dev net_pcap1 fdb 02:00:00:00:0a:02 dev net_pcap1 \
		fdb 02:00:00:00:0b:01 dev net_pcap2 fdb 02:00:00:00:0d:01 dev net_pcap3 vlan 100 \
		fdb 02:00:00:00:0d:01 dev net_pcap3 vlan 200 \
		fdb 02:00:00:00:0e:01 dst 172.16.91.130 vni 42 fdb 02:00:00:00:0e:02 dst 172.16.91.131 vni 42 \
		fdb 02:00:00:00:0e:01 dst 172.16.91.130 vni 43 \
		idle-exit 1500 >"$T/$run.out" 2>"$T/$run.err" || rc=$?
	expect_eq "$run: vtepd exit status" "$rc" 0
	[ "$rc" = 0 ] || tail -n 5 "$T/$run.err"
}

counter() {
	awk -v n="$2" '$1 == "counter" && $2 == n { v = $3 } END { print (v == "" ? "missing" : v) }' \
		"$T/$1.out"
}

# cmp_port RUN PORT: the port sent exactly the wanted frames (the underlay: their inner frames).
cmp_port() {
	local out args=()
	[ "$2" = u ] && args=(--strip-a 50 --only-udp-port-a 4789)
	if out=$("$PCAPCMP" "${args[@]}" "$T/$1.$2.got" "$T/$1.$2.want" 2>&1); then
		ok "$1: port $2 sent the wanted frames: $out"
	else
		fail "$1: port $2: $out"
	fi
}

# vxlan RUN: "dst vni" of each VXLAN frame the underlay sent, one a line.
vxlan() {
	tshark -r "$T/$1.u.got" -d udp.port==4789,vxlan -Y vxlan -T fields -e ip.dst -e vxlan.vni \
		2>/dev/null | awk -F'\t' '{ split($1, a, ","); print a[1], $2 }'
}

"$PY" -c "from scapy.all import wrpcap; wrpcap('$T/empty.pcap', [], linktype=1)"

run porta a
for p in a b t u; do cmp_port porta $p; done
expect_eq "porta: outer destinations and VNIs" "$(vxlan porta | tr '\n' ';')" \
	"239.1.1.1 42;239.1.1.1 42;172.16.91.130 42;"
expect_eq "porta: switched (never encapsulated)" "$(counter porta vni.42.switch_pkts)" 2
expect_eq "porta: hairpin dropped" "$(counter porta drop.inner_hairpin)" 1
expect_eq "porta: local flood copies (2 floods x B and T)" "$(counter porta vni.42.local_copies)" 4
expect_eq "porta: A's rx" "$(counter porta link.net_pcap1.rx_pkts)" 6
expect_eq "porta: T vlan 100's tx" "$(counter porta link.net_pcap3.vlan100.tx_pkts)" 3

run tunnel u
for p in a b t u; do cmp_port tunnel $p; done
expect_eq "tunnel: split horizon dropped" "$(counter tunnel drop.rx_split_horizon)" 1
expect_eq "tunnel: nothing back into the tunnel (encap + flood copies)" \
	"$(($(counter tunnel vni.42.encap_pkts) + $(counter tunnel vni.42.flood_copies)))" 0

run trunk t
for p in a b t u; do cmp_port trunk $p; done
expect_eq "trunk: outer destinations and VNIs" "$(vxlan trunk | tr '\n' ';')" \
	"172.16.91.130 43;239.1.1.1 42;"
expect_eq "trunk: VLAN 300 dropped" "$(counter trunk drop.inner_vlan_unmapped)" 1
expect_eq "trunk: untagged dropped" "$(counter trunk drop.inner_untagged)" 1

run portb2w b --lcores=0@0,1@1,2@1
if grep -q 'running, 2 worker' "$T/portb2w.out"; then ok "portb2w: two workers"; else
	fail "portb2w: not two workers"; fi
for p in a b t u; do cmp_port portb2w $p; done
expect_eq "portb2w: the second worker switched" "$(counter portb2w lcore.2.inner_rx)" 5
expect_eq "portb2w: switched (never encapsulated)" "$(counter portb2w vni.42.switch_pkts)" 2

for r in porta tunnel trunk portb2w; do
	expect_eq "$r: mbufs in use back to the baseline" "$(counter $r mempool.in_use_after)" \
		"$(counter $r mempool.in_use_before)"
done

if [ "$FAILS" -ne 0 ]; then
	echo "bridge: $FAILS check(s) failed"
	exit 1
fi
echo "bridge: all checks passed"
