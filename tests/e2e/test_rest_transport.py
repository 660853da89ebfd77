"""The REST plugin's HTTP transport against hostile and heavy clients, with
raw sockets: a strict front (malformed framing refused at once with JSON),
misbehaving connections that must not starve a well-behaved client, running
out of file descriptors, heavy queries that must not block cheap requests,
and a stop that ends within its grace period even with a runaway query."""
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import threading
import time
import unittest

from harness import (REST_LINE, Http, TempDirTest, gen_trips, wait_address, wait_ready, wait_until,
                     write_config)
from test_service import ServiceTest


def raw_exchange(port, data, timeout=5.0, source="127.0.0.1"):
    """Sends `data` on a fresh connection and reads until the server closes
    (or `timeout`). Returns (reply bytes, seconds, closed by the server)."""
    s = socket.socket()
    s.bind((source, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    start = time.time()
    sender = threading.Thread(target=lambda: _send_quietly(s, data))
    sender.start()
    reply, closed = b"", False
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            reply += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    took = time.time() - start
    sender.join()
    s.close()
    return reply, took, closed


def _send_quietly(sock, data):
    try:
        sock.sendall(data)
    except OSError:
        pass  # the server answered and closed before taking it all


def status_and_json(reply):
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


def metric(http, series):
    status, _, body = http.get("/metrics")
    text = body.decode() if isinstance(body, bytes) else str(body)
    m = re.search(r"^" + re.escape(series) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def port_of(base):
    return int(base.rsplit(":", 1)[1])


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class StrictFrontTest(ServiceTest):
    MALFORMED = [
        # (what, request bytes, status)
        ("negative Content-Length", b"POST /items/count HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}", 400),
        ("overflowing Content-Length",
         b"POST /items/count HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n{}", 400),
        ("non-numeric Content-Length", b"POST /items/count HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", 400),
        ("space before the colon", b"POST /items/count HTTP/1.1\r\nHost: x\r\nContent-Length : 2\r\n\r\n{}", 400),
        ("differing Content-Lengths",
         b"POST /items/count HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}", 400),
        ("Transfer-Encoding and Content-Length",
         b"POST /items/count HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("no HTTP version", b"GET /health\r\nHost: x\r\n\r\n", 400),
        ("garbage, no line end", b"xyzzy", 400),
        ("TLS hello on the plain port", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 400),
        ("obs-fold", b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400),
        ("a target with a control byte", b"GET /he\x01lth HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("no Host in HTTP/1.1", b"GET /health HTTP/1.1\r\n\r\n", 400),
        ("gzip transfer coding", b"POST /items/count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("a 16 MB header", b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (16 << 20) + b"\r\n\r\n", 431),
        ("a 9 KB URL", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        ("an oversized chunked body",
         b"POST /items/count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
         + (b"10000\r\n" + b" " * 0x10000 + b"\r\n") * 20 + b"0\r\n\r\n", 413),
    ]

    def test_malformed_requests_get_json_errors_at_once_and_the_connection_closes(self):
        s, http = self.serve(self.config())
        port = port_of(s.base)
        for what, data, want in self.MALFORMED:
            reply, took, closed = raw_exchange(port, data)
            status, body = status_and_json(reply)
            self.assertEqual(status, want, f"{what}: {reply[:300]!r}")
            self.assertIsNotNone(body, f"{what}: not JSON: {reply[:300]!r}")
            self.assertIn(body["error"]["code"],
                          ("invalid_argument", "resource_exhausted", "unimplemented"), what)
            self.assertTrue(closed, f"{what}: the connection stayed open")
            self.assertLess(took, 3.0, f"{what}: answered after {took:.1f} s")
            for leak in ("basic_string", "stoull", "std::", "exception"):
                self.assertNotIn(leak, body["error"]["message"], what)
        self.assertIn("max_body_bytes", status_and_json(raw_exchange(port, self.MALFORMED[-1][1])[0])[1]
                      ["error"]["message"])
        # Refusals are counted by reason.
        self.assertGreaterEqual(metric(http, 'sluice_http_requests_refused_total{api="rest",reason="malformed"}'), 12)
        self.assertEqual(metric(http, 'sluice_http_requests_refused_total{api="rest",reason="header_too_large"}'), 1)
        self.assertEqual(s.stop(), 0)

    def test_chunk_extensions_trailers_and_pipelining_are_accepted(self):
        s, http = self.serve(self.config())
        port = port_of(s.base)
        conn = socket.create_connection(("127.0.0.1", port), timeout=5)
        conn.sendall(b"POST /items/count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"1;ext=1\r\n{\r\n1;flag\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n"
                     b"GET /items/3 HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        conn.close()
        answers = [a for a in re.split(rb"(?=HTTP/1\.1 )", data) if a]
        self.assertEqual(len(answers), 3, data)
        self.assertEqual(status_and_json(answers[0]), (200, {"count": 10}))
        self.assertEqual(status_and_json(answers[1])[1]["id"], 3)
        self.assertEqual(status_and_json(answers[2]), (200, {"status": "ok"}))
        self.assertEqual(s.stop(), 0)


class MisbehavingClientsTest(ServiceTest):
    def test_health_answers_while_many_connections_misbehave(self):
        hard = raise_fd_limit()
        n = max(100, min(1000, hard - 300))
        cfg = self.config(rest="{ host: 127.0.0.1, port: 0, header_timeout_ms: 4000 }")
        s, http = self.serve(cfg)
        port = port_of(s.base)
        socks = {"slowloris": [], "half-open": [], "garbage": [], "non-reader": []}
        shares = {"slowloris": 0.4, "half-open": 0.3, "garbage": 0.2, "non-reader": 0.1}
        i = 0
        for kind, share in shares.items():
            for _ in range(int(n * share)):
                c = socket.socket()
                c.bind((f"127.0.0.{2 + i % 4}", 0))  # four other clients, 250 each at most
                c.connect(("127.0.0.1", port))
                c.setblocking(False)
                socks[kind].append(c)
                i += 1
        for c in socks["slowloris"]:
            c.send(b"GET /items/1 HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        for c in socks["garbage"]:
            c.send(os.urandom(64))
        for c in socks["non-reader"]:
            try:
                c.send(b"GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n" * 400)
            except BlockingIOError:
                pass
        stop = threading.Event()

        def drip():  # slowloris: one more header byte now and then
            while not stop.wait(0.3):
                for c in socks["slowloris"]:
                    try:
                        c.send(b"a")
                    except OSError:
                        pass
        dripper = threading.Thread(target=drip)
        dripper.start()
        try:
            opened = wait_until(lambda: (metric(http, 'sluice_http_connections_open{api="rest"}') or 0) >= n * 0.7,
                                timeout=30, what="the misbehaving connections accepted")
            self.assertTrue(opened)
            slowest = 0.0
            for k in range(30):
                for path in ("/health", "/items/7"):
                    start = time.time()
                    status, _, body = fetch(s.base, path)
                    slowest = max(slowest, time.time() - start)
                    self.assertEqual(status, 200, body)
            # A generous bound: the point is "not starved" (bench/ measures latency).
            self.assertLess(slowest, 1.0)
            # The slow headers run out of time: 408 and closed.
            wait_until(lambda: (metric(http, 'sluice_http_requests_refused_total{api="rest",reason="header_timeout"}')
                                or 0) >= len(socks["slowloris"]) * 0.9, timeout=30, what="slowloris 408s")
            self.assertGreaterEqual(
                metric(http, 'sluice_http_requests_refused_total{api="rest",reason="malformed"}'),
                len(socks["garbage"]) * 0.9)
        finally:
            stop.set()
            dripper.join()
            for group in socks.values():
                for c in group:
                    c.close()
        self.assertEqual(fetch(s.base, "/health")[0], 200)
        self.assertEqual(s.stop(), 0)

    def test_out_of_descriptors_refuses_quickly_without_spinning(self):
        raise_fd_limit()
        cfg = self.config()
        limit = 256

        def low_limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
        s = self.start(cfg, "run", preexec_fn=low_limit)
        http = Http(s.wait_listening())
        wait_ready(http, "items", rows=10)
        http.conn.close()
        port = port_of(s.base)
        socks = []
        for i in range(limit + 100):
            c = socket.socket()
            c.bind((f"127.0.0.{2 + i % 4}", 0))
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", port))
            socks.append(c)
        try:
            wait_until(lambda: "out of file descriptors" in s.stderr(), timeout=30, what="EMFILE warning")
            cpu_before = process_cpu_seconds(s.proc.pid)
            start = time.time()
            reply, took, _ = raw_exchange(port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            # An answer (a 503 while out of descriptors), not a hang.
            self.assertLess(took, 2.0)
            self.assertIn(status_and_json(reply)[0], (200, 503), reply[:200])
            time.sleep(2.0)
            cpu = process_cpu_seconds(s.proc.pid) - cpu_before
            self.assertLess(cpu, 0.5 * (time.time() - start), f"{cpu:.2f} CPU seconds: spinning")
        finally:
            for c in socks:
                c.close()
        http = wait_until(lambda: healthy(s.base), timeout=30, what="health after the flood")
        self.assertGreater(metric(http, 'sluice_http_connections_refused_total{api="rest",reason="fd_limit"}'), 0)
        self.assertEqual(s.stop(), 0)

def fetch(base, path):
    """One GET on a fresh connection, as a prober does."""
    http = Http(base)
    try:
        return http.get(path)
    finally:
        http.close()


def healthy(base):
    try:
        http = Http(base)
        return http if http.get("/health")[0] == 200 else None
    except OSError:
        return None


def process_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def heavy_query(branches):
    """A count whose $or makes every row cost `branches` comparisons."""
    return json.dumps({"$filter": {"$or": [{"note": f"x{i}"} for i in range(branches)]}}).encode()


class HeavyQueriesTest(TempDirTest):
    # A count costs rows x branches comparisons: 30k x 5000 is about 1.5
    # CPU seconds, enough to hold a worker while the probes run. The query
    # bounds are raised so that such queries may run at all.
    ROWS = 30000
    BOUNDS = "query: { filter_budget: 1000000000000, max_filter_terms: 100000 }\n"

    def serve_trips(self, rest_options="", extra=""):
        gen_trips(self.data("trips.csv"), self.ROWS)
        cfg = write_config(self.dir, [{"name": "trips", "primary_key": ["trip_id"]}],
                           extra=self.BOUNDS + extra)
        if rest_options:
            with open(cfg) as f:
                text = f.read()
            with open(cfg, "w") as f:
                f.write(text.replace(REST_LINE, REST_LINE[:-2] + ", " + rest_options + " }"))
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=self.ROWS, timeout=300)
        return s, http

    def post_in_thread(self, port, body, results):
        def run():
            req = (b"POST /trips/count HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
            reply, _, _ = raw_exchange(port, req, timeout=300)
            results.append(status_and_json(reply))
        t = threading.Thread(target=run)
        t.start()
        return t

    def test_health_and_get_by_key_answer_while_heavy_queries_run(self):
        s, http = self.serve_trips("query_workers: 2, query_queue: 2")
        port = port_of(s.base)
        results = []
        threads = [self.post_in_thread(port, heavy_query(5000), results) for _ in range(2)]
        wait_until(lambda: metric(http, 'sluice_http_query_running{api="rest"}') == 2, timeout=60,
                   what="both workers busy")
        slowest = 0.0
        for key in (1, 500, 29999):
            for path in ("/health", f"/trips/{key}", "/ready"):
                start = time.time()
                status, _, body = fetch(s.base, path)
                slowest = max(slowest, time.time() - start)
                self.assertEqual(status, 200, body)
        # Still busy: the answers above did not wait for the queries.
        self.assertEqual(metric(http, 'sluice_http_query_running{api="rest"}'), 2)
        self.assertLess(slowest, 1.0)
        for t in threads:
            t.join()
        self.assertEqual(sorted(r[0] for r in results), [200, 200])
        self.assertEqual(s.stop(), 0)

    def test_a_full_queue_answers_503_with_retry_after_at_once(self):
        s, http = self.serve_trips("query_workers: 1, query_queue: 1")
        port = port_of(s.base)
        results = []
        threads = [self.post_in_thread(port, heavy_query(5000), results)]
        wait_until(lambda: metric(http, 'sluice_http_query_running{api="rest"}') == 1, timeout=60, what="running")
        threads.append(self.post_in_thread(port, heavy_query(5000), results))
        wait_until(lambda: metric(http, 'sluice_http_query_queue_depth{api="rest"}') == 1, timeout=60, what="queued")
        body = heavy_query(10)
        reply, took, _ = raw_exchange(
            port, b"POST /trips/count HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body, timeout=60)
        self.assertEqual(status_and_json(reply)[0], 503, reply[:300])
        self.assertIn(b"Retry-After: 1\r\n", reply)
        self.assertLess(took, 1.0)
        self.assertEqual(metric(http, 'sluice_http_query_rejected_total{api="rest"}'), 1)
        for t in threads:
            t.join()
        self.assertEqual(s.stop(), 0)

    def test_sigterm_during_a_runaway_query_exits_within_the_grace_period(self):
        s, http = self.serve_trips("shutdown_grace_ms: 500", extra="shutdown_grace_ms: 3000\n")
        port = port_of(s.base)
        results = []
        runaway = self.post_in_thread(port, heavy_query(50000), results)  # over 10 CPU seconds
        wait_until(lambda: metric(http, 'sluice_http_query_running{api="rest"}') == 1, timeout=60, what="running")
        start = time.time()
        s.proc.send_signal(signal.SIGTERM)
        code = s.proc.wait(60)
        took = time.time() - start
        self.assertLess(took, 10.0)  # 3 s grace; generous for a loaded machine
        # The stop cancels the query (the host polls the request's flag while
        # it reads rows), so the stop is graceful, not cut at the deadline.
        self.assertEqual(code, 0, s.stderr())
        self.assertNotIn("graceful stop did not finish", s.stderr())
        runaway.join()


class TlsTest(ServiceTest):
    """HTTPS with a certificate made by `openssl req -x509`, checked by curl."""

    def make_cert(self, name, cn):
        d = os.path.join(self.dir, name)
        os.makedirs(d, exist_ok=True)
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "2", "-subj", "/CN=" + cn,
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       check=True, capture_output=True, timeout=60)
        return cert, key

    def curl(self, url, cacert=None):
        """(curl's exit code, HTTP status, body)."""
        args = ["curl", "-sS", "--max-time", "20", "-o", "-", "-w", "\n%{http_code}", url]
        if cacert:
            args[1:1] = ["--cacert", cacert]
        p = subprocess.run(args, capture_output=True, text=True, timeout=60)
        body, _, code = p.stdout.rpartition("\n")
        return p.returncode, int(code or 0), body

    def test_https_with_curl_and_certificate_reload_on_sighup(self):
        cert_a, _ = self.make_cert("a", "first")
        cert_b, key_b = self.make_cert("b", "second")
        served = os.path.join(self.dir, "tls")
        shutil.copytree(os.path.join(self.dir, "a"), served)
        cfg = self.config(rest="{ host: 127.0.0.1, port: 0, tls: { cert_path: ./tls/cert.pem, "
                               "key_path: ./tls/key.pem } }")
        s = self.start(cfg, "run")
        url = "https://" + wait_address(s, "https")
        wait_until(lambda: self.curl(url + "/items/1", cert_a)[1] == 200, timeout=60, what="served over TLS")
        code, status, body = self.curl(url + "/items/1", cert_a)
        self.assertEqual((code, status), (0, 200))
        self.assertEqual(json.loads(body)["id"], 1)
        # A query runs on a worker and its answer goes back through the loop.
        p = subprocess.run(["curl", "-sS", "--cacert", cert_a, "-X", "POST", "-d", "{}",
                            url + "/items/count", url + "/items/query"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith('{"count":10}[{"id":1,'), p.stdout[:200])
        self.assertEqual(self.curl(url + "/health")[0], 60)  # not signed by a known CA
        # Plain HTTP on the TLS port: no HTTP answer; closed (or reset) at once.
        reply, took, _ = raw_exchange(int(url.rsplit(":", 1)[1]), b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertLess(took, 4.0)
        self.assertNotIn(b"HTTP/1.1", reply)
        # Rotate the certificate and reload.
        shutil.copy(cert_b, os.path.join(served, "cert.pem"))
        shutil.copy(key_b, os.path.join(served, "key.pem"))
        s.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "reloaded the TLS certificate and key" in s.stderr(), timeout=30, what="TLS reload")
        self.assertEqual(self.curl(url + "/items/2", cert_b)[:2], (0, 200))
        self.assertEqual(self.curl(url + "/items/2", cert_a)[0], 60)  # the old one is gone
        # A broken key is refused and the running certificate stays.
        with open(os.path.join(served, "key.pem"), "w") as f:
            f.write("not a key\n")
        s.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "reload: api plugin kept what it had loaded" in s.stderr(), timeout=30,
                   what="refused reload")
        wait_until(lambda: "tls.key_path" in s.stderr(), 30, "tls.key_path")
        self.assertEqual(self.curl(url + "/items/3", cert_b)[:2], (0, 200))
        status = self.curl(url + "/metrics", cert_b)
        self.assertRegex(status[2], r'sluice_http_tls_handshake_failures_total\{api="rest"\} [1-9]')
        self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    unittest.main()
