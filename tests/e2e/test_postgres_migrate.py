"""A PostgreSQL schema change becomes a sluice migration, end to end: v1
serves and follows the table; ALTER TABLE stops v1's stream exactly at the
change (every change before it is in v1, none after); `sluice migrate`
plans v2, which copies the table anew while v1 keeps serving; the switch to
v2; pruning v1 drops its replication slot and leaves v2's; removing the
endpoint from the config and `prune --removed` drops v2's."""
from harness import Http, run_cli, wait_ready, wait_until
from pg_case import PgCase, endpoint_yaml, main, wait_equal


class PostgresMigrationTest(PgCase):
    def test_alter_table_migrate_fill_switch_prune(self):
        self.pg.sql("CREATE TABLE orders (id int PRIMARY KEY, name text NOT NULL);"
                    "INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 1000) g;")
        # Pinned to v1: the switch to v2 is the admin call below.
        cfg = self.write_config([endpoint_yaml("orders", "public.orders", ["id"], version=1)])
        code, out, err = run_cli(cfg, "migrate")
        self.assertEqual(code, 0, err)
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "orders", version=1, rows=1000)
        self.pg.sql("UPDATE orders SET name = 'last before the change' WHERE id = 1;"
                    "DELETE FROM orders WHERE id = 3;")
        wait_until(lambda: http.get("/orders/1")[2].get("name") == "last before the change", 30,
                   "v1 to follow an update")
        self.pg.sql("ALTER TABLE orders ADD COLUMN qty int NOT NULL DEFAULT 0;"
                    "UPDATE orders SET name = 'after the change' WHERE id = 2;"
                    "INSERT INTO orders VALUES (1001, 'new', 5);")
        ingest = wait_until(lambda: self.ingest(http)["state"] == "schema_changed" and
                            self.ingest(http), 60, "v1's ingest to stop at the change")
        self.assertEqual(ingest["version"], 1)
        self.assertIn("the table's schema changed", ingest["detail"])
        self.assertIn("column added: qty (integer)", ingest["detail"])
        self.assertIn("run `sluice migrate`", ingest["detail"])
        status, _, ready = http.get("/ready")
        self.assertEqual(status, 503, ready)
        self.assertIn("schema change", ready["endpoints"][0]["reason"])
        # v1 stopped cleanly at the change: everything before, nothing after.
        self.assertEqual(http.get("/v1/orders/1")[2], {"id": 1, "name": "last before the change"})
        self.assertEqual(http.get("/v1/orders/2")[2], {"id": 2, "name": "order 2"})
        self.assertEqual(http.get("/v1/orders/3")[0], 404)
        self.assertEqual(http.get("/v1/orders/1001")[0], 404)
        self.assertEqual(http.post("/v1/orders/count")[2], {"count": 999})
        s.stop()

        code, out, err = run_cli(cfg, "migrate")
        self.assertEqual(code, 0, err)
        self.assertIn("orders: new version v2 (schema changed)", out)
        self.assertIn("column added: qty (int64, not null)", out)
        s = self.start(cfg, "run")
        http = Http(s.wait_listening())
        wait_ready(http, "orders", version=1, rows=999)  # pinned: v1 serves while v2 fills
        wait_until(lambda: self.version(http, 2).get("ready"), 60, "v2 to fill")
        wait_equal(self, http, "/v2/orders", "id", self.pg,
                   "SELECT id, name, qty FROM orders ORDER BY id", ["id", "name", "qty"],
                   ["int", "str", "int"])
        self.assertEqual(http.get("/v2/orders/1001")[2], {"id": 1001, "name": "new", "qty": 5})
        self.assertEqual(http.get("/orders/2")[1]["x-sluice-version"], "1")
        status, _, body = s.admin().request("PUT", "/admin/endpoints/orders/current", {"version": 2})
        self.assertEqual(status, 200, body)
        status, headers, body = http.get("/orders/2")
        self.assertEqual((headers["x-sluice-version"], body),
                         ("2", {"id": 2, "name": "after the change", "qty": 0}))
        # v2 follows the table from its own slot.
        self.pg.sql("UPDATE orders SET qty = 9 WHERE id = 1;")
        wait_until(lambda: http.get("/orders/1")[2].get("qty") == 9, 30, "v2 to follow")
        self.assertEqual(self.pg.slots(), {"sluice_orders_v1": False, "sluice_orders_v2": True})

        status, _, body = s.admin().post("/admin/prune", {"keep": 1})
        self.assertEqual((status, body), (200, {"pruned": [body["pruned"][0]]}))
        self.assertIn("orders: pruned v1", body["pruned"][0])
        self.assertEqual(self.pg.slots(), {"sluice_orders_v2": True})
        self.assertEqual(http.get("/v1/orders/1")[0], 404)
        self.assertEqual(s.stop(), 0, s.stderr())

        # The endpoint leaves the config: migrate says what stays, and
        # `prune --removed` deletes its versions and drops their slot.
        gone = self.write_config([endpoint_yaml("other", "public.orders", ["id"])],
                                 name="gone.yaml")
        code, out, err = run_cli(gone, "migrate")
        self.assertEqual(code, 0, err)
        self.assertIn("orders: not in the config", out)
        self.assertIn("sluice prune --removed", out)
        code, out, err = run_cli(gone, "prune", "--removed")
        self.assertEqual(code, 0, err)
        self.assertIn("orders: pruned v2", out)
        self.assertEqual(self.pg.slots(), {})  # "other" has not run: no slot of its own yet

    def ingest(self, http):
        return http.get("/")[2]["endpoints"][0].get("ingest", {})

    def version(self, http, n):
        status, _, root = http.get("/")
        for v in root["endpoints"][0]["versions"]:
            if v["version"] == n:
                return v
        return {}


if __name__ == "__main__":
    main()
