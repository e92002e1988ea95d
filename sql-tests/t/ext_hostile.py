"""A hostile or broken server (sql-tests/hosts/hostile_server.py): each program id is one
misbehaviour. Here programs 1 to 7:

  1  a 200 whose body passes the 64 MiB page cap
  2  nextPageUrl that loops back to an earlier page
  3  an endless chain of empty pages
  4  a redirect to another server (which must see nothing)
  5  nextPageUrl carrying user:password@ of its own
  6  429 with Retry-After as an HTTP date, then the page
  7  the same message twice, on two pages (a double send): two rows, two rowids
 13  a page bomb: 2,000,000 "{}" for pageSize=500: an error, in bounded memory
 15  the same as a bare array: allowed one message per 32 bytes, so an error too
 14  numbers a float reader gets wrong: as SQLite's json_extract reads them
 16  an endless chain of thin pages (one message each, every nextPageUrl new)
Each must end in a clear error (or, for 6, the right rows), never a hang or unbounded memory.
The same server's answers run under valgrind in ext_memcheck.sh.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import EXT, HostileServer, check, connect, finish  # noqa: E402

stub = HostileServer()
os.environ["SMS_API_BASE_URL"] = stub.url
db = connect()
db.execute("CREATE VIRTUAL TABLE t1 USING sms_messages(program_id=1, retries=0)")
for p in range(2, 8):
    db.execute(f"CREATE VIRTUAL TABLE t{p} USING sms_messages(program_id={p}, retries=1)")


def seen(server):
    """(path, auth) of every request the server (stub or other) received."""
    return [tuple(line.split(" ")[2:]) for line in stub.log_lines() if line.startswith(server + " ")]


def error_of(sql):
    try:
        return ("rows", db.execute(sql).fetchall())
    except sqlite3.Error as e:
        return ("error", str(e).replace(str(stub.port), "PORT").replace(str(stub.other_port), "OTHER"))


start = "startDate=2025-06-30T13:00:04&pageSize=500"
check("a page over 64 MiB: an error, not unbounded memory",
      ("error", f"sms_messages: the response to GET http://127.0.0.1:PORT/api/messages/program/1?{start} is larger than 64 MiB, far more than a page; check base_url"),
      error_of("SELECT count(*) FROM t1"))
check("a nextPageUrl loop: an error, not an endless scan",
      ("error", "sms_messages: the API's nextPageUrl repeats an earlier page (http://127.0.0.1:PORT/api/messages/program/2?page=2); stopping instead of looping forever"),
      error_of("SELECT count(*) FROM t2"))
check("an endless chain of empty pages: an error after 100",
      ("error", "sms_messages: the API sent more than 100 empty pages in a row (last: http://127.0.0.1:PORT/api/messages/program/3?page=101); stopping instead of looping forever"),
      error_of("SELECT count(*) FROM t3"))
db.execute("CREATE VIRTUAL TABLE t16 USING sms_messages(program_id=16, retries=0)")
check("an endless chain of one-message pages: an error after 100",
      ("error", "sms_messages: the API sent more than 100 pages in a row of at most 25 messages each for pageSize=500, each pointing to another (last: http://127.0.0.1:PORT/api/messages/program/16?page=101); stopping instead of looping forever"),
      error_of("SELECT count(*) FROM t16"))
check("a redirect is not followed",
      ("error", f"sms_messages: HTTP 302 from GET http://127.0.0.1:PORT/api/messages/program/4?{start}: the API redirects to http://127.0.0.1:OTHER/api/messages/program/4; set base_url to the address it names (redirects are not followed, so that credentials go nowhere else)"),
      error_of("SELECT count(*) FROM t4"))
check("... and the other server saw nothing", [], seen("other"))
check("a nextPageUrl with credentials of its own is not followed",
      ("error", "sms_messages: the API's nextPageUrl (http://user:pw@127.0.0.1:PORT/api/messages/program/5?page=2) is not on the origin of base_url (http://127.0.0.1:PORT/api); not following it, so that the credentials go nowhere else"),
      error_of("SELECT count(*) FROM t5"))
t0 = time.monotonic()
got = error_of("SELECT type, number FROM t6")
waited = time.monotonic() - t0
check("Retry-After as an HTTP date is honoured, then the page's rows come once", ("rows", [("MT", 1)]), got)
check("... after waiting about as long as asked", True, 0.9 < waited < 5)
check("the same message on two pages: two rows with two rowids",
      ("rows", [(3, 3)]), error_of("SELECT count(*), count(DISTINCT rowid) FROM t7"))
check("... and an OR of three branches (one scan each, deduplicated by rowid) keeps both",
      ("rows", [(3,)]), error_of("SELECT count(*) FROM sms_messages WHERE (program_id = 7 AND type = 'MO') "
                                 "OR (program_id = 7 AND date >= '2026-06-01') OR (program_id = 7 AND number = 2)"))


def shell_max_rss(sql):
    """Run sql in the sqlite3 shell with the extension; (its output, its max RSS in MB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as inp:
        inp.write(sql.encode())
        inp.seek(0)
        proc = subprocess.Popen([os.environ.get("SQLITE3", "/usr/bin/sqlite3"), "-batch",
                                 "-cmd", f".load {EXT}", ":memory:"],
                                stdin=inp, stdout=out, stderr=subprocess.STDOUT)
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0  # reaped here
        out.seek(0)
        text = out.read().decode().replace(str(stub.port), "PORT")
    return text.strip(), usage.ru_maxrss / 1024


for program, page_size, limit in ((13, 500, "560 messages, the most a page of pageSize=500"),
                                  (13, 20, "32 messages, the most a page of pageSize=20"),
                                  (15, 500, "187500 messages, the most a bare array of "
                                            "6000001 bytes")):
    out, rss = shell_max_rss(f"CREATE VIRTUAL TABLE t USING sms_messages(program_id={program}, "
                             f"page_size={page_size});\nSELECT count(*) FROM t;")
    size = f"pageSize={page_size}"
    shape = "as a bare array" if program == 15 else f"for {size}"
    check(f"a page of 2,000,000 messages {shape}: an error naming the limit",
          f"Runtime error near line 2: sms_messages: the response to GET http://127.0.0.1:PORT/api/messages/program/{program}?startDate=2025-06-30T13:00:04&{size} holds more than {limit} may hold{' (one per 32 bytes)' if program == 15 else ''}; the server does not honour pageSize: check base_url",
          out)
    check(f"... in bounded memory (max RSS {rss:.0f} MB < 150 MB; 6 MB on the wire)", True, rss < 150)
check("... asked once: no retry of a page that will not change",
      3, sum(1 for line in stub.log_lines() if "/program/13?" in line or "/program/15?" in line))
db.execute("CREATE VIRTUAL TABLE t14 USING sms_messages(program_id=14, retries=0)")
check("numbers as SQLite's json_extract reads the same text: every value equal; INTEGER, "
      "the same, wherever it gives INTEGER (19 digits, int64's ends, a string of digits "
      "cast); INTEGER for a REAL only when it is whole (1e3, 5 + 398 zeros + e-398, -25)",
      ("rows", [(15, 15, 0, 3)]),
      error_of("SELECT count(*), sum(number = j), "
               "sum(typeof(j) = 'integer' AND NOT (typeof(number) = 'integer' AND number = j)), "
               "sum(typeof(number) = 'integer' AND typeof(j) = 'real') "
               "FROM (SELECT number, CASE WHEN json_type(raw, '$.number') = 'text' THEN "
               "CAST(json_extract(raw, '$.number') AS INTEGER) ELSE json_extract(raw, '$.number') "
               "END AS j FROM t14)"))
check("... the 500-digit mantissas with their exponents, the 19 digits exact",
      ("rows", [(1e-05, 5, 1234567890123456789, 9223372036854775807, -25)]),
      error_of("SELECT (SELECT number FROM t14 WHERE date LIKE '%:07'), "
               "(SELECT number FROM t14 WHERE date LIKE '%:08'), "
               "(SELECT number FROM t14 WHERE date LIKE '%:00'), "
               "(SELECT number FROM t14 WHERE date LIKE '%:01'), "
               "(SELECT number FROM t14 WHERE date LIKE '%:13')"))
check("every request to the stub carried credentials, none went elsewhere",
      {"auth=yes"}, {auth for path, auth in seen("stub")})
stub.stop()
finish()
