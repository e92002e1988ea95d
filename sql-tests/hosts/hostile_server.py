"""The hostile test server: answers no real API sends, one misbehaviour per program id.

    python3 hostile_server.py PORT_FILE LOG_FILE

It listens on two loopback ports: the API ("stub") and another server ("other") that a
redirect points to and that must never be reached. When both listen it writes
"PORT OTHER_PORT" to PORT_FILE; it logs every request to LOG_FILE before answering, one line
"stub|other GET PATH auth=yes|no". Used by sql-tests/t/ext_hostile.py (what the user sees)
and sql-tests/t/ext_memcheck.sh (the same answers under valgrind).

     1  a 200 whose body passes the 64 MiB page cap
     2  nextPageUrl that loops back to an earlier page (page 2 links to page 1)
     3  an endless chain of empty pages
     4  a redirect to the other server
     5  nextPageUrl carrying user:password@ of its own
     6  429 with Retry-After as an HTTP date, then the page (the first request only)
     7  the same message twice, on two pages (a double send)
     8  a nextPageUrl too short to be a URL ("x")
     9  rows that are not objects
    10  an error body with every kind of detail, and long
    11  rows of every JSON type, then a top-level nextPageUrl that is not a string
    12  a bare array of rows of every JSON type
    13  a page bomb: 2,000,000 empty objects (6 MB) whatever pageSize asked for
    14  numbers a float reader gets wrong: 19 digits, past int64, 500-digit mantissas
    15  the page bomb as a bare array (no envelope): [{},{},...]
    other ids: 404 with the API's envelope
"""
import email.utils
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ROW = {"type": "MO", "number": "15550001", "date": "2026-06-01T10:00:00", "body": "hi"}
ODD = [  # every JSON type in every field, and values near the limits
    {"campaignName": None, "programName": 5, "programType": True, "type": "MO",
     "deliveryStatus": {"a": [1, {"b": None}]}, "number": "123456789012345678901",
     "body": "\u00e9\u0000x\ud83d\ude00", "date": "2026-06-01 10:00:00.123Z", "network": [1, 2]},
    {"number": 1e300, "date": "junk", "body": ""}, {"number": -5.5, "date": 20260601},
    {"number": "0012", "date": "2026-06-01T10:00"}, {"number": False, "type": ["MO"]}, {},
    {"number": 9007199254740993, "date": "2026-13-45T99:99:99"}, {"number": "-1"},
]
DOUBLE = {"type": "MO", "date": "2026-06-01T00:00:00", "number": 1, "body": "STOP"}
BOMB_ROWS = 2000000  # 3 bytes each on the wire, about 90 in a client's row records
NUMBERS = ["1234567890123456789", "9223372036854775807", "-9223372036854775808",
           "9223372036854775808", "-9223372036854775809", "12345678901234567890", "0.1",
           "1." + "0" * 500 + "e-5", "5" + "0" * 398 + "e-398", "1e400", "-0", "1e3",
           "9007199254740993", "-0." + "0" * 1000 + "25e1002", '"1234567890123456789"']

log_lock = threading.Lock()
tries = {}  # program id: requests so far


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else keep-alive answers come 40 ms late

    def log_message(self, *args):
        pass

    def send(self, status, body, headers=()):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with log_lock, open(self.server.log, "a") as f:
            f.write("%s GET %s auth=%s\n" % (self.server.name, self.path,
                                             "yes" if "Authorization" in self.headers else "no"))
        if self.server.name == "other":
            return self.send(200, {"data": []})
        url = urlsplit(self.path)
        parts = url.path.split("/")
        if len(parts) != 5 or parts[:4] != ["", "api", "messages", "program"] \
                or not parts[4].isdigit():
            return self.send(404, {"meta": {"generalErrors": ["Not found"]}})
        program = int(parts[4])
        page = int(parse_qs(url.query).get("page", ["1"])[-1])
        base = "http://127.0.0.1:%d/api/messages/program/%d" % (self.server.server_port, program)
        with log_lock:
            tries[program] = tries.get(program, 0) + 1
        if program == 1:
            self.send_response(200)
            self.send_header("Content-Length", str(65 << 20))
            self.end_headers()
            chunk = b" " * (1 << 20)
            try:
                for _ in range(65):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the client hangs up at 64 MiB: the point of the test
        elif program == 2:
            nxt = base + "?page=" + ("2" if page == 1 else "1")
            self.send(200, {"meta": {"nextPageUrl": nxt},
                            "data": [{"type": "MO", "date": "2026-06-01T00:00:00"}]})
        elif program == 3:
            self.send(200, {"meta": {"nextPageUrl": base + "?page=%d" % (page + 1)}, "data": []})
        elif program == 4:
            self.send(302, b"", [("Location", "http://127.0.0.1:%d/api/messages/program/4"
                                  % self.server.other_port)])
        elif program == 5:
            nxt = base.replace("//", "//user:pw@") + "?page=2"
            self.send(200, {"meta": {"nextPageUrl": nxt}, "data": []})
        elif program == 6:
            if tries[6] == 1:
                when = email.utils.formatdate(time.time() + 2, usegmt=True)
                self.send(429, {"meta": {"generalErrors": ["slow down"]}},
                          [("Retry-After", when)])
            else:
                self.send(200, {"data": [{"type": "MT", "date": "2026-06-01T00:00:00",
                                          "number": 1}]})
        elif program == 7:
            if page == 1:
                self.send(200, {"meta": {"nextPageUrl": base + "?page=2"}, "data": [DOUBLE]})
            else:
                self.send(200, {"data": [DOUBLE, {"type": "MT", "date": "2026-06-02T00:00:00",
                                                  "number": 2}]})
        elif program == 8:
            self.send(200, {"data": [ROW], "meta": {"nextPageUrl": "x"}})
        elif program == 9:
            self.send(200, {"data": [ROW, 5, "x"]})
        elif program == 10:
            self.send(500, {"meta": {"generalErrors": ["down", {"message": "x" * 900}, 3, {"m": 1}],
                                     "fieldErrors": {"pageSize": "too big", "n": 5}}})
        elif program == 11:
            if page == 1:
                self.send(200, {"data": ODD, "meta": {"nextPageUrl": base + "?page=2"}})
            else:
                self.send(200, {"data": [ROW], "nextPageUrl": 5})
        elif program == 12:
            self.send(200, ODD * 3)
        elif program == 14:  # written by hand: json.dumps would rewrite the tokens
            rows = ",".join('{"date":"2026-06-01T10:00:%02d","number":%s}' % (i, n)
                            for i, n in enumerate(NUMBERS))
            self.send(200, ('{"data":[%s]}' % rows).encode())
        elif program == 16:  # one message a page, each page pointing to a fresh one
            self.send(200, {"meta": {"nextPageUrl": base + "?page=%d" % (page + 1)},
                            "data": [{"type": "MO", "date": "2026-06-01T00:00:%02d" % (page % 60),
                                      "number": page}]})
        elif program == 15:
            self.send(200, b"[" + b"{}," * (BOMB_ROWS - 1) + b"{}]")
        elif program == 13:
            self.send(200, b'{"meta":{"nextPageUrl":null},"data":[' + b"{}," * (BOMB_ROWS - 1)
                      + b"{}]}")
        else:
            self.send(404, {"meta": {"generalErrors": ["Program %d does not exist" % program]}})


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 16

    def handle_error(self, request, client_address):
        pass  # a client hanging up on the oversized page is expected


def main():
    port_file, log = sys.argv[1], sys.argv[2]
    servers = {}
    for name in ("stub", "other"):
        srv = QuietServer(("127.0.0.1", 0), Handler)
        srv.name, srv.log = name, log
        servers[name] = srv
    servers["stub"].other_port = servers["other"].server_port
    open(log, "w").close()
    threading.Thread(target=servers["other"].serve_forever, daemon=True).start()
    with open(port_file + ".tmp", "w") as f:
        f.write("%d %d\n" % (servers["stub"].server_port, servers["other"].server_port))
    os.rename(port_file + ".tmp", port_file)
    servers["stub"].serve_forever()


main()
