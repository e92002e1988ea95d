/*
** sms_page.c: the page decoder, one API response body in, rows out. See sms_page.h.
**
** A row stays the cJSON object the parser made: the vtab reads the few fields a query asks
** for straight from it, so nothing is copied per row unless SQLite asks for that column.
*/
#include "sms_page.h"
#include "sms_window.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

const char *const sms_field_json_name[SMS_N_FIELD] = {
    "campaignName", "programName", "programType", "type",    "deliveryStatus",
    "number",       "body",        "date",        "network",
};

static const cJSON *object_item(const cJSON *pObj, const char *zKey) {
  return cJSON_IsObject(pObj) ? cJSON_GetObjectItemCaseSensitive(pObj, zKey) : 0;
}

int sms_page_decode(const char *z, size_t n, SmsPage *p, char *zErr, size_t nErr) {
  const char *zEnd = 0;
  memset(p, 0, sizeof(*p));
  p->pRoot = cJSON_ParseWithLengthOpts(z, n, &zEnd, 0);
  if (p->pRoot == 0) {
    size_t iAt = zEnd && zEnd >= z ? (size_t)(zEnd - z) : 0;
    if (n == 0) {
      snprintf(zErr, nErr, "the response body is empty");
    } else {
      snprintf(zErr, nErr, "the response is not valid JSON (error at byte %zu of %zu)", iAt, n);
    }
    goto fail;
  }
  while (zEnd < z + n && (*zEnd == ' ' || *zEnd == '\n' || *zEnd == '\r' || *zEnd == '\t'))
    zEnd++;
  if (zEnd != z + n) {
    snprintf(zErr, nErr, "the response has bytes after its JSON value (at byte %zu of %zu)",
             (size_t)(zEnd - z), n);
    goto fail;
  }

  const cJSON *pNext = 0;
  if (cJSON_IsArray(p->pRoot)) {
    p->pData = p->pRoot;
  } else if (cJSON_IsObject(p->pRoot)) {
    p->pData = cJSON_GetObjectItemCaseSensitive(p->pRoot, "data");
    if (!cJSON_IsArray(p->pData)) {
      snprintf(zErr, nErr, "the response has no \"data\" array of messages");
      goto fail;
    }
    pNext = object_item(object_item(p->pRoot, "meta"), "nextPageUrl");
    if (pNext == 0) pNext = object_item(p->pRoot, "nextPageUrl");
    if (pNext && !cJSON_IsNull(pNext) && !cJSON_IsString(pNext)) {
      snprintf(zErr, nErr, "the response's nextPageUrl is not a string");
      goto fail;
    }
  } else {
    snprintf(zErr, nErr, "the response is neither a page object nor an array of messages");
    goto fail;
  }

  int i = 0;
  const cJSON *pRow;
  cJSON_ArrayForEach(pRow, p->pData) {
    if (!cJSON_IsObject(pRow)) {
      snprintf(zErr, nErr, "message %d of the response is not a JSON object", i + 1);
      goto fail;
    }
    i++;
  }
  p->nRow = i;
  p->pCur = p->pData->child;
  p->zNext = cJSON_IsString(pNext) && pNext->valuestring[0] ? pNext->valuestring : 0;
  return 0;

fail:
  sms_page_clear(p);
  return -1;
}

int sms_page_next(SmsPage *p) {
  if (p->pCur) {
    p->pCur = p->pCur->next;
    p->iCur++;
  }
  return p->pCur != 0;
}

void sms_page_keep_rows(SmsPage *p, int (*xKeep)(const cJSON *pRow, void *pArg), void *pArg) {
  cJSON *pRow, *pNext;
  int n = 0;
  if (!p->pData) return;
  for (pRow = p->pData->child; pRow; pRow = pNext) {
    pNext = pRow->next;
    if (xKeep(pRow, pArg)) {
      n++;
    } else {
      cJSON_Delete(cJSON_DetachItemViaPointer(p->pData, pRow));
    }
  }
  p->nRow = n;
  p->pCur = p->pData->child;
  p->iCur = 0;
  p->pFieldRow = 0;
}

void sms_page_take_rows(SmsPage *pDst, SmsPage *pSrc) {
  if (!pDst->pRoot) {
    *pDst = *pSrc;
    pDst->zNext = 0;
  } else {
    cJSON *pRow;
    while (pSrc->pData && (pRow = pSrc->pData->child) != 0) {
      cJSON_AddItemToArray(pDst->pData, cJSON_DetachItemViaPointer(pSrc->pData, pRow));
    }
    pDst->nRow += pSrc->nRow;
    sms_page_clear(pSrc);
  }
  memset(pSrc, 0, sizeof(*pSrc));
  pDst->pCur = pDst->pData ? pDst->pData->child : 0;
  pDst->iCur = 0;
  pDst->pFieldRow = 0;
}

typedef struct DatedRow {
  cJSON *pRow;    /* the message */
  char zDate[20]; /* its date, canonical: text order is time order */
  int iOrig;      /* its position before sorting, to keep ties stable */
} DatedRow;

static int dated_row_cmp(const void *pA, const void *pB) {
  const DatedRow *a = pA, *b = pB;
  int c = memcmp(a->zDate, b->zDate, 19);
  return c ? c : a->iOrig - b->iOrig;
}

int sms_page_sort_by_date(SmsPage *p, int bDesc, const char **pzBadDate) {
  int i = 0, n = p->nRow;
  cJSON *pRow;
  *pzBadDate = 0;
  if (n < 1) return 0;
  DatedRow *a = malloc(n * sizeof(*a));
  if (!a) return SMS_PAGE_NOMEM;
  for (pRow = p->pData->child; pRow && i < n; pRow = pRow->next, i++) {
    SmsValue v;
    sms_row_field(pRow, SMS_F_DATE, &v);
    if (v.eType != SMS_TEXT || v.n != 19 || sms_date_to_sql(v.z, v.n, a[i].zDate) != 19) {
      *pzBadDate = v.eType == SMS_TEXT ? v.z : 0;
      free(a);
      return SMS_PAGE_UNDATED;
    }
    a[i].pRow = pRow;
    a[i].iOrig = bDesc ? -i : i; /* ties: arrival order, whichever way the sort runs */
  }
  qsort(a, n, sizeof(*a), dated_row_cmp);
  /* Relink the array's children in the new order. */
  for (i = 0; i < n; i++) {
    cJSON *pItem = a[bDesc ? n - 1 - i : i].pRow;
    pItem->prev = i ? a[bDesc ? n - i : i - 1].pRow : 0;
    pItem->next = i + 1 < n ? a[bDesc ? n - 2 - i : i + 1].pRow : 0;
  }
  p->pData->child = a[bDesc ? n - 1 : 0].pRow;
  p->pData->child->prev = a[bDesc ? 0 : n - 1].pRow; /* cJSON keeps the tail in child->prev */
  free(a);
  p->pCur = p->pData->child;
  p->iCur = 0;
  p->pFieldRow = 0;
  return 0;
}

void sms_page_clear(SmsPage *p) {
  cJSON_Delete(p->pRoot);
  memset(p, 0, sizeof(*p));
}

/* A string of 1 to 18 ASCII digits as an integer (18 digits cannot overflow). */
static int digits_to_int(const char *z, long long *piVal) {
  size_t n = strlen(z);
  if (n == 0 || n > 18) return 0;
  long long v = 0;
  for (size_t i = 0; i < n; i++) {
    if (z[i] < '0' || z[i] > '9') return 0;
    v = v * 10 + (z[i] - '0');
  }
  *piVal = v;
  return 1;
}

/* One field's value as the table shows it. */
static void item_value(const cJSON *pItem, SmsField eField, SmsValue *pVal) {
  pVal->eType = SMS_NULL;
  if (cJSON_IsString(pItem)) {
    const char *z = pItem->valuestring;
    if (eField == SMS_F_NUMBER && digits_to_int(z, &pVal->iVal)) {
      pVal->eType = SMS_INT;
      return;
    }
    pVal->eType = SMS_TEXT;
    pVal->z = z;
    pVal->n = strlen(z);
    if (eField == SMS_F_DATE && sms_date_to_sql(z, pVal->n, pVal->zBuf)) {
      pVal->z = pVal->zBuf;
      pVal->n = 19;
    }
  } else if (cJSON_IsNumber(pItem)) {
    double r = pItem->valuedouble;
    /* Doubles hold every integer up to 2^53 exactly; phone numbers are far below. */
    if (r == floor(r) && fabs(r) < 9007199254740992.0) {
      pVal->eType = SMS_INT;
      pVal->iVal = (long long)r;
    } else {
      pVal->eType = SMS_REAL;
      pVal->rVal = r;
    }
  } else if (cJSON_IsBool(pItem)) {
    pVal->eType = SMS_INT;
    pVal->iVal = cJSON_IsTrue(pItem);
  }
}

void sms_row_field(const cJSON *pRow, SmsField eField, SmsValue *pVal) {
  item_value(object_item(pRow, sms_field_json_name[eField]), eField, pVal);
}

void sms_page_field(SmsPage *p, SmsField eField, SmsValue *pVal) {
  if (p->pFieldRow != p->pCur) {
    /* One pass over the row's keys; the first of a repeated key wins, as in cJSON. */
    memset((void *)p->apField, 0, sizeof(p->apField));
    for (const cJSON *pItem = p->pCur ? p->pCur->child : 0; pItem; pItem = pItem->next) {
      for (int i = 0; i < SMS_N_FIELD; i++) {
        if (!p->apField[i] && pItem->string &&
            strcmp(pItem->string, sms_field_json_name[i]) == 0) {
          p->apField[i] = pItem;
          break;
        }
      }
    }
    p->pFieldRow = p->pCur;
  }
  item_value(p->apField[eField], eField, pVal);
}

static unsigned long long fnv(unsigned long long h, const void *pData, size_t n) {
  const unsigned char *a = pData;
  for (size_t i = 0; i < n; i++)
    h = (h ^ a[i]) * 1099511628211ULL;
  return h;
}

static unsigned long long hash_item(unsigned long long h, const cJSON *p) {
  h = fnv(h, &p->type, sizeof(p->type));
  if (p->string) h = fnv(h, p->string, strlen(p->string) + 1);
  if (cJSON_IsString(p)) h = fnv(h, p->valuestring, strlen(p->valuestring) + 1);
  if (cJSON_IsNumber(p)) h = fnv(h, &p->valuedouble, sizeof(p->valuedouble));
  for (const cJSON *pChild = p->child; pChild; pChild = pChild->next) {
    h = hash_item(h, pChild);
  }
  return h;
}

void sms_page_row_hashes(const SmsPage *p, unsigned long long *aOut) {
  const cJSON *pRow;
  int i = 0;
  cJSON_ArrayForEach(pRow, p->pData) aOut[i++] = hash_item(14695981039346656037ULL, pRow);
}

char *sms_row_json(const cJSON *pRow) {
  return cJSON_PrintUnformatted(pRow);
}

/* Append z to zOut (of nOut bytes, *pn used), separated from what is there by "; ". */
static void append_text(char *zOut, size_t nOut, size_t *pn, const char *z) {
  if (*pn + 1 >= nOut) return;
  int w = snprintf(zOut + *pn, nOut - *pn, "%s%s", *pn ? "; " : "", z);
  if (w > 0) *pn += (size_t)w < nOut - *pn ? (size_t)w : nOut - *pn - 1;
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
    if (cJSON_IsString(pItem) && pItem->string && nUsed + 1 < nOut) {
      char zField[512];
      snprintf(zField, sizeof(zField), "%s: %s", pItem->string, pItem->valuestring);
      append_text(zOut, nOut, &nUsed, zField);
    }
  }
  cJSON_Delete(pRoot);
  return nUsed;
}
