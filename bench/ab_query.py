#!/usr/bin/env python3
"""Compares the query serving cost of two configurations (and/or builds) of
sluice on the same 1M-row home, measuring the server's CPU seconds per
request (user + system, every thread: steady on a shared machine) beside
requests/s and p99 (which move with the load).

    bench/ab_query.py --a build/bin/sluice --a-query '{ row_cache_mb: 0 }' \
        --modes zone,grpc --rounds 3
    bench/ab_query.py --a OLD/bin/sluice --b build/bin/sluice --modes scan

Modes: zone (REST 50-row query by pickup zone, wrk), point (REST GET by key,
wrk), scan (REST count on an unindexed column, wrk), grpc (the zone query
on gRPC's typed service, bench/grpc_load). A and B serve in turn, each
round. --a-query / --b-query give a `query:` map for that side's config.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchkit import data  # noqa: E402
from benchkit.httpload import LUA  # noqa: E402
from benchkit.procs import BenchError, cpu_secs, run_timed  # noqa: E402
from benchkit.sluice import Home, wait_ready  # noqa: E402


def grpc_run(grpc_load, target, secs, threads, conns):
    """bench/grpc_load on the typed query: (requests, p99 µs)."""
    out = run_timed([grpc_load, "--target", target, "--method", "/sluice.trips.Trips/query",
                     "--threads", str(threads), "--concurrency", str(conns), "--seconds",
                     str(secs)], timeout=secs + 60).out
    line = [x for x in out.splitlines() if x.startswith("GRPCJSON ")]
    if not line:
        raise BenchError("grpc_load printed no result:\n" + out)
    d = json.loads(line[0][9:])
    return d["requests"], d["duration_us"], d["p99"]


def wrk_run(url, mode, rows, threads, conns, secs):
    """wrk with bench/wrk/requests.lua: (requests, duration µs, p99 µs, failed)."""
    out = run_timed(["wrk", "-t", str(threads), "-c", str(conns), "-d", "%ds" % secs, "--timeout",
                     "10s", "-s", LUA, url, "--", mode, str(rows)], timeout=secs + 60).out
    line = [x for x in out.splitlines() if x.startswith("WRKJSON ")]
    if not line:
        raise BenchError("wrk printed no result:\n" + out)
    d = json.loads(line[-1][8:])
    failed = sum(d[k] for k in ("status_errors", "connect_errors", "read_errors", "write_errors",
                                "timeouts"))
    return d["requests"], d["duration_us"], d["p99"], failed


def measure(home, binary, query, rows, mode, a):
    """One serve: returns (req/s, p99 µs, server CPU µs per request)."""
    home.binary = binary
    with open(home.config) as f:
        base = f.read().split("\nquery:")[0].rstrip("\n") + "\n"
    with open(home.config, "w") as f:
        f.write(base + ("query: %s\n" % query if query else ""))
    srv, port = home.serve()
    try:
        wait_ready(port, rows, timeout=600)
        url = "http://127.0.0.1:%d" % port
        if mode == "grpc":
            grpc_run(a.grpc_load, srv.grpc, 1, a.threads, a.conns)  # warm
            before = cpu_secs(srv.proc.pid)
            n, us, p99 = grpc_run(a.grpc_load, srv.grpc, a.secs, a.threads, a.conns)
            cpu = cpu_secs(srv.proc.pid) - before
            return n / (us / 1e6), p99, cpu / n * 1e6
        conns = 1 if mode == "scan" else a.conns
        threads = 1 if mode == "scan" else a.threads
        wrk_run(url, mode, rows, threads, conns, 1)  # warm: connections, caches
        before = cpu_secs(srv.proc.pid)
        n, us, p99, failed = wrk_run(url, mode, rows, threads, conns, a.secs)
        cpu = cpu_secs(srv.proc.pid) - before
        if failed:  # counted in the CPU per request, and shown
            print("  %s: %d of %d requests failed" % (mode, failed, n), flush=True)
        return n / (us / 1e6), p99, cpu / n * 1e6
    finally:
        srv.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--a", required=True, help="sluice binary A (plugins beside it)")
    p.add_argument("--b", help="sluice binary B; default: A")
    p.add_argument("--a-query", default="", help="`query:` map for A, e.g. '{ row_cache_mb: 0 }'")
    p.add_argument("--b-query", default="", help="`query:` map for B")
    p.add_argument("--modes", default="zone,grpc", help="comma-separated: zone, point, scan, grpc")
    p.add_argument("--rows", type=int, default=1000000)
    p.add_argument("--secs", type=int, default=8, help="seconds per measurement")
    p.add_argument("--rounds", type=int, default=3, help="A then B, this many times")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--conns", type=int, default=50)
    p.add_argument("--grpc-load", help="bench/grpc_load binary; default: beside --a")
    p.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "sluice-bench"),
                   help="work directory; datasets are cached here")
    a = p.parse_args()
    a.b = a.b or a.a
    a.grpc_load = a.grpc_load or os.path.join(os.path.dirname(a.a), "grpc_load")
    modes = a.modes.split(",")
    data_dir, _ = data.dataset(os.path.join(a.work, "data"), a.rows, 1)
    home = Home(a.a, os.path.join(a.work, "ab-query"), data_dir, grpc=True)
    home.migrate()
    home.ingest(timeout=3600, rows=a.rows)
    sides = (("A", a.a, a.a_query), ("B", a.b, a.b_query))
    results = {}
    for rnd in range(a.rounds):
        for mode in modes:
            for label, binary, query in sides:
                r = measure(home, binary, query, a.rows, mode, a)
                results.setdefault((mode, label), []).append(r)
                print("round %d %-5s %s: %8.1f req/s  p99 %7.2f ms  %7.1f µs CPU/request" %
                      (rnd + 1, mode, label, r[0], r[1] / 1000, r[2]), flush=True)
    print("\n| request | side | req/s (median) | p99 ms (median) | server CPU µs/request (median; each round) |")
    print("|---|---|---|---|---|")
    for mode in modes:
        for label, binary, query in sides:
            rs = results[(mode, label)]
            print("| %s | %s `%s` %s | %.0f | %.2f | %.1f (%s) |" % (
                mode, label, binary, query, statistics.median(r[0] for r in rs),
                statistics.median(r[1] for r in rs) / 1000, statistics.median(r[2] for r in rs),
                ", ".join("%.1f" % r[2] for r in rs)))


if __name__ == "__main__":
    main()
