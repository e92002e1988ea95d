#!/usr/bin/env bash
# Paging of the emulator: pageSize (default 50, 1..500), nextPageUrl (the
# exact full URL with the same parameters plus page=N+1, null on the last
# page), empty results, --public-url, the three --shape layouts, and --dump
# being byte for byte the concatenation of all pages of a full-year query.
source "$(dirname "$0")/../lib.sh"
FLAGS=(--programs 3 --messages 1234 --seed 3)
emu_start_test e "${FLAGS[@]}" || exit 1
B=$REQ_BODY   # the body of the last req (lib.sh)
U=$e_URL/messages/program/4711
AUTH="$TEST_USER:$TEST_PASSWORD"
YEAR=startDate=2025-06-30T12:00:00   # now - 365 days: every message

py() { "$PYTHON3" -c "import json; d=json.load(open('$B')); $1"; }
next_url() { py 'print(d["meta"]["nextPageUrl"])'; }
n_data() { py 'print(len(d["data"]))'; }

req "$U?$YEAR" >/dev/null
check "default pageSize is 50" 50 "$(n_data)"
check "nextPageUrl of page 1: same query plus page=2" \
  "http://127.0.0.1:$e_PORT/api/messages/program/4711?$YEAR&page=2" "$(next_url)"
req "$U?messageType=MO&$YEAR&pageSize=100" >/dev/null
check "nextPageUrl keeps the parameters in their order" \
  "http://127.0.0.1:$e_PORT/api/messages/program/4711?messageType=MO&$YEAR&pageSize=100&page=2" \
  "$(next_url)"
req "$(next_url)" >/dev/null
check "page 2 is 100 MOs" "100 MO" \
  "$(py 'print(len(d["data"]), "".join(sorted(set(m["type"] for m in d["data"]))))')"
check "nextPageUrl of page 2: page=3" \
  "http://127.0.0.1:$e_PORT/api/messages/program/4711?messageType=MO&$YEAR&pageSize=100&page=3" \
  "$(next_url)"
req "$U?page=2&$YEAR&pageSize=10" >/dev/null
check "page given first: it moves to the end of nextPageUrl" \
  "http://127.0.0.1:$e_PORT/api/messages/program/4711?$YEAR&pageSize=10&page=3" "$(next_url)"
req "$U?startDate=2025-06-30T12%3A00%3A00&pageSize=10" >/dev/null
check "nextPageUrl repeats percent-encoded values as sent" \
  "http://127.0.0.1:$e_PORT/api/messages/program/4711?startDate=2025-06-30T12%3A00%3A00&pageSize=10&page=2" \
  "$(next_url)"

# The last page: 1234 = 2*500 + 234.
req "$U?$YEAR&pageSize=500&page=3" >/dev/null
check "last page: the remainder, nextPageUrl null" "234 None" "$(py 'print(len(d["data"]), d["meta"]["nextPageUrl"])')"
req "$U?$YEAR&pageSize=500&page=2" >/dev/null
check "page before the last: full, has a next page" "500 True" \
  "$(py 'print(len(d["data"]), d["meta"]["nextPageUrl"].endswith("&page=3"))')"
req "$U?$YEAR&pageSize=1&page=1234" >/dev/null
check "page 1234 of pageSize 1: the last message, no next" "1 None" \
  "$(py 'print(len(d["data"]), d["meta"]["nextPageUrl"])')"
req "$U?$YEAR&pageSize=1&page=1233" >/dev/null
check "page 1233 of pageSize 1: has a next page" "1 True" \
  "$(py 'print(len(d["data"]), d["meta"]["nextPageUrl"] is not None)')"
check "page past the end: 200" 200 "$(req "$U?$YEAR&pageSize=500&page=4")"
check "page past the end: empty, null" "[] None" "$(py 'print(d["data"], d["meta"]["nextPageUrl"])')"
check "huge page number: 200, empty" "200 0" "$(req "$U?$YEAR&pageSize=500&page=999999999") $(n_data)"
req "$U?$YEAR&pageSize=2&page=617" >/dev/null
check "exact multiple: pageSize 2, page 617 is the last and full" "2 None" \
  "$(py 'print(len(d["data"]), d["meta"]["nextPageUrl"])')"

# An empty result is one page.
check "empty result: 200" 200 "$(req "$U?startDate=2026-06-30T12:00:01")"
check "empty result: exact body" \
  '{"meta":{"attributes":{},"generalErrors":[],"fieldErrors":{},"nextPageUrl":null},"data":[]}' \
  "$(cat "$B")"

# All pages of a full-year query = --dump, byte for byte.
"$EMU" "${FLAGS[@]}" --now "$TEST_NOW" --dump 4711 > "$TMPDIR_SMS/dump.json"
pages=$TMPDIR_SMS/pages
: > "$pages"
url="$U?$YEAR&pageSize=500"
n=0
while [ -n "$url" ] && [ $n -lt 10 ]; do
  curl -s -u "$AUTH" "$url" >> "$pages"; echo >> "$pages"
  url=$(tail -n 1 "$pages" | grep -o '"nextPageUrl":"[^"]*"' | cut -d'"' -f4)
  n=$((n + 1))
done
check "full year: 3 pages" 3 "$n"
check "--dump = concatenation of the pages, byte for byte" "same 1234" "$("$PYTHON3" - "$pages" "$TMPDIR_SMS/dump.json" <<'PY'
import json, sys
parts = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    head = line.index(',"data":[')
    assert line.endswith("]}")
    parts.append(line[head + len(',"data":['):-2])
joined = "[" + ",".join(parts) + "]\n"
dump = open(sys.argv[2], encoding="utf-8").read()
print("same" if joined == dump else "differ", len(json.loads(dump)))
PY
)"
check "--dump of program 4713 has 1234 messages too" 1234 \
  "$("$EMU" "${FLAGS[@]}" --now "$TEST_NOW" --dump 4713 | "$PYTHON3" -c 'import json,sys; print(len(json.load(sys.stdin)))')"

# --public-url: nextPageUrl on another origin.
emu_start_test pub "${FLAGS[@]}" --public-url https://sms.example.test/base/api/ || exit 1
req "$pub_URL/messages/program/4712?$YEAR&pageSize=5" >/dev/null
check "--public-url builds nextPageUrl (trailing / dropped)" \
  "https://sms.example.test/base/api/messages/program/4712?$YEAR&pageSize=5&page=2" "$(next_url)"

# --shape top-next: nextPageUrl beside meta.
emu_start_test top "${FLAGS[@]}" --shape top-next || exit 1
req "$top_URL/messages/program/4711?$YEAR&pageSize=5" >/dev/null
check "top-next: keys" "['meta', 'nextPageUrl', 'data'] ['attributes', 'generalErrors', 'fieldErrors']" \
  "$(py 'print(list(d), list(d["meta"]))')"
check "top-next: nextPageUrl" \
  "http://127.0.0.1:$top_PORT/api/messages/program/4711?$YEAR&pageSize=5&page=2 5" \
  "$(py 'print(d["nextPageUrl"], len(d["data"]))')"
req "$top_URL/messages/program/4711?$YEAR&pageSize=500&page=3" >/dev/null
check "top-next: last page null" "None 234" "$(py 'print(d["nextPageUrl"], len(d["data"]))')"
req "$top_URL/messages/program/4711?pageSize=0" >/dev/null
check "top-next: errors keep the envelope" "pageSize '0' is not valid: use an integer from 1 to 500 None" \
  "$(py 'print(d["meta"]["generalErrors"][0], d["nextPageUrl"])')"

# --shape bare: the body is the array of the whole result; pageSize ignored.
emu_start_test bare "${FLAGS[@]}" --shape bare || exit 1
req "$bare_URL/messages/program/4711?$YEAR&pageSize=5" >/dev/null
check "bare: the whole result as one array" "list 1234" \
  "$(py 'print(type(d).__name__, len(d))')"
check "bare: same bytes as --dump" "$(head -c -1 "$TMPDIR_SMS/dump.json")" "$(cat "$B")"
req "$bare_URL/messages/program/4711" >/dev/null
check "bare: today only without dates" \
  "$("$PYTHON3" -c "import json; print(sum(m['date'].startswith('2026-06-30') for m in json.load(open('$TMPDIR_SMS/dump.json'))))")" \
  "$(py 'print(len(d))')"
check "bare: errors keep the envelope" 400 \
  "$(req "$bare_URL/messages/program/4711?pageSize=0")"
check "bare: error body" "pageSize '0' is not valid: use an integer from 1 to 500" \
  "$(py 'print(d["meta"]["generalErrors"][0])')"
