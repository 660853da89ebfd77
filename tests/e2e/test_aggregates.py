"""End to end: aggregates over REST (docs/aggregates.md).

A trips table with a declared aggregate is ingested from two CSV files whose
keys overlap (the second file's rows update the first's), with sluice killed
(SIGKILL) in the middle of the ingest and started again. The maintained
answer (X-Sluice-Plan "... maintained"), the ad-hoc answer of the same
request (a filter on a non-grouped field makes it read the rows) and the
oracle must agree: SQLite's GROUP BY for counts, integer sums, min and max,
and Python's math.fsum (the correctly rounded exact sum) for float sums,
which sluice must match bit for bit. The cache is then deleted and rebuilt
from the log, and answers the same. A config declaring an aggregate on an
unknown field or summing a string is refused with file:line:column.
"""
import math
import os
import re
import shutil
import signal
import sqlite3
import csv
import unittest

from harness import (REST_LINE, TempDirTest, gen_trips, run_cli, wait_ready, wait_until, Http)

ROWS = 3000
MEASURES = ["count", "sum(fare_amount)", "sum(passenger_count)", "min(fare_amount)",
            "max(fare_amount)", "avg(fare_amount)", "max(pickup_zone)"]


def config_text(aggregates, ingest="batch_rows: 50, commit_rows: 100, commit_interval_ms: 20"):
    return "\n".join([
        "home_dir: ./home",
        "storage: { plugin: leveldb }",
        "connections:",
        "  - { name: files, plugin: csv, options: { path: ./data } }",
        "endpoints:",
        "  - name: trips",
        "    connection: files",
        "    index: { primary_key: [trip_id] }",
        "    aggregates:",
    ] + ["      - " + a for a in aggregates] + [
        "api:", REST_LINE,
        f"ingest: {{ {ingest}, poll_interval_ms: 50 }}",
        ""])


def typed(value, kind):
    return None if value == "" else kind(value)


class AggregatesTest(TempDirTest):
    def write_data(self):
        os.makedirs(self.data("trips"))
        gen_trips(self.data("trips/part-000.csv"), ROWS, seed=3)
        # Keys from ROWS/2+1: ROWS/2 of them update rows of the first file.
        gen_trips(self.data("trips/part-001.csv"), 4 * ROWS, seed=4, start_id=ROWS // 2 + 1)
        latest = {}
        for name in ("part-000.csv", "part-001.csv"):
            with open(self.data("trips/" + name), newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    latest[int(row["trip_id"])] = row
        return latest

    def expected(self, latest):
        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE t (trip_id INTEGER PRIMARY KEY, zone INTEGER, fare REAL, "
                   "passengers INTEGER, zone_name TEXT)")
        for r in latest.values():
            db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)",
                       (int(r["trip_id"]), typed(r["pickup_zone_id"], int),
                        typed(r["fare_amount"], float), typed(r["passenger_count"], int),
                        typed(r["pickup_zone"], str)))
        fares = {}
        for r in latest.values():
            fares.setdefault(typed(r["pickup_zone_id"], int), []).append(typed(r["fare_amount"], float))
        out = []
        # SQLite orders NULL first and compares TEXT bytewise, as sluice keys do.
        for zone, count, psum, fmin, fmax, zmax in db.execute(
                "SELECT zone, count(*), sum(passengers), min(fare), max(fare), max(zone_name) "
                "FROM t GROUP BY zone ORDER BY zone"):
            values = [f for f in fares[zone] if f is not None]
            fsum = math.fsum(values) if values else None
            out.append({"pickup_zone_id": zone, "count": count, "sum(fare_amount)": fsum,
                        "sum(passenger_count)": psum, "min(fare_amount)": fmin,
                        "max(fare_amount)": fmax,
                        "avg(fare_amount)": fsum / len(values) if values else None,
                        "max(pickup_zone)": zmax})
        return out

    def aggregate(self, http, body):
        status, headers, groups = http.post("/trips/aggregate", body)
        self.assertEqual(status, 200, groups)
        return groups, headers.get("x-sluice-plan", "")

    def check(self, http, want):
        request = {"$group_by": ["pickup_zone_id"], "$measures": MEASURES, "$limit": 10000}
        got, plan = self.aggregate(http, request)
        self.assertIn("maintained", plan)
        self.assertEqual(got, want)
        adhoc, plan = self.aggregate(http, dict(request, **{"$filter": {"trip_id": {"$gt": 0}}}))
        self.assertIn("ad hoc", plan)
        self.assertEqual(adhoc, want)
        # Paging with $after gives the same groups.
        pages, after = [], None
        while True:
            body = dict(request, **{"$limit": 7})
            if after is not None:
                body["$after"] = after
            page, _ = self.aggregate(http, body)
            if not page:
                break
            pages += page
            after = page[-1]
        self.assertEqual(pages, want)
        # A filter on the grouped field is answered from maintained state too.
        some, plan = self.aggregate(http, dict(request, **{"$filter": {"pickup_zone_id": {"$lt": 5}}}))
        self.assertIn("maintained + filter", plan)
        self.assertEqual(some, [g for g in want if g["pickup_zone_id"] is not None
                                and g["pickup_zone_id"] < 5])

    def test_crash_and_rebuild_match_sqlite(self):
        latest = self.write_data()
        want = self.expected(latest)
        path = os.path.join(self.dir, "sluice.yaml")
        with open(path, "w") as f:
            f.write(config_text(["{ group_by: [pickup_zone_id], measures: [count, "
                                 "sum(fare_amount), sum(passenger_count), min(fare_amount), "
                                 "max(pickup_zone)] }"]))
        s = self.start(path, "run")
        http = Http(s.wait_listening())

        def rows_cached():
            status, _, body = http.get("/")
            if status != 200:
                return 0
            versions = [v for e in body["endpoints"] for v in e["versions"]]
            return max([v["rows"] for v in versions] or [0])
        at_kill = wait_until(rows_cached, 120, "some rows cached")
        s.proc.send_signal(signal.SIGKILL)
        print(f"killed with {at_kill} of {len(latest)} rows cached")
        s.proc.wait()
        http.close()

        def restart_and_check():
            s = self.start(path, "run")
            http = Http(s.wait_listening())
            wait_ready(http, "trips", rows=len(latest))
            self.check(http, want)
            http.close()
            s.stop()

        restart_and_check()
        shutil.rmtree(os.path.join(self.dir, "home", "cache", "trips", "v0001"))
        restart_and_check()

    def test_config_errors_name_the_place(self):
        with open(self.data("trips.csv"), "w") as f:
            f.write("trip_id,fare,payment\n1,2.5,card\n")
        aggregates = ["{ group_by: [zone], measures: [count, sum(fare)] }",
                      "{ group_by: [payment], measures: [count, sum(payment), avg(fares)] }"]
        path = os.path.join(self.dir, "sluice.yaml")
        text = config_text(aggregates)
        with open(path, "w") as f:
            f.write(text)
        lines = text.splitlines()
        first = next(i for i, l in enumerate(lines) if "group_by: [zone]" in l) + 1
        code, out, err = run_cli(path, "migrate")
        self.assertNotEqual(code, 0, out + err)
        for pattern in (
                rf"sluice\.yaml:{first}:\d+: endpoints\[0\]\.aggregates\[0\]\.group_by\[0\]: "
                r"unknown field \"zone\" in group_by",
                rf"sluice\.yaml:{first + 1}:\d+: endpoints\[0\]\.aggregates\[1\]\.measures\[1\]: "
                r"sum needs an int64 or float64 field; field payment is string",
                rf"sluice\.yaml:{first + 1}:\d+: endpoints\[0\]\.aggregates\[1\]\.measures\[2\]: "
                r"unknown field \"fares\" in measure \"avg\(fares\)\""):
            self.assertTrue(re.search(pattern, err), f"{pattern!r} not in:\n{err}")


if __name__ == "__main__":
    unittest.main()
