/*
** sms_progress.h: the progress line of long scans, one line on stderr.
**
** Boundary: pure C, stderr only. Three modes, from the table's progress option or the
** environment's SMS_PROGRESS: SMS_PROGRESS_AUTO (the default) shows the line only when
** stderr is a terminal and the scan has run for a second (a quick query shows nothing, a
** pipe or a log file never gets it); 1 always (on a terminal the line is redrawn in place,
** elsewhere a plain line at most once a second, and a last one when the scan ends); 0
** never. The caller says which pages the API sent and which parts the window cache
** answered (from the request log), so that a statement the cache answered says so instead
** of counting pages nobody fetched.
*/
#ifndef SMS_PROGRESS_H
#define SMS_PROGRESS_H

#include "sms_config.h" /* SMS_PROGRESS_AUTO */

typedef struct SmsProgress {
  int eMode;          /* 0, 1 or SMS_PROGRESS_AUTO, for the current scan */
  int bOn;            /* a program is being metered */
  int bTty;           /* stderr is a terminal: redraw in place */
  int bShown;         /* a line was written for this program */
  long long iProgram; /* the program being scanned */
  long long nPage;    /* pages the cursor took so far (the cache's included) */
  long long nRow;     /* rows on them */
  long long nFetched; /* pages of this program the API sent in the statement (the log's) */
  long long nCached;  /* parts of it the cache answered in the statement (the log's) */
  double rScanStart;  /* when the scan started (monotonic seconds): AUTO waits a second */
  double rStart;      /* when this program's pages started */
  double rLast;       /* when the line was last written */
} SmsProgress;

/* A scan of a statement starts (xFilter), in mode eMode. */
void sms_progress_scan(SmsProgress *p, int eMode);

/* The scan's pages of program iProgram start. */
void sms_progress_start(SmsProgress *p, long long iProgram);

/* A page of nRow rows was taken; nFetched and nCached are the request log's counts for the
** program in this statement (both 0 when the log does not know: the line then counts rows
** only). */
void sms_progress_page(SmsProgress *p, int nRow, long long nFetched, long long nCached);

/* The program's pages are over: its last line, when the mode shows one. */
void sms_progress_end(SmsProgress *p);

#endif /* SMS_PROGRESS_H */
