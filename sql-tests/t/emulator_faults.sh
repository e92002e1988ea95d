#!/usr/bin/env bash
# Fault injection of the emulator: 500, 503, 429 (Retry-After), reset
# (Content-Length announced, half sent, connection dropped), truncate,
# malformed, hang; --fault-every K counting every request to /api/; logging
# before the fault; --latency-ms with 30 concurrent requests; prompt
# shutdown while a request hangs.
source "$(dirname "$0")/../lib.sh"
D=$TMPDIR_SMS
AUTH="$TEST_USER:$TEST_PASSWORD"
Q="messages/program/4711?startDate=2026-06-01T00:00:00&pageSize=20"

# st URL [curl args]: "STATUS" of a request, body in $D/body
st() { local u=$1; shift; curl -s --max-time 5 -o "$D/body" -w "%{http_code}" -u "$AUTH" "$@" "$u"; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
first_error() { "$PYTHON3" -c "import json; print(json.load(open('$D/body'))['meta']['generalErrors'][0])"; }

# 500 on every request, exact envelope.
emu_start_test f500 --fault 500 || exit 1
check "500: status" 500 "$(st "$f500_URL/$Q")"
check "500: body" \
  '{"meta":{"attributes":{},"generalErrors":["General server exception"],"fieldErrors":{},"nextPageUrl":null},"data":[]}' \
  "$(cat "$D/body")"
check "500: also without credentials (a server fault)" 500 "$(curl -s -o /dev/null -w '%{http_code}' "$f500_URL/$Q")"
check "500: not outside /api/" 404 "$(st "http://127.0.0.1:$f500_PORT/health")"
check "500: the faulty requests are logged" \
"GET /api/$Q auth=ok
GET /api/$Q auth=none
GET /health auth=ok" "$(cat "$f500_LOG")"

# 503 on every 3rd API request, counted over all of them (401s and 404s too).
emu_start_test f503 --fault 503 --fault-every 3 || exit 1
seq_st=""
seq_st+="$(st "$f503_URL/$Q") "                                       # 1
seq_st+="$(curl -s -o /dev/null -w '%{http_code}' "$f503_URL/$Q") "  # 2: 401
seq_st+="$(st "$f503_URL/$Q") "                                       # 3: fault
seq_st+="$(st "$f503_URL/messages/program/9") "                      # 4: 404
seq_st+="$(st "http://127.0.0.1:$f503_PORT/other") "                 # not counted
seq_st+="$(st "$f503_URL/$Q&pageSize=0") "                            # 5: 400
seq_st+="$(st "$f503_URL/$Q") "                                       # 6: fault
seq_st+="$(st "$f503_URL/$Q") "                                       # 7
seq_st+="$(st "$f503_URL/$Q") "                                       # 8
seq_st+="$(st "$f503_URL/$Q")"                                        # 9: fault
check "503 every 3rd /api/ request" "200 401 503 404 404 400 503 200 200 503" "$seq_st"
check "503: message" "General server exception" "$(first_error)"

# 429 with Retry-After (default 1, then --retry-after 7).
emu_start_test f429 --fault 429 --fault-every 2 || exit 1
curl -s -o /dev/null -u "$AUTH" "$f429_URL/$Q"
check "429: status" 429 "$(curl -s -D "$D/h" -o "$D/body" -w '%{http_code}' -u "$AUTH" "$f429_URL/$Q")"
check "429: Retry-After default 1" 1 "$(tr -d '\r' < "$D/h" | sed -n 's/^Retry-After: //Ip')"
check "429: message" "Too many requests: retry later" "$(first_error)"
emu_start_test f429b --fault 429 --retry-after 7 || exit 1
curl -s -D "$D/h" -o /dev/null -u "$AUTH" "$f429b_URL/$Q"
check "429: --retry-after 7" 7 "$(tr -d '\r' < "$D/h" | sed -n 's/^Retry-After: //Ip')"

# truncate: a complete 200 whose body is the first half of the real one.
emu_start_test ftr --fault truncate --fault-every 2 || exit 1
st "$ftr_URL/$Q" >/dev/null; cp "$D/body" "$D/full"
check "truncate: status 200" 200 "$(curl -s -D "$D/h" -o "$D/body" -w '%{http_code}' -u "$AUTH" "$ftr_URL/$Q")"
curl_rc=$?
check "truncate: curl sees a complete response" 0 "$curl_rc"
half=$(( $(wc -c < "$D/full") / 2 ))
check "truncate: Content-Length = half the body" "$half" "$(tr -d '\r' < "$D/h" | sed -n 's/^Content-Length: //Ip')"
check "truncate: the first half, byte for byte" same "$(cmp -s "$D/body" <(head -c "$half" "$D/full") && echo same)"
check "truncate: not valid JSON" invalid \
  "$("$PYTHON3" -c "import json; json.load(open('$D/body'))" 2>/dev/null && echo valid || echo invalid)"
check "truncate: the next request is whole again" same \
  "$(st "$ftr_URL/$Q" >/dev/null; cmp -s "$D/body" "$D/full" && echo same)"

# reset: 200 with the full Content-Length, half the body, then the connection drops.
emu_start_test frs --fault reset --fault-every 2 || exit 1
st "$frs_URL/$Q" >/dev/null; cp "$D/body" "$D/full"
code=$(curl -s -D "$D/h" -o "$D/body" -w '%{http_code} %{size_download}' -u "$AUTH" "$frs_URL/$Q")
rc=$?
check "reset: curl reports a partial transfer (exit 18)" 18 "$rc"
full=$(wc -c < "$D/full")
check "reset: status 200, half of the body received" "200 $((full / 2))" "$code"
check "reset: Content-Length announced the full body" "$full" \
  "$(tr -d '\r' < "$D/h" | sed -n 's/^Content-Length: //Ip')"
check "reset: what arrived is the start of the real body" same \
  "$(cmp -s "$D/body" <(head -c $((full / 2)) "$D/full") && echo same)"
st "$frs_URL/$Q" >/dev/null
curl -s -o /dev/null --compressed -u "$AUTH" "$frs_URL/$Q"
check "reset with gzip: partial too" 18 "$?"

# malformed: a complete 200 that is not JSON.
emu_start_test fml --fault malformed || exit 1
check "malformed: status 200" 200 "$(st "$fml_URL/$Q")"
check "malformed: body" "<html>oops</html>" "$(cat "$D/body")"

# hang: never answered; other connections are served meanwhile.
emu_start_test fh --fault hang --fault-every 2 || exit 1
check "hang: request 1 answered" 200 "$(st "$fh_URL/$Q")"
t0=$(ms)
curl -s -o /dev/null --max-time 1 -u "$AUTH" "$fh_URL/$Q" &
hung=$!
sleep 0.2
check "hang: the hanging request is logged already" 2 "$(wc -l < "$fh_LOG")"
t1=$(ms)
check "hang: request 3 answered while 2 hangs" 200 "$(st "$fh_URL/$Q")"
t2=$(ms)
check_match "hang: and quickly ($((t2 - t1)) ms)" '^1$' "$(( t2 - t1 < 2000 ))"
wait "$hung"
rc=$?
t3=$(ms)
check "hang: curl --max-time 1 times out (exit 28)" 28 "$rc"
check_match "hang: after about 1 s ($((t3 - t0)) ms)" '^1$' "$(( t3 - t0 >= 900 && t3 - t0 < 3000 ))"
curl -s -o /dev/null --max-time 5 -u "$AUTH" "$fh_URL/$Q" &   # 4: hangs
hung=$!
sleep 0.3
t0=$(ms)
kill "$fh_PID"
wait "$fh_PID"
rc=$?
t1=$(ms)
check "hang: SIGTERM still ends the server, exit 0" 0 "$rc"
check_match "hang: promptly ($((t1 - t0)) ms; the watchdog would take 3 s)" '^1$' "$(( t1 - t0 < 2000 ))"
wait "$hung"   # (a bare wait would also wait for the other emulators)

# --latency-ms: each request waits, but 30 concurrent ones wait together.
emu_start_test lat --latency-ms 200 || exit 1
t0=$(ms); st "$lat_URL/$Q" >/dev/null; t1=$(ms)
check_match "latency: one request takes >= 200 ms ($((t1 - t0)) ms)" '^1$' "$(( t1 - t0 >= 200 ))"
t0=$(ms)
pids=()
for i in $(seq 1 30); do
  curl -s --max-time 10 -o "$D/c$i" -w '%{http_code}' -u "$AUTH" "$lat_URL/$Q&page=1" > "$D/s$i" &
  pids+=($!)
done
wait "${pids[@]}"
t1=$(ms)
check "latency: 30 concurrent requests all 200" 30 "$(cat "$D"/s* | grep -o 200 | wc -l)"
# One at a time would take over 6 s; the margin is for a busy machine.
check_match "latency: 30 concurrent x 200 ms in well under 6 s ($((t1 - t0)) ms)" '^1$' \
  "$(( t1 - t0 < 3000 ))"
check "latency: 31 requests logged" 31 "$(wc -l < "$lat_LOG")"
