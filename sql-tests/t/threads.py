"""Two threads, each with its own connection, scanning different programs at once.

Python's sqlite3 releases the GIL while a statement steps, so the two scans really run at
the same time in the extension (libcurl, the page decoder, the scan's worker threads). For
several rounds, each thread loads the extension on its own connection and does full scans;
every scan must return exactly the rows of a sequential scan of the same program, and the
process must not crash. The scans go to an emulator that waits 100 ms before every answer,
so that the two scans overlap for real, and the test asserts that two concurrent scans take
clearly less than two scans one after the other.

Run by sql-tests/run.sh (it exports EXT and TEST_*); runs alone too. Prints ok / not ok lines.
"""
import os
import subprocess
import sys
import tempfile
import threading
import time
import sqlite3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXT = os.environ.get("EXT", os.path.join(ROOT, "build", "sms_export"))
EMU = os.path.join(ROOT, "build", "sms-emulator")
NOW = os.environ.get("TEST_NOW", "2026-06-30T12:00:00")
USER = os.environ.get("TEST_USER", "demo")
PASSWORD = os.environ.get("TEST_PASSWORD", "demo-Secret:42")
PROGRAMS = (4711, 4712)
MESSAGES = 1000
PAGE_SIZE = 100  # 10 pages per scan: about a second of emulator latency
ROUNDS = 3

failures = 0


def check(desc, ok, detail=""):
    global failures
    if ok:
        print(f"ok - {desc}")
    else:
        failures += 1
        print(f"not ok - {desc}")
        if detail:
            print(f"#   {detail}"[:2000])


def start_emulator(tmp):
    port_file = os.path.join(tmp, "threads.port")
    proc = subprocess.Popen(
        [EMU, "--port", "0", "--port-file", port_file, "--now", NOW, "--user", USER,
         "--password", PASSWORD, "--programs", str(len(PROGRAMS)), "--messages", str(MESSAGES),
         "--seed", "7", "--latency-ms", "100", "--log", os.path.join(tmp, "threads.log")],
        stderr=open(os.path.join(tmp, "threads.err"), "w"))
    for _ in range(400):
        if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
            with open(port_file) as f:
                return proc, "http://127.0.0.1:%d/api" % int(f.read())
        if proc.poll() is not None:
            break
        time.sleep(0.025)
    proc.kill()
    sys.exit("emulator did not start: " + open(os.path.join(tmp, "threads.err")).read())


def connect(base_url):
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    db.execute(
        "CREATE VIRTUAL TABLE temp.m USING sms_messages(base_url='%s', username='%s', "
        "password='%s', page_size=%d)" % (base_url, USER, PASSWORD.replace("'", "''"), PAGE_SIZE))
    return db


SCAN = ("SELECT campaign_name, program_name, program_type, type, delivery_status, number, "
        "body, date, network, program_id, raw FROM m WHERE program_id = ?")


def scan(db, program):
    """Every row of a full scan, in a canonical order (parallel sub-windows may reorder)."""
    return sorted(db.execute(SCAN, (program,)).fetchall(), key=repr)


def main():
    # The extension reads SMS_EXPORT_NOW when a scan starts: set it before any thread runs.
    os.environ["SMS_EXPORT_NOW"] = NOW
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR_SMS")) as tmp:
        proc, base_url = start_emulator(tmp)
        try:
            run(base_url)
        finally:
            proc.kill()
            proc.wait()


def run(base_url):
    # The reference: each program scanned alone, one after the other, timed.
    db = connect(base_url)
    want, alone = {}, {}
    for program in PROGRAMS:
        t0 = time.monotonic()
        want[program] = scan(db, program)
        alone[program] = time.monotonic() - t0
    db.close()
    check("sequential scans return every message of each program",
          all(len(want[p]) == MESSAGES for p in PROGRAMS),
          "rows: %s" % {p: len(want[p]) for p in PROGRAMS})
    check("the two programs have different messages", want[PROGRAMS[0]] != want[PROGRAMS[1]])

    # Two threads, each with its own connection, for several rounds; the programs swap
    # threads every round.
    conns = [connect(base_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    rounds = []
    for r in range(ROUNDS):
        order = PROGRAMS if r % 2 == 0 else PROGRAMS[::-1]
        got, errors = [None, None], []

        def worker(i):
            try:
                barrier.wait()
                got[i] = scan(conns[i], order[i])
            except Exception as e:  # an SQL error is a failure of this round, not a crash
                errors.append("thread %d, program %d: %r" % (i, order[i], e))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rounds.append(time.monotonic() - t0)
        check("round %d: no errors in either thread" % (r + 1), not errors, "; ".join(errors))
        for i in range(2):
            check("round %d: thread %d's scan of program %d gives exactly the sequential rows"
                  % (r + 1, i + 1, order[i]),
                  got[i] == want[order[i]],
                  "got %s rows, want %d" % (None if got[i] is None else len(got[i]),
                                            len(want[order[i]])))
    for c in conns:
        c.close()

    one_after_other = sum(alone.values())
    best = min(rounds)
    check("two concurrent scans take clearly less than two sequential ones "
          "(best round %.2fs, sequential %.2fs + %.2fs)"
          % (best, alone[PROGRAMS[0]], alone[PROGRAMS[1]]),
          best < 0.75 * one_after_other,
          "rounds: %s" % ", ".join("%.2fs" % t for t in rounds))


main()
sys.exit(1 if failures else 0)
