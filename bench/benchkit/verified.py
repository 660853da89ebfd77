"""Table 11: what verified reads cost (every block read checks its
checksum: the storage option paranoid_checks, on by default). GET by key
and the 50-row indexed query on the main dataset's LevelDB cache, served
with paranoid_checks: true and, as the baseline, paranoid_checks: false,
one server after the other on the same home in the same run."""
import os

from .httpload import wrk
from .procs import BenchError, Server, cpu_secs
from .report import Table, ms, rate, ratio
from .serve import sanity, settle
from .sluice import LEVELDB, wait_ready

HEADER = ["paranoid_checks", "request (wrk -t2 -c50)", "req/s", "p50", "p99", "server CPU/req",
          "server CPU s / wall s", "÷ unverified: CPU/req"]
REQUESTS = (("point", "GET /trips/{key}"), ("zone", "POST /trips/query, 50 rows by zone"))


def _config(home, paranoid):
    """A config beside `home`'s, on the same home directory, with `paranoid`."""
    with open(home.config) as f:
        text = f.read()
    storage = "storage: " + LEVELDB
    if storage not in text:
        raise BenchError("%s has no line %r" % (home.config, storage))
    path = os.path.join(home.root, "sluice-paranoid-%s.yaml" % ("on" if paranoid else "off"))
    with open(path, "w") as f:
        f.write(text.replace(storage, "storage: { plugin: leveldb, options: { paranoid_checks: %s } }"
                             % ("true" if paranoid else "false")))
    return path


def _measure(ctx, paranoid):
    """{mode: (WrkResult, CPU µs per request, CPU s)} for one server."""
    srv = Server([ctx.home.binary, "-c", _config(ctx.home, paranoid), "api", "run"])
    out = {}
    try:
        port = int(srv.wait_line(r"sluice: listening on http://127\.0\.0\.1:(\d+)", 60).group(1))
        wait_ready(port, ctx.rows, ctx.timeout)
        sanity(port)
        settle(srv)
        for mode, _ in REQUESTS:
            cpu0 = cpu_secs(srv.proc.pid)
            w = wrk("http://127.0.0.1:%d" % port, mode, ctx.rows, 2, 50, ctx.load_secs)
            cpu = cpu_secs(srv.proc.pid) - cpu0
            out[mode] = (w, cpu * 1e6 / w.requests, cpu)
    finally:
        rc = srv.stop()
    if rc != 0:
        raise BenchError("sluice (paranoid_checks %s) exited %s on SIGTERM:\n%s" % (
            paranoid, rc, "\n".join(srv.err_lines[-20:])))
    return out


def verified_reads(ctx):
    t = Table("11. Verified reads: REST on the LevelDB cache with and without block checksums, "
              "%ds each" % ctx.load_secs, HEADER)
    if ctx.skipped(t, "wrk"):
        return t
    if ctx.server:  # the serving tables' server holds the home
        ctx.server[0].stop()
        ctx.server = None
    # Two rounds in opposite orders, so that neither setting always runs first.
    for first in (True, False):
        m = {first: _measure(ctx, first), not first: _measure(ctx, not first)}
        for paranoid in (True, False):
            for mode, what in REQUESTS:
                w, cpu_us, cpu = m[paranoid][mode]
                t.row("true (default)" if paranoid else "false (baseline)", what, rate(w.rps),
                      ms(w.p50), ms(w.p99), "%.0f µs" % cpu_us, "%.2f / %d" % (cpu, ctx.load_secs),
                      ratio(cpu_us, m[False][mode][1]))
    t.note("two rounds (verified first, then unverified first); same home, same keys and load; "
           "each server left idle until its background work was done. server CPU/req: the "
           "server's CPU during the run divided by requests answered")
    return t
