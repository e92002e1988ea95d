#!/usr/bin/env bash
# `make bench`: the extension against its floor and the alternatives, side by side in one
# run, on the API emulator. Prints a table, writes build/bench/results.md (the table),
# build/bench/runs.tsv (every run), build/bench/latency.png (the plot) and the emulators'
# request logs. See sql-tests/bench/README.md for what each line measures.
#
#   BENCH_MESSAGES=200000          messages of the program exported (default 200000)
#   BENCH_SMALL_MESSAGES=20000     the smaller size of the RSS measurement
#   BENCH_PARALLEL_MESSAGES=20000  messages behind the slow (--latency-ms) emulator
#   BENCH_PARALLEL_LONG_MESSAGES=100000  the long scan of parallel=1 and 8, at that latency
#   (parallel=1 and 8 also read BENCH_PARALLEL_MESSAGES bunched: half in one fortnight)
#   BENCH_LATENCY_MS=50            that emulator's latency per request (all three slow ones)
#   BENCH_CACHE_MESSAGES=5000      messages behind the slow emulator of the cache measurement
#   BENCH_PROGRAM_MESSAGES=300     messages of each of the 8 programs read at once
#   BENCH_DEFAULT_MESSAGES=10000   messages of the year read with the default parallel (20 pages)
#   BENCH_DEFAULT_LATENCY_MS=100   that emulator's latency per request
#   BENCH_RUNS=3                   runs of each measurement; the median is reported
#   BENCH_KEEP=1                   keep build/bench/work (pages and databases)
#
# Quick run while developing: BENCH_MESSAGES=20000 BENCH_RUNS=1 bash sql-tests/bench/run.sh
# The targets are informational: PASS/MISS lines never fail the run; the exit status is
# non-zero only when a measurement itself broke (a tool missing, a query failing, rows lost).
set -euo pipefail
export LC_ALL=C
# The emulators' logs and ports live in a folder of this tree's build/, not in /tmp: a run
# takes minutes on a shared machine, and a sweep of /tmp/sms-test.* by someone else once
# removed them mid-run.
TMPDIR=$(cd "$(dirname "$0")/../.." && pwd)/build/bench/tmp
export TMPDIR
mkdir -p "$TMPDIR"
source "$(dirname "$0")/../lib.sh"
BENCH_DIR=$ROOT/sql-tests/bench
OUT=$BUILD/bench
WORK=$OUT/work

N=${BENCH_MESSAGES:-200000}
N_SMALL=${BENCH_SMALL_MESSAGES:-20000}
N_PAR=${BENCH_PARALLEL_MESSAGES:-20000}
N_PAR_LONG=${BENCH_PARALLEL_LONG_MESSAGES:-100000}
N_CACHE=${BENCH_CACHE_MESSAGES:-5000}
N_PROG=${BENCH_PROGRAM_MESSAGES:-300}
N_DEF=${BENCH_DEFAULT_MESSAGES:-10000}
LATENCY_DEF=${BENCH_DEFAULT_LATENCY_MS:-100}
LATENCY=${BENCH_LATENCY_MS:-50}
RUNS=${BENCH_RUNS:-3}
PROGRAM=4711
PAGE_SIZE=500 # the extension's default page_size
if [ "$N_SMALL" -ge "$N" ]; then N_SMALL=$((N / 10 > 500 ? N / 10 : 500)); fi
if [ "$N_PAR" -gt "$N" ]; then N_PAR=$N; fi
if [ "$N_PAR_LONG" -gt "$N" ]; then N_PAR_LONG=$N; fi

die() { echo "bench: $*" >&2; exit 1; }
# the export against nginx serving pre-rendered pages (issue 21): static_bench, static_table
source "$(dirname "$0")/static.sh"

# ---- what the run needs ------------------------------------------------------------------
need() { # need PATH-OR-COMMAND DEBIAN-PACKAGE WHY
  if [ ! -x "$1" ] && ! command -v "$1" >/dev/null 2>&1; then
    die "$1 is missing ($3): install the Debian package '$2' (apt-get install -y $2)"
  fi
}
need "$SQLITE3" sqlite3 "the sqlite3 shell times the queries"
need curl curl "curl is the network floor"
need "$PYTHON3" python3 "Debian's python3 runs the stdlib exporter and the time-to-first-row probe"
need gcc gcc "builds the cJSON parse timer"
need /usr/bin/time time "GNU time (/usr/bin/time -f %M) measures peak RSS; the shell's 'time' keyword cannot"
[ -e /usr/include/cjson/cJSON.h ] || die "cJSON's header is missing: install libcjson-dev"
[ -e "$EXT.so" ] || [ -e "$EXT.dylib" ] || die "$EXT.so is missing: run make (or make bench)"
[ -x "$EMU" ] || die "$EMU is missing: run make (or make bench)"
HAVE_GNUPLOT=1
command -v gnuplot >/dev/null 2>&1 || {
  HAVE_GNUPLOT=0
  echo "bench: gnuplot is missing: install gnuplot-nox for build/bench/latency.png (no plot this run)" >&2
}

rm -rf "$WORK"
mkdir -p "$OUT" "$WORK/pages"
# One build for the whole run: others may rebuild build/ meanwhile. The copy keeps the name
# sms_export, from which SQLite derives the entry point.
cp "$EXT.so" "$WORK/sms_export.so" && cp "$EMU" "$WORK/sms-emulator" || die "cannot copy the build"
EXT=$WORK/sms_export EMU=$WORK/sms-emulator
EXT_ID="$(sha1sum "$EXT.so" | cut -c1-10), built $(date -u -r "$BUILD/sms_export.so" '+%H:%M:%S UTC')"
if git -C "$ROOT" rev-parse --short HEAD >/dev/null 2>&1; then
  EXT_ID+=" from $(git -C "$ROOT" rev-parse --short HEAD)"
  [ -z "$(git -C "$ROOT" status --porcelain -- ext 2>/dev/null)" ] || EXT_ID+=" + uncommitted ext/ changes"
fi
gcc -O2 -Wall -Wextra -o "$WORK/cjson_parse" "$BENCH_DIR/cjson_parse.c" -lcjson ||
  die "cannot build sql-tests/bench/cjson_parse.c"
gcc -O2 -Wall -Wextra -shared -fPIC -o "$WORK/whatif.so" "$BENCH_DIR/whatif.c" -ldl ||
  die "cannot build sql-tests/bench/whatif.c"

export HOME=$TMPDIR_SMS/home # no user's ~/.netrc
mkdir -p "$HOME"
export SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
# Every line measures the path to the API (the window cache off) unless it is about the
# cache: those run with `env -u SMS_CACHE_TTL`, the defaults (cache_ttl=60, cache_mb=64).
export SMS_CACHE_TTL=0
CACHE_ON=(env -u SMS_CACHE_TTL)
# Likewise every line reads one chain per window (parallel=1, as SMS_PARALLEL=1 says) unless
# it names parallel or is about the adaptive default (`env -u SMS_PARALLEL`).
export SMS_PARALLEL=1

# ---- timing helpers ----------------------------------------------------------------------
: > "$OUT/runs.tsv"
declare -A T # T[key] = the runs' values, space-separated

usec() { local t=${1/./}; echo $((10#$t)); } # EPOCHREALTIME -> microseconds

# record KEY VALUE: one run's value (seconds, KiB or a count)
record() {
  T[$1]="${T[$1]:-}${T[$1]:+ }$2"
  printf '%s\t%s\n' "$1" "$2" >> "$OUT/runs.tsv"
}

# emu_cpu PID: CPU seconds (user + system) the emulator has used so far
CLK_TCK=$(getconf CLK_TCK)
emu_cpu() { awk -v hz="$CLK_TCK" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# timed KEY CMD...: run CMD (output to $WORK/last.out) under GNU time; record its wall time
# (KEY), its own CPU time, user + system, children included (KEY_cpu), and the CPU time the
# emulator $TIMED_EMU spent meanwhile (KEY_emu), in seconds
timed() {
  local key=$1 t0 t1 e0; shift
  e0=$(emu_cpu "$TIMED_EMU")
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%U %S' -o "$WORK/cpu" "$@" > "$WORK/last.out" 2> "$WORK/last.err" || {
    [ -z "${TIMED_SOFT:-}" ] || return 1
    echo "bench: $key failed: $*" >&2
    sed 's/^/  /' "$WORK/last.err" "$WORK/last.out" | head -20 >&2
    exit 1
  }
  t1=$EPOCHREALTIME
  record "$key" "$(awk -v a="$(usec "$t0")" -v b="$(usec "$t1")" 'BEGIN { printf "%.4f", (b - a) / 1e6 }')"
  record "${key}_cpu" "$(tail -1 "$WORK/cpu" | awk '{ printf "%.2f", $1 + $2 }')"
  record "${key}_emu" "$(awk -v a="$e0" -v b="$(emu_cpu "$TIMED_EMU")" 'BEGIN { printf "%.2f", b - a }')"
}

# peak_rss KEY CMD...: run CMD under GNU time, record its peak RSS in KiB
peak_rss() {
  local key=$1; shift
  /usr/bin/time -f '%M' -o "$WORK/rss" "$@" > "$WORK/last.out" 2> "$WORK/last.err" || {
    echo "bench: $key failed: $*" >&2; sed 's/^/  /' "$WORK/last.err" | head -20 >&2; exit 1
  }
  record "$key" "$(tail -1 "$WORK/rss")"
}

median() { # median KEY
  tr ' ' '\n' <<< "${T[$1]}" | sort -g | awk '{ a[NR] = $1 } END {
    if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# the table's helpers (static.sh's table uses them too)
fmt() { awk -v x="$1" 'BEGIN { printf "%.3f", x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
verdict() { if "$@"; then echo PASS; else echo MISS; fi; }
runs_of() { tr ' ' '\n' <<< "${T[$1]}" | awk '{ printf "%s%.3f", (NR > 1 ? ", " : ""), $1 }'; }

SQLX=("$SQLITE3" -batch -bail -cmd ".load $EXT") # the sqlite3 shell with the extension
sqlx() { "${SQLX[@]}" "$@"; }                    # sqlx DB SQL

# rows_sum DB TABLE: row count and an order-independent digest of every column
rows_sum() {
  local n digest
  n=$("$SQLITE3" -batch "$1" "SELECT count(*) FROM $2")
  digest=$("$SQLITE3" -batch -separator '|' "$1" \
    "SELECT * FROM $2 ORDER BY date, number, type, body, campaign_name, program_name,
            program_type, delivery_status, network" | md5sum | cut -c1-12)
  echo "$n $digest"
}

# requests_of LOG: API requests in an emulator log
requests_of() { grep -c ' /api/' "$1" || true; }

# stmt_run KEY EMU DB LOGCOPY SQL...: run SQL (lines; one of them ".timer on" before the
# statement timed) in a fresh DB against the emulator named EMU (its _URL, _PID, _LOG), timed
# as the whole process (KEY) and as the statement by the shell's .timer (KEY_stmt: it reports
# only for SQL read from stdin), its requests counted (KEY_requests) and its log kept as
# $OUT/LOGCOPY; STMT_ROWS is then the rows' count and digest (rows_sum of the table copy).
# Not to be run in $( ): what it records would stay in the subshell. STMT_ENV (an array, may
# be unset) goes before the shell: `env -u SMS_PARALLEL` for the default parallel.
stmt_run() {
  local key=$1 emu=$2 db=$3 logcopy=$4 url log pid stmt; shift 4
  url=${emu}_URL log=${emu}_LOG pid=${emu}_PID
  rm -f "$db"
  : > "${!log}"
  printf '%s\n' "$@" > "$WORK/stmt.sql"
  SMS_API_BASE_URL=${!url} TIMED_EMU=${!pid} timed "$key" ${STMT_ENV[@]+"${STMT_ENV[@]}"} \
    "${SQLX[@]}" "$db" < "$WORK/stmt.sql"
  stmt=$(awk '/^Run Time: real/ { print $4 }' "$WORK/last.out")
  [ -n "$stmt" ] || die "$key: the shell printed no Run Time line"
  record "${key}_stmt" "$stmt"
  record "${key}_requests" "$(requests_of "${!log}")"
  cp "${!log}" "$OUT/$logcopy"
  STMT_ROWS=$(rows_sum "$db" copy)
}

echo "== sms_export benchmark: $N messages (RSS also at $N_SMALL), parallel at $N_PAR messages x ${LATENCY} ms,"
echo "   the cache at $N_CACHE messages x ${LATENCY} ms, 8 programs of $N_PROG at once x ${LATENCY} ms,"
echo "   the default parallel at $N_DEF messages x ${LATENCY_DEF} ms, $RUNS runs each"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the emulators ------------------------------------------------------------------------
emu_start_test big --programs 1 --messages "$N" || die "cannot start the emulator"
emu_start_test small --programs 1 --messages "$N_SMALL" || die "cannot start the emulator"
emu_start_test slow --programs 1 --messages "$N_PAR" --latency-ms "$LATENCY" ||
  die "cannot start the emulator"
emu_start_test slowlong --programs 1 --messages "$N_PAR_LONG" --latency-ms "$LATENCY" ||
  die "cannot start the emulator"
emu_start_test slowbunch --programs 1 --messages "$N_PAR" --bunched 50 --latency-ms "$LATENCY" ||
  die "cannot start the emulator"
emu_start_test cached --programs 1 --messages "$N_CACHE" --latency-ms "$LATENCY" ||
  die "cannot start the emulator"
emu_start_test progs --programs 8 --messages "$N_PROG" --latency-ms "$LATENCY" ||
  die "cannot start the emulator"
emu_start_test year --programs 1 --messages "$N_DEF" --latency-ms "$LATENCY_DEF" ||
  die "cannot start the emulator"
export SMS_API_BASE_URL=$big_URL
TIMED_EMU=$big_PID
# every emulator renders its data on first use: do that before any timing
PROGRAMS=$(seq -s, "$PROGRAM" $((PROGRAM + 7))) # the 8 programs read at once
for u in "$big_URL/messages/program/$PROGRAM" "$small_URL/messages/program/$PROGRAM" \
  "$slow_URL/messages/program/$PROGRAM" "$slowlong_URL/messages/program/$PROGRAM" \
  "$slowbunch_URL/messages/program/$PROGRAM" "$cached_URL/messages/program/$PROGRAM" \
  "$year_URL/messages/program/$PROGRAM" \
  $(for p in ${PROGRAMS//,/ }; do echo "$progs_URL/messages/program/$p"; done); do
  curl -sf -o /dev/null -u "$TEST_USER:$TEST_PASSWORD" "$u?pageSize=1" ||
    die "the emulator does not answer $u"
done

# ---- warm-up export: the reference rows, and the exact requests the extension makes ------
: > "$big_LOG"
LD_PRELOAD="$WORK/whatif.so" WHATIF_COUNT_FILE="$WORK/parses" \
  sqlx "$WORK/src.db" "CREATE TABLE copy AS SELECT * FROM sms_messages($PROGRAM)" ||
  die "the export failed"
read -r N_PARSES _ < "$WORK/parses"
cp "$big_LOG" "$OUT/export-requests.log"
SCAN_REQUESTS=$(requests_of "$big_LOG")
read -r SRC_ROWS SRC_SUM <<< "$(rows_sum "$WORK/src.db" copy)"
[ "$SRC_ROWS" = "$N" ] || die "the export returned $SRC_ROWS rows, not $N"
# the same URLs for curl: one invocation, one connection, every page to /dev/null
HOSTPART=${big_URL%/api}
sed -n 's#^GET \(/api/[^ ]*\) auth=.*#\1#p' "$big_LOG" > "$WORK/paths"
{
  echo "fail"
  echo "user = \"$TEST_USER:$TEST_PASSWORD\""
  while read -r p; do echo "url = \"$HOSTPART$p\""; echo "output = /dev/null"; done < "$WORK/paths"
} > "$WORK/curl.cfg"
{ echo "compressed"; cat "$WORK/curl.cfg"; } > "$WORK/curl-gzip.cfg"
# and the pages on disk, for json_each and cJSON
i=0
{
  echo "fail"
  echo "user = \"$TEST_USER:$TEST_PASSWORD\""
  while read -r p; do
    i=$((i + 1))
    echo "url = \"$HOSTPART$p\""
    printf 'output = "%s/pages/p%05d.json"\n' "$WORK" "$i"
  done < "$WORK/paths"
} > "$WORK/curl-save.cfg"
curl -s -K "$WORK/curl-save.cfg" || die "cannot download the pages"
N_PAGES=$i
PAGE_BYTES=$(cat "$WORK"/pages/*.json | wc -c)
FIRST_URL=$HOSTPART$(head -1 "$WORK/paths")
# What a user would write: one chain from a year ago (the extension reads the hour next to
# the retention edge as a request of its own, last; a fixed clock needs no such care).
PY_START=$("$SQLITE3" :memory: "SELECT strftime('%Y-%m-%dT%H:%M:%S', '$TEST_NOW', '-365 days', '+5 seconds')")
PY_URL="$HOSTPART/api/messages/program/$PROGRAM?startDate=$PY_START&pageSize=$PAGE_SIZE"
grep -q "gzip" <<< "$(curl -s -o /dev/null -D - --compressed -u "$TEST_USER:$TEST_PASSWORD" "$FIRST_URL")" &&
  GZIP_BYTES=$(curl -s -H 'Accept-Encoding: gzip' -u "$TEST_USER:$TEST_PASSWORD" "$FIRST_URL" | wc -c) ||
  GZIP_BYTES=

JSON_EACH_SQL="
CREATE TABLE copy AS
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N_PAGES)
SELECT j.value ->> '\$.campaignName' AS campaign_name, j.value ->> '\$.programName' AS program_name,
       j.value ->> '\$.programType' AS program_type, j.value ->> '\$.type' AS type,
       j.value ->> '\$.deliveryStatus' AS delivery_status, j.value ->> '\$.number' AS number,
       j.value ->> '\$.body' AS body, replace(j.value ->> '\$.date', 'T', ' ') AS date,
       j.value ->> '\$.network' AS network
  FROM n, json_each(readfile(printf('$WORK/pages/p%05d.json', n.i)), '\$.data') AS j;"

# ---- a static server (nginx), identity and gzip: static.sh -------------------------------
# BENCH_ONLY=static runs this section alone after the warm-up (a quick look while working)
static_bench
if [ "${BENCH_ONLY:-}" = static ]; then
  static_table | tee "$OUT/static.md"
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"
  exit 0
fi

# ---- the full export and everything compared with it, run after run ---------------------
echo "-- full export and its floor ($N_PAGES pages, $((PAGE_BYTES / 1000000)) MB of JSON)"
for r in $(seq 1 "$RUNS"); do
  rm -f "$WORK/export.db" "$WORK/copy.db" "$WORK/py.db" "$WORK/je.db" "$WORK/identity.db"
  rm -f "$WORK/export-cache.db"
  timed export "${SQLX[@]}" "$WORK/export.db" "CREATE TABLE copy AS SELECT * FROM sms_messages($PROGRAM)"
  # the same with the cache on (the default): the chain's rows are also collected, up to
  # cache_mb, for later statements of the process
  timed export_cache "${CACHE_ON[@]}" "${SQLX[@]}" "$WORK/export-cache.db" \
    "CREATE TABLE copy AS SELECT * FROM sms_messages($PROGRAM)"
  # what the export would take without gzip (the same requests, identity encoding)
  timed identity env LD_PRELOAD="$WORK/whatif.so" WHATIF_IDENTITY=1 \
    "${SQLX[@]}" "$WORK/identity.db" "CREATE TABLE copy AS SELECT * FROM sms_messages($PROGRAM)"
  timed curl curl -s -K "$WORK/curl.cfg"
  timed curl_gzip curl -s -K "$WORK/curl-gzip.cfg"
  timed copy "$SQLITE3" -batch -bail "$WORK/copy.db" \
    "ATTACH '$WORK/src.db' AS s; CREATE TABLE copy AS SELECT * FROM s.copy"
  timed python "$PYTHON3" "$BENCH_DIR/py_export.py" "$PY_URL" "$WORK/py.db"
  read -r PY_ROWS PY_REQUESTS < "$WORK/last.out"
  timed json_each "$SQLITE3" -batch -bail "$WORK/je.db" "$JSON_EACH_SQL"
  "$WORK/cjson_parse" "$WORK"/pages/*.json > "$WORK/last.out" || die "cjson_parse failed"
  read -r secs _ _ CJSON_ROWS < "$WORK/last.out"
  record cjson "$secs"
  printf '   run %d/%d: export %ss, curl %ss, python %ss, json_each %ss\n' "$r" "$RUNS" \
    "${T[export]##* }" "${T[curl]##* }" "${T[python]##* }" "${T[json_each]##* }"
done
# the rows must be the same everywhere
read -r EXP_ROWS EXP_SUM <<< "$(rows_sum "$WORK/export.db" copy)"
read -r PYC_ROWS PYC_SUM <<< "$(rows_sum "$WORK/py.db" copy)"
[ "$(rows_sum "$WORK/identity.db" copy)" = "$SRC_ROWS $SRC_SUM" ] || die "the identity export gave other rows"
[ "$(rows_sum "$WORK/export-cache.db" copy)" = "$SRC_ROWS $SRC_SUM" ] || die "the export with the cache on gave other rows"
read -r JE_ROWS JE_SUM <<< "$(rows_sum "$WORK/je.db" copy)"
[ "$EXP_ROWS $EXP_SUM" = "$SRC_ROWS $SRC_SUM" ] || die "two exports differ: $EXP_ROWS $EXP_SUM vs $SRC_ROWS $SRC_SUM"
ROWS_SAME="export $EXP_ROWS rows ($EXP_SUM)"
[ "$PYC_ROWS $PYC_SUM" = "$EXP_ROWS $EXP_SUM" ] && ROWS_SAME+=", python same" || ROWS_SAME+=", python DIFFERS ($PYC_ROWS $PYC_SUM)"
[ "$JE_ROWS $JE_SUM" = "$EXP_ROWS $EXP_SUM" ] && ROWS_SAME+=", json_each same" || ROWS_SAME+=", json_each DIFFERS ($JE_ROWS $JE_SUM)"
[ "$CJSON_ROWS" = "$N" ] || die "cJSON counted $CJSON_ROWS rows, not $N"
[ "$PY_ROWS" = "$N" ] || die "the python exporter wrote $PY_ROWS rows, not $N"

# ---- peak RSS ---------------------------------------------------------------------------
echo "-- peak RSS"
for r in $(seq 1 "$RUNS"); do
  peak_rss rss_bare "$SQLITE3" -batch :memory: "SELECT sqlite_version()"
  peak_rss rss_idle "${SQLX[@]}" :memory: "SELECT sms_export_version()"
  SMS_API_BASE_URL=$small_URL peak_rss rss_small "${SQLX[@]}" :memory: "SELECT count(*) FROM sms_messages($PROGRAM)"
  [ "$(cat "$WORK/last.out")" = "$N_SMALL" ] || die "count(*) at $N_SMALL gave $(cat "$WORK/last.out")"
  peak_rss rss_big "${SQLX[@]}" :memory: "SELECT count(*) FROM sms_messages($PROGRAM)"
  [ "$(cat "$WORK/last.out")" = "$N" ] || die "count(*) at $N gave $(cat "$WORK/last.out")"
  peak_rss rss_one "${SQLX[@]}" :memory: "SELECT count(*) FROM (SELECT * FROM sms_messages($PROGRAM) LIMIT 1)"
  rm -f "$WORK/rsscopy.db"
  peak_rss rss_copy "${SQLX[@]}" "$WORK/rsscopy.db" "CREATE TABLE copy AS SELECT * FROM sms_messages($PROGRAM)"
  # the cache on (the default, cache_mb=64): a window bigger than the cap is collected up to
  # the cap before it is dropped
  peak_rss rss_small_cache "${CACHE_ON[@]}" SMS_API_BASE_URL="$small_URL" "${SQLX[@]}" :memory: \
    "SELECT count(*) FROM sms_messages($PROGRAM)"
  [ "$(cat "$WORK/last.out")" = "$N_SMALL" ] || die "count(*) at $N_SMALL with the cache on gave $(cat "$WORK/last.out")"
  peak_rss rss_big_cache "${CACHE_ON[@]}" "${SQLX[@]}" :memory: "SELECT count(*) FROM sms_messages($PROGRAM)"
  [ "$(cat "$WORK/last.out")" = "$N" ] || die "count(*) at $N with the cache on gave $(cat "$WORK/last.out")"
  rm -f "$WORK/rsscopy.db"
  peak_rss rss_copy_cache "${CACHE_ON[@]}" "${SQLX[@]}" "$WORK/rsscopy.db" \
    "CREATE TABLE copy AS SELECT * FROM sms_messages($PROGRAM)"
done

# ---- LIMIT 10 ----------------------------------------------------------------------------
echo "-- LIMIT 10"
: > "$big_LOG"
sqlx :memory: "SELECT * FROM sms_messages($PROGRAM) LIMIT 10" > "$WORK/limit.out" || die "LIMIT 10 failed"
cp "$big_LOG" "$OUT/limit10-requests.log"
LIMIT_ROWS=$(wc -l < "$WORK/limit.out")
LIMIT_REQUESTS=$(requests_of "$big_LOG")
LIMIT_PAGESIZE=$(sed -n 's/.*[?&]pageSize=\([0-9]*\).*/\1/p' "$big_LOG" | sort -u | paste -sd, -)
"$PYTHON3" "$BENCH_DIR/ttfr.py" "$EXT" "SELECT * FROM sms_messages($PROGRAM) LIMIT 10" "$RUNS" > "$WORK/ttfr" ||
  die "ttfr.py failed"
while read -r s; do record ttfr_limit "$s"; done < "$WORK/ttfr"
"$PYTHON3" "$BENCH_DIR/ttfr.py" "$EXT" "SELECT * FROM sms_messages($PROGRAM)" "$RUNS" > "$WORK/ttfr" ||
  die "ttfr.py failed"
while read -r s; do record ttfr_scan "$s"; done < "$WORK/ttfr"

# ---- a join with 1,000 local contacts ----------------------------------------------------
echo "-- join with 1,000 contacts"
"$SQLITE3" -batch -bail "$WORK/contacts.db" "
  ATTACH '$WORK/src.db' AS s;
  CREATE TABLE contacts(number INTEGER PRIMARY KEY, name);
  INSERT INTO contacts SELECT number, 'contact ' || number FROM
    (SELECT DISTINCT number FROM s.copy WHERE number IS NOT NULL LIMIT 1000);" ||
  die "cannot make the contacts"
N_CONTACTS=$("$SQLITE3" "$WORK/contacts.db" "SELECT count(*) FROM contacts")
JOIN_SQL="SELECT count(*) FROM contacts c JOIN sms_messages m ON m.number = c.number WHERE m.program_id = $PROGRAM"
JOIN_EXPECT=$("$SQLITE3" "$WORK/contacts.db" "ATTACH '$WORK/src.db' AS s;
  SELECT count(*) FROM contacts c JOIN s.copy m ON m.number = c.number")
sqlx "$WORK/contacts.db" "EXPLAIN QUERY PLAN $JOIN_SQL" > "$OUT/join-plan.txt" || true
JOIN_OK=1
for r in $(seq 1 "$RUNS"); do
  : > "$big_LOG"
  # a plan that scans the API once per contact would take hours: cut it off
  if ! TIMED_SOFT=1 timed join timeout 300 "$SQLITE3" -batch -bail -cmd ".load $EXT" "$WORK/contacts.db" "$JOIN_SQL"; then
    JOIN_OK=0; break
  fi
  JOIN_ROWS=$(cat "$WORK/last.out")
  record join_requests "$(requests_of "$big_LOG")"
  awk -v a="$(median join_requests)" -v b="$SCAN_REQUESTS" 'BEGIN { exit !(a <= 2 * b) }' || break # no need to repeat a bad plan
done
cp "$big_LOG" "$OUT/join-requests.log"
[ "$JOIN_ROWS" = "$JOIN_EXPECT" ] || die "the join gave $JOIN_ROWS rows, the same join on a local copy $JOIN_EXPECT"

# ---- parallel at ${LATENCY} ms ---------------------------------------------------------------
echo "-- parallel at ${LATENCY} ms per request ($N_PAR messages)"
declare -A PAR_SUM PAR_REQ
PAR_MISMATCH=
for r in $(seq 1 "$RUNS"); do
  for p in 1 2 4 8; do
    # The statement alone is what is judged: the process time also holds starting sqlite3
    # and loading libcurl and its libraries (about 25 ms), the same for every N and not
    # what parallel changes.
    stmt_run "par$p" slow "$WORK/par.db" "parallel$p-requests.log" \
      "CREATE VIRTUAL TABLE temp.t USING sms_messages(program_id=$PROGRAM, parallel=$p);" \
      ".timer on" "CREATE TABLE copy AS SELECT * FROM t;"
    s=$STMT_ROWS
    [ -n "${PAR_SUM[1]:-}" ] || PAR_SUM[1]=$s
    [ "$s" = "${PAR_SUM[1]}" ] || PAR_MISMATCH+=" parallel=$p run $r: $s vs ${PAR_SUM[1]};"
    PAR_SUM[$p]=$s
  done
  printf '   run %d/%d: parallel 1/2/4/8: statement %ss %ss %ss %ss, process %ss %ss %ss %ss\n' \
    "$r" "$RUNS" "${T[par1_stmt]##* }" "${T[par2_stmt]##* }" "${T[par4_stmt]##* }" \
    "${T[par8_stmt]##* }" "${T[par1]##* }" "${T[par2]##* }" "${T[par4]##* }" "${T[par8]##* }"
done
[ "${PAR_SUM[1]%% *}" = "$N_PAR" ] || PAR_MISMATCH+=" parallel=1 gave ${PAR_SUM[1]%% *} rows, not $N_PAR;"

# ---- parallel 1 and 8 on a long scan (where whole rounds of 8 requests no longer set the
# ratio) and on bunched data (half of the messages in one fortnight: equal date ranges are
# not equal work) ---------------------------------------------------------------------------
# par_one_eight KEY EMU N WHAT [OPTIONS]: parallel=1 and 8, RUNS times, against emulator EMU
# (N messages), the table's other OPTIONS (", rate_limit=10") appended
par_one_eight() {
  local key=$1 emu=$2 n=$3 opts=${5:-} r p first=
  echo "-- parallel at ${LATENCY} ms per request, $4 ($n messages)"
  for r in $(seq 1 "$RUNS"); do
    for p in 1 8; do
      stmt_run "$key$p" "$emu" "$WORK/par.db" "parallel$p-$emu-requests.log" \
        "CREATE VIRTUAL TABLE temp.t USING sms_messages(program_id=$PROGRAM, parallel=$p$opts);" \
        ".timer on" "CREATE TABLE copy AS SELECT * FROM t;"
      [ -n "$first" ] || first=$STMT_ROWS
      [ "$STMT_ROWS" = "$first" ] || PAR_MISMATCH+=" parallel=$p ($4) run $r: $STMT_ROWS vs $first;"
    done
    printf '   run %d/%d: parallel 1/8: statement %ss %ss\n' "$r" "$RUNS" \
      "${T[${key}1_stmt]##* }" "${T[${key}8_stmt]##* }"
  done
  [ "${first%% *}" = "$n" ] || PAR_MISMATCH+=" parallel=1 ($4) gave ${first%% *} rows, not $n;"
}
par_one_eight parL slowlong "$N_PAR_LONG" "a long scan"
par_one_eight parB slowbunch "$N_PAR" "bunched data"
# Bunched data under a rate limit: the scan does not rebalance (issue 18 removed the balance,
# which lost here: a split re-reads, and the requests it adds wait for the limit's turn)
par_one_eight parR slowbunch "$N_PAR" "bunched data, rate_limit=10" ", rate_limit=10"

# ---- the window cache at ${LATENCY} ms: a report script and a correlated subquery ---------
echo "-- the cache at ${LATENCY} ms per request ($N_CACHE messages): a report and the reply-time query"
# Four statements over June in one process (count; by type; MT by delivery_status; distinct
# numbers), and the reply-time query: for each MO since June 1, the last MT to the same
# number in the 7 days before it (a correlated subquery: one inner scan per outer row).
JUNE="program_id = $PROGRAM AND date >= '2026-06-01' AND date < '2026-07-01'"
printf '%s\n' ".timer on" \
  "SELECT count(*) FROM sms_messages WHERE $JUNE;" \
  "SELECT type, count(*) FROM sms_messages WHERE $JUNE GROUP BY type ORDER BY type;" \
  "SELECT delivery_status, count(*) FROM sms_messages WHERE $JUNE AND type = 'MT'
     GROUP BY delivery_status ORDER BY delivery_status;" \
  "SELECT count(DISTINCT number) FROM sms_messages WHERE $JUNE;" > "$WORK/report.sql"
printf '%s\n' ".timer on" \
  "SELECT mo.date, mo.number,
     (SELECT max(mt.date) FROM sms_messages mt
       WHERE mt.program_id = $PROGRAM AND mt.type = 'MT' AND mt.number = mo.number
         AND mt.date < mo.date AND mt.date >= datetime(mo.date, '-7 days')) AS last_sent
   FROM sms_messages mo
  WHERE mo.program_id = $PROGRAM AND mo.type = 'MO' AND mo.date >= '2026-06-01';" > "$WORK/reply.sql"
# The expected rows: the same SQL on a local copy of the program (a real table of the same
# name, program_id a column), in a shell without the extension.
rm -f "$WORK/cache-src.db"
SMS_API_BASE_URL=$cached_URL sqlx "$WORK/cache-src.db" \
  "CREATE TABLE copy AS SELECT program_id, * FROM sms_messages($PROGRAM)" || die "the copy of the cache's program failed"
"$SQLITE3" -batch -bail "$WORK/cache-src.db" "ALTER TABLE copy RENAME TO sms_messages" || die "cannot rename the copy"
for q in report reply; do
  "$SQLITE3" -batch -bail "$WORK/cache-src.db" < "$WORK/$q.sql" | grep -v '^Run Time:' > "$WORK/$q.expect" ||
    die "the $q on the local copy failed"
done
CACHE_ROWS="report $(grep -c . "$WORK/report.expect") lines, reply-time $(grep -c . "$WORK/reply.expect") rows"
# one scan of June, alone: what the report costs when it reads the API once
: > "$cached_LOG"
SMS_API_BASE_URL=$cached_URL sqlx :memory: "SELECT count(*) FROM sms_messages WHERE $JUNE" > /dev/null ||
  die "one scan of June failed"
JUNE_REQUESTS=$(requests_of "$cached_LOG")
CACHE_MISMATCH=
# cache_run KEY QUERY [env -u SMS_CACHE_TTL]: QUERY's SQL in one sqlite3 process on the slow
# emulator; records KEY (the process), KEY_stmt (the sum of its statements' .timer) and
# KEY_requests (from the emulator's log); the rows must equal those of the local copy
cache_run() {
  local key=$1 q=$2 stmt; shift 2
  : > "$cached_LOG"
  SMS_API_BASE_URL=$cached_URL TIMED_EMU=$cached_PID timed "$key" "$@" "${SQLX[@]}" :memory: < "$WORK/$q.sql"
  stmt=$(awk '/^Run Time: real/ { s += $4; n++ } END { if (n) printf "%.4f", s }' "$WORK/last.out")
  [ -n "$stmt" ] || die "$key: the shell printed no Run Time line"
  record "${key}_stmt" "$stmt"
  record "${key}_requests" "$(requests_of "$cached_LOG")"
  cp "$cached_LOG" "$OUT/$key-requests.log"
  grep -v '^Run Time:' "$WORK/last.out" | cmp -s - "$WORK/$q.expect" ||
    CACHE_MISMATCH+=" $key run $r differs from the local copy;"
}
for r in $(seq 1 "$RUNS"); do
  cache_run report_on report "${CACHE_ON[@]}"
  cache_run report_off report
  cache_run reply_on reply "${CACHE_ON[@]}"
  cache_run reply_off reply
  printf '   run %d/%d: report on/off %ss %ss (%s/%s requests), reply-time on/off %ss %ss (%s/%s requests)\n' \
    "$r" "$RUNS" "${T[report_on]##* }" "${T[report_off]##* }" "${T[report_on_requests]##* }" \
    "${T[report_off_requests]##* }" "${T[reply_on]##* }" "${T[reply_off]##* }" \
    "${T[reply_on_requests]##* }" "${T[reply_off_requests]##* }"
done

# ---- 8 programs at once at ${LATENCY} ms --------------------------------------------------
echo "-- program_id IN (8 programs) at ${LATENCY} ms per request ($N_PROG messages each)"
declare -A PROG_SUM
PROG_MISMATCH=
for r in $(seq 1 "$RUNS"); do
  for p in 1 8; do
    stmt_run "progs$p" progs "$WORK/progs.db" "programs-parallel$p-requests.log" \
      "CREATE VIRTUAL TABLE temp.t USING sms_messages(parallel=$p);" ".timer on" \
      "CREATE TABLE copy AS SELECT program_id, * FROM t WHERE program_id IN ($PROGRAMS);"
    s=$STMT_ROWS
    [ -n "${PROG_SUM[1]:-}" ] || PROG_SUM[1]=$s
    [ "$s" = "${PROG_SUM[1]}" ] || PROG_MISMATCH+=" parallel=$p run $r: $s vs ${PROG_SUM[1]};"
  done
  printf '   run %d/%d: parallel 1/8: statement %ss %ss, process %ss %ss\n' "$r" "$RUNS" \
    "${T[progs1_stmt]##* }" "${T[progs8_stmt]##* }" "${T[progs1]##* }" "${T[progs8]##* }"
done
[ "${PROG_SUM[1]%% *}" = "$((8 * N_PROG))" ] || PROG_MISMATCH+=" parallel=1 gave ${PROG_SUM[1]%% *} rows, not $((8 * N_PROG));"

# ---- the default parallel: a year at ${LATENCY_DEF} ms ----------------------------------------
echo "-- the default parallel at ${LATENCY_DEF} ms per request ($N_DEF messages: a year of $(((N_DEF + PAGE_SIZE - 1) / PAGE_SIZE)) pages)"
# The eponymous table, no option (what a user who never read the reference gets), against
# a table with parallel=1 (one chain): the same statement, the same rows.
declare -A DEF_SUM
DEF_MISMATCH=
for r in $(seq 1 "$RUNS"); do
  for k in default one; do
    if [ "$k" = default ]; then
      STMT_ENV=(env -u SMS_PARALLEL)
      stmt_run "year_$k" year "$WORK/year.db" "year-$k-requests.log" ".timer on" \
        "CREATE TABLE copy AS SELECT * FROM sms_messages($PROGRAM);"
    else
      STMT_ENV=()
      stmt_run "year_$k" year "$WORK/year.db" "year-$k-requests.log" \
        "CREATE VIRTUAL TABLE temp.t USING sms_messages(program_id=$PROGRAM, parallel=1);" \
        ".timer on" "CREATE TABLE copy AS SELECT * FROM t;"
    fi
    STMT_ENV=()
    s=$STMT_ROWS
    [ -n "${DEF_SUM[one]:-}" ] || [ "$k" != one ] || DEF_SUM[one]=$s
    DEF_SUM[$k.$r]=$s
  done
  [ "${DEF_SUM[default.$r]}" = "${DEF_SUM[one]}" ] || DEF_MISMATCH+=" run $r: ${DEF_SUM[default.$r]} vs ${DEF_SUM[one]};"
  printf '   run %d/%d: default / parallel=1: statement %ss %ss (%s/%s requests)\n' "$r" "$RUNS" \
    "${T[year_default_stmt]##* }" "${T[year_one_stmt]##* }" "${T[year_default_requests]##* }" \
    "${T[year_one_requests]##* }"
done
[ "${DEF_SUM[one]%% *}" = "$N_DEF" ] || DEF_MISMATCH+=" parallel=1 gave ${DEF_SUM[one]%% *} rows, not $N_DEF;"

# ---- what the adaptive default spends (issue 21): sql-tests/bench/quota.sh -----------------
source "$BENCH_DIR/quota.sh"
quota_measure

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the table ---------------------------------------------------------------------------
M_EXPORT=$(median export); M_CURL=$(median curl); M_CURLZ=$(median curl_gzip)
M_COPY=$(median copy); M_PY=$(median python); M_JE=$(median json_each); M_CJSON=$(median cjson)
FLOOR=$(awk -v a="$M_CURL" -v b="$M_COPY" 'BEGIN { printf "%.4f", a + b }')
FLOOR_Z=$(awk -v a="$M_CURLZ" -v b="$M_COPY" 'BEGIN { printf "%.4f", a + b }')
R_ONE=$(median rss_one); D_ONE=$((${R_ONE%.*} - $(median rss_idle)));
R_IDLE=$(median rss_idle); R_SMALL=$(median rss_small); R_BIG=$(median rss_big); R_COPY=$(median rss_copy)
R_SMALL_C=$(median rss_small_cache); R_BIG_C=$(median rss_big_cache); R_COPY_C=$(median rss_copy_cache)
D_SMALL_C=$((${R_SMALL_C%.*} - ${R_IDLE%.*})); D_BIG_C=$((${R_BIG_C%.*} - ${R_IDLE%.*})); D_COPY_C=$((${R_COPY_C%.*} - ${R_IDLE%.*}))
D_SMALL=$((${R_SMALL%.*} - ${R_IDLE%.*})); D_BIG=$((${R_BIG%.*} - ${R_IDLE%.*})); D_COPY=$((${R_COPY%.*} - ${R_IDLE%.*}))
M_P1=$(median par1_stmt); M_P8=$(median par8_stmt) # statements: the verdict
M_P1_PROC=$(median par1); M_P8_PROC=$(median par8)  # whole processes
M_TTFR_L=$(median ttfr_limit); M_TTFR_S=$(median ttfr_scan)
M_JOIN=$( [ -n "${T[join]:-}" ] && median join || echo 0)
JOIN_REQ=$( [ -n "${T[join_requests]:-}" ] && median join_requests || echo "?")
[ "$JOIN_OK" = 1 ] || JOIN_REQ="timed out (>300 s)"
# stmt_lines KEY WHAT P...: the table line of each parallel=P statement timed as KEY (by
# stmt_run), against P=1; WHAT names it, %P standing for P
stmt_lines() {
  local key=$1 what=$2 p m
  shift 2
  for p in "$@"; do
    m=$(median "${key}${p}_stmt")
    echo "| ${what//%P/$p}: the statement (.timer) | $(fmt "$m") s ($(ratio "$(median "${key}1_stmt")" "$m")x vs 1; $(median "${key}${p}_requests") requests) | $(runs_of "${key}${p}_stmt") |"
  done
}

# the same ratios in CPU seconds (the process's own + the emulator's): steadier than wall
# time when others load the machine
cpu_total() { awk -v a="$(median "${1}_cpu")" -v b="$(median "${1}_emu")" 'BEGIN { printf "%.3f", a + b }'; }
C_EXPORT=$(cpu_total export)
C_FLOOR=$(awk -v a="$(cpu_total curl)" -v b="$(cpu_total copy)" 'BEGIN { printf "%.3f", a + b }')
C_PY=$(cpu_total python); C_JE=$(cpu_total json_each)
# the targets of issue 12 (export at the floor, programs at once) and issue 10 (the cache)
# Through the emulator, which builds and gzips every page on the same two cores: issue 21
# moved these targets to the static-server section (nginx), where they are judged; here a
# miss is the emulator's CPU and says so.
EMU_BOUND="(through the emulator, whose CPU shares the cores: judged against nginx below)"
V_EXPORT=$(verdict le "$M_EXPORT" "$(awk -v f="$FLOOR" 'BEGIN { print 1.3 * f }')")
V_PY=$(verdict le "$(awk -v e="$M_EXPORT" 'BEGIN { print 4 * e }')" "$M_PY")
V_JE=$(verdict le "$(awk -v e="$M_EXPORT" 'BEGIN { print 4 * e }')" "$M_JE")
[ "$V_EXPORT" = PASS ] || V_EXPORT="MISS $EMU_BOUND"
[ "$V_PY" = PASS ] || V_PY="MISS $EMU_BOUND"
[ "$V_JE" = PASS ] || V_JE="MISS $EMU_BOUND"
V_RSS=$(verdict le "$((D_SMALL > D_BIG ? D_SMALL : D_BIG))" 4096)
V_LIMIT=$(verdict test "$LIMIT_REQUESTS" = 1 -a "$LIMIT_PAGESIZE" = 10)
V_JOIN=$(verdict test "$JOIN_REQ" = "$SCAN_REQUESTS")
V_PAR=$(verdict le "$(awk -v a="$M_P8" 'BEGIN { print 7 * a }')" "$M_P1")
[ -z "$PAR_MISMATCH" ] || V_PAR="MISS (rows differ)"
# The most parallel=8 can gain here: parallel=1 sends its R requests one after the other, 8
# streams need at least ceil(R / 8) rounds of one latency each, whatever the balancing.
P1_REQ=$(median par1_requests)
PAR_CEIL=$(awk -v n="$P1_REQ" 'BEGIN { r = int((n + 7) / 8); printf "%.2f", n / r }')
# Issue 21 accepts that ceiling at this size: within 5% of it passes.
if [ "$V_PAR" = MISS ]; then
  V_PAR=$(verdict le "$(awk -v a="$M_P8" -v c="$PAR_CEIL" 'BEGIN { print 0.95 * c * a }')" "$M_P1")
  [ "$V_PAR" = MISS ] || V_PAR="PASS (within 5% of the ceiling)"
fi
M_PL1=$(median parL1_stmt); M_PL8=$(median parL8_stmt)
V_PARL=$(verdict le "$(awk -v a="$M_PL8" 'BEGIN { print 7 * a }')" "$M_PL1")
[ -z "$PAR_MISMATCH" ] || V_PARL="MISS (rows differ)"
M_G1=$(median progs1_stmt); M_G8=$(median progs8_stmt)
V_PROGS=$(verdict le "$(awk -v a="$M_G8" 'BEGIN { print 5 * a }')" "$M_G1")
[ -z "$PROG_MISMATCH" ] || V_PROGS="MISS (rows differ)"
M_YD=$(median year_default_stmt); M_Y1=$(median year_one_stmt)
V_DEF=$(verdict le "$(awk -v a="$M_YD" 'BEGIN { print 2.5 * a }')" "$M_Y1")
[ -z "$DEF_MISMATCH" ] || V_DEF="MISS (rows differ)"
# the cache: bounded by cache_mb (64 MiB by default) on top of a scan's own 4 MiB
CACHE_CAP_KIB=$(((64 + 4) * 1024))
V_RSS_C=$(verdict le "$(printf '%s\n' "$D_SMALL_C" "$D_BIG_C" "$D_COPY_C" | sort -n | tail -1)" "$CACHE_CAP_KIB")
V_REPORT=$(verdict test "$(median report_on_requests)" = "$JUNE_REQUESTS")
V_REPLY=$(verdict le "$(median reply_on_requests)" 12)
[ -z "$CACHE_MISMATCH" ] || { V_REPORT="MISS (rows differ)"; V_REPLY="MISS (rows differ)"; }

{
  echo "| measurement | wall, median | runs | vs floor | its CPU | emulator CPU |"
  echo "| --- | ---: | --- | ---: | ---: | ---: |"
  cpu_of() { if [ -n "${T[$1]:-}" ]; then echo "$(fmt "$(median "$1")") s"; else echo "-"; fi; }
  row() {
    echo "| $1 | $(fmt "$2") s | $(runs_of "$3") | $(ratio "$2" "$FLOOR")x | $(cpu_of "${3}_cpu") | $(cpu_of "${3}_emu") |"
  }
  row "**sms_export**: \`CREATE TABLE copy AS SELECT * FROM sms_messages($PROGRAM)\` (file DB)" "$M_EXPORT" export
  row "what if no gzip were asked for: the export with identity encoding, like curl below (LD_PRELOAD whatif.so)" "$(median identity)" identity
  row "curl, the same $N_PAGES URLs, one connection, to /dev/null (identity)" "$M_CURL" curl
  row "curl, the same, \`--compressed\` (gzip, as the extension asks)" "$M_CURLZ" curl_gzip
  row "SQLite copying the $N rows table-to-table (file DB)" "$M_COPY" copy
  echo "| **floor** = curl (identity) + table copy | $(fmt "$FLOOR") s | | 1.00x | | |"
  echo "| floor with gzip = curl \`--compressed\` + table copy | $(fmt "$FLOOR_Z") s | | $(ratio "$FLOOR_Z" "$FLOOR")x | | |"
  row "cJSON alone: \`cJSON_ParseWithLength\` + \`cJSON_Delete\` of the saved pages" "$M_CJSON" cjson
  row "Python stdlib exporter (urllib, json, sqlite3), /usr/bin/python3" "$M_PY" python
  row "SQLite \`json_each\` + \`->>\` over the saved pages (\`readfile\`)" "$M_JE" json_each
  row "the export with the cache on (the default: cache_ttl=60, cache_mb=64)" "$(median export_cache)" export_cache
  echo
  echo "| measurement | median | runs |"
  echo "| --- | ---: | --- |"
  echo "| peak RSS, sqlite3 without the extension: \`SELECT sqlite_version()\` | $(median rss_bare) KiB | $(tr ' ' '\n' <<< "${T[rss_bare]}" | paste -sd, - | sed 's/,/, /g') |"
  echo "| peak RSS, idle: \`SELECT sms_export_version()\` | $R_IDLE KiB | $(tr ' ' '\n' <<< "${T[rss_idle]}" | paste -sd, - | sed 's/,/, /g') |"
  echo "| peak RSS, one request: \`LIMIT 1\` (libcurl, TLS library, one page) | $R_ONE KiB (+$D_ONE) | $(tr ' ' '\n' <<< "${T[rss_one]}" | paste -sd, - | sed 's/,/, /g') |"
  echo "| peak RSS, \`SELECT count(*)\` of $N_SMALL messages | $R_SMALL KiB (+$D_SMALL) | $(tr ' ' '\n' <<< "${T[rss_small]}" | paste -sd, - | sed 's/,/, /g') |"
  echo "| peak RSS, \`SELECT count(*)\` of $N messages | $R_BIG KiB (+$D_BIG) | $(tr ' ' '\n' <<< "${T[rss_big]}" | paste -sd, - | sed 's/,/, /g') |"
  echo "| peak RSS, \`CREATE TABLE copy AS SELECT *\` of $N to a file DB | $R_COPY KiB (+$D_COPY) | $(tr ' ' '\n' <<< "${T[rss_copy]}" | paste -sd, - | sed 's/,/, /g') |"
  echo "| peak RSS, cache on (cache_mb=64): \`SELECT count(*)\` of $N_SMALL messages | $R_SMALL_C KiB (+$D_SMALL_C) | $(tr ' ' '\n' <<< "${T[rss_small_cache]}" | paste -sd, - | sed 's/,/, /g') |"
  echo "| peak RSS, cache on: \`SELECT count(*)\` of $N messages | $R_BIG_C KiB (+$D_BIG_C) | $(tr ' ' '\n' <<< "${T[rss_big_cache]}" | paste -sd, - | sed 's/,/, /g') |"
  echo "| peak RSS, cache on: \`CREATE TABLE copy AS SELECT *\` of $N to a file DB | $R_COPY_C KiB (+$D_COPY_C) | $(tr ' ' '\n' <<< "${T[rss_copy_cache]}" | paste -sd, - | sed 's/,/, /g') |"
  echo "| cJSON parses per page fetched in the export (LD_PRELOAD whatif.so counts them) | $(ratio "$N_PARSES" "$SCAN_REQUESTS") | $N_PARSES parses, $SCAN_REQUESTS requests |"
  echo "| \`LIMIT 10\`: requests (pageSize sent) | $LIMIT_REQUESTS (pageSize=$LIMIT_PAGESIZE) | $LIMIT_ROWS rows |"
  echo "| \`LIMIT 10\`: time to first row (python host) | $(fmt "$M_TTFR_L") s | $(runs_of ttfr_limit) |"
  echo "| no LIMIT: time to first row (python host) | $(fmt "$M_TTFR_S") s | $(runs_of ttfr_scan) |"
  echo "| join of $N_CONTACTS contacts with program $PROGRAM: requests | $JOIN_REQ (one scan: $SCAN_REQUESTS) | $JOIN_ROWS rows |"
  echo "| join of $N_CONTACTS contacts: time | $(fmt "$M_JOIN") s | $( [ -n "${T[join]:-}" ] && runs_of join) |"
  stmt_lines par "\`parallel=%P\`, ${LATENCY} ms latency, $N_PAR messages" 1 2 4 8
  stmt_lines parL "\`parallel=%P\`, ${LATENCY} ms latency, a long scan of $N_PAR_LONG messages" 1 8
  stmt_lines parB "\`parallel=%P\`, ${LATENCY} ms latency, $N_PAR bunched messages (half in one fortnight)" 1 8
  stmt_lines parR "\`parallel=%P, rate_limit=10\`, ${LATENCY} ms latency, $N_PAR bunched messages" 1 8
  for p in 1 2 4 8; do
    m=$(median "par$p")
    echo "| \`parallel=$p\`: the whole sqlite3 process | $(fmt "$m") s ($(ratio "$M_P1_PROC" "$m")x vs 1) | $(runs_of "par$p") |"
  done
  stmt_lines progs "\`program_id IN\` 8 programs of $N_PROG, \`parallel=%P\`, ${LATENCY} ms" 1 8
  for p in 1 8; do
    m=$(median "progs$p")
    echo "| \`program_id IN\` 8 programs, \`parallel=$p\`: the whole sqlite3 process | $(fmt "$m") s ($(ratio "$(median progs1)" "$m")x vs 1) | $(runs_of "progs$p") |"
  done
  for k in default one; do
    [ "$k" = default ] && what="the default (no option)" || what="\`parallel=1\`"
    echo "| a year of $N_DEF messages at ${LATENCY_DEF} ms, $what: the statement (.timer) | $(fmt "$(median "year_${k}_stmt")") s ($(median "year_${k}_requests") requests) | $(runs_of "year_${k}_stmt") |"
  done
  for q in report reply; do
    [ "$q" = report ] && what="the report (4 statements over June, one process)" || what="the reply-time query (correlated subquery)"
    for mode in off on; do
      k=${q}_$mode
      echo "| $what, cache $mode, ${LATENCY} ms, $N_CACHE messages: requests | $(median "${k}_requests") | $(tr ' ' '\n' <<< "${T[${k}_requests]}" | paste -sd, - | sed 's/,/, /g') |"
      echo "| $what, cache $mode: the statements (.timer, summed) | $(fmt "$(median "${k}_stmt")") s | $(runs_of "${k}_stmt") |"
      echo "| $what, cache $mode: the whole sqlite3 process | $(fmt "$(median "$k")") s | $(runs_of "$k") |"
    done
  done
  echo
  echo "| target | measured (wall medians; the verdict) | | in CPU seconds, for comparison |"
  echo "| --- | --- | --- | --- |"
  echo "| full export within 1.3x of the floor (curl + table copy) | $(ratio "$M_EXPORT" "$FLOOR")x ($(ratio "$M_EXPORT" "$FLOOR_Z")x of the gzip floor) | $V_EXPORT | $(ratio "$C_EXPORT" "$C_FLOOR")x ($C_EXPORT s vs $C_FLOOR s) |"
  echo "| at least 4x faster than the Python exporter | $(ratio "$M_PY" "$M_EXPORT")x | $V_PY | $(ratio "$C_PY" "$C_EXPORT")x ($C_PY s) |"
  echo "| at least 4x faster than json_each | $(ratio "$M_JE" "$M_EXPORT")x | $V_JE | $(ratio "$C_JE" "$C_EXPORT")x ($C_JE s) |"
  echo "| full scan adds at most 4 MiB RSS over idle, at $N_SMALL and $N | +$D_SMALL KiB, +$D_BIG KiB | $V_RSS | |"
  echo "| \`LIMIT 10\` = one request with pageSize=10 | $LIMIT_REQUESTS request(s), pageSize=$LIMIT_PAGESIZE | $V_LIMIT | |"
  echo "| the join makes the requests of one scan | $JOIN_REQ vs $SCAN_REQUESTS | $V_JOIN | |"
  echo "| \`parallel=8\` at least 7x faster than \`parallel=1\` at ${LATENCY} ms (the statement), or within 5% of the whole rounds' ceiling | $(ratio "$M_P1" "$M_P8")x (at best ${PAR_CEIL}x: $P1_REQ requests in whole rounds of 8) | $V_PAR | whole process: $(ratio "$M_P1_PROC" "$M_P8_PROC")x |"
  echo "| the same on a long scan of $N_PAR_LONG messages (the statement) | $(ratio "$M_PL1" "$M_PL8")x ($(median parL1_requests) vs $(median parL8_requests) requests; at best $(awk -v n="$(median parL1_requests)" 'BEGIN { r = int((n + 7) / 8); printf "%.2f", n / r }')x) | $V_PARL | |"
  echo "| \`program_id IN\` (8 programs of $N_PROG): \`parallel=8\` at least 5x faster than \`parallel=1\` at ${LATENCY} ms (the statement) | $(ratio "$M_G1" "$M_G8")x | $V_PROGS | whole process: $(ratio "$(median progs1)" "$(median progs8)")x |"
  echo "| default settings at least 2.5x faster than \`parallel=1\` on a year of $N_DEF messages at ${LATENCY_DEF} ms (the statement) | $(ratio "$M_Y1" "$M_YD")x ($(median year_default_requests) vs $(median year_one_requests) requests) | $V_DEF | |"
  echo "| the report with the cache costs one read of June (the requests of its first statement alone) | $(median report_on_requests) vs $JUNE_REQUESTS (cache off: $(median report_off_requests)); $(ratio "$(median report_off_stmt)" "$(median report_on_stmt)")x faster | $V_REPORT | |"
  echo "| the reply-time query with the cache: at most 12 requests | $(median reply_on_requests) (cache off: $(median reply_off_requests)); $(ratio "$(median reply_off_stmt)" "$(median reply_on_stmt)")x faster | $V_REPLY | |"
  echo "| the cache stays within cache_mb: a full scan with the cache on adds at most 64 + 4 MiB | +$D_SMALL_C, +$D_BIG_C, +$D_COPY_C KiB | $V_RSS_C | |"
  echo
  static_table
} > "$WORK/table.md"
quota_table >> "$WORK/table.md" # issue 21 (sql-tests/bench/quota.sh)

MACHINE="$(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
{
  echo "# sms_export benchmark results"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $RUNS runs each, median shown. Machine: $MACHINE;"
  echo "load average $LOAD_BEFORE before, $LOAD_AFTER after (the machine is shared)."
  echo "sqlite3 $("$SQLITE3" --version | cut -d' ' -f1), $(curl --version | head -1 | cut -d' ' -f1-2),"
  echo "cJSON $("$WORK/cjson_parse" --version), $("$PYTHON3" --version), sms_export $(sqlx :memory: 'SELECT sms_export_version()') ($EXT_ID)."
  echo
  echo "Data: program $PROGRAM, $N messages, $N_PAGES pages of $PAGE_SIZE, $PAGE_BYTES bytes of JSON"
  echo "(a page is $((PAGE_BYTES / N_PAGES)) bytes${GZIP_BYTES:+, $GZIP_BYTES gzipped: the emulator gzips when asked}); one scan = $SCAN_REQUESTS requests."
  echo "Rows checked: $ROWS_SAME; parallel: ${PAR_MISMATCH:-every run equal to parallel=1 (${PAR_SUM[1]})};"
  echo "programs at once: ${PROG_MISMATCH:-every run equal to parallel=1 (${PROG_SUM[1]})}; the default parallel:"
  echo "${DEF_MISMATCH:-every run equal to parallel=1 (${DEF_SUM[one]})}; the cache, on and off:"
  echo "${CACHE_MISMATCH:-every run equal to the same SQL on a local copy ($CACHE_ROWS)}."
  echo "Every line reads the API with the cache off (\`SMS_CACHE_TTL=0\`) except those that say \`cache on\`."
  echo
  cat "$WORK/table.md"
  echo
  echo "Join plan:"
  echo
  sed 's/^/    /' "$OUT/join-plan.txt"
} > "$OUT/results.md"

# ---- the plot ----------------------------------------------------------------------------
if [ "$HAVE_GNUPLOT" = 1 ]; then
  {
    echo "\"curl\\n(identity)\" $M_CURL"
    echo "\"table\\ncopy\" $M_COPY"
    echo "\"floor\" $FLOOR"
    echo "\"curl\\n(gzip)\" $M_CURLZ"
    echo "\"cJSON\\nparse\" $M_CJSON"
    echo "\"extension\" $M_EXPORT"
    echo "\"extension\\nno gzip\" $(median identity)"
    echo "\"json\\\\_each\" $M_JE"
    echo "\"Python\" $M_PY"
  } > "$WORK/export.dat"
  for p in 1 2 4 8; do echo "$p $(median "par${p}_stmt") $(awk -v a="$M_P1" -v p="$p" 'BEGIN { print a / p }')"; done > "$WORK/par.dat"
  # label, seconds without / with, requests without / with (statements, .timer)
  {
    echo "\"report script\\n(4 statements)\" $(median report_off_stmt) $(median report_on_stmt) $(median report_off_requests) $(median report_on_requests)"
    echo "\"reply-time query\\n(correlated subquery)\" $(median reply_off_stmt) $(median reply_on_stmt) $(median reply_off_requests) $(median reply_on_requests)"
    echo "\"program\\\\_id IN (8 programs)\\nparallel=1 vs 8\" $M_G1 $M_G8 $(median progs1_requests) $(median progs8_requests)"
  } > "$WORK/cache.dat"
  CACHE_YMAX=$(awk '{ m = $(NF - 3) > m ? $(NF - 3) : m; m = $(NF - 2) > m ? $(NF - 2) : m } END { print 10 * m }' "$WORK/cache.dat")
  gnuplot <<EOF || echo "bench: gnuplot failed; no plot" >&2
set terminal pngcairo size 1900,500 font ",10"
set output "$OUT/latency.png"
set multiplot layout 1,3 title "sms\\\\_export benchmark ($(nproc) cores, sqlite3 $("$SQLITE3" --version | cut -d' ' -f1))"
set title "Full export of $N messages ($N_PAGES pages): median of $RUNS"
set ylabel "seconds"
set style fill solid 0.7 border -1
set boxwidth 0.6
set yrange [0:*]
set bmargin 4
set grid ytics
set xtics font ",9"
set key off
plot "$WORK/export.dat" using 0:2:xtic(1) with boxes lc rgb "#4477aa", \
     "" using 0:2:(sprintf("%.2f", \$2)) with labels offset 0,0.7
set title "Copy of $N_PAR messages at ${LATENCY} ms per request (the statement)"
set xlabel "parallel option"
set logscale xy 2
set xtics (1, 2, 4, 8)
set xrange [0.8:10]
set yrange [*:*]
set key top right
plot "$WORK/par.dat" using 1:2 with linespoints lw 2 pt 7 title "measured", \
     "" using 1:3 with lines dt 2 title "ideal (parallel=1 / N)"
set title "At ${LATENCY} ms per request: the cache ($N_CACHE messages), 8 programs at once ($N_PROG each)"
unset xlabel
unset logscale x
set logscale y 10
set xrange [-0.6:2.6]
set yrange [0.01:$CACHE_YMAX]
set xtics ()
set style fill solid 0.7 border -1
set key top left
plot "$WORK/cache.dat" using (\$0 - 0.2):2:(0.4):xtic(1) with boxes lc rgb "#aa4444" title "cache off / parallel=1", \
     "" using (\$0 + 0.2):3:(0.4) with boxes lc rgb "#44aa77" title "cache on / parallel=8", \
     "" using (\$0 - 0.2):2:(sprintf("%.2f s\\n%d req", \$2, \$4)) with labels offset 0,1.6 notitle, \
     "" using (\$0 + 0.2):3:(sprintf("%.2f s\\n%d req", \$3, \$5)) with labels offset 0,1.6 notitle
unset multiplot
EOF
fi

echo
cat "$WORK/table.md"
echo
echo "Written: $OUT/results.md, $OUT/runs.tsv$([ "$HAVE_GNUPLOT" = 1 ] && echo ", $OUT/latency.png")"
[ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"
