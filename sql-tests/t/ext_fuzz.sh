# libFuzzer on the two layers that read untrusted text: the page decoder (every response
# body) and the date window (every pushed-down date value), and on the window cache's
# interval bookkeeping (fills, forgets, limits and plans against a brute-force model). See
# sql-tests/fuzz/*.c for the properties each target checks.
#
# Builds build/fuzz/fuzz_page, fuzz_window and fuzz_cache from the ext/ sources (with
# AddressSanitizer and UndefinedBehaviorSanitizer), replays every input of the committed
# corpora sql-tests/fuzz/corpus_*/ (a crash input committed there is a regression test),
# then fuzzes each target for FUZZ_SECONDS (default 20) seconds. New inputs go to
# build/fuzz/work_*/ (kept, so later runs start further); a crash fails the test and its
# input is saved under build/fuzz/crashes/. `make test` and CI keep the short default; a
# campaign sets it: FUZZ_SECONDS=600 nice bash sql-tests/t/fuzz.sh (FUZZ_TARGETS=page for
# one target). Reproduce a crash with
#   build/fuzz/fuzz_page build/fuzz/crashes/page-crash-...
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
CLANG=${CLANG:-clang}
OUT=$BUILD/fuzz
mkdir -p "$OUT/crashes"

if ! command -v "$CLANG" >/dev/null; then
  echo "not ok - fuzz: $CLANG is not installed (make deps installs clang and libclang-rt-14-dev)"
  exit 0
fi

for t in ${FUZZ_TARGETS:-page window cache}; do
  # The ext/ layers below the HTTP client use no SQLite API; compile them from source
  # with the sanitizers (the build/obj objects are not instrumented).
  extra=()
  [ "$t" = cache ] && extra=(ext/sms_cache.c ext/sms_clock.c ext/sms_config.c -lpthread)
  if "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      -std=gnu11 -Wall -Wextra -Iext -o "$OUT/fuzz_$t" "sql-tests/fuzz/fuzz_$t.c" \
      ext/sms_page.c ext/sms_window.c "${extra[@]}" -lcjson -lm -lpthread > "$OUT/build_$t.log" 2>&1; then
    echo "ok - fuzz_$t builds with -fsanitize=fuzzer,address,undefined"
  else
    echo "not ok - fuzz_$t builds with -fsanitize=fuzzer,address,undefined"
    head -20 "$OUT/build_$t.log" | sed 's/^/#   /'
    continue
  fi

  # 1. the committed corpus, each input once
  seeds=(sql-tests/fuzz/corpus_$t/*)
  if "$OUT/fuzz_$t" -runs=1 "${seeds[@]}" > "$OUT/replay_$t.log" 2>&1; then
    echo "ok - fuzz_$t replays its ${#seeds[@]} corpus inputs without a crash"
  else
    echo "not ok - fuzz_$t replays its ${#seeds[@]} corpus inputs without a crash"
    grep -E 'Running: |ERROR|SUMMARY|check failed|fuzz_(page|window|cache):' "$OUT/replay_$t.log" |
      tail -8 | sed 's/^/#   /'
  fi

  # 2. fuzz for FUZZ_SECONDS
  case $t in
    page) max_len=16384 ;;
    window) max_len=64 ;;
    cache) max_len=512 ;;
  esac
  # A dictionary where the input is text (the cache's input is a program of opcode bytes).
  dict=()
  [ -f "sql-tests/fuzz/$t.dict" ] && dict=(-dict="sql-tests/fuzz/$t.dict")
  mkdir -p "$OUT/work_$t"
  before=$(ls "$OUT/crashes" | wc -l)
  start=$(date +%s)
  "$OUT/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -max_len="$max_len" -timeout=10 \
    -rss_limit_mb=1536 "${dict[@]}" -print_final_stats=1 \
    -artifact_prefix="$OUT/crashes/$t-" "$OUT/work_$t" "sql-tests/fuzz/corpus_$t" \
    > "$OUT/fuzz_$t.log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/fuzz_$t.log" | tail -1)
  corpus=$(ls "$OUT/work_$t" | wc -l)
  after=$(ls "$OUT/crashes" | wc -l)
  if [ "$rc" -eq 0 ] && [ "$after" -eq "$before" ] && [ -n "$execs" ]; then
    echo "ok - fuzz_$t: $execs executions in ${elapsed}s, no crash ($corpus inputs in build/fuzz/work_$t)"
  else
    echo "not ok - fuzz_$t: ${execs:-?} executions in ${elapsed}s, exit $rc"
    grep -E 'ERROR|SUMMARY|check failed|fuzz_(page|window|cache):|Test unit written' "$OUT/fuzz_$t.log" |
      head -10 | sed 's/^/#   /'
    ls -t "$OUT/crashes" | head -3 | sed "s|^|#   saved: $OUT/crashes/|"
  fi
done
