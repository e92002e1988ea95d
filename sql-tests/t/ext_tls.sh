# TLS end to end: the emulator serves https (--tls-cert/--tls-key) with certificates made
# here by openssl (tls_certs in lib.sh: a private CA, a certificate for another name, one
# from a CA no one trusts). A private CA works by the ca_file option and by SMS_CA_FILE (the
# eponymous table included); an unknown CA and a certificate for another name are refused
# before any request reaches the server (its log stays empty), with errors that say what to
# do; one TLS connection serves a lane across pages and statements; parallel=8 over https
# gives exactly the rows of parallel=1.
source "$(dirname "$0")/../lib.sh"

pki=$TMPDIR_SMS/pki
if ! tls_certs "$pki"; then
  echo "not ok - openssl makes the test CA and certificates (make deps installs openssl)"
  sed 's/^/#   /' "$pki/openssl.log" | tail -5
  exit 1
fi
echo "ok - openssl makes a throwaway CA and certificates"

# tls_emu NAME CERT: an emulator with the test data serving https with pki/CERT.pem; sets
# NAME_URL to its https base URL.
tls_emu() {
  emu_start_test "$1" --log-connections --tls-cert "$pki/$2.pem" --tls-key "$pki/$2.key" || exit 1
  local port_var=${1}_PORT
  printf -v "${1}_URL" 'https://127.0.0.1:%s/api' "${!port_var}"
}
# requests LOG: the request lines of a log without their connection numbers.
requests() { sed 's/ conn=[0-9]*$//' "$1"; }
# conns LOG: how many TCP connections the log's requests came over.
conns() { grep -o 'conn=[0-9]*' "$1" | sort -u | wc -l; }

tls_emu good server
export SMS_API_BASE_URL=$good_URL   # the environment's credentials go to it
unset SMS_CA_FILE
n4711=$(dump_count 4711 1)

# 1. A private CA by the ca_file option, and by SMS_CA_FILE for the eponymous table and a
# table without its own; the option wins over the variable.
check "ca_file names the private CA: the API is read over https" "$n4711" \
  "$(sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, ca_file='$pki/ca.pem');
SELECT count(*) FROM t;")"
check "SMS_CA_FILE names it for the eponymous table" "$n4711" \
  "$(SMS_CA_FILE=$pki/ca.pem sql <<<"SELECT count(*) FROM sms_messages(4711);")"
check "SMS_CA_FILE names it for a created table without ca_file" "1000" \
  "$(SMS_CA_FILE=$pki/ca.pem sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4712);
SELECT count(*) FROM t;")"
check "a table's ca_file wins over SMS_CA_FILE" "1000" \
  "$(SMS_CA_FILE=$pki/rogue-ca.pem sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4713, ca_file='$pki/ca.pem');
SELECT count(*) FROM t;")"
out=$(SMS_CA_FILE=$TMPDIR_SMS/none.pem sql <<<"SELECT count(*) FROM sms_messages(4711);")
check_match "an unreadable SMS_CA_FILE is an error that names the variable" \
  "sms_messages: environment variable SMS_CA_FILE: ca_file '$TMPDIR_SMS/none.pem' cannot be read: name a file of PEM CA certificates" "$out"

# 2. Refusals, each before any request: the log of the server stays empty.
: > "$good_LOG"
out=$(sql <<<"SELECT count(*) FROM sms_messages(4711);")
check_match "no CA file: refused, the error says to name the CA by ca_file or SMS_CA_FILE" \
  "sms_messages: cannot GET $good_URL/messages/program/4711\?[^ ]*: SSL certificate problem: unable to get local issuer certificate: the server's certificate is not signed by a CA this machine trusts \(nothing was sent\); behind a company proxy or with a private CA, name that CA's PEM certificates with the ca_file option \(one table\) or the SMS_CA_FILE environment variable \(every table\)$" \
  "$out"
out=$(SMS_CA_FILE=$pki/rogue-ca.pem sql <<<"SELECT count(*) FROM sms_messages(4711);")
check_match "SMS_CA_FILE naming another CA: refused, the error names the file and SMS_CA_FILE" \
  "SSL certificate problem: .*: the server's certificate is not signed by a CA of $pki/rogue-ca.pem \(SMS_CA_FILE; nothing was sent\); put the CA that signed it in that file, or name the right file with the ca_file option or the SMS_CA_FILE environment variable$" "$out"
out=$(sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, ca_file='$pki/rogue-ca.pem');
SELECT count(*) FROM t;")
check_match "ca_file naming another CA: refused, the error names the file and the ca_file option" \
  "not signed by a CA of $pki/rogue-ca.pem \(the ca_file option; nothing was sent\)" "$out"
check "the server received no request from the refused reads" "" "$(requests "$good_LOG")"

tls_emu rogue rogue
out=$(SMS_API_BASE_URL=$rogue_URL SMS_CA_FILE=$pki/ca.pem sql <<<"SELECT count(*) FROM sms_messages(4711);")
check_match "a server whose certificate an unknown CA signed: refused, naming SMS_CA_FILE" \
  "SSL certificate problem: .*: the server's certificate is not signed by a CA of $pki/ca.pem \(SMS_CA_FILE; nothing was sent\)" "$out"
check "it received no request" "" "$(requests "$rogue_LOG")"

tls_emu other other
out=$(SMS_API_BASE_URL=$other_URL SMS_CA_FILE=$pki/ca.pem sql <<<"SELECT count(*) FROM sms_messages(4711);")
check_match "a certificate for another name (signed by the trusted CA): refused, saying why" \
  "cannot GET $other_URL/messages/program/4711\?[^ ]*: SSL: no alternative certificate subject name matches target host name '127.0.0.1': the server's certificate is for another name than base_url's host \(nothing was sent\); use the host name the certificate names in base_url. A CA file \(the ca_file option, SMS_CA_FILE\) does not change this$" "$out"
check "it received no request" "" "$(requests "$other_LOG")"
bad=$TMPDIR_SMS/not-pem.pem
echo "not a certificate" > "$bad"
out=$(SMS_CA_FILE=$bad sql <<<"SELECT count(*) FROM sms_messages(4711);")
check_match "a CA file with no certificate in it: the error names it and SMS_CA_FILE" \
  "the CA file SMS_CA_FILE names \($bad\) holds no PEM certificate libcurl can read; name a file of PEM CA certificates$" "$out"

# 3. One TLS connection per lane: one chain (parallel=1, no cache: cache_ttl=0, each statement
# must reach the API) reads 10 pages, twice, over one connection.
export SMS_CA_FILE=$pki/ca.pem
: > "$good_LOG"
out=$(sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4711, page_size=100, parallel=1, cache_ttl=0);
SELECT count(*) FROM t;
SELECT count(DISTINCT message_key) FROM t;")
check "two statements of one chain over https: the rows" "$n4711
$n4711" "$out"
check "... 22 requests (11 pages each) over one TLS connection" "22 1" \
  "$(wc -l < "$good_LOG") $(conns "$good_LOG")"

# 4. parallel=8 over https: the rows of parallel=1, exactly; at most one connection a lane.
q="SELECT message_key, date, type, number, body, delivery_status FROM t ORDER BY message_key"
one=$(sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4712, parallel=1, cache_ttl=0);
$q;" | sha256sum)
: > "$good_LOG"
eight=$(sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4712, parallel=8, page_size=50, cache_ttl=0);
$q;" | sha256sum)
check "parallel=8 over https gives the rows of parallel=1" "$one" "$eight"
n=$(conns "$good_LOG")
check "... over 2 to 8 TLS connections (one a lane), for $(wc -l < "$good_LOG") requests" "yes" \
  "$([ "$n" -ge 2 ] && [ "$n" -le 8 ] && echo yes || echo "no: $n")"
check "the rows are all there" "1000" "$(sql <<<"CREATE VIRTUAL TABLE t USING sms_messages(program_id=4712, parallel=8, cache_ttl=0);
SELECT count(*) FROM t;")"

# 5. The emulator's TLS flags go together.
out=$("$EMU" --port 0 --tls-cert "$pki/server.pem" 2>&1); rc=$?
check "the emulator: --tls-cert without --tls-key is refused" \
  "1 sms-emulator: --tls-cert and --tls-key go together" "$rc $out"
