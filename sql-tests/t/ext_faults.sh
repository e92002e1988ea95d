# Faults: for each kind the emulator injects, a full scan returns exactly the emulator's
# rows (count and a checksum of every field), nothing lost and nothing doubled; when the
# fault never ends, a clear error after the allowed tries.
source "$(dirname "$0")/../lib.sh"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
export HOME=$TMPDIR_SMS

want=$(dump_select 4711 "count(*), sum(CAST(json_extract(value, '$.number') AS INTEGER)),
  sum(length(json_extract(value, '$.body'))), sum(unicode(json_extract(value, '$.date')) * length(value))" \
  --messages 600)
SCAN="CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, page_size=100, timeout=1, retries=3);
SELECT count(*), sum(number), sum(length(body)), sum(unicode(date) * length(raw)) FROM t;"

for kind in 500 503 429 reset truncate malformed hang; do
  emu_start_test "f$kind" --programs 1 --messages 600 --fault "$kind" --fault-every 3
  url_var="f${kind}_URL" log_var="f${kind}_LOG"
  got=$(SMS_API_BASE_URL=${!url_var} sql <<<"$SCAN")
  check "fault $kind every 3rd request: exactly the emulator's rows" "$want" "$got"
  # Under the adaptive default: the first page predicts 5 more, so the chain goes on whole
  # (6 pages of 100) with the edge hour read beside it: 7 pages (issue 21; it was the first
  # page, 4 sub-windows of 2 pages and the edge hour, 10). Every 3rd request fails,
  # whichever lane sent it, and the last cannot (it would be tried again): 10.
  check "fault $kind: 7 pages (the chain's 6, the edge hour), 3 of them tried twice (requests 3, 6, 9 fail)" \
    "10" "$(wc -l < "${!log_var}")"
done

emu_start_test always --programs 1 --messages 600 --fault 503
got=$(scan_count "$always_URL" "retries=2")
check "a fault that never ends: an error after 1 + retries tries" \
  "Runtime error near line 2: sms_messages: GET http://127.0.0.1:$always_PORT/api/messages/program/4711?startDate=2025-06-30T13:00:04&pageSize=500 failed after 3 tries: HTTP 503: General server exception; try again later, or raise the retries or timeout option" "$got"
check "... and exactly 3 requests" "3" "$(wc -l < "$always_LOG")"

emu_start_test garbled --programs 1 --messages 600 --fault malformed
got=$(scan_count "$garbled_URL" "retries=1")
check_match "a page that is never valid JSON: an error naming the URL, never an early end" \
  "sms_messages: GET http://127.0.0.1:$garbled_PORT/api/messages/program/4711\\?startDate=2025-06-30T13:00:04&pageSize=500 failed after 2 tries: bad page: the response is not valid JSON" "$got"

emu_start_test slow --programs 1 --messages 600 --fault hang
start=$(date +%s)
got=$(scan_count "$slow_URL" "timeout=1, retries=0")
check "a server that never answers: timeout bounds the request" \
  "Runtime error near line 2: sms_messages: GET http://127.0.0.1:$slow_PORT/api/messages/program/4711?startDate=2025-06-30T13:00:04&pageSize=500 failed after 1 try: Timeout was reached; try again later, or raise the retries or timeout option" "$got"
elapsed=$(( $(date +%s) - start ))
check "... within a few seconds, not forever" "yes" "$([ "$elapsed" -lt 10 ] && echo yes || echo "no: ${elapsed}s")"

emu_start_test retried --programs 1 --messages 600 --fault 500 --fault-every 2
# One chain (parallel=1): the tries in seq order are those of one page after another (lanes
# would interleave them in an order that varies).
got=$(SMS_API_BASE_URL=$retried_URL sql <<'SQL'
CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, page_size=300, parallel=1);
SELECT count(*) FROM t;
SELECT seq, status, attempt, rows, error FROM sms_requests;
SQL
)
check "sms_requests shows the retried tries and their reason (the last: the edge hour, empty)" "600
1|200|1|300|
2|500|1||HTTP 500: General server exception
3|200|2|300|
4|500|1||HTTP 500: General server exception
5|200|2|0|" "$got"
