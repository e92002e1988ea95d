# message_key and the archive recipe of docs/cookbook.md, against an emulator with eventual
# consistency: its data dated from a fixed anchor (so a later --now shows the same messages,
# older), 1 message in 5 recorded up to a day late, delivery reports up to two days after
# the message, and double sends. The keys are distinct, the same in every scan and window
# and whatever the status says; the recipe's sync, run at T, then at T + 5 days, then past
# the year, keeps every message the API showed, each as last shown, none doubled, and the
# later syncs read only their trailing window.
#
# Each statement runs in a sqlite3 process of its own, under the defaults (the window cache
# on): no scan here is answered by the cache of another.
source "$(dirname "$0")/../lib.sh"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD
export HOME=$TMPDIR_SMS
unset SMS_PROGRESS
D=$TMPDIR_SMS
FLAGS=(--programs 3 --messages 20000 --seed 7 --anchor 2026-06-30T12:00:00
  --late-minutes 1440 --report-minutes 2880 --doubles)
T1=2026-06-30T12:00:00 T2=2026-07-05T12:00:00 T3=2026-08-04T12:00:00

# at NOW: an emulator (named emu) whose clock is NOW, and the extension's clock with it.
at() {
  [ -n "${emu_PID:-}" ] && kill "$emu_PID" && wait "$emu_PID" 2>/dev/null
  emu_start_test emu "${FLAGS[@]}" --now "$1" || exit 1
  export SMS_API_BASE_URL=$emu_URL SMS_EXPORT_NOW=$1
}
# q SQL: one statement on the archive's database, the extension loaded.
q() { sql "$D/archive.db" <<<"$1"; }

# The sync statement, exactly as the cookbook has it.
"$PYTHON3" - "$ROOT/docs/cookbook.md" >"$D/archive-sync.sql" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
i = lines.index("<!-- docs-test: file archive-sync.sql -->") + 2
print("\n".join(lines[i:lines.index("```", i)]))
PY
sync() { "$SQLITE3" -bail -cmd ".load $EXT" "$D/archive.db" <"$D/archive-sync.sql" 2>&1; }
check "the cookbook's sync statement is found" 1 "$(grep -c 'ON CONFLICT (message_key) DO UPDATE' "$D/archive-sync.sql")"

at $T1

# --- the keys ---------------------------------------------------------------------------

# Scan 4711 twice: by default, and through a table that reads it in other pages (37 rows)
# and four parallel sub-windows; keep each row's key and raw text.
q "CREATE VIRTUAL TABLE p4 USING sms_messages(program_id=4711, page_size=37, parallel=4);
CREATE VIRTUAL TABLE p1 USING sms_messages(program_id=4711, parallel=1);
CREATE TABLE s1 AS SELECT message_key, raw, date FROM sms_messages(4711);
CREATE TABLE s2 AS SELECT message_key, raw, date FROM p4;" >/dev/null
check "keys distinct over a program with double sends: rows, distinct keys, keys past /1, identical rows past the first" \
  "10288|10288|407|407" \
  "$(q "SELECT count(*), count(DISTINCT message_key), sum(message_key NOT LIKE '%/1'),
          (SELECT sum(n - 1) FROM (SELECT count(*) AS n FROM s1
            GROUP BY json_extract(raw, '$.type'), date, json_extract(raw, '$.number'),
                     json_extract(raw, '$.body')))
        FROM s1")"
check "double sends: /1 and /2 differ only in the number after the last /" \
  "4711/MT/2025-07-01 02:38:25/4915944490218/c54eb93dd54d39ea/1
4711/MT/2025-07-01 02:38:25/4915944490218/c54eb93dd54d39ea/2" \
  "$(q "SELECT message_key FROM s1 WHERE substr(message_key, 1, length(message_key) - 2) =
          (SELECT substr(message_key, 1, length(message_key) - 2) FROM s1
            WHERE message_key LIKE '%/2' ORDER BY date LIMIT 1)
        ORDER BY message_key")"
check "the same (key, raw) pairs in two scans of other pages and sub-windows" "0|0|10288" \
  "$(q "SELECT (SELECT count(*) FROM (SELECT message_key, raw FROM s1 EXCEPT SELECT message_key, raw FROM s2)),
               (SELECT count(*) FROM (SELECT message_key, raw FROM s2 EXCEPT SELECT message_key, raw FROM s1)),
               (SELECT count(*) FROM s2)")"

# A narrow window (the one second of a double send, and its day) gives the keys of the
# wide scan.
sec=$(q "SELECT min(date) FROM s1 WHERE message_key LIKE '%/2' AND date > '2026-03-01'")
day=${sec:0:10}
check "a one-second window: the wide scan's keys" \
  "$(q "SELECT message_key FROM s1 WHERE date = '$sec' ORDER BY 1")" \
  "$(q "SELECT message_key FROM sms_messages(4711) WHERE date = '$sec' ORDER BY 1")"
check "... (two of them: a double send)" 2 "$(q "SELECT count(*) FROM s1 WHERE date = '$sec'")"
check "a one-day window: the wide scan's keys" \
  "$(q "SELECT message_key, raw FROM s1 WHERE date >= '$day' AND date < date('$day', '+1 day') ORDER BY 1")" \
  "$(q "SELECT message_key, raw FROM sms_messages(4711) WHERE date >= '$day' AND date < date('$day', '+1 day') ORDER BY 1")"

# SQLite skips rows without asking for their key (OFFSET here, a WHERE on another column
# alike); they still count, or the second of a double send would pass for the first.
rows=$(q "SELECT message_key FROM p1 WHERE date >= '$day' AND date < date('$day', '+1 day')")
i=$(grep -n '/2$' <<<"$rows" | head -1 | cut -d: -f1)
check "a row reached through OFFSET $((i - 1)) has the key it has in a full scan" \
  "$(sed -n "${i}p" <<<"$rows")" \
  "$(q "SELECT message_key FROM p1 WHERE date >= '$day' AND date < date('$day', '+1 day') LIMIT 1 OFFSET $((i - 1))")"
check "... and under a WHERE SQLite alone checks (the keys of Sent messages)" \
  "$(q "SELECT group_concat(message_key, ' ') FROM (SELECT message_key FROM s1 WHERE raw LIKE '%\"Sent\"%' ORDER BY 1)")" \
  "$(q "SELECT group_concat(message_key, ' ') FROM (SELECT message_key FROM sms_messages(4711) WHERE delivery_status = 'Sent' ORDER BY 1)")"

# message_key in WHERE is SQLite's alone: the requests are those of the plain scan. Both
# scans are long, so the adaptive default reads them in lanes whose requests arrive in any
# order: the logs are compared sorted.
key=$(q "SELECT message_key FROM s1 WHERE message_key LIKE '%/2' ORDER BY date LIMIT 1")
: >"$emu_LOG"
got=$(q "SELECT date, json_extract(raw, '$.number') FROM sms_messages WHERE program_id = 4711 AND message_key = '$key'")
check "message_key = '...' in WHERE: the one row" "2025-07-01 02:38:25|4915944490218" "$got"
keyed=$(sort "$emu_LOG")
: >"$emu_LOG"
q "SELECT count(*) FROM sms_messages WHERE program_id = 4711" >/dev/null
check "... with the requests of the plain scan (nothing of the key is sent)" "$(sort "$emu_LOG")" "$keyed"
check "... the plan pushes no message_key down" \
  "QUERY PLAN
\`--SCAN sms_messages VIRTUAL TABLE INDEX 65:program_id=" \
  "$(q "EXPLAIN QUERY PLAN SELECT date FROM sms_messages WHERE program_id = 4711 AND message_key = '$key'")"
check "message_key without a program: the error says how to give one" \
  "Runtime error near line 1: sms_messages: no program_id: say which program to read, with WHERE program_id = N (or IN (...)), as sms_messages(N), or with CREATE VIRTUAL TABLE ... USING sms_messages(program_id=N)" \
  "$(q "SELECT date FROM sms_messages WHERE message_key = '$key'" | head -1)"
check "ORDER BY date, message_key: SQLite sorts, the same order as the keys' own" \
  "$(q "SELECT message_key FROM s1 WHERE date >= '$day' ORDER BY date, message_key")" \
  "$(q "SELECT message_key FROM sms_messages(4711) WHERE date >= '$day' ORDER BY date, message_key")"
q "DROP TABLE s1; DROP TABLE s2;" >/dev/null

# --- the archive ------------------------------------------------------------------------

# api NOW: what the emulator serves at NOW (its --dump, programs 4711-4713) as a table
# api(program_id, raw), in the archive's database; messages within a minute of the
# year's edge are left out on both sides (the extension keeps 5 s inside the year).
api() {
  local p
  q "DROP TABLE IF EXISTS api; CREATE TABLE api(program_id INTEGER, raw TEXT);" >/dev/null
  for p in 4711 4712 4713; do
    "$EMU" "${FLAGS[@]}" --now "$1" --dump $p >"$D/dump.json"
    q "INSERT INTO api SELECT $p, value FROM json_each(readfile('$D/dump.json'))
        WHERE json_extract(value, '$.date') >= strftime('%Y-%m-%dT%H:%M:%S', '$1', '-365 days', '+60 seconds');" >/dev/null
  done
}
# same_as_api NOW: rows of the API at NOW missing from the archive, and archive rows in the
# API's year not in it (multisets: counted per raw text).
same_as_api() {
  q "SELECT (SELECT count(*) FROM (SELECT program_id, raw, count(*) FROM api GROUP BY 1, 2
                            EXCEPT SELECT program_id, raw, count(*) FROM archive GROUP BY 1, 2)),
            (SELECT count(*) FROM (SELECT program_id, raw, count(*) FROM archive
                                    WHERE date >= datetime('$1', '-365 days', '+60 seconds') GROUP BY 1, 2
                            EXCEPT SELECT program_id, raw, count(*) FROM api GROUP BY 1, 2)),
            (SELECT count(*) FROM api)"
}

check "the first sync (at T) succeeds" "" "$(sync)"
api $T1
check "after the sync at T: the archive is the API, row for row" "0|0|31056" "$(same_as_api $T1)"
check "... some say Sent, their delivery report still to come" 2287 \
  "$(q "SELECT count(*) FROM archive WHERE delivery_status = 'Sent'")"
cp "$D/archive.db" "$D/at_t1.db"

at $T2
check "the sync at T + 5 days succeeds" "" "$(sync)"
newest=$(q "ATTACH '$D/at_t1.db' AS t1; SELECT strftime('%Y-%m-%dT%H:%M:%S', max(date), '-3 days', '-1 seconds') FROM t1.archive")
check "... it re-read only the trailing window: 3 days before the newest archived message, one request a program" \
  "GET /api/messages/program/4711?startDate=$newest&pageSize=500 auth=ok
GET /api/messages/program/4712?startDate=$newest&pageSize=500 auth=ok
GET /api/messages/program/4713?startDate=$newest&pageSize=500 auth=ok" "$(cat "$emu_LOG")"
api $T2
check "... the archive is the API, row for row: late messages in, reports applied, none doubled" \
  "0|0|30944" "$(same_as_api $T2)"
check "... no Sent left that the API reports otherwise" 0 \
  "$(q "SELECT count(*) FROM archive WHERE delivery_status = 'Sent' AND date >= datetime('$T2', '-365 days', '+60 seconds')
           AND program_id || raw NOT IN (SELECT program_id || raw FROM api)")"
check "... delivery reports updated the archived rows, keys unchanged: Sent -> Delivered, Failed" \
  "Delivered|33
Failed|4" \
  "$(q "ATTACH '$D/at_t1.db' AS t1;
        SELECT a.delivery_status, count(*) FROM archive AS a JOIN t1.archive AS o USING (message_key)
         WHERE o.delivery_status = 'Sent' AND a.delivery_status <> 'Sent'
           AND json_remove(a.raw, '$.deliveryStatus') = json_remove(o.raw, '$.deliveryStatus')
         GROUP BY 1 ORDER BY 1")"
check "... messages recorded late (dated before T) were added" 14 \
  "$(q "ATTACH '$D/at_t1.db' AS t1;
        SELECT count(*) FROM archive WHERE date <= '${T1/T/ }'
           AND message_key NOT IN (SELECT message_key FROM t1.archive)")"
cp "$D/archive.db" "$D/at_t2.db"

at $T3
check "a sync past the year (T + 35 days) succeeds" "" "$(sync)"
edge=$(q "SELECT datetime('$T3', '-365 days')")
check "... the API dropped the older messages" "0" \
  "$(q "SELECT count(*) FROM sms_messages WHERE program_id IN (4711, 4712, 4713) AND date < '$edge'")"
check "... the archive still has them, unchanged" "0|0|3134" \
  "$(q "ATTACH '$D/at_t2.db' AS t2;
        SELECT (SELECT count(*) FROM (SELECT * FROM archive WHERE date < '$edge' EXCEPT SELECT * FROM t2.archive WHERE date < '$edge')),
               (SELECT count(*) FROM (SELECT * FROM t2.archive WHERE date < '$edge' EXCEPT SELECT * FROM archive WHERE date < '$edge')),
               (SELECT count(*) FROM archive WHERE date < '$edge')")"
api $T3
check "... and the rest is the API, row for row" "0|0|30703" "$(same_as_api $T3)"
