#!/usr/bin/env bash
# The emulator's HTTP surface: Basic auth (401 + WWW-Authenticate), 404 for
# unknown programs and paths, 405 for other methods, the error envelope, the
# request log (exact lines, written before the answer, --log-times), keep-alive and the
# port file.
source "$(dirname "$0")/../lib.sh"
emu_start_test e --programs 2 --messages 50 || exit 1
U=$e_URL/messages/program/4711

# js EXPR: a Python expression over the parsed body d
js() { "$PYTHON3" -c "import json,sys; d=json.load(open('$REQ_BODY')); print($1)"; }
hdr() { tr -d '\r' < "$REQ_HEADERS" | sed -n "s/^$1: //Ip"; }

check "port file holds the port" "$e_PORT" "$(cat "$TMPDIR_SMS/e.port")"
check "no temporary port file left" "" "$(ls "$TMPDIR_SMS" | grep 'port.tmp')"
check_match "port is a number" '^[0-9]+$' "$e_PORT"

: > "$e_LOG"
check "no Authorization: 401" 401 "$(req_raw "$U?pageSize=5")"
check "401 WWW-Authenticate" 'Basic realm="sms-export"' "$(hdr WWW-Authenticate)"
check "401 body is the error envelope" \
  '{"meta":{"attributes":{},"generalErrors":["Authentication required: use HTTP Basic authentication"],"fieldErrors":{},"nextPageUrl":null},"data":[]}' \
  "$(cat "$REQ_BODY")"
check "wrong password: 401" 401 "$(req_raw -u "$TEST_USER:demo-secret" "$U?pageSize=5")"
check "wrong password: message" '["Invalid username or password"]' \
  "$(js 'json.dumps(d["meta"]["generalErrors"])')"
check "wrong password: WWW-Authenticate" 'Basic realm="sms-export"' "$(hdr WWW-Authenticate)"
check "wrong user: 401" 401 "$(req_raw -u "other:$TEST_PASSWORD" "$U")"
check "not Basic: 401" 401 "$(req_raw -H 'Authorization: Bearer abc' "$U")"
check "garbage base64: 401" 401 "$(req_raw -H 'Authorization: Basic !!!' "$U")"
check "password prefix is not enough: 401" 401 \
  "$(req_raw -u "$TEST_USER:demo-Secret" "$U")"
check "right login (password with a colon): 200" 200 "$(req "$U?pageSize=5")"
check "200 content type" 'application/json; charset=utf-8' "$(hdr Content-Type)"
check "log lines, exact" \
"GET /api/messages/program/4711?pageSize=5 auth=none
GET /api/messages/program/4711?pageSize=5 auth=bad
GET /api/messages/program/4711 auth=bad
GET /api/messages/program/4711 auth=bad
GET /api/messages/program/4711 auth=bad
GET /api/messages/program/4711 auth=bad
GET /api/messages/program/4711?pageSize=5 auth=ok" "$(cat "$e_LOG")"

: > "$e_LOG"
check "unknown program: 404" 404 "$(req "$e_URL/messages/program/4713")"
check "unknown program: message" '["Program 4713 does not exist"] [] None' \
  "$(js 'json.dumps(d["meta"]["generalErrors"]), json.dumps(d["data"]), d["meta"]["nextPageUrl"]')"
check "program 4712 exists" 200 "$(req "$e_URL/messages/program/4712")"
check "program 4710 (below the first): 404" 404 "$(req "$e_URL/messages/program/4710")"
check "non-numeric id: 404" 404 "$(req "$e_URL/messages/program/abc")"
check "leading zero id: 404" 404 "$(req "$e_URL/messages/program/04711")"
check "trailing slash: 404" 404 "$(req "$U/")"
check "other API path: 404" 404 "$(req "$e_URL/messages")"
check "other path: 404" 404 "$(req "http://127.0.0.1:$e_PORT/")"
check "404 message" '["Not found: the API is GET /api/messages/program/{programId}"]' \
  "$(js 'json.dumps(d["meta"]["generalErrors"])')"
check "POST: 405" 405 "$(req -X POST -d 'x=1' "$U")"
check "405 Allow header" GET "$(hdr Allow)"
check "DELETE: 405" 405 "$(req -X DELETE "$U")"
check "405 message" '["Method not allowed: use GET"]' "$(js 'json.dumps(d["meta"]["generalErrors"])')"
check "log of 404s and 405s (raw query kept, none omitted)" \
"GET /api/messages/program/4713 auth=ok
GET /api/messages/program/4712 auth=ok
GET /api/messages/program/4710 auth=ok
GET /api/messages/program/abc auth=ok
GET /api/messages/program/04711 auth=ok
GET /api/messages/program/4711/ auth=ok
GET /api/messages auth=ok
GET / auth=ok
POST /api/messages/program/4711 auth=ok
DELETE /api/messages/program/4711 auth=ok" "$(cat "$e_LOG")"

# The query string is logged exactly as received, percent escapes included.
: > "$e_LOG"
req "$U?startDate=2026-06-01T00%3A00%3A00&pageSize=500" >/dev/null
check "log keeps the raw query" \
  "GET /api/messages/program/4711?startDate=2026-06-01T00%3A00%3A00&pageSize=500 auth=ok" \
  "$(cat "$e_LOG")"

# The log line exists as soon as the answer has arrived, for every request.
: > "$e_LOG"
n_bad=0
for i in $(seq 1 20); do
  req "$U?pageSize=$i" >/dev/null
  [ "$(wc -l < "$e_LOG")" -eq "$i" ] || n_bad=$((n_bad + 1))
done
check "log written before each answer (20 requests)" 0 "$n_bad"

# The log is opened O_APPEND: after truncation, new lines start at offset 0.
: > "$e_LOG"
req "$U?pageSize=7" >/dev/null
check "log after truncation has no hole" \
  "GET /api/messages/program/4711?pageSize=7 auth=ok" "$(tr -d '\0' < "$e_LOG")"
line="GET /api/messages/program/4711?pageSize=7 auth=ok"
check "log after truncation: size" "$(( ${#line} + 1 ))" "$(wc -c < "$e_LOG")"

# keep-alive: many requests over one connection.
conns=$(curl -s -u "$TEST_USER:$TEST_PASSWORD" -o /dev/null -o /dev/null -o /dev/null \
  -w '%{num_connects}\n' "$U?pageSize=1" "$U?pageSize=2" "$U?pageSize=3" | tr '\n' ' ')
check "keep-alive: 3 requests, 1 connection" "1 0 0 " "$conns"

# --log-times: each line ends with when the request came, wall clock, in microseconds
# (after conn=N when both are on), so that tests can measure the spacing of requests.
emu_start_test lt --programs 1 --messages 5 --log-connections --log-times || exit 1
t0=$(date +%s.%N)
req "${ok_auth[@]}" "$lt_URL/messages/program/4711?pageSize=1" >/dev/null
t1=$(date +%s.%N)
sleep 0.3
req "${ok_auth[@]}" "$lt_URL/messages/program/4711?pageSize=2" >/dev/null
t2=$(date +%s.%N)
check_match "--log-times: the line ends with t=SECONDS.MICROSECONDS" \
  $'^GET /api/messages/program/4711\\?pageSize=1 auth=ok conn=1 t=[0-9]{10}\\.[0-9]{6}\n'\
$'GET /api/messages/program/4711\\?pageSize=2 auth=ok conn=[12] t=[0-9]{10}\\.[0-9]{6}$' \
  "$(cat "$lt_LOG")"
check "--log-times: each time lies within its request, 0.3 s or more apart" "ok" \
  "$(sed 's/.* t=//' "$lt_LOG" | paste -sd' ' | awk -v t0="$t0" -v t1="$t1" -v t2="$t2" \
    '{ print (t0 <= $1 && $1 <= t1 && t1 <= $2 && $2 <= t2 && $2 - $1 >= 0.3) ? "ok" : $0 }')"

# Loopback only: the listening socket is bound to 127.0.0.1 (0100007F in
# /proc/net/tcp), not to 0.0.0.0.
listen=$(awk -v p="$(printf ':%04X' "$e_PORT")" \
  '$4 == "0A" && substr($2, 9) == p { print $2 }' /proc/net/tcp /proc/net/tcp6)
check "listens on 127.0.0.1 only" "$(printf '0100007F:%04X' "$e_PORT")" "$listen"

# --port N and shutdown on SIGTERM.
emu_start fixed --port 0 >/dev/null || exit 1
port=$fixed_PORT
kill "$fixed_PID"; wait "$fixed_PID" 2>/dev/null
rc=$?
check "SIGTERM: exit 0" 0 "$rc"
"$EMU" --port "$port" --port-file "$TMPDIR_SMS/fixed2.port" 2>/dev/null &
pid=$!
for i in $(seq 1 100); do [ -s "$TMPDIR_SMS/fixed2.port" ] && break; sleep 0.02; done
check "--port N listens on N" "$port" "$(cat "$TMPDIR_SMS/fixed2.port")"
check "--port N answers" 401 "$(req_raw "http://127.0.0.1:$port/api/messages/program/4711")"
kill -INT "$pid"; wait "$pid"
check "SIGINT: exit 0" 0 "$?"
