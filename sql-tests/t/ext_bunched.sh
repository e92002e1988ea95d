# Bunched data (half of the messages in one fortnight, double sends, some out of date order,
# some without a date): equal date ranges are not equal work, and the parallel scan does not
# rebalance them (docs/performance.md says what that costs). What this checks is that every
# plan stays exact on such data, and that its requests are the plan's alone, the same every
# run: one chain per sub-window, whatever the timing.
#
# The tables turn the cache off (cache_ttl=0): the request counts measure the path to the
# API. The defaults are otherwise what users get (no SMS_PARALLEL, no SMS_CACHE_TTL).
# Nothing here is timed.
source "$(dirname "$0")/../lib.sh"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
export HOME=$TMPDIR_SMS
unset SMS_PARALLEL SMS_CACHE_TTL

BUNCHED=(--programs 1 --messages 3000 --seed 4 --bunched 50 --doubles --latency-ms 20)
emu_start_test b "${BUNCHED[@]}"
# the same messages, 1 in 7 of each result sent after the others
emu_start_test o "${BUNCHED[@]}" --out-of-order 7
emu_start_test e --programs 1 --messages 3000 --seed 4 --latency-ms 20

# rows URL COLUMNS OPTIONS: COLUMNS of every row of program 4711 (page_size=100: about 30
# pages), sorted
rows() {
  SMS_API_BASE_URL="$1" "$SQLITE3" -batch ':memory:' ".load $EXT" \
    "CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, page_size=100, cache_ttl=0$3);" \
    "SELECT $2 FROM t ORDER BY 1, 2"
}
# starts LOG: the distinct startDate values of the requests in LOG
starts() { grep -o 'startDate=[^&]*' "$1" | sort -u | wc -l; }
# requests LOG: the request lines, sorted (lanes send them in any order)
requests() { grep ' /api/' "$1" | sort; }

"$EMU" "${BUNCHED[@]}" --now "$TEST_NOW" --dump 4711 | grep -o '{"campaignName"[^}]*}' \
  >"$TMPDIR_SMS/dump"
n_all=$(wc -l <"$TMPDIR_SMS/dump")

# ---- bunched data, the API's pages by date
one=$(rows "$b_URL" "raw, message_key" ', parallel=1')
check "bunched: parallel=1 gives every message the emulator shows" "$n_all" "$(wc -l <<<"$one")"
: > "$b_LOG"
eight=$(rows "$b_URL" "raw, message_key" ', parallel=8')
requests "$b_LOG" > "$TMPDIR_SMS/eight.1"
check "bunched, parallel=8: exactly the rows of parallel=1 (raw and message_key)" "$one" "$eight"
check "... the plan's 9 chains (8 sub-windows and the edge hour)" 9 "$(starts "$b_LOG")"
: > "$b_LOG"
rows "$b_URL" "raw, message_key" ', parallel=8' >/dev/null
check "... and the same requests the next time" "$(cat "$TMPDIR_SMS/eight.1")" "$(requests "$b_LOG")"
: > "$b_LOG"
check "bunched, the adaptive default (parallel once the scan proves long): the same rows" \
  "$one" "$(rows "$b_URL" "raw, message_key" '')"
check "... 5 startDates: the first page, whose start the first of the 4 sub-windows shares, the 3 others and the edge hour" \
  5 "$(starts "$b_LOG")"

# ---- the same, 1 message in 7 out of date order. Copies of a double send may differ (an MT
# copy has its own status): a sub-window of the adaptive default must drop the copy the first
# page handed out, not the first of the same identity it meets. message_key numbers the
# copies in arrival order, so only raw is compared.
one=$(rows "$o_URL" "raw, 1" ', parallel=1')
check "out of order: parallel=1 gives every message" "$n_all" "$(wc -l <<<"$one")"
check "out of order, parallel=8: exactly the rows of parallel=1" "$one" \
  "$(rows "$o_URL" "raw, 1" ', parallel=8')"
check "out of order, the adaptive default: the same rows" "$one" "$(rows "$o_URL" "raw, 1" '')"

# ---- messages without a date
emu_start_test u "${BUNCHED[@]}" --undated 50
one=$(rows "$u_URL" "raw, message_key" ', parallel=1')
check "bunched with undated messages, parallel=8: exactly the rows of parallel=1" "$one" \
  "$(rows "$u_URL" "raw, message_key" ', parallel=8')"
check "bunched with undated messages, the adaptive default: the same rows" "$one" \
  "$(rows "$u_URL" "raw, message_key" '')"

# ---- three programs evenly spread: 93 requests, every run
emu_start_test e3 --programs 3 --messages 3000 --seed 4 --latency-ms 20
: > "$e3_LOG"
SMS_API_BASE_URL="$e3_URL" "$SQLITE3" -batch ':memory:' ".load $EXT" \
  "CREATE VIRTUAL TABLE t USING sms_messages(page_size=100, parallel=4, cache_ttl=0);" \
  "SELECT count(*) FROM t WHERE program_id IN (4711, 4712, 4713)" >/dev/null
check "three programs evenly spread, parallel=4: 93 requests" 93 "$(grep -c ' /api/' "$e3_LOG")"

# ---- evenly spread data: 35 requests, 9 startDates
even() {
  : > "$e_LOG"
  rows "$e_URL" "count(*), count(date)" ', parallel=8' >/dev/null
  echo "$(grep -c ' /api/' "$e_LOG") requests, $(starts "$e_LOG") startDates"
}
check "evenly spread, parallel=8: the plan's requests" "35 requests, 9 startDates" "$(even)"
check "... again" "35 requests, 9 startDates" "$(even)"
