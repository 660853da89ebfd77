"""Crash harness: runs the real binary on a gen_trips dataset, kills it with
SIGKILL at random moments (while it migrates, ingests, follows new files and
builds its cache), restarts it every time, and at the end checks that the
served data and the log equal the source exactly: every row, once, in order
(also for an endpoint without a primary key, whose rows are keyed by their
log position).

The kill schedule (delays, which files arrive when, which caches are
deleted) comes from a seeded RNG. The seed is printed; rerun a schedule with
SLUICE_CRASH_SEED=<seed>. SLUICE_CRASH_KILLS sets the number of kills
(default 36) for longer soak runs. What a kill interrupts still depends on
timing, so each kill is classified from the state probed just before it.
It runs on the storage backend SLUICE_TEST_STORAGE selects (harness.py).
"""
import csv
import os
import random
import shutil
import signal
import sys
import time
import unittest

import log_reader
from harness import (STORAGE, Http, Sluice, TempDirTest, gen_trips, query_all, wait_ready,
                     write_config)

FILES = 20                 # part-000.csv ... part-019.csv
ROWS_PER_FILE = 7500       # 150 000 rows in all
SPLIT_FILES = {5, 11, 16}  # written in two steps: rows appended to the last file
INITIAL_FILES = 8          # present before the first start; the rest arrive later
KILLS = int(os.environ.get("SLUICE_CRASH_KILLS", "36"))

TYPES = {
    "trip_id": int, "vendor_id": int, "pickup_at": str, "dropoff_at": str, "passenger_count": int,
    "trip_distance": float, "pickup_zone_id": int, "dropoff_zone_id": int, "pickup_zone": str,
    "payment_type": str, "fare_amount": float, "tip_amount": float, "total_amount": float,
    "store_and_fwd": lambda s: s == "true", "note": str,
}

STORAGE_OPTIONS = {
    "leveldb": "compression: none",  # log_reader parses LevelDB's tables: uncompressed only
    # LevelDB's memtable size (RocksDB's default is 16 MiB): kills land while
    # memtables are flushed to tables and compacted, as they do on LevelDB.
    "rocksdb": "write_buffer_mb: 4",
}

# The trips, and the same files without a primary key: rows keyed by log
# position (_row).
ENDPOINTS = [{"name": "trips", "primary_key": ["trip_id"], "secondary": [["pickup_zone_id"]]},
             {"name": "rows", "table": "trips"}]
INGEST = "batch_rows: 20, commit_rows: 60, commit_interval_ms: 100, poll_interval_ms: 50"


def typed(row):
    return {k: (None if v == "" else TYPES[k](v)) for k, v in row.items()}


class Dataset:
    """The source files, made in a staging directory and moved into the table
    directory step by step: whole files by rename (atomic, so a following
    reader never sees half a file), second halves by appending while sluice
    is stopped."""

    def __init__(self, root, rng):
        self.stage = os.path.join(root, "stage")
        self.table = os.path.join(root, "data", "trips")
        os.makedirs(self.stage)
        os.makedirs(self.table)
        self.events = []  # ("install", file, piece) or ("append", file, piece)
        self.expected = []
        self.present_rows = 0
        next_id = 1
        for f in range(FILES):
            sizes = [ROWS_PER_FILE] if f not in SPLIT_FILES else [ROWS_PER_FILE * 2 // 3, ROWS_PER_FILE // 3]
            for i, n in enumerate(sizes):
                piece = os.path.join(self.stage, f"{f:03d}-{i}.csv")
                gen_trips(piece, n, seed=rng.randrange(1 << 30), start_id=next_id)
                next_id += n
                with open(piece, newline="", encoding="utf-8") as fh:
                    rows = [typed(r) for r in csv.DictReader(fh)]
                assert len(rows) == n
                self.expected += rows
                self.events.append(("install" if i == 0 else "append", f, piece, n))
        self.events.reverse()  # pop() takes the next one

    def next_kind(self):
        return self.events[-1][0] if self.events else None

    def apply_next(self):
        kind, f, piece, n = self.events.pop()
        name = os.path.join(self.table, f"part-{f:03d}.csv")
        if kind == "install":
            tmp = os.path.join(self.table, f".part-{f:03d}.csv.tmp")  # dot files are not read
            shutil.copyfile(piece, tmp)
            os.rename(tmp, name)
        else:
            with open(piece, encoding="utf-8", newline="") as src:
                body = src.read().split("\n", 1)[1]  # the header holds no line break
            with open(name, "a", encoding="utf-8", newline="") as dst:
                dst.write(body)
        self.present_rows += n


class CrashTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.seed = int(os.environ.get("SLUICE_CRASH_SEED", random.SystemRandom().randrange(1 << 31)))
        print(f"\ncrash harness: seed={self.seed} kills={KILLS} "
              f"(rerun with SLUICE_CRASH_SEED={self.seed})", file=sys.stderr, flush=True)
        self.rng = random.Random(self.seed)
        shutil.rmtree(os.path.join(self.dir, "data"))
        self.config = write_config(self.dir, ENDPOINTS, storage_options=STORAGE_OPTIONS,
                                   ingest=INGEST)
        self.cache_dir = os.path.join(self.dir, "home", "cache", "trips", "v0001")
        self.log_dir = os.path.join(self.dir, "home", "pipeline", "logs", "trips", "v0001", "log")
        self.kills = []     # (phase, what the probe saw)
        self.acked = None   # last state reported over REST before a kill: durable by then
        self.cache_deleted = False  # the test deleted the cache since `acked`

    def ctx(self, s=None):
        tail = ("\nstderr:\n" + "\n".join(s.err_lines[-25:])) if s is not None else ""
        return f"seed={self.seed}, kill #{len(self.kills) + 1}{tail}"

    def version_state(self, http):
        status, _, body = http.get("/")
        self.assertEqual(status, 200, body)
        versions = body["endpoints"][0]["versions"]
        return versions[0] if versions else None

    def check_durable(self, s, v):
        """Nothing acknowledged before a kill is gone after the restart."""
        if self.acked is None or v is None:
            self.assertTrue(self.acked is None or v is not None, self.ctx(s))
            return
        self.assertGreaterEqual(v["log_end"], self.acked["log_end"], "committed log records lost; " + self.ctx(s))
        if not self.cache_deleted:
            self.assertGreaterEqual(v["cache_offset"], self.acked["cache_offset"],
                                    "the cache went back; " + self.ctx(s))

    def kill(self, s, phase, v):
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait()
        s.join_readers()
        for line in s.err_lines:
            self.assertNotIn("cutting an incomplete append", line,
                             "a synced commit was torn by a kill; " + self.ctx(s))
            self.assertNotIn("log damaged", line, "a kill damaged the log; " + self.ctx(s))
            self.assertNotIn("cache builder stopped", line, self.ctx(s))
        if v is not None:
            self.acked, self.cache_deleted = v, False
        if v is None:
            what = "startup"
        elif v["rows"] + v["lag"] < self.data.present_rows:
            what = "ingest"  # rows not in the log yet (the cache may lag too)
        elif v["lag"] > 0:
            what = "cache"
        else:
            what = "idle"
        self.kills.append((phase, what))

    def run_once(self, phase, max_delay, add_while_running):
        s = self.start(self.config, "run")
        if self.rng.random() < 0.15:  # during startup: migrate, log recovery, cache open
            time.sleep(self.rng.uniform(0.0, 0.25))
            return self.kill(s, phase, None)
        http = Http(s.wait_listening())
        v = self.version_state(http)
        self.check_durable(s, v)
        if v is not None and not v["ready"]:
            # Not ready: no answers (unless it became ready meanwhile).
            status, _, body = http.post("/trips/count")
            if status != 503:
                self.assertEqual(status, 200, body)
                self.assertTrue(self.version_state(http)["ready"], "answered while not ready; " + self.ctx(s))
        if add_while_running and self.data.next_kind() == "install" and self.rng.random() < 0.6:
            self.data.apply_next()  # followed while running
        time.sleep(self.rng.uniform(0.0, max_delay))
        self.kill(s, phase, self.version_state(http))

    def finish_ingest(self):
        """Runs until every row is logged and cached, then kills: phase 2's
        kills then interrupt cache rebuilds, not the end of an ingestion
        that a slow or busy machine did not finish within phase 1."""
        s = self.start(self.config, "run")
        http = Http(s.wait_listening())
        self.check_durable(s, self.version_state(http))
        wait_ready(http, "trips", rows=self.data.present_rows, timeout=120)
        self.kill(s, "ingest", self.version_state(http))

    def kill_during_rebuild(self):
        """Deletes the cache, starts, and kills at the first sight of the
        rebuild: for machines so fast that random delays miss it."""
        shutil.rmtree(self.cache_dir, ignore_errors=True)
        self.cache_deleted = True
        s = self.start(self.config, "run")
        http = Http(s.wait_listening())
        v = self.version_state(http)
        self.check_durable(s, v)
        self.kill(s, "cache", v)

    def test_kill_restart_until_done(self):
        t0 = time.time()
        self.data = Dataset(self.dir, self.rng)
        for _ in range(INITIAL_FILES):
            self.data.apply_next()
        ingest_kills = KILLS * 2 // 3
        # Phase 1: kills while files arrive and are ingested (and cached).
        for _ in range(ingest_kills):
            if self.data.events and (self.data.next_kind() == "append" or self.rng.random() < 0.4):
                self.data.apply_next()  # between runs: appends, new files
            self.run_once("ingest", 0.15, True)
        while self.data.events:
            self.data.apply_next()
        self.finish_ingest()
        # Phase 2: kills while the cache is rebuilt (deleted, or resumed from
        # the partial cache the previous kill left).
        for i in range(KILLS - ingest_kills):
            if i == 0 or self.rng.random() < 0.5:
                shutil.rmtree(self.cache_dir, ignore_errors=True)
                self.cache_deleted = True
            self.run_once("cache", 0.2, False)
        for _ in range(10):
            if any(p == "cache" and w == "cache" for p, w in self.kills):
                break
            self.kill_during_rebuild()
        kill_time = time.time() - t0
        self.verify_final()
        summary = {}
        for phase, what in self.kills:
            summary[f"{phase}/{what}"] = summary.get(f"{phase}/{what}", 0) + 1
        print(f"crash harness: seed={self.seed} kills={len(self.kills)} {sorted(summary.items())} "
              f"kill phase {kill_time:.1f}s, total {time.time() - t0:.1f}s", file=sys.stderr)
        self.assertGreaterEqual(len(self.kills), min(KILLS, 30))
        # The schedule must have hit both kinds of work, not only idle moments.
        self.assertGreater(sum(1 for _, w in self.kills if w == "ingest"), 0, summary)
        self.assertGreater(sum(1 for p, w in self.kills if p == "cache" and w == "cache"), 0, summary)

    def verify_final(self):
        want = self.data.expected
        s = self.start(self.config, "run")
        http = Http(s.wait_listening())
        self.check_durable(s, self.version_state(http))
        wait_ready(http, "trips", rows=len(want), timeout=120)
        status, _, body = http.post("/trips/count")
        self.assertEqual((status, body), (200, {"count": len(want)}), self.ctx(s))
        got = query_all(http, "/trips", "trip_id")
        ids = [r["trip_id"] for r in got]
        self.assertEqual(len(ids), len(set(ids)), "duplicate trip_id served; " + self.ctx())
        self.assertEqual(len(got), len(want), self.ctx())
        for g, w in zip(got, want):
            if g != w:
                self.assertEqual(g, w, self.ctx())
        log_end = self.version_state(http)["log_end"]
        status, _, root = http.get("/")
        self.assertEqual([v["version"] for v in root["endpoints"][0]["versions"]], [1],
                         "a kill made a new version of an unchanged table; " + self.ctx(s))
        self.verify_row_keyed(http, want)
        self.assertEqual(s.stop(), 0, s.stderr())
        self.verify_log(log_end, len(want))

    def verify_row_keyed(self, http, want):
        """The endpoint without a key: every source row once, in source order,
        under strictly increasing _row keys."""
        wait_ready(http, "rows", rows=len(want), timeout=120)
        got = query_all(http, "/rows", "_row")
        self.assertEqual(len(got), len(want), "row-keyed endpoint lost or repeated rows; " + self.ctx())
        keys = [r.pop("_row") for r in got]
        self.assertEqual(keys, sorted(set(keys)), self.ctx())
        for g, w in zip(got, want):
            if g != w:
                self.assertEqual(g, w, self.ctx())

    def verify_log(self, log_end, rows):
        """The log itself: rows 1..N inserted exactly once, in source order,
        each commit closing exactly the rows before it."""
        self.assertEqual(log_reader.is_rocksdb(self.log_dir), STORAGE == "rocksdb",
                         f"the log is not on the selected backend {STORAGE}")
        records, end, checkpoint = log_reader.read_log(self.log_dir)
        self.assertEqual(end, log_end, self.ctx())
        ids, in_commit, commits, last = [], 0, 0, None
        for kind, payload in records:
            if kind == log_reader.KIND_COMMIT:
                last = log_reader.decode_commit(payload)
                self.assertEqual(last[1], in_commit, f"commit {commits} row count; " + self.ctx())
                in_commit, commits = 0, commits + 1
            else:
                self.assertEqual(kind, log_reader.KIND_INSERT, self.ctx())
                ids.append(log_reader.first_int64(payload))
                in_commit += 1
        self.assertEqual(in_commit, 0, "rows after the last commit; " + self.ctx())
        self.assertEqual(ids, list(range(1, rows + 1)), "log rows lost, repeated or reordered; " + self.ctx())
        self.assertEqual(log_end, rows + commits)
        self.assertEqual(last[0] & 1, 1, "last commit not at the end of the input")
        self.assertIn(last[3], checkpoint, "checkpoint does not carry the last commit's source offset")


if __name__ == "__main__":
    unittest.main()
