/*
** fuzz_page.c: libFuzzer target for the page decoder (ext/sms_page.c), which reads every
** response body the API (or anything at base_url) sends.
**
** The input is one response body. It is decoded as a 200 page; when that succeeds every
** row is walked with sms_row_field and sms_page_field (the one-pass field cache: both must
** give the same value) for every field, sms_row_json and sms_page_row_hashes; then
** sms_page_keep_rows drops every other row, sms_page_take_rows appends a second decode of
** the same body, sms_page_sort_by_date sorts the result (newest first for odd-sized
** inputs), and each step is walked again. The body is also read as an error body
** (sms_page_error_text) with several output sizes. Besides the sanitizers, it checks what
** the header promises: nRow rows, a value of the type it says (text of n bytes, a date
** rewritten to 19 bytes), JSON that parses back, dates in order after a sort, error text
** that fits its buffer. Any violation abort()s.
**
** Build and run: bash sql-tests/t/fuzz.sh (or see the clang line there).
*/
#include "fuzz_guard.h"
#include "sms_page.h"

#include <cjson/cJSON.h>
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
    CHECK(v->z != 0);
    CHECK(memchr(v->z, 0, v->n) == 0 && v->z[v->n] == 0); /* n bytes, NUL-terminated */
    for (size_t i = 0; i < v->n; i++)
      uSink += (unsigned char)v->z[i];
    if (v->z == v->zBuf) CHECK(e == SMS_F_DATE && v->n == 19 && v->zBuf[10] == ' ');
    break;
  default:
    CHECK(!"unknown value type");
  }
}

static int same_value(const SmsValue *a, const SmsValue *b) {
  if (a->eType != b->eType) return 0;
  switch (a->eType) {
  case SMS_INT:
    return a->iVal == b->iVal;
  case SMS_REAL:
    return memcmp(&a->rVal, &b->rVal, sizeof(double)) == 0;
  case SMS_TEXT:
    return a->n == b->n && memcmp(a->z, b->z, a->n) == 0;
  default:
    return 1;
  }
}

/* Read the current row the way the vtab's xColumn does, every column, both ways. */
static void walk_row(SmsPage *p) {
  for (int e = 0; e < SMS_N_FIELD; e++) {
    SmsValue v, w;
    memset(&v, 0xA5, sizeof(v));
    memset(&w, 0x5A, sizeof(w));
    sms_row_field(p->pCur, (SmsField)e, &v);
    check_value(&v, (SmsField)e);
    sms_page_field(p, (SmsField)e, &w);
    check_value(&w, (SmsField)e);
    CHECK(same_value(&v, &w)); /* the field cache agrees with a direct lookup */
  }
  char *zJson = sms_row_json(p->pCur);
  CHECK(zJson != 0);
  cJSON *pBack = cJSON_Parse(zJson);
  CHECK(pBack != 0 && cJSON_IsObject(pBack)); /* the raw column is valid JSON */
  cJSON_Delete(pBack);
  free(zJson);
}

/* Walk the page from its current row to the end; returns the rows seen. */
static int walk_page(SmsPage *p) {
  int n = 0;
  while (p->pCur) {
    CHECK(p->iCur == n);
    walk_row(p);
    n++;
    sms_page_next(p);
  }
  CHECK(sms_page_next(p) == 0); /* stays at the end */
  CHECK(n == p->nRow && (!p->pData || n == cJSON_GetArraySize(p->pData)));
  return n;
}

static int keep_every_other(const cJSON *pRow, void *pArg) {
  int *pi = pArg;
  (void)pRow;
  return (*pi)++ % 2 == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *z = fuzz_guarded_copy(data, size);
  char zErr[300];
  SmsPage page;

  memset(zErr, 0, sizeof(zErr));
  if (sms_page_decode(z, size, &page, zErr, sizeof(zErr)) == 0) {
    CHECK(page.pRoot != 0 && cJSON_IsArray(page.pData) && page.nRow >= 0);
    CHECK(page.nRow == cJSON_GetArraySize(page.pData));
    CHECK((page.nRow == 0) == (page.pCur == 0));
    if (page.zNext) CHECK(page.zNext[0] != 0);
    unsigned long long *aHash = malloc(sizeof(*aHash) * (page.nRow ? page.nRow : 1));
    CHECK(aHash != 0);
    sms_page_row_hashes(&page, aHash);
    for (int i = 0; i < page.nRow; i++)
      uSink += aHash[i];
    free(aHash);
    CHECK(walk_page(&page) == page.nRow);

    int nRow = page.nRow, iRow = 0;
    sms_page_keep_rows(&page, keep_every_other, &iRow);
    CHECK(iRow == nRow && page.nRow == (nRow + 1) / 2 && page.iCur == 0);
    walk_page(&page);

    /* A second decode of the same body appended: (nRow + 1) / 2 + nRow rows. */
    SmsPage more;
    CHECK(sms_page_decode(z, size, &more, zErr, sizeof(zErr)) == 0 && more.nRow == nRow);
    sms_page_take_rows(&page, &more);
    CHECK(more.pRoot == 0 && more.nRow == 0 && page.nRow == (nRow + 1) / 2 + nRow);
    CHECK(page.iCur == 0 && (page.nRow == 0) == (page.pCur == 0));
    walk_page(&page);

    /* Sorted by date: every date canonical and in order, or refused as a whole. */
    int bDesc = size & 1;
    const char *zBad = (const char *)1;
    int e = sms_page_sort_by_date(&page, bDesc, &zBad);
    CHECK(e == 0 || e == SMS_PAGE_UNDATED);
    if (e == 0) {
      char zPrev[20] = "";
      for (const cJSON *pRow = page.pData ? page.pData->child : 0; pRow; pRow = pRow->next) {
        SmsValue v;
        sms_row_field(pRow, SMS_F_DATE, &v);
        CHECK(v.eType == SMS_TEXT && v.n == 19);
        if (zPrev[0]) CHECK(bDesc ? memcmp(zPrev, v.z, 19) >= 0 : memcmp(zPrev, v.z, 19) <= 0);
        memcpy(zPrev, v.z, 19);
        zPrev[19] = 0;
        if (!pRow->next) CHECK(page.pData->child->prev == pRow); /* cJSON's tail link */
      }
      CHECK(page.iCur == 0);
      walk_page(&page);
    } else {
      CHECK(zBad != (const char *)1); /* set: to the bad date's text, or NULL */
    }
    sms_page_clear(&page);
  } else {
    CHECK(page.pRoot == 0 && page.pCur == 0 && page.nRow == 0); /* cleared on failure */
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
