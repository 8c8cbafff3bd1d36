# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Helpers of the tests that talk to a running vtepd (watch.sh, runtime.sh): checks, vtepctl,
# counters, starting vtepd on net_pcap vdevs and stopping it. The caller sets VTEPD, VTEPCTL,
# PFX (the --file-prefix, with $$ in it) and T (its work directory), and calls live_init.

FAILS=0
VPID=
# More EAL words for start_vtepd (e.g. --log-level=...).
EAL_EXTRA=()

live_cleanup() {
	local rc=$?
	# A failure shows what vtepd said (a sanitizer report, a telemetry error).
	if [ "$rc" != 0 ] || [ "$FAILS" != 0 ]; then
		tail -n 30 "$T/vtepd.err" 2>/dev/null | sed 's/^/  vtepd stderr: /'
	fi
	if [ -n "$VPID" ] && kill -0 "$VPID" 2>/dev/null; then
		kill -TERM "$VPID" 2>/dev/null || true
		wait "$VPID" 2>/dev/null || true
	fi
	rm -rf "/var/run/dpdk/$PFX"
	if [ "${KEEP:-0}" = 1 ]; then echo "work directory kept: $T"; else rm -rf "$T"; fi
}

live_init() {
	trap live_cleanup EXIT
	for b in "$VTEPD" "$VTEPCTL" "$@"; do
		[ -x "$b" ] || { echo "FAIL: $b not found"; exit 1; }
	done
}

fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}
ok() { echo "ok: $*"; }
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1 = $3"; else fail "$1: got '$2', expected '$3'"; fi
}

ctl() {
	"$VTEPCTL" --file-prefix "$PFX" "$@"
}

# ctl_retry ARGS...: ctl ARGS, again while vtepd answers EBUSY: a flood-list change waits at most
# 100 ms for the workers to leave the list before the last (docs/telemetry.md), and on a machine
# whose cores are busy a worker may not run for that long. Other answers are returned as they are.
ctl_retry() {
	local deadline=$((SECONDS + WAIT)) rc
	while :; do
		rc=0
		ctl "$@" 2>"$T/ctl_retry.err" || rc=$?
		if [ "$rc" = 0 ] || ! grep -q "Device or resource busy" "$T/ctl_retry.err" ||
			[ "$SECONDS" -ge "$deadline" ]; then
			cat "$T/ctl_retry.err" >&2
			return "$rc"
		fi
		sleep 0.05
	done
}

# counter NAME: from `vtepctl -s stats`.
counter() {
	ctl -s stats | awk -v n="$1" '$1 == n { print $2 }'
}

# counter_is NAME VALUE: the counter has that value now (for wait_for).
counter_is() {
	[ "$(counter "$1")" = "$2" ]
}

# expect_fail WHAT STATUS MESSAGE-PART COMMAND...: the command exits STATUS and says MESSAGE-PART.
expect_fail() {
	local what=$1 want=$2 msg=$3 rc=0
	shift 3
	"$@" >"$T/o" 2>"$T/e" || rc=$?
	if [ "$rc" = "$want" ] && grep -qF -- "$msg" "$T/e"; then
		ok "$what: exit $rc, '$(head -n 1 "$T/e")'"
	else
		fail "$what: exit $rc (want $want), stderr '$(head -n 1 "$T/e")' (want '$msg')"
	fi
}

# How long a wait may take before the test calls it a failure, in seconds. Every wait is for a
# condition (a counter, a line, a file); this bound only matters when something is broken, so it
# is generous: a machine whose cores are busy with other work makes waits longer, not failures.
WAIT=${WAIT:-60}

# wait_for SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds. @return 1 on timeout.
# (COMMAND's words are expanded once, by the caller: put a changing value in a function.)
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# snap NAME...: the counters' values, one line, from one /vtep/stats answer.
snap() {
	local names="$*"
	ctl -s stats | awk -v names="$names" 'BEGIN { n = split(names, w, " ") }
		{ v[$1] = $2 } END { for (i = 1; i <= n; i++) printf "%s%s", v[w[i]] + 0, i < n ? " " : "\n" }'
}

# steers GROW STAY: from now on, counter GROW takes the traffic and STAY does not: GROW grows by
# 256 frames (proof that the worker ran: on a busy machine it may not for a while) while STAY
# grows by at most 32, one burst: a burst that looked the table up before the change returned
# may be counted after it when the OS preempted the worker in the middle of it (RCU lets a
# reader finish its burst). Prints what it saw when it fails. @return 0 or 1.
steers() {
	local g0 s0 g s deadline=$((SECONDS + WAIT))
	read -r g0 s0 < <(snap "$1" "$2")
	g=$g0
	s=$s0
	while [ $((g - g0)) -lt 256 ] && [ $((s - s0)) -le 32 ] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.05
		read -r g s < <(snap "$1" "$2")
	done
	if [ $((g - g0)) -ge 256 ] && [ $((s - s0)) -le 32 ]; then
		return 0
	fi
	echo "  $1 $g0 -> $g, $2 $s0 -> $s (want $1 only)"
	return 1
}

# vtepd_answers_or_gone: vtepd answers telemetry, or it is no longer running.
vtepd_answers_or_gone() {
	ctl stats >/dev/null 2>&1 || ! kill -0 "$VPID" 2>/dev/null
}

# start_vtepd VDEV... -- WORDS...: vtepd in the background, waits for its telemetry socket.
start_vtepd() {
	local vdevs=()
	while [ "$1" != -- ]; do
		vdevs+=("--vdev=$1")
		shift
	done
	shift
	"$VTEPD" --no-huge -m 512 --no-pci --file-prefix="$PFX" --log-level=lib.eal:warning \
		"${EAL_EXTRA[@]+"${EAL_EXTRA[@]}"}" "${vdevs[@]}" -l 0,1 -- "$@" \
		>"$T/vtepd.out" 2>"$T/vtepd.err" &
	VPID=$!
	wait_for "$WAIT" vtepd_answers_or_gone || true
	if ! ctl stats >/dev/null 2>&1; then
		echo "FAIL: vtepd did not come up"
		cat "$T/vtepd.err"
		exit 1
	fi
}

# stop_vtepd: SIGINT, then the exit status must be 0.
stop_vtepd() {
	local rc=0
	kill -INT "$VPID"
	wait "$VPID" || rc=$?
	VPID=
	expect_eq "vtepd exit status" "$rc" 0
}

live_done() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$1: $FAILS check(s) failed"
		exit 1
	fi
	echo "$1: all checks passed"
}
