"""The fan-out benchmark (issue 18): N server-sent-event subscribers on one
endpoint while rows are appended at a steady rate, sluice beside nginx with
the nchan pub/sub module, in the same run.

bench/fanout_load (C++, epoll) opens the subscriptions, appends the rows
(sluice: lines appended to the CSV file the endpoint follows; nchan: one
POST per row to its publisher location), reads every subscription, and
measures latency from append to receipt, lost/repeated rows, the servers'
CPU and RSS and its own CPU (fanout_load.cc says how).
"""
import json
import os
import subprocess
import time

from .httpload import nginx_binary, nginx_conf
from .procs import BenchError, Server, children, free_port, tail
from .report import Table

SLUICE_CONFIG = """\
home_dir: ./home
storage: {{ plugin: leveldb }}
connections:
  - {{ name: files, plugin: csv, options: {{ path: ./data }} }}
endpoints:
  - name: ticks
    path: /ticks
    connection: files
    table: ticks
    index: {{ primary_key: [seq] }}
api:
  rest: {{ host: 127.0.0.1, port: 0 }}
ingest: {{ commit_interval_ms: {commit_ms}, poll_interval_ms: {poll_ms} }}
"""

# nginx.conf lines of the nchan server (benchkit/httpload.py's nginx_conf).
NCHAN_MAIN = "load_module {module};\nworker_rlimit_nofile 8192;\n"
NCHAN_HTTP = "  nchan_message_buffer_length {buffer};\n"
NCHAN_SERVER = """\
    location = /pub { nchan_publisher; nchan_channel_id ticks; }
    location = /sub { nchan_subscriber eventsource; nchan_channel_id ticks; }
"""
NCHAN_MODULE = "/usr/lib/nginx/modules/ngx_nchan_module.so"


def nchan_missing():
    """Why nginx + nchan cannot run here, or None."""
    if not nginx_binary():
        return "nginx not installed (package nginx)"
    if not os.path.exists(NCHAN_MODULE):
        return "nchan not installed (package libnginx-mod-nchan)"
    return None


def _load(client, args, timeout):
    p = subprocess.run([client] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout)
    if p.returncode != 0:
        raise BenchError("fanout_load exited %d\n%s" % (p.returncode, tail(p.stderr)))
    return json.loads(p.stdout.strip().splitlines()[-1])


def _common(o):
    return ["--subscribers", o.subscribers, "--rate", o.rate, "--secs", o.secs,
            "--drain-secs", o.drain_secs, "--threads", o.client_threads,
            "--note-bytes", o.note_bytes]


def sluice_runner(binary):
    """run_sluice with another sluice binary."""
    def run(o, root):
        return run_sluice(o, root, binary)
    return run


def run_sluice(o, root, binary=None):
    """Serves one `ticks` endpoint with `sluice run`, runs the load;
    returns the client's figures. With o.perf, records a profile of the
    server (the first run only)."""
    d = os.path.join(root, "sluice")
    n = 1
    while os.path.exists(d):
        n += 1
        d = os.path.join(root, "sluice-%d" % n)
    os.makedirs(os.path.join(d, "data"))
    csv = os.path.join(d, "data", "ticks.csv")
    with open(csv, "w") as f:  # one row, for the schema (seq int64, ts int64, note string)
        f.write("seq,ts,note\n0,0,%s\n" % ("x" * o.note_bytes))
    cfg = os.path.join(d, "sluice.yaml")
    with open(cfg, "w") as f:
        f.write(SLUICE_CONFIG.format(commit_ms=o.commit_ms, poll_ms=o.poll_ms))
    srv = Server([binary or o.sluice, "-c", cfg, "run"], cwd=d)
    profile = o.perf and binary is None
    try:
        m = srv.wait_line(r"sluice: listening on http://127\.0\.0\.1:(\d+)", 60)
        port = int(m.group(1))
        _wait_rows(port, 1, 60)
        if profile:
            perf = os.path.join(o.perf_dir, "sluice-perf.data")
            prof = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-o", perf, "-p",
                                     str(srv.proc.pid)], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        res = _load(o.client, ["--mode", "sluice", "--port", port, "--path", "/v1/ticks/events",
                               "--csv", csv, "--watch-pid", srv.proc.pid] + _common(o),
                    timeout=o.secs + o.drain_secs + 120)
        if profile:
            prof.send_signal(2)
            prof.wait(60)
        res["rss_hwm_kb"] = srv.hwm_kb()
        res["ingest_failed"] = _ingest_failure(port, srv)
        if res["lost"] or res["ingest_failed"]:  # what the server said, for the reader of the run's output
            print("fanout: sluice's last log lines:\n" + tail("\n".join(srv.err_lines + srv.lines)),
                  flush=True)
        return res
    finally:
        srv.stop()


def run_nchan(o, root):
    d = os.path.join(root, "nchan")
    os.makedirs(os.path.join(d, "tmp"))
    port = free_port()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(nginx_conf(d, port, NCHAN_SERVER, connections=8192, keepalive=100000000,
                           main=NCHAN_MAIN.format(module=NCHAN_MODULE),
                           http=NCHAN_HTTP.format(buffer=o.nchan_buffer)))
    srv = Server([nginx_binary(), "-c", conf, "-p", d])
    try:
        deadline = time.monotonic() + 20
        workers = []
        while time.monotonic() < deadline:
            workers = children(srv.proc.pid)
            if len(workers) >= 1 and _answers(port):
                break
            if srv.proc.poll() is not None:
                raise BenchError("nginx exited %s\n%s" % (srv.proc.poll(), tail("\n".join(srv.err_lines))))
            time.sleep(0.05)
        time.sleep(0.5)
        workers = children(srv.proc.pid)
        pids = [srv.proc.pid] + workers
        args = ["--mode", "nchan", "--port", port, "--path", "/sub", "--pub-path", "/pub"]
        for p in pids:
            args += ["--watch-pid", p]
        try:
            res = _load(o.client, args + _common(o), timeout=o.secs + o.drain_secs + 120)
        except BenchError as e:
            raise BenchError("%s\nnginx said:\n%s" % (e, tail("\n".join(srv.err_lines))))
        res["processes"] = len(pids)
        return res
    finally:
        srv.stop()


def _answers(port):
    import socket
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


# /ready's ingest states of an ingest that no longer takes rows.
INGEST_STOPPED = ("failed", "schema_changed", "log_damaged", "storage_error")


def _ingest_failure(port, srv):
    """Why the server's ingest stopped during the run ("" when it did not):
    a log line `ingest stopped` before the server was asked to stop, or an
    endpoint whose /ready ingest_state is one of INGEST_STOPPED."""
    import http.client
    why = []
    with srv.cond:
        lines = [l for l in srv.err_lines + srv.lines if "ingest stopped" in l]
    if lines:
        why.append("log: " + lines[0].strip()[:200])
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/ready")
        r = conn.getresponse()
        body = json.loads(r.read() or b"null")
        conn.close()
        for e in (body or {}).get("endpoints", []):
            if e.get("ingest_state") in INGEST_STOPPED:
                why.append("/ready: %s: %s" % (e.get("name"), e.get("reason", e["ingest_state"])))
    except (OSError, ValueError, AttributeError) as e:
        why.append("/ready did not answer: %s" % e)
    return "; ".join(why)


def _wait_rows(port, rows, timeout):
    import http.client
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/")
            r = conn.getresponse()
            body = json.loads(r.read() or b"null")
            conn.close()
            if r.status == 200:
                ep = [e for e in body["endpoints"] if e["name"] == "ticks"][0]
                cur = [v for v in ep["versions"] if v["version"] == ep["current_version"]]
                last = cur
                if cur and cur[0]["ready"] and cur[0]["rows"] >= rows:
                    return
        except (OSError, ValueError, KeyError, IndexError):
            pass
        time.sleep(0.05)
    raise BenchError("ticks not ready with %d rows after %ss; last state %s" % (rows, timeout, last))


def table(o, results):
    """The results as a report Table."""
    t = Table("12. Fan-out: %s SSE subscribers, %s rows/s for %s s" % (
        f"{o.subscribers:,}", f"{o.rate:,}", o.secs),
        ["server", "delivered / expected", "missing", "repeated", "p50 ms", "p99 ms", "max ms",
         "server CPU s", "CPU µs/delivery", "RSS before → subscribed → peak MB",
         "RSS growth / subscriber", "client CPU s"])
    for name, r in results:
        if isinstance(r, str):
            t.row(name, "not run: " + r, *([""] * 10))
            continue
        growth = (max(r["rss_peak_kb"], r["rss_subscribed_kb"]) - r["rss_before_kb"]) / o.subscribers
        per = r["server_cpu_secs"] / r["delivered"] * 1e6 if r["delivered"] else 0
        t.row(*[name, "%s / %s" % (f"{r['delivered']:,}", f"{r['expected']:,}"),
               "%s%s%s" % (f"{r['lost']:,}", " (%d subscribers cut off)" % r["ended"]
                           if r.get("ended") else "",
                           " (**ingest stopped**)" if r.get("ingest_failed") else ""),
               r["duplicated"], "%.1f" % r["p50_ms"], "%.1f" % r["p99_ms"],
               "%.0f" % r["max_ms"], "%.2f" % r["server_cpu_secs"], "%.2f" % per,
               "%.1f → %.1f → %.1f" % (r["rss_before_kb"] / 1024, r["rss_subscribed_kb"] / 1024,
                                       r["rss_peak_kb"] / 1024),
               "%.1f KB" % growth,
               "%.2f (readers %.2f, publisher %.2f)" % (
                   r["client_cpu_secs"], r["client_reader_cpu_secs"],
                   r["client_publisher_cpu_secs"])])
    for name, r in results:
        if isinstance(r, dict) and r["rows"] < int(o.rate * o.secs):
            t.note("%s: the publisher fell behind (the server did not take the rows as fast as "
                   "they came) and stopped after %s of %s rows, %.0f s after it started; only "
                   "those are expected" % (name, f"{r['rows']:,}", f"{int(o.rate * o.secs):,}",
                                           r["publish_secs"]))
    for name, r in results:
        if isinstance(r, dict) and r.get("ingest_failed"):
            t.note("%s: **the server's ingest stopped during the run**, so rows it never took "
                   "count as missing: %s" % (name, r["ingest_failed"]))
    s = dict(results).get("sluice")
    if isinstance(s, dict):
        growth = (max(s["rss_peak_kb"], s["rss_subscribed_kb"]) - s["rss_before_kb"]) / o.subscribers
        t.target("p99 <= 100 ms", "%.1f ms" % s["p99_ms"], s["p99_ms"] <= 100)
        t.target("RSS growth <= 64 KB per subscriber", "%.1f KB" % growth, growth <= 64)
        t.target("no event lost or repeated (every subscriber, every row, in order, by the "
                 "drain deadline)",
                 "%s not received by the deadline (%d subscribers cut off), %d repeated, %d out "
                 "of order" % (f"{s['lost']:,}", s["ended"], s["duplicated"], s["out_of_order"]),
                 s["lost"] == 0 and s["duplicated"] == 0 and s["out_of_order"] == 0 and
                 s["offset_mismatch"] == 0)
        t.target("the server's ingest ran throughout (no `ingest stopped` in its log, /ready "
                 "names no stopped ingest)", s.get("ingest_failed") or "yes",
                 not s.get("ingest_failed"))
    t.note("missing: rows a subscriber had not received when the drain deadline passed "
           "(%g s after the last append), or never will (sluice cuts off a subscriber that "
           "stays more than 50,000 changes behind for 10 s, with an `end` event saying where "
           "to resume); repeated: rows received twice" % o.drain_secs)
    t.note("latency: from the row's append (CSV write, or the POST to nchan) to the client's "
           "read of it, every delivery; CPU: user + system of the server's processes from the "
           "first append until every subscriber had every row")
    t.note("sluice ingest: poll_interval_ms %d, commit_interval_ms %d; nchan: worker_processes "
           "auto, nchan_message_buffer_length %d" % (o.poll_ms, o.commit_ms, o.nchan_buffer))
    return t
