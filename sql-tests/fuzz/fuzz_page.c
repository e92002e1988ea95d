/*
** fuzz_page.c: libFuzzer target for the page decoder (ext/sms_page.c), which reads every
** response body the API (or anything at base_url) sends.
**
** The input is one response body. It is decoded as a 200 page; when that succeeds every
** row is walked with sms_page_field for every field, sms_page_row_json,
** sms_page_row_hash and sms_page_row_identity; then sms_page_keep_rows drops every other row,
*sms_page_take_rows
** appends a second decode of the same body, sms_page_sort_by_date sorts the result (newest
** first for odd-sized inputs), and each step is walked again. Last, the rows go through
** SmsOrder as three sub-windows of an ordered scan (check_order). The body is also read as an
** error body (sms_page_error_text) with several output sizes.
**
** Besides the sanitizers, it checks what the header promises (nRow rows, values of the
** type they say, a row's JSON that parses back, dates in SQLite's order after a sort and
** out of SmsOrder (no dated row lost), error text
** that fits its buffer), every number against its token read apart (check_number: strtoll,
** or strtod of the whole token) and, differentially, against cJSON: whatever the strict decoder
** accepts, cJSON (more lenient) accepts too, with the same messages and the same values,
** once the body is put in the form where cJSON's reading of keys is the decoder's
** (cjson_view: a key with an escaped NUL is no key we know, whatever cJSON's C strings say).
** Any violation abort()s.
**
** Build and run: bash sql-tests/t/ext_fuzz.sh (or see the clang line there).
*/
#define _GNU_SOURCE /* memmem */
#include "fuzz_guard.h"
#include "sms_page.h"
#include "sms_window.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                               \
  do {                                                                                         \
    if (!(x)) {                                                                                \
      fprintf(stderr, "fuzz_page: check failed: %s (line %d)\n", #x, __LINE__);                \
      abort();                                                                                 \
    }                                                                                          \
  } while (0)

static volatile unsigned long long
    uSink; /* keeps the reads of values from being optimized out */

static void check_value(const SmsValue *v, SmsField e) {
  switch (v->eType) {
  case SMS_NULL:
    break;
  case SMS_INT:
    uSink += (unsigned long long)v->iVal;
    break;
  case SMS_REAL:
    uSink += (unsigned long long)(v->rVal == v->rVal);
    break;
  case SMS_TEXT:
    CHECK(v->z != 0 || v->n == 0);
    for (size_t i = 0; i < v->n; i++)
      uSink += (unsigned char)v->z[i];
    if (v->z == v->zBuf) CHECK(e == SMS_F_DATE && v->n == 19 && v->zBuf[10] == ' ');
    break;
  default:
    CHECK(!"unknown value type");
  }
}

/* Our value of a field against cJSON's item for it (NULL when absent). */
static void check_against_cjson(const SmsValue *v, const cJSON *pItem, SmsField e) {
  if (!pItem || cJSON_IsNull(pItem) || cJSON_IsObject(pItem) || cJSON_IsArray(pItem)) {
    CHECK(v->eType == SMS_NULL);
  } else if (cJSON_IsBool(pItem)) {
    CHECK(v->eType == SMS_INT && v->iVal == (cJSON_IsTrue(pItem) ? 1 : 0));
  } else if (cJSON_IsNumber(pItem)) {
    CHECK(v->eType == SMS_INT || v->eType == SMS_REAL);
    double r = v->eType == SMS_INT ? (double)v->iVal : v->rVal;
    /* cJSON reads every number as a double; we keep whole numbers of 19 digits exactly
    ** (check_number holds them to the token) */
    CHECK(r == pItem->valuedouble || (r != r && pItem->valuedouble != pItem->valuedouble) ||
          (v->eType == SMS_INT &&
           (v->iVal > 9007199254740992LL || v->iVal < -9007199254740992LL)));
  } else if (cJSON_IsString(pItem)) {
    const char *zC = pItem->valuestring;
    if (v->eType == SMS_INT) { /* a number given as a string of digits */
      CHECK(e == SMS_F_NUMBER);
      return;
    }
    CHECK(v->eType == SMS_TEXT);
    if (v->z == v->zBuf) { /* a date rewritten: 'T' or ' ' in the middle */
      CHECK(strlen(zC) >= 19 && memcmp(zC, v->z, 10) == 0 &&
            memcmp(zC + 11, v->z + 11, 8) == 0);
    } else {
      CHECK(strlen(zC) == v->n && memcmp(zC, v->z, v->n) == 0);
    }
  }
}

/* A number token's value, worked out apart from the decoder: a token of digits (and a sign)
** that strtoll reads without overflow is that INTEGER, exactly (19 digits included, as
** SQLite's json_extract gives it); any other is strtod of the whole token (every digit of
** the mantissa, then the exponent), an INTEGER when whole and below 2^53 (the table's rule),
** else a REAL of exactly that double. */
static void check_number(const SmsValue *v, const char *zTok, size_t nTok) {
  char *z = malloc(nTok + 1);
  CHECK(z != 0);
  memcpy(z, zTok, nTok);
  z[nTok] = 0;
  char *zEnd;
  if (strcspn(z, ".eE") == nTok) {
    errno = 0;
    long long i = strtoll(z, &zEnd, 10);
    if (errno == 0) {
      CHECK(zEnd == z + nTok && v->eType == SMS_INT && v->iVal == i);
      free(z);
      return;
    }
  }
  double r = strtod(z, &zEnd);
  CHECK(zEnd == z + nTok);
  if (r == floor(r) && fabs(r) < 9007199254740992.0) {
    CHECK(v->eType == SMS_INT && v->iVal == (long long)r);
  } else {
    CHECK(v->eType == SMS_REAL && memcmp(&v->rVal, &r, sizeof(r)) == 0);
  }
  free(z);
}

/* Read the current row the way the vtab's xColumn does, every column. pObj is cJSON's
** object for the same message, or NULL when the rows were rearranged. */
static void walk_row(SmsPage *p, const cJSON *pObj) {
  char *zJson = sms_page_row_json(p, p->iCur);
  CHECK(zJson != 0);
  /* cJSON cuts a string, key or value, at \u0000; there the two readings may differ. */
  if (strstr(zJson, "\\u0000")) pObj = 0;
  for (int e = 0; e < SMS_N_FIELD; e++) {
    SmsValue v;
    memset(&v, 0xA5, sizeof(v));
    sms_page_field(p, (SmsField)e, &v);
    check_value(&v, (SmsField)e);
    const SmsRow *pRow = &p->aRow[p->iCur];
    const char *zTok = pRow->zObj + pRow->aOff[e];
    if (pRow->aLen[e] > 0 && (zTok[0] == '-' || (zTok[0] >= '0' && zTok[0] <= '9')))
      check_number(&v, zTok, pRow->aLen[e]);
    if (pObj) {
      check_against_cjson(&v, cJSON_GetObjectItemCaseSensitive(pObj, sms_field_json_name[e]),
                          (SmsField)e);
    }
  }
  cJSON *pBack = cJSON_Parse(zJson);
  CHECK(pBack != 0 && cJSON_IsObject(pBack)); /* the raw column is valid JSON */
  if (pObj) { /* ... and the same object (printed, since cJSON_Compare trips on repeated keys)
               */
    char *zA = cJSON_PrintUnformatted(pBack), *zB = cJSON_PrintUnformatted(pObj);
    CHECK(zA && zB && strcmp(zA, zB) == 0);
    cJSON_free(zA);
    cJSON_free(zB);
  }
  cJSON_Delete(pBack);
  free(zJson);
}

/* Walk the page from its current row to the end; returns the rows seen. pData, when not
** NULL, is cJSON's array of the same messages in the same order. */
static int walk_page(SmsPage *p, const cJSON *pData) {
  int n = 0;
  const cJSON *pObj = pData ? pData->child : 0;
  while (sms_page_has_row(p)) {
    CHECK(p->iCur == n);
    walk_row(p, pData ? pObj : 0);
    if (pObj) pObj = pObj->next;
    n++;
    sms_page_next(p);
  }
  CHECK(sms_page_next(p) == 0); /* stays at the end */
  CHECK(n == p->nRow);
  return n;
}

static int keep_every_other(SmsPage *p, int iRow, void *pArg) {
  int *pi = pArg;
  (void)p;
  (void)iRow;
  return (*pi)++ % 2 == 0;
}

/* The body as cJSON must read it to agree with the decoder's key rule (sms_page.h, "Keys"):
** keys compare by all their decoded bytes, but cJSON keeps a key as a C string and so reads
** "data\u0000" as "data". Every \u0000 inside a key becomes \u0001 (same length): the key
** stays one that no field and no envelope name can be, as it is for the decoder, and cJSON
** stays the oracle for everything else. Values are left alone (walk_row handles their
** NULs). z[0..n) is valid JSON (the decoder accepted it); the copy is malloc'd. */
static char *cjson_view(const char *z, size_t n) {
  char *zOut = malloc(n ? n : 1);
  CHECK(zOut != 0);
  memcpy(zOut, z, n);
  size_t i = 0;
  while (i < n) {
    if (zOut[i] != '"') {
      i++;
      continue;
    }
    size_t iStart = ++i;
    while (zOut[i] != '"')
      i += zOut[i] == '\\' ? 2 : 1;
    size_t iEnd = i++;
    size_t j = i;
    while (j < n && (zOut[j] == ' ' || zOut[j] == '\t' || zOut[j] == '\n' || zOut[j] == '\r'))
      j++;
    if (j == n || zOut[j] != ':') continue; /* a value, not a key */
    for (size_t k = iStart; k < iEnd; k += zOut[k] == '\\' ? 2 : 1) {
      if (zOut[k] == '\\' && zOut[k + 1] == 'u' && memcmp(zOut + k + 2, "0000", 4) == 0)
        zOut[k + 5] = '1';
    }
  }
  return zOut;
}

/* A date as ORDER BY sees it, for checking sorts: made independently of sms_page.c's
** DateKey (long double holds every int64 and every double exactly). */
typedef struct RefKey {
  int eClass;       /* 0 NULL, 1 number, 2 text */
  long double rNum; /* a number */
  char zText[64];   /* text: its first bytes */
  size_t nText;     /* text: its length */
} RefKey;

static void ref_key(SmsPage *p, int iRow, RefKey *k) {
  SmsValue v;
  memset(k, 0, sizeof(*k));
  sms_page_row_field(p, iRow, SMS_F_DATE, &v);
  if (v.eType == SMS_INT || (v.eType == SMS_REAL && v.rVal == v.rVal)) {
    k->eClass = 1;
    k->rNum = v.eType == SMS_INT ? (long double)v.iVal : (long double)v.rVal;
  } else if (v.eType == SMS_TEXT) {
    k->eClass = 2;
    k->nText = v.n;
    memcpy(k->zText, v.z, v.n < sizeof(k->zText) ? v.n : sizeof(k->zText));
  }
}

/* <0, 0, >0; texts longer than 64 bytes that agree on those compare as equal (unknown). */
static int ref_cmp(const RefKey *a, const RefKey *b) {
  if (a->eClass != b->eClass) return a->eClass - b->eClass;
  if (a->eClass == 1) return (a->rNum > b->rNum) - (a->rNum < b->rNum);
  if (a->eClass == 0) return 0;
  size_t n = a->nText < b->nText ? a->nText : b->nText;
  if (n > sizeof(a->zText)) n = sizeof(a->zText);
  int c = memcmp(a->zText, b->zText, n);
  if (c || n == sizeof(a->zText)) return c;
  return (a->nText > b->nText) - (a->nText < b->nText);
}

static int keep_part(SmsPage *p, int iRow, void *pArg) {
  const int *ai = pArg; /* [first row kept, first row after] */
  (void)p;
  return iRow >= ai[0] && iRow < ai[1];
}

/* The rows of body z as an ordered scan's three sub-windows (rows [0, n/3), [n/3, 2n/3),
** the rest) through SmsOrder: what comes out is in order across the steps, or a step
** refuses; no dated row is lost (only undated ones are dropped, as repeats). */
static void check_order(const char *z, size_t size, int bDesc, int nRow) {
  static const char *const azBound[2][2] = {{"2026-01-01 00:00:00", "2026-06-30 00:00:00"},
                                            {"2026-06-30 00:00:00", "2026-01-01 00:00:00"}};
  char zErr[300], zBad[64];
  SmsOrder *pOrd;
  RefKey prev, cur;
  sms_time t;
  int nOut = 0, nDatedIn = 0, nDatedOut = 0, bAny = 0;
  CHECK(sms_order_new(&pOrd, bDesc) == 0);
  for (int k = 0; k < 3; k++) {
    SmsPage part;
    int ai[2] = {nRow * k / 3, nRow * (k + 1) / 3};
    memset(&part, 0, sizeof(part));
    CHECK(sms_page_decode(z, size, &part, zErr, sizeof(zErr)) == 0);
    sms_page_keep_rows(&part, keep_part, ai);
    for (int i = 0; i < part.nRow; i++) {
      SmsValue v;
      sms_page_row_field(&part, i, SMS_F_DATE, &v);
      nDatedIn += v.eType == SMS_TEXT && sms_time_parse(v.z, v.n, &t) == 0;
    }
    int e = sms_order_step(pOrd, &part, azBound[bDesc][k < 2 ? k : 1], k == 2, zBad);
    if (e) {
      CHECK(e == SMS_ERROR && memchr(zBad, 0, sizeof(zBad)) != 0);
      sms_page_clear(&part);
      sms_order_free(pOrd);
      return;
    }
    for (int i = 0; i < part.nRow; i++) {
      SmsValue v;
      sms_page_row_field(&part, i, SMS_F_DATE, &v);
      nDatedOut += v.eType == SMS_TEXT && sms_time_parse(v.z, v.n, &t) == 0;
      ref_key(&part, i, &cur);
      if (bAny) CHECK(bDesc ? ref_cmp(&prev, &cur) >= 0 : ref_cmp(&prev, &cur) <= 0);
      prev = cur;
      bAny = 1;
    }
    nOut += part.nRow;
    walk_page(&part, 0);
    sms_page_clear(&part);
  }
  CHECK(nOut <= nRow && nDatedOut == nDatedIn);
  sms_order_free(pOrd);
}

/* cJSON's nextPageUrl of a page object: meta's when meta has one, else the top level's. */
static const cJSON *cjson_next(const cJSON *pRoot) {
  if (!cJSON_IsObject(pRoot)) return 0;
  const cJSON *pMeta = cJSON_GetObjectItemCaseSensitive(pRoot, "meta");
  const cJSON *pNext =
      cJSON_IsObject(pMeta) ? cJSON_GetObjectItemCaseSensitive(pMeta, "nextPageUrl") : 0;
  return pNext ? pNext : cJSON_GetObjectItemCaseSensitive(pRoot, "nextPageUrl");
}

/* cJSON's array of messages of a body we decoded, found the way docs/api-rules.md describes. */
static const cJSON *cjson_messages(const cJSON *pRoot) {
  if (cJSON_IsArray(pRoot)) return pRoot;
  return cJSON_GetObjectItemCaseSensitive(pRoot, "data");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *z = fuzz_guarded_copy(data, size);
  char zErr[300];
  SmsPage page;

  memset(zErr, 0, sizeof(zErr));
  memset(&page, 0, sizeof(page));
  if (sms_page_decode(z, size, &page, zErr, sizeof(zErr)) == 0) {
    /* Differential: cJSON, more lenient, must read the same messages. */
    char *zView = cjson_view(z, size);
    cJSON *pRoot = cJSON_ParseWithLength(zView, size);
    free(zView);
    CHECK(pRoot != 0);
    const cJSON *pData = cjson_messages(pRoot);
    CHECK(cJSON_IsArray(pData) && cJSON_GetArraySize(pData) == page.nRow);
    CHECK(page.nRow >= 0 && page.iCur == 0);
    if (page.zNext) CHECK(page.zNext[0] != 0);
    /* Sent ahead on the peek: a page that decodes names the page the peek named. */
    char *zPeek = malloc(size + 1);
    CHECK(zPeek != 0);
    if (sms_page_peek_next(z, size, zPeek, size + 1)) {
      CHECK(page.zNext != 0 && strcmp(page.zNext, zPeek) == 0);
    }
    free(zPeek);
    const cJSON *pNext = cjson_next(pRoot);
    if (!cJSON_IsString(pNext) || pNext->valuestring[0] == 0) {
      CHECK(page.zNext == 0);
    } else if (!memmem(z, size, "\\u0000", 6)) { /* cJSON's strings stop at a NUL */
      CHECK(page.zNext != 0 && strcmp(page.zNext, pNext->valuestring) == 0);
    }
    for (int i = 0; i < page.nRow; i++) {
      SmsIdentity id;
      uSink += sms_page_row_hash(&page, i);
      CHECK(sms_page_row_identity(&page, i, &id) == 0);
      CHECK(strlen(id.zClear) >= 5 && strlen(id.zClear) < sizeof(id.zClear));
      uSink += id.iHash;
    }
    CHECK(walk_page(&page, pData) == page.nRow);
    cJSON_Delete(pRoot);

    int nRow = page.nRow, iRow = 0;
    sms_page_keep_rows(&page, keep_every_other, &iRow);
    CHECK(iRow == nRow && page.nRow == (nRow + 1) / 2 && page.iCur == 0);
    walk_page(&page, 0);

    /* A second decode of the same body appended: (nRow + 1) / 2 + nRow rows. */
    SmsPage more;
    memset(&more, 0, sizeof(more));
    CHECK(sms_page_decode(z, size, &more, zErr, sizeof(zErr)) == 0 && more.nRow == nRow);
    CHECK(sms_page_take_rows(&page, &more) == 0);
    CHECK(more.azBody == 0 && more.nRow == 0 && page.nRow == (nRow + 1) / 2 + nRow);
    CHECK(page.iCur == 0);
    walk_page(&page, 0);

    /* Sorted by date: SQLite's order of the shown values, whatever they are. */
    int bDesc = size & 1;
    CHECK(sms_page_sort_by_date(&page, bDesc) == 0 && page.iCur == 0);
    RefKey prev, cur;
    memset(&prev, 0, sizeof(prev));
    for (int i = 0; i < page.nRow; i++) {
      ref_key(&page, i, &cur);
      if (i) CHECK(bDesc ? ref_cmp(&prev, &cur) >= 0 : ref_cmp(&prev, &cur) <= 0);
      prev = cur;
    }
    walk_page(&page, 0);
    check_order(z, size, bDesc, nRow);
    sms_page_clear(&page);
  } else {
    CHECK(page.azBody == 0 && page.aRow == 0 && page.nRow == 0); /* cleared on failure */
    CHECK(zErr[0] != 0 && memchr(zErr, 0, sizeof(zErr)) != 0);
  }

  static const size_t anOut[] = {1, 2, 17, 600};
  for (size_t i = 0; i < sizeof(anOut) / sizeof(anOut[0]); i++) {
    char *zOut = malloc(anOut[i]); /* exactly that size: ASan sees any write past it */
    CHECK(zOut != 0);
    size_t n = sms_page_error_text(z, size, zOut, anOut[i]);
    CHECK(n < anOut[i] && strlen(zOut) == n);
    free(zOut);
  }
  return 0;
}
