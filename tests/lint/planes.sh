#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The planes' rules (docs/architecture.md), checked on the source with grep:
#   1. A file includes only headers of its own plane or of the planes before it
#      (base < conf < shared < dp < cp < mgmt; lib/meson.build lists them in that order).
#   2. Nothing in the data plane (lib/dp) includes the control plane's runtime header, allocates
#      from the heap, takes a lock, sleeps, or logs but through VTEP_LOG_DP.
#   3. Management (lib/mgmt) writes no table: no FDB, remote-table, flood-list or learning change
#      but through the control lcore's operations (vtep_ctl_*).
#   4. The node side (lib/node: programs next to vtepd, no DPDK) includes only its own headers, and
#      nothing in vtepd includes one of them.
# Run from the repository root (meson runs it there). Exit 0 when all hold, 1 otherwise.
set -euo pipefail

planes=(base conf shared dp cp mgmt)
fail=0

complain() {
	echo "planes: $*" >&2
	fail=1
}

# rank PLANE: position of PLANE in planes.
rank() {
	local i
	for i in "${!planes[@]}"; do
		[[ ${planes[$i]} == "$1" ]] && { echo "$i"; return; }
	done
	echo 99
}

# The plane of every header under lib/.
declare -A header_plane
while IFS= read -r h; do
	p=${h#lib/}
	header_plane[$(basename "$h")]=${p%%/*}
done < <(find lib -name '*.h' | sort)

# 1. Includes go down the layering, never up (lib/node is no plane of vtepd: rank 99, so no
#    plane may include its headers; rule 4 keeps it from including theirs).
while IFS= read -r f; do
	p=${f#lib/}
	p=${p%%/*}
	own=$(rank "$p")
	while IFS= read -r inc; do
		hp=${header_plane[$inc]:-}
		[[ -n $hp ]] || continue
		if (($(rank "$hp") > own)); then
			complain "$f ($p) includes $inc of a later plane ($hp)"
		fi
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done < <(find lib -name '*.[ch]' | sort)

# 2. The data plane: its own state only, nothing that blocks or allocates.
dp_forbidden='vtep_runtime\.h|vtep_ctl\.h|\bv?[mc]alloc\(|\brealloc\(|[^_]\bfree\(|rte_(z)?malloc|rte_free\(|pthread_(mutex|rwlock|spin)|rte_(spinlock|rwlock)_|\bsleep\(|usleep\(|rte_delay_|\bprintf\(|fprintf\(|\bVTEP_LOG\('
if grep -nE "$dp_forbidden" -r lib/dp; then
	complain "lib/dp must not include the runtime or control headers, allocate, lock, sleep or log (lines above)"
fi

# 3. Management only reads tables; changes go through the control lcore's operations.
mgmt_forbidden='vtep_fdb_(learn|add_static|del|flush|age|set_ageing|set_notify|create|free)\(|vtep_remotes?_(get|set_mac|create|free)\(|decap\.learning\[[^]]*\] *=[^=]|__atomic_store_n\(&[^,]*(decap|encap|fdb|remotes)|encap\.vnis *=[^=]'
if grep -nE "$mgmt_forbidden" -r lib/mgmt; then
	complain "lib/mgmt must not write tables itself (lines above): call the vtep_ctl_* operations"
fi

# 4. lib/node stands apart: its own headers only.
while IFS= read -r f; do
	while IFS= read -r inc; do
		hp=${header_plane[$inc]:-}
		if [[ -n $hp && $hp != node ]]; then
			complain "$f (node) includes $inc of vtepd's plane $hp"
		fi
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done < <(find lib/node -name '*.[ch]' 2>/dev/null | sort)

if ((fail)); then
	exit 1
fi
echo "planes: ok (${planes[*]})"
