"""Shared by the access-control e2e tests (docs/security.md): a server with
API keys, JWT keys (an HS256 secret file and a JWKS file with RS256 and
ES256 keys), access rules with a row filter and a field list; REST and gRPC
clients that present credentials. Tokens are minted with Debian's
python3-jwt; gRPC calls use python3-grpcio with descriptors fetched through
server reflection."""
import collections
import json
import os
import time

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from harness import Http, wait_address, wait_ready, wait_until, write_csv
from test_grpc import Reflection, Service

ISSUER = "https://issuer.test/"
HS_SECRET = "an HS256 secret, longer than 32 bytes"
KEYS = {"ops": "ops-key-0001", "reader": "reader-key-0001", "scraper": "scraper-key-001",
        "cust2": "customer-2-key"}
ORDER_FIELDS = ["order_id", "customer_id", "total", "note"]


def order_rows(first, last):
    """Orders first..last; order i belongs to customer i % 3."""
    return [(i, i % 3, round(i * 1.5, 2), f"note {i}") for i in range(first, last + 1)]


class _Details(collections.namedtuple(
        "_Details", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
        grpc.ClientCallDetails):
    pass


class WithMetadata(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                   grpc.StreamStreamClientInterceptor, grpc.StreamUnaryClientInterceptor):
    """Adds fixed metadata (a credential) to every call of a channel."""

    def __init__(self, metadata):
        self.metadata = list(metadata)

    def _details(self, d):
        return _Details(d.method, d.timeout, list(d.metadata or []) + self.metadata, d.credentials,
                        d.wait_for_ready, d.compression)

    def intercept_unary_unary(self, continuation, d, request):
        return continuation(self._details(d), request)

    def intercept_unary_stream(self, continuation, d, request):
        return continuation(self._details(d), request)

    def intercept_stream_stream(self, continuation, d, requests):
        return continuation(self._details(d), requests)

    def intercept_stream_unary(self, continuation, d, requests):
        return continuation(self._details(d), requests)


def bind(service, channel):
    """Callables of `service` (a test_grpc.Service) on another channel."""
    calls = {}
    for m in service.descriptor.methods:
        req, resp = service.types[m.name]
        kind = channel.unary_stream if m.server_streaming else channel.unary_unary
        calls[m.name] = kind("/%s/%s" % (service.descriptor.full_name, m.name),
                             request_serializer=req.SerializeToString,
                             response_deserializer=resp.FromString)
    return calls


class AccessEnv:
    """Mixin for harness.TempDirTest: keys, tokens, config, clients."""

    def make_keys(self):
        keys = os.path.join(self.dir, "keys")
        os.makedirs(keys, exist_ok=True)
        with open(os.path.join(keys, "ops.key"), "w") as f:
            f.write(KEYS["ops"] + "\n")
        with open(os.path.join(keys, "hs.secret"), "w") as f:
            f.write(HS_SECRET + "\n")
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.write_jwks([("r1", self.rsa), ("e1", self.ec)])

    def write_jwks(self, keys):
        """Writes keys/jwks.json (atomically) with the public parts of `keys`: [(kid, key)]."""
        entries = []
        for kid, key in keys:
            algo = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
            jwk = json.loads(algo.to_jwk(key.public_key()))
            jwk["kid"] = kid
            entries.append(jwk)
        path = os.path.join(self.dir, "keys", "jwks.json")
        with open(path + ".tmp", "w") as f:
            json.dump({"keys": entries}, f)
        os.rename(path + ".tmp", path)

    def token(self, sub="2", roles=("customer",), alg="RS256", kid=None, key=None, **claims):
        """A JWT for `sub` with `roles`, valid for 5 minutes unless claims say otherwise."""
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": "sluice", "sub": sub, "roles": list(roles), "iat": now,
                   "exp": now + 300}
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        if key is None:
            key = {"HS256": HS_SECRET, "RS256": self.rsa, "ES256": self.ec}[alg]
            kid = kid or {"HS256": None, "RS256": "r1", "ES256": "e1"}[alg]
        headers = {"kid": kid} if kid else None
        return jwt.encode(payload, key, algorithm=alg, headers=headers)

    def config(self, rest="", grpc_opts="", auth="", endpoints_extra="", extra=""):
        write_csv(self.data("orders.csv"), ORDER_FIELDS, order_rows(1, 30))
        write_csv(self.data("zones.csv"), ["zone", "name"], [(1, "north"), (2, "south")])
        text = f"""home_dir: ./home
storage: {{ plugin: {os.environ.get("SLUICE_TEST_STORAGE", "leveldb")} }}
connections:
  - {{ name: files, plugin: csv, options: {{ path: ./data }} }}
endpoints:
  - name: orders
    connection: files
    index: {{ primary_key: [order_id], secondary: [[customer_id]] }}
    access:
      - {{ roles: [admin, reader] }}
      - roles: [customer]
        row_filter: {{ customer_id: "$claims.sub" }}
        fields: [order_id, customer_id, total]
  - name: zones
    connection: files
    index: {{ primary_key: [zone] }}
{endpoints_extra}api:
  rest: {{ host: 127.0.0.1, port: 0{rest} }}
  grpc: {{ host: 127.0.0.1, port: 0{grpc_opts} }}
auth:
  keys:
    - {{ name: ops, key_file: ./keys/ops.key, roles: [admin] }}
    - {{ name: reader, key: {KEYS["reader"]}, roles: [reader] }}
    - {{ name: scraper, key: {KEYS["scraper"]}, roles: [metrics] }}
    - {{ name: cust2, key: {KEYS["cust2"]}, roles: [customer], claims: {{ sub: "2" }} }}
  jwt:
    keys: [{{ file: ./keys/hs.secret, alg: HS256 }}, {{ jwks_file: ./keys/jwks.json }}]
    issuer: {ISSUER}
    audience: sluice
{auth}ingest: {{ commit_interval_ms: 100, poll_interval_ms: 50 }}
{extra}"""
        path = os.path.join(self.dir, "sluice.yaml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def serve(self, config, grpc_scheme="grpc"):
        """Starts `run`; returns once REST and gRPC listen and both endpoints are ready."""
        s = self.start(config, "run")
        self.server = s
        self.base = s.wait_listening()
        self.grpc_target = wait_address(s, grpc_scheme)
        ops = self.http({"X-API-Key": KEYS["ops"]})
        wait_ready(ops, "orders", rows=30)
        wait_ready(ops, "zones", rows=2)
        return s

    def http(self, headers=None):
        """A keep-alive HTTP client sending `headers` with every request."""
        client = Http(self.base)
        plain = client.request

        def request(method, path, body=None, extra=None):
            h = dict(headers or {})
            h.update(extra or {})
            return plain(method, path, body, h)
        client.request = request
        client.get = lambda path: request("GET", path)
        client.post = lambda path, body=None: request("POST", path, body if body is not None else {})
        return client

    def channel(self, metadata=(), credentials=None):
        ch = (grpc.secure_channel(self.grpc_target, credentials) if credentials
              else grpc.insecure_channel(self.grpc_target))
        self.addCleanup(ch.close)
        return grpc.intercept_channel(ch, WithMetadata(metadata)) if metadata else ch

    def services(self, names):
        """Services by name, their descriptors fetched through reflection with the ops key."""
        ch = self.channel([("x-api-key", KEYS["ops"])])
        refl = Reflection(ch)
        return {n: Service(ch, refl, n) for n in names}


def rpc_code(fn):
    """The status code name of a unary call (`fn` makes it), "OK" when it succeeds."""
    try:
        fn()
        return "OK"
    except grpc.RpcError as e:
        return e.code().name


def stream_code(call):
    """For a server stream that announces itself with headers once live
    (onEvent): "OK" once they arrive (the call is then cancelled), else the
    code it ended with."""
    md = dict(call.initial_metadata())
    if "x-sluice-version" in md:
        call.cancel()
        return "OK"
    return call.code().name


def wait_for(fn, what, timeout=60):
    return wait_until(fn, timeout=timeout, what=what)
