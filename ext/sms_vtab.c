/*
** sms_vtab.c: the sms_messages virtual table, query planning and the cursor.
**
** Usage:
**
**     .load ./build/sms_export
**     -- eponymous: the program in WHERE, or as a table-valued function argument
**     SELECT date, number, body FROM sms_messages
**      WHERE program_id = 4711 AND type = 'MO' AND date >= '2026-11-01';
**     SELECT count(*) FROM sms_messages(4711) WHERE date >= datetime('now', '-7 days');
**     -- configured
**     CREATE VIRTUAL TABLE spring USING sms_messages(program_id=4711, page_size=200);
**
** HOW IT WORKS
**
** The table has the nine message fields as columns and three HIDDEN columns: program_id
** (first, so sms_messages(4711) binds it), raw (the message object as JSON text) and
** message_key (the message's identity, the same in every scan: see key_settle).
** Every request is GET {base_url}/messages/program/{program_id}?messageType=..&startDate=..
** &endDate=..&pageSize=.., and the pages are linked by the API's nextPageUrl.
**
** xBestIndex hands these constraints to xFilter (never "omit": SQLite re-checks each row,
** so the API is only a pre-filter and its window may be wider than the query):
**
**     program_id = v, program_id IN (..)   the program(s) scanned, one scan each
**     type = v, type IN (..)               messageType, or no request for other values
**     date = < <= > >= v                   startDate / endDate (sms_window.c)
**     LIMIT n, OFFSET m                    pageSize = min(n+m, page_size)
**
** idxStr lists the constraints in xFilter's argv order, in words, so EXPLAIN QUERY PLAN
** shows what was pushed down: "program_id= type IN date>= date< limit". idxNum says where
** the program comes from (low two bits) and whether SQLite may stop early:
**
**     idxNum bits  meaning
**     -----------  ---------------------------------------------------------
**       1          program_id from WHERE (first idxStr word program_id= or program_id IN)
**       2          no program_id in WHERE: the table's program_id option
**       3          no program anywhere: xFilter fails with how to give one
**       4          the query has a LIMIT and no ORDER BY to sort first, so SQLite may stop
**                  after a few rows: fetch nothing ahead and no parallel sub-windows
**       8, 16      ORDER BY date DESC (8) or ASC (16) is delivered by the scan (one program
**                  only): idxStr ends with "ORDER BY date DESC" and SQLite does not sort.
**                  ASC only with a date constraint (bit 128): a message without a date
**                  sorts first, and any sub-window may hold one, so without that bit the
**                  whole window would have to be read first anyway: SQLite sorts
**       32         the program_id value is not written in the query: it comes from a join,
**                  a subquery, a bound parameter, an expression or an IN list, and a value
**                  that cannot be a program id ('x', 0, -1, 1.5) matches no row, as it
**                  would on a local table. Without the bit (with 1) the value is a literal
**                  (what sqlite3_vtab_rhs_value knows at planning: a literal, a negated
**                  number, a CAST of one), where such a value is a typo and xFilter fails
**                  saying so. SQLite never shows an IN list's values at planning, so
**                  IN (1, 'x') cannot be told from IN (SELECT ...): both set the bit.
**       64         the statement reads message_key: every row of the scan is counted, also
**                  those SQLite skips before it asks for the key (see key_settle)
**      128         with 8 or 16: a date constraint is pushed down, so SQLite drops every row
**                  whose date is NULL, and the ordered scan drops them first
**      256         as 32, for the type= value: not written in the query, so a value other
**                  than 'MO' or 'MT' matches no row. Without the bit the value is a literal,
**                  and such a value ('mo') is a typo: xFilter fails saying so
**  512 .. 65536    512 << k: as 32, for the value of the k-th date term of idxStr (from 0).
**                  Without the bit the value is a literal, and one not in the table's form
**                  'YYYY-MM-DD HH:MM:SS' or a prefix of it (sms_date_in_form) is a typo
**                  ('2026/06/01', 1780300800): xFilter fails saying so. The bits are set
**                  when a value is not a literal, like 32, so that the plans of queries
**                  written by hand keep their small numbers
**
** A plan without program_id (and no default) must never win over one with it: when the
** program_id constraint exists but is not usable yet (it comes from another table of a
** join), xBestIndex answers SQLITE_CONSTRAINT; when there is none, the plan costs
** prohibitively much, so that SQLite prefers anything else (an OR may be planned branch
** by branch) and only a query that really names no program reaches the error.
**
** The cursor is lazy: xFilter fetches the first page, xNext the next one only when the
** rows in hand run out; a page is freed when the next arrives. Which requests go out, and
** when one may go ahead of need, is sms_scan.c's business.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include "sms_cache.h"
#include "sms_clock.h"
#include "sms_config.h"
#include "sms_http.h"
#include "sms_page.h"
#include "sms_progress.h"
#include "sms_scan.h"
#include "sms_vtab.h"
#include "sms_window.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Column numbers: the nine message fields are SmsField values. */
#define COL_PROGRAM_ID 9
#define COL_RAW 10
#define COL_MESSAGE_KEY 11

#define SMS_SCHEMA                                                                             \
  "CREATE TABLE x(campaign_name TEXT, program_name TEXT, program_type TEXT, type TEXT, "       \
  "delivery_status TEXT, number INTEGER, body TEXT, date TEXT, network TEXT, "                 \
  "program_id INTEGER HIDDEN, raw TEXT HIDDEN, message_key TEXT HIDDEN)"

#define IDX_PROGRAM_WHERE 1
#define IDX_PROGRAM_DEFAULT 2
#define IDX_PROGRAM_NONE 3
#define IDX_PROGRAM_MASK 3
#define IDX_MAY_STOP 4
#define IDX_ORDER_DESC 8
#define IDX_ORDER_ASC 16
#define IDX_PROGRAM_FED 32
#define IDX_KEY 64
#define IDX_DATED 128
#define IDX_TYPE_FED 256
#define IDX_DATE_FED 512 /* shifted left by the date term's rank in idxStr */

#define MAX_DATE_TERMS 8 /* more date constraints than this are left to SQLite */

/* The words of idxStr, one per xFilter argument. */
typedef enum SmsTerm {
  TERM_PROGRAM_EQ,
  TERM_PROGRAM_IN,
  TERM_TYPE_EQ,
  TERM_TYPE_IN,
  TERM_DATE_EQ,
  TERM_DATE_LT,
  TERM_DATE_LE,
  TERM_DATE_GT,
  TERM_DATE_GE,
  TERM_LIMIT,
  TERM_OFFSET,
  N_TERM
} SmsTerm;

static const char *const azTermWord[N_TERM] = {
    "program_id=", "program_id IN", "type=",  "type IN", "date=",  "date<",
    "date<=",      "date>",         "date>=", "limit",   "offset",
};

#define OWN_CACHE_MAX (2u << 20) /* bytes a cursor keeps for rescans when cache_ttl=0 */

typedef struct SmsTable {
  sqlite3_vtab base; /* Base class. Must be first */
  SmsConfig cfg;     /* options, credentials and limits */
  char *zCacheKey;   /* base_url, user and password: whose rows are cached (never shown) */
  sqlite3 *db;       /* the connection, to see sqlite3_interrupt() */
  SmsContext *pCtx;  /* what the connection's tables share: request log, curl share */
} SmsTable;

typedef struct SmsCursor {
  sqlite3_vtab_cursor base;          /* Base class. Must be first */
  SmsHttp *apHttp[SMS_MAX_PARALLEL]; /* HTTP clients, kept across scans: connections */
  SmsCache *pOwnCache;       /* cache_ttl=0: this cursor's windows, so rescans send nothing */
  SmsScan *pScan;            /* the scan of the statement's programs */
  SmsScanSpec spec;          /* what the scan asks for */
  SmsPage page;              /* the page whose rows are being returned */
  sqlite3_int64 *aProgramId; /* the programs to scan, ascending (sqlite3_malloc64) */
  int nProgramId;            /* entries in aProgramId */
  sqlite3_int64 iProgramId;  /* the program of the current page */
  SmsHashCount rowids;       /* xRowid: rows of each content hash (second word 0) so far */
  sqlite3_int64 iRowid;      /* the current row's rowid, when bRowid */
  int bRowid;                /* iRowid is computed for the current row */
  int bEof;                  /* the scan is over */
  SmsHashCount keys;         /* message_key: rows of each identity seen so far in the scan */
  int bKeyAll;               /* count every row (IDX_KEY), not only those asked for a key */
  int bKey;                  /* zKey is computed (and counted) for the current row */
  char zKey[128];            /* the current row's message_key, when bKey */
  SmsProgress progress;      /* the meter on stderr, when asked for */
} SmsCursor;

/* The one place that sets an error message on the table. */
static int set_error(sqlite3_vtab *pVtab, int rc, const char *zFmt, ...) {
  va_list ap;
  va_start(ap, zFmt);
  sqlite3_free(pVtab->zErrMsg);
  pVtab->zErrMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  return pVtab->zErrMsg ? rc : SQLITE_NOMEM;
}

/* sqlite3_vtab_in() and friends arrived in SQLite 3.38; the host library may be older
** than the headers this was built with. */
static int has_vtab_in(void) {
  return sqlite3_libversion_number() >= 3038000;
}

/*
** sqlite3_interrupt() stops a scan between rows on every SQLite: SQLite checks for it after
** each row and closes the cursor, which stops the scan's requests. To stop in the middle
** of a request or a backoff wait as well, the scan polls sqlite3_is_interrupted(), which
** arrived in SQLite 3.41. The host library may be newer than the headers this was built
** with (Debian's are 3.40), so it is taken from the routines the host handed over when the
** library says it is 3.41 or later: sqlite3_api_routines only ever grows at its end, and
** 3.41 appended is_interrupted right after value_encoding, the last routine of 3.40. No
** symbol lookup: hosts that link SQLite in privately (Node, Python wheels) export none.
*/
#if SQLITE_VERSION_NUMBER >= 3041000
#define API_IS_INTERRUPTED (sqlite3_api->is_interrupted)
#elif SQLITE_VERSION_NUMBER >= 3040000
typedef struct ApiRoutines341 {
  sqlite3_api_routines base;        /* the routines up to 3.40's value_encoding */
  int (*is_interrupted)(sqlite3 *); /* appended in 3.41 */
} ApiRoutines341;
#define API_IS_INTERRUPTED (((const ApiRoutines341 *)sqlite3_api)->is_interrupted)
#endif

static int is_interrupted(void *pDb) {
#ifdef API_IS_INTERRUPTED
  return sqlite3_libversion_number() >= 3041000 && API_IS_INTERRUPTED((sqlite3 *)pDb);
#else
  (void)pDb; /* headers older than 3.40 do not say where the 3.41 routines start */
  return 0;
#endif
}

/* The cache key holds the password: wipe it before it is freed. */
static void free_cache_key(SmsTable *p) {
  if (!p->zCacheKey) return;
  memset(p->zCacheKey, 0, strlen(p->zCacheKey));
  sqlite3_free(p->zCacheKey);
  p->zCacheKey = 0;
}

/*
** xConnect and xCreate: CREATE VIRTUAL TABLE name USING sms_messages(option=value, ...),
** and the eponymous table (no options).
*/
static int sms_connect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                       sqlite3_vtab **ppVtab, char **pzErr) {
  char zErr[1024];
  SmsTable *pNew;
  int rc;
  *ppVtab = 0;
  rc = sqlite3_declare_vtab(db, SMS_SCHEMA);
  if (rc != SQLITE_OK) return rc;
  pNew = sqlite3_malloc64(sizeof(*pNew));
  if (!pNew) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  pNew->db = db;
  pNew->pCtx = pAux;
  rc = sms_config_init(&pNew->cfg, argc - 3, argv + 3, zErr, sizeof(zErr));
  if (rc != SMS_OK) {
    *pzErr = sqlite3_mprintf("%s", zErr);
    goto fail;
  }
  {
    /* Each part with its length first, so that no two accounts make the same key. */
    const char *zU = pNew->cfg.zUser ? pNew->cfg.zUser : "";
    const char *zP = pNew->cfg.zPassword ? pNew->cfg.zPassword : "";
    pNew->zCacheKey =
        sqlite3_mprintf("%d:%s %d:%s %d:%s", (int)strlen(pNew->cfg.zBaseUrl),
                        pNew->cfg.zBaseUrl, (int)strlen(zU), zU, (int)strlen(zP), zP);
  }
  if (!pNew->zCacheKey) {
    rc = SQLITE_NOMEM;
    goto fail;
  }
  /* A table on another server than the user's own API is usable only from the user's
  ** own SQL, never from a view or trigger of the schema: a database file from someone
  ** else could otherwise join it with the user's messages and send their numbers (as
  ** program ids in the URL) to that server. Tables on the user's API stay usable in views,
  ** which reports rely on. */
  if (pNew->cfg.bForeign) sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  *ppVtab = &pNew->base;
  return SQLITE_OK;

fail:
  free_cache_key(pNew);
  sms_config_clear(&pNew->cfg);
  sqlite3_free(pNew);
  return rc;
}

static int sms_disconnect(sqlite3_vtab *pVtab) {
  SmsTable *p = (SmsTable *)pVtab;
  free_cache_key(p);
  sms_config_clear(&p->cfg);
  sqlite3_free(p);
  return SQLITE_OK;
}

/*
** Statements, for sms_requests.stmt. A virtual table never sees the sqlite3_stmt that runs
** it, so a statement is told by its cursors: SQLite opens a statement's cursors when it
** starts running (or when it first evaluates the subquery that holds one) and closes them
** all only when the statement finishes (its last row, an error, a reset); a cursor it
** opens again (a correlated subquery) is opened before the old one closes. So while any
** sms_messages cursor of the connection is open, the scans belong to the same statement
** (a join's inner scans, each evaluation of a correlated subquery), and the first cursor
** opened when none is open starts the next statement. Two statements stepped by turns (a
** host reads one query's rows while it runs another) share a number.
*/
static int sms_open(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCursor) {
  SmsContext *pCtx = ((SmsTable *)pVtab)->pCtx;
  SmsCursor *pCur;
  pCur = sqlite3_malloc64(sizeof(*pCur));
  if (!pCur) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  pCur->bEof = 1;
  if (pCtx->nOpen++ == 0) sms_log_statement_begin(pCtx->pLog);
  *ppCursor = &pCur->base;
  return SQLITE_OK;
}

/*
** message_key: "{program_id}/{type}/{date}/{number}/{hash}/{n}", e.g.
** "4711/MT/2026-06-30 11:59:58/15551234567/9f86d081884c7d65/1" (docs/reference.md says
** why it is collision-safe). The identity comes from sms_page_row_identity; n numbers the
** rows of one identity in the order the scan meets them, from 1. Every row of an identity
** has the same date, and a request for any window that holds that second returns all of
** them, so n depends only on those rows and on the API's order among them, never on the
** window, the pages or the sub-windows of a scan. For that every row must be counted, also
** those SQLite skips before asking for the key (WHERE delivery_status = 'Sent'): sms_next
** settles the key of each row it leaves when the statement reads message_key (IDX_KEY).
*/
static int key_settle(SmsCursor *pCur) {
  SmsIdentity id;
  int nBefore, n;
  if (pCur->bKey) return SQLITE_OK;
  if (sms_page_row_identity(&pCur->page, pCur->page.iCur, &id) != 0) return SQLITE_NOMEM;
  sqlite3_snprintf(sizeof(pCur->zKey), pCur->zKey, "%lld/%s/%016llx", pCur->iProgramId,
                   id.zClear, id.iHash);
  n = (int)strlen(pCur->zKey);
  /* The count is keyed by the key's own text (less n), so rows count together exactly
  ** when their keys would be equal; a second, independent hash of that text makes the
  ** 128 bits (its SipHash key only has to differ from the identity's; it is stored
  ** nowhere). */
  if (sms_hash_count_add(&pCur->keys, id.iHash,
                         sms_siphash(0x6d756e5f79656bULL, 0x726562ULL, pCur->zKey, (size_t)n),
                         &nBefore) != SMS_OK) {
    return SQLITE_NOMEM;
  }
  sqlite3_snprintf(sizeof(pCur->zKey) - n, pCur->zKey + n, "/%d", nBefore + 1);
  pCur->bKey = 1;
  return SQLITE_OK;
}

/* Forget the scan in progress, keeping the HTTP clients and the cache for the next. */
static void cursor_reset(SmsCursor *pCur) {
  sms_scan_close(pCur->pScan);
  pCur->pScan = 0;
  sms_progress_end(&pCur->progress);
  sms_page_clear(&pCur->page);
  sqlite3_free(pCur->aProgramId);
  pCur->aProgramId = 0;
  pCur->nProgramId = 0;
  pCur->iProgramId = 0;
  sms_hash_count_clear(&pCur->rowids);
  pCur->bRowid = 0;
  sms_hash_count_clear(&pCur->keys);
  pCur->bKey = 0;
  pCur->bEof = 1;
}

static int sms_close(sqlite3_vtab_cursor *cur) {
  SmsCursor *pCur = (SmsCursor *)cur;
  int i;
  cursor_reset(pCur);
  sms_cache_free(pCur->pOwnCache);
  for (i = 0; i < SMS_MAX_PARALLEL; i++)
    sms_http_close(pCur->apHttp[i]);
  /* last: what the clients log as they close (a request sent ahead) is this statement's */
  ((SmsTable *)cur->pVtab)->pCtx->nOpen--;
  sqlite3_free(pCur);
  return SQLITE_OK;
}

/* Make the page's current row a row, taking pages as needed, or set bEof. */
static int cursor_settle(SmsCursor *pCur) {
  SmsProgress *pProg = &pCur->progress;
  char zErr[2048];
  int rc = SQLITE_OK, bEnd = 0;
  while (!sms_page_has_row(&pCur->page)) {
    rc = sms_scan_next(pCur->pScan, &pCur->page, &pCur->iProgramId, &bEnd, zErr, sizeof(zErr));
    if (rc != SMS_OK) {
      rc = set_error(pCur->base.pVtab, rc, "%s", zErr);
      break;
    }
    if (bEnd) {
      pCur->bEof = 1;
      break;
    }
    char zNote[512]; /* taken whether said or not: a later statement must not say it late */
    if (sms_log_take_note(pCur->spec.pLog, zNote, sizeof(zNote))) {
      sms_progress_note(pProg, zNote);
    }
    if (pProg->bOn) {
      /* the pages the API sent, not those the cache made up: the log knows which */
      long long nFetched, nCached;
      sms_log_statement_counts(pCur->spec.pLog, (const long long *)pCur->aProgramId,
                               pCur->nProgramId, &nFetched, &nCached);
      sms_progress_page(pProg, pCur->iProgramId, pCur->nProgramId, pCur->page.nRow, nFetched,
                        nCached);
    }
  }
  if (bEnd || rc != SQLITE_OK) sms_progress_end(pProg);
  if (rc != SQLITE_OK) pCur->bEof = 1;
  return rc;
}

static int sms_next(sqlite3_vtab_cursor *cur) {
  SmsCursor *pCur = (SmsCursor *)cur;
  if (pCur->bKeyAll && key_settle(pCur) != SQLITE_OK) return SQLITE_NOMEM;
  pCur->bKey = 0;
  pCur->bRowid = 0;
  sms_page_next(&pCur->page);
  return cursor_settle(pCur);
}

static int sms_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int iCol) {
  SmsCursor *pCur = (SmsCursor *)cur;
  SmsValue v;
  if (iCol == COL_PROGRAM_ID) {
    sqlite3_result_int64(ctx, pCur->iProgramId);
    return SQLITE_OK;
  }
  if (iCol == COL_MESSAGE_KEY) {
    if (key_settle(pCur) != SQLITE_OK) return SQLITE_NOMEM;
    sqlite3_result_text(ctx, pCur->zKey, -1, SQLITE_TRANSIENT);
    return SQLITE_OK;
  }
  if (iCol == COL_RAW) {
    char *z = sms_page_row_json(&pCur->page, pCur->page.iCur);
    if (!z) return SQLITE_NOMEM;
    sqlite3_result_text(ctx, z, -1, free);
    return SQLITE_OK;
  }
  sms_page_field(&pCur->page, (SmsField)iCol, &v);
  switch (v.eType) {
  case SMS_INT:
    sqlite3_result_int64(ctx, v.iVal);
    break;
  case SMS_REAL:
    sqlite3_result_double(ctx, v.rVal);
    break;
  case SMS_TEXT:
    sqlite3_result_text64(ctx, v.z, v.n, SQLITE_TRANSIENT, SQLITE_UTF8);
    break;
  default:
    sqlite3_result_null(ctx);
    break;
  }
  return SQLITE_OK;
}

/* The rowid identifies a message by its content (program and every field), the same in
** every scan: SQLite's OR optimization scans once per OR branch and drops rows whose
** rowid it has already returned, so a counter would lose rows. Identical messages are
** told apart by how many came before them in the scan; the set of hashes that counts them
** is built only when SQLite asks for rowids at all (the message_key count, with the content
** hash for the identity). */
static int sms_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid) {
  SmsCursor *pCur = (SmsCursor *)cur;
  if (!pCur->bRowid) {
    sqlite3_uint64 h = sms_page_row_hash(&pCur->page, pCur->page.iCur) ^
                       (sqlite3_uint64)pCur->iProgramId * 0x9e3779b97f4a7c15ULL;
    int nBefore;
    if (sms_hash_count_add(&pCur->rowids, h, 0, &nBefore) != SMS_OK) return SQLITE_NOMEM;
    pCur->iRowid = (sqlite3_int64)((h + (sqlite3_uint64)nBefore) & 0x7fffffffffffffffULL);
    pCur->bRowid = 1;
  }
  *pRowid = pCur->iRowid;
  return SQLITE_OK;
}

static int sms_eof(sqlite3_vtab_cursor *cur) {
  return ((SmsCursor *)cur)->bEof;
}

/* A program_id value as SQLite's INTEGER affinity would see it: 1 and *piOut for a
** positive integer, 0 for NULL (matches nothing), -1 for anything else. */
static int program_value(sqlite3_value *pVal, sqlite3_int64 *piOut) {
  int eType = sqlite3_value_numeric_type(pVal);
  if (eType == SQLITE_NULL) return 0;
  if (eType == SQLITE_FLOAT) {
    double r = sqlite3_value_double(pVal);
    if (r >= 1 && r < 9.2e18 && r == (double)(sqlite3_int64)r) {
      *piOut = (sqlite3_int64)r;
      return 1;
    }
    return -1;
  }
  if (eType != SQLITE_INTEGER || sqlite3_value_int64(pVal) < 1) return -1;
  *piOut = sqlite3_value_int64(pVal);
  return 1;
}

/* Add program iProg to the cursor's list (kept ascending, without duplicates). */
static int add_program(SmsCursor *pCur, sqlite3_int64 iProg) {
  int i;
  for (i = 0; i < pCur->nProgramId; i++) {
    if (pCur->aProgramId[i] == iProg) return SQLITE_OK;
  }
  sqlite3_int64 *aNew =
      sqlite3_realloc64(pCur->aProgramId, (pCur->nProgramId + 1) * sizeof(sqlite3_int64));
  if (!aNew) return SQLITE_NOMEM;
  pCur->aProgramId = aNew;
  for (i = pCur->nProgramId; i > 0 && aNew[i - 1] > iProg; i--)
    aNew[i] = aNew[i - 1];
  aNew[i] = iProg;
  pCur->nProgramId++;
  return SQLITE_OK;
}

static int bad_program(sqlite3_vtab *pVtab, sqlite3_value *pVal) {
  return set_error(pVtab, SQLITE_ERROR,
                   "sms_messages: program_id must be a positive integer, not '%s'",
                   sqlite3_value_text(pVal) ? (const char *)sqlite3_value_text(pVal) : "");
}

/* Bits of the set of message types a query can match. */
#define TYPE_MO 1
#define TYPE_MT 2

/* The types a `type = v` value allows: TYPE_MO, TYPE_MT, 0 for NULL or another text (no
** row can match), both when v is a number or a blob (SQLite decides). */
static int type_mask(sqlite3_value *pVal) {
  if (sqlite3_value_type(pVal) == SQLITE_NULL) return 0;
  const char *z = (const char *)sqlite3_value_text(pVal);
  if (sqlite3_value_type(pVal) != SQLITE_TEXT || !z) return TYPE_MO | TYPE_MT;
  if (strcmp(z, "MO") == 0) return TYPE_MO;
  if (strcmp(z, "MT") == 0) return TYPE_MT;
  return 0;
}

/* ---------------------------------------------------------------- literal typos
**
** A type or date value written in the query that can never mean what the user meant is an
** error, as a literal bad program_id is: 'mo' matches no row, and a date in another form
** ('2026/06/01', '2026-06-01T10:00:00', 1780300800) compares as text with dates it does not
** resemble and gives a quiet wrong count. xBestIndex notes which values are not literals
** (fed_bits); xFilter checks the others (type_typo, date_typo). A value from a join, a
** subquery, a bound parameter or an expression is data, not a typo: it keeps SQL's own
** comparison exactly. An IN list's values are never shown at planning, so type IN ('MO',
** 'mt') cannot be told from type IN (SELECT ...) and keeps SQL's answer too.
*/

/* The idxNum bits IDX_TYPE_FED and IDX_DATE_FED << k of the plan's xFilter arguments
** (aiArg, aeTerm: nArg of them, in idxStr order). bRhs: sqlite3_vtab_rhs_value exists
** (3.38, with sqlite3_vtab_in); before, no value is known to be a literal, and SQL's answer
** is the safe one. */
static int fed_bits(sqlite3_index_info *pInfo, const int *aiArg, const SmsTerm *aeTerm,
                    int nArg, int bRhs) {
  int i, iDate = 0, m = 0;
  for (i = 0; i < nArg; i++) {
    int bDate = aeTerm[i] >= TERM_DATE_EQ && aeTerm[i] <= TERM_DATE_GE;
    sqlite3_value *pVal = 0;
    if (aeTerm[i] != TERM_TYPE_EQ && !bDate) continue;
    if (!bRhs || sqlite3_vtab_rhs_value(pInfo, aiArg[i], &pVal) != SQLITE_OK || !pVal) {
      m |= bDate ? IDX_DATE_FED << iDate : IDX_TYPE_FED;
    }
    iDate += bDate;
  }
  return m;
}

/* Whether a literal type value is a typo: anything but 'MO', 'MT' and NULL (which SQL
** answers with no row, as everywhere). */
static int type_typo(sqlite3_value *pVal) {
  return sqlite3_value_type(pVal) != SQLITE_NULL && type_mask(pVal) != TYPE_MO &&
         type_mask(pVal) != TYPE_MT;
}

/* Whether a literal date value is a typo: anything but NULL and text in the table's form. */
static int date_typo(sqlite3_value *pVal) {
  if (sqlite3_value_type(pVal) == SQLITE_NULL) return 0;
  if (sqlite3_value_type(pVal) != SQLITE_TEXT) return 1;
  return !sms_date_in_form((const char *)sqlite3_value_text(pVal),
                           (size_t)sqlite3_value_bytes(pVal));
}

/* The value as the user wrote it: 'text' (quotes doubled), a number, or "a blob". */
static char *literal_shown(sqlite3_value *pVal) {
  switch (sqlite3_value_type(pVal)) {
  case SQLITE_TEXT:
    return sqlite3_mprintf("%Q", (const char *)sqlite3_value_text(pVal));
  case SQLITE_BLOB:
    return sqlite3_mprintf("a blob");
  default:
    return sqlite3_mprintf("%s", (const char *)sqlite3_value_text(pVal));
  }
}

static int bad_type(sqlite3_vtab *pVtab, sqlite3_value *pVal) {
  char *zShown = literal_shown(pVal);
  const char *z = (const char *)sqlite3_value_text(pVal);
  int rc;
  if (!zShown) return SQLITE_NOMEM;
  if (z && sqlite3_value_type(pVal) == SQLITE_TEXT && sqlite3_stricmp(z, "MO") == 0) {
    z = "write 'MO'";
  } else if (z && sqlite3_value_type(pVal) == SQLITE_TEXT && sqlite3_stricmp(z, "MT") == 0) {
    z = "write 'MT'";
  } else {
    z = "write 'MO' or 'MT'";
  }
  rc = set_error(pVtab, SQLITE_ERROR,
                 "sms_messages: type is 'MO' (received) or 'MT' (sent), in capitals, so %s "
                 "matches no message; %s",
                 zShown, z);
  sqlite3_free(zShown);
  return rc;
}

static int bad_date(sqlite3_vtab *pVtab, sqlite3_value *pVal) {
  char *zShown = literal_shown(pVal), *zHint = 0;
  char zSuggest[20];
  int rc;
  if (!zShown) return SQLITE_NOMEM;
  if (sqlite3_value_type(pVal) == SQLITE_TEXT &&
      sms_date_suggest((const char *)sqlite3_value_text(pVal),
                       (size_t)sqlite3_value_bytes(pVal), zSuggest)) {
    zHint = sqlite3_mprintf("; write '%s'", zSuggest);
  } else if (sqlite3_value_type(pVal) == SQLITE_INTEGER && sqlite3_value_int64(pVal) >= 1000 &&
             sqlite3_value_int64(pVal) <= 9999) {
    zHint = sqlite3_mprintf("; write the year as text, '%lld'", sqlite3_value_int64(pVal));
  } else if (sqlite3_value_type(pVal) == SQLITE_INTEGER && sqlite3_value_int64(pVal) > 9999) {
    zHint = sqlite3_mprintf("; for a Unix time write datetime(%lld, 'unixepoch')",
                            sqlite3_value_int64(pVal));
  } else {
    zHint = sqlite3_mprintf("");
  }
  rc = zHint ? set_error(
                   pVtab, SQLITE_ERROR,
                   "sms_messages: date is text of the form 'YYYY-MM-DD HH:MM:SS': compare it "
                   "with text of that form or a prefix of it ('2026', '2026-06', "
                   "'2026-06-01', '2026-06-01 10:00'), not with %s%s",
                   zShown, zHint)
             : SQLITE_NOMEM;
  sqlite3_free(zShown);
  sqlite3_free(zHint);
  return rc;
}

/* ---------------------------------------------------------------- planning words */

/* Read the next word of idxStr at *pz into *peTerm; 0 at the end. */
static int next_term(const char **pz, SmsTerm *peTerm) {
  const char *z = *pz;
  int i, iBest = -1;
  size_t nBest = 0;
  while (*z == ' ')
    z++;
  if (!*z) return 0;
  for (i = 0; i < N_TERM; i++) {
    size_t n = strlen(azTermWord[i]);
    if (n > nBest && strncmp(z, azTermWord[i], n) == 0 && (z[n] == ' ' || z[n] == 0)) {
      iBest = i;
      nBest = n;
    }
  }
  if (iBest < 0) return 0;
  *peTerm = (SmsTerm)iBest;
  *pz = z + nBest;
  return 1;
}

/*
** xFilter: turn the pushed-down constraints into the scan's requests and fetch the first
** page.
*/
static int sms_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                      sqlite3_value **argv) {
  SmsCursor *pCur = (SmsCursor *)cur;
  sqlite3_vtab *pVtab = cur->pVtab;
  SmsTable *pTab = (SmsTable *)pVtab;
  SmsWindow win;
  sqlite3_int64 nLimit = -1, nOffset = 0, iProg;
  int mType = TYPE_MO | TYPE_MT;
  int i = 0, rc = SQLITE_OK, bNoRows = 0;
  int iDate = 0; /* date terms read so far: the rank of the next (IDX_DATE_FED) */
  SmsTerm eTerm;
  const char *z = idxStr ? idxStr : "";

  cursor_reset(pCur);
  sms_progress_scan(&pCur->progress, pTab->cfg.bProgress);
  pCur->bKeyAll = (idxNum & IDX_KEY) != 0;
  sms_window_init(&win);
  if ((idxNum & IDX_PROGRAM_MASK) == IDX_PROGRAM_NONE) {
    return set_error(pVtab, SQLITE_ERROR,
                     "sms_messages: no program_id: say which program to read, with WHERE "
                     "program_id = N (or IN (...)), as sms_messages(N), or with CREATE "
                     "VIRTUAL TABLE ... USING sms_messages(program_id=N)");
  }
  if ((idxNum & IDX_PROGRAM_MASK) == IDX_PROGRAM_DEFAULT) {
    rc = add_program(pCur, pTab->cfg.iProgram);
    if (rc) return rc;
  }

  while (i < argc && next_term(&z, &eTerm)) {
    sqlite3_value *pArg = argv[i++];
    switch (eTerm) {
    case TERM_PROGRAM_EQ:
      rc = program_value(pArg, &iProg);
      if (rc < 0 && !(idxNum & IDX_PROGRAM_FED)) return bad_program(pVtab, pArg);
      rc = rc > 0 ? add_program(pCur, iProg) : SQLITE_OK;
      break;
    case TERM_PROGRAM_IN: {
      sqlite3_value *pVal;
      for (rc = sqlite3_vtab_in_first(pArg, &pVal); rc == SQLITE_OK && pVal;
           rc = sqlite3_vtab_in_next(pArg, &pVal)) {
        int r = program_value(pVal, &iProg);
        if (r < 0 && !(idxNum & IDX_PROGRAM_FED)) return bad_program(pVtab, pVal);
        if (r > 0 && (rc = add_program(pCur, iProg)) != SQLITE_OK) break;
      }
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
      break;
    }
    case TERM_TYPE_EQ:
      if (!(idxNum & IDX_TYPE_FED) && type_typo(pArg)) return bad_type(pVtab, pArg);
      mType &= type_mask(pArg);
      break;
    case TERM_TYPE_IN: {
      sqlite3_value *pVal;
      int m = 0;
      for (rc = sqlite3_vtab_in_first(pArg, &pVal); rc == SQLITE_OK && pVal;
           rc = sqlite3_vtab_in_next(pArg, &pVal)) {
        m |= type_mask(pVal);
      }
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
      mType &= m;
      break;
    }
    case TERM_LIMIT:
      nLimit = sqlite3_value_int64(pArg);
      break;
    case TERM_OFFSET:
      nOffset = sqlite3_value_int64(pArg);
      break;
    default: {
      static const SmsOp aOp[] = {SMS_OP_EQ, SMS_OP_LT, SMS_OP_LE, SMS_OP_GT, SMS_OP_GE};
      if (!(idxNum & (IDX_DATE_FED << iDate++)) && date_typo(pArg)) {
        return bad_date(pVtab, pArg);
      }
      /* Only TEXT is compared as text; for other values SQLite decides alone. */
      if (sqlite3_value_type(pArg) == SQLITE_TEXT) {
        const char *zDate = (const char *)sqlite3_value_text(pArg);
        if (!zDate) return SQLITE_NOMEM;
        sms_window_apply(&win, aOp[eTerm - TERM_DATE_EQ], zDate,
                         (size_t)sqlite3_value_bytes(pArg));
      } else if (sqlite3_value_type(pArg) == SQLITE_NULL) {
        bNoRows = 1; /* a comparison with NULL is never true */
      }
      break;
    }
    }
    if (rc != SQLITE_OK) return rc;
  }

  int nPageSize = pTab->cfg.nPageSize;
  if (nOffset < 0) nOffset = 0;
  if (nLimit >= 0 && nLimit < nPageSize && nOffset < nPageSize - nLimit) {
    nPageSize = nLimit + nOffset > 0 ? (int)(nLimit + nOffset) : 1;
  }
  memset(&pCur->spec, 0, sizeof(pCur->spec));
  pCur->spec.pCfg = &pTab->cfg;
  pCur->spec.zType = mType == TYPE_MO ? "MO" : mType == TYPE_MT ? "MT" : 0;
  pCur->spec.nPageSize = nPageSize;
  pCur->spec.nParallel = pTab->cfg.nParallel;
  /* Under a LIMIT nothing is fetched before it is needed. */
  pCur->spec.bAhead = nLimit < 0 && !(idxNum & IDX_MAY_STOP);
  pCur->spec.bAdaptive = pCur->spec.bAhead && !pTab->cfg.bParallelSet;
  pCur->spec.iOrder = (idxNum & IDX_ORDER_DESC) ? -1 : (idxNum & IDX_ORDER_ASC) ? 1 : 0;
  pCur->spec.bDatedOnly = (idxNum & IDX_DATED) != 0;
  pCur->spec.iNow = sms_clock_now(pTab->cfg.zBaseUrl); /* the server's clock, as last learned */
  pCur->spec.xInterrupted = is_interrupted;
  pCur->spec.pInterruptArg = pTab->db;
  pCur->spec.pLog = pTab->pCtx->pLog;
  pCur->spec.pShare = pTab->pCtx->pShare;
  pCur->spec.aProgramId = (const long long *)pCur->aProgramId;
  pCur->spec.nProgramId = pCur->nProgramId;
  pCur->spec.zCacheKey = pTab->zCacheKey;
  if (bNoRows || mType == 0 || nLimit == 0 || pCur->nProgramId == 0 ||
      !sms_window_request(&win, pCur->spec.iNow, &pCur->spec.iStart, &pCur->spec.iEnd,
                          &pCur->spec.bEnd)) {
    return SQLITE_OK; /* no row can match: no request */
  }
  if (!pTab->cfg.zUser) return set_error(pVtab, SQLITE_ERROR, "%s", pTab->cfg.zNoCredHint);
  if (pTab->cfg.nCacheTtl > 0) {
    /* The process's cache: rows fetched by any connection with the same credentials. */
    pCur->spec.pCache = sms_cache_shared();
    if (!pCur->spec.pCache) return SQLITE_NOMEM;
    sms_cache_set_max(pCur->spec.pCache, (size_t)pTab->cfg.nCacheMb << 20);
    pCur->spec.rTtl = pTab->cfg.nCacheTtl;
    pCur->spec.rTailTtl = SMS_CACHE_TAIL_TTL;
    pCur->spec.pMisses = &pTab->pCtx->misses;
    pCur->spec.bLogCache = 1;
  } else {
    if (!pCur->pOwnCache && sms_cache_new(&pCur->pOwnCache, OWN_CACHE_MAX) != SMS_OK) {
      return SQLITE_NOMEM;
    }
    pCur->spec.pCache = pCur->pOwnCache;
    pCur->spec.rTtl = pCur->spec.rTailTtl = 1e300; /* as long as the cursor lives */
  }
  pCur->bEof = 0;
  char zErr[2048];
  rc = sms_scan_open(&pCur->pScan, &pCur->spec, pCur->apHttp, zErr, sizeof(zErr));
  if (rc != SMS_OK) rc = set_error(pVtab, rc, "%s", zErr);
  if (rc == SQLITE_OK) rc = cursor_settle(pCur);
  if (rc != SQLITE_OK) pCur->bEof = 1;
  return rc;
}

/*
** xBestIndex: see HOW IT WORKS above.
*/
static int sms_best_index(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo) {
  SmsTable *pTab = (SmsTable *)pVtab;
  int aiArg[16]; /* constraint index of each xFilter argument */
  SmsTerm aeTerm[16];
  int nArg = 0, nDate = 0;
  int iProgEq = -1, iProgIn = -1, iTypeEq = -1, iTypeIn = -1, iLimit = -1, iOffset = -1;
  int bProgUnusable = 0, bLo = 0, bHi = 0;
  int bOther = 0; /* a usable constraint SQLite alone checks: LIKE on body, say */
  int i, bIn = has_vtab_in();
  double rRows;
  char *zStr = 0;

  for (i = 0; i < pInfo->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &pInfo->aConstraint[i];
    int bEq = c->op == SQLITE_INDEX_CONSTRAINT_EQ;
    if (c->iColumn == COL_PROGRAM_ID && (bEq || c->op == SQLITE_INDEX_CONSTRAINT_IS)) {
      if (!c->usable) {
        bProgUnusable = 1;
      } else if (bEq && bIn && sqlite3_vtab_in(pInfo, i, -1)) {
        if (iProgIn < 0) iProgIn = i;
      } else if (iProgEq < 0) {
        iProgEq = i;
      } else {
        bOther = 1;
      }
      continue;
    }
    if (!c->usable) continue;
    if (c->op == SQLITE_INDEX_CONSTRAINT_LIMIT) {
      iLimit = i;
      continue;
    }
    if (c->op == SQLITE_INDEX_CONSTRAINT_OFFSET) {
      iOffset = i;
      continue;
    }
    /* The API compares exactly: a constraint under another collation is SQLite's alone, and
    ** so is any one not pushed down below; either way SQLite will filter rows itself. */
    int bPushed = 0;
    int bBinary = sqlite3_stricmp(sqlite3_vtab_collation(pInfo, i), "BINARY") == 0;
    if (bBinary && c->iColumn == SMS_F_TYPE && bEq) {
      if (bIn && sqlite3_vtab_in(pInfo, i, -1)) {
        if (iTypeIn < 0) iTypeIn = i, bPushed = 1;
      } else if (iTypeEq < 0) {
        iTypeEq = i, bPushed = 1;
      }
    } else if (bBinary && c->iColumn == SMS_F_DATE && nDate < MAX_DATE_TERMS) {
      SmsTerm e = N_TERM;
      switch (c->op) {
      case SQLITE_INDEX_CONSTRAINT_EQ:
        e = TERM_DATE_EQ;
        bLo = bHi = 1;
        break;
      case SQLITE_INDEX_CONSTRAINT_LT:
        e = TERM_DATE_LT;
        bHi = 1;
        break;
      case SQLITE_INDEX_CONSTRAINT_LE:
        e = TERM_DATE_LE;
        bHi = 1;
        break;
      case SQLITE_INDEX_CONSTRAINT_GT:
        e = TERM_DATE_GT;
        bLo = 1;
        break;
      case SQLITE_INDEX_CONSTRAINT_GE:
        e = TERM_DATE_GE;
        bLo = 1;
        break;
      }
      if (e != N_TERM) {
        aiArg[nArg] = i;
        aeTerm[nArg++] = e;
        nDate++;
        bPushed = 1;
      }
    }
    if (!bPushed) bOther = 1;
  }

  /* The program terms go first, then type, then the dates collected above, then LIMIT and
  ** OFFSET: shift the dates up to make room in front. */
  int nFront = (iProgEq >= 0 || iProgIn >= 0) + (iTypeEq >= 0 || iTypeIn >= 0);
  memmove(aiArg + nFront, aiArg, nArg * sizeof(int));
  memmove(aeTerm + nFront, aeTerm, nArg * sizeof(SmsTerm));
  nArg += nFront;
  nFront = 0;
  if (iProgEq >= 0 || iProgIn >= 0) {
    aiArg[nFront] = iProgEq >= 0 ? iProgEq : iProgIn;
    aeTerm[nFront++] = iProgEq >= 0 ? TERM_PROGRAM_EQ : TERM_PROGRAM_IN;
  }
  if (iTypeEq >= 0 || iTypeIn >= 0) {
    aiArg[nFront] = iTypeEq >= 0 ? iTypeEq : iTypeIn;
    aeTerm[nFront++] = iTypeEq >= 0 ? TERM_TYPE_EQ : TERM_TYPE_IN;
  }
  /* LIMIT n says SQLite will stop after n rows only when it needs no more to sort (an
  ** ORDER BY this table does not deliver) or to filter (a constraint SQLite alone checks).
  ** SQLite 3.40 offers it in both cases; then a small pageSize would only mean many
  ** requests, so the hint is declined. */
  /* ORDER BY date alone, over one program: the scan can deliver that order itself
  ** (sms_scan.h), and then SQLite stops after LIMIT rows without reading the year. */
  int iOrder = 0;
  if (pInfo->nOrderBy == 1 && pInfo->aOrderBy[0].iColumn == SMS_F_DATE && iProgIn < 0 &&
      (iProgEq >= 0 || (!bProgUnusable && pTab->cfg.iProgram)) &&
      (pInfo->aOrderBy[0].desc || nDate > 0)) {
    iOrder = pInfo->aOrderBy[0].desc ? -1 : 1;
    pInfo->orderByConsumed = 1;
  }
  int bMayStop = iLimit >= 0 && (pInfo->nOrderBy == 0 || iOrder);
  if (iLimit >= 0 && (pInfo->nOrderBy > 0 || bOther)) iLimit = iOffset = -1;
  if (iLimit >= 0) {
    aiArg[nArg] = iLimit;
    aeTerm[nArg++] = TERM_LIMIT;
    if (iOffset >= 0) {
      aiArg[nArg] = iOffset;
      aeTerm[nArg++] = TERM_OFFSET;
    }
  }

  if (iProgEq < 0 && iProgIn < 0) {
    /* A program from another table of a join: wait for the plan that can use it. */
    if (bProgUnusable) return SQLITE_CONSTRAINT;
    pInfo->idxNum = pTab->cfg.iProgram ? IDX_PROGRAM_DEFAULT : IDX_PROGRAM_NONE;
  } else {
    sqlite3_value *pVal = 0;
    pInfo->idxNum = IDX_PROGRAM_WHERE;
    /* bIn: sqlite3_vtab_rhs_value came with sqlite3_vtab_in, in 3.38; before, no value is
    ** known to be a literal, and SQL's answer (no row) is the safe one */
    if (iProgEq < 0 || !bIn || sqlite3_vtab_rhs_value(pInfo, iProgEq, &pVal) != SQLITE_OK ||
        !pVal) {
      pInfo->idxNum |= IDX_PROGRAM_FED;
    }
  }
  /* Literal typos: which type and date values are not literals (see fed_bits) */
  pInfo->idxNum |= fed_bits(pInfo, aiArg, aeTerm, nArg, bIn);
  if (bMayStop) pInfo->idxNum |= IDX_MAY_STOP;
  if (pInfo->colUsed & ((sqlite3_uint64)1 << COL_MESSAGE_KEY)) pInfo->idxNum |= IDX_KEY;
  if (iOrder) pInfo->idxNum |= iOrder < 0 ? IDX_ORDER_DESC : IDX_ORDER_ASC;
  if (iOrder && nDate > 0) pInfo->idxNum |= IDX_DATED;

  for (i = 0; i < nArg; i++) {
    pInfo->aConstraintUsage[aiArg[i]].argvIndex = i + 1;
    if (aeTerm[i] == TERM_PROGRAM_IN || aeTerm[i] == TERM_TYPE_IN) {
      sqlite3_vtab_in(pInfo, aiArg[i], 1);
    }
    zStr = sqlite3_mprintf("%z%s%s", zStr, i ? " " : "", azTermWord[aeTerm[i]]);
    if (!zStr) return SQLITE_NOMEM;
  }
  if (iOrder) {
    zStr = sqlite3_mprintf("%z%sORDER BY date%s", zStr, nArg ? " " : "",
                           iOrder < 0 ? " DESC" : "");
    if (!zStr) return SQLITE_NOMEM;
  }
  pInfo->idxStr = zStr;
  pInfo->needToFreeIdxStr = 1;

  /* A program has tens of thousands of messages a year; each filter cuts them down. The
  ** cost is dominated by requests, so that a join puts this scan in its outer loop. */
  rRows = 50000.0;
  if (iTypeEq >= 0 || iTypeIn >= 0) rRows /= 2;
  if (bLo) rRows /= 4;
  if (bHi) rRows /= 4;
  if (iLimit >= 0) {
    sqlite3_value *pVal = 0;
    if (sqlite3_vtab_rhs_value(pInfo, iLimit, &pVal) == SQLITE_OK && pVal) {
      double r = (double)sqlite3_value_int64(pVal);
      if (r < rRows) rRows = r < 1 ? 1 : r;
    } else {
      rRows /= 10;
    }
  }
  if ((pInfo->idxNum & IDX_PROGRAM_MASK) == IDX_PROGRAM_NONE) {
    pInfo->estimatedRows = 2000000000;
    pInfo->estimatedCost = 1e30;
  } else {
    pInfo->estimatedRows = (sqlite3_int64)rRows;
    pInfo->estimatedCost = 10000.0 + rRows * 10.0;
  }
  return SQLITE_OK;
}

/* The table mirrors an export API, which has no way to write messages. xBegin runs
** before an UPDATE or DELETE scans the table, so a write fails before any request. */
static int read_only(sqlite3_vtab *pVtab) {
  return set_error(pVtab, SQLITE_READONLY,
                   "sms_messages: the table is read-only (the API only exports messages); "
                   "copy the rows into a table of your own to change them");
}

static int sms_update(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                      sqlite_int64 *pRowid) {
  (void)argc;
  (void)argv;
  (void)pRowid;
  return read_only(pVtab);
}

static sqlite3_module smsModule = {
    0,              /* iVersion */
    sms_connect,    /* xCreate: the same as xConnect, so the table is also eponymous */
    sms_connect,    /* xConnect */
    sms_best_index, /* xBestIndex */
    sms_disconnect, /* xDisconnect */
    sms_disconnect, /* xDestroy */
    sms_open,       /* xOpen */
    sms_close,      /* xClose */
    sms_filter,     /* xFilter */
    sms_next,       /* xNext */
    sms_eof,        /* xEof */
    sms_column,     /* xColumn */
    sms_rowid,      /* xRowid */
    sms_update,     /* xUpdate */
    read_only,      /* xBegin */
    0,              /* xSync */
    0,              /* xCommit */
    0,              /* xRollback */
    0,              /* xFindFunction */
    0,              /* xRename */
    0,              /* xSavepoint */
    0,              /* xRelease */
    0,              /* xRollbackTo */
    0,              /* xShadowName */
};

SmsContext *sms_context_new(void) {
  SmsContext *p = sqlite3_malloc64(sizeof(*p));
  if (!p) return 0;
  memset(p, 0, sizeof(*p));
  p->pLog = sms_log_new();
  p->pShare = sms_http_share_new();
  if (!p->pLog || !p->pShare) {
    sms_context_free(p);
    return 0;
  }
  return p;
}

void sms_context_free(void *pArg) {
  SmsContext *p = pArg;
  if (!p) return;
  sms_log_free(p->pLog);
  sms_http_share_free(p->pShare);
  sqlite3_free(p);
}

int sms_vtab_register(sqlite3 *db, SmsContext *pCtx) {
  return sqlite3_create_module_v2(db, "sms_messages", &smsModule, pCtx, sms_context_free);
}
