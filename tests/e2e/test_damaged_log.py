"""A damaged log is not a torn tail (docs/operations.md, "Damaged files").

One byte flipped at the head, in the middle or at the tail of an
endpoint's log (its largest file: a table file once the log was reopened)
stops that endpoint's ingest with the state `log_damaged`, shown in GET /,
/ready and /metrics, while the cache goes on serving what it holds (every
answer compared with the source; under `api run`, which only serves, too);
nothing of the log is cut (with the byte
flipped back, `sluice repair` finds every record). `sluice repair ENDPOINT`
is refused while a server holds the home (exit 3); on a stopped server it
cuts the log at its last whole commit before the first bad record when the
source can replay from there, and the ingest reads the rest again. When the
source cannot, it changes nothing (exit 1) unless given --truncate, which
cuts anyway and reports what is lost. An append cut short at the end of the
write-ahead file (a crash in the middle of writing it) is not damage: the
server starts, serves and ingests as usual.

Runs on the backend SLUICE_TEST_STORAGE selects (tests/CMakeLists.txt runs
it on LevelDB and RocksDB); test_damaged_nats_log.py does the same on a
NATS JetStream log."""
import os
import re
import shutil
import struct
import unittest

from harness import (Http, TempDirTest, gen_trips, read_csv_typed, run_cli, wait_ready, wait_until,
                     write_config)
from test_ingest_serve import expected

ROWS = 2000


def flip_byte(path, at):
    with open(path, "r+b") as f:
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 0x5A]))


def largest_file(directory, suffixes):
    files = [os.path.join(directory, n) for n in os.listdir(directory) if n.endswith(suffixes)]
    files = [f for f in files if os.path.getsize(f) > 0]
    assert files, f"no {suffixes} file in {directory}: {os.listdir(directory)}"
    return max(files, key=os.path.getsize)


def position(path, where):
    """The byte `where` names: 'head' (just past the first block's start),
    'middle', 'tail' (the last byte)."""
    size = os.path.getsize(path)
    return {"head": min(64, size - 1), "middle": size // 2, "tail": size - 1}[where]


class DamagedLogChecks:
    """The tests every log backend runs, mixed into a TempDirTest that says
    where the log's bytes are (log_file) and may rewrite the config
    (storage) and stop its log's server around a flip."""

    def storage(self, cfg):
        return cfg

    def log_file(self):
        raise NotImplementedError

    def stop_log_backend(self):
        pass

    def start_log_backend(self):
        pass

    def prepare(self):
        gen_trips(self.data("trips.csv"), ROWS)
        self.want = {r["trip_id"]: expected(r) for r in read_csv_typed(self.data("trips.csv"))}
        cfg = write_config(self.dir, [{"name": "trips", "primary_key": ["trip_id"]}])
        with open(cfg) as f:  # many commits: a flip in the middle leaves some whole
            text = f.read().replace("ingest: { ", "ingest: { batch_rows: 100, commit_rows: 100, ")
        with open(cfg, "w") as f:
            f.write(text)
        self.cfg = self.storage(cfg)
        for args in (["migrate"], ["app", "run", "--once"]):
            code, _, err = run_cli(self.cfg, *args)
            self.assertEqual(code, 0, err)
        # Serving it once builds the cache and turns the log's write-ahead
        # file into a table.
        s = self.start(self.cfg, "api", "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=ROWS)
        self.assert_serves_the_source(http)
        http.close()
        self.assertEqual(s.stop(), 0, s.stderr())

    def log_state(self):
        """What the log's backend says about it, to compare before and after
        a server ran on it (None: the files themselves are compared)."""
        return None

    def assert_nothing_cut(self, path, at, before, records):
        """Nothing of the damaged log was cut: with the byte flipped back,
        every record reads (then the byte is flipped again)."""
        self.flip_at(path, at)
        self.assert_intact(records)
        self.flip_at(path, at)

    def flip_at(self, path, at):
        self.stop_log_backend()
        flip_byte(path, at)
        self.start_log_backend()

    def flip(self, where):
        self.stop_log_backend()
        path = self.log_file()
        at = position(path, where)
        flip_byte(path, at)
        self.start_log_backend()
        return path, at

    def assert_serves_the_source(self, http):
        status, _, body = http.post("/trips/count")
        self.assertEqual((status, body), (200, {"count": ROWS}))
        for trip_id, row in self.want.items():
            status, _, got = http.get(f"/trips/{trip_id}")
            self.assertEqual((status, got), (200, row), trip_id)

    def ingest_state(self, http):
        status, _, body = http.get("/")
        if status != 200:
            return None
        return [e for e in body["endpoints"] if e["name"] == "trips"][0].get("ingest", {})

    def assert_goes_on_after_a_cut_short_append(self):
        """Runs `run` on a log whose last append was cut short: it serves
        what the log holds, catches up with the source, goes on appending
        after it and never calls the log damaged."""
        s = self.start(self.cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=ROWS)
        wait_until(lambda: (self.ingest_state(http) or {}).get("state") == "caught_up", 60,
                   "ingest caught up")
        self.assert_serves_the_source(http)
        gen_trips(self.data("more.csv"), 10, seed=7, start_id=ROWS + 1)
        with open(self.data("more.csv")) as f:
            more = f.read().split("\n", 1)[1]
        with open(self.data("trips.csv"), "a") as f:
            f.write(more)
        wait_ready(http, "trips", rows=ROWS + 10)
        self.assertNotIn("log damaged", s.stderr())
        http.close()
        self.assertEqual(s.stop(), 0, s.stderr())

    def serve_damaged(self):
        """Starts `run` on the damaged log; checks the state everywhere it
        shows and that the cache serves everything it held."""
        s = self.start(self.cfg, "run")
        http = Http(s.wait_listening())
        st = wait_until(lambda: (self.ingest_state(http) or {}).get("state") == "log_damaged"
                        and self.ingest_state(http), 60, "ingest state log_damaged")
        self.assertIn("sluice repair trips", st["detail"])
        status, _, body = http.get("/ready")
        self.assertEqual(status, 503, body)
        self.assertIn("its log is damaged", str(body))
        status, _, metrics = http.get("/metrics")
        text = metrics.decode() if isinstance(metrics, bytes) else str(metrics)
        self.assertIn('sluice_ingest_state{endpoint="trips",state="log_damaged"} 1', text)
        self.assertRegex(text, r'sluice_ingest_up\{endpoint="trips"\} 0')
        wait_ready(http, "trips", rows=ROWS)
        self.assert_serves_the_source(http)
        wait_until(lambda: "log damaged" in s.stderr(), 30, "the ERROR line")
        self.assertNotIn("cutting an incomplete append", s.stderr())
        self.assertNotIn("rebuilding", s.stderr())
        return s, http

    def repair(self, *args):
        return run_cli(self.cfg, "repair", "trips", *args)

    def assert_intact(self, records=None):
        code, out, err = self.repair()
        self.assertEqual(code, 0, out + err)
        if "trips v1: no log yet" in out:  # a log the storage could not open was removed
            self.assertIn(records, (None, 0), out)
            return 0, 0
        m = re.search(r"trips v1: log intact: (\d+) records, (\d+) rows", out)
        self.assertTrue(m, out + err)
        if records is not None:
            self.assertEqual(int(m.group(1)), records, out)
        return int(m.group(1)), int(m.group(2))

    def assert_serves_after_repair(self):
        s = self.start(self.cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=ROWS, timeout=120)
        wait_until(lambda: (self.ingest_state(http) or {}).get("state") == "caught_up", 60,
                   "ingest caught up")
        self.assert_serves_the_source(http)
        status, _, body = http.get("/ready")
        self.assertEqual(status, 200, body)
        self.assertNotIn("log damaged", s.stderr())
        http.close()
        self.assertEqual(s.stop(), 0, s.stderr())

    def check_flip(self, where):
        self.prepare()
        records, rows = self.assert_intact()
        self.assertEqual(rows, ROWS)
        path, at = self.flip(where)
        before = self.log_state()
        # A server that only serves keeps the cache it built and serves it.
        s = self.start(self.cfg, "api", "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=ROWS)
        self.assert_serves_the_source(http)
        self.assertNotIn("rebuilding", s.stderr())
        http.close()
        self.assertEqual(s.stop(), 0, s.stderr())
        s, http = self.serve_damaged()
        # A repair beside the running server is refused: it needs the home.
        code, out, err = self.repair()
        self.assertEqual(code, 3, out + err)
        http.close()
        self.assertEqual(s.stop(), 0, s.stderr())
        self.assert_nothing_cut(path, at, before, records)
        # The repair: the CSV source replays from any commit.
        code, out, err = self.repair()
        self.assertEqual(code, 0, out + err)
        m = re.search(r"log damaged: .*\n  first bad record: offset (\d+).*\n"
                      r"  kept: records 0 to (\d+) \((\d+) rows\)", out)
        self.assertTrue(m, out)
        bad, cut = int(m.group(1)), int(m.group(2))
        self.assertLessEqual(cut, bad, out)
        self.assertIn(f"cut the log at offset {cut}", out)
        self.assertIn("the ingest reads the source again from", out)
        self.assert_intact(cut)
        self.assert_serves_after_repair()

    def test_a_byte_flipped_at_the_head(self):
        self.check_flip("head")

    def test_a_byte_flipped_in_the_middle(self):
        self.check_flip("middle")

    def test_a_byte_flipped_at_the_tail(self):
        self.check_flip("tail")

    def test_truncate_when_the_source_cannot_replay(self):
        self.prepare()
        self.flip("middle")
        moved = self.data("trips.csv") + ".away"
        shutil.move(self.data("trips.csv"), moved)
        code, out, err = self.repair()
        self.assertEqual(code, 1, out + err)
        self.assertIn("the source cannot replay", err)
        self.assertIn("Nothing was changed", err)
        code, out2, _ = self.repair()
        self.assertEqual(out2, out, "a refused repair changed the log")
        code, out, err = self.repair("--truncate")
        self.assertEqual(code, 0, out + err)
        m = re.search(r"kept: records 0 to (\d+) \((\d+) rows\)", out)
        self.assertTrue(m, out)
        cut, kept_rows = int(m.group(1)), int(m.group(2))
        self.assertRegex(out, rf"LOST: (records {cut} to \d+|every record of the log): "
                              "the source cannot replay")
        self.assertEqual(self.assert_intact(cut), (cut, kept_rows))
        shutil.move(moved, self.data("trips.csv"))
        self.assert_serves_after_repair()


class DamagedKvLogTest(DamagedLogChecks, TempDirTest):
    def log_dir(self):
        return os.path.join(self.dir, "home", "pipeline", "logs", "trips", "v0001", "log")

    def log_file(self):
        return largest_file(self.log_dir(), (".ldb", ".sst", ".log"))

    def test_an_append_cut_short_is_not_damage(self):
        self.prepare()
        # What a crash in the middle of writing a record leaves at the end of
        # the write-ahead file: a header promising more bytes than follow.
        wal = max((os.path.join(self.log_dir(), n) for n in os.listdir(self.log_dir())
                   if n.endswith(".log")), key=os.path.getmtime)
        with open(wal, "ab") as f:
            f.write(struct.pack("<IHB", 0x12345678, 4000, 1) + b"\x01" * 100)
        self.assert_goes_on_after_a_cut_short_append()
        self.assert_intact()


if __name__ == "__main__":
    unittest.main()
