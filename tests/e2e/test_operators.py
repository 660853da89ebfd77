"""Operator paths (docs/operations.md): admin pins that survive restarts and
SIGHUP and are undone with "latest", the config's `version:` winning when it
changed after the pin; `migrations` and `migrate --dry-run` beside a running
server; the exit code of each class of problem; plugins found through
--plugin-dir and SLUICE_PLUGIN_PATH by a copied binary; float64 values that
read back as floats; the progress line of a cache build."""
import json
import os
import re
import shutil
import signal
import subprocess
import unittest

from harness import (SLUICE_BIN, STORAGE, Http, TempDirTest, gen_trips, run_cli, wait_ready, wait_until,
                     write_config, write_csv)

BUILD_PLUGIN_DIR = os.environ.get(
    "SLUICE_PLUGIN_DIR",
    os.path.join(os.path.dirname(os.path.abspath(SLUICE_BIN)), "..", "lib", "sluice", "plugins"))


class OperatorTest(TempDirTest):
    def cfg(self, version=None):
        ep = {"name": "items", "primary_key": ["id"]}
        if version:
            ep["version"] = version
        return write_config(self.dir, [ep])

    def two_versions(self):
        """v1 (id, name, price) and v2 (one more column), both ingested."""
        write_csv(self.data("items.csv"), ["id", "name", "price"],
                  [(i, f"old{i}", f"{i * 1.5:.1f}") for i in range(1, 101)])
        cfg = self.cfg()
        for args in (["migrate"], ["app", "run", "--once"]):
            code, _, err = run_cli(cfg, *args)
            self.assertEqual(code, 0, err)
        write_csv(self.data("items.csv"), ["id", "name", "price", "stock"],
                  [(i, f"new{i}", f"{i * 2.0:.1f}", i) for i in range(1, 101)])
        for args in (["migrate"], ["app", "run", "--once"]):
            code, _, err = run_cli(cfg, *args)
            self.assertEqual(code, 0, err)
        return cfg

    def serve(self, cfg, version):
        # `api run`: serves what the logs hold; nothing ingests the CSV
        # files this test rewrites.
        s = self.start(cfg, "api", "run")
        http = Http(s.wait_listening())
        wait_ready(http, "items", version=version, rows=100)
        # Every version's cache caught up, not only the current one's: the
        # tests switch to the other version, which is refused while its
        # cache is behind.
        wait_until(lambda: all(v["ready"] and v["lag"] == 0 for v in self.endpoint(http)["versions"]),
                   120, "every version of items ready")
        return s, http

    def endpoint(self, http):
        status, _, root = http.get("/")
        self.assertEqual(status, 200, root)
        return root["endpoints"][0]

    def served_version(self, http):
        status, headers, body = http.get("/items/1")
        self.assertEqual(status, 200, body)
        return headers["x-sluice-version"]

    def put_current(self, s, version):
        """The admin call, on the REST admin socket (docs/security.md)."""
        return s.admin().request("PUT", "/admin/endpoints/items/current", {"version": version})

    def admin_pins(self):
        with open(os.path.join(self.dir, "home", "pins.json")) as f:
            return json.load(f)["pins"]

    def migrations_row(self, cfg, version):
        """The line of `sluice migrations` about items `version` ("v1")."""
        code, out, err = run_cli(cfg, "migrations")
        self.assertEqual(code, 0, err)
        return [l for l in out.splitlines() if l.split()[:2] == ["items", version]][0]

    def reload(self, s):
        """SIGHUP, then waits until the server logged one more reload."""
        done = len(re.findall(r"INFO service: config reloaded", s.stderr()))
        s.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: len(re.findall(r"INFO service: config reloaded", s.stderr())) > done,
                   30, "config reloaded")

    def test_admin_pin_survives_restart_and_reload_until_unpinned(self):
        cfg = self.two_versions()
        s, http = self.serve(cfg, version=2)
        self.assertNotIn("pin", self.endpoint(http))  # latest, nobody pinned
        status, _, body = self.put_current(s, 1)
        self.assertEqual((status, body), (200, {"endpoint": "items", "current_version": 1, "pinned": 1}))
        self.assertEqual(self.served_version(http), "1")
        pin = self.endpoint(http)["pin"]
        self.assertEqual((pin["version"], pin["by"]), (1, "admin"))
        self.assertIsInstance(pin["since_ms"], int)

        # Beside the running server: reads work and show the pin, writes are refused (exit 3).
        self.assertEqual(self.admin_pins()["items"]["version"], 1)
        # The server records what it serves about once a second.
        wait_until(lambda: "yes (pinned by admin)" in self.migrations_row(cfg, "v1"), 30,
                   "migrations showing the admin pin")
        self.assertNotIn("yes", self.migrations_row(cfg, "v2"))
        self.assertIn("Another process holds the home (a server, pid %d)" % s.proc.pid,
                      run_cli(cfg, "migrations")[1])
        write_csv(self.data("items.csv"), ["id", "name", "price", "stock", "colour"],
                  [(i, f"new{i}", f"{i * 2.0:.1f}", i, "red") for i in range(1, 101)])
        code, out, err = run_cli(cfg, "migrate", "--dry-run")
        self.assertEqual(code, 0, err)
        self.assertIn("items: would create v3 (schema changed)", out)
        self.assertIn("column added: colour (string, nullable)", out)
        code, out, err = run_cli(cfg, "migrate")
        self.assertEqual(code, 3, err)
        self.assertIn("in use", err)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "home", "pipeline", "logs", "items", "v0003")))
        write_csv(self.data("items.csv"), ["id", "name", "price", "stock"],
                  [(i, f"new{i}", f"{i * 2.0:.1f}", i) for i in range(1, 101)])

        # A restart keeps the admin's pin.
        self.assertEqual(s.stop(), 0, s.stderr())
        s, http = self.serve(cfg, version=1)
        self.assertIn("INFO registry: admin pin kept from before the restart endpoint=items version=1",
                      s.stderr())
        wait_until(lambda: all(v["ready"] for v in self.endpoint(http)["versions"]), 60, "v2 ready")
        self.assertEqual(self.endpoint(http)["pin"]["by"], "admin")
        self.assertEqual(self.served_version(http), "1")

        # SIGHUP with the config's `version:` unchanged (latest) keeps it.
        self.reload(s)
        self.assertEqual(self.endpoint(http)["pin"]["version"], 1)
        self.assertEqual(self.served_version(http), "1")

        # "latest" unpins: the newest ready version is served again.
        status, _, body = self.put_current(s, "latest")
        self.assertEqual((status, body), (200, {"endpoint": "items", "current_version": 2,
                                                "pinned": "latest"}))
        self.assertEqual(self.served_version(http), "2")
        ep = self.endpoint(http)
        self.assertEqual((ep["current_version"], ep["pin"]["version"], ep["pin"]["by"]),
                         (2, "latest", "admin"))
        status, _, body = self.put_current(s, "newest")
        self.assertEqual(status, 400, body)

        # Pinned again, then the config's `version:` changes after the pin: the config wins.
        self.assertEqual(self.put_current(s, 1)[0], 200)
        self.cfg(version=2)
        self.reload(s)
        self.assertEqual(self.served_version(http), "2")
        pin = self.endpoint(http)["pin"]
        self.assertEqual((pin["version"], pin["by"]), (2, "config"))
        self.assertEqual(self.admin_pins(), {})  # the config's pin replaced the admin's
        wait_until(lambda: "yes (pinned by config)" in self.migrations_row(cfg, "v2"), 30,
                   "migrations showing the config's pin")

        # An admin pin made under `version: 2`; the config then edited while
        # the server is stopped (back to latest): at start the config wins.
        self.assertEqual(self.put_current(s, 1)[0], 200)
        self.assertEqual(self.served_version(http), "1")
        self.assertEqual(s.stop(), 0, s.stderr())
        self.cfg()
        s, http = self.serve(cfg, version=2)
        wait_until(lambda: "the config's version changed since the admin pin; the config wins" in s.stderr(), 30, "the config's version changed since the admin pin; the config wins")
        self.assertNotIn("pin", self.endpoint(http))
        self.assertEqual(self.served_version(http), "2")
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_exit_codes(self):
        cfg = self.two_versions()
        code, _, err = run_cli(cfg, "frobnicate")
        self.assertEqual(code, 2, err)
        self.assertIn('unknown command "frobnicate"', err)
        code, _, err = run_cli(cfg, "migrate", "--no-such-flag")
        self.assertEqual(code, 2, err)
        # A config that does not validate.
        bad = os.path.join(self.dir, "bad.yaml")
        with open(cfg) as f:
            text = f.read()
        with open(bad, "w") as f:
            f.write(text.replace("home_dir:", "hom_dir:"))
        code, _, err = run_cli(bad, "migrations")
        self.assertEqual(code, 2, err)
        self.assertIn("hom_dir", err)
        # A problem in the data: a row that does not parse under --once.
        code, _, err = run_cli(cfg, "migrate")
        self.assertEqual(code, 0, err)
        with open(self.data("items.csv"), "a") as f:
            f.write("101,new101\n")
        code, _, err = run_cli(cfg, "app", "run", "--once")
        self.assertEqual(code, 1, err)
        self.assertIn("items.csv:102", err)
        # The home held by another process: 3 for a command that writes.
        s = self.start(cfg, "api", "run")
        Http(s.wait_listening())
        code, _, err = run_cli(cfg, "prune", "--keep", "1")
        self.assertEqual(code, 3, err)
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_plugins_found_through_plugin_dir_and_environment(self):
        # A copy of the binary outside the build tree finds no plugins by itself.
        bindir = os.path.join(self.dir, "opt", "bin")
        os.makedirs(bindir)
        binary = os.path.join(bindir, "sluice")
        shutil.copy2(SLUICE_BIN, binary)
        plugins = os.path.join(self.dir, "my plugins")
        shutil.copytree(BUILD_PLUGIN_DIR, plugins)
        write_csv(self.data("items.csv"), ["id", "price"], [(1, "0.0"), (2, "76.0"), (3, "2.5")])
        cfg = self.cfg()
        env = {k: v for k, v in os.environ.items() if k != "SLUICE_PLUGIN_PATH"}

        def run(*args, extra_env=None):
            p = subprocess.run([binary, "-c", cfg] + list(args), capture_output=True, text=True,
                               timeout=120, env=dict(env, **(extra_env or {})))
            return p.returncode, p.stdout, p.stderr

        default = os.path.join(self.dir, "opt", "lib", "sluice", "plugins")
        code, _, err = run("migrate")
        self.assertEqual(code, 2, err)
        self.assertIn('storage plugin named "%s"' % STORAGE, err)
        self.assertIn("Searched: " + default + " (missing)", err)
        self.assertIn("--plugin-dir", err)
        self.assertIn("SLUICE_PLUGIN_PATH", err)
        code, out, _ = run("plugins")
        self.assertIn("no plugins found", out)
        self.assertIn("searched:\n  " + default + " (missing)", out)

        empty = os.path.join(self.dir, "empty")
        os.makedirs(empty)
        code, out, err = run("--plugin-dir", empty, "--plugin-dir", plugins, "plugins")
        self.assertEqual(code, 0, err)  # the missing default directory is no problem
        self.assertRegex(out, r"source\s+csv\s")
        searched = out.split("searched:\n")[1].splitlines()
        self.assertEqual(searched, ["  " + empty, "  " + plugins, "  " + default + " (missing)"])
        code, out, err = run("--plugin-dir", plugins, "migrate")
        self.assertEqual(code, 0, err)
        self.assertIn("items: new version v1", out)
        # A directory named explicitly that does not exist is a problem (exit 1).
        code, out, err = run("plugins", extra_env={"SLUICE_PLUGIN_PATH": "/nonexistent:" + plugins})
        self.assertEqual(code, 1, err)
        self.assertIn("plugin directory /nonexistent does not exist", out)
        self.assertIn("searched:\n  /nonexistent (missing)\n  " + plugins + "\n", out)
        code, _, err = run("app", "run", "--once", extra_env={"SLUICE_PLUGIN_PATH": plugins})
        self.assertEqual(code, 0, err)

        # float64 values read back as floats (0.0, 76.0), not integers.
        p = subprocess.Popen([binary, "-c", cfg, "api", "run"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True,
                             env=dict(env, SLUICE_PLUGIN_PATH=plugins))
        try:
            base = None
            for line in p.stdout:
                m = re.match(r"sluice: listening on (http://\S+)", line)
                if m:
                    base = m.group(1)
                    break
            self.assertIsNotNone(base, "api run did not listen")
            http = Http(base)
            wait_ready(http, "items", rows=3)
            for key, want in ((1, 0.0), (2, 76.0), (3, 2.5)):
                status, _, body = http.get(f"/items/{key}")
                self.assertEqual(status, 200, body)
                self.assertIsInstance(body["price"], float, body)
                self.assertEqual(body["price"], want)
            raw = http.conn
            raw.request("GET", "/items/1")
            text = raw.getresponse().read().decode()
            self.assertIn('"price":0.0', text.replace(" ", ""))
        finally:
            p.send_signal(signal.SIGTERM)
            try:
                self.assertEqual(p.wait(30), 0)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
                p.stdout.close()

    def test_cache_build_progress_is_logged_without_a_terminal(self):
        rows = 30000
        gen_trips(self.data("trips.csv"), rows)
        cfg = write_config(self.dir, [{"name": "trips", "primary_key": ["trip_id"],
                                       "secondary": [["pickup_zone_id"], ["payment_type"]]}])
        for args in (["migrate"], ["app", "run", "--once"]):
            code, _, err = run_cli(cfg, *args)
            self.assertEqual(code, 0, err)
        s = self.start(cfg, "api", "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=rows)
        pattern = (r"INFO app: progress trips v1 cache: 30\.0k rows, [0-9.]+k/[0-9.]+k log records, "
                   r"[0-9.]+[kM]? rows/s, caught up")
        wait_until(lambda: re.search(pattern, s.stderr()), 30, "the cache build's progress line")
        self.assertEqual(s.stop(), 0, s.stderr())
        # A restart finds the cache caught up: nothing was built, nothing is logged.
        s = self.start(cfg, "api", "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=rows)
        self.assertEqual(s.stop(), 0, s.stderr())
        self.assertNotIn("progress trips v1 cache", s.stderr())


if __name__ == "__main__":
    unittest.main()
