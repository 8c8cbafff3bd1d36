#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The unit and functional suites N times in a row while every core is kept busy by another
# process, and a tally at the end: a test that waits on time instead of conditions fails here.
# Not part of CI (it takes N times the suites' time). As root, like the suites.
#
#   scripts/stress.sh [N] [BUILD]      N runs (default 10) of build directory BUILD (default build)
#
# The load: one busy-looping shell per online CPU, at the same priority as the tests, started
# before the first run and stopped (by PID) after the last or on any exit. Each run's meson log
# is kept as BUILD/meson-logs/stress-RUN.txt. Exit status: 0 when every run passed.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-10}
BUILD=${2:-build}
case "$N" in
'' | *[!0-9]* | 0)
	echo "stress.sh: N must be a positive number, not '$N'" >&2
	exit 2
	;;
esac
if [ ! -f "$BUILD/build.ninja" ]; then
	echo "stress.sh: no build in '$BUILD' (meson setup $BUILD)" >&2
	exit 2
fi

SPINNERS=()
# shellcheck disable=SC2317 # run by the EXIT trap
stop_spinners() {
	local pid
	for pid in "${SPINNERS[@]+"${SPINNERS[@]}"}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	SPINNERS=()
}
trap stop_spinners EXIT
trap 'exit 130' INT TERM

ninja -C "$BUILD" >/dev/null
for _ in $(seq "$(nproc)"); do
	bash -c 'while :; do :; done' &
	SPINNERS+=($!)
done
echo "stress: $N runs of the unit and functional suites; load: ${#SPINNERS[@]} busy loops" \
	"(PIDs ${SPINNERS[*]}) on $(nproc) CPUs"

passed=0
failed=0
declare -A FAILED_TESTS=()
for run in $(seq "$N"); do
	start=$SECONDS
	rc=0
	meson test -C "$BUILD" --no-rebuild --suite unit --suite functional \
		--logbase "stress-$run" >/dev/null 2>&1 || rc=$?
	names=$(python3 - "$BUILD/meson-logs/stress-$run.json" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["result"] not in ("OK", "SKIP", "EXPECTEDFAIL"):
        print(r["name"].replace(" ", ""))
PY
	) || names="(no log)"
	if [ "$rc" = 0 ] && [ -z "$names" ]; then
		passed=$((passed + 1))
		echo "run $run: pass ($((SECONDS - start)) s, load $(cut -d' ' -f1-3 /proc/loadavg))"
	else
		failed=$((failed + 1))
		for t in $names; do
			FAILED_TESTS[$t]=$((${FAILED_TESTS[$t]:-0} + 1))
		done
		echo "run $run: FAIL ($((SECONDS - start)) s, load $(cut -d' ' -f1-3 /proc/loadavg)):" \
			"$(echo "$names" | tr '\n' ' ')(log: $BUILD/meson-logs/stress-$run.txt)"
	fi
done
stop_spinners
echo "stress: $N runs, $passed passed, $failed failed"
for t in "${!FAILED_TESTS[@]}"; do
	echo "  $t failed in ${FAILED_TESTS[$t]} run(s)"
done
[ "$failed" = 0 ]
