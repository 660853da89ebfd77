#!/usr/bin/env python3
"""Compares the REST serving cost of two sluice builds on the same home:
GET by key and the 50-row indexed query (bench/wrk/requests.lua, modes
`point` and `zone`), each build serving in turn, several rounds, measuring
the server's CPU seconds per request (user + system, every thread: steady
on a shared machine) beside requests/s and p99 (which move with the load).

    bench/ab_rest.py --a build-main/bin/sluice --b build-bench/bin/sluice
    bench/ab_rest.py --a A --b B --rows 1000000 --secs 8 --rounds 3 --covering

With --heavy N, each build also serves GET /health and GET by key while N
counts that scan the table run (each about 1M rows x 300 $or branches):
the probes' latency, median and worst, is what a heavy query costs others.

Both builds must read the same home format. wrk must be installed.
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchkit import data  # noqa: E402
from benchkit.httpload import wrk  # noqa: E402
from benchkit.procs import cpu_secs  # noqa: E402
from benchkit.sluice import Home, wait_ready  # noqa: E402


def measure(home, binary, rows, mode, secs, threads, conns):
    """One serve of `binary`: returns (req/s, p99 µs, CPU µs per request)."""
    home.binary = binary
    srv, port = home.serve()
    try:
        wait_ready(port, rows, timeout=600)
        url = "http://127.0.0.1:%d" % port
        wrk(url, mode, rows, threads, conns, 1)  # warm: connections, caches
        before = cpu_secs(srv.proc.pid)
        r = wrk(url, mode, rows, threads, conns, secs)
        cpu = cpu_secs(srv.proc.pid) - before
        return r.rps, r.p99, cpu / r.requests * 1e6
    finally:
        srv.stop()


def heavy_probes(home, binary, rows, heavy, probes=20):
    """Latencies (ms) of GET /health and GET by key while `heavy` scanning
    counts run: (health median, health max, key median, key max)."""
    home.binary = binary
    srv, port = home.serve()
    try:
        wait_ready(port, rows, timeout=600)
        body = json.dumps({"$filter": {"$or": [{"note": "x%d" % i} for i in range(300)]}})

        def count():
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            c.request("POST", "/trips/count", body=body)
            c.getresponse().read()
            c.close()
        threads = [threading.Thread(target=count) for _ in range(heavy)]
        for t in threads:
            t.start()
        time.sleep(0.5)  # the counts are running
        lat = {"/health": [], "/trips/%d" % (rows // 2): []}
        for _ in range(probes):
            for path in lat:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                start = time.monotonic()
                c.request("GET", path)
                c.getresponse().read()
                lat[path].append((time.monotonic() - start) * 1000)
                c.close()
        still = any(t.is_alive() for t in threads)
        for t in threads:
            t.join()
        h, k = lat.values()
        return statistics.median(h), max(h), statistics.median(k), max(k), still
    finally:
        srv.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--a", required=True, help="the first sluice binary (plugins beside it)")
    p.add_argument("--b", required=True, help="the second sluice binary")
    p.add_argument("--rows", type=int, default=1000000)
    p.add_argument("--secs", type=int, default=8, help="wrk duration per measurement")
    p.add_argument("--rounds", type=int, default=3, help="A then B, this many times")
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--conns", type=int, default=50, help="wrk connections")
    p.add_argument("--covering", action="store_true", help="index.covering on the queried index")
    p.add_argument("--heavy", type=int, default=0,
                   help="also probe /health and GET by key while this many scanning counts run")
    p.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "sluice-bench"),
                   help="work directory; datasets are cached here")
    a = p.parse_args()
    data_dir, _ = data.dataset(os.path.join(a.work, "data"), a.rows, 1)
    home = Home(a.a, os.path.join(a.work, "ab-rest"), data_dir, covering=a.covering)
    home.migrate()
    home.ingest(timeout=3600, rows=a.rows)
    results = {}  # (mode, build) -> [(rps, p99, cpu_us)]
    for rnd in range(a.rounds):
        for mode in ("point", "zone"):
            for label, binary in (("A", a.a), ("B", a.b)):
                r = measure(home, binary, a.rows, mode, a.secs, a.threads, a.conns)
                results.setdefault((mode, label), []).append(r)
                print("round %d %-5s %s: %7.0f req/s  p99 %6.2f ms  %5.1f µs CPU/request" %
                      (rnd + 1, mode, label, r[0], r[1] / 1000, r[2]), flush=True)
    if a.heavy:
        print("\n| build | /health median / worst ms | GET by key median / worst ms | counts still running after the probes |")
        print("|---|---|---|---|")
        for label, binary in (("A", a.a), ("B", a.b)):
            r = heavy_probes(home, binary, a.rows, a.heavy)
            print("| %s `%s` | %.1f / %.1f | %.1f / %.1f | %s |" % (label, binary, r[0], r[1], r[2], r[3],
                                                              "yes" if r[4] else "no"), flush=True)
    if not results:
        return
    print("\n| request | build | req/s (median) | p99 ms (median) | server CPU µs/request (median; each round) |")
    print("|---|---|---|---|---|")
    for mode in ("point", "zone"):
        for label, binary in (("A", a.a), ("B", a.b)):
            rs = results[(mode, label)]
            print("| %s | %s `%s` | %.0f | %.2f | %.1f (%s) |" % (
                "GET by key" if mode == "point" else "50-row query", label, binary,
                statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs) / 1000,
                statistics.median(r[2] for r in rs), ", ".join("%.1f" % r[2] for r in rs)))


if __name__ == "__main__":
    main()
