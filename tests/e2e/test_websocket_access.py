"""Access control on the WebSocket change feeds (GET /feeds,
docs/security.md and docs/realtime.md), with python3-websocket: the
handshake needs a credential when credentials exist (401 without one or
with a bad one), each subscription is refused as an HTTP read of its
endpoint would be (403), and a customer's row filter and field list apply
to every event, live changes included, as on SSE."""
import json
import unittest

import websocket

from access_env import KEYS, AccessEnv, order_rows
from harness import TempDirTest
from ws_client import WsFeeds


class WebSocketAccessTest(AccessEnv, TempDirTest):
    def setUp(self):
        super().setUp()
        self.make_keys()

    def feeds(self, headers):
        c = WsFeeds(self.base, headers=headers)
        self.addCleanup(c.close)
        return c

    def test_credentials_refusals_and_row_filters(self):
        self.serve(self.config())
        for headers, status in [({}, 401), ({"X-API-Key": "not-a-key"}, 401),
                                ({"Authorization": "Bearer not.a.jwt"}, 401)]:
            with self.assertRaises(websocket.WebSocketBadStatusException) as refused:
                WsFeeds(self.base, headers=headers)
            self.assertEqual(refused.exception.status_code, status, headers)
        # A caller that may read no endpoint (metrics only) connects, and each
        # subscription is refused with the status its HTTP read gets.
        scraper = self.feeds({"Authorization": "Bearer " + KEYS["scraper"]})
        scraper.subscribe("o", "/orders")
        _, _, http_error = self.http({"Authorization": "Bearer " + KEYS["scraper"]}).get(
            "/orders/events")
        m = scraper.one("o", "error")
        self.assertEqual(m, {"type": "error", "id": "o", "status": 403, **http_error})
        # A customer (JWT, sub 2) sees only its rows and fields.
        mine = [r[0] for r in order_rows(1, 30) if r[1] == 2]
        c = self.feeds({"Authorization": "Bearer " + self.token(sub="2")})
        c.subscribe("o", "/orders", **{"from": "start"})
        c.subscribe("hidden", "/orders", fields=["note"])
        self.assertIn('unknown field "note"', c.one("hidden", "error")["error"]["message"])
        got = c.events("o", len(mine))
        with open(self.data("orders.csv"), "a") as f:
            for r in [(1001, 1, 1.0, "x"), (1002, 2, 2.0, "y"), (1003, 1, 3.0, "z"),
                      (1004, 2, 4.0, "w")]:
                f.write(",".join(str(x) for x in r) + "\n")
        got += c.events("o", 2)
        self.assertEqual([e["record"]["order_id"] for e in got], mine + [1002, 1004])
        self.assertTrue(all(e["record"]["customer_id"] == 2 and e["record"]["note"] is None
                            for e in got))
        # A key with the reader role sees every row on the same connection model.
        reader = self.feeds({"X-API-Key": KEYS["reader"]})
        reader.subscribe("o", "/v1/orders", **{"from": "start"})
        self.assertEqual([e["record"]["order_id"] for e in reader.events("o", 34)],
                         list(range(1, 31)) + [1001, 1002, 1003, 1004])
        self.assertEqual(self.server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
