"""apsw (Debian's python3-apsw) as a SQLite host, for Pythons whose sqlite3 module cannot
load extensions (pyenv's default build): load the extension, query the runner's emulator,
bound parameters pushed down, errors as exceptions with the extension's words, the rows
equal to those Python's sqlite3 gets.

Run by sql-tests/run.sh (it sets the SMS_* variables and EXT); prints ok / not ok lines.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import EXT, check, clear_log, connect, finish, log_lines  # noqa: E402

try:
    import apsw
except ImportError:
    check("apsw is installed (make deps installs python3-apsw)", True, False)
    finish()

db = apsw.Connection(":memory:")
db.enableloadextension(True)  # Debian 12's apsw 3.40: the older names
db.loadextension(EXT)
check("apsw loads the extension", True,
      db.execute("SELECT sms_export_version() GLOB '[0-9]*'").fetchone()[0] == 1)
check("count of a program", [(1000,)], db.execute("SELECT count(*) FROM sms_messages(4711)").fetchall())

clear_log()
rows = db.execute("SELECT date, type FROM sms_messages WHERE program_id = ? AND type = ? AND date >= ?",
                  (4712, "MO", "2026-06-29")).fetchall()
check("bound parameters are pushed down", [
    "GET /api/messages/program/4712?messageType=MO&startDate=2026-06-28T23:59:59&pageSize=500 auth=ok"
], log_lines())
check("bound parameters: rows are MO on or after the date", True,
      len(rows) > 0 and all(t == "MO" and d >= "2026-06-29" for d, t in rows))

try:
    db.execute("SELECT * FROM sms_messages").fetchall()
    check("no program raises", "SQLError", "no error")
except apsw.SQLError as e:
    check("no program raises apsw.SQLError with the extension's words", True,
          "sms_messages: no program_id: say which program to read" in str(e))

q = "SELECT raw FROM sms_messages WHERE program_id = 4713 AND date >= '2026-01-01' ORDER BY raw"
check("the same rows as Python's sqlite3", connect().execute(q).fetchall(), db.execute(q).fetchall())

finish()
