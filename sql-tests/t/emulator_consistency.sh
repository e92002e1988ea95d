# The emulator's eventual consistency (--anchor, --late-minutes, --report-minutes) and double
# sends (--doubles): deterministic, the data the same whatever --now, a message shown only
# once recorded and as Sent until its report, over HTTP as in --dump; without the flags,
# the bytes of before.
source "$(dirname "$0")/../lib.sh"
AUTH="$TEST_USER:$TEST_PASSWORD"
D=$TMPDIR_SMS
BASE=(--programs 1 --messages 5000 --seed 3)
ANCHOR=(--anchor 2026-06-30T12:00:00)
T1=2026-06-30T12:00:00 T2=2026-07-05T12:00:00

"$EMU" "${BASE[@]}" --now $T1 --dump 4711 >"$D/plain"
"$EMU" "${BASE[@]}" --now $T1 --late-minutes 0 --report-minutes 0 --dump 4711 >"$D/zero"
check "--late-minutes 0 --report-minutes 0: the bytes of no flags" same \
  "$(cmp -s "$D/plain" "$D/zero" && echo same)"
"$EMU" "${BASE[@]}" "${ANCHOR[@]}" --now $T1 --dump 4711 >"$D/a1"
"$EMU" "${BASE[@]}" "${ANCHOR[@]}" --now $T2 --dump 4711 >"$D/a2"
"$EMU" "${BASE[@]}" "${ANCHOR[@]}" --now $T1 --late-minutes 1440 --report-minutes 2880 --dump 4711 >"$D/e1"
"$EMU" "${BASE[@]}" "${ANCHOR[@]}" --now $T1 --late-minutes 1440 --report-minutes 2880 --dump 4711 >"$D/e1b"
"$EMU" "${BASE[@]}" "${ANCHOR[@]}" --now $T2 --late-minutes 1440 --report-minutes 2880 --dump 4711 >"$D/e2"
"$EMU" "${BASE[@]}" "${ANCHOR[@]}" --now $T1 --doubles --dump 4711 >"$D/d1"
check "eventual consistency is deterministic" same "$(cmp -s "$D/e1" "$D/e1b" && echo same)"

"$PYTHON3" - "$D" <<'PY'
import json, sys
d = sys.argv[1]
load = lambda n: json.load(open(f"{d}/{n}", encoding="utf-8"))
plain, a1, a2, e1, e2, d1 = (load(n) for n in ("plain", "a1", "a2", "e1", "e2", "d1"))
T1, T2 = "2026-06-30T12:00:00", "2026-07-05T12:00:00"
EDGE2 = "2025-07-05T12:00:00"  # T2 - 365 days
def check(desc, want, got):
    print(("ok - " if want == got else "not ok - ") + desc)
    if want != got:
        print("#   want:", repr(want)[:300]); print("#   got: ", repr(got)[:300])
ident = lambda m: (m["type"], m["date"], m["number"], m["body"])

check("--anchor: nothing dated after now", (True, True),
      (max(m["date"] for m in a1) <= T1, max(m["date"] for m in a2) <= T2))
check("--anchor: a later --now shows the same messages (those still in its year)",
      [m for m in a1 if m["date"] >= EDGE2], [m for m in a2 if m["date"] <= T1])
check("... and those dated since (some)", True, sum(m["date"] > T1 for m in a2) > 10)
check("... the year before now, nothing older", True,
      min(m["date"] for m in a2) >= EDGE2 and min(m["date"] for m in a1) >= "2025-06-30T12:00:00")

late = [m for m in a1 if m not in e1 and all(ident(m) != ident(x) for x in e1)]
check("--late-minutes 1440: some messages of before T not yet shown at T", True, len(late) > 0)
check("... all dated within the day before T", [], [m["date"] for m in late if m["date"] < "2026-06-29T12:00:00"])
check("... shown five days on", [], [m for m in late if m not in e2])
e1_by = {}
for m in e1:
    e1_by.setdefault(ident(m), []).append(m)
sent = [m for m in a1 if m["deliveryStatus"] in ("Delivered", "Failed")
        and any(x["deliveryStatus"] == "Sent" for x in e1_by.get(ident(m), []))]
check("--report-minutes 2880: Delivered and Failed MTs say Sent at T (2 here)", 2, len(sent))
check("... only MTs dated within the two days before T", [],
      [m for m in sent if m["type"] != "MT" or m["date"] < "2026-06-28T12:00:00"])
check("... the report there five days on", [], [m for m in sent if m not in e2])
check("... and nothing else differs", [],
      [m for m in e1 if {**m, "deliveryStatus": 0} not in [{**x, "deliveryStatus": 0} for x in e1_by[ident(m)]]])
check("the eventual data are --anchor's data, in the end", [m for m in a2 if m["date"] < "2026-07-02"],
      [m for m in e2 if m["date"] < "2026-07-02"])

nostatus = lambda m: {**m, "deliveryStatus": None}
twice = [i for i in range(1, len(d1)) if nostatus(d1[i]) == nostatus(d1[i - 1])]
check("--doubles: some messages come twice, next to each other, the same but for the status",
      True, len(twice) > 50)
check("... none without it", 0, sum(nostatus(a1[i]) == nostatus(a1[i - 1]) for i in range(1, len(a1))))
check("... an MT copy has its own status (some differ, only MTs)", (True, {"MT"}),
      (sum(d1[i] != d1[i - 1] for i in twice) > 5, {d1[i]["type"] for i in twice if d1[i] != d1[i - 1]}))
check("... still --messages in all (the copies replace messages)", (True, True),
      (len(d1) < 5000, abs(len(d1) - len(a1)) < 60))
PY

# Over HTTP: the pages at T are the dump at T, statuses and all; a late message is not there.
emu_start_test e "${BASE[@]}" "${ANCHOR[@]}" --now $T1 --late-minutes 1440 --report-minutes 2880 || exit 1
walk_pages "$e_URL/messages/program/4711?startDate=2025-06-30T12:00:00&pageSize=300" "$D/pages"
json_lines "$D/e1" >"$D/dumped"
check "HTTP pages of 300 at T: the dump at T, row for row" same "$(cmp -s "$D/pages" "$D/dumped" && echo same)"
check "... 2609 rows over 9 requests" "2609 9" "$(wc -l <"$D/dumped") $(grep -c 'program/4711' "$e_LOG")"

for bad in "--anchor 2026-02-30T00:00:00" "--anchor 1971-06-30T00:00:00" "--late-minutes x" "--report-minutes -1"; do
  # shellcheck disable=SC2086
  err=$("$EMU" $bad --dump 4711 2>&1 >/dev/null)
  check "refused: $bad" 2 "$("$EMU" $bad --dump 4711 >/dev/null 2>&1; echo $?)"
  check_match "... says what it wants" "^sms-emulator: --(anchor|late-minutes|report-minutes)" "$err"
done

# --undated and --bunched (the shapes a scan plan must cope with): 0 is the bytes of no flag
"$EMU" "${BASE[@]}" --now $T1 --undated 0 --bunched 0 --dump 4711 >"$D/zero2"
check "--undated 0 --bunched 0: the bytes of no flags" same \
  "$(cmp -s "$D/plain" "$D/zero2" && echo same)"
"$EMU" "${BASE[@]}" --now $T1 --undated 50 --dump 4711 >"$D/u"
"$EMU" "${BASE[@]}" --now $T1 --bunched 50 --dump 4711 >"$D/b"
"$PYTHON3" - "$D" <<'PY'
import json, sys
d = sys.argv[1]
plain, u, b = (json.load(open(f"{d}/{n}", encoding="utf-8")) for n in ("plain", "u", "b"))
undated = [m for m in u if "date" not in m]
print(("ok" if 60 <= len(undated) <= 140 else "not ok")
      + f" - --undated 50: about 1 message in 50 without its date ({len(undated)} of {len(u)})")
same = [{k: v for k, v in m.items() if k != "date"} for m in plain] == \
       [{k: v for k, v in m.items() if k != "date"} for m in u]
print(("ok" if same else "not ok") + " - ... every other field as without the flag")
burst = [m for m in b if "2026-03-22T12:00:00" <= m["date"] < "2026-04-05T12:00:00"]
print(("ok" if 0.45 * len(b) <= len(burst) <= 0.6 * len(b) else "not ok")
      + f" - --bunched 50: about half the messages in the fortnight from 100 days before now"
        f" ({len(burst)} of {len(b)})")
PY
