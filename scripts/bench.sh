#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# vtepd benchmark (issue 4; method and figures in docs/performance.md).
#
#   scripts/bench.sh [BUILD_DIR]          (as root; BUILD_DIR defaults to ./build)
#
# One invocation measures, on the same machine, vdevs and memory mode:
#   ceiling      dpdk-testpmd io forwarding, net_pcap (infinite_rx) -> net_null, one core
#   decap        vtepd, learning on, 1 VNI, 1000 inner MACs, 1024 outer flows, 16 remote VTEPs
#   encap        vtepd, known unicast to 1000 static FDB entries behind 16 remotes (udpcsum, the
#                default: net_null has no checksum offload, so the UDP checksum is computed in software)
#   encap-nocsum the same with noudpcsum (zero outer UDP checksum, as a NIC's offload would cost)
#   flood-group  vtepd, broadcast inner frames flooded to group 239.1.1.1 (1 copy each)
#   flood-her    vtepd, broadcast inner frames, head-end replication to 4 remotes (4 copies)
#   decap-1m     vtepd, decap with learning across 1,000,000 MACs once the FDB holds them all
#   decap-1m-1k  vtepd on a pcap as large as decap-1m's (1,000,000 frames) whose inner MACs repeat
#                every 1000: the same input cost with a small FDB, which tells the FDB's share
#   ceiling-1m   testpmd on the decap-1m pcap (memory-bound input; not with BENCH_QUICK=1)
#   switch       vtepd, local-to-local switching in a bridge domain of 8 ports: the encap pcap on
#                one port, its 1000 destination MACs static behind the 7 others (net_null)
#   encap-8p     encap's traffic and FDB on one port of a VNI with 8 local ports (the bridge's
#                path: source learning check + destination lookup, then encap)
#   decap-8p     decap's traffic into a VNI with 8 local ports (destination lookup per frame; the
#                pcap's one inner destination MAC is static behind the fourth port)
# With BENCH_BASELINE=PATH (another build's vtepd, e.g. a commit before a change):
#   decap-base, encap-base  decap and encap (those of BENCH_ONLY) with that binary, in the same
#                rounds, and the ratio this build / baseline per round and its median
# in rounds (one run of every scenario per round), so the noise of the shared machine falls on all
# of them alike, and prints medians, spread, cycles per packet, ratio to the ceiling and memory.
#
# Environment: BENCH_QUICK=1 (shorter), BENCH_RUNS (rounds, 3), BENCH_SECS (measured seconds per
# run, 5; quick 2), BENCH_WARM (seconds before measuring, 1), BENCH_BIG_MACS (1000000),
# BENCH_HUGEPAGES (2 MiB pages to reserve, 1536), BENCH_NO_HUGE=1 (measure with 4 KiB pages),
# BENCH_ONLY="decap encap" (a subset; the ceiling always runs), VTEPD, PCAPGEN, VTEPCTL, TESTPMD,
# KEEP=1 (keep the work directory).
#
# Two DPDK processes never run at once (the machine has two cores: lcore 0 is the control or main
# lcore, lcore 1 the one worker / forwarding core).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
VTEPD=${VTEPD:-$BUILD/app/vtepd/vtepd}
PCAPGEN=${PCAPGEN:-$BUILD/app/vtep-pcapgen/vtep-pcapgen}
VTEPCTL=${VTEPCTL:-$BUILD/app/vtepctl/vtepctl}
TESTPMD=${TESTPMD:-dpdk-testpmd}

QUICK=${BENCH_QUICK:-0}
RUNS=${BENCH_RUNS:-3}
if [ "$QUICK" = 1 ]; then
	SECS=${BENCH_SECS:-2}
else
	SECS=${BENCH_SECS:-5}
fi
WARM=${BENCH_WARM:-1}
BIG_MACS=${BENCH_BIG_MACS:-1000000}
HP_PAGES=${BENCH_HUGEPAGES:-1536}
ONLY=${BENCH_ONLY:-decap encap encap-nocsum flood-group flood-her decap-1m decap-1m-1k ceiling-1m switch encap-8p decap-8p}
ALL_SCENARIOS="ceiling decap encap encap-nocsum flood-group flood-her decap-1m decap-1m-1k ceiling-1m switch encap-8p decap-8p"
BASELINE=${BENCH_BASELINE:-}
if [ -n "$BASELINE" ]; then
	[ -x "$BASELINE" ] || { echo "bench: BENCH_BASELINE '$BASELINE' is not an executable" >&2; exit 2; }
	for s in decap encap; do
		case " $ONLY " in *" $s "*) ONLY="$ONLY $s-base" ;; esac
	done
	ALL_SCENARIOS="$ALL_SCENARIOS decap-base encap-base"
fi
# Extra local ports (net_null1..XPORTS) of the bridge scenarios; 0 for the others.
XPORTS=0
[ "$QUICK" = 1 ] && ONLY=${ONLY//ceiling-1m/}

LOCAL=172.16.91.129
VNI=42
# Packets in the small pcaps: every MAC and flow several times, small enough to stay in the L2/L3
# caches like a NIC's descriptor rings would.
COUNT=8192
MACS=1000
FLOWS=1024
REMOTES=16
# vtepd's default mempool for 1 worker and 1 VNI (lib/cp/runtime/vtep_runtime.c pool_size()): net_pcap's
# infinite_rx keeps the whole pcap in mbufs of the port's pool, so the bench adds the pcap's
# packets on top (`mbufs`) to leave vtepd its normal working set.
POOL_DEFAULT=19488
# Bytes per mbuf in the pool: 64 B object header + 128 B struct rte_mbuf + 2176 B data room
# (RTE_MBUF_DEFAULT_BUF_SIZE), as rte_mempool_calc_obj_size() lays it out.
MBUF_BYTES=2368

for b in "$VTEPD" "$PCAPGEN" "$VTEPCTL"; do
	[ -x "$b" ] || { echo "bench: $b not found (build first: meson setup build && ninja -C build)"; exit 1; }
done
command -v "$TESTPMD" >/dev/null || { echo "bench: $TESTPMD not found (apt-get install dpdk)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: run as root (hugepages, /var/run/dpdk)"; exit 1; }

T=$(mktemp -d /tmp/vtepbench.XXXXXX)
HUGE=$T/huge
PREFIXES=()
PID=
HP_ORIG=$(cat /proc/sys/vm/nr_hugepages)
HP_SET=0
MOUNTED=0
MEM_MODE=no-huge

cleanup() {
	local p
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	for p in "${PREFIXES[@]+"${PREFIXES[@]}"}"; do
		rm -rf "/var/run/dpdk/$p"
	done
	if [ "$MOUNTED" = 1 ]; then
		umount "$HUGE" && echo "bench: hugetlbfs $HUGE unmounted"
	fi
	if [ "$HP_SET" = 1 ]; then
		echo "$HP_ORIG" >/proc/sys/vm/nr_hugepages
		echo "bench: nr_hugepages restored to $HP_ORIG"
	fi
	if [ "${KEEP:-0}" = 1 ]; then
		echo "bench: work directory kept: $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() {
	echo "$EPOCHREALTIME"
}

# Memory: a private hugetlbfs with pages reserved for this run, or 4 KiB pages if that fails.
setup_memory() {
	if [ "${BENCH_NO_HUGE:-0}" = 1 ]; then
		echo "bench: memory: --no-huge (4 KiB pages), as asked (BENCH_NO_HUGE=1)"
		return
	fi
	local want=$((HP_ORIG + HP_PAGES)) got free
	if echo "$want" >/proc/sys/vm/nr_hugepages 2>/dev/null; then
		HP_SET=1
	fi
	got=$(cat /proc/sys/vm/nr_hugepages)
	free=$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)
	if [ "$got" -lt "$want" ] || [ "$free" -lt "$HP_PAGES" ]; then
		echo "bench: memory: could not reserve $HP_PAGES hugepages (nr_hugepages $got, free" \
			"$free): falling back to --no-huge (4 KiB pages); ratios are only comparable" \
			"within one memory mode"
		return
	fi
	mkdir -p "$HUGE"
	if ! mount -t hugetlbfs -o pagesize=2M nodev "$HUGE"; then
		echo "bench: memory: cannot mount hugetlbfs: falling back to --no-huge (4 KiB pages)"
		return
	fi
	MOUNTED=1
	MEM_MODE=hugepages
	echo "bench: memory: reserved $HP_PAGES x 2 MiB hugepages (nr_hugepages $HP_ORIG -> $want)," \
		"private hugetlbfs at $HUGE, every DPDK process runs with --huge-dir $HUGE" \
		"--huge-unlink; unmounted and released at exit"
}

# EAL memory options; $1 = MiB for --no-huge.
eal_mem() {
	if [ "$MEM_MODE" = hugepages ]; then
		echo "--huge-dir $HUGE --huge-unlink"
	else
		echo "--no-huge -m $1"
	fi
}

gen_pcaps() {
	"$PCAPGEN" --macs $MACS --flows $FLOWS --remotes $REMOTES --count $COUNT -o "$T/decap.pcap"
	"$PCAPGEN" --mode inner --macs $MACS --flows $FLOWS --count $COUNT -o "$T/encap.pcap"
	"$PCAPGEN" --mode inner --bcast --flows $FLOWS --count $COUNT -o "$T/bcast.pcap"
	case " $ONLY " in
	*" decap-1m "* | *" ceiling-1m "*)
		"$PCAPGEN" --macs "$BIG_MACS" --flows 4096 --remotes 64 --count "$BIG_MACS" \
			-o "$T/big.pcap"
		;;
	esac
	case " $ONLY " in
	*" decap-1m-1k "*)
		"$PCAPGEN" --macs $MACS --flows 4096 --remotes 64 --count "$BIG_MACS" \
			-o "$T/big1k.pcap"
		;;
	esac
	# Static FDB for known unicast: MAC i behind remote (i - 1) % 16, every remote resolved.
	{
		local r i
		for r in $(seq 1 $REMOTES); do
			printf 'neigh 172.16.91.%d lladdr 02:00:00:00:91:%02x\n' "$r" "$r"
		done
		for i in $(seq 1 $MACS); do
			printf 'fdb 02:00:00:2a:%02x:%02x dst 172.16.91.%d vni %d\n' \
				$((i >> 8)) $((i & 255)) $(((i - 1) % REMOTES + 1)) $VNI
		done
	} >"$T/encap.conf"
	{
		local r
		for r in 1 2 3 4; do
			printf 'neigh 172.16.91.%d lladdr 02:00:00:00:91:%02x\n' "$r" "$r"
		done
	} >"$T/her.conf"
	# Local switching: the encap pcap's destinations static behind net_null1..7.
	{
		local i
		for i in $(seq 1 $MACS); do
			printf 'fdb 02:00:00:2a:%02x:%02x dev net_null%d\n' $((i >> 8)) $((i & 255)) \
				$(((i - 1) % 7 + 1))
		done
	} >"$T/switch.conf"
}

# ---- testpmd --------------------------------------------------------------------------------

# run_testpmd SCEN RUN PCAP PACKETS: io forwarding; Mpps = mean of port 0's Rx-pps samples that
# arrive during the measured seconds (testpmd computes each from its counters and the clock over
# the time since the previous one; with --stats-period 1 they come every 1-2 s).
run_testpmd() {
	local scen=$1 run=$2 pcap=$3 pkts=$4 pfx="vtepbench-$$-$1-$2" out="$T/$1.$2.out"
	local deadline mem=1024 n0
	[ "$pkts" -gt 100000 ] && mem=4096
	PREFIXES+=("$pfx")
	# shellcheck disable=SC2046
	"$TESTPMD" -l 0,1 --no-pci --file-prefix="$pfx" $(eal_mem $mem) --log-level=lib.eal:warning \
		--vdev="net_pcap0,rx_pcap=$pcap,infinite_rx=1" --vdev=net_null0,no-rx=1 -- \
		--forward-mode=io --nb-cores=1 --stats-period 1 --no-lsc-interrupt \
		--total-num-mbufs=$((pkts + 32768)) </dev/null >"$out" 2>"$T/$1.$2.err" &
	PID=$!
	deadline=$(($(date +%s) + 90))
	# Forwarding runs once the first statistics are printed (after the pcap is loaded).
	wait_pps "$out" 1 "$deadline" || return 1
	sleep "$WARM"
	n0=$(port0_pps "$out" | wc -l)
	sleep "$SECS"
	wait_pps "$out" $((n0 + 1)) "$deadline" || return 1
	local rss huge
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$PID/status")
	huge=$(awk '/^HugetlbPages/ { print $2 }' "/proc/$PID/status")
	kill -TERM "$PID"
	wait "$PID" || true
	PID=
	rm -rf "/var/run/dpdk/$pfx"
	port0_pps "$out" | awk -v skip="$n0" -v s="$scen" -v r="$run" -v rss="$rss" \
		-v huge="$huge" '
		NR > skip { sum += $1; k++ }
		END { printf "%s %s %.4f - - - %s %s 0\n", s, r, sum / k / 1e6, rss, huge }' \
		>>"$T/results"
}

port0_pps() {
	[ -f "$1" ] || return 0
	awk '/NIC statistics for port/ { p = $6 } /Rx-pps:/ && p == "0" { print $2 }' "$1"
}

# wait_pps OUT N DEADLINE: until testpmd printed N samples for port 0.
wait_pps() {
	while [ "$(port0_pps "$1" | wc -l)" -lt "$2" ]; do
		if ! kill -0 "$PID" 2>/dev/null || [ "$(date +%s)" -gt "$3" ]; then
			echo "bench: testpmd failed:"
			tail -n 5 "${1%.out}.err"
			kill -TERM "$PID" 2>/dev/null || true
			wait "$PID" || true
			PID=
			return 1
		fi
		sleep 0.1
	done
}

# ---- vtepd ----------------------------------------------------------------------------------

# ctl_stats PREFIX: vtepd's counters now (vtepctl over telemetry), as "name value" lines.
ctl_stats() {
	"$VTEPCTL" --file-prefix "$1" -s stats 2>/dev/null
}

# sample PREFIX: "time in out busy drops learn_ring_full learned" from one stats call.
sample() {
	local t0 t1 s
	t0=$(now)
	s=$(ctl_stats "$1") || return 1
	t1=$(now)
	awk -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (a + b) / 2 }')" \
		-v dir="$2" '
		$1 == "underlay_rx" { urx = $2 } $1 == "underlay_tx" { utx = $2 }
		$1 == "inner_rx" { irx = $2 } $1 == "inner_tx" { itx = $2 }
		$1 == "drops" { d = $2 } $1 == "drop.rx_learn_ring_full" { lr = $2 }
		$1 == "fdb.nb_learned" { l = $2 }
		$1 ~ /^lcore\.[0-9]+\.role$/ && $2 == "worker" { split($1, a, "."); w = a[2] }
		{ v[$1] = $2 }
		END {
			if (dir == "decap") { i = urx; o = itx }
			else if (dir == "switch") { i = irx; o = itx }
			else { i = irx; o = utx }
			printf "%s %s %s %s %s %s %s\n", t, i, o, v["lcore." w ".busy_cycles"], d, lr, l
		}' <<<"$s"
}

# run_vtepd SCEN RUN DIR PCAP PACKETS LEARN_TARGET WORDS...: DIR decap (pcap on the underlay) or
# encap (pcap on the inner port). With LEARN_TARGET > 0 the warm-up lasts until the FDB holds that
# many learned entries (and the fill time gives the learning rate); else WARM seconds.
run_vtepd() {
	local scen=$1 run=$2 dir=$3 pcap=$4 pkts=$5 target=$6 pfx="vtepbench-$$-$1-$2"
	shift 6
	local out="$T/$scen.$run.out" err="$T/$scen.$run.err" mem=1024 deadline a b s
	local pcapdev="net_pcap0,rx_pcap=$pcap,infinite_rx=1" nulldev=net_null0,no-rx=1 ports
	local xvdevs=() k
	[ "$pkts" -gt 100000 ] && mem=4096
	if [ "$dir" = decap ]; then
		ports=(dev net_pcap0 local "$LOCAL/24")
		set -- "$@" inner net_null0
	else
		ports=(dev net_null0 local "$LOCAL/24")
		set -- "$@" inner net_pcap0
	fi
	# The bridge scenarios: more ports in the VNI, each a net_null that drops what it gets.
	for ((k = 1; k <= XPORTS; k++)); do
		xvdevs+=("--vdev=net_null$k,no-rx=1")
		set -- "$@" port "net_null$k"
	done
	PREFIXES+=("$pfx")
	# shellcheck disable=SC2046
	"$VTEPD" -l 0,1 --no-pci --file-prefix="$pfx" $(eal_mem $mem) --log-level=lib.eal:warning \
		--vdev="$pcapdev" --vdev="$nulldev" "${xvdevs[@]+"${xvdevs[@]}"}" -- "${ports[@]}" \
		mbufs $((POOL_DEFAULT + XPORTS * 6144 + pkts)) "$@" >"$out" 2>"$err" &
	PID=$!
	deadline=$(($(date +%s) + 90))
	# The telemetry socket answers once the context is built; workers start right after.
	until s=$(sample "$pfx" "$dir") && [ "$(echo "$s" | cut -d' ' -f2)" != 0 ]; do
		if ! kill -0 "$PID" 2>/dev/null || [ "$(date +%s)" -gt "$deadline" ]; then
			echo "bench: vtepd ($scen run $run) failed:"
			tail -n 5 "$err"
			PID=
			return 1
		fi
		sleep 0.01
	done
	if [ "$target" -gt 0 ]; then
		# Learning: sample every ~50 ms until the FDB is full (each sample costs the
		# control lcore's core a few ms of bash, awk and vtepctl).
		echo "$s" >"$T/$scen.$run.learn"
		until [ "$(echo "$s" | cut -d' ' -f7)" -ge "$target" ]; do
			if [ "$(date +%s)" -gt "$deadline" ]; then
				echo "bench: $scen run $run: FDB did not reach $target entries"
				break
			fi
			sleep 0.05
			s=$(sample "$pfx" "$dir")
			echo "$s" >>"$T/$scen.$run.learn"
		done
	fi
	sleep "$WARM"
	a=$(sample "$pfx" "$dir")
	sleep "$SECS"
	b=$(sample "$pfx" "$dir")
	local rss huge
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$PID/status")
	huge=$(awk '/^HugetlbPages/ { print $2 }' "/proc/$PID/status")
	kill -INT "$PID"
	wait "$PID" || echo "bench: vtepd ($scen run $run) exited with status $?"
	PID=
	rm -rf "/var/run/dpdk/$pfx"
	# The exit printout lists the whole FDB (a million lines for decap-1m): keep the counters.
	grep '^counter ' "$out" >"$out.counters" || true
	rm -f "$out"
	hz=$(awk '$2 == "tsc_hz" { print $3 }' "$out.counters")
	[ -z "$hz" ] || echo "$hz" >"$T/tsc_hz"
	awk -v s="$scen" -v r="$run" -v hz="$hz" -v rss="$rss" -v huge="$huge" -v a="$a" -v b="$b" '
		BEGIN {
			split(a, x, " "); split(b, y, " ")
			dt = y[1] - x[1]; n = y[2] - x[2]
			printf "%s %s %.4f %.1f %.1f %.3f %s %s %d\n", s, r, n / dt / 1e6,
				(y[4] - x[4]) / n, dt * hz / n, (y[3] - x[3]) / n, rss, huge,
				y[5] - x[5]
		}' >>"$T/results"
	if [ "$target" -gt 0 ]; then
		# Learning rate: from the last sample with nothing learned (or the first sample)
		# to the first with the FDB full; lost learn events during the fill and after.
		awk -v s="$scen" -v r="$run" -v tgt="$target" -v lost_after="$(($(echo "$b" |
			cut -d' ' -f6) - $(echo "$a" | cut -d' ' -f6)))" '
			NR == 1 || $7 == 0 { t0 = $1; l0 = $7 }
			$7 >= tgt && !done { t1 = $1; l1 = $7; lost = $6; done = 1 }
			END {
				if (!done) { print s, r, "incomplete", 0, 0, lost_after; exit }
				printf "%s %s %.3f %.0f %s %s\n", s, r, t1 - t0, (l1 - l0) / (t1 - t0),
					lost, lost_after
			}' "$T/$scen.$run.learn" >>"$T/learning"
		awk -v s="$scen" -v r="$run" '$2 == "fdb.memory_bytes" { m = $3 }
			$2 == "fdb.nb_learned" || $2 == "fdb.nb_static" { e += $3 }
			$2 == "mempool.size" { p = $3 }
			END { print s, r, m, e, p }' "$out.counters" >>"$T/fdbmem"
	fi
	awk -v s="$scen" -v r="$run" '$2 == "mempool.size" { print s, r, $3 }' "$out.counters" \
		>>"$T/pools"
}

# ---- scenarios ------------------------------------------------------------------------------

scenario() {
	local scen=$1 run=$2
	case $scen in
	ceiling) run_testpmd ceiling "$run" "$T/decap.pcap" $COUNT ;;
	ceiling-1m) run_testpmd ceiling-1m "$run" "$T/big.pcap" "$BIG_MACS" ;;
	decap) run_vtepd decap "$run" decap "$T/decap.pcap" $COUNT 0 id $VNI ;;
	encap)
		run_vtepd encap "$run" encap "$T/encap.pcap" $COUNT 0 config "$T/encap.conf" id $VNI
		;;
	encap-nocsum)
		run_vtepd encap-nocsum "$run" encap "$T/encap.pcap" $COUNT 0 noudpcsum \
			config "$T/encap.conf" id $VNI
		;;
	flood-group)
		run_vtepd flood-group "$run" encap "$T/bcast.pcap" $COUNT 0 id $VNI group 239.1.1.1
		;;
	flood-her)
		run_vtepd flood-her "$run" encap "$T/bcast.pcap" $COUNT 0 config "$T/her.conf" \
			id $VNI remote 172.16.91.1 remote 172.16.91.2 remote 172.16.91.3 \
			remote 172.16.91.4
		;;
	decap-1m)
		run_vtepd decap-1m "$run" decap "$T/big.pcap" "$BIG_MACS" "$BIG_MACS" \
			fdb-size $((BIG_MACS > 1048576 ? BIG_MACS : 1048576)) id $VNI
		;;
	decap-1m-1k)
		run_vtepd decap-1m-1k "$run" decap "$T/big1k.pcap" "$BIG_MACS" 0 \
			fdb-size $((BIG_MACS > 1048576 ? BIG_MACS : 1048576)) id $VNI
		;;
	switch)
		XPORTS=7 run_vtepd switch "$run" switch "$T/encap.pcap" $COUNT 0 \
			config "$T/switch.conf" id $VNI
		;;
	encap-8p)
		XPORTS=7 run_vtepd encap-8p "$run" encap "$T/encap.pcap" $COUNT 0 \
			config "$T/encap.conf" id $VNI
		;;
	decap-8p)
		XPORTS=7 run_vtepd decap-8p "$run" decap "$T/decap.pcap" $COUNT 0 id $VNI \
			fdb 02:00:00:00:00:02 dev net_null3
		;;
	decap-base) VTEPD=$BASELINE run_vtepd decap-base "$run" decap "$T/decap.pcap" $COUNT 0 id $VNI ;;
	encap-base)
		VTEPD=$BASELINE run_vtepd encap-base "$run" encap "$T/encap.pcap" $COUNT 0 \
			config "$T/encap.conf" id $VNI
		;;
	*) echo "bench: unknown scenario $scen"; return 1 ;;
	esac
}

median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

col() {
	awk -v s="$1" -v c="$2" '$1 == s && $c != "-" { print $c }' "$T/results"
}

summary() {
	local ceil hz scen m lo hi busy tot out rss huge drops ratio target verdict
	ceil=$(col ceiling 3 | median)
	cmax=$(col ceiling 3 | sort -g | tail -n1)
	[ -n "$(col ceiling 3)" ] || ceil=
	hz=$(cat "$T/tsc_hz" 2>/dev/null || echo 0)
	echo
	echo "== vtepd benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -n), memory: $MEM_MODE," \
		"$RUNS run(s) x ${SECS} s per scenario, TSC $(awk -v h="$hz" 'BEGIN { printf "%.2f", h / 1e9 }') GHz"
	printf '%-12s %8s %17s %9s %9s %7s %7s %7s %6s %s\n' scenario Mpps "min-max" busy/pkt \
		total/pkt ratio best out/in drops "target (on the median ratio)"
	for scen in $ALL_SCENARIOS; do
		[ -n "$(col "$scen" 3)" ] || continue
		m=$(col "$scen" 3 | median)
		lo=$(col "$scen" 3 | sort -g | head -n1)
		hi=$(col "$scen" 3 | sort -g | tail -n1)
		busy=$(col "$scen" 4 | median)
		tot=$(col "$scen" 5 | median)
		out=$(col "$scen" 6 | median)
		drops=$(col "$scen" 9 | awk '{ s += $1 } END { print s + 0 }')
		if [ "$scen" = ceiling ] || [ "$scen" = ceiling-1m ]; then
			tot=$(awk -v h="$hz" -v m="$m" 'BEGIN { printf "%.1f", h / (m * 1e6) }')
		fi
		ratio=$(awk -v m="$m" -v c="$ceil" 'BEGIN { printf "%.3f", m / c }')
		best=$(awk -v m="$hi" -v c="$cmax" 'BEGIN { printf "%.3f", m / c }')
		case $scen in
		decap) target=0.50 ;;
		encap) target=0.45 ;;
		flood-group) target=0.40 ;;
		decap-1m) target=0.30 ;;
		switch) target="$(awk -v m="$(col encap 3 | median)" -v c="$ceil" \
			'BEGIN { if (m != "") printf "%.3f", m / c }')" ;;
		*) target= ;;
		esac
		verdict=
		if [ -z "$ceil" ] || [ "$ceil" = - ]; then
			ratio=-
			best=-
		elif [ -n "$target" ]; then
			verdict=$(awk -v r="$ratio" -v t="$target" \
				'BEGIN { print (r >= t ? ">= " t " met" : ">= " t " NOT met") }')
		fi
		printf '%-12s %8.2f %8.2f-%-8.2f %9s %9s %7s %7s %7s %6s %s\n' "$scen" "$m" "$lo" \
			"$hi" "$busy" "$tot" "$ratio" "$best" "$out" "$drops" "$verdict"
	done
	echo "(Mpps: packets in per second, median of the runs; busy/pkt: worker busy TSC cycles per"
	echo " packet; total/pkt: all TSC cycles of the worker lcore per packet (TSC / rate for"
	echo " testpmd); ratio: median / ceiling median of this invocation; best: fastest run /"
	echo " fastest ceiling run (noise on a shared machine only ever slows a run down); out/in:"
	echo " frames sent per frame received; drops: vtepd drop counters during the measured seconds)"
	for scen in decap encap; do
		if [ -z "$BASELINE" ] || [ -z "$(col "$scen-base" 3)" ] || [ -z "$(col "$scen" 3)" ]; then
			continue
		fi
		# Each round's run against the baseline's run of the same round (the same noise).
		awk -v s="$scen" -v b="$scen-base" '$1 == s { n[$2] = $3 } $1 == b { o[$2] = $3 }
			END { for (r in n) if (r in o && o[r] > 0) print n[r] / o[r] }' "$T/results" \
			>"$T/ratio.$scen"
		echo "$scen, this build / baseline ($BASELINE), per round: $(sort -g "$T/ratio.$scen" |
			awk '{ printf "%.3f ", $1 }')median $(median <"$T/ratio.$scen" |
			awk '{ printf "%.3f", $1 }'); busy cycles per packet $(col "$scen" 4 | median) vs" \
			"$(col "$scen-base" 4 | median)"
	done
	if [ -n "$(col decap-1m 5)" ] && [ -n "$(col decap-1m-1k 5)" ] && [ -n "$(col ceiling-1m 3)" ]; then
		awk -v a="$(col decap-1m 5 | median)" -v b="$(col decap-1m-1k 5 | median)" \
			-v c="$(awk -v h="$hz" -v m="$(col ceiling-1m 3 | median)" 'BEGIN { print h / (m * 1e6) }')" \
			'BEGIN { printf "decap-1m, %.1f cycles per packet: the 1M-frame input %.1f (ceiling-1m), vtepd" \
				" with 1000 MACs on it %.1f more (decap-1m-1k), 1M FDB entries %.1f more\n", a, c, b - c, a - b }'
	fi
	if [ -s "$T/learning" ]; then
		echo
		echo "learning (decap-1m warm-up: the FDB filling from empty to $BIG_MACS learned entries):"
		awk '{ if ($3 == "incomplete") { print "  run " $2 ": FDB never full"; next }
			printf "  run %s: full after %.3f s: %.2f M new MACs/s absorbed by the control lcore;" \
				" learn events lost to a full ring during the fill %s (counted, worker never" \
				" waits), during the measured seconds %s\n", $2, $3, $4 / 1e6, $5, $6 }' \
			"$T/learning"
		rate=$(awk '$3 != "incomplete" { print $4 }' "$T/learning" | median)
		echo "  median $(awk -v r="$rate" 'BEGIN { printf "%.2f", r / 1e6 }') M MACs/s" \
			"(target >= 1 M/s: $(awk -v r="$rate" 'BEGIN { print (r >= 1e6 ? "met" : "NOT met") }');" \
			"a lower bound: ~50 ms sampling that itself takes time on the control lcore's core)"
	fi
	echo
	echo "memory:"
	if [ -s "$T/fdbmem" ]; then
		awk 'NR == 1 { printf "  FDB at %d entries: %d bytes, %.1f bytes per entry (target <= 128: %s)\n",
			$4, $3, $3 / $4, ($3 / $4 <= 128 ? "met" : "NOT met") }' "$T/fdbmem"
	fi
	printf '  mempool: vtepd default %d mbufs x %d B = %.1f MiB (1 worker, 1 VNI); the bench adds\n' \
		$POOL_DEFAULT $MBUF_BYTES "$(awk -v n=$POOL_DEFAULT -v b=$MBUF_BYTES 'BEGIN { print n * b / 1048576 }')"
	echo "  the pcap's packets (net_pcap infinite_rx keeps them in the pool):"
	awk -v b=$MBUF_BYTES '!seen[$1]++ { printf "    %-12s %8d mbufs = %7.1f MiB\n", $1, $3, $3 * b / 1048576 }' \
		"$T/pools"
	echo "  resident memory at the end of the measured seconds (median over runs; VmRSS + hugetlb pages):"
	for scen in $ALL_SCENARIOS; do
		[ -n "$(col "$scen" 7)" ] || continue
		rss=$(col "$scen" 7 | median)
		huge=$(col "$scen" 8 | median)
		printf '    %-12s VmRSS %7.1f MiB + HugetlbPages %7.1f MiB = %7.1f MiB\n' "$scen" \
			"$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" \
			"$(awk -v k="${huge:-0}" 'BEGIN { print k / 1024 }')" \
			"$(awk -v a="$rss" -v k="${huge:-0}" 'BEGIN { print (a + k) / 1024 }')"
	done
}

# ---- main -----------------------------------------------------------------------------------

start=$(date +%s)
echo "bench: vtepd $VTEPD, testpmd $(command -v "$TESTPMD"), work directory $T"
setup_memory
gen_pcaps
for run in $(seq 1 "$RUNS"); do
	for scen in ceiling $ONLY; do
		echo "bench: round $run/$RUNS: $scen"
		scenario "$scen" "$run" || echo "bench: $scen run $run failed"
	done
done
summary
echo
echo "bench: raw results (scenario run Mpps busy/pkt total/pkt out/in VmRSS-kB Hugetlb-kB drops):"
sed 's/^/  /' "$T/results"
echo "bench: done in $(($(date +%s) - start)) s; memory mode: $MEM_MODE"
