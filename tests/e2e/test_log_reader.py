"""The independent log reader (log_reader.py) against streams the storage
plugins wrote: the legacy layouts committed as fixtures by the plugins'
earlier code (plugins/storage-*/tests/fixtures, each with expected.txt),
and a log today's sluice writes, in the current layout (format 2: tail
metas, masked CRCs; docs/formats.md "Chunk logs")."""
import os
import shutil
import unittest

import log_reader
from harness import TempDirTest, gen_trips, run_cli, write_config

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = {
    "leveldb": ["single-meta", "tail-meta"],
    "rocksdb": ["single-meta"],
}


def fixture_dir(backend, name):
    return os.path.join(HERE, "..", "..", "plugins", "storage-" + backend, "tests", "fixtures", name)


def expected(path):
    """(end, checkpoint, records) from a fixture's expected.txt."""
    end, checkpoint, records = None, None, []
    with open(path) as f:
        for line in f.read().splitlines():
            word, _, value = line.partition(" ")
            if word == "end":
                end = int(value)
            elif word == "checkpoint":
                checkpoint = bytes.fromhex(value)
            elif word == "record":
                records.append(bytes.fromhex(value))
    return end, checkpoint, records


class LogReaderTest(TempDirTest):
    def test_crc32c_and_mask(self):
        self.assertEqual(log_reader.crc32c(b"123456789"), 0xE3069283)
        self.assertEqual(log_reader.crc32c(b""), 0)
        self.assertEqual(log_reader.mask(0), 0xA282EAD8)

    def test_legacy_fixtures(self):
        layouts = {  # format, masked CRCs, single meta key
            ("leveldb", "single-meta"): (1, False, True),
            ("leveldb", "tail-meta"): (1, False, False),
            ("rocksdb", "single-meta"): (1, True, True),
        }
        for backend, names in FIXTURES.items():
            if backend == "rocksdb" and not os.path.exists(log_reader.ROCKSDB_DUMP):
                self.fail(f"{log_reader.ROCKSDB_DUMP} is missing: build sluice_e2e_rocksdb_dump")
            for name in names:
                with self.subTest(backend=backend, fixture=name):
                    d = fixture_dir(backend, name)
                    s = log_reader.read_stream(os.path.join(d, "log"))
                    self.assertEqual((s.end, s.checkpoint, s.records),
                                     expected(os.path.join(d, "expected.txt")))
                    self.assertEqual((s.format, s.masked, s.single_meta), layouts[(backend, name)])

    def test_a_damaged_chunk_is_refused(self):
        # The database parsed as it is, then one byte of its last chunk flipped.
        d = os.path.join(fixture_dir("leveldb", "tail-meta"), "log")
        db = log_reader.read_db(d)
        key = max(k for k in db if len(k) == 9)
        chunk = bytearray(db[key])
        chunk[len(chunk) // 2] ^= 0x20
        db[key] = bytes(chunk)
        saved = log_reader.read_db
        log_reader.read_db = lambda _path: db
        try:
            with self.assertRaisesRegex(ValueError, "checksum mismatch"):
                log_reader.read_stream(d)
        finally:
            log_reader.read_db = saved

    def test_logs_written_today_are_format_2(self):
        gen_trips(self.data("trips.csv"), 500)
        for backend in ("leveldb", "rocksdb"):
            with self.subTest(backend=backend):
                home = os.path.join(self.dir, backend)
                os.makedirs(home)
                shutil.copytree(os.path.join(self.dir, "data"), os.path.join(home, "data"))
                cfg = write_config(home, [{"name": "trips", "primary_key": ["trip_id"]}],
                                   storage=backend)
                for args in (["migrate"], ["app", "run", "--once"]):
                    code, _, err = run_cli(cfg, *args)
                    self.assertEqual(code, 0, err)
                s = log_reader.read_stream(
                    os.path.join(home, "home", "pipeline", "logs", "trips", "v0001", "log"))
                self.assertEqual((s.format, s.masked, s.single_meta), (2, True, False))
                kinds = [rec[4] for rec in s.records]
                self.assertEqual(sum(1 for k in kinds if k != log_reader.KIND_COMMIT), 500)
                self.assertEqual(kinds[-1], log_reader.KIND_COMMIT)


if __name__ == "__main__":
    unittest.main()
