# Clocks: the API's limit is counted on the server's clock. The extension learns it from the
# Date header of every answer (the emulator's says its own now, not the host's) and clamps
# the retention edge on it; until the first answer it has only its own clock, so a long
# scan reads an hour inside its year first and the hour next to the edge last, clamped on
# the server's clock by then. A request at the edge refused with a 400 whose Date explains
# it is sent once more, re-clamped.
source "$(dirname "$0")/../lib.sh"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD
export HOME=$TMPDIR_SMS

emu_start_test clock --programs 1 # the server's now is TEST_NOW, 2026-06-30T12:00:00
export SMS_API_BASE_URL=$clock_URL
# One chain (parallel=1): the checks of SCAN are about the order of a sequential scan's
# requests (the first an hour inside the year, the edge hour last), which the adaptive
# default would read in parallel lanes after the first page. DEFAULT is the same scan under
# the defaults, for the messages it returns.
SCAN="CREATE VIRTUAL TABLE one USING sms_messages(program_id=4711, parallel=1);
SELECT count(*) FROM one;"
DEFAULT="SELECT count(*) FROM sms_messages(4711);"

for skew in "-00:00:03 2025-06-30T12:00:02" "+00:00:03 2025-06-30T12:00:08"; do
  read -r offset start <<<"$skew"
  now=$("$SQLITE3" :memory: "SELECT strftime('%Y-%m-%dT%H:%M:%S', '$TEST_NOW', '${offset:0:1}${offset:7:2} seconds')")
  : > "$clock_LOG"
  got=$(SMS_EXPORT_NOW=$now sql <<<"$SCAN")
  check "client clock ${offset:0:1}3 s from the server's: every message" "1000" "$got"
  edge=$("$SQLITE3" :memory: "SELECT strftime('%Y-%m-%dT%H:%M:%S', '$start', '+3600 seconds')")
  before=$("$SQLITE3" :memory: "SELECT strftime('%Y-%m-%dT%H:%M:%S', '$edge', '-1 seconds')")
  after=$("$SQLITE3" :memory: "SELECT strftime('%Y-%m-%dT%H:%M:%S', '$edge', '+1 seconds')")
  check "... the scan starts an hour inside the client's year (now - 365 days + 5 s + 1 h)" \
    "GET /api/messages/program/4711?startDate=$before&pageSize=500 auth=ok" "$(head -1 "$clock_LOG")"
  check "... and ends with the hour before that, from the server's now - 365 days + 5 s" \
    "GET /api/messages/program/4711?startDate=2025-06-30T12:00:05&endDate=$after&pageSize=500 auth=ok" \
    "$(tail -1 "$clock_LOG")"
  check "... three requests (two pages, the edge hour)" 3 "$(wc -l < "$clock_LOG")"
done

# Ten seconds behind is past the 5 s margin: without the server's clock the edge hour would
# be refused.
: > "$clock_LOG"
got=$(SMS_EXPORT_NOW=2026-06-30T11:59:50 sql <<<"$SCAN")
check "client clock 10 s behind: every message, no 400" "1000" "$got"
check "... the edge hour starts at the server's edge" \
  "GET /api/messages/program/4711?startDate=2025-06-30T12:00:05&endDate=2025-06-30T12:59:56&pageSize=500 auth=ok" \
  "$(tail -1 "$clock_LOG")"
check "... and under the defaults (lanes after the first page): every message, no 400" \
  "1000" "$(SMS_EXPORT_NOW=2026-06-30T11:59:50 sql <<<"$DEFAULT")"

# Ten minutes either way, on fixed clocks (SMS_EXPORT_NOW against --now): seed 2 has one
# message in the ten minutes after the server's edge, none before it (both checked here, so
# the "behind" case can fail), and 1000 in all.
emu_start_test ten --programs 1 --seed 2
"$EMU" --now "$TEST_NOW" --programs 1 --seed 2 --dump 4711 > "$TMPDIR_SMS/ten.json"
count_from() { # count_from FROM [BEFORE]: messages of ten.json dated in [FROM, BEFORE)
  "$SQLITE3" :memory: "SELECT count(*) FROM json_each(readfile('$TMPDIR_SMS/ten.json'))
    WHERE json_extract(value, '$.date') >= '$1' AND json_extract(value, '$.date') < '${2:-9}'"
}
check "the data: 1000 messages from the server's edge on (TEST_NOW - 365 days + 5 s)" \
  1000 "$(count_from 2025-06-30T12:00:05)"
check "the data: one of them in the ten minutes after it" \
  1 "$(count_from 2025-06-30T12:00:05 2025-06-30T12:10:05)"
export SMS_API_BASE_URL=$ten_URL

: > "$ten_LOG"
got=$(SMS_EXPORT_NOW=2026-06-30T12:10:00 sql <<<"$SCAN")
check "server 10 minutes behind: a one-year scan returns every retained message" "1000" "$got"
check "... the edge hour starts at the server's edge, ten minutes before the client's" \
  "GET /api/messages/program/4711?startDate=2025-06-30T12:00:05&endDate=2025-06-30T13:10:06&pageSize=500 auth=ok" \
  "$(tail -1 "$ten_LOG")"

: > "$ten_LOG"
got=$(SMS_EXPORT_NOW=2026-06-30T11:50:00 sql <<<"$SCAN")
check "server 10 minutes ahead: a one-year scan returns every retained message, no 400" \
  "1000" "$got"
check "... the edge hour starts at the server's edge, ten minutes after the client's" \
  "GET /api/messages/program/4711?startDate=2025-06-30T12:00:05&endDate=2025-06-30T12:50:06&pageSize=500 auth=ok" \
  "$(tail -1 "$ten_LOG")"

# A first request at the edge (a window of hours: one request, not split) goes out on the
# client's clock; the server refuses it, its Date explains why, and it goes once more.
: > "$ten_LOG"
got=$(SMS_EXPORT_NOW=2026-06-30T11:50:00 sql <<<"SELECT count(*) FROM sms_messages(4711)
  WHERE date < '2025-06-30 14:00:00';")
check "server 10 minutes ahead, a window at the edge: its messages" \
  "$(count_from 2025-06-30T12:00:05 2025-06-30T14:00:00)" "$got"
check "... the first request refused, re-clamped on the server's clock, sent once more" \
  "GET /api/messages/program/4711?startDate=2025-06-30T11:50:05&endDate=2025-06-30T14:00:00&pageSize=500 auth=ok
GET /api/messages/program/4711?startDate=2025-06-30T12:00:05&endDate=2025-06-30T14:00:00&pageSize=500 auth=ok" \
  "$(cat "$ten_LOG")"

# With SMS_EXPORT_NOW set the user has said what time it is: a Date two days off is not
# followed, and the 400 it came with is the user's to see, once.
: > "$ten_LOG"
got=$(SMS_EXPORT_NOW=2026-06-28T12:00:00 sql <<<"SELECT count(*) FROM sms_messages(4711)
  WHERE date < '2025-06-28 14:00:00';")
check "SMS_EXPORT_NOW set, a server clock two days ahead: the 400" \
  "Runtime error near line 1: sms_messages: the API rejected GET http://127.0.0.1:$ten_PORT/api/messages/program/4711?startDate=2025-06-28T12:00:05&endDate=2025-06-28T14:00:00&pageSize=500 (HTTP 400: startDate '2025-06-28T12:00:05' is more than one year ago: older messages are available from Client Support)" \
  "$got"
check "... not retried" 1 "$(wc -l < "$ten_LOG")"
# The issue 19 repro: a server set months back (the runner's emulator, --now 2026-06-30),
# our clock the wall clock (no SMS_EXPORT_NOW: the test holds while the two are between a
# day and five years apart). Its year ends at its now: every message it holds comes, the
# first statement too (the edge hour, read last, starts at the server's edge once its Date
# is known).
got=$(unset SMS_EXPORT_NOW; SMS_API_BASE_URL=$main_URL sql <<<"
  CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, cache_ttl=0);
  SELECT count(*) FROM t; SELECT count(*) FROM t;")
check "no SMS_EXPORT_NOW, a server clock months behind ours: all its 1000 messages, twice" "1000
1000" "$got"
export SMS_API_BASE_URL=$clock_URL

# A moving clock. Every page of a chain repeats its first startDate, and this emulator
# checks each against its own clock, which runs (--clock-runs) from the real time, like the
# extension's (no SMS_EXPORT_NOW). The scan lasts longer than the 5 s margin: a chain
# started at the retention edge would be refused midway; the edge hour, read last with a
# start clamped when it is sent, is not.
unset SMS_EXPORT_NOW
start_now=$(date -u +%Y-%m-%dT%H:%M:%S)
emu_start run --now "$start_now" --clock-runs --user "$TEST_USER" --password "$TEST_PASSWORD" \
  --programs 1 --messages 3000 --latency-ms 700

# running_scan OPTIONS: scan program 4711 with these table options on the running clock; sets
# got (the count), want (the dump's messages from the edge hour's start on, as sent) and
# elapsed (seconds)
running_scan() {
  : > "$run_LOG"
  local t0=$(date +%s) edge_start
  got=$(scan_count "$run_URL" "$1")
  elapsed=$(( $(date +%s) - t0 ))
  # the edge hour is the chain start (no page=) with the oldest startDate and an endDate
  edge_start=$(grep 'endDate=' "$run_LOG" | grep -v 'page=' | sort | head -1 |
    sed -n 's/.*startDate=\([^&]*\)&endDate=.*/\1/p')
  want=$(dump_count 4711 "json_extract(value, '$.date') >= '$edge_start'" \
    --now "$start_now" --programs 1 --messages 3000)
}

# One chain (parallel=1): 15 pages one after the other last past the margin; the adaptive
# default would read them in lanes in a fraction of that.
running_scan "page_size=200, parallel=1"
check "a scan longer than the margin, on a running clock: every message from the edge on" \
  "$want" "$got"
check_match "... it did last well past the 5 s margin (${elapsed} s; 15 pages x 0.7 s)" '^1$' \
  "$(( elapsed >= 9 ))"
edge_last=$(tail -1 "$run_LOG" | sed -n 's/.*startDate=\([^&]*\)&endDate=.*/\1/p')
check_match "... the last request was the edge hour, clamped when sent ($edge_last)" \
  '^20[0-9][0-9]-' "$edge_last"

# The same with parallel=4: four chains of about 15 pages of 50, each longer than the margin;
# the edge hour is a fifth stream, read at once.
running_scan "page_size=50, parallel=4"
check "parallel=4 on a running clock: every message from the edge on" "$want" "$got"
check_match "... it did last well past the 5 s margin (${elapsed} s)" '^1$' "$(( elapsed >= 8 ))"

# Running clocks ten minutes off the host's (--clock-offset), the extension on the host's
# clock: a one-year scan, sequential and parallel, returns every message the server keeps,
# with no 400 reaching the user, and its edge hour starts at the server's edge.
for offset in 600 -600; do
  data_now=$(date -u -d "@$(( $(date +%s) + offset ))" +%Y-%m-%dT%H:%M:%S)
  emu_start off --clock-offset "$offset" --now "$data_now" --user "$TEST_USER" \
    --password "$TEST_PASSWORD" --programs 1
  "$EMU" --now "$data_now" --dump 4711 --programs 1 > "$TMPDIR_SMS/off.json"
  for opts in "page_size=200" "page_size=50, parallel=4"; do
    : > "$off_LOG"
    t0=$(date +%s)
    got=$(SMS_API_BASE_URL=$off_URL sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, $opts);
SELECT count(*) FROM t;")
    t1=$(date +%s)
    # the edge hour: the chain start (no page=) with the oldest startDate and an endDate
    edge_start=$(grep 'endDate=' "$off_LOG" | grep -v 'page=' |
      sed -n 's/.*startDate=\([^&]*\)&endDate=.*/\1/p' | sort | head -1)
    want=$("$SQLITE3" :memory: "SELECT count(*) FROM json_each(readfile('$TMPDIR_SMS/off.json'))
      WHERE json_extract(value, '$.date') >= '$edge_start'")
    check "server clock ${offset} s off, $opts: every message from its edge on" "$want" "$got"
    # the edge on the server's clock is host time + offset - 365 days + 5 s, when it is sent
    edge=$(date -u -d "${edge_start}Z" +%s)
    lo=$(( t0 + offset - 365 * 86400 + 5 - 2 )) hi=$(( t1 + offset - 365 * 86400 + 5 + 1 ))
    check_match "... the edge hour starts at the server's edge ($edge_start, $((edge - lo)) s into [$lo, $hi])" \
      '^1$' "$(( edge >= lo && edge <= hi ))"
  done
  kill "$off_PID"
done

# The difference is said, once per origin and connection: on the progress line's stderr
# (SMS_PROGRESS=1 here; auto says it on a terminal) and as the note of the request whose
# answer told it. Three days behind, ten minutes ahead; two minutes is not worth a word,
# nor is anything once SMS_EXPORT_NOW says what time it is.
say_re() { # say_re PORT SPAN: the sentence, its date left open (the running clock's)
  printf '%s' "the clock of http://127\.0\.0\.1:$1 is $2 this machine's \(it said 20[0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9:]{8} UTC\): the API counts its year on its own clock, so the scan's window follows it"
}
for case in "-259200 3 days behind" "600 10 minutes ahead of" "-120"; do
  read -r offset span <<<"$case"
  emu_start said --clock-offset "$offset" --user "$TEST_USER" --password "$TEST_PASSWORD" \
    --programs 2 --messages 300
  err=$( { SMS_PROGRESS=1 SMS_API_BASE_URL=$said_URL "$SQLITE3" -cmd ".load $EXT" :memory: \
    "SELECT count(*) FROM sms_messages WHERE program_id IN (4711, 4712);
     SELECT count(*) FROM sms_messages(4711) WHERE date >= date('now', '-3 days');" \
    >/dev/null; } 2>&1 )
  notes=$(SMS_API_BASE_URL=$said_URL sql <<<"SELECT count(*) FROM sms_messages(4711);
    SELECT count(*) FROM sms_messages(4712) WHERE date >= date('now', '-3 days');
    SELECT seq, stmt, note FROM sms_requests WHERE note IS NOT NULL;" | tail -n +3)
  if [ -n "$span" ]; then
    check_match "a server clock ${offset} s off: said once on stderr, before the scan's line" \
      "^sms_messages: $(say_re "$said_PORT" "$span")"$'\nsms_messages: 2 programs: [0-9]+ pages, 600 rows, [^\n]*, done\nsms_messages: program 4711: [^\n]*done$' "$err"
    check_match "... and once in sms_requests, on the connection's first request" \
      "^1\|1\|$(say_re "$said_PORT" "$span")\$" "$notes"
  else
    check "a server clock two minutes behind: nothing said" \
      "sms_messages: 2 programs: ... pages, 600 rows|" \
      "$(sed -n '1s/[0-9]* pages/... pages/; 1s/, [0-9]* rows\/s.*//p' <<<"$err")|$notes"
  fi
  kill "$said_PID"
done
emu_start said --clock-offset -259200 --user "$TEST_USER" --password "$TEST_PASSWORD" --programs 1 --messages 300
got=$(SMS_EXPORT_NOW=$(date -u +%Y-%m-%dT%H:%M:%S) SMS_PROGRESS=1 SMS_API_BASE_URL=$said_URL sql <<<"
  SELECT count(*) FROM sms_messages(4711) WHERE date >= date('now', '-1 days');
  SELECT count(note) FROM sms_requests;" | grep -v '^sms_messages: program')
check "SMS_EXPORT_NOW set: a clock three days off is not followed, and not said" "0
0" "$got"
kill "$said_PID"
