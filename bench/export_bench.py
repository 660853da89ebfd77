#!/usr/bin/env python3
"""Export benchmark: every row of the trips table as CSV, sluice's
`GET /trips` with `Accept: text/csv` (docs/rest.md, "Export") beside
PostgreSQL's `COPY trips TO STDOUT (FORMAT csv, HEADER)` through psql, in
the same run, on the same generated data (tests/tools/gen_trips.py).

  export_bench.py --sluice BUILD/bin/sluice [--rows N] [--runs K] [--out FILE]

Both write the CSV to a file on the same disk. Reported per system: wall
seconds (median of the runs), CPU seconds of the server (all its threads,
or all PostgreSQL processes) and of the client (curl, psql), output bytes,
and how much the server's anonymous memory (RssAnon, all its processes)
grew while it exported (sampled every 20 ms). The target is sluice >= 1x PostgreSQL, by wall
time (and CPU reported beside it, since a busy machine bends wall time).
"""
import argparse
import csv
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from benchkit import baselines as bl  # noqa: E402
from benchkit.pg import Postgres  # noqa: E402
from benchkit.procs import BenchError, run_timed, tree, tree_cpu_secs  # noqa: E402
from benchkit.sluice import Home, wait_ready  # noqa: E402

GEN = os.path.join(HERE, "..", "tests", "tools", "gen_trips.py")


def lines(path):
    """CSV records in the file (header included); quoted fields may hold line breaks."""
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f))


def anon_kb(pids):
    """Sum of RssAnon (heap and other private memory) over `pids`."""
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/status" % pid) as f:
                total += sum(int(line.split()[1]) for line in f if line.startswith("RssAnon:"))
        except OSError:
            pass
    return total


def measure(pid, cmd, out_path):
    """Runs the client `cmd`; returns (wall, server CPU, client CPU, bytes, growth of the
    server's RssAnon (KiB, all its processes) during the export, sampled every 20 ms)."""
    cpu0 = tree_cpu_secs(pid)
    base = anon_kb(tree(pid))
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], anon_kb(tree(pid)))
    poller = threading.Thread(target=sample)
    poller.start()
    try:
        t = run_timed(cmd, timeout=3600)
    finally:
        done.set()
        poller.join()
    return t.secs, tree_cpu_secs(pid) - cpu0, t.cpu, os.path.getsize(out_path), peak[0] - base


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sluice", required=True)
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", help="work directory (default: a temporary one)")
    ap.add_argument("--out", help="write the table (markdown) here too")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="sluice-export-bench-")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)  # PostgreSQL runs as its own user
    data = os.path.join(work, "data")
    os.makedirs(data, exist_ok=True)
    csv = os.path.join(data, "trips.csv")
    if not os.path.exists(csv) or lines(csv) != a.rows + 1:
        subprocess.run([sys.executable, GEN, "--rows", str(a.rows), "--out", csv], check=True)
    out = os.path.join(work, "out.csv")
    results = {}

    home = Home(os.path.abspath(a.sluice), os.path.join(work, "sluice"), data)
    home.migrate()
    home.ingest(timeout=3600, rows=a.rows)
    srv, port = home.serve()
    try:
        wait_ready(port, a.rows, timeout=3600)
        cmd = ["curl", "-sS", "--fail", "-H", "Accept: text/csv", "-o", out,
               "http://127.0.0.1:%d/trips" % port]
        runs = [measure(srv.proc.pid, cmd, out) for _ in range(a.runs)]
        if lines(out) != a.rows + 1:
            raise BenchError("sluice exported %d lines, expected %d" % (lines(out), a.rows + 1))
        results["sluice GET /trips (Accept: text/csv)"] = runs
    finally:
        srv.proc.terminate()
        srv.proc.wait(60)

    shutil.rmtree(os.path.join(work, "pg-export"), ignore_errors=True)
    pg = Postgres(work, name="pg-export")
    try:
        pg.psql(bl.PG_TABLE, timeout=60)
        pg.psql("COPY trips FROM '%s' WITH (FORMAT csv, HEADER true)" % csv, timeout=3600)
        pg.psql("VACUUM ANALYZE trips", timeout=3600)
        cmd = pg.psql_cmd("-o", out, "-c", "COPY trips TO STDOUT WITH (FORMAT csv, HEADER true)")
        runs = [measure(pg.postmaster_pid(), cmd, out) for _ in range(a.runs)]
        if lines(out) != a.rows + 1:
            raise BenchError("COPY wrote %d lines, expected at least %d" % (lines(out), a.rows + 1))
        results["PostgreSQL COPY trips TO STDOUT (psql)"] = runs
        version = pg.version()
    finally:
        pg.stop()

    table = ["| export of %d rows as CSV | wall s (median of %d) | server CPU s | client CPU s | "
             "bytes | server RssAnon growth MiB |" % (a.rows, a.runs), "|---|---|---|---|---|---|"]
    med = {}
    for name, runs in results.items():
        med[name] = statistics.median(r[0] for r in runs)
        table.append("| %s | %.2f | %.2f | %.2f | %d | %.0f |" % (
            name, med[name], statistics.median(r[1] for r in runs),
            statistics.median(r[2] for r in runs), runs[-1][3],
            max(r[4] for r in runs) / 1024.0))
    s, p = list(med.values())
    table.append("")
    table.append("sluice / PostgreSQL wall: %.2fx the speed (target >= 1x: %s). %s; %s." % (
        p / s, "met" if p >= s else "not met", version,
        datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")))
    text = "\n".join(table) + "\n"
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
