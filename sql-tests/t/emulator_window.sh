#!/usr/bin/env bash
# The date rules of the emulator, checked against its own --dump: the
# "today only" trap, only startDate, only endDate, inclusive bounds,
# messageType, ascending order, and the one-year limits at the exact second.
# now is 2026-06-30T12:00:00, so now-365d = 2025-06-30T12:00:00.
source "$(dirname "$0")/../lib.sh"
FLAGS=(--programs 2 --messages 1000 --seed 7)
emu_start_test e "${FLAGS[@]}" || exit 1
DUMP=$TMPDIR_SMS/dump.json
"$EMU" "${FLAGS[@]}" --now "$TEST_NOW" --dump 4712 > "$DUMP"
B=$REQ_BODY   # the body of the last req (lib.sh)
U=$e_URL/messages/program/4712
AUTH="$TEST_USER:$TEST_PASSWORD"

first_error() {
  "$PYTHON3" -c "import json; print(json.load(open('$B'))['meta']['generalErrors'][0])"
}
# fetch_all URL: follow nextPageUrl; one page body per line in $TMPDIR_SMS/pages
fetch_all() {
  local url=$1 n=0 out=$TMPDIR_SMS/pages
  : > "$out"
  while [ -n "$url" ] && [ $n -lt 100 ]; do
    curl -s -u "$AUTH" "$url" >> "$out"
    echo >> "$out"
    url=$(tail -n 1 "$out" | grep -o '"nextPageUrl":"[^"]*"' | head -n 1 | cut -d'"' -f4)
    n=$((n + 1))
  done
}
# expect PYTHON-PREDICATE-ON-m: compare the fetched pages with the dump
# filtered by the predicate; prints "COUNT same" or what differs
expect() {
  "$PYTHON3" - "$DUMP" "$TMPDIR_SMS/pages" "$1" <<'PY'
import json, sys
dump = json.load(open(sys.argv[1]))
pred = eval("lambda m: " + sys.argv[3])
want = [m for m in dump if pred(m)]
got = []
for line in open(sys.argv[2]):
    got += json.loads(line)["data"]
if got == want:
    print(len(got), "same")
else:
    print("got", len(got), "want", len(want),
          "first got", got[:1], "first want", want[:1])
PY
}
n_of() { "$PYTHON3" -c "import json; print(sum(1 for m in json.load(open('$DUMP')) if $1))"; }

# The "today only" trap: no dates -> exactly the messages dated 2026-06-30.
today=$(n_of 'm["date"].startswith("2026-06-30")')
check_match "the data have at least 3 messages today" '^([3-9]|[1-9][0-9]+)$' "$today"
check_match "the data have messages yesterday after 12:00 (a 24-hour window would show them)" \
  '^[1-9]' "$(n_of '"2026-06-29T12:00:00" <= m["date"] <= "2026-06-29T23:59:59"')"
fetch_all "$U?pageSize=2"
check "no dates: only today's messages, all of them" "$today same" \
  "$(expect 'm["date"].startswith("2026-06-30")')"
fetch_all "$U"
check "no dates, no pageSize: the same" "$today same" \
  "$(expect 'm["date"].startswith("2026-06-30")')"
fetch_all "$U?messageType=MO"
check "no dates, MO: today's MOs" \
  "$(n_of 'm["date"].startswith("2026-06-30") and m["type"] == "MO"') same" \
  "$(expect 'm["date"].startswith("2026-06-30") and m["type"] == "MO"')"

# Only startDate: from it to the last message.
fetch_all "$U?startDate=2026-05-15T06:30:00&pageSize=100"
check "only startDate: everything from it on" \
  "$(n_of 'm["date"] >= "2026-05-15T06:30:00"') same" \
  "$(expect 'm["date"] >= "2026-05-15T06:30:00"')"

# Only endDate: from now - 365 days to it.
fetch_all "$U?endDate=2025-09-01T00:00:00&pageSize=100"
check "only endDate: from a year ago to it" \
  "$(n_of 'm["date"] <= "2025-09-01T00:00:00"') same" \
  "$(expect 'm["date"] <= "2025-09-01T00:00:00"')"

# Both bounds inclusive, at seconds where several messages share the date.
read -r d1 d2 <<<"$("$PYTHON3" -c "
import json, collections
d = json.load(open('$DUMP'))
c = collections.Counter(m['date'] for m in d)
ties = sorted(k for k, v in c.items() if v >= 2)
print(ties[1], ties[-2])")"
fetch_all "$U?startDate=$d1&endDate=$d2&pageSize=500"
check "both bounds inclusive (ties at both ends: $d1 .. $d2)" \
  "$(n_of "'$d1' <= m['date'] <= '$d2'") same" "$(expect "'$d1' <= m['date'] <= '$d2'")"
check_match "the bounds matter: more than the open interval" '^[0-9]+$' \
  "$(( $(n_of "'$d1' <= m['date'] <= '$d2'") - $(n_of "'$d1' < m['date'] < '$d2'") - 4 ))"
fetch_all "$U?startDate=$d1&endDate=$d1"
check "a one-second window returns every message of that second" \
  "$(n_of "m['date'] == '$d1'") same" "$(expect "m['date'] == '$d1'")"
midnight=$("$PYTHON3" -c "
import json; print(next(m['date'] for m in json.load(open('$DUMP')) if m['date'].endswith('T00:00:00') and m['date'] < '2026-06-30'))")
fetch_all "$U?startDate=$midnight&endDate=${midnight%T*}T23:59:59&pageSize=7"
check "a whole day from 00:00:00 to 23:59:59 (${midnight%T*})" \
  "$(n_of "m['date'].startswith('${midnight%T*}')") same" \
  "$(expect "m['date'].startswith('${midnight%T*}')")"

# messageType over a window.
fetch_all "$U?startDate=2026-01-01T00:00:00&endDate=2026-03-31T23:59:59&messageType=MT&pageSize=50"
check "messageType MT over a window" \
  "$(n_of '"2026-01-01" <= m["date"] <= "2026-03-31T23:59:59" and m["type"] == "MT"') same" \
  "$(expect '"2026-01-01" <= m["date"] <= "2026-03-31T23:59:59" and m["type"] == "MT"')"
fetch_all "$U?startDate=2026-01-01T00:00:00&endDate=2026-03-31T23:59:59&messageType=MO&pageSize=50"
check "messageType MO over a window" \
  "$(n_of '"2026-01-01" <= m["date"] <= "2026-03-31T23:59:59" and m["type"] == "MO"') same" \
  "$(expect '"2026-01-01" <= m["date"] <= "2026-03-31T23:59:59" and m["type"] == "MO"')"

# Ascending date order inside and across pages.
fetch_all "$U?startDate=2025-06-30T12:00:00&pageSize=37"
check "pages are in ascending date order" "sorted" "$("$PYTHON3" -c "
import json
ds = [m['date'] for l in open('$TMPDIR_SMS/pages') for m in json.loads(l)['data']]
print('sorted' if ds == sorted(ds) and len(ds) == 1000 else 'not sorted')")"

# A window in the future is empty, not an error.
check "future window: 200" 200 "$(req "$U?startDate=2026-07-01T00:00:00")"
check "future window: empty" "[] None" \
  "$("$PYTHON3" -c "import json; d=json.load(open('$B')); print(d['data'], d['meta']['nextPageUrl'])")"

# The one-year limits, at the exact second.
check "startDate exactly 365 days ago: 200" 200 "$(req "$U?startDate=2025-06-30T12:00:00")"
check "startDate 365 days and 1 second ago: 400" 400 "$(req "$U?startDate=2025-06-30T11:59:59")"
check "startDate too old: message" \
  "startDate '2025-06-30T11:59:59' is more than one year ago: older messages are available from Client Support" \
  "$(first_error)"
check "startDate too old: fieldErrors" '["startDate"]' \
  "$("$PYTHON3" -c "import json; print(json.dumps(list(json.load(open('$B'))['meta']['fieldErrors'])))")"
check "too old with an endDate too: 400" 400 \
  "$(req "$U?startDate=2025-01-01T00:00:00&endDate=2025-02-01T00:00:00")"
check "a 365-day window: 200" 200 \
  "$(req "$U?startDate=2025-07-01T00:00:00&endDate=2026-07-01T00:00:00")"
check "a window of 365 days and 1 second: 400" 400 \
  "$(req "$U?startDate=2025-07-01T00:00:00&endDate=2026-07-01T00:00:01")"
check "window too long: message" \
  "the window from startDate '2025-07-01T00:00:00' to endDate '2026-07-01T00:00:01' is longer than one year (365 days): split it into shorter windows" \
  "$(first_error)"
check "window too long: fieldErrors" '["endDate"]' \
  "$("$PYTHON3" -c "import json; print(json.dumps(list(json.load(open('$B'))['meta']['fieldErrors'])))")"
check "only an endDate far in the future: 200" 200 "$(req "$U?endDate=2030-01-01T00:00:00&pageSize=1")"

# --clock-runs: the one-year limit follows a clock that advances from --now; the data stay.
emu_start_test run --clock-runs || exit 1
R=$run_URL/messages/program/4712
check "clock-runs: startDate 365 days before --now + 3 s, at once: 200" 200 \
  "$(req "$R?startDate=2025-06-30T12:00:03&pageSize=1")"
sleep 4.2
check "clock-runs: the same 4 s later: 400, more than a year ago by then" 400 \
  "$(req "$R?startDate=2025-06-30T12:00:03&pageSize=1")"

# The Date header says the server's own now, on every answer (a 400 included), not the
# host's: a client learns the server's clock from it.
date_of() { curl -s -D - -o /dev/null -u "$AUTH" "$1" | tr -d '\r' | sed -n 's/^Date: //p'; }
check "fixed --now: Date is --now (a 200)" "Tue, 30 Jun 2026 12:00:00 GMT" \
  "$(date_of "$U?startDate=2026-06-01T00:00:00&pageSize=1")"
check "fixed --now: Date is --now (a 400)" "Tue, 30 Jun 2026 12:00:00 GMT" \
  "$(date_of "$U?startDate=2024-06-01T00:00:00&pageSize=1")"

# --clock-offset S: the server's clock is the host's plus S, running; the limit and the Date
# follow it.
emu_start off --clock-offset -600 --programs 1 || exit 1
t=$(date +%s)
got=$(date -u -d "$(date_of "$off_URL/messages/program/4711?pageSize=1")" +%s)
check_match "clock-offset -600: Date is the host's clock - 600 s ($((got - t)))" '^1$' \
  "$(( got - t >= -601 && got - t <= -599 ))"
edge=$(date -u -d "@$((t - 600 - 365 * 86400 + 2))" +%Y-%m-%dT%H:%M:%S)
check "clock-offset -600: a startDate 365 days before its clock (+2 s; 10 minutes past the host's year): 200" 200 \
  "$(curl -s -o /dev/null -w '%{http_code}' -u demo:demo-secret "$off_URL/messages/program/4711?startDate=$edge&pageSize=1")"
edge=$(date -u -d "@$((t - 600 - 365 * 86400 - 5))" +%Y-%m-%dT%H:%M:%S)
check "clock-offset -600: one 365 days and 5 s before it: 400" 400 \
  "$(curl -s -o /dev/null -w '%{http_code}' -u demo:demo-secret "$off_URL/messages/program/4711?startDate=$edge&pageSize=1")"
check "clock-offset with clock-runs: refused" 2 \
  "$("$EMU" --clock-offset 5 --clock-runs --dump 4711 >/dev/null 2>&1; echo $?)"
