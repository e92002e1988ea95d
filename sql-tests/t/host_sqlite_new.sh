# A newer SQLite than the system's: sql-tests/hosts/c_host.c built on the amalgamation that
# better-sqlite3 carries (installed by sql-tests/hosts/node_modules.sh). Debian's SQLite is
# 3.40; on 3.41 and later the extension also polls sqlite3_is_interrupted() inside a
# request, taken from the routines the host hands over, so an interrupt ends a scan in the
# middle of a slow request instead of after it.
source "$(dirname "$0")/../lib.sh"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
export HOME=$TMPDIR_SMS

HOSTS=$ROOT/sql-tests/hosts
NODE=${NODE:-node}
NPM=${NPM:-npm}
source "$HOSTS/node_modules.sh"

AMALGAMATION=$BUILD/node_modules/better-sqlite3/deps/sqlite3
HOST=$BUILD/c_host
if [ ! -x "$HOST" ] || [ "$HOSTS/c_host.c" -nt "$HOST" ] || [ "$AMALGAMATION/sqlite3.c" -nt "$HOST" ]; then
  # -O1: the amalgamation is 9 MB of C; this takes about 15 s
  # built aside and renamed: another test run sharing build/ never runs half a binary
  if ! ${CC:-cc} -O1 -DSQLITE_THREADSAFE=1 -I"$AMALGAMATION" -o "$HOST.$$" "$HOSTS/c_host.c" \
    "$AMALGAMATION/sqlite3.c" -lpthread -ldl -lm 2> "$TMPDIR_SMS/c_host.err" ||
    ! mv -f "$HOST.$$" "$HOST"; then
    echo "not ok - c_host builds on better-sqlite3's amalgamation"
    sed 's/^/#   /' "$TMPDIR_SMS/c_host.err" | head -20
    exit 1
  fi
fi
version=$("$HOST" "$EXT" "SELECT sqlite_version()")
check_match "c_host runs SQLite 3.41 or later ($version)" '^3\.(4[1-9]|[5-9][0-9])\.' "$version"

emu_start_test new --programs 1
want=$(SMS_API_BASE_URL=$new_URL sql <<<"SELECT count(*), sum(type = 'MO'), max(date) FROM sms_messages(4711);")
got=$(SMS_API_BASE_URL=$new_URL "$HOST" "$EXT" \
  "SELECT count(*), sum(type = 'MO'), max(date) FROM sms_messages(4711);")
check "a scan gives what it gives on the system's SQLite" "$want" "$got"

# Every request takes 5 s; the interrupt comes 0.3 s into the first. The transfer runs in
# steps of at most 50 ms with the interrupt polled between them, so the scan ends within
# 0.2 s of it (about 50 ms measured); polled only by libcurl's progress callback (about once
# a second while a transfer waits), it took about 1 s; between rows only, the whole 5 s.
# 0.5 s leaves room for a loaded machine.
emu_start_test slow --programs 1 --latency-ms 5000
out=$(SMS_API_BASE_URL=$slow_URL "$HOST" "$EXT" --interrupt 300 "SELECT count(*) FROM sms_messages(4711);")
read -r rc ms msg <<<"$out"
check "interrupted mid-request: SQLITE_INTERRUPT, the extension's message ($out)" \
  "rc=9 sms_messages: interrupted" "$rc $msg"
check_match "... the scan ends within 0.5 s of the interrupt ($(( ${ms#ms=} - 300 )) ms after it)" \
  '^1$' "$(( ${ms#ms=} - 300 < 500 ))"
check "... and no request after the first" "1" "$(grep -c ' /api/' "$slow_LOG")"
