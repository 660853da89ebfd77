"""Install test: the installed SDK is enough to build, load and serve a
third-party plugin.

Installs the build tree into a temporary prefix (`cmake --install`), checks
the installed layout, the pkg-config module and the CMake package's version
rules, builds examples/plugins/source-generator out of tree against the
installed SDK only (and runs its unit tests), then runs the INSTALLED host
with the generator as the source of an endpoint and checks over REST that
the rows served are exactly the ones the generator defines, also after a
restart that resumes from the committed offset.

Usage (CTest runs it): python3 test_install.py --build-dir B --source-dir S
Everything lives in one temporary directory, removed at the end.
"""
import argparse
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ARGS = None
MASK = (1 << 64) - 1
LABELS = ["amber", "birch", "cedar", "dune", "ember", "fjord", "grove", "heath"]
EPOCH_MICROS = 1704067200000000  # 2024-01-01T00:00:00Z


# ---- the generator's definition (examples/plugins/source-generator/generator_rows.h) ----

def mix(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def iso(micros):
    secs, frac = divmod(micros, 1000000)
    text = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return text + (".%06d" % frac if frac else "") + "Z"


def expected_record(seed, n):
    h = mix(seed ^ mix(n))
    return {"id": n,
            "ts": iso(EPOCH_MICROS + n * 1000000 + (h % 1000) * 1000),
            "value": ((h >> 11) % 100000) / 100.0,
            "label": None if (h >> 40) % 8 == 0 else LABELS[(h >> 32) % 8]}


# ---- helpers ----

def run(cmd, timeout, env=None, cwd=None):
    """Runs cmd; fails the test with its output when it fails."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise AssertionError("timed out after %ss: %s" % (timeout, " ".join(cmd)))
    if p.returncode != 0:
        raise AssertionError("command failed (exit %d): %s\n%s%s" % (
            p.returncode, " ".join(cmd), p.stdout[-3000:], p.stderr[-3000:]))
    return p.stdout


def abi_version(source_dir):
    with open(os.path.join(source_dir, "sdk", "include", "sluice", "abi.h")) as f:
        text = f.read()
    major = re.search(r"^#define SLUICE_ABI_MAJOR (\d+)$", text, re.M).group(1)
    minor = re.search(r"^#define SLUICE_ABI_MINOR (\d+)$", text, re.M).group(1)
    return int(major), int(minor)


def project_version(source_dir):
    with open(os.path.join(source_dir, "CMakeLists.txt")) as f:
        return re.search(r"project\(sluice VERSION (\d+\.\d+\.\d+)", f.read()).group(1)


class Server:
    """The installed host running `sluice -c CONFIG run`."""

    def __init__(self, binary, config):
        self.out, self.err = [], []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen([binary, "-c", config, "run"], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.pumps = [threading.Thread(target=self._pump, args=(stream, sink), daemon=True)
                      for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for t in self.pumps:
            t.start()

    def _pump(self, stream, sink):
        for line in stream:
            with self.cond:
                sink.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_listening(self, timeout=20):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for line in self.out:
                    m = re.match(r"sluice: listening on http://([^:/]+):(\d+)", line)
                    if m:
                        return m.group(1), int(m.group(2))
                if self.proc.poll() is not None or time.time() > deadline:
                    raise AssertionError("the installed sluice did not start listening:\n" +
                                         "\n".join(self.out[-10:] + self.err[-30:]))
                self.cond.wait(0.1)

    def stop(self, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("sluice did not stop within %ss of SIGTERM" % timeout)
        finally:
            for t in self.pumps:
                t.join(5)  # they end at EOF, once the process has exited
            self.proc.stdout.close()
            self.proc.stderr.close()
        if code != 0:
            raise AssertionError("sluice exited with %d:\n%s" % (code, "\n".join(self.err[-30:])))


def request(host, port, method, path, body=None):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body),
                     headers={"Connection": "close"})
        r = conn.getresponse()
        raw = r.read()
        return r.status, (json.loads(raw) if raw else None)
    finally:
        conn.close()


def wait_count(host, port, path, want, timeout=20):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        status, body = request(host, port, "POST", path + "/count", {})
        last = (status, body)
        if status == 200 and body["count"] == want:
            return
        time.sleep(0.1)
    raise AssertionError("POST %s/count never reached %d (last: %r)" % (path, want, last))


# ---- the test ----

class InstallTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sluice-install-")
        try:
            cls.prefix = os.path.join(cls.tmp, "prefix")
            cls.gen_build = os.path.join(cls.tmp, "gen")
            run(["cmake", "--install", ARGS.build_dir, "--prefix", cls.prefix], timeout=60)
            # Unoptimized (no build type) and through ccache when present:
            # this test is about how the plugin is found and built, not speed.
            launcher = ["-DCMAKE_CXX_COMPILER_LAUNCHER=" + shutil.which("ccache")] \
                if shutil.which("ccache") else []
            run(["cmake", "-S", os.path.join(ARGS.source_dir, "examples", "plugins", "source-generator"),
                 "-B", cls.gen_build, "-G", "Ninja", "-DCMAKE_PREFIX_PATH=" + cls.prefix,
                 "-DGENERATOR_BUILD_TESTS=ON", "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"] + launcher,
                timeout=60)
            # Paths under the temporary directory count as relative for ccache,
            # so a rerun of this test hits its cache.
            run(["cmake", "--build", cls.gen_build], timeout=120,
                env=dict(os.environ, CCACHE_BASEDIR=cls.tmp))
        except BaseException:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_installed_layout(self):
        for rel in ["bin/sluice",
                    "lib/sluice/plugins/storage_leveldb.so", "lib/sluice/plugins/source_csv.so",
                    "lib/sluice/plugins/api_rest.so",
                    "include/sluice/abi.h", "include/sluice/plugin.h", "include/sluice/version.h",
                    "include/sluice/client/source_client.h",
                    "include/sluice/testing/storage_conformance.h",
                    "share/cmake/SluiceSDK/SluiceSDKConfig.cmake",
                    "share/cmake/SluiceSDK/SluiceSDKConfigVersion.cmake",
                    "share/pkgconfig/sluice-sdk.pc"]:
            self.assertTrue(os.path.exists(os.path.join(self.prefix, rel)), rel + " not installed")
        with open(os.path.join(self.prefix, "include/sluice/version.h")) as f:
            self.assertIn('#define SLUICE_VERSION_STRING "%s"' % project_version(ARGS.source_dir),
                          f.read())

    def test_example_found_the_installed_package(self):
        with open(os.path.join(self.gen_build, "CMakeCache.txt")) as f:
            cache = f.read()
        m = re.search(r"^SluiceSDK_DIR:PATH=(.*)$", cache, re.M)
        self.assertIsNotNone(m, "SluiceSDK_DIR not in the example's CMake cache")
        self.assertEqual(os.path.realpath(m.group(1)),
                         os.path.realpath(os.path.join(self.prefix, "share/cmake/SluiceSDK")))

    def test_example_unit_tests_pass(self):
        out = run(["ctest", "--test-dir", self.gen_build, "--output-on-failure"], timeout=60)
        self.assertRegex(out, r"100% tests passed, 0 tests failed out of [1-9]")

    def test_package_version_follows_the_abi_major(self):
        major, minor = abi_version(ARGS.source_dir)
        version_file = os.path.join(self.prefix, "share/cmake/SluiceSDK/SluiceSDKConfigVersion.cmake")
        script = os.path.join(self.tmp, "check_version.cmake")
        with open(script, "w") as f:
            f.write('cmake_minimum_required(VERSION 3.16)\n'
                    'set(PACKAGE_FIND_VERSION "${V}")\n'
                    'string(REPLACE "." ";" _p "${V}")\n'
                    'list(GET _p 0 PACKAGE_FIND_VERSION_MAJOR)\n'
                    'list(GET _p 1 PACKAGE_FIND_VERSION_MINOR)\n'
                    'set(PACKAGE_FIND_VERSION_PATCH 0)\n'
                    'set(PACKAGE_FIND_VERSION_COUNT 2)\n'
                    'include("%s")\n'
                    'message("${PACKAGE_VERSION} compatible=${PACKAGE_VERSION_COMPATIBLE}")\n'
                    % version_file)

        def check(v):
            p = subprocess.run(["cmake", "-DV=" + v, "-P", script], capture_output=True, text=True,
                               timeout=20)
            return p.stderr.strip()

        this = "%d.%d" % (major, minor)
        self.assertEqual(check("%d.0" % major), this + " compatible=TRUE")
        self.assertEqual(check(this), this + " compatible=TRUE")
        self.assertEqual(check("%d.%d" % (major, minor + 1)), this + " compatible=FALSE")
        self.assertEqual(check("%d.0" % (major + 1)), this + " compatible=FALSE")

    def test_pkg_config(self):
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(self.prefix, "share/pkgconfig"))
        cflags = run(["pkg-config", "--cflags", "sluice-sdk"], timeout=10, env=env).split()
        includes = [os.path.realpath(c[2:]) for c in cflags if c.startswith("-I")]
        self.assertEqual(includes, [os.path.realpath(os.path.join(self.prefix, "include"))])
        major, minor = abi_version(ARGS.source_dir)
        self.assertEqual(run(["pkg-config", "--modversion", "sluice-sdk"], timeout=10, env=env).strip(),
                         "%d.%d" % (major, minor))
        self.assertEqual(
            run(["pkg-config", "--variable=sluice_version", "sluice-sdk"], timeout=10, env=env).strip(),
            project_version(ARGS.source_dir))
        # The flags are enough to compile a plugin translation unit.
        src = os.path.join(self.tmp, "pc_check.cc")
        with open(src, "w") as f:
            f.write('#include "sluice/plugin.h"\n#include "sluice/version.h"\n'
                    'static_assert(SLUICE_ABI_MAJOR == %d, "abi");\n'
                    'const char* v = SLUICE_VERSION_STRING;\n' % major)
        run(["c++", "-std=c++17", "-fsyntax-only"] + cflags + [src], timeout=60)

    def test_installed_host_serves_the_generator(self):
        run_dir = os.path.join(self.tmp, "run")
        os.makedirs(run_dir, exist_ok=True)
        config = os.path.join(run_dir, "sluice.yaml")
        seed = 20240101

        def write_config(rows):
            with open(config, "w") as f:
                f.write("\n".join([
                    "home_dir: ./home",
                    "plugin_dirs: [%s]" % json.dumps(self.gen_build),
                    "storage: { plugin: leveldb }",
                    "connections:",
                    "  - name: synth",
                    "    plugin: generator",
                    "    options: { seed: %d }" % seed,
                    "endpoints:",
                    "  - name: readings",
                    "    path: /readings",
                    "    connection: synth",
                    "    table: readings",
                    "    index: { primary_key: [id] }",
                    "    options: { rows: %d, rate: 1000 }" % rows,
                    "api:",
                    "  rest: { host: 127.0.0.1, port: 0 }",
                    "ingest: { commit_interval_ms: 100, poll_interval_ms: 50 }",
                    ""]))

        sluice = os.path.join(self.prefix, "bin", "sluice")
        write_config(300)
        plugins = run([sluice, "-c", config, "plugins"], timeout=20)
        gen_line = [l for l in plugins.splitlines() if " generator " in l]
        self.assertEqual(len(gen_line), 1, plugins)
        self.assertIn(os.path.join(self.gen_build, "source_generator.so"), gen_line[0])
        leveldb = [l for l in plugins.splitlines() if " leveldb " in l]
        self.assertTrue(leveldb and os.path.join(self.prefix, "lib/sluice/plugins") in leveldb[0],
                        "the installed host did not load its installed plugins:\n" + plugins)

        log = self.serve_and_check(sluice, config, seed, rows=300, probe=[0, 1, 2, 137, 298, 299])
        self.assertEqual(self.ingested_this_run(log), 300)
        # Restart with more rows: the source resumes after row 299 from the
        # committed offset, so this run ingests exactly the 150 new rows.
        write_config(450)
        log = self.serve_and_check(sluice, config, seed, rows=450, probe=[299, 300, 301, 449])
        self.assertEqual(self.ingested_this_run(log), 150)

    def serve_and_check(self, sluice, config, seed, rows, probe):
        """Serves until `rows` rows are in, checks them; returns the host's log."""
        server = Server(sluice, config)
        try:
            host, port = server.wait_listening()
            wait_count(host, port, "/readings", rows)
            for n in probe:
                status, body = request(host, port, "GET", "/readings/%d" % n)
                self.assertEqual(status, 200, body)
                self.assertEqual(body, expected_record(seed, n), "row %d" % n)
            status, body = request(host, port, "GET", "/readings/%d" % rows)
            self.assertEqual(status, 404, body)
            # Nulls are served as null: count them against the definition.
            nulls = sum(1 for n in range(rows) if expected_record(seed, n)["label"] is None)
            self.assertGreater(nulls, 0)
            status, body = request(host, port, "POST", "/readings/count",
                                {"$filter": {"label": None}})
            self.assertEqual((status, body), (200, {"count": nulls}))
            status, body = request(host, port, "GET", "/")
            self.assertEqual(status, 200, body)
            versions = [e for e in body["endpoints"] if e["name"] == "readings"][0]["versions"]
            self.assertEqual([(v["version"], v["rows"]) for v in versions], [(1, rows)])
        finally:
            server.stop()
        return server.err

    def ingested_this_run(self, err_lines):
        """Rows the host's ingester committed in one run, from its log line
        `ingest stopped endpoint=readings rows=N ...`."""
        for line in err_lines:
            if "ingest stopped" in line and "readings" in line:
                m = re.search(r"\brows=(\d+)", line)
                if m:
                    return int(m.group(1))
        raise AssertionError("no 'ingest stopped ... rows=N' line in the host's log:\n" +
                             "\n".join(err_lines[-20:]))


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True, help="a configured and built sluice tree")
    parser.add_argument("--source-dir", required=True, help="the sluice source tree")
    ARGS, rest = parser.parse_known_args()
    ARGS.build_dir = os.path.abspath(ARGS.build_dir)
    ARGS.source_dir = os.path.abspath(ARGS.source_dir)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
