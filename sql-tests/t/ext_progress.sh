# The progress meter: off by default; SMS_PROGRESS=1 or the progress=1 option turns it on.
# Plain lines when stderr is a file; redrawn in place (\r) on a terminal.
source "$(dirname "$0")/../lib.sh"
emu_start_test slow --programs 1 --messages 3000 --latency-ms 300
export SMS_API_BASE_URL=$slow_URL SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
Q="SELECT count(*) FROM sms_messages(4711);"

out=$("$SQLITE3" -cmd ".load $EXT" :memory: "$Q" 2>"$TMPDIR_SMS/err")
check "off by default: nothing on stderr" "3000|" "$out|$(cat "$TMPDIR_SMS/err")"

# To a file a line comes at most once a second: SMS_PARALLEL=1 makes the scan one chain of
# 7 pages of 0.3 s, long enough for lines before the last (the adaptive default's lanes read
# it in about 0.6 s, often with no line before the last).
out=$(SMS_PARALLEL=1 SMS_PROGRESS=1 "$SQLITE3" -cmd ".load $EXT" :memory: "$Q" 2>"$TMPDIR_SMS/err")
err=$(cat "$TMPDIR_SMS/err")
check "SMS_PROGRESS=1: the rows are unchanged" "3000" "$out"
check_match "SMS_PROGRESS=1 to a file: plain lines, the last one complete" \
  $'^(sms_messages: program 4711: [0-9]+ pages, [0-9]+ rows, [0-9]+ rows/s, [0-9.]+ s\n)+sms_messages: program 4711: 7 pages, 3000 rows, [0-9]+ rows/s, [0-9.]+ s, done$' "$err"

# Under the adaptive default the pages are 10: the first, 4 sub-windows of 750 messages (2
# pages each), the edge hour.

out=$("$SQLITE3" -cmd ".load $EXT" :memory: \
  "CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, progress=1); SELECT count(*) FROM t;" 2>"$TMPDIR_SMS/err")
check_match "the progress=1 option" "10 pages, 3000 rows, [0-9]+ rows/s, [0-9.]+ s, done" "$(cat "$TMPDIR_SMS/err")"

if command -v script >/dev/null; then
  tty_out=$(SMS_PROGRESS=1 script -qec "$SQLITE3 -cmd '.load $EXT' :memory: '$Q'" /dev/null)
  check_match "on a terminal: the line is redrawn in place" $'\rsms_messages: program 4711: [0-9]+ pages.*\rsms_messages: program 4711: 10 pages, 3000 rows.*, done' "$tty_out"
fi
