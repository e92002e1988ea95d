#!/usr/bin/env bash
# The emulator's command line: every bad flag is refused with a message and
# a non-zero exit; --help; the defaults (login demo/demo-secret, 3 programs
# of 1000 messages, seed 1, now = the clock); --flag=value; --dump.
source "$(dirname "$0")/../lib.sh"
D=$TMPDIR_SMS

# refused DESC EXPECTED-STDERR-REGEX FLAGS...: exit 2 and the message
refused() {
  local desc=$1 re=$2; shift 2
  "$EMU" "$@" > "$D/out" 2> "$D/err"
  local rc=$?
  check "$desc: exit 2" 2 "$rc"
  check_match "$desc: message" "$re" "$(head -n 1 "$D/err")"
}
refused "unknown flag" "^sms-emulator: unknown flag '--bogus'$" --bogus
refused "prefix of a flag" "^sms-emulator: unknown flag '--por'$" --por 5
refused "stray argument" "^sms-emulator: unexpected argument 'x'$" x
refused "missing value" "^sms-emulator: --port needs a value$" --port
refused "port not a number" "^sms-emulator: --port wants a number$" --port abc
refused "port too big" "^sms-emulator: --port 70000: want a number from 0 to 65535$" --port 70000
refused "programs 0" "^sms-emulator: --programs 0: want a number from 1 to" --programs 0
refused "messages negative" "^sms-emulator: --messages wants a number$" --messages -1
refused "messages with junk" "^sms-emulator: --messages 10x: want a number" --messages 10x
refused "seed not a number" "^sms-emulator: --seed x: want a number$" --seed x
refused "now not a date" "^sms-emulator: --now 2026-02-30T00:00:00: want YYYY-MM-DDTHH:MM:SS" --now 2026-02-30T00:00:00
refused "now without time" "^sms-emulator: --now 2026-06-30: want" --now 2026-06-30
refused "fault unknown" "^sms-emulator: --fault 502: want one of 500 503 429 reset truncate hang malformed$" --fault 502
refused "fault-every 0" "^sms-emulator: --fault-every 0: want a number from 1 to" --fault-every 0
refused "shape unknown" "^sms-emulator: --shape flat: want one of envelope top-next bare$" --shape flat
refused "public-url not http" "^sms-emulator: --public-url ftp://x: want an http:// or https:// URL$" --public-url ftp://x
refused "latency negative" "^sms-emulator: --latency-ms wants a number$" --latency-ms -5
refused "dump not a number" "^sms-emulator: --dump wants a number$" --dump abc

"$EMU" --port-file /nonexistent-dir/port 2> "$D/err" & pid=$!
sleep 0.5
kill -0 "$pid" 2>/dev/null && { kill "$pid"; wait "$pid"; rc=running; } || { wait "$pid"; rc=$?; }
check "unwritable --port-file: exits 1" 1 "$rc"
check_match "unwritable --port-file: message" '^sms-emulator: --port-file /nonexistent-dir/port: ' "$(cat "$D/err")"
"$EMU" --log /nonexistent-dir/log --port-file "$D/p" 2> "$D/err"
check "unwritable --log: exits 1" 1 "$?"

"$EMU" --help > "$D/help"
check "--help: exit 0" 0 "$?"
check "--help lists every flag" "" "$(for f in --port --port-file --user --password --programs \
  --messages --seed --now --log --log-times --latency-ms --fault --fault-every --retry-after --public-url \
  --shape --quirks --anchor --late-minutes --report-minutes --doubles --dump --help; do grep -q -- "^  $f " "$D/help" || echo "$f"; done)"

"$EMU" --dump 4714 > /dev/null 2> "$D/err"
check "--dump of a program that does not exist: exit 1" 1 "$?"
check "--dump of a program that does not exist: message" "sms-emulator: --dump 4714: no such program" "$(cat "$D/err")"

# Defaults: 3 programs of 1000 messages, seed 1.
"$EMU" --now "$TEST_NOW" --dump 4713 > "$D/def"
"$EMU" --now "$TEST_NOW" --programs 3 --messages 1000 --seed 1 --dump 4713 > "$D/expl"
check "defaults = --programs 3 --messages 1000 --seed 1" same "$(cmp -s "$D/def" "$D/expl" && echo same)"
check "default: 1000 messages" 1000 "$("$PYTHON3" -c "import json; print(len(json.load(open('$D/def'))))")"
"$EMU" --now="$TEST_NOW" --seed=1 --dump=4713 > "$D/eq"
check "--flag=value works" same "$(cmp -s "$D/def" "$D/eq" && echo same)"
check "--messages 0: an empty array" "[]" "$("$EMU" --messages 0 --dump 4711)"

# Default now: the wall clock (UTC).
"$EMU" --dump 4711 > "$D/clock"
check "default now: the last message is today (UTC), none later than now" ok "$("$PYTHON3" -c "
import json, datetime
d = json.load(open('$D/clock'))
now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S')
last = d[-1]['date']
print('ok' if last[:10] == now[:10] and last <= now else (last, now))")"

# Default login demo / demo-secret; --programs limits the ids.
emu_start dflt --programs 1 || exit 1
check "default login demo:demo-secret" 200 \
  "$(curl -s -o /dev/null -w '%{http_code}' -u demo:demo-secret "$dflt_URL/messages/program/4711")"
check "default login: other password refused" 401 \
  "$(curl -s -o /dev/null -w '%{http_code}' -u "demo:$TEST_PASSWORD" "$dflt_URL/messages/program/4711")"
check "--programs 1: 4712 does not exist" 404 \
  "$(curl -s -o /dev/null -w '%{http_code}' -u demo:demo-secret "$dflt_URL/messages/program/4712")"
emu_start usr --user 'ü ser' --password 'p:a:s s' || exit 1
check "--user/--password with spaces, colons, UTF-8" 200 \
  "$(curl -s -o /dev/null -w '%{http_code}' -u 'ü ser:p:a:s s' "$usr_URL/messages/program/4711")"

# --out-of-order K: 1 message in K of a request's result comes after the others (places 0,
# K, 2K, ... of the date order, last), across its pages; the messages are the same.
emu_start_test ooo --programs 1 --messages 40 --out-of-order 4 || exit 1
emu_start_test ino --programs 1 --messages 40 || exit 1
# dates URL: the dates of every page of program 4711's result (pageSize=7), in the order sent
dates() {
  local url="$1/messages/program/4711?startDate=2025-07-01T00:00:00&pageSize=7" page=1
  while [ "$url" != null ]; do
    curl -s -u "$TEST_USER:$TEST_PASSWORD" "$url" > "$D/ooo.json"
    "$PYTHON3" -c "
import json; d = json.load(open('$D/ooo.json'))
for m in d['data']: print(m['date'])"
    url=$("$PYTHON3" -c "import json; print(json.load(open('$D/ooo.json'))['meta']['nextPageUrl'] or 'null')")
  done
}
dates "$ino_URL" > "$D/in_order"
dates "$ooo_URL" > "$D/out_of_order"
check "--out-of-order 4: the same messages" "$(cat "$D/in_order")" "$(sort "$D/out_of_order")"
check "--out-of-order 4: places 1, 2, 3, 5, ... first, then 0, 4, 8, ..." \
  "$(awk 'NR % 4 != 1' "$D/in_order"; awk 'NR % 4 == 1' "$D/in_order")" "$(cat "$D/out_of_order")"
