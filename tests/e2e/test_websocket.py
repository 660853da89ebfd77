"""Change feeds over WebSocket (GET /feeds, docs/realtime.md), end to end
with a real client (python3-websocket, ws_client.py): two subscriptions on
one connection receive appended CSV rows, filtered and projected, tagged
with their ids and positions; errors of a subscription are those of /query
and the connection stays; a connection killed and resumed with the last
position, across a server restart, gets the log exactly once; a slow client
is cut off with an end message per subscription saying where to resume
while a fast one keeps up; a version switch is announced on an unversioned
subscription; pings keep the connection; the handshake checks."""
import os
import subprocess
import unittest

import websocket

from harness import Http, wait_address, wait_ready, wait_until
from test_sse import FeedTest, metric, rows, write_rows
from ws_client import WsFeeds


class WebSocketTest(FeedTest):
    def feeds(self, base, **kw):
        c = WsFeeds(base, **kw)
        self.addCleanup(c.close)
        return c

    def test_two_subscriptions_on_one_connection_get_appended_rows(self):
        s, base, http = self.serve(20)
        c = self.feeds(base)
        c.subscribe("all", "/trips", **{"from": "start"})
        c.subscribe("z2", "/v1/trips", **{"$filter": {"zone": 2}, "fields": ["id", "fare"],
                                         "from": "start"})
        self.assertEqual(c.one("all", "subscribed"),
                         {"type": "subscribed", "id": "all", "endpoint": "trips", "version": 1})
        self.assertEqual(c.one("z2", "subscribed")["version"], 1)
        every = c.events("all", 20)
        z2 = c.events("z2", 4)
        self.append(rows(21, 30))
        every += c.events("all", 10)
        z2 += c.events("z2", 2)
        self.assertEqual([e["record"]["id"] for e in every], list(range(1, 31)))
        for e in every:
            self.assertEqual((e["op"], e["version"], e["position"]), ("insert", 1, f"1:{e['offset']}"))
            status, _, record = http.get(f"/trips/{e['record']['id']}")
            self.assertEqual((status, e["record"]), (200, record))
        offsets = [e["offset"] for e in every]
        self.assertEqual(offsets, sorted(set(offsets)))
        self.assertEqual([e["record"] for e in z2],
                         [{"id": i, "fare": i * 1.5} for i in (2, 7, 12, 17, 22, 27)])
        self.assertEqual([e["position"] for e in z2], [str(e["offset"]) for e in z2])  # versioned
        self.assertEqual(metric(http, "sluice_http_feed_subscribers", transport="websocket",
                                endpoint="trips"), 2)
        # Unsubscribing says where to resume; the other subscription goes on.
        c.unsubscribe("z2")
        gone = c.one("z2", "unsubscribed")
        # (past the changes its filter left out, up to where the feed has read)
        self.assertGreaterEqual(int(gone["resume_after"]), z2[-1]["offset"])
        self.assertLessEqual(int(gone["resume_after"]), every[-1]["offset"] + 1)
        self.append(rows(31, 32))
        self.assertEqual([e["record"]["id"] for e in c.events("all", 2)], [31, 32])
        self.assertEqual(metric(http, "sluice_http_feed_subscribers", transport="websocket",
                                endpoint="trips"), 1)
        self.assertGreaterEqual(metric(http, "sluice_http_feed_events_sent_total",
                                       transport="websocket", endpoint="trips"), 38)
        self.assertEqual([m for m in c.pending() if m.get("id") == "z2"], [])

    def test_errors_are_those_of_query_and_the_connection_stays(self):
        s, base, http = self.serve(5)
        c = self.feeds(base, query="?heartbeat=1")
        _, _, query_error = http.post("/trips/query", {"$filter": {"nope": 1}})
        c.subscribe("bad", "/trips", **{"$filter": {"nope": 1}})
        self.assertEqual(c.one("bad", "error"),
                         {"type": "error", "id": "bad", "status": 400, **query_error})
        for sub_id, path, params, status, words in [
            ("f", "/trips", {"fields": "id,nope"}, 400, 'unknown field "nope"'),
            ("from", "/trips", {"from": "later"}, 400, "from: expected now, start or a log offset"),
            ("after", "/trips", {"after": 99999999}, 400, "beyond the end"),
            ("v", "/v1/trips", {"after": "2:3"}, 400, "names version 2 but the path is v1"),
            ("p", "/nowhere", {}, 404, "no endpoint has the path /nowhere"),
            ("v9", "/v9/trips", {}, 404, "has no version 9"),
            ("k", "/trips", {"limit": 3}, 400, "unknown key 'limit'"),
        ]:
            c.subscribe(sub_id, path, **params)
            m = c.one(sub_id, "error")
            self.assertEqual(m["status"], status, m)
            self.assertIn(words, m["error"]["message"], sub_id)
        c.send({"type": "subscribe", "path": "/trips"})
        self.assertIn("id must be a string", c.take(lambda m: m["type"] == "error", 1)[0]
                      ["error"]["message"])
        c.ws.send("not json")
        self.assertIsNone(c.take(lambda m: m["type"] == "error", 1)[0]["id"])
        c.unsubscribe("never")
        self.assertEqual(c.one("never", "error")["status"], 404)
        # Still open: a good subscription works, and an id in use is refused.
        c.subscribe("ok", "/trips", **{"from": "start"})
        self.assertEqual(len(c.events("ok", 5)), 5)
        c.subscribe("ok", "/trips")
        self.assertIn("already in use", c.one("ok", "error")["error"]["message"])
        # Pings every heartbeat second, answered by the client.
        wait_until(lambda: c.pings >= 2, 30, "two pings")
        self.assertFalse(c.closed.is_set())
        # The handshake: a plain GET is told to upgrade; parameters are checked.
        status, headers, body = http.get("/feeds")
        self.assertEqual((status, headers.get("upgrade")), (426, "websocket"))
        with self.assertRaises(websocket.WebSocketBadStatusException) as bad:
            WsFeeds(base, query="?heartbeat=0")
        self.assertEqual(bad.exception.status_code, 400)
        # A binary message closes the connection (1003).
        c.ws.send_binary(b"\x00")
        self.assertTrue(c.closed.wait(30))
        self.assertEqual(c.close_code, 1003)

    def test_killed_connection_resumes_across_a_restart_exactly_once(self):
        s, base, http = self.serve(20)
        first = self.feeds(base)
        first.subscribe("a", "/trips", **{"from": "start"})
        first.subscribe("b", "/v1/trips", **{"from": "start", "$filter": {"zone": {"$ne": 0}}})
        got_a = first.events("a", 15)
        got_b = first.events("b", 12)
        first.kill()
        s, base, http = self.restart_between(s, http, (21, 35), (36, 50))
        second = self.feeds(base)
        second.subscribe("a", "/trips", after=got_a[-1]["position"])
        second.subscribe("b", "/v1/trips", after=int(got_b[-1]["position"]),
                         **{"$filter": {"zone": {"$ne": 0}}})
        second.subscribe("whole", "/trips", **{"from": "start"})
        rest_a = second.events("a", 35)
        rest_b = second.events("b", 40 - 12)
        whole = second.events("whole", 50)
        key = lambda e: (e["position"], e["op"], e["record"])
        self.assertEqual([key(e) for e in got_a + rest_a], [key(e) for e in whole])
        self.assertEqual(len({e["offset"] for e in got_a + rest_a}), 50)
        self.assertEqual([e["record"]["id"] for e in got_b + rest_b],
                         [i for i in range(1, 51) if i % 5 != 0])
        self.assertEqual([e["offset"] for e in got_b + rest_b],
                         [e["offset"] for e in whole if e["record"]["zone"] != 0])
        # Nothing more is pending; the next row arrives once.
        self.append(rows(51, 51))
        self.assertEqual(second.events("a", 1)[0]["record"]["id"], 51)
        self.assertEqual(second.events("b", 1)[0]["record"]["id"], 51)
        self.assertEqual([m for m in second.pending()
                          if m.get("id") in ("a", "b") and m["type"] == "event"], [])

    def test_slow_client_is_cut_off_with_resume_points_while_a_fast_one_keeps_up(self):
        s, base, http = self.serve(10, extra_rest="events_max_lag: 5000, events_max_lag_ms: 3000")
        fast = self.feeds(base, fast=True)
        fast.subscribe("f", "/trips")
        fast.one("f", "subscribed")
        # The slow client subscribes twice, then reads nothing for now.
        slow = self.feeds(base, rcvbuf=4096, read=False)
        slow.subscribe("s", "/trips")
        slow.subscribe("odd", "/v1/trips", **{"$filter": {"zone": {"$in": [1, 3]}}})
        wait_until(lambda: metric(http, "sluice_http_feed_subscribers", transport="websocket",
                                  endpoint="trips") == 3, 30, "three subscribers")
        total = 60000  # more than the socket buffers hold, so the slow feeds fall behind
        self.append(rows(11, 10 + total))
        got = fast.events("f", total, timeout=300)
        self.assertEqual([e["record"]["id"] for e in got], list(range(11, 11 + total)))
        wait_until(lambda: (metric(http, "sluice_http_feed_slow_disconnects_total",
                                   transport="websocket", endpoint="trips") or 0) >= 1,
                   120, "the slow client cut off")
        self.assertFalse(fast.closed.is_set())  # the fast one is still connected
        slow.resume_reading()
        self.assertTrue(slow.closed.wait(120))
        self.assertEqual(slow.close_code, 1008, slow.error)
        seen = slow.pending()
        ends = {m["id"]: m for m in seen if m["type"] == "end"}
        self.assertEqual(set(ends), {"s", "odd"})
        self.assertTrue(all(e["code"] == "resource_exhausted" for e in ends.values()))
        self.assertTrue(any("fell more than 5000 changes behind for 3000 ms" in e["message"]
                            for e in ends.values()), ends)
        before = {i: [m for m in seen if m["type"] == "event" and m["id"] == i] for i in ends}
        self.assertLess(len(before["s"]), total)
        # The end's resume point is the last position the client holds (or,
        # for a filtered feed, past changes the filter left out).
        self.assertEqual(ends["s"]["resume_after"], before["s"][-1]["position"])
        self.assertGreaterEqual(int(ends["odd"]["resume_after"]), before["odd"][-1]["offset"])
        self.assertEqual(metric(http, "sluice_http_feed_slow_disconnects_total",
                                transport="websocket", endpoint="trips"), 1)
        again = self.feeds(base)
        again.subscribe("s", "/trips", after=ends["s"]["resume_after"])
        again.subscribe("odd", "/v1/trips", after=ends["odd"]["resume_after"],
                        **{"$filter": {"zone": {"$in": [1, 3]}}})
        after = again.events("s", total - len(before["s"]), timeout=300)
        self.assertEqual([e["offset"] for e in before["s"] + after], [e["offset"] for e in got])
        want_odd = [e["offset"] for e in got if e["record"]["zone"] in (1, 3)]
        after_odd = again.events("odd", len(want_odd) - len(before["odd"]), timeout=300)
        self.assertEqual([e["offset"] for e in before["odd"] + after_odd], want_odd)

    def test_a_version_switch_is_announced_on_an_unversioned_subscription(self):
        s, base, http = self.serve(5)
        first = self.feeds(base)
        first.subscribe("t", "/trips", **{"from": "start"})
        got = first.events("t", 5)
        first.close()
        self.assertEqual(s.stop(), 0, s.stderr())
        # A new column: the restart migrates to version 2.
        write_rows(self.data("trips.csv"), [r + (r[0] * 10,) for r in rows(1, 6)],
                   header=["id", "zone", "fare", "note", "extra"])
        s = self.start(self.config(), "run")
        base = s.wait_listening()
        http = Http(base)
        self.addCleanup(http.close)
        wait_ready(http, "trips", version=2, rows=6)
        # Resuming from version 1: told of the switch, then version 2 from its start.
        c = self.feeds(base)
        c.subscribe("t", "/trips", after=got[-1]["position"])
        c.subscribe("v2", "/trips", version=2)
        self.assertEqual(c.one("t", "version"),
                         {"type": "version", "id": "t", "op": "switch", "from": 1, "to": 2})
        seen = c.events("t", 6)
        self.assertEqual([e["record"]["extra"] for e in seen], [10, 20, 30, 40, 50, 60])
        self.assertTrue(all(e["position"].startswith("2:") for e in seen))
        self.assertEqual(c.one("v2", "subscribed")["version"], 2)
        # Live: an admin switches back to version 1 while the connection is open.
        status, _, body = s.admin().request("PUT", "/admin/endpoints/trips/current", {"version": 1})
        self.assertEqual(status, 200, body)
        self.assertEqual(c.one("t", "version"),
                         {"type": "version", "id": "t", "op": "switch", "from": 2, "to": 1})
        seen = c.events("t", 5)
        self.assertEqual([e["version"] for e in seen], [1] * 5)
        self.assertEqual([e["record"] for e in seen], [e["record"] for e in got])
        # A subscription naming its version stays there.
        self.assertEqual([m for m in c.pending() if m.get("id") == "v2"], [])
        self.assertFalse(c.closed.is_set())
        self.assertEqual(s.stop(), 0, s.stderr())
        # The server stopping ends every subscription, then closes (1001).
        self.assertTrue(c.closed.wait(30))
        self.assertEqual(c.close_code, 1001)
        ends = {m["id"]: m for m in c.pending() if m["type"] == "end"}
        self.assertEqual(set(ends), {"t", "v2"})
        self.assertEqual(ends["t"]["code"], "unavailable")
        # Where to resume: at or past the last event (past commit records).
        version, offset = ends["t"]["resume_after"].split(":")
        self.assertEqual(version, "1")
        self.assertGreaterEqual(int(offset), seen[-1]["offset"])

    def test_wss_over_the_rest_tls_listener(self):
        tls = os.path.join(self.dir, "tls")
        os.makedirs(tls)
        cert, key = os.path.join(tls, "cert.pem"), os.path.join(tls, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       check=True, capture_output=True, timeout=60)
        write_rows(self.data("trips.csv"), rows(1, 5))
        s = self.start(self.config(
            extra_rest="tls: { cert_path: ./tls/cert.pem, key_path: ./tls/key.pem }"), "run")
        base = "https://" + wait_address(s, "https")
        wait_ready(s.admin(), "trips", rows=5)
        c = self.feeds(base, sslopt={"ca_certs": cert}, query="?heartbeat=1")
        c.subscribe("t", "/trips", **{"from": "start"})
        self.assertEqual([e["record"]["id"] for e in c.events("t", 5, timeout=120)], [1, 2, 3, 4, 5])
        self.append(rows(6, 8))
        self.assertEqual([e["record"]["id"] for e in c.events("t", 3)], [6, 7, 8])
        wait_until(lambda: c.pings >= 1, 30, "a ping over TLS")
        c.unsubscribe("t")
        self.assertEqual(c.one("t", "unsubscribed")["id"], "t")


if __name__ == "__main__":
    unittest.main()
