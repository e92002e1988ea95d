"""Differential exactness: what the extension returns equals what a local copy returns.

Over a grid of emulator setups (double sends whose copies differ, results out of date order,
messages without a date, bunched data, late recording and delivery reports, several
programs; each with several seeds), page sizes (small ones, so that a scan has many pages, up
to 500) and plans (the adaptive default with no parallel option, parallel=1, 2 and 8, the
window cache on as users get it and off with cache_ttl=0, the eponymous table), random
queries (program_id = N, program_id IN (...), the table's own program_id; types; random date
windows, in and across the year the API keeps; ORDER BY date and ORDER BY date DESC, with and
without LIMIT/OFFSET; LIMIT alone; filters SQLite checks alone; aggregates) must give what the
same SQL gives on an ordinary SQLite table loaded from the emulator's --dump of each program
(same flags, same --now), clamped to the year the extension can see (docs/reference.md: the
request starts 365 days less 5 seconds before now). With the cache on, a second statement
that the cache can answer (the same query, or a window inside the first's) must be exact too.

How rows are compared:
  - no ORDER BY: as multisets;
  - ORDER BY date [DESC] without LIMIT: the sequence of dates, and the multiset of rows (rows
    of the same date may come in any order);
  - ORDER BY date [DESC] LIMIT n [OFFSET m]: the sequence of dates equals the local one;
    rows of a date strictly inside the returned range equal the local rows of that date, rows
    of the first and last date returned are a sub-multiset of the local rows of that date;
  - LIMIT without ORDER BY: as many rows as the local query gives, each one of the local
    rows (a sub-multiset);
  - any error is a failure (the emulator never sends a date that is not a date, so the
    documented "cannot return rows in date order" error never has a reason here).

Every plan runs with SMS_PARALLEL, SMS_CACHE_TTL (and SMS_CACHE_MB, SMS_RATE_LIMIT,
SMS_PROGRESS) unset: what users get, unless the plan's own table sets the option.

Modes:
  make test / run alone      the fixed grid (seeds fixed): one TAP line per (setup, seed,
                             page size, plan) group of queries; a failing query prints the
                             exact case as a shell command line that reproduces it.
  EXACT_SECONDS=600 python3 sql-tests/t/ext_exact.py
                             a campaign: random setups, seeds, page sizes, plans and queries
                             for that long (EXACT_SEED=S replays its random choices); every
                             failing case is printed as a shell command line; at the end,
                             how many cases ran. It exits 1 when a case failed.
  EXACT_ONLY=WORD            (grid) only the setups whose name contains WORD.
"""
import calendar
import collections
import json
import os
import random
import shlex
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import smstest  # noqa: E402
from smstest import EMU, EXT, TEST_NOW, TEST_PASSWORD, TEST_USER, Emulator  # noqa: E402

# What users get: no environment default for the options the plans vary.
for _v in ("SMS_PARALLEL", "SMS_CACHE_TTL", "SMS_CACHE_MB", "SMS_RATE_LIMIT", "SMS_PROGRESS"):
    os.environ.pop(_v, None)
os.environ["SMS_EXPORT_NOW"] = TEST_NOW
os.environ["SMS_API_USERNAME"] = TEST_USER
os.environ["SMS_API_PASSWORD"] = TEST_PASSWORD

DAY = 86400
NOW = calendar.timegm(time.strptime(TEST_NOW, "%Y-%m-%dT%H:%M:%S"))
# The oldest date a scan can see: the start of every request is clamped to now - 365 days
# + 5 s (SMS_RETENTION_MARGIN; docs/reference.md, "Retention clamp").
EDGE = NOW - 365 * DAY + 5
EDGE_SQL = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(EDGE))
STMT_TIMEOUT = 60  # seconds a statement may take before the harness interrupts it

COLS = ["campaign_name", "program_name", "program_type", "type", "delivery_status", "number",
        "body", "date", "network"]
ALL_COLS = ", ".join(COLS + ["program_id", "raw"])
LOCAL_DDL = ("CREATE TABLE {T}(campaign_name TEXT, program_name TEXT, program_type TEXT, "
             "type TEXT, delivery_status TEXT, number INTEGER, body TEXT, date TEXT, "
             "network TEXT, program_id INTEGER, raw TEXT)")
# One program's --dump (a JSON array) into the local table: the table's columns as
# docs/reference.md defines them, and only what the extension can see (the retention clamp;
# a message without a date is inside).
LOCAL_LOAD = ("INSERT INTO {T} SELECT json_extract(value, '$.campaignName'), "
              "json_extract(value, '$.programName'), json_extract(value, '$.programType'), "
              "json_extract(value, '$.type'), json_extract(value, '$.deliveryStatus'), "
              "CAST(json_extract(value, '$.number') AS INTEGER), json_extract(value, '$.body'), "
              "replace(json_extract(value, '$.date'), 'T', ' '), "
              "json_extract(value, '$.network'), {P}, value FROM json_each({SRC}) "
              "WHERE json_extract(value, '$.date') IS NULL "
              "OR replace(json_extract(value, '$.date'), 'T', ' ') >= '" + EDGE_SQL + "'")

# ---------------------------------------------------------------- the grid (make test)

# name -> emulator flags (without --seed and --now); each runs with every seed of its row.
SETUPS = {
    "doubles-ooo3": ["--programs", "1", "--messages", "1500", "--doubles", "--out-of-order", "3"],
    "undated": ["--programs", "1", "--messages", "600", "--undated", "10", "--doubles"],
    "undated-small": ["--programs", "1", "--messages", "50", "--undated", "10"],
    "bunched": ["--programs", "1", "--messages", "1500", "--bunched", "60", "--doubles",
                "--out-of-order", "7"],
    "late": ["--programs", "1", "--messages", "800", "--late-minutes", "1440",
             "--report-minutes", "2880", "--doubles", "--out-of-order", "5"],
    "programs": ["--programs", "3", "--messages", "500", "--doubles", "--quirks"],
    "large": ["--programs", "1", "--messages", "4000", "--doubles", "--out-of-order", "11",
              "--undated", "40", "--late-minutes", "120"],
    "mixed": ["--programs", "2", "--messages", "700", "--doubles", "--out-of-order", "4",
              "--undated", "25", "--bunched", "30", "--late-minutes", "600",
              "--report-minutes", "600"],
}
# (setup, seeds, page sizes, queries per plan); the page sizes are spread over the seeds
# (seed i takes page sizes i and i + len(seeds), ...), so each seed reads with two of them.
GRID = [
    ("doubles-ooo3", [1, 2, 3, 4], [300, 20, 37, 500, 150, 73, 250, 41], 6),
    ("undated", [1, 4, 5, 6], [37, 500, 20, 100, 250, 61, 300, 13], 6),
    ("undated-small", [1, 2, 3], [20, 500, 7, 50, 300, 3], 6),
    ("bunched", [4, 5, 6, 7], [100, 37, 500, 20, 300, 64, 250, 29], 6),
    ("late", [1, 2, 3, 4], [20, 500, 37, 200, 90, 450, 300, 23], 6),
    ("programs", [1, 7, 8, 9], [37, 500, 20, 200, 110, 45, 300, 60], 6),
    ("mixed", [1, 2, 3, 4], [20, 500, 37, 300, 80, 170, 250, 43], 6),
    ("large", [1, 2], [500, 97, 250, 41], 3),
]
# name -> table options (None: the eponymous table, which takes every default)
PLANS = {
    "default": "",
    "parallel=1": "parallel=1",
    "parallel=2": "parallel=2",
    "parallel=8": "parallel=8",
    "default,cache_ttl=0": "cache_ttl=0",
    "parallel=8,cache_ttl=0": "parallel=8, cache_ttl=0",
    "eponymous": None,
}


def sql_time(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


# ---------------------------------------------------------------- queries


class Query:
    """One statement: the SQL for the extension's table and for the local copy, and how to
    compare their answers."""

    def __init__(self, prog, type_term, window, date_terms, extra, select, shape, limit,
                 offset, tvf):
        self.prog, self.type_term, self.window = prog, type_term, window
        self.date_terms, self.extra, self.select = date_terms, extra, select
        self.shape, self.limit, self.offset, self.tvf = shape, limit, offset, tvf

    def sql(self, table, local, no_limit=False):
        terms = []
        kind, ids = self.prog
        source = table
        if kind == "eq":
            if self.tvf and not local:
                source = "%s(%d)" % (table, ids[0])
            else:
                terms.append("program_id = %d" % ids[0])
        elif kind == "in":
            terms.append("program_id IN (%s)" % ", ".join(str(i) for i in ids))
        elif local:  # "default": the table's program_id option
            terms.append("program_id = %d" % ids[0])
        terms += [t for t in [self.type_term] + self.date_terms + [self.extra] if t]
        s = "SELECT %s FROM %s" % (self.select, source)
        if terms:
            s += " WHERE " + " AND ".join(terms)
        if self.shape == "agg":
            s += " GROUP BY 1, 2"
        if self.shape in ("order", "order_limit"):
            s += " ORDER BY date"
        if self.shape in ("order_desc", "order_desc_limit"):
            s += " ORDER BY date DESC"
        if self.limit is not None and not no_limit:
            s += " LIMIT %d" % self.limit
            if self.offset:
                s += " OFFSET %d" % self.offset
        return s


class Pinned(Query):
    """A statement written out: ext and local are templates with {T} for the table (the
    extension's, or the local copy named alike); compared as shape says."""

    def __init__(self, ext, local, shape, limit=None):
        self.ext, self.local, self.shape, self.limit = ext, local, shape, limit
        self.window = (None, None)

    def sql(self, table, local, no_limit=False):
        s = (self.local if local else self.ext).format(T=table)
        if no_limit and self.limit is not None:
            s = s[:s.rindex(" LIMIT ")]
        return s


# The cases of issue 18 that the grid must catch, as written there; run first.
PINNED = [
    ("doubles-ooo3", 1, "default", 300, [Pinned(
        "SELECT delivery_status, count(*) FROM {T} WHERE number = 4915506722655 "
        "AND +date = '2025-10-02 13:36:54' GROUP BY 1",
        "SELECT delivery_status, count(*) FROM {T} WHERE program_id = 4711 "
        "AND number = 4915506722655 AND +date = '2025-10-02 13:36:54' GROUP BY 1", "agg")]),
    ("undated-small", 1, "eponymous", 500, [Pinned(
        "SELECT date, number FROM {T}(4711) ORDER BY date LIMIT 2",
        "SELECT date, number FROM {T} WHERE program_id = 4711 ORDER BY date LIMIT 2",
        "order_limit", 2)]),
    ("undated-small", 1, "eponymous", 500, [Pinned(
        "SELECT date, number FROM {T}(4711) WHERE date >= '2025-07-01' ORDER BY date",
        "SELECT date, number FROM {T} WHERE program_id = 4711 AND date >= '2025-07-01' "
        "ORDER BY date", "order")]),
]


def date_literal(rnd, t, upper=False):
    """t as a date literal in one of the forms the docs allow: the whole date or a prefix."""
    s = sql_time(t)
    return s[:rnd.choice([19, 19, 19, 16, 13, 10, 10, 7])] if not upper else \
        s[:rnd.choice([19, 19, 10, 16])]


def random_window(rnd, inside=None):
    """(lo, hi, date terms): a random date window, mostly inside the year the API keeps,
    sometimes across its edge or past now; inside=(lo, hi) nests it in that window."""
    if inside is not None:
        lo0 = inside[0] if inside[0] is not None else NOW - 365 * DAY
        hi0 = inside[1] if inside[1] is not None else NOW
        lo = lo0 + rnd.randrange(max(1, (hi0 - lo0) // 2 + 1))
        hi = lo + rnd.randrange(max(1, hi0 - lo + 1))
        lit_lo, lit_hi = sql_time(lo), sql_time(hi)
        form = rnd.randrange(3)
        if form == 0:
            return lo, hi, ["date >= '%s'" % lit_lo, "date <= '%s'" % lit_hi]
        if form == 1:
            return lo, hi, ["date BETWEEN '%s' AND '%s'" % (lit_lo, lit_hi)]
        return lo, hi, ["date > '%s'" % lit_lo, "date < '%s'" % lit_hi]
    where = rnd.random()
    if where < 0.15:  # the bunched fortnight (from 100 days ago) and around it
        lo = NOW - rnd.randrange(85 * DAY, 115 * DAY)
    elif where < 0.25:  # today
        lo = NOW - rnd.randrange(2 * DAY)
    elif where < 0.32:  # across the retention edge
        lo = NOW - 365 * DAY - rnd.randrange(-DAY, 30 * DAY)
    else:
        lo = NOW - rnd.randrange(365 * DAY)
    span = rnd.choice([3600, DAY, 3 * DAY, 20 * DAY, 90 * DAY, 200 * DAY, 400 * DAY])
    hi = lo + rnd.randrange(1, span)
    form = rnd.randrange(9)
    a, b = date_literal(rnd, lo), date_literal(rnd, hi, upper=True)
    if form == 0:
        return lo, None, ["date >= '%s'" % a]
    if form == 1:
        return lo, None, ["date > '%s'" % a]
    if form == 2:
        return None, hi, ["date < '%s'" % b]
    if form == 3:
        return lo, hi, ["date BETWEEN '%s' AND '%s'" % (a, b)]
    if form == 4:
        return lo, hi, ["date >= '%s'" % a, "date < '%s'" % b]
    if form == 5:
        return lo, hi, ["date > '%s'" % a, "date <= '%s'" % b]
    if form == 6:  # a value SQLite computes: pushed down all the same
        days = rnd.randrange(1, 60)
        return NOW - days * DAY, None, ["date >= datetime('%s', '-%d days')" % (
            sql_time(NOW), days)]
    if form == 7:
        return None, hi, ["date <= '%s'" % b]
    return lo, hi, ["date >= '%s'" % a, "date <= '%s'" % b]


def random_query(rnd, programs, eponymous, dated, first=None):
    """A random Query over programs (the first is the table's program_id option). first: a
    statement the cache may answer this one from (the same, or a window inside first's)."""
    if first is not None:
        if rnd.random() < 0.4:
            return first
        prog, type_term = first.prog, first.type_term
        if not type_term:
            type_term = rnd.choice(["", "", "type = 'MO'", "type = 'MT'"])
        lo, hi, terms = random_window(rnd, inside=first.window)
        window = (lo, hi)
    else:
        r = rnd.random()
        if len(programs) > 1 and r < 0.3:
            ids = sorted(rnd.sample(programs, rnd.randrange(2, len(programs) + 1)))
            prog = ("in", ids)
        elif not eponymous and r < 0.5:
            prog = ("default", [programs[0]])
        else:
            prog = ("eq", [rnd.choice(programs)])
        type_term = rnd.choice(["", "", "", "type = 'MO'", "type = 'MT'",
                                "type IN ('MO', 'MT')"])
        if rnd.random() < 0.35:
            window, terms = (None, None), []
        else:
            lo, hi, terms = random_window(rnd)
            window = (lo, hi)
    extra = ""
    if rnd.random() < 0.12:
        extra = rnd.choice(["delivery_status != 'Pending'", "number % 3 = 0",
                            "body LIKE '%STOP%'", "network IS NULL", "date IS NULL"])
    shape = rnd.choices(["rows", "order", "order_desc", "order_limit", "order_desc_limit",
                         "limit", "agg"], weights=[5, 2, 2, 3, 3, 2, 2])[0]
    limit = offset = None
    if shape in ("order_limit", "order_desc_limit", "limit"):
        limit = rnd.choice([1, 2, 5, 17, 60, 300, 1000])
        if rnd.random() < 0.25:
            offset = rnd.choice([1, 3, 40, 250])
    if shape == "agg":
        select = ("type, delivery_status, count(*), count(date), min(date), max(date), "
                  "count(DISTINCT number), sum(length(body)), count(DISTINCT network), "
                  "count(network), sum(number % 1000)")
    elif rnd.random() < 0.8:
        select = ALL_COLS
    else:
        select = rnd.choice(["date, number, delivery_status", "date", "date, type, body",
                             "number, date, raw"])
    tvf = eponymous and prog[0] == "eq" and rnd.random() < 0.5
    return Query(prog, type_term, window, terms, extra, select, shape, limit, offset, tvf)


# ---------------------------------------------------------------- comparison


def sub_multiset(a, b):
    """Whether Counter a is contained in Counter b."""
    return all(b[k] >= n for k, n in a.items())


def show(rows, n=4):
    return "; ".join(repr(r)[:300] for r in list(rows)[:n])


def date_sequence_wrong(ext_rows, local_rows, date_idx):
    """None when the two results have the same sequence of dates, else where they part."""
    ed = [r[date_idx] for r in ext_rows]
    ld = [r[date_idx] for r in local_rows]
    if ed == ld:
        return None
    i = next((i for i, (x, y) in enumerate(zip(ed, ld)) if x != y), min(len(ed), len(ld)))
    return "date sequence differs at row %d of %d (want %d): got %s, want %s" % (
        i, len(ed), len(ld), ed[i:i + 3], ld[i:i + 3])


def compare(q, ext_rows, local_rows, local_full, date_idx):
    """None when ext_rows is a right answer to q, else what is wrong."""
    if q.shape in ("rows", "agg"):
        e, l = collections.Counter(ext_rows), collections.Counter(local_rows)
        if e == l:
            return None
        return "rows differ (as multisets): %d rows, want %d; extra %s; missing %s" % (
            len(ext_rows), len(local_rows), show((e - l).elements()), show((l - e).elements()))
    if q.shape in ("order", "order_desc"):
        wrong = date_sequence_wrong(ext_rows, local_rows, date_idx)
        if wrong:
            return wrong
        e, l = collections.Counter(ext_rows), collections.Counter(local_rows)
        if e != l:
            return "rows differ (dates in order): extra %s; missing %s" % (
                show((e - l).elements()), show((l - e).elements()))
        return None
    if q.shape == "limit":
        if len(ext_rows) != len(local_rows):
            return "%d rows, want %d" % (len(ext_rows), len(local_rows))
        e, l = collections.Counter(ext_rows), collections.Counter(local_full)
        if not sub_multiset(e, l):
            return "rows that the local copy does not hold: %s" % show((e - l).elements())
        return None
    # ORDER BY date [DESC] LIMIT n [OFFSET m]
    wrong = date_sequence_wrong(ext_rows, local_rows, date_idx)
    if wrong:
        return wrong
    if not ext_rows:
        return None
    by_date = collections.defaultdict(collections.Counter)
    for r in local_full:
        by_date[r[date_idx]][r] += 1
    got = collections.defaultdict(collections.Counter)
    for r in ext_rows:
        got[r[date_idx]][r] += 1
    edges = {ext_rows[0][date_idx], ext_rows[-1][date_idx]}
    for d, c in got.items():
        want = by_date.get(d, collections.Counter())
        if d in edges:
            if not sub_multiset(c, want):
                return "rows of date %r that the local copy does not hold: %s" % (
                    d, show((c - want).elements()))
        elif c != want:
            return "rows of date %r differ: extra %s; missing %s" % (
                d, show((c - want).elements()), show((want - c).elements()))
    return None


# ---------------------------------------------------------------- running


class Setup:
    """One emulator with its flags, its local copy, and a connection to it."""

    def __init__(self, name, flags, seed):
        self.name, self.seed = name, seed
        self.flags = list(flags) + ["--seed", str(seed)]
        n = int(self.flags[self.flags.index("--programs") + 1])
        self.programs = [4711 + i for i in range(n)]
        self.emu = Emulator(*self.flags)
        self.dumps = {}
        for p in self.programs:
            self.dumps[p] = subprocess.run(
                [EMU, "--now", TEST_NOW, *self.flags, "--dump", str(p)], check=True,
                capture_output=True, text=True).stdout
        os.environ["SMS_API_BASE_URL"] = self.emu.url
        self.db = smstest.connect()  # the eponymous table reads the environment now
        self.local = sqlite3.connect(":memory:")
        self.tables = {}
        for t in ("t", "sms_messages"):
            self.local.execute(LOCAL_DDL.format(T=t))
            for p in self.programs:
                self.local.execute(LOCAL_LOAD.format(T=t, P=p, SRC="?"), (self.dumps[p],))
        # messages of the --dump that the clamp leaves out (dated in the first 5 seconds of
        # the year): none is usual
        self.clamped = sum(len(json.loads(d)) for d in self.dumps.values()) - \
            self.local.execute("SELECT count(*) FROM t").fetchone()[0]

    def table(self, plan, page_size):
        """The name of the extension's table for a plan and page size."""
        opts = PLANS.get(plan, plan)
        if opts is None:
            return "sms_messages"
        key = (opts, page_size)
        if key not in self.tables:
            name = "t%d" % len(self.tables)
            self.db.execute("CREATE VIRTUAL TABLE temp.%s USING sms_messages(%s)" % (
                name, table_options(self.programs, opts, page_size)))
            self.tables[key] = name
        return self.tables[key]

    def stop(self):
        self.db.close()
        self.local.close()
        self.emu.stop()


def table_options(programs, opts, page_size):
    return ", ".join(x for x in ["program_id=%d" % programs[0], "page_size=%d" % page_size,
                                 opts] if x)


def run_ext(db, sql):
    """(rows, column names) of sql on the extension's connection, or raises."""
    timer = threading.Timer(STMT_TIMEOUT, db.interrupt)
    timer.start()
    try:
        cur = db.execute(sql)
        rows = cur.fetchall()
        return rows, [d[0] for d in cur.description]
    finally:
        timer.cancel()


def repro(setup, plan, page_size, stmts):
    """A shell command line that reproduces a case: start the emulator, run the statements
    through the sqlite3 shell with the extension, and on a local copy of the --dump; diff."""
    flags = " ".join(shlex.quote(f) for f in setup.flags + ["--now", TEST_NOW])
    opts = PLANS.get(plan, plan)
    ext_t = "sms_messages" if opts is None else "t"
    ext_args = []
    if opts is not None:
        ext_args.append("CREATE VIRTUAL TABLE t USING sms_messages(%s);" % table_options(
            setup.programs, opts, page_size))
    loc_args = [LOCAL_DDL.format(T=ext_t) + ";"]
    for p in setup.programs:
        loc_args.append(LOCAL_LOAD.format(T=ext_t, P=p, SRC="readfile('%d.json')" % p) + ";")
    for q in stmts:
        ext_args.append(q.sql(ext_t, local=False) + ";")
        loc_args.append(q.sql(ext_t, local=True) + ";")
    dumps = "; ".join("$E $F --dump %d > %d.json" % (p, p) for p in setup.programs)
    return (
        "(cd \"$(mktemp -d)\" && E=%s && X=%s && F=%s && "
        "{ $E $F --user demo --password pw --port 0 --port-file port 2>/dev/null & } && "
        "until [ -s port ]; do sleep 0.05; done; %s; "
        "env -u SMS_PARALLEL -u SMS_CACHE_TTL -u SMS_CACHE_MB -u SMS_RATE_LIMIT "
        "SMS_API_BASE_URL=http://127.0.0.1:$(cat port)/api SMS_API_USERNAME=demo "
        "SMS_API_PASSWORD=pw SMS_EXPORT_NOW=%s sqlite3 -batch :memory: \".load $X\" %s "
        "> ext 2>&1; sqlite3 -batch :memory: %s > local 2>&1; kill $!; "
        "diff local ext > /dev/null && echo same output || "
        "{ diff <(sort local) <(sort ext) && echo 'same rows, another order'; })" % (
            shlex.quote(EMU), shlex.quote(EXT), shlex.quote(flags), dumps, TEST_NOW,
            " ".join(shlex.quote(a) for a in ext_args),
            " ".join(shlex.quote(a) for a in loc_args)))


class Stats:
    def __init__(self):
        self.cases = self.stmts = self.rows = self.failed = self.clamped = 0
        self.second = self.cache_answered = 0


def run_case(setup, plan, page_size, stmts, stats, clear_cache=True):
    """Run a case (one or two statements on one table); None, or what failed and how to
    reproduce it."""
    stats.cases += 1
    table = setup.table(plan, page_size)
    ext_t = "sms_messages" if PLANS.get(plan, plan) is None else "t"
    cached_plan = "cache_ttl=0" not in (PLANS.get(plan, plan) or "")
    if clear_cache:
        setup.db.execute("DELETE FROM sms_cache")
    for i, q in enumerate(stmts):
        stats.stmts += 1
        before = setup.db.execute("SELECT coalesce(max(seq), 0) FROM sms_requests").fetchone()[0]
        ext_sql = q.sql(table, local=False)
        try:
            ext_rows, names = run_ext(setup.db, ext_sql)
        except sqlite3.Error as e:
            return "statement %d: error: %s" % (i + 1, e)
        local_rows = setup.local.execute(q.sql(ext_t, local=True)).fetchall()
        local_full = local_rows
        if q.limit is not None:
            local_full = setup.local.execute(q.sql(ext_t, local=True, no_limit=True)).fetchall()
        stats.rows += len(ext_rows)
        if i > 0 and cached_plan:
            stats.second += 1
            api, cache = setup.db.execute(
                "SELECT count(*) FILTER (WHERE source = 'api'), "
                "count(*) FILTER (WHERE source = 'cache') FROM sms_requests WHERE seq > ?",
                (before,)).fetchone()
            if cache and not api:
                stats.cache_answered += 1
        date_idx = names.index("date") if "date" in names else None
        if date_idx is None and q.shape not in ("rows", "agg", "limit"):
            q.shape = "rows"  # pragma: no cover (every ordered query selects date)
        why = compare(q, ext_rows, local_rows, local_full, date_idx)
        if why:
            return "statement %d: %s" % (i + 1, why)
    return None


def case_statements(rnd, setup, plan):
    eponymous = PLANS.get(plan, plan) is None
    q = random_query(rnd, setup.programs, eponymous, True)
    stmts = [q]
    if "cache_ttl=0" not in (PLANS.get(plan, plan) or "") and rnd.random() < 0.6:
        stmts.append(random_query(rnd, setup.programs, eponymous, True, first=q))
    return stmts


def page_label(plan, page_size):
    return "page_size 500 (eponymous)" if PLANS.get(plan, plan) is None else \
        "page_size %d" % page_size


def report_failure(setup, plan, page_size, stmts, why, out=print, clear_cache=True):
    out("#   FAILED %s seed %d, plan %s, %s: %s" % (
        setup.name, setup.seed, plan, page_label(plan, page_size), why))
    for i, q in enumerate(stmts):
        out("#     statement %d: %s" % (i + 1, q.sql(
            "sms_messages" if PLANS.get(plan, plan) is None else "t", local=False)))
    if not clear_cache:
        out("#     (the cache held the windows of the setup's earlier cases: the command "
            "below starts with it empty)")
    out("#     reproduce: " + repro(setup, plan, page_size, stmts))


def grid():
    only = os.environ.get("EXACT_ONLY", "")
    stats = Stats()
    t0 = time.time()
    ok = True
    setups = {}
    for name, seed, plan, page_size, stmts in PINNED:
        if only and only not in name:
            continue
        if (name, seed) not in setups:
            setups[(name, seed)] = Setup(name, SETUPS[name], seed)
        setup = setups[(name, seed)]
        why = run_case(setup, plan, page_size, stmts, stats)
        desc = "exact, issue 18: %s --seed %d, %s, %s: %s" % (
            name, seed, plan, page_label(plan, page_size),
            stmts[0].sql("sms_messages" if PLANS[plan] is None else "t", False))
        if why:
            ok = False
            stats.failed += 1
            print("not ok - " + desc)
            report_failure(setup, plan, page_size, stmts, why)
        else:
            print("ok - " + desc)
    for setup in setups.values():
        setup.stop()
    for name, seeds, page_sizes, per_plan in GRID:
        if only and only not in name:
            continue
        for si, seed in enumerate(seeds):
            setup = Setup(name, SETUPS[name], seed)
            stats.clamped += setup.clamped
            rnd = random.Random("%s/%d" % (name, seed))
            for page_size in page_sizes[si::len(seeds)]:
                for plan in PLANS:
                    fails = []
                    n0 = stats.stmts
                    for _ in range(per_plan):
                        stmts = case_statements(rnd, setup, plan)
                        why = run_case(setup, plan, page_size, stmts, stats)
                        if why:
                            fails.append((stmts, why))
                    desc = "exact: %s --seed %d, %s, %s: %d statements" % (
                        name, seed, plan, page_label(plan, page_size), stats.stmts - n0)
                    if fails:
                        ok = False
                        stats.failed += len(fails)
                        print("not ok - %s, %d failed" % (desc, len(fails)))
                        for stmts, why in fails:
                            report_failure(setup, plan, page_size, stmts, why)
                    else:
                        print("ok - %s" % desc)
                    sys.stdout.flush()
            setup.stop()
    print("# %d cases, %d statements, %d rows, %d failed, in %.1f s; the cache answered %d of "
          "%d second statements; %d messages of the dumps lay before the retention clamp" % (
              stats.cases, stats.stmts, stats.rows, stats.failed, time.time() - t0,
              stats.cache_answered, stats.second, stats.clamped))
    smstest.check("the cache answered some of the second statements (else the grid does not "
                  "test it)", True, stats.cache_answered > 0 or bool(only))
    return ok


# ---------------------------------------------------------------- the campaign


def random_setup(rnd):
    flags = ["--programs", str(rnd.choice([1, 1, 1, 2, 3])),
             "--messages", str(rnd.choice([30, 200, 700, 1500, 3000]))]
    if rnd.random() < 0.6:
        flags.append("--doubles")
    if rnd.random() < 0.5:
        flags += ["--out-of-order", str(rnd.choice([2, 3, 4, 5, 7, 13, 50]))]
    if rnd.random() < 0.4:
        flags += ["--undated", str(rnd.choice([3, 5, 10, 30, 100]))]
    if rnd.random() < 0.3:
        flags += ["--bunched", str(rnd.choice([20, 50, 90, 100]))]
    if rnd.random() < 0.3:
        flags += ["--late-minutes", str(rnd.choice([5, 60, 1440, 10000]))]
    if rnd.random() < 0.3:
        flags += ["--report-minutes", str(rnd.choice([5, 60, 2880, 10000]))]
    if rnd.random() < 0.2:
        flags.append("--quirks")
    return flags


def campaign(seconds):
    seed = int(os.environ.get("EXACT_SEED", random.randrange(1 << 30)))
    print("# campaign of %d s, EXACT_SEED=%d" % (seconds, seed))
    rnd = random.Random(seed)
    stats = Stats()
    t0 = time.time()
    failures = []
    n_setups = 0
    while time.time() - t0 < seconds:
        flags = random_setup(rnd)
        setup = Setup("campaign", flags, rnd.randrange(1, 100000))
        stats.clamped += setup.clamped
        n_setups += 1
        for _ in range(40):
            if time.time() - t0 >= seconds:
                break
            plan = rnd.choice(list(PLANS) + ["parallel=%d" % rnd.randrange(1, 17),
                                             "parallel=%d, cache_ttl=0" % rnd.randrange(1, 17)])
            page_size = rnd.choice([rnd.randrange(1, 40), rnd.randrange(1, 501), 500, 300])
            stmts = case_statements(rnd, setup, plan)
            clear = rnd.random() < 0.8
            why = run_case(setup, plan, page_size, stmts, stats, clear_cache=clear)
            if why:
                stats.failed += 1
                failures.append(why)
                print("not ok - campaign case %d" % stats.cases)
                report_failure(setup, plan, page_size, stmts, why, clear_cache=clear)
                sys.stdout.flush()
        setup.stop()
    print("# campaign: %d cases (%d statements, %d rows) over %d emulator setups in %.0f s; "
          "%d failed; the cache answered %d of %d second statements; %d messages of the dumps "
          "lay before the retention clamp" % (
              stats.cases, stats.stmts, stats.rows, n_setups, time.time() - t0, stats.failed,
              stats.cache_answered, stats.second, stats.clamped))
    return not failures


def main():
    seconds = os.environ.get("EXACT_SECONDS")
    if seconds:
        ok = campaign(float(seconds))
    else:
        ok = grid()
    raise SystemExit(0 if ok and smstest._failures == 0 else 1)


if __name__ == "__main__":
    main()
