#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The soak test's long form (tests/functional/soak.sh; the functional suite runs it for 45 s):
# SECONDS of traffic with learning, moves, ageing and run-time FDB changes, memory flat and no
# counter backwards. As root (a network namespace). Not part of CI.
#
#   scripts/soak.sh [SECONDS] [BUILD]      default 600 s on build directory build
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${1:-600}
BUILD=${2:-build}
case "$SECS" in
'' | *[!0-9]*)
	echo "soak.sh: SECONDS must be a number, not '$SECS'" >&2
	exit 2
	;;
esac
if [ ! -f "$BUILD/build.ninja" ]; then
	echo "soak.sh: no build in '$BUILD' (meson setup $BUILD)" >&2
	exit 2
fi
ninja -C "$BUILD" >/dev/null
exec tests/functional/soak.sh "$BUILD/app/vtepd/vtepd" "$BUILD/app/vtepctl/vtepctl" \
	"$BUILD/app/vtep-pcapgen/vtep-pcapgen" "$SECS"
