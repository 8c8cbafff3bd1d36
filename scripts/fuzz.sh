#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the libFuzzer targets (clang, ASan + UBSan) and run each for RUNS executions from the
# committed inputs, then print one line per target: executions, executions per second, corpus
# growth and crashes. Not part of the test suites or CI (CI replays the committed inputs).
#
#   scripts/fuzz.sh [RUNS] [TARGET...]      RUNS defaults to 10000000; targets: all three
#
# Environment: FUZZ_BUILD (build directory, default build-fuzz), FUZZ_OUT (corpora, crash inputs
# and logs, default FUZZ_BUILD/fuzz-out). A crash input is left in FUZZ_OUT/TARGET/crashes/:
# copy it to the target's directory of committed inputs (tests/fuzz/regress*/) with the fix.
# Exit status: 0 when no target crashed, 1 otherwise, 2 on a usage or build error.
set -euo pipefail
cd "$(dirname "$0")/.."

PID=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -INT "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	# fuzz_ctl starts EAL (--file-prefix=vtep_test_fuzz_ctl_PID) and libFuzzer exits
	# without running its cleanup.
	[ -z "$PID" ] || rm -rf "/var/run/dpdk/vtep_test_fuzz_ctl_$PID"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RUNS=${1:-10000000}
shift || true
case "$RUNS" in
'' | *[!0-9]*)
	echo "fuzz.sh: RUNS must be a number, not '$RUNS'" >&2
	exit 2
	;;
esac
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(fuzz_parse fuzz_ctl fuzz_conf)
BUILD=${FUZZ_BUILD:-build-fuzz}
OUT=${FUZZ_OUT:-$BUILD/fuzz-out}

# The committed inputs of each target (tests/fuzz/meson.build) and the longest input worth trying.
declare -A DIR_OF=([fuzz_parse]=regress [fuzz_ctl]=regress_ctl [fuzz_conf]=regress_conf)
declare -A MAXLEN_OF=([fuzz_parse]=1600 [fuzz_ctl]=1600 [fuzz_conf]=4096)
for t in "${TARGETS[@]}"; do
	if [ -z "${DIR_OF[$t]:-}" ]; then
		echo "fuzz.sh: unknown target '$t'" >&2
		exit 2
	fi
done
if ! command -v clang >/dev/null; then
	echo "fuzz.sh: clang not installed" >&2
	exit 2
fi

if [ ! -f "$BUILD/build.ninja" ]; then
	CC=clang meson setup "$BUILD" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null
fi
ninja -C "$BUILD" "${TARGETS[@]/#/tests/fuzz/}" >/dev/null

# fstat NAME LOG: the value of libFuzzer's "stat::NAME: V" line.
fstat() {
	awk -v n="stat::$1:" '$1 == n { v = $2 } END { print v + 0 }' "$2"
}

crashed=0
printf '%-11s %12s %9s %8s %8s %8s %s\n' target executions execs/s seconds corpus+ crashes log
for t in "${TARGETS[@]}"; do
	dir=$OUT/$t
	mkdir -p "$dir/corpus" "$dir/crashes"
	cp -n "tests/fuzz/${DIR_OF[$t]}"/* "$dir/corpus/"
	before=$(find "$dir/corpus" -type f | wc -l)
	start=$SECONDS
	rc=0
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
		UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
		"$BUILD/tests/fuzz/$t" -runs="$RUNS" -max_len="${MAXLEN_OF[$t]}" -timeout=30 \
		-print_final_stats=1 -artifact_prefix="$dir/crashes/" "$dir/corpus" \
		>"$dir/log" 2>&1 &
	PID=$!
	wait "$PID" || rc=$?
	rm -rf "/var/run/dpdk/vtep_test_fuzz_ctl_$PID"
	PID=
	secs=$((SECONDS - start))
	n=$(find "$dir/crashes" -type f | wc -l)
	[ "$rc" = 0 ] && [ "$n" = 0 ] || crashed=1
	printf '%-11s %12s %9s %8s %8s %8s %s\n' "$t" "$(fstat number_of_executed_units "$dir/log")" \
		"$(fstat average_exec_per_sec "$dir/log")" "$secs" \
		"$(($(find "$dir/corpus" -type f | wc -l) - before))" "$n$([ "$rc" = 0 ] || echo " (exit $rc)")" \
		"$dir/log"
done
exit $crashed
