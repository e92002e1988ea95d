# The window cache and windows inside the last minutes: an entry whose whole span lies in the
# last SMS_CACHE_LATE (300) seconds before its request is all tail, so once the tail's few
# seconds are over it covers nothing. A wider window read after that must fetch that stretch
# once: each row once, none twice (sms_cache_plan once cut such an entry into two
# overlapping gaps, and the rows between the tail's start and the entry's start came twice;
# found by sql-tests/fuzz/fuzz_cache.c).
source "$(dirname "$0")/../lib.sh"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD
export HOME=$TMPDIR_SMS

# Dense data (a message every few minutes), and a clock at which messages lie in the last
# five minutes: 11:55:45 and 11:56:04 with seed 3.
NOW=2026-06-30T11:57:00
emu_start r --now "$NOW" --user "$TEST_USER" --password "$TEST_PASSWORD" --programs 1 \
  --messages 200000 --seed 3
export SMS_API_BASE_URL=$r_URL SMS_EXPORT_NOW=$NOW

recent="SELECT date FROM @T@ WHERE program_id = 4711 AND date >= '2026-06-30 11:40:00' ORDER BY +date;"
want=$(SMS_CACHE_TTL=0 sql <<<"${recent//@T@/sms_messages}")
check_match "the last 17 minutes hold messages of the last 5 (11:55:45, 11:56:04)" \
  '2026-06-30 11:55:45.*2026-06-30 11:56:04' "$(tr '\n' ' ' <<<"$want")"

# The cache on: this test measures the cache itself. The first window lies inside the last
# five minutes; the tail lives SMS_CACHE_TAIL_TTL (3) seconds.
: > "$r_LOG"
got=$(SMS_CACHE_TTL=60 sql <<SQL
SELECT count(*) FROM sms_messages WHERE program_id = 4711 AND date >= '2026-06-30 11:56:30';
.shell sleep 3.2
${recent//@T@/sms_messages}
SQL
)
check "a window of the last 30 s, then the last 17 minutes 3 s later: every row once" \
  "0
$want" "$got"
