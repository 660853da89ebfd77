"""gRPC onEvent end to end: typed and common change streams see rows
appended to the CSV while `sluice run` ingests them; filters; a stream on
the unversioned service ends when the current version switches; the server
stops cleanly with streams open."""
import json
import queue
import threading
import unittest

import grpc

from harness import Http, TempDirTest, run_cli, wait_address, wait_ready, wait_until, write_csv
from test_grpc import Reflection, Service, V1_HEADER, grpc_config, v1_rows, values


class Collector:
    """Reads a server stream on a thread; events land in a queue."""

    def __init__(self, stream):
        self.stream = stream
        self.events = queue.Queue()
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            for e in self.stream:
                self.events.put(e)
        except grpc.RpcError as e:
            self.error = e

    def take(self, n, timeout=30):
        return [self.events.get(timeout=timeout) for _ in range(n)]

    def finish(self, timeout=30):
        self.thread.join(timeout)
        return self.error


class GrpcEventsTest(TempDirTest):
    def start_serving(self, rows=20):
        write_csv(self.data("rides.csv"), V1_HEADER, v1_rows(rows))
        cfg = grpc_config(self.dir)
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        channel = grpc.insecure_channel(wait_address(s, "grpc"))
        self.addCleanup(channel.close)
        wait_ready(http, "rides", version=1, rows=rows)
        return s, http, channel

    def append(self, rows):
        with open(self.data("rides.csv"), "a") as f:
            for r in rows:
                f.write(",".join("" if x is None else str(x) for x in r) + "\n")

    def test_live_inserts_arrive_on_typed_and_common_streams(self):
        s, http, channel = self.start_serving()
        refl = Reflection(channel)
        typed = Service(channel, refl, "sluice.rides.v1.RidesV1")
        common = Service(channel, refl, "sluice.v1.Common")
        all_typed = Collector(typed.stream("onEvent"))
        cheap = Collector(typed.stream("onEvent", filter=json.dumps({"$fare": {"$lt": 30}})))
        all_common = Collector(common.stream("onEvent", endpoint="rides"))
        for c in (all_typed, cheap, all_common):  # headers arrive once the stream is live
            self.assertEqual(dict(c.stream.initial_metadata())["x-sluice-version"], "1")
        new = [r for r in v1_rows(40) if r[0] > 20]
        self.append(new[:10])
        wait_ready(http, "rides", version=1, rows=30)
        self.append(new[10:])
        wait_ready(http, "rides", version=1, rows=40)
        got = all_typed.take(20)
        op_insert = typed.types["onEvent"][1].DESCRIPTOR.fields_by_name["op"].enum_type.values_by_name["OP_INSERT"].number
        self.assertEqual([e.op for e in got], [op_insert] * 20)
        self.assertEqual([e.record.ride_id for e in got], list(range(21, 41)))
        offsets = [e.offset for e in got]
        self.assertEqual(offsets, sorted(offsets))
        for e in got:
            self.assertEqual(values(e.record), list(http.get(f"/rides/{e.record.ride_id}")[2].values()))
        want_cheap = [r[0] for r in new if r[1] is not None and r[1] < 30]
        self.assertEqual([e.record.ride_id for e in cheap.take(len(want_cheap))], want_cheap)
        commons = all_common.take(20)
        self.assertEqual([json.loads(e.record) for e in commons],
                         [http.get(f"/rides/{i}")[2] for i in range(21, 41)])
        self.assertEqual({(e.op, e.version) for e in commons}, {(1, 1)})
        self.assertTrue(cheap.events.empty())
        all_typed.stream.cancel()
        self.assertEqual(all_typed.finish().code(), grpc.StatusCode.CANCELLED)
        self.assertEqual(s.stop(), 0, s.stderr())  # with two streams still open
        for c in (cheap, all_common):
            self.assertIsNotNone(c.finish())

    def test_unversioned_stream_ends_when_the_current_version_switches(self):
        s, http, channel = self.start_serving(rows=10)
        s.stop()
        write_csv(self.data("rides.csv"), V1_HEADER + ["extra"], [r + (1,) for r in v1_rows(10)])
        s = self.start(grpc_config(self.dir), "run")
        http = Http(s.wait_listening())
        channel = grpc.insecure_channel(wait_address(s, "grpc"))
        self.addCleanup(channel.close)
        wait_ready(http, "rides", version=2, rows=10)
        common = Service(channel, Reflection(channel), "sluice.v1.Common")
        follow = Collector(common.stream("onEvent", endpoint="rides"))
        pinned = Collector(common.stream("onEvent", endpoint="rides", version=2))
        for c in (follow, pinned):
            c.stream.initial_metadata()
        status, _, body = s.admin().request("PUT", "/admin/endpoints/rides/current", {"version": 1})
        self.assertEqual(status, 200, body)
        err = follow.finish(timeout=10)
        self.assertIsNotNone(err, "the unversioned stream did not end")
        self.assertEqual(err.code(), grpc.StatusCode.ABORTED)
        self.assertIn("switched from v2 to v1", err.details())
        self.assertTrue(pinned.thread.is_alive())  # a stream naming its version stays
        with self.assertRaises(grpc.RpcError) as e:
            list(common.stream("onEvent", endpoint="rides", filter='{"nope": 1}', timeout=10))
        self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        with self.assertRaises(grpc.RpcError) as e:
            list(common.stream("onEvent", endpoint="rides", timeout=0.7))
        self.assertEqual(e.exception.code(), grpc.StatusCode.DEADLINE_EXCEEDED)
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_resume_after_an_offset_from_the_start_and_fields(self):
        s, http, channel = self.start_serving(rows=10)
        refl = Reflection(channel)
        typed = Service(channel, refl, "sluice.rides.v1.RidesV1")
        common = Service(channel, refl, "sluice.v1.Common")
        first = Collector(common.stream("onEvent", endpoint="rides", **{"from": "start"}))
        got = first.take(10)
        self.assertEqual([json.loads(e.record)["Ride ID"] for e in got], list(range(1, 11)))
        first.stream.cancel()
        self.append([r for r in v1_rows(15) if r[0] > 10])
        wait_ready(http, "rides", version=1, rows=15)
        # The same semantics as REST's Last-Event-ID: right after the offset, exactly once.
        resumed = Collector(common.stream("onEvent", endpoint="rides", after=got[3].offset,
                                          fields="Ride ID"))
        rest = resumed.take(11)
        self.assertEqual([json.loads(e.record) for e in rest], [{"Ride ID": i} for i in range(5, 16)])
        offsets = [e.offset for e in got[:4] + rest]
        self.assertEqual(offsets, sorted(set(offsets)))
        self.assertEqual([e.offset for e in rest[:6]], [e.offset for e in got[4:]])
        typed_from = Collector(typed.stream("onEvent", filter=json.dumps({"Ride ID": {"$gt": 12}}),
                                            **{"from": "start"}))
        self.assertEqual([e.record.ride_id for e in typed_from.take(3)], [13, 14, 15])
        typed_after = Collector(typed.stream("onEvent", after=rest[-2].offset))
        self.assertEqual([e.record.ride_id for e in typed_after.take(1)], [15])
        for kw, words in [({"from": "later"}, "from: expected now, start or a log offset"),
                          ({"after": 10 ** 9}, "beyond the end"),
                          ({"fields": "nope"}, "unknown field")]:
            with self.assertRaises(grpc.RpcError) as e:
                list(common.stream("onEvent", endpoint="rides", timeout=10, **kw))
            self.assertIn(e.exception.code(), (grpc.StatusCode.INVALID_ARGUMENT,
                                               grpc.StatusCode.OUT_OF_RANGE), kw)
            self.assertIn(words, e.exception.details())
        for c in (resumed, typed_from, typed_after):
            c.stream.cancel()
        self.assertEqual(s.stop(), 0, s.stderr())


if __name__ == "__main__":
    unittest.main()
