#!/usr/bin/env bash
# gzip of the emulator: Content-Encoding gzip exactly when Accept-Encoding
# allows it, really compressed, decoding to the same bytes as the identity
# body; never without the header.
source "$(dirname "$0")/../lib.sh"
emu_start_test e --messages 2000 || exit 1
D=$TMPDIR_SMS
AUTH="$TEST_USER:$TEST_PASSWORD"
U="$e_URL/messages/program/4711?startDate=2026-01-01T00:00:00&pageSize=500"

# get NAME [curl args]: raw body in $D/NAME, headers in $D/NAME.h
get() { local n=$1; shift; curl -s -u "$AUTH" -o "$D/$n" -D "$D/$n.h" "$@"; }
hdr() { tr -d '\r' < "$D/$1.h" | sed -n "s/^$2: //Ip"; }
gunzip_py() { "$PYTHON3" -c "import gzip,sys; sys.stdout.buffer.write(gzip.decompress(open('$D/$1','rb').read()))"; }

get plain "$U"
check "no Accept-Encoding: no Content-Encoding" "" "$(hdr plain Content-Encoding)"
check "no Accept-Encoding: the body is JSON" '{"meta"' "$(head -c 7 "$D/plain")"
check "Vary: Accept-Encoding" "Accept-Encoding" "$(hdr plain Vary)"

get gz -H 'Accept-Encoding: gzip' "$U"
check "Accept-Encoding gzip: Content-Encoding gzip" gzip "$(hdr gz Content-Encoding)"
check "gzip magic bytes" "1f8b" "$(head -c 2 "$D/gz" | od -An -tx1 | tr -d ' \n')"
check "Content-Length is the compressed size" "$(wc -c < "$D/gz")" "$(hdr gz Content-Length)"
plain_n=$(wc -c < "$D/plain")
gz_n=$(wc -c < "$D/gz")
check_match "really compressed: $gz_n < $plain_n / 4" '^1$' "$(( gz_n * 4 < plain_n ))"
gunzip_py gz > "$D/gz.out"
check "decodes to the identity body, byte for byte" same "$(cmp -s "$D/gz.out" "$D/plain" && echo same)"

get list -H 'Accept-Encoding: deflate, br;q=0.9, gzip;q=0.5' "$U"
check "gzip in a list with q: gzip" gzip "$(hdr list Content-Encoding)"
get q0 -H 'Accept-Encoding: gzip;q=0, deflate' "$U"
check "gzip;q=0: identity" "" "$(hdr q0 Content-Encoding)"
check "gzip;q=0: same body" same "$(cmp -s "$D/q0" "$D/plain" && echo same)"
get br -H 'Accept-Encoding: br' "$U"
check "only br: identity" "" "$(hdr br Content-Encoding)"
get star -H 'Accept-Encoding: *' "$U"
check "*: gzip" gzip "$(hdr star Content-Encoding)"
get upper -H 'Accept-Encoding: GZIP' "$U"
check "GZIP (case): gzip" gzip "$(hdr upper Content-Encoding)"

get err -H 'Accept-Encoding: gzip' "$e_URL/messages/program/4711?pageSize=0"
check "an error body is gzipped too" gzip "$(hdr err Content-Encoding)"
check "gzipped error decodes" "pageSize '0' is not valid: use an integer from 1 to 500" \
  "$(gunzip_py err | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["meta"]["generalErrors"][0])')"

# curl --compressed over keep-alive: all pages, one connection.
out=$(curl -s --compressed -u "$AUTH" -o /dev/null -o /dev/null -o /dev/null \
  -w '%{http_code} %{num_connects}\n' "$U" "$U&page=2" "$U&page=3" | tr '\n' ' ')
check "gzip with keep-alive: 3 pages, 1 connection" "200 1 200 0 200 0 " "$out"
