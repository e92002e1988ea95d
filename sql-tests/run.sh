#!/usr/bin/env bash
# The test runner behind `make test`. It starts one emulator with the standard test data,
# then runs, picking up new files without being edited:
#   sql-tests/sql/*.sql   through the sqlite3 shell with the extension loaded; the output,
#                         followed by the requests the emulator received, must equal NAME.expected
#                         (UPDATE_EXPECTED=1 rewrites the expected files)
#   sql-tests/t/*.sh      shell tests that print "ok - ..." / "not ok - ..." lines
#   sql-tests/t/*.py      the same, run by Debian's python3 (a second SQLite host)
#   build/unit/test_*     C unit tests, same output convention
# and ends with the line "N passed, N failed". Every emulator it started is stopped on exit.
# `bash sql-tests/run.sh WORD` runs only the tests whose path contains WORD.
set -u
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

only=${1:-}
passed=0
failed=0
selected() { [ -z "$only" ] || [[ $1 == *"$only"* ]]; }
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }

# tally NAME OUTPUT RC: count the TAP lines of a shell or unit test.
tally() {
  local name=$1 out=$2 rc=$3 n_ok n_bad
  n_ok=$(grep -c '^ok ' <<<"$out")
  n_bad=$(grep -c '^not ok ' <<<"$out")
  passed=$((passed + n_ok))
  if [ "$n_bad" -gt 0 ] || [ "$rc" -ne 0 ] || [ "$n_ok" -eq 0 ]; then
    [ "$n_bad" -gt 0 ] || n_bad=1
    failed=$((failed + n_bad))
    echo "FAIL: $name (exit $rc)"
    grep -v '^ok ' <<<"$out" | sed 's/^/  /' | head -60
  fi
}

emu_start_test main --programs 3 --messages 1000 --seed 1 || { echo "0 passed, 1 failed"; exit 1; }
export SMS_API_BASE_URL=$main_URL SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD
export SMS_EXPORT_NOW=$TEST_NOW
# The window cache is off unless a test turns it on: every test that counts requests then
# measures the path to the API. The cache's own tests (t/ext_cache*) set SMS_CACHE_TTL.
export SMS_CACHE_TTL=0
export HOME=$TMPDIR_SMS/home   # no user's real ~/.netrc
mkdir -p "$HOME"
export TMPDIR_SMS main_URL main_PORT main_LOG EXT TEST_NOW TEST_USER TEST_PASSWORD

for f in sql-tests/sql/*.sql; do
  [ -e "$f" ] && selected "$f" || continue
  name=${f%.sql}
  : > "$main_LOG"
  out=$(cd sql-tests/sql && sql < "$(basename "$f")" 2>&1)
  # the port changes from run to run: expected files say PORT
  actual=$(printf '%s\n-- requests:\n%s' "$out" "$(cat "$main_LOG")" |
    sed "s/127\.0\.0\.1:$main_PORT/127.0.0.1:PORT/g")
  if [ -n "${UPDATE_EXPECTED:-}" ]; then
    printf '%s\n' "$actual" > "$name.expected"
  fi
  if grep -qF -- "$TEST_PASSWORD" <<<"$actual"; then
    fail "$f shows the password"
  elif [ -f "$name.expected" ] && [ "$actual" == "$(cat "$name.expected")" ]; then
    pass
  else
    fail "$f"
    diff <(cat "$name.expected" 2>/dev/null) <(printf '%s\n' "$actual") | head -40 | sed 's/^/  /'
  fi
done

for f in sql-tests/t/*.sh sql-tests/t/*.py; do
  [ -e "$f" ] && selected "$f" || continue
  case $f in
    *.py) out=$("$PYTHON3" "$f" 2>&1); rc=$? ;;
    *) out=$(bash "$f" 2>&1); rc=$? ;;
  esac
  tally "$f" "$out" "$rc"
done

for f in build/unit/test_*; do
  [ -x "$f" ] && selected "$f" || continue
  out=$("$f" 2>&1); rc=$?
  tally "$f" "$out" "$rc"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
