"""The adaptive default: with no parallel option (and no SMS_PARALLEL), a scan that proves
long continues in date sub-windows read at once, with exactly the rows of parallel=1.

It measures the path to the API, so the window cache stays off (SMS_CACHE_TTL=0); an
SMS_PARALLEL from the caller's environment is removed, since it would switch the default
off. The emulator
sends some messages twice (--doubles), so "exactly the rows" includes double sends.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import Emulator, check, connect, finish  # noqa: E402

os.environ.pop("SMS_PARALLEL", None)
os.environ["SMS_CACHE_TTL"] = "0"
emu = Emulator("--programs", 1, "--messages", 6000, "--doubles", "--seed", 5)
os.environ["SMS_API_BASE_URL"] = emu.url

ROWS = "SELECT raw, message_key FROM t ORDER BY 1, 2"


def scan(options, sql=ROWS):
    """Rows of a table made with options, and the requests the scan sent."""
    db = connect()
    db.execute(f"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711{options})")
    emu.clear_log()
    rows = db.execute(sql).fetchall()
    db.close()
    return rows, emu.log_lines()


one, one_log = scan(", parallel=1")
auto, auto_log = scan("")
check("default: the rows of parallel=1, double sends included", one, auto)
doubles = len(one) - len({r[0] for r in one})
check("... of which some are sent twice", True, doubles > 0, f"{doubles} doubles")
check("parallel=1: one chain (12 pages and the edge hour)", 13, len(one_log))
subs = {line.split("startDate=")[1].split("&")[0] for line in auto_log}
check("default: the first page, then sub-windows read at once (more start dates)",
      True, len(subs) >= 4, f"{len(subs)} start dates")
check("... at most one request more per sub-window (4) than parallel=1", True,
      len(one_log) < len(auto_log) <= len(one_log) + 4, f"{len(auto_log)} requests")

# The first row costs one request: the default widens only when SQLite asks for more.
db = connect()
db.execute("CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711)")
emu.clear_log()
cur = db.execute("SELECT raw FROM t")
cur.fetchone()
check("default: one request before the first row", 1, len(emu.log_lines()))
cur.fetchall()
db.close()

# Short scans stay one request; a LIMIT never widens.
_, log = scan("", "SELECT count(*) FROM t WHERE date >= '2026-06-29'")
check("default: a window of one page is one request", 1, len(log))
rows, log = scan("", "SELECT raw FROM t LIMIT 600")
check("default: under a LIMIT, one chain, page after page", 2, len(log))
check("... with its rows", 600, len(rows))

# An ordered scan is never widened (its sub-windows are its own plan): with the default and
# chains of many pages it gives the rows of parallel=1, in order (it once freed its
# ordering state when a later sub-window needed a second page).
ORDERED = "SELECT date, raw FROM t WHERE date >= '2026-05-01' ORDER BY date DESC"
one, one_log = scan(", page_size=20, parallel=1", ORDERED)
auto, auto_log = scan(", page_size=20", ORDERED)
check("default, ORDER BY date DESC over many pages: the rows of parallel=1, in order", one, auto)
check("... from the same requests", sorted(one_log), sorted(auto_log))
check("... and not trivially few", True, len(one) > 200, f"{len(one)} rows")

emu.stop()
finish()
