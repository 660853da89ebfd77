#!/usr/bin/env python3
"""Declared aggregate vs PostgreSQL GROUP BY, in the same run.

The trips dataset (tests/tools/gen_trips.py, --rows rows) is served by sluice
with a declared aggregate (count and sum(fare_amount) by pickup_zone_id,
docs/aggregates.md) and loaded into PostgreSQL with its best index for that
query: (pickup_zone_id) INCLUDE (fare_amount), then VACUUM ANALYZE, so that
PostgreSQL may answer with an index-only scan (or a parallel scan if its
planner prefers). Each side then answers the same question --requests
times:

  sluice      POST /trips/aggregate {"$group_by": ["pickup_zone_id"],
                                     "$measures": ["count", "sum(fare_amount)"]}
              (one keep-alive connection; the plan must say "maintained")
  sluice      the same with a filter on a non-grouped field, which reads rows
  (ad hoc)    (fare_amount > -1e9: every row), for reference, fewer requests
  PostgreSQL  SELECT pickup_zone_id, count(*), sum(fare_amount) FROM trips
              GROUP BY pickup_zone_id ORDER BY pickup_zone_id (one psql session)

and reports per request the server's CPU seconds (the sluice process; the
PostgreSQL postmaster's process tree) and the wall time. The answers are
checked against each other (counts equal, sums within 1e-9 relative:
PostgreSQL adds doubles in scan order, sluice rounds the exact sum once).

  bench/aggregate_bench.py --sluice build/bin/sluice [--rows 1000000] [--out FILE]
"""
import argparse
import datetime
import http.client
import json
import os
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchkit import data, pg  # noqa: E402
from benchkit import baselines as bl  # noqa: E402
from benchkit.procs import BenchError, cpu_secs  # noqa: E402
from benchkit.sluice import Home, wait_ready  # noqa: E402

AGGREGATE = "{ group_by: [pickup_zone_id], measures: [count, sum(fare_amount)] }"
SCAN_BUDGET = "query: { scan_budget: 100000000 }\n"  # the ad hoc request reads every row
REQUEST = {"$group_by": ["pickup_zone_id"], "$measures": ["count", "sum(fare_amount)"],
           "$limit": 10000}
AD_HOC = dict(REQUEST, **{"$filter": {"fare_amount": {"$gt": -1e9}}})
PG_INDEX = "CREATE INDEX trips_zone_fare ON trips (pickup_zone_id) INCLUDE (fare_amount)"
PG_QUERY = ("SELECT pickup_zone_id, count(*), sum(fare_amount) FROM trips "
            "GROUP BY pickup_zone_id ORDER BY pickup_zone_id")


def sluice_side(binary, root, data_dir, rows, requests, adhoc_requests):
    home = Home(binary, root, data_dir, secondary=False, aggregates=[AGGREGATE], extra=SCAN_BUDGET)
    home.migrate()
    t_ingest = home.ingest(timeout=3600)
    srv, port = home.serve()
    try:
        t0 = time.monotonic()
        wait_ready(port, rows, timeout=3600)
        build_secs = time.monotonic() - t0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        out = {"ingest_secs": t_ingest.secs, "ingest_cpu": t_ingest.cpu, "build_secs": build_secs}
        for name, body, n in (("maintained", REQUEST, requests), ("adhoc", AD_HOC, adhoc_requests)):
            text = json.dumps(body)
            answer, plan = None, None
            cpu0, w0 = cpu_secs(srv.proc.pid), time.monotonic()
            for _ in range(n):
                conn.request("POST", "/trips/aggregate", body=text,
                             headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                raw = r.read()
                if r.status != 200:
                    raise BenchError("aggregate answered %d: %s" % (r.status, raw[:500]))
                plan = r.getheader("X-Sluice-Plan")
                answer = raw
            out[name] = {"cpu": (cpu_secs(srv.proc.pid) - cpu0) / n,
                         "wall": (time.monotonic() - w0) / n, "plan": plan, "n": n,
                         "groups": json.loads(answer)}
        conn.close()
        return out
    finally:
        srv.stop()


def pg_side(root, csv_path, requests):
    db = pg.Postgres(root)
    try:
        db.psql(bl.PG_TABLE, timeout=60)
        db.psql("COPY trips FROM '%s' WITH (FORMAT csv, HEADER true)" % csv_path, timeout=3600)
        db.psql(PG_INDEX, timeout=3600)
        db.psql("VACUUM ANALYZE trips", timeout=3600)
        plan, _ = db.psql("EXPLAIN " + PG_QUERY, timeout=60)
        db.psql(PG_QUERY, timeout=600)  # warm the buffers, as sluice's first request is not timed either
        t, _ = db.psql(";".join([PG_QUERY] * requests), timeout=3600)
        last = t.out.strip().splitlines()[-_groups(t.out, requests):]
        groups = []
        for line in last:
            zone, count, total = line.split("|")
            groups.append({"pickup_zone_id": None if zone == "" else int(zone),
                           "count": int(count), "sum(fare_amount)": float(total) if total else None})
        return {"cpu": t.cpu / requests, "wall": t.secs / requests, "plan": plan.out.strip(),
                "version": db.version(), "groups": groups}
    finally:
        db.stop()


def _groups(out, requests):
    lines = out.strip().splitlines()
    return len(lines) // requests


def check(a, b):
    if len(a) != len(b):
        raise BenchError("sluice has %d groups, PostgreSQL %d" % (len(a), len(b)))
    for x, y in zip(sorted(a, key=lambda g: (g["pickup_zone_id"] is not None, g["pickup_zone_id"] or 0)),
                    sorted(b, key=lambda g: (g["pickup_zone_id"] is not None, g["pickup_zone_id"] or 0))):
        if x["pickup_zone_id"] != y["pickup_zone_id"] or x["count"] != y["count"]:
            raise BenchError("groups differ: %s vs %s" % (x, y))
        s, t = x["sum(fare_amount)"], y["sum(fare_amount)"]
        if (s is None) != (t is None) or (s is not None and abs(s - t) > 1e-9 * max(1, abs(t))):
            raise BenchError("sums differ: %s vs %s" % (x, y))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sluice", required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=200, help="sluice maintained requests")
    ap.add_argument("--adhoc-requests", type=int, default=3)
    ap.add_argument("--pg-requests", type=int, default=10)
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "sluice-bench"))
    ap.add_argument("--out")
    a = ap.parse_args()
    data_dir, paths = data.dataset(os.path.join(a.work, "data"), a.rows, 1)
    root = tempfile.mkdtemp(prefix="sluice-agg-bench-")
    os.chmod(root, 0o755)  # PostgreSQL runs as its own user
    try:
        s = sluice_side(os.path.abspath(a.sluice), os.path.join(root, "sluice"), data_dir, a.rows,
                        a.requests, a.adhoc_requests)
        p = pg_side(root, paths[0], a.pg_requests)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    check(s["maintained"]["groups"], p["groups"])
    check(s["adhoc"]["groups"], p["groups"])
    m, h = s["maintained"], s["adhoc"]
    rows = [("sluice, declared aggregate (%s), %d requests" % (m["plan"], m["n"]), m),
            ("sluice, ad hoc (%s), %d requests" % (h["plan"], h["n"]), h),
            ("PostgreSQL GROUP BY, best index, %d requests" % a.pg_requests, p)]
    lines = ["# Declared aggregate vs PostgreSQL GROUP BY, %d rows" % a.rows, "",
             "%s, `bench/aggregate_bench.py --rows %d`; %s; %d groups." % (
                 datetime.date.today().isoformat(), a.rows, p["version"], len(p["groups"])), "",
             "| what | server CPU ms / request | wall ms / request |", "|---|---|---|"]
    for name, r in rows:
        lines.append("| %s | %.3f | %.3f |" % (name, r["cpu"] * 1e3, r["wall"] * 1e3))
    ratio_cpu = p["cpu"] / m["cpu"] if m["cpu"] > 0 else float("inf")
    ratio_wall = p["wall"] / m["wall"]
    lines += ["", "Target: declared aggregate >= 10x PostgreSQL. CPU: %.0fx, wall: %.0fx (%s)." % (
        ratio_cpu, ratio_wall, "met" if min(ratio_cpu, ratio_wall) >= 10 else "NOT met"),
        "", "sluice ingest %.1f s, cache build (with the aggregate) %.1f s." % (
            s["ingest_secs"], s["build_secs"]), "", "PostgreSQL's plan:", "", "```", p["plan"], "```"]
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
