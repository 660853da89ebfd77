"""A server-sent events client written against the HTML standard's
"Server-sent events" section (9.2, the event stream interpretation), over
a raw socket, for the e2e tests of change feeds.

It parses the stream as a browser's EventSource does: lines end with CRLF,
LF or CR; a line starting with ':' is a comment; `field: value` (one
leading space removed) for data, event, id and retry; an id containing
NUL is ignored; an empty line dispatches the event (data lines joined with
LF, the last LF removed; nothing is dispatched when the data buffer is
empty, but the last event id is still updated). It keeps the last event
id across reconnections like EventSource, but reconnects only when told.
"""
import queue
import re
import socket
import threading
import time


class Event:
    def __init__(self, type_, data, last_id):
        self.type = type_
        self.data = data
        self.id = last_id

    def __repr__(self):
        return f"Event({self.type!r}, id={self.id!r}, {self.data[:80]!r})"


class SseClient:
    """One connection to an event-stream URL. Events land in `events`
    (a queue) from a reader thread; comments are counted."""

    def __init__(self, base, path, headers=None, method="GET", body=None, last_event_id=None,
                 rcvbuf=None, read=True):
        m = re.match(r"http://([^:/]+):(\d+)", base)
        self.host, self.port = m.group(1), int(m.group(2))
        self.events = queue.Queue()
        self.comments = 0
        self.last_event_id = last_event_id or ""
        self.status = None
        self.headers = {}
        self.closed = threading.Event()
        self.head_read = threading.Event()
        self.error_body = b""
        self._reading = threading.Event()
        if read:
            self._reading.set()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.connect((self.host, self.port))
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "Accept: text/event-stream", "Cache-Control: no-cache"]
        if self.last_event_id:
            lines.append(f"Last-Event-ID: {self.last_event_id}")
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        data = body.encode() if isinstance(body, str) else (body or b"")
        if method == "POST":
            lines.append(f"Content-Length: {len(data)}")
            lines.append("Content-Type: application/json")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    # -- reading ----------------------------------------------------------

    def _recv(self):
        self._reading.wait()
        try:
            return self.sock.recv(65536)
        except OSError:
            return b""

    def _run(self):
        buf = b""
        try:
            while b"\r\n\r\n" not in buf:
                chunk = self._recv()
                if not chunk:
                    return
                buf += chunk
            head, buf = buf.split(b"\r\n\r\n", 1)
            head_lines = head.decode("latin-1").split("\r\n")
            self.status = int(head_lines[0].split()[1])
            for line in head_lines[1:]:
                k, _, v = line.partition(":")
                self.headers[k.strip().lower()] = v.strip()
            self.head_read.set()
            if self.status != 200:
                while True:
                    chunk = self._recv()
                    if not chunk:
                        break
                    buf += chunk
                self.error_body = buf
                return
            self._parse_stream(buf)
        finally:
            self.head_read.set()
            self.closed.set()

    def _parse_stream(self, buf):
        data, event_type = [], ""
        pending = b""
        text = buf
        while True:
            pending += text
            # Split into complete lines (CRLF, LF or CR); keep the rest. A
            # trailing CR may be the start of a CRLF: wait for more.
            while True:
                m = re.search(rb"\r\n|\n|\r", pending)
                if m is None or (m.group(0) == b"\r" and m.end() == len(pending)):
                    break
                line = pending[:m.start()].decode("utf-8", "replace")
                pending = pending[m.end():]
                if line == "":
                    if data:
                        self.events.put(Event(event_type or "message", "\n".join(data),
                                              self.last_event_id))
                    data, event_type = [], ""
                    continue
                if line.startswith(":"):
                    self.comments += 1
                    continue
                name, colon, value = line.partition(":")
                if colon and value.startswith(" "):
                    value = value[1:]
                if name == "data":
                    data.append(value)
                elif name == "event":
                    event_type = value
                elif name == "id":
                    if "\0" not in value:
                        self.last_event_id = value
                # "retry" and unknown fields are ignored here
            text = self._recv()
            if not text:
                return

    # -- use ----------------------------------------------------------------

    def wait_head(self, timeout=30):
        if not self.head_read.wait(timeout):
            raise AssertionError("no response head within %ss" % timeout)
        return self.status

    def take(self, n, timeout=60):
        """The next n events (AssertionError after `timeout` seconds overall)."""
        out = []
        deadline = time.time() + timeout
        while len(out) < n:
            left = deadline - time.time()
            try:
                out.append(self.events.get(timeout=max(0.01, left)))
            except queue.Empty:
                raise AssertionError(f"got {len(out)} of {n} events within {timeout}s: {out[-3:]}")
        return out

    def take_until(self, pred, timeout=60):
        """Events up to and including the first for which pred is true."""
        out = []
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            try:
                e = self.events.get(timeout=max(0.01, left))
            except queue.Empty:
                raise AssertionError(f"no matching event within {timeout}s; got {out[-3:]}")
            out.append(e)
            if pred(e):
                return out

    def resume_reading(self):
        self._reading.set()

    def close(self):
        self._reading.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(10)
