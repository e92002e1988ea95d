"""A hostile or broken server: each program id of this stub server is one misbehaviour.

  1  a 200 whose body passes the 64 MiB page cap
  2  nextPageUrl that loops back to an earlier page
  3  an endless chain of empty pages
  4  a redirect to another server (which must see nothing)
  5  nextPageUrl carrying user:password@ of its own
  6  429 with Retry-After as an HTTP date, then the page
  7  the same message twice, on two pages (a double send): two rows, two rowids
Each must end in a clear error (or, for 6, the right rows), never a hang or unbounded memory.
"""
import email.utils
import os
import sqlite3
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import check, connect, finish  # noqa: E402

seen = []          # (server, path, had credentials)
tries = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        seen.append((self.server.name, self.path, "Authorization" in self.headers))
        if self.server.name == "other":
            return self.send(200, b'{"data":[]}')
        base = f"http://127.0.0.1:{self.server.server_port}/api/messages/program/"
        program = self.path.split("/")[4].split("?")[0]
        page = int(self.path.split("page=")[1]) if "page=" in self.path else 1
        if program == "1":
            self.send_response(200)
            self.send_header("Content-Length", str(65 << 20))
            self.end_headers()
            chunk = b" " * (1 << 20)
            try:
                for _ in range(65):
                    self.wfile.write(chunk)
            except OSError:
                pass
        elif program == "2":
            nxt = base + "2?page=" + ("2" if page == 1 else "1")
            self.send(200, ('{"meta":{"nextPageUrl":"%s"},"data":[{"type":"MO","date":"2026-06-01T00:00:00"}]}' % nxt).encode())
        elif program == "3":
            self.send(200, ('{"meta":{"nextPageUrl":"%s3?page=%d"},"data":[]}' % (base, page + 1)).encode())
        elif program == "4":
            self.send(302, b"", [("Location", f"http://127.0.0.1:{other.server_port}/api/messages/program/4")])
        elif program == "5":
            nxt = f"http://user:pw@127.0.0.1:{self.server.server_port}/api/messages/program/5?page=2"
            self.send(200, ('{"meta":{"nextPageUrl":"%s"},"data":[]}' % nxt).encode())
        elif program == "6":
            tries[6] = tries.get(6, 0) + 1
            if tries[6] == 1:
                when = email.utils.formatdate(time.time() + 2, usegmt=True)
                self.send(429, b'{"meta":{"generalErrors":["slow down"]}}', [("Retry-After", when)])
            else:
                self.send(200, b'{"data":[{"type":"MT","date":"2026-06-01T00:00:00","number":1}]}')
        elif program == "7":
            a = b'{"type":"MO","date":"2026-06-01T00:00:00","number":1,"body":"STOP"}'
            if page == 1:
                self.send(200, b'{"meta":{"nextPageUrl":"' + (base + "7?page=2").encode() + b'"},"data":[' + a + b']}')
            else:
                self.send(200, b'{"data":[' + a + b',{"type":"MT","date":"2026-06-02T00:00:00","number":2}]}')
        else:
            self.send(404, b"{}")


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the client hanging up on the oversized page is the point of the test


def serve(name):
    srv = QuietServer(("127.0.0.1", 0), Handler)
    srv.name = name
    srv.request_queue_size = 16
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


stub, other = serve("stub"), serve("other")
os.environ["SMS_API_BASE_URL"] = f"http://127.0.0.1:{stub.server_port}/api"
db = connect()
db.execute("CREATE VIRTUAL TABLE t1 USING sms_messages(program_id=1, retries=0)")
for p in range(2, 8):
    db.execute(f"CREATE VIRTUAL TABLE t{p} USING sms_messages(program_id={p}, retries=1)")


def error_of(sql):
    try:
        return ("rows", db.execute(sql).fetchall())
    except sqlite3.Error as e:
        return ("error", str(e).replace(str(stub.server_port), "PORT").replace(str(other.server_port), "OTHER"))


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
check("... and the other server saw nothing", [], [s for s in seen if s[0] == "other"])
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
      {True}, {s[2] for s in seen if s[0] == "stub"})
stub.shutdown()
other.shutdown()
finish()
