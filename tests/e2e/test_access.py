"""Access control end to end (docs/security.md), with real clients: every
REST route (curl and Python's http.client) and every gRPC RPC
(python3-grpcio: common, typed, reflection, health, onEvent) with and
without credentials; a principal that sees only its own rows and fields
through every API and the change feed; JWTs minted with python3-jwt
(HS256, RS256 and ES256 through a JWKS file rotated on SIGHUP); and an API
plugin built before requests carried credentials."""
import os
import shutil
import signal
import subprocess
import threading
import time
import unittest

import grpc

from access_env import KEYS, AccessEnv, bind, order_rows, rpc_code, stream_code, wait_for
from test_grpc import Reflection
from harness import SLUICE_BIN, TempDirTest, wait_until, write_csv
from sse_client import SseClient

ADMIN_BODY = {"version": 1}
PRUNE_BODY = {"keep": 5}
# Every REST route: (method, path, body).
ROUTES = [("GET", "/", None), ("GET", "/health", None), ("GET", "/ready", None),
          ("GET", "/metrics", None),
          ("PUT", "/admin/endpoints/orders/current", ADMIN_BODY), ("POST", "/admin/prune", PRUNE_BODY)]
for prefix in ("", "/v1"):
    ROUTES += [("GET", prefix + "/orders", None), ("GET", prefix + "/orders/2", None),
               ("POST", prefix + "/orders/count", {}), ("POST", prefix + "/orders/query", {}),
               ("GET", prefix + "/orders/oapi", None), ("GET", prefix + "/zones", None),
               ("GET", prefix + "/zones/1", None)]

# What each caller gets on each route: the default of its row, then exceptions.
OPEN = {"/health": 200, "/ready": 200}
EXPECTED = {
    # Without a credential the TCP port serves no admin routes at all.
    "anonymous": (401, dict(OPEN, **{"/admin/endpoints/orders/current": 404, "/admin/prune": 404})),
    "bad key": (401, OPEN),
    "reader": (200, {"/metrics": 403, "/admin/endpoints/orders/current": 403, "/admin/prune": 403}),
    "scraper": (200, {"/admin/endpoints/orders/current": 403, "/admin/prune": 403,
                      **{p + s: 403 for p in ("", "/v1")
                         for s in ("/orders", "/orders/2", "/orders/count", "/orders/query",
                                   "/orders/oapi")}}),
    "ops": (200, {}),
    "customer": (200, {"/metrics": 403, "/admin/endpoints/orders/current": 403,
                       "/admin/prune": 403}),
}


class AccessTest(AccessEnv, TempDirTest):
    def setUp(self):
        super().setUp()
        self.make_keys()

    def callers(self):
        return {"anonymous": {}, "bad key": {"X-API-Key": "not-a-key"},
                "reader": {"X-API-Key": KEYS["reader"]},
                "scraper": {"Authorization": "Bearer " + KEYS["scraper"]},
                "ops": {"X-API-Key": KEYS["ops"]},
                "customer": {"Authorization": "Bearer " + self.token(sub="2")}}

    def test_every_rest_route_with_and_without_credentials(self):
        self.serve(self.config(rest=", cors: { origins: [https://app.test] }"))
        for who, headers in self.callers().items():
            client = self.http(headers)
            default, exceptions = EXPECTED[who]
            for method, path, body in ROUTES:
                want = exceptions.get(path, exceptions.get(path.replace("/v1", "", 1), default))
                status, h, answer = client.request(method, path, body)
                self.assertEqual(status, want, f"{who}: {method} {path} -> {answer}")
                if status == 401:
                    challenge = 'Bearer realm="sluice"' + (
                        ', error="invalid_token"' if who == "bad key" else "")
                    self.assertEqual(h["www-authenticate"], challenge)
                    self.assertNotIn("orders", str(answer))  # names nothing
                if method == "GET":  # HEAD answers with the same status, without a body
                    self.assertEqual(client.request("HEAD", path)[0], want, f"{who}: HEAD {path}")
            ready = client.get("/ready")[2]
            self.assertEqual("endpoints" in ready, who not in ("anonymous", "bad key"), who)
        # What each one sees of the catalog.
        names = lambda headers: [e["name"] for e in self.http(headers).get("/")[2]["endpoints"]]
        self.assertEqual(names({"X-API-Key": KEYS["reader"]}), ["orders", "zones"])
        self.assertEqual(names({"X-API-Key": KEYS["scraper"]}), ["zones"])
        # The same with curl, CORS and HEAD included.
        base = self.base
        curl = lambda *args: subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                             *args], capture_output=True, text=True).stdout
        self.assertEqual(curl(base + "/orders"), "401")
        self.assertEqual(curl("-H", "X-API-Key: " + KEYS["reader"], base + "/orders"), "200")
        self.assertEqual(curl("-I", "-H", "X-API-Key: " + KEYS["reader"], base + "/orders/2"), "200")
        out = subprocess.run(["curl", "-s", "-i", "-X", "OPTIONS", "-H", "Origin: https://app.test",
                              "-H", "Access-Control-Request-Method: POST",
                              "-H", "Access-Control-Request-Headers: authorization, content-type",
                              base + "/orders/query"], capture_output=True, text=True).stdout
        self.assertIn("HTTP/1.1 204", out)
        self.assertIn("Access-Control-Allow-Origin: https://app.test", out)
        self.assertEqual(self.server.stop(), 0)

    def test_every_grpc_rpc_with_and_without_credentials(self):
        self.serve(self.config())
        names = ["sluice.v1.Common", "sluice.orders.Orders", "sluice.orders.v1.OrdersV1",
                 "sluice.zones.Zones", "grpc.health.v1.Health"]
        svc = self.services(names)
        common, health = svc["sluice.v1.Common"], svc["grpc.health.v1.Health"]
        callers = {"anonymous": [], "bad key": [("x-api-key", "not-a-key")],
                   "reader": [("x-api-key", KEYS["reader"])],
                   "scraper": [("authorization", "Bearer " + KEYS["scraper"])],
                   "customer": [("authorization", "Bearer " + self.token(sub="2"))]}
        for who, md in callers.items():
            ch = self.channel(md)
            c, h = bind(common, ch), bind(health, ch)
            T = lambda m, **kw: common.types[m][0](**kw)
            got = {
                "count": rpc_code(lambda: c["count"](T("count", endpoint="orders"), timeout=10)),
                "query": rpc_code(lambda: c["query"](T("query", endpoint="orders"), timeout=10)),
                "get": rpc_code(lambda: c["get"](T("get", endpoint="orders", key="2"), timeout=10)),
                "getEndpoints": rpc_code(lambda: c["getEndpoints"](T("getEndpoints"), timeout=10)),
                "getFields": rpc_code(lambda: c["getFields"](T("getFields", endpoint="orders"),
                                                              timeout=10)),
                "onEvent": stream_code(c["onEvent"](T("onEvent", endpoint="orders"), timeout=10)),
                "zones": rpc_code(lambda: c["count"](T("count", endpoint="zones"), timeout=10)),
            }
            for name in ("sluice.orders.Orders", "sluice.orders.v1.OrdersV1"):
                t = bind(svc[name], ch)
                req = lambda m, **kw: svc[name].types[m][0](**kw)
                got[name + "/count"] = rpc_code(lambda: t["count"](req("count"), timeout=10))
                got[name + "/query"] = rpc_code(lambda: t["query"](req("query"), timeout=10))
                got[name + "/get"] = rpc_code(lambda: t["get"](req("get", order_id=2), timeout=10))
                got[name + "/onEvent"] = stream_code(t["onEvent"](req("onEvent"), timeout=10))
            HC = health.types["Check"][0]
            got["health"] = rpc_code(lambda: h["Check"](HC(service=""), timeout=10))
            got["health orders"] = rpc_code(
                lambda: h["Check"](HC(service="sluice.orders.Orders"), timeout=10))
            got["health zones"] = rpc_code(
                lambda: h["Check"](HC(service="sluice.zones.Zones"), timeout=10))
            watch = h["Watch"](HC(service=""), timeout=10)
            got["health watch"] = "OK" if next(watch).status == 1 else "?"
            watch.cancel()
            try:
                listed = Reflection(ch).services()
                got["reflection"] = "OK"
            except grpc.RpcError as e:
                listed, got["reflection"] = [], e.code().name
            if who in ("anonymous", "bad key"):
                want = {k: "UNAUTHENTICATED" for k in got}
                want["health"] = want["health watch"] = "OK"
            elif who == "scraper":  # may read zones only
                want = {k: "PERMISSION_DENIED" for k in got}
                want.update({"getEndpoints": "OK", "zones": "OK", "health": "OK",
                             "health watch": "OK", "health zones": "OK",
                             "health orders": "NOT_FOUND", "reflection": "OK"})
                self.assertNotIn("sluice.orders.Orders", listed)
                self.assertIn("sluice.zones.Zones", listed)
            else:
                want = {k: "OK" for k in got}
                self.assertIn("sluice.orders.Orders", listed)
            self.assertEqual(got, want, who)
        self.assertEqual(self.server.stop(), 0)

    def test_a_principal_sees_only_its_rows_and_fields_through_every_api(self):
        self.serve(self.config())
        mine = [i for i in range(1, 31) if i % 3 == 2]
        for cred in ({"X-API-Key": KEYS["cust2"]}, {"Authorization": "Bearer " + self.token(sub="2")},
                     {"Authorization": "Bearer " + self.token(sub="2", alg="ES256")},
                     {"Authorization": "Bearer " + self.token(sub="2", alg="HS256")}):
            rest = self.http(cred)
            rows = rest.get("/orders?limit=100")[2]
            self.assertEqual([r["order_id"] for r in rows], mine, cred)
            self.assertTrue(all(r["customer_id"] == 2 and r["note"] is None for r in rows))
            self.assertEqual(rest.get("/orders/2")[0], 200)
            s1, _, b1 = rest.get("/orders/1")    # another customer's order ...
            s9, _, b9 = rest.get("/orders/999")  # ... answers as one that does not exist
            self.assertEqual((s1, b1["error"]["message"]), (404, b9["error"]["message"].replace("999", "1")))
            widen = {"$filter": {"$or": [{"customer_id": 1}, {"order_id": {"$gte": 0}}]}, "$limit": 100}
            self.assertEqual([r["order_id"] for r in rest.post("/orders/query", widen)[2]], mine)
            self.assertEqual(rest.post("/orders/count", {})[2], {"count": 10})
            self.assertEqual(rest.post("/orders/count", {"$filter": {"customer_id": 1}})[2], {"count": 0})
            status, headers, body = rest.post("/orders/query", {"$limit": 100})
            self.assertIn("index [customer_id] eq", headers["x-sluice-plan"])  # the row filter uses the index
            status, _, body = rest.post("/orders/query", {"$filter": {"note": "note 2"}})
            self.assertEqual(status, 400)
            self.assertIn('unknown field "note"', body["error"]["message"])
        # gRPC, common and typed services, as the JWT's principal.
        svc = self.services(["sluice.v1.Common", "sluice.orders.Orders"])
        ch = self.channel([("authorization", "Bearer " + self.token(sub="2"))])
        c, t = bind(svc["sluice.v1.Common"], ch), bind(svc["sluice.orders.Orders"], ch)
        CT = lambda m, **kw: svc["sluice.v1.Common"].types[m][0](**kw)
        TT = lambda m, **kw: svc["sluice.orders.Orders"].types[m][0](**kw)
        import json
        recs = [json.loads(r) for r in c["query"](CT("query", endpoint="orders", query='{"$limit": 100}'),
                                                   timeout=10).records]
        self.assertEqual([r["order_id"] for r in recs], mine)
        self.assertEqual(c["count"](CT("count", endpoint="orders"), timeout=10).count, 10)
        self.assertEqual(rpc_code(lambda: c["get"](CT("get", endpoint="orders", key="1"), timeout=10)),
                         "NOT_FOUND")
        typed = t["query"](TT("query", query='{"$limit": 100}'), timeout=10).records
        self.assertEqual([r.order_id for r in typed], mine)
        self.assertTrue(all(r.customer_id == 2 and not r.HasField("note") for r in typed))
        self.assertEqual(t["count"](TT("count"), timeout=10).count, 10)
        self.assertEqual(rpc_code(lambda: t["get"](TT("get", order_id=1), timeout=10)), "NOT_FOUND")
        self.assertEqual(t["get"](TT("get", order_id=5), timeout=10).total, 7.5)
        # The change feed: common and typed onEvent see only customer 2's new rows.
        common_stream = c["onEvent"](CT("onEvent", endpoint="orders"), timeout=120)
        typed_stream = t["onEvent"](TT("onEvent"), timeout=120)
        for st in (common_stream, typed_stream):
            self.assertIn("x-sluice-version", dict(st.initial_metadata()))  # live
        new = [(1001, 1, 1.0, "x"), (1002, 2, 2.0, "y"), (1003, 1, 3.0, "z"), (1004, 2, 4.0, "w")]
        with open(self.data("orders.csv"), "a") as f:
            for r in new:
                f.write(",".join(str(x) for x in r) + "\n")
        seen = []
        for e in common_stream:
            seen.append(json.loads(e.record))
            if seen[-1]["order_id"] == 1004:
                break
        common_stream.cancel()
        self.assertEqual([(r["order_id"], r["customer_id"], r["note"]) for r in seen],
                         [(1002, 2, None), (1004, 2, None)])
        typed_seen = []
        for e in typed_stream:
            typed_seen.append(e.record.order_id)
            if e.record.order_id == 1004:
                break
        typed_stream.cancel()
        self.assertEqual(typed_seen, [1002, 1004])
        # Server-sent events: the same rows and fields, from the log's start.
        sse = SseClient(self.base, "/orders/events?from=start",
                        headers={"Authorization": "Bearer " + self.token(sub="2")})
        self.addCleanup(sse.close)
        got = [json.loads(e.data)["record"] for e in sse.take(len(mine) + 2)]
        self.assertEqual([r["order_id"] for r in got], mine + [1002, 1004])
        self.assertTrue(all(r["customer_id"] == 2 and r["note"] is None for r in got))
        self.assertEqual(self.http({}).get("/orders/events?from=start")[0], 401)
        status, _, body = self.http({"X-API-Key": KEYS["cust2"]}).get("/orders/events?fields=note")
        self.assertEqual(status, 400)
        self.assertIn('unknown field "note"', body["error"]["message"])
        self.assertEqual(self.server.stop(), 0)

    def test_tokens_are_checked_and_jwks_rotates_on_sighup(self):
        self.serve(self.config())
        get = lambda token: self.http({"Authorization": "Bearer " + token}).get("/zones/1")
        self.assertEqual(get(self.token(alg="RS256"))[0], 200)
        self.assertEqual(get(self.token(alg="ES256"))[0], 200)
        self.assertEqual(get(self.token(alg="HS256"))[0], 200)
        expired = get(self.token(exp=int(time.time()) - 120))
        self.assertEqual(expired[0], 401)
        self.assertIn("token refused: it expired at", expired[2]["error"]["message"])
        self.assertEqual(get(self.token(aud="other"))[0], 401)
        self.assertEqual(get(self.token(iss="https://evil.test/"))[0], 401)
        self.assertEqual(get(self.token(nbf=int(time.time()) + 600))[0], 401)
        unsigned = self.token(alg="HS256").rsplit(".", 1)[0].split(".")
        import base64
        none_header = base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=")
        self.assertEqual(get(none_header + "." + unsigned[1] + ".")[0], 401)
        # Rotation: a new JWKS, applied on SIGHUP.
        import jwt
        from cryptography.hazmat.primitives.asymmetric import rsa
        old = self.token(alg="RS256")
        fresh_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        fresh = self.token(alg="RS256", key=fresh_key, kid="r2")
        self.assertEqual(get(fresh)[0], 401)
        self.write_jwks([("r2", fresh_key)])
        self.server.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: get(fresh)[0] == 200, what="the rotated JWKS to apply")
        self.assertEqual(get(old)[0], 401)
        wait_until(lambda: "access policy applied" in self.server.stderr(), 30, "access policy applied")
        self.assertEqual(self.server.stop(), 0)

    def test_an_api_plugin_predating_requests_reads_nothing_once_credentials_exist(self):
        fixtures = os.path.join(os.path.dirname(SLUICE_BIN), "..", "tests", "fixtures")
        probe = os.path.join(self.dir, "probe.txt")
        old_api = f"\n  old: {{ plugin: c_api, probe: orders, probe_file: {probe} }}"
        extra = f"plugin_dirs: [{os.path.abspath(fixtures)}]\n"
        cfg = self.config(extra=extra)
        with open(cfg) as f:
            text = f.read().replace("  grpc: { host: 127.0.0.1, port: 0 }",
                                    "  grpc: { host: 127.0.0.1, port: 0 }" + old_api)
        with open(cfg, "w") as f:
            f.write(text)
        self.serve(cfg)
        lines = wait_for(lambda: open(probe).read().split("\n") if os.path.exists(probe) else None,
                         "the old plugin's probe")
        self.assertEqual(set(l for l in lines if l), {"acquire 16"})  # UNAUTHENTICATED
        wait_until(lambda: "API plugin predates per-request credentials" in self.server.stderr(), 30, "API plugin predates per-request credentials")
        self.assertEqual(self.server.stop(), 0)
        # Without credentials configured it reads as before (on a fresh home,
        # so that the catalog changes, and the plugin probes, once serving).
        os.remove(probe)
        shutil.rmtree(os.path.join(self.dir, "home"))
        no_auth = text[:text.index("auth:\n")] + text[text.index("ingest:"):]
        no_auth = no_auth.replace("    access:\n      - { roles: [admin, reader] }\n"
                                  "      - roles: [customer]\n"
                                  '        row_filter: { customer_id: "$claims.sub" }\n'
                                  "        fields: [order_id, customer_id, total]\n", "")
        with open(cfg, "w") as f:
            f.write(no_auth)
        s = self.start(cfg, "run")
        s.wait_listening()
        wait_for(lambda: os.path.exists(probe) and "count 0 30" in open(probe).read(),
                 "the old plugin reading without credentials configured")
        self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    unittest.main()
