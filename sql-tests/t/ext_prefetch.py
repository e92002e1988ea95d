"""Fetching ahead, parallel sub-windows and the page cache, seen from the emulator's log.

- A long scan fetches at most one page ahead of the rows SQLite has taken, and has the
  request of the page after it sent (ext_ahead.py: sent as soon as the page came, while it is
  decoded); under a LIMIT (SQLite may stop early) nothing ahead.
- parallel=N splits the window into sub-windows fetched at once; the rows are exactly those
  of a sequential scan; under a LIMIT the scan stays sequential.
Run by sql-tests/run.sh (which exports the emulator's URL and log); prints ok / not ok.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import check, connect, log_lines, clear_log, finish  # noqa: E402


def log():
    """The paths and queries the emulator received, without the method and auth."""
    return [line.split(" ")[1].split("/api")[1] for line in log_lines()]


db = connect()
# Every table here reads the API (cache_ttl=0): the checks count the requests of each scan,
# and the window cache would answer a scan from the one before. small is one chain
# (parallel=1): its checks are about a chain's page ahead, which the adaptive default would
# widen into lanes after the first page (ext_adaptive.py checks the default).
db.execute("CREATE VIRTUAL TABLE small USING sms_messages(program_id=4711, page_size=10, "
           "parallel=1, cache_ttl=0)")
for n in (1, 4, 7):
    db.execute(f"CREATE VIRTUAL TABLE par{n} USING sms_messages(program_id=4711, parallel={n}, "
               "cache_ttl=0)")

base = "/messages/program/4711?startDate=2025-06-30T13:00:04&pageSize=10"

clear_log()
cur = db.execute("SELECT * FROM small")
rows = cur.fetchmany(15)
time.sleep(0.5)  # let a worker fetch whatever it would fetch
check("15 rows of a long scan: pages 1 and 2 needed, page 3 fetched ahead, page 4 sent "
      "ahead, no more", [base, base + "&page=2", base + "&page=3", base + "&page=4"], log())
rows += cur.fetchmany(10)
time.sleep(0.5)
check("25 rows: page 3 taken, page 4 ahead, page 5 sent ahead",
      [base, base + "&page=2", base + "&page=3", base + "&page=4", base + "&page=5"], log())
cur.close()

clear_log()
cur = db.execute("SELECT * FROM small LIMIT 100")
cur.fetchmany(15)
time.sleep(0.5)
check("under a LIMIT nothing is fetched ahead", [base, base + "&page=2"], log())
cur.close()

clear_log()
cur = db.execute("SELECT * FROM small WHERE body LIKE '%a%' LIMIT 3")
cur.fetchall()
time.sleep(0.3)
check("LIMIT that is no page-size hint (LIKE): still nothing ahead", [base], log())

summary = "SELECT count(*), count(DISTINCT rowid), sum(number), sum(length(raw)), max(date) FROM {}"
want = db.execute(summary.format("par1")).fetchone()
for n in (4, 7):
    clear_log()
    got = db.execute(summary.format(f"par{n}")).fetchone()
    check(f"parallel={n}: exactly the rows of a sequential scan", want, got)
    check(f"parallel={n}: {n} sub-window requests and the edge hour", n + 1, len(log()))
check("the sequential scan saw all 1000 messages", 1000, want[0])

clear_log()
db.execute(summary.format("par4")).fetchone()
check("parallel=4: four equal sub-windows of the window from an hour inside the year, "
      "overlapping by a second, and the hour next to the retention edge, all at once", sorted([
    "/messages/program/4711?startDate=2025-06-30T12:00:05&endDate=2025-06-30T13:00:06&pageSize=500",
    "/messages/program/4711?startDate=2025-06-30T13:00:04&endDate=2025-09-29T18:45:05&pageSize=500",
    "/messages/program/4711?startDate=2025-09-29T18:45:03&endDate=2025-12-30T00:30:04&pageSize=500",
    "/messages/program/4711?startDate=2025-12-30T00:30:02&endDate=2026-03-31T06:15:03&pageSize=500",
    "/messages/program/4711?startDate=2026-03-31T06:15:01&pageSize=500",
]), sorted(log()))

clear_log()
got = db.execute("SELECT count(*) FROM (SELECT * FROM par4 LIMIT 5)").fetchone()
check("parallel under a LIMIT: one sequential request of pageSize 5",
      ((5,), ["/messages/program/4711?startDate=2025-06-30T13:00:04&pageSize=5"]), (got, log()))

clear_log()
got = db.execute("SELECT count(*) FROM par4 WHERE date >= '2026-06-29 12:00:00'").fetchone()
check("parallel with a window under a day: no split", 1, len(log()))

finish()
