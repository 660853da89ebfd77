"""Bounded query work through REST (docs/query.md, "Bounds"): a $filter too
large and a $skip too deep are refused naming the limit, a query past its
deadline (the client's X-Sluice-Timeout-Ms) answers 504, and a query whose
client disconnects stops instead of running to its end."""
import json
import re
import socket
import unittest

from harness import Http, wait_until
from test_service import ServiceTest

ROWS = 60000


def metric(text, name, **labels):
    """Sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


class QueryBoundsTest(ServiceTest):
    def serve_items(self, extra=""):
        cfg = self.config(endpoints=[self.items(n=ROWS)], extra=extra)
        return self.serve(cfg, rows=ROWS)

    def test_limits_are_named_and_deadlines_answer_504(self):
        s, http = self.serve_items()
        wide_or = {"$filter": {"$or": [{"price": i + 0.25} for i in range(30000)]}}
        status, _, body = http.post("/items/query", wide_or)
        self.assertEqual((status, body["error"]["code"]), (400, "invalid_argument"), body)
        self.assertIn("query.max_filter_terms", body["error"]["message"])
        status, _, body = http.post("/items/count", {"$filter": {"id": {"$in": list(range(20000))}}})
        self.assertEqual(status, 400, body)
        self.assertIn("query.max_filter_terms", body["error"]["message"])
        status, _, body = http.post("/items/query", {"$skip": 200000, "$order_by": {"price": "desc"}})
        self.assertEqual(status, 400, body)
        self.assertIn("query.max_skip", body["error"]["message"])
        self.assertIn("$after", body["error"]["message"])
        # An $in on the key is answered by probes, not a scan.
        status, headers, body = http.post("/items/query", {"$filter": {"id": {"$in": [7, 3, 59999]}}})
        self.assertEqual((status, [r["id"] for r in body]), (200, [3, 7, 59999]), body)
        self.assertEqual(headers["x-sluice-plan"], "primary key in (3 probes)")
        # The client's deadline: a scan of every row cannot finish in 1 ms.
        scan = {"$filter": {"name": {"$contains": "no such name"}}}
        status, _, body = http.request("POST", "/items/count", scan, {"X-Sluice-Timeout-Ms": "1"})
        self.assertEqual((status, body["error"]["code"]), (504, "deadline_exceeded"), body)
        self.assertIn("deadline of 1 ms", body["error"]["message"])
        status, _, body = http.request("POST", "/items/count", scan, {"X-Sluice-Timeout-Ms": "soon"})
        self.assertEqual(status, 400, body)
        self.assertIn("X-Sluice-Timeout-Ms", body["error"]["message"])
        self.assertEqual(http.post("/items/count", scan)[2], {"count": 0})  # within the default
        self.assertEqual(s.stop(), 0)

    def test_a_query_whose_client_left_is_cancelled(self):
        # Costly enough to run for seconds: every row against 9000 values.
        s, http = self.serve_items(extra="query: { filter_budget: 1000000000000 }\n")
        names = [f"absent{i}" for i in range(9000)]
        body = json.dumps({"$filter": {"name": {"$in": names}}}).encode()
        port = int(re.match(r"http://[^:]+:(\d+)", s.wait_listening()).group(1))
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(b"POST /items/count HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(body) + body)
        metrics = lambda: http.get("/metrics")[2].decode()
        wait_until(lambda: metric(metrics(), "sluice_http_query_running") >= 1, 30,
                   "the query to run on a worker")
        client.close()
        # Cancelled: its answer is counted as 499 (the client left), not 200.
        wait_until(lambda: metric(metrics(), "sluice_http_requests_total", route="/{endpoint}/count",
                                  status="499") == 1, 60, "the query to be cancelled")
        self.assertEqual(metric(metrics(), "sluice_http_requests_total", route="/{endpoint}/count",
                                status="200"), 0)
        self.assertEqual(metric(metrics(), "sluice_http_query_running"), 0)
        self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    unittest.main()
