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
** of counting pages nobody fetched. One line a scan, whatever the programs it reads: the
** lanes of a scan over several programs read them at once, and a line per program would
** start over at every page of another.
*/
#ifndef SMS_PROGRESS_H
#define SMS_PROGRESS_H

#include "sms_config.h" /* SMS_PROGRESS_AUTO */

typedef struct SmsProgress {
  int eMode;          /* 0, 1 or SMS_PROGRESS_AUTO, for the current scan */
  int bOn;            /* the scan is being metered */
  int bTty;           /* stderr is a terminal: redraw in place */
  int bShown;         /* a line was written for this scan */
  long long iProgram; /* the program of the last page */
  int nProgram;       /* the programs the scan reads: more than one names no program */
  long long nPage;    /* pages the cursor took so far (the cache's included) */
  long long nRow;     /* rows on them */
  long long nFetched; /* pages of the scan's programs the API sent in the statement */
  long long nCached;  /* parts of them the cache answered in the statement */
  double rStart;      /* when the scan started (monotonic seconds): AUTO waits a second */
  double rLast;       /* when the line was last written */
} SmsProgress;

/* A scan of a statement starts (xFilter), in mode eMode. */
void sms_progress_scan(SmsProgress *p, int eMode);

/* A page of nRow rows of program iProgram was taken, by a scan of nProgram programs;
** nFetched and nCached are the request log's counts for the scan's programs in this
** statement (both 0 when the log does not know: the line then counts rows only). */
void sms_progress_page(SmsProgress *p, long long iProgram, int nProgram, int nRow,
                       long long nFetched, long long nCached);

/* Say zNote (a fact the user should know, such as a server's clock far from ours) on a line
** of its own, when the mode shows lines: AUTO on a terminal at once, since it comes once. */
void sms_progress_note(SmsProgress *p, const char *zNote);

/* The scan is over: its last line, when the mode shows one. */
void sms_progress_end(SmsProgress *p);

#endif /* SMS_PROGRESS_H */
