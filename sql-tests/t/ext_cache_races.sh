# The window cache under ThreadSanitizer: the workload of t/ext_cache_threads.py (eight
# connections in eight threads reading random windows with the cache on, a ninth thread
# running DELETE FROM sms_cache) in a C host, the extension and the host both built with
# clang -fsanitize=thread. The test asserts that every answer equals the local copy's, that
# the host exits normally, and that ThreadSanitizer reports nothing: no data race, no lock
# order inversion, no use of a freed entry. Suppressed are only the known-benign reports
# listed, each with its reason, in sql-tests/hosts/tsan.supp.
#
# Two runs: the default cache size, and SMS_CACHE_MB=1, so that the LRU evicts entries while
# other threads plan with and read them. TSAN_SEED picks the workload (default: the date's
# day number, printed); TSAN_QUERIES the queries per thread (default 40).
# Builds build/tsan/sms_export.so and build/tsan/host (cache_threads.c); the reports of a failed run
# stay in build/tsan/report.*.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
export HOME=$TMPDIR_SMS

OUT=$BUILD/tsan
SEED=${TSAN_SEED:-$(( $(date +%s) / 86400 ))}
QUERIES=${TSAN_QUERIES:-40}
# The extension as make builds it, with -fsanitize=thread; the host links Debian's SQLite.
tsan_build "$OUT" sql-tests/hosts/cache_threads.c || exit 0

emu_start_test e --programs 2 --messages 3000 --seed 3
export SMS_API_BASE_URL=$e_URL

# The local copy, read with the cache off: what every query must give.
DB=$TMPDIR_SMS/local.db
SMS_CACHE_TTL=0 sql "$DB" <<'SQL' >/dev/null
CREATE TABLE local AS SELECT campaign_name, program_name, program_type, type, delivery_status,
  number, body, date, network, program_id, raw FROM sms_messages WHERE program_id IN (4711, 4712);
SQL
check "the local copy holds every message of both programs" 6000 \
  "$(sql "$DB" <<<"SELECT count(*) FROM local")"

echo "# seed $SEED (TSAN_SEED=$SEED replays it), $QUERIES queries per thread"
for mb in default 1; do
  rm -f "$OUT"/report.*
  if [ "$mb" = default ]; then unset SMS_CACHE_MB; else export SMS_CACHE_MB=$mb; fi
  # The cache on: this test measures the cache itself.
  run_host() {
    SMS_CACHE_TTL=60 \
      TSAN_OPTIONS="log_path=$OUT/report halt_on_error=0 second_deadlock_stack=1 suppressions=$ROOT/sql-tests/hosts/tsan.supp print_suppressions=0 exitcode=0" \
      "$@" "$OUT/host" "$OUT/sms_export.so" "$DB" "$SEED" "$QUERIES" 2>&1
  }
  out=$(run_host)
  rc=$?
  # Kernels with more mmap randomness than clang 14's ThreadSanitizer knows refuse to start
  # it ("unexpected memory mapping"): run it again without address randomization.
  if grep -qs 'unexpected memory mapping' <<<"$out" "$OUT"/report.*; then
    rm -f "$OUT"/report.*
    out=$(run_host setarch "$(uname -m)" -R)
    rc=$?
  fi
  summary=$(grep '^queries=' <<<"$out")
  check "cache_mb=$mb: the host ran every query and exited normally ($summary)" \
    "0 queries=$((8 * QUERIES))" "$rc ${summary%% rows=*}"
  check "cache_mb=$mb: every answer equals the local copy's" "" "$(grep -v '^queries=' <<<"$out" | head -5)"
  check_match "cache_mb=$mb: the clearer ran DELETE FROM sms_cache during the scans" \
    'deletes=([1-9][0-9]+)' "$summary"
  # sms_cache listed entries that had answered scans: the cache took part while they ran.
  check_match "cache_mb=$mb: the cache held entries and answered scans" \
    'held=[1-9][0-9]* hits=[1-9]' "$summary"
  reports=$(cat "$OUT"/report.* 2>/dev/null)
  n=$(grep -c '^WARNING: ThreadSanitizer' <<<"$reports")
  check "cache_mb=$mb: ThreadSanitizer reports nothing (races in ext/: $(grep -c '^SUMMARY.*/ext/' <<<"$reports"))" \
    "0" "$n"
  if [ "$n" -gt 0 ]; then
    grep -E '^(WARNING|SUMMARY)|/ext/' <<<"$reports" | head -30 | sed 's/^/#   /'
    mkdir -p "$OUT/failed"
    cp "$OUT"/report.* "$OUT/failed/" 2>/dev/null
    echo "#   the whole reports: $OUT/failed/"
  fi
done
