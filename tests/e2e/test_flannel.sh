#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# flannel node mode (issue 13, docs/flannel.md): a vtepd host joins a flannel vxlan network next
# to kernel hosts, through a real etcd (Debian's etcd-server, private data directory, stopped by
# PID). flannel itself is not packaged in Debian: the kernel hosts run tests/e2e/flannel_standin.py,
# a short script that reads the same leases and programs flannel.1, its neighbors, FDB and routes
# exactly as flannel's vxlan backend does. One PASS/FAIL line per check, "N passed, N failed".
#
#   fl-sw: br0 192.0.2.1/24 (the underlay switch), etcd on http://192.0.2.1:2379 (kernel hosts)
#          and https://198.51.100.1:2379 (vtep-flannel: a throwaway CA, client certificates
#          required, --etcd-cafile/--etcd-certfile/--etcd-keyfile)
#   fl-h1: eth0 192.0.2.11, kernel flannel.1, 10.244.1.0/24; containers fl-h1a .2, fl-h1b .3
#   fl-h2: eth0 owned by vtepd (net_af_packet, local 192.0.2.12), tap flannel.1 (net_tap),
#          vtep-flannel, mgmt0 198.51.100.2/30 to etcd (vtepd owns the underlay port);
#          subnet chosen by the agent; containers fl-h2a, fl-h2b
#   fl-h3: like h1 with 192.0.2.13, 10.244.3.0/24
#   fl-h4: like h1 with 192.0.2.14, 10.244.200.0/24, one container; joins and leaves during the test
#
# Run as root: tests/e2e/test_flannel.sh   (VTEPD, VTEP_FLANNEL, VTEPCTL: binaries; E2E_KEEP_LOGS=1)
set -uo pipefail

# shellcheck source=tests/e2e/flannel_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/flannel_lib.sh"

CONFIG='{"Network": "10.244.0.0/16", "Backend": {"Type": "vxlan"}}'
ETCD_MGMT=https://198.51.100.1:2379
H2=$FL_NS-h2
PREFIX=fl_h2_$$
FL_PREFIXES+=("$PREFIX")
AGENT_PID=""
STATUS=/run/vtep-flannel/$PREFIX.sock

# expect NAME GOT WANT: pass NAME when GOT equals WANT, else fail with both.
expect() {
	if [[ $2 == "$3" ]]; then
		pass "$1"
	else
		fail "$1" "saw '${2//$'\n'/; }', want '${3//$'\n'/; }'"
	fi
}

topology() {
	fl_ns sw || return 1
	ip -n "$FL_SW" link add br0 type bridge || return 1
	ip -n "$FL_SW" addr add 192.0.2.1/24 dev br0 || return 1
	fl_underlay_host h1 192.0.2.11 || return 1
	fl_underlay_host h2 "" || return 1
	fl_underlay_host h3 192.0.2.13 || return 1
	fl_underlay_host h4 192.0.2.14 || return 1
	ip -n "$FL_SW" link set br0 up || return 1
	ip -n "$FL_SW" link add mg-h2 type veth peer name mgmt0 netns "$H2" || return 1
	ip -n "$FL_SW" addr add 198.51.100.1/30 dev mg-h2 || return 1
	ip -n "$FL_SW" link set mg-h2 up || return 1
	ip -n "$H2" addr add 198.51.100.2/30 dev mgmt0 || return 1
	ip -n "$H2" link set mgmt0 up || return 1
}

# agent_start [ARGS...]: vtep-flannel in h2 (log agent.log); waits for its "running" line.
agent_start() {
	local runs
	runs=$(grep -c '^vtep-flannel: running' "$LOG/agent.log" 2>/dev/null) || runs=0
	fl_bg "$H2" "$LOG/agent.log" "$VTEP_FLANNEL" "${ETCD[@]}" \
		--file-prefix "$PREFIX" --subnet-file "$LOG/h2-subnet.env" "$@"
	AGENT_PID=$FL_BG_PID
	wait_for "(( \$(grep -c '^vtep-flannel: running' '$LOG/agent.log') > $runs ))" 20
}

vtepctl() {
	ns_exec "$H2" "$VTEPCTL" --file-prefix "$PREFIX" "$@"
}

# h2_has_peer SUBNET_NET PUBLIC_IP MAC: h2's kernel and vtepd have the three entries flannel
# makes for the peer SUBNET_NET.0/24.
h2_has_peer() {
	ip -n "$H2" route show "$1.0/24" | grep -q "via $1.0 dev flannel.1 onlink" &&
		ip -n "$H2" neigh show "$1.0" dev flannel.1 | grep -qi "lladdr $3 PERMANENT" &&
		vtepctl fdb show vni 1 | grep -qi "^$3 dst $2 vni 1 self permanent"
}

# h2_lacks_peer SUBNET_NET MAC: none of the three left.
h2_lacks_peer() {
	[[ -z $(ip -n "$H2" route show "$1.0/24") ]] &&
		[[ -z $(ip -n "$H2" neigh show "$1.0" dev flannel.1) ]] &&
		! vtepctl fdb show vni 1 | grep -qi "^$2 "
}

# ping_all: every container pings every other one (both directions); prints the failures.
ping_all() {
	local a b bad=""
	for a in "${CONTAINERS[@]}"; do
		for b in "${CONTAINERS[@]}"; do
			[[ $a == "$b" ]] && continue
			ns_exec "$FL_NS-$a" ping -c 1 -W 2 -q "${ADDR[$b]}" >/dev/null 2>&1 ||
				bad+="$a->$b "
		done
	done
	echo "$bad"
	[[ -z $bad ]]
}

# ms_diff LATER EARLIER: LATER - EARLIER (milliseconds).
ms_diff() {
	echo $(($1 - $2))
}

fl_begin
topology || e2e_abort "topology up"
pass "topology: switch, h1..h4, h2's management link"
fl_tls "$LOG/tls" 198.51.100.1 || e2e_abort "throwaway CA and certificates (openssl)"
ETCD=(--etcd-endpoints "$ETCD_MGMT" --etcd-cafile "$LOG/tls/ca.crt"
	--etcd-certfile "$LOG/tls/client.crt" --etcd-keyfile "$LOG/tls/client.key")
fl_etcd_start "$FL_SW" "$LOG/etcd-data" "http://192.0.2.1:2379,$ETCD_MGMT" \
	--cert-file "$LOG/tls/server.crt" --key-file "$LOG/tls/server.key" \
	--trusted-ca-file "$LOG/tls/ca.crt" --client-cert-auth || e2e_abort "etcd starts in fl-sw"
fl_config "$CONFIG" || e2e_abort "network config written"
pass "etcd up, network config $CONFIG"

fl_standin h1 192.0.2.11 10.244.1.0/24 || e2e_abort "kernel host h1 joins (stand-in)"
fl_standin h3 192.0.2.13 10.244.3.0/24 || e2e_abort "kernel host h3 joins (stand-in)"
pass "kernel hosts h1 and h3 joined (flannel stand-in)"
H1_MAC=$(e2e_mac "$FL_NS-h1" flannel.1)
H3_MAC=$(e2e_mac "$FL_NS-h3" flannel.1)

# vtepd's words from the network config: Backend.Port 0 is the kernel's 8472, VNI 1.
words=$(ns_exec "$H2" "$VTEP_FLANNEL" "${ETCD[@]}" --vtepd-words)
expect "vtep-flannel --vtepd-words (etcd over TLS with a client certificate)" "$words" \
	"dstport 8472 id 1 nolearning"
# shellcheck disable=SC2206,SC2054 # the words are meant to split; "-l 0,1" is one EAL argument
VTEPD_ARGS=(-l 0,1 --no-huge -m 512 --no-pci --file-prefix="$PREFIX" --log-level=lib.eal:warning
	--vdev=net_af_packet0,iface=eth0 --vdev=net_tap0,iface=flannel.1 --
	dev net_af_packet0 local 192.0.2.12/24 $words inner net_tap0)
fl_bg "$H2" "$LOG/vtepd.log" "$VTEPD" "${VTEPD_ARGS[@]}"
VTEPD_PID=$FL_BG_PID
wait_for "grep -q '^vtepd: running' '$LOG/vtepd.log'" 30 || e2e_abort "vtepd starts in h2"
pass "vtepd runs in h2 with $words, tap flannel.1"

agent_start --subnet-lease-ttl 8 --subnet-lease-renew-margin 4s ||
	e2e_abort "vtep-flannel starts in h2"
pass "vtep-flannel runs in h2 (etcd over TLS: reads, transactions, leases, the watch)"
H2_MAC=$(e2e_mac "$H2" flannel.1)
# shellcheck disable=SC1091
SUBNET=$(. "$LOG/h2-subnet.env" && echo "$FLANNEL_SUBNET")
H2_NET=${SUBNET%.1/24}
check "subnet.env: FLANNEL_SUBNET $SUBNET in 10.244.0.0/16, not h1's or h3's" \
	bash -c "[[ $SUBNET =~ ^10\\.244\\.[0-9]+\\.1/24$ && $H2_NET != 10.244.1 && $H2_NET != 10.244.3 ]]"
expect "subnet.env as flannel writes it" "$(cat "$LOG/h2-subnet.env")" \
	"FLANNEL_NETWORK=10.244.0.0/16
FLANNEL_SUBNET=$SUBNET
FLANNEL_MTU=1450
FLANNEL_IPMASQ=false"
KEY=/coreos.com/network/subnets/$H2_NET.0-24
expect "h2's lease in etcd, as flannel writes one" "$(fl_etcdctl get --print-value-only "$KEY")" \
	"{\"PublicIP\":\"192.0.2.12\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"$H2_MAC\"}}"
check "h2's tap plays flannel.1: $H2_NET.0/32, up, MTU 1450" bash -c \
	"ip -n $H2 -4 addr show flannel.1 | grep -q 'inet $H2_NET.0/32' &&
	 ip -n $H2 link show flannel.1 | grep -q 'mtu 1450 .*state UNKNOWN\|mtu 1450 .*state UP'"
check "h2 has h1's neighbor, FDB entry (vtepd) and onlink route" \
	h2_has_peer 10.244.1 192.0.2.11 "$H1_MAC"
check "h2 has h3's neighbor, FDB entry (vtepd) and onlink route" \
	h2_has_peer 10.244.3 192.0.2.13 "$H3_MAC"
check "vtepd's VNI 1 learns nothing (nolearning)" bash -c \
	"'$VTEPCTL' --file-prefix $PREFIX vni show | grep -q '^vni 1 .* nolearning'"
check "h1 has h2's FDB entry $H2_MAC dst 192.0.2.12 and route" bash -c \
	"ip netns exec $FL_NS-h1 bridge fdb show dev flannel.1 | grep -qi '^$H2_MAC dst 192.0.2.12 self permanent' &&
	 ip -n $FL_NS-h1 route show $H2_NET.0/24 | grep -q 'via $H2_NET.0 dev flannel.1 onlink'"

# Containers, as the flannel CNI plugin would attach them, with addresses from each subnet.
if ! { fl_cni h1 10.244.1 2 && fl_cni h2 "$H2_NET" 2 && fl_cni h3 10.244.3 2 &&
	fl_cni h4 10.244.200 1; }; then
	e2e_abort "containers on cni0"
fi
CONTAINERS=(h1a h1b h2a h2b h3a h3b)
declare -A ADDR=([h1a]=10.244.1.2 [h1b]=10.244.1.3 [h2a]=$H2_NET.2 [h2b]=$H2_NET.3
	[h3a]=10.244.3.2 [h3b]=10.244.3.3)
bad=$(ping_all)
expect "every container pings every other one (30 pairs, both directions)" "$bad" ""

out=$(vtepctl flannel show)
echo "$out" >"$LOG/flannel-show.txt"
check "vtepctl flannel show: own lease, h1 and h3 with PublicIP, VtepMAC, last seen" bash -c \
	"grep -q '^lease $H2_NET.0/24 public-ip 192.0.2.12 vtep-mac $H2_MAC ' '$LOG/flannel-show.txt' &&
	 grep -q '^peer 10.244.1.0/24 public-ip 192.0.2.11 vtep-mac $H1_MAC seen [0-9]*s ago' '$LOG/flannel-show.txt' &&
	 grep -q '^peer 10.244.3.0/24 public-ip 192.0.2.13 vtep-mac $H3_MAC seen [0-9]*s ago' '$LOG/flannel-show.txt'"

# A fourth host joins: its side is ready before its lease is written (the stand-in programs the
# peers first), so the time from the lease to h2a reaching h4a is what the vtepd host takes.
# h2a pings h4a every 50 ms from before the join; ping's own -D timestamps (not the test's
# polling, which a loaded machine slows) give the first answer.
fl_bg "$FL_NS-h2a" "$LOG/ping-h4.txt" ping -D -n -i 0.05 -W 1 -c 200 10.244.200.2
ping_h4=$FL_BG_PID
fl_standin h4 192.0.2.14 10.244.200.0/24 || fail "kernel host h4 joins"
H4_PID=$FL_BG_PID
H4_MAC=$(e2e_mac "$FL_NS-h4" flannel.1)
wait_for "grep -q 'bytes from' '$LOG/ping-h4.txt'" 5
fl_stop "$ping_h4"
t_put=$(awk '/^standin: acquired/ { printf "%.0f", $5 * 1000 }' "$LOG/h4-standin.log")
t_reply=$(awk -F'[][]' '/bytes from/ { printf "%.0f", $2 * 1000; exit }' "$LOG/ping-h4.txt")
if [[ -n $t_put && -n $t_reply ]] && (($(ms_diff "$t_reply" "$t_put") < 1000)); then
	pass "h4 joins: h2a's first answer from h4a $((t_reply - t_put)) ms after h4's lease (< 1 s)"
else
	fail "h4 joins: h2a's first answer from h4a within 1 s of h4's lease" \
		"lease at ${t_put:-?}, first answer at ${t_reply:-none}"
fi
check "h2 has h4's neighbor, FDB entry and route" h2_has_peer 10.244.200 192.0.2.14 "$H4_MAC"
check "h4a pings h2b" ns_exec "$FL_NS-h4a" ping -c 1 -W 2 -q "$H2_NET.3"

# h4 leaves: its lease is deleted (the stand-in is stopped first, so it cannot write it again).
# `ip -ts monitor` in h2 stamps the route's and the neighbor's removal; a marker route shows it
# listens before the lease goes.
fl_stop "$H4_PID"
fl_bg "$H2" "$LOG/monitor-h2.txt" stdbuf -oL ip -ts monitor route neigh
mon=$FL_BG_PID
until_marker() { # a replace that changes nothing tells no one: add and delete each time
	ip -n "$H2" route add 10.255.255.0/24 dev lo
	ip -n "$H2" route del 10.255.255.0/24 dev lo
	grep -q '10.255.255.0/24' "$LOG/monitor-h2.txt"
}
wait_for until_marker 10 || fail "ip monitor listens in h2"
t_del=$(fl_ms)
fl_etcdctl del /coreos.com/network/subnets/10.244.200.0-24 >/dev/null
wait_for "grep -q 'Deleted 10.244.200.0 dev flannel.1' '$LOG/monitor-h2.txt'" 5
fl_stop "$mon"
t_gone=$(awk -F'[][]' '/Deleted 10.244.200.0 dev flannel.1/ { print $2; exit }' "$LOG/monitor-h2.txt")
t_gone=$([[ -n $t_gone ]] && date -d "$t_gone" +%s%3N)
if [[ -n $t_gone ]] && (($(ms_diff "$t_gone" "$t_del") < 1000)) && h2_lacks_peer 10.244.200 "$H4_MAC"; then
	pass "h4 leaves: its route, neighbor and vtepd FDB entry gone from h2, $((t_gone - t_del)) ms after the delete"
else
	fail "h4 leaves: h2's route, neighbor and FDB entry for h4 gone within 1 s" \
		"delete at $t_del, neighbor gone at ${t_gone:-never}"
fi
check "vtepctl flannel show no longer lists h4" bash -c \
	"! '$VTEPCTL' --file-prefix $PREFIX flannel show socket '$STATUS' | grep -q 10.244.200.0"

# ping_summary FILE: "transmitted received" of a finished ping's output.
ping_summary() {
	awk '/packets transmitted/ { print $1, $4 }' "$1"
}

# etcd stops for 10 s while containers ping across the vtepd host both ways, 5 a second.
fl_bg "$FL_NS-h2a" "$LOG/ping-out.txt" ping -i 0.2 -c 100 -W 1 10.244.1.2
ping_out=$FL_BG_PID
fl_bg "$FL_NS-h3b" "$LOG/ping-in.txt" ping -i 0.2 -c 100 -W 1 "$H2_NET.3"
ping_in=$FL_BG_PID
wait_for "grep -q 'bytes from' '$LOG/ping-out.txt' && grep -q 'bytes from' '$LOG/ping-in.txt'" 5 ||
	fail "pings across h2 answered before the outage"
fl_etcd_stop
check "the agent notices etcd is gone" \
	wait_for "[[ \$(fl_status $STATUS etcd) == disconnected ]]" 10
sleep 10 # the outage itself
check "etcd's client port stayed closed for the whole outage" \
	bash -c "! ETCDCTL_API=3 ip netns exec $FL_SW etcdctl --endpoints $FL_ETCD_URL --command-timeout=1s endpoint health"
resyncs=$(fl_status "$STATUS" resyncs)
fl_etcd_restart || fail "etcd starts again"
check "the agent reconnects with back-off and reads everything again" \
	wait_for "[[ \$(fl_status $STATUS etcd) == connected && \$(fl_status $STATUS resyncs) -gt $resyncs ]]" 15
wait "$ping_out"
wait "$ping_in"
expect "no ping h2a -> h1a lost to the etcd outage" "$(ping_summary "$LOG/ping-out.txt")" "100 100"
expect "no ping h3b -> h2b lost to the etcd outage" "$(ping_summary "$LOG/ping-in.txt")" "100 100"
check "after the outage h2 still has h1 and h3" bash -c \
	"$(declare -f h2_has_peer vtepctl ns_exec); H2=$H2 VTEPCTL=$VTEPCTL PREFIX=$PREFIX
	 h2_has_peer 10.244.1 192.0.2.11 $H1_MAC && h2_has_peer 10.244.3 192.0.2.13 $H3_MAC"

# The short-TTL lease (8 s, renewed 4 s before expiry) has been renewed all along, through the
# outage too: the key is still there, on the lease the agent holds now, and it was never lost.
lease_of_key() {
	fl_etcdctl get "$KEY" -w json | /usr/bin/python3 -c \
		'import json, sys; print(json.load(sys.stdin)["kvs"][0]["lease"])'
}
check "short-TTL lease renewed: $(fl_status "$STATUS" renewals) renewals, never lost" bash -c \
	"(( $(fl_status "$STATUS" renewals) >= 2 && $(fl_status "$STATUS" reacquired) == 0 ))"
# (The agent may renew between the two reads: ask again until both say the same.)
check "the key is on the lease the agent holds" \
	wait_for "[[ \$(lease_of_key) == \$(fl_status $STATUS lease) ]]" 10

# A lease lost to expiry: the agent is stopped (SIGSTOP) until etcd expires its lease and deletes
# the key, then continued: it takes the same subnet again, and the peers route to it again.
kill -STOP "$AGENT_PID"
if wait_for "[[ -z \$(fl_etcdctl get --print-value-only $KEY) ]]" 20; then
	pass "h2's lease expires while its agent is stopped"
else
	fail "h2's lease expires while its agent is stopped"
fi
kill -CONT "$AGENT_PID"
check "the lease lost to expiry is acquired again (same subnet)" \
	wait_for "[[ \$(fl_status $STATUS reacquired) == 1 && -n \$(fl_etcdctl get --print-value-only $KEY) ]]" 10
check "h1 routes to h2 again: h1a pings h2a" wait_for \
	"ns_exec $FL_NS-h1a ping -c 1 -W 1 -q $H2_NET.2" 10

# A second agent that asks for h1's subnet: a clear error, and nothing on the host changes.
fdb_before=$(vtepctl fdb show vni 1)
h1_before=$(fl_etcdctl get --print-value-only /coreos.com/network/subnets/10.244.1.0-24)
out=$(ns_exec "$H2" "$VTEP_FLANNEL" "${ETCD[@]}" --file-prefix "$PREFIX" \
	--subnet 10.244.1.0/24 --status-socket "$LOG/second.sock" \
	--subnet-file "$LOG/second.env" 2>&1)
rc=$?
echo "$out" >"$LOG/conflict.txt"
check "conflicting lease: exit 1, 'lease conflict: subnet 10.244.1.0/24 is held by another host (PublicIP 192.0.2.11)'" \
	bash -c "[[ $rc == 1 ]] && grep -q 'lease conflict: subnet 10.244.1.0/24 is held by another host (PublicIP 192.0.2.11)' '$LOG/conflict.txt'"
check "conflicting lease: h1's lease, vtepd's FDB, the tap and subnet.env untouched" bash -c \
	"[[ '$(fl_etcdctl get --print-value-only /coreos.com/network/subnets/10.244.1.0-24)' == '$h1_before' &&
	   '$(vtepctl fdb show vni 1)' == '$fdb_before' && ! -e '$LOG/second.env' ]] &&
	 [[ \$(ip -n $H2 -4 -o addr show flannel.1 | wc -l) == 1 ]]"

# A network whose Backend.Port is not vtepd's dstport: refused before anything is written.
fl_config '{"Network": "10.245.0.0/16", "Backend": {"Type": "vxlan", "Port": 4789}}' /other/net
out=$(ns_exec "$H2" "$VTEP_FLANNEL" "${ETCD[@]}" --file-prefix "$PREFIX" \
	--etcd-prefix /other/net --status-socket "$LOG/third.sock" \
	--subnet-file "$LOG/third.env" 2>&1)
rc=$?
echo "$out" >"$LOG/dstport.txt"
check "Backend.Port 4789 against vtepd's dstport 8472: exit 1, a clear message, no lease" bash -c \
	"[[ $rc == 1 ]] && grep -q \"vtepd's dstport is 8472 but the network's Backend.Port is 4789\" '$LOG/dstport.txt' &&
	 [[ -z \$(ETCDCTL_API=3 ip netns exec $FL_SW etcdctl --endpoints $FL_ETCD_URL get --prefix /other/net/subnets/) ]]"

# The agent restarts: forwarding goes on meanwhile, and it takes back its own lease.
fl_stop "$AGENT_PID"
expect "vtep-flannel exits 0 on SIGTERM" "$?" 0
check "without the agent, h2a still pings h1a" ns_exec "$FL_NS-h2a" ping -c 1 -W 1 -q 10.244.1.2
agent_start --subnet-lease-ttl 60 --subnet-lease-renew-margin 30s --release-on-exit ||
	fail "vtep-flannel starts again"
# shellcheck disable=SC1091
expect "the restarted agent takes back its lease (PublicIP 192.0.2.12)" \
	"$(. "$LOG/h2-subnet.env" && echo "$FLANNEL_SUBNET") $(fl_status "$STATUS" subnet)" \
	"$SUBNET $H2_NET.0/24"

# A partition: h2's packets to etcd are dropped (nftables in fl-sw: no reset, no close, the watch
# just goes silent). The agent notices through its status calls, keeps the host as it is, and
# reads everything again when the partition heals, a lease written meanwhile included. (The
# restarted agent's lease lasts 60 s, longer than the partition.)
ns_exec "$FL_SW" nft -f - <<'NFT'
table inet flpart {
	chain in {
		type filter hook input priority 0;
		ip saddr 198.51.100.2 tcp dport 2379 drop
	}
}
NFT
check "the agent notices a partition from etcd (silent, no reset)" \
	wait_for "[[ \$(fl_status $STATUS etcd) == disconnected ]]" 15
H5_MAC=02:00:00:00:00:15
fl_etcdctl put /coreos.com/network/subnets/10.244.201.0-24 \
	"{\"PublicIP\":\"192.0.2.15\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"$H5_MAC\"}}" \
	>/dev/null
check "during the partition h2a pings h1a and h3b pings h2b" bash -c \
	"ip netns exec $FL_NS-h2a ping -c 3 -i 0.2 -W 1 -q 10.244.1.2 && ip netns exec $FL_NS-h3b ping -c 3 -i 0.2 -W 1 -q $H2_NET.3"
ns_exec "$FL_SW" nft delete table inet flpart
check "the partition heals: the agent reads everything again, the lease written meanwhile is a peer" \
	wait_for "h2_has_peer 10.244.201 192.0.2.15 $H5_MAC && [[ \$(fl_status $STATUS etcd) == connected ]]" 15
fl_etcdctl del /coreos.com/network/subnets/10.244.201.0-24 >/dev/null
check "and its deletion is seen by the new watch" wait_for "h2_lacks_peer 10.244.201 $H5_MAC" 5

# vtepd restarts: a new tap and an empty FDB; the agent programs them again.
fl_stop "$VTEPD_PID" 10
check "the agent notices vtepd is gone" wait_for "[[ \$(fl_status $STATUS vtepd) == disconnected ]]" 10
fl_bg "$H2" "$LOG/vtepd.log" "$VTEPD" "${VTEPD_ARGS[@]}"
VTEPD_PID=$FL_BG_PID
check "the agent programs the restarted vtepd and its new tap" wait_for \
	"h2_has_peer 10.244.1 192.0.2.11 $H1_MAC && h2_has_peer 10.244.3 192.0.2.13 $H3_MAC &&
	 ip -n $H2 -4 addr show flannel.1 | grep -q 'inet $H2_NET.0/32'" 30
check "h2a and h2b ping h1a and h3b again" wait_for \
	"ns_exec $FL_NS-h2a ping -c 1 -W 1 -q 10.244.1.2 && ns_exec $FL_NS-h2b ping -c 1 -W 1 -q 10.244.3.3" 10

# --release-on-exit: the lease is revoked, the peers drop h2, h2 drops what it programmed.
fl_stop "$AGENT_PID"
expect "vtep-flannel --release-on-exit exits 0" "$?" 0
check "released: h2's key is gone from etcd" bash -c \
	"[[ -z \$(ETCDCTL_API=3 ip netns exec $FL_SW etcdctl --endpoints $FL_ETCD_URL get --print-value-only $KEY) ]]"
check "released: h1 drops its route to h2's subnet" wait_for \
	"[[ -z \$(ip -n $FL_NS-h1 route show $H2_NET.0/24) ]]" 5
check "released: h2 has no peer, FDB entry or tap address left" bash -c \
	"$(declare -f h2_lacks_peer vtepctl ns_exec); H2=$H2 VTEPCTL=$VTEPCTL PREFIX=$PREFIX
	 h2_lacks_peer 10.244.1 $H1_MAC && h2_lacks_peer 10.244.3 $H3_MAC &&
	 [[ -z \$(ip -n $H2 -4 addr show flannel.1) ]]"
# Another host takes our subnet while the agent runs (its key overwritten with another PublicIP):
# a clear error, exit 1, and the agent first removes what it programmed (the subnet is not ours).
agent_start --subnet-lease-ttl 60 --subnet-lease-renew-margin 30s || fail "vtep-flannel starts again"
# shellcheck disable=SC1091
KEY=/coreos.com/network/subnets/$(. "$LOG/h2-subnet.env" && echo "${FLANNEL_SUBNET%.1/24}").0-24
fl_etcdctl put "$KEY" \
	'{"PublicIP":"192.0.2.99","PublicIPv6":null,"BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"02:00:00:00:00:99"}}' \
	>/dev/null
wait_for "! kill -0 $AGENT_PID" 10
fl_stop "$AGENT_PID"
expect "a lease taken over at run time: vtep-flannel exits 1" "$?" 1
check "... saying 'lease conflict: ... held by another host (PublicIP 192.0.2.99)'" \
	grep -q "lease conflict: subnet .* is held by another host (PublicIP 192.0.2.99)" "$LOG/agent.log"
check "... after removing its peers, FDB entries and the tap's address" bash -c \
	"$(declare -f h2_lacks_peer vtepctl ns_exec); H2=$H2 VTEPCTL=$VTEPCTL PREFIX=$PREFIX
	 h2_lacks_peer 10.244.1 $H1_MAC && h2_lacks_peer 10.244.3 $H3_MAC &&
	 [[ -z \$(ip -n $H2 -4 addr show flannel.1) ]]"

fl_stop "$VTEPD_PID" 10
expect "vtepd exits 0" "$?" 0

summary
