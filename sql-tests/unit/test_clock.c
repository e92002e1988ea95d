/*
** test_clock.c: unit tests of sms_clock.c, each server's clock learned from its Date.
**
** The client's clock is fixed with SMS_EXPORT_NOW, as the extension's tests do, so the
** offsets are exact. Prints "ok - ..." / "not ok - ..." lines.
*/
#include "sms_clock.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_time(sms_time got, sms_time want, const char *zDesc) {
  check(got == want, zDesc);
  if (got != want) printf("#   got %lld, want %lld\n", got, want);
}

int main(void) {
  const char *zA = "https://api.example.com/api";
  const char *zB = "http://127.0.0.1:8080/api";
  char zUrl[64];
  setenv("SMS_EXPORT_NOW", "2026-06-30T12:00:00", 1);
  sms_time now = sms_time_now();

  check_time(sms_clock_known(zA), 0, "no answer yet: the clock is unknown");
  check_time(sms_clock_now(zA), now, "... and the server's now is the client's");
  check_time(sms_retention_edge(zA), now - SMS_RETENTION + SMS_RETENTION_MARGIN,
             "... and so is the edge");

  sms_clock_learn("https://API.example.com:443/api/messages/program/1?page=2", now + 600);
  check_time(sms_clock_known(zA), 1, "a Date from the same origin (any path, case) counts");
  check_time(sms_clock_now(zA), now + 600, "a server 10 minutes ahead");
  check_time(sms_retention_edge(zA), now + 600 - SMS_RETENTION + SMS_RETENTION_MARGIN,
             "... moves the edge 10 minutes later");
  check_time(sms_clock_now(zB), now, "another origin keeps the client's clock");
  check_time(sms_clock_now("http://api.example.com/api"), now, "http is another origin");

  sms_clock_learn(zB, now - 600);
  check_time(sms_clock_now(zB), now - 600, "a server 10 minutes behind");
  check_time(sms_clock_now(zA), now + 600, "... the first origin keeps its own");
  sms_clock_learn(zB, now - 3);
  check_time(sms_clock_now(zB), now - 3, "the last answer wins (a drifting clock)");

  /* SMS_EXPORT_NOW is set (the user says what time it is): a day at most is followed. */
  sms_clock_learn(zB, now + SMS_CLOCK_FIXED_SKEW + 1);
  check_time(sms_clock_now(zB), now - 3,
             "SMS_EXPORT_NOW set: a Date more than a day ahead is ignored");
  sms_clock_learn(zB, now - SMS_CLOCK_FIXED_SKEW - 1);
  check_time(sms_clock_now(zB), now - 3, "... and more than a day behind");
  sms_clock_learn(zB, now + SMS_CLOCK_FIXED_SKEW);
  check_time(sms_clock_now(zB), now + SMS_CLOCK_FIXED_SKEW, "... a day exactly is followed");
  sms_clock_learn(zB, now - 3);
  /* Without it, the server's clock is followed up to five years away (a server set months
  ** back holds the year before its own now); further is garbage. Learned from our real
  ** clock, so the offsets are checked, not the times. */
  char *zFixed = strdup(getenv("SMS_EXPORT_NOW"));
  unsetenv("SMS_EXPORT_NOW");
  sms_time iReal = sms_time_now();
  sms_clock_learn(zB, iReal - 159 * SMS_DAY);
  sms_time iOff = sms_clock_now(zB) - sms_time_now(); /* a second may tick in between */
  check(iOff >= -159 * SMS_DAY - 2 && iOff <= -159 * SMS_DAY + 2,
        "no SMS_EXPORT_NOW: a Date 159 days behind is followed");
  sms_clock_learn(zB, iReal + SMS_CLOCK_MAX_SKEW + 10);
  iOff = sms_clock_now(zB) - sms_time_now();
  check(iOff >= -159 * SMS_DAY - 2 && iOff <= -159 * SMS_DAY + 2,
        "... one over five years ahead is not");
  setenv("SMS_EXPORT_NOW", zFixed, 1);
  free(zFixed);
  sms_clock_learn(zB, now - 3);
  sms_clock_learn("not a url", now + 60);
  check_time(sms_clock_known("not a url"), 0, "no origin, nothing learned");

  setenv("SMS_EXPORT_NOW", "2026-06-30T13:00:00", 1);
  check_time(sms_clock_now(zA), now + 3600 + 600,
             "the offset applies to whatever the client's clock says");

  /* More origins than the table holds: the one learned longest ago gives way. */
  sms_clock_learn(zA, sms_time_now() + 600);
  for (int i = 0; i < 16; i++) {
    snprintf(zUrl, sizeof(zUrl), "http://10.0.0.%d/api", i);
    sms_clock_learn(zUrl, sms_time_now() + i);
  }
  check_time(sms_clock_known(zA), 0, "17 origins: the oldest is forgotten");
  check_time(sms_clock_now("http://10.0.0.15/api"), sms_time_now() + 15, "the newest is kept");
  check_time(sms_clock_now("http://10.0.0.0/api"), sms_time_now(), "and the first of them");
  sms_clock_reset();
  check_time(sms_clock_known("http://10.0.0.15/api"), 0, "reset forgets all");

  /* What is said of a far clock: rounded to the unit a person would use. */
  struct {
    sms_time iOffset;
    const char *zSpan;
  } aSpan[] = {{-159 * SMS_DAY + 2, "159 days behind"},
               {2 * SMS_DAY - 1, "48 hours ahead of"},
               {-7200, "2 hours behind"},
               {7199, "120 minutes ahead of"},
               {601, "10 minutes ahead of"},
               {-329, "5 minutes behind"}};
  for (size_t i = 0; i < sizeof(aSpan) / sizeof(aSpan[0]); i++) {
    char zOut[300], zWant[300];
    sms_clock_describe("http://h:80", aSpan[i].iOffset, now, zOut, sizeof(zOut));
    snprintf(zWant, sizeof(zWant),
             "the clock of http://h:80 is %s this machine's (it said 2026-06-30 12:00:00 UTC): "
             "the API counts its year on its own clock, so the scan's window follows it",
             aSpan[i].zSpan);
    check(strcmp(zOut, zWant) == 0, aSpan[i].zSpan);
    if (strcmp(zOut, zWant) != 0) printf("#   got %s\n", zOut);
  }

  /* Said only when far, and never with SMS_EXPORT_NOW set. */
  char zOrigin[300];
  sms_time iFar = 0;
  sms_clock_learn(zB, sms_time_now() - 3 * SMS_DAY);
  check_time(sms_clock_far(zB, &iFar, zOrigin, sizeof(zOrigin)), 0,
             "SMS_EXPORT_NOW set: no clock is far (and three days is not followed)");
  zFixed = strdup(getenv("SMS_EXPORT_NOW"));
  unsetenv("SMS_EXPORT_NOW");
  sms_clock_learn(zB, sms_time_now() - 3 * SMS_DAY);
  check_time(sms_clock_far(zB, &iFar, zOrigin, sizeof(zOrigin)), 1,
             "no SMS_EXPORT_NOW: three days behind is far");
  check(iFar >= -3 * SMS_DAY - 2 && iFar <= -3 * SMS_DAY + 2, "... by three days");
  check(strcmp(zOrigin, "http://127.0.0.1:8080") == 0, "... at its origin");
  sms_clock_learn(zB, sms_time_now() + SMS_CLOCK_SAY);
  check_time(sms_clock_far(zB, &iFar, zOrigin, sizeof(zOrigin)), 0,
             "five minutes ahead is not far");
  setenv("SMS_EXPORT_NOW", zFixed, 1);
  free(zFixed);
  return tap_done();
}
