# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Shared functions of the end-to-end tests: the seed topology of issue 3 in network namespaces,
# result lines, waiting, background captures and starting/stopping vtepd. Source it:
#
#   . "$(dirname "$0")/lib.sh"
#   e2e_timers 300 100 800        (optional: short switch timers, centiseconds)
#   e2e_begin                     (root, traps, topology up; LOG is the log directory)
#   vtepd_begin NAME              (optional: vtepd up in ve-h2, PASS NAME, VTEP0_MAC set)
#   ...; pass NAME / fail NAME DETAIL / check NAME CMD...
#   summary
#
# Topology (all names start with ve- so they do not collide with other scripts):
#
#   ve-sw:  br0 (Linux bridge, mcast_snooping 1, mcast_querier 1), ports sw-h1 sw-h2 sw-h3
#   ve-h1:  eth0 172.16.91.128/24 02:00:00:00:91:80, kernel vxlan0 (seed), 10.0.0.1/24
#   ve-h2:  eth0 (no IP: vtepd owns it via net_af_packet) 02:00:00:00:91:81; vtepd makes vtep0
#   ve-h3:  eth0 172.16.91.130/24 02:00:00:00:91:82, kernel vxlan0 (seed), 10.0.0.3/24
#
# Every veth end has tx checksumming, TSO, GSO and GRO off, so frames look like a NIC's.
#
# Environment (defaults in brackets):
#   VTEPD                         vtepd binary [build/app/vtepd/vtepd under the repository]
#   E2E_LOG_DIR                   logs and captures [a new /tmp/vtepd-e2e.XXXXXX, removed by
#                                 topo_down when nothing failed and E2E_KEEP_LOGS is not 1]
#   E2E_MCAST_QUERY_INTERVAL      bridge querier interval, centiseconds [what the test gives
#                                 e2e_timers, else 12500 = kernel default]
#   E2E_MCAST_QUERY_RESPONSE_INTERVAL  max response time in queries, cs [e2e_timers, else 1000]
#   E2E_MCAST_MEMBERSHIP_INTERVAL how long a report keeps a port in a group, cs [e2e_timers,
#                                 else 26000]
#   E2E_MCAST_STARTUP_QUERY_INTERVAL  between the querier's 2 start-up queries, cs
#                                 [E2E_MCAST_QUERY_INTERVAL / 4, as RFC 3376 8.6]
#   E2E_MCAST_IGMP_VERSION        version of the bridge querier's queries, 2 or 3 [3]; with 2,
#                                 hosts suppress their reports when they hear another host's (the
#                                 bridge forwards reports to group members), RFC 2236 section 3
#   E2E_VTEPD_STOP_TIMEOUT        seconds between SIGTERM and SIGKILL [10]
#   E2E_FLOOD                     how the VTEPs flood BUM traffic [group]: "group" is the seed
#                                 (vxlan0 with group 239.1.1.1, vtepd "group"); "her" is head-end
#                                 replication (vxlan0 without a group plus one all-zeros
#                                 "bridge fdb append" per other VTEP, vtepd "remote" words)
#   E2E_NS_TAG                    inserted into namespace names: ve<TAG>-sw ... [empty]
#   E2E_VTEPD_PREFIX              vtepd's --file-prefix [e2e_h2_<pid of the test>]

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# E2E_NS_TAG (letters/digits, default empty) goes into every namespace name (ve<TAG>-sw ...), so two
# checkouts can run their end-to-end tests at the same time without sharing a topology.
readonly E2E_NS_BASE=ve${E2E_NS_TAG:-}
readonly E2E_NS_SW=$E2E_NS_BASE-sw
readonly E2E_NS_H1=$E2E_NS_BASE-h1
readonly E2E_NS_H2=$E2E_NS_BASE-h2
readonly E2E_NS_H3=$E2E_NS_BASE-h3
readonly E2E_NAMESPACES=("$E2E_NS_SW" "$E2E_NS_H1" "$E2E_NS_H2" "$E2E_NS_H3")

# Underlay and overlay addresses of the seed (RFC 1918, exist only inside the namespaces).
# Those marked SC2034 are only for the scripts that source this file.
readonly E2E_H1_IP=172.16.91.128
readonly E2E_H2_IP=172.16.91.129
readonly E2E_H3_IP=172.16.91.130
readonly E2E_H1_MAC=02:00:00:00:91:80
readonly E2E_H2_MAC=02:00:00:00:91:81
readonly E2E_H3_MAC=02:00:00:00:91:82
readonly E2E_GROUP=239.1.1.1
readonly E2E_VNI=42
readonly E2E_H1_OVERLAY=10.0.0.1
readonly E2E_H2_OVERLAY=10.0.0.2
readonly E2E_H3_OVERLAY=10.0.0.3

: "${VTEPD:=$E2E_ROOT/build/app/vtepd/vtepd}"
: "${E2E_VTEPD_STOP_TIMEOUT:=10}"
: "${E2E_KEEP_LOGS:=0}"
: "${E2E_FLOOD:=group}"
: "${E2E_VTEPD_PREFIX:=e2e_h2_$$}"

E2E_PASSED=0
E2E_FAILED=0
E2E_VTEPD_PID=""
E2E_VTEPD_RC=""
E2E_VTEPD_LOG=""
E2E_VTEPD_DUMP=""
E2E_VTEPD_DUMPS=0
E2E_CAPTURE_PID=""
# tcpdump's stderr file by its PID (e2e_capture_sync reads its statistics there).
declare -A E2E_CAPTURE_ERR=()
E2E_BG_PIDS=()
# Bound of the waits for vtepd (start-up, its printout): only reached when something is broken.
: "${E2E_WAIT:=60}"
E2E_LOG_DIR_MADE=0
# Namespaces a test adds to the topology (containers): deleted with the others.
E2E_EXTRA_NAMESPACES=()

e2e_log() { echo "e2e: $*" >&2; }

# e2e_timers QUERY RESPONSE MEMBERSHIP: the switch's timers (centiseconds) unless the environment
# or an earlier call set them; IGMP version 3 and the start-up query interval likewise. topo_up
# calls it with the kernel's defaults; a test that wants short timers (to outlive a membership
# interval) calls it first.
e2e_timers() {
	: "${E2E_MCAST_QUERY_INTERVAL:=$1}"
	: "${E2E_MCAST_QUERY_RESPONSE_INTERVAL:=$2}"
	: "${E2E_MCAST_MEMBERSHIP_INTERVAL:=$3}"
	: "${E2E_MCAST_IGMP_VERSION:=3}"
	# The bridge derives this from the query interval only at creation, with the kernel default.
	: "${E2E_MCAST_STARTUP_QUERY_INTERVAL:=$((E2E_MCAST_QUERY_INTERVAL / 4))}"
}

# e2e_require_root: exit 1 unless root and the tools are there.
e2e_require_root() {
	if [[ $(id -u) -ne 0 ]]; then
		e2e_log "must run as root (network namespaces)"
		exit 1
	fi
	local t
	for t in ip bridge ethtool tcpdump tshark ping; do
		command -v "$t" >/dev/null || { e2e_log "missing tool: $t"; exit 1; }
	done
}

# e2e_log_dir: print the log directory, making it on first use.
e2e_log_dir() {
	if [[ -z "${E2E_LOG_DIR:-}" ]]; then
		E2E_LOG_DIR=$(mktemp -d /tmp/vtepd-e2e.XXXXXX)
		E2E_LOG_DIR_MADE=1
	fi
	mkdir -p "$E2E_LOG_DIR"
	echo "$E2E_LOG_DIR"
}

# ns_exec NS CMD...: run CMD in namespace NS.
ns_exec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# pass NAME: print a PASS line and count it.
pass() {
	echo "PASS: $1 [${SECONDS}s]"
	E2E_PASSED=$((E2E_PASSED + 1))
}

# fail NAME [DETAIL]: print a FAIL line (and why) and count it.
fail() {
	echo "FAIL: $1${2:+ ($2)} [${SECONDS}s]"
	E2E_FAILED=$((E2E_FAILED + 1))
}

# check NAME CMD...: pass NAME if CMD succeeds, else fail NAME. CMD's output goes to
# commands.log in the log directory.
check() {
	local name=$1 log
	shift
	log=$(e2e_log_dir)/commands.log
	echo "=== $name: $*" >>"$log"
	if "$@" >>"$log" 2>&1; then
		pass "$name"
	else
		fail "$name"
	fi
}

# summary: print "N passed, N failed"; return 1 if anything failed (or nothing ran).
summary() {
	echo "$E2E_PASSED passed, $E2E_FAILED failed"
	[[ $E2E_FAILED -eq 0 && $E2E_PASSED -gt 0 ]]
}

# e2e_abort NAME: fail NAME, print the summary and exit 1 (nothing after it can run).
e2e_abort() {
	fail "$1"
	summary
	exit 1
}

# e2e_begin: the start of every test: root and tools checked, topo_down on exit (and exit 130 on
# INT/TERM), the topology up (else "FAIL: topology up" and exit 1), LOG set to the log directory.
e2e_begin() {
	e2e_require_root
	trap topo_down EXIT
	trap 'exit 130' INT TERM
	topo_up || e2e_abort "topology up"
	# shellcheck disable=SC2034 # for the tests
	LOG=$(e2e_log_dir)
}

# wait_for CMD TIMEOUT: evaluate the command string CMD every 0.2 s until it succeeds;
# return 1 after TIMEOUT seconds (integer). CMD may use the functions of this file.
wait_for() {
	local cmd=$1 timeout=$2
	local deadline=$((SECONDS + timeout))
	while true; do
		if eval "$cmd" >/dev/null 2>&1; then
			return 0
		fi
		if ((SECONDS >= deadline)); then
			return 1
		fi
		sleep 0.2
	done
}

# e2e_offloads_off NS DEV: make a veth end behave like a NIC without offloads.
e2e_offloads_off() {
	ns_exec "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null || return 1
}

# e2e_ns_new NS: a fresh namespace with lo up and IPv6 off (no MLD or RS noise on the wire).
e2e_ns_new() {
	ip netns add "$1" || return 1
	ip -n "$1" link set lo up || return 1
	ns_exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || return 1
	ns_exec "$1" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 || return 1
}

# e2e_host NAME MAC [IP]: namespace ve-NAME with eth0 plugged into the switch as sw-NAME.
e2e_host() {
	local name=$1 mac=$2 ip=${3:-}
	local ns=$E2E_NS_BASE-$name
	e2e_ns_new "$ns" || return 1
	ip -n "$E2E_NS_SW" link add "sw-$name" type veth peer name eth0 netns "$ns" || return 1
	ip -n "$ns" link set eth0 address "$mac" || return 1
	e2e_offloads_off "$E2E_NS_SW" "sw-$name" || return 1
	e2e_offloads_off "$ns" eth0 || return 1
	ip -n "$E2E_NS_SW" link set "sw-$name" master br0 up || return 1
	if [[ -n "$ip" ]]; then
		ip -n "$ns" addr add "$ip/24" dev eth0 || return 1
	fi
	ip -n "$ns" link set eth0 up || return 1
}

# e2e_kernel_vtep NS OVERLAY_IP [OTHER_VTEP_IP...]: the seed's kernel vxlan device, exactly as
# the seed writes it (E2E_FLOOD=group); with E2E_FLOOD=her no group, and BUM traffic goes to each
# OTHER_VTEP_IP through an all-zeros FDB entry (head-end replication, as flannel sets it up).
e2e_kernel_vtep() {
	local ns=$1 overlay=$2 dst
	shift 2
	case "$E2E_FLOOD" in
	group)
		ip -n "$ns" link add vxlan0 type vxlan id "$E2E_VNI" dstport 4789 \
			group "$E2E_GROUP" dev eth0 || return 1
		;;
	her)
		ip -n "$ns" link add vxlan0 type vxlan id "$E2E_VNI" dstport 4789 dev eth0 || return 1
		for dst in "$@"; do
			ns_exec "$ns" bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst "$dst" ||
				return 1
		done
		;;
	*)
		e2e_log "E2E_FLOOD must be group or her, not '$E2E_FLOOD'"
		return 1
		;;
	esac
	ip -n "$ns" addr add "$overlay/24" dev vxlan0 || return 1
	ip -n "$ns" link set vxlan0 up || return 1
}

# topo_up: build the seed topology (removes a stale one first), flooding as E2E_FLOOD says.
# Returns non-zero on error.
topo_up() {
	e2e_timers 12500 1000 26000
	e2e_net_down || return 1
	e2e_log_dir >/dev/null || return 1
	e2e_ns_new "$E2E_NS_SW" || return 1
	ip -n "$E2E_NS_SW" link add br0 type bridge \
		mcast_snooping 1 mcast_querier 1 \
		mcast_igmp_version "$E2E_MCAST_IGMP_VERSION" \
		mcast_query_interval "$E2E_MCAST_QUERY_INTERVAL" \
		mcast_query_response_interval "$E2E_MCAST_QUERY_RESPONSE_INTERVAL" \
		mcast_membership_interval "$E2E_MCAST_MEMBERSHIP_INTERVAL" \
		mcast_startup_query_interval "$E2E_MCAST_STARTUP_QUERY_INTERVAL" || return 1
	e2e_host h1 "$E2E_H1_MAC" "$E2E_H1_IP" || return 1
	e2e_host h2 "$E2E_H2_MAC" || return 1
	e2e_host h3 "$E2E_H3_MAC" "$E2E_H3_IP" || return 1
	# Up only now, so the querier's start-up queries reach the hosts.
	ip -n "$E2E_NS_SW" link set br0 up || return 1
	e2e_kernel_vtep "$E2E_NS_H1" "$E2E_H1_OVERLAY" "$E2E_H2_IP" "$E2E_H3_IP" || return 1
	e2e_kernel_vtep "$E2E_NS_H3" "$E2E_H3_OVERLAY" "$E2E_H1_IP" "$E2E_H2_IP" || return 1
}

# e2e_net_down: stop what was started and delete every namespace; keeps the logs.
e2e_net_down() {
	vtepd_stop >/dev/null 2>&1 || true
	local pid ns
	for pid in "${E2E_BG_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	E2E_BG_PIDS=()
	for ns in "${E2E_NAMESPACES[@]}" "${E2E_EXTRA_NAMESPACES[@]+"${E2E_EXTRA_NAMESPACES[@]}"}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	# EAL's runtime directory of our --file-prefix (config, fbarray files).
	rm -rf "/var/run/dpdk/$E2E_VTEPD_PREFIX"
}

# topo_down: stop what was started, delete every namespace, and remove the log directory this
# run made unless something failed or E2E_KEEP_LOGS=1. Idempotent, safe in a trap.
topo_down() {
	e2e_net_down
	if [[ $E2E_LOG_DIR_MADE -eq 1 && $E2E_FAILED -eq 0 && $E2E_KEEP_LOGS != 1 ]]; then
		rm -rf "$E2E_LOG_DIR"
		E2E_LOG_DIR=""
		E2E_LOG_DIR_MADE=0
	elif [[ -n "${E2E_LOG_DIR:-}" && -d "$E2E_LOG_DIR" ]]; then
		e2e_log "logs kept in $E2E_LOG_DIR"
	fi
}

# e2e_capture_start NS DEV FILE FILTER: tcpdump in the background until e2e_capture_stop
# (--immediate-mode: without it frames wait in the kernel ring and a stop loses them);
# sets E2E_CAPTURE_PID. Returns once tcpdump listens (1 if it does not within 5 s).
# Not for $(...): the background tcpdump would hold the substitution's pipe open.
e2e_capture_start() {
	local ns=$1 dev=$2 file=$3 filter=$4 i
	# ip netns exec (not the ns_exec function, which would run in a forked subshell) execs
	# tcpdump, so $! is tcpdump's own PID.
	ip netns exec "$ns" tcpdump -i "$dev" -n -U --immediate-mode -Z root -s 0 -w "$file" \
		"$filter" \
		</dev/null >/dev/null 2>"$file.err" &
	E2E_CAPTURE_PID=$!
	E2E_CAPTURE_ERR[$E2E_CAPTURE_PID]=$file.err
	E2E_BG_PIDS+=("$E2E_CAPTURE_PID")
	for ((i = 0; i < 50; i++)); do
		grep -q 'listening on' "$file.err" 2>/dev/null && return 0
		sleep 0.1
	done
	e2e_log "tcpdump on $ns $dev did not start: $(cat "$file.err")"
	return 1
}

# e2e_capture_sync PID: wait until tcpdump PID has written every frame its kernel filter passed
# so far: its statistics (SIGUSR1, one line on stderr each time) say "N packets captured, N
# packets received by filter". 1 if they never agree within E2E_WAIT s.
e2e_capture_sync() {
	local pid=$1 err=${E2E_CAPTURE_ERR[$1]:-} n deadline=$((SECONDS + E2E_WAIT))
	[[ -n $err ]] || return 1
	while ((SECONDS < deadline)); do
		n=$(grep -c ' captured, ' "$err")
		kill -USR1 "$pid" 2>/dev/null || return 1
		while (($(grep -c ' captured, ' "$err") == n)) && ((SECONDS < deadline)); do
			sleep 0.05
		done
		grep ' captured, ' "$err" | tail -n 1 |
			awk '{ exit !($2 == $5) }' && return 0
	done
	return 1
}

# e2e_capture_stop PID: stop a capture started by e2e_capture_start once it has written every
# frame seen so far (e2e_capture_sync): its file is complete.
e2e_capture_stop() {
	e2e_capture_sync "$1" || e2e_log "capture $1: tcpdump did not catch up"
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# e2e_vxlan_fields FILE DISPLAYFILTER FIELD...: tshark fields of the VXLAN frames in FILE
# that match DISPLAYFILTER, one line per frame, tab-separated.
e2e_vxlan_fields() {
	local file=$1 filter=$2
	shift 2
	local args=() f
	for f in "$@"; do
		args+=(-e "$f")
	done
	tshark -r "$file" -d udp.port==4789,vxlan -Y "$filter" -T fields "${args[@]}" 2>/dev/null
}

# first_frame PCAP FILTER FIELD...: the tshark fields of the first matching VXLAN frame.
first_frame() {
	local pcap=$1 filter=$2
	shift 2
	e2e_vxlan_fields "$pcap" "$filter" "$@" | head -n 1
}

# e2e_group_frames PCAP: how many VXLAN frames to E2E_GROUP PCAP holds.
e2e_group_frames() {
	e2e_vxlan_fields "$1" "ip.dst == $E2E_GROUP" ip.dst | wc -l
}

# ping_ok NS DST [PING OPTIONS]: 3 echo requests 0.2 s apart; true if any is answered.
ping_ok() {
	local ns=$1 dst=$2
	shift 2
	ns_exec "$ns" ping -c 3 -i 0.2 -W 2 "$@" "$dst"
}

# e2e_fdb_has NS MAC DST: the vxlan0 FDB in NS has MAC with dst DST.
e2e_fdb_has() {
	local fdb
	fdb=$(ns_exec "$1" bridge fdb show dev vxlan0) || return 1
	grep -qi "^$2 dst $3 " <<<"$fdb"
}

# e2e_mac NS DEV: print DEV's MAC address.
e2e_mac() {
	ns_exec "$1" cat "/sys/class/net/$2/address"
}

# e2e_mdb_has PORT: the switch has PORT in E2E_GROUP's mdb entry.
e2e_mdb_has() {
	local mdb
	mdb=$(ns_exec "$E2E_NS_SW" bridge mdb show dev br0) || return 1
	grep -q "port $1 grp $E2E_GROUP " <<<"$mdb"
}

# vtepd_start ARGS...: run $VTEPD ARGS... in ve-h2 in the background, output to
# $E2E_LOG_DIR/vtepd.log (appended across restarts). Sets E2E_VTEPD_PID. Returns 1 if the
# binary is missing (vtepd_up finds out whether it runs).
vtepd_start() {
	if [[ -n "$E2E_VTEPD_PID" ]]; then
		e2e_log "vtepd already running (pid $E2E_VTEPD_PID)"
		return 1
	fi
	if [[ ! -x "$VTEPD" ]]; then
		e2e_log "no vtepd binary at $VTEPD (set VTEPD)"
		return 1
	fi
	E2E_VTEPD_LOG=$(e2e_log_dir)/vtepd.log
	echo "=== $(date +%T) vtepd $*" >>"$E2E_VTEPD_LOG"
	# ip netns exec execs the command, so $! is vtepd's own PID.
	ip netns exec "$E2E_NS_H2" "$VTEPD" "$@" </dev/null >>"$E2E_VTEPD_LOG" 2>&1 &
	E2E_VTEPD_PID=$!
	E2E_VTEPD_RC=""
}

# vtepd_gone: vtepd (E2E_VTEPD_PID) has exited; its status in E2E_VTEPD_RC and its log printed.
vtepd_gone() {
	kill -0 "$E2E_VTEPD_PID" 2>/dev/null && return 1
	wait "$E2E_VTEPD_PID" 2>/dev/null && E2E_VTEPD_RC=0 || E2E_VTEPD_RC=$?
	E2E_VTEPD_PID=""
	e2e_log "vtepd exited (status $E2E_VTEPD_RC); log:"
	cat "$E2E_VTEPD_LOG" >&2
	return 0
}

# vtepd_stop: SIGTERM vtepd, wait up to E2E_VTEPD_STOP_TIMEOUT s, then SIGKILL. Sets
# E2E_VTEPD_RC to its exit status; returns 1 if it had to be killed. No-op when not running.
vtepd_stop() {
	local pid=$E2E_VTEPD_PID i
	[[ -n "$pid" ]] || return 0
	E2E_VTEPD_PID=""
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < E2E_VTEPD_STOP_TIMEOUT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		e2e_log "vtepd (pid $pid) ignored SIGTERM for ${E2E_VTEPD_STOP_TIMEOUT}s: SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		E2E_VTEPD_RC=137
		return 1
	fi
	wait "$pid" 2>/dev/null && E2E_VTEPD_RC=0 || E2E_VTEPD_RC=$?
	return 0
}

# vtepd_wait_iface DEV TIMEOUT: wait until vtepd's inner interface DEV exists in ve-h2.
vtepd_wait_iface() {
	wait_for "ip -n $E2E_NS_H2 link show $1" "$2"
}

# vtepd_counter NAME: print the last value of "counter NAME V" in vtepd's log (vtepd prints
# its counters at exit and on SIGUSR1).
vtepd_counter() {
	awk -v n="$1" '$1 == "counter" && $2 == n { v = $3 } END { if (v != "") print v }' \
		"$E2E_VTEPD_LOG"
}

# vtepd_seed_args: set the array E2E_VTEPD_ARGS to the seed's vtepd command line for h2: two
# lcores (control + one worker), no hugepages, eth0 through net_af_packet, the tap vtep0 as the
# inner port; "group 239.1.1.1" or, with E2E_FLOOD=her, "remote" h1 and h3.
vtepd_seed_args() {
	local flood
	if [[ $E2E_FLOOD == her ]]; then
		flood=(remote "$E2E_H1_IP" remote "$E2E_H3_IP")
	else
		flood=(group "$E2E_GROUP")
	fi
	# shellcheck disable=SC2054 # "-l 0,1" is one EAL argument
	E2E_VTEPD_ARGS=(-l 0,1 --no-huge -m 512 --no-pci --file-prefix="$E2E_VTEPD_PREFIX"
		--log-level=lib.eal:warning
		--vdev=net_af_packet0,iface=eth0 --vdev=net_tap0,iface=vtep0 --
		dev net_af_packet0 local "$E2E_H2_IP/24" id "$E2E_VNI" dstport 4789 "${flood[@]}"
		inner net_tap0)
}

# vtepd_up [ARGS...]: start vtepd with ARGS (default: vtepd_seed_args), wait (up to E2E_WAIT s)
# for vtep0 and vtepd's "running" line, give vtep0 10.0.0.2/24 and bring it up (the tap is new
# at every start). 1 on failure, at once if vtepd exits.
vtepd_up() {
	if [[ $# -eq 0 ]]; then
		vtepd_seed_args
		set -- "${E2E_VTEPD_ARGS[@]}"
	fi
	local runs
	# vtep0 appears when EAL probes the tap, before vtepd has set its MAC and MTU: wait for
	# vtepd's "running" line (printed once every port is set up) of this start.
	runs=$(grep -c '^vtepd: running' "$E2E_VTEPD_LOG" 2>/dev/null) || runs=0
	vtepd_start "$@" || return 1
	wait_for "(( \$(grep -c '^vtepd: running' '$E2E_VTEPD_LOG') > $runs )) || ! kill -0 $E2E_VTEPD_PID" \
		"$E2E_WAIT"
	vtepd_gone && return 1
	(($(grep -c '^vtepd: running' "$E2E_VTEPD_LOG") > runs)) ||
		{ e2e_log "vtepd did not report running"; return 1; }
	vtepd_wait_iface vtep0 "$E2E_WAIT" || { e2e_log "vtep0 did not appear"; return 1; }
	ns_exec "$E2E_NS_H2" ip addr add "$E2E_H2_OVERLAY/24" dev vtep0 || return 1
	ns_exec "$E2E_NS_H2" ip link set vtep0 up || return 1
}

# vtepd_begin NAME: vtepd_up with the seed's arguments; PASS NAME and VTEP0_MAC set to vtep0's
# MAC, or FAIL NAME and exit 1 (every later check needs vtepd).
vtepd_begin() {
	vtepd_up || e2e_abort "$1"
	pass "$1"
	VTEP0_MAC=$(e2e_mac "$E2E_NS_H2" vtep0)
}

# vtepd_stop_check NAME: vtepd_stop, then check NAME: vtepd's exit status was 0.
vtepd_stop_check() {
	vtepd_stop
	check "$1" test "$E2E_VTEPD_RC" = 0
}

# vtepd_dump: SIGUSR1 to vtepd, wait (up to E2E_WAIT s) until the whole printout (counters, then
# the FDB, then a line "end") is in the log, and copy it to a file of its own, named in
# E2E_VTEPD_DUMP. 1 on timeout.
vtepd_dump() {
	local before deadline=$((SECONDS + E2E_WAIT))
	[[ -n "$E2E_VTEPD_PID" ]] || return 1
	before=$(stat -c %s "$E2E_VTEPD_LOG")
	E2E_VTEPD_DUMPS=$((E2E_VTEPD_DUMPS + 1))
	E2E_VTEPD_DUMP=$(e2e_log_dir)/dump.$E2E_VTEPD_DUMPS
	kill -USR1 "$E2E_VTEPD_PID" || return 1
	until tail -c +$((before + 1)) "$E2E_VTEPD_LOG" | grep -q '^end$'; do
		if ((SECONDS >= deadline)); then
			e2e_log "vtepd printed no report within $E2E_WAIT s of SIGUSR1"
			return 1
		fi
		sleep 0.1
	done
	tail -c +$((before + 1)) "$E2E_VTEPD_LOG" | sed '/^end$/q' | grep -E '^(counter|fdb) ' \
		>"$E2E_VTEPD_DUMP"
}

# vtepd_dump_counter NAME: print counter NAME of the last vtepd_dump (nothing if absent).
vtepd_dump_counter() {
	awk -v n="$1" '$1 == "counter" && $2 == n { print $3 }' "$E2E_VTEPD_DUMP"
}

# vtepd_fdb_has MAC DST KIND: the last vtepd_dump has "fdb VNI MAC dst DST KIND" (KIND is
# learned or static).
vtepd_fdb_has() {
	grep -qi "^fdb $E2E_VNI $1 dst $2 $3\$" "$E2E_VTEPD_DUMP"
}

# check_fdbs: the FDBs on both sides after the first pings: h1's and h3's kernel learned vtep0's
# MAC (VTEP0_MAC) behind h2's address, and vtepd (a vtepd_dump) their vxlan0 MACs (H1_MAC,
# H3_MAC, set here) behind theirs.
check_fdbs() {
	H1_MAC=$(e2e_mac "$E2E_NS_H1" vxlan0)
	H3_MAC=$(e2e_mac "$E2E_NS_H3" vxlan0)
	check "h1 learned vtepd's inner MAC $VTEP0_MAC dst $E2E_H2_IP" \
		e2e_fdb_has "$E2E_NS_H1" "$VTEP0_MAC" "$E2E_H2_IP"
	check "h3 learned vtepd's inner MAC $VTEP0_MAC dst $E2E_H2_IP" \
		e2e_fdb_has "$E2E_NS_H3" "$VTEP0_MAC" "$E2E_H2_IP"
	vtepd_dump || fail "vtepd prints its counters and FDB on SIGUSR1"
	check "vtepd learned h1's $H1_MAC dst $E2E_H1_IP" vtepd_fdb_has "$H1_MAC" "$E2E_H1_IP" learned
	check "vtepd learned h3's $H3_MAC dst $E2E_H3_IP" vtepd_fdb_has "$H3_MAC" "$E2E_H3_IP" learned
}
