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
  local pf=$TMPDIR_SMS/$name.port log=$TMPDIR_SMS/$name.log
  rm -f "$pf"; : > "$log"
  "$EMU" --port 0 --port-file "$pf" --log "$log" "$@" 2>"$TMPDIR_SMS/$name.err" &
  _server_wait "$name" $! "$pf" "$log"
}

# hostile_start NAME: the hostile test server (sql-tests/hosts/hostile_server.py: one
# misbehaviour per program id) on free loopback ports. Sets what emu_start sets, and
# NAME_OTHER_PORT: the server its redirect points to, which must see nothing. Log lines are
# "stub|other GET PATH auth=yes|no".
hostile_start() {
  local name=$1
  local pf=$TMPDIR_SMS/$name.port log=$TMPDIR_SMS/$name.log
  rm -f "$pf"; : > "$log"
  "$PYTHON3" "$ROOT/sql-tests/hosts/hostile_server.py" "$pf" "$log" 2>"$TMPDIR_SMS/$name.err" &
  _server_wait "$name" $! "$pf" "$log" || return 1
  read -r _ "${name}_OTHER_PORT" < "$pf"
}

# proxy_start NAME [FORWARD_ORIGIN]: the logging proxy (sql-tests/hosts/logging_proxy.py) on a
# free loopback port: it logs "GET URL authorization=VALUE|-" for every request, then answers
# 502, or relays to FORWARD_ORIGIN (http://127.0.0.1:PORT). Sets what emu_start sets;
# NAME_URL is the proxy's own address, for http_proxy.
proxy_start() {
  local name=$1
  local pf=$TMPDIR_SMS/$name.port log=$TMPDIR_SMS/$name.log
  rm -f "$pf"; : > "$log"
  "$PYTHON3" "$ROOT/sql-tests/hosts/logging_proxy.py" "$pf" "$log" ${2:+"$2"} \
    2>"$TMPDIR_SMS/$name.err" &
  _server_wait "$name" $! "$pf" "$log" || return 1
  local port_var=${name}_PORT
  printf -v "${name}_URL" 'http://127.0.0.1:%s' "${!port_var}"
}

# _server_wait NAME PID PORT_FILE LOG: wait for a started server's port file ("PORT ..."),
# then set NAME_URL, NAME_PORT, NAME_LOG and NAME_PID; it is stopped on exit.
_server_wait() {
  local name=$1 pid=$2 pf=$3 log=$4 i port
  _EMU_PIDS+=("$pid")
  for i in $(seq 1 200); do
    [ -s "$pf" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name failed to start:" >&2; cat "$TMPDIR_SMS/$name.err" >&2; return 1
    fi
    sleep 0.025
  done
  [ -s "$pf" ] || { echo "$name did not write its port" >&2; return 1; }
  read -r port _ < "$pf"
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

# scan_count BASE_URL OPTIONS: `SELECT count(*)` of program 4711 through a table with these
# options (e.g. "retries=2") on BASE_URL, in the shell: the count, or the error (its line 2).
scan_count() {
  SMS_API_BASE_URL=$1 sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, $2);
SELECT count(*) FROM t;"
}

# req [CURL-ARGS...] URL: one request with the test login; prints the HTTP status and
# keeps the body in $REQ_BODY and the headers in $REQ_HEADERS. req_raw: the same without the
# login (give your own, or none).
REQ_BODY=$TMPDIR_SMS/body
REQ_HEADERS=$TMPDIR_SMS/headers
req() { req_raw -u "$TEST_USER:$TEST_PASSWORD" "$@"; }
req_raw() { curl -s -o "$REQ_BODY" -D "$REQ_HEADERS" -w '%{http_code}' "$@"; }

# dump_select PROGRAM EXPRS [WHERE] [--EMULATOR-FLAGS...]: `SELECT EXPRS ... WHERE WHERE`
# over the emulator's --dump of PROGRAM (its clock TEST_NOW unless the flags give --now), a
# row per message, `value` the message object.
dump_select() {
  local program=$1 exprs=$2 where=1; shift 2
  if [ $# -gt 0 ] && [[ $1 != --* ]]; then where=$1; shift; fi
  "$EMU" --now "$TEST_NOW" "$@" --dump "$program" > "$TMPDIR_SMS/dump.json" || return 1
  "$SQLITE3" :memory: "SELECT $exprs FROM json_each(readfile('$TMPDIR_SMS/dump.json')) WHERE $where"
}

# walk_pages URL OUT: follow nextPageUrl from URL with the test login, writing the messages
# of every page to OUT, one JSON object a line; json_lines FILE: a JSON array file the same way
# (a --dump), so that the pages and the dump compare with cmp.
walk_pages() {
  local url=$1 out=$2
  : >"$out"
  while [ "$url" != null ]; do
    curl -s -u "$TEST_USER:$TEST_PASSWORD" "$url" >"$TMPDIR_SMS/walk_page"
    json_lines "$TMPDIR_SMS/walk_page" data >>"$out"
    url=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["meta"]["nextPageUrl"] or "null")' "$TMPDIR_SMS/walk_page")
  done
}
json_lines() {
  "$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); d=d[sys.argv[2]] if len(sys.argv) > 2 else d; print("\n".join(json.dumps(m, ensure_ascii=False) for m in d))' "$@"
}

# dump_count PROGRAM WHERE [--EMULATOR-FLAGS...]: how many messages of PROGRAM's --dump
# satisfy WHERE, e.g. "json_extract(value, '$.type') = 'MO'".
dump_count() { dump_select "$1" "count(*)" "${@:2}"; }

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

# tsan_build OUT HOST_SRC...: build the extension ($OUT/sms_export.so) and a C host ($OUT/host,
# from HOST_SRC linked with Debian's SQLite) with clang -fsanitize=thread; prints the TAP line.
# Returns non-zero when clang is missing or the build failed (the test then stops).
tsan_build() {
  local out=$1 clang=${CLANG:-clang}
  shift
  mkdir -p "$out"
  if ! command -v "$clang" >/dev/null; then
    echo "not ok - $clang is not installed (make deps installs clang)"
    return 1
  fi
  if "$clang" -g -O1 -fsanitize=thread -fPIC -shared -std=gnu11 -Wall -Wextra -Werror \
      -fvisibility=hidden -DSMS_EXPORT_VERSION='"tsan"' -o "$out/sms_export.so" "$ROOT"/ext/*.c \
      -lcurl -lcjson -lpthread -lm -ldl > "$out/build.log" 2>&1 &&
    "$clang" -g -O1 -fsanitize=thread -std=gnu11 -Wall -Wextra -Werror -o "$out/host" \
      "$@" -lsqlite3 -lpthread >> "$out/build.log" 2>&1; then
    echo "ok - the extension and the C host build with -fsanitize=thread"
  else
    echo "not ok - the extension and the C host build with -fsanitize=thread"
    head -20 "$out/build.log" | sed 's/^/#   /'
    return 1
  fi
}

# tls_certs DIR: a throwaway PKI made with openssl at run time (nothing secret is committed),
# in DIR: ca.pem (a private CA), server.pem + server.key (signed by it, for 127.0.0.1,
# localhost and this machine's name `hostname`), other.pem + other.key (signed by it, for
# the name other.test only), rogue-ca.pem and rogue.pem + rogue.key (a certificate for
# 127.0.0.1 signed by another CA, which no one trusts). Keys are P-256, valid two days.
tls_certs() {
  local dir=$1 host
  host=$(hostname 2>/dev/null || echo localhost)
  mkdir -p "$dir"
  (
    cd "$dir" || exit 1
    set -e
    ca() {   # ca NAME CN
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -keyout "$1.key" -out "$1.pem" -subj "/CN=$2" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    }
    leaf() {   # leaf NAME CA SAN
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
        -out "$1.csr" -subj "/CN=$1"
      printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' \
        "$3" > "$1.ext"
      openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 2 \
        -extfile "$1.ext" -out "$1.pem"
    }
    ca ca "sms_export test CA"
    ca rogue-ca "sms_export rogue CA"
    leaf server ca "IP:127.0.0.1,DNS:localhost,DNS:$host"
    leaf other ca "DNS:other.test"
    leaf rogue rogue-ca "IP:127.0.0.1,DNS:localhost,DNS:$host"
  ) > "$dir/openssl.log" 2>&1
}
