/*
** test_page.c: unit tests of sms_page.c, the page decoder (the tolerant reader of
** docs/api-rules.md) and its strict JSON scanner. Prints "ok - ..." / "not ok - ..." lines.
*/
#include "sms_page.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One field of the current row, rendered as text for comparison. */
static const char *field(SmsPage *p, SmsField e) {
  static char z[2048];
  SmsValue v;
  sms_page_field(p, e, &v);
  switch (v.eType) {
  case SMS_NULL:
    return "NULL";
  case SMS_INT:
    snprintf(z, sizeof(z), "INT %lld", v.iVal);
    break;
  case SMS_REAL:
    snprintf(z, sizeof(z), "REAL %g", v.rVal);
    break;
  default:
    snprintf(z, sizeof(z), "TEXT %.*s", (int)v.n, v.z);
    break;
  }
  return z;
}

static void check_field(SmsPage *p, SmsField e, const char *zWant, const char *zDesc) {
  check_str(field(p, e), zWant, zDesc);
}

/* The dates a page shows, in order, each followed by '|'. */
static const char *page_dates(SmsPage *p) {
  static char z[2048];
  z[0] = 0;
  for (int i = 0; i < p->nRow; i++) {
    SmsValue v;
    size_t n = strlen(z);
    sms_page_row_field(p, i, SMS_F_DATE, &v);
    if (v.eType == SMS_NULL) snprintf(z + n, sizeof(z) - n, "NULL|");
    if (v.eType == SMS_INT) snprintf(z + n, sizeof(z) - n, "%lld|", v.iVal);
    if (v.eType == SMS_REAL) snprintf(z + n, sizeof(z) - n, "%g|", v.rVal);
    if (v.eType == SMS_TEXT) snprintf(z + n, sizeof(z) - n, "%.*s|", (int)v.n, v.z);
  }
  return z;
}

static int decode(const char *z, SmsPage *p, char *zErr) {
  return sms_page_decode(z, strlen(z), p, zErr, 300);
}

/* Decoding z fails with a message containing zWant. */
static void check_bad(const char *z, const char *zWant, const char *zDesc) {
  SmsPage pg;
  char zErr[300];
  memset(&pg, 0, sizeof(pg));
  int rc = decode(z, &pg, zErr);
  check(rc != 0 && strstr(zErr, zWant) != 0 && pg.nRow == 0 && pg.azBody == 0, zDesc);
  if (rc == 0 || !strstr(zErr, zWant)) printf("#   got '%s'\n", rc ? zErr : "(decoded)");
  sms_page_clear(&pg);
}

/* What sms_page_peek_next reads from z: the URL, or "-" when it gives none. */
static const char *peek(const char *z) {
  static char zOut[256];
  if (!sms_page_peek_next(z, strlen(z), zOut, sizeof(zOut))) return "-";
  return zOut;
}

/* The number column of a one-message page whose number is the token zTok, as
** "INT v" / "REAL v" (%.17g: every bit of the double) / "NULL" / "TEXT v". */
static const char *number_of(const char *zTok) {
  static char zOut[400];
  SmsPage pg;
  char zErr[300];
  SmsValue v;
  size_t n = strlen(zTok) + 32;
  char *z = malloc(n);
  memset(&pg, 0, sizeof(pg));
  snprintf(z, n, "[{\"number\":%s}]", zTok);
  if (decode(z, &pg, zErr) != 0) {
    snprintf(zOut, sizeof(zOut), "error: %s", zErr);
  } else {
    sms_page_field(&pg, SMS_F_NUMBER, &v);
    if (v.eType == SMS_INT) snprintf(zOut, sizeof(zOut), "INT %lld", v.iVal);
    if (v.eType == SMS_REAL) snprintf(zOut, sizeof(zOut), "REAL %.17g", v.rVal);
    if (v.eType == SMS_NULL) snprintf(zOut, sizeof(zOut), "NULL");
    if (v.eType == SMS_TEXT) snprintf(zOut, sizeof(zOut), "TEXT %.*s", (int)v.n, v.z);
  }
  sms_page_clear(&pg);
  free(z);
  return zOut;
}

/* zA, then n copies of c, then zB: a long number token (malloc'd). */
static char *long_token(const char *zA, char c, int n, const char *zB) {
  size_t nA = strlen(zA), nB = strlen(zB);
  char *z = malloc(nA + (size_t)n + nB + 1);
  memcpy(z, zA, nA);
  memset(z + nA, c, (size_t)n);
  memcpy(z + nA + n, zB, nB + 1);
  return z;
}

int main(void) {
  SmsPage pg;
  char zErr[300];
  memset(&pg, 0, sizeof(pg));

  const char *zEnvelope =
      "{\"meta\":{\"attributes\":{},\"generalErrors\":[],\"fieldErrors\":{},"
      "\"nextPageUrl\":\"http:\\/\\/x\\/api\\/messages\\/program\\/1?page=2\"},\"data\":[ "
      "{\"campaignName\":\"Default Campaign\",\"programName\":\"Spring\","
      "\"programType\":\"Text to Join\",\"type\":\"MO\",\"deliveryStatus\":\"Received\","
      "\"number\":15551234567,\"body\":\"JOIN \\\"now\\\" \\ud83d\\ude00 caf\\u00e9\","
      "\"date\":\"2012-05-08T11:56:05\",\"network\":null,\"extra\":[1, {\"a\" : 2}]},\n"
      "{\"number\":\"0015551234567\",\"date\":\"soon\",\"network\":\"AT&T\",\"type\":\"MT\","
      "\"type\":\"MO\"}]}";
  check(decode(zEnvelope, &pg, zErr) == 0, "envelope decodes");
  check(pg.nRow == 2, "envelope: two rows");
  check(pg.zNext && strcmp(pg.zNext, "http://x/api/messages/program/1?page=2") == 0,
        "envelope: nextPageUrl from meta, escapes decoded");
  check_field(&pg, SMS_F_NUMBER, "INT 15551234567", "number as a JSON number");
  check_field(&pg, SMS_F_DATE, "TEXT 2012-05-08 11:56:05", "date in SQLite's form");
  check_field(&pg, SMS_F_BODY, "TEXT JOIN \"now\" \xf0\x9f\x98\x80 caf\xc3\xa9",
              "body: escapes, a surrogate pair and \\u00e9 decoded to UTF-8");
  check_field(&pg, SMS_F_NETWORK, "NULL", "network null is NULL");
  check_field(&pg, SMS_F_PROGRAM_TYPE, "TEXT Text to Join", "programType");
  char *zRaw = sms_page_row_json(&pg, 0);
  check(zRaw && strstr(zRaw, "\"extra\":[1,{\"a\":2}]") && !strchr(zRaw, '\n') &&
            strstr(zRaw, "\\ud83d"),
        "raw: unknown fields kept, compact, strings as sent");
  free(zRaw);
  check(sms_page_next(&pg) == 1, "second row");
  check_field(&pg, SMS_F_NUMBER, "INT 15551234567", "number as a string of digits");
  check_field(&pg, SMS_F_DATE, "TEXT soon", "a date that is not a date is kept as it is");
  check_field(&pg, SMS_F_BODY, "NULL", "a missing field is NULL");
  check_field(&pg, SMS_F_NETWORK, "TEXT AT&T", "network text");
  check_field(&pg, SMS_F_TYPE, "TEXT MT", "a repeated key: the first wins");
  check(sms_page_next(&pg) == 0 && !sms_page_has_row(&pg), "end of page");
  check(sms_page_next(&pg) == 0 && pg.iCur == pg.nRow, "... and it stays there");
  sms_page_clear(&pg);

  check(decode("{\"nextPageUrl\":\"http://x/2\",\"data\":[]}", &pg, zErr) == 0 &&
            pg.nRow == 0 && pg.zNext && strcmp(pg.zNext, "http://x/2") == 0,
        "nextPageUrl at the top level");
  sms_page_clear(&pg);
  check(decode("{\"meta\":{\"nextPageUrl\":null},\"nextPageUrl\":\"http://x/2\",\"data\":[]}",
               &pg, zErr) == 0 &&
            pg.zNext == 0,
        "meta's nextPageUrl, even null, wins over a top-level one");
  sms_page_clear(&pg);
  check(decode("[{\"type\":\"MT\"}]", &pg, zErr) == 0 && pg.nRow == 1 && pg.zNext == 0,
        "a bare array is one last page");
  check_field(&pg, SMS_F_TYPE, "TEXT MT", "bare array row");
  sms_page_clear(&pg);
  check(decode("{\"data\":[{\"number\":-12,\"body\":1.5,\"type\":true,\"network\":{}}]}", &pg,
               zErr) == 0,
        "values of every JSON type");
  check_field(&pg, SMS_F_NUMBER, "INT -12", "a negative whole number");
  check_field(&pg, SMS_F_BODY, "REAL 1.5", "a fraction is REAL");
  check_field(&pg, SMS_F_TYPE, "INT 1", "true is 1");
  check_field(&pg, SMS_F_NETWORK, "NULL", "an object is NULL (raw has it)");
  sms_page_clear(&pg);
  check(decode("[{\"body\":\"a\\u0000b\",\"number\":123456789012345678}]", &pg, zErr) == 0,
        "a NUL inside a string, an 18-digit number");
  SmsValue v;
  sms_page_field(&pg, SMS_F_BODY, &v);
  check(v.eType == SMS_TEXT && v.n == 3 && memcmp(v.z, "a\0b", 3) == 0,
        "a NUL inside a string is kept, byte for byte");
  check_field(&pg, SMS_F_NUMBER, "INT 123456789012345678", "18 digits stay exact");
  sms_page_clear(&pg);

  /* Numbers as a strict JSON reader reads them. The expected values are what SQLite's
  ** json_extract('{"n":TOKEN}', '$.n') gives (3.40: typeof and value), with the table's one
  ** rule on top: a whole REAL below 2^53 reads as INTEGER (json_extract's 1000.0 and 5.0
  ** are INTEGER 1000 and 5 here, equal in SQL), as an INTEGER column would store it. */
  struct {
    const char *zTok, *zWant, *zSqlite;
  } aNum[] = {
      {"1234567890123456789", "INT 1234567890123456789", "integer 1234567890123456789"},
      {"9223372036854775807", "INT 9223372036854775807", "integer 9223372036854775807"},
      {"-9223372036854775808", "INT -9223372036854775808", "integer -9223372036854775808"},
      {"9223372036854775808", "REAL 9.2233720368547758e+18", "real 9.22337203685478e+18"},
      {"-9223372036854775809", "REAL -9.2233720368547758e+18", "real -9.22337203685478e+18"},
      {"12345678901234567890", "REAL 1.2345678901234567e+19", "real 1.23456789012346e+19"},
      {"123456789012345678901234567890", "REAL 1.2345678901234568e+29",
       "real 1.23456789012346e+29"},
      {"0000", "error", "(not JSON: leading zeros)"},
      {"-0", "INT 0", "integer 0"},
      {"1e3", "INT 1000", "real 1000.0"},
      {"1e16", "REAL 10000000000000000", "real 1.0e+16"},
      {"9007199254740993", "INT 9007199254740993", "integer 9007199254740993"},
      {"0.1", "REAL 0.10000000000000001", "real 0.1"},
      {"-5.5", "REAL -5.5", "real -5.5"},
      {"1e400", "REAL inf", "real Inf"},
      {"-1e400", "REAL -inf", "real -Inf"},
      {"1e-400", "INT 0", "real 0.0"},
  };
  for (size_t i = 0; i < sizeof(aNum) / sizeof(aNum[0]); i++) {
    char zDesc[200];
    const char *zGot = number_of(aNum[i].zTok);
    snprintf(zDesc, sizeof(zDesc), "number %s (json_extract: %s)", aNum[i].zTok,
             aNum[i].zSqlite);
    if (strcmp(aNum[i].zWant, "error") == 0) {
      check(strncmp(zGot, "error: ", 7) == 0, zDesc);
    } else {
      check_str(zGot, aNum[i].zWant, zDesc);
    }
  }
  char *zTok = long_token("1.", '0', 500, "e-5");
  check_str(number_of(zTok), "REAL 1.0000000000000001e-05",
            "number 1. + 500 zeros + e-5: the exponent after a long mantissa (json_extract: "
            "real 1.0e-05)");
  free(zTok);
  zTok = long_token("5", '0', 398, "e-398");
  check_str(number_of(zTok), "INT 5",
            "number 5 + 398 zeros + e-398: 5, not inf (json_extract: real 5.0)");
  free(zTok);
  zTok = long_token("-0.", '0', 1000, "25e1002");
  check_str(number_of(zTok), "INT -25", "number -0. + 1000 zeros + 25e1002: -25");
  free(zTok);
  zTok = long_token("1", '0', 40, "");
  check_str(number_of(zTok), "REAL 1e+40", "number 1 and 40 zeros: REAL 1e+40");
  free(zTok);
  check(decode("[{\"number\":\"1234567890123456789\"},{\"number\":\"9223372036854775808\"},"
               "{\"number\":\"-1\"}]",
               &pg, zErr) == 0,
        "numbers as strings of digits");
  check_field(&pg, SMS_F_NUMBER, "INT 1234567890123456789", "... 19 digits: INTEGER, exact");
  sms_page_next(&pg);
  check_field(&pg, SMS_F_NUMBER, "TEXT 9223372036854775808", "... past int64: the text");
  sms_page_next(&pg);
  check_field(&pg, SMS_F_NUMBER, "TEXT -1", "... a sign: the text");
  sms_page_clear(&pg);

  /* Keys (sms_page.h): compared by all their decoded bytes; of repeated keys, the first. */
  check(decode("{\"data\\u0000\":{\"nextPageUrl\":null},\"data\":[{\"type\":\"MO\"}]}", &pg,
               zErr) == 0 &&
            pg.nRow == 1,
        "keys: \"data\\u0000\" is not \"data\" (cJSON would cut it at the NUL)");
  check_field(&pg, SMS_F_TYPE, "TEXT MO", "keys: ... the real \"data\" is read");
  sms_page_clear(&pg);
  check(decode("[{\"type\\u0000\":\"MT\",\"typ\":\"MT\",\"type\":\"MO\"}]", &pg, zErr) == 0,
        "keys: a field name with a NUL after it");
  check_field(&pg, SMS_F_TYPE, "TEXT MO", "keys: \"type\\u0000\" is not \"type\"");
  sms_page_clear(&pg);
  check(decode("{\"d\\u0061ta\":[{\"typ\\u0065\":\"MT\"}]}", &pg, zErr) == 0 && pg.nRow == 1,
        "keys: escapes are decoded before comparing (\"d\\u0061ta\" is \"data\")");
  check_field(&pg, SMS_F_TYPE, "TEXT MT", "keys: \"typ\\u0065\" is \"type\"");
  sms_page_clear(&pg);
  check(
      decode("{\"meta\":{\"\\u006e\\u0065\\u0078\\u0074\\u0050\\u0061\\u0067\\u0065\\u0055"
             "\\u0072\\u006c\":\"http://x/2\"},\"data\":[{\"\\u0064\\u0065\\u006c\\u0069\\u0076"
             "\\u0065\\u0072\\u0079\\u0053\\u0074\\u0061\\u0074\\u0075\\u0073\":\"Sent\"}]}",
             &pg, zErr) == 0 &&
          pg.zNext && strcmp(pg.zNext, "http://x/2") == 0,
      "keys: nextPageUrl spelled wholly in \\u escapes (66 bytes) is nextPageUrl");
  check_field(&pg, SMS_F_DELIVERY_STATUS, "TEXT Sent",
              "keys: deliveryStatus wholly in \\u escapes (84 bytes) is deliveryStatus");
  sms_page_clear(&pg);
  check(decode("{\"data\":[{\"type\":\"MO\"}],\"data\":[{\"type\":\"MT\"},{}]}", &pg, zErr) ==
                0 &&
            pg.nRow == 1,
        "keys: of two \"data\" arrays the first is read");
  check_field(&pg, SMS_F_TYPE, "TEXT MO", "keys: ... its message");
  sms_page_clear(&pg);
  check(decode("{\"nextPageUrl\":\"http://x/top\",\"meta\":{\"nextPageUrl\":\"http://x/1\","
               "\"nextPageUrl\":\"http://x/2\"},\"data\":[]}",
               &pg, zErr) == 0 &&
            pg.zNext && strcmp(pg.zNext, "http://x/1") == 0,
        "keys: meta's first nextPageUrl wins, even after a top-level one");
  sms_page_clear(&pg);
  check(decode("{\"data\":[],\"nextPageUrl\":\"http://x/1\",\"nextPageUrl\":\"http://x/2\"}",
               &pg, zErr) == 0 &&
            pg.zNext && strcmp(pg.zNext, "http://x/1") == 0,
        "keys: of two top-level nextPageUrl the first wins");
  sms_page_clear(&pg);

  check_bad("{\"meta\":{}}", "no \"data\" array", "an envelope without data is an error");
  check_bad("{\"data\":{}}", "no \"data\" array", "data that is not an array is an error");
  check_bad("{\"data\":[{\"a\":1}", "not valid JSON", "a body cut short is an error");
  check_bad("", "empty", "an empty body is an error");
  check_bad("<html>oops</html>", "not valid JSON", "HTML is an error");
  check_bad("[1,{}]", "message 1 of the response is not a JSON object",
            "a message that is not an object is an error");
  check_bad("[{},2", "not valid JSON", "... but broken JSON is reported first");
  check_bad("{\"data\":[]} x", "after its JSON", "trailing bytes are an error");
  check_bad("{\"data\":[],\"nextPageUrl\":5}", "nextPageUrl is not a string",
            "a nextPageUrl that is not a string is an error");
  check_bad("\"text\"", "neither a page object nor an array", "a string is not a page");
  check_bad("[{\"a\":01}]", "not valid JSON", "strict: a leading zero");
  check_bad("[{\"a\":1.}]", "not valid JSON", "strict: no digits after the point");
  check_bad("[{\"a\":\"x\ty\"}]", "control character", "strict: a raw tab in a string");
  check_bad("[{\"a\":\"\\x\"}]", "bad escape", "strict: an unknown escape");
  check_bad("[{\"a\":\"\\ud800\"}]", "surrogate", "strict: a lone surrogate");
  check_bad("[{\"a\":tru}]", "not valid JSON", "strict: a cut literal");
  check_bad("[{\"a\":1,}]", "not valid JSON", "strict: a trailing comma");
  char zDeep[1200];
  memset(zDeep, '[', 600);
  memset(zDeep + 600, ']', 600);
  zDeep[1199] = 0;
  check_bad(zDeep, "nested too deeply", "deep nesting is refused, not a stack overflow");

  /* take_rows and sort_by_date */
  decode("{\"data\":[{\"date\":\"2026-01-02T00:00:00\",\"type\":\"MO\"},"
         "{\"date\":\"2026-01-01T00:00:00\"},{\"date\":\"2026-01-03T00:00:00\"}]}",
         &pg, zErr);
  SmsPage more;
  memset(&more, 0, sizeof(more));
  decode("{\"data\":[{\"date\":\"2026-01-02T00:00:00\",\"body\":\"late\"}]}", &more, zErr);
  check(sms_page_take_rows(&pg, &more) == 0 && pg.nRow == 4 && pg.nBody == 2 &&
            more.nRow == 0 && more.azBody == 0,
        "take_rows moves every row and its body");
  char zBad[64];
  check(sms_page_sort_by_date(&pg, 1) == 0, "sort by date");
  char zOrder[200] = "";
  do {
    sms_page_field(&pg, SMS_F_DATE, &v);
    strncat(zOrder, v.z + 8, 2);
    sms_page_field(&pg, SMS_F_BODY, &v);
    strcat(zOrder, v.eType == SMS_TEXT ? "L " : " ");
  } while (sms_page_next(&pg));
  check(strcmp(zOrder, "03 02 02L 01 ") == 0, "newest first, ties in arrival order");
  if (strcmp(zOrder, "03 02 02L 01 ")) printf("#   got '%s'\n", zOrder);
  check(sms_page_row_hash(&pg, 0) != sms_page_row_hash(&pg, 1) &&
            sms_page_row_hash(&pg, 1) != sms_page_row_hash(&pg, 2),
        "rows hash differently");
  sms_page_clear(&pg);

  /* SQLite's order of the values the date column shows: NULL, numbers (an INTEGER against
  ** a REAL exactly), text by bytes. The expected orders are sqlite3's own for the same
  ** values: ORDER BY d, i and ORDER BY d DESC, i. */
  const char *zMixed =
      "[{\"body\":1,\"date\":\"2026-01-02T00:00:00\"},{\"body\":2,\"date\":null},"
      "{\"body\":3,\"date\":\"soon\"},{\"body\":4,\"date\":5},{\"body\":5,\"date\":1.5},"
      "{\"body\":6},{\"body\":7,\"date\":\"\"},{\"body\":8,\"date\":\"2026-01-01 00:00:00\"},"
      "{\"body\":9,\"date\":\"2026-02-30T10:00:00\"},{\"body\":10,\"date\":true},"
      "{\"body\":11,\"date\":\"2026-01-01\"},{\"body\":12,\"date\":[1]},"
      "{\"body\":13,\"date\":\"2026-01-01T00:00:00Z\"},{\"body\":14,\"date\":\"2026-01-01t00:"
      "00:00\"},"
      "{\"body\":15,\"date\":-3},{\"body\":16,\"date\":9007199254740993},"
      "{\"body\":17,\"date\":9007199254740993.0}]";
  for (int bDesc = 0; bDesc < 2; bDesc++) {
    const char *zWant = bDesc ? "3 9 1 14 8 13 11 7 16 17 4 5 10 15 2 6 12 "
                              : "2 6 12 15 10 5 4 17 16 7 11 8 13 14 1 9 3 ";
    check(decode(zMixed, &pg, zErr) == 0 && sms_page_sort_by_date(&pg, bDesc) == 0,
          "sort: NULL, numbers, text that is not a date");
    zOrder[0] = 0;
    do {
      sms_page_field(&pg, SMS_F_BODY, &v);
      snprintf(zOrder + strlen(zOrder), sizeof(zOrder) - strlen(zOrder), "%lld ", v.iVal);
    } while (sms_page_next(&pg));
    check(strcmp(zOrder, zWant) == 0,
          bDesc ? "sort: ORDER BY date DESC as SQLite orders the shown values"
                : "sort: ORDER BY date as SQLite orders the shown values");
    if (strcmp(zOrder, zWant)) printf("#   got '%s'\n", zOrder);
    sms_page_clear(&pg);
  }

  /* SmsOrder: sub-windows handed out as one order. */
  SmsOrder *pOrd = 0;
  check(sms_order_new(&pOrd, 1) == 0, "order: new, descending");
  /* sub-window [2026-06-30, now): "zzz" sorts above every date (first), 2026-06-15 and NULL
  ** below the sub-window (held back) */
  decode("[{\"date\":\"2026-06-30T10:00:00\"},{\"date\":null},{\"date\":\"2026-06-15\"},"
         "{\"date\":\"zzz\"}]",
         &pg, zErr);
  check(sms_order_step(pOrd, &pg, "2026-06-30 00:00:00", 0, zBad) == 0 &&
            !strcmp(page_dates(&pg), "zzz|2026-06-30 10:00:00|"),
        "order: a sub-window hands out what no later row can precede");
  decode("[{\"date\":\"2026-06-25T00:00:00\"},{\"date\":7}]", &pg, zErr);
  check(sms_order_step(pOrd, &pg, "2026-06-20 00:00:00", 0, zBad) == 0 &&
            !strcmp(page_dates(&pg), "2026-06-25 00:00:00|"),
        "order: rows held back stay back while they sort below the sub-window");
  decode("[{\"date\":\"2026-06-01T00:00:00\"}]", &pg, zErr);
  check(sms_order_step(pOrd, &pg, "2026-05-01 00:00:00", 1, zBad) == 0 &&
            !strcmp(page_dates(&pg), "2026-06-15|2026-06-01 00:00:00|7|NULL|"),
        "order: the last sub-window hands out every row held back, in place");
  sms_page_clear(&pg);
  sms_order_free(pOrd);

  check(sms_order_new(&pOrd, 1) == 0, "order: new");
  decode("[{\"date\":\"2026-06-30T10:00:00\"}]", &pg, zErr);
  sms_order_step(pOrd, &pg, "2026-06-30 00:00:00", 0, zBad);
  decode("[{\"date\":\"2026-06-29T10:00:00\"},{\"date\":\"zzz\"}]", &pg, zErr);
  check(sms_order_step(pOrd, &pg, "2026-06-29 00:00:00", 0, zBad) == SMS_ERROR &&
            !strcmp(zBad, "'zzz'"),
        "order: descending, a text above rows already handed out is refused, named");
  sms_page_clear(&pg);
  sms_order_free(pOrd);

  check(sms_order_new(&pOrd, 0) == 0, "order: new, ascending");
  decode("[{\"date\":\"2026-06-01T10:00:00\"},{\"date\":3}]", &pg, zErr);
  check(sms_order_step(pOrd, &pg, "2026-06-02 00:00:00", 0, zBad) == 0 &&
            !strcmp(page_dates(&pg), "3|2026-06-01 10:00:00|"),
        "order: ascending, numbers of the first sub-window come first");
  decode("[{\"date\":\"2026-06-02T10:00:00\"},{}]", &pg, zErr);
  check(sms_order_step(pOrd, &pg, "2026-06-03 00:00:00", 0, zBad) == SMS_ERROR &&
            !strcmp(zBad, "missing (NULL)"),
        "order: ascending, a NULL after rows were handed out is refused");
  sms_page_clear(&pg);
  sms_order_free(pOrd);

  check(sms_order_new(&pOrd, 1) == 0, "order: new, for undated rows sent twice");
  const char *azSub[] = {
      "[{\"body\":\"a\"},{\"body\":\"a\"},{\"body\":\"b\"},{\"date\":\"2026-06-30T00:00:01\"}]",
      "[{\"body\":\"a\"},{\"body\":\"c\"},{\"date\":\"2026-06-30T00:00:01\"}]",
      "[{\"body\" : \"a\"},{\"body\":\"c\"},{\"body\":\"c\"}]"};
  zOrder[0] = 0;
  for (int i = 0; i < 3; i++) {
    decode(azSub[i], &pg, zErr);
    check(sms_order_step(pOrd, &pg, i == 0 ? "2026-06-30 00:00:00" : "2026-06-29 00:00:00",
                         i == 2, zBad) == 0,
          "order: a step");
    for (int j = 0; j < pg.nRow; j++) {
      sms_page_row_field(&pg, j, SMS_F_BODY, &v);
      size_t n = strlen(zOrder);
      zOrder[n] = v.eType == SMS_TEXT ? v.z[0] : 'd';
      zOrder[n + 1] = 0;
    }
  }
  check(strcmp(zOrder, "ddaabacacc") == 0,
        "order: undated rows come last, every one it is given (which copies the scan hands "
        "out is sms_seen's business)");
  if (strcmp(zOrder, "ddaabacacc")) printf("#   got '%s'\n", zOrder);
  sms_page_clear(&pg);
  sms_order_free(pOrd);
  decode("[{\"a\":1}, {\"a\" : 1}]", &pg, zErr);
  check(sms_page_row_hash(&pg, 0) == sms_page_row_hash(&pg, 1),
        "whitespace does not change a row's hash");
  sms_page_clear(&pg);

  /* Strings are scanned 8 bytes at a time: a quote, a backslash or a control byte at every
  ** position of a block, after ASCII or after bytes >= 0x80, and at the body's very end. */
  int nBlockOk = 0;
  for (int iAt = 0; iAt < 17; iAt++) {
    for (int bHigh = 0; bHigh < 2; bHigh++) {
      char zBody[64], zJson[256], zWant[256];
      for (int i = 0; i < iAt; i++)
        zBody[i] = bHigh ? "\xc3\xa9"[i % 2] : (char)('a' + i);
      zBody[iAt] = 0;
      const char *zPre = "[{\"body\":\"";
      int bOk = 1;
      /* the string ends at iAt: the body has exactly iAt bytes */
      snprintf(zJson, sizeof(zJson), "%s%s\"}]", zPre, zBody);
      snprintf(zWant, sizeof(zWant), "TEXT %s", zBody);
      bOk &= decode(zJson, &pg, zErr) == 0 && strcmp(field(&pg, SMS_F_BODY), zWant) == 0;
      /* an escape at iAt is decoded, and what follows it scanned */
      snprintf(zJson, sizeof(zJson), "%s%s\\n%sxyz\"}]", zPre, zBody, zBody);
      snprintf(zWant, sizeof(zWant), "TEXT %s\n%sxyz", zBody, zBody);
      bOk &= decode(zJson, &pg, zErr) == 0 && strcmp(field(&pg, SMS_F_BODY), zWant) == 0;
      /* a control byte at iAt (0x01, 0x1f) is refused, 0x20 and 0x7f are not */
      for (int c = 1; c < 0x80; c += (c == 1 ? 0x1e : c == 0x1f ? 1 : 0x5f)) {
        snprintf(zJson, sizeof(zJson), "%s%s%c12345678\"}]", zPre, zBody, c);
        int rc = decode(zJson, &pg, zErr);
        bOk &= c < 0x20 ? rc != 0 && strstr(zErr, "control character") != 0 : rc == 0;
      }
      /* a string cut short at iAt */
      snprintf(zJson, sizeof(zJson), "%s%s", zPre, zBody);
      bOk &= decode(zJson, &pg, zErr) != 0 && strstr(zErr, "not closed") != 0;
      nBlockOk += bOk;
      sms_page_clear(&pg);
    }
  }
  check(nBlockOk == 34, "strings: quote, escape, control byte and end at every offset");

  /* SipHash-2-4: the reference vectors of the paper (key 00..0f, messages 00..n-1). */
  unsigned char aMsg[16];
  for (int i = 0; i < 16; i++)
    aMsg[i] = (unsigned char)i;
  unsigned long long iK0 = 0x0706050403020100ULL, iK1 = 0x0f0e0d0c0b0a0908ULL;
  check(sms_siphash(iK0, iK1, aMsg, 0) == 0x726fdb47dd0e0e31ULL &&
            sms_siphash(iK0, iK1, aMsg, 8) == 0x93f5f5799a932462ULL &&
            sms_siphash(iK0, iK1, aMsg, 15) == 0xa129ca6149be45e5ULL,
        "siphash: the reference vectors (0, 8 and 15 bytes)");

  /* Identity: type, date and number in clear; the hash covers them and the body exactly,
  ** and nothing else. */
  SmsIdentity aId[8];
  decode("[{\"type\":\"MT\",\"date\":\"2026-06-30T11:59:58\",\"number\":15551234567,"
         "\"body\":\"Hi \\u00e9\",\"deliveryStatus\":\"Sent\",\"network\":null},"
         "{\"network\":\"AT&T\",\"body\":\"Hi \xc3\xa9\",\"number\":\"15551234567\","
         "\"deliveryStatus\":\"Delivered\",\"campaignName\":\"x\",\"programName\":\"y\","
         "\"date\":\"2026-06-30 11:59:58\",\"type\":\"MT\"},"
         "{\"type\":\"MT\",\"date\":\"2026-06-30T11:59:58\",\"number\":15551234567,"
         "\"body\":\"Hi e\"},"
         "{\"type\":\"MO\",\"date\":\"2026-06-30T11:59:58\",\"number\":15551234567,"
         "\"body\":\"Hi \xc3\xa9\"},"
         "{\"type\":\"MT\",\"date\":\"2026-06-30T11:59:58\",\"number\":15551234567},"
         "{\"type\":\"MT\",\"date\":\"2026-06-30T11:59:58\",\"number\":15551234567,"
         "\"body\":\"\"},"
         "{\"type\":\"sms\",\"date\":\"soon\",\"number\":\"+1 555\",\"body\":\"\"},"
         "{\"type\":\"sms\",\"date\":\"later\",\"number\":\"+1 555\",\"body\":\"\"}]",
         &pg, zErr);
  int bIdOk = pg.nRow == 8;
  for (int i = 0; bIdOk && i < 8; i++)
    bIdOk = sms_page_row_identity(&pg, i, &aId[i]) == 0;
  check(bIdOk, "identity of eight rows");
  check(strcmp(aId[0].zClear, "MT/2026-06-30 11:59:58/15551234567") == 0,
        "identity: type, date and number in clear, in the table's forms");
  check(strcmp(aId[1].zClear, aId[0].zClear) == 0 && aId[1].iHash == aId[0].iHash,
        "identity: the same whatever the status, network, names, key order, escapes, "
        "number as a string or date with T");
  check(aId[2].iHash != aId[0].iHash, "identity: another body, another hash");
  check(strcmp(aId[3].zClear, "MO/2026-06-30 11:59:58/15551234567") == 0 &&
            aId[3].iHash != aId[0].iHash,
        "identity: another type, another hash");
  check(aId[4].iHash != aId[5].iHash, "identity: no body and an empty body differ");
  check(strcmp(aId[6].zClear, "?/?/?") == 0 && strcmp(aId[7].zClear, "?/?/?") == 0 &&
            aId[6].iHash != aId[7].iHash,
        "identity: odd values show as ?, and the hash still tells them apart");
  sms_page_clear(&pg);

  char zText[200];
  const char *zError = "{\"meta\":{\"generalErrors\":[\"bad date\",{\"message\":\"obj\"}],"
                       "\"fieldErrors\":{\"startDate\":\"use YYYY\"}},\"data\":[]}";
  sms_page_error_text(zError, strlen(zError), zText, sizeof(zText));
  check(strcmp(zText, "bad date; obj; startDate: use YYYY") == 0, "error details joined");
  zError =
      "{\"meta\":{\"generalErrors\":[\"too old\"],\"fieldErrors\":{\"startDate\":\"too old\","
      "\"endDate\":\"too late\"}}}";
  sms_page_error_text(zError, strlen(zError), zText, sizeof(zText));
  check(strcmp(zText, "too old; endDate: too late") == 0,
        "a field error that repeats a general one is said once");
  check(sms_page_error_text("nope", 4, zText, sizeof(zText)) == 0 && zText[0] == 0,
        "no details from a body that is not JSON");
  /* The next page's URL from the head of a body, before the messages (sent ahead). */
  check_str(peek("{\"meta\":{\"nextPageUrl\":\"http://h/a?page=2\"},\"data\":[{\"x\":"), "-",
            "peek: a body cut short gives nothing (it would cost a request for nothing)");
  check_str(peek("{\"meta\":{\"attributes\":{},\"generalErrors\":[],\"nextPageUrl\":"
                 "\"http://h/a?page=2\"},\"data\":[{\"x\":1}]} \n"),
            "http://h/a?page=2", "peek: meta before data names the next page");
  check_str(peek("{\"meta\":{\"nextPageUrl\":\"http:\\/\\/h\\/a?page=2\"},\"data\":[]}"),
            "http://h/a?page=2", "peek: the URL is unescaped as the decoder reads it");
  check_str(peek("{\"meta\":{\"nextPageUrl\":\"http://h/1\",\"nextPageUrl\":\"http://h/2\"},"
                 "\"data\":[]}"),
            "http://h/1", "peek: the first of repeated keys, as the decoder");
  check_str(peek("{\"meta\":{\"nextPageUrl\":null},\"data\":[]}"), "-",
            "peek: a null nextPageUrl is no next page");
  check_str(peek("{\"meta\":{\"nextPageUrl\":\"\"},\"data\":[]}"), "-",
            "peek: an empty nextPageUrl is no next page");
  check_str(peek("{\"data\":[],\"meta\":{\"nextPageUrl\":\"http://h/2\"}}"), "-",
            "peek: data before meta: not known without reading the messages");
  check_str(peek("{\"nextPageUrl\":\"http://h/2\",\"data\":[]}"), "-",
            "peek: a top-level nextPageUrl alone: a later meta could still win");
  check_str(peek("{\"meta\":{},\"nextPageUrl\":\"http://h/2\",\"data\":[]}"), "-",
            "peek: meta without one: the top-level one is left to the decoder");
  check_str(peek("[{\"x\":1}]"), "-", "peek: a bare array has no next page");
  check_str(peek("{\"meta\":{\"nextPageUrl\":\"http://h/a\\u0000b\"},\"data\":[]}"), "-",
            "peek: a URL with a NUL is none, as the decoder reads it");

  /* A nextPageUrl that decodes to hold a NUL points on, but to no URL: not a last page. */
  check_bad("{\"meta\":{\"nextPageUrl\":\"http://h/a\\u0000b\"},\"data\":[{}]}",
            "the response's nextPageUrl holds a NUL byte (\\u0000)",
            "a nextPageUrl holding \\u0000 is a bad page, not the last one");
  check_bad("{\"nextPageUrl\":\"\\u0000\",\"data\":[]}", "nextPageUrl holds a NUL byte",
            "... at the top level too");
  check(decode("{\"meta\":{\"nextPageUrl\":\"\"},\"data\":[]}", &pg, zErr) == 0 &&
            pg.zNext == 0,
        "... while \"\" is the last page");
  sms_page_clear(&pg);

  /* The most rows a page may have (sms_page_decode_max): pageSize + a tenth + 10, and for a
  ** bare array one per 32 bytes if that is more. The decoder stops at the first element
  ** past the limit, object or not, whatever follows (here, no valid JSON). */
  check(SMS_PAGE_MAX_ROWS(500) == 560 && SMS_PAGE_MAX_ROWS(1) == 11,
        "max rows: pageSize + a tenth + 10");
  char zMany[4096];
  size_t nMany = (size_t)snprintf(zMany, sizeof(zMany), "{\"data\":[{}");
  for (int i = 1; i < 11; i++)
    nMany += (size_t)snprintf(zMany + nMany, sizeof(zMany) - nMany, ",{}");
  snprintf(zMany + nMany, sizeof(zMany) - nMany, "]}");
  check(sms_page_decode_max(zMany, strlen(zMany), 1, &pg, zErr, 300) == SMS_OK && pg.nRow == 11,
        "max rows: 11 messages for pageSize=1, the limit");
  sms_page_clear(&pg);
  snprintf(zMany + nMany, sizeof(zMany) - nMany, ",{}]}");
  check(sms_page_decode_max(zMany, strlen(zMany), 1, &pg, zErr, 300) == SMS_TOOBIG &&
            pg.nRow == 0 && pg.azBody == 0 &&
            strcmp(zErr,
                   "holds more than 11 messages, the most a page of pageSize=1 may hold") == 0,
        "max rows: one more is SMS_TOOBIG, nothing kept, the limit named");
  sms_page_clear(&pg);
  check(sms_page_decode_max(zMany, strlen(zMany), 0, &pg, zErr, 300) == SMS_OK && pg.nRow == 12,
        "max rows: pageSize 0, no limit");
  sms_page_clear(&pg);
  const char *zCut = "{\"data\":[1,{},2,3,4,5,6,7,8,9,10,11,12,garbage";
  check(sms_page_decode_max(zCut, strlen(zCut), 1, &pg, zErr, 300) == SMS_TOOBIG,
        "max rows: stops at the element past the limit, before reading further");
  sms_page_clear(&pg);
  /* Bare arrays: 20 messages of 40 bytes may come for pageSize=1; 20 "{}" may not. */
  nMany = (size_t)snprintf(zMany, sizeof(zMany), "[");
  for (int i = 0; i < 20; i++)
    nMany += (size_t)snprintf(zMany + nMany, sizeof(zMany) - nMany,
                              "%s{\"type\":\"MO\",\"body\":\"0123456789ab\"}", i ? "," : "");
  snprintf(zMany + nMany, sizeof(zMany) - nMany, "]");
  check(sms_page_decode_max(zMany, strlen(zMany), 1, &pg, zErr, 300) == SMS_OK && pg.nRow == 20,
        "max rows: a bare array, one message per 32 bytes or fewer: the whole answer");
  sms_page_clear(&pg);
  const char *zBare = "[{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}]";
  check(sms_page_decode_max(zBare, strlen(zBare), 1, &pg, zErr, 300) == SMS_TOOBIG &&
            strcmp(zErr,
                   "holds more than 11 messages, the most a page of pageSize=1 may hold") == 0,
        "max rows: a bare array of 20 \"{}\" for pageSize=1: too many");
  sms_page_clear(&pg);

  return tap_done();
}
