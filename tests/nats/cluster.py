#!/usr/bin/env python3
"""A throwaway NATS JetStream cluster on 127.0.0.1 for tests.

Every node is a nats-server process with its own client, route and
monitoring ports (free ports picked at start) and its own store directory
under ROOT. The state (ports, pids) is kept in ROOT/cluster.json so that
separate commands can stop and restart nodes.

As a module:
    c = Cluster(root, nodes=3); c.start(); c.wait_ready()
    c.stop_node(0); c.start_node(0); c.stop()
From the command line (prints the client URLs on `up`):
    cluster.py up ROOT [--nodes N]
    cluster.py stop-node ROOT I | start-node ROOT I | wait ROOT | down ROOT
Exit status 77 when nats-server is not installed (tests treat it as skip).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

SKIP = 77


def jetstream_healthy(http_port):
    """True when the node whose monitoring port is `http_port` reports
    JetStream healthy (also used by bench/benchkit/backends.py)."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % http_port, timeout=1) as r:
            return json.load(r).get("status") == "ok"
    except OSError:
        return False


def find_nats_server():
    """Path of nats-server, or None. Debian installs it in /usr/sbin."""
    return shutil.which("nats-server") or shutil.which("nats-server", path="/usr/sbin:/usr/local/sbin")


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


class Cluster:
    def __init__(self, root, nodes=3, name="sluice-test"):
        self.root = os.path.abspath(root)
        self.state_file = os.path.join(self.root, "cluster.json")
        self._procs = {}  # pid -> Popen, for nodes this object started
        if os.path.exists(self.state_file):
            with open(self.state_file) as f:
                self.state = json.load(f)
        else:
            ports = free_ports(3 * nodes)
            self.state = {"name": name, "nodes": [
                {"client": ports[3 * i], "route": ports[3 * i + 1], "http": ports[3 * i + 2], "pid": 0}
                for i in range(nodes)]}

    def urls(self):
        return ",".join("nats://127.0.0.1:%d" % n["client"] for n in self.state["nodes"])

    def _save(self):
        os.makedirs(self.root, exist_ok=True)
        with open(self.state_file, "w") as f:
            json.dump(self.state, f, indent=1)

    def _command(self, i):
        nodes = self.state["nodes"]
        routes = ",".join("nats://127.0.0.1:%d" % n["route"] for j, n in enumerate(nodes) if j != i)
        node = nodes[i]
        return [find_nats_server(), "-js", "-a", "127.0.0.1", "-p", str(node["client"]),
                "-m", str(node["http"]), "-n", "n%d" % i, "-sd", os.path.join(self.root, "n%d" % i),
                "--cluster_name", self.state["name"],
                "--cluster", "nats://127.0.0.1:%d" % node["route"], "--routes", routes,
                "-l", os.path.join(self.root, "n%d.log" % i)]

    def start(self):
        if find_nats_server() is None:
            raise FileNotFoundError("nats-server is not installed (apt-get install nats-server)")
        os.makedirs(self.root, exist_ok=True)
        for i in range(len(self.state["nodes"])):
            self.start_node(i)

    def start_node(self, i):
        proc = subprocess.Popen(self._command(i), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        self._procs[proc.pid] = proc
        self.state["nodes"][i]["pid"] = proc.pid
        self._save()

    def stop_node(self, i, timeout=10):
        pid = self.state["nodes"][i]["pid"]
        if pid:
            _terminate(pid, timeout)
            proc = self._procs.pop(pid, None)
            if proc is not None:
                proc.wait()
        self.state["nodes"][i]["pid"] = 0
        self._save()

    def stop(self):
        for i in range(len(self.state["nodes"])):
            self.stop_node(i)

    def wait_ready(self, timeout=30):
        """Waits until every running node reports JetStream healthy."""
        deadline = time.time() + timeout
        for node in self.state["nodes"]:
            if not node["pid"]:
                continue
            while not jetstream_healthy(node["http"]):
                if time.time() > deadline:
                    raise TimeoutError("node on port %d not healthy after %ds (log: %s)" %
                                       (node["client"], timeout, self.root))
                time.sleep(0.1)


    def stream_leader(self, prefix):
        """Index of the node leading the first stream whose name starts with
        `prefix`, as a running node's monitoring endpoint reports it; None if
        no such stream has a leader yet."""
        for node in self.state["nodes"]:
            if not node["pid"]:
                continue
            url = "http://127.0.0.1:%d/jsz?streams=true" % node["http"]
            try:
                with urllib.request.urlopen(url, timeout=1) as r:
                    jsz = json.load(r)
            except OSError:
                continue
            for account in jsz.get("account_details", []):
                for stream in account.get("stream_detail", []):
                    leader = stream.get("cluster", {}).get("leader")
                    if stream.get("name", "").startswith(prefix) and leader:
                        return int(leader[1:])  # nodes are named n0, n1, ...
        return None


def _terminate(pid, timeout):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return
        except ChildProcessError:  # not our child (started by another command)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def main(argv):
    p = argparse.ArgumentParser(description="local NATS JetStream cluster for tests")
    p.add_argument("command", choices=["up", "down", "stop-node", "start-node", "wait"])
    p.add_argument("root")
    p.add_argument("node", nargs="?", type=int)
    p.add_argument("--nodes", type=int, default=3)
    a = p.parse_args(argv)
    if find_nats_server() is None:
        print("nats-server is not installed", file=sys.stderr)
        return SKIP
    c = Cluster(a.root, nodes=a.nodes)
    if a.command == "up":
        c.start()
        c.wait_ready()
        print(c.urls())
    elif a.command == "down":
        c.stop()
    elif a.command == "wait":
        c.wait_ready()
    elif a.node is None or not 0 <= a.node < len(c.state["nodes"]):
        p.error("%s needs a node number from 0 to %d" % (a.command, len(c.state["nodes"]) - 1))
    elif a.command == "stop-node":
        c.stop_node(a.node)
    else:
        c.start_node(a.node)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
