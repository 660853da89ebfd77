"""Versions shared through the version catalog (docs/scaling.md, "Migrations").

With the log on a 3-node NATS JetStream cluster: API hosts that never run
`migrate` (and have no source data at all) serve the versions the app host
creates, including one created while they run; a home whose copy of a
version differs from the catalog's is refused; a pruned version is not
brought back; an admin pin on one API host leaves the other serving the
newest version. Without NATS: a local home records its versions too, and a
pruned version stays pruned.
"""
import json
import os
import unittest

from harness import Http, TempDirTest, gen_trips, run_cli, wait_ready, write_config
from nats_case import NatsClusterCase


def set_secondary(cfg, secondary):
    with open(cfg) as f:
        lines = f.read().split("\n")
    lines = [line for line in lines if not line.strip().startswith("secondary:")]
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("primary_key:"))
    lines.insert(at + 1, "      secondary: " + json.dumps(secondary))
    with open(cfg, "w") as f:
        f.write("\n".join(lines))


class SharedVersionsTest(NatsClusterCase):
    ROWS = 3000

    def home(self, name, rows=None, prefix="sv"):
        """A host directory whose log is the shared stream; source data only when `rows`."""
        d = os.path.join(self.dir, name)
        os.makedirs(os.path.join(d, "data"))
        if rows:
            gen_trips(os.path.join(d, "data", "trips.csv"), rows)
        cfg = write_config(d, [{"name": "trips", "primary_key": ["trip_id"], "secondary": [["pickup_zone_id"]]}])
        return self.shared_log_config(cfg, prefix)

    def ok(self, cfg, *args):
        code, out, err = run_cli(cfg, *args)
        self.assertEqual(code, 0, err)
        return out

    def serve(self, cfg, **ready):
        s = self.start(cfg, "api", "run")
        http = Http(s.wait_listening())
        wait_ready(http, "trips", **ready)
        return s, http

    def versions(self, http):
        return [v["version"] for v in http.get("/")[2]["endpoints"][0]["versions"]]

    def test_api_hosts_follow_the_versions_the_app_host_creates(self):
        app = self.home("app", self.ROWS)
        self.ok(app, "migrate")
        self.ok(app, "app", "run", "--once")
        apis = [self.home("api1"), self.home("api2")]  # no data, never migrated
        served = [self.serve(cfg, version=1, rows=self.ROWS) for cfg in apis]
        for cfg in apis:
            self.assertTrue(os.path.exists(os.path.join(os.path.dirname(cfg), "home", "api", "trips", "v0001",
                                                        "openapi.json")), "artifacts written locally")
        # A new version, created while the API hosts run: another index.
        set_secondary(app, [["pickup_zone_id"], ["payment_type"]])
        out = self.ok(app, "migrate")
        self.assertIn("trips: new version v2 (schema changed)", out)
        self.ok(app, "app", "run", "--once")
        for s, http in served:
            wait_ready(http, "trips", version=2, rows=self.ROWS)
            self.assertEqual(self.versions(http), [1, 2])
            status, headers, body = http.get("/v2/trips/17")
            self.assertEqual(status, 200, body)
            self.assertEqual(body["trip_id"], 17)
            self.assertEqual(http.get("/v1/trips/17")[2], body)
            self.assertEqual(http.post("/trips/count")[2], {"count": self.ROWS})
        a, b = (http.post("/trips/query", {"$filter": {"payment_type": "cash"}, "$limit": 100})
                for _, http in served)
        self.assertEqual(a[0], 200, a)
        self.assertEqual(a[2], b[2])
        # A pin is per host (docs/scaling.md, "Not shared"): kept in that
        # host's home; the other host goes on serving the newest version.
        (s1, h1), (_, h2) = served
        status, _, body = s1.admin().request("PUT", "/admin/endpoints/trips/current", {"version": 1})
        self.assertEqual(status, 200, body)
        self.assertEqual(h1.get("/trips/17")[1]["x-sluice-version"], "1")
        self.assertEqual(h2.get("/trips/17")[1]["x-sluice-version"], "2")
        self.assertNotIn("pin", h2.get("/")[2]["endpoints"][0])
        pins = [os.path.join(os.path.dirname(cfg), "home", "pins.json") for cfg in apis]
        with open(pins[0]) as f:
            self.assertEqual(json.load(f)["pins"]["trips"]["version"], 1)
        self.assertFalse(os.path.exists(pins[1]))
        for s, _ in served:
            self.assertEqual(s.stop(), 0, s.stderr())

    def test_a_home_that_disagrees_with_the_catalog_is_refused(self):
        app = self.home("app", self.ROWS)
        self.ok(app, "migrate")
        # This host migrated on its own streams, with another index: its v1 differs.
        other = self.home("other", 100, prefix="own")
        set_secondary(other, [["payment_type"]])
        self.ok(other, "migrate")
        with open(other) as f:
            text = f.read()
        with open(other, "w") as f:
            f.write(text.replace("stream_prefix: own", "stream_prefix: sv"))
        code, _, err = run_cli(other, "api", "run")
        self.assertEqual(code, 1, err)
        self.assertIn("endpoint trips v1: this home's schema.json", err)
        self.assertIn("differs from the version the shared catalog records", err)
        self.assertIn("index", err)

    def test_a_pruned_version_is_not_brought_back(self):
        app = self.home("app", self.ROWS)
        self.ok(app, "migrate")
        self.ok(app, "app", "run", "--once")
        self.ok(app, "migrate", "--new", "trips")
        self.ok(app, "app", "run", "--once")
        out = self.ok(app, "prune", "--keep", "1")
        self.assertIn("trips: pruned v1", out)
        self.assertIn("trips: unchanged (v2)", self.ok(app, "migrate"))
        api = self.home("api")
        s, http = self.serve(api, version=2, rows=self.ROWS)
        self.assertEqual(self.versions(http), [2])
        self.assertEqual(s.stop(), 0, s.stderr())


class LocalCatalogTest(TempDirTest):
    def test_local_home_records_versions_and_prunes_stay_pruned(self):
        gen_trips(self.data("trips.csv"), 200)
        cfg = write_config(self.dir, [{"name": "trips", "primary_key": ["trip_id"]}])
        for args in (["migrate"], ["migrate", "--new", "trips"], ["migrate", "--new", "trips"]):
            code, _, err = run_cli(cfg, *args)
            self.assertEqual(code, 0, err)
        code, out, err = run_cli(cfg, "prune", "--keep", "1")
        self.assertEqual(code, 0, err)
        self.assertIn("trips: pruned v1", out)
        self.assertIn("trips: pruned v2", out)
        code, out, err = run_cli(cfg, "migrate")
        self.assertEqual((code, out), (0, "trips: unchanged (v3)\n"), err)
        logs = os.path.join(self.dir, "home", "pipeline", "logs", "trips")
        self.assertEqual(sorted(os.listdir(logs)), ["v0003", "versions"])


if __name__ == "__main__":
    unittest.main()
