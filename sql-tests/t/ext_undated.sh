# Messages without a date (a non-conforming API: the emulator's --undated shows 1 message
# in 50 without its date, and still filters on that date). No request window can be said to
# hold them, so every chain of a scan counts its own and hands out only copies the scan has
# not handed out yet: whatever the plan (one chain, sub-windows, the edge hour apart, the
# adaptive default, ORDER BY date), each comes exactly once, as from one chain. Sent twice
# (--doubles), it comes twice.
#
# It measures the path to the API, so the cache is off (SMS_CACHE_TTL=0, as the runner sets).
source "$(dirname "$0")/../lib.sh"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
export HOME=$TMPDIR_SMS SMS_CACHE_TTL=0

emu_start_test u --programs 1 --messages 3000 --seed 4 --undated 50 --doubles
export SMS_API_BASE_URL=$u_URL
# the emulator's own count of the messages it shows without a date (a double send is two)
n_want=$("$EMU" --programs 1 --messages 3000 --seed 4 --undated 50 --doubles --now "$TEST_NOW" \
  --dump 4711 | grep -o '{"campaignName"[^}]*}' | grep -vc '"date"')

# undated OPTIONS [ENV...]: the undated rows a scan with OPTIONS hands out (their JSON, sorted)
undated() {
  local opts=$1
  shift
  env "$@" "$SQLITE3" -batch ':memory:' ".load $EXT" \
    "CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711$opts);" \
    "SELECT raw FROM t WHERE date IS NULL ORDER BY 1" | md5sum
}
count() {
  "$SQLITE3" -batch ':memory:' ".load $EXT" \
    "CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711$1);" \
    "SELECT count(*) FROM t WHERE date IS NULL"
}
check "the emulator shows some messages without a date" "true" "$([ "$n_want" -gt 40 ] && echo true)"
check "parallel=1 (one chain, and the edge hour): each undated message once" "$n_want" \
  "$(count ', parallel=1')"
want=$(undated ', parallel=1')
check "parallel=4 (date sub-windows overlapping by a second)" "$want" "$(undated ', parallel=4')"
check "parallel=8" "$want" "$(undated ', parallel=8')"
check "the adaptive default (the first page, then sub-windows that drop its rows)" "$want" \
  "$(undated '' -u SMS_PARALLEL)"
ordered=$("$SQLITE3" -batch ':memory:' ".load $EXT" \
  "CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711);" \
  "SELECT raw FROM (SELECT raw, date FROM t ORDER BY date DESC) WHERE date IS NULL ORDER BY 1" |
  md5sum)
check "ORDER BY date DESC (growing sub-windows read one after the other)" "$want" "$ordered"
total() {
  "$SQLITE3" -batch ':memory:' ".load $EXT" \
    "CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, parallel=$1);" \
    "SELECT count(*), count(date) FROM t"
}
check "parallel=8: every message, dated or not, as with parallel=1" "$(total 1)" "$(total 8)"

# The adaptive default with the edge hour apart, its first page ending between the two
# copies of a double send without a date: the first page's copy counts as handed out, and
# the sub-window that brings both hands out only the second.
emu_start_test v --programs 1 --messages 1500 --seed 4 --undated 50 --doubles
count_v() {
  env "$@" SMS_API_BASE_URL="$v_URL" "$SQLITE3" -batch ':memory:' ".load $EXT" \
    "CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, page_size=252);" \
    "SELECT count(*), count(DISTINCT raw) FROM t WHERE date IS NULL"
}
check "a first page that splits a double send: the default gives the undated rows of parallel=1" \
  "$(count_v SMS_PARALLEL=1)" "$(count_v -u SMS_PARALLEL)"
