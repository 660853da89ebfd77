"""gRPC API end to end: typed services discovered through server reflection
only, on two versions and on the unversioned service before and after hot
switches, compared with REST; the common service; errors; health.

Uses Debian's python3-grpcio. The reflection client is built here from raw
descriptors (python3-grpcio ships no grpc_reflection module)."""
import datetime
import json
import os
import unittest

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from harness import (REST_LINE, Http, TempDirTest, run_cli, wait_address, wait_ready, wait_until,
                     write_config, write_csv)

F = descriptor_pb2.FieldDescriptorProto
REFLECTION = "grpc.reflection.v1alpha.ServerReflection"


def _reflection_classes():
    """ServerReflectionRequest/Response classes from a hand-built descriptor."""
    f = descriptor_pb2.FileDescriptorProto(name="sluice_test/reflection.proto",
                                           package="grpc.reflection.v1alpha", syntax="proto3")

    def message(name, fields, oneof=None):
        m = f.message_type.add(name=name)
        if oneof:
            m.oneof_decl.add(name=oneof)
        for fname, number, ftype, type_name, label, in_oneof in fields:
            fd = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                fd.type_name = ".grpc.reflection.v1alpha." + type_name
            if in_oneof:
                fd.oneof_index = 0

    o, r = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    message("ServerReflectionRequest", [
        ("host", 1, F.TYPE_STRING, None, o, False),
        ("file_by_filename", 3, F.TYPE_STRING, None, o, True),
        ("file_containing_symbol", 4, F.TYPE_STRING, None, o, True),
        ("list_services", 7, F.TYPE_STRING, None, o, True)], "message_request")
    message("FileDescriptorResponse", [("file_descriptor_proto", 1, F.TYPE_BYTES, None, r, False)])
    message("ServiceResponse", [("name", 1, F.TYPE_STRING, None, o, False)])
    message("ListServiceResponse", [("service", 1, F.TYPE_MESSAGE, "ServiceResponse", r, False)])
    message("ErrorResponse", [("error_code", 1, F.TYPE_INT32, None, o, False),
                              ("error_message", 2, F.TYPE_STRING, None, o, False)])
    message("ServerReflectionResponse", [
        ("valid_host", 1, F.TYPE_STRING, None, o, False),
        ("original_request", 2, F.TYPE_MESSAGE, "ServerReflectionRequest", o, False),
        ("file_descriptor_response", 4, F.TYPE_MESSAGE, "FileDescriptorResponse", o, True),
        ("list_services_response", 6, F.TYPE_MESSAGE, "ListServiceResponse", o, True),
        ("error_response", 7, F.TYPE_MESSAGE, "ErrorResponse", o, True)], "message_response")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    factory = message_factory.MessageFactory(pool)
    get = lambda n: factory.GetPrototype(pool.FindMessageTypeByName("grpc.reflection.v1alpha." + n))
    return get("ServerReflectionRequest"), get("ServerReflectionResponse")


class Reflection:
    def __init__(self, channel):
        self.req, resp = _reflection_classes()
        self.stub = channel.stream_stream("/%s/ServerReflectionInfo" % REFLECTION,
                                          request_serializer=self.req.SerializeToString,
                                          response_deserializer=resp.FromString)

    def ask(self, **kw):
        answers = list(self.stub(iter([self.req(**kw)]), timeout=10))
        assert len(answers) == 1, answers
        return answers[0]

    def services(self):
        return sorted(s.name for s in self.ask(list_services="*").list_services_response.service)

    def files(self, symbol):
        a = self.ask(file_containing_symbol=symbol)
        if a.HasField("error_response"):
            raise KeyError(a.error_response.error_message)
        return [descriptor_pb2.FileDescriptorProto.FromString(b)
                for b in a.file_descriptor_response.file_descriptor_proto]


class Service:
    """A service known only through reflection: message classes and callables."""

    def __init__(self, channel, reflection, name):
        self.files = reflection.files(name)
        pool = descriptor_pool.DescriptorPool()
        by_name = {f.name: f for f in self.files}
        added = set()

        def add(f):
            for dep in f.dependency:
                if dep not in added:
                    add(by_name[dep])
            if f.name not in added:
                pool.Add(f)
                added.add(f.name)
        for f in self.files:
            add(f)
        factory = message_factory.MessageFactory(pool)
        self.descriptor = pool.FindServiceByName(name)
        self.types, self.calls = {}, {}
        for m in self.descriptor.methods:
            req, resp = factory.GetPrototype(m.input_type), factory.GetPrototype(m.output_type)
            kind = channel.unary_stream if m.server_streaming else channel.unary_unary
            self.types[m.name] = (req, resp)
            self.calls[m.name] = kind("/%s/%s" % (name, m.name), request_serializer=req.SerializeToString,
                                      response_deserializer=resp.FromString)

    def call(self, method, timeout=10, **fields):
        """(response, x-sluice-version) of a unary method."""
        resp, call = self.calls[method].with_call(self.types[method][0](**fields), timeout=timeout)
        return resp, dict(call.initial_metadata()).get("x-sluice-version")

    def stream(self, method, timeout=None, **fields):
        return self.calls[method](self.types[method][0](**fields), timeout=timeout)


def iso(ts):
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=ts.seconds, microseconds=ts.nanos // 1000)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (".%06d" % (ts.nanos // 1000) if ts.nanos else "") + "Z"


def values(record):
    """A typed Record as the list of its values in field-number order, nulls as None."""
    out = []
    for fd in sorted(record.DESCRIPTOR.fields, key=lambda f: f.number):
        try:
            present = record.HasField(fd.name)
        except ValueError:  # a plain proto3 scalar: always present
            present = True
        v = getattr(record, fd.name)
        if not present:
            out.append(None)
        elif fd.message_type is not None and fd.message_type.full_name == "google.protobuf.Timestamp":
            out.append(iso(v))
        else:
            out.append(v)
    return out


V1_HEADER = ["Ride ID", "$fare", "2nd zone", "pickup at", "paid"]
V2_HEADER = V1_HEADER + ["day", "Fare"]


def v1_rows(n):
    return [(i, None if i % 7 == 0 else round(i * 1.25, 2), None if i % 5 == 0 else f"zone {i % 4}",
             f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:15:00Z" if i % 6 else None, "true" if i % 2 else "false")
            for i in range(1, n + 1)]


def v2_rows(n):
    return [(i, round(i * 2.5, 2), f"z{i % 3}", f"2024-04-{1 + i % 28:02d}T08:00:00.5Z", "false",
             f"2024-05-{1 + i % 28:02d}", i * 10) for i in range(1, n + 1)]


def grpc_config(dirpath, version=None):
    ep = {"name": "rides", "primary_key": ["Ride ID"], "secondary": [["$fare"]]}
    if version:
        ep["version"] = version
    # The tests switch versions through the admin route without a credential.
    path = write_config(dirpath, [ep], extra="auth: { anonymous_admin: true }\n")
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace(REST_LINE, REST_LINE + "\n  grpc: { host: 127.0.0.1, port: 0 }"))
    return path


class GrpcTest(TempDirTest):
    QUERIES = [{}, {"$filter": {"$fare": {"$gt": 10}}, "$order_by": {"$fare": "desc"}, "$limit": 5},
               {"$filter": {"2nd zone": None}}, {"$order_by": {"pickup at": "asc"}, "$limit": 7, "$skip": 2}]

    def two_versions(self):
        """rides v1 (30 rows) then v2 (40 rows, two more columns); serving."""
        write_csv(self.data("rides.csv"), V1_HEADER, v1_rows(30))
        cfg = grpc_config(self.dir)
        for args in (["migrate"], ["app", "run", "--once"]):
            code, _, err = run_cli(cfg, *args)
            self.assertEqual(code, 0, err)
        write_csv(self.data("rides.csv"), V2_HEADER, v2_rows(40))
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        target = wait_address(s, "grpc")
        wait_ready(http, "rides", version=2, rows=40)

        def v1_ready():  # v1 serves too; its cache catches up on its own
            e = [e for e in http.get("/")[2]["endpoints"] if e["name"] == "rides"][0]
            v = [v for v in e["versions"] if v["version"] == 1][0]
            return v["ready"] and v["lag"] == 0 and v["rows"] == 30

        wait_until(v1_ready, 120, "rides v1 ready")
        channel = grpc.insecure_channel(target)
        self.addCleanup(channel.close)
        return s, http, channel

    def assert_typed_matches_rest(self, svc, rest_prefix, want_version):
        http = self.http
        for q in self.QUERIES:
            resp, v = svc.call("query", query=json.dumps(q))
            self.assertEqual(v, str(want_version))
            status, _, rest = http.post(rest_prefix + "/query", q)
            self.assertEqual(status, 200, rest)
            self.assertEqual([values(r) for r in resp.records], [list(r.values()) for r in rest], q)
            if not q:
                self.assertEqual(len(rest), 30 if "/v1/" in rest_prefix or want_version == 1 else 40)
            count, _ = svc.call("count", query=json.dumps(q))
            self.assertEqual(count.count, http.post(rest_prefix + "/count", q)[2]["count"], q)
        for key in (1, 7, 30):
            rec, _ = svc.call("get", ride_id=key)
            self.assertEqual(values(rec), list(http.get(f"{rest_prefix}/{key}")[2].values()))

    def test_typed_services_on_two_versions_and_across_hot_switches(self):
        s, self.http, channel = self.two_versions()
        refl = Reflection(channel)
        services = refl.services()
        for name in ("sluice.rides.v1.RidesV1", "sluice.rides.v2.RidesV2", "sluice.rides.Rides",
                     "sluice.v1.Common", "grpc.health.v1.Health", REFLECTION):
            self.assertIn(name, services)
        v1 = Service(channel, refl, "sluice.rides.v1.RidesV1")
        v2 = Service(channel, refl, "sluice.rides.v2.RidesV2")
        record = v1.types["get"][1].DESCRIPTOR
        self.assertEqual([f.name for f in record.fields], ["ride_id", "fare", "f_2nd_zone", "pickup_at", "paid"])
        self.assertEqual([f.name for f in v2.types["get"][1].DESCRIPTOR.fields],
                         ["ride_id", "fare", "f_2nd_zone", "pickup_at", "paid", "day", "fare_2"])
        self.assert_typed_matches_rest(v1, "/v1/rides", 1)
        self.assert_typed_matches_rest(v2, "/v2/rides", 2)
        with self.assertRaises(grpc.RpcError) as e:
            v1.call("get", ride_id=35)
        self.assertEqual(e.exception.code(), grpc.StatusCode.NOT_FOUND)
        self.assertIn('no record with key "35"', e.exception.details())
        self.assertEqual(values(v2.call("get", ride_id=35)[0])[-1], 350)

        for current in (2, 1, 2):
            status, _, body = s.admin().request("PUT", "/admin/endpoints/rides/current", {"version": current})
            self.assertEqual(status, 200, body)
            dep = f"sluice/rides/v{current}/rides.proto"
            wait_until(lambda: dep in [f.name for f in refl.files("sluice.rides.Rides")],
                       what=f"unversioned service on v{current}")
            unversioned = Service(channel, refl, "sluice.rides.Rides")
            self.assert_typed_matches_rest(unversioned, f"/v{current}/rides", current)
            self.assert_typed_matches_rest(unversioned, "/rides", current)
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_common_service_matches_rest(self):
        s, self.http, channel = self.two_versions()
        common = Service(channel, Reflection(channel), "sluice.v1.Common")
        for version in (0, 1, 2):
            prefix = f"/v{version}/rides" if version else "/rides"
            for q in self.QUERIES:
                resp, v = common.call("query", endpoint="rides", version=version, query=json.dumps(q))
                self.assertEqual(resp.version, version or 2)
                self.assertEqual(v, str(version or 2))
                self.assertEqual([json.loads(r) for r in resp.records], self.http.post(prefix + "/query", q)[2])
                self.assertTrue(resp.plan.plan)
                count, _ = common.call("count", endpoint="/rides", version=version, query=json.dumps(q))
                self.assertEqual(count.count, self.http.post(prefix + "/count", q)[2]["count"])
            for a in ({"$measures": ["count", "sum($fare)", "max(2nd zone)"]},
                      {"$group_by": ["paid"], "$measures": ["count", "avg($fare)", "min(pickup at)"],
                       "$filter": {"$fare": {"$gt": 1}}}):
                agg, _ = common.call("aggregate", endpoint="rides", version=version,
                                     request=json.dumps(a))
                self.assertEqual(agg.version, version or 2)
                self.assertEqual(json.loads(agg.groups), self.http.post(prefix + "/aggregate", a)[2])
                self.assertIn("aggregate ad hoc", agg.plan)
            got, _ = common.call("get", endpoint="rides", version=version, key="7")
            self.assertEqual(json.loads(got.record), self.http.get(prefix + "/7")[2])
        eps, _ = common.call("getEndpoints")
        (rides,) = eps.endpoints
        self.assertEqual((rides.name, rides.path, rides.current_version), ("rides", "/rides", 2))
        self.assertEqual([(v.version, v.ready, v.service) for v in rides.versions],
                         [(1, True, "sluice.rides.v1.RidesV1"), (2, True, "sluice.rides.v2.RidesV2")])
        self.assertEqual(rides.service, "sluice.rides.Rides")
        fields, _ = common.call("getFields", endpoint="rides", version=2)
        self.assertEqual([(f.name, f.proto_name, f.number) for f in fields.fields],
                         list(zip(V2_HEADER, ["ride_id", "fare", "f_2nd_zone", "pickup_at", "paid", "day", "fare_2"],
                                  range(1, 8))))
        self.assertEqual(list(fields.primary_key), ["Ride ID"])
        self.assertEqual(fields.record_type, "sluice.rides.v2.Record")
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_errors_have_the_right_codes(self):
        s, self.http, channel = self.two_versions()
        refl = Reflection(channel)
        common = Service(channel, refl, "sluice.v1.Common")
        typed = Service(channel, refl, "sluice.rides.Rides")
        cases = [
            (lambda: common.call("query", endpoint="rides", query='{"$limit": "x"}'),
             grpc.StatusCode.INVALID_ARGUMENT, "$limit must be a non-negative integer"),
            (lambda: typed.call("query", query="[1]"), grpc.StatusCode.INVALID_ARGUMENT, "query must be a JSON object"),
            (lambda: typed.call("count", query='{"$filter": {"nope": 1}}'), grpc.StatusCode.INVALID_ARGUMENT,
             'unknown field "nope"'),
            (lambda: common.call("count", endpoint="nope"), grpc.StatusCode.NOT_FOUND, 'no endpoint "nope"'),
            (lambda: common.call("count", endpoint="rides", version=9), grpc.StatusCode.NOT_FOUND, "no version 9"),
            (lambda: common.call("getFields", endpoint="rides", version=9), grpc.StatusCode.NOT_FOUND, "versions: 1, 2"),
            (lambda: common.call("count"), grpc.StatusCode.INVALID_ARGUMENT, "names no endpoint"),
            (lambda: common.call("aggregate", endpoint="rides", request='{"$measures": ["sum(paid)"]}'),
             grpc.StatusCode.INVALID_ARGUMENT, "sum needs an int64 or float64 field; field paid is bool"),
            (lambda: typed.call("get"), grpc.StatusCode.INVALID_ARGUMENT, "ride_id"),
            (lambda: common.call("get", endpoint="rides", key="x"), grpc.StatusCode.INVALID_ARGUMENT, "key"),
            (lambda: common.call("get", endpoint="rides", key="999"), grpc.StatusCode.NOT_FOUND, "999"),
        ]
        for fn, code, text in cases:
            with self.assertRaises(grpc.RpcError) as e:
                fn()
            self.assertEqual(e.exception.code(), code, e.exception.details())
            self.assertIn(text, e.exception.details())
        unknown = channel.unary_unary("/sluice.rides.v7.RidesV7/get")
        with self.assertRaises(grpc.RpcError) as e:
            unknown(b"", timeout=5)
        self.assertEqual(e.exception.code(), grpc.StatusCode.UNIMPLEMENTED)
        bad = channel.unary_unary("/sluice.v1.Common/count")
        with self.assertRaises(grpc.RpcError) as e:
            bad(b"\xff\xff\xff", timeout=5)
        self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_health_reports_every_service(self):
        s, self.http, channel = self.two_versions()
        health = Service(channel, Reflection(channel), "grpc.health.v1.Health")
        serving = health.types["Check"][1].ServingStatus.Value("SERVING")
        # REST reads the registry directly; gRPC health follows its change
        # notification, which may arrive a moment later.
        for name in ("", "sluice.v1.Common", "sluice.rides.v1.RidesV1", "sluice.rides.v2.RidesV2",
                     "sluice.rides.Rides"):
            wait_until(lambda: health.call("Check", service=name)[0].status == serving, timeout=10,
                       what=f"health of {name!r} SERVING")
        with self.assertRaises(grpc.RpcError) as e:
            health.call("Check", service="sluice.nope.Nope")
        self.assertEqual(e.exception.code(), grpc.StatusCode.NOT_FOUND)
        self.assertEqual(s.stop(), 0, s.stderr())


if __name__ == "__main__":
    unittest.main()
