"""sms_export: the SQLite extension that reads the SMS export REST API as the table
sms_messages, packaged for Python (the wheel `make dist` builds).

    import sqlite3, sms_export
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    sms_export.load(db)
    db.enable_load_extension(False)
    db.execute("SELECT count(*) FROM sms_messages(4711)").fetchone()

load() takes any connection with a load_extension(path) method: the standard library's
sqlite3 (when its SQLite allows extensions: Debian's does, some builds do not), or apsw's
(whose releases before 3.41, Debian 12's among them, call it loadextension).
The library needs libcurl (4) and libcjson (1) on the machine; without them load() raises
an error that says which one is missing and how to install it.
"""

import os

__version__ = "@VERSION@"  # the VERSION file's, written in when the wheel is built
__all__ = ["load", "loadable_path", "__version__"]

_NEEDS = ("the extension needs libcurl 4 and libcjson 1 on this machine: on Debian or Ubuntu "
          "apt-get install libcurl4 libcjson1; on Fedora dnf install libcurl cjson")


def loadable_path():
    """The path of the library without its suffix, as load_extension() takes it."""
    return os.path.normpath(os.path.join(os.path.dirname(__file__), "sms_export"))


def load(conn):
    """Load the extension into conn (loading must be enabled on it)."""
    loader = getattr(conn, "load_extension", None) or getattr(conn, "loadextension", None)
    if loader is None:
        raise TypeError("sms_messages: load() needs a connection with a load_extension() "
                        "method (sqlite3's or apsw's), not %s" % type(conn).__name__)
    try:
        loader(loadable_path())
    except Exception as e:
        text = str(e)
        if "cannot open shared object file" not in text:
            raise
        # The dynamic loader could not find a library the extension links: say which
        # and how to get it, in the error's own type.
        raise type(e)("sms_messages: cannot load %s: %s; %s" %
                      (loadable_path(), text, _NEEDS)) from e
