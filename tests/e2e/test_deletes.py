"""Deletes and updates from a source, end to end: the fixture source
(tests/fixtures/fixture_source.cc, rows written in the config) drives the
ingest; a reload adds a delete, an update and an insert to the endpoint's
rows, and REST, gRPC (get, count, query) and a gRPC change stream all see
the deleted key gone and the updated one changed, also after a restart."""
import json
import os
import re
import shutil
import signal
import unittest

import grpc

from harness import (FIXTURE_DIR, REST_LINE, STORAGE, Http, TempDirTest, wait_address, wait_ready,
                     wait_until)
from test_grpc import Reflection, Service
from test_grpc_events import Collector

PEOPLE = ["1,ann,1.5", "2,bob,2.5", "3,cy,3.5", "4,di,", "5,ed,5.5"]


class DeletesTest(TempDirTest):
    def config(self, more_rows):
        """`people` from the fixture source: PEOPLE, then `more_rows` (the
        endpoint's table options, which a reload applies live)."""
        text = "\n".join([
            "home_dir: ./home",
            f"plugin_dirs: [{json.dumps(os.path.abspath(FIXTURE_DIR))}]",
            f"storage: {{ plugin: {STORAGE} }}",
            "connections:",
            "  - name: inline",
            "    plugin: fixture_rows",
            "    options:",
            "      tables:",
            "        people:",
            '          columns: ["id:int64", "name:string", "score:float64"]',
            f"          rows: {json.dumps(PEOPLE)}",
            "endpoints:",
            "  - name: people",
            "    connection: inline",
            "    index: { primary_key: [id] }",
            f"    options: {json.dumps({'rows': more_rows})}" if more_rows else "",
            "api:",
            REST_LINE,
            "  grpc: { host: 127.0.0.1, port: 0 }",
            "ingest: { commit_interval_ms: 100, poll_interval_ms: 50 }",
        ]) + "\n"
        path = os.path.join(self.dir, "sluice.yaml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def answers(self, http, common):
        """What REST and gRPC say: (REST ids by query, count, gRPC ids by query)."""
        status, _, rows = http.post("/people/query", {"$order_by": {"id": "asc"}})
        self.assertEqual(status, 200, rows)
        count = common.call("count", endpoint="people")[0].count
        grpc_rows = common.call("query", endpoint="people", query='{"$order_by": {"id": "asc"}}')[0]
        return [r["id"] for r in rows], count, [json.loads(r)["id"] for r in grpc_rows.records]

    def assert_deleted_and_updated(self, http, common):
        self.assertEqual(self.answers(http, common), ([1, 3, 4, 5, 6], 5, [1, 3, 4, 5, 6]))
        status, _, body = http.get("/people/2")
        self.assertEqual(status, 404, body)
        self.assertEqual(body["error"]["code"], "not_found")
        with self.assertRaises(grpc.RpcError) as e:
            common.call("get", endpoint="people", key="2")
        self.assertEqual(e.exception.code(), grpc.StatusCode.NOT_FOUND, e.exception.details())
        self.assertEqual(http.get("/people/3")[2], {"id": 3, "name": "carl", "score": 9.5})
        record = json.loads(common.call("get", endpoint="people", key="3")[0].record)
        self.assertEqual(record, {"id": 3, "name": "carl", "score": 9.5})
        self.assertEqual(http.post("/people/query", {"$filter": {"name": "bob"}})[2], [])
        self.assertEqual(http.post("/people/count", {"$filter": {"score": {"$gt": 5}}})[2], {"count": 3})

    def test_a_delete_and_an_update_reach_rest_grpc_and_watchers(self):
        cfg = self.config([])
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        channel = grpc.insecure_channel(wait_address(s, "grpc"))
        self.addCleanup(channel.close)
        wait_ready(http, "people", version=1, rows=5)
        common = Service(channel, Reflection(channel), "sluice.v1.Common")
        self.assertEqual(self.answers(http, common), ([1, 2, 3, 4, 5], 5, [1, 2, 3, 4, 5]))
        events = Collector(common.stream("onEvent", endpoint="people"))
        self.assertEqual(dict(events.stream.initial_metadata())["x-sluice-version"], "1")

        self.config(["delete:2,,", "update:3,carl,9.5", "6,fay,6.5"])
        s.proc.send_signal(signal.SIGHUP)
        got = events.take(3)
        self.assertEqual([(e.op, e.version) for e in got], [(3, 1), (2, 1), (1, 1)])  # delete, update, insert
        self.assertEqual(json.loads(got[0].record)["id"], 2)
        self.assertEqual(json.loads(got[1].record), {"id": 3, "name": "carl", "score": 9.5})
        self.assertEqual(json.loads(got[2].record), {"id": 6, "name": "fay", "score": 6.5})
        self.assertEqual([e.offset for e in got], sorted(e.offset for e in got))
        wait_until(lambda: http.get("/people/6")[0] == 200, 60, "the rows after the reload")
        wait_ready(http, "people", version=1, rows=5)
        self.assert_deleted_and_updated(http, common)
        events.stream.cancel()
        self.assertEqual(s.stop(), 0, s.stderr())

        # The delete is in the log and the cache: the same after a restart,
        # and again once the cache is rebuilt from the log alone.
        for rebuild in (False, True):
            if rebuild:
                shutil.rmtree(os.path.join(self.dir, "home", "cache", "people", "v0001"))
            s = self.start(cfg, "api", "run")
            http = Http(s.wait_listening())
            channel = grpc.insecure_channel(wait_address(s, "grpc"))
            self.addCleanup(channel.close)
            wait_ready(http, "people", version=1, rows=5)
            common = Service(channel, Reflection(channel), "sluice.v1.Common")
            self.assert_deleted_and_updated(http, common)
            self.assertEqual(s.stop(), 0, s.stderr())
            opened = re.search(r"serving version endpoint=people version=1 log_end=(\d+) cache_offset=(\d+)",
                               s.stderr())
            self.assertIsNotNone(opened, s.stderr())
            self.assertEqual(opened.group(2) == "0", rebuild, opened.group(0))


if __name__ == "__main__":
    unittest.main()
