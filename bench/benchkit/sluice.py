"""Driving the real sluice binary: a home per dataset, ingest, serve, readiness."""
import http.client
import json
import os
import re
import shutil
import time

from .procs import BenchError, Server, run_timed

CONFIG = """\
home_dir: ./home
storage: {storage}
connections:
  - {{ name: files, plugin: csv, options: {{ path: {data} }} }}
endpoints:
  - name: trips
    path: /trips
    connection: files
    table: trips
    index:
      primary_key: [trip_id]{secondary}{aggregates}
{extra}api:
  rest: {{ host: 127.0.0.1, port: 0 }}
"""
SECONDARY = "\n      secondary: [[pickup_zone_id]]"
COVERING = "\n      covering: true"
GRPC_API = "  grpc: { host: 127.0.0.1, port: 0 }\n"
LEVELDB = "{ plugin: leveldb }"
INGESTED = re.compile(r"ingest stopped endpoint=trips rows=(\d+) rejected=(\d+)")


class Home:
    """One sluice deployment in `root`: config, home directory, the trips
    endpoint. `storage` is the YAML value of the config's `storage` key;
    the endpoint has a secondary index on pickup_zone_id unless `secondary`
    is false, and `covering` makes it covering (index.covering);
    `aggregates` are the endpoint's declared aggregates (YAML flow mappings,
    docs/aggregates.md); `extra` is top-level YAML (whole lines) added to
    the config."""

    def __init__(self, binary, root, data_dir, grpc=False, storage=LEVELDB, covering=False,
                 secondary=True, aggregates=(), extra=""):
        self.binary, self.root, self.grpc = binary, root, grpc
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)
        self.config = os.path.join(root, "sluice.yaml")
        index = (SECONDARY + (COVERING if covering else "")) if secondary else ""
        declared = "".join("\n      - " + a for a in aggregates)
        self.yaml = CONFIG.format(data=data_dir, storage=storage, secondary=index,
                                  aggregates="\n    aggregates:" + declared if aggregates else "",
                                  extra=extra) + (GRPC_API if grpc else "")
        with open(self.config, "w") as f:
            f.write(self.yaml)

    def copy_log_from(self, other):
        """Gives this home the log (and versions) of `other`'s, not its caches."""
        src, dst = os.path.join(other.root, "home"), os.path.join(self.root, "home")
        shutil.copytree(src, dst, ignore=lambda d, names: [n for n in names if n in ("LOCK", "cache")]
                        if d == src else [])

    def cmd(self, *args):
        return [self.binary, "-c", self.config] + list(args)

    def migrate(self):
        """`migrate`: infers the schema and creates version 1. Returns Timed."""
        return run_timed(self.cmd("migrate"), timeout=120)

    def ingest(self, timeout, rows=None):
        """`app run --once`: the whole input into the log. Returns Timed.
        With `rows`, raises BenchError unless the app reports having
        ingested exactly that many rows and rejected none."""
        t = run_timed(self.cmd("app", "run", "--once"), timeout=timeout)
        if rows is not None:
            m = INGESTED.search(t.err + t.out)
            if not m or int(m.group(1)) != rows or int(m.group(2)) != 0:
                raise BenchError("%s: expected \"ingest stopped endpoint=trips rows=%d rejected=0\""
                                 " in its log, found %s" % (self.config, rows, m.group(0) if m else
                                                            "no such line:\n" + t.err[-2000:]))
        return t

    def serve(self, timeout=60, command=("api", "run")):
        """Starts `api run` (or `command`, e.g. ("run",)); returns (Server,
        REST port) once it listens. With gRPC enabled, Server.grpc is its
        "127.0.0.1:PORT"."""
        srv = Server(self.cmd(*command))
        m = srv.wait_line(r"sluice: listening on http://127\.0\.0\.1:(\d+)", timeout)
        srv.grpc = None
        if self.grpc:
            srv.grpc = srv.wait_line(r"sluice: listening on grpc://(\S+)", timeout).group(1)
        return srv, int(m.group(1))


def get_json(conn, method, path, body=None):
    """One request on a keep-alive connection; returns (status, parsed body)."""
    conn.request(method, path, body=None if body is None else json.dumps(body),
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    raw = r.read()
    return r.status, (json.loads(raw) if raw else None)


def wait_ready(port, rows, timeout, poll=0.002):
    """Polls GET / until trips has a current version that is ready, has no
    lag and holds `rows` rows. Returns the monotonic time it saw that."""
    deadline = time.monotonic() + timeout
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    last = None
    while time.monotonic() < deadline:
        status, body = get_json(conn, "GET", "/")
        if status == 200:
            ep = [e for e in body["endpoints"] if e["name"] == "trips"][0]
            cur = [v for v in ep["versions"] if v["version"] == ep["current_version"]]
            last = cur[0] if cur else ep["versions"]
            if cur and cur[0]["ready"] and cur[0]["lag"] == 0 and cur[0]["rows"] == rows:
                conn.close()
                return time.monotonic()
        time.sleep(poll)
    raise BenchError("trips not ready with %d rows after %ss; last state %s" % (rows, timeout, last))
