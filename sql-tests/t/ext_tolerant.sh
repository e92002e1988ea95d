# The tolerant reader against real HTTP: the envelope with nextPageUrl at the top level, a
# bare array, and data with numbers as strings, absent networks and unknown fields. Each
# scan must return exactly the emulator's messages (compared with its --dump).
source "$(dirname "$0")/../lib.sh"

# expected: count and a checksum over every field, from the emulator's own dump
dump_summary() { # FLAGS...: count|total of number|md5 of the bodies and dates, from --dump
  dump_select 4711 "count(*), sum(CAST(json_extract(value, '$.number') AS INTEGER)),
     sum(json_extract(value, '$.network') IS NULL), sum(length(json_extract(value, '$.body')))" "$@"
}
scan_summary() { # BASE_URL [WHERE]: the same figures from the extension
  SMS_API_BASE_URL=$1 SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD \
    SMS_EXPORT_NOW=$TEST_NOW sql <<SQL
SELECT count(*), sum(number), sum(network IS NULL), sum(length(body)) FROM sms_messages(4711) ${2:-};
SQL
}

for shape in envelope top-next bare; do
  emu_start_test "s_${shape//-/_}" --messages 1200 --quirks --shape "$shape"
  url_var="s_${shape//-/_}_URL"
  check "shape $shape, quirks: every message, every field" "$(dump_summary --messages 1200 --quirks)" \
    "$(scan_summary "${!url_var}")"
done

emu_start_test q --messages 1200 --quirks
export SMS_API_BASE_URL=$q_URL SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD SMS_EXPORT_NOW=$TEST_NOW
want=$("$EMU" --now "$TEST_NOW" --dump 4711 --messages 1200 --quirks |
  /usr/bin/python3 -c '
import json, sys
rows = json.load(sys.stdin)
print(sum(isinstance(r.get("number"), str) for r in rows) > 0,
      sum("network" not in r for r in rows) > 0,
      sum("messageId" in r for r in rows),
      sum("deliveryStatus" not in r for r in rows))')
got=$(sql <<'SQL'
SELECT (SELECT count(*) > 0 FROM sms_messages(4711) WHERE json_type(raw, '$.number') = 'text') || ' ' ||
       (SELECT count(*) > 0 FROM sms_messages(4711) WHERE json_type(raw, '$.network') IS NULL) || ' ' ||
       (SELECT count(*) FROM sms_messages(4711) WHERE json_extract(raw, '$.messageId') IS NOT NULL) || ' ' ||
       (SELECT count(*) FROM sms_messages(4711) WHERE delivery_status IS NULL);
SQL
)
check "quirks are present and read: digit strings, absent networks, unknown fields kept in raw, missing fields NULL" \
  "$(sed 's/True/1/g; s/False/0/g' <<<"$want")" "$got"
check "a number given as a string of digits is an INTEGER" "integer" \
  "$(echo "SELECT DISTINCT typeof(number) FROM sms_messages(4711) WHERE json_type(raw, '\$.number') = 'text';" | sql)"
