# Whose credentials go where: ~/.netrc, the environment, options, a hostile schema in a
# database file, a nextPageUrl on another origin. The "evil" emulator stands for a server
# that must never see the user's credentials; its request log must stay empty.
source "$(dirname "$0")/../lib.sh"

emu_start_test good --programs 1 --messages 30
emu_start_test evil --programs 1 --messages 30
unset SMS_API_USERNAME SMS_API_PASSWORD SMS_API_BASE_URL NETRC
export SMS_EXPORT_NOW=$TEST_NOW
export HOME=$TMPDIR_SMS/home
mkdir -p "$HOME"

# 1. ~/.netrc, for the host of base_url only
printf 'machine example.com login other password nope\nmachine 127.0.0.1\n  login %s\n  password "%s"\n' \
  "$TEST_USER" "$TEST_PASSWORD" > "$HOME/.netrc"
: > "$good_LOG"
check "~/.netrc entry for the host is used" "30" \
  "$(echo "SELECT count(*) FROM sms_messages(4711);" | SMS_API_BASE_URL=$good_URL sql)"
check "... and the request carried it" "auth=ok" "$(head -1 "$good_LOG" | sed 's/.* //')"

printf 'machine 127.0.0.9 login %s password %s\ndefault login %s password %s\n' \
  "$TEST_USER" "$TEST_PASSWORD" "$TEST_USER" "$TEST_PASSWORD" > "$HOME/.netrc"
: > "$good_LOG"
out=$(echo "SELECT count(*) FROM sms_messages(4711);" | SMS_API_BASE_URL=$good_URL sql)
check_match "a netrc 'default' entry or another host's is not used" \
  "sms_messages: no credentials for http://127.0.0.1:$good_PORT: set SMS_API_USERNAME" "$out"
check "... and nothing was sent" "" "$(cat "$good_LOG")"
rm "$HOME/.netrc"

# 2. the environment's credentials go only to SMS_API_BASE_URL
export SMS_API_BASE_URL=$good_URL SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD
: > "$evil_LOG"
out=$(sql <<SQL
CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, base_url='$evil_URL');
SELECT count(*) FROM t;
SQL
)
check_match "a table's base_url elsewhere gets no environment credentials" \
  "no credentials for http://127.0.0.1:$evil_PORT \\(SMS_API_USERNAME and SMS_API_PASSWORD are only sent to SMS_API_BASE_URL" "$out"
check "... and the other server saw no request" "" "$(cat "$evil_LOG")"

# 3. a database file from a stranger: tables on another server, read through views. A
# table whose base_url is not the user's API may not be used from the schema at all
# (SQLITE_VTAB_DIRECTONLY): neither the user's credentials nor the user's data (numbers
# joined in as program ids) can reach that server. Views over the user's own API work.
rm -f "$TMPDIR_SMS/hostile.db"
( unset SMS_API_USERNAME SMS_API_PASSWORD; "$SQLITE3" -cmd ".load $EXT" "$TMPDIR_SMS/hostile.db" <<SQL
CREATE VIRTUAL TABLE inbox USING sms_messages(program_id=4711, base_url='$evil_URL');
CREATE VIEW report AS SELECT type, count(*) AS n FROM inbox GROUP BY type;
CREATE VIRTUAL TABLE evil USING sms_messages(base_url='$evil_URL', username=x, password=y);
CREATE VIEW leak AS SELECT g.date FROM sms_messages AS g JOIN evil AS e ON e.program_id = g.number
  WHERE g.program_id = 4711;
CREATE VIEW honest AS SELECT type, count(*) AS n FROM sms_messages(4711) GROUP BY type;
CREATE VIRTUAL TABLE mine USING sms_messages(program_id=4711, page_size=100);
CREATE VIEW honest2 AS SELECT count(*) FROM mine;
SQL
)
: > "$evil_LOG"
out=$(echo "SELECT * FROM report;" | sql "$TMPDIR_SMS/hostile.db")
check "hostile schema: a view over a table on another server is refused" \
  'Parse error near line 1: unsafe use of virtual table "inbox"' "$out"
out=$(echo "SELECT * FROM leak;" | sql "$TMPDIR_SMS/hostile.db")
check "hostile schema: a view that would send the user's numbers elsewhere is refused" \
  'Parse error near line 1: unsafe use of virtual table "evil"' "$out"
check "hostile schema: the attacker's server saw nothing" "" "$(cat "$evil_LOG")"
check "a view over the eponymous table in a database file works" "2" \
  "$(echo "SELECT count(*) FROM honest;" | sql "$TMPDIR_SMS/hostile.db")"
check "a view over a table on the user's own API works" "30" \
  "$(echo "SELECT * FROM honest2;" | sql "$TMPDIR_SMS/hostile.db")"
check_match "the user's own query may still use a table on another server (its server answers)" \
  "sms_messages: authentication failed for user 'x' \\(HTTP 401" \
  "$(echo "SELECT count(*) FROM evil WHERE program_id = 4711;" | sql "$TMPDIR_SMS/hostile.db")"

# 4. options go to their own table's base_url, and nowhere else
: > "$evil_LOG"
out=$(sql <<SQL
CREATE VIRTUAL TABLE mine USING sms_messages(program_id=4711, base_url='$evil_URL', username=$TEST_USER, password='$TEST_PASSWORD');
SELECT count(*) FROM mine;
SQL
)
check "options: the table's own credentials go to its own base_url" "30" "$out"
check "... carried with the request" "auth=ok" "$(head -1 "$evil_LOG" | sed 's/.* //')"

# 5. a nextPageUrl on another origin is not followed. One chain (parallel=1) follows
# nextPageUrl page after page; so does the adaptive default over this small year of 3 pages
# (issue 21: a scan of a few pages stays one chain; it was read as four sub-windows of a page
# each, which have no nextPageUrl at all), and fails the same way.
emu_start_test redirecting --programs 1 --messages 30 --public-url "$evil_URL"
: > "$evil_LOG"
out=$(scan_count "$redirecting_URL" "page_size=10, parallel=1")
check "nextPageUrl on another origin: an error that says why" \
  "Runtime error near line 2: sms_messages: the API's nextPageUrl (http://127.0.0.1:$evil_PORT/api/messages/program/4711?startDate=2025-06-30T13:00:04&pageSize=10&page=2) is not on the origin of base_url (http://127.0.0.1:$redirecting_PORT/api); not following it, so that the credentials go nowhere else" "$out"
check "... and the other origin saw nothing" "" "$(cat "$evil_LOG")"
: > "$evil_LOG"
out=$(scan_count "$redirecting_URL" "page_size=10")
check "... under the adaptive default: the same error" \
  "Runtime error near line 2: sms_messages: the API's nextPageUrl (http://127.0.0.1:$evil_PORT/api/messages/program/4711?startDate=2025-06-30T13:00:04&pageSize=10&page=2) is not on the origin of base_url (http://127.0.0.1:$redirecting_PORT/api); not following it, so that the credentials go nowhere else" "$out"
check "... and the other origin saw nothing" "" "$(cat "$evil_LOG")"

# 6. the password shows nowhere: not in any error above, nor in EXPLAIN
out=$(sql <<SQL 2>&1
CREATE VIRTUAL TABLE w USING sms_messages(program_id=4711, username=$TEST_USER, password='wrong-$TEST_PASSWORD');
SELECT * FROM w;
EXPLAIN SELECT * FROM sms_messages(4711);
EXPLAIN QUERY PLAN SELECT * FROM sms_messages(4711);
SQL
)
check_match "wrong password: authentication failed for the user" "authentication failed for user 'demo' \\(HTTP 401" "$out"
check "the password appears in no output" "0" "$(grep -c -- "$TEST_PASSWORD" <<<"$out")"

# 7. plain http to a host that is not this machine. The logging proxy (http_proxy, which
# libcurl follows) stands for the network between here and the remote host: it logs each
# request with its Authorization header, and relays it to the "good" emulator (whose paths
# are the same), so that a request allowed out gets real rows back.
proxy_start wire "http://127.0.0.1:$good_PORT"
export http_proxy=$wire_URL
unset no_proxy NO_PROXY all_proxy ALL_PROXY SMS_ALLOW_HTTP
REMOTE=http://api-host.test:8080/api
refusal() { # refusal SOURCE: the error of a scan refused for credentials from SOURCE
  if [ "$1" = "the table's username= and password= options" ]; then
    echo "Runtime error near line 2: sms_messages: not sending the credentials of $1 to http://api-host.test:8080 over plain http, where anyone on the way can read the password: use an https:// base_url, or, on a network you trust, create the table with the option allow_http=1 (CREATE VIRTUAL TABLE t USING sms_messages(base_url='$REMOTE', allow_http=1, ...))"
  else
    echo "Runtime error near line ${2:-2}: sms_messages: not sending the credentials of $1 to ${3:-http://api-host.test:8080} over plain http, where anyone on the way can read the password: use an https:// base_url, or, on a network you trust, set the environment variable SMS_ALLOW_HTTP=1 (a table's allow_http=1 covers only its own username= and password= options: a database file's schema cannot send your credentials in clear)"
  fi
}
out=$(sql <<SQL
CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, base_url='$REMOTE', username=$TEST_USER, password='$TEST_PASSWORD');
SELECT count(*) FROM t;
SQL
)
check "plain http to another host, option credentials: refused, and how to allow it" \
  "$(refusal "the table's username= and password= options")" "$out"
out=$(SMS_API_BASE_URL=$REMOTE SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD sql <<SQL
CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, allow_http=1);
SELECT count(*) FROM t;
SQL
)
check "... environment credentials, even with allow_http=1: refused, SMS_ALLOW_HTTP named" \
  "$(refusal "SMS_API_USERNAME and SMS_API_PASSWORD")" "$out"
printf 'machine api-host.test login %s password %s\n' "$TEST_USER" "$TEST_PASSWORD" > "$HOME/.netrc"
out=$(sql <<SQL
CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, base_url='$REMOTE');
SELECT count(*) FROM t;
SQL
)
check "... ~/.netrc credentials: refused" "$(refusal "~/.netrc")" "$out"
out=$(sql <<SQL
CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, base_url='$REMOTE', allow_http=1);
SELECT count(*) FROM t;
SQL
)
check "... ~/.netrc credentials with allow_http=1: refused" "$(refusal "~/.netrc")" "$out"
check "... nothing crossed the network" "" "$(cat "$wire_LOG")"

# Issue 22's repro: a database file made elsewhere says allow_http=1 for a table on a host
# that the victim's ~/.netrc knows; the victim, behind a proxy, runs a direct SELECT.
rm -f "$TMPDIR_SMS/stranger.db"
( unset http_proxy; HOME=$TMPDIR_SMS/stranger-home "$SQLITE3" -cmd ".load $EXT" \
    "$TMPDIR_SMS/stranger.db" <<SQL
CREATE VIRTUAL TABLE messages USING sms_messages(program_id=4711, base_url='http://api.example.test/api', allow_http=1);
SQL
)
printf 'machine api.example.test login realuser password real-netrc-pw\n' > "$HOME/.netrc"
out=$(echo "SELECT count(*) FROM messages;" | sql "$TMPDIR_SMS/stranger.db")
check "a stranger's schema with allow_http=1 does not send ~/.netrc's password: the error says why" \
  "$(refusal "~/.netrc" 1 http://api.example.test:80)" "$out"
check "... and the proxy received no request, no Authorization header" "" "$(cat "$wire_LOG")"

# The user's own opt-in: SMS_ALLOW_HTTP=1 in the environment (here through the proxy, which
# relays to the emulator).
printf 'machine api.example.test login %s password %s\n' "$TEST_USER" "$TEST_PASSWORD" > "$HOME/.netrc"
: > "$good_LOG"
check "SMS_ALLOW_HTTP=1: ~/.netrc credentials go over plain http (through the proxy)" "30" \
  "$(echo "SELECT count(*) FROM messages;" | SMS_ALLOW_HTTP=1 sql "$TMPDIR_SMS/stranger.db")"
check "... carrying them" "auth=ok" "$(head -1 "$good_LOG" | sed 's/.* //')"
check_match "... the proxy saw them: the opt-in is the user's" \
  "^GET http://api.example.test/api/messages/program/4711\?[^ ]* authorization=Basic " \
  "$(head -1 "$wire_LOG")"
check "a bad SMS_ALLOW_HTTP is an error that says what to write" \
  "Parse error near line 1: sms_messages: environment variable SMS_ALLOW_HTTP must be 0 (credentials go over plain http only to this machine) or 1 (to any host), not 'yes'" \
  "$(echo "SELECT count(*) FROM messages;" | SMS_ALLOW_HTTP=yes sql "$TMPDIR_SMS/stranger.db")"
rm "$HOME/.netrc"

# A table's own credentials with allow_http=1: sent in clear, but never through a proxy
# (it would read them) unless SMS_ALLOW_HTTP=1 says the user trusts it.
: > "$wire_LOG"
own="CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, base_url='$REMOTE', allow_http=1, retries=0, username=$TEST_USER, password='$TEST_PASSWORD');
SELECT count(*) FROM t;"
for var in http_proxy all_proxy ALL_PROXY; do
  out=$(unset http_proxy; export "$var=$wire_URL"; sql <<<"$own")
  check "allow_http=1, option credentials, $var set: refused, the variable named" \
    "Runtime error near line 2: sms_messages: not sending the credentials of the table's username= and password= options to http://api-host.test:8080 over plain http through the proxy that $var names, which can read the password: use an https:// base_url, add api-host.test to no_proxy to connect directly, or, if you trust the proxy and the network, set the environment variable SMS_ALLOW_HTTP=1" \
    "$out"
done
check "... nothing reached the proxy" "" "$(cat "$wire_LOG")"
check "... with no_proxy naming the host: sent directly (here the name does not resolve)" \
  "Runtime error near line 2: sms_messages: cannot GET $REMOTE/messages/program/4711?startDate=2025-06-30T13:00:04&pageSize=500: Could not resolve host: api-host.test; check the host name in base_url" \
  "$(no_proxy=example.org,.test sql <<<"$own")"
check "... and not to the proxy" "" "$(cat "$wire_LOG")"
check "... SMS_ALLOW_HTTP=1: through the proxy" "30" "$(SMS_ALLOW_HTTP=1 sql <<<"$own")"
check_match "... which saw them" "authorization=Basic " "$(head -1 "$wire_LOG")"

# 8. the loopback never goes through a proxy: neither the request nor the credentials leave
# the machine, whatever http_proxy or all_proxy say.
for var in http_proxy all_proxy; do
  : > "$wire_LOG"
  : > "$good_LOG"
  check "plain http to the loopback (the emulator) with $var set: works, no allow_http needed" \
    "30" \
    "$(unset http_proxy; export "$var=$wire_URL"; echo "SELECT count(*) FROM sms_messages(4711);" |
       SMS_API_BASE_URL=$good_URL SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD sql)"
  check "... straight to the emulator" "auth=ok" "$(head -1 "$good_LOG" | sed 's/.* //')"
  check "... the proxy saw nothing" "" "$(cat "$wire_LOG")"
done
