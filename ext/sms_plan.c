/*
** sms_plan.c: the planner: a program's window and the window cache in, tasks out. See
** sms_plan.h.
*/
#include "sms_plan.h"

#include "sms_clock.h"

#include <stdlib.h>
#include <string.h>

#define MIN_SUBWINDOW (SMS_DAY) /* a window is not split finer than this */
#define EDGE_SPAN 3600          /* the part of a window next to the retention edge */
#define MAX_PARTS 64            /* cache parts of one plan; past that, gaps are fetched */

sms_time sms_plan_window_end(const SmsScanSpec *pSpec) {
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

void sms_plan_cache_key(const SmsScanSpec *pSpec, long long iProgramId, SmsCacheKey *pKey) {
  pKey->zKey = pSpec->zCacheKey;
  pKey->zBaseUrl = pSpec->pCfg->zBaseUrl;
  pKey->iProgram = iProgramId;
  pKey->eType = cache_type(pSpec);
}

static int add_task(SmsPlan *p, const SmsTask *pTask) {
  if (p->nTask == p->nAlloc) {
    int nNew = p->nAlloc ? p->nAlloc * 2 : 16;
    SmsTask *aNew = realloc(p->aTask, nNew * sizeof(*aNew));
    if (!aNew) return SMS_NOMEM;
    p->aTask = aNew;
    p->nAlloc = nNew;
  }
  p->aTask[p->nTask++] = *pTask;
  return SMS_OK;
}

/* Where [iLo, iHi) splits off the hour next to the retention edge, or iLo when it does
** not: it starts in that hour and goes past it, in a scan window longer than a day (a
** shorter one has few pages, and the extra request would cost more than it protects).
** Every page of a chain repeats the chain's first startDate, and a strict API refuses a
** startDate over a year old by its clock at that page: a chain started at the edge has
** SMS_RETENTION_MARGIN seconds for all its pages, so the edge hour is read on its own. */
static sms_time edge_split(const SmsScanSpec *pSpec, sms_time iLo, sms_time iHi) {
  sms_time iEdgeHi = sms_retention_edge(pSpec->pCfg->zBaseUrl) + EDGE_SPAN;
  int bSplit =
      iLo < iEdgeHi && iHi > iEdgeHi && sms_plan_window_end(pSpec) - pSpec->iStart > SMS_DAY;
  return bSplit ? iEdgeHi : iLo;
}

/* The task that fetches [iLo, iHi) (in the window's terms: the window is [iStart,
** window end)) and hands out the part of it inside [iGapLo, iGapHi). Each side asks a
** second more (whether the API's bounds are inclusive is unknown); the window's own ends are
** sent as the query gave them, and a task at an end of the window owns what lies past it. */
static int fetch_task(SmsPlan *p, const SmsScanSpec *pSpec, long long iProgramId, sms_time iLo,
                      sms_time iHi, sms_time iGapLo, sms_time iGapHi, int bEdge) {
  sms_time iEnd = sms_plan_window_end(pSpec);
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
static int gap_tasks(SmsPlan *p, const SmsScanSpec *pSpec, long long iProgramId, sms_time iLo,
                     sms_time iHi, sms_time iOwnLo, sms_time iOwnHi, int nSplit) {
  int rc = SMS_OK;
  sms_time iSplit = edge_split(pSpec, iLo, iHi);
  p->nEdgeTask += iSplit > iLo;
  /* Equal sub-windows, none shorter than MIN_SUBWINDOW, and a lane left for the edge hour. */
  long long nSpan = iHi > iSplit ? iHi - iSplit : 0;
  int nMax = SMS_MAX_PARALLEL - (iSplit > iLo);
  int n = nSplit < nMax ? nSplit : nMax;
  if (n > nSpan / MIN_SUBWINDOW) n = (int)(nSpan / MIN_SUBWINDOW);
  if (n < 1) n = 1;
  for (int i = 0; i < n && rc == SMS_OK; i++) {
    rc = fetch_task(p, pSpec, iProgramId, iSplit + nSpan * i / n, iSplit + nSpan * (i + 1) / n,
                    iOwnLo, iOwnHi, 0);
  }
  if (rc == SMS_OK && iSplit > iLo) {
    rc = fetch_task(p, pSpec, iProgramId, iLo, iSplit, iOwnLo, iOwnHi, 1);
  }
  return rc;
}

/* Cut [iLo, iHi) of a program by the cache into aPart (see sms_cache_plan); the window's
** startDate itself is left out (the API may exclude it). Without a cache, one gap. */
static int cache_parts(const SmsScanSpec *pSpec, long long iProgramId, sms_time iLo,
                       sms_time iHi, SmsCachePart *aPart) {
  sms_time iNeedLo = need_lo(pSpec, iLo);
  aPart[0].iLo = iLo;
  aPart[0].iHi = iHi;
  aPart[0].pEntry = 0;
  if (!pSpec->pCache || iNeedLo >= iHi) return 1;
  SmsCacheKey key;
  sms_plan_cache_key(pSpec, iProgramId, &key);
  int n = sms_cache_plan(pSpec->pCache, &key, iNeedLo, iHi, pSpec->rTtl, pSpec->rTailTtl, aPart,
                         MAX_PARTS);
  if (n > 0 && aPart[0].iLo == iNeedLo) aPart[0].iLo = iLo;
  return n;
}

static void release_parts(SmsCachePart *aPart, int nPart) {
  for (int i = 0; i < nPart; i++)
    sms_cache_release(aPart[i].pEntry);
}

/* The task that reads [iOwnLo, iOwnHi) of a cache entry. At an end of the window it hands
** out what a request for the window itself would bring from an API with inclusive bounds:
** the startDate and endDate seconds, and with no endDate everything after (a row dated past
** our guess of the server's now). Not more: the entry may hold a much wider window. */
static int cache_task(SmsPlan *p, const SmsScanSpec *pSpec, long long iProgramId,
                      sms_time iOwnLo, sms_time iOwnHi, SmsCacheEntry *pEntry) {
  SmsTask t;
  memset(&t, 0, sizeof(t));
  t.iProgramId = iProgramId;
  t.iOwnLo = iOwnLo <= pSpec->iStart + 1 ? pSpec->iStart : iOwnLo;
  if (iOwnHi >= sms_plan_window_end(pSpec)) {
    iOwnHi = pSpec->bEnd ? pSpec->iEnd + 1 : SMS_TIME_MAX + 1;
  }
  t.iOwnHi = iOwnHi;
  t.pEntry = pEntry;
  return add_task(p, &t);
}

/* A scan that misses soon after another miss of the program is widened (sms_miss_widen):
** planned again over a wider window, whose gaps that reach into [iLo, iHi) are fetched
** whole, so that they fill the cache past what this scan needs; held parts and gaps outside
** [iLo, iHi) are left alone. */
int sms_plan_program(SmsPlan *pPlan, const SmsScanSpec *pSpec, long long iProgramId,
                     sms_time iLo, sms_time iHi, int nSplit, SmsPlanMiss *pMiss) {
  SmsCachePart aPart[MAX_PARTS];
  int nPart, rc = SMS_OK, bGap = 0;

  nPart = cache_parts(pSpec, iProgramId, iLo, iHi, aPart);
  if (nPart < 0) return SMS_NOMEM;
  for (int i = 0; i < nPart; i++)
    bGap |= !aPart[i].pEntry;

  if (bGap && !pMiss->bMissed && pSpec->pMisses) {
    pMiss->bMissed = 1;
    pMiss->iWiden = sms_miss_widen(pSpec->pMisses, iProgramId, cache_type(pSpec));
  }
  if (bGap && pMiss->iWiden > 0) {
    sms_time iOldest = sms_retention_edge(pSpec->pCfg->zBaseUrl) + 1;
    sms_time iWideLo = iLo - pMiss->iWiden < iOldest ? iOldest : iLo - pMiss->iWiden;
    sms_time iWideHi = iHi + pMiss->iWiden;
    if (iWideLo > iLo) iWideLo = iLo;
    if (iWideHi > pSpec->iNow + 1) iWideHi = iHi > pSpec->iNow + 1 ? iHi : pSpec->iNow + 1;
    release_parts(aPart, nPart);
    nPart = cache_parts(pSpec, iProgramId, iWideLo, iWideHi, aPart);
    if (nPart < 0) return SMS_NOMEM;
  }
  sms_time iNeedLo = need_lo(pSpec, iLo);
  for (int i = 0; i < nPart && rc == SMS_OK; i++) {
    SmsCachePart *pPart = &aPart[i];
    sms_time iOwnLo = pPart->iLo > iNeedLo ? pPart->iLo : iNeedLo;
    sms_time iOwnHi = pPart->iHi < iHi ? pPart->iHi : iHi;
    if (iOwnLo >= iOwnHi) continue; /* outside the scan's window: a widening's neighbour */
    if (pPart->pEntry) {
      rc = cache_task(pPlan, pSpec, iProgramId, iOwnLo, iOwnHi, pPart->pEntry);
      if (rc == SMS_OK) pPart->pEntry = 0; /* the plan holds the reference now */
    } else {
      rc = gap_tasks(pPlan, pSpec, iProgramId, pPart->iLo, pPart->iHi, iOwnLo, iOwnHi, nSplit);
    }
  }
  release_parts(aPart, nPart);
  return rc;
}

/* Take the tasks from iNext on out of the plan, so that new ones go first (*paRest, malloc'd,
** *pnRest of them). SMS_OK or SMS_NOMEM. */
static int take_rest(SmsPlan *p, SmsTask **paRest, int *pnRest) {
  int nRest = p->nTask - p->iNext;
  SmsTask *aRest = malloc((nRest + 1) * sizeof(*aRest));
  if (!aRest) return SMS_NOMEM;
  memcpy(aRest, p->aTask + p->iNext, nRest * sizeof(*aRest));
  p->nTask = p->iNext;
  *paRest = aRest;
  *pnRest = nRest;
  return SMS_OK;
}

/* Put back after the new tasks the rest taken by take_rest (rc: how making them went), and
** free it. Returns rc, or SMS_NOMEM. */
static int put_back_rest(SmsPlan *p, SmsTask *aRest, int nRest, int rc) {
  int iRest = 0;
  for (; rc == SMS_OK && iRest < nRest; iRest++)
    rc = add_task(p, &aRest[iRest]);
  for (; iRest < nRest; iRest++) /* the tasks not put back hold cache references */
    sms_cache_release(aRest[iRest].pEntry);
  free(aRest);
  return rc;
}

/* The part of the window a chain's tasks hand out: its own range, clipped to the window
** itself (not to the MIN/MAX its ends stand for), so that only the sub-window holding an end
** owns past it, even when a widened chain reaches beyond the window. */
static void own_clip(const SmsScanSpec *pSpec, const SmsTask *pCur, sms_time *piLo,
                     sms_time *piHi) {
  *piLo = pCur->iOwnLo == SMS_TIME_MIN ? pSpec->iStart + 1 : pCur->iOwnLo;
  *piHi = pCur->iOwnHi == SMS_TIME_MAX + 1 ? sms_plan_window_end(pSpec) : pCur->iOwnHi;
}

int sms_plan_widen(SmsPlan *p, const SmsScanSpec *pSpec, const SmsTask *pCur, int nWidth) {
  SmsTask *aRest;
  int nRest, rc = take_rest(p, &aRest, &nRest);
  sms_time iClipLo, iClipHi;
  if (rc != SMS_OK) return rc;
  own_clip(pSpec, pCur, &iClipLo, &iClipHi);
  rc = gap_tasks(p, pSpec, pCur->iProgramId, pCur->iFetchLo, pCur->iFetchHi, iClipLo, iClipHi,
                 nWidth);
  for (int i = p->iNext; i < p->nTask; i++)
    p->aTask[i].bDropFirst = 1;
  return put_back_rest(p, aRest, nRest, rc);
}

double sms_plan_pages_left(const SmsFirstPage *f) {
  /* Rows dated outside what was asked for say nothing of the chain's length. */
  if (f->nDated < 1 || !f->bByDate || f->iMin < f->iLo - 1) return -1;
  if (f->iMax < f->iLo) return -1;     /* all a second before the start: no span to divide by */
  if (f->iMax + 2 >= f->iHi) return 0; /* the page reached the end: what is left is late */
  return (double)(f->iHi - f->iMax - 1) / (double)(f->iMax - f->iLo + 1);
}

int sms_plan_adaptive_width(double rLeft, double rRate, double rPageSeconds, int nMax) {
  if (rLeft < 0) return -1;
  if (rLeft < SMS_ADAPTIVE_MIN_LEFT) return 0;
  int k = (int)((rLeft + 1) / SMS_ADAPTIVE_PAGES_PER_LANE + 0.5); /* pages / 5, rounded */
  if (k > nMax) k = nMax;
  if (rRate > 0) {
    /* More lanes than fill the limit only add requests that wait their turn: n lanes of
    ** pages that take t seconds send n / t a second, enough when that is 90% of it. */
    double rFill = rRate * rPageSeconds * 0.9;
    int nFill = (int)rFill + (rFill > (int)rFill);
    if (k > nFill) k = nFill;
  }
  return k < 1 ? 1 : k;
}

int sms_plan_continue(SmsPlan *p, const SmsScanSpec *pSpec, const SmsTask *pCur,
                      const SmsFirstPage *pFirst, double rLeft, int nWidth) {
  SmsTask *aRest;
  int nRest, rc = take_rest(p, &aRest, &nRest);
  sms_time iClipLo, iClipHi, iHi = pCur->iFetchHi;
  /* No message is dated past now: a window that ends in the future ("this year") has its
  ** sub-windows sized up to now, and the last one reads on to its end. */
  sms_time iDataHi = iHi < pSpec->iNow + 1 ? iHi : pSpec->iNow + 1;
  if (rc != SMS_OK) return rc;
  own_clip(pSpec, pCur, &iClipLo, &iClipHi);
  /* Each task asks a second more on each side: the stretch read again ends where the next
  ** one's request starts a second after the page's newest date, so no later sub-window
  ** brings a row of the first page. */
  sms_time iFrom = pFirst->iMax + 2;
  double rUnit = (double)(pFirst->iMax - pFirst->iLo + 1); /* seconds a page spans */
  /* Each sub-window but the last is sized to end half a page into a page (the half nearest
  ** an equal share): the API fills every page but a chain's last, so an error of the
  ** prediction under half a page costs no request. The last takes what is left, at least
  ** half a page. */
  double rPer = (double)(long long)(rLeft / nWidth) + 0.5;
  sms_time iStep = (sms_time)(rPer * rUnit);
  if (iStep < 1) iStep = 1;
  rc = fetch_task(p, pSpec, pCur->iProgramId, pCur->iFetchLo, iFrom, iClipLo, iClipHi, 0);
  for (int i = 1; rc == SMS_OK && i < nWidth && iFrom + iStep < iDataHi - (sms_time)(rUnit / 2);
       i++) {
    rc = fetch_task(p, pSpec, pCur->iProgramId, iFrom, iFrom + iStep, iClipLo, iClipHi, 0);
    iFrom += iStep;
  }
  if (rc == SMS_OK)
    rc = fetch_task(p, pSpec, pCur->iProgramId, iFrom, iHi, iClipLo, iClipHi, 0);
  for (int i = p->iNext; i < p->nTask; i++) /* the stretch read again (an end may own more) */
    p->aTask[i].bDropFirst = p->aTask[i].iOwnLo <= pFirst->iMax;
  return put_back_rest(p, aRest, nRest, rc);
}

void sms_plan_edges_last(SmsPlan *p) {
  for (int i = p->iNext + 1; i < p->nTask; i++) {
    SmsTask t = p->aTask[i];
    int j = i;
    for (; j > p->iNext && p->aTask[j - 1].bEdge && !t.bEdge; j--)
      p->aTask[j] = p->aTask[j - 1];
    p->aTask[j] = t;
  }
}

int sms_plan_take(SmsPlan *p, SmsTask *pTask) {
  if (p->iNext >= p->nTask) return 0;
  *pTask = p->aTask[p->iNext++];
  return 1;
}

void sms_plan_clear(SmsPlan *p) {
  for (int i = 0; i < p->nTask; i++)
    sms_cache_release(p->aTask[i].pEntry);
  free(p->aTask);
  memset(p, 0, sizeof(*p));
}
