/*
** sms_scan.h: one scan of one or more programs over one window, as a sequence of pages.
**
** Boundary: pthreads, the planner (sms_plan.h), chains of requests (sms_chain.h), the rule
** for rows already handed out (sms_seen.h), the window cache; no SQLite calls. The vtab
** opens a scan for a statement's programs and window (an SmsScanSpec), takes pages one at a
** time (each says which program it is of), and closes the scan.
**
** Words (docs/hacking.md has the glossary): the *window* is the time the query needs; the
** *plan* is its *tasks*, each handing out the rows dated in its own range, read from a cache
** entry or by a *chain* of requests; a *lane* reads tasks one after the other (with a worker
** thread of its own once the scan is long); a *sub-window* is one of the equal date ranges a
** gap is cut into so that lanes read it at once; the *edge hour* is the hour next to the
** retention edge, read as a chain of its own (sms_plan.c says why).
**
** Three ways to read the plan, one per mode:
**   SCAN_SEQUENTIAL: one lane, the tasks one after the other, programs in ascending order.
**     The consumer fetches the first page itself; once the scan needs a second page, a
**     worker fetches the next page while SQLite consumes the current one (one page ahead,
**     and the request of the page after it sent as the page comes: sms_http.h), and never
**     when bAhead is 0 (a LIMIT: SQLite may stop). With bAdaptive (no parallel option), a
**     scan that needs the second page of a chain over more than a day widens as far as its
**     first page predicts it pays (sms_plan_adaptive_width, from the dates that page
**     covered): a few pages more, it stays one chain; more, the chain goes on whole while the
**     rest of the plan is read beside it; many, the stretch the page covered is read again
**     (the one task that drops the rows the page handed out: sms_seen.h) and the rest of the
**     chain's range as sub-windows after it (sms_plan_continue), with the rest of the plan.
**     A first page not in date order predicts nothing: SMS_ADAPTIVE_WIDTH equal
**     sub-windows of the chain's range, all dropping its rows.
**   SCAN_PARALLEL (nParallel > 1, bAhead): the gaps are cut into sub-windows, and the
**     programs of the scan are read at once: nParallel lanes take the next task as they
**     finish one, each fetching its next page while its last one waits. Rows arrive in
**     page-arrival order. Equal date ranges are not equal work when messages come in bursts;
**     the scan does not rebalance (docs/performance.md: what bunched data costs).
**   SCAN_ORDERED (iOrder, one program): rows sorted by date, read as a series of growing
**     sub-windows (1, 4, then 8 days) from the newest end (or the oldest), each read whole
**     and sorted in memory, so that "ORDER BY date DESC LIMIT 10" reads a day or so, not a
**     year. Ascending only when the query drops NULL dates (bDatedOnly), which sort first.
**
** Every part hands out only the rows dated inside its own range, so rows are the same as one
** request over the whole window, none lost or doubled; rows without a readable date are
** counted by identity across the scan (sms_seen.h).
*/
#ifndef SMS_SCAN_H
#define SMS_SCAN_H

#include "sms_page.h"
#include "sms_plan.h"

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
