#!/usr/bin/env python3
"""sluice benchmark suite: sluice beside PostgreSQL, SQLite and nginx, same run.

sluice runs on LevelDB (the default) and, where built and installed, also
on RocksDB and with its log on NATS JetStream.

Usually started by bench/run.sh, which installs the baselines and builds
Release first. Direct use:

  bench.py --sluice BUILD/bin/sluice [--smoke] [--rows N] [--big-chunks K] ...

Prints one table per benchmark and writes them, with a description of the
machine, to bench/results/<rows>-rows.md (or --out). --smoke runs every
benchmark on a tiny input in seconds, skipping baselines that are not
installed; a full run refuses to start without them. The RocksDB and
JetStream rows read "not run: <why>" when their plugin or nats-server is
missing, in every mode. --only runs some tables (and then writes no file
unless --out is given).
"""
import argparse
import datetime
import os
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchkit import backends, benches, data, pg, pgsource, serve, verified  # noqa: E402
from benchkit.httpload import nginx_binary  # noqa: E402
from benchkit.procs import BenchError  # noqa: E402
from benchkit.report import mb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TABLES = {1: "ingest", 2: "cache build", 3: "restart", 4: "GET by key", 5: "indexed query",
          6: "gRPC query", 7: "memory", 8: "latency", 9: "postgres source (tables 9 and 10)",
          11: "verified reads"}
OPTIONAL = ("grpc", "rocksdb", "nats")  # a full run goes on without these
SKIPPABLE = ("postgresql", "sqlite", "nginx", "wrk") + OPTIONAL


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sluice", required=True, help="the sluice binary (plugins found beside it)")
    ap.add_argument("--smoke", action="store_true", help="tiny inputs, seconds per benchmark")
    ap.add_argument("--rows", type=int, help="rows of the main dataset (default 1000000; smoke 2000)")
    ap.add_argument("--big-chunks", type=int,
                    help="the memory/restart dataset is this many times --rows (default 5, or 1 "
                         "from 5M rows on; smoke 2; 1 skips it)")
    ap.add_argument("--load-secs", type=int, help="wrk/pgbench duration under load (10; smoke 1)")
    ap.add_argument("--lat-secs", type=int, help="duration of each one-client run (4; smoke 1)")
    ap.add_argument("--restarts", type=int, help="restarts measured per size (5; smoke 2)")
    ap.add_argument("--work", help="work directory; datasets are cached here between runs "
                                   "(default $TMPDIR/sluice-bench; smoke: a temporary one)")
    ap.add_argument("--grpc-load", help="the bench/grpc_load client; without it (or without the "
                                        "grpc plugin) the gRPC benchmark is skipped")
    ap.add_argument("--skip", default="", help="comma-separated baselines or backends to leave "
                                               "out: " + ", ".join(SKIPPABLE))
    ap.add_argument("--only", help="comma-separated table numbers to run (default all): " +
                    ", ".join("%d %s" % kv for kv in TABLES.items()) + ". Table 1 always runs, "
                    "and table 2 whenever a later one does: they make the data the others read "
                    "(except 9, which needs neither)")
    ap.add_argument("--out", help="results file (default bench/results/<rows>-rows.md; with "
                                   "--smoke or --only: none)")
    a = ap.parse_args()
    full = dict(rows=1_000_000, big_chunks=5, load_secs=10, lat_secs=4, restarts=5)
    smoke = dict(rows=2000, big_chunks=2, load_secs=1, lat_secs=1, restarts=2)
    if a.rows is not None and a.rows >= 5_000_000:
        full["big_chunks"] = 1  # --rows 10000000: restart and memory at 10M, not at 50M
    for k, v in (smoke if a.smoke else full).items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    a.tables = set(TABLES)
    if a.only:
        try:
            requested = {int(x) for x in a.only.split(",") if x.strip()}
            # Table 9 brings its own PostgreSQL and needs none of the others.
            a.tables = requested | ({1} if requested - {9} else set())
        except ValueError:
            ap.error("--only %s: expected table numbers such as 1,4" % a.only)
        if not a.tables <= set(TABLES):
            ap.error("--only %s: tables are numbered %s" % (a.only, ", ".join(map(str, TABLES))))
    return a


def tool_skips(a):
    """Baseline name -> why it cannot run here."""
    skips = {}
    plugin = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(a.sluice))), "lib",
                          "sluice", "plugins", "api_grpc.so")
    if not os.path.exists(plugin):
        skips["grpc"] = "the grpc API plugin is not built (%s)" % plugin
    elif not (a.grpc_load and os.access(a.grpc_load, os.X_OK)):
        skips["grpc"] = "no gRPC load client (--grpc-load; bench/run.sh builds bench/grpc_load)"
    reason = pg.missing_reason()
    if reason:
        skips["postgresql"] = reason
    if not shutil.which("sqlite3"):
        skips["sqlite"] = "sqlite3 not installed (package sqlite3)"
    if not nginx_binary():
        skips["nginx"] = "nginx not installed (package nginx)"
    if not shutil.which("wrk"):
        skips["wrk"] = "wrk not installed (package wrk): no HTTP load benchmarks"
    skips.update(backends.missing(a.sluice))
    return skips


def tool_versions():
    return [("PostgreSQL", [os.path.join(pg.bindir() or "/nonexistent", "postgres"), "--version"]),
            ("SQLite", ["sqlite3", "--version"]), ("nginx", [nginx_binary() or "nginx", "-v"]),
            ("wrk", ["wrk", "-v"]),
            ("LevelDB", ["dpkg-query", "-W", "-f=${Version}", "libleveldb-dev"]),
            ("RocksDB", ["dpkg-query", "-W", "-f=${Version}", "librocksdb-dev"]),
            ("nats-server", [backends.nats_cluster.find_nats_server() or "nats-server",
                             "--version"]),
            ("OpenSSL", ["dpkg-query", "-W", "-f=${Version}", "libssl-dev"])]


def run_all(a, ctx, emit):
    if 1 in a.tables:
        emit(benches.ingest(ctx))
    if a.tables - {1, 9}:
        emit(benches.cache_build(ctx))
    if a.tables & {3, 7}:
        restart_and_memory(a, ctx, emit)
    if a.tables & {4, 5, 6, 8}:
        _, _, ctx.server = benches.restarts(ctx.home, a.rows, 1, keep_last=True)
    try:
        for number, bench in ((4, serve.get_by_key), (5, serve.zone_query), (6, serve.grpc_query),
                              (8, serve.latency)):
            if number in a.tables:
                emit(bench(ctx))
    finally:
        serve.stop_covering_server(ctx)
    if 11 in a.tables:
        emit(verified.verified_reads(ctx))
    if 9 in a.tables:
        for table in pgsource.run(ctx, a.smoke):
            emit(table)


def restart_and_memory(a, ctx, emit):
    """Tables 3 and 7, which share the larger dataset."""
    rt, mem = benches.restart_table(), benches.memory_table()
    rt.load_start = mem.load_start = os.getloadavg()  # both measured in this one span
    for t in (rt, mem):
        t.use_config("LevelDB", ctx.home.yaml)
    runs, rss, _ = benches.restarts(ctx.home, a.rows, a.restarts)
    w_runs, _, _ = benches.restarts(ctx.home, a.rows, a.restarts, writer=True)
    med, w_med = benches.restart_row(rt, a.rows, runs, rss, ctx.times["rebuild"][0], w_runs)
    rt.target("restart-to-ready < 50 ms at %s rows" % f"{a.rows:,}", "%.0f ms" % med, med < 50)
    rt.target("writer restart-to-ready (`run`) < 50 ms at %s rows" % f"{a.rows:,}",
              "%.0f ms" % w_med, w_med < 50)
    built = [(a.rows, ctx.times["rebuild_built"])]
    benches.memory_row(mem, a.rows, ctx.csv_bytes, ctx.times["ingest_timed"], built[0][1])
    peaks = [ctx.times["ingest_timed"].maxrss_kb]
    if a.big_chunks > 1:
        big_rows = a.rows * a.big_chunks
        big_dir, paths = data.dataset(ctx.cache_dir, a.rows, a.big_chunks)
        home = benches.Home(a.sluice, os.path.join(ctx.run_dir, "sluice-big"), big_dir)
        home.migrate()
        timed = home.ingest(timeout=ctx.timeout * a.big_chunks)
        peaks.append(timed.maxrss_kb)
        b = benches.build_cache(home, big_rows, ctx.timeout * a.big_chunks)
        built.append((big_rows, b))
        benches.memory_row(mem, big_rows, sum(os.path.getsize(p) for p in paths), timed, b)
        big_runs, big_rss, _ = benches.restarts(home, big_rows, a.restarts)
        big_w, _, _ = benches.restarts(home, big_rows, a.restarts, writer=True)
        big_med, big_w_med = benches.restart_row(rt, big_rows, big_runs, big_rss, b.secs, big_w)
        for what, small, big in (("restart", med, big_med), ("writer restart", w_med, big_w_med)):
            rt.target("%s < 50 ms and flat from %s to %s rows (larger median <= 1.25x + 20 ms)" % (
                what, f"{a.rows:,}", f"{big_rows:,}"), "%.0f ms -> %.0f ms" % (small, big),
                big < 50 and big <= 1.25 * small + 20)
        shutil.rmtree(home.root, ignore_errors=True)
    else:
        rt.note("one size only (--big-chunks 1; the default from 5M rows on): compare with the "
                "tables of a run at another --rows")
    rt.note("full rebuild: `api run` on an empty cache, spawn to ready (table 2)")
    rt.note("api run: serves the caches and only reads the log; run: also opens the log for "
            "writing (recovering its tail) and resumes ingest from the source, which has no new "
            "rows")
    mem.target("peak RSS during ingest <= 150 MB at every size",
               ", ".join("%.0f MB" % (p / 1024) for p in peaks), max(peaks) <= 150 * 1024)
    anon = [b.anon_kb for _, b in built]
    mem.target("cache build peak anonymous memory <= 150 MB at every size",
               ", ".join(mb(k) for k in anon), max(anon) <= 150 * 1024)
    if len(built) > 1:
        per_row = [b.cpu / n for n, b in built]
        mem.target("cache build CPU per row flat (largest size <= 1.3x the smallest)",
                   " -> ".join("%.2f µs" % (x * 1e6) for x in per_row),
                   per_row[-1] <= 1.3 * per_row[0])
    mem.note("build peak anon / file: sampled peaks of RssAnon (heap, stacks) and RssFile "
             "(file-backed pages mapped: LevelDB's memory-mapped table files) of `api run` "
             "building the cache; CPU/row: its CPU seconds until ready divided by the rows")
    for number, table in ((3, rt), (7, mem)):
        if number in a.tables:
            emit(table)


def main():
    a = parse_args()
    sluice_bin = os.path.abspath(a.sluice)
    if not os.access(sluice_bin, os.X_OK):
        print("bench: --sluice %s is not an executable; build first (bench/run.sh does)" % a.sluice,
              file=sys.stderr)
        return 2
    skips = tool_skips(a)
    needed = {k: v for k, v in skips.items() if k not in OPTIONAL}
    for name in filter(None, a.skip.split(",")):
        if name not in SKIPPABLE:
            print("bench: --skip %s: expected one of %s" % (name, ", ".join(SKIPPABLE)),
                  file=sys.stderr)
            return 2
        skips[name] = "left out (--skip)"
        needed.pop(name, None)
    if needed and not a.smoke:
        print("bench: a full run needs every baseline; missing:\n  " + "\n  ".join(needed.values()) +
              "\nbench/run.sh installs them", file=sys.stderr)
        return 2
    work = a.work or (tempfile.mkdtemp(prefix="sluice-bench-smoke-") if a.smoke else
                      os.path.join(os.environ.get("TMPDIR", "/tmp"), "sluice-bench"))
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)
    cache_dir = os.path.join(work, "datasets")
    run_dir = tempfile.mkdtemp(prefix="run-", dir=work)
    os.chmod(run_dir, 0o755)
    started = time.monotonic()
    load_start = os.getloadavg()
    print("bench: work dir %s; generating/reusing datasets" % work, flush=True)
    data_dir, paths = data.dataset(cache_dir, a.rows, 1)
    ctx = benches.Ctx(sluice=sluice_bin, rows=a.rows, data_dir=data_dir, csv=paths[0],
                      csv_bytes=os.path.getsize(paths[0]), run_dir=run_dir, cache_dir=cache_dir,
                      load_secs=a.load_secs, lat_secs=a.lat_secs,
                      timeout=max(120, a.rows // 2000),
                      grpc_load=a.grpc_load and os.path.abspath(a.grpc_load))
    ctx.skip = skips
    tables = []
    commit = data.sluice_commit()
    table_start = [os.getloadavg()]

    def emit(t):
        # Each table says what it measured: the sluice commit, the load
        # average since the previous table ended (tables run one after the
        # other: 3 and 7 share one span), its configs and baseline plans.
        end = os.getloadavg()
        start = getattr(t, "load_start", table_start[0])
        t.context.append(("sluice", commit))
        t.context.append(("load average (1, 5, 15 min)", "%s at start, %s at end" % (
            ", ".join("%.2f" % x for x in start), ", ".join("%.2f" % x for x in end))))
        table_start[0] = end
        tables.append(t)
        print(t.text(), flush=True)

    failed = None
    try:
        run_all(a, ctx, emit)
    except BenchError as e:
        failed = str(e)
        print("bench: FAILED: %s" % e, file=sys.stderr)
    finally:
        if ctx.server:
            ctx.server[0].stop()
        if ctx.pg:
            ctx.pg.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
        if a.smoke and not a.work:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    print("\nbench: %d tables in %.0f s" % (len(tables), elapsed))
    out = a.out or (None if a.smoke or a.only else
                    os.path.join(HERE, "results", "%d-rows.md" % a.rows))
    if out:
        load = "%.2f at start, %.2f at end (1-minute averages; other work on the machine skews " \
               "every figure)" % (load_start[0], os.getloadavg()[0])
        machine = data.machine(work, tool_versions()) + [("load average", load)]
        write_markdown(out, a, tables, machine, elapsed, failed)
        print("bench: wrote %s" % out)
    return 1 if failed else 0


def write_markdown(path, a, tables, machine, elapsed, failed):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    cmd = "bench/run.sh" + (" --smoke" if a.smoke else "") + (" --only %s" % a.only if a.only else "")
    lines = ["# sluice benchmarks, %s rows" % f"{a.rows:,}", "",
             "Run %s with `%s` in %.0f s. Every table compares sluice with its baselines "
             "measured in the same run; \"sluice ÷ this\" above 1 means sluice is faster." % (
                 datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), cmd, elapsed), "",
             "| machine | |", "|---|---|"]
    lines += ["| %s | %s |" % (k, v.replace("|", "/")) for k, v in machine]
    lines.append("")
    if failed:
        lines += ["**The run stopped early:** `%s`" % failed.splitlines()[0], ""]
    ordered = sorted(tables, key=lambda t: int(t.title.split(".")[0]))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n" + "\n".join(t.markdown() for t in ordered))


if __name__ == "__main__":
    sys.exit(main())
