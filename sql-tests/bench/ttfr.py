"""ttfr.py: time to the first row of a query through the extension, in a SQLite host.

Usage: /usr/bin/python3 ttfr.py EXTENSION SQL [RUNS]

Loads the extension into Debian's python3 sqlite3 module, then for each run times
execute() plus the first fetchone() (the first sqlite3_step: xFilter and the first page)
on a fresh connection, and prints the times in seconds, one per line.
"""
import sqlite3
import sys
import time


def main():
    ext, sql = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    for _ in range(runs):
        db = sqlite3.connect(":memory:")
        db.enable_load_extension(True)
        db.load_extension(ext)
        t0 = time.perf_counter()
        cur = db.execute(sql)
        row = cur.fetchone()
        t1 = time.perf_counter()
        if row is None:
            sys.exit("ttfr.py: the query returned no row")
        cur.close()
        db.close()
        print("%.6f" % (t1 - t0))


if __name__ == "__main__":
    main()
