/*
** sms_scan.h: one scan of one program, as a sequence of pages.
**
** Boundary: pthreads, the HTTP client and the page decoder, no SQLite calls. The vtab
** opens a scan for each program it reads, takes pages one at a time, and closes the scan;
** this layer decides which requests are sent and when:
**
**   - the first request carries the query's window; later ones follow nextPageUrl as
**     given, only on base_url's origin, never an URL twice, never endless empty pages;
**   - once a scan has needed a second page, a worker thread fetches (and parses) the next
**     page while SQLite consumes the current one: at most one page ahead, and never when
**     bAhead is 0 (a LIMIT);
**   - with nParallel > 1 the window is split into sub-windows fetched by as many workers
**     at once; each keeps only the rows dated inside its own part, so rows are the same as
**     one sequential scan, none lost or doubled (but they arrive in page-arrival order).
**     A worker fetches its next page while its last one waits for SQLite (their pages
**     arrive together, and SQLite takes them one at a time);
**   - a window longer than a day that starts within an hour of the retention edge is read
**     from an hour inside the year first, and the hour next to the edge last, with its
**     start clamped again when sent: every page of a chain repeats the chain's startDate,
**     and a strict API would refuse a chain started at the edge after a few seconds. A
**     parallel scan reads that hour at once instead, as one more stream (so at most
**     SMS_MAX_PARALLEL - 1 sub-windows then); an ordered scan reads the sub-window that
**     holds it as two chains, that hour last;
**   - with iOrder, rows come sorted by date: the window is read as a series of growing
**     sub-windows (1, 4, then 8 days) from the newest end (or the oldest), each sorted in
**     memory, so that "ORDER BY date DESC LIMIT 10" reads a day or so, not a year; the order
**     is SQLite's for any date value, or an error (sms_order_step in sms_page.h);
**   - every body is kept in an SmsCache for the life of the cursor (up to a small cap), so
**     that a rescan of the same request (an inner loop of a join) sends nothing.
*/
#ifndef SMS_SCAN_H
#define SMS_SCAN_H

#include "sms_config.h"
#include "sms_http.h"
#include "sms_page.h"
#include "sms_window.h"

#define SMS_MAX_PARALLEL 16

typedef struct SmsCache SmsCache;

/* A cache of response bodies by URL; SMS_NOMEM or SMS_OK. */
int sms_cache_new(SmsCache **pp);
void sms_cache_free(SmsCache *p);

typedef struct SmsScanSpec {
  const SmsConfig *pCfg; /* base_url, credentials, limits */
  long long iProgram;    /* the program scanned */
  const char *zType;     /* messageType: "MO", "MT" or NULL for both */
  sms_time iStart;       /* startDate to send */
  sms_time iEnd;         /* endDate to send, when bEnd */
  int bEnd;              /* an endDate is sent */
  sms_time iNow;         /* the clock: the end of a window without endDate */
  int nPageSize;         /* pageSize to send */
  int nParallel;         /* sub-windows wanted (1 to SMS_MAX_PARALLEL) */
  int bAhead;            /* pages may be fetched before they are needed */
  int iOrder;            /* 0: any order; -1: newest first; 1: oldest first */
  SmsLog *pLog;          /* every request is recorded here; may be NULL */
  SmsHttpShare *pShare;  /* the connection's DNS, TLS sessions, connections; may be NULL */
  int (*xInterrupted)(void *); /* polled while waiting; may be NULL */
  void *pInterruptArg;         /* argument of xInterrupted */
} SmsScanSpec;

typedef struct SmsScan SmsScan;

/* Open a scan and start its requests. apHttp holds SMS_MAX_PARALLEL client slots owned by
** the caller (NULL slots are opened as needed and kept for later scans, so connections are
** reused); pCache may be NULL. */
int sms_scan_open(SmsScan **pp, const SmsScanSpec *pSpec, SmsHttp **apHttp, SmsCache *pCache,
                  char *zErr, size_t nErr);

/* The next page into *pPage (cleared first; it may hold no rows). *pbEof is set, and
** *pPage left empty, when the scan is over. */
int sms_scan_next(SmsScan *p, SmsPage *pPage, int *pbEof, char *zErr, size_t nErr);

/* Stop every request of the scan (promptly, mid-transfer) and free it. */
void sms_scan_close(SmsScan *p);

#endif /* SMS_SCAN_H */
