"""Migrations and versioned endpoints: new versions on schema changes, /v{n}/
routes, current-version switching (admin call, SIGHUP) under load."""
import json
import os
import signal
import threading
import time
import unittest

from harness import Http, TempDirTest, run_cli, wait_ready, wait_until, write_config, write_csv


class MigrationTest(TempDirTest):
    def cfg(self, version=None, primary_key=("id",)):
        ep = {"name": "items", "primary_key": list(primary_key)}
        if version:
            ep["version"] = version
        # The tests switch versions through the admin route without a credential.
        return write_config(self.dir, [ep], extra="auth: { anonymous_admin: true }\n")

    def first_version(self, n=200):
        write_csv(self.data("items.csv"), ["id", "name", "price"],
                  [(i, f"item{i}", i * 1.5) for i in range(1, n + 1)])
        cfg = self.cfg()
        code, out, err = run_cli(cfg, "migrate")
        self.assertEqual(code, 0, err)
        code, _, err = run_cli(cfg, "app", "run", "--once")
        self.assertEqual(code, 0, err)
        return cfg

    def test_unchanged_schema_creates_nothing_and_dry_run_changes_nothing(self):
        cfg = self.first_version()
        code, out, _ = run_cli(cfg, "migrate")
        self.assertEqual((code, out), (0, "items: unchanged (v1)\n"))
        write_csv(self.data("items.csv"), ["id", "name", "price", "stock"], [(1, "a", 1.0, 5)])
        code, out, _ = run_cli(cfg, "migrate", "--dry-run")
        self.assertEqual(code, 0)
        self.assertIn("items: would create v2 (schema changed)", out)
        self.assertIn("  - column added: stock (int64, nullable)", out)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "home/pipeline/logs/items/v0002")))
        code, out, _ = run_cli(cfg, "migrate", "--new", "items")
        self.assertIn("items: new version v2 (forced with --new)", out)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "home/pipeline/logs/items/v0002/schema.json")))
        self.assertTrue(os.path.exists(os.path.join(self.dir, "home/api/items/v0002/openapi.json")))
        code, _, err = run_cli(cfg, "migrate", "--new", "nope")
        self.assertEqual(code, 2)
        self.assertIn("--new nope: no such endpoint", err)

    def test_type_and_key_changes_make_new_versions(self):
        cfg = self.first_version()
        write_csv(self.data("items.csv"), ["id", "name", "price"], [(1, "a", "cheap")])
        code, out, _ = run_cli(cfg, "migrate")
        self.assertIn("items: new version v2 (schema changed)", out)
        self.assertIn("  - type changed: price float64 -> string", out)
        cfg = self.cfg(primary_key=("name",))
        code, out, _ = run_cli(cfg, "migrate")
        self.assertIn("items: new version v3 (schema changed)", out)
        self.assertIn("primary key changed: [id] -> [name]", out)
        code, out, _ = run_cli(cfg, "migrations")
        self.assertEqual(code, 0)
        table = out.split("\n\n")[0]  # the versions; an INGEST section may follow
        self.assertEqual([l.split()[1] for l in table.splitlines()[1:]], ["v1", "v2", "v3"])

    def test_old_version_keeps_serving_while_new_one_fills(self):
        cfg = self.first_version()
        write_csv(self.data("items.csv"), ["id", "name", "price", "stock"],
                  [(i, f"new{i}", i * 2.0, i) for i in range(1, 301)])
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "items", version=2, rows=300)
        self.assertEqual(http.get("/v1/items/5")[2], {"id": 5, "name": "item5", "price": 7.5})
        self.assertEqual(http.get("/v2/items/5")[2], {"id": 5, "name": "new5", "price": 10.0, "stock": 5})
        status, headers, body = http.get("/items/5")
        self.assertEqual(headers["x-sluice-version"], "2")
        self.assertEqual(http.post("/v1/items/count")[2], {"count": 200})
        status, _, root = http.get("/")
        ep = root["endpoints"][0]
        self.assertEqual(ep["current_version"], 2)
        self.assertEqual([v["version"] for v in ep["versions"]], [1, 2])
        self.assertEqual(http.get("/v3/items/5")[0], 404)
        self.assertEqual(s.stop(), 0)

    def test_pinned_version_and_unknown_pin(self):
        cfg = self.first_version()
        write_csv(self.data("items.csv"), ["id", "name", "price", "stock"], [(1, "n", 1.0, 1)])
        self.assertEqual(run_cli(cfg, "migrate")[0], 0)
        cfg = self.cfg(version=1)
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "items", version=1)
        wait_ready(http, "items", version=1)
        wait_until(lambda: all(v["ready"] for v in http.get("/")[2]["endpoints"][0]["versions"]),
                   what="v2 ready")
        self.assertEqual(http.get("/items/1")[1]["x-sluice-version"], "1")
        self.assertEqual(s.stop(), 0)
        code, _, err = run_cli(self.cfg(version=7), "api", "run")
        self.assertNotEqual(code, 0)
        self.assertIn("config pins version 7, which does not exist; existing versions: 1, 2", err)

    def test_switching_under_load_never_fails_or_mixes(self):
        cfg = self.first_version(n=50)
        write_csv(self.data("items.csv"), ["id", "name", "price", "stock"],
                  [(i, f"new{i}", i * 2.0, i) for i in range(1, 51)])
        s = self.start(cfg, "run")
        base = s.wait_listening()
        http = Http(base)
        wait_ready(http, "items", version=2, rows=50)
        stop = threading.Event()
        results = {"ok": 0, "failed": [], "mixed": [], "seen": set(), "errors": []}
        lock = threading.Lock()

        def client():
            try:
                c = Http(base)
                i = 0
                while not stop.is_set():
                    i = i % 50 + 1
                    status, headers, body = c.get(f"/items/{i}")
                    v = headers.get("x-sluice-version")
                    with lock:
                        if status != 200:
                            results["failed"].append((status, body))
                        elif (v == "1") != ("stock" not in body) or (v == "1") != body["name"].startswith("item"):
                            results["mixed"].append((v, body))
                        else:
                            results["ok"] += 1
                            results["seen"].add(v)
            except Exception as e:  # a client that dies must fail the test, not vanish
                with lock:
                    results["errors"].append(repr(e))

        def served_enough():
            with lock:
                return results["ok"] >= 100 and results["seen"] == {"1", "2"} or results["errors"]

        threads = [threading.Thread(target=client, daemon=True) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            admin = s.admin()
            # Switch back and forth until the clients have seen both versions
            # in at least 100 answers (however slowly they run).
            k = 0
            deadline = time.time() + 120
            while k < 40 or not served_enough():
                self.assertLess(time.time(), deadline, f"clients too few answers: {results}")
                target = 1 if k % 2 == 0 else 2
                status, _, body = admin.request("PUT", "/admin/endpoints/items/current", {"version": target})
                self.assertEqual(status, 200, body)
                k += 1
            # SIGHUP with a config pinning v1 switches too.
            self.cfg(version=1)
            s.proc.send_signal(signal.SIGHUP)
            wait_until(lambda: http.get("/")[2]["endpoints"][0]["current_version"] == 1, what="SIGHUP switch")
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        self.assertFalse(any(t.is_alive() for t in threads), "a client did not end")
        self.assertEqual(results["errors"], [])
        self.assertEqual(results["failed"], [])
        self.assertEqual(results["mixed"], [])
        self.assertGreaterEqual(results["ok"], 100)
        self.assertEqual(results["seen"], {"1", "2"})
        status, _, body = admin.request("PUT", "/admin/endpoints/items/current", {"version": 9})
        self.assertEqual(status, 404)
        self.assertEqual(s.stop(), 0)

    def test_prune_keeps_newest_current_and_pinned(self):
        cfg = self.first_version()
        for extra in ("a", "b"):
            with open(self.data("items.csv")) as f:
                header, rest = f.read().split("\n", 1)
            cols = header.split(",") + [extra]
            write_csv(self.data("items.csv"), cols, [(1, "x", 1.0) + tuple(range(len(cols) - 3))])
            self.assertEqual(run_cli(cfg, "migrate")[0], 0)
        home = os.path.join(self.dir, "home")
        code, out, err = run_cli(self.cfg(version=1), "prune", "--keep", "1")
        self.assertEqual(code, 0, err)
        self.assertIn("items: pruned v2", out)  # v1 is pinned, v3 is the newest
        self.assertTrue(os.path.exists(os.path.join(home, "pipeline/logs/items/v0001/schema.json")))
        self.assertFalse(os.path.exists(os.path.join(home, "pipeline/logs/items/v0002")))
        self.assertFalse(os.path.exists(os.path.join(home, "cache/items/v0002")))
        self.assertFalse(os.path.exists(os.path.join(home, "api/items/v0002")))
        code, out, _ = run_cli(self.cfg(), "prune", "--keep", "1")  # no longer pinned
        self.assertIn("items: pruned v1", out)
        self.assertEqual(run_cli(cfg, "prune", "--keep", "0")[0], 2)

    def test_a_running_server_holds_the_home(self):
        cfg = self.first_version()
        s = self.start(cfg, "run")
        s.wait_listening()
        for args in (("app", "run", "--once"), ("prune", "--keep", "1"), ("migrate",)):
            code, _, err = run_cli(cfg, *args)
            self.assertEqual(code, 3, args)  # the home is held (docs/operations.md, "Exit codes")
            self.assertIn("is in use by sluice run (pid %d)" % s.proc.pid, err)
        self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    unittest.main()
