"""Test harness: runs the real sluice binary on temporary home directories
and talks to it over real HTTP on 127.0.0.1 (ephemeral ports).

Environment (set by CTest): SLUICE_BIN, the host binary; SLUICE_PLUGIN_DIR,
the build's plugin directory (the binary finds it by itself too);
SLUICE_FIXTURE_DIR, the plugins built for tests (tests/fixtures);
SLUICE_TEST_STORAGE, the storage backend the tests run on: `leveldb`
(default) or `rocksdb`. Tests whose subject is one backend name it
themselves; the others follow STORAGE (write_config's default, and
storage_config() for tests that tune the backend).
"""
import csv
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
GEN_TRIPS = os.path.join(HERE, "..", "tools", "gen_trips.py")
SLUICE_BIN = os.environ.get("SLUICE_BIN", os.path.join(HERE, "..", "..", "build", "bin", "sluice"))
# Plugins built only for tests (tests/fixtures), e.g. the fixture source
# `fixture_rows` whose rows are written in the config.
FIXTURE_DIR = os.environ.get("SLUICE_FIXTURE_DIR",
                             os.path.join(HERE, "..", "..", "build", "tests", "fixtures"))
BACKENDS = ("leveldb", "rocksdb")
# The REST line write_config writes: ephemeral port, and an admin socket in
# the test's directory (admin routes are served there when no admin key is
# configured).
REST_LINE = "  rest: { host: 127.0.0.1, port: 0, admin_socket_path: ./admin.sock }"


def _storage_from_env():
    value = os.environ.get("SLUICE_TEST_STORAGE", "leveldb")
    if value not in BACKENDS:
        raise SystemExit(f"SLUICE_TEST_STORAGE={value!r}: expected one of {', '.join(BACKENDS)}; "
                         "unset it to run on leveldb")
    return value


STORAGE = _storage_from_env()
# The suffix of the backend's table files in a database directory.
TABLE_SUFFIX = {"leveldb": ".ldb", "rocksdb": ".sst"}[STORAGE]


def storage_config(options):
    """The `storage:` line for the selected backend, with `options` (a dict
    backend name -> YAML text of its options, e.g. "compression: none")."""
    return f"storage: {{ plugin: {STORAGE}, options: {{ {options[STORAGE]} }} }}"


def replace_storage(config_path, storage):
    """Rewrites the `storage:` line of a config file from write_config to
    `storage` (YAML text: one line, or a block such as "storage:\n  log:
    ...\n  cache: leveldb") and returns the path."""
    with open(config_path) as f:
        text = f.read()
    start = text.index("storage:")
    end = text.index("\n", start) + 1
    with open(config_path, "w") as f:
        f.write(text[:start] + storage.rstrip("\n") + "\n" + text[end:])
    return config_path


def gen_trips(path, rows, seed=42, start_id=1):
    subprocess.run([sys.executable, GEN_TRIPS, "--rows", str(rows), "--seed", str(seed),
                    "--start-id", str(start_id), "--out", path], check=True)


def write_config(dirpath, endpoints, storage=None, extra="", storage_options=None,
                 ingest="commit_interval_ms: 100, poll_interval_ms: 50"):
    """endpoints: list of dicts with name, table, [primary_key] (none: keyed by
    log position), [secondary], [options], [version].
    storage: the storage plugin's name; default the selected backend (STORAGE).
    storage_options: instead, the selected backend with these options (as
    storage_config takes them). ingest: the YAML text of the ingest settings."""
    storage_line = (storage_config(storage_options) if storage_options else
                    f"storage: {{ plugin: {storage or STORAGE} }}")
    lines = ["home_dir: ./home", storage_line, "connections:",
             "  - name: files", "    plugin: csv", "    options: { path: ./data }", "endpoints:"]
    for e in endpoints:
        lines += [f"  - name: {e['name']}", f"    path: /{e['name']}", "    connection: files",
                  f"    table: {e.get('table', e['name'])}"]
        if e.get("primary_key") or e.get("secondary"):
            lines.append("    index:")
        if e.get("primary_key"):
            lines.append(f"      primary_key: {json.dumps(e['primary_key'])}")
        if e.get("secondary"):
            lines.append(f"      secondary: {json.dumps(e['secondary'])}")
        if e.get("covering"):
            lines.append("      covering: true")
        if e.get("options"):
            lines.append(f"    options: {json.dumps(e['options'])}")
        if e.get("version"):
            lines.append(f"    version: {e['version']}")
    lines += ["api:", REST_LINE, f"ingest: {{ {ingest} }}"]
    path = os.path.join(dirpath, "sluice.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n" + extra)
    return path


class Sluice:
    """One running sluice process."""

    def __init__(self, config, *args, preexec_fn=None, env=None):
        """env: variables added to this process's environment for sluice."""
        self.lines = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen([SLUICE_BIN, "-c", config] + list(args),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     preexec_fn=preexec_fn,
                                     env=None if env is None else {**os.environ, **env})
        self.err_lines = []
        # Readers of stdout and stderr; they end at EOF, once the process
        # (and anything holding its pipes) has exited.
        self.pumps = [threading.Thread(target=self._pump, args=(stream, sink), daemon=True)
                      for stream, sink in ((self.proc.stdout, self.lines),
                                           (self.proc.stderr, self.err_lines))]
        for t in self.pumps:
            t.start()
        self.base = None

    def _pump(self, stream, sink):
        for line in stream:
            with self.cond:
                sink.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_listening(self, timeout=30):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    m = re.match(r"sluice: listening on (http://\S+)", line)
                    if m:
                        self.base = m.group(1)
                        return self.base
                if self.proc.poll() is not None or time.time() > deadline:
                    raise AssertionError("sluice did not start:\n" + "\n".join(self.err_lines[-30:]))
                self.cond.wait(0.1)

    def admin(self, timeout=30):
        """An Http client on the admin socket sluice printed (see REST_LINE)."""
        return UnixHttp(wait_address(self, "unix:", timeout, separator=""))

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("sluice did not stop within %ss" % timeout)
        self.join_readers()
        return code

    def join_readers(self, timeout=30):
        """Once the process has exited, waits until its output has been read
        to the end, so that stderr() and .lines hold its last lines."""
        if self.proc.poll() is None:
            return
        for t in self.pumps:
            t.join(timeout)
            if t.is_alive():
                raise AssertionError("the output of sluice did not end within %ss of its exit" % timeout)

    def stderr(self):
        """Everything sluice wrote to stderr so far; all of it once it has exited."""
        self.join_readers()
        with self.cond:
            return "\n".join(self.err_lines)


class Http:
    """A keep-alive HTTP/1.1 client for one server."""

    def __init__(self, base):
        m = re.match(r"http://([^:/]+):(\d+)", base)
        self.conn = http.client.HTTPConnection(m.group(1), int(m.group(2)), timeout=30)

    def request(self, method, path, body=None, headers=None):
        data = None if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
        self.conn.request(method, path, body=data, headers=headers or {})
        r = self.conn.getresponse()
        raw = r.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), parsed

    def get(self, path):
        return self.request("GET", path)

    def close(self):
        self.conn.close()

    def post(self, path, body=None):
        return self.request("POST", path, body if body is not None else {})


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


class UnixHttp(Http):
    """The same client on a unix socket (the REST plugin's admin socket)."""

    def __init__(self, path):
        self.conn = _UnixConnection(path, 30)


def run_cli(config, *args, timeout=300):
    """Runs one sluice command to completion; returns (exit code, stdout, stderr)."""
    p = subprocess.run([SLUICE_BIN, "-c", config] + list(args), capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def wait_until(fn, timeout=60, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what + f" (last: {last!r})")


def wait_ready(http, endpoint, version=None, rows=None, timeout=120):
    """Waits until `endpoint` has a current version (or `version` is current) holding `rows` rows."""
    def check():
        status, _, body = http.get("/")
        if status != 200:
            return None
        for e in body["endpoints"]:
            if e["name"] != endpoint:
                continue
            cur = e["current_version"]
            if cur == 0 or (version is not None and cur != version):
                return None
            v = [x for x in e["versions"] if x["version"] == cur][0]
            if not v["ready"] or (rows is not None and v["rows"] != rows) or v["lag"] != 0:
                return None
            return e
        return None
    return wait_until(check, timeout, f"{endpoint} ready")


class TempDirTest(unittest.TestCase):
    """A test case with a fresh directory holding data/ and a config."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sluice-e2e-")
        os.makedirs(os.path.join(self.dir, "data"))
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def data(self, name):
        return os.path.join(self.dir, "data", name)

    def start(self, config, *args, preexec_fn=None, env=None):
        s = Sluice(config, *args, preexec_fn=preexec_fn, env=env)
        self.procs.append(s)
        return s


def read_csv_typed(path):
    """The generator's rows as Python values, the way sluice should serve them."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return rows


def write_csv(path, header, rows):
    """Writes a CSV file: the `header` names, then each row's values (None as
    an empty cell, anything else as str() writes it)."""
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join("" if x is None else str(x) for x in r) + "\n")


def query_all(http, path, order_by=None, limit=10000):
    """Every row the endpoint at `path` ("/trips", "/v2/trips") serves, in
    ascending `order_by` order (default: its key order), read in pages of
    `limit` rows with $after. AssertionError on any answer but 200."""
    rows, after = [], None
    while True:
        q = {"$limit": limit}
        if order_by is not None:
            q["$order_by"] = {order_by: "asc"}
        if after is not None:
            q["$after"] = after
        status, _, page = http.post(path + "/query", q)
        if status != 200:
            raise AssertionError(f"query {path}: {status} {page}")
        if not page:
            return rows
        rows += page
        after = page[-1]


def wait_address(sluice, scheme, timeout=30, separator="://"):
    """The address `sluice` prints for `scheme` ("grpc" -> "127.0.0.1:PORT"), once listening."""
    deadline = time.time() + timeout
    with sluice.cond:
        while True:
            for line in sluice.lines:
                m = re.match(r"sluice: listening on " + re.escape(scheme + separator) + r"(\S+)", line)
                if m:
                    return m.group(1)
            if sluice.proc.poll() is not None or time.time() > deadline:
                raise AssertionError(f"sluice did not listen on {scheme}:\n" +
                                     "\n".join(sluice.err_lines[-30:]))
            sluice.cond.wait(0.1)
