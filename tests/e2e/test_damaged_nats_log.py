"""test_damaged_log.py's checks on a log kept in a NATS JetStream stream
(one nats-server started by the test, stopped around every flip; the
stream's bytes are its message block file). nats-server checks each
message against its own checksum: it hides a damaged message from reads
(and, for a damaged last message, drops it when it restarts), so "nothing
cut" is checked as "sluice wrote nothing to the stream". An append whose
commit message never arrived is not damage.

Skipped when nats-server is not installed or the nats plugin was not
built. The cache follows SLUICE_TEST_STORAGE."""
import base64
import json
import os
import socket
import subprocess
import sys
import time
import unittest
import urllib.request

from harness import STORAGE, Http, TempDirTest, replace_storage, wait_ready
from test_damaged_log import ROWS, DamagedLogChecks

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nats"))
import cluster  # noqa: E402
from nats_case import PLUGIN  # noqa: E402

PREFIX = "dmg"
STREAM = PREFIX + "_trips_v0001"


class NatsServer:
    """One nats-server with JetStream on 127.0.0.1, its store in `store`."""

    def __init__(self, root):
        self.root = root
        self.port, self.monitor = cluster.free_ports(2)
        self.proc = None

    def start(self, timeout=30):
        os.makedirs(self.root, exist_ok=True)
        self.proc = subprocess.Popen(
            [cluster.find_nats_server(), "-js", "-a", "127.0.0.1", "-p", str(self.port), "-m",
             str(self.monitor), "-sd", os.path.join(self.root, "store"), "-l",
             os.path.join(self.root, "nats.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor}/healthz", timeout=1) as r:
                    if json.load(r).get("status") == "ok":
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise AssertionError("nats-server did not start; see " + self.root)
            time.sleep(0.05)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        self.proc = None

    def stream_state(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor}/jsz?streams=true",
                                    timeout=5) as r:
            jsz = json.load(r)
        for account in jsz.get("account_details", []):
            for stream in account.get("stream_detail", []):
                if stream["name"] == STREAM:
                    return stream["state"]
        return None

    def publish(self, subject, headers, payload):
        """Publishes one message with `headers` to JetStream; returns its ack."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            f = s.makefile("rb")
            f.readline()  # INFO
            hdr = ("NATS/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) +
                   "\r\n").encode()
            s.sendall(b'CONNECT {"verbose":false,"headers":true}\r\nSUB _INBOX.ack 1\r\n' +
                      b"HPUB %s _INBOX.ack %d %d\r\n" % (subject.encode(), len(hdr),
                                                        len(hdr) + len(payload)) +
                      hdr + payload + b"\r\nPING\r\n")
            while True:
                line = f.readline()
                if not line:
                    raise AssertionError("nats-server closed the connection")
                if line.startswith(b"PING"):
                    s.sendall(b"PONG\r\n")
                elif line.startswith(b"MSG"):
                    ack = json.loads(f.read(int(line.split()[-1]) + 2)[:-2])
                    if "error" in ack:
                        raise AssertionError(f"publish refused: {ack}")
                    return ack


@unittest.skipIf(cluster.find_nats_server() is None, "nats-server is not installed")
@unittest.skipIf(not os.path.exists(PLUGIN), "the nats plugin was not built (libnats-dev missing)")
class DamagedNatsLogTest(DamagedLogChecks, TempDirTest):
    def setUp(self):
        super().setUp()
        self.nats = NatsServer(os.path.join(self.dir, "nats"))
        self.nats.start()
        self.addCleanup(self.nats.stop)

    def storage(self, cfg):
        storage = ("storage:\n  log: { plugin: nats, options: { servers: \"nats://127.0.0.1:%d\", "
                   "replicas: 1, stream_prefix: %s } }\n  cache: %s\n" %
                   (self.nats.port, PREFIX, STORAGE))
        return replace_storage(cfg, storage)

    def stop_log_backend(self):
        self.nats.stop()

    def start_log_backend(self):
        self.nats.start()

    def log_file(self):
        msgs = os.path.join(self.dir, "nats", "store", "jetstream", "$G", "streams", STREAM, "msgs")
        return max((os.path.join(msgs, n) for n in os.listdir(msgs) if n.endswith(".blk")),
                   key=os.path.getsize)

    def log_state(self):
        return self.nats.stream_state()

    def assert_nothing_cut(self, path, at, before, records):
        # The server itself may have hidden or dropped the damaged message;
        # sluice published, deleted and purged nothing.
        self.assertIsNotNone(before)
        self.assertEqual(self.nats.stream_state(), before)

    def test_an_append_cut_short_is_not_damage(self):
        self.prepare()
        state = self.nats.stream_state()
        s = self.start(self.cfg, "api", "run")
        http = Http(s.wait_listening())
        v = wait_ready(http, "trips", rows=ROWS)["versions"][0]
        http.close()
        self.assertEqual(s.stop(), 0, s.stderr())
        # The first message of an append whose writer died before its
        # commit message: a chunk of one record, no Sluice-Commit header.
        seq = state["last_seq"] + 1
        self.nats.publish(f"{PREFIX}.trips.v0001",
                          {"Sluice-Start": seq, "Sluice-First": v["log_end"], "Sluice-Count": 1},
                          base64.b64encode(b"an append cut short"))
        self.assert_goes_on_after_a_cut_short_append()
        self.assertGreater(self.nats.stream_state()["last_seq"], seq)
        self.assert_intact()


if __name__ == "__main__":
    unittest.main()
