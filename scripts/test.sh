#!/usr/bin/env bash
# Install, build and run every test: unit, functional and end-to-end on a release build, and the
# unit and functional suites again under AddressSanitizer + UBSan. Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
	echo "test.sh: run as root (apt-get, network namespaces, DPDK)" >&2
	exit 2
fi
scripts/setup.sh

suites=(--suite unit --suite functional --suite e2e --suite lint)
status=0

run() { # build-dir meson-args... -- test-args...
	local dir=$1; shift
	local setup=()
	while [ "$1" != -- ]; do setup+=("$1"); shift; done
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "${setup[@]}" >/dev/null
	fi
	ninja -C "$dir"
	meson test -C "$dir" --print-errorlogs "$@" || status=1
}

run build-test -- "${suites[@]}"
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	run build-asan -Db_sanitize=address,undefined -Db_lundef=false -- --suite unit --suite functional

# One closing line over both builds, from meson's own logs.
python3 - build-test/meson-logs/testlog.json build-asan/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        failed += 1
        continue
    for line in lines:
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
