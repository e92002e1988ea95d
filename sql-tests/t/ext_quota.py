"""The adaptive default spends the quota well (issue 21): it predicts a scan's pages from the
dates its first page covered and widens only as far as pays. Exact request counts under the
defaults (no parallel option), against the emulator at the runner's fixed --now, each beside
what parallel=1 (one chain) sends for the same statement, and the same rows:

  - a scan of 1 page and of 2 pages: no request more than one chain (before issue 21, the
    2-page scan sent 6: the first page, 4 sub-windows and the edge hour);
  - a 5-page program joined with 200 local contacts: 6 requests (the issue allows 7; before
    it, 10): the chain goes on whole while the edge hour is read beside it;
  - a 20-page year: 23 requests (the issue allows 26; before it, 23 too): the first page,
    its stretch read again, 4 sub-windows sized by the predicted pages, and the edge hour;
  - under a rate_limit that one chain fills, no request more than one chain.

The window cache is off (SMS_CACHE_TTL=0): this measures the path to the API. Speed is not
measured here (make bench does: docs/performance.md).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import Emulator, check, connect, finish  # noqa: E402

os.environ.pop("SMS_PARALLEL", None)
os.environ["SMS_CACHE_TTL"] = "0"


def run(emu, options, sql, setup=()):
    """Rows of sql over table t (program 4711 with options) and the API requests it sent."""
    db = connect()
    db.execute(f"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711{options})")
    for s in setup:
        db.execute(s)
    emu.clear_log()
    rows = sorted(db.execute(sql).fetchall())
    db.close()
    return rows, [line for line in emu.log_lines() if " /api/" in line]


def compare(emu, what, sql, want_default, want_one, setup=(), extra=""):
    """The default and parallel=1 on the same statement: rows equal, exact request counts."""
    one, one_log = run(emu, ", parallel=1" + extra, sql, setup)
    auto, auto_log = run(emu, extra, sql, setup)
    check(f"{what}: the rows of parallel=1", one, auto)
    check(f"{what}: parallel=1 sends {want_one} requests", want_one, len(one_log))
    check(f"{what}: the default sends {want_default}", want_default, len(auto_log),
          "\n".join(auto_log))
    return auto_log


ALL = "SELECT raw, message_key FROM t"

for n, pages in ((400, 1), (900, 2)):
    emu = Emulator("--programs", 1, "--messages", n, "--seed", 7)
    os.environ["SMS_API_BASE_URL"] = emu.url
    # the page and the edge hour (docs/reference.md, dates), or the two pages and the edge hour
    compare(emu, f"a scan of {pages} page(s)", ALL, pages + 1, pages + 1)
    emu.stop()

# A 5-page program (2,500 messages: five full pages) joined with 200 local contacts, the
# numbers of its own messages.
emu = Emulator("--programs", 1, "--messages", 2500, "--seed", 7)
os.environ["SMS_API_BASE_URL"] = emu.url
db = connect()
numbers = [r[0] for r in db.execute(
    "SELECT DISTINCT number FROM sms_messages(4711) ORDER BY number LIMIT 200")]
db.close()
check("200 local contacts", 200, len(numbers))
contacts = ("CREATE TEMP TABLE contacts(number INTEGER PRIMARY KEY, name TEXT)",
            "INSERT INTO contacts SELECT value, 'contact ' || value FROM json_each('[%s]')"
            % ",".join(str(x) for x in numbers))
JOIN = ("SELECT c.name, m.date, m.body, m.message_key FROM contacts c "
        "JOIN t m ON m.number = c.number")
log = compare(emu, "a 5-page program joined with 200 contacts", JOIN, 6, 6, contacts)
check("... the chain goes on: pages 2 to 5 are the API's nextPageUrl",
      4, sum("&page=" in line for line in log))
emu.stop()

# A year of 20 pages (10,000 messages).
emu = Emulator("--programs", 1, "--messages", 10000, "--seed", 7)
os.environ["SMS_API_BASE_URL"] = emu.url
log = compare(emu, "a 20-page year", ALL, 23, 21)
starts = {line.split("startDate=")[1].split("&")[0] for line in log}
check("... read as the first page's chain, 4 sub-windows after it and the edge hour",
      6, len(starts), " ".join(sorted(starts)))
# A window that ends in the future ("until next March"): no message is dated past now, so
# the prediction counts the pages up to now and sizes the sub-windows there; counted up to
# the window's end, it took 330 days to come and sent sub-windows that started in the future.
FUTURE = ALL + " WHERE date >= '2026-05-01' AND date < '2027-03-01'"
log = compare(emu, "two months to a window's end in the future, 100 a page", FUTURE, 18, 17,
              extra=", page_size=100")
late = sorted(s for s in (line.split("startDate=")[1].split("&")[0] for line in log)
              if s > "2026-06-30T12:00:00")
check("... no request starts after now", [], late)
starts = {line.split("startDate=")[1].split("&")[0] for line in log}
check("... the two months read as the first page's chain and 3 sub-windows up to now",
      4, len(starts), " ".join(sorted(starts)))
# Under a rate limit that one chain fills (pages answered in a few ms, 20 a second allowed),
# more lanes would only add requests that wait their turn.
compare(emu, "a 20-page year, rate_limit=20", ALL, 21, 21, extra=", rate_limit=20")
emu.stop()

finish()
