#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The docs name what the code has: each drop reason in lib/base/stats/vtep_drop.def has a row in
# the "Drop reasons" table of docs/telemetry.md, and each word of the configuration
# (lib/conf/vtep_conf.c's table) is in docs/options.md as `word`. Run from the repository root
# (meson runs it there). Exit 0 when all are there, 1 otherwise (naming what is missing).
set -euo pipefail

fail=0
mapfile -t drops < <(sed -n 's/^X([A-Z_0-9]*, "\([a-z_0-9]*\)".*/\1/p' lib/base/stats/vtep_drop.def)
mapfile -t words < <(sed -n -e 's/^[[:space:]]*{"\([a-z-]*\)", [0-9].*/\1/p' \
	-e 's/^[[:space:]]*[GV]NUM("\([a-z-]*\)",.*/\1/p' lib/conf/vtep_conf.c)
if ((${#drops[@]} < 10 || ${#words[@]} < 10)); then
	echo "docs: found ${#drops[@]} drop reasons and ${#words[@]} words: the patterns are stale" >&2
	exit 1
fi
for name in "${drops[@]}"; do
	if ! grep -q "^| \`$name\` |" docs/telemetry.md; then
		echo "docs: drop reason '$name' (vtep_drop.def) has no row in docs/telemetry.md" >&2
		fail=1
	fi
done
for word in "${words[@]}"; do
	if ! grep -qF -- "\`$word" docs/options.md; then
		echo "docs: configuration word '$word' (vtep_conf.c) is not in docs/options.md" >&2
		fail=1
	fi
done
if ((fail)); then
	exit 1
fi
echo "docs: every drop reason (${#drops[@]}) is in docs/telemetry.md, every word (${#words[@]}) in docs/options.md"
