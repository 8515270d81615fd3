#!/usr/bin/env python3
"""The physical reference for write rates: single-row inserts, one transaction each, on the
same disk with the server's settings (SQLite: WAL, synchronous=FULL; PostgreSQL: pgbench with
16 clients). Usage: bench/raw_inserts.py DIR_OR_POSTGRES_URL [SECONDS]"""
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

target = sys.argv[1]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 4.0

if target.startswith("postgres"):
    pgbench = "/usr/lib/postgresql/15/bin/pgbench"
    url = target.split("?")[0]
    setup = "CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, body text NOT NULL)"
    subprocess.run(["psql", url, "-qc", setup], check=True, capture_output=True)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("INSERT INTO bench_raw (body) VALUES ('压测');\n")
    out = subprocess.run(
        [pgbench, "-n", "-c", "16", "-j", "2", "-T", str(int(seconds)), "-f", script.name, url],
        check=True, capture_output=True, text=True).stdout
    subprocess.run(["psql", url, "-qc", "DROP TABLE bench_raw"], check=True, capture_output=True)
    tps = next(l for l in out.splitlines() if l.startswith("tps"))
    print(f"{float(tps.split()[2]):.0f}")
else:
    path = os.path.join(target, "raw.db")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    n, start = 0, time.monotonic()
    while time.monotonic() - start < seconds:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO raw (body) VALUES ('压测')")
        conn.execute("COMMIT")
        n += 1
    print(f"{n / (time.monotonic() - start):.0f}")
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
