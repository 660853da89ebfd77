#!/usr/bin/env python3
"""sluice fan-out benchmark: SSE subscribers of one endpoint while rows are
appended, beside nginx + nchan in the same run (issue 18).

Usually started by `bench/run.sh --fanout`, which builds Release and the
load client first. Direct use:

  fanout.py --sluice BUILD/bin/sluice --client BUILD/bin/fanout_load \
            [--subscribers 1000] [--rate 5000] [--secs 20] [--out FILE] [--perf DIR]

Prints the table and, with --out (the default for a full-size run:
bench/results/fanout.md), writes it with the machine, the commit and the
load average at start and end. --small is the development size (100
subscribers, 500 rows/s, 10 s). --perf DIR records a perf profile of the
sluice server during its run into DIR/sluice-perf.data.
"""
import argparse
import datetime
import os
import sys
import tempfile
import shutil

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchkit import data, fanout  # noqa: E402
from benchkit.procs import BenchError  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sluice", required=True, help="the sluice binary (plugins found beside it)")
    ap.add_argument("--client", required=True, help="the fanout_load binary (bench/fanout)")
    ap.add_argument("--small", action="store_true",
                    help="development size: 100 subscribers, 500 rows/s, 10 s")
    ap.add_argument("--subscribers", type=int)
    ap.add_argument("--rate", type=int, help="rows appended per second")
    ap.add_argument("--secs", type=float, help="seconds of appending")
    ap.add_argument("--drain-secs", type=float, default=30,
                    help="how long to wait after the last append for every delivery")
    ap.add_argument("--client-threads", type=int, default=2, help="reader threads of the client")
    ap.add_argument("--note-bytes", type=int, default=40, help="size of each row's text field")
    ap.add_argument("--poll-ms", type=int, default=10, help="sluice ingest poll_interval_ms")
    ap.add_argument("--commit-ms", type=int, default=10, help="sluice ingest commit_interval_ms")
    ap.add_argument("--nchan-buffer", type=int, default=65536,
                    help="nchan_message_buffer_length (sluice keeps 65,536 changes in memory)")
    ap.add_argument("--also", action="append", default=[], metavar="LABEL=BINARY",
                    help="another sluice binary to run in the same run, in its own row (e.g. "
                         "the build before a change)")
    ap.add_argument("--skip", default="", help="sluice or nchan, to leave one out")
    ap.add_argument("--perf", help="directory for a perf profile of the sluice server")
    ap.add_argument("--out", help="results file (default: bench/results/fanout.md for the full "
                                   "size, none otherwise)")
    a = ap.parse_args()
    full = dict(subscribers=1000, rate=5000, secs=20)
    small = dict(subscribers=100, rate=500, secs=10)
    for k, v in (small if a.small else full).items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    a.full = not a.small and (a.subscribers, a.rate, a.secs) == (1000, 5000, 20)
    a.perf_dir = a.perf and os.path.abspath(a.perf)
    return a


def main():
    a = parse_args()
    a.sluice, a.client = os.path.abspath(a.sluice), os.path.abspath(a.client)
    for p in (a.sluice, a.client):
        if not os.access(p, os.X_OK):
            print("fanout: %s is not an executable; build first (bench/run.sh --fanout)" % p,
                  file=sys.stderr)
            return 2
    if a.perf_dir:
        os.makedirs(a.perf_dir, exist_ok=True)
    skip = set(filter(None, a.skip.split(",")))
    load_start = os.getloadavg()
    root = tempfile.mkdtemp(prefix="sluice-fanout-")
    os.chmod(root, 0o755)
    results, failed = [], None
    try:
        runs = [("sluice", fanout.run_sluice, None)]
        for also in a.also:
            label, _, binary = also.partition("=")
            runs.append((label, fanout.sluice_runner(os.path.abspath(binary)), None))
        runs.append(("nginx + nchan", fanout.run_nchan, fanout.nchan_missing()))
        for name, run, missing in runs:
            key = "nchan" if run is fanout.run_nchan else "sluice"
            if key in skip:
                results.append((name, "left out (--skip)"))
            elif missing:
                results.append((name, missing))
            else:
                print("fanout: %s ..." % name, flush=True)
                r = run(a, root)
                print("fanout: %s: %s" % (name, r), flush=True)
                results.append((name, r))
    except BenchError as e:
        failed = str(e)
        print("fanout: FAILED: %s" % e, file=sys.stderr)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    load_end = os.getloadavg()
    t = fanout.table(a, results)
    print(t.text())
    out = a.out or (os.path.join(HERE, "results", "fanout.md") if a.full else None)
    if out:
        machine = data.machine(tempfile.gettempdir(), [
            ("nginx", ["nginx", "-v"]),
            ("nchan", ["dpkg-query", "-W", "-f=${Version}", "libnginx-mod-nchan"])])
        machine += [("load average", "%.2f at start, %.2f at end (1-minute averages; other work "
                     "on the machine skews every figure)" % (load_start[0], load_end[0]))]
        cmd = "bench/run.sh --fanout" + ("" if a.full else " (%d subscribers, %d rows/s, %g s)" % (
            a.subscribers, a.rate, a.secs))
        lines = ["# sluice fan-out benchmark", "",
                 "Run %s with `%s`: sluice and nginx + nchan, one after the other in the same "
                 "run, with the same client (bench/fanout/fanout_load.cc)." % (
                     datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), cmd), "",
                 "| machine | |", "|---|---|"]
        lines += ["| %s | %s |" % (k, v.replace("|", "/")) for k, v in machine]
        lines.append("")
        if failed:
            lines += ["**The run stopped early:** `%s`" % failed.splitlines()[0], ""]
        with open(out, "w") as f:
            f.write("\n".join(lines) + "\n" + t.markdown())
        print("fanout: wrote %s" % out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
