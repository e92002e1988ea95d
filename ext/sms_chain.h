/*
** sms_chain.h: one chain, the sequence of requests that reads one task's fetch range: the
** first URL built from the task, the next ones from the API's nextPageUrl as given.
**
** Boundary: one thread, no locks, no SQLite; the HTTP client (sms_http.h) is the caller's.
** A chain checks every URL it follows (base_url's origin only, so the credentials go nowhere
** else; never a page twice; never endless empty or thin pages), sends a first request refused
*with
** a 400 once more when the server's clock explains it, and keeps every page it brings for
** the window cache: a chain that ends (its last page has no nextPageUrl) becomes a cache
** entry; one stopped or failed never does. Which rows of a page are the task's to hand out
** is the scan's business (sms_scan.c).
*/
#ifndef SMS_CHAIN_H
#define SMS_CHAIN_H

#include "sms_plan.h"

typedef struct SmsChain {
  const SmsScanSpec *pSpec;  /* the scan's */
  SmsTask task;              /* what it reads */
  int bStartAtEdge;          /* the scan's startDate is the retention clamp, not the query's */
  char *zUrl;                /* the next page to fetch; NULL when there is none */
  int bFirst;                /* zUrl is the chain's first page (built here, not the API's) */
  sms_time iSentStart;       /* the startDate the first request sent */
  sms_time iSentNow;         /* the server's clock then: the chain covers nothing after it */
  double rFetched;           /* sms_monotonic() then: the age of its cache entry */
  SmsCacheFill *pFill;       /* its rows on their way into the cache; may be NULL */
  unsigned long long *aSeen; /* hashes of the URLs fetched, to stop loops */
  int nSeen;                 /* entries in aSeen */
  int nSeenAlloc;            /* room in aSeen */
  int nThinRun;              /* consecutive thin pages with a next one (sms_chain.c) */
  int bAllEmpty;             /* ...and they were all empty */
} SmsChain;

/* The first URL of a chain over *pTask (malloc'd; NULL when out of memory), and the
** startDate it sends (*piSentStart). The start is clamped to the retention limit at the time
** of the call, on the server's clock as last learned (sms_clock.h). */
char *sms_chain_first_url(const SmsScanSpec *pSpec, const SmsTask *pTask, int bStartAtEdge,
                          sms_time *piSentStart);

/* Start reading *pTask (the chain is ended first). SMS_OK or SMS_NOMEM. */
int sms_chain_begin(SmsChain *p, const SmsScanSpec *pSpec, const SmsTask *pTask,
                    int bStartAtEdge);

/* Whether a page is left to fetch. */
int sms_chain_more(const SmsChain *p);

/* Fetch the next page into *pPage (every row the API sent; kept for the cache). xAhead, when
** not NULL, lets the client send the next request while this page is decoded
** (sms_http_fetch_page). On failure the chain is ended. SMS_OK, or a code with zErr. */
int sms_chain_fetch(SmsChain *p, SmsHttp *pHttp, SmsPage *pPage,
                    int (*xAhead)(void *, const char *), void *pAheadArg, char *zErr,
                    size_t nErr);

/* Whether nextPageUrl zNext may be followed (the checks sms_chain_fetch makes before it
** fetches it): for a request sent ahead. */
int sms_chain_may_follow(const SmsChain *p, const char *zNext);

/* Forget the chain; a cache fill not complete by then is thrown away. */
void sms_chain_end(SmsChain *p);

/* sms_chain_end, and free what the chain keeps between tasks. */
void sms_chain_free(SmsChain *p);

#endif /* SMS_CHAIN_H */
