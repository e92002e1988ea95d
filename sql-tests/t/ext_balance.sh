# Balanced parallel (issue 12): with parallel=N a chain that predicts many pages more than the
# others hands the rest of its range to the lanes that are done, as new sub-windows that drop
# by identity the rows it handed out. On bunched data (half of the messages in one
# fortnight, double sends, some out of date order) chains split (not with the adaptive default, which keeps its request budget); the rows stay exactly those of parallel=1, double sends and
# messages without a date included, whatever order the API sends them in; on evenly spread
# data nothing splits, and the requests are those of the plan alone.
#
# It measures the path to the API, so the cache is off (SMS_CACHE_TTL=0, as the runner sets).
# Nothing here is timed: the requests show whether a chain split.
source "$(dirname "$0")/../lib.sh"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
export HOME=$TMPDIR_SMS SMS_CACHE_TTL=0

BUNCHED=(--programs 1 --messages 3000 --seed 4 --bunched 50 --doubles --latency-ms 20)
emu_start_test b "${BUNCHED[@]}"
# the same messages, 1 in 7 of each result sent after the others: the first pages of a chain
# go by date (so it may split) and its last pages bring rows from before its latest date
emu_start_test o "${BUNCHED[@]}" --out-of-order 7
emu_start_test e --programs 1 --messages 3000 --seed 4 --latency-ms 20

# rows URL COLUMNS OPTIONS [ENV...]: COLUMNS of every row of program 4711 (page_size=100:
# about 30 pages), sorted
rows() {
  local url=$1 cols=$2 opts=$3
  shift 3
  env "$@" SMS_API_BASE_URL="$url" "$SQLITE3" -batch ':memory:' ".load $EXT" \
    "CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, page_size=100$opts);" \
    "SELECT $cols FROM t ORDER BY 1, 2"
}
# starts LOG: the distinct startDate values of the requests in LOG
starts() { grep -o 'startDate=[^&]*' "$1" | sort -u | wc -l; }
# more_than N VALUE: "yes" when VALUE > N
more_than() { [ "$2" -gt "$1" ] && echo yes || echo "no: $2"; }

"$EMU" "${BUNCHED[@]}" --now "$TEST_NOW" --dump 4711 | grep -o '{"campaignName"[^}]*}' \
  >"$TMPDIR_SMS/dump"
n_all=$(wc -l <"$TMPDIR_SMS/dump")

# ---- bunched data, the API's pages by date
one=$(rows "$b_URL" "raw, message_key" ', parallel=1')
check "bunched: parallel=1 gives every message the emulator shows" "$n_all" "$(wc -l <<<"$one")"
: > "$b_LOG"
eight=$(rows "$b_URL" "raw, message_key" ', parallel=8')
cp "$b_LOG" "$TMPDIR_SMS/eight.log"
check "bunched, parallel=8: exactly the rows of parallel=1 (raw and message_key)" "$one" "$eight"
# The plan alone has 9 startDates (8 sub-windows and the edge hour); each piece of a split
# starts a chain of its own.
check "... and a chain split: more startDates than the 8 sub-windows and the edge hour" yes \
  "$(more_than 9 "$(starts "$TMPDIR_SMS/eight.log")")"
: > "$b_LOG"
check "bunched, the adaptive default (parallel once the scan proves long): the same rows" \
  "$one" "$(rows "$b_URL" "raw, message_key" '' -u SMS_PARALLEL)"
# The default promises at most a request a sub-window more than parallel=1: it never splits.
check "... and it does not split (5 startDates: the first page, whose start the first of the 4 sub-windows shares, the 3 others and the edge hour)" \
  "no: 5" "$(more_than 6 "$(starts "$b_LOG")")"

# ---- the same, 1 message in 7 out of date order. Copies of a double send may differ (an MT
# copy has its own status): a piece must drop the copy the split chain handed out, not the
# first of the same identity it meets. message_key numbers the copies in arrival order, so
# only raw is compared.
one=$(rows "$o_URL" "raw, 1" ', parallel=1')
check "out of order: parallel=1 gives every message" "$n_all" "$(wc -l <<<"$one")"
: > "$o_LOG"
check "out of order, parallel=8: exactly the rows of parallel=1" "$one" \
  "$(rows "$o_URL" "raw, 1" ', parallel=8')"
check "... and a chain split" yes "$(more_than 9 "$(starts "$o_LOG")")"
check "out of order, the adaptive default: the same rows" "$one" \
  "$(rows "$o_URL" "raw, 1" '' -u SMS_PARALLEL)"

# ---- messages without a date: a chain that meets one never splits (its pieces could not
# tell which copy of an undated double send it handed out); the rows stay exact
emu_start_test u "${BUNCHED[@]}" --undated 50
one=$(rows "$u_URL" "raw, message_key" ', parallel=1')
check "bunched with undated messages, parallel=8: exactly the rows of parallel=1" "$one" \
  "$(rows "$u_URL" "raw, message_key" ', parallel=8')"

# ---- three programs evenly spread: their edge hours (a page each) end first, and must not
# make the full sub-windows look long (the requests of the build before balancing: 93)
emu_start_test e3 --programs 3 --messages 3000 --seed 4 --latency-ms 20
: > "$e3_LOG"
SMS_API_BASE_URL="$e3_URL" "$SQLITE3" -batch ':memory:' ".load $EXT" \
  "CREATE VIRTUAL TABLE t USING sms_messages(page_size=100, parallel=4);" \
  "SELECT count(*) FROM t WHERE program_id IN (4711, 4712, 4713)" >/dev/null
check "three programs evenly spread, parallel=4: no split (93 requests)" 93 \
  "$(grep -c ' /api/' "$e3_LOG")"

# ---- evenly spread data: chains end together, none splits; the requests are those of the
# plan (what the build before balancing sent: 35 requests, 9 startDates)
even() {
  : > "$e_LOG"
  rows "$e_URL" "count(*), count(date)" ', parallel=8' >/dev/null
  echo "$(grep -c ' /api/' "$e_LOG") requests, $(starts "$e_LOG") startDates"
}
check "evenly spread, parallel=8: no split" "35 requests, 9 startDates" "$(even)"
check "... again" "35 requests, 9 startDates" "$(even)"
