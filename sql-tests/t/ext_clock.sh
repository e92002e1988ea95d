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
  check "... startDate is the client's now - 365 days + 5 s" \
    "GET /api/messages/program/4711?startDate=$start&pageSize=500 auth=ok" "$(head -1 "$clock_LOG")"
done

# Ten seconds behind is past the margin: the server refuses, and the error says so.
got=$(SMS_EXPORT_NOW=2026-06-30T11:59:50 sql <<<"$SCAN")
check "client clock 10 s behind: the API's 400, its message once (also a field error)" \
  "Runtime error near line 1: sms_messages: the API rejected GET http://127.0.0.1:$clock_PORT/api/messages/program/4711?startDate=2025-06-30T11:59:55&pageSize=500 (HTTP 400: startDate '2025-06-30T11:59:55' is more than one year ago: older messages are available from Client Support)" \
  "$got"
