"""Datasets (tests/tools/gen_trips.py, cached between runs) and the machine description."""
import os
import platform
import re
import shutil
import subprocess
import sys

from .procs import run_timed

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GEN = os.path.join(ROOT, "tests", "tools", "gen_trips.py")


def chunk(cache_dir, rows, index):
    """Path of chunk `index` (rows rows, trip_id from index*rows+1, seed
    42+index). Chunk 0 is byte for byte `gen_trips.py --rows ROWS`."""
    return os.path.join(cache_dir, "trips-%d-c%d.csv" % (rows, index))


def make_chunks(cache_dir, rows, count):
    """Generates the missing chunks 0..count-1, up to nproc at a time."""
    os.makedirs(cache_dir, exist_ok=True)
    todo = [i for i in range(count) if not os.path.exists(chunk(cache_dir, rows, i))]
    width = os.cpu_count() or 1
    while todo:
        batch, todo = todo[:width], todo[width:]
        procs = []
        for i in batch:
            tmp = chunk(cache_dir, rows, i) + ".tmp"
            procs.append((i, tmp, subprocess.Popen(
                [sys.executable, GEN, "--rows", str(rows), "--seed", str(42 + i),
                 "--start-id", str(i * rows + 1), "--out", tmp])))
        for i, tmp, p in procs:
            if p.wait(1800) != 0:
                raise RuntimeError("gen_trips.py failed for chunk %d" % i)
            os.chmod(tmp, 0o644)
            os.rename(tmp, chunk(cache_dir, rows, i))


def dataset(cache_dir, rows, chunks):
    """A data directory holding table `trips` made of `chunks` chunks of
    `rows` rows (hard links, no copies). Returns (data dir, csv paths)."""
    make_chunks(cache_dir, rows, chunks)
    d = os.path.join(cache_dir, "data-%dx%d" % (rows, chunks))
    shutil.rmtree(d, ignore_errors=True)
    paths = [chunk(cache_dir, rows, i) for i in range(chunks)]
    if chunks == 1:
        os.makedirs(d)
        os.link(paths[0], os.path.join(d, "trips.csv"))
    else:
        os.makedirs(os.path.join(d, "trips"))
        for i, p in enumerate(paths):
            os.link(p, os.path.join(d, "trips", "part-%03d.csv" % i))
    return d, paths


def _first_line(cmd):
    try:
        t = run_timed(cmd, timeout=20, check=False)
        return (t.out + t.err).strip().splitlines()[0]
    except Exception:  # a tool that is absent or broken is just "n/a"
        return "n/a"


def _cpu_model():
    with open("/proc/cpuinfo") as f:
        m = re.search(r"model name\s*:\s*(.*)", f.read())
    return m.group(1).strip() if m else platform.processor()


def _mem_total():
    with open("/proc/meminfo") as f:
        kb = int(re.search(r"MemTotal:\s*(\d+)", f.read()).group(1))
    return "%.1f GiB" % (kb / 1048576.0)


def _disk(path):
    t = run_timed(["df", "-hT", path], timeout=10, check=False).out.splitlines()
    fields = t[-1].split() if t else []
    if len(fields) < 3:
        return "n/a"
    dev = os.path.basename(fields[0])
    rot = ""
    try:
        with open("/sys/block/%s/queue/rotational" % re.sub(r"\d+$", "", dev)) as f:
            rot = ", rotational" if f.read().strip() == "1" else ", non-rotational"
    except OSError:
        pass
    return "%s %s, %s%s" % (fields[0], fields[1], fields[2], rot)


def sluice_commit():
    """The source tree's commit, and whether tracked files differ from it."""
    dirty = run_timed(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                      timeout=20, check=False).out.strip()
    return "%s%s" % (_first_line(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]),
                     " (modified tree)" if dirty else "")


def machine(work_dir, tools):
    """(label, value) pairs describing the machine and every version used."""
    rows = [
        ("sluice", sluice_commit()),
        ("CPU", "%s, %d logical cores (nproc)" % (_cpu_model(), os.cpu_count())),
        ("memory", _mem_total()),
        ("disk (work dir)", _disk(work_dir)),
        ("kernel", platform.release()),
        ("OS", _first_line(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"])),
        ("compiler", _first_line(["c++", "--version"])),
    ]
    for name, cmd in tools:
        rows.append((name, _first_line(cmd)))
    return rows
