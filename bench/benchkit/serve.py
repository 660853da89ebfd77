"""Serving benchmarks: REST by key and 50-row indexed query under load
(issue 8, 4 and 5) and one-client latency per query kind (issue 6), beside
nginx, PostgreSQL (pgbench) and SQLite. The sluice server is ctx.server,
already serving the main dataset."""
import http.client
import json
import time

from . import backends
from . import baselines as bl
from .httpload import start_nginx, wrk
from .procs import BenchError, cpu_secs, run_timed, tree, tree_cpu_secs, vm_hwm_kb
from .report import Table, mb, ms, percentile, rate, ratio
from .sluice import get_json, wait_ready

LOAD_HEADER = ["system", "req/s", "p50", "p99", "server CPU/req", "peak RSS",
               "sluice ÷ this: req/s", "sluice ÷ this: CPU/req"]


def sanity(port):
    """One request of each kind the load generator sends, checked."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for method, path, body, want in (
            ("GET", "/trips/1", None, dict),
            ("POST", "/trips/query", {"$filter": {"pickup_zone_id": 1},
                                      "$order_by": {"trip_id": "asc"}, "$limit": 50}, list),
            ("POST", "/trips/query", {"$filter": {"trip_id": {"$gte": 1, "$lt": 51}}}, list),
            ("POST", "/trips/count", {"$filter": {"payment_type": "dispute"}}, dict)):
        status, got = get_json(c, method, path, body)
        if status != 200 or not isinstance(got, want):
            raise BenchError("%s %s answered %s: %s" % (method, path, status, str(got)[:300]))
    c.close()


class Measured:
    """One system under load: rate, latency (µs), server CPU µs per request, RSS."""

    def __init__(self, rps, p50, p99, cpu_us, rss_kb):
        self.rps, self.p50, self.p99, self.cpu_us, self.rss_kb = rps, p50, p99, cpu_us, rss_kb


def _row(t, name, m, ref):
    t.row(name, rate(m.rps), ms(m.p50), ms(m.p99), "%.0f µs" % m.cpu_us, mb(m.rss_kb),
          ratio(ref.rps, m.rps), ratio(m.cpu_us, ref.cpu_us))


def load_sluice(ctx, mode, threads, conns, secs, server=None):
    """wrk against `server` (Server, port), by default ctx.server."""
    srv, port = server or ctx.server
    cpu0 = cpu_secs(srv.proc.pid)
    w = wrk("http://127.0.0.1:%d" % port, mode, ctx.rows, threads, conns, secs)
    cpu = cpu_secs(srv.proc.pid) - cpu0
    return Measured(w.rps, w.p50, w.p99, cpu * 1e6 / w.requests, srv.hwm_kb())


def load_pg(ctx, query, clients, secs):
    tps, lat, rss, cpu = ctx.pg.pgbench(bl.pgbench_script(query, ctx.rows), clients, secs,
                                        sample=0.1)
    lat.sort()
    return Measured(tps, percentile(lat, 50), percentile(lat, 99), cpu * 1e6 / (tps * secs), rss)


def load_nginx(ctx):
    ng, port = start_nginx(ctx.run_dir)
    try:
        cpu0 = tree_cpu_secs(ng.proc.pid)
        w = wrk("http://127.0.0.1:%d/static.json" % port, "static", 1, 2, 50, ctx.load_secs)
        cpu = tree_cpu_secs(ng.proc.pid) - cpu0
        rss = max(vm_hwm_kb(p) for p in tree(ng.proc.pid))
    finally:
        ng.stop()
    return Measured(w.rps, w.p50, w.p99, cpu * 1e6 / w.requests, rss)


def settle(srv, timeout=120):
    """Waits until the idle server stops using CPU (LevelDB compacts a newly
    built cache in the background for a while); returns (seconds waited,
    CPU seconds it used meanwhile)."""
    start, cpu0 = time.monotonic(), cpu_secs(srv.proc.pid)
    last = cpu0
    while time.monotonic() - start < timeout:
        time.sleep(0.5)
        now = cpu_secs(srv.proc.pid)
        if now - last < 0.02:
            break
        last = now
    return time.monotonic() - start, last - cpu0


def get_by_key(ctx):
    t = Table("4. REST GET /trips/{key}, random keys, wrk -t2 -c50 %ds" % ctx.load_secs,
              LOAD_HEADER)
    sanity(ctx.server[1])
    waited, busy = settle(ctx.server[0])
    t.note("before the load, the idle server was left to finish its background work (LevelDB "
           "compacting the new cache): %.1f s, %.2f CPU s" % (waited, busy))
    if ctx.skipped(t, "wrk"):
        return t
    s = load_sluice(ctx, "point", 2, 50, ctx.load_secs)
    _row(t, "sluice GET /trips/{key}, LevelDB cache", s, s)
    t.use_config("LevelDB", ctx.home.yaml)
    rocks_get_by_key(ctx, t, s)
    if not ctx.skipped(t, "nginx"):
        n = load_nginx(ctx)
        _row(t, "nginx static 300-byte file", n, s)
        t.target("GET by key >= 0.7x nginx static req/s", ratio(s.rps, n.rps), s.rps >= 0.7 * n.rps)
    t.target("GET by key p99 <= 5 ms", ms(s.p99), s.p99 <= 5000)
    if not ctx.skipped(t, "postgresql"):
        _row(t, "PostgreSQL point select (pgbench -c2, prepared)", load_pg(ctx, "point", 2,
                                                                           ctx.load_secs), s)
        t.plan("PostgreSQL point select", bl.pg_plan(ctx.pg, "point", ctx.rows))
    t.note("server CPU/req: CPU the server used during the run divided by requests answered "
           "(the load generator's own CPU excluded); wrk or pgbench shares the 2 cores")
    return t


def rocks_get_by_key(ctx, t, ref):
    """Table 4's row for sluice serving from its RocksDB home: the same keys
    and load, on a server started for it (the LevelDB one stays idle)."""
    name = "sluice GET /trips/{key}, RocksDB cache"
    if not ctx.rocks_home:
        backends.not_run(t, name, ctx.skip.get("rocksdb", "its ingest did not run"))
        return
    srv, port = ctx.rocks_home.serve()
    try:
        wait_ready(port, ctx.rows, ctx.timeout)
        sanity(port)
        waited, busy = settle(srv)
        m = load_sluice(ctx, "point", 2, 50, ctx.load_secs, server=(srv, port))
    finally:
        rc = srv.stop()
    if rc != 0:
        raise BenchError("sluice on RocksDB exited %s on SIGTERM:\n%s" % (
            rc, "\n".join(srv.err_lines[-20:])))
    _row(t, name, m, ref)
    t.use_config("RocksDB", ctx.rocks_home.yaml)
    t.note("RocksDB: `storage: { plugin: rocksdb }`, default options (64 MB block cache as for "
           "LevelDB, LZ4 instead of snappy); its server was left idle %.1f s (%.2f CPU s) "
           "before the load" % (waited, busy))


def covering_server(ctx):
    """(Server, port) serving the index.covering home, started on first use
    and left idle until its background work is done; None without it."""
    if ctx.cover_server is None and ctx.cover_home is not None:
        srv, port = ctx.cover_home.serve()
        wait_ready(port, ctx.rows, ctx.timeout)
        sanity(port)
        settle(srv)
        ctx.cover_server = (srv, port)
    return ctx.cover_server


def stop_covering_server(ctx):
    if ctx.cover_server is not None:
        srv, _ = ctx.cover_server
        ctx.cover_server = None
        rc = srv.stop()
        if rc != 0:
            raise BenchError("sluice (index.covering) exited %s on SIGTERM:\n%s" % (
                rc, "\n".join(srv.err_lines[-20:])))


def zone_query(ctx):
    t = Table("5. REST 50-row indexed query (pickup_zone_id = z order by key), %ds" % ctx.load_secs,
              LOAD_HEADER)
    if ctx.skipped(t, "wrk"):
        return t
    s = ctx.times["zone_rest"] = load_sluice(ctx, "zone", 2, 50, ctx.load_secs)
    _row(t, "sluice POST /trips/query (wrk -t2 -c50)", s, s)
    t.use_config("default index", ctx.home.yaml)
    c = None
    if covering_server(ctx):
        c = ctx.times["zone_rest_covering"] = load_sluice(ctx, "zone", 2, 50, ctx.load_secs,
                                                          server=ctx.cover_server)
        _row(t, "sluice POST /trips/query, index.covering (wrk -t2 -c50)", c, s)
        t.use_config("index.covering", ctx.cover_home.yaml)
    if not ctx.skipped(t, "postgresql"):
        best = 0
        for clients in (2, 8):
            p = load_pg(ctx, "zone", clients, ctx.load_secs)
            best = max(best, p.rps)
            _row(t, "PostgreSQL, index (pickup_zone_id, trip_id), pgbench -c%d" % clients, p, s)
        t.plan("PostgreSQL, index (pickup_zone_id, trip_id)", bl.pg_plan(ctx.pg, "zone", ctx.rows))
        t.target("50-row indexed query >= PostgreSQL (best of -c2, -c8)", ratio(s.rps, best),
                 s.rps >= best)
        cbest, plan = pg_covering(ctx, t, s)
        if c is not None:
            t.target("50-row indexed query, index.covering >= PostgreSQL (best of -c2, -c8)",
                     ratio(c.rps, best), c.rps >= best)
            if cbest:
                t.target("50-row indexed query, index.covering >= PostgreSQL with a covering "
                         "index (best of -c2, -c8)", ratio(c.rps, cbest), c.rps >= cbest)
        if plan:
            t.note("PostgreSQL's plan with the covering index: " + plan)
    t.note("each answer is 50 records (fewer only when a zone has fewer trips: small inputs)")
    return t


def pg_covering(ctx, t, ref):
    """Rows for PostgreSQL with its best index for the zone query (key plus
    every other column, vacuumed: an index-only scan); the index is dropped
    again afterwards. Returns (best req/s, the plan's first line)."""
    ctx.pg.psql(bl.ZONE_COVERING_INDEX, timeout=ctx.timeout)
    try:
        ctx.pg.psql("VACUUM ANALYZE trips", timeout=ctx.timeout)
        full = bl.pg_plan(ctx.pg, "zone", ctx.rows)
        t.plan("PostgreSQL, covering index", full)
        lines = [line.strip().lstrip("-> ") for line in full.splitlines()]
        plan = next((line for line in lines if "Scan" in line), "").split("  (cost")[0]
        best = 0
        for clients in (2, 8):
            p = load_pg(ctx, "zone", clients, ctx.load_secs)
            best = max(best, p.rps)
            _row(t, "PostgreSQL, covering index (pickup_zone_id, trip_id) INCLUDE (all), "
                 "pgbench -c%d" % clients, p, ref)
    finally:
        ctx.pg.psql("DROP INDEX trips_zone_covering", timeout=ctx.timeout)
    return best, plan


def grpc_query(ctx):
    t = Table("6. gRPC typed query, 50 rows (pickup_zone_id = z order by key), bench/grpc_load "
              "-t2 -c50 %ds" % ctx.load_secs, LOAD_HEADER)
    if ctx.skipped(t, "grpc"):
        t.target("gRPC 50-row query >= 10,000 req/s", "n/a", None)
        return t
    g, d = grpc_load(ctx, ctx.server[0])
    _row(t, "sluice gRPC sluice.trips.Trips/query", g, g)
    t.use_config("default index", ctx.home.yaml)
    if "zone_rest" in ctx.times:
        _row(t, "sluice REST, the same query (table 5)", ctx.times["zone_rest"], g)
    t.target("gRPC 50-row query >= 10,000 req/s", rate(g.rps), g.rps >= 10000)
    if covering_server(ctx):
        c, _ = grpc_load(ctx, ctx.cover_server[0])
        _row(t, "sluice gRPC sluice.trips.Trips/query, index.covering", c, g)
        t.use_config("index.covering", ctx.cover_home.yaml)
        t.target("gRPC 50-row query, index.covering >= 10,000 req/s", rate(c.rps), c.rps >= 10000)
    t.note("every reply checked: status OK and at most 50 records (%.1f on average)" % (
        d["records"] / d["requests"]))
    return t


def grpc_load(ctx, srv):
    """bench/grpc_load against `srv`: (Measured, its JSON result)."""
    cpu0 = cpu_secs(srv.proc.pid)
    out = run_timed([ctx.grpc_load, "--target", srv.grpc, "--method", "/sluice.trips.Trips/query",
                     "--threads", "2", "--concurrency", "50", "--seconds", str(ctx.load_secs)],
                    timeout=ctx.load_secs + 60).out
    cpu = cpu_secs(srv.proc.pid) - cpu0
    line = [l for l in out.splitlines() if l.startswith("GRPCJSON ")]
    if not line:
        raise BenchError("grpc_load printed no result:\n" + out)
    d = json.loads(line[0][9:])
    return Measured(d["requests"] / (d["duration_us"] / 1e6), d["p50"], d["p99"],
                    cpu * 1e6 / d["requests"], srv.hwm_kb()), d


def latency(ctx):
    """Issue 6: one client, back to back, per query kind and system."""
    t = Table("8. Query latency by kind, one client back to back, %ds each" % ctx.lat_secs,
              ["query", "system", "req/s", "rows/s", "p50", "p90", "p99"])
    port = ctx.server[1]
    t.use_config("sluice REST", ctx.home.yaml)
    kinds = [("point", "by key", 1), ("range", "key range, 50 rows", 50),
             ("zone", "index eq, 50 rows", 50), ("scan", "count, no index (scan)", ctx.rows)]
    for kind, label, rows in kinds:
        if "wrk" not in ctx.skip:
            w = wrk("http://127.0.0.1:%d" % port, kind, ctx.rows, 1, 1, ctx.lat_secs)
            t.row(label, "sluice REST", rate(w.rps), rate(w.rps * rows), ms(w.p50), ms(w.p90),
                  ms(w.p99))
        if ctx.pg:
            tps, lat, _, _ = ctx.pg.pgbench(bl.pgbench_script(kind, ctx.rows), 1, ctx.lat_secs)
            _lat_row(t, label, "PostgreSQL (pgbench -c1)", tps, sorted(lat), rows)
            t.plan("PostgreSQL, " + label, bl.pg_plan(ctx.pg, kind, ctx.rows))
        if ctx.sqlite_db:
            t.plan("SQLite, " + label, bl.sqlite_plan(ctx.sqlite_db, kind, ctx.rows))
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
