/*
** cache_threads.c: a C host that drives the window cache from many threads at once, built
** with ThreadSanitizer (with the extension) by sql-tests/t/ext_cache_races.sh. It is the
** workload of t/ext_cache_threads.py in C, so that every thread is one the sanitizer sees.
**
** Usage:
**   cache_threads EXT DB SEED QUERIES
**
** DB holds the table `local`: the messages of programs 4711 and 4712 read with the cache off
** (every column, and program_id). THREADS workers each open DB, load EXT, and run QUERIES
** random windows (date bounds, types, programs, sometimes a LIMIT or ORDER BY date DESC
** LIMIT, on the eponymous table, a parallel=4 one or a cache_mb=1 one) against the API with
** the cache on (SMS_CACHE_TTL from the environment), each compared with the same query on
** `local`. Meanwhile one more thread runs DELETE FROM sms_cache (sometimes WHERE
** program_id = N). Prints "not ok - ..." for each answer that differs or fails, then one
** summary line, and exits 1 when anything differed:
**   queries=N rows=N mismatches=N deletes=N held=N hits=N
** (held and hits: the most entries, and hits of them, that sms_cache listed before a DELETE).
*/
#include "sqlite3.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define THREADS 8
#define DAY 86400LL
#define NOW 1782820800LL /* 2026-06-30 12:00:00 UTC: TEST_NOW of the emulator */
#define COLUMNS                                                                                \
  "campaign_name, program_name, program_type, type, delivery_status, number, body, date, "     \
  "network, program_id, raw"

static const char *zExt; /* the extension */
static const char *zDb;  /* the database holding `local` */
static unsigned long long iSeed;
static int nQuery;                                        /* queries per worker */
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER; /* guards the counters below */
static long long nRowsAll;                                /* rows the workers read */
static int nQueriesAll;                                   /* queries run */
static int nMismatch;                                     /* answers that differed or failed */
static int nDelete;                                       /* DELETEs the clearer ran */
static long long nHeldMax; /* the most entries sms_cache listed before a DELETE */
static long long nHitsMax; /* the most hits they had answered, in all */
static int bDone;          /* the workers finished (guarded by mutex) */

/* xorshift64*: each thread's own random stream */
static unsigned long long rnd_next(unsigned long long *p) {
  *p ^= *p >> 12;
  *p ^= *p << 25;
  *p ^= *p >> 27;
  return *p * 2685821657736338717ULL;
}
static long long rnd(unsigned long long *p, long long n) {
  return (long long)(rnd_next(p) % (unsigned long long)n);
}

/* A date in one of the forms users write, to be put between quotes (zOut: 32 bytes): a day,
** SQLite's form, or the API's T form, as an expression: a literal in another form than the
** table's is an error (a typo), a value SQLite computes keeps its text comparison. */
static void date_literal(unsigned long long *pR, long long t, char *zOut) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  switch (rnd(pR, 3)) {
  case 0:
    strftime(zOut, 32, "%Y-%m-%d", &tm);
    break;
  case 1:
    strftime(zOut, 32, "%Y-%m-%d' || 'T%H:%M:%S", &tm);
    break;
  default:
    strftime(zOut, 32, "%Y-%m-%d %H:%M:%S", &tm);
    break;
  }
}

/* A WHERE clause over program_id, type and date into zOut (256 bytes). */
static void random_where(unsigned long long *pR, char *zOut) {
  static const char *azProg[] = {"program_id = 4711", "program_id = 4712",
                                 "program_id IN (4711, 4712)"};
  static const char *azType[] = {"", " AND type = 'MO'", " AND type = 'MT'",
                                 " AND type IN ('MO', 'MT')"};
  static const long long aSpan[] = {2, 10, 60, 365};
  static const long long aLen[] = {1, 5, 30};
  char zLo[32], zHi[32];
  long long iLo = NOW - rnd(pR, aSpan[rnd(pR, 4)] * DAY);
  long long iHi = iLo + 1 + rnd(pR, aLen[rnd(pR, 3)] * DAY);
  int n = snprintf(zOut, 256, "%s%s", azProg[rnd(pR, 3)], azType[rnd(pR, 4)]);
  date_literal(pR, iLo, zLo);
  date_literal(pR, iHi, zHi);
  switch (rnd(pR, 6)) {
  case 0:
    snprintf(zOut + n, 256 - n, " AND date >= '%s'", zLo);
    break;
  case 1:
    snprintf(zOut + n, 256 - n, " AND date > '%s' AND date < '%s'", zLo, zHi);
    break;
  case 2:
    snprintf(zOut + n, 256 - n, " AND date BETWEEN '%s' AND '%s'", zLo, zHi);
    break;
  case 3:
    snprintf(zOut + n, 256 - n, " AND date >= '%s' AND date <= '%s'", zLo, zHi);
    break;
  case 4:
    snprintf(zOut + n, 256 - n, " AND date < '%s'", zHi);
    break;
  default:
    break; /* no date bound: the whole year */
  }
}

/* Every row of zSql as text ('|' between columns, '\n' after each row); *pnRow gets the
** row count. NULL on an error, with its message in zErr. */
static char *run(sqlite3 *db, const char *zSql, int *pnRow, char *zErr, size_t nErr) {
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *pOut = sqlite3_str_new(db);
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  *pnRow = 0;
  while (rc == SQLITE_OK && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(pStmt); i++) {
      const char *z = (const char *)sqlite3_column_text(pStmt, i);
      sqlite3_str_appendf(pOut, "%s%s", i ? "|" : "", z ? z : "");
    }
    sqlite3_str_appendchar(pOut, 1, '\n');
    ++*pnRow;
    rc = SQLITE_OK;
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  if (rc != SQLITE_OK) snprintf(zErr, nErr, "%s", sqlite3_errmsg(db));
  sqlite3_finalize(pStmt);
  char *z = sqlite3_str_finish(pOut);
  if (rc != SQLITE_OK) {
    sqlite3_free(z);
    return 0;
  }
  return z ? z : sqlite3_mprintf("");
}

static sqlite3 *open_db(const char *zPath, char *zErr, size_t nErr) {
  sqlite3 *db = 0;
  char *zMsg = 0;
  if (sqlite3_open_v2(zPath, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0) != SQLITE_OK ||
      sqlite3_enable_load_extension(db, 1) != SQLITE_OK ||
      sqlite3_load_extension(db, zExt, 0, &zMsg) != SQLITE_OK) {
    snprintf(zErr, nErr, "%s", zMsg ? zMsg : sqlite3_errmsg(db));
    sqlite3_free(zMsg);
    sqlite3_close(db);
    return 0;
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

static void mismatch(int iThread, int iQuery, const char *zWhat, const char *zSql) {
  pthread_mutex_lock(&mutex);
  nMismatch++;
  printf("not ok - thread %d query %d: %s: %s\n", iThread, iQuery, zWhat, zSql);
  fflush(stdout);
  pthread_mutex_unlock(&mutex);
}

static void *worker(void *pArg) {
  int iThread = (int)(long)pArg;
  unsigned long long r = iSeed * 1000003ULL + (unsigned long long)iThread + 1;
  char zErr[1024], zWhere[256], zGot[1024], zWant[1024];
  sqlite3 *db = open_db(zDb, zErr, sizeof(zErr));
  /* tiny: the process has one limit, the last a scan set; its scans shrink the cache to
  ** 1 MiB under the others' feet, theirs grow it back. */
  if (!db || sqlite3_exec(db,
                          "CREATE VIRTUAL TABLE temp.p4 USING sms_messages(parallel=4);"
                          "CREATE VIRTUAL TABLE temp.tiny USING sms_messages(cache_mb=1)",
                          0, 0, 0) != SQLITE_OK) {
    mismatch(iThread, -1, "cannot open", db ? sqlite3_errmsg(db) : zErr);
    sqlite3_close(db);
    return 0;
  }
  for (int q = 0; q < nQuery; q++) {
    const char *zTab = (const char *[]){"sms_messages", "p4", "p4", "tiny"}[rnd(&r, 4)];
    long long n = (long long[]){1, 7, 150, 600}[rnd(&r, 4)];
    int eKind = (int)rnd(&r, 10), nGot = 0, nWant = 0;
    random_where(&r, zWhere);
    if (eKind < 6) { /* every row, in an order of SQLite's making */
      snprintf(zGot, sizeof(zGot),
               "SELECT " COLUMNS " FROM %s WHERE %s ORDER BY raw, program_id", zTab, zWhere);
      snprintf(zWant, sizeof(zWant),
               "SELECT " COLUMNS " FROM local WHERE %s ORDER BY raw, program_id", zWhere);
    } else if (eKind < 8) { /* a LIMIT stops the scan: n rows, each one of the copy's */
      snprintf(
          zGot, sizeof(zGot),
          "SELECT count(*), count(*) FILTER (WHERE raw IN (SELECT raw FROM local WHERE %s)) "
          "FROM (SELECT raw FROM %s WHERE %s LIMIT %lld)",
          zWhere, zTab, zWhere, n);
      snprintf(zWant, sizeof(zWant),
               "SELECT min(count(*), %lld), min(count(*), %lld) FROM local WHERE %s", n, n,
               zWhere);
    } else { /* the newest n dates: an ordered scan */
      snprintf(zGot, sizeof(zGot), "SELECT date FROM %s WHERE %s ORDER BY date DESC LIMIT %lld",
               zTab, zWhere, n);
      snprintf(zWant, sizeof(zWant),
               "SELECT date FROM local WHERE %s ORDER BY date DESC LIMIT %lld", zWhere, n);
    }
    char *zA = run(db, zGot, &nGot, zErr, sizeof(zErr));
    if (!zA) {
      mismatch(iThread, q, zErr, zGot);
    } else {
      char *zB = run(db, zWant, &nWant, zErr, sizeof(zErr));
      if (!zB) {
        mismatch(iThread, q, zErr, zWant);
      } else if (strcmp(zA, zB) != 0) {
        char zWhat[64];
        snprintf(zWhat, sizeof(zWhat), "%d rows, want %d", nGot, nWant);
        mismatch(iThread, q, zWhat, zGot);
      }
      sqlite3_free(zB);
    }
    sqlite3_free(zA);
    pthread_mutex_lock(&mutex);
    nQueriesAll++;
    nRowsAll += nGot;
    pthread_mutex_unlock(&mutex);
  }
  sqlite3_close(db);
  return 0;
}

static void *clearer(void *pArg) {
  unsigned long long r = iSeed + 77;
  char zErr[1024];
  sqlite3 *db = open_db(":memory:", zErr, sizeof(zErr));
  (void)pArg;
  if (!db) {
    mismatch(-1, -1, "clearer cannot open", zErr);
    return 0;
  }
  for (;;) {
    pthread_mutex_lock(&mutex);
    int bStop = bDone;
    pthread_mutex_unlock(&mutex);
    if (bStop) break;
    usleep(5000 + (useconds_t)rnd(&r, 50000));
    /* What the cache holds and answered, before it is forgotten: proof that it took part. */
    sqlite3_stmt *pStmt = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*), total(hits) FROM sms_cache", -1, &pStmt, 0) ==
            SQLITE_OK &&
        sqlite3_step(pStmt) == SQLITE_ROW) {
      long long nHeld = sqlite3_column_int64(pStmt, 0), nHits = sqlite3_column_int64(pStmt, 1);
      if (nHeld > nHeldMax) nHeldMax = nHeld;
      if (nHits > nHitsMax) nHitsMax = nHits;
    }
    sqlite3_finalize(pStmt);
    const char *zSql = rnd(&r, 2)   ? "DELETE FROM sms_cache"
                       : rnd(&r, 2) ? "DELETE FROM sms_cache WHERE program_id = 4711"
                                    : "DELETE FROM sms_cache WHERE program_id = 4712";
    if (sqlite3_exec(db, zSql, 0, 0, 0) != SQLITE_OK) {
      mismatch(-1, -1, sqlite3_errmsg(db), zSql);
    }
    pthread_mutex_lock(&mutex);
    nDelete++;
    pthread_mutex_unlock(&mutex);
  }
  sqlite3_close(db);
  return 0;
}

int main(int argc, char **argv) {
  pthread_t aThread[THREADS], clear;
  if (argc != 5) {
    fprintf(stderr, "usage: cache_threads EXT DB SEED QUERIES\n");
    return 2;
  }
  zExt = argv[1];
  zDb = argv[2];
  iSeed = strtoull(argv[3], 0, 10);
  nQuery = atoi(argv[4]);
  for (int i = 0; i < THREADS; i++)
    pthread_create(&aThread[i], 0, worker, (void *)(long)i);
  pthread_create(&clear, 0, clearer, 0);
  for (int i = 0; i < THREADS; i++)
    pthread_join(aThread[i], 0);
  pthread_mutex_lock(&mutex);
  bDone = 1;
  pthread_mutex_unlock(&mutex);
  pthread_join(clear, 0);
  printf("queries=%d rows=%lld mismatches=%d deletes=%d held=%lld hits=%lld\n", nQueriesAll,
         nRowsAll, nMismatch, nDelete, nHeldMax, nHitsMax);
  return nMismatch ? 1 : 0;
}
