"""Sending ahead: a worker sends a chain's next request as soon as a page came (its
nextPageUrl read from the page's head, sms_page_peek_next) and decodes the page meanwhile,
so the server builds the next page while this one is decoded. What it must not change: the
requests (each URL once, in the same order), the rows, one request before the first row,
and a LIMIT's page after page.

It measures the path to the API: the cache is off and the scan is one chain (parallel=1),
as the runner sets.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import Emulator, check, connect, finish  # noqa: E402

os.environ["SMS_CACHE_TTL"] = "0"
os.environ["SMS_PARALLEL"] = "1"
emu = Emulator("--programs", 1, "--messages", 500, "--latency-ms", 30, "--seed", 7)
os.environ["SMS_API_BASE_URL"] = emu.url

TABLE = "CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, page_size=100)"


def pages(log):
    """The page number of each request (1 for the chain's first), "edge" for the edge hour
    (a request of its own, with its own startDate)."""
    out = []
    start = log[0].split("startDate=")[1].split("&")[0] if log else None
    for line in log:
        if "&page=" in line:
            out.append(int(line.split("&page=")[1].split("&")[0].split(" ")[0]))
        elif line.split("startDate=")[1].split("&")[0] == start:
            out.append(1)
        else:
            out.append("edge")
    return out


def settled(n_at_least, seconds=3.0):
    """The log once it has n_at_least lines (or seconds passed), and 0.3 s more."""
    end = time.time() + seconds
    while len(emu.log_lines()) < n_at_least and time.time() < end:
        time.sleep(0.02)
    time.sleep(0.3)
    return emu.log_lines()


local = connect()
local.execute(TABLE)
emu.clear_log()
want = local.execute("SELECT raw FROM t ORDER BY 1").fetchall()
full_log = emu.log_lines()
check("the whole scan: 5 pages of 100 and the edge hour, each once, in order",
      [1, 2, 3, 4, 5, "edge"], pages(full_log))
check("... and 500 rows", 500, len(want))

# Hold the scan on page 2: the worker fetched page 3 (one page ahead) and, as page 3 came,
# sent page 4's request. Before sending ahead, the log stopped at page 3.
db = connect()
db.execute(TABLE)
emu.clear_log()
cur = db.execute("SELECT raw FROM t")
rows = [cur.fetchone() for _ in range(101)]
check("held on page 2: page 4 was requested as page 3 came, page 5 not (it waits for page 4)",
      [1, 2, 3, 4], pages(settled(4)))
rows += cur.fetchall()
log = emu.log_lines()
check("read on: page 4's request was collected, not sent again", [1, 2, 3, 4, 5, "edge"],
      pages(log))
check("... the same requests as the whole scan", full_log, log)
check("... and the same rows", want, sorted(rows))

# A scan that stops with a request out drops it; the connection's next scan is exact.
emu.clear_log()
cur = db.execute("SELECT raw FROM t")
for _ in range(101):
    cur.fetchone()
settled(4)
cur.close()
emu.clear_log()
check("after a scan stopped with a request out: the next scan's rows", want,
      db.execute("SELECT raw FROM t ORDER BY 1").fetchall())
check("... and its requests", full_log, emu.log_lines())

log = db.execute("SELECT url, status, error FROM sms_requests WHERE error IS NOT NULL").fetchall()
check("... sms_requests shows the one request sent ahead and not read (page 4), answered",
      [(True, 200, "sent ahead and not read: the scan did not get to it")],
      [(u.endswith("&page=4"), st, e) for u, st, e in log])

# A slow reader: the request sent ahead is read as it comes, not when its page is wanted,
# so that libcurl's timeout (counted from the send) never runs out while SQLite works.
slow = connect()
slow.execute("CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, page_size=100, "
             "timeout=1, retries=0)")
emu.clear_log()
cur = slow.execute("SELECT raw FROM t")
got, err = [], None
try:
    for i in range(3):
        got += cur.fetchmany(100)
        time.sleep(1.5)  # longer than timeout=1, with the next page's request out
    got += cur.fetchall()
except Exception as e:  # noqa: BLE001 - the error is what the check shows
    err = str(e)
check("a reader slower than timeout: no timeout, every row", (None, want),
      (err, sorted(got)))
check("... each request once", full_log, emu.log_lines())
slow.close()

# What the consumer fetches itself is never sent ahead from: the first page (one request
# before the first row) and every page under a LIMIT (SQLite may stop after any of them).
emu.clear_log()
cur = db.execute("SELECT raw FROM t")
cur.fetchone()
check("the first row: one request, nothing sent ahead", [1], pages(settled(2, 0.5)))
cur.close()
emu.clear_log()
got = db.execute("SELECT raw FROM t LIMIT 250").fetchall()
check("LIMIT 250: pages 1 to 3, page after page, nothing sent ahead", [1, 2, 3],
      pages(settled(4, 0.5)))
check("... with 250 rows", 250, len(got))
db.close()

finish()
