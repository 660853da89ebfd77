"""An export applies the caller's access rule on every page (docs/rest.md,
"Export"; docs/security.md): a customer restricted by a row filter and a
field list exports only its own orders, with hidden fields null, across
several pages (2,500 orders: the pages after the first are read through
the export's own request); a hidden field cannot be selected."""
import json
import subprocess
import unittest

from access_env import KEYS, ORDER_FIELDS, AccessEnv, order_rows
from harness import TempDirTest, wait_ready, write_csv


ROWS = 2500


class ExportAccessTest(AccessEnv, TempDirTest):
    def setUp(self):
        super().setUp()
        self.make_keys()

    def export(self, path, headers):
        args = ["curl", "-sS", "--fail-with-body", "-H", "Accept: application/x-ndjson"]
        for k, v in headers.items():
            args += ["-H", f"{k}: {v}"]
        p = subprocess.run(args + [self.base + path], capture_output=True, timeout=300)
        return p.returncode, p.stdout

    def test_row_filter_and_field_list_apply_to_every_page(self):
        cfg = self.config()
        write_csv(self.data("orders.csv"), ORDER_FIELDS, order_rows(1, ROWS))
        s = self.start(cfg, "run")
        self.server = s
        self.base = s.wait_listening()
        wait_ready(self.http({"X-API-Key": KEYS["ops"]}), "orders", rows=ROWS)
        rc, body = self.export("/orders", {"X-API-Key": KEYS["cust2"]})
        self.assertEqual(rc, 0, body[:300])
        got = [json.loads(x) for x in body.decode().splitlines()]
        want = [{"order_id": i, "customer_id": 2, "total": t, "note": None}
                for i, c, t, _ in order_rows(1, ROWS) if c == 2]
        self.assertGreater(len(want), 800)
        self.assertEqual(got, want)
        # The same through a filter in the URL and a JWT.
        token = self.token(sub="2")
        rc, body = self.export("/orders?total=gte.3000&select=order_id,total",
                               {"Authorization": "Bearer " + token})
        self.assertEqual(rc, 0, body[:300])
        self.assertEqual([json.loads(x) for x in body.decode().splitlines()],
                         [{"order_id": w["order_id"], "total": w["total"]} for w in want
                          if w["total"] >= 3000])
        # A reader sees every order; a hidden field cannot be selected.
        rc, body = self.export("/orders?select=order_id", {"X-API-Key": KEYS["reader"]})
        self.assertEqual(len(body.decode().splitlines()), ROWS)
        rc, body = self.export("/orders?select=note", {"X-API-Key": KEYS["cust2"]})
        self.assertNotEqual(rc, 0)
        self.assertIn('unknown field \\"note\\" in $select', body.decode())
        self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    unittest.main()
