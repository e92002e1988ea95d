/*
** window_oracle.h: how SQLite compares a date column with a constraint's TEXT value,
** written out independently of ext/sms_window.c, so that tests can judge its windows.
**
** Shared by the unit test (sql-tests/unit/test_window.c) and the fuzzer
** (sql-tests/fuzz/fuzz_window.c): a pushed-down window is sound when every canonical date
** D ("YYYY-MM-DD HH:MM:SS") for which `D OP value` holds lies inside it.
*/
#ifndef WINDOW_ORACLE_H
#define WINDOW_ORACLE_H

#include <stddef.h>
#include <string.h>

#include "sms_window.h"

/* A canonical date's shape: '0' stands for a digit, anything else for itself. */
static const char zOracleTemplate[] = "0000-00-00 00:00:00";

/* SQLite's BINARY collation: memcmp over the shorter length, then the shorter is less. */
static inline int oracle_text_cmp(const char *a, size_t na, const char *b, size_t nb) {
  int c = memcmp(a, b, na < nb ? na : nb);
  return c ? c : (na < nb ? -1 : na > nb);
}

/* Whether `A OP B` holds, given c = the comparison of A with B. */
static inline int oracle_op_holds(SmsOp op, int c) {
  switch (op) {
  case SMS_OP_EQ:
    return c == 0;
  case SMS_OP_LT:
    return c < 0;
  case SMS_OP_LE:
    return c <= 0;
  case SMS_OP_GT:
    return c > 0;
  default:
    return c >= 0;
  }
}

/* Whether `zD OP z` holds in SQLite, zD being a canonical date (19 bytes). */
static inline int oracle_holds(const char *zD, SmsOp op, const char *z, size_t n) {
  return oracle_op_holds(op, oracle_text_cmp(zD, 19, z, n));
}

/* How many leading bytes of z (n bytes) have the shape of a canonical date: 19 for a whole
** one, fewer for a prefix of one, or where the value stops looking like a date. */
static inline size_t oracle_date_prefix(const char *z, size_t n) {
  size_t k = 0;
  while (
      k < n && k < 19 &&
      (zOracleTemplate[k] == '0' ? (z[k] >= '0' && z[k] <= '9') : z[k] == zOracleTemplate[k]))
    k++;
  return k;
}

#endif /* WINDOW_ORACLE_H */
