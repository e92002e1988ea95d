"""static_pages.py: the emulator's pages, pre-rendered for a static server (nginx).

Usage: /usr/bin/python3 static_pages.py PAGES_DIR PATHS_FILE OLD_ORIGIN OUT_DIR NEW_ORIGIN [gz]

PAGES_DIR holds the bodies the emulator sent for the requests in PATHS_FILE (one path a
line, /api/...?..., in the order of p00001.json, p00002.json, ...), whose nextPageUrl start
with OLD_ORIGIN (http://127.0.0.1:PORT). Writes OUT_DIR/api/p/N.json, each nextPageUrl
rewritten to NEW_ORIGIN/api/p/M.json (the static file of that page: a server that stores its
pages), and, with `gz`, N.json.gz beside each (gzip level 6, for nginx's gzip_static).
Prints the nginx `map $request_uri` lines of the requests no nextPageUrl leads to (the first
page of each chain: the extension builds those URLs itself).
"""
import gzip
import os
import re
import sys


def main():
    pages_dir, paths_file, old_origin, out_dir, new_origin = sys.argv[1:6]
    compress = len(sys.argv) > 6 and sys.argv[6] == "gz"
    paths = [line.strip() for line in open(paths_file) if line.strip()]
    index = {p: i + 1 for i, p in enumerate(paths)}
    followed = set()
    os.makedirs(os.path.join(out_dir, "api", "p"), exist_ok=True)
    next_re = re.compile(rb'"nextPageUrl":"([^"]*)"')
    for i in range(1, len(paths) + 1):
        body = open(os.path.join(pages_dir, "p%05d.json" % i), "rb").read()

        def static(m):
            url = m.group(1).decode()
            if not url.startswith(old_origin) or url[len(old_origin):] not in index:
                sys.exit("static_pages.py: page %d: nextPageUrl %s is not a page of %s" %
                         (i, url, paths_file))
            j = index[url[len(old_origin):]]
            followed.add(j)
            return b'"nextPageUrl":"%s/api/p/%d.json"' % (new_origin.encode(), j)

        body = next_re.sub(static, body, count=1)
        out = os.path.join(out_dir, "api", "p", "%d.json" % i)
        with open(out, "wb") as f:
            f.write(body)
        if compress:
            with open(out + ".gz", "wb") as f:
                f.write(gzip.compress(body, compresslevel=6, mtime=0))
    for i, p in enumerate(paths, 1):
        if i not in followed:
            print('"%s" /api/p/%d.json;' % (p, i))


if __name__ == "__main__":
    main()
