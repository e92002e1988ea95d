/*
** test_window.c: unit tests of sms_window.c, the date window of a query.
**
** The central property, checked by brute force: for random constraint texts v (full dates,
** prefixes, the API's 'T' form, fractions, unreal dates, junk) and random canonical dates
** D, whenever SQLite's TEXT comparison `D OP v` is true, D lies inside the window. And the
** window is exact (no wider than needed) for v of the canonical form or a prefix of it.
** Prints "ok - ..." / "not ok - ..." lines.
*/
#include "sms_window.h"
#include "tap.h"
#include "window_oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sms_time t_of(const char *z) {
  sms_time t = 0;
  if (sms_time_parse(z, strlen(z), &t)) {
    printf("# bad test date %s\n", z);
    exit(1);
  }
  return t;
}

static void window_for(SmsOp op, const char *z, SmsWindow *w) {
  sms_window_init(w);
  sms_window_apply(w, op, z, strlen(z));
}

static const char *const azOp[] = {"=", "<", "<=", ">", ">="};

/* A random constraint value near the dates in [2025-12-25, 2026-01-05]. */
static void random_value(char *z) {
  static const char *const azJunk[] = {"T", " ",        ".", "Z", "x", "/", ":",
                                       "-", "\xc3\xa9", "",  "9", "0", "5"};
  char zDate[20];
  sms_time t = t_of("2025-12-25 00:00:00") + rand() % (12 * 86400);
  if (rand() % 4 == 0) t = t - t % 86400 + (rand() % 2 ? 0 : 86399); /* day edges */
  sms_time_format(t, rand() % 3 ? ' ' : 'T', zDate);
  if (rand() % 8 == 0) { /* unreal fields */
    static const char *const azBad[] = {"2026-02-30", "2025-13-01", "2026-00-10", "2025-12-00",
                                        "2025-12-32"};
    memcpy(zDate, azBad[rand() % 5], 10);
  }
  if (rand() % 8 == 0) memcpy(zDate + 11, rand() % 2 ? "24" : "99", 2);
  int n = rand() % 3 ? 19 : rand() % 20; /* a prefix */
  memcpy(z, zDate, n);
  z[n] = 0;
  if (rand() % 3 == 0) strcat(z, azJunk[rand() % 13]);
  if (rand() % 4 == 0) strcat(z, azJunk[rand() % 13]);
}

static void test_brute_force(void) {
  int nBad = 0, nInexact = 0, nCanonical = 0;
  srand(20261126);
  for (int iCase = 0; iCase < 20000; iCase++) {
    char zVal[64], zD[20];
    SmsWindow w;
    SmsOp op = (SmsOp)(rand() % 5);
    random_value(zVal);
    window_for(op, zVal, &w);
    /* Every minute-ish date in the range, plus day edges. */
    sms_time lo = t_of("2025-12-24 00:00:00"), hi = t_of("2026-01-07 00:00:00");
    for (sms_time t = lo; t < hi; t += (t % 86400 == 0 || t % 86400 == 86399) ? 1 : 599) {
      sms_time_format(t, ' ', zD);
      if (oracle_holds(zD, op, zVal, strlen(zVal))) {
        if (t < w.iLo || t > w.iHi) {
          if (nBad++ < 5)
            printf("# lost: %s %s '%s' (window %lld..%lld)\n", zD, azOp[op], zVal, w.iLo,
                   w.iHi);
        }
      }
    }
    /* Exactness for canonical values and prefixes: the window's bounds themselves pass
    ** the comparison and the second just outside them fails it. */
    size_t n = strlen(zVal), k = oracle_date_prefix(zVal, n);
    char zPad[20] = "0000-01-01 00:00:00";
    sms_time tDummy;
    memcpy(zPad, zVal, k);
    if (k == n && sms_time_parse(zPad, 19, &tDummy) == 0 && !sms_window_is_empty(&w)) {
      int bLo = op == SMS_OP_GE || op == SMS_OP_GT || op == SMS_OP_EQ;
      int bHi = op == SMS_OP_LE || op == SMS_OP_LT || op == SMS_OP_EQ;
      char zIn[20], zOut[20];
      int bExact = 1;
      nCanonical++;
      if (bLo && w.iLo > SMS_TIME_MIN) {
        sms_time_format(w.iLo, ' ', zIn);
        sms_time_format(w.iLo - 1, ' ', zOut);
        bExact &= oracle_holds(zIn, op, zVal, n) && !oracle_holds(zOut, op, zVal, n);
      }
      if (bHi && w.iHi < SMS_TIME_MAX) {
        sms_time_format(w.iHi, ' ', zIn);
        sms_time_format(w.iHi + 1, ' ', zOut);
        bExact &= oracle_holds(zIn, op, zVal, n) && !oracle_holds(zOut, op, zVal, n);
      }
      if (!bExact && nInexact++ < 5)
        printf("# inexact: date %s '%s': window %lld..%lld\n", azOp[op], zVal, w.iLo, w.iHi);
    }
  }
  check(nBad == 0, "20000 random date constraints: every matching date is in the window");
  check(nInexact == 0 && nCanonical > 1000,
        "canonical dates and prefixes bound the window exactly");
}

static void check_window(SmsOp op, const char *zVal, const char *zLo, const char *zHi) {
  SmsWindow w;
  char zGot[80], zWant[80], zA[20], zB[20], zDesc[120];
  window_for(op, zVal, &w);
  sms_time_format(w.iLo, ' ', zA);
  sms_time_format(w.iHi, ' ', zB);
  snprintf(zGot, sizeof(zGot), "%s .. %s", sms_window_is_empty(&w) ? "empty" : zA,
           sms_window_is_empty(&w) ? "" : zB);
  snprintf(zWant, sizeof(zWant), "%s .. %s", zLo, zHi);
  snprintf(zDesc, sizeof(zDesc), "date %s '%s'", azOp[op], zVal);
  check_str(zGot, zWant, zDesc);
}

static void test_examples(void) {
  const char *zMin = "0000-01-01 00:00:00", *zMax = "9999-12-31 23:59:59";
  check_window(SMS_OP_GE, "2026-11-01", "2026-11-01 00:00:00", zMax);
  check_window(SMS_OP_GT, "2026-11-01", "2026-11-01 00:00:00", zMax);
  check_window(SMS_OP_LT, "2026-11-01", zMin, "2026-10-31 23:59:59");
  check_window(SMS_OP_LE, "2026-11-01", zMin, "2026-10-31 23:59:59");
  check_window(SMS_OP_LE, "2026-11-01 10:00:00", zMin, "2026-11-01 10:00:00");
  check_window(SMS_OP_LT, "2026-11-01 10:00:00", zMin, "2026-11-01 09:59:59");
  check_window(SMS_OP_GT, "2026-11-01 10:00:00", "2026-11-01 10:00:01", zMax);
  check_window(SMS_OP_EQ, "2026-11-01 10:00:00", "2026-11-01 10:00:00", "2026-11-01 10:00:00");
  check_window(SMS_OP_EQ, "2026-11-01", "empty", "");
  check_window(SMS_OP_EQ, "2026-11-01T10:00:00", "empty", "");
  /* the 'T' form: ' ' < 'T', so every time of 2026-11-01 is below it */
  check_window(SMS_OP_GE, "2026-11-01T10:00:00", "2026-11-02 00:00:00", zMax);
  check_window(SMS_OP_LT, "2026-11-01T10:00:00", zMin, "2026-11-01 23:59:59");
  /* fractions: 10:00:00 < '10:00:00.5' */
  check_window(SMS_OP_GE, "2026-11-01 10:00:00.5", "2026-11-01 10:00:01", zMax);
  check_window(SMS_OP_LE, "2026-11-01 10:00:00.5", zMin, "2026-11-01 10:00:00");
  check_window(SMS_OP_GE, "2026-02-30", "2026-03-01 00:00:00", zMax);
  check_window(SMS_OP_LE, "2026-02-30 12:00:00", zMin, "2026-02-28 23:59:59");
  check_window(SMS_OP_GE, "2026-13", "2027-01-01 00:00:00", zMax);
  check_window(SMS_OP_GE, "2026", "2026-01-01 00:00:00", zMax);
  check_window(SMS_OP_LT, "2027", zMin, "2026-12-31 23:59:59");
  check_window(SMS_OP_GE, "junk", "empty", "");
  check_window(SMS_OP_LE, "junk", zMin, zMax);
  check_window(SMS_OP_GE, "", zMin, zMax);
  check_window(SMS_OP_LT, "", "empty", "");
}

/* sms_window_request with the times formatted as the API takes them. */
static int request(const SmsWindow *w, sms_time now, char *zS, char *zE, int *pbEnd) {
  sms_time iS = 0, iE = 0;
  int bReq = sms_window_request(w, now, &iS, &iE, pbEnd);
  sms_time_format(iS, 'T', zS);
  sms_time_format(iE, 'T', zE);
  return bReq;
}

static void test_request(void) {
  SmsWindow w;
  char zS[20], zE[20];
  int bEnd, bReq;
  sms_time now = t_of("2026-06-30 12:00:00");

  sms_window_init(&w);
  bReq = request(&w, now, zS, zE, &bEnd);
  check(bReq && !bEnd, "no bounds: a request with a start and no end");
  check_str(zS, "2025-06-30T12:00:05",
            "no bounds: startDate is 365 days before now, less the 5-second margin");

  window_for(SMS_OP_GE, "2026-06-01", &w);
  sms_window_apply(&w, SMS_OP_LT, "2026-06-02", 10);
  bReq = request(&w, now, zS, zE, &bEnd);
  check_str(zS, "2026-05-31T23:59:59", "a day: startDate widened by a second");
  check(bEnd, "a day: an endDate is sent");
  check_str(zE, "2026-06-02T00:00:00", "a day: endDate widened by a second");

  window_for(SMS_OP_LT, "2025-06-30 12:00:05", &w);
  check(request(&w, now, zS, zE, &bEnd) == 0,
        "a window that ended before the retention limit needs no request");
  window_for(SMS_OP_LT, "2025-06-30 12:00:06", &w);
  check(request(&w, now, zS, zE, &bEnd) == 1,
        "a window that ends after the retention limit is requested");
  check_str(zS, "2025-06-30T12:00:05", "... clamped to the retention limit");

  window_for(SMS_OP_LE, "2099-01-01", &w);
  request(&w, now, zS, zE, &bEnd);
  check(!bEnd, "an end more than a year after the start is not sent");

  window_for(SMS_OP_GT, "2026-07-01", &w);
  sms_window_apply(&w, SMS_OP_LT, "2026-06-01", 10);
  check(request(&w, now, zS, zE, &bEnd) == 0, "an empty window needs no request");
}

static void test_dates(void) {
  char z[20];
  sms_time t;
  check(sms_time_parse("2026-02-29 00:00:00", 19, &t) != 0, "2026-02-29 is not a date");
  check(sms_time_parse("2024-02-29T23:59:59", 19, &t) == 0, "2024-02-29T23:59:59 is");
  sms_time_format(t, ' ', z);
  check_str(z, "2024-02-29 23:59:59", "format round-trips");
  sms_time_format(0, 'T', z);
  check_str(z, "1970-01-01T00:00:00", "epoch");
  check(sms_date_to_sql("2026-11-01T10:00:00.000Z", 24, z) == 19, "API date with fraction");
  check_str(z, "2026-11-01 10:00:00", "API date rewritten in SQLite's form");
  check(sms_date_to_sql("yesterday", 9, z) == 0, "junk date left alone");
}

/* The table's form and the prefixes that end with a field are fine in a literal; every
** other shape is a typo, and some of those have a suggestion. */
static void test_literal_form(void) {
  static const char *const azFine[] = {"",
                                       "2026",
                                       "2026-06",
                                       "2026-06-01",
                                       "2026-06-01 10",
                                       "2026-06-01 10:00",
                                       "2026-06-01 10:00:00",
                                       "2026-02-31",
                                       "9999-99-99 99:99:99"};
  static const char *const azTypo[] = {"2026/06/01",
                                       "06/01/2026",
                                       "2026-06-01T10:00:00",
                                       "2026-6-1",
                                       "1780300800",
                                       "202",
                                       "2026-",
                                       "2026-06-0",
                                       "2026-06-01 ",
                                       "2026-06-01 10:0",
                                       "2026-06-01 10:00:00.000",
                                       "2026-06-01 10:00:00Z",
                                       "yesterday",
                                       "2026-06-01 1",
                                       " 2026"};
  static const char *const azSuggest[][2] = {
      {"2026/06/01", "2026-06-01"},
      {"2026-6-1", "2026-06-01"},
      {"2026.6.1 9:05", "2026-06-01 09:05"},
      {"2026-06-01T10:00:00", "2026-06-01 10:00:00"},
      {"2026-06-01T10:00:00.250Z", "2026-06-01 10:00:00"},
      {"2026-06-01 7", "2026-06-01 07"},
      {"2026/06/01 10:00:00", "2026-06-01 10:00:00"},
  };
  static const char *const azNoSuggest[] = {
      "06/01/2026",    "2026-13-01", "2026/06-01", "2026-06-01 10:5", "yesterday",
      "2026-06-01 24", "2026",       "1780300800", "2026-06-01x"};
  char zOut[20], zDesc[120];
  size_t i;
  for (i = 0; i < sizeof(azFine) / sizeof(azFine[0]); i++) {
    snprintf(zDesc, sizeof(zDesc), "'%s' is in the table's form", azFine[i]);
    check(sms_date_in_form(azFine[i], strlen(azFine[i])), zDesc);
  }
  for (i = 0; i < sizeof(azTypo) / sizeof(azTypo[0]); i++) {
    snprintf(zDesc, sizeof(zDesc), "'%s' is not in the table's form", azTypo[i]);
    check(!sms_date_in_form(azTypo[i], strlen(azTypo[i])), zDesc);
  }
  for (i = 0; i < sizeof(azSuggest) / sizeof(azSuggest[0]); i++) {
    snprintf(zDesc, sizeof(zDesc), "'%s' suggests '%s'", azSuggest[i][0], azSuggest[i][1]);
    zOut[0] = 0;
    check(sms_date_suggest(azSuggest[i][0], strlen(azSuggest[i][0]), zOut), zDesc);
    check_str(zOut, azSuggest[i][1], zDesc);
  }
  for (i = 0; i < sizeof(azNoSuggest) / sizeof(azNoSuggest[0]); i++) {
    snprintf(zDesc, sizeof(zDesc), "'%s' suggests nothing", azNoSuggest[i]);
    check(!sms_date_suggest(azNoSuggest[i], strlen(azNoSuggest[i]), zOut), zDesc);
  }
}

int main(void) {
  test_literal_form();
  test_examples();
  test_request();
  test_dates();
  test_brute_force();
  return tap_done();
}
