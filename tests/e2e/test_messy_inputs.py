"""End to end: the messy tables real users have, in one config. The good
endpoints serve exactly what Python's csv module reads; the broken ones
report their state and error in /, /ready and /metrics and recover when
their input is fixed, while every other endpoint serves.

Tables:
  trips      clean: the control
  zips       keys zero-padded only beyond the inference sample (00501)
  bad        a bad row appended (BAD1,only,three)
  empty      an empty file a producer fills later
  headeronly a header without rows
  dups       rows repeating a primary key
  riots      no primary key at all
  openquote  an unterminated quote on line 2
  parts      a directory table whose new file adds a column
"""
import csv
import json
import os
import signal
import unittest

from harness import Http, TempDirTest, run_cli, wait_until

ENDPOINTS = """
  - { name: trips, connection: files, index: { primary_key: [id] } }
  - { name: zips, connection: files, index: { primary_key: [zip_code] },
      options: { sample_rows: 50 } }
  - { name: bad, connection: files, index: { primary_key: [id] } }
  - { name: empty, connection: files, index: { primary_key: [id] } }
  - { name: headeronly, connection: files, index: { primary_key: [id] } }
  - { name: dups, connection: files, index: { primary_key: [airport, day] } }
  - { name: riots, connection: files }
  - { name: openquote, connection: files, index: { primary_key: [id] } }
  - { name: parts, connection: files, index: { primary_key: [id] } }
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(text)


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def same_value(served, text):
    """True when a served JSON value is exactly the CSV text (round trip)."""
    if text == "":
        return served is None
    if isinstance(served, bool):
        return text.lower() == ("true" if served else "false")
    if isinstance(served, int):
        return str(served) == text
    if isinstance(served, float):
        return float(text) == served
    return served == text


class MessyInputsTest(TempDirTest):
    def setUp(self):
        super().setUp()
        d = self.data
        write(d("trips.csv"), "id,name,fare\n" + "".join(
            f"{i},trip {i},{i * 1.25}\n" for i in range(1, 201)))
        # 60 rows of 5-digit zip codes sort first; the zero-padded ones come
        # after the 50-row sample.
        zips = [f"{z:05d}" for z in range(99999, 99939, -1)] + ["00501", "00544", "01001"]
        write(d("zips.csv"), "zip_code,city\n" + "".join(f"{z},city {z}\n" for z in zips))
        write(d("bad.csv"), "id,a,b\n1,x,y\n2,x,y\n3,x,y\n")
        write(d("empty.csv"), "")
        write(d("headeronly.csv"), "id,name\n")
        write(d("dups.csv"), "airport,day,strikes\nSFO,2024-01-01,3\nJFK,2024-01-01,1\n"
              "SFO,2024-01-01,5\nLAX,2024-01-02,2\nJFK,2024-01-01,7\n")
        write(d("riots.csv"), "place,year\nWatts,1965\nWatts,1965\nDetroit,1967\n,1992\n")
        write(d("openquote.csv"), 'id,name\n1,"open quote,5\n')
        write(d("parts/part-001.csv"), "id,name\n1,a\n2,b\n")
        write(d("parts/part-002.csv"), "id,name\n3,c\n")
        self.cfg = os.path.join(self.dir, "sluice.yaml")
        self.write_config()

    def write_config(self, bad_options="sample_rows: 3"):
        """bad_options: the bad endpoint's table options (YAML text). By
        default its types come from its 3 good rows only: a bad row appended
        later is a bad row on every retry, never a reason to infer another
        schema (which would turn `failed` into `schema_changed` at the first
        retry, 100 ms later)."""
        text = ("home_dir: ./home\nstorage: { plugin: leveldb }\n"
                "connections:\n  - { name: files, plugin: csv, options: { path: ./data } }\n"
                "endpoints:" + ENDPOINTS.replace(
                    "  - { name: bad, connection: files, index: { primary_key: [id] } }",
                    "  - { name: bad, connection: files, index: { primary_key: [id] }"
                    + (", options: { " + bad_options + " }" if bad_options else "") + " }")
                + "api:\n  rest: { host: 127.0.0.1, port: 0, admin_socket_path: ./admin.sock }\n"
                "ingest: { commit_interval_ms: 50, poll_interval_ms: 50, retry_min_ms: 100,"
                " retry_max_ms: 400 }\n")
        with open(self.cfg, "w") as f:
            f.write(text)

    # ---- helpers -------------------------------------------------------

    def index(self):
        status, _, body = self.http.get("/")
        self.assertEqual(status, 200, body)
        return {e["name"]: e for e in body["endpoints"]}

    def ingest(self, name):
        return self.index()[name].get("ingest", {})

    def wait_state(self, name, state, contains="", timeout=60):
        def check():
            ing = self.ingest(name)
            return ing.get("state") == state and contains in ing.get("detail", "") and ing
        return wait_until(check, timeout, f"{name} to be {state} ({contains})")

    def wait_rows(self, name, rows, version=None, timeout=60):
        def check():
            e = self.index()[name]
            cur = e["current_version"]
            if cur == 0 or (version is not None and cur != version):
                return None
            v = [x for x in e["versions"] if x["version"] == cur][0]
            return v["ready"] and v["rows"] == rows and v["lag"] == 0 and e
        return wait_until(check, timeout, f"{name} to serve {rows} rows")

    def all_records(self, name, key):
        status, _, rows = self.http.post(f"/{name}/query", {"$limit": 10000, "$order_by": {key: "asc"}})
        self.assertEqual(status, 200, rows)
        return rows

    def assert_serves_csv(self, name, key, path, rows=None):
        want = csv_rows(path) if rows is None else rows
        got = self.all_records(name, key)
        self.assertEqual(len(got), len(want))
        by_key = {str(r[key]) if not isinstance(r[key], str) else r[key]: r for r in got}
        for row in want:
            served = by_key.get(row[key])
            self.assertIsNotNone(served, f"{name}: no record {key}={row[key]!r}")
            for col, text in row.items():
                self.assertTrue(same_value(served[col], text),
                                f"{name} {key}={row[key]}: {col} served {served[col]!r}, "
                                f"file has {text!r}")

    def metric(self, text, name, endpoint):
        prefix = f'{name}{{endpoint="{endpoint}"'
        for line in text.splitlines():
            if line.startswith(prefix):
                return float(line.rsplit(" ", 1)[1])
        return None

    def start_server(self):
        self.server = self.start(self.cfg, "run")
        self.http = Http(self.server.wait_listening())

    def reload(self):
        self.server.proc.send_signal(signal.SIGHUP)

    # ---- the test ------------------------------------------------------

    def test_messy_tables_in_one_config(self):
        self.start_server()
        # The clean table serves while every other one is broken somehow.
        self.wait_rows("trips", 200)
        self.assert_serves_csv("trips", "id", self.data("trips.csv"))

        # zips: 00501 beyond the 50-row sample is a type conflict, never 501.
        ing = self.wait_state("zips", "failed", '"00501"')
        self.assertEqual(ing["last_error"]["file"], "zips.csv")
        self.assertEqual(ing["last_error"]["line"], 62)
        self.assertEqual(ing["last_error"]["column"], 1)
        self.assertIn("types.zip_code: string", ing["detail"])
        status, _, body = self.http.get("/zips/501")
        self.assertEqual(status, 503, body)  # v1 is incomplete: never current by itself
        self.assertIn("zips.csv:62", body["error"]["message"])

        # dups: counted, reported with where the first one is, last row wins.
        self.wait_rows("dups", 3)
        ing = wait_until(lambda: self.ingest("dups")["duplicate_keys"] == 2 and self.ingest("dups"),
                         30, "duplicates counted")
        self.assertIn("airport=SFO, day=2024-01-01", ing["first_duplicate"])
        self.assertIn("dups.csv:4", ing["first_duplicate"])
        status, _, rec = self.http.get("/dups/SFO,2024-01-01")
        self.assertEqual((status, rec["strikes"]), (200, 5))

        # riots: no key; every row is a record, equal rows included.
        self.wait_rows("riots", 4)
        got = self.all_records("riots", "_row")
        self.assertEqual([(r["place"], r["year"]) for r in got],
                         [("Watts", 1965), ("Watts", 1965), ("Detroit", 1967), (None, 1992)])
        status, _, one = self.http.get(f"/riots/{got[2]['_row']}")
        self.assertEqual((status, one["place"]), (200, "Detroit"))
        status, _, page = self.http.post("/riots/query", {"$limit": 2, "$after": got[1],
                                                          "$order_by": {"_row": "asc"}})
        self.assertEqual([r["_row"] for r in page], [got[2]["_row"], got[3]["_row"]])

        # empty, headeronly, openquote: waiting, no version, others serve.
        self.assertIn("is empty", self.wait_state("empty", "waiting")["detail"])
        self.assertIn("no data row", self.wait_state("headeronly", "waiting")["detail"])
        ing = self.wait_state("openquote", "waiting", "openquote.csv:2")
        self.assertIn("incomplete", ing["detail"])
        self.assertEqual(self.index()["openquote"]["versions"], [])

        # bad: a bad row appended after the good ones.
        self.wait_rows("bad", 3)
        with open(self.data("bad.csv"), "a") as f:
            f.write("BAD1,only,three\n4,x,y\n")
        ing = self.wait_state("bad", "failed", "bad.csv:5")
        self.assertEqual(ing["last_error"]["line"], 5)
        self.assertIn('"BAD1"', ing["detail"])

        # parts: a new file with a column the version lacks.
        self.wait_rows("parts", 3)
        write(self.data("parts/part-003.csv"), "id,name,color\n4,d,red\n")
        self.wait_state("parts", "schema_changed", "color")

        # What /ready and /metrics say about all of it.
        status, _, ready = self.http.get("/ready")
        self.assertEqual(status, 503)
        reasons = {e["name"]: e.get("reason", "") for e in ready["endpoints"]}
        self.assertIn("ingest failed", reasons["bad"])
        self.assertIn("bad.csv:5", reasons["bad"])
        self.assertIn("schema change", reasons["parts"])
        self.assertEqual(reasons["trips"], "")
        status, _, text = self.http.request("GET", "/metrics")
        text = text.decode() if isinstance(text, bytes) else text
        self.assertEqual(self.metric(text, "sluice_ingest_up", "bad"), 0)
        self.assertEqual(self.metric(text, "sluice_ingest_up", "trips"), 1)
        self.assertGreaterEqual(self.metric(text, "sluice_ingest_errors_total", "bad"), 1)
        self.assertGreater(self.metric(text, "sluice_ingest_last_error_timestamp_seconds", "bad"), 0)
        self.assertEqual(self.metric(text, "sluice_ingest_duplicate_keys_total", "dups"), 2)

        # Recovery without a restart.
        # empty: a producer writes it; v1 is created and fills.
        write(self.data("empty.csv"), "id,name\n1,one\n2,two\n")
        self.wait_rows("empty", 2)
        self.assert_serves_csv("empty", "id", self.data("empty.csv"))
        # bad: the file is fixed in place; ingest resumes from its commit.
        with open(self.data("bad.csv")) as f:
            text = f.read().replace("BAD1,only,three\n", "5,x,y\n")
        write(self.data("bad.csv"), text)
        self.wait_rows("bad", 5)
        self.assert_serves_csv("bad", "id", self.data("bad.csv"))
        # zips and parts: a reload plans their new versions (a type override;
        # the union of the headers).
        with open(self.cfg) as f:
            cfg = f.read()
        with open(self.cfg, "w") as f:
            f.write(cfg.replace("options: { sample_rows: 50 }",
                                "options: { sample_rows: 50, types.zip_code: string }"))
        self.reload()
        self.wait_rows("zips", 63, version=2)
        self.assert_serves_csv("zips", "zip_code", self.data("zips.csv"))
        status, _, rec = self.http.get("/zips/00501")
        self.assertEqual((status, rec["zip_code"]), (200, "00501"))
        self.wait_rows("parts", 4, version=2)
        status, _, old = self.http.get("/parts/1")
        self.assertEqual(old, {"id": 1, "name": "a", "color": None})
        status, _, new = self.http.get("/parts/4")
        self.assertEqual(new, {"id": 4, "name": "d", "color": "red"})
        status, _, v1 = self.http.get("/v1/parts/1")
        self.assertEqual(v1, {"id": 1, "name": "a"})  # v1 keeps serving its rows
        self.assertEqual(self.ingest("parts")["state"], "caught_up")

        # The file is what the API serves; a stop is clean.
        self.assertEqual(self.server.stop(), 0, self.server.stderr())

    def test_skip_on_reload_and_serving_a_failed_version(self):
        write(self.data("bad.csv"), "id,a,b\n1,x,y\nBAD1,only,three\n3,x,y\n")
        self.write_config(bad_options="sample_rows: 1")  # id is int64: BAD1 is a bad row
        self.start_server()
        self.wait_state("bad", "failed", "bad.csv:3")
        # v1 holds row 1 but never completed: an admin may serve it anyway.
        wait_until(lambda: [v for v in self.index()["bad"]["versions"]
                            if v["lag"] == 0 and v["rows"] == 1], 30, "v1 caught up")
        status, _, body = self.server.admin().request("PUT", "/admin/endpoints/bad/current",
                                                       {"version": 1})
        self.assertEqual(status, 200, body)
        status, _, rec = self.http.get("/bad/1")
        self.assertEqual((status, rec["a"]), (200, "x"))
        # on_error: skip and a reload: the rest arrives, the bad row counted.
        self.write_config(bad_options="sample_rows: 1, on_error: skip")
        self.reload()
        self.wait_rows("bad", 2)
        self.assertEqual(self.ingest("bad")["state"], "caught_up")
        status, _, text = self.http.request("GET", "/metrics")
        text = text.decode() if isinstance(text, bytes) else text
        self.assertIn('sluice_ingest_rejected_rows_total{endpoint="bad",version="1"} 1', text)
        self.assertEqual(self.server.stop(), 0, self.server.stderr())

    def test_once_fails_on_an_incomplete_last_line_and_migrate_on_zero_rows(self):
        def config(options):
            with open(self.cfg, "w") as f:
                f.write("home_dir: ./home\nstorage: { plugin: leveldb }\n"
                        "connections:\n  - { name: files, plugin: csv, options: { path: ./data } }\n"
                        "endpoints:\n  - { name: openquote, connection: files, "
                        "index: { primary_key: [id] }" + options + " }\n")
        config("")
        code, out, err = run_cli(self.cfg, "migrate")
        self.assertEqual(code, 1, out + err)
        self.assertIn("openquote: waiting: openquote.csv:2: the last line is incomplete", err)
        self.assertIn("cannot infer them from none", err)
        # With the column types given, a version exists; the input under
        # --once is final, so the incomplete line is an error naming it.
        config(", options: { types.id: int64, types.name: string }")
        code, out, err = run_cli(self.cfg, "migrate")
        self.assertEqual(code, 0, out + err)
        code, out, err = run_cli(self.cfg, "app", "run", "--once")
        self.assertEqual(code, 1, err)
        self.assertIn("openquote.csv:2: the last line is incomplete", err)


if __name__ == "__main__":
    unittest.main()
