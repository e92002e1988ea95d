# static.sh: sourced by run.sh. The export against a static server (issue 21): nginx serving
# the same pages pre-rendered on disk, once as identity and once pre-compressed (gzip_static),
# side by side with its floor (curl over one connection + the table copy), the Python
# exporter and json_each, and the export's CPU per thread (SQLite's thread and the workers).
# The emulator builds and gzips every page on the two cores the export uses; a floor
# measured through it carries the emulator's CPU, which a fast real API spends elsewhere.
#
# Uses what run.sh set up: $WORK/pages/p%05d.json (the bodies of the warm-up export's
# requests, in the order of $WORK/paths), HOSTPART (the emulator's origin), SRC_ROWS/SRC_SUM
# (the reference rows), PY_START, JSON_EACH_SQL and the helpers timed, record, median,
# rows_sum, fmt, ratio. Defines static_bench (the runs) and static_table (its table and
# verdicts, appended to results.md). Without nginx (Debian's nginx-light, which `make bench`
# installs as root) both say why and skip.

STATIC_OK=0
STATIC_WHY=
# BENCH_BASELINE=REV: the export of ext/ as of git revision REV too, built into the work
# folder and run in the same rounds (before/after side by side, never against an old number)
ST_BASE=${BENCH_BASELINE:-}

# static_build_base: build/sms_export.so of ST_BASE into $WORK/base (ST_BASE_EXT, no suffix)
static_build_base() {
  local d=$WORK/base
  mkdir -p "$d/src" "$d/ext"
  git -C "$ROOT" archive "$ST_BASE" ext VERSION Makefile | tar -x -C "$d/src" &&
    make -C "$d/src" -s build/sms_export.so > "$d/build.log" 2>&1 &&
    cp "$d/src/build/sms_export.so" "$d/ext/sms_export.so" || {
    sed 's/^/  /' "$d/build.log" >&2 2> /dev/null
    return 1
  }
  ST_BASE_EXT=$d/ext/sms_export
  ST_BASE_ID="$(git -C "$ROOT" rev-parse --short "$ST_BASE")"
}

# static_start: pages for both servers, nginx's config, nginx in the foreground of one
# process (master_process off: no privileges dropped, nothing left behind), on two loopback
# ports of its own: identity (ST_ID_URL) and gzip_static (ST_GZ_URL).
static_start() {
  local d=$WORK/nginx port_id port_gz
  mkdir -p "$d/tmp" "$d/logs"
  read -r port_id port_gz < <("$PYTHON3" -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
  ST_ID_URL=http://127.0.0.1:$port_id
  ST_GZ_URL=http://127.0.0.1:$port_gz
  # The pages: those of the extension's requests, then those of the Python exporter's one
  # chain (from a year ago, as a user would write it: other URLs, the same rows)
  mkdir -p "$d/pages"
  cp "$WORK/paths" "$d/paths"
  local i=0 n f url=$PY_URL
  for f in "$WORK"/pages/p*.json; do i=$((i + 1)); ln -s "$f" "$d/pages/$(basename "$f")"; done
  while [ -n "$url" ]; do
    i=$((i + 1)); f=$(printf '%s/pages/p%05d.json' "$d" "$i")
    curl -sf -u "$TEST_USER:$TEST_PASSWORD" -o "$f" "$url" || return 1
    echo "${url#"$HOSTPART"}" >> "$d/paths"
    url=$(head -c 4096 "$f" | sed -n 's/.*"nextPageUrl":"\([^"]*\)".*/\1/p')
  done
  "$PYTHON3" "$BENCH_DIR/static_pages.py" "$d/pages" "$d/paths" "$HOSTPART" "$d/id" \
    "$ST_ID_URL" > "$d/first.map" || return 1
  "$PYTHON3" "$BENCH_DIR/static_pages.py" "$d/pages" "$d/paths" "$HOSTPART" "$d/gz" \
    "$ST_GZ_URL" gz > /dev/null || return 1
  ST_GZ_BYTES=$(cat "$d"/gz/api/p/*.json.gz | wc -c)
  cat > "$d/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 64; }
http {
  access_log $d/logs/access.log;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  default_type application/json;
  sendfile on;
  tcp_nodelay on;
  keepalive_requests 100000;
  # the first page of each chain: the extension builds that URL (startDate, pageSize);
  # every later one is the static file its page before names
  map_hash_bucket_size 256;
  map \$request_uri \$first_page {
    default "";
    include $d/first.map;
  }
  server {
    listen 127.0.0.1:$port_id;
    root $d/id;
    location /api/messages/ { if (\$first_page) { rewrite ^ \$first_page last; } return 404; }
    location /api/p/ { }
  }
  server {
    listen 127.0.0.1:$port_gz;
    root $d/gz;
    gzip_static on;
    location /api/messages/ { if (\$first_page) { rewrite ^ \$first_page last; } return 404; }
    location /api/p/ { }
  }
}
CONF
  nginx -c "$d/nginx.conf" -p "$d" -e "$d/logs/error.log" > "$d/logs/start.err" 2>&1 &
  ST_PID=$!
  _EMU_PIDS+=("$ST_PID") # lib.sh stops it at exit whatever happens
  local i
  for i in $(seq 1 50); do
    curl -sf -o /dev/null "$ST_ID_URL/api/p/1.json" && curl -sf -o /dev/null "$ST_GZ_URL/api/p/1.json" &&
      return 0
    kill -0 "$ST_PID" 2> /dev/null || break
    sleep 0.1
  done
  sed 's/^/  /' "$d/logs/start.err" "$d/logs/error.log" >&2
  return 1
}

static_stop() {
  local p keep=()
  [ -n "${ST_PID:-}" ] || return 0
  kill "$ST_PID" 2> /dev/null
  wait "$ST_PID" 2> /dev/null || true
  # out of lib.sh's list: its cleanup at exit fails (set -e) on a process that is gone
  for p in "${_EMU_PIDS[@]}"; do [ "$p" = "$ST_PID" ] || keep+=("$p"); done
  _EMU_PIDS=(${keep[@]+"${keep[@]}"})
  ST_PID=
}

# static_threads KEY: record the per-thread CPU whatif.so wrote for the last run
static_threads() {
  local main workers n
  read -r main workers n < "$WORK/threads"
  record "${1}_main" "$main"
  record "${1}_workers" "$workers"
  record "${1}_nthreads" "$n"
}

static_bench() {
  echo "-- a static server: nginx serving the $N_PAGES pages from disk, identity and gzip_static"
  if ! command -v nginx > /dev/null 2>&1; then
    STATIC_WHY="nginx is missing: install Debian's nginx-light (make bench does, as root) for this line"
    echo "   skipped: $STATIC_WHY" >&2
    return 0
  fi
  if ! static_start; then
    static_stop
    STATIC_WHY="nginx did not start (its errors are above)"
    echo "   skipped: $STATIC_WHY" >&2
    return 0
  fi
  local curl_id=$WORK/st-curl.cfg curl_gz=$WORK/st-curl-gz.cfg r enc url p
  # curl: the same requests the extension makes, one connection, the Basic auth it sends
  {
    echo "fail"
    echo "user = \"$TEST_USER:$TEST_PASSWORD\""
    while read -r p; do
      [ -n "$p" ] || continue
      echo "url = \"__ORIGIN__$(static_path "$p")\""
      echo "output = /dev/null"
    done < "$WORK/paths"
  } > "$WORK/st-curl.tmpl"
  sed "s#__ORIGIN__#$ST_ID_URL#" "$WORK/st-curl.tmpl" > "$curl_id"
  { echo "compressed"; sed "s#__ORIGIN__#$ST_GZ_URL#" "$WORK/st-curl.tmpl"; } > "$curl_gz"
  local TIMED_EMU=$ST_PID # nginx is the server timed here (run.sh's emulator again after)
  ST_BASE_EXT=
  if [ -n "$ST_BASE" ] && ! static_build_base; then
    echo "   BENCH_BASELINE=$ST_BASE does not build: no baseline this run" >&2
  fi
  for r in $(seq 1 "$RUNS"); do
    for enc in id gz; do
      url=ST_${enc^^}_URL
      rm -f "$WORK/st-$enc.db" "$WORK/st-base-$enc.db"
      SMS_API_BASE_URL=${!url}/api timed "st_${enc}_export" env LD_PRELOAD="$WORK/whatif.so" \
        WHATIF_THREADS_FILE="$WORK/threads" "${SQLX[@]}" "$WORK/st-$enc.db" \
        "CREATE TABLE copy AS SELECT * FROM sms_messages($PROGRAM)"
      static_threads "st_${enc}_export"
      [ -n "$ST_BASE_EXT" ] || continue
      SMS_API_BASE_URL=${!url}/api timed "st_${enc}_base" env LD_PRELOAD="$WORK/whatif.so" \
        WHATIF_THREADS_FILE="$WORK/threads" "$SQLITE3" -batch -bail -cmd ".load $ST_BASE_EXT" \
        "$WORK/st-base-$enc.db" "CREATE TABLE copy AS SELECT * FROM sms_messages($PROGRAM)"
      static_threads "st_${enc}_base"
    done
    timed st_id_curl curl -s -K "$curl_id"
    timed st_gz_curl curl -s -K "$curl_gz"
    rm -f "$WORK/st-copy.db" "$WORK/st-py.db" "$WORK/st-je.db"
    timed st_copy "$SQLITE3" -batch -bail "$WORK/st-copy.db" \
      "ATTACH '$WORK/src.db' AS s; CREATE TABLE copy AS SELECT * FROM s.copy"
    timed st_python "$PYTHON3" "$BENCH_DIR/py_export.py" "$ST_ID_URL${PY_URL#"$HOSTPART"}" "$WORK/st-py.db"
    timed st_json_each "$SQLITE3" -batch -bail "$WORK/st-je.db" "$JSON_EACH_SQL"
    printf '   run %d/%d: export identity %ss (floor %ss + %ss), gzip %ss (floor %ss + %ss), python %ss, json_each %ss%s\n' \
      "$r" "$RUNS" "${T[st_id_export]##* }" "${T[st_id_curl]##* }" "${T[st_copy]##* }" \
      "${T[st_gz_export]##* }" "${T[st_gz_curl]##* }" "${T[st_copy]##* }" \
      "${T[st_python]##* }" "${T[st_json_each]##* }" \
      "${ST_BASE_EXT:+; baseline identity ${T[st_id_base]##* }s, gzip ${T[st_gz_base]##* }s}"
  done
  # peak RSS of the identity export, against the idle extension
  for r in $(seq 1 "$RUNS"); do
    rm -f "$WORK/st-rss.db"
    SMS_API_BASE_URL=$ST_ID_URL/api peak_rss st_rss_copy "${SQLX[@]}" "$WORK/st-rss.db" \
      "CREATE TABLE copy AS SELECT * FROM sms_messages($PROGRAM)"
    peak_rss st_rss_idle "${SQLX[@]}" :memory: "SELECT sms_export_version()"
  done
  ST_REQUESTS=$(grep -c ' /api/' "$WORK/nginx/logs/access.log" || true)
  static_stop
  STATIC_ROWS=
  for enc in id gz; do
    [ "$(rows_sum "$WORK/st-$enc.db" copy)" = "$SRC_ROWS $SRC_SUM" ] ||
      die "the export from nginx ($enc) gave other rows than from the emulator"
    [ -z "$ST_BASE_EXT" ] || [ "$(rows_sum "$WORK/st-base-$enc.db" copy)" = "$SRC_ROWS $SRC_SUM" ] ||
      die "the baseline's export from nginx ($enc) gave other rows"
  done
  [ "$(rows_sum "$WORK/st-py.db" copy)" = "$SRC_ROWS $SRC_SUM" ] ||
    die "the Python exporter from nginx gave other rows than the export"
  STATIC_OK=1
}

# static_path PATH: the URL path nginx serves the page of request PATH (of $WORK/paths) at:
# itself for the first page of a chain (the map), else /api/p/N.json
static_path() {
  local n
  if grep -qF "\"$1\"" "$WORK/nginx/first.map"; then echo "$1"; return; fi
  n=$(grep -nxF "$1" "$WORK/paths" | head -1 | cut -d: -f1)
  echo "/api/p/$n.json"
}

best() { tr ' ' '\n' <<< "${T[$1]}" | sort -g | head -1; } # best KEY: the fastest run

# static_table: the lines of the static server's table, and its targets
static_table() {
  echo "Per-thread CPU (medians) from whatif.so: the SQLite thread runs the statement (xColumn, the"
  echo "insert); the worker threads fetch, inflate and decode pages (their count in brackets)."
  echo
  echo "| measurement (nginx, pages from disk) | wall, best of $RUNS | runs | vs its floor | its CPU | SQLite thread | worker threads | nginx CPU |"
  echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"
  if [ "$STATIC_OK" != 1 ]; then
    echo "| skipped: $STATIC_WHY | | | | | | | |"
    return 0
  fi
  local f_id f_gz m
  f_id=$(awk -v a="$(best st_id_curl)" -v b="$(best st_copy)" 'BEGIN { printf "%.4f", a + b }')
  f_gz=$(awk -v a="$(best st_gz_curl)" -v b="$(best st_copy)" 'BEGIN { printf "%.4f", a + b }')
  srow() { # srow WHAT KEY FLOOR
    local m t1 t2
    m=$(best "$2")
    t1=-; t2=-
    [ -z "${T[${2}_main]:-}" ] || { t1="$(fmt "$(median "${2}_main")") s"; t2="$(fmt "$(median "${2}_workers")") s ($(median "${2}_nthreads"))"; }
    echo "| $1 | $(fmt "$m") s | $(runs_of "$2") | $(ratio "$m" "$3")x | $(fmt "$(median "${2}_cpu")") s | $t1 | $t2 | $(fmt "$(median "${2}_emu")") s |"
  }
  srow "**sms_export**, identity" st_id_export "$f_id"
  [ -z "${T[st_id_base]:-}" ] || srow "the same, the build of $ST_BASE_ID (BENCH_BASELINE)" st_id_base "$f_id"
  srow "curl, the same requests, one connection (identity)" st_id_curl "$f_id"
  srow "SQLite copying the $N rows table-to-table" st_copy "$f_id"
  echo "| **floor, identity** = curl + table copy | $(fmt "$f_id") s | | 1.00x | | | | |"
  srow "**sms_export**, gzip (pre-compressed pages, gzip_static)" st_gz_export "$f_gz"
  [ -z "${T[st_gz_base]:-}" ] || srow "the same, the build of $ST_BASE_ID (BENCH_BASELINE)" st_gz_base "$f_gz"
  srow "curl \`--compressed\`, the same requests, one connection" st_gz_curl "$f_gz"
  echo "| **floor, gzip** = curl \`--compressed\` + table copy | $(fmt "$f_gz") s | | 1.00x | | | | |"
  srow "Python stdlib exporter (urllib: identity, a connection a request)" st_python "$f_id"
  srow "SQLite \`json_each\` over the same pages on local disk" st_json_each "$f_id"
  echo
  local e_id e_gz d_rss
  e_id=$(best st_id_export); e_gz=$(best st_gz_export)
  d_rss=$(($(median st_rss_copy) - $(median st_rss_idle)))
  echo "| target (issue 21, nginx; best of $RUNS) | measured | |"
  echo "| --- | --- | --- |"
  echo "| identity export at most 1.3x its floor | $(ratio "$e_id" "$f_id")x ($(fmt "$e_id") s vs $(fmt "$f_id") s) | $(verdict le "$e_id" "$(awk -v f="$f_id" 'BEGIN { print 1.3 * f }')") |"
  echo "| identity export at least 4x faster than Python | $(ratio "$(best st_python)" "$e_id")x | $(verdict le "$(awk -v e="$e_id" 'BEGIN { print 4 * e }')" "$(best st_python)") |"
  echo "| identity export at least 4x faster than json_each | $(ratio "$(best st_json_each)" "$e_id")x | $(verdict le "$(awk -v e="$e_id" 'BEGIN { print 4 * e }')" "$(best st_json_each)") |"
  echo "| gzip export at most 1.25x its floor | $(ratio "$e_gz" "$f_gz")x ($(fmt "$e_gz") s vs $(fmt "$f_gz") s) | $(verdict le "$e_gz" "$(awk -v f="$f_gz" 'BEGIN { print 1.25 * f }')") |"
  echo "| the copy adds at most 4 MiB RSS over idle | +$d_rss KiB ($(median st_rss_copy) vs $(median st_rss_idle) KiB) | $(verdict le "$d_rss" 4096) |"
}
