/*
** sms_page.c: the page decoder, one API response body in, rows out. See sms_page.h.
**
** One pass over the body checks it is JSON (RFC 8259, strictly: what cJSON accepts and
** more is refused) and notes where each message object and its known fields are. cJSON
** parsed a page into about 25 allocations a message, which made malloc the largest cost
** of an export; here a page is one copy of the body plus one array of SmsRow.
**
** Keys are matched by their decoded bytes (key_is) and the first of repeated keys wins
** (each member callback takes a name only once): sms_page.h, "Keys", says why.
*/
#define _GNU_SOURCE /* strtod_l: numbers read the same under any host locale */
#include "sms_page.h"
#include "sms_rc.h"
#include "sms_window.h"

#include <cjson/cJSON.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#ifdef __APPLE__
#include <xlocale.h>
#endif

#define MAX_DEPTH 200 /* nesting allowed inside unknown fields */

const char *const sms_field_json_name[SMS_N_FIELD] = {
    "campaignName", "programName", "programType", "type",    "deliveryStatus",
    "number",       "body",        "date",        "network",
};

/* Their lengths, so that matching a key needs no strlen (row_member runs for every member of
** every message). */
static const unsigned char aFieldNameLen[SMS_N_FIELD] = {12, 11, 11, 4, 14, 6, 4, 4, 7};

/* ---------------------------------------------------------------- the JSON scanner */

typedef struct Scanner {
  const char *z;     /* the next byte */
  const char *zEnd;  /* one past the last byte */
  const char *zBase; /* the first byte, for error positions */
  int nDepth;        /* arrays and objects open */
  const char *zWhy;  /* what was wrong, when a scan failed */
  int bNoMem;        /* it failed for want of memory, not for what it read */
  int bEscaped;      /* the last string scanned held a backslash */
} Scanner;

static void skip_ws(Scanner *s) {
  while (s->z < s->zEnd && (*s->z == ' ' || *s->z == '\n' || *s->z == '\r' || *s->z == '\t'))
    s->z++;
}

static int fail(Scanner *s, const char *zWhy) {
  if (!s->zWhy) s->zWhy = zWhy;
  return -1;
}

static int hex4(const char *z) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    char c = z[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= c - '0';
    else if (c >= 'a' && c <= 'f')
      v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v |= c - 'A' + 10;
    else
      return -1;
  }
  return v;
}

/* The bytes of plain string text before the first '"', '\\' or control byte among the 8
** at z (8 when there is none). Strings are most of a page, and this looks at 8 bytes at
** once: each term below has a byte's top bit set when that byte matches (and maybe in
** higher bytes after a match, never before one), so the lowest set bit is the first. */
static int plain_run8(const char *z) {
  const uint64_t ONES = 0x0101010101010101ULL, HIGHS = 0x8080808080808080ULL;
  uint64_t v;
  memcpy(&v, z, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  uint64_t q = v ^ (ONES * '"'), b = v ^ (ONES * '\\');
  uint64_t t = (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((v - ONES * 0x20) & ~v)) & HIGHS;
  return t ? __builtin_ctzll(t) / 8 : 8;
}

#if defined(__SSE2__)
/* plain_run8 for 16 bytes, with SSE2 (x86-64's baseline): the bytes before the first '"',
** '\\' or control byte (below 0x20) among the 16 at z, 16 when there is none. */
static int plain_run16(const char *z) {
  __m128i v = _mm_loadu_si128((const __m128i *)z);
  __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                           _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
  /* unsigned v <= 0x1F: max(v, 0x1F) is 0x1F */
  m = _mm_or_si128(m,
                   _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F)));
  unsigned int bits = (unsigned int)_mm_movemask_epi8(m);
  return bits ? __builtin_ctz(bits) : 16;
}
#endif

/* The first '"', '\\' or control byte from z on, or a byte of the last 7 before zEnd: 16 bytes
** at a time where SSE2 is, then 8. A byte found stops both (looking again costs as much as
** the scan of a short string, and most strings are short). */
static const char *skip_plain(const char *z, const char *zEnd) {
#if defined(__SSE2__)
  while (zEnd - z >= 16) {
    int n = plain_run16(z);
    if (n < 16) return z + n;
    z += 16;
  }
#endif
  while (zEnd - z >= 8) {
    int n = plain_run8(z);
    if (n < 8) return z + n;
    z += 8;
  }
  return z;
}

/* A string at s->z (its opening quote). *pbEscaped says whether it holds a backslash. */
static int scan_string(Scanner *s, int *pbEscaped) {
  const char *z = s->z + 1;
  *pbEscaped = 0;
  for (;;) {
    z = skip_plain(z, s->zEnd);
    if (z >= s->zEnd) return fail(s, "a string is not closed");
    unsigned char c = (unsigned char)*z;
    if (c == '"') break;
    if (c < 0x20) return fail(s, "a string holds a control character");
    if (c == '\\') {
      *pbEscaped = 1;
      if (z + 1 >= s->zEnd) return fail(s, "a string is not closed");
      char e = z[1];
      if (e == 'u') {
        if (z + 6 > s->zEnd) return fail(s, "a \\u escape is cut short");
        int u = hex4(z + 2);
        if (u < 0) return fail(s, "a \\u escape is not hexadecimal");
        z += 6;
        if (u >= 0xDC00 && u <= 0xDFFF) return fail(s, "a lone low surrogate");
        if (u >= 0xD800 && u <= 0xDBFF) { /* must be followed by its low half */
          if (z + 6 > s->zEnd || z[0] != '\\' || z[1] != 'u')
            return fail(s, "a lone surrogate");
          int u2 = hex4(z + 2);
          if (u2 < 0xDC00 || u2 > 0xDFFF) return fail(s, "a lone surrogate");
          z += 6;
        }
        continue;
      }
      if (!strchr("\"\\/bfnrt", e) || e == 0) return fail(s, "a string has a bad escape");
      z += 2;
      continue;
    }
    z++;
  }
  s->z = z + 1;
  s->bEscaped = *pbEscaped;
  return 0;
}

static int scan_number(Scanner *s) {
  const char *z = s->z;
  if (z < s->zEnd && *z == '-') z++;
  if (z >= s->zEnd || *z < '0' || *z > '9') return fail(s, "a number has no digits");
  if (*z == '0') {
    z++;
  } else {
    while (z < s->zEnd && *z >= '0' && *z <= '9')
      z++;
  }
  if (z < s->zEnd && *z == '.') {
    z++;
    if (z >= s->zEnd || *z < '0' || *z > '9')
      return fail(s, "a number has no digits after '.'");
    while (z < s->zEnd && *z >= '0' && *z <= '9')
      z++;
  }
  if (z < s->zEnd && (*z == 'e' || *z == 'E')) {
    z++;
    if (z < s->zEnd && (*z == '+' || *z == '-')) z++;
    if (z >= s->zEnd || *z < '0' || *z > '9') return fail(s, "a number has no exponent digits");
    while (z < s->zEnd && *z >= '0' && *z <= '9')
      z++;
  }
  s->z = z;
  return 0;
}

static int scan_value(Scanner *s);

static int scan_literal(Scanner *s, const char *zWord) {
  size_t n = strlen(zWord);
  if ((size_t)(s->zEnd - s->z) < n || memcmp(s->z, zWord, n) != 0) {
    return fail(s, "an unexpected character");
  }
  s->z += n;
  return 0;
}

/* The members of an object at s->z ('{'); xMember, when not NULL, sees each key (its
** text between the quotes, and whether it has escapes) with the scanner at its value, and
** scans the value itself. */
typedef int (*MemberFn)(Scanner *s, const char *zKey, size_t nKey, int bEscaped, void *pArg);

static int scan_object(Scanner *s, MemberFn xMember, void *pArg) {
  if (++s->nDepth > MAX_DEPTH) return fail(s, "values are nested too deeply");
  s->z++;
  skip_ws(s);
  if (s->z < s->zEnd && *s->z == '}') {
    s->z++;
    s->nDepth--;
    return 0;
  }
  for (;;) {
    int bEscaped;
    skip_ws(s);
    if (s->z >= s->zEnd || *s->z != '"') return fail(s, "an object key is not a string");
    const char *zKey = s->z + 1;
    if (scan_string(s, &bEscaped)) return -1;
    size_t nKey = (size_t)(s->z - 1 - zKey);
    skip_ws(s);
    if (s->z >= s->zEnd || *s->z != ':') return fail(s, "a ':' is missing");
    s->z++;
    skip_ws(s);
    if (xMember ? xMember(s, zKey, nKey, bEscaped, pArg) : scan_value(s)) return -1;
    skip_ws(s);
    if (s->z < s->zEnd && *s->z == ',') {
      s->z++;
      continue;
    }
    if (s->z < s->zEnd && *s->z == '}') break;
    return fail(s, "a ',' or '}' is missing");
  }
  s->z++;
  s->nDepth--;
  return 0;
}

/* The elements of an array at s->z ('['); xElement as xMember. */
typedef int (*ElementFn)(Scanner *s, void *pArg);

static int scan_array(Scanner *s, ElementFn xElement, void *pArg) {
  if (++s->nDepth > MAX_DEPTH) return fail(s, "values are nested too deeply");
  s->z++;
  skip_ws(s);
  if (s->z < s->zEnd && *s->z == ']') {
    s->z++;
    s->nDepth--;
    return 0;
  }
  for (;;) {
    skip_ws(s);
    if (xElement ? xElement(s, pArg) : scan_value(s)) return -1;
    skip_ws(s);
    if (s->z < s->zEnd && *s->z == ',') {
      s->z++;
      continue;
    }
    if (s->z < s->zEnd && *s->z == ']') break;
    return fail(s, "a ',' or ']' is missing");
  }
  s->z++;
  s->nDepth--;
  return 0;
}

static int scan_value(Scanner *s) {
  int bEscaped;
  if (s->z >= s->zEnd) return fail(s, "a value is missing");
  switch (*s->z) {
  case '"':
    return scan_string(s, &bEscaped);
  case '{':
    return scan_object(s, 0, 0);
  case '[':
    return scan_array(s, 0, 0);
  case 't':
    return scan_literal(s, "true");
  case 'f':
    return scan_literal(s, "false");
  case 'n':
    return scan_literal(s, "null");
  default:
    if (*s->z == '-' || (*s->z >= '0' && *s->z <= '9')) return scan_number(s);
    return fail(s, "an unexpected character");
  }
}

/* Decode the JSON string token z[0..n) (quotes included) into zOut, which holds n bytes.
** Returns the bytes written. The token was checked by scan_string. */
static size_t unescape(const char *z, size_t n, char *zOut) {
  size_t j = 0;
  for (size_t i = 1; i + 1 < n; i++) {
    char c = z[i];
    if (c != '\\') {
      zOut[j++] = c;
      continue;
    }
    c = z[++i];
    switch (c) {
    case 'b':
      zOut[j++] = '\b';
      break;
    case 'f':
      zOut[j++] = '\f';
      break;
    case 'n':
      zOut[j++] = '\n';
      break;
    case 'r':
      zOut[j++] = '\r';
      break;
    case 't':
      zOut[j++] = '\t';
      break;
    case 'u': {
      unsigned int u = (unsigned int)hex4(z + i + 1);
      i += 4;
      if (u >= 0xD800 && u <= 0xDBFF) {
        u = 0x10000 + ((u - 0xD800) << 10) + ((unsigned int)hex4(z + i + 3) - 0xDC00);
        i += 6;
      }
      if (u < 0x80) {
        zOut[j++] = (char)u;
      } else if (u < 0x800) {
        zOut[j++] = (char)(0xC0 | (u >> 6));
        zOut[j++] = (char)(0x80 | (u & 0x3F));
      } else if (u < 0x10000) {
        zOut[j++] = (char)(0xE0 | (u >> 12));
        zOut[j++] = (char)(0x80 | ((u >> 6) & 0x3F));
        zOut[j++] = (char)(0x80 | (u & 0x3F));
      } else {
        zOut[j++] = (char)(0xF0 | (u >> 18));
        zOut[j++] = (char)(0x80 | ((u >> 12) & 0x3F));
        zOut[j++] = (char)(0x80 | ((u >> 6) & 0x3F));
        zOut[j++] = (char)(0x80 | (u & 0x3F));
      }
      break;
    }
    default:
      zOut[j++] = c;
      break; /* " \ / */
    }
  }
  return j;
}

/* Whether the key token text zKey[0..nKey) (between the quotes) spells zName: keys compare
** by their decoded bytes, all of them, so "d\u0061ta" is "data" and "data\u0000" is not
** (see "Keys" in sms_page.h). */
static int key_is_n(const char *zKey, size_t nKey, int bEscaped, const char *zName,
                    size_t nName) {
  if (!bEscaped) return nKey == nName && memcmp(zKey, zName, nName) == 0;
  char zBuf[6 * 14 + 2]; /* the longest name ("deliveryStatus") written as \uXXXX escapes */
  /* An escape is at most 6 bytes for one decoded byte: a longer token decodes to more. */
  if (nKey > 6 * nName || nKey + 2 > sizeof(zBuf)) return 0;
  /* unescape wants the quotes around the token: they are there, in the body */
  return unescape(zKey - 1, nKey + 2, zBuf) == nName && memcmp(zBuf, zName, nName) == 0;
}

static int key_is(const char *zKey, size_t nKey, int bEscaped, const char *zName) {
  return key_is_n(zKey, nKey, bEscaped, zName, strlen(zName));
}

/* ---------------------------------------------------------------- decoding a page */

typedef struct Decoder {
  SmsPage *p;           /* the page being filled */
  int nAlloc;           /* room in p->aRow */
  int nElement;         /* elements of the message array seen */
  int iNotObject;       /* 1-based index of the first message that is not an object */
  const char *zNextTok; /* the nextPageUrl value token, or NULL */
  size_t nNextTok;      /* its bytes */
  int bMetaNext;        /* meta had a nextPageUrl key (then the top-level one is ignored) */
  int bData;            /* the "data" array was seen */
  int bMeta;            /* the "meta" object was seen */
  int bTopNext;         /* a top-level nextPageUrl was seen */
  int nMaxRow;          /* more elements than this fail the page; 0: no limit */
  int bTooMany;         /* ...and they did */
} Decoder;

static int row_member(Scanner *s, const char *zKey, size_t nKey, int bEscaped, void *pArg) {
  SmsRow *pRow = pArg;
  const char *zStart = s->z;
  if (scan_value(s)) return -1;
  for (int i = 0; i < SMS_N_FIELD; i++) {
    if (pRow->aLen[i] == 0 && (bEscaped || nKey == aFieldNameLen[i]) &&
        key_is_n(zKey, nKey, bEscaped, sms_field_json_name[i], aFieldNameLen[i])) {
      pRow->aOff[i] = (unsigned int)(zStart - pRow->zObj);
      pRow->aLen[i] = (unsigned int)(s->z - zStart);
      /* told now, while the string is in the cache, so that reading it needs no memchr */
      if (*zStart == '"' && !s->bEscaped) pRow->fPlain |= (unsigned short)(1u << i);
      break;
    }
  }
  return 0;
}

static int message_element(Scanner *s, void *pArg) {
  Decoder *d = pArg;
  SmsPage *p = d->p;
  if (d->nMaxRow > 0 && d->nElement >= d->nMaxRow) { /* stop before any more work */
    d->bTooMany = 1;
    return fail(s, "too many messages");
  }
  d->nElement++;
  if (s->z >= s->zEnd) return fail(s, "a value is missing");
  if (*s->z != '{') { /* the page fails, but only once the whole body proved to be JSON */
    if (!d->iNotObject) d->iNotObject = d->nElement;
    return scan_value(s);
  }
  if (p->nRow == d->nAlloc) {
    int nNew = d->nAlloc ? d->nAlloc * 2 : 64;
    SmsRow *aNew = realloc(p->aRow, nNew * sizeof(SmsRow));
    if (!aNew) {
      s->bNoMem = 1;
      return fail(s, "out of memory");
    }
    p->aRow = aNew;
    d->nAlloc = nNew;
  }
  SmsRow *pRow = &p->aRow[p->nRow];
  memset(pRow, 0, sizeof(*pRow));
  pRow->zObj = s->z;
  if (scan_object(s, row_member, pRow)) return -1;
  pRow->nObj = (unsigned int)(s->z - pRow->zObj);
  p->nRow++;
  return 0;
}

static int meta_member(Scanner *s, const char *zKey, size_t nKey, int bEscaped, void *pArg) {
  Decoder *d = pArg;
  if (!d->bMetaNext && key_is(zKey, nKey, bEscaped, "nextPageUrl")) {
    d->bMetaNext = 1;
    d->zNextTok = s->z;
    if (scan_value(s)) return -1;
    d->nNextTok = (size_t)(s->z - d->zNextTok);
    return 0;
  }
  return scan_value(s);
}

static int top_member(Scanner *s, const char *zKey, size_t nKey, int bEscaped, void *pArg) {
  Decoder *d = pArg;
  if (s->z >= s->zEnd) return fail(s, "a value is missing");
  if (!d->bData && key_is(zKey, nKey, bEscaped, "data")) {
    d->bData = 1;
    if (*s->z == '[') return scan_array(s, message_element, d);
    d->bData = -1; /* present, but not an array */
    return scan_value(s);
  }
  if (!d->bMeta && key_is(zKey, nKey, bEscaped, "meta")) {
    d->bMeta = 1;
    if (*s->z == '{') return scan_object(s, meta_member, d);
    return scan_value(s);
  }
  if (!d->bTopNext && key_is(zKey, nKey, bEscaped, "nextPageUrl")) {
    d->bTopNext = 1;
    if (!d->bMetaNext) {
      d->zNextTok = s->z;
      if (scan_value(s)) return -1;
      d->nNextTok = (size_t)(s->z - d->zNextTok);
      return 0;
    }
  }
  return scan_value(s);
}

int sms_page_decode(const char *z, size_t n, SmsPage *p, char *zErr, size_t nErr) {
  return sms_page_decode_max(z, n, 0, p, zErr, nErr);
}

int sms_page_decode_max(const char *z, size_t n, int nPageSize, SmsPage *p, char *zErr,
                        size_t nErr) {
  Scanner s;
  Decoder d;
  int rcFail = SMS_ERROR; /* what a failure returns: SMS_NOMEM when memory ran out */
  sms_page_reset(p);
  memset(&d, 0, sizeof(d));
  d.p = p;

  if (n == 0) {
    snprintf(zErr, nErr, "the response body is empty");
    return SMS_ERROR;
  }
  if (n > 0xFFFFFFF0u) {
    snprintf(zErr, nErr, "the response body is too large");
    return SMS_ERROR;
  }
  p->azBody = malloc(sizeof(char *));
  char *zBody = 0;
  if (p->zKeep && p->nKeep >= n) { /* a buffer of an earlier page: no fresh memory */
    zBody = p->zKeep;
    p->nBodyAlloc = p->nKeep;
  } else {
    free(p->zKeep);
    zBody = malloc(n);
    p->nBodyAlloc = n;
  }
  p->zKeep = 0;
  p->nKeep = 0;
  d.nAlloc = p->nKeepRow; /* and its row array */
  p->aRow = p->aKeepRow;
  p->aKeepRow = 0;
  p->nKeepRow = 0;
  if (!p->azBody || !zBody) {
    free(zBody);
    snprintf(zErr, nErr, "out of memory");
    rcFail = SMS_NOMEM;
    goto fail;
  }
  memcpy(zBody, z, n);
  p->azBody[0] = zBody;
  p->nBody = 1;

  memset(&s, 0, sizeof(s));
  s.z = s.zBase = zBody;
  s.zEnd = zBody + n;
  skip_ws(&s);
  int bArray = s.z < s.zEnd && *s.z == '[';
  int bObject = s.z < s.zEnd && *s.z == '{';
  int rc;
  if (nPageSize > 0) {
    d.nMaxRow = SMS_PAGE_MAX_ROWS(nPageSize);
    if (bArray && n / SMS_BARE_ROW_BYTES > (size_t)d.nMaxRow)
      d.nMaxRow = (int)(n / SMS_BARE_ROW_BYTES); /* at most 2^27: SMS_MAX_BODY is far less */
  }
  if (bArray) {
    rc = scan_array(&s, message_element, &d);
  } else if (bObject) {
    rc = scan_object(&s, top_member, &d);
  } else {
    rc = scan_value(&s);
  }
  if (rc == 0) {
    skip_ws(&s);
    if (s.z != s.zEnd) {
      snprintf(zErr, nErr, "the response has bytes after its JSON value (at byte %zu of %zu)",
               (size_t)(s.z - s.zBase), n);
      goto fail;
    }
  } else {
    if (s.bNoMem) {
      snprintf(zErr, nErr, "out of memory");
      rcFail = SMS_NOMEM;
    } else if (d.bTooMany) {
      if (bArray && d.nMaxRow > SMS_PAGE_MAX_ROWS(nPageSize)) {
        snprintf(zErr, nErr,
                 "holds more than %d messages, the most a bare array of %zu bytes may hold "
                 "(one per %d bytes)",
                 d.nMaxRow, n, SMS_BARE_ROW_BYTES);
      } else {
        snprintf(zErr, nErr,
                 "holds more than %d messages, the most a page of pageSize=%d may hold",
                 d.nMaxRow, nPageSize);
      }
      rcFail = SMS_TOOBIG;
    } else {
      snprintf(zErr, nErr, "the response is not valid JSON: %s (at byte %zu of %zu)",
               s.zWhy ? s.zWhy : "?", (size_t)(s.z - s.zBase), n);
    }
    goto fail;
  }

  if (!bArray && !bObject) {
    snprintf(zErr, nErr, "the response is neither a page object nor an array of messages");
    goto fail;
  }
  if (bObject && d.bData != 1) {
    snprintf(zErr, nErr, "the response has no \"data\" array of messages");
    goto fail;
  }
  if (d.iNotObject) {
    snprintf(zErr, nErr, "message %d of the response is not a JSON object", d.iNotObject);
    goto fail;
  }
  if (d.zNextTok && *d.zNextTok == '"') {
    p->zNext = malloc(d.nNextTok);
    if (!p->zNext) {
      snprintf(zErr, nErr, "out of memory");
      rcFail = SMS_NOMEM;
      goto fail;
    }
    size_t nNext = unescape(d.zNextTok, d.nNextTok, p->zNext);
    p->zNext[nNext] = 0;
    if (memchr(p->zNext, 0, nNext)) { /* the server pointed on, but to no URL */
      snprintf(zErr, nErr, "the response's nextPageUrl holds a NUL byte (\\u0000)");
      goto fail;
    }
    if (nNext == 0) { /* "" is no next page */
      free(p->zNext);
      p->zNext = 0;
    }
  } else if (d.zNextTok && *d.zNextTok != 'n') {
    snprintf(zErr, nErr, "the response's nextPageUrl is not a string");
    goto fail;
  }
  p->nRowAlloc = d.nAlloc;
  return SMS_OK;

fail:
  sms_page_clear(p);
  return rcFail;
}

/* What sms_page_peek_next needs to know of the top-level members it has read. */
typedef struct Peek {
  const char *zTok; /* meta's nextPageUrl value token, or NULL */
  size_t nTok;      /* its bytes */
  int bMeta;        /* the (first) "meta" object was read whole */
} Peek;

static int peek_meta_member(Scanner *s, const char *zKey, size_t nKey, int bEscaped,
                            void *pArg) {
  Peek *k = pArg;
  if (!k->zTok && key_is(zKey, nKey, bEscaped, "nextPageUrl")) {
    k->zTok = s->z;
    if (scan_value(s)) return -1;
    k->nTok = (size_t)(s->z - k->zTok);
    return 0;
  }
  return scan_value(s);
}

/* Stops (fails) at the first member that could change the answer the meta object gives:
** the message array, whose rows are not wanted here, ends the peek. */
static int peek_top_member(Scanner *s, const char *zKey, size_t nKey, int bEscaped,
                           void *pArg) {
  Peek *k = pArg;
  if (key_is(zKey, nKey, bEscaped, "data")) return -1;
  if (!k->bMeta && key_is(zKey, nKey, bEscaped, "meta")) {
    if (s->z >= s->zEnd || *s->z != '{') return -1;
    if (scan_object(s, peek_meta_member, k)) return -1;
    k->bMeta = 1;
    return -1; /* the first meta decides (sms_page_decode): nothing more to read */
  }
  return scan_value(s);
}

int sms_page_peek_next(const char *z, size_t n, char *zOut, size_t nOut) {
  Scanner s;
  Peek k;
  memset(&s, 0, sizeof(s));
  memset(&k, 0, sizeof(k));
  s.z = s.zBase = z;
  s.zEnd = z + n;
  skip_ws(&s);
  if (s.z >= s.zEnd || *s.z != '{') return 0;
  /* A body cut short is the usual garbled page: it would cost a request sent for nothing. */
  const char *zLast = s.zEnd - 1;
  while (zLast > s.z && (*zLast == ' ' || *zLast == '\n' || *zLast == '\r' || *zLast == '\t'))
    zLast--;
  if (*zLast != '}') return 0;
  scan_object(&s, peek_top_member, &k);
  if (!k.bMeta || !k.zTok || *k.zTok != '"' || k.nTok > nOut) return 0;
  size_t nUrl = unescape(k.zTok, k.nTok, zOut);
  zOut[nUrl] = 0;
  return nUrl > 0 && !memchr(zOut, 0, nUrl); /* as sms_page_decode reads it */
}

/* ---------------------------------------------------------------- rows */

int sms_page_has_row(const SmsPage *p) {
  return p->iCur < p->nRow;
}

int sms_page_next(SmsPage *p) {
  if (p->iCur < p->nRow) p->iCur++;
  return p->iCur < p->nRow;
}

void sms_page_clear(SmsPage *p) {
  sms_page_reset(p);
  free(p->zKeep);
  free(p->aKeepRow);
  free(p->zScratch);
  memset(p, 0, sizeof(*p));
}

/* Keep the larger of two buffers: the one kept and the page's own. */
static void keep_larger(void **ppKeep, size_t *pnKeep, void *pOwn, size_t nOwn) {
  if (nOwn > *pnKeep) {
    free(*ppKeep);
    *ppKeep = pOwn;
    *pnKeep = nOwn;
  } else {
    free(pOwn);
  }
}

void sms_page_reset(SmsPage *p) {
  char *zScratch = p->zScratch;
  size_t nScratch = p->nScratch;
  void *pKeep = p->zKeep, *pKeepRow = p->aKeepRow;
  size_t nKeep = p->nKeep, nKeepRow = (size_t)p->nKeepRow;
  for (int i = 0; i < p->nBody; i++) {
    if (i == 0 && p->nBodyAlloc) {
      keep_larger(&pKeep, &nKeep, p->azBody[0], p->nBodyAlloc);
    } else {
      free(p->azBody[i]);
    }
  }
  if (p->nRowAlloc) {
    keep_larger(&pKeepRow, &nKeepRow, p->aRow, (size_t)p->nRowAlloc);
  } else {
    free(p->aRow);
  }
  free(p->azBody);
  free(p->zNext);
  memset(p, 0, sizeof(*p));
  p->zScratch = zScratch;
  p->nScratch = nScratch;
  p->zKeep = pKeep;
  p->nKeep = nKeep;
  p->aKeepRow = pKeepRow;
  p->nKeepRow = (int)nKeepRow;
}

void sms_page_give_kept(SmsPage *pDst, SmsPage *pSrc) {
  pDst->zKeep = pSrc->zKeep;
  pDst->nKeep = pSrc->nKeep;
  pDst->aKeepRow = pSrc->aKeepRow;
  pDst->nKeepRow = pSrc->nKeepRow;
  pSrc->zKeep = 0;
  pSrc->nKeep = 0;
  pSrc->aKeepRow = 0;
  pSrc->nKeepRow = 0;
}

int sms_page_take_rows(SmsPage *pDst, SmsPage *pSrc) {
  if (pSrc->nRow || pSrc->nBody) {
    SmsRow *aRow = realloc(pDst->aRow, (pDst->nRow + pSrc->nRow + 1) * sizeof(SmsRow));
    if (!aRow) return SMS_NOMEM;
    pDst->aRow = aRow;
    pDst->nRowAlloc = 0; /* not the decoder's array any more */
    char **azBody = realloc(pDst->azBody, (pDst->nBody + pSrc->nBody + 1) * sizeof(char *));
    if (!azBody) return SMS_NOMEM;
    pDst->azBody = azBody;
    if (pSrc->nRow) memcpy(pDst->aRow + pDst->nRow, pSrc->aRow, pSrc->nRow * sizeof(SmsRow));
    memcpy(pDst->azBody + pDst->nBody, pSrc->azBody, pSrc->nBody * sizeof(char *));
    pDst->nRow += pSrc->nRow;
    pDst->nBody += pSrc->nBody;
    pSrc->nBody = 0; /* the bodies belong to pDst now */
  }
  sms_page_clear(pSrc);
  pDst->iCur = 0;
  return SMS_OK;
}

int sms_page_from_rows(SmsPage *pDst, const SmsRow *const *apRow, int nRow) {
  size_t nByte = 0, iOff = 0;
  sms_page_clear(pDst);
  for (int i = 0; i < nRow; i++)
    nByte += apRow[i]->nObj;
  pDst->azBody = malloc(sizeof(char *));
  pDst->aRow = malloc((nRow ? nRow : 1) * sizeof(SmsRow));
  char *zBody = malloc(nByte ? nByte : 1);
  if (!pDst->azBody || !pDst->aRow || !zBody) {
    free(zBody);
    sms_page_clear(pDst);
    return SMS_NOMEM;
  }
  pDst->azBody[0] = zBody;
  pDst->nBody = 1;
  for (int i = 0; i < nRow; i++) {
    pDst->aRow[i] = *apRow[i];
    memcpy(zBody + iOff, apRow[i]->zObj, apRow[i]->nObj);
    pDst->aRow[i].zObj = zBody + iOff;
    iOff += apRow[i]->nObj;
  }
  pDst->nRow = nRow;
  return SMS_OK;
}

void sms_page_keep_rows(SmsPage *p, int (*xKeep)(SmsPage *p, int iRow, void *pArg),
                        void *pArg) {
  int n = 0;
  for (int i = 0; i < p->nRow; i++) {
    if (xKeep(p, i, pArg)) p->aRow[n++] = p->aRow[i];
  }
  p->nRow = n;
  p->iCur = 0;
}

/* Room for n bytes in the page's scratch buffer. */
static char *scratch(SmsPage *p, size_t n) {
  if (n > p->nScratch) {
    size_t nNew = n < 256 ? 256 : n * 2;
    char *zNew = realloc(p->zScratch, nNew);
    if (!zNew) return 0;
    p->zScratch = zNew;
    p->nScratch = nNew;
  }
  return p->zScratch;
}

/* A string of 1 to 19 ASCII digits, negated when bNeg, as an integer when it fits in 64 bits
** (-9223372036854775808 to 9223372036854775807), as SQLite's json_extract reads it. 19
** digits cannot overflow the unsigned sum. */
static int digits_to_int(const char *z, size_t n, int bNeg, long long *piVal) {
  if (n == 0 || n > 19) return 0;
  unsigned long long v = 0;
  for (size_t i = 0; i < n; i++) {
    if (z[i] < '0' || z[i] > '9') return 0;
    v = v * 10 + (unsigned long long)(z[i] - '0');
  }
  if (v > (unsigned long long)INT64_MAX + (bNeg ? 1 : 0)) return 0;
  *piVal = bNeg ? (long long)(0 - v) : (long long)v;
  return 1;
}

static pthread_once_t cLocaleOnce = PTHREAD_ONCE_INIT;
static locale_t cLocale; /* "C", for strtod_l; (locale_t)0 when it could not be made */

static void c_locale_init(void) {
  cLocale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* A JSON number token z[0..n) as INTEGER when it is a whole number that fits exactly,
** REAL otherwise: the whole token, however long (a mantissa of 500 digits, its exponent
** after them), read by the C library's correctly rounded strtod in the "C" locale (a host
** whose locale writes "1,5" must not read "1.5" as 1). p's scratch holds a long token. */
static void number_value(SmsPage *p, const char *z, size_t n, SmsValue *pVal) {
  char zBuf[64];
  int bNeg = z[0] == '-';
  if (digits_to_int(z + bNeg, n - bNeg, bNeg, &pVal->iVal)) {
    pVal->eType = SMS_INT;
    return;
  }
  char *zNum = n < sizeof(zBuf) ? zBuf : scratch(p, n + 1);
  if (!zNum) return; /* out of memory: NULL rather than a wrong value */
  memcpy(zNum, z, n);
  zNum[n] = 0;
  pthread_once(&cLocaleOnce, c_locale_init);
  double r = cLocale ? strtod_l(zNum, 0, cLocale) : strtod(zNum, 0);
  /* Doubles hold every integer up to 2^53 exactly; phone numbers are far below. */
  if (r == floor(r) && fabs(r) < 9007199254740992.0) {
    pVal->eType = SMS_INT;
    pVal->iVal = (long long)r;
  } else {
    pVal->eType = SMS_REAL;
    pVal->rVal = r;
  }
}

void sms_page_row_field(SmsPage *p, int iRow, SmsField eField, SmsValue *pVal) {
  const SmsRow *pRow = &p->aRow[iRow];
  const char *z = pRow->zObj + pRow->aOff[eField];
  size_t n = pRow->aLen[eField];
  pVal->eType = SMS_NULL;
  if (n == 0) return;
  switch (z[0]) {
  case '"': {
    const char *zText = z + 1;
    size_t nText = n - 2;
    if (!(pRow->fPlain & (1u << eField)) && memchr(zText, '\\', nText)) {
      char *zOut = scratch(p, n);
      if (!zOut) return; /* out of memory: NULL rather than a wrong value */
      nText = unescape(z, n, zOut);
      zText = zOut;
    }
    if (eField == SMS_F_NUMBER && digits_to_int(zText, nText, 0, &pVal->iVal)) {
      pVal->eType = SMS_INT;
      return;
    }
    pVal->eType = SMS_TEXT;
    pVal->z = zText;
    pVal->n = nText;
    if (eField == SMS_F_DATE && pRow->eDate > 0) { /* known good: the same rewrite */
      memcpy(pVal->zBuf, zText, 19);               /* YYYY-MM-DD HH:MM:SS */
      pVal->zBuf[10] = ' ';
      pVal->zBuf[19] = 0;
      pVal->z = pVal->zBuf;
      pVal->n = 19;
    } else if (eField == SMS_F_DATE && sms_date_to_sql(zText, nText, pVal->zBuf)) {
      pVal->z = pVal->zBuf;
      pVal->n = 19;
    }
    return;
  }
  case 't':
  case 'f':
    pVal->eType = SMS_INT;
    pVal->iVal = z[0] == 't';
    return;
  case 'n':
  case '{':
  case '[':
    return;
  default:
    number_value(p, z, n, pVal);
    return;
  }
}

int sms_page_row_time(SmsPage *p, int iRow, long long *pt) {
  SmsRow *pRow = &p->aRow[iRow];
  if (pRow->eDate == 0) {
    SmsValue v;
    sms_time t;
    sms_page_row_field(p, iRow, SMS_F_DATE, &v);
    /* sms_time_parse accepts no text sms_date_to_sql refuses: a date it reads is rewritten
    ** by the fast path of sms_page_row_field exactly as sms_date_to_sql would */
    if (v.eType == SMS_TEXT && sms_time_parse(v.z, v.n, &t) == 0) {
      pRow->iDate = t;
      pRow->eDate = 1;
    } else {
      pRow->eDate = -1;
    }
  }
  *pt = pRow->iDate;
  return pRow->eDate > 0;
}

void sms_page_field(SmsPage *p, SmsField eField, SmsValue *pVal) {
  sms_page_row_field(p, p->iCur, eField, pVal);
}

/* Call xByte for each byte of the row's text but the whitespace between tokens. */
#define FOR_COMPACT_BYTES(pRow, c, BODY)                                                       \
  do {                                                                                         \
    int bInString_ = 0;                                                                        \
    for (unsigned int i_ = 0; i_ < (pRow)->nObj; i_++) {                                       \
      char c = (pRow)->zObj[i_];                                                               \
      if (bInString_) {                                                                        \
        if (c == '\\') {                                                                       \
          BODY;                                                                                \
          c = (pRow)->zObj[++i_];                                                              \
        } else if (c == '"') {                                                                 \
          bInString_ = 0;                                                                      \
        }                                                                                      \
      } else if (c == '"') {                                                                   \
        bInString_ = 1;                                                                        \
      } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {                            \
        continue;                                                                              \
      }                                                                                        \
      BODY;                                                                                    \
    }                                                                                          \
  } while (0)

char *sms_page_row_json(const SmsPage *p, int iRow) {
  const SmsRow *pRow = &p->aRow[iRow];
  char *zOut = malloc(pRow->nObj + 1);
  size_t n = 0;
  if (!zOut) return 0;
  FOR_COMPACT_BYTES(pRow, c, zOut[n++] = c);
  zOut[n] = 0;
  return zOut;
}

unsigned long long sms_page_row_hash(const SmsPage *p, int iRow) {
  unsigned long long h = 14695981039346656037ULL;
  FOR_COMPACT_BYTES(&p->aRow[iRow], c, h = (h ^ (unsigned char)c) * 1099511628211ULL);
  return h;
}

/* ---------------------------------------------------------------- identity */

/* SipHash-2-4 (Aumasson and Bernstein, 2012), fed in pieces. A keyed 64-bit hash whose
** outputs behave as random for distinct inputs, unlike FNV, whose structure makes near
** identical short texts (two bodies one letter apart) collide far more often than 2^-64. */
typedef struct SipState {
  uint64_t v0, v1, v2, v3; /* the state words */
  uint64_t m;              /* bytes waiting for a full 8-byte word, little-endian */
  unsigned nTail;          /* bytes in m */
  uint64_t nTotal;         /* bytes fed so far: the last word carries it */
} SipState;

#define SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sip_rounds(SipState *s, int n) {
  while (n-- > 0) {
    s->v0 += s->v1;
    s->v1 = SIP_ROTL(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = SIP_ROTL(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = SIP_ROTL(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = SIP_ROTL(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = SIP_ROTL(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = SIP_ROTL(s->v2, 32);
  }
}

static void sip_init(SipState *s, uint64_t k0, uint64_t k1) {
  s->v0 = k0 ^ 0x736f6d6570736575ULL;
  s->v1 = k1 ^ 0x646f72616e646f6dULL;
  s->v2 = k0 ^ 0x6c7967656e657261ULL;
  s->v3 = k1 ^ 0x7465646279746573ULL;
  s->m = 0;
  s->nTail = 0;
  s->nTotal = 0;
}

static void sip_update(SipState *s, const void *pData, size_t n) {
  const unsigned char *z = pData;
  for (size_t i = 0; i < n; i++) {
    s->m |= (uint64_t)z[i] << (8 * s->nTail);
    if (++s->nTail == 8) {
      s->v3 ^= s->m;
      sip_rounds(s, 2);
      s->v0 ^= s->m;
      s->m = 0;
      s->nTail = 0;
    }
  }
  s->nTotal += n;
}

static uint64_t sip_final(SipState *s) {
  uint64_t b = (s->nTotal << 56) | s->m;
  s->v3 ^= b;
  sip_rounds(s, 2);
  s->v0 ^= b;
  s->v2 ^= 0xff;
  sip_rounds(s, 4);
  return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

unsigned long long sms_siphash(unsigned long long iK0, unsigned long long iK1, const void *z,
                               size_t n) {
  SipState s;
  sip_init(&s, iK0, iK1);
  sip_update(&s, z, n);
  return sip_final(&s);
}

/* The key of the identity hash: fixed for good, since every archive keyed by message_key
** depends on it ("sms_messages key" in ASCII). */
#define IDENTITY_K0 0x73656d5f736d73ULL
#define IDENTITY_K1 0x79656b2065676173ULL

/* Feed one value as a tag byte and a fixed-size length or value, so that no two different
** sequences of values feed the same bytes (a text cannot pass for the next field). */
static void sip_value(SipState *s, const SmsValue *v) {
  unsigned char aLen[8];
  uint64_t u = 0;
  static const char azTag[] = {'N', 'I', 'R', 'T'};
  sip_update(s, &azTag[v->eType], 1);
  switch (v->eType) {
  case SMS_INT:
    u = (uint64_t)v->iVal;
    break;
  case SMS_REAL:
    memcpy(&u, &v->rVal, sizeof(u));
    break;
  case SMS_TEXT:
    u = (uint64_t)v->n;
    break;
  default:
    return;
  }
  for (int i = 0; i < 8; i++)
    aLen[i] = (unsigned char)(u >> (8 * i));
  sip_update(s, aLen, 8);
  if (v->eType == SMS_TEXT) sip_update(s, v->z, v->n);
}

int sms_page_row_identity(SmsPage *p, int iRow, SmsIdentity *pId) {
  static const SmsField aeField[] = {SMS_F_TYPE, SMS_F_DATE, SMS_F_NUMBER, SMS_F_BODY};
  SipState s;
  size_t n = 0;
  sip_init(&s, IDENTITY_K0, IDENTITY_K1);
  for (int i = 0; i < 4; i++) {
    SmsValue v;
    char zPart[24] = "?";
    sms_page_row_field(p, iRow, aeField[i], &v);
    /* row_field answers NULL when out of memory; a text with escapes, or a long number,
    ** needs the scratch */
    char cFirst = p->aRow[iRow].zObj[p->aRow[iRow].aOff[aeField[i]]];
    if (v.eType == SMS_NULL && p->aRow[iRow].aLen[aeField[i]] > 0 &&
        (cFirst == '"' || cFirst == '-' || (cFirst >= '0' && cFirst <= '9'))) {
      return SMS_NOMEM;
    }
    sip_value(&s, &v);
    if (aeField[i] == SMS_F_TYPE && v.eType == SMS_TEXT && v.n == 2 &&
        (memcmp(v.z, "MO", 2) == 0 || memcmp(v.z, "MT", 2) == 0)) {
      memcpy(zPart, v.z, 2);
      zPart[2] = 0;
    } else if (aeField[i] == SMS_F_DATE && v.eType == SMS_TEXT && v.z == v.zBuf) {
      memcpy(zPart, v.zBuf, 20); /* canonical: sms_date_to_sql rewrote it */
    } else if (aeField[i] == SMS_F_NUMBER && v.eType == SMS_INT && v.iVal >= 0) {
      snprintf(zPart, sizeof(zPart), "%lld", v.iVal);
    }
    if (aeField[i] == SMS_F_BODY) break; /* the body is in the hash only */
    n +=
        (size_t)snprintf(pId->zClear + n, sizeof(pId->zClear) - n, "%s%s", i ? "/" : "", zPart);
  }
  pId->iHash = sip_final(&s);
  return SMS_OK;
}

/* ---------------------------------------------------------------- SQLite's order of dates */

/* A row's date as ORDER BY date sees it, which is what xColumn returns: NULL first, then
** numbers by value, then text by memcmp and length (the column's BINARY collation). */
typedef struct DateKey {
  int eClass;        /* 0 NULL, 1 a number, 2 text: SQLite's order of the storage classes */
  int bReal;         /* a number: rVal holds it, else iVal */
  long long iVal;    /* an INTEGER */
  double rVal;       /* a REAL */
  const char *zText; /* text: its bytes */
  size_t nText;      /* text: bytes at zText */
  size_t iText;      /* text: where its bytes are in the arena, until zText is set */
} DateKey;

/* An INTEGER against a REAL, exactly, as SQLite compares them: a 64-bit integer is not
** rounded to a double first. */
static int int_real_cmp(long long i, double r) {
  if (r < -9223372036854775808.0) return 1;
  if (r >= 9223372036854775808.0) return -1;
  long long y = (long long)r; /* r's whole part; r - y is exact */
  if (i != y) return i < y ? -1 : 1;
  double f = r - (double)y;
  return f > 0 ? -1 : f < 0 ? 1 : 0;
}

static int date_key_cmp(const DateKey *a, const DateKey *b) {
  if (a->eClass != b->eClass) return a->eClass < b->eClass ? -1 : 1;
  if (a->eClass == 1) {
    if (!a->bReal && !b->bReal) return a->iVal < b->iVal ? -1 : a->iVal > b->iVal;
    if (a->bReal && b->bReal) return a->rVal < b->rVal ? -1 : a->rVal > b->rVal;
    return a->bReal ? -int_real_cmp(b->iVal, a->rVal) : int_real_cmp(a->iVal, b->rVal);
  }
  if (a->eClass == 2) {
    size_t n = a->nText < b->nText ? a->nText : b->nText;
    int c = n ? memcmp(a->zText, b->zText, n) : 0;
    if (c) return c < 0 ? -1 : 1;
    return a->nText < b->nText ? -1 : a->nText > b->nText;
  }
  return 0;
}

typedef struct SortRow {
  SmsRow row;  /* the message */
  DateKey key; /* its date, as ORDER BY sees it */
  int iOrig;   /* its position before sorting: ties keep arrival order */
} SortRow;

static int sort_row_asc(const void *pA, const void *pB) {
  const SortRow *a = pA, *b = pB;
  int c = date_key_cmp(&a->key, &b->key);
  return c ? c : (a->iOrig > b->iOrig) - (a->iOrig < b->iOrig);
}

static int sort_row_desc(const void *pA, const void *pB) {
  const SortRow *a = pA, *b = pB;
  int c = date_key_cmp(&b->key, &a->key);
  return c ? c : (a->iOrig > b->iOrig) - (a->iOrig < b->iOrig);
}

/* Sort p's rows by date in SQLite's order (newest first when bDesc), ties in arrival order.
** *paSorted gets the rows with their keys, whose text lies in *pzArena (the caller frees
** both). SMS_NOMEM, or 0. */
static int sort_rows(SmsPage *p, int bDesc, SortRow **paSorted, char **pzArena) {
  int n = p->nRow;
  size_t nArena = 0, nArenaAlloc = 0;
  char *zArena = 0;
  SortRow *a = malloc((n ? n : 1) * sizeof(*a));
  *paSorted = 0;
  *pzArena = 0;
  if (!a) return SMS_NOMEM;
  for (int i = 0; i < n; i++) {
    SmsValue v;
    DateKey *k = &a[i].key;
    memset(k, 0, sizeof(*k));
    sms_page_row_field(p, i, SMS_F_DATE, &v);
    if (v.eType == SMS_INT) {
      k->eClass = 1;
      k->iVal = v.iVal;
    } else if (v.eType == SMS_REAL && v.rVal == v.rVal) { /* SQLite shows a NaN as NULL */
      k->eClass = 1;
      k->bReal = 1;
      k->rVal = v.rVal;
    } else if (v.eType == SMS_TEXT) {
      /* the text may be in the page's scratch or in v: keep a copy */
      if (nArena + v.n > nArenaAlloc) {
        size_t nNew = (nArena + v.n) * 2 + 256;
        char *zNew = realloc(zArena, nNew);
        if (!zNew) goto nomem;
        zArena = zNew;
        nArenaAlloc = nNew;
      }
      if (v.n) memcpy(zArena + nArena, v.z, v.n);
      k->eClass = 2;
      k->iText = nArena;
      k->nText = v.n;
      nArena += v.n;
    }
    a[i].row = p->aRow[i];
    a[i].iOrig = i;
  }
  for (int i = 0; i < n; i++) {
    if (a[i].key.eClass == 2) a[i].key.zText = zArena ? zArena + a[i].key.iText : "";
  }
  qsort(a, n, sizeof(*a), bDesc ? sort_row_desc : sort_row_asc);
  for (int i = 0; i < n; i++)
    p->aRow[i] = a[i].row;
  p->iCur = 0;
  *paSorted = a;
  *pzArena = zArena;
  return 0;

nomem:
  free(zArena);
  free(a);
  return SMS_NOMEM;
}

int sms_page_sort_by_date(SmsPage *p, int bDesc) {
  SortRow *a;
  char *zArena;
  int rc = sort_rows(p, bDesc, &a, &zArena);
  free(a);
  free(zArena);
  return rc;
}

/* ---------------------------------------------------------------- ordered scans */

struct SmsOrder {
  int bDesc;     /* newest first */
  SmsPage carry; /* rows held back for a later sub-window, each in its own body */
  int bEmitted;  /* a row was handed out */
  DateKey last;  /* the date of the last row handed out */
  char *zLast;   /* the bytes of last.zText (malloc'd) */
};

int sms_order_new(SmsOrder **pp, int bDesc) {
  *pp = calloc(1, sizeof(**pp));
  if (!*pp) return SMS_NOMEM;
  (*pp)->bDesc = bDesc;
  return 0;
}

void sms_order_free(SmsOrder *p) {
  if (!p) return;
  sms_page_clear(&p->carry);
  free(p->zLast);
  free(p);
}

/* The slot of (h0, h1): its own, or the free one where it would go. */
static int hash_count_slot(const SmsHashCount *p, unsigned long long h0,
                           unsigned long long h1) {
  int j = (int)(h0 & (unsigned long long)(p->nSlot - 1));
  while (p->aCount[j] && (p->aHash[2 * j] != h0 || p->aHash[2 * j + 1] != h1))
    j = (j + 1) & (p->nSlot - 1);
  return j;
}

int sms_hash_count_add(SmsHashCount *p, unsigned long long h0, unsigned long long h1,
                       int *pnBefore) {
  if (2 * (p->nUsed + 1) > p->nSlot) { /* grow: keep it half empty */
    SmsHashCount n;
    n.nSlot = p->nSlot ? p->nSlot * 2 : 256;
    n.nUsed = p->nUsed;
    n.aHash = malloc(2 * (size_t)n.nSlot * sizeof(*n.aHash));
    n.aCount = calloc((size_t)n.nSlot, sizeof(*n.aCount));
    if (!n.aHash || !n.aCount) {
      free(n.aHash);
      free(n.aCount);
      return SMS_NOMEM;
    }
    for (int i = 0; i < p->nSlot; i++) {
      if (!p->aCount[i]) continue;
      int j = hash_count_slot(&n, p->aHash[2 * i], p->aHash[2 * i + 1]);
      n.aHash[2 * j] = p->aHash[2 * i];
      n.aHash[2 * j + 1] = p->aHash[2 * i + 1];
      n.aCount[j] = p->aCount[i];
    }
    sms_hash_count_clear(p);
    *p = n;
  }
  int j = hash_count_slot(p, h0, h1);
  *pnBefore = p->aCount[j];
  if (!p->aCount[j]) {
    p->aHash[2 * j] = h0;
    p->aHash[2 * j + 1] = h1;
    p->nUsed++;
  }
  p->aCount[j]++;
  return SMS_OK;
}

int sms_hash_count_get(const SmsHashCount *p, unsigned long long h0, unsigned long long h1) {
  return p->nSlot ? p->aCount[hash_count_slot(p, h0, h1)] : 0;
}

void sms_hash_count_clear(SmsHashCount *p) {
  free(p->aHash);
  free(p->aCount);
  memset(p, 0, sizeof(*p));
}

/* Append row pRow to pDst, in a body of its own: *pzOwned when it is one already (a row held
** back before: the body moves, and *pzOwned becomes NULL), else a copy of the row's text. A
** row held back over many sub-windows is so copied once. pDst's arrays grow by doubling:
** their room is the next power of two of nRow (nRow equals nBody here). */
static int carry_row(SmsPage *pDst, const SmsRow *pRow, char **pzOwned) {
  int n = pDst->nRow;
  if (n == 0 || (n & (n - 1)) == 0) {
    int nNew = n ? n * 2 : 16;
    SmsRow *aRow = realloc(pDst->aRow, nNew * sizeof(SmsRow));
    if (!aRow) return SMS_NOMEM;
    pDst->aRow = aRow;
    pDst->nRowAlloc = 0;
    char **azBody = realloc(pDst->azBody, nNew * sizeof(char *));
    if (!azBody) return SMS_NOMEM;
    pDst->azBody = azBody;
  }
  char *zBody = pzOwned && *pzOwned == pRow->zObj ? *pzOwned : 0;
  if (zBody) {
    *pzOwned = 0;
  } else {
    zBody = malloc(pRow->nObj ? pRow->nObj : 1);
    if (!zBody) return SMS_NOMEM;
    memcpy(zBody, pRow->zObj, pRow->nObj);
  }
  pDst->azBody[pDst->nBody++] = zBody;
  pDst->aRow[pDst->nRow] = *pRow;
  pDst->aRow[pDst->nRow++].zObj = zBody; /* the field offsets are from zObj */
  return 0;
}

static void describe_key(const DateKey *k, char *zOut) {
  if (k->eClass == 0) {
    snprintf(zOut, 64, "missing (NULL)");
  } else if (k->eClass == 1 && !k->bReal) {
    snprintf(zOut, 64, "%lld", k->iVal);
  } else if (k->eClass == 1) {
    snprintf(zOut, 64, "%.17g", k->rVal);
  } else {
    snprintf(zOut, 64, "'%.*s'", (int)(k->nText < 40 ? k->nText : 40), k->zText);
  }
}

int sms_order_step(SmsOrder *p, SmsPage *pPage, const char *zBound, int bLast, char *zBad) {
  SortRow *a = 0;
  char *zArena = 0;
  int rc = 0;
  zBad[0] = 0;

  /* The rows held back go before them (ties keep arrival order), and all are sorted. Row i
  ** < nHeld is a row held back, in body i. */
  int nHeld = p->carry.nRow;
  if (sms_page_take_rows(&p->carry, pPage)) return SMS_NOMEM; /* first: they came first */
  *pPage = p->carry;
  memset(&p->carry, 0, sizeof(p->carry));
  rc = sort_rows(pPage, p->bDesc, &a, &zArena);
  if (rc) return rc;
  int n = pPage->nRow;

  /* A row that sorts before one already handed out cannot be put right any more. */
  if (n && p->bEmitted &&
      (p->bDesc ? date_key_cmp(&p->last, &a[0].key) : date_key_cmp(&a[0].key, &p->last)) < 0) {
    describe_key(&a[0].key, zBad);
    rc = SMS_ERROR;
    goto done;
  }

  /* Hand out the rows that no later sub-window's dated row can precede; hold back the rest:
  ** those later rows are older than zBound (newer when ascending). */
  int nOut = n;
  if (!bLast) {
    DateKey bound;
    memset(&bound, 0, sizeof(bound));
    bound.eClass = 2;
    bound.zText = zBound;
    bound.nText = 19;
    for (nOut = 0; nOut < n; nOut++) {
      int c = date_key_cmp(&a[nOut].key, &bound);
      if (p->bDesc ? c < 0 : c >= 0) break;
    }
  }
  for (int i = nOut; i < n && rc == 0; i++) {
    int iOrig = a[i].iOrig;
    rc = carry_row(&p->carry, &pPage->aRow[i], iOrig < nHeld ? &pPage->azBody[iOrig] : 0);
  }
  if (rc) goto done;
  if (nOut) {
    const DateKey *k = &a[nOut - 1].key;
    char *zLast = k->eClass == 2 ? malloc(k->nText ? k->nText : 1) : 0;
    if (k->eClass == 2 && !zLast) {
      rc = SMS_NOMEM;
      goto done;
    }
    if (zLast && k->nText) memcpy(zLast, k->zText, k->nText);
    free(p->zLast);
    p->zLast = zLast;
    p->last = *k;
    p->last.zText = zLast;
    p->bEmitted = 1;
  }
  pPage->nRow = nOut;
  pPage->iCur = 0;

done:
  free(a);
  free(zArena);
  return rc;
}

/* ---------------------------------------------------------------- error bodies */

static const cJSON *object_item(const cJSON *pObj, const char *zKey) {
  return cJSON_IsObject(pObj) ? cJSON_GetObjectItemCaseSensitive(pObj, zKey) : 0;
}

/* Append z to zOut (of nOut bytes, *pn used), separated from what is there by "; ". */
static void append_text(char *zOut, size_t nOut, size_t *pn, const char *z) {
  if (*pn + 1 >= nOut) return;
  int w = snprintf(zOut + *pn, nOut - *pn, "%s%s", *pn ? "; " : "", z);
  if (w > 0) *pn += (size_t)w < nOut - *pn ? (size_t)w : nOut - *pn - 1;
}

/* Whether generalErrors already holds the text z: a field error that repeats one is left
** out, so that the user reads each message once. */
static int said_in_general(const cJSON *pMeta, const char *z) {
  const cJSON *pItem;
  cJSON_ArrayForEach(pItem, object_item(pMeta, "generalErrors")) {
    const cJSON *pMsg = cJSON_IsString(pItem) ? pItem : object_item(pItem, "message");
    if (cJSON_IsString(pMsg) && strcmp(pMsg->valuestring, z) == 0) return 1;
  }
  return 0;
}

size_t sms_page_error_text(const char *z, size_t n, char *zOut, size_t nOut) {
  size_t nUsed = 0;
  cJSON *pRoot = cJSON_ParseWithLength(z, n);
  zOut[0] = 0;
  if (pRoot == 0) return 0;
  const cJSON *pMeta = object_item(pRoot, "meta");
  if (pMeta == 0) pMeta = pRoot;
  const cJSON *pItem;
  cJSON_ArrayForEach(pItem, object_item(pMeta, "generalErrors")) {
    const cJSON *pMsg = cJSON_IsString(pItem) ? pItem : object_item(pItem, "message");
    if (cJSON_IsString(pMsg)) append_text(zOut, nOut, &nUsed, pMsg->valuestring);
  }
  cJSON_ArrayForEach(pItem, object_item(pMeta, "fieldErrors")) {
    if (cJSON_IsString(pItem) && pItem->string && nUsed + 1 < nOut &&
        !said_in_general(pMeta, pItem->valuestring)) {
      char zField[512];
      snprintf(zField, sizeof(zField), "%s: %s", pItem->string, pItem->valuestring);
      append_text(zOut, nOut, &nUsed, zField);
    }
  }
  cJSON_Delete(pRoot);
  return nUsed;
}
