"""rate_limit / SMS_RATE_LIMIT and the 429 pause, seen from the emulator's request times.

- rate_limit=5 with parallel=8: no one-second span of the emulator's log holds more than
  5 + 1 request starts (the +1: the limit spaces requests 1/5 s apart, so a span closed at
  both ends can hold a request at each end), and the rows are exactly those of a scan
  without a limit.
- SMS_RATE_LIMIT=5, two connections in two threads, parallel=4 each: the same bound over
  both connections' requests together (the limit is the process's, not a table's).
- --fault 429 --retry-after 1 on every 10th request, parallel=4, no rate_limit: after each
  429 no request of any stream starts until the pause is over, and the rows are exact.

Every request count and time measured here is the path to the API: SMS_CACHE_TTL=0 keeps
the window cache (when there is one) out of it. Each scenario has its own emulator
(--log-times), so the log holds its requests alone and the 429s are known by their place
in it. Run by sql-tests/run.sh (it exports EXT and TEST_*); runs alone too.
"""
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import check, connect, finish  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMU = os.path.join(ROOT, "build", "sms-emulator")
os.environ.setdefault("EXT", os.path.join(ROOT, "build", "sms_export"))
NOW = os.environ.get("TEST_NOW", "2026-06-30T12:00:00")
USER = os.environ.get("TEST_USER", "demo")
PASSWORD = os.environ.get("TEST_PASSWORD", "demo-Secret:42")
os.environ["SMS_EXPORT_NOW"] = NOW
os.environ["SMS_CACHE_TTL"] = "0"  # these tests measure the path to the API
os.environ.pop("SMS_RATE_LIMIT", None)

RATE = 5
FAULT_EVERY = 10
WHERE = "WHERE program_id = ? AND date >= ?"
SINCE = "2026-05-01"  # 60 days of 2000 messages a year: about 330 rows
SINCE_2 = "2026-06-01"  # 30 days for each of two threads
SCAN = ("SELECT campaign_name, program_name, program_type, type, delivery_status, number, "
        "body, date, network, program_id, raw FROM {} " + WHERE)


def start_emulator(tmp, name, *flags):
    """An emulator of its own; returns (process, base URL, log path)."""
    port_file = os.path.join(tmp, name + ".port")
    log = os.path.join(tmp, name + ".log")
    err = os.path.join(tmp, name + ".err")
    proc = subprocess.Popen(
        [EMU, "--port", "0", "--port-file", port_file, "--now", NOW, "--user", USER,
         "--password", PASSWORD, "--programs", "2", "--messages", "2000", "--log", log,
         "--log-times", *flags], stderr=open(err, "w"))
    for _ in range(400):
        if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
            with open(port_file) as f:
                return proc, "http://127.0.0.1:%d/api" % int(f.read()), log
        if proc.poll() is not None:
            break
        time.sleep(0.025)
    proc.kill()
    sys.exit("emulator did not start: " + open(err).read())


def times(log):
    """The start time of every request in the log, in its order."""
    with open(log) as f:
        return [float(line.rsplit(" t=", 1)[1]) for line in f.read().splitlines()]


def busiest_second(ts):
    """The most requests that started within one closed one-second span."""
    ts = sorted(ts)
    best, j = 0, 0
    for i in range(len(ts)):
        while ts[i] - ts[j] > 1.0:
            j += 1
        best = max(best, i - j + 1)
    print("# %d requests in %.2f s, at most %d in one second"
          % (len(ts), ts[-1] - ts[0] if ts else 0, best))
    return best


def table(db, name, base_url, options):
    db.execute("CREATE VIRTUAL TABLE temp.%s USING sms_messages(base_url='%s', "
               "username='%s', password='%s'%s)"
               % (name, base_url, USER, PASSWORD.replace("'", "''"), options))


def scan(db, name, program, since=SINCE):
    return sorted(db.execute(SCAN.format(name), (program, since)).fetchall(), key=repr)


def clear(log):
    open(log, "w").close()


def rate_one_connection(tmp):
    proc, url, log = start_emulator(tmp, "rate1", "--latency-ms", "20")
    try:
        db = connect(check_same_thread=False)
        table(db, "plain", url, ", page_size=20")
        table(db, "limited", url, ", page_size=20, parallel=8, rate_limit=%d" % RATE)
        want = scan(db, "plain", 4711)
        clear(log)
        got = scan(db, "limited", 4711)
        ts = times(log)
        check("rate_limit=5, parallel=8: exactly the rows of a scan without a limit",
              (len(want), want), (len(got), got))
        check("rate_limit=5, parallel=8: enough requests to exceed the limit without it",
              True, len(ts) > 2 * (RATE + 1))
        check("rate_limit=5, parallel=8: no one-second span holds more than 5 + 1 request "
              "starts (%d requests)" % len(ts), True, busiest_second(ts) <= RATE + 1)
        db.close()
    finally:
        proc.kill()
        proc.wait()


def rate_two_threads(tmp):
    proc, url, log = start_emulator(tmp, "rate2", "--latency-ms", "20")
    try:
        # The environment's limit applies to the environment's origin: these tables use it
        # through their base_url (the same origin), with no rate_limit of their own.
        os.environ["SMS_API_BASE_URL"] = url
        os.environ["SMS_API_USERNAME"] = USER
        os.environ["SMS_API_PASSWORD"] = PASSWORD
        db = connect()
        want = {}
        for program in (4711, 4712):
            want[program] = sorted(db.execute(
                "SELECT campaign_name, program_name, program_type, type, delivery_status, "
                "number, body, date, network, program_id, raw FROM sms_messages " + WHERE,
                (program, SINCE_2)).fetchall(), key=repr)
        db.close()
        os.environ["SMS_RATE_LIMIT"] = str(RATE)
        conns = []
        for _ in range(2):
            c = connect(check_same_thread=False)
            c.execute("CREATE VIRTUAL TABLE temp.m USING sms_messages(base_url='%s', "
                      "page_size=20, parallel=4)" % url)
            conns.append(c)
        clear(log)
        got, errors = {}, []
        barrier = threading.Barrier(2)

        def worker(c, program):
            try:
                barrier.wait()
                got[program] = scan(c, "m", program, SINCE_2)
            except Exception as e:
                errors.append("program %d: %r" % (program, e))

        threads = [threading.Thread(target=worker, args=(conns[i], 4711 + i)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ts = times(log)
        check("SMS_RATE_LIMIT=5, two connections in two threads: no errors", [], errors)
        for program in (4711, 4712):
            check("SMS_RATE_LIMIT=5, two threads: program %d's rows are exact" % program,
                  len(want[program]), len(got.get(program, [])))
            check("... row for row", True, want[program] == got.get(program))
        check("SMS_RATE_LIMIT=5, two threads: enough requests to exceed the limit without it",
              True, len(ts) > 2 * (RATE + 1))
        check("SMS_RATE_LIMIT=5, two threads: no one-second span holds more than 5 + 1 "
              "request starts of both connections together (%d requests)" % len(ts),
              True, busiest_second(ts) <= RATE + 1)
        for c in conns:
            c.close()
    finally:
        os.environ.pop("SMS_RATE_LIMIT", None)
        proc.kill()
        proc.wait()


def pause_after_429(tmp):
    # Each request takes 100 ms, so that without the shared pause the other streams would
    # go on starting requests while the one that got the 429 waits.
    proc, url, log = start_emulator(tmp, "r429", "--latency-ms", "100", "--fault", "429",
                                    "--fault-every", str(FAULT_EVERY), "--retry-after", "1")
    try:
        db = connect(check_same_thread=False)
        table(db, "p", url, ", page_size=10, parallel=4")
        got = scan(db, "p", 4711)
        ts = times(log)
        faults = [t for i, t in enumerate(ts) if (i + 1) % FAULT_EVERY == 0]
        # A request another stream sent before the 429 reached the client arrives up to the
        # 100 ms latency (plus scheduling: 200 ms allowed) after it; the pause, 1 s from when
        # the client got the 429, ends 1.1 s after it was logged at the earliest.
        early = [(round(f, 3), round(t - f, 3)) for f in faults for t in ts
                 if f + 0.3 <= t < f + 1.05]
        check("429 every 10th request, parallel=4: at least two 429s (%d requests)" % len(ts),
              True, len(faults) >= 2)
        check("after each 429 no request of any stream starts until Retry-After has passed "
              "(none from 0.3 s to 1.05 s after it)", [], early)
        clear(log)
        # The same rows as the emulator without faults would give (the 429 emulator's own
        # rows checked against a plain scan of a faultless one).
        proc2, url2, _ = start_emulator(tmp, "plain", "--latency-ms", "0")
        try:
            table(db, "q", url2, ", page_size=10")
            want = scan(db, "q", 4711)
        finally:
            proc2.kill()
            proc2.wait()
        check("429s and pauses: exactly the rows of a scan without faults",
              (len(want), want), (len(got), got))
        db.close()
    finally:
        proc.kill()
        proc.wait()


with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR_SMS")) as tmp:
    rate_one_connection(tmp)
    rate_two_threads(tmp)
    pause_after_429(tmp)
finish()
