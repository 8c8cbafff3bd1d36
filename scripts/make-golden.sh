#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Make golden VXLAN frames with the real Linux kernel vxlan device.
#
# Two namespaces joined by a veth pair (offloads off, so the kernel computes checksums in
# software as a NIC driver without offload would see them):
#
#   vg-a: eth0 172.16.91.128/24 02:00:00:00:91:80, vxlan0 (the seed's device, VNI 42, group
#         239.1.1.1, 10.0.0.1/24, 02:00:00:00:00:01) and vxlan1 (VNI 43, explicit udpcsum)
#   vg-b: eth0 172.16.91.129/24 02:00:00:00:91:81, tcpdump captures here (the wire)
#
# For every case scapy writes a fully specified inner frame onto vxlan0/vxlan1 with sendp() and
# tcpdump records what the kernel put on the wire. The script then writes
#   tests/unit/golden/<case>_inner.pcap  the inner frame(s) as sent
#   tests/unit/golden/<case>_outer.pcap  the frame(s) the kernel sent on the underlay
#   tests/unit/golden/golden_frames.h    both as C arrays, for the unit tests
#   tests/unit/golden/findings.txt       measured kernel behaviour (TTL, DF, id, csum, srcport)
#
# Usage: sudo scripts/make-golden.sh [OUTDIR]   (re-runnable; namespaces are removed on exit)
set -euo pipefail

readonly VG_NS_A=vg-a
readonly VG_NS_B=vg-b
readonly VG_PY=/usr/bin/python3
VG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly VG_ROOT
VG_OUT=${1:-$VG_ROOT/tests/unit/golden}
VG_TMP=""
VG_TCPDUMP_PID=""

vg_log() { echo "make-golden: $*" >&2; }

vg_cleanup() {
	local rc=$?
	if [[ -n "$VG_TCPDUMP_PID" ]] && kill -0 "$VG_TCPDUMP_PID" 2>/dev/null; then
		kill "$VG_TCPDUMP_PID" 2>/dev/null || true
		wait "$VG_TCPDUMP_PID" 2>/dev/null || true
	fi
	ip netns del "$VG_NS_A" 2>/dev/null || true
	ip netns del "$VG_NS_B" 2>/dev/null || true
	[[ -n "$VG_TMP" ]] && rm -rf "$VG_TMP"
	exit "$rc"
}

vg_check() {
	if [[ $(id -u) -ne 0 ]]; then
		vg_log "must run as root (network namespaces)"
		exit 1
	fi
	local t
	for t in ip bridge ethtool tcpdump "$VG_PY"; do
		command -v "$t" >/dev/null || { vg_log "missing tool: $t"; exit 1; }
	done
	"$VG_PY" -c 'import scapy.all' 2>/dev/null || { vg_log "$VG_PY lacks scapy"; exit 1; }
}

vg_a() { ip netns exec "$VG_NS_A" "$@"; }
vg_b() { ip netns exec "$VG_NS_B" "$@"; }

vg_topology() {
	# A previous run killed hard may have left them behind.
	ip netns del "$VG_NS_A" 2>/dev/null || true
	ip netns del "$VG_NS_B" 2>/dev/null || true
	ip netns add "$VG_NS_A"
	ip netns add "$VG_NS_B"
	ip -n "$VG_NS_A" link add eth0 type veth peer name eth0 netns "$VG_NS_B"
	ip -n "$VG_NS_A" link set eth0 address 02:00:00:00:91:80
	ip -n "$VG_NS_B" link set eth0 address 02:00:00:00:91:81
	local ns
	for ns in "$VG_NS_A" "$VG_NS_B"; do
		ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off gro off >/dev/null
		ip -n "$ns" link set lo up
		ip -n "$ns" link set eth0 up
		# No IPv6: no router solicitations or MLD reports in the captures.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	done
	ip -n "$VG_NS_A" addr add 172.16.91.128/24 dev eth0
	ip -n "$VG_NS_B" addr add 172.16.91.129/24 dev eth0
	ip -n "$VG_NS_A" neigh add 172.16.91.129 lladdr 02:00:00:00:91:81 dev eth0 nud permanent

	# The seed's device, exactly as the seed writes it, plus a fixed MAC.
	ip -n "$VG_NS_A" link add vxlan0 type vxlan id 42 dstport 4789 group 239.1.1.1 dev eth0
	ip -n "$VG_NS_A" link set vxlan0 address 02:00:00:00:00:01
	ip -n "$VG_NS_A" addr add 10.0.0.1/24 dev vxlan0
	ip -n "$VG_NS_A" link set vxlan0 up
	vg_a bridge fdb append 02:00:00:00:00:02 dev vxlan0 dst 172.16.91.129
	ip -n "$VG_NS_A" neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev vxlan0 nud permanent

	# Two more devices with the outer UDP checksum set explicitly, to compare with the default
	# (iproute2 sends no IFLA_VXLAN_UDP_CSUM unless asked, so vxlan0 shows the kernel default).
	local dev id csum
	for dev in vxlan1:43:noudpcsum vxlan2:44:udpcsum; do
		IFS=: read -r dev id csum <<<"$dev"
		ip -n "$VG_NS_A" link add "$dev" type vxlan id "$id" dstport 4789 dev eth0 "$csum"
		ip -n "$VG_NS_A" link set "$dev" address "02:00:00:00:00:${id}"
		ip -n "$VG_NS_A" link set "$dev" up
		vg_a bridge fdb append 02:00:00:00:00:02 dev "$dev" dst 172.16.91.129
	done
}

# vg_capture CASE COUNT: capture COUNT VXLAN frames on vg-b while vg-a sends CASE.
vg_capture() {
	local name=$1 count=$2 i
	local pcap=$VG_OUT/${name}_outer.pcap err=$VG_TMP/$name.tcpdump
	rm -f "$pcap"
	vg_b tcpdump -i eth0 -n -U -Z root -s 0 -c "$count" -w "$pcap" 'udp dst port 4789' \
		2>"$err" &
	VG_TCPDUMP_PID=$!
	for ((i = 0; i < 50; i++)); do
		grep -q 'listening on' "$err" && break
		sleep 0.1
	done
	grep -q 'listening on' "$err" || { vg_log "tcpdump did not start"; cat "$err" >&2; exit 1; }
	vg_a "$VG_PY" "$VG_TMP/golden.py" send "$name" "$VG_OUT"
	for ((i = 0; i < 50; i++)); do
		kill -0 "$VG_TCPDUMP_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$VG_TCPDUMP_PID" 2>/dev/null; then
		vg_log "case $name: fewer than $count frames captured"
		exit 1
	fi
	wait "$VG_TCPDUMP_PID"
	VG_TCPDUMP_PID=""
	vg_log "case $name: $count frame(s) captured"
}

vg_write_python() {
	cat >"$VG_TMP/golden.py" <<'PYEOF'
"""Send the golden inner frames (mode 'send CASE OUT') and write the C header ('header OUT ...')."""
import os
import socket
import struct
import sys
import textwrap
import time

from scapy.all import ARP, IP, UDP, Ether, Raw, rdpcap, sendp, wrpcap

A = '02:00:00:00:00:01'      # vxlan0 (10.0.0.1)
B = '02:00:00:00:00:02'      # remote inner MAC, static FDB -> 172.16.91.129
UNKNOWN = '02:00:00:00:00:99'  # no FDB entry: flooded to the group


def pat(n):
    return Raw(bytes(i & 0xff for i in range(n)))


def udp(dst, src, size, sport=40000, dport=7, tos=0):
    """An inner Ether/IPv4/UDP frame of exactly size bytes (no FCS)."""
    return (Ether(dst=dst, src=src) / IP(src='10.0.0.1', dst='10.0.0.2', id=1, flags=0, tos=tos)
            / UDP(sport=sport, dport=dport) / pat(size - 42))


# name: (device, count, [frames], scapy expression, note)
CASES = {
    'unicast_60': ('vxlan0', 1, lambda: [udp(B, A, 60)],
                   "Ether(dst='02:00:00:00:00:02',src='02:00:00:00:00:01')/"
                   "IP(src='10.0.0.1',dst='10.0.0.2',id=1,flags=0)/UDP(sport=40000,dport=7)/"
                   "Raw(bytes(range(18)))",
                   'known unicast (static FDB entry dst 172.16.91.129), 60-byte inner frame'),
    'unicast_1000': ('vxlan0', 1, lambda: [udp(B, A, 1000)],
                     "as unicast_60 with Raw(bytes(i & 0xff for i in range(958)))",
                     'known unicast, 1000-byte inner frame'),
    'unicast_max': ('vxlan0', 1, lambda: [udp(B, A, 1464)],
                    "as unicast_60 with Raw(bytes(i & 0xff for i in range(1422)))",
                    'known unicast, largest inner frame vxlan0 accepts (MTU 1450 + 14): '
                    'outer 1514 bytes'),
    'bcast_arp': ('vxlan0', 1,
                  lambda: [Ether(dst='ff:ff:ff:ff:ff:ff', src=A) /
                           ARP(op=1, hwsrc=A, psrc='10.0.0.1', hwdst='00:00:00:00:00:00',
                               pdst='10.0.0.2')],
                  "Ether(dst='ff:ff:ff:ff:ff:ff',src='02:00:00:00:00:01')/ARP(op=1,"
                  "hwsrc='02:00:00:00:00:01',psrc='10.0.0.1',hwdst='00:00:00:00:00:00',"
                  "pdst='10.0.0.2')",
                  'broadcast ARP request (42 bytes, not padded), flooded to group 239.1.1.1'),
    'unknown_unicast': ('vxlan0', 1, lambda: [udp(UNKNOWN, A, 60)],
                        "as unicast_60 with Ether(dst='02:00:00:00:00:99')",
                        'unknown unicast (no FDB entry), flooded to group 239.1.1.1'),
    'ecn_ect0': ('vxlan0', 1, lambda: [udp(B, A, 60, tos=0xba)],
                 "as unicast_60 with IP(tos=0xba) (DSCP EF, ECT(0))",
                 'inner TOS 0xba: outer copies only the ECN bits (tos 0 default)'),
    'ecn_ce': ('vxlan0', 1, lambda: [udp(B, A, 60, tos=0x03)],
               "as unicast_60 with IP(tos=0x03) (CE)",
               'inner ECN CE: outer gets ECT(0), RFC 6040 normal mode'),
    'noudpcsum': ('vxlan1', 1, lambda: [udp(B, '02:00:00:00:00:43', 60)],
                  "as unicast_60 with Ether(src='02:00:00:00:00:43')",
                  'vxlan1: id 43 dstport 4789 dev eth0 noudpcsum; outer UDP checksum 0'),
    'udpcsum': ('vxlan2', 1, lambda: [udp(B, '02:00:00:00:00:44', 60)],
                "as unicast_60 with Ether(src='02:00:00:00:00:44')",
                'vxlan2: id 44 dstport 4789 dev eth0 udpcsum; outer UDP checksum computed'),
    # 8 flows (inner UDP source port 40000..40007), then flow 40000 twice more.
    'srcport_flows': ('vxlan0', 10,
                      lambda: [udp(B, A, 60, sport=40000 + i) for i in range(8)] +
                      [udp(B, A, 60, sport=40000)] * 2,
                      "as unicast_60 with UDP(sport=40000+i), i=0..7, then i=0 twice",
                      'outer UDP source port per inner flow and IPv4 id sequence'),
}
KERNEL_UDP = ('kernel_udp', 'a UDP datagram from the kernel stack: socket on 10.0.0.1:40000 '
              'sendto(10.0.0.2:7), 18 bytes of payload')


def send(name, out):
    if name == 'kernel_udp':
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(('10.0.0.1', 40000))
        s.sendto(bytes(range(18)), ('10.0.0.2', 7))
        return
    dev, _, frames, _, _ = CASES[name]
    pkts = frames()
    wrpcap(os.path.join(out, name + '_inner.pcap'), pkts)
    for p in pkts:
        sendp(p, iface=dev, verbose=False)
        time.sleep(0.02)


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def check(outer, inner):
    """Check the outer frame is well formed; return its decoded fields."""
    ip = outer[14:34]
    f = {
        'dst_mac': outer[0:6].hex(':'), 'src_mac': outer[6:12].hex(':'),
        'ethertype': outer[12:14].hex(), 'tos': ip[1], 'tot_len': struct.unpack('!H', ip[2:4])[0],
        'id': struct.unpack('!H', ip[4:6])[0], 'frag': struct.unpack('!H', ip[6:8])[0],
        'ttl': ip[8], 'proto': ip[9], 'ip_ok': csum(ip) == 0,
        'src': socket.inet_ntoa(ip[12:16]), 'dst': socket.inet_ntoa(ip[16:20]),
    }
    sport, dport, ulen, ucsum = struct.unpack('!HHHH', outer[34:42])
    f.update(sport=sport, dport=dport, ulen=ulen, ucsum=ucsum)
    if ucsum:
        ph = ip[12:20] + struct.pack('!BBH', 0, 17, ulen)
        f['udp_ok'] = csum(ph + outer[34:34 + ulen]) == 0
    f['vxlan'] = outer[42:50].hex()
    f['inner_ok'] = inner is None or outer[50:] == inner
    assert ip[0] == 0x45 and f['proto'] == 17 and f['ip_ok'], f
    assert f['tot_len'] == len(outer) - 14 and ulen == len(outer) - 34, f
    assert f['inner_ok'], 'inner frame differs from what was sent'
    assert f.get('udp_ok', True), 'bad UDP checksum'
    return f


def carray(name, data):
    lines = []
    for i in range(0, len(data), 12):
        lines.append('\t' + ' '.join('0x%02x,' % b for b in data[i:i + 12]))
    return ('static const uint8_t %s[] __attribute__((unused)) = {\n%s\n};\n'
            % (name, '\n'.join(lines)))


def describe(f):
    return ('dst %s src %s | %s -> %s tos 0x%02x ttl %d id 0x%04x %s | udp %d -> %d csum 0x%04x'
            ' | vxlan %s' % (f['dst_mac'], f['src_mac'], f['src'], f['dst'], f['tos'], f['ttl'],
                            f['id'], 'DF' if f['frag'] & 0x4000 else 'no DF', f['sport'],
                            f['dport'], f['ucsum'], f['vxlan']))


def header(out, kinfo):
    names = list(CASES) + ['kernel_udp']
    h = ['/* SPDX-License-Identifier: BSD-3-Clause */',
         '/*',
         ' * Golden VXLAN frames made by the Linux kernel vxlan device. GENERATED by',
         ' * scripts/make-golden.sh; do not edit, re-run it. Kernel: %s.' % kinfo,
         ' *',
         ' * Topology: ns vg-a eth0 172.16.91.128/24 02:00:00:00:91:80 <veth> ns vg-b eth0',
         ' * 172.16.91.129/24 02:00:00:00:91:81 (ethtool -K tx/tso/gso/gro off), in vg-a:',
         ' *   ip link add vxlan0 type vxlan id 42 dstport 4789 group 239.1.1.1 dev eth0',
         ' *   ip link set vxlan0 address 02:00:00:00:00:01; 10.0.0.1/24 on vxlan0',
         ' *   bridge fdb append 02:00:00:00:00:02 dev vxlan0 dst 172.16.91.129',
         ' *   ip neigh add 172.16.91.129 lladdr 02:00:00:00:91:81 dev eth0 nud permanent',
         ' *   ip link add vxlan1 type vxlan id 43 dstport 4789 dev eth0 noudpcsum (address ..:43)',
         ' *   ip link add vxlan2 type vxlan id 44 dstport 4789 dev eth0 udpcsum (address ..:44)',
         ' *   bridge fdb append 02:00:00:00:00:02 dev vxlan1|vxlan2 dst 172.16.91.129',
         ' * Inner frames: scapy sendp(FRAME, iface=DEV) in vg-a; outer: tcpdump on vg-b eth0.',
         ' * golden_<case>_outer[50:] is golden_<case>_inner byte for byte.',
         ' *',
         ' * Fields the kernel fills per boot/per packet (mask them when comparing):',
         ' * the outer IPv4 id (offset 18, 2 bytes) and so the IPv4 checksum (24, 2), the UDP',
         ' * source port (34, 2: a hash of the inner flow with a per-boot random key, scaled into',
         ' * 32768..60999) and, when not zero, the UDP checksum (40, 2). All else is exact.',
         ' */',
         '#ifndef VTEP_GOLDEN_FRAMES_H',
         '#define VTEP_GOLDEN_FRAMES_H',
         '',
         '#include <stddef.h>',
         '#include <stdint.h>',
         '',
         '/** Offsets in an untagged outer frame of the fields that vary between runs. */',
         '#define GOLDEN_OFF_IP_ID 18',
         '#define GOLDEN_OFF_IP_CSUM 24',
         '#define GOLDEN_OFF_UDP_SPORT 34',
         '#define GOLDEN_OFF_UDP_CSUM 40',
         '']
    findings = ['# Measured by scripts/make-golden.sh, kernel %s' % kinfo, '']
    table = []
    for name in names:
        outers = [bytes(p) for p in rdpcap(os.path.join(out, name + '_outer.pcap'))]
        if name == 'kernel_udp':
            inners = [o[50:] for o in outers]
            expr, note = 'socket(AF_INET, SOCK_DGRAM) in vg-a', KERNEL_UDP[1]
            for o in outers:
                check(o, None)
        else:
            inners = [bytes(p) for p in rdpcap(os.path.join(out, name + '_inner.pcap'))]
            _, _, _, expr, note = CASES[name]
            assert len(inners) == len(outers), name
        fields = [check(o, i) for o, i in zip(outers, inners)]
        findings.append('%s: %s' % (name, note))
        for i, f in enumerate(fields):
            findings.append('  [%d] inner %d outer %d: %s' % (i, len(inners[i]), len(outers[i]),
                                                             describe(f)))
        if name == 'srcport_flows':
            ports = [f['sport'] for f in fields]
            ids = [f['id'] for f in fields]
            findings.append('  source ports: %s' % ports)
            findings.append('  same flow -> same port: %s; all in 32768..60999: %s'
                            % (ports[0] == ports[8] == ports[9],
                               all(32768 <= p <= 60999 for p in ports)))
            findings.append('  ipv4 ids: %s (steps %s)'
                            % ([hex(i) for i in ids],
                               [(b - a) & 0xffff for a, b in zip(ids, ids[1:])]))
            findings.append('')
            continue  # pcap only; not an array in the header
        findings.append('')
        h.append('/*')
        text = ['%s: %s.' % (name, note),
                'Sent on %s: %s' % ('(kernel socket)' if name == 'kernel_udp'
                                    else CASES[name][0], expr),
                'Outer: %s' % describe(fields[0])]
        for t in text:
            h += [' * ' + l for l in textwrap.wrap(t, 95, subsequent_indent='  ',
                                                   break_on_hyphens=False)]
        h.append(' */')
        h.append(carray('golden_%s_inner' % name, inners[0]))
        h.append(carray('golden_%s_outer' % name, outers[0]))
        table.append(name)
    h += ['/** One golden case: an inner frame and the kernel\'s encapsulation of it. */',
          'struct golden_frame {',
          '\tconst char *name;       /**< Case name. */',
          '\tconst uint8_t *inner;   /**< Inner frame as sent on the vxlan device. */',
          '\tsize_t inner_size;      /**< Its size in bytes. */',
          '\tconst uint8_t *outer;   /**< Outer frame as captured on the underlay. */',
          '\tsize_t outer_size;      /**< Its size in bytes. */',
          '};',
          '',
          '/** Every case above, for table-driven tests. */',
          'static const struct golden_frame golden_frames[] __attribute__((unused)) = {']
    for n in table:
        h.append('\t{ "%s", golden_%s_inner, sizeof(golden_%s_inner),' % (n, n, n))
        h.append('\t\tgolden_%s_outer, sizeof(golden_%s_outer) },' % (n, n))
    h += ['};', '', '#endif /* VTEP_GOLDEN_FRAMES_H */', '']
    with open(os.path.join(out, 'golden_frames.h'), 'w') as fp:
        fp.write('\n'.join(h))
    return findings


def main():
    if sys.argv[1] == 'send':
        send(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == 'header':
        out, kinfo, extra = sys.argv[2], sys.argv[3], sys.argv[4]
        findings = header(out, kinfo)
        with open(extra) as fp:
            findings.append(fp.read())
        with open(os.path.join(out, 'findings.txt'), 'w') as fp:
            fp.write('\n'.join(findings))
    elif sys.argv[1] == 'cases':
        print(' '.join('%s:%d' % (n, c[1]) for n, c in CASES.items()))


main()
PYEOF
}

main() {
	vg_check
	mkdir -p "$VG_OUT"
	VG_OUT=$(cd "$VG_OUT" && pwd)
	VG_TMP=$(mktemp -d /tmp/make-golden.XXXXXX)
	trap vg_cleanup EXIT
	trap 'exit 130' INT TERM
	vg_write_python
	vg_topology
	# Let the IGMP join and the link-up noise pass before capturing.
	sleep 1

	local c
	for c in $("$VG_PY" "$VG_TMP/golden.py" cases); do
		vg_capture "${c%%:*}" "${c##*:}"
	done
	vg_capture kernel_udp 1

	local extra=$VG_TMP/extra.txt
	{
		echo "# Device configuration as the kernel reports it"
		echo "\$ ip -d link show vxlan0"
		ip -n "$VG_NS_A" -d link show vxlan0
		echo "\$ ip -d link show vxlan1"
		ip -n "$VG_NS_A" -d link show vxlan1
		echo "\$ ip -d link show vxlan2"
		ip -n "$VG_NS_A" -d link show vxlan2
		echo "\$ bridge fdb show dev vxlan0"
		vg_a bridge fdb show dev vxlan0
		echo "net.ipv4.ip_local_port_range = $(vg_a sysctl -n net.ipv4.ip_local_port_range)"
		echo "net.ipv4.ip_default_ttl = $(vg_a sysctl -n net.ipv4.ip_default_ttl)"
	} >"$extra"
	"$VG_PY" "$VG_TMP/golden.py" header "$VG_OUT" "$(uname -r)" "$extra"
	vg_log "wrote $VG_OUT/golden_frames.h, $VG_OUT/findings.txt and the pcaps"
}

main "$@"
