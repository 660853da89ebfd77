"""End to end: CSV files -> sluice run -> REST, every row intact; resume,
bad rows, graceful stop."""
import os
import signal
import unittest

from harness import (Http, TempDirTest, gen_trips, read_csv_typed, run_cli, wait_ready, wait_until,
                     write_config)

TRIP_TYPES = {
    "trip_id": int, "vendor_id": int, "pickup_at": str, "dropoff_at": str, "passenger_count": int,
    "trip_distance": float, "pickup_zone_id": int, "dropoff_zone_id": int, "pickup_zone": str,
    "payment_type": str, "fare_amount": float, "tip_amount": float, "total_amount": float,
    "store_and_fwd": lambda s: s == "true", "note": str,
}


def expected(row):
    return {k: (None if v == "" else TRIP_TYPES[k](v)) for k, v in row.items()}


def check_every_row(test, http, csv_path, rows):
    """Asserts that `http` serves each of the `rows` trips of the CSV file
    at `csv_path` intact from version 1 (by key, counted, the first page in
    key order); returns the file's rows (read_csv_typed)."""
    want = read_csv_typed(csv_path)
    test.assertEqual(len(want), rows)
    for row in want:
        status, headers, got = http.get("/trips/" + row["trip_id"])
        test.assertEqual(status, 200, got)
        test.assertEqual(headers["x-sluice-version"], "1")
        test.assertEqual(list(got.keys()), list(row.keys()))
        test.assertEqual(got, expected(row))
    status, _, body = http.post("/trips/count")
    test.assertEqual((status, body), (200, {"count": rows}))
    status, _, first = http.get("/trips")
    test.assertEqual(status, 200)
    test.assertEqual([r["trip_id"] for r in first], list(range(1, 51)))
    return want


class IngestServeTest(TempDirTest):
    def config(self, **kw):
        ep = {"name": "trips", "primary_key": ["trip_id"], "secondary": [["pickup_zone_id"]]}
        ep.update(kw)
        return write_config(self.dir, [ep])

    def test_every_row_arrives_intact(self):
        n = 5000
        gen_trips(self.data("trips.csv"), n)
        s = self.start(self.config(), "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=n)
        want = check_every_row(self, http, self.data("trips.csv"), n)
        status, _, v1 = http.get("/v1/trips/7")
        self.assertEqual(v1, expected(want[6]))
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_covering_index_answers_like_the_rows(self):
        # Rows read from covering index entries are the rows: every zone's
        # trips, in key order and reversed, equal the CSV's, also after a
        # restart that continues appending.
        gen_trips(self.data("trips.csv"), 3000)
        cfg = self.config(covering=True)
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=3000)
        want = [expected(r) for r in read_csv_typed(self.data("trips.csv"))]
        zones = sorted({r["pickup_zone_id"] for r in want if r["pickup_zone_id"] is not None})
        for z in zones[:12]:
            rows = [r for r in want if r["pickup_zone_id"] == z]
            for order, ordered in (("asc", rows), ("desc", rows[::-1])):
                status, headers, got = http.post("/trips/query", {"$filter": {"pickup_zone_id": z},
                                                                  "$order_by": {"trip_id": order}, "$limit": 10000})
                self.assertEqual(status, 200, got)
                self.assertIn("pickup_zone_id", headers["x-sluice-plan"])  # the index was walked
                self.assertEqual(got, ordered, (z, order))
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_restart_resumes_without_reingesting(self):
        gen_trips(self.data("trips.csv"), 1000)
        cfg = self.config()
        code, out, err = run_cli(cfg, "migrate")
        self.assertEqual(code, 0, err)
        self.assertIn("trips: new version v1 (no version yet)", out)
        code, _, err = run_cli(cfg, "app", "run", "--once")
        self.assertEqual(code, 0, err)
        self.assertIn("rows=1000", err)
        code, _, err = run_cli(cfg, "app", "run", "--once")
        self.assertEqual(code, 0, err)
        self.assertIn("rows=0", err)
        # Rows appended to the file are picked up, and only they.
        gen_trips(self.data("more.csv"), 300, seed=9, start_id=1001)
        with open(self.data("more.csv")) as f:
            extra = f.read().split("\n", 1)[1]
        with open(self.data("trips.csv"), "a") as f:
            f.write(extra)
        code, _, err = run_cli(cfg, "app", "run", "--once")
        self.assertEqual(code, 0, err)
        self.assertIn("rows=300", err)
        code, out, err = run_cli(cfg, "migrate")
        self.assertEqual(code, 0, err)
        self.assertIn("trips: unchanged (v1)", out)
        s = self.start(cfg, "api", "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=1300)
        self.assertEqual(http.get("/trips/1300")[2]["trip_id"], 1300)
        self.assertEqual(s.stop(signal.SIGINT), 0)

    def test_bad_row_fails_with_location_and_keeps_good_rows(self):
        with open(self.data("trips.csv"), "w") as f:
            f.write("trip_id,fare\n1,2.5\n2,3.5\n3,abc\n4,1.0\n")
        cfg = self.config(secondary=None, options={"types": {"fare": "float64"}})
        self.assertEqual(run_cli(cfg, "migrate")[0], 0)
        code, out, err = run_cli(cfg, "app", "run", "--once")
        self.assertEqual(code, 1, err)
        self.assertIn("trips.csv:4", err)
        self.assertIn("fare", err)
        self.assertIn("abc", err)
        # With the skip policy the rest arrives and the bad row is counted.
        cfg = self.config(secondary=None, options={"types": {"fare": "float64"}, "on_error": "skip"})
        code, out, err = run_cli(cfg, "app", "run", "--once")
        self.assertEqual(code, 0, err)
        self.assertIn("rejected=1", err)
        s = self.start(cfg, "api", "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=3)
        self.assertEqual(http.get("/trips/2")[2], {"trip_id": 2, "fare": 3.5})
        self.assertEqual(http.get("/trips/3")[0], 404)
        self.assertEqual(http.get("/trips/4")[2], {"trip_id": 4, "fare": 1.0})

    def test_bad_source_options_are_a_configuration_error(self):
        gen_trips(self.data("trips.csv"), 10)
        cfg = self.config(options={"on_eror": "skip"})
        for args in (("run",), ("migrate",)):
            code, _, err = run_cli(cfg, *args)
            self.assertEqual(code, 2, err)
            self.assertIn("on_eror", err)

    def test_schema_change_without_migrate_is_refused(self):
        with open(self.data("trips.csv"), "w") as f:
            f.write("trip_id,fare\n1,2.5\n")
        cfg = self.config(secondary=None)
        self.assertEqual(run_cli(cfg, "migrate")[0], 0)
        with open(self.data("trips.csv"), "w") as f:
            f.write("trip_id,fare,tip\n1,2.5,1\n")
        code, _, err = run_cli(cfg, "app", "run", "--once")
        self.assertEqual(code, 1)
        self.assertIn("run `sluice migrate`", err)
        self.assertIn("column added: tip (int64, nullable)", err)

    def test_progress_on_a_terminal(self):
        import pty
        import select
        import subprocess
        gen_trips(self.data("trips.csv"), 20000)
        cfg = self.config()
        self.assertEqual(run_cli(cfg, "migrate")[0], 0)
        master, slave = pty.openpty()
        from harness import SLUICE_BIN
        p = subprocess.Popen([SLUICE_BIN, "-c", cfg, "app", "run", "--once"], stdout=subprocess.DEVNULL,
                             stderr=slave, stdin=subprocess.DEVNULL)
        os.close(slave)
        out = b""
        while True:
            r, _, _ = select.select([master], [], [], 30)
            if not r:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        self.assertEqual(p.wait(30), 0)
        text = out.decode("utf-8", "replace")
        self.assertRegex(text, r"trips: 20\.0k rows, [0-9.]+ [kM]B/[0-9.]+ [kM]B, [0-9.]+[kM]? rows/s, caught up")


if __name__ == "__main__":
    unittest.main()
