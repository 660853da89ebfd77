"""Recovery end to end: a deleted or corrupt cache is rebuilt from the log
while the version reports not ready; a large cache is reopened without a
rebuild; SIGTERM during ingestion stops cleanly and a restart resumes with
nothing lost or repeated; a second stop signal exits at once, still safely.
Runs on the storage backend SLUICE_TEST_STORAGE selects (harness.py)."""
import os
import signal
import time
import unittest

import log_reader
from harness import (STORAGE, TABLE_SUFFIX, Http, TempDirTest, gen_trips, query_all, run_cli,
                     wait_ready, wait_until, write_config)

# Both backends take the same option names here. LevelDB's tables stay
# uncompressed for log_reader; RocksDB logs are uncompressed by default and
# its caches keep the default compression.
STORAGE_OPTIONS = {"leveldb": "compression: none, write_buffer_mb: 4", "rocksdb": "write_buffer_mb: 4"}
FAST_INGEST = "commit_interval_ms: 100, poll_interval_ms: 50"
# ~300 synced commits per 100k rows: ingestion lasts long enough to be interrupted.
SLOW_INGEST = "batch_rows: 100, commit_rows: 300, commit_interval_ms: 100, poll_interval_ms: 50"


class RecoveryTest(TempDirTest):
    ROWS = 250000  # a rebuild lasts long enough to be watched on fast machines

    def setUp(self):
        super().setUp()
        self.cache_dir = os.path.join(self.dir, "home", "cache", "trips", "v0001")
        self.log_dir = os.path.join(self.dir, "home", "pipeline", "logs", "trips", "v0001", "log")

    def config(self, ingest=FAST_INGEST):
        return write_config(self.dir, [{"name": "trips", "primary_key": ["trip_id"],
                                        "secondary": [["pickup_zone_id"]]}],
                            storage_options=STORAGE_OPTIONS, ingest=ingest)

    def ingested(self, rows=ROWS):
        """A home with `rows` trips in the log, the cache not built yet."""
        gen_trips(self.data("trips.csv"), rows)
        cfg = self.config()
        for args in (["migrate"], ["app", "run", "--once"]):
            code, _, err = run_cli(cfg, *args)
            self.assertEqual(code, 0, err)
        return cfg

    def state(self, http):
        status, _, body = http.get("/")
        self.assertEqual(status, 200, body)
        return body["endpoints"][0]["versions"][0]

    def all_rows(self, http):
        return query_all(http, "/trips", "trip_id")

    def serve_until_ready(self, cfg):
        """Starts `api run`; returns (process, http, seconds from start to ready)."""
        t0 = time.time()
        s = self.start(cfg, "api", "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=self.ROWS)
        return s, http, time.time() - t0

    def watch_rebuild(self, s, http):
        """Until the rebuild is done, queries get 503 (never a partial answer)
        and the version says not ready; then it serves every row."""
        saw_503 = False
        while True:
            for method, path in (("POST", "/trips/count"), ("GET", "/trips/1"), ("GET", "/v1/trips/1")):
                status, _, body = http.request(method, path, {} if method == "POST" else None)
                if status == 503:
                    saw_503 = True
                else:
                    self.assertEqual(status, 200, f"{method} {path} while rebuilding: {body}")
                    self.assertEqual(self.state(http)["ready"], True, f"{method} {path} answered before ready")
                    if path.endswith("count"):
                        self.assertEqual(body, {"count": self.ROWS}, "a partial cache was served")
            v = self.state(http)
            if v["ready"]:
                self.assertEqual((v["lag"], v["rows"]), (0, self.ROWS))
                break
            time.sleep(0.02)
        self.assertTrue(saw_503, "the rebuild was never observed: " + s.stderr())

    def test_deleted_cache_is_rebuilt_and_not_ready_meanwhile(self):
        cfg = self.ingested()
        s, http, _ = self.serve_until_ready(cfg)
        before = self.all_rows(http)
        self.assertEqual(len(before), self.ROWS)
        self.assertEqual(s.stop(), 0, s.stderr())
        for name in os.listdir(self.cache_dir):
            os.remove(os.path.join(self.cache_dir, name))
        os.rmdir(self.cache_dir)
        s = self.start(cfg, "api", "run")
        http = Http(s.wait_listening())
        self.watch_rebuild(s, http)
        wait_until(lambda: "cache_offset=0" in s.stderr(), 30, "cache_offset=0")
        self.assertEqual(self.all_rows(http), before)
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_corrupt_cache_is_rebuilt(self):
        cfg = self.ingested()
        s, http, _ = self.serve_until_ready(cfg)
        before = self.all_rows(http)
        self.assertEqual(s.stop(), 0, s.stderr())

        def manifest():
            return os.path.join(self.cache_dir, open(os.path.join(self.cache_dir, "CURRENT")).read().strip())

        def write(path, data):
            with open(path, "wb") as f:
                f.write(data)

        damage = [
            ("CURRENT garbled", lambda: write(os.path.join(self.cache_dir, "CURRENT"), b"\x00garbage")),
            ("CURRENT names a missing MANIFEST",
             lambda: write(os.path.join(self.cache_dir, "CURRENT"), b"MANIFEST-999999\n")),
            ("MANIFEST truncated", lambda: write(manifest(), b"")),
            ("MANIFEST overwritten", lambda: write(manifest(), os.urandom(200))),
        ]
        for what, harm in damage:
            with self.subTest(what):
                harm()
                s = self.start(cfg, "api", "run")
                try:
                    http = Http(s.wait_listening())
                    self.watch_rebuild(s, http)
                    wait_until(lambda: "cache unreadable; rebuilding it from the log" in s.stderr(), 30, "cache unreadable; rebuilding it from the log")
                    wait_until(lambda: "rebuilt=true" in s.stderr(), 30, "rebuilt=true")
                    self.assertEqual(self.all_rows(http), before)
                finally:
                    self.assertEqual(s.stop(), 0, s.stderr())

    def test_cache_found_corrupt_while_serving_is_rebuilt(self):
        # Checksums verified on every read, small tables: damage inside a
        # table block is found by the first query that reads it.
        path = self.config()
        with open(path) as f:
            text = f.read().replace("write_buffer_mb: 4", "write_buffer_mb: 1, paranoid_checks: true")
        with open(path, "w") as f:
            f.write(text)
        gen_trips(self.data("trips.csv"), self.ROWS)
        for args in (["migrate"], ["app", "run", "--once"]):
            self.assertEqual(run_cli(path, *args)[0], 0)
        s, http, _ = self.serve_until_ready(path)
        before = self.all_rows(http)
        self.assertEqual(s.stop(), 0, s.stderr())
        # Reopening turns what the cache's write-ahead file holds into tables.
        s, http, _ = self.serve_until_ready(path)
        self.assertEqual(s.stop(), 0, s.stderr())
        tables = [n for n in os.listdir(self.cache_dir) if n.endswith(TABLE_SUFFIX)]
        self.assertTrue(tables)
        for name in tables:
            p = os.path.join(self.cache_dir, name)
            with open(p, "r+b") as f:
                f.seek(os.path.getsize(p) // 3)
                f.write(b"\xaa" * 64)
        s = self.start(path, "api", "run")
        http = Http(s.wait_listening())
        # Opening reads no damaged block: the version becomes ready, and
        # the first query that reads one finds the damage.
        wait_ready(http, "trips", rows=self.ROWS)
        scan = {"$filter": {"note": {"$contains": "no such note"}}}
        status, _, body = http.post("/trips/count", scan)
        self.assertEqual((status, body["error"]["code"]), (500, "data_loss"), s.stderr())
        # From then on the version is not ready until its rebuilt cache has caught up.
        self.watch_rebuild(s, http)
        status, _, body = http.post("/trips/count", scan)
        self.assertEqual((status, body), (200, {"count": 0}), s.stderr())
        self.assertEqual(self.all_rows(http), before)
        wait_until(lambda: "cache found corrupt; rebuilding it from the log" in s.stderr(), 30, "cache found corrupt; rebuilding it from the log")
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_restart_with_large_cache_is_ready_without_rebuilding(self):
        cfg = self.ingested()
        s, http, rebuild = self.serve_until_ready(cfg)
        log_end = self.state(http)["log_end"]
        self.assertEqual(s.stop(), 0, s.stderr())
        t0 = time.time()
        s = self.start(cfg, "api", "run")
        http = Http(s.wait_listening())
        listening = time.time()
        # The cache is opened already caught up with the log: nothing is
        # rebuilt or applied (how fast that is, is bench's to measure).
        wait_ready(http, "trips", rows=self.ROWS)
        ready = time.time()
        line = f"log_end={log_end} cache_offset={log_end} rebuilt=false"
        wait_until(lambda: line in s.stderr(), 30, line)
        self.assertEqual(self.state(http)["cache_offset"], log_end)
        print(f"\nready {ready - t0:.2f}s after a restart ({ready - listening:.3f}s after listening), "
              f"full rebuild {rebuild:.2f}s ({self.ROWS} rows)")
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_ready_after_restart_when_a_size_commit_took_the_last_rows(self):
        # 1000 rows: commits of 300, 300, 300, then 100 at the end. The 300
        # appended rows fill one size commit just before the end is seen;
        # the log must still end with a commit saying the input ended.
        gen_trips(self.data("trips.csv"), 1000)
        cfg = self.config("batch_rows: 100, commit_rows: 300, commit_interval_ms: 3600000")
        for args in (["migrate"], ["app", "run", "--once"]):
            self.assertEqual(run_cli(cfg, *args)[0], 0)
        gen_trips(self.data("more.csv"), 300, seed=9, start_id=1001)
        with open(self.data("more.csv")) as f:
            extra = f.read().split("\n", 1)[1]
        os.remove(self.data("more.csv"))
        with open(self.data("trips.csv"), "a") as f:
            f.write(extra)
        code, _, err = run_cli(cfg, "app", "run", "--once")
        self.assertEqual(code, 0, err)
        self.assertIn("rows=300 ", err)
        records, _, _ = log_reader.read_log(self.log_dir)
        self.assertEqual(log_reader.decode_commit(records[-1][1])[0] & 1, 1, "last commit not at end")
        s = self.start(cfg, "api", "run")
        wait_ready(Http(s.wait_listening()), "trips", rows=1300, timeout=20)
        self.assertEqual(s.stop(), 0, s.stderr())

    def verify_log(self, rows):
        """The log holds rows 1..rows once each, in order, in whole commits."""
        self.assertEqual(log_reader.is_rocksdb(self.log_dir), STORAGE == "rocksdb",
                         f"the log is not on the selected backend {STORAGE}")
        records, _, _ = log_reader.read_log(self.log_dir)
        ids, pending = [], 0
        for kind, payload in records:
            if kind == log_reader.KIND_COMMIT:
                self.assertEqual(log_reader.decode_commit(payload)[1], pending)
                pending = 0
            else:
                ids.append(log_reader.first_int64(payload))
                pending += 1
        self.assertEqual(pending, 0)
        self.assertEqual(ids, list(range(1, rows + 1)), "rows lost, repeated or reordered")

    def start_slow_ingest(self):
        gen_trips(self.data("trips.csv"), self.ROWS)
        cfg = self.config(SLOW_INGEST)
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        wait_until(lambda: self.state(http)["log_end"] > 3000, 60, "ingestion under way")
        return cfg, s

    def resume_and_check(self, cfg, rows_before):
        code, _, err = run_cli(cfg, "app", "run", "--once")
        self.assertEqual(code, 0, err)
        self.assertIn("resume=checkpoint", err)
        self.assertIn(f"rows={self.ROWS - rows_before} ", err)
        self.verify_log(self.ROWS)
        s = self.start(cfg, "api", "run")
        wait_ready(Http(s.wait_listening()), "trips", rows=self.ROWS)
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_sigterm_during_ingestion_exits_0_and_resumes(self):
        cfg, s = self.start_slow_ingest()
        self.assertEqual(s.stop(signal.SIGTERM), 0, s.stderr())
        err = s.stderr()
        self.assertIn("stop requested signal=SIGTERM", err)
        line = [l for l in err.splitlines() if "ingest stopped" in l]
        self.assertEqual(len(line), 1, err)
        rows_before = int(line[0].split("rows=")[1].split()[0])
        self.assertLess(rows_before, self.ROWS, "ingestion was over before the signal")
        self.resume_and_check(cfg, rows_before)

    def test_second_signal_exits_at_once_and_restart_is_consistent(self):
        cfg, s = self.start_slow_ingest()
        s.proc.send_signal(signal.SIGTERM)
        s.proc.send_signal(signal.SIGINT)
        self.assertEqual(s.proc.wait(30), 130, s.stderr())
        self.assertIn("second stop signal: exiting now", s.stderr())
        # Whatever was committed before the exit is whole; the rest comes on restart.
        records, _, _ = log_reader.read_log(self.log_dir)
        rows_before = sum(1 for kind, _ in records if kind != log_reader.KIND_COMMIT)
        self.resume_and_check(cfg, rows_before)


if __name__ == "__main__":
    unittest.main()
