#!/usr/bin/env bash
# The emulator's data: deterministic (same flags, same bytes; another seed,
# other bytes), exactly --messages per program, realistic variety (program
# types, MO/MT, statuses, carriers, null networks, 10-13 digit numbers,
# awkward bodies, dates in (now-365d, now] with ties, midnights, 23:59:59 and
# messages today), key order, and the --quirks variations.
source "$(dirname "$0")/../lib.sh"
FLAGS=(--programs 4 --messages 1000 --seed 11)
AUTH="$TEST_USER:$TEST_PASSWORD"
D=$TMPDIR_SMS

# Determinism over HTTP: two emulators, same flags, same bytes (the same
# --public-url, or nextPageUrl would differ by the port).
PUB=(--public-url http://emulator.test/api)
emu_start_test a "${FLAGS[@]}" "${PUB[@]}" || exit 1
emu_start_test b "${FLAGS[@]}" "${PUB[@]}" || exit 1
emu_start_test c --programs 4 --messages 1000 --seed 12 "${PUB[@]}" || exit 1
same=0 differ=0
for q in "startDate=2025-06-30T12:00:00&pageSize=500" \
         "startDate=2025-06-30T12:00:00&pageSize=500&page=2" \
         "messageType=MO&startDate=2026-01-01T00:00:00&pageSize=300" "" ; do
  for p in 4711 4714; do
    curl -s -u "$AUTH" "$a_URL/messages/program/$p?$q" > "$D/a"
    curl -s -u "$AUTH" "$b_URL/messages/program/$p?$q" > "$D/b"
    curl -s -u "$AUTH" "$c_URL/messages/program/$p?$q" > "$D/c"
    cmp -s "$D/a" "$D/b" && same=$((same + 1))
    cmp -s "$D/a" "$D/c" || differ=$((differ + 1))
  done
done
check "same flags: identical bytes (8 queries)" 8 "$same"
check "another seed: different bytes (8 queries)" 8 "$differ"
"$EMU" "${FLAGS[@]}" --now "$TEST_NOW" --dump 4711 > "$D/d1"
"$EMU" "${FLAGS[@]}" --now "$TEST_NOW" --dump 4711 > "$D/d2"
"$EMU" "${FLAGS[@]}" --now 2026-06-29T12:00:00 --dump 4711 > "$D/d3"
check "--dump is deterministic" same "$(cmp -s "$D/d1" "$D/d2" && echo same)"
check "another --now: other data" differ "$(cmp -s "$D/d1" "$D/d3" || echo differ)"

for p in 4711 4712 4713 4714; do
  "$EMU" "${FLAGS[@]}" --now "$TEST_NOW" --dump $p > "$D/p$p.json"
done

"$PYTHON3" - "$D" <<'PY'
import json, re, sys, collections
d = sys.argv[1]
progs = {p: json.load(open(f"{d}/p{p}.json", encoding="utf-8")) for p in range(4711, 4715)}
def check(desc, want, got):
    if want == got:
        print("ok -", desc)
    else:
        print("not ok -", desc)
        print("#   want:", repr(want)[:300])
        print("#   got: ", repr(got)[:300])
allm = [m for ms in progs.values() for m in ms]
keys = ["campaignName", "programName", "programType", "type", "deliveryStatus",
        "number", "body", "date", "network"]
check("exactly 1000 messages in every program", [1000] * 4, [len(ms) for ms in progs.values()])
check("key order of every message", 0, sum(list(m) != keys for m in allm))
check("one programType per program, all four types",
      [["Text to Join"], ["Multi-step"], ["Text for Info"], ["Text for Email"]],
      [sorted(set(m["programType"] for m in ms)) for ms in progs.values()])
check("one programName per program", [1] * 4,
      [len(set(m["programName"] for m in ms)) for ms in progs.values()])
check("several campaignNames per program", [True] * 4,
      [3 <= len(set(m["campaignName"] for m in ms)) <= 5 for ms in progs.values()])
mo = sum(m["type"] == "MO" for m in allm)
check("MO about 40% (35-45%)", True, 0.35 * len(allm) <= mo <= 0.45 * len(allm))
check("type is MO or MT", {"MO", "MT"}, set(m["type"] for m in allm))
check("MT statuses", {"Delivered", "Sent", "Failed", "Pending", "Undeliverable"},
      set(m["deliveryStatus"] for m in allm if m["type"] == "MT"))
check("MO status", {"Received"}, set(m["deliveryStatus"] for m in allm if m["type"] == "MO"))
check("carriers and null", {"Verizon", "AT&T", "T-Mobile", "Sprint", "US Cellular", None},
      set(m["network"] for m in allm))
check("number is a JSON integer", True, all(type(m["number"]) is int for m in allm))
check("numbers of 10, 11, 12 and 13 digits", {10, 11, 12, 13},
      set(len(str(m["number"])) for m in allm))
bodies = [m["body"] for m in allm]
check("a body with an emoji", True, any(any(ord(c) > 0xFFFF for c in b) for b in bodies))
check("a body with accented letters", True, any("é" in b or "ç" in b.lower() or "ö" in b for b in bodies))
check("a body with double quotes", True, any('"' in b for b in bodies))
check("a body with a backslash", True, any("\\" in b for b in bodies))
check("a body with a newline", True, any("\n" in b for b in bodies))
check("a body with a tab", True, any("\t" in b for b in bodies))
check("an empty body", True, "" in bodies)
check("bodies of exactly 1024 bytes (UTF-8)", True,
      any(len(b.encode("utf-8")) == 1024 for b in bodies))
check("no body over 1024 bytes", True, max(len(b.encode("utf-8")) for b in bodies) == 1024)
mob = set(m["body"] for m in allm if m["type"] == "MO")
check("MO keywords", set(), {"STOP", "JOIN", "HELP", "stop", "Unsubscribe"} - mob)
fmt = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
check("date format", True, all(fmt.match(m["date"]) for m in allm))
check("dates after now - 365 days", True, min(m["date"] for m in allm) > "2025-06-30T12:00:00")
check("dates not after now", True, max(m["date"] for m in allm) <= "2026-06-30T12:00:00")
check("dates spread over the year (every month)", 13,
      len(set(m["date"][:7] for m in allm)))
check("at least 3 messages today in every program", [True] * 4,
      [sum(m["date"].startswith("2026-06-30") for m in ms) >= 3 for ms in progs.values()])
check("messages sharing the same second in every program", [True] * 4,
      [max(collections.Counter(m["date"] for m in ms).values()) >= 2 for ms in progs.values()])
check("messages at 00:00:00", True, sum(m["date"].endswith("T00:00:00") for m in allm) >= 4)
check("messages at 23:59:59", True, sum(m["date"].endswith("T23:59:59") for m in allm) >= 4)
check("ascending date order in every program", [True] * 4,
      [[m["date"] for m in ms] == sorted(m["date"] for m in ms) for ms in progs.values()])
PY

# The dump is strict JSON: raw UTF-8, no NaN, one array.
check "dump parses as strict UTF-8 JSON" ok "$("$PYTHON3" -c "
import json
raw = open('$D/p4711.json', 'rb').read()
json.loads(raw.decode('utf-8', 'strict'), parse_constant=lambda c: 1/0)
print('ok')")"

# --quirks: the tolerant-reader variations, and nothing else changes.
"$EMU" "${FLAGS[@]}" --now "$TEST_NOW" --quirks --dump 4711 > "$D/q.json"
"$PYTHON3" - "$D/p4711.json" "$D/q.json" <<'PY'
import json, sys
plain = json.load(open(sys.argv[1], encoding="utf-8"))
quirk = json.load(open(sys.argv[2], encoding="utf-8"))
def check(desc, want, got):
    print(("ok - " if want == got else "not ok - ") + desc)
    if want != got:
        print("#   want:", want, "got:", got)
n = len(quirk)
s = sum(isinstance(m["number"], str) for m in quirk)
check("quirks: about 1 in 7 numbers are strings (100-190 of 1000)", True, 100 <= s <= 190)
check("quirks: string numbers are digits", True,
      all(m["number"].isdigit() for m in quirk if isinstance(m["number"], str)))
a = sum("network" not in m for m in quirk)
check("quirks: about 1 in 9 lack network (75-150)", True, 75 <= a <= 150)
i = [m["messageId"] for m in quirk if "messageId" in m]
check("quirks: about 1 in 5 have messageId (150-250)", True, 150 <= len(i) <= 250)
check("quirks: messageId is an integer", True, all(type(x) is int for x in i))
s2 = sum("deliveryStatus" not in m for m in quirk)
check("quirks: about 1 in 11 lack deliveryStatus (60-130)", True, 60 <= s2 <= 130)
def norm(m):
    m = dict(m)
    m.pop("messageId", None)
    m["number"] = int(m["number"])
    return m
same = all(all(norm(q)[k] == p[k] for k in norm(q)) and set(p) >= set(norm(q))
           for p, q in zip(plain, quirk))
check("quirks: otherwise the same messages in the same order", (True, 1000), (same, n))
check("no quirks without --quirks", 0,
      sum(len(m) != 9 or isinstance(m["number"], str) for m in plain))
PY

# Large: 200000 messages in one program, served by page.
emu_start_test big --programs 1 --messages 200000 || exit 1
Y="startDate=2025-06-30T12:00:00&pageSize=500"
last=$(curl -s -u "$AUTH" "$big_URL/messages/program/4711?$Y&page=400" |
  "$PYTHON3" -c 'import json,sys; d=json.load(sys.stdin); print(len(d["data"]), d["meta"]["nextPageUrl"])')
check "200000 messages: page 400 of 500 is the last, full" "500 None" "$last"
check "200000 messages: page 401 is empty" 0 "$(curl -s -u "$AUTH" "$big_URL/messages/program/4711?$Y&page=401" |
  "$PYTHON3" -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))')"
