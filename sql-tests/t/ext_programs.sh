# Programs at once: `program_id IN (...)` with parallel=N reads the programs concurrently,
# with exactly the rows and the requests of one program after the other. It measures the
# path to the API, so the cache is off (SMS_CACHE_TTL=0: it would answer a scan from the
# scan before).
source "$(dirname "$0")/../lib.sh"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
export HOME=$TMPDIR_SMS SMS_CACHE_TTL=0

emu_start_test p --programs 8 --messages 300 --latency-ms 20 --log-times
export SMS_API_BASE_URL=$p_URL
IN="4711, 4712, 4713, 4714, 4715, 4716, 4717, 4718, 4713, NULL, 0, 'x'"

# scan N: every row of the eight programs with parallel=N, in one order, and the requests
# (the list also holds a duplicate, NULL and values that cannot be programs: none is read)
scan() {
  : > "$p_LOG"
  sql <<SQL
CREATE VIRTUAL TABLE t USING sms_messages(parallel=$1);
SELECT program_id, raw FROM t WHERE program_id IN ($IN) ORDER BY program_id, raw;
SQL
}
# programs LOG N: how many programs the first N requests of LOG are of
programs() { head -n "$2" "$1" | sed -E 's|.*/program/([0-9]+)\?.*|\1|' | sort -u | wc -l; }
one=$(scan 1)
cp "$p_LOG" "$TMPDIR_SMS/one.log"
eight=$(scan 8)
check "eight programs, a duplicate, NULL, 0 and 'x' in IN: the same rows with parallel=8 as with 1" \
  "$one" "$eight"
check "... and 2400 of them" "2400" "$(wc -l <<<"$eight")"
check "... from the same requests (a chain and an edge hour per program)" \
  "$(sed 's/ t=.*//' "$TMPDIR_SMS/one.log" | sort)" "$(sed 's/ t=.*//' "$p_LOG" | sort)"
# With parallel=1 the first two requests are both of 4711 (its chain, then its edge hour);
# with parallel=8 every program's chain starts at once, before any edge hour.
check "parallel=8: the first eight requests are of eight programs" "8" "$(programs "$p_LOG" 8)"
check "parallel=1: the first two requests are of one program" "1" \
  "$(programs "$TMPDIR_SMS/one.log" 2)"

# A statement reading message_key and rowid over programs read at once: each row keeps the
# key and rowid it has in a sequential scan.
keys() {
  sql <<SQL
CREATE VIRTUAL TABLE t USING sms_messages(parallel=$1);
SELECT message_key, rowid FROM t WHERE program_id IN ($IN) ORDER BY 1;
SQL
}
check "parallel=8: message_key and rowid as with parallel=1" "$(keys 1)" "$(keys 8)"

# Programs from another table: `program_id IN (SELECT ...)` hands the table the whole list
# (sqlite3_vtab_in), so they are read at once too. A join feeds them one outer row at a time
# (one scan each, one after the other), which is why the reference says to write the IN.
from_table() {
  : > "$p_LOG"
  sql <<SQL
CREATE TABLE progs(id INTEGER PRIMARY KEY);
INSERT INTO progs VALUES (4718), (4717), (4716), (4715), (4714), (4713), (4712), (4711);
CREATE VIRTUAL TABLE t USING sms_messages(parallel=$1);
SELECT program_id, raw FROM t WHERE program_id IN (SELECT id FROM progs) ORDER BY program_id, raw;
SQL
}
check "IN (SELECT id FROM progs), parallel=8: the rows of the literal list" "$one" \
  "$(from_table 8 | grep -v '^$')"
check "... the first eight requests of eight programs" "8" "$(programs "$p_LOG" 8)"
