#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Soak: vtepd under traffic that keeps its tables churning, for SECONDS, while vtepctl changes
# them at run time; its memory must stay flat and no counter may go backwards.
#
#   soak.sh VTEPD VTEPCTL PCAPGEN [SECONDS]      (default: SOAK_S, else 45; scripts/soak.sh runs it
#                                                 for longer)
#
# vtepd runs in a network namespace of its own on net_af_packet over a veth pair; a small sender
# (python, a raw socket on the other end) plays phases of VXLAN frames: 200 stations of VNI 42
# from 172.16.91.1, then the same 200 from 172.16.91.2, and so on (every phase moves them all),
# and every 8th phase 500 stations of VNI 43 (ageing 2 s) that then fall silent and age out.
# VNI 42's inner port sends to the 200 stations and to unknown MACs (flooded to its head-end
# replication list) without end. The
# test meanwhile adds, replaces and deletes static entries, appends and deletes a flood-list
# remote, flushes VNI 42 now and then, and samples every round: vtepd's RSS, mempool.in_use,
# the remote table's size, DPDK's heap (/eal/heap_info: bytes and blocks allocated) and every
# counter of `vtepctl -s stats`.
# Checks: no counter ever smaller than in the sample before (but the gauges: fdb.nb_*,
# mempool.in_use); learning, moves, ageing, static changes and flushes all happened;
# DPDK's heap allocated the same at every sample; in the second half of the run the memory
# outside DPDK's (RSS but the EAL memory) grew by at most 1 MB over the first half's highest,
# the floor of mempool.in_use by at most 32 and the remote table not at all; at exit
# status 0 and every mbuf back in the pool. The RSS of the EAL memory itself grows slowly for a
# long while, and is only reported: the mempool hands out its mbufs in ring order, so pages of
# the pool are touched for the first time long after start (the heap's figures say nothing
# is allocated meanwhile). Exit 0 pass, 1 fail.
set -euo pipefail

VTEPD=$(readlink -f "${1:?vtepd}")
VTEPCTL=$(readlink -f "${2:?vtepctl}")
PCAPGEN=$(readlink -f "${3:?vtep-pcapgen}")
DURATION=${4:-${SOAK_S:-45}}
HERE=$(cd "$(dirname "$0")" && pwd)
LOCAL=172.16.91.129
PFX="vtepfn-soak-$$"
NS="vtepfn-soak-$$"
T=$(mktemp -d /tmp/vtepsoak.XXXXXX)
# shellcheck source=tests/functional/live_lib.sh
. "$HERE/live_lib.sh"

for t in ip ethtool mergecap; do
	command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (a network namespace)"; exit 77; }
GEN=
soak_cleanup() {
	if [ -n "$GEN" ] && kill -0 "$GEN" 2>/dev/null; then
		kill -TERM "$GEN" 2>/dev/null || true
		wait "$GEN" 2>/dev/null || true
	fi
	live_cleanup
	ip netns del "$NS" 2>/dev/null || true
}
live_init "$PCAPGEN"
trap soak_cleanup EXIT

# ---- the namespace, the frames ----------------------------------------------------------------
# vtepd's underlay MAC: the outer frames go to it (vtepd drops others: rx_dst_mac).
SK0_MAC=02:00:00:00:91:81
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add sk0 type veth peer name sk1
ip -n "$NS" link set sk0 address $SK0_MAC
for d in sk0 sk1; do
	ip netns exec "$NS" ethtool -K "$d" tx off tso off gso off gro off >/dev/null
	ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1"
	ip -n "$NS" link set "$d" up
done
"$PCAPGEN" --mode vxlan --dst-mac $SK0_MAC --vni-base 42 --macs 200 --remote-base 172.16.91.1 \
	--count 200 -o "$T/a.pcap"
"$PCAPGEN" --mode vxlan --dst-mac $SK0_MAC --vni-base 42 --macs 200 --remote-base 172.16.91.2 \
	--count 200 -o "$T/b.pcap"
"$PCAPGEN" --mode vxlan --dst-mac $SK0_MAC --vni-base 43 --macs 500 --remotes 2 --count 500 \
	-o "$T/c.pcap"
"$PCAPGEN" --mode inner --vni-base 42 --macs 200 --count 200 -o "$T/known.pcap"
"$PCAPGEN" --mode inner --vni-base 42 --unknown --macs 8 --count 8 -o "$T/unknown.pcap"
mergecap -F pcap -a -w "$T/in42.pcap" "$T/known.pcap" "$T/unknown.pcap"
"$PCAPGEN" --count 0 -o "$T/empty.pcap"

# ---- vtepd ------------------------------------------------------------------------------------
WORDS=(dev net_af_packet0 local "$LOCAL/24")
for i in 130 131 132 133; do
	WORDS+=(neigh "172.16.91.$i" lladdr "02:00:00:00:92:$((i - 100))")
done
WORDS+=(id 42 remote 172.16.91.130 inner net_pcap1 id 43 ageing 2 inner net_pcap2)
ip netns exec "$NS" "$VTEPD" --no-huge -m 512 --no-pci --file-prefix="$PFX" \
	--log-level=lib.eal:warning -l 0,1 --vdev=net_af_packet0,iface=sk0 \
	--vdev="net_pcap1,rx_pcap=$T/in42.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	--vdev="net_pcap2,rx_pcap=$T/empty.pcap,tx_pcap=/dev/null" -- "${WORDS[@]}" \
	>"$T/vtepd.out" 2>"$T/vtepd.err" &
VPID=$!
wait_for "$WAIT" vtepd_answers_or_gone || true
ctl stats >/dev/null || { echo "FAIL: vtepd did not come up"; cat "$T/vtepd.err"; exit 1; }

# ---- the sender -------------------------------------------------------------------------------
ip netns exec "$NS" /usr/bin/python3 - "$T" <<'PY' >"$T/gen.log" 2>&1 &
import socket, struct, sys, time

def frames(path):
    data = open(path, "rb").read()
    out, off = [], 24
    while off + 16 <= len(data):
        n = struct.unpack_from("<I", data, off + 8)[0]
        out.append(data[off + 16:off + 16 + n])
        off += 16 + n
    return out

d = sys.argv[1]
a, b, c = frames(d + "/a.pcap"), frames(d + "/b.pcap"), frames(d + "/c.pcap")
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("sk1", 0))
phase = 0
while True:
    for f in (a if phase % 2 == 0 else b) + (c if phase % 8 == 0 else []):
        s.send(f)
    phase += 1
    print(phase, flush=True)
    # The phases' pace: VNI 43's stations are silent for 8 phases, longer than their ageing.
    time.sleep(0.5)
PY
GEN=$!

# ---- churn and samples ------------------------------------------------------------------------
# Counters that may go down: the table sizes (nb_*: learned, static, frozen) and the buffers in
# use.
gauge() { [[ $1 =~ (^|\.)(nb_[a-z_]+|in_use)$ ]]; }
round=0
prev=
echo "# t rss_kb mempool_in_use remotes nb_learned other_rss_kb heap_alloc_bytes heap_allocs" \
	>"$T/samples"
# other_rss: vtepd's RSS outside the EAL memory (--no-huge: the memfd:nohuge mapping), in kB.
other_rss() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { eal = ($6 ~ /memfd:nohuge/) } /^Rss:/ && !eal { s += $2 }
		END { print s + 0 }' "/proc/$VPID/smaps"
}
# heap: bytes and blocks DPDK's heap of socket 0 has allocated.
heap() {
	ctl call /eal/heap_info,0 | /usr/bin/python3 -c '
import json, sys
h = json.load(sys.stdin)
print(h["Alloc_size"], h["Alloc_count"])'
}
end=$((SECONDS + DURATION))
while [ "$SECONDS" -lt "$end" ]; do
	round=$((round + 1))
	for i in 1 2 3 4 5 6 7 8; do
		ctl fdb add "02:00:00:00:aa:0$i" dst "172.16.91.13$((i % 4))" vni 42
	done
	for i in 1 2 3 4 5 6 7 8; do
		ctl fdb replace "02:00:00:00:aa:0$i" dst "172.16.91.13$(((i + 1) % 4))" vni 42
	done
	ctl_retry fdb append 00:00:00:00:00:00 dst "172.16.91.13$((round % 3 + 1))" vni 42
	for i in 1 2 3 4 5 6 7 8; do
		ctl fdb del "02:00:00:00:aa:0$i" vni 42
	done
	ctl_retry fdb del 00:00:00:00:00:00 dst "172.16.91.13$((round % 3 + 1))" vni 42
	if [ $((round % 5)) = 0 ]; then
		ctl fdb flush vni 42 >/dev/null
	fi
	ctl -s stats >"$T/stats.$round"
	printf '%s %s %s %s %s %s %s\n' "$SECONDS" \
		"$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$VPID/status")" \
		"$(awk '$1 == "mempool.in_use" { print $2 }' "$T/stats.$round")" \
		"$(ctl -j remote show | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
		"$(awk '$1 == "fdb.nb_learned" { print $2 }' "$T/stats.$round")" \
		"$(other_rss)" "$(heap)" >>"$T/samples"
	if [ -n "$prev" ]; then
		while read -r name old new; do
			gauge "$name" && continue
			[[ $old =~ ^[0-9]+$ && $new =~ ^[0-9]+$ ]] || continue
			if [ "$new" -lt "$old" ]; then
				fail "round $round: counter $name went back from $old to $new"
			fi
		done < <(join <(sort "$T/stats.$prev") <(sort "$T/stats.$round"))
		rm -f "$T/stats.$prev"
	fi
	prev=$round
done
kill -TERM "$GEN"
wait "$GEN" 2>/dev/null || true
GEN=
phases=$(tail -n 1 "$T/gen.log")
echo "note: $round rounds of changes, $phases phases of traffic in $DURATION s"
echo "note: samples:"
sed 's/^/  /' "$T/samples"

# ---- checks -----------------------------------------------------------------------------------
last=$T/stats.$round
at_least() {
	local v
	v=$(awk -v n="$1" '$1 == n { print $2 }' "$last")
	if [ "${v:-0}" -ge "$2" ]; then ok "$1 = $v (at least $2)"; else fail "$1 = '$v', want at least $2"; fi
}
at_least fdb.learned 700
at_least fdb.moved 200
at_least fdb.aged 500
at_least vni.42.encap_pkts 1000
at_least vni.42.flood_pkts 1000
expect_eq "rounds of run-time changes (at least 5)" "$((round >= 5))" 1
# First half against second half of the samples.
# mempool.in_use: the lowest of each half (frames in flight come and go; a leak raises the floor).
read -r rss1 rss2 mp1 mp2 rem1 rem2 < <(awk 'NR > 1 { t[++n] = $0 } END {
	h = int(n / 2)
	mp[1] = mp[2] = -1
	for (i = 1; i <= n; i++) {
		split(t[i], f, " ")
		k = i <= h ? 1 : 2
		if (f[6] > rss[k]) rss[k] = f[6]
		if (mp[k] < 0 || f[3] < mp[k]) mp[k] = f[3]
		if (f[4] > rem[k]) rem[k] = f[4]
	}
	print rss[1] + 0, rss[2] + 0, mp[1] + 0, mp[2] + 0, rem[1] + 0, rem[2] + 0
}' "$T/samples")
expect_eq "DPDK heap flat: (bytes, blocks) allocated at every sample" \
	"$(awk 'NR > 1 { print $7, $8 }' "$T/samples" | sort -u | wc -l)" 1
# Under AddressSanitizer freed memory waits in its quarantine (up to 256 MB) before reuse, so RSS
# grows without a leak: there LeakSanitizer's exit check stands in for this one. grep reads all of
# ldd's output: with -q it may exit first, ldd dies of SIGPIPE and pipefail fails the test.
if ldd "$VTEPD" 2>/dev/null | grep libasan >/dev/null; then
	echo "note: memory outside DPDK's: second half's highest $rss2 kB, first half's $rss1 kB (not checked: an ASan build)"
else
	expect_eq "memory outside DPDK's flat: second half's highest ($rss2 kB) at most the first half's ($rss1 kB) + 1024" \
		"$((rss2 <= rss1 + 1024))" 1
fi
echo "note: RSS with the EAL memory: $(awk 'NR == 2 { a = $2 } END { print a " -> " $2 }' "$T/samples") kB (pool pages touched for the first time)"
expect_eq "mempool in use flat: second half's lowest ($mp2) at most the first half's ($mp1) + 32" \
	"$((mp2 <= mp1 + 32))" 1
expect_eq "remote table flat: second half's largest ($rem2) at most the first half's ($rem1)" \
	"$((rem2 <= rem1))" 1
stop_vtepd
expect_eq "every mbuf back in the pool at exit (mempool.in_use_after)" \
	"$(awk '$1 == "counter" && $2 == "mempool.in_use_after" { print $3 }' "$T/vtepd.out")" 0

live_done "soak ($DURATION s)"
