/*
** sms_cache.c: the window cache. See sms_cache.h.
**
** One mutex guards a cache's list of entries (most recently used first) and its byte count;
** an entry's rows never change after it is made, so reading them needs no lock, only a
** reference. An entry keeps the pages of its chain as copies (sms_page_from_rows: the
** message objects only, no envelope) and an index of its rows sorted by date, so that a part
** of a window is found by binary search.
*/
#include "sms_cache.h"
#include "sms_clock.h"
#include "sms_rc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MISS_BURST 10.0        /* seconds between misses that count as one run */
#define MISS_MAX_SHIFT 8       /* widening stops doubling at 256 days */
#define SHARED_MAX (64u << 20) /* bytes the process's cache holds unless cache_mb says */

typedef struct DatedRow {
  sms_time t;         /* the row's date */
  int iSeq;           /* the order it came in: ties keep it */
  const SmsRow *pRow; /* the row, inside one of the entry's pages */
} DatedRow;

struct SmsCacheEntry {
  SmsCacheEntry *pNext; /* the cache's list, most recently used first */
  SmsCacheEntry *pPrev; /* the entry before it */
  SmsCache *pCache;     /* the cache that made it */
  int nRef;             /* references: the list's, and each scan's (the cache's mutex) */
  long long iId;        /* its number, unique in the process (sms_cache's rowid) */
  char *zKey;           /* origin and credentials */
  char *zBaseUrl;       /* base_url, for sms_cache */
  long long iProgram;   /* the program */
  int eType;            /* SMS_CACHE_BOTH, _MO or _MT */
  sms_time iLo;         /* first second covered */
  sms_time iHi;         /* first second after */
  sms_time iFirm;       /* where its tail starts (sms_cache.h) */
  double rFetched;      /* when its first request went out (sms_monotonic) */
  SmsPage *aPage;       /* copies of the chain's pages */
  int nPage;            /* entries in aPage */
  DatedRow *aRow;       /* every row, by date */
  int nRow;             /* entries in aRow */
  size_t nByte;         /* bytes held */
  long long nHit;       /* scans it answered (part of) since it was made */
};

struct SmsCache {
  pthread_mutex_t mutex; /* guards everything below and every entry's nRef and links */
  SmsCacheEntry *pFirst; /* entries, most recently used first */
  SmsCacheEntry *pLast;  /* the least recently used */
  size_t nByte;          /* bytes held by listed entries */
  size_t nMax;           /* bytes it may hold */
  double rMaxTtl;        /* the longest TTL asked for: older entries can answer nothing */
};

struct SmsCacheFill {
  SmsCacheEntry *pEntry; /* the entry being made (not listed yet) */
  int bGaveUp;           /* too big, undated, or out of memory: make nothing */
};

static long long iNextId = 1; /* entry numbers; guarded by the shared mutex below */
static pthread_mutex_t idMutex = PTHREAD_MUTEX_INITIALIZER;

int sms_cache_new(SmsCache **pp, size_t nMax) {
  SmsCache *p = calloc(1, sizeof(*p));
  *pp = p;
  if (!p) return SMS_NOMEM;
  pthread_mutex_init(&p->mutex, 0);
  p->nMax = nMax;
  return SMS_OK;
}

static void entry_free(SmsCacheEntry *pE) {
  for (int i = 0; i < pE->nPage; i++)
    sms_page_clear(&pE->aPage[i]);
  free(pE->aPage);
  free(pE->aRow);
  if (pE->zKey) memset(pE->zKey, 0, strlen(pE->zKey)); /* it holds the password */
  free(pE->zKey);
  free(pE->zBaseUrl);
  free(pE);
}

/* Take pE off the list (the caller holds the mutex); the list's reference goes with it. */
static void unlist(SmsCache *p, SmsCacheEntry *pE) {
  if (pE->pPrev)
    pE->pPrev->pNext = pE->pNext;
  else
    p->pFirst = pE->pNext;
  if (pE->pNext)
    pE->pNext->pPrev = pE->pPrev;
  else
    p->pLast = pE->pPrev;
  pE->pNext = pE->pPrev = 0;
  p->nByte -= pE->nByte;
  if (--pE->nRef == 0) entry_free(pE);
}

static void push_front(SmsCache *p, SmsCacheEntry *pE) {
  pE->pPrev = 0;
  pE->pNext = p->pFirst;
  if (p->pFirst)
    p->pFirst->pPrev = pE;
  else
    p->pLast = pE;
  p->pFirst = pE;
}

void sms_cache_free(SmsCache *p) {
  if (!p) return;
  while (p->pFirst)
    unlist(p, p->pFirst);
  pthread_mutex_destroy(&p->mutex);
  free(p);
}

static SmsCache *pShared;
static pthread_once_t sharedOnce = PTHREAD_ONCE_INIT;

/* Static, not malloc'd: it lives exactly as long as the library is loaded (its memory goes
** with the library at unload; the destructor below frees the entries first), and no block is
** left for valgrind to report. */
static SmsCache sharedCache;

static void shared_init(void) {
  pthread_mutex_init(&sharedCache.mutex, 0);
  sharedCache.nMax = SHARED_MAX;
  pShared = &sharedCache;
}

SmsCache *sms_cache_shared(void) {
  pthread_once(&sharedOnce, shared_init);
  return pShared;
}

/* When the last connection closes, SQLite unloads the library: its entries are freed here,
** or a host that loads and unloads it again and again would leak every one. The cache
** itself (a mutex and a list head) is left as it is, not destroyed: this also runs at
** exit(), when another thread may still be in a scan, and an entry a scan holds lives on by
** its reference. (At an unload no scan runs: SQLite unloads after the last connection.) */
__attribute__((destructor)) static void shared_clear(void) {
  if (!pShared) return;
  pthread_mutex_lock(&pShared->mutex);
  while (pShared->pFirst)
    unlist(pShared, pShared->pFirst);
  pthread_mutex_unlock(&pShared->mutex);
}

/* Evict the least recently used entries until the cache fits (the mutex is held). */
static void shrink(SmsCache *p) {
  while (p->nByte > p->nMax && p->pLast)
    unlist(p, p->pLast);
}

void sms_cache_set_max(SmsCache *p, size_t nMax) {
  pthread_mutex_lock(&p->mutex);
  p->nMax = nMax;
  shrink(p);
  pthread_mutex_unlock(&p->mutex);
}

void sms_cache_retain(SmsCacheEntry *pE) {
  pthread_mutex_lock(&pE->pCache->mutex);
  pE->nRef++;
  pthread_mutex_unlock(&pE->pCache->mutex);
}

void sms_cache_release(SmsCacheEntry *pE) {
  if (!pE) return;
  SmsCache *p = pE->pCache;
  pthread_mutex_lock(&p->mutex);
  int bFree = --pE->nRef == 0;
  pthread_mutex_unlock(&p->mutex);
  if (bFree) entry_free(pE);
}

static int same_key(const SmsCacheEntry *pE, const SmsCacheKey *pKey) {
  return pE->iProgram == pKey->iProgram && strcmp(pE->zKey, pKey->zKey) == 0;
}

/* Whether an entry of type eHave answers a query of type eWant. */
static int type_covers(int eHave, int eWant) {
  return eHave == SMS_CACHE_BOTH || eHave == eWant;
}

/* Forget entries too old to answer any query (the mutex is held). */
static void drop_expired(SmsCache *p, double rNow) {
  SmsCacheEntry *pE = p->pFirst;
  while (pE) {
    SmsCacheEntry *pNext = pE->pNext;
    if (rNow - pE->rFetched >= p->rMaxTtl) unlist(p, pE);
    pE = pNext;
  }
}

int sms_cache_plan(SmsCache *p, const SmsCacheKey *pKey, sms_time iLo, sms_time iHi,
                   double rTtl, double rTailTtl, SmsCachePart *aPart, int nPart) {
  int n = 1;
  double rNow = sms_monotonic();
  SmsCacheEntry **apUse = 0;
  int nUse = 0, nAlloc = 0;
  if (nPart < 1) return 0;
  aPart[0].iLo = iLo;
  aPart[0].iHi = iHi;
  aPart[0].pEntry = 0;
  pthread_mutex_lock(&p->mutex);
  if (rTtl > p->rMaxTtl) p->rMaxTtl = rTtl;
  drop_expired(p, rNow);
  /* The entries that can answer, newest first: each paints the gaps still left. */
  for (SmsCacheEntry *pE = p->pFirst; pE; pE = pE->pNext) {
    if (!same_key(pE, pKey) || !type_covers(pE->eType, pKey->eType)) continue;
    if (rNow - pE->rFetched >= rTtl || pE->iHi <= iLo || pE->iLo >= iHi) continue;
    if (nUse == nAlloc) {
      int nNew = nAlloc ? nAlloc * 2 : 8;
      SmsCacheEntry **apNew = realloc(apUse, nNew * sizeof(*apNew));
      if (!apNew) goto nomem;
      apUse = apNew;
      nAlloc = nNew;
    }
    apUse[nUse++] = pE;
  }
  for (int i = 1; i < nUse; i++) { /* insertion sort by fetch time, newest first */
    SmsCacheEntry *pE = apUse[i];
    int j = i;
    for (; j > 0 && apUse[j - 1]->rFetched < pE->rFetched; j--)
      apUse[j] = apUse[j - 1];
    apUse[j] = pE;
  }
  for (int k = 0; k < nUse; k++) {
    SmsCacheEntry *pE = apUse[k];
    sms_time iEntryHi = rNow - pE->rFetched < rTailTtl ? pE->iHi : pE->iFirm;
    for (int i = 0; i < n; i++) {
      SmsCachePart g = aPart[i];
      if (g.pEntry || g.iHi <= pE->iLo || g.iLo >= iEntryHi || iEntryHi <= pE->iLo) continue;
      /* Cut the gap into [g.iLo, a) gap, [a, b) pE, [b, g.iHi) gap, dropping empty ones. */
      sms_time a = g.iLo > pE->iLo ? g.iLo : pE->iLo;
      sms_time b = g.iHi < iEntryHi ? g.iHi : iEntryHi;
      SmsCachePart aNew[3] = {{g.iLo, a, 0}, {a, b, pE}, {b, g.iHi, 0}};
      int nNew = 0;
      for (int m = 0; m < 3; m++) {
        if (aNew[m].iLo < aNew[m].iHi) aNew[nNew++] = aNew[m];
      }
      if (n - 1 + nNew > nPart) break; /* no room: the rest stays a gap, fetched */
      memmove(&aPart[i + nNew], &aPart[i + 1], (n - i - 1) * sizeof(SmsCachePart));
      memcpy(&aPart[i], aNew, nNew * sizeof(SmsCachePart));
      n += nNew - 1;
      i += nNew - 1;
    }
  }
  for (int i = 0; i < n; i++) {
    SmsCacheEntry *pE = aPart[i].pEntry;
    if (!pE) continue;
    pE->nRef++;
    pE->nHit++;
    if (pE != p->pFirst) { /* used: to the front of the LRU list */
      SmsCacheEntry *pSaveNext = pE->pNext, *pSavePrev = pE->pPrev;
      pSavePrev->pNext = pSaveNext;
      if (pSaveNext)
        pSaveNext->pPrev = pSavePrev;
      else
        p->pLast = pSavePrev;
      push_front(p, pE);
    }
  }
  pthread_mutex_unlock(&p->mutex);
  free(apUse);
  return n;

nomem:
  pthread_mutex_unlock(&p->mutex);
  free(apUse);
  return -1;
}

/* The first row of pE dated at or after t. */
static int lower_bound(const SmsCacheEntry *pE, sms_time t) {
  int lo = 0, hi = pE->nRow;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (pE->aRow[mid].t < t)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int sms_cache_count(SmsCacheEntry *pE, sms_time iLo, sms_time iHi) {
  return lower_bound(pE, iHi) - lower_bound(pE, iLo);
}

int sms_cache_read(SmsCacheEntry *pE, sms_time iLo, sms_time iHi, int *piPos, int nMax,
                   SmsPage *pPage) {
  int iFirst = lower_bound(pE, iLo) + *piPos, n = 0;
  const SmsRow **apRow = 0;
  while (iFirst + n < pE->nRow && n < nMax && pE->aRow[iFirst + n].t < iHi)
    n++;
  if (n) {
    apRow = malloc(n * sizeof(*apRow));
    if (!apRow) return SMS_NOMEM;
    for (int i = 0; i < n; i++)
      apRow[i] = pE->aRow[iFirst + i].pRow;
  }
  int rc = sms_page_from_rows(pPage, apRow, n);
  free(apRow);
  if (rc == SMS_OK) *piPos += n;
  return rc;
}

SmsCacheFill *sms_cache_fill_begin(SmsCache *p, const SmsCacheKey *pKey) {
  SmsCacheFill *pFill = calloc(1, sizeof(*pFill));
  SmsCacheEntry *pE = calloc(1, sizeof(*pE));
  if (!pFill || !pE) goto nomem;
  pFill->pEntry = pE;
  pE->pCache = p;
  pE->nRef = 1;
  pE->zKey = strdup(pKey->zKey);
  pE->zBaseUrl = strdup(pKey->zBaseUrl);
  pE->iProgram = pKey->iProgram;
  pE->eType = pKey->eType;
  if (!pE->zKey || !pE->zBaseUrl) goto nomem;
  return pFill;

nomem:
  if (pE) entry_free(pE);
  free(pFill);
  return 0;
}

static void give_up(SmsCacheFill *pFill) {
  SmsCacheEntry *pE = pFill->pEntry;
  for (int i = 0; i < pE->nPage; i++)
    sms_page_clear(&pE->aPage[i]);
  free(pE->aPage);
  free(pE->aRow);
  pE->aPage = 0;
  pE->aRow = 0;
  pE->nPage = pE->nRow = 0;
  pE->nByte = 0;
  pFill->bGaveUp = 1;
}

int sms_cache_fill_add(SmsCacheFill *pFill, const SmsPage *pPage) {
  SmsCacheEntry *pE;
  SmsPage copy;
  const SmsRow **apRow = 0;
  size_t nMax;
  if (!pFill || pFill->bGaveUp) return SMS_OK;
  pE = pFill->pEntry;
  pthread_mutex_lock(&pE->pCache->mutex);
  nMax = pE->pCache->nMax;
  pthread_mutex_unlock(&pE->pCache->mutex);

  memset(&copy, 0, sizeof(copy));
  apRow = malloc((pPage->nRow ? pPage->nRow : 1) * sizeof(*apRow));
  SmsPage *aPage = realloc(pE->aPage, (pE->nPage + 1) * sizeof(SmsPage));
  if (aPage) pE->aPage = aPage;
  DatedRow *aRow = realloc(pE->aRow, (pE->nRow + pPage->nRow + 1) * sizeof(DatedRow));
  if (aRow) pE->aRow = aRow;
  if (!apRow || !aPage || !aRow) goto give_up;
  for (int i = 0; i < pPage->nRow; i++)
    apRow[i] = &pPage->aRow[i];
  if (sms_page_from_rows(&copy, apRow, pPage->nRow) != SMS_OK) goto give_up;
  for (int i = 0; i < copy.nRow; i++) {
    SmsValue v;
    sms_time t;
    sms_page_row_field(&copy, i, SMS_F_DATE, &v);
    /* A row without a date cannot be placed in time, so no window could be said to hold
    ** it: the chain is not cached (a conforming API never sends one). */
    if (v.eType != SMS_TEXT || sms_time_parse(v.z, v.n, &t) != 0) goto give_up;
    aRow[pE->nRow + i].t = t;
    aRow[pE->nRow + i].iSeq = pE->nRow + i;
    aRow[pE->nRow + i].pRow = &copy.aRow[i];
  }
  free(copy.zScratch); /* only the decode of the dates used it */
  copy.zScratch = 0;
  copy.nScratch = 0;
  size_t nAdd = copy.nRow * (sizeof(SmsRow) + sizeof(DatedRow));
  for (int i = 0; i < copy.nRow; i++)
    nAdd += copy.aRow[i].nObj;
  if (pE->nByte + nAdd > nMax) goto give_up; /* bigger than the cache: streams uncached */
  pE->aPage[pE->nPage++] = copy;
  pE->nRow += copy.nRow;
  pE->nByte += nAdd;
  free(apRow);
  return SMS_OK;

give_up:
  sms_page_clear(&copy);
  free(apRow);
  give_up(pFill);
  return SMS_OK;
}

void sms_cache_fill_expect(SmsCacheFill *pFill, double rShare) {
  if (!pFill || pFill->bGaveUp) return;
  SmsCacheEntry *pE = pFill->pEntry;
  pthread_mutex_lock(&pE->pCache->mutex);
  size_t nMax = pE->pCache->nMax;
  pthread_mutex_unlock(&pE->pCache->mutex);
  if ((double)pE->nByte * rShare > (double)nMax) give_up(pFill);
}

static int dated_row_cmp(const void *pA, const void *pB) {
  const DatedRow *a = pA, *b = pB;
  if (a->t != b->t) return a->t < b->t ? -1 : 1;
  return a->iSeq - b->iSeq;
}

void sms_cache_fill_end(SmsCacheFill *pFill, int bComplete, sms_time iLo, sms_time iHi,
                        sms_time iFirm, double rFetched) {
  if (!pFill) return;
  SmsCacheEntry *pE = pFill->pEntry;
  SmsCache *p = pE->pCache;
  if (!bComplete || pFill->bGaveUp || iLo >= iHi) {
    entry_free(pE);
    free(pFill);
    return;
  }
  free(pFill);
  qsort(pE->aRow, pE->nRow, sizeof(DatedRow), dated_row_cmp);
  pE->iLo = iLo;
  pE->iHi = iHi;
  pE->iFirm = iFirm;
  pE->rFetched = rFetched;
  pE->nByte += sizeof(*pE);
  pthread_mutex_lock(&idMutex);
  pE->iId = iNextId++;
  pthread_mutex_unlock(&idMutex);

  pthread_mutex_lock(&p->mutex);
  if (pE->nByte > p->nMax) {
    pthread_mutex_unlock(&p->mutex);
    entry_free(pE);
    return;
  }
  /* Older entries of the key that this one hides wholly can never answer again. */
  SmsCacheEntry *pOld = p->pFirst;
  while (pOld) {
    SmsCacheEntry *pNext = pOld->pNext;
    if (pOld->iProgram == pE->iProgram && strcmp(pOld->zKey, pE->zKey) == 0 &&
        type_covers(pE->eType, pOld->eType) && pOld->iLo >= iLo && pOld->iHi <= iFirm &&
        pOld->rFetched <= rFetched) {
      unlist(p, pOld);
    }
    pOld = pNext;
  }
  push_front(p, pE);
  p->nByte += pE->nByte;
  shrink(p);
  pthread_mutex_unlock(&p->mutex);
}

int sms_cache_list(SmsCache *p, SmsCacheInfo **paInfo) {
  int n = 0, i = 0;
  double rNow = sms_monotonic();
  *paInfo = 0;
  pthread_mutex_lock(&p->mutex);
  drop_expired(p, rNow);
  for (SmsCacheEntry *pE = p->pFirst; pE; pE = pE->pNext)
    n++;
  SmsCacheInfo *a = calloc(n ? n : 1, sizeof(*a));
  if (!a) goto nomem;
  for (SmsCacheEntry *pE = p->pFirst; pE; pE = pE->pNext, i++) {
    a[i].iId = pE->iId;
    a[i].zBaseUrl = strdup(pE->zBaseUrl);
    if (!a[i].zBaseUrl) goto nomem;
    a[i].iProgram = pE->iProgram;
    a[i].eType = pE->eType;
    a[i].iLo = pE->iLo;
    a[i].iHi = pE->iHi;
    a[i].nRow = pE->nRow;
    a[i].nByte = pE->nByte;
    a[i].rAge = rNow - pE->rFetched;
    a[i].nHit = pE->nHit;
  }
  pthread_mutex_unlock(&p->mutex);
  *paInfo = a;
  return n;

nomem:
  pthread_mutex_unlock(&p->mutex);
  sms_cache_info_free(a, n);
  return -1;
}

void sms_cache_info_free(SmsCacheInfo *aInfo, int nInfo) {
  if (!aInfo) return;
  for (int i = 0; i < nInfo; i++)
    free(aInfo[i].zBaseUrl);
  free(aInfo);
}

void sms_cache_forget(SmsCache *p, long long iId) {
  pthread_mutex_lock(&p->mutex);
  for (SmsCacheEntry *pE = p->pFirst; pE; pE = pE->pNext) {
    if (pE->iId == iId) {
      unlist(p, pE);
      break;
    }
  }
  pthread_mutex_unlock(&p->mutex);
}

sms_time sms_miss_widen(SmsMissLog *p, long long iProgram, int eType) {
  double rNow = sms_monotonic();
  int i, iOldest = 0;
  for (i = 0; i < SMS_MISS_SLOTS; i++) {
    if (p->aProgram[i] == iProgram && p->aType[i] == eType) break;
    if (p->aLast[i] < p->aLast[iOldest]) iOldest = i;
  }
  if (i == SMS_MISS_SLOTS) { /* a new program: take the slot used longest ago */
    i = iOldest;
    p->aProgram[i] = iProgram;
    p->aType[i] = eType;
    p->aRun[i] = 0;
    p->aLast[i] = 0;
  }
  if (p->aRun[i] > 0 && rNow - p->aLast[i] < MISS_BURST) {
    p->aRun[i]++;
  } else {
    p->aRun[i] = 1;
  }
  p->aLast[i] = rNow;
  int nShift = p->aRun[i] - 2;
  if (nShift < 0) return 0;
  return SMS_DAY << (nShift < MISS_MAX_SHIFT ? nShift : MISS_MAX_SHIFT);
}
