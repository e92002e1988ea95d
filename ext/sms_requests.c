/*
** sms_requests.c: the eponymous table sms_requests, the requests this connection made.
**
** Usage:
**
**     SELECT count(*) FROM sms_messages(4711) WHERE type = 'MO';
**     SELECT seq, status, rows, ms, url FROM sms_requests
**      WHERE stmt = (SELECT max(stmt) FROM sms_requests);
**     DELETE FROM sms_requests;
**
** One row per HTTP try (a retried page shows each try, attempt 1, 2, ...), and one per part
** of a window the cache answered instead (source 'cache': no status, attempt, bytes or ms;
** the URL it spared; count: the times the statement read it), the last 1000 of the
** connection, oldest first. stmt numbers the connection's statements that read
** sms_messages (see sms_vtab.c, sms_open). A user sees what a query cost, whether a filter
** was pushed down (it is in the URL), and why no request went out. URLs never carry
** credentials. DELETE forgets rows (all of them, or those its WHERE picks); INSERT and
** UPDATE are refused. The table exists once, eponymously: CREATE VIRTUAL TABLE ... USING
** sms_requests is refused.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include "sms_log.h"
#include "sms_vtab.h"

#include <string.h>
#include <time.h>

#define REQ_SCHEMA                                                                             \
  "CREATE TABLE x(seq INTEGER, stmt INTEGER, time TEXT, program_id INTEGER, url TEXT, "        \
  "status INTEGER, attempt INTEGER, rows INTEGER, bytes INTEGER, ms REAL, error TEXT, "        \
  "source TEXT, count INTEGER, note TEXT)"

enum {
  REQ_SEQ,
  REQ_STMT,
  REQ_TIME,
  REQ_PROGRAM,
  REQ_URL,
  REQ_STATUS,
  REQ_ATTEMPT,
  REQ_ROWS,
  REQ_BYTES,
  REQ_MS,
  REQ_ERROR,
  REQ_SOURCE,
  REQ_COUNT,
  REQ_NOTE
};

typedef struct ReqTable {
  sqlite3_vtab base; /* Base class. Must be first */
  SmsLog *pLog;      /* the connection's request log */
} ReqTable;

typedef struct ReqCursor {
  sqlite3_vtab_cursor base; /* Base class. Must be first */
  SmsLogRecord *aRec;       /* a snapshot of the log, taken by xFilter */
  int nRec;                 /* records in aRec */
  int iRec;                 /* the current record */
} ReqCursor;

static int req_connect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                       sqlite3_vtab **ppVtab, char **pzErr) {
  ReqTable *p;
  int rc;
  /* xCreate is xConnect (so that the eponymous table exists); a table of another name is a
  ** CREATE VIRTUAL TABLE, which would only make a second view of the same log. */
  if (argc > 3 || sqlite3_stricmp(argv[2], "sms_requests") != 0) {
    *pzErr = sqlite3_mprintf("sms_requests: the table exists once per connection, as "
                             "sms_requests; query it directly instead of creating one");
    return SQLITE_ERROR;
  }
  rc = sqlite3_declare_vtab(db, REQ_SCHEMA);
  if (rc != SQLITE_OK) return rc;
  p = sqlite3_malloc64(sizeof(*p));
  if (!p) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->pLog = ((SmsContext *)pAux)->pLog;
  *ppVtab = &p->base;
  return SQLITE_OK;
}

static int req_disconnect(sqlite3_vtab *pVtab) {
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

static int req_open(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCursor) {
  ReqCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if (!pCur) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCursor = &pCur->base;
  return SQLITE_OK;
}

static int req_close(sqlite3_vtab_cursor *cur) {
  ReqCursor *pCur = (ReqCursor *)cur;
  sms_log_snapshot_free(pCur->aRec, pCur->nRec);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

static int req_next(sqlite3_vtab_cursor *cur) {
  ((ReqCursor *)cur)->iRec++;
  return SQLITE_OK;
}

static int req_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int iCol) {
  ReqCursor *pCur = (ReqCursor *)cur;
  const SmsLogRecord *p = &pCur->aRec[pCur->iRec];
  switch (iCol) {
  case REQ_SEQ:
    sqlite3_result_int64(ctx, p->iSeq);
    break;
  case REQ_STMT:
    sqlite3_result_int64(ctx, p->iStmt);
    break;
  case REQ_COUNT:
    sqlite3_result_int64(ctx, p->nCount);
    break;
  case REQ_TIME: {
    /* SQLite's own form with milliseconds, like strftime('%Y-%m-%d %H:%M:%f') */
    char zTime[40];
    struct tm tm;
    time_t t = (time_t)p->rTime;
    gmtime_r(&t, &tm);
    strftime(zTime, 20, "%Y-%m-%d %H:%M:%S", &tm);
    sqlite3_snprintf(sizeof(zTime) - 19, zTime + 19, ".%03d",
                     (int)((p->rTime - (double)t) * 1000));
    sqlite3_result_text(ctx, zTime, -1, SQLITE_TRANSIENT);
    break;
  }
  case REQ_PROGRAM:
    sqlite3_result_int64(ctx, p->iProgram);
    break;
  case REQ_URL:
    sqlite3_result_text(ctx, p->zUrl, -1, SQLITE_TRANSIENT);
    break;
  case REQ_STATUS:
    if (p->iStatus) sqlite3_result_int(ctx, p->iStatus);
    break;
  case REQ_ATTEMPT:
    if (!p->bCache) sqlite3_result_int(ctx, p->iAttempt);
    break;
  case REQ_ROWS:
    if (p->nRow >= 0) sqlite3_result_int(ctx, p->nRow);
    break;
  case REQ_BYTES:
    if (!p->bCache) sqlite3_result_int64(ctx, p->nByte);
    break;
  case REQ_MS:
    if (!p->bCache) sqlite3_result_double(ctx, (double)(long long)(p->rMs * 10 + 0.5) / 10);
    break;
  case REQ_ERROR:
    if (p->zError) sqlite3_result_text(ctx, p->zError, -1, SQLITE_TRANSIENT);
    break;
  case REQ_NOTE:
    if (p->zNote) sqlite3_result_text(ctx, p->zNote, -1, SQLITE_TRANSIENT);
    break;
  default:
    sqlite3_result_text(ctx, p->bCache ? "cache" : "api", -1, SQLITE_STATIC);
    break;
  }
  return SQLITE_OK;
}

static int req_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid) {
  ReqCursor *pCur = (ReqCursor *)cur;
  *pRowid = pCur->aRec[pCur->iRec].iSeq;
  return SQLITE_OK;
}

static int req_eof(sqlite3_vtab_cursor *cur) {
  ReqCursor *pCur = (ReqCursor *)cur;
  return pCur->iRec >= pCur->nRec;
}

static int req_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                      sqlite3_value **argv) {
  ReqCursor *pCur = (ReqCursor *)cur;
  ReqTable *pTab = (ReqTable *)cur->pVtab;
  (void)idxNum;
  (void)idxStr;
  (void)argc;
  (void)argv;
  sms_log_snapshot_free(pCur->aRec, pCur->nRec);
  pCur->aRec = 0;
  pCur->iRec = 0;
  pCur->nRec = sms_log_snapshot(pTab->pLog, &pCur->aRec);
  if (pCur->nRec < 0) {
    pCur->nRec = 0;
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

static int req_best_index(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo) {
  (void)pVtab;
  pInfo->estimatedCost = 1000;
  pInfo->estimatedRows = 1000;
  return SQLITE_OK;
}

/* DELETE forgets the rows it picks (argc 1: argv[0] is the rowid, the seq); INSERT and
** UPDATE would write rows no request made, and are refused. */
static int req_update(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                      sqlite_int64 *pRowid) {
  (void)pRowid;
  if (argc == 1) {
    sms_log_delete(((ReqTable *)pVtab)->pLog, sqlite3_value_int64(argv[0]));
    return SQLITE_OK;
  }
  sqlite3_free(pVtab->zErrMsg);
  pVtab->zErrMsg = sqlite3_mprintf("sms_requests: the table lists the requests the connection "
                                   "made; DELETE FROM sms_requests empties it, and nothing "
                                   "else writes to it");
  return pVtab->zErrMsg ? SQLITE_READONLY : SQLITE_NOMEM;
}

static sqlite3_module reqModule = {
    0,              /* iVersion */
    req_connect,    /* xCreate: the same as xConnect, so the table is eponymous */
    req_connect,    /* xConnect */
    req_best_index, /* xBestIndex */
    req_disconnect, /* xDisconnect */
    req_disconnect, /* xDestroy */
    req_open,       /* xOpen */
    req_close,      /* xClose */
    req_filter,     /* xFilter */
    req_next,       /* xNext */
    req_eof,        /* xEof */
    req_column,     /* xColumn */
    req_rowid,      /* xRowid */
    req_update,     /* xUpdate: DELETE only */
    0,              /* xBegin */
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

int sms_requests_register(sqlite3 *db, SmsContext *pCtx) {
  return sqlite3_create_module(db, "sms_requests", &reqModule, pCtx);
}
