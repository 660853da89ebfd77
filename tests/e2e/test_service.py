"""sluice as a service: the service manager notification protocol (READY,
STOPPING, RELOADING, WATCHDOG), SIGHUP reload reporting, /metrics after known
traffic, /ready, and the packaged unit and config. Keys, caps and path
escapes are in test_service_security.py."""
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import unittest
import uuid

from harness import (REST_LINE, Http, TempDirTest, run_cli, wait_ready, wait_until, write_config,
                     write_csv)

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGING = os.path.join(HERE, "..", "..", "packaging")


@contextlib.contextmanager
def environment(**values):
    """Sets (or, with None, removes) environment variables for processes started inside."""
    saved = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class NotifyListener:
    """A datagram socket standing in for the service manager's."""

    def __init__(self, directory, abstract=False):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = "sluice-test-" + uuid.uuid4().hex
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:
            self.address = os.path.join(directory, "notify.sock")
            self.sock.bind(self.address)
        self.messages = []

    def receive(self, timeout):
        """Next message (a dict of its KEY=VALUE lines) or None after `timeout` seconds."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096).decode()
        except socket.timeout:
            return None
        fields = dict(line.split("=", 1) for line in data.split("\n") if line)
        self.messages.append(fields)
        return fields

    def wait_for(self, key, timeout=30):
        """Receives until a message carries `key`; returns it (others are kept in .messages)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.receive(max(0.01, deadline - time.time()))
            if m is not None and key in m:
                return m
        raise AssertionError(f"no {key} notification within {timeout}s; got {self.messages}")

    def wait_status(self, status, timeout=30):
        """Receives until a message carries STATUS=`status`; returns it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.receive(max(0.01, deadline - time.time()))
            if m is not None and m.get("STATUS") == status:
                return m
        raise AssertionError(f"no STATUS={status} within {timeout}s; got {self.messages}")

    def close(self):
        self.sock.close()


class ServiceTest(TempDirTest):
    def items(self, n=10, bad=0, on_error=None):
        rows = [(i, f"item{i}", i * 1.5) for i in range(1, n + 1)]
        rows += [(100 + i, "missing-a-field") for i in range(bad)]  # bad: 2 fields, not 3
        write_csv(self.data("items.csv"), ["id", "name", "price"], rows)
        ep = {"name": "items", "primary_key": ["id"]}
        if on_error:
            ep["options"] = {"on_error": on_error}
        return ep

    def config(self, endpoints=None, rest="{ host: 127.0.0.1, port: 0 }", extra="", version=None):
        """A config for `endpoints` (default: items) with `rest` as the REST options."""
        ep = endpoints or [self.items()]
        if version is not None:
            ep[0]["version"] = version
        path = write_config(self.dir, ep, extra=extra)
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace(REST_LINE, "  rest: " + rest))
        return path

    def serve(self, cfg, *args, rows=10, **env):
        with environment(**env):
            s = self.start(cfg, *(args or ("run",)))
        http = Http(s.wait_listening())
        if rows is not None:
            wait_ready(http, "items", rows=rows)
        return s, http

    def wait_log(self, proc, pattern, timeout=30):
        return wait_until(lambda: re.search(pattern, proc.stderr(), re.M), timeout, f"log line {pattern!r}")


class NotifyTest(ServiceTest):
    def listener(self, abstract=False):
        n = NotifyListener(self.dir, abstract)
        self.addCleanup(n.close)
        return n

    def test_ready_watchdog_reload_and_stopping(self):
        cfg = self.config()
        n = self.listener()
        with environment(NOTIFY_SOCKET=n.address, WATCHDOG_USEC="200000", WATCHDOG_PID=None):
            s = self.start(cfg, "run")
        ready = n.wait_for("READY")
        self.assertEqual(ready["READY"], "1")
        m = re.match(r"ingesting and serving 1 endpoint\(s\) on (http://127\.0\.0\.1:\d+)$", ready["STATUS"])
        self.assertIsNotNone(m, ready)
        http = Http(m.group(1))
        self.assertEqual(http.get("/health")[0], 200)  # READY means the API listens
        self.assertEqual(s.wait_listening(), m.group(1))
        # WATCHDOG_USEC=200 ms: a ping every 100 ms (how many a second is
        # not asserted: a loaded machine delays some; their interval is in
        # the log, and notify_test checks the pinging itself).
        for _ in range(5):
            n.wait_for("WATCHDOG", 10)
        wait_until(lambda: "interval_ms=100" in s.stderr(), 30, "interval_ms=100")
        s.proc.send_signal(signal.SIGHUP)
        reloading = n.wait_for("RELOADING")
        self.assertEqual(reloading["RELOADING"], "1")
        self.assertRegex(reloading["MONOTONIC_USEC"], r"^\d+$")
        self.assertEqual(n.wait_for("READY")["STATUS"], "serving (config reloaded)")
        s.proc.send_signal(signal.SIGTERM)
        stopping = n.wait_for("STOPPING")
        self.assertEqual(stopping["STOPPING"], "1")
        self.assertEqual(s.proc.wait(30), 0)
        self.assertIsNone(n.receive(0.3))  # nothing after the process ended

    def test_abstract_socket(self):
        cfg = self.config()
        n = self.listener(abstract=True)
        with environment(NOTIFY_SOCKET=n.address, WATCHDOG_USEC=None, WATCHDOG_PID=None):
            s = self.start(cfg, "run")
        self.assertEqual(n.wait_for("READY")["READY"], "1")
        wait_ready(Http(s.wait_listening()), "items", rows=10)
        s.proc.send_signal(signal.SIGTERM)
        n.wait_for("STOPPING")
        self.assertEqual(s.proc.wait(30), 0)
        # Not asked for: no pings from start to stop, and no watchdog started.
        self.assertEqual([m for m in n.messages if "WATCHDOG" in m], [])
        self.assertNotIn("watchdog", s.stderr())

    def test_watchdog_for_another_pid_is_not_ours(self):
        cfg = self.config()
        n = self.listener()
        with environment(NOTIFY_SOCKET=n.address, WATCHDOG_USEC="100000", WATCHDOG_PID="1"):
            s = self.start(cfg, "run")
        n.wait_for("READY")
        wait_ready(Http(s.wait_listening()), "items", rows=10)
        self.assertEqual(s.stop(), 0)
        n.wait_for("STOPPING")
        # WATCHDOG_PID names another process: no pings from start to stop.
        self.assertEqual([m for m in n.messages if "WATCHDOG" in m], [])
        self.assertNotIn("watchdog enabled", s.stderr())

    def test_ingest_failure_is_reported_but_the_service_stays_healthy(self):
        # A bad row is a problem of the data, not of the process: the
        # service manager must not restart sluice for it (watchdog pings
        # go on), while /ready says which endpoint failed and why.
        cfg = self.config()
        n = self.listener()
        with environment(NOTIFY_SOCKET=n.address, WATCHDOG_USEC="200000", WATCHDOG_PID=None):
            s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        n.wait_for("READY")
        # Once the version exists (its schema inferred from the good rows:
        # appended earlier, the bad row would make `id` a string column).
        wait_ready(http, "items", rows=10)
        with open(self.data("items.csv"), "a") as f:
            f.write("not-a-number,x,y\n")  # on_error: fail (the default)

        def failed():
            status, _, body = http.get("/ready")
            return status == 503 and "ingest failed" in json.dumps(body) and body
        body = wait_until(failed, 30, "/ready to report the failed ingest")
        self.assertIn("items.csv:", body["endpoints"][0]["reason"])
        # Still pinging after the failure: more pings than could have queued
        # up before it (one per 100 ms since READY, well under 25 here).
        for _ in range(25):
            n.wait_for("WATCHDOG", 10)
        self.assertEqual(s.stop(), 0)

    def test_no_notify_socket_runs_as_usual(self):
        cfg = self.config()
        s, http = self.serve(cfg, NOTIFY_SOCKET=None, WATCHDOG_USEC="100000")
        self.assertEqual(http.get("/health")[0], 200)
        self.assertNotIn("watchdog", s.stderr())
        self.assertEqual(s.stop(), 0)


class ReloadTest(ServiceTest):
    def test_sighup_switches_version_and_names_parts_needing_a_restart(self):
        cfg = self.config()
        s, http = self.serve(cfg)
        write_csv(self.data("other.csv"), ["k"], [(1,)])
        endpoints = [dict(self.items(), version=1),
                     {"name": "other", "primary_key": ["k"]}]
        self.config(endpoints, rest="{ host: 127.0.0.1, port: 0, threads: 3 }",
                    extra="log_level: info\n")
        with open(cfg) as f:
            text = f.read()
        with open(cfg, "w") as f:
            f.write(text.replace("commit_interval_ms: 100", "commit_interval_ms: 250"))
        s.proc.send_signal(signal.SIGHUP)
        self.wait_log(s, r"INFO service: config reloaded needs_restart=3$")
        err = s.stderr()
        self.assertIn("WARN service: config change needs a restart part=endpoints.other change=added", err)
        self.assertIn('WARN service: config change needs a restart part=api.rest change="options changed: threads"', err)
        self.assertIn('WARN service: config change needs a restart part=ingest '
                      'change="commit_interval_ms 100 -> 250"', err)
        self.assertIn("INFO service: reload: version pin changed endpoint=items version=1", err)
        self.assertNotIn("part=endpoints.items", err)  # `version:` applies live
        status, _, root = http.get("/")
        self.assertEqual(root["endpoints"][0]["pinned"], True)
        self.assertEqual(s.stop(), 0)

    def notify_listener(self):
        """A notification socket, so that a test knows when a reload is over
        (READY=1 with its STATUS ends every reload, logged or not)."""
        n = NotifyListener(self.dir)
        self.addCleanup(n.close)
        return n

    def test_sighup_changes_log_level_and_survives_a_broken_config(self):
        cfg = self.config()
        n = self.notify_listener()
        s, http = self.serve(cfg, NOTIFY_SOCKET=n.address, WATCHDOG_USEC=None)
        with open(cfg) as f:
            good = f.read()
        with open(cfg, "w") as f:
            f.write(good + "log_level: error\n")
        s.proc.send_signal(signal.SIGHUP)
        self.wait_log(s, r"INFO service: SIGHUP: reloading config$")
        n.wait_status("serving (config reloaded)")
        with open(cfg, "w") as f:
            f.write(good + "log_level: info\nstorage: { plugin: rocksdb-none }\n")
        before = s.stderr()
        self.assertNotIn("config reloaded", before)  # error level hides INFO lines
        s.proc.send_signal(signal.SIGHUP)
        self.wait_log(s, r"ERROR service: reload failed; keeping the running config")
        with open(cfg, "w") as f:
            f.write("endpoints: [\n")
        s.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: s.stderr().count("reload failed") == 2, what="second reload failure")
        self.assertEqual(http.get("/items/1")[0], 200)  # still serving
        with open(cfg, "w") as f:
            f.write(good + "log_level: info\n")
        s.proc.send_signal(signal.SIGHUP)
        self.wait_log(s, r"INFO service: config reloaded needs_restart=0$")
        self.assertEqual(s.stop(), 0)

    def test_log_level_flag_wins_over_config_on_reload(self):
        cfg = self.config()
        n = self.notify_listener()
        s, http = self.serve(cfg, "--log-level", "warn", "run", NOTIFY_SOCKET=n.address,
                             WATCHDOG_USEC=None)
        with open(cfg, "a") as f:
            f.write("log_level: debug\n")
        write_csv(self.data("other.csv"), ["k"], [(1,)])
        with open(cfg) as f:
            text = f.read()
        with open(cfg, "w") as f:
            f.write(text.replace("  - name: items", "  - name: other\n    path: /other\n"
                                 "    connection: files\n    index: { primary_key: [k] }\n  - name: items"))
        s.proc.send_signal(signal.SIGHUP)
        self.wait_log(s, r"WARN service: config change needs a restart part=endpoints.other change=added")
        n.wait_status("serving (config reloaded)")
        self.assertNotIn(" INFO ", s.stderr())
        self.assertNotIn(" DEBUG ", s.stderr())
        self.assertEqual(s.stop(), 0)


class MetricsTest(ServiceTest):
    def test_metrics_after_known_traffic(self):
        cfg = self.config([self.items(n=10, bad=2, on_error="skip")])
        s, http = self.serve(cfg)
        for _ in range(3):
            self.assertEqual(http.get("/items/4")[0], 200)
        self.assertEqual(http.get("/items/999")[0], 404)
        self.assertEqual(http.post("/items/count")[2], {"count": 10})
        self.assertEqual(http.post("/v1/items/count")[0], 200)
        self.assertEqual(http.get("/no/such/thing")[0], 404)
        status, headers, text = http.get("/metrics")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        text = text.decode() if isinstance(text, bytes) else text
        lines = set(text.splitlines())
        v1 = 'endpoint="items",version="1"'
        expected = [
            f"sluice_ingest_rows_total{{{v1}}} 10",
            f"sluice_ingest_rejected_rows_total{{{v1}}} 2",
            f"sluice_cache_rows{{{v1}}} 10",
            f"sluice_cache_lag_records{{{v1}}} 0",
            f"sluice_version_ready{{{v1}}} 1",
            'sluice_current_version{endpoint="items"} 1',
            "sluice_plugin_load_failures 0",
            "# TYPE sluice_ingest_rows_total counter",
            "# TYPE sluice_http_request_duration_seconds histogram",
        ]
        rest = 'sluice_http_requests_total{api="rest",method='
        expected += [
            rest + '"GET",route="/{endpoint}/{pk}",endpoint="items",status="200"} 3',
            rest + '"GET",route="/{endpoint}/{pk}",endpoint="items",status="404"} 1',
            rest + '"POST",route="/{endpoint}/count",endpoint="items",status="200"} 1',
            rest + '"POST",route="/v{n}/{endpoint}/count",endpoint="items",status="200"} 1',
            rest + '"GET",route="other",endpoint="",status="404"} 1',
            'sluice_http_request_duration_seconds_count{api="rest",method="GET",'
            'route="/{endpoint}/{pk}",endpoint="items"} 4',
        ]
        for line in expected:
            self.assertIn(line, lines, text)
        self.assertRegex(text, r'sluice_build_info\{version="[0-9.]+",abi="1\.\d+"\} 1')
        log_end = re.search(r'sluice_log_end_offset\{endpoint="items",version="1"\} (\d+)', text)
        applied = re.search(r'sluice_cache_applied_offset\{endpoint="items",version="1"\} (\d+)', text)
        self.assertEqual(log_end.group(1), applied.group(1))
        self.assertGreater(int(log_end.group(1)), 0)
        self.assertNotIn("/no/such", text)
        self.assertEqual(s.stop(), 0)

    def test_plugin_load_failures_are_counted(self):
        bad = os.path.join(self.dir, "plugins")
        os.makedirs(bad)
        with open(os.path.join(bad, "libbroken.so"), "w") as f:
            f.write("not a shared object\n")
        cfg = self.config(extra="plugin_dirs: [./plugins]\n")
        s, http = self.serve(cfg)
        text = http.get("/metrics")[2]
        text = text.decode() if isinstance(text, bytes) else text
        self.assertIn("\nsluice_plugin_load_failures 1\n", text)
        self.assertEqual(s.stop(), 0)


class ReadyTest(ServiceTest):
    def test_ready_only_once_current_versions_caught_up(self):
        cfg = self.config()
        self.assertEqual(run_cli(cfg, "migrate")[0], 0)
        s, http = self.serve(cfg, "api", "run", rows=None)  # nothing ingested yet
        status, _, body = http.get("/ready")
        self.assertEqual(status, 503)
        self.assertEqual(body["ready"], False)
        self.assertEqual(body["endpoints"][0]["name"], "items")
        self.assertEqual(body["endpoints"][0]["current_version"], 0)
        self.assertIn("no current version yet", body["endpoints"][0]["reason"])
        self.assertEqual(http.get("/health"), (200, http.get("/health")[1], {"status": "ok"}))
        self.assertEqual(s.stop(), 0)
        self.assertEqual(run_cli(cfg, "app", "run", "--once")[0], 0)
        s, http = self.serve(cfg, "api", "run")
        status, _, body = wait_until(lambda: (lambda r: r if r[0] == 200 else None)(http.get("/ready")),
                                     what="/ready 200")
        self.assertEqual(body, {"ready": True, "endpoints": [
            {"name": "items", "current_version": 1, "lag": 0, "ready": True}]})
        self.assertEqual(s.stop(), 0)


class PackagingTest(ServiceTest):
    def test_example_service_config_runs(self):
        with open(os.path.join(PACKAGING, "sluice.yaml")) as f:
            text = f.read()
        text = text.replace("home_dir: /var/lib/sluice", "home_dir: ./home")
        text = text.replace("path: /srv/sluice/data", "path: ./data")
        text = text.replace("port: 8080", "port: 0")
        text = text.replace("admin_socket_path: /var/lib/sluice/admin.sock", "admin_socket_path: ./admin.sock")
        cfg = os.path.join(self.dir, "sluice.yaml")
        with open(cfg, "w") as f:
            f.write(text)
        write_csv(self.data("trips.csv"), ["trip_id", "pickup_zone_id"], [(1, 7), (2, 8)])
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        self.assertRegex(s.base, r"^http://127\.0\.0\.1:")
        wait_until(lambda: http.get("/ready")[0] == 200, what="ready")
        self.assertEqual(http.get("/trips/2")[2], {"trip_id": 2, "pickup_zone_id": 8})
        self.assertEqual(s.admin().request("POST", "/admin/prune", {"keep": 1})[0], 200)
        self.assertEqual(s.stop(), 0)

    def test_unit_file(self):
        with open(os.path.join(PACKAGING, "sluice.service")) as f:
            unit = f.read()
        for line in ["Type=notify", "ExecStart=/usr/bin/sluice -c /etc/sluice/sluice.yaml run",
                     "ExecReload=/bin/kill -HUP $MAINPID", "WatchdogSec=30", "Restart=on-failure",
                     "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/sluice"]:
            self.assertIn("\n" + line + "\n", unit)
        # Only a usage or configuration error (exit 2) prevents a restart: a
        # data problem (1) and a busy home (3) restart (docs/operations.md).
        self.assertEqual(re.findall(r"^RestartPreventExitStatus=.*$", unit, re.M),
                         ["RestartPreventExitStatus=2"])
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            self.skipTest("systemd-analyze not installed")
        from harness import SLUICE_BIN
        unit_dir = os.path.join(self.dir, "unit")
        os.makedirs(unit_dir)
        with open(os.path.join(unit_dir, "sluice.service"), "w") as f:
            f.write(unit.replace("/usr/bin/sluice", os.path.abspath(SLUICE_BIN)))
        p = subprocess.run([analyze, "verify", "--man=no", os.path.join(unit_dir, "sluice.service")],
                           capture_output=True, text=True, timeout=60)
        problems = [l for l in p.stderr.splitlines()
                    if "sluice.service" in l and "Failed to parse system call" not in l]
        self.assertEqual(problems, [], p.stderr)


if __name__ == "__main__":
    unittest.main()
