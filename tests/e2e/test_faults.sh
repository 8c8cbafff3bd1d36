#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Link faults, end to end: the seed topology (vtepd in h2 on net_af_packet, the tap vtep0 as its
# inner port, kernel peers h1 and h3 behind an IGMP-snooping switch that queries every 125 s and
# lets hosts answer within 120 s) and links that go down and come back:
#   - the underlay wire: the switch's port to h2 (sw-h2) down and up, so h2's eth0 loses carrier;
#   - the underlay interface itself: h2's eth0 down and up;
#   - the inner port: vtep0 down and up.
# Each time vtepd keeps running and answering, sees the link go down and come up (link_down,
# link_up), counts what it cannot hand over (drop.tx_inner_full while vtep0 is down), and the
# overlay works again by itself: after an underlay flap the switch has forgotten h2's group
# membership (the bridge deletes a port's mdb entries when it goes down) and vtepd must report
# it again at once, or BUM traffic (h1's ARP for 10.0.0.2, sent to 239.1.1.1) stays off h2 until
# vtepd answers the query the bridge sends when the port comes back, after a random delay of up
# to 120 s (RFC 3376 5.2). At exit: status 0, every mbuf back in the pool.
# One PASS/FAIL line per check, "N passed, N failed" at the end. About 40 s.
#
# Run as root: VTEPD=build/app/vtepd/vtepd VTEPCTL=build/app/vtepctl/vtepctl tests/e2e/test_faults.sh
set -uo pipefail

E2E_FLOOD=group
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${VTEPCTL:=$E2E_ROOT/build/app/vtepctl/vtepctl}"
# Every wait is for a condition; this bounds it when something is broken.
RECOVER_S=60
# How soon after link up the switch must have h2's membership again: a vtepd that reports at
# link up needs ~0.1 s; one that waits for the switch's query answers after up to 120 s (one in
# twelve within 10 s).
REJOIN_S=10

e2e_timers 12500 12000 26000
e2e_begin
[[ -x $VTEPCTL ]] || e2e_abort "no vtepctl at $VTEPCTL (set VTEPCTL)"
vctl() { "$VTEPCTL" --file-prefix "$E2E_VTEPD_PREFIX" "$@"; }
# counter NAME: vtepd's counter now (vtepctl -s stats).
counter() { vctl -s stats | awk -v n="$1" '$1 == n { print $2 }'; }
counter_ge() { [[ $(counter "$1") -ge $2 ]]; }
# ping_h1_fresh: h1 forgets 10.0.0.2 (its next ARP request goes to the group) and pings it.
ping_h1_fresh() {
	ns_exec "$E2E_NS_H1" ip neigh flush dev vxlan0
	ping_ok "$E2E_NS_H1" "$E2E_H2_OVERLAY"
}

vtepd_begin "vtepd starts in h2"
check "switch: h2's port is a member of $E2E_GROUP" wait_for "e2e_mdb_has sw-h2" "$RECOVER_S"
check "ping $E2E_H2_OVERLAY from h1 (ARP to the group)" ping_h1_fresh

# link_down NAME NS DEV / link_up NAME NS DEV: link DEV in NS down (up); vtepd must see it (its
# link_down, link_up counters) and keep answering.
link_down() {
	local n
	n=$(counter link_down)
	ip -n "$2" link set "$3" down
	check "$1 down: vtepd sees it (link_down $n -> $((n + 1)))" \
		wait_for "counter_ge link_down $((n + 1))" "$RECOVER_S"
	check "$1 down: vtepd keeps running and answering" vctl stats
}
link_up() {
	local n
	n=$(counter link_up)
	ip -n "$2" link set "$3" up
	check "$1 up: vtepd sees it (link_up $n -> $((n + 1)))" \
		wait_for "counter_ge link_up $((n + 1))" "$RECOVER_S"
}
flap() {
	link_down "$@"
	link_up "$@"
}

# --- the underlay ------------------------------------------------------------------------------
flap "switch port sw-h2 (h2's eth0 loses carrier)" "$E2E_NS_SW" sw-h2
check "switch: h2's port a member again within ${REJOIN_S}s (vtepd reported at link up)" \
	wait_for "e2e_mdb_has sw-h2" "$REJOIN_S"
check "ping $E2E_H2_OVERLAY from h1 after the flap (ARP to the group reaches vtepd)" \
	wait_for ping_h1_fresh "$RECOVER_S"
flap "h2's eth0 (the interface under net_af_packet)" "$E2E_NS_H2" eth0
check "switch: h2's port a member again within ${REJOIN_S}s" wait_for "e2e_mdb_has sw-h2" "$REJOIN_S"
check "ping $E2E_H2_OVERLAY from h1 after eth0 came back" wait_for ping_h1_fresh "$RECOVER_S"
check "ping $E2E_H1_OVERLAY from h2 after eth0 came back" \
	wait_for "ping_ok $E2E_NS_H2 $E2E_H1_OVERLAY" "$RECOVER_S"

# --- the inner port ----------------------------------------------------------------------------
drops=$(counter drop.tx_inner_full)
link_down vtep0 "$E2E_NS_H2" vtep0
# h1's echo requests still reach vtepd, which cannot hand them to vtep0: each is counted.
ns_exec "$E2E_NS_H1" ping -c 5 -i 0.2 -W 1 "$E2E_H2_OVERLAY" >/dev/null 2>&1
check "vtep0 down: what vtepd could not hand over is counted (drop.tx_inner_full > $drops)" \
	wait_for "counter_ge drop.tx_inner_full $((drops + 1))" "$RECOVER_S"
link_up vtep0 "$E2E_NS_H2" vtep0
check "ping $E2E_H2_OVERLAY from h1 after vtep0 came back" \
	wait_for "ping_ok $E2E_NS_H1 $E2E_H2_OVERLAY" "$RECOVER_S"
check "ping $E2E_H3_OVERLAY from h2 after vtep0 came back" \
	wait_for "ping_ok $E2E_NS_H2 $E2E_H3_OVERLAY" "$RECOVER_S"

vtepd_stop_check "vtepd exits with status 0 on SIGTERM"
after=$(vtepd_counter mempool.in_use_after)
if [[ $after == 0 ]]; then
	pass "every mbuf back in the pool at exit (mempool.in_use_after 0)"
else
	fail "every mbuf back in the pool at exit" "mempool.in_use_after '$after'"
fi
summary
