"""The benchmarks of issue 8 (ingest, cache build, restart, REST by key,
REST indexed query, memory) and issue 6 (point / range / indexed / scan
latency). Each returns a report.Table with sluice beside its baselines
from the same run; baselines that are absent are skipped with a note
(smoke mode only: bench.py refuses a full run without them)."""
import http.client
import os
import statistics
import time

from . import baselines as bl
from .httpload import start_nginx, wrk
from .pg import Postgres
from .procs import BenchError, tree, vm_hwm_kb
from .report import Table, mb, ms, percentile, rate, ratio
from .sluice import Home, get_json, wait_ready


class Ctx:
    """Settings and state shared by the benchmarks of one run."""

    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.skip = {}          # baseline name -> why it is skipped
        self.pg = None          # Postgres holding the 1M-row table, once loaded
        self.sqlite_db = None   # SQLite file holding it, once loaded
        self.server = None      # (Server, port) of sluice serving the rows
        self.times = {}         # measurements later benchmarks compare with

    def skipped(self, table, name):
        if name in self.skip:
            table.note("%s skipped: %s" % (name, self.skip[name]))
            return True
        return False


def ingest(ctx):
    t = Table("1. Ingest %s rows (%.0f MB CSV) into durable storage" % (
        f"{ctx.rows:,}", ctx.csv_bytes / 1e6), ["system", "time", "rows/s", "MB/s", "peak RSS",
                                                "sluice speed ÷ this"])
    home = ctx.home = Home(ctx.sluice, os.path.join(ctx.run_dir, "sluice"), ctx.data_dir)
    mig = home.migrate()
    s = home.ingest(timeout=ctx.timeout)
    ctx.times["ingest"] = s
    _speed_row(t, "sluice app run --once", s.secs, s.secs, s.maxrss_kb, ctx)
    if not ctx.skipped(t, "postgresql"):
        ctx.pg = Postgres(ctx.run_dir)
        ctx.pg.psql(bl.PG_TABLE, timeout=60)
        copy, rss = ctx.pg.psql("COPY trips FROM '%s' WITH (FORMAT csv, HEADER true)" % ctx.csv,
                                timeout=ctx.timeout)
        _check(bl.pg_count(ctx.pg), ctx.rows, "PostgreSQL COPY")
        ctx.times["copy"] = copy.secs
        _speed_row(t, "PostgreSQL COPY (primary key)", copy.secs, s.secs, rss, ctx)
        t.target("ingest >= 3x PostgreSQL COPY", ratio(copy.secs, s.secs), copy.secs >= 3 * s.secs)
    if not ctx.skipped(t, "sqlite"):
        ctx.sqlite_db = os.path.join(ctx.run_dir, "trips.sqlite")
        imp = bl.sqlite_import(ctx.sqlite_db, ctx.csv, timeout=ctx.timeout)
        count = int(bl.sqlite_exec(ctx.sqlite_db, "SELECT count(*) FROM trips", 60).out)
        _check(count, ctx.rows, "SQLite .import")
        ctx.times["sqlite_import"] = imp.secs
        _speed_row(t, "SQLite .import --csv (primary key)", imp.secs, s.secs, imp.maxrss_kb, ctx)
    t.note("sluice's `migrate` (schema inference, the counterpart of CREATE TABLE) took "
           "%.2f s and is not included" % mig.secs)
    return t


def _speed_row(t, name, secs, sluice_secs, rss_kb, ctx):
    t.row(name, "%.2f s" % secs, rate(ctx.rows / secs), "%.1f" % (ctx.csv_bytes / 1e6 / secs),
          mb(rss_kb), ratio(secs, sluice_secs))


def _check(found, expected, what):
    if found != expected:
        raise BenchError("%s loaded %d rows, expected %d" % (what, found, expected))


def cache_build(ctx):
    t = Table("2. Cache build from the log: primary key + index [pickup_zone_id], %s rows" % (
        f"{ctx.rows:,}"), ["system", "time", "rows/s", "peak RSS", "sluice speed ÷ this"])
    secs, rss = build_cache(ctx.home, ctx.rows, ctx.timeout)
    ctx.times["rebuild"] = secs
    t.row("sluice api run until ready", "%.2f s" % secs, rate(ctx.rows / secs), mb(rss), "1.00x")
    if ctx.pg:
        idx, irss = ctx.pg.psql(bl.ZONE_INDEX, timeout=ctx.timeout)
        total = ctx.times["copy"] + idx.secs
        t.row("PostgreSQL COPY %.2f s + CREATE INDEX %.2f s" % (ctx.times["copy"], idx.secs),
              "%.2f s" % total, rate(ctx.rows / total), mb(irss), ratio(total, secs))
        t.target("cache build >= 2x (COPY + CREATE INDEX)", ratio(total, secs), total >= 2 * secs)
        ctx.pg.psql("VACUUM ANALYZE trips", timeout=ctx.timeout)
    else:
        ctx.skipped(t, "postgresql")
    if ctx.sqlite_db:
        idx = bl.sqlite_exec(ctx.sqlite_db, bl.ZONE_INDEX, ctx.timeout)
        total = ctx.times["sqlite_import"] + idx.secs
        t.row("SQLite .import %.2f s + CREATE INDEX %.2f s" % (ctx.times["sqlite_import"], idx.secs),
              "%.2f s" % total, rate(ctx.rows / total), mb(idx.maxrss_kb), ratio(total, secs))
    else:
        ctx.skipped(t, "sqlite")
    t.note("PostgreSQL and SQLite index (pickup_zone_id, trip_id): the shape of sluice's "
           "secondary index, which orders equal zones by key")
    return t


def build_cache(home, rows, timeout):
    """Starts `api run` on a home whose cache is empty; returns (seconds from
    spawn until ready, peak RSS KiB)."""
    srv, port = home.serve()
    try:
        ready = wait_ready(port, rows, timeout, poll=0.02)
        return ready - srv.started, srv.hwm_kb()
    finally:
        _stop(srv)


def _stop(srv):
    rc = srv.stop()
    if rc != 0:
        raise BenchError("sluice exited %s on SIGTERM:\n%s" % (rc, "\n".join(srv.err_lines[-20:])))


def restarts(home, rows, count, keep_last=False):
    """Restarts `api run` count times on a built cache. Returns (listening
    ms, ready ms) per restart, the peak RSS of the last one and, when
    keep_last, its (Server, port) still running."""
    out, kept, rss = [], None, 0
    for i in range(count):
        srv, port = home.serve()
        listening = time.monotonic()
        ready = wait_ready(port, rows, timeout=60)
        out.append(((listening - srv.started) * 1e3, (ready - srv.started) * 1e3))
        rss = srv.hwm_kb()
        if keep_last and i == count - 1:
            kept = (srv, port)
        else:
            _stop(srv)
    return out, rss, kept


def restart_row(t, rows, runs, rss, rebuild_secs):
    ready = sorted(r for _, r in runs)
    med = statistics.median(ready)
    t.row(f"{rows:,}", "%.0f ms" % statistics.median(l for l, _ in runs), "%.0f ms" % med,
          "%.0f ms" % ready[-1], "%.2f s" % rebuild_secs, "%.1fx" % (rebuild_secs * 1e3 / med),
          mb(rss))
    return med


def restart_table():
    return Table("3. Restart to ready with the cache built, vs a full rebuild",
                 ["rows", "to listening (median)", "to ready (median)", "to ready (max)",
                  "full rebuild", "rebuild ÷ restart", "peak RSS"])


def memory_table():
    return Table("7. Memory: peak RSS of `app run --once` by input size",
                 ["rows", "CSV", "time", "rows/s", "peak RSS"])


def memory_row(t, rows, csv_bytes, timed):
    t.row(f"{rows:,}", "%.0f MB" % (csv_bytes / 1e6), "%.2f s" % timed.secs,
          rate(rows / timed.secs), mb(timed.maxrss_kb))


def sanity(port):
    """One request of each kind the load generator sends, checked."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for method, path, body, want in (("GET", "/trips/1", None, dict),
                                     ("POST", "/trips/query", {"$filter": {"pickup_zone_id": 1},
                                                               "$order_by": {"trip_id": "asc"}}, list),
                                     ("POST", "/trips/count", {}, dict)):
        status, got = get_json(c, method, path, body)
        if status != 200 or not isinstance(got, want):
            raise BenchError("%s %s answered %s: %s" % (method, path, status, str(got)[:300]))
    c.close()


def get_by_key(ctx):
    t = Table("4. REST GET /trips/{key}, random keys, wrk -t2 -c50 %ds" % ctx.load_secs,
              ["system", "req/s", "p50", "p99", "peak RSS", "sluice ÷ this"])
    srv, port = ctx.server
    sanity(port)
    if ctx.skipped(t, "wrk"):
        return t
    s = wrk("http://127.0.0.1:%d" % port, "key", ctx.rows, 2, 50, ctx.load_secs)
    t.row("sluice GET /trips/{key}", rate(s.rps), ms(s.p50), ms(s.p99), mb(srv.hwm_kb()), "1.00x")
    if not ctx.skipped(t, "nginx"):
        ng, nport = start_nginx(ctx.run_dir)
        try:
            n = wrk("http://127.0.0.1:%d/static.json" % nport, "static", 1, 2, 50, ctx.load_secs)
            nrss = max(vm_hwm_kb(p) for p in tree(ng.proc.pid))
        finally:
            ng.stop()
        t.row("nginx static 300-byte file", rate(n.rps), ms(n.p50), ms(n.p99), mb(nrss),
              ratio(s.rps, n.rps))
        t.target("GET by key >= 0.7x nginx static req/s", ratio(s.rps, n.rps), s.rps >= 0.7 * n.rps)
    t.target("GET by key p99 <= 5 ms", ms(s.p99), s.p99 <= 5000)
    if ctx.pg:
        tps, lat, rss = ctx.pg.pgbench(bl.pgbench_script("point", ctx.rows), 2, ctx.load_secs)
        lat.sort()
        t.row("PostgreSQL point select (pgbench -c2, prepared)", rate(tps), ms(percentile(lat, 50)),
              ms(percentile(lat, 99)), mb(rss), ratio(s.rps, tps))
    else:
        ctx.skipped(t, "postgresql")
    return t


def zone_query(ctx):
    t = Table("5. REST 50-row indexed query (pickup_zone_id = z order by key), %ds" % ctx.load_secs,
              ["system", "req/s", "rows/s", "p50", "p99", "peak RSS", "sluice ÷ this"])
    srv, port = ctx.server
    if ctx.skipped(t, "wrk"):
        return t
    s = wrk("http://127.0.0.1:%d" % port, "zone", ctx.rows, 2, 50, ctx.load_secs)
    t.row("sluice POST /trips/query (wrk -t2 -c50)", rate(s.rps), rate(s.rps * 50), ms(s.p50),
          ms(s.p99), mb(srv.hwm_kb()), "1.00x")
    if ctx.pg:
        best = 0
        for clients in (2, 8):
            tps, lat, rss = ctx.pg.pgbench(bl.pgbench_script("zone", ctx.rows), clients,
                                           ctx.load_secs)
            lat.sort()
            best = max(best, tps)
            t.row("PostgreSQL, index (pickup_zone_id, trip_id) (pgbench -c%d)" % clients,
                  rate(tps), rate(tps * 50), ms(percentile(lat, 50)), ms(percentile(lat, 99)),
                  mb(rss), ratio(s.rps, tps))
        t.target("50-row indexed query >= PostgreSQL (best of -c2, -c8)", ratio(s.rps, best),
                 s.rps >= best)
    else:
        ctx.skipped(t, "postgresql")
    t.note("rows/s counts rows returned; with fewer than 50 trips in a zone (small inputs) "
           "an answer holds fewer")
    return t


def latency(ctx):
    """Issue 6: one client, back to back, per query kind and system."""
    t = Table("8. Query latency by kind, one client back to back, %ds each" % ctx.lat_secs,
              ["query", "system", "req/s", "rows/s", "p50", "p90", "p99"])
    srv, port = ctx.server
    kinds = [("point", "by key", 1), ("range", "key range, 50 rows", 50),
             ("zone", "index eq, 50 rows", 50), ("scan", "count, no index (scan)", ctx.rows)]
    for kind, label, rows in kinds:
        if "wrk" not in ctx.skip:
            w = wrk("http://127.0.0.1:%d" % port, kind, ctx.rows, 1, 1, ctx.lat_secs)
            t.row(label, "sluice REST", rate(w.rps), rate(w.rps * rows), ms(w.p50), ms(w.p90),
                  ms(w.p99))
        if ctx.pg:
            tps, lat, _ = ctx.pg.pgbench(bl.pgbench_script(kind, ctx.rows), 1, ctx.lat_secs)
            _lat_row(t, label, "PostgreSQL (pgbench -c1)", tps, sorted(lat), rows)
        if ctx.sqlite_db:
            lat = sorted(bl.sqlite_latencies(ctx.sqlite_db, kind, ctx.rows, ctx.lat_secs))
            _lat_row(t, label, "SQLite in-process", len(lat) / ctx.lat_secs, lat, rows)
    for name in ("wrk", "postgresql", "sqlite"):
        ctx.skipped(t, name)
    t.note("rows/s: rows returned, or for the scan rows examined; SQLite runs inside the "
           "benchmark process (no network, no JSON), a floor rather than a service")
    return t


def _lat_row(t, label, system, rps, lat, rows):
    t.row(label, system, rate(rps), rate(rps * rows), ms(percentile(lat, 50)),
          ms(percentile(lat, 90)), ms(percentile(lat, 99)))
