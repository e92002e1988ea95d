/*
** sms_chain.c: one chain of requests. See sms_chain.h.
*/
#include "sms_chain.h"

#include "sms_clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THIN_PAGES 100 /* a run of thin pages longer than this is a fault (thin_rows) */

static unsigned long long url_hash(const char *z) {
  return sms_siphash(0, 0, z, strlen(z));
}

static int nomem(char *zErr, size_t nErr) {
  snprintf(zErr, nErr, SMS_ERR_PREFIX "out of memory");
  return SMS_NOMEM;
}

/* An ordered scan may reach its oldest sub-window minutes after the window was computed,
** and the first answers of a scan may show that the server's clock is not ours: so the clamp
** is redone here. A scan whose start was the clamp follows the edge down as well as up, so a
** server whose clock is behind still gives its oldest messages (a wider request is safe: rows
** outside the query are dropped by SQLite). */
char *sms_chain_first_url(const SmsScanSpec *pSpec, const SmsTask *t, int bStartAtEdge,
                          sms_time *piSentStart) {
  char zStart[20], zEnd[20];
  size_t n = strlen(pSpec->pCfg->zBaseUrl) + 160;
  char *z = malloc(n);
  sms_time iOldest = sms_retention_edge(pSpec->pCfg->zBaseUrl);
  sms_time iStart = t->iSendStart, iEnd = t->iSendEnd;
  if (!z) return 0;
  if (iStart < iOldest || (bStartAtEdge && iStart == pSpec->iStart)) iStart = iOldest;
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

void sms_chain_end(SmsChain *p) {
  sms_cache_fill_end(p->pFill, 0, 0, 0, 0, 0);
  p->pFill = 0;
  free(p->zUrl);
  p->zUrl = 0;
  p->nSeen = 0;
  p->nThinRun = 0;
}

void sms_chain_free(SmsChain *p) {
  sms_chain_end(p);
  free(p->aSeen);
  p->aSeen = 0;
  p->nSeenAlloc = 0;
}

int sms_chain_begin(SmsChain *p, const SmsScanSpec *pSpec, const SmsTask *pTask,
                    int bStartAtEdge) {
  sms_chain_end(p);
  p->pSpec = pSpec;
  p->task = *pTask;
  p->bStartAtEdge = bStartAtEdge;
  p->zUrl = sms_chain_first_url(pSpec, pTask, bStartAtEdge, &p->iSentStart);
  if (!p->zUrl) return SMS_NOMEM;
  p->bFirst = 1;
  p->iSentNow = sms_clock_now(pSpec->pCfg->zBaseUrl);
  p->rFetched = sms_monotonic();
  if (pSpec->pCache) {
    SmsCacheKey key;
    sms_plan_cache_key(pSpec, pTask->iProgramId, &key);
    p->pFill = sms_cache_fill_begin(pSpec->pCache, &key);
  }
  return SMS_OK;
}

int sms_chain_more(const SmsChain *p) {
  return p->zUrl != 0;
}

/* Whether nextPageUrl zUrl may be followed: base_url's origin (so the credentials go nowhere
** else), no user:password@ of its own, and not a page of this chain already (h is its
** hash). SMS_OK, or SMS_ERROR with zErr saying why. */
static int url_check(const SmsChain *p, const char *zUrl, int bFirst, unsigned long long h,
                     char *zErr, size_t nErr) {
  const SmsConfig *pCfg = p->pSpec->pCfg;
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
  for (int i = 0; i < p->nSeen; i++) {
    if (p->aSeen[i] == h) {
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

int sms_chain_may_follow(const SmsChain *p, const char *zNext) {
  char zErr[8];
  return p->nThinRun == 0 && url_check(p, zNext, 0, url_hash(zNext), zErr, sizeof(zErr)) == 0;
}

/* url_check, and the URL is remembered as fetched. */
static int url_ok(SmsChain *p, const char *zUrl, char *zErr, size_t nErr) {
  unsigned long long h = url_hash(zUrl);
  int rc = url_check(p, zUrl, p->bFirst, h, zErr, nErr);
  if (rc != SMS_OK) return rc;
  if (p->nSeen == p->nSeenAlloc) {
    int nNew = p->nSeenAlloc ? p->nSeenAlloc * 2 : 16;
    unsigned long long *aNew = realloc(p->aSeen, nNew * sizeof(*aNew));
    if (!aNew) return nomem(zErr, nErr);
    p->aSeen = aNew;
    p->nSeenAlloc = nNew;
  }
  p->aSeen[p->nSeen++] = h;
  return SMS_OK;
}

/* The chain ended: what it covers becomes a cache entry. That is the part of the window it
** was for, within what the request asked for (less its startDate itself: the API may exclude
** it); from SMS_CACHE_LATE seconds before the time of the request on, only briefly
** (sms_cache.h). */
static void chain_complete(SmsChain *p) {
  const SmsTask *t = &p->task;
  sms_time iLo = t->iFetchLo > p->iSentStart + 1 ? t->iFetchLo : p->iSentStart + 1;
  sms_time iHi = t->iFetchHi;
  if (t->bSendEnd && t->iSendEnd < iHi) iHi = t->iSendEnd;
  sms_time iFirm = p->iSentNow - SMS_CACHE_LATE < iHi ? p->iSentNow - SMS_CACHE_LATE : iHi;
  sms_cache_fill_end(p->pFill, 1, iLo, iHi, iFirm, p->rFetched);
  p->pFill = 0;
}

/* A chain's first page, with more to come: how much of the chain is it? The API promises no
** order, but when its pages go by date (as far as anyone has seen), the stretch of time the
** page spans, against the chain's, tells; when they do not, the page spans about the whole
** window and the guess is "all of it", which asks nothing of the cache. */
static void expect_size(SmsChain *p, SmsPage *pPage) {
  sms_time iMin = SMS_TIME_MAX, iMax = SMS_TIME_MIN, t;
  for (int i = 0; i < pPage->nRow; i++) {
    SmsValue v;
    sms_page_row_field(pPage, i, SMS_F_DATE, &v);
    if (v.eType != SMS_TEXT || sms_time_parse(v.z, v.n, &t) != 0) continue;
    if (t < iMin) iMin = t;
    if (t > iMax) iMax = t;
  }
  if (iMin > iMax) return;
  sms_time iSpan = p->task.iFetchHi - p->task.iFetchLo;
  sms_time iPage = iMax - iMin + 1;
  sms_cache_fill_expect(p->pFill, iSpan > iPage ? (double)iSpan / (double)iPage : 1.0);
}

/* The most messages a page may hold and still count as thin: a twentieth of pageSize, so
** that a server that caps pageSize lower than asked (the documents say 50 or 100) never
** counts; below pageSize=20, only an empty page. */
static int thin_rows(int nPageSize) {
  return nPageSize / 20;
}

int sms_chain_fetch(SmsChain *p, SmsHttp *pHttp, SmsPage *pPage,
                    int (*xAhead)(void *, const char *), void *pAheadArg, char *zErr,
                    size_t nErr) {
  char *zUrl = p->zUrl;
  int rc, bFirst = p->bFirst;

  p->zUrl = 0;
  rc = url_ok(p, zUrl, zErr, nErr);
  if (rc != SMS_OK) goto done;
  p->bFirst = 0;
  rc = sms_http_fetch_page(pHttp, zUrl, p->task.iProgramId, p->pSpec->nPageSize, pPage, xAhead,
                           pAheadArg, zErr, nErr);
  if (rc == SMS_ERROR && bFirst && sms_http_status(pHttp) == 400) {
    /* The refusal's Date may show the server's clock ahead of ours: then the clamp, redone
    ** on its clock, changes the request, and it is sent once more. Otherwise the refusal
    ** stands (nextPageUrl is the API's own, never rebuilt). */
    char *zAgain = sms_chain_first_url(p->pSpec, &p->task, p->bStartAtEdge, &p->iSentStart);
    if (!zAgain) {
      rc = nomem(zErr, nErr);
      goto done;
    }
    if (strcmp(zAgain, zUrl) != 0) {
      free(zUrl);
      zUrl = zAgain;
      rc = sms_http_fetch_page(pHttp, zUrl, p->task.iProgramId, p->pSpec->nPageSize, pPage,
                               xAhead, pAheadArg, zErr, nErr);
    } else {
      free(zAgain);
    }
  }
  if (rc != SMS_OK) goto done;

  /* The API fills every page but the last; a server that sends page after thin page, each
  ** with a fresh nextPageUrl, would never end the scan (loop detection sees exact repeats
  ** only). */
  int nThin = thin_rows(p->pSpec->nPageSize);
  p->nThinRun = pPage->nRow <= nThin && pPage->zNext ? p->nThinRun + 1 : 0;
  p->bAllEmpty = p->nThinRun == 1 ? pPage->nRow == 0 : p->bAllEmpty && pPage->nRow == 0;
  if (p->nThinRun > MAX_THIN_PAGES) {
    if (p->bAllEmpty) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX
               "the API sent more than %d empty pages in a row (last: %s); stopping "
               "instead of looping forever",
               MAX_THIN_PAGES, zUrl);
    } else {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX
               "the API sent more than %d pages in a row of at most %d messages each for "
               "pageSize=%d, each pointing to another (last: %s); stopping instead of "
               "looping forever",
               MAX_THIN_PAGES, nThin, p->pSpec->nPageSize, zUrl);
    }
    rc = SMS_ERROR;
    goto done;
  }
  if (pPage->zNext) {
    p->zUrl = strdup(pPage->zNext);
    if (!p->zUrl) {
      rc = nomem(zErr, nErr);
      goto done;
    }
  }
  /* No page over its row limit gets here: the decoder stopped it (sms_page_decode_max), so
  ** the copy the cache fill makes is bounded too. */
  sms_cache_fill_add(p->pFill, pPage);
  if (bFirst && p->zUrl && p->pFill) expect_size(p, pPage);
  if (!p->zUrl) chain_complete(p);

done:
  if (rc != SMS_OK) {
    sms_page_clear(pPage);
    sms_chain_end(p);
  }
  free(zUrl);
  return rc;
}
