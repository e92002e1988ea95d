# The progress line: auto by default (on a terminal, once a scan has run for a second;
# never on a pipe or a file), SMS_PROGRESS=1 or the progress=1 option always, 0 never.
# Plain lines when stderr is a file or a pipe; redrawn in place (\r) on a terminal. A
# statement the window cache answered says so instead of counting pages.
source "$(dirname "$0")/../lib.sh"
emu_start_test slow --programs 1 --messages 3000 --latency-ms 300
export SMS_API_BASE_URL=$slow_URL SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
Q="SELECT count(*) FROM sms_messages(4711);"

out=$("$SQLITE3" -cmd ".load $EXT" :memory: "$Q" 2>"$TMPDIR_SMS/err")
check "auto by default, stderr a file: nothing on stderr" "3000|" "$out|$(cat "$TMPDIR_SMS/err")"
err=$( { "$SQLITE3" -cmd ".load $EXT" :memory: "$Q" >/dev/null; } 2>&1 )
check "auto by default, stderr a pipe: nothing" "" "$err"

# To a file a line comes at most once a second: SMS_PARALLEL=1 makes the scan one chain of
# 7 pages of 0.3 s, long enough for lines before the last.
out=$(SMS_PARALLEL=1 SMS_PROGRESS=1 "$SQLITE3" -cmd ".load $EXT" :memory: "$Q" 2>"$TMPDIR_SMS/err")
err=$(cat "$TMPDIR_SMS/err")
check "SMS_PROGRESS=1: the rows are unchanged" "3000" "$out"
check_match "SMS_PROGRESS=1 to a file: plain lines, the last one complete" \
  $'^(sms_messages: program 4711: [0-9]+ pages, [0-9]+ rows, [0-9]+ rows/s, [0-9.]+ s\n)+sms_messages: program 4711: 7 pages, 3000 rows, [0-9]+ rows/s, [0-9.]+ s, done$' "$err"

# Under the adaptive default the pages are 7 too: the first page predicts 5 more, so the
# chain goes on whole with the edge hour read beside it (issue 21; it was 10: the first, 4
# sub-windows of 2 pages, the edge hour). About 1.5 s: a line may come before the last.

out=$("$SQLITE3" -cmd ".load $EXT" :memory: \
  "CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, progress=1); SELECT count(*) FROM t;" 2>"$TMPDIR_SMS/err")
check_match "the progress=1 option" "7 pages, 3000 rows, [0-9]+ rows/s, [0-9.]+ s, done" "$(cat "$TMPDIR_SMS/err")"

err=$( { SMS_PROGRESS=1 "$SQLITE3" -cmd ".load $EXT" :memory: \
  "SELECT count(*) FROM sms_messages(4711) WHERE date > '2027-01-01';" >/dev/null; } 2>&1 )
check "SMS_PROGRESS=1, a scan with nothing to ask (a window past now): no line" "" "$err"

err=$( { SMS_PROGRESS=1 "$SQLITE3" -cmd ".load $EXT" :memory: "$Q" >/dev/null; } 2>&1 )
check_match "SMS_PROGRESS=1, stderr a pipe: a line" \
  $'^(sms_messages: program 4711: [0-9]+ pages, [0-9]+ rows, [0-9]+ rows/s, [0-9.]+ s\n)*sms_messages: program 4711: 7 pages, 3000 rows, [0-9]+ rows/s, [0-9.]+ s, done$' "$err"

# The window cache: a statement it answers counts no page. One process, so that the second
# query finds what the first read (the cache is the process's).
err=$( { "$SQLITE3" -cmd ".load $EXT" :memory: \
  "CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, progress=1);
   SELECT count(*) FROM t; SELECT count(*) FROM t; SELECT count(*) FROM t WHERE date >= '2026-06';" \
  >/dev/null; } 2>&1 )
check_match "the cache's answer says so: rows from the cache, no request" \
  $'^(sms_messages: program 4711: [0-9]+ pages, [0-9]+ rows, [0-9]+ rows/s, [0-9.]+ s\n)*sms_messages: program 4711: 7 pages, 3000 rows, [^\n]*done\nsms_messages: program 4711: 3000 rows from the cache \([0-9]+ parts, no request\), [^\n]*done\nsms_messages: program 4711: [0-9]+ rows from the cache \(1 part, no request\), [^\n]*done$' "$err"

if command -v script >/dev/null; then
  tty_out=$(SMS_PROGRESS=1 script -qec "$SQLITE3 -cmd '.load $EXT' :memory: '$Q'" /dev/null)
  check_match "on a terminal: the line is redrawn in place" $'\rsms_messages: program 4711: [0-9]+ pages.*\rsms_messages: program 4711: 7 pages, 3000 rows.*, done' "$tty_out"
  # auto, the default, on a terminal: at 0.8 s a request the scan lasts about 5 s (7 pages,
  # the chain's 6 one after the other), so the line comes after a second, and is closed with
  # "done"
  emu_start_test slower --programs 1 --messages 3000 --latency-ms 800
  tty_out=$(SMS_API_BASE_URL=$slower_URL script -qec "$SQLITE3 -cmd '.load $EXT' :memory: '$Q'" /dev/null)
  check_match "auto on a terminal, a scan over a second: the line" \
    $'\rsms_messages: program 4711: [0-9]+ pages, [0-9]+ rows, [0-9]+ rows/s, 1\.[0-9] s.*\rsms_messages: program 4711: 7 pages, 3000 rows, [0-9]+ rows/s, [0-9.]+ s, done' "$tty_out"
  # ... not for a quick one (a day: one page), nor with SMS_PROGRESS=0
  tty_out=$(script -qec "$SQLITE3 -cmd '.load $EXT' :memory: \"SELECT count(*) FROM sms_messages(4711) WHERE date >= '2026-06-30'\"" /dev/null)
  check_match "auto on a terminal, a quick scan: no line" $'^[0-9]+\r$' "$tty_out"
  tty_out=$(SMS_PROGRESS=0 script -qec "$SQLITE3 -cmd '.load $EXT' :memory: '$Q'" /dev/null)
  check "SMS_PROGRESS=0 on a terminal: no line" "$(printf '3000\r')" "$tty_out"
else
  echo "not ok - script (util-linux, Debian's bsdutils) is installed: the terminal cases need it"
fi
