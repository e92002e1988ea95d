"""What the Python tests in sql-tests/t/ share: TAP-style checks, a connection with the
extension loaded, and the runner's emulator request log. Import it with

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from smstest import check, connect, ...
"""
import os
import sqlite3

_failures = 0


def check(desc, want, got):
    """One "ok - desc" or "not ok - desc" line; on failure both values, cut to 3000 chars."""
    global _failures
    if want == got:
        print(f"ok - {desc}")
    else:
        _failures += 1
        print(f"not ok - {desc}")
        print(f"#   want: {want!r}"[:3000])
        print(f"#   got:  {got!r}"[:3000])


def connect(path=":memory:", **kwargs):
    """A connection with the extension (EXT, set by the runner) loaded."""
    db = sqlite3.connect(path, **kwargs)
    db.enable_load_extension(True)
    db.load_extension(os.environ["EXT"])
    db.enable_load_extension(False)
    return db


def log_lines():
    """The runner's emulator log, a line per request."""
    with open(os.environ["main_LOG"]) as f:
        return f.read().splitlines()


def clear_log():
    open(os.environ["main_LOG"], "w").close()


def finish():
    """Exit non-zero when a check failed."""
    raise SystemExit(1 if _failures else 0)
