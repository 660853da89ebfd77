"""The same table and queries in PostgreSQL and SQLite.

The four read queries match the sluice requests of bench/wrk/requests.lua:
point (by key), range (50 keys), zone (50 rows of one zone by key, through
an index on (pickup_zone_id, trip_id)) and scan (count of one payment type,
which no index serves).
"""
import os
import random
import shutil
import sqlite3
import time

from .procs import BenchError, run_timed

PG_TABLE = """CREATE TABLE trips (
  trip_id bigint PRIMARY KEY, vendor_id int, pickup_at timestamptz, dropoff_at timestamptz,
  passenger_count int, trip_distance double precision, pickup_zone_id int, dropoff_zone_id int,
  pickup_zone text, payment_type text, fare_amount double precision, tip_amount double precision,
  total_amount double precision, store_and_fwd boolean, note text)"""

SQLITE_TABLE = """CREATE TABLE trips (
  trip_id INTEGER PRIMARY KEY, vendor_id INTEGER, pickup_at TEXT, dropoff_at TEXT,
  passenger_count INTEGER, trip_distance REAL, pickup_zone_id INTEGER, dropoff_zone_id INTEGER,
  pickup_zone TEXT, payment_type TEXT, fare_amount REAL, tip_amount REAL, total_amount REAL,
  store_and_fwd TEXT, note TEXT);"""

ZONE_INDEX = "CREATE INDEX trips_zone ON trips (pickup_zone_id, trip_id)"
# PostgreSQL's best index for the zone query: the same key carrying every
# other column, so that (after VACUUM sets the visibility map) the query is
# an index-only scan, as sluice's index.covering answers from the index.
ZONE_COVERING_INDEX = ("CREATE INDEX trips_zone_covering ON trips (pickup_zone_id, trip_id) INCLUDE "
                       "(vendor_id, pickup_at, dropoff_at, passenger_count, trip_distance, "
                       "dropoff_zone_id, pickup_zone, payment_type, fare_amount, tip_amount, "
                       "total_amount, store_and_fwd, note)")

# name -> (SQL with :param placeholders, rows per answer or None for a count)
QUERIES = {
    "point": ("SELECT * FROM trips WHERE trip_id = :k", 1),
    "range": ("SELECT * FROM trips WHERE trip_id >= :k AND trip_id < :k + 50 ORDER BY trip_id", 50),
    "zone": ("SELECT * FROM trips WHERE pickup_zone_id = :z ORDER BY trip_id LIMIT 50", 50),
    "scan": ("SELECT count(*) FROM trips WHERE payment_type = 'dispute'", None),
}


def params(name, n, rng):
    """Random parameters for query `name` over keys 1..n."""
    if name == "zone":
        return {"z": rng.randint(1, 265)}
    if name == "range":
        return {"k": rng.randint(1, max(1, n - 50))}
    return {"k": rng.randint(1, n)}


def pgbench_script(name, n):
    """The pgbench version of query `name` (\\set draws the parameters)."""
    sql, _ = QUERIES[name]
    head = {"zone": "\\set z random(1, 265)\n",
            "range": "\\set k random(1, %d)\n" % max(1, n - 50),
            "point": "\\set k random(1, %d)\n" % n}.get(name, "")
    return head + sql + ";\n"


def pg_count(pg):
    t, _ = pg.psql("SELECT count(*) FROM trips", timeout=120)
    return int(t.out.strip())


def sqlite_import(db, csv_path, timeout):
    """`.import --csv` into a fresh table with a primary key; returns Timed."""
    if os.path.exists(db):
        os.remove(db)
    script = db + ".import.sql"
    with open(script, "w") as f:
        f.write(SQLITE_TABLE + "\n.import --csv --skip 1 %s trips\n" % csv_path)
    return run_timed([shutil.which("sqlite3"), "-bail", db], timeout=timeout, stdin_path=script)


def sqlite_exec(db, sql, timeout):
    return run_timed([shutil.which("sqlite3"), "-bail", db, sql], timeout=timeout)


def sqlite_latencies(db, name, n, secs, seed=7):
    """Runs query `name` back to back in this process for secs seconds;
    returns per-query latencies in µs. In-process: no network, no
    serialization, so it is a floor rather than a like-for-like service."""
    sql, rows = QUERIES[name]
    conn = sqlite3.connect(db)
    rng = random.Random(seed)
    lat = []
    end = time.monotonic() + secs
    while time.monotonic() < end:
        p = params(name, n, rng)
        t0 = time.perf_counter()
        got = conn.execute(sql, p).fetchall()
        lat.append((time.perf_counter() - t0) * 1e6)
        if rows == 1 and len(got) != 1:
            raise BenchError("sqlite %s %s returned %d rows" % (name, p, len(got)))
    conn.close()
    return lat


def _example(name, n):
    """Query `name` with fixed example parameters substituted (for EXPLAIN)."""
    sql, _ = QUERIES[name]
    return sql.replace(":z", "7").replace(":k", str(max(1, n // 2)))


def pg_plan(pg, name, n):
    """PostgreSQL's plan for query `name` as it stands now (EXPLAIN, no costs)."""
    t, _ = pg.psql("EXPLAIN (COSTS OFF) " + _example(name, n), timeout=60)
    return t.out


def sqlite_plan(db, name, n):
    """SQLite's plan for query `name` (EXPLAIN QUERY PLAN)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("EXPLAIN QUERY PLAN " + _example(name, n)).fetchall()
    finally:
        conn.close()
    return "\n".join(r[-1] for r in rows)
