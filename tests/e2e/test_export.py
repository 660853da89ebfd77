"""Export (docs/rest.md, "Export"): Accept: text/csv and
application/x-ndjson on list and query stream every matching record, with
curl as the client. The CSV read back through the csv source gives the
same records; an export resumes with $after; a large export keeps the
server's anonymous memory flat (RSS sampled while the client stalls and
reads); a client that leaves ends the export's thread."""
import fcntl
import json
import os
import socket
import struct
import sys
import termios
import subprocess
import unittest
import urllib.parse

from harness import (Http, TempDirTest, gen_trips, query_all, wait_ready, wait_until,
                     write_config)

OAPI_TYPES = {("integer", "int64"): "int64", ("number", "double"): "float64",
              ("boolean", None): "bool", ("string", None): "string",
              ("string", "date-time"): "timestamp", ("string", "date"): "date"}


def curl(url, *args):
    """curl's exit code, headers (lower-case names) and body bytes."""
    p = subprocess.run(["curl", "-sS", "-D", "-", *args, url], capture_output=True, timeout=600)
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    headers = {}
    for line in head.decode().split("\r\n")[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/") else 0
    return p.returncode, status, headers, body


def rss_anon_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise AssertionError("no RssAnon")


def pending(sock):
    """Bytes waiting in the socket's receive queue."""
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]


def threads(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


class ExportTest(TempDirTest):
    def serve_trips(self, rows, name="trips", small_cache=False):
        gen_trips(self.data("trips.csv"), rows)
        # A 1 MiB block cache: the storage's cache, which a full read fills,
        # is heap memory too, and would hide what the export itself holds.
        opts = {"leveldb": "block_cache_mb: 1", "rocksdb": "block_cache_mb: 1"} if small_cache else None
        cfg = write_config(self.dir, [{"name": name, "table": "trips", "primary_key": ["trip_id"],
                                       "secondary": [["pickup_zone_id"]]}], storage_options=opts)
        s = self.start(cfg, "run")
        base = s.wait_listening()
        http = Http(base)
        http.base = base
        wait_ready(http, name, rows=rows)
        return s, http

    def test_csv_and_ndjson_export_every_record_and_read_back(self):
        s, http = self.serve_trips(2600)
        everything = query_all(http, "/trips")
        self.assertEqual(len(everything), 2600)
        # NDJSON of the whole list (three pages of the export).
        rc, status, headers, body = curl(http.base + "/trips", "-H", "Accept: application/x-ndjson")
        self.assertEqual((rc, status), (0, 200), body[:300])
        self.assertEqual(headers["content-type"], "application/x-ndjson")
        self.assertEqual(headers["content-disposition"], 'attachment; filename="trips-v1.ndjson"')
        self.assertEqual(headers["transfer-encoding"], "chunked")
        self.assertEqual([json.loads(x) for x in body.decode().splitlines()], everything)
        # A filtered, selected, ordered, limited query export.
        q = {"$filter": {"pickup_zone_id": {"$in": [1, 3, 7]}}, "$order_by": {"fare_amount": "desc"},
             "$select": ["trip_id", "fare_amount", "note"], "$limit": 1500}
        rc, status, headers, body = curl(http.base + "/trips/query", "-H",
                                         "Accept: application/ndjson", "--data-binary", json.dumps(q))
        self.assertEqual((rc, status), (0, 200), body[:300])
        want = sorted((r for r in everything if r["pickup_zone_id"] in (1, 3, 7)),
                      key=lambda r: (r["fare_amount"] is not None, r["fare_amount"] or 0, r["trip_id"]),
                      reverse=True)[:1500]
        got = [json.loads(x) for x in body.decode().splitlines()]
        self.assertEqual(got, [{"trip_id": r["trip_id"], "fare_amount": r["fare_amount"],
                                "note": r["note"]} for r in want])
        # Resume after a record: $after in the URL of the list route.
        cut = everything[1234]
        after = urllib.parse.quote(json.dumps({"trip_id": cut["trip_id"]}))
        rc, status, _, body = curl(http.base + "/trips?after=" + after, "-H",
                                   "Accept: application/x-ndjson")
        self.assertEqual((rc, status), (0, 200))
        self.assertEqual([json.loads(x) for x in body.decode().splitlines()], everything[1235:])
        # A bad query is an ordinary error answer.
        rc, status, _, body = curl(http.base + "/trips?fare_amout=gt.1", "-H", "Accept: text/csv")
        self.assertEqual(status, 400, body)
        self.assertIn("did you mean", json.loads(body)["error"]["message"])
        # CSV of everything, then served by the csv source as a new endpoint.
        rc, status, headers, body = curl(http.base + "/trips", "-H", "Accept: text/csv")
        self.assertEqual((rc, status), (0, 200), body[:300])
        self.assertEqual(headers["content-type"], "text/csv; charset=utf-8; header=present")
        self.assertEqual(headers["content-disposition"], 'attachment; filename="trips-v1.csv"')
        self.assertTrue(body.startswith(b"trip_id,vendor_id,"), body[:100])
        self.assertIn(b"\r\n", body)
        _, _, oapi = http.get("/trips/oapi")
        props = oapi["components"]["schemas"]["Record"]["properties"]
        types = {k: OAPI_TYPES[(v["type"], v.get("format"))] for k, v in props.items()}
        self.assertEqual(s.stop(), 0)

        other = os.path.join(self.dir, "readback")
        os.makedirs(os.path.join(other, "data"))
        with open(os.path.join(other, "data", "exported.csv"), "wb") as f:
            f.write(body)
        cfg = write_config(other, [{"name": "exported", "primary_key": ["trip_id"],
                                    "options": {"types": types}}])
        s2 = self.start(cfg, "run")
        base2 = s2.wait_listening()
        http2 = Http(base2)
        wait_ready(http2, "exported", rows=2600)
        self.assertEqual(query_all(http2, "/exported"), everything)
        self.assertEqual(s2.stop(), 0)

    def test_large_export_keeps_memory_flat_and_a_leaving_client_stops_it(self):
        rows = 250000
        s, http = self.serve_trips(rows, small_cache=True)
        pid = s.proc.pid
        host, port = http.base.split("//")[1].split(":")

        def request(sock):
            sock.sendall(b"GET /trips HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n")

        # Read 1 MiB, then stall while sampling the server's anonymous
        # memory: an export that buffered its records would grow it by the
        # export's size (about 30 MB) meanwhile.
        sock = socket.create_connection((host, int(port)))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        request(sock)
        got = 0
        while got < (1 << 20):
            chunk = sock.recv(65536)
            self.assertTrue(chunk)
            got += len(chunk)
        base = rss_anon_kb(pid)
        samples = []

        def stalled():
            # The server filled this socket and stopped sending: the
            # client's queue has not grown over the last 20 samples.
            samples.append((rss_anon_kb(pid), pending(sock)))
            return len(samples) > 20 and len({q for _, q in samples[-20:]}) == 1
        wait_until(stalled, 60, "the export to wait for the client")
        peak = max(r for r, _ in samples)
        # Then read the rest, sampling every 4 MiB.
        total, since = got, 0
        while True:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            total += len(chunk)
            since += len(chunk)
            if since >= (4 << 20):
                since = 0
                peak = max(peak, rss_anon_kb(pid))
        sock.close()
        print(f"export of {total} bytes: RssAnon {base} kB after 1 MiB, at most {peak} kB",
              file=sys.stderr)
        self.assertGreater(total, 24 << 20)  # the export is far larger than the bound below
        self.assertLess(peak - base, 8 * 1024,
                        f"RssAnon grew from {base} kB to {peak} kB during an export of {total} bytes")
        # The whole export arrived and ends with the last chunk.
        rc, status, _, body = curl(http.base + "/trips?select=trip_id", "-H", "Accept: text/csv")
        self.assertEqual((rc, status), (0, 200))
        lines = body.split(b"\r\n")
        self.assertEqual((lines[0], len(lines)), (b"trip_id", rows + 2))
        # A client that leaves mid-export: the export's thread ends.
        counts = []

        def steady():
            counts.append(threads(pid))
            return len(counts) > 20 and len(set(counts[-20:])) == 1
        wait_until(steady, 60, "a steady thread count")
        base_threads = counts[-1]
        sock = socket.create_connection((host, int(port)))
        request(sock)
        self.assertTrue(sock.recv(65536))
        wait_until(lambda: threads(pid) > base_threads, 30, "the export's thread")
        sock.close()
        wait_until(lambda: threads(pid) == base_threads, 30, "the export's thread to end")
        self.assertEqual(http.get("/trips?limit=1")[0], 200)
        self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    unittest.main()
