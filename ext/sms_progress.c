/*
** sms_progress.c: the progress line of long scans. See sms_progress.h.
*/
#include "sms_progress.h"

#include "sms_clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define AUTO_AFTER 1.0 /* seconds a scan runs before SMS_PROGRESS_AUTO shows its line */

/* What the pages were: "7 pages" the API sent, "rows from the cache", or both. */
static void what(const SmsProgress *p, char *z, size_t n) {
  if (p->nFetched > 0 && p->nCached > 0) {
    snprintf(z, n, "%lld pages and %lld part%s from the cache, %lld rows", p->nFetched,
             p->nCached, p->nCached == 1 ? "" : "s", p->nRow);
  } else if (p->nCached > 0) {
    snprintf(z, n, "%lld rows from the cache (%lld part%s, no request)", p->nRow, p->nCached,
             p->nCached == 1 ? "" : "s");
  } else if (p->nFetched > 0) {
    snprintf(z, n, "%lld pages, %lld rows", p->nFetched, p->nRow);
  } else {
    snprintf(z, n, "%lld rows", p->nRow);
  }
}

static void show(SmsProgress *p, int bFinal) {
  double rElapsed = sms_monotonic() - p->rStart;
  double rRate = rElapsed > 0 ? p->nRow / rElapsed : 0;
  char zWhat[160], zWho[40];
  what(p, zWhat, sizeof(zWhat));
  if (p->nProgram > 1) {
    snprintf(zWho, sizeof(zWho), "%d programs", p->nProgram);
  } else {
    snprintf(zWho, sizeof(zWho), "program %lld", p->iProgram);
  }
  fprintf(stderr, "%ssms_messages: %s: %s, %.0f rows/s, %.1f s%s%s", p->bTty ? "\r" : "", zWho,
          zWhat, rRate, rElapsed, bFinal ? ", done" : "", p->bTty && !bFinal ? "\033[K" : "\n");
  fflush(stderr);
  p->rLast = sms_monotonic();
  p->bShown = 1;
}

void sms_progress_scan(SmsProgress *p, int eMode) {
  memset(p, 0, sizeof(*p));
  p->eMode = eMode;
  p->bTty = eMode != 0 && isatty(2);
  /* AUTO is for people watching a terminal: a pipe or a log file never gets a line */
  p->bOn = eMode == 1 || (eMode == SMS_PROGRESS_AUTO && p->bTty);
  p->rStart = p->rLast = sms_monotonic();
}

void sms_progress_page(SmsProgress *p, long long iProgram, int nProgram, int nRow,
                       long long nFetched, long long nCached) {
  if (!p->bOn) return;
  double rNow = sms_monotonic();
  p->iProgram = iProgram;
  p->nProgram = nProgram;
  p->nPage++;
  p->nRow += nRow;
  p->nFetched = nFetched;
  p->nCached = nCached;
  if (p->eMode == SMS_PROGRESS_AUTO) {
    /* a quick scan shows nothing; then the line comes with the first page after a second
    ** (bOn says stderr is a terminal) */
    if (rNow - p->rStart < AUTO_AFTER) return;
    if (p->bShown && rNow - p->rLast < 0.1) return;
  } else if (rNow - p->rLast < (p->bTty ? 0.1 : 1.0)) {
    return; /* a terminal redraws cheaply; a log gets a line a second at most */
  }
  show(p, 0);
}

void sms_progress_note(SmsProgress *p, const char *zNote) {
  if (!p->bOn) return;
  /* on a terminal the note takes the line being redrawn, which comes back below it */
  fprintf(stderr, "%ssms_messages: %s%s\n", p->bTty ? "\r" : "", zNote,
          p->bTty ? "\033[K" : "");
  fflush(stderr);
}

void sms_progress_end(SmsProgress *p) {
  if (!p->bOn) return;
  if (p->nPage == 0) { /* a scan that took no page (nothing to ask) has nothing to say */
    p->bOn = 0;
    return;
  }
  /* AUTO closes only a line it showed; 1 always says how the scan ended */
  if (p->eMode == 1 || p->bShown) show(p, 1);
  p->bOn = 0;
}
