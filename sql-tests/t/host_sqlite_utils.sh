# sqlite-utils (Debian's /usr/bin/sqlite-utils) as a SQLite host, against the runner's
# emulator: queries with exact JSON and CSV output, bound :parameters pushed down to the API,
# an error on stderr, and rows exported into a table of a database file, two ways.
source "$(dirname "$0")/../lib.sh"

SQLITE_UTILS=${SQLITE_UTILS:-/usr/bin/sqlite-utils}
[ -x "$SQLITE_UTILS" ] || { echo "not ok - sqlite-utils is installed (make deps)"; exit 1; }
for v in main_LOG SMS_API_BASE_URL SMS_API_USERNAME SMS_API_PASSWORD; do
  [ -n "${!v:-}" ] || { echo "not ok - run by sql-tests/run.sh ($v is not set)"; exit 1; }
done
SO=$(ls "$EXT".so "$EXT".dylib 2>/dev/null | head -1)

su_memory() { "$SQLITE_UTILS" memory --load-extension "$SO" "$@" 2>&1; }

# 1. queries: JSON (the default), CSV, raw, a table
check "count of a program (JSON)" '[{"n": 1000}]' \
  "$(su_memory "SELECT count(*) AS n FROM sms_messages(4711)")"
check "the path without its suffix loads too" '[{"n": 1000}]' \
  "$("$SQLITE_UTILS" memory --load-extension "$EXT" "SELECT count(*) AS n FROM sms_messages(4711)" 2>&1)"
check "sms_export_version() is the VERSION file (--raw)" "$(cat "$ROOT/VERSION")" \
  "$(su_memory -r "SELECT sms_export_version()")"
check "GROUP BY (JSON)" '[{"type": "MO", "n": 397},
 {"type": "MT", "n": 603}]' \
  "$(su_memory "SELECT type, count(*) AS n FROM sms_messages(4711) GROUP BY type ORDER BY type")"
check "rows as CSV" 'date,type,number,body
2025-06-30 23:47:08,MO,19651282153,code	A17
2025-06-30 23:47:08,MO,447047043001,code	A17
2025-07-01 00:00:00,MT,4915931215506,"Thanks for joining! Msg&data rates may apply. Reply HELP for help, STOP to cancel."' \
  "$(su_memory --csv "SELECT date, type, number, body FROM sms_messages(4711) ORDER BY date, number LIMIT 3" | tr -d '\r')"
check "CSV lines end in CRLF" 4 \
  "$(su_memory --csv "SELECT date FROM sms_messages(4711) LIMIT 3" | grep -c $'\r$')"
check "newline-delimited JSON" '{"date": "2026-06-30 08:52:50", "type": "MO", "number": 16782312307}
{"date": "2026-06-30 11:24:04", "type": "MO", "number": 4915559675612}' \
  "$(su_memory --nl "SELECT date, type, number FROM sms_messages(4711) WHERE date >= '2026-06-30 08:00:00' ORDER BY date, number")"

# 2. -p parameters (bound as text) are pushed down to the API
: > "$main_LOG"
check "named parameters: rows" '[{"n": 2, "first": "2026-06-30 02:17:11", "last": "2026-06-30 05:07:00"}]' \
  "$(su_memory -p program 4712 -p type MO -p since 2026-06-29 \
      "SELECT count(*) AS n, min(date) AS first, max(date) AS last FROM sms_messages
        WHERE program_id = :program AND type = :type AND date >= :since")"
check "named parameters are pushed down: the one request" \
  "GET /api/messages/program/4712?messageType=MO&startDate=2026-06-28T23:59:59&pageSize=500 auth=ok" \
  "$(cat "$main_LOG")"

# 3. an error: the extension's message on stderr, exit status 1
err=$("$SQLITE_UTILS" memory --load-extension "$SO" "SELECT * FROM sms_messages" 2>&1 >/dev/null); rc=$?
check "no program_id: exit status 1" 1 "$rc"
check_match "no program_id: the extension's message" \
  "^Error: sms_messages: no program_id: say which program to read" "$err"

# 4. export rows into a table of a database file: INSERT ... SELECT with `sqlite-utils query`
db=$TMPDIR_SMS/archive.db
"$SQLITE_UTILS" create-table "$db" archive date text type text number integer body text >/dev/null
check "INSERT ... SELECT into a table of the file" '[{"rows_affected": 397}]' \
  "$("$SQLITE_UTILS" query "$db" --load-extension "$SO" \
      "INSERT INTO archive SELECT date, type, number, body FROM sms_messages(4711) WHERE type = 'MO'" 2>&1)"
check "the archive's count (sqlite-utils tables --counts)" '[{"table": "archive", "count": 397}]' \
  "$("$SQLITE_UTILS" tables "$db" --counts 2>&1)"
check "the file opens without the extension (sqlite3 shell)" "397|397" \
  "$("$SQLITE3" "$db" "SELECT count(*), count(DISTINCT rowid) FROM archive WHERE type = 'MO'" 2>&1)"

# 5. ... and by piping one sqlite-utils into another: memory --nl | insert --nl
su_memory --nl "SELECT date, type, number, body, json_extract(raw, '$.deliveryStatus') AS status
                  FROM sms_messages(4713) WHERE date >= '2026-06-01'" |
  "$SQLITE_UTILS" insert "$db" june - --nl >/dev/null 2>&1
check "memory --nl | insert: the count" 79 "$("$SQLITE_UTILS" "$db" "SELECT count(*) FROM june" -r 2>&1)"
check "memory --nl | insert: a row, JSON field included" \
  '[{"date": "2026-06-30 09:33:05", "type": "MT", "number": 17392179748, "status": "Pending"}]' \
  "$("$SQLITE_UTILS" "$db" "SELECT date, type, number, status FROM june ORDER BY date DESC, number LIMIT 1" 2>&1)"
check "memory --nl | insert: the table's columns" \
  "CREATE TABLE [june] (
   [date] TEXT,
   [type] TEXT,
   [number] INTEGER,
   [body] TEXT,
   [status] TEXT
)" "$("$SQLITE_UTILS" schema "$db" june 2>&1)"
