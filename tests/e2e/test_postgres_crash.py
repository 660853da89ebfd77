"""Crash harness for the postgres source: SIGKILLs sluice at random moments
while it copies a table that other sessions change (the copy resumes after
its last committed key under a newer snapshot) and while it streams their
changes, restarts PostgreSQL once under a running sluice, and checks at the
end that the endpoint equals the table and that the log holds every change
of every row once, in order: each row's versions (a sequence every change
draws from) only grow, so nothing was lost, repeated or applied out of
order.

The seed is printed; rerun with SLUICE_PG_CRASH_SEED=<seed>.
SLUICE_PG_CRASH_KILLS sets the kills (default 24: a third during the copy).
"""
import os
import random
import signal
import struct
import sys
import time

import log_reader
from harness import Http, run_cli, wait_ready, wait_until
from pg_case import PgCase, endpoint_yaml, main, wait_equal

# Large enough that the copy outlasts several kills even on an idle machine
# (it copies a few hundred thousand rows a second).
ROWS = 400000
KILLS = int(os.environ.get("SLUICE_PG_CRASH_KILLS", "24"))

SETUP = f"""
CREATE SEQUENCE ver_seq;
CREATE TABLE items (id bigint PRIMARY KEY, ver bigint NOT NULL, payload text NOT NULL);
INSERT INTO items SELECT g, nextval('ver_seq'), md5(g::text) FROM generate_series(1, {ROWS}) g;
"""
# Every change draws a new ver: per key, the log's versions must grow.
WRITER = (r"""
\set id random(1, 160000)
\set other random(1, 160000)
\set op random(1, 10)
\if :op <= 5
UPDATE items SET ver = nextval('ver_seq'), payload = md5(random()::text) WHERE id = :id;
\elif :op <= 7
INSERT INTO items VALUES (:id, nextval('ver_seq'), 'ins')
  ON CONFLICT (id) DO UPDATE SET ver = nextval('ver_seq'), payload = 'upsert';
\elif :op <= 8
DELETE FROM items WHERE id = :id;
\else
BEGIN;
UPDATE items SET ver = nextval('ver_seq'), payload = 'pair a' WHERE id = :id;
UPDATE items SET ver = nextval('ver_seq'), payload = 'pair b' WHERE id = :other;
COMMIT;
\endif
""").replace("160000", str(ROWS + 10000))


def two_ints(row):
    """(id, ver): the first two fields of an encoded row, both int64 not null."""
    count, pos = log_reader.varint(row, 0)
    pos += (count + 7) // 8
    return struct.unpack_from("<qq", row, pos)


class PostgresCrashTest(PgCase):
    def setUp(self):
        super().setUp()
        self.seed = int(os.environ.get("SLUICE_PG_CRASH_SEED",
                                       random.SystemRandom().randrange(1 << 31)))
        print(f"\npostgres crash harness: seed={self.seed} kills={KILLS} "
              f"(rerun with SLUICE_PG_CRASH_SEED={self.seed})", file=sys.stderr, flush=True)
        self.rng = random.Random(self.seed)
        self.writer = None

    def tearDown(self):
        self.stop_writer()
        super().tearDown()

    def start_writer(self):
        self.writer = self.pg.pgbench(WRITER, clients=2, seconds=600, rate=150)

    def stop_writer(self):
        if self.writer is not None and self.writer.poll() is None:
            self.writer.send_signal(signal.SIGINT)
            try:
                self.writer.wait(30)
            except Exception:
                self.writer.kill()
                self.writer.wait()
        self.writer = None

    def log_end(self, http):
        status, _, root = http.get("/")
        versions = root["endpoints"][0]["versions"] if status == 200 else []
        return versions[0]["log_end"] if versions else 0

    def run_and_kill(self, phase, max_delay):
        """Starts sluice, lets it work a random while, SIGKILLs it. During the
        copy, the while is a random number of rows committed (the copy is
        quick), or now and then a moment during startup."""
        s = self.start(self.cfg, "run")
        http = Http(s.wait_listening(60))
        if phase == "copy" and self.rng.random() < 0.8:
            # Small steps: under load the copy runs ahead of this polling,
            # and every kill must still land before the copy is over.
            # Also a short while after the copy is seen moving: under load a
            # poll can come back late, and by rows alone a whole copy can
            # slip between two polls.
            start = self.log_end(http)
            target = start + self.rng.randint(300, 3000)
            moving_for = self.rng.uniform(0.02, 0.3)
            deadline, cap = time.time() + 60, None
            while "streaming changes from" not in s.stderr() and time.time() < deadline:
                end = self.log_end(http)
                if end >= target or (cap is not None and time.time() >= cap):
                    break
                if cap is None and end > start:
                    cap = time.time() + moving_for
                time.sleep(0.002)
        else:
            time.sleep(self.rng.uniform(0.0, max_delay))
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait()
        err = s.stderr()
        self.assertNotIn("ingest failed", err, f"seed={self.seed}\n{err[-3000:]}")
        self.assertNotIn("cutting an incomplete append", err, f"seed={self.seed}")
        self.assertNotIn("log damaged", err, f"seed={self.seed}")
        copying = phase == "copy" and "streaming changes from" not in err
        self.kills.append(("copy" if copying else "stream", "resuming the copy" in err))
        return copying

    def test_kills_during_copy_and_stream_and_a_server_restart(self):
        self.pg.sql(SETUP)
        self.cfg = self.write_config(
            [endpoint_yaml("items", "items", ["id"])],
            storage="{ plugin: leveldb, options: { compression: none } }",
            ingest="batch_rows: 500, commit_rows: 2000, commit_interval_ms: 20, "
                   "poll_interval_ms: 50")
        self.assertEqual(run_cli(self.cfg, "migrate")[0], 0)
        self.kills = []
        t0 = time.time()
        self.start_writer()
        # Phase 1: kills while the table is copied (and changed meanwhile).
        copying = True
        while copying and len(self.kills) < KILLS:
            copying = self.run_and_kill("copy", 0.35)
        copy_kills = sum(1 for p, _ in self.kills if p == "copy")
        # Phase 2: kills while changes stream, with one server restart in
        # the middle under a running sluice, which must reconnect by itself.
        restart_at = len(self.kills) + max(2, (KILLS - len(self.kills)) // 2)
        while len(self.kills) < max(KILLS, copy_kills + 8):
            if len(self.kills) == restart_at:
                self.restart_server_under_sluice()
            self.run_and_kill("stream", 0.6)
        self.stop_writer()
        s = self.start(self.cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "items", timeout=120)
        want = wait_equal(self, http, "/items", "id", self.pg,
                          "SELECT id, ver, payload FROM items ORDER BY id",
                          ["id", "ver", "payload"], ["int", "int", "str"], timeout=180)
        self.assertEqual(s.stop(), 0, s.stderr())
        self.verify_log(want)
        print(f"postgres crash harness: seed={self.seed} {len(self.kills)} kills "
              f"({copy_kills} during the copy, "
              f"{sum(1 for p, r in self.kills if r)} runs resumed a copy), "
              f"{time.time() - t0:.1f}s", file=sys.stderr)
        self.assertGreaterEqual(len(self.kills), 20)
        self.assertGreaterEqual(copy_kills, 5, "too few kills landed during the copy")
        self.assertTrue(any(r for _, r in self.kills), "no run resumed an interrupted copy")

    def restart_server_under_sluice(self):
        self.stop_writer()
        s = self.start(self.cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "items", timeout=120)
        wait_until(lambda: "streaming changes from" in s.stderr(), 60, "the stream to start")
        self.pg.restart("immediate")
        self.start_writer()
        try:
            wait_until(lambda: "reconnected" in s.stderr(), 60, "sluice to reconnect to PostgreSQL")
        except AssertionError as e:
            raise AssertionError(f"{e}; seed={self.seed}\n{s.stderr()[-4000:]}")
        self.assertIsNone(s.proc.poll(), "sluice stopped when PostgreSQL restarted")
        self.assertNotIn("ingest failed", s.stderr())
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait()
        self.kills.append(("stream", False))

    def verify_log(self, want):
        log_dir = os.path.join(self.dir, "home", "pipeline", "logs", "items", "v0001", "log")
        records, end, _ = log_reader.read_log(log_dir)
        last_ver, in_commit, state = {}, 0, {}
        for kind, payload in records:
            if kind == log_reader.KIND_COMMIT:
                flags, rows, _, _ = log_reader.decode_commit(payload)
                self.assertEqual(rows, in_commit, f"a commit's row count; seed={self.seed}")
                in_commit = 0
                continue
            in_commit += 1
            key, ver = two_ints(payload)
            if kind == log_reader.KIND_DELETE:
                state.pop(key, None)
                continue
            self.assertGreater(ver, last_ver.get(key, 0),
                               f"row {key}: version {ver} after {last_ver.get(key)}: a change "
                               f"repeated or out of order; seed={self.seed}")
            last_ver[key] = ver
            state[key] = ver
        self.assertEqual(in_commit, 0, "rows after the last commit")
        self.assertEqual(state, {k: r["ver"] for k, r in want.items()},
                         f"replaying the log does not give the table; seed={self.seed}")


if __name__ == "__main__":
    main()
