"""A logging HTTP proxy on loopback: it stands for the network between the extension and a
remote API, and records what would cross it.

    python3 logging_proxy.py PORT_FILE LOG_FILE [FORWARD_ORIGIN]

Point http_proxy (or all_proxy) at it. It writes "PORT" to PORT_FILE once it listens, and
logs every request to LOG_FILE before answering, one line "GET URL authorization=VALUE"
(VALUE is the Authorization header as received, or "-"). Without FORWARD_ORIGIN it answers
502 (a transient failure the client retries: each try shows in the log); with one (say
http://127.0.0.1:PORT of an emulator) it sends the request there, headers and all, with the
URL's scheme, host and port replaced, and relays the answer. Used by
sql-tests/t/ext_credentials.sh through proxy_start in sql-tests/lib.sh.
"""
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

PORT_FILE, LOG_FILE = sys.argv[1], sys.argv[2]
FORWARD = sys.argv[3].rstrip("/") if len(sys.argv) > 3 else None
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy itself


class Proxy(BaseHTTPRequestHandler):
    def do_GET(self):
        with open(LOG_FILE, "a") as log:
            log.write(f"GET {self.path} authorization={self.headers.get('Authorization', '-')}\n")
        if not FORWARD:
            self.answer(502, b'{"generalErrors":["the logging proxy answers 502"]}')
            return
        parts = urlsplit(self.path)
        url = FORWARD + parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "proxy-connection", "connection", "accept-encoding")}
        try:
            with DIRECT.open(urllib.request.Request(url, headers=headers), timeout=30) as r:
                self.answer(r.status, r.read(), r.headers.get("Date"))
        except urllib.error.HTTPError as e:
            self.answer(e.code, e.read(), e.headers.get("Date"))

    def answer(self, status, body, date=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if date:
            self.send_header("Date", date)
        self.end_headers()
        self.wfile.write(body)

    def send_response(self, code, message=None):  # no second Date header of our own
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Server", "logging-proxy")

    def log_message(self, *args):
        pass


srv = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
with open(PORT_FILE, "w") as f:
    f.write(f"{srv.server_address[1]}\n")
srv.serve_forever()
