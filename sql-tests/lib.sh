# Shared by the test runner, the shell tests, the demo and the benchmark: where things are,
# starting and stopping emulators, and TAP-style checks ("ok - ..." / "not ok - ...").
# Source it; it sets ROOT, BUILD, EMU, EXT, SQLITE3 and a private TMPDIR_SMS, and stops
# every emulator it started when the sourcing shell exits.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
EMU=$BUILD/sms-emulator
EXT=$BUILD/sms_export
SQLITE3=${SQLITE3:-/usr/bin/sqlite3}
PYTHON3=${PYTHON3:-/usr/bin/python3}   # Debian's: it can load extensions
if [ -z "${TMPDIR_SMS:-}" ]; then
  TMPDIR_SMS=$(mktemp -d "${TMPDIR:-/tmp}/sms-test.XXXXXX")
  _SMS_OWN_TMP=1
else   # a test run by the runner: its own folder inside the runner's
  TMPDIR_SMS=$(mktemp -d "$TMPDIR_SMS/sub.XXXXXX")
  _SMS_OWN_TMP=1
fi
# The fixed "now" of the test data: the emulator and the extension agree on it, so no
# expected output depends on the wall clock.
TEST_NOW=2026-06-30T12:00:00
TEST_USER=demo
TEST_PASSWORD='demo-Secret:42'

_EMU_PIDS=()
_emu_cleanup() {
  local p
  for p in "${_EMU_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${_EMU_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  _EMU_PIDS=()
  [ -n "${SMS_KEEP_TMP:-}" ] || [ -z "${_SMS_OWN_TMP:-}" ] || rm -rf "$TMPDIR_SMS"
}
trap _emu_cleanup EXIT
trap 'exit 130' INT TERM

# emu_start NAME [emulator flags...]: start an emulator on a free loopback port, logging
# every request. Sets NAME_URL (the base URL), NAME_PORT, NAME_LOG and NAME_PID.
emu_start() {
  local name=$1; shift
  local pf=$TMPDIR_SMS/$name.port log=$TMPDIR_SMS/$name.log i
  rm -f "$pf"; : > "$log"
  "$EMU" --port 0 --port-file "$pf" --log "$log" "$@" 2>"$TMPDIR_SMS/$name.err" &
  local pid=$!
  _EMU_PIDS+=("$pid")
  for i in $(seq 1 200); do
    [ -s "$pf" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "emulator $name failed to start:" >&2; cat "$TMPDIR_SMS/$name.err" >&2; return 1
    fi
    sleep 0.025
  done
  [ -s "$pf" ] || { echo "emulator $name did not write its port" >&2; return 1; }
  local port; port=$(cat "$pf")
  printf -v "${name}_PORT" '%s' "$port"
  printf -v "${name}_URL" 'http://127.0.0.1:%s/api' "$port"
  printf -v "${name}_LOG" '%s' "$log"
  printf -v "${name}_PID" '%s' "$pid"
}

# emu_start_test NAME [more flags...]: an emulator with the standard test data and login.
emu_start_test() {
  local name=$1; shift
  emu_start "$name" --now "$TEST_NOW" --user "$TEST_USER" --password "$TEST_PASSWORD" "$@"
}

# sql DB: run the sqlite3 shell on DB with the extension loaded, SQL on stdin.
sql() {
  "$SQLITE3" -batch -cmd ".load $EXT" "${1:-:memory:}" 2>&1
}

# check DESC EXPECTED ACTUAL: one TAP line; a diff on failure.
check() {
  if [ "$2" == "$3" ]; then
    echo "ok - $1"
  else
    echo "not ok - $1"
    diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/#   /'
  fi
}

# check_match DESC REGEX ACTUAL: passes when ACTUAL matches the extended regex.
check_match() {
  if [[ $3 =~ $2 ]]; then
    echo "ok - $1"
  else
    echo "not ok - $1"
    printf '#   expected to match: %s\n#   got: %s\n' "$2" "$3"
  fi
}
