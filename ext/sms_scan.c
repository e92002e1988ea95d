/*
** sms_scan.c: one scan of one or more programs, as a sequence of pages. See sms_scan.h.
**
** At open, the window of each program becomes a list of tasks (the plan): a task hands out
** the rows dated in its own range, read either from a cache entry or from a chain of
** requests. A lane reads tasks one after the other; the scan has one lane (sequential and
** ordered modes) or several, each driven by a worker thread (parallel mode). The path of one
** page: sms_scan_next -> lanes_next (a ready page, or lane_step) -> lane_step (the lane's
** task: cache_read or chain_fetch) -> sms_http_fetch_page -> sms_page_decode.
**
** One mutex and one condition variable per scan guard the task queue (once workers run) and
** every lane's hand-over fields.
*/
#include "sms_scan.h"

#include "sms_clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EMPTY_PAGES 100            /* a chain of empty pages longer than this is a fault */
#define MIN_SUBWINDOW (SMS_DAY)        /* a window is not split finer than this */
#define MAX_ORDERED_STEP (8 * SMS_DAY) /* ordered scans hold one sub-window in memory */
#define EDGE_SPAN 3600                 /* the part of a window next to the retention edge */
#define MAX_PARTS 64        /* cache parts of one plan; past that, gaps are fetched */
#define CACHE_PAGE_ROWS 500 /* rows of a page read from the cache */
#define AHEAD_PUMP_MS 5     /* a waiting worker reads its request sent ahead in such steps */

/* Balance (split_chain): */
#define REC_PAGES 8                /* a chain is split only while it recorded all its rows */
#define SPLIT_MIN_PAGES 3          /* ... only when it predicts this many pages left */
#define SPLIT_MIN_PIECE (3 * 3600) /* the pieces of the unread part are not shorter */
#define SPLIT_MIN_SPAN 60          /* a page of fewer seconds predicts nothing (a blast) */
#define MAX_DEPTH 4                /* splits of splits of ... a chain */
#define MAX_BAGS 32                /* splits of one scan */
#define SPLIT_TASK_ROOM 256        /* room kept in aTask for pieces (it must not move) */

typedef enum ScanMode { SCAN_SEQUENTIAL, SCAN_PARALLEL, SCAN_ORDERED } ScanMode;

/* The dated rows a chain saw before it split, for its pieces to drop: a row is matched by
** its identity (row_identity: a delivery report may have come in between) and, among copies
** of one identity (a double send whose copies differ), by its content first. */
typedef struct SplitBag {
  unsigned long long *aPair; /* (identity, content hash) of each row, sorted */
  unsigned char *aTaken;     /* which rows a piece matched */
  int nRow;                  /* rows in aPair */
} SplitBag;

static int split_bag_set(SplitBag *p, unsigned long long *aPair, int nRow);

typedef struct SmsTask {
  long long iProgramId;  /* the program */
  sms_time iOwnLo;       /* it hands out the rows dated in [iOwnLo, iOwnHi) */
  sms_time iOwnHi;       /* (SMS_TIME_MIN / SMS_TIME_MAX + 1 at the ends of the window) */
  int bOwnAll;           /* it hands out every row its chain brings: no test needed */
  int bEdge;             /* it reads the hour next to the retention edge */
  int aBag[MAX_DEPTH];   /* it drops the rows that chains split before saw (SmsScan.aBag) */
  int nBag;              /* entries in aBag */
  SmsCacheEntry *pEntry; /* the rows are this cache entry's (a reference); NULL: the API's */
  sms_time iFetchLo;     /* the chain reads [iFetchLo, iFetchHi) of the window... */
  sms_time iFetchHi;     /* ...and so covers that much of it, once it ends */
  sms_time iSendStart;   /* the chain's startDate (clamped again when it is sent) */
  sms_time iSendEnd;     /* its endDate, when bSendEnd */
  int bSendEnd;          /* an endDate is sent */
} SmsTask;

typedef struct SmsLane {
  SmsScan *pScan;            /* the scan this lane belongs to */
  SmsHttp **ppHttp;          /* this lane's client slot (in the caller's array) */
  SmsTask *pTask;            /* the task being read; NULL: take the next one */
  int iPos;                  /* cache task: rows read so far */
  char *zUrl;                /* chain: the next page to fetch; NULL when there is none */
  int bFirst;                /* zUrl is the chain's first page (built here, not the API's) */
  sms_time iSentStart;       /* the startDate the chain's first request sent */
  sms_time iSentNow;         /* the clock then: a chain covers nothing after it */
  double rFetched;           /* sms_monotonic() then: the age of its cache entry */
  SmsCacheFill *pFill;       /* the chain's rows on their way into the cache; may be NULL */
  unsigned long long *aSeen; /* hashes of the URLs fetched, to stop loops */
  int nSeen;                 /* entries in aSeen */
  int nSeenAlloc;            /* room in aSeen */
  int nEmptyRun;             /* consecutive pages without rows */
  SmsHashCount undated;      /* the chain's rows without a readable date, by identity */
  int nPage;                 /* pages of the chain so far */
  int bRecord;               /* aRec holds every dated own row of the chain: it may split */
  unsigned long long *aRec;  /* their (identity, content hash), for the pieces to drop */
  int nRec;                  /* rows in aRec */
  int nRecAlloc;             /* room in aRec, in rows */
  SmsPage held;              /* rows held back till the chain ends (keep_new_row) */
  int bByDate;               /* each page's dates were at or after the page before's */
  sms_time iDateMax;         /* the latest date the chain saw */
  sms_time aEnd[REC_PAGES];  /* iDateMax after each page (where a split cuts) */
  int nTotal;                /* pages it predicts in all; -1: unknown (the mutex guards it) */
  int bPlanned;              /* its task is a sub-window of the plan, the yardstick of the
                             ** balance: not an edge hour, a cache part or a piece (mutex) */
  int bActive;               /* it reads or takes a task (balance; the mutex guards it) */
  /* Hand-over fields, guarded by the scan's mutex once a worker runs: */
  SmsPage ready;          /* a page waiting for the consumer */
  long long iReadyProgId; /* its program */
  int bReady;             /* ready holds a page */
  int bDone;              /* nothing more will come */
  int rc;                 /* a failure to report when the consumer gets here */
  char zErr[1024];        /* its message */
  pthread_t thread;       /* the worker, when bThread */
  int bThread;            /* a worker reads this lane */
} SmsLane;

struct SmsScan {
  SmsScanSpec spec;                /* what to scan */
  ScanMode eMode;                  /* how (see sms_scan.h) */
  SmsHttp **apHttp;                /* the caller's client slots */
  SmsTask *aTask;                  /* the plan, in the order lanes take it */
  int nTask;                       /* entries in aTask */
  int nTaskAlloc;                  /* room in aTask */
  int iNextTask;                   /* the next task a lane takes */
  int nLane;                       /* lanes in aLane */
  int nEdgeTask;                   /* tasks that read an edge hour */
  SmsLane aLane[SMS_MAX_PARALLEL]; /* the lanes */
  int iNextLane;                   /* the lane to look at first (round robin) */
  int bStarted;                    /* sequential: the consumer has taken a first page */
  int bWorkers;                    /* the lanes are read by workers */
  int bStartAtEdge;                /* spec.iStart is the retention clamp, not the query's */
  int bWidened;                    /* the adaptive default went parallel */
  int bBalance;                    /* parallel: idle lanes wait for the pieces of a split */
  int nActive;                     /* balance: lanes that read a task or take one */
  int nIdle;                       /* balance: lanes waiting for a task */
  long long nDonePages;            /* balance: pages of the planned chains that ended... */
  int nDoneChains;                 /* ...and how many they were (not those split) */
  SplitBag aBag[MAX_BAGS];         /* balance: per split, the rows its chain saw */
  int nBag;                        /* entries of aBag in use */
  SmsHashCount undated;            /* undated rows handed out, by identity (keep_undated) */
  int bRemembered;                 /* adaptive: aBag[0] holds a chain's first page */
  sms_time iWiden;                 /* seconds each gap is widened by (repeated misses) */
  int bMissed;                     /* the scan has counted its miss */
  sms_time iOrderNext;             /* ordered: where the next sub-window starts */
  sms_time iOrderStep;             /* ordered: the next sub-window's length */
  int bOrderDone;                  /* ordered: every sub-window was read */
  SmsOrder *pOrder;                /* ordered: rows held back between sub-windows */
  _Atomic int bStop;               /* close: every request stops (read unlocked: atomic) */
  pthread_mutex_t mutex;           /* guards the task queue and the hand-over fields */
  pthread_cond_t cond;             /* signalled at every hand-over change */
};

/* ---------------------------------------------------------------- small helpers */

static int scan_should_stop(void *pArg) {
  SmsScan *p = pArg;
  if (p->bStop) return 1;
  return p->spec.xInterrupted && p->spec.xInterrupted(p->spec.pInterruptArg);
}

static int nomem(char *zErr, size_t nErr) {
  snprintf(zErr, nErr, SMS_ERR_PREFIX "out of memory");
  return SMS_NOMEM;
}

static unsigned long long url_hash(const char *z) {
  return sms_siphash(0, 0, z, strlen(z));
}

/* The end of the scan's window: its endDate, or just past `now` when it has none. */
static sms_time window_end(const SmsScanSpec *pSpec) {
  return pSpec->bEnd ? pSpec->iEnd : pSpec->iNow + 1;
}

/* The first second a part of the window starting at iLo needs: the window's startDate itself
** is not asked for (the API may exclude it). */
static sms_time need_lo(const SmsScanSpec *pSpec, sms_time iLo) {
  return iLo == pSpec->iStart ? iLo + 1 : iLo;
}

static int cache_type(const SmsScanSpec *pSpec) {
  if (!pSpec->zType) return SMS_CACHE_BOTH;
  return strcmp(pSpec->zType, "MO") == 0 ? SMS_CACHE_MO : SMS_CACHE_MT;
}

static void cache_key(const SmsScanSpec *pSpec, long long iProgramId, SmsCacheKey *pKey) {
  pKey->zKey = pSpec->zCacheKey;
  pKey->zBaseUrl = pSpec->pCfg->zBaseUrl;
  pKey->iProgram = iProgramId;
  pKey->eType = cache_type(pSpec);
}

/* ---------------------------------------------------------------- the plan */

static int add_task(SmsScan *p, const SmsTask *pTask) {
  if (p->nTask == p->nTaskAlloc) {
    int nNew = p->nTaskAlloc ? p->nTaskAlloc * 2 : 16;
    SmsTask *aNew = realloc(p->aTask, nNew * sizeof(*aNew));
    if (!aNew) return SMS_NOMEM;
    p->aTask = aNew;
    p->nTaskAlloc = nNew;
  }
  p->aTask[p->nTask++] = *pTask;
  return SMS_OK;
}

/* Where [iLo, iHi) splits off the hour next to the retention edge, or iLo when it does
** not: it starts in that hour and goes past it, in a scan window longer than a day (a
** shorter one has few pages, and the extra request would cost more than it protects). */
static sms_time edge_split(const SmsScanSpec *pSpec, sms_time iLo, sms_time iHi) {
  sms_time iEdgeHi = sms_retention_edge(pSpec->pCfg->zBaseUrl) + EDGE_SPAN;
  int bSplit = iLo < iEdgeHi && iHi > iEdgeHi && window_end(pSpec) - pSpec->iStart > SMS_DAY;
  return bSplit ? iEdgeHi : iLo;
}

/* The task that fetches [iLo, iHi) (in the window's terms: the window is [iStart,
** window_end)) and hands out the part of it inside [iGapLo, iGapHi). Each side asks a
** second more (whether the API's bounds are inclusive is unknown); the window's own ends are
** sent as the query gave them, and a task at an end of the window owns what lies past it. */
static int fetch_task(SmsScan *p, long long iProgramId, sms_time iLo, sms_time iHi,
                      sms_time iGapLo, sms_time iGapHi, int bEdge) {
  const SmsScanSpec *pSpec = &p->spec;
  sms_time iEnd = window_end(pSpec);
  SmsTask t;
  memset(&t, 0, sizeof(t));
  t.iProgramId = iProgramId;
  t.bEdge = bEdge;
  t.iFetchLo = iLo;
  t.iFetchHi = iHi;
  t.iOwnLo = iLo > iGapLo ? iLo : iGapLo;
  t.iOwnHi = iHi < iGapHi ? iHi : iGapHi;
  if (t.iOwnLo >= t.iOwnHi) return SMS_OK; /* a widening alone: nothing of the query */
  if (t.iOwnLo <= pSpec->iStart + 1) t.iOwnLo = SMS_TIME_MIN; /* need starts at iStart + 1 */
  if (t.iOwnHi >= iEnd) t.iOwnHi = SMS_TIME_MAX + 1;
  t.bOwnAll = t.iOwnLo == SMS_TIME_MIN && t.iOwnHi == SMS_TIME_MAX + 1; /* the only chain */
  t.iSendStart = iLo == pSpec->iStart ? iLo : iLo - 1;
  if (iHi == iEnd) {
    t.bSendEnd = pSpec->bEnd;
    t.iSendEnd = pSpec->iEnd;
  } else {
    t.bSendEnd = iHi <= pSpec->iNow; /* widened past now: up to the last message */
    t.iSendEnd = iHi + 1;
  }
  return add_task(p, &t);
}

/* The tasks that fetch [iLo, iHi) of a program and hand out its part inside [iOwnLo,
** iOwnHi): the edge hour apart and last, the rest in nSplit sub-windows of at least
** MIN_SUBWINDOW. */
static int gap_tasks(SmsScan *p, long long iProgramId, sms_time iLo, sms_time iHi,
                     sms_time iOwnLo, sms_time iOwnHi, int nSplit) {
  const SmsScanSpec *pSpec = &p->spec;
  int rc = SMS_OK;
  sms_time iSplit = edge_split(pSpec, iLo, iHi);
  p->nEdgeTask += iSplit > iLo;
  /* Equal sub-windows, none shorter than MIN_SUBWINDOW, and a lane left for the edge hour. */
  long long nSpan = iHi > iSplit ? iHi - iSplit : 0;
  int n =
      nSplit < SMS_MAX_PARALLEL - (iSplit > iLo) ? nSplit : SMS_MAX_PARALLEL - (iSplit > iLo);
  if (n > nSpan / MIN_SUBWINDOW) n = (int)(nSpan / MIN_SUBWINDOW);
  if (n < 1) n = 1;
  for (int i = 0; i < n && rc == SMS_OK; i++) {
    rc = fetch_task(p, iProgramId, iSplit + nSpan * i / n, iSplit + nSpan * (i + 1) / n, iOwnLo,
                    iOwnHi, 0);
  }
  if (rc == SMS_OK && iSplit > iLo) {
    rc = fetch_task(p, iProgramId, iLo, iSplit, iOwnLo, iOwnHi, 1);
  }
  return rc;
}

/* Cut [iLo, iHi) of a program by the cache into aPart (see sms_cache_plan); the window's
** startDate itself is left out (the API may exclude it). Without a cache, one gap. */
static int cache_parts(SmsScan *p, long long iProgramId, sms_time iLo, sms_time iHi,
                       SmsCachePart *aPart) {
  const SmsScanSpec *pSpec = &p->spec;
  sms_time iNeedLo = need_lo(pSpec, iLo);
  aPart[0].iLo = iLo;
  aPart[0].iHi = iHi;
  aPart[0].pEntry = 0;
  if (!pSpec->pCache || iNeedLo >= iHi) return 1;
  SmsCacheKey key;
  cache_key(pSpec, iProgramId, &key);
  int n = sms_cache_plan(pSpec->pCache, &key, iNeedLo, iHi, pSpec->rTtl, pSpec->rTailTtl, aPart,
                         MAX_PARTS);
  if (n > 0 && aPart[0].iLo == iNeedLo) aPart[0].iLo = iLo;
  return n;
}

static void release_parts(SmsCachePart *aPart, int nPart) {
  for (int i = 0; i < nPart; i++)
    sms_cache_release(aPart[i].pEntry);
}

/* Plan [iLo, iHi) of a program (in the window's terms) into tasks: the parts the cache holds,
** and the gaps to fetch.
**
** A scan that misses soon after another miss of the program is widened (sms_miss_widen):
** planned again over a wider window, whose gaps that reach into [iLo, iHi) are fetched
** whole, so that they fill the cache past what this scan needs; held parts and gaps outside
** [iLo, iHi) are left alone. */
static int plan_program(SmsScan *p, long long iProgramId, sms_time iLo, sms_time iHi,
                        int nSplit) {
  const SmsScanSpec *pSpec = &p->spec;
  SmsCachePart aPart[MAX_PARTS];
  int nPart, rc = SMS_OK, bGap = 0;

  nPart = cache_parts(p, iProgramId, iLo, iHi, aPart);
  if (nPart < 0) return SMS_NOMEM;
  for (int i = 0; i < nPart; i++)
    bGap |= !aPart[i].pEntry;

  if (bGap && !p->bMissed && pSpec->pMisses) {
    p->bMissed = 1;
    p->iWiden = sms_miss_widen(pSpec->pMisses, iProgramId, cache_type(pSpec));
  }
  if (bGap && p->iWiden > 0) {
    sms_time iOldest = sms_retention_edge(pSpec->pCfg->zBaseUrl) + 1;
    sms_time iWideLo = iLo - p->iWiden < iOldest ? iOldest : iLo - p->iWiden;
    sms_time iWideHi = iHi + p->iWiden;
    if (iWideLo > iLo) iWideLo = iLo;
    if (iWideHi > pSpec->iNow + 1) iWideHi = iHi > pSpec->iNow + 1 ? iHi : pSpec->iNow + 1;
    release_parts(aPart, nPart);
    nPart = cache_parts(p, iProgramId, iWideLo, iWideHi, aPart);
    if (nPart < 0) return SMS_NOMEM;
  }
  sms_time iNeedLo = need_lo(pSpec, iLo);
  for (int i = 0; i < nPart && rc == SMS_OK; i++) {
    SmsCachePart *pPart = &aPart[i];
    sms_time iOwnLo = pPart->iLo > iNeedLo ? pPart->iLo : iNeedLo;
    sms_time iOwnHi = pPart->iHi < iHi ? pPart->iHi : iHi;
    if (iOwnLo >= iOwnHi) continue; /* outside the scan's window: a widening's neighbour */
    if (pPart->pEntry) {
      SmsTask t;
      memset(&t, 0, sizeof(t));
      t.iProgramId = iProgramId;
      /* At an end of the window it hands out what a request for the window itself would
      ** bring from an API with inclusive bounds: the startDate and endDate seconds, and with
      ** no endDate everything after (a row dated past our guess of the server's now). Not
      ** more: the entry may hold a much wider window. */
      t.iOwnLo = iOwnLo <= pSpec->iStart + 1 ? pSpec->iStart : iOwnLo;
      if (iOwnHi >= window_end(pSpec)) {
        iOwnHi = pSpec->bEnd ? pSpec->iEnd + 1 : SMS_TIME_MAX + 1;
      }
      t.iOwnHi = iOwnHi;
      t.pEntry = pPart->pEntry;
      rc = add_task(p, &t);
      if (rc == SMS_OK) pPart->pEntry = 0; /* the task holds the reference now */
    } else {
      rc = gap_tasks(p, iProgramId, pPart->iLo, pPart->iHi, iOwnLo, iOwnHi, nSplit);
    }
  }
  release_parts(aPart, nPart);
  return rc;
}

/* ---------------------------------------------------------------- one lane */

/* The first URL of a chain. The start is clamped to the retention limit again at the time
** of the request, on the server's clock as last learned (sms_clock.h): an ordered scan may
** reach its oldest sub-window minutes after the window was computed, and the first answers
** of a scan may show that the server's clock is not ours. A scan whose start was the clamp
** follows the edge down as well as up, so a server whose clock is behind still gives its
** oldest messages (a wider request is safe: rows outside the query are dropped by SQLite). */
static char *first_url(const SmsScan *p, const SmsTask *t, sms_time *piSentStart) {
  const SmsScanSpec *pSpec = &p->spec;
  char zStart[20], zEnd[20];
  size_t n = strlen(pSpec->pCfg->zBaseUrl) + 160;
  char *z = malloc(n);
  sms_time iOldest = sms_retention_edge(pSpec->pCfg->zBaseUrl);
  sms_time iStart = t->iSendStart, iEnd = t->iSendEnd;
  if (!z) return 0;
  if (iStart < iOldest || (p->bStartAtEdge && iStart == pSpec->iStart)) iStart = iOldest;
  if (t->bSendEnd && iEnd - iStart > SMS_RETENTION) iStart = iEnd - SMS_RETENTION; /* a year */
  if (t->bSendEnd && iEnd < iStart)
    iEnd = iStart; /* all past the edge: one second, not a 400 */
  *piSentStart = iStart;
  sms_time_format(iStart, 'T', zStart);
  sms_time_format(iEnd, 'T', zEnd);
  snprintf(z, n, "%s/messages/program/%lld?%s%s%sstartDate=%s%s%s&pageSize=%d",
           pSpec->pCfg->zBaseUrl, t->iProgramId, pSpec->zType ? "messageType=" : "",
           pSpec->zType ? pSpec->zType : "", pSpec->zType ? "&" : "", zStart,
           t->bSendEnd ? "&endDate=" : "", t->bSendEnd ? zEnd : "", pSpec->nPageSize);
  return z;
}

/* Forget the lane's chain; a fill not ended by then was not complete. */
static void lane_end_chain(SmsLane *l) {
  sms_cache_fill_end(l->pFill, 0, 0, 0, 0, 0);
  l->pFill = 0;
  free(l->zUrl);
  l->zUrl = 0;
  l->nSeen = 0;
  l->nEmptyRun = 0;
  sms_page_clear(&l->held);
}

/* A part the cache answers goes into the request log as the request it spares: the URL a
** chain over that part would have started with, no status, the rows it holds. */
static void log_cache_part(const SmsScan *p, const SmsTask *t) {
  const SmsScanSpec *pSpec = &p->spec;
  SmsTask part = *t;
  SmsLogRecord rec;
  sms_time iSent;
  part.iSendStart = t->iOwnLo <= pSpec->iStart + 1 ? pSpec->iStart : t->iOwnLo - 1;
  int bAtEnd = t->iOwnHi >= window_end(pSpec); /* the part reaches the window's end */
  part.bSendEnd = bAtEnd ? pSpec->bEnd : 1;
  part.iSendEnd = bAtEnd ? pSpec->iEnd : t->iOwnHi;
  memset(&rec, 0, sizeof(rec));
  rec.zUrl = first_url(p, &part, &iSent);
  if (!rec.zUrl) return; /* out of memory: the log misses a line, the scan goes on */
  rec.rTime = sms_wall_clock();
  rec.iProgram = t->iProgramId;
  rec.nRow = sms_cache_count(t->pEntry, t->iOwnLo, t->iOwnHi);
  rec.bCache = 1;
  sms_log_add(pSpec->pLog, &rec);
  free(rec.zUrl);
}

/* Make t the lane's task. */
static int lane_begin(SmsLane *l, SmsTask *t) {
  const SmsScanSpec *pSpec = &l->pScan->spec;
  lane_end_chain(l);
  l->pTask = t;
  l->iPos = 0;
  sms_hash_count_clear(&l->undated);
  if (t->pEntry) {
    if (pSpec->bLogCache && pSpec->pLog) log_cache_part(l->pScan, t);
    return SMS_OK;
  }
  l->zUrl = first_url(l->pScan, t, &l->iSentStart);
  if (!l->zUrl) return SMS_NOMEM;
  l->bFirst = 1;
  l->nPage = 0;
  l->nRec = 0;
  l->bRecord = l->pScan->bBalance && !t->bEdge && t->nBag < MAX_DEPTH;
  l->bByDate = 1;
  l->iDateMax = SMS_TIME_MIN;
  l->iSentNow = sms_clock_now(pSpec->pCfg->zBaseUrl);
  l->rFetched = sms_monotonic();
  if (pSpec->pCache) {
    SmsCacheKey key;
    cache_key(pSpec, t->iProgramId, &key);
    l->pFill = sms_cache_fill_begin(pSpec->pCache, &key);
  }
  return SMS_OK;
}

/* The next task of the plan, or NULL. A lane of a balanced scan that finds none waits while
** other lanes still read a chain: one of them may split and hand it the pieces (split_chain);
** it ends when no lane reads any more. */
static SmsTask *take_task(SmsLane *l) {
  SmsScan *p = l->pScan;
  SmsTask *t = 0;
  if (!p->bWorkers) {
    if (p->iNextTask < p->nTask) t = &p->aTask[p->iNextTask++];
    return t;
  }
  pthread_mutex_lock(&p->mutex);
  if (l->bActive) {
    l->bActive = 0;
    p->nActive--;
    pthread_cond_broadcast(&p->cond); /* the last one: the waiting lanes end */
  }
  for (;;) {
    if (p->iNextTask < p->nTask) {
      t = &p->aTask[p->iNextTask++];
      break;
    }
    if (!p->bBalance || p->nActive == 0 || p->bStop) break;
    p->nIdle++;
    pthread_cond_wait(&p->cond, &p->mutex);
    p->nIdle--;
  }
  if (t && p->bBalance) {
    l->bActive = 1;
    p->nActive++;
  }
  l->nTotal = -1;
  l->bPlanned = t && !t->bEdge && !t->pEntry && t->nBag == 0;
  pthread_mutex_unlock(&p->mutex);
  return t;
}

/* Whether the API's nextPageUrl may be followed: base_url's origin (so the credentials go
** nowhere else), no user:password@ of its own, and not a page of this chain already (h is
** its hash). SMS_OK, or SMS_ERROR with zErr saying why. */
static int next_url_check(const SmsLane *l, const char *zUrl, int bFirst, unsigned long long h,
                          char *zErr, size_t nErr) {
  const SmsConfig *pCfg = l->pScan->spec.pCfg;
  if (!bFirst) {
    const char *zAuth = strstr(zUrl, "://");
    size_t nAuth = zAuth ? strcspn(zAuth + 3, "/?#") : 0;
    if (!sms_same_origin(zUrl, pCfg->zBaseUrl) || !zAuth || memchr(zAuth + 3, '@', nAuth)) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX
               "the API's nextPageUrl (%s) is not on the origin of base_url (%s); not "
               "following it, so that the credentials go nowhere else",
               zUrl, pCfg->zBaseUrl);
      return SMS_ERROR;
    }
  }
  for (int i = 0; i < l->nSeen; i++) {
    if (l->aSeen[i] == h) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX
               "the API's nextPageUrl repeats an earlier page (%s); stopping instead "
               "of looping forever",
               zUrl);
      return SMS_ERROR;
    }
  }
  return SMS_OK;
}

/* next_url_check, and the URL is remembered as fetched. */
static int next_url_ok(SmsLane *l, const char *zUrl, char *zErr, size_t nErr) {
  unsigned long long h = url_hash(zUrl);
  int rc = next_url_check(l, zUrl, l->bFirst, h, zErr, nErr);
  if (rc != SMS_OK) return rc;
  if (l->nSeen == l->nSeenAlloc) {
    int nNew = l->nSeenAlloc ? l->nSeenAlloc * 2 : 16;
    unsigned long long *aNew = realloc(l->aSeen, nNew * sizeof(*aNew));
    if (!aNew) return nomem(zErr, nErr);
    l->aSeen = aNew;
    l->nSeenAlloc = nNew;
  }
  l->aSeen[l->nSeen++] = h;
  return SMS_OK;
}

static unsigned long long row_identity(SmsPage *pPage, int iRow) {
  SmsIdentity id;
  if (sms_page_row_identity(pPage, iRow, &id) != 0) return 0;
  return id.iHash ^ sms_siphash(1, 2, id.zClear, strlen(id.zClear));
}

/* Whether a row without a readable date (a non-conforming API) is new. No chain can own it
** by its date, and which requests bring it is unknown (the API filters on a date it does not
** show, or on none): so every chain of the scan counts its own copies of each such message,
** and hands out a copy only when it has seen more of them than the scan handed out so far:
** the scan hands out as many copies as the one chain that saw most. A message sent twice
** still comes twice, and one that several sub-windows bring comes once; but two different
** messages without a date and alike in everything the identity holds (type, number, body),
** brought by two different chains, come once too: nothing tells them from one message seen
** twice. An ordered scan counts across its sub-windows, as any other. */
static int keep_undated(SmsLane *l, SmsPage *pPage, int iRow) {
  SmsScan *p = l->pScan;
  SmsIdentity id;
  int nSeen, nHanded, bKeep = 1;
  if (sms_page_row_identity(pPage, iRow, &id) != 0) return 1; /* no memory: rather twice */
  unsigned long long h0 = id.iHash ^ (unsigned long long)l->pTask->iProgramId;
  unsigned long long h1 = sms_siphash(1, 2, id.zClear, strlen(id.zClear));
  if (sms_hash_count_add(&l->undated, h0, h1, &nSeen) != SMS_OK) return 1;
  if (p->bWorkers) pthread_mutex_lock(&p->mutex);
  nHanded = sms_hash_count_get(&p->undated, h0, h1);
  if (nSeen < nHanded) {
    bKeep = 0; /* this copy was handed out by another chain */
  } else {
    (void)sms_hash_count_add(&p->undated, h0, h1, &nHanded); /* no memory: kept uncounted */
  }
  if (p->bWorkers) pthread_mutex_unlock(&p->mutex);
  return bKeep;
}

/* Whether a row has a readable date, and which (*pt). */
static int row_date(SmsPage *pPage, int iRow, sms_time *pt) {
  SmsValue v;
  sms_page_row_field(pPage, iRow, SMS_F_DATE, &v);
  return v.eType == SMS_TEXT && sms_time_parse(v.z, v.n, pt) == 0;
}

/* Whether a row is the task's to hand out: dated in its own range, or undated and new. */
static int is_own_row(SmsPage *pPage, int iRow, void *pArg) {
  SmsLane *l = pArg;
  sms_time tRow;
  if (row_date(pPage, iRow, &tRow)) return tRow >= l->pTask->iOwnLo && tRow < l->pTask->iOwnHi;
  return keep_undated(l, pPage, iRow);
}

/* The adaptive default: remember the dated rows of a chain's first page, so that the
** sub-windows that read that stretch again drop them: a bag (aBag[0]) matched as a split's
** is (keep_new_row: by identity, and among copies of one identity by content first), since
** a delivery report may have come in between, and the copies of a double send may differ
** and come in another order. Its undated rows are counted as handed out instead
** (keep_undated drops them in the sub-windows, copy for copy); a chain that owns everything
** did not count them yet. */
static int remember_rows(SmsLane *l, SmsPage *pPage) {
  SmsScan *p = l->pScan;
  unsigned long long *a = malloc((2 * pPage->nRow + 2) * sizeof(*a));
  int n = 0;
  sms_time t;
  if (!a) return SMS_NOMEM;
  for (int i = 0; i < pPage->nRow; i++) {
    if (row_date(pPage, i, &t)) {
      a[2 * n] = row_identity(pPage, i);
      a[2 * n + 1] = sms_page_row_hash(pPage, i);
      n++;
    } else if (l->pTask->bOwnAll) {
      (void)keep_undated(l, pPage, i); /* the first chain's: counted, and kept */
    }
  }
  p->bRemembered = split_bag_set(&p->aBag[0], a, n) == SMS_OK;
  p->nBag = p->bRemembered;
  return p->bRemembered ? SMS_OK : SMS_NOMEM;
}

/* The chain ended: what it covers becomes a cache entry. That is the part of the window it
** was for, within what the request asked for (less its startDate itself: the API may exclude
** it); from SMS_CACHE_LATE seconds before the time of the request on, only briefly
** (sms_cache.h). */
static void chain_complete(SmsLane *l) {
  const SmsTask *t = l->pTask;
  sms_time iLo = t->iFetchLo > l->iSentStart + 1 ? t->iFetchLo : l->iSentStart + 1;
  sms_time iHi = t->iFetchHi;
  if (t->bSendEnd && t->iSendEnd < iHi) iHi = t->iSendEnd;
  sms_time iFirm = l->iSentNow - SMS_CACHE_LATE < iHi ? l->iSentNow - SMS_CACHE_LATE : iHi;
  sms_cache_fill_end(l->pFill, 1, iLo, iHi, iFirm, l->rFetched);
  l->pFill = 0;
}

/* A chain's first page, with more to come: how much of the chain is it? The API promises no
** order, but when its pages go by date (as far as anyone has seen), the stretch of time the
** page spans, against the chain's, tells; when they do not, the page spans about the whole
** window and the guess is "all of it", which asks nothing of the cache. */
static void expect_size(SmsLane *l, SmsPage *pPage) {
  sms_time iMin = SMS_TIME_MAX, iMax = SMS_TIME_MIN, t;
  for (int i = 0; i < pPage->nRow; i++) {
    SmsValue v;
    sms_page_row_field(pPage, i, SMS_F_DATE, &v);
    if (v.eType != SMS_TEXT || sms_time_parse(v.z, v.n, &t) != 0) continue;
    if (t < iMin) iMin = t;
    if (t > iMax) iMax = t;
  }
  if (iMin > iMax) return;
  sms_time iSpan = l->pTask->iFetchHi - l->pTask->iFetchLo;
  sms_time iPage = iMax - iMin + 1;
  sms_cache_fill_expect(l->pFill, iSpan > iPage ? (double)iSpan / (double)iPage : 1.0);
}

static int pair_cmp(const void *pA, const void *pB) {
  const unsigned long long *a = pA, *b = pB;
  if (a[0] != b[0]) return (a[0] > b[0]) - (a[0] < b[0]);
  return (a[1] > b[1]) - (a[1] < b[1]);
}

/* Make *p hold the nRow pairs at aPair, which it takes over (and frees when out of memory). */
static int split_bag_set(SplitBag *p, unsigned long long *aPair, int nRow) {
  p->aTaken = calloc(nRow ? nRow : 1, 1);
  if (!p->aTaken) {
    free(aPair);
    return SMS_NOMEM;
  }
  if (nRow) qsort(aPair, nRow, 2 * sizeof(*aPair), pair_cmp);
  p->aPair = aPair;
  p->nRow = nRow;
  return SMS_OK;
}

static void split_bag_clear(SplitBag *p) {
  free(p->aPair);
  free(p->aTaken);
  memset(p, 0, sizeof(*p));
}

/* Match a row of identity h and content c with one of the bag's rows not matched yet: of
** the same content (bExact), or of any. 1 when there was one. With bTake, it is matched now. */
static int split_bag_find(SplitBag *p, unsigned long long h, unsigned long long c, int bExact,
                          int bTake) {
  int lo = 0, hi = p->nRow; /* the first pair of identity h or above */
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (p->aPair[2 * mid] < h)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (; lo < p->nRow && p->aPair[2 * lo] == h; lo++) {
    if (!p->aTaken[lo] && (!bExact || p->aPair[2 * lo + 1] == c)) {
      if (bTake) p->aTaken[lo] = 1;
      return 1;
    }
  }
  return 0;
}

/* keep_rows callback of a chain that may split, or that drops what other chains handed out:
** a dated row (is_own_row left the own ones) is recorded while the chain may split, and
** dropped when a bag of the task (the newest first) still holds a row of the same identity
** and content. Each bag holds
** every dated row the chain that split saw, handed out or dropped, so a row is handed out as
** often as the chain along its range that saw most copies saw it. A row whose identity a bag
** holds only with another content is held back till the chain ends (resolve_held): the
** API's order is not stated, and a copy of the same content may still come (a double send
** whose copies differ, in another order than before); if none did, a delivery report came
** in between, and it is the same message. Undated rows pass: is_own_row counted them
** (keep_undated). The caller holds the scan's mutex when the task has bags. */
static int keep_new_row(SmsPage *pPage, int iRow, void *pArg) {
  SmsLane *l = pArg;
  SmsScan *p = l->pScan;
  const SmsTask *t = l->pTask;
  sms_time tRow;
  if (!l->bRecord && t->nBag == 0) return 1;
  if (!row_date(pPage, iRow, &tRow)) {
    /* Pieces could not tell which copy of an undated double send the chain handed out
    ** (keep_undated counts copies, not contents): a chain that meets one never splits. */
    l->bRecord = 0;
    return 1;
  }
  unsigned long long h = row_identity(pPage, iRow);
  unsigned long long c = sms_page_row_hash(pPage, iRow);
  if (l->bRecord && l->nRec == l->nRecAlloc) {
    int nNew = l->nRecAlloc ? l->nRecAlloc * 2 : 512;
    unsigned long long *aNew = realloc(l->aRec, 2 * nNew * sizeof(*aNew));
    if (aNew) {
      l->aRec = aNew;
      l->nRecAlloc = nNew;
    } else {
      l->bRecord = 0; /* no memory: the chain is not split */
    }
  }
  if (l->bRecord) {
    l->aRec[2 * l->nRec] = h;
    l->aRec[2 * l->nRec + 1] = c;
    l->nRec++;
  }
  for (int i = t->nBag - 1; i >= 0; i--) {
    if (split_bag_find(&p->aBag[t->aBag[i]], h, c, 1, 1)) return 0;
  }
  for (int i = t->nBag - 1; i >= 0; i--) {
    if (split_bag_find(&p->aBag[t->aBag[i]], h, c, 0, 0)) {
      const SmsRow *pRow = &pPage->aRow[iRow];
      SmsPage one;
      memset(&one, 0, sizeof(one));
      if (sms_page_from_rows(&one, &pRow, 1) == SMS_OK &&
          sms_page_take_rows(&l->held, &one) == SMS_OK) {
        l->bRecord = 0; /* what it holds back is decided at its end: it does not split */
        return 0;
      }
      sms_page_clear(&one);
      return !split_bag_find(&p->aBag[t->aBag[i]], h, c, 0, 1); /* no memory: as it comes */
    }
  }
  return 1;
}

/* keep_rows callback for the rows a chain held back, at its end: every copy of their content
** that was to come came, so a row still matched by identity alone is the message a bag's
** chain handed out (its status changed), and one not matched is new. Under the mutex. */
static int resolve_held(SmsPage *pPage, int iRow, void *pArg) {
  SmsLane *l = pArg;
  SmsScan *p = l->pScan;
  const SmsTask *t = l->pTask;
  unsigned long long h = row_identity(pPage, iRow);
  for (int i = t->nBag - 1; i >= 0; i--) {
    if (split_bag_find(&p->aBag[t->aBag[i]], h, 0, 0, 1)) return 0;
  }
  return 1;
}

/* The first and last dates of a page (*piMin > *piMax when it has none), and what they tell
** of the chain: whether its pages go by date, its latest date. */
static void page_dates(SmsLane *l, SmsPage *pPage, sms_time *piMin, sms_time *piMax) {
  sms_time t;
  *piMin = SMS_TIME_MAX;
  *piMax = SMS_TIME_MIN;
  for (int i = 0; i < pPage->nRow; i++) {
    if (!row_date(pPage, i, &t)) continue;
    if (t < *piMin) *piMin = t;
    if (t > *piMax) *piMax = t;
  }
  if (*piMin <= *piMax) {
    if (*piMin < l->iDateMax) l->bByDate = 0;
    if (*piMax > l->iDateMax) l->iDateMax = *piMax;
  }
  if (l->nPage < REC_PAGES) l->aEnd[l->nPage] = l->iDateMax;
}

/* Balance (SCAN_PARALLEL), after each page of a chain: equal date ranges are not equal work
** when messages come in bursts, and lanes that read their short ranges would wait for the one
** still reading a long one. A chain whose pages go by date predicts the pages it has left:
** the span of its last page against the part of its range after the latest date it saw.
** When that is at least SPLIT_MIN_PAGES, and at least twice the mean of what the lanes that
** read have left (so that evenly spread data, whose chains end together, never split; a
** lane whose chain does not tell counts as the mean), the chain hands its range over as new
** tasks, which the waiting lanes take at once (take_task) and the others as they end: its
** unread part, after the latest date seen, cut into equal date ranges, and the part it read
** cut where its pages ended, a piece per page (they mostly re-read rows they will drop).
** The API promises no order: so the pieces cover the chain's whole range, and drop, by
** identity, every dated row the chain saw (keep_new_row: a bag in SmsScan.aBag, shared by
** the pieces); its undated rows were counted (keep_undated). The chain then ends: its cache
** fill is dropped (each piece fills its own) and its request sent ahead too (logged). A
** chain records its rows for its first REC_PAGES pages only (a microsecond a row),
** and splits only while it has them all. */
static void split_chain(SmsLane *l, sms_time iPageMin, sms_time iPageMax) {
  SmsScan *p = l->pScan;
  const SmsScanSpec *pSpec = &p->spec;
  SmsTask cur = *l->pTask;
  sms_time iCut = l->iDateMax + 1; /* what the chain read ends here */
  sms_time iRangeHi = cur.iFetchHi < pSpec->iNow + 1 ? cur.iFetchHi : pSpec->iNow + 1;
  int nLeft = -1, bSplit = 0, nRead = 0, nRest = 0;
  if (l->bByDate && iPageMax - iPageMin >= SPLIT_MIN_SPAN) { /* else no telling */
    long long nSpan = iPageMax - iPageMin + 1;
    long long n = iRangeHi > iCut ? (iRangeHi - iCut + nSpan - 1) / nSpan : 0;
    nLeft = n < 1 ? 1 : n > 1000000 ? 1000000 : (int)n;
  }
  pthread_mutex_lock(&p->mutex);
  if (!l->zUrl) { /* the chain ended */
    if (l->bPlanned) {
      p->nDonePages += l->nPage;
      p->nDoneChains++;
    }
    l->nTotal = -1;
    pthread_mutex_unlock(&p->mutex);
    return;
  }
  l->nTotal = nLeft < 0 ? -1 : l->nPage + nLeft;
  if (l->bRecord && nLeft >= SPLIT_MIN_PAGES && p->nBag < MAX_BAGS && iCut > cur.iFetchLo &&
      iRangeHi - iCut >= 2 * SPLIT_MIN_PIECE) {
    /* The yardstick: the planned sub-windows, ended or read, once every one that is read
    ** tells (edge hours, cache parts and pieces are other work, and would lower it). */
    long long nSum = p->nDonePages;
    int nChains = p->nDoneChains, bUntold = !l->bPlanned;
    for (int i = 0; i < p->nLane; i++) {
      const SmsLane *o = &p->aLane[i];
      if (!o->bActive || !o->bPlanned) continue;
      if (o->nTotal < 0) bUntold = 1;
      nSum += o->nTotal;
      nChains++;
    }
    /* Pieces of about nPer pages, one for each waiting lane and this one (for every lane
    ** when none waits yet: the others, shorter, end first); worth it when that is less
    ** than what the chain has left. */
    int nIdle = p->nIdle ? p->nIdle : p->nLane - 1;
    int nPer = (l->nPage + nLeft + nIdle) / (nIdle + 1);
    nRest = (nLeft + nPer - 1) / nPer;
    if (nRest > SMS_MAX_PARALLEL) nRest = SMS_MAX_PARALLEL;
    while (nRest > 1 && (iRangeHi - iCut) / nRest < SPLIT_MIN_PIECE)
      nRest--;
    nRead = l->nPage; /* a piece per page read: that cost is known, not guessed */
    bSplit = !bUntold && (long long)l->nTotal * nChains >= 2 * nSum && nPer < nLeft &&
             p->nTask + nRest + nRead <= p->nTaskAlloc;
  }
  if (bSplit) {
    /* The bag takes aRec over (and frees it when it cannot). */
    if (split_bag_set(&p->aBag[p->nBag], l->aRec, l->nRec) != SMS_OK) {
      bSplit = 0;
      l->bRecord = 0; /* its first pages are gone from the record: it can never split */
    }
    l->aRec = 0;
    l->nRec = l->nRecAlloc = 0;
  }
  if (bSplit) {
    int iBag = p->nBag++, nBefore = p->nTask;
    /* The pieces hand out the chain's own rows: clipped as widen() clips. */
    sms_time iClipLo = cur.iOwnLo == SMS_TIME_MIN ? pSpec->iStart + 1 : cur.iOwnLo;
    sms_time iClipHi = cur.iOwnHi == SMS_TIME_MAX + 1 ? window_end(pSpec) : cur.iOwnHi;
    /* The unread part first, in equal date ranges; then the part read, cut where its pages
    ** ended, a piece per page. */
    for (int i = 0; i < nRest; i++) {
      sms_time iLo = iCut + (iRangeHi - iCut) * i / nRest;
      sms_time iHi = i + 1 < nRest ? iCut + (iRangeHi - iCut) * (i + 1) / nRest : cur.iFetchHi;
      fetch_task(p, cur.iProgramId, iLo, iHi, iClipLo, iClipHi, 0);
    }
    sms_time iLo = cur.iFetchLo;
    for (int i = 0; i < nRead; i++) {
      sms_time iHi = i + 1 < nRead ? l->aEnd[i] + 1 : iCut;
      if (iHi <= iLo) continue; /* a page without a new date */
      fetch_task(p, cur.iProgramId, iLo, iHi, iClipLo, iClipHi, 0);
      iLo = iHi;
    }
    for (int i = nBefore; i < p->nTask; i++) {
      SmsTask *t = &p->aTask[i];
      memcpy(t->aBag, cur.aBag, sizeof(t->aBag));
      t->aBag[cur.nBag] = iBag;
      t->nBag = cur.nBag + 1;
    }
    pthread_cond_broadcast(&p->cond);
  }
  pthread_mutex_unlock(&p->mutex);
  if (bSplit) {
    sms_http_drop_ahead(*l->ppHttp);
    lane_end_chain(l);
  }
}

/* Whether the next page of a worker's chain may be requested while this one is decoded
** (sms_http.h): when chain_fetch would follow it, and the chain is not a run of empty pages,
** whose end is a fault, not a page to fetch. */
static int may_send_ahead(void *pArg, const char *zNext) {
  SmsLane *l = pArg;
  char zErr[8];
  return !l->pScan->bStop && l->nEmptyRun == 0 &&
         next_url_check(l, zNext, 0, url_hash(zNext), zErr, sizeof(zErr)) == SMS_OK;
}

/* Fetch the next page of the lane's chain into *pPage: checked, kept for the cache, and cut
** to the task's own rows. */
static int chain_fetch(SmsLane *l, SmsPage *pPage, char *zErr, size_t nErr) {
  SmsScan *p = l->pScan;
  char *zUrl = l->zUrl;
  int rc, bFirst = l->bFirst;

  l->zUrl = 0;
  rc = next_url_ok(l, zUrl, zErr, nErr);
  if (rc != SMS_OK) goto done;
  l->bFirst = 0;
  if (!*l->ppHttp) {
    rc = sms_http_open(l->ppHttp, p->spec.pCfg, p->spec.pShare, scan_should_stop, p);
    if (rc != SMS_OK) {
      snprintf(zErr, nErr, SMS_ERR_PREFIX "cannot start libcurl");
      goto done;
    }
  }
  sms_http_set_stop(*l->ppHttp, scan_should_stop, p);
  sms_http_set_log(*l->ppHttp, p->spec.pLog);
  /* Only workers send ahead: the consumer fetches a page itself when SQLite may stop after
  ** it (the first page, a LIMIT), and that must cost one request. */
  int (*xAhead)(void *, const char *) = p->bWorkers && p->spec.bAhead ? may_send_ahead : 0;
  rc =
      sms_http_fetch_page(*l->ppHttp, zUrl, l->pTask->iProgramId, pPage, xAhead, l, zErr, nErr);
  if (rc == SMS_ERROR && bFirst && sms_http_status(*l->ppHttp) == 400) {
    /* The refusal's Date may show the server's clock ahead of ours: then the clamp, redone
    ** on its clock, changes the request, and it is sent once more. Otherwise the refusal
    ** stands (nextPageUrl is the API's own, never rebuilt). */
    char *zAgain = first_url(p, l->pTask, &l->iSentStart);
    if (!zAgain) {
      rc = nomem(zErr, nErr);
      goto done;
    }
    if (strcmp(zAgain, zUrl) != 0) {
      free(zUrl);
      zUrl = zAgain;
      rc = sms_http_fetch_page(*l->ppHttp, zUrl, l->pTask->iProgramId, pPage, xAhead, l, zErr,
                               nErr);
    } else {
      free(zAgain);
    }
  }
  if (rc != SMS_OK) goto done;

  l->nEmptyRun = pPage->nRow ? 0 : l->nEmptyRun + 1;
  if (l->nEmptyRun > MAX_EMPTY_PAGES) {
    snprintf(zErr, nErr,
             SMS_ERR_PREFIX
             "the API sent more than %d empty pages in a row (last: %s); stopping "
             "instead of looping forever",
             MAX_EMPTY_PAGES, zUrl);
    rc = SMS_ERROR;
    goto done;
  }
  if (pPage->zNext) {
    l->zUrl = strdup(pPage->zNext);
    if (!l->zUrl) {
      rc = nomem(zErr, nErr);
      goto done;
    }
  }
  sms_cache_fill_add(l->pFill, pPage);
  if (bFirst && l->zUrl && l->pFill) expect_size(l, pPage);
  if (!l->zUrl) chain_complete(l);
  sms_time iPageMin = SMS_TIME_MAX, iPageMax = SMS_TIME_MIN;
  if (p->bBalance) {
    page_dates(l, pPage, &iPageMin, &iPageMax);
    if (l->nPage++ >= REC_PAGES) l->bRecord = 0;
  }
  /* A chain that may split counts its undated rows even when it owns all: its pieces will
  ** bring them again. */
  if (!l->pTask->bOwnAll || l->bRecord || l->pTask->nBag) {
    sms_page_keep_rows(pPage, is_own_row, l);
  }
  int bBags = l->pTask->nBag > 0;
  if (bBags || l->bRecord) {
    if (bBags) pthread_mutex_lock(&p->mutex);
    sms_page_keep_rows(pPage, keep_new_row, l);
    if (bBags && !l->zUrl && l->held.nRow) sms_page_keep_rows(&l->held, resolve_held, l);
    if (bBags) pthread_mutex_unlock(&p->mutex);
    if (!l->zUrl && l->held.nRow && sms_page_take_rows(pPage, &l->held) != SMS_OK) {
      rc = nomem(zErr, nErr);
      goto done;
    }
  } else if (bFirst && p->spec.bAdaptive && p->eMode == SCAN_SEQUENTIAL && !p->bWidened &&
             !p->bWorkers && l->zUrl) {
    rc = remember_rows(l, pPage);
    if (rc != SMS_OK) nomem(zErr, nErr);
  }
  if (p->bBalance) split_chain(l, iPageMin, iPageMax);

done:
  if (rc != SMS_OK) {
    sms_page_clear(pPage);
    lane_end_chain(l);
  }
  free(zUrl);
  return rc;
}

/* The next page of the lane into *pPage, and its program: from the task in hand, or the next
** ones. *pbEnd when the plan has no task left. */
static int lane_step(SmsLane *l, SmsPage *pPage, long long *piProgId, int *pbEnd, char *zErr,
                     size_t nErr) {
  *pbEnd = 0;
  for (;;) {
    SmsTask *t = l->pTask;
    if (!t) {
      t = take_task(l);
      if (!t) {
        *pbEnd = 1;
        return SMS_OK;
      }
      if (lane_begin(l, t) != SMS_OK) return nomem(zErr, nErr);
    }
    *piProgId = t->iProgramId;
    if (t->pEntry) {
      if (sms_cache_read(t->pEntry, t->iOwnLo, t->iOwnHi, &l->iPos, CACHE_PAGE_ROWS, pPage)) {
        return nomem(zErr, nErr);
      }
      if (pPage->nRow) return SMS_OK;
      sms_page_clear(pPage);
    } else if (l->zUrl) {
      return chain_fetch(l, pPage, zErr, nErr);
    }
    l->pTask = 0; /* this task is read: the next */
  }
}

/* A worker's wait for the consumer, the scan's mutex held. While a request sent ahead is
** under way, the worker reads it in short steps instead of sleeping (sms_http_pump_ahead:
** the answer is read as it comes, so that a slow reader cannot make it time out); the
** caller checks again what it waits for after each. */
static void lane_wait(SmsLane *l) {
  SmsScan *p = l->pScan;
  SmsHttp *pHttp = *l->ppHttp; /* this worker's own client */
  if (pHttp && sms_http_ahead_running(pHttp)) {
    pthread_mutex_unlock(&p->mutex);
    sms_http_pump_ahead(pHttp, AHEAD_PUMP_MS);
    pthread_mutex_lock(&p->mutex);
    return;
  }
  pthread_cond_wait(&p->cond, &p->mutex);
}

/* A worker reads its lane's pages one after the other. A sequential scan keeps one page
** ready and fetches the next only once SQLite took it: one page ahead. The lanes of a
** parallel scan fetch the next page while the current one waits to be taken: their pages
** arrive together, SQLite takes them one at a time, and waiting for it would delay every
** lane's next request by the time SQLite spends on the pages before it. */
static void *lane_worker(void *pArg) {
  SmsLane *l = pArg;
  SmsScan *p = l->pScan;
  int bEarly = p->eMode == SCAN_PARALLEL;
  pthread_mutex_lock(&p->mutex);
  for (;;) {
    while (!p->bStop && l->bReady && !bEarly)
      lane_wait(l);
    if (p->bStop) break;
    pthread_mutex_unlock(&p->mutex);
    SmsPage page;
    long long iProgId = 0;
    int bEnd;
    char zErr[sizeof(l->zErr)];
    memset(&page, 0, sizeof(page));
    int rc = lane_step(l, &page, &iProgId, &bEnd, zErr, sizeof(zErr));
    pthread_mutex_lock(&p->mutex);
    if (rc != SMS_OK) {
      l->rc = rc;
      memcpy(l->zErr, zErr, sizeof(zErr));
      break;
    }
    if (bEnd) break;
    while (!p->bStop && l->bReady)
      lane_wait(l);
    if (p->bStop) {
      sms_page_clear(&page);
      break;
    }
    l->ready = page;
    l->iReadyProgId = iProgId;
    l->bReady = 1;
    pthread_cond_broadcast(&p->cond);
  }
  if (l->bActive) { /* a failure or a stop: it reads nothing more */
    l->bActive = 0;
    p->nActive--;
  }
  l->bDone = 1;
  pthread_cond_broadcast(&p->cond);
  pthread_mutex_unlock(&p->mutex);
  return 0;
}

static int start_workers(SmsScan *p, char *zErr, size_t nErr) {
  p->bWorkers = 1;
  if (p->bBalance) {
    p->nActive = p->nLane; /* each lane takes a task first */
    for (int i = 0; i < p->nLane; i++) {
      p->aLane[i].bActive = 1;
      p->aLane[i].nTotal = -1; /* unknown until its chain tells */
    }
  }
  for (int i = 0; i < p->nLane; i++) {
    SmsLane *l = &p->aLane[i];
    if (pthread_create(&l->thread, 0, lane_worker, l) != 0) {
      snprintf(zErr, nErr, SMS_ERR_PREFIX "cannot start a thread");
      return SMS_NOMEM;
    }
    l->bThread = 1;
  }
  return SMS_OK;
}

/* ---------------------------------------------------------------- the scan */

/* Read the tasks from iNextTask on with nParallel lanes at once. The long chains go first,
** every program's, so that lanes start on them all at once; the edge hours (a page or two
** each) last, with one more lane for them, so that they neither wait nor keep a long chain
** waiting - but not before the server's clock is known: the edge is on that clock, so the
** edge hours then wait for a lane that is done, and its answers have told the clock. */
static int go_parallel(SmsScan *p, int nParallel, char *zErr, size_t nErr) {
  int nFetch = 0;
  for (int i = p->iNextTask + 1; i < p->nTask; i++) {
    SmsTask t = p->aTask[i];
    int j = i;
    for (; j > p->iNextTask && p->aTask[j - 1].bEdge && !t.bEdge; j--)
      p->aTask[j] = p->aTask[j - 1];
    p->aTask[j] = t;
  }
  for (int i = p->iNextTask; i < p->nTask; i++)
    nFetch += !p->aTask[i].pEntry;
  int nLane = nParallel + (p->nEdgeTask > 0 && sms_clock_known(p->spec.pCfg->zBaseUrl));
  if (nLane > nFetch) nLane = nFetch;
  if (nLane > SMS_MAX_PARALLEL) nLane = SMS_MAX_PARALLEL;
  p->nLane = nLane < 1 ? 1 : nLane;
  p->eMode = SCAN_PARALLEL;
  /* Lanes hold pointers into aTask: the pieces of splits must find room without moving it.
  ** Without that room, no chain splits. */
  if (p->nTaskAlloc < p->nTask + SPLIT_TASK_ROOM) {
    SmsTask *aNew = realloc(p->aTask, (p->nTask + SPLIT_TASK_ROOM) * sizeof(*aNew));
    if (aNew) {
      p->aTask = aNew;
      p->nTaskAlloc = p->nTask + SPLIT_TASK_ROOM;
    }
  }
  /* Not the adaptive default: it promises at most a request a sub-window more than one
  ** chain, and a split re-reads pages (docs/reference.md). */
  p->bBalance = !p->bWidened;
  return start_workers(p, zErr, nErr);
}

/* The adaptive default (no parallel option, no LIMIT): the scan needs the second page of a
** chain over more than a day, so it is long. The rest of that chain is read as
** SMS_ADAPTIVE_WIDTH sub-windows at once instead (fewer within a low rate limit), each
** dropping the rows the first page handed out, and the rest of the plan on the same lanes.
** Returns 1 when it did (*pRc says how it went), 0 when the scan stays one chain. */
static int widen(SmsScan *p, char *zErr, size_t nErr, int *pRc) {
  SmsLane *l = &p->aLane[0];
  SmsTask *t = l->pTask;
  SmsTask *aRest = 0;
  int nRest, iRest = 0, nWidth = SMS_ADAPTIVE_WIDTH;
  double rRate = p->spec.pCfg->rRateLimit;
  if (!p->spec.bAdaptive || p->bWidened || !t || t->pEntry || !l->zUrl || l->nSeen != 1 ||
      t->iFetchHi - t->iFetchLo <= SMS_DAY || !p->bRemembered) {
    return 0;
  }
  if (rRate > 0 && rRate < nWidth) nWidth = rRate < 2 ? 2 : (int)rRate;
  p->bWidened = 1;
  SmsTask cur = *t;
  lane_end_chain(l);
  l->pTask = 0;
  /* The sub-windows take the place of the chain, before the rest of the plan. */
  nRest = p->nTask - p->iNextTask;
  aRest = malloc((nRest + 1) * sizeof(*aRest));
  if (!aRest) goto nomem;
  memcpy(aRest, p->aTask + p->iNextTask, nRest * sizeof(*aRest));
  p->nTask = p->iNextTask;
  int nBefore = p->nTask;
  /* The sub-windows hand out the chain's own rows: clip them to the window itself (not to
  ** the MIN/MAX its ends stand for), so that only the sub-window holding an end owns
  ** past it, even when a widened chain reaches beyond the window. */
  sms_time iClipLo = cur.iOwnLo == SMS_TIME_MIN ? p->spec.iStart + 1 : cur.iOwnLo;
  sms_time iClipHi = cur.iOwnHi == SMS_TIME_MAX + 1 ? window_end(&p->spec) : cur.iOwnHi;
  if (gap_tasks(p, cur.iProgramId, cur.iFetchLo, cur.iFetchHi, iClipLo, iClipHi, nWidth) !=
      SMS_OK) {
    goto nomem;
  }
  for (int i = nBefore; i < p->nTask; i++) {
    p->aTask[i].aBag[0] = 0; /* remember_rows' bag */
    p->aTask[i].nBag = 1;
  }
  for (; iRest < nRest; iRest++) {
    if (add_task(p, &aRest[iRest]) != SMS_OK) goto nomem;
  }
  free(aRest);
  *pRc = go_parallel(p, nWidth, zErr, nErr);
  return 1;

nomem:
  for (; aRest && iRest < nRest; iRest++) /* the tasks not put back hold cache references */
    sms_cache_release(aRest[iRest].pEntry);
  free(aRest);
  *pRc = nomem(zErr, nErr);
  return 1;
}

int sms_scan_open(SmsScan **pp, const SmsScanSpec *pSpec, SmsHttp **apHttp, char *zErr,
                  size_t nErr) {
  SmsScan *p = calloc(1, sizeof(*p));
  int rc = SMS_OK;
  *pp = p;
  if (!p) return nomem(zErr, nErr);
  p->spec = *pSpec;
  p->apHttp = apHttp;
  pthread_mutex_init(&p->mutex, 0);
  pthread_cond_init(&p->cond, 0);
  /* spec.iNow is the server's now by which the vtab clamped the window (sms_clock_now). */
  p->bStartAtEdge = pSpec->iStart <= sms_retention_oldest(pSpec->iNow);
  p->nLane = 1;
  for (int i = 0; i < SMS_MAX_PARALLEL; i++) {
    p->aLane[i].pScan = p;
    p->aLane[i].ppHttp = &apHttp[i];
  }

  sms_time iEnd = window_end(pSpec);
  if (pSpec->iOrder) {
    p->eMode = SCAN_ORDERED;
    p->iOrderNext = pSpec->iOrder < 0 ? iEnd : pSpec->iStart;
    p->iOrderStep = SMS_DAY;
    return SMS_OK; /* the sub-windows are planned one by one as they are read */
  }
  int nParallel = pSpec->bAhead ? pSpec->nParallel : 1;
  p->eMode = nParallel > 1 ? SCAN_PARALLEL : SCAN_SEQUENTIAL;
  /* Many programs share the lanes: each program's window is cut into fewer sub-windows. */
  int nSplit = nParallel / pSpec->nProgramId;
  if (nSplit < 1) nSplit = 1;
  for (int i = 0; i < pSpec->nProgramId && rc == SMS_OK; i++) {
    p->bMissed = 0;
    p->iWiden = 0;
    rc = plan_program(p, pSpec->aProgramId[i], pSpec->iStart, iEnd, nSplit);
  }
  if (rc != SMS_OK) return nomem(zErr, nErr);
  if (p->eMode == SCAN_PARALLEL) {
    return go_parallel(p, nParallel, zErr, nErr);
  }
  return SMS_OK;
}

/* keep_rows callback of a scan whose query drops rows with a NULL date (bDatedOnly): an
** ordered scan drops them first, since they sort before every other row. */
static int has_date_value(SmsPage *pPage, int iRow, void *pArg) {
  SmsValue v;
  (void)pArg;
  sms_page_row_field(pPage, iRow, SMS_F_DATE, &v);
  return v.eType != SMS_NULL;
}

/* Ordered scans: read the next sub-window whole, from the newest end (or the oldest),
** and hand it out sorted. Each sub-window is four times longer than the one before, up to
** MAX_ORDERED_STEP: the first is small, so the latest messages cost one request, and none
** is large, so memory stays a few pages even for a busy program. */
static int ordered_next(SmsScan *p, SmsPage *pPage, int *pbEof, char *zErr, size_t nErr) {
  const SmsScanSpec *pSpec = &p->spec;
  sms_time iStart = pSpec->iStart, iEnd = window_end(pSpec), iLo, iHi;
  long long iProgId = pSpec->aProgramId[0];
  int rc = SMS_OK, bEnd = 0;
  if (p->bOrderDone) {
    *pbEof = 1;
    return SMS_OK;
  }
  if (pSpec->iOrder < 0) {
    iHi = p->iOrderNext;
    iLo = iHi - p->iOrderStep > iStart ? iHi - p->iOrderStep : iStart;
    p->iOrderNext = iLo;
  } else {
    iLo = p->iOrderNext;
    iHi = iLo + p->iOrderStep < iEnd ? iLo + p->iOrderStep : iEnd;
    p->iOrderNext = iHi;
  }
  p->iOrderStep = p->iOrderStep * 4 < MAX_ORDERED_STEP ? p->iOrderStep * 4 : MAX_ORDERED_STEP;
  p->bOrderDone = pSpec->iOrder < 0 ? iLo <= iStart : iHi >= iEnd;
  /* Rows without a readable date are counted across the sub-windows (keep_undated). */
  if (plan_program(p, iProgId, iLo, iHi, 1) != SMS_OK) return nomem(zErr, nErr);
  while (rc == SMS_OK) {
    SmsPage next;
    memset(&next, 0, sizeof(next));
    rc = lane_step(&p->aLane[0], &next, &iProgId, &bEnd, zErr, nErr);
    if (rc != SMS_OK || bEnd) break;
    if (sms_page_take_rows(pPage, &next)) {
      sms_page_clear(&next);
      rc = nomem(zErr, nErr);
    }
  }
  if (rc != SMS_OK) return rc;
  if (pSpec->bDatedOnly) sms_page_keep_rows(pPage, has_date_value, 0);
  /* Sorted as SQLite would, less the rows a later sub-window's rows may precede: those are
  ** older than iLo (newer than iHi when ascending). */
  char zBad[64], zBound[20];
  sms_time_format(pSpec->iOrder < 0 ? iLo : iHi, ' ', zBound);
  int e = p->pOrder ? 0 : sms_order_new(&p->pOrder, pSpec->iOrder < 0);
  if (e == 0) e = sms_order_step(p->pOrder, pPage, zBound, p->bOrderDone, zBad);
  if (e == SMS_NOMEM) return nomem(zErr, nErr);
  if (e == SMS_ERROR) {
    snprintf(zErr, nErr,
             SMS_ERR_PREFIX
             "cannot return rows in date order: the API sent a message whose date (%s) "
             "sorts before rows already returned, with a later request than its place; "
             "write ORDER BY +date to have SQLite sort the rows instead",
             zBad);
    return SMS_ERROR;
  }
  return SMS_OK;
}

/* The next page of the lanes, in page-arrival order; *pbEof when they all ended. */
static int lanes_next(SmsScan *p, SmsPage *pPage, long long *piProgId, int *pbEof, char *zErr,
                      size_t nErr) {
  if (!p->bWorkers) {
    /* The consumer reads the first page itself; once the scan needs a second one it is
    ** long, and from then on a worker fetches the next page while SQLite consumes this. */
    if (!p->bStarted || !p->spec.bAhead) {
      int rc = lane_step(&p->aLane[0], pPage, piProgId, pbEof, zErr, nErr);
      p->bStarted = 1;
      return rc;
    }
    int rc = SMS_OK;
    if (!widen(p, zErr, nErr, &rc)) rc = start_workers(p, zErr, nErr);
    if (rc != SMS_OK) return rc;
  }

  pthread_mutex_lock(&p->mutex);
  for (;;) {
    int nFinished = 0;
    for (int k = 0; k < p->nLane; k++) {
      SmsLane *l = &p->aLane[(p->iNextLane + k) % p->nLane];
      if (l->bReady) {
        *pPage = l->ready;
        *piProgId = l->iReadyProgId;
        memset(&l->ready, 0, sizeof(l->ready));
        l->bReady = 0;
        p->iNextLane = (p->iNextLane + k + 1) % p->nLane;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->mutex);
        return SMS_OK;
      }
      if (l->bDone && l->rc) {
        snprintf(zErr, nErr, "%s", l->zErr);
        pthread_mutex_unlock(&p->mutex);
        return l->rc;
      }
      nFinished += l->bDone;
    }
    if (nFinished == p->nLane) break;
    pthread_cond_wait(&p->cond, &p->mutex);
  }
  pthread_mutex_unlock(&p->mutex);
  *pbEof = 1;
  return SMS_OK;
}

int sms_scan_next(SmsScan *p, SmsPage *pPage, long long *piProgramId, int *pbEof, char *zErr,
                  size_t nErr) {
  sms_page_clear(pPage);
  *pbEof = 0;
  if (p->eMode == SCAN_ORDERED) {
    *piProgramId = p->spec.aProgramId[0];
    return ordered_next(p, pPage, pbEof, zErr, nErr);
  }
  return lanes_next(p, pPage, piProgramId, pbEof, zErr, nErr);
}

void sms_scan_close(SmsScan *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mutex);
  p->bStop = 1;
  pthread_cond_broadcast(&p->cond);
  pthread_mutex_unlock(&p->mutex);
  for (int i = 0; i < p->nLane; i++) {
    SmsLane *l = &p->aLane[i];
    if (l->bThread) pthread_join(l->thread, 0);
    if (*l->ppHttp) {
      sms_http_drop_ahead(*l->ppHttp);
      sms_http_set_stop(*l->ppHttp, 0, 0);
    }
    sms_page_clear(&l->ready);
    lane_end_chain(l);
    sms_hash_count_clear(&l->undated);
    free(l->aSeen);
    free(l->aRec);
  }
  for (int i = 0; i < p->nBag; i++)
    split_bag_clear(&p->aBag[i]);
  for (int i = 0; i < p->nTask; i++)
    sms_cache_release(p->aTask[i].pEntry);
  free(p->aTask);
  sms_hash_count_clear(&p->undated);
  sms_order_free(p->pOrder);
  pthread_cond_destroy(&p->cond);
  pthread_mutex_destroy(&p->mutex);
  free(p);
}
