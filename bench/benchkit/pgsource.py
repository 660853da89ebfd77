"""Tables 9 and 10: the postgres source plugin against PostgreSQL itself, in the
same run: the snapshot of the trips table beside `COPY trips TO STDOUT` (what
the server can send), and how fast changes reach the REST API: commit in
PostgreSQL -> visible in GET /trips/{key} under a steady update rate, and
the highest rate sluice follows. Its own PostgreSQL (logical decoding on),
loaded from the same CSV as table 1."""
import http.client
import json
import os
import re
import subprocess
import threading
import time

from . import baselines as bl
from .backends import not_run, plugin_path
from .pg import Postgres, settle
from .procs import BenchError, Server, children, cpu_secs, run_timed, tree_cpu_secs
from .report import Table, percentile, rate, ratio

CONFIG = """\
home_dir: ./home
storage: {{ plugin: leveldb }}
connections:
  - {{ name: pg, plugin: postgres, options: {{ dsn: "{dsn}" }} }}
endpoints:
  - name: trips
    path: /trips
    connection: pg
    table: public.trips
    index: {{ primary_key: [trip_id] }}
api:
  rest: {{ host: 127.0.0.1, port: 0 }}
"""
LOGICAL = ("wal_level=logical", "max_replication_slots=8", "max_wal_senders=8")
INGESTED = re.compile(r"ingest stopped endpoint=trips rows=(\d+)")
SNAPSHOT_HEADER = ["system", "time", "CPU", "rows/s", "sluice ÷ this: rows/s",
                   "sluice ÷ this: CPU"]
LATENCY_HEADER = ["load", "changes/s", "commit -> GET p50", "p99", "max", "probes",
                  "sluice CPU per 1k changes", "PostgreSQL CPU per 1k changes"]


def missing(sluice, skip):
    """Why table 9 cannot run here, or None."""
    if "postgresql" in skip:
        return skip["postgresql"]
    so = plugin_path(sluice, "source_postgres")
    if not os.path.exists(so):
        return "the postgres source plugin is not built (%s; it needs libpq-dev)" % so
    return None


def run(ctx, smoke):
    """Tables 9 and 10; rows that cannot run say "not run" and why."""
    snap = Table("9. Snapshot of %s rows from PostgreSQL: the postgres source vs COPY TO STDOUT"
                 % f"{ctx.rows:,}", SNAPSHOT_HEADER)
    lat = Table("10. Changes: commit in PostgreSQL -> visible in GET /trips/{key}", LATENCY_HEADER)
    why = missing(ctx.sluice, ctx.skip)
    if why:
        not_run(snap, "sluice postgres source", why)
        not_run(lat, "steady updates", why)
        return [snap, lat]
    root = os.path.join(ctx.run_dir, "pgsource")
    os.makedirs(root)
    os.chmod(root, 0o755)
    pg = Postgres(root, LOGICAL)
    try:
        pg.psql(bl.PG_TABLE, timeout=60)
        pg.psql("COPY trips FROM '%s' WITH (FORMAT csv, HEADER true)" % ctx.csv,
                timeout=ctx.timeout)
        pg.psql("VACUUM ANALYZE trips", timeout=ctx.timeout)
        home = os.path.join(root, "sluice")
        os.makedirs(home)
        config = os.path.join(home, "sluice.yaml")
        with open(config, "w") as f:
            f.write(CONFIG.format(dsn=pg.dsn()))
        snapshot(ctx, pg, config, snap)
        changes(ctx, pg, config, lat, smoke)
    finally:
        pg.stop()
    return [snap, lat]


def snapshot(ctx, pg, config, t):
    pid = pg.postmaster_pid()
    cpu0, n0 = tree_cpu_secs(pid), len(children(pid))
    copy = run_timed(pg.psql_cmd("-o", os.devnull, "-c", "COPY trips TO STDOUT"),
                     timeout=ctx.timeout)
    settle(pid, n0)  # the session's server process is reaped: its CPU counts
    copy_cpu = copy.cpu + tree_cpu_secs(pid) - cpu0
    run_timed([ctx.sluice, "-c", config, "migrate"], timeout=120, cwd=os.path.dirname(config))
    cpu0, n0 = tree_cpu_secs(pid), len(children(pid))
    s = run_timed([ctx.sluice, "-c", config, "app", "run", "--once"], timeout=ctx.timeout,
                  cwd=os.path.dirname(config))
    settle(pid, n0)
    server_cpu = tree_cpu_secs(pid) - cpu0
    m = INGESTED.search(s.err + s.out)
    if not m or int(m.group(1)) != ctx.rows:
        raise BenchError("the postgres source ingested %s rows, expected %d:\n%s" % (
            m.group(1) if m else "no", ctx.rows, s.err[-2000:]))
    sluice_rate, copy_rate = ctx.rows / s.secs, ctx.rows / copy.secs
    t.row("sluice app run --once (snapshot into the log)", "%.2f s" % s.secs,
          "%.2f s + server %.2f s" % (s.cpu, server_cpu), rate(sluice_rate), "1.00x", "1.00x")
    t.row("psql: COPY trips TO STDOUT (into /dev/null)", "%.2f s" % copy.secs, "%.2f s" % copy_cpu,
          rate(copy_rate), ratio(sluice_rate, copy_rate), ratio(s.cpu + server_cpu, copy_cpu))
    t.target("snapshot >= 0.8x COPY TO STDOUT's rows/s", ratio(sluice_rate, copy_rate),
             sluice_rate >= 0.8 * copy_rate)
    t.note("sluice: `app run --once` from a new slot to the end of the input: the slot's "
           "snapshot, the copy in key order, every row decoded, checked and durably committed "
           "to the log (no cache); CPU is sluice's and, after +, PostgreSQL's (its copy and "
           "walsender)")
    t.note("COPY: the table's text as the server sends it, psql discarding it; CPU is psql's "
           "and the server's")


def wait_log(srv, text, timeout):
    """Waits for a log line (stderr) containing `text`."""
    deadline = time.monotonic() + timeout
    with srv.cond:
        while not any(text in line for line in srv.err_lines):
            if srv.proc.poll() is not None or time.monotonic() > deadline:
                raise BenchError("sluice never logged %r:\n%s" % (text, "\n".join(
                    srv.err_lines[-20:])))
            srv.cond.wait(0.05)


class Probe:
    """Commit -> visible latencies: a psql session that updates one row's
    note to "<n> <commit clock µs>", and a REST client that polls the row
    until it shows n."""

    def __init__(self, pg, port, keys):
        self.proc = subprocess.Popen(pg.psql_cmd(), stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.keys, self.n, self.lat, self.timeouts = keys, 0, [], 0

    def once(self, timeout=10.0):
        self.n += 1
        key = self.keys[self.n % len(self.keys)]
        self.proc.stdin.write("UPDATE trips SET note = '%d ' || (extract(epoch from "
                              "clock_timestamp()) * 1000000)::bigint WHERE trip_id = %d;\n"
                              % (self.n, key))
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        prefix = "%d " % self.n
        while time.monotonic() < deadline:
            self.conn.request("GET", "/trips/%d" % key)
            r = self.conn.getresponse()
            body = r.read()
            if r.status == 200:
                note = json.loads(body).get("note") or ""
                if note.startswith(prefix):
                    self.lat.append(time.time() * 1e6 - int(note.split()[1]))
                    return True
            time.sleep(0.0005)  # bounds the REST load the polling adds
        self.timeouts += 1
        return False

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(30)
        self.conn.close()


def changes(ctx, pg, config, t, smoke):
    srv = Server([ctx.sluice, "-c", config, "run"], cwd=os.path.dirname(config))
    try:
        port = int(srv.wait_line(r"sluice: listening on http://127\.0\.0\.1:(\d+)", 60).group(1))
        wait_log(srv, "streaming changes from", ctx.timeout)
        probe = Probe(pg, port, list(range(1, min(ctx.rows, 1000) + 1)))
        # The first probe waits for the cache to be built from the snapshot's log.
        if not any(probe.once(timeout=30) for _ in range(max(1, ctx.timeout // 30))):
            raise BenchError("a change never became visible:\n" + "\n".join(srv.err_lines[-20:]))
        probe.lat.clear()
        steady = 200 if smoke else 2000
        secs = max(2, ctx.load_secs * 2)
        load(ctx, pg, srv, probe, t, "steady %d updates/s" % steady, steady, secs)
        load(ctx, pg, srv, probe, t, "as fast as 16 sessions can", None, ctx.load_secs)
        probe.close()
    finally:
        srv.stop()
    t.note("latency: from the change's clock_timestamp() inside PostgreSQL to the first GET that "
           "shows it (one probe session beside the pgbench load, each probe waiting for the last)")
    t.note("the fastest load: pgbench with 16 clients unthrottled; changes/s counts until sluice "
           "serves the last change (PostgreSQL's own rate is in the note below)")
    t.note("CPU per 1k changes: sluice's (decoding, log, cache) and PostgreSQL's (its sessions, "
           "WAL, the slot's walsender) during the load; sluice's includes answering the probe's "
           "polling (a GET every 0.5 ms at most)")


def load(ctx, pg, srv, probe, t, name, rate_limit, secs):
    n = max(ctx.rows, 1000)
    script = "\\set k random(1001, %d)\nUPDATE trips SET tip_amount = tip_amount + 0.01 " \
             "WHERE trip_id = :k;\n" % n
    path = os.path.join(pg.dir, "load.sql")
    with open(path, "w") as f:
        f.write(script)
    # 16 sessions: PostgreSQL groups their commits' fsyncs, so its own
    # commit latency does not cap the rate on a slow disk.
    cmd = [os.path.join(pg.bin, "pgbench"), "-n", "-M", "prepared", "-c", "16", "-j", "4", "-T",
           str(secs), "-f", path] + (["-R", str(rate_limit)] if rate_limit else []) + \
        pg._conn_args() + ["postgres"]
    result = {}
    worker = threading.Thread(target=lambda: result.update(t=run_timed(cmd, timeout=secs + 60)))
    pid = pg.postmaster_pid()
    cpu0, pg0 = cpu_secs(srv.proc.pid), tree_cpu_secs(pid)
    first = len(probe.lat)
    t0 = time.monotonic()
    worker.start()
    while worker.is_alive():
        probe.once()
        time.sleep(0.01)
    worker.join()
    m = re.search(r"number of transactions actually processed: (\d+)", result["t"].out)
    if not m:
        raise BenchError("pgbench failed:\n" + result["t"].out + result["t"].err)
    done = int(m.group(1))
    probe.once(timeout=120)  # a change after the load: visible once sluice caught up
    elapsed = time.monotonic() - t0
    sluice_cpu, pg_cpu = cpu_secs(srv.proc.pid) - cpu0, tree_cpu_secs(pid) - pg0
    lat = sorted(probe.lat[first:])
    if not lat:
        raise BenchError("no probe saw its change during " + name)
    t.row(name, rate(done / (elapsed if rate_limit is None else secs)),
          "%.1f ms" % (percentile(lat, 50) / 1e3), "%.1f ms" % (percentile(lat, 99) / 1e3),
          "%.1f ms" % (lat[-1] / 1e3), str(len(lat)), "%.3f s" % (sluice_cpu * 1000 / done),
          "%.3f s" % (pg_cpu * 1000 / done))
    if rate_limit is not None and rate_limit >= 2000:
        p99 = percentile(lat, 99) / 1e3
        t.target("p99 <= 50 ms at a steady %d updates/s" % rate_limit, "%.1f ms" % p99, p99 <= 50)
    if rate_limit is None:
        t.note("PostgreSQL committed %s updates/s; sluice served the last of them %.1f s after "
               "the load ended" % (rate(done / secs), max(0.0, elapsed - secs)))
    if probe.timeouts:
        t.note("%d probes of %s were not seen within their timeout" % (probe.timeouts, name))
