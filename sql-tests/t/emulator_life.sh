# The emulator's --life (issue 19): data that are a function of the seed and of absolute
# time (a restart shows the same past; a later --now the same messages plus newer ones, less
# those past the API's year), subscribers whose numbers recur, conversations, keywords and
# their confirmations, blasts, a delivery-status mix; the API rules served as without it;
# the cookbook's reply-time and opt-out recipes answered with exact rows.
source "$(dirname "$0")/../lib.sh"
D=$TMPDIR_SMS
LIFE=(--life --programs 3 --messages 20000 --seed 7) # what make demo uses
T1=2026-06-30T12:00:00 T1H=2026-06-30T18:00:00 T2=2026-07-05T12:34:56

"$EMU" "${LIFE[@]}" --now $T1 --dump 4711 >"$D/a1"
"$EMU" "${LIFE[@]}" --now $T1 --dump 4711 >"$D/a1b"
"$EMU" "${LIFE[@]}" --now $T1H --dump 4711 >"$D/a1h"
"$EMU" "${LIFE[@]}" --now $T2 --dump 4711 >"$D/a2"
"$EMU" "${LIFE[@]}" --now $T1 --dump 4712 >"$D/b1"
"$EMU" "${LIFE[@]}" --now $T1 --quirks --dump 4711 >"$D/q1"
check "a restart with the same flags: the same bytes" same "$(cmp -s "$D/a1" "$D/a1b" && echo same)"
check "another program, another life" differ "$(cmp -s "$D/a1" "$D/b1" || echo differ)"

PYTHONPATH=$ROOT/sql-tests "$PYTHON3" - "$D" <<'PY'
import collections, datetime as dt, json, sys
from smstest import check
d = sys.argv[1]
a1, a1h, a2, q1 = (json.load(open(f"{d}/{n}", encoding="utf-8")) for n in ("a1", "a1h", "a2", "q1"))
T1, T2 = "2026-06-30T12:00:00", "2026-07-05T12:34:56"
EDGE2 = "2025-07-05T12:34:56"  # T2 - 365 days
t = dt.datetime.fromisoformat
minutes = lambda a, b: (t(b) - t(a)).total_seconds() / 60

# The past does not move.
check("six hours later: every message of before still in the year, the same, in order",
      [m for m in a1 if m["date"] > "2025-06-30T18:00:00"], [m for m in a1h if m["date"] <= T1])
check("... and the new ones of those hours (12)", 12, sum(m["date"] > T1 for m in a1h))
check("five days later: the same messages (those still in its year)",
      [m for m in a1 if m["date"] > EDGE2], [m for m in a2 if m["date"] <= T1])
check("... plus those dated since (323), none after now", (323, True),
      (sum(m["date"] > T1 for m in a2), max(m["date"] for m in a2) <= T2))
check("... and none past the year (107 of T1's are gone)", (True, 107),
      (min(m["date"] for m in a2) > EDGE2, sum(m["date"] <= EDGE2 for m in a1)))
check("the year before now, nothing older", (True, True),
      (min(m["date"] for m in a1) > "2025-06-30T12:00:00", max(m["date"] for m in a1) <= T1))

# The shape: the fields and their order of the test data; MOs are Received.
KEYS = ["campaignName", "programName", "programType", "type", "deliveryStatus", "number",
        "body", "date", "network"]
check("every message has the test data's fields, in their order", [],
      [m for m in a1 if list(m) != KEYS])
check("messages (16430: about --messages a year), MO and MT",
      (16430, {"MO": 4512, "MT": 11918}),
      (len(a1), dict(collections.Counter(m["type"] for m in a1))))
check("a realistic status mix: mostly Delivered; MOs Received",
      {"Delivered": 10204, "Failed": 590, "Undeliverable": 387, "Pending": 373, "Sent": 364,
       "Received": 4512},
      dict(collections.Counter(m["deliveryStatus"] for m in a1)))
check("... Received is the MOs' status alone", set(),
      {m["type"] for m in a1 if (m["deliveryStatus"] == "Received") != (m["type"] == "MO")})

# Subscribers come back.
numbers = collections.Counter(m["number"] for m in a1)
check("numbers recur: 1286 distinct of 16434, the most frequent 82 times", (1286, 82),
      (len(numbers), max(numbers.values())))
check("... and keep their carrier", [],
      [n for n in numbers if len({m["network"] for m in a1 if m["number"] == n}) != 1][:3])

# Conversations: an MO answered by the program.
by = collections.defaultdict(list)
for m in a1:
    by[m["number"]].append(m)
def answers(mo, within):
    return [x for x in by[mo["number"]] if x["type"] == "MT"
            and 0 <= minutes(mo["date"], x["date"]) <= within]
mos = [m for m in a1 if m["type"] == "MO"]
check("4358 of 4512 MOs answered within an hour by an MT to the same number",
      4358, sum(bool(answers(m, 60)) for m in mos))
check("... the rest: thumbs-up (none is answered) and questions of the last hour", [],
      [m for m in mos if not answers(m, 60) and m["body"] != "👍"
       and minutes(m["date"], T1) > 42])
CONFIRM = {
    "STOP": "You have been unsubscribed and will receive no more messages.",
    "HELP": "HELP: call 1-800-555-0199 or reply STOP to opt out.",
    "START": "Welcome back! You are subscribed again. Reply STOP to cancel.",
    "JOIN": "Thanks for joining! Msg&data rates may apply. Reply HELP for help, STOP to cancel.",
}
kw = lambda m: m["body"].strip(" .!").upper().replace("UNSUBSCRIBE", "STOP").replace(
    "QUIT", "STOP").replace("JOIN 🎉", "JOIN")
for k, n, typed in (("STOP", 1189, {"STOP", "stop", "Stop", "Stop.", "Unsubscribe", "QUIT"}),
                    ("HELP", 408, {"HELP", "help", "Help"}),
                    ("START", 311, {"START", "start", "Start"}),
                    ("JOIN", 1361, {"JOIN", "Join", "join", "JOIN 🎉"})):
    sent = [m for m in mos if kw(m) == k]
    check(f"{k} as users type it ({n}: {', '.join(sorted(typed))})",
          (n, typed), (len(sent), {m["body"] for m in sent}))
    check(f"... each confirmed within a minute", [],
          [m for m in sent if not any(x["body"] == CONFIRM[k] for x in answers(m, 1))])
questions = [m for m in mos if m["body"].endswith("?")]
check("a question gets a person's answer, 1 to 41 minutes later (546 questions)",
      (546, True),
      (len(questions), all(1 <= minutes(m["date"], answers(m, 60)[0]["date"]) <= 41
                           for m in questions)))

# Blasts: many MTs to many numbers within minutes.
mts = [m for m in a1 if m["type"] == "MT"]
keyword_campaign = {m["campaignName"] for m in mts if m["body"] == CONFIRM["STOP"]}
check("the keywords are answered in one campaign", 1, len(keyword_campaign))
blasted = [m for m in mts if m["campaignName"] not in keyword_campaign]
best, j = (0, 0), 0
for i in range(len(blasted)):
    while minutes(blasted[j]["date"], blasted[i]["date"]) > 5:
        j += 1
    best = max(best, (i - j + 1, j))
burst = blasted[best[1]:best[1] + best[0]]
check("a blast: the other campaigns' 222 MTs within 5 minutes, to 222 numbers, one body, one campaign",
      (222, 222, 1, 1), (len(burst), len({m["number"] for m in burst}),
                         len({m["body"] for m in burst}), len({m["campaignName"] for m in burst})))
check("blasts are a few a month (35 days with over 150 of one campaign's MTs in the year)",
      35, len([d for d in collections.Counter(
          (m["date"][:10], m["campaignName"]) for m in mts).values() if d > 150]))

# --quirks works on a life as on the test data: the same messages, some fields varied.
strip = lambda m: (m["type"], m["date"], int(m["number"]), m["body"])
check("--quirks: the same messages", [strip(m) for m in a1], [strip(m) for m in q1])
check("... about 1 number in 7 as a string", True,
      0.12 < sum(isinstance(m["number"], str) for m in q1) / len(q1) < 0.17)
PY

# Over HTTP: the same rules and paging as the test data.
emu_start_test e "${LIFE[@]}" || exit 1
walk_pages "$e_URL/messages/program/4711?startDate=2025-06-30T12:00:00&pageSize=500" "$D/pages"
json_lines "$D/a1" >"$D/dumped"
check "HTTP pages of 500: the dump, row for row" same "$(cmp -s "$D/pages" "$D/dumped" && echo same)"
check "... over 33 requests" 33 "$(grep -c 'program/4711' "$e_LOG")"
check "no dates: today only (19 messages)" "200 19" \
  "$(req "$e_URL/messages/program/4711?pageSize=500") $("$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; print(len(d) if all(m["date"] >= "2026-06-30T00:00:00" for m in d) else -1)' "$REQ_BODY")"
check "a startDate over a year ago: 400" 400 \
  "$(req "$e_URL/messages/program/4711?startDate=2025-06-30T11:59:59&pageSize=500")"

# The cookbook's recipes against a life (what make demo shows), exact rows.
export SMS_API_BASE_URL=$e_URL SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD
export SMS_EXPORT_NOW=$TEST_NOW
check "the cookbook's reply times, to the same number: answers" \
  "replies|answered|avg_hours
338|185|70.0
requests|4" "$(sql <<'SQL'
.headers on
CREATE VIRTUAL TABLE msgs USING sms_messages(program_id=4711, cache_ttl=300);
SELECT count(*) AS replies, count(last_sent) AS answered,
       round(avg((julianday(date) - julianday(last_sent)) * 24), 1) AS avg_hours
  FROM (SELECT mo.date,
               (SELECT max(mt.date) FROM msgs AS mt
                 WHERE mt.type = 'MT' AND mt.date < mo.date AND mt.number = mo.number
                   AND mt.date >= datetime(mo.date, '-7 days')) AS last_sent
          FROM msgs AS mo
         WHERE mo.type = 'MO' AND mo.date >= '2026-06-01');
.headers off
SELECT 'requests|' || count(*) FROM sms_requests WHERE source = 'api';
SQL
)"
check "the cookbook's opt-outs since the day before: the numbers (a blast's answers on 4712)" \
  "4711|447599133458|2026-06-29 01:02:46|1
4711|19243492423|2026-06-29 05:25:15|1
4713|17015716226|2026-06-29 07:09:23|1
4713|5164614119|2026-06-29 08:27:00|1
4711|19389656717|2026-06-29 10:19:25|1
4712|13080776559|2026-06-29 13:45:14|1
4712|14804426132|2026-06-29 14:04:34|1
4712|4915545194248|2026-06-29 14:09:56|1
4712|13193237117|2026-06-29 14:34:49|1
4711|447669733193|2026-06-29 14:43:02|1
4712|17464958166|2026-06-29 14:53:26|1
4712|4915380674297|2026-06-29 14:56:02|1
4712|4915348662913|2026-06-29 16:18:55|1
4712|17139535302|2026-06-29 16:30:16|1
4712|16042617253|2026-06-29 16:31:50|1
4712|12982211719|2026-06-29 19:38:32|1
4712|9351066552|2026-06-29 20:05:16|1
4712|447008236770|2026-06-29 23:22:01|1
4711|17678754600|2026-06-30 02:07:53|1
4712|9953529054|2026-06-30 06:08:01|1
4712|9211891944|2026-06-30 09:34:30|1
4711|15505740018|2026-06-30 10:06:16|1" "$(sql <<'SQL'
SELECT program_id, number, max(date) AS last_opt_out, count(*) AS times
  FROM sms_messages
 WHERE program_id IN (4711, 4712, 4713) AND type = 'MO' AND date >= '2026-06-29'
   AND upper(trim(body, ' .!' || char(9, 10, 13)))
       IN ('STOP', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'STOPALL')
 GROUP BY program_id, number
 ORDER BY last_opt_out;
SQL
)"
check "... and the keywords as typed over the year" "STOP|1474
stop|833
Stop|490
Unsubscribe|305
Stop.|205
QUIT|131" "$(sql <<'SQL'
SELECT body, count(*) AS n
  FROM sms_messages
 WHERE program_id IN (4711, 4712, 4713) AND type = 'MO'
   AND upper(trim(body, ' .!' || char(9, 10, 13)))
       IN ('STOP', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'STOPALL')
 GROUP BY body
 ORDER BY n DESC, body;
SQL
)"

# Flags: what --messages means, and the flags of the test data's eventual consistency.
check "--messages 0: a program that never lived" "[]" "$("$EMU" --life --messages 0 --now $T1 --dump 4711)"
check "--messages 1000: about 1000 a year" 989 \
  "$("$EMU" --life --now $T1 --dump 4711 | "$PYTHON3" -c 'import json,sys; print(len(json.load(sys.stdin)))')"
for bad in --anchor=$T1 --late-minutes=5 --report-minutes=5 --doubles --bunched=10; do
  err=$("$EMU" --life "$bad" --now $T1 --dump 4711 2>&1 >/dev/null)
  check "refused with --life: $bad (exit 2)" 2 "$("$EMU" --life "$bad" --now $T1 --dump 4711 >/dev/null 2>&1; echo $?)"
  check_match "... says why" "^sms-emulator: --life: a life is dated in absolute time" "$err"
done

# make demo runs on a life with the real clock: its reply-time report has answers.
demo=$(bash "$ROOT/sql-tests/demo.sh" 2>&1)
row=$(grep -A2 'replies │ after_a_message' <<<"$demo" | sed -n 3p)
check "make demo: the reply-time report counts replies, some after a message sent" "1 1" \
  "$(awk -F'│' '{print ($2 + 0 > 0), ($3 + 0 > 0)}' <<<"$row")"
check "... and the program answers keywords" 1 \
  "$(grep -c '│ opt-out *│ [1-9][0-9]* *│ [1-9]' <<<"$demo")"
