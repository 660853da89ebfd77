"""Shared by the postgres source's end-to-end tests: a test case with its own
PostgreSQL server (pg_server.py) and sluice home, a config writer, reading
an endpoint whole over REST, and PostgreSQL text -> the JSON sluice serves."""
import datetime
import json
import os
import sys
import unittest

from harness import REST_LINE, SLUICE_BIN, Http, TempDirTest, query_all, wait_until
from pg_server import PASSWORD, PgServer, missing_reason

PASSWORD_ENV = "SLUICE_TEST_PG_PASSWORD"


def endpoint_yaml(name, table, key, options=None, version=None):
    lines = [f"  - name: {name}", f"    path: /{name}", "    connection: db",
             f"    table: {table}", f"    index: {{ primary_key: {json.dumps(key)} }}"]
    if options:
        lines.append(f"    options: {json.dumps(options)}")
    if version:
        lines.append(f"    version: {version}")
    return "\n".join(lines)


class PgCase(TempDirTest):
    """A fresh PostgreSQL and sluice directory per test."""

    PG_SETTINGS = ""

    def setUp(self):
        plugin = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(SLUICE_BIN))), "lib",
                              "sluice", "plugins", "source_postgres.so")
        reason = missing_reason() or (None if os.path.exists(plugin) else
                                      f"the postgres source is not built ({plugin}: libpq-dev)")
        if reason:
            self.skipTest(reason)
        super().setUp()
        self.pg = PgServer(self.dir, self.PG_SETTINGS)
        os.environ[PASSWORD_ENV] = PASSWORD

    def tearDown(self):
        try:
            self.dumped = []
            for p in self.procs:  # sluice first: its slots are released with its sessions
                if p.proc.poll() is None:
                    p.proc.kill()
                    p.proc.wait()
                self.dumped.append(list(p.err_lines))
            if hasattr(self, "pg"):
                self.pg.remove()
        finally:
            super().tearDown()

    def run(self, result=None):
        """Runs the test; when it fails, prints what each sluice it started
        logged last (the processes and their logs go with the test)."""
        failures = len(result.failures) + len(result.errors) if result else 0
        out = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > failures:
            for p in getattr(self, "dumped", []):
                print("\n--- sluice stderr (last 40 lines):\n" + "\n".join(p[-40:]),
                      file=sys.stderr)
        return out

    def write_config(self, endpoints, conn_options="", ingest="commit_interval_ms: 100, "
                     "poll_interval_ms: 50", storage="{ plugin: leveldb }", name="sluice.yaml"):
        """endpoints: YAML blocks from endpoint_yaml()."""
        text = f"""home_dir: ./home
storage: {storage}
connections:
  - name: db
    plugin: postgres
    options: {{ dsn: "{self.pg.dsn()}", password_env: {PASSWORD_ENV}{conn_options} }}
endpoints:
{chr(10).join(endpoints)}
api:
{REST_LINE}
ingest: {{ {ingest} }}
"""
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path


def read_endpoint(http, path, key, version=None):
    """Every row an endpoint serves, {key value: row}, paged in key order."""
    prefix = f"/v{version}" if version else ""
    out = {}
    for row in query_all(http, prefix + path, key):
        if row[key] in out:
            raise AssertionError(f"{path}: key {row[key]} served twice")
        out[row[key]] = row
    return out


def sluice_timestamp(text):
    """PostgreSQL's timestamptz output in UTC ("2024-01-02 03:04:05.1+00")
    as sluice serves it ("2024-01-02T03:04:05.100000Z")."""
    if text is None:
        return None
    base = text[:-3] if text.endswith("+00") else text
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in base else "%Y-%m-%d %H:%M:%S"
    dt = datetime.datetime.strptime(base, fmt)
    frac = f".{dt.microsecond:06d}" if dt.microsecond else ""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"


def convert(row, types):
    """A PostgreSQL row (text values) as sluice serves it; types: one of
    int, str, bool, ts per column (numeric as str: exact text)."""
    out = []
    for v, t in zip(row, types):
        if v is None:
            out.append(None)
        elif t == "int":
            out.append(int(v))
        elif t == "bool":
            out.append(v == "t")
        elif t == "ts":
            out.append(sluice_timestamp(v))
        elif t == "float":
            out.append(float(v))
        else:
            out.append(v)
    return out


def wait_equal(test, http, path, key, pg, query, columns, types, timeout=120):
    """Waits until the endpoint holds exactly the rows of `query` (ordered
    by key), then returns them."""
    def check():
        want = {}
        for r in pg.rows(query):
            conv = convert(r, types)
            want[conv[0]] = dict(zip(columns, conv))
        got = read_endpoint(http, path, key)
        return (got == want, got, want)
    last = {}

    def done():
        ok, got, want = check()
        last.update(got=got, want=want)
        return ok
    try:
        wait_until(done, timeout, f"{path} equal to `{query}`")
    except AssertionError:
        got, want = last.get("got", {}), last.get("want", {})
        missing = [k for k in want if k not in got][:5]
        extra = [k for k in got if k not in want][:5]
        differ = [(want[k], got[k]) for k in want if k in got and got[k] != want[k]][:3]
        raise AssertionError(f"{path} differs from the table after {timeout}s: {len(got)} rows "
                             f"served, {len(want)} in the table; missing {missing}, extra "
                             f"{extra}, different {differ}")
    return last["want"]


def metric(http, name, labels):
    """The value of one Prometheus sample, or None."""
    status, _, body = http.get("/metrics")
    text = body.decode() if isinstance(body, bytes) else str(body)
    want = name + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"
    for line in text.splitlines():
        if line.startswith(want + " "):
            return float(line.split()[-1])
    return None


def main():
    unittest.main()
