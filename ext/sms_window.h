/*
** sms_window.h: dates, and the date window a query needs from the API.
**
** Boundary: pure C, no SQLite and no network. The vtab hands in each pushed-down
** `date OP value` constraint as text; this layer narrows an SmsWindow so that it always
** holds every row SQLite's own TEXT comparison would accept, and turns the window into the
** startDate/endDate the API takes, clamped to what the API serves.
*/
#ifndef SMS_WINDOW_H
#define SMS_WINDOW_H

#include "sms_rc.h"

#include <stddef.h>

typedef long long sms_time; /* seconds since 1970-01-01 00:00:00 UTC */

/* The range of YYYY-MM-DD HH:MM:SS: a window bound past either end is no bound. */
#define SMS_TIME_MIN (-62167219200LL) /* 0000-01-01 00:00:00 */
#define SMS_TIME_MAX (253402300799LL) /* 9999-12-31 23:59:59 */

#define SMS_DAY 86400LL
/* The API keeps a year of messages and rejects older start dates (docs/api-rules.md). A request
** leaves a few seconds inside that year, for the time it takes to reach the server; a
** long scan clamps each request again when it sends it (sms_scan.c). */
#define SMS_RETENTION (365 * SMS_DAY)
#define SMS_RETENTION_MARGIN 5

typedef enum SmsOp { SMS_OP_EQ, SMS_OP_LT, SMS_OP_LE, SMS_OP_GT, SMS_OP_GE } SmsOp;

typedef struct SmsWindow {
  sms_time iLo; /* earliest date a wanted row can have, inclusive */
  sms_time iHi; /* latest date a wanted row can have, inclusive */
} SmsWindow;

/* Parse exactly "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DDTHH:MM:SS" (n bytes, n >= 19 is
** required, and only the first 19 are read). SMS_OK, or SMS_ERROR if it is not a real date. */
int sms_time_parse(const char *z, size_t n, sms_time *pT);

/* Write t as "YYYY-MM-DD?HH:MM:SS" with cSep in the middle ('T' for the API, ' ' for SQL),
** NUL-terminated: zOut holds at least 20 bytes. */
void sms_time_format(sms_time t, char cSep, char *zOut);

/* The current time, or SMS_EXPORT_NOW from the environment when set (tests and demos
** fix the clock with it, so that "one year ago" is reproducible). */
sms_time sms_time_now(void);

/* The oldest startDate the API accepts from a request sent at `now`, on the server's clock
** (sms_clock_now() in sms_clock.h; sms_retention_edge() there does both): the retention
** limit, less SMS_RETENTION_MARGIN. The one place that formula lives. */
sms_time sms_retention_oldest(sms_time now);

void sms_window_init(SmsWindow *p);
int sms_window_is_empty(const SmsWindow *p);

/* Narrow the window by the constraint `date OP z` (z is n bytes of TEXT, compared the way
** SQLite compares TEXT with BINARY collation). The window keeps every canonical date D
** for which the comparison holds: exact when z is a canonical date or a prefix of one,
** a little wider otherwise. */
void sms_window_apply(SmsWindow *p, SmsOp op, const char *z, size_t n);

/* The API request for a window: startDate (always), endDate (when the window has an
** upper bound the API can take), widened by a second each way because the API does not
** say whether its bounds are inclusive, and clamped to the retention limit before `now`
** (less SMS_RETENTION_MARGIN).
** Returns 0 when no request is needed (nothing that old is kept, or the window is empty),
** 1 otherwise; *pbEnd says whether *piEnd is set. */
int sms_window_request(const SmsWindow *p, sms_time now, sms_time *piStart, sms_time *piEnd,
                       int *pbEnd);

/* Whether z (n bytes) is written in the table's form "YYYY-MM-DD HH:MM:SS" or a prefix of
** it that ends with a field: "", "2026", "2026-06", "2026-06-01", "2026-06-01 10",
** "2026-06-01 10:00". Only the shape is checked ('2026-02-31' passes: as text it still
** compares as the user meant); anything else ('2026/06/01', '2026-6-1', the API's 'T' form,
** fractions, '2026-06-0') compares with the dates of the table as text no date resembles,
** and the vtab calls a literal of that kind a typo. */
int sms_date_in_form(const char *z, size_t n);

/* A date written in another common form ("2026/06/01", "2026-6-1", "2026.06.01 9:05",
** "2026-06-01T10:00:00", with fractions or a 'Z' after the seconds) rewritten in the
** table's form into zOut (20 bytes): 1, or 0 when z is not such a date (day first, junk). */
int sms_date_suggest(const char *z, size_t n, char *zOut);

/* Rewrite an API date ("2026-11-01T10:00:00", maybe with more after it) in SQLite's form
** "2026-11-01 10:00:00" into zOut (20 bytes). Returns 19, or 0 when z does not start
** with such a date (the caller then shows it unchanged). */
int sms_date_to_sql(const char *z, size_t n, char *zOut);

#endif /* SMS_WINDOW_H */
