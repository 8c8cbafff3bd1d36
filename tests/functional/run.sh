#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Functional tests of the real vtepd binary on net_pcap vdevs (tests/functional/README.md).
#
#   run.sh SCENARIO VTEPD PCAPGEN PCAPCMP
#
# SCENARIO: pcapgen pcapcmp (self-tests of the tools; VTEPD may be 'none'), decap encap flood
# flood-her flood-unknown drops badconfig mbufleak.
# Exit 0 pass, 1 fail, 77 skip (meson's skip code: tshark missing). KEEP=1 keeps the work directory.
set -euo pipefail

SCENARIO=${1:?scenario}
VTEPD=${2:?vtepd path or none}
PCAPGEN=${3:?vtep-pcapgen path}
PCAPCMP=${4:?pcapcmp path}
HERE=$(cd "$(dirname "$0")" && pwd)
DROP_DEF="$HERE/../../lib/base/stats/vtep_drop.def"

LOCAL=172.16.91.129
VNI=42
GROUP=239.1.1.1
VTEPD_TIMEOUT=${VTEPD_TIMEOUT:-60}
IDLE_MS=${IDLE_MS:-1500}

T=$(mktemp -d /tmp/vtepfn.XXXXXX)
PREFIXES=()
FAILS=0

cleanup() {
	local p
	for p in "${PREFIXES[@]+"${PREFIXES[@]}"}"; do
		rm -rf "/var/run/dpdk/$p"
	done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "work directory kept: $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

ok() {
	echo "ok: $*"
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1 = $3"
	else
		fail "$1: got '$2', expected '$3'"
	fi
}

need_tshark() {
	if ! command -v tshark >/dev/null; then
		echo "SKIP: tshark not installed"
		exit 77
	fi
}

need_vtepd() {
	if [ ! -x "$VTEPD" ]; then
		echo "FAIL: vtepd binary '$VTEPD' not found"
		exit 1
	fi
}

gen() {
	"$PCAPGEN" "$@"
}

# tshark fields of FILE matching FILTER, one frame a line, tab-separated.
fields() {
	local file=$1 filter=$2
	shift 2
	local args=() f
	for f in "$@"; do
		args+=(-e "$f")
	done
	tshark -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -r "$file" -Y "$filter" \
		-T fields "${args[@]}" 2>/dev/null
}

# Frames of FILE (all, or the UDP ones to port PORT).
nframes() {
	if [ $# -gt 1 ]; then
		"$PCAPCMP" --count --only-udp-port-a "$2" "$1"
	else
		"$PCAPCMP" --count "$1"
	fi
}

# run_vtepd TAG UNDERLAY_RX INNER_RX WORDS...: run vtepd on two net_pcap ports until idle-exit.
# Leaves $T/TAG.under.pcap, $T/TAG.inner.pcap (what vtepd sent), $T/TAG.out, $T/TAG.err and
# $T/TAG.rc.
run_vtepd() {
	local tag=$1 urx=$2 irx=$3 rc=0
	shift 3
	local pfx="vtepfn-$tag-$$"
	PREFIXES+=("$pfx")
	timeout --kill-after=10 "$VTEPD_TIMEOUT" "$VTEPD" --no-huge -m 512 --no-pci \
		--file-prefix="$pfx" --log-level=lib.eal:warning \
		--vdev="net_pcap0,rx_pcap=$urx,tx_pcap=$T/$tag.under.pcap" \
		--vdev="net_pcap1,rx_pcap=$irx,tx_pcap=$T/$tag.inner.pcap" \
		-l 0,1 -- dev net_pcap0 local "$LOCAL/24" "$@" idle-exit "$IDLE_MS" \
		>"$T/$tag.out" 2>"$T/$tag.err" || rc=$?
	echo "$rc" >"$T/$tag.rc"
	if [ "$rc" != 0 ]; then
		fail "vtepd ($tag) exited with status $rc"
		tail -n 20 "$T/$tag.err" | sed 's/^/  stderr: /'
		return 1
	fi
	return 0
}

# counter TAG NAME: the value vtepd printed, or 'missing'.
counter() {
	awk -v n="$2" '$1 == "counter" && $2 == n { v = $3 } END { print (v == "" ? "missing" : v) }' \
		"$T/$1.out"
}

# Sum of the counters of TAG whose names match the awk regex RE.
counter_sum() {
	awk -v re="$2" '$1 == "counter" && $2 ~ re { s += $3 } END { print s + 0 }' "$T/$1.out"
}

expect_counter() {
	expect_eq "counter $2" "$(counter "$1" "$2")" "$3"
}

# The pcaps that carry nothing.
empty_pcap() {
	[ -f "$T/empty.pcap" ] || gen --count 0 -o "$T/empty.pcap"
	echo "$T/empty.pcap"
}

# cmp_frames WHAT PCAPCMP-ARGS...
cmp_frames() {
	local what=$1 out
	shift
	if out=$("$PCAPCMP" "$@" 2>&1); then
		ok "$what: $out"
	else
		fail "$what: $out"
	fi
}

# ---------------------------------------------------------------------------------------------
# Self-tests of the tools.

scenario_pcapgen() {
	need_tshark
	local f=$T/v.pcap rc
	gen --macs 8 --flows 4 --remotes 2 --count 100 --sizes 64,512,1400 -o "$f"
	expect_eq "frames" "$(nframes "$f")" 100
	expect_eq "frames dissected as VXLAN VNI 42" \
		"$(fields "$f" "vxlan.vni == 42 && udp.dstport == 4789" frame.number | wc -l)" 100
	expect_eq "outer IPv4 checksums good" \
		"$(fields "$f" "ip.checksum.status == 1" frame.number | wc -l)" 100
	expect_eq "outer UDP checksums zero" \
		"$(fields "$f" "vxlan && udp.checksum == 0" frame.number | wc -l)" 100
	expect_eq "inner UDP checksums good (2 UDP layers per frame)" \
		"$(fields "$f" "udp.checksum.status == 1" frame.number | wc -l)" 100
	expect_eq "frame sizes (inner + 50)" \
		"$(fields "$f" "" frame.len | sort -n | uniq -c | awk '{printf "%s:%s ", $2, $1}')" \
		"114:34 562:33 1450:33 "
	expect_eq "distinct inner source MACs" \
		"$(fields "$f" "vxlan" eth.src | cut -d, -f2 | sort -u | tr '\n' ' ')" \
		"02:00:00:2a:00:01 02:00:00:2a:00:02 02:00:00:2a:00:03 02:00:00:2a:00:04 02:00:00:2a:00:05 02:00:00:2a:00:06 02:00:00:2a:00:07 02:00:00:2a:00:08 "
	expect_eq "outer sources" "$(fields "$f" "vxlan" ip.src | cut -d, -f1 | sort -u | tr '\n' ' ')" \
		"172.16.91.1 172.16.91.2 "
	expect_eq "station 3 comes from remote 1 only" \
		"$(fields "$f" "eth.src == 02:00:00:2a:00:03" ip.src | cut -d, -f1 | sort -u)" \
		"172.16.91.1"
	expect_eq "outer source ports" \
		"$(fields "$f" "vxlan" udp.srcport | cut -d, -f1 | sort -u | tr '\n' ' ')" \
		"49152 49153 49154 49155 "

	gen --macs 8 --flows 4 --remotes 2 --count 100 --sizes 64,512,1400 -o "$T/v2.pcap"
	if cmp -s "$f" "$T/v2.pcap"; then ok "same options, same bytes"; else fail "not deterministic"; fi

	gen --vnis 3 --macs 2 --count 30 --vlan 7 --udpcsum --ttl 5 -o "$T/m.pcap"
	expect_eq "VNIs 42,43,44" "$(fields "$T/m.pcap" "" vxlan.vni | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')" \
		"42:10 43:10 44:10 "
	expect_eq "VLAN 7, TTL 5, UDP checksum good" \
		"$(fields "$T/m.pcap" "vlan.id == 7 && ip.ttl == 5 && udp.checksum.status == 1 && udp.checksum != 0" frame.number | wc -l)" 30

	gen --mode inner --macs 8 --count 16 --flows 2 -o "$T/i.pcap"
	expect_eq "inner mode destinations" "$(fields "$T/i.pcap" "" eth.dst | sort -u | wc -l)" 8
	expect_eq "inner mode checksums" \
		"$(fields "$T/i.pcap" "ip.checksum.status == 1 && udp.checksum.status == 1 && eth.src == 02:00:00:00:00:02 && frame.len == 64" frame.number | wc -l)" 16
	gen --mode inner --bcast --count 4 -o "$T/b.pcap"
	expect_eq "broadcast" "$(fields "$T/b.pcap" "eth.dst == ff:ff:ff:ff:ff:ff" frame.number | wc -l)" 4
	gen --mode inner --unknown --macs 2 --count 4 -o "$T/u.pcap"
	expect_eq "unknown destinations" "$(fields "$T/u.pcap" "" eth.dst | sort -u | tr '\n' ' ')" \
		"06:00:00:2a:00:01 06:00:00:2a:00:02 "
	# The inner frames of a vxlan file are the inner-mode frames with the roles swapped: check the
	# generator agrees with itself through pcapcmp after stripping the outer headers of a tagged
	# and an untagged file.
	gen --count 10 --macs 3 -o "$T/s0.pcap"
	gen --count 10 --macs 3 --vlan 9 -o "$T/s1.pcap"
	cmp_frames "vlan/no-vlan inner frames equal" --strip-a 54 --strip-b 50 "$T/s1.pcap" "$T/s0.pcap"

	gen --bad all -o "$T/bad.pcap"
	expect_eq "--bad all: one frame per kind" "$(nframes "$T/bad.pcap")" 31
	expect_eq "bad: arpother asks for .200" "$(fields "$T/bad.pcap" "arp.dst.proto_ipv4 == 172.16.91.200" frame.number)" 28
	expect_eq "bad: frag has MF" "$(fields "$T/bad.pcap" "ip.flags.mf == 1" frame.number)" 9
	expect_eq "bad: badcsum" "$(fields "$T/bad.pcap" "ip.checksum.status == 0" frame.number)" 11
	expect_eq "bad: badvni is 43" "$(fields "$T/bad.pcap" "vxlan.vni == 43" frame.number)" 18
	expect_eq "bad: wrongport" "$(fields "$T/bad.pcap" "udp.dstport == 4790" frame.number)" 15
	expect_eq "bad: vlan1 is VID 100" "$(fields "$T/bad.pcap" "vlan.id == 100" frame.number)" 3
	expect_eq "bad: sources" "$(fields "$T/bad.pcap" "frame.number >= 20 && frame.number <= 25" \
		ip.src | cut -d, -f1 | tr '\n' ' ')" \
		"0.0.0.0 127.0.0.1 224.1.2.3 255.255.255.255 172.16.91.255 240.0.0.1 "
	expect_eq "bad: udpcsum is wrong" \
		"$(fields "$T/bad.pcap" "udp.checksum.status == 0" frame.number)" 16
	expect_eq "bad: truncated length" "$(fields "$T/bad.pcap" "frame.number == 1" frame.len)" 30

	gen --count 0 -o "$T/e.pcap"
	expect_eq "empty file" "$(nframes "$T/e.pcap")" 0

	# Golden digests: the byte layout docs/pcapgen.md promises must not drift silently (tests
	# elsewhere may keep pcaps made with these formulas). Update only with a docs change.
	gen --vnis 2 --macs 3 --flows 5 --remotes 2 --sizes 60,333 --vlan 5 --udpcsum --count 40 \
		-o "$T/g1.pcap"
	gen --mode inner --macs 3 --flows 2 --count 10 -o "$T/g2.pcap"
	gen --bad all -o "$T/g3.pcap"
	expect_eq "golden digest, vxlan" "$(sha256sum <"$T/g1.pcap" | cut -c1-16)" 11d235458b625b31
	expect_eq "golden digest, inner" "$(sha256sum <"$T/g2.pcap" | cut -c1-16)" 4500d2c7aaffb593
	expect_eq "golden digest, bad all" "$(sha256sum <"$T/g3.pcap" | cut -c1-16)" be437a527ee3d5a9

	local bad
	for bad in "--vnis 0" "--size 59" "--bad nosuch" "--local 1.2.3" "--src-mac 02:00" "--bogus" \
		"--mode tunnel"; do
		rc=0
		# shellcheck disable=SC2086 # word splitting wanted
		gen $bad -o "$T/x.pcap" 2>"$T/x.err" || rc=$?
		expect_eq "pcapgen $bad: exit status" "$rc" 2
		if grep -q -- "${bad%% *}" "$T/x.err"; then
			ok "message names ${bad%% *}"
		else
			fail "message does not name ${bad%% *}: $(cat "$T/x.err")"
		fi
	done
}

scenario_pcapcmp() {
	local rc
	gen --count 20 --macs 4 -o "$T/a.pcap"
	gen --count 20 --macs 4 --src-mac 02:00:00:00:91:09 -o "$T/b.pcap"
	gen --count 21 --macs 4 -o "$T/c.pcap"
	cmp_frames "file equals itself" "$T/a.pcap" "$T/a.pcap"
	rc=0
	"$PCAPCMP" "$T/a.pcap" "$T/b.pcap" >"$T/o" || rc=$?
	expect_eq "different outer MAC found" "$rc:$(grep -c 'frame 1: byte 11' "$T/o")" "1:1"
	cmp_frames "equal after stripping the outer headers" --strip-a 50 --strip-b 50 \
		"$T/a.pcap" "$T/b.pcap"
	rc=0
	"$PCAPCMP" "$T/a.pcap" "$T/c.pcap" >"$T/o" || rc=$?
	expect_eq "longer B found" "$rc:$(grep -c 'B has more' "$T/o")" "1:1"
	expect_eq "--count" "$("$PCAPCMP" --count "$T/c.pcap")" 21
	expect_eq "--count --only-udp-port-a 4789" \
		"$("$PCAPCMP" --count --only-udp-port-a 4789 "$T/c.pcap")" 21
	expect_eq "--count --only-udp-port-a 5001" \
		"$("$PCAPCMP" --count --only-udp-port-a 5001 "$T/c.pcap")" 0
	rc=0
	"$PCAPCMP" --strip-a x "$T/a.pcap" "$T/a.pcap" 2>/dev/null || rc=$?
	expect_eq "bad option exit status" "$rc" 2
}

# ---------------------------------------------------------------------------------------------
# vtepd scenarios.

# Every drop counter name, from the X-macro list.
drop_names() {
	sed -n 's/^X([A-Z_0-9]*, "\([a-z_0-9]*\)".*/\1/p' "$DROP_DEF"
}

# check_fdb TAG VNI MAC IP KIND: one `fdb VNI MAC dst IP KIND` line.
check_fdb() {
	local n
	n=$(awk -v v="$2" -v m="$3" -v ip="$4" -v k="$5" \
		'$1 == "fdb" && $2 == v && tolower($3) == m && $4 == "dst" && $5 == ip && $6 == k' \
		"$T/$1.out" | wc -l)
	expect_eq "fdb $2 $3 dst $4 $5" "$n" 1
}

scenario_decap() {
	need_vtepd
	local in=$T/decap.in.pcap i mac
	gen --mode vxlan --vni-base $VNI --macs 8 --remotes 2 --flows 8 --count 100 \
		--sizes 64,128,1400 -o "$in"
	run_vtepd decap "$in" "$(empty_pcap)" id $VNI group $GROUP inner net_pcap1 || return 0
	cmp_frames "inner tx = input minus 50 bytes" --strip-a 50 "$in" "$T/decap.inner.pcap"
	expect_counter decap underlay_rx 100
	expect_counter decap "vni.$VNI.decap_pkts" 100
	expect_counter decap inner_tx 100
	expect_counter decap fdb.learned 8
	expect_eq "sum of drop counters" "$(counter_sum decap '^drop\.')" 0
	for i in 1 2 3 4 5 6 7 8; do
		mac=$(printf '02:00:00:2a:00:%02x' "$i")
		check_fdb decap $VNI "$mac" "172.16.91.$(((i - 1) % 2 + 1))" learned
	done
	expect_eq "fdb lines" "$(grep -c '^fdb ' "$T/decap.out" || true)" 8
}

# check_encap_frames FILE FILTER DST DMAC TTL N: N frames match FILTER and each carries VNI 42 to
# dstport 4789 from a source port in the default srcport range 32768-60999, with TTL, outer
# destination IP and MAC as given, source the local VTEP and a good IPv4 header checksum.
check_encap_frames() {
	local file=$1 filter=$2 dst=$3 dmac=$4 ttl=$5 n=$6 bad line
	expect_eq "VXLAN frames to $dst" "$(fields "$file" "$filter" frame.number | wc -l)" "$n"
	bad=$(fields "$file" "$filter" vxlan.vni udp.dstport udp.srcport ip.ttl ip.dst ip.src eth.dst \
		ip.checksum.status ip.flags.mf |
		awk -v vni=$VNI -v dst="$dst" -v dmac="$dmac" -v ttl="$ttl" -v src=$LOCAL -F'\t' '
		{
			split($3, sp, ","); split($4, t, ","); split($5, d, ","); split($6, s, ",");
			split($7, m, ","); split($8, c, ",");
			if ($1 != vni || $2 !~ /^4789(,|$)/ || sp[1] < 32768 || sp[1] > 60999 ||
			    t[1] != ttl || d[1] != dst || s[1] != src || m[1] != dmac || c[1] != 1)
				if (++nbad <= 5) print NR ": " $0
		}') || true
	if [ -z "$bad" ]; then
		ok "each frame: VNI $VNI, dstport 4789, srcport 32768-60999, TTL $ttl, dst $dst/$dmac"
	else
		fail "frames with wrong outer fields (vni dport sport ttl dst src dmac csum):"
		while IFS= read -r line; do
			echo "  $line"
		done <<<"$bad"
	fi
}

scenario_encap() {
	need_vtepd
	need_tshark
	local in=$T/encap.in.pcap mac=02:00:00:2a:00:01 rmac=02:00:00:00:91:82 bad
	gen --mode inner --vni-base $VNI --macs 1 --flows 8 --count 64 --sizes 60,64,512,1400 -o "$in"
	run_vtepd encap "$(empty_pcap)" "$in" neigh 172.16.91.130 lladdr $rmac \
		fdb $mac dst 172.16.91.130 vni $VNI id $VNI inner net_pcap1 || return 0
	local out=$T/encap.under.pcap
	check_encap_frames "$out" "vxlan" 172.16.91.130 $rmac 64 64
	expect_eq "outer UDP checksums valid (udpcsum is the default)" \
		"$(fields "$out" "vxlan && udp.checksum.status == 1" frame.number | wc -l)" 64
	cmp_frames "underlay tx minus 50 bytes = inner input" --strip-a 50 --only-udp-port-a 4789 \
		"$out" "$in"
	# One inner flow, one outer source port (the entropy is a hash of the inner flow).
	bad=$(fields "$out" "vxlan" udp.srcport | awk -F, '{ if (p[$2] != "" && p[$2] != $1) print $2; p[$2] = $1 }
		END { n = 0; for (f in p) { if (!(p[f] in seen)) n++; seen[p[f]] = 1 } print "distinct:" n }') || true
	case "$bad" in
	distinct:*) ok "outer source port stable per inner flow (${bad#distinct:} distinct for 8 flows)" ;;
	*) fail "inner flows with several outer source ports: $bad" ;;
	esac
	expect_counter encap "vni.$VNI.encap_pkts" 64
	expect_counter encap inner_rx 64
	expect_counter encap "vni.$VNI.flood_pkts" 0
	expect_eq "sum of drop counters" "$(counter_sum encap '^drop\.')" 0
	check_fdb encap $VNI $mac 172.16.91.130 static
}

scenario_flood() {
	need_vtepd
	need_tshark
	local in=$T/flood.in.pcap
	gen --mode inner --vni-base $VNI --bcast --count 20 --sizes 64,300 -o "$in"
	run_vtepd flood "$(empty_pcap)" "$in" id $VNI group $GROUP inner net_pcap1 || return 0
	check_encap_frames "$T/flood.under.pcap" "vxlan" $GROUP 01:00:5e:01:01:01 1 20
	cmp_frames "one copy per frame, inner intact" --strip-a 50 --only-udp-port-a 4789 \
		"$T/flood.under.pcap" "$in"
	expect_counter flood "vni.$VNI.flood_pkts" 20
	expect_counter flood "vni.$VNI.flood_copies" 20
	expect_eq "sum of drop counters" "$(counter_sum flood '^drop\.')" 0
}

scenario_flood_unknown() {
	need_vtepd
	need_tshark
	local in=$T/flu.in.pcap
	gen --mode inner --vni-base $VNI --unknown --macs 4 --count 20 -o "$in"
	run_vtepd flu "$(empty_pcap)" "$in" id $VNI group $GROUP inner net_pcap1 || return 0
	check_encap_frames "$T/flu.under.pcap" "vxlan" $GROUP 01:00:5e:01:01:01 1 20
	cmp_frames "unknown unicast flooded, inner intact" --strip-a 50 --only-udp-port-a 4789 \
		"$T/flu.under.pcap" "$in"
	expect_counter flu "vni.$VNI.flood_pkts" 20
}

scenario_flood_her() {
	need_vtepd
	need_tshark
	local in=$T/her.in.pcap r
	gen --mode inner --vni-base $VNI --bcast --count 20 -o "$in"
	run_vtepd her "$(empty_pcap)" "$in" neigh 172.16.91.130 lladdr 02:00:00:00:91:82 \
		neigh 172.16.91.131 lladdr 02:00:00:00:91:83 \
		id $VNI remote 172.16.91.130 remote 172.16.91.131 inner net_pcap1 || return 0
	expect_eq "copies" "$(nframes "$T/her.under.pcap" 4789)" 40
	for r in 130 131; do
		check_encap_frames "$T/her.under.pcap" "vxlan && ip.dst == 172.16.91.$r" \
			"172.16.91.$r" "02:00:00:00:91:$((r - 48))" 64 20
		tshark -r "$T/her.under.pcap" -Y "vxlan && ip.dst == 172.16.91.$r" \
			-w "$T/her.$r.pcap" 2>/dev/null
		cmp_frames "copies to .$r, inner intact" --strip-a 50 "$T/her.$r.pcap" "$in"
	done
	expect_counter her "vni.$VNI.flood_pkts" 20
	expect_counter her "vni.$VNI.flood_copies" 40
}

# Two workers, one underlay port with a single TX queue: the second worker (which polls VNI 43's
# inner port) has no queue of its own and must send through the port's ring, drained by the
# owner of queue 0. Both VNIs' frames must come out, none dropped.
scenario_workers() {
	need_vtepd
	need_tshark
	local a=$T/w42.pcap b=$T/w43.pcap pfx="vtepfn-wk-$$" rc=0
	PREFIXES+=("$pfx")
	gen --mode inner --vni-base 42 --macs 1 --flows 4 --count 50 -o "$a"
	gen --mode inner --vni-base 43 --macs 1 --flows 4 --count 70 -o "$b"
	timeout --kill-after=10 "$VTEPD_TIMEOUT" "$VTEPD" --no-huge -m 512 --no-pci \
		--file-prefix="$pfx" --log-level=lib.eal:warning --lcores=0@0,1@1,2@1 \
		--vdev="net_pcap0,rx_pcap=$(empty_pcap),tx_pcap=$T/wk.under.pcap" \
		--vdev="net_pcap1,rx_pcap=$a,tx_pcap=$T/wk.i42.pcap" \
		--vdev="net_pcap2,rx_pcap=$b,tx_pcap=$T/wk.i43.pcap" -- \
		dev net_pcap0 local "$LOCAL/24" neigh 172.16.91.130 lladdr 02:00:00:00:91:82 \
		id 42 inner net_pcap1 fdb 02:00:00:2a:00:01 dst 172.16.91.130 \
		id 43 inner net_pcap2 fdb 02:00:00:2b:00:01 dst 172.16.91.130 \
		idle-exit "$IDLE_MS" >"$T/wk.out" 2>"$T/wk.err" || rc=$?
	expect_eq "vtepd exit status" "$rc" 0
	if grep -q 'running, 2 worker' "$T/wk.out"; then
		ok "two workers"
	else
		fail "not two workers"
	fi
	expect_counter wk vni.42.encap_pkts 50
	expect_counter wk vni.43.encap_pkts 70
	expect_counter wk underlay_tx "$(nframes "$T/wk.under.pcap")"
	expect_eq "sum of drop counters" "$(counter_sum wk '^drop\.')" 0
	expect_eq "VNI 42 frames on the wire" \
		"$(fields "$T/wk.under.pcap" "vxlan.vni == 42" frame.number | wc -l)" 50
	expect_eq "VNI 43 frames on the wire" \
		"$(fields "$T/wk.under.pcap" "vxlan.vni == 43" frame.number | wc -l)" 70
}

# Strict order (issue 12 section 1): frames received on one underlay queue leave the inner port
# in the order they arrived, frame by frame, while MACs are learned: 50 new MACs from 3 remotes,
# every third frame from a MAC never seen before (a MAC flood that fills the FDB as the flow
# runs), and from frame ORDER_MOVE on every station moves to another remote. vtepd holds each
# frame that posted a learn event until its entry is in, and every later frame to the same port
# behind it (lib/dp/fwd/vtep_hold.h).
# With two workers, worker 1's frames reach the inner port through its 4096-frame ring, which
# worker 0 drains: 3000 frames per queue cannot overflow it even if worker 0 does not run.
ORDER_COUNT=6000
ORDER2_COUNT=3000

# order_input FILE COUNT INNER_DST REMOTE_BASE: the input of one underlay queue.
order_input() {
	gen --mode vxlan --vni-base $VNI --macs 50 --remotes 3 --remote-base "$4" --flood 3 \
		--move-at $(($2 / 2)) --count "$2" --sizes 64,600,1400 --inner-dst "$3" -o "$1"
}

# order_checks TAG FRAMES COUNT MOVES: no frame lost or dropped, every MAC learned (the two
# queues' files of COUNT frames use the same MACs), at least MOVES moves.
order_checks() {
	local tag=$1 moved
	expect_counter "$tag" inner_tx "$2"
	expect_eq "sum of drop counters" "$(counter_sum "$tag" '^drop\.')" 0
	expect_eq "MACs learned (50 stations and the flood's)" "$(counter "$tag" fdb.learned)" \
		$((50 + $3 / 3))
	moved=$(counter "$tag" fdb.moved)
	if [ "$moved" -ge "$4" ]; then
		ok "fdb.moved $moved >= $4"
	else
		fail "fdb.moved $moved < $4"
	fi
}

scenario_order() {
	need_vtepd
	need_tshark
	local in=$T/order.in.pcap a=$T/order.a.pcap b=$T/order.b.pcap pfx="vtepfn-ord2-$$" rc=0
	order_input "$in" $ORDER_COUNT 02:00:00:00:00:02 172.16.91.1
	run_vtepd order "$in" "$(empty_pcap)" id $VNI group $GROUP inner net_pcap1 || return 0
	cmp_frames "one worker: inner frames in input order" --strip-a 50 "$in" \
		"$T/order.inner.pcap"
	order_checks order $ORDER_COUNT $ORDER_COUNT 50

	# Two workers, each with its own underlay queue (net_pcap feeds queue q from the q-th
	# rx_pcap), one inner port whose single TX queue worker 1 reaches through the port's ring.
	# The queues' frames differ in their inner destination, so the output splits per queue.
	order_input "$a" $ORDER2_COUNT 02:00:00:00:00:02 172.16.91.1
	order_input "$b" $ORDER2_COUNT 02:00:00:00:00:03 172.16.91.11
	PREFIXES+=("$pfx")
	timeout --kill-after=10 "$VTEPD_TIMEOUT" "$VTEPD" --no-huge -m 512 --no-pci \
		--file-prefix="$pfx" --log-level=lib.eal:warning --lcores=0@0,1@1,2@1 \
		--vdev="net_pcap0,rx_pcap=$a,rx_pcap=$b,tx_pcap=$T/ord2.under.pcap" \
		--vdev="net_pcap1,rx_pcap=$(empty_pcap),tx_pcap=$T/ord2.inner.pcap" -- \
		dev net_pcap0 local "$LOCAL/24" id $VNI group $GROUP inner net_pcap1 nomovedamp \
		idle-exit "$IDLE_MS" >"$T/ord2.out" 2>"$T/ord2.err" || rc=$?
	expect_eq "vtepd (two workers) exit status" "$rc" 0
	expect_counter ord2 lcore.1.underlay_rx $ORDER2_COUNT
	expect_counter ord2 lcore.2.underlay_rx $ORDER2_COUNT
	tshark -r "$T/ord2.inner.pcap" -Y "eth.dst == 02:00:00:00:00:02" -w "$T/ord2.q0.pcap" \
		2>/dev/null
	tshark -r "$T/ord2.inner.pcap" -Y "eth.dst == 02:00:00:00:00:03" -w "$T/ord2.q1.pcap" \
		2>/dev/null
	cmp_frames "two workers: queue 0's frames in order" --strip-a 50 "$a" "$T/ord2.q0.pcap"
	cmp_frames "two workers: queue 1's frames in order" --strip-a 50 "$b" "$T/ord2.q1.pcap"
	# Here the same MACs also come from the other queue's remotes: they move back and forth
	# (hence nomovedamp above: dampening would freeze them, which attack-movedamp tests).
	order_checks ord2 $((2 * ORDER2_COUNT)) $ORDER2_COUNT 100
}

# Kinds sent by the drop scenario and the counter each must bump. net_pcap gives no checksum
# verdict, so vtepd checks the wrong UDP checksum of 'udpcsum' in software.
DROP_KINDS="truncated vlan2 vlan1 dstmac groupmac notip ipversion ipopts frag iplen badcsum
notforus proto udplen wrongport udpcsum badflags badvni self srczero srcloop srcmcast srcbcast
srcsubnet srcclasse innertrunc innereth arpother zeromac mcastsrc staticmove"
declare -A DROP_OF=(
	[truncated]=rx_truncated [vlan2]=rx_vlan_nested [vlan1]=rx_vlan [dstmac]=rx_dst_mac
	[groupmac]=rx_dst_mac [notip]=rx_not_ipv4
	[ipversion]=rx_ip_version [ipopts]=rx_ip_options [frag]=rx_ip_fragment
	[iplen]=rx_ip_length [badcsum]=rx_ip_csum [notforus]=rx_not_for_us [proto]=rx_ip_proto
	[udplen]=rx_udp_length [wrongport]=rx_wrong_port [udpcsum]=rx_udp_csum
	[badflags]=rx_bad_flags [badvni]=rx_unknown_vni [self]=rx_own_packet
	[srczero]=rx_src_zero [srcloop]=rx_src_loopback [srcmcast]=rx_src_multicast
	[srcbcast]=rx_src_broadcast [srcsubnet]=rx_src_broadcast [srcclasse]=rx_src_reserved
	[innertrunc]=rx_inner_truncated [innereth]=rx_inner_truncated [arpother]=ctl_arp_other
	[zeromac]=rx_inner_src_invalid [mcastsrc]=rx_inner_src_invalid [staticmove]=rx_static_move
)

scenario_drops() {
	need_vtepd
	local in=$T/drops.in.pcap k name want nk=0 rx decap drops ctl
	declare -A expect=()
	for k in $DROP_KINDS; do
		expect[${DROP_OF[$k]}]=$((${expect[${DROP_OF[$k]}]:-0} + 1))
		nk=$((nk + 1))
	done
	gen --mode vxlan --vni-base $VNI --bad "$(echo "$DROP_KINDS" | tr ' \n' ',,')" --count $nk -o "$in"
	run_vtepd drops "$in" "$(empty_pcap)" fdb 02:00:00:00:5a:5a dst 172.16.91.130 vni $VNI \
		id $VNI group $GROUP inner net_pcap1 || return 0
	for name in $(drop_names); do
		want=${expect[$name]:-0}
		expect_counter drops "drop.$name" "$want"
	done
	expect_eq "inner tx frames" "$(nframes "$T/drops.inner.pcap")" 0
	# Nothing learned from any of them: no forged source became a remote VTEP.
	expect_counter drops fdb.learned 0
	expect_counter drops underlay_rx $nk
	rx=$(counter drops underlay_rx)
	decap=$(counter_sum drops '^vni\.[0-9]+\.decap_pkts$')
	drops=$(counter_sum drops '^drop\.rx_')
	drops=$((drops - $(counter_sum drops '^drop\.rx_learn_ring_full$')))
	ctl=$(counter_sum drops '^ctl_(arp|igmp|icmp)$')
	expect_eq "underlay_rx = decap + rx drops + control ($decap + $drops + $ctl)" \
		"$rx" "$((decap + drops + ctl))"
}

scenario_badconfig() {
	need_vtepd
	local words want rc n=0 pfx
	# words|text the message must contain
	while IFS='|' read -r words want; do
		n=$((n + 1))
		pfx="vtepfn-badconf$n-$$"
		PREFIXES+=("$pfx")
		rc=0
		# shellcheck disable=SC2086 # word splitting wanted
		timeout --kill-after=5 30 "$VTEPD" --no-huge -m 512 --no-pci --file-prefix="$pfx" \
			--vdev="net_pcap0,rx_pcap=$(empty_pcap),tx_pcap=$T/bad$n.u.pcap" \
			--vdev="net_pcap1,rx_pcap=$(empty_pcap),tx_pcap=$T/bad$n.i.pcap" \
			-l 0,1 -- $words >"$T/bad$n.out" 2>"$T/bad$n.err" || rc=$?
		expect_eq "[$words] exit status" "$rc" 2
		if grep -qF -- "$want" "$T/bad$n.err"; then
			ok "[$words] message names '$want': $(head -n 1 "$T/bad$n.err")"
		else
			fail "[$words] message does not name '$want': $(head -n 3 "$T/bad$n.err")"
		fi
		if [ -e "/var/run/dpdk/$pfx" ]; then
			fail "[$words] left /var/run/dpdk/$pfx behind (EAL started before validation)"
		else
			ok "[$words] no /var/run/dpdk/$pfx"
		fi
		if [ -e "$T/bad$n.u.pcap" ] || [ -e "$T/bad$n.i.pcap" ]; then
			fail "[$words] ports were opened (tx pcap files exist)"
		fi
	done <<EOF
dev net_pcap0 local $LOCAL/24 id $VNI group $GROUP inner net_pcap1 frobnicate|frobnicate
dev net_pcap0 local $LOCAL/24 id 16777216 group $GROUP inner net_pcap1|16777216
dev net_pcap0 local $LOCAL/24 id $VNI group 10.0.0.1 inner net_pcap1|10.0.0.1
dev net_pcap0 local $LOCAL/24 dstport 70000 id $VNI inner net_pcap1|70000
dev net_pcap0 local 300.1.1.1/24 id $VNI inner net_pcap1|300.1.1.1
dev net_pcap0 local $LOCAL/24 id $VNI inner net_pcap1 learnrate 2000000|learnrate: '2000000'
dev net_pcap0 local $LOCAL/24 id $VNI inner net_pcap1 movedamp 5 180|movedamp: missing value
dev net_pcap0 local $LOCAL/24 id $VNI inner net_pcap1 allow 10.0.0.1/8|allow: '10.0.0.1/8' has host bits set
dev net_pcap0 local $LOCAL/24 id $VNI inner net_pcap1 remote 172.16.91.2 allow 10.0.0.0/8|remote: 172.16.91.2 of id $VNI is not in its allow list
EOF
}

scenario_mbufleak() {
	need_vtepd
	local u=$T/leak.u.pcap i=$T/leak.i.pcap before after
	gen --mode vxlan --vni-base $VNI --macs 8 --count 200 --sizes 64,1400 -o "$u"
	gen --mode inner --vni-base $VNI --macs 8 --count 100 -o "$i"
	run_vtepd leak "$u" "$i" id $VNI group $GROUP inner net_pcap1 || return 0
	before=$(counter leak mempool.in_use_before)
	after=$(counter leak mempool.in_use_after)
	if [ "$before" = missing ] || [ "$after" = missing ]; then
		fail "vtepd prints no 'counter mempool.in_use_before/after' (needed for this check)"
		return 0
	fi
	expect_eq "mbufs in use once the ports closed (once they started: $before)" "$after" 0
	expect_counter leak "vni.$VNI.decap_pkts" 200
}

# The inner port as virtio-user (the kernel exception path's PMD) against a vhost-user backend in
# another process: dpdk-testpmd swaps the MACs of every decapsulated frame and sends it back, and
# vtepd must encapsulate the answers to the VTEP the stations sit behind.
scenario_vhost() {
	need_vtepd
	need_tshark
	if ! command -v dpdk-testpmd >/dev/null; then
		echo "SKIP: dpdk-testpmd not installed"
		exit 77
	fi
	local u=$T/vh.u.pcap sock=$T/vh.sock pfx="vtepfn-vhb-$$" tp words=() n
	PREFIXES+=("$pfx" "vtepfn-vh-$$")
	gen --mode vxlan --vni-base $VNI --macs 8 --remotes 1 --count 64 -o "$u"
	# Both testpmd lcores on CPU 0: vtepd's worker busy-polls CPU 1.
	dpdk-testpmd --lcores=0@0,1@0 --no-huge -m 512 --no-pci --file-prefix="$pfx" \
		--vdev="net_vhost0,iface=$sock,queues=1" -- --forward-mode=macswap --auto-start \
		--nb-cores=1 --total-num-mbufs=4096 --stats-period 1 </dev/null >"$T/testpmd.out" 2>&1 &
	tp=$!
	# Its socket: the condition, bounded by 60 s that only a broken testpmd reaches.
	for n in $(seq 300); do
		[ -S "$sock" ] && break
		sleep 0.2
	done
	# Static entries: the answers must not race the learning of their destinations.
	for n in 1 2 3 4 5 6 7 8; do
		words+=(fdb "02:00:00:2a:00:0$n" dst 172.16.91.1 vni "$VNI")
	done
	timeout --kill-after=10 "$VTEPD_TIMEOUT" "$VTEPD" --no-huge -m 512 --no-pci \
		--file-prefix="vtepfn-vh-$$" --log-level=lib.eal:warning \
		--vdev="net_pcap0,rx_pcap=$u,tx_pcap=$T/vh.under.pcap" \
		--vdev="net_virtio_user0,path=$sock,queues=1" -l 0,1 -- \
		dev net_pcap0 local "$LOCAL/24" neigh 172.16.91.1 lladdr 02:00:00:00:91:01 \
		id $VNI inner net_virtio_user0 "${words[@]}" idle-exit "$IDLE_MS" \
		>"$T/vh.out" 2>"$T/vh.err" || fail "vtepd exited with status $?"
	kill -TERM "$tp" 2>/dev/null || true
	wait "$tp" 2>/dev/null || true
	expect_counter vh "vni.$VNI.decap_pkts" 64
	expect_counter vh inner_rx 64
	expect_counter vh "vni.$VNI.encap_pkts" 64
	expect_eq "VXLAN frames to 172.16.91.1 with the stations as inner destination" \
		"$(fields "$T/vh.under.pcap" \
			"vxlan.vni == $VNI && ip.dst == 172.16.91.1 && eth.src == 02:00:00:00:00:02" \
			frame.number | wc -l)" 64
}

case "$SCENARIO" in
vhost) scenario_vhost ;;
pcapgen) scenario_pcapgen ;;
pcapcmp) scenario_pcapcmp ;;
decap) scenario_decap ;;
encap) scenario_encap ;;
flood) scenario_flood ;;
flood-unknown) scenario_flood_unknown ;;
flood-her) scenario_flood_her ;;
workers) scenario_workers ;;
order) scenario_order ;;
drops) scenario_drops ;;
badconfig) scenario_badconfig ;;
mbufleak) scenario_mbufleak ;;
*)
	echo "unknown scenario '$SCENARIO'" >&2
	exit 2
	;;
esac

if [ "$FAILS" -ne 0 ]; then
	echo "$SCENARIO: $FAILS check(s) failed"
	exit 1
fi
echo "$SCENARIO: all checks passed"
