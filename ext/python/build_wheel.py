#!/usr/bin/env python3
"""Build the Python wheel of sms_export with the standard library alone (no PyPI, no
setuptools run): a zip of the package sms_export (__init__.py with the version written in,
and the library), and its .dist-info (METADATA, WHEEL, LICENSE, RECORD), as PEP 427 says.

    build_wheel.py VERSION LIBRARY LICENSE README OUT_DIR PLATFORM   (PLATFORM: linux_x86_64)

Prints the wheel's path. Used by ext/dist.sh (`make dist`)."""

import base64
import hashlib
import os
import sys
import zipfile

# Every entry gets this time: the same inputs make the same wheel.
EPOCH = (2026, 1, 1, 0, 0, 0)


def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def main(argv):
    version, library, license_file, readme, out_dir, platform = argv[1:7]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "sms_export", "__init__.py"), encoding="utf-8") as f:
        init = f.read().replace("@VERSION@", version)
    with open(readme, encoding="utf-8") as f:
        summary_readme = f.read()
    info = "sms_export-%s.dist-info" % version
    metadata = "\n".join([
        "Metadata-Version: 2.1",
        "Name: sms_export",
        "Version: " + version,
        "Summary: A SQLite extension that reads the SMS export REST API as the table "
        "sms_messages",
        "License: MIT",
        "Requires-Python: >=3.7",
        "Description-Content-Type: text/markdown",
        "",
        summary_readme,
    ])
    wheel = "\n".join([
        "Wheel-Version: 1.0",
        "Generator: sms_export ext/python/build_wheel.py",
        "Root-Is-Purelib: false",
        "Tag: py3-none-" + platform,
        "",
    ])
    with open(library, "rb") as f:
        lib = f.read()
    with open(license_file, "rb") as f:
        lic = f.read()
    entries = [  # (name, bytes, mode)
        ("sms_export/__init__.py", init.encode("utf-8"), 0o644),
        ("sms_export/sms_export.so", lib, 0o755),
        (info + "/LICENSE", lic, 0o644),
        (info + "/METADATA", metadata.encode("utf-8"), 0o644),
        (info + "/WHEEL", wheel.encode("utf-8"), 0o644),
    ]
    record = "".join("%s,%s,%d\n" % (n, record_hash(d), len(d)) for n, d, _ in entries)
    record += info + "/RECORD,,\n"
    entries.append((info + "/RECORD", record.encode("utf-8"), 0o644))

    path = os.path.join(out_dir, "sms_export-%s-py3-none-%s.whl" % (version, platform))
    with zipfile.ZipFile(path + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in entries:
            zi = zipfile.ZipInfo(name, EPOCH)
            zi.external_attr = (0o100000 | mode) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    os.replace(path + ".tmp", path)
    print(path)


if __name__ == "__main__":
    main(sys.argv)
