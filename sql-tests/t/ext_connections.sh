# Connections: every page of a scan goes over a kept-alive connection, a parallel scan
# opens one connection per stream and no more, and a second statement on the same
# database connection opens none (the curl share). The emulator numbers its TCP
# connections (--log-connections), so the log shows which requests reused one.
source "$(dirname "$0")/../lib.sh"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
export HOME=$TMPDIR_SMS

emu_start_test conn --programs 1 --messages 20000 --log-connections
export SMS_API_BASE_URL=$conn_URL

# conns LOG: "REQUESTS CONNECTIONS" of the API requests in LOG
conns() {
  grep ' /api/' "$1" | awk '{ n++; split($NF, a, "="); if (!(a[2] in seen)) { seen[a[2]] = 1; c++ } }
    END { print n + 0, c + 0 }'
}

# parallel=1: one chain, page after page (the adaptive default, below, reads in lanes).
got=$(sql <<'SQL'
CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, parallel=1);
SELECT count(*) FROM t;
SQL
)
check "sequential scan: every row" "20000" "$got"
check "sequential scan: 40 pages and the edge hour over one connection" "41 1" "$(conns "$conn_LOG")"

: > "$conn_LOG"
got=$(sql <<'SQL'
CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711);
SELECT count(*) FROM t;
SQL
)
check "the adaptive default: every row" "20000" "$got"
read -r nreq nconn <<<"$(conns "$conn_LOG")"
# Issue 21: the first page predicts 39 more, so the stretch it covered is read again (a
# request, on the first chain's connection) and the rest as 4 sub-windows of 10 pages, with
# the edge hour beside them: 6 streams (it was 4 equal sub-windows and the edge hour).
check "the adaptive default: 44 requests (the first page, its stretch again, 4 chains of 10 pages, the edge hour)" \
  "44" "$nreq"
check_match "the adaptive default: at most one connection per stream, the first chain's kept ($nconn)" \
  '^[1-6]$' "$nconn"

: > "$conn_LOG"
got=$(sql <<'SQL'
CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, parallel=8);
SELECT count(*) FROM t;
SQL
)
check "parallel=8: every row" "20000" "$got"
read -r nreq nconn <<<"$(conns "$conn_LOG")"
check "parallel=8: 45 requests (8 chains of 5 or 6 pages, the edge hour)" "45" "$nreq"
# A shared libcurl pool of 5 connections (its default) once made 8 streams close and reopen
# a connection for most requests (33 connections for 44 requests).
check_match "parallel=8: at most one connection per stream, the edge hour's included ($nconn)" \
  '^[1-9]$' "$nconn"

# The first statement learns the server's clock (a short window, one request), so that both
# long scans read the edge hour at once, as a fifth stream: with the clock unknown the first
# would read it last, over a kept connection, and the second would need one more at once.
: > "$conn_LOG"
# cache_ttl=0: the second statement must reach the API to show whose connections it uses;
# the window cache would answer it from the first's rows.
got=$(sql <<'SQL'
CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, parallel=4, cache_ttl=0);
SELECT count(*) > 0 FROM t WHERE date >= '2026-06-30';
SELECT count(*) FROM t;
SELECT count(*) FROM t WHERE type = 'MO';
SQL
)
mo=$(dump_count 4711 "json_extract(value, '$.type') = 'MO'" --programs 1 --messages 20000)
check "two statements, parallel=4: every row, then the MOs" "1
20000
$mo" "$got"
# the second statement's requests (messageType=MO) went over the first one's connections
new_conns=$(grep ' /api/' "$conn_LOG" | awk '
  { split($NF, a, "=") }
  /messageType=MO/ { mo[a[2]] = 1; next }
  { first[a[2]] = 1 }
  END { n = 0; for (c in mo) if (!(c in first)) n++; print n, length(first), length(mo) }')
# A lane that got no task in the first statement (its neighbours took two: which lane takes
# which task is timing's, and under load one may finish twice before another starts) opens
# its connection in the second; what must not happen is a connection per statement, so the
# two together stay within one connection per stream (4 lanes and the edge hour).
read -r n_new n_first n_second <<<"$new_conns"
check_match "two statements: the second reuses the first's connections ($new_conns: new, first's, second's)" \
  '^1$' "$(( n_first >= 1 && n_second >= 1 && n_new + n_first <= 5 ))"
