/*
** sms_page.h: the page decoder, one API response body in, rows out.
**
** Boundary: no SQLite and no network (cJSON only for the rare error body). A tolerant
** reader (docs/api-rules.md): the body may be the documented envelope {"meta":{...,
*"nextPageUrl":
** ...}, "data":[...]}, the same with nextPageUrl at the top level, or a bare array of
** messages. Unknown fields are kept (in the row's JSON text), missing or mistyped fields
** read as NULL (SMS_NULL), never as an error; a body that is not valid JSON, or not a
** page, is an error.
**
** The decoder validates the whole body as strict JSON and records, for each message, where
** its object and its nine known fields lie in a copy of the body: no tree is built and
** nothing is allocated per row. Values are decoded only when read.
**
** Keys: a key is compared by its decoded bytes, every one of them, escapes included: the
** key "d\u0061ta" is "data", "data\u0000" is not (it is a five-byte key that no field has;
** cJSON, which keeps keys as C strings, would cut it at the NUL). Of repeated keys in one
** object the first member wins, everywhere ("data", "meta", "nextPageUrl", a message's
** fields), as with cJSON's getters and SQLite's json_extract(raw, ...); the later members
** stay in the row's JSON text. A nextPageUrl inside meta wins over a top-level one, in
** whatever order they come.
*/
#ifndef SMS_PAGE_H
#define SMS_PAGE_H

#include "sms_rc.h"

#include <stddef.h>

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

typedef struct SmsRow {
  const char *zObj;               /* the message object's JSON text, inside a page body */
  unsigned int nObj;              /* its bytes */
  unsigned int aOff[SMS_N_FIELD]; /* where each known field's value starts, from zObj */
  unsigned int aLen[SMS_N_FIELD]; /* the value's bytes as written; 0 when absent */
  unsigned short fPlain;          /* bit i: field i is a string without a backslash (0: not
                                  ** known, looked for when read) */
  signed char eDate;              /* the date: 1 read into iDate, -1 unreadable, 0 not yet */
  long long iDate;                /* the date in seconds (sms_time), when eDate is 1 */
} SmsRow;

typedef struct SmsPage {
  SmsRow *aRow;      /* the messages, in page order */
  int nRow;          /* entries in aRow */
  int iCur;          /* the current row; nRow when the page is used up */
  char *zNext;       /* nextPageUrl, NULL on the last page */
  char **azBody;     /* the bodies the rows point into (one, or more after take_rows) */
  int nBody;         /* entries in azBody */
  char *zScratch;    /* strings with escapes, decoded: valid until the next read */
  size_t nScratch;   /* bytes allocated at zScratch */
  size_t nBodyAlloc; /* bytes at azBody[0] when the decoder allocated it; 0: not known */
  int nRowAlloc;     /* entries allocated at aRow when the decoder did; 0: not known */
  char *zKeep;       /* a body buffer kept by sms_page_reset for the next decode */
  size_t nKeep;      /* its bytes */
  SmsRow *aKeepRow;  /* a row array kept likewise */
  int nKeepRow;      /* its entries */
} SmsPage;

/* Decode n bytes of a 200 response (copied: z may be reused). On success *p holds the rows
** (iCur at the first) and SMS_OK is returned; on a body that is not a page SMS_ERROR, and
** SMS_NOMEM when memory ran out, with zErr saying why. *p is cleared first. */
int sms_page_decode(const char *z, size_t n, SmsPage *p, char *zErr, size_t nErr);

/* The most messages a page answering a request of pageSize=n may hold: n and a tenth, and
** 10 more (docs/api-rules.md). A server that sends more ignores pageSize, and a page of
** millions of "{}" would cost about 30 times its bytes in row records. */
#define SMS_PAGE_MAX_ROWS(n) ((n) + (n) / 10 + 10)

/* A bare array of messages is the server's whole answer in one body, paged by nothing, so
** pageSize does not bound it: it may hold one message per this many bytes of body (2
** million in 64 MiB), which keeps its row records under 3 times its size. */
#define SMS_BARE_ROW_BYTES 32

/* sms_page_decode for the answer to a request of pageSize=nPageSize: a page whose message
** array has more elements (objects or not) than SMS_PAGE_MAX_ROWS(nPageSize), or for a bare
** array than that or n / SMS_BARE_ROW_BYTES, whichever is more, is SMS_TOOBIG, found before
** an element past the limit is recorded: the work and memory of a page stay bounded,
** whatever its bytes. zErr then ends "holds more than N messages, the most ... may hold".
** nPageSize 0: no limit. */
int sms_page_decode_max(const char *z, size_t n, int nPageSize, SmsPage *p, char *zErr,
                        size_t nErr);

/* The nextPageUrl a body will decode to, read from its first members only: 1 and the URL
** in zOut (nOut bytes, at least the token's) when the envelope's "meta" object comes before
** its "data" array and names a next page; 0 otherwise (no next page, another layout, or not
** known without reading the messages). Whether the body is a valid page is not checked: only
** sms_page_decode says. The HTTP client sends the next request on it while it decodes. */
int sms_page_peek_next(const char *z, size_t n, char *zOut, size_t nOut);

/* Whether row iRow's date is readable, as sms_time_parse reads the date column's value, and
** which (*pt, seconds). Parsed once per row: the scan's threads judge rows by their dates,
** and the date column (sms_page_row_field) then only rewrites a date known good. */
int sms_page_row_time(SmsPage *p, int iRow, long long *pt);

/* Whether iCur is a row; move to the next row (0 when the page is used up). */
int sms_page_has_row(const SmsPage *p);
int sms_page_next(SmsPage *p);

void sms_page_clear(SmsPage *p);

/* Empty *p as sms_page_clear does, but keep its body buffer and row array (those the decoder
** allocated) for the next sms_page_decode into it: a scan decodes hundreds of pages of about
** the same size, and a fresh 140 KB buffer for each is fresh memory to fault in each time
** (docs/performance.md, "The worker"). sms_page_clear frees them. */
void sms_page_reset(SmsPage *p);

/* Move the buffers *pSrc keeps (sms_page_reset) to *pDst, which must keep none: a consumer
** hands its used page's buffers back to the thread that decodes the next one. */
void sms_page_give_kept(SmsPage *pDst, SmsPage *pSrc);

/* Move every row of pSrc to the end of pDst (pSrc is left empty; its nextPageUrl is
** dropped). pDst's iCur goes back to the first row. SMS_OK, or SMS_NOMEM (then nothing
** moved). */
int sms_page_take_rows(SmsPage *pDst, SmsPage *pSrc);

/* Sort the rows by date the way SQLite's ORDER BY date orders the values the table shows
** (sms_page_row_field): NULL first, then numbers by value, then text by memcmp and length
** (BINARY), so canonical dates in time order and any other text where its bytes put it;
** newest (largest) first when bDesc, rows of equal dates in the order they came. Returns
** SMS_OK or SMS_NOMEM. iCur goes back to the first row. */
int sms_page_sort_by_date(SmsPage *p, int bDesc);

/* How many rows of each 128-bit identity (h0, h1) were counted: an open-addressing table,
** kept half empty. message_key and rowids number the copies of a message with it; a scan
** counts its undated rows with it. Zeroed is empty. */
typedef struct SmsHashCount {
  unsigned long long *aHash; /* two words per slot: the identity */
  int *aCount;               /* rows of the slot's identity counted; 0: a free slot */
  int nSlot;                 /* slots, a power of two; 0 before the first row */
  int nUsed;                 /* slots in use */
} SmsHashCount;

/* Count one more row of identity (h0, h1); *pnBefore gets the rows counted before it.
** SMS_OK, or SMS_NOMEM (nothing counted). */
int sms_hash_count_add(SmsHashCount *p, unsigned long long h0, unsigned long long h1,
                       int *pnBefore);

/* The rows of identity (h0, h1) counted so far. */
int sms_hash_count_get(const SmsHashCount *p, unsigned long long h0, unsigned long long h1);

void sms_hash_count_clear(SmsHashCount *p);

/* An ordered scan hands its window out as a series of sub-windows, each read whole, from
** the newest end (bDesc) or the oldest. SmsOrder makes their concatenation exactly SQLite's
** ORDER BY date, NULL, numbers and text that is not a date included:
**
**   - each sub-window is sorted as sms_page_sort_by_date does;
**   - a row is handed out only when no dated row of a later sub-window can sort before it:
**     when descending, its date sorts at or above zBound, the sub-window's oldest second
**     ("YYYY-MM-DD HH:MM:SS"; every later dated row is older); when ascending, below
**     zBound, the second after the sub-window. The other rows (NULL, numbers, text outside
**     the sub-window's span) are held back, in copies, and join the next sub-window; the
**     last one (bLast) hands out everything;
**   - a row that sorts before a row already handed out (a message whose date is not a date,
**     sent with a later sub-window than its place) cannot be put right: the step fails with
**     SMS_ERROR and zBad (64 bytes) describes its date. The rows handed out until
**     then were in order. Descending, NULL and numbers never cause it (they come last);
**     ascending, they do unless they come with the first sub-window (so the vtab has an
**     ascending scan deliver the order only when the query drops NULL dates).
** Which rows the sub-windows hand out (each dated row once, undated rows counted across the
** scan) is the scan's business.
**
** sms_order_step takes pPage's rows (the sub-window's, as fetched) and leaves in it the rows
** to hand out now, sorted. SMS_OK, SMS_ERROR or SMS_NOMEM. */
typedef struct SmsOrder SmsOrder;
int sms_order_new(SmsOrder **pp, int bDesc);
int sms_order_step(SmsOrder *p, SmsPage *pPage, const char *zBound, int bLast, char *zBad);
void sms_order_free(SmsOrder *p);

/* Make *pDst (cleared first) a page of copies of the nRow rows at apRow (from any pages):
** it owns one body holding their message objects. SMS_OK, or SMS_NOMEM (pDst left empty). */
int sms_page_from_rows(SmsPage *pDst, const SmsRow *const *apRow, int nRow);

/* Keep only the rows for which xKeep answers non-zero; iCur goes back to the first. */
void sms_page_keep_rows(SmsPage *p, int (*xKeep)(SmsPage *p, int iRow, void *pArg), void *pArg);

/* What a value is, for the vtab to hand to sqlite3_result_*. */
typedef enum SmsValueType { SMS_NULL, SMS_INT, SMS_REAL, SMS_TEXT } SmsValueType;

typedef struct SmsValue {
  SmsValueType eType; /* which of the members below holds the value */
  long long iVal;     /* SMS_INT */
  double rVal;        /* SMS_REAL */
  const char *z;      /* SMS_TEXT: into the body, the page's scratch, or zBuf */
  size_t n;           /* SMS_TEXT: bytes at z (may include NUL bytes: \u0000) */
  char zBuf[24];      /* room for a date rewritten to SQLite's form */
} SmsValue;

/* One field of row iRow as the table shows it: `number` as INTEGER (from a JSON number or
** a string of digits), `date` in SQLite's "YYYY-MM-DD HH:MM:SS", text byte for byte, an
** object or array as NULL. Text is valid until the next read from this page. */
void sms_page_row_field(SmsPage *p, int iRow, SmsField eField, SmsValue *pVal);

/* The same for the current row. */
void sms_page_field(SmsPage *p, SmsField eField, SmsValue *pVal);

/* Row iRow as compact JSON (its text without the whitespace between tokens; malloc'd,
** the caller frees), NULL when out of memory. */
char *sms_page_row_json(const SmsPage *p, int iRow);

/* A 64-bit hash of row iRow's content (its compact JSON text). */
unsigned long long sms_page_row_hash(const SmsPage *p, int iRow);

/* What identifies a message, read from its row: message_key (sms_vtab.c) is the program,
** then zClear, then iHash in hex, then the occurrence number among rows of the same
** identity. Delivery status, network, campaign and program names are not part of it:
** they change, or may, after the message was first read. */
typedef struct SmsIdentity {
  char zClear[64];          /* "MT/2026-06-30 11:59:58/15551234567": type, date, number as
                            ** the table shows them; a NULL or odd value is "?" */
  unsigned long long iHash; /* SipHash-2-4 of type, date, number and body, each exactly */
} SmsIdentity;

/* Fill *pId for row iRow. Returns SMS_OK, or SMS_NOMEM (a body with escapes is
** decoded into the page's scratch buffer). */
int sms_page_row_identity(SmsPage *p, int iRow, SmsIdentity *pId);

/* SipHash-2-4 of n bytes at z, under the 128-bit key (iK0, iK1). */
unsigned long long sms_siphash(unsigned long long iK0, unsigned long long iK1, const void *z,
                               size_t n);

/* The error details of a 4xx/5xx body: meta.generalErrors (strings, or objects with a
** message) and meta.fieldErrors, joined by "; " into zOut. Returns the length written,
** 0 when the body has none. */
size_t sms_page_error_text(const char *z, size_t n, char *zOut, size_t nOut);

#endif /* SMS_PAGE_H */
