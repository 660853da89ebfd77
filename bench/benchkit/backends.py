"""sluice on its other storage backends, beside LevelDB: RocksDB as log and
cache (ingest, cache build, GET by key) and NATS JetStream as the log
(ingest, on a 3-node cluster with 3 replicas and on one node with one).

A backend that cannot run here (plugin not built, nats-server absent,
left out with --skip) still gets its rows, reading "not run: <why>"."""
import os
import sys
import time

from .procs import BenchError, Server, cpu_secs, vm_hwm_kb
from .report import mb
from .sluice import Home

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "nats"))
import cluster as nats_cluster  # noqa: E402  (tests/nats/cluster.py)

ROCKSDB = "{ plugin: rocksdb }"
NATS_LOG = ('{ log: { plugin: nats, options: { servers: "%s", replicas: %d } }, '
            'cache: leveldb }')
# (label, nodes = replicas) of the JetStream ingest rows
NATS_SETUPS = [("3-node cluster, replicas 3, 127.0.0.1", 3), ("1 node, replicas 1, 127.0.0.1", 1)]


def plugin_path(sluice, name):
    """Where the host finds plugin `name` by default: beside the binary."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(sluice))), "lib",
                        "sluice", "plugins", name + ".so")


def missing(sluice):
    """Backend name ("rocksdb", "nats") -> why it cannot run here."""
    out = {}
    rocks = plugin_path(sluice, "storage_rocksdb")
    if not os.path.exists(rocks):
        out["rocksdb"] = "the rocksdb storage plugin is not built (%s)" % rocks
    nats = plugin_path(sluice, "log_nats")
    if not os.path.exists(nats):
        out["nats"] = "the nats log plugin is not built (%s; it needs libnats-dev)" % nats
    elif nats_cluster.find_nats_server() is None:
        out["nats"] = "nats-server is not installed (package nats-server)"
    return out


def not_run(t, name, why):
    t.row(name, "not run: " + why, *["-"] * (len(t.header) - 2))


class NatsNodes:
    """Fresh JetStream servers under root, with their CPU and peak RSS: a
    cluster of `nodes` nats-server processes (tests/nats/cluster.py), or
    for 1 a standalone server (a 1-node cluster would wait for peers). Use
    in a `with` block: the servers are stopped on leaving it."""

    def __init__(self, root, nodes):
        self.root, self.nodes = root, nodes
        self.cluster = nats_cluster.Cluster(root, nodes=nodes, name="sluice-bench")
        self.single = None  # the standalone Server when nodes == 1

    def __enter__(self):
        try:
            if self.nodes == 1:
                self._start_single()
            else:
                self.cluster.start()
                self.cluster.wait_ready()
        except (OSError, TimeoutError, BenchError) as e:
            self.__exit__()
            raise BenchError("nats-server in %s did not start: %s" % (self.root, e))
        return self

    def _start_single(self):
        client, http = nats_cluster.free_ports(2)
        os.makedirs(self.root, exist_ok=True)
        self.single = Server([nats_cluster.find_nats_server(), "-js", "-a", "127.0.0.1",
                              "-p", str(client), "-m", str(http), "-sd", self.root,
                              "-l", os.path.join(self.root, "nats.log")])
        self._urls = "nats://127.0.0.1:%d" % client
        _wait_healthy(http, self.single)

    def __exit__(self, *exc):
        if self.single:
            self.single.stop()
        else:
            self.cluster.stop()

    def urls(self):
        return self._urls if self.single else self.cluster.urls()

    def pids(self):
        if self.single:
            return [self.single.proc.pid]
        return [n["pid"] for n in self.cluster.state["nodes"]]

    def cpu(self):
        """CPU seconds used so far by every server."""
        return sum(cpu_secs(p) for p in self.pids())

    def peak_rss_kb(self):
        """The largest peak RSS among the servers."""
        return max(vm_hwm_kb(p) for p in self.pids())


def _wait_healthy(http_port, srv, timeout=30):
    """Waits until the server's monitoring port reports JetStream healthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and srv.proc.poll() is None:
        if nats_cluster.jetstream_healthy(http_port):
            return
        time.sleep(0.05)
    raise BenchError("not healthy after %ds (exit %s): monitoring port %d" %
                     (timeout, srv.proc.poll(), http_port))


def ingest_rows(ctx, t, row):
    """Table 1: RocksDB and JetStream rows. row(name, secs, cpu, rss_cell)
    adds one with ratios to sluice on LevelDB."""
    name = "sluice app run --once, RocksDB log"
    if "rocksdb" in ctx.skip:
        not_run(t, name, ctx.skip["rocksdb"])
    else:
        home = ctx.rocks_home = Home(ctx.sluice, os.path.join(ctx.run_dir, "sluice-rocksdb"),
                                     ctx.data_dir, storage=ROCKSDB)
        home.migrate()
        s = home.ingest(timeout=ctx.timeout, rows=ctx.rows)
        row(name, s.secs, s.cpu, mb(s.maxrss_kb))
    for label, nodes in NATS_SETUPS:
        name = "sluice app run --once, NATS JetStream log (%s)" % label
        if "nats" in ctx.skip:
            not_run(t, name, ctx.skip["nats"])
            continue
        secs, cpu, rss, nats_rss = nats_ingest(ctx, nodes)
        row(name, secs, cpu, "%s (nats-server %s)" % (mb(rss), mb(nats_rss)))
    t.note("RocksDB: `storage: { plugin: rocksdb }` with its default options (log and cache in "
           "RocksDB, cache compressed with LZ4); LevelDB: `storage: { plugin: leveldb }`")
    t.note("JetStream: `storage: { log: { plugin: nats, options: { servers, replicas } }, cache: "
           "leveldb }` on nats-server nodes started for the row (the cluster by "
           "tests/nats/cluster.py); its CPU includes every nats-server's, its peak RSS is "
           "sluice's and, in brackets, the largest nats-server's")


def nats_ingest(ctx, nodes):
    """`app run --once` into a JetStream log on a new cluster of `nodes`
    nodes with as many replicas. Returns (seconds, CPU seconds of sluice and
    the nodes, sluice's peak RSS KiB, largest node peak RSS KiB)."""
    root = os.path.join(ctx.run_dir, "nats-%d" % nodes)
    with NatsNodes(os.path.join(root, "cluster"), nodes) as c:
        home = Home(ctx.sluice, os.path.join(root, "sluice"), ctx.data_dir,
                    storage=NATS_LOG % (c.urls(), nodes))
        home.migrate()
        cpu0 = c.cpu()
        s = home.ingest(timeout=ctx.timeout, rows=ctx.rows)
        return s.secs, s.cpu + c.cpu() - cpu0, s.maxrss_kb, c.peak_rss_kb()
