#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# vtep-flannel's refusals (docs/flannel.md): each gives one clear message and a non-zero exit,
# and leaves nothing behind: no lease in etcd, no subnet.env, no status socket. A private etcd
# runs in the namespace fl<TAG>-err on loopback (plain on 2379; TLS with client certificates on
# 2381). No vtepd runs here: every refusal but "vtepd is not running" comes before vtep-flannel
# looks for vtepd (the refusals that need a running vtepd, a conflicting lease and a dstport
# mismatch, are in test_flannel.sh). About 5 s.
#
# Run as root: tests/e2e/test_flannel_errors.sh   (VTEP_FLANNEL: the binary; E2E_KEEP_LOGS=1)
set -uo pipefail

# shellcheck source=tests/e2e/flannel_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/flannel_lib.sh"

NS=$FL_NS-err
GOOD='{"Network": "10.244.0.0/16", "Backend": {"Type": "vxlan"}}'

# refused NAME STATUS MESSAGE ARGS...: vtep-flannel ARGS exits with STATUS, prints MESSAGE (a
# fixed string) and leaves no lease, subnet.env or status socket.
refused() {
	local name=$1 status=$2 msg=$3 out rc
	shift 3
	out=$(ns_exec "$NS" "$VTEP_FLANNEL" --subnet-file "$LOG/subnet.env" \
		--status-socket "$LOG/status.sock" --file-prefix "fl_err_$$" "$@" 2>&1)
	rc=$?
	echo "=== $name: $* -> $rc: $out" >>"$LOG/commands.log"
	if [[ $rc != "$status" ]]; then
		fail "$name" "exit $rc, want $status: $out"
	elif ! grep -qF -- "$msg" <<<"$out"; then
		fail "$name" "message '$out' lacks '$msg'"
	elif [[ $(wc -l <<<"$out") != 1 ]]; then
		fail "$name" "more than one line: $out"
	elif [[ -e $LOG/subnet.env || -e $LOG/status.sock ]]; then
		fail "$name" "left subnet.env or the status socket"
	elif [[ -n $(fl_etcdctl get --prefix --keys-only /coreos.com/network/subnets/) ]]; then
		fail "$name" "wrote a lease"
	else
		pass "$name: $out"
	fi
}

fl_begin
fl_ns err || e2e_abort "namespace $NS"
fl_tls "$LOG/tls" 127.0.0.1 || e2e_abort "throwaway CA and certificates (openssl)"
fl_etcd_start "$NS" "$LOG/etcd-data" http://127.0.0.1:2379,https://127.0.0.1:2381 \
	--cert-file "$LOG/tls/server.crt" --key-file "$LOG/tls/server.key" \
	--trusted-ca-file "$LOG/tls/ca.crt" --client-cert-auth || e2e_abort "etcd starts in $NS"
PLAIN=(--etcd-endpoints http://127.0.0.1:2379)

# The command line: exit 2, nothing started.
refused "unknown option" 2 "unknown option '--ip-masq'" --ip-masq
refused "endpoint without a scheme" 2 "--etcd-endpoints '127.0.0.1:2379': not an http:// or https:// URL" \
	--etcd-endpoints 127.0.0.1:2379
refused "--subnet with host bits" 2 "--subnet '10.244.1.7/24': host bits set" --subnet 10.244.1.7/24
refused "renew margin above the ttl" 2 "must be shorter than --subnet-lease-ttl (10s)" \
	--subnet-lease-ttl 10 --subnet-lease-renew-margin 20s
refused "unreadable --etcd-cafile" 2 "--etcd-cafile '/nonexistent/ca.crt': No such file or directory" \
	--etcd-cafile /nonexistent/ca.crt

# etcd and the network config: exit 1.
refused "etcd unreachable" 1 "cannot read the network config: etcd at http://127.0.0.1:2399: Failed to connect" \
	--etcd-endpoints http://127.0.0.1:2399
refused "no network config" 1 "no network config at /coreos.com/network/config" "${PLAIN[@]}"
fl_config '{"Network": "10.244.0.0/16", "Backend": {"Type": "vxlan"}'
refused "config that is not JSON" 1 "network config is not JSON" "${PLAIN[@]}"
fl_config '{"Network": "10.244.0.0/16"}'
refused "config without Backend (flannel's udp)" 1 'has no Backend: flannel then uses its "udp" backend' \
	"${PLAIN[@]}"
fl_config '{"Network": "10.244.0.0/16", "Backend": {"Type": "host-gw"}}'
refused "Backend.Type host-gw" 1 'Backend.Type is "host-gw": vtepd is a VXLAN endpoint' "${PLAIN[@]}"
fl_config '{"Network": "10.244.0.0/16", "Backend": {"Type": "vxlan", "DirectRouting": true}}'
refused "DirectRouting" 1 "Backend.DirectRouting is not supported" "${PLAIN[@]}"
fl_config '{"Network": "10.244.0.0/29", "Backend": {"Type": "vxlan"}}'
refused "a network too small" 1 "Network /29 is too small" "${PLAIN[@]}"

# A good config, but no vtepd with that --file-prefix.
fl_config "$GOOD"
refused "vtepd not running" 1 "vtepd is not running (file-prefix 'fl_err_$$')" "${PLAIN[@]}"
refused "--subnet outside the network" 1 "--subnet 10.9.1.0/24 is not a /24 inside the network's 10.244.0.0/16" \
	"${PLAIN[@]}" --subnet 10.9.1.0/24

# TLS: a client certificate is required; the right one reads the config, none is refused.
TLS=(--etcd-endpoints https://127.0.0.1:2381 --etcd-cafile "$LOG/tls/ca.crt")
out=$(ns_exec "$NS" "$VTEP_FLANNEL" "${TLS[@]}" --etcd-certfile "$LOG/tls/client.crt" \
	--etcd-keyfile "$LOG/tls/client.key" --vtepd-words 2>&1)
if [[ $out == "dstport 8472 id 1 nolearning" ]]; then
	pass "TLS with --etcd-cafile/--etcd-certfile/--etcd-keyfile reads the config"
else
	fail "TLS with --etcd-cafile/--etcd-certfile/--etcd-keyfile reads the config" "$out"
fi
refused "TLS without a client certificate" 1 "(no --etcd-certfile given: does etcd want a client certificate?)" \
	"${TLS[@]}"
refused "TLS without the CA" 1 "SSL certificate problem" --etcd-endpoints https://127.0.0.1:2381 \
	--etcd-certfile "$LOG/tls/client.crt" --etcd-keyfile "$LOG/tls/client.key"

summary
