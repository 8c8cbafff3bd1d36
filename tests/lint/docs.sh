#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The docs name every drop reason: each name in lib/base/stats/vtep_drop.def has a row in the
# "Drop reasons" table of docs/telemetry.md. Run from the repository root (meson runs it there).
# Exit 0 when all are there, 1 otherwise.
set -euo pipefail

fail=0
while IFS= read -r name; do
	if ! grep -q "^| \`$name\` |" docs/telemetry.md; then
		echo "docs: drop reason '$name' (vtep_drop.def) has no row in docs/telemetry.md" >&2
		fail=1
	fi
done < <(sed -n 's/^X([A-Z_0-9]*, "\([a-z_0-9]*\)".*/\1/p' lib/base/stats/vtep_drop.def)
[[ $fail == 0 ]] && echo "docs: every drop reason is in docs/telemetry.md"
exit "$fail"
