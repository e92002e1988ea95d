#!/usr/bin/env bash
# The test runner behind `make test`. It starts one emulator with the standard test data,
# then runs, picking up new files without being edited:
#   sql-tests/sql/*.sql   through the sqlite3 shell with the extension loaded; the output,
#                         followed by the requests the emulator received, must equal NAME.expected
#                         (UPDATE_EXPECTED=1 rewrites the expected files). The requests are in
#                         arrival order, unless the file has the line "-- requests: sorted":
#                         then they are sorted, the stable form of requests sent by parallel
#                         lanes (the adaptive default), whose order varies from run to run
#   sql-tests/t/*.sh      shell tests that print "ok - ..." / "not ok - ..." lines
#   sql-tests/t/*.py      the same, run by Debian's python3 (a second SQLite host)
#   build/unit/test_*     C unit tests, same output convention
# It prints a line per test file as it goes (its name, the checks passed, the seconds it
# took; the failures and their details when there are any), and ends with the line
# "N passed, N failed". Every emulator it started is stopped on exit.
# `bash sql-tests/run.sh WORD` runs only the tests whose path contains WORD.
#
# The names in sql-tests/t/ say what a test exercises: emulator_* the emulator alone, ext_*
# the extension (through the sqlite3 shell or Python's sqlite3, under valgrind, fuzzed),
# host_* the extension in other SQLite hosts and installed by `make install`.
set -u
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

only=${1:-}
# A test file that hangs (a crashed host whose server keeps the pipe open) fails instead of
# holding the run: none takes more than about two minutes (the first Node build).
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
passed=0
failed=0
selected() { [ -z "$only" ] || [[ $1 == *"$only"* ]]; }

# report NAME N_OK N_BAD START: the line of one test file, START its $EPOCHREALTIME.
report() {
  local name=$1 n_ok=$2 n_bad=$3 start=$4 ms
  ms=$(( (${EPOCHREALTIME/./} - ${start/./}) / 1000 ))
  passed=$((passed + n_ok))
  failed=$((failed + n_bad))
  printf '%-40s %4d passed%s %4d.%01ds\n' "$name" "$n_ok" \
    "$([ "$n_bad" -eq 0 ] || printf ', %d FAILED' "$n_bad")" $((ms / 1000)) $((ms % 1000 / 100))
}

# tally NAME OUTPUT RC START: count the TAP lines of a shell or unit test; its line, and the
# lines that are not "ok" when it failed.
tally() {
  local name=$1 out=$2 rc=$3 start=$4 n_ok n_bad
  n_ok=$(grep -c '^ok ' <<<"$out")
  n_bad=$(grep -c '^not ok ' <<<"$out")
  if [ "$n_bad" -gt 0 ] || [ "$rc" -ne 0 ] || [ "$n_ok" -eq 0 ]; then
    [ "$n_bad" -gt 0 ] || n_bad=1
    report "$name" "$n_ok" "$n_bad" "$start"
    echo "FAIL: $name (exit $rc)"
    grep -v '^ok ' <<<"$out" | sed 's/^/  /' | head -60
  else
    report "$name" "$n_ok" 0 "$start"
  fi
}

emu_start_test main --programs 3 --messages 1000 --seed 1 || { echo "0 passed, 1 failed"; exit 1; }
export SMS_API_BASE_URL=$main_URL SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD
export SMS_EXPORT_NOW=$TEST_NOW
# No SMS_CACHE_TTL and no SMS_PARALLEL: every test runs under the defaults users get (the
# window cache on, the adaptive parallel default). A test that needs one chain or no cache
# (it counts the requests of a sequential scan, or checks the path to the API) says so in
# its own table options (parallel=1, cache_ttl=0) or its own environment, with its reason.
unset SMS_CACHE_TTL SMS_PARALLEL SMS_CACHE_MB SMS_RATE_LIMIT SMS_PROGRESS
export HOME=$TMPDIR_SMS/home   # no user's real ~/.netrc
mkdir -p "$HOME"
export TMPDIR_SMS main_URL main_PORT main_LOG EXT TEST_NOW TEST_USER TEST_PASSWORD

for f in sql-tests/sql/*.sql; do
  [ -e "$f" ] && selected "$f" || continue
  name=${f%.sql}
  start=$EPOCHREALTIME
  : > "$main_LOG"
  out=$(cd sql-tests/sql && sql < "$(basename "$f")" 2>&1)
  # the port changes from run to run: expected files say PORT
  if grep -qx -- '-- requests: sorted' "$f"; then
    requests=$(LC_ALL=C sort "$main_LOG")
  else
    requests=$(cat "$main_LOG")
  fi
  actual=$(printf '%s\n-- requests:\n%s' "$out" "$requests" |
    sed "s/127\.0\.0\.1:$main_PORT/127.0.0.1:PORT/g")
  if [ -n "${UPDATE_EXPECTED:-}" ]; then
    printf '%s\n' "$actual" > "$name.expected"
  fi
  if grep -qF -- "$TEST_PASSWORD" <<<"$actual"; then
    report "$f" 0 1 "$start"
    echo "FAIL: $f shows the password"
  elif [ -f "$name.expected" ] && [ "$actual" == "$(cat "$name.expected")" ]; then
    report "$f" 1 0 "$start"
  else
    report "$f" 0 1 "$start"
    echo "FAIL: $f"
    diff <(cat "$name.expected" 2>/dev/null) <(printf '%s\n' "$actual") | head -40 | sed 's/^/  /'
  fi
done

for f in sql-tests/t/*.sh sql-tests/t/*.py; do
  [ -e "$f" ] && selected "$f" || continue
  start=$EPOCHREALTIME
  case $f in
    *.py) out=$(timeout "$TEST_TIMEOUT" "$PYTHON3" "$f" 2>&1); rc=$? ;;
    *) out=$(timeout "$TEST_TIMEOUT" bash "$f" 2>&1); rc=$? ;;
  esac
  tally "$f" "$out" "$rc" "$start"
done

for f in build/unit/test_*; do
  [ -x "$f" ] && selected "$f" || continue
  start=$EPOCHREALTIME
  out=$(timeout "$TEST_TIMEOUT" "$f" 2>&1); rc=$?
  tally "$f" "$out" "$rc" "$start"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
