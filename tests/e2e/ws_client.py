"""A client of sluice's WebSocket change feeds (GET /feeds,
docs/realtime.md) on python3-websocket (Debian's websocket-client): one
connection, JSON messages in a queue read by a thread (which answers pings,
as the library does, and counts them), subscribe/unsubscribe helpers, and
waits with deadlines."""
import json
import queue
import re
import socket
import threading
import time

import websocket


class WsFeeds:
    def __init__(self, base, headers=None, query="", rcvbuf=None, read=True, fast=False,
                 sslopt=None):
        """fast: after the library's handshake, read the socket in large chunks
        and parse the frames here (RFC 6455 5.2), for a client that must keep
        up with tens of thousands of messages a second; the library's own
        reader takes about ten system calls per frame."""
        url = re.sub(r"^http", "ws", base) + "/feeds" + query
        sockopt = ((socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf),) if rcvbuf else ()
        self.ws = websocket.create_connection(
            url, timeout=60, header=[f"{k}: {v}" for k, v in (headers or {}).items()],
            sockopt=sockopt, sslopt=sslopt)
        self.messages = queue.Queue()
        self.pings = 0
        self.close_code = None
        self.error = None  # why the reader stopped, when not at a close frame
        self.closed = threading.Event()
        self._held = []  # taken from the queue while looking for something else
        self._reading = threading.Event()
        if read:
            self._reading.set()
        self.thread = threading.Thread(target=self._run_fast if fast else self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self._reading.wait()
            while True:
                opcode, frame = self.ws.recv_data_frame(control_frame=True)
                if opcode == websocket.ABNF.OPCODE_PING:
                    self.pings += 1
                elif opcode == websocket.ABNF.OPCODE_CLOSE:
                    data = frame.data
                    self.close_code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                    return
                elif opcode == websocket.ABNF.OPCODE_TEXT:
                    self.messages.put(json.loads(frame.data.decode() if isinstance(frame.data, bytes)
                                                 else frame.data))
        except (websocket.WebSocketException, OSError, ValueError) as e:
            self.error = e
        finally:
            self.closed.set()

    def _run_fast(self):
        buf = bytearray()
        sock = self.ws.sock
        sock.settimeout(None)
        try:
            while True:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    return
                buf += chunk
                at = 0
                while len(buf) - at >= 2:
                    b0, b1 = buf[at], buf[at + 1]
                    n, head = b1 & 0x7F, 2
                    if n == 126:
                        if len(buf) - at < 4:
                            break
                        n, head = int.from_bytes(buf[at + 2:at + 4], "big"), 4
                    elif n == 127:
                        if len(buf) - at < 10:
                            break
                        n, head = int.from_bytes(buf[at + 2:at + 10], "big"), 10
                    if len(buf) - at < head + n:
                        break
                    payload = bytes(buf[at + head:at + head + n])
                    at += head + n
                    opcode = b0 & 0x0F
                    assert b0 & 0x80 and not b1 & 0x80, "a server frame is whole and unmasked"
                    if opcode == 0x1:
                        self.messages.put(json.loads(payload))
                    elif opcode == 0x9:
                        self.pings += 1
                        self.ws.pong(payload)
                    elif opcode == 0x8:
                        self.close_code = int.from_bytes(payload[:2], "big") if n >= 2 else None
                        return
                del buf[:at]
        except OSError:
            return
        finally:
            self.closed.set()

    def send(self, message):
        self.ws.send(json.dumps(message))

    def subscribe(self, sub_id, path, **params):
        self.send(dict({"type": "subscribe", "id": sub_id, "path": path}, **params))

    def unsubscribe(self, sub_id):
        self.send({"type": "unsubscribe", "id": sub_id})

    def resume_reading(self):
        self._reading.set()

    def take(self, pred, n, timeout=60):
        """The next n messages for which pred is true, in order; others are held
        for later takes."""
        out = []
        deadline = time.time() + timeout
        kept = []
        for m in self._held:
            (out if len(out) < n and pred(m) else kept).append(m)
        self._held = kept
        while len(out) < n:
            left = deadline - time.time()
            try:
                m = self.messages.get(timeout=max(0.01, left))
            except queue.Empty:
                raise AssertionError(f"got {len(out)} of {n} messages within {timeout}s: "
                                     f"{out[-3:]}; held {self._held[-3:]}")
            (out if pred(m) else self._held).append(m)
        return out

    def events(self, sub_id, n, timeout=60):
        return self.take(lambda m: m.get("id") == sub_id and m["type"] == "event", n, timeout)

    def one(self, sub_id, type_, timeout=60):
        return self.take(lambda m: m.get("id") == sub_id and m["type"] == type_, 1, timeout)[0]

    def pending(self):
        """Every message received and not taken, without waiting."""
        while True:
            try:
                self._held.append(self.messages.get_nowait())
            except queue.Empty:
                return list(self._held)

    def kill(self):
        """Drops the connection without a close handshake (as a crash would)."""
        self._reading.set()
        try:
            self.ws.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.ws.sock.close()
        self.thread.join(10)

    def close(self):
        self._reading.set()
        try:
            self.ws.close(timeout=2)
        except (websocket.WebSocketException, OSError):
            pass
        self.thread.join(10)
