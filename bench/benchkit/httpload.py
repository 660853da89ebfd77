"""HTTP load with wrk (bench/wrk/requests.lua) and an nginx ceiling."""
import http.client
import json
import os
import shutil
import time

from .procs import BenchError, Server, free_port, run_timed

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "..", "wrk", "requests.lua")

NGINX_CONF = """\
{main}daemon off;
worker_processes auto;
pid {dir}/nginx.pid;
error_log stderr warn;
events {{ worker_connections {connections}; }}
http {{
  access_log off;
  client_body_temp_path {dir}/tmp;
  proxy_temp_path {dir}/tmp;
  fastcgi_temp_path {dir}/tmp;
  uwsgi_temp_path {dir}/tmp;
  scgi_temp_path {dir}/tmp;
  keepalive_requests {keepalive};
{http}  server {{
    listen 127.0.0.1:{port};
{server}  }}
}}
"""


def nginx_conf(d, port, server, connections=1024, keepalive=1000000, main="", http=""):
    """An nginx.conf for one server on 127.0.0.1:port in the foreground,
    its pid and temporary files in d (d/tmp must exist). `server`: the
    server block's lines; `main`, `http`: more lines at the top level and
    in the http block (each line ending with a line break)."""
    return NGINX_CONF.format(dir=d, port=port, server=server, connections=connections,
                             keepalive=keepalive, main=main, http=http)


def nginx_binary():
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def start_nginx(root, body_bytes=300):
    """nginx serving one static file of body_bytes at /static.json.
    Returns (Server, port)."""
    d = os.path.join(root, "nginx")
    os.makedirs(os.path.join(d, "www"))
    os.makedirs(os.path.join(d, "tmp"))
    os.chmod(d, 0o755)
    os.chmod(os.path.join(d, "www"), 0o755)
    with open(os.path.join(d, "www", "static.json"), "w") as f:
        f.write(("{\"pad\":\"%s\"}" % ("x" * (body_bytes - 11)))[:body_bytes - 1] + "\n")
    port = free_port()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(nginx_conf(d, port, "    root %s/www;\n" % d))
    srv = Server([nginx_binary(), "-c", conf, "-p", d])
    _wait_http(srv, port)
    return srv, port


def _wait_http(srv, port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if srv.proc.poll() is not None:
            break
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/static.json")
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise BenchError("nginx did not answer on port %d:\n%s" % (port, "\n".join(srv.err_lines[-20:])))


class WrkResult:
    """requests/s and latency percentiles (µs) of one wrk run."""

    def __init__(self, d):
        self.__dict__.update(d)
        self.rps = d["requests"] / (d["duration_us"] / 1e6)


def wrk(url, mode, n, threads, conns, secs):
    """Runs wrk with requests.lua in `mode` (point, zone, range, scan, static)
    over keys 1..n. Fails if any request failed or got a status >= 400."""
    cmd = ["wrk", "-t", str(threads), "-c", str(conns), "-d", "%ds" % secs, "--timeout", "10s",
           "-s", LUA, url, "--", mode, str(n)]
    t = run_timed(cmd, timeout=secs + 60)
    line = [l for l in t.out.splitlines() if l.startswith("WRKJSON ")]
    if not line:
        raise BenchError("wrk printed no result:\n" + t.out + t.err)
    d = json.loads(line[-1][8:])
    bad = sum(d[k] for k in ("status_errors", "connect_errors", "read_errors", "write_errors",
                             "timeouts"))
    if bad or d["requests"] == 0:
        raise BenchError("wrk %s %s: %d of %d requests failed: %s" % (mode, url, bad, d["requests"], d))
    return WrkResult(d)
