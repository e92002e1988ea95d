#!/usr/bin/env bash
# The query-parameter rules of the emulator: every malformed request is a
# 400 whose meta.generalErrors says exactly what was wrong and whose
# fieldErrors names the field; valid spellings (percent-encoded colons,
# pageSize 1 and 500) are accepted.
source "$(dirname "$0")/../lib.sh"
emu_start_test e --messages 200 || exit 1
B=$REQ_BODY   # the body of the last req (lib.sh)
U=$e_URL/messages/program/4711
S=startDate=2026-06-01T00:00:00

# errs: "generalErrors | fieldErrors | data | nextPageUrl" of the body
errs() {
  "$PYTHON3" -c "
import json
d = json.load(open('$B'))
m = d['meta']
print(json.dumps(m['generalErrors'], ensure_ascii=False), '|',
      json.dumps(m['fieldErrors'], ensure_ascii=False), '|',
      json.dumps(d['data']), '|', json.dumps(m['nextPageUrl']))"
}
# bad DESC QUERY FIELD MESSAGE: QUERY gets a 400 with exactly that error
bad() {
  local st; st=$(req "$U?$2")
  check "$1: 400" 400 "$st"
  check "$1: error" "[\"$4\"] | {\"$3\": \"$4\"} | [] | null" "$(errs)"
}

bad "messageType lower case" "$S&messageType=mo" messageType \
  "messageType 'mo' is not valid: use MO or MT"
bad "messageType BOTH" "$S&messageType=BOTH" messageType \
  "messageType 'BOTH' is not valid: use MO or MT"
bad "month 13" "startDate=2026-13-01T00:00:00" startDate \
  "startDate '2026-13-01T00:00:00' is not a valid date: use YYYY-MM-DDTHH:MM:SS"
bad "29 February of a common year" "startDate=2026-02-29T00:00:00" startDate \
  "startDate '2026-02-29T00:00:00' is not a valid date: use YYYY-MM-DDTHH:MM:SS"
bad "31 April" "$S&endDate=2026-04-31T00:00:00" endDate \
  "endDate '2026-04-31T00:00:00' is not a valid date: use YYYY-MM-DDTHH:MM:SS"
bad "hour 24" "endDate=2026-06-30T24:00:00" endDate \
  "endDate '2026-06-30T24:00:00' is not a valid date: use YYYY-MM-DDTHH:MM:SS"
bad "second 60" "startDate=2026-06-30T10:00:60" startDate \
  "startDate '2026-06-30T10:00:60' is not a valid date: use YYYY-MM-DDTHH:MM:SS"
bad "date without time" "startDate=2026-06-01" startDate \
  "startDate '2026-06-01' is not a valid date: use YYYY-MM-DDTHH:MM:SS"
bad "space instead of T" "startDate=2026-06-01+00:00:00" startDate \
  "startDate '2026-06-01 00:00:00' is not a valid date: use YYYY-MM-DDTHH:MM:SS"
bad "time zone suffix" "startDate=2026-06-01T00:00:00Z" startDate \
  "startDate '2026-06-01T00:00:00Z' is not a valid date: use YYYY-MM-DDTHH:MM:SS"
bad "fraction of a second" "startDate=2026-06-01T00:00:00.000" startDate \
  "startDate '2026-06-01T00:00:00.000' is not a valid date: use YYYY-MM-DDTHH:MM:SS"
bad "pageSize 0" "$S&pageSize=0" pageSize \
  "pageSize '0' is not valid: use an integer from 1 to 500"
bad "pageSize 501" "$S&pageSize=501" pageSize \
  "pageSize '501' is not valid: use an integer from 1 to 500"
bad "pageSize negative" "$S&pageSize=-5" pageSize \
  "pageSize '-5' is not valid: use an integer from 1 to 500"
bad "pageSize not a number" "$S&pageSize=ten" pageSize \
  "pageSize 'ten' is not valid: use an integer from 1 to 500"
bad "pageSize 5.0" "$S&pageSize=5.0" pageSize \
  "pageSize '5.0' is not valid: use an integer from 1 to 500"
bad "page 0" "$S&page=0" page "page '0' is not valid: use an integer of at least 1"
bad "page x" "$S&page=x" page "page 'x' is not valid: use an integer of at least 1"
bad "unknown parameter" "$S&limit=5" limit \
  "unknown parameter 'limit': the parameters are messageType, startDate, endDate, pageSize"
bad "parameter names are case-sensitive" "$S&pagesize=5" pagesize \
  "unknown parameter 'pagesize': the parameters are messageType, startDate, endDate, pageSize"
bad "repeated parameter" "$S&pageSize=5&pageSize=5" pageSize \
  "parameter 'pageSize' is given more than once"
bad "repeated startDate" "$S&$S" startDate "parameter 'startDate' is given more than once"
bad "empty value" "$S&messageType=" messageType "parameter 'messageType' has an empty value"
bad "parameter without =" "$S&pageSize" pageSize "parameter 'pageSize' has an empty value"
bad "startDate after endDate" "startDate=2026-06-02T00:00:00&endDate=2026-06-01T23:59:59" \
  startDate "startDate '2026-06-02T00:00:00' is after endDate '2026-06-01T23:59:59'"

check "trailing &: 400" 400 "$(req "$U?$S&")"
check "trailing &: error" \
  "[\"the query string has an empty parameter (an '&' too many)\"] | {} | [] | null" "$(errs)"
check "bad percent escape: 400" 400 "$(req "$U?startDate=2026-06-01T00%3G00:00")"
check "bad percent escape: error" \
  "[\"parameter 'startDate=2026-06-01T00%3G00:00' has an invalid percent-encoding\"] | {} | [] | null" \
  "$(errs)"

# Several mistakes: all of them, in the order of the query string.
check "three mistakes: 400" 400 "$(req "$U?pageSize=0&messageType=X&foo=1")"
check "three mistakes: all reported" \
  "[\"pageSize '0' is not valid: use an integer from 1 to 500\", \"messageType 'X' is not valid: use MO or MT\", \"unknown parameter 'foo': the parameters are messageType, startDate, endDate, pageSize\"] | {\"pageSize\": \"pageSize '0' is not valid: use an integer from 1 to 500\", \"messageType\": \"messageType 'X' is not valid: use MO or MT\", \"foo\": \"unknown parameter 'foo': the parameters are messageType, startDate, endDate, pageSize\"} | [] | null" \
  "$(errs)"

# A client's text in an error stays valid JSON (quotes, invalid UTF-8).
check "quote in a value: 400" 400 "$(req "$U?messageType=%22MO%22")"
check "quote in a value: escaped" \
  "[\"messageType '\\\"MO\\\"' is not valid: use MO or MT\"]" \
  "$("$PYTHON3" -c "import json; print(json.dumps(json.load(open('$B'))['meta']['generalErrors']))")"
check "invalid UTF-8 in a value: 400" 400 "$(req "$U?messageType=%FF")"
check "invalid UTF-8 in a value: U+FFFD" "messageType '\\ufffd' is not valid: use MO or MT" \
  "$("$PYTHON3" -c "import json; print(json.dumps(json.load(open('$B'))['meta']['generalErrors'][0]))" | tr -d '"')"

# Valid spellings.
check "colons percent-encoded: 200" 200 \
  "$(req "$U?startDate=2026-06-01T00%3A00%3A00&endDate=2026-06-30T12%3a00%3a00")"
enc=$(cat "$B")
req "$U?startDate=2026-06-01T00:00:00&endDate=2026-06-30T12:00:00" >/dev/null
check "colons percent-encoded: same messages as raw colons" "$(cat "$B")" "$enc"
check "encoded parameter name: 200" 200 "$(req "$U?$S&page%53ize=2")"
check "pageSize 1: 200" 200 "$(req "$U?$S&pageSize=1")"
check "pageSize 1: one message" 1 \
  "$("$PYTHON3" -c "import json; print(len(json.load(open('$B'))['data']))")"
check "pageSize 500: 200" 200 "$(req "$U?$S&pageSize=500")"
check "leap day of a leap year is a date (2024-02-29 is too old: 400 for age)" \
  "startDate '2024-02-29T00:00:00' is more than one year ago: older messages are available from Client Support" \
  "$(req "$U?startDate=2024-02-29T00:00:00" >/dev/null
     "$PYTHON3" -c "import json; print(json.load(open('$B'))['meta']['generalErrors'][0])")"
check "messageType MT: 200" 200 "$(req "$U?$S&messageType=MT")"
check "an empty query string is no parameter: 200" 200 "$(req "$U?")"
check "startDate equal to endDate: 200" 200 \
  "$(req "$U?startDate=2026-06-01T00:00:00&endDate=2026-06-01T00:00:00")"
