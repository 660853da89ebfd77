"""A damaged cache never answers (docs/operations.md, "Failures"): random
byte flips in random files of a version's cache, on LevelDB and on RocksDB,
each followed by a restart of `api run` and every kind of read (full scans,
count, GET by key, secondary index queries) compared with the source CSV.
An answer is either right, 500 data_loss, or 503 while the cache is rebuilt
from the log; a 200 with wrong data fails the test. Once the version is
ready again every answer must be right.

The flips are seeded: the seed is printed, and SLUICE_FLIP_SEED=<seed>
repeats a run; SLUICE_FLIPS sets the flips per backend (default 30)."""
import os
import random
import time
import unittest

from harness import (Http, TempDirTest, gen_trips, read_csv_typed, replace_storage, run_cli,
                     wait_ready, wait_until, write_config)
from test_ingest_serve import expected

ROWS = 3000
FLIPS = int(os.environ.get("SLUICE_FLIPS", "30"))
SEED = int(os.environ.get("SLUICE_FLIP_SEED", str(random.SystemRandom().randrange(1 << 31))))
# Small memtables: the cache is many table files, not one write-ahead file.
STORAGE = {"leveldb": "{ plugin: leveldb, options: { write_buffer_mb: 1 } }",
           "rocksdb": "{ plugin: rocksdb, options: { write_buffer_mb: 1 } }"}


class DamagedCacheTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.cache_dir = os.path.join(self.dir, "home", "cache", "trips", "v0001")

    def prepare(self, backend):
        gen_trips(self.data("trips.csv"), ROWS)
        cfg = write_config(self.dir, [{"name": "trips", "primary_key": ["trip_id"],
                                       "secondary": [["pickup_zone_id"]]}])
        replace_storage(cfg, "storage: " + STORAGE[backend])
        for args in (["migrate"], ["app", "run", "--once"]):
            code, _, err = run_cli(cfg, *args)
            self.assertEqual(code, 0, err)
        # The first start builds the cache; the second turns what its
        # write-ahead file holds into tables.
        for _ in range(2):
            s = self.start(cfg, "api", "run")
            http = Http(s.wait_listening())
            wait_ready(http, "trips", rows=ROWS)
            self.assertEqual(self.answers(http, random.Random(0), 60)[0], "right")
            http.close()
            self.assertEqual(s.stop(), 0, s.stderr())
        return cfg

    def setup_want(self):
        self.want = [expected(r) for r in read_csv_typed(self.data("trips.csv"))]
        self.by_id = {r["trip_id"]: r for r in self.want}
        self.zones = sorted({r["pickup_zone_id"] for r in self.want if r["pickup_zone_id"] is not None})

    def round(self, http, rng):
        """One pass of reads. Returns (answers, wrong): answers counts 200,
        data_loss and 503 replies; wrong lists the 200s that differ from
        the CSV and every other reply."""
        counts = {"200": 0, "data_loss": 0, "503": 0}
        wrong = []

        def check(what, status, body, want):
            if status == 200:
                counts["200"] += 1
                if body != want:
                    wrong.append((what, "wrong 200", str(body)[:300]))
            elif status == 500 and isinstance(body, dict) and body["error"]["code"] == "data_loss":
                counts["data_loss"] += 1
            elif status == 503:
                counts["503"] += 1
            elif not (status == 404 and want is None):
                wrong.append((what, status, str(body)[:300]))

        after, got = None, []
        while True:  # the whole table by primary key, in pages
            q = {"$order_by": {"trip_id": "asc"}, "$limit": 1000}
            if after is not None:
                q["$after"] = after
            status, _, page = http.post("/trips/query", q)
            if status != 200:
                check("scan", status, page, [])
                break
            if not page:
                check("scan", 200, got, self.want)
                break
            got += page
            after = page[-1]
        status, _, body = http.post("/trips/count")
        check("count", status, body, {"count": ROWS})
        for trip in rng.sample(range(1, ROWS + 1), 60) + [ROWS + 1 + rng.randrange(1000)]:
            status, _, body = http.get(f"/trips/{trip}")
            check(f"GET {trip}", status, body, self.by_id.get(trip))
        for z in rng.sample(self.zones, 3):
            status, _, body = http.post("/trips/query", {"$filter": {"pickup_zone_id": z},
                                                         "$order_by": {"trip_id": "desc"}, "$limit": 10000})
            check(f"zone {z}", status, body, [r for r in reversed(self.want) if r["pickup_zone_id"] == z])
        return counts, wrong

    def answers(self, http, rng, timeout):
        """Reads until every answer is right (the version is ready); fails
        on a wrong answer. Returns ("right" | "rebuilt", replies seen)."""
        if not hasattr(self, "want"):
            self.setup_want()
        deadline = time.time() + timeout
        seen = {"200": 0, "data_loss": 0, "503": 0}
        while True:
            counts, wrong = self.round(http, rng)
            self.assertEqual(wrong, [], f"wrong answers (SLUICE_FLIP_SEED={SEED})")
            for k, v in counts.items():
                seen[k] += v
            if counts["data_loss"] == 0 and counts["503"] == 0:
                return ("right" if seen["data_loss"] + seen["503"] == 0 else "rebuilt"), seen
            self.assertLess(time.time(), deadline, f"not right again in {timeout}s (seed {SEED})")
            time.sleep(0.05)

    def flip(self, rng):
        """Flips one byte of a random file of the cache: a table file more
        often than not (they hold the rows), else any file. Returns what."""
        files = sorted(n for n in os.listdir(self.cache_dir)
                       if os.path.isfile(os.path.join(self.cache_dir, n)) and n != "LOCK"
                       and os.path.getsize(os.path.join(self.cache_dir, n)) > 0)
        tables = [n for n in files if n.endswith((".ldb", ".sst"))]
        name = rng.choice(tables if tables and rng.random() < 0.6 else files)
        path = os.path.join(self.cache_dir, name)
        at = rng.randrange(os.path.getsize(path))
        with open(path, "r+b") as f:
            f.seek(at)
            byte = f.read(1)[0]
            f.seek(at)
            f.write(bytes([byte ^ rng.randrange(1, 256)]))
        return f"{name}@{at}"

    def flips(self, backend):
        cfg = self.prepare(backend)
        rng = random.Random(f"{SEED}-{backend}")
        outcomes = {"right": 0, "rebuilt": 0}
        t0 = time.time()
        for i in range(FLIPS):
            what = self.flip(rng)
            s = self.start(cfg, "api", "run")
            try:
                http = Http(s.wait_listening())
                wait_until(lambda: http.get("/")[0] == 200, 30, "GET /")
                outcome, seen = self.answers(http, rng, 120)
                outcomes[outcome] += 1
                if seen["data_loss"]:
                    wait_until(lambda: "cache found corrupt; rebuilding it from the log" in s.stderr(), 30, "cache found corrupt; rebuilding it from the log")
            except AssertionError as e:
                raise AssertionError(f"{backend} flip #{i + 1} {what} (SLUICE_FLIP_SEED={SEED}): {e}\n"
                                     + "\n".join(s.err_lines[-20:]))
            finally:
                http.close()
                code = s.stop()
            self.assertEqual(code, 0, s.stderr())
        print(f"\n{backend}: {FLIPS} flips (SLUICE_FLIP_SEED={SEED}) in {time.time() - t0:.1f}s: "
              f"{outcomes['right']} right at once, {outcomes['rebuilt']} found and rebuilt")

    def test_flips_in_a_leveldb_cache_never_answer_wrong(self):
        self.flips("leveldb")

    def test_flips_in_a_rocksdb_cache_never_answer_wrong(self):
        self.flips("rocksdb")


if __name__ == "__main__":
    unittest.main()
