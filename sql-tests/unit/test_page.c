/*
** test_page.c: unit tests of sms_page.c, the page decoder (the tolerant reader of api.md).
** Prints "ok - ..." / "not ok - ..." lines.
*/
#include "sms_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nFail = 0;

static void check(int bOk, const char *zDesc) {
  printf("%s - %s\n", bOk ? "ok" : "not ok", zDesc);
  if (!bOk) nFail++;
}

/* One field of the current row, rendered as text for comparison. */
static const char *field(const SmsPage *p, SmsField e) {
  static char z[2048];
  SmsValue v;
  sms_row_field(p->pCur, e, &v);
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

static void check_field(const SmsPage *p, SmsField e, const char *zWant, const char *zDesc) {
  const char *zGot = field(p, e);
  check(strcmp(zGot, zWant) == 0, zDesc);
  if (strcmp(zGot, zWant)) printf("#   got '%s', want '%s'\n", zGot, zWant);
}

static int decode(const char *z, SmsPage *p, char *zErr) {
  return sms_page_decode(z, strlen(z), p, zErr, 300);
}

int main(void) {
  SmsPage pg;
  char zErr[300];

  const char *zEnvelope =
      "{\"meta\":{\"attributes\":{},\"generalErrors\":[],\"fieldErrors\":{},"
      "\"nextPageUrl\":\"http://x/api/messages/program/1?page=2\"},\"data\":["
      "{\"campaignName\":\"Default Campaign\",\"programName\":\"Spring\","
      "\"programType\":\"Text to Join\",\"type\":\"MO\",\"deliveryStatus\":\"Received\","
      "\"number\":15551234567,\"body\":\"JOIN \\\"now\\\" \\ud83d\\ude00\","
      "\"date\":\"2012-05-08T11:56:05\",\"network\":null,\"extra\":[1,2]},"
      "{\"number\":\"0015551234567\",\"date\":\"soon\",\"network\":\"AT&T\"}]}";
  check(decode(zEnvelope, &pg, zErr) == 0, "envelope decodes");
  check(pg.nRow == 2, "envelope: two rows");
  check(pg.zNext && strcmp(pg.zNext, "http://x/api/messages/program/1?page=2") == 0,
        "envelope: nextPageUrl from meta");
  check_field(&pg, SMS_F_NUMBER, "INT 15551234567", "number as a JSON number");
  check_field(&pg, SMS_F_DATE, "TEXT 2012-05-08 11:56:05", "date in SQLite's form");
  check_field(&pg, SMS_F_BODY, "TEXT JOIN \"now\" \xf0\x9f\x98\x80", "body byte-exact UTF-8");
  check_field(&pg, SMS_F_NETWORK, "NULL", "network null is NULL");
  check_field(&pg, SMS_F_PROGRAM_TYPE, "TEXT Text to Join", "programType");
  char *zRaw = sms_row_json(pg.pCur);
  check(zRaw && strstr(zRaw, "\"extra\":[1,2]") && !strchr(zRaw, '\n'),
        "raw keeps unknown fields, compact");
  free(zRaw);
  check(sms_page_next(&pg) == 1, "second row");
  check_field(&pg, SMS_F_NUMBER, "INT 15551234567", "number as a string of digits");
  check_field(&pg, SMS_F_DATE, "TEXT soon", "a date that is not a date is kept as it is");
  check_field(&pg, SMS_F_BODY, "NULL", "a missing field is NULL");
  check_field(&pg, SMS_F_NETWORK, "TEXT AT&T", "network text");
  check(sms_page_next(&pg) == 0 && pg.pCur == 0, "end of page");
  sms_page_clear(&pg);

  check(decode("{\"nextPageUrl\":\"http://x/2\",\"data\":[]}", &pg, zErr) == 0 &&
            pg.nRow == 0 && pg.zNext && strcmp(pg.zNext, "http://x/2") == 0,
        "nextPageUrl at the top level");
  sms_page_clear(&pg);
  check(decode("[{\"type\":\"MT\"}]", &pg, zErr) == 0 && pg.nRow == 1 && pg.zNext == 0,
        "a bare array is one last page");
  check_field(&pg, SMS_F_TYPE, "TEXT MT", "bare array row");
  sms_page_clear(&pg);
  check(decode("{\"meta\":{\"nextPageUrl\":null},\"data\":[]}", &pg, zErr) == 0 &&
            pg.zNext == 0,
        "nextPageUrl null is the last page");
  sms_page_clear(&pg);

  check(decode("{\"meta\":{}}", &pg, zErr) != 0 && strstr(zErr, "no \"data\" array"),
        "an envelope without data is an error");
  check(decode("{\"data\":[{\"a\":1}", &pg, zErr) != 0 && strstr(zErr, "not valid JSON"),
        "a body cut short is an error");
  check(decode("", &pg, zErr) != 0 && strstr(zErr, "empty"), "an empty body is an error");
  check(decode("<html>oops</html>", &pg, zErr) != 0, "HTML is an error");
  check(decode("[1,2]", &pg, zErr) != 0 && strstr(zErr, "message 1"),
        "a message that is not an object is an error");
  check(decode("{\"data\":[]} x", &pg, zErr) != 0 && strstr(zErr, "after its JSON"),
        "trailing bytes are an error");
  check(decode("{\"data\":[],\"nextPageUrl\":5}", &pg, zErr) != 0,
        "a nextPageUrl that is not a string is an error");

  /* sms_page_field: the current row's fields, looked up once per row */
  check(decode("{\"data\":[{\"date\":\"2026-01-02T00:00:00\",\"type\":\"MO\",\"type\":\"MT\"},"
               "{\"date\":\"2026-01-01T00:00:00\"},{\"date\":\"2026-01-03T00:00:00\"}]}",
               &pg, zErr) == 0,
        "a page of three dated rows");
  SmsValue v;
  sms_page_field(&pg, SMS_F_TYPE, &v);
  check(v.eType == SMS_TEXT && strcmp(v.z, "MO") == 0,
        "page field: the first of a repeated key");
  sms_page_next(&pg);
  sms_page_field(&pg, SMS_F_TYPE, &v);
  check(v.eType == SMS_NULL, "page field: the next row's own fields, not the cached ones");
  SmsPage more;
  decode("{\"data\":[{\"date\":\"2026-01-02T00:00:00\",\"body\":\"late\"}]}", &more, zErr);
  sms_page_take_rows(&pg, &more);
  check(pg.nRow == 4 && more.pRoot == 0, "take_rows moves every row");
  const char *zBad = 0;
  check(sms_page_sort_by_date(&pg, 1, &zBad) == 0, "sort by date");
  char zOrder[200] = "";
  do {
    sms_page_field(&pg, SMS_F_DATE, &v);
    strncat(zOrder, v.z + 8, 2);
    sms_page_field(&pg, SMS_F_BODY, &v);
    strcat(zOrder, v.eType == SMS_TEXT ? "L " : " ");
  } while (sms_page_next(&pg));
  check(strcmp(zOrder, "03 02 02L 01 ") == 0, "newest first, ties in arrival order");
  if (strcmp(zOrder, "03 02 02L 01 ")) printf("#   got '%s'\n", zOrder);
  sms_page_clear(&pg);
  decode("[{\"date\":\"soon\"}]", &pg, zErr);
  check(sms_page_sort_by_date(&pg, 0, &zBad) == SMS_PAGE_UNDATED && zBad &&
            !strcmp(zBad, "soon"),
        "a row without a real date cannot be sorted");
  sms_page_clear(&pg);

  char zText[200];
  const char *zError = "{\"meta\":{\"generalErrors\":[\"bad date\",{\"message\":\"obj\"}],"
                       "\"fieldErrors\":{\"startDate\":\"use YYYY\"}},\"data\":[]}";
  sms_page_error_text(zError, strlen(zError), zText, sizeof(zText));
  check(strcmp(zText, "bad date; obj; startDate: use YYYY") == 0, "error details joined");
  check(sms_page_error_text("nope", 4, zText, sizeof(zText)) == 0 && zText[0] == 0,
        "no details from a body that is not JSON");
  return nFail != 0;
}
