"""Rate limits and gRPC TLS end to end (docs/security.md): token buckets
hold under 2 REST worker threads and 50 concurrent connections, answer 429
with Retry-After and RateLimit-* headers and, being the host's, apply
across APIs (gRPC RESOURCE_EXHAUSTED); metrics count refusals per principal
class. gRPC TLS with a certificate the test makes with openssl, client
certificates, and a certificate replaced while serving."""
import os

# The client logs every refused handshake while the test waits for the
# replaced certificate; those are expected.
os.environ.setdefault("GRPC_VERBOSITY", "NONE")

import http.client  # noqa: E402 (after GRPC_VERBOSITY)
import re
import subprocess
import threading
import time
import unittest

import grpc  # noqa: E402 (GRPC_VERBOSITY is read at import)

from access_env import KEYS, AccessEnv, bind, rpc_code, wait_for
from harness import TempDirTest

RATE, BURST = 20, 40


class RateLimitTest(AccessEnv, TempDirTest):
    def setUp(self):
        super().setUp()
        self.make_keys()

    def test_limits_hold_under_two_threads_and_fifty_connections(self):
        auth = (f"  rate_limits:\n    - {{ by: principal, per_second: {RATE}, burst: {BURST} }}\n"
                "    - { by: principal, per_second: 0.01, burst: 2, endpoint: zones }\n")
        self.serve(self.config(rest=", threads: 2", auth=auth))
        host, port = re.match(r"http://([^:/]+):(\d+)", self.base).groups()
        results, lock = [], threading.Lock()
        deadline = time.time() + 1.5
        start = time.time()

        def client():
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            mine = []
            while time.time() < deadline:
                conn.request("GET", "/orders/2", headers={"X-API-Key": KEYS["reader"]})
                r = conn.getresponse()
                r.read()
                mine.append((r.status, r.getheader("Retry-After"), r.getheader("RateLimit-Limit"),
                             r.getheader("RateLimit-Remaining")))
            conn.close()
            with lock:
                results.extend(mine)
        threads = [threading.Thread(target=client) for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.time() - start
        allowed = sum(1 for r in results if r[0] == 200)
        limited = [r for r in results if r[0] == 429]
        self.assertEqual(allowed + len(limited), len(results), set(r[0] for r in results))
        # Every token of the burst is used, and never more than the bucket
        # holds plus what it refilled while the clients ran.
        self.assertGreaterEqual(allowed, BURST)
        self.assertLessEqual(allowed, BURST + RATE * elapsed + 1, (allowed, elapsed))
        self.assertGreater(len(limited), 0)
        for status, retry, limit, remaining in limited:
            self.assertEqual((retry, limit, remaining), ("1", str(BURST), "0"))
        # The limits are the host's: the zones rule (2 requests) holds across REST and gRPC.
        svc = self.services(["sluice.v1.Common"])["sluice.v1.Common"]
        c = bind(svc, self.channel([("x-api-key", KEYS["ops"])]))
        count = lambda: c["count"](svc.types["count"][0](endpoint="zones"), timeout=10)
        self.assertEqual([rpc_code(count), rpc_code(count), rpc_code(count)],
                         ["OK", "OK", "RESOURCE_EXHAUSTED"])
        ops = self.http({"X-API-Key": KEYS["ops"]})
        status, headers, body = ops.get("/zones/1")
        self.assertEqual(status, 429)
        self.assertIn("auth.rate_limits[1] allows 2 requests at once", body["error"]["message"])
        self.assertGreaterEqual(int(headers["retry-after"]), 60)
        self.assertEqual(ops.get("/orders/2")[0], 200)  # other endpoints are not limited by it
        metrics = ops.get("/metrics")[2].decode()
        limited_starts = re.search(
            r'sluice_api_requests_total\{principal_class="key",outcome="rate_limited"\} (\d+)', metrics)
        self.assertGreaterEqual(int(limited_starts.group(1)), len(limited))
        refused = re.search(
            r'sluice_api_refusals_total\{principal_class="key",outcome="rate_limited"\} (\d+)', metrics)
        self.assertEqual(int(refused.group(1)), 2)
        self.assertEqual(self.server.stop(), 0)


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + name,
            cwd=d)


def make_cert(d, name, ca, san=None):
    """A key and certificate `name`.pem signed by CA `ca`."""
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name, cwd=d)
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write(f"subjectAltName={san}\n" if san else "extendedKeyUsage=clientAuth\n")
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
            "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", ext, cwd=d)


def read(d, name):
    with open(os.path.join(d, name), "rb") as f:
        return f.read()


class GrpcTlsTest(AccessEnv, TempDirTest):
    def setUp(self):
        super().setUp()
        self.make_keys()
        self.tls = os.path.join(self.dir, "tls")
        os.makedirs(self.tls)
        make_ca(self.tls, "ca")
        make_cert(self.tls, "server", "ca", san="IP:127.0.0.1,DNS:localhost")
        make_cert(self.tls, "client", "ca")

    def creds(self, ca="ca", client=True):
        d = self.tls
        if not client:
            return grpc.ssl_channel_credentials(root_certificates=read(d, ca + ".pem"))
        return grpc.ssl_channel_credentials(root_certificates=read(d, ca + ".pem"),
                                            private_key=read(d, "client.key"),
                                            certificate_chain=read(d, "client.pem"))

    def health(self, credentials, metadata=()):
        """The code of a health Check of "" over a fresh TLS channel."""
        ch = self.channel(metadata, credentials=credentials)
        check = ch.unary_unary("/grpc.health.v1.Health/Check", request_serializer=lambda b: b,
                               response_deserializer=lambda b: b)
        return rpc_code(lambda: check(b"", timeout=5))

    def test_tls_with_client_certificates_and_a_replaced_certificate(self):
        tls = (", tls: { cert_file: ./tls/server.pem, key_file: ./tls/server.key, "
               "client_ca_file: ./tls/ca.pem, refresh_s: 1 }")
        self.serve(self.config(grpc_opts=tls), grpc_scheme="grpcs")
        self.assertEqual(self.health(self.creds()), "OK")
        # Credentials still apply over TLS: a client certificate is no principal.
        md = [("x-api-key", KEYS["reader"])]
        ch = self.channel(md, credentials=self.creds())
        count = ch.unary_unary("/sluice.v1.Common/count", request_serializer=lambda b: b,
                               response_deserializer=lambda b: b)
        self.assertEqual(rpc_code(lambda: count(b"\n\x06orders", timeout=5)), "OK")
        no_key = self.channel(credentials=self.creds()).unary_unary(
            "/sluice.v1.Common/count", request_serializer=lambda b: b,
            response_deserializer=lambda b: b)
        self.assertEqual(rpc_code(lambda: no_key(b"\n\x06orders", timeout=5)), "UNAUTHENTICATED")
        # Without a client certificate, or in plain text, no call gets through.
        self.assertEqual(self.health(self.creds(client=False)), "UNAVAILABLE")
        plain = self.channel().unary_unary("/grpc.health.v1.Health/Check",
                                           request_serializer=lambda b: b,
                                           response_deserializer=lambda b: b)
        self.assertEqual(rpc_code(lambda: plain(b"", timeout=5)), "UNAVAILABLE")
        # A certificate from another CA replaces the server's while it serves.
        make_ca(self.tls, "ca2")
        make_cert(self.tls, "server2", "ca2", san="IP:127.0.0.1,DNS:localhost")
        for ext in ("key", "pem"):
            os.replace(os.path.join(self.tls, "server2." + ext), os.path.join(self.tls, "server." + ext))
        wait_for(lambda: self.health(self.creds(ca="ca2")) == "OK", "the new certificate", timeout=30)
        self.assertEqual(self.health(self.creds()), "UNAVAILABLE")  # the old CA no longer verifies it
        self.assertEqual(self.server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
