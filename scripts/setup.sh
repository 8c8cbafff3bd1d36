#!/usr/bin/env bash
# Install what vtepd needs to build and test on Debian 12 (run as root). Idempotent.
set -euo pipefail

pkgs=(
	build-essential meson ninja-build pkg-config
	libdpdk-dev dpdk dpdk-dev libnuma-dev libpcap-dev
	iproute2 ethtool tcpdump tshark iperf3 nftables python3-scapy iputils-ping
	clang libclang-rt-14-dev shellcheck libbpf-dev
	libcurl4-openssl-dev libjson-c-dev etcd-server etcd-client openssl
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# tshark asks whether non-root users may capture; the answer does not matter here.
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
