/*
** sms_cache_table.c: the eponymous table sms_cache, the windows the process's cache holds.
**
** Usage:
**
**     SELECT program_id, message_type, start_date, end_date, rows, bytes, age_s, hits
**       FROM sms_cache;
**     DELETE FROM sms_cache WHERE program_id = 4711;   -- forget them: the next scan asks
**     DELETE FROM sms_cache;                           -- forget everything
**
** One row per cache entry (sms_cache.h): the rows of one completed chain of requests, for one
** program and message type (NULL: both), covering start_date to end_date inclusive. hits
** counts the scans it answered, so a user sees why a query sent no request. The entries of
** every connection of the process are listed (the cache is shared; whose rows an entry
** holds is shown by base_url, never by credentials). Rows cannot be inserted or changed;
** DELETE forgets entries, and a scan reading one finishes undisturbed.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include "sms_cache.h"
#include "sms_vtab.h"

#include <string.h>

#define CACHE_SCHEMA                                                                           \
  "CREATE TABLE x(program_id INTEGER, message_type TEXT, start_date TEXT, end_date TEXT, "     \
  "rows INTEGER, bytes INTEGER, age_s REAL, hits INTEGER, base_url TEXT)"

enum {
  CACHE_PROGRAM,
  CACHE_TYPE,
  CACHE_START,
  CACHE_END,
  CACHE_ROWS,
  CACHE_BYTES,
  CACHE_AGE,
  CACHE_HITS,
  CACHE_BASE_URL
};

typedef struct CacheTable {
  sqlite3_vtab base; /* Base class. Must be first */
} CacheTable;

typedef struct CacheCursor {
  sqlite3_vtab_cursor base; /* Base class. Must be first */
  SmsCacheInfo *aInfo;      /* a snapshot of the entries, taken by xFilter */
  int nInfo;                /* entries in aInfo */
  int iInfo;                /* the current entry */
} CacheCursor;

static int cache_connect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                         sqlite3_vtab **ppVtab, char **pzErr) {
  CacheTable *p;
  int rc;
  (void)pAux;
  (void)argc;
  (void)argv;
  (void)pzErr;
  rc = sqlite3_declare_vtab(db, CACHE_SCHEMA);
  if (rc != SQLITE_OK) return rc;
  p = sqlite3_malloc64(sizeof(*p));
  if (!p) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  *ppVtab = &p->base;
  return SQLITE_OK;
}

static int cache_disconnect(sqlite3_vtab *pVtab) {
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

static int cache_open(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCursor) {
  CacheCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if (!pCur) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCursor = &pCur->base;
  return SQLITE_OK;
}

static int cache_close(sqlite3_vtab_cursor *cur) {
  CacheCursor *pCur = (CacheCursor *)cur;
  sms_cache_info_free(pCur->aInfo, pCur->nInfo);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

static int cache_next(sqlite3_vtab_cursor *cur) {
  ((CacheCursor *)cur)->iInfo++;
  return SQLITE_OK;
}

static void result_date(sqlite3_context *ctx, sms_time t) {
  char zDate[20];
  sms_time_format(t, ' ', zDate);
  sqlite3_result_text(ctx, zDate, -1, SQLITE_TRANSIENT);
}

static int cache_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int iCol) {
  CacheCursor *pCur = (CacheCursor *)cur;
  const SmsCacheInfo *p = &pCur->aInfo[pCur->iInfo];
  switch (iCol) {
  case CACHE_PROGRAM:
    sqlite3_result_int64(ctx, p->iProgram);
    break;
  case CACHE_TYPE:
    if (p->eType != SMS_CACHE_BOTH) {
      sqlite3_result_text(ctx, p->eType == SMS_CACHE_MO ? "MO" : "MT", 2, SQLITE_STATIC);
    }
    break;
  case CACHE_START:
    result_date(ctx, p->iLo);
    break;
  case CACHE_END:
    result_date(ctx, p->iHi - 1); /* the last second covered */
    break;
  case CACHE_ROWS:
    sqlite3_result_int(ctx, p->nRow);
    break;
  case CACHE_BYTES:
    sqlite3_result_int64(ctx, (sqlite3_int64)p->nByte);
    break;
  case CACHE_AGE:
    sqlite3_result_double(ctx, (double)(long long)(p->rAge * 10) / 10);
    break;
  case CACHE_HITS:
    sqlite3_result_int64(ctx, p->nHit);
    break;
  default:
    sqlite3_result_text(ctx, p->zBaseUrl, -1, SQLITE_TRANSIENT);
    break;
  }
  return SQLITE_OK;
}

static int cache_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid) {
  CacheCursor *pCur = (CacheCursor *)cur;
  *pRowid = pCur->aInfo[pCur->iInfo].iId;
  return SQLITE_OK;
}

static int cache_eof(sqlite3_vtab_cursor *cur) {
  CacheCursor *pCur = (CacheCursor *)cur;
  return pCur->iInfo >= pCur->nInfo;
}

static int cache_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                        sqlite3_value **argv) {
  CacheCursor *pCur = (CacheCursor *)cur;
  SmsCache *pCache = sms_cache_shared();
  (void)idxNum;
  (void)idxStr;
  (void)argc;
  (void)argv;
  sms_cache_info_free(pCur->aInfo, pCur->nInfo);
  pCur->aInfo = 0;
  pCur->iInfo = 0;
  pCur->nInfo = pCache ? sms_cache_list(pCache, &pCur->aInfo) : -1;
  if (pCur->nInfo < 0) {
    pCur->nInfo = 0;
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

static int cache_best_index(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo) {
  (void)pVtab;
  pInfo->estimatedCost = 100;
  pInfo->estimatedRows = 100;
  return SQLITE_OK;
}

/* DELETE forgets an entry; INSERT and UPDATE have nothing to mean. */
static int cache_update(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                        sqlite_int64 *pRowid) {
  (void)pRowid;
  if (argc == 1 && sqlite3_value_type(argv[0]) == SQLITE_INTEGER) {
    SmsCache *pCache = sms_cache_shared();
    if (pCache) sms_cache_forget(pCache, sqlite3_value_int64(argv[0]));
    return SQLITE_OK;
  }
  sqlite3_free(pVtab->zErrMsg);
  pVtab->zErrMsg = sqlite3_mprintf("sms_messages: sms_cache only forgets windows: use DELETE "
                                   "FROM sms_cache [WHERE ...]; a query fills it by itself");
  return SQLITE_READONLY;
}

static sqlite3_module cacheModule = {
    0,                /* iVersion */
    0,                /* xCreate: none, the table exists only eponymously */
    cache_connect,    /* xConnect */
    cache_best_index, /* xBestIndex */
    cache_disconnect, /* xDisconnect */
    cache_disconnect, /* xDestroy */
    cache_open,       /* xOpen */
    cache_close,      /* xClose */
    cache_filter,     /* xFilter */
    cache_next,       /* xNext */
    cache_eof,        /* xEof */
    cache_column,     /* xColumn */
    cache_rowid,      /* xRowid */
    cache_update,     /* xUpdate */
    0,                /* xBegin */
    0,                /* xSync */
    0,                /* xCommit */
    0,                /* xRollback */
    0,                /* xFindFunction */
    0,                /* xRename */
    0,                /* xSavepoint */
    0,                /* xRelease */
    0,                /* xRollbackTo */
    0,                /* xShadowName */
};

int sms_cache_table_register(sqlite3 *db) {
  return sqlite3_create_module(db, "sms_cache", &cacheModule, 0);
}
