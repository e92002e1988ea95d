/*
** sms_progress.h: the progress meter of long scans, one line on stderr.
**
** Boundary: pure C, stderr only. Off unless the table's progress=1 option or the
** environment's SMS_PROGRESS=1 turns it on. On a terminal the line is redrawn in place;
** otherwise (a log file, cron) a plain line is written at most once a second, and a last
** one when the scan ends.
*/
#ifndef SMS_PROGRESS_H
#define SMS_PROGRESS_H

typedef struct SmsProgress {
  int bOn;            /* the meter is shown */
  int bTty;           /* stderr is a terminal: redraw in place */
  long long iProgram; /* the program being scanned */
  long long nPage;    /* pages taken so far */
  long long nRow;     /* rows on them */
  double rStart;      /* when the scan started (monotonic seconds) */
  double rLast;       /* when the line was last written */
} SmsProgress;

void sms_progress_start(SmsProgress *p, int bOn, long long iProgram);
void sms_progress_page(SmsProgress *p, int nRow);
void sms_progress_end(SmsProgress *p);

#endif /* SMS_PROGRESS_H */
