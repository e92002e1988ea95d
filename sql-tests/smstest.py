"""What the Python tests in sql-tests/t/ share: TAP-style checks, a connection with the
extension loaded, the runner's emulator request log, and emulators of a test's own. Import
it with

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from smstest import check, connect, ...

The shell tests' counterpart is sql-tests/lib.sh; the names and defaults here follow it.
"""
import atexit
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Set by sql-tests/run.sh; the defaults let a test run alone (those of lib.sh).
EXT = os.environ.get("EXT", os.path.join(ROOT, "build", "sms_export"))
EMU = os.path.join(ROOT, "build", "sms-emulator")
TEST_NOW = os.environ.get("TEST_NOW", "2026-06-30T12:00:00")
TEST_USER = os.environ.get("TEST_USER", "demo")
TEST_PASSWORD = os.environ.get("TEST_PASSWORD", "demo-Secret:42")

_failures = 0


def check(desc, want, got, detail=""):
    """One "ok - desc" or "not ok - desc" line; on failure both values, cut to 3000 chars,
    and detail when given (what a bare True/False does not say)."""
    global _failures
    if want == got:
        print(f"ok - {desc}")
    else:
        _failures += 1
        print(f"not ok - {desc}")
        print(f"#   want: {want!r}"[:3000])
        print(f"#   got:  {got!r}"[:3000])
        if detail:
            print(f"#   {detail}"[:3000])


def connect(path=":memory:", **kwargs):
    """A connection with the extension (EXT) loaded; kwargs go to sqlite3.connect."""
    db = sqlite3.connect(path, **kwargs)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    return db


def log_lines():
    """The runner's emulator log, a line per request."""
    with open(os.environ["main_LOG"]) as f:
        return f.read().splitlines()


def clear_log():
    open(os.environ["main_LOG"], "w").close()


class _Server:
    """A test server process of a test's own: waits for its port file, logs every request;
    stopped when the test exits, or by stop()."""

    def __init__(self, args):
        self.dir = tempfile.mkdtemp(prefix="srv.", dir=os.environ.get("TMPDIR_SMS"))
        self.port_file = os.path.join(self.dir, "port")
        self.log = os.path.join(self.dir, "log")
        with open(os.path.join(self.dir, "err"), "w") as err:
            # stdout not inherited: a test that dies without its atexit must not leave the
            # server holding the runner's pipe open (the runner would wait for it forever)
            self.proc = subprocess.Popen([str(a) for a in args(self.port_file, self.log)],
                                         stdout=subprocess.DEVNULL, stderr=err)
        atexit.register(self.stop)
        for _ in range(400):
            if os.path.exists(self.port_file) and os.path.getsize(self.port_file) > 0:
                with open(self.port_file) as f:
                    self.ports = [int(p) for p in f.read().split()]
                self.port = self.ports[0]
                self.url = "http://127.0.0.1:%d/api" % self.port
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.025)
        self.stop()
        with open(os.path.join(self.dir, "err")) as f:
            raise SystemExit("%s did not start: %s" % (args("PORT_FILE", "LOG")[:2], f.read()))

    def log_lines(self):
        """Its request log, a line per request."""
        with open(self.log) as f:
            return f.read().splitlines()

    def clear_log(self):
        open(self.log, "w").close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if not os.environ.get("TMPDIR_SMS"):  # the runner's folder goes as a whole
            shutil.rmtree(self.dir, ignore_errors=True)


class Emulator(_Server):
    """An sms-emulator on a free loopback port (lib.sh's emu_start). flags: more emulator
    flags. With test_login (the default), it has the runner's clock and login (lib.sh's
    emu_start_test)."""

    def __init__(self, *flags, test_login=True):
        login = ["--now", TEST_NOW, "--user", TEST_USER, "--password", TEST_PASSWORD]
        super().__init__(lambda port_file, log: [
            EMU, "--port", "0", "--port-file", port_file, "--log", log,
            *(login if test_login else []), *flags])


class HostileServer(_Server):
    """sql-tests/hosts/hostile_server.py (lib.sh's hostile_start): url is its API; other_port
    is the server its redirect points to. Log lines: "stub|other GET PATH auth=yes|no"."""

    def __init__(self):
        script = os.path.join(ROOT, "sql-tests", "hosts", "hostile_server.py")
        super().__init__(lambda port_file, log: [sys.executable, script, port_file, log])
        self.other_port = self.ports[1]


def finish():
    """Exit non-zero when a check failed."""
    raise SystemExit(1 if _failures else 0)
