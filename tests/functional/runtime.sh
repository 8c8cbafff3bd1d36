#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run-time changes take effect at once and cost unrelated traffic nothing.
#
#   runtime.sh VTEPD VTEPCTL PCAPGEN
#
# vtepd on net_pcap ports that replay forever (infinite_rx): VNI 42's inner port sends a steady
# stream to a static entry (the unrelated flow), VNI 43's inner port a stream to one MAC that
# starts unknown. While both run, vtepctl adds, replaces and deletes VNI 43 entries (that MAC and
# others) and appends and deletes VNI 43 flood-list remotes, many times. Checks: each change
# steers VNI 43's frames at once (encap vs flood counters), and at exit VNI 42 lost nothing: not
# one frame flooded or dropped, the static entry intact; the counters add up for each
# direction (inner rx = encapsulated + flooded + inner drops, underlay rx = decapsulated +
# control + underlay drops, underlay tx = encapsulated + flood copies + control frames sent).
# Exit 0 pass, 1 fail.
set -euo pipefail

VTEPD=${1:?vtepd}
VTEPCTL=$(readlink -f "${2:?vtepctl}")
PCAPGEN=${3:?vtep-pcapgen}
HERE=$(cd "$(dirname "$0")" && pwd)
HERE_DROPS="$HERE/../../lib/base/stats/vtep_drop.def"
LOCAL=172.16.91.129
R1=172.16.91.130 # VNI 42's static entry
R2=172.16.91.131
R3=172.16.91.132
R4=172.16.91.133
MAC42=02:00:00:2a:00:01 # what pcapgen --vni-base 42 --macs 1 sends to
MAC43=02:00:00:2b:00:01
ROUNDS=${ROUNDS:-30}
PFX="vtepfn-runtime-$$"
T=$(mktemp -d /tmp/vtepruntime.XXXXXX)
# shellcheck source=tests/functional/live_lib.sh
. "$HERE/live_lib.sh"
live_init "$PCAPGEN"

# exit_counter NAME: from vtepd's printout at exit.
exit_counter() {
	awk -v n="$1" '$1 == "counter" && $2 == n { print $3 }' "$T/vtepd.out"
}

# Sum of the exit counters of the drop reasons in lines FIRST..LAST of vtep_drop.def.
drop_sum() {
	local sum=0 name
	while read -r name; do
		sum=$((sum + $(exit_counter "drop.$name")))
	done < <(sed -n "/$1/,/$2/p" "$HERE_DROPS" | sed -n 's/^X([A-Z_0-9]*, "\([a-z_0-9]*\)".*/\1/p')
	echo "$sum"
}

"$PCAPGEN" --mode inner --vni-base 42 --macs 1 --flows 8 --count 64 -o "$T/in42.pcap"
"$PCAPGEN" --mode inner --vni-base 43 --macs 1 --flows 8 --count 64 -o "$T/in43.pcap"
"$PCAPGEN" --mode vxlan --count 0 -o "$T/under.pcap"

start_vtepd "net_pcap0,rx_pcap=$T/under.pcap,tx_pcap=/dev/null" \
	"net_pcap1,rx_pcap=$T/in42.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	"net_pcap2,rx_pcap=$T/in43.pcap,infinite_rx=1,tx_pcap=/dev/null" -- \
	dev net_pcap0 local "$LOCAL/24" \
	neigh $R1 lladdr 02:00:00:00:91:82 neigh $R2 lladdr 02:00:00:00:91:83 \
	neigh $R3 lladdr 02:00:00:00:91:84 neigh $R4 lladdr 02:00:00:00:91:85 \
	id 42 inner net_pcap1 fdb $MAC42 dst $R1 \
	id 43 group 239.1.1.43 inner net_pcap2

if steers vni.43.flood_pkts vni.43.encap_pkts; then ok "VNI 43's MAC starts unknown: flooded"; else fail "VNI 43 not flooded at start"; fi
read -r e42 f42 < <(snap vni.42.encap_pkts vni.42.flood_pkts)
expect_eq "VNI 42's flow is encapsulated ($e42 so far), never flooded" "$((e42 > 0))/$f42" 1/0

bad=0
for r in $(seq "$ROUNDS"); do
	ctl fdb add $MAC43 dst $R2 vni 43
	steers vni.43.encap_pkts vni.43.flood_pkts || { bad=$((bad + 1)); fail "round $r: add did not steer to encap"; }
	ctl fdb replace $MAC43 dst $R3 vni 43
	# Other entries and the flood list, changed around the two flows.
	for i in 1 2 3 4 5; do
		ctl fdb add "02:00:00:2b:01:0$i" dst $R2 vni 43
		ctl fdb replace "02:00:00:2b:01:0$i" dst $R4 vni 43
	done
	ctl_retry fdb append 00:00:00:00:00:00 dst $R4 vni 43
	ctl_retry fdb append 00:00:00:00:00:00 dst $R2 vni 43
	for i in 1 2 3 4 5; do
		ctl fdb del "02:00:00:2b:01:0$i" vni 43
	done
	ctl_retry fdb del 00:00:00:00:00:00 dst $R4 vni 43
	ctl fdb del $MAC43 vni 43
	steers vni.43.flood_pkts vni.43.encap_pkts || { bad=$((bad + 1)); fail "round $r: delete did not steer back to flooding"; }
	ctl_retry fdb del 00:00:00:00:00:00 dst $R2 vni 43
done
expect_eq "$ROUNDS rounds of changes, each steering at once: rounds that did not" "$bad" 0
expect_eq "fdb after the churn: the static entry of VNI 42 only" \
	"$(ctl fdb show | grep -v '^00:00:00:00:00:00')" "$MAC42 dst $R1 vni 42 self permanent"
expect_eq "VNI 43's flood list: its group only" "$(ctl fdb show vni 43 mac 00:00:00:00:00:00)" \
	"00:00:00:00:00:00 dst 239.1.1.43 vni 43 self permanent"

stop_vtepd
inner_rx=$(exit_counter inner_rx)
enc42=$(exit_counter vni.42.encap_pkts)
enc43=$(exit_counter vni.43.encap_pkts)
fl42=$(exit_counter vni.42.flood_pkts)
fl43=$(exit_counter vni.43.flood_pkts)
cp43=$(exit_counter vni.43.flood_copies)
inner_drops=$(drop_sum "Inner -> underlay" "TX_UNDERLAY_FULL")
under_drops=$(drop_sum "Underlay -> inner" "TX_INNER_FULL")
echo "note: inner_rx $inner_rx, VNI 42 encap $enc42, VNI 43 encap $enc43 flood $fl43 (copies $cp43)"
expect_eq "VNI 42: not one frame flooded" "$fl42" 0
expect_eq "inner drops (every reason of the inner -> underlay list)" "$inner_drops" 0
expect_eq "inner rx = encapsulated + flooded + dropped" "$inner_rx" \
	"$((enc42 + enc43 + fl42 + fl43 + inner_drops))"
expect_eq "underlay rx = decapsulated + control + dropped" "$(exit_counter underlay_rx)" \
	"$(($(exit_counter vni.42.decap_pkts) + $(exit_counter vni.43.decap_pkts) + \
	$(exit_counter ctl_arp) + $(exit_counter ctl_igmp) + $(exit_counter ctl_icmp) + under_drops))"
# Underlay tx: every encapsulated frame, every flood copy, and what the control lcore sent
# (gratuitous ARP, IGMP reports): nothing else, nothing less.
ctl_sent=$(($(exit_counter underlay_tx) - enc42 - enc43 - cp43))
expect_eq "underlay tx = encap + flood copies + a few control frames ($ctl_sent)" \
	"$((ctl_sent >= 0 && ctl_sent < 100))" 1
expect_eq "no drop at all" "$(awk '$1 == "counter" && $2 ~ /^drop\./ { s += $3 } END { print s + 0 }' "$T/vtepd.out")" 0
expect_eq "static entry at exit" "$(grep '^fdb ' "$T/vtepd.out")" "fdb 42 $MAC42 dst $R1 static"

live_done "runtime changes"
