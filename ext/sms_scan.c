/*
** sms_scan.c: one scan of one program, as a sequence of pages. See sms_scan.h.
**
** A scan is one or more streams. A stream is the chain of pages of one (sub-)window: its
** first URL is built from the window, the next ones come from nextPageUrl. A stream is
** fetched either by the consumer itself (the first pages of a scan: nothing ahead of
** need) or by a worker thread that keeps at most one page ready. One mutex and one
** condition variable per scan guard every stream's hand-over fields.
*/
#include "sms_scan.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EMPTY_PAGES 100            /* a chain of empty pages longer than this is a fault */
#define CACHE_CAP (2u << 20)           /* bytes of bodies a cursor keeps for rescans */
#define MIN_SUBWINDOW (SMS_DAY)        /* a window is not split finer than this */
#define MAX_ORDERED_STEP (8 * SMS_DAY) /* ordered scans hold one sub-window in memory */
#define EDGE_SPAN 3600                 /* the part of a window next to the retention edge */

/* ---------------------------------------------------------------- the page cache */

typedef struct CacheEntry CacheEntry;
struct CacheEntry {
  CacheEntry *pNext; /* next entry, most recent first */
  char *zUrl;        /* the request */
  char *zBody;       /* its 200 response body */
  size_t nBody;      /* bytes at zBody */
};

struct SmsCache {
  pthread_mutex_t mutex; /* streams of a parallel scan share the cache */
  CacheEntry *pFirst;    /* entries, most recent first */
  size_t nBytes;         /* bytes of bodies held */
};

int sms_cache_new(SmsCache **pp) {
  SmsCache *p = calloc(1, sizeof(*p));
  *pp = p;
  if (!p) return SMS_NOMEM;
  pthread_mutex_init(&p->mutex, 0);
  return SMS_OK;
}

void sms_cache_free(SmsCache *p) {
  if (!p) return;
  while (p->pFirst) {
    CacheEntry *pE = p->pFirst;
    p->pFirst = pE->pNext;
    free(pE->zUrl);
    free(pE->zBody);
    free(pE);
  }
  pthread_mutex_destroy(&p->mutex);
  free(p);
}

/* Decode the cached body of zUrl into *pPage: 1 when there is none, else what
** sms_page_decode returns (it copies the body, so the lock covers only the decode). */
static int cache_decode(SmsCache *p, const char *zUrl, SmsPage *pPage, char *zWhy,
                        size_t nWhy) {
  int rc = 1;
  if (!p) return 1;
  pthread_mutex_lock(&p->mutex);
  for (CacheEntry *pE = p->pFirst; pE; pE = pE->pNext) {
    if (strcmp(pE->zUrl, zUrl) == 0) {
      rc = sms_page_decode(pE->zBody, pE->nBody, pPage, zWhy, nWhy);
      break;
    }
  }
  pthread_mutex_unlock(&p->mutex);
  return rc;
}

/* Keep a body while the cache has room; a long export simply stops being cached. */
static void cache_put(SmsCache *p, const char *zUrl, const char *zBody, size_t nBody) {
  if (!p) return;
  pthread_mutex_lock(&p->mutex);
  if (p->nBytes + nBody <= CACHE_CAP) {
    CacheEntry *pE = calloc(1, sizeof(*pE));
    if (pE) {
      pE->zUrl = strdup(zUrl);
      pE->zBody = malloc(nBody ? nBody : 1);
      if (pE->zUrl && pE->zBody) {
        memcpy(pE->zBody, zBody, nBody);
        pE->nBody = nBody;
        pE->pNext = p->pFirst;
        p->pFirst = pE;
        p->nBytes += nBody;
      } else {
        free(pE->zUrl);
        free(pE->zBody);
        free(pE);
      }
    }
  }
  pthread_mutex_unlock(&p->mutex);
}

/* ---------------------------------------------------------------- streams */

typedef struct SmsStream {
  SmsScan *pScan;            /* the scan this stream belongs to */
  SmsHttp **ppHttp;          /* this stream's client slot (in the caller's array) */
  char *zUrl;                /* the next page to fetch; NULL when there is none */
  int bFirst;                /* zUrl is the first page (built here, not from the API) */
  int bOwnRange;             /* keep only rows dated in [iOwnLo, iOwnHi) */
  int bOwnUndated;           /* keep rows whose date cannot be read (one stream does) */
  sms_time iOwnLo;           /* first second this stream's rows may have */
  sms_time iOwnHi;           /* first second after them */
  unsigned long long *aSeen; /* hashes of the URLs fetched, to stop loops */
  int nSeen;                 /* entries in aSeen */
  int nSeenAlloc;            /* room in aSeen */
  int nEmptyRun;             /* consecutive pages without rows */
  /* Hand-over fields, guarded by the scan's mutex once a worker runs: */
  SmsPage ready;    /* a fetched page waiting for the consumer */
  int bReady;       /* ready holds a page */
  int bDone;        /* nothing more will be fetched */
  int rc;           /* a failure to report when the consumer gets here */
  char zErr[1024];  /* its message */
  pthread_t thread; /* the worker, when bThread */
  int bThread;      /* a worker fetches this stream */
} SmsStream;

struct SmsScan {
  SmsScanSpec spec;                    /* what to scan */
  SmsCache *pCache;                    /* bodies kept for rescans; may be NULL */
  SmsHttp **apHttp;                    /* the caller's client slots */
  int nStream;                         /* streams in aStream */
  SmsStream aStream[SMS_MAX_PARALLEL]; /* the (sub-)windows */
  int iNext;                           /* the stream to look at first (round robin) */
  int bStarted;                        /* the consumer has taken a first page */
  int bWorkers;                        /* the streams are fetched by workers */
  sms_time iEdge;                      /* ordered scans: where the next sub-window starts */
  sms_time iStep;                      /* ordered scans: the next sub-window's length */
  int bEdge;                           /* the part next to the retention edge is still due */
  sms_time iEdgeHi;                    /* where that part ends (the others start there) */
  int bOrderedDone;                    /* ordered scans: every sub-window was read */
  SmsOrder *pOrder;                    /* ordered scans: rows held back between sub-windows */
  volatile int bStop;                  /* close: every request stops */
  pthread_mutex_t mutex;               /* guards the hand-over fields of the streams */
  pthread_cond_t cond;                 /* signalled at every hand-over change */
};

static int scan_should_stop(void *pArg) {
  SmsScan *p = pArg;
  if (p->bStop) return 1;
  return p->spec.xInterrupted && p->spec.xInterrupted(p->spec.pInterruptArg);
}

static unsigned long long url_hash(const char *z) {
  unsigned long long h = 14695981039346656037ULL;
  while (*z)
    h = (h ^ (unsigned char)*z++) * 1099511628211ULL;
  return h;
}

/* Whether the API's nextPageUrl may receive the credentials: base_url's origin, and no
** user:password@ of its own. */
static int next_url_ok(const SmsScan *p, const char *zNext, char *zErr, size_t nErr) {
  const char *zAuth = strstr(zNext, "://");
  size_t nAuth = zAuth ? strcspn(zAuth + 3, "/?#") : 0;
  if (!sms_same_origin(zNext, p->spec.pCfg->zBaseUrl) || !zAuth ||
      memchr(zAuth + 3, '@', nAuth)) {
    snprintf(zErr, nErr,
             SMS_ERR_PREFIX
             "the API's nextPageUrl (%s) is not on the origin of base_url (%s); not "
             "following it, so that the credentials go nowhere else",
             zNext, p->spec.pCfg->zBaseUrl);
    return 0;
  }
  return 1;
}

/* Whether a row belongs to this sub-window's stream: its date is in the stream's part, or
** it has no readable date and this is the stream that keeps those. */
static int is_own_row(SmsPage *pPage, int iRow, void *pArg) {
  const SmsStream *s = pArg;
  SmsValue v;
  sms_time t;
  sms_page_row_field(pPage, iRow, SMS_F_DATE, &v);
  if (v.eType == SMS_TEXT && sms_time_parse(v.z, v.n, &t) == 0) {
    return t >= s->iOwnLo && t < s->iOwnHi;
  }
  return s->bOwnUndated;
}

/* Fetch the stream's next page into *pPage and advance the stream. Called by the consumer
** or by the stream's worker, never both (the worker starts after the consumer stops). */
static int stream_fetch(SmsStream *s, SmsPage *pPage, char *zErr, size_t nErr) {
  SmsScan *p = s->pScan;
  const SmsConfig *pCfg = p->spec.pCfg;
  char *zUrl = s->zUrl;
  unsigned long long h;
  int rc;

  s->zUrl = 0;
  if (!s->bFirst && !next_url_ok(p, zUrl, zErr, nErr)) {
    free(zUrl);
    return SMS_ERROR;
  }
  s->bFirst = 0;
  h = url_hash(zUrl);
  for (int i = 0; i < s->nSeen; i++) {
    if (s->aSeen[i] == h) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX
               "the API's nextPageUrl repeats an earlier page (%s); stopping instead "
               "of looping forever",
               zUrl);
      free(zUrl);
      return SMS_ERROR;
    }
  }
  if (s->nSeen == s->nSeenAlloc) {
    int nNew = s->nSeenAlloc ? s->nSeenAlloc * 2 : 16;
    unsigned long long *aNew = realloc(s->aSeen, nNew * sizeof(*aNew));
    if (!aNew) goto nomem;
    s->aSeen = aNew;
    s->nSeenAlloc = nNew;
  }
  s->aSeen[s->nSeen++] = h;

  char zWhy[300];
  int rcCache = cache_decode(p->pCache, zUrl, pPage, zWhy, sizeof(zWhy));
  if (rcCache != 1) {
    rc = rcCache ? SMS_ERROR : SMS_OK;
    if (rc) snprintf(zErr, nErr, SMS_ERR_PREFIX "bad cached page for %s: %s", zUrl, zWhy);
  } else {
    if (!*s->ppHttp) {
      rc = sms_http_open(s->ppHttp, pCfg, p->spec.pShare, scan_should_stop, p);
      if (rc) {
        snprintf(zErr, nErr, SMS_ERR_PREFIX "cannot start libcurl");
        goto done;
      }
    }
    sms_http_set_stop(*s->ppHttp, scan_should_stop, p);
    sms_http_set_log(*s->ppHttp, p->spec.pLog);
    rc = sms_http_fetch_page(*s->ppHttp, zUrl, p->spec.iProgram, pPage, zErr, nErr);
    if (rc == SMS_OK) {
      size_t nBody;
      const char *zBody = sms_http_body(*s->ppHttp, &nBody);
      cache_put(p->pCache, zUrl, zBody, nBody);
    }
  }
  if (rc != SMS_OK) goto done;

  s->nEmptyRun = pPage->nRow ? 0 : s->nEmptyRun + 1;
  if (s->nEmptyRun > MAX_EMPTY_PAGES) {
    snprintf(zErr, nErr,
             SMS_ERR_PREFIX
             "the API sent more than %d empty pages in a row (last: %s); stopping "
             "instead of looping forever",
             MAX_EMPTY_PAGES, zUrl);
    rc = SMS_ERROR;
    goto done;
  }
  if (pPage->zNext) {
    s->zUrl = strdup(pPage->zNext);
    if (!s->zUrl) goto nomem;
  }
  if (s->bOwnRange) sms_page_keep_rows(pPage, is_own_row, s);

done:
  if (rc != SMS_OK) sms_page_clear(pPage);
  free(zUrl);
  return rc;

nomem:
  snprintf(zErr, nErr, SMS_ERR_PREFIX "out of memory");
  sms_page_clear(pPage);
  free(zUrl);
  return SMS_NOMEM;
}

/* A worker fetches its stream's pages one after the other. A sequential scan keeps one page
** ready and fetches the next only once SQLite took it: one page ahead. The streams of a
** parallel scan fetch the next page while the current one waits to be taken: their pages
** arrive together, SQLite takes them one at a time, and waiting for it would delay every
** stream's next request by the time SQLite spends on the pages before it. */
static void *stream_worker(void *pArg) {
  SmsStream *s = pArg;
  SmsScan *p = s->pScan;
  int bEarly = p->nStream > 1;
  pthread_mutex_lock(&p->mutex);
  for (;;) {
    while (!p->bStop && s->bReady && !bEarly)
      pthread_cond_wait(&p->cond, &p->mutex);
    if (p->bStop || !s->zUrl) break;
    pthread_mutex_unlock(&p->mutex);
    SmsPage page;
    char zErr[sizeof(s->zErr)];
    memset(&page, 0, sizeof(page));
    int rc = stream_fetch(s, &page, zErr, sizeof(zErr));
    pthread_mutex_lock(&p->mutex);
    if (rc != SMS_OK) {
      s->rc = rc;
      memcpy(s->zErr, zErr, sizeof(zErr));
      break;
    }
    while (!p->bStop && s->bReady)
      pthread_cond_wait(&p->cond, &p->mutex);
    if (p->bStop) {
      sms_page_clear(&page);
      break;
    }
    s->ready = page;
    s->bReady = 1;
    pthread_cond_broadcast(&p->cond);
  }
  s->bDone = 1;
  pthread_cond_broadcast(&p->cond);
  pthread_mutex_unlock(&p->mutex);
  return 0;
}

static int start_worker(SmsStream *s) {
  if (pthread_create(&s->thread, 0, stream_worker, s) != 0) return SMS_NOMEM;
  s->bThread = 1;
  return SMS_OK;
}

/* ---------------------------------------------------------------- the scan */

/* The end of the scan's window: its endDate, or just past `now` when it has none. */
static sms_time window_end(const SmsScanSpec *pSpec) {
  return pSpec->bEnd ? pSpec->iEnd : pSpec->iNow + 1;
}

static char *first_url(const SmsScanSpec *pSpec, sms_time iStart, sms_time iEnd, int bEnd);

/* Where [iLo, iHi) splits off the hour next to the retention edge, or iLo when it does
** not: it starts in that hour and goes past it, in a scan window longer than a day (a
** shorter one has few pages, and the extra request would cost more than it protects).
** Why the hour is read apart is said in sms_scan_open. */
static sms_time edge_split(const SmsScanSpec *pSpec, sms_time iLo, sms_time iHi) {
  sms_time iEdgeHi = sms_retention_oldest(sms_time_now()) + EDGE_SPAN;
  int bSplit = iLo < iEdgeHi && iHi > iEdgeHi && window_end(pSpec) - pSpec->iStart > SMS_DAY;
  return bSplit ? iEdgeHi : iLo;
}

/* Make s the stream of the part [iLo, iHi) of the scan's window (the first part also owns
** what lies before it, the last what lies after). Each part asks a second more on each
** side: whether the API's bounds are inclusive is unknown, and rows outside the part are
** dropped anyway. */
static int stream_init(SmsScan *p, SmsStream *s, SmsHttp **ppHttp, sms_time iLo, sms_time iHi,
                       int bOwnRange, int bOwnUndated) {
  const SmsScanSpec *pSpec = &p->spec;
  int bFirst = iLo <= pSpec->iStart, bLast = iHi >= window_end(pSpec);
  free(s->zUrl);
  free(s->aSeen);
  memset(s, 0, sizeof(*s));
  s->pScan = p;
  s->ppHttp = ppHttp;
  s->bFirst = 1;
  s->bOwnRange = bOwnRange;
  s->bOwnUndated = bOwnUndated;
  s->iOwnLo = bFirst ? SMS_TIME_MIN : iLo;
  s->iOwnHi = bLast ? SMS_TIME_MAX + 1 : iHi;
  s->zUrl = first_url(pSpec, bFirst ? pSpec->iStart : iLo - 1, bLast ? pSpec->iEnd : iHi + 1,
                      bLast ? pSpec->bEnd : 1);
  return s->zUrl ? SMS_OK : SMS_NOMEM;
}

/* The first URL of a stream over [iStart, iEnd] (no endDate when !bEnd). The start is
** clamped to the retention limit again at the time of the request: an ordered scan may
** reach its oldest sub-window minutes after the window was computed. */
static char *first_url(const SmsScanSpec *pSpec, sms_time iStart, sms_time iEnd, int bEnd) {
  char zStart[20], zEnd[20];
  size_t n = strlen(pSpec->pCfg->zBaseUrl) + 160;
  char *z = malloc(n);
  sms_time iOldest = sms_retention_oldest(sms_time_now());
  if (!z) return 0;
  if (iStart < iOldest) iStart = iOldest;
  sms_time_format(iStart, 'T', zStart);
  sms_time_format(iEnd, 'T', zEnd);
  snprintf(z, n, "%s/messages/program/%lld?%s%s%sstartDate=%s%s%s&pageSize=%d",
           pSpec->pCfg->zBaseUrl, pSpec->iProgram, pSpec->zType ? "messageType=" : "",
           pSpec->zType ? pSpec->zType : "", pSpec->zType ? "&" : "", zStart,
           bEnd ? "&endDate=" : "", bEnd ? zEnd : "", pSpec->nPageSize);
  return z;
}

int sms_scan_open(SmsScan **pp, const SmsScanSpec *pSpec, SmsHttp **apHttp, SmsCache *pCache,
                  char *zErr, size_t nErr) {
  SmsScan *p = calloc(1, sizeof(*p));
  int i, rc = SMS_OK;
  *pp = p;
  if (!p) goto nomem;
  p->spec = *pSpec;
  p->pCache = pCache;
  p->apHttp = apHttp;
  pthread_mutex_init(&p->mutex, 0);
  pthread_cond_init(&p->cond, 0);

  sms_time iStart = pSpec->iStart;
  sms_time iEnd = window_end(pSpec);
  if (pSpec->iOrder) {
    p->iEdge = pSpec->iOrder < 0 ? iEnd : iStart;
    p->iStep = SMS_DAY;
    return SMS_OK; /* the sub-windows are opened one by one as they are read */
  }

  /* Every page of a stream repeats its first startDate (nextPageUrl is followed as given),
  ** and a strict API refuses a startDate more than a year old, by its clock at that page.
  ** A stream that starts at the retention edge therefore has SMS_RETENTION_MARGIN seconds
  ** for all its pages. So the hour next to the edge is read last, as a stream of its own
  ** whose start is clamped again when it is sent: it is a page or two, and every other
  ** stream starts an hour inside the year. */
  sms_time iSplit = edge_split(pSpec, iStart, iEnd);
  if (iSplit > iStart) {
    p->bEdge = 1;
    p->iEdgeHi = iSplit;
    iStart = iSplit;
  }

  /* Split the window into equal sub-windows, none shorter than MIN_SUBWINDOW. */
  long long nSpan = iEnd > iStart ? iEnd - iStart : 0;
  int n = pSpec->bAhead ? pSpec->nParallel : 1;
  if (n > SMS_MAX_PARALLEL - p->bEdge) n = SMS_MAX_PARALLEL - p->bEdge;
  if (n > nSpan / MIN_SUBWINDOW) n = (int)(nSpan / MIN_SUBWINDOW);
  if (n < 1) n = 1;
  p->nStream = n;
  for (i = 0; i < n; i++) {
    if (stream_init(p, &p->aStream[i], &apHttp[i], iStart + nSpan * i / n,
                    iStart + nSpan * (i + 1) / n, n > 1 || p->bEdge, i == 0)) {
      goto nomem;
    }
  }
  if (n > 1) {
    /* Parallel streams read the edge hour at once, as one more stream: its chain is short
    ** and starts now, and waiting for it last would add a round trip to the scan. */
    if (p->bEdge) {
      if (stream_init(p, &p->aStream[n], &apHttp[n], pSpec->iStart, p->iEdgeHi, 1, 0)) {
        goto nomem;
      }
      p->nStream = n + 1;
      p->bEdge = 0;
    }
    p->bWorkers = 1;
    for (i = 0; i < p->nStream && rc == SMS_OK; i++)
      rc = start_worker(&p->aStream[i]);
    if (rc) goto nomem;
  }
  return SMS_OK;

nomem:
  snprintf(zErr, nErr, SMS_ERR_PREFIX "out of memory");
  return SMS_NOMEM;
}

/* Ordered scans: read the next sub-window whole, from the newest end (or the oldest),
** and hand it out sorted. Each sub-window is four times longer than the one before, up to
** MAX_ORDERED_STEP: the first is small, so the latest messages cost one request, and none
** is large, so memory stays a few pages even for a busy program. */
static int ordered_next(SmsScan *p, SmsPage *pPage, int *pbEof, char *zErr, size_t nErr) {
  const SmsScanSpec *pSpec = &p->spec;
  SmsStream *s = &p->aStream[0];
  sms_time iStart = pSpec->iStart;
  sms_time iEnd = window_end(pSpec);
  sms_time iLo, iHi;
  int rc = SMS_OK;
  if (p->bOrderedDone) {
    *pbEof = 1;
    return SMS_OK;
  }
  if (pSpec->iOrder < 0) {
    iHi = p->iEdge;
    iLo = iHi - p->iStep > iStart ? iHi - p->iStep : iStart;
    p->iEdge = iLo;
  } else {
    iLo = p->iEdge;
    iHi = iLo + p->iStep < iEnd ? iLo + p->iStep : iEnd;
    p->iEdge = iHi;
  }
  p->iStep = p->iStep * 4 < MAX_ORDERED_STEP ? p->iStep * 4 : MAX_ORDERED_STEP;
  p->bOrderedDone = pSpec->iOrder < 0 ? iLo <= iStart : iHi >= iEnd;
  /* A sub-window holding the edge hour is read as two chains, that hour last. */
  sms_time iSplit = edge_split(pSpec, iLo, iHi);
  for (int k = 0; k < 2 && rc == SMS_OK; k++) {
    sms_time iChainLo = k == 0 ? iSplit : iLo, iChainHi = k == 0 ? iHi : iSplit;
    if (iChainLo >= iChainHi) continue;
    /* Rows without a readable date are kept (by one chain): sms_order_step places them. */
    if (stream_init(p, s, &p->apHttp[0], iChainLo, iChainHi, 1, k == 0)) {
      snprintf(zErr, nErr, SMS_ERR_PREFIX "out of memory");
      return SMS_NOMEM;
    }
    while (s->zUrl && rc == SMS_OK) {
      SmsPage next;
      memset(&next, 0, sizeof(next));
      rc = stream_fetch(s, &next, zErr, nErr);
      if (rc == SMS_OK && sms_page_take_rows(pPage, &next)) {
        sms_page_clear(&next);
        snprintf(zErr, nErr, SMS_ERR_PREFIX "out of memory");
        rc = SMS_NOMEM;
      }
    }
  }
  if (rc != SMS_OK) return rc;
  /* Sorted as SQLite would, less the rows a later sub-window's rows may precede: those are
  ** older than iLo (newer than iHi when ascending). */
  char zBad[64], zBound[20];
  sms_time_format(pSpec->iOrder < 0 ? iLo : iHi, ' ', zBound);
  int e = p->pOrder ? 0 : sms_order_new(&p->pOrder, pSpec->iOrder < 0);
  if (e == 0) e = sms_order_step(p->pOrder, pPage, zBound, p->bOrderedDone, zBad);
  if (e == SMS_PAGE_NOMEM) {
    snprintf(zErr, nErr, SMS_ERR_PREFIX "out of memory");
    return SMS_NOMEM;
  }
  if (e == SMS_PAGE_UNORDERED) {
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

/* The next page of the streams, in page-arrival order; *pbEof when they all ended. */
static int streams_next(SmsScan *p, SmsPage *pPage, int *pbEof, char *zErr, size_t nErr) {
  int rc = SMS_OK;
  if (!p->bWorkers) {
    SmsStream *s = &p->aStream[0];
    if (!s->zUrl) {
      *pbEof = 1;
      return SMS_OK;
    }
    if (!p->bStarted || !p->spec.bAhead) {
      rc = stream_fetch(s, pPage, zErr, nErr);
      if (rc == SMS_OK) p->bStarted = 1;
      return rc;
    }
    /* The scan needs a second page: it is long, so from now on a worker fetches the next
    ** page while SQLite consumes this one. */
    p->bWorkers = 1;
    rc = start_worker(s);
    if (rc) {
      snprintf(zErr, nErr, SMS_ERR_PREFIX "cannot start a thread");
      return rc;
    }
  }

  pthread_mutex_lock(&p->mutex);
  for (;;) {
    int nFinished = 0;
    for (int k = 0; k < p->nStream; k++) {
      SmsStream *s = &p->aStream[(p->iNext + k) % p->nStream];
      if (s->bReady) {
        *pPage = s->ready;
        memset(&s->ready, 0, sizeof(s->ready));
        s->bReady = 0;
        p->iNext = (p->iNext + k + 1) % p->nStream;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->mutex);
        return SMS_OK;
      }
      if (s->bDone && s->rc) {
        rc = s->rc;
        snprintf(zErr, nErr, "%s", s->zErr);
        pthread_mutex_unlock(&p->mutex);
        return rc;
      }
      nFinished += s->bDone;
    }
    if (nFinished == p->nStream) break;
    pthread_cond_wait(&p->cond, &p->mutex);
  }
  pthread_mutex_unlock(&p->mutex);
  *pbEof = 1;
  return SMS_OK;
}

/* The streams ended: read the part next to the retention edge, as a stream of its own
** fetched the way a sequential scan is (the consumer first, then one worker). */
static int start_edge(SmsScan *p, char *zErr, size_t nErr) {
  for (int i = 0; i < p->nStream; i++) {
    SmsStream *s = &p->aStream[i];
    if (s->bThread) pthread_join(s->thread, 0);
    s->bThread = 0;
    if (i > 0) {
      free(s->zUrl);
      free(s->aSeen);
      memset(s, 0, sizeof(*s));
    }
  }
  p->bEdge = 0;
  p->nStream = 1;
  p->iNext = 0;
  p->bWorkers = 0;
  p->bStarted = 0;
  if (stream_init(p, &p->aStream[0], &p->apHttp[0], p->spec.iStart, p->iEdgeHi, 1, 0)) {
    snprintf(zErr, nErr, SMS_ERR_PREFIX "out of memory");
    return SMS_NOMEM;
  }
  return SMS_OK;
}

int sms_scan_next(SmsScan *p, SmsPage *pPage, int *pbEof, char *zErr, size_t nErr) {
  sms_page_clear(pPage);
  *pbEof = 0;
  if (p->spec.iOrder) return ordered_next(p, pPage, pbEof, zErr, nErr);
  for (;;) {
    int rc = streams_next(p, pPage, pbEof, zErr, nErr);
    if (rc != SMS_OK || !*pbEof || !p->bEdge) return rc;
    rc = start_edge(p, zErr, nErr);
    if (rc != SMS_OK) return rc;
    *pbEof = 0;
  }
}

void sms_scan_close(SmsScan *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mutex);
  p->bStop = 1;
  pthread_cond_broadcast(&p->cond);
  pthread_mutex_unlock(&p->mutex);
  /* An ordered scan works in aStream[0] without counting it in nStream. */
  int nUsed = p->spec.iOrder ? 1 : p->nStream;
  for (int i = 0; i < nUsed; i++) {
    SmsStream *s = &p->aStream[i];
    if (s->bThread) pthread_join(s->thread, 0);
    if (s->ppHttp && *s->ppHttp) sms_http_set_stop(*s->ppHttp, 0, 0);
    sms_page_clear(&s->ready);
    free(s->zUrl);
    free(s->aSeen);
  }
  sms_order_free(p->pOrder);
  pthread_cond_destroy(&p->cond);
  pthread_mutex_destroy(&p->mutex);
  free(p);
}
