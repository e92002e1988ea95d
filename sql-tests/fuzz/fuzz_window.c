/*
** fuzz_window.c: libFuzzer target for the date window (ext/sms_window.c), which turns
** every pushed-down `date OP value` into the startDate/endDate of the API requests.
**
** Input: one op byte (mod 5: =, <, <=, >, >=), then the constraint's TEXT value, any
** bytes. The property that makes pushdown safe (sms_window.h): for every canonical date
** D ("YYYY-MM-DD HH:MM:SS"), if SQLite's TEXT comparison `D OP value` (memcmp over the
** shorter length, then the shorter string is less: the BINARY collation, written once in
** sql-tests/unit/window_oracle.h) holds, then D's time lies inside [iLo, iHi]. It is
** checked on the dates where a mistake would show: the seconds just outside the window,
** the value's own prefix completed with the least and greatest digits and its neighbours,
** and fixed dates (epoch ends, leap days, year ends). Also checked: sms_window_request
** keeps every wanted time the API still serves, sms_time_parse round-trips through
** sms_time_format, and sms_date_to_sql only rewrites the separator. Any violation prints
** the case and abort()s.
*/
#include "fuzz_guard.h"
#include "sms_window.h"
#include "../unit/window_oracle.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const azOp[] = {"=", "<", "<=", ">", ">="};

static void fail(const char *zWhy, int op, const char *z, size_t n, const SmsWindow *w,
                 sms_time t) {
  char zLo[20], zHi[20], zT[20];
  sms_time_format(w->iLo, ' ', zLo);
  sms_time_format(w->iHi, ' ', zHi);
  sms_time_format(t, ' ', zT);
  fprintf(stderr,
          "fuzz_window: %s: date %s '%.*s' (%zu bytes): window [%s (%lld), %s (%lld)], date %s "
          "(%lld)\n",
          zWhy, azOp[op], (int)n, z, n, zLo, w->iLo, zHi, w->iHi, zT, t);
  abort();
}

static void check_date(sms_time t, int op, const char *z, size_t n, const SmsWindow *w) {
  char zD[20];
  if (t < SMS_TIME_MIN || t > SMS_TIME_MAX) return;
  sms_time_format(t, ' ', zD);
  if (oracle_holds(zD, (SmsOp)op, z, n) && (t < w->iLo || t > w->iHi)) {
    fail("a date the comparison accepts is outside the window", op, z, n, w, t);
  }
}

/* The date whose text is the first k bytes of z completed with cFill digits, if real. */
static int completed(const char *z, size_t n, char cFill, sms_time *pT) {
  char a[19];
  size_t k = oracle_date_prefix(z, n);
  for (size_t i = 0; i < 19; i++)
    a[i] = i < k ? z[i] : (zOracleTemplate[i] == '0' ? cFill : zOracleTemplate[i]);
  return sms_time_parse(a, 19, pT) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  int op = data[0] % 5;
  const char *z = fuzz_guarded_copy(data + 1, size - 1);
  size_t n = size - 1;
  SmsWindow w;
  sms_time t;

  sms_window_init(&w);
  sms_window_apply(&w, (SmsOp)op, z, n);

  /* The edges: a sound window has no accepted date just outside it. */
  static const sms_time aStep[] = {0,    1,     2,     59,    60,      61,       3599,
                                   3600, 86399, 86400, 86401, 2678400, 31536000, 31622400};
  for (size_t i = 0; i < sizeof(aStep) / sizeof(aStep[0]); i++) {
    if (w.iLo > SMS_TIME_MIN) check_date(w.iLo - 1 - aStep[i], op, z, n, &w);
    if (w.iHi < SMS_TIME_MAX) check_date(w.iHi + 1 + aStep[i], op, z, n, &w);
    check_date(w.iLo + aStep[i], op, z, n, &w);
    check_date(w.iHi - aStep[i], op, z, n, &w);
  }
  /* The value itself, completed both ways, and its neighbours. */
  static const char acFill[] = {'0', '1', '2', '5', '9'};
  for (size_t i = 0; i < sizeof(acFill); i++) {
    if (!completed(z, n, acFill[i], &t)) continue;
    for (size_t j = 0; j < sizeof(aStep) / sizeof(aStep[0]); j++) {
      check_date(t - aStep[j], op, z, n, &w);
      check_date(t + aStep[j], op, z, n, &w);
    }
  }
  static const char *const azFixed[] = {"0000-01-01 00:00:00", "0000-12-31 23:59:59",
                                        "1970-01-01 00:00:00", "1999-12-31 23:59:59",
                                        "2000-02-29 12:00:00", "2024-02-29 23:59:59",
                                        "2025-06-30 12:00:00", "2026-06-30 12:00:00",
                                        "2026-12-31 23:59:59", "9999-12-31 23:59:59"};
  for (size_t i = 0; i < sizeof(azFixed) / sizeof(azFixed[0]); i++) {
    if (sms_time_parse(azFixed[i], 19, &t) != 0)
      fail("a fixed date does not parse", op, z, n, &w, 0);
    check_date(t, op, z, n, &w);
  }

  /* The request: every wanted time the API still keeps (back to the retention limit, less
  ** the margin the request keeps inside it) is inside [start, end]. */
  sms_time now, iS = 0, iE = 0;
  int bEnd = -1;
  sms_time_parse("2026-06-30 12:00:00", 19, &now);
  sms_time iOldest = now - SMS_RETENTION + SMS_RETENTION_MARGIN;
  int bReq = sms_window_request(&w, now, &iS, &iE, &bEnd);
  if (bReq) {
    sms_time iWantLo = w.iLo > iOldest ? w.iLo : iOldest;
    if (sms_window_is_empty(&w)) fail("a request for an empty window", op, z, n, &w, iS);
    if (iS > iWantLo || iS < iOldest) fail("startDate misses wanted times", op, z, n, &w, iS);
    if (bEnd != 0 && bEnd != 1) fail("bEnd not set", op, z, n, &w, 0);
    if (bEnd && (iE < w.iHi || iE - iS > SMS_RETENTION))
      fail("endDate misses wanted times or spans over a year", op, z, n, &w, iE);
  } else if (!sms_window_is_empty(&w) && w.iHi >= iOldest) {
    fail("no request for a window the API serves", op, z, n, &w, now);
  }

  /* sms_time_parse and sms_time_format are inverses on real dates. */
  if (sms_time_parse(z, n, &t) == 0) {
    char zBack[20];
    if (t < SMS_TIME_MIN || t > SMS_TIME_MAX) fail("parsed time out of range", op, z, n, &w, t);
    sms_time_format(t, z[10], zBack);
    if (memcmp(zBack, z, 19) != 0) fail("parse/format do not round-trip", op, z, n, &w, t);
  }

  /* sms_date_to_sql rewrites the separator only, into 19 bytes and a NUL. */
  char zSql[20];
  memset(zSql, 'x', sizeof(zSql));
  int nSql = sms_date_to_sql(z, n, zSql);
  if (nSql) {
    if (nSql != 19 || zSql[19] != 0 || zSql[10] != ' ' || memcmp(zSql, z, 10) != 0 ||
        memcmp(zSql + 11, z + 11, 8) != 0)
      fail("sms_date_to_sql changed more than the separator", op, z, n, &w, 0);
  } else if (n >= 19 && (z[10] == 'T' || z[10] == ' ') && sms_time_parse(z, n, &t) == 0) {
    fail("sms_date_to_sql refused a real date", op, z, n, &w, t);
  }

  /* The suggestion for a literal typo (sms_date_suggest) is a date or a prefix of one down
  ** to the day, in the table's form, NUL-terminated. */
  char zSuggest[20];
  memset(zSuggest, 'x', sizeof(zSuggest));
  if (sms_date_suggest(z, n, zSuggest) &&
      (memchr(zSuggest, 0, sizeof(zSuggest)) == 0 ||
       !sms_date_in_form(zSuggest, strlen(zSuggest)) || strlen(zSuggest) < 10)) {
    fail("a suggestion is not in the table's form", op, z, n, &w, 0);
  }
  return 0;
}
