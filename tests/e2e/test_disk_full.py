"""A full disk is survived: while the home's filesystem takes no writes the
ingest shows `storage_error` (GET /, /ready, /metrics) and retries with
backoff, other endpoints keep serving, and once space returns everything
resumes by itself, with every source row served exactly once. A cache
whose disk fills in the middle of a batch keeps serving what it held and
resumes from its last applied commit.

The full disk is tests/tools/enospc_shim.c (LD_PRELOAD): writes and syncs
of files under a directory fail while a control file exists. Runs on the
storage backend SLUICE_TEST_STORAGE selects (harness.py)."""
import os
import re
import shutil
import unittest

from harness import (Http, TempDirTest, gen_trips, query_all, read_csv_typed, wait_until,
                     write_config)

SHIM = os.environ.get("SLUICE_ENOSPC_SHIM",
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build",
                                   "lib", "libsluice_enospc_shim.so"))
TYPES = {
    "trip_id": int, "vendor_id": int, "pickup_at": str, "dropoff_at": str, "passenger_count": int,
    "trip_distance": float, "pickup_zone_id": int, "dropoff_zone_id": int, "pickup_zone": str,
    "payment_type": str, "fare_amount": float, "tip_amount": float, "total_amount": float,
    "store_and_fwd": lambda s: s == "true", "note": str,
}
# Small memtables, so that engines also flush and compact while the disk is full.
STORAGE_OPTIONS = {"leveldb": "write_buffer_mb: 1", "rocksdb": "write_buffer_mb: 1"}
FIRST, MORE = 20000, 30000


def typed(row):
    return {k: (None if v == "" else TYPES[k](v)) for k, v in row.items()}


class DiskFullTest(TempDirTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists(SHIM):
            self.fail("the test shim is not built: " + SHIM)
        self.home = os.path.realpath(os.path.join(self.dir)) + "/home"
        self.control = os.path.join(self.dir, "disk-full")
        os.makedirs(self.data("trips"))
        self.stage = os.path.join(self.dir, "stage")
        os.makedirs(self.stage)
        gen_trips(self.data("trips/part-0.csv"), FIRST, seed=1)
        with open(self.data("zones.csv"), "w") as f:
            f.write("zone_id,name\n" + "".join(f"{i},zone {i}\n" for i in range(1, 51)))
        self.cfg = write_config(
            self.dir, [{"name": "trips", "primary_key": ["trip_id"], "secondary": [["pickup_zone_id"]]},
                       {"name": "zones", "primary_key": ["zone_id"]}],
            storage_options=STORAGE_OPTIONS,
            ingest="commit_interval_ms: 100, poll_interval_ms: 50, retry_min_ms: 100, retry_max_ms: 800")

    # ---- the full disk -------------------------------------------------

    def start_server(self, full_dir):
        """`sluice run` with writes under `full_dir` failing while the disk is full."""
        env = {"LD_PRELOAD": SHIM, "SLUICE_ENOSPC_DIR": full_dir,
               "SLUICE_ENOSPC_CONTROL": self.control}
        self.s = self.start(self.cfg, "run", env=env)
        self.http = Http(self.s.wait_listening())
        self.wait_rows("trips", FIRST)
        self.wait_rows("zones", 50)

    def fill(self, mode="full"):
        with open(self.control, "w") as f:
            f.write(mode + "\n")

    def free(self):
        os.remove(self.control)

    def failures(self):
        """Writes and syncs the shim has failed so far."""
        try:
            return os.path.getsize(self.control + ".count")
        except FileNotFoundError:
            return 0

    def add_rows(self):
        """MORE trips arrive as a new file (renamed in whole)."""
        part = os.path.join(self.stage, "part-1.csv")
        gen_trips(part, MORE, seed=2, start_id=FIRST + 1)
        shutil.move(part, self.data("trips/part-1.csv"))

    # ---- reading the server --------------------------------------------

    def index(self):
        status, _, body = self.http.get("/")
        self.assertEqual(status, 200, body)
        return {e["name"]: e for e in body["endpoints"]}

    def metrics(self):
        status, _, body = self.http.get("/metrics")
        self.assertEqual(status, 200)
        return body.decode() if isinstance(body, bytes) else str(body)

    def metric(self, text, name, **labels):
        want = ",".join(f'{k}="{v}"' for k, v in labels.items())
        for line in text.splitlines():
            m = re.match(r"(\w+)\{([^}]*)\} (\S+)$", line)
            if m and m.group(1) == name and all(p in m.group(2).split(",") for p in want.split(",")):
                return float(m.group(3))
        return None

    def wait_rows(self, name, rows, timeout=120):
        def check():
            e = self.index()[name]
            cur = e["current_version"]
            if cur == 0:
                return None
            v = [x for x in e["versions"] if x["version"] == cur]
            return v and v[0]["ready"] and v[0]["rows"] == rows and v[0]["lag"] == 0 and e
        return self.wait(check, timeout, f"{name} to serve {rows} rows")

    def wait(self, fn, timeout, what):
        """wait_until, failing with the server's last log lines."""
        try:
            return wait_until(fn, timeout, what)
        except AssertionError as e:
            raise AssertionError(f"{e}\n--- sluice stderr ---\n{self.s.stderr()[-4000:]}") from None

    def wait_log(self, text, timeout=30):
        self.wait(lambda: text in self.s.stderr(), timeout, f"log line {text!r}")

    def check_other_endpoint_serves(self):
        status, _, body = self.http.get("/zones/7")
        self.assertEqual((status, body.get("name") if isinstance(body, dict) else body),
                         (200, "zone 7"), self.s.stderr()[-3000:])
        status, _, body = self.http.get("/trips/5")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["trip_id"], 5)

    def check_every_row_once(self):
        want = [typed(r) for r in read_csv_typed(self.data("trips/part-0.csv"))]
        want += [typed(r) for r in read_csv_typed(self.data("trips/part-1.csv"))]
        got = query_all(self.http, "/trips", order_by="trip_id")
        ids = [r["trip_id"] for r in got]
        self.assertEqual(len(ids), len(set(ids)), "a trip is served twice")
        self.assertEqual(len(got), len(want))
        for g, w in zip(got, want):
            if g != w:
                self.assertEqual(g, w)
        status, _, body = self.http.post("/trips/count")
        self.assertEqual((status, body), (200, {"count": FIRST + MORE}))
        # The log holds each row once too: one record per row plus commits.
        v = self.index()["trips"]["versions"][0]
        self.assertEqual(v["rows"], FIRST + MORE)

    def tearDown(self):
        if os.path.exists(self.control):
            os.remove(self.control)
        super().tearDown()

    # ---- the tests ------------------------------------------------------

    def full_disk_during_ingest(self, mode, errno_text):
        self.start_server(self.home)
        self.fill(mode)
        self.add_rows()

        def stopped():
            ing = self.index()["trips"].get("ingest", {})
            return ing.get("state") == "storage_error" and ing
        ing = self.wait(stopped, 60, "trips to show storage_error")
        self.assertIn(errno_text, ing["detail"])
        self.assertIn(self.home, ing["detail"])  # the path
        text = self.metrics()
        self.assertEqual(self.metric(text, "sluice_ingest_state", endpoint="trips",
                                     state="storage_error"), 1.0, text)
        self.assertEqual(self.metric(text, "sluice_ingest_up", endpoint="trips"), 0.0, text)
        status, _, body = self.http.get("/ready")
        self.assertEqual(status, 503, body)
        reason = [e for e in body["endpoints"] if e["name"] == "trips"][0]["reason"]
        self.assertIn("storage error", reason)
        self.assertIn(errno_text, reason)
        self.check_other_endpoint_serves()
        # An admin pin cannot be recorded: refused, and nothing changes.
        admin = self.s.admin()
        status, _, body = admin.request("PUT", "/admin/endpoints/zones/current", {"version": 1})
        self.assertEqual(status, 503, body)
        self.assertIn("pins.json", body["error"]["message"])
        self.assertFalse(os.path.exists(self.home + "/pins.json"))
        self.assertFalse(os.path.exists(self.home + "/pins.json.tmp"))
        self.assertEqual(self.index()["zones"]["pinned"], False)
        # It retries while the disk stays full (with backoff, not once).
        seen = self.failures()
        self.wait(lambda: self.failures() > seen, 30, "another try while the disk is full")
        self.wait_log("ingest stopped; retrying")
        self.assertEqual(self.index()["trips"]["ingest"]["state"], "storage_error")

        self.free()
        self.wait_rows("trips", FIRST + MORE)
        self.wait(lambda: self.index()["trips"]["ingest"]["state"] == "caught_up", 60,
                   "trips to catch up")
        self.check_every_row_once()
        text = self.metrics()
        self.assertEqual(self.metric(text, "sluice_ingest_up", endpoint="trips"), 1.0, text)
        status, _, body = self.http.get("/ready")
        self.assertEqual(status, 200, body)
        status, _, body = admin.request("PUT", "/admin/endpoints/zones/current", {"version": 1})
        self.assertEqual(status, 200, body)
        self.assertTrue(os.path.exists(self.home + "/pins.json"))
        self.assertNotIn("cache found corrupt", self.s.stderr())
        self.assertNotIn("cutting incomplete or corrupt tail", self.s.stderr())
        self.assertEqual(self.s.stop(), 0, self.s.stderr()[-3000:])

    def test_full_disk_during_ingest(self):
        """Writes fail with ENOSPC (a short write first) under the whole home."""
        self.full_disk_during_ingest("full", "No space left on device")

    def test_failed_sync_during_ingest(self):
        """Writes succeed but fsync fails: the engines refuse every later write
        until their database is reopened."""
        self.full_disk_during_ingest("sync", "Input/output error")

    def test_failure_in_the_middle_of_a_cache_batch(self):
        """Only the cache's directory is full: the log takes the new rows, the
        cache's write is cut in its middle; the old rows stay served, and once
        space returns the cache resumes from its last applied commit."""
        cache_dir = self.home + "/cache/trips"
        self.start_server(cache_dir)
        self.fill("full")
        self.add_rows()
        self.wait(lambda: self.index()["trips"]["versions"][0]["log_end"] >= FIRST + MORE, 60,
                   "the log to take the new rows")

        def waiting():
            v = self.metric(self.metrics(), "sluice_cache_storage_error", endpoint="trips")
            return v == 1.0
        self.wait(waiting, 60, "the cache build to wait for storage")
        self.wait_log("cache build waits for storage; retrying")
        self.assertGreater(self.failures(), 0)
        text = self.metrics()
        self.assertGreaterEqual(self.metric(text, "sluice_cache_storage_errors_total",
                                            endpoint="trips"), 1.0, text)
        # What the cache held is still served; the new rows are not there yet.
        self.check_other_endpoint_serves()
        status, _, _ = self.http.get(f"/trips/{FIRST + MORE}")
        self.assertEqual(status, 404)
        v = self.index()["trips"]["versions"][0]
        self.assertLess(v["rows"], FIRST + MORE)
        seen = self.failures()
        self.wait(lambda: self.failures() > seen, 30, "another probe while the disk is full")

        self.free()
        self.wait_log("space is back; reopening the cache")
        self.wait_rows("trips", FIRST + MORE)
        self.check_every_row_once()
        self.assertEqual(self.metric(self.metrics(), "sluice_cache_storage_error", endpoint="trips"),
                         0.0)
        # Resumed from its checkpoint: neither found corrupt nor rebuilt.
        self.assertNotIn("rebuilding", self.s.stderr())
        self.assertNotIn("cache found corrupt", self.s.stderr())
        self.assertEqual(self.s.stop(), 0, self.s.stderr()[-3000:])
        # A restart opens the same cache without a rebuild and serves every row.
        self.s = self.start(self.cfg, "run")
        self.http = Http(self.s.wait_listening())
        self.wait_rows("trips", FIRST + MORE)
        self.assertNotIn("cache unreadable", self.s.stderr())
        self.check_every_row_once()
        self.assertEqual(self.s.stop(), 0, self.s.stderr()[-3000:])


if __name__ == "__main__":
    unittest.main()
