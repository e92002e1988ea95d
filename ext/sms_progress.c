/*
** sms_progress.c: the progress meter of long scans. See sms_progress.h.
*/
#include "sms_progress.h"

#include "sms_clock.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static void show(SmsProgress *p, int bFinal) {
  double rElapsed = sms_monotonic() - p->rStart;
  double rRate = rElapsed > 0 ? p->nRow / rElapsed : 0;
  fprintf(stderr,
          "%ssms_messages: program %lld: %lld pages, %lld rows, %.0f rows/s, %.1f s%s%s",
          p->bTty ? "\r" : "", p->iProgram, p->nPage, p->nRow, rRate, rElapsed,
          bFinal ? ", done" : "", p->bTty && !bFinal ? "\033[K" : "\n");
  fflush(stderr);
  p->rLast = sms_monotonic();
}

void sms_progress_start(SmsProgress *p, int bOn, long long iProgram) {
  p->bOn = bOn;
  p->bTty = bOn && isatty(2);
  p->iProgram = iProgram;
  p->nPage = p->nRow = 0;
  p->rStart = p->rLast = sms_monotonic();
}

void sms_progress_page(SmsProgress *p, int nRow) {
  if (!p->bOn) return;
  p->nPage++;
  p->nRow += nRow;
  /* A terminal redraws cheaply; a log gets a line a second at most. */
  if (sms_monotonic() - p->rLast >= (p->bTty ? 0.1 : 1.0)) show(p, 0);
}

void sms_progress_end(SmsProgress *p) {
  if (!p->bOn) return;
  show(p, 1);
  p->bOn = 0;
}
