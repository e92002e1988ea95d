/*
** sms_page.h: the page decoder, one API response body in, rows out.
**
** Boundary: cJSON only, no SQLite and no network. A tolerant reader (api.md): the body may
** be the documented envelope {"meta":{..., "nextPageUrl":...}, "data":[...]}, the same
** with nextPageUrl at the top level, or a bare array of messages. A row is the message's
** JSON object itself; the accessors below read one field each and never fail: a missing
** or mistyped field reads as NULL (SMS_NULL), never as an error.
*/
#ifndef SMS_PAGE_H
#define SMS_PAGE_H

#include <stddef.h>

typedef struct cJSON cJSON;

/* The message fields, in the order of the table's columns. */
typedef enum SmsField {
  SMS_F_CAMPAIGN_NAME,
  SMS_F_PROGRAM_NAME,
  SMS_F_PROGRAM_TYPE,
  SMS_F_TYPE,
  SMS_F_DELIVERY_STATUS,
  SMS_F_NUMBER,
  SMS_F_BODY,
  SMS_F_DATE,
  SMS_F_NETWORK,
  SMS_N_FIELD
} SmsField;

/* The API's name of each field ("campaignName", ...). */
extern const char *const sms_field_json_name[SMS_N_FIELD];

typedef struct SmsPage {
  cJSON *pRoot;           /* the parsed body; owns every row */
  cJSON *pData;           /* the array of messages (inside pRoot) */
  cJSON *pCur;            /* the current row, NULL before the first and after the last */
  int iCur;               /* index of pCur on the page */
  int nRow;               /* rows on the page */
  const char *zNext;      /* nextPageUrl, NULL on the last page (points into pRoot) */
  const cJSON *pFieldRow; /* the row whose fields apField holds */
  const cJSON *apField[SMS_N_FIELD]; /* the current row's fields, found in one pass */
} SmsPage;

/* Decode n bytes of a 200 response. On success *p holds the rows (pCur at the first) and 0
** is returned; on a body that is not a page, -1 and zErr says why. */
int sms_page_decode(const char *z, size_t n, SmsPage *p, char *zErr, size_t nErr);

/* Move to the next row; 0 when the page is used up. */
int sms_page_next(SmsPage *p);

void sms_page_clear(SmsPage *p);

/* Move every row of pSrc to the end of pDst (pSrc is left empty; its nextPageUrl is
** dropped). */
void sms_page_take_rows(SmsPage *pDst, SmsPage *pSrc);

/* Sort the rows by date, newest first when bDesc, rows of the same second in the order
** they came. Returns 0, SMS_PAGE_UNDATED when a row has no date of the canonical form
** (nothing is sorted then; *pzBadDate points to its date text, or NULL when missing), or
** SMS_PAGE_NOMEM. pCur goes back to the first row. */
#define SMS_PAGE_UNDATED 1
#define SMS_PAGE_NOMEM 2
int sms_page_sort_by_date(SmsPage *p, int bDesc, const char **pzBadDate);

/* Keep only the rows for which xKeep answers non-zero; pCur goes back to the first. */
void sms_page_keep_rows(SmsPage *p, int (*xKeep)(const cJSON *pRow, void *pArg), void *pArg);

/* What a value is, for the vtab to hand to sqlite3_result_*. */
typedef enum SmsValueType { SMS_NULL, SMS_INT, SMS_REAL, SMS_TEXT } SmsValueType;

typedef struct SmsValue {
  SmsValueType eType; /* which of the members below holds the value */
  long long iVal;     /* SMS_INT */
  double rVal;        /* SMS_REAL */
  const char *z;      /* SMS_TEXT: points into the row or into zBuf */
  size_t n;           /* SMS_TEXT: bytes at z */
  char zBuf[24];      /* room for a date rewritten to SQLite's form */
} SmsValue;

/* One field of a row as the table shows it: `number` as INTEGER (from a JSON number or a
** string of digits), `date` in SQLite's "YYYY-MM-DD HH:MM:SS", text byte for byte. */
void sms_row_field(const cJSON *pRow, SmsField eField, SmsValue *pVal);

/* A 64-bit hash of each row's content (every key and value, in order) into aOut, which
** holds p->nRow entries. */
void sms_page_row_hashes(const SmsPage *p, unsigned long long *aOut);

/* The same for the current row of a page: its fields are found once per row, not once
** per column asked for. */
void sms_page_field(SmsPage *p, SmsField eField, SmsValue *pVal);

/* The whole row as compact JSON (malloc'd, the caller frees), NULL when out of memory. */
char *sms_row_json(const cJSON *pRow);

/* The error details of a 4xx/5xx body: meta.generalErrors (strings, or objects with a
** message) and meta.fieldErrors, joined by "; " into zOut. Returns the length written,
** 0 when the body has none. */
size_t sms_page_error_text(const char *z, size_t n, char *zOut, size_t nOut);

#endif /* SMS_PAGE_H */
