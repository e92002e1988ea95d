# Proxies as curl users expect (libcurl's own https_proxy, HTTPS_PROXY, http_proxy,
# no_proxy), with a real CONNECT proxy: Debian's tinyproxy, started here on a free loopback
# port with a configuration of its own, stopped at exit.
#
# A loopback base_url never goes through a proxy (CURLOPT_NOPROXY: reference.md), so the
# emulator is reached by this machine's name (`hostname`), which /etc/hosts maps to a
# loopback address on Debian (127.0.1.1) and in most containers: the emulator listens there
# (--host) with a certificate for that name. Where the name resolves to no loopback address
# (some CI machines), the test skips: it never edits /etc/hosts.
#
# Over https the API traffic goes through the proxy (its log shows the CONNECT), and what the
# proxy is told (captured by a TCP tap in front of it, sql-tests/hosts/tcp_tap.py) holds no
# Authorization header and no password: it only tunnels. no_proxy bypasses it. Over plain
# http, credentials through http_proxy need SMS_ALLOW_HTTP=1; then the proxy relays them.
source "$(dirname "$0")/../lib.sh"

TINYPROXY=${TINYPROXY:-tinyproxy}
command -v "$TINYPROXY" >/dev/null ||
  { echo "not ok - tinyproxy is installed (make deps installs it)"; exit 1; }
host=$(hostname 2>/dev/null)
addr=$(getent ahostsv4 "$host" 2>/dev/null | awk 'NR == 1 {print $1}')
if [ -z "$host" ] || [[ $addr != 127.* ]] || [ "$host" == localhost ]; then
  echo "ok - proxies # SKIP this machine's name ('$host') resolves to no loopback address ('$addr'): a proxy cannot be tested against a loopback emulator without one"
  exit 0
fi
pki=$TMPDIR_SMS/pki
tls_certs "$pki" || { echo "not ok - openssl makes the test certificates"; exit 1; }

emu_start_test tls --host "$host" --tls-cert "$pki/server.pem" --tls-key "$pki/server.key" || exit 1
emu_start_test plain --host "$host" || exit 1
tls_URL=https://$host:$tls_PORT/api
plain_URL=http://$host:$plain_PORT/api
check "the emulators answer by the name $host ($addr)" "200 200" \
  "$(req --cacert "$pki/ca.pem" "$tls_URL/messages/program/4711?startDate=2026-06-30T00:00:00") $(req "$plain_URL/messages/program/4711?startDate=2026-06-30T00:00:00")"
: > "$tls_LOG"; : > "$plain_LOG"

# tinyproxy on a free port: one try after another until one is free.
tp=$TMPDIR_SMS/tinyproxy
mkdir -p "$tp"
: > "$tp/log"
for try in 1 2 3 4 5; do
  pport=$("$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  {
    echo "Port $pport"
    echo "Listen 127.0.0.1"
    echo "Timeout 60"
    echo "LogFile \"$tp/log\""
    echo "LogLevel Info"
    echo "MaxClients 50"
    echo "Allow 127.0.0.1"
    # no User: tinyproxy keeps the user it is run as (root only warns), who owns the log
  } > "$tp/conf"
  "$TINYPROXY" -d -c "$tp/conf" > "$tp/out" 2>&1 &
  tpid=$!
  _EMU_PIDS+=("$tpid")
  for i in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$pport") 2>/dev/null && break
    kill -0 "$tpid" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "$tpid" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$pport") 2>/dev/null && break
  tpid=
done
[ -n "$tpid" ] || { echo "not ok - tinyproxy starts"; sed 's/^/#   /' "$tp/out" | tail -5; exit 1; }
echo "ok - tinyproxy listens on 127.0.0.1:$pport"
proxy=http://127.0.0.1:$pport

# The tap in front of it: what a client tells the proxy, byte for byte.
cap=$TMPDIR_SMS/tap.bytes
: > "$cap"
"$PYTHON3" "$ROOT/sql-tests/hosts/tcp_tap.py" "$TMPDIR_SMS/tap.port" "$cap" "$pport" \
  2>"$TMPDIR_SMS/tap.err" &
_EMU_PIDS+=($!)
for i in $(seq 1 200); do [ -s "$TMPDIR_SMS/tap.port" ] && break; sleep 0.025; done
tap=http://127.0.0.1:$(cat "$TMPDIR_SMS/tap.port")

connects() { grep -c "CONNECT $host:$tls_PORT" "$tp/log"; }
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY SMS_ALLOW_HTTP
export SMS_API_BASE_URL=$tls_URL SMS_CA_FILE=$pki/ca.pem
q="CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, cache_ttl=0, parallel=1, page_size=250);
SELECT count(*) FROM t;"

# 1. https_proxy: through the proxy, by CONNECT.
check "https_proxy: the API is read through tinyproxy" "1000" "$(https_proxy=$proxy sql <<<"$q")"
check "... which logged the CONNECT to $host:$tls_PORT (one connection for the chain's 5 requests)" "1 5" \
  "$(connects) $(wc -l < "$tls_LOG")"
check "HTTPS_PROXY (upper case) too" "1000 2" "$(HTTPS_PROXY=$proxy sql <<<"$q") $(connects)"

# 2. What the proxy is told: a CONNECT, then TLS; no Authorization, no password.
: > "$cap"
check "through the tap and tinyproxy: the rows" "1000" "$(https_proxy=$tap sql <<<"$q")"
auth=$(printf '%s' "$TEST_USER:$TEST_PASSWORD" | base64)
check_match "the proxy was asked to CONNECT $host:$tls_PORT" "^CONNECT $host:$tls_PORT HTTP/1.1" \
  "$(head -c 200 "$cap" | tr -d '\r' | head -1)"
check "what crossed the proxy holds no Authorization header, no password, no Basic credentials" \
  "0 0 0" \
  "$(grep -a -c -i 'authorization' "$cap") $(grep -a -c -F -- "$TEST_PASSWORD" "$cap") $(grep -a -c -F -- "$auth" "$cap")"
check "... but the emulator received the requests, logged in" "yes" \
  "$(grep -q 'auth=ok' "$tls_LOG" && ! grep -qv 'auth=ok' "$tls_LOG" && echo yes)"

# 3. no_proxy bypasses it, by the host or a domain of it; the loopback always does.
n=$(connects)
: > "$tls_LOG"
check "no_proxy=$host: the rows, directly" "1000" "$(https_proxy=$proxy no_proxy=$host sql <<<"$q")"
check "... no CONNECT reached tinyproxy, the emulator served the chain" "$n 5" "$(connects) $(wc -l < "$tls_LOG")"
check "NO_PROXY=* too" "1000 $n" "$(https_proxy=$proxy NO_PROXY='*' sql <<<"$q") $(connects)"
: > "$tls_LOG"
out=$(https_proxy=http://127.0.0.1:9 sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, cache_ttl=0, retries=0);
SELECT count(*) FROM t;")
check_match "an https_proxy that does not answer fails the read (no way around it)" \
  "sms_messages: GET https://$host:$tls_PORT/api/messages/program/4711\?[^ ]* failed after 1 try: Couldn't connect to server" "$out"
check "... and the emulator received nothing" "0" "$(wc -l < "$tls_LOG")"

# 4. http_proxy, plain http: credentials do not go through a proxy unless the user says so.
export SMS_API_BASE_URL=$plain_URL SMS_ALLOW_HTTP=1
unset SMS_CA_FILE
lines=$(wc -l < "$tp/log")
check "http_proxy with SMS_ALLOW_HTTP=1: the API is read through tinyproxy" "1000" \
  "$(http_proxy=$proxy sql <<<"$q")"
check_match "... which relayed the GETs" "GET http://$host:$plain_PORT/api/messages/program/4711\?" \
  "$(tail -n +$((lines + 1)) "$tp/log")"
unset SMS_ALLOW_HTTP
: > "$plain_LOG"
lines=$(wc -l < "$tp/log")
out=$(http_proxy=$proxy sql <<<"$q")
check_match "without SMS_ALLOW_HTTP the environment's credentials are not sent over plain http" \
  "not sending the credentials of SMS_API_USERNAME and SMS_API_PASSWORD to http://$host:$plain_PORT over plain http" "$out"
out=$(http_proxy=$proxy sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, username='$TEST_USER', password='$TEST_PASSWORD', allow_http=1);
SELECT count(*) FROM t;")
check_match "a table's allow_http=1 credentials are refused the proxy, naming http_proxy" \
  "not sending the credentials of the table's username= and password= options to http://$host:$plain_PORT over plain http through the proxy that http_proxy names, which can read the password" "$out"
check "... and nothing was sent: not to tinyproxy, not to the emulator" "$lines 0" \
  "$(wc -l < "$tp/log") $(wc -l < "$plain_LOG")"
