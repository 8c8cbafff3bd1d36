# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Shared functions of the flannel tests (test_flannel.sh, test_flannel_errors.sh): a private etcd
# in a namespace, background processes stopped by PID, kernel flannel hosts (the stand-in
# tests/e2e/flannel_standin.py, since flannel is not packaged in Debian), containers on a cni0
# bridge. Result lines, waiting and logs come from lib.sh. Namespaces are named fl<TAG>-*
# (E2E_NS_TAG), and are removed, with everything started, by fl_down in an EXIT trap.
#
#   . "$(dirname "$0")/flannel_lib.sh"
#   fl_begin          (root, trap, LOG)
#   ...
#   summary

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly FL_NS=fl${E2E_NS_TAG:-}
readonly FL_SW=$FL_NS-sw
readonly FL_STANDIN=$E2E_ROOT/tests/e2e/flannel_standin.py
: "${VTEP_FLANNEL:=$E2E_ROOT/build/app/vtep-flannel/vtep-flannel}"
: "${VTEPCTL:=$E2E_ROOT/build/app/vtepctl/vtepctl}"

FL_NAMESPACES=()
FL_PIDS=()
FL_ETCD_PID=""
FL_ETCD_ARGS=()
FL_ETCD_URL=""
FL_BG_PID=""
FL_PREFIXES=()

# fl_begin: root and tools, fl_down on exit, LOG set.
fl_begin() {
	e2e_require_root
	local t
	for t in etcd etcdctl openssl /usr/bin/python3; do
		command -v "$t" >/dev/null || { e2e_log "missing tool: $t"; exit 1; }
	done
	for t in "$VTEP_FLANNEL" "$VTEPCTL"; do
		[[ -x $t ]] || { e2e_log "no binary $t (build first)"; exit 1; }
	done
	trap fl_down EXIT
	trap 'exit 130' INT TERM
	# shellcheck disable=SC2034 # for the tests
	LOG=$(e2e_log_dir)
}

# fl_ns NAME: a fresh namespace fl<TAG>-NAME (IPv6 off, lo up), removed by fl_down.
fl_ns() {
	local ns=$FL_NS-$1
	ip netns del "$ns" 2>/dev/null || true
	FL_NAMESPACES+=("$ns")
	e2e_ns_new "$ns"
}

# fl_bg NS LOG CMD...: run CMD in namespace NS in the background (output to LOG); PID in
# FL_BG_PID, stopped by fl_down. Not for $(...).
fl_bg() {
	local ns=$1 log=$2
	shift 2
	# ip netns exec execs the command: $! is its own PID.
	ip netns exec "$ns" "$@" </dev/null >>"$log" 2>&1 &
	FL_BG_PID=$!
	FL_PIDS+=("$FL_BG_PID")
}

# fl_stop PID [TIMEOUT]: SIGTERM, wait up to TIMEOUT (5) s, then SIGKILL. Returns the exit status.
fl_stop() {
	local pid=$1 timeout=${2:-5} i
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return $?; }
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < timeout * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		e2e_log "pid $pid ignored SIGTERM for ${timeout}s: SIGKILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
}

# fl_down: stop every process started here (last first), delete the namespaces, keep or remove
# the logs as lib.sh's topo_down does. Idempotent, safe in a trap.
fl_down() {
	local i pid ns p
	for ((i = ${#FL_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${FL_PIDS[i]}
		if kill -0 "$pid" 2>/dev/null; then
			kill -CONT "$pid" 2>/dev/null
			fl_stop "$pid" 5 >/dev/null 2>&1
		fi
	done
	FL_PIDS=()
	for ns in "${FL_NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	FL_NAMESPACES=()
	for p in "${FL_PREFIXES[@]}"; do
		rm -rf "/var/run/dpdk/$p"
	done
	if [[ $E2E_LOG_DIR_MADE -eq 1 && $E2E_FAILED -eq 0 && $E2E_KEEP_LOGS != 1 ]]; then
		rm -rf "$E2E_LOG_DIR"
		E2E_LOG_DIR_MADE=0
	elif [[ -n "${E2E_LOG_DIR:-}" && -d "$E2E_LOG_DIR" ]]; then
		e2e_log "logs kept in $E2E_LOG_DIR"
	fi
}

# fl_etcd_start NS DATADIR CLIENT_URLS [ETCD ARGS...]: a private etcd (one member, peer port on
# the namespace's loopback); waits until it answers (15 s). FL_ETCD_URL is the first client URL.
fl_etcd_start() {
	local ns=$1 dir=$2 urls=$3
	shift 3
	FL_ETCD_URL=${urls%%,*}
	FL_ETCD_NS=$ns
	FL_ETCD_ARGS=(etcd --name fl --data-dir "$dir" --listen-client-urls "$urls"
		--advertise-client-urls "$FL_ETCD_URL" --listen-peer-urls http://127.0.0.1:2380
		--initial-advertise-peer-urls http://127.0.0.1:2380
		--initial-cluster fl=http://127.0.0.1:2380 --log-level warn "$@")
	fl_etcd_restart
}

# fl_etcd_restart: start the etcd of fl_etcd_start again (same data directory) and wait for it.
fl_etcd_restart() {
	fl_bg "$FL_ETCD_NS" "$LOG/etcd.log" "${FL_ETCD_ARGS[@]}"
	FL_ETCD_PID=$FL_BG_PID
	wait_for "fl_etcdctl endpoint health" 15 || { e2e_log "etcd did not start"; return 1; }
}

# fl_etcd_stop: stop etcd (SIGTERM by PID) and wait for it to exit.
fl_etcd_stop() {
	fl_stop "$FL_ETCD_PID" 10
}

# fl_etcdctl ARGS...: etcdctl (v3 API) against the private etcd, in its namespace.
fl_etcdctl() {
	ETCDCTL_API=3 ns_exec "$FL_ETCD_NS" etcdctl --endpoints "$FL_ETCD_URL" \
		--command-timeout=3s "$@"
}

# fl_config JSON [PREFIX]: write the network config.
fl_config() {
	fl_etcdctl put "${2:-/coreos.com/network}/config" "$1" >/dev/null
}

# fl_underlay_host NAME IP: namespace fl-NAME with eth0 (IP/24, or none if empty) on the
# switch's br0 as sw-NAME, offloads off, IP forwarding on.
fl_underlay_host() {
	local name=$1 ip=$2 ns=$FL_NS-$1
	fl_ns "$name" || return 1
	ip -n "$FL_SW" link add "sw-$name" type veth peer name eth0 netns "$ns" || return 1
	e2e_offloads_off "$FL_SW" "sw-$name" || return 1
	e2e_offloads_off "$ns" eth0 || return 1
	ip -n "$FL_SW" link set "sw-$name" master br0 up || return 1
	if [[ -n $ip ]]; then
		ip -n "$ns" addr add "$ip/24" dev eth0 || return 1
	fi
	ip -n "$ns" link set eth0 up || return 1
	ns_exec "$ns" sysctl -qw net.ipv4.ip_forward=1 || return 1
}

# fl_cni HOST SUBNET_NET COUNT: what the flannel CNI plugin gives a host: cni0 (SUBNET.1/LEN)
# and COUNT containers fl-HOSTa, fl-HOSTb ... on it with SUBNET.2, .3 ..., default route via .1.
# SUBNET_NET is like 10.244.1 (a /24).
fl_cni() {
	local host=$1 net=$2 count=$3 ns=$FL_NS-$1 i c letters=abcdefgh
	ip -n "$ns" link add cni0 type bridge || return 1
	ip -n "$ns" addr add "$net.1/24" dev cni0 || return 1
	ip -n "$ns" link set cni0 up || return 1
	for ((i = 0; i < count; i++)); do
		c=${letters:i:1}
		fl_ns "$host$c" || return 1
		ip -n "$ns" link add "veth$c" type veth peer name eth0 netns "$FL_NS-$host$c" ||
			return 1
		ip -n "$ns" link set "veth$c" master cni0 up || return 1
		ip -n "$FL_NS-$host$c" addr add "$net.$((2 + i))/24" dev eth0 || return 1
		ip -n "$FL_NS-$host$c" link set eth0 up || return 1
		ip -n "$FL_NS-$host$c" route add default via "$net.1" || return 1
	done
}

# fl_standin HOST PUBLIC_IP SUBNET [ARGS...]: the kernel flannel stand-in on HOST (background,
# log HOST-standin.log); waits (20 s) for its "acquired" line. PID in FL_BG_PID.
fl_standin() {
	local host=$1 ip=$2 subnet=$3 log=$LOG/$1-standin.log
	shift 3
	fl_bg "$FL_NS-$host" "$log" /usr/bin/python3 "$FL_STANDIN" --etcd "$FL_ETCD_URL" \
		--public-ip "$ip" --subnet "$subnet" "$@"
	wait_for "grep -q '^standin: acquired' '$log'" 20
}

# fl_status SOCKET [FIELD]: the agent's status JSON from its socket in fl-h2, or one top-level
# field of it (peers: one "subnet public_ip vtep_mac" line each).
fl_status() {
	ns_exec "$FL_NS-h2" /usr/bin/python3 -c 'import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
st = json.loads(s.makefile().read())
if len(sys.argv) < 3:
    print(json.dumps(st))
elif sys.argv[2] == "peers":
    for p in st["peers"]:
        print(p["subnet"], p["public_ip"], p["vtep_mac"])
else:
    print(st[sys.argv[2]])' "$@"
}

# fl_tls DIR IP: a throwaway CA (ca.crt), a server certificate for IP (server.crt/.key) and a
# client certificate (client.crt/.key) in DIR, made with openssl. The server certificate may
# also act as a client: etcd's JSON gateway dials etcd's own TLS port with it when
# --client-cert-auth is on (without clientAuth every gateway call ends "connection closed").
fl_tls() {
	local dir=$1 ip=$2
	mkdir -p "$dir" || return 1
	(
		cd "$dir" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=fl-test-ca \
			-keyout ca.key -out ca.crt &&
			openssl req -newkey rsa:2048 -nodes -subj /CN=etcd -keyout server.key \
				-out server.csr &&
			printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth,clientAuth\n' \
				"$ip" >server.ext &&
			openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
				-days 1 -extfile server.ext -out server.crt &&
			openssl req -newkey rsa:2048 -nodes -subj /CN=vtep-flannel -keyout client.key \
				-out client.csr &&
			printf 'extendedKeyUsage=clientAuth\n' >client.ext &&
			openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
				-days 1 -extfile client.ext -out client.crt
	) >"$dir/openssl.log" 2>&1
}

# fl_ms: milliseconds since the epoch.
fl_ms() {
	date +%s%3N
}
