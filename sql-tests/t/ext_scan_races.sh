# The scan's threads under ThreadSanitizer: parallel lanes (parallel=4, 8 and 16, one program
# and three at once) and the adaptive default's widening (the consumer's first page, then
# workers on sub-windows that drop that page's rows), on data that exercise every path where
# threads meet: bunched (half of the messages in one fortnight), double sends, 1 message in 7
# out of date order, 1 in 50 without a date (counted across lanes). The cache off and on
# (cache_ttl=0 and the default), page_size=100 so that scans have many pages.
#
# The extension and a minimal C host (sql-tests/hosts/sql_host.c) are built with clang
# -fsanitize=thread. Each answer must equal what the regular build gives with parallel=1,
# and ThreadSanitizer must report nothing. Suppressed are only the known-benign reports of
# sql-tests/hosts/tsan.supp. Builds build/tsan-scan/; a failed run's reports stay there.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
export HOME=$TMPDIR_SMS
unset SMS_PARALLEL SMS_CACHE_TTL

OUT=$BUILD/tsan-scan
tsan_build "$OUT" sql-tests/hosts/sql_host.c || exit 0

emu_start_test b --programs 3 --messages 2000 --seed 5 --bunched 50 --doubles \
  --out-of-order 7 --undated 50 --latency-ms 5
export SMS_API_BASE_URL=$b_URL
TSAN="halt_on_error=0 second_deadlock_stack=1 suppressions=$ROOT/sql-tests/hosts/tsan.supp print_suppressions=0 exitcode=0"

# tsan_run NAME SQL...: the host under the sanitizer; its output, reports in $OUT/NAME.*
tsan_run() {
  local name=$1 out
  shift
  rm -f "$OUT/$name".*
  out=$(TSAN_OPTIONS="log_path=$OUT/$name $TSAN" "$OUT/host" "$OUT/sms_export.so" "$@" 2>&1)
  # Kernels with more mmap randomness than clang 14's ThreadSanitizer knows refuse to start
  # it: run it again without address randomization.
  if grep -qs 'unexpected memory mapping' <<<"$out" "$OUT/$name".*; then
    rm -f "$OUT/$name".*
    out=$(TSAN_OPTIONS="log_path=$OUT/$name $TSAN" setarch "$(uname -m)" -R \
      "$OUT/host" "$OUT/sms_export.so" "$@" 2>&1)
  fi
  printf '%s\n' "$out"
}

# every row's raw, sorted, as a checksum and a count
ROWS="SELECT count(*), sum(length(raw)), count(date) FROM (SELECT raw, date FROM t)"
for progs in "4711" "4711, 4712, 4713"; do
  want=$(sql <<SQL
CREATE VIRTUAL TABLE t USING sms_messages(page_size=100, parallel=1, cache_ttl=0);
SELECT count(*), sum(length(raw)), count(date) FROM (SELECT raw, date FROM t WHERE program_id IN ($progs));
SQL
)
  for opts in ", parallel=4, cache_ttl=0" ", parallel=8" ", parallel=16, cache_ttl=0" "" ", cache_ttl=0"; do
    name=r$RANDOM
    got=$(tsan_run "$name" \
      "CREATE VIRTUAL TABLE t USING sms_messages(page_size=100$opts);" \
      "SELECT count(*), sum(length(raw)), count(date) FROM (SELECT raw, date FROM t WHERE program_id IN ($progs));" \
      "SELECT count(*), sum(length(raw)), count(date) FROM (SELECT raw, date FROM t WHERE program_id IN ($progs));")
    check "programs $progs, page_size=100$opts: the rows of parallel=1, twice (the second may be the cache's)" \
      "$want
$want" "$got"
    reports=$(cat "$OUT/$name".* 2>/dev/null)
    n=$(grep -c '^WARNING: ThreadSanitizer' <<<"$reports")
    check "programs $progs$opts: ThreadSanitizer reports nothing" 0 "$n"
    if [ "$n" -gt 0 ]; then
      grep -E '^(WARNING|SUMMARY)|/ext/' <<<"$reports" | head -30 | sed 's/^/#   /'
    else
      rm -f "$OUT/$name".*
    fi
  done
done
