/*
** tap.h: the checks of the C unit tests in sql-tests/unit/, one line each, "ok - DESC" or
** "not ok - DESC" (with "#   " lines saying why), which sql-tests/run.sh counts.
**
** Header only: each test is one program that includes it once and ends with
** `return tap_done();`, non-zero when a check failed.
*/
#ifndef TAP_H
#define TAP_H

#include <stdio.h>
#include <string.h>

static int nTapFail = 0; /* checks that failed so far */

/* One TAP line: DESC passes when bOk. */
static inline void check(int bOk, const char *zDesc) {
  printf("%s - %s\n", bOk ? "ok" : "not ok", zDesc);
  if (!bOk) nTapFail++;
}

/* Passes when the two strings are equal; shows both when not. */
static inline void check_str(const char *zGot, const char *zWant, const char *zDesc) {
  int bOk = strcmp(zGot, zWant) == 0;
  check(bOk, zDesc);
  if (!bOk) printf("#   got '%s', want '%s'\n", zGot, zWant);
}

/* What main returns: 0 when every check passed. */
static inline int tap_done(void) {
  return nTapFail != 0;
}

#endif /* TAP_H */
