"""End to end: a config's plugin options are checked before anything is
written. Each bad config (a port that is not a number, an unknown key with
a near name, a port out of range, a port another process listens on, a
misspelled CSV option) makes `sluice run` and `sluice migrate` exit 2 with
every problem listed at once, each with file:line:column, "did you mean"
for near names, and no home (so no version) created. The same config,
fixed, then migrates: the check does not refuse good configs."""
import os
import re
import socket
import unittest

from harness import TempDirTest, run_cli

TRIPS = "id,name\n1,a\n2,b\n"


def listening_socket():
    """A socket of this test listening on an ephemeral port of 127.0.0.1."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s


class ConfigCheckTest(TempDirTest):
    def setUp(self):
        super().setUp()
        with open(self.data("trips.csv"), "w") as f:
            f.write(TRIPS)
        self.home = os.path.join(self.dir, "home")

    def config(self, rest, grpc=None, csv_extra="", storage=None):
        lines = ["home_dir: ./home"] + ([storage] if storage else []) + [
                 "connections:",
                 "  - name: files",
                 "    plugin: csv",
                 "    options:",
                 "      path: ./data",
                 ] + ([f"      {csv_extra}"] if csv_extra else []) + [
                 "endpoints:",
                 "  - { name: trips, connection: files, index: { primary_key: [id] } }",
                 "api:",
                 f"  rest: {rest}"]
        if grpc is not None:
            lines.append(f"  grpc: {grpc}")
        path = os.path.join(self.dir, "sluice.yaml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path, lines

    def line_of(self, lines, text):
        """1-based line number of the first config line containing `text`."""
        for i, line in enumerate(lines):
            if text in line:
                return i + 1
        raise AssertionError(f"{text!r} not in the config")

    def assert_refused(self, command, config, expected, exit_code=2):
        """`expected`: list of (line, regex) that must each match one
        problem line "sluice.yaml:<line>:<col>: ..."."""
        code, out, err = run_cli(config, *command)
        self.assertEqual(code, exit_code, f"{command}: exit {code}\n{out}\n{err}")
        problems = [l for l in err.splitlines() if re.match(r".*sluice\.yaml:\d+:\d+: ", l)]
        self.assertEqual(len(problems), len(expected), f"{command}:\n{err}")
        for line, pattern in expected:
            self.assertTrue(
                any(re.search(rf"sluice\.yaml:{line}:\d+: {pattern}", p) for p in problems),
                f"{command}: no problem on line {line} matching {pattern!r}:\n{err}")
        if os.path.exists(self.home):
            self.fail(f"{command} created the home: {os.listdir(self.home)}")

    def test_every_problem_at_once_before_any_write(self):
        path, lines = self.config(
            "{ host: 127.0.0.1, port: eighty, hots: 127.0.0.1 }",
            grpc="{ host: 127.0.0.1, port: 99999 }",
            csv_extra="delimeter: ';'")
        rest = self.line_of(lines, "rest:")
        expected = [
            (self.line_of(lines, "delimeter"),
             r"connections\[0\]\.options\.delimeter: unknown option "
             r"\(did you mean \"delimiter\"\?\)"),
            (rest, r"api\.rest\.port: expected an integer from 0 to 65535, found 'eighty'"),
            (rest, r"api\.rest\.hots: unknown option \(did you mean \"host\"\?\)"),
            (self.line_of(lines, "grpc:"),
             r"api\.grpc\.port: expected an integer from 0 to 65535, found '99999'"),
        ]
        for command in (["run"], ["migrate"], ["migrate", "--dry-run"]):
            self.assert_refused(command, path, expected)

    def test_storage_options(self):
        for plugin in ("leveldb", "rocksdb"):
            path, lines = self.config(
                "{ host: 127.0.0.1, port: 0 }",
                storage=f"storage: {{ plugin: {plugin}, options: {{ block_cache_mb: lots }} }}")
            self.assert_refused(
                ["migrate"], path,
                [(self.line_of(lines, "storage:"),
                  rf"storage\.(log\.)?options\.block_cache_mb: "
                  r"expected an integer")])

    def test_port_in_use(self):
        held = listening_socket()
        try:
            port = held.getsockname()[1]
            path, lines = self.config(f"{{ host: 127.0.0.1, port: {port} }}")
            self.assert_refused(
                ["run"], path,
                [(self.line_of(lines, "rest:"),
                  rf"api\.rest\.port: 127\.0\.0\.1:{port} is in use by another process")],
                exit_code=1)  # only a port in use: a runtime condition, retried by systemd
            # migrate does not listen: the same config migrates
            code, out, err = run_cli(path, "migrate")
            self.assertEqual(code, 0, out + err)
            self.assertTrue(os.path.isdir(self.home), err)
        finally:
            held.close()

    def test_plugins_lists_declared_options(self):
        # What the check above holds a config to, as `sluice plugins
        # --options` prints it: every plugin's options with type, default
        # and doc; the same boolean words and units everywhere.
        path, _ = self.config("{ host: 127.0.0.1, port: 0 }")
        code, out, err = run_cli(path, "plugins", "--options")
        self.assertEqual(code, 0, out + err)
        sections = {}
        for block in out.strip().split("\n\n"):
            head, *rows = block.splitlines()
            sections[head] = rows
        for head in ("source csv:", "api rest:", "api grpc:", "storage leveldb:",
                     "storage rocksdb:", "storage nats:", "source postgres:"):
            self.assertIn(head, sections, out)
            self.assertRegex(sections[head][0], r"^  NAME +TYPE +DEFAULT +DOC$", out)

        def row(head, name):
            for r in sections[head][1:]:
                cells = r.split()
                if cells and cells[0] == name:
                    return r
            self.fail(f"{head} lists no option {name}:\n{out}")

        self.assertRegex(row("source csv:", "path"),
                         r"^  path +path +\(required\) +the directory holding the tables$")
        self.assertRegex(row("source csv:", "on_error"),
                         r"^  on_error +enum \(fail\|skip\) +fail +.* \[also endpoint\]$")
        self.assertRegex(row("api rest:", "port"),
                         r"^  port +int +8080 +TCP port; 0 picks a free one; "
                         r"an integer from 0 to 65535$")
        self.assertRegex(row("api rest:", "admin_remote"), r"^  admin_remote +bool +false +")
        self.assertRegex(row("storage leveldb:", "block_cache_mb"),
                         r"^  block_cache_mb +int +64 +.*from 1 to 1048576 \(MiB\)$")
        self.assertRegex(row("storage rocksdb:", "max_background_jobs"),
                         r"^  max_background_jobs +int +2 +")
        self.assertRegex(row("source postgres:", "dsn"), r"^  dsn +string +\(required\) +")

    def test_fixed_config_migrates(self):
        path, _ = self.config("{ host: 127.0.0.1, port: 0 }", grpc="{ host: 127.0.0.1, port: 0 }",
                              csv_extra="delimiter: ','")
        code, out, err = run_cli(path, "migrate")
        self.assertEqual(code, 0, out + err)
        self.assertIn("trips", out)
        self.assertTrue(os.path.isdir(self.home))


if __name__ == "__main__":
    unittest.main()
