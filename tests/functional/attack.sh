#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Attacks on a running vtepd (issue 12, section 4; docs/testing.md), one scenario per call:
#
#   attack.sh VTEPD VTEPCTL PCAPGEN SCENARIO
#
#   forged   5000 VXLAN frames, each a new inner MAC from a new outer source: the remote table
#            (4096 slots) and the neighbor table (256) fill and refuse the rest, counted; once the
#            entries age out (ageing 3) both are empty again, and a static entry to a new remote
#            VTEP gets its slot. (The learn ring holds 4095 events, one more than the table's
#            room, so the table overflows even when the control lcore gets no CPU while the
#            frames are read.)
#   learnrate  1000 frames, each a new MAC, into a VNI with `learnrate 100`: every frame is
#            delivered, the learns beyond the rate are refused and counted (learn_rate).
#   allow    80 frames from 8 stations behind 4 remote VTEPs into a VNI whose allow list has 2
#            of them: the other two's frames are dropped and counted (rx_not_allowed), and
#            neither learned nor delivered.
#   amplify  broadcast and unknown-unicast frames from a VTEP on the VNI's head-end list are
#            delivered to the inner port and never flooded back into the tunnel; the local
#            address cannot be appended to a head-end list.
#   replies  one ARP request for the VTEP and one IGMPv2 general query, replayed forever: ARP
#            replies stay within `arp-rate 50` a second and IGMP reports within `igmp-rate 5`
#            (after a burst of 64), the rest counted (ctl_arp_limit, ctl_igmp_limit).
#   movedamp one MAC whose frames come from two remote VTEPs in turn, replayed forever: with
#            `movedamp 5 180 2` it moves five times and is frozen (counter, `vtepctl monitor`
#            line, log line, rx_mac_frozen drops, `sticky` in fdb show), released 2 s later,
#            and frozen again.
#
# vtepd reads its underlay frames once from a pcap (net_pcap rx_pcap) and is checked with vtepctl
# while it runs. Exit 0 pass, 1 fail.
set -euo pipefail

VTEPD=${1:?vtepd}
VTEPCTL=$(readlink -f "${2:?vtepctl}")
PCAPGEN=${3:?vtep-pcapgen}
SCENARIO=${4:?scenario}
HERE=$(cd "$(dirname "$0")" && pwd)
LOCAL=172.16.91.129
PFX="vtepfn-attack-$SCENARIO-$$"
T=$(mktemp -d /tmp/vtepattack.XXXXXX)
# shellcheck source=tests/functional/live_lib.sh
. "$HERE/live_lib.sh"
live_init "$PCAPGEN"

# Remote VTEPs vtepd lists now (`vtepctl remote show`, one line each).
nb_remotes() {
	ctl remote show | wc -l
}

# Neighbor entries now.
nb_neigh() {
	ctl neigh show | wc -l
}

# counters_sum NAME...: the sum of those counters now.
counters_sum() {
	local s=0 n
	for n in "$@"; do
		s=$((s + $(counter "$n")))
	done
	echo "$s"
}

# Frames of the forged scenario (global: wait_for's own locals would hide a caller's).
FORGED=5000

# Every forged frame's learn event was learned, refused for want of a remote slot, or lost on a
# full learn ring.
forged_handled() {
	[ "$(counters_sum fdb.learned drop.learn_no_remote drop.rx_learn_ring_full)" = "$FORGED" ]
}

scenario_forged() {
	local refused
	"$PCAPGEN" --mode vxlan --macs $FORGED --remotes $FORGED --remote-base 172.16.100.1 \
		--count $FORGED -o "$T/forged.pcap"
	"$PCAPGEN" --count 0 -o "$T/empty.pcap"
	start_vtepd "net_pcap0,rx_pcap=$T/forged.pcap,tx_pcap=$T/u.pcap" \
		"net_pcap1,rx_pcap=$T/empty.pcap,tx_pcap=$T/i.pcap" -- \
		dev net_pcap0 local "$LOCAL/16" id 42 group 239.1.1.1 inner net_pcap1 ageing 3
	wait_for 20 forged_handled ||
		fail "not every learn event was handled: $(ctl -s stats | grep -E 'learn|underlay_rx')"
	refused=$(counter drop.learn_no_remote)
	if [ "$refused" -gt 0 ]; then
		ok "remote table full: $refused learns refused (learn_no_remote)"
	else
		fail "learn_no_remote is 0: the remote table never filled"
	fi
	if [ "$(nb_remotes)" -le 4095 ]; then
		ok "remote table bounded: $(nb_remotes) remotes, $(counter fdb.learned) learned in all"
	else
		fail "$(nb_remotes) remotes: more than the table's 4095"
	fi
	# Entries age after 3 s; in the same pass every learned remote and its neighbor are
	# released.
	wait_for 15 counter_is fdb.nb_learned 0 || fail "FDB entries left: $(counter fdb.nb_learned)"
	expect_eq "remotes after ageing (the group)" "$(nb_remotes)" 1
	expect_eq "neighbor entries after ageing" "$(nb_neigh)" 0
	# The table recovered: a new remote VTEP gets a slot (and an ARP resolution).
	if ctl fdb add 02:00:00:00:77:01 dst 172.16.200.1 vni 42 2>"$T/e"; then
		ok "static entry to a new remote accepted"
	else
		fail "static entry to a new remote refused: $(cat "$T/e")"
	fi
	expect_eq "remotes: the group and the new one" \
		"$(nb_remotes):$(ctl remote show | grep -c '^172\.16\.200\.1 ')" "2:1"
	stop_vtepd
}

# Frames of the learnrate scenario.
FLOOD=1000

# Every flood frame's learn event was learned, refused by the rate, or lost on a full ring.
flood_handled() {
	[ "$(counters_sum fdb.learned drop.learn_rate drop.rx_learn_ring_full)" = "$FLOOD" ]
}

scenario_learnrate() {
	local learned refused
	"$PCAPGEN" --mode vxlan --macs $FLOOD --count $FLOOD -o "$T/flood.pcap"
	"$PCAPGEN" --count 0 -o "$T/empty.pcap"
	start_vtepd "net_pcap0,rx_pcap=$T/flood.pcap,tx_pcap=$T/u.pcap" \
		"net_pcap1,rx_pcap=$T/empty.pcap,tx_pcap=$T/i.pcap" -- \
		dev net_pcap0 local "$LOCAL/24" id 42 group 239.1.1.1 inner net_pcap1 learnrate 100
	wait_for 20 flood_handled ||
		fail "not every learn event was handled: $(ctl -s stats | grep -E 'learn|underlay_rx')"
	learned=$(counter fdb.learned)
	refused=$(counter drop.learn_rate)
	# 100 at once, then 100 a second while the control lcore works through the events.
	if [ "$refused" -gt 0 ] && [ "$learned" -ge 100 ] && [ "$learned" -lt $FLOOD ]; then
		ok "learnrate 100: $learned learned, $refused refused (learn_rate)"
	else
		fail "learnrate 100: $learned learned, $refused refused"
	fi
	expect_eq "refused learns counted by the FDB too" "$(counter fdb.rate_limited)" "$refused"
	expect_eq "vni show" "$(ctl vni show | grep -o ' learnrate.*')" \
		" learnrate 100 burst 100 movedamp 5 180 180"
	wait_for 10 counter_is inner_tx $FLOOD || fail "frames delivered: $(counter inner_tx)"
	expect_eq "frames decapsulated" "$(counter vni.42.decap_pkts)" $FLOOD
	stop_vtepd
}

# The FDB event log, as `vtepctl call` gives it: one "event" word a line.
fdb_events() {
	ctl call /vtep/fdb_events,after=0 | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
for e in d.get("/vtep/fdb_events", d)["events"].values():
    print(e["event"], e["mac"], e["dst"])'
}

scenario_movedamp() {
	local mac=02:00:00:2a:00:01 moved frozen mpid
	"$PCAPGEN" --mode vxlan --macs 1 --remote-base 172.16.91.140 --count 1 -o "$T/a.pcap"
	"$PCAPGEN" --mode vxlan --macs 1 --remote-base 172.16.91.141 --count 1 -o "$T/b.pcap"
	mergecap -a -F pcap -w "$T/flap.pcap" "$T/a.pcap" "$T/b.pcap"
	"$PCAPGEN" --count 0 -o "$T/empty.pcap"
	start_vtepd "net_pcap0,rx_pcap=$T/flap.pcap,infinite_rx=1,tx_pcap=/dev/null" \
		"net_pcap1,rx_pcap=$T/empty.pcap,tx_pcap=/dev/null" -- \
		dev net_pcap0 local "$LOCAL/24" id 42 group 239.1.1.1 inner net_pcap1 \
		movedamp 5 180 2
	# The learn filter lets one event per MAC and remote through a second: 2 moves a second.
	wait_for 15 counter_is_above fdb.frozen 0 || fail "not frozen: $(counter fdb.moved) moves"
	read -r frozen moved < <(ctl -s stats | awk '$1 == "fdb.frozen" { f = $2 }
		$1 == "fdb.moved" { m = $2 } END { print f, m }')
	# Five moves per freeze (a slow check may see the next window's first moves too).
	if [ "$frozen" -ge 1 ] && [ "$moved" -ge $((5 * frozen)) ] &&
		[ "$moved" -le $((5 * frozen + 4)) ]; then
		ok "frozen after 5 moves ($moved moves, $frozen frozen)"
	else
		fail "$moved moves for $frozen freezes"
	fi
	expect_eq "learns refused while frozen" "$(($(counter drop.learn_frozen) > 0))" 1
	expect_eq "the other remote's frames dropped (rx_mac_frozen)" \
		"$(($(counter drop.rx_mac_frozen) > 0))" 1
	if grep -q "vni 42: $mac moved more than 5 times in 180 s: frozen at 172.16.91.14[01] for 2 s" \
		"$T/vtepd.err" "$T/vtepd.out"; then
		ok "log line: $(grep -h -m1 'frozen at' "$T/vtepd.err" "$T/vtepd.out")"
	else
		fail "no log line about the freeze"
	fi
	# While frozen, fdb show marks it sticky (the freezes recur: one of them is caught).
	sticky_shown() { ctl fdb show | grep -q "^$mac dst 172.16.91.14[01] vni 42 self sticky$"; }
	if wait_for 15 sticky_shown; then
		ok "fdb show while frozen: $(ctl fdb show | grep "^$mac")"
	else
		fail "fdb show never marked $mac sticky: $(ctl fdb show | grep "^$mac")"
	fi
	# Released after 2 s, moves again, frozen again; a monitor started now sees it all.
	timeout 20 "$VTEPCTL" --file-prefix "$PFX" monitor fdb count 7 >"$T/mon.txt" 2>&1 &
	mpid=$!
	if wait_for 15 counter_is_above fdb.frozen "$frozen"; then
		ok "released and frozen again ($(counter fdb.unfrozen) released)"
	else
		fail "not frozen again: frozen $(counter fdb.frozen), released $(counter fdb.unfrozen)"
	fi
	wait "$mpid" || fail "monitor: not 7 events within 20 s: $(cat "$T/mon.txt")"
	expect_eq "log line about the release" \
		"$(($(grep -c "vni 42: $mac released at 172.16.91.14[01] after 2 s frozen" \
			"$T/vtepd.err") > 0))" 1
	expect_eq "monitor: released" "$(grep -c "^Unfrozen $mac dst 172.16.91.14[01] vni 42 self$" "$T/mon.txt")" 1
	expect_eq "monitor: five moves" "$(grep -c "^$mac dst 172.16.91.14[01] vni 42 self$" "$T/mon.txt")" 5
	expect_eq "monitor: frozen" "$(grep -c "^Frozen $mac dst 172.16.91.14[01] vni 42 self$" "$T/mon.txt")" 1
	expect_eq "event log: frozen and unfrozen in turn, from frozen" \
		"$(fdb_events | awk '$1 ~ /frozen/ { printf "%s ", $1 }' | cut -d' ' -f1-3)" \
		"frozen unfrozen frozen"
	stop_vtepd
}

scenario_allow() {
	"$PCAPGEN" --mode vxlan --macs 8 --remotes 4 --count 80 -o "$T/four.pcap"
	"$PCAPGEN" --count 0 -o "$T/empty.pcap"
	start_vtepd "net_pcap0,rx_pcap=$T/four.pcap,tx_pcap=$T/u.pcap" \
		"net_pcap1,rx_pcap=$T/empty.pcap,tx_pcap=$T/i.pcap" -- \
		dev net_pcap0 local "$LOCAL/24" id 42 group 239.1.1.1 inner net_pcap1 \
		allow 172.16.91.1 allow 172.16.91.2/32
	wait_for 20 counter_is underlay_rx 80 || fail "underlay_rx $(counter underlay_rx), not 80"
	wait_for 10 counter_is inner_tx 40 || fail "inner_tx $(counter inner_tx), not 40"
	expect_eq "frames from 172.16.91.3 and .4 dropped (rx_not_allowed)" \
		"$(counter drop.rx_not_allowed)" 40
	expect_eq "frames decapsulated" "$(counter vni.42.decap_pkts)" 40
	expect_eq "learned: the 4 stations behind .1 and .2" "$(counter fdb.learned)" 4
	expect_eq "learned remotes" "$(ctl fdb show learned | awk '{ print $3 }' | sort -u | tr '\n' ' ')" \
		"172.16.91.1 172.16.91.2 "
	expect_eq "no other drop" "$(ctl stats | awk '$1 ~ /^drop\./ && $1 != "drop.rx_not_allowed"' | wc -l)" 0
	expect_eq "vni show: the defences" "$(ctl vni show | grep -o ' movedamp.*')" \
		" movedamp 5 180 180 allow 172.16.91.1/32 172.16.91.2/32"
	stop_vtepd
}

scenario_amplify() {
	"$PCAPGEN" --mode vxlan --macs 4 --count 20 --inner-dst ff:ff:ff:ff:ff:ff -o "$T/b.pcap"
	"$PCAPGEN" --mode vxlan --macs 4 --count 20 --inner-dst 02:00:00:00:99:99 -o "$T/u.pcap"
	mergecap -a -F pcap -w "$T/bum.pcap" "$T/b.pcap" "$T/u.pcap"
	"$PCAPGEN" --count 0 -o "$T/empty.pcap"
	start_vtepd "net_pcap0,rx_pcap=$T/bum.pcap,tx_pcap=$T/out.pcap" \
		"net_pcap1,rx_pcap=$T/empty.pcap,tx_pcap=$T/i.pcap" -- \
		dev net_pcap0 local "$LOCAL/24" neigh 172.16.91.1 lladdr 02:00:00:00:91:01 \
		neigh 172.16.91.2 lladdr 02:00:00:00:91:02 \
		id 42 remote 172.16.91.1 remote 172.16.91.2 inner net_pcap1
	wait_for 10 counter_is inner_tx 40 || fail "inner_tx $(counter inner_tx), not 40"
	expect_eq "decapsulated from 172.16.91.1 (on the head-end list)" \
		"$(counter vni.42.decap_pkts)" 40
	expect_eq "flooded back into the tunnel" \
		"$(counter vni.42.flood_pkts):$(counter vni.42.flood_copies):$(counter vni.42.encap_pkts)" \
		0:0:0
	expect_fail "local address on a head-end list" 1 "Invalid argument" \
		ctl fdb append 00:00:00:00:00:00 dst $LOCAL vni 42
	expect_eq "head-end list" "$(ctl fdb show mac 00:00:00:00:00:00 | awk '{ print $3 }' | tr '\n' ' ')" \
		"172.16.91.1 172.16.91.2 "
	stop_vtepd
}

# igmp_reports: IGMP reports vtepd has sent.
igmp_reports() {
	ctl -j igmp show | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d.get("/vtep/igmp", d)["reports"])'
}

# counter_is_above NAME N: the counter is above N now (for wait_for).
counter_is_above() {
	[ "$(counter "$1")" -gt "$2" ]
}

# reports_since N: vtepd has sent at least N IGMP reports more than REP0 (for wait_for).
reports_since() {
	[ "$(igmp_reports)" -ge $((REP0 + $1)) ]
}

scenario_replies() {
	local t0 t1 lim0 lim1 arp0 arp1 tx0 tx1 rep1 ok_rates
	if ! /usr/bin/python3 -c 'import scapy' 2>/dev/null; then
		echo "SKIP: python3-scapy not installed"
		exit 77
	fi
	/usr/bin/python3 - "$T/ctl.pcap" <<'PY'
import sys
from scapy.all import ARP, Ether, IP, wrpcap
from scapy.contrib.igmp import IGMP
arp = Ether(dst="ff:ff:ff:ff:ff:ff", src="02:00:00:00:91:90") / ARP(
    op=1, hwsrc="02:00:00:00:91:90", psrc="172.16.91.144", pdst="172.16.91.129")
# IGMPv2 general query, Max Resp Time 0.1 s, with Router Alert.
q = Ether(dst="01:00:5e:00:00:01", src="02:00:00:00:91:01") / IP(
    src="172.16.91.1", dst="224.0.0.1", ttl=1, options=[b"\x94\x04\x00\x00"]) / IGMP(
    type=0x11, mrcode=1, gaddr="0.0.0.0")
wrpcap(sys.argv[1], [arp, q])
PY
	"$PCAPGEN" --count 0 -o "$T/empty.pcap"
	start_vtepd "net_pcap0,rx_pcap=$T/ctl.pcap,infinite_rx=1,tx_pcap=/dev/null" \
		"net_pcap1,rx_pcap=$T/empty.pcap,tx_pcap=/dev/null" -- \
		dev net_pcap0 local "$LOCAL/24" igmp 2 arp-rate 50 igmp-rate 5 \
		id 42 group 239.1.1.1 inner net_pcap1
	# Past IGMP's burst (64 reports): queries are refused from then on.
	wait_for 30 counter_is_above drop.ctl_igmp_limit 0 || fail "no IGMP query refused"
	t0=$(date +%s.%N)
	arp0=$(counter drop.ctl_arp_limit)
	lim0=$(counter drop.ctl_igmp_limit)
	tx0=$(counter underlay_tx)
	REP0=$(igmp_reports)
	# A window long enough for 10 reports at igmp-rate 5: about 2 s.
	wait_for 30 reports_since 10 || fail "fewer than 10 IGMP reports in 30 s"
	t1=$(date +%s.%N)
	arp1=$(counter drop.ctl_arp_limit)
	lim1=$(counter drop.ctl_igmp_limit)
	tx1=$(counter underlay_tx)
	rep1=$(igmp_reports)
	# What the control lcore sent in the window (ARP replies and IGMP reports) and the reports
	# alone, against the rates; the counters are read a request apart: a second's worth more.
	ok_rates=$(awk -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
		-v tx=$((tx1 - tx0)) -v rep=$((rep1 - REP0)) \
		'BEGIN { print (tx <= 55 * (s + 1) && rep <= 5 * (s + 1)) ? "yes" : "no" }')
	if [ "$ok_rates" = yes ]; then
		ok "in the window: $((tx1 - tx0)) frames sent, $((rep1 - REP0)) IGMP reports"
	else
		fail "in the window from $t0 to $t1: $((tx1 - tx0)) frames sent, $((rep1 - REP0)) reports"
	fi
	expect_eq "ARP requests refused and counted" "$((arp1 > arp0))" 1
	expect_eq "IGMP queries refused and counted" "$((lim1 > lim0))" 1
	stop_vtepd
}

case "$SCENARIO" in
forged) scenario_forged ;;
replies) scenario_replies ;;
amplify) scenario_amplify ;;
allow) scenario_allow ;;
movedamp) scenario_movedamp ;;
learnrate) scenario_learnrate ;;
*)
	echo "unknown scenario '$SCENARIO'" >&2
	exit 2
	;;
esac
live_done "attack $SCENARIO"
