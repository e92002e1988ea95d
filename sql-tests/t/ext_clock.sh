# Clocks: the extension's "one year ago" is counted on its own clock, the API's limit on the
# server's. The retention clamp keeps 5 seconds inside the year, so a client clock a few
# seconds off either way still asks for a start the strict emulator (365 days to the
# second) accepts, and gets every message of the year.
source "$(dirname "$0")/../lib.sh"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD
export HOME=$TMPDIR_SMS

emu_start_test clock --programs 1 # the server's now is TEST_NOW, 2026-06-30T12:00:00
export SMS_API_BASE_URL=$clock_URL
SCAN="SELECT count(*) FROM sms_messages(4711);"

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
  check "... and ends with the hour before that, from now - 365 days + 5 s" \
    "GET /api/messages/program/4711?startDate=$start&endDate=$after&pageSize=500 auth=ok" \
    "$(tail -1 "$clock_LOG")"
done

# Ten seconds behind is past the margin: the server refuses the edge hour, and the error
# says so.
got=$(SMS_EXPORT_NOW=2026-06-30T11:59:50 sql <<<"$SCAN")
check "client clock 10 s behind: the API's 400, its message once (also a field error)" \
  "Runtime error near line 1: sms_messages: the API rejected GET http://127.0.0.1:$clock_PORT/api/messages/program/4711?startDate=2025-06-30T11:59:55&endDate=2025-06-30T12:59:56&pageSize=500 (HTTP 400: startDate '2025-06-30T11:59:55' is more than one year ago: older messages are available from Client Support)" \
  "$got"

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

running_scan "page_size=200"
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
