# Memory safety under valgrind memcheck: every sql-tests/sql/*.sql file through the sqlite3
# shell with the extension loaded, then the error paths (bad options, 401, 404, retries and
# faults, a page that is never valid JSON) and a hostile server that answers what no real
# API would (a short nextPageUrl, a redirect, a nextPageUrl loop, endless empty pages, a body
# over 64 MiB, rows of every JSON type). One line per run: it passes with zero memcheck
# errors and zero definitely-lost bytes. libcurl and OpenSSL keep some memory reachable until
# exit; "still reachable" and "possibly lost" do not count, and no suppressions are needed.
#
# Run by sql-tests/run.sh (it exports SMS_API_BASE_URL, main_URL, ...); run alone, it starts
# an emulator with the runner's data. About 40 to 70 s on two cores.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"

if ! command -v valgrind >/dev/null; then
  echo "not ok - memcheck: valgrind is not installed (make deps)"
  exit 0
fi

if [ -z "${main_URL:-}" ] || [ -z "${SMS_API_BASE_URL:-}" ]; then
  emu_start_test main --programs 3 --messages 1000 --seed 1 || exit 1
  export SMS_API_BASE_URL=$main_URL SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD
  export SMS_EXPORT_NOW=$TEST_NOW
  export HOME=$TMPDIR_SMS/home
  mkdir -p "$HOME"
fi
main_PORT=${main_PORT:-${main_URL#http://127.0.0.1:}}
main_PORT=${main_PORT%%/*}

VG_N=0
# vg_sql DESC [DB]: run the SQL on stdin through the shell under memcheck; print the TAP line.
# Sets VG_OUT to the shell's output (stdout and stderr) for further checks.
vg_sql() {
  local desc=$1 db=${2:-:memory:} log errors lost
  VG_N=$((VG_N + 1))
  log=$TMPDIR_SMS/vg.$VG_N.log
  VG_OUT=$(valgrind --log-file="$log" --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite --track-origins=no --num-callers=20 --keep-debuginfo=yes \
    "$SQLITE3" -batch -cmd ".load $EXT" "$db" 2>&1)
  VG_RC=$?
  errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tr -d , | tail -1)
  lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tr -d , | tail -1)
  lost=${lost:-0} # "All heap blocks were freed" prints no LEAK SUMMARY
  if [ "$errors" == 0 ] && [ "$lost" == 0 ] && [ "$VG_RC" -ne 99 ]; then
    echo "ok - memcheck $desc: 0 errors, 0 bytes definitely lost"
  else
    echo "not ok - memcheck $desc: ${errors:-no summary} errors, $lost bytes definitely lost (valgrind exit $VG_RC)"
    # the first reports, with their stacks, then the output of the shell
    grep -v '^==[0-9]*== *$' "$log" | sed -n '/Invalid\|uninitialised\|definitely lost in\|Mismatched\|free()\|overlap/,+14p' |
      head -60 | sed 's/^/#   /'
    printf '%s\n' "$VG_OUT" | tail -5 | sed 's/^/#   shell: /'
  fi
}

# 1. every SQL test file, against the runner's emulator; the output must also be the one in
# NAME.expected (the part before the request log), so the queries really ran.
for f in sql-tests/sql/*.sql; do
  [ -e "$f" ] || continue
  name=$(basename "${f%.sql}")
  cd sql-tests/sql
  vg_sql "sql/$name.sql" < "$name.sql"
  cd "$ROOT"
  printf '%s\n' "$VG_OUT" > "$TMPDIR_SMS/$name.out"
  if [ -f "${f%.sql}.expected" ]; then
    want=$(sed '/^-- requests:$/,$d' "${f%.sql}.expected")
    got=$(sed "s/127\.0\.0\.1:$main_PORT/127.0.0.1:PORT/g" "$TMPDIR_SMS/$name.out")
    check "sql/$name.sql under valgrind gives the expected output" "$want" "$got"
  fi
done

# 2. error paths on the runner's emulator: bad options, 401, 404, no program, writes.
vg_sql "error paths: bad options, 401, 404, no program, read-only" <<SQL
CREATE VIRTUAL TABLE b1 USING sms_messages(page_size=0);
CREATE VIRTUAL TABLE b2 USING sms_messages(colour=blue);
CREATE VIRTUAL TABLE b3 USING sms_messages(base_url='https://u:p@example.com/api');
CREATE VIRTUAL TABLE b4 USING sms_messages(program_id=1, program_id=2);
CREATE VIRTUAL TABLE b5 USING sms_messages(username=someone);
CREATE VIRTUAL TABLE b6 USING sms_messages(timeout=99999999999999999999999);
CREATE VIRTUAL TABLE b7 USING sms_messages(program_id='4711', page_size=\`7\`, timeout="5");
SELECT count(*) FROM b7;
SELECT count(*) FROM sms_messages;
SELECT count(*) FROM sms_messages WHERE program_id = 'abc';
SELECT count(*) FROM sms_messages(99);
CREATE VIRTUAL TABLE wrong USING sms_messages(program_id=4711, username=demo, password='wrong-pass-123');
SELECT count(*) FROM wrong;
CREATE VIRTUAL TABLE elsewhere USING sms_messages(program_id=4711, base_url='http://127.0.0.2:9/api');
SELECT count(*) FROM elsewhere;
DELETE FROM wrong;
INSERT INTO sms_messages(program_id, body) VALUES (4711, 'hi');
CREATE VIRTUAL TABLE gone USING sms_messages(program_id=4711, base_url='http://127.0.0.1:9/api', username=u, password=p, retries=0);
SELECT count(*) FROM gone;
SELECT count(*) FROM sms_messages(4711) WHERE date > (SELECT x'00ff') OR date < (SELECT '2026-06-0') OR date = (SELECT 7);
SELECT count(*) FROM sms_messages(4711) WHERE date >= '2026/06/01';
SELECT count(*) FROM sms_messages(4711) WHERE type = 'mo';
SELECT count(*), count(DISTINCT rowid) FROM sms_messages(4712) WHERE type = 'MO' OR number > 5000000000;
SQL
check_match "... with the 401 and 404 texts" \
  "program 99 not found \\(HTTP 404: Program 99 does not exist\\).*authentication failed for user 'demo' \\(HTTP 401" "$(tr '\n' ' ' <<<"$VG_OUT")"

# 2b. threads: parallel sub-windows, a read-ahead worker stopped mid-scan by an error in the
# query (the cursor closes while a page is in flight), the request log (a statement's cache
# parts counted, DELETE), a second .load.
vg_sql "parallel sub-windows, a scan abandoned mid-way, sms_requests, a second .load" <<SQL
CREATE VIRTUAL TABLE p USING sms_messages(program_id=4711, page_size=50, parallel=4);
SELECT count(*), count(DISTINCT raw), count(DISTINCT message_key) FROM p;
CREATE VIRTUAL TABLE s USING sms_messages(program_id=4712, page_size=50);
SELECT count(*) FROM s WHERE CASE WHEN body = 'STOP' THEN abs(-9223372036854775808) ELSE 1 END;
SELECT count(*) FROM p WHERE CASE WHEN body = 'STOP' THEN abs(-9223372036854775808) ELSE 1 END;
SELECT (SELECT number FROM s WHERE type = 'MO') > 0, (SELECT count(*) FROM s);
SELECT count(*) > 0, sum(status = 200) > 0 FROM sms_requests;
SELECT (SELECT count(*) FROM s WHERE type = 'MO' AND number = x.value) FROM generate_series(1, 3) x;
DELETE FROM sms_requests WHERE stmt = 1;
SELECT count(*) > 0, sum(count) > 0 FROM sms_requests;
DELETE FROM sms_requests;
INSERT INTO sms_requests(url) VALUES ('x');
.load $EXT
SELECT count(*) FROM p WHERE type = 'MT';
SELECT count(*) FROM sms_messages(4713) WHERE date >= '2026-06-01';
SELECT count(*) > 0 FROM sms_requests;
SQL
check "... with the right rows and errors" \
  "1000|1000|1000
Runtime error near line 4: integer overflow
Runtime error near line 5: integer overflow
1|1000
1|1
0
0
0
1|1
Runtime error near line 12: sms_requests: the table lists the requests the connection made; DELETE FROM sms_requests empties it, and nothing else writes to it (8)
$("$SQLITE3" -cmd ".load $EXT" :memory: "SELECT count(*) FROM sms_messages(4711) WHERE type = 'MT'; SELECT count(*) FROM sms_messages(4713) WHERE date >= '2026-06-01';")
1" "$VG_OUT"

# 3. faults of the emulator, with and without retries: a page never valid JSON (retries=0),
# resets, cut-short bodies, 503s and 429s every 2nd request, a server that hangs, shapes.
emu_start_test malformed --programs 1 --messages 600 --fault malformed
vg_sql "a malformed page with retries=0" <<SQL
CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, base_url='$malformed_URL', username=$TEST_USER, password='$TEST_PASSWORD', retries=0);
SELECT count(*) FROM t;
SQL
check_match "... fails with the decoder's words after 1 try" \
  "failed after 1 try: bad page: the response is not valid JSON" "$VG_OUT"

# parallel=1: with a fault every 2nd request, retries=2 always suffices when a page's retry
# is the next request, as in one chain; lanes interleave their requests, so one page can meet
# three faults in a row and the scan fail.
scan=""
for kind in reset truncate 503 429; do
  emu_start_test "f$kind" --programs 1 --messages 600 --fault "$kind" --fault-every 2
  url_var="f${kind}_URL"
  scan+="CREATE VIRTUAL TABLE f$kind USING sms_messages(program_id=4711, base_url='${!url_var}', username=$TEST_USER, password='$TEST_PASSWORD', page_size=200, retries=2, parallel=1);
SELECT '$kind', count(*) FROM f$kind;
"
done
emu_start_test hang --programs 1 --messages 600 --fault hang
emu_start_test always --programs 1 --messages 600 --fault 500
for shape in top-next bare; do
  emu_start_test "s${shape//-/_}" --programs 1 --messages 700 --quirks --shape "$shape"
done
vg_sql "faults with retries (reset, truncate, 503, 429), a hang, shapes and quirks" <<SQL
$scan
CREATE VIRTUAL TABLE hang USING sms_messages(program_id=4711, base_url='$hang_URL', username=$TEST_USER, password='$TEST_PASSWORD', timeout=1, retries=0);
SELECT count(*) FROM hang;
CREATE VIRTUAL TABLE always USING sms_messages(program_id=4711, base_url='$always_URL', username=$TEST_USER, password='$TEST_PASSWORD', retries=1);
SELECT count(*) FROM always;
CREATE VIRTUAL TABLE top USING sms_messages(program_id=4711, base_url='$stop_next_URL', username=$TEST_USER, password='$TEST_PASSWORD', page_size=100);
SELECT count(*), sum(number), count(network), max(raw) IS NOT NULL FROM top;
CREATE VIRTUAL TABLE bare USING sms_messages(program_id=4711, base_url='$sbare_URL', username=$TEST_USER, password='$TEST_PASSWORD');
SELECT count(*), sum(number), count(network), count(DISTINCT rowid) FROM bare;
SQL
check "... every row despite the faults, a clear error for the hang and the endless 500" \
  "reset|600
truncate|600
503|600
429|600
Runtime error: sms_messages: GET $hang_URL/messages/program/4711?startDate=2025-06-30T13:00:04&pageSize=500 failed after 1 try: Timeout was reached; try again later, or raise the retries or timeout option
Runtime error: sms_messages: GET $always_URL/messages/program/4711?startDate=2025-06-30T13:00:04&pageSize=500 failed after 2 tries: HTTP 500: General server exception; try again later, or raise the retries or timeout option" \
  "$(head -6 <<<"$VG_OUT" | sed 's/^Runtime error near line [0-9]*:/Runtime error:/')"

# 4. the hostile server (sql-tests/hosts/hostile_server.py, shared with ext_hostile.py):
# what no real API sends. The program number picks the answer.
hostile_start hostile || exit 1
hport=$hostile_PORT
H=$hostile_URL
tbl() { # NAME PROGRAM: a table on the hostile server
  echo "CREATE VIRTUAL TABLE $1 USING sms_messages(program_id=$2, base_url='$H', username=u, password=p, retries=0);"
}
vg_sql "a short nextPageUrl (\"x\")" <<SQL
$(tbl t 8)
SELECT count(*) FROM t;
SQL
# a table per program, then its scan: lines 1 and 2 for the first, 3 and 4 for the next...
vg_sql "hostile server: redirect, loop, empty pages, 64 MiB body, bad rows, error details, a page bomb" <<SQL
$(for p in 4 2 3 1 9 10 5 13; do tbl "t$p" "$p"; echo "SELECT count(*) FROM t$p;"; done)
SQL
got=$(sed "s#127\.0\.0\.1:$hport#HOST#g; s#127\.0\.0\.1:$hostile_OTHER_PORT#OTHER#g" <<<"$VG_OUT")
check "... each fails with its own error" \
"Runtime error near line 2: sms_messages: HTTP 302 from GET http://HOST/api/messages/program/4?startDate=2025-06-30T13:00:04&pageSize=500: the API redirects to http://OTHER/api/messages/program/4; set base_url to the address it names (redirects are not followed, so that credentials go nowhere else)
Runtime error near line 4: sms_messages: the API's nextPageUrl repeats an earlier page (http://HOST/api/messages/program/2?page=2); stopping instead of looping forever
Runtime error near line 6: sms_messages: the API sent more than 100 empty pages in a row (last: http://HOST/api/messages/program/3?page=101); stopping instead of looping forever
Runtime error near line 8: sms_messages: the response to GET http://HOST/api/messages/program/1?startDate=2025-06-30T13:00:04&pageSize=500 is larger than 64 MiB, far more than a page; check base_url
Runtime error near line 10: sms_messages: GET http://HOST/api/messages/program/9?startDate=2025-06-30T13:00:04&pageSize=500 failed after 1 try: bad page: message 2 of the response is not a JSON object; try again later, or raise the retries or timeout option
Runtime error near line 12: sms_messages: GET http://HOST/api/messages/program/10?startDate=2025-06-30T13:00:04&pageSize=500 failed after 1 try: HTTP 500: down; $(printf 'x%.0s' $(seq 1 593)); try again later, or raise the retries or timeout option
Runtime error near line 14: sms_messages: the API's nextPageUrl (http://user:pw@HOST/api/messages/program/5?page=2) is not on the origin of base_url (http://HOST/api); not following it, so that the credentials go nowhere else
Runtime error near line 16: sms_messages: the response to GET http://HOST/api/messages/program/13?startDate=2025-06-30T13:00:04&pageSize=500 holds more than 560 messages, the most a page of pageSize=500 may hold; the server does not honour pageSize: check base_url" \
  "$got"
check "... and the server the redirect names saw nothing" "" "$(grep '^other ' "$hostile_LOG")"
vg_sql "hostile server: rows of every JSON type, every column, rowid, raw" <<SQL
$(tbl t9 11)
$(tbl t10 12)
SELECT * FROM t10;
SELECT typeof(number), number, date, length(body), raw, program_id FROM t10 WHERE rowid > 0 LIMIT 9;
SELECT count(*), count(DISTINCT rowid) FROM t10 WHERE number = 12 OR body = '';
SELECT count(*) FROM t9;
SELECT 'asc', group_concat(quote(date), ' ') FROM (SELECT date FROM t10 ORDER BY date);
SELECT 'desc', count(*) FROM (SELECT date FROM t10 ORDER BY date DESC);
SELECT 'desc2', group_concat(quote(date), ' ') FROM (SELECT date FROM t10 ORDER BY date DESC LIMIT 2);
SQL
check_match "... and a nextPageUrl that is not a string is a bad page" \
  "failed after 1 try: bad page: the response's nextPageUrl is not a string" "$VG_OUT"
# t10's server ignores dates: every sub-window of an ordered scan gets every row, and the
# dateless ones are held back, deduplicated and placed in SQLite's order (sms_order_step)
check "... ORDER BY date over rows of every JSON type, as SQLite orders them (a plain scan has 24)" \
  "asc|NULL NULL NULL NULL NULL NULL NULL NULL NULL 20260601 20260601 20260601 '2026-06-01 10:00:00' '2026-06-01 10:00:00' '2026-06-01 10:00:00' '2026-06-01T10:00' '2026-06-01T10:00' '2026-06-01T10:00' '2026-13-45 99:99:99' '2026-13-45 99:99:99' '2026-13-45 99:99:99' 'junk' 'junk' 'junk'
desc|24
desc2|'junk' 'junk'" "$(grep -E '^(asc|desc|desc2)\|' <<<"$VG_OUT")"

# 5. TLS: a server whose certificate no CA signed. Verification is never turned off, so the
# request fails at once (no retry) with libcurl's words; OpenSSL's error path under memcheck.
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMPDIR_SMS/key.pem" -out "$TMPDIR_SMS/cert.pem" \
    -days 2 -subj /CN=127.0.0.1 >/dev/null 2>&1
  cat > "$TMPDIR_SMS/tls.py" <<'PY'
import http.server, ssl, sys

class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = b'{"data":[]}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def log_message(self, *a):
        pass

srv = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % srv.server_address[1])
srv.serve_forever()
PY
  "$PYTHON3" "$TMPDIR_SMS/tls.py" "$TMPDIR_SMS/tls.port" "$TMPDIR_SMS/cert.pem" "$TMPDIR_SMS/key.pem" \
    2>"$TMPDIR_SMS/tls.err" &
  _EMU_PIDS+=($!)
  for i in $(seq 1 200); do [ -s "$TMPDIR_SMS/tls.port" ] && break; sleep 0.025; done
  tport=$(cat "$TMPDIR_SMS/tls.port")
  vg_sql "a self-signed TLS certificate" <<SQL
CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, base_url='https://127.0.0.1:$tport/api', username=u, password=p);
SELECT count(*) FROM t;
SQL
  check "... is refused at once: certificates are always verified" \
    "Runtime error near line 2: sms_messages: cannot GET https://127.0.0.1:$tport/api/messages/program/4711?startDate=2025-06-30T13:00:04&pageSize=500: SSL certificate problem: self-signed certificate: the server's certificate is not signed by a CA this machine trusts (nothing was sent); behind a company proxy or with a private CA, name that CA's PEM certificates with the ca_file option (one table) or the SMS_CA_FILE environment variable (every table)" \
    "$VG_OUT"
else
  echo "ok - memcheck a self-signed TLS certificate # SKIP no openssl command to make one"
fi

# The window cache and the adaptive default (set here explicitly, whatever the caller's
# environment): statements answered
# from the cache, a correlated subquery's widened misses, programs at once, an ordered scan,
# a DELETE, a table whose cache_mb is too small to keep anything, and a long scan that goes
# parallel by itself. The shell exits with the cache still holding entries: the unload drops
# them (the cache itself is static), so nothing is lost.
SMS_CACHE_TTL=60 SMS_PARALLEL= vg_sql "the window cache and the adaptive default" <<'SQL'
CREATE VIRTUAL TABLE small USING sms_messages(program_id=4711, page_size=50);
SELECT count(*) FROM sms_messages WHERE program_id = 4711 AND date >= '2026-06-01' AND date < '2026-07-01';
SELECT type, count(*) FROM sms_messages WHERE program_id = 4711 AND date >= '2026-06-01' AND date < '2026-07-01' GROUP BY 1;
SELECT count(*) FROM (SELECT mo.date, (SELECT max(mt.date) FROM sms_messages mt WHERE mt.program_id = 4711 AND mt.type = 'MT' AND mt.date < mo.date AND mt.date >= datetime(mo.date, '-7 days')) FROM sms_messages mo WHERE mo.program_id = 4711 AND mo.type = 'MO' AND mo.date >= '2026-06-01');
SELECT count(*) FROM sms_messages WHERE program_id IN (4712, 4713);
SELECT count(*) FROM (SELECT * FROM small WHERE date >= '2026-03-01' ORDER BY date DESC);
SELECT count(*) FROM small WHERE date >= '2026-01-01';
DELETE FROM sms_cache WHERE program_id = 4711;
CREATE VIRTUAL TABLE tiny USING sms_messages(program_id=4711, cache_mb=0, parallel=4);
SELECT count(*) FROM tiny;
SQL
check_match "... and its answers (June, by type, the reply times, two programs, ordered, long, all)" \
  "^[1-9][0-9]*
MO\|[0-9]+
MT\|[0-9]+
[1-9][0-9]*
2000
[1-9][0-9]*
[1-9][0-9]*
1000$" "$VG_OUT"
