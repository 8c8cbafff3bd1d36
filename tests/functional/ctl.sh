#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# vtepctl and the /vtep/ telemetry commands against a running vtepd (docs/vtepctl.md).
#
#   ctl.sh VTEPD VTEPCTL PCAPGEN
#
# vtepd runs on two net_pcap ports: the underlay replays a finite VXLAN capture (8 stations
# behind 2 remote VTEPs get learned) and the inner port replays inner frames to one unknown
# unicast MAC forever (infinite_rx), so the counters show at every moment whether that MAC is
# flooded or encapsulated to a static entry. Everything sent goes to /dev/null.
# Exit 0 pass, 1 fail, 77 skip.
set -euo pipefail

VTEPD=${1:?vtepd}
VTEPCTL=${2:?vtepctl}
PCAPGEN=${3:?vtep-pcapgen}
LOCAL=172.16.91.129
VNI=42
GROUP=239.1.1.1
REMOTE=172.16.91.130
MAC=06:00:00:2a:00:01 # what pcapgen --unknown --macs 1 sends to
PFX="vtepfn-ctl-$$"
T=$(mktemp -d /tmp/vtepctl.XXXXXX)
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/functional/live_lib.sh
. "$HERE/live_lib.sh"
live_init "$PCAPGEN"

# steered GROW STAY: counter GROW takes VNI 42's inner stream now, STAY does not (live_lib.sh
# steers).
steered() {
	if steers "vni.$VNI.$1" "vni.$VNI.$2"; then
		ok "vni.$VNI.$1 grows, vni.$VNI.$2 does not"
	else
		fail "vni.$VNI.$1 grows, vni.$VNI.$2 does not"
	fi
}

"$PCAPGEN" --mode vxlan --vni-base $VNI --macs 8 --remotes 2 --count 40 -o "$T/under.pcap"
"$PCAPGEN" --mode inner --vni-base $VNI --unknown --macs 1 --count 16 -o "$T/inner.pcap"

# Errors before vtepd runs: nothing to connect to.
expect_fail "no vtepd (wrong --file-prefix)" 1 "vtepd is not running" \
	"$VTEPCTL" --file-prefix "nosuch-$$" fdb show

start_vtepd "net_pcap0,rx_pcap=$T/under.pcap,tx_pcap=/dev/null" \
	"net_pcap1,rx_pcap=$T/inner.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	-- dev net_pcap0 local "$LOCAL/24" neigh $REMOTE lladdr 02:00:00:00:91:82 \
	id $VNI group $GROUP inner net_pcap1
wait_for "$WAIT" counter_is fdb.nb_learned 8 || fail "8 stations not learned"

# Reads.
expect_eq "learned entries listed" "$(ctl fdb show vni $VNI | grep -c ' self$')" 8
expect_eq "group in the flood list" "$(ctl fdb show | grep -c "^00:00:00:00:00:00 dst $GROUP vni $VNI self permanent$")" 1
expect_eq "neigh show" "$(ctl neigh show | grep -c "^$REMOTE lladdr 02:00:00:00:91:82 PERMANENT$")" 1
expect_eq "vni show" "$(ctl vni show | grep -c "^vni $VNI group $GROUP inner net_pcap1 learning ageing 300 ")" 1
expect_eq "-j fdb show is a JSON array of 9" \
	"$(ctl -j fdb show | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 9
# Filters: the remote, the state, the age.
expect_eq "fdb show dst 172.16.91.1 (one sender's 4)" "$(ctl fdb show dst 172.16.91.1 | wc -l)" 4
expect_eq "fdb show learned" "$(ctl fdb show learned | wc -l)" 8
expect_eq "fdb show dynamic (iproute2's word)" "$(ctl fdb show vni $VNI dynamic | wc -l)" 8
expect_eq "fdb show flood" "$(ctl fdb show flood)" "00:00:00:00:00:00 dst $GROUP vni $VNI self permanent"
expect_eq "fdb show static (none yet)" "$(ctl fdb show static | wc -l)" 0
expect_eq "fdb show older 0" "$(ctl fdb show older 0 | wc -l)" 8
expect_eq "fdb show older 100000" "$(ctl fdb show older 100000 | wc -l)" 0
expect_eq "fdb show dst 172.16.91.2 learned older 0" \
	"$(ctl fdb show dst 172.16.91.2 learned older 0 | wc -l)" 4
expect_fail "older without seconds" 2 "older needs seconds" ctl fdb show older x
# Bridge-domain words (issue 14): the VNI's one port, dev filters and their refusals.
expect_eq "link show: the inner port as the VNI's one attachment" \
	"$(ctl link show | grep -c "^net_pcap1 master $VNI state up learned 0 maxaddress 0$")" 1
expect_eq "link show -s: its traffic" "$(ctl -s link show | grep -c '^    RX: packets [1-9]')" 1
expect_eq "fdb show dev net_pcap1 (no local MACs learned in a one-port VNI)" \
	"$(ctl fdb show dev net_pcap1 | wc -l)" 0
expect_fail "fdb show dev of no attachment" 1 "not an attachment" ctl fdb show dev nosuch
expect_fail "vlan out of range" 2 "VLAN id out of range" \
	ctl fdb add 02:00:00:00:00:09 dev net_pcap1 vlan 4095
expect_fail "vlan without dev" 2 "vlan needs dev" ctl fdb show vlan 5
expect_fail "dev and dst together" 2 "not both" \
	ctl fdb add 02:00:00:00:00:09 dev net_pcap1 dst 172.16.91.130 vni $VNI
expect_fail "fdb add dev with an unconfigured vni" 1 "VNI 99 is not configured" \
	ctl fdb add 02:00:00:00:00:09 dev net_pcap1 vni 99
expect_fail "link set of no port" 1 "not a local port" ctl link set dev nosuch down
expect_fail "link set without up/down" 2 "link set dev PORT up|down" ctl link set dev net_pcap1
expect_fail "raw: bad state" 1 "state must be learned, static or flood" \
	ctl call /vtep/fdb,state=gone
if ctl igmp show | grep -q "\"groups\":\[\"$GROUP\"\]"; then ok "igmp show"; else fail "igmp show"; fi

# Remote VTEPs: the two senders (gleaned on-link, 4 stations each), the group, the neighbor's.
expect_eq "remote show: the two senders" \
	"$(ctl remote show | grep -cE '^172\.16\.91\.[12] resolved lladdr 02:00:00:00:91:0[12] fdb 4$')" 2
expect_eq "remote show: the group" \
	"$(ctl remote show | grep -c "^$GROUP group lladdr 01:00:5e:01:01:01 fdb 0$")" 1
# Every decapsulated frame is counted at one remote or as unlearned (its MAC not known yet).
rx_sum() { ctl -s remote show | awk '$1 == "RX:" { s += $3 } END { print s + 0 }'; }
expect_eq "remote RX packets add up to the decapsulated frames" "$(rx_sum)" \
	"$(counter "vni.$VNI.decap_pkts")"
expect_eq "-j remote show is a JSON array (unlearned, 2 senders, group)" \
	"$(ctl -j remote show | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 4
# tx_pkts of one remote, from -j.
remote_tx() {
	ctl -j remote show | /usr/bin/python3 -c '
import json, sys
print(sum(r["tx_pkts"] for r in json.load(sys.stdin) if r["ip"] == sys.argv[1]))' "$1"
}

# The unknown MAC is flooded to the group.
steered flood_pkts encap_pkts
expect_eq "encap_pkts before the static entry" "$(counter "vni.$VNI.encap_pkts")" 0

# A static entry steers encap at once.
ctl fdb add $MAC dst $REMOTE vni $VNI
expect_eq "fdb show has the static entry" \
	"$(ctl fdb show vni $VNI mac $MAC)" "$MAC dst $REMOTE vni $VNI self permanent"
steered encap_pkts flood_pkts
tx1=$(remote_tx $REMOTE)
remote_tx_grew() { [ "$(remote_tx $REMOTE)" -gt "$tx1" ]; }
if wait_for "$WAIT" remote_tx_grew; then
	ok "the static entry's remote counts what goes to it ($tx1 -> $(remote_tx $REMOTE))"
else
	fail "the static entry's remote counts what goes to it: stays $tx1"
fi
expect_fail "add of an existing entry" 1 "exists" ctl fdb add $MAC dst $REMOTE vni $VNI
ctl fdb replace $MAC dst 172.16.91.131 vni $VNI
expect_eq "replace moved it" "$(ctl fdb show mac $MAC)" "$MAC dst 172.16.91.131 vni $VNI self permanent"

# Delete: back to flooding.
ctl fdb del $MAC dst 172.16.91.131 vni $VNI
expect_eq "deleted" "$(ctl fdb show mac $MAC)" ""
steered flood_pkts encap_pkts

# Flood list: append a head-end replication remote, then delete it.
ctl_retry fdb append 00:00:00:00:00:00 dst $REMOTE vni $VNI
expect_eq "flood list has 2" "$(ctl fdb show mac 00:00:00:00:00:00 | wc -l)" 2
# Both counters from one snapshot, each taken once the worker has flooded more frames since the
# last (the append has returned: from the next burst on, two copies each); frames counted
# between the reads of the two counters of one snapshot give some slack.
flooded_since() { [ "$(snap "vni.$VNI.flood_pkts")" -ge "$1" ]; }
read -r p0 _ < <(snap "vni.$VNI.flood_pkts" "vni.$VNI.flood_copies")
wait_for "$WAIT" flooded_since $((p0 + 64)) || fail "no frame flooded after the append"
read -r p1 c1 < <(snap "vni.$VNI.flood_pkts" "vni.$VNI.flood_copies")
wait_for "$WAIT" flooded_since $((p1 + 8192)) || fail "flooding stopped after the append"
read -r p2 c2 < <(snap "vni.$VNI.flood_pkts" "vni.$VNI.flood_copies")
expect_eq "two copies per flooded frame ($((p2 - p1)) frames, $((c2 - c1)) copies)" \
	"$(((c2 - c1) >= 2 * (p2 - p1) - 4096 && (p2 - p1) > 0))" 1
ctl_retry fdb del 00:00:00:00:00:00 dst $REMOTE vni $VNI
expect_eq "flood list back to 1" "$(ctl fdb show mac 00:00:00:00:00:00 | wc -l)" 1
expect_fail "the group is not a list entry" 1 "group" \
	ctl fdb del 00:00:00:00:00:00 dst $GROUP vni $VNI

# More remotes than one answer holds (48): vtepctl pages through them. First $REMOTE and .131,
# which nothing names since above, are released (within a second of the control lcore's pass).
remotes_are() { [ "$(ctl remote show | wc -l)" -eq "$1" ]; }
wait_for "$WAIT" remotes_are 3 || fail "unused remotes not released: $(ctl remote show | tr '\n' ';')"
for i in $(seq 10 69); do
	ctl fdb add "02:00:00:00:01:$i" dst "172.16.91.$i" vni $VNI
done
expect_eq "remote show pages: 2 senders, the group and 60 new ($REMOTE and .131, unused since above, were released)" \
	"$(ctl remote show | wc -l)" 63
expect_eq "the new remotes wait for ARP" "$(ctl remote show | grep -c ' unresolved fdb 1$')" 60
for i in $(seq 10 69); do
	ctl fdb del "02:00:00:00:01:$i" vni $VNI
done

# Flush learned entries (static ones stay).
ctl fdb add 02:00:00:00:00:99 dst $REMOTE vni $VNI
ctl -s fdb flush vni $VNI >"$T/flush"
expect_eq "flush says" "$(cat "$T/flush")" "flushed 8"
expect_eq "after flush" "$(ctl fdb show vni $VNI | grep -v '^00:00:00:00:00:00')" \
	"02:00:00:00:00:99 dst $REMOTE vni $VNI self permanent"

# Learning and ageing.
ctl vni set $VNI nolearning
ctl vni set $VNI ageing 30
expect_eq "vni set" "$(ctl vni show | grep -c "^vni $VNI .* nolearning ageing 30 ")" 1

# Every error path: non-zero exit and a clear message.
expect_fail "bad MAC" 2 "invalid MAC address 'zz:00'" ctl fdb add zz:00 dst $REMOTE vni $VNI
expect_fail "multicast MAC" 2 "unicast" ctl fdb add 01:00:5e:00:00:01 dst $REMOTE vni $VNI
expect_fail "bad IP" 2 "invalid IPv4 address '172.16.91'" ctl fdb add $MAC dst 172.16.91 vni $VNI
expect_fail "VNI out of range" 2 "VNI out of range" ctl fdb add $MAC dst $REMOTE vni 16777216
expect_fail "VNI not a number" 2 "invalid VNI" ctl fdb add $MAC dst $REMOTE vni x
expect_fail "VNI not configured" 1 "VNI 43 is not configured" ctl fdb add $MAC dst $REMOTE vni 43
expect_fail "missing dst" 2 "needs MAC dst IP vni N" ctl fdb add $MAC vni $VNI
expect_fail "delete a missing entry" 1 "fdb entry not found" ctl fdb del 02:00:00:00:00:77 vni $VNI
expect_fail "unknown command" 2 "unknown command" ctl frob show
expect_fail "raw: vtepd's own error" 1 "unknown parameter 'bogus'" ctl call /vtep/fdb,bogus=1

# dpdk-telemetry.py reads the same commands.
if [ -x /usr/bin/dpdk-telemetry.py ]; then
	out=$(echo /vtep/stats | /usr/bin/python3 /usr/bin/dpdk-telemetry.py -f "$PFX")
	if echo "$out" | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)["/vtep/stats"]
assert s["vni_42"]["encap_pkts"] > 0 and "rx_truncated" in s["drop"] and "lcore_0" in s
'; then ok "dpdk-telemetry.py /vtep/stats"; else fail "dpdk-telemetry.py /vtep/stats: $out"; fi
	out=$(echo "/vtep/fdb,vni=$VNI" | /usr/bin/python3 /usr/bin/dpdk-telemetry.py -f "$PFX")
	if echo "$out" | grep -q '"02:00:00:00:00:99"'; then ok "dpdk-telemetry.py /vtep/fdb"
	else fail "dpdk-telemetry.py /vtep/fdb: $out"; fi
else
	echo "note: /usr/bin/dpdk-telemetry.py missing, skipped"
fi

# vtepd stops cleanly and its final FDB agrees.
stop_vtepd
expect_eq "final fdb printout" "$(grep '^fdb ' "$T/vtepd.out")" \
	"fdb $VNI 02:00:00:00:00:99 dst $REMOTE static"
expect_eq "no mbuf leak: in use once the ports closed" \
	"$(awk '$2 == "mempool.in_use_after" { print $3 }' "$T/vtepd.out")" 0
expect_fail "vtepd gone" 1 "vtepd is not running" ctl stats

live_done vtepctl
