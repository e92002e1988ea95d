/*
** sms_scan.c: one scan of one or more programs, as a sequence of pages. See sms_scan.h.
**
** The path of one page: sms_scan_next -> lanes_next (a page a worker made ready, or
** lane_step itself) -> lane_step (the lane's task: a cache entry, or sms_chain_fetch) ->
** lane_filter (the task's own rows, less those handed out already: sms_seen.h) -> the
** hand-over to the consumer.
**
** Two mutexes. `mutex` and `cond` guard the plan once workers run and every lane's hand-over
** fields: the consumer waits on them, so nothing under them hashes or allocates. `seen`
** guards what the lanes share about rows already handed out (the first page's bag, the
** undated count); the consumer never takes it.
*/
#include "sms_scan.h"

#include "sms_chain.h"
#include "sms_clock.h"
#include "sms_seen.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ORDERED_STEP (8 * SMS_DAY) /* ordered scans hold one sub-window in memory */
#define CACHE_PAGE_ROWS 500            /* rows of a page read from the cache */
#define AHEAD_PUMP_MS 5 /* a waiting worker reads its request sent ahead in such steps */

typedef enum ScanMode { SCAN_SEQUENTIAL, SCAN_PARALLEL, SCAN_ORDERED } ScanMode;

typedef struct SmsLane {
  SmsScan *pScan;       /* the scan this lane belongs to */
  SmsHttp **ppHttp;     /* this lane's client slot (in the caller's array) */
  SmsTask task;         /* the task being read (a copy), when bTask */
  int bTask;            /* it reads a task; 0: take the next one */
  int iPos;             /* cache task: rows read so far */
  SmsChain chain;       /* API task: its requests */
  SmsHashCount undated; /* the chain's rows without a readable date, by identity */
  SmsPage held;         /* rows held back till the chain ends (sms_seen.h) */
  /* Hand-over fields, guarded by the scan's mutex once a worker runs: */
  SmsPage ready;          /* a page waiting for the consumer */
  SmsPage spare;          /* buffers of a page the consumer is done with, for the next */
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
  SmsPlan plan;                    /* the tasks */
  SmsPlanMiss miss;                /* the program being planned: its miss */
  int nLane;                       /* lanes in aLane */
  SmsLane aLane[SMS_MAX_PARALLEL]; /* the lanes */
  int iNextLane;                   /* the lane to look at first (round robin) */
  int bStarted;                    /* sequential: the consumer has taken a first page */
  int bWorkers;                    /* the lanes are read by workers */
  int bStartAtEdge;                /* spec.iStart is the retention clamp, not the query's */
  int bWidened;                    /* the adaptive default went parallel */
  SmsSeenBag first;                /* adaptive: the first page's dated rows (guarded by seen) */
  int bRemembered;                 /* adaptive: first holds a chain's first page */
  SmsFirstPage firstPage;          /* adaptive: that page's dates, to predict the chain */
  SmsHashCount undated;            /* undated rows handed out, by identity (seen) */
  sms_time iOrderNext;             /* ordered: where the next sub-window starts */
  sms_time iOrderStep;             /* ordered: the next sub-window's length */
  int bOrderDone;                  /* ordered: every sub-window was read */
  SmsOrder *pOrder;                /* ordered: rows held back between sub-windows */
  _Atomic int bStop;               /* close: every request stops (read unlocked: atomic) */
  pthread_mutex_t mutex;           /* guards the plan and the hand-over fields */
  pthread_cond_t cond;             /* signalled at every hand-over change */
  pthread_mutex_t seen;            /* guards first and undated */
};

static int scan_should_stop(void *pArg) {
  SmsScan *p = pArg;
  if (p->bStop) return 1;
  return p->spec.xInterrupted && p->spec.xInterrupted(p->spec.pInterruptArg);
}

static int nomem(char *zErr, size_t nErr) {
  snprintf(zErr, nErr, SMS_ERR_PREFIX "out of memory");
  return SMS_NOMEM;
}

/* ---------------------------------------------------------------- rows handed out */

/* Whether a row has a readable date, and which (*pt). */
static int row_date(SmsPage *pPage, int iRow, sms_time *pt) {
  return sms_page_row_time(pPage, iRow, pt); /* parsed once: xColumn reuses it */
}

/* The verdicts on a page's rows (by row number, SmsSeenVerdict values), and their keys. */
typedef struct Verdicts {
  unsigned char *aVerdict; /* per row */
  SmsSeenKey *aKey;        /* per row, where the verdict needed one */
} Verdicts;

static int verdicts_alloc(Verdicts *v, int nRow) {
  v->aVerdict = malloc(nRow + 1);
  v->aKey = malloc((nRow + 1) * sizeof(*v->aKey));
  return v->aVerdict && v->aKey ? SMS_OK : SMS_NOMEM;
}

static void verdicts_free(Verdicts *v) {
  free(v->aVerdict);
  free(v->aKey);
}

/* keep_rows callback over the verdicts: the rows to hand out now. */
static int verdict_new(SmsPage *pPage, int iRow, void *pArg) {
  (void)pPage;
  return ((const Verdicts *)pArg)->aVerdict[iRow] == SMS_SEEN_NEW;
}

/* Judge the rows of a page as they come (sms_seen.h): a dated row is the task's when dated in
** its own range, and then new unless the task reads again what the first page handed out
** (bDropFirst: the bag); an undated row is judged by the counts. Keys and the chain's own
** counts are made before the lock that the lanes share is taken. SMS_OK or SMS_NOMEM. */
static int judge_rows(SmsLane *l, SmsPage *pPage, Verdicts *v) {
  SmsScan *p = l->pScan;
  const SmsTask *t = &l->task;
  int *anCount = malloc((2 * pPage->nRow + 1) * sizeof(int)); /* undated: nId, nExact */
  int bShared = 0; /* a verdict needs what the lanes share: the bag or the undated count */
  sms_time tRow;
  if (!anCount) return SMS_NOMEM;
  for (int i = 0; i < pPage->nRow; i++) {
    int bDated = row_date(pPage, i, &tRow);
    v->aVerdict[i] = SMS_SEEN_NEW;
    if (bDated && (tRow < t->iOwnLo || tRow >= t->iOwnHi)) v->aVerdict[i] = SMS_SEEN_DROP;
    if (v->aVerdict[i] == SMS_SEEN_DROP || (bDated && !t->bDropFirst)) continue;
    if (sms_seen_key(pPage, i, t->iProgramId, &v->aKey[i]) != SMS_OK ||
        (!bDated &&
         sms_seen_count(&l->undated, &v->aKey[i], &anCount[2 * i], &anCount[2 * i + 1]))) {
      free(anCount);
      return SMS_NOMEM;
    }
    if (!bDated) v->aVerdict[i] = SMS_SEEN_HOLD + 1; /* marks an undated row, judged below */
    bShared = 1;
  }
  if (!bShared) { /* every row judged by its date alone: no lock (most pages of a scan) */
    free(anCount);
    return SMS_OK;
  }
  pthread_mutex_lock(&p->seen);
  for (int i = 0; i < pPage->nRow; i++) {
    if (v->aVerdict[i] == SMS_SEEN_HOLD + 1) {
      v->aVerdict[i] =
          sms_seen_undated_judge(&p->undated, &v->aKey[i], anCount[2 * i], anCount[2 * i + 1]);
    } else if (v->aVerdict[i] == SMS_SEEN_NEW && t->bDropFirst) {
      v->aVerdict[i] = sms_seen_bag_judge(&p->first, &v->aKey[i]);
    }
  }
  pthread_mutex_unlock(&p->seen);
  free(anCount);
  return SMS_OK;
}

/* Move the rows judged HOLD into the lane's held rows (copies: the page is freed first). */
static int hold_rows(SmsLane *l, SmsPage *pPage, const Verdicts *v) {
  const SmsRow **apHold = malloc((pPage->nRow + 1) * sizeof(*apHold));
  int nHold = 0, rc = SMS_OK;
  if (!apHold) return SMS_NOMEM;
  for (int i = 0; i < pPage->nRow; i++) {
    if (v->aVerdict[i] == SMS_SEEN_HOLD) apHold[nHold++] = &pPage->aRow[i];
  }
  if (nHold) {
    SmsPage hold;
    memset(&hold, 0, sizeof(hold));
    rc = sms_page_from_rows(&hold, apHold, nHold);
    if (rc == SMS_OK) rc = sms_page_take_rows(&l->held, &hold);
    sms_page_clear(&hold);
  }
  free(apHold);
  return rc;
}

/* The chain ended: every copy that was to come came, so each held row is judged again
** (sms_seen.h), and those still new join the page. SMS_OK or SMS_NOMEM. */
static int resolve_held(SmsLane *l, SmsPage *pPage) {
  SmsScan *p = l->pScan;
  SmsPage *h = &l->held;
  Verdicts v;
  sms_time tRow;
  int rc = verdicts_alloc(&v, h->nRow);
  for (int i = 0; rc == SMS_OK && i < h->nRow; i++)
    rc = sms_seen_key(h, i, l->task.iProgramId, &v.aKey[i]);
  if (rc == SMS_OK) {
    pthread_mutex_lock(&p->seen);
    for (int i = 0; i < h->nRow; i++) {
      if (row_date(h, i, &tRow)) {
        v.aVerdict[i] = sms_seen_bag_resolve(&p->first, &v.aKey[i]);
      } else {
        int nTotal = sms_hash_count_get(&l->undated, v.aKey[i].iId, 0);
        v.aVerdict[i] = sms_seen_undated_resolve(&p->undated, &v.aKey[i], nTotal);
      }
    }
    pthread_mutex_unlock(&p->seen);
    sms_page_keep_rows(h, verdict_new, &v);
    rc = sms_page_take_rows(pPage, h);
  }
  verdicts_free(&v);
  return rc;
}

/* The adaptive default: remember the dated rows of a chain's first page, so that the
** sub-windows that read that stretch again drop them (bDropFirst). Its undated rows were
** judged as any (a chain that owns everything was not filtered: bCountUndated). */
static int remember_rows(SmsLane *l, SmsPage *pPage, int bCountUndated) {
  SmsScan *p = l->pScan;
  SmsSeenKey *aKey = malloc((pPage->nRow + 1) * sizeof(*aKey));
  int n = 0, rc;
  sms_time t;
  if (!aKey) return SMS_NOMEM;
  for (int i = 0; i < pPage->nRow; i++) {
    int bDated = row_date(pPage, i, &t);
    if (!bDated && !bCountUndated) continue;
    if (sms_seen_key(pPage, i, l->task.iProgramId, &aKey[n]) != SMS_OK) {
      free(aKey);
      return SMS_NOMEM;
    }
    if (bDated) {
      n++;
    } else { /* the first chain's: handed out, and counted (no lane runs yet: no lock) */
      int nId, nExact;
      if (sms_seen_count(&l->undated, &aKey[n], &nId, &nExact) == SMS_OK) {
        (void)sms_seen_undated_judge(&p->undated, &aKey[n], nId, nExact);
      }
    }
  }
  rc = sms_seen_bag_set(&p->first, aKey, n);
  p->bRemembered = rc == SMS_OK;
  return rc;
}

/* The adaptive default: the dates a chain's first page covered and whether its rows came
** in date order (before any is dropped), for sms_plan_pages_left. */
static void note_first_page(SmsLane *l, SmsPage *pPage) {
  SmsFirstPage *f = &l->pScan->firstPage;
  sms_time t, tPrev = SMS_TIME_MIN;
  memset(f, 0, sizeof(*f));
  f->iLo = l->chain.iSentStart;
  /* the pages left lie before now, whatever the window's end (sms_plan_continue) */
  f->iHi =
      l->task.iFetchHi < l->pScan->spec.iNow + 1 ? l->task.iFetchHi : l->pScan->spec.iNow + 1;
  f->iMin = SMS_TIME_MAX;
  f->iMax = SMS_TIME_MIN;
  f->bByDate = 1;
  for (int i = 0; i < pPage->nRow; i++) {
    if (!row_date(pPage, i, &t)) continue;
    f->nDated++;
    f->bByDate &= t >= tPrev;
    tPrev = t;
    if (t < f->iMin) f->iMin = t;
    if (t > f->iMax) f->iMax = t;
  }
}

/* Cut a fetched page to what the task hands out. A task that owns the whole window and reads
** nothing twice hands out every row as it comes. */
static int lane_filter(SmsLane *l, SmsPage *pPage, int bFirst) {
  SmsScan *p = l->pScan;
  int bFiltered = !l->task.bOwnAll || l->task.bDropFirst, rc = SMS_OK;
  int bRemember = bFirst && p->spec.bAdaptive && p->eMode == SCAN_SEQUENTIAL && !p->bWidened &&
                  !p->bWorkers && sms_chain_more(&l->chain);
  if (bRemember) note_first_page(l, pPage);
  if (bFiltered) {
    Verdicts v;
    rc = verdicts_alloc(&v, pPage->nRow);
    if (rc == SMS_OK) rc = judge_rows(l, pPage, &v);
    if (rc == SMS_OK) rc = hold_rows(l, pPage, &v);
    if (rc == SMS_OK) sms_page_keep_rows(pPage, verdict_new, &v);
    verdicts_free(&v);
    if (rc == SMS_OK && !sms_chain_more(&l->chain) && l->held.nRow) {
      rc = resolve_held(l, pPage);
    }
  }
  if (rc == SMS_OK && bRemember) rc = remember_rows(l, pPage, !bFiltered);
  return rc;
}

/* ---------------------------------------------------------------- one lane */

/* A part the cache answers goes into the request log as the request it spares: the URL a
** chain over that part would have started with, no status, the rows it holds. */
static void log_cache_part(const SmsScan *p, const SmsTask *t) {
  const SmsScanSpec *pSpec = &p->spec;
  SmsTask part = *t;
  SmsLogRecord rec;
  sms_time iSent;
  part.iSendStart = t->iOwnLo <= pSpec->iStart + 1 ? pSpec->iStart : t->iOwnLo - 1;
  int bAtEnd = t->iOwnHi >= sms_plan_window_end(pSpec); /* the part reaches the window's end */
  part.bSendEnd = bAtEnd ? pSpec->bEnd : 1;
  part.iSendEnd = bAtEnd ? pSpec->iEnd : t->iOwnHi;
  memset(&rec, 0, sizeof(rec));
  rec.zUrl = sms_chain_first_url(pSpec, &part, p->bStartAtEdge, &iSent);
  if (!rec.zUrl) return; /* out of memory: the log misses a line, the scan goes on */
  rec.rTime = sms_wall_clock();
  rec.iProgram = t->iProgramId;
  rec.nRow = sms_cache_count(t->pEntry, t->iOwnLo, t->iOwnHi);
  rec.bCache = 1;
  sms_log_add(pSpec->pLog, &rec);
  free(rec.zUrl);
}

/* Make the next task of the plan the lane's: 1, or 0 when none is left. */
static int lane_take(SmsLane *l, char *zErr, size_t nErr, int *pRc) {
  SmsScan *p = l->pScan;
  int bTask;
  if (p->bWorkers) pthread_mutex_lock(&p->mutex);
  bTask = sms_plan_take(&p->plan, &l->task);
  if (p->bWorkers) pthread_mutex_unlock(&p->mutex);
  l->bTask = bTask;
  l->iPos = 0;
  sms_chain_end(&l->chain);
  sms_page_clear(&l->held);
  sms_hash_count_clear(&l->undated);
  *pRc = SMS_OK;
  if (!bTask) return 0;
  if (l->task.pEntry) {
    if (p->spec.bLogCache && p->spec.pLog) log_cache_part(p, &l->task);
  } else if (sms_chain_begin(&l->chain, &p->spec, &l->task, p->bStartAtEdge) != SMS_OK) {
    *pRc = nomem(zErr, nErr);
  }
  return 1;
}

/* sms_http.h's callback: whether the next page of a worker's chain may be requested while
** this one is decoded. */
static int may_send_ahead(void *pArg, const char *zNext) {
  SmsLane *l = pArg;
  return !l->pScan->bStop && sms_chain_may_follow(&l->chain, zNext);
}

/* The next page of the lane's chain, cut to the task's rows. */
static int chain_step(SmsLane *l, SmsPage *pPage, char *zErr, size_t nErr) {
  SmsScan *p = l->pScan;
  int rc, bFirst = l->chain.bFirst;
  if (!*l->ppHttp) {
    rc = sms_http_open(l->ppHttp, p->spec.pCfg, p->spec.pShare, scan_should_stop, p);
    if (rc != SMS_OK) {
      snprintf(zErr, nErr, SMS_ERR_PREFIX "cannot start libcurl");
      return rc;
    }
  }
  sms_http_set_stop(*l->ppHttp, scan_should_stop, p);
  sms_http_set_log(*l->ppHttp, p->spec.pLog);
  /* Only workers send ahead: the consumer fetches a page itself when SQLite may stop after
  ** it (the first page, a LIMIT), and that must cost one request. */
  int (*xAhead)(void *, const char *) = p->bWorkers && p->spec.bAhead ? may_send_ahead : 0;
  rc = sms_chain_fetch(&l->chain, *l->ppHttp, pPage, xAhead, l, zErr, nErr);
  if (rc == SMS_OK) rc = lane_filter(l, pPage, bFirst);
  if (rc == SMS_NOMEM) nomem(zErr, nErr);
  if (rc != SMS_OK) {
    sms_page_clear(pPage);
    sms_chain_end(&l->chain);
  }
  return rc;
}

/* The next page of the lane into *pPage, and its program: from the task in hand, or the next
** ones. *pbEnd when the plan has no task left. */
static int lane_step(SmsLane *l, SmsPage *pPage, long long *piProgId, int *pbEnd, char *zErr,
                     size_t nErr) {
  *pbEnd = 0;
  for (;;) {
    int rc;
    if (!l->bTask) {
      if (!lane_take(l, zErr, nErr, &rc)) {
        *pbEnd = 1;
        return SMS_OK;
      }
      if (rc != SMS_OK) return rc;
    }
    const SmsTask *t = &l->task;
    *piProgId = t->iProgramId;
    if (t->pEntry) {
      if (sms_cache_read(t->pEntry, t->iOwnLo, t->iOwnHi, &l->iPos, CACHE_PAGE_ROWS, pPage)) {
        return nomem(zErr, nErr);
      }
      if (pPage->nRow) return SMS_OK;
      sms_page_clear(pPage);
    } else if (sms_chain_more(&l->chain)) {
      return chain_step(l, pPage, zErr, nErr);
    }
    l->bTask = 0; /* this task is read: the next */
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
    SmsPage page;
    memset(&page, 0, sizeof(page));
    sms_page_give_kept(&page, &l->spare); /* decoded into without fresh memory */
    pthread_mutex_unlock(&p->mutex);
    long long iProgId = 0;
    int bEnd;
    char zErr[sizeof(l->zErr)];
    int rc = lane_step(l, &page, &iProgId, &bEnd, zErr, sizeof(zErr));
    if (rc != SMS_OK || bEnd) sms_page_clear(&page); /* it may keep the spare's buffers */
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
      pthread_mutex_unlock(&p->mutex);
      sms_page_clear(&page);
      pthread_mutex_lock(&p->mutex);
      break;
    }
    l->ready = page;
    l->iReadyProgId = iProgId;
    l->bReady = 1;
    pthread_cond_broadcast(&p->cond);
  }
  l->bDone = 1;
  pthread_cond_broadcast(&p->cond);
  pthread_mutex_unlock(&p->mutex);
  return 0;
}

static int start_workers(SmsScan *p, char *zErr, size_t nErr) {
  p->bWorkers = 1;
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

/* ---------------------------------------------------------------- the modes */

/* Read the tasks from the plan's next on with nParallel lanes at once. The long chains go
** first, every program's, so that lanes start on them all at once; the edge hours (a page or
** two each) last, with one more lane for them, so that they neither wait nor keep a long
** chain waiting - but not before the server's clock is known: the edge is on that clock, so
** the edge hours then wait for a lane that is done, and its answers have told the clock. */
static int go_parallel(SmsScan *p, int nParallel, char *zErr, size_t nErr) {
  int nFetch = 0;
  sms_plan_edges_last(&p->plan);
  for (int i = p->plan.iNext; i < p->plan.nTask; i++)
    nFetch += !p->plan.aTask[i].pEntry;
  nFetch += p->aLane[0].bTask && !p->aLane[0].task.pEntry; /* a chain that goes on */
  int nLane = nParallel + (p->plan.nEdgeTask > 0 && sms_clock_known(p->spec.pCfg->zBaseUrl));
  if (nLane > nFetch) nLane = nFetch;
  if (nLane > SMS_MAX_PARALLEL) nLane = SMS_MAX_PARALLEL;
  p->nLane = nLane < 1 ? 1 : nLane;
  p->eMode = SCAN_PARALLEL;
  return start_workers(p, zErr, nErr);
}

/* Whether the plan has a task left for the API from iNext on. */
static int plan_has_fetch(const SmsPlan *pPlan) {
  for (int i = pPlan->iNext; i < pPlan->nTask; i++) {
    if (!pPlan->aTask[i].pEntry) return 1;
  }
  return 0;
}

/* The adaptive default (no parallel option, no LIMIT): the scan needs the second page of a
** chain over more than a day. How far it widens is what its first page predicts
** (sms_plan_adaptive_width): a chain of a few pages more goes on alone, a page ahead; a
** longer one goes on whole while the rest of the plan (the edge hour, other programs) is read
** beside it; a long one is re-planned after the first page's dates (sms_plan_continue: that
** stretch read again, dropping the rows the page handed out, and the rest in sub-windows
** read at once). A first page whose rows are not in date order predicts nothing: the rest of
** the chain is read as SMS_ADAPTIVE_WIDTH equal sub-windows that all drop its rows (fewer
** within a low rate limit). Returns 1 when it went parallel (*pRc says how it went), 0 when
** the scan stays one chain. */
static int widen(SmsScan *p, char *zErr, size_t nErr, int *pRc) {
  SmsLane *l = &p->aLane[0];
  int nWidth = SMS_ADAPTIVE_WIDTH, rc;
  double rRate = p->spec.pCfg->rRateLimit;
  if (!p->spec.bAdaptive || p->bWidened || !l->bTask || l->task.pEntry ||
      !sms_chain_more(&l->chain) || l->chain.nSeen != 1 ||
      l->task.iFetchHi - l->task.iFetchLo <= SMS_DAY || !p->bRemembered) {
    return 0;
  }
  double rLeft = sms_plan_pages_left(&p->firstPage);
  int k = sms_plan_adaptive_width(rLeft, rRate, sms_monotonic() - l->chain.rFetched,
                                  SMS_ADAPTIVE_WIDTH);
  if (k == 0 || (k == 1 && !plan_has_fetch(&p->plan))) return 0;
  p->bWidened = 1;
  if (k == 1) { /* the chain goes on, on lane 0, the rest beside it: nothing read twice */
    *pRc = go_parallel(p, 2, zErr, nErr);
    return 1;
  }
  SmsTask cur = l->task;
  sms_chain_end(&l->chain);
  l->bTask = 0;
  if (k > 1) {
    nWidth = k + 1; /* the stretch read again, and k sub-windows */
    rc = sms_plan_continue(&p->plan, &p->spec, &cur, &p->firstPage, rLeft, k);
  } else {
    if (rRate > 0 && rRate < nWidth) nWidth = rRate < 2 ? 2 : (int)rRate;
    rc = sms_plan_widen(&p->plan, &p->spec, &cur, nWidth);
  }
  if (rc != SMS_OK) {
    *pRc = nomem(zErr, nErr);
    return 1;
  }
  *pRc = go_parallel(p, nWidth, zErr, nErr);
  return 1;
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
  sms_time iStart = pSpec->iStart, iEnd = sms_plan_window_end(pSpec), iLo, iHi;
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
  /* Rows without a readable date are judged across the sub-windows (sms_seen.h). */
  if (sms_plan_program(&p->plan, pSpec, iProgId, iLo, iHi, 1, &p->miss) != SMS_OK) {
    return nomem(zErr, nErr);
  }
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
        /* the buffers of the page SQLite is done with go back to the lane's worker */
        if (!l->spare.zKeep && !l->spare.aKeepRow) sms_page_give_kept(&l->spare, pPage);
        sms_page_clear(pPage);
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

/* ---------------------------------------------------------------- the scan */

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
  pthread_mutex_init(&p->seen, 0);
  /* spec.iNow is the server's now by which the vtab clamped the window (sms_clock_now). */
  p->bStartAtEdge = pSpec->iStart <= sms_retention_oldest(pSpec->iNow);
  p->nLane = 1;
  for (int i = 0; i < SMS_MAX_PARALLEL; i++) {
    p->aLane[i].pScan = p;
    p->aLane[i].ppHttp = &apHttp[i];
  }

  sms_time iEnd = sms_plan_window_end(pSpec);
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
    memset(&p->miss, 0, sizeof(p->miss));
    rc = sms_plan_program(&p->plan, pSpec, pSpec->aProgramId[i], pSpec->iStart, iEnd, nSplit,
                          &p->miss);
  }
  if (rc != SMS_OK) return nomem(zErr, nErr);
  if (p->eMode == SCAN_PARALLEL) return go_parallel(p, nParallel, zErr, nErr);
  return SMS_OK;
}

int sms_scan_next(SmsScan *p, SmsPage *pPage, long long *piProgramId, int *pbEof, char *zErr,
                  size_t nErr) {
  sms_page_reset(pPage); /* its buffers serve the next page (lanes_next) */
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
  for (int i = 0; i < SMS_MAX_PARALLEL; i++) {
    SmsLane *l = &p->aLane[i];
    if (l->bThread) pthread_join(l->thread, 0);
    if (i < p->nLane && *l->ppHttp) {
      sms_http_drop_ahead(*l->ppHttp);
      sms_http_set_stop(*l->ppHttp, 0, 0);
    }
    sms_page_clear(&l->ready);
    sms_page_clear(&l->spare);
    sms_page_clear(&l->held);
    sms_chain_free(&l->chain);
    sms_hash_count_clear(&l->undated);
  }
  sms_plan_clear(&p->plan);
  sms_seen_bag_clear(&p->first);
  sms_hash_count_clear(&p->undated);
  sms_order_free(p->pOrder);
  pthread_cond_destroy(&p->cond);
  pthread_mutex_destroy(&p->mutex);
  pthread_mutex_destroy(&p->seen);
  free(p);
}
