#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# vtepd's start and stop (docs/running.md "Start, stop and what is left behind").
#
#   lifecycle.sh VTEPD PCAPGEN PCAPCMP
#
# Refusals: a device the EAL arguments do not create (refused before EAL starts), a refusal once
# EAL is up (one lcore, a vdev whose probe fails), an EAL error: each exits non-zero with a
# message and leaves nothing behind: no /var/run/dpdk/PREFIX, no tx_pcap file.
# Signals: SIGTERM or SIGINT at start-up or at any moment of it (at once, 0.05 .. 2 s after the
# start) ends vtepd with status 0: either "nothing started" and nothing left, or its counters,
# complete to their last line, with tx_pcap files that libpcap reads. vtepd is started with the
# signals blocked, as a parent may hand them down: it must unblock them itself, and a signal sent
# before its main() runs waits for it instead of killing the loader (docs/running.md).
# A clean exit leaves what EAL leaves: the runtime directory with config and fbarray files only.
# Exit 0 pass, 1 fail.
set -euo pipefail

VTEPD=${1:?vtepd}
PCAPGEN=${2:?vtep-pcapgen}
PCAPCMP=${3:?pcapcmp}
LOCAL=172.16.91.129
T=$(mktemp -d /tmp/vteplife.XXXXXX)
PFX="vtepfn-life-$$"
RUN_DIR=/var/run/dpdk/$PFX
WAIT=${WAIT:-60}
FAILS=0
VPID=

cleanup() {
	if [ -n "$VPID" ] && kill -0 "$VPID" 2>/dev/null; then
		kill -KILL "$VPID" 2>/dev/null || true
		wait "$VPID" 2>/dev/null || true
	fi
	rm -rf "$RUN_DIR"
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

"$PCAPGEN" --count 0 -o "$T/empty.pcap"
"$PCAPGEN" --mode vxlan --macs 4 --count 50 -o "$T/under.pcap"
WORDS=(dev net_pcap0 local "$LOCAL/24" id 42 inner net_pcap1)

# vdevs TAG: the two net_pcap ports, output to $T/TAG.u.pcap and $T/TAG.i.pcap.
vdevs() {
	echo "--vdev=net_pcap0,rx_pcap=$T/under.pcap,tx_pcap=$T/$1.u.pcap"
	echo "--vdev=net_pcap1,rx_pcap=$T/empty.pcap,tx_pcap=$T/$1.i.pcap"
}

# dir_list DIR: the names in DIR, sorted, on one line.
dir_list() {
	find "$1" -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null | tr ' ' '\n' | sort | tr '\n' ' '
}

# left_behind TAG: what a refused or stopped-at-start-up vtepd left: the runtime directory, the
# tx_pcap files (empty when nothing).
left_behind() {
	local what=()
	[ ! -e "$RUN_DIR" ] || what+=("$RUN_DIR: $(dir_list "$RUN_DIR")")
	[ ! -e "$T/$1.u.pcap" ] || what+=("$T/$1.u.pcap")
	[ ! -e "$T/$1.i.pcap" ] || what+=("$T/$1.i.pcap")
	echo "${what[*]+"${what[*]}"}"
}

# ---- refusals ---------------------------------------------------------------------------------
# refused TAG STATUS MESSAGE EAL-ARGS... -- WORDS...: vtepd refuses with STATUS and MESSAGE and
# leaves nothing behind.
refused() {
	local tag=$1 want=$2 msg=$3 rc=0
	shift 3
	timeout --kill-after=10 "$WAIT" "$VTEPD" --no-huge -m 512 --file-prefix="$PFX" "$@" \
		>"$T/$tag.out" 2>"$T/$tag.err" || rc=$?
	expect_eq "$tag: exit status" "$rc" "$want"
	if grep -qF -- "$msg" "$T/$tag.err"; then
		ok "$tag: says '$(grep -F -- "$msg" "$T/$tag.err" | head -n 1)'"
	else
		fail "$tag: no '$msg' in: $(tail -n 3 "$T/$tag.err")"
	fi
	expect_eq "$tag: left behind" "$(left_behind "$tag")" ""
	rm -rf "$RUN_DIR"
}

mapfile -t V < <(vdevs nodev)
refused nodev 2 "dev: no DPDK port named 'net_pcap7': the EAL arguments create net_pcap0, net_pcap1" \
	--no-pci -l 0,1 "${V[@]}" -- dev net_pcap7 local "$LOCAL/24" id 42 inner net_pcap1
mapfile -t V < <(vdevs noinner)
refused noinner 2 "id 42: inner: no DPDK port named 'net_tap0'" \
	--no-pci -l 0,1 "${V[@]}" -- dev net_pcap0 local "$LOCAL/24" id 42 inner net_tap0
mapfile -t V < <(vdevs nopci)
refused nopci 2 "dev: no DPDK port named '0000:00:1f.7': PCI is off (--no-pci)" \
	--no-pci -l 0,1 "${V[@]}" -- dev 0000:00:1f.7 local "$LOCAL/24" id 42 inner net_pcap1
mapfile -t V < <(vdevs onelcore)
refused onelcore 2 "vtepd needs at least two lcores" --no-pci -l 0 "${V[@]}" -- "${WORDS[@]}"
refused noprobe 2 "the EAL arguments name it, but EAL made no port of it" --no-pci -l 0,1 \
	--vdev="net_pcap0,rx_pcap=$T/nosuch.pcap,tx_pcap=$T/noprobe.u.pcap" \
	--vdev="net_pcap1,rx_pcap=$T/empty.pcap,tx_pcap=$T/noprobe.i.pcap" -- "${WORDS[@]}"
mapfile -t V < <(vdevs ealerr)
refused ealerr 1 "EAL initialisation failed" --no-pci -l 0,1 --no-such-eal-option "${V[@]}" -- \
	"${WORDS[@]}"
# Another vtepd holds the prefix: EAL refuses, and its runtime directory stays.
mapfile -t V < <(vdevs first)
"$VTEPD" --no-huge -m 512 --no-pci --file-prefix="$PFX" -l 0,1 "${V[@]}" -- "${WORDS[@]}" \
	>"$T/first.out" 2>"$T/first.err" &
VPID=$!
running() { grep -q '^vtepd: running' "$T/first.out" || ! kill -0 "$VPID" 2>/dev/null; }
deadline=$((SECONDS + WAIT))
until running || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.1; done
mapfile -t V < <(vdevs second)
rc=0
"$VTEPD" --no-huge -m 512 --no-pci --file-prefix="$PFX" -l 0,1 "${V[@]}" -- "${WORDS[@]}" \
	>"$T/second.out" 2>"$T/second.err" || rc=$?
expect_eq "second vtepd on the same prefix: exit status" "$rc" 1
expect_eq "the first one's runtime directory is still there" "$([ -S "$RUN_DIR/mp_socket" ] && echo yes)" yes
kill -TERM "$VPID"
rc=0
wait "$VPID" || rc=$?
VPID=
expect_eq "the first one: exit status" "$rc" 0
# ---- what a clean exit leaves -----------------------------------------------------------------
expect_eq "after a clean exit, the runtime directory holds" "$(dir_list "$RUN_DIR")" \
	"config fbarray_memzone fbarray_nohugemem "
expect_eq "clean exit: the report's last line" "$(tail -n 1 "$T/first.out")" end
rm -rf "$RUN_DIR"

# ---- signals at start-up ----------------------------------------------------------------------
# start_blocked TAG: vtepd in the background with SIGINT and SIGTERM blocked, as a parent may
# leave them (the mask and what is pending survive exec); VPID. Returns once the mask is set (a
# signal sent before that would hit the shell or python that starts vtepd, not vtepd).
start_blocked() {
	local v=() deadline=$((SECONDS + WAIT))
	mapfile -t v < <(vdevs "$1")
	/usr/bin/python3 -c '
import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
open(sys.argv[1], "w").close()
os.execv(sys.argv[2], sys.argv[2:])' "$T/$1.blocked" "$VTEPD" --no-huge -m 512 --no-pci \
		--file-prefix="$PFX" -l 0,1 "${v[@]}" -- "${WORDS[@]}" >"$T/$1.out" 2>"$T/$1.err" &
	VPID=$!
	until [ -e "$T/$1.blocked" ] || [ "$SECONDS" -ge "$deadline" ]; do
		sleep 0.01
	done
}

# stopped TAG SIGNAL: vtepd (VPID) got SIGNAL: status 0, and either nothing started and nothing
# left, or the whole report and readable tx_pcap files. Prints which.
stopped() {
	local tag=$1 sig=$2 rc=0
	if ! timeout "$WAIT" tail --pid="$VPID" -f /dev/null; then
		fail "$tag: vtepd still running $WAIT s after SIG$sig"
		kill -KILL "$VPID"
	fi
	wait "$VPID" || rc=$?
	VPID=
	expect_eq "$tag: exit status after SIG$sig" "$rc" 0
	if grep -q "during start-up: stopped, nothing started" "$T/$tag.err"; then
		expect_eq "$tag: stopped at start-up, left behind" "$(left_behind "$tag")" ""
		expect_eq "$tag: no counters" "$(grep -c '^counter' "$T/$tag.out")" 0
		STOPPED_EARLY=$((STOPPED_EARLY + 1))
	else
		expect_eq "$tag: stopped after start-up, the report's last line" \
			"$(tail -n 1 "$T/$tag.out")" end
		expect_eq "$tag: tx_pcap files readable" \
			"$("$PCAPCMP" --count "$T/$tag.u.pcap" >/dev/null && "$PCAPCMP" --count "$T/$tag.i.pcap" >/dev/null && echo yes)" yes
		expect_eq "$tag: the runtime directory holds what a clean exit leaves" \
			"$(dir_list "$RUN_DIR")" "config fbarray_memzone fbarray_nohugemem "
		STOPPED_LATE=$((STOPPED_LATE + 1))
	fi
	rm -rf "$RUN_DIR"
}

STOPPED_EARLY=0
STOPPED_LATE=0
# At once: the signal waits in the blocked set until vtepd's handlers are in place, before EAL.
for sig in TERM INT; do
	start_blocked "at-once-$sig"
	kill -"$sig" "$VPID"
	stopped "at-once-$sig" "$sig"
done
expect_eq "a signal at once: stopped before EAL every time" "$STOPPED_EARLY" 2
STOPPED_EARLY=0
STOPPED_LATE=0
# Later: whenever it comes, the stop is clean. The pauses here are the fault injected (the moment
# of the signal), not waits for a result.
for delay in 0.05 0.1 0.2 0.3 0.5 1 2; do
	start_blocked "after-$delay"
	sleep "$delay"
	kill -TERM "$VPID"
	stopped "after-$delay" TERM
done
echo "note: SIGTERM 0.05 .. 2 s after the start: $STOPPED_EARLY stopped during start-up," \
	"$STOPPED_LATE after it"

if [ "$FAILS" -ne 0 ]; then
	echo "lifecycle: $FAILS check(s) failed"
	exit 1
fi
echo "lifecycle: all checks passed"
