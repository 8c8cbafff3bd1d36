#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# `vtepctl capture` and `vtepctl monitor` against a running vtepd (docs/capture.md,
# docs/vtepctl.md).
#
#   watch.sh VTEPD VTEPCTL PCAPGEN
#
# vtepd serves VNIs 42 and 43 on net_pcap ports that replay forever (infinite_rx): the underlay
# a mix of VXLAN frames of both VNIs from 600 stations each behind one remote VTEP, each inner
# port frames to a station of its VNI. Captures are read back with tshark: frame counts, the VNI
# filter, the port filter, directions, timestamps. The monitor follows static changes, flood-list
# changes, a flush and the relearning after it, and must say when it fell behind.
# Exit 0 pass, 1 fail, 77 skip (no tshark).
set -euo pipefail

VTEPD=${1:?vtepd}
VTEPCTL=$(readlink -f "${2:?vtepctl}")
PCAPGEN=${3:?vtep-pcapgen}
HERE=$(cd "$(dirname "$0")" && pwd)
LOCAL=172.16.91.129
REMOTE=172.16.91.1
PFX="vtepfn-watch-$$"
T=$(mktemp -d /tmp/vtepwatch.XXXXXX)
# shellcheck source=tests/functional/live_lib.sh
. "$HERE/live_lib.sh"

command -v tshark >/dev/null || { echo "SKIP: tshark not installed"; exit 77; }
live_init "$PCAPGEN"

# tshark_count FILE [FILTER]: frames of FILE (that match FILTER).
tshark_count() {
	if [ $# -gt 1 ]; then
		tshark -r "$1" -Y "$2" -T fields -e frame.number 2>/dev/null | wc -l
	else
		tshark -r "$1" -T fields -e frame.number 2>/dev/null | wc -l
	fi
}

# frames FILE: frames in FILE, without dissecting them (capinfos).
frames() {
	capinfos -c -M "$1" | awk '/^Number of packets/ { print $NF }'
}

# capture_state: running or stopped.
capture_state() {
	ctl -j capture show | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])'
}
capture_stopped() { [ "$(capture_state)" = stopped ]; }
# capture_wrote: the running capture has written frames.
capture_wrote() {
	ctl -j capture show | /usr/bin/python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["written"] == 0)'
}

# A monitor follows vtepd's FDB event log from its first request on, and nothing says when it
# has made it. Every monitor here prints the events' sequence numbers (text with -s: "[SEQ EVENT]
# ...", JSON: "seq"), so: monitor_ready FILE... adds and deletes a probe entry until every FILE
# shows an event at least as new as that add (the monitors follow the log from then on), and
# notes the log's newest event then (MARK). Checks read the lines of events after MARK
# (after_mark, the text ones without their "[SEQ EVENT] ") and wait until a monitor has printed
# the log's newest event (caught_up), however long a busy machine takes.
PROBE=02:00:00:00:00:fe
MARK=
# log_last: sequence number of the newest event in vtepd's FDB event log.
log_last() {
	ctl call /vtep/fdb_events | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["next"] - 1)'
}
# last_seq FILE: the newest event a monitor printed (0: none).
last_seq() {
	sed -n 's/^\[\([0-9]*\) .*/\1/p; s/^{"seq":\([0-9]*\),.*/\1/p' "$1" | sort -n | tail -n 1 |
		awk '{ s = $1 } END { print s + 0 }'
}
# all TEST ARG FILE...: TEST ARG FILE holds for every FILE.
all() {
	local t=$1 a=$2 f
	shift 2
	for f in "$@"; do
		"$t" "$a" "$f" || return 1
	done
}
seq_at_least() { [ "$(last_seq "$2")" -ge "$1" ]; }
monitor_ready() {
	local deadline=$((SECONDS + WAIT)) added
	while :; do
		ctl fdb add $PROBE dst 172.16.91.130 vni 42
		added=$(log_last)
		ctl fdb del $PROBE vni 42
		wait_for 2 all seq_at_least "$added" "$@" && break
		if [ "$SECONDS" -ge "$deadline" ]; then
			fail "monitors writing $* did not start following the log"
			return 1
		fi
	done
	MARK=$(log_last)
}
# after_mark FILE: the lines of events after MARK and the "missed" lines among them.
after_mark() {
	awk -v m="$MARK" '
		/^missed / { if (on) print; next }
		{ s = $0; sub(/^\[/, "", s); sub(/^\{"seq":/, "", s); n = s + 0
		  if (n > m) { on = 1; sub(/^\[[0-9]+ [a-z_]+\] /, ""); print } }' "$1"
}
# caught_up FILE: the monitor writing FILE has printed the log's newest event.
caught_up() { [ "$(last_seq "$1")" -ge "$(log_last)" ]; }

"$PCAPGEN" --mode vxlan --vnis 2 --macs 600 --remotes 1 --count 1200 -o "$T/under.pcap"
"$PCAPGEN" --mode inner --vni-base 42 --macs 1 --count 16 -o "$T/in42.pcap"
"$PCAPGEN" --mode inner --vni-base 43 --macs 1 --count 16 -o "$T/in43.pcap"

expect_fail "capture show, no vtepd" 1 "vtepd is not running" \
	"$VTEPCTL" --file-prefix "nosuch-$$" capture show
expect_fail "monitor, no vtepd" 1 "vtepd is not running" "$VTEPCTL" --file-prefix "nosuch-$$" monitor

# One log type per module: vtepd.capture's INFO lines off, the others' on.
EAL_EXTRA=(--log-level=vtepd.capture:warning)
start_vtepd "net_pcap0,rx_pcap=$T/under.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	"net_pcap1,rx_pcap=$T/in42.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	"net_pcap2,rx_pcap=$T/in43.pcap,infinite_rx=1,tx_pcap=/dev/null" -- \
	dev net_pcap0 local "$LOCAL/24" neigh $REMOTE lladdr 02:00:00:00:91:01 \
	id 42 inner net_pcap1 id 43 inner net_pcap2
wait_for "$WAIT" counter_is fdb.nb_learned 1200 || fail "1200 stations not learned"

# ---- capture ----------------------------------------------------------------------------------
expect_eq "no capture yet" "$(capture_state)" stopped
expect_fail "stop without a capture" 1 "no capture is running" ctl capture stop

# The underlay, VNI 42 only, 200 frames: the capture stops by itself.
ctl capture start "$T/u42.pcapng" dev underlay vni 42 count 200
wait_for "$WAIT" capture_stopped || fail "capture with count 200 did not stop"
expect_eq "underlay vni 42: frames in the file" "$(tshark_count "$T/u42.pcapng")" 200
expect_eq "underlay vni 42: VXLAN VNI 42 (tshark -Y vxlan.vni==42)" \
	"$(tshark_count "$T/u42.pcapng" vxlan.vni==42)" 200
expect_eq "underlay vni 42: no other VNI" "$(tshark_count "$T/u42.pcapng" 'vxlan.vni!=42')" 0
# Copies lost to a full ring (the stream is endless) are counted as lost, not written.
expect_eq "capture show after count" "$(ctl capture show | cut -d" " -f1-12)" \
	"capture stopped file $T/u42.pcapng dev underlay vni 42 count 200 written 200"
# Received and sent frames, each with its direction (pcapng EPB flags).
in=$(tshark_count "$T/u42.pcapng" "frame.packet_flags_direction == 1")
out=$(tshark_count "$T/u42.pcapng" "frame.packet_flags_direction == 2")
expect_eq "underlay: inbound + outbound" "$((in + out))" 200
expect_eq "underlay: both directions seen" "$((in > 0 && out > 0))" 1
# Timestamps are wall-clock time (within a minute of now).
ts=$(tshark -r "$T/u42.pcapng" -c 1 -T fields -e frame.time_epoch 2>/dev/null | cut -d. -f1)
expect_eq "timestamp within 60 s of now ($ts)" "$(($(date +%s) - ts < 60 && ts - $(date +%s) < 60))" 1

# snaplen: 64 bytes of each 114-byte frame are kept, and the file says how long it was.
ctl capture start "$T/snap.pcapng" dev underlay count 20 snaplen 64
wait_for "$WAIT" capture_stopped || fail "snaplen capture did not stop"
expect_eq "snaplen 64: captured lengths" \
	"$(tshark -r "$T/snap.pcapng" -T fields -e frame.cap_len 2>/dev/null | sort -u)" 64
expect_eq "snaplen 64: original lengths" \
	"$(tshark -r "$T/snap.pcapng" -T fields -e frame.len 2>/dev/null | sort -u | tr '\n' ' ')" "114 "

# The inner port of VNI 43, a relative file name (vtepctl makes it absolute).
(cd "$T" && ctl capture start i43.pcapng dev inner vni 43 count 100)
wait_for "$WAIT" capture_stopped || fail "inner capture did not stop"
expect_eq "inner vni 43: frames" "$(tshark_count "$T/i43.pcapng")" 100
expect_eq "inner vni 43: no VXLAN" "$(tshark_count "$T/i43.pcapng" vxlan)" 0
expect_eq "inner vni 43: only VNI 43 stations (02:00:00:2b:..)" \
	"$(tshark_count "$T/i43.pcapng" '!(eth.src[0:4] == 02:00:00:2b || eth.dst[0:4] == 02:00:00:2b)')" 0

# No filter: frames of all three ports.
ctl capture start "$T/any.pcapng" dev any count 3000
wait_for "$WAIT" capture_stopped || fail "dev any capture did not stop"
expect_eq "dev any: frames of all three ports" \
	"$(tshark -r "$T/any.pcapng" -T fields -e frame.interface_id 2>/dev/null | sort -u | wc -l)" 3

# Stopped by hand.
ctl capture start "$T/all.pcapng" dev any
expect_eq "capture show while running" "$(ctl capture show | cut -d' ' -f1-6)" \
	"capture running file $T/all.pcapng dev any"
expect_fail "start while running" 1 "a capture is running" ctl capture start "$T/x.pcapng"
wait_for "$WAIT" capture_wrote || fail "the capture wrote nothing"
ctl capture stop >"$T/stop.txt"
written=$(awk '{ for (i = 1; i < NF; i++) if ($i == "written") print $(i + 1) }' "$T/stop.txt")
expect_eq "stop: frames written = frames in the file" "$(frames "$T/all.pcapng")" "$written"
ctl -j capture show >"$T/show.json"
if /usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["state"] == "stopped" and s["dev"] == "any" and s["written"] > 0
assert s["copied"] == s["written"], s
' "$T/show.json"; then ok "capture show -j"; else fail "capture show -j: $(cat "$T/show.json")"; fi

# Errors: on the command line (2) and in vtepd (1).
expect_fail "capture: bad path" 1 "cannot open /nonexistent/dir/x.pcapng" \
	ctl capture start /nonexistent/dir/x.pcapng
expect_fail "capture: VNI not configured" 1 "VNI 44 is not configured" \
	ctl capture start "$T/x.pcapng" vni 44
expect_fail "capture: VNI out of range" 2 "VNI out of range" ctl capture start "$T/x.pcapng" vni 16777216
expect_fail "capture: bad dev" 2 "dev must be underlay, inner or any" \
	ctl capture start "$T/x.pcapng" dev eth0
expect_fail "capture: bad count" 2 "invalid count" ctl capture start "$T/x.pcapng" count -1
expect_fail "capture: comma in the name" 2 "must not contain" ctl capture start "$T/a,b.pcapng"
expect_fail "capture: no file" 2 "needs a file" ctl capture start
expect_fail "capture: unknown word" 2 "unknown word" ctl capture start "$T/x.pcapng" filter udp
expect_fail "capture: bad snaplen" 2 "invalid snaplen" ctl capture start "$T/x.pcapng" snaplen x
expect_fail "capture: unknown verb" 2 "unknown capture command" ctl capture frob
expect_fail "raw: capture_start without file" 1 "needs file=" ctl call /vtep/capture_start
expect_fail "raw: relative file" 1 "absolute path" ctl call /vtep/capture_start,file=x.pcapng

# ---- monitor ----------------------------------------------------------------------------------
"$VTEPCTL" --file-prefix "$PFX" -s monitor fdb >"$T/mon.txt" 2>"$T/mon.err" &
MPID=$!
"$VTEPCTL" --file-prefix "$PFX" -j monitor >"$T/monj.txt" 2>&1 &
JPID=$!
monitor_ready "$T/mon.txt" "$T/monj.txt"
ctl fdb add 02:00:00:00:00:05 dst 172.16.91.130 vni 42
ctl fdb replace 02:00:00:00:00:05 dst 172.16.91.131 vni 42
ctl fdb del 02:00:00:00:00:05 vni 42
ctl_retry fdb append 00:00:00:00:00:00 dst 172.16.91.132 vni 43
ctl_retry fdb del 00:00:00:00:00:00 dst 172.16.91.132 vni 43
wait_for "$WAIT" caught_up "$T/mon.txt" || fail "monitor did not catch up"
expect_eq "monitor: static and flood-list changes in bridge monitor words" \
	"$(after_mark "$T/mon.txt" | head -n 5)" \
	"02:00:00:00:00:05 dst 172.16.91.130 vni 42 self permanent
02:00:00:00:00:05 dst 172.16.91.131 vni 42 self permanent
Deleted 02:00:00:00:00:05 dst 172.16.91.131 vni 42 self permanent
00:00:00:00:00:00 dst 172.16.91.132 vni 43 self permanent
Deleted 00:00:00:00:00:00 dst 172.16.91.132 vni 43 self permanent"
# A flush of VNI 43: 600 deletions, then the stream learns them again.
ctl fdb flush vni 43
wait_for "$WAIT" counter_is fdb.nb_learned 1200 ||
	fail "VNI 43 not learned again: $(ctl stats | grep -E "fdb\.|learn")"
wait_for "$WAIT" caught_up "$T/mon.txt" || fail "monitor did not catch up with the flush"
wait_for "$WAIT" caught_up "$T/monj.txt" || fail "monitor -j did not catch up with the flush"
expect_eq "monitor: flushed entries" \
	"$(after_mark "$T/mon.txt" | grep -c "^Deleted 02:00:00:2b:.* dst $REMOTE vni 43 self$")" 600
expect_eq "monitor: relearned entries" \
	"$(after_mark "$T/mon.txt" | grep -c "^02:00:00:2b:.* dst $REMOTE vni 43 self$")" 600
expect_eq "monitor: nothing missed yet" "$(grep -c missed "$T/mon.txt")" 0
kill "$JPID"
wait "$JPID" 2>/dev/null || true
after_mark "$T/monj.txt" >"$T/monj.after"
if /usr/bin/python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) == 1205, len(ev)
assert ev[0]["event"] == "static" and ev[0]["mac"] == "02:00:00:00:00:05", ev[0]
assert [e["event"] for e in ev[:5]] == ["static", "static", "deleted", "flood_add", "flood_del"]
assert all(e["event"] == "flushed" for e in ev[5:605])
assert all(e["event"] == "learned" and e["vni"] == 43 for e in ev[605:])
assert all(b["seq"] == a["seq"] + 1 for a, b in zip(ev, ev[1:]))
'  "$T/monj.after"; then ok "monitor -j: 1205 events in sequence"
else fail "monitor -j: $(head -c 300 "$T/monj.txt")"; fi

# A client that falls behind by more than the log holds (4096 events) is told so: two flushes
# of all 1200 entries and their relearning are 4800 events while the monitor is stopped.
kill -STOP "$MPID"
for round in 1 2; do
	ctl fdb flush
	wait_for "$WAIT" counter_is fdb.nb_learned 1200 ||
		fail "not learned again after flush $round: $(ctl stats | grep -E "fdb\.|learn")"
done
kill -CONT "$MPID"
wait_for "$WAIT" caught_up "$T/mon.txt" || fail "monitor did not catch up after SIGCONT"
missed=$(awk '/^missed/ { print $2 }' "$T/mon.txt")
expect_eq "monitor: says it missed events" "$(grep -c '^missed [0-9]* events' "$T/mon.txt")" 1
expect_eq "monitor: missed ${missed:-?} + printed after it = 4800" \
	"$((${missed:-0} + $(sed -n '/^missed/,$p' "$T/mon.txt" | grep -vc '^missed')))" 4800
kill "$MPID"
wait "$MPID" 2>/dev/null || true
expect_fail "monitor: bad word" 2 "monitor takes" ctl monitor neigh

# monitor count N exits after N events.
"$VTEPCTL" --file-prefix "$PFX" monitor fdb count 2 >"$T/mon2.txt" 2>&1 &
CPID=$!
# Two events at a time until it has seen two (it may have started during a pair).
gone() { ! kill -0 "$1" 2>/dev/null; }
deadline=$((SECONDS + WAIT))
until gone "$CPID" || [ "$SECONDS" -ge "$deadline" ]; do
	ctl fdb add 02:00:00:00:00:06 dst 172.16.91.130 vni 42
	ctl fdb del 02:00:00:00:00:06 vni 42
	wait_for 2 gone "$CPID" || true
done
rc=0
wait "$CPID" || rc=$?
expect_eq "monitor count 2: exit status" "$rc" 0
expect_eq "monitor count 2: lines" "$(wc -l <"$T/mon2.txt")" 2

# A monitor running when vtepd stops says so and exits 1.
"$VTEPCTL" --file-prefix "$PFX" -s monitor >"$T/mon3.txt" 2>&1 &
EPID=$!
monitor_ready "$T/mon3.txt"

# A capture still running when vtepd stops is closed with what workers copied.
ctl capture start "$T/exit.pcapng" dev underlay
wait_for "$WAIT" capture_wrote || fail "the capture at exit wrote nothing"
stop_vtepd
rc=0
wait "$EPID" || rc=$?
expect_eq "monitor when vtepd stops: exit status" "$rc" 1
expect_eq "monitor when vtepd stops: says why" "$(grep -c 'lost the connection to vtepd\|vtepd is stopping' "$T/mon3.txt")" 1
n=$(frames "$T/exit.pcapng")
expect_eq "log type vtepd.capture at warning: none of its INFO lines" \
	"$(grep -c '^vtepd.capture:' "$T/vtepd.err")" 0
expect_eq "log type vtepd.port still at INFO" "$(grep -c '^vtepd.port:' "$T/vtepd.err" | grep -c '^[1-9]')" 1
expect_eq "capture at exit: file readable, frames in it" "$((n > 0))" 1
expect_eq "no mbuf leak: in use once the ports closed" \
	"$(awk '$2 == "mempool.in_use_after" { print $3 }' "$T/vtepd.out")" 0
expect_fail "vtepd gone" 1 "vtepd is not running" ctl capture show

live_done "vtepctl capture/monitor"
