"""Two threads, each with its own connection, scanning different programs at once.

Python's sqlite3 releases the GIL while a statement steps, so the two scans really run at
the same time in the extension (libcurl, the page decoder, the scan's worker threads). For
several rounds, each thread loads the extension on its own connection and does full scans;
every scan must return exactly the rows of a sequential scan of the same program, and the
process must not crash. The scans go to an emulator that waits 100 ms before every answer,
so that the two scans overlap for real, and the test asserts from the emulator's request
times that they did: each program's requests began before the other's ended. (How much
faster that makes them is a measurement, for make bench, not a test.)

Run by sql-tests/run.sh (it exports EXT and TEST_*); runs alone too. Prints ok / not ok lines.
"""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import Emulator, TEST_NOW, TEST_PASSWORD, TEST_USER, check, connect, finish  # noqa: E402

PROGRAMS = (4711, 4712)
MESSAGES = 1000
PAGE_SIZE = 100  # 10 pages per scan: about a second of emulator latency
ROUNDS = 3


def table(base_url, options=""):
    """A connection of its own, usable from another thread, with the table m on base_url.
    cache_ttl=0: every round must reach the API at once (the window cache, shared by the
    process's connections, would answer each scan from the reference scans)."""
    db = connect(check_same_thread=False)
    db.execute(
        "CREATE VIRTUAL TABLE temp.m USING sms_messages(base_url='%s', username='%s', "
        "password='%s', page_size=%d, cache_ttl=0%s)"
        % (base_url, TEST_USER, TEST_PASSWORD.replace("'", "''"), PAGE_SIZE, options))
    return db


SCAN = ("SELECT campaign_name, program_name, program_type, type, delivery_status, number, "
        "body, date, network, program_id, raw FROM m WHERE program_id = ?")


def scan(db, program):
    """Every row of a full scan, in a canonical order (parallel sub-windows may reorder)."""
    return sorted(db.execute(SCAN, (program,)).fetchall(), key=repr)


def main():
    # The extension reads SMS_EXPORT_NOW when a scan starts: set it before any thread runs.
    os.environ["SMS_EXPORT_NOW"] = TEST_NOW
    emu = Emulator("--programs", len(PROGRAMS), "--messages", MESSAGES, "--seed", 7,
                   "--latency-ms", 100, "--log-times")
    run(emu)
    emu.stop()


def spans(log):
    """For each program, the times of its first and last request in the log."""
    out = {}
    for line in log:
        program = int(line.split("/program/")[1].split("?")[0])
        t = float(line.split(" t=")[1].split()[0])
        first, last = out.get(program, (t, t))
        out[program] = (min(first, t), max(last, t))
    return out


def run(emu):
    base_url = emu.url
    # The reference: each program scanned alone, one after the other, as one chain
    # (parallel=1); the threads' scans below use the adaptive default (lanes).
    db = table(base_url, ", parallel=1")
    want = {}
    for program in PROGRAMS:
        want[program] = scan(db, program)
    db.close()
    check("sequential scans return every message of each program",
          {p: MESSAGES for p in PROGRAMS}, {p: len(want[p]) for p in PROGRAMS})
    check("the two programs have different messages", True, want[PROGRAMS[0]] != want[PROGRAMS[1]])

    # Two threads, each with its own connection, for several rounds; the programs swap
    # threads every round.
    conns = [table(base_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    overlapped = []
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
        emu.clear_log()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        (a0, a1), (b0, b1) = (spans(emu.log_lines())[p] for p in PROGRAMS)
        overlapped.append(a0 < b1 and b0 < a1)
        check("round %d: no errors in either thread" % (r + 1), [], errors)
        for i in range(2):
            check("round %d: thread %d's scan of program %d gives exactly the sequential rows"
                  % (r + 1, i + 1, order[i]),
                  True, got[i] == want[order[i]],
                  "got %s rows, want %d" % (None if got[i] is None else len(got[i]),
                                            len(want[order[i]])))
    for c in conns:
        c.close()

    check("the two scans ran at once in every round: each program's requests began before "
          "the other's ended", [True] * ROUNDS, overlapped)


main()
finish()
