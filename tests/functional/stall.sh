#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# An inner port that stops draining: the inner port is virtio-user, its vhost-user backend a
# dpdk-testpmd that swaps MACs and sends every frame back, and the test stops that backend
# (SIGSTOP), as a VM that is paused or wedged would.
#
#   stall.sh VTEPD VTEPCTL PCAPGEN
#
# While the backend is stopped vtepd keeps running and answering, counts every frame it cannot
# hand over (drop.tx_inner_full); once it runs again, traffic flows both ways by itself; at exit
# every mbuf is back in the pool (mempool.in_use_after 0, measured once the ports are closed).
# A backend still stopped when vtepd is told to stop cannot answer virtio-user's goodbye: vtepd
# gives up on the port after 10 s and exits with status 1 and its report, instead of hanging.
# Exit 0 pass, 1 fail, 77 skip (no dpdk-testpmd).
set -euo pipefail

VTEPD=${1:?vtepd}
VTEPCTL=$(readlink -f "${2:?vtepctl}")
PCAPGEN=${3:?vtep-pcapgen}
HERE=$(cd "$(dirname "$0")" && pwd)
LOCAL=172.16.91.129
PFX="vtepfn-stall-$$"
T=$(mktemp -d /tmp/vtepstall.XXXXXX)
# shellcheck source=tests/functional/live_lib.sh
. "$HERE/live_lib.sh"

command -v dpdk-testpmd >/dev/null || { echo "SKIP: dpdk-testpmd not installed"; exit 77; }
TP=
TP_PFX="vtepfn-stallb-$$"
stall_cleanup() {
	if [ -n "$TP" ] && kill -0 "$TP" 2>/dev/null; then
		kill -CONT "$TP" 2>/dev/null || true
		kill -TERM "$TP" 2>/dev/null || true
		wait "$TP" 2>/dev/null || true
	fi
	rm -rf "/var/run/dpdk/$TP_PFX"
	live_cleanup
}
live_init "$PCAPGEN"
trap stall_cleanup EXIT

# backend: testpmd as the vhost-user backend on $T/vh.sock, both lcores on CPU 0 (vtepd's worker
# polls CPU 1); TP.
backend() {
	rm -f "$T/vh.sock"
	dpdk-testpmd --lcores=0@0,1@0 --no-huge -m 512 --no-pci --file-prefix="$TP_PFX" \
		--vdev="net_vhost0,iface=$T/vh.sock,queues=1" -- --forward-mode=macswap \
		--auto-start --nb-cores=1 --total-num-mbufs=4096 --stats-period 1 </dev/null \
		>"$T/testpmd.out" 2>&1 &
	TP=$!
	wait_for "$WAIT" test -S "$T/vh.sock" || { echo "FAIL: testpmd made no socket"; exit 1; }
}

# grown NAME MIN: counter NAME has grown by MIN since the last `mark NAME`.
declare -A MARK=()
mark() { MARK[$1]=$(counter "$1"); }
grown() { [ "$(counter "$1")" -ge $((${MARK[$1]} + $2)) ]; }

# Stations behind one remote, static entries: the answers need no learning.
"$PCAPGEN" --mode vxlan --vni-base 42 --macs 8 --remotes 1 --count 64 -o "$T/under.pcap"
WORDS=(dev net_pcap0 local "$LOCAL/24" neigh 172.16.91.1 lladdr 02:00:00:00:91:01 id 42
	inner net_virtio_user0)
for n in 1 2 3 4 5 6 7 8; do
	WORDS+=(fdb "02:00:00:2a:00:0$n" dst 172.16.91.1 vni 42)
done

backend
start_vtepd "net_pcap0,rx_pcap=$T/under.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	"net_virtio_user0,path=$T/vh.sock,queues=1" -- "${WORDS[@]}"
mark vni.42.encap_pkts
wait_for "$WAIT" grown vni.42.encap_pkts 1000 || fail "no answers from the backend"
ok "answers come back: vni.42.encap_pkts $(counter vni.42.encap_pkts)"

# ---- the backend stops reading ----------------------------------------------------------------
kill -STOP "$TP"
mark drop.tx_inner_full
wait_for "$WAIT" grown drop.tx_inner_full 1000 ||
	fail "frames for the stopped port not counted (drop.tx_inner_full $(counter drop.tx_inner_full))"
# Its ring is full now: everything decapsulated is dropped and counted, nothing handed over.
if steers drop.tx_inner_full inner_tx; then
	ok "backend stopped: every frame for it counted in drop.tx_inner_full, none handed over"
else
	fail "backend stopped: frames for it not all counted in drop.tx_inner_full"
fi
read -r e1 < <(snap vni.42.encap_pkts)
if steers drop.tx_inner_full vni.42.encap_pkts; then
	ok "backend stopped: no answers ($e1), vtepd still forwards and answers telemetry"
else
	fail "backend stopped: answers still counted"
fi

# ---- it runs again ----------------------------------------------------------------------------
kill -CONT "$TP"
mark vni.42.encap_pkts
mark inner_tx
wait_for "$WAIT" grown vni.42.encap_pkts 1000 || fail "no answers after the backend resumed"
wait_for "$WAIT" grown inner_tx 1000 || fail "nothing handed over after the backend resumed"
ok "backend resumed: frames handed over and answered again by themselves"
stop_vtepd
expect_eq "every mbuf back in the pool once the ports closed (mempool.in_use_after)" \
	"$(awk '$1 == "counter" && $2 == "mempool.in_use_after" { print $3 }' "$T/vtepd.out")" 0
expect_eq "the report's last line" "$(tail -n 1 "$T/vtepd.out")" end
rm -rf "/var/run/dpdk/$PFX"

# ---- still stopped when vtepd is told to stop -------------------------------------------------
kill -TERM "$TP"
wait "$TP" 2>/dev/null || true
backend
start_vtepd "net_pcap0,rx_pcap=$T/under.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	"net_virtio_user0,path=$T/vh.sock,queues=1" -- "${WORDS[@]}"
mark inner_tx
wait_for "$WAIT" grown inner_tx 1000 || fail "nothing handed over to the second backend"
kill -STOP "$TP"
kill -TERM "$VPID"
start=$SECONDS
rc=0
timeout "$WAIT" tail --pid="$VPID" -f /dev/null || rc=$?
if [ "$rc" != 0 ]; then
	fail "vtepd still running $WAIT s after SIGTERM with its backend stopped"
	kill -KILL "$VPID"
else
	ok "vtepd exited $((SECONDS - start)) s after SIGTERM with its backend stopped"
fi
rc=0
wait "$VPID" || rc=$?
VPID=
expect_eq "exit status when a port could not be closed" "$rc" 1
expect_eq "says why" "$(grep -c 'teardown stuck for 10 s' "$T/vtepd.err")" 1
expect_eq "the report is complete" "$(tail -n 1 "$T/vtepd.out")" end
kill -CONT "$TP"

live_done "inner port that stops draining"
