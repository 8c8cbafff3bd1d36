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

# wait_for SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds. @return 1 on timeout.
# (COMMAND's words are expanded once, by the caller: put a changing value in a function.)
wait_for() {
	local n=$(($1 * 10))
	shift
	for _ in $(seq "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
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
	if ! wait_for 10 ctl stats >/dev/null 2>&1; then
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
