# The window cache: what it answers, what it sends, and that its answers are exact.
# Every check here measures the cache's own behaviour (SMS_CACHE_TTL is set per run); the
# rows are compared with a local copy read with the cache off. One sqlite3 process is one
# cache: each scenario below is one shell, so that its statements share it.
source "$(dirname "$0")/../lib.sh"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
export HOME=$TMPDIR_SMS

emu_start_test c --programs 2 --messages 5000
export SMS_API_BASE_URL=$c_URL
DB=$TMPDIR_SMS/local.db

# The local copy, read with the cache off: what every query must give.
SMS_CACHE_TTL=0 sql "$DB" <<'SQL' >/dev/null
CREATE TABLE local AS SELECT *, program_id FROM sms_messages WHERE program_id IN (4711, 4712);
SQL
: > "$c_LOG"

# api_lines: the emulator's requests, without the "GET " and the auth note
api_lines() { sed -e 's/^GET //' -e 's/ auth=ok$//' "$c_LOG"; }

june="program_id = 4711 AND date >= '2026-06-01' AND date < '2026-07-01'"

# --- a report script: four statements over June, one request ---------------------------
report="SELECT count(*) FROM @T@ WHERE $june;
SELECT type, count(*) FROM @T@ WHERE $june GROUP BY type;
SELECT delivery_status, count(*) FROM @T@ WHERE $june AND type = 'MT' GROUP BY 1;
SELECT count(DISTINCT number) FROM @T@ WHERE $june AND date BETWEEN '2026-06-10' AND '2026-06-20';"
want=$(sql "$DB" <<<"${report//@T@/local}")
got=$(SMS_CACHE_TTL=60 sql "$DB" <<SQL
${report//@T@/sms_messages}
SELECT program_id, message_type, start_date, end_date, rows, hits FROM sms_cache;
SQL
)
check "report: four statements give the local rows" "$want" "$(head -n -1 <<<"$got")"
check "report: one request, for June" \
  "/api/messages/program/4711?startDate=2026-05-31T23:59:59&endDate=2026-07-01T00:00:00&pageSize=500" \
  "$(api_lines)"
n_june=$(sql "$DB" <<<"SELECT count(*) FROM local WHERE $june")
check "report: sms_cache holds June, hit by the three statements after the first" \
  "4711||2026-06-01 00:00:00|2026-06-30 23:59:59|$n_june|3" "$(tail -n 1 <<<"$got")"

# --- the same window twice; narrower and one type; both types cover one ---------------
: > "$c_LOG"
got=$(SMS_CACHE_TTL=60 sql "$DB" <<SQL
SELECT count(*) FROM sms_messages WHERE $june AND type = 'MT';
SELECT count(*) FROM sms_messages WHERE $june AND type = 'MT';
SELECT count(*) FROM sms_messages WHERE $june AND type = 'MO';
SELECT count(*) FROM sms_messages WHERE $june;
SELECT count(*) FROM sms_messages WHERE $june AND type = 'MO' AND date < '2026-06-15';
SELECT source, count(*) FROM sms_requests GROUP BY 1;
SQL
)
want=$(sql "$DB" <<SQL
SELECT count(*) FROM local WHERE $june AND type = 'MT';
SELECT count(*) FROM local WHERE $june AND type = 'MT';
SELECT count(*) FROM local WHERE $june AND type = 'MO';
SELECT count(*) FROM local WHERE $june;
SELECT count(*) FROM local WHERE $june AND type = 'MO' AND date < '2026-06-15';
SELECT 'api|3';
SELECT 'cache|2';
SQL
)
check "MT twice, MO, both, then a narrower MO: the local rows; sms_requests shows three requests and two parts the cache answered" "$want" "$got"
check "MT twice, MO, both, then a narrower MO: MT once, MO once, both once, then nothing" \
  "/api/messages/program/4711?messageType=MT&startDate=2026-05-31T23:59:59&endDate=2026-07-01T00:00:00&pageSize=500
/api/messages/program/4711?messageType=MO&startDate=2026-05-31T23:59:59&endDate=2026-07-01T00:00:00&pageSize=500
/api/messages/program/4711?startDate=2026-05-31T23:59:59&endDate=2026-07-01T00:00:00&pageSize=500" \
  "$(api_lines)"

# --- an open-ended window re-read: only its last minutes again ---------------------------
: > "$c_LOG"
got=$(SMS_CACHE_TTL=60 sql "$DB" <<SQL
SELECT count(*) FROM sms_messages WHERE program_id = 4712 AND date >= '2026-06-20';
SELECT count(*) FROM sms_messages WHERE program_id = 4712 AND date >= '2026-06-20';
.shell sleep 3.2
SELECT count(*) FROM sms_messages WHERE program_id = 4712 AND date >= '2026-06-20';
SQL
)
n=$(sql "$DB" <<<"SELECT count(*) FROM local WHERE program_id = 4712 AND date >= '2026-06-20'")
check "open-ended: the local rows three times" "$n
$n
$n" "$got"
check "open-ended: again at once sends nothing; seconds later, one request from 5 minutes before the last" \
  "/api/messages/program/4712?startDate=2026-06-19T23:59:59&pageSize=500
/api/messages/program/4712?startDate=2026-06-30T11:54:59&pageSize=500" "$(api_lines)"

# --- the reply-time query: a correlated subquery, a few requests ---------------------------
reply="SELECT mo.date, mo.number,
       (SELECT max(mt.date) FROM @T@ mt
         WHERE mt.program_id = 4711 AND mt.type = 'MT' AND mt.number = mo.number
           AND mt.date < mo.date AND mt.date >= datetime(mo.date, '-7 days')) AS last_sent,
       (SELECT max(mt.date) FROM @T@ mt
         WHERE mt.program_id = 4711 AND mt.type = 'MT'
           AND mt.date < mo.date AND mt.date >= datetime(mo.date, '-7 days')) AS last_any
  FROM @T@ mo
 WHERE mo.program_id = 4711 AND mo.type = 'MO' AND mo.date >= '2026-06-01'
 ORDER BY 1, 2;"
: > "$c_LOG"
want=$(sql "$DB" <<<"${reply//@T@/local}")
got=$(SMS_CACHE_TTL=60 sql "$DB" <<<"${reply//@T@/sms_messages}")
check "reply time over June: the local rows" "$want" "$got"
check_match "reply time over June: the rows are not trivially empty" '\|2026-06' "$got"
nreq=$(api_lines | wc -l)
check_match "reply time over June: at most 12 requests ($nreq; 496 without the cache)" \
  '^([1-9]|1[0-2])$' "$nreq"

# --- a scan stopped early, or failed midway, covers nothing -------------------------------
: > "$c_LOG"
got=$(SMS_CACHE_TTL=60 sql "$DB" <<SQL
CREATE VIRTUAL TABLE small USING sms_messages(program_id=4712, page_size=100);
SELECT count(*) FROM (SELECT * FROM small WHERE date >= '2026-05-01' LIMIT 150);
SELECT count(*) FROM sms_cache WHERE program_id = 4712 AND start_date <= '2026-05-01';
SELECT count(*) FROM small WHERE date >= '2026-05-01';
SQL
)
n=$(sql "$DB" <<<"SELECT count(*) FROM local WHERE program_id = 4712 AND date >= '2026-05-01'")
check "LIMIT, then the whole window: nothing cached by the LIMIT, every row after" "150
0
$n" "$got"

emu_start_test f --programs 1 --messages 5000 --fault 500 --fault-every 3
# `again` must read the whole window through a fault every 3rd request: one chain
# (parallel=1) always gets through with retries=3, lanes may each meet a fault on every try.
tables="CREATE VIRTUAL TABLE once USING sms_messages(program_id=4711, base_url='$f_URL',
  username='$TEST_USER', password='$TEST_PASSWORD', page_size=100, retries=0);
CREATE VIRTUAL TABLE again USING sms_messages(program_id=4711, base_url='$f_URL',
  username='$TEST_USER', password='$TEST_PASSWORD', page_size=100, retries=3, parallel=1);"
n=$(SMS_CACHE_TTL=0 sql <<<"$tables SELECT count(*) FROM again WHERE date >= '2026-04-01';")
got=$(SMS_CACHE_TTL=60 sql <<SQL 2>&1
$tables
SELECT count(*) FROM once WHERE date >= '2026-04-01';
SELECT count(*) FROM sms_cache WHERE base_url = '$f_URL';
SELECT count(*) FROM again WHERE date >= '2026-04-01';
SELECT count(*) > 0 FROM sms_cache WHERE base_url = '$f_URL';
CREATE TEMP TABLE sent AS SELECT count(*) AS n FROM sms_requests WHERE source = 'api';
SELECT count(*) FROM again WHERE date >= '2026-04-01';
SELECT (SELECT count(*) FROM sms_requests WHERE source = 'api') - n FROM sent;
SQL
)
# The check is that the entries made by `again` hold the window all, since the same scan
# again asks the API nothing.
check_match "a chain failed midway, then the whole window: nothing cached by the failure, every row after, cached" \
  "HTTP 500.*
0
$n
1
$n
0$" "$got"

# --- TTL and DELETE ------------------------------------------------------------------------
: > "$c_LOG"
got=$(SMS_CACHE_TTL=60 sql "$DB" <<SQL
CREATE VIRTUAL TABLE brief USING sms_messages(program_id=4712, cache_ttl=1);
SELECT count(*) FROM brief WHERE date >= '2026-03-01' AND date < '2026-03-08';
.shell sleep 1.2
SELECT count(*) FROM brief WHERE date >= '2026-03-01' AND date < '2026-03-08';
SELECT count(*) FROM sms_messages WHERE program_id = 4711 AND date >= '2026-03-01' AND date < '2026-03-08';
SELECT count(*) FROM sms_messages WHERE program_id = 4712 AND date >= '2026-03-01' AND date < '2026-03-08';
DELETE FROM sms_cache WHERE program_id = 4711;
SELECT program_id FROM sms_cache;
SELECT count(*) FROM sms_messages WHERE program_id = 4711 AND date >= '2026-03-01' AND date < '2026-03-08';
SELECT count(*) FROM sms_messages WHERE program_id = 4712 AND date >= '2026-03-01' AND date < '2026-03-08';
DELETE FROM sms_cache;
SELECT count(*) FROM sms_cache;
SELECT count(*) FROM sms_requests WHERE source = 'api';
SQL
)
a=$(sql "$DB" <<<"SELECT count(*) FROM local WHERE program_id = 4711 AND date >= '2026-03-01' AND date < '2026-03-08'")
b=$(sql "$DB" <<<"SELECT count(*) FROM local WHERE program_id = 4712 AND date >= '2026-03-01' AND date < '2026-03-08'")
check "cache_ttl=1 expires, DELETE ... WHERE program_id forgets one program, DELETE all" "$b
$b
$a
$b
4712
$a
$b
0
4" "$got"

# --- other credentials never read these rows -------------------------------------------------
got=$(SMS_CACHE_TTL=60 sql "$DB" <<SQL 2>&1
SELECT count(*) FROM sms_messages WHERE $june;
CREATE VIRTUAL TABLE other USING sms_messages(program_id=4711, base_url='$c_URL', username='$TEST_USER', password='not-the-password');
SELECT count(*) FROM other WHERE $june;
SQL
)
check_match "other credentials get the API's 401, not the cached rows" \
  "^$n_june
.*sms_messages: .*authentication failed" "$got"

# --- bad values ---------------------------------------------------------------------------
got=$(sql <<'SQL' 2>&1
CREATE VIRTUAL TABLE a USING sms_messages(program_id=1, cache_ttl=-1);
CREATE VIRTUAL TABLE b USING sms_messages(program_id=1, cache_mb=abc);
SQL
)
check "bad cache_ttl and cache_mb name the option" \
  "Runtime error near line 1: sms_messages: cache_ttl must be a whole number of seconds from 0 (no cache) to 31622400, not '-1'
Runtime error near line 2: sms_messages: cache_mb must be a whole number of MiB from 0 to 1048576, not 'abc'" \
  "$got"
got=$(SMS_CACHE_TTL=soon sql <<'SQL' 2>&1
SELECT count(*) FROM sms_messages(4711);
SQL
)
check_match "a bad SMS_CACHE_TTL names the variable" \
  "sms_messages: environment variable SMS_CACHE_TTL: cache_ttl must be a whole number" "$got"

# --- the cache off: every statement asks the API --------------------------------------------
: > "$c_LOG"
SMS_CACHE_TTL=0 sql "$DB" >/dev/null <<SQL
SELECT count(*) FROM sms_messages WHERE $june;
SELECT count(*) FROM sms_messages WHERE $june;
SELECT count(*) FROM sms_cache;
SQL
check "SMS_CACHE_TTL=0: the same window twice is two requests" "2" "$(api_lines | wc -l)"
