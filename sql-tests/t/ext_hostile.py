"""A hostile or broken server (sql-tests/hosts/hostile_server.py): each program id is one
misbehaviour. Here programs 1 to 7:

  1  a 200 whose body passes the 64 MiB page cap
  2  nextPageUrl that loops back to an earlier page
  3  an endless chain of empty pages
  4  a redirect to another server (which must see nothing)
  5  nextPageUrl carrying user:password@ of its own
  6  429 with Retry-After as an HTTP date, then the page
  7  the same message twice, on two pages (a double send): two rows, two rowids
Each must end in a clear error (or, for 6, the right rows), never a hang or unbounded memory.
The same server's answers run under valgrind in ext_memcheck.sh.
"""
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import HostileServer, check, connect, finish  # noqa: E402

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
check("every request to the stub carried credentials, none went elsewhere",
      {"auth=yes"}, {auth for path, auth in seen("stub")})
stub.stop()
finish()
