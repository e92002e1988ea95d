"""sqlite3_interrupt() stops a long scan promptly, and stops its requests.

SQLite checks the interrupt between rows and closes the cursor, which stops the scan's
worker mid-request; on SQLite 3.41+ the scan also polls sqlite3_is_interrupted() inside a
request or a backoff wait. Uses an emulator with 150 ms per request of its own.
"""
import os
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import Emulator, check, connect, finish  # noqa: E402

emu = Emulator("--programs", 1, "--messages", 20000, "--latency-ms", 150)
os.environ["SMS_API_BASE_URL"] = emu.url
# The requests counted below are those sent to the API: the window cache stays off.
os.environ["SMS_CACHE_TTL"] = "0"

db = connect(check_same_thread=False)
timer = threading.Timer(0.8, db.interrupt)
start = time.monotonic()
timer.start()
try:
    db.execute("SELECT count(*) FROM sms_messages(4711)").fetchone()
    check("an interrupted scan raises", "an error", "it completed")
except sqlite3.OperationalError as e:
    elapsed = time.monotonic() - start
    check("an interrupted scan raises 'interrupted'", "interrupted", str(e))
    check("... within one request of the interrupt", True, elapsed < 0.8 + 0.4, f"{elapsed:.2f}s")
# Under the adaptive default the scan is 44 requests (the first page, 4 lanes of 10 or 11
# pages, the edge hour), several in flight at once: none may follow the interrupt.
n = len(emu.log_lines())
time.sleep(0.4)
later = len(emu.log_lines())
check("... and its requests stopped: none sent after it", n, later)
check("... a part of the scan's 44 requests sent", True, n < 44, f"{n} requests")
got = db.execute("SELECT count(*) FROM (SELECT * FROM sms_messages(4711) LIMIT 3)").fetchone()
check("the connection works after the interrupt", (3,), got)
emu.stop()
finish()
