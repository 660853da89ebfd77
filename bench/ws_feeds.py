#!/usr/bin/env python3
"""The server's cost of change feeds per transport, in one run on one
server: K Server-Sent Events streams, K WebSocket connections with one
subscription each, and K subscriptions on as few WebSocket connections as
take them (64 each), each
phase receiving the same N appended CSV rows on every feed. Reported per
phase: server CPU seconds (user + system, every thread; steady on a shared
machine), CPU microseconds per delivered event, wall seconds from the
append to the last event, and bytes on the wire per event.

    bench/ws_feeds.py                       # K=20, N=20000
    bench/ws_feeds.py --feeds 50 --rows 50000
    bench/ws_feeds.py --ws-first          # the same, WebSocket's phase first

Clients are raw sockets that count events in large reads, so that the
clients' own cost stays off the server's measurement as far as possible.
Later phases cost the server more than the first whatever the transport
(run it both ways: with --ws-first, WebSocket's phase is the cheap one),
so compare a transport's first-phase figure with the other's.
"""
import argparse
import base64
import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from benchkit.procs import cpu_secs  # noqa: E402
from harness import Http, Sluice, wait_ready, write_config  # noqa: E402

import json  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

SSE_MARK = b"\nevent: insert\n"
WS_MARK = b'"type":"event"'


class Reader:
    """One socket; counts `mark` in what it reads, after the response head."""

    def __init__(self, port, request, mark):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(request)
        self.mark, self.count, self.bytes = mark, 0, 0
        self.head = threading.Event()
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        buf = b""
        while b"\r\n\r\n" not in buf:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
        tail = buf.split(b"\r\n\r\n", 1)[1]
        self.head.set()
        keep = len(self.mark) - 1
        carry = tail
        self.bytes += len(tail)
        self.count += tail.count(self.mark)
        while True:
            try:
                chunk = self.sock.recv(1 << 20)
            except OSError:  # closed at the end of its phase
                return
            if not chunk:
                return
            self.bytes += len(chunk)
            joined = carry[-keep:] + chunk
            self.count += joined.count(self.mark) - carry[-keep:].count(self.mark)
            carry = chunk

    def send_ws_text(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                                bytes([0x80 | 126]) + n.to_bytes(2, "big"))
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))


def ws_request():
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET /feeds HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n").encode()


def phase(name, srv, port, http, readers, rows_file, first, n, expected):
    for r in readers:
        if not r.head.wait(30):
            raise SystemExit(f"{name}: no handshake")
    time.sleep(0.5)  # subscriptions opened (from now)
    before = cpu_secs(srv.proc.pid)
    start = time.time()
    with open(rows_file, "a") as f:
        for i in range(first, first + n):
            f.write(f"{i},{i % 5},{i * 1.5},n{i}\n")
    deadline = start + 600
    while sum(r.count for r in readers) < expected:
        if time.time() > deadline:
            raise SystemExit(f"{name}: {sum(r.count for r in readers)} of {expected} events")
        time.sleep(0.01)
    wall = time.time() - start
    cpu = cpu_secs(srv.proc.pid) - before
    wire = sum(r.bytes for r in readers)
    for r in readers:
        r.sock.close()
    print(f"| {name} | {expected} | {cpu:.2f} | {cpu / expected * 1e6:.1f} | {wall:.2f} | "
          f"{wire / expected:.0f} |", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--feeds", type=int, default=20)
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--ws-first", action="store_true", help="the WebSocket phase before SSE's")
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="sluice-bench-ws-")
    try:
        os.makedirs(os.path.join(d, "data"))
        rows_file = os.path.join(d, "data", "trips.csv")
        with open(rows_file, "w") as f:
            f.write("id,zone,fare,note\n1,1,1.5,n1\n")
        cfg = write_config(d, [{"name": "trips", "primary_key": ["id"]}],
                           extra="auth: { anonymous_admin: true }\n")
        cwd = os.getcwd()
        os.chdir(d)
        srv = Sluice(cfg, "run")
        os.chdir(cwd)
        try:
            base = srv.wait_listening()
            port = int(base.rsplit(":", 1)[1])
            http = Http(base)
            wait_ready(http, "trips", rows=1)
            k, n = a.feeds, a.rows
            print(f"K={k} feeds, N={n} rows appended per phase\n")
            print("| phase | events | server CPU s | CPU µs/event | wall s | bytes/event |")
            print("|---|---|---|---|---|---|")
            nxt = 2

            def sse_phase(first):
                sse = [Reader(port, b"GET /trips/events HTTP/1.1\r\nHost: x\r\n\r\n", SSE_MARK)
                       for _ in range(k)]
                phase(f"SSE, {k} connections", srv, port, http, sse, rows_file, first, n, k * n)

            def ws_phase(first):
                ws = [Reader(port, ws_request(), WS_MARK) for _ in range(k)]
                for r in ws:
                    r.head.wait(30)
                    r.send_ws_text(json.dumps({"type": "subscribe", "id": "a", "path": "/trips"}))
                phase(f"WebSocket, {k} connections x 1", srv, port, http, ws, rows_file, first, n,
                      k * n)
            for run in ([ws_phase, sse_phase] if a.ws_first else [sse_phase, ws_phase]):
                run(nxt)
                nxt += n
            # At most 64 subscriptions per connection (WebSocketSession::kMaxSubscriptions).
            shared = [Reader(port, ws_request(), WS_MARK) for _ in range((k + 63) // 64)]
            for i in range(k):
                r = shared[i // 64]
                r.head.wait(30)
                r.send_ws_text(json.dumps({"type": "subscribe", "id": f"s{i}", "path": "/trips"}))
            phase(f"WebSocket, {len(shared)} connection(s) x {min(k, 64)}", srv, port, http, shared,
                  rows_file, nxt, n, k * n)
        finally:
            srv.stop()
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
