# Network errors give the advice that fits the failure (issue 19): a connection refused says
# nothing listens at base_url's host and port; a host name that does not resolve is not
# retried and says to check it; https:// to a port that speaks plain http says so; a 404
# that is not the API's "no such program" says base_url must end in /api, whether the
# server answered with the API's envelope (the emulator, base_url without /api) or with
# something else (a web server's page); the API's own 404 still names the program.
source "$(dirname "$0")/../lib.sh"
emu_start_test api --programs 1 --messages 50
export SMS_EXPORT_NOW=$TEST_NOW
export HOME=$TMPDIR_SMS
unset SMS_API_BASE_URL SMS_API_USERNAME SMS_API_PASSWORD
Q="startDate=2025-06-30T13:00:04&pageSize=500"
LOGIN="username=$TEST_USER, password='$TEST_PASSWORD'"

# 1. nothing listens: a free port, found by binding one and letting it go
free_port=$("$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
got=$(sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, base_url='http://127.0.0.1:$free_port/api', $LOGIN, retries=1);
SELECT count(*) FROM t;")
check "connection refused: retried, then nothing listens at base_url's host and port" \
  "Runtime error near line 2: sms_messages: GET http://127.0.0.1:$free_port/api/messages/program/4711?$Q failed after 2 tries: Couldn't connect to server (connection refused): nothing listens at the host and port of base_url; check base_url, and that the server is running" "$got"

# 2. a host name that does not resolve (.invalid never does): one try, check the name
got=$(sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, base_url='https://nosuch.invalid/api', $LOGIN);
SELECT count(*) FROM t;
SELECT count(*), min(error) FROM sms_requests;")
check "a name that does not resolve: not retried (retries=4 by default), check the host name" \
  "Runtime error near line 2: sms_messages: cannot GET https://nosuch.invalid/api/messages/program/4711?$Q: Could not resolve host: nosuch.invalid; check the host name in base_url
1|cannot GET https://nosuch.invalid/api/messages/program/4711?$Q: Could not resolve host: nosuch.invalid; check the host name in base_url" "$got"

# 3. TLS spoken to a plain-http port
got=$(sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, base_url='https://127.0.0.1:$api_PORT/api', $LOGIN);
SELECT count(*) FROM t;")
check "https:// to a port that speaks http: not OpenSSL's words, the scheme to write" \
  "Runtime error near line 2: sms_messages: cannot GET https://127.0.0.1:$api_PORT/api/messages/program/4711?$Q: the server does not speak TLS there (it answered the TLS handshake in plain text, or hung up on it); base_url starts with https://: if the server speaks plain http on that port, write http://, or give the port that speaks https" "$got"
check "... and the emulator saw no request" "0" "$(wc -l < "$api_LOG")"

# 4. base_url without /api: the emulator's 404 for a path that is not the API's
got=$(sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, base_url='http://127.0.0.1:$api_PORT', $LOGIN);
SELECT count(*) FROM t;")
check "a 404 with base_url not ending in /api: the path, not the program" \
  "Runtime error near line 2: sms_messages: GET http://127.0.0.1:$api_PORT/messages/program/4711?$Q: no such path (HTTP 404: Not found: the API is GET /api/messages/program/{programId}): base_url (http://127.0.0.1:$api_PORT) does not end in /api; write the API's address, like 'https://communicatepro.mgage.com/api'" "$got"

# 5. a web server that is not the API: its 404 page is not the API's envelope
mkdir -p "$TMPDIR_SMS/www"
"$PYTHON3" -u -m http.server --bind 127.0.0.1 0 --directory "$TMPDIR_SMS/www" > "$TMPDIR_SMS/www.out" 2>&1 &
www_pid=$!
for _ in $(seq 1 100); do grep -q 'port' "$TMPDIR_SMS/www.out" && break; sleep 0.05; done
www_port=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$TMPDIR_SMS/www.out" | head -1)
got=$(sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, base_url='http://127.0.0.1:$www_port/api', $LOGIN);
SELECT count(*) FROM t;")
kill "$www_pid" 2>/dev/null; wait "$www_pid" 2>/dev/null
check "a 404 that is not the API's: check that base_url is the API's address" \
  "Runtime error near line 2: sms_messages: GET http://127.0.0.1:$www_port/api/messages/program/4711?$Q: no such path (HTTP 404), and the answer is not the API's: check that base_url (http://127.0.0.1:$www_port/api) is the API's address, which ends in /api, like 'https://communicatepro.mgage.com/api'" "$got"

# 6. the API's own 404: the program
got=$(sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=99, base_url='$api_URL', $LOGIN);
SELECT count(*) FROM t;")
check "the API's 404 still names the program" \
  "Runtime error near line 2: sms_messages: program 99 not found (HTTP 404: Program 99 does not exist): check the program id (the number at the end of the program's URL in the SMS Campaign Manager) and base_url ($api_URL)" "$got"
