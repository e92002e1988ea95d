"""ORDER BY date delivered by the scan is SQLite's own order, for dates that are not dates too.

A stub API serves messages whose `date` the table shows as NULL (null, missing, an array),
as numbers (INTEGER, REAL, true) or as text that is not a canonical date ('', 'zzz',
'06/30/2025', '2026-03-15', '2026-02-30T10:00:00'), among ordinary dates. Each message also
has a hidden time the stub filters startDate/endDate by, as the real API would. The program
id picks the stub's behaviour:

  1  filters by date (inclusive bounds); the odd dates sit where an exact lazy order can
     place them: NULL, numbers and low text in the oldest day, high text in the newest
  2  ignores startDate/endDate: every request gets every message (dateless ones included)
  3  filters by date; 'zzz' (which sorts above every date) sits a month back, so a newest-
     first scan meets it after it has returned newer rows: an error, never a wrong order
  4  filters by date; no message has a date (a format change): every date is NULL
  5  filters by date; every date is a number, the seconds since 1970 (another format)

Each ordered query (the plan says the scan delivers the order) is compared with the same rows
copied into a local table and sorted by SQLite: the same sequence of dates, and the same rows.
The cache is off (SMS_CACHE_TTL=0): the request counts measure the path to the API.
"""
import calendar
import json
import os
import sqlite3
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import check, connect, finish  # noqa: E402

os.environ["SMS_CACHE_TTL"] = "0"
NOW = calendar.timegm(time.strptime(os.environ["SMS_EXPORT_NOW"], "%Y-%m-%dT%H:%M:%S"))
DAY = 86400
START = NOW - 365 * DAY  # the scan's window starts here (less a few seconds)
MISSING = object()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))


def at(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%S"))


def messages(program):
    """(hidden time, shown date, n) of each message of a program (None shows as null).
    Odd dates stay out of the hour next to the retention edge: a scan reads that hour apart,
    and keeps dateless rows from its main part only (sms_scan.c)."""
    out = [(NOW - k * 9 * DAY - k * 3671, None) for k in range(40)]
    out = [(t, iso(t)) for t, _ in out]  # ordinary dates
    E = START + 2 * 3600
    if program == 1:
        out += [(E + 600, None), (E + 3000, MISSING), (E + 3600, [1]), (E + 4000, 1750000000),
                (E + 5000, 2.5), (E + 6000, True), (E + 7000, ""), (E + 8000, "06/30/2025"),
                (NOW - 3600, "zzz"), (NOW - 7200, "2026-13-01T00:00:00"), (NOW - 600, "2026-06-30T11:50:00Z"),
                (at("2026-03-15T12:00:00"), "2026-03-15"), (at("2026-03-02T10:00:00"), "2026-02-30T10:00:00")]
    elif program == 2:
        out += [(E + 600, None), (E + 700, MISSING), (NOW - 5 * DAY, 17), (NOW - 90 * DAY, ""),
                (NOW - 200 * DAY, "zzz"), (NOW - 300 * DAY, None)]
    elif program == 3:
        out += [(NOW - 30 * DAY, "zzz")]
    elif program == 4:
        out = [(t, MISSING) for t, _ in out]
    elif program == 5:
        out = [(t, t) for t, _ in out]
    return [(t, d, i + 1) for i, (t, d) in enumerate(out)]


def body_of(program, t, shown, n):
    m = {"type": "MO", "number": 15550000000 + n, "body": f"m{n}"}
    if shown is not MISSING:
        m["date"] = shown
    return m


requests = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urlparse(self.path)
        program = int(url.path.split("/")[-1])
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        requests.append((program, q.get("startDate"), q.get("endDate")))
        lo = at(q["startDate"]) if "startDate" in q else -10**12
        hi = at(q["endDate"]) if "endDate" in q else 10**12
        rows = [body_of(program, t, d, n) for t, d, n in messages(program)
                if program == 2 or lo <= t <= hi]
        body = json.dumps({"meta": {"nextPageUrl": None}, "data": rows}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.request_queue_size = 16
threading.Thread(target=srv.serve_forever, daemon=True).start()
os.environ["SMS_API_BASE_URL"] = f"http://127.0.0.1:{srv.server_port}/api"
db = connect()
for p in (1, 2, 3, 4, 5):
    # the same rows, as a plain (unordered) scan reads them, in a local table whose columns
    # have no type: the values stay what the table shows (a TEXT column would make 17 '17')
    db.execute(f"CREATE TABLE local{p}(date, body, number)")
    db.execute(f"INSERT INTO local{p} SELECT date, body, number FROM sms_messages({p})")


def rows(sql):
    try:
        return db.execute(sql).fetchall()
    except sqlite3.Error as e:
        return ("error", str(e))


for p, n in ((1, 53), (2, 46), (4, 40), (5, 40)):
    check(f"program {p}: the local copy holds every message once", (n, n),
          rows(f"SELECT count(*), count(DISTINCT body) FROM local{p}")[0])
    for desc in ("DESC", ""):
        plan = rows(f"EXPLAIN QUERY PLAN SELECT date FROM sms_messages({p}) ORDER BY date {desc}")
        # Ascending, a message without a date sorts first and any sub-window may hold one:
        # without a date constraint (which drops NULL dates) SQLite sorts.
        check(f"program {p}, ORDER BY date {desc}: " +
              ("the scan delivers the order" if desc else "SQLite sorts"),
              True, ("ORDER BY date" in plan[0][3] and len(plan) == 1) if desc else
              ("ORDER BY date" not in plan[0][3] and "TEMP B-TREE" in plan[-1][3]))
        where = "WHERE date >= '2025-07-01'"
        plan = rows(f"EXPLAIN QUERY PLAN SELECT date FROM sms_messages({p}) {where} ORDER BY date {desc}")
        check(f"program {p}, {where} ORDER BY date {desc}: the scan delivers the order",
              True, "ORDER BY date" in plan[0][3] and len(plan) == 1)
        got = rows(f"SELECT typeof(date), date, body, number FROM sms_messages({p}) {where} ORDER BY date {desc}")
        want = rows(f"SELECT typeof(date), date, body, number FROM local{p} {where} ORDER BY date {desc}")
        check(f"program {p}, {where} ORDER BY date {desc}: the dates in SQLite's order, the same rows",
              ([r[:2] for r in want], sorted(want, key=repr)),
              ([r[:2] for r in got], sorted(got, key=repr)) if isinstance(got, list) else got)
        got = rows(f"SELECT typeof(date), date, body, number FROM sms_messages({p}) ORDER BY date {desc}")
        want = rows(f"SELECT typeof(date), date, body, number FROM local{p} ORDER BY date {desc}")
        check(f"program {p}, ORDER BY date {desc}: the dates in SQLite's order",
              [r[:2] for r in want], [r[:2] for r in got] if isinstance(got, list) else got)
        check(f"program {p}, ORDER BY date {desc}: the same rows",
              sorted(want, key=repr), sorted(got, key=repr) if isinstance(got, list) else got)
        got = rows(f"SELECT typeof(date), date FROM sms_messages({p}) ORDER BY date {desc} LIMIT 4")
        want = rows(f"SELECT typeof(date), date FROM local{p} ORDER BY date {desc} LIMIT 4")
        check(f"program {p}, ORDER BY date {desc} LIMIT 4: the same first rows", want, got)

del requests[:]
check("program 1: the latest four, 'zzz' and '2026-13-01 00:00:00' first, cost one request",
      ([("text", "zzz"), ("text", "2026-13-01 00:00:00"), ("text", "2026-06-30 12:00:00"),
        ("text", "2026-06-30 11:50:00")], 1),
      (rows("SELECT typeof(date), date FROM sms_messages(1) ORDER BY date DESC LIMIT 4"), len(requests)))

check("program 3: a date that sorts above rows already returned stops the scan with an error",
      ("error", "sms_messages: cannot return rows in date order: the API sent a message whose date ('zzz') "
                "sorts before rows already returned, with a later request than its place; write ORDER BY +date "
                "to have SQLite sort the rows instead"),
      rows("SELECT date FROM sms_messages(3) ORDER BY date DESC"))
check("program 3: ... ORDER BY +date is sorted by SQLite, as the error says",
      rows("SELECT date FROM local3 ORDER BY date DESC"),
      rows("SELECT date FROM sms_messages(3) ORDER BY +date DESC"))
check("program 3: ... ascending, 'zzz' comes last, in place",
      rows("SELECT date FROM local3 ORDER BY date"), rows("SELECT date FROM sms_messages(3) ORDER BY date"))
srv.shutdown()
finish()
