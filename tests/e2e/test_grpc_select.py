"""Field selection over gRPC (docs/grpc.md): the typed QueryRequest's
`select` (column names or Record field names) leaves the other fields of
each Record unset; the common service's query takes "$select" in its JSON
and writes only those members; unknown names are INVALID_ARGUMENT with a
suggestion. Get by key takes `select` too, typed and common, and answers
as REST's GET .../{pk}?select= does, errors included. Discovered through
server reflection with python3-grpcio."""
import json
import unittest
import urllib.parse

import grpc

from harness import Http, TempDirTest, wait_address, wait_ready, write_csv
from test_grpc import V1_HEADER, Reflection, Service, grpc_config, v1_rows, values


class GrpcSelectTest(TempDirTest):
    def serve(self):
        """A server over 30 rides: (server, REST client, typed service, common service)."""
        write_csv(self.data("rides.csv"), V1_HEADER, v1_rows(30))
        s = self.start(grpc_config(self.dir), "run")
        http = Http(s.wait_listening())
        target = wait_address(s, "grpc")
        wait_ready(http, "rides", rows=30)
        channel = grpc.insecure_channel(target)
        self.addCleanup(channel.close)
        refl = Reflection(channel)
        return s, http, Service(channel, refl, "sluice.rides.Rides"), Service(channel, refl, "sluice.v1.Common")

    def test_select_on_typed_and_common_services(self):
        s, http, typed, common = self.serve()
        q = {"$filter": {"$fare": {"$gt": 5}}, "$order_by": {"$fare": "desc"}, "$limit": 8}
        status, _, rest = http.post("/rides/query", q)
        self.assertEqual(status, 200, rest)
        # Column names and Record field names both name fields.
        for select in (["$fare", "Ride ID", "pickup at"], ["fare", "ride_id", "pickup_at"]):
            resp, _ = typed.call("query", query=json.dumps(q), select=select)
            self.assertEqual(len(resp.records), 8)
            for rec, want in zip(resp.records, rest):
                got = values(rec)  # Ride ID, $fare, 2nd zone, pickup at, paid
                self.assertEqual(got[1], want["$fare"])
                self.assertEqual(got[3], want["pickup at"])
                self.assertEqual(got[0], want["Ride ID"])
                self.assertFalse(rec.HasField("f_2nd_zone"), rec)  # not selected: unset
                self.assertFalse(rec.HasField("paid"), rec)
        # Without select every field is set as before.
        resp, _ = typed.call("query", query=json.dumps(q))
        self.assertEqual([values(r) for r in resp.records], [list(r.values()) for r in rest])
        # An empty query text with a select.
        resp, _ = typed.call("query", select=["paid"])
        self.assertEqual(len(resp.records), 30)
        self.assertFalse(resp.records[0].HasField("fare"))
        # The common service: $select in the JSON query.
        sq = dict(q, **{"$select": ["paid", "$fare"]})
        resp, _ = common.call("query", endpoint="rides", query=json.dumps(sq))
        self.assertEqual([json.loads(r) for r in resp.records],
                         [{"paid": r["paid"], "$fare": r["$fare"]} for r in rest])
        self.assertEqual(list(json.loads(resp.records[0]).keys()), ["paid", "$fare"])
        # Unknown names: INVALID_ARGUMENT naming them, with a suggestion.
        for fn in (lambda: typed.call("query", select=["$far"]),
                   lambda: common.call("query", endpoint="rides", query='{"$select": ["$far"]}')):
            with self.assertRaises(grpc.RpcError) as e:
                fn()
            self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn('unknown field "$far" in $select (did you mean "$fare"?)',
                          e.exception.details())
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_select_on_get_by_key_matches_rest(self):
        s, http, typed, common = self.serve()

        def rest_get(key, names):
            query = "?select=" + urllib.parse.quote(",".join(names), safe=",") if names else ""
            return http.get(f"/rides/{key}{query}")

        # The key needs no selecting, as in REST: unselected, it is absent.
        for key in (8, 12, 14):  # 14: $fare is null
            for names, proto in ((["$fare", "pickup at"], ["fare", "pickup_at"]),
                                 (["paid", "Ride ID", "2nd zone"], ["paid", "ride_id", "f_2nd_zone"]),
                                 (["2nd zone"], ["f_2nd_zone"]), ([], [])):
                status, _, want = rest_get(key, names)
                self.assertEqual(status, 200, want)
                self.assertEqual(list(want), names or V1_HEADER)  # REST's order: as named
                got, version = common.call("get", endpoint="rides", key=str(key), select=names)
                self.assertEqual(version, "1")
                self.assertEqual(list(json.loads(got.record).items()), list(want.items()))
                for select in (names, proto):  # column names or Record field names
                    rec, _ = typed.call("get", ride_id=key, select=select)
                    for field, value in zip(V1_HEADER, values(rec)):
                        if field in want:
                            self.assertEqual(value, want[field], (key, select, field))
                        elif field == "Ride ID":  # a plain proto3 field: its default
                            self.assertEqual(value, 0)
                        else:
                            self.assertIsNone(value, (key, select, field))  # not selected: unset
                    if not names:
                        self.assertEqual(rec, typed.call("get", ride_id=key)[0])
        # Bad names: the same words as REST's, after where each names them.
        for names in (["$far"], ["paid", "Paid"], ["paid", "$fare", "paid"], ["ride id"]):
            status, _, body = rest_get(8, names)
            self.assertEqual(status, 400, body)
            prefix = "query parameter 'select': "
            self.assertTrue(body["error"]["message"].startswith(prefix), body)
            want = body["error"]["message"][len(prefix):]
            for where, fn in (("sluice.v1.GetRequest.select",
                               lambda: common.call("get", endpoint="rides", key="8", select=names)),
                              ("sluice.rides.v1.GetRequest.select",
                               lambda: typed.call("get", ride_id=8, select=names))):
                with self.assertRaises(grpc.RpcError) as e:
                    fn()
                self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
                self.assertEqual(e.exception.details(), where + ": " + want)
            if names == ["$far"]:
                self.assertEqual(want, """unknown field '$far' (did you mean "$fare"?); fields: """
                                       + ", ".join(V1_HEADER))
        # A missing record stays NOT_FOUND with a select.
        with self.assertRaises(grpc.RpcError) as e:
            typed.call("get", ride_id=999, select=["paid"])
        self.assertEqual(e.exception.code(), grpc.StatusCode.NOT_FOUND)
        self.assertEqual(s.stop(), 0, s.stderr())


if __name__ == "__main__":
    unittest.main()
