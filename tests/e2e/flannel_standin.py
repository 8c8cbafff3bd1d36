#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A stand-in for flanneld's vxlan backend on a kernel host (flannel is not packaged in Debian).

It does what flanneld does with the same etcd keys, in the same words (docs/flannel.md):
reads PREFIX/config, makes flannel.<VNI> (`ip link add flannel.1 type vxlan id VNI local
PublicIP dev DEV dstport PORT nolearning`, address <subnet>.0/32, MTU = DEV's - 50), takes its
lease (a transaction that puts PREFIX/subnets/A.B.C.D-LEN only if it does not exist, on an etcd
lease of --ttl seconds; a lease with its own PublicIP is taken back), and for every other vxlan
lease programs, in this order:

    ip neigh replace <S>.0 lladdr VtepMAC dev flannel.1 nud permanent
    bridge fdb replace VtepMAC dev flannel.1 dst PublicIP self permanent
    ip route replace <S>/LEN via <S>.0 dev flannel.1 onlink

and removes the three when the lease goes. Unlike flanneld it polls (every --poll seconds)
instead of watching, and it never renews (tests give it a long --ttl). When etcd cannot be
reached it keeps what it programmed. It prints "acquired KEY at EPOCH" once the lease is
written (the peers are programmed before that, so the host is reachable from then on).
Talks to etcd's v3 JSON gateway with urllib only. Run it in the host's network namespace.
"""
import argparse
import base64
import json
import signal
import subprocess
import sys
import time
import urllib.request


def b64(s):
    return base64.b64encode(s.encode()).decode()


def unb64(s):
    return base64.b64decode(s).decode()


class Etcd:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def call(self, path, body):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=2) as r:
            return json.loads(r.read())

    def range_prefix(self, prefix):
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        r = self.call("/v3/kv/range", {"key": b64(prefix), "range_end": b64(end)})
        return {unb64(kv["key"]): unb64(kv.get("value", "")) for kv in r.get("kvs", [])}

    def get(self, key):
        r = self.call("/v3/kv/range", {"key": b64(key)})
        kvs = r.get("kvs", [])
        return unb64(kvs[0].get("value", "")) if kvs else None

    def acquire(self, key, value, ttl, public_ip):
        lease = self.call("/v3/lease/grant", {"TTL": str(ttl)})["ID"]
        put = {"request_put": {"key": b64(key), "value": b64(value), "lease": lease}}
        r = self.call("/v3/kv/txn", {
            "compare": [{"key": b64(key), "target": "CREATE", "result": "EQUAL",
                         "create_revision": "0"}],
            "success": [put],
            "failure": [{"request_range": {"key": b64(key)}}]})
        if r.get("succeeded"):
            return
        cur = r["responses"][0]["response_range"]["kvs"][0]
        if json.loads(unb64(cur["value"])).get("PublicIP") != public_ip:
            sys.exit(f"standin: {key} is held by another host: {unb64(cur['value'])}")
        self.call("/v3/kv/put", put["request_put"])


def sh(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode != 0:
        print(f"standin: {' '.join(cmd)}: {r.stderr.strip()}", file=sys.stderr)
    return r


class Host:
    def __init__(self, args, net):
        self.args = args
        self.dev = f"flannel.{net['vni']}"
        self.peers = {}  # subnet key -> (PublicIP, VtepMAC)

    def add(self, sub, ip, mac):
        net, plen = sub.split("-")
        sh("ip", "neigh", "replace", net, "lladdr", mac, "dev", self.dev, "nud", "permanent")
        sh("bridge", "fdb", "replace", mac, "dev", self.dev, "dst", ip, "self", "permanent")
        sh("ip", "route", "replace", f"{net}/{plen}", "via", net, "dev", self.dev, "onlink")
        print(f"standin: peer {net}/{plen} added: PublicIP {ip} VtepMAC {mac}", flush=True)

    def remove(self, sub, ip, mac):
        net, plen = sub.split("-")
        sh("ip", "route", "del", f"{net}/{plen}", "dev", self.dev, check=False)
        sh("ip", "neigh", "del", net, "dev", self.dev, check=False)
        sh("bridge", "fdb", "del", mac, "dev", self.dev, "self", check=False)
        print(f"standin: peer {net}/{plen} removed", flush=True)

    def sync(self, leases, own_sub):
        want = {}
        for key, value in leases.items():
            sub = key.rsplit("/", 1)[1]
            try:
                v = json.loads(value)
            except ValueError:
                continue
            if sub == own_sub or v.get("BackendType") != "vxlan":
                continue
            if v.get("PublicIP") == self.args.public_ip:
                continue
            mac = (v.get("BackendData") or {}).get("VtepMAC")
            if mac:
                want[sub] = (v["PublicIP"], mac)
        for sub, (ip, mac) in list(self.peers.items()):
            if want.get(sub) != (ip, mac):
                self.remove(sub, ip, mac)
                del self.peers[sub]
        for sub, (ip, mac) in want.items():
            if sub not in self.peers:
                self.add(sub, ip, mac)
                self.peers[sub] = (ip, mac)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--etcd", required=True)
    p.add_argument("--prefix", default="/coreos.com/network")
    p.add_argument("--public-ip", required=True)
    p.add_argument("--subnet", required=True, help="A.B.C.D/LEN")
    p.add_argument("--dev", default="eth0")
    p.add_argument("--ttl", type=int, default=86400)
    p.add_argument("--poll", type=float, default=0.1)
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    etcd = Etcd(args.etcd)
    cfg = json.loads(etcd.get(args.prefix + "/config"))
    backend = cfg["Backend"]
    net = {"vni": backend.get("VNI", 1), "port": backend.get("Port", 0) or 8472}
    host = Host(args, net)
    mtu = int(open(f"/sys/class/net/{args.dev}/mtu").read()) - 50
    sh("ip", "link", "add", host.dev, "type", "vxlan", "id", str(net["vni"]), "local",
       args.public_ip, "dev", args.dev, "dstport", str(net["port"]), "nolearning")
    sh("ip", "link", "set", host.dev, "mtu", str(mtu))
    mac = open(f"/sys/class/net/{host.dev}/address").read().strip()
    sub_ip, plen = args.subnet.split("/")
    sh("ip", "addr", "add", f"{sub_ip}/32", "dev", host.dev)
    sh("ip", "link", "set", host.dev, "up")
    own_sub = f"{sub_ip}-{plen}"
    key = f"{args.prefix}/subnets/{own_sub}"
    value = json.dumps({"PublicIP": args.public_ip, "PublicIPv6": None, "BackendType": "vxlan",
                        "BackendData": {"VNI": net["vni"], "VtepMAC": mac}},
                       separators=(",", ":"))
    host.sync(etcd.range_prefix(args.prefix + "/subnets/"), own_sub)
    etcd.acquire(key, value, args.ttl, args.public_ip)
    print(f"standin: acquired {key} at {time.time():.3f} VtepMAC {mac}", flush=True)
    while True:
        time.sleep(args.poll)
        try:
            leases = etcd.range_prefix(args.prefix + "/subnets/")
        except OSError:
            continue  # etcd away: keep the peers as they are
        host.sync(leases, own_sub)


if __name__ == "__main__":
    main()
