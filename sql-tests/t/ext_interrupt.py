"""sqlite3_interrupt() stops a long scan promptly, and stops its requests.

SQLite checks the interrupt between rows and closes the cursor, which stops the scan's
worker mid-request; on SQLite 3.41+ the scan also polls sqlite3_is_interrupted() inside a
request or a backoff wait. Uses an emulator with 150 ms per request of its own.
"""
import os
import subprocess
import sqlite3
import tempfile
import threading
import time

failures = 0


def check(desc, ok, detail=""):
    global failures
    print(("ok - " if ok else "not ok - ") + desc)
    if not ok:
        failures += 1
        print("#   " + detail)


tmp = tempfile.mkdtemp(dir=os.environ.get("TMPDIR_SMS"))
port_file, log_file = os.path.join(tmp, "port"), os.path.join(tmp, "log")
emu = subprocess.Popen([os.path.join(os.path.dirname(os.environ["EXT"]), "sms-emulator"),
                        "--port", "0", "--port-file", port_file, "--log", log_file,
                        "--now", os.environ["TEST_NOW"], "--user", os.environ["TEST_USER"],
                        "--password", os.environ["TEST_PASSWORD"], "--programs", "1",
                        "--messages", "20000", "--latency-ms", "150"])
try:
    for _ in range(200):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.025)
    url = f"http://127.0.0.1:{open(port_file).read().strip()}/api"
    os.environ["SMS_API_BASE_URL"] = url

    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.enable_load_extension(True)
    db.load_extension(os.environ["EXT"])
    timer = threading.Timer(0.8, db.interrupt)
    start = time.monotonic()
    timer.start()
    try:
        db.execute("SELECT count(*) FROM sms_messages(4711)").fetchone()
        check("an interrupted scan raises", False, "it completed")
    except sqlite3.OperationalError as e:
        elapsed = time.monotonic() - start
        check("an interrupted scan raises 'interrupted'", str(e) == "interrupted", str(e))
        check("... within one request of the interrupt", elapsed < 0.8 + 0.4, f"{elapsed:.2f}s")
    time.sleep(0.4)
    n = len(open(log_file).read().splitlines())
    check("... and its requests stopped (40 pages in all, a handful sent)", n <= 8, f"{n} requests")
    os.environ["SMS_API_BASE_URL"] = url
    got = db.execute("SELECT count(*) FROM (SELECT * FROM sms_messages(4711) LIMIT 3)").fetchone()
    check("the connection works after the interrupt", got == (3,), repr(got))
finally:
    emu.kill()
    emu.wait()
exit(1 if failures else 0)
