/*
** sms_window.c: dates, and the date window a query needs from the API.
**
** SQLite compares the `date` column as TEXT, byte by byte. Every date the extension
** returns has the canonical form "YYYY-MM-DD HH:MM:SS", so a constraint `date OP v` is a
** statement about strings, not about times, and v may be any text: a full date, a prefix
** ('2026-11'), the API's own form with a 'T', fractional seconds, or junk. This file turns
** such a constraint into a range of times [iLo, iHi] that contains every canonical date
** for which the TEXT comparison is true.
**
** The method: let p be the longest prefix of v that fits the template
** "dddd-dd-dd dd:dd:dd" (k bytes). A canonical D compares with v on its first k bytes,
** and if those equal p, on byte k, where v either ends (D is longer, so D > v), or has a
** byte that sorts above or below every byte D can have there. So every constraint becomes
** one of four statements about D's first k bytes:
**
**     D[:k] >= p    lo = ceil(p padded with the least digits)
**     D[:k] >  p    lo = floor(p padded with the greatest digits) + 1s
**     D[:k] <= p    hi = floor(p padded with the greatest digits)
**     D[:k] <  p    hi = ceil(p padded with the least digits) - 1s
**
** where ceil/floor move a padded string that is not a real date ('2026-02-30', month 13,
** hour 99) to the nearest real time above/below it. The result is exact for the forms
** users write; only `D[:k] > p` for a byte that sorts above the template is an
** approximation, and it is a superset.
*/
#include "sms_window.h"
#include "sms_rc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* '0' marks a digit position; every other byte must match itself. */
static const char zTemplate[] = "0000-00-00 00:00:00";
#define SMS_DATE_LEN 19

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar (Howard Hinnant's
** days_from_civil), valid for every year the template can hold. */
static long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *pY, int *pM, int *pD) {
  z += 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long y = (long long)yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  *pY = (int)(y + (m <= 2));
  *pM = (int)m;
  *pD = (int)d;
}

static int days_in_month(int y, int m) {
  static const int aDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int bLeap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && bLeap ? 29 : aDays[m - 1];
}

static sms_time make_time(int y, int mo, int d, int h, int mi, int s) {
  return days_from_civil(y, (unsigned)mo, (unsigned)d) * SMS_DAY + h * 3600LL + mi * 60LL + s;
}

/* The six numeric fields of a 19-byte template-shaped string (digits unchecked). */
typedef struct DateFields {
  int y, mo, d, h, mi, s; /* year, month, day, hour, minute, second as written */
} DateFields;

static int two_digits(const char *z) {
  return (z[0] - '0') * 10 + (z[1] - '0');
}

static void fields_of(const char *z, DateFields *f) {
  f->y = two_digits(z) * 100 + two_digits(z + 2);
  f->mo = two_digits(z + 5);
  f->d = two_digits(z + 8);
  f->h = two_digits(z + 11);
  f->mi = two_digits(z + 14);
  f->s = two_digits(z + 17);
}

/* The least real time whose canonical text is >= the (maybe unreal) fields. */
static sms_time ceil_time(const DateFields *f) {
  if (f->mo < 1) return make_time(f->y, 1, 1, 0, 0, 0);
  if (f->mo > 12) return make_time(f->y + 1, 1, 1, 0, 0, 0);
  if (f->d < 1) return make_time(f->y, f->mo, 1, 0, 0, 0);
  int dim = days_in_month(f->y, f->mo);
  if (f->d > dim) return make_time(f->y, f->mo, dim, 0, 0, 0) + SMS_DAY;
  if (f->h > 23) return make_time(f->y, f->mo, f->d, 0, 0, 0) + SMS_DAY;
  if (f->mi > 59) return make_time(f->y, f->mo, f->d, f->h, 0, 0) + 3600;
  if (f->s > 59) return make_time(f->y, f->mo, f->d, f->h, f->mi, 0) + 60;
  return make_time(f->y, f->mo, f->d, f->h, f->mi, f->s);
}

/* The greatest real time whose canonical text is <= the (maybe unreal) fields. */
static sms_time floor_time(const DateFields *f) {
  if (f->mo < 1) return make_time(f->y, 1, 1, 0, 0, 0) - 1;
  if (f->mo > 12) return make_time(f->y, 12, 31, 23, 59, 59);
  if (f->d < 1) return make_time(f->y, f->mo, 1, 0, 0, 0) - 1;
  int dim = days_in_month(f->y, f->mo);
  if (f->d > dim) return make_time(f->y, f->mo, dim, 23, 59, 59);
  if (f->h > 23) return make_time(f->y, f->mo, f->d, 23, 59, 59);
  if (f->mi > 59) return make_time(f->y, f->mo, f->d, f->h, 59, 59);
  if (f->s > 59) return make_time(f->y, f->mo, f->d, f->h, f->mi, 59);
  return make_time(f->y, f->mo, f->d, f->h, f->mi, f->s);
}

/* The first k bytes of z completed from the template with cFill for every digit. */
static void pad_prefix(const char *z, size_t k, char cFill, DateFields *f) {
  char a[SMS_DATE_LEN];
  for (size_t i = 0; i < SMS_DATE_LEN; i++) {
    a[i] = i < k ? z[i] : (zTemplate[i] == '0' ? cFill : zTemplate[i]);
  }
  fields_of(a, f);
}

static int fits_template(unsigned char c, size_t i) {
  return zTemplate[i] == '0' ? (c >= '0' && c <= '9') : c == (unsigned char)zTemplate[i];
}

int sms_time_parse(const char *z, size_t n, sms_time *pT) {
  if (n < SMS_DATE_LEN) return SMS_ERROR;
  for (size_t i = 0; i < SMS_DATE_LEN; i++) {
    if (i == 10 && z[i] == 'T') continue;
    if (!fits_template((unsigned char)z[i], i)) return SMS_ERROR;
  }
  DateFields f;
  fields_of(z, &f);
  if (f.mo < 1 || f.mo > 12 || f.d < 1 || f.d > days_in_month(f.y, f.mo) || f.h > 23 ||
      f.mi > 59 || f.s > 59) {
    return SMS_ERROR;
  }
  *pT = make_time(f.y, f.mo, f.d, f.h, f.mi, f.s);
  return SMS_OK;
}

static void put_digits(char *z, int v, int n) {
  while (n-- > 0) {
    z[n] = (char)('0' + v % 10);
    v /= 10;
  }
}

void sms_time_format(sms_time t, char cSep, char *zOut) {
  if (t < SMS_TIME_MIN) t = SMS_TIME_MIN;
  if (t > SMS_TIME_MAX) t = SMS_TIME_MAX;
  long long days = t >= 0 ? t / SMS_DAY : -((-t + SMS_DAY - 1) / SMS_DAY);
  int secs = (int)(t - days * SMS_DAY);
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  memcpy(zOut, zTemplate, sizeof(zTemplate));
  put_digits(zOut, y, 4);
  put_digits(zOut + 5, m, 2);
  put_digits(zOut + 8, d, 2);
  zOut[10] = cSep;
  put_digits(zOut + 11, secs / 3600, 2);
  put_digits(zOut + 14, secs / 60 % 60, 2);
  put_digits(zOut + 17, secs % 60, 2);
}

sms_time sms_time_now(void) {
  const char *z = getenv("SMS_EXPORT_NOW");
  sms_time t;
  if (z && sms_time_parse(z, strlen(z), &t) == 0) return t;
  return (sms_time)time(0);
}

void sms_window_init(SmsWindow *p) {
  p->iLo = SMS_TIME_MIN;
  p->iHi = SMS_TIME_MAX;
}

int sms_window_is_empty(const SmsWindow *p) {
  return p->iLo > p->iHi;
}

/* The four prefix statements of the header comment. */
enum { PREFIX_GE, PREFIX_GT, PREFIX_LE, PREFIX_LT };

static void narrow(SmsWindow *p, int eRel, const char *z, size_t k) {
  DateFields f;
  sms_time t;
  switch (eRel) {
  case PREFIX_GE:
    pad_prefix(z, k, '0', &f);
    t = ceil_time(&f);
    if (t > p->iLo) p->iLo = t;
    break;
  case PREFIX_GT:
    pad_prefix(z, k, '9', &f);
    t = floor_time(&f) + 1;
    if (t > p->iLo) p->iLo = t;
    break;
  case PREFIX_LE:
    pad_prefix(z, k, '9', &f);
    t = floor_time(&f);
    if (t < p->iHi) p->iHi = t;
    break;
  default:
    pad_prefix(z, k, '0', &f);
    t = ceil_time(&f) - 1;
    if (t < p->iHi) p->iHi = t;
    break;
  }
}

void sms_window_apply(SmsWindow *p, SmsOp op, const char *z, size_t n) {
  size_t k = 0;
  while (k < n && k < SMS_DATE_LEN && fits_template((unsigned char)z[k], k))
    k++;

  /* How a canonical D whose first k bytes equal p compares with z. */
  int cmp; /* D - z: +1 or -1; 0 only when z is a whole canonical date */
  if (k == n) {
    cmp = k == SMS_DATE_LEN ? 0 : 1; /* z ends inside D's length: D is longer */
  } else if (k == SMS_DATE_LEN) {
    cmp = -1; /* z goes on after a whole date */
  } else {
    unsigned char c = (unsigned char)z[k];
    unsigned char cMax = zTemplate[k] == '0' ? '9' : (unsigned char)zTemplate[k];
    cmp = c > cMax ? -1 : 1;
  }

  int bLower = op == SMS_OP_GE || op == SMS_OP_GT || op == SMS_OP_EQ;
  int bUpper = op == SMS_OP_LE || op == SMS_OP_LT || op == SMS_OP_EQ;
  if (bLower) {
    /* D >= z (or D > z) given D[:k] == p holds exactly when cmp > 0 (or cmp >= 0 ...) */
    if (cmp > 0 || (cmp == 0 && op != SMS_OP_GT)) {
      narrow(p, PREFIX_GE, z, k);
    } else {
      narrow(p, PREFIX_GT, z, k);
    }
  }
  if (bUpper) {
    if (cmp < 0 || (cmp == 0 && op != SMS_OP_LT)) {
      narrow(p, PREFIX_LE, z, k);
    } else {
      narrow(p, PREFIX_LT, z, k);
    }
  }
}

sms_time sms_retention_oldest(sms_time now) {
  return now - SMS_RETENTION + SMS_RETENTION_MARGIN;
}

int sms_window_request(const SmsWindow *p, sms_time now, sms_time *piStart, sms_time *piEnd,
                       int *pbEnd) {
  sms_time iOldest = sms_retention_oldest(now);
  sms_time iStart = p->iLo - 1;
  sms_time iEnd = p->iHi + 1;
  *pbEnd = 0;
  if (sms_window_is_empty(p) || p->iHi < iOldest) return 0;
  if (iStart < iOldest) iStart = iOldest;
  *piStart = iStart;
  /* An end more than a retention period after the start cannot be sent (the API rejects
  ** windows over a year); since the start is at most a year old, such an end lies after
  ** `now`, and "no endDate" (up to the last message) asks for the same rows. */
  if (p->iHi < SMS_TIME_MAX && iEnd - iStart <= SMS_RETENTION) {
    *piEnd = iEnd;
    *pbEnd = 1;
  }
  return 1;
}

int sms_date_in_form(const char *z, size_t n) {
  if (n > SMS_DATE_LEN) return 0;
  for (size_t i = 0; i < n; i++) {
    if (!fits_template((unsigned char)z[i], i)) return 0;
  }
  /* a prefix ends where a field ends: '2026-06-0' is a typo, not a month's prefix */
  return n == 0 || n == SMS_DATE_LEN || zTemplate[n] != '0';
}

/* Read nMin to nMax digits at z[*pi] into *pV: 1, or 0 when there are fewer. */
static int read_digits(const char *z, size_t n, size_t *pi, int nMin, int nMax, int *pV) {
  int nDigit = 0, v = 0;
  while (*pi < n && nDigit < nMax && z[*pi] >= '0' && z[*pi] <= '9') {
    v = v * 10 + (z[(*pi)++] - '0');
    nDigit++;
  }
  *pV = v;
  return nDigit >= nMin;
}

int sms_date_suggest(const char *z, size_t n, char *zOut) {
  size_t i = 0;
  int y, mo, d, h = -1, mi = -1, s = -1;
  char cSep;
  if (!read_digits(z, n, &i, 4, 4, &y) || i >= n) return 0;
  cSep = z[i++];
  if (cSep != '-' && cSep != '/' && cSep != '.') return 0;
  if (!read_digits(z, n, &i, 1, 2, &mo) || i >= n || z[i++] != cSep) return 0;
  if (!read_digits(z, n, &i, 1, 2, &d)) return 0;
  if (i < n && (z[i] == ' ' || z[i] == 'T')) {
    i++;
    if (!read_digits(z, n, &i, 1, 2, &h)) return 0;
    if (i < n && z[i] == ':') {
      i++;
      if (!read_digits(z, n, &i, 2, 2, &mi)) return 0;
      if (i < n && z[i] == ':') {
        i++;
        if (!read_digits(z, n, &i, 2, 2, &s)) return 0;
        if (i < n && z[i] == '.') {
          i++;
          while (i < n && z[i] >= '0' && z[i] <= '9')
            i++;
        }
      }
    }
    if (i < n && z[i] == 'Z') i++;
  }
  if (i != n || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return 0;
  memcpy(zOut, zTemplate, sizeof(zTemplate));
  put_digits(zOut, y, 4);
  put_digits(zOut + 5, mo, 2);
  put_digits(zOut + 8, d, 2);
  zOut[h < 0 ? 10 : mi < 0 ? 13 : s < 0 ? 16 : 19] = 0;
  if (h >= 0) put_digits(zOut + 11, h, 2);
  if (mi >= 0) put_digits(zOut + 14, mi, 2);
  if (s >= 0) put_digits(zOut + 17, s, 2);
  return 1;
}

int sms_date_to_sql(const char *z, size_t n, char *zOut) {
  if (n < SMS_DATE_LEN) return 0;
  for (size_t i = 0; i < SMS_DATE_LEN; i++) {
    if (i == 10 ? (z[i] != 'T' && z[i] != ' ') : !fits_template((unsigned char)z[i], i)) {
      return 0;
    }
  }
  memcpy(zOut, z, SMS_DATE_LEN);
  zOut[10] = ' ';
  zOut[SMS_DATE_LEN] = 0;
  return SMS_DATE_LEN;
}
