"""The window cache under threads: eight connections read and fill it at once while a ninth
forgets what it holds, and every answer stays exact.

Eight threads, each with its own connection and the cache on (SMS_CACHE_TTL=60), run random
windows of two programs against one emulator: random date bounds (every comparison form,
BETWEEN, none), one type or both, one program or both, the eponymous table, a parallel=4
table or a cache_mb=1 one (the process's limit then changes under the others), sometimes under a LIMIT or ORDER BY date DESC LIMIT (stopped chains, ordered
sub-windows). A ninth thread runs DELETE FROM sms_cache, now and then with
WHERE program_id = N, while they do. Every query's rows must equal the same query on a
local copy read with the cache off (a LIMIT without ORDER BY: the right number of rows, each
one of the copy's), no query may fail, and the process must not crash. Python's sqlite3
releases the GIL while a statement steps, so the scans really run at once in the extension.

The workload is random but seeded (SMS_TEST_SEED, printed, replays a run). The same
workload runs under ThreadSanitizer in t/ext_cache_races.sh.
Run by sql-tests/run.sh (it exports EXT and TEST_*); runs alone too.
"""
import calendar
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from smstest import Emulator, TEST_NOW, TEST_PASSWORD, TEST_USER, check, connect, finish  # noqa: E402

PROGRAMS = (4711, 4712)
MESSAGES = 3000       # per program, over the year before TEST_NOW
THREADS = 8
QUERIES = 80          # per thread
COLUMNS = ("campaign_name, program_name, program_type, type, delivery_status, number, body, "
           "date, network, program_id, raw")
DAY = 86400


def sql_date(t, rnd):
    """t (seconds since the epoch) as a date in one of the forms users write, to be put
    between quotes. The API's T form is an expression: a literal in another form than the
    table's is an error (a typo), a value SQLite computes keeps its text comparison."""
    s = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))
    form = rnd.randrange(4)
    if form == 0:
        return s[:10]                  # a day: '2026-03-04'
    if form == 1:
        return s[:10] + "' || 'T" + s[11:]  # the API's form, sorts after the space form
    return s


def random_where(rnd, now):
    """A WHERE clause over program_id, type and date, and whether it bounds date."""
    terms = [rnd.choice(["program_id = 4711", "program_id = 4712",
                         "program_id IN (4711, 4712)"])]
    terms += [rnd.choice(["", "type = 'MO'", "type = 'MT'", "type IN ('MO', 'MT')"])]
    # Bounds inside the year (mostly the last two months, where the windows overlap).
    span = DAY * rnd.choice([2, 10, 60, 365])
    lo = now - rnd.randrange(span)
    hi = lo + rnd.randrange(1, DAY * rnd.choice([1, 5, 30]))
    form = rnd.randrange(6)
    if form == 0:
        terms.append("date >= '%s'" % sql_date(lo, rnd))
    elif form == 1:
        terms.append("date > '%s' AND date < '%s'" % (sql_date(lo, rnd), sql_date(hi, rnd)))
    elif form == 2:
        terms.append("date BETWEEN '%s' AND '%s'" % (sql_date(lo, rnd), sql_date(hi, rnd)))
    elif form == 3:
        terms.append("date >= '%s' AND date <= '%s'" % (sql_date(lo, rnd), sql_date(hi, rnd)))
    elif form == 4:
        terms.append("date < '%s'" % sql_date(hi, rnd))
    return " AND ".join(t for t in terms if t)


def random_query(rnd, now):
    """(kind, SQL with @T@ for the table, limit)."""
    where = random_where(rnd, now)
    kind = rnd.choices(["rows", "limit", "newest"], weights=[6, 2, 2])[0]
    n = rnd.choice([1, 7, 150, 600])
    if kind == "rows":
        return kind, "SELECT %s FROM @T@ WHERE %s" % (COLUMNS, where), None
    if kind == "limit":  # which rows is SQLite's choice: checked as a subset of the copy's
        return kind, "SELECT %s FROM @T@ WHERE %s LIMIT %d" % (COLUMNS, where, n), n
    return kind, "SELECT date FROM @T@ WHERE %s ORDER BY date DESC LIMIT %d" % (where, n), n


def main():
    seed = int(os.environ.get("SMS_TEST_SEED", random.randrange(1 << 30)))
    print("# seed %d (SMS_TEST_SEED=%d replays it)" % (seed, seed))
    # Read when a table connects: set before any connection, in every thread alike.
    os.environ["SMS_EXPORT_NOW"] = TEST_NOW
    os.environ["SMS_CACHE_TTL"] = "60"
    os.environ.pop("SMS_CACHE_MB", None)
    emu = Emulator("--programs", len(PROGRAMS), "--messages", MESSAGES, "--seed", 3)
    os.environ["SMS_API_BASE_URL"] = emu.url
    os.environ["SMS_API_USERNAME"] = TEST_USER
    os.environ["SMS_API_PASSWORD"] = TEST_PASSWORD
    now = calendar.timegm(time.strptime(TEST_NOW, "%Y-%m-%dT%H:%M:%S"))

    # The local copy, read with the cache off: what every query must give.
    path = os.path.join(os.environ.get("TMPDIR_SMS") or emu.dir, "cache_threads.db")
    if os.path.exists(path):
        os.remove(path)
    db = connect(path)
    db.execute("CREATE VIRTUAL TABLE temp.nocache USING sms_messages(cache_ttl=0)")
    db.execute("CREATE TABLE local AS SELECT %s FROM nocache WHERE program_id IN (4711, 4712)"
               % COLUMNS)
    db.commit()
    n_local = db.execute("SELECT count(*) FROM local").fetchone()[0]
    check("the local copy holds every message of both programs", MESSAGES * 2, n_local)
    db.close()

    failures, stats = [], {"queries": 0, "rows": 0, "deletes": 0, "max_held": 0, "hits": 0}
    lock = threading.Lock()
    done = threading.Event()
    barrier = threading.Barrier(THREADS + 1)

    def worker(i):
        rnd = random.Random(seed * 100 + i)
        c = connect(path, check_same_thread=False)
        c.execute("CREATE VIRTUAL TABLE temp.p4 USING sms_messages(parallel=4)")
        # The process has one limit, the last a scan set: tiny's scans shrink the cache to
        # 1 MiB under the others' feet, theirs grow it back.
        c.execute("CREATE VIRTUAL TABLE temp.tiny USING sms_messages(cache_mb=1)")
        barrier.wait()
        for q in range(QUERIES):
            kind, sql, n = random_query(rnd, now)
            table = rnd.choice(["sms_messages", "p4", "p4", "tiny"])
            try:
                got = c.execute(sql.replace("@T@", table)).fetchall()
                if kind == "limit":  # any n rows of the copy's, each at most as often
                    want = c.execute(sql.replace("@T@", "local").rsplit(" LIMIT ", 1)[0]).fetchall()
                    bag = {}
                    for r in want:
                        bag[r] = bag.get(r, 0) + 1
                    for r in got:
                        bag[r] = bag.get(r, 0) - 1
                    ok = len(got) == min(n, len(want)) and min(bag.values(), default=0) >= 0
                elif kind == "newest":  # the dates, in order
                    want = c.execute(sql.replace("@T@", "local")).fetchall()
                    ok = got == want
                else:
                    want = c.execute(sql.replace("@T@", "local")).fetchall()
                    ok = sorted(got, key=repr) == sorted(want, key=repr)
                if not ok:
                    with lock:
                        failures.append("thread %d query %d on %s: %d rows, want %d%s: %s"
                                        % (i, q, table, len(got), len(want),
                                           " (a subset)" if kind == "limit" else "", sql))
            except Exception as e:
                with lock:
                    failures.append("thread %d query %d on %s: %r: %s" % (i, q, table, e, sql))
                got = []
            with lock:
                stats["queries"] += 1
                stats["rows"] += len(got)
        c.close()

    def clearer():
        rnd = random.Random(seed)
        c = connect(check_same_thread=False)
        barrier.wait()
        while not done.is_set():
            time.sleep(rnd.uniform(0.005, 0.06))
            try:
                held, hits = c.execute("SELECT count(*), total(hits) FROM sms_cache").fetchone()
                stats["max_held"] = max(stats["max_held"], held)
                stats["hits"] = max(stats["hits"], int(hits))
                if rnd.random() < 0.5:
                    c.execute("DELETE FROM sms_cache WHERE program_id = ?", (rnd.choice(PROGRAMS),))
                else:
                    c.execute("DELETE FROM sms_cache")
                stats["deletes"] += 1
            except Exception as e:
                with lock:
                    failures.append("clearer: %r" % e)
        c.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    cl = threading.Thread(target=clearer)
    t0 = time.monotonic()
    for t in threads + [cl]:
        t.start()
    for t in threads:
        t.join()
    done.set()
    cl.join()
    took = time.monotonic() - t0

    check("%d threads x %d random queries with the cache on: every answer equals the local "
          "copy's, no error (%d queries, %d rows, %.1fs)"
          % (THREADS, QUERIES, stats["queries"], stats["rows"], took),
          [], failures[:10], "%d failures in all; seed %d" % (len(failures), seed))
    check("every query ran", THREADS * QUERIES, stats["queries"])
    # The cache took part: entries were held and answered scans while DELETEs ran.
    check("the cache held entries and answered scans while DELETE FROM sms_cache ran "
          "(held up to %d, hits seen %d, %d deletes)"
          % (stats["max_held"], stats["hits"], stats["deletes"]),
          True, stats["max_held"] > 0 and stats["hits"] > 0 and stats["deletes"] >= 10)
    emu.stop()


main()
finish()
