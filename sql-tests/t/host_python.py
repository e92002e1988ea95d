"""Python's sqlite3 module as a second SQLite host, against the runner's emulator.

1. The same queries as the shell: load, count, pushed-down filters, errors as exceptions.
2. Exactness: hundreds of random date/type predicates give exactly the rows that the same
   predicate gives on a local table holding the same messages.

Run by sql-tests/run.sh (it sets the SMS_* variables and EXT); prints ok / not ok lines.
"""
import os
import random
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import check, connect, log_lines, clear_log, finish  # noqa: E402

db = connect()
check("version", 1, db.execute("SELECT sms_export_version() GLOB '[0-9]*'").fetchone()[0])
check("count of a program", (1000,), db.execute("SELECT count(*) FROM sms_messages(4711)").fetchone())

clear_log()
rows = db.execute(
    "SELECT date, type FROM sms_messages WHERE program_id = ? AND type = ? AND date >= ?",
    (4712, "MO", "2026-06-29"),
).fetchall()
check("bound parameters are pushed down", [
    "GET /api/messages/program/4712?messageType=MO&startDate=2026-06-28T23:59:59&pageSize=500 auth=ok"
], log_lines())
check("bound parameters: rows are MO on or after the date",
      True, all(t == "MO" and d >= "2026-06-29" for d, t in rows) and len(rows) > 0)

try:
    db.execute("SELECT * FROM sms_messages").fetchall()
    check("no program raises", "OperationalError", "no error")
except sqlite3.OperationalError as e:
    check("no program raises OperationalError with the message", True,
          str(e).startswith("sms_messages: no program_id: say which program to read"))

try:
    db.execute("CREATE VIRTUAL TABLE w USING sms_messages(program_id=4711, username=demo, password='pw-xyz-9')")
    db.execute("SELECT * FROM w").fetchall()
    check("wrong password raises", "OperationalError", "no error")
except sqlite3.OperationalError as e:
    check("wrong password: names the user, not the password", (True, False),
          ("user 'demo'" in str(e), "pw-xyz-9" in str(e)))

# --- exactness against a local copy --------------------------------------------------
db.execute("CREATE TABLE local AS SELECT *, program_id, raw FROM sms_messages(4711)")
check("local copy", 1000, db.execute("SELECT count(*) FROM local").fetchone()[0])
dates = [r[0] for r in db.execute("SELECT date FROM local ORDER BY random()")]

rng = random.Random(20261126)


def random_value():
    """A date-ish constraint value: canonical, prefix, T form, fraction, unreal, junk, number."""
    d = rng.choice(dates)
    kind = rng.randrange(12)
    if kind == 0:
        return d[: rng.randrange(0, 19)]                 # a prefix
    if kind == 1:
        return d.replace(" ", "T")                       # the API's form
    if kind == 2:
        return d + rng.choice([".5", ".000", "Z", " ", "x"])
    if kind == 3:
        return d[:5] + rng.choice(["02-30", "13-01", "00-10", "06-31"]) + d[10:]
    if kind == 4:
        return d[:11] + rng.choice(["24", "99", "00"]) + d[13:]
    if kind == 5:
        return rng.choice(["", "junk", "2026", "2025-", "9", "2026-06-30 12", "é"])
    if kind == 6:
        return rng.choice([2026, 2025.5, None, b"2026-01-01"])
    if kind == 7:
        return d[:10]
    if kind == 8:
        return d[:16]
    return d


def random_predicate():
    terms, params = [], []
    for _ in range(rng.randrange(1, 4)):
        op = rng.choice(["=", "<", "<=", ">", ">=", "BETWEEN"])
        if op == "BETWEEN":
            terms.append("date BETWEEN ? AND ?")
            params += [random_value(), random_value()]
        else:
            terms.append(f"date {op} ?")
            params.append(random_value())
    if rng.randrange(3) == 0:
        # 'mo' as a parameter: a literal 'mo' is an error (a typo), a value matches no row
        term = rng.choice(["type = 'MO'", "type = 'MT'", "type IN ('MO','MT')", "type = ?"])
        terms.append(term)
        if term == "type = ?":
            params.append("mo")
    return " AND ".join(terms), params


mismatches = 0
non_empty = 0
for i in range(400):
    where, params = random_predicate()
    remote = sorted(db.execute(f"SELECT raw FROM sms_messages WHERE program_id = 4711 AND {where}", params).fetchall())
    local = sorted(db.execute(f"SELECT raw FROM local WHERE {where}", params).fetchall())
    non_empty += bool(local)
    if remote != local:
        mismatches += 1
        if mismatches <= 5:
            print(f"# mismatch: WHERE {where} {params!r}: remote {len(remote)} rows, local {len(local)}")
check("400 random date predicates give the local table's rows exactly", 0, mismatches)
check("the random predicates are not trivially empty", True, non_empty > 150)

# The same with the window cache on (the runner turns it off): the cache answers most of the
# predicates from windows an earlier one fetched, and must answer exactly as the API does.
os.environ["SMS_CACHE_TTL"] = "600"
cached = connect()
cached.execute("DELETE FROM sms_cache")
clear_log()
rng = random.Random(20261129)
mismatches = 0
for i in range(400):
    where, params = random_predicate()
    remote = sorted(cached.execute(f"SELECT raw FROM sms_messages WHERE program_id = 4711 AND {where}", params).fetchall())
    local = sorted(db.execute(f"SELECT raw FROM local WHERE {where}", params).fetchall())
    if remote != local:
        mismatches += 1
        if mismatches <= 5:
            print(f"# mismatch (cache): WHERE {where} {params!r}: remote {len(remote)} rows, local {len(local)}")
check("with the cache on: 400 random date predicates give the local table's rows exactly", 0, mismatches)
nreq = len(log_lines())
check(f"with the cache on: most predicates sent no request ({nreq} requests)", True, nreq < 100)
cached.execute("DELETE FROM sms_cache")
cached.close()
os.environ["SMS_CACHE_TTL"] = "0"

finish()
