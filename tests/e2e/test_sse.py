"""Change feeds as server-sent events (docs/realtime.md), end to end with
real clients: curl -N, and a client written against the SSE standard
(sse_client.py). Appended CSV rows arrive as events; a client that
disconnects and resumes with Last-Event-ID (also across a server restart)
gets every change of the log exactly once; filters, field selection and
their errors; a slow client is cut off with a final event saying where to
resume while a fast one keeps up; a version switch on the unversioned
path is announced and the events after it come from the new version."""
import json
import os
import queue
import subprocess
import threading
import unittest

from harness import Http, TempDirTest, wait_ready, wait_until, write_config
from sse_client import SseClient

HEADER = ["id", "zone", "fare", "note"]


def rows(first, last):
    return [(i, i % 5, round(i * 1.5, 2), f"n{i}") for i in range(first, last + 1)]


def write_rows(path, rows_, header=HEADER, mode="w"):
    with open(path, mode) as f:
        if mode == "w":
            f.write(",".join(header) + "\n")
        for r in rows_:
            f.write(",".join(str(x) for x in r) + "\n")


def parse_events(text):
    """(id, event, data) of each event in an event-stream text (LF lines)."""
    out = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n")
                      if line and not line.startswith(":") and ": " in line)
        if "data" in fields:
            out.append((fields.get("id"), fields.get("event"), fields["data"]))
    return out


def metric(http, name, **labels):
    status, _, body = http.request("GET", "/metrics")
    text = body.decode() if isinstance(body, bytes) else str(body)
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(name + "{") and want in line:
            return int(float(line.rsplit(" ", 1)[1]))
    return None


class FeedTest(TempDirTest):
    """A server with the endpoint trips (id, zone, fare, note) from a CSV file
    (also for test_websocket.py)."""

    def config(self, extra_rest="", extra=""):
        cfg = write_config(self.dir, [{"name": "trips", "primary_key": ["id"]}],
                           extra="auth: { anonymous_admin: true }\n" + extra)
        if extra_rest:
            with open(cfg) as f:
                text = f.read()
            text = text.replace("admin_socket_path: ./admin.sock",
                                "admin_socket_path: ./admin.sock, " + extra_rest)
            with open(cfg, "w") as f:
                f.write(text)
        return cfg

    def serve(self, n=20, extra_rest=""):
        write_rows(self.data("trips.csv"), rows(1, n))
        s = self.start(self.config(extra_rest), "run")
        base = s.wait_listening()
        http = Http(base)
        self.addCleanup(http.close)
        wait_ready(http, "trips", rows=n)
        return s, base, http

    def append(self, rows_):
        write_rows(self.data("trips.csv"), rows_, mode="a")

    def restart_between(self, s, http, before, after):
        """Appends rows `before` (a range), stops the server once it has them,
        appends `after` while it is down, starts it again: (server, base, http)
        once the restarted server holds them all."""
        self.append(rows(before[0], before[1]))
        wait_ready(http, "trips", rows=before[1])
        self.assertEqual(s.stop(), 0, s.stderr())
        self.append(rows(after[0], after[1]))
        s = self.start(self.config(), "run")
        base = s.wait_listening()
        http = Http(base)
        self.addCleanup(http.close)
        wait_ready(http, "trips", rows=after[1])
        return s, base, http


class SseTest(FeedTest):
    def client(self, base, path, **kw):
        c = SseClient(base, path, **kw)
        self.addCleanup(c.close)
        return c

    def test_curl_sees_appended_rows_as_events(self):
        s, base, http = self.serve(20)
        curl = subprocess.Popen(["curl", "-N", "-s", base + "/v1/trips/events?from=start"],
                                stdout=subprocess.PIPE, text=True)
        self.addCleanup(curl.wait)
        self.addCleanup(curl.kill)
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x.rstrip("\n")) for x in curl.stdout],
                         daemon=True).start()
        events = []

        def read_until(n):
            block = {}
            while len(events) < n:
                line = lines.get(timeout=60)
                if line == "":
                    if "data" in block:
                        events.append(block)
                    block = {}
                elif not line.startswith(":"):
                    k, _, v = line.partition(": ")
                    block[k] = v
        read_until(20)
        self.append(rows(21, 30))
        read_until(30)
        self.assertEqual([e["event"] for e in events], ["insert"] * 30)
        offsets = [int(e["id"]) for e in events]
        self.assertEqual(offsets, sorted(set(offsets)))
        for e in events:
            data = json.loads(e["data"])
            self.assertEqual((data["op"], data["version"], data["offset"]), ("insert", 1, int(e["id"])))
            status, _, record = http.get(f"/trips/{data['record']['id']}")
            self.assertEqual((status, data["record"]), (200, record))
        self.assertEqual([json.loads(e["data"])["record"]["id"] for e in events], list(range(1, 31)))
        self.assertEqual(metric(http, "sluice_feed_subscribers", endpoint="trips", version=1), 1)
        self.assertGreaterEqual(metric(http, "sluice_feed_events_sent_total", endpoint="trips"), 30)

    def test_resume_with_last_event_id_across_a_restart_is_exactly_once(self):
        s, base, http = self.serve(20)
        first = self.client(base, "/trips/events?from=start")
        self.assertEqual(first.wait_head(), 200)
        self.assertEqual(first.headers["content-type"], "text/event-stream")
        got = first.take(15)
        first.close()
        s, base, http = self.restart_between(s, http, (21, 35), (36, 50))
        # The browser's way (Last-Event-ID) and the URL's way (?after=).
        second = self.client(base, "/trips/events", last_event_id=got[-1].id)
        rest = second.take(35)
        by_url = self.client(base, "/trips/events?after=" + got[7].id)
        self.assertEqual([e.id for e in by_url.take(42)], [e.id for e in got[8:] + rest])
        whole = self.client(base, "/trips/events?from=start").take(50)
        union = got + rest
        self.assertEqual([(e.id, e.data) for e in union], [(e.id, e.data) for e in whole])
        self.assertEqual(len({e.id for e in union}), 50)
        self.assertEqual([json.loads(e.data)["record"]["id"] for e in union], list(range(1, 51)))
        self.assertTrue(all(e.id.startswith("1:") for e in union))  # version:offset when unversioned
        # Nothing more is pending for the resumed client.
        self.append(rows(51, 51))
        self.assertEqual(json.loads(second.take(1)[0].data)["record"]["id"], 51)

    def test_streams_sharing_encoded_events_each_get_theirs_exactly_once(self):
        # Streams of the same feed group (same version, filter and fields)
        # share each event's encoding; streams of other groups (fields, a
        # filter, ids with the version on the unversioned path), and one
        # that starts from the log while the others are live, each get
        # their own events, every one exactly once.
        s, base, http = self.serve(20)
        same = [self.client(base, "/v1/trips/events?from=start") for _ in range(6)]
        others = {"fields": self.client(base, "/v1/trips/events?from=start&fields=id,note"),
                  "filter": self.client(base, "/v1/trips/events?from=start&filter=%7B%22zone%22%3A2%7D"),
                  "unversioned": self.client(base, "/trips/events?from=start")}
        for c in same + list(others.values()):
            self.assertEqual(c.wait_head(), 200)
        for c in same:
            c.take(20)
        self.append(rows(21, 40))
        every = rows(1, 40)
        record = lambda r: {"id": r[0], "zone": r[1], "fare": r[2], "note": r[3]}
        expected = [record(r) for r in every]
        for c in same:
            got = c.take(20)
            self.assertEqual([json.loads(e.data)["record"] for e in got], expected[20:])
            self.assertEqual([int(e.id) for e in got], [json.loads(e.data)["offset"] for e in got])
        # From the log, then from the events the others' streams encoded.
        late = self.client(base, "/v1/trips/events?from=start")
        self.assertEqual([json.loads(e.data)["record"] for e in late.take(40)], expected)
        got = others["fields"].take(40)
        self.assertEqual([json.loads(e.data)["record"] for e in got],
                         [{"id": r[0], "note": r[3]} for r in every])
        got = others["filter"].take(8)
        self.assertEqual([json.loads(e.data)["record"] for e in got],
                         [record(r) for r in every if r[1] == 2])
        got = others["unversioned"].take(40)
        self.assertEqual([json.loads(e.data)["record"] for e in got], expected)
        self.assertEqual([e.id for e in got], ["1:%d" % json.loads(e.data)["offset"] for e in got])
        for c in same + [late] + list(others.values()):  # nothing more: no repeats
            self.assertTrue(c.events.empty(), c.events.queue)

    def test_filters_fields_post_and_errors(self):
        s, base, http = self.serve(20)
        f = json.dumps({"zone": 2})
        c = self.client(base, "/v1/trips/events?from=start&fields=id,fare&filter=" +
                        f.replace(" ", "%20").replace('"', "%22"))
        got = c.take(4)
        self.assertEqual([json.loads(e.data)["record"] for e in got],
                         [{"id": i, "fare": i * 1.5} for i in (2, 7, 12, 17)])
        posted = self.client(base, "/trips/events", method="POST",
                             body=json.dumps({"$filter": {"zone": {"$in": [1, 3]}},
                                              "fields": ["note"], "from": "start"}))
        self.assertEqual([json.loads(e.data)["record"]["note"] for e in posted.take(8)],
                         [f"n{i}" for i in (1, 3, 6, 8, 11, 13, 16, 18)])
        self.append(rows(21, 23))
        self.assertEqual(json.loads(c.take(1)[0].data)["record"], {"id": 22, "fare": 33.0})
        self.assertEqual(json.loads(posted.take(1)[0].data)["record"], {"note": "n21"})
        # The same errors as /query, as JSON, before any stream starts.
        _, _, query_error = http.post("/trips/query", {"$filter": {"nope": 1}})
        status, _, body = http.get("/trips/events?filter=%7B%22nope%22%3A1%7D")
        self.assertEqual((status, body), (400, query_error))
        for path, code, words in [
            ("/trips/events?fields=id,nope", 400, "unknown field \"nope\""),
            ("/trips/events?from=later", 400, "from: expected now, start or a log offset"),
            ("/trips/events?after=99999999", 400, "beyond the end"),
            ("/trips/events?after=x", 400, "expected a log offset"),
            ("/trips/events?limit=3", 400, "not accepted"),
            ("/v1/trips/events?after=2:5", 400, "names version 2 but the path is v1"),
        ]:
            status, _, body = http.get(path)
            self.assertEqual(status, code, (path, body))
            self.assertIn(words, body["error"]["message"], path)
        status, headers, _ = http.request("PUT", "/trips/events")
        self.assertEqual((status, headers.get("allow")), (405, "GET, POST"))
        beats = self.client(base, "/trips/events?heartbeat=1")
        wait_until(lambda: beats.comments >= 2, 30, "two heartbeats")

    def test_slow_client_is_cut_off_with_a_resume_event_while_a_fast_one_keeps_up(self):
        s, base, http = self.serve(10, extra_rest="events_max_lag: 5000, events_max_lag_ms: 10000")
        # The fast client is curl writing to a file; the slow one reads nothing for now.
        fast_path = os.path.join(self.dir, "fast.txt")
        with open(fast_path, "wb") as out:
            curl = subprocess.Popen(["curl", "-N", "-s", base + "/trips/events"], stdout=out)
        self.addCleanup(curl.wait)
        self.addCleanup(curl.kill)
        slow = self.client(base, "/trips/events", rcvbuf=4096, read=False)
        wait_until(lambda: metric(http, "sluice_feed_subscribers", endpoint="trips") == 2, 30,
                   "two subscribers")
        total = 60000  # more than the socket buffers hold, so the slow feed falls behind
        self.append(rows(11, 10 + total))
        fast_file = open(fast_path, "rb")
        self.addCleanup(fast_file.close)
        fast_text = bytearray()

        def fast_count():
            fast_text.extend(fast_file.read())
            return fast_text.count(b"\nevent: insert\n") >= total
        wait_until(fast_count, 300, "the fast client's events")
        got = parse_events(fast_text.decode())
        self.assertEqual([json.loads(e[2])["record"]["id"] for e in got], list(range(11, 11 + total)))
        self.assertEqual(curl.poll(), None)  # still connected
        wait_until(lambda: (metric(http, "sluice_feed_slow_disconnects_total",
                                   endpoint="trips") or 0) >= 1, 120, "the slow client cut off")
        self.assertEqual(metric(http, "sluice_feed_slow_disconnects_total", endpoint="trips"), 1)
        slow.resume_reading()
        seen = slow.take_until(lambda e: e.type == "end", timeout=120)
        end = json.loads(seen[-1].data)
        self.assertEqual(end["code"], "resource_exhausted")
        self.assertIn("fell more than 5000 changes behind for 10000 ms", end["message"])
        before = [e for e in seen if e.type == "insert"]
        self.assertLess(len(before), total)
        # The final event's resume point is the last id the client holds.
        self.assertEqual(end["resume_after"], slow.last_event_id)
        self.assertTrue(slow.closed.wait(30))
        again = self.client(base, "/trips/events", last_event_id=slow.last_event_id)
        after = again.take(total - len(before), timeout=300)
        self.assertEqual([(e.id, e.data) for e in before + after], [(e[0], e[2]) for e in got])
        self.assertEqual(metric(http, "sluice_feed_subscribers", endpoint="trips"), 2)

    def test_a_version_switch_is_announced_on_the_unversioned_path(self):
        s, base, http = self.serve(5)
        first = self.client(base, "/trips/events?from=start")
        got = first.take(5)
        first.close()
        self.assertEqual(s.stop(), 0, s.stderr())
        # A new column: the restart migrates to version 2.
        write_rows(self.data("trips.csv"), [r + (r[0] * 10,) for r in rows(1, 6)],
                   header=HEADER + ["extra"])
        s = self.start(self.config(), "run")
        base = s.wait_listening()
        http = Http(base)
        self.addCleanup(http.close)
        wait_ready(http, "trips", version=2, rows=6)
        # Resuming from version 1: told of the switch, then version 2 from its start.
        resumed = self.client(base, "/trips/events", last_event_id=got[-1].id)
        seen = resumed.take(7)
        self.assertEqual((seen[0].type, json.loads(seen[0].data)),
                         ("version", {"op": "switch", "from": 1, "to": 2}))
        self.assertEqual([json.loads(e.data)["record"]["extra"] for e in seen[1:]],
                         [10, 20, 30, 40, 50, 60])
        self.assertTrue(all(e.id.startswith("2:") for e in seen[1:]))
        # Live: an admin switches back to version 1 while streams are open.
        pinned = self.client(base, "/v2/trips/events")
        self.assertEqual(pinned.wait_head(), 200)
        status, _, body = s.admin().request("PUT", "/admin/endpoints/trips/current", {"version": 1})
        self.assertEqual(status, 200, body)
        seen = resumed.take(6)
        self.assertEqual((seen[0].type, json.loads(seen[0].data)),
                         ("version", {"op": "switch", "from": 2, "to": 1}))
        self.assertEqual([json.loads(e.data)["version"] for e in seen[1:]], [1] * 5)
        self.assertEqual([json.loads(e.data)["record"] for e in seen[1:]],
                         [json.loads(e.data)["record"] for e in got])
        self.assertTrue(pinned.events.empty())  # a path naming its version stays there
        self.assertFalse(pinned.closed.is_set())
        self.assertEqual(s.stop(), 0, s.stderr())
        # The server stopping ends streams with an event saying so.
        ends = [e for e in list(pinned.events.queue) if e.type == "end"]
        self.assertEqual(json.loads(ends[0].data)["code"], "unavailable")


if __name__ == "__main__":
    unittest.main()
