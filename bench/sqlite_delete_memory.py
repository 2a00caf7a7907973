#!/usr/bin/env python3
"""What one SQLite `DELETE` of many rows costs the process's memory, with foreign keys enforced
and without: `DELETE FROM b WHERE a_id IN (1)` of N rows that reference `a`, each in a fresh
process, reporting the growth of its peak RSS over the delete.

With `PRAGMA foreign_keys = ON` SQLite cannot delete in one pass: it first collects the rowid of
every row to delete (in a RowSet, ~24 bytes a row), so its memory grows with the rows one
statement deletes, whoever issues it (its own `ON DELETE CASCADE` included). This is Python's
SQLite, not the one bundled with the benchmark; the way SQLite deletes is the same.

Usage: python3 bench/sqlite_delete_memory.py [--n 10000,100000,1000000]
"""

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile


def measure(path, n, foreign_keys):
    """Builds the rows and deletes them in this process; returns the peak RSS growth in MB."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(
        """
        CREATE TABLE a (id INTEGER PRIMARY KEY);
        CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL REFERENCES a (id));
        CREATE INDEX b_a_id ON b (a_id);
        INSERT INTO a (id) VALUES (1), (2);
        """
    )
    conn.execute(
        "WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < ?) "
        "INSERT INTO b (id, a_id) SELECT x, 1 FROM seq",
        (n,),
    )
    conn.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    conn.execute("BEGIN")
    deleted = conn.execute("DELETE FROM b WHERE a_id IN (1)").rowcount
    conn.execute("COMMIT")
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert deleted == n, (deleted, n)
    return (after - before) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", default="10000,100000,1000000")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        n, foreign_keys = int(args.child[0]), args.child[1] == "on"
        with tempfile.TemporaryDirectory() as folder:
            print(measure(os.path.join(folder, "delete.db"), n, foreign_keys))
        return
    print(f"SQLite {sqlite3.sqlite_version}: peak RSS growth of one DELETE of N rows")
    print()
    print("| N | foreign_keys = ON (MB) | foreign_keys = OFF (MB) |")
    print("|---:|---:|---:|")
    for n in (int(size) for size in args.n.split(",")):
        growth = []
        for setting in ("on", "off"):
            child = subprocess.run(
                [sys.executable, __file__, "--child", str(n), setting],
                check=True,
                capture_output=True,
                text=True,
            )
            growth.append(float(child.stdout))
        print(f"| {n:,} | {growth[0]:.1f} | {growth[1]:.1f} |")


if __name__ == "__main__":
    main()
