"""A throwaway PostgreSQL cluster on 127.0.0.1 (initdb + pg_ctl in a temp dir).

Run as root, the server runs as the `postgres` user (runuser); otherwise as
the current user. Settings are PostgreSQL's defaults apart from where it
listens, so durability (fsync, synchronous_commit) is as shipped.
"""
import os
import re
import shutil
import sys
import time

from .procs import BenchError, RssPoller, children, free_port, run_timed, tree_cpu_secs

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                "e2e"))
# tests/e2e/pg_server.py
from pg_server import as_server_user, bindir, missing_reason  # noqa: E402,F401

USER = "bench"


class Postgres:
    """Starts on construction; stop() ends it. Not thread-safe."""

    def __init__(self, root, settings=(), name="pg"):
        """settings: extra "key=value" server settings (e.g. wal_level=logical)."""
        self.bin = bindir()
        self.dir = os.path.join(root, name)
        os.makedirs(self.dir)
        self.as_user = as_server_user(self.dir)
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        run_timed(self.as_user + [self._b("initdb"), "-D", self.data, "-U", USER, "-A", "trust",
                                  "--no-sync"], timeout=120)
        opts = "-c listen_addresses=127.0.0.1 -p %d -k %s" % (self.port, self.dir)
        opts += "".join(" -c " + kv for kv in settings)
        run_timed(self.as_user + [self._b("pg_ctl"), "-D", self.data, "-l",
                                  os.path.join(self.dir, "server.log"), "-w", "-t", "60",
                                  "-o", opts, "start"], timeout=90)

    def _b(self, name):
        return os.path.join(self.bin, name)

    def _conn_args(self):
        return ["-h", "127.0.0.1", "-p", str(self.port), "-U", USER]

    def dsn(self):
        """libpq keywords of this server (trust authentication: no password)."""
        return "host=127.0.0.1 port=%d dbname=postgres user=%s" % (self.port, USER)

    def psql_cmd(self, *args):
        return [self._b("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"] + self._conn_args() + \
            ["-d", "postgres"] + list(args)

    def postmaster_pid(self):
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            return int(f.readline())

    def version(self):
        return run_timed([self._b("postgres"), "--version"], timeout=10).out.strip()

    def psql(self, sql, timeout):
        """Runs sql (one statement) in its own session; returns (Timed, peak
        RSS KiB of the largest server process while it ran). Timed.cpu is
        the CPU of the server's processes and of psql."""
        pid = self.postmaster_pid()
        cpu0, n0 = tree_cpu_secs(pid), len(children(pid))
        with RssPoller(pid) as rss:
            t = run_timed([self._b("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"] +
                          self._conn_args() + ["-d", "postgres", "-c", sql], timeout=timeout)
        settle(pid, n0)
        t.cpu += tree_cpu_secs(pid) - cpu0
        return t, rss.peak_kb

    def pgbench(self, script, clients, secs, sample=1.0):
        """Runs a custom pgbench script with prepared statements; returns
        (tps, latencies in µs of a `sample` fraction of the transactions,
        peak server RSS KiB, server CPU seconds). Logging every transaction costs pgbench about
        a third of its rate at tens of thousands per second: sample there."""
        path = os.path.join(self.dir, "script.sql")
        with open(path, "w") as f:
            f.write(script)
        logdir = os.path.join(self.dir, "pgbench-log")
        shutil.rmtree(logdir, ignore_errors=True)
        os.makedirs(logdir)
        cmd = [self._b("pgbench"), "-n", "-M", "prepared", "-c", str(clients), "-j", str(clients),
               "-T", str(secs), "-f", path, "-l", "--log-prefix", os.path.join(logdir, "tx")]
        if sample < 1.0:
            cmd += ["--sampling-rate", str(sample)]
        pid = self.postmaster_pid()
        cpu0, n0 = tree_cpu_secs(pid), len(children(pid))
        with RssPoller(pid) as rss:
            t = run_timed(cmd + self._conn_args() + ["postgres"], timeout=secs + 60)
        settle(pid, n0)
        cpu = tree_cpu_secs(pid) - cpu0
        m = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", t.out)
        failed = re.search(r"number of failed transactions: (\d+)", t.out)
        if not m or (failed and int(failed.group(1)) > 0):
            raise BenchError("pgbench failed:\n" + t.out + t.err)
        return float(m.group(1)), read_latencies(logdir), rss.peak_kb, cpu

    def stop(self):
        run_timed(self.as_user + [self._b("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop"],
                  timeout=60, check=False)


def settle(pid, count, timeout=5.0):
    """Waits until the postmaster is back to `count` children: the backends
    of the finished session have exited and been reaped, so their CPU is in
    the postmaster's totals (a backend that has exited but is not yet reaped
    counts nowhere)."""
    deadline = time.monotonic() + timeout
    while len(children(pid)) > count and time.monotonic() < deadline:
        time.sleep(0.01)


def read_latencies(logdir):
    """Per-transaction latencies (µs) from pgbench -l files: third column."""
    lat = []
    for name in os.listdir(logdir):
        with open(os.path.join(logdir, name)) as f:
            for line in f:
                lat.append(int(line.split()[2]))
    return lat
