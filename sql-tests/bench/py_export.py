"""py_export.py: the exporter a user might write with Python's standard library alone.

Usage: /usr/bin/python3 py_export.py FIRST_URL DB_FILE
       (credentials from SMS_API_USERNAME / SMS_API_PASSWORD)

Follows the API's nextPageUrl from FIRST_URL with urllib (Basic auth sent up front, as
with `requests`' auth=(u, p); no compression, one connection per request, as urllib does),
decodes each page with json, and inserts the rows into the table `copy` of DB_FILE with
the sqlite3 module in one transaction. Prints the number of rows and of requests.
"""
import base64
import json
import os
import sqlite3
import sys
import urllib.request

COLUMNS = ["campaignName", "programName", "programType", "type", "deliveryStatus",
           "number", "body", "date", "network"]


def main():
    url, db_file = sys.argv[1], sys.argv[2]
    token = base64.b64encode(("%s:%s" % (os.environ["SMS_API_USERNAME"],
                                         os.environ["SMS_API_PASSWORD"])).encode()).decode()
    db = sqlite3.connect(db_file)
    db.execute("CREATE TABLE copy(campaign_name TEXT, program_name TEXT, program_type TEXT,"
               " type TEXT, delivery_status TEXT, number INTEGER, body TEXT, date TEXT,"
               " network TEXT)")
    n_rows = n_requests = 0
    with db:
        while url:
            req = urllib.request.Request(url, headers={"Authorization": "Basic " + token})
            with urllib.request.urlopen(req) as resp:
                page = json.loads(resp.read())
            n_requests += 1
            rows = [tuple(m.get(c) for c in COLUMNS) for m in page["data"]]
            # the extension's date format: 'YYYY-MM-DD HH:MM:SS'
            rows = [r[:7] + ((r[7] or "").replace("T", " ")[:19],) + r[8:] for r in rows]
            db.executemany("INSERT INTO copy VALUES (?,?,?,?,?,?,?,?,?)", rows)
            n_rows += len(rows)
            url = (page.get("meta") or {}).get("nextPageUrl")
    db.close()
    print(n_rows, n_requests)


if __name__ == "__main__":
    main()
