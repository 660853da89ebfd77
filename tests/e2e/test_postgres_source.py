"""The postgres source end to end, against a real PostgreSQL started here:
a 100k-row snapshot then 10k changes from concurrent sessions end equal to
the table; transactions are never seen half applied; types map as
docs/source-postgres.md says; unchanged TOASTed values survive updates; a
quiet table's slot keeps up; refusals and a truncate say what to do."""
import os
import re
import threading
import time

from harness import Http, run_cli, wait_ready, wait_until
from pg_case import (PgCase, convert, endpoint_yaml, main, metric, read_endpoint, sluice_timestamp,
                     wait_equal)
from pg_server import PASSWORD

ITEMS = """
CREATE SEQUENCE ver_seq;
CREATE TABLE items (id bigint PRIMARY KEY, ver bigint NOT NULL, grp int NOT NULL,
                    amount numeric(12,2), name text, updated timestamptz, flag bool);
INSERT INTO items SELECT g, nextval('ver_seq'), g % 97, (g * 7 % 100000) / 100.0, 'item ' || g,
                         '2024-01-01 00:00:00+00'::timestamptz + g * interval '1.5 seconds',
                         g % 3 = 0
                  FROM generate_series(1, 100000) g;
"""
ITEM_COLUMNS = ["id", "ver", "grp", "amount", "name", "updated", "flag"]
ITEM_TYPES = ["int", "int", "int", "str", "str", "ts", "bool"]

# Mixed changes: updates, upserting inserts of new and old keys, deletes, and
# two-row transactions, from several sessions at once.
CHANGES = r"""
\set id random(1, 110000)
\set other random(1, 110000)
\set op random(1, 10)
\if :op <= 4
UPDATE items SET ver = nextval('ver_seq'), amount = amount + 1, updated = now() WHERE id = :id;
\elif :op <= 6
INSERT INTO items VALUES (:id, nextval('ver_seq'), :id % 97, 1.25, E'new\t' || :id, now(), true)
  ON CONFLICT (id) DO UPDATE SET ver = nextval('ver_seq'), name = 'again ' || :id;
\elif :op <= 8
DELETE FROM items WHERE id = :id;
\else
BEGIN;
UPDATE items SET ver = nextval('ver_seq'), grp = grp + 1 WHERE id = :id;
UPDATE items SET ver = nextval('ver_seq'), flag = NOT flag WHERE id = :other;
COMMIT;
\endif
"""


class PostgresSourceTest(PgCase):
    def test_snapshot_then_concurrent_changes_equal_the_table(self):
        self.pg.sql(ITEMS)
        cfg = self.write_config([endpoint_yaml("items", "public.items", ["id"])])
        code, out, err = run_cli(cfg, "migrate")
        self.assertEqual(code, 0, err)
        self.assertIn("schema: *id int64!, ver int64!, grp int64!, amount string, name string, "
                      "updated timestamp, flag bool", out)
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "items", rows=100000, timeout=180)
        self.pg.pgbench(CHANGES, clients=4, transactions=2500)
        want = wait_equal(self, http, "/items", "id", self.pg,
                          "SELECT " + ", ".join(ITEM_COLUMNS) + " FROM items ORDER BY id",
                          ITEM_COLUMNS, ITEM_TYPES)
        self.assertGreater(len(want), 90000)
        lag = metric(http, "sluice_source_lag_bytes", {"endpoint": "items", "version": "1"})
        self.assertIsNotNone(lag, "no sluice_source_lag_bytes for items v1")
        self.assertGreaterEqual(lag, 0)
        self.assertEqual(s.stop(), 0, s.stderr())
        code, out, err = run_cli(cfg, "migrations")
        self.assertEqual(code, 0, err)
        self.assertIn("SOURCE LAG", out.splitlines()[0])
        self.assertNotIn("unknown", out.splitlines()[1])

    def test_transactions_are_never_seen_half_applied(self):
        self.pg.sql("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);"
                    "INSERT INTO accounts SELECT g, 1000 FROM generate_series(1, 50) g;")
        # One row per batch and per commit: a transfer's two rows span
        # batches, and commit_rows is reached in its middle.
        cfg = self.write_config([endpoint_yaml("accounts", "accounts", ["id"])],
                                ingest="batch_rows: 1, commit_rows: 1, commit_interval_ms: 1, "
                                       "poll_interval_ms: 50")
        self.assertEqual(run_cli(cfg, "migrate")[0], 0)
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "accounts", rows=50)
        seen, bad, stop = [], [], threading.Event()

        def poll():
            reader = Http(http_base)
            while not stop.is_set():
                status, _, rows = reader.post("/accounts/query", {"$limit": 100})
                if status == 200:
                    total = sum(r["balance"] for r in rows)
                    seen.append(total)
                    if total != 50000 or len(rows) != 50:
                        bad.append((len(rows), total))
        http_base = s.base
        t = threading.Thread(target=poll)
        t.start()
        try:
            self.pg.pgbench("\\set a random(1, 50)\n\\set b random(1, 50)\n\\set x random(1, 100)\n"
                            "BEGIN;\nUPDATE accounts SET balance = balance - :x WHERE id = :a;\n"
                            "UPDATE accounts SET balance = balance + :x WHERE id = :b;\nCOMMIT;\n",
                            clients=4, transactions=750)
            # One large transaction: 600 changes, 600 batches, one commit.
            self.pg.sql("BEGIN;\n" + "".join(
                f"UPDATE accounts SET balance = balance - 1 WHERE id = {i % 50 + 1};\n"
                f"UPDATE accounts SET balance = balance + 1 WHERE id = {(i * 7) % 50 + 1};\n"
                for i in range(300)) + "COMMIT;\n")
            wait_equal(self, http, "/accounts", "id", self.pg,
                       "SELECT id, balance FROM accounts ORDER BY id", ["id", "balance"],
                       ["int", "int"])
        finally:
            stop.set()
            t.join()
        self.assertEqual(bad, [], "a read saw part of a transfer")
        self.assertGreater(len(seen), 20)
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_types_map_as_documented(self):
        self.pg.sql(r"""
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
CREATE TABLE kinds (k bigint PRIMARY KEY, i2 smallint, f4 real, f8 double precision,
  n numeric(20,5), b bool, t text, vc varchar(5), c char(3), d date, ts timestamp,
  tz timestamptz, u uuid, j json, jb jsonb, by bytea, arr int[], e mood, iv interval,
  tm time, p positive);
INSERT INTO kinds VALUES (1, -32768, 1.5, 0.1, 123456789012345.12345, true, E'a\tb\nc\\',
  'abc', 'x', '2024-02-29', '2024-02-29 23:59:59.5', '2024-06-01 12:00:00+02',
  'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"a": [1, 2]}', '{"b": 1, "a": null}', '\x00ff',
  ARRAY[1, NULL, 3], 'happy', '1 day 2 hours', '04:05:06', 7);
INSERT INTO kinds (k) VALUES (2);
CREATE TABLE money (id int PRIMARY KEY, price numeric(10,2), qty numeric(12,0), exact numeric);
INSERT INTO money VALUES (1, 12.30, 123456789012, 0.1234567890123456789);
CREATE TABLE docs (id int PRIMARY KEY, body tsvector);
""")
        # The password from a file (mode 600) this time.
        pwfile = os.path.join(self.dir, "pgpass")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(pwfile, 0o600)
        cfg = self.write_config(
            [endpoint_yaml("kinds", "kinds", ["k"]),
             endpoint_yaml("money", "money", ["id"], {"numeric": "number"})],
            conn_options="")
        with open(cfg) as f:
            text = f.read().replace("password_env: SLUICE_TEST_PG_PASSWORD",
                                    f"password_file: {pwfile}")
        with open(cfg, "w") as f:
            f.write(text)
        code, out, err = run_cli(cfg, "migrate")
        self.assertNotEqual(code, 0)  # money.exact is numeric without a precision
        self.assertIn("column exact is numeric, without a declared precision", err)
        self.assertIn("numeric: string", err)
        self.pg.sql("ALTER TABLE money DROP COLUMN exact")
        code, out, err = run_cli(cfg, "migrate")
        self.assertEqual(code, 0, err)
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "kinds", rows=2)
        wait_ready(http, "money", rows=1)
        expected = {
            "k": 1, "i2": -32768, "f4": 1.5, "f8": 0.1, "n": "123456789012345.12345", "b": True,
            "t": "a\tb\nc\\", "vc": "abc", "c": "x  ", "d": "2024-02-29", "ts":
            "2024-02-29T23:59:59.500000Z", "tz": "2024-06-01T10:00:00Z",
            "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "j": '{"a": [1, 2]}',
            "jb": '{"a": null, "b": 1}', "by": "\\x00ff", "arr": "{1,NULL,3}", "e": "happy",
            "iv": "P1DT2H", "tm": "04:05:06", "p": 7}
        self.assertEqual(http.get("/kinds/1")[2], expected)  # from the copy (binary COPY)
        self.assertEqual(http.get("/kinds/2")[2]["i2"], None)
        # The same row through the stream (pgoutput's text): the very same values.
        self.pg.sql("BEGIN; UPDATE kinds SET i2 = i2 WHERE k = 1; UPDATE kinds SET i2 = 5 WHERE k = 2;"
                    " COMMIT;")
        wait_until(lambda: http.get("/kinds/2")[2]["i2"] == 5, 30, "the update to arrive")
        self.assertEqual(http.get("/kinds/1")[2], expected)
        self.assertEqual(http.get("/money/1")[2], {"id": 1, "price": 12.3, "qty": 123456789012})
        self.assertEqual(s.stop(), 0, s.stderr())
        # A type sluice has no type for is refused, naming the option that maps it to text.
        cfg2 = self.write_config([endpoint_yaml("docs", "docs", ["id"])], name="docs.yaml")
        code, out, err = run_cli(cfg2, "migrate")
        self.assertNotEqual(code, 0)
        self.assertIn("column body has type tsvector", err)
        self.assertIn("other_types: string", err)

    def test_unchanged_toasted_values_survive_updates(self):
        self.pg.sql("""
CREATE TABLE big_default (id int PRIMARY KEY, body text, n int);
CREATE TABLE big_full (id int PRIMARY KEY, body text, n int);
ALTER TABLE big_default ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE big_full ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE big_full REPLICA IDENTITY FULL;
INSERT INTO big_default SELECT g, (SELECT string_agg(md5(g::text || x::text), '')
  FROM generate_series(1, 300) x), 0 FROM generate_series(1, 20) g;
INSERT INTO big_full SELECT * FROM big_default;
""")
        cfg = self.write_config([endpoint_yaml("big_default", "big_default", ["id"]),
                                 endpoint_yaml("big_full", "big_full", ["id"])])
        self.assertEqual(run_cli(cfg, "migrate")[0], 0)
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "big_default", rows=20)
        wait_ready(http, "big_full", rows=20)
        for table in ("big_default", "big_full"):
            self.pg.sql(f"UPDATE {table} SET n = n + 1; UPDATE {table} SET n = n + 1 WHERE id <= 5;"
                        f"DELETE FROM {table} WHERE id = 20;")
            rows = wait_equal(self, http, f"/{table}", "id", self.pg,
                              f"SELECT id, body, n FROM {table} ORDER BY id", ["id", "body", "n"],
                              ["int", "str", "int"])
            self.assertEqual(len(rows[1]["body"]), 9600)
            self.assertEqual(rows[1]["n"], 2)
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_a_quiet_table_does_not_hold_wal_back(self):
        self.pg.sql("CREATE TABLE quiet (id int PRIMARY KEY); INSERT INTO quiet VALUES (1);"
                    "CREATE TABLE busy (id serial PRIMARY KEY, pad text);")
        cfg = self.write_config([endpoint_yaml("quiet", "quiet", ["id"])],
                                conn_options=", heartbeat_ms: 200")
        self.assertEqual(run_cli(cfg, "migrate")[0], 0)
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "quiet", rows=1)
        self.pg.sql("INSERT INTO busy (pad) SELECT repeat('x', 500) FROM generate_series(1, 20000)")
        target = self.pg.sql("SELECT pg_current_wal_lsn() - '0/0'").strip()

        def confirmed():
            out = self.pg.sql("SELECT confirmed_flush_lsn - '0/0' FROM pg_replication_slots "
                              "WHERE slot_name = 'sluice_quiet_v1'").strip()
            return out and int(out) >= int(target)
        wait_until(confirmed, 60, "the quiet table's slot to confirm the busy table's WAL")
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_refusals_and_a_truncate_say_what_to_do(self):
        self.pg.sql("CREATE TABLE dates (id int PRIMARY KEY, d date);"
                    "INSERT INTO dates VALUES (1, '2024-01-01'), (2, 'infinity');"
                    "CREATE TABLE nokey (a int, b text);"
                    "CREATE TABLE t (id int PRIMARY KEY, v text);"
                    "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g;")
        cfg = self.write_config([endpoint_yaml("nokey", "nokey", ["a"])], name="nokey.yaml")
        code, _, err = run_cli(cfg, "migrate")
        self.assertNotEqual(code, 0)
        self.assertIn("has no primary key and REPLICA IDENTITY DEFAULT", err)
        self.assertIn('REPLICA IDENTITY FULL;', err)
        cfg = self.write_config([endpoint_yaml("missing", "public.nothere", ["id"])],
                                name="missing.yaml")
        code, _, err = run_cli(cfg, "migrate")
        self.assertNotEqual(code, 0)
        self.assertIn('table "public.nothere" does not exist', err)
        with open(cfg) as f:
            text = f.read().replace(f'user=sluice"', f'user=sluice password=x"')
        with open(cfg, "w") as f:
            f.write(text)
        code, _, err = run_cli(cfg, "migrate")
        self.assertEqual(code, 2, err)
        self.assertIn("holds a password", err)

        # A value sluice cannot hold stops the endpoint, naming column and value.
        cfg = self.write_config([endpoint_yaml("dates", "dates", ["id"])], name="dates.yaml")
        self.assertEqual(run_cli(cfg, "migrate")[0], 0)
        code, _, err = run_cli(cfg, "app", "run", "--once")
        self.assertNotEqual(code, 0)
        self.assertIn("column d: value 'infinity' is not a date sluice can hold", err)

        cfg = self.write_config([endpoint_yaml("t", "t", ["id"])])
        self.assertEqual(run_cli(cfg, "migrate")[0], 0)
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "t", rows=100)
        self.pg.sql("UPDATE t SET v = 'before' WHERE id = 1; TRUNCATE t; INSERT INTO t VALUES (7, 'x')")
        def stopped():
            ingest = http.get("/")[2]["endpoints"][0].get("ingest", {})
            return ingest.get("state") == "failed" and ingest
        ingest = wait_until(stopped, 60, "the ingest to stop")
        self.assertRegex(ingest["detail"], r"the table was truncated.*migrate --new ENDPOINT")
        # The state is published before the log line is written: wait for both.
        wait_until(lambda: "ingest stopped; retrying" in s.stderr(), 30, "the retry log line")
        # The version keeps serving what it had, with every change before the truncate.
        self.assertEqual(http.get("/t/1")[2], {"id": 1, "v": "before"})
        self.assertEqual(http.post("/t/count")[2], {"count": 100})
        s.stop()


if __name__ == "__main__":
    main()
