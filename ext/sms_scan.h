/*
** sms_scan.h: one scan of one or more programs over one window, as a sequence of pages.
**
** Boundary: pthreads, the window cache, the HTTP client and the page decoder, no SQLite
** calls. The vtab opens a scan for a statement's programs and window, takes pages one at a
** time (each says which program it is of), and closes the scan. This layer decides which
** requests are sent and when:
**
**   - The plan. For each program the window is cut by the cache (sms_cache.h) into parts it
**     holds and gaps; every gap is fetched as a chain of pages (the first URL built from the
**     gap, the next ones from nextPageUrl as given, only on base_url's origin, never a URL
**     twice, never endless empty pages), every held part is read from the cache. Each part
**     hands out only the rows dated inside it, so rows are the same as one request over the
**     whole window, none lost or doubled. A chain that ends (its last page has no
**     nextPageUrl) becomes a cache entry; a chain stopped or failed never does.
**   - Three ways to read the parts, one per mode:
**       SCAN_SEQUENTIAL: one after the other, programs in ascending order. The consumer
**         fetches the first page itself; once the scan needs a second page, a worker thread
**         fetches the next page while SQLite consumes the current one (one page ahead, and
**         the request of the page after it sent as the page comes: sms_http.h), and
**         never when bAhead is 0 (a LIMIT: SQLite may stop). With bAdaptive (no parallel
**         option), a scan that needs the second page of a chain over more than a day goes
**         parallel instead: the rest of that chain as SMS_ADAPTIVE_WIDTH sub-windows, which
**         drop the rows its first page handed out (by identity), and the rest of the plan.
**       SCAN_PARALLEL (nParallel > 1, bAhead): the gaps are cut into sub-windows, and the
**         programs of the scan are read at once: nParallel lanes (workers) take the next
**         part as they finish one, each fetching its next page while its last one waits.
**         Rows arrive in page-arrival order. Balance: equal date ranges are not equal work
**         when messages come in bursts, so a chain whose pages go by date and that predicts
**         at least 3 pages left, and twice the mean of the chains' pages in all, hands its
**         range over as new parts (split_chain): the unread rest in equal date ranges, the
**         part read a piece per page read. The API states no order, so the pieces cover the
**         chain's whole range and drop, by identity (by content first among copies), every
**         row the chain saw; its undated rows were counted. A lane without a part waits
**         while another still reads a chain, and ends when none does. Evenly spread data
**         never splits. Only an explicit parallel option splits: the adaptive default
**         keeps to a request a sub-window more than one chain.
**       SCAN_ORDERED (iOrder, one program): rows sorted by date, read as a series of growing
**         sub-windows (1, 4, then 8 days) from the newest end (or the oldest), each read
**         whole and sorted in memory, so that "ORDER BY date DESC LIMIT 10" reads a day or
**         so, not a year.
**   - The edge hour. Every page of a chain repeats the chain's first startDate, and a strict
**     API refuses a startDate over a year old by its clock at that page: a chain started at
**     the retention edge has SMS_RETENTION_MARGIN seconds for all its pages. So a gap longer
**     than a day that starts within EDGE_SPAN of the edge is read as two chains, the edge hour
**     on its own, its start clamped again when sent: last in a sequential scan and in an
**     ordered sub-window; in a parallel one, after every long chain has a lane, on a lane
**     of its own so that it starts at once.
**   - Repeated misses (sms_miss_widen): a scan that misses again soon after the last miss
**     of the same program is planned over a wider window, and the gaps that reach into its
**     own are fetched whole, so the next miss is a hit.
**   - The server's clock: the retention edge is on it (sms_clock.h); a chain whose first
**     request is refused with a 400 that the server's clock explains is sent once more.
*/
#ifndef SMS_SCAN_H
#define SMS_SCAN_H

#include "sms_cache.h"
#include "sms_config.h"
#include "sms_http.h"
#include "sms_page.h"
#include "sms_rc.h"
#include "sms_window.h"

#define SMS_MAX_PARALLEL 16
/* Lanes of the adaptive default (no parallel option): docs/performance.md says why. */
#define SMS_ADAPTIVE_WIDTH 4

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

typedef struct SmsScan SmsScan;

/* Open a scan and start its requests. *pSpec and what it points to must outlive the scan.
** apHttp holds SMS_MAX_PARALLEL client slots owned by the caller (NULL slots are opened as
** needed and kept for later scans, so connections are reused). */
int sms_scan_open(SmsScan **pp, const SmsScanSpec *pSpec, SmsHttp **apHttp, char *zErr,
                  size_t nErr);

/* The next page into *pPage (cleared first; it may hold no rows) and the program it is of.
** *pbEof is set, and *pPage left empty, when the scan is over. */
int sms_scan_next(SmsScan *p, SmsPage *pPage, long long *piProgramId, int *pbEof, char *zErr,
                  size_t nErr);

/* Stop every request of the scan (promptly, mid-transfer) and free it. */
void sms_scan_close(SmsScan *p);

#endif /* SMS_SCAN_H */
