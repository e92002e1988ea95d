"""Run the examples of the user docs and check their output (see ext_docs_examples.sh).

Usage: python3 run_examples.py WORKDIR EXT DOC.md...

Every fenced block of a doc is looked at, in order, with the marker comment on the line
just before its opening fence (blank lines between are allowed):

    ```sql            run in the sqlite3 shell with the extension loaded, in one database
                      file per doc (so a table made by one block is there for the next);
                      always run: it must at least run without an error
    ```sh             run by bash only when marked <!-- docs-test: run -->; unmarked shell
                      blocks (build steps, starting servers) are illustrative, reported as
                      "# skip" lines
    <!-- docs-test: file NAME -->
                      before any block: write the block to WORKDIR/NAME (a script that a
                      later shell block runs); the block is not run itself
    <!-- docs-test: output -->
                      before a ```text block: the exact output (stdout and stderr) of the
                      block run just before it

Blocks run in WORKDIR, which holds a `build` link to the project's build folder, so
`.load ./build/sms_export` works as it does from the top of the project. The emulator's
port in any output is replaced by 8080, the port docs/getting-started.md uses.

Prints one TAP line per block run: "ok - docs/x.md:LINE sql" or "not ok - ..." with a diff.
With UPDATE_EXPECTED=1 (as for the runner's .expected files) the output blocks of the docs
are rewritten with what the examples print now: read the diff before committing it.
"""
import difflib
import os
import re
import subprocess
import sys

MARKER = re.compile(r"^<!--\s*docs-test:\s*(\S+)(?:\s+(.*?))?\s*-->\s*$")
FENCE = re.compile(r"^(```+)\s*([A-Za-z0-9_+-]*)\s*$")
ERROR = re.compile(r"^(Runtime error|Parse error|Error)\b", re.M)


def parse(path):
    """The fenced blocks of a Markdown file: dicts of lang, line, text, marker, arg."""
    blocks = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    marker = arg = None
    while i < len(lines):
        line = lines[i]
        m = MARKER.match(line.strip())
        if m:
            marker, arg = m.group(1), m.group(2)
            i += 1
            continue
        f = FENCE.match(line)
        if f:
            fence, lang, start = f.group(1), f.group(2).lower(), i + 1
            body = []
            i += 1
            while i < len(lines) and lines[i].strip() != fence:
                body.append(lines[i])
                i += 1
            blocks.append({"lang": lang, "line": start, "text": "\n".join(body) + "\n",
                           "marker": marker, "arg": arg, "end": i})
            marker = arg = None
        elif line.strip():
            marker = arg = None  # a marker counts only right before its block
        i += 1
    return blocks


def run(block, lang, workdir, ext, db, env):
    if lang == "sql":
        argv = ["sqlite3", "-batch", "-cmd", ".load " + ext, db]
    else:
        argv = ["bash", "-e", "-o", "pipefail"]
    try:
        p = subprocess.run(argv, input=block["text"].encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, cwd=workdir, env=env, timeout=120)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        return -1, (e.stdout or b"").decode("utf-8", "replace") + "\n(timed out)"


def main():
    workdir, ext, docs = sys.argv[1], sys.argv[2], sys.argv[3:]
    port = re.search(r":(\d+)/", os.environ.get("SMS_API_BASE_URL", "") + "/")
    env = dict(os.environ)
    env["PATH"] = "/usr/bin:/bin:" + env.get("PATH", "")  # Debian's sqlite3 and python3
    failures = 0
    for doc in docs:
        name = os.path.relpath(doc, os.path.dirname(os.path.dirname(os.path.abspath(doc))))
        db = os.path.join(workdir, os.path.basename(doc) + ".db")
        if os.path.exists(db):
            os.remove(db)
        blocks = parse(doc)
        last = None  # the block run just before, waiting for its output
        updates = []  # (first line, closing fence index, new text) of output blocks
        for b in blocks + [None]:
            is_output = b is not None and b["marker"] == "output"
            if is_output and last is None:
                print("not ok - %s:%d output block with no run block just before it"
                      % (name, b["line"]))
                failures += 1
                continue
            if last is not None:
                rc, out = last["result"]
                if port:
                    out = out.replace("127.0.0.1:" + port.group(1), "127.0.0.1:8080")
                where = "%s:%d %s" % (name, last["line"], last["lang"])
                if is_output:
                    want = b["text"].rstrip("\n")
                    got = out.rstrip("\n")
                    ok = want == got
                    if not ok and os.environ.get("UPDATE_EXPECTED"):
                        updates.append((b["line"], b["end"], got))
                    why = difflib.unified_diff(want.split("\n"), got.split("\n"),
                                               "expected (in the doc)", "actual", lineterm="")
                else:
                    ok = rc == 0 and not ERROR.search(out)
                    why = ["exit %d" % rc] + out.rstrip("\n").split("\n")
                print(("ok - " if ok else "not ok - ") + where)
                if not ok:
                    failures += 1
                    for line in list(why)[:60]:
                        print("#   " + line)
                last = None
            if b is None or is_output:
                continue
            if b["marker"] == "file":
                with open(os.path.join(workdir, b["arg"]), "w", encoding="utf-8") as f:
                    f.write(b["text"])
                continue
            if b["lang"] == "sql":
                if b["marker"] not in (None, "run"):
                    print("not ok - %s:%d sql: marker '%s' on an SQL block (every SQL block "
                          "runs)" % (name, b["line"], b["marker"]))
                    failures += 1
                    continue
                b["result"] = run(b, "sql", workdir, ext, db, env)
                last = b
            elif b["lang"] in ("sh", "bash", "shell") and b["marker"] == "run":
                b["result"] = run(b, "sh", workdir, ext, db, env)
                last = b
            elif b["lang"] in ("sh", "bash", "shell", "python"):
                print("# skip %s:%d %s (illustrative, not marked to run)"
                      % (name, b["line"], b["lang"]))
        if updates:
            with open(doc, encoding="utf-8") as f:
                lines = f.read().split("\n")
            for first, end, text in reversed(updates):
                lines[first:end] = text.split("\n") if text else []
            with open(doc, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
