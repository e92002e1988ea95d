/*
** sms_plan.h: what a scan is asked for (SmsScanSpec), and the planner that turns a program's
** window and the window cache into tasks.
**
** Boundary: pure C over sms_window, sms_clock (the retention edge on the server's clock)
** and sms_cache (what it holds); no network, no threads, no SQLite. sms_scan.c runs the
** tasks; the unit tests (sql-tests/unit/test_plan.c) check the plans alone.
**
** Words (docs/hacking.md has the glossary): the *window* is the part of time a query needs
** ([iStart, window end)); a *task* hands out the rows dated in its own range, read from a
** cache entry or by a *chain* of requests over its fetch range; a *sub-window* is one of
** the equal date ranges a gap is cut into for parallel lanes; the *edge hour* is the hour
** next to the retention edge, read as a chain of its own (see sms_plan_gap).
*/
#ifndef SMS_PLAN_H
#define SMS_PLAN_H

#include "sms_cache.h"
#include "sms_config.h"
#include "sms_http.h"
#include "sms_log.h"
#include "sms_rc.h"
#include "sms_window.h"

#define SMS_MAX_PARALLEL 16
/* Lanes of the adaptive default (no parallel option): docs/performance.md says why. */
#define SMS_ADAPTIVE_WIDTH 4
/* It widens only when this many pages are predicted after the first (sms_plan_pages_left)... */
#define SMS_ADAPTIVE_MIN_LEFT 3
/* ...and into one sub-window per this many pages: each may cost a request more than one chain
** (its last page partly full), so requests stay within one in five more. */
#define SMS_ADAPTIVE_PAGES_PER_LANE 5

typedef struct SmsScanSpec {
  const SmsConfig *pCfg;       /* base_url, credentials, limits */
  const long long *aProgramId; /* the programs scanned, ascending, no duplicates */
  int nProgramId;              /* entries in aProgramId */
  const char *zType;           /* messageType: "MO", "MT" or NULL for both */
  sms_time iStart;             /* startDate to send */
  sms_time iEnd;               /* endDate to send, when bEnd */
  int bEnd;                    /* an endDate is sent */
  sms_time iNow;               /* the clock: the end of a window without endDate */
  int nPageSize;               /* pageSize to send */
  int nParallel;               /* lanes wanted (1 to SMS_MAX_PARALLEL) */
  int bAdaptive;               /* no parallel option: go parallel once the scan proves long */
  int bAhead;                  /* pages may be fetched before they are needed */
  int iOrder;                  /* 0: any order; -1: newest first; 1: oldest first */
  int bDatedOnly;              /* the query drops rows whose date is NULL: so may the scan */
  SmsCache *pCache;            /* where windows are looked up and kept */
  const char *zCacheKey;       /* base_url and credentials: whose rows these are */
  double rTtl;                 /* seconds a cache entry may answer */
  double rTailTtl;             /* seconds its last minutes may (SMS_CACHE_TAIL_TTL) */
  SmsMissLog *pMisses;         /* the connection's recent misses; NULL: never widen */
  int bLogCache;               /* record in pLog the parts the cache answers */
  SmsLog *pLog;                /* every request is recorded here; may be NULL */
  SmsHttpShare *pShare; /* the connection's DNS, TLS sessions, connections; may be NULL */
  int (*xInterrupted)(void *); /* polled while waiting; may be NULL */
  void *pInterruptArg;         /* argument of xInterrupted */
} SmsScanSpec;

/* One task of a plan. Copied by value wherever it goes: nothing points into a plan. */
typedef struct SmsTask {
  long long iProgramId;  /* the program */
  sms_time iOwnLo;       /* it hands out the rows dated in [iOwnLo, iOwnHi) */
  sms_time iOwnHi;       /* (SMS_TIME_MIN / SMS_TIME_MAX + 1 at the ends of the window) */
  int bOwnAll;           /* it hands out every row its chain brings: no test needed */
  int bEdge;             /* it reads the hour next to the retention edge */
  int bDropFirst;        /* it drops what the scan's first page handed out (sms_seen.h) */
  SmsCacheEntry *pEntry; /* the rows are this cache entry's; NULL: the API's. The plan holds
                         ** the reference; a copy of the task borrows it */
  sms_time iFetchLo;     /* the chain reads [iFetchLo, iFetchHi) of the window... */
  sms_time iFetchHi;     /* ...and so covers that much of it, once it ends */
  sms_time iSendStart;   /* the chain's startDate (clamped again when it is sent) */
  sms_time iSendEnd;     /* its endDate, when bSendEnd */
  int bSendEnd;          /* an endDate is sent */
} SmsTask;

/* The tasks of a scan, in the order lanes take them. */
typedef struct SmsPlan {
  SmsTask *aTask; /* the tasks */
  int nTask;      /* entries in aTask */
  int nAlloc;     /* room in aTask */
  int iNext;      /* the next task a lane takes */
  int nEdgeTask;  /* tasks that read an edge hour */
} SmsPlan;

/* Per program: whether the scan counted its miss, and how far its gaps are widened
** (sms_miss_widen: a program missed again soon is planned over a wider window). */
typedef struct SmsPlanMiss {
  int bMissed;     /* the miss was counted */
  sms_time iWiden; /* seconds each gap is widened by */
} SmsPlanMiss;

/* The end of the scan's window: its endDate, or just past `now` when it has none. */
sms_time sms_plan_window_end(const SmsScanSpec *pSpec);

/* The cache key of a program's rows in this scan. */
void sms_plan_cache_key(const SmsScanSpec *pSpec, long long iProgramId, SmsCacheKey *pKey);

/* Plan [iLo, iHi) of a program (in the window's terms) into tasks appended to pPlan: the
** parts the cache holds, and the gaps to fetch, each cut into nSplit sub-windows (and the
** edge hour apart). The tasks' own ranges cover [iLo, iHi) once, with no overlap, and the
** tasks at the window's ends own what lies past them. SMS_OK or SMS_NOMEM. */
int sms_plan_program(SmsPlan *pPlan, const SmsScanSpec *pSpec, long long iProgramId,
                     sms_time iLo, sms_time iHi, int nSplit, SmsPlanMiss *pMiss);

/* The adaptive default: replace *pCur (a chain that read its first page) by nWidth
** sub-windows of its range, which drop the rows that page handed out (bDropFirst), at
** iNext, before the rest of the plan. SMS_OK or SMS_NOMEM. */
int sms_plan_widen(SmsPlan *pPlan, const SmsScanSpec *pSpec, const SmsTask *pCur, int nWidth);

/* The first page of a chain, as the adaptive default reads it to predict the chain's length.
** The API states no order; when a page's dated rows come in ascending date order (all the
** pages anyone has seen so far), the page covers [iLo, iMax] of the chain's range, and the
** rest of that range holds about as many rows per second. */
typedef struct SmsFirstPage {
  sms_time iLo;  /* the first second the chain's request asked for */
  sms_time iHi;  /* the end of the chain's fetch range */
  sms_time iMin; /* the oldest readable date on the page */
  sms_time iMax; /* the newest */
  int nDated;    /* rows with a readable date */
  int bByDate;   /* those rows came in ascending date order */
} SmsFirstPage;

/* Pages predicted after the first one, from the dates it covered: the seconds left after
** its newest row over the seconds it spanned (0 when it reached the range's end). -1 when no
** prediction is possible (no dated row, rows not in date order, or dated before the
** request's start). */
double sms_plan_pages_left(const SmsFirstPage *pFirst);

/* How the adaptive default goes on after a first page, rLeft pages predicted to follow
** (sms_plan_pages_left), rRate the rate limit (0: none) and rPageSeconds what the first page
** took. -1: no prediction, the equal split of sms_plan_widen; 0: stay one chain, a page
** ahead (fewer than SMS_ADAPTIVE_MIN_LEFT pages left); 1: the chain goes on whole while the
** rest of the plan is read beside it (no request more than one chain); k >= 2: the chain's
** range is re-planned by sms_plan_continue into k sub-windows after the first page's
** dates. k is one per SMS_ADAPTIVE_PAGES_PER_LANE pages (so requests stay within that
** fraction more than one chain's), at most nMax, and under a rate limit no more than the
** lanes it takes to send 90% of the limit, one page taking rPageSeconds. */
int sms_plan_adaptive_width(double rLeft, double rRate, double rPageSeconds, int nMax);

/* The adaptive default when the first page goes by date: replace *pCur by the stretch that
** page covered, read again (bDropFirst: it drops what the page handed out; ending just past
** its newest date, it takes one request when the API does go by date), then the rest of
** the chain's range in up to nWidth sub-windows sized by the predicted pages (rLeft), none
** of which can hold a row of the first page; at iNext, before the rest of the plan. SMS_OK
** or SMS_NOMEM. */
int sms_plan_continue(SmsPlan *pPlan, const SmsScanSpec *pSpec, const SmsTask *pCur,
                      const SmsFirstPage *pFirst, double rLeft, int nWidth);

/* Put the edge hours after every other task from iNext on (parallel scans: the long chains
** first). */
void sms_plan_edges_last(SmsPlan *pPlan);

/* Take the next task into *pTask: 1, or 0 when none is left. */
int sms_plan_take(SmsPlan *pPlan, SmsTask *pTask);

/* Release every cache reference and free the tasks. */
void sms_plan_clear(SmsPlan *pPlan);

#endif /* SMS_PLAN_H */
