# quota.sh: the lines of `make bench` on what the adaptive default spends (issue 21), sourced
# by run.sh, which calls quota_measure before its table and appends quota_table to it.
#
#   BENCH_QUOTA_JOIN_MESSAGES=2500  the program of the join with 200 contacts (5 pages)
#   BENCH_QUOTA_RATE=20             the rate_limit of the long scan whose use of it is measured
#   BENCH_QUOTA_RATE_MESSAGES=20000 that scan's program (40 pages)
#
# Targets: a 5-page program joined with 200 local contacts sends at most 7 requests under the
# defaults; a 20-page year at most 26 (run.sh measures it: year_default) and stays 2.5x faster
# than parallel=1 (run.sh's own line); under rate_limit=N a long scan sends at least 90% of N
# requests a second (requests over the statement's time and N) at BENCH_DEFAULT_LATENCY_MS a
# request, where one chain cannot fill the limit alone (parallel=1 is measured beside it).

N_QUOTA_JOIN=${BENCH_QUOTA_JOIN_MESSAGES:-2500}
QUOTA_RATE=${BENCH_QUOTA_RATE:-20}
N_QUOTA_RATE=${BENCH_QUOTA_RATE_MESSAGES:-20000}

quota_measure() {
  local r k opts first_join=
  echo "-- the adaptive default's quota at ${LATENCY_DEF} ms: a $N_QUOTA_JOIN-message program joined with 200 contacts; $N_QUOTA_RATE messages under rate_limit=$QUOTA_RATE"
  emu_start_test quota5 --programs 1 --messages "$N_QUOTA_JOIN" --latency-ms "$LATENCY_DEF" ||
    die "cannot start the emulator"
  emu_start_test quotarate --programs 1 --messages "$N_QUOTA_RATE" --latency-ms "$LATENCY_DEF" ||
    die "cannot start the emulator"
  curl -sf -o /dev/null -u "$TEST_USER:$TEST_PASSWORD" "$quotarate_URL/messages/program/$PROGRAM?pageSize=1" ||
    die "the emulator does not answer" # it renders its data on first use: not in a timing
  rm -f "$WORK/quota-contacts.db"
  SMS_API_BASE_URL=$quota5_URL sqlx "$WORK/quota-contacts.db" \
    "CREATE TABLE contacts(number INTEGER PRIMARY KEY, name TEXT);
     INSERT INTO contacts SELECT DISTINCT number, 'contact ' || number
       FROM sms_messages($PROGRAM) WHERE number IS NOT NULL LIMIT 200;" ||
    die "cannot make the 200 contacts"
  QUOTA_MISMATCH=
  for r in $(seq 1 "$RUNS"); do
    for k in default one; do
      if [ "$k" = default ]; then STMT_ENV=(env -u SMS_PARALLEL); opts=; else STMT_ENV=(); opts=", parallel=1"; fi
      stmt_run "qjoin_$k" quota5 "$WORK/quota.db" "quota-join-$k-requests.log" \
        "ATTACH '$WORK/quota-contacts.db' AS k;" \
        "CREATE VIRTUAL TABLE temp.t USING sms_messages(program_id=$PROGRAM$opts);" ".timer on" \
        "CREATE TABLE copy AS SELECT c.name, m.* FROM k.contacts c JOIN t m ON m.number = c.number;"
      [ -n "$first_join" ] || first_join=$STMT_ROWS
      [ "$STMT_ROWS" = "$first_join" ] || QUOTA_MISMATCH+=" the join ($k) run $r: $STMT_ROWS vs $first_join;"
    done
    for k in default one; do
      if [ "$k" = default ]; then STMT_ENV=(env -u SMS_PARALLEL); opts=; else STMT_ENV=(); opts=", parallel=1"; fi
      stmt_run "qrate_$k" quotarate "$WORK/quota.db" "quota-rate-$k-requests.log" \
        "CREATE VIRTUAL TABLE temp.t USING sms_messages(program_id=$PROGRAM, rate_limit=$QUOTA_RATE$opts);" \
        ".timer on" "CREATE TABLE copy AS SELECT * FROM t;"
      STMT_ENV=()
      [ "${STMT_ROWS%% *}" = "$N_QUOTA_RATE" ] || QUOTA_MISMATCH+=" rate_limit ($k) run $r gave ${STMT_ROWS%% *} rows, not $N_QUOTA_RATE;"
      record "qrate_${k}_use" "$(awk -v n="${T[qrate_${k}_requests]##* }" -v s="${T[qrate_${k}_stmt]##* }" \
        -v r="$QUOTA_RATE" 'BEGIN { printf "%.3f", n / (s * r) }')"
    done
    printf '   run %d/%d: join default / parallel=1: %ss %ss (%s/%s requests); rate_limit=%s default / parallel=1: %s %s of the limit\n' \
      "$r" "$RUNS" "${T[qjoin_default_stmt]##* }" "${T[qjoin_one_stmt]##* }" \
      "${T[qjoin_default_requests]##* }" "${T[qjoin_one_requests]##* }" "$QUOTA_RATE" \
      "${T[qrate_default_use]##* }" "${T[qrate_one_use]##* }"
  done
}

quota_table() {
  local jd jo yd use v
  jd=$(median qjoin_default_requests); jo=$(median qjoin_one_requests)
  yd=$(median year_default_requests); use=$(median qrate_default_use)
  echo
  echo "| the adaptive default's quota (issue 21) | measured (medians) | runs | target |"
  echo "| --- | --- | --- | --- |"
  v=$(verdict le "$jd" 7); [ -z "$QUOTA_MISMATCH" ] || v="MISS (rows differ)"
  echo "| a $N_QUOTA_JOIN-message program (5 pages) joined with 200 contacts, ${LATENCY_DEF} ms: requests, default vs \`parallel=1\` | $jd vs $jo; the statement $(fmt "$(median qjoin_default_stmt)") s vs $(fmt "$(median qjoin_one_stmt)") s | $(runs_of qjoin_default_stmt) | at most 7: $v |"
  echo "| a year of $N_DEF messages, the default: requests | $yd (\`parallel=1\`: $(median year_one_requests)) | | at most 26: $(verdict le "$yd" 26) |"
  v=$(verdict le 0.9 "$use"); [ -z "$QUOTA_MISMATCH" ] || v="MISS (rows differ)"
  echo "| $N_QUOTA_RATE messages at ${LATENCY_DEF} ms, the default with \`rate_limit=$QUOTA_RATE\`: requests a second over the limit | $(awk -v u="$use" 'BEGIN { printf "%.0f%%", 100 * u }') ($(median qrate_default_requests) requests in $(fmt "$(median qrate_default_stmt)") s; \`parallel=1\`: $(awk -v u="$(median qrate_one_use)" 'BEGIN { printf "%.0f%%", 100 * u }'), $(median qrate_one_requests) in $(fmt "$(median qrate_one_stmt)") s) | $(runs_of qrate_default_use) | at least 90%: $v |"
}
