"""Load benchmarks of issue 8 (ingest, cache build, restart, memory); the
serving ones are in serve.py. Each returns a report.Table with sluice
beside its baselines from the same run; baselines that are absent are
skipped with a note (smoke mode only: bench.py refuses a full run
without them)."""
import os
import statistics
import time

from . import backends
from . import baselines as bl
from .pg import Postgres
from .procs import BenchError, SplitRssSampler, cpu_secs
from .report import Table, mb, rate, ratio
from .sluice import Home, wait_ready


class Ctx:
    """Settings and state shared by the benchmarks of one run."""

    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.skip = {}          # baseline name -> why it is skipped
        self.pg = None          # Postgres holding the 1M-row table, once loaded
        self.sqlite_db = None   # SQLite file holding it, once loaded
        self.server = None      # (Server, port) of sluice serving the rows
        self.rocks_home = None  # Home on RocksDB holding the rows, once ingested
        self.cover_home = None  # Home with index.covering, once its cache is built
        self.cover_server = None  # (Server, port) serving cover_home, while tables 5-6 run
        self.times = {}         # measurements later benchmarks compare with

    def skipped(self, table, name):
        if name in self.skip:
            table.note("%s skipped: %s" % (name, self.skip[name]))
            return True
        return False


COST_HEADER = ["system", "time", "CPU", "rows/s", "peak RSS", "sluice ÷ this: time",
               "sluice ÷ this: CPU"]


def _cost_row(t, name, secs, cpu, rss_kb, ref, rows):
    """A row of a load benchmark; ref is sluice's (secs, cpu); rss_kb is
    KiB, or the cell's text."""
    t.row(name, "%.2f s" % secs, "%.2f s" % cpu, rate(rows / secs),
          rss_kb if isinstance(rss_kb, str) else mb(rss_kb), ratio(secs, ref[0]), ratio(cpu, ref[1]))


def _build_row(t, name, b, ref, rows):
    """A table 2 row for a sluice cache build (Built)."""
    _cost_row(t, name, b.secs, b.cpu, "%s (anon %s, file %s)" % (mb(b.rss_kb), mb(b.anon_kb),
                                                                 mb(b.file_kb)), ref, rows)


def ingest(ctx):
    t = Table("1. Ingest %s rows (%.0f MB CSV) into durable storage" % (
        f"{ctx.rows:,}", ctx.csv_bytes / 1e6), COST_HEADER)
    home = ctx.home = Home(ctx.sluice, os.path.join(ctx.run_dir, "sluice"), ctx.data_dir,
                           grpc="grpc" not in ctx.skip)
    mig = home.migrate()
    s = home.ingest(timeout=ctx.timeout, rows=ctx.rows)
    ref = ctx.times["ingest"] = (s.secs, s.cpu)
    ctx.times["ingest_timed"] = s
    _cost_row(t, "sluice app run --once, LevelDB log", s.secs, s.cpu, s.maxrss_kb, ref, ctx.rows)
    t.use_config("LevelDB", home.yaml)
    backends.ingest_rows(ctx, t, lambda name, secs, cpu, rss: t.row(
        name, "%.2f s" % secs, "%.2f s" % cpu, rate(ctx.rows / secs), rss, ratio(secs, ref[0]),
        ratio(cpu, ref[1])))
    if not ctx.skipped(t, "postgresql"):
        ctx.pg = Postgres(ctx.run_dir)
        ctx.pg.psql(bl.PG_TABLE, timeout=60)
        copy, rss = ctx.pg.psql("COPY trips FROM '%s' WITH (FORMAT csv, HEADER true)" % ctx.csv,
                                timeout=ctx.timeout)
        _check(bl.pg_count(ctx.pg), ctx.rows, "PostgreSQL COPY")
        ctx.times["copy"] = (copy.secs, copy.cpu)
        _cost_row(t, "PostgreSQL COPY (primary key)", copy.secs, copy.cpu, rss, ref, ctx.rows)
        t.target("ingest >= 3x PostgreSQL COPY", ratio(copy.secs, s.secs), copy.secs >= 3 * s.secs)
    if not ctx.skipped(t, "sqlite"):
        ctx.sqlite_db = os.path.join(ctx.run_dir, "trips.sqlite")
        imp = bl.sqlite_import(ctx.sqlite_db, ctx.csv, timeout=ctx.timeout)
        count = int(bl.sqlite_exec(ctx.sqlite_db, "SELECT count(*) FROM trips", 60).out)
        _check(count, ctx.rows, "SQLite .import")
        ctx.times["sqlite_import"] = (imp.secs, imp.cpu)
        _cost_row(t, "SQLite .import --csv (primary key)", imp.secs, imp.cpu, imp.maxrss_kb, ref,
                  ctx.rows)
    t.note("sluice's `migrate` (schema inference, the counterpart of CREATE TABLE) took "
           "%.2f s and is not included" % mig.secs)
    t.note("CPU: user + system seconds of every process doing the work (for PostgreSQL its "
           "server processes and psql); unlike time, it does not depend on what else runs")
    return t


def _check(found, expected, what):
    if found != expected:
        raise BenchError("%s loaded %d rows, expected %d" % (what, found, expected))


def cache_build(ctx):
    t = Table("2. Cache build from the log: primary key + index [pickup_zone_id], %s rows" % (
        f"{ctx.rows:,}"), COST_HEADER)
    b = ctx.times["rebuild_built"] = build_cache(ctx.home, ctx.rows, ctx.timeout)
    secs = b.secs
    ref = ctx.times["rebuild"] = (b.secs, b.cpu)
    _build_row(t, "sluice api run until ready, LevelDB cache", b, ref, ctx.rows)
    t.use_config("LevelDB", ctx.home.yaml)
    # The same log, served with index.covering (tables 5 and 6 load it too).
    cover = ctx.cover_home = Home(ctx.sluice, os.path.join(ctx.run_dir, "sluice-covering"), ctx.data_dir,
                                  grpc=ctx.home.grpc, covering=True)
    cover.copy_log_from(ctx.home)
    c = build_cache(cover, ctx.rows, ctx.timeout)
    c_secs = c.secs
    _build_row(t, "sluice api run until ready, LevelDB cache, index.covering", c, ref, ctx.rows)
    t.use_config("index.covering", cover.yaml)
    name = "sluice api run until ready, RocksDB cache"
    if ctx.rocks_home:
        _build_row(t, name, build_cache(ctx.rocks_home, ctx.rows, ctx.timeout), ref, ctx.rows)
        t.use_config("RocksDB", ctx.rocks_home.yaml)
    else:
        backends.not_run(t, name, ctx.skip.get("rocksdb", "its ingest did not run"))
    if ctx.pg:
        idx, irss = ctx.pg.psql(bl.ZONE_INDEX, timeout=ctx.timeout)
        copy = ctx.times["copy"]
        _cost_row(t, "PostgreSQL COPY %.2f s + CREATE INDEX %.2f s" % (copy[0], idx.secs),
                  copy[0] + idx.secs, copy[1] + idx.cpu, irss, ref, ctx.rows)
        total = copy[0] + idx.secs
        t.target("cache build >= 2x (COPY + CREATE INDEX)", ratio(total, secs), total >= 2 * secs)
        t.note("with index.covering: %s of COPY + CREATE INDEX" % ratio(total, c_secs))
        ctx.pg.psql("VACUUM ANALYZE trips", timeout=ctx.timeout)
    else:
        ctx.skipped(t, "postgresql")
    if ctx.sqlite_db:
        idx = bl.sqlite_exec(ctx.sqlite_db, bl.ZONE_INDEX, ctx.timeout)
        imp = ctx.times["sqlite_import"]
        _cost_row(t, "SQLite .import %.2f s + CREATE INDEX %.2f s" % (imp[0], idx.secs),
                  imp[0] + idx.secs, imp[1] + idx.cpu, idx.maxrss_kb, ref, ctx.rows)
    else:
        ctx.skipped(t, "sqlite")
    t.note("PostgreSQL and SQLite index (pickup_zone_id, trip_id): the shape of sluice's "
           "secondary index, which orders equal zones by key")
    t.note("sluice: from spawning `api run` on an empty cache until GET / reports the version "
           "ready with every row (includes start-up)")
    t.note("index.covering: the secondary index entries also hold the row (docs/query.md); the "
           "same log, copied into a second home")
    t.note("sluice's peak RSS: VmHWM, and in brackets the peaks of its anonymous (RssAnon: heap, "
           "stacks) and file-backed (RssFile: memory-mapped table files) parts, sampled every "
           "20 ms from /proc/PID/status")
    return t


class Built:
    """A cache build: seconds from spawn until ready, CPU seconds used by
    then, peak RSS (VmHWM) and the sampled peaks of RssAnon and RssFile (KiB)."""

    def __init__(self, secs, cpu, rss_kb, anon_kb, file_kb):
        self.secs, self.cpu, self.rss_kb = secs, cpu, rss_kb
        self.anon_kb, self.file_kb = anon_kb, file_kb


def build_cache(home, rows, timeout):
    """Starts `api run` on a home whose cache is empty; returns Built."""
    srv, port = home.serve()
    try:
        with SplitRssSampler(srv.proc.pid) as split:
            ready = wait_ready(port, rows, timeout, poll=0.02)
            split.sample()
        return Built(ready - srv.started, cpu_secs(srv.proc.pid), srv.hwm_kb(), split.anon_kb,
                     split.file_kb)
    finally:
        _stop(srv)


def _stop(srv):
    rc = srv.stop()
    if rc != 0:
        raise BenchError("sluice exited %s on SIGTERM:\n%s" % (rc, "\n".join(srv.err_lines[-20:])))


def restarts(home, rows, count, keep_last=False, writer=False):
    """Restarts `api run` (with `writer`: `run`, which also opens the log
    for writing and resumes ingest) count times on a built cache. Returns
    (listening ms, ready ms) per restart, the peak RSS of the last one and,
    when keep_last, its (Server, port) still running."""
    out, kept, rss = [], None, 0
    for i in range(count):
        srv, port = home.serve(command=("run",) if writer else ("api", "run"))
        listening = time.monotonic()
        ready = wait_ready(port, rows, timeout=60)
        out.append(((listening - srv.started) * 1e3, (ready - srv.started) * 1e3))
        rss = srv.hwm_kb()
        if keep_last and i == count - 1:
            kept = (srv, port)
        else:
            _stop(srv)
    return out, rss, kept


def restart_row(t, rows, runs, rss, rebuild_secs, writer_runs):
    """Adds a table 3 row; returns the median ready ms of `api run` and of `run`."""
    ready = sorted(r for _, r in runs)
    med = statistics.median(ready)
    w_ready = sorted(r for _, r in writer_runs)
    w_med = statistics.median(w_ready)
    t.row(f"{rows:,}", "%.0f ms" % statistics.median(l for l, _ in runs), "%.0f ms" % med,
          "%.0f ms" % ready[-1], "%.0f ms" % w_med, "%.0f ms" % w_ready[-1],
          "%.2f s" % rebuild_secs, "%.1fx" % (rebuild_secs * 1e3 / med), mb(rss))
    return med, w_med


def restart_table():
    return Table("3. Restart to ready with the cache built, vs a full rebuild",
                 ["rows", "api run: to listening (median)", "api run: to ready (median)",
                  "api run: to ready (max)", "run (log writer): to ready (median)",
                  "run: to ready (max)", "full rebuild", "rebuild ÷ restart", "peak RSS"])


def memory_table():
    return Table("7. Memory by input size: `app run --once` (ingest) and `api run` building the "
                 "cache (table 2's build)",
                 ["rows", "CSV", "ingest time", "ingest rows/s", "ingest peak RSS",
                  "cache build", "build CPU/row", "build peak RSS", "build peak anon",
                  "build peak file"])


def memory_row(t, rows, csv_bytes, timed, built):
    t.row(f"{rows:,}", "%.0f MB" % (csv_bytes / 1e6), "%.2f s" % timed.secs,
          rate(rows / timed.secs), mb(timed.maxrss_kb), "%.2f s" % built.secs,
          "%.2f µs" % (built.cpu * 1e6 / rows), mb(built.rss_kb), mb(built.anon_kb),
          mb(built.file_kb))
