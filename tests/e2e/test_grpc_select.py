"""Field selection over gRPC (docs/grpc.md): the typed QueryRequest's
`select` (column names or Record field names) leaves the other fields of
each Record unset; the common service's query takes "$select" in its JSON
and writes only those members; unknown names are INVALID_ARGUMENT with a
suggestion. Discovered through server reflection with python3-grpcio."""
import json
import unittest

import grpc

from harness import Http, TempDirTest, wait_address, wait_ready, write_csv
from test_grpc import V1_HEADER, Reflection, Service, grpc_config, v1_rows, values


class GrpcSelectTest(TempDirTest):
    def test_select_on_typed_and_common_services(self):
        write_csv(self.data("rides.csv"), V1_HEADER, v1_rows(30))
        s = self.start(grpc_config(self.dir), "run")
        http = Http(s.wait_listening())
        target = wait_address(s, "grpc")
        wait_ready(http, "rides", rows=30)
        channel = grpc.insecure_channel(target)
        self.addCleanup(channel.close)
        refl = Reflection(channel)
        typed = Service(channel, refl, "sluice.rides.Rides")
        common = Service(channel, refl, "sluice.v1.Common")
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


if __name__ == "__main__":
    unittest.main()
