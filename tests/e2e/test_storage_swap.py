"""End to end with the RocksDB storage plugin: ingest and serve on RocksDB,
a LevelDB log beside a RocksDB cache, and what happens when the storage
backend of an existing home changes (docs/config.md, "Changing storage
backends"), and the crash harness with a LevelDB log and RocksDB caches.
Every storage-dependent e2e file also runs whole on RocksDB as
e2e.<name>.rocksdb (tests/CMakeLists.txt)."""
import json
import os
import unittest

import test_crash
from harness import Http, TempDirTest, gen_trips, run_cli, wait_ready, write_config, wait_until
from test_ingest_serve import check_every_row

ROWS = 2000


def use_storage(config_path, old, new):
    """Rewrites the `storage:` line `old` of a config file to `new`."""
    with open(config_path) as f:
        text = f.read()
    assert old in text, f"{config_path} has no line {old!r}"
    with open(config_path, "w") as f:
        f.write(text.replace(old, new))
    return config_path


def is_rocksdb_dir(path):
    """RocksDB keeps an OPTIONS-* file in every database directory; LevelDB never does."""
    return os.path.isdir(path) and any(name.startswith("OPTIONS-") for name in os.listdir(path))


class StorageSwapTest(TempDirTest):
    def config(self, storage):
        """A config whose `storage:` section is the YAML text `storage`."""
        path = write_config(self.dir, [{"name": "trips", "primary_key": ["trip_id"],
                                        "secondary": [["pickup_zone_id"]]}])
        return use_storage(path, "storage: { plugin: leveldb }", storage)

    def home(self, *parts):
        return os.path.join(self.dir, "home", *parts)

    def marker(self):
        with open(self.home("storage.json")) as f:
            m = json.load(f)
        return m["log"]["plugin"], m["cache"]["plugin"]

    def ingest(self, cfg):
        code, _, err = run_cli(cfg, "migrate")
        self.assertEqual(code, 0, err)
        code, _, err = run_cli(cfg, "app", "run", "--once")
        self.assertEqual(code, 0, err)
        self.assertIn(f"rows={ROWS}", err)

    def serve_and_check_every_row(self, cfg, *args):
        s = self.start(cfg, *args)
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=ROWS)
        want = check_every_row(self, http, self.data("trips.csv"), ROWS)
        zone = want[0]["pickup_zone_id"]
        status, _, body = http.post("/trips/count", {"$filter": {"pickup_zone_id": int(zone)}})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["count"], sum(1 for r in want if r["pickup_zone_id"] == zone))
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_rocksdb_ingests_and_serves_every_row_intact(self):
        gen_trips(self.data("trips.csv"), ROWS)
        cfg = self.config("storage: { plugin: rocksdb, options: { compression: zstd } }")
        self.serve_and_check_every_row(cfg, "run")
        self.assertEqual(self.marker(), ("rocksdb", "rocksdb"))
        self.assertTrue(is_rocksdb_dir(self.home("pipeline", "logs", "trips", "v0001", "log")))
        self.assertTrue(is_rocksdb_dir(self.home("cache", "trips", "v0001")))
        # A restart serves the same rows from the same RocksDB files.
        self.serve_and_check_every_row(cfg, "api", "run")

    def test_log_leveldb_and_cache_rocksdb(self):
        gen_trips(self.data("trips.csv"), ROWS)
        cfg = self.config("storage:\n  log: leveldb\n  cache: { plugin: rocksdb, options: { block_cache_mb: 16 } }")
        self.serve_and_check_every_row(cfg, "run")
        self.assertEqual(self.marker(), ("leveldb", "rocksdb"))
        self.assertFalse(is_rocksdb_dir(self.home("pipeline", "logs", "trips", "v0001", "log")))
        self.assertTrue(is_rocksdb_dir(self.home("cache", "trips", "v0001")))

    def test_switching_the_log_backend_is_refused(self):
        gen_trips(self.data("trips.csv"), ROWS)
        self.ingest(self.config("storage: leveldb"))
        for storage in ("storage: rocksdb",
                        "storage: { plugin: rocksdb, rebuild_cache: true }",
                        "storage: { log: rocksdb, cache: leveldb }"):
            cfg = self.config(storage)
            for args in (("app", "run", "--once"), ("api", "run"), ("migrate",)):
                code, out, err = run_cli(cfg, *args)
                self.assertEqual(code, 2, (storage, args, out, err))  # a config problem
                self.assertIn(f'this home ({self.home()}) was written by log storage "leveldb", '
                              'but the config names "rocksdb"', err)
                self.assertIn("cannot be rebuilt", err)
                self.assertIn('set the storage log plugin back to "leveldb"', err)
        self.assertEqual(self.marker(), ("leveldb", "leveldb"), "a refusal changes nothing")
        self.assertFalse(is_rocksdb_dir(self.home("cache", "trips", "v0001")))
        # Set back, the home serves as before.
        self.serve_and_check_every_row(self.config("storage: leveldb"), "api", "run")

    def test_switching_the_cache_backend_needs_a_rebuild(self):
        gen_trips(self.data("trips.csv"), ROWS)
        self.ingest(self.config("storage: leveldb"))
        s = self.start(self.config("storage: leveldb"), "api", "run")  # builds the LevelDB caches
        wait_ready(Http(s.wait_listening()), "trips", rows=ROWS)
        self.assertEqual(s.stop(), 0, s.stderr())
        self.assertFalse(is_rocksdb_dir(self.home("cache", "trips", "v0001")))
        split = "storage:\n  log: leveldb\n  cache: rocksdb\n"
        code, _, err = run_cli(self.config(split), "api", "run")
        self.assertEqual(code, 2, err)  # a config problem
        self.assertIn(f'this home ({self.home()}) has caches written by storage "leveldb", but the '
                      'config names "rocksdb" for the cache', err)
        self.assertIn("set storage.rebuild_cache: true (or remove " + self.home("cache") + ")", err)
        self.assertEqual(self.marker(), ("leveldb", "leveldb"))
        # With rebuild_cache the caches are dropped and rebuilt from the log, on RocksDB.
        rebuild = self.config(split + "  rebuild_cache: true\n")
        s = self.start(rebuild, "api", "run")
        s.wait_listening()
        wait_until(lambda: "cache backend changed" in s.stderr(), 30, "cache backend changed")
        self.assertEqual(s.stop(), 0, s.stderr())
        self.assertEqual(self.marker(), ("leveldb", "rocksdb"))
        self.serve_and_check_every_row(self.config(split), "api", "run")
        self.assertTrue(is_rocksdb_dir(self.home("cache", "trips", "v0001")))
        self.assertFalse(is_rocksdb_dir(self.home("pipeline", "logs", "trips", "v0001", "log")))


class CrashWithRocksDbCacheTest(test_crash.CrashTest):
    """The crash harness with the log on LevelDB and the caches on RocksDB
    (e2e.test_crash.rocksdb runs it with both on RocksDB)."""

    def setUp(self):
        super().setUp()
        use_storage(self.config, "storage: { plugin: leveldb, options: { compression: none } }",
                    "storage:\n  log: { plugin: leveldb, options: { compression: none } }\n"
                    "  cache: rocksdb")

    def verify_final(self):
        super().verify_final()
        self.assertTrue(is_rocksdb_dir(self.cache_dir), self.ctx())


if __name__ == "__main__":
    unittest.main()
