"""End to end on a 3-node NATS JetStream cluster (tests/nats/cluster.py):
one home ingests into the shared log (`app run`), two other homes with
their own caches serve it (`api run`) and must answer identically; then
the stream's leader is stopped during ingestion and nothing may be lost or doubled.

Skipped when nats-server is not installed or the nats plugin was not built.
"""
import os
import unittest

from harness import Http, gen_trips, query_all, run_cli, wait_ready, wait_until, write_config
from nats_case import NatsClusterCase


class NatsClusterTest(NatsClusterCase):
    def home(self, name, rows, table_dir=False):
        """A host directory: data/, and a config whose log is the shared stream.
        With table_dir the table is the directory data/trips/ (part-000.csv),
        so that the test can add parts while the host follows it."""
        d = os.path.join(self.dir, name)
        os.makedirs(os.path.join(d, "data", "trips") if table_dir else os.path.join(d, "data"))
        gen_trips(os.path.join(d, "data", "trips", "part-000.csv") if table_dir
                  else os.path.join(d, "data", "trips.csv"), rows)
        cfg = write_config(d, [{"name": "trips", "primary_key": ["trip_id"],
                                "secondary": [["pickup_zone_id"]]}])
        return self.shared_log_config(cfg, "e2e")

    def migrate(self, cfg):
        code, out, err = run_cli(cfg, "migrate")
        self.assertEqual(code, 0, err)
        return out

    def serve(self, cfg, rows):
        s = self.start(cfg, "api", "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", rows=rows)
        return s, http

    def answers(self, http):
        out = []
        for path in ["/trips?limit=200", "/trips?order_by=-trip_id&limit=100", "/trips/1", "/trips/4321"]:
            status, _, body = http.get(path)
            self.assertEqual(status, 200, body)
            out.append(body)
        for query in [{"$filter": {"pickup_zone_id": 7}, "$limit": 1000}, {}]:
            status, _, body = http.post("/trips/query", query)
            self.assertEqual(status, 200, body)
            out.append(body)
        out.append(http.post("/trips/count")[2])
        return out

    def all_ids(self, http):
        return [r["trip_id"] for r in query_all(http, "/trips", limit=5000)]

    def test_two_api_hosts_serve_the_shared_log_identically(self):
        n = 5000
        app = self.home("app", n)
        self.migrate(app)
        code, _, err = run_cli(app, "app", "run", "--once")
        self.assertEqual(code, 0, err)
        apis = [self.home("api1", n), self.home("api2", n)]
        for cfg in apis:
            self.migrate(cfg)
        served = [self.serve(cfg, n) for cfg in apis]
        a, b = (self.answers(http) for _, http in served)
        self.assertEqual(a[-1], {"count": n})
        self.assertEqual(a, b)
        # Each API home built its own cache; neither has a copy of the log.
        for cfg in apis:
            home = os.path.join(os.path.dirname(cfg), "home")
            self.assertFalse(any(f.endswith(".ldb") or f == "CURRENT"
                                 for root, _, files in os.walk(os.path.join(home, "pipeline"))
                                 for f in files), "a log was written locally")
        for s, _ in served:
            self.assertEqual(s.stop(), 0, s.stderr())

    def add_part(self, cfg, part, rows, start_id):
        """Adds data/trips/part-NNN.csv whole: written under a hidden name, then renamed."""
        table = os.path.join(os.path.dirname(cfg), "data", "trips")
        hidden = os.path.join(table, ".part-%03d.csv" % part)
        gen_trips(hidden, rows, seed=100 + part, start_id=start_id)
        os.rename(hidden, os.path.join(table, "part-%03d.csv" % part))

    def test_the_stream_leader_stopped_during_ingestion_loses_nothing(self):
        # Ingestion follows a directory table; parts arrive before, at the
        # moment of, during and after the outage of the stream's leader. The
        # order is driven by what the API host has served, not by timing.
        chunk = 4000
        app = self.home("app", chunk, table_dir=True)
        self.migrate(app)
        api = self.home("api", chunk)
        self.migrate(api)
        ingest = self.start(app, "app", "run")
        _, http = self.serve(api, chunk)
        found = wait_until(lambda: [self.cluster.stream_leader("e2e_trips")] if
                           self.cluster.stream_leader("e2e_trips") is not None else None,
                           timeout=30, what="the stream's leader")
        leader = found[0]
        self.add_part(app, 1, chunk, chunk + 1)
        self.cluster.stop_node(leader)  # most likely while part 1 is being appended
        self.add_part(app, 2, chunk, 2 * chunk + 1)
        wait_ready(http, "trips", rows=3 * chunk)
        self.assertIsNone(ingest.proc.poll(), ingest.stderr())
        self.cluster.start_node(leader)
        self.cluster.wait_ready()
        self.add_part(app, 3, chunk, 3 * chunk + 1)
        wait_ready(http, "trips", rows=4 * chunk)
        self.assertEqual(ingest.stop(), 0, ingest.stderr())
        self.assertEqual(http.post("/trips/count")[2], {"count": 4 * chunk})
        self.assertEqual(self.all_ids(http), list(range(1, 4 * chunk + 1)))
        # A fresh API host reading the whole stream sees the same.
        fresh = self.home("api2", chunk)
        self.migrate(fresh)
        _, http2 = self.serve(fresh, 4 * chunk)
        self.assertEqual(self.all_ids(http2), list(range(1, 4 * chunk + 1)))

if __name__ == "__main__":
    unittest.main()
